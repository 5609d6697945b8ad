//! The shared public fixtures for Windows updates (`../shared/fixtures-public`, copied under
//! `tests/fixtures/windows/public/`): the Windows Update service's state as published, and
//! output the plan cannot read giving unknown, never a pass or a fail.

#![allow(clippy::unwrap_used, missing_docs)]

use devidence_core::fixture::load;
use devidence_core::windows::parse_property_blocks;
use probe_auto_updates::policy::Check;
use probe_auto_updates::windows::{parse_start_type, service_check};

fn fixture(name: &str) -> String {
    load(format!(
        "{}/tests/fixtures/windows/public/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn get_service_shows_wuauserv_on_demand_but_is_not_sc_output() {
    let text = fixture("get-service-wuauserv-format-list-stopped-manual.txt");
    let blocks = parse_property_blocks(&text).unwrap();
    assert_eq!(blocks[0]["starttype"], "Manual");
    assert_eq!(blocks[0]["status"], "Stopped");
    // The plan reads `sc.exe qc`'s numeric START_TYPE; this text has none, so it is unknown.
    assert_eq!(parse_start_type(&text), None);
    assert!(matches!(
        service_check(parse_start_type(&text)),
        Check::Unknown { .. }
    ));
}

#[test]
fn a_localized_sc_error_is_unknown_never_a_verdict() {
    let text = fixture("sc-config-wuauserv-error-1060-service-missing-zh-CN.txt");
    assert!(text.contains("1060"));
    assert_eq!(parse_start_type(&text), None);
    assert!(matches!(service_check(None), Check::Unknown { .. }));
}
