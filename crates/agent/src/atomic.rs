//! Crash-safe file writes: a file is either its old content or its complete new content,
//! never a torn mix, whenever the process is killed or the machine loses power.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

/// Writes `bytes` to `path`: a temporary file in the same folder, flushed to disk (`fsync`),
/// then renamed over `path`, then the folder flushed so the rename itself is durable.
///
/// The temporary file is named `.tmp-<name>-<pid>`; [`remove_stale_temporaries`] clears
/// those left by a killed process. Files are created readable by the owner only.
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = dir.join(format!(".tmp-{name}-{}", std::process::id()));
    let result = (|| {
        let mut file = owner_only(OpenOptions::new().write(true).create(true).truncate(true))
            .open(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&temporary, path)?;
        sync_dir(dir)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    result
}

/// Flushes a folder's entries (new names, renames, removals) to disk. A no-op on Windows,
/// where folders cannot be opened as files and renames are journaled by NTFS.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    if cfg!(windows) {
        return Ok(());
    }
    File::open(dir)?.sync_all()
}

/// Removes `.tmp-*` files in `dir` that a killed process left behind.
pub fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(".tmp-") {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Creates a folder (and parents) readable by the owner only where the OS has modes.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
    }
    #[cfg(not(unix))]
    {
        fs::create_dir_all(dir)
    }
}

/// Makes a file these options create readable and writable by the owner only (0600) where
/// the OS has modes. Every file the agent creates goes through here.
pub fn owner_only(options: &mut OpenOptions) -> &mut OpenOptions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600)
    }
    #[cfg(not(unix))]
    {
        options
    }
}

/// Opens (creating it, owner-only, never truncating) a file used only for its lock, as the
/// spool and the daemon do.
pub fn open_lock_file(path: &Path) -> io::Result<File> {
    owner_only(File::options().create(true).truncate(false).write(true)).open(path)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn replaces_content_whole_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        write(&path, b"one").unwrap();
        write(&path, b"two, longer").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two, longer");
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn stale_temporaries_are_cleared() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(".tmp-x-123"), b"torn").unwrap();
        fs::write(dir.path().join("kept"), b"ok").unwrap();
        remove_stale_temporaries(dir.path());
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("kept")]);
    }
}
