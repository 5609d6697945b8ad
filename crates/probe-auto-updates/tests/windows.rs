//! Logic tests of the Windows automatic-updates plan. No published real `reg query` output of
//! the WindowsUpdate\AU or PolicyManager Update keys, nor of `sc qc wuauserv` with a citable
//! source, was found yet (see the issue-4 note); these inputs are written here in the shapes
//! `reg.exe` and `sc.exe` print, to test the decisions. They are not evidence.

#![allow(clippy::unwrap_used)]

use devidence_core::{CommandSpec, Os, RegistryRead, ReplayHost, Verdict};
use devidence_testkit::probe::judge;
use probe_auto_updates::parse::windows::parse_start_type;
use probe_auto_updates::policy::{Check, conclude_gpo, conclude_mdm, conclude_service};
use probe_auto_updates::probe;
use probe_auto_updates::windows::{GPO_AU_KEY, MDM_UPDATE_KEY, SERVICE_KEY};

/// The service key of a manual-start Windows Update service, as the in-process reader lays it
/// out (`reg query`'s layout).
const SERVICE_MANUAL: &str = "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\wuauserv\r\n    Start    REG_DWORD    0x3\r\n    ObjectName    REG_SZ    LocalSystem\r\n\r\n";

const SC_QC_MANUAL: &str = "[SC] QueryServiceConfig SUCCESS\n\nSERVICE_NAME: wuauserv\n        TYPE               : 20  WIN32_SHARE_PROCESS\n        START_TYPE         : 3   DEMAND_START\n        ERROR_CONTROL      : 1   NORMAL\n";

#[test]
fn group_policy_values_decide_as_documented() {
    assert!(matches!(conclude_gpo(Some(1), Some(4)), Check::Fail { .. }));
    for option in [2, 3, 7] {
        assert!(
            matches!(conclude_gpo(None, Some(option)), Check::Fail { .. }),
            "{option}"
        );
    }
    assert!(matches!(conclude_gpo(Some(0), Some(4)), Check::Ok(_)));
    assert!(matches!(conclude_gpo(None, Some(5)), Check::Unknown { .. }));
    assert!(matches!(conclude_gpo(None, None), Check::Ok(_)));
    assert!(matches!(conclude_mdm(Some(5)), Check::Fail { .. }));
    assert!(matches!(conclude_mdm(Some(0)), Check::Fail { .. }));
    assert!(matches!(conclude_mdm(Some(2)), Check::Ok(_)));
}

#[test]
fn sc_start_type_is_read_by_number() {
    assert_eq!(parse_start_type(SC_QC_MANUAL), Some(3));
    assert!(matches!(conclude_service(Some(4)), Check::Fail { .. }));
    assert!(matches!(conclude_service(None), Check::Unknown { .. }));
}

#[test]
fn plan_with_no_policy_keys_and_a_manual_service_passes() {
    // Missing policy keys are simply not recorded: the in-process read finds nothing.
    let mut host = ReplayHost::new();
    host.registry(&RegistryRead::key(SERVICE_KEY), SERVICE_MANUAL);
    let finding = judge(probe, &host, Os::Windows);
    assert_eq!(finding.verdict, Verdict::Pass, "{}", finding.summary);
    assert_eq!(finding.facts["gpo.NoAutoUpdate"], "not set");
    assert_eq!(finding.facts["service.wuauserv.start_type"], "3");
    // A disabled service fails.
    let mut host = ReplayHost::new();
    host.registry(
        &RegistryRead::key(SERVICE_KEY),
        &SERVICE_MANUAL.replace("0x3", "0x4"),
    );
    assert_eq!(judge(probe, &host, Os::Windows).verdict, Verdict::Fail);
}

#[test]
fn plan_fails_on_a_policy_that_turns_updates_off() {
    // Recorded by an older version with reg.exe (exit 1 with nothing printed: no MDM key).
    let reg_exe = |key: &str| CommandSpec::new("reg.exe", ["query", key]).display();
    let mut host = ReplayHost::new();
    host.command(
        &reg_exe(GPO_AU_KEY),
        0,
        "\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU\n    NoAutoUpdate    REG_DWORD    0x1\n    AUOptions    REG_DWORD    0x2\n",
    );
    host.command(&reg_exe(MDM_UPDATE_KEY), 1, "");
    host.registry(&RegistryRead::key(SERVICE_KEY), SERVICE_MANUAL);
    let finding = judge(probe, &host, Os::Windows);
    assert_eq!(finding.verdict, Verdict::Fail);
    assert!(
        finding.summary.contains("NoAutoUpdate=1"),
        "{}",
        finding.summary
    );
}

#[test]
fn plan_with_no_service_key_is_unknown() {
    let finding = judge(probe, &ReplayHost::new(), Os::Windows);
    assert!(matches!(finding.verdict, Verdict::Unknown { .. }));
}
