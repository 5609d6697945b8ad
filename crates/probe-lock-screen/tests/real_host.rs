//! The probe on the machine running the tests. A build or CI machine has no graphical login
//! session (often no systemd-logind at all), so the honest answer there is Unknown, never Pass.
#![allow(clippy::unwrap_used, missing_docs)]

use devidence_core::redact::Redactor;
use devidence_core::{Os, Policy, ProbeRun, RealHost, Verdict};

#[test]
fn without_a_desktop_session_the_answer_is_unknown() {
    if Os::current() != Os::Linux {
        return;
    }
    let host = RealHost::new();
    let policy = Policy::default();
    let redactor = Redactor::new();
    let finding = probe_lock_screen::probe(ProbeRun::new(&host, Os::Linux, &policy, &redactor));
    println!("{}: {}", finding.verdict, finding.summary);
    assert!(
        finding
            .observations
            .iter()
            .any(|o| o.source == "loginctl list-sessions --no-legend"),
        "the session listing is part of the evidence"
    );
    let sessions = finding.facts.get("sessions.graphical").unwrap();
    if sessions == "none" || sessions.starts_with("not listed") {
        match &finding.verdict {
            Verdict::Unknown { reason } => assert!(reason.contains("session"), "{reason}"),
            other => panic!(
                "expected Unknown without a desktop session, got {other:?}: {}",
                finding.summary
            ),
        }
    } else {
        // Run on a developer's desktop: a real verdict is fine, as long as each user was judged.
        assert!(
            finding.facts.keys().any(|k| k.ends_with(".result")),
            "{:#?}",
            finding.facts
        );
    }
}
