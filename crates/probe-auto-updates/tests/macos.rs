//! The macOS plan on published real outputs (each fixture's first line says where from).

#![allow(clippy::unwrap_used)]

use devidence_core::{Os, ReplayHost, Verdict};
use devidence_testkit::probe::{Fixtures, judge};
use probe_auto_updates::macos::{
    LOCAL_PLIST, MANAGED_PLIST, pending_updates_command, plist_as_xml_command,
};
use probe_auto_updates::parse::macos::{PendingUpdates, parse_pending_updates, parse_preferences};
use probe_auto_updates::policy::{Source, effective};
use probe_auto_updates::probe;
use std::collections::BTreeMap;

const MACOS: Fixtures = Fixtures::new(env!("CARGO_MANIFEST_DIR"), "macos");

const MOJAVE_DOWNLOAD_OFF: &str = "softwareupdate-plist-download-off-mojave-bleedthefreak.xml";
const SCHEDULE_ONLY: &str = "softwareupdate-plist-schedulefrequency-only-nbalonso.xml";
const SU_NONE: &str = "softwareupdate-l-no-update-available-scan-kolide.txt";
const SU_ONE: &str = "softwareupdate-l-update-available-scan-kolide.txt";
const SU_TWO: &str = "softwareupdate-l-multiple-updates-available-noscan-kolide.txt";
const SU_BETA: &str = "softwareupdate-l-beta-update-available-noscan-kolide.txt";
const SU_ERROR: &str = "softwareupdate-l-error-scan-kolide.txt";

/// `plutil` on a file that does not exist (the managed file on a Mac without a profile).
const NO_FILE: &str = "file does not exist or is not readable or is not a regular file";

fn host(local: &str, pending: &str) -> ReplayHost {
    let mut host = ReplayHost::new();
    host.command(&plist_as_xml_command(LOCAL_PLIST).display(), 0, local);
    host.command_stderr(&plist_as_xml_command(MANAGED_PLIST).display(), 1, NO_FILE);
    host.command(&pending_updates_command().display(), 0, pending);
    host
}

#[test]
fn mojave_preferences_read_as_booleans() {
    let prefs = parse_preferences(&MACOS.text(MOJAVE_DOWNLOAD_OFF)).unwrap();
    let on = |k: &str| prefs.get(k).copied();
    assert_eq!(on("AutomaticCheckEnabled"), Some(true));
    assert_eq!(on("AutomaticDownload"), Some(false));
    assert_eq!(on("AutomaticallyInstallMacOSUpdates"), Some(false));
    assert_eq!(on("CriticalUpdateInstall"), Some(true));
    assert_eq!(on("ConfigDataInstall"), Some(true));
    assert_eq!(on("LastUpdatesAvailable"), None, "4 is a count, not a flag");
}

#[test]
fn absent_keys_fall_back_to_the_macos_default_and_say_so() {
    let prefs = parse_preferences(&MACOS.text(SCHEDULE_ONLY)).unwrap();
    assert!(!prefs.contains_key("AutomaticDownload"));
    let none = BTreeMap::new();
    assert_eq!(
        effective("AutomaticDownload", &none, &prefs),
        (true, Source::Default)
    );
    let managed = BTreeMap::from([("AutomaticDownload".to_string(), false)]);
    assert_eq!(
        effective("AutomaticDownload", &managed, &prefs),
        (false, Source::Managed)
    );
}

#[test]
fn softwareupdate_lists_parse() {
    assert_eq!(
        parse_pending_updates(&MACOS.text(SU_NONE)),
        Some(PendingUpdates::None)
    );
    assert_eq!(
        parse_pending_updates(&MACOS.text(SU_ONE)),
        Some(PendingUpdates::Some(vec![
            "macOS Ventura 13.3.1-22E261".into()
        ]))
    );
    assert_eq!(
        parse_pending_updates(&MACOS.text(SU_TWO)),
        Some(PendingUpdates::Some(vec![
            "Command Line Tools for Xcode-14.3".into(),
            "macOS Ventura 13.4 Beta-22F5027f".into()
        ]))
    );
    assert_eq!(
        parse_pending_updates(&MACOS.text(SU_BETA)),
        Some(PendingUpdates::Some(vec![
            "macOS Ventura 13.3 Beta 3-22E5236f".into()
        ]))
    );
    assert_eq!(parse_pending_updates(&MACOS.text(SU_ERROR)), None);
}

#[test]
fn plan_fails_when_automatic_download_is_off_and_names_the_toggle() {
    let finding = judge(
        probe,
        &host(&MACOS.text(MOJAVE_DOWNLOAD_OFF), &MACOS.text(SU_ONE)),
        Os::Macos,
    );
    assert_eq!(finding.verdict, Verdict::Fail, "{}", finding.summary);
    assert!(
        finding.summary.contains("\"download new updates\" is off"),
        "{}",
        finding.summary
    );
    assert_eq!(
        finding.facts["setting.AutomaticDownload"],
        "off (local preference)"
    );
    assert_eq!(
        finding.facts["pending_updates"],
        "1: macOS Ventura 13.3.1-22E261"
    );
    assert!(finding.remediation.unwrap().contains("Automatic Updates"));
}

#[test]
fn plan_passes_on_macos_defaults_and_records_where_each_value_came_from() {
    let finding = judge(
        probe,
        &host(&MACOS.text(SCHEDULE_ONLY), &MACOS.text(SU_NONE)),
        Os::Macos,
    );
    assert_eq!(finding.verdict, Verdict::Pass, "{}", finding.summary);
    assert_eq!(
        finding.facts["setting.CriticalUpdateInstall"],
        "on (not set: macOS default)"
    );
    assert_eq!(finding.facts["pending_updates"], "none");
}

#[test]
fn a_profile_that_turns_a_toggle_off_fails_over_a_local_on() {
    let mut host = ReplayHost::new();
    host.command(
        &plist_as_xml_command(LOCAL_PLIST).display(),
        0,
        &MACOS.text(SCHEDULE_ONLY),
    );
    // The managed file's content is this test's; the Mojave file shows the same XML shape.
    host.command(
        &plist_as_xml_command(MANAGED_PLIST).display(),
        0,
        &MACOS.text(MOJAVE_DOWNLOAD_OFF),
    );
    host.command(
        &pending_updates_command().display(),
        0,
        &MACOS.text(SU_ERROR),
    );
    let finding = judge(probe, &host, Os::Macos);
    assert_eq!(finding.verdict, Verdict::Fail);
    assert!(
        finding
            .summary
            .contains("a configuration profile turns off"),
        "{}",
        finding.summary
    );
    assert!(finding.facts["pending_updates"].starts_with("unknown:"));
}

#[test]
fn plan_without_plutil_is_unknown() {
    let finding = judge(probe, &ReplayHost::new(), Os::Macos);
    assert!(
        matches!(finding.verdict, Verdict::Unknown { .. }),
        "{:?}",
        finding.verdict
    );
}
