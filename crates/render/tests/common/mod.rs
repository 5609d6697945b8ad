//! A hand-built finding shaped like a real Linux disk-encryption check, shared by the tests and
//! the `render_sample` example.

#![allow(dead_code)]

use devidence_core::{
    Control, DeviceIdentity, Finding, Observation, Os, Outcome, SourceKind, Verdict,
};
use devidence_render::{Destination, Evidence};
use std::collections::BTreeMap;
use time::macros::datetime;

/// Where the agent says the evidence goes: Drata, with the device-document types the agent
/// takes from drata-client (the spec's `DeviceDocumentTypeEnum` values).
pub const DRATA: Destination<'static> = Destination {
    service: "Drata",
    evidence_type: drata_type,
};

/// The evidence the tests render: `finding` on `device`, by agent 0.1.0, for Drata.
pub fn evidence<'a>(finding: &'a Finding, device: &'a DeviceIdentity) -> Evidence<'a> {
    Evidence {
        finding,
        device,
        agent_version: "0.1.0",
        destination: DRATA,
    }
}

fn drata_type(control: Control) -> &'static str {
    match control {
        Control::DiskEncryption => "HARD_DRIVE_ENCRYPTION_EVIDENCE",
        Control::Antivirus => "ANTIVIRUS_EVIDENCE",
        Control::AutoUpdates => "AUTO_UPDATES_EVIDENCE",
        Control::LockScreen => "LOCK_SCREEN_EVIDENCE",
        Control::PasswordManager => "PASSWORD_MANAGER_EVIDENCE",
    }
}

/// `lsblk` output with box-drawing characters (util-linux 2.38, Debian 12).
pub const LSBLK: &str = "\
NAME                    TYPE  FSTYPE      MOUNTPOINTS
nvme0n1                 disk
├─nvme0n1p1             part  vfat        /boot/efi
├─nvme0n1p2             part  ext4        /boot
└─nvme0n1p3             part  crypto_LUKS
  └─nvme0n1p3_crypt     crypt LVM2_member
    ├─vg0-root          lvm   ext4        /
    └─vg0-swap          lvm   swap        [SWAP]
";

/// The command line of the `lsblk` observation.
pub const LSBLK_COMMAND: &str = "lsblk --list-columns -o NAME,TYPE,FSTYPE,MOUNTPOINTS";

/// The device every sample finding is about.
pub fn device() -> DeviceIdentity {
    DeviceIdentity {
        hostname: "laptop-jana-07".into(),
        serial_number: Some("PF3XK9QZ".into()),
        model: Some("LENOVO 21HES0AB00 ThinkPad T14 Gen 4".into()),
        os: Os::Linux,
        os_version: "Debian GNU/Linux 12 (bookworm)".into(),
        kernel: Some("6.1.0-28-amd64".into()),
        user: Some("jana".into()),
        utc_offset_seconds: Some(3600),
    }
}

fn command(source: &str, exit: i32, stdout: &str, stderr: &str, ms: u64) -> Observation {
    let mut obs = Observation::new(SourceKind::Command, source, Outcome::Completed);
    obs.exit_code = Some(exit);
    obs.stdout = stdout.into();
    obs.stderr = stderr.into();
    obs.duration_ms = ms;
    obs
}

/// A passing disk-encryption finding. With `long_output`, one observation has 5000 lines of
/// output (and one very long line), which forces pagination.
pub fn finding(long_output: bool) -> Finding {
    let mut facts = BTreeMap::new();
    for (k, v) in [
        ("root.mountpoint", "/"),
        ("root.device", "/dev/mapper/vg0-root"),
        ("root.backing_device", "/dev/nvme0n1p3"),
        ("root.encryption", "LUKS2"),
        ("root.cipher", "aes-xts-plain64"),
        ("root.key_size_bits", "512"),
        ("swap.encrypted", "true"),
        ("luks.pbkdf", "argon2id"),
        ("tpm2.enrolled", "false"),
        (
            "boot.partition",
            "/dev/nvme0n1p2 (ext4, unencrypted; holds kernel and initramfs only)",
        ),
        (
            "locale.note",
            "Ausgabe teilweise auf Deutsch: Verschlüsselung aktiv",
        ),
    ] {
        facts.insert(k.to_string(), v.to_string());
    }

    let mut observations = vec![command(LSBLK_COMMAND, 0, LSBLK, "", 14)];
    observations.push(command(
        "cryptsetup status nvme0n1p3_crypt",
        0,
        "/dev/mapper/nvme0n1p3_crypt ist aktiv und wird benutzt.\n  Typ:          LUKS2\n  Verschlüsselung: aes-xts-plain64\n  Schlüsselgröße: 512 Bits\n  Schlüsselort: keyring\n  Gerät:        /dev/nvme0n1p3\n\tSektorgröße:  512\n",
        "",
        31,
    ));
    let mut crypttab = Observation::new(SourceKind::File, "/etc/crypttab", Outcome::Completed);
    crypttab.stdout = "# <target name> <source device> <key file> <options>\nnvme0n1p3_crypt UUID=7d3f1a2b-0c4e-4f5a-9b8c-1d2e3f4a5b6c none luks,discard\n".into();
    observations.push(crypttab);
    let mut tpm = command(
        "systemd-cryptenroll --tpm2-device=list",
        1,
        "",
        "No TPM2 devices found.\nFailed to enumerate TPM2 devices: No such device\n",
        9,
    );
    tpm.as_user = Some("root".into());
    observations.push(tpm);
    if long_output {
        let mut big = String::new();
        for i in 0..5000 {
            big.push_str(&format!(
                "Nov 23 10:{:02}:{:02} laptop-jana-07 systemd-cryptsetup[{}]: Set cipher aes, mode xts-plain64, key size 512 bits for device /dev/nvme0n1p3 (Zeile {i})\n",
                (i / 60) % 60,
                i % 60,
                400 + i
            ));
            if i == 3 {
                big.push_str(&"0123456789abcdef".repeat(20));
                big.push('\n');
            }
        }
        let mut journal = command(
            "journalctl --boot --no-pager --unit systemd-cryptsetup@nvme0n1p3_crypt.service",
            0,
            &big,
            "",
            412,
        );
        journal.truncated = true;
        observations.push(journal);
    }

    Finding {
        control: Control::DiskEncryption,
        os: Os::Linux,
        verdict: Verdict::Pass,
        summary: "The system volume / is on LUKS2 (aes-xts-plain64, 512-bit key) on /dev/nvme0n1p3; swap is inside the same encrypted volume.".into(),
        facts,
        remediation: None,
        observations,
        collected_at: datetime!(2026-11-23 10:15:42.123 UTC),
        duration_ms: 466,
    }
}

/// An unknown antivirus finding for a machine without a readable serial number.
pub fn unknown_finding() -> Finding {
    let mut clamd = Observation::new(
        SourceKind::Command,
        "systemctl is-active clamav-daemon.service",
        Outcome::NotFound,
    );
    clamd.duration_ms = 2;
    let mut dir = Observation::new(
        SourceKind::Directory,
        "/var/lib/clamav",
        Outcome::PermissionDenied,
    );
    dir.duration_ms = 1;
    Finding {
        control: Control::Antivirus,
        os: Os::Linux,
        verdict: Verdict::unknown("`systemctl` was not found, so the state of the ClamAV daemon could not be read"),
        summary: "No antivirus status could be read on this machine.".into(),
        facts: BTreeMap::new(),
        remediation: Some("Run the agent on a systemd-based system, or install ClamAV (`apt install clamav-daemon`) and enable it with `systemctl enable --now clamav-daemon`.".into()),
        observations: vec![clamd, dir],
        collected_at: datetime!(2026-11-23 10:16:00 UTC),
        duration_ms: 3,
    }
}

/// A failing screen-lock finding with long texts everywhere: a long summary and remediation, a
/// command line that wraps, many facts and many observations.
pub fn fail_finding() -> Finding {
    let mut facts = BTreeMap::new();
    for i in 0..18 {
        facts.insert(
            format!("user.jana.gnome.session.setting_number_{i:02}"),
            format!("value {i}: org.gnome.desktop.screensaver lock-enabled=false idle-delay=uint32 0 (never), which is longer than any policy allows"),
        );
    }
    let mut observations = Vec::new();
    for i in 0..14 {
        let mut obs = command(
            &format!(
                "gsettings get org.gnome.desktop.screensaver lock-enabled --schemadir /usr/share/glib-2.0/schemas/with/a/very/long/path/component/{i}/that/keeps/going/and/going/until/it/has/to/wrap/onto/another/row"
            ),
            i % 3,
            "false\n",
            if i % 3 == 0 {
                ""
            } else {
                "(gsettings:4711): GLib-GIO-WARNING **: 10:15:42.123: Schema “org.gnome.desktop.screensaver” has no key “lock-enabled”\n"
            },
            5 + i as u64,
        );
        obs.as_user = Some("jana".into());
        observations.push(obs);
    }
    Finding {
        control: Control::LockScreen,
        os: Os::Linux,
        verdict: Verdict::Fail,
        summary: "The screen of jana's GNOME session never locks: lock-enabled is false and the idle delay is 0 (never), so anyone at the unattended laptop can use the session. This is longer than the 900 s the policy allows, by an infinite margin.".into(),
        facts,
        remediation: Some("Open Settings → Privacy → Screen Lock, turn on “Automatic Screen Lock”, and set “Blank Screen Delay” to 5 minutes or less and “Automatic Screen Lock Delay” to “Screen Turns Off”. Or run as jana: gsettings set org.gnome.desktop.screensaver lock-enabled true; gsettings set org.gnome.desktop.session idle-delay 300.".into()),
        observations,
        collected_at: datetime!(2026-11-23 10:17:00 UTC),
        duration_ms: 1234,
    }
}
