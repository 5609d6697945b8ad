//! A probe that panics still yields its finding in the shipped build: the release profile
//! unwinds (`panic = "unwind"`), so `checks::probe_all` turns the crashed probe into
//! `unknown` and the run goes on with the other four.
//!
//! The binary under test is a release-profile build with the `fault-injection` feature, named
//! by `DEVIDENCE_RELEASE_BIN` (CI builds it with `cargo build --release -p devidence
//! --features fault-injection`); without one the test is skipped with a message, unless
//! `DEVIDENCE_REQUIRE_RELEASE_BIN=1`. The binary reports how it was built, so the test checks it
//! really is an optimised build that unwinds.
#![allow(clippy::unwrap_used, missing_docs)]

use std::path::PathBuf;

fn release_binary() -> Option<PathBuf> {
    let bin = std::env::var_os("DEVIDENCE_RELEASE_BIN").map(PathBuf::from);
    let exists = bin.as_ref().is_some_and(|b| b.is_file());
    devidence_testkit::available(
        "release-bin",
        exists,
        "DEVIDENCE_RELEASE_BIN does not name a release build of devidence with --features fault-injection",
    )
    .then(|| bin.unwrap())
}

#[test]
fn the_release_profile_unwinds() {
    let manifest: toml::Table =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.toml"))
            .unwrap()
            .parse()
            .unwrap();
    let panic = manifest["profile"]["release"]
        .get("panic")
        .and_then(toml::Value::as_str)
        .unwrap_or("unwind");
    assert_eq!(
        panic, "unwind",
        "a release build that aborts on panic loses every finding when one probe panics"
    );
}

#[test]
fn a_panicking_probe_yields_unknown_in_a_release_build() {
    let Some(bin) = release_binary() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("config.toml"), "").unwrap();
    let out = std::process::Command::new(&bin)
        .arg("--config")
        .arg(tmp.path().join("config.toml"))
        .args(["collect", "--out"])
        .arg(tmp.path().join("evidence"))
        .env("DEVIDENCE_FAULT_PANIC_PROBE", "antivirus")
        .env("DEVIDENCE_DATA_DIR", tmp.path().join("data"))
        .env_remove("DRATA_API_KEY")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("fault injection: the antivirus probe panics now (this build: panic=unwind, debug assertions off)"),
        "not a release build with fault injection: {stderr}"
    );
    assert!(
        stderr.contains("injected panic in the antivirus probe"),
        "{stderr}"
    );
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let bundle: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tmp.path().join("evidence/findings.json")).unwrap())
            .unwrap();
    let findings = bundle["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 5, "every control still has its finding");
    for finding in findings {
        let status = finding["verdict"]["status"].as_str().unwrap();
        if finding["control"] == "antivirus" {
            assert_eq!(status, "unknown");
            assert!(
                finding["verdict"]["reason"]
                    .as_str()
                    .unwrap()
                    .contains("internal error"),
                "{finding}"
            );
        } else {
            assert!(["pass", "fail", "unknown"].contains(&status), "{finding}");
            assert!(
                !finding["observations"].as_array().unwrap().is_empty(),
                "{} ran: {finding}",
                finding["control"]
            );
        }
    }
    for slug in ["antivirus", "disk-encryption"] {
        let pdf = std::fs::read(tmp.path().join(format!("evidence/{slug}.pdf"))).unwrap();
        assert!(lopdf::Document::load_mem(&pdf).is_ok(), "{slug}.pdf");
    }
}
