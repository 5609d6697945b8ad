//! The macOS plan on published real outputs (each fixture's first line says where from).

#![allow(clippy::unwrap_used)]

use devidence_core::{Os, ReplayHost, Verdict};
use devidence_testkit::probe::{Fixtures, judge};
use probe_antivirus::macos::{
    falcon_stats_command, gatekeeper_command, mdatp_health_command, xprotect_version_command,
};
use probe_antivirus::parse::macos::{falcon_stats, parse_gatekeeper};
use probe_antivirus::parse::mdatp::mdatp_health;
use probe_antivirus::probe;

const MACOS: Fixtures = Fixtures::new(env!("CARGO_MANIFEST_DIR"), "macos");

const SPCTL_ON: &str = "spctl-status-enabled-elastic-420.txt";
const SPCTL_OFF: &str = "spctl-status-disabled-elastic-420.txt";
const MDATP_RTP_OFF: &str = "mdatp-health-rtp-not-enabled-microsoft-365-docs-9727.txt";
const MDATP_LEGACY: &str = "mdatp-health-legacy-camelcase-truncated-windows-itpro-docs-8576.txt";
const FALCON: &str = "falconctl-stats-sensor-operational-fleet-2633.txt";

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
