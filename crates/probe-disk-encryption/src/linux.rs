//! The Linux plan: which volumes must be encrypted, and how each one's device chain is read.
//!
//! For `/` and for `/home` and `/var` when they are separate mounts: find the mount in
//! `/proc/self/mountinfo`, resolve its block device through `/sys/dev/block/MAJ:MIN/uevent`,
//! then walk down through `/sys/class/block/<dev>/slaves/` reading each layer's `dm/uuid`
//! until a dm-crypt layer (`CRYPT-…`) or a bare disk/partition is reached. Every branch must
//! reach a crypt layer (an LVM volume spread over two disks is encrypted only if both are).
//! `lsblk -J -s` is read too, as a cross-check and as the fallback when sysfs is unreadable;
//! it reads the node that is the mount's own source, never merely the first one listed.
//! Each dm-crypt layer found is confirmed with `cryptsetup status <mapping>`: when it answers
//! that the mapping is inactive the volume is unknown (the sources disagree); when it cannot
//! answer (not root, not installed) its silence is recorded and sysfs decides.
//! ZFS datasets are read with `zfs get encryption,keystatus`.
//!
//! The plan ends with each volume's [`VolumeState`]; [`crate::policy::conclude_linux`] turns
//! those into the verdict.

use crate::parse::linux::{self as parse, DmLayer, Mount};
use devidence_core::{CommandSpec, ProbeRun};
use std::time::Duration;

/// Filesystems that are not backed by a local block device we can judge.
const VIRTUAL_FS: [&str; 9] = [
    "overlay", "tmpfs", "aufs", "9p", "virtiofs", "nfs", "nfs4", "cifs", "squashfs",
];

/// Deepest device stack walked (disk → part → crypt → lvm → … ); deeper means a loop.
const MAX_DEPTH: usize = 8;

/// How one volume's encryption reads, as far as the plan could read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VolumeState {
    /// On an encryption layer (what it is, and the chain for people).
    Encrypted(String),
    /// The whole chain was walked and no branch-complete encryption layer was found.
    Plain(String),
    /// Could not be read, and why.
    Unknown(String),
}

/// What the Linux plan read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Facts {
    /// `/proc/self/mountinfo` could not be read, and why.
    NoMountTable(String),
    /// The mount table lists no root (`/`) filesystem.
    NoRoot,
    /// Each volume that must be encrypted (`/`, then `/home` and `/var` when they are separate
    /// mounts), by mount point, with how its device chain reads.
    Volumes(Vec<(String, VolumeState)>),
}

/// Runs the Linux plan: finds the volumes that must be encrypted and walks each one's chain.
pub fn gather(run: &mut ProbeRun<'_>) -> Facts {
    let mountinfo = run.read_file("/proc/self/mountinfo");
    if !mountinfo.succeeded() {
        return Facts::NoMountTable(mountinfo.failure_reason());
    }
    let mounts = parse::mountinfo(&mountinfo.stdout);
    let mut targets = Vec::new();
    for point in ["/", "/home", "/var"] {
        if let Some(m) = parse::mount_at(&mounts, point) {
            targets.push(m.clone());
        }
    }
    if targets.first().map(|m| m.mount_point.as_str()) != Some("/") {
        return Facts::NoRoot;
    }
    record_crypttab(run);
    record_swap(run);

    let mut states = Vec::new();
    for mount in &targets {
        let state = read_volume(run, mount);
        let key = format!("volume.{}", mount.mount_point);
        run.fact(format!("{key}.source"), mount.source.clone());
        run.fact(format!("{key}.fstype"), mount.fstype.clone());
        match &state {
            VolumeState::Encrypted(how) => run.fact(format!("{key}.encryption"), how.clone()),
            VolumeState::Plain(chain) => {
                run.fact(format!("{key}.encryption"), format!("none ({chain})"))
            }
            VolumeState::Unknown(why) => {
                run.fact(format!("{key}.encryption"), format!("unknown: {why}"))
            }
        }
        states.push((mount.mount_point.clone(), state));
    }
    Facts::Volumes(states)
}

/// Reads how the volume mounted by `mount` is encrypted: ZFS properties, or the sysfs chain
/// cross-checked with lsblk.
fn read_volume(run: &mut ProbeRun<'_>, mount: &Mount) -> VolumeState {
    if VIRTUAL_FS.contains(&mount.fstype.as_str()) || mount.fstype.starts_with("fuse") {
        return VolumeState::Unknown(format!(
            "{} is a {} filesystem, not a local disk (a container or network mount); check the host or server that provides it",
            mount.mount_point, mount.fstype
        ));
    }
    if mount.fstype == "zfs" {
        return read_zfs(run, &mount.source);
    }
    let sysfs = device_name(run, mount).map(|dev| walk(run, &dev, 0));
    let lsblk = read_lsblk(run, &mount.source);
    match (sysfs, lsblk) {
        (Some(Ok(state)), lsblk) => {
            if let Some(Ok(other)) = lsblk
                && std::mem::discriminant(&other) != std::mem::discriminant(&state)
            {
                run.fact(
                    format!("volume.{}.cross_check", mount.mount_point),
                    format!("lsblk disagrees with sysfs: {other:?}; sysfs (the kernel's own view) decides"),
                );
            }
            state
        }
        (sysfs, Some(Ok(state))) => {
            if let Some(Err(why)) = sysfs {
                run.fact(format!("volume.{}.sysfs", mount.mount_point), why);
            }
            state
        }
        (Some(Err(why)), _) | (None, Some(Err(why))) => VolumeState::Unknown(why),
        (None, None) => VolumeState::Unknown(format!(
            "the block device behind {} ({}) could not be identified",
            mount.mount_point, mount.source
        )),
    }
}

/// The kernel name (`dm-0`, `nvme0n1p3`) of the mount's device.
fn device_name(run: &mut ProbeRun<'_>, mount: &Mount) -> Option<String> {
    if !mount.dev.starts_with("0:") {
        let uevent = run.read_file(&format!("/sys/dev/block/{}/uevent", mount.dev));
        if uevent.succeeded() {
            return parse::uevent_devname(&uevent.stdout);
        }
    }
    // btrfs reports an anonymous device number; use the source when it names a kernel device.
    let name = mount.source.strip_prefix("/dev/")?;
    (!name.contains('/')).then(|| name.to_string())
}

/// Walks from `dev` down its slaves. `Ok(Encrypted)` when every branch meets a crypt layer,
/// `Ok(Plain)` when a branch reaches a disk without one.
fn walk(run: &mut ProbeRun<'_>, dev: &str, depth: usize) -> Result<VolumeState, String> {
    if depth > MAX_DEPTH {
        return Err(format!(
            "the device stack under {dev} is deeper than {MAX_DEPTH} layers"
        ));
    }
    let base = format!("/sys/class/block/{dev}");
    let uevent = run.read_file(&format!("{base}/uevent"));
    if !uevent.succeeded() {
        return Err(format!(
            "sysfs has no readable entry for {dev} ({})",
            uevent.failure_reason()
        ));
    }
    let uuid = run.read_file(&format!("{base}/dm/uuid"));
    if uuid.succeeded()
        && let DmLayer::Crypt(kind) = parse::dm_layer(&uuid.stdout)
    {
        let kind = match kind.as_str() {
            "PLAIN" => "plain dm-crypt".to_string(),
            k => k.to_string(),
        };
        confirm_with_cryptsetup(run, dev)?;
        return Ok(VolumeState::Encrypted(format!(
            "{kind} (dm-crypt device {dev})"
        )));
    }
    let slaves = run.list_dir(&format!("{base}/slaves"));
    let below: Vec<String> = if slaves.succeeded() {
        slaves
            .stdout
            .lines()
            .map(str::to_string)
            .filter(|s| !s.is_empty())
            .collect()
    } else {
        Vec::new()
    };
    if below.is_empty() {
        return Ok(VolumeState::Plain(format!(
            "/dev/{dev} has no encryption layer"
        )));
    }
    let mut encrypted = Vec::new();
    for slave in below {
        match walk(run, &slave, depth + 1)? {
            VolumeState::Encrypted(how) => encrypted.push(how),
            VolumeState::Plain(_) => {
                return Ok(VolumeState::Plain(format!(
                    "/dev/{dev} sits on /dev/{slave}, which is not encrypted"
                )));
            }
            VolumeState::Unknown(why) => return Err(why),
        }
    }
    Ok(VolumeState::Encrypted(format!(
        "{} under /dev/{dev}",
        encrypted.join(" and ")
    )))
}

/// Asks `cryptsetup status` about the mapping behind the dm-crypt device `dev` (its name from
/// `/sys/class/block/<dev>/dm/name`). Records what it says; `Err` only when it answers that
/// the mapping is not active, which contradicts the kernel's own view.
fn confirm_with_cryptsetup(run: &mut ProbeRun<'_>, dev: &str) -> Result<(), String> {
    let name = run.read_file(&format!("/sys/class/block/{dev}/dm/name"));
    let Some(name) = name
        .succeeded()
        .then(|| name.stdout.trim().to_string())
        .filter(|n| !n.is_empty() && !n.contains('/'))
    else {
        run.fact(
            format!("cryptsetup.{dev}"),
            "not asked: the mapping's name could not be read from sysfs",
        );
        return Ok(());
    };
    let obs = run.run(
        CommandSpec::new("cryptsetup", ["status", name.as_str()]).deadline(Duration::from_secs(10)),
    );
    // Exit 4 is cryptsetup's "inactive" answer; anything else without output is silence.
    let answered = obs.outcome == devidence_core::Outcome::Completed
        && (obs.exit_code == Some(0) || obs.exit_code == Some(4));
    if !answered {
        run.fact(
            format!("cryptsetup.{name}"),
            format!("no confirmation: {}", obs.failure_reason()),
        );
        return Ok(());
    }
    match parse::cryptsetup_status(&obs.stdout) {
        Ok(status) if status.active => {
            let mut parts = vec!["active".to_string()];
            parts.extend(status.kind.iter().map(|k| format!("type {k}")));
            parts.extend(status.cipher.iter().map(|c| format!("cipher {c}")));
            parts.extend(status.keysize.iter().map(|k| format!("key {k}")));
            parts.extend(status.device.iter().map(|d| format!("on {d}")));
            run.fact(format!("cryptsetup.{name}"), parts.join(", "));
            Ok(())
        }
        Ok(_) => Err(format!(
            "sysfs shows {dev} as a dm-crypt layer but `cryptsetup status {name}` says the mapping is inactive"
        )),
        Err(why) => {
            run.fact(
                format!("cryptsetup.{name}"),
                format!("no confirmation: {why}"),
            );
            Ok(())
        }
    }
}

/// The `lsblk -s` view of the source; None when the source is not a device path.
fn read_lsblk(run: &mut ProbeRun<'_>, source: &str) -> Option<Result<VolumeState, String>> {
    if !source.starts_with("/dev/") {
        return None;
    }
    let obs = run.run(
        CommandSpec::new(
            "lsblk",
            ["-J", "-s", "-p", "-o", "NAME,TYPE,FSTYPE", source],
        )
        .deadline(Duration::from_secs(10)),
    );
    if !obs.succeeded() {
        return Some(Err(obs.failure_reason()));
    }
    Some(parse::lsblk(&obs.stdout).and_then(|nodes| {
        let node = parse::lsblk_node_for(&nodes, source).ok_or_else(|| {
            format!(
                "lsblk did not list {source} itself (it listed {})",
                if nodes.is_empty() {
                    "nothing".to_string()
                } else {
                    nodes
                        .iter()
                        .map(|n| n.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            )
        })?;
        Ok(if parse::every_path_has_crypt(node) {
            VolumeState::Encrypted(format!("dm-crypt ({})", parse::describe_chain(node)))
        } else {
            VolumeState::Plain(parse::describe_chain(node))
        })
    }))
}

fn read_zfs(run: &mut ProbeRun<'_>, dataset: &str) -> VolumeState {
    let obs = run.run(
        CommandSpec::new(
            "zfs",
            [
                "get",
                "-H",
                "-o",
                "property,value",
                "encryption,keystatus",
                dataset,
            ],
        )
        .deadline(Duration::from_secs(10)),
    );
    if !obs.succeeded() {
        return VolumeState::Unknown(obs.failure_reason());
    }
    match parse::zfs_encryption(&obs.stdout) {
        Some(z) if z.encryption == "off" => {
            VolumeState::Plain(format!("ZFS dataset {dataset} has encryption=off"))
        }
        Some(z) => VolumeState::Encrypted(format!(
            "ZFS native encryption {} (key {})",
            z.encryption, z.keystatus
        )),
        None => VolumeState::Unknown(format!(
            "`zfs get` gave no encryption property for {dataset}"
        )),
    }
}

fn record_crypttab(run: &mut ProbeRun<'_>) {
    let crypttab = run.read_file("/etc/crypttab");
    let names = if crypttab.succeeded() {
        parse::crypttab_names(&crypttab.stdout)
    } else {
        Vec::new()
    };
    run.fact(
        "crypttab.entries",
        if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        },
    );
}

fn record_swap(run: &mut ProbeRun<'_>) {
    let swaps = run.read_file("/proc/swaps");
    if !swaps.succeeded() {
        return;
    }
    let areas = parse::swaps(&swaps.stdout);
    if areas.is_empty() {
        run.fact("swap", "none");
    }
    for (name, kind) in areas {
        let dev = name.trim_start_matches("/dev/").to_string();
        let state = if dev.starts_with("zram") {
            "compressed RAM (never written to disk)".to_string()
        } else if kind == "file" {
            "swap file (encrypted only if its filesystem is)".to_string()
        } else {
            let uuid = run.read_file(&format!("/sys/class/block/{dev}/dm/uuid"));
            match uuid.succeeded().then(|| parse::dm_layer(&uuid.stdout)) {
                Some(DmLayer::Crypt(k)) => format!("encrypted ({k})"),
                _ => "not encrypted".to_string(),
            }
        };
        run.fact(format!("swap.{name}"), state);
    }
}
