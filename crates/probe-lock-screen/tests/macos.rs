//! Logic tests of the macOS screen-lock plan. No published real outputs of `sysadminctl
//! -screenLock status` or `pmset -g custom` for these cases were found yet (see the issue-4
//! note), so these inputs are written here, in the documented shapes, to test the decisions;
//! they are not evidence and are not counted as fixtures (the published `pmset` outputs are in
//! `public_fixtures.rs`).

#![allow(clippy::unwrap_used)]

use devidence_core::{Os, Policy, ReplayHost, Verdict};
use devidence_testkit::probe::judge;
use probe_lock_screen::macos::settings;
use probe_lock_screen::parse::macos::{
    ManagedScreenSaver, ScreenLock, parse_pmset_custom, parse_screen_lock, worst_seconds,
};
use probe_lock_screen::policy::conclude_settings;
use probe_lock_screen::probe;

#[test]
fn sysadminctl_lines_parse_with_their_log_prefix() {
    assert_eq!(
        parse_screen_lock(
            "2024-01-02 10:00:00.000 sysadminctl[123:456] screenLock delay is immediate\n"
        ),
        Some(ScreenLock::Delay(0))
    );
    assert_eq!(
        parse_screen_lock("sysadminctl[1:2] screenLock delay is 300 seconds"),
        Some(ScreenLock::Delay(300))
    );
    assert_eq!(
        parse_screen_lock("sysadminctl[1:2] screenLock is off"),
        Some(ScreenLock::Off)
    );
    assert_eq!(
        parse_screen_lock("sysadminctl[1:2] screenLock delay is off"),
        Some(ScreenLock::Off)
    );
    assert_eq!(parse_screen_lock("usage: sysadminctl"), None);
}

#[test]
fn pmset_sections_give_the_worst_power_source() {
    let text = "Battery Power:\n displaysleep         2\n sleep                1\nAC Power:\n displaysleep         10\n sleep                0\n";
    let sections = parse_pmset_custom(text);
    assert_eq!(sections.len(), 2);
    assert_eq!(
        worst_seconds(&sections, |t| t.display_minutes),
        Some(Some(600))
    );
    assert_eq!(
        worst_seconds(&sections, |t| t.system_minutes),
        Some(None),
        "AC never sleeps"
    );
}

#[test]
fn macos_immediate_lock_with_a_short_screen_saver_complies_and_a_profile_can_tighten_it() {
    let policy = Policy::default();
    let compliant = settings(
        Some(ScreenLock::Delay(0)),
        Some(300),
        &ManagedScreenSaver::default(),
        Some(Some(600)),
        None,
    );
    assert!(conclude_settings(&compliant, &policy).compliant);
    // The user's 20-minute saver is too long, a profile's 10 minutes is stricter and applies.
    let managed = ManagedScreenSaver {
        idle_time: Some(600),
        ..ManagedScreenSaver::default()
    };
    let tightened = settings(Some(ScreenLock::Delay(0)), Some(1200), &managed, None, None);
    assert_eq!(tightened.idle_seconds.value, Some(600));
    assert!(
        tightened
            .idle_seconds
            .source
            .contains("configuration profile")
    );
    // Screen lock off: no password on wake, whatever the timers.
    let off = settings(
        Some(ScreenLock::Off),
        Some(60),
        &ManagedScreenSaver::default(),
        None,
        None,
    );
    assert!(!conclude_settings(&off, &policy).compliant);
}

#[test]
fn macos_plan_reads_the_console_user_and_fails_a_long_lock_delay() {
    let mut host = ReplayHost::new();
    host.command("/usr/bin/stat -f %Su /dev/console", 0, "ada\n");
    host.command(
        "/usr/bin/dscacheutil -q user",
        0,
        "name: ada\npassword: ********\nuid: 501\ngid: 20\ndir: /Users/ada\nshell: /bin/zsh\ngecos: Ada\n\n",
    );
    let managed_missing =
        "Domain /Library/Managed Preferences/com.apple.screensaver does not exist";
    host.command_stderr(
        "/usr/bin/defaults read '/Library/Managed Preferences/com.apple.screensaver'",
        1,
        managed_missing,
    );
    host.command_stderr(
        "/usr/bin/defaults read '/Library/Managed Preferences/ada/com.apple.screensaver'",
        1,
        "does not exist",
    );
    host.command_as_stderr(
        "ada",
        "/usr/sbin/sysadminctl -screenLock status",
        0,
        "sysadminctl[1:2] screenLock delay is 3600 seconds",
    );
    host.command_as(
        "ada",
        "/usr/bin/defaults -currentHost read com.apple.screensaver idleTime",
        0,
        "300\n",
    );
    host.command(
        "/usr/bin/pmset -g custom",
        0,
        "AC Power:\n displaysleep         10\n sleep                1\n",
    );
    let finding = judge(probe, &host, Os::Macos);
    assert_eq!(
        finding.verdict,
        Verdict::Fail,
        "{}\n{:#?}",
        finding.summary,
        finding
            .observations
            .iter()
            .map(|o| (&o.source, &o.outcome))
            .collect::<Vec<_>>()
    );
    assert!(finding.summary.contains("1 h"), "{}", finding.summary);
}
