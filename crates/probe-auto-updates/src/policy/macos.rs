//! macOS: the Software Update settings, each from the strongest source that sets it — the DDM
//! `com.apple.configuration.softwareupdate.settings` declaration, then the legacy
//! `com.apple.SoftwareUpdate` profile (not counted after macOS 26), then the local preference,
//! then the macOS default (on).

use super::{Check, conclude};
use crate::macos::{DdmState, Facts, MACOS_INSTALL_KEY, REQUIRED};
use crate::parse::macos::ddm_field_for;
use devidence_core::Conclusion;
use std::collections::BTreeMap;

/// Where one key's effective value came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// The DDM software update settings declaration (`AlwaysOn` / `AlwaysOff`).
    Declaration,
    /// A `com.apple.SoftwareUpdate` configuration profile (MDM).
    Managed,
    /// `/Library/Preferences`.
    Local,
    /// Not written anywhere: the macOS default.
    Default,
}

impl Source {
    /// How the facts name the source.
    pub fn describe(self) -> &'static str {
        match self {
            Source::Declaration => "DDM declaration",
            Source::Managed => "configuration profile",
            Source::Local => "local preference",
            Source::Default => "not set: macOS default",
        }
    }
}

/// Whether this macOS still applies the legacy `com.apple.SoftwareUpdate` profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LegacyProfile {
    /// Before macOS 26 (counted, as it always was).
    Honoured,
    /// macOS 26: Apple deprecates the profile; still applied (MSCP still checks it on 26).
    Deprecated,
    /// After macOS 26: Apple lists the profile as removed; its values do not decide.
    Removed,
    /// The macOS version could not be read: the profile decides nothing it disagrees on.
    Unsure,
}

impl LegacyProfile {
    /// The status for macOS `version` (major, minor).
    pub fn for_version(version: Option<(u32, u32)>) -> LegacyProfile {
        match version {
            Some((major, _)) if major > 26 => LegacyProfile::Removed,
            Some((26, _)) => LegacyProfile::Deprecated,
            Some(_) => LegacyProfile::Honoured,
            None => LegacyProfile::Unsure,
        }
    }
}

/// Every source of the settings, strongest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layers<'a> {
    /// The DDM global settings by persisted name, or why the state could not be read.
    pub declared: Result<&'a BTreeMap<String, bool>, &'a str>,
    /// The configuration profile's values.
    pub managed: &'a BTreeMap<String, bool>,
    /// The local preferences.
    pub local: &'a BTreeMap<String, bool>,
    /// Whether the profile still counts on this macOS.
    pub profile: LegacyProfile,
}

const NO_DDM: &BTreeMap<String, bool> = &BTreeMap::new();

/// The sources in `facts`, or why a preferences domain could not be read.
pub fn layers(facts: &Facts) -> Result<Layers<'_>, &str> {
    let local = facts.local.as_ref().map_err(String::as_str)?;
    let managed = facts.managed.as_ref().map_err(String::as_str)?;
    let declared = match &facts.ddm {
        Ok(DdmState::Absent) => Ok(NO_DDM),
        Ok(DdmState::Settings(s)) => Ok(s),
        Err(why) => Err(why.as_str()),
    };
    Ok(Layers {
        declared,
        managed,
        local,
        profile: LegacyProfile::for_version(facts.version),
    })
}

/// The effective value of `key` and the source that decided it, or why it cannot be told:
/// the DDM state was unreadable (for a DDM-settable key), or a profile macOS no longer applies
/// disagrees with the value that would decide.
pub fn effective(key: &str, layers: &Layers<'_>) -> Result<(bool, Source), String> {
    if let Some(field) = ddm_field_for(key) {
        match layers.declared {
            Ok(declared) => {
                if let Some(v) = declared.get(field.persisted) {
                    return Ok((*v, Source::Declaration));
                }
            }
            Err(why) => {
                return Err(format!(
                    "{why}, and a DDM declaration may enforce {key} either way"
                ));
            }
        }
    }
    let below = match layers.local.get(key) {
        Some(v) => (*v, Source::Local),
        None => (true, Source::Default),
    };
    match (layers.managed.get(key), layers.profile) {
        (Some(v), LegacyProfile::Honoured | LegacyProfile::Deprecated) => Ok((*v, Source::Managed)),
        (Some(v), profile @ (LegacyProfile::Removed | LegacyProfile::Unsure)) if *v != below.0 => {
            let why = if profile == LegacyProfile::Removed {
                "Apple removed that profile after macOS 26"
            } else {
                "the macOS version could not be read, and Apple removed that profile after macOS 26"
            };
            Err(format!(
                "a com.apple.SoftwareUpdate profile sets {key} {} but the {} is {}, and {why}, so which one applies cannot be told",
                on_off(*v),
                if below.1 == Source::Local {
                    "local preference"
                } else {
                    "macOS default"
                },
                on_off(below.0)
            ))
        }
        _ => Ok(below),
    }
}

fn on_off(value: bool) -> &'static str {
    if value { "on" } else { "off" }
}

const DDM_NAME: &str = "com.apple.configuration.softwareupdate.settings";

fn off_remedy(key: &str, source: Source, profile: LegacyProfile) -> String {
    match source {
        Source::Declaration => match ddm_field_for(key).and_then(|f| f.declaration) {
            Some(action) => format!(
                "Ask IT to set AutomaticActions > {action} to AlwaysOn (or Allowed, then turn it on in System Settings) in the Mac's {DDM_NAME} declaration."
            ),
            None => format!(
                "Ask IT to stop the Mac's {DDM_NAME} declaration from turning off automatic checks for updates."
            ),
        },
        Source::Managed if profile == LegacyProfile::Deprecated => format!(
            "Ask IT to set {key} to true in the Software Update payload of the Mac's configuration profile, or better, to move the setting to a {DDM_NAME} declaration (Apple deprecates the com.apple.SoftwareUpdate profile in macOS 26)."
        ),
        Source::Managed => format!(
            "Ask IT to set {key} to true in the Software Update payload of the Mac's configuration profile."
        ),
        Source::Local | Source::Default => "Turn on every option under System Settings > General > Software Update > Automatic Updates (or run `sudo defaults write /Library/Preferences/com.apple.SoftwareUpdate KEY -bool true` for each key that is off).".into(),
    }
}

fn off_reason(key: &str, toggle: &str, source: Source) -> String {
    match source {
        Source::Declaration => {
            format!("the Mac's DDM software update declaration turns off \"{toggle}\" ({key})")
        }
        Source::Managed => format!("a configuration profile turns off \"{toggle}\" ({key})"),
        Source::Local | Source::Default => format!("\"{toggle}\" is off ({key})"),
    }
}

fn unknown_remedy(key: &str, layers: &Layers<'_>) -> String {
    if layers.declared.is_err() && ddm_field_for(key).is_some() {
        "Check that devidence runs as root from its LaunchDaemon: the DDM state in /var/db/softwareupdate is readable only by root.".into()
    } else if layers.profile == LegacyProfile::Unsure {
        format!(
            "Check that /usr/bin/sw_vers runs (the macOS version decides whether the com.apple.SoftwareUpdate profile still applies), or ask IT to set the setting in a {DDM_NAME} declaration."
        )
    } else {
        format!(
            "Ask IT to remove the com.apple.SoftwareUpdate configuration profile, which Apple removed after macOS 26, and to set the setting in a {DDM_NAME} declaration instead."
        )
    }
}

/// One check per required key ([`REQUIRED`]).
pub fn conclude_settings(layers: &Layers<'_>) -> Vec<Check> {
    REQUIRED
        .iter()
        .map(|(key, toggle)| match effective(key, layers) {
            Ok((true, source)) => Check::Ok(format!("{toggle} is on ({})", source.describe())),
            Ok((false, source)) => Check::fail(
                off_reason(key, toggle, source),
                off_remedy(key, source, layers.profile),
            ),
            Err(why) => Check::unknown(why, unknown_remedy(key, layers)),
        })
        .collect()
}

/// The conclusion from what the macOS plan read.
pub fn conclude_macos(facts: &Facts) -> Conclusion {
    let layers = match layers(facts) {
        Ok(layers) => layers,
        Err(why) => {
            return conclude(
                "",
                &[Check::unknown(
                    why,
                    "Check that devidence runs as root from its LaunchDaemon and that /usr/bin/plutil is present.",
                )],
            );
        }
    };
    let by_ddm = REQUIRED
        .iter()
        .any(|(key, _)| matches!(effective(key, &layers), Ok((_, Source::Declaration))));
    let macos_updates = matches!(effective(MACOS_INSTALL_KEY, &layers), Ok((true, _)));
    let summary = match (macos_updates, by_ddm) {
        (true, false) => {
            "macOS checks for, downloads and installs updates automatically, security responses included."
        }
        (true, true) => {
            "macOS checks for, downloads and installs updates automatically, security responses included, as the Mac's DDM software update declaration enforces."
        }
        (false, false) => {
            "macOS checks for and downloads updates and installs security responses automatically; macOS version updates wait for the person to install them."
        }
        (false, true) => {
            "macOS checks for and downloads updates and installs security responses automatically, as the Mac's DDM software update declaration enforces; macOS version updates wait for the person to install them."
        }
    };
    conclude(summary, &conclude_settings(&layers))
}
