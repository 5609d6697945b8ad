//! Browsers in a Flatpak or a Snap on Linux: their profiles live under `~/.var/app/<id>/…` and
//! `~/snap/<name>/…` (docs/research/issue-22-linux-desktop.md §5). The recorded profile files
//! (a Chromium `Secure Preferences` enabling Bitwarden, a Firefox `extensions.json` enabling
//! KeePassXC-Browser, a `profiles.ini`) are placed under each root, and each must be found.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use devidence_core::host::ReplayHost;
use devidence_core::{Os, Verdict};
use devidence_testkit::probe::{Fixtures, judge};
use probe_password_manager::probe;

const LINUX: Fixtures = Fixtures::new(env!("CARGO_MANIFEST_DIR"), "linux");

const DPKG: &str = r"dpkg-query -W '-f=${Package}\t${Status}\t${Version}\n'";
const PASSWD: &str =
    "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000:Alice,,,:/home/alice:/bin/bash\n";
const BITWARDEN_CHROME: &str = "nngceckbapebfimnlniiiahkandclblb";
const KEEPASSXC_FIREFOX: &str = "keepassxc-browser@keepassxc.org";

/// Debian 12 with no password manager installed, one person (alice).
fn bare_debian() -> ReplayHost {
    let mut host = ReplayHost::new();
    host.command(DPKG, 0, &LINUX.text("dpkg-query-list-baseline.txt"));
    host.dir("/opt", &["skills"]);
    host.file("/etc/passwd", PASSWD);
    host.dir("/home/alice", &[".bashrc", ".var", "snap"]);
    host
}

/// A Chromium-family user-data folder under `root` (relative to alice's home) whose Default
/// profile has Bitwarden's folder and a `Secure Preferences` enabling it.
fn chromium_profile(host: &mut ReplayHost, root: &str) {
    let base = format!("/home/alice/{root}");
    host.dir(&base, &["Default", "Local State"]);
    host.dir(&format!("{base}/Default/Extensions"), &[BITWARDEN_CHROME]);
    host.file(
        &format!("{base}/Default/Secure Preferences"),
        &LINUX.text("chromium-secure-preferences-m136-shape-constructed.json"),
    );
}

/// A Firefox profile root under `root` with `profiles.ini` naming `d4pq595x.default-esr`,
/// whose `extensions/` has KeePassXC-Browser and whose `extensions.json` enables it.
fn firefox_profile(host: &mut ReplayHost, root: &str) {
    let base = format!("/home/alice/{root}");
    host.dir(&base, &["profiles.ini", "d4pq595x.default-esr"]);
    host.file(
        &format!("{base}/profiles.ini"),
        &LINUX.text("firefox-profiles.ini"),
    );
    let profile = format!("{base}/d4pq595x.default-esr");
    host.dir(&profile, &["extensions", "extensions.json", "prefs.js"]);
    host.dir(
        &format!("{profile}/extensions"),
        &[&format!("{KEEPASSXC_FIREFOX}.xpi")],
    );
    host.file(
        &format!("{profile}/extensions.json"),
        &LINUX.text("firefox-extensions-system-keepassxc.json"),
    );
}

#[test]
fn extensions_in_flatpak_and_snap_browsers_are_found() {
    struct Row {
        browser: &'static str,
        root: &'static str,
        /// How the browser is installed: a per-user flatpak or a snap.
        flatpak: Option<&'static str>,
        snap: Option<&'static str>,
        firefox: bool,
    }
    let rows = [
        Row {
            browser: "Google Chrome (flatpak)",
            root: ".var/app/com.google.Chrome/config/google-chrome",
            flatpak: Some("com.google.Chrome"),
            snap: None,
            firefox: false,
        },
        Row {
            browser: "Brave (flatpak)",
            root: ".var/app/com.brave.Browser/config/BraveSoftware/Brave-Browser",
            flatpak: Some("com.brave.Browser"),
            snap: None,
            firefox: false,
        },
        Row {
            browser: "Microsoft Edge (flatpak)",
            root: ".var/app/com.microsoft.Edge/config/microsoft-edge",
            flatpak: Some("com.microsoft.Edge"),
            snap: None,
            firefox: false,
        },
        Row {
            browser: "Chromium (flatpak)",
            root: ".var/app/org.chromium.Chromium/config/chromium",
            flatpak: Some("org.chromium.Chromium"),
            snap: None,
            firefox: false,
        },
        Row {
            browser: "Vivaldi (flatpak)",
            root: ".var/app/com.vivaldi.Vivaldi/config/vivaldi",
            flatpak: Some("com.vivaldi.Vivaldi"),
            snap: None,
            firefox: false,
        },
        Row {
            browser: "Chromium (snap)",
            root: "snap/chromium/common/chromium",
            flatpak: None,
            snap: Some("chromium"),
            firefox: false,
        },
        Row {
            browser: "Firefox (flatpak)",
            root: ".var/app/org.mozilla.firefox/.mozilla/firefox",
            flatpak: None,
            snap: None,
            firefox: true,
        },
        Row {
            browser: "Firefox (flatpak)",
            root: ".var/app/org.mozilla.firefox/config/mozilla/firefox",
            flatpak: None,
            snap: None,
            firefox: true,
        },
        Row {
            browser: "Firefox (snap)",
            root: "snap/firefox/common/.mozilla/firefox",
            flatpak: None,
            snap: None,
            firefox: true,
        },
    ];
    for row in rows {
        let mut host = bare_debian();
        if let Some(id) = row.flatpak {
            host.dir("/home/alice/.local/share/flatpak/app", &[id]);
        }
        if let Some(name) = row.snap {
            host.dir("/snap", &["bin", "core22", name]);
        }
        if row.firefox {
            firefox_profile(&mut host, row.root);
        } else {
            chromium_profile(&mut host, row.root);
        }
        let finding = judge(probe, &host, Os::Linux);
        assert_eq!(
            finding.verdict,
            Verdict::Pass,
            "{} in {}: {:#?}",
            row.browser,
            row.root,
            finding.facts
        );
        let hit = &finding.facts["hit.01"];
        let (product, id) = if row.firefox {
            ("KeePassXC", KEEPASSXC_FIREFOX)
        } else {
            ("Bitwarden", BITWARDEN_CHROME)
        };
        assert!(
            hit.starts_with(&format!("{product}: {} extension {id}", row.browser))
                && hit.contains(&format!(
                    "(user alice, {} profile {})",
                    row.browser,
                    if row.firefox {
                        "d4pq595x.default-esr"
                    } else {
                        "Default"
                    }
                )),
            "{}: {hit}",
            row.root
        );
        assert!(
            finding.facts["user.alice"].contains(row.browser),
            "{}",
            finding.facts["user.alice"]
        );
    }
}

#[test]
fn a_sandboxed_chromium_profile_without_its_flatpak_installed_is_not_counted() {
    let mut host = bare_debian();
    chromium_profile(&mut host, ".var/app/com.google.Chrome/config/google-chrome");
    let finding = judge(probe, &host, Os::Linux);
    assert_eq!(finding.verdict, Verdict::Fail, "{:#?}", finding.facts);
    assert!(
        finding.facts["not_counted.01"].contains(
            "Google Chrome (flatpak) is not installed (none of: flatpak com.google.Chrome)"
        ),
        "{}",
        finding.facts["not_counted.01"]
    );
}
