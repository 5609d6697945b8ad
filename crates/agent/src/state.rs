//! What the agent remembers between runs (`state.json` in the data folder): the resolved
//! Drata device ID and how it was found, and the last result per control. Written atomically;
//! a missing or unreadable file means "nothing remembered", never an error that stops a run.

use crate::atomic;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use time::OffsetDateTime;

/// How the device ID was found (the steps of the resolution order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// a. Given in config, environment or flag.
    Configured,
    /// b. Drata's device with this machine's serial number.
    SerialNumber,
    /// b. Drata's device with one of this machine's MAC addresses.
    MacAddress,
    /// c. Registered through the admin's custom device connection.
    CustomConnection,
    /// d. The owner's personnel ID, used as the device ID (Drata keeps a placeholder device).
    PersonnelId,
}

impl Method {
    /// Words for `devidence status`.
    pub fn describe(self) -> &'static str {
        match self {
            Method::Configured => "configured device_id",
            Method::SerialNumber => "Drata device found by serial number",
            Method::MacAddress => "Drata device found by MAC address",
            Method::CustomConnection => "device registered through the custom device connection",
            Method::PersonnelId => "owner's personnel ID used as the device ID",
        }
    }
}

/// A resolved device ID and how it was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolvedDevice {
    /// The ID evidence is uploaded to.
    pub id: String,
    /// Which step found it.
    pub method: Method,
    /// Why, in a sentence (e.g. which serial number matched).
    pub why: String,
    /// When it was resolved.
    #[serde(with = "time::serde::rfc3339")]
    pub resolved_at: OffsetDateTime,
    /// The API it belongs to; a different API URL means resolving again.
    pub api_url: String,
    /// The serial number it was resolved for; a different machine means resolving again.
    pub serial_number: Option<String>,
}

/// The last result for one control.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlResult {
    /// `pass`, `fail` or `unknown`.
    pub verdict: String,
    /// When it was collected.
    #[serde(with = "time::serde::rfc3339")]
    pub collected_at: OffsetDateTime,
    /// `sent`, `pending` (in the spool), `rejected` or `not uploaded` (collect only).
    pub upload: String,
    /// Drata document IDs of the last delivered files.
    #[serde(default)]
    pub documents: Vec<String>,
    /// When this control's evidence was last delivered.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub delivered_at: Option<OffsetDateTime>,
    /// The last upload error, if any.
    #[serde(default)]
    pub error: Option<String>,
}

/// Everything remembered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// The resolved device, if any.
    #[serde(default)]
    pub device: Option<ResolvedDevice>,
    /// When the last run ended.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub last_run_at: Option<OffsetDateTime>,
    /// The last run's outcome in a sentence.
    #[serde(default)]
    pub last_run_outcome: Option<String>,
    /// Last result per control (keyed by control slug).
    #[serde(default)]
    pub controls: BTreeMap<String, ControlResult>,
}

/// The state file in `data_dir`.
pub fn path(data_dir: &Path) -> PathBuf {
    data_dir.join("state.json")
}

impl State {
    /// Reads the state; missing or unreadable (logged) is the empty state.
    pub fn load(file: &Path) -> State {
        match atomic::read_capped(file, atomic::SMALL_FILE_BYTES, false) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                tracing::warn!(path = %file.display(), "ignoring an unreadable state file: {e}");
                State::default()
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => State::default(),
            Err(e) => {
                tracing::warn!(path = %file.display(), "cannot read the state file: {e}");
                State::default()
            }
        }
    }

    /// Writes the state atomically.
    pub fn save(&self, file: &Path) -> std::io::Result<()> {
        if let Some(dir) = file.parent() {
            atomic::create_private_dir(dir)?;
        }
        let json = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        atomic::write(file, &json)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn round_trips_and_tolerates_garbage() {
        let dir = tempfile::tempdir().unwrap();
        let file = path(dir.path());
        assert_eq!(State::load(&file), State::default());
        let state = State {
            device: Some(ResolvedDevice {
                id: "42".into(),
                method: Method::SerialNumber,
                why: "serial SN1".into(),
                resolved_at: OffsetDateTime::UNIX_EPOCH,
                api_url: "https://x".into(),
                serial_number: Some("SN1".into()),
            }),
            ..State::default()
        };
        state.save(&file).unwrap();
        assert_eq!(State::load(&file), state);
        std::fs::write(&file, b"{not json").unwrap();
        assert_eq!(State::load(&file), State::default());
    }
}
