//! Probe: disk encryption. Is the system volume (and every separate volume holding user data)
//! encrypted at rest?
//!
//! * [`linux`] is the plan: mount table → block device → walk down the device-mapper chain
//!   (LUKS1/2, plain dm-crypt, LVM-on-LUKS, btrfs-on-LUKS) through sysfs, cross-checked with
//!   `lsblk`; ZFS native encryption through `zfs get`.
//! * [`parse`] holds the pure parsers, tested on recorded outputs in `tests/fixtures/`.
//!
//! * [`macos`] is the macOS plan: `fdesetup status` and `diskutil apfs list -plist` must agree
//!   that FileVault protects the boot volume group's Data volume.
//!
//! * [`windows`] is the Windows plan: `Win32_EncryptableVolume` numbers decide, localized
//!   `manage-bde -status` text only confirms.

pub mod linux;
pub mod macos;
pub mod parse;
pub mod windows;

use devidence_core::{Control, Finding, Os, ProbeRun};

/// Checks disk encryption on the run's OS and returns the finding.
pub fn probe(mut run: ProbeRun<'_>) -> Finding {
    match run.os {
        Os::Linux => {
            let (verdict, summary, remediation) = linux::check(&mut run);
            run.finish(Control::DiskEncryption, verdict, summary, remediation)
        }
        Os::Macos => {
            let (verdict, summary, remediation) = macos::check(&mut run);
            run.finish(Control::DiskEncryption, verdict, summary, remediation)
        }
        Os::Windows => {
            let (verdict, summary, remediation) = windows::check(&mut run);
            run.finish(Control::DiskEncryption, verdict, summary, remediation)
        }
    }
}
