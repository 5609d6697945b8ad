//! Probe: a password manager is installed.
//!
//! Passes when at least one known password manager (see [`catalog::CATALOG`]) is installed for
//! at least one local user: as a deb, rpm, flatpak or snap package, an AppImage, an `/opt`
//! install, an app in `/Applications` or `~/Applications` (or found by Spotlight), a Windows
//! installed program, or an *enabled* browser extension matched by its store ID (Chrome,
//! Chromium, Brave, Edge, Vivaldi, Arc, Firefox) in a browser that is installed. Fails only
//! when every source was read and nothing matched; unknown when a source could not be read.
//!
//! The browsers' own password managers are always recorded (`builtin.NN` facts): per
//! Firefox-family profile the number of saved logins (never their contents) and whether
//! password saving is on; per macOS person Safari's `AutoFillPasswords`. They count as a
//! password manager only when the policy's `count_browser_password_managers` is on.
//!
//! Layout:
//! - [`linux`], [`macos`], [`windows`]: the plans, each `gather` → its `Facts`;
//! - `scan`: the browser-profile scan all three plans share (it only reads);
//! - [`builtin`]: the reads for the browsers' own password managers (Firefox, Safari);
//! - [`parse`]: the pure parsers (`parse::linux`, `parse::macos`, `parse::windows`, and the
//!   cross-OS `parse::browsers` and `parse::chromium`);
//! - [`policy`]: facts → conclusion (`conclude_linux`, `conclude_macos`, `conclude_windows`,
//!   and what a found browser extension counts as);
//! - [`catalog`]: the data table of products and identifiers.

pub mod builtin;
pub mod catalog;
pub mod linux;
pub mod macos;
pub mod parse;
pub mod policy;
mod scan;
pub mod windows;

use devidence_core::{Control, Finding, Os, ProbeRun};

/// Checks that a password manager is installed on the run's OS and returns the finding.
pub fn probe(mut run: ProbeRun<'_>) -> Finding {
    let policy = run.policy;
    let conclusion = match run.os {
        Os::Linux => policy::conclude_linux(&linux::gather(&mut run), policy),
        Os::Macos => policy::conclude_macos(&macos::gather(&mut run), policy),
        Os::Windows => policy::conclude_windows(&windows::gather(&mut run), policy),
    };
    run.finish(Control::PasswordManager, conclusion)
}
