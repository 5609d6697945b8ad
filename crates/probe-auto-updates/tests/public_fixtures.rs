//! The shared public fixtures for Windows updates (`../shared/fixtures-public`, copied under
//! `tests/fixtures/windows/public/`): the Windows Update service's state as published, and
//! output the plan cannot read giving unknown, never a pass or a fail.

#![allow(clippy::unwrap_used, missing_docs)]

use devidence_core::windows::parse_property_blocks;
use devidence_testkit::probe::Fixtures;
use probe_auto_updates::parse::windows::parse_start_type;
use probe_auto_updates::policy::{Check, conclude_service};

const WINDOWS: Fixtures = Fixtures::new(env!("CARGO_MANIFEST_DIR"), "windows");

#[test]
fn get_service_shows_wuauserv_on_demand_but_is_not_sc_output() {
    let text = WINDOWS.text("public/get-service-wuauserv-format-list-stopped-manual.txt");
    let blocks = parse_property_blocks(&text).unwrap();
    assert_eq!(blocks[0]["starttype"], "Manual");
    assert_eq!(blocks[0]["status"], "Stopped");
    // The plan reads `sc.exe qc`'s numeric START_TYPE; this text has none, so it is unknown.
    assert_eq!(parse_start_type(&text), None);
    assert!(matches!(
        conclude_service(parse_start_type(&text)),
        Check::Unknown { .. }
    ));
}

#[test]
fn a_localized_sc_error_is_unknown_never_a_verdict() {
    let text = WINDOWS.text("public/sc-config-wuauserv-error-1060-service-missing-zh-CN.txt");
    assert!(text.contains("1060"));
    assert_eq!(parse_start_type(&text), None);
    assert!(matches!(conclude_service(None), Check::Unknown { .. }));
}
