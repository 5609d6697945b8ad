//! What an installer asks of the agent itself, so the security of the installed files does not
//! depend on installer features (Debian's `wixl` builds our MSI and has no permission tables):
//!
//! * [`prepare`]: creates the data folder and its `spool` and `logs` folders readable by
//!   SYSTEM and Administrators only (protected ACL on Windows, 0700 on Unix), replacing the
//!   permissions an existing folder inherited, and stores the API key the installer was given
//!   in the OS keychain (Windows Credential Manager), where the agent reads it;
//! * [`remove`]: on uninstall, deletes the spool, evidence and state and the stored key, and
//!   keeps the logs.

use crate::secrets;
use std::io;
use std::path::Path;

/// The folders inside the data folder that exist from install on.
pub const DATA_SUBDIRS: &[&str] = &["spool", "logs"];

/// What uninstall deletes from the data folder (the logs stay).
pub const REMOVED_ON_UNINSTALL: &[&str] = &[
    "spool",
    "evidence",
    "state.json",
    "daemon.json",
    "daemon.lock",
];

/// Prepares the data folder and stores `api_key` (when given and not empty). Returns one line
/// per thing done, for the installer's log; never the key.
pub fn prepare(data_dir: &Path, api_key: Option<&str>) -> anyhow::Result<Vec<String>> {
    use anyhow::Context;
    let mut done = Vec::new();
    for dir in
        std::iter::once(data_dir.to_path_buf()).chain(DATA_SUBDIRS.iter().map(|d| data_dir.join(d)))
    {
        crate::atomic::create_private_dir(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        #[cfg(windows)]
        crate::acl::protect_dir(&dir)
            .with_context(|| format!("cannot restrict the permissions of {}", dir.display()))?;
        done.push(format!(
            "{}: readable by SYSTEM and Administrators only",
            dir.display()
        ));
    }
    match api_key.map(str::trim).filter(|k| !k.is_empty()) {
        Some(key) => {
            let key = secrets::validate(key).map_err(anyhow::Error::msg)?;
            secrets::keychain_set(&key).context("cannot store the API key in the OS keychain")?;
            done.push("the API key is stored in the OS keychain".to_string());
        }
        None => done.push(
            "no API key was given; run `devidence login` as SYSTEM or set DRATA_API_KEY".into(),
        ),
    }
    Ok(done)
}

/// Removes what [`REMOVED_ON_UNINSTALL`] names from the data folder and the stored key; keeps
/// the logs. Returns one line per thing removed; what was already gone is not an error.
pub fn remove(data_dir: &Path) -> anyhow::Result<Vec<String>> {
    let mut done = remove_data(data_dir)?;
    match secrets::keychain_delete() {
        Ok(true) => done.push("removed the API key from the OS keychain".into()),
        Ok(false) => {}
        // A keychain that cannot be reached holds nothing of ours to remove.
        Err(e) => done.push(format!("the OS keychain was not cleaned: {e}")),
    }
    Ok(done)
}

/// The file part of [`remove`]: what [`REMOVED_ON_UNINSTALL`] names, the logs kept.
pub fn remove_data(data_dir: &Path) -> anyhow::Result<Vec<String>> {
    let mut done = Vec::new();
    for name in REMOVED_ON_UNINSTALL {
        let path = data_dir.join(name);
        let removed = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        match removed {
            Ok(()) => done.push(format!("removed {}", path.display())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(anyhow::anyhow!("cannot remove {}: {e}", path.display())),
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn uninstall_keeps_the_logs_and_removes_the_rest() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("devidence");
        for dir in ["spool/rejected", "evidence/x", "logs"] {
            std::fs::create_dir_all(data.join(dir)).unwrap();
        }
        for file in ["state.json", "daemon.json", "logs/devidence.log"] {
            std::fs::write(data.join(file), "x").unwrap();
        }
        remove_data(&data).unwrap();
        let left: Vec<String> = std::fs::read_dir(&data)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(left, ["logs"]);
        assert!(data.join("logs/devidence.log").exists());
        // Again: nothing left to remove is not an error.
        remove_data(&data).unwrap();
    }
}
