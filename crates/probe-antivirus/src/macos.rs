//! The macOS plan: every catalogue product ([`crate::catalog`]) by its status tool, launchd
//! label and install folder, then Apple's built-in protection.
//!
//! | product | protecting when |
//! |---|---|
//! | Microsoft Defender for Endpoint | `mdatp health`: real-time protection on and available, healthy, definitions up to date |
//! | CrowdStrike Falcon | `falconctl stats`: `Sensor operational: true` |
//! | SentinelOne | `sentinelctl status`: agent operational state enabled, `Protection: enabled`, `Ready: yes` |
//! | Carbon Black Cloud | `repcli status`: sensor `State: Enabled` |
//! | Cortex XDR | `cytool runtime query`: every component Running or Loaded |
//! | others in the catalogue | their launchd job running (no local status tool is read) |
//! | Apple XProtect + Gatekeeper | the XProtect bundle reports a version and `spctl --status` says `assessments enabled` |
//!
//! One `launchctl list` (kept in the evidence only for the catalogue's labels) shows which
//! launchd jobs run.
//!
//! XProtect scans every app on first launch and cannot be switched off short of disabling
//! System Integrity Protection, so its bundle version proves it is there; Gatekeeper is the
//! switch a person can turn off (`spctl --master-disable`), so it decides. The rules are
//! [`crate::policy::conclude_macos`]'s.

use crate::parse::macos::parse_gatekeeper;
use crate::policy;
use crate::products::{self, ProductRead};
use devidence_core::{CommandSpec, Os, ProbeRun};
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

/// Defender's health (`mdatp health`, default text output): the catalogue's command.
pub fn mdatp_health_command() -> CommandSpec {
    crate::catalog::status_command(Os::Macos, "Microsoft Defender for Endpoint")
}

/// CrowdStrike Falcon's sensor statistics (needs root, which the agent has).
pub fn falcon_stats_command() -> CommandSpec {
    crate::catalog::status_command(Os::Macos, "CrowdStrike Falcon")
}

/// What the macOS plan read.
#[derive(Clone, Debug)]
pub struct Facts {
    /// Every catalogue product for macOS, in table order.
    pub products: Vec<ProductRead>,
    /// The XProtect definitions version, or why it could not be read.
    pub xprotect: Result<String, String>,
    /// Gatekeeper's assessments switch (`spctl --status`), or why it could not be read.
    pub gatekeeper: Result<bool, String>,
}

/// Runs the macOS plan: the launchd job list, every catalogue product, then Apple's built-in
/// protection; records each product's state as a fact.
pub fn gather(run: &mut ProbeRun<'_>) -> Facts {
    let labels = crate::catalog::services_for(Os::Macos, &[]);
    let jobs = crate::services::read(run, &labels);
    if let Err(why) = &jobs {
        run.fact("services", format!("unknown: {why}"));
    }
    let products = crate::catalog::for_os(Os::Macos)
        .map(|product| products::read_product(run, product, &jobs))
        .collect();
    let (xprotect, gatekeeper) = read_built_in(run);
    let facts = Facts {
        products,
        xprotect,
        gatekeeper,
    };
    products::record_states(run, &policy::conclude_macos_products(&facts));
    facts
}

/// Reads the XProtect version and Gatekeeper's switch, and records them.
fn read_built_in(run: &mut ProbeRun<'_>) -> (Result<String, String>, Result<bool, String>) {
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
    (xprotect, gatekeeper)
}
