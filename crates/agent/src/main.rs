//! `devidence`: checks five security controls on this machine, renders evidence, and uploads
//! it to Drata. This binary only parses flags and wires the library crates together.

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use config::{ConfigError, Env, Overrides, Settings};
use devidence::{
    bundle, checks, config, custom_records, daemon, deliver, doctor, logfile, report, screenshot,
    secrets, spool, state, status,
};
use devidence_core::redact::Redactor;
use devidence_core::{Os, RealHost, ReplayHost};
use secrecy::SecretString;
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
    /// Show the resolved Drata device, the last result per control and the evidence waiting
    /// in the spool.
    Status {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Run in the background: a check every `[schedule] interval_minutes` (plus a random
    /// splay), soon after start and after the computer wakes, retrying sooner while evidence
    /// waits in the spool; one instance at a time; stops cleanly on SIGTERM or Ctrl-C.
    Daemon,
    /// Check the configuration, API key, keychain, Drata access and permission, clock and
    /// spool, and say what to fix (exit 1 if anything would make a run fail).
    Doctor {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Store the Drata API key in the OS keychain (read from the terminal without echo, or
    /// from standard input when piped, e.g. by an MDM script).
    Login,
    /// Remove the Drata API key from the OS keychain.
    Logout,
    /// Manage the custom data records findings are pushed to (`[custom_connection]`).
    #[command(subcommand)]
    Records(RecordsCommand),
    /// For installers (the Windows MSI runs it as SYSTEM): create the data folder readable by
    /// SYSTEM and Administrators only, and store the API key given in the OS keychain.
    #[command(hide = true)]
    MsiInstall {
        /// The key the installer was given (`API_KEY`); empty means none.
        #[arg(long, default_value = "")]
        api_key: String,
    },
    /// For installers, on uninstall: delete the spool, evidence, state and the stored key;
    /// keep the logs.
    #[command(hide = true)]
    MsiUninstall,
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

#[derive(Subcommand)]
enum RecordsCommand {
    /// List the resource's records.
    List {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Replace the data of one record (by Drata's record ID).
    Update {
        /// Drata's record ID (from `records list`).
        record_id: String,
        /// The new data, a JSON object.
        #[arg(long, value_name = "JSON")]
        data: String,
    },
    /// Delete one record (by Drata's record ID).
    Delete {
        /// Drata's record ID (from `records list`).
        record_id: String,
    },
    /// Replace every record of the resource with the findings of the given bundles
    /// (findings.json files or the folders holding them), in one session: completed only if
    /// Drata stores every record, otherwise cancelled and nothing changes.
    Refresh {
        /// Bundles to take findings from.
        #[arg(required = true)]
        bundles: Vec<PathBuf>,
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
    /// The owner's email in Drata (used when Drata does not know this computer).
    #[arg(long, value_name = "EMAIL")]
    owner_email: Option<String>,
    /// As started by a scheduler: skip rendering and uploading when every verdict is unchanged
    /// and was delivered within `[schedule] min_upload_hours`.
    #[arg(long)]
    scheduled: bool,
    /// Lower this process's CPU priority and render one control at a time (the daemon and the
    /// installed schedulers start their runs this way).
    #[arg(long)]
    background: bool,
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
    let background = match &cli.command {
        Command::Daemon => true,
        Command::Run(args) => args.background,
        _ => false,
    };
    init_logging(cli.verbose, background);
    if matches!(
        cli.command,
        Command::Check { .. } | Command::Collect { .. } | Command::Run(_)
    ) {
        stop_cleanly_on_signals();
    }
    let started = std::time::Instant::now();
    let result = dispatch(cli);
    log_resource_use(started);
    match result {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            eprintln!("error: {}", describe(&failure.error));
            if failure.code == exit::EVIDENCE
                && let Some(hint) = storage_hint(&failure.error)
            {
                eprintln!("{hint}");
            }
            ExitCode::from(failure.code)
        }
    }
}

/// On SIGTERM, SIGINT or SIGHUP (Ctrl-C on Windows), kills the commands the probes are
/// running, each with its process group, then exits with 128 + the signal's number: a hung
/// tool must not outlive a run the service manager or the user stopped. Evidence already
/// spooled stays (every spool write is atomic). Returns once the handlers are in place.
fn stop_cleanly_on_signals() {
    let (ready, armed) = std::sync::mpsc::channel();
    let watcher = std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                let _ = ready.send(());
                return;
            };
            runtime.block_on(async move {
                let (name, code) = stop_signal(ready).await;
                devidence_core::host::kill_running_commands();
                eprintln!(
                    "devidence: stopped by {name}; the checks' commands were stopped, and evidence already in the spool is kept"
                );
                std::process::exit(code);
            });
        });
    if watcher.is_ok() {
        let _ = armed.recv_timeout(std::time::Duration::from_secs(2));
    }
}

/// Waits for a stop signal (after saying on `ready` that the handlers are in place); returns
/// its name and the exit code for it.
async fn stop_signal(ready: std::sync::mpsc::Sender<()>) -> (&'static str, i32) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut term), Ok(mut int), Ok(mut hup)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
            signal(SignalKind::hangup()),
        ) else {
            let _ = ready.send(());
            return std::future::pending().await;
        };
        let _ = ready.send(());
        tokio::select! {
            _ = term.recv() => ("SIGTERM", 128 + 15),
            _ = int.recv() => ("SIGINT", 128 + 2),
            _ = hup.recv() => ("SIGHUP", 128 + 1),
        }
    }
    #[cfg(not(unix))]
    {
        let ctrl_c = tokio::signal::ctrl_c();
        let _ = ready.send(());
        let _ = ctrl_c.await;
        ("Ctrl-C", 128 + 2)
    }
}

/// Logs (at debug level) how long the command took and, on Linux, this process's peak
/// resident memory (`VmHWM`, commands it ran not included): what `bench/run.py` reports, with
/// `DEVIDENCE_LOG=warn,devidence::resource_use=debug`.
fn log_resource_use(started: std::time::Instant) {
    // Reading /proc costs a file read on every run; only when someone is listening.
    if !tracing::enabled!(target: "devidence::resource_use", tracing::Level::DEBUG) {
        return;
    }
    tracing::debug!(
        target: "devidence::resource_use",
        wall_ms = started.elapsed().as_millis() as u64,
        peak_rss_kb = devidence::resource_use::peak_rss_kb(),
        "resource use"
    );
}

/// What to do when the disk refused to store evidence: full, read-only, or not ours to write.
fn storage_hint(error: &anyhow::Error) -> Option<&'static str> {
    let kind = io_error_kind(error)?;
    match kind {
        _ if is_disk_full(kind) => Some(
            "The disk holding devidence's data folder is full: free some space there and run again. Evidence still in the spool was kept and is sent then.",
        ),
        std::io::ErrorKind::ReadOnlyFilesystem | std::io::ErrorKind::PermissionDenied => Some(
            "devidence's data folder must be writable by the agent (setting data_dir or DEVIDENCE_DATA_DIR; see README). Evidence already in the spool was kept and is sent once it is writable.",
        ),
        _ => None,
    }
}

/// The kind of the first I/O error among `error`'s causes.
fn io_error_kind(error: &anyhow::Error) -> Option<std::io::ErrorKind> {
    error
        .chain()
        .find_map(|cause| cause.downcast_ref::<std::io::Error>())
        .map(std::io::Error::kind)
}

/// Whether an I/O error says the disk (or the user's quota on it) is full.
fn is_disk_full(kind: std::io::ErrorKind) -> bool {
    matches!(
        kind,
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
    )
}

/// The error and its causes, leaving out a cause the text before it already says (library
/// errors often name their source in their own message).
fn describe(error: &anyhow::Error) -> String {
    let mut text = error.to_string();
    for cause in error.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
    }
    text
}

/// Logs go to stderr, which systemd sends to the journal. Background runs elsewhere (launchd,
/// Task Scheduler, a daemon started by hand) log at info level to the size-rotated file in the
/// platform log folder instead.
fn init_logging(verbose: u8, background: bool) {
    let under_systemd = std::env::var_os("JOURNAL_STREAM").is_some();
    let default = match verbose {
        0 if background => "info",
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("DEVIDENCE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    if background && !under_systemd {
        let dir = logfile::log_dir();
        match logfile::RotatingFile::open(&dir, logfile::MAX_BYTES, logfile::KEEP) {
            Ok(file) => {
                builder
                    .with_ansi(false)
                    .with_writer(std::sync::Mutex::new(file))
                    .init();
                return;
            }
            Err(e) => eprintln!(
                "warning: cannot log to {}: {e}; logging to standard error",
                dir.display()
            ),
        }
    }
    // Colours only on a terminal: a log piped to a file or a management tool stays plain text.
    builder
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
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
            let workers = bundle::render_workers(false);
            let files = bundle::write(&out, &collection, shot.as_deref(), workers)
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
        Command::Status { json } => {
            let settings = config::load(cli.config.as_deref(), &env, &Overrides::default())?;
            status::print(&settings, json).map_err(|e| fail(exit::EVIDENCE, e))?;
            Ok(exit::OK)
        }
        Command::Records(command) => records(cli.config.as_deref(), &env, command),
        Command::Login => login(),
        Command::MsiInstall { api_key } => {
            let data_dir = devidence::paths::data_dir();
            let done = devidence::install::prepare(&data_dir, Some(&api_key))
                .map_err(|e| fail(exit::USAGE, e))?;
            for line in done {
                println!("{line}");
            }
            Ok(exit::OK)
        }
        Command::MsiUninstall => {
            let data_dir = devidence::paths::data_dir();
            let done = devidence::install::remove(&data_dir).map_err(|e| fail(exit::USAGE, e))?;
            for line in done {
                println!("{line}");
            }
            Ok(exit::OK)
        }
        Command::Doctor { json } => {
            let settings = config::load(cli.config.as_deref(), &env, &Overrides::default())?;
            let checks = doctor::run(&settings);
            doctor::print(&checks, json);
            Ok(if checks.iter().any(|c| c.level == doctor::Level::Fail) {
                exit::NOT_PASSING
            } else {
                exit::OK
            })
        }
        Command::Daemon => {
            let settings = config::load(cli.config.as_deref(), &env, &Overrides::default())?;
            daemon::run(&settings, cli.config.as_deref()).map_err(|e| fail(exit::USAGE, e))?;
            Ok(exit::OK)
        }
        Command::Logout => match secrets::keychain_delete() {
            Ok(true) => {
                println!("Removed the Drata API key from the OS keychain.");
                Ok(exit::OK)
            }
            Ok(false) => {
                println!("No Drata API key was stored in the OS keychain.");
                Ok(exit::OK)
            }
            Err(e) => Err(fail(exit::USAGE, e.into())),
        },
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
    checks::collect(
        &RealHost::new(),
        Os::current(),
        &settings.policy,
        &settings.redactor(),
    )
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

/// The API client for `settings` and the key it uses (looked up once: the keychain may ask
/// the user), or a usage error saying what is missing.
fn connect(settings: &Settings) -> Result<(drata_client::Client, SecretString), Failure> {
    let (api_key, source) = secrets::api_key(settings).map_err(|e| fail(exit::USAGE, e.into()))?;
    tracing::info!("using the Drata API key from {source}");
    let client = drata_client::Client::new(
        &settings.api_url,
        api_key.clone(),
        &format!(
            "devidence/{} ({})",
            env!("CARGO_PKG_VERSION"),
            Os::current()
        ),
    )
    .map_err(|e| fail(exit::USAGE, e.into()))?;
    let client = client
        .with_min_interval(settings.request_interval)
        .with_timeout(settings.request_timeout);
    Ok((client, api_key))
}

fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the network runtime")
        .map_err(|e| fail(exit::UPLOAD, e))
}

fn run(config_path: Option<&Path>, env: &Env, args: RunArgs) -> Result<u8, Failure> {
    let flags = Overrides {
        region: args.region,
        api_url: args.api_url,
        device_id: args.device_id,
        format: args.format,
        api_key_file: args.api_key_file,
        screenshot: args.screenshot,
        owner_email: args.owner_email,
    };
    if args.background {
        daemon::lower_priority();
    }
    let mut settings = config::load(config_path, env, &flags)?;
    // Check what upload needs before spending time on the probes.
    let (client, api_key) = connect(&settings)?;
    // The key, wherever it came from, is redacted from every recorded output.
    settings.api_key = Some(api_key);
    devidence::atomic::create_private_dir(&settings.data_dir)
        .with_context(|| format!("cannot use the data folder {}", settings.data_dir.display()))
        .map_err(|e| fail(exit::EVIDENCE, e))?;
    let spool_dir = settings.data_dir.join("spool");
    let spool = spool::Spool::open(&spool_dir, settings.spool)
        .context("cannot open the evidence spool")
        .map_err(|e| fail(exit::EVIDENCE, e))?;

    // Without --out, each run writes a dated folder under the data folder; the oldest beyond
    // keep_evidence_runs are removed once this run's is written.
    let dated_parent = args
        .out
        .is_none()
        .then(|| settings.data_dir.join("evidence"));
    let out = args.out.unwrap_or_else(|| {
        let stamp = time::OffsetDateTime::now_utc()
            .format(time::macros::format_description!(
                "[year][month][day]T[hour][minute][second]Z"
            ))
            .unwrap_or_else(|_| "latest".into());
        settings.data_dir.join("evidence").join(stamp)
    });
    let collection = collect(&settings);
    let state_file = state::path(&settings.data_dir);
    let mut state = state::State::load(&state_file);
    let now = time::OffsetDateTime::now_utc();
    if args.scheduled
        && deliver::unchanged_and_recent(
            &state,
            &collection.findings,
            spool.pending().is_empty(),
            settings.schedule.min_upload,
            now,
        )
    {
        print!("{}", report::table(&collection.findings));
        println!(
            "\nEvery verdict is unchanged and was delivered recently; nothing uploaded this time."
        );
        state.last_run_at = Some(now);
        state.last_run_outcome = Some("checked; verdicts unchanged, nothing to upload".into());
        if let Err(e) = state.save(&state_file) {
            tracing::warn!("cannot save the state to {}: {e}", state_file.display());
        }
        return Ok(exit::OK);
    }
    let shot = screenshot_for(&settings, &collection);
    let workers = bundle::render_workers(args.background);
    let stored = store_evidence(
        &out,
        &collection,
        shot.as_deref(),
        workers,
        &settings,
        &spool,
        now,
    );
    print!("{}", report::table(&collection.findings));
    if let Some(parent) = &dated_parent {
        for old in bundle::prune_dated_folders(parent, settings.keep_evidence_runs) {
            tracing::info!(folder = %old.display(), "removed an old evidence folder (keep_evidence_runs)");
        }
    }

    // Drata knows the machine by the configured serial number where one is set.
    let mut known_as = collection.device.clone();
    if let Some(serial) = &settings.serial_number {
        known_as.serial_number = Some(serial.clone());
    }
    if let Err(error) = stored {
        if io_error_kind(&error).is_some_and(is_disk_full) {
            // This run's evidence has no room, but what the spool already holds can still be
            // sent, and sending it frees space.
            deliver_spool_on_a_full_disk(
                &client,
                &settings,
                &spool,
                &mut state,
                &known_as,
                &collection,
            );
            if let Err(e) = state.save(&state_file) {
                tracing::warn!("cannot save the state to {}: {e}", state_file.display());
            }
        }
        return Err(fail(exit::EVIDENCE, error));
    }

    let delivery = runtime()?.block_on(deliver::deliver(
        &client,
        &settings,
        &spool,
        &mut state,
        &known_as,
        &collection.findings,
    ));
    let pending = spool.pending();
    deliver::remember(&mut state, &collection.findings, Some(&delivery), &pending);
    state.last_run_at = Some(time::OffsetDateTime::now_utc());
    state.last_run_outcome = Some(match &delivery.error {
        None => "all evidence delivered".to_string(),
        Some(e) => format!("{} item(s) pending: {e}", pending.len()),
    });
    if let Err(e) = state.save(&state_file) {
        tracing::warn!("cannot save the state to {}: {e}", state_file.display());
    }

    status::print_delivery(&delivery);
    match &delivery.error {
        None => {
            println!("\nEvidence kept in {}", out.display());
            Ok(exit::OK)
        }
        Some(err) => Err(fail(
            exit::UPLOAD,
            anyhow::anyhow!(
                "{err}\nThe evidence is kept in {} and {} file(s) wait in the spool {}; nothing was lost. They are sent on the next `devidence run` (see `devidence status`).",
                out.display(),
                delivery.pending_after,
                spool.dir().display()
            ),
        )),
    }
}

/// Writes this run's evidence files into `out` and puts the ones to upload into the spool,
/// before any network I/O: from then on nothing can be lost.
fn store_evidence(
    out: &Path,
    collection: &checks::Collection,
    screenshot: Option<&[u8]>,
    render_workers: usize,
    settings: &Settings,
    spool: &spool::Spool,
    now: time::OffsetDateTime,
) -> anyhow::Result<()> {
    let files = bundle::write(out, collection, screenshot, render_workers)?;
    let wanted = settings.format.extensions();
    for file in files.iter().filter(|f| wanted.contains(&f.extension)) {
        let Some(finding) = collection
            .findings
            .iter()
            .find(|x| x.control == file.control)
        else {
            continue;
        };
        let name = bundle::upload_name(&collection.device, finding, file.extension);
        let bytes = devidence::atomic::read_capped(&file.path, bundle::MAX_BUNDLE_BYTES, false)
            .with_context(|| format!("cannot read back {}", file.path.display()))?;
        let (_, dropped) = spool
            .enqueue(file.control, &name, file.extension, &bytes, now)
            .context("cannot store the evidence in the spool")?;
        for d in dropped {
            eprintln!(
                "warning: dropped unsent evidence {} (spooled {}) from the spool: {}",
                d.item.upload_name, d.item.created_at, d.why
            );
        }
    }
    Ok(())
}

/// On a full disk, sends what earlier runs left in the spool (deleting each file once Drata
/// has it frees space) and says so. This run's findings are not recorded as delivered: their
/// evidence was never stored.
fn deliver_spool_on_a_full_disk(
    client: &drata_client::Client,
    settings: &Settings,
    spool: &spool::Spool,
    state: &mut state::State,
    known_as: &devidence_core::DeviceIdentity,
    collection: &checks::Collection,
) {
    let waiting = spool.pending().len();
    if waiting == 0 {
        return;
    }
    let Ok(runtime) = runtime() else {
        return;
    };
    let delivery = runtime.block_on(deliver::deliver(
        client,
        settings,
        spool,
        state,
        known_as,
        &collection.findings,
    ));
    let sent = waiting.saturating_sub(delivery.pending_after);
    eprintln!(
        "The disk is full, so this run's evidence could not be stored; {sent} of the {waiting} file(s) earlier runs left in the spool were sent to Drata and removed, {} still wait{}.",
        delivery.pending_after,
        delivery
            .error
            .as_deref()
            .map(|e| format!(" ({e})"))
            .unwrap_or_default()
    );
    state.last_run_at = Some(time::OffsetDateTime::now_utc());
    state.last_run_outcome = Some(format!(
        "disk full: evidence not stored; {sent} spooled item(s) sent, {} pending",
        delivery.pending_after
    ));
}

fn login() -> Result<u8, Failure> {
    use std::io::{BufRead, IsTerminal};
    let typed = if std::io::stdin().is_terminal() {
        rpassword::prompt_password("Drata API key (input hidden): ")
            .context("cannot read the key from the terminal")
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the key from standard input")
            .map(|_| line)
    }
    .map_err(|e| fail(exit::USAGE, e))?;
    let key = secrets::validate(&typed).map_err(|why| {
        fail(
            exit::USAGE,
            anyhow::anyhow!("not stored: {why}; paste the key exactly as Drata showed it"),
        )
    })?;
    secrets::keychain_set(&key).map_err(|e| fail(exit::USAGE, e.into()))?;
    println!(
        "Stored the Drata API key in the OS keychain (service {}, account {}).",
        secrets::SERVICE,
        secrets::ACCOUNT
    );
    Ok(exit::OK)
}

fn records(config_path: Option<&Path>, env: &Env, command: RecordsCommand) -> Result<u8, Failure> {
    let settings = config::load(config_path, env, &Overrides::default())?;
    let target = settings.records.ok_or_else(|| {
        fail(
            exit::USAGE,
            anyhow::anyhow!(
                "no custom connection resource: set connection_id and resource_id under [custom_connection] in the configuration"
            ),
        )
    })?;
    let (client, _) = connect(&settings)?;
    let at = target.resource;
    let upload = |e: drata_client::DrataError| fail(exit::UPLOAD, e.into());
    let runtime = runtime()?;
    match command {
        RecordsCommand::List { json } => {
            let records = runtime.block_on(client.list_records(at)).map_err(upload)?;
            if json {
                let rows: Vec<_> = records
                    .iter()
                    .map(|r| serde_json::json!({"recordId": r.id, "data": r.attributes}))
                    .collect();
                println!(
                    "{}",
                    serde_json::to_string_pretty(&rows).unwrap_or_default()
                );
            } else {
                println!(
                    "{} record(s) in custom connection {} resource {}:",
                    records.len(),
                    at.connection_id,
                    at.resource_id
                );
                for r in &records {
                    println!(
                        "  {}  {:<40} {}",
                        r.id,
                        r.attributes["id"].as_str().unwrap_or("-"),
                        r.attributes["verdict"].as_str().unwrap_or("")
                    );
                }
            }
        }
        RecordsCommand::Update { record_id, data } => {
            let data: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&data)
                .context("--data must be a JSON object, e.g. '{\"id\":\"SN:antivirus\",\"verdict\":\"pass\"}'")
                .map_err(|e| fail(exit::USAGE, e))?;
            let stored = runtime
                .block_on(client.update_record(at, &record_id, data))
                .map_err(upload)?;
            println!("updated record {}", stored.id);
        }
        RecordsCommand::Delete { record_id } => {
            runtime
                .block_on(client.delete_record(at, &record_id))
                .map_err(upload)?;
            println!("deleted record {record_id}");
        }
        RecordsCommand::Refresh { bundles } => {
            let mut rows = Vec::new();
            for path in &bundles {
                match bundle::read_replayable(path).map_err(|e| fail(exit::USAGE, e))? {
                    bundle::Replayable::Bundle(b) => {
                        rows.extend(custom_records::records(&b.device, &b.findings))
                    }
                    bundle::Replayable::Recording(_) => {
                        return Err(fail(
                            exit::USAGE,
                            anyhow::anyhow!(
                                "{} holds recorded outputs, not findings; pass findings.json bundles",
                                path.display()
                            ),
                        ));
                    }
                }
            }
            let session = format!(
                "devidence-{}",
                time::OffsetDateTime::now_utc().unix_timestamp()
            );
            let (pushed, action) = runtime
                .block_on(custom_records::refresh(&client, at, rows, &session))
                .map_err(upload)?;
            status::print_push(&pushed);
            if action == drata_client::custom_data::SessionAction::Complete {
                println!(
                    "session {session} completed: the resource now holds exactly these {} record(s)",
                    pushed.outcomes.len()
                );
            } else {
                return Err(fail(
                    exit::UPLOAD,
                    anyhow::anyhow!(
                        "Drata refused {} record(s), so session {session} was cancelled and the resource is unchanged; fix the custom resource's schema or the records and refresh again",
                        pushed.refused()
                    ),
                ));
            }
        }
    }
    Ok(exit::OK)
}
