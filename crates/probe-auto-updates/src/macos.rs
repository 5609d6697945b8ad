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

use crate::policy::{Check, decide};
use devidence_core::macos::{parse_plist, plist_bool};
use devidence_core::{CommandSpec, Control, Finding, ProbeRun};
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

/// Reads a property list (XML from `plutil`, or the ASCII form `defaults read` prints) into its
/// top-level booleans. Keys that are not booleans are left out.
pub fn parse_preferences(text: &str) -> Result<BTreeMap<String, bool>, String> {
    let value = parse_plist(text)?;
    let dict = value
        .as_dictionary()
        .ok_or("the preferences are not a dictionary")?;
    Ok(dict
        .iter()
        .filter_map(|(k, v)| plist_bool(v).map(|b| (k.clone(), b)))
        .collect())
}

/// True when `plutil` (or `defaults`) said the file or domain does not exist: no preferences
/// were ever written, or no profile manages them.
pub fn file_missing(output: &str) -> bool {
    output.contains("does not exist") || output.contains("No such file")
}

/// What `softwareupdate -l` reported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PendingUpdates {
    /// `No new software available.`
    None,
    /// The labels of the updates listed (`* Label: …` on macOS 10.15+, `* …` before).
    Some(Vec<String>),
}

/// Parses `softwareupdate -l` (stdout and stderr together: it prints "No new software
/// available." on stderr). `None` when neither form is present.
pub fn parse_pending_updates(text: &str) -> Option<PendingUpdates> {
    if text.contains("No new software available") {
        return Some(PendingUpdates::None);
    }
    let labels: Vec<String> = text
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("* "))
        .map(|l| l.trim_start_matches("Label:").trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    if labels.is_empty() {
        None
    } else {
        Some(PendingUpdates::Some(labels))
    }
}

/// Where one key's effective value came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// A configuration profile (MDM).
    Managed,
    /// `/Library/Preferences`.
    Local,
    /// Not written anywhere: the macOS default.
    Default,
}

/// The effective value of `key`: managed over local over the default (on).
pub fn effective(
    key: &str,
    managed: &BTreeMap<String, bool>,
    local: &BTreeMap<String, bool>,
) -> (bool, Source) {
    if let Some(v) = managed.get(key) {
        (*v, Source::Managed)
    } else if let Some(v) = local.get(key) {
        (*v, Source::Local)
    } else {
        (true, Source::Default)
    }
}

/// The checks for the required keys.
pub fn checks(managed: &BTreeMap<String, bool>, local: &BTreeMap<String, bool>) -> Vec<Check> {
    REQUIRED
        .iter()
        .map(|(key, toggle)| match effective(key, managed, local) {
            (true, _) => Check::Ok(format!("{toggle} is on")),
            (false, Source::Managed) => Check::Fail {
                reason: format!("a configuration profile turns off \"{toggle}\" ({key})"),
                remedy: format!("Ask IT to set {key} to true in the Software Update payload of the Mac's configuration profile."),
            },
            (false, _) => Check::Fail {
                reason: format!("\"{toggle}\" is off ({key})"),
                remedy: "Turn on every option under System Settings > General > Software Update > Automatic Updates (or run `sudo defaults write /Library/Preferences/com.apple.SoftwareUpdate KEY -bool true` for each key that is off).".into(),
            },
        })
        .collect()
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

pub(crate) fn plan(mut run: ProbeRun<'_>) -> Finding {
    let local = read_domain(&mut run, LOCAL_PLIST, "local Software Update preferences");
    let managed = read_domain(
        &mut run,
        MANAGED_PLIST,
        "managed Software Update preferences",
    );
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
    let decision = match (&local, &managed) {
        (Ok(local), Ok(managed)) => {
            for (key, _) in REQUIRED.iter().chain(std::iter::once(&(MACOS_INSTALL_KEY, ""))) {
                let (value, source) = effective(key, managed, local);
                let from = match source {
                    Source::Managed => "configuration profile",
                    Source::Local => "local preference",
                    Source::Default => "not set: macOS default",
                };
                run.fact(format!("setting.{key}"), format!("{} ({from})", if value { "on" } else { "off" }));
            }
            let summary = if effective(MACOS_INSTALL_KEY, managed, local).0 {
                "macOS checks for, downloads and installs updates automatically, security responses included."
            } else {
                "macOS checks for and downloads updates and installs security responses automatically; macOS version updates wait for the person to install them."
            };
            decide(summary, &checks(managed, local))
        }
        (Err(why), _) | (_, Err(why)) => {
            decide("", &[Check::Unknown {
                reason: why.clone(),
                remedy: "Check that devidence runs as root from its LaunchDaemon and that /usr/bin/plutil is present.".into(),
            }])
        }
    };
    run.finish(
        Control::AutoUpdates,
        decision.verdict,
        decision.summary,
        decision.remediation,
    )
}
