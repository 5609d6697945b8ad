//! Probe: automatic OS updates.
//!
//! Passes when an update mechanism is installed, enabled and scheduled to *install* (not only
//! download) at least security updates. Linux: Debian/Ubuntu `unattended-upgrades` with
//! apt's systemd timers, Fedora/RHEL `dnf-automatic` (dnf 4 and dnf5), image-based hosts
//! (rpm-ostree's `AutomaticUpdatePolicy` with its timer, bootc, Universal Blue's uupd) and
//! openSUSE (transactional-update, os-update); Arch is an honest unknown. macOS: the Software
//! Update settings, a DDM declaration over a profile over the local preferences ([`macos`]).
//! Windows: Group Policy, MDM policy and the Windows Update service, any of which can turn
//! updates off ([`windows`]). Fails when a fact proves updates are off or only downloaded (the
//! package missing, a timer disabled, a toggle or a policy turning them off); unknown when
//! something could not be read or the distribution is not supported yet.
//!
//! Layout:
//! - [`linux`], [`macos`], [`windows`]: the plans, each `gather` → its `Facts`: os-release,
//!   `/run/ostree-booted`, then unattended-upgrades (dpkg, `apt-config`, apt's timers),
//!   dnf-automatic (rpm, its timers and configuration), rpm-ostree/bootc/uupd (rpm-ostreed.conf
//!   and their timers) or openSUSE's timers on Linux; `sw_vers`, the DDM software update state,
//!   the Software Update preferences and `softwareupdate -l` on macOS; the Group Policy, MDM
//!   and service registry keys on Windows;
//! - [`parse`]: the pure parsers (`parse::linux::{apt, dnf, os_release, ostree, systemd}`,
//!   `parse::macos`, `parse::windows`);
//! - [`policy`]: facts → conclusion (`conclude_linux`, `conclude_macos`, `conclude_windows`,
//!   and the per-requirement [`policy::Check`]s they combine with [`policy::conclude`]).

pub mod linux;
pub mod macos;
pub mod parse;
pub mod policy;
pub mod windows;

use devidence_core::{Control, Finding, Os, ProbeRun};

/// Checks automatic OS updates on the run's OS and returns the finding.
pub fn probe(mut run: ProbeRun<'_>) -> Finding {
    let conclusion = match run.os {
        Os::Linux => policy::conclude_linux(&linux::gather(&mut run)),
        Os::Macos => policy::conclude_macos(&macos::gather(&mut run)),
        Os::Windows => policy::conclude_windows(&windows::gather(&mut run)),
    };
    run.finish(Control::AutoUpdates, conclusion)
}
