//! Helpers shared by the end-to-end tests: a fake Drata on loopback and the real binary.
#![allow(dead_code, clippy::unwrap_used, missing_docs)]

use assert_cmd::Command;
use fake_drata::{FakeDrata, RunningFake};
use std::collections::BTreeSet;
use std::path::Path;

pub const KEY: &str = "test-key-5f0c2a9e1b7d";
pub const DEVICE: &str = "4242";

/// A fake Drata serving on 127.0.0.1 from its own runtime, for as long as this value lives.
pub struct Server {
    pub fake: RunningFake,
    _runtime: tokio::runtime::Runtime,
}

impl Server {
    pub fn start(fake: FakeDrata) -> Server {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let fake = runtime
            .block_on(fake.start("127.0.0.1:0".parse().unwrap()))
            .unwrap();
        Server {
            fake,
            _runtime: runtime,
        }
    }

    pub fn url(&self) -> String {
        self.fake.base_url()
    }
}

/// The real `devidence` binary with a clean environment and an empty config file.
pub fn devidence(config_dir: &Path) -> Command {
    let config = config_dir.join("config.toml");
    if !config.exists() {
        std::fs::write(&config, "").unwrap();
    }
    let mut cmd = Command::cargo_bin("devidence").unwrap();
    cmd.env_remove("DRATA_API_KEY")
        .env_remove("DEVIDENCE_API_URL")
        .env_remove("DEVIDENCE_DEVICE_ID")
        .env_remove("DEVIDENCE_REGION")
        .env_remove("DEVIDENCE_FORMAT")
        .env_remove("DEVIDENCE_LOG")
        .env_remove("DEVIDENCE_SCREENSHOT")
        .env_remove("DEVIDENCE_OWNER_EMAIL")
        .env_remove("DEVIDENCE_SERIAL_NUMBER")
        .env_remove("DEVIDENCE_DATA_DIR")
        .env("DEVIDENCE_DATA_DIR", config_dir.join("data"))
        .env("DEVIDENCE_LOG_DIR", config_dir.join("logs"))
        // No proxy from the developer's shell may intercept loopback tests.
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .env_remove("ALL_PROXY")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .arg("--config")
        .arg(&config);
    cmd
}

/// The slugs of the five controls.
pub const SLUGS: [&str; 5] = [
    "disk-encryption",
    "antivirus",
    "auto-updates",
    "lock-screen",
    "password-manager",
];

/// Asserts that `dir` holds the complete evidence bundle.
pub fn assert_bundle(dir: &Path) {
    for slug in SLUGS {
        let pdf = std::fs::read(dir.join(format!("{slug}.pdf"))).unwrap();
        assert!(
            lopdf::Document::load_mem(&pdf).is_ok(),
            "{slug}.pdf is not a valid PDF"
        );
        let png = std::fs::read(dir.join(format!("{slug}.png"))).unwrap();
        let image = image::load_from_memory_with_format(&png, image::ImageFormat::Png).unwrap();
        assert!(
            image.width() > 100 && image.height() > 100,
            "{slug}.png is too small"
        );
    }
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("findings.json")).unwrap()).unwrap();
    assert_eq!(json["findings"].as_array().unwrap().len(), 5);
}

/// SHA-256 of every item the records in the spool folder `spool` list: what is owed to Drata.
pub fn spooled_hashes(spool: &Path) -> BTreeSet<String> {
    let mut hashes = BTreeSet::new();
    for entry in std::fs::read_dir(spool).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".json") && !name.starts_with('.') {
            let item: serde_json::Value =
                serde_json::from_slice(&std::fs::read(entry.path()).unwrap()).unwrap();
            hashes.insert(item["sha256"].as_str().unwrap().to_string());
        }
    }
    hashes
}

/// Lower-case hex SHA-256, as spool records store it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The run's own peak RSS in kB, from the `resource use` line it logs at exit when
/// `DEVIDENCE_LOG` includes `devidence::resource_use=debug`; `None` when it logged none.
pub fn peak_rss_kb(stderr: &str) -> Option<u64> {
    stderr
        .split_whitespace()
        .find_map(|w| w.strip_prefix("peak_rss_kb="))
        .and_then(|v| v.parse().ok())
}

/// Whether an HTTPS client could be set up, judging by a run's stderr: a machine without CA
/// certificates (a bare container) cannot build one, which is a skip of the HTTPS part of a
/// test unless `DEVIDENCE_REQUIRE_TRUST_STORE=1`.
pub fn trust_store_available(stderr: &str) -> bool {
    devidence_testkit::available(
        "trust-store",
        !stderr.contains("No CA certificates were loaded"),
        "this machine has no CA certificates, so no HTTPS client can be set up (apt-get install ca-certificates)",
    )
}

/// Whether an outside tool a test needs is here (`program args…` exits 0); when not, the
/// test is skipped with a message, unless `DEVIDENCE_REQUIRE_<PROGRAM>=1` (set by CI) makes
/// that a failure (see `devidence-testkit`).
pub fn tool_available(program: &str, args: &[&str]) -> bool {
    devidence_testkit::tool(program, args)
}
