//! Secrets planted in the output of the commands the probes run never leave the agent.
//!
//! In a private mount namespace, the first folder of the agent's fixed command PATH
//! (`/usr/local/sbin`) is covered with a tmpfs holding stand-ins for the tools the Linux plans
//! call; each prints `tests/fixtures/secrets/planted.txt` (BitLocker numerical passwords, a
//! FileVault recovery key, bearer tokens and JWTs, the agent's own API key, password and key
//! assignments, private keys) on stdout and stderr. Then the real binary runs, collects,
//! checks and reports against fake Drata with custom data records on, and every line of
//! `needles.txt` is searched for in: stdout and stderr at debug level, the log file, every
//! evidence file (PDF bytes and `pdftotext`, PNG bytes and text chunks), findings.json, the
//! spool, state.json, `status --json`, and everything fake Drata received (uploaded files and
//! their names, records, request paths). A canary line proves the planted output did reach the
//! evidence, so the test cannot pass by never seeing it.
#![cfg(unix)]
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use common::{KEY, Server, tool_available};
use fake_drata::FakeDrata;
use std::path::{Path, PathBuf};

/// Tools the Linux plans run, replaced by stand-ins that print the planted corpus.
const STAND_INS: &[&str] = &[
    "apt-config",
    "systemctl",
    "clamscan",
    "clamdscan",
    "mdatp",
    "gsettings",
    "dconf",
    "rpm",
    "tail",
    "pgrep",
    "lsblk",
    "loginctl",
    "flatpak",
    "dpkg-query",
];

const CANARY: &str = "devidence-planted-corpus";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/secrets")
}

fn needles() -> Vec<String> {
    std::fs::read_to_string(fixtures().join("needles.txt"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out
}

/// The text `pdftotext` reads from a PDF.
fn pdf_text(pdf: &Path) -> String {
    let out = std::process::Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success(), "pdftotext {}", pdf.display());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The text chunks (tEXt, zTXt, iTXt) of a PNG, decoded.
fn png_text(png: &Path) -> String {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(png).unwrap()));
    let reader = decoder.read_info().unwrap();
    let info = reader.info();
    let mut text = String::new();
    for chunk in &info.uncompressed_latin1_text {
        text.push_str(&format!("{}={}\n", chunk.keyword, chunk.text));
    }
    for chunk in &info.compressed_latin1_text {
        text.push_str(&format!(
            "{}={}\n",
            chunk.keyword,
            chunk.get_text().unwrap_or_default()
        ));
    }
    for chunk in &info.utf8_text {
        text.push_str(&format!(
            "{}={}\n",
            chunk.keyword,
            chunk.get_text().unwrap_or_default()
        ));
    }
    text
}

#[test]
fn planted_secrets_reach_no_log_evidence_spool_state_or_request() {
    if !tool_available("unshare", &["--mount", "--map-root-user", "true"])
        || !tool_available("pdftotext", &["-v"])
    {
        return;
    }
    let server = Server::start(
        FakeDrata::new(KEY)
            .with_device("4242")
            .with_custom_resource(11, 22, &["id", "control", "verdict"]),
    );
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(
        dir.join("config.toml"),
        "device_id = \"4242\"\nrequest_interval_ms = 0\nformat = \"both\"\n\
         [custom_connection]\nconnection_id = 11\nresource_id = 22\n",
    )
    .unwrap();
    // The stand-ins: the agent runs commands with an empty environment, so each names the
    // corpus by its absolute path.
    let stand_ins = dir.join("stand-ins");
    std::fs::create_dir_all(&stand_ins).unwrap();
    let corpus = fixtures().join("planted.txt");
    for tool in STAND_INS {
        std::fs::write(
            stand_ins.join(tool),
            format!(
                "#!/bin/sh\ncat '{0}'\ncat '{0}' >&2\nexit 0\n",
                corpus.display()
            ),
        )
        .unwrap();
    }
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    let script = r#"
mount -t tmpfs -o mode=0755 devidence-stand-ins /usr/local/sbin
cp "$STAND_INS"/* /usr/local/sbin/
chmod 0755 /usr/local/sbin/*
d() { "$BIN" --config "$CONFIG" "$@"; }
d -vv run --api-url "$URL" --out "$OUT/evidence-run" >"$OUT/run.stdout" 2>"$OUT/run.stderr" || echo "run exit $?" >>"$OUT/exits"
d run --background --api-url "$URL" --out "$OUT/evidence-background" >"$OUT/bg.stdout" 2>"$OUT/bg.stderr" || echo "background exit $?" >>"$OUT/exits"
d -vv collect --out "$OUT/evidence-collect" >"$OUT/collect.stdout" 2>"$OUT/collect.stderr" || true
d -vv check --json >"$OUT/check.json" 2>"$OUT/check.stderr" || true
d status --json >"$OUT/status.json" 2>"$OUT/status.stderr" || true
"#;
    let bin = assert_cmd::cargo::cargo_bin("devidence");
    let output = std::process::Command::new("unshare")
        .args(["--mount", "--map-root-user", "sh", "-euc", script])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("BIN", &bin)
        .env("CONFIG", dir.join("config.toml"))
        .env("URL", server.url())
        .env("OUT", &out)
        .env("STAND_INS", &stand_ins)
        .env("DRATA_API_KEY", KEY)
        .env("DEVIDENCE_DATA_DIR", dir.join("data"))
        .env("DEVIDENCE_LOG_DIR", dir.join("logs"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let exits = std::fs::read_to_string(out.join("exits")).unwrap_or_default();
    assert!(
        !exits.contains("exit 3") && !exits.contains("exit 2") && !exits.contains("exit 4"),
        "runs failed: {exits}\n{}",
        std::fs::read_to_string(out.join("run.stderr")).unwrap()
    );

    // Everything the agent wrote or printed, as text to search.
    let mut places: Vec<(String, String)> = Vec::new();
    for root in [out.clone(), dir.join("data"), dir.join("logs")] {
        for file in files_under(&root) {
            let bytes = std::fs::read(&file).unwrap();
            let name = file.display().to_string();
            places.push((name.clone(), String::from_utf8_lossy(&bytes).into_owned()));
            match file.extension().and_then(|e| e.to_str()) {
                Some("pdf") => places.push((format!("{name} (pdftotext)"), pdf_text(&file))),
                Some("png") => places.push((format!("{name} (text chunks)"), png_text(&file))),
                _ => {}
            }
        }
    }
    // Everything fake Drata received.
    for upload in server.fake.uploads() {
        places.push((
            format!("upload {} (bytes)", upload.file_name),
            String::from_utf8_lossy(&upload.bytes).into_owned(),
        ));
        places.push(("upload file name".into(), upload.file_name.clone()));
    }
    places.push(("records".into(), format!("{:?}", server.fake.records())));
    for request in server.fake.requests() {
        places.push(("request path".into(), request.path.clone()));
    }

    // The planted output reached the evidence (redacted), so the search below means something.
    let findings = places
        .iter()
        .find(|(name, _)| name.ends_with("evidence-run/findings.json"))
        .map(|(_, text)| text.clone())
        .unwrap();
    assert!(findings.contains(CANARY), "the stand-ins were never run");
    assert!(findings.contains("[REDACTED]"));
    assert!(
        places
            .iter()
            .any(|(name, text)| name.ends_with("(pdftotext)") && text.contains(CANARY)),
        "no PDF shows the planted command output"
    );
    assert!(!server.fake.uploads().is_empty() && !server.fake.records().is_empty());

    let needles = needles();
    let mut leaks = Vec::new();
    for (place, text) in &places {
        for needle in &needles {
            if text.contains(needle.as_str()) {
                leaks.push(format!("{needle} in {place}"));
            }
        }
    }
    assert!(leaks.is_empty(), "secrets leaked:\n{}", leaks.join("\n"));
    eprintln!(
        "{} secrets × {} places searched ({} uploads, {} records): none found",
        needles.len(),
        places.len(),
        server.fake.uploads().len(),
        server.fake.records().len()
    );
}
