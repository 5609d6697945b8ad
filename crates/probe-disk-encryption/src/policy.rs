//! Facts in, conclusion out: every verdict, summary sentence and remediation of the
//! disk-encryption probe.
//!
//! * Linux: every volume that must be encrypted is → pass; any proven plain → fail; otherwise
//!   unknown.
//! * macOS: `fdesetup` and diskutil's boot Data volume must agree on FileVault; a transition
//!   fails; a contradiction is unknown.
//! * Windows: `Win32_EncryptableVolume` decides, `manage-bde` only confirms (a disagreement is
//!   unknown); encrypted without protection fails.

use crate::linux::{self, VolumeState};
use crate::macos::{self, DataVolume};
use crate::parse::macos::FdeStatus;
use crate::parse::windows::Conversion;
use crate::windows::{self, SystemVolumeState};
use devidence_core::Conclusion;

/// The Linux verdict from the volumes the plan read.
pub fn conclude_linux(facts: &linux::Facts) -> Conclusion {
    match facts {
        linux::Facts::NoMountTable(why) => {
            linux_unknown(format!("the mount table could not be read ({why})"))
        }
        linux::Facts::NoRoot => linux_unknown("the mount table has no root (/) filesystem".into()),
        linux::Facts::Volumes(states) => conclude_volumes(states),
    }
}

fn linux_unknown(reason: String) -> Conclusion {
    Conclusion::unknown(
        reason.clone(),
        format!("Disk encryption could not be determined: {reason}."),
        Some("Run devidence as root on the machine itself (not in a container) so it can read the block-device layout.".into()),
    )
}

/// Per-volume states into the verdict: every volume encrypted → pass; any proven plain →
/// fail; otherwise unknown.
fn conclude_volumes(states: &[(String, VolumeState)]) -> Conclusion {
    let plain: Vec<_> = states
        .iter()
        .filter_map(|(p, s)| match s {
            VolumeState::Plain(chain) => Some(format!("{p} ({chain})")),
            _ => None,
        })
        .collect();
    if !plain.is_empty() {
        return Conclusion::fail(
            format!("Not encrypted: {}.", plain.join("; ")),
            "Linux volumes are encrypted when the system is installed: back up your data, reinstall choosing \"Encrypt the new installation\" (LUKS, with LVM if offered), restore, then run devidence again. Ask IT if you need help.",
        );
    }
    let unknowns: Vec<_> = states
        .iter()
        .filter_map(|(p, s)| match s {
            VolumeState::Unknown(why) => Some(format!("{p}: {why}")),
            _ => None,
        })
        .collect();
    if !unknowns.is_empty() {
        return linux_unknown(unknowns.join("; "));
    }
    let described: Vec<_> = states
        .iter()
        .filter_map(|(p, s)| match s {
            VolumeState::Encrypted(how) => Some(format!("{p} is on {how}")),
            _ => None,
        })
        .collect();
    Conclusion::pass(format!("Encrypted: {}.", described.join("; ")))
}

const MACOS_FIX_OFF: &str = "Turn on FileVault in System Settings > Privacy & Security > FileVault (or through your MDM), then let encryption finish.";

/// The macOS verdict: joins `fdesetup status` and the boot Data volume's FileVault flag.
pub fn conclude_macos(facts: &macos::Facts) -> Conclusion {
    let fail = |summary: String| Conclusion::fail(summary, MACOS_FIX_OFF);
    // fdesetup's On/Off, once a transition (not yet "encrypted at rest") has been ruled out.
    let fde_on = match &facts.fdesetup {
        Ok(FdeStatus::On) => Ok(true),
        Ok(FdeStatus::Off) => Ok(false),
        Ok(status @ FdeStatus::Encrypting(_)) => {
            return Conclusion::fail(
                format!("FileVault is not finished: {}.", status.describe()),
                "Keep the Mac on power until FileVault encryption completes; the next check passes then.",
            );
        }
        Ok(status) => {
            return fail(format!(
                "FileVault is not protecting the disk: {}.",
                status.describe()
            ));
        }
        Err(reason) => Err(reason),
    };
    let data = facts.data_volume.as_ref().map(
        |&DataVolume {
             filevault,
             migrating,
         }| (filevault, migrating),
    );
    if let Ok((_, true)) = data {
        return Conclusion::fail(
            "FileVault encryption or decryption of the boot Data volume is under way (CryptoMigrationOn).",
            "Keep the Mac on power until FileVault finishes; the next check decides.",
        );
    }
    match (fde_on, data) {
        (Ok(true), Ok((Some(true), _))) => Conclusion::pass(
            "FileVault is on: fdesetup reports it on and the boot Data volume is FileVault-encrypted.",
        ),
        (Ok(false), Ok((Some(false), _))) => fail(
            "FileVault is off: fdesetup reports it off and the boot Data volume is not FileVault-encrypted.".into(),
        ),
        (Ok(_), Ok((Some(_), _))) => {
            let reason = "fdesetup and diskutil disagree about FileVault on the boot volume group".to_string();
            Conclusion::unknown(
                reason.clone(),
                format!("Disk encryption is unknown: {reason}."),
                Some("Run `fdesetup status` and `diskutil apfs list` on the Mac and send both outputs to IT; a restart often settles a change in progress.".into()),
            )
        }
        (Ok(true), Err(_) | Ok((None, _))) => Conclusion::pass(
            "FileVault is on (fdesetup); diskutil did not identify the boot volume group, so fdesetup alone decided.",
        ),
        (Ok(false), Err(_) | Ok((None, _))) => fail("FileVault is off (fdesetup).".into()),
        (Err(_), Ok((Some(true), _))) => Conclusion::pass(
            "The boot Data volume is FileVault-encrypted (diskutil); fdesetup gave no answer.",
        ),
        (Err(_), Ok((Some(false), _))) => fail(
            "The boot Data volume is not FileVault-encrypted (diskutil); fdesetup gave no answer.".into(),
        ),
        (Err(fde_reason), data) => {
            let data_reason = match data {
                Err(reason) => reason.clone(),
                Ok(_) => "diskutil printed no FileVault flag for the boot Data volume".into(),
            };
            let reason = format!("{fde_reason}; {data_reason}");
            Conclusion::unknown(
                reason.clone(),
                format!("Disk encryption could not be read: {reason}."),
                Some("Check that devidence runs as root from its LaunchDaemon and that /usr/bin/fdesetup and /usr/sbin/diskutil are present.".into()),
            )
        }
    }
}

/// The system volume's state in words, for summaries.
fn describe(state: SystemVolumeState) -> String {
    match state {
        SystemVolumeState::Protected => "encrypted with protection on".into(),
        SystemVolumeState::EncryptedUnprotected => "encrypted but protection is off".into(),
        SystemVolumeState::Converting(c, Some(p)) => format!("{} ({p}% encrypted)", c.describe()),
        SystemVolumeState::Converting(c, None) => c.describe().into(),
        SystemVolumeState::Decrypted => "not encrypted".into(),
    }
}

/// Whether two sources agree (a conversion's percentage may differ between reads).
fn same_state(a: SystemVolumeState, b: SystemVolumeState) -> bool {
    match (a, b) {
        (SystemVolumeState::Converting(a, _), SystemVolumeState::Converting(b, _)) => a == b,
        (a, b) => a == b,
    }
}

const WINDOWS_FIX_OFF: &str = "Turn on BitLocker for the system drive in Settings > Privacy & security > Device encryption (or Control Panel > BitLocker Drive Encryption, or through Intune), then let encryption finish.";

/// The Windows verdict: joins the deciding source (`Win32_EncryptableVolume`) and the
/// confirming one (`manage-bde`) about the system drive.
pub fn conclude_windows(facts: &windows::Facts) -> Conclusion {
    let (state, source_note) = match (&facts.wmi, &facts.bde) {
        (Ok(a), Ok(b)) if same_state(*a, *b) => (
            *a,
            "Win32_EncryptableVolume decided and manage-bde agrees".to_string(),
        ),
        (Ok(a), Ok(b)) => {
            let reason = format!(
                "Win32_EncryptableVolume says the system drive is {} but manage-bde says {}",
                describe(*a),
                describe(*b)
            );
            return Conclusion::unknown(
                reason.clone(),
                format!("Disk encryption is unknown: {reason}."),
                Some("Run `manage-bde -status` as administrator and send the output to IT; a change in progress settles after a restart.".into()),
            );
        }
        (Ok(a), Err(why)) => (
            *a,
            format!("Win32_EncryptableVolume decided; manage-bde did not confirm: {why}"),
        ),
        (Err(wmi_reason), bde) => {
            let bde_note = match bde {
                Ok(b) => format!(
                    "manage-bde's display text reads {}, but it only confirms and never decides alone",
                    describe(*b)
                ),
                Err(why) => why.clone(),
            };
            let reason = format!("{wmi_reason}; {bde_note}");
            return Conclusion::unknown(
                reason.clone(),
                format!("BitLocker status could not be read: {reason}."),
                Some("BitLocker status needs administrator rights: check that devidence runs as SYSTEM (its scheduled task or service), and that this Windows edition has BitLocker or device encryption.".into()),
            );
        }
    };
    let drive = &facts.system_drive;
    match state {
        SystemVolumeState::Protected => Conclusion::pass(format!(
            "BitLocker protects the system drive {drive}: encrypted with protection on ({source_note})."
        )),
        SystemVolumeState::EncryptedUnprotected => Conclusion::fail(
            format!(
                "The system drive {drive} is encrypted but BitLocker protection is off, so its key is stored in the clear ({source_note})."
            ),
            "Resume protection with `manage-bde -protectors -enable C:` (or Resume-BitLocker). If Windows shows \"waiting for activation\", sign in with a work or Microsoft account or let Intune back up the recovery key to finish turning BitLocker on.",
        ),
        SystemVolumeState::Converting(Conversion::EncryptionInProgress, _) => Conclusion::fail(
            format!(
                "BitLocker is still encrypting the system drive {drive}: {} ({source_note}).",
                describe(state)
            ),
            "Keep the PC on power until BitLocker finishes encrypting; the next check passes then.",
        ),
        SystemVolumeState::Converting(..) | SystemVolumeState::Decrypted => Conclusion::fail(
            format!(
                "BitLocker does not protect the system drive {drive}: {} ({source_note}).",
                describe(state)
            ),
            WINDOWS_FIX_OFF,
        ),
    }
}
