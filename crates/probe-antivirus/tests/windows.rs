//! The Windows plan on published real outputs (each fixture's first line says where from).

#![allow(clippy::unwrap_used)]

use devidence_core::{Observation, Os, Outcome, ReplayHost, SourceKind, Verdict, WmiQuery};
use devidence_testkit::probe::{Fixtures, judge};
use probe_antivirus::parse::windows::{
    DefenderStatus, decode_product_state, parse_defender_status, parse_security_center,
};
use probe_antivirus::policy::{ProductState, conclude_defender};
use probe_antivirus::probe;
use probe_antivirus::windows::{defender_status_query, security_center_query};

const WINDOWS: Fixtures = Fixtures::new(env!("CARGO_MANIFEST_DIR"), "windows");

const MP_NORMAL: &str = "get-mpcomputerstatus-normal-windows-powershell-docs.txt";
const MP_SERVER_CUT: &str = "msft-mpcomputerstatus-wmic-server2022-truncated-glpi-agent-565.txt";
const SC_SERVER_FR: &str = "securitycenter2-invalid-namespace-server-french-glpi-agent-565.txt";
const SC_DEFENDER: &str = "securitycenter2-antivirusproduct-defender-json-cnquery.txt";

/// A WMI query that failed (the provider answered with an error).
fn failed_wmi(query: WmiQuery) -> Observation {
    Observation::new(
        SourceKind::Wmi,
        query.display(),
        Outcome::Failed {
            message: "WMI answered HRESULT 0x80041001".into(),
        },
    )
}

#[test]
fn product_state_numbers_decode_as_documented() {
    let defender_on = decode_product_state(397_568); // 0x61100, from the cnquery recording
    assert!(defender_on.on && defender_on.up_to_date && defender_on.microsoft);
    let defender_off = decode_product_state(393_472); // 0x60100
    assert!(!defender_off.on && defender_off.microsoft);
    let third_party_on = decode_product_state(266_240); // 0x41000
    assert!(third_party_on.on && third_party_on.up_to_date && !third_party_on.microsoft);
    let out_of_date = decode_product_state(266_256); // 0x41010
    assert!(out_of_date.on && !out_of_date.up_to_date);
}

#[test]
fn docs_get_mpcomputerstatus_is_normal_mode_and_protecting() {
    let status = parse_defender_status(&WINDOWS.text(MP_NORMAL)).unwrap();
    assert_eq!(status.running_mode.as_deref(), Some("Normal"));
    assert_eq!(status.real_time_protection, Some(true));
    assert_eq!(status.antivirus_enabled, Some(true));
    assert_eq!(status.signature_age_days, Some(0));
    assert_eq!(status.product_version.as_deref(), Some("4.3.9463.0"));
    assert!(matches!(
        conclude_defender(&status, 7),
        ProductState::Protecting(_)
    ));
}

#[test]
fn wmic_list_of_the_same_class_reads_but_a_cut_output_is_unreadable() {
    let status = parse_defender_status(&WINDOWS.text(MP_SERVER_CUT)).unwrap();
    assert_eq!(status.running_mode.as_deref(), Some("Normal"));
    assert_eq!(status.service_enabled, Some(true));
    assert_eq!(status.signature_age_days, Some(2));
    assert_eq!(status.real_time_protection, None, "cut before the field");
    assert!(matches!(
        conclude_defender(&status, 7),
        ProductState::Unreadable(_)
    ));
}

#[test]
fn security_center_json_lists_defender_on_and_up_to_date() {
    let products = parse_security_center(&WINDOWS.text(SC_DEFENDER)).unwrap();
    assert_eq!(products.len(), 1);
    assert_eq!(products[0].name, "Windows Defender");
    assert_eq!(products[0].state, 397_568);
}

#[test]
fn security_center_missing_on_a_french_server_is_an_error_not_an_empty_list() {
    let err = parse_security_center(&WINDOWS.text(SC_SERVER_FR)).unwrap_err();
    assert!(err.contains("Espace de noms non valide"), "{err}");
    assert!(err.contains("Windows Server"), "{err}");
}

#[test]
fn passive_defender_does_not_protect_even_if_security_center_says_on() {
    let passive = DefenderStatus {
        running_mode: Some("Passive Mode".into()),
        real_time_protection: Some(true),
        antivirus_enabled: Some(true),
        service_enabled: Some(true),
        signature_age_days: Some(0),
        ..DefenderStatus::default()
    };
    assert!(matches!(
        conclude_defender(&passive, 7),
        ProductState::NotProtecting(_)
    ));
}

#[test]
fn stale_signatures_fail_against_the_policy_limit() {
    let mut status = parse_defender_status(&WINDOWS.text(MP_NORMAL)).unwrap();
    status.signature_age_days = Some(30);
    let ProductState::NotProtecting(why) = conclude_defender(&status, 7) else {
        panic!()
    };
    assert!(why.contains("30 days old"), "{why}");
}

#[test]
fn plan_passes_on_a_desktop_where_both_sources_agree() {
    let mut host = ReplayHost::new();
    host.wmi(&security_center_query(), &WINDOWS.text(SC_DEFENDER))
        .wmi(&defender_status_query(), &WINDOWS.text(MP_NORMAL));
    let finding = judge(probe, &host, Os::Windows);
    assert_eq!(finding.verdict, Verdict::Pass, "{}", finding.summary);
    assert!(
        finding
            .summary
            .contains("Microsoft Defender Antivirus (Normal mode")
    );
    assert!(
        finding.facts["security_center.Windows Defender"].contains("on, signatures up to date")
    );
    assert_eq!(
        finding.facts["product.Third-party antivirus (Security Center)"],
        "not installed"
    );
}

#[test]
fn plan_on_a_server_lets_defender_decide_when_security_center_is_missing() {
    let mut host = ReplayHost::new();
    host.wmi(&security_center_query(), &WINDOWS.text(SC_SERVER_FR))
        .wmi(&defender_status_query(), &WINDOWS.text(MP_NORMAL));
    let finding = judge(probe, &host, Os::Windows);
    assert_eq!(finding.verdict, Verdict::Pass, "{}", finding.summary);
    assert!(finding.facts["security_center"].starts_with("unknown:"));
}

#[test]
fn plan_on_a_server_with_a_cut_defender_output_is_unknown() {
    let mut host = ReplayHost::new();
    host.add(failed_wmi(security_center_query()))
        .wmi(&defender_status_query(), &WINDOWS.text(MP_SERVER_CUT));
    let finding = judge(probe, &host, Os::Windows);
    assert!(
        matches!(finding.verdict, Verdict::Unknown { .. }),
        "{:?}",
        finding.verdict
    );
}

#[test]
fn plan_falls_back_to_security_center_for_defender_when_the_cmdlet_fails() {
    let mut host = ReplayHost::new();
    host.wmi(&security_center_query(), &WINDOWS.text(SC_DEFENDER))
        .add(failed_wmi(defender_status_query()));
    let finding = judge(probe, &host, Os::Windows);
    assert_eq!(finding.verdict, Verdict::Pass, "{}", finding.summary);
    assert!(
        finding.summary.contains("Security Center reports it on"),
        "{}",
        finding.summary
    );
}

#[test]
fn plan_with_no_wmi_answer_is_unknown() {
    let finding = judge(probe, &ReplayHost::new(), Os::Windows);
    assert!(matches!(finding.verdict, Verdict::Unknown { .. }));
}

#[test]
fn defender_not_running_beside_kaspersky_does_not_protect() {
    // Published on a Russian PC whose active antivirus is Kaspersky (cut after
    // IsTamperProtected by the stored copy; the fields that decide are all there).
    let status = parse_defender_status(
        &WINDOWS.text("msft-mpcomputerstatus-not-running-beside-kaspersky-sophia-605.txt"),
    )
    .unwrap();
    assert_eq!(status.running_mode.as_deref(), Some("Not running"));
    assert!(matches!(
        conclude_defender(&status, 7),
        ProductState::NotProtecting(_)
    ));
}
