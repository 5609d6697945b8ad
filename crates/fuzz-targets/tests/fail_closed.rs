//! Fail closed, every plan: a machine where every command succeeds and every file reads, but
//! all of it is text no parser knows, must give `unknown` for each control on each OS — never
//! a pass and never a fail.

#![allow(clippy::unwrap_used, missing_docs)]

use devidence_core::redact::Redactor;
use devidence_core::{Os, Policy, ProbeRun, Verdict};
use devidence_fuzz_targets::host::{Ending, ScriptedHost};

type Probe = fn(ProbeRun<'_>) -> devidence_core::Finding;

const PROBES: [(&str, Probe); 5] = [
    ("disk encryption", probe_disk_encryption::probe),
    ("antivirus", probe_antivirus::probe),
    ("automatic updates", probe_auto_updates::probe),
    ("screen lock", probe_lock_screen::probe),
    ("password manager", probe_password_manager::probe),
];

/// Answers no tool prints: words, punctuation, a broken JSON and XML opening, a NUL.
const GARBAGE: [&str; 3] = [
    "?? unexpected banner ??\nsomething: else entirely\n",
    "{\"not\": [\"the expected shape\"\n<<<\u{0}>>>\n",
    "Zugriff verweigert ☃\r\n",
];

#[test]
fn garbage_from_every_source_is_unknown_for_every_control_on_every_os() {
    let mut wrong = Vec::new();
    for os in [Os::Linux, Os::Macos, Os::Windows] {
        for (name, probe) in PROBES {
            for garbage in GARBAGE {
                let answers = std::iter::repeat_n((Ending::Success, garbage), 2_000);
                let host = ScriptedHost::new(&ScriptedHost::encode(answers));
                let finding = probe(ProbeRun::new(
                    &host,
                    os,
                    &Policy::default(),
                    &Redactor::new(),
                ));
                if !matches!(finding.verdict, Verdict::Unknown { .. }) {
                    wrong.push(format!(
                        "{os:?} {name} on {garbage:?}: {} — {}",
                        finding.verdict, finding.summary
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "not fail-closed:\n{}", wrong.join("\n"));
}
