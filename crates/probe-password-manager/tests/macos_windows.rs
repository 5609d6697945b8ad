//! The macOS and Windows password-manager plans. The Windows installed-programs fixture is a
//! real recording (its first line says where from); the listings with a password manager in
//! them are written here in the shapes the tools print, to test the matching, and are not
//! evidence (see the issue-4 note).

#![allow(clippy::unwrap_used)]

use devidence_core::fixture::load;
use devidence_core::redact::Redactor;
use devidence_core::windows::{RegData, WindowsProfile, write_reg_key, write_reg_subkeys};
use devidence_core::{
    CommandSpec, Finding, Os, Policy, ProbeRun, RegistryRead, ReplayHost, Verdict,
};
use probe_password_manager::macos::{product_for_app, spotlight_command};
use probe_password_manager::windows::{
    parse_installed_programs, product_for_display_name, uninstall_trees_from_powershell,
};

fn judge(host: &ReplayHost, os: Os) -> Finding {
    let policy = Policy::default();
    let redactor = Redactor::new();
    probe_password_manager::probe(ProbeRun::new(host, os, &policy, &redactor))
}

/// Records a program list as older versions recorded it (PowerShell's JSON) in the form this
/// version reads: the Uninstall trees, converted by the crate's own converter.
fn record_programs(host: &mut ReplayHost, json: &str, profiles: &[WindowsProfile]) {
    for (read, text) in uninstall_trees_from_powershell(json, profiles).unwrap() {
        host.registry(&read, &text);
    }
}

const NO_PM: &str = "installed-programs-json-no-password-manager-cnquery.json";

#[test]
fn a_real_program_list_without_a_password_manager_fails_once_read() {
    let text = load(format!(
        "{}/tests/fixtures/windows/{NO_PM}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let programs = parse_installed_programs(&text).unwrap();
    assert!(programs.iter().any(|p| p.name == "VMware Tools"));
    assert!(programs.iter().all(|p| p.user_sid.is_none()));
    assert!(
        programs
            .iter()
            .all(|p| product_for_display_name(&p.name).is_none())
    );
    // Without the user profiles no browser was scanned: unknown, not fail (issue 18).
    let mut host = ReplayHost::new();
    record_programs(&mut host, &text, &[]);
    let finding = judge(&host, Os::Windows);
    assert!(
        matches!(finding.verdict, Verdict::Unknown { .. }),
        "{}",
        finding.summary
    );
    // With the published ProfileList of a machine (whose browsers hold nothing): fail.
    let profiles = load(format!(
        "{}/../core/tests/fixtures/windows/reg-query-profilelist-getsidinfo.txt",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    host.command(
        &CommandSpec::new(
            "reg.exe",
            ["query", devidence_core::windows::PROFILE_LIST_KEY, "/s"],
        )
        .display(),
        0,
        &profiles,
    );
    let finding = judge(&host, Os::Windows);
    assert_eq!(finding.verdict, Verdict::Fail, "{}", finding.summary);
    assert!(finding.facts["source.programs"].starts_with("read ("));
    assert!(finding.remediation.unwrap().contains("vendor's site"));
}

#[test]
fn a_per_user_bitwarden_is_found_and_attributed_to_its_sid() {
    let text = r#"[{"DisplayName":"Bitwarden 2024.6.4","DisplayVersion":"2024.6.4","Publisher":"Bitwarden Inc.","PSPath":"Microsoft.PowerShell.Core\\Registry::HKEY_USERS\\S-1-5-21-1-2-3-1001\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\173a9bac-6f0d-50c4-8202-4744c69d091a"},{"DisplayName":"KeePass Password Safe 2.57","DisplayVersion":"2.57","Publisher":"Dominik Reichl","PSPath":"Microsoft.PowerShell.Core\\Registry::HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\KeePassPasswordSafe2_is1"}]"#;
    let programs = parse_installed_programs(text).unwrap();
    assert_eq!(programs[0].user_sid.as_deref(), Some("S-1-5-21-1-2-3-1001"));
    assert_eq!(
        product_for_display_name(&programs[0].name).unwrap().name,
        "Bitwarden"
    );
    assert_eq!(
        product_for_display_name(&programs[1].name).unwrap().name,
        "KeePass 2"
    );
    // Ada is signed in (her hive is loaded), so her own Uninstall key is read.
    let ada = WindowsProfile {
        sid: "S-1-5-21-1-2-3-1001".into(),
        user: "ada".into(),
        profile_dir: r"C:\Users\ada".into(),
        hive_loaded: true,
    };
    let mut host = ReplayHost::new();
    let mut list = String::new();
    write_reg_key(
        &mut list,
        &format!(r"{}\{}", devidence_core::windows::PROFILE_LIST_KEY, ada.sid),
        &[(
            "ProfileImagePath".into(),
            RegData::ExpandSz(ada.profile_dir.clone()),
        )],
    );
    let mut hku = String::new();
    write_reg_key(&mut hku, "HKU", &[]);
    write_reg_subkeys(&mut hku, "HKU", std::slice::from_ref(&ada.sid));
    host.registry(
        &RegistryRead::tree(devidence_core::windows::PROFILE_LIST_KEY),
        &list,
    )
    .registry(&RegistryRead::key("HKU"), &hku);
    record_programs(&mut host, text, &[ada]);
    let finding = judge(&host, Os::Windows);
    assert_eq!(finding.verdict, Verdict::Pass, "{}", finding.summary);
    // Her SID is in the profile list now, so the hit names her.
    let hits: Vec<&String> = finding
        .facts
        .iter()
        .filter(|(k, _)| k.starts_with("hit."))
        .map(|(_, v)| v)
        .collect();
    assert!(
        hits.iter()
            .any(|h| h.starts_with("Bitwarden") && h.contains("user ada")),
        "{hits:?}"
    );
}

#[test]
fn macos_apps_match_by_bundle_name_and_spotlight_by_identifier() {
    assert_eq!(
        product_for_app("1Password 7.app").unwrap().name,
        "1Password"
    );
    assert_eq!(product_for_app("keepassxc.app").unwrap().name, "KeePassXC");
    assert!(product_for_app("Safari.app").is_none());
    let mut host = ReplayHost::new();
    host.dir("/Applications", &["Safari.app", "Bitwarden.app"]);
    host.command(
        &spotlight_command(&["com.1password.1password", "com.agilebits.onepassword7"]).display(),
        0,
        "/Users/ada/Downloads/1Password.app\n",
    );
    let finding = judge(&host, Os::Macos);
    assert_eq!(finding.verdict, Verdict::Pass, "{}", finding.summary);
    assert_eq!(finding.facts["products"], "1Password, Bitwarden");
}

#[test]
fn macos_with_nothing_readable_is_unknown() {
    let finding = judge(&ReplayHost::new(), Os::Macos);
    // /Applications missing counts as read-empty on a replay; nothing else answered, so it
    // fails only because every source that exists was read. Spotlight's absence is recorded.
    assert!(matches!(
        finding.verdict,
        Verdict::Fail | Verdict::Unknown { .. }
    ));
    assert!(finding.facts.contains_key("spotlight.1Password"));
}

/// Bitwarden's Chrome Web Store ID, and a profile's preferences enabling it, shaped as Chrome
/// writes them today (see the fixture chromium-secure-preferences-m136-shape-constructed.json).
const BITWARDEN: &str = "nngceckbapebfimnlniiiahkandclblb";
fn enabled_prefs() -> String {
    format!(
        r#"{{"google":{{"services":{{"last_username":"ada@example.com"}}}},"extensions":{{"settings":{{"{BITWARDEN}":{{"disable_reasons":[],"location":1,"path":"nngceckbapebfimnlniiiahkandclblb/2025.1.1_0","manifest":{{"version":"2025.4.0"}}}}}}}}}}"#
    )
}

#[test]
fn macos_chrome_extensions_count_only_in_an_installed_chrome_and_keep_no_personal_data() {
    let chrome = "/Users/ada/Library/Application Support/Google/Chrome";
    let scenario = |chrome_installed: bool| {
        let mut host = ReplayHost::new();
        let mut apps = vec!["Safari.app"];
        if chrome_installed {
            apps.push("Google Chrome.app");
        }
        host.dir("/Applications", &apps);
        host.command(
            &devidence_core::macos::user_accounts_command().display(),
            0,
            "name: ada\nuid: 501\ngid: 20\ndir: /Users/ada\n",
        );
        host.user_dir("ada", "/Users/ada", &["Library"]);
        host.user_dir("ada", chrome, &["Default", "Local State"]);
        host.user_dir("ada", &format!("{chrome}/Default/Extensions"), &[BITWARDEN]);
        host.user_file(
            "ada",
            &format!("{chrome}/Default/Secure Preferences"),
            &enabled_prefs(),
        );
        judge(&host, Os::Macos)
    };
    let finding = scenario(true);
    assert_eq!(finding.verdict, Verdict::Pass, "{:#?}", finding.facts);
    assert!(
        finding.facts["hit.01"]
            .contains("Google Chrome installed as /Applications/Google Chrome.app"),
        "{}",
        finding.facts["hit.01"]
    );
    let prefs = finding
        .observations
        .iter()
        .find(|o| o.source.ends_with("Secure Preferences"))
        .unwrap();
    assert_eq!(prefs.as_user.as_deref(), Some("ada"));
    assert!(prefs.stdout.contains(BITWARDEN) && !prefs.stdout.contains("ada@example.com"));

    let finding = scenario(false);
    assert_eq!(finding.verdict, Verdict::Fail, "{:#?}", finding.facts);
    assert!(finding.facts["not_counted.01"].contains("Google Chrome is not installed"));
}

#[test]
fn windows_edge_extensions_count_when_edge_is_an_installed_program() {
    let profiles = load(format!(
        "{}/../core/tests/fixtures/windows/reg-query-profilelist-getsidinfo.txt",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let edge = r"C:\Users\T2/AppData/Local/Microsoft/Edge/User Data";
    let mut host = ReplayHost::new();
    host.command(
        &CommandSpec::new(
            "reg.exe",
            ["query", devidence_core::windows::PROFILE_LIST_KEY, "/s"],
        )
        .display(),
        0,
        &profiles,
    );
    record_programs(
        &mut host,
        r#"[{"DisplayName":"Microsoft Edge","DisplayVersion":"142.0.3595.53","Publisher":"Microsoft Corporation","PSPath":"Microsoft.PowerShell.Core\\Registry::HKEY_LOCAL_MACHINE\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\Microsoft Edge"}]"#,
        &[],
    );
    host.user_dir("T2", edge, &["Default"]);
    host.user_dir("T2", &format!("{edge}/Default/Extensions"), &[BITWARDEN]);
    host.user_file(
        "T2",
        &format!("{edge}/Default/Secure Preferences"),
        &enabled_prefs(),
    );
    let finding = judge(&host, Os::Windows);
    assert_eq!(finding.verdict, Verdict::Pass, "{:#?}", finding.facts);
    assert!(
        finding.facts["hit.01"].contains("Microsoft Edge installed as installed program"),
        "{}",
        finding.facts["hit.01"]
    );
}
