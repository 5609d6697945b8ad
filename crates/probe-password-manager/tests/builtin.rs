//! The browsers' own password managers: always facts, counted only when the policy's
//! `count_browser_password_managers` is on. Firefox on Linux and Windows (saved-login count,
//! `signon.rememberSignons`, enterprise policies), Safari on macOS (`AutoFillPasswords`), and
//! every person named in the facts.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use devidence_core::host::ReplayHost;
use devidence_core::windows::{PROFILE_LIST_KEY, RegData, write_reg_key, write_reg_subkeys};
use devidence_core::{
    Finding, Observation, Os, Outcome, Policy, RegistryRead, SourceKind, UserContext, Verdict,
};
use devidence_testkit::probe::{Fixtures, judge, judge_with_policy, rejudge};
use probe_password_manager::builtin::{SAFARI_PREFERENCES, safari_autofill_command};
use probe_password_manager::probe;

const LINUX: Fixtures = Fixtures::new(env!("CARGO_MANIFEST_DIR"), "linux");

const DPKG: &str = r"dpkg-query -W '-f=${Package}\t${Status}\t${Version}\n'";
const PASSWD: &str =
    "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000:Alice,,,:/home/alice:/bin/bash\n";
const FF_ROOT: &str = "/home/alice/.mozilla/firefox";
const FF_PROFILE: &str = "/home/alice/.mozilla/firefox/d4pq595x.default-esr";
const LOGINS: &str = "firefox-logins-firefox_decrypt-profile-144.json";

fn counting() -> Policy {
    Policy {
        count_browser_password_managers: true,
        ..Policy::default()
    }
}

/// Debian 12 with no password manager, alice with a Firefox profile (legacy root) holding
/// `files` (name → content).
fn debian_with_firefox(files: &[(&str, String)]) -> ReplayHost {
    let mut host = ReplayHost::new();
    host.command(DPKG, 0, &LINUX.text("dpkg-query-list-baseline.txt"));
    host.dir("/opt", &["skills"]);
    host.file("/etc/passwd", PASSWD);
    host.dir("/home/alice", &[".bashrc", ".mozilla"]);
    host.dir(FF_ROOT, &["profiles.ini", "d4pq595x.default-esr"]);
    host.file(
        &format!("{FF_ROOT}/profiles.ini"),
        &LINUX.text("firefox-profiles.ini"),
    );
    let mut names = vec!["times.json"];
    names.extend(files.iter().map(|(n, _)| *n));
    host.dir(FF_PROFILE, &names);
    for (name, text) in files {
        host.file(&format!("{FF_PROFILE}/{name}"), text);
    }
    host
}

fn said(finding: &Finding) -> String {
    match &finding.verdict {
        Verdict::Unknown { reason } => format!("{reason} | {}", finding.summary),
        _ => finding.summary.clone(),
    }
}

#[test]
fn firefox_saved_logins_are_a_fact_and_never_pass_by_default() {
    let host = debian_with_firefox(&[("logins.json", LINUX.text(LOGINS))]);
    let finding = judge(probe, &host, Os::Linux);
    assert_eq!(finding.verdict, Verdict::Fail, "{}", said(&finding));
    assert_eq!(
        finding.facts["builtin.01"],
        "Firefox (user alice, Firefox profile d4pq595x.default-esr): 4 saved logins; password saving on (Firefox's default; signon.rememberSignons not set)"
    );
    assert!(
        finding.summary.contains(
            "Not counted because the policy's count_browser_password_managers is off: Firefox built-in password manager (user alice, Firefox profile d4pq595x.default-esr)"
        ),
        "{}",
        finding.summary
    );
    assert_eq!(finding.facts["hits"], "0");
    // Only the number of logins enters the evidence: no host, no encrypted field.
    let logins = finding
        .observations
        .iter()
        .find(|o| o.source.ends_with("logins.json"))
        .unwrap();
    assert_eq!(logins.stdout, r#"{"savedLogins":4}"#);
    assert!(!finding.facts.values().any(|v| v.contains("github.com")));
    // The evidence judges the same again.
    let again = rejudge(&finding, probe);
    assert_eq!(again.verdict, finding.verdict);
    assert_eq!(again.facts["builtin.01"], finding.facts["builtin.01"]);
}

#[test]
fn with_the_policy_on_firefox_saved_logins_pass() {
    let host = debian_with_firefox(&[("logins.json", LINUX.text(LOGINS))]);
    let finding = judge_with_policy(probe, &host, Os::Linux, &counting());
    assert_eq!(finding.verdict, Verdict::Pass, "{}", said(&finding));
    assert!(
        finding.summary.starts_with(
            "Found Firefox built-in password manager installed in 1 place, first as Firefox built-in password manager: Firefox profile with 4 saved logins, password saving on (Firefox's default; signon.rememberSignons not set) (user alice, Firefox profile d4pq595x.default-esr)."
        ),
        "{}",
        finding.summary
    );
    // Replayed from its own evidence with the same policy, the same verdict.
    let replay = ReplayHost::from_observations(finding.observations.clone());
    let again = judge_with_policy(probe, &replay, Os::Linux, &counting());
    assert_eq!(again.summary, finding.summary);
}

#[test]
fn with_the_policy_on_an_unreadable_policy_folder_is_never_a_pass() {
    let mut host = debian_with_firefox(&[("logins.json", LINUX.text(LOGINS))]);
    // /etc/firefox/policies may hold a policy that turns password saving off.
    host.add(Observation::new(
        SourceKind::Directory,
        "/etc/firefox/policies",
        Outcome::PermissionDenied,
    ));
    let finding = judge_with_policy(probe, &host, Os::Linux, &counting());
    assert_ne!(finding.verdict, Verdict::Pass, "{}", said(&finding));
    assert!(
        finding.facts["firefox.policies"].starts_with("unreadable: /etc/firefox/policies"),
        "{:#?}",
        finding.facts
    );
}

#[test]
fn with_the_policy_on_firefox_is_not_counted_when_saving_is_off_or_nothing_is_saved() {
    let logins = LINUX.text(LOGINS);
    let user_js_off = LINUX.text("firefox-user-js-remember-signons-false.js");
    let prefs_off = "user_pref(\"signon.rememberSignons\", false);\n".to_string();
    let user_js_on = "user_pref(\"signon.rememberSignons\", true);\n".to_string();
    let policies = LINUX.text("firefox-policies-password-manager-disabled-constructed.json");
    struct Row {
        name: &'static str,
        host: ReplayHost,
        verdict: &'static str,
        fact: &'static str,
    }
    let mut with_policy = debian_with_firefox(&[("logins.json", logins.clone())]);
    with_policy.dir("/etc/firefox/policies", &["policies.json"]);
    with_policy.file("/etc/firefox/policies/policies.json", &policies);
    let mut unreadable = debian_with_firefox(&[]);
    unreadable.dir(FF_PROFILE, &["logins.json", "prefs.js"]);
    unreadable.add(Observation::new(
        SourceKind::File,
        format!("{FF_PROFILE}/logins.json"),
        Outcome::PermissionDenied,
    ));
    let rows = [
        Row {
            name: "user.js sets rememberSignons false",
            host: debian_with_firefox(&[("logins.json", logins.clone()), ("user.js", user_js_off)]),
            verdict: "FAIL",
            fact: "4 saved logins; password saving off (signon.rememberSignons false in user.js)",
        },
        Row {
            name: "prefs.js says false, user.js says true: user.js wins",
            host: debian_with_firefox(&[
                ("logins.json", logins.clone()),
                ("prefs.js", prefs_off.clone()),
                ("user.js", user_js_on),
            ]),
            verdict: "PASS",
            fact: "password saving on (signon.rememberSignons true in user.js)",
        },
        Row {
            name: "prefs.js alone sets it false",
            host: debian_with_firefox(&[("logins.json", logins.clone()), ("prefs.js", prefs_off)]),
            verdict: "FAIL",
            fact: "password saving off (signon.rememberSignons false in prefs.js)",
        },
        Row {
            name: "the enterprise policy disables the password manager",
            host: with_policy,
            verdict: "FAIL",
            fact: "password saving off (enterprise policy PasswordManagerEnabled false in /etc/firefox/policies/policies.json)",
        },
        Row {
            name: "no saved login",
            host: debian_with_firefox(&[(
                "logins.json",
                r#"{"nextId":1,"logins":[],"version":3}"#.into(),
            )]),
            verdict: "FAIL",
            fact: "0 saved logins; password saving on",
        },
        Row {
            name: "logins.json unreadable: unknown, never a pass",
            host: unreadable,
            verdict: "UNKNOWN",
            fact: "saved logins unreadable",
        },
    ];
    for row in rows {
        let finding = judge_with_policy(probe, &row.host, Os::Linux, &counting());
        assert_eq!(
            finding.verdict.label(),
            row.verdict,
            "{}: {} {:#?}",
            row.name,
            said(&finding),
            finding.facts
        );
        assert!(
            finding.facts["builtin.01"].contains(row.fact),
            "{}: {}",
            row.name,
            finding.facts["builtin.01"]
        );
    }
}

const SAFARI_PLIST: &str = "com.apple.Safari.plist";

fn ada() -> UserContext {
    UserContext {
        name: "ada".into(),
        uid: 501,
        gid: 20,
        home: "/Users/ada".into(),
    }
}

fn bob() -> UserContext {
    UserContext {
        name: "bob".into(),
        uid: 502,
        gid: 20,
        home: "/Users/bob".into(),
    }
}

/// A Mac with Safari only and two people; `setup` records each one's Safari preferences.
fn mac(setup: impl Fn(&mut ReplayHost, &UserContext)) -> ReplayHost {
    let mut host = ReplayHost::new();
    host.dir("/Applications", &["Safari.app"]);
    host.command(
        &devidence_core::macos::user_accounts_command().display(),
        0,
        "name: ada\nuid: 501\ngid: 20\ndir: /Users/ada\n\nname: bob\nuid: 502\ngid: 20\ndir: /Users/bob\n",
    );
    for user in [ada(), bob()] {
        host.user_dir(&user.name, &user.home, &["Library"]);
        setup(&mut host, &user);
    }
    host
}

fn prefs_dir(user: &UserContext) -> String {
    format!("{}/{SAFARI_PREFERENCES}", user.home)
}

/// `plutil` prints AutoFillPasswords' value for this person.
fn autofill(host: &mut ReplayHost, user: &UserContext, exit: i32, out: &str) {
    let dir = prefs_dir(user);
    host.user_dir(
        &user.name,
        &dir,
        &[SAFARI_PLIST, "com.apple.Safari.SafeBrowsing.plist"],
    );
    let line = safari_autofill_command(user, &format!("{dir}/{SAFARI_PLIST}")).display();
    if exit == 0 {
        host.command_as(&user.name, &line, 0, out);
    } else {
        host.command_as_stderr(&user.name, &line, exit, out);
    }
}

#[test]
fn safari_autofill_counts_only_with_the_policy_on_and_names_each_person() {
    // Ada has AutoFill of passwords on, Bob off.
    let host = mac(|host, user| {
        autofill(
            host,
            user,
            0,
            if user.name == "ada" {
                "true\n"
            } else {
                "false\n"
            },
        )
    });
    let by_default = judge(probe, &host, Os::Macos);
    assert_eq!(by_default.verdict, Verdict::Fail, "{}", said(&by_default));
    assert_eq!(
        by_default.facts["builtin.01"],
        "Safari (user ada, Safari): AutoFill user names and passwords on (AutoFillPasswords true)"
    );
    assert_eq!(
        by_default.facts["builtin.02"],
        "Safari (user bob, Safari): AutoFill user names and passwords off (AutoFillPasswords false)"
    );
    assert_eq!(by_default.facts["source.users"], "ada, bob");
    assert!(by_default.facts.contains_key("user.ada") && by_default.facts.contains_key("user.bob"));
    // The command ran as each person, and printed only the one value.
    let runs: Vec<&Observation> = by_default
        .observations
        .iter()
        .filter(|o| o.source.starts_with("/usr/bin/plutil"))
        .collect();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0].as_user.as_deref(), Some("ada"));
    assert_eq!(runs[1].as_user.as_deref(), Some("bob"));

    let counted = judge_with_policy(probe, &host, Os::Macos, &counting());
    assert_eq!(counted.verdict, Verdict::Pass, "{}", said(&counted));
    assert!(
        counted
            .summary
            .contains("Safari built-in password manager: Safari AutoFill of user names and passwords on (AutoFillPasswords true; the passwords are in the Keychain) (user ada, Safari)"),
        "{}",
        counted.summary
    );

    // Both off: nothing to count.
    let host = mac(|host, user| autofill(host, user, 0, "false\n"));
    let finding = judge_with_policy(probe, &host, Os::Macos, &counting());
    assert_eq!(finding.verdict, Verdict::Fail, "{}", said(&finding));
}

#[test]
fn safari_preferences_unreadable_on_macos_26_are_unknown_never_a_failure_of_the_probe() {
    // macOS 26 refuses the container to processes outside Safari (sametsazak/mergen#19).
    let host = mac(|host, user| {
        host.add({
            let mut obs = Observation::new(
                SourceKind::Directory,
                prefs_dir(user),
                Outcome::PermissionDenied,
            );
            obs.as_user = Some(user.name.clone());
            obs
        });
    });
    let by_default = judge(probe, &host, Os::Macos);
    assert!(
        by_default.facts["builtin.01"].contains("AutoFillPasswords unreadable")
            && by_default.facts["builtin.01"].contains("macOS 26"),
        "{}",
        by_default.facts["builtin.01"]
    );
    // Facts only by default: the verdict does not wait on Safari.
    assert_ne!(by_default.verdict.label(), "PASS", "{}", said(&by_default));
    let counted = judge_with_policy(probe, &host, Os::Macos, &counting());
    assert_eq!(counted.verdict.label(), "UNKNOWN", "{}", said(&counted));
    assert!(
        said(&counted).contains("whether Safari AutoFills passwords for user ada, Safari"),
        "{}",
        said(&counted)
    );

    // The key not set: what Safari does then is not documented, so unknown when counted.
    let host = mac(|host, user| {
        autofill(
            host,
            user,
            1,
            "Could not extract value, error: No value at that key path or invalid key path: AutoFillPasswords\n",
        )
    });
    let counted = judge_with_policy(probe, &host, Os::Macos, &counting());
    assert_eq!(counted.verdict.label(), "UNKNOWN", "{}", said(&counted));
    assert!(counted.facts["builtin.02"].ends_with("AutoFillPasswords not set"));

    // Safari never opened: no preferences, nothing to count, not unknown.
    let host = mac(|_, _| {});
    let counted = judge_with_policy(probe, &host, Os::Macos, &counting());
    assert!(
        counted.facts["builtin.01"].contains("no Safari preferences"),
        "{}",
        counted.facts["builtin.01"]
    );
    assert!(
        !said(&counted).contains("Safari AutoFills"),
        "{}",
        said(&counted)
    );
}

#[test]
fn windows_firefox_profiles_of_every_person_are_named() {
    let people = [
        ("S-1-5-21-1-2-3-1001", "ada"),
        ("S-1-5-21-1-2-3-1002", "bob"),
    ];
    let mut list = String::new();
    for (sid, name) in people {
        write_reg_key(
            &mut list,
            &format!(r"{PROFILE_LIST_KEY}\{sid}"),
            &[(
                "ProfileImagePath".into(),
                RegData::ExpandSz(format!(r"C:\Users\{name}")),
            )],
        );
    }
    let mut hku = String::new();
    write_reg_key(&mut hku, "HKU", &[]);
    write_reg_subkeys(&mut hku, "HKU", &[]);
    let mut host = ReplayHost::new();
    host.registry(&RegistryRead::tree(PROFILE_LIST_KEY), &list)
        .registry(&RegistryRead::key("HKU"), &hku);
    for (_, name) in people {
        let root = format!(r"C:\Users\{name}/AppData/Roaming/Mozilla/Firefox");
        host.user_dir(name, &root, &["profiles.ini", "Profiles"]);
        host.user_file(
            name,
            &format!("{root}/profiles.ini"),
            "[Profile0]\nName=default-release\nIsRelative=1\nPath=Profiles/x1y2z3.default-release\nDefault=1\n",
        );
        let profile = format!("{root}/Profiles/x1y2z3.default-release");
        host.user_dir(name, &profile, &["logins.json", "prefs.js"]);
        host.user_file(
            name,
            &format!("{profile}/logins.json"),
            &if name == "ada" {
                LINUX.text(LOGINS)
            } else {
                r#"{"logins":[]}"#.to_string()
            },
        );
    }
    let finding = judge_with_policy(probe, &host, Os::Windows, &counting());
    assert_eq!(finding.facts["source.users"], "ada, bob");
    assert!(
        finding.facts["builtin.01"].starts_with(
            "Firefox (user ada, Firefox profile x1y2z3.default-release): 4 saved logins"
        ),
        "{:#?}",
        finding.facts
    );
    assert!(
        finding.facts["builtin.02"].starts_with(
            "Firefox (user bob, Firefox profile x1y2z3.default-release): 0 saved logins"
        ),
        "{:#?}",
        finding.facts
    );
    assert!(
        finding.facts["firefox.policies"] == "none set",
        "{}",
        finding.facts["firefox.policies"]
    );
    assert_eq!(finding.verdict, Verdict::Pass, "{}", said(&finding));
    assert!(finding.summary.contains("(user ada, Firefox profile"));
}
