//! The configuration file as an admin writes it: every table and field optional, unknown
//! fields refused, read with a size cap.

use super::ConfigError;
use devidence_core::Policy;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The TOML file as written by an admin. Every field is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// `us`, `eu` or `apac`.
    pub region: Option<String>,
    /// Full API base URL (overrides `region`).
    pub api_url: Option<String>,
    /// The Drata device ID (or personnel ID) evidence is uploaded to.
    pub device_id: Option<String>,
    /// `pdf`, `png` or `both`.
    pub format: Option<String>,
    /// A file holding the API key (should be readable by root only).
    pub api_key_file: Option<PathBuf>,
    /// `true` to put a real screenshot (where a display exists) on each report instead of the
    /// rendered card. Off by default: a screenshot shows whatever is on the screen.
    pub screenshot: Option<bool>,
    /// The owner's email in Drata: their personnel ID is the upload target when Drata does not
    /// know this computer, and the owner of a device registered through a custom connection.
    pub owner_email: Option<String>,
    /// Where the spool and state live (default: the per-OS data folder, see README).
    pub data_dir: Option<PathBuf>,
    /// The serial number Drata knows this computer by, for machines whose firmware reports
    /// none or a placeholder (virtual machines, some self-built PCs).
    pub serial_number: Option<String>,
    /// Smallest gap between two requests to Drata, in milliseconds (default 250).
    pub request_interval_ms: Option<u64>,
    /// Longest one request to Drata may take in total, answer included, in seconds (default
    /// 60); a server that accepts the connection and never answers costs this much per attempt.
    pub request_timeout_seconds: Option<u64>,
    /// How many dated evidence folders `run` keeps under the data folder (default 10; the
    /// oldest are removed; folders given with `--out` are never touched).
    pub keep_evidence_runs: Option<u64>,
    /// Verdict thresholds.
    #[serde(default)]
    pub policy: Policy,
    /// Drata custom connection settings.
    #[serde(default)]
    pub custom_connection: CustomConnection,
    /// Offline spool bounds.
    #[serde(default)]
    pub spool: SpoolSettings,
    /// Background schedule (`devidence daemon`, `run --scheduled`).
    #[serde(default)]
    pub schedule: ScheduleSettings,
}

/// `[schedule]`: how often the background agent runs and uploads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleSettings {
    /// Minutes between two checks (default 120).
    pub interval_minutes: Option<u64>,
    /// Up to this many minutes of random delay before each check, so a fleet spreads out
    /// (default 15).
    pub splay_minutes: Option<u64>,
    /// Minutes before retrying when evidence is waiting in the spool (default 10).
    pub retry_minutes: Option<u64>,
    /// Hours between two uploads of unchanged verdicts (default 24); a changed verdict is
    /// uploaded at once.
    pub min_upload_hours: Option<u64>,
}

/// `[custom_connection]`: a custom device connection to register this computer through, and
/// a custom connection resource to push each run's findings to as records.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomConnection {
    /// The custom device connection's ID (Connections > MDM > Custom Device Connection).
    pub device_connection_id: Option<u64>,
    /// The custom connection that receives findings as records.
    pub connection_id: Option<u64>,
    /// Its resource that receives them.
    pub resource_id: Option<u64>,
    /// `bulk` (one request per run, default) or `single` (one request per record).
    pub push: Option<String>,
}

/// `[spool]`: bounds on unsent evidence.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpoolSettings {
    /// Most items kept (default 500).
    pub max_items: Option<usize>,
    /// Most megabytes kept (default 500).
    pub max_mb: Option<u64>,
    /// No longer used (accepted so older configuration files still load): unsent evidence
    /// is never dropped for its age, because a wrong clock would then drop it.
    pub max_age_days: Option<u64>,
}

/// Largest configuration file read: real ones are a few hundred bytes, and the TOML parser's
/// memory grows with the file (about 50× for 2 MiB of blank lines).
const MAX_CONFIG_BYTES: u64 = 256 * 1024;

/// Reads and parses the configuration file at `path`.
pub(super) fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let read_error = |source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    };
    // Opened once: a regular file of at most MAX_CONFIG_BYTES (a link to /dev/zero or a FIFO
    // is an error, not an endless read or a hang). The admin's file may be a link.
    let bytes = crate::atomic::read_capped(path, MAX_CONFIG_BYTES, true).map_err(read_error)?;
    let text = String::from_utf8(bytes).map_err(|e| ConfigError::Parse {
        path: path.to_path_buf(),
        message: format!(
            "the file is not UTF-8 text (invalid byte at offset {}); a devidence configuration is a TOML text file",
            e.utf8_error().valid_up_to()
        ),
    })?;
    toml::from_str(&text).map_err(|e| ConfigError::Parse {
        path: path.to_path_buf(),
        message: e.to_string().trim().to_string(),
    })
}
