//! One target per probe and OS: the probe's whole plan runs against a [`ScriptedHost`], so
//! every command it may run, in any order its branches take, answers with fuzz input.

use crate::seeds::Shape;
use crate::{ScriptedHost, Target};
use devidence_core::redact::Redactor;
use devidence_core::{Finding, Os, Policy, ProbeRun};
use std::sync::OnceLock;

fn run_probe(data: &[u8], os: Os, probe: fn(ProbeRun<'_>) -> Finding) {
    // Built once: compiling the redactor's patterns would otherwise dominate each execution.
    static REDACTOR: OnceLock<Redactor> = OnceLock::new();
    let redactor = REDACTOR.get_or_init(Redactor::new);
    let host = ScriptedHost::new(data);
    let policy = Policy::default();
    let finding = probe(ProbeRun::new(&host, os, &policy, redactor));
    // Whatever the probe concluded must be writable to findings.json.
    let _ = finding.verdict.label();
    let _ = serde_json::to_vec(&finding);
}

macro_rules! probe {
    ($name:literal, $dirs:expr, $os:expr, $probe:path) => {
        Target {
            name: $name,
            seed_dirs: $dirs,
            seed_shape: Shape::Answers,
            run: |data| run_probe(data, $os, $probe),
        }
    };
}

/// Every probe × OS target.
pub fn targets() -> Vec<Target> {
    const DE_L: &[&str] = &["crates/probe-disk-encryption/tests/fixtures/linux"];
    const DE_M: &[&str] = &["crates/probe-disk-encryption/tests/fixtures/macos"];
    const DE_W: &[&str] = &["crates/probe-disk-encryption/tests/fixtures/windows"];
    const AV_L: &[&str] = &["crates/probe-antivirus/tests/fixtures/linux"];
    const AV_M: &[&str] = &["crates/probe-antivirus/tests/fixtures/macos"];
    const AV_W: &[&str] = &["crates/probe-antivirus/tests/fixtures/windows"];
    const AU_L: &[&str] = &["crates/probe-auto-updates/tests/fixtures/linux"];
    const AU_M: &[&str] = &["crates/probe-auto-updates/tests/fixtures/macos"];
    const AU_W: &[&str] = &["crates/core/tests/fixtures/windows"];
    const LS_L: &[&str] = &["crates/probe-lock-screen/tests/fixtures/linux"];
    const LS_M: &[&str] = &["crates/probe-disk-encryption/tests/fixtures/macos"];
    const LS_W: &[&str] = &["crates/probe-lock-screen/tests/fixtures/windows"];
    const PM_L: &[&str] = &["crates/probe-password-manager/tests/fixtures/linux"];
    const PM_M: &[&str] = &["crates/probe-antivirus/tests/fixtures/macos"];
    const PM_W: &[&str] = &["crates/probe-password-manager/tests/fixtures/windows"];
    vec![
        probe!(
            "probe/disk-encryption/linux",
            DE_L,
            Os::Linux,
            probe_disk_encryption::probe
        ),
        probe!(
            "probe/disk-encryption/macos",
            DE_M,
            Os::Macos,
            probe_disk_encryption::probe
        ),
        probe!(
            "probe/disk-encryption/windows",
            DE_W,
            Os::Windows,
            probe_disk_encryption::probe
        ),
        probe!(
            "probe/antivirus/linux",
            AV_L,
            Os::Linux,
            probe_antivirus::probe
        ),
        probe!(
            "probe/antivirus/macos",
            AV_M,
            Os::Macos,
            probe_antivirus::probe
        ),
        probe!(
            "probe/antivirus/windows",
            AV_W,
            Os::Windows,
            probe_antivirus::probe
        ),
        probe!(
            "probe/auto-updates/linux",
            AU_L,
            Os::Linux,
            probe_auto_updates::probe
        ),
        probe!(
            "probe/auto-updates/macos",
            AU_M,
            Os::Macos,
            probe_auto_updates::probe
        ),
        probe!(
            "probe/auto-updates/windows",
            AU_W,
            Os::Windows,
            probe_auto_updates::probe
        ),
        probe!(
            "probe/lock-screen/linux",
            LS_L,
            Os::Linux,
            probe_lock_screen::probe
        ),
        probe!(
            "probe/lock-screen/macos",
            LS_M,
            Os::Macos,
            probe_lock_screen::probe
        ),
        probe!(
            "probe/lock-screen/windows",
            LS_W,
            Os::Windows,
            probe_lock_screen::probe
        ),
        probe!(
            "probe/password-manager/linux",
            PM_L,
            Os::Linux,
            probe_password_manager::probe
        ),
        probe!(
            "probe/password-manager/macos",
            PM_M,
            Os::Macos,
            probe_password_manager::probe
        ),
        probe!(
            "probe/password-manager/windows",
            PM_W,
            Os::Windows,
            probe_password_manager::probe
        ),
    ]
}
