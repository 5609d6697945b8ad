//! `devidence`: checks five security controls on this machine, renders evidence, and uploads
//! it to Drata. This binary only parses flags, runs the subcommand's library function
//! ([`devidence::commands`], [`devidence::run`]) and turns its result into an exit code.

use clap::{Args, Parser, Subcommand};
use devidence::commands::{self, RecordsCommand};
use devidence::config::{Env, Overrides};
use devidence::exit::{self, Failure};
use devidence::{logfile, resource_use, run, signals};
use devidence_core::Os;
use std::path::PathBuf;
use std::process::ExitCode;

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

fn main() -> ExitCode {
    // Both before any thread starts (see each function's documentation).
    devidence::memory::use_one_malloc_arena();
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
    logfile::init_logging(cli.verbose, background);
    if matches!(
        cli.command,
        Command::Check { .. } | Command::Collect { .. } | Command::Run(_)
    ) {
        signals::stop_cleanly_on_signals();
    }
    let started = std::time::Instant::now();
    let result = dispatch(cli);
    resource_use::log(started);
    match result {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            eprintln!("{}", failure.message());
            ExitCode::from(failure.code)
        }
    }
}

/// Runs the subcommand the flags name.
fn dispatch(cli: Cli) -> Result<u8, Failure> {
    let env = Env::process();
    let config = cli.config.as_deref();
    match cli.command {
        Command::Check { json } => commands::check(config, &env, json),
        Command::Collect {
            out,
            report,
            screenshot,
        } => commands::collect(config, &env, &out, report, screenshot),
        Command::Run(args) => {
            let flags = Overrides {
                region: args.region,
                api_url: args.api_url,
                device_id: args.device_id,
                format: args.format,
                api_key_file: args.api_key_file,
                screenshot: args.screenshot,
                owner_email: args.owner_email,
            };
            let request = run::RunRequest {
                out: args.out,
                scheduled: args.scheduled,
                background: args.background,
            };
            run::run(config, &env, &flags, request)
        }
        Command::Status { json } => commands::status(config, &env, json),
        Command::Records(command) => commands::records(config, &env, command),
        Command::Login => commands::login(),
        Command::MsiInstall { api_key } => commands::msi_install(&api_key),
        Command::MsiUninstall => commands::msi_uninstall(),
        Command::Doctor { json } => commands::doctor(config, &env, json),
        Command::Daemon => commands::daemon(config, &env),
        Command::Logout => commands::logout(),
        Command::Replay { bundle, os, json } => commands::replay(config, &env, &bundle, os, json),
    }
}
