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
//! unknown, never a guess.

pub mod parse;

use devidence_core::{CommandSpec, ProbeRun, Verdict, WmiQuery};
use parse::{BitLockerVolume, Conversion, os_volume, parse_manage_bde_status};

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

    let wmi_obs = run.query_wmi(encryptable_volume_query());
    let wmi = if wmi_obs.succeeded() {
        parse::parse_encryptable_volumes(&wmi_obs.stdout).and_then(|volumes| {
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
    conclude(&system_drive, wmi, bde)
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

/// Joins the deciding source (`wmi`, `Win32_EncryptableVolume`) and the confirming one
/// (`bde`, `manage-bde`) into the verdict.
pub fn conclude(
    system_drive: &str,
    wmi: Result<SystemVolumeState, String>,
    bde: Result<SystemVolumeState, String>,
) -> (Verdict, String, Option<String>) {
    let (state, source_note) = match (wmi, bde) {
        (Ok(a), Ok(b)) if a.same_as(b) => (
            a,
            "Win32_EncryptableVolume decided and manage-bde agrees".to_string(),
        ),
        (Ok(a), Ok(b)) => {
            let reason = format!(
                "Win32_EncryptableVolume says the system drive is {} but manage-bde says {}",
                describe(a),
                describe(b)
            );
            return (
                Verdict::unknown(reason.clone()),
                format!("Disk encryption is unknown: {reason}."),
                Some("Run `manage-bde -status` as administrator and send the output to IT; a change in progress settles after a restart.".into()),
            );
        }
        (Ok(a), Err(why)) => (
            a,
            format!("Win32_EncryptableVolume decided; manage-bde did not confirm: {why}"),
        ),
        (Err(wmi_reason), bde) => {
            let bde_note = match bde {
                Ok(b) => format!(
                    "manage-bde's display text reads {}, but it only confirms and never decides alone",
                    describe(b)
                ),
                Err(why) => why,
            };
            let reason = format!("{wmi_reason}; {bde_note}");
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
