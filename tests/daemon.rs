//! The background agent for real: `devidence daemon` with a 2-second interval against fake
//! Drata runs two cycles (ten uploads), refuses a second instance, and stops cleanly on
//! SIGTERM; `run --scheduled` skips uploading verdicts that are unchanged and recent.
#![cfg(unix)]
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use common::{DEVICE, KEY, Server, devidence};
use fake_drata::FakeDrata;
use std::time::{Duration, Instant};

#[test]
fn the_daemon_runs_cycles_and_stops_cleanly_on_sigterm() {
    let server = Server::start(FakeDrata::new(KEY).with_device(DEVICE));
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("config.toml"),
        format!(
            "api_url = \"{}\"\ndevice_id = \"{DEVICE}\"\nrequest_interval_ms = 0\n[schedule]\nmin_upload_hours = 0\n",
            server.url()
        ),
    )
    .unwrap();
    let daemon_cmd = || {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("devidence"));
        cmd.arg("--config")
            .arg(tmp.path().join("config.toml"))
            .arg("daemon")
            .env("DEVIDENCE_DATA_DIR", tmp.path().join("data"))
            .env("DEVIDENCE_LOG_DIR", tmp.path().join("logs"))
            .env_remove("JOURNAL_STREAM")
            .env_remove("DEVIDENCE_DEVICE_ID")
            .env_remove("DEVIDENCE_API_URL")
            .env_remove("HTTP_PROXY")
            .env_remove("http_proxy")
            .env_remove("DISPLAY")
            .env("DRATA_API_KEY", KEY)
            .env("DEVIDENCE_INTERVAL_SECONDS", "2")
            .env("DEVIDENCE_SPLAY_SECONDS", "0")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped());
        cmd
    };
    let mut daemon = daemon_cmd().spawn().unwrap();
    let started = Instant::now();
    let mut cycles_seen = std::collections::BTreeSet::new();
    while server.fake.uploads().len() < 10 {
        // The key must never be visible in any process's arguments (what `ps` shows to
        // every user), the daemon's and its cycles' included.
        for (pid, cmdline) in command_lines() {
            assert!(
                !cmdline.contains(KEY),
                "the API key is in the arguments of {pid}: {cmdline}"
            );
            if cmdline.contains("run --scheduled --background") {
                cycles_seen.insert(pid);
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "two cycles did not complete: {} uploads",
            server.fake.uploads().len()
        );
        assert!(
            daemon.try_wait().unwrap().is_none(),
            "the daemon exited early"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(
        !cycles_seen.is_empty(),
        "no cycle's arguments were sampled while it ran"
    );
    let status: serde_json::Value = serde_json::from_slice(
        &std::fs::read(tmp.path().join("data").join("daemon.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(status["pid"], daemon.id());

    // A second instance is refused while the first holds the lock.
    let second = daemon_cmd().output().unwrap();
    assert!(!second.status.success());
    assert!(
        String::from_utf8_lossy(&second.stderr).contains("already running"),
        "{second:?}"
    );

    rustix::process::kill_process(
        rustix::process::Pid::from_raw(daemon.id() as i32).unwrap(),
        rustix::process::Signal::TERM,
    )
    .unwrap();
    let stopping = Instant::now();
    let status = loop {
        if let Some(status) = daemon.try_wait().unwrap() {
            break status;
        }
        assert!(
            stopping.elapsed() < Duration::from_secs(20),
            "did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "{status:?}");
    assert!(!tmp.path().join("data").join("daemon.json").exists());
    // Outside systemd, the daemon and its runs log to the rotating file.
    let log = std::fs::read_to_string(tmp.path().join("logs").join("devidence.log")).unwrap();
    assert!(log.contains("starting a scheduled run"), "{log}");
    assert!(log.contains("devidence daemon stopped"), "{log}");
    assert!(
        log.contains("uploaded") || log.contains("uploading"),
        "{log}"
    );
    // Whatever a run interrupted by the stop left is in the spool, to be sent next time.
    let uploads = server.fake.uploads().len();
    assert!(uploads >= 10);
}

#[test]
fn a_scheduled_run_skips_unchanged_recent_verdicts() {
    let server = Server::start(FakeDrata::new(KEY).with_device(DEVICE));
    let tmp = tempfile::tempdir().unwrap();
    let scheduled = || {
        devidence(tmp.path())
            .args([
                "run",
                "--scheduled",
                "--api-url",
                &server.url(),
                "--device-id",
                DEVICE,
            ])
            .env("DRATA_API_KEY", KEY)
            .output()
            .unwrap()
    };
    assert!(scheduled().status.success());
    assert_eq!(server.fake.uploads().len(), 5);
    let second = scheduled();
    assert!(second.status.success());
    assert!(
        String::from_utf8_lossy(&second.stdout).contains("nothing uploaded"),
        "{second:?}"
    );
    assert_eq!(server.fake.uploads().len(), 5);
}

/// Every process's command line (`/proc/<pid>/cmdline`, arguments joined by spaces).
fn command_lines() -> Vec<(u32, String)> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let raw = std::fs::read(entry.path().join("cmdline")).ok()?;
            let line = String::from_utf8_lossy(&raw).replace('\0', " ");
            Some((pid, line))
        })
        .collect()
}
