//! The macOS plan on published real outputs (each fixture's first line says where from).

use devidence_core::{Conclusion, Os, ReplayHost, Verdict};
use devidence_testkit::probe::{Fixtures, judge};
use probe_disk_encryption::macos::{DataVolume, Facts, apfs_list_command, fdesetup_status_command};
use probe_disk_encryption::parse::macos::{
    FdeStatus, boot_data_volume, parse_apfs_list, parse_fdesetup_status,
};
use probe_disk_encryption::policy::conclude_macos;
use probe_disk_encryption::probe;

const MACOS: Fixtures = Fixtures::new(env!("CARGO_MANIFEST_DIR"), "macos");

const APFS_10_14: &str = "diskutil-apfs-list-plist-10.14-nimble-commander.xml";
const APFS_10_15: &str = "diskutil-apfs-list-plist-10.15-nimble-commander.xml";
const APFS_11_1: &str = "diskutil-apfs-list-plist-11.1-nimble-commander.xml";
const FDE_ON: &str = "fdesetup-status-on-master-keychain-reportfilevault.txt";

/// The facts of `fdesetup` saying `fde` and a boot Data volume with `filevault` and
/// `migrating`.
fn facts(fde: FdeStatus, filevault: Option<bool>, migrating: bool) -> Facts {
    Facts {
        fdesetup: Ok(fde),
        data_volume: Ok(DataVolume {
            filevault,
            migrating,
        }),
    }
}

#[test]
fn fdesetup_on_with_a_master_keychain_line_is_on() {
    assert_eq!(
        parse_fdesetup_status(&MACOS.text(FDE_ON)),
        Some(FdeStatus::On)
    );
}

#[test]
fn big_sur_boot_group_is_found_by_its_system_and_data_roles() {
    let containers = parse_apfs_list(&MACOS.text(APFS_11_1)).unwrap();
    assert_eq!(
        containers.len(),
        4,
        "iSC, recovery, boot and a backup container"
    );
    let (container, data) = boot_data_volume(&containers).unwrap();
    assert_eq!(container.reference, "disk3");
    assert_eq!(data.device, "disk3s5");
    assert_eq!(data.name, "Data");
    assert_eq!(data.filevault, Some(true));
    assert_eq!(data.crypto_migration, Some(false));
}

#[test]
fn catalina_boot_group_is_found_and_filevault_is_on() {
    let containers = parse_apfs_list(&MACOS.text(APFS_10_15)).unwrap();
    let (container, data) = boot_data_volume(&containers).unwrap();
    assert_eq!(container.reference, "disk1");
    assert_eq!(
        (data.device.as_str(), data.name.as_str()),
        ("disk1s1", "Macintosh HD - Data")
    );
    assert_eq!(data.filevault, Some(true));
}

#[test]
fn mojave_has_no_volume_group_so_diskutil_alone_cannot_name_the_boot_volume() {
    let containers = parse_apfs_list(&MACOS.text(APFS_10_14)).unwrap();
    assert_eq!(containers.len(), 3);
    assert!(boot_data_volume(&containers).is_none());
    // Every volume there is unencrypted, which fdesetup must still confirm for a verdict.
    assert!(
        containers
            .iter()
            .flat_map(|c| &c.volumes)
            .all(|v| v.filevault == Some(false))
    );
}

#[test]
fn plan_passes_when_fdesetup_and_diskutil_agree_on_big_sur() {
    let mut host = ReplayHost::new();
    host.command(&fdesetup_status_command().display(), 0, &MACOS.text(FDE_ON))
        .command(&apfs_list_command().display(), 0, &MACOS.text(APFS_11_1));
    let finding = judge(probe, &host, Os::Macos);
    assert_eq!(finding.verdict, Verdict::Pass, "{}", finding.summary);
    assert_eq!(finding.facts["fdesetup.status"], "on");
    assert_eq!(finding.facts["apfs.data_volume"], "disk3s5 (Data)");
    assert_eq!(finding.facts["apfs.data_volume.filevault"], "true");
    assert_eq!(finding.observations.len(), 2);
}

#[test]
fn plan_on_mojave_lets_fdesetup_decide_and_says_so() {
    let mut host = ReplayHost::new();
    host.command(&fdesetup_status_command().display(), 0, &MACOS.text(FDE_ON))
        .command(&apfs_list_command().display(), 0, &MACOS.text(APFS_10_14));
    let finding = judge(probe, &host, Os::Macos);
    assert_eq!(finding.verdict, Verdict::Pass);
    assert!(
        finding.summary.contains("fdesetup alone decided"),
        "{}",
        finding.summary
    );
    assert!(finding.facts["apfs.data_volume"].starts_with("unknown: no APFS container"));
}

#[test]
fn plan_without_fdesetup_falls_back_to_diskutil() {
    let mut host = ReplayHost::new();
    host.command(&apfs_list_command().display(), 0, &MACOS.text(APFS_10_15));
    let finding = judge(probe, &host, Os::Macos);
    assert_eq!(finding.verdict, Verdict::Pass);
    assert!(finding.facts["fdesetup.status"].contains("not found"));
}

#[test]
fn plan_with_neither_tool_is_unknown_with_both_reasons() {
    let finding = judge(probe, &ReplayHost::new(), Os::Macos);
    let Verdict::Unknown { reason } = &finding.verdict else {
        panic!("{:?}", finding.verdict)
    };
    assert!(reason.contains("fdesetup status` not found"), "{reason}");
    assert!(
        reason.contains("diskutil apfs list -plist` not found"),
        "{reason}"
    );
    assert!(finding.remediation.is_some());
}

#[test]
fn a_contradiction_between_the_sources_is_unknown_never_pass() {
    // fdesetup (real, On) against Mojave's listing is resolved by fdesetup (no group); against
    // a group whose Data volume says FileVault false it is a contradiction.
    let Conclusion {
        verdict, summary, ..
    } = conclude_macos(&facts(FdeStatus::On, Some(false), false));
    assert!(matches!(verdict, Verdict::Unknown { .. }), "{summary}");
    let Conclusion { verdict, .. } = conclude_macos(&facts(FdeStatus::Off, Some(true), false));
    assert!(matches!(verdict, Verdict::Unknown { .. }));
}

#[test]
fn transitions_fail_with_what_to_do() {
    for status in [
        FdeStatus::Encrypting(Some(42.0)),
        FdeStatus::Encrypting(None),
        FdeStatus::Decrypting(Some(12.0)),
        FdeStatus::PendingRestart,
    ] {
        let Conclusion {
            verdict,
            summary,
            remediation: fix,
        } = conclude_macos(&facts(status.clone(), Some(true), false));
        assert_eq!(verdict, Verdict::Fail, "{status:?}");
        assert!(!summary.is_empty() && fix.is_some());
    }
    let Conclusion {
        verdict, summary, ..
    } = conclude_macos(&facts(FdeStatus::On, Some(true), true));
    assert_eq!(verdict, Verdict::Fail);
    assert!(summary.contains("CryptoMigrationOn"));
}

#[test]
fn fdesetup_lines_parse_including_progress_and_pending_forms() {
    // Line shapes from `fdesetup(8)` status output; the recorded fixture covers "On".
    assert_eq!(
        parse_fdesetup_status("FileVault is Off.\n"),
        Some(FdeStatus::Off)
    );
    assert_eq!(
        parse_fdesetup_status(
            "FileVault is On.\nEncryption in progress: Percent completed = 45.2\n"
        ),
        Some(FdeStatus::Encrypting(Some(45.2)))
    );
    assert_eq!(
        parse_fdesetup_status("FileVault is On.\nEncryption in progress: Pending\n"),
        Some(FdeStatus::Encrypting(None))
    );
    assert_eq!(
        parse_fdesetup_status(
            "FileVault is Off.\nDeferred enablement appears to be active for user 'ada'.\n"
        ),
        Some(FdeStatus::PendingRestart)
    );
    assert_eq!(parse_fdesetup_status("Error: fdesetup needs root\n"), None);
}
