//! The API key in a real OS keychain on Linux: the Secret Service of gnome-keyring on a private
//! D-Bus session (`dbus-run-session`), as a desktop has. `devidence login` stores the key,
//! `run` uploads with it and no DRATA_API_KEY, `logout` removes it, and `run` then says where
//! a key may come from. Also the key-file fallback for headless servers.
//!
//! Needs `dbus-run-session` and `gnome-keyring-daemon` (`.ci/run` installs dbus and
//! gnome-keyring); without them the keychain test prints why it was skipped, unless
//! `DEVIDENCE_REQUIRE_KEYCHAIN=1` (set by `.ci/run`) makes that a failure.
#![cfg(unix)]
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use common::{DEVICE, KEY, Server, devidence};
use fake_drata::FakeDrata;
use std::path::Path;
use std::process::Command;

fn have(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn login_stores_the_key_in_the_secret_service_and_logout_removes_it() {
    if !devidence_testkit::available(
        "keychain",
        have("dbus-run-session") && have("gnome-keyring-daemon"),
        "dbus-run-session or gnome-keyring-daemon is missing (apt-get install dbus gnome-keyring)",
    ) {
        return;
    }
    let server = Server::start(FakeDrata::new(KEY).with_device(DEVICE));
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("config.toml"), "").unwrap();
    let bin = assert_cmd::cargo::cargo_bin("devidence");
    let config = tmp.path().join("config.toml");
    let out = tmp.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    // One D-Bus session for the whole scenario, as on a desktop; each step's exit code and
    // output land in files the test reads.
    let script = format!(
        r#"set -u
echo -n unlock | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
dv() {{ "{bin}" --config "{config}" "$@"; }}
printf '%s\n' "$KEY" | dv login >"{o}/login.out" 2>&1; echo $? >"{o}/login.code"
dv run --api-url "$URL" --device-id {DEVICE} --out "{o}/ev1" >"{o}/run1.out" 2>&1; echo $? >"{o}/run1.code"
dv logout >"{o}/logout.out" 2>&1; echo $? >"{o}/logout.code"
dv run --api-url "$URL" --device-id {DEVICE} --out "{o}/ev2" >"{o}/run2.out" 2>&1; echo $? >"{o}/run2.code"
"#,
        bin = bin.display(),
        config = config.display(),
        o = out.display(),
    );
    let status = Command::new("dbus-run-session")
        .args(["--", "sh", "-c", &script])
        .env("KEY", KEY)
        .env("URL", server.url())
        .env("DEVIDENCE_DATA_DIR", tmp.path().join("data"))
        .env_remove("DRATA_API_KEY")
        .env_remove("DISPLAY")
        .status()
        .unwrap();
    assert!(status.success());
    let read = |name: &str| std::fs::read_to_string(out.join(name)).unwrap_or_default();
    let code = |name: &str| read(&format!("{name}.code")).trim().to_string();
    assert_eq!(code("login"), "0", "{}", read("login.out"));
    assert_eq!(code("run1"), "0", "{}", read("run1.out"));
    assert_eq!(server.fake.uploads().len(), 5);
    assert_eq!(code("logout"), "0", "{}", read("logout.out"));
    assert!(
        read("logout.out").contains("Removed"),
        "{}",
        read("logout.out")
    );
    assert_eq!(code("run2"), "2", "{}", read("run2.out"));
    assert!(
        read("run2.out").contains("devidence login"),
        "{}",
        read("run2.out")
    );
    for name in ["login.out", "run1.out", "logout.out", "run2.out"] {
        assert!(!read(name).contains(KEY), "the key leaked into {name}");
    }
}

fn run_with_key_file(dir: &Path, url: &str, mode: u32) -> std::process::Output {
    use std::os::unix::fs::PermissionsExt;
    let key_file = dir.join("api-key");
    std::fs::write(&key_file, format!("{KEY}\n")).unwrap();
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(mode)).unwrap();
    devidence(dir)
        .args([
            "run",
            "--api-url",
            url,
            "--device-id",
            DEVICE,
            "--api-key-file",
        ])
        .arg(&key_file)
        .arg("--out")
        .arg(dir.join("ev"))
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .output()
        .unwrap()
}

#[test]
fn a_root_only_key_file_is_the_headless_fallback() {
    let server = Server::start(FakeDrata::new(KEY).with_device(DEVICE));
    let tmp = tempfile::tempdir().unwrap();
    let open = run_with_key_file(tmp.path(), &server.url(), 0o644);
    assert_eq!(open.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&open.stderr);
    assert!(stderr.contains("chmod 600"), "{stderr}");
    assert!(!stderr.contains(KEY));
    let private = run_with_key_file(tmp.path(), &server.url(), 0o600);
    assert!(
        private.status.success(),
        "{}",
        String::from_utf8_lossy(&private.stderr)
    );
    assert_eq!(server.fake.uploads().len(), 5);
}
