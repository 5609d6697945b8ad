//! The Linux antivirus plan on recorded and constructed machines.
#![allow(clippy::unwrap_used, missing_docs)]

use devidence_core::redact::Redactor;
use devidence_core::{
    Observation, Os, Outcome, Policy, ProbeRun, RealHost, ReplayHost, SourceKind, Verdict,
};
use devidence_testkit::probe::{Fixtures, judge, rejudge};
use probe_antivirus::probe;
use time::OffsetDateTime;

const LINUX: Fixtures = Fixtures::new(env!("CARGO_MANIFEST_DIR"), "linux");

#[test]
fn recorded_machine_without_any_product_fails_naming_what_was_looked_for() {
    let finding = judge(
        probe,
        &LINUX.replay_host("debian12-vm-nothing-installed.json"),
        Os::Linux,
    );
    assert_eq!(finding.verdict, Verdict::Fail);
    assert!(
        finding.summary.contains("ClamAV") && finding.summary.contains("SentinelOne"),
        "{}",
        finding.summary
    );
    assert!(finding.remediation.unwrap().contains("clamav-daemon"));
}

#[test]
fn recorded_clamav_installed_but_not_running_fails() {
    let finding = judge(
        probe,
        &LINUX.replay_host("debian12-vm-clamav-installed-not-running.json"),
        Os::Linux,
    );
    assert_eq!(finding.verdict, Verdict::Fail);
    assert_eq!(finding.facts["clamav.engine"], "1.4.6");
    assert_eq!(finding.facts["clamav.clamd_running"], "false");
    assert!(finding.summary.contains("clamd"), "{}", finding.summary);
}

// Constructed machines below use the output formats the vendors document: ClamAV's
// `ENGINE/SIGNATURES/ctime` version line, `mdatp health --output json` fields (Microsoft Learn,
// "Investigate agent health issues"), `falconctl -g --rfm-state` (`rfm-state=false.`).

fn ctime(days_ago: i64) -> String {
    let date = OffsetDateTime::now_utc().date() - time::Duration::days(days_ago);
    let month = &format!("{:?}", date.month())[..3];
    format!("Mon {month} {:>2} 08:36:59 {}", date.day(), date.year())
}

fn nothing_installed() -> ReplayHost {
    let mut host = ReplayHost::new();
    host.command("pgrep -l -x clamd", 1, "");
    host
}

fn clamav_running(signature_age_days: i64) -> ReplayHost {
    let mut host = nothing_installed();
    host.command(
        "clamdscan --version",
        0,
        &format!("ClamAV 1.0.7/27400/{}\n", ctime(signature_age_days)),
    );
    host.command("pgrep -l -x clamd", 0, "812 clamd\n");
    host.command("pgrep -l -x freshclam", 0, "640 freshclam\n");
    host.command("pgrep -l -x clamonacc", 1, "");
    host
}

#[test]
fn clamav_running_with_fresh_signatures_passes() {
    let finding = judge(probe, &clamav_running(1), Os::Linux);
    assert_eq!(finding.verdict, Verdict::Pass, "{}", finding.summary);
    assert_eq!(finding.facts["clamav.signature_age_days"], "1");
    assert_eq!(finding.facts["clamav.on_access_scanning"], "false");
}

#[test]
fn clamav_with_stale_signatures_fails() {
    let finding = judge(probe, &clamav_running(30), Os::Linux);
    assert_eq!(finding.verdict, Verdict::Fail);
    assert!(
        finding.summary.contains("30 days old"),
        "{}",
        finding.summary
    );
}

#[test]
fn defender_states() {
    let mut host = nothing_installed();
    let json = r#"{"healthy":true,"licensed":true,"real_time_protection_enabled":true,"definitions_status":"up_to_date","app_version":"101.24082.0004"}"#;
    host.command("mdatp health --output json", 0, json);
    assert_eq!(judge(probe, &host, Os::Linux).verdict, Verdict::Pass);

    host.command(
        "mdatp health --output json",
        0,
        &json.replace(
            "\"real_time_protection_enabled\":true",
            "\"real_time_protection_enabled\":false",
        ),
    );
    let finding = judge(probe, &host, Os::Linux);
    assert_eq!(finding.verdict, Verdict::Fail);
    assert!(finding.summary.contains("real-time protection is off"));

    // mdatp exists but refuses a non-root caller: unknown, never fail.
    let mut denied = Observation::new(
        SourceKind::Command,
        "mdatp health --output json",
        Outcome::Completed,
    );
    denied.exit_code = Some(1);
    denied.stderr = "Permission denied. Please run as root.".into();
    host.add(denied);
    let finding = judge(probe, &host, Os::Linux);
    let Verdict::Unknown { reason } = finding.verdict else {
        panic!("{:?}", finding.verdict)
    };
    assert!(reason.contains("Permission denied"), "{reason}");
}

#[test]
fn falcon_in_reduced_functionality_mode_fails() {
    let mut host = nothing_installed();
    let falconctl = "/opt/CrowdStrike/falconctl -g --rfm-state --aid --version";
    host.command(
        falconctl,
        0,
        "rfm-state=true, rfm-reason=Unspecified, code=0xC0000001.\n",
    );
    assert_eq!(judge(probe, &host, Os::Linux).verdict, Verdict::Fail);
    host.command(falconctl, 0, "rfm-state=false.\n");
    assert_eq!(judge(probe, &host, Os::Linux).verdict, Verdict::Pass);
}

#[test]
fn a_timed_out_product_is_unknown_unless_another_protects() {
    let mut host = nothing_installed();
    let mut hung = Observation::new(
        SourceKind::Command,
        "mdatp health --output json",
        Outcome::TimedOut { deadline_ms: 15000 },
    );
    hung.duration_ms = 15000;
    host.add(hung);
    assert!(matches!(
        judge(probe, &host, Os::Linux).verdict,
        Verdict::Unknown { .. }
    ));
    let mut with_clam = clamav_running(0);
    let mut hung = Observation::new(
        SourceKind::Command,
        "mdatp health --output json",
        Outcome::TimedOut { deadline_ms: 15000 },
    );
    hung.duration_ms = 15000;
    with_clam.add(hung);
    assert_eq!(judge(probe, &with_clam, Os::Linux).verdict, Verdict::Pass);
}

#[test]
fn the_real_machine_gives_a_verdict_with_its_evidence() {
    let host = RealHost::new();
    let finding = probe(ProbeRun::new(
        &host,
        Os::Linux,
        &Policy::default(),
        &Redactor::new(),
    ));
    eprintln!("{}: {}", finding.verdict, finding.summary);
    assert!(
        finding
            .observations
            .iter()
            .any(|o| o.source == "mdatp health --output json")
    );
    // Checked independently: with none of the products' tools installed, the verdict must be
    // a fail naming what was looked for; with one, never that fail.
    let tools = ["clamscan", "clamdscan", "clamd", "freshclam", "mdatp"];
    let any_product = tools.iter().any(|t| on_path(t))
        || std::path::Path::new("/opt/CrowdStrike/falconctl").exists()
        || std::path::Path::new("/opt/sentinelone/bin/sentinelctl").exists();
    if any_product {
        assert!(
            !(finding.verdict == Verdict::Fail && finding.summary.contains("No antivirus")),
            "{}",
            finding.summary
        );
    } else {
        assert_eq!(finding.verdict, Verdict::Fail, "{}", finding.summary);
        assert!(
            finding.summary.contains("ClamAV") && finding.summary.contains("SentinelOne"),
            "{}",
            finding.summary
        );
    }
    // The finding carries its proof: judged again from its observations, it is the same.
    let again = rejudge(&finding, probe);
    assert_eq!(
        (&again.verdict, &again.summary),
        (&finding.verdict, &finding.summary)
    );
}

/// Whether `program` is on the agent's fixed command path.
fn on_path(program: &str) -> bool {
    [
        "/usr/local/sbin",
        "/usr/local/bin",
        "/usr/sbin",
        "/usr/bin",
        "/sbin",
        "/bin",
    ]
    .iter()
    .any(|dir| std::path::Path::new(dir).join(program).exists())
}
