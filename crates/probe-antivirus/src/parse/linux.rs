//! Pure parsers for the Linux-only outputs: ClamAV's version line, `pgrep -l`, CrowdStrike's
//! `falconctl -g`, SentinelOne's `sentinelctl control status`, Bitdefender's `bduitool get ps`,
//! Sophos' `savdstatus`, Trend Micro's `dsa_query`, and `systemctl show`. Text in, typed values
//! out; what they mean for protection is [`crate::policy`]'s business.

use super::fields::colon_fields;
use crate::services::ServiceState;
use std::collections::BTreeMap;
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

/// The options `falconctl -g` printed: `name="v"`, `name=v`, `name is not set`, `version = v`.
/// `None` for an option it reported as not set.
pub fn falconctl_options(text: &str) -> BTreeMap<String, Option<String>> {
    let mut options = BTreeMap::new();
    for item in text.split([',', '\n']) {
        let item = item.trim().trim_end_matches('.').trim();
        if item.is_empty() {
            continue;
        }
        if let Some(name) = item.strip_suffix(" is not set") {
            options.insert(name.trim().to_ascii_lowercase(), None);
        } else if let Some((name, value)) = item.split_once('=') {
            let value = value.trim().trim_matches('"').to_string();
            let name = name.trim().to_ascii_lowercase();
            if !name.contains(char::is_whitespace) {
                options.insert(name, Some(value));
            }
        }
    }
    options
}

/// What `falconctl -g --rfm-state --aid --version` says, read from [`falconctl_options`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FalconctlStatus {
    /// `version = …`, when printed.
    pub version: Option<String>,
    /// `rfm-state`: whether the sensor is in Reduced Functionality Mode, or why that is not
    /// known (not printed, reported as not set, or neither true nor false).
    pub rfm: Result<bool, String>,
    /// `aid`: `None` when not printed, `Some(None)` when reported as not set (the sensor has
    /// never registered), else the agent ID.
    pub aid: Option<Option<String>>,
}

/// Parses `falconctl -g --rfm-state --aid --version`.
pub fn falconctl_status(text: &str) -> FalconctlStatus {
    let options = falconctl_options(text);
    let rfm = match options.get("rfm-state") {
        None => Err("falconctl printed no rfm-state".to_string()),
        Some(None) => Err(
            "falconctl reports rfm-state as not set: the sensor has not reported its mode yet"
                .to_string(),
        ),
        Some(Some(v)) => match v.as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            other => Err(format!(
                "falconctl printed rfm-state `{other}`, neither true nor false"
            )),
        },
    };
    FalconctlStatus {
        version: options.get("version").cloned().flatten(),
        rfm,
        aid: options.get("aid").cloned(),
    }
}

/// What `sentinelctl control status` (Linux) says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SentinelctlControlStatus {
    /// The `Agent state` value (`Enabled`, `Disabled`, …), when printed.
    pub agent_state: Option<String>,
    /// `Agent version:`.
    pub version: Option<String>,
}

/// Parses Linux `sentinelctl control status`.
pub fn sentinelctl_control_status(text: &str) -> SentinelctlControlStatus {
    SentinelctlControlStatus {
        agent_state: text
            .lines()
            .map(str::trim)
            .find_map(|l| l.strip_prefix("Agent state"))
            .map(|rest| rest.trim().trim_start_matches(':').trim().to_string()),
        version: text
            .lines()
            .find_map(|l| l.trim().strip_prefix("Agent version:"))
            .map(|v| v.trim().to_string()),
    }
}

/// What Bitdefender `bduitool get ps` says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BduitoolPs {
    /// `Product version:`.
    pub version: Option<String>,
    /// `Last security content update:`.
    pub last_security_content_update: Option<String>,
    /// `Antimalware status:` (`On`, `Off`).
    pub antimalware_status: Option<String>,
    /// `New security content available:` (`yes`, `no`).
    pub new_security_content_available: Option<String>,
}

/// Parses `bduitool get ps` (its `  - ` list markers dropped).
pub fn bduitool_ps(text: &str) -> BduitoolPs {
    let fields = colon_fields(&text.replace("  - ", ""));
    BduitoolPs {
        version: fields.get("product version").cloned(),
        last_security_content_update: fields.get("last security content update").cloned(),
        antimalware_status: fields.get("antimalware status").cloned(),
        new_security_content_available: fields.get("new security content available").cloned(),
    }
}

/// The `Sophos Anti-Virus …` sentence of `savdstatus`, when printed.
pub fn savdstatus(text: &str) -> Option<String> {
    text.lines()
        .map(str::trim)
        .find(|l| l.starts_with("Sophos Anti-Virus"))
        .map(str::to_string)
}

/// `AgentStatus.agentState` from Trend Micro `dsa_query -c GetAgentStatus`, when printed.
pub fn dsa_agent_state(text: &str) -> Option<String> {
    text.lines()
        .find_map(|l| l.trim().strip_prefix("AgentStatus.agentState:"))
        .map(|s| s.trim().to_string())
}

/// Parses `systemctl show -p Id,LoadState,ActiveState,SubState,UnitFileState -- UNIT…`: one
/// block per unit. `Err` when a unit asked about has no block (the text is not systemctl's).
pub fn parse_systemctl_show(
    text: &str,
    names: &[&str],
) -> Result<BTreeMap<String, ServiceState>, String> {
    let mut found: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for block in text.split("\n\n") {
        let fields: BTreeMap<String, String> = block
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect();
        if let Some(id) = fields.get("Id") {
            found.insert(id.clone(), fields);
        }
    }
    let mut states = BTreeMap::new();
    for name in names {
        let fields = found.get(*name).ok_or_else(|| {
            format!("systemctl printed no `Id={name}` block, so its output could not be read")
        })?;
        let get = |k: &str| fields.get(k).map(String::as_str).unwrap_or("");
        let state = match (get("LoadState"), get("ActiveState")) {
            ("not-found", _) => ServiceState::NotInstalled,
            ("loaded", "active") => ServiceState::Running,
            ("loaded" | "masked", active) if !active.is_empty() => ServiceState::Stopped(format!(
                "{active}/{}, unit file {}",
                get("SubState"),
                get("UnitFileState")
            )),
            (load, active) => {
                return Err(format!(
                    "systemctl printed LoadState `{load}` and ActiveState `{active}` for {name}, which it could not read"
                ));
            }
        };
        states.insert((*name).to_string(), state);
    }
    Ok(states)
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
    fn falcon_rfm_state() {
        assert_eq!(falcon_rfm("rfm-state=false.\n"), Some(false));
        assert_eq!(
            falcon_rfm("rfm-state=true, rfm-reason=Unspecified, code=0xC0000001.\n"),
            Some(true)
        );
        assert_eq!(falcon_rfm("Error: sensor not running"), None);
    }
}
