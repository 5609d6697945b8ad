//! Browser profiles, read the same on every OS: Firefox's `profiles.ini` and `extensions.json`,
//! and Chromium's profile directory names (where each OS keeps the profiles, and how each
//! browser shows it is installed, are in its plan).

use serde_json::Value;

/// Firefox's application ID, the name of its system and user add-on scope directories.
pub const FIREFOX_APP_ID: &str = "{ec8030f7-c20a-464f-9b0e-13a3a9e97384}";

/// True for a Chromium profile directory name: `Default` or `Profile <n>` (not the guest or
/// system profiles, which hold no user extensions).
pub fn is_chromium_profile(name: &str) -> bool {
    name == "Default"
        || name
            .strip_prefix("Profile ")
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// The add-on ID a directory entry stands for: `<id>.xpi` or an unpacked `<id>` directory.
pub fn addon_id_of_entry(entry: &str) -> &str {
    entry.strip_suffix(".xpi").unwrap_or(entry)
}

/// The profile directories `profiles.ini` lists, as absolute paths (relative `Path=` values are
/// joined to `root`, the directory holding the file).
pub fn parse_profiles_ini(text: &str, root: &str) -> Vec<String> {
    let mut profiles = Vec::new();
    let mut in_profile = false;
    let mut path: Option<String> = None;
    let mut relative = true;
    let mut flush = |path: &mut Option<String>, relative: bool| {
        if let Some(p) = path.take() {
            let full = if relative {
                format!("{}/{p}", root.trim_end_matches('/'))
            } else {
                p
            };
            if !profiles.contains(&full) {
                profiles.push(full);
            }
        }
    };
    for line in text.lines() {
        let line = line.trim();
        if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            if in_profile {
                flush(&mut path, relative);
            }
            in_profile = section.starts_with("Profile");
            path = None;
            relative = true;
            continue;
        }
        if !in_profile {
            continue;
        }
        match line.split_once('=') {
            Some(("Path", value)) => path = Some(value.trim().to_string()),
            Some(("IsRelative", value)) => relative = value.trim() != "0",
            _ => {}
        }
    }
    if in_profile {
        flush(&mut path, relative);
    }
    profiles
}

/// One add-on as Firefox records it in `extensions.json`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Addon {
    /// `id`.
    pub id: String,
    /// `version`.
    pub version: String,
    /// `location` (`app-profile`, `app-system-share`, …).
    pub location: String,
    /// `active`: Firefox runs it.
    pub active: Option<bool>,
    /// `userDisabled`: the user (or sideload approval) switched it off.
    pub user_disabled: Option<bool>,
    /// `appDisabled`: Firefox refused it (incompatible, blocklisted, unsigned).
    pub app_disabled: Option<bool>,
}

impl Addon {
    /// True when Firefox runs the add-on: active and neither user- nor app-disabled.
    pub fn enabled(&self) -> bool {
        self.active != Some(false)
            && self.user_disabled != Some(true)
            && self.app_disabled != Some(true)
    }
}

/// The part of an `extensions.json` text the evidence keeps: the `addons` entries whose ID
/// `wanted` accepts, each reduced to the fields [`parse_extensions_json`] reads (the file lists
/// every add-on a person has, which is theirs, not the auditor's). A text that is not JSON
/// keeps nothing ([`crate::parse::chromium::NOT_JSON`]). Applying it to its own output gives
/// the same text.
pub fn extract_extensions_json(text: &str, wanted: impl Fn(&str) -> bool) -> String {
    let Ok(root) = serde_json::from_str::<Value>(text) else {
        return crate::parse::chromium::NOT_JSON.to_string();
    };
    let Some(addons) = root.get("addons").and_then(Value::as_array) else {
        return "{}".to_string();
    };
    let kept: Vec<Value> = addons
        .iter()
        .filter(|a| a.get("id").and_then(Value::as_str).is_some_and(&wanted))
        .map(|a| {
            let mut small = serde_json::Map::new();
            for field in [
                "id",
                "version",
                "location",
                "active",
                "userDisabled",
                "appDisabled",
            ] {
                if let Some(value) = a.get(field) {
                    small.insert(field.to_string(), value.clone());
                }
            }
            Value::Object(small)
        })
        .collect();
    serde_json::json!({ "addons": kept }).to_string()
}

/// Parses `extensions.json` (`{"schemaVersion": …, "addons": [ … ]}`). `Err` when the text is
/// not JSON or has no `addons` array.
pub fn parse_extensions_json(text: &str) -> Result<Vec<Addon>, String> {
    let root: Value = serde_json::from_str(text)
        .map_err(|e| format!("extensions.json is not valid JSON: {e}"))?;
    let addons = root
        .get("addons")
        .and_then(Value::as_array)
        .ok_or("extensions.json has no `addons` array")?;
    Ok(addons
        .iter()
        .filter_map(|a| {
            let text = |k: &str| {
                a.get(k)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            let flag = |k: &str| a.get(k).and_then(Value::as_bool);
            let id = text("id");
            (!id.is_empty()).then(|| Addon {
                id,
                version: text("version"),
                location: text("location"),
                active: flag("active"),
                user_disabled: flag("userDisabled"),
                app_disabled: flag("appDisabled"),
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use devidence_testkit::probe::Fixtures;

    const LINUX: Fixtures = Fixtures::new(env!("CARGO_MANIFEST_DIR"), "linux");

    #[test]
    fn profiles_ini_recorded_relative_and_absolute() {
        let root = "/home/alice/.config/mozilla/firefox";
        assert_eq!(
            parse_profiles_ini(&LINUX.text("firefox-profiles.ini"), root),
            [
                format!("{root}/q838j2lz.default"),
                format!("{root}/d4pq595x.default-esr")
            ]
        );
        assert_eq!(
            parse_profiles_ini(&LINUX.text("firefox-profiles-absolute.ini"), root),
            ["/tmp/ffhome2/prof"]
        );
        assert!(parse_profiles_ini("[General]\nVersion=2\n", root).is_empty());
    }

    #[test]
    fn extensions_json_recorded_enabled_and_disabled() {
        let enabled =
            parse_extensions_json(&LINUX.text("firefox-extensions-system-keepassxc.json"))
                .expect("parses");
        let kp = enabled
            .iter()
            .find(|a| a.id == "keepassxc-browser@keepassxc.org")
            .expect("listed");
        assert!(kp.enabled());
        assert_eq!(kp.location, "app-system-share");
        assert_eq!(kp.version, "1.8.4");
        let disabled =
            parse_extensions_json(&LINUX.text("firefox-extensions-disabled-keepassxc.json"))
                .expect("parses");
        let kp = disabled
            .iter()
            .find(|a| a.id == "keepassxc-browser@keepassxc.org")
            .expect("listed");
        assert!(!kp.enabled());
        assert_eq!(kp.user_disabled, Some(true));
        assert!(parse_extensions_json("{\"schemaVersion\":37").is_err());
        let wanted = |id: &str| id == "keepassxc-browser@keepassxc.org";
        let extract = extract_extensions_json(
            &LINUX.text("firefox-extensions-disabled-keepassxc.json"),
            wanted,
        );
        assert_eq!(extract_extensions_json(&extract, wanted), extract);
        assert_eq!(parse_extensions_json(&extract).expect("parses").len(), 1);
        assert!(parse_extensions_json(&extract_extensions_json("root:x:0:0", wanted)).is_err());
        assert!(parse_extensions_json("{\"schemaVersion\":37}").is_err());
    }

    #[test]
    fn chromium_profile_names_and_addon_entries() {
        for (name, want) in [
            ("Default", true),
            ("Profile 1", true),
            ("Profile 12", true),
            ("Guest Profile", false),
            ("System Profile", false),
            ("Local State", false),
            ("Profile ", false),
        ] {
            assert_eq!(is_chromium_profile(name), want, "{name}");
        }
        assert_eq!(
            addon_id_of_entry("{446900e4-71c2-419f-a6a7-df9c091e268b}.xpi"),
            "{446900e4-71c2-419f-a6a7-df9c091e268b}"
        );
        assert_eq!(
            addon_id_of_entry("keepassxc-browser@keepassxc.org"),
            "keepassxc-browser@keepassxc.org"
        );
    }
}
