//! The fault matrix: the real binary meets each thing that goes wrong on a laptop or between
//! it and Drata. Every test asserts the same three things: the run says clearly what happened
//! and what to do, it loses nothing (every evidence file spooled before or during the fault
//! reaches Drata once the fault is gone), and the spool stays consistent.
//!
//! Faults covered elsewhere, listed here so the matrix is in one place:
//! 5xx bursts — `drata_integration::server_errors_leave_items_spooled_for_the_next_run`;
//! 413 — `end_to_end::a_file_too_large_is_reported_as_such`;
//! SIGKILL at random moments — `drata_integration::runs_killed_at_any_moment_lose_no_evidence`;
//! a hung, flooding, missing or non-executable command — `devidence-core` `host::real` tests
//! and, for whole probes, `commands_that_hang_or_are_refused_give_unknown_never_pass` below.
#![cfg(unix)]
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use common::{KEY, Server, devidence, sha256_hex, spooled_hashes, tool_available};
use devidence_core::redact::Redactor;
use devidence_core::{CommandSpec, Host, Observation, Os, Policy, ProbeRun, RealHost, Verdict};
use devidence_testkit::probe::Probe;
use fake_drata::{FakeDrata, Fault};
use std::collections::BTreeSet;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

const DEVICE: &str = "4242";

/// A data folder and configuration for one test's runs.
struct Rig {
    tmp: tempfile::TempDir,
}

impl Rig {
    fn new() -> Rig {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(
            tmp.path().join("config.toml"),
            format!("device_id = \"{DEVICE}\"\nrequest_interval_ms = 0\n"),
        )
        .unwrap();
        Rig { tmp }
    }

    fn dir(&self) -> &Path {
        self.tmp.path()
    }

    fn data(&self) -> PathBuf {
        self.dir().join("data")
    }

    /// `devidence run` against `url` with extra environment variables.
    fn run(&self, url: &str, env: &[(&str, &str)]) -> Output {
        let mut cmd = devidence(self.dir());
        cmd.args(["run", "--api-url", url])
            .env("DRATA_API_KEY", KEY);
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    }

    /// SHA-256 of every item the spool's records list: what is owed to Drata.
    fn owed(&self) -> BTreeSet<String> {
        spooled_hashes(&self.data().join("spool"))
    }

    /// The fault is gone: one normal run must deliver everything owed and empty the spool.
    fn recovers(&self, server: &Server, owed: &BTreeSet<String>) {
        server.fake.clear_faults();
        let output = self.run(&server.url(), &[]);
        assert!(output.status.success(), "recovery run: {}", stderr(&output));
        assert!(self.owed().is_empty(), "spool not empty after recovery");
        let delivered = delivered(server);
        let missing = owed.difference(&delivered).count();
        assert_eq!(
            missing,
            0,
            "{missing} of {} owed items never arrived",
            owed.len()
        );
        assert_no_torn_files(&self.data().join("spool"));
    }
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn delivered(server: &Server) -> BTreeSet<String> {
    server
        .fake
        .uploads()
        .iter()
        .map(|u| sha256_hex(&u.bytes))
        .collect()
}

fn assert_no_torn_files(spool: &Path) {
    for entry in std::fs::read_dir(spool).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        assert!(!name.starts_with(".tmp-"), "torn temporary {name} left");
    }
}

/// Asserts a failed upload run: exit 3, the expected words, the promise that nothing was
/// lost, and all five items in the spool.
fn assert_kept_for_later(rig: &Rig, output: &Output, words: &[&str]) -> BTreeSet<String> {
    let text = stderr(output);
    assert_eq!(output.status.code(), Some(3), "{text}");
    for word in words {
        assert!(text.contains(word), "missing {word:?} in: {text}");
    }
    assert!(text.contains("nothing was lost"), "{text}");
    let owed = rig.owed();
    assert_eq!(owed.len(), 5, "{text}");
    owed
}

fn fake() -> Server {
    Server::start(FakeDrata::new(KEY).with_device(DEVICE))
}

/// A loopback port with nothing listening.
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn api_down_connection_refused() {
    let server = fake();
    let rig = Rig::new();
    let url = format!("http://127.0.0.1:{}", closed_port());
    let output = rig.run(&url, &[]);
    let owed = assert_kept_for_later(&rig, &output, &["could not reach Drata", "refused"]);
    rig.recovers(&server, &owed);
}

#[test]
fn dns_failure() {
    let server = fake();
    let rig = Rig::new();
    // `.invalid` never resolves (RFC 6761).
    let output = rig.run("https://drata-api.devidence-fault.invalid", &[]);
    if !common::trust_store_available(&stderr(&output)) {
        return;
    }
    let owed = assert_kept_for_later(
        &rig,
        &output,
        &["could not reach Drata", "check the network connection"],
    );
    rig.recovers(&server, &owed);
}

#[test]
fn tls_certificate_not_trusted_is_refused_not_bypassed() {
    if !tool_available("openssl", &["version"]) {
        return;
    }
    let server = fake();
    let rig = Rig::new();
    let tls = rig.dir().join("tls");
    std::fs::create_dir_all(&tls).unwrap();
    let made = std::process::Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .args([
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ])
        .arg("-keyout")
        .arg(tls.join("key.pem"))
        .arg("-out")
        .arg(tls.join("cert.pem"))
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", stderr(&made));
    let port = closed_port();
    let mut tls_server = std::process::Command::new("openssl")
        .args(["s_server", "-quiet", "-www", "-accept"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("-cert")
        .arg(tls.join("cert.pem"))
        .arg("-key")
        .arg(tls.join("key.pem"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "s_server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = rig.run(&format!("https://127.0.0.1:{port}"), &[]);
    let _ = tls_server.kill();
    let _ = tls_server.wait();
    let owed = assert_kept_for_later(
        &rig,
        &output,
        &[
            "refused the TLS certificate",
            "trust store",
            "nothing was sent",
        ],
    );
    rig.recovers(&server, &owed);
}

#[test]
fn rate_limited_429_with_retry_after_is_waited_out_in_the_same_run() {
    let server = fake();
    server.fake.inject((0..2).map(|_| Fault::Status {
        status: 429,
        retry_after: Some(1),
    }));
    let rig = Rig::new();
    let started = Instant::now();
    let output = rig.run(&server.url(), &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "Retry-After not honoured"
    );
    assert_eq!(server.fake.uploads().len(), 5);
    assert!(rig.owed().is_empty());
}

#[test]
fn a_server_that_accepts_and_never_answers_times_out() {
    let server = fake();
    let rig = Rig::new();
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    // Accept every connection and hold it open without a byte in answer.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in silent.incoming().flatten() {
            held.push(stream);
        }
    });
    let output = rig.run(
        &format!("http://127.0.0.1:{port}"),
        &[("DEVIDENCE_REQUEST_TIMEOUT_SECONDS", "1")],
    );
    let owed = assert_kept_for_later(&rig, &output, &["timed out", "could not reach Drata"]);
    rig.recovers(&server, &owed);
}

#[test]
fn the_key_revoked_in_the_middle_of_a_run() {
    let server = fake();
    // Two uploads go through, then the key stops working.
    let mut faults = vec![Fault::Slow(Duration::ZERO), Fault::Slow(Duration::ZERO)];
    faults.extend((0..10).map(|_| Fault::Status {
        status: 401,
        retry_after: None,
    }));
    server.fake.inject(faults);
    let rig = Rig::new();
    let output = rig.run(&server.url(), &[]);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(3), "{text}");
    assert!(text.contains("401") && text.contains("API key"), "{text}");
    assert!(!text.contains(KEY), "the key itself was printed");
    assert_eq!(server.fake.uploads().len(), 2);
    let owed = rig.owed();
    assert_eq!(owed.len(), 3, "{text}");
    rig.recovers(&server, &owed);
}

#[test]
fn a_corrupt_state_file_is_set_aside_and_the_run_goes_on() {
    let server = fake();
    let rig = Rig::new();
    std::fs::create_dir_all(rig.data()).unwrap();
    std::fs::write(
        rig.data().join("state.json"),
        b"{\"device\": [\x00\xff truncated",
    )
    .unwrap();
    let output = rig.run(&server.url(), &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(server.fake.uploads().len(), 5);
    let state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(rig.data().join("state.json")).unwrap()).unwrap();
    assert!(state["controls"].as_object().unwrap().len() == 5, "{state}");
}

#[test]
fn a_corrupt_config_file_stops_the_run_and_keeps_the_spool() {
    let server = fake();
    let rig = Rig::new();
    // Evidence is owed from an earlier run while offline.
    let output = rig.run(&format!("http://127.0.0.1:{}", closed_port()), &[]);
    let owed = assert_kept_for_later(&rig, &output, &["could not reach Drata"]);
    let good = std::fs::read(rig.dir().join("config.toml")).unwrap();
    // Not text at all, then text that is not TOML.
    for (bad, says) in [
        (
            &b"device_id = \"4242\nformat = [\x00\xff"[..],
            "not UTF-8 text",
        ),
        (
            &b"device_id = \"4242\"\nformat = [\n"[..],
            "TOML parse error at line 2",
        ),
    ] {
        std::fs::write(rig.dir().join("config.toml"), bad).unwrap();
        let output = rig.run(&server.url(), &[]);
        let text = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{text}");
        assert!(
            text.contains("config.toml") && text.contains(says),
            "{text}"
        );
        assert_eq!(rig.owed(), owed, "a bad config must not touch the spool");
    }
    std::fs::write(rig.dir().join("config.toml"), good).unwrap();
    rig.recovers(&server, &owed);
}

/// Runs `devidence` under libfaketime with the wall clock at `at` (monotonic time real, so
/// timeouts still work).
fn run_at_time(rig: &Rig, url: &str, at: &str) -> Output {
    std::process::Command::new("faketime")
        .args(["-f", &format!("@{at}")])
        .arg(assert_cmd::cargo::cargo_bin("devidence"))
        .arg("--config")
        .arg(rig.dir().join("config.toml"))
        .args(["run", "--api-url", url])
        .env("FAKETIME_DONT_FAKE_MONOTONIC", "1")
        .env("DRATA_API_KEY", KEY)
        .env("DEVIDENCE_DATA_DIR", rig.data())
        .env("DEVIDENCE_LOG_DIR", rig.dir().join("logs"))
        .env_remove("DISPLAY")
        .env_remove("HTTP_PROXY")
        .env_remove("HTTPS_PROXY")
        .env_remove("http_proxy")
        .env_remove("https_proxy")
        .output()
        .unwrap()
}

#[test]
fn a_clock_far_ahead_or_far_behind_loses_nothing() {
    if !tool_available("faketime", &["-f", "+0", "true"]) {
        return;
    }
    let server = fake();
    let rig = Rig::new();
    let down = format!("http://127.0.0.1:{}", closed_port());
    // Offline with the clock twenty years ahead, then with it in 2001.
    let ahead = run_at_time(&rig, &down, "2046-06-01 12:00:00");
    assert_eq!(ahead.status.code(), Some(3), "{}", stderr(&ahead));
    let behind = run_at_time(&rig, &down, "2001-02-03 04:05:06");
    assert_eq!(behind.status.code(), Some(3), "{}", stderr(&behind));
    let owed = rig.owed();
    assert_eq!(owed.len(), 10);
    // A run with the clock far ahead delivers too (Drata's own clock is not ours to check).
    let online_ahead = run_at_time(&rig, &server.url(), "2046-06-01 12:30:00");
    assert!(online_ahead.status.success(), "{}", stderr(&online_ahead));
    let missing = owed.difference(&delivered(&server)).count();
    assert_eq!(missing, 0, "items spooled under a wrong clock were dropped");
    rig.recovers(&server, &BTreeSet::new());
}

/// Runs `script` with `sh` in a private mount namespace, where it may mount file systems that
/// vanish with it. None when this machine cannot (no `unshare`, or not allowed).
fn in_mount_namespace(script: &str, env: &[(&str, String)]) -> Option<Output> {
    if !tool_available("unshare", &["--mount", "--map-root-user", "true"]) {
        return None;
    }
    let mut cmd = std::process::Command::new("unshare");
    cmd.args(["--mount", "--map-root-user", "sh", "-euc", script]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    Some(cmd.output().unwrap())
}

/// The shared start of the disk-full and read-only tests: a 16 MiB tmpfs as the data folder,
/// then an offline run that leaves five items spooled (records copied to `$OUT/owed`).
const SPOOLED_ON_TMPFS: &str = r#"
mkdir -p "$DATA"
mount -t tmpfs -o size=16m,mode=0700 devidence-fault "$DATA"
run() { "$BIN" --config "$CONFIG" run --api-url "$1"; }
# Offline first: five items spooled; a copy of their records in $OUT/owed to compare with.
set +e; run "$DOWN" 2>"$OUT/offline.err"; echo $? >"$OUT/offline.rc"; set -e
mkdir -p "$OUT/owed"; cp "$DATA"/spool/*.json "$OUT/owed/"
"#;

fn namespace_env(rig: &Rig, server: &Server, down: &str) -> Vec<(&'static str, String)> {
    vec![
        (
            "BIN",
            assert_cmd::cargo::cargo_bin("devidence")
                .display()
                .to_string(),
        ),
        (
            "CONFIG",
            rig.dir().join("config.toml").display().to_string(),
        ),
        ("DATA", rig.data().display().to_string()),
        ("OUT", rig.dir().join("out").display().to_string()),
        ("UP", server.url()),
        ("DOWN", down.to_string()),
        ("DRATA_API_KEY", KEY.to_string()),
        ("DEVIDENCE_DATA_DIR", rig.data().display().to_string()),
        (
            "DEVIDENCE_LOG_DIR",
            rig.dir().join("logs").display().to_string(),
        ),
        ("PATH", std::env::var("PATH").unwrap_or_default()),
    ]
}

#[test]
fn disk_full_while_writing_evidence_and_spool() {
    let server = fake();
    let rig = Rig::new();
    std::fs::create_dir_all(rig.dir().join("out")).unwrap();
    let down = format!("http://127.0.0.1:{}", closed_port());
    let script = format!(
        r#"{SPOOLED_ON_TMPFS}
# The disk fills up: the next run cannot write its evidence.
dd if=/dev/zero of="$DATA/filler" bs=64k 2>/dev/null || true
set +e; run "$UP" 2>"$OUT/full.err"; echo $? >"$OUT/full.rc"; set -e
mkdir -p "$OUT/after-full"; cp "$DATA"/spool/*.json "$OUT/after-full/" 2>/dev/null || true
# Space is freed: a normal run.
rm -f "$DATA/filler"
set +e; run "$UP" 2>"$OUT/freed.err"; echo $? >"$OUT/freed.rc"; set -e
ls -A "$DATA/spool" >"$OUT/spool-after"
"#
    );
    let Some(output) = in_mount_namespace(&script, &namespace_env(&rig, &server, &down)) else {
        return;
    };
    assert!(output.status.success(), "{}", stderr(&output));
    let out = rig.dir().join("out");
    let read = |name: &str| std::fs::read_to_string(out.join(name)).unwrap();
    assert_eq!(read("offline.rc").trim(), "3", "{}", read("offline.err"));
    let owed = spooled_hashes(&out.join("owed"));
    assert_eq!(owed.len(), 5);
    // Full disk: a clear error naming the cause, exit 4 (evidence could not be written).
    let full = read("full.err");
    assert_eq!(read("full.rc").trim(), "4", "{full}");
    assert!(full.contains("No space left on device"), "{full}");
    assert!(full.contains("free some space there"), "{full}");
    // The run still sent what earlier runs had spooled (which frees space), and says so.
    assert!(
        full.contains("5 of the 5 file(s) earlier runs left in the spool were sent"),
        "{full}"
    );
    assert!(
        spooled_hashes(&out.join("after-full")).is_empty(),
        "items spooled before the disk filled were not sent on the full disk: {full}"
    );
    // Freed: everything owed arrives, the spool ends empty and whole.
    assert_eq!(read("freed.rc").trim(), "0", "{}", read("freed.err"));
    let missing = owed.difference(&delivered(&server)).count();
    assert_eq!(missing, 0, "items spooled before the disk filled were lost");
    let left: Vec<String> = read("spool-after")
        .lines()
        .filter(|l| !l.starts_with('.') && *l != "rejected")
        .map(str::to_string)
        .collect();
    assert!(left.is_empty(), "spool not empty: {left:?}");
}

#[test]
fn a_read_only_spool_folder() {
    let server = fake();
    let rig = Rig::new();
    std::fs::create_dir_all(rig.dir().join("out")).unwrap();
    let down = format!("http://127.0.0.1:{}", closed_port());
    let script = format!(
        r#"{SPOOLED_ON_TMPFS}
mount -o remount,ro "$DATA"
set +e; run "$UP" 2>"$OUT/ro.err"; echo $? >"$OUT/ro.rc"; set -e
mkdir -p "$OUT/after-ro"; cp "$DATA"/spool/*.json "$OUT/after-ro/"
mount -o remount,rw "$DATA"
set +e; run "$UP" 2>"$OUT/rw.err"; echo $? >"$OUT/rw.rc"; set -e
"#
    );
    let Some(output) = in_mount_namespace(&script, &namespace_env(&rig, &server, &down)) else {
        return;
    };
    assert!(output.status.success(), "{}", stderr(&output));
    let out = rig.dir().join("out");
    let read = |name: &str| std::fs::read_to_string(out.join(name)).unwrap();
    assert_eq!(read("offline.rc").trim(), "3", "{}", read("offline.err"));
    let owed = spooled_hashes(&out.join("owed"));
    let ro = read("ro.err");
    assert_eq!(read("ro.rc").trim(), "4", "{ro}");
    assert!(ro.contains("Read-only file system"), "{ro}");
    assert!(ro.contains("must be writable by the agent"), "{ro}");
    assert_eq!(spooled_hashes(&out.join("after-ro")), owed, "{ro}");
    assert_eq!(read("rw.rc").trim(), "0", "{}", read("rw.err"));
    let missing = owed.difference(&delivered(&server)).count();
    assert_eq!(
        missing, 0,
        "items spooled before the folder turned read-only were lost"
    );
}

/// Runs the real commands of `fault` in place of every command a probe asks for.
struct FaultyCommands {
    real: RealHost,
    fault: CommandSpec,
}

impl Host for FaultyCommands {
    fn run(&self, command: &CommandSpec) -> Observation {
        let mut obs = self.real.run(&self.fault);
        obs.source = command.display();
        obs
    }
    fn read_file(&self, path: &str) -> Observation {
        self.real.read_file(path)
    }
    fn list_dir(&self, path: &str) -> Observation {
        self.real.list_dir(path)
    }
    fn read_user_file(&self, user: &devidence_core::UserContext, path: &str) -> Observation {
        self.real.read_user_file(user, path)
    }
    fn list_user_dir(&self, user: &devidence_core::UserContext, path: &str) -> Observation {
        self.real.list_user_dir(user, path)
    }
    fn env(&self, name: &str) -> Option<String> {
        self.real.env(name)
    }
    fn read_registry(&self, read: &devidence_core::RegistryRead) -> Observation {
        self.real.read_registry(read)
    }
    fn query_wmi(&self, query: &devidence_core::WmiQuery) -> Observation {
        self.real.query_wmi(query)
    }
}

#[test]
fn commands_that_hang_or_are_refused_give_unknown_never_pass() {
    let tmp = tempfile::tempdir().unwrap();
    let not_executable = tmp.path().join("not-executable");
    std::fs::write(&not_executable, "#!/bin/sh\necho pass\n").unwrap();
    // (fault, the command run instead, whether the verdict must be unknown). A missing tool
    // may honestly mean "not installed" (fail) — never pass.
    let faults = [
        (
            "hangs",
            CommandSpec::new("sh", ["-c", "sleep 30"]).deadline(Duration::from_millis(200)),
            true,
        ),
        (
            "is not executable",
            CommandSpec::new(not_executable.to_str().unwrap(), Vec::<String>::new()),
            true,
        ),
        (
            "is missing",
            CommandSpec::new("/nonexistent/devidence-missing-tool", Vec::<String>::new()),
            false,
        ),
    ];
    let probes: [(&str, Probe); 5] = [
        ("disk-encryption", probe_disk_encryption::probe),
        ("antivirus", probe_antivirus::probe),
        ("auto-updates", probe_auto_updates::probe),
        ("lock-screen", probe_lock_screen::probe),
        ("password-manager", probe_password_manager::probe),
    ];
    let policy = Policy::default();
    let redactor = Redactor::new();
    let mut table = Vec::new();
    for (fault, command, must_be_unknown) in &faults {
        let host = FaultyCommands {
            real: RealHost::new(),
            fault: command.clone(),
        };
        for os in [Os::Macos, Os::Windows] {
            for (name, probe) in probes {
                let finding = probe(ProbeRun::new(&host, os, &policy, &redactor));
                table.push(format!(
                    "{fault:>18} {os:>8} {name:>17}: {}",
                    finding.verdict.label()
                ));
                let allowed = match finding.verdict {
                    Verdict::Unknown { .. } => true,
                    Verdict::Fail => !must_be_unknown,
                    Verdict::Pass => false,
                };
                assert!(
                    allowed,
                    "{name} on {os} when every command {fault}: {:?} — {}",
                    finding.verdict, finding.summary
                );
            }
        }
    }
    eprintln!("{}", table.join("\n"));
}

#[test]
fn plain_http_to_anything_but_loopback_is_refused_before_any_request() {
    let rig = Rig::new();
    let output = rig.run("http://drata.example.com/public/v2", &[]);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(text.contains("https://"), "{text}");
    assert!(!text.contains(KEY), "{text}");
}

#[test]
fn everything_the_agent_writes_is_private_to_it() {
    use std::os::unix::fs::PermissionsExt;
    let rig = Rig::new();
    // Offline, so evidence, spool and state are all left on disk.
    let output = rig.run(&format!("http://127.0.0.1:{}", closed_port()), &[]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    // A background run also writes the rotating log file.
    let mut background = devidence(rig.dir());
    background
        .args(["run", "--background", "--api-url"])
        .arg(format!("http://127.0.0.1:{}", closed_port()))
        .env("DRATA_API_KEY", KEY)
        .env_remove("JOURNAL_STREAM");
    let output = background.output().unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(rig.dir().join("logs").join("devidence.log").exists());
    let mut checked = 0;
    let mut stack = vec![rig.data(), rig.dir().join("logs")];
    while let Some(path) = stack.pop() {
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        if path.is_dir() {
            assert_eq!(mode, 0o700, "{} is {mode:o}", path.display());
            stack.extend(
                std::fs::read_dir(&path)
                    .unwrap()
                    .flatten()
                    .map(|e| e.path()),
            );
        } else {
            assert_eq!(mode & 0o077, 0, "{} is {mode:o}", path.display());
        }
        checked += 1;
    }
    assert!(checked > 15, "only {checked} paths under the data folder");
}

/// A run stopped with SIGTERM, SIGINT or SIGHUP while a probe's command hangs kills that
/// command (with its process group) before it exits: no hung tool outlives the agent. The
/// stand-in `lsblk` (first on the agent's fixed PATH, in a private mount namespace) records
/// its process ID and the ID of a child it starts, then hangs.
#[test]
fn a_stopped_run_takes_its_hung_commands_with_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let stand_in = dir.join("lsblk");
    std::fs::write(
        &stand_in,
        format!(
            "#!/bin/sh\n/bin/sleep 300 &\necho $! > '{0}/child.pid'\necho $$ > '{0}/hung.pid'\nwait\n",
            dir.display()
        ),
    )
    .unwrap();
    std::fs::write(dir.join("config.toml"), "").unwrap();
    let script = r#"
mount -t tmpfs -o mode=0755 devidence-stand-ins /usr/local/sbin
cp "$STAND_IN" /usr/local/sbin/lsblk && chmod 0755 /usr/local/sbin/lsblk
for sig in TERM INT HUP; do
  rm -f "$DIR/hung.pid" "$DIR/child.pid"
  "$BIN" --config "$DIR/config.toml" check >/dev/null 2>"$DIR/$sig.err" &
  agent=$!
  i=0; while [ ! -s "$DIR/child.pid" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
  [ -s "$DIR/child.pid" ] || { echo "the stand-in never ran ($sig)"; exit 1; }
  kill -$sig $agent
  set +e; wait $agent; echo $? > "$DIR/$sig.rc"; set -e
  sleep 0.3
  for pid in $(cat "$DIR/hung.pid") $(cat "$DIR/child.pid"); do
    # Alive unless gone or a zombie (killed, waiting for init to reap it).
    state=$(sed 's/.*) //' /proc/$pid/stat 2>/dev/null | cut -d' ' -f1)
    if [ -n "$state" ] && [ "$state" != Z ]; then echo "$sig: process $pid ($state) outlived the agent"; kill -9 $pid; exit 1; fi
  done
done
"#;
    let Some(out) = in_mount_namespace(
        script,
        &[
            (
                "BIN",
                assert_cmd::cargo::cargo_bin("devidence")
                    .display()
                    .to_string(),
            ),
            ("DIR", dir.display().to_string()),
            ("STAND_IN", stand_in.display().to_string()),
            ("PATH", std::env::var("PATH").unwrap_or_default()),
            ("DEVIDENCE_DATA_DIR", dir.join("data").display().to_string()),
        ],
    ) else {
        return;
    };
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    for (sig, code) in [("TERM", "143"), ("INT", "130"), ("HUP", "129")] {
        let rc = std::fs::read_to_string(dir.join(format!("{sig}.rc"))).unwrap();
        assert_eq!(rc.trim(), code, "SIG{sig}");
        let err = std::fs::read_to_string(dir.join(format!("{sig}.err"))).unwrap();
        assert!(err.contains(&format!("stopped by SIG{sig}")), "{err}");
    }
}

/// The agent's own files and folders, as a hostile user or a broken machine leaves them: a
/// configuration that is `/dev/zero` or a FIFO is refused at once (exit 2), never read without
/// end or waited on; an evidence or data folder anyone may write to is refused (exit 4), and
/// nothing is written into it.
#[test]
fn its_own_files_and_folders_are_checked_before_use() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let fifo = dir.join("config-fifo.toml");
    devidence_testkit::make_fifo(&fifo);
    for (config, says) in [
        (
            Path::new("/dev/zero").to_path_buf(),
            "not a regular file (a device)",
        ),
        (fifo, "not a regular file (a FIFO (named pipe))"),
    ] {
        let started = Instant::now();
        let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("devidence"))
            .arg("--config")
            .arg(&config)
            .arg("check")
            .env("DEVIDENCE_DATA_DIR", dir.join("data"))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains(says), "{err}");
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    // A world-writable evidence folder (say, one a user made in /tmp for root's run).
    let open = dir.join("open");
    std::fs::create_dir(&open).unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).unwrap();
    let out = devidence(dir)
        .args(["collect", "--out"])
        .arg(&open)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(err.contains("chmod go-w"), "{err}");
    assert_eq!(std::fs::read_dir(&open).unwrap().count(), 0);

    // A world-writable data folder: `run` stores nothing there and says so.
    let data = dir.join("shared-data");
    std::fs::create_dir(&data).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o777)).unwrap();
    let out = devidence(dir)
        .args([
            "run",
            "--api-url",
            "http://127.0.0.1:9",
            "--device-id",
            DEVICE,
        ])
        .env("DRATA_API_KEY", KEY)
        .env("DEVIDENCE_DATA_DIR", &data)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(err.contains("can be written by every user"), "{err}");
    assert_eq!(std::fs::read_dir(&data).unwrap().count(), 0);
}
