//! Reading files and folders for [`RealHost`](super::RealHost), bounded whatever is there.
//!
//! - Every read keeps at most [`MAX_OUTPUT_BYTES`](super::MAX_OUTPUT_BYTES) and every listing
//!   at most [`MAX_DIR_ENTRIES`] names, so a 2 GB sparse file or a folder of a million entries
//!   costs what a small one does.
//! - Only regular files are read, opened without blocking, so a FIFO planted where a settings
//!   file belongs cannot hang the run, and a device cannot stream into it.
//! - Inside a person's home ([`read_in_home`], [`list_in_home`]) the path is walked one
//!   component at a time from the home folder, without following links blindly: a link is
//!   followed only while it stays inside that home, and, when the agent runs as root, only
//!   what that person could read themselves is read (owner, group and mode of every folder
//!   passed and of the file). So a link or hard link a user plants to `/etc/shadow` is
//!   refused, and the refusal is the observation's outcome. On Windows, any junction or
//!   symbolic link (reparse point) under a profile is refused.

use super::UserContext;
use crate::finding::{Observation, Outcome};
use std::io::{self, Read};

/// Most entries kept from one folder listing; the listing is marked truncated beyond it.
pub const MAX_DIR_ENTRIES: usize = 4096;

/// Most symbolic links followed while resolving one path inside a home.
#[cfg(unix)]
const MAX_LINKS: usize = 8;

/// Maps an I/O error to the observation's outcome.
pub(super) fn io_outcome(err: &io::Error) -> Outcome {
    match err.kind() {
        io::ErrorKind::NotFound => Outcome::NotFound,
        io::ErrorKind::PermissionDenied => Outcome::PermissionDenied,
        _ => Outcome::Failed {
            message: err.to_string(),
        },
    }
}

/// Reads at most `cap` bytes of an open file into the observation (lossily decoded), marking
/// it truncated when there was more.
fn read_capped(file: std::fs::File, cap: usize, obs: &mut Observation) {
    let mut bytes = Vec::new();
    match file.take(cap as u64 + 1).read_to_end(&mut bytes) {
        Ok(_) => {
            obs.truncated = bytes.len() > cap;
            bytes.truncate(cap);
            obs.stdout = String::from_utf8_lossy(&bytes).into_owned();
        }
        Err(err) => obs.outcome = io_outcome(&err),
    }
}

/// Keeps at most [`MAX_DIR_ENTRIES`] names, sorted, as the observation's output.
fn record_names(names: impl Iterator<Item = String>, obs: &mut Observation) {
    let mut kept: Vec<String> = Vec::new();
    for name in names {
        if kept.len() == MAX_DIR_ENTRIES {
            obs.truncated = true;
            break;
        }
        kept.push(name);
    }
    kept.sort();
    obs.stdout = kept.join("\n");
}

/// What a file that is not a regular file is, in words for a refusal: `a FIFO (named pipe)`,
/// `a socket`, `a device`, `a folder`, else `another kind of file`. The agent names its own
/// files' types with it too.
pub fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    if meta.is_dir() {
        "a folder"
    } else {
        "another kind of file"
    }
}

/// Reads a system file: regular files only, opened without blocking, capped.
pub(super) fn read_file(path: &str, cap: usize, obs: &mut Observation) {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // A FIFO opened for reading would block until a writer came; a regular file ignores
        // the flag.
        options.custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32);
    }
    match options.open(path) {
        Ok(file) => match file.metadata() {
            Ok(meta) if meta.is_file() => read_capped(file, cap, obs),
            Ok(meta) => {
                obs.outcome = Outcome::Refused {
                    reason: format!("{path} is {}, not a regular file", file_kind(&meta)),
                }
            }
            Err(err) => obs.outcome = io_outcome(&err),
        },
        Err(err) => obs.outcome = io_outcome(&err),
    }
}

/// Lists a system folder, capped at [`MAX_DIR_ENTRIES`] names.
pub(super) fn list_dir(path: &str, obs: &mut Observation) {
    match std::fs::read_dir(path) {
        Ok(entries) => record_names(
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned()),
            obs,
        ),
        Err(err) => obs.outcome = io_outcome(&err),
    }
}

/// Reads a file inside `user`'s home with that user's rights (see the module documentation).
pub(super) fn read_in_home(user: &UserContext, path: &str, cap: usize, obs: &mut Observation) {
    match platform::open_file_in_home(user, path) {
        Ok(file) => read_capped(file, cap, obs),
        Err(outcome) => obs.outcome = outcome,
    }
}

/// Lists a folder inside `user`'s home with that user's rights, capped at
/// [`MAX_DIR_ENTRIES`] names.
pub(super) fn list_in_home(user: &UserContext, path: &str, obs: &mut Observation) {
    match platform::dir_names_in_home(user, path) {
        Ok(names) => record_names(names, obs),
        Err(outcome) => obs.outcome = outcome,
    }
}

/// The part of `path` below `home`, or a refusal when `path` is not inside it.
fn below_home<'a>(user: &UserContext, home: &str, path: &'a str) -> Result<&'a str, Outcome> {
    let outside = || Outcome::Refused {
        reason: format!(
            "{path} is outside {}'s home {home}; per-user files are read only inside it",
            user.name
        ),
    };
    if home.is_empty() {
        return Err(Outcome::Refused {
            reason: format!(
                "{}'s home is the root folder; per-user files are not read there",
                user.name
            ),
        });
    }
    let rest = if cfg!(windows) {
        let head = path.get(..home.len()).ok_or_else(outside)?;
        if !head.eq_ignore_ascii_case(home) {
            return Err(outside());
        }
        &path[home.len()..]
    } else {
        path.strip_prefix(home).ok_or_else(outside)?
    };
    if rest.is_empty() || rest.starts_with('/') || (cfg!(windows) && rest.starts_with('\\')) {
        Ok(rest)
    } else {
        Err(outside())
    }
}

#[cfg(unix)]
mod platform {
    use super::{MAX_LINKS, UserContext, below_home, file_kind};
    use crate::finding::Outcome;
    use rustix::fs::{Mode, OFlags};
    use rustix::io::Errno;
    use std::collections::VecDeque;
    use std::fs::{File, Metadata};
    use std::os::unix::fs::MetadataExt;

    /// What the walk must end at.
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Want {
        File,
        Dir,
    }

    /// Opens a regular file inside `user`'s home.
    pub(super) fn open_file_in_home(user: &UserContext, path: &str) -> Result<File, Outcome> {
        open_in_home(user, path, Want::File)
    }

    /// The entry names of a folder inside `user`'s home, `.` and `..` left out.
    pub(super) fn dir_names_in_home(
        user: &UserContext,
        path: &str,
    ) -> Result<impl Iterator<Item = String>, Outcome> {
        let folder = open_in_home(user, path, Want::Dir)?;
        let dir = rustix::fs::Dir::read_from(&folder).map_err(errno_outcome)?;
        Ok(dir.filter_map(Result::ok).filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            (name != "." && name != "..").then_some(name)
        }))
    }

    fn errno_outcome(errno: Errno) -> Outcome {
        super::io_outcome(&std::io::Error::from(errno))
    }

    /// Read, write, execute bits as in a mode's "other" triple.
    const READ: u32 = 4;
    const SEARCH: u32 = 1;

    /// Whether `user` may do `want` (bits of [`READ`], [`SEARCH`]) to a file with this owner,
    /// group and mode, by the owner/group/other rule (supplementary groups and ACLs are not
    /// consulted, so this can only refuse more than the OS would, never less).
    fn user_may(user: &UserContext, meta: &Metadata, want: u32) -> bool {
        let mode = meta.mode();
        let bits = if meta.uid() == user.uid {
            mode >> 6
        } else if meta.gid() == user.gid {
            mode >> 3
        } else {
            mode
        } & 7;
        bits & want == want
    }

    /// Checks an opened component: its type, and (as root) that `user` could use it so.
    fn check(
        user: &UserContext,
        opened: &File,
        shown: &str,
        want: Want,
        last: bool,
        as_root: bool,
    ) -> Result<(), Outcome> {
        let meta = opened.metadata().map_err(|e| super::io_outcome(&e))?;
        let is_dir = meta.is_dir();
        if !last || want == Want::Dir {
            if !is_dir {
                return Err(Outcome::Failed {
                    message: format!("{shown} is not a folder"),
                });
            }
        } else if !meta.is_file() {
            return Err(Outcome::Refused {
                reason: format!(
                    "{shown} is {}, not a regular file; not read",
                    file_kind(&meta)
                ),
            });
        }
        if as_root {
            let want_bits = match (is_dir, last) {
                (true, true) => READ | SEARCH,
                (true, false) => SEARCH,
                (false, _) => READ,
            };
            if !user_may(user, &meta, want_bits) {
                let mode = meta.mode() & 0o7777;
                return Err(Outcome::Refused {
                    reason: format!(
                        "{shown} (owner uid {}, group gid {}, mode {mode:04o}) is not {} by {} (uid {}); the agent reads a person's files only with that person's rights",
                        meta.uid(),
                        meta.gid(),
                        if is_dir { "open" } else { "readable" },
                        user.name,
                        user.uid
                    ),
                });
            }
        }
        Ok(())
    }

    /// Opens `path`, which must lie inside `user`'s home, one component at a time from the
    /// home folder (see the module documentation).
    fn open_in_home(user: &UserContext, path: &str, want: Want) -> Result<File, Outcome> {
        let home = user.home.trim_end_matches('/');
        let rest = below_home(user, home, path)?;
        // As root, rights are checked as the user's; otherwise the OS already applies the
        // agent's own (unprivileged) rights.
        let as_root = rustix::process::geteuid().is_root() && user.uid != 0;
        let home_dir = File::from(
            rustix::fs::open(
                home,
                OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
                Mode::empty(),
            )
            .map_err(errno_outcome)?,
        );
        let mut pending: VecDeque<String> = components(rest).collect();
        check(user, &home_dir, home, want, pending.is_empty(), as_root)?;
        // The folders walked so far, the home first, so `..` can step back (never above it).
        let mut stack: Vec<(File, String)> = vec![(home_dir, home.to_string())];
        let mut links = 0;
        while let Some(name) = pending.pop_front() {
            if name == ".." {
                if stack.len() == 1 {
                    return Err(leaves_home(user, home, path));
                }
                stack.pop();
                continue;
            }
            let last = pending.is_empty();
            let as_dir = !last || want == Want::Dir;
            let (dir, dir_shown) = stack.last().ok_or_else(|| leaves_home(user, home, path))?;
            let shown = format!("{dir_shown}/{name}");
            let flags = OFlags::RDONLY
                | OFlags::NOFOLLOW
                | OFlags::CLOEXEC
                | OFlags::NOCTTY
                | if as_dir {
                    OFlags::DIRECTORY
                } else {
                    OFlags::NONBLOCK
                };
            match rustix::fs::openat(dir, name.as_str(), flags, Mode::empty()) {
                Ok(fd) => {
                    let opened = File::from(fd);
                    check(user, &opened, &shown, want, last, as_root)?;
                    if last {
                        return Ok(opened);
                    }
                    stack.push((opened, shown));
                }
                // A symbolic link (ELOOP; ENOTDIR on some systems with O_DIRECTORY).
                Err(errno @ (Errno::LOOP | Errno::NOTDIR | Errno::MLINK)) => {
                    let Ok(target) = rustix::fs::readlinkat(dir, name.as_str(), Vec::new()) else {
                        // A file where a folder belongs: the folder asked for does not exist.
                        return Err(match errno {
                            Errno::NOTDIR => Outcome::NotFound,
                            other => errno_outcome(other),
                        });
                    };
                    links += 1;
                    if links > MAX_LINKS {
                        return Err(Outcome::Refused {
                            reason: format!(
                                "{path} passes more than {MAX_LINKS} symbolic links; not followed"
                            ),
                        });
                    }
                    let target = target.to_string_lossy().into_owned();
                    let parts: Vec<String> = if target.starts_with('/') {
                        match below_home(user, home, target.trim_end_matches('/')) {
                            Ok(inside) => {
                                stack.truncate(1);
                                components(inside).collect()
                            }
                            Err(_) => {
                                return Err(Outcome::Refused {
                                    reason: format!(
                                        "{shown} is a symbolic link to {target}, outside {}'s home; not followed",
                                        user.name
                                    ),
                                });
                            }
                        }
                    } else {
                        components(&target).collect()
                    };
                    for part in parts.into_iter().rev() {
                        pending.push_front(part);
                    }
                }
                Err(errno) => return Err(errno_outcome(errno)),
            }
        }
        // The path named the home itself (or resolved back to it).
        let (folder, shown) = stack.pop().ok_or_else(|| leaves_home(user, home, path))?;
        if want == Want::File {
            return Err(Outcome::Refused {
                reason: format!("{shown} is a folder, not a regular file; not read"),
            });
        }
        Ok(folder)
    }

    fn components(path: &str) -> impl Iterator<Item = String> + '_ {
        path.split('/')
            .filter(|c| !c.is_empty() && *c != ".")
            .map(str::to_string)
    }

    fn leaves_home(user: &UserContext, home: &str, path: &str) -> Outcome {
        Outcome::Refused {
            reason: format!(
                "{path} leads out of {}'s home {home}; not followed",
                user.name
            ),
        }
    }
}

#[cfg(windows)]
mod platform {
    use super::{UserContext, below_home};
    use crate::finding::Outcome;
    use std::os::windows::fs::{MetadataExt, OpenOptionsExt};
    use std::path::PathBuf;

    /// FILE_ATTRIBUTE_REPARSE_POINT: a junction, symbolic link or other reparse point.
    const FILE_ATTRIBUTE_REPARSE_POINT: u32 = 0x400;
    /// FILE_FLAG_OPEN_REPARSE_POINT: open a reparse point itself, not what it points to.
    const FILE_FLAG_OPEN_REPARSE_POINT: u32 = 0x0020_0000;

    fn reparse(meta: &std::fs::Metadata) -> bool {
        meta.file_attributes() & FILE_ATTRIBUTE_REPARSE_POINT != 0
    }

    fn io(err: std::io::Error) -> Outcome {
        super::io_outcome(&err)
    }

    /// `path` after refusing any reparse point from the profile folder down to it.
    fn walk(user: &UserContext, path: &str) -> Result<PathBuf, Outcome> {
        let home = user.home.trim_end_matches(['/', '\\']);
        let rest = below_home(user, home, path)?;
        let mut current = PathBuf::from(home);
        for part in rest
            .split(['/', '\\'])
            .filter(|c| !c.is_empty() && *c != ".")
        {
            if part == ".." {
                return Err(Outcome::Refused {
                    reason: format!("{path} steps up with `..`; not followed"),
                });
            }
            current.push(part);
            if reparse(&std::fs::symlink_metadata(&current).map_err(io)?) {
                return Err(Outcome::Refused {
                    reason: format!(
                        "{} is a junction or symbolic link (reparse point) under {}'s profile; not followed",
                        current.display(),
                        user.name
                    ),
                });
            }
        }
        Ok(current)
    }

    /// Opens a regular file under `user`'s profile, with FILE_FLAG_OPEN_REPARSE_POINT so that
    /// a link swapped in after the walk is opened as the link itself and refused.
    pub(super) fn open_file_in_home(
        user: &UserContext,
        path: &str,
    ) -> Result<std::fs::File, Outcome> {
        let current = walk(user, path)?;
        let file = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(FILE_FLAG_OPEN_REPARSE_POINT)
            .open(&current)
            .map_err(io)?;
        let meta = file.metadata().map_err(io)?;
        if reparse(&meta) || !meta.is_file() {
            return Err(Outcome::Refused {
                reason: format!(
                    "{} is not a regular file (a link, folder or device); not read",
                    current.display()
                ),
            });
        }
        Ok(file)
    }

    /// The entry names of a folder under `user`'s profile.
    pub(super) fn dir_names_in_home(
        user: &UserContext,
        path: &str,
    ) -> Result<impl Iterator<Item = String>, Outcome> {
        let current = walk(user, path)?;
        Ok(std::fs::read_dir(current)
            .map_err(io)?
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::SourceKind;

    fn user(home: &std::path::Path) -> UserContext {
        UserContext {
            name: "tester".into(),
            uid: u32::MAX - 1,
            gid: u32::MAX - 1,
            home: home.to_string_lossy().into_owned(),
        }
    }

    fn obs() -> Observation {
        Observation::new(SourceKind::File, "x", Outcome::Completed)
    }

    #[test]
    fn paths_outside_the_home_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        std::fs::create_dir(&home).unwrap();
        let u = user(&home);
        for outside in ["/etc/passwd", &format!("{}x/file", home.display())] {
            let mut o = obs();
            read_in_home(&u, outside, 1024, &mut o);
            assert!(
                matches!(o.outcome, Outcome::Refused { .. }),
                "{outside}: {o:?}"
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn links_inside_the_home_are_followed_and_links_out_of_it_refused() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        std::fs::create_dir_all(home.join("real")).unwrap();
        std::fs::write(home.join("real/settings"), "inside").unwrap();
        std::fs::write(dir.path().join("secret"), "outside").unwrap();
        std::os::unix::fs::symlink("real", home.join("alias")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("secret"), home.join("out")).unwrap();
        std::os::unix::fs::symlink("../secret", home.join("up")).unwrap();
        std::os::unix::fs::symlink("loop", home.join("loop")).unwrap();
        let u = user(&home);
        let at = |rel: &str| format!("{}/{rel}", home.display());

        let mut o = obs();
        read_in_home(&u, &at("alias/settings"), 1024, &mut o);
        assert_eq!(
            (o.outcome.clone(), o.stdout.as_str()),
            (Outcome::Completed, "inside")
        );
        for (refused, why) in [
            ("out", "outside tester's home; not followed"),
            ("up", "leads out of tester's home"),
            ("loop", "more than 8 symbolic links"),
            ("real/../../secret", "leads out of tester's home"),
        ] {
            let mut o = obs();
            read_in_home(&u, &at(refused), 1024, &mut o);
            match &o.outcome {
                Outcome::Refused { reason } => assert!(reason.contains(why), "{refused}: {reason}"),
                other => panic!("{refused}: {other:?}"),
            }
            assert!(o.stdout.is_empty(), "{refused}: {o:?}");
        }
        let mut o = obs();
        list_in_home(&u, &at("alias"), &mut o);
        assert_eq!(o.stdout, "settings");
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        devidence_testkit::make_fifo(&fifo);
        let mut o = obs();
        read_in_home(&user(dir.path()), &fifo.to_string_lossy(), 1024, &mut o);
        assert!(
            matches!(&o.outcome, Outcome::Refused { reason } if reason.contains("a FIFO")),
            "{o:?}"
        );
        let mut o = obs();
        read_file(&fifo.to_string_lossy(), 1024, &mut o);
        assert!(
            matches!(&o.outcome, Outcome::Refused { reason } if reason.contains("a FIFO")),
            "{o:?}"
        );
    }

    /// As root, a file the user may not read is refused however it is reached: directly, by
    /// a symbolic link inside the home, or by a hard link (which `fs.protected_hardlinks`
    /// stops users from making on Linux, but not on macOS).
    #[cfg(unix)]
    #[test]
    fn as_root_only_what_the_user_may_read_is_read() {
        use std::os::unix::fs::PermissionsExt;
        if !devidence_testkit::available(
            "root",
            rustix::process::geteuid().is_root(),
            "reading as another user needs the tests to run as root",
        ) {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        std::fs::create_dir(&home).unwrap();
        let secret = home.join("root-only");
        std::fs::write(&secret, "ROOT-ONLY-CANARY").unwrap();
        std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).unwrap();
        std::fs::hard_link(&secret, home.join("hard")).unwrap();
        std::os::unix::fs::symlink("root-only", home.join("soft")).unwrap();
        std::fs::create_dir(home.join("closed")).unwrap();
        std::fs::write(home.join("closed/inside"), "x").unwrap();
        std::fs::set_permissions(home.join("closed"), std::fs::Permissions::from_mode(0o700))
            .unwrap();
        let u = user(&home);
        for name in ["root-only", "hard", "soft", "closed/inside"] {
            let mut o = obs();
            read_in_home(&u, &format!("{}/{name}", home.display()), 1024, &mut o);
            match &o.outcome {
                Outcome::Refused { reason } => {
                    assert!(reason.contains("by tester"), "{name}: {reason}")
                }
                other => panic!("{name}: {other:?}"),
            }
            assert!(!o.stdout.contains("CANARY"));
        }
        let mut o = obs();
        list_in_home(&u, &format!("{}/closed", home.display()), &mut o);
        assert!(matches!(o.outcome, Outcome::Refused { .. }), "{o:?}");
        // The same file, readable by others, is read.
        std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o644)).unwrap();
        let mut o = obs();
        read_in_home(&u, &format!("{}/soft", home.display()), 1024, &mut o);
        assert_eq!(o.stdout, "ROOT-ONLY-CANARY");
    }

    #[test]
    fn listings_stop_at_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..MAX_DIR_ENTRIES + 10 {
            std::fs::write(dir.path().join(format!("f{i}")), "").unwrap();
        }
        let mut o = obs();
        list_in_home(&user(dir.path()), &dir.path().to_string_lossy(), &mut o);
        assert!(o.truncated);
        assert_eq!(o.stdout.lines().count(), MAX_DIR_ENTRIES);
        let mut o = obs();
        list_dir(&dir.path().to_string_lossy(), &mut o);
        assert!(o.truncated);
        assert_eq!(o.stdout.lines().count(), MAX_DIR_ENTRIES);
    }
}
