//! The macOS plan on published real outputs (each fixture's first line says where from).

#![allow(clippy::unwrap_used)]

use devidence_core::{Os, ReplayHost, Verdict};
use devidence_testkit::probe::{Fixtures, judge};
use probe_antivirus::macos::{
    falcon_stats_command, gatekeeper_command, mdatp_health_command, remediator_version_command,
    var_protected_version_command, xprotect_cli_version_command, xprotect_status_command,
    xprotect_version_command,
};
use probe_antivirus::parse::macos::{
    falcon_stats, parse_gatekeeper, parse_xprotect_status, parse_xprotect_version,
};
use probe_antivirus::parse::mdatp::mdatp_health;
use probe_antivirus::probe;

const MACOS: Fixtures = Fixtures::new(env!("CARGO_MANIFEST_DIR"), "macos");

const SPCTL_ON: &str = "spctl-status-enabled-elastic-420.txt";
const SPCTL_OFF: &str = "spctl-status-disabled-elastic-420.txt";
const MDATP_RTP_OFF: &str = "mdatp-health-rtp-not-enabled-microsoft-365-docs-9727.txt";
const MDATP_LEGACY: &str = "mdatp-health-legacy-camelcase-truncated-windows-itpro-docs-8576.txt";
const FALCON: &str = "falconctl-stats-sensor-operational-fleet-2633.txt";
const XPROTECT_VERSION: &str = "xprotect-version-5346-mdmoll-shandalar.txt";
const SCANS_ON: &str = "xprotect-status-both-enabled-constructed.txt";
const LAUNCH_SCANS_OFF: &str = "xprotect-status-launch-disabled-macos-security-594.txt";
const SCANS_OFF: &str = "xprotect-status-both-disabled-mdmoll-shandalar.txt";
const VAR_PROTECTED_ABSENT: &str = "defaults-read-var-protected-plist-absent-constructed.txt";

/// A Mac with only Apple's protection: XProtect's version (the value is this test's, the
/// `spctl` output is the fixture's).
fn built_in_host(spctl: &str) -> ReplayHost {
    let mut host = ReplayHost::new();
    host.command(&gatekeeper_command().display(), 0, &MACOS.text(spctl))
        .command(&xprotect_version_command().display(), 0, "2192\n");
    host
}

#[test]
fn gatekeeper_status_lines_parse() {
    assert_eq!(parse_gatekeeper(&MACOS.text(SPCTL_ON)), Some(true));
    assert_eq!(parse_gatekeeper(&MACOS.text(SPCTL_OFF)), Some(false));
    assert_eq!(parse_gatekeeper("spctl: unknown option\n"), None);
}

#[test]
fn built_in_protection_passes_with_gatekeeper_on() {
    let finding = judge(probe, &built_in_host(SPCTL_ON), Os::Macos);
    assert_eq!(finding.verdict, Verdict::Pass, "{}", finding.summary);
    assert!(
        finding.summary.contains("XProtect definitions 2192"),
        "{}",
        finding.summary
    );
    assert_eq!(
        finding.facts["product.Microsoft Defender for Endpoint"],
        "not installed"
    );
    assert_eq!(finding.facts["gatekeeper.assessments_enabled"], "true");
}

#[test]
fn gatekeeper_off_fails_with_the_command_to_turn_it_back_on() {
    let finding = judge(probe, &built_in_host(SPCTL_OFF), Os::Macos);
    assert_eq!(finding.verdict, Verdict::Fail, "{}", finding.summary);
    assert!(
        finding.summary.contains("Gatekeeper is off"),
        "{}",
        finding.summary
    );
    assert!(
        finding
            .remediation
            .unwrap()
            .contains("spctl --global-enable")
    );
}

#[test]
fn without_an_xprotect_version_the_built_in_state_is_unknown_never_pass() {
    let mut host = ReplayHost::new();
    host.command(&gatekeeper_command().display(), 0, &MACOS.text(SPCTL_ON));
    let finding = judge(probe, &host, Os::Macos);
    let Verdict::Unknown { reason } = &finding.verdict else {
        panic!("{:?}", finding.verdict)
    };
    assert!(
        reason.contains("XProtect version could not be read"),
        "{reason}"
    );
}

#[test]
fn mdatp_text_with_real_time_protection_off_is_not_protecting() {
    let health = mdatp_health(&MACOS.text(MDATP_RTP_OFF)).unwrap();
    assert_eq!(health.real_time_protection, Some(false));
    assert_eq!(health.real_time_protection_available, Some(true));
    let mut host = built_in_host(SPCTL_OFF);
    host.command(
        &mdatp_health_command().display(),
        0,
        &MACOS.text(MDATP_RTP_OFF),
    );
    let finding = judge(probe, &host, Os::Macos);
    assert_eq!(finding.verdict, Verdict::Fail);
    assert!(
        finding.summary.contains("real-time protection is off"),
        "{}",
        finding.summary
    );
}

#[test]
fn legacy_camel_case_mdatp_reads_but_a_cut_output_without_protection_fields_is_unknown() {
    let health = mdatp_health(&MACOS.text(MDATP_LEGACY)).unwrap();
    assert_eq!(health.app_version.as_deref(), Some("101.10.76"));
    assert_eq!(health.definitions_status.as_deref(), Some("up_to_date"));
    assert_eq!(health.real_time_protection, None);
    let mut host = ReplayHost::new();
    host.command(
        &mdatp_health_command().display(),
        0,
        &MACOS.text(MDATP_LEGACY),
    )
    .command(&gatekeeper_command().display(), 0, &MACOS.text(SPCTL_OFF))
    .command(&xprotect_version_command().display(), 0, "2192\n");
    let finding = judge(probe, &host, Os::Macos);
    assert!(
        matches!(finding.verdict, Verdict::Unknown { .. }),
        "Defender unreadable and Gatekeeper off must not pass: {:?}",
        finding.verdict
    );
}

#[test]
fn falcon_sensor_operational_passes_even_with_gatekeeper_off() {
    let stats = falcon_stats(&MACOS.text(FALCON));
    assert_eq!(stats.operational, Some(true));
    assert_eq!(stats.version.as_deref(), Some("7.15.18402.0"));
    assert_eq!(stats.cloud_state.as_deref(), Some("connected"));
    let mut host = built_in_host(SPCTL_OFF);
    host.command(&falcon_stats_command().display(), 0, &MACOS.text(FALCON));
    let finding = judge(probe, &host, Os::Macos);
    assert_eq!(finding.verdict, Verdict::Pass, "{}", finding.summary);
    assert!(
        finding
            .summary
            .contains("CrowdStrike Falcon (sensor operational, cloud connected)")
    );
    assert!(finding.facts["product.Apple XProtect with Gatekeeper"].starts_with("not protecting"));
}

#[test]
fn falcon_denied_is_unreadable() {
    let mut host = built_in_host(SPCTL_OFF);
    host.command(&falcon_stats_command().display(), 1, "");
    let finding = judge(probe, &host, Os::Macos);
    assert!(matches!(finding.verdict, Verdict::Unknown { .. }));
}

#[test]
fn nothing_answering_is_unknown() {
    let finding = judge(probe, &ReplayHost::new(), Os::Macos);
    assert!(
        matches!(finding.verdict, Verdict::Unknown { .. }),
        "{:?}",
        finding.verdict
    );
}

// macOS 15 and later: XProtect's data in /var/protected/xprotect, its own `xprotect` command,
// and XProtect Remediator. `defaults read <Info.plist> CFBundleShortVersionString` prints the
// bare version; the versions are published ones where one exists (5346: the `xprotect version`
// fixture; 5288/5289: macmegasite.com/?p=123841, Sequoia 15.3.1; Remediator 156: Eclectic
// Light's XProtectPayloads_10_15-156 post), else this test's.

/// A macOS 15+ Mac with only Apple's protection: both XProtect bundles, `xprotect version`,
/// `xprotect status` (the fixture `status`), XProtect Remediator and Gatekeeper on.
fn sequoia_host(var_protected: &str, core_services: &str, status: &str) -> ReplayHost {
    let mut host = ReplayHost::new();
    host.command(&gatekeeper_command().display(), 0, &MACOS.text(SPCTL_ON))
        .command(&var_protected_version_command().display(), 0, var_protected)
        .command(&xprotect_version_command().display(), 0, core_services)
        .command(
            &xprotect_cli_version_command().display(),
            0,
            &MACOS.text(XPROTECT_VERSION),
        )
        .command(&xprotect_status_command().display(), 0, &MACOS.text(status))
        .command(&remediator_version_command().display(), 0, "156\n");
    host
}

#[test]
fn xprotect_version_and_status_parse() {
    let v = parse_xprotect_version(&MACOS.text(XPROTECT_VERSION)).unwrap();
    assert_eq!(v.version, "5346");
    assert_eq!(v.installed.as_deref(), Some("2026-05-28 08:53:39 +0000"));
    // The same text with a line break before `Installed:` reads the same.
    let two_lines = MACOS
        .text(XPROTECT_VERSION)
        .replace(" Installed:", "\nInstalled:");
    assert_eq!(parse_xprotect_version(&two_lines), Some(v));
    assert_eq!(parse_xprotect_version("xprotect: unknown command\n"), None);

    let on = parse_xprotect_status(&MACOS.text(SCANS_ON));
    assert_eq!(
        (on.launch_scans, on.background_scans),
        (Some(true), Some(true))
    );
    let launch_off = parse_xprotect_status(&MACOS.text(LAUNCH_SCANS_OFF));
    assert_eq!(
        (launch_off.launch_scans, launch_off.background_scans),
        (Some(false), Some(true))
    );
    let off = parse_xprotect_status(&MACOS.text(SCANS_OFF));
    assert_eq!(
        (off.launch_scans, off.background_scans),
        (Some(false), Some(false))
    );
    assert_eq!(
        parse_xprotect_status("XProtect is running\n").launch_scans,
        None
    );
}

#[test]
fn sequoia_uses_the_var_protected_bundle_newer_than_core_services() {
    let finding = judge(
        probe,
        &sequoia_host("5346\n", "5345\n", SCANS_ON),
        Os::Macos,
    );
    assert_eq!(finding.verdict, Verdict::Pass, "{}", finding.summary);
    assert!(
        finding.summary.contains(
            "XProtect definitions 5346 from /var/protected/xprotect/XProtect.bundle, Gatekeeper assessments enabled, launch and background scans enabled"
        ),
        "{}",
        finding.summary
    );
    let facts = &finding.facts;
    assert_eq!(facts["xprotect.bundle.var_protected"], "5346");
    assert_eq!(facts["xprotect.bundle.core_services"], "5345");
    assert_eq!(facts["xprotect.version"], "5346");
    assert_eq!(
        facts["xprotect.in_use"],
        "/var/protected/xprotect/XProtect.bundle"
    );
    assert_eq!(facts["xprotect.cli.version"], "5346");
    assert_eq!(facts["xprotect.cli.installed"], "2026-05-28 08:53:39 +0000");
    assert_eq!(facts["xprotect.launch_scans"], "enabled");
    assert_eq!(facts["xprotect.background_scans"], "enabled");
    assert_eq!(facts["xprotect_remediator.version"], "156");
}

#[test]
fn sequoia_keeps_the_var_protected_version_in_use_when_software_update_installed_a_newer_one() {
    // macOS 15.3.1 as macmegasite.com/?p=123841 describes it: 5289 in CoreServices, 5288 stuck
    // in /var/protected, which is what XProtect loads.
    let finding = judge(
        probe,
        &sequoia_host("5288\n", "5289\n", SCANS_ON),
        Os::Macos,
    );
    assert_eq!(finding.verdict, Verdict::Pass, "{}", finding.summary);
    assert!(
        finding
            .summary
            .contains("XProtect definitions 5288 from /var/protected")
    );
    assert_eq!(finding.facts["xprotect.version"], "5288");
    assert_eq!(finding.facts["xprotect.bundle.core_services"], "5289");
}

#[test]
fn sonoma_without_var_protected_or_the_xprotect_command_reads_core_services_as_before() {
    let mut host = built_in_host(SPCTL_ON);
    host.command_stderr(
        &var_protected_version_command().display(),
        1,
        &MACOS.text(VAR_PROTECTED_ABSENT),
    )
    .command(&remediator_version_command().display(), 0, "156\n");
    let finding = judge(probe, &host, Os::Macos);
    assert_eq!(finding.verdict, Verdict::Pass, "{}", finding.summary);
    assert!(
        finding.summary.contains(
            "XProtect definitions 2192 from /Library/Apple/System/Library/CoreServices/XProtect.bundle, Gatekeeper assessments enabled)"
        ),
        "{}",
        finding.summary
    );
    let facts = &finding.facts;
    assert!(facts["xprotect.bundle.var_protected"].starts_with("absent"));
    assert_eq!(facts["xprotect.bundle.core_services"], "2192");
    assert_eq!(facts["xprotect.version"], "2192");
    assert_eq!(
        facts["xprotect.in_use"],
        "/Library/Apple/System/Library/CoreServices/XProtect.bundle"
    );
    for key in [
        "xprotect.cli.version",
        "xprotect.launch_scans",
        "xprotect.background_scans",
    ] {
        assert!(
            facts[key].starts_with("absent: /usr/bin/xprotect is not on this Mac"),
            "{key}: {}",
            facts[key]
        );
    }
    assert_eq!(facts["xprotect_remediator.version"], "156");
    // The missing command is asked once (`version`), not again for `status`.
    assert!(
        !finding
            .observations
            .iter()
            .any(|o| o.source == xprotect_status_command().display())
    );
}

#[test]
fn launch_scans_disabled_fails_with_the_daemons_to_load() {
    let finding = judge(
        probe,
        &sequoia_host("5346\n", "5346\n", LAUNCH_SCANS_OFF),
        Os::Macos,
    );
    assert_eq!(finding.verdict, Verdict::Fail, "{}", finding.summary);
    assert!(
        finding
            .summary
            .contains("XProtect launch scans are disabled (`xprotect status`)"),
        "{}",
        finding.summary
    );
    assert!(!finding.summary.contains("background scans are disabled"));
    assert_eq!(finding.facts["xprotect.launch_scans"], "disabled");
    assert_eq!(finding.facts["xprotect.background_scans"], "enabled");
    let remediation = finding.remediation.unwrap();
    assert!(
        remediation.contains("com.apple.XProtect.daemon.scan.plist")
            && remediation.contains("com.apple.XprotectFramework.PluginService.plist"),
        "{remediation}"
    );
}

#[test]
fn both_scans_disabled_fails_naming_both() {
    let finding = judge(
        probe,
        &sequoia_host("5346\n", "5346\n", SCANS_OFF),
        Os::Macos,
    );
    assert_eq!(finding.verdict, Verdict::Fail, "{}", finding.summary);
    assert!(
        finding.summary.contains("launch scans are disabled")
            && finding.summary.contains("background scans are disabled"),
        "{}",
        finding.summary
    );
}

#[test]
fn an_unreadable_xprotect_status_is_unknown_never_pass() {
    let mut host = sequoia_host("5346\n", "5346\n", SCANS_ON);
    host.command_stderr(
        &xprotect_status_command().display(),
        1,
        "xprotect: operation not permitted\n",
    );
    let finding = judge(probe, &host, Os::Macos);
    let Verdict::Unknown { reason } = &finding.verdict else {
        panic!("{:?}", finding.verdict)
    };
    assert!(
        reason.contains("whether XProtect's scans are enabled is unknown"),
        "{reason}"
    );
    assert!(finding.facts["xprotect.launch_scans"].starts_with("unknown: "));
    assert_eq!(finding.facts["xprotect.version"], "5346");
}

#[test]
fn with_neither_bundle_readable_the_xprotect_command_gives_the_version() {
    let mut host = sequoia_host("", "", SCANS_ON);
    host.command_stderr(
        &var_protected_version_command().display(),
        1,
        "defaults: permission denied\n",
    )
    .command_stderr(&xprotect_version_command().display(), 1, "");
    let finding = judge(probe, &host, Os::Macos);
    assert_eq!(finding.verdict, Verdict::Pass, "{}", finding.summary);
    assert!(
        finding
            .summary
            .contains("XProtect definitions 5346 from `xprotect version`")
    );
    assert!(finding.facts["xprotect.bundle.var_protected"].starts_with("unknown: "));
    assert_eq!(finding.facts["xprotect.in_use"], "`xprotect version`");
}

#[test]
fn gatekeeper_off_with_scans_on_still_fails() {
    let mut host = sequoia_host("5346\n", "5346\n", SCANS_ON);
    host.command(&gatekeeper_command().display(), 0, &MACOS.text(SPCTL_OFF));
    let finding = judge(probe, &host, Os::Macos);
    assert_eq!(finding.verdict, Verdict::Fail, "{}", finding.summary);
    assert!(finding.summary.contains("Gatekeeper is off"));
    assert!(!finding.summary.contains("scans are disabled"));
}
