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
    let mut count = 0;
    for target in all() {
        let Ok(entries) = std::fs::read_dir(regressions_dir(target.name)) else {
            continue;
        };
        for entry in entries.flatten() {
            let input = std::fs::read(entry.path()).unwrap();
            survives(
                target.name,
                &entry.path().display().to_string(),
                target.run,
                input,
            );
            count += 1;
        }
    }
    println!("{count} saved crash inputs replayed");
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
