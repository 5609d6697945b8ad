//! The real `devidence` binary against a running fake Drata on 127.0.0.1: evidence arrives
//! under the right types and device, and every failure is clear and loses no evidence.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use common::{DEVICE, KEY, SLUGS, Server, assert_bundle, devidence};
use fake_drata::FakeDrata;

const TYPES: [&str; 5] = [
    "HARD_DRIVE_ENCRYPTION_EVIDENCE",
    "ANTIVIRUS_EVIDENCE",
    "AUTO_UPDATES_EVIDENCE",
    "LOCK_SCREEN_EVIDENCE",
    "PASSWORD_MANAGER_EVIDENCE",
];

#[test]
fn run_delivers_one_pdf_per_control_to_the_device() {
    let server = Server::start(FakeDrata::new(KEY).with_device(DEVICE).with_device("7"));
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("evidence");
    let assert = devidence(tmp.path())
        .args([
            "run",
            "--api-url",
            &server.url(),
            "--device-id",
            DEVICE,
            "--out",
        ])
        .arg(&out)
        .env("DRATA_API_KEY", KEY)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert!(!stdout.contains(KEY), "the API key leaked to stdout");

    let uploads = server.fake.uploads();
    assert_eq!(uploads.len(), 5, "{uploads:?}");
    let mut types: Vec<_> = uploads.iter().map(|u| u.doc_type.as_str()).collect();
    types.sort_unstable();
    let mut expected = TYPES.to_vec();
    expected.sort_unstable();
    assert_eq!(types, expected);
    for upload in &uploads {
        assert_eq!(upload.device_id, DEVICE);
        assert!(upload.file_name.ends_with(".pdf"), "{}", upload.file_name);
        assert!(
            upload.bytes.starts_with(b"%PDF-"),
            "{} is not a PDF",
            upload.file_name
        );
        assert!(lopdf::Document::load_mem(&upload.bytes).is_ok());
    }
    // Each file name says which control it is.
    for slug in SLUGS {
        assert!(
            uploads.iter().any(|u| u.file_name.contains(slug)),
            "no upload named for {slug}"
        );
    }
    assert_bundle(&out);
}

#[test]
fn format_both_sends_pdf_and_png() {
    let server = Server::start(FakeDrata::new(KEY).with_device(DEVICE));
    let tmp = tempfile::tempdir().unwrap();
    devidence(tmp.path())
        .args([
            "run",
            "--format",
            "both",
            "--api-url",
            &server.url(),
            "--device-id",
            DEVICE,
            "--out",
        ])
        .arg(tmp.path().join("e"))
        .env("DRATA_API_KEY", KEY)
        .assert()
        .success();
    let uploads = server.fake.uploads();
    assert_eq!(uploads.len(), 10);
    let pngs: Vec<_> = uploads
        .iter()
        .filter(|u| u.file_name.ends_with(".png"))
        .collect();
    assert_eq!(pngs.len(), 5);
    for png in pngs {
        image::load_from_memory_with_format(&png.bytes, image::ImageFormat::Png).unwrap();
    }
}

/// Runs against `fake` and returns (exit code, stderr) after checking the evidence was kept.
fn failing_run(fake: FakeDrata, key: &str, device: &str) -> (i32, String) {
    let server = Server::start(fake);
    failing_run_at(&server.url(), key, device)
}

fn failing_run_at(url: &str, key: &str, device: &str) -> (i32, String) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("evidence");
    let output = devidence(tmp.path())
        .args(["run", "--api-url", url, "--device-id", device, "--out"])
        .arg(&out)
        .env("DRATA_API_KEY", key)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!stderr.contains(key), "the API key leaked: {stderr}");
    assert_bundle(&out);
    assert!(stderr.contains("evidence is kept"), "{stderr}");
    (output.status.code().unwrap(), stderr)
}

#[test]
fn a_wrong_key_is_reported_as_such() {
    let (code, stderr) = failing_run(
        FakeDrata::new(KEY).with_device(DEVICE),
        "wrong-key-0000000000",
        DEVICE,
    );
    assert_eq!(code, 3);
    assert!(
        stderr.contains("401") && stderr.contains("API key"),
        "{stderr}"
    );
}

#[test]
fn an_unknown_device_is_reported_as_such() {
    let (code, stderr) = failing_run(FakeDrata::new(KEY).with_device(DEVICE), KEY, "999");
    assert_eq!(code, 3);
    assert!(stderr.contains("404"), "{stderr}");
    assert!(stderr.to_lowercase().contains("device"), "{stderr}");
}

#[test]
fn terms_not_accepted_is_reported_as_such() {
    let (code, stderr) = failing_run(
        FakeDrata::new(KEY)
            .with_device(DEVICE)
            .terms_accepted(false),
        KEY,
        DEVICE,
    );
    assert_eq!(code, 3);
    assert!(
        stderr.contains("412") && stderr.contains("terms"),
        "{stderr}"
    );
}

#[test]
fn a_file_too_large_is_reported_as_such() {
    let (code, stderr) = failing_run(
        FakeDrata::new(KEY)
            .with_device(DEVICE)
            .with_max_upload_bytes(1024),
        KEY,
        DEVICE,
    );
    assert_eq!(code, 3);
    assert!(
        stderr.contains("413") && stderr.contains("too large"),
        "{stderr}"
    );
}

#[test]
fn a_server_that_is_down_is_reported_as_a_network_error() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let (code, stderr) = failing_run_at(&format!("http://127.0.0.1:{port}"), KEY, DEVICE);
    assert_eq!(code, 3);
    assert!(stderr.contains("could not reach Drata"), "{stderr}");
}

/// A forwarding HTTP proxy on 127.0.0.1 that pipes every connection to `upstream` and keeps
/// the first request line of each, so a test can see that the agent went through it.
fn start_proxy(
    upstream: std::net::SocketAddr,
) -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use std::io::{BufRead, BufReader, Write};
    use std::net::{TcpListener, TcpStream};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let log = log.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(client.try_clone().unwrap());
                let mut first = String::new();
                if reader.read_line(&mut first).is_err() {
                    return;
                }
                log.lock().unwrap().push(first.trim().to_string());
                let mut server = TcpStream::connect(upstream).unwrap();
                // Forward what was read (including anything buffered), then pipe both ways.
                server.write_all(first.as_bytes()).unwrap();
                server.write_all(reader.buffer()).unwrap();
                let mut to_server = server.try_clone().unwrap();
                let mut from_client = client.try_clone().unwrap();
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut from_client, &mut to_server);
                    let _ = to_server.shutdown(std::net::Shutdown::Write);
                });
                let mut to_client = client;
                let _ = std::io::copy(&mut server, &mut to_client);
                let _ = to_client.shutdown(std::net::Shutdown::Write);
            });
        }
    });
    (url, seen)
}

#[test]
fn https_goes_through_the_proxy_from_the_environment_and_plain_http_never_does() {
    let server = Server::start(FakeDrata::new(KEY).with_device(DEVICE));
    let (proxy, seen) = start_proxy(server.fake.addr());
    let tmp = tempfile::tempdir().unwrap();
    // Plain HTTP (only ever to this computer) never goes through a proxy: HTTP_PROXY would
    // receive the API key in clear text.
    devidence(tmp.path())
        .args([
            "run",
            "--api-url",
            &server.url(),
            "--device-id",
            DEVICE,
            "--out",
        ])
        .arg(tmp.path().join("evidence"))
        .env("DRATA_API_KEY", KEY)
        .env("HTTP_PROXY", &proxy)
        .env("http_proxy", &proxy)
        .env("ALL_PROXY", &proxy)
        .env("NO_PROXY", "")
        .assert()
        .success();
    assert_eq!(server.fake.uploads().len(), 5);
    assert!(
        seen.lock().unwrap().is_empty(),
        "{:?}",
        seen.lock().unwrap()
    );

    // HTTPS is tunnelled through HTTPS_PROXY (CONNECT): the key stays inside TLS. This proxy
    // forwards the tunnel to a plain HTTP server, so the run fails there, keeping the evidence.
    let out = devidence(tmp.path())
        .args([
            "run",
            "--api-url",
            "https://drata.invalid/public/v2",
            "--device-id",
            DEVICE,
            "--out",
        ])
        .arg(tmp.path().join("evidence-2"))
        .env("DRATA_API_KEY", KEY)
        .env("HTTPS_PROXY", &proxy)
        .env("NO_PROXY", "")
        .env("DEVIDENCE_REQUEST_TIMEOUT_SECONDS", "5")
        .output()
        .unwrap();
    if !common::trust_store_available(&String::from_utf8_lossy(&out.stderr)) {
        return;
    }
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen = seen.lock().unwrap();
    assert!(
        seen.iter()
            .any(|line| line.starts_with("CONNECT drata.invalid:443")),
        "{seen:?}"
    );
    assert!(!seen.iter().any(|line| line.contains(KEY)), "{seen:?}");
    assert_eq!(
        common::spooled_hashes(&tmp.path().join("data/spool")).len(),
        5,
        "the evidence of the failed run waits in the spool"
    );
}

#[test]
fn doctor_checks_access_clock_and_spool_and_names_the_fix() {
    let server = Server::start(FakeDrata::new(KEY).with_device(DEVICE));
    let tmp = tempfile::tempdir().unwrap();
    let doctor = |key: &str| {
        devidence(tmp.path())
            .args(["doctor", "--json"])
            .env("DRATA_API_KEY", key)
            .env("DEVIDENCE_API_URL", server.url())
            .env("DEVIDENCE_DEVICE_ID", DEVICE)
            .output()
            .unwrap()
    };
    let good = doctor(KEY);
    assert_eq!(good.status.code(), Some(0), "{good:?}");
    let checks: serde_json::Value = serde_json::from_slice(&good.stdout).unwrap();
    let level = |checks: &serde_json::Value, name: &str| {
        checks
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .map(|c| {
                (
                    c["level"].as_str().unwrap().to_string(),
                    c["detail"].as_str().unwrap().to_string(),
                )
            })
            .unwrap_or_else(|| panic!("no {name} check in {checks}"))
    };
    assert_eq!(level(&checks, "Drata API").0, "ok");
    assert_eq!(level(&checks, "clock").0, "ok", "{checks}");
    assert_eq!(level(&checks, "spool").0, "ok");
    assert_eq!(
        level(&checks, "API key").1,
        "from the DRATA_API_KEY environment variable"
    );

    let bad = doctor("revoked-key-000000");
    assert_eq!(bad.status.code(), Some(1));
    let checks: serde_json::Value = serde_json::from_slice(&bad.stdout).unwrap();
    let (lvl, detail) = level(&checks, "Drata API");
    assert_eq!(lvl, "fail");
    assert!(
        detail.contains("401") && detail.contains("Settings > API Keys"),
        "{detail}"
    );
    assert!(!String::from_utf8_lossy(&bad.stdout).contains("revoked-key-000000"));
}
