//! Pure parsers for the macOS-only outputs: CrowdStrike's `falconctl stats`, SentinelOne's
//! `sentinelctl status`, `spctl --status` and `launchctl list`.

use super::fields::colon_fields;
use crate::services::ServiceState;
use std::collections::BTreeMap;

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

/// What macOS `sentinelctl status` says, the fields that decide (each `None` when not printed
/// or printed empty; `version` as printed).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SentinelctlStatus {
    /// `Version:`.
    pub version: Option<String>,
    /// `Agent Operational State:`.
    pub agent_operational_state: Option<String>,
    /// `Protection:`.
    pub protection: Option<String>,
    /// `Ready:`.
    pub ready: Option<String>,
}

/// Parses macOS `sentinelctl status`.
pub fn sentinelctl_status(text: &str) -> SentinelctlStatus {
    let fields = colon_fields(text);
    let value = |key: &str| fields.get(key).filter(|v| !v.is_empty()).cloned();
    SentinelctlStatus {
        version: fields.get("version").cloned(),
        agent_operational_state: value("agent operational state"),
        protection: value("protection"),
        ready: value("ready"),
    }
}

/// Reads `spctl --status`: `Some(true)` for `assessments enabled`.
pub fn parse_gatekeeper(text: &str) -> Option<bool> {
    match text.trim() {
        "assessments enabled" => Some(true),
        "assessments disabled" => Some(false),
        _ => None,
    }
}

/// Parses `launchctl list` (`PID\tStatus\tLabel`, `-` for no PID). `Err` when the header is
/// missing (the text is not launchctl's list).
pub fn parse_launchctl_list(
    text: &str,
    names: &[&str],
) -> Result<BTreeMap<String, ServiceState>, String> {
    let mut lines = text.lines();
    let header = lines.next().unwrap_or("");
    if header.split_whitespace().collect::<Vec<_>>() != ["PID", "Status", "Label"] {
        return Err(format!(
            "launchctl list began with `{}`, not its `PID Status Label` header",
            header.chars().take(80).collect::<String>()
        ));
    }
    let mut listed = BTreeMap::new();
    for line in lines {
        let fields: Vec<&str> = line.split('\t').collect();
        if let [pid, status, label] = fields[..] {
            listed.insert(label.trim().to_string(), (pid.trim(), status.trim()));
        }
    }
    Ok(names
        .iter()
        .map(|name| {
            let state = match listed.get(*name) {
                None => ServiceState::NotInstalled,
                Some((pid, _)) if pid.parse::<u32>().is_ok() => ServiceState::Running,
                Some((_, status)) => {
                    ServiceState::Stopped(format!("loaded, not running, last exit status {status}"))
                }
            };
            ((*name).to_string(), state)
        })
        .collect())
}
