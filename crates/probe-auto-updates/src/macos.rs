//! The macOS plan: the Software Update preferences behind System Settings > General >
//! Software Update > Automatic Updates, with MDM-managed values taking precedence.
//!
//! | key | toggle | required |
//! |---|---|---|
//! | `AutomaticCheckEnabled` | Check for updates | yes |
//! | `AutomaticDownload` | Download new updates when available | yes |
//! | `CriticalUpdateInstall` | Install Security Responses and system files | yes |
//! | `ConfigDataInstall` | (XProtect, Gatekeeper and MRT data) | yes |
//! | `AutomaticallyInstallMacOSUpdates` | Install macOS updates | recorded, not required |
//!
//! An absent key means the macOS default, which Apple documents as on for each of them. A
//! managed value (`/Library/Managed Preferences/com.apple.SoftwareUpdate.plist`, written by a
//! configuration profile) overrides the local one and cannot be changed by the person; the
//! facts say which applied. `softwareupdate -l` lists pending updates for the evidence.

use crate::parse::macos::{PendingUpdates, file_missing, parse_pending_updates, parse_preferences};
use crate::policy::{Source, effective};
use devidence_core::{CommandSpec, ProbeRun};
use std::collections::BTreeMap;
use std::time::Duration;

/// The local Software Update preferences.
pub const LOCAL_PLIST: &str = "/Library/Preferences/com.apple.SoftwareUpdate.plist";
/// The preferences a configuration profile manages.
pub const MANAGED_PLIST: &str = "/Library/Managed Preferences/com.apple.SoftwareUpdate.plist";

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
    } else if obs.outcome == devidence_core::Outcome::Completed
        && file_missing(&format!("{}{}", obs.stdout, obs.stderr))
    {
        Ok(BTreeMap::new())
    } else {
        Err(format!("{what}: {}", obs.failure_reason()))
    }
}

/// What the macOS plan read: each preferences domain's booleans (empty when the file does not
/// exist), or why it could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Facts {
    /// `/Library/Preferences/com.apple.SoftwareUpdate.plist`.
    pub local: Result<BTreeMap<String, bool>, String>,
    /// `/Library/Managed Preferences/com.apple.SoftwareUpdate.plist` (a configuration profile).
    pub managed: Result<BTreeMap<String, bool>, String>,
}

/// Reads both preferences domains and the pending updates, recording every fact.
pub fn gather(run: &mut ProbeRun<'_>) -> Facts {
    let local = read_domain(run, LOCAL_PLIST, "local Software Update preferences");
    let managed = read_domain(run, MANAGED_PLIST, "managed Software Update preferences");
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
    if let (Ok(local), Ok(managed)) = (&local, &managed) {
        for (key, _) in REQUIRED
            .iter()
            .chain(std::iter::once(&(MACOS_INSTALL_KEY, "")))
        {
            let (value, source) = effective(key, managed, local);
            let from = match source {
                Source::Managed => "configuration profile",
                Source::Local => "local preference",
                Source::Default => "not set: macOS default",
            };
            run.fact(
                format!("setting.{key}"),
                format!("{} ({from})", if value { "on" } else { "off" }),
            );
        }
    }
    Facts { local, managed }
}
