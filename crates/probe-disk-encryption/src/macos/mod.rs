//! The macOS plan: FileVault on the boot volume group, from two sources that must agree.
//!
//! * `fdesetup status` — Apple's own answer for the boot volume (On / Off / encryption or
//!   decryption in progress / on after the next restart).
//! * `diskutil apfs list -plist` — per-volume `FileVault` and `CryptoMigrationOn` flags; the
//!   boot group's `Data` volume (beside its `System` volume) is the one holding people's files.
//!
//! Hardware encryption without FileVault (every T2/Apple-silicon Mac has `Encryption` true on
//! its Data volume) is not FileVault: only the `FileVault` flag counts. When the sources
//! disagree the finding is unknown and says so; neither silently overrules the other.

pub mod parse;

use devidence_core::{CommandSpec, ProbeRun, Verdict};
use parse::{FdeStatus, boot_data_volume, parse_apfs_list, parse_fdesetup_status};

/// `fdesetup status` (no root needed).
pub fn fdesetup_status_command() -> CommandSpec {
    CommandSpec::new("/usr/bin/fdesetup", ["status"])
}

/// `diskutil apfs list -plist`.
pub fn apfs_list_command() -> CommandSpec {
    CommandSpec::new("/usr/sbin/diskutil", ["apfs", "list", "-plist"])
}

const FIX_OFF: &str = "Turn on FileVault in System Settings > Privacy & Security > FileVault (or through your MDM), then let encryption finish.";

/// Runs the plan and returns the verdict, a one-line summary and the fix.
pub fn check(run: &mut ProbeRun<'_>) -> (Verdict, String, Option<String>) {
    let fde_obs = run.run(fdesetup_status_command());
    let fde = if fde_obs.succeeded() {
        parse_fdesetup_status(&fde_obs.stdout)
            .ok_or_else(|| "fdesetup status printed no FileVault state".to_string())
    } else {
        Err(fde_obs.failure_reason())
    };
    match &fde {
        Ok(status) => run.fact("fdesetup.status", describe(status)),
        Err(reason) => run.fact("fdesetup.status", format!("unknown: {reason}")),
    }

    let apfs_obs = run.run(apfs_list_command());
    let apfs = if apfs_obs.succeeded() {
        parse_apfs_list(&apfs_obs.stdout)
    } else {
        Err(apfs_obs.failure_reason())
    };
    // The boot group's Data volume: (device, name, FileVault flag, migration under way).
    let data = match &apfs {
        Ok(containers) => match boot_data_volume(containers) {
            Some((container, volume)) => {
                run.fact("apfs.boot_container", container.reference.clone());
                run.fact(
                    "apfs.data_volume",
                    format!("{} ({})", volume.device, volume.name),
                );
                run.fact("apfs.data_volume.filevault", flag(volume.filevault));
                run.fact("apfs.data_volume.encryption", flag(volume.encryption));
                run.fact(
                    "apfs.data_volume.crypto_migration",
                    flag(volume.crypto_migration),
                );
                Ok((volume.filevault, volume.crypto_migration == Some(true)))
            }
            None => Err("no APFS container holds a System/Data volume group (macOS 10.14 or older, or not booted from APFS)".to_string()),
        },
        Err(reason) => Err(reason.clone()),
    };
    if let Err(reason) = &data {
        run.fact("apfs.data_volume", format!("unknown: {reason}"));
    }
    conclude(fde, data)
}

fn flag(value: Option<bool>) -> String {
    value.map_or_else(|| "absent".to_string(), |b| b.to_string())
}

fn describe(status: &FdeStatus) -> String {
    let pct = |p: &Option<f32>| p.map_or_else(|| "pending".to_string(), |p| format!("{p}%"));
    match status {
        FdeStatus::On => "on".into(),
        FdeStatus::Off => "off".into(),
        FdeStatus::Encrypting(p) => format!("encryption in progress ({})", pct(p)),
        FdeStatus::Decrypting(p) => format!("decryption in progress ({})", pct(p)),
        FdeStatus::PendingRestart => "off, turns on after the next restart".into(),
    }
}

/// Joins the two sources into the verdict. `data` is the boot Data volume's
/// (FileVault flag, migration under way), or why it is not known.
pub fn conclude(
    fde: Result<FdeStatus, String>,
    data: Result<(Option<bool>, bool), String>,
) -> (Verdict, String, Option<String>) {
    let fail = |summary: String| (Verdict::Fail, summary, Some(FIX_OFF.to_string()));
    // fdesetup's On/Off, once a transition (not yet "encrypted at rest") has been ruled out.
    let fde_on = match fde {
        Ok(FdeStatus::On) => Ok(true),
        Ok(FdeStatus::Off) => Ok(false),
        Ok(status @ FdeStatus::Encrypting(_)) => {
            return (
                Verdict::Fail,
                format!("FileVault is not finished: {}.", describe(&status)),
                Some("Keep the Mac on power until FileVault encryption completes; the next check passes then.".into()),
            );
        }
        Ok(status) => {
            return fail(format!(
                "FileVault is not protecting the disk: {}.",
                describe(&status)
            ));
        }
        Err(reason) => Err(reason),
    };
    if let Ok((_, true)) = data {
        return (
            Verdict::Fail,
            "FileVault encryption or decryption of the boot Data volume is under way (CryptoMigrationOn).".into(),
            Some("Keep the Mac on power until FileVault finishes; the next check decides.".into()),
        );
    }
    match (fde_on, data) {
        (Ok(true), Ok((Some(true), _))) => (
            Verdict::Pass,
            "FileVault is on: fdesetup reports it on and the boot Data volume is FileVault-encrypted.".into(),
            None,
        ),
        (Ok(false), Ok((Some(false), _))) => fail(
            "FileVault is off: fdesetup reports it off and the boot Data volume is not FileVault-encrypted.".into(),
        ),
        (Ok(_), Ok((Some(_), _))) => {
            let reason = "fdesetup and diskutil disagree about FileVault on the boot volume group".to_string();
            (
                Verdict::unknown(reason.clone()),
                format!("Disk encryption is unknown: {reason}."),
                Some("Run `fdesetup status` and `diskutil apfs list` on the Mac and send both outputs to IT; a restart often settles a change in progress.".into()),
            )
        }
        (Ok(true), Err(_) | Ok((None, _))) => (
            Verdict::Pass,
            "FileVault is on (fdesetup); diskutil did not identify the boot volume group, so fdesetup alone decided.".into(),
            None,
        ),
        (Ok(false), Err(_) | Ok((None, _))) => fail("FileVault is off (fdesetup).".into()),
        (Err(_), Ok((Some(true), _))) => (
            Verdict::Pass,
            "The boot Data volume is FileVault-encrypted (diskutil); fdesetup gave no answer.".into(),
            None,
        ),
        (Err(_), Ok((Some(false), _))) => fail(
            "The boot Data volume is not FileVault-encrypted (diskutil); fdesetup gave no answer.".into(),
        ),
        (Err(fde_reason), data) => {
            let data_reason = match data {
                Err(reason) => reason,
                Ok(_) => "diskutil printed no FileVault flag for the boot Data volume".into(),
            };
            let reason = format!("{fde_reason}; {data_reason}");
            (
                Verdict::unknown(reason.clone()),
                format!("Disk encryption could not be read: {reason}."),
                Some("Check that devidence runs as root from its LaunchDaemon and that /usr/bin/fdesetup and /usr/sbin/diskutil are present.".into()),
            )
        }
    }
}
