//! The Linux disk-encryption plan on recorded and constructed machines.
#![allow(clippy::unwrap_used, missing_docs)]

use devidence_core::redact::Redactor;
use devidence_core::{Os, Policy, ProbeRun, RealHost, ReplayHost, Verdict};
use devidence_testkit::probe::{Fixtures, judge, rejudge};
use probe_disk_encryption::parse::linux::{cryptsetup_status, lsblk, lsblk_node_for};
use probe_disk_encryption::probe;

const LINUX: Fixtures = Fixtures::new(env!("CARGO_MANIFEST_DIR"), "linux");

#[test]
fn recorded_vm_with_root_on_a_bare_virtio_disk_fails() {
    let finding = judge(
        probe,
        &LINUX.replay_host("debian12-vm-plain-vda.json"),
        Os::Linux,
    );
    assert_eq!(finding.verdict, Verdict::Fail);
    assert_eq!(finding.facts["volume./.source"], "/dev/vda");
    assert_eq!(
        finding.facts["volume./.encryption"],
        "none (/dev/vda has no encryption layer)"
    );
    assert_eq!(finding.facts["crypttab.entries"], "none");
    assert!(finding.remediation.unwrap().contains("LUKS"));
}

// The machines below are constructed from the formats the kernel and cryptsetup document
// (mountinfo: proc(5); dm uuid: `CRYPT-<TYPE>-<uuid>-<name>`, `LVM-<uuids>`); the LUKS2 uuid is
// the one published in linux-system-roles/storage#141. No LUKS recording was possible here:
// this VM's kernel has no device-mapper.

const LUKS2_UUID: &str =
    "CRYPT-LUKS2-d1731709dfb24096a9c06e332d6e95e5-luks-d1731709-dfb2-4096-a9c0-6e332d6e95e5";

fn sysfs_device(host: &mut ReplayHost, dev: &str, dm_uuid: Option<&str>, slaves: &[&str]) {
    host.file(
        &format!("/sys/class/block/{dev}/uevent"),
        &format!("MAJOR=253\nMINOR=0\nDEVNAME={dev}\nDEVTYPE=disk\n"),
    );
    if let Some(uuid) = dm_uuid {
        host.file(
            &format!("/sys/class/block/{dev}/dm/uuid"),
            &format!("{uuid}\n"),
        );
    }
    host.dir(&format!("/sys/class/block/{dev}/slaves"), slaves);
}

/// Ubuntu's "Use LVM and encryption": ext4 on an LV, on a LUKS2 mapping, on nvme0n1p3.
fn lvm_on_luks() -> ReplayHost {
    let mut host = ReplayHost::new();
    host.file(
        "/proc/self/mountinfo",
        "26 1 253:1 / / rw,relatime shared:1 - ext4 /dev/mapper/vgubuntu-root rw,errors=remount-ro\n\
         27 26 259:1 / /boot/efi rw,relatime shared:2 - vfat /dev/nvme0n1p1 rw\n",
    );
    host.file(
        "/sys/dev/block/253:1/uevent",
        "MAJOR=253\nMINOR=1\nDEVNAME=dm-1\nDEVTYPE=disk\n",
    );
    sysfs_device(
        &mut host,
        "dm-1",
        Some("LVM-Xx7kQ1y2z3Ww9Vv8Uu7Tt6Ss5Rr4Qq3Pp2Oo1Nn0Mm9Ll8Kk7Jj6Ii5Hh4Gg3"),
        &["dm-0"],
    );
    sysfs_device(&mut host, "dm-0", Some(LUKS2_UUID), &["nvme0n1p3"]);
    host.file("/proc/swaps", "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n/dev/dm-2                               partition\t999420\t\t0\t\t-2\n");
    host.file("/sys/class/block/dm-2/dm/uuid", "LVM-swapuuid\n");
    host.file(
        "/etc/crypttab",
        "nvme0n1p3_crypt UUID=d1731709-dfb2-4096-a9c0-6e332d6e95e5 none luks,discard\n",
    );
    host
}

#[test]
fn lvm_on_luks2_passes_through_the_sysfs_chain() {
    let finding = judge(probe, &lvm_on_luks(), Os::Linux);
    assert_eq!(finding.verdict, Verdict::Pass, "{}", finding.summary);
    assert!(
        finding.facts["volume./.encryption"].contains("LUKS2"),
        "{:?}",
        finding.facts
    );
    assert_eq!(finding.facts["crypttab.entries"], "nvme0n1p3_crypt");
    assert_eq!(finding.facts["swap./dev/dm-2"], "not encrypted");
    // Evidence shows the chain it walked.
    assert!(
        finding
            .observations
            .iter()
            .any(|o| o.source == "/sys/class/block/dm-0/dm/uuid")
    );
}

#[test]
fn a_volume_group_spread_over_an_encrypted_and_a_plain_disk_fails() {
    let mut host = lvm_on_luks();
    sysfs_device(&mut host, "dm-1", Some("LVM-abc"), &["dm-0", "sdb1"]);
    sysfs_device(&mut host, "sdb1", None, &[]);
    let finding = judge(probe, &host, Os::Linux);
    assert_eq!(finding.verdict, Verdict::Fail);
    assert!(finding.summary.contains("sdb1"), "{}", finding.summary);
}

#[test]
fn btrfs_on_luks_is_found_through_lsblk_when_the_device_number_is_anonymous() {
    let mut host = ReplayHost::new();
    host.file(
        "/proc/self/mountinfo",
        "29 1 0:26 /@ / rw,relatime shared:1 - btrfs /dev/mapper/luks-3f2a rw,ssd,subvol=/@\n\
         30 29 0:26 /@home /home rw,relatime shared:2 - btrfs /dev/mapper/luks-3f2a rw,ssd,subvol=/@home\n",
    );
    let lsblk = r#"{"blockdevices": [{"name":"/dev/mapper/luks-3f2a","type":"crypt","fstype":"btrfs",
        "children":[{"name":"/dev/nvme0n1p2","type":"part","fstype":"crypto_LUKS",
        "children":[{"name":"/dev/nvme0n1","type":"disk","fstype":null}]}]}]}"#;
    host.command(
        "lsblk -J -s -p -o NAME,TYPE,FSTYPE /dev/mapper/luks-3f2a",
        0,
        lsblk,
    );
    let finding = judge(probe, &host, Os::Linux);
    assert_eq!(finding.verdict, Verdict::Pass, "{}", finding.summary);
    assert!(finding.facts["volume./home.encryption"].contains("crypt"));
}

#[test]
fn a_separate_plain_home_fails_even_when_root_is_encrypted() {
    let mut host = lvm_on_luks();
    host.file(
        "/proc/self/mountinfo",
        "26 1 253:1 / / rw,relatime shared:1 - ext4 /dev/mapper/vgubuntu-root rw\n\
         28 26 8:17 / /home rw,relatime shared:3 - ext4 /dev/sdb1 rw\n",
    );
    host.file(
        "/sys/dev/block/8:17/uevent",
        "MAJOR=8\nMINOR=17\nDEVNAME=sdb1\nDEVTYPE=partition\n",
    );
    sysfs_device(&mut host, "sdb1", None, &[]);
    let finding = judge(probe, &host, Os::Linux);
    assert_eq!(finding.verdict, Verdict::Fail);
    assert!(finding.summary.contains("/home"), "{}", finding.summary);
}

#[test]
fn zfs_native_encryption_is_judged_by_zfs_get() {
    let mut host = ReplayHost::new();
    host.file(
        "/proc/self/mountinfo",
        "33 1 0:30 / / rw,relatime shared:1 - zfs rpool/ROOT/ubuntu_x1 rw,xattr,posixacl\n",
    );
    host.command(
        "zfs get -H -o property,value encryption,keystatus rpool/ROOT/ubuntu_x1",
        0,
        "encryption\taes-256-gcm\nkeystatus\tavailable\n",
    );
    assert_eq!(judge(probe, &host, Os::Linux).verdict, Verdict::Pass);
    host.command(
        "zfs get -H -o property,value encryption,keystatus rpool/ROOT/ubuntu_x1",
        0,
        "encryption\toff\nkeystatus\t-\n",
    );
    assert_eq!(judge(probe, &host, Os::Linux).verdict, Verdict::Fail);
}

#[test]
fn what_cannot_be_read_is_unknown_never_pass_or_fail() {
    // No mount table.
    assert!(matches!(
        judge(probe, &ReplayHost::new(), Os::Linux).verdict,
        Verdict::Unknown { .. }
    ));
    // A container's overlay root.
    let mut host = ReplayHost::new();
    host.file(
        "/proc/self/mountinfo",
        "600 500 0:52 / / rw,relatime - overlay overlay rw,lowerdir=/x\n",
    );
    let finding = judge(probe, &host, Os::Linux);
    let Verdict::Unknown { reason } = finding.verdict else {
        panic!("{:?}", finding.verdict)
    };
    assert!(reason.contains("overlay"), "{reason}");
    // ZFS without the zfs tool.
    let mut host = ReplayHost::new();
    host.file(
        "/proc/self/mountinfo",
        "33 1 0:30 / / rw - zfs rpool/ROOT/x rw\n",
    );
    assert!(matches!(
        judge(probe, &host, Os::Linux).verdict,
        Verdict::Unknown { .. }
    ));
    // A device whose sysfs entry and lsblk are both unreadable.
    let mut host = ReplayHost::new();
    host.file(
        "/proc/self/mountinfo",
        "26 1 253:1 / / rw - ext4 /dev/mapper/vg-root rw\n",
    );
    let finding = judge(probe, &host, Os::Linux);
    assert!(
        matches!(finding.verdict, Verdict::Unknown { .. }),
        "{:?}",
        finding.verdict
    );
}

#[test]
fn the_real_machine_gives_a_verdict_with_its_evidence() {
    let host = RealHost::new();
    let finding = probe(ProbeRun::new(
        &host,
        Os::Linux,
        &Policy::default(),
        &Redactor::new(),
    ));
    eprintln!("{}: {}", finding.verdict, finding.summary);
    assert!(
        finding
            .observations
            .iter()
            .any(|o| o.source == "/proc/self/mountinfo")
    );
    // Checked independently with util-linux: the root file system's source and the types of
    // the block devices under it; a `crypt` among them means encrypted.
    let run = |program: &str, args: &[&str]| {
        std::process::Command::new(program)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let source = run("findmnt", &["-no", "SOURCE", "/"]);
    let types = source
        .as_deref()
        .filter(|s| s.starts_with("/dev/"))
        .and_then(|dev| run("lsblk", &["-s", "-no", "TYPE", dev]));
    match types {
        Some(types) if types.lines().any(|t| t.trim() == "crypt") => {
            assert_eq!(finding.verdict, Verdict::Pass, "{}", finding.summary)
        }
        Some(types)
            if types
                .lines()
                .all(|t| ["disk", "part", "lvm", "raid1", "md"].contains(&t.trim())) =>
        {
            assert_eq!(
                finding.verdict,
                Verdict::Fail,
                "{types}: {}",
                finding.summary
            )
        }
        // A container's overlay, a network root, no util-linux: whatever the verdict, it must
        // not be a pass the independent check cannot confirm.
        other => assert_ne!(
            finding.verdict,
            Verdict::Pass,
            "{other:?}: {}",
            finding.summary
        ),
    }
    let again = rejudge(&finding, probe);
    assert_eq!(
        (&again.verdict, &again.summary),
        (&finding.verdict, &finding.summary)
    );
}

#[test]
fn cryptsetup_confirms_each_crypt_layer_and_its_silence_or_inactivity_is_handled() {
    let line = "cryptsetup status nvme0n1p3_crypt";
    // No mapping name readable: not asked, sysfs decides.
    let finding = judge(probe, &lvm_on_luks(), Os::Linux);
    assert!(finding.facts["cryptsetup.dm-0"].starts_with("not asked"));
    // cryptsetup that cannot reach device-mapper (recorded here): no confirmation, still a pass.
    let mut host = lvm_on_luks();
    host.file("/sys/class/block/dm-0/dm/name", "nvme0n1p3_crypt\n");
    let stderr = LINUX.text("cryptsetup-status-no-device-mapper.stderr");
    host.command_stderr(line, 1, &stderr);
    let finding = judge(probe, &host, Os::Linux);
    assert_eq!(finding.verdict, Verdict::Pass, "{}", finding.summary);
    assert!(finding.facts["cryptsetup.nvme0n1p3_crypt"].starts_with("no confirmation"));
    // A published `cryptsetup status` of a LUKS2 mapping holding an LVM root: confirmed.
    let mut host = lvm_on_luks();
    host.file("/sys/class/block/dm-0/dm/name", "nvme0n1p3_crypt\n");
    let published = LINUX.text("cryptsetup-status-luks2-active-mvysny.txt");
    host.command(line, 0, &published);
    let finding = judge(probe, &host, Os::Linux);
    assert_eq!(finding.verdict, Verdict::Pass, "{}", finding.summary);
    assert_eq!(
        finding.facts["cryptsetup.nvme0n1p3_crypt"],
        "active, type LUKS2, cipher aes-xts-plain64, key 512 bits, on /dev/sda3"
    );
    // An answer that the mapping is inactive contradicts sysfs: unknown.
    let mut host = lvm_on_luks();
    host.file("/sys/class/block/dm-0/dm/name", "nvme0n1p3_crypt\n");
    host.command(line, 4, "/dev/mapper/nvme0n1p3_crypt is inactive.\n");
    let finding = judge(probe, &host, Os::Linux);
    let Verdict::Unknown { reason } = &finding.verdict else {
        panic!("{:?}", finding.verdict)
    };
    assert!(reason.contains("inactive"), "{reason}");
    // The older LUKS1 layout (no key location or sector size lines) reads too.
    let luks1 =
        cryptsetup_status(&LINUX.text("cryptsetup-status-luks1-active-ceph-volume.txt")).unwrap();
    assert!(luks1.active);
    assert_eq!(luks1.kind.as_deref(), Some("LUKS1"));
    // Garbage from cryptsetup is no confirmation, never a verdict of its own.
    assert!(cryptsetup_status("Segmentation fault").is_err());
}

#[test]
fn lsblk_judges_the_mounts_own_node_not_the_first_listed() {
    let text = r#"{"blockdevices": [
        {"name":"/dev/sda1","type":"part","fstype":"ext4"},
        {"name":"/dev/mapper/root","type":"crypt","fstype":"ext4","children":[{"name":"/dev/nvme0n1p2","type":"part","fstype":"crypto_LUKS"}]}
    ]}"#;
    let nodes = lsblk(text).unwrap();
    assert_eq!(
        lsblk_node_for(&nodes, "/dev/mapper/root")
            .unwrap()
            .kind
            .as_deref(),
        Some("crypt")
    );
    assert!(lsblk_node_for(&nodes, "/dev/vda1").is_none());
}
