//! The bodies of the subcommands other than `run` (see [`crate::run`]): each loads the
//! settings it needs, does its one job and returns the exit code or a [`Failure`].

use crate::config::{self, Env, Overrides};
use crate::exit::{self, Failure, fail};
use crate::{bundle, checks, custom_records, daemon, doctor, report, run, secrets, status};
use anyhow::Context;
use devidence_core::redact::Redactor;
use devidence_core::{Os, ReplayHost};
use std::path::{Path, PathBuf};

/// `devidence check`: the five verdicts (exit 0 only if all pass).
pub fn check(config_path: Option<&Path>, env: &Env, json: bool) -> Result<u8, Failure> {
    let settings = config::load(config_path, env, &Overrides::default())?;
    let collection = run::collect_this_machine(&settings);
    print_findings(&collection.findings, json)?;
    Ok(verdicts_exit(&collection.findings))
}

/// `devidence collect`: evidence files and findings.json into `out`, optionally the
/// employee's report too.
pub fn collect(
    config_path: Option<&Path>,
    env: &Env,
    out: &Path,
    with_report: bool,
    screenshot: bool,
) -> Result<u8, Failure> {
    let flags = Overrides {
        screenshot,
        ..Overrides::default()
    };
    let settings = config::load(config_path, env, &flags)?;
    let collection = run::collect_this_machine(&settings);
    let shot = run::screenshot_for(&settings, &collection);
    let workers = bundle::render_workers(false);
    // `collect` is for someone looking at the evidence: both files per control.
    let files = bundle::write(
        out,
        &collection,
        shot.as_deref(),
        workers,
        config::Format::Both,
    )
    .map_err(|e| fail(exit::EVIDENCE, e))?;
    print!("{}", report::table(&collection.findings));
    print_files(out, &files);
    if with_report {
        let path = bundle::write_report(out, &collection).map_err(|e| fail(exit::EVIDENCE, e))?;
        println!("\nReport for you to keep: {}", path.display());
    }
    Ok(exit::OK)
}

/// `devidence status`: the resolved device, the last result per control, the spool.
pub fn status(config_path: Option<&Path>, env: &Env, json: bool) -> Result<u8, Failure> {
    let settings = config::load(config_path, env, &Overrides::default())?;
    status::print(&settings, json).map_err(|e| fail(exit::EVIDENCE, e))?;
    Ok(exit::OK)
}

/// `devidence doctor`: what would make a run fail, and how to fix it (exit 1 if anything).
pub fn doctor(config_path: Option<&Path>, env: &Env, json: bool) -> Result<u8, Failure> {
    let settings = config::load(config_path, env, &Overrides::default())?;
    let checks = doctor::run(&settings);
    doctor::print(&checks, json);
    Ok(if checks.iter().any(|c| c.level == doctor::Level::Fail) {
        exit::NOT_PASSING
    } else {
        exit::OK
    })
}

/// `devidence daemon`: the background schedule, until stopped.
pub fn daemon(config_path: Option<&Path>, env: &Env) -> Result<u8, Failure> {
    let settings = config::load(config_path, env, &Overrides::default())?;
    daemon::run(&settings, config_path).map_err(|e| fail(exit::USAGE, e))?;
    Ok(exit::OK)
}

/// `devidence logout`: removes the API key from the OS keychain.
pub fn logout() -> Result<u8, Failure> {
    match secrets::keychain_delete() {
        Ok(true) => println!("Removed the Drata API key from the OS keychain."),
        Ok(false) => println!("No Drata API key was stored in the OS keychain."),
        Err(e) => return Err(fail(exit::USAGE, e.into())),
    }
    Ok(exit::OK)
}

/// `devidence msi-install` (the Windows installer, as SYSTEM): the private data folder and
/// the key in the keychain.
pub fn msi_install(api_key: &str) -> Result<u8, Failure> {
    let data_dir = crate::paths::data_dir();
    let done =
        crate::install::prepare(&data_dir, Some(api_key)).map_err(|e| fail(exit::USAGE, e))?;
    for line in done {
        println!("{line}");
    }
    Ok(exit::OK)
}

/// `devidence msi-uninstall`: deletes the spool, evidence, state and stored key.
pub fn msi_uninstall() -> Result<u8, Failure> {
    let data_dir = crate::paths::data_dir();
    let done = crate::install::remove(&data_dir).map_err(|e| fail(exit::USAGE, e))?;
    for line in done {
        println!("{line}");
    }
    Ok(exit::OK)
}

/// `devidence replay`: re-judges a saved bundle (or a folder of recorded outputs, with `os`).
pub fn replay(
    config_path: Option<&Path>,
    env: &Env,
    bundle: &Path,
    os: Option<Os>,
    json: bool,
) -> Result<u8, Failure> {
    let settings = config::load(config_path, env, &Overrides::default())?;
    let (recorded_os, observations) =
        match bundle::read_replayable(bundle).map_err(|e| fail(exit::USAGE, e))? {
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
    Ok(verdicts_exit(&findings))
}

/// 0 when every finding passes, else 1.
fn verdicts_exit(findings: &[devidence_core::Finding]) -> u8 {
    if report::all_pass(findings) {
        exit::OK
    } else {
        exit::NOT_PASSING
    }
}

/// The `records` subcommands.
#[derive(clap::Subcommand)]
pub enum RecordsCommand {
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

/// `devidence login`: stores the API key typed (or piped) in the OS keychain.
pub fn login() -> Result<u8, Failure> {
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

/// `devidence records …`: lists, updates, deletes or refreshes the custom connection's records.
pub fn records(
    config_path: Option<&Path>,
    env: &Env,
    command: RecordsCommand,
) -> Result<u8, Failure> {
    let settings = config::load(config_path, env, &Overrides::default())?;
    let target = settings.records.ok_or_else(|| {
        fail(
            exit::USAGE,
            anyhow::anyhow!(
                "no custom connection resource: set connection_id and resource_id under [custom_connection] in the configuration"
            ),
        )
    })?;
    let (client, _) = run::connect(&settings)?;
    let at = target.resource;
    let upload = |e: drata_client::DrataError| fail(exit::UPLOAD, e.into());
    let runtime = run::runtime()?;
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

/// Prints the findings as the verdict table, or as JSON.
pub fn print_findings(findings: &[devidence_core::Finding], json: bool) -> Result<(), Failure> {
    if json {
        let text =
            serde_json::to_string_pretty(findings).map_err(|e| fail(exit::EVIDENCE, e.into()))?;
        println!("{text}");
    } else {
        print!("{}", report::table(findings));
    }
    Ok(())
}

/// Prints the evidence files written into `dir`.
pub fn print_files(dir: &Path, files: &[bundle::EvidenceFile]) {
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
