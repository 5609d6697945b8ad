//! The Windows plan: BitLocker on the system drive, decided by numbers and confirmed by text.
//!
//! * `Win32_EncryptableVolume` (WMI, `root/CIMV2/Security/MicrosoftVolumeEncryption`) decides:
//!   its `ConversionStatus`, `ProtectionStatus` and `VolumeType` are numbers, the same in every
//!   display language.
//! * `manage-bde -status` confirms: its labels are translated (a German Windows prints
//!   `Konvertierungsstatus`), so when its English parser reads the system volume and disagrees
//!   the finding is unknown, and when it reads nothing it is recorded and ignored. It never
//!   decides alone.
//!
//! The system drive decides the verdict (`%SystemDrive%`, normally `C:`); other fixed volumes
//! are recorded as facts. "Encrypted" alone is not enough: protection must be on, because a
//! suspended volume or one "waiting for activation" (Windows 11 automatic device encryption
//! before a recovery key is backed up) keeps its key in the clear on the disk. Both sources need
//! an administrator, which the agent is as SYSTEM; without it each fails and the answer is
//! unknown, never a guess. The plan reads and reduces; [`crate::policy::conclude_windows`]
//! decides.

use crate::parse::windows::{
    BitLockerVolume, Conversion, os_volume, parse_encryptable_volumes, parse_manage_bde_status,
};
use devidence_core::{CommandSpec, ProbeRun, WmiQuery};

/// `manage-bde.exe -status` (all volumes).
pub fn manage_bde_status_command() -> CommandSpec {
    CommandSpec::new("manage-bde.exe", ["-status"])
}

/// The WMI query listing every encryptable volume's numeric state (run in-process).
pub fn encryptable_volume_query() -> WmiQuery {
    WmiQuery::new(
        r"root\CIMV2\Security\MicrosoftVolumeEncryption",
        "SELECT DriveLetter, VolumeType, ProtectionStatus, ConversionStatus, EncryptionMethod FROM Win32_EncryptableVolume",
    )
}

/// What one source says about the system volume, reduced to what decides the verdict.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SystemVolumeState {
    /// Encrypted and a key protector is on.
    Protected,
    /// Encrypted, but protection is off (suspended, or waiting for activation).
    EncryptedUnprotected,
    /// Encryption, decryption or a pause of either: not yet (or no longer) encrypted at rest.
    Converting(Conversion, Option<f32>),
    /// Not encrypted.
    Decrypted,
}

impl SystemVolumeState {
    /// Reduces a parsed volume; `Err` when the fields that decide are missing.
    pub fn of(volume: &BitLockerVolume) -> Result<SystemVolumeState, String> {
        let conversion = volume
            .conversion
            .ok_or("its conversion status was not printed")?;
        Ok(match conversion {
            Conversion::FullyDecrypted => SystemVolumeState::Decrypted,
            c if c.is_encrypted() => match volume.protection_on {
                Some(true) => SystemVolumeState::Protected,
                Some(false) => SystemVolumeState::EncryptedUnprotected,
                None => return Err("its protection status was not printed".into()),
            },
            c => SystemVolumeState::Converting(c, volume.percent_encrypted),
        })
    }
}

/// What the Windows plan read: the system drive and each source's state of it, or why the
/// source has none.
#[derive(Clone, Debug, PartialEq)]
pub struct Facts {
    /// `%SystemDrive%` (upper case, `C:` when unset or malformed).
    pub system_drive: String,
    /// The deciding source, `Win32_EncryptableVolume`.
    pub wmi: Result<SystemVolumeState, String>,
    /// The confirming source, `manage-bde -status`.
    pub bde: Result<SystemVolumeState, String>,
}

/// Runs the plan: reads both sources and records every volume they list.
pub fn gather(run: &mut ProbeRun<'_>) -> Facts {
    let system_drive = run
        .env("SystemDrive")
        .filter(|d| d.len() == 2 && d.ends_with(':'))
        .unwrap_or_else(|| "C:".to_string())
        .to_ascii_uppercase();
    run.fact("windows.system_drive", system_drive.clone());

    let bde_obs = run.run(manage_bde_status_command());
    let bde = if bde_obs.succeeded() {
        let volumes = parse_manage_bde_status(&bde_obs.stdout);
        record_volumes(run, "manage_bde", &volumes);
        system_state(&volumes, &system_drive, "manage-bde")
    } else {
        Err(bde_obs.failure_reason())
    };

    let wmi_obs = run.query_wmi(encryptable_volume_query());
    let wmi = if wmi_obs.succeeded() {
        parse_encryptable_volumes(&wmi_obs.stdout).and_then(|volumes| {
            record_volumes(run, "wmi", &volumes);
            system_state(&volumes, &system_drive, "Win32_EncryptableVolume")
        })
    } else {
        Err(wmi_obs.failure_reason())
    };
    for (source, result) in [("manage_bde", &bde), ("wmi", &wmi)] {
        if let Err(reason) = result {
            run.fact(
                format!("{source}.system_volume"),
                format!("unknown: {reason}"),
            );
        }
    }
    Facts {
        system_drive,
        wmi,
        bde,
    }
}

fn system_state(
    volumes: &[BitLockerVolume],
    system_drive: &str,
    tool: &str,
) -> Result<SystemVolumeState, String> {
    if volumes.is_empty() {
        return Err(format!(
            "{tool} printed no volume status it could read (no BitLocker on this edition, or labels in another display language)"
        ));
    }
    let volume = os_volume(volumes, system_drive)
        .ok_or_else(|| format!("{tool} did not list the system drive {system_drive}"))?;
    SystemVolumeState::of(volume).map_err(|e| format!("{tool}: the system drive's {e}"))
}

fn record_volumes(run: &mut ProbeRun<'_>, source: &str, volumes: &[BitLockerVolume]) {
    for (index, volume) in volumes.iter().enumerate() {
        let name = volume
            .mount_point
            .clone()
            .unwrap_or_else(|| format!("volume{}", index + 1));
        let mut parts = Vec::new();
        if volume.os_volume == Some(true) {
            parts.push("OS volume".to_string());
        }
        if let Some(c) = volume.conversion {
            parts.push(c.describe().to_string());
        }
        if let Some(p) = volume.percent_encrypted {
            parts.push(format!("{p}% encrypted"));
        }
        match volume.protection_on {
            Some(true) => parts.push("protection on".into()),
            Some(false) => parts.push("protection off".into()),
            None => {}
        }
        if let Some(m) = &volume.encryption_method {
            parts.push(m.clone());
        }
        if !volume.key_protectors.is_empty() {
            parts.push(format!("protectors: {}", volume.key_protectors.join(", ")));
        }
        run.fact(format!("{source}.{name}"), parts.join("; "));
    }
}
