//! Targets for the files the agent reads back: its configuration, state, spool records,
//! collected bundles and recordings, and MDM-managed settings. Each input is written where
//! the agent would find it, in a private scratch folder, then read the way the agent does.

use crate::Target;
use crate::seeds::Shape;
use devidence::config::{Env, Overrides};
use devidence::{bundle, config, managed, spool, state};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// A scratch folder for this process, removed when it exits normally.
fn scratch() -> &'static Path {
    static DIR: OnceLock<Option<tempfile::TempDir>> = OnceLock::new();
    match DIR.get_or_init(|| tempfile::tempdir().ok()) {
        Some(dir) => dir.path(),
        None => Path::new("/nonexistent-devidence-fuzz-scratch"),
    }
}

/// An empty folder `name` in the scratch folder.
fn fresh_dir(name: &str) -> PathBuf {
    let dir = scratch().join(name);
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::create_dir_all(&dir);
    dir
}

fn config_file(data: &[u8]) {
    let path = fresh_dir("config").join("config.toml");
    if std::fs::write(&path, data).is_ok() {
        let _ = config::load(Some(&path), &Env::from_pairs(&[]), &Overrides::default());
    }
}

fn state_file(data: &[u8]) {
    let dir = fresh_dir("state");
    let path = state::path(&dir);
    if std::fs::write(&path, data).is_ok() {
        let loaded = state::State::load(&path);
        // What loads must save and load again.
        if loaded.save(&path).is_ok() {
            let _ = state::State::load(&path);
        }
    }
}

/// One spool record as written by a run; its payload file exists beside it.
const RECORD_NAME: &str = "00000001700000000000-4242-0001-antivirus";

fn spool_record(data: &[u8]) {
    let dir = fresh_dir("spool");
    let _ = std::fs::write(dir.join(format!("{RECORD_NAME}.json")), data);
    let _ = std::fs::write(dir.join(format!("{RECORD_NAME}.pdf")), b"%PDF-1.7 fuzz");
    let Ok(spool) = spool::Spool::open(&dir, spool::Limits::default()) else {
        return;
    };
    for mut item in spool.pending() {
        let _ = spool.payload(&item);
        let _ = spool.record_failure(&mut item, "fuzz: upload failed");
        let _ = spool.remove(&item);
    }
    let _ = spool::read_items(&dir);
}

fn bundle_file(data: &[u8]) {
    let dir = fresh_dir("bundle");
    if std::fs::write(dir.join("findings.json"), data).is_ok() {
        let _ = bundle::read_replayable(&dir);
    }
}

fn recording_file(data: &[u8]) {
    let dir = fresh_dir("recording");
    if std::fs::write(dir.join("recorded.json"), data).is_ok() {
        let _ = bundle::read_replayable(&dir);
    }
}

/// The agent's file-reader targets.
pub fn targets() -> Vec<Target> {
    vec![
        Target {
            name: "agent/config",
            seed_dirs: &[
                "installers/config.example.toml",
                "crates/fuzz-targets/seeds/config",
            ],
            seed_shape: Shape::Raw,
            run: config_file,
        },
        Target {
            name: "agent/state",
            seed_dirs: &["crates/fuzz-targets/seeds/state"],
            seed_shape: Shape::Raw,
            run: state_file,
        },
        Target {
            name: "agent/spool_record",
            seed_dirs: &["crates/fuzz-targets/seeds/spool"],
            seed_shape: Shape::Raw,
            run: spool_record,
        },
        Target {
            name: "agent/bundle",
            seed_dirs: &["crates/fuzz-targets/seeds/bundle"],
            seed_shape: Shape::Raw,
            run: bundle_file,
        },
        Target {
            name: "agent/recording",
            seed_dirs: &["crates/fuzz-targets/seeds/recording"],
            seed_shape: Shape::Raw,
            run: recording_file,
        },
        Target {
            name: "agent/managed_plist",
            seed_dirs: &["installers/macos"],
            seed_shape: Shape::Raw,
            run: |data| {
                let _ = managed::from_plist(data, "fuzz");
            },
        },
        Target {
            name: "agent/sddl",
            seed_dirs: &["crates/agent/tests/fuzz-seeds/sddl"],
            seed_shape: Shape::Text,
            run: |data| {
                let text = crate::text(data);
                for access in [devidence::acl::Access::Read, devidence::acl::Access::Write] {
                    let _ = devidence::acl::others_with_access(&text, access);
                }
            },
        },
        Target {
            name: "agent/managed_registry",
            seed_dirs: &["crates/core/tests/fixtures/windows"],
            seed_shape: Shape::Text,
            run: |data| {
                let _ = managed::from_reg_query(&crate::text(data), "fuzz");
            },
        },
    ]
}
