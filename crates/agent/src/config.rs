//! Settings: a TOML file, overridden by environment variables, overridden by flags.

use devidence_core::Policy;
use secrecy::SecretString;
use serde::Deserialize;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// Which evidence files are uploaded for each control.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// The PDF report (default).
    #[default]
    Pdf,
    /// The PNG image.
    Png,
    /// Both files.
    Both,
}

impl Format {
    /// The file extensions this format uploads.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Format::Pdf => &["pdf"],
            Format::Png => &["png"],
            Format::Both => &["pdf", "png"],
        }
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Format, String> {
        match s.to_ascii_lowercase().as_str() {
            "pdf" => Ok(Format::Pdf),
            "png" => Ok(Format::Png),
            "both" => Ok(Format::Both),
            _ => Err(format!("unknown format `{s}`; expected pdf, png or both")),
        }
    }
}

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

/// The effective schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    /// Between two checks.
    pub interval: std::time::Duration,
    /// Random delay added to each.
    pub splay: std::time::Duration,
    /// Retry delay while evidence waits in the spool.
    pub retry: std::time::Duration,
    /// Least time between uploads of unchanged verdicts.
    pub min_upload: std::time::Duration,
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

/// Where findings go as custom data records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordTarget {
    /// Connection and resource.
    pub resource: drata_client::custom_data::Resource,
    /// One bulk request (true) or one request per record.
    pub bulk: bool,
}

/// Values given on the command line (highest precedence).
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    /// `--region`.
    pub region: Option<String>,
    /// `--api-url`.
    pub api_url: Option<String>,
    /// `--device-id`.
    pub device_id: Option<String>,
    /// `--format`.
    pub format: Option<String>,
    /// `--api-key-file`.
    pub api_key_file: Option<PathBuf>,
    /// `--screenshot`.
    pub screenshot: bool,
    /// `--owner-email`.
    pub owner_email: Option<String>,
}

/// The effective settings of one invocation.
pub struct Settings {
    /// Where they were read from (None: no file).
    pub source: Option<PathBuf>,
    /// Resolved API base URL.
    pub api_url: String,
    /// Device ID, when configured.
    pub device_id: Option<String>,
    /// Upload format.
    pub format: Format,
    /// The API key from `DRATA_API_KEY`, when set (see `secrets::api_key` for the full order).
    pub api_key: Option<SecretString>,
    /// The key file (`api_key_file` / `--api-key-file`), the last place the key is looked for.
    pub api_key_file: Option<PathBuf>,
    /// Verdict thresholds.
    pub policy: Policy,
    /// Take a real screenshot for the evidence picture where a display exists.
    pub screenshot: bool,
    /// The owner's email, and where it came from.
    pub owner_email: Option<(String, String)>,
    /// The agent's data folder (spool, state, evidence).
    pub data_dir: PathBuf,
    /// Smallest gap between two requests.
    pub request_interval: std::time::Duration,
    /// Longest one request may take, answer included.
    pub request_timeout: std::time::Duration,
    /// Dated evidence folders `run` keeps under the data folder.
    pub keep_evidence_runs: usize,
    /// The custom device connection to register through (resolution step c).
    pub device_connection_id: Option<u64>,
    /// Where findings are pushed as records, if anywhere.
    pub records: Option<RecordTarget>,
    /// Serial number override for talking to Drata (the evidence keeps what the OS reports).
    pub serial_number: Option<String>,
    /// Spool bounds.
    pub spool: crate::spool::Limits,
    /// The background schedule.
    pub schedule: Schedule,
}

impl Settings {
    /// The redactor for this invocation: the built-in secret shapes plus the API key, when
    /// known, in any case or encoding.
    pub fn redactor(&self) -> devidence_core::redact::Redactor {
        use secrecy::ExposeSecret;
        let redactor = devidence_core::redact::Redactor::new();
        match &self.api_key {
            Some(key) => redactor.with_literal(key.expose_secret()),
            None => redactor,
        }
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("source", &self.source)
            .field("api_url", &self.api_url)
            .field("device_id", &self.device_id)
            .field("format", &self.format)
            .field("api_key", &self.api_key.as_ref().map(|_| "[set]"))
            .field("policy", &self.policy)
            .field("screenshot", &self.screenshot)
            .field("owner_email", &self.owner_email)
            .field("data_dir", &self.data_dir)
            .field("device_connection_id", &self.device_connection_id)
            .field("records", &self.records)
            .finish_non_exhaustive()
    }
}

/// A setting that cannot be used; the message says what to change and where.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file named with `--config` does not exist or cannot be read.
    #[error(
        "cannot read the configuration file {path}: {source}. Check the path given with --config."
    )]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML or has an unknown/ill-typed setting.
    #[error("the configuration file {path} is invalid: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's explanation, with line and column.
        message: String,
    },
    /// A value is out of its allowed set.
    #[error("invalid {setting} `{value}` (from {origin}): {hint}")]
    Value {
        /// Setting name.
        setting: &'static str,
        /// Value given.
        value: String,
        /// Where it came from.
        origin: String,
        /// What is allowed.
        hint: String,
    },
}

/// The configuration file read when `--config` is not given.
pub fn default_config_path() -> PathBuf {
    if cfg!(target_os = "macos") {
        PathBuf::from("/Library/Application Support/devidence/config.toml")
    } else if cfg!(windows) {
        let base = std::env::var_os("ProgramData").unwrap_or_else(|| "C:\\ProgramData".into());
        PathBuf::from(base).join("devidence").join("config.toml")
    } else {
        PathBuf::from("/etc/devidence/config.toml")
    }
}

/// Looks up one environment variable (empty values count as unset).
type Lookup = Box<dyn Fn(&str) -> Option<String>>;

/// Environment variables the agent reads.
pub struct Env {
    lookup: Lookup,
}

impl Env {
    /// The process environment.
    pub fn process() -> Env {
        Env {
            lookup: Box::new(|k| std::env::var(k).ok().filter(|v| !v.is_empty())),
        }
    }

    /// A fixed environment (tests and fuzz targets): only these variables are set.
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Env {
        let map: std::collections::HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Env {
            lookup: Box::new(move |k| map.get(k).cloned()),
        }
    }

    fn get(&self, key: &str) -> Option<String> {
        (self.lookup)(key)
    }
}

/// Loads settings: `explicit` file (must exist) or the default file (may be absent), then the
/// environment, then `flags`.
pub fn load(
    explicit: Option<&Path>,
    env: &Env,
    flags: &Overrides,
) -> Result<Settings, ConfigError> {
    let (file, source) = match explicit {
        Some(path) => (read_file(path)?, Some(path.to_path_buf())),
        None => {
            let path = default_config_path();
            if path.exists() {
                (read_file(&path)?, Some(path))
            } else {
                (FileConfig::default(), None)
            }
        }
    };
    let file_origin = source
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "defaults".into());

    let managed = crate::managed::load().unwrap_or_default();
    // Flags, then environment, then MDM-managed settings, then the file.
    let pick_managed = |flag: &Option<String>,
                        env_key: Option<&str>,
                        managed_value: &Option<String>,
                        file: &Option<String>|
     -> Option<(String, String)> {
        flag.clone()
            .map(|v| (v, "command line".to_string()))
            .or_else(|| {
                env_key.and_then(|k| env.get(k).map(|v| (v, format!("environment variable {k}"))))
            })
            .or_else(|| managed_value.clone().map(|v| (v, managed.origin.clone())))
            .or_else(|| file.clone().map(|v| (v, file_origin.clone())))
    };
    let pick = |flag: &Option<String>, env_key: Option<&str>, file: &Option<String>| {
        pick_managed(flag, env_key, &None, file)
    };

    let api_url = match pick_managed(
        &flags.api_url,
        Some("DEVIDENCE_API_URL"),
        &managed.api_url,
        &file.api_url,
    ) {
        Some((url, _)) => url,
        None => {
            let (region, origin) = pick_managed(
                &flags.region,
                Some("DEVIDENCE_REGION"),
                &managed.region,
                &file.region,
            )
            .unwrap_or_else(|| ("us".into(), "default".into()));
            let region: drata_client::Region = region.parse().map_err(|_| ConfigError::Value {
                setting: "region",
                value: region.clone(),
                origin,
                hint: "expected us, eu or apac (or set api_url)".into(),
            })?;
            region.base_url().to_string()
        }
    };
    let device_id = match pick_managed(
        &flags.device_id,
        Some("DEVIDENCE_DEVICE_ID"),
        &managed.device_id,
        &file.device_id,
    ) {
        Some((id, origin)) => {
            let id = id.trim().to_string();
            // Drata's device and personnel IDs are numbers (the spec types `deviceId` as one);
            // anything else would be sent as a path segment (`..` included).
            if id.is_empty() || id.len() > 19 || !id.bytes().all(|b| b.is_ascii_digit()) {
                return Err(ConfigError::Value {
                    setting: "device_id",
                    value: printable(&id),
                    origin,
                    hint: "expected Drata's numeric device ID (or the owner's numeric personnel ID), e.g. 4242".into(),
                });
            }
            Some(id)
        }
        None => None,
    };
    let format = match pick(&flags.format, Some("DEVIDENCE_FORMAT"), &file.format) {
        Some((value, origin)) => value.parse().map_err(|hint| ConfigError::Value {
            setting: "format",
            value,
            origin,
            hint,
        })?,
        None => Format::default(),
    };
    let api_key_file = flags.api_key_file.clone().or(file.api_key_file.clone());
    // Only the environment here; the keychain and the key file are read when a command needs
    // the key (`secrets::api_key`), so `check` never touches the keychain.
    let api_key = env
        .get("DRATA_API_KEY")
        .map(|key| SecretString::from(key.trim().to_string()));
    let screenshot = flags.screenshot
        || matches!(
            env.get("DEVIDENCE_SCREENSHOT").as_deref(),
            Some("1" | "true" | "yes")
        )
        || file.screenshot.unwrap_or(false);
    let owner_email = pick_managed(
        &flags.owner_email,
        Some("DEVIDENCE_OWNER_EMAIL"),
        &managed.owner_email,
        &file.owner_email,
    );
    if let Some((email, origin)) = &owner_email {
        let looks_like_email = email
            .split_once('@')
            .is_some_and(|(user, domain)| !user.is_empty() && domain.contains('.'))
            && !email
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '/')
            && email.len() <= 254;
        if !looks_like_email {
            return Err(ConfigError::Value {
                setting: "owner_email",
                value: printable(email),
                origin: origin.clone(),
                hint: "expected the owner's email address as Drata knows it, e.g. jane@example.com"
                    .into(),
            });
        }
    }
    let data_dir = env
        .get("DEVIDENCE_DATA_DIR")
        .map(PathBuf::from)
        .or(file.data_dir.clone())
        .unwrap_or_else(crate::paths::data_dir);
    let custom = &file.custom_connection;
    let records = match (custom.connection_id, custom.resource_id) {
        (Some(connection_id), Some(resource_id)) => Some(RecordTarget {
            resource: drata_client::custom_data::Resource {
                connection_id,
                resource_id,
            },
            bulk: match custom.push.as_deref() {
                None | Some("bulk") => true,
                Some("single") => false,
                Some(other) => {
                    return Err(ConfigError::Value {
                        setting: "custom_connection.push",
                        value: other.to_string(),
                        origin: file_origin.clone(),
                        hint: "expected bulk or single".into(),
                    });
                }
            },
        }),
        (None, None) => None,
        _ => {
            return Err(ConfigError::Value {
                setting: "custom_connection",
                value: format!(
                    "connection_id = {:?}, resource_id = {:?}",
                    custom.connection_id, custom.resource_id
                ),
                origin: file_origin.clone(),
                hint:
                    "set both connection_id and resource_id to push findings as records, or neither"
                        .into(),
            });
        }
    };
    let in_range = |setting: &'static str,
                    value: Option<u64>,
                    range: std::ops::RangeInclusive<u64>,
                    unit: &str| {
        match value {
            Some(v) if !range.contains(&v) => Err(ConfigError::Value {
                setting,
                value: v.to_string(),
                origin: file_origin.clone(),
                hint: format!("expected {} to {} {unit}", range.start(), range.end()),
            }),
            other => Ok(other),
        }
    };
    let defaults = crate::spool::Limits::default();
    let max_items = in_range(
        "spool.max_items",
        file.spool.max_items.map(|n| n as u64),
        1..=100_000,
        "items",
    )?;
    let max_mb = in_range("spool.max_mb", file.spool.max_mb, 1..=100_000, "MB")?;
    let spool = crate::spool::Limits {
        max_items: max_items.map_or(defaults.max_items, |n| n as usize),
        max_bytes: max_mb.map_or(defaults.max_bytes, |mb| mb * 1024 * 1024),
    };
    let sched = &file.schedule;
    let interval_minutes = in_range(
        "schedule.interval_minutes",
        sched.interval_minutes,
        MIN_INTERVAL_MINUTES..=MAX_INTERVAL_MINUTES,
        "minutes",
    )?;
    let splay_minutes = in_range(
        "schedule.splay_minutes",
        sched.splay_minutes,
        0..=1440,
        "minutes",
    )?;
    let retry_minutes = in_range(
        "schedule.retry_minutes",
        sched.retry_minutes,
        1..=1440,
        "minutes",
    )?;
    let min_upload_hours = in_range(
        "schedule.min_upload_hours",
        sched.min_upload_hours,
        0..=24 * 31,
        "hours",
    )?;
    let request_interval_ms = in_range(
        "request_interval_ms",
        file.request_interval_ms,
        0..=60_000,
        "milliseconds",
    )?;
    let request_timeout_seconds = in_range(
        "request_timeout_seconds",
        file.request_timeout_seconds,
        1..=3600,
        "seconds",
    )?;
    let keep_evidence_runs = in_range(
        "keep_evidence_runs",
        file.keep_evidence_runs,
        1..=1000,
        "runs",
    )?;
    if file.spool.max_age_days.is_some() {
        tracing::warn!(
            "[spool] max_age_days is no longer used and can be removed: unsent evidence is kept whatever its age (a wrong clock would otherwise drop it); max_items and max_mb bound the spool"
        );
    }
    // Seconds in the environment are for tests and trials; admins set minutes in the file.
    let seconds = |key: &'static str, range: std::ops::RangeInclusive<u64>| match env.get(key) {
        None => Ok(None),
        Some(raw) => match raw.trim().parse::<u64>() {
            Ok(v) if range.contains(&v) => Ok(Some(std::time::Duration::from_secs(v))),
            _ => Err(ConfigError::Value {
                setting: key,
                value: printable(&raw),
                origin: format!("environment variable {key}"),
                hint: format!(
                    "expected whole seconds from {} to {}",
                    range.start(),
                    range.end()
                ),
            }),
        },
    };
    let minutes =
        |m: Option<u64>, default: u64| std::time::Duration::from_secs(m.unwrap_or(default) * 60);
    let schedule = Schedule {
        interval: seconds("DEVIDENCE_INTERVAL_SECONDS", 1..=MAX_INTERVAL_MINUTES * 60)?
            .unwrap_or_else(|| minutes(interval_minutes, 120)),
        splay: seconds("DEVIDENCE_SPLAY_SECONDS", 0..=86_400)?
            .unwrap_or_else(|| minutes(splay_minutes, 15)),
        retry: seconds("DEVIDENCE_RETRY_SECONDS", 1..=86_400)?
            .unwrap_or_else(|| minutes(retry_minutes, 10)),
        min_upload: std::time::Duration::from_secs(min_upload_hours.unwrap_or(24) * 3600),
    };
    Ok(Settings {
        schedule,
        source,
        api_url,
        device_id,
        format,
        api_key,
        api_key_file,
        policy: file.policy,
        screenshot,
        owner_email,
        data_dir,
        request_interval: std::time::Duration::from_millis(
            request_interval_ms.unwrap_or(drata_client::DEFAULT_MIN_INTERVAL.as_millis() as u64),
        ),
        request_timeout: seconds("DEVIDENCE_REQUEST_TIMEOUT_SECONDS", 1..=3600)?
            .or(request_timeout_seconds.map(std::time::Duration::from_secs))
            .unwrap_or(drata_client::REQUEST_TIMEOUT),
        keep_evidence_runs: keep_evidence_runs.map_or(DEFAULT_KEEP_EVIDENCE_RUNS, |n| n as usize),
        device_connection_id: custom.device_connection_id,
        records,
        spool,
        serial_number: env
            .get("DEVIDENCE_SERIAL_NUMBER")
            .or(file.serial_number.clone())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
    })
}

/// The shortest and longest `[schedule] interval_minutes`: a check at most every ten minutes
/// (more would cost the laptop without telling an auditor more) and at least weekly.
pub const MIN_INTERVAL_MINUTES: u64 = 10;
/// See [`MIN_INTERVAL_MINUTES`].
pub const MAX_INTERVAL_MINUTES: u64 = 7 * 24 * 60;
/// Dated evidence folders kept by default.
pub const DEFAULT_KEEP_EVIDENCE_RUNS: usize = 10;

/// A value as an error message may show it: control characters escaped, at most 80 characters.
fn printable(value: &str) -> String {
    let escaped: String = value.chars().flat_map(char::escape_debug).collect();
    match escaped.char_indices().nth(80) {
        Some((cut, _)) => format!("{}…", &escaped[..cut]),
        None => escaped,
    }
}

/// Largest configuration file read: real ones are a few hundred bytes, and the TOML parser's
/// memory grows with the file (about 50× for 2 MiB of blank lines).
const MAX_CONFIG_BYTES: u64 = 256 * 1024;

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use secrecy::ExposeSecret;

    fn write(text: &str) -> tempfile::NamedTempFile {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), text).unwrap();
        file
    }

    #[test]
    fn an_oversized_file_is_refused_before_parsing() {
        let file = write(&"\n".repeat(300 * 1024));
        let error = load(
            Some(file.path()),
            &Env::from_pairs(&[]),
            &Overrides::default(),
        )
        .err()
        .unwrap();
        assert!(
            error.to_string().contains("more than the 262144"),
            "{error}"
        );
    }

    #[test]
    fn flags_override_env_which_overrides_the_file() {
        let file = write("region = \"eu\"\ndevice_id = \"1\"\nformat = \"png\"\n");
        let env = Env::from_pairs(&[
            ("DEVIDENCE_DEVICE_ID", "2"),
            ("DRATA_API_KEY", "k-123456789"),
        ]);
        let s = load(Some(file.path()), &env, &Overrides::default()).unwrap();
        assert_eq!(s.api_url, "https://public-api.eu.drata.com/public/v2");
        assert_eq!(s.device_id.as_deref(), Some("2"));
        assert_eq!(s.format, Format::Png);
        assert_eq!(s.api_key.as_ref().unwrap().expose_secret(), "k-123456789");
        let flags = Overrides {
            device_id: Some("3".into()),
            api_url: Some("http://127.0.0.1:9".into()),
            ..Overrides::default()
        };
        let s = load(Some(file.path()), &env, &flags).unwrap();
        assert_eq!(s.device_id.as_deref(), Some("3"));
        assert_eq!(s.api_url, "http://127.0.0.1:9");
        assert!(!format!("{s:?}").contains("k-123456789"));
    }

    #[test]
    fn out_of_range_or_malformed_values_are_refused_at_load() {
        let err = |text: &str, env: &[(&str, &str)]| {
            let file = write(text);
            load(
                Some(file.path()),
                &Env::from_pairs(env),
                &Overrides::default(),
            )
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
        };
        for (text, says) in [
            (
                "[schedule]\ninterval_minutes = 0\n",
                "schedule.interval_minutes",
            ),
            (
                "[schedule]\ninterval_minutes = 18446744073709551615\n",
                "expected 10 to 10080 minutes",
            ),
            ("[schedule]\nretry_minutes = 0\n", "schedule.retry_minutes"),
            (
                "[schedule]\nsplay_minutes = 100000\n",
                "schedule.splay_minutes",
            ),
            (
                "[schedule]\nmin_upload_hours = 100000\n",
                "min_upload_hours",
            ),
            ("request_timeout_seconds = 0\n", "request_timeout_seconds"),
            ("request_interval_ms = 999999999\n", "request_interval_ms"),
            ("[spool]\nmax_items = 0\n", "spool.max_items"),
            ("device_id = \"..\"\n", "numeric device ID"),
            ("device_id = \"42/../documents\"\n", "numeric device ID"),
            (
                "owner_email = \"a@b.c\\u0000x\"\n",
                "invalid owner_email `a@b.c\\0x`",
            ),
            ("owner_email = \"a@b.c\\nX-Evil: 1\"\n", "owner_email"),
            ("keep_evidence_runs = 0\n", "keep_evidence_runs"),
        ] {
            let got = err(text, &[]);
            assert!(got.contains(says), "{text:?}: `{got}` lacks `{says}`");
        }
        for (key, value) in [
            ("DEVIDENCE_INTERVAL_SECONDS", "0"),
            ("DEVIDENCE_RETRY_SECONDS", "soon"),
            ("DEVIDENCE_REQUEST_TIMEOUT_SECONDS", "-1"),
            ("DEVIDENCE_DEVICE_ID", "abc"),
        ] {
            let got = err("", &[(key, value)]);
            assert!(
                got.contains(key) || got.contains("device_id"),
                "{key}: {got}"
            );
        }
        let file = write("device_id = \" 4242 \"\n[schedule]\ninterval_minutes = 10080\n");
        let s = load(
            Some(file.path()),
            &Env::from_pairs(&[]),
            &Overrides::default(),
        )
        .unwrap();
        assert_eq!(s.device_id.as_deref(), Some("4242"));
        assert_eq!(
            s.schedule.interval,
            std::time::Duration::from_secs(10080 * 60)
        );
    }

    #[test]
    fn the_shipped_example_config_is_valid() {
        let example = include_str!("../../../installers/config.example.toml");
        let file: FileConfig = toml::from_str(example).unwrap();
        assert_eq!(file.region.as_deref(), Some("us"));
        assert_eq!(file.policy, Policy::default());
    }

    #[test]
    fn bad_settings_say_what_is_wrong() {
        let file = write("regoin = \"eu\"\n");
        let err = load(
            Some(file.path()),
            &Env::from_pairs(&[]),
            &Overrides::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("regoin"), "{err}");
        let file = write("region = \"mars\"\n");
        let err = load(
            Some(file.path()),
            &Env::from_pairs(&[]),
            &Overrides::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("expected us, eu or apac"), "{err}");
        let err = load(
            Some(Path::new("/nonexistent/devidence.toml")),
            &Env::from_pairs(&[]),
            &Overrides::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("--config"), "{err}");
    }
}
