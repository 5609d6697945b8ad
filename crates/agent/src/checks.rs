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
                    scope.spawn(move || probe(ProbeRun::new(host, os, policy, redactor))),
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

/// A probe that panicked still yields a finding: unknown, saying so, never a silent gap.
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
        devidence_core::Verdict::unknown(
            "the probe stopped on an internal error; please report it with findings.json",
        ),
        "The check could not complete because of an internal error.",
        Some("Report this to your IT team with the findings.json file.".into()),
    )
}
