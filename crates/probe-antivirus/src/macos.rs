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
//! | Apple XProtect + Gatekeeper | XProtect's data reports a version, `spctl --status` says `assessments enabled`, and (macOS 15 and later) `xprotect status` reports neither scan mode disabled |
//!
//! One `launchctl list` (kept in the evidence only for the catalogue's labels) shows which
//! launchd jobs run.
//!
//! XProtect's version is read where the OS uses it. macOS 15 and later load XProtect's rules
//! from `/var/protected/xprotect/XProtect.bundle`, updated over iCloud outside Software
//! Update; the older copy in `/Library/Apple/System/Library/CoreServices/XProtect.bundle` is
//! still what Software Update installs, and the only one on macOS 14 and earlier. So the
//! version in use is the `/var/protected` bundle's, else what `xprotect version` (macOS 15
//! and later) reports, else the CoreServices bundle's; all three are recorded, with XProtect
//! Remediator's version (`XProtect.app`, still updated by Software Update). Where
//! `/usr/bin/xprotect` is absent (macOS 14 and earlier) that is a fact, not a failure.
//!
//! Gatekeeper is the switch a person can turn off (`spctl --master-disable`), and on macOS 15
//! and later `xprotect status` reports XProtect's launch and background scans, which CIS and
//! the macOS Security Compliance Project require both enabled; either off decides. The rules
//! are [`crate::policy::conclude_macos`]'s.

use crate::parse::macos::{
    XprotectCliVersion, XprotectStatus, defaults_says_absent, parse_gatekeeper,
    parse_xprotect_status, parse_xprotect_version,
};
use crate::policy;
use crate::products::{self, ProductRead};
use devidence_core::{CommandSpec, Observation, Os, Outcome, ProbeRun};
use std::time::Duration;

const DEADLINE: Duration = Duration::from_secs(15);

/// Where XProtect lives since macOS 10.15 (earlier: under `/System/Library/CoreServices`);
/// what Software Update installs, and what macOS 14 and earlier use.
pub const XPROTECT_INFO_PLIST: &str =
    "/Library/Apple/System/Library/CoreServices/XProtect.bundle/Contents/Info.plist";

/// The bundle macOS 15 and later load XProtect's rules from (updated outside Software Update).
pub const VAR_PROTECTED_INFO_PLIST: &str =
    "/var/protected/xprotect/XProtect.bundle/Contents/Info.plist";

/// XProtect Remediator (`XProtect.app`), macOS 10.15 and later.
pub const REMEDIATOR_INFO_PLIST: &str =
    "/Library/Apple/System/Library/CoreServices/XProtect.app/Contents/Info.plist";

/// XProtect's own command, macOS 15 and later.
pub const XPROTECT_CLI: &str = "/usr/bin/xprotect";

/// `spctl --status`: Gatekeeper's global switch.
pub fn gatekeeper_command() -> CommandSpec {
    CommandSpec::new("/usr/sbin/spctl", ["--status"]).deadline(DEADLINE)
}

/// `defaults read <plist> CFBundleShortVersionString`: a bundle's version.
fn bundle_version_command(plist: &str) -> CommandSpec {
    CommandSpec::new(
        "/usr/bin/defaults",
        ["read", plist, "CFBundleShortVersionString"],
    )
    .deadline(DEADLINE)
}

/// The CoreServices XProtect bundle's version (`defaults read …/Info.plist
/// CFBundleShortVersionString`).
pub fn xprotect_version_command() -> CommandSpec {
    bundle_version_command(XPROTECT_INFO_PLIST)
}

/// The `/var/protected/xprotect` bundle's version (macOS 15 and later).
pub fn var_protected_version_command() -> CommandSpec {
    bundle_version_command(VAR_PROTECTED_INFO_PLIST)
}

/// XProtect Remediator's version.
pub fn remediator_version_command() -> CommandSpec {
    bundle_version_command(REMEDIATOR_INFO_PLIST)
}

/// `xprotect version`: the installed XProtect data version and its install date (no network).
pub fn xprotect_cli_version_command() -> CommandSpec {
    CommandSpec::new(XPROTECT_CLI, ["version"]).deadline(DEADLINE)
}

/// `xprotect status`: whether XProtect's launch and background scans are enabled.
pub fn xprotect_status_command() -> CommandSpec {
    CommandSpec::new(XPROTECT_CLI, ["status"]).deadline(DEADLINE)
}

/// Defender's health (`mdatp health`, default text output): the catalogue's command.
pub fn mdatp_health_command() -> CommandSpec {
    crate::catalog::status_command(Os::Macos, "Microsoft Defender for Endpoint")
}

/// CrowdStrike Falcon's sensor statistics (needs root, which the agent has).
pub fn falcon_stats_command() -> CommandSpec {
    crate::catalog::status_command(Os::Macos, "CrowdStrike Falcon")
}

/// One bundle's `CFBundleShortVersionString`, as `defaults read` answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BundleVersion {
    /// The version printed.
    Read(String),
    /// `defaults` says the Info.plist (or its key) does not exist.
    Absent,
    /// Why it could not be read.
    Unreadable(String),
}

/// What XProtect's own command (`/usr/bin/xprotect`, macOS 15 and later) answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CliRead<T> {
    /// The command is not on this Mac (macOS 14 and earlier).
    Absent,
    /// Its answer.
    Read(T),
    /// Why its answer could not be read.
    Unreadable(String),
}

/// Everything read about Apple's XProtect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Xprotect {
    /// The `/var/protected/xprotect` bundle (macOS 15 and later load it).
    pub var_protected: BundleVersion,
    /// The CoreServices bundle (Software Update's copy; the one in use on macOS 14 and earlier).
    pub core_services: BundleVersion,
    /// `xprotect version`.
    pub cli_version: CliRead<XprotectCliVersion>,
    /// `xprotect status`.
    pub cli_status: CliRead<XprotectStatus>,
    /// XProtect Remediator's `XProtect.app` (recorded, not counted).
    pub remediator: BundleVersion,
}

/// What the macOS plan read.
#[derive(Clone, Debug)]
pub struct Facts {
    /// Every catalogue product for macOS, in table order.
    pub products: Vec<ProductRead>,
    /// XProtect's bundles, its command's answers and XProtect Remediator's version.
    pub xprotect: Xprotect,
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
    let xprotect = read_xprotect(run);
    let gatekeeper = read_gatekeeper(run);
    let facts = Facts {
        products,
        xprotect,
        gatekeeper,
    };
    products::record_states(run, &policy::conclude_macos_products(&facts));
    facts
}

/// Reads XProtect's two bundles, its command's `version` and `status`, and XProtect
/// Remediator's version, and records each, then the version in use and where it came from.
fn read_xprotect(run: &mut ProbeRun<'_>) -> Xprotect {
    let var_protected = read_bundle(run, var_protected_version_command());
    record_bundle(run, "xprotect.bundle.var_protected", &var_protected);
    let core_services = read_bundle(run, xprotect_version_command());
    record_bundle(run, "xprotect.bundle.core_services", &core_services);
    let cli_version = read_cli(run, xprotect_cli_version_command(), |text| {
        parse_xprotect_version(text).ok_or_else(|| {
            format!(
                "`xprotect version` printed no `Version:` ({})",
                excerpt(text)
            )
        })
    });
    match &cli_version {
        CliRead::Read(v) => {
            run.fact("xprotect.cli.version", v.version.clone());
            if let Some(at) = &v.installed {
                run.fact("xprotect.cli.installed", at.clone());
            }
        }
        other => record_cli_gap(run, "xprotect.cli.version", other),
    }
    // The same program: when `xprotect version` found none, `status` is not run.
    let cli_status = match cli_version {
        CliRead::Absent => CliRead::Absent,
        _ => read_cli(run, xprotect_status_command(), |text| {
            Ok(parse_xprotect_status(text))
        }),
    };
    match &cli_status {
        CliRead::Read(status) => {
            for (key, line, value) in [
                ("xprotect.launch_scans", "launch", status.launch_scans),
                (
                    "xprotect.background_scans",
                    "background",
                    status.background_scans,
                ),
            ] {
                let value = match value {
                    Some(true) => "enabled".to_string(),
                    Some(false) => "disabled".to_string(),
                    None => format!(
                        "unknown: `xprotect status` printed no `XProtect {line} scans: enabled|disabled` line"
                    ),
                };
                run.fact(key, value);
            }
        }
        other => {
            record_cli_gap(run, "xprotect.launch_scans", other);
            record_cli_gap(run, "xprotect.background_scans", other);
        }
    }
    let remediator = read_bundle(run, remediator_version_command());
    record_bundle(run, "xprotect_remediator.version", &remediator);
    let xprotect = Xprotect {
        var_protected,
        core_services,
        cli_version,
        cli_status,
        remediator,
    };
    match policy::xprotect_in_use(&xprotect) {
        Ok((version, from)) => {
            run.fact("xprotect.version", version);
            run.fact("xprotect.in_use", from);
        }
        Err(why) => {
            run.fact("xprotect.version", format!("unknown: {why}"));
            run.fact("xprotect.in_use", format!("unknown: {why}"));
        }
    }
    xprotect
}

/// Runs one `defaults read <Info.plist> CFBundleShortVersionString`.
fn read_bundle(run: &mut ProbeRun<'_>, command: CommandSpec) -> BundleVersion {
    let obs = run.run(command);
    if obs.succeeded() {
        let version = obs.stdout.trim();
        return if version.is_empty() {
            BundleVersion::Unreadable(format!("`{}` printed nothing", obs.source))
        } else {
            BundleVersion::Read(version.to_string())
        };
    }
    if obs.outcome == Outcome::Completed && defaults_says_absent(&obs.stderr) {
        return BundleVersion::Absent;
    }
    BundleVersion::Unreadable(obs.failure_reason())
}

/// Records one bundle's version (or `absent`, or `unknown: why`).
fn record_bundle(run: &mut ProbeRun<'_>, key: &str, bundle: &BundleVersion) {
    let value = match bundle {
        BundleVersion::Read(v) => v.clone(),
        BundleVersion::Absent => "absent (its Info.plist does not exist)".to_string(),
        BundleVersion::Unreadable(why) => format!("unknown: {why}"),
    };
    run.fact(key, value);
}

/// Runs one `xprotect` subcommand: absent when the program is not there.
fn read_cli<T>(
    run: &mut ProbeRun<'_>,
    command: CommandSpec,
    parse: impl Fn(&str) -> Result<T, String>,
) -> CliRead<T> {
    let obs: Observation = run.run(command);
    if obs.outcome == Outcome::NotFound {
        return CliRead::Absent;
    }
    if !obs.succeeded() {
        return CliRead::Unreadable(obs.failure_reason());
    }
    match parse(&obs.stdout) {
        Ok(read) => CliRead::Read(read),
        Err(why) => CliRead::Unreadable(why),
    }
}

/// Records an `xprotect` answer that is absent or unreadable.
fn record_cli_gap<T>(run: &mut ProbeRun<'_>, key: &str, read: &CliRead<T>) {
    match read {
        CliRead::Read(_) => {}
        CliRead::Absent => run.fact(
            key,
            format!("absent: {XPROTECT_CLI} is not on this Mac (it ships with macOS 15 and later)"),
        ),
        CliRead::Unreadable(why) => run.fact(key, format!("unknown: {why}")),
    }
}

/// The start of an output, for a reason.
fn excerpt(text: &str) -> String {
    let text = text.trim();
    let cut: String = text.chars().take(80).collect();
    if cut.len() < text.len() {
        format!("`{cut}…`")
    } else {
        format!("`{cut}`")
    }
}

/// Reads Gatekeeper's switch and records it.
fn read_gatekeeper(run: &mut ProbeRun<'_>) -> Result<bool, String> {
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
    gatekeeper
}
