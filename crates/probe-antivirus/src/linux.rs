//! The Linux plan: ClamAV read through its own tools, then every catalogue product
//! ([`crate::catalog`]) by its status tool, systemd unit and install folder.
//!
//! | product | protecting when |
//! |---|---|
//! | ClamAV | `clamd` running, signatures younger than the policy limit (else `freshclam` running) |
//! | Microsoft Defender for Endpoint | `mdatp health`: real-time protection on, healthy, definitions up to date |
//! | CrowdStrike Falcon | `falconctl -g --rfm-state --aid --version`: registered (an agent ID), not in Reduced Functionality Mode, unit running |
//! | SentinelOne | `sentinelctl control status`: `Agent state Enabled` |
//! | Carbon Black Cloud | `repcli status`: sensor `State: Enabled` |
//! | Cortex XDR | `cytool runtime query`: every component Running |
//! | others in the catalogue | their systemd unit active (no local status tool is read) |
//!
//! One `systemctl show` asks about every unit at once (ClamAV's included, as facts). The rules
//! in the table are [`crate::policy::conclude_linux`]'s.

use crate::catalog;
use crate::parse::linux::{clam_version, pgrep_names};
use crate::policy;
use crate::products::{self, ProductRead};
use crate::services;
use devidence_core::{CommandSpec, Observation, Os, Outcome, ProbeRun};
use std::time::Duration;
use time::{Date, OffsetDateTime};

const DEADLINE: Duration = Duration::from_secs(15);

/// ClamAV's systemd units on Debian/Ubuntu and Fedora/RHEL, asked about for the record.
pub const CLAMAV_UNITS: &[&str] = &[
    "clamav-daemon.service",
    "clamav-freshclam.service",
    "clamav-clamonacc.service",
    "clamd@scan.service",
];

/// What the Linux plan read about ClamAV.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Clamav {
    /// Neither a version tool answered nor a `clamd` process was found; `pgrep_failed` says why
    /// pgrep could not tell, when it could not and the version tools are not simply missing.
    NotInstalled {
        /// Why pgrep could not tell whether `clamd` runs (with a version tool present).
        pgrep_failed: Option<String>,
    },
    /// Installed (a version tool answered) but pgrep could not tell whether `clamd` runs.
    DaemonUnknown(String),
    /// Installed, and what its processes and version line say.
    Installed {
        /// `clamd` is running.
        clamd_running: bool,
        /// `freshclam` is running, or why pgrep could not tell.
        freshclam_running: Result<bool, String>,
        /// The signatures' date and age in days, when the version line printed a date.
        signatures: Option<(Date, i64)>,
    },
}

/// What the Linux plan read.
#[derive(Clone, Debug)]
pub struct Facts {
    /// ClamAV, read by its own tools.
    pub clamav: Clamav,
    /// Every catalogue product for Linux, in table order.
    pub products: Vec<ProductRead>,
}

/// Runs the Linux plan: the shared service list, ClamAV, then every catalogue product; records
/// each product's state as a fact.
pub fn gather(run: &mut ProbeRun<'_>) -> Facts {
    let today = OffsetDateTime::now_utc().date();
    let names = catalog::services_for(Os::Linux, CLAMAV_UNITS);
    let units = services::read(run, &names);
    if let Err(why) = &units {
        run.fact("services", format!("unknown: {why}"));
    }
    let clamav = read_clamav(run, today);
    let products = catalog::for_os(Os::Linux)
        .map(|product| products::read_product(run, product, &units))
        .collect();
    let facts = Facts { clamav, products };
    products::record_states(run, &policy::conclude_linux_products(&facts, run.policy));
    facts
}

/// `pgrep -l PATTERN`: Ok(names found, possibly empty) or Err(why pgrep could not tell).
fn processes(run: &mut ProbeRun<'_>, args: &[&str]) -> Result<Vec<String>, String> {
    let obs = run.run(CommandSpec::new("pgrep", args.iter().copied()).deadline(DEADLINE));
    match (&obs.outcome, obs.exit_code) {
        (Outcome::Completed, Some(0)) => pgrep_names(&obs.stdout),
        (Outcome::Completed, Some(1)) => Ok(Vec::new()),
        _ => Err(obs.failure_reason()),
    }
}

fn missing(obs: &Observation) -> bool {
    obs.outcome == Outcome::NotFound
}

/// Reads ClamAV's version line and its processes, and records them.
fn read_clamav(run: &mut ProbeRun<'_>, today: Date) -> Clamav {
    let mut version = run.run(CommandSpec::new("clamdscan", ["--version"]).deadline(DEADLINE));
    if !version.succeeded() {
        version = run.run(CommandSpec::new("clamscan", ["--version"]).deadline(DEADLINE));
    }
    let daemon = processes(run, &["-l", "-x", "clamd"]);
    let installed = version.succeeded() || matches!(&daemon, Ok(names) if !names.is_empty());
    if !installed {
        return Clamav::NotInstalled {
            pgrep_failed: match daemon {
                Err(why) if !missing(&version) => Some(why),
                _ => None,
            },
        };
    }
    let daemon = match daemon {
        Ok(names) => !names.is_empty(),
        Err(why) => return Clamav::DaemonUnknown(why),
    };
    let updater = processes(run, &["-l", "-x", "freshclam"]).map(|n| !n.is_empty());
    let on_access = processes(run, &["-l", "-x", "clamonacc"]).map(|n| !n.is_empty());
    let parsed = version
        .succeeded()
        .then(|| clam_version(&version.stdout))
        .flatten();
    if let Some(v) = &parsed {
        run.fact("clamav.engine", v.engine.clone());
        if let Some(sigs) = &v.signatures {
            run.fact("clamav.signatures", sigs.clone());
        }
    }
    run.fact("clamav.clamd_running", daemon.to_string());
    let updater_fact = match &updater {
        Ok(running) => running.to_string(),
        Err(why) => format!("unknown: {why}"),
    };
    run.fact("clamav.freshclam_running", updater_fact);
    run.fact(
        "clamav.on_access_scanning",
        matches!(on_access, Ok(true)).to_string(),
    );
    let signatures = parsed.and_then(|v| v.signature_date).map(|date| {
        let age = (today - date).whole_days();
        // Recorded when the daemon runs, the only case the signature age decides.
        if daemon {
            run.fact("clamav.signature_date", date.to_string());
            run.fact("clamav.signature_age_days", age.to_string());
        }
        (date, age)
    });
    Clamav::Installed {
        clamd_running: daemon,
        freshclam_running: updater,
        signatures,
    }
}
