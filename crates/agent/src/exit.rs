//! How a command ends: the exit codes README documents, and a [`Failure`] carrying one with
//! the error that explains it, in words that say what to do.

use crate::config::ConfigError;

/// Everything passed (or the command did what it was asked).
pub const OK: u8 = 0;
/// A control is not passing (`check`, `replay`), or `doctor` found something to fix.
pub const NOT_PASSING: u8 = 1;
/// Bad usage or configuration: a flag, a setting, the API key, the keychain.
pub const USAGE: u8 = 2;
/// Drata refused or could not be reached; the evidence waits in the spool.
pub const UPLOAD: u8 = 3;
/// Evidence could not be written (disk full, folder not writable).
pub const EVIDENCE: u8 = 4;

/// An error that ends the program with a specific exit code.
#[derive(Debug)]
pub struct Failure {
    /// The exit code.
    pub code: u8,
    /// What went wrong, with its causes.
    pub error: anyhow::Error,
}

impl From<ConfigError> for Failure {
    fn from(err: ConfigError) -> Failure {
        Failure {
            code: USAGE,
            error: err.into(),
        }
    }
}

/// A failure with exit code `code`.
pub fn fail(code: u8, error: anyhow::Error) -> Failure {
    Failure { code, error }
}

impl Failure {
    /// What the program prints on stderr for this failure: `error: …` and, when the disk
    /// refused evidence, what to do about it.
    pub fn message(&self) -> String {
        let mut text = format!("error: {}", describe(&self.error));
        if self.code == EVIDENCE
            && let Some(hint) = storage_hint(&self.error)
        {
            text.push('\n');
            text.push_str(hint);
        }
        text
    }
}

/// What to do when the disk refused to store evidence: full, read-only, or not ours to write.
pub fn storage_hint(error: &anyhow::Error) -> Option<&'static str> {
    let kind = io_error_kind(error)?;
    match kind {
        _ if is_disk_full(kind) => Some(
            "The disk holding devidence's data folder is full: free some space there and run again. Evidence still in the spool was kept and is sent then.",
        ),
        std::io::ErrorKind::ReadOnlyFilesystem | std::io::ErrorKind::PermissionDenied => Some(
            "devidence's data folder must be writable by the agent (setting data_dir or DEVIDENCE_DATA_DIR; see README). Evidence already in the spool was kept and is sent once it is writable.",
        ),
        _ => None,
    }
}

/// The kind of the first I/O error among `error`'s causes.
pub fn io_error_kind(error: &anyhow::Error) -> Option<std::io::ErrorKind> {
    error
        .chain()
        .find_map(|cause| cause.downcast_ref::<std::io::Error>())
        .map(std::io::Error::kind)
}

/// Whether an I/O error says the disk (or the user's quota on it) is full.
pub fn is_disk_full(kind: std::io::ErrorKind) -> bool {
    matches!(
        kind,
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
    )
}

/// The error and its causes, leaving out a cause the text before it already says (library
/// errors often name their source in their own message).
pub fn describe(error: &anyhow::Error) -> String {
    let mut text = error.to_string();
    for cause in error.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
    }
    text
}
