//! The Windows plan on published real outputs (each fixture's first line says where from).

#![allow(clippy::unwrap_used)]

use devidence_core::{Conclusion, Observation, Os, Outcome, ReplayHost, SourceKind, Verdict};
use devidence_testkit::probe::{Fixtures, judge};
use probe_disk_encryption::parse::windows::{
    Conversion, os_volume, parse_bitlocker_volume_list, parse_encryptable_volumes,
    parse_manage_bde_status,
};
use probe_disk_encryption::policy::conclude_windows;
use probe_disk_encryption::probe;
use probe_disk_encryption::windows::{
    Facts, SystemVolumeState, encryptable_volume_query, manage_bde_status_command,
};

const WINDOWS: Fixtures = Fixtures::new(env!("CARGO_MANIFEST_DIR"), "windows");

const BDE_USED_SPACE_ON: &str = "manage-bde-status-used-space-protection-on-dreknix.txt";
const BDE_FULL_ON: &str = "manage-bde-status-fully-encrypted-intunedocs-2566.txt";
const BDE_NO_PROTECTORS: &str =
    "manage-bde-status-encrypted-protection-off-no-protectors-aetherinox-15.txt";
const BDE_IN_PROGRESS: &str = "manage-bde-status-encryption-in-progress-libbde-39.txt";
const PS_ON: &str = "get-bitlockervolume-format-list-os-volume-windows-powershell-docs.txt";
const PS_WAITING: &str =
    "get-bitlockervolume-format-list-waiting-for-activation-msendpointmgr-77.txt";
const WMI_ON: &str = "wmic-win32-encryptablevolume-c-protected-aes256-glpi-agent.txt";
const BDE_DE_DECRYPTED: &str = "manage-bde-status-de-fully-decrypted-bnachtwey.txt";
const BDE_DE_IN_PROGRESS_ON: &str =
    "manage-bde-status-de-encryption-in-progress-100pct-protection-on-bnachtwey.txt";
const BDE_DE_IN_PROGRESS_OFF: &str =
    "manage-bde-status-de-encryption-in-progress-3pct-protection-off-bnachtwey.txt";
const BDE_FR_DECRYPTED: &str = "manage-bde-status-fr-fully-decrypted-windows-tools.txt";
const BDE_FR_LOCKED: &str = "manage-bde-status-fr-data-volume-locked-windows-tools.txt";
const BDE_ES_LOCKED: &str = "manage-bde-status-es-data-volume-locked-xploit.txt";

/// The published WMI listing with protection off (`ProtectionStatus=0`): a suspended volume.
fn wmi_protection_off() -> String {
    WINDOWS
        .text(WMI_ON)
        .replace("ProtectionStatus=1", "ProtectionStatus=0")
}

fn only_volume(text: &str) -> SystemVolumeState {
    let volumes = parse_manage_bde_status(text);
    assert_eq!(volumes.len(), 1, "{volumes:?}");
    SystemVolumeState::of(&volumes[0]).unwrap()
}

#[test]
fn manage_bde_with_decimal_commas_reads_the_os_volume() {
    let volumes = parse_manage_bde_status(&WINDOWS.text(BDE_USED_SPACE_ON));
    assert_eq!(volumes.len(), 1);
    let c = os_volume(&volumes, "C:").unwrap();
    assert_eq!(c.mount_point.as_deref(), Some("C:"));
    assert_eq!(c.os_volume, Some(true));
    assert_eq!(c.conversion, Some(Conversion::UsedSpaceOnlyEncrypted));
    assert_eq!(c.percent_encrypted, Some(100.0));
    assert_eq!(c.protection_on, Some(true));
    assert_eq!(c.encryption_method.as_deref(), Some("AES 256"));
    assert_eq!(c.key_protectors, ["Numerical Password", "Password"]);
    assert_eq!(SystemVolumeState::of(c), Ok(SystemVolumeState::Protected));
}

#[test]
fn manage_bde_excerpt_fully_encrypted_with_tpm_is_protected() {
    let volumes = parse_manage_bde_status(&WINDOWS.text(BDE_FULL_ON));
    assert_eq!(volumes[0].conversion, Some(Conversion::FullyEncrypted));
    assert_eq!(
        volumes[0].key_protectors,
        ["Numerical Password", "TPM", "Numerical Password"]
    );
    assert_eq!(
        only_volume(&WINDOWS.text(BDE_FULL_ON)),
        SystemVolumeState::Protected
    );
    // An excerpt names no drive, so it can never stand for the system drive by itself.
    assert!(os_volume(&volumes, "C:").is_none());
}

#[test]
fn automatic_device_encryption_without_protectors_is_encrypted_but_unprotected() {
    let volumes = parse_manage_bde_status(&WINDOWS.text(BDE_NO_PROTECTORS));
    assert!(
        volumes[0].key_protectors.is_empty(),
        "None Found is no protector"
    );
    assert_eq!(
        only_volume(&WINDOWS.text(BDE_NO_PROTECTORS)),
        SystemVolumeState::EncryptedUnprotected
    );
    let Conclusion {
        verdict,
        summary,
        remediation: fix,
    } = conclude_windows(&Facts {
        system_drive: "C:".into(),
        wmi: Ok(SystemVolumeState::EncryptedUnprotected),
        bde: Err("no answer".into()),
    });
    assert_eq!(verdict, Verdict::Fail);
    assert!(summary.contains("key is stored in the clear"), "{summary}");
    assert!(fix.unwrap().contains("waiting for activation"));
}

#[test]
fn encryption_in_progress_keeps_its_percentage_despite_the_reporters_note() {
    let state = only_volume(&WINDOWS.text(BDE_IN_PROGRESS));
    assert_eq!(
        state,
        SystemVolumeState::Converting(Conversion::EncryptionInProgress, Some(50.8))
    );
    let Conclusion {
        verdict, summary, ..
    } = conclude_windows(&Facts {
        system_drive: "C:".into(),
        wmi: Ok(state),
        bde: Err("no answer".into()),
    });
    assert_eq!(verdict, Verdict::Fail);
    assert!(summary.contains("50.8% encrypted"), "{summary}");
}

#[test]
fn get_bitlockervolume_format_list_reads_enum_names() {
    let volumes = parse_bitlocker_volume_list(&WINDOWS.text(PS_ON));
    assert_eq!(volumes.len(), 1);
    let c = &volumes[0];
    assert_eq!(c.mount_point.as_deref(), Some("C:"));
    assert_eq!(c.os_volume, Some(true));
    assert_eq!(c.conversion, Some(Conversion::FullyEncrypted));
    assert_eq!(c.protection_on, Some(true));
    assert_eq!(c.encryption_method.as_deref(), Some("XtsAes128"));
    assert_eq!(c.key_protectors, ["RecoveryPassword", "Tpm"]);
    assert_eq!(SystemVolumeState::of(c), Ok(SystemVolumeState::Protected));
}

#[test]
fn waiting_for_activation_is_protection_off() {
    let volumes = parse_bitlocker_volume_list(&WINDOWS.text(PS_WAITING));
    let c = os_volume(&volumes, "C:").unwrap();
    assert_eq!(c.key_protectors, ["Tpm"]);
    assert_eq!(
        SystemVolumeState::of(c),
        Ok(SystemVolumeState::EncryptedUnprotected)
    );
}

#[test]
fn win32_encryptablevolume_numbers_read_in_every_language() {
    let volumes = parse_encryptable_volumes(&WINDOWS.text(WMI_ON)).unwrap();
    assert_eq!(volumes.len(), 1);
    let c = &volumes[0];
    assert_eq!(c.mount_point.as_deref(), Some("C:"));
    assert_eq!(c.os_volume, Some(true));
    assert_eq!(c.conversion, Some(Conversion::FullyEncrypted));
    assert_eq!(c.protection_on, Some(true));
    assert_eq!(c.encryption_method.as_deref(), Some("AES 256"));
    assert_eq!(SystemVolumeState::of(c), Ok(SystemVolumeState::Protected));
    // Numbers outside the documented ranges, or no volume at all, are errors, never a state.
    assert!(
        parse_encryptable_volumes(
            &WINDOWS
                .text(WMI_ON)
                .replace("ConversionStatus=1", "ConversionStatus=9")
        )
        .is_err()
    );
    assert!(parse_encryptable_volumes("Zugriff verweigert\r\n").is_err());
    assert!(parse_encryptable_volumes("").is_err());
}

#[test]
fn localized_manage_bde_reads_nothing_so_it_never_decides() {
    for name in [
        BDE_DE_DECRYPTED,
        BDE_DE_IN_PROGRESS_ON,
        BDE_DE_IN_PROGRESS_OFF,
        BDE_FR_DECRYPTED,
        BDE_FR_LOCKED,
        BDE_ES_LOCKED,
    ] {
        assert!(
            parse_manage_bde_status(&WINDOWS.text(name)).is_empty(),
            "{name}"
        );
    }
}

#[test]
fn a_german_windows_is_decided_by_wmi_and_says_manage_bde_did_not_confirm() {
    let mut host = ReplayHost::new();
    host.command(
        &manage_bde_status_command().display(),
        0,
        &WINDOWS.text(BDE_DE_IN_PROGRESS_ON),
    )
    .wmi(&encryptable_volume_query(), &WINDOWS.text(WMI_ON));
    let finding = judge(probe, &host, Os::Windows);
    assert_eq!(finding.verdict, Verdict::Pass, "{}", finding.summary);
    assert!(
        finding.summary.contains("manage-bde did not confirm"),
        "{}",
        finding.summary
    );
    // The same German machine with BitLocker off: WMI says decrypted → fail.
    let mut host = ReplayHost::new();
    host.command(
        &manage_bde_status_command().display(),
        0,
        &WINDOWS.text(BDE_DE_DECRYPTED),
    )
    .wmi(
        &encryptable_volume_query(),
        &WINDOWS
            .text(WMI_ON)
            .replace("ConversionStatus=1", "ConversionStatus=0")
            .replace("ProtectionStatus=1", "ProtectionStatus=0"),
    );
    assert_eq!(judge(probe, &host, Os::Windows).verdict, Verdict::Fail);
}

#[test]
fn manage_bde_alone_never_decides() {
    let mut host = ReplayHost::new();
    host.command(
        &manage_bde_status_command().display(),
        0,
        &WINDOWS.text(BDE_USED_SPACE_ON),
    )
    .add(Observation::new(
        SourceKind::Wmi,
        encryptable_volume_query().display(),
        Outcome::PermissionDenied,
    ));
    let finding = judge(probe, &host, Os::Windows);
    let Verdict::Unknown { reason } = &finding.verdict else {
        panic!("{:?}", finding.verdict)
    };
    assert!(reason.contains("only confirms"), "{reason}");
}

#[test]
fn plan_passes_when_both_tools_agree() {
    let mut host = ReplayHost::new();
    host.command(
        &manage_bde_status_command().display(),
        0,
        &WINDOWS.text(BDE_USED_SPACE_ON),
    )
    .wmi(&encryptable_volume_query(), &WINDOWS.text(WMI_ON));
    let finding = judge(probe, &host, Os::Windows);
    assert_eq!(finding.verdict, Verdict::Pass, "{}", finding.summary);
    assert!(finding.summary.contains("agree"), "{}", finding.summary);
    assert_eq!(finding.facts["windows.system_drive"], "C:");
    assert!(finding.facts["manage_bde.C:"].contains("protection on"));
    assert!(finding.facts["wmi.C:"].contains("OS volume"));
}

#[test]
fn plan_is_unknown_when_the_tools_disagree() {
    let mut host = ReplayHost::new();
    host.command(
        &manage_bde_status_command().display(),
        0,
        &WINDOWS.text(BDE_USED_SPACE_ON),
    )
    .wmi(&encryptable_volume_query(), &wmi_protection_off());
    let finding = judge(probe, &host, Os::Windows);
    let Verdict::Unknown { reason } = &finding.verdict else {
        panic!("{:?}", finding.verdict)
    };
    assert!(reason.contains("protection is off"), "{reason}");
}

#[test]
fn plan_lets_wmi_decide_when_manage_bde_is_denied_and_says_so() {
    let mut host = ReplayHost::new();
    host.command(&manage_bde_status_command().display(), 1, "")
        .wmi(&encryptable_volume_query(), &wmi_protection_off());
    let finding = judge(probe, &host, Os::Windows);
    assert_eq!(finding.verdict, Verdict::Fail);
    assert!(
        finding.summary.contains("Win32_EncryptableVolume decided"),
        "{}",
        finding.summary
    );
    assert!(
        finding.facts["manage_bde.system_volume"]
            .starts_with("unknown: `manage-bde.exe -status` exited with code 1")
    );
}

#[test]
fn plan_with_output_naming_no_drive_and_no_powershell_is_unknown() {
    // An excerpt has no drive letter, so it cannot stand for the system drive.
    let mut host = ReplayHost::new();
    host.command(
        &manage_bde_status_command().display(),
        0,
        &WINDOWS.text(BDE_FULL_ON),
    );
    let finding = judge(probe, &host, Os::Windows);
    let Verdict::Unknown { reason } = &finding.verdict else {
        panic!("{:?}", finding.verdict)
    };
    assert!(
        reason.contains("did not list the system drive C:"),
        "{reason}"
    );
    assert!(reason.contains("not found"), "{reason}");
}

#[test]
fn plan_honours_a_system_drive_other_than_c() {
    let mut host = ReplayHost::new();
    host.set_env("SystemDrive", "d:");
    host.wmi(&encryptable_volume_query(), &WINDOWS.text(WMI_ON));
    let finding = judge(probe, &host, Os::Windows);
    // The OS volume is marked as such (VolumeType 0), so it is found whatever the letter.
    assert_eq!(finding.verdict, Verdict::Pass, "{}", finding.summary);
    assert_eq!(finding.facts["windows.system_drive"], "D:");
}

#[test]
fn plan_with_no_tool_is_unknown_and_says_what_to_check() {
    let finding = judge(probe, &ReplayHost::new(), Os::Windows);
    assert!(matches!(finding.verdict, Verdict::Unknown { .. }));
    assert!(finding.remediation.unwrap().contains("administrator"));
}
