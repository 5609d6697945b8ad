//! Pure parsers for the Linux sources the disk-encryption plan reads: mountinfo, sysfs,
//! `lsblk -J`, `cryptsetup status`, crypttab, `/proc/swaps`, `zfs get`. Text in, facts out.

use serde::Deserialize;

/// One line of `/proc/self/mountinfo`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mount {
    /// `major:minor` of the device (`0:N` for btrfs subvolumes, ZFS, overlay, …).
    pub dev: String,
    /// Where it is mounted.
    pub mount_point: String,
    /// Filesystem type.
    pub fstype: String,
    /// Mount source (`/dev/mapper/vg-root`, `rpool/ROOT/ubuntu`, `overlay`, …).
    pub source: String,
}

/// Parses `/proc/self/mountinfo` (see proc(5)); malformed lines are skipped.
pub fn mountinfo(text: &str) -> Vec<Mount> {
    text.lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split(' ').collect();
            let dash = fields.iter().position(|f| *f == "-")?;
            if dash < 6 || fields.len() < dash + 3 {
                return None;
            }
            Some(Mount {
                dev: fields[2].to_string(),
                mount_point: unescape(fields[4]),
                fstype: fields[dash + 1].to_string(),
                source: unescape(fields[dash + 2]),
            })
        })
        .collect()
}

/// The mount that is visible at `mount_point` (the last one mounted there), if it is a mount.
pub fn mount_at<'a>(mounts: &'a [Mount], mount_point: &str) -> Option<&'a Mount> {
    mounts.iter().rev().find(|m| m.mount_point == mount_point)
}

/// Undoes the octal escapes (`\040` for a space) of mountinfo fields.
fn unescape(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' && i + 4 <= bytes.len() {
            let digits = &bytes[i + 1..i + 4];
            if digits.iter().all(|b| (b'0'..=b'7').contains(b)) {
                let value = digits
                    .iter()
                    .fold(0u32, |acc, d| acc * 8 + u32::from(d - b'0'));
                if let Ok(v) = u8::try_from(value) {
                    out.push(v);
                    i += 4;
                    continue;
                }
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The `DEVNAME=` of a sysfs `uevent` file (`dm-0`, `nvme0n1p3`, …).
pub fn uevent_devname(text: &str) -> Option<String> {
    text.lines()
        .find_map(|l| l.strip_prefix("DEVNAME="))
        .map(|v| v.trim().trim_start_matches("/dev/").to_string())
        .filter(|v| !v.is_empty())
}

/// What a device-mapper uuid (`/sys/class/block/dm-N/dm/uuid`) says about its layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DmLayer {
    /// dm-crypt: `LUKS1`, `LUKS2`, `PLAIN`, `BITLK`, `TCRYPT`, …
    Crypt(String),
    /// LVM logical volume.
    Lvm,
    /// Any other target (multipath, raid, verity, …), with its uuid prefix.
    Other(String),
}

/// Classifies a device-mapper uuid. cryptsetup names its devices `CRYPT-<TYPE>-<uuid>-<name>`
/// (`CRYPT-LUKS2-…`, `CRYPT-PLAIN-…`); LVM uses `LVM-<vg uuid><lv uuid>`.
pub fn dm_layer(uuid: &str) -> DmLayer {
    let uuid = uuid.trim();
    if let Some(rest) = uuid.strip_prefix("CRYPT-") {
        let kind = rest.split('-').next().unwrap_or("unknown");
        DmLayer::Crypt(kind.to_string())
    } else if uuid.starts_with("LVM-") {
        DmLayer::Lvm
    } else {
        DmLayer::Other(uuid.split('-').next().unwrap_or(uuid).to_string())
    }
}

/// A node of `lsblk -J -s` output (the inverse tree: a device, then what it sits on).
#[derive(Clone, Debug, Deserialize)]
pub struct LsblkNode {
    /// Device path.
    pub name: String,
    /// `disk`, `part`, `crypt`, `lvm`, `raid1`, `loop`, …
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    /// Filesystem or signature on it (`crypto_LUKS`, `LVM2_member`, `ext4`, …).
    #[serde(default)]
    pub fstype: Option<String>,
    /// What it sits on (with `-s`) or what sits on it (without).
    #[serde(default)]
    pub children: Vec<LsblkNode>,
}

#[derive(Deserialize)]
struct LsblkRoot {
    blockdevices: Vec<LsblkNode>,
}

/// Parses `lsblk -J` output.
pub fn lsblk(text: &str) -> Result<Vec<LsblkNode>, String> {
    serde_json::from_str::<LsblkRoot>(text)
        .map(|r| r.blockdevices)
        .map_err(|e| format!("unreadable lsblk JSON: {e}"))
}

/// With `lsblk -s` (device first, then what it sits on): true when every path from the
/// device down to a disk passes through a `crypt` layer.
pub fn every_path_has_crypt(node: &LsblkNode) -> bool {
    if node.kind.as_deref() == Some("crypt") {
        return true;
    }
    !node.children.is_empty() && node.children.iter().all(every_path_has_crypt)
}

/// The chain of an inverse tree, for people: `dm-1 (lvm) ← dm-0 (crypt) ← nvme0n1p3 (part)`.
pub fn describe_chain(node: &LsblkNode) -> String {
    let mut parts = Vec::new();
    let mut current = Some(node);
    while let Some(n) = current {
        parts.push(format!("{} ({})", n.name, n.kind.as_deref().unwrap_or("?")));
        current = n.children.first();
    }
    parts.join(" ← ")
}

/// The node of an `lsblk -s` listing that is `source` itself (lsblk may list more than one
/// tree, and a symlinked source such as `/dev/mapper/x` is printed under its resolved name
/// only when `-p` is not given): `None` when no top-level node names it.
pub fn lsblk_node_for<'a>(nodes: &'a [LsblkNode], source: &str) -> Option<&'a LsblkNode> {
    nodes.iter().find(|n| n.name == source)
}

/// What `cryptsetup status <name>` says about a mapping.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CryptsetupStatus {
    /// `… is active` (`… is active and is in use.`) versus `… is inactive.`
    pub active: bool,
    /// `type:` (`LUKS2`, `LUKS1`, `PLAIN`, `TCRYPT`, `BITLK`).
    pub kind: Option<String>,
    /// `cipher:` (`aes-xts-plain64`).
    pub cipher: Option<String>,
    /// `keysize:` (`512 bits`).
    pub keysize: Option<String>,
    /// `device:` the underlying block device.
    pub device: Option<String>,
}

/// Parses `cryptsetup status`; `Err` when the text is neither an active nor an inactive
/// mapping's report (fail closed: the caller treats that as no confirmation).
pub fn cryptsetup_status(text: &str) -> Result<CryptsetupStatus, String> {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or("");
    let mut status = CryptsetupStatus::default();
    if first.ends_with(" is inactive.") {
        return Ok(status);
    }
    if !(first.ends_with(" is active.") || first.contains(" is active and is in use")) {
        return Err(format!(
            "cryptsetup printed `{}`, not a mapping's status",
            first.chars().take(120).collect::<String>()
        ));
    }
    status.active = true;
    for line in lines {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = Some(value.trim().to_string()).filter(|v| !v.is_empty());
        match key.trim() {
            "type" => status.kind = value,
            "cipher" => status.cipher = value,
            "keysize" => status.keysize = value,
            "device" => status.device = value,
            _ => {}
        }
    }
    Ok(status)
}

/// The mapping names in `/etc/crypttab` (first column; never the key field).
pub fn crypttab_names(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

/// Swap areas from `/proc/swaps`: (file name, type).
pub fn swaps(text: &str) -> Vec<(String, String)> {
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            Some((f.next()?.to_string(), f.next()?.to_string()))
        })
        .collect()
}

/// ZFS encryption state from `zfs get -H -o property,value encryption,keystatus DATASET`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZfsEncryption {
    /// `off`, `aes-256-gcm`, …
    pub encryption: String,
    /// `available`, `unavailable`, `-` (not encrypted).
    pub keystatus: String,
}

/// Parses `zfs get -H -o property,value encryption,keystatus` (tab-separated lines).
pub fn zfs_encryption(text: &str) -> Option<ZfsEncryption> {
    let value = |key: &str| {
        text.lines().find_map(|l| {
            l.split_once('\t')
                .filter(|(k, _)| k.trim() == key)
                .map(|(_, v)| v.trim().to_string())
        })
    };
    Some(ZfsEncryption {
        encryption: value("encryption")?,
        keystatus: value("keystatus").unwrap_or_else(|| "-".into()),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn mountinfo_fields_and_escapes() {
        let text = "36 35 98:0 /mnt1 /mnt\\0402 rw,noatime master:1 - ext3 /dev/root rw,errors=continue\n\
                    29 1 0:26 /@ / rw,relatime shared:1 - btrfs /dev/mapper/luks-1234 rw,ssd\n\
                    garbage\n";
        let mounts = mountinfo(text);
        assert_eq!(mounts.len(), 2);
        assert_eq!(mounts[0].mount_point, "/mnt 2");
        assert_eq!(mounts[0].dev, "98:0");
        assert_eq!(
            mount_at(&mounts, "/").map(|m| m.source.as_str()),
            Some("/dev/mapper/luks-1234")
        );
    }

    #[test]
    fn dm_uuids_are_classified() {
        // Published in linux-system-roles/storage#141 (udev DM_UUID of a LUKS2 mapping).
        let luks2 = "CRYPT-LUKS2-d1731709dfb24096a9c06e332d6e95e5-luks-d1731709-dfb2-4096-a9c0-6e332d6e95e5";
        assert_eq!(dm_layer(luks2), DmLayer::Crypt("LUKS2".into()));
        assert_eq!(
            dm_layer("CRYPT-PLAIN-cryptswap"),
            DmLayer::Crypt("PLAIN".into())
        );
        assert_eq!(dm_layer("LVM-abc"), DmLayer::Lvm);
        assert_eq!(dm_layer("mpath-3600"), DmLayer::Other("mpath".into()));
    }

    #[test]
    fn crypttab_names_never_keys() {
        let text = "# <target> <source> <key> <options>\nsda3_crypt UUID=1234 none luks,discard\n\ncryptswap /dev/sdb1 /dev/urandom swap\n";
        assert_eq!(crypttab_names(text), ["sda3_crypt", "cryptswap"]);
    }

    #[test]
    fn zfs_get_output() {
        let z = zfs_encryption("encryption\taes-256-gcm\nkeystatus\tavailable\n").unwrap();
        assert_eq!(z.encryption, "aes-256-gcm");
        assert_eq!(z.keystatus, "available");
        assert!(zfs_encryption("garbage").is_none());
    }
}
