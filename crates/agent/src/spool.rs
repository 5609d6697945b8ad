//! The offline spool: every evidence file is stored here before any upload and leaves only
//! after Drata answered 2xx for it, so evidence survives no network, a refusal, or the process
//! being killed at any moment.
//!
//! Layout of the spool folder (0700):
//! - `<id>.<pdf|png>`: the file to upload, written first;
//! - `<id>.json`: its [`Item`] record, written second — an item exists once this exists;
//! - `rejected/`: items Drata refused for good (e.g. 413), kept for the admin, not retried;
//! - `.lock`: held by the one process that may change the spool.
//!
//! Both files are written atomically (temp file, fsync, rename, fsync folder). Removal deletes
//! the record first, then the file, so a kill in between leaves only an orphan file, cleared on
//! the next open. Delivery is therefore **at least once**: a kill after Drata stored a file but
//! before its record is removed sends that file again on the next run.

use crate::atomic;
use devidence_core::Control;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use time::OffsetDateTime;

/// Bounds on what the spool keeps; the oldest items go first, each with a logged warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most items pending at once.
    pub max_items: usize,
    /// Most bytes of files pending at once.
    pub max_bytes: u64,
}

impl Default for Limits {
    /// 500 items, 500 MiB: about seven weeks of daily runs in PDF and PNG.
    fn default() -> Self {
        Limits {
            max_items: 500,
            max_bytes: 500 * 1024 * 1024,
        }
    }
}

/// One evidence file waiting for upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// Unique, and sorts oldest first.
    pub id: String,
    /// The control it proves.
    pub control: Control,
    /// The Drata document type it is uploaded as.
    pub drata_type: String,
    /// The file name Drata will show.
    pub upload_name: String,
    /// The file in the spool folder holding the bytes.
    pub payload: String,
    /// Its size.
    pub bytes: u64,
    /// SHA-256 of the bytes, checked before upload.
    pub sha256: String,
    /// When it was spooled.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Upload attempts that failed so far.
    #[serde(default)]
    pub attempts: u32,
    /// The last failure, for `devidence status`.
    #[serde(default)]
    pub last_error: Option<String>,
}

/// An item dropped to stay within [`Limits`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dropped {
    /// The item.
    pub item: Item,
    /// Which bound it broke.
    pub why: &'static str,
}

/// The spool, opened for changes by this process.
#[derive(Debug)]
pub struct Spool {
    dir: PathBuf,
    limits: Limits,
    _lock: File,
}

static SEQUENCE: AtomicU32 = AtomicU32::new(0);

/// Why the spool cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SpoolError {
    /// Another devidence process holds the spool.
    #[error(
        "another devidence run is using the spool {0}; wait for it to finish (or stop the other run)"
    )]
    Busy(PathBuf),
    /// A file operation failed.
    #[error("spool {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
}

fn io_at(path: &Path) -> impl FnOnce(io::Error) -> SpoolError + '_ {
    move |source| SpoolError::Io {
        path: path.to_path_buf(),
        source,
    }
}

impl Spool {
    /// Opens (creating) the spool in `dir`, taking its lock, and tidies what a killed run
    /// left: temporary files and files whose record was never written or already removed.
    pub fn open(dir: &Path, limits: Limits) -> Result<Spool, SpoolError> {
        // The spool must be the agent's own: a folder others can write to could have items
        // removed or forged ones slipped in.
        atomic::create_private_dir(dir).map_err(io_at(dir))?;
        atomic::create_private_dir(&dir.join("rejected")).map_err(io_at(dir))?;
        let lock_path = dir.join(".lock");
        let lock = atomic::open_lock_file(&lock_path).map_err(io_at(&lock_path))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => return Err(SpoolError::Busy(dir.to_path_buf())),
            Err(fs::TryLockError::Error(e)) => return Err(io_at(&lock_path)(e)),
        }
        atomic::remove_stale_temporaries(dir);
        let spool = Spool {
            dir: dir.to_path_buf(),
            limits,
            _lock: lock,
        };
        spool.remove_orphans();
        Ok(spool)
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Stores one file for upload, then enforces the limits (returning what was dropped).
    pub fn enqueue(
        &self,
        control: Control,
        upload_name: &str,
        extension: &str,
        bytes: &[u8],
        now: OffsetDateTime,
    ) -> Result<(Item, Vec<Dropped>), SpoolError> {
        let id = format!(
            "{:020}-{}-{:04}-{}",
            now.unix_timestamp_nanos().max(0),
            std::process::id(),
            SEQUENCE.fetch_add(1, Ordering::Relaxed) % 10_000,
            control.slug()
        );
        let payload = format!("{id}.{extension}");
        let item = Item {
            id: id.clone(),
            control,
            drata_type: crate::deliver::evidence_type(control).to_string(),
            upload_name: upload_name.to_string(),
            payload: payload.clone(),
            bytes: bytes.len() as u64,
            sha256: hex_sha256(bytes),
            created_at: now,
            attempts: 0,
            last_error: None,
        };
        let payload_path = self.dir.join(&payload);
        atomic::write(&payload_path, bytes).map_err(io_at(&payload_path))?;
        self.write_record(&self.dir, &item)?;
        let dropped = self.enforce_limits()?;
        Ok((item, dropped))
    }

    /// Items waiting for upload, oldest first.
    pub fn pending(&self) -> Vec<Item> {
        read_items(&self.dir)
    }

    /// The bytes of an item, checked against its SHA-256.
    pub fn payload(&self, item: &Item) -> Result<Vec<u8>, SpoolError> {
        let path = self.dir.join(&item.payload);
        // The record says how large the file is; never read more than that (nor a link).
        let bytes = atomic::read_capped(&path, item.bytes, false).map_err(io_at(&path))?;
        if hex_sha256(&bytes) != item.sha256 {
            return Err(SpoolError::Io {
                path,
                source: io::Error::new(
                    io::ErrorKind::InvalidData,
                    "the file no longer matches its SHA-256; it was changed after spooling",
                ),
            });
        }
        Ok(bytes)
    }

    /// Removes a delivered item: record first, then file.
    pub fn remove(&self, item: &Item) -> Result<(), SpoolError> {
        let record = self.dir.join(format!("{}.json", item.id));
        fs::remove_file(&record).map_err(io_at(&record))?;
        atomic::sync_dir(&self.dir).map_err(io_at(&self.dir))?;
        let _ = fs::remove_file(self.dir.join(&item.payload));
        Ok(())
    }

    /// Notes a failed attempt on the item's record.
    pub fn record_failure(&self, item: &mut Item, error: &str) -> Result<(), SpoolError> {
        item.attempts += 1;
        item.last_error = Some(error.to_string());
        self.write_record(&self.dir, item)
    }

    /// Moves an item Drata refused for good to `rejected/`, where it is kept but not retried.
    pub fn reject(&self, item: &mut Item, error: &str) -> Result<(), SpoolError> {
        item.attempts += 1;
        item.last_error = Some(error.to_string());
        let rejected = self.dir.join("rejected");
        let from = self.dir.join(&item.payload);
        let to = rejected.join(&item.payload);
        fs::rename(&from, &to).map_err(io_at(&from))?;
        self.write_record(&rejected, item)?;
        let record = self.dir.join(format!("{}.json", item.id));
        fs::remove_file(&record).map_err(io_at(&record))?;
        atomic::sync_dir(&self.dir).map_err(io_at(&self.dir))
    }

    fn write_record(&self, dir: &Path, item: &Item) -> Result<(), SpoolError> {
        let path = dir.join(format!("{}.json", item.id));
        let json = serde_json::to_vec_pretty(item).map_err(|e| SpoolError::Io {
            path: path.clone(),
            source: io::Error::other(e),
        })?;
        atomic::write(&path, &json).map_err(io_at(&path))
    }

    /// Drops the oldest items until the spool is within its limits.
    ///
    /// There is no age limit: the clock plays no part, so a clock set years ahead or behind
    /// (or a machine off for months) never drops evidence. Each report states when it was
    /// collected.
    fn enforce_limits(&self) -> Result<Vec<Dropped>, SpoolError> {
        let mut items = self.pending();
        let mut dropped = Vec::new();
        while !items.is_empty() {
            let total = items
                .iter()
                .fold(0u64, |sum, i| sum.saturating_add(i.bytes));
            let why = if items.len() > self.limits.max_items {
                "more items than the spool's max_items"
            } else if total > self.limits.max_bytes {
                "more bytes than the spool's max_mb"
            } else {
                break;
            };
            let item = items.remove(0);
            tracing::warn!(
                item = %item.id,
                control = %item.control,
                spooled_at = %item.created_at,
                "dropping unsent evidence {} from the spool: {why}",
                item.upload_name
            );
            self.remove(&item)?;
            dropped.push(Dropped { item, why });
        }
        Ok(dropped)
    }

    /// Removes files with no record: written by a run killed before the record, or left when
    /// a run was killed between removing the record and the file. A file whose record exists
    /// but cannot be read is kept with it, for the admin to look at.
    fn remove_orphans(&self) {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let is_payload = path
                .extension()
                .is_some_and(|ext| ext == "pdf" || ext == "png");
            if is_payload && !path.with_extension("json").exists() {
                tracing::debug!(file = %path.display(), "removing a spool file without a record");
                let _ = fs::remove_file(&path);
            }
        }
    }
}

/// Most bytes read of one spool record (a record is a few hundred bytes).
const MAX_RECORD_BYTES: u64 = 64 * 1024;

/// Reads the records in `dir`, oldest first, without locking (for `devidence status`).
/// A record that cannot be read is logged and skipped, never deleted.
pub fn read_items(dir: &Path) -> Vec<Item> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut items: Vec<Item> = entries
        .flatten()
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.ends_with(".json") && !name.starts_with('.')
        })
        .filter_map(|e| {
            let path = e.path();
            match atomic::read_capped(&path, MAX_RECORD_BYTES, false)
                .map_err(|e| e.to_string())
                .and_then(|b| serde_json::from_slice::<Item>(&b).map_err(|e| e.to_string()))
                .and_then(|item: Item| item.check_names().map(|()| item))
                .and_then(|item| {
                    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
                    if stem.as_deref() == Some(item.id.as_str()) {
                        Ok(item)
                    } else {
                        Err(format!("the record's id {:?} is not its file name", item.id))
                    }
                })
            {
                Ok(item) => Some(item),
                Err(why) => {
                    tracing::warn!(path = %path.display(), "unreadable spool record left in place: {why}");
                    None
                }
            }
        })
        .collect();
    items.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    items
}

impl Item {
    /// A record names its files; both must be plain names inside the spool folder, the way
    /// [`Spool::enqueue`] writes them, so a corrupt or planted record can never make the
    /// agent read, upload, move or delete a file elsewhere.
    fn check_names(&self) -> Result<(), String> {
        let plain = |name: &str| {
            !name.is_empty()
                && name != "."
                && name != ".."
                && !name.starts_with('.')
                && !name.contains(['/', '\\', '\0', ':'])
        };
        let payload_ok = self
            .payload
            .strip_prefix(&self.id)
            .is_some_and(|ext| ext == ".pdf" || ext == ".png");
        if plain(&self.id) && plain(&self.payload) && payload_ok {
            Ok(())
        } else {
            Err(format!(
                "the record names files outside the spool's own naming (id {:?}, payload {:?})",
                self.id, self.payload
            ))
        }
    }
}

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn at(seconds: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_790_000_000 + seconds).unwrap()
    }

    #[test]
    fn items_come_back_oldest_first_and_leave_only_when_removed() {
        let dir = tempfile::tempdir().unwrap();
        let spool = Spool::open(dir.path(), Limits::default()).unwrap();
        let (b, _) = spool
            .enqueue(Control::Antivirus, "b.pdf", "pdf", b"%PDF-b", at(2))
            .unwrap();
        let (a, _) = spool
            .enqueue(Control::DiskEncryption, "a.pdf", "pdf", b"%PDF-a", at(1))
            .unwrap();
        let pending = spool.pending();
        assert_eq!(pending, vec![a.clone(), b.clone()]);
        assert_eq!(spool.payload(&a).unwrap(), b"%PDF-a");
        spool.remove(&a).unwrap();
        assert_eq!(spool.pending(), vec![b]);
    }

    #[test]
    fn a_second_process_cannot_open_it() {
        let dir = tempfile::tempdir().unwrap();
        let _first = Spool::open(dir.path(), Limits::default()).unwrap();
        let second = Spool::open(dir.path(), Limits::default()).unwrap_err();
        assert!(matches!(second, SpoolError::Busy(_)), "{second}");
    }

    #[test]
    fn limits_drop_the_oldest_first() {
        let dir = tempfile::tempdir().unwrap();
        let limits = Limits {
            max_items: 2,
            max_bytes: 1000,
        };
        let spool = Spool::open(dir.path(), limits).unwrap();
        spool
            .enqueue(Control::Antivirus, "1.pdf", "pdf", b"1", at(0))
            .unwrap();
        spool
            .enqueue(Control::Antivirus, "2.pdf", "pdf", b"2", at(1))
            .unwrap();
        let (_, dropped) = spool
            .enqueue(Control::Antivirus, "3.pdf", "pdf", b"3", at(2))
            .unwrap();
        assert_eq!(dropped.len(), 1);
        assert_eq!(dropped[0].item.upload_name, "1.pdf");
        // Bytes: one item larger than the cap is dropped at once, loudly.
        let (_, dropped) = spool
            .enqueue(Control::Antivirus, "big.pdf", "pdf", &[0; 2000], at(3))
            .unwrap();
        assert_eq!(dropped.len(), 3);
    }

    #[test]
    fn no_clock_reading_drops_evidence() {
        let dir = tempfile::tempdir().unwrap();
        let spool = Spool::open(dir.path(), Limits::default()).unwrap();
        // Spooled with the clock in 1990, now, and twenty years ahead, in any order.
        for (name, seconds) in [("now", 0), ("ahead", 631_152_000), ("past", -1_146_000_000)] {
            let (_, dropped) = spool
                .enqueue(
                    Control::Antivirus,
                    name,
                    "pdf",
                    name.as_bytes(),
                    at(seconds),
                )
                .unwrap();
            assert!(dropped.is_empty(), "{dropped:?}");
        }
        let names: Vec<_> = spool.pending().into_iter().map(|i| i.upload_name).collect();
        assert_eq!(names, vec!["past", "now", "ahead"]);
    }

    #[test]
    fn a_record_naming_files_outside_the_spool_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("precious.txt");
        fs::write(&outside, b"keep me").unwrap();
        let spool_dir = dir.path().join("spool");
        {
            let spool = Spool::open(&spool_dir, Limits::default()).unwrap();
            let (mut item, _) = spool
                .enqueue(Control::Antivirus, "a.pdf", "pdf", b"a", at(0))
                .unwrap();
            let record = spool_dir.join(format!("{}.json", item.id));
            for (id, payload) in [
                (item.id.clone(), "../precious.txt".to_string()),
                ("../precious".to_string(), "../precious.txt".to_string()),
                ("other-id".to_string(), "other-id.pdf".to_string()),
            ] {
                item.id = id;
                item.payload = payload;
                fs::write(&record, serde_json::to_vec(&item).unwrap()).unwrap();
                assert!(spool.pending().is_empty(), "{item:?}");
            }
        }
        let spool = Spool::open(&spool_dir, Limits::default()).unwrap();
        assert!(spool.pending().is_empty());
        assert_eq!(fs::read(&outside).unwrap(), b"keep me");
    }

    #[test]
    fn a_kill_between_the_two_writes_or_removals_leaves_a_consistent_spool() {
        let dir = tempfile::tempdir().unwrap();
        {
            let spool = Spool::open(dir.path(), Limits::default()).unwrap();
            spool
                .enqueue(Control::Antivirus, "a.pdf", "pdf", b"a", at(0))
                .unwrap();
        }
        // A payload with no record (killed before the record), and a torn temporary file.
        fs::write(
            dir.path().join("00000000000000000001-1-0001-antivirus.pdf"),
            b"x",
        )
        .unwrap();
        fs::write(dir.path().join(".tmp-y.json-99"), b"{").unwrap();
        let spool = Spool::open(dir.path(), Limits::default()).unwrap();
        assert_eq!(spool.pending().len(), 1);
        let files: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with('.') && n != "rejected")
            .collect();
        assert_eq!(files.len(), 2, "{files:?}");
    }

    #[test]
    fn refused_items_move_aside_and_changed_files_are_caught() {
        let dir = tempfile::tempdir().unwrap();
        let spool = Spool::open(dir.path(), Limits::default()).unwrap();
        let (mut item, _) = spool
            .enqueue(Control::LockScreen, "l.pdf", "pdf", b"lock", at(0))
            .unwrap();
        fs::write(dir.path().join(&item.payload), b"tampered").unwrap();
        assert!(spool.payload(&item).is_err());
        spool.reject(&mut item, "413 too large").unwrap();
        assert!(spool.pending().is_empty());
        let rejected = read_items(&dir.path().join("rejected"));
        assert_eq!(rejected[0].last_error.as_deref(), Some("413 too large"));
    }
}
