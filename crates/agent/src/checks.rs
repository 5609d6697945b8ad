//! Runs the five probes (and the device identity) concurrently, each on its own thread.

use devidence_core::redact::Redactor;
use devidence_core::{Control, DeviceIdentity, Finding, Host, Os, Policy, ProbeRun, identity};
use std::thread;

/// What one collection produced: who the device is and the five findings, in control order.
pub struct Collection {
    /// The device the evidence is about.
    pub device: DeviceIdentity,
    /// One finding per control, in [`Control::ALL`] order.
    pub findings: Vec<Finding>,
}

fn probe_for(control: Control) -> fn(ProbeRun<'_>) -> Finding {
    match control {
        Control::DiskEncryption => probe_disk_encryption::probe,
        Control::Antivirus => probe_antivirus::probe,
        Control::AutoUpdates => probe_auto_updates::probe,
        Control::LockScreen => probe_lock_screen::probe,
        Control::PasswordManager => probe_password_manager::probe,
    }
}

/// Runs every probe and the identity lookup at once through `host`.
pub fn collect(host: &dyn Host, os: Os, policy: &Policy, redactor: &Redactor) -> Collection {
    thread::scope(|scope| {
        let identity =
            scope.spawn(|| identity::collect(&mut ProbeRun::new(host, os, policy, redactor)));
        let findings = probe_all(host, os, policy, redactor);
        let device = identity.join().unwrap_or_else(|_| DeviceIdentity {
            hostname: "unknown".into(),
            os,
            ..DeviceIdentity::default()
        });
        Collection { device, findings }
    })
}

/// Runs the five probes at once through `host`; one finding per control, in
/// [`Control::ALL`] order.
pub fn probe_all(host: &dyn Host, os: Os, policy: &Policy, redactor: &Redactor) -> Vec<Finding> {
    thread::scope(|scope| {
        let probes: Vec<_> = Control::ALL
            .into_iter()
            .map(|control| {
                let probe = probe_for(control);
                (
                    control,
                    scope.spawn(move || {
                        inject_panic(control);
                        probe(ProbeRun::new(host, os, policy, redactor))
                    }),
                )
            })
            .collect();
        probes
            .into_iter()
            .map(|(control, handle)| {
                handle
                    .join()
                    .unwrap_or_else(|_| crashed(control, os, host, policy, redactor))
            })
            .collect()
    })
}

/// With the `fault-injection` feature (test builds only), panics in the probe named by
/// `DEVIDENCE_FAULT_PANIC_PROBE` (a control's slug), saying how this build handles panics,
/// so a test can prove that the release profile turns a crashed probe into its finding.
#[cfg(feature = "fault-injection")]
fn inject_panic(control: Control) {
    if std::env::var("DEVIDENCE_FAULT_PANIC_PROBE").is_ok_and(|v| v == control.slug()) {
        eprintln!(
            "fault injection: the {} probe panics now (this build: panic={}, debug assertions {})",
            control.slug(),
            if cfg!(panic = "unwind") {
                "unwind"
            } else {
                "abort"
            },
            if cfg!(debug_assertions) { "on" } else { "off" }
        );
        panic!("injected panic in the {} probe", control.slug());
    }
}

#[cfg(not(feature = "fault-injection"))]
fn inject_panic(_control: Control) {}

/// A probe that panicked still yields a finding: unknown, saying so, never a silent gap. This
/// needs the panic to unwind to the thread's join, which is why the release profile sets
/// `panic = "unwind"` (a release build that aborted lost the whole run).
fn crashed(
    control: Control,
    os: Os,
    host: &dyn Host,
    policy: &Policy,
    redactor: &Redactor,
) -> Finding {
    tracing::error!(%control, "probe panicked");
    ProbeRun::new(host, os, policy, redactor).finish(
        control,
        devidence_core::Conclusion::unknown(
            "the probe stopped on an internal error; please report it with findings.json",
            "The check could not complete because of an internal error.",
            Some("Report this to your IT team with the findings.json file.".into()),
        ),
    )
}
