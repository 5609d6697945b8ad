//! The low level of the settings: what each source says, as written, with where it came from.
//! Four sources give values — command-line flags, environment variables, MDM-managed
//! settings and the configuration file — and [`Layer::merge`] takes each setting from the
//! first source that sets it, in that order. Nothing is validated here; `super::resolve`
//! turns the merged layer into [`super::Settings`].

use super::file::FileConfig;
use crate::managed::Managed;
use std::path::PathBuf;

/// One value and where it came from (`command line`, `environment variable X`, the managed
/// settings' origin or the configuration file's path), so an error can say where to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sourced<T> {
    /// The value as given.
    pub value: T,
    /// Where it was given.
    pub origin: String,
}

impl<T> Sourced<T> {
    fn new(value: T, origin: impl Into<String>) -> Sourced<T> {
        Sourced {
            value,
            origin: origin.into(),
        }
    }
}

/// What one source sets; `None` where it says nothing. A source that cannot set a setting
/// (the managed settings have no data folder, for one) always leaves it `None`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Layer {
    /// `api_url`: flags, environment, managed, file.
    pub api_url: Option<Sourced<String>>,
    /// `region`: flags, environment, managed, file.
    pub region: Option<Sourced<String>>,
    /// `device_id`: flags, environment, managed, file.
    pub device_id: Option<Sourced<String>>,
    /// `owner_email`: flags, environment, managed, file.
    pub owner_email: Option<Sourced<String>>,
    /// `format`: flags, environment, file.
    pub format: Option<Sourced<String>>,
    /// `api_key_file`: flags, file.
    pub api_key_file: Option<Sourced<PathBuf>>,
    /// `screenshot`: flags and environment can only turn it on; the file either way.
    pub screenshot: Option<Sourced<bool>>,
    /// `data_dir`: environment, file.
    pub data_dir: Option<Sourced<PathBuf>>,
    /// `serial_number`: environment, file.
    pub serial_number: Option<Sourced<String>>,
}

impl Layer {
    /// What the command line sets.
    pub fn flags(flags: &Overrides) -> Layer {
        let from = |value: &Option<String>| {
            value
                .clone()
                .map(|value| Sourced::new(value, "command line"))
        };
        Layer {
            api_url: from(&flags.api_url),
            region: from(&flags.region),
            device_id: from(&flags.device_id),
            owner_email: from(&flags.owner_email),
            format: from(&flags.format),
            api_key_file: flags
                .api_key_file
                .clone()
                .map(|path| Sourced::new(path, "command line")),
            screenshot: flags.screenshot.then(|| Sourced::new(true, "command line")),
            ..Layer::default()
        }
    }

    /// What the environment sets (`DEVIDENCE_*`; the API key is read apart, see
    /// `secrets::api_key`).
    pub fn env(env: &Env) -> Layer {
        let from = |key: &str| {
            env.get(key)
                .map(|value| Sourced::new(value, format!("environment variable {key}")))
        };
        let on = matches!(
            env.get("DEVIDENCE_SCREENSHOT").as_deref(),
            Some("1" | "true" | "yes")
        );
        Layer {
            api_url: from("DEVIDENCE_API_URL"),
            region: from("DEVIDENCE_REGION"),
            device_id: from("DEVIDENCE_DEVICE_ID"),
            owner_email: from("DEVIDENCE_OWNER_EMAIL"),
            format: from("DEVIDENCE_FORMAT"),
            screenshot: on.then(|| Sourced::new(true, "environment variable DEVIDENCE_SCREENSHOT")),
            data_dir: from("DEVIDENCE_DATA_DIR")
                .map(|s| Sourced::new(PathBuf::from(s.value), s.origin)),
            serial_number: from("DEVIDENCE_SERIAL_NUMBER"),
            ..Layer::default()
        }
    }

    /// What the MDM-managed settings set (macOS configuration profile, Windows policy key).
    pub fn managed(managed: &Managed) -> Layer {
        let from = |value: &Option<String>| {
            value
                .clone()
                .map(|value| Sourced::new(value, managed.origin.clone()))
        };
        Layer {
            api_url: from(&managed.api_url),
            region: from(&managed.region),
            device_id: from(&managed.device_id),
            owner_email: from(&managed.owner_email),
            ..Layer::default()
        }
    }

    /// What the configuration file sets; `origin` is its path.
    pub fn file(file: &FileConfig, origin: &str) -> Layer {
        fn from<T: Clone>(value: &Option<T>, origin: &str) -> Option<Sourced<T>> {
            value.clone().map(|value| Sourced::new(value, origin))
        }
        Layer {
            api_url: from(&file.api_url, origin),
            region: from(&file.region, origin),
            device_id: from(&file.device_id, origin),
            owner_email: from(&file.owner_email, origin),
            format: from(&file.format, origin),
            api_key_file: from(&file.api_key_file, origin),
            screenshot: from(&file.screenshot, origin),
            data_dir: from(&file.data_dir, origin),
            serial_number: from(&file.serial_number, origin),
        }
    }

    /// Each setting from the first layer that sets it: pass the layers highest precedence
    /// first (flags, environment, managed, file).
    pub fn merge(layers: impl IntoIterator<Item = Layer>) -> Layer {
        layers
            .into_iter()
            .fold(Layer::default(), |high, low| Layer {
                api_url: high.api_url.or(low.api_url),
                region: high.region.or(low.region),
                device_id: high.device_id.or(low.device_id),
                owner_email: high.owner_email.or(low.owner_email),
                format: high.format.or(low.format),
                api_key_file: high.api_key_file.or(low.api_key_file),
                screenshot: high.screenshot.or(low.screenshot),
                data_dir: high.data_dir.or(low.data_dir),
                serial_number: high.serial_number.or(low.serial_number),
            })
    }
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

    /// The variable's value; empty counts as unset.
    pub fn get(&self, key: &str) -> Option<String> {
        (self.lookup)(key)
    }
}
