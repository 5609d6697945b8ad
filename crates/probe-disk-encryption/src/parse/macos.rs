//! Pure parsers for the macOS plan: `fdesetup status` and `diskutil apfs list -plist`.

use devidence_core::macos::{parse_plist, plist_bool};

/// What `fdesetup status` says about FileVault on the boot volume.
#[derive(Clone, Debug, PartialEq)]
pub enum FdeStatus {
    /// `FileVault is On.` with nothing in progress.
    On,
    /// `FileVault is Off.`
    Off,
    /// `Encryption in progress: Percent completed = N` (N when printed; `Pending` while on battery).
    Encrypting(Option<f32>),
    /// `Decryption in progress: …`: FileVault is being turned off.
    Decrypting(Option<f32>),
    /// `FileVault is Off, but will be enabled after the next restart.` or deferred enablement.
    PendingRestart,
}

impl FdeStatus {
    /// The state in words, as the facts and summaries print it: `on`, `off`, `encryption in
    /// progress (45.2%)`, `decryption in progress (pending)`, ….
    pub fn describe(&self) -> String {
        let pct = |p: &Option<f32>| p.map_or_else(|| "pending".to_string(), |p| format!("{p}%"));
        match self {
            FdeStatus::On => "on".into(),
            FdeStatus::Off => "off".into(),
            FdeStatus::Encrypting(p) => format!("encryption in progress ({})", pct(p)),
            FdeStatus::Decrypting(p) => format!("decryption in progress ({})", pct(p)),
            FdeStatus::PendingRestart => "off, turns on after the next restart".into(),
        }
    }
}

/// Parses `fdesetup status`. Extra lines (master keychain, restart notes) are ignored unless
/// they change the state. `None` when no known state line is present.
pub fn parse_fdesetup_status(text: &str) -> Option<FdeStatus> {
    let percent = |line: &str| {
        line.rsplit('=')
            .next()
            .and_then(|n| n.trim().trim_end_matches('%').parse::<f32>().ok())
    };
    let mut state = None;
    for line in text.lines().map(str::trim) {
        let lower = line.to_ascii_lowercase();
        if lower.starts_with("encryption in progress") {
            return Some(FdeStatus::Encrypting(percent(line)));
        }
        if lower.starts_with("decryption in progress") {
            return Some(FdeStatus::Decrypting(percent(line)));
        }
        if lower.starts_with("filevault is off, but will be enabled")
            || lower.starts_with("deferred enablement appears to be active")
        {
            state = Some(FdeStatus::PendingRestart);
        } else if lower.starts_with("filevault is on") && state.is_none() {
            state = Some(FdeStatus::On);
        } else if lower.starts_with("filevault is off") && state.is_none() {
            state = Some(FdeStatus::Off);
        }
    }
    state
}

/// One APFS volume as `diskutil apfs list -plist` describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApfsVolume {
    /// e.g. `disk3s5`.
    pub device: String,
    /// The volume's name, e.g. `Macintosh HD - Data`.
    pub name: String,
    /// Its roles: `System`, `Data`, `Preboot`, … (empty for a plain volume).
    pub roles: Vec<String>,
    /// `FileVault`: encrypted with a user-unlockable (FileVault) key.
    pub filevault: Option<bool>,
    /// `Encryption`: encrypted at all (hardware-keyed volumes are `true` without FileVault).
    pub encryption: Option<bool>,
    /// `CryptoMigrationOn`: encryption or decryption is under way.
    pub crypto_migration: Option<bool>,
}

/// One APFS container and its volumes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApfsContainer {
    /// e.g. `disk3`.
    pub reference: String,
    /// Its volumes, in printed order.
    pub volumes: Vec<ApfsVolume>,
}

/// Parses `diskutil apfs list -plist`.
pub fn parse_apfs_list(text: &str) -> Result<Vec<ApfsContainer>, String> {
    let root = parse_plist(text)?;
    let containers = root
        .as_dictionary()
        .and_then(|d| d.get("Containers"))
        .and_then(|c| c.as_array())
        .ok_or("the output has no Containers list")?;
    let string = |d: &plist::Dictionary, key: &str| {
        d.get(key)
            .and_then(|v| v.as_string())
            .unwrap_or_default()
            .to_string()
    };
    Ok(containers
        .iter()
        .filter_map(|c| c.as_dictionary())
        .map(|c| ApfsContainer {
            reference: string(c, "ContainerReference"),
            volumes: c
                .get("Volumes")
                .and_then(|v| v.as_array())
                .map(|volumes| {
                    volumes
                        .iter()
                        .filter_map(|v| v.as_dictionary())
                        .map(|v| ApfsVolume {
                            device: string(v, "DeviceIdentifier"),
                            name: string(v, "Name"),
                            roles: v
                                .get("Roles")
                                .and_then(|r| r.as_array())
                                .map(|r| {
                                    r.iter()
                                        .filter_map(|s| s.as_string().map(str::to_string))
                                        .collect()
                                })
                                .unwrap_or_default(),
                            filevault: v.get("FileVault").and_then(plist_bool),
                            encryption: v.get("Encryption").and_then(plist_bool),
                            crypto_migration: v.get("CryptoMigrationOn").and_then(plist_bool),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect())
}

/// The volume that holds the person's data on the boot volume group: the `Data` volume of
/// the container that also holds a `System` volume (macOS 10.15 and later). `None` when no
/// container has a System/Data group (macOS 10.14 and older have a single boot volume with
/// no role, which the listing alone cannot tell apart from other volumes).
pub fn boot_data_volume(containers: &[ApfsContainer]) -> Option<(&ApfsContainer, &ApfsVolume)> {
    containers.iter().find_map(|c| {
        let has_system = c
            .volumes
            .iter()
            .any(|v| v.roles.iter().any(|r| r == "System"));
        has_system
            .then(|| {
                c.volumes
                    .iter()
                    .find(|v| v.roles.iter().any(|r| r == "Data"))
            })
            .flatten()
            .map(|v| (c, v))
    })
}
