//! The macOS plan on published real outputs (each fixture's first line says where from).

#![allow(clippy::unwrap_used)]

use devidence_core::fixture::load;
use devidence_core::redact::Redactor;
use devidence_core::{Finding, Os, Policy, ProbeRun, ReplayHost, Verdict};
use probe_auto_updates::macos::{
    LOCAL_PLIST, MANAGED_PLIST, PendingUpdates, Source, effective, parse_pending_updates,
    parse_preferences, pending_updates_command, plist_as_xml_command,
};
use std::collections::BTreeMap;

fn fixture(name: &str) -> String {
    load(format!(
        "{}/tests/fixtures/macos/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap_or_else(|e| panic!("{e}"))
}

const MOJAVE_DOWNLOAD_OFF: &str = "softwareupdate-plist-download-off-mojave-bleedthefreak.xml";
const SCHEDULE_ONLY: &str = "softwareupdate-plist-schedulefrequency-only-nbalonso.xml";
const SU_NONE: &str = "softwareupdate-l-no-update-available-scan-kolide.txt";
const SU_ONE: &str = "softwareupdate-l-update-available-scan-kolide.txt";
const SU_TWO: &str = "softwareupdate-l-multiple-updates-available-noscan-kolide.txt";
const SU_BETA: &str = "softwareupdate-l-beta-update-available-noscan-kolide.txt";
const SU_ERROR: &str = "softwareupdate-l-error-scan-kolide.txt";

/// `plutil` on a file that does not exist (the managed file on a Mac without a profile).
const NO_FILE: &str = "file does not exist or is not readable or is not a regular file";

fn judge(host: &ReplayHost) -> Finding {
    let policy = Policy::default();
    let redactor = Redactor::new();
    probe_auto_updates::probe(ProbeRun::new(host, Os::Macos, &policy, &redactor))
}

fn host(local: &str, pending: &str) -> ReplayHost {
    let mut host = ReplayHost::new();
    host.command(&plist_as_xml_command(LOCAL_PLIST).display(), 0, local);
    host.command_stderr(&plist_as_xml_command(MANAGED_PLIST).display(), 1, NO_FILE);
    host.command(&pending_updates_command().display(), 0, pending);
    host
}

#[test]
fn mojave_preferences_read_as_booleans() {
    let prefs = parse_preferences(&fixture(MOJAVE_DOWNLOAD_OFF)).unwrap();
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
    let prefs = parse_preferences(&fixture(SCHEDULE_ONLY)).unwrap();
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
        parse_pending_updates(&fixture(SU_NONE)),
        Some(PendingUpdates::None)
    );
    assert_eq!(
        parse_pending_updates(&fixture(SU_ONE)),
        Some(PendingUpdates::Some(vec![
            "macOS Ventura 13.3.1-22E261".into()
        ]))
    );
    assert_eq!(
        parse_pending_updates(&fixture(SU_TWO)),
        Some(PendingUpdates::Some(vec![
            "Command Line Tools for Xcode-14.3".into(),
            "macOS Ventura 13.4 Beta-22F5027f".into()
        ]))
    );
    assert_eq!(
        parse_pending_updates(&fixture(SU_BETA)),
        Some(PendingUpdates::Some(vec![
            "macOS Ventura 13.3 Beta 3-22E5236f".into()
        ]))
    );
    assert_eq!(parse_pending_updates(&fixture(SU_ERROR)), None);
}

#[test]
fn plan_fails_when_automatic_download_is_off_and_names_the_toggle() {
    let finding = judge(&host(&fixture(MOJAVE_DOWNLOAD_OFF), &fixture(SU_ONE)));
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
    let finding = judge(&host(&fixture(SCHEDULE_ONLY), &fixture(SU_NONE)));
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
        &fixture(SCHEDULE_ONLY),
    );
    // The managed file's content is this test's; the Mojave file shows the same XML shape.
    host.command(
        &plist_as_xml_command(MANAGED_PLIST).display(),
        0,
        &fixture(MOJAVE_DOWNLOAD_OFF),
    );
    host.command(&pending_updates_command().display(), 0, &fixture(SU_ERROR));
    let finding = judge(&host);
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
    let finding = judge(&ReplayHost::new());
    assert!(
        matches!(finding.verdict, Verdict::Unknown { .. }),
        "{:?}",
        finding.verdict
    );
}
