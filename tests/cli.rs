//! The `devidence` command line on this machine: `check` and `collect` with no account.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use common::{SLUGS, assert_bundle, devidence};

#[test]
fn check_json_gives_five_findings_and_an_exit_code_that_matches_them() {
    let tmp = tempfile::tempdir().unwrap();
    let output = devidence(tmp.path())
        .args(["check", "--json"])
        .output()
        .unwrap();
    let findings: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let findings = findings.as_array().unwrap();
    assert_eq!(findings.len(), 5);
    let controls: Vec<_> = findings
        .iter()
        .map(|f| f["control"].as_str().unwrap())
        .collect();
    assert_eq!(controls, SLUGS);
    let all_pass = findings.iter().all(|f| f["verdict"]["status"] == "pass");
    assert_eq!(output.status.code(), Some(if all_pass { 0 } else { 1 }));
    for f in findings {
        let status = f["verdict"]["status"].as_str().unwrap();
        assert!(["pass", "fail", "unknown"].contains(&status));
        if status == "unknown" {
            assert!(!f["verdict"]["reason"].as_str().unwrap().is_empty());
        }
        if status != "pass" {
            assert!(
                f["remediation"].is_string(),
                "no remediation for {}",
                f["control"]
            );
        }
    }
}

#[test]
fn check_prints_a_table_with_every_control() {
    let tmp = tempfile::tempdir().unwrap();
    let output = devidence(tmp.path()).arg("check").output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.starts_with("CONTROL"), "{stdout}");
    for title in [
        "Disk encryption",
        "Antivirus",
        "Automatic OS updates",
        "Screen lock",
        "Password manager",
    ] {
        assert!(stdout.contains(title), "{title} missing in:\n{stdout}");
    }
}

#[test]
fn collect_writes_the_bundle_with_every_observation() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    devidence(tmp.path())
        .args(["collect", "--out"])
        .arg(&out)
        .assert()
        .success();
    assert_bundle(&out);
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("findings.json")).unwrap()).unwrap();
    assert!(!json["device"]["hostname"].as_str().unwrap().is_empty());
    for finding in json["findings"].as_array().unwrap() {
        let observations = finding["observations"].as_array().unwrap();
        assert!(
            !observations.is_empty(),
            "{} has no observations",
            finding["control"]
        );
        for obs in observations {
            assert!(obs["source"].is_string() && obs["outcome"]["kind"].is_string());
            assert!(obs.get("duration_ms").is_some() && obs.get("exit_code").is_some());
        }
    }
}

#[test]
fn a_bad_config_file_is_a_usage_error_that_names_the_setting() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("config.toml"), "formt = \"pdf\"\n").unwrap();
    let output = devidence(tmp.path()).arg("check").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("formt"), "{stderr}");
}

#[test]
fn run_without_a_key_says_which_setting_to_provide() {
    let tmp = tempfile::tempdir().unwrap();
    let output = devidence(tmp.path())
        .args(["run", "--device-id", "1"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8(output.stderr)
            .unwrap()
            .contains("DRATA_API_KEY")
    );
}

#[test]
fn a_bad_owner_email_or_half_a_custom_connection_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let output = devidence(tmp.path())
        .args(["run", "--owner-email", "jane"])
        .env("DRATA_API_KEY", "k-1234567890")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8(output.stderr)
            .unwrap()
            .contains("owner_email")
    );
    std::fs::write(
        tmp.path().join("config.toml"),
        "[custom_connection]\nconnection_id = 3\n",
    )
    .unwrap();
    let output = devidence(tmp.path()).arg("status").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8(output.stderr)
            .unwrap()
            .contains("resource_id")
    );
}

#[test]
fn unknown_commands_are_usage_errors() {
    let tmp = tempfile::tempdir().unwrap();
    devidence(tmp.path()).arg("frobnicate").assert().code(2);
}

#[test]
fn replay_of_a_bundle_from_this_machine_judges_it_identically() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    devidence(tmp.path())
        .args(["collect", "--out"])
        .arg(&out)
        .assert()
        .success();
    let collected: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("findings.json")).unwrap()).unwrap();
    let output = devidence(tmp.path())
        .args(["replay", "--json"])
        .arg(&out)
        .output()
        .unwrap();
    let replayed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let judged = |findings: &serde_json::Value| -> Vec<serde_json::Value> {
        findings
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                serde_json::json!([
                    f["control"],
                    f["verdict"],
                    f["summary"],
                    f["facts"],
                    f["remediation"]
                ])
            })
            .collect()
    };
    assert_eq!(judged(&collected["findings"]), judged(&replayed));
    let all_pass = replayed
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["verdict"]["status"] == "pass");
    assert_eq!(output.status.code(), Some(if all_pass { 0 } else { 1 }));

    // Judged with another OS's plans, and with a path that is no bundle.
    let output = devidence(tmp.path())
        .args(["replay", "--json", "--os", "windows"])
        .arg(&out)
        .output()
        .unwrap();
    let windows: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(
        windows
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["os"] == "windows" && f["verdict"]["status"] == "unknown")
    );
    let output = devidence(tmp.path())
        .arg("replay")
        .arg(tmp.path().join("missing"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8(output.stderr)
            .unwrap()
            .contains("cannot read")
    );
}

#[test]
fn replay_of_a_folder_of_recorded_outputs_needs_the_os_and_judges_with_its_plans() {
    let tmp = tempfile::tempdir().unwrap();
    let recording = tmp.path().join("recording");
    std::fs::create_dir(&recording).unwrap();
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../probe-antivirus/tests/fixtures/linux/debian12-vm-clamav-installed-not-running.json"
        ),
        recording.join("antivirus.json"),
    )
    .unwrap();

    let output = devidence(tmp.path())
        .arg("replay")
        .arg(&recording)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8(output.stderr)
            .unwrap()
            .contains("add --os macos, --os windows or --os linux")
    );

    let output = devidence(tmp.path())
        .args(["replay", "--json", "--os", "linux"])
        .arg(&recording)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let findings: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let antivirus = findings
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["control"] == "antivirus")
        .unwrap();
    assert_eq!(antivirus["verdict"]["status"], "fail");
    assert_eq!(antivirus["facts"]["clamav.clamd_running"], "false");

    std::fs::write(recording.join("broken.json"), "not json").unwrap();
    let output = devidence(tmp.path())
        .args(["replay", "--os", "linux"])
        .arg(&recording)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8(output.stderr)
            .unwrap()
            .contains("broken.json is not a JSON array of observations")
    );
}
