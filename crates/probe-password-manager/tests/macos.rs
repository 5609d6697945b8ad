//! The macOS password-manager plan: app bundles, Spotlight and the browser scan. The listings
//! with a password manager in them are written here in the shapes the tools print, to test
//! the matching, and are not evidence (see the issue-4 note).

#![allow(clippy::unwrap_used)]

use devidence_core::{Os, ReplayHost, Verdict};
use devidence_testkit::probe::judge;
use probe_password_manager::macos::spotlight_command;
use probe_password_manager::parse::macos::product_for_app;
use probe_password_manager::probe;

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
    let finding = judge(probe, &host, Os::Macos);
    assert_eq!(finding.verdict, Verdict::Pass, "{}", finding.summary);
    assert_eq!(finding.facts["products"], "1Password, Bitwarden");
}

#[test]
fn macos_with_nothing_readable_is_unknown() {
    let finding = judge(probe, &ReplayHost::new(), Os::Macos);
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
        judge(probe, &host, Os::Macos)
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
