//! Probe: a password manager is installed.
//!
//! Passes when at least one known password manager (see [`catalog::CATALOG`]) is installed for
//! at least one local user: as a deb, rpm, flatpak or snap package, an AppImage, an `/opt`
//! install, or an *enabled* browser extension matched by its store ID (Chrome, Chromium, Brave,
//! Edge, Vivaldi, Firefox). Fails only when every source was read and nothing matched.
//!
//! Layout: [`catalog`] is the data table of products and identifiers, [`parse`] the pure
//! parsers, [`policy`] the verdict, and the private `linux`, `macos` and `windows` modules the
//! plans (browser extensions are scanned the same way on all three).

pub mod catalog;
mod linux;
pub mod macos;
pub mod parse;
pub mod policy;
mod scan;
pub mod windows;

use devidence_core::{Finding, Os, ProbeRun};

/// Looks for a password manager on the run's OS and returns the finding.
pub fn probe(run: ProbeRun<'_>) -> Finding {
    match run.os {
        Os::Linux => linux::plan(run),
        Os::Macos => macos::plan(run),
        Os::Windows => windows::plan(run),
    }
}
