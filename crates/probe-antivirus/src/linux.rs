//! The Linux plan: each product is detected by its own CLI and its own process.
//!
//! | product | installed when | protecting when |
//! |---|---|---|
//! | ClamAV | `clamscan`/`clamd` present | `clamd` running, signatures younger than the policy limit (else `freshclam` running) |
//! | Microsoft Defender for Endpoint | `mdatp` present | `real_time_protection_enabled`, `healthy`, definitions up to date |
//! | CrowdStrike Falcon | `/opt/CrowdStrike/falconctl` present | sensor process running, not in Reduced Functionality Mode |
//! | SentinelOne | `/opt/sentinelone/bin/sentinelctl` present | `s1-agent` process running |

use crate::ProductState;
use crate::parse;
use devidence_core::{CommandSpec, Observation, Outcome, ProbeRun};
use std::time::Duration;
use time::OffsetDateTime;

const DEADLINE: Duration = Duration::from_secs(15);

/// Runs the Linux plan; returns each product's state, in a fixed order.
pub fn check(run: &mut ProbeRun<'_>) -> Vec<(&'static str, ProductState)> {
    let today = OffsetDateTime::now_utc().date();
    let products = vec![
        ("ClamAV", clamav(run, today)),
        ("Microsoft Defender for Endpoint", defender(run)),
        ("CrowdStrike Falcon", falcon(run)),
        ("SentinelOne", sentinelone(run)),
    ];
    crate::record_products(run, &products);
    products
}

/// `pgrep -l PATTERN`: Ok(names found, possibly empty) or Err(why pgrep could not tell).
fn processes(run: &mut ProbeRun<'_>, args: &[&str]) -> Result<Vec<String>, String> {
    let obs = run.run(CommandSpec::new("pgrep", args.iter().copied()).deadline(DEADLINE));
    match (&obs.outcome, obs.exit_code) {
        (Outcome::Completed, Some(0)) => Ok(parse::pgrep_names(&obs.stdout)),
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

fn defender(run: &mut ProbeRun<'_>) -> ProductState {
    let obs = run.run(CommandSpec::new("mdatp", ["health", "--output", "json"]).deadline(DEADLINE));
    crate::defender::judge(run, &obs)
}

fn falcon(run: &mut ProbeRun<'_>) -> ProductState {
    let obs = run.run(
        CommandSpec::new("/opt/CrowdStrike/falconctl", ["-g", "--rfm-state"]).deadline(DEADLINE),
    );
    if missing(&obs) {
        return ProductState::Absent;
    }
    if !obs.succeeded() {
        return ProductState::Unreadable(obs.failure_reason());
    }
    let Some(rfm) = parse::falcon_rfm(&obs.stdout) else {
        return ProductState::Unreadable("falconctl gave no rfm-state".into());
    };
    run.fact("falcon.reduced_functionality_mode", rfm.to_string());
    match processes(run, &["-l", "falcon-sensor"]) {
        Err(why) => ProductState::Unreadable(why),
        Ok(names) if names.is_empty() => {
            ProductState::NotProtecting("the falcon-sensor process is not running".into())
        }
        Ok(_) if rfm => {
            ProductState::NotProtecting("the sensor is in Reduced Functionality Mode".into())
        }
        Ok(_) => {
            ProductState::Protecting("sensor running, not in Reduced Functionality Mode".into())
        }
    }
}

fn sentinelone(run: &mut ProbeRun<'_>) -> ProductState {
    let obs = run
        .run(CommandSpec::new("/opt/sentinelone/bin/sentinelctl", ["version"]).deadline(DEADLINE));
    if missing(&obs) {
        return ProductState::Absent;
    }
    if obs.succeeded() {
        run.fact("sentinelone.version", obs.stdout.trim().to_string());
    }
    match processes(run, &["-l", "-x", "s1-agent"]) {
        Err(why) => ProductState::Unreadable(why),
        Ok(names) if names.is_empty() => {
            ProductState::NotProtecting("the s1-agent process is not running".into())
        }
        Ok(_) => ProductState::Protecting("s1-agent running".into()),
    }
}
