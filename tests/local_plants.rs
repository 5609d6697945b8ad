//! A hostile local user against the agent running as root: everything the password-manager
//! probe reads in that user's home is planted — links and a hard link to a root-only file, a
//! link out of the home, a FIFO, a 2 GB sparse file, a folder of a million entries. The real
//! binary collects as root, in a private mount namespace whose `/etc/passwd` lists the user
//! (so the machine's own accounts are untouched) and whose `/opt` holds the browsers the
//! plants pretend to belong to. The root-only file's content must appear nowhere, the run must
//! end in bounded time and memory, and the finding must say what was refused.
//!
//! Needs root and `unshare` (skipped with a message otherwise, unless
//! `DEVIDENCE_REQUIRE_ROOT=1` / `DEVIDENCE_REQUIRE_UNSHARE=1`).
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Instant;

const UID: u32 = 4242;
const CANARY: &str = "ROOT-ONLY-CANARY-7f3a";
/// Bitwarden's Chrome Web Store ID and Firefox add-on ID: what makes the probe read a
/// profile's preferences / extensions.json.
const BITWARDEN_CHROME: &str = "nngceckbapebfimnlniiiahkandclblb";
const BITWARDEN_FIREFOX: &str = "{446900e4-71c2-419f-a6a7-df9c091e268b}";
/// Entries in the user's Vivaldi folder, all named like profiles.
const MANY: usize = 1_000_000;

/// Gives the home to the user, except a hard link's file (which stays root's).
fn chown_tree(path: &Path) {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::symlink_metadata(path).unwrap();
    if meta.is_file() && meta.nlink() > 1 {
        return;
    }
    std::os::unix::fs::lchown(path, Some(UID), Some(UID)).unwrap();
    if path.is_dir() && !path.is_symlink() {
        for entry in std::fs::read_dir(path).unwrap() {
            let entry = entry.unwrap();
            // The million entries were made with the right owner already.
            if entry.file_name() == "vivaldi" {
                std::os::unix::fs::lchown(entry.path(), Some(UID), Some(UID)).unwrap();
                continue;
            }
            chown_tree(&entry.path());
        }
    }
}

/// Plants the user's home; returns a description of each plant, for the table.
fn plant(home: &Path, secret: &Path) -> Vec<(&'static str, String)> {
    let mk = |rel: &str| std::fs::create_dir_all(home.join(rel)).unwrap();
    let mut plants = Vec::new();

    // Firefox: a profile whose extensions.json is a symbolic link to the root-only file.
    mk(".mozilla/firefox/abcd.default/extensions");
    std::fs::write(
        home.join(".mozilla/firefox/profiles.ini"),
        "[Profile0]\nName=default\nIsRelative=1\nPath=abcd.default\n",
    )
    .unwrap();
    std::fs::write(
        home.join(format!(
            ".mozilla/firefox/abcd.default/extensions/{BITWARDEN_FIREFOX}.xpi"
        )),
        "",
    )
    .unwrap();
    std::os::unix::fs::symlink(
        secret,
        home.join(".mozilla/firefox/abcd.default/extensions.json"),
    )
    .unwrap();
    plants.push((
        "symlink to a root-only file",
        "~/.mozilla/firefox/abcd.default/extensions.json".into(),
    ));

    // The XDG Firefox folder: a link out of the home, to /etc.
    mk(".config/mozilla");
    std::os::unix::fs::symlink("/etc", home.join(".config/mozilla/firefox")).unwrap();
    plants.push((
        "symlink out of the home",
        "~/.config/mozilla/firefox -> /etc".into(),
    ));

    // Chrome: Default's Preferences a hard link to the root-only file; Profile 1 a link to
    // /root.
    mk(&format!(
        ".config/google-chrome/Default/Extensions/{BITWARDEN_CHROME}/1.0_0"
    ));
    std::fs::hard_link(
        secret,
        home.join(".config/google-chrome/Default/Preferences"),
    )
    .unwrap();
    std::os::unix::fs::symlink("/root", home.join(".config/google-chrome/Profile 1")).unwrap();
    plants.push((
        "hard link to a root-only file",
        "~/.config/google-chrome/Default/Preferences".into(),
    ));
    plants.push((
        "symlinked profile folder out of the home",
        "~/.config/google-chrome/Profile 1 -> /root".into(),
    ));

    // Brave: Preferences is a FIFO nobody writes to.
    mk(&format!(
        ".config/BraveSoftware/Brave-Browser/Default/Extensions/{BITWARDEN_CHROME}"
    ));
    let fifo = home.join(".config/BraveSoftware/Brave-Browser/Default/Preferences");
    devidence_testkit::make_fifo(&fifo);
    plants.push((
        "FIFO",
        "~/.config/BraveSoftware/Brave-Browser/Default/Preferences".into(),
    ));

    // Edge: Preferences is a 2 GB sparse file.
    mk(&format!(
        ".config/microsoft-edge/Default/Extensions/{BITWARDEN_CHROME}"
    ));
    let sparse =
        std::fs::File::create(home.join(".config/microsoft-edge/Default/Preferences")).unwrap();
    sparse.set_len(2 * 1024 * 1024 * 1024).unwrap();
    plants.push((
        "2 GB sparse file",
        "~/.config/microsoft-edge/Default/Preferences".into(),
    ));

    // Vivaldi: a million entries named like profiles.
    let many = home.join(".config/vivaldi");
    std::fs::create_dir_all(&many).unwrap();
    for i in 0..MANY {
        let path = many.join(format!("Profile {i}"));
        std::fs::File::create(&path).unwrap();
        std::os::unix::fs::lchown(&path, Some(UID), Some(UID)).unwrap();
    }
    plants.push((
        "folder of 1,000,000 entries",
        "~/.config/vivaldi/Profile 0 … Profile 999999".into(),
    ));
    plants
}

#[test]
fn a_users_plants_in_their_home_reach_no_evidence_and_cannot_stall_the_run() {
    if !devidence_testkit::available(
        "root",
        rustix::process::geteuid().is_root(),
        "planting as one user and collecting as root needs the tests to run as root",
    ) || !common::tool_available("unshare", &["--mount", "true"])
    {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    // The root-only file, shaped like /etc/gshadow.
    let secret = dir.join("root-only");
    std::fs::write(&secret, format!("root:*::\nmallory:!{CANARY}::\n")).unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).unwrap();
    let home = dir.join("home/mallory");
    std::fs::create_dir_all(&home).unwrap();
    let started_planting = Instant::now();
    let plants = plant(&home, &secret);
    chown_tree(&home);
    eprintln!(
        "planted in {:.1} s",
        started_planting.elapsed().as_secs_f64()
    );
    std::fs::write(
        dir.join("passwd"),
        format!(
            "root:x:0:0:root:/root:/bin/bash\nmallory:x:{UID}:{UID}::{}:/bin/bash\n",
            home.display()
        ),
    )
    .unwrap();
    std::fs::write(dir.join("config.toml"), "").unwrap();
    let out = dir.join("evidence");
    let script = r#"
mount --bind "$DIR/passwd" /etc/passwd
mount -t tmpfs -o mode=0755 devidence-browsers /opt
mkdir -p /opt/google/chrome /opt/brave.com/brave /opt/microsoft/msedge /opt/vivaldi
touch /opt/google/chrome/chrome /opt/brave.com/brave/brave /opt/microsoft/msedge/msedge /opt/vivaldi/vivaldi
exec "$BIN" --config "$DIR/config.toml" collect --out "$OUT"
"#;
    let started = Instant::now();
    let output = std::process::Command::new("unshare")
        .args(["--mount", "sh", "-euc", script])
        .env("BIN", assert_cmd::cargo::cargo_bin("devidence"))
        .env("DIR", dir)
        .env("OUT", &out)
        .env("DEVIDENCE_DATA_DIR", dir.join("data"))
        .env("DEVIDENCE_LOG", "warn,devidence::resource_use=debug")
        .output()
        .unwrap();
    let seconds = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{stderr}");
    let peak_kb = common::peak_rss_kb(&stderr).unwrap();

    // The secret is nowhere: not in anything written, printed, or in the PDFs' text.
    let mut places = vec![
        (
            "stdout".to_string(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
        ),
        ("stderr".to_string(), stderr.clone()),
    ];
    for entry in std::fs::read_dir(&out).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        places.push((
            path.display().to_string(),
            String::from_utf8_lossy(&bytes).into_owned(),
        ));
        if path.extension().is_some_and(|e| e == "pdf") {
            let doc = lopdf::Document::load_mem(&bytes).unwrap();
            let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
            places.push((
                format!("{} (text)", path.display()),
                doc.extract_text(&pages).unwrap_or_default(),
            ));
        }
    }
    for (place, text) in &places {
        assert!(
            !text.contains(CANARY),
            "the root-only file leaked into {place}"
        );
        assert!(
            !text.contains("mallory:!"),
            "the root-only file leaked into {place}"
        );
    }

    // What the finding says about each plant.
    let bundle: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("findings.json")).unwrap()).unwrap();
    let finding = bundle["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["control"] == "password-manager")
        .unwrap();
    let observation = |suffix: &str| {
        finding["observations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["source"].as_str().is_some_and(|s| s.ends_with(suffix)))
            .unwrap_or_else(|| panic!("no observation of {suffix}"))
            .clone()
    };
    let refused = |suffix: &str, why: &str| {
        let o = observation(suffix);
        assert_eq!(o["outcome"]["kind"], "refused", "{suffix}: {o}");
        assert_eq!(o["as_user"], "mallory", "{suffix}: {o}");
        let reason = o["outcome"]["reason"].as_str().unwrap().to_string();
        assert!(reason.contains(why), "{suffix}: {reason}");
        assert!(o["stdout"].as_str().unwrap().is_empty(), "{suffix}: {o}");
        reason
    };
    let mut did = vec![
        refused(
            "abcd.default/extensions.json",
            "outside mallory's home; not followed",
        ),
        refused(
            ".config/mozilla/firefox",
            "outside mallory's home; not followed",
        ),
        refused(
            "google-chrome/Default/Preferences",
            "is not readable by mallory",
        ),
        refused(
            "google-chrome/Profile 1/Extensions",
            "outside mallory's home; not followed",
        ),
        refused(
            "Brave-Browser/Default/Preferences",
            "is a FIFO (named pipe), not a regular file",
        ),
    ];
    let sparse = observation("microsoft-edge/Default/Preferences");
    assert_eq!(sparse["outcome"]["kind"], "completed", "{sparse}");
    assert!(sparse["truncated"].as_bool().unwrap(), "{sparse}");
    assert_eq!(
        sparse["stdout"], "(not a JSON document; nothing of it kept)",
        "{sparse}"
    );
    did.push("read the first 1 MiB only (truncated), kept nothing of it: not JSON".into());
    let many = observation(".config/vivaldi");
    assert!(many["truncated"].as_bool().unwrap(), "{many}");
    assert_eq!(many["stdout"].as_str().unwrap().lines().count(), 4096);
    let capped = finding["facts"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| k.starts_with("scan_capped."))
        .map(|(_, v)| v.as_str().unwrap().to_string())
        .collect::<Vec<_>>()
        .join("; ");
    assert!(
        capped.contains("only the first 4096 entries were read"),
        "{capped}"
    );
    assert!(capped.contains("only the first 32 scanned"), "{capped}");
    did.push(capped);
    // Refusals are never a pass, and never a "nothing found" fail either.
    assert_eq!(
        finding["verdict"]["status"], "unknown",
        "{}",
        finding["verdict"]
    );

    let findings_bytes = std::fs::metadata(out.join("findings.json")).unwrap().len();
    assert!(seconds < 120.0, "took {seconds:.1} s");
    assert!(peak_kb < 96 * 1024, "peak RSS {peak_kb} kB");
    assert!(
        findings_bytes < 8 * 1024 * 1024,
        "findings.json is {findings_bytes} bytes"
    );
    println!("| plant | what the agent did | what reached evidence |");
    println!("|---|---|---|");
    for ((plant, path), what) in plants.iter().zip(&did) {
        println!("| {plant}: `{path}` | {what} | nothing |");
    }
    println!(
        "run: {seconds:.1} s, peak RSS {:.1} MB, findings.json {} kB, verdict {}",
        peak_kb as f64 / 1024.0,
        findings_bytes / 1024,
        finding["verdict"]
    );
}
