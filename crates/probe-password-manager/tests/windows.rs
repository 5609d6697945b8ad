//! The Windows password-manager plan: installed programs and the browser scan. The
//! installed-programs fixture is a real recording (its first line says where from); the
//! listings with a password manager in them are written here in the shapes the tools print, to
//! test the matching, and are not evidence (see the issue-4 note).

#![allow(clippy::unwrap_used)]

use devidence_core::windows::{RegData, WindowsProfile, write_reg_key, write_reg_subkeys};
use devidence_core::{CommandSpec, Os, RegistryRead, ReplayHost, Verdict};
use devidence_testkit::probe::{Fixtures, judge};
use probe_password_manager::parse::windows::{
    parse_installed_programs, product_for_display_name, uninstall_trees_from_powershell,
};
use probe_password_manager::probe;

const WINDOWS: Fixtures = Fixtures::new(env!("CARGO_MANIFEST_DIR"), "windows");
/// The core crate's Windows fixtures (the published ProfileList recording).
const CORE_WINDOWS: Fixtures =
    Fixtures::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../core"), "windows");

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
    let text = WINDOWS.text(NO_PM);
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
    let finding = judge(probe, &host, Os::Windows);
    assert!(
        matches!(finding.verdict, Verdict::Unknown { .. }),
        "{}",
        finding.summary
    );
    // With the published ProfileList of a machine (whose browsers hold nothing): fail.
    let profiles = CORE_WINDOWS.text("reg-query-profilelist-getsidinfo.txt");
    host.command(
        &CommandSpec::new(
            "reg.exe",
            ["query", devidence_core::windows::PROFILE_LIST_KEY, "/s"],
        )
        .display(),
        0,
        &profiles,
    );
    let finding = judge(probe, &host, Os::Windows);
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
    let finding = judge(probe, &host, Os::Windows);
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

/// Bitwarden's Chrome Web Store ID, and a profile's preferences enabling it, shaped as Chrome
/// writes them today (see the fixture chromium-secure-preferences-m136-shape-constructed.json).
const BITWARDEN: &str = "nngceckbapebfimnlniiiahkandclblb";
fn enabled_prefs() -> String {
    format!(
        r#"{{"google":{{"services":{{"last_username":"ada@example.com"}}}},"extensions":{{"settings":{{"{BITWARDEN}":{{"disable_reasons":[],"location":1,"path":"nngceckbapebfimnlniiiahkandclblb/2025.1.1_0","manifest":{{"version":"2025.4.0"}}}}}}}}}}"#
    )
}

#[test]
fn windows_edge_extensions_count_when_edge_is_an_installed_program() {
    let profiles = CORE_WINDOWS.text("reg-query-profilelist-getsidinfo.txt");
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
    let finding = judge(probe, &host, Os::Windows);
    assert_eq!(finding.verdict, Verdict::Pass, "{:#?}", finding.facts);
    assert!(
        finding.facts["hit.01"].contains("Microsoft Edge installed as installed program"),
        "{}",
        finding.facts["hit.01"]
    );
}
