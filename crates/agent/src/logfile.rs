//! The agent's own log file for background runs outside systemd (launchd, Task Scheduler,
//! the daemon started by hand): `devidence.log` in the platform log folder, rotated by size
//! (`devidence.log.1` … `.N`), so logs can never fill the disk.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Rotate when the file would grow past this.
pub const MAX_BYTES: u64 = 1024 * 1024;
/// Rotated files kept besides the current one.
pub const KEEP: usize = 3;

/// The platform's log folder for the agent (`DEVIDENCE_LOG_DIR` overrides it).
pub fn log_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("DEVIDENCE_LOG_DIR") {
        return PathBuf::from(dir);
    }
    if cfg!(target_os = "macos") && devidence_core::host::running_as_root() {
        PathBuf::from("/Library/Logs/devidence")
    } else if cfg!(windows) {
        crate::paths::data_dir().join("logs")
    } else if devidence_core::host::running_as_root() {
        PathBuf::from("/var/log/devidence")
    } else {
        crate::paths::data_dir().join("logs")
    }
}

/// A size-rotated log file.
#[derive(Debug)]
pub struct RotatingFile {
    path: PathBuf,
    file: File,
    size: u64,
    max_bytes: u64,
    keep: usize,
}

impl RotatingFile {
    /// Opens (appending) `<dir>/devidence.log`.
    pub fn open(dir: &Path, max_bytes: u64, keep: usize) -> io::Result<RotatingFile> {
        crate::atomic::create_private_dir(dir)?;
        let path = dir.join("devidence.log");
        let file = crate::atomic::no_follow(crate::atomic::owner_only(
            OpenOptions::new().create(true).append(true),
        ))
        .open(&path)?;
        let size = file.metadata()?.len();
        Ok(RotatingFile {
            path,
            file,
            size,
            max_bytes,
            keep,
        })
    }

    fn rotated(&self, n: usize) -> PathBuf {
        let mut name = self.path.as_os_str().to_os_string();
        name.push(format!(".{n}"));
        PathBuf::from(name)
    }

    fn rotate(&mut self) -> io::Result<()> {
        let _ = fs::remove_file(self.rotated(self.keep));
        for n in (1..self.keep).rev() {
            let _ = fs::rename(self.rotated(n), self.rotated(n + 1));
        }
        if self.keep > 0 {
            fs::rename(&self.path, self.rotated(1))?;
        } else {
            fs::remove_file(&self.path)?;
        }
        self.file = crate::atomic::no_follow(crate::atomic::owner_only(
            OpenOptions::new().create(true).append(true),
        ))
        .open(&self.path)?;
        self.size = 0;
        Ok(())
    }
}

impl Write for RotatingFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.size > 0 && self.size + buf.len() as u64 > self.max_bytes {
            self.rotate()?;
        }
        let written = self.file.write(buf)?;
        self.size += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// Logs go to stderr, which systemd sends to the journal. Background runs elsewhere (launchd,
/// Task Scheduler, a daemon started by hand) log at info level to the size-rotated file in the
/// platform log folder instead.
pub fn init_logging(verbose: u8, background: bool) {
    let under_systemd = std::env::var_os("JOURNAL_STREAM").is_some();
    let default = match verbose {
        0 if background => "info",
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("DEVIDENCE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    if background && !under_systemd {
        let dir = log_dir();
        match RotatingFile::open(&dir, MAX_BYTES, KEEP) {
            Ok(file) => {
                builder
                    .with_ansi(false)
                    .with_writer(std::sync::Mutex::new(file))
                    .init();
                return;
            }
            Err(e) => eprintln!(
                "warning: cannot log to {}: {e}; logging to standard error",
                dir.display()
            ),
        }
    }
    // Colours only on a terminal: a log piped to a file or a management tool stays plain text.
    builder
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .init();
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_log_is_rotated_by_size_and_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = RotatingFile::open(dir.path(), 1000, 2).unwrap();
        let line = [b'x'; 99];
        for _ in 0..100 {
            log.write_all(&line).unwrap();
            log.write_all(b"\n").unwrap();
        }
        let mut names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(
            names,
            ["devidence.log", "devidence.log.1", "devidence.log.2"]
        );
        for name in names {
            assert!(fs::metadata(dir.path().join(name)).unwrap().len() <= 1000);
        }
    }
}
