//! Probe: disk encryption. Is the system volume (and every separate volume holding user data)
//! encrypted at rest?
//!
//! Passes when every such volume is: on Linux `/` (and `/home`, `/var` when separate) sits on
//! dm-crypt (LUKS1/2, plain) on every branch of its device chain, or on ZFS native encryption;
//! on macOS FileVault protects the boot volume group's Data volume; on Windows BitLocker
//! encrypts the system drive with protection on. Fails when a volume is proven plain, FileVault
//! or BitLocker is off, or encryption is still under way (or protection suspended). Unknown when
//! a source cannot be read or the sources disagree.
//!
//! Layout:
//! - [`linux`]: the plan: mount table → block device → walk down the device-mapper chain
//!   (LUKS1/2, plain dm-crypt, LVM-on-LUKS, btrfs-on-LUKS) through sysfs, cross-checked with
//!   `lsblk` and confirmed with `cryptsetup status`; ZFS native encryption through `zfs get`;
//! - [`macos`]: the plan: `fdesetup status` and `diskutil apfs list -plist`;
//! - [`windows`]: the plan: `Win32_EncryptableVolume` numbers, localized `manage-bde -status`
//!   text as confirmation;
//! - each plan's `gather` returns its `Facts`;
//! - [`parse`]: the pure parsers (`parse::linux`, `parse::macos`, `parse::windows`), tested on
//!   recorded outputs in `tests/fixtures/`;
//! - [`policy`]: facts → conclusion (`conclude_linux`, `conclude_macos`, `conclude_windows`).

pub mod linux;
pub mod macos;
pub mod parse;
pub mod policy;
pub mod windows;

use devidence_core::{Control, Finding, Os, ProbeRun};

/// Checks disk encryption on the run's OS and returns the finding.
pub fn probe(mut run: ProbeRun<'_>) -> Finding {
    let conclusion = match run.os {
        Os::Linux => policy::conclude_linux(&linux::gather(&mut run)),
        Os::Macos => policy::conclude_macos(&macos::gather(&mut run)),
        Os::Windows => policy::conclude_windows(&windows::gather(&mut run)),
    };
    run.finish(Control::DiskEncryption, conclusion)
}
