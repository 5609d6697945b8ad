//! The Windows plan: BitLocker on the system drive, from two sources that must agree.
//!
//! * `manage-bde -status` — every volume's conversion and protection status (English labels;
//!   on other display languages its parser finds nothing and says so).
//! * `Get-BitLockerVolume | Format-List` — the same facts as enum names, in every language.
//!
//! The system drive decides the verdict (`%SystemDrive%`, normally `C:`); other fixed volumes
//! are recorded as facts. "Encrypted" alone is not enough: protection must be on, because a
//! suspended volume or one "waiting for activation" (Windows 11 automatic device encryption
//! before a recovery key is backed up) keeps its key in the clear on the disk. Both tools need
//! an administrator, which the agent is as SYSTEM; without it each fails and the answer is
//! unknown, never a guess.

pub mod parse;

use devidence_core::windows::powershell;
use devidence_core::{CommandSpec, ProbeRun, Verdict};
use parse::{
    BitLockerVolume, Conversion, os_volume, parse_bitlocker_volume_list, parse_manage_bde_status,
};

/// `manage-bde.exe -status` (all volumes).
pub fn manage_bde_status_command() -> CommandSpec {
    CommandSpec::new("manage-bde.exe", ["-status"])
}

/// The PowerShell line listing every BitLocker volume with the fields the plan reads.
pub const GET_BITLOCKER_VOLUME_SCRIPT: &str = "Get-BitLockerVolume | Format-List MountPoint,VolumeType,VolumeStatus,ProtectionStatus,EncryptionPercentage,EncryptionMethod,KeyProtector";

/// `Get-BitLockerVolume` through PowerShell.
pub fn get_bitlocker_volume_command() -> CommandSpec {
    powershell(GET_BITLOCKER_VOLUME_SCRIPT)
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

    fn same_as(self, other: SystemVolumeState) -> bool {
        match (self, other) {
            (SystemVolumeState::Converting(a, _), SystemVolumeState::Converting(b, _)) => a == b,
            (a, b) => a == b,
        }
    }
}

/// Runs the plan and returns the verdict, a one-line summary and the fix.
pub fn check(run: &mut ProbeRun<'_>) -> (Verdict, String, Option<String>) {
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

    let ps_obs = run.run(get_bitlocker_volume_command());
    let ps = if ps_obs.succeeded() {
        let volumes = parse_bitlocker_volume_list(&ps_obs.stdout);
        record_volumes(run, "get_bitlockervolume", &volumes);
        system_state(&volumes, &system_drive, "Get-BitLockerVolume")
    } else {
        Err(ps_obs.failure_reason())
    };
    for (source, result) in [("manage_bde", &bde), ("get_bitlockervolume", &ps)] {
        if let Err(reason) = result {
            run.fact(
                format!("{source}.system_volume"),
                format!("unknown: {reason}"),
            );
        }
    }
    conclude(&system_drive, bde, ps)
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

fn describe(state: SystemVolumeState) -> String {
    match state {
        SystemVolumeState::Protected => "encrypted with protection on".into(),
        SystemVolumeState::EncryptedUnprotected => "encrypted but protection is off".into(),
        SystemVolumeState::Converting(c, Some(p)) => format!("{} ({p}% encrypted)", c.describe()),
        SystemVolumeState::Converting(c, None) => c.describe().into(),
        SystemVolumeState::Decrypted => "not encrypted".into(),
    }
}

const FIX_OFF: &str = "Turn on BitLocker for the system drive in Settings > Privacy & security > Device encryption (or Control Panel > BitLocker Drive Encryption, or through Intune), then let encryption finish.";

/// Joins the two sources' view of the system volume into the verdict.
pub fn conclude(
    system_drive: &str,
    bde: Result<SystemVolumeState, String>,
    ps: Result<SystemVolumeState, String>,
) -> (Verdict, String, Option<String>) {
    let (state, source_note) = match (bde, ps) {
        (Ok(a), Ok(b)) if a.same_as(b) => (a, "manage-bde and Get-BitLockerVolume agree"),
        (Ok(a), Ok(b)) => {
            let reason = format!(
                "manage-bde says the system drive is {} but Get-BitLockerVolume says {}",
                describe(a),
                describe(b)
            );
            return (
                Verdict::unknown(reason.clone()),
                format!("Disk encryption is unknown: {reason}."),
                Some("Run `manage-bde -status` as administrator and send the output to IT; a change in progress settles after a restart.".into()),
            );
        }
        (Ok(a), Err(_)) => (
            a,
            "manage-bde alone decided: Get-BitLockerVolume gave no answer",
        ),
        (Err(_), Ok(b)) => (
            b,
            "Get-BitLockerVolume alone decided: manage-bde gave no answer",
        ),
        (Err(a), Err(b)) => {
            let reason = format!("{a}; {b}");
            return (
                Verdict::unknown(reason.clone()),
                format!("BitLocker status could not be read: {reason}."),
                Some("BitLocker status needs administrator rights: check that devidence runs as SYSTEM (its scheduled task or service), and that this Windows edition has BitLocker or device encryption.".into()),
            );
        }
    };
    let drive = system_drive;
    match state {
        SystemVolumeState::Protected => (
            Verdict::Pass,
            format!("BitLocker protects the system drive {drive}: encrypted with protection on ({source_note})."),
            None,
        ),
        SystemVolumeState::EncryptedUnprotected => (
            Verdict::Fail,
            format!("The system drive {drive} is encrypted but BitLocker protection is off, so its key is stored in the clear ({source_note})."),
            Some("Resume protection with `manage-bde -protectors -enable C:` (or Resume-BitLocker). If Windows shows \"waiting for activation\", sign in with a work or Microsoft account or let Intune back up the recovery key to finish turning BitLocker on.".into()),
        ),
        SystemVolumeState::Converting(Conversion::EncryptionInProgress, _) => (
            Verdict::Fail,
            format!("BitLocker is still encrypting the system drive {drive}: {} ({source_note}).", describe(state)),
            Some("Keep the PC on power until BitLocker finishes encrypting; the next check passes then.".into()),
        ),
        SystemVolumeState::Converting(..) | SystemVolumeState::Decrypted => (
            Verdict::Fail,
            format!("BitLocker does not protect the system drive {drive}: {} ({source_note}).", describe(state)),
            Some(FIX_OFF.into()),
        ),
    }
}
