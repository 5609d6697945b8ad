//! macOS: the Software Update preferences, a configuration profile's values over the local
//! ones over the macOS default (on).

use super::{Check, conclude};
use crate::macos::{Facts, MACOS_INSTALL_KEY, REQUIRED};
use devidence_core::Conclusion;
use std::collections::BTreeMap;

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

/// One check per required key ([`REQUIRED`]).
pub fn conclude_settings(
    managed: &BTreeMap<String, bool>,
    local: &BTreeMap<String, bool>,
) -> Vec<Check> {
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

/// The conclusion from what the macOS plan read.
pub fn conclude_macos(facts: &Facts) -> Conclusion {
    match (&facts.local, &facts.managed) {
        (Ok(local), Ok(managed)) => {
            let summary = if effective(MACOS_INSTALL_KEY, managed, local).0 {
                "macOS checks for, downloads and installs updates automatically, security responses included."
            } else {
                "macOS checks for and downloads updates and installs security responses automatically; macOS version updates wait for the person to install them."
            };
            conclude(summary, &conclude_settings(managed, local))
        }
        (Err(why), _) | (_, Err(why)) => conclude(
            "",
            &[Check::Unknown {
                reason: why.clone(),
                remedy: "Check that devidence runs as root from its LaunchDaemon and that /usr/bin/plutil is present.".into(),
            }],
        ),
    }
}
