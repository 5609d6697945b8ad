//! The Linux plan end to end against recorded outputs (ReplayHost), one scenario per row.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use devidence_core::host::ReplayHost;
use devidence_core::redact::Redactor;
use devidence_core::{
    Finding, Observation, Os, Outcome, Policy, ProbeRun, RealHost, SourceKind, Verdict,
};
use devidence_testkit::probe::{Fixtures, judge, rejudge};
use probe_password_manager::probe;

const LINUX: Fixtures = Fixtures::new(env!("CARGO_MANIFEST_DIR"), "linux");

const DPKG: &str = r"dpkg-query -W '-f=${Package}\t${Status}\t${Version}\n'";
const RPM: &str = r"rpm -qa --qf '%{NAME}\t%{VERSION}\n'";
const FLATPAK: &str = "flatpak list --app --columns=application,version";
const PASSWD: &str =
    "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000:Alice,,,:/home/alice:/bin/bash\n";
const FF_ROOT: &str = "/home/alice/.config/mozilla/firefox";
const FF_PROFILE: &str = "/home/alice/.config/mozilla/firefox/d4pq595x.default-esr";
const FF_SYSTEM: &str = "/usr/share/mozilla/extensions/{ec8030f7-c20a-464f-9b0e-13a3a9e97384}";
const CHROME_DEFAULT: &str = "/home/alice/.config/google-chrome/Default/Extensions";
const BITWARDEN_CHROME: &str = "nngceckbapebfimnlniiiahkandclblb";
const CHROME_PREFS: &str = "/home/alice/.config/google-chrome/Default/Preferences";

fn outcome(host: &mut ReplayHost, kind: SourceKind, source: &str, outcome: Outcome) {
    host.add(Observation::new(kind, source, outcome));
}

/// Debian 12 as first recorded: no password manager anywhere, one person with a home.
fn bare_debian() -> ReplayHost {
    let mut host = ReplayHost::new();
    host.command(DPKG, 0, &LINUX.text("dpkg-query-list-baseline.txt"));
    host.dir("/opt", &["skills", "tf-plugins", "wheels"]);
    host.file("/etc/passwd", PASSWD);
    host.dir("/home/alice", &[".bashrc", ".profile", ".config"]);
    host
}

/// Alice has a Firefox profile (XDG location, as firefox-esr 153 creates it).
fn with_firefox(host: &mut ReplayHost, extensions_json: &str) {
    host.dir(
        FF_ROOT,
        &[
            "profiles.ini",
            "installs.ini",
            "d4pq595x.default-esr",
            "q838j2lz.default",
        ],
    );
    host.file(
        &format!("{FF_ROOT}/profiles.ini"),
        &LINUX.text("firefox-profiles.ini"),
    );
    host.dir(FF_PROFILE, &["extensions.json", "prefs.js"]);
    host.file(&format!("{FF_PROFILE}/extensions.json"), extensions_json);
    host.dir(FF_SYSTEM, &["keepassxc-browser@keepassxc.org"]);
}

/// The sources the reports show (quiet scans are kept only for replay).
fn sources(finding: &Finding) -> Vec<&str> {
    finding
        .observations
        .iter()
        .filter(|o| !o.quiet)
        .map(|o| o.source.as_str())
        .collect()
}

#[test]
fn scenarios() {
    struct Row {
        name: &'static str,
        host: ReplayHost,
        os: Os,
        verdict: &'static str,
        /// (key, substring of its value); a key ending in `*` matches any key with that prefix.
        facts: Vec<(&'static str, &'static str)>,
        /// Substring of the summary or Unknown reason.
        says: &'static str,
        /// Sources that must be in the evidence.
        recorded: Vec<&'static str>,
    }
    let mut rows = Vec::new();

    rows.push(Row {
        name: "bare debian: every source read, nothing found",
        host: bare_debian(),
        os: Os::Linux,
        verdict: "FAIL",
        facts: vec![
            ("source.deb", "read (726 installed)"),
            ("source.rpm", "not present"),
            ("source.flatpak", "not present"),
            ("source.snap", "not present"),
            ("source.opt", "read (3 entries)"),
            ("source.users", "alice"),
            ("user.alice", "no browser profiles"),
            ("hits", "0"),
        ],
        says: "No password manager was found in deb packages, /opt, alice's apps and browser profiles",
        recorded: vec![DPKG, RPM, FLATPAK, "/snap", "/opt", "/etc/passwd"],
    });

    let mut host = bare_debian();
    host.command(DPKG, 0, &LINUX.text("dpkg-query-list-keepassxc.txt"));
    rows.push(Row {
        name: "deb packages keepassxc, webext-keepassxc-browser and pass",
        host,
        os: Os::Linux,
        verdict: "PASS",
        facts: vec![
            (
                "hit.01",
                "KeePassXC: deb package keepassxc 2.7.4+dfsg.1-2 (system-wide)",
            ),
            ("products", "KeePassXC, pass"),
            ("hits", "3"),
        ],
        says: "Found KeePassXC and pass installed in 3 places",
        recorded: vec![DPKG],
    });

    let mut host = bare_debian();
    with_firefox(
        &mut host,
        &LINUX.text("firefox-extensions-system-keepassxc.json"),
    );
    rows.push(Row {
        name: "firefox: system-wide keepassxc-browser, active in the profile",
        host,
        os: Os::Linux,
        verdict: "PASS",
        facts: vec![
            (
                "hit.01",
                "KeePassXC: Firefox extension keepassxc-browser@keepassxc.org 1.8.4 (app-system-share, enabled) (user alice, Firefox profile d4pq595x.default-esr)",
            ),
            ("firefox.system_addons", "keepassxc-browser@keepassxc.org"),
            ("user.alice", "Firefox (q838j2lz.default, d4pq595x.default-esr)"),
        ],
        says: "Found KeePassXC installed in 1 place",
        recorded: vec![FF_SYSTEM, "/home/alice/.config/mozilla/firefox/profiles.ini", "/home/alice/.config/mozilla/firefox/d4pq595x.default-esr/extensions.json"],
    });

    let mut host = bare_debian();
    with_firefox(
        &mut host,
        &LINUX.text("firefox-extensions-disabled-keepassxc.json"),
    );
    rows.push(Row {
        name: "firefox: extension installed but disabled is not counted",
        host,
        os: Os::Linux,
        verdict: "FAIL",
        facts: vec![(
            "not_counted.*",
            "KeePassXC: Firefox extension keepassxc-browser@keepassxc.org 1.8.4 is installed but disabled (active=false, userDisabled=true",
        )],
        says: "No password manager was found",
        recorded: vec![],
    });

    // Chrome with Bitwarden's folder in the Default profile, in four states.
    let chrome_profile = |host: &mut ReplayHost| {
        host.dir(
            "/home/alice/.config/google-chrome",
            &["Default", "Profile 1", "Local State", "Guest Profile"],
        );
        host.dir(
            CHROME_DEFAULT,
            &["nmmhkkegccagdldgiimedpiccmgmieda", BITWARDEN_CHROME],
        );
        host.dir(
            &format!("{CHROME_DEFAULT}/{BITWARDEN_CHROME}"),
            &["2025.1.1_0"],
        );
        host.dir(
            "/home/alice/.config/google-chrome/Profile 1/Extensions",
            &["nmmhkkegccagdldgiimedpiccmgmieda"],
        );
    };
    let with_chrome = |preferences: Option<&str>| {
        let mut host = bare_debian();
        // The baseline plus Chrome's package, as dpkg-query prints it.
        host.command(
            DPKG,
            0,
            &format!(
                "{}google-chrome-stable\tinstall ok installed\t142.0.7444.59-1\n",
                LINUX.text("dpkg-query-list-baseline.txt")
            ),
        );
        chrome_profile(&mut host);
        if let Some(text) = preferences {
            host.file(CHROME_PREFS, text);
        }
        host
    };
    // Shaped as Chrome writes it today (`disable_reasons` a list, see the fixture
    // chromium-secure-preferences-m136-shape-constructed.json), with Bitwarden's store ID.
    let prefs = |entry: &str| {
        format!(
            r#"{{"account_info":[{{"email":"alice@example.com"}}],"extensions":{{"settings":{{"{BITWARDEN_CHROME}":{entry},"nmmhkkegccagdldgiimedpiccmgmieda":{{"location":10}}}}}}}}"#
        )
    };
    rows.push(Row {
        name: "chrome: Bitwarden registered and enabled in the Default profile",
        host: with_chrome(Some(&prefs(
            r#"{"disable_reasons":[],"location":1,"path":"nngceckbapebfimnlniiiahkandclblb/2025.1.1_0","manifest":{"version":"2025.1.1"}}"#,
        ))),
        os: Os::Linux,
        verdict: "PASS",
        facts: vec![
            (
                "hit.01",
                "Bitwarden: Google Chrome extension nngceckbapebfimnlniiiahkandclblb 2025.1.1 (enabled in the profile's preferences; Google Chrome installed as deb package google-chrome-stable) (user alice, Google Chrome profile Default)",
            ),
            ("user.alice", "Google Chrome (Default, Profile 1)"),
        ],
        says: "Found Bitwarden",
        recorded: vec![CHROME_DEFAULT, CHROME_PREFS],
    });
    rows.push(Row {
        name: "chrome: Bitwarden disabled in the profile is not counted",
        host: with_chrome(Some(&prefs(
            r#"{"disable_reasons":[1],"location":1,"path":"nngceckbapebfimnlniiiahkandclblb/2025.1.1_0","manifest":{"version":"2025.1.1"}}"#,
        ))),
        os: Os::Linux,
        verdict: "FAIL",
        facts: vec![(
            "not_counted.01",
            "is installed but disabled (disable_reasons 1)",
        )],
        says: "No password manager was found",
        recorded: vec![CHROME_PREFS],
    });
    rows.push(Row {
        name: "chrome: a bare extension folder, not registered, is not counted",
        host: with_chrome(Some(r#"{"extensions":{"settings":{}}}"#)),
        os: Os::Linux,
        verdict: "FAIL",
        facts: vec![(
            "not_counted.01",
            "is not registered in the profile's preferences",
        )],
        says: "No password manager was found",
        recorded: vec![],
    });
    rows.push(Row {
        name: "chrome: unreadable preferences leave it unknown, never a pass",
        host: with_chrome(Some("root:$y$j9T$planted:19000:0:99999:7:::")),
        os: Os::Linux,
        verdict: "UNKNOWN",
        facts: vec![("hits", "0")],
        says: "whether Bitwarden is enabled in Google Chrome",
        recorded: vec![CHROME_PREFS],
    });
    let mut host = bare_debian();
    chrome_profile(&mut host);
    host.file(
        CHROME_PREFS,
        &prefs(r#"{"disable_reasons":[],"location":1}"#),
    );
    rows.push(Row {
        name: "chrome: an enabled extension in a profile of a browser that is not installed is not counted",
        host,
        os: Os::Linux,
        verdict: "FAIL",
        facts: vec![(
            "not_counted.01",
            "but Google Chrome is not installed (none of: deb package google-chrome-stable",
        )],
        says: "No password manager was found",
        recorded: vec![],
    });

    let mut host = bare_debian();
    host.command(FLATPAK, 0, &LINUX.text("flatpak-list-system.txt"));
    rows.push(Row {
        name: "flatpak KeePassXC system-wide",
        host,
        os: Os::Linux,
        verdict: "PASS",
        facts: vec![
            (
                "hit.01",
                "KeePassXC: flatpak app org.keepassxc.KeePassXC 2.7.9 (system-wide)",
            ),
            ("source.flatpak", "read (1 apps)"),
        ],
        says: "KeePassXC",
        recorded: vec![FLATPAK],
    });

    let mut host = bare_debian();
    let mut failed = Observation::new(SourceKind::Command, FLATPAK, Outcome::Completed);
    failed.exit_code = Some(1);
    failed.stderr = "error: Unable to connect to system bus\n".into();
    host.add(failed);
    host.dir("/var/lib/flatpak/app", &["org.keepassxc.KeePassXC"]);
    rows.push(Row {
        name: "flatpak command fails: the installation directory is read instead",
        host,
        os: Os::Linux,
        verdict: "PASS",
        facts: vec![(
            "hit.01",
            "KeePassXC: flatpak app org.keepassxc.KeePassXC (system-wide)",
        )],
        says: "KeePassXC",
        recorded: vec!["/var/lib/flatpak/app"],
    });

    let mut host = bare_debian();
    host.dir(
        "/home/alice/.local/share/flatpak/app",
        &["com.bitwarden.desktop"],
    );
    rows.push(Row {
        name: "per-user flatpak Bitwarden",
        host,
        os: Os::Linux,
        verdict: "PASS",
        facts: vec![(
            "hit.01",
            "Bitwarden: flatpak app com.bitwarden.desktop (user installation) (user alice)",
        )],
        says: "Bitwarden",
        recorded: vec!["/home/alice/.local/share/flatpak/app"],
    });

    let mut host = bare_debian();
    host.dir(
        "/home/alice/Applications",
        &["KeePassXC-2.7.9-x86_64.AppImage", "notes.txt"],
    );
    rows.push(Row {
        name: "AppImage in ~/Applications",
        host,
        os: Os::Linux,
        verdict: "PASS",
        facts: vec![(
            "hit.01",
            "KeePassXC: AppImage /home/alice/Applications/KeePassXC-2.7.9-x86_64.AppImage (user alice)",
        )],
        says: "KeePassXC",
        recorded: vec!["/home/alice/Applications"],
    });

    let mut host = bare_debian();
    host.dir("/opt", &["1Password", "skills"]);
    host.dir("/snap", &["bin", "core22", "nordpass", "README"]);
    rows.push(Row {
        name: "/opt/1Password and the nordpass snap",
        host,
        os: Os::Linux,
        verdict: "PASS",
        facts: vec![
            ("products", "1Password, NordPass"),
            ("source.snap", "read (4 entries)"),
        ],
        says: "NordPass and 1Password",
        recorded: vec!["/opt", "/snap"],
    });

    let mut host = ReplayHost::new();
    host.command(RPM, 0, &LINUX.text("rpm-qa.txt"));
    host.file("/etc/passwd", PASSWD);
    host.dir("/home/alice", &[".bashrc"]);
    rows.push(Row {
        name: "rpm-based: dpkg absent, rpm lists 1password and keepassxc",
        host,
        os: Os::Linux,
        verdict: "PASS",
        facts: vec![
            ("source.deb", "not present"),
            ("products", "1Password, KeePassXC"),
        ],
        says: "KeePassXC and 1Password",
        recorded: vec![RPM],
    });

    let mut host = bare_debian();
    host.file(
        "/etc/passwd",
        &format!("{PASSWD}bob:x:1001:1001::/home/bob:/bin/bash\n"),
    );
    outcome(
        &mut host,
        SourceKind::Directory,
        "/home/bob",
        Outcome::PermissionDenied,
    );
    rows.push(Row {
        name: "nothing found but bob's home unreadable: unknown",
        host,
        os: Os::Linux,
        verdict: "UNKNOWN",
        facts: vec![("user.bob", "home unreadable: /home/bob permission denied")],
        says: "bob's home (/home/bob permission denied) could not be read",
        recorded: vec!["/home/bob"],
    });

    let mut host = ReplayHost::new();
    outcome(
        &mut host,
        SourceKind::Command,
        DPKG,
        Outcome::TimedOut {
            deadline_ms: 15_000,
        },
    );
    outcome(
        &mut host,
        SourceKind::File,
        "/etc/passwd",
        Outcome::PermissionDenied,
    );
    rows.push(Row {
        name: "no source readable: unknown",
        host,
        os: Os::Linux,
        verdict: "UNKNOWN",
        facts: vec![("source.deb", "timed out")],
        says: "no source could be read",
        recorded: vec![],
    });

    let mut host = bare_debian();
    host.command(
        DPKG,
        0,
        "dpkg-query: error: parsing file '/var/lib/dpkg/status' near line 12\n",
    );
    rows.push(Row {
        name: "garbled dpkg output: unknown, not fail",
        host,
        os: Os::Linux,
        verdict: "UNKNOWN",
        facts: vec![("source.deb", "unreadable")],
        says: "deb packages (the dpkg list has no",
        recorded: vec![],
    });

    let mut host = bare_debian();
    host.dir(FF_ROOT, &["profiles.ini", "d4pq595x.default-esr"]);
    host.file(
        &format!("{FF_ROOT}/profiles.ini"),
        &LINUX.text("firefox-profiles.ini"),
    );
    host.dir(
        &format!("{FF_PROFILE}/extensions"),
        &["{446900e4-71c2-419f-a6a7-df9c091e268b}.xpi"],
    );
    host.file(
        &format!("{FF_PROFILE}/extensions.json"),
        "{\"schemaVersion\":37,\"addons\":[",
    );
    rows.push(Row {
        name: "firefox: xpi in the profile, extensions.json truncated: unknown, never a pass",
        host,
        os: Os::Linux,
        verdict: "UNKNOWN",
        facts: vec![("hits", "0")],
        says: "whether Bitwarden (Firefox extension {446900e4-71c2-419f-a6a7-df9c091e268b}, profile) is enabled",
        recorded: vec!["/home/alice/.config/mozilla/firefox/d4pq595x.default-esr/extensions"],
    });

    rows.push(Row {
        name: "windows host where no source answers",
        host: ReplayHost::new(),
        os: Os::Windows,
        verdict: "UNKNOWN",
        facts: vec![],
        says: "no source could be read",
        recorded: vec![],
    });

    for row in rows {
        let finding = judge(probe, &row.host, row.os);
        assert_eq!(
            finding.verdict.label(),
            row.verdict,
            "{}: {finding:#?}",
            row.name
        );
        let said = match &finding.verdict {
            Verdict::Unknown { reason } => format!("{reason} | {}", finding.summary),
            _ => finding.summary.clone(),
        };
        assert!(
            said.contains(row.says),
            "{}: `{said}` lacks `{}`",
            row.name,
            row.says
        );
        for (key, want) in &row.facts {
            if let Some(prefix) = key.strip_suffix('*') {
                assert!(
                    finding
                        .facts
                        .iter()
                        .any(|(k, v)| k.starts_with(prefix) && v.contains(want)),
                    "{}: no fact {key} containing `{want}` in {:#?}",
                    row.name,
                    finding.facts
                );
                continue;
            }
            let got = finding
                .facts
                .get(*key)
                .unwrap_or_else(|| panic!("{}: no fact {key} in {:#?}", row.name, finding.facts));
            assert!(
                got.contains(want),
                "{}: fact {key} = `{got}`, wanted `{want}`",
                row.name
            );
        }
        let recorded = sources(&finding);
        for source in &row.recorded {
            assert!(
                recorded.contains(source),
                "{}: {source} not in evidence {recorded:?}",
                row.name
            );
        }
        assert_eq!(
            finding.remediation.is_some(),
            !finding.verdict.is_pass(),
            "{}",
            row.name
        );
    }
}

#[test]
fn quiet_scans_stay_out_of_the_evidence() {
    let finding = judge(probe, &bare_debian(), Os::Linux);
    // They are kept, marked quiet, so a replay of the bundle sees the same machine.
    assert!(
        finding
            .observations
            .iter()
            .any(|o| o.quiet && o.source.contains(".config/google-chrome"))
    );
    let recorded = sources(&finding);
    // The dozen browser directories probed per user are not evidence when nothing is there.
    assert!(
        !recorded
            .iter()
            .any(|s| s.contains(".config/google-chrome") || s.contains("mozilla")),
        "{recorded:?}"
    );
    assert_eq!(
        recorded,
        [DPKG, RPM, FLATPAK, "/snap", "/opt", "/etc/passwd"]
    );
}

#[test]
fn runs_on_this_machine() {
    let policy = Policy::default();
    let redactor = Redactor::new();
    let host = RealHost::new();
    let finding = probe(ProbeRun::new(&host, Os::current(), &policy, &redactor));
    eprintln!(
        "{}: {} | {:#?}",
        finding.verdict, finding.summary, finding.facts
    );
    // Checked independently: a catalogue package dpkg says is installed must make it a pass;
    // without one (and with no person's home holding a hit) it can never be a pass.
    let installed: Vec<&str> = probe_password_manager::catalog::CATALOG
        .iter()
        .flat_map(|p| p.deb.iter().copied())
        .filter(|name| {
            std::process::Command::new("dpkg-query")
                .args(["-W", "-f=${Status}", name])
                .output()
                .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        })
        .collect();
    if !installed.is_empty() {
        assert_eq!(
            finding.verdict,
            Verdict::Pass,
            "{installed:?}: {}",
            finding.summary
        );
    } else if finding.verdict == Verdict::Pass {
        // Found elsewhere: the hit must name a place that exists.
        let hit = &finding.facts["hit.01"];
        assert!(!hit.contains("deb package"), "{hit}");
    } else if let Verdict::Unknown { reason } = &finding.verdict {
        assert!(reason.contains("could not be read"), "{reason}");
    } else {
        assert!(
            finding
                .summary
                .starts_with("No password manager was found in"),
            "{}",
            finding.summary
        );
    }
    let again = rejudge(&finding, probe);
    assert_eq!(
        (&again.verdict, &again.summary),
        (&finding.verdict, &finding.summary)
    );
}
