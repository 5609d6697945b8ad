//! The macOS formats: the Software Update preferences (as `plutil` prints them), the
//! declarative device management (DDM) state Software Update persists, the
//! `com.apple.configuration.softwareupdate.settings` declaration's words, `sw_vers` and
//! `softwareupdate -l`.

use devidence_core::macos::{parse_plist, plist_bool};
use std::collections::BTreeMap;

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

/// One persisted DDM global setting: its field in `SUCoreDDMDeclarationGlobalSettings`, the
/// `AutomaticActions` key of the `com.apple.configuration.softwareupdate.settings` declaration
/// that sets it (`None`: no declaration key does), and the `com.apple.SoftwareUpdate`
/// preference it stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DdmField {
    /// The field in the persisted state (`automaticallyDownload`, …).
    pub persisted: &'static str,
    /// The declaration's `AutomaticActions` key (`Download`, …).
    pub declaration: Option<&'static str>,
    /// The legacy preference the same toggle writes (`AutomaticDownload`, …).
    pub preference: &'static str,
}

/// The DDM global settings the probe reads. `automaticallyCheck` exists in the persisted class
/// but no declaration key sets it; `InstallSecurityUpdate` covers "Security Responses and
/// system files" (`CriticalUpdateInstall`, as MSCP maps it); `ConfigDataInstall` has no DDM
/// counterpart.
pub const DDM_FIELDS: &[DdmField] = &[
    DdmField {
        persisted: "automaticallyCheck",
        declaration: None,
        preference: "AutomaticCheckEnabled",
    },
    DdmField {
        persisted: "automaticallyDownload",
        declaration: Some("Download"),
        preference: "AutomaticDownload",
    },
    DdmField {
        persisted: "automaticallyInstallSystemAndSecurityUpdates",
        declaration: Some("InstallSecurityUpdate"),
        preference: "CriticalUpdateInstall",
    },
    DdmField {
        persisted: "automaticallyInstallOSUpdates",
        declaration: Some("InstallOSUpdates"),
        preference: "AutomaticallyInstallMacOSUpdates",
    },
];

/// The DDM field that stands for legacy preference `key`, if any.
pub fn ddm_field_for(key: &str) -> Option<&'static DdmField> {
    DDM_FIELDS.iter().find(|f| f.preference == key)
}

/// A declaration's `Allowed` / `AlwaysOn` / `AlwaysOff` as the effective value it enforces:
/// `None` for `Allowed` (the person chooses: the preferences decide), `Some(true)` for
/// `AlwaysOn`, `Some(false)` for `AlwaysOff`. Software Update's adapter stores exactly this:
/// nothing for `Allowed`, the numbers 1 and 0 for the others. `Err` for any other word.
pub fn declaration_action(word: &str) -> Result<Option<bool>, String> {
    match word.trim() {
        "Allowed" => Ok(None),
        "AlwaysOn" => Ok(Some(true)),
        "AlwaysOff" => Ok(Some(false)),
        other => Err(format!("`{other}` is not Allowed, AlwaysOn or AlwaysOff")),
    }
}

/// The effective values a `com.apple.configuration.softwareupdate.settings` declaration
/// (its JSON, as MDM servers send it) enforces, keyed like the persisted state
/// (`automaticallyDownload` …); `Allowed` and absent keys are left out.
pub fn parse_declaration(json: &str) -> Result<BTreeMap<String, bool>, String> {
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| format!("not a JSON declaration: {e}"))?;
    let payload = value.get("Payload").unwrap_or(&value);
    let mut out = BTreeMap::new();
    let Some(actions) = payload.get("AutomaticActions") else {
        return Ok(out);
    };
    for field in DDM_FIELDS {
        let Some(key) = field.declaration else {
            continue;
        };
        if let Some(word) = actions.get(key) {
            let word = word
                .as_str()
                .ok_or_else(|| format!("AutomaticActions.{key} is not a string"))?;
            let action =
                declaration_action(word).map_err(|e| format!("AutomaticActions.{key}: {e}"))?;
            if let Some(on) = action {
                out.insert(field.persisted.to_string(), on);
            }
        }
    }
    Ok(out)
}

/// Where the DDM state is kept: `SUCorePersistedStatePolicyFields` →
/// `SUCoreDDMDeclarationGlobalSettings`.
pub const DDM_POLICY_FIELDS: &str = "SUCorePersistedStatePolicyFields";
/// The dictionary of global settings inside [`DDM_POLICY_FIELDS`].
pub const DDM_GLOBAL_SETTINGS: &str = "SUCoreDDMDeclarationGlobalSettings";

/// Reads `SoftwareUpdateDDMStatePersistence.plist` (XML from `plutil`, or the ASCII form
/// `defaults read` prints) into the enforced values of [`DDM_FIELDS`], keyed by their persisted
/// name. Empty when no software update settings were declared (no global settings, or none of
/// the fields): every toggle is then the person's choice. A field is a number (1 on, 0 off), a
/// boolean, or — tolerated — the declaration's word. `Err` when the file is not the state file
/// or a field holds anything else.
pub fn parse_ddm_state(text: &str) -> Result<BTreeMap<String, bool>, String> {
    let value = parse_plist(text)?;
    let root = value
        .as_dictionary()
        .ok_or("the DDM state is not a dictionary")?;
    let mut out = BTreeMap::new();
    let Some(policy) = root.get(DDM_POLICY_FIELDS) else {
        return Ok(out);
    };
    let policy = policy
        .as_dictionary()
        .ok_or_else(|| format!("{DDM_POLICY_FIELDS} is not a dictionary"))?;
    let Some(settings) = policy.get(DDM_GLOBAL_SETTINGS) else {
        return Ok(out);
    };
    let settings = settings
        .as_dictionary()
        .ok_or_else(|| format!("{DDM_GLOBAL_SETTINGS} is not a dictionary"))?;
    for field in DDM_FIELDS {
        let Some(v) = settings.get(field.persisted) else {
            continue;
        };
        let on = match (plist_bool(v), v.as_string()) {
            (Some(b), _) => Some(b),
            (None, Some(word)) => declaration_action(word)
                .map_err(|e| format!("{DDM_GLOBAL_SETTINGS}.{}: {e}", field.persisted))?,
            (None, None) => {
                return Err(format!(
                    "{DDM_GLOBAL_SETTINGS}.{} holds {v:?}, not 0 or 1",
                    field.persisted
                ));
            }
        };
        if let Some(on) = on {
            out.insert(field.persisted.to_string(), on);
        }
    }
    Ok(out)
}

/// The macOS version `sw_vers -productVersion` prints (`15.1`, `26.0.1`; the full `sw_vers`
/// form with a `ProductVersion:` line is read too) as (major, minor). `None` when there is no
/// version number.
pub fn parse_product_version(text: &str) -> Option<(u32, u32)> {
    let line = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("ProductVersion:"))
        .unwrap_or_else(|| text.lines().find(|l| !l.trim().is_empty()).unwrap_or(""));
    let mut parts = line.trim().split('.');
    let major = parts.next()?.trim().parse().ok()?;
    let minor = parts.next().map_or(Some(0), |m| m.trim().parse().ok())?;
    Some((major, minor))
}
