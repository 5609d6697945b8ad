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
    /// Verdict thresholds.
    #[serde(default)]
    pub policy: Policy,
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
    /// The API key, when available.
    pub api_key: Option<SecretString>,
    /// Verdict thresholds.
    pub policy: Policy,
    /// Take a real screenshot for the evidence picture where a display exists.
    pub screenshot: bool,
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
            .finish()
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
    /// The API key file could not be read.
    #[error("cannot read the API key file {path}: {source}")]
    KeyFile {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
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

    #[cfg(test)]
    fn from_pairs(pairs: &[(&str, &str)]) -> Env {
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

    let pick = |flag: &Option<String>,
                env_key: Option<&str>,
                file: &Option<String>|
     -> Option<(String, String)> {
        flag.clone()
            .map(|v| (v, "command line".to_string()))
            .or_else(|| {
                env_key.and_then(|k| env.get(k).map(|v| (v, format!("environment variable {k}"))))
            })
            .or_else(|| file.clone().map(|v| (v, file_origin.clone())))
    };

    let api_url = match pick(&flags.api_url, Some("DEVIDENCE_API_URL"), &file.api_url) {
        Some((url, _)) => url,
        None => {
            let (region, origin) = pick(&flags.region, Some("DEVIDENCE_REGION"), &file.region)
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
    let device_id = pick(
        &flags.device_id,
        Some("DEVIDENCE_DEVICE_ID"),
        &file.device_id,
    )
    .map(|(v, _)| v);
    let format = match pick(&flags.format, Some("DEVIDENCE_FORMAT"), &file.format) {
        Some((value, origin)) => value.parse().map_err(|hint| ConfigError::Value {
            setting: "format",
            value,
            origin,
            hint,
        })?,
        None => Format::default(),
    };
    let key_file = flags.api_key_file.clone().or(file.api_key_file.clone());
    let api_key = match env.get("DRATA_API_KEY") {
        Some(key) => Some(SecretString::from(key.trim().to_string())),
        None => match key_file {
            Some(path) => {
                let key = std::fs::read_to_string(&path)
                    .map_err(|source| ConfigError::KeyFile { path, source })?;
                Some(SecretString::from(key.trim().to_string()))
            }
            None => None,
        },
    };
    let screenshot = flags.screenshot
        || matches!(
            env.get("DEVIDENCE_SCREENSHOT").as_deref(),
            Some("1" | "true" | "yes")
        )
        || file.screenshot.unwrap_or(false);
    Ok(Settings {
        source,
        api_url,
        device_id,
        format,
        api_key,
        policy: file.policy,
        screenshot,
    })
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
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
