//! Probe: automatic OS updates.
//!
//! Passes when an update mechanism is installed, enabled and scheduled to *install* (not only
//! download) at least security updates. Linux: Debian/Ubuntu `unattended-upgrades` with
//! apt's systemd timers, and Fedora/RHEL `dnf-automatic` (dnf 4 and dnf5). macOS: the Software
//! Update preferences, managed over local ([`macos`]). Windows: Group Policy, MDM policy and the
//! Windows Update service, any of which can turn updates off ([`windows`]).
//!
//! Layout: [`parse`] turns command output into facts (pure, no I/O), [`policy`] turns facts into
//! checks and a verdict (pure), and the private `linux` module is the plan that runs commands
//! through the [`ProbeRun`] and records every fact.

mod linux;
pub mod macos;
pub mod parse;
pub mod policy;
pub mod windows;

use devidence_core::{Finding, Os, ProbeRun};

/// Checks automatic OS updates on the run's OS and returns the finding.
pub fn probe(run: ProbeRun<'_>) -> Finding {
    match run.os {
        Os::Linux => linux::plan(run),
        Os::Macos => macos::plan(run),
        Os::Windows => windows::plan(run),
    }
}
