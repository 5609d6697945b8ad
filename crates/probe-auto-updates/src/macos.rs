//! The macOS plan: the Software Update settings behind System Settings > General > Software
//! Update > Automatic Updates, each taken from the strongest source that sets it.
//!
//! | preference | toggle | DDM (`AutomaticActions`) | required |
//! |---|---|---|---|
//! | `AutomaticCheckEnabled` | Check for updates | (persisted `automaticallyCheck` only) | yes |
//! | `AutomaticDownload` | Download new updates when available | `Download` | yes |
//! | `CriticalUpdateInstall` | Install Security Responses and system files | `InstallSecurityUpdate` | yes |
//! | `ConfigDataInstall` | (XProtect, Gatekeeper and MRT data) | — | yes |
//! | `AutomaticallyInstallMacOSUpdates` | Install macOS updates | `InstallOSUpdates` | recorded, not required |
//!
//! Sources, strongest first:
//! 1. the `com.apple.configuration.softwareupdate.settings` declaration (DDM, macOS 15+, on a
//!    supervised Mac), whose effective values Software Update keeps in [`DDM_STATE_PLIST`]
//!    (root only). `AlwaysOn` is stored as 1, `AlwaysOff` as 0, `Allowed` as nothing (the
//!    person decides, so the sources below apply). A missing file means no declaration reached
//!    the Mac: a fact, not a failure. An unreadable one leaves every DDM-settable toggle unknown;
//! 2. the legacy `com.apple.SoftwareUpdate` configuration profile ([`MANAGED_PLIST`]): Apple
//!    deprecates it in macOS 26 (still applied, recorded as deprecated) and lists it as removed
//!    after; on a later macOS its value no longer decides, and where it disagrees with what does
//!    the toggle is unknown;
//! 3. the local preferences ([`LOCAL_PLIST`]);
//! 4. the macOS default, which Apple documents as on for each of them.
//!
//! `sw_vers -productVersion` says which macOS this is (unknown: the profile counts as before);
//! `softwareupdate -l` lists pending updates for the evidence.

use crate::parse::macos::{
    DDM_FIELDS, PendingUpdates, file_missing, parse_ddm_state, parse_pending_updates,
    parse_preferences, parse_product_version,
};
use crate::policy::{LegacyProfile, effective, layers};
use devidence_core::{CommandSpec, Outcome, ProbeRun};
use std::collections::BTreeMap;
use std::time::Duration;

/// The local Software Update preferences.
pub const LOCAL_PLIST: &str = "/Library/Preferences/com.apple.SoftwareUpdate.plist";
/// The preferences a configuration profile manages.
pub const MANAGED_PLIST: &str = "/Library/Managed Preferences/com.apple.SoftwareUpdate.plist";
/// Where Software Update keeps the declarations DDM gave it and their global settings.
pub const DDM_STATE_DIR: &str = "/var/db/softwareupdate";
/// The DDM state file in [`DDM_STATE_DIR`].
pub const DDM_STATE_FILE: &str = "SoftwareUpdateDDMStatePersistence.plist";
/// [`DDM_STATE_DIR`]/[`DDM_STATE_FILE`].
pub const DDM_STATE_PLIST: &str = "/var/db/softwareupdate/SoftwareUpdateDDMStatePersistence.plist";

/// The keys that must be on, with what each toggle is called in System Settings.
pub const REQUIRED: &[(&str, &str)] = &[
    ("AutomaticCheckEnabled", "check for updates"),
    ("AutomaticDownload", "download new updates"),
    (
        "CriticalUpdateInstall",
        "install Security Responses and system files",
    ),
    ("ConfigDataInstall", "install XProtect and Gatekeeper data"),
];

/// Recorded but not required: installing macOS point updates unattended restarts the Mac.
pub const MACOS_INSTALL_KEY: &str = "AutomaticallyInstallMacOSUpdates";

/// `plutil -convert xml1 -o - FILE`: a (binary) preferences file printed as XML.
pub fn plist_as_xml_command(path: &str) -> CommandSpec {
    CommandSpec::new("/usr/bin/plutil", ["-convert", "xml1", "-o", "-", path])
}

/// `sw_vers -productVersion`: the macOS version, e.g. `15.1`.
pub fn product_version_command() -> CommandSpec {
    CommandSpec::new("/usr/bin/sw_vers", ["-productVersion"])
}

/// `softwareupdate -l`: asks Apple's catalog for pending updates (network; can be slow).
pub fn pending_updates_command() -> CommandSpec {
    CommandSpec::new("/usr/sbin/softwareupdate", ["-l"]).deadline(Duration::from_secs(120))
}

fn read_domain(
    run: &mut ProbeRun<'_>,
    path: &str,
    what: &str,
) -> Result<BTreeMap<String, bool>, String> {
    let obs = run.run(plist_as_xml_command(path));
    if obs.succeeded() {
        parse_preferences(&obs.stdout).map_err(|e| format!("{what}: {e}"))
    } else if obs.outcome == Outcome::Completed
        && file_missing(&format!("{}{}", obs.stdout, obs.stderr))
    {
        Ok(BTreeMap::new())
    } else {
        Err(format!("{what}: {}", obs.failure_reason()))
    }
}

/// What the DDM state file held.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DdmState {
    /// The file does not exist: no declaration has reached this Mac.
    Absent,
    /// The enforced global settings, keyed by their persisted name (`automaticallyDownload` →
    /// on); empty when the declarations set none of them.
    Settings(BTreeMap<String, bool>),
}

/// Reads the DDM state. `plutil` says the same words for a missing and an unreadable file, so
/// a failure is told apart by listing the folder: the file not there is [`DdmState::Absent`].
fn read_ddm(run: &mut ProbeRun<'_>) -> Result<DdmState, String> {
    let what = "the DDM software update state";
    let obs = run.run(plist_as_xml_command(DDM_STATE_PLIST));
    if obs.succeeded() {
        return parse_ddm_state(&obs.stdout)
            .map(DdmState::Settings)
            .map_err(|e| format!("{what}: {e}"));
    }
    if !(obs.outcome == Outcome::Completed
        && file_missing(&format!("{}{}", obs.stdout, obs.stderr)))
    {
        return Err(format!("{what}: {}", obs.failure_reason()));
    }
    let listing = run.list_dir(DDM_STATE_DIR);
    if listing.outcome == Outcome::NotFound {
        return Ok(DdmState::Absent);
    }
    if !listing.succeeded() {
        return Err(format!("{what}: {}", listing.failure_reason()));
    }
    if listing.lines().iter().any(|l| l.trim() == DDM_STATE_FILE) {
        Err(format!(
            "{what}: {DDM_STATE_PLIST} exists but plutil could not read it"
        ))
    } else {
        Ok(DdmState::Absent)
    }
}

/// What the macOS plan read: the macOS version, the DDM state and each preferences domain's
/// booleans (empty when the file does not exist), or why each could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Facts {
    /// (major, minor) from `sw_vers`; `None` when it could not be read.
    pub version: Option<(u32, u32)>,
    /// [`DDM_STATE_PLIST`].
    pub ddm: Result<DdmState, String>,
    /// `/Library/Preferences/com.apple.SoftwareUpdate.plist`.
    pub local: Result<BTreeMap<String, bool>, String>,
    /// `/Library/Managed Preferences/com.apple.SoftwareUpdate.plist` (a configuration profile).
    pub managed: Result<BTreeMap<String, bool>, String>,
}

fn on_off(value: bool) -> &'static str {
    if value { "on" } else { "off" }
}

fn record_version(run: &mut ProbeRun<'_>) -> Option<(u32, u32)> {
    let obs = run.run(product_version_command());
    let version = obs
        .succeeded()
        .then(|| parse_product_version(&obs.stdout))
        .flatten();
    match version {
        Some(_) => run.fact("macos_version", obs.stdout.trim().to_string()),
        None if obs.succeeded() => run.fact(
            "macos_version",
            format!("unknown: sw_vers printed `{}`", obs.stdout.trim()),
        ),
        None => run.fact(
            "macos_version",
            format!("unknown: {}", obs.failure_reason()),
        ),
    }
    version
}

fn record_ddm(run: &mut ProbeRun<'_>, ddm: &Result<DdmState, String>) {
    let text = match ddm {
        Ok(DdmState::Absent) => {
            format!("none: {DDM_STATE_PLIST} does not exist (no DDM declaration on this Mac)")
        }
        Ok(DdmState::Settings(s)) if s.is_empty() => {
            "no software update settings declared (every toggle is the person's choice)".into()
        }
        Ok(DdmState::Settings(s)) => DDM_FIELDS
            .iter()
            .filter_map(|f| {
                s.get(f.persisted).map(|v| {
                    let word = if *v { "AlwaysOn" } else { "AlwaysOff" };
                    format!("{}={} ({word})", f.persisted, u8::from(*v))
                })
            })
            .collect::<Vec<_>>()
            .join(", "),
        Err(why) => format!("unreadable: {why}"),
    };
    run.fact("ddm.softwareupdate_settings", text);
}

fn record_pending(run: &mut ProbeRun<'_>) {
    let pending = run.run(pending_updates_command());
    let pending_text = format!("{}\n{}", pending.stdout, pending.stderr);
    match parse_pending_updates(&pending_text) {
        Some(PendingUpdates::None) => run.fact("pending_updates", "none"),
        Some(PendingUpdates::Some(labels)) => run.fact(
            "pending_updates",
            format!("{}: {}", labels.len(), labels.join(", ")),
        ),
        None => run.fact(
            "pending_updates",
            format!(
                "unknown: {}",
                if pending.succeeded() {
                    "softwareupdate printed no list".to_string()
                } else {
                    pending.failure_reason()
                }
            ),
        ),
    }
}

/// Reads the macOS version, the DDM state, both preferences domains and the pending updates,
/// recording every fact and each setting's effective value with the source that decided it.
pub fn gather(run: &mut ProbeRun<'_>) -> Facts {
    let version = record_version(run);
    let ddm = read_ddm(run);
    record_ddm(run, &ddm);
    let local = read_domain(run, LOCAL_PLIST, "local Software Update preferences");
    let managed = read_domain(run, MANAGED_PLIST, "managed Software Update preferences");
    record_pending(run);
    let facts = Facts {
        version,
        ddm,
        local,
        managed,
    };
    if let Ok(layers) = layers(&facts) {
        if !layers.managed.is_empty() {
            match layers.profile {
                LegacyProfile::Honoured => {}
                LegacyProfile::Deprecated => run.fact(
                    "managed_profile",
                    "com.apple.SoftwareUpdate profile present: deprecated in macOS 26, still applied",
                ),
                LegacyProfile::Removed => run.fact(
                    "managed_profile",
                    "com.apple.SoftwareUpdate profile present: removed after macOS 26, not counted",
                ),
                LegacyProfile::Unsure => run.fact(
                    "managed_profile",
                    "com.apple.SoftwareUpdate profile present: counted only where it agrees, as the macOS version (removed after 26) could not be read",
                ),
            }
        }
        for (key, _) in REQUIRED
            .iter()
            .chain(std::iter::once(&(MACOS_INSTALL_KEY, "")))
        {
            let text = match effective(key, &layers) {
                Ok((value, source)) => format!("{} ({})", on_off(value), source.describe()),
                Err(why) => format!("unknown: {why}"),
            };
            run.fact(format!("setting.{key}"), text);
        }
    }
    facts
}
