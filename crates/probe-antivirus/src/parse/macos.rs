//! Pure parsers for the macOS-only outputs: CrowdStrike's `falconctl stats`, SentinelOne's
//! `sentinelctl status`, `spctl --status`, `launchctl list`, and XProtect's own command
//! (`xprotect version`, `xprotect status`, macOS 15 and later) with `defaults read`'s
//! "does not exist" answer.

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

/// What `xprotect version` (macOS 15 and later) says: the XProtect data version and when it
/// was installed, as printed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XprotectCliVersion {
    /// The number after `Version:`, e.g. `5346`.
    pub version: String,
    /// The text after `Installed:`, e.g. `2026-05-28 08:53:39 +0000`, when printed.
    pub installed: Option<String>,
}

/// Parses `xprotect version`: `Version: <n>` then `Installed: <date>`, on one line or two
/// (published only inside a table cell, so the line break is not known). `None` without a
/// `Version:` value.
pub fn parse_xprotect_version(text: &str) -> Option<XprotectCliVersion> {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let (_, after) = flat.split_once("Version:")?;
    let (version, installed) = match after.split_once("Installed:") {
        Some((version, installed)) => (version, Some(installed.trim())),
        None => (after, None),
    };
    let version = version.split_whitespace().next()?;
    Some(XprotectCliVersion {
        version: version.to_string(),
        installed: installed.filter(|i| !i.is_empty()).map(str::to_string),
    })
}

/// What `xprotect status` (macOS 15 and later) says about XProtect's two scan modes; each
/// `None` when its line is missing or says neither `enabled` nor `disabled`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct XprotectStatus {
    /// `XProtect launch scans: enabled|disabled` (code checked when it is launched).
    pub launch_scans: Option<bool>,
    /// `XProtect background scans: enabled|disabled`.
    pub background_scans: Option<bool>,
}

/// Parses `xprotect status`: `XProtect launch scans: …` and `XProtect background scans: …`.
pub fn parse_xprotect_status(text: &str) -> XprotectStatus {
    let mut status = XprotectStatus::default();
    for line in text.lines() {
        let Some((key, value)) = line.trim().split_once(':') else {
            continue;
        };
        let on = match value.trim() {
            "enabled" => true,
            "disabled" => false,
            _ => continue,
        };
        match key.trim().to_ascii_lowercase().as_str() {
            "xprotect launch scans" => status.launch_scans = Some(on),
            "xprotect background scans" => status.background_scans = Some(on),
            _ => {}
        }
    }
    status
}

/// Whether `defaults read <plist> <key>` failed because the file or key is not there: it says
/// `The domain/default pair of (<plist>, <key>) does not exist` on standard error.
pub fn defaults_says_absent(stderr: &str) -> bool {
    stderr.contains("does not exist")
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
