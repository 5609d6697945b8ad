//! The client against Stoplight Prism serving a validating mock built from Drata's OpenAPI
//! file itself (`../shared/drata-openapi/drata-public-api.yaml`): every request the client
//! makes must pass Prism's schema validation (Prism answers 400 and says why otherwise), and
//! every answer built from the spec's examples must decode. This keeps both the client and our
//! fake honest to the spec.
//!
//! Needs Node.js and `npm ci` in `tools/prism` (`.ci/run` does both); without them the test
//! prints why it was skipped — unless `DEVIDENCE_REQUIRE_PRISM=1` (set by `.ci/run`), which
//! turns a missing Prism into a failure.
#![allow(clippy::unwrap_used, missing_docs)]

use drata_client::custom_data::{Resource, SessionAction};
use drata_client::devices::{CustomDevice, DeviceQuery, PersonnelRef};
use drata_client::{Client, DrataError, RetryPolicy};
use secrecy::SecretString;
use serde_json::json;
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Prism(Child);

/// A paged listing passed validation and its first page decoded. Prism answers every page
/// with the spec's static example, whose cursor is always `"string"`, so the client's guard
/// against a server repeating a cursor must end the listing with that error.
fn paged<T: std::fmt::Debug>(result: Result<Vec<T>, DrataError>) {
    match result {
        Ok(_) => {}
        Err(DrataError::Decode { detail, .. }) if detail.contains("came back twice") => {}
        Err(other) => panic!("{other:?}"),
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Skips with the reason, or fails when CI requires Prism.
fn skip(why: &str) {
    devidence_testkit::available(
        "prism",
        false,
        &format!("the Prism contract test cannot run: {why}"),
    );
}

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Starts Prism mocking the spec on a free port, or says why it cannot.
fn start_prism() -> Result<(Prism, String), String> {
    start_prism_with(&["mock"], &[])
}

/// Starts Prism (`mock`, or `proxy` with the upstream in `extra`), or says why it cannot.
fn start_prism_with(mode: &[&str], extra: &[&str]) -> Result<(Prism, String), String> {
    let prism = workspace().join("tools/prism/node_modules/.bin/prism");
    if !prism.exists() {
        return Err(format!(
            "{} is missing: run `npm ci` in tools/prism (needs Node.js)",
            prism.display()
        ));
    }
    let spec = workspace().join("../shared/drata-openapi/drata-public-api.yaml");
    if !spec.exists() {
        return Err(format!("{} is missing", spec.display()));
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(&prism)
        .args(mode)
        .args(["-h", "127.0.0.1", "-p", &port.to_string()])
        .arg(&spec)
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", prism.display()))?;
    let guard = Prism(child);
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if started.elapsed() > Duration::from_secs(60) {
            return Err("Prism did not start listening within 60 s".into());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok((guard, format!("http://127.0.0.1:{port}")))
}

#[tokio::test]
async fn every_call_the_client_makes_passes_the_spec_mock() {
    let (_prism, url) = match start_prism() {
        Ok(started) => started,
        Err(why) => return skip(&why),
    };
    let c = Client::new(
        &url,
        SecretString::from("prism-key-1".to_string()),
        "devidence-test",
    )
    .unwrap()
    .with_min_interval(Duration::ZERO)
    .with_retry(RetryPolicy::none());

    // Validation is on: a type outside the spec's enum is refused with 400.
    let refused = c
        .upload_device_document("42", "NOT_A_TYPE", "x.pdf", b"%PDF-1.7\n".to_vec())
        .await
        .unwrap_err();
    assert!(
        matches!(refused, DrataError::BadRequest { .. }),
        "{refused:?}"
    );

    let doc = c
        .upload_device_document(
            "42",
            "ANTIVIRUS_EVIDENCE",
            "laptop_antivirus_2026-11-26.pdf",
            b"%PDF-1.7\n%%EOF\n".to_vec(),
        )
        .await
        .unwrap();
    assert!(doc.id > 0);
    c.list_device_documents("42").await.unwrap();

    paged(
        c.find_devices(&DeviceQuery::serial_number("C02XL0GHJGH5"))
            .await,
    );
    paged(
        c.find_devices(&DeviceQuery::mac_address("a4:83:e7:12:34:56"))
            .await,
    );
    let person = c.person_by_email("jane@example.com").await.unwrap();
    assert!(person.id > 0);

    let device = CustomDevice {
        personnel_id: PersonnelRef::Email("jane@example.com".into()),
        platform_name: "MACOS",
        platform_version: "15.1".into(),
        serial_number: Some("C02XL0GHJGH5".into()),
        mac_address: Some("a4:83:e7:12:34:56".into()),
        model: Some("MacBookPro18,3".into()),
        alias: Some("janes-mbp".into()),
        encryption_enabled: Some(true),
        antivirus_enabled: Some(true),
        auto_update_enabled: Some(false),
        password_manager_enabled: None,
        screen_lock_enabled: Some(true),
    };
    c.upsert_custom_connection_device(5, &device).await.unwrap();

    let at = Resource {
        connection_id: 11,
        resource_id: 22,
    };
    let record = |id: &str| {
        json!({"id": id, "control": "antivirus", "verdict": "pass"})
            .as_object()
            .unwrap()
            .clone()
    };
    c.upsert_record(at, record("SN:antivirus")).await.unwrap();
    let bulk = c
        .upsert_records(
            at,
            vec![record("SN:antivirus"), record("SN:disk-encryption")],
        )
        .await
        .unwrap();
    assert!(!bulk.is_empty());
    paged(c.list_records(at).await);
    c.update_record(
        at,
        "fd52f04f-a030-44ea-a5af-40919194ab7e",
        record("SN:antivirus"),
    )
    .await
    .unwrap();
    c.delete_record(at, "fd52f04f-a030-44ea-a5af-40919194ab7e")
        .await
        .unwrap();
    paged(c.list_sessions(at).await);
    c.upload_session_records(at, "devidence-refresh-1", vec![record("SN:antivirus")])
        .await
        .unwrap();
    c.session_action(at, "devidence-refresh-1", SessionAction::Complete)
        .await
        .unwrap();
}

/// Our fake behind Prism's validating proxy (`--errors`): Prism checks every request against
/// the spec and every answer from the fake against the spec's response schemas, and turns any
/// violation into an error, so the fake cannot drift from the spec.
#[tokio::test]
async fn the_fake_answers_as_the_spec_says() {
    let fake = fake_drata::FakeDrata::new("proxy-key-1")
        .with_known_device(808, 314, Some("C02XL0GHJGH5"), Some("a4:83:e7:12:34:56"))
        .with_person(314, "jane@example.com")
        .with_custom_device_connection(5)
        .with_custom_resource(11, 22, &["id"])
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let upstream = fake.base_url();
    let (_prism, url) = match start_prism_with(&["proxy"], &[&upstream, "--errors"]) {
        Ok(started) => started,
        Err(why) => return skip(&why),
    };
    let c = Client::new(
        &url,
        SecretString::from("proxy-key-1".to_string()),
        "devidence-test",
    )
    .unwrap()
    .with_min_interval(Duration::ZERO)
    .with_retry(RetryPolicy::none());
    let doc = c
        .upload_device_document(
            "808",
            "LOCK_SCREEN_EVIDENCE",
            "lock.pdf",
            b"%PDF-1.7\n%%EOF\n".to_vec(),
        )
        .await
        .unwrap();
    assert_eq!(doc.r#type, "LOCK_SCREEN_EVIDENCE");
    assert_eq!(c.list_device_documents("808").await.unwrap().len(), 1);
    let found = c
        .find_devices(&DeviceQuery::serial_number("C02XL0GHJGH5"))
        .await
        .unwrap();
    assert_eq!(found[0].id, 808);
    assert_eq!(c.person_by_email("jane@example.com").await.unwrap().id, 314);
    let device = CustomDevice {
        personnel_id: PersonnelRef::Email("jane@example.com".into()),
        platform_name: "LINUX",
        platform_version: "Debian 12".into(),
        serial_number: Some("SN-NEW".into()),
        mac_address: None,
        model: None,
        alias: None,
        encryption_enabled: None,
        antivirus_enabled: None,
        auto_update_enabled: None,
        password_manager_enabled: None,
        screen_lock_enabled: None,
    };
    c.upsert_custom_connection_device(5, &device).await.unwrap();
    let at = Resource {
        connection_id: 11,
        resource_id: 22,
    };
    let record = |id: &str| {
        json!({"id": id, "verdict": "pass"})
            .as_object()
            .unwrap()
            .clone()
    };
    let stored = c.upsert_record(at, record("a")).await.unwrap();
    c.upsert_records(at, vec![record("a"), record("b")])
        .await
        .unwrap();
    let listed = c.list_records(at).await.unwrap();
    assert_eq!(listed.len(), 2);
    let id = stored.id.unwrap();
    c.update_record(at, &id, record("a")).await.unwrap();
    c.delete_record(at, &id).await.unwrap();
    c.upload_session_records(at, "devidence-s1", vec![record("c")])
        .await
        .unwrap();
    c.session_action(at, "devidence-s1", SessionAction::Complete)
        .await
        .unwrap();
    assert_eq!(c.list_sessions(at).await.unwrap().len(), 1);
    // Refusals keep the spec's error shapes too.
    let err = c.person_by_email("nobody@example.com").await.unwrap_err();
    assert!(matches!(err, DrataError::NotFound { .. }), "{err:?}");
}
