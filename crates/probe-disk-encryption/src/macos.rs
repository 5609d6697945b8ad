//! The macOS plan: FileVault on the boot volume group, from two sources that must agree.
//!
//! * `fdesetup status` — Apple's own answer for the boot volume (On / Off / encryption or
//!   decryption in progress / on after the next restart).
//! * `diskutil apfs list -plist` — per-volume `FileVault` and `CryptoMigrationOn` flags; the
//!   boot group's `Data` volume (beside its `System` volume) is the one holding people's files.
//!
//! Hardware encryption without FileVault (every T2/Apple-silicon Mac has `Encryption` true on
//! its Data volume) is not FileVault: only the `FileVault` flag counts. How the two answers
//! combine is [`crate::policy::conclude_macos`]'s business.

use crate::parse::macos::{FdeStatus, boot_data_volume, parse_apfs_list, parse_fdesetup_status};
use devidence_core::{CommandSpec, ProbeRun};

/// `fdesetup status` (no root needed).
pub fn fdesetup_status_command() -> CommandSpec {
    CommandSpec::new("/usr/bin/fdesetup", ["status"])
}

/// `diskutil apfs list -plist`.
pub fn apfs_list_command() -> CommandSpec {
    CommandSpec::new("/usr/sbin/diskutil", ["apfs", "list", "-plist"])
}

/// What diskutil says about the boot volume group's Data volume.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DataVolume {
    /// Its `FileVault` flag (`None` when diskutil printed none).
    pub filevault: Option<bool>,
    /// `CryptoMigrationOn`: FileVault encryption or decryption is under way.
    pub migrating: bool,
}

/// What the macOS plan read: each source's answer, or why it has none.
#[derive(Clone, Debug, PartialEq)]
pub struct Facts {
    /// `fdesetup status`'s FileVault state.
    pub fdesetup: Result<FdeStatus, String>,
    /// The boot group's Data volume as `diskutil apfs list -plist` lists it.
    pub data_volume: Result<DataVolume, String>,
}

/// Runs the plan: asks both tools and records what each said.
pub fn gather(run: &mut ProbeRun<'_>) -> Facts {
    let fde_obs = run.run(fdesetup_status_command());
    let fdesetup = if fde_obs.succeeded() {
        parse_fdesetup_status(&fde_obs.stdout)
            .ok_or_else(|| "fdesetup status printed no FileVault state".to_string())
    } else {
        Err(fde_obs.failure_reason())
    };
    match &fdesetup {
        Ok(status) => run.fact("fdesetup.status", status.describe()),
        Err(reason) => run.fact("fdesetup.status", format!("unknown: {reason}")),
    }

    let apfs_obs = run.run(apfs_list_command());
    let apfs = if apfs_obs.succeeded() {
        parse_apfs_list(&apfs_obs.stdout)
    } else {
        Err(apfs_obs.failure_reason())
    };
    let data_volume = match &apfs {
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
                Ok(DataVolume {
                    filevault: volume.filevault,
                    migrating: volume.crypto_migration == Some(true),
                })
            }
            None => Err("no APFS container holds a System/Data volume group (macOS 10.14 or older, or not booted from APFS)".to_string()),
        },
        Err(reason) => Err(reason.clone()),
    };
    if let Err(reason) = &data_volume {
        run.fact("apfs.data_volume", format!("unknown: {reason}"));
    }
    Facts {
        fdesetup,
        data_volume,
    }
}

fn flag(value: Option<bool>) -> String {
    value.map_or_else(|| "absent".to_string(), |b| b.to_string())
}
