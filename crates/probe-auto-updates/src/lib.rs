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

use devidence_core::{Control, Finding, Os, ProbeRun, Verdict};

/// Checks automatic OS updates on the run's OS and returns the finding.
pub fn probe(run: ProbeRun<'_>) -> Finding {
    match run.os {
        Os::Linux => linux::plan(run),
        Os::Macos | Os::Windows => {
            let name = if run.os == Os::Macos {
                "macOS"
            } else {
                "Windows"
            };
            run.finish(
                Control::AutoUpdates,
                Verdict::unknown(format!("the {name} plan for this control arrives in a later release")),
                format!("Automatic updates were not checked because the {name} plan arrives in a later release."),
                Some(format!(
                    "Until the {name} plan ships, upload a screenshot of the update settings as manual evidence."
                )),
            )
        }
    }
}
