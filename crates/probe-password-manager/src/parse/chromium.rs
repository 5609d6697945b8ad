//! Chromium-family profiles: which extensions a profile has registered and whether each is
//! enabled, from the profile's `Preferences` and `Secure Preferences` JSON files
//! (`extensions.settings.<id>`).
//!
//! An extension folder on disk proves nothing (a leftover, or a bare `mkdir`): Chromium counts
//! an extension installed only when its preferences hold an entry for it with an integer
//! `location` and a string `path`, not `state` 2 ("external extension uninstalled") and not
//! listed in `extensions.external_uninstalls` (Chromium's `GetInstalledExtensionInfo`), and
//! enabled unless the entry says otherwise: `state` 0 in older versions, a non-zero or
//! non-empty `disable_reasons` (a bit mask, a list since about Chrome 136, when `state` was
//! dropped). Which file holds the entries depends on the platform (`Secure Preferences` on
//! macOS and Windows outside a domain, `Preferences` on Linux), and Chromium moves them between
//! the two, so both are read and `Secure Preferences` wins for an ID in both. Sources:
//! chromium `extensions/browser/extension_prefs.cc`, osquery issue #8610.
//!
//! These files hold much personal data (accounts, history settings, every extension), so the
//! evidence keeps only [`extract_settings`]: the entries of the extensions the catalogue knows.

use serde_json::{Map, Value};

/// What [`extract_settings`] keeps of a file that is not a JSON document: nothing of it.
pub const NOT_JSON: &str = "(not a JSON document; nothing of it kept)";

/// The fields of an extension's entry the verdict needs; everything else is dropped.
const KEPT_FIELDS: &[&str] = &[
    "state",
    "disable_reasons",
    "location",
    "path",
    "from_webstore",
    "was_installed_by_default",
];

/// The part of a `Preferences` / `Secure Preferences` text the evidence keeps: the
/// `extensions.settings` entries whose ID `wanted` accepts, each reduced to `KEPT_FIELDS` and
/// the manifest's version, and those IDs among `extensions.external_uninstalls`. Applying it
/// to its own output gives the same text.
pub fn extract_settings(text: &str, wanted: impl Fn(&str) -> bool) -> String {
    let Ok(root) = serde_json::from_str::<Value>(text) else {
        return NOT_JSON.to_string();
    };
    let mut kept = Map::new();
    if let Some(settings) = root
        .pointer("/extensions/settings")
        .and_then(Value::as_object)
    {
        for (id, entry) in settings.iter().filter(|(id, _)| wanted(id)) {
            let mut small = Map::new();
            if let Some(entry) = entry.as_object() {
                for field in KEPT_FIELDS {
                    if let Some(value) = entry.get(*field) {
                        small.insert((*field).to_string(), value.clone());
                    }
                }
                if let Some(version) = entry
                    .get("manifest")
                    .and_then(|m| m.get("version"))
                    .and_then(Value::as_str)
                {
                    small.insert("manifest".into(), serde_json::json!({ "version": version }));
                }
            }
            kept.insert(id.clone(), Value::Object(small));
        }
    }
    let uninstalled: Vec<Value> = root
        .pointer("/extensions/external_uninstalls")
        .and_then(Value::as_array)
        .map(|ids| {
            ids.iter()
                .filter(|id| id.as_str().is_some_and(&wanted))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let mut extensions = Map::new();
    extensions.insert("settings".into(), Value::Object(kept));
    if !uninstalled.is_empty() {
        extensions.insert("external_uninstalls".into(), Value::Array(uninstalled));
    }
    serde_json::json!({ "extensions": extensions }).to_string()
}

/// One extension as a profile's preferences record it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registered {
    /// The store ID.
    pub id: String,
    /// `manifest.version`, when recorded.
    pub version: Option<String>,
    /// `state`: 1 enabled, 0 disabled (older Chromium; newer versions leave it out).
    pub state: Option<i64>,
    /// `disable_reasons`, as the reasons it lists (a bit mask is split into its bits).
    pub disable_reasons: Vec<i64>,
    /// `location`: 1 the Web Store, 4 unpacked, 5 component, 7 and 9 policy, 10 external
    /// component.
    pub location: Option<i64>,
    /// Whether the entry has the string `path` Chromium requires of an installed extension.
    pub has_path: bool,
    /// Listed in `extensions.external_uninstalls`.
    pub uninstalled: bool,
}

impl Registered {
    /// True when Chromium counts the extension installed: an integer `location`, a `path`,
    /// not `state` 2 and not in `external_uninstalls`.
    pub fn installed(&self) -> bool {
        self.location.is_some() && self.has_path && self.state != Some(2) && !self.uninstalled
    }

    /// True when Chromium runs the extension: installed, not `state` 0, no disable reason.
    pub fn enabled(&self) -> bool {
        self.installed() && self.state != Some(0) && self.disable_reasons.is_empty()
    }

    /// Why it is not enabled, in words for the evidence.
    pub fn why_disabled(&self) -> String {
        let mut why = Vec::new();
        if !self.installed() {
            why.push("no location or path, or uninstalled as an external extension".to_string());
        }
        if self.state == Some(0) {
            why.push("state 0 (disabled)".to_string());
        }
        if !self.disable_reasons.is_empty() {
            let reasons: Vec<String> = self.disable_reasons.iter().map(i64::to_string).collect();
            why.push(format!("disable_reasons {}", reasons.join(", ")));
        }
        why.join(", ")
    }
}

/// The extensions registered in one preferences file. `Err` when the text is not JSON (or
/// is what [`extract_settings`] keeps of a file that was not).
pub fn parse_settings(text: &str) -> Result<Vec<Registered>, String> {
    if text == NOT_JSON {
        return Err("the preferences file is not valid JSON".into());
    }
    let root: Value = serde_json::from_str(text)
        .map_err(|e| format!("the preferences file is not valid JSON: {e}"))?;
    let Some(settings) = root
        .pointer("/extensions/settings")
        .and_then(Value::as_object)
    else {
        return Ok(Vec::new());
    };
    let uninstalled: Vec<&str> = root
        .pointer("/extensions/external_uninstalls")
        .and_then(Value::as_array)
        .map(|ids| ids.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    Ok(settings
        .iter()
        .map(|(id, entry)| Registered {
            has_path: entry.get("path").is_some_and(Value::is_string),
            uninstalled: uninstalled.contains(&id.as_str()),
            id: id.clone(),
            version: entry
                .pointer("/manifest/version")
                .and_then(Value::as_str)
                .map(str::to_string),
            state: entry.get("state").and_then(Value::as_i64),
            disable_reasons: reasons(entry.get("disable_reasons")),
            location: entry.get("location").and_then(Value::as_i64),
        })
        .collect())
}

/// `disable_reasons` as a list: a bit mask (older Chromium) split into its set bits, or a
/// list of reason numbers (newer); 0, `[]` and absent mean none.
fn reasons(value: Option<&Value>) -> Vec<i64> {
    match value {
        Some(Value::Number(n)) => {
            let mask = n.as_i64().unwrap_or(-1);
            if mask < 0 {
                return vec![mask];
            }
            (0..63)
                .map(|bit| 1i64 << bit)
                .filter(|b| mask & b != 0)
                .collect()
        }
        Some(Value::Array(items)) => items.iter().map(|v| v.as_i64().unwrap_or(-1)).collect(),
        Some(Value::Null) | None => Vec::new(),
        // Something this version does not understand: not proof of "enabled".
        Some(_) => vec![-1],
    }
}

/// Merges the entries of `Preferences` and then `Secure Preferences`: an ID in either is
/// registered, and for an ID in both the later file's entry wins (Chromium moves the entries
/// into `Secure Preferences` where it protects them, so a copy left in `Preferences` is stale).
pub fn merge(files: &[Vec<Registered>]) -> Vec<Registered> {
    let mut merged: Vec<Registered> = Vec::new();
    for entry in files.iter().flatten() {
        match merged.iter_mut().find(|m| m.id == entry.id) {
            Some(m) => {
                let version = m.version.take();
                *m = entry.clone();
                if m.version.is_none() {
                    m.version = version;
                }
            }
            None => merged.push(entry.clone()),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use devidence_testkit::probe::Fixtures;

    const LINUX: Fixtures = Fixtures::new(env!("CARGO_MANIFEST_DIR"), "linux");

    const PREFS: &str = r#"{"account_info":[{"email":"alice@example.com"}],
        "extensions":{"settings":{
          "aaaa":{"state":1,"disable_reasons":0,"location":1,"manifest":{"version":"2.1","name":"A","permissions":["tabs"]},"path":"aaaa/2.1_0","granted_permissions":{}},
          "bbbb":{"state":0,"disable_reasons":1,"location":1,"path":"bbbb/1.0_0","manifest":{"version":"1.0"}},
          "cccc":{"disable_reasons":[],"location":1,"path":"cccc/3.0_0","manifest":{"version":"3.0"}},
          "dddd":{"disable_reasons":[1],"location":1,"path":"dddd/4.0_0","manifest":{"version":"4.0"}},
          "eeee":{"location":1,"path":"eeee/1_0"},
          "ffff":{"state":1,"manifest":{"version":"1"}},
          "gggg":{"state":2,"location":1,"path":"gggg/1_0"},
          "other":{"state":1}},
        "external_uninstalls":["eeee","zzzz"]}}"#;

    #[test]
    fn the_extract_keeps_only_wanted_entries_and_is_stable() {
        let wanted = |id: &str| id.len() == 4 && id != "zzzz";
        let extract = extract_settings(PREFS, wanted);
        assert!(!extract.contains("alice@example.com") && !extract.contains("other"));
        assert!(!extract.contains("permissions") && !extract.contains("zzzz"));
        assert_eq!(extract_settings(&extract, wanted), extract);
        assert_eq!(
            extract_settings("root:$y$secret:19000::::::", wanted),
            NOT_JSON
        );
        assert_eq!(extract_settings(NOT_JSON, wanted), NOT_JSON);
        assert!(parse_settings(NOT_JSON).is_err());
    }

    #[test]
    fn enabled_follows_state_and_disable_reasons_in_both_shapes() {
        let all = parse_settings(&extract_settings(PREFS, |_| true)).expect("parses");
        let by = |id: &str| all.iter().find(|r| r.id == id).expect("listed").clone();
        assert!(by("aaaa").enabled());
        assert_eq!(by("aaaa").version.as_deref(), Some("2.1"));
        assert!(!by("bbbb").enabled());
        assert_eq!(
            by("bbbb").why_disabled(),
            "state 0 (disabled), disable_reasons 1"
        );
        assert!(by("cccc").enabled());
        assert!(!by("dddd").enabled());
        // Not installed: in external_uninstalls, no location or path, state 2.
        for id in ["eeee", "ffff", "gggg"] {
            assert!(!by(id).installed() && !by(id).enabled(), "{id}");
        }
        assert_eq!(reasons(Some(&serde_json::json!(6))), vec![2, 4]);
        assert_eq!(reasons(Some(&serde_json::json!("x"))), vec![-1]);
    }

    #[test]
    fn published_preferences_files_parse() {
        let by = |file: &str, id: &str| {
            let all = parse_settings(&LINUX.text(file)).expect("parses");
            all.into_iter().find(|r| r.id == id).expect("listed")
        };
        // osquery's synthetic test profile: the legacy `state` field, but no `location`, so
        // Chromium itself would not count either as installed.
        let osquery = "chromium-preferences-osquery-state.json";
        assert_eq!(by(osquery, "extension_identifier1").state, Some(1));
        assert_eq!(by(osquery, "extension_identifier2").state, Some(0));
        assert!(!by(osquery, "extension_identifier1").installed());
        // Chromium's own test profile: Web Store and unpacked, both on.
        let good = "chromium-preferences-chromium-test-good.json";
        assert!(by(good, "bjafgdebaacbbbecmhlhpofkepfkgcpa").enabled());
        assert_eq!(
            by(good, "lckcjklfapeiadkadngidmocpbkemckm").location,
            Some(4)
        );
        // A real Chrome 38 profile (plaso's test data): `disable_reasons` as a bit mask.
        let plaso = "chromium-preferences-plaso-chrome38-windows.json";
        let on = by(plaso, "felcaaldnbdncclmgdcncolpebgiejap");
        assert!(on.enabled());
        assert_eq!(on.version.as_deref(), Some("1.0"));
        let off = by(plaso, "bepbmhgboaologfdajaanbcjmnhjmhfn");
        assert!(!off.enabled());
        assert_eq!(off.disable_reasons, vec![1]);
        assert!(
            by(
                "chromium-preferences-external-component.json",
                "ldnnhddmnhbkjipkidpdiheffobcpfmf"
            )
            .enabled()
        );
        // Today's shape (no `state`, `disable_reasons` a list, empty when enabled).
        let now = "chromium-secure-preferences-m136-shape-constructed.json";
        assert!(by(now, "nngceckbapebfimnlniiiahkandclblb").enabled());
        assert!(!by(now, "aeblfdkhhhdcdjpifhhbdiojplfjncoa").enabled());
        // The extract keeps what the verdict needs, and judges the same.
        let text = LINUX.text(plaso);
        let extract = extract_settings(&text, |_| true);
        assert!(!extract.contains("lastpingday") && !extract.contains("update_url"));
        assert_eq!(
            parse_settings(&extract).expect("parses"),
            parse_settings(&text).expect("parses")
        );
    }

    #[test]
    fn secure_preferences_can_disable_what_preferences_lists() {
        let entry = r#""location":1,"path":"x/1_0""#;
        let prefs = parse_settings(&format!(
            r#"{{"extensions":{{"settings":{{"aaaa":{{"state":1,{entry},"manifest":{{"version":"1"}}}},"cccc":{{{entry}}}}}}}}}"#
        ))
        .expect("parses");
        let secure = parse_settings(&format!(
            r#"{{"extensions":{{"settings":{{"aaaa":{{"disable_reasons":[1],{entry}}},"bbbb":{{{entry}}}}}}}}}"#
        ))
        .expect("parses");
        let merged = merge(&[prefs, secure]);
        assert_eq!(merged.len(), 3);
        let by = |id: &str| merged.iter().find(|r| r.id == id).expect("listed");
        assert!(!by("aaaa").enabled(), "Secure Preferences wins");
        assert_eq!(by("aaaa").version.as_deref(), Some("1"));
        assert!(by("bbbb").enabled() && by("cccc").enabled());
        assert!(
            parse_settings("{}").expect("parses").is_empty(),
            "no settings: nothing registered"
        );
    }
}
