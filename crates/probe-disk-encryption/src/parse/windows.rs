//! Pure parsers for the Windows plan: `Win32_EncryptableVolume` (numbers, the deciding source),
//! `manage-bde -status` (English text, confirming only) and `Get-BitLockerVolume | Format-List`
//! (enum names; kept for recorded evidence, no longer run).
//!
//! Both print one block per volume. `manage-bde` labels are English on English Windows only
//! (a German system prints `Konvertierungsstatus`), so its parser finds nothing there and the
//! plan relies on `Win32_EncryptableVolume`, whose values are numbers in every language.

/// Where BitLocker's conversion of a volume stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conversion {
    /// Every sector encrypted (`Fully Encrypted`, `FullyEncrypted`).
    FullyEncrypted,
    /// Every used sector encrypted (`Used Space Only Encrypted`; PowerShell says `FullyEncrypted`).
    UsedSpaceOnlyEncrypted,
    /// Not encrypted (`Fully Decrypted`).
    FullyDecrypted,
    /// Encryption under way.
    EncryptionInProgress,
    /// Decryption under way: BitLocker is being turned off.
    DecryptionInProgress,
    /// Encryption started and paused (`Encryption Paused`, `EncryptionSuspended`).
    EncryptionPaused,
    /// Decryption started and paused.
    DecryptionPaused,
}

impl Conversion {
    /// True when every sector that holds data is encrypted.
    pub fn is_encrypted(self) -> bool {
        matches!(
            self,
            Conversion::FullyEncrypted | Conversion::UsedSpaceOnlyEncrypted
        )
    }

    fn from_manage_bde(text: &str) -> Option<Conversion> {
        Some(match text.trim().to_ascii_lowercase().as_str() {
            "fully encrypted" => Conversion::FullyEncrypted,
            "used space only encrypted" => Conversion::UsedSpaceOnlyEncrypted,
            "fully decrypted" => Conversion::FullyDecrypted,
            "encryption in progress" => Conversion::EncryptionInProgress,
            "decryption in progress" => Conversion::DecryptionInProgress,
            "encryption paused" => Conversion::EncryptionPaused,
            "decryption paused" => Conversion::DecryptionPaused,
            _ => return None,
        })
    }

    fn from_volume_status(text: &str) -> Option<Conversion> {
        Some(match text.trim().to_ascii_lowercase().as_str() {
            "fullyencrypted" => Conversion::FullyEncrypted,
            "fullydecrypted" => Conversion::FullyDecrypted,
            "encryptioninprogress" => Conversion::EncryptionInProgress,
            "decryptioninprogress" => Conversion::DecryptionInProgress,
            "encryptionsuspended" => Conversion::EncryptionPaused,
            "decryptionsuspended" => Conversion::DecryptionPaused,
            _ => return None,
        })
    }

    /// The state in plain words.
    pub fn describe(self) -> &'static str {
        match self {
            Conversion::FullyEncrypted => "fully encrypted",
            Conversion::UsedSpaceOnlyEncrypted => "used space encrypted",
            Conversion::FullyDecrypted => "not encrypted",
            Conversion::EncryptionInProgress => "encryption in progress",
            Conversion::DecryptionInProgress => "decryption in progress",
            Conversion::EncryptionPaused => "encryption paused",
            Conversion::DecryptionPaused => "decryption paused",
        }
    }
}

/// One volume as either tool reports it. Fields a tool did not print are `None`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BitLockerVolume {
    /// Drive letter with colon (`C:`), when printed.
    pub mount_point: Option<String>,
    /// True for the volume Windows runs from (`[OS Volume]`, `VolumeType : OperatingSystem`).
    pub os_volume: Option<bool>,
    /// Conversion state.
    pub conversion: Option<Conversion>,
    /// Percentage encrypted (decimal comma accepted).
    pub percent_encrypted: Option<f32>,
    /// Whether a key protector guards the volume key; `Some(false)` is suspended protection or
    /// "waiting for activation" (the key stored in the clear).
    pub protection_on: Option<bool>,
    /// Encryption method as printed (`XTS-AES 128`, `XtsAes128`).
    pub encryption_method: Option<String>,
    /// Key protector types (`TPM`, `Numerical Password`; never their secrets).
    pub key_protectors: Vec<String>,
}

fn percent(text: &str) -> Option<f32> {
    let first = text.split_whitespace().next()?;
    first
        .trim_end_matches('%')
        .replace(',', ".")
        .parse::<f32>()
        .ok()
}

/// Parses `manage-bde -status [drive]`. A block starts at `Volume X: [label]`; an output
/// without that header (a pasted excerpt) is one volume with no mount point. Volumes with no
/// recognised field are dropped, so non-English output yields an empty list.
pub fn parse_manage_bde_status(text: &str) -> Vec<BitLockerVolume> {
    let mut volumes: Vec<BitLockerVolume> = Vec::new();
    let mut current: Option<BitLockerVolume> = None;
    let mut in_protectors = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if let Some(rest) = trimmed.strip_prefix("Volume ")
            && rest.get(1..2) == Some(":")
            && !line.starts_with(' ')
        {
            volumes.extend(current.take());
            current = Some(BitLockerVolume {
                mount_point: rest.get(..2).map(str::to_ascii_uppercase),
                ..BitLockerVolume::default()
            });
            in_protectors = false;
            continue;
        }
        let volume = current.get_or_insert_with(BitLockerVolume::default);
        if trimmed.eq_ignore_ascii_case("[OS Volume]") {
            volume.os_volume = Some(true);
            continue;
        }
        if trimmed.eq_ignore_ascii_case("[Data Volume]") {
            volume.os_volume = Some(false);
            continue;
        }
        let Some((label, value)) = trimmed.split_once(':') else {
            if in_protectors && !trimmed.is_empty() {
                volume.key_protectors.push(trimmed.to_string());
            }
            continue;
        };
        let value = value.trim();
        in_protectors = false;
        match label.trim().to_ascii_lowercase().as_str() {
            "conversion status" => volume.conversion = Conversion::from_manage_bde(value),
            "percentage encrypted" => volume.percent_encrypted = percent(value),
            "encryption method" => volume.encryption_method = Some(value.to_string()),
            "protection status" => {
                let lower = value.to_ascii_lowercase();
                volume.protection_on = if lower.starts_with("protection on") {
                    Some(true)
                } else if lower.starts_with("protection off") {
                    Some(false)
                } else {
                    None
                };
            }
            "key protectors" => {
                in_protectors = value.is_empty();
                let found = value.trim_end_matches('`');
                if !found.is_empty() && !found.eq_ignore_ascii_case("none found") {
                    volume.key_protectors.push(found.to_string());
                }
            }
            _ => {}
        }
    }
    volumes.extend(current);
    volumes.retain(|v| v.conversion.is_some() || v.protection_on.is_some());
    volumes
}

/// Parses `Get-BitLockerVolume | Format-List …`: blocks of `Name : Value` lines separated by
/// blank lines. Values are enum names (`FullyEncrypted`, `On`), the same in every language.
pub fn parse_bitlocker_volume_list(text: &str) -> Vec<BitLockerVolume> {
    let mut volumes = Vec::new();
    let mut current = BitLockerVolume::default();
    let mut seen_any = false;
    for line in text.lines().chain(std::iter::once("")) {
        // `Name : Value`, the name one word (PowerShell property names have no spaces).
        let field = line
            .split_once(':')
            .map(|(name, value)| (name.trim(), value))
            .filter(|(name, _)| !name.is_empty() && !name.contains(char::is_whitespace));
        let Some((name, value)) = field else {
            if line.trim().is_empty() && seen_any {
                volumes.push(std::mem::take(&mut current));
                seen_any = false;
            }
            continue;
        };
        let value = value.trim();
        match name.to_ascii_lowercase().as_str() {
            "mountpoint" => current.mount_point = Some(value.to_ascii_uppercase()),
            "volumetype" => current.os_volume = Some(value.eq_ignore_ascii_case("OperatingSystem")),
            "volumestatus" => current.conversion = Conversion::from_volume_status(value),
            "protectionstatus" => {
                current.protection_on = match value.to_ascii_lowercase().as_str() {
                    "on" => Some(true),
                    "off" => Some(false),
                    _ => None,
                }
            }
            "encryptionpercentage" => current.percent_encrypted = percent(value),
            "encryptionmethod" => current.encryption_method = Some(value.to_string()),
            "keyprotector" => {
                current.key_protectors = value
                    .trim_matches(|c| c == '{' || c == '}')
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect();
            }
            _ => {}
        }
        seen_any = true;
    }
    volumes.retain(|v| v.conversion.is_some() || v.protection_on.is_some());
    volumes
}

/// The volume Windows runs from: the one marked as the OS volume, else the one mounted at
/// `system_drive`. `None` when neither is printed (never a guess).
pub fn os_volume<'a>(
    volumes: &'a [BitLockerVolume],
    system_drive: &str,
) -> Option<&'a BitLockerVolume> {
    volumes
        .iter()
        .find(|v| v.os_volume == Some(true))
        .or_else(|| {
            volumes.iter().find(|v| {
                v.mount_point
                    .as_deref()
                    .is_some_and(|m| m.eq_ignore_ascii_case(system_drive))
            })
        })
}

/// `Win32_EncryptableVolume.EncryptionMethod` by number, as Microsoft documents it.
pub fn encryption_method_name(code: u32) -> Option<&'static str> {
    Some(match code {
        0 => "none",
        1 => "AES 128 with diffuser",
        2 => "AES 256 with diffuser",
        3 => "AES 128",
        4 => "AES 256",
        5 => "hardware encryption",
        6 => "XTS-AES 128",
        7 => "XTS-AES 256",
        _ => return None,
    })
}

/// Parses `Win32_EncryptableVolume` instances (`ConvertTo-Json`, `Format-List` or `wmic`):
/// the numeric `ConversionStatus`, `ProtectionStatus` and `VolumeType`, which read the same in
/// every display language. `Err` when the text is not a list of volumes, or when a volume's
/// deciding numbers are missing or outside the documented ranges (fail closed: never guessed).
///
/// * `ConversionStatus`: 0 fully decrypted, 1 fully encrypted, 2 encryption in progress,
///   3 decryption in progress, 4 encryption paused, 5 decryption paused.
/// * `ProtectionStatus`: 0 off, 1 on, 2 unknown (the volume is locked).
/// * `VolumeType`: 0 the operating-system volume, 1 fixed data, 2 portable data.
pub fn parse_encryptable_volumes(text: &str) -> Result<Vec<BitLockerVolume>, String> {
    let blocks = devidence_core::windows::parse_property_blocks(text)?;
    let blocks: Vec<_> = blocks
        .iter()
        .filter(|b| b.contains_key("conversionstatus") || b.contains_key("protectionstatus"))
        .collect();
    if blocks.is_empty() {
        return Err("Win32_EncryptableVolume listed no volume with a ConversionStatus".into());
    }
    let number = |block: &devidence_core::windows::PropertyBlock, key: &str| -> Option<u32> {
        block.get(key).and_then(|v| v.trim().parse().ok())
    };
    let mut volumes = Vec::new();
    for block in blocks {
        let letter = block
            .get("driveletter")
            .map(|l| l.trim().to_ascii_uppercase())
            .filter(|l| !l.is_empty());
        let name = letter.clone().unwrap_or_else(|| "a volume".into());
        let conversion = match number(block, "conversionstatus") {
            Some(0) => Conversion::FullyDecrypted,
            Some(1) => Conversion::FullyEncrypted,
            Some(2) => Conversion::EncryptionInProgress,
            Some(3) => Conversion::DecryptionInProgress,
            Some(4) => Conversion::EncryptionPaused,
            Some(5) => Conversion::DecryptionPaused,
            _ => {
                return Err(format!(
                    "{name}: ConversionStatus `{}` is not one of the documented values 0-5",
                    block.get("conversionstatus").map_or("", String::as_str)
                ));
            }
        };
        let protection_on = match number(block, "protectionstatus") {
            Some(0) => Some(false),
            Some(1) => Some(true),
            // 2: "unknown" (locked); absent: not printed. Neither is a reading.
            _ => None,
        };
        let os_volume = match number(block, "volumetype") {
            Some(0) => Some(true),
            Some(1 | 2) => Some(false),
            _ => None,
        };
        volumes.push(BitLockerVolume {
            mount_point: letter,
            os_volume,
            conversion: Some(conversion),
            percent_encrypted: None,
            protection_on,
            encryption_method: number(block, "encryptionmethod")
                .and_then(encryption_method_name)
                .map(str::to_string),
            key_protectors: Vec::new(),
        });
    }
    Ok(volumes)
}
