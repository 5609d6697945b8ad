//! Settings, in two levels (as ripgrep's low-level and high-level arguments):
//! * [`layers`]: what each source says — flags, environment, MDM-managed settings, the
//!   configuration file ([`file`]) — merged by one function, [`Layer::merge`], each setting
//!   from the first source that sets it;
//! * this module: the merged values checked and turned into the effective [`Settings`], with
//!   an error naming the setting, the value and where it came from.

mod file;
mod layers;
#[cfg(test)]
mod tests;

pub use file::{CustomConnection, FileConfig, ScheduleSettings, SpoolSettings};
pub use layers::{Env, Layer, Overrides, Sourced};

use devidence_core::Policy;
use secrecy::SecretString;
use serde::Deserialize;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

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

/// Where findings go as custom data records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordTarget {
    /// Connection and resource.
    pub resource: drata_client::custom_data::Resource,
    /// One bulk request (true) or one request per record.
    pub bulk: bool,
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

/// Loads settings: `explicit` file (must exist) or the default file (may be absent), the
/// MDM-managed settings, the environment and `flags`, merged by [`Layer::merge`] and checked.
pub fn load(
    explicit: Option<&Path>,
    env: &Env,
    flags: &Overrides,
) -> Result<Settings, ConfigError> {
    let (file, source) = match explicit {
        Some(path) => (file::read_file(path)?, Some(path.to_path_buf())),
        None => {
            let path = default_config_path();
            if path.exists() {
                (file::read_file(&path)?, Some(path))
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
    let merged = Layer::merge([
        Layer::flags(flags),
        Layer::env(env),
        Layer::managed(&managed),
        Layer::file(&file, &file_origin),
    ]);
    resolve(merged, &file, &file_origin, env, source)
}

/// The high level: the merged layer and the file's own tables, checked and made effective.
fn resolve(
    merged: Layer,
    file: &FileConfig,
    file_origin: &str,
    env: &Env,
    source: Option<PathBuf>,
) -> Result<Settings, ConfigError> {
    let api_url = api_url(merged.api_url, merged.region)?;
    let device_id = merged.device_id.map(device_id).transpose()?;
    let format = match merged.format {
        Some(Sourced { value, origin }) => value.parse().map_err(|hint| ConfigError::Value {
            setting: "format",
            value,
            origin,
            hint,
        })?,
        None => Format::default(),
    };
    let owner_email = merged.owner_email.map(owner_email).transpose()?;
    let ranges = Ranges::of(file, file_origin)?;
    if file.spool.max_age_days.is_some() {
        tracing::warn!(
            "[spool] max_age_days is no longer used and can be removed: unsent evidence is kept whatever its age (a wrong clock would otherwise drop it); max_items and max_mb bound the spool"
        );
    }
    let defaults = crate::spool::Limits::default();
    Ok(Settings {
        schedule: schedule(&ranges, env)?,
        source,
        api_url,
        device_id,
        format,
        // Only the environment here; the keychain and the key file are read when a command
        // needs the key (`secrets::api_key`), so `check` never touches the keychain.
        api_key: env
            .get("DRATA_API_KEY")
            .map(|key| SecretString::from(key.trim().to_string())),
        api_key_file: merged.api_key_file.map(|s| s.value),
        policy: file.policy.clone(),
        screenshot: merged.screenshot.is_some_and(|s| s.value),
        owner_email,
        data_dir: merged
            .data_dir
            .map(|s| s.value)
            .unwrap_or_else(crate::paths::data_dir),
        request_interval: Duration::from_millis(
            ranges
                .request_interval_ms
                .unwrap_or(drata_client::DEFAULT_MIN_INTERVAL.as_millis() as u64),
        ),
        request_timeout: env_seconds(env, "DEVIDENCE_REQUEST_TIMEOUT_SECONDS", 1..=3600)?
            .or(ranges.request_timeout_seconds.map(Duration::from_secs))
            .unwrap_or(drata_client::REQUEST_TIMEOUT),
        keep_evidence_runs: ranges
            .keep_evidence_runs
            .map_or(DEFAULT_KEEP_EVIDENCE_RUNS, |n| n as usize),
        device_connection_id: file.custom_connection.device_connection_id,
        records: records(&file.custom_connection, file_origin)?,
        spool: crate::spool::Limits {
            max_items: ranges
                .spool_max_items
                .map_or(defaults.max_items, |n| n as usize),
            max_bytes: ranges
                .spool_max_mb
                .map_or(defaults.max_bytes, |mb| mb * 1024 * 1024),
        },
        serial_number: merged
            .serial_number
            .map(|s| s.value.trim().to_string())
            .filter(|s| !s.is_empty()),
    })
}

/// The API base URL: `api_url` as given, else the `region`'s (default us).
fn api_url(
    api_url: Option<Sourced<String>>,
    region: Option<Sourced<String>>,
) -> Result<String, ConfigError> {
    if let Some(url) = api_url {
        return Ok(url.value);
    }
    let Sourced { value, origin } = region.unwrap_or(Sourced {
        value: "us".into(),
        origin: "default".into(),
    });
    let region: drata_client::Region = value.parse().map_err(|_| ConfigError::Value {
        setting: "region",
        value: value.clone(),
        origin,
        hint: "expected us, eu or apac (or set api_url)".into(),
    })?;
    Ok(region.base_url().to_string())
}

/// A device ID as Drata's are: a number. The spec types `deviceId` as one; anything else
/// would be sent as a path segment (`..` included).
fn device_id(given: Sourced<String>) -> Result<String, ConfigError> {
    let id = given.value.trim().to_string();
    if id.is_empty() || id.len() > 19 || !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ConfigError::Value {
            setting: "device_id",
            value: printable(&id),
            origin: given.origin,
            hint: "expected Drata's numeric device ID (or the owner's numeric personnel ID), e.g. 4242".into(),
        });
    }
    Ok(id)
}

/// The owner's email, if it looks like one; kept with where it came from.
fn owner_email(given: Sourced<String>) -> Result<(String, String), ConfigError> {
    let email = &given.value;
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
            origin: given.origin,
            hint: "expected the owner's email address as Drata knows it, e.g. jane@example.com"
                .into(),
        });
    }
    Ok((given.value, given.origin))
}

/// `[custom_connection]`'s record target: both IDs or neither.
fn records(custom: &CustomConnection, origin: &str) -> Result<Option<RecordTarget>, ConfigError> {
    match (custom.connection_id, custom.resource_id) {
        (Some(connection_id), Some(resource_id)) => Ok(Some(RecordTarget {
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
                        origin: origin.to_string(),
                        hint: "expected bulk or single".into(),
                    });
                }
            },
        })),
        (None, None) => Ok(None),
        _ => Err(ConfigError::Value {
            setting: "custom_connection",
            value: format!(
                "connection_id = {:?}, resource_id = {:?}",
                custom.connection_id, custom.resource_id
            ),
            origin: origin.to_string(),
            hint: "set both connection_id and resource_id to push findings as records, or neither"
                .into(),
        }),
    }
}

/// The file's numeric settings, each checked against its allowed range.
struct Ranges {
    spool_max_items: Option<u64>,
    spool_max_mb: Option<u64>,
    interval_minutes: Option<u64>,
    splay_minutes: Option<u64>,
    retry_minutes: Option<u64>,
    min_upload_hours: Option<u64>,
    request_interval_ms: Option<u64>,
    request_timeout_seconds: Option<u64>,
    keep_evidence_runs: Option<u64>,
}

impl Ranges {
    fn of(file: &FileConfig, origin: &str) -> Result<Ranges, ConfigError> {
        let in_range = |setting: &'static str,
                        value: Option<u64>,
                        range: std::ops::RangeInclusive<u64>,
                        unit: &str| match value {
            Some(v) if !range.contains(&v) => Err(ConfigError::Value {
                setting,
                value: v.to_string(),
                origin: origin.to_string(),
                hint: format!("expected {} to {} {unit}", range.start(), range.end()),
            }),
            other => Ok(other),
        };
        let sched = &file.schedule;
        Ok(Ranges {
            spool_max_items: in_range(
                "spool.max_items",
                file.spool.max_items.map(|n| n as u64),
                1..=100_000,
                "items",
            )?,
            spool_max_mb: in_range("spool.max_mb", file.spool.max_mb, 1..=100_000, "MB")?,
            interval_minutes: in_range(
                "schedule.interval_minutes",
                sched.interval_minutes,
                MIN_INTERVAL_MINUTES..=MAX_INTERVAL_MINUTES,
                "minutes",
            )?,
            splay_minutes: in_range(
                "schedule.splay_minutes",
                sched.splay_minutes,
                0..=1440,
                "minutes",
            )?,
            retry_minutes: in_range(
                "schedule.retry_minutes",
                sched.retry_minutes,
                1..=1440,
                "minutes",
            )?,
            min_upload_hours: in_range(
                "schedule.min_upload_hours",
                sched.min_upload_hours,
                0..=24 * 31,
                "hours",
            )?,
            request_interval_ms: in_range(
                "request_interval_ms",
                file.request_interval_ms,
                0..=60_000,
                "milliseconds",
            )?,
            request_timeout_seconds: in_range(
                "request_timeout_seconds",
                file.request_timeout_seconds,
                1..=3600,
                "seconds",
            )?,
            keep_evidence_runs: in_range(
                "keep_evidence_runs",
                file.keep_evidence_runs,
                1..=1000,
                "runs",
            )?,
        })
    }
}

/// Whole seconds from the environment variable `key` (for tests and trials; admins set
/// minutes in the file), within `range`.
fn env_seconds(
    env: &Env,
    key: &'static str,
    range: std::ops::RangeInclusive<u64>,
) -> Result<Option<Duration>, ConfigError> {
    match env.get(key) {
        None => Ok(None),
        Some(raw) => match raw.trim().parse::<u64>() {
            Ok(v) if range.contains(&v) => Ok(Some(Duration::from_secs(v))),
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
    }
}

/// The background schedule: the environment's seconds over the file's minutes.
fn schedule(ranges: &Ranges, env: &Env) -> Result<Schedule, ConfigError> {
    let minutes = |m: Option<u64>, default: u64| Duration::from_secs(m.unwrap_or(default) * 60);
    Ok(Schedule {
        interval: env_seconds(
            env,
            "DEVIDENCE_INTERVAL_SECONDS",
            1..=MAX_INTERVAL_MINUTES * 60,
        )?
        .unwrap_or_else(|| minutes(ranges.interval_minutes, 120)),
        splay: env_seconds(env, "DEVIDENCE_SPLAY_SECONDS", 0..=86_400)?
            .unwrap_or_else(|| minutes(ranges.splay_minutes, 15)),
        retry: env_seconds(env, "DEVIDENCE_RETRY_SECONDS", 1..=86_400)?
            .unwrap_or_else(|| minutes(ranges.retry_minutes, 10)),
        min_upload: Duration::from_secs(ranges.min_upload_hours.unwrap_or(24) * 3600),
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
