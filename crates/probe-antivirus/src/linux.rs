//! The Linux plan: ClamAV judged by its own tools, then every catalogue product
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
//! One `systemctl show` asks about every unit at once (ClamAV's included, as facts).

use crate::ProductState;
use crate::catalog;
use crate::parse;
use crate::services;
use devidence_core::{CommandSpec, Observation, Os, Outcome, ProbeRun};
use std::time::Duration;
use time::OffsetDateTime;

const DEADLINE: Duration = Duration::from_secs(15);

/// ClamAV's systemd units on Debian/Ubuntu and Fedora/RHEL, asked about for the record.
pub const CLAMAV_UNITS: &[&str] = &[
    "clamav-daemon.service",
    "clamav-freshclam.service",
    "clamav-clamonacc.service",
    "clamd@scan.service",
];

/// Runs the Linux plan; returns each product's state, in a fixed order.
pub fn check(run: &mut ProbeRun<'_>) -> Vec<(&'static str, ProductState)> {
    let today = OffsetDateTime::now_utc().date();
    let names = catalog::services_for(Os::Linux, CLAMAV_UNITS);
    let units = services::read(run, &names);
    if let Err(why) = &units {
        run.fact("services", format!("unknown: {why}"));
    }
    let mut products = vec![("ClamAV", clamav(run, today))];
    for product in catalog::for_os(Os::Linux) {
        products.push((product.name, crate::assess::assess(run, product, &units)));
    }
    crate::record_products(run, &products);
    products
}

/// `pgrep -l PATTERN`: Ok(names found, possibly empty) or Err(why pgrep could not tell).
fn processes(run: &mut ProbeRun<'_>, args: &[&str]) -> Result<Vec<String>, String> {
    let obs = run.run(CommandSpec::new("pgrep", args.iter().copied()).deadline(DEADLINE));
    match (&obs.outcome, obs.exit_code) {
        (Outcome::Completed, Some(0)) => parse::pgrep_names(&obs.stdout),
        (Outcome::Completed, Some(1)) => Ok(Vec::new()),
        _ => Err(obs.failure_reason()),
    }
}

fn missing(obs: &Observation) -> bool {
    obs.outcome == Outcome::NotFound
}

fn clamav(run: &mut ProbeRun<'_>, today: time::Date) -> ProductState {
    let mut version = run.run(CommandSpec::new("clamdscan", ["--version"]).deadline(DEADLINE));
    if !version.succeeded() {
        version = run.run(CommandSpec::new("clamscan", ["--version"]).deadline(DEADLINE));
    }
    let daemon = processes(run, &["-l", "-x", "clamd"]);
    let installed = version.succeeded() || matches!(&daemon, Ok(names) if !names.is_empty());
    if !installed {
        return match daemon {
            Err(why) if !missing(&version) => ProductState::Unreadable(why),
            _ => ProductState::Absent,
        };
    }
    let daemon = match daemon {
        Ok(names) => !names.is_empty(),
        Err(why) => {
            return ProductState::Unreadable(format!("cannot tell whether clamd runs: {why}"));
        }
    };
    let updater = processes(run, &["-l", "-x", "freshclam"]).map(|n| !n.is_empty());
    let on_access = processes(run, &["-l", "-x", "clamonacc"]).map(|n| !n.is_empty());
    let parsed = version
        .succeeded()
        .then(|| parse::clam_version(&version.stdout))
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
    if !daemon {
        return ProductState::NotProtecting("the clamd scanning daemon is not running".into());
    }
    let limit = i64::try_from(run.policy.max_signature_age_days).unwrap_or(i64::MAX);
    match parsed.and_then(|v| v.signature_date) {
        Some(date) => {
            let age = (today - date).whole_days();
            run.fact("clamav.signature_date", date.to_string());
            run.fact("clamav.signature_age_days", age.to_string());
            if age > limit {
                ProductState::NotProtecting(format!("signatures are {age} days old (from {date}); the limit is {limit}"))
            } else {
                ProductState::Protecting(format!("clamd running, signatures from {date}"))
            }
        }
        None => match updater {
            Ok(true) => ProductState::Protecting("clamd and freshclam running (signature date not readable)".into()),
            Ok(false) => ProductState::NotProtecting(
                "freshclam is not running and the signature date could not be read, so signatures may be stale".into(),
            ),
            Err(why) => ProductState::Unreadable(why),
        },
    }
}
