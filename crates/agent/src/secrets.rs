//! Where the Drata API key comes from, in this order:
//!
//! 1. `DRATA_API_KEY` in the environment (one-off runs, CI);
//! 2. the OS keychain, as stored by `devidence login` (macOS Keychain, Windows Credential
//!    Manager, the Secret Service on Linux desktops) under service `devidence`, account
//!    `drata-api-key`;
//! 3. `api_key_file` / `--api-key-file`, else `api-key` beside the default configuration file:
//!    for headless Linux servers with no keychain, and where the Windows MSI writes the key
//!    (an ACL lets only SYSTEM and Administrators read it). On Unix the file must not be
//!    readable by group or others (mode 0600 or stricter), else it is refused.
//!
//! The key is held as a `SecretString`; it is never logged, and no error repeats it.

use crate::config::Settings;
use secrecy::{ExposeSecret, SecretString};
use std::path::{Path, PathBuf};

/// The keychain service name.
pub const SERVICE: &str = "devidence";
/// The keychain account name.
pub const ACCOUNT: &str = "drata-api-key";

/// Where the key was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// `DRATA_API_KEY`.
    Environment,
    /// The OS keychain.
    Keychain,
    /// A key file.
    File(PathBuf),
}

impl std::fmt::Display for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeySource::Environment => write!(f, "the DRATA_API_KEY environment variable"),
            KeySource::Keychain => write!(
                f,
                "the OS keychain (stored by devidence login or the installer)"
            ),
            KeySource::File(path) => write!(f, "the key file {}", path.display()),
        }
    }
}

/// Why the key cannot be had.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// Nowhere holds a key.
    #[error(
        "no Drata API key: run `devidence login` to store it in the OS keychain, or set DRATA_API_KEY, or api_key_file (a file only root can read) in the configuration. Create a key in Drata under Settings > API Keys with the \"Devices: Manage Device Documents\" permission{keychain}"
    )]
    Missing {
        /// Why the keychain could not be asked, if it could not.
        keychain: String,
    },
    /// The key file cannot be read.
    #[error("cannot read the API key file {path}: {source}")]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The key file is readable by others.
    #[error(
        "the API key file {path} can be read by other users (mode {mode:o}); restrict it: chmod 600 {path}"
    )]
    TooOpen {
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// A key file that principals other than SYSTEM, Administrators and its owner may read
    /// (Windows ACL).
    #[error(
        "the API key file {path} can be read by {readers} besides SYSTEM, Administrators and its owner; restrict it: icacls \"{path}\" /inheritance:r /grant:r SYSTEM:F Administrators:F"
    )]
    ReadableByOthers {
        /// The file.
        path: PathBuf,
        /// Who else may read it (SIDs or SDDL aliases such as `BU`, Users).
        readers: String,
    },
    /// The keychain refused an operation.
    #[error("the OS keychain is not usable here ({0}); set DRATA_API_KEY or api_key_file instead")]
    Keychain(String),
}

/// The key and where it came from, in the documented order.
pub fn api_key(settings: &Settings) -> Result<(SecretString, KeySource), KeyError> {
    if let Some(key) = &settings.api_key {
        return Ok((key.clone(), KeySource::Environment));
    }
    let keychain_problem = match keychain_get() {
        Ok(Some(key)) => return Ok((key, KeySource::Keychain)),
        Ok(None) => String::new(),
        Err(why) => format!(" (the OS keychain could not be asked: {why})"),
    };
    if let Some(path) = &settings.api_key_file {
        return read_key_file(path).map(|key| (key, KeySource::File(path.clone())));
    }
    let default = default_key_file();
    if default.exists() {
        return read_key_file(&default).map(|key| (key, KeySource::File(default)));
    }
    Err(KeyError::Missing {
        keychain: keychain_problem,
    })
}

/// Reads a key file, refusing one that group or others can read.
pub fn read_key_file(path: &Path) -> Result<SecretString, KeyError> {
    let unreadable = |source| KeyError::Unreadable {
        path: path.to_path_buf(),
        source,
    };
    // Opened once; the mode checked is the mode of the file read.
    let (bytes, meta) = crate::atomic::read_capped_with_metadata(path, MAX_KEY_FILE_BYTES, true)
        .map_err(unreadable)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(KeyError::TooOpen {
                path: path.to_path_buf(),
                mode,
            });
        }
    }
    #[cfg(windows)]
    {
        let _ = meta;
        let readers = crate::acl::others_who_can_read(path).map_err(|why| {
            unreadable(std::io::Error::other(format!(
                "its permissions could not be read ({why})"
            )))
        })?;
        if !readers.is_empty() {
            return Err(KeyError::ReadableByOthers {
                path: path.to_path_buf(),
                readers: readers.join(", "),
            });
        }
    }
    #[cfg(not(any(unix, windows)))]
    let _ = meta;
    let text = String::from_utf8(bytes).map_err(|_| {
        unreadable(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "the key file is not UTF-8 text",
        ))
    })?;
    Ok(SecretString::from(key_from_file_text(&text)))
}

/// Most bytes read of a key file (a key is under a hundred; the MSI's INI file a few lines).
const MAX_KEY_FILE_BYTES: u64 = 16 * 1024;

/// The key in a key file: the whole (trimmed) content, or the `api_key=` line of the INI file
/// the Windows MSI writes (`[devidence]` / `api_key=…`).
fn key_from_file_text(text: &str) -> String {
    text.lines()
        .find_map(|line| line.trim().strip_prefix("api_key="))
        .unwrap_or(text)
        .trim()
        .to_string()
}

/// The key file looked for when `api_key_file` is not set: `api-key` beside the default
/// configuration file (`/etc/devidence/api-key`, `/Library/Application Support/devidence/
/// api-key`, `%ProgramData%\devidence\api-key`, where the MSI writes it).
pub fn default_key_file() -> PathBuf {
    crate::config::default_config_path().with_file_name("api-key")
}

fn entry() -> Result<keyring::Entry, String> {
    keyring::Entry::new(SERVICE, ACCOUNT).map_err(|e| e.to_string())
}

/// The key stored by `devidence login`, `Ok(None)` if none is stored.
pub fn keychain_get() -> Result<Option<SecretString>, String> {
    match entry()?.get_password() {
        Ok(key) => Ok(Some(SecretString::from(key))),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}

/// Stores the key in the OS keychain.
pub fn keychain_set(key: &SecretString) -> Result<(), KeyError> {
    entry()
        .and_then(|e| {
            e.set_password(key.expose_secret())
                .map_err(|e| e.to_string())
        })
        .map_err(KeyError::Keychain)
}

/// Removes the key from the OS keychain; `Ok(false)` if there was none.
pub fn keychain_delete() -> Result<bool, KeyError> {
    match entry().map_err(KeyError::Keychain)?.delete_credential() {
        Ok(()) => Ok(true),
        Err(keyring::Error::NoEntry) => Ok(false),
        Err(e) => Err(KeyError::Keychain(e.to_string())),
    }
}

/// Checks a key typed or piped to `devidence login` before storing it.
pub fn validate(key: &str) -> Result<SecretString, String> {
    let key = key.trim();
    if key.is_empty() {
        return Err("the key is empty".into());
    }
    if key.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("the key contains spaces or control characters".into());
    }
    Ok(SecretString::from(key.to_string()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[cfg(unix)]
    #[test]
    fn key_files_readable_by_others_are_refused_without_echoing_the_key() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key");
        std::fs::write(&path, "sk-secret-0123456789\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = read_key_file(&path).unwrap_err();
        assert!(err.to_string().contains("chmod 600"), "{err}");
        assert!(!err.to_string().contains("sk-secret"), "{err}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(
            read_key_file(&path).unwrap().expose_secret(),
            "sk-secret-0123456789"
        );
    }

    #[test]
    fn key_files_are_plain_or_the_msi_ini() {
        assert_eq!(key_from_file_text("abc123\n"), "abc123");
        assert_eq!(
            key_from_file_text("[devidence]\r\napi_key=abc123\r\n"),
            "abc123"
        );
    }

    #[test]
    fn typed_keys_are_checked() {
        assert!(validate("  \n").is_err());
        assert!(validate("a b").is_err());
        assert_eq!(validate(" abc\n").unwrap().expose_secret(), "abc");
    }
}
