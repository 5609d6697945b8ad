//! The human-facing output, pinned by snapshots (insta): the check table, `status`, `doctor`
//! and the main error messages, from the real binary. A wording change is a reviewed diff of
//! `tests/snapshots/*.snap`: run `INSTA_UPDATE=always cargo test --test snapshots` (or
//! `cargo insta review`) and read `git diff`. What changes from run to run or machine to
//! machine is replaced: temporary paths `[TMP]`, the fake Drata's address `[DRATA]`, times
//! `[TIME]`/`[STAMP]`, the clock skew, and whether a keychain exists here.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use common::{DEVICE, KEY, Server, devidence};
use devidence::spool::{Limits, Spool};
use devidence::state::{ControlResult, Method, ResolvedDevice, State};
use devidence_core::Control;
use fake_drata::FakeDrata;
use std::path::Path;
use time::macros::datetime;

/// The text with what changes from run to run replaced.
fn scrub(text: &[u8], tmp: &Path, drata: Option<&str>) -> String {
    let mut text = String::from_utf8_lossy(text).replace(&tmp.display().to_string(), "[TMP]");
    if let Some(url) = drata {
        text = text.replace(url, "[DRATA]");
    }
    let time = regex::Regex::new(
        r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?( ?(Z|[+-]\d{2}:\d{2}(:\d{2})?))?",
    )
    .unwrap();
    let text = time.replace_all(&text, "[TIME]");
    let folder_stamp = regex::Regex::new(r"\b\d{8}T\d{6}Z\b").unwrap();
    let text = folder_stamp.replace_all(&text, "[STAMP]");
    let skew = regex::Regex::new(r"within \d+ s of").unwrap();
    let text = skew.replace_all(&text, "within [N] s of");
    // Whether this machine has a keychain to ask is not the message's wording.
    let keychain = regex::Regex::new(r" \(the OS keychain could not be asked: [^\n]*\)").unwrap();
    keychain.replace_all(&text, "").into_owned()
}

/// The fixture of a recorded Linux VM's observations for one probe crate.
fn recording(krate: &str, name: &str) -> String {
    format!(
        "{}/../{krate}/tests/fixtures/linux/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn the_check_table() {
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("recording");
    std::fs::create_dir(&folder).unwrap();
    for (krate, name) in [
        ("probe-disk-encryption", "debian12-vm-plain-vda.json"),
        (
            "probe-antivirus",
            "debian12-vm-clamav-installed-not-running.json",
        ),
    ] {
        std::fs::copy(recording(krate, name), folder.join(name)).unwrap();
    }
    let output = devidence(tmp.path())
        .args(["replay", "--os", "linux"])
        .arg(&folder)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    insta::assert_snapshot!(
        "check_table_debian12_vm",
        scrub(&output.stdout, tmp.path(), None)
    );
}

#[test]
fn status_with_a_device_results_and_a_spool() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let at = datetime!(2026-11-30 09:15:00 UTC);
    let result =
        |verdict: &str, upload: &str, documents: &[&str], error: Option<&str>| ControlResult {
            verdict: verdict.into(),
            collected_at: at,
            upload: upload.into(),
            documents: documents.iter().map(|d| d.to_string()).collect(),
            delivered_at: (upload == "sent").then_some(at),
            error: error.map(str::to_string),
        };
    let state = State {
        device: Some(ResolvedDevice {
            id: DEVICE.into(),
            method: Method::SerialNumber,
            why: "Drata's device 4242 has this computer's serial number C02XK0AAJG5H".into(),
            resolved_at: at,
            api_url: "https://public-api.drata.com".into(),
            serial_number: Some("C02XK0AAJG5H".into()),
        }),
        last_run_at: Some(at),
        last_run_outcome: Some("1 item(s) pending: Drata could not be reached".into()),
        controls: [
            ("antivirus", result("pass", "sent", &["17"], None)),
            (
                "disk-encryption",
                result(
                    "fail",
                    "pending",
                    &[],
                    Some("Drata could not be reached: connection refused"),
                ),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect(),
    };
    state.save(&devidence::state::path(&data)).unwrap();
    let spool = Spool::open(&data.join("spool"), Limits::default()).unwrap();
    spool
        .enqueue(
            Control::DiskEncryption,
            "disk-encryption-C02XK0AAJG5H-2026-11-30.pdf",
            "pdf",
            b"%PDF-1.7 stand-in",
            at,
        )
        .unwrap();
    let output = devidence(tmp.path())
        .arg("status")
        .env("DEVIDENCE_API_URL", "https://public-api.drata.com")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    insta::assert_snapshot!("status", scrub(&output.stdout, tmp.path(), None));
}

#[test]
fn doctor_with_a_working_key_and_a_revoked_one() {
    let server = Server::start(FakeDrata::new(KEY).with_device(DEVICE));
    let tmp = tempfile::tempdir().unwrap();
    let doctor = |key: &str| {
        let output = devidence(tmp.path())
            .arg("doctor")
            .env("DRATA_API_KEY", key)
            .env("DEVIDENCE_API_URL", server.url())
            .env("DEVIDENCE_DEVICE_ID", DEVICE)
            .output()
            .unwrap();
        let text = scrub(&output.stdout, tmp.path(), Some(&server.url()));
        // Whether this machine has a keychain (a Secret Service) is not the doctor's wording.
        let text: String = text
            .lines()
            .map(|l| {
                if l.contains(" keychain ") && l.starts_with(['O', 'W', 'F']) {
                    "[keychain check: depends on this machine]".to_string()
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        (output.status.code(), text)
    };
    let (code, good) = doctor(KEY);
    assert_eq!(code, Some(0), "{good}");
    insta::assert_snapshot!("doctor_ok", good);
    let (code, revoked) = doctor("revoked-key-000000");
    assert_eq!(code, Some(1), "{revoked}");
    insta::assert_snapshot!("doctor_revoked_key", revoked);
}

#[test]
fn the_main_error_messages() {
    let server = Server::start(FakeDrata::new(KEY).with_device(DEVICE));
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("config.toml");
    let mut report = String::new();
    let mut case = |title: &str, toml: &str, args: &[&str], env: &[(&str, &str)]| {
        std::fs::write(&config, toml).unwrap();
        let mut cmd = devidence(tmp.path());
        cmd.args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let output = cmd.output().unwrap();
        report.push_str(&format!(
            "## {title}\n$ devidence {}\nexit {}\n{}\n",
            args.join(" "),
            output.status.code().unwrap_or(-1),
            scrub(&output.stderr, tmp.path(), Some(&server.url())).trim_end()
        ));
        report.push('\n');
    };
    let url = server.url();
    let drata = [("DEVIDENCE_API_URL", url.as_str())];
    case("unknown setting", "regoin = \"eu\"\n", &["check"], &[]);
    case("bad region", "region = \"mars\"\n", &["check"], &[]);
    case(
        "bad device ID from the environment",
        "",
        &["check"],
        &[("DEVIDENCE_DEVICE_ID", "../4242")],
    );
    case(
        "out of range",
        "[schedule]\ninterval_minutes = 1\n",
        &["check"],
        &[],
    );
    case("no API key", "", &["run"], &drata);
    case(
        "wrong API key (401)",
        "",
        &["run", "--device-id", DEVICE],
        &[("DRATA_API_KEY", "revoked-key-000000"), drata[0]],
    );
    case(
        "records without a custom connection",
        "",
        &["records", "list"],
        &[],
    );
    insta::assert_snapshot!("error_messages", report);
}
