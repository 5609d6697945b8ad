//! When systemd cannot say whether a timer fires: a running systemd that does not answer
//! `systemctl show` gives no timer verdict at all, and with systemd not PID 1 only a unit
//! enabled by name counts from the unit files.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use devidence_core::host::ReplayHost;
use devidence_core::{Finding, Observation, Os, Outcome, SourceKind, Verdict};
use devidence_testkit::probe::{Fixtures, judge};
use probe_auto_updates::probe;

const LINUX: Fixtures = Fixtures::new(env!("CARGO_MANIFEST_DIR"), "linux");

const DPKG: &str = "dpkg-query -W '-f=${Status} ${Version}' unattended-upgrades";
const APT_CONFIG: &str = "apt-config dump";
const SHOW_APT: &str = "systemctl show apt-daily.timer apt-daily-upgrade.timer -p Id -p Names -p LoadState -p ActiveState -p SubState -p UnitFileState -p LastTriggerUSec -p NextElapseUSecRealtime -p NextElapseUSecMonotonic";
const TAIL: &str = "tail -n 20 /var/log/unattended-upgrades/unattended-upgrades.log";

/// Debian 12 with unattended-upgrades installed and on; `systemctl show` answers as `show`
/// does, `is-enabled` prints `word` for both apt timers.
fn debian(show: Observation, word: &str) -> ReplayHost {
    let mut host = ReplayHost::new();
    host.file("/etc/os-release", &LINUX.text("os-release-debian12.txt"));
    host.command(DPKG, 0, &LINUX.text("dpkg-query-uu-installed.txt"));
    host.command(APT_CONFIG, 0, &LINUX.text("apt-config-dump-uu-enabled.txt"));
    host.add(show);
    for timer in ["apt-daily.timer", "apt-daily-upgrade.timer"] {
        host.command(
            &format!("systemctl is-enabled {timer}"),
            0,
            &format!("{word}\n"),
        );
    }
    host.command(TAIL, 0, &LINUX.text("uu-log-tail.txt"));
    host
}

fn unknown_reason(f: &Finding) -> &str {
    match &f.verdict {
        Verdict::Unknown { reason } => reason,
        other => panic!("expected unknown, got {other:?}: {}", f.summary),
    }
}

#[test]
fn a_running_systemd_that_times_out_is_unknown_even_with_timers_enabled_on_disk() {
    let show = Observation::new(
        SourceKind::Command,
        SHOW_APT,
        Outcome::TimedOut {
            deadline_ms: 10_000,
        },
    );
    let f = judge(probe, &debian(show, "enabled"), Os::Linux);
    let why = unknown_reason(&f);
    assert!(why.contains("did not report whether"), "{why}");
    assert!(
        f.facts["timers.source"].starts_with("none: `systemctl show` failed"),
        "{:#?}",
        f.facts
    );
}

#[test]
fn with_systemd_not_pid_1_only_a_timer_enabled_by_name_counts() {
    let mut show = Observation::new(SourceKind::Command, SHOW_APT, Outcome::Completed);
    show.exit_code = Some(1);
    show.stderr = LINUX.text("systemctl-show-offline.stderr");
    let f = judge(probe, &debian(show.clone(), "static"), Os::Linux);
    let why = unknown_reason(&f);
    assert!(
        why.contains(
            "is static, and without systemd's active state whether it fires cannot be told"
        ),
        "{why}"
    );
    // The same host with the timers enabled by name passes, as before.
    let f = judge(probe, &debian(show, "enabled"), Os::Linux);
    assert_eq!(f.verdict, Verdict::Pass, "{}", f.summary);
}
