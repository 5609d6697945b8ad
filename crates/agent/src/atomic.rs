//! The agent's own files and folders.
//!
//! - Writes are crash-safe: a file is either its old content or its complete new content,
//!   never a torn mix, whenever the process is killed or the machine loses power. Temporary
//!   files get a random name and are created exclusively (`O_CREAT|O_EXCL`, which never
//!   follows a link), so a link planted at a guessable name cannot redirect a write.
//! - Folders the agent writes into must be its own: owned by the user it runs as and not
//!   writable by group or others (a user who pre-created a world-writable spool could delete
//!   items or slip in forged ones), else [`create_private_dir`] refuses them.
//! - Reads ([`read_capped`]) open a file once, without blocking, require a regular file and
//!   stop at a size cap: a configuration linked to `/dev/zero` or replaced by a FIFO is an
//!   error that says so, not an endless read or a hang.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::Path;

/// Writes `bytes` to `path`: a temporary file in the same folder (random name, created
/// exclusively, owner-only), flushed to disk (`fsync`), then renamed over `path`, then the
/// folder flushed so the rename itself is durable.
///
/// Temporary files are named `.tmp-<name>-<random>`; [`remove_stale_temporaries`] clears
/// those left by a killed process.
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prefix = format!(".tmp-{name}-");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).rand_bytes(12);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o600));
    }
    let mut temporary = builder.tempfile_in(dir)?;
    temporary.write_all(bytes)?;
    temporary.as_file().sync_all()?;
    // On failure the temporary file is removed when it is dropped.
    temporary.persist(path).map_err(|e| e.error)?;
    sync_dir(dir)
}

/// Most bytes [`read_capped`] reads of a small file of the agent's (state, spool records,
/// daemon status, key file).
pub const SMALL_FILE_BYTES: u64 = 1024 * 1024;

/// Reads one of the agent's own files: opened once and without blocking (a FIFO cannot hang
/// the run), which must be a regular file of at most `cap` bytes. `follow_links: false`
/// refuses a symbolic link at `path` itself (files inside the agent's folders are never
/// links; a configuration file chosen by the admin may be one).
pub fn read_capped(path: &Path, cap: u64, follow_links: bool) -> io::Result<Vec<u8>> {
    read_capped_with_metadata(path, cap, follow_links).map(|(bytes, _)| bytes)
}

/// [`read_capped`], also returning the file's metadata, taken from the same open file (so
/// checks on its mode apply to what was read).
pub fn read_capped_with_metadata(
    path: &Path,
    cap: u64,
    follow_links: bool,
) -> io::Result<(Vec<u8>, fs::Metadata)> {
    let mut options = File::options();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let mut flags = rustix::fs::OFlags::NONBLOCK;
        if !follow_links {
            flags |= rustix::fs::OFlags::NOFOLLOW;
        }
        options.custom_flags(flags.bits() as i32);
    }
    let file = options.open(path).map_err(|e| {
        if !follow_links && is_link_refusal(&e) {
            io::Error::other(format!(
                "{} is a symbolic link, which devidence does not follow inside its own folders",
                path.display()
            ))
        } else {
            e
        }
    })?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::other(format!(
            "{} is not a regular file ({}); devidence reads only regular files",
            path.display(),
            devidence_core::host::file_kind(&meta)
        )));
    }
    if meta.len() > cap {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{} is {} bytes, more than the {cap} devidence reads of it",
                path.display(),
                meta.len()
            ),
        ));
    }
    let mut bytes = Vec::new();
    file.take(cap + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{} grew past {cap} bytes while it was read", path.display()),
        ));
    }
    Ok((bytes, meta))
}

/// Whether opening with `O_NOFOLLOW` failed because the path is a symbolic link.
fn is_link_refusal(error: &io::Error) -> bool {
    #[cfg(unix)]
    {
        error.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error())
    }
    #[cfg(not(unix))]
    {
        let _ = error;
        false
    }
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

/// Creates a folder (and parents) readable by the owner only where the OS has modes, or
/// checks an existing one: it must belong to the user the agent runs as and not be writable by
/// group or others, and a symbolic link to it must belong to that user too. Anything else is
/// refused with an error that says how to fix it (Unix). On Windows a folder it creates gets a
/// protected ACL (SYSTEM, Administrators and the owner only: `acl.rs`).
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
        check_private_dir(dir)
    }
    #[cfg(windows)]
    {
        crate::acl::create_private_dir(dir)
    }
    #[cfg(not(any(unix, windows)))]
    {
        fs::create_dir_all(dir)
    }
}

/// See [`create_private_dir`].
#[cfg(unix)]
fn check_private_dir(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let me = rustix::process::geteuid().as_raw();
    let refuse = |why: String| {
        Err(io::Error::other(format!(
            "refusing to use the folder {}: {why}",
            dir.display()
        )))
    };
    let link = fs::symlink_metadata(dir)?;
    if link.file_type().is_symlink() && link.uid() != me && link.uid() != 0 {
        return refuse(format!(
            "it is a symbolic link owned by uid {}, not by the user devidence runs as (uid {me}); remove the link or choose another folder",
            link.uid()
        ));
    }
    let meta = fs::metadata(dir)?;
    if !meta.is_dir() {
        return refuse("it is not a folder".into());
    }
    if meta.uid() != me {
        return refuse(format!(
            "it belongs to uid {}, not to the user devidence runs as (uid {me}), who could otherwise have its evidence changed or removed; choose a folder of that user's, or remove this one so devidence creates it",
            meta.uid()
        ));
    }
    if meta.mode() & 0o022 != 0 {
        return refuse(format!(
            "it can be written by {} (mode {:04o}), who could change or remove the evidence in it; restrict it with `chmod go-w {}` or choose another folder",
            if meta.mode() & 0o002 != 0 {
                "every user"
            } else {
                "its group"
            },
            meta.mode() & 0o7777,
            dir.display()
        ));
    }
    Ok(())
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

/// Opens (creating it, owner-only, never truncating, never through a link) a file used only
/// for its lock, as the spool and the daemon do.
pub fn open_lock_file(path: &Path) -> io::Result<File> {
    no_follow(owner_only(
        File::options().create(true).truncate(false).write(true),
    ))
    .open(path)
}

/// Makes these options refuse a symbolic link at the path itself (Unix).
pub fn no_follow(options: &mut OpenOptions) -> &mut OpenOptions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32)
    }
    #[cfg(not(unix))]
    {
        options
    }
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

    #[cfg(unix)]
    #[test]
    fn a_link_at_a_guessable_temporary_name_is_never_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        fs::write(&victim, b"root's file").unwrap();
        // The names the agent used to pick: `.tmp-<name>-<pid>`.
        for pid in [std::process::id(), 1, 2, 3] {
            std::os::unix::fs::symlink(&victim, dir.path().join(format!(".tmp-state.json-{pid}")))
                .unwrap();
        }
        write(&dir.path().join("state.json"), b"{}").unwrap();
        assert_eq!(fs::read(&victim).unwrap(), b"root's file");
        assert_eq!(fs::read(dir.path().join("state.json")).unwrap(), b"{}");
    }

    #[cfg(unix)]
    #[test]
    fn reads_refuse_fifos_devices_links_and_oversized_files() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        devidence_testkit::make_fifo(&fifo);
        let err = read_capped(&fifo, 1024, true).unwrap_err();
        assert!(err.to_string().contains("a FIFO"), "{err}");
        let err = read_capped(Path::new("/dev/zero"), 1024, true).unwrap_err();
        assert!(err.to_string().contains("a device"), "{err}");
        let link = dir.path().join("link");
        std::os::unix::fs::symlink("/etc/hostname", &link).unwrap();
        let err = read_capped(&link, 1024, false).unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        let big = dir.path().join("big");
        fs::write(&big, vec![b'x'; 2048]).unwrap();
        let err = read_capped(&big, 1024, true).unwrap_err();
        assert!(err.to_string().contains("more than the 1024"), "{err}");
        assert_eq!(read_capped(&big, 4096, false).unwrap().len(), 2048);
    }

    #[cfg(unix)]
    #[test]
    fn folders_others_can_write_or_own_are_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let open = dir.path().join("open");
        fs::create_dir(&open).unwrap();
        fs::set_permissions(&open, fs::Permissions::from_mode(0o777)).unwrap();
        let err = create_private_dir(&open).unwrap_err();
        assert!(err.to_string().contains("chmod go-w"), "{err}");
        fs::set_permissions(&open, fs::Permissions::from_mode(0o770)).unwrap();
        assert!(create_private_dir(&open).is_err());
        fs::set_permissions(&open, fs::Permissions::from_mode(0o755)).unwrap();
        create_private_dir(&open).unwrap();
        let created = dir.path().join("new/spool");
        create_private_dir(&created).unwrap();
        assert_eq!(
            fs::metadata(&created).unwrap().permissions().mode() & 0o777,
            0o700
        );
        if rustix::process::geteuid().is_root() {
            let theirs = dir.path().join("theirs");
            fs::create_dir(&theirs).unwrap();
            std::os::unix::fs::chown(&theirs, Some(65534), Some(65534)).unwrap();
            let err = create_private_dir(&theirs).unwrap_err();
            assert!(err.to_string().contains("belongs to uid 65534"), "{err}");
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
