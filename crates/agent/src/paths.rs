//! Where the agent keeps its files on each OS.

use std::path::PathBuf;

/// The agent's data folder: system-wide when run as a service (root / SYSTEM), per user
/// otherwise.
pub fn data_dir() -> PathBuf {
    if cfg!(windows) {
        let base = std::env::var_os("ProgramData").unwrap_or_else(|| "C:\\ProgramData".into());
        return PathBuf::from(base).join("devidence");
    }
    if is_root() {
        return if cfg!(target_os = "macos") {
            PathBuf::from("/Library/Application Support/devidence")
        } else {
            PathBuf::from("/var/lib/devidence")
        };
    }
    directories::ProjectDirs::from("", "", "devidence")
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| std::env::temp_dir().join("devidence"))
}

fn is_root() -> bool {
    devidence_core::host::running_as_root()
}
