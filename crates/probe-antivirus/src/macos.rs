//! The macOS plan: Apple's built-in protection and the third-party products that replace or
//! add to it.
//!
//! | product | installed when | protecting when |
//! |---|---|---|
//! | Apple XProtect + Gatekeeper | the XProtect bundle reports a version | `spctl --status` says `assessments enabled` |
//! | Microsoft Defender for Endpoint | `mdatp` present | real-time protection on and available, healthy, definitions up to date |
//! | CrowdStrike Falcon | `falconctl` present | `falconctl stats` says `Sensor operational: true` |
//!
//! XProtect scans every app on first launch and cannot be switched off short of disabling
//! System Integrity Protection, so its bundle version proves it is there; Gatekeeper is the
//! switch a person can turn off (`spctl --master-disable`), so it decides.

use crate::ProductState;
use crate::parse;
use devidence_core::{CommandSpec, Outcome, ProbeRun};
use std::time::Duration;

const DEADLINE: Duration = Duration::from_secs(15);

/// Where XProtect lives since macOS 10.15 (earlier: under `/System/Library/CoreServices`).
pub const XPROTECT_INFO_PLIST: &str =
    "/Library/Apple/System/Library/CoreServices/XProtect.bundle/Contents/Info.plist";

/// `spctl --status`: Gatekeeper's global switch.
pub fn gatekeeper_command() -> CommandSpec {
    CommandSpec::new("/usr/sbin/spctl", ["--status"]).deadline(DEADLINE)
}

/// The XProtect definitions version (`defaults read …/Info.plist CFBundleShortVersionString`).
pub fn xprotect_version_command() -> CommandSpec {
    CommandSpec::new(
        "/usr/bin/defaults",
        ["read", XPROTECT_INFO_PLIST, "CFBundleShortVersionString"],
    )
    .deadline(DEADLINE)
}

/// Defender's health (`mdatp health`, default text output).
pub fn mdatp_health_command() -> CommandSpec {
    CommandSpec::new("/usr/local/bin/mdatp", ["health"]).deadline(DEADLINE)
}

/// CrowdStrike Falcon's sensor statistics (needs root, which the agent has).
pub fn falcon_stats_command() -> CommandSpec {
    CommandSpec::new(
        "/Applications/Falcon.app/Contents/Resources/falconctl",
        ["stats"],
    )
    .deadline(DEADLINE)
}

/// Runs the macOS plan; returns each product's state, in a fixed order.
pub fn check(run: &mut ProbeRun<'_>) -> Vec<(&'static str, ProductState)> {
    let products = vec![
        ("Microsoft Defender for Endpoint", {
            let obs = run.run(mdatp_health_command());
            crate::defender::judge(run, &obs)
        }),
        ("CrowdStrike Falcon", falcon(run)),
        ("Apple XProtect with Gatekeeper", built_in(run)),
    ];
    crate::record_products(run, &products);
    products
}

/// Reads `spctl --status`: `Some(true)` for `assessments enabled`.
pub fn parse_gatekeeper(text: &str) -> Option<bool> {
    match text.trim() {
        "assessments enabled" => Some(true),
        "assessments disabled" => Some(false),
        _ => None,
    }
}

fn built_in(run: &mut ProbeRun<'_>) -> ProductState {
    let version = run.run(xprotect_version_command());
    let xprotect = if version.succeeded() && !version.stdout.trim().is_empty() {
        let v = version.stdout.trim().to_string();
        run.fact("xprotect.version", v.clone());
        Ok(v)
    } else {
        run.fact(
            "xprotect.version",
            format!("unknown: {}", version.failure_reason()),
        );
        Err(version.failure_reason())
    };
    let spctl = run.run(gatekeeper_command());
    let gatekeeper = if spctl.succeeded() {
        parse_gatekeeper(&spctl.stdout).ok_or_else(|| {
            format!(
                "spctl printed `{}`, neither `assessments enabled` nor `assessments disabled`",
                spctl.stdout.trim()
            )
        })
    } else {
        Err(spctl.failure_reason())
    };
    match &gatekeeper {
        Ok(on) => run.fact("gatekeeper.assessments_enabled", on.to_string()),
        Err(why) => run.fact("gatekeeper.assessments_enabled", format!("unknown: {why}")),
    }
    match (gatekeeper, xprotect) {
        (Ok(false), _) => ProductState::NotProtecting(
            "Gatekeeper is off (`spctl --status`: assessments disabled), so apps are not checked before they run".into(),
        ),
        (Ok(true), Ok(v)) => ProductState::Protecting(format!(
            "XProtect definitions {v}, Gatekeeper assessments enabled"
        )),
        (Ok(true), Err(why)) => ProductState::Unreadable(format!(
            "Gatekeeper is on but the XProtect version could not be read: {why}"
        )),
        (Err(why), _) => ProductState::Unreadable(why),
    }
}

fn falcon(run: &mut ProbeRun<'_>) -> ProductState {
    let obs = run.run(falcon_stats_command());
    if obs.outcome == Outcome::NotFound {
        return ProductState::Absent;
    }
    if !obs.succeeded() {
        return ProductState::Unreadable(obs.failure_reason());
    }
    let stats = parse::falcon_stats(&obs.stdout);
    if let Some(v) = &stats.version {
        run.fact("falcon.version", v.clone());
    }
    if let Some(state) = &stats.cloud_state {
        run.fact("falcon.cloud_state", state.clone());
    }
    match stats.operational {
        Some(true) => ProductState::Protecting(match &stats.cloud_state {
            Some(state) => format!("sensor operational, cloud {state}"),
            None => "sensor operational".into(),
        }),
        Some(false) => {
            ProductState::NotProtecting("falconctl reports the sensor not operational".into())
        }
        None => {
            ProductState::Unreadable("falconctl stats printed no `Sensor operational` line".into())
        }
    }
}
