//! The macOS plan on published real outputs (each fixture's first line says where from).

#![allow(clippy::unwrap_used)]

use devidence_core::{Finding, Os, ReplayHost, Verdict};
use devidence_testkit::probe::{Fixtures, judge, rejudge};
use probe_auto_updates::macos::{
    DDM_STATE_DIR, DDM_STATE_FILE, DDM_STATE_PLIST, LOCAL_PLIST, MANAGED_PLIST,
    pending_updates_command, plist_as_xml_command, product_version_command,
};
use probe_auto_updates::parse::macos::{
    PendingUpdates, declaration_action, parse_ddm_state, parse_declaration, parse_pending_updates,
    parse_preferences, parse_product_version,
};
use probe_auto_updates::policy::{Layers, LegacyProfile, Source, effective};
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
const DDM_NONE: &str = "ddm-state-no-declaration-sonoma-sudoade.txt";
const DDM_ON: &str = "ddm-state-alwayson-constructed.xml";
const DDM_OFF: &str = "ddm-state-security-alwaysoff-constructed.xml";
const DECLARATION: &str = "ddm-declaration-apple-example-constructed.json";

/// `plutil` on a file that does not exist (the managed file on a Mac without a profile).
const NO_FILE: &str = "file does not exist or is not readable or is not a regular file";

/// A Mac with no DDM state file (`plutil` fails, the folder does not list it), the local
/// preferences `local` (`None`: no file), no profile, and `softwareupdate -l` printing `pending`.
/// `sw_vers -productVersion` prints the bare version (`15.1`); `version` is that text.
fn mac(version: &str, local: Option<&str>, pending: &str) -> ReplayHost {
    let mut host = ReplayHost::new();
    host.command(&product_version_command().display(), 0, version);
    host.command_stderr(&plist_as_xml_command(DDM_STATE_PLIST).display(), 1, NO_FILE);
    host.dir(DDM_STATE_DIR, &["SoftwareUpdateCatalog.plist"]);
    match local {
        Some(text) => host.command(&plist_as_xml_command(LOCAL_PLIST).display(), 0, text),
        None => host.command_stderr(&plist_as_xml_command(LOCAL_PLIST).display(), 1, NO_FILE),
    };
    host.command_stderr(&plist_as_xml_command(MANAGED_PLIST).display(), 1, NO_FILE);
    host.command(&pending_updates_command().display(), 0, pending);
    host
}

fn host(local: &str, pending: &str) -> ReplayHost {
    mac("15.1\n", Some(local), pending)
}

/// `host` with the DDM state file printing `ddm`.
fn with_ddm(mut host: ReplayHost, ddm: &str) -> ReplayHost {
    host.command(&plist_as_xml_command(DDM_STATE_PLIST).display(), 0, ddm);
    host
}

/// `host` with a `com.apple.SoftwareUpdate` profile whose managed preferences print `managed`.
fn with_profile(mut host: ReplayHost, managed: &str) -> ReplayHost {
    host.command(&plist_as_xml_command(MANAGED_PLIST).display(), 0, managed);
    host
}

/// Judges on `host` as a Mac and checks a replay of the evidence reaches the same verdict.
fn judged(host: &ReplayHost) -> Finding {
    let finding = judge(probe, host, Os::Macos);
    assert_eq!(rejudge(&finding, probe).verdict, finding.verdict);
    finding
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
    let layers = Layers {
        declared: Ok(&none),
        managed: &none,
        local: &prefs,
        profile: LegacyProfile::Honoured,
    };
    assert_eq!(
        effective("AutomaticDownload", &layers),
        Ok((true, Source::Default))
    );
    let managed = BTreeMap::from([("AutomaticDownload".to_string(), false)]);
    let layers = Layers {
        managed: &managed,
        ..layers
    };
    assert_eq!(
        effective("AutomaticDownload", &layers),
        Ok((false, Source::Managed))
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
    assert_eq!(finding.facts["macos_version"], "15.1");
    assert!(
        finding.facts["ddm.softwareupdate_settings"].starts_with("none: "),
        "{}",
        finding.facts["ddm.softwareupdate_settings"]
    );
}

#[test]
fn a_profile_that_turns_a_toggle_off_fails_over_a_local_on() {
    // The managed file's content is this test's; the Mojave file shows the same XML shape.
    let host = with_profile(
        host(&MACOS.text(SCHEDULE_ONLY), &MACOS.text(SU_ERROR)),
        &MACOS.text(MOJAVE_DOWNLOAD_OFF),
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

// ---- DDM: `com.apple.configuration.softwareupdate.settings` (macOS 15+) ----

#[test]
fn the_persisted_state_and_apples_declaration_example_give_the_same_values() {
    let persisted = parse_ddm_state(&MACOS.text(DDM_ON)).unwrap();
    let on = BTreeMap::from([
        ("automaticallyDownload".to_string(), true),
        ("automaticallyInstallOSUpdates".to_string(), true),
        (
            "automaticallyInstallSystemAndSecurityUpdates".to_string(),
            true,
        ),
    ]);
    assert_eq!(persisted, on);
    assert_eq!(parse_declaration(&MACOS.text(DECLARATION)).unwrap(), on);
    let off = parse_ddm_state(&MACOS.text(DDM_OFF)).unwrap();
    assert_eq!(
        off.get("automaticallyInstallSystemAndSecurityUpdates"),
        Some(&false)
    );
    assert_eq!(
        off.get("automaticallyDownload"),
        None,
        "Allowed is stored as no key"
    );
    // A Sonoma Mac with no declaration: the file exists, nothing is enforced.
    assert!(parse_ddm_state(&MACOS.text(DDM_NONE)).unwrap().is_empty());
    assert_eq!(declaration_action("Allowed"), Ok(None));
    assert_eq!(declaration_action("AlwaysOff"), Ok(Some(false)));
    assert!(declaration_action("Always").is_err());
    assert!(parse_ddm_state("<plist version=\"1.0\"><array/></plist>").is_err());
    let odd = MACOS
        .text(DDM_ON)
        .replacen("<integer>1</integer>", "<integer>7</integer>", 1);
    assert!(
        parse_ddm_state(&odd)
            .unwrap_err()
            .contains("automaticallyDownload")
    );
}

#[test]
fn sw_vers_versions_parse() {
    assert_eq!(parse_product_version("15.1\n"), Some((15, 1)));
    assert_eq!(parse_product_version("26.0.1\n"), Some((26, 0)));
    assert_eq!(parse_product_version("26\n"), Some((26, 0)));
    assert_eq!(
        parse_product_version(
            "ProductName:\t\tmacOS\nProductVersion:\t\t26.6.2\nBuildVersion:\t\t25G83\n"
        ),
        Some((26, 6))
    );
    assert_eq!(parse_product_version("sw_vers: unknown option"), None);
}

#[test]
fn ddm_always_on_passes_with_no_legacy_preferences_at_all() {
    let host = with_ddm(
        mac("15.1\n", None, &MACOS.text(SU_NONE)),
        &MACOS.text(DDM_ON),
    );
    let finding = judged(&host);
    assert_eq!(finding.verdict, Verdict::Pass, "{}", finding.summary);
    assert!(
        finding
            .summary
            .contains("DDM software update declaration enforces"),
        "{}",
        finding.summary
    );
    assert_eq!(
        finding.facts["setting.AutomaticDownload"],
        "on (DDM declaration)"
    );
    assert_eq!(
        finding.facts["setting.CriticalUpdateInstall"],
        "on (DDM declaration)"
    );
    assert_eq!(
        finding.facts["setting.AutomaticallyInstallMacOSUpdates"],
        "on (DDM declaration)"
    );
    // No declaration key sets these two: the macOS default decides.
    assert_eq!(
        finding.facts["setting.AutomaticCheckEnabled"],
        "on (not set: macOS default)"
    );
    assert_eq!(
        finding.facts["setting.ConfigDataInstall"],
        "on (not set: macOS default)"
    );
    assert!(
        finding.facts["ddm.softwareupdate_settings"].contains("automaticallyDownload=1 (AlwaysOn)")
    );
    assert!(!finding.facts.contains_key("managed_profile"));
}

#[test]
fn ddm_always_on_beats_a_local_toggle_that_is_off() {
    let host = with_ddm(
        host(&MACOS.text(MOJAVE_DOWNLOAD_OFF), &MACOS.text(SU_ONE)),
        &MACOS.text(DDM_ON),
    );
    let finding = judged(&host);
    assert_eq!(finding.verdict, Verdict::Pass, "{}", finding.summary);
    assert_eq!(
        finding.facts["setting.AutomaticDownload"],
        "on (DDM declaration)"
    );
}

#[test]
fn ddm_always_off_fails_over_a_profile_that_turns_security_updates_on() {
    // The Mojave file as the profile: CriticalUpdateInstall true (and AutomaticDownload false).
    let host = with_profile(
        with_ddm(
            host(&MACOS.text(SCHEDULE_ONLY), &MACOS.text(SU_NONE)),
            &MACOS.text(DDM_OFF),
        ),
        &MACOS.text(MOJAVE_DOWNLOAD_OFF),
    );
    let finding = judged(&host);
    assert_eq!(finding.verdict, Verdict::Fail, "{}", finding.summary);
    assert!(
        finding.summary.contains(
            "the Mac's DDM software update declaration turns off \"install Security Responses and system files\" (CriticalUpdateInstall)"
        ),
        "{}",
        finding.summary
    );
    assert_eq!(
        finding.facts["setting.CriticalUpdateInstall"],
        "off (DDM declaration)"
    );
    // Download is Allowed in the declaration, so the profile's off still decides it.
    assert_eq!(
        finding.facts["setting.AutomaticDownload"],
        "off (configuration profile)"
    );
    let remedy = finding.remediation.unwrap();
    assert!(
        remedy.contains("AutomaticActions > InstallSecurityUpdate to AlwaysOn"),
        "{remedy}"
    );
    assert!(
        remedy.contains("com.apple.configuration.softwareupdate.settings"),
        "{remedy}"
    );
}

#[test]
fn a_mac_without_a_declaration_keeps_the_preferences_rules() {
    // The state file exists (Sonoma, nothing declared): the local Mojave values decide.
    let host = with_ddm(
        host(&MACOS.text(MOJAVE_DOWNLOAD_OFF), &MACOS.text(SU_NONE)),
        &MACOS.text(DDM_NONE),
    );
    let finding = judged(&host);
    assert_eq!(finding.verdict, Verdict::Fail, "{}", finding.summary);
    assert!(
        finding.summary.contains("\"download new updates\" is off"),
        "{}",
        finding.summary
    );
    assert!(
        finding.facts["ddm.softwareupdate_settings"]
            .starts_with("no software update settings declared")
    );
    // No state file and no folder at all: the same.
    let mut bare = mac(
        "14.2.1\n",
        Some(&MACOS.text(SCHEDULE_ONLY)),
        &MACOS.text(SU_NONE),
    );
    bare.add(devidence_core::Observation::new(
        devidence_core::SourceKind::Directory,
        DDM_STATE_DIR,
        devidence_core::Outcome::NotFound,
    ));
    let finding = judged(&bare);
    assert_eq!(finding.verdict, Verdict::Pass, "{}", finding.summary);
    assert!(finding.facts["ddm.softwareupdate_settings"].starts_with("none: "));
}

#[test]
fn an_unreadable_ddm_state_is_unknown_never_a_pass() {
    // plutil says "does not exist or is not readable", and the folder lists the file.
    let mut host = host(&MACOS.text(SCHEDULE_ONLY), &MACOS.text(SU_NONE));
    host.dir(
        DDM_STATE_DIR,
        &[DDM_STATE_FILE, "SoftwareUpdateCatalog.plist"],
    );
    let finding = judged(&host);
    let Verdict::Unknown { reason } = &finding.verdict else {
        panic!("{:?}: {}", finding.verdict, finding.summary);
    };
    assert!(
        reason.contains("exists but plutil could not read it"),
        "{reason}"
    );
    assert!(finding.facts["ddm.softwareupdate_settings"].starts_with("unreadable: "));
    assert!(finding.facts["setting.AutomaticDownload"].starts_with("unknown: "));
    // ConfigDataInstall has no DDM counterpart: still decided.
    assert_eq!(
        finding.facts["setting.ConfigDataInstall"],
        "on (not set: macOS default)"
    );
    assert!(finding.remediation.unwrap().contains("root"));

    // The folder refused: unknown as well.
    let mut host = mac("15.1\n", None, &MACOS.text(SU_NONE));
    host.add(devidence_core::Observation::new(
        devidence_core::SourceKind::Directory,
        DDM_STATE_DIR,
        devidence_core::Outcome::PermissionDenied,
    ));
    assert!(matches!(judged(&host).verdict, Verdict::Unknown { .. }));

    // Unreadable DDM cannot hide a toggle the declaration cannot set: still a fail.
    let no_config_data = MACOS.text(SCHEDULE_ONLY).replace(
        "<dict>",
        "<dict>\n\t<key>ConfigDataInstall</key>\n\t<false/>",
    );
    let mut host = host_with(&no_config_data);
    host.dir(DDM_STATE_DIR, &[DDM_STATE_FILE]);
    let finding = judged(&host);
    assert_eq!(finding.verdict, Verdict::Fail, "{}", finding.summary);
    assert!(
        finding.summary.contains("(ConfigDataInstall)"),
        "{}",
        finding.summary
    );
}

fn host_with(local: &str) -> ReplayHost {
    host(local, &MACOS.text(SU_NONE))
}

#[test]
fn macos_26_still_applies_the_deprecated_profile_and_says_so() {
    let host = with_profile(
        mac(
            "26.1\n",
            Some(&MACOS.text(SCHEDULE_ONLY)),
            &MACOS.text(SU_NONE),
        ),
        &MACOS.text(MOJAVE_DOWNLOAD_OFF),
    );
    let finding = judged(&host);
    assert_eq!(finding.verdict, Verdict::Fail, "{}", finding.summary);
    assert!(
        finding
            .summary
            .contains("a configuration profile turns off \"download new updates\""),
        "{}",
        finding.summary
    );
    assert_eq!(finding.facts["macos_version"], "26.1");
    assert!(finding.facts["managed_profile"].contains("deprecated in macOS 26"));
    assert!(
        finding
            .remediation
            .unwrap()
            .contains("com.apple.configuration.softwareupdate.settings")
    );
}

#[test]
fn after_macos_26_a_stale_profile_that_disagrees_is_unknown_and_ddm_still_decides() {
    let stale = || {
        with_profile(
            mac(
                "27.0\n",
                Some(&MACOS.text(SCHEDULE_ONLY)),
                &MACOS.text(SU_NONE),
            ),
            &MACOS.text(MOJAVE_DOWNLOAD_OFF),
        )
    };
    let finding = judged(&stale());
    let Verdict::Unknown { reason } = &finding.verdict else {
        panic!("{:?}: {}", finding.verdict, finding.summary);
    };
    assert!(reason.contains("AutomaticDownload off"), "{reason}");
    assert!(
        reason.contains("removed that profile after macOS 26"),
        "{reason}"
    );
    assert!(finding.facts["managed_profile"].contains("removed after macOS 26, not counted"));
    // Where the profile agrees with what decides, it changes nothing.
    assert_eq!(
        finding.facts["setting.CriticalUpdateInstall"],
        "on (not set: macOS default)"
    );
    assert!(
        finding
            .remediation
            .unwrap()
            .contains("remove the com.apple.SoftwareUpdate configuration profile")
    );
    // A declaration settles it.
    let finding = judged(&with_ddm(stale(), &MACOS.text(DDM_ON)));
    assert_eq!(finding.verdict, Verdict::Pass, "{}", finding.summary);
}

#[test]
fn an_unreadable_macos_version_counts_the_profile_only_where_it_agrees() {
    let mut host = with_profile(
        host(&MACOS.text(SCHEDULE_ONLY), &MACOS.text(SU_NONE)),
        &MACOS.text(MOJAVE_DOWNLOAD_OFF),
    );
    host.add(devidence_core::Observation::new(
        devidence_core::SourceKind::Command,
        product_version_command().display(),
        devidence_core::Outcome::NotFound,
    ));
    let finding = judged(&host);
    assert!(finding.facts["macos_version"].starts_with("unknown: "));
    // The profile turns AutomaticDownload off and nothing else does: on macOS 27 it would not
    // apply, so which one applies cannot be told.
    let Verdict::Unknown { reason } = &finding.verdict else {
        panic!("expected unknown: {}", finding.summary);
    };
    assert!(
        reason.contains("AutomaticDownload") && reason.contains("macOS version could not be read"),
        "{reason}"
    );
    assert!(finding.facts["managed_profile"].contains("counted only where it agrees"));
}
