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

/// The fields of `mdatp health --output json` the verdict needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MdatpHealth {
    /// `healthy`.
    pub healthy: Option<bool>,
    /// `licensed`.
    pub licensed: Option<bool>,
    /// `real_time_protection_enabled`.
    pub real_time_protection: Option<bool>,
    /// `definitions_status` (`up_to_date`, `updating`, `out_of_date`, …).
    pub definitions_status: Option<String>,
    /// `app_version`.
    pub app_version: Option<String>,
}

/// Parses `mdatp health --output json`. Settings appear either as plain values or, for
/// managed settings in newer versions, as `{"value": …, "scope": …}`.
pub fn mdatp_health(text: &str) -> Result<MdatpHealth, String> {
    let json: Value =
        serde_json::from_str(text.trim()).map_err(|e| format!("unreadable mdatp JSON: {e}"))?;
    let field = |key: &str| -> Option<Value> {
        let v = json.get(key)?;
        Some(v.get("value").cloned().unwrap_or_else(|| v.clone()))
    };
    let boolean = |key: &str| field(key).and_then(|v| v.as_bool());
    let string =
        |key: &str| field(key).and_then(|v| v.as_str().map(|s| s.trim_matches('"').to_string()));
    Ok(MdatpHealth {
        healthy: boolean("healthy"),
        licensed: boolean("licensed"),
        real_time_protection: boolean("real_time_protection_enabled"),
        definitions_status: string("definitions_status"),
        app_version: string("app_version"),
    })
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

/// The process names `pgrep -l` printed (`1234 clamd`).
pub fn pgrep_names(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.split_whitespace().nth(1).map(str::to_string))
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
