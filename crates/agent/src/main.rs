//! `devidence`: checks five security controls on this machine, renders evidence, and uploads
//! it to Drata. This binary only parses flags and wires the library crates together.

mod bundle;
mod checks;
mod config;
mod paths;
mod report;
mod screenshot;
mod upload;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use config::{ConfigError, Env, Overrides, Settings};
use devidence_core::redact::Redactor;
use devidence_core::{Os, RealHost, ReplayHost};
use secrecy::ExposeSecret;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Exit codes, documented in README.md.
mod exit {
    pub const OK: u8 = 0;
    pub const NOT_PASSING: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const UPLOAD: u8 = 3;
    pub const EVIDENCE: u8 = 4;
}

#[derive(Parser)]
#[command(
    name = "devidence",
    version,
    about = "Checks this machine's security controls and sends the evidence to Drata."
)]
struct Cli {
    /// Configuration file (default: the per-OS system path, see README).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// More log output on stderr (-v info, -vv debug).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the five checks and print the verdicts (exit 0 only if all pass).
    Check {
        /// Print a JSON array of findings instead of the table.
        #[arg(long)]
        json: bool,
    },
    /// Run the checks and write PDF + PNG evidence and findings.json into a folder.
    Collect {
        /// Folder to write into (created if needed).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Also write one PDF with all five controls, for the employee to keep.
        #[arg(long)]
        report: bool,
        /// Use a real screenshot (where a display exists) as each report's picture.
        #[arg(long)]
        screenshot: bool,
    },
    /// Collect, then upload each control's evidence to Drata.
    Run(RunArgs),
    /// Re-judge a saved findings.json (or a folder holding one) with this version's parsers,
    /// without the machine it came from (exit codes as for `check`).
    Replay {
        /// The findings.json file, the evidence folder that holds it, or a folder of recorded
        /// outputs (`*.json` arrays of observations; needs `--os`).
        bundle: PathBuf,
        /// Judge with this OS's plans (default: the OS the bundle was collected on).
        #[arg(long)]
        os: Option<Os>,
        /// Print a JSON array of findings instead of the table.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
struct RunArgs {
    /// Evidence folder (default: a dated folder under the agent's data folder).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Drata API base URL (overrides --region).
    #[arg(long, value_name = "URL")]
    api_url: Option<String>,
    /// Drata region: us, eu or apac.
    #[arg(long)]
    region: Option<String>,
    /// Drata device ID (or the owner's personnel ID) to upload to.
    #[arg(long, value_name = "ID")]
    device_id: Option<String>,
    /// What to upload: pdf, png or both.
    #[arg(long)]
    format: Option<String>,
    /// File holding the API key (DRATA_API_KEY takes precedence).
    #[arg(long, value_name = "FILE")]
    api_key_file: Option<PathBuf>,
    /// Use a real screenshot (where a display exists) as each report's picture.
    #[arg(long)]
    screenshot: bool,
}

/// An error that ends the program with a specific exit code.
struct Failure {
    code: u8,
    error: anyhow::Error,
}

impl From<ConfigError> for Failure {
    fn from(err: ConfigError) -> Failure {
        Failure {
            code: exit::USAGE,
            error: err.into(),
        }
    }
}

fn fail(code: u8, error: anyhow::Error) -> Failure {
    Failure { code, error }
}

fn main() -> ExitCode {
    // Before any thread starts (see the function's documentation).
    devidence_core::identity::remember_local_offset();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return ExitCode::from(if err.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            });
        }
    };
    init_logging(cli.verbose);
    match dispatch(cli) {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            eprintln!("error: {:#}", failure.error);
            ExitCode::from(failure.code)
        }
    }
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("DEVIDENCE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}

fn dispatch(cli: Cli) -> Result<u8, Failure> {
    let env = Env::process();
    match cli.command {
        Command::Check { json } => {
            let settings = config::load(cli.config.as_deref(), &env, &Overrides::default())?;
            let collection = collect(&settings);
            print_findings(&collection.findings, json)?;
            Ok(if report::all_pass(&collection.findings) {
                exit::OK
            } else {
                exit::NOT_PASSING
            })
        }
        Command::Collect {
            out,
            report: with_report,
            screenshot,
        } => {
            let flags = Overrides {
                screenshot,
                ..Overrides::default()
            };
            let settings = config::load(cli.config.as_deref(), &env, &flags)?;
            let collection = collect(&settings);
            let shot = screenshot_for(&settings, &collection);
            let files = bundle::write(&out, &collection, shot.as_deref())
                .map_err(|e| fail(exit::EVIDENCE, e))?;
            print!("{}", report::table(&collection.findings));
            print_files(&out, &files);
            if with_report {
                let path =
                    bundle::write_report(&out, &collection).map_err(|e| fail(exit::EVIDENCE, e))?;
                println!("\nReport for you to keep: {}", path.display());
            }
            Ok(exit::OK)
        }
        Command::Run(args) => run(cli.config.as_deref(), &env, args),
        Command::Replay { bundle, os, json } => {
            let settings = config::load(cli.config.as_deref(), &env, &Overrides::default())?;
            let (recorded_os, observations) =
                match bundle::read_replayable(&bundle).map_err(|e| fail(exit::USAGE, e))? {
                    bundle::Replayable::Bundle(b) => (
                        Some(b.device.os),
                        b.findings
                            .into_iter()
                            .flat_map(|f| f.observations)
                            .collect(),
                    ),
                    bundle::Replayable::Recording(observations) => (None, observations),
                };
            let os = os.or(recorded_os).ok_or_else(|| {
                fail(
                    exit::USAGE,
                    anyhow::anyhow!(
                        "{} is a folder of recorded outputs, which does not say which OS they came from; add --os macos, --os windows or --os linux",
                        bundle.display()
                    ),
                )
            })?;
            let host = ReplayHost::from_observations(observations);
            let findings = checks::probe_all(&host, os, &settings.policy, &Redactor::new());
            print_findings(&findings, json)?;
            Ok(if report::all_pass(&findings) {
                exit::OK
            } else {
                exit::NOT_PASSING
            })
        }
    }
}

fn print_findings(findings: &[devidence_core::Finding], json: bool) -> Result<(), Failure> {
    if json {
        let text =
            serde_json::to_string_pretty(findings).map_err(|e| fail(exit::EVIDENCE, e.into()))?;
        println!("{text}");
    } else {
        print!("{}", report::table(findings));
    }
    Ok(())
}

fn collect(settings: &Settings) -> checks::Collection {
    let mut redactor = Redactor::new();
    if let Some(key) = &settings.api_key {
        redactor = redactor.with_literal(key.expose_secret());
    }
    checks::collect(&RealHost::new(), Os::current(), &settings.policy, &redactor)
}

/// The stamped screenshot for the evidence pictures when the setting is on and a display
/// exists; otherwise `None` (each report then carries its rendered card), saying why.
fn screenshot_for(settings: &Settings, collection: &checks::Collection) -> Option<Vec<u8>> {
    if !settings.screenshot {
        return None;
    }
    let taken_at = time::OffsetDateTime::now_utc();
    match screenshot::capture() {
        Ok(shot) => match devidence_render::stamp_screenshot(
            &shot,
            &collection.device,
            taken_at,
            env!("CARGO_PKG_VERSION"),
        ) {
            Ok(png) => {
                tracing::info!("screenshot taken ({} bytes)", png.len());
                Some(png)
            }
            Err(err) => {
                tracing::warn!("screenshot not used: {err}; the reports carry their cards");
                None
            }
        },
        Err(why) => {
            tracing::warn!("no screenshot: {why}; the reports carry their rendered cards instead");
            None
        }
    }
}

fn print_files(dir: &Path, files: &[bundle::EvidenceFile]) {
    println!("\nEvidence written to {}:", dir.display());
    for f in files {
        let name = f
            .path
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        println!("  {name:<22} {:>9} bytes", f.size);
    }
    println!("  {:<22} (all findings and observations)", "findings.json");
}

fn run(config_path: Option<&Path>, env: &Env, args: RunArgs) -> Result<u8, Failure> {
    let flags = Overrides {
        region: args.region,
        api_url: args.api_url,
        device_id: args.device_id,
        format: args.format,
        api_key_file: args.api_key_file,
        screenshot: args.screenshot,
    };
    let settings = config::load(config_path, env, &flags)?;
    // Check what upload needs before spending time on the probes.
    let api_key = settings.api_key.clone().ok_or_else(|| {
        fail(
            exit::USAGE,
            anyhow::anyhow!(
                "no Drata API key: set DRATA_API_KEY or api_key_file in {} (create a key in Drata under Settings > API Keys with the \"Devices: Manage Device Documents\" permission)",
                config::default_config_path().display()
            ),
        )
    })?;
    let device_id = settings.device_id.clone().ok_or_else(|| {
        fail(
            exit::USAGE,
            anyhow::anyhow!(
                "no Drata device ID: set device_id in the configuration, DEVIDENCE_DEVICE_ID, or --device-id (use the device's ID in Drata, or the owner's personnel ID if Drata does not know this device)"
            ),
        )
    })?;
    let client = drata_client::Client::new(
        &settings.api_url,
        api_key,
        &format!(
            "devidence/{} ({})",
            env!("CARGO_PKG_VERSION"),
            Os::current()
        ),
    )
    .map_err(|e| fail(exit::USAGE, e.into()))?;

    let out = args.out.unwrap_or_else(|| {
        let stamp = time::OffsetDateTime::now_utc()
            .format(time::macros::format_description!(
                "[year][month][day]T[hour][minute][second]Z"
            ))
            .unwrap_or_else(|_| "latest".into());
        paths::data_dir().join("evidence").join(stamp)
    });
    let collection = collect(&settings);
    let shot = screenshot_for(&settings, &collection);
    let files =
        bundle::write(&out, &collection, shot.as_deref()).map_err(|e| fail(exit::EVIDENCE, e))?;
    print!("{}", report::table(&collection.findings));

    let wanted = settings.format.extensions();
    let queue: Vec<_> = files
        .into_iter()
        .filter(|f| wanted.contains(&f.extension))
        .filter_map(|f| {
            let finding = collection
                .findings
                .iter()
                .find(|x| x.control == f.control)?;
            let name = bundle::upload_name(&collection.device, finding, f.extension);
            Some((f, name))
        })
        .collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the network runtime")
        .map_err(|e| fail(exit::UPLOAD, e))?;
    let outcomes = runtime.block_on(upload::upload_all(&client, &device_id, queue));

    println!("\nUpload to Drata device {device_id}:");
    let mut first_error = None;
    for o in &outcomes {
        match &o.result {
            Ok(id) => println!(
                "  sent     {:<45} as {} (document {id})",
                o.upload_name,
                o.file.control.drata_type()
            ),
            Err(err) => {
                println!("  NOT SENT {:<45} {err}", o.upload_name);
                if first_error.is_none() && !matches!(err, upload::UploadError::Skipped) {
                    first_error = Some(err.to_string());
                }
            }
        }
    }
    match first_error {
        None => {
            println!("\nEvidence kept in {}", out.display());
            Ok(exit::OK)
        }
        Some(err) => Err(fail(
            exit::UPLOAD,
            anyhow::anyhow!(
                "{err}\nThe evidence is kept in {}; nothing was lost. Run `devidence run` again once this is fixed.",
                out.display()
            ),
        )),
    }
}
