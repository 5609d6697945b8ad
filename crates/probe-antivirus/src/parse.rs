//! Pure parsers for antivirus command outputs. Text in, facts out.

use serde_json::Value;
use time::{Date, Month};

/// ClamAV's `--version` line: `ClamAV 1.0.7/27400/Mon Sep 30 08:36:59 2024`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClamVersion {
    /// Engine version.
    pub engine: String,
    /// Signature database version (absent when no database is loaded).
    pub signatures: Option<String>,
    /// Date of the newest signatures.
    pub signature_date: Option<Date>,
}

/// Parses `clamscan --version` / `clamdscan --version`.
pub fn clam_version(text: &str) -> Option<ClamVersion> {
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("ClamAV "))?
        .trim();
    let mut parts = line.trim_start_matches("ClamAV ").splitn(3, '/');
    let engine = parts.next()?.trim().to_string();
    let signatures = parts
        .next()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    let signature_date = parts.next().and_then(ctime_date);
    Some(ClamVersion {
        engine,
        signatures,
        signature_date,
    })
}

/// The date of a C `ctime()` string: `Mon Sep 30 08:36:59 2024` (day may be space-padded).
pub fn ctime_date(text: &str) -> Option<Date> {
    let f: Vec<&str> = text.split_whitespace().collect();
    if f.len() != 5 {
        return None;
    }
    let month = match f[1] {
        "Jan" => Month::January,
        "Feb" => Month::February,
        "Mar" => Month::March,
        "Apr" => Month::April,
        "May" => Month::May,
        "Jun" => Month::June,
        "Jul" => Month::July,
        "Aug" => Month::August,
        "Sep" => Month::September,
        "Oct" => Month::October,
        "Nov" => Month::November,
        "Dec" => Month::December,
        _ => return None,
    };
    Date::from_calendar_date(f[4].parse().ok()?, month, f[2].parse().ok()?).ok()
}

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

/// What `falconctl stats` (CrowdStrike Falcon on macOS) says about the sensor.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FalconStats {
    /// `Sensor operational: true|false` in the `agent_info` section.
    pub operational: Option<bool>,
    /// The sensor version (`version:` in `agent_info`).
    pub version: Option<String>,
    /// The cloud connection state (`State:` under `Cloud Info`), e.g. `connected`.
    pub cloud_state: Option<String>,
}

/// Parses macOS `falconctl stats`: `=== section ===` headers and `key: value` lines.
pub fn falcon_stats(text: &str) -> FalconStats {
    let mut stats = FalconStats::default();
    let mut section = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if let Some(name) = trimmed
            .strip_prefix("===")
            .and_then(|r| r.strip_suffix("==="))
        {
            section = name.trim().to_ascii_lowercase();
            continue;
        }
        let Some((key, value)) = trimmed.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match (section.as_str(), key.trim()) {
            ("agent_info", "Sensor operational") => {
                stats.operational = match value {
                    "true" => Some(true),
                    "false" => Some(false),
                    _ => None,
                }
            }
            ("agent_info", "version") => stats.version = Some(value.to_string()),
            ("cloudinfo", "State") => stats.cloud_state = Some(value.to_string()),
            _ => {}
        }
    }
    stats
}

/// CrowdStrike's `falconctl -g --rfm-state` (`rfm-state=false.`): true when the sensor is in
/// Reduced Functionality Mode.
pub fn falcon_rfm(text: &str) -> Option<bool> {
    let value = text
        .split("rfm-state=")
        .nth(1)?
        .trim()
        .trim_end_matches(['.', ',']);
    match value
        .split(|c: char| c == ',' || c.is_whitespace())
        .next()?
    {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// The process names `pgrep -l` printed (`1234 clamd`). `Err` when a line is not
/// `PID NAME` (fail closed: text that is not pgrep's never reads as a running process).
pub fn pgrep_names(text: &str) -> Result<Vec<String>, String> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let mut words = l.split_whitespace();
            match (words.next(), words.next(), words.next()) {
                (Some(pid), Some(name), None) if pid.chars().all(|c| c.is_ascii_digit()) => {
                    Ok(name.to_string())
                }
                _ => Err(format!(
                    "pgrep printed `{}`, not `PID NAME`",
                    l.trim().chars().take(80).collect::<String>()
                )),
            }
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn clamav_version_lines() {
        let v = clam_version("ClamAV 1.0.7/27400/Mon Sep 30 08:36:59 2024\n").unwrap();
        assert_eq!(v.engine, "1.0.7");
        assert_eq!(v.signatures.as_deref(), Some("27400"));
        assert_eq!(
            v.signature_date,
            Date::from_calendar_date(2024, Month::September, 30).ok()
        );
        let v = clam_version("ClamAV 0.103.11/27125/Tue Dec  5 09:27:01 2023").unwrap();
        assert_eq!(
            v.signature_date,
            Date::from_calendar_date(2023, Month::December, 5).ok()
        );
        // No database loaded yet: the engine alone.
        let v = clam_version("ClamAV 1.0.7\n").unwrap();
        assert!(v.signatures.is_none() && v.signature_date.is_none());
        assert!(clam_version("command not found").is_none());
    }

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

    #[test]
    fn falcon_rfm_state() {
        assert_eq!(falcon_rfm("rfm-state=false.\n"), Some(false));
        assert_eq!(
            falcon_rfm("rfm-state=true, rfm-reason=Unspecified, code=0xC0000001.\n"),
            Some(true)
        );
        assert_eq!(falcon_rfm("Error: sensor not running"), None);
    }
}
