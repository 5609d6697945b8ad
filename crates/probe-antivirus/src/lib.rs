//! Probe: antivirus. Is malware protection installed, running with real-time protection, and
//! are its signatures fresh?
//!
//! * [`catalog`] is the antivirus/EDR catalogue as data: per product and OS, its status tool,
//!   services and install folders; [`assess`] judges one row; [`services`] reads the service
//!   list once per run; [`vendors`] holds the status tools' fail-closed readers.
//! * [`linux`], [`macos`] and [`windows`] are the plans: ClamAV (Linux), XProtect with
//!   Gatekeeper (macOS), Defender and Security Center (Windows), then every catalogue row.
//! * [`parse`] holds the shared pure parsers; [`ProductState`] is the common result.

pub mod assess;
pub mod catalog;
pub mod linux;
pub mod macos;
pub mod parse;
pub mod services;
pub mod vendors;
pub mod windows;

use devidence_core::{Control, Finding, Os, ProbeRun, Verdict};

/// What the plan concluded about one product.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProductState {
    /// Not on this machine.
    Absent,
    /// Installed and protecting (with what proves it).
    Protecting(String),
    /// Installed but not protecting (why).
    NotProtecting(String),
    /// Installed (or maybe installed) but its state could not be read (why).
    Unreadable(String),
}

/// Checks antivirus on the run's OS and returns the finding.
pub fn probe(mut run: ProbeRun<'_>) -> Finding {
    match run.os {
        Os::Linux => {
            let products = linux::check(&mut run);
            let (verdict, summary, remediation) = conclude(run.os, &products);
            run.finish(Control::Antivirus, verdict, summary, remediation)
        }
        Os::Macos => {
            let products = macos::check(&mut run);
            let (verdict, summary, remediation) = conclude(run.os, &products);
            run.finish(Control::Antivirus, verdict, summary, remediation)
        }
        Os::Windows => {
            let products = windows::check(&mut run);
            let (verdict, summary, remediation) = conclude(run.os, &products);
            run.finish(Control::Antivirus, verdict, summary, remediation)
        }
    }
}

/// Records each product's state as a `product.<name>` fact.
pub fn record_products(run: &mut ProbeRun<'_>, products: &[(&'static str, ProductState)]) {
    for (name, state) in products {
        let text = match state {
            ProductState::Absent => "not installed".to_string(),
            ProductState::Protecting(d) => format!("protecting: {d}"),
            ProductState::NotProtecting(d) => format!("not protecting: {d}"),
            ProductState::Unreadable(d) => format!("state unreadable: {d}"),
        };
        run.fact(format!("product.{name}"), text);
    }
}

/// Turns per-product states into the verdict: any product protecting → pass; otherwise any
/// product unreadable → unknown; otherwise (absent or not protecting) → fail.
pub fn conclude(
    os: Os,
    products: &[(&'static str, ProductState)],
) -> (Verdict, String, Option<String>) {
    let names = |f: fn(&ProductState) -> Option<&String>| -> Vec<String> {
        products
            .iter()
            .filter_map(|(name, state)| f(state).map(|detail| format!("{name} ({detail})")))
            .collect()
    };
    let protecting = names(|s| match s {
        ProductState::Protecting(d) => Some(d),
        _ => None,
    });
    if !protecting.is_empty() {
        return (
            Verdict::Pass,
            format!("Protected by {}.", protecting.join(", ")),
            None,
        );
    }
    let unreadable = names(|s| match s {
        ProductState::Unreadable(d) => Some(d),
        _ => None,
    });
    if !unreadable.is_empty() {
        let reason = format!(
            "installed protection could not be read: {}",
            unreadable.join("; ")
        );
        return (
            Verdict::unknown(reason.clone()),
            format!("Antivirus state is unknown: {reason}."),
            Some(format!(
                "Run devidence as {} so it can query the security product, and check that the product's service is installed correctly.",
                if os == Os::Windows {
                    "SYSTEM (its scheduled task)"
                } else {
                    "root"
                }
            )),
        );
    }
    let off = names(|s| match s {
        ProductState::NotProtecting(d) => Some(d),
        _ => None,
    });
    if !off.is_empty() {
        return (
            Verdict::Fail,
            format!("Installed but not protecting: {}.", off.join("; ")),
            Some(match os {
                Os::Linux => "Start the product's service and turn real-time protection on (for ClamAV: `sudo systemctl enable --now clamav-daemon clamav-freshclam`; for Defender: `sudo mdatp config real-time-protection --value enabled`), or ask IT.",
                Os::Macos => "Turn Gatekeeper back on (`sudo spctl --global-enable`, or allow apps from the App Store and identified developers in System Settings > Privacy & Security), and make sure the company's endpoint protection runs with its system extension approved; ask IT.",
                Os::Windows => "Turn real-time protection on in Windows Security > Virus & threat protection, or start the company's endpoint protection; ask IT.",
            }.into()),
        );
    }
    let looked_for: Vec<&str> = products.iter().map(|(name, _)| *name).collect();
    (
        Verdict::Fail,
        format!("No antivirus was found (looked for {}).", looked_for.join(", ")),
        Some(match os {
            Os::Linux => "Install the company's endpoint protection (ask IT), or ClamAV with on-access scanning: `sudo apt install clamav clamav-daemon clamav-freshclam` (Debian/Ubuntu) or `sudo dnf install clamav clamd clamav-update` (Fedora).",
            Os::Macos | Os::Windows => "Install the company's endpoint protection (ask IT).",
        }.into()),
    )
}
