//! Pure parser for Microsoft Defender for Endpoint's `mdatp health`, read on Linux and macOS.

use serde_json::Value;

/// The fields of `mdatp health` the verdict needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MdatpHealth {
    /// `healthy`.
    pub healthy: Option<bool>,
    /// `licensed`.
    pub licensed: Option<bool>,
    /// `real_time_protection_enabled`.
    pub real_time_protection: Option<bool>,
    /// `real_time_protection_available` (false on macOS while the system extension is not
    /// approved, even with the setting on).
    pub real_time_protection_available: Option<bool>,
    /// `definitions_status` in snake case (`up_to_date`, `updating`, `out_of_date`, …; the
    /// legacy `upToDate` reads as `up_to_date`).
    pub definitions_status: Option<String>,
    /// `app_version`.
    pub app_version: Option<String>,
}

/// `realTimeProtectionEnabled` → `real_time_protection_enabled`: legacy `mdatp --health`
/// printed camel case, current versions print snake case.
fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            if !out.is_empty() {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Parses `mdatp health`, either `--output json` or the default `key : value` text (current
/// snake-case names and the legacy camel-case ones). Managed settings appear in JSON as
/// `{"value": …, "scope": …}`.
pub fn mdatp_health(text: &str) -> Result<MdatpHealth, String> {
    let mut fields: std::collections::HashMap<String, Value> = std::collections::HashMap::new();
    if text.trim_start().starts_with('{') {
        let json: Value =
            serde_json::from_str(text.trim()).map_err(|e| format!("unreadable mdatp JSON: {e}"))?;
        if let Some(map) = json.as_object() {
            for (key, v) in map {
                let v = v.get("value").cloned().unwrap_or_else(|| v.clone());
                fields.insert(snake_case(key), v);
            }
        }
    } else {
        for line in text.lines() {
            let Some((key, value)) = line.split_once(" : ") else {
                continue;
            };
            let value = value.trim();
            let v = match value {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => Value::String(value.trim_matches('"').to_string()),
            };
            fields.insert(snake_case(key.trim()), v);
        }
        if fields.is_empty() {
            return Err("mdatp printed no `key : value` health fields".into());
        }
    }
    let boolean = |key: &str| fields.get(key).and_then(Value::as_bool);
    let string = |key: &str| {
        fields
            .get(key)
            .and_then(|v| v.as_str().map(|s| s.trim_matches('"').to_string()))
    };
    Ok(MdatpHealth {
        healthy: boolean("healthy"),
        licensed: boolean("licensed"),
        real_time_protection: boolean("real_time_protection_enabled"),
        real_time_protection_available: boolean("real_time_protection_available"),
        definitions_status: string("definitions_status").map(|s| snake_case(&s)),
        app_version: string("app_version"),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn mdatp_plain_and_managed_values() {
        let plain = r#"{"healthy":true,"licensed":true,"real_time_protection_enabled":false,"definitions_status":"up_to_date","app_version":"101.24082.0004"}"#;
        let h = mdatp_health(plain).unwrap();
        assert_eq!(h.real_time_protection, Some(false));
        assert_eq!(h.definitions_status.as_deref(), Some("up_to_date"));
        let managed =
            r#"{"healthy":true,"real_time_protection_enabled":{"value":true,"scope":"managed"}}"#;
        assert_eq!(
            mdatp_health(managed).unwrap().real_time_protection,
            Some(true)
        );
        assert!(mdatp_health("ATTENTION: No license found").is_err());
    }
}
