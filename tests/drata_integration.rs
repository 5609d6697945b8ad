//! The real binary against fake Drata on 127.0.0.1: each device-ID resolution path (a–e),
//! re-resolution after a 404, the spool surviving killed runs, `devidence status`, and
//! findings pushed as custom data records.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use common::{KEY, Server, devidence, sha256_hex, spooled_hashes};
use fake_drata::{FakeDrata, Fault};
use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

const SERIAL: &str = "DVD-TEST-SERIAL-7";
const OWNER: &str = "jane.doe@example.com";

fn write_config(dir: &Path, text: &str) {
    std::fs::write(dir.join("config.toml"), text).unwrap();
}

/// `devidence run` against `url` with the test key and the test serial number.
fn run(dir: &Path, url: &str) -> std::process::Output {
    run_with(dir, url, &[], &dir.join(format!("evidence-{}", unique())))
}

/// `devidence run <flags>` against `url` with the test key and the test serial number, the
/// evidence written into `out`.
fn run_with(dir: &Path, url: &str, flags: &[&str], out: &Path) -> std::process::Output {
    devidence(dir)
        .arg("run")
        .args(flags)
        .args(["--api-url", url, "--out"])
        .arg(out)
        .env("DRATA_API_KEY", KEY)
        .env("DEVIDENCE_SERIAL_NUMBER", SERIAL)
        .output()
        .unwrap()
}

fn unique() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

fn status_json(dir: &Path) -> serde_json::Value {
    let output = devidence(dir).args(["status", "--json"]).output().unwrap();
    assert!(output.status.success(), "{output:?}");
    serde_json::from_slice(&output.stdout).unwrap()
}

fn upload_targets(server: &Server) -> BTreeSet<String> {
    server
        .fake
        .uploads()
        .iter()
        .map(|u| u.device_id.clone())
        .collect()
}

#[test]
fn b_the_device_drata_knows_is_found_by_serial_number() {
    let server = Server::start(FakeDrata::new(KEY).with_known_device(808, 31, Some(SERIAL), None));
    let tmp = tempfile::tempdir().unwrap();
    let output = run(tmp.path(), &server.url());
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(server.fake.uploads().len(), 5);
    assert_eq!(upload_targets(&server), BTreeSet::from(["808".to_string()]));
    let status = status_json(tmp.path());
    assert_eq!(status["device"]["id"], "808");
    assert_eq!(status["device"]["method"], "serial_number");
    assert!(status["device"]["why"].as_str().unwrap().contains(SERIAL));
    assert_eq!(status["spool"]["pending"].as_array().unwrap().len(), 0);
    assert_eq!(status["controls"]["antivirus"]["upload"], "sent");

    // The resolution is cached: the next run does not look the device up again.
    let lookups = |s: &Server| {
        s.fake
            .requests()
            .iter()
            .filter(|r| r.path.starts_with("/devices?"))
            .count()
    };
    let before = lookups(&server);
    assert!(run(tmp.path(), &server.url()).status.success());
    assert_eq!(lookups(&server), before);
    assert_eq!(server.fake.uploads().len(), 10);
}

/// What the daemon, the timer, the LaunchDaemon and the scheduled task start renders only what
/// it uploads: with `format = "pdf"` (the default) five PDFs arrive and no PNG is drawn at all,
/// while a run started by hand keeps both files per control.
#[test]
fn a_background_run_renders_only_the_format_it_uploads() {
    let server = Server::start(FakeDrata::new(KEY).with_known_device(808, 31, Some(SERIAL), None));
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("evidence-background");
    let output = run_with(
        tmp.path(),
        &server.url(),
        &["--scheduled", "--background"],
        &out,
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let uploads = server.fake.uploads();
    assert_eq!(uploads.len(), 5);
    assert!(
        uploads
            .iter()
            .all(|u| u.file_name.ends_with(".pdf") && lopdf::Document::load_mem(&u.bytes).is_ok()),
        "{:?}",
        uploads.iter().map(|u| &u.file_name).collect::<Vec<_>>()
    );
    let mut written: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    assert_eq!(
        written,
        [
            "antivirus.pdf",
            "auto-updates.pdf",
            "disk-encryption.pdf",
            "findings.json",
            "lock-screen.pdf",
            "password-manager.pdf"
        ]
    );

    // By hand, the same settings write both files per control (and upload the PDFs).
    let by_hand = tmp.path().join("evidence-by-hand");
    let output = run_with(tmp.path(), &server.url(), &[], &by_hand);
    assert!(output.status.success(), "{output:?}");
    common::assert_bundle(&by_hand);
    assert_eq!(server.fake.uploads().len(), 10);
}

/// This machine's MAC addresses as Linux lists them, burned-in first.
fn linux_macs() -> Vec<String> {
    let mut macs = Vec::new();
    for entry in std::fs::read_dir("/sys/class/net")
        .into_iter()
        .flatten()
        .flatten()
    {
        if let Ok(mac) = std::fs::read_to_string(entry.path().join("address")) {
            let mac = mac.trim().to_lowercase();
            if mac.len() == 17 && mac != "00:00:00:00:00:00" {
                macs.push(mac);
            }
        }
    }
    macs
}

#[test]
fn b_failing_the_serial_number_the_device_is_found_by_mac_address() {
    let macs = linux_macs();
    let Some(mac) = macs.first() else {
        eprintln!("SKIPPED: this machine has no network interface with a MAC address");
        return;
    };
    let mut fake = FakeDrata::new(KEY);
    for (i, mac) in macs.iter().enumerate() {
        fake = fake.with_known_device(900 + i as u64, 32, Some("ANOTHER-SERIAL"), Some(mac));
    }
    let server = Server::start(fake);
    let tmp = tempfile::tempdir().unwrap();
    let output = run(tmp.path(), &server.url());
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let status = status_json(tmp.path());
    assert_eq!(status["device"]["method"], "mac_address");
    let id: u64 = status["device"]["id"].as_str().unwrap().parse().unwrap();
    assert!((900..900 + macs.len() as u64).contains(&id));
    assert_eq!(upload_targets(&server), BTreeSet::from([id.to_string()]));
    let _ = mac;
}

#[test]
fn c_the_device_is_registered_through_the_custom_device_connection() {
    let server = Server::start(
        FakeDrata::new(KEY)
            .with_person(314, OWNER)
            .with_custom_device_connection(5),
    );
    let tmp = tempfile::tempdir().unwrap();
    write_config(
        tmp.path(),
        &format!("owner_email = \"{OWNER}\"\n[custom_connection]\ndevice_connection_id = 5\n"),
    );
    let output = run(tmp.path(), &server.url());
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let devices = server.fake.devices();
    assert_eq!(devices.len(), 1);
    let device = &devices[0];
    assert_eq!(device.source_type, "CUSTOM");
    assert_eq!(device.serial_number.as_deref(), Some(SERIAL));
    assert_eq!(device.personnel_id, 314);
    assert_eq!(
        upload_targets(&server),
        BTreeSet::from([device.id.to_string()])
    );
    assert_eq!(
        status_json(tmp.path())["device"]["method"],
        "custom_connection"
    );
}

#[test]
fn d_the_owners_personnel_id_is_used_when_drata_does_not_know_the_device() {
    let server = Server::start(FakeDrata::new(KEY).with_person(314, OWNER));
    let tmp = tempfile::tempdir().unwrap();
    let output = run_with(
        tmp.path(),
        &server.url(),
        &["--owner-email", OWNER],
        &tmp.path().join("ev"),
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(upload_targets(&server), BTreeSet::from(["314".to_string()]));
    // Drata keeps a placeholder device under the personnel ID.
    assert!(
        server
            .fake
            .devices()
            .iter()
            .any(|d| d.id == 314 && d.source_type == "PLACEHOLDER")
    );
    let status = status_json(tmp.path());
    assert_eq!(status["device"]["method"], "personnel_id");
    assert!(
        status["device"]["why"]
            .as_str()
            .unwrap()
            .contains("no device with serial number")
    );
}

#[test]
fn e_nothing_to_resolve_with_names_the_settings_and_keeps_the_evidence() {
    let server = Server::start(FakeDrata::new(KEY));
    let tmp = tempfile::tempdir().unwrap();
    let output = run(tmp.path(), &server.url());
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("owner_email") && stderr.contains("device_id"),
        "{stderr}"
    );
    assert!(stderr.contains(SERIAL), "{stderr}");
    assert!(stderr.contains("nothing was lost"), "{stderr}");
    assert!(server.fake.uploads().is_empty());
    let status = status_json(tmp.path());
    assert_eq!(status["spool"]["pending"].as_array().unwrap().len(), 5);
    assert_eq!(status["controls"]["antivirus"]["upload"], "pending");

    // Once the admin sets the owner, the next run delivers what waited, oldest first.
    let server = Server::start(FakeDrata::new(KEY).with_person(314, OWNER));
    write_config(tmp.path(), &format!("owner_email = \"{OWNER}\"\n"));
    let output = run(tmp.path(), &server.url());
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(server.fake.uploads().len(), 10);
    assert_eq!(
        status_json(tmp.path())["spool"]["pending"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

#[test]
fn a_device_drata_forgot_is_resolved_again_on_404() {
    let server = Server::start(FakeDrata::new(KEY).with_known_device(808, 31, Some(SERIAL), None));
    let tmp = tempfile::tempdir().unwrap();
    assert!(run(tmp.path(), &server.url()).status.success());
    // An admin deletes the device; Drata's agent re-registers the machine under a new ID.
    server.fake.forget_device(808);
    server.fake.add_known_device(909, 31, Some(SERIAL));
    let output = run(tmp.path(), &server.url());
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let uploads = server.fake.uploads();
    assert_eq!(uploads.len(), 10);
    assert!(uploads[5..].iter().all(|u| u.device_id == "909"));
    assert_eq!(status_json(tmp.path())["device"]["id"], "909");
}

#[test]
fn server_errors_leave_items_spooled_for_the_next_run() {
    let server = Server::start(FakeDrata::new(KEY).with_device("4242"));
    // As many 503s as the client's three attempts: the run gives up and keeps everything.
    server.fake.inject((0..3).map(|_| Fault::Status {
        status: 503,
        retry_after: None,
    }));
    let tmp = tempfile::tempdir().unwrap();
    write_config(tmp.path(), "device_id = \"4242\"\n");
    let output = run(tmp.path(), &server.url());
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("503") && stderr.contains("nothing was lost"),
        "{stderr}"
    );
    let status = status_json(tmp.path());
    let pending = status["spool"]["pending"].as_array().unwrap();
    assert_eq!(pending.len(), 5);
    assert!(pending[0]["attempts"].as_u64().unwrap() >= 1);
    // Next run: the faults are used up, all ten files arrive, the oldest first.
    let output = run(tmp.path(), &server.url());
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let uploads = server.fake.uploads();
    assert_eq!(uploads.len(), 10);
    let first_run_names: BTreeSet<_> = pending
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    let first_five: BTreeSet<_> = uploads[..5].iter().map(|u| u.file_name.clone()).collect();
    assert_eq!(first_five, first_run_names);
}

/// How many runs `runs_killed_at_any_moment_lose_no_evidence` SIGKILLs.
const KILLED_RUNS: usize = 100;

#[test]
fn runs_killed_at_any_moment_lose_no_evidence() {
    let server = Server::start(FakeDrata::new(KEY).with_device("4242"));
    let tmp = tempfile::tempdir().unwrap();
    write_config(
        tmp.path(),
        "device_id = \"4242\"\nrequest_interval_ms = 0\n",
    );
    let data = tmp.path().join("data");
    let mut expected = BTreeSet::new();
    // Every upload is slowed, and some are handled but their answer lost (the client cannot
    // know they arrived): kills land before, during and after the spool writes and uploads.
    // 100 kills spread over a run's whole life (collection ~0.3 s, rendering and spooling to
    // ~1 s, uploads after): a fixed-seed sequence so a failure can be replayed.
    let mut seed = 0x5eed_u64;
    let kill_after_ms: Vec<u64> = (0..KILLED_RUNS)
        .map(|_| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            50 + (seed >> 33) % 2_550
        })
        .collect();
    for (i, delay) in kill_after_ms.iter().enumerate() {
        let faults: Vec<Fault> = (0..20)
            .map(|n| {
                if (n + i) % 4 == 0 {
                    Fault::DropAfterHandling
                } else {
                    Fault::Slow(Duration::from_millis(120))
                }
            })
            .collect();
        server.fake.inject(faults);
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("devidence"));
        child
            .arg("--config")
            .arg(tmp.path().join("config.toml"))
            .args(["run", "--api-url", &server.url(), "--out"])
            .arg(tmp.path().join(format!("ev-{i}")))
            .env("DRATA_API_KEY", KEY)
            .env("DEVIDENCE_DATA_DIR", &data)
            .env_remove("DISPLAY")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        let mut child = child.spawn().unwrap();
        let started = Instant::now();
        while started.elapsed() < Duration::from_millis(*delay) {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        // What a killed run left in the spool is owed to Drata.
        expected.extend(spooled_hashes(&data.join("spool")));
    }
    // The network heals; one normal run delivers everything still pending.
    server.fake.clear_faults();
    let output = run(tmp.path(), &server.url());
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        spooled_hashes(&data.join("spool")).is_empty(),
        "spool not empty after a normal run"
    );
    let uploaded: Vec<String> = server
        .fake
        .uploads()
        .iter()
        .map(|u| sha256_hex(&u.bytes))
        .collect();
    let distinct: BTreeSet<_> = uploaded.iter().cloned().collect();
    for hash in &expected {
        assert!(distinct.contains(hash), "a spooled item never arrived");
    }
    let duplicates = uploaded.len() - distinct.len();
    eprintln!(
        "killed runs: {}; items owed after kills: {}; uploads: {}; duplicates (at-least-once): {duplicates}",
        kill_after_ms.len(),
        expected.len(),
        uploaded.len()
    );
    // Every spool file is whole: nothing torn was left behind.
    for entry in std::fs::read_dir(data.join("spool")).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        assert!(!name.starts_with(".tmp-"), "torn temporary {name} left");
    }
}

#[test]
fn findings_are_pushed_as_records_that_repeat_runs_update() {
    let server = Server::start(
        FakeDrata::new(KEY)
            .with_device("4242")
            .with_custom_resource(11, 22, &["id", "control", "verdict"]),
    );
    let tmp = tempfile::tempdir().unwrap();
    write_config(
        tmp.path(),
        "device_id = \"4242\"\n[custom_connection]\nconnection_id = 11\nresource_id = 22\n",
    );
    for _ in 0..2 {
        let output = run(tmp.path(), &server.url());
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.contains("Custom data records:"), "{stdout}");
    }
    let records = server.fake.records();
    assert_eq!(records.len(), 5, "repeat runs must update, not duplicate");
    let ids: BTreeSet<_> = records
        .iter()
        .map(|r| r.data["id"].as_str().unwrap().to_string())
        .collect();
    assert!(ids.contains(&format!("{SERIAL}:antivirus")), "{ids:?}");

    // Admin commands: list, update, delete, and a full refresh from a bundle.
    let list = devidence(tmp.path())
        .args(["records", "list", "--json"])
        .env("DRATA_API_KEY", KEY)
        .env("DEVIDENCE_API_URL", server.url())
        .output()
        .unwrap();
    assert!(list.status.success(), "{list:?}");
    let listed: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    let first = listed[0]["recordId"].as_str().unwrap().to_string();
    let admin = |args: &[&str]| {
        devidence(tmp.path())
            .args(args)
            .env("DRATA_API_KEY", KEY)
            .env("DEVIDENCE_API_URL", server.url())
            .output()
            .unwrap()
    };
    let updated = admin(&[
        "records",
        "update",
        &first,
        "--data",
        r#"{"id":"x:antivirus","control":"antivirus","verdict":"pass"}"#,
    ]);
    assert!(updated.status.success(), "{updated:?}");
    assert!(admin(&["records", "delete", &first]).status.success());
    assert_eq!(server.fake.records().len(), 4);
    let bundle = std::fs::read_dir(tmp.path())
        .unwrap()
        .flatten()
        .find(|e| e.file_name().to_string_lossy().starts_with("evidence-"))
        .unwrap()
        .path();
    let refresh = admin(&["records", "refresh", bundle.to_str().unwrap()]);
    assert!(refresh.status.success(), "{refresh:?}");
    assert_eq!(server.fake.records().len(), 5);
}

#[test]
fn a_plan_without_custom_connections_is_explained_and_evidence_still_arrives() {
    let server = Server::start(
        FakeDrata::new(KEY)
            .with_device("4242")
            .with_custom_resource(11, 22, &[])
            .custom_connections_plan(false),
    );
    let tmp = tempfile::tempdir().unwrap();
    write_config(
        tmp.path(),
        "device_id = \"4242\"\n[custom_connection]\nconnection_id = 11\nresource_id = 22\n",
    );
    let output = run(tmp.path(), &server.url());
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("402") && stderr.contains("Custom Connections and Tests"),
        "{stderr}"
    );
    assert_eq!(server.fake.uploads().len(), 5);
}
