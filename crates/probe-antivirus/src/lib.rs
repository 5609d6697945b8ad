//! Probe: antivirus. Is malware protection installed, running with real-time protection, and
//! are its signatures fresh?
//!
//! Passes when any product protects: ClamAV with `clamd` running and fresh signatures (Linux),
//! Apple's XProtect with Gatekeeper on and (macOS 15 and later) both of `xprotect status`'s
//! scan modes enabled (macOS), Microsoft Defender in active mode with
//! real-time protection and fresh signatures or another antivirus Security Center reports on
//! and up to date (Windows), or any catalogue EDR whose status tool (or, for one without a
//! local tool, its running service) says it protects. Unknown when nothing protects and an
//! installed product's state could not be read; fails otherwise (installed but not
//! protecting, or nothing found).
//!
//! Layout:
//! - [`linux`], [`macos`], [`windows`]: the plans, each `gather` → its `Facts`: ClamAV
//!   (Linux), XProtect (its version where the OS uses it, `xprotect status`, Remediator's
//!   version) with Gatekeeper (macOS), Defender and Security Center (Windows), then
//!   every catalogue row;
//! - [`products`]: the per-product plan step all three share (service list entry, status
//!   tool, install folders), and the `product.<name>` facts;
//! - [`services`]: the service list, read once per run;
//! - [`parse`]: the pure parsers (`parse::linux`, `parse::macos`, `parse::windows`, and the
//!   cross-OS `parse::mdatp`, `parse::repcli`, `parse::cytool`, `parse::fields`);
//! - [`policy`]: facts → conclusion (`conclude_linux`, `conclude_macos`, `conclude_windows`,
//!   `conclude_product` and `conclude_status` for one product, [`policy::ProductState`]);
//! - [`catalog`]: the antivirus/EDR catalogue as data: per product and OS, its status tool
//!   and format, services and install folders.

pub mod catalog;
pub mod linux;
pub mod macos;
pub mod parse;
pub mod policy;
pub mod products;
pub mod services;
pub mod windows;

use devidence_core::{Control, Finding, Os, ProbeRun};

/// Checks antivirus on the run's OS and returns the finding.
pub fn probe(mut run: ProbeRun<'_>) -> Finding {
    let policy = run.policy;
    let conclusion = match run.os {
        Os::Linux => policy::conclude_linux(&linux::gather(&mut run), policy),
        Os::Macos => policy::conclude_macos(&macos::gather(&mut run)),
        Os::Windows => policy::conclude_windows(&windows::gather(&mut run), policy),
    };
    run.finish(Control::Antivirus, conclusion)
}
