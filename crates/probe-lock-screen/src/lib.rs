//! Probe: screen lock. Does the screen lock, with a password, soon enough after the person
//! stops using the machine?
//!
//! * [`linux`] is the plan: which sessions, users, commands and files, in whose context.
//! * [`parse`] holds the pure parsers (gsettings, KConfig/kscreenlockerrc, dconf locks, …),
//!   tested on real captured outputs in `tests/fixtures/linux/`.
//! * [`policy`] turns the normalized facts into a verdict.
//!
//! * [`macos`] is the macOS plan: the console user's lock delay and screen-saver start (read as
//!   that user), configuration-profile values (stricter wins), and `pmset` sleep timers.
//!
//! * [`windows`] is the Windows plan: each signed-in person's screen saver (policy over user),
//!   the machine inactivity limit, and sleep with a password on wake.

pub mod linux;
pub mod macos;
pub mod parse;
pub mod policy;
pub mod windows;
pub mod xfce;

use devidence_core::{Control, Finding, Os, ProbeRun};

/// Checks the screen lock on the run's OS and returns the finding.
pub fn probe(mut run: ProbeRun<'_>) -> Finding {
    match run.os {
        Os::Linux => {
            let conclusion = linux::check(&mut run);
            run.finish(
                Control::LockScreen,
                conclusion.verdict,
                conclusion.summary,
                conclusion.remediation,
            )
        }
        Os::Macos => {
            let (verdict, summary, remediation) = macos::check(&mut run);
            run.finish(Control::LockScreen, verdict, summary, remediation)
        }
        Os::Windows => {
            let (verdict, summary, remediation) = windows::check(&mut run);
            run.finish(Control::LockScreen, verdict, summary, remediation)
        }
    }
}
