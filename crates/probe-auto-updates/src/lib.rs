//! Probe: automatic OS updates.
//!
//! Passes when an update mechanism is installed, enabled and scheduled to *install* (not only
//! download) at least security updates. Linux today: Debian/Ubuntu `unattended-upgrades` with
//! apt's systemd timers, and Fedora/RHEL `dnf-automatic` (dnf 4 and dnf5). The macOS and Windows
//! plans arrive later.
//!
//! Layout: [`parse`] turns command output into facts (pure, no I/O), [`policy`] turns facts into
//! checks and a verdict (pure), and the private `linux` module is the plan that runs commands
//! through the [`ProbeRun`] and records every fact.

mod linux;
pub mod parse;
pub mod policy;

use devidence_core::{Control, Finding, Os, ProbeRun};

/// Checks automatic OS updates on the run's OS and returns the finding.
pub fn probe(run: ProbeRun<'_>) -> Finding {
    match run.os {
        Os::Linux => linux::plan(run),
        Os::Macos | Os::Windows => run.finish_unplanned(Control::AutoUpdates),
    }
}
