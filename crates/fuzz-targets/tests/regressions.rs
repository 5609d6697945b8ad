//! Every fuzz target against its seed corpus (the recorded real outputs) and every input a
//! fuzzer ever crashed it with (`crates/fuzz-targets/regressions/<target>/`), in the normal
//! test run. The long, coverage-guided runs are `fuzz/run` (see fuzz/README.md).
#![allow(clippy::unwrap_used, missing_docs)]

use devidence_fuzz_targets::{all, seeds};
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

/// Far beyond any single input's honest cost here; reaching it means a hang, not slowness.
const HANG: Duration = Duration::from_secs(120);

/// Runs one input on its own thread and fails the test if it panics or never returns.
fn survives(name: &str, what: &str, run: fn(&[u8]), input: Vec<u8>) {
    let (done, finished) = mpsc::channel();
    let worker = std::thread::spawn(move || {
        run(&input);
        let _ = done.send(());
    });
    match finished.recv_timeout(HANG) {
        Ok(()) => worker.join().unwrap(),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            let panic = worker.join().unwrap_err();
            panic!("{name} panicked on {what}: {panic:?}")
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{name} hung on {what}"),
    }
}

fn regressions_dir(target: &str) -> PathBuf {
    seeds::workspace_root()
        .join("crates/fuzz-targets/regressions")
        .join(target)
}

#[test]
fn every_target_has_seeds_and_survives_them() {
    let mut total = 0;
    for target in all() {
        let inputs = seeds::for_target(&target);
        assert!(!inputs.is_empty(), "{} has no seed inputs", target.name);
        total += inputs.len();
        for (i, input) in inputs.into_iter().enumerate() {
            survives(target.name, &format!("seed {i}"), target.run, input);
        }
    }
    println!("{total} seed inputs over {} targets", all().len());
}

#[test]
fn every_saved_crash_input_stays_fixed() {
    let root = seeds::workspace_root().join("crates/fuzz-targets/regressions");
    // The folder is part of the repository (its README says how inputs get there); without
    // it this test would replay nothing and pass.
    assert!(
        root.join("README.md").is_file(),
        "{} is missing: the saved crash inputs cannot be replayed",
        root.display()
    );
    let targets = all();
    // Every saved input, wherever it lies below the folder, must belong to a target: an input
    // filed under a misspelt or renamed target would otherwise be skipped silently.
    let mut files = Vec::new();
    let mut folders = vec![root.clone()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else if path != root.join("README.md") {
                files.push(path);
            }
        }
    }
    let mut count = 0;
    for file in &files {
        let name = file
            .parent()
            .and_then(|p| p.strip_prefix(&root).ok())
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        let target = targets.iter().find(|t| t.name == name).unwrap_or_else(|| {
            panic!(
                "{} is filed under `{name}`, which is no fuzz target's name",
                file.display()
            )
        });
        let input = std::fs::read(file).unwrap();
        survives(target.name, &file.display().to_string(), target.run, input);
        count += 1;
    }
    assert_eq!(count, files.len());
    println!("{count} saved crash inputs replayed");
}

#[test]
fn regressions_dir_names_a_target_folder() {
    // The layout the replay above expects: <root>/<target name>/<file>.
    let dir = regressions_dir("core/plist");
    assert!(dir.ends_with("crates/fuzz-targets/regressions/core/plist"));
}

#[test]
fn target_names_are_unique_and_fit_a_folder() {
    let mut names: Vec<&str> = all().iter().map(|t| t.name).collect();
    let n = names.len();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), n, "duplicate target names");
    for name in names {
        assert!(
            name.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"/_-".contains(&b)),
            "{name}"
        );
    }
}
