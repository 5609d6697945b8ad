//! The Linux plan end to end on recorded outputs (`fixtures/`, each file's first line names its
//! source), replayed through `ReplayHost`.
#![allow(clippy::unwrap_used, missing_docs)]

use devidence_core::{Finding, Observation, Os, Outcome, ReplayHost, SourceKind, Verdict};
use devidence_testkit::probe::{Fixtures, judge};
use probe_lock_screen::probe;

const LINUX: Fixtures = Fixtures::new(env!("CARGO_MANIFEST_DIR"), "linux");

const SCHEMAS: [&str; 4] = [
    "org.gnome.desktop.screensaver",
    "org.gnome.desktop.session",
    "org.gnome.desktop.lockdown",
    "org.gnome.settings-daemon.plugins.power",
];

// Debian 12 style accounts.
const PASSWD: &str = "root:x:0:0:root:/root:/bin/bash\n\
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n\
gdm:x:120:127:Gnome Display Manager:/var/lib/gdm3:/bin/false\n\
alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash\n\
bob:x:1001:1001:Bob,,,:/home/bob:/bin/bash\n";

struct Session {
    id: &'static str,
    uid: u32,
    user: &'static str,
    kind: &'static str,
    desktop: &'static str,
    active: bool,
}

fn obs(
    line: &str,
    user: Option<&str>,
    outcome: Outcome,
    code: Option<i32>,
    stdout: &str,
    stderr: &str,
) -> Observation {
    let mut o = Observation::new(SourceKind::Command, line, outcome);
    o.as_user = user.map(str::to_string);
    o.exit_code = code;
    o.stdout = stdout.to_string();
    o.stderr = stderr.to_string();
    o
}

/// A machine with these logind sessions (systemd 252 `loginctl` formats, as in devidence-core's
/// users.rs test) and the Debian-style /etc/passwd above.
fn machine(sessions: &[Session]) -> ReplayHost {
    let mut host = ReplayHost::new();
    let listing: String = sessions
        .iter()
        .map(|s| format!("{:>7} {} {} seat0 tty2\n", s.id, s.uid, s.user))
        .collect();
    host.command("loginctl list-sessions --no-legend", 0, &listing);
    for s in sessions {
        host.command(
            &format!(
                "loginctl show-session {} -p Name -p User -p Type -p Class -p Active -p Desktop",
                s.id
            ),
            0,
            &format!(
                "Name={}\nUser={}\nType={}\nClass=user\nActive={}\nDesktop={}\n",
                s.user,
                s.uid,
                s.kind,
                if s.active { "yes" } else { "no" },
                s.desktop
            ),
        );
    }
    host.file("/etc/passwd", PASSWD);
    host
}

fn alice(desktop: &'static str) -> Session {
    Session {
        id: "2",
        uid: 1000,
        user: "alice",
        kind: "wayland",
        desktop,
        active: true,
    }
}

fn bob(desktop: &'static str) -> Session {
    Session {
        id: "5",
        uid: 1001,
        user: "bob",
        kind: "x11",
        desktop,
        active: false,
    }
}

/// Replays a recorded `gsettings list-recursively` of the four schemas for `user`, one command
/// per schema (a schema with no lines answers "No such schema", as gsettings does).
fn gnome_settings(host: &mut ReplayHost, user: &str, recorded: &str) {
    gsettings_replay(host, user, recorded, &SCHEMAS);
}

fn gsettings_replay(host: &mut ReplayHost, user: &str, recorded: &str, schemas: &[&str]) {
    for &schema in schemas {
        let lines: String = recorded
            .lines()
            .filter(|l| l.starts_with(&format!("{schema} ")))
            .map(|l| format!("{l}\n"))
            .collect();
        let line = format!("gsettings list-recursively {schema}");
        if lines.is_empty() {
            let stderr = LINUX
                .text("gnome/no-such-schema.stderr")
                .replace("org.gnome.settings-daemon.plugins.power", schema);
            host.add(obs(
                &line,
                Some(user),
                Outcome::Completed,
                Some(1),
                "",
                &stderr,
            ));
        } else {
            host.command_as(user, &line, 0, &lines);
        }
    }
}

fn reason(f: &Finding) -> &str {
    match &f.verdict {
        Verdict::Unknown { reason } => reason,
        other => panic!("expected unknown, got {other:?}: {}", f.summary),
    }
}

fn fact<'a>(f: &'a Finding, key: &str) -> &'a str {
    f.facts
        .get(key)
        .unwrap_or_else(|| panic!("no fact {key} in {:#?}", f.facts))
}

fn gnome_user(fixture_name: &str) -> Finding {
    let mut host = machine(&[alice("ubuntu")]);
    gnome_settings(&mut host, "alice", &LINUX.text(fixture_name));
    judge(probe, &host, Os::Linux)
}

#[test]
fn gnome_defaults_pass_and_carry_their_evidence() {
    let f = gnome_user("gnome/gnome-defaults.txt");
    assert_eq!(f.verdict, Verdict::Pass, "{}", f.summary);
    assert_eq!(fact(&f, "user.alice.desktop"), "GNOME");
    assert_eq!(fact(&f, "user.alice.lock_enabled"), "true");
    assert_eq!(fact(&f, "user.alice.idle_delay_s"), "300");
    assert_eq!(fact(&f, "user.alice.lock_delay_s"), "0");
    assert_eq!(fact(&f, "user.alice.effective_lock_s"), "300");
    assert_eq!(
        fact(&f, "user.alice.sleep_inactive_ac"),
        "suspend after 1200 s"
    );
    assert!(fact(&f, "user.alice.idle_delay_source").contains("not locked"));
    assert!(f.remediation.is_none());
    // The settings were read as alice, with the dconf backend forced.
    let read = f
        .observations
        .iter()
        .find(|o| o.source == "gsettings list-recursively org.gnome.desktop.screensaver")
        .unwrap();
    assert_eq!(read.as_user.as_deref(), Some("alice"));
    assert!(f.summary.contains("alice"), "{}", f.summary);
}

#[test]
fn gnome_lock_disabled_fails() {
    let f = gnome_user("gnome/gnome-lock-disabled.txt");
    assert_eq!(f.verdict, Verdict::Fail);
    assert!(
        f.summary
            .contains("alice (GNOME): automatic screen lock is off"),
        "{}",
        f.summary
    );
    assert_eq!(fact(&f, "user.alice.lock_enabled"), "false");
    assert!(
        f.remediation
            .as_deref()
            .unwrap()
            .contains("lock-enabled true")
    );
}

#[test]
fn gnome_idle_delay_never_fails_even_though_it_suspends_later() {
    let f = gnome_user("gnome/gnome-idle-never.txt");
    assert_eq!(f.verdict, Verdict::Fail);
    assert_eq!(fact(&f, "user.alice.idle_delay_s"), "0 (never)");
    assert!(f.summary.contains("never blanks or locks"), "{}", f.summary);
    // Idle suspend at 20 min (Debian default) would lock, but too late.
    assert_eq!(fact(&f, "user.alice.effective_lock_s"), "1200");
    assert!(
        f.summary
            .contains("idle suspend, which would also lock, comes only after 20 min"),
        "{}",
        f.summary
    );
}

#[test]
fn gnome_idle_600_plus_lock_delay_600_fails_on_the_delay_and_the_total() {
    let f = gnome_user("gnome/gnome-idle600-lockdelay600.txt");
    assert_eq!(f.verdict, Verdict::Fail);
    assert_eq!(fact(&f, "user.alice.effective_lock_s"), "1200");
    assert!(
        f.summary
            .contains("password is needed only 10 min after the screen blanks"),
        "{}",
        f.summary
    );
    assert!(
        f.summary
            .contains("a password is needed only after 20 min of inactivity"),
        "{}",
        f.summary
    );
}

#[test]
fn gnome_cis_limits_exactly_pass() {
    // idle-delay 900 + lock-delay 5: the CIS values; each limit is checked on its own.
    let f = gnome_user("gnome/gnome-idle900-lockdelay5.txt");
    assert_eq!(f.verdict, Verdict::Pass, "{}", f.summary);
    assert_eq!(fact(&f, "user.alice.effective_lock_s"), "905");
}

#[test]
fn gnome_lockdown_disable_lock_screen_fails() {
    let f = gnome_user("gnome/gnome-lockdown-disabled.txt");
    assert_eq!(f.verdict, Verdict::Fail);
    assert!(
        f.summary.contains("lock screen is turned off"),
        "{}",
        f.summary
    );
    assert_eq!(fact(&f, "user.alice.password_required"), "false");
    assert!(
        f.remediation
            .as_deref()
            .unwrap()
            .contains("disable-lock-screen false")
    );
}

#[test]
fn gnome_screen_that_never_blanks_but_suspends_and_locks_at_10_min_passes() {
    let f = gnome_user("gnome/gnome-idle-never-suspend600.txt");
    assert_eq!(f.verdict, Verdict::Pass, "{}", f.summary);
    assert_eq!(fact(&f, "user.alice.suspend_lock_s"), "600");
    assert_eq!(fact(&f, "user.alice.effective_lock_s"), "600");
}

#[test]
fn gnome_administrator_locks_are_attributed() {
    let mut host = machine(&[alice("GNOME")]);
    gnome_settings(
        &mut host,
        "alice",
        &LINUX.text("gnome/gnome-admin-locked.txt"),
    );
    host.command_as(
        "alice",
        "dconf list-locks /org/gnome/",
        0,
        &LINUX.text("gnome/gnome-admin-locked.locks.txt"),
    );
    let f = judge(probe, &host, Os::Linux);
    assert_eq!(f.verdict, Verdict::Pass, "{}", f.summary);
    assert_eq!(fact(&f, "user.alice.idle_delay_s"), "120");
    assert_eq!(
        fact(&f, "user.alice.idle_delay_source"),
        "locked by administrator (dconf lock)"
    );
    assert_eq!(
        fact(&f, "user.alice.lock_enabled_source"),
        "locked by administrator (dconf lock)"
    );
    assert_eq!(
        fact(&f, "user.alice.lock_delay_source"),
        "gsettings, not locked (the user can change it)"
    );
}

#[test]
fn gnome_lock_files_are_read_when_dconf_cli_is_missing() {
    let mut host = machine(&[alice("GNOME")]);
    gnome_settings(
        &mut host,
        "alice",
        &LINUX.text("gnome/gnome-admin-locked.txt"),
    );
    // The files behind the recording of gnome-admin-locked (see its header).
    host.file("/etc/dconf/profile/user", "user-db:user\nsystem-db:local\n");
    host.dir("/etc/dconf/db/local.d/locks", &["screenlock"]);
    host.file(
        "/etc/dconf/db/local.d/locks/screenlock",
        "/org/gnome/desktop/session/idle-delay\n/org/gnome/desktop/screensaver/lock-enabled\n",
    );
    let f = judge(probe, &host, Os::Linux);
    assert_eq!(f.verdict, Verdict::Pass, "{}", f.summary);
    assert_eq!(
        fact(&f, "user.alice.idle_delay_source"),
        "locked by administrator (dconf lock)"
    );
}

#[test]
fn gsettings_missing_is_unknown_never_pass() {
    let host = machine(&[alice("ubuntu")]);
    let f = judge(probe, &host, Os::Linux);
    let r = reason(&f);
    assert!(
        r.contains("`gsettings` was not found") && r.contains("alice"),
        "{r}"
    );
    assert!(f.remediation.is_some());
}

#[test]
fn gsettings_missing_behind_setpriv_is_unknown() {
    let mut host = machine(&[alice("ubuntu")]);
    let stderr = LINUX.text("gnome/setpriv-no-gsettings.stderr");
    for schema in SCHEMAS {
        let line = format!("gsettings list-recursively {schema}");
        host.add(obs(
            &line,
            Some("alice"),
            Outcome::Completed,
            Some(127),
            "",
            &stderr,
        ));
    }
    assert!(reason(&judge(probe, &host, Os::Linux)).contains("`gsettings` was not found"));
}

#[test]
fn a_timed_out_command_is_unknown() {
    let mut host = machine(&[alice("ubuntu")]);
    gnome_settings(&mut host, "alice", &LINUX.text("gnome/gnome-defaults.txt"));
    host.add(obs(
        "gsettings list-recursively org.gnome.desktop.session",
        Some("alice"),
        Outcome::TimedOut {
            deadline_ms: 10_000,
        },
        None,
        "",
        "",
    ));
    let f = judge(probe, &host, Os::Linux);
    let r = reason(&f);
    assert!(r.contains("timed out after 10.0 s"), "{r}");
    assert!(r.contains("alice"), "{r}");
}

#[test]
fn a_missing_dconf_backend_is_unknown_not_defaults() {
    let mut host = machine(&[alice("ubuntu")]);
    gnome_settings(&mut host, "alice", &LINUX.text("gnome/gnome-defaults.txt"));
    // Without the dconf module gsettings prints the schema defaults and only warns.
    let defaults: String = LINUX
        .text("gnome/gnome-defaults.txt")
        .lines()
        .filter(|l| l.starts_with("org.gnome.desktop.screensaver "))
        .map(|l| format!("{l}\n"))
        .collect();
    host.add(obs(
        "gsettings list-recursively org.gnome.desktop.screensaver",
        Some("alice"),
        Outcome::Completed,
        Some(0),
        &defaults,
        &LINUX.text("gnome/no-dconf-backend.stderr"),
    ));
    assert!(reason(&judge(probe, &host, Os::Linux)).contains("dconf backend"));
}

#[test]
fn reading_another_user_without_root_is_unknown_with_the_fix() {
    let mut host = machine(&[alice("ubuntu")]);
    // What RealHost answers when the agent is neither root nor alice.
    let message = "reading alice's settings needs the agent to run as root or as alice".to_string();
    for schema in SCHEMAS {
        let line = format!("gsettings list-recursively {schema}");
        host.add(obs(
            &line,
            Some("alice"),
            Outcome::Failed {
                message: message.clone(),
            },
            None,
            "",
            "",
        ));
    }
    assert!(reason(&judge(probe, &host, Os::Linux)).contains("needs the agent to run as root"));
}

#[test]
fn no_graphical_session_is_unknown() {
    let mut host = machine(&[]);
    // A text-console session only.
    host.command(
        "loginctl list-sessions --no-legend",
        0,
        "      3 1000 alice seat0 tty3\n",
    );
    host.command(
        "loginctl show-session 3 -p Name -p User -p Type -p Class -p Active -p Desktop",
        0,
        "Name=alice\nUser=1000\nType=tty\nClass=user\nActive=yes\nDesktop=\n",
    );
    let f = judge(probe, &host, Os::Linux);
    assert_eq!(reason(&f), probe_lock_screen::policy::NO_SESSION);
    assert_eq!(fact(&f, "sessions.graphical"), "none");
}

#[test]
fn loginctl_without_systemd_is_unknown_mentioning_sessions() {
    let mut host = ReplayHost::new();
    host.add(obs(
        "loginctl list-sessions --no-legend",
        None,
        Outcome::Completed,
        Some(1),
        "",
        &LINUX.text("loginctl-no-systemd.stderr"),
    ));
    let r = reason(&judge(probe, &host, Os::Linux)).to_string();
    assert!(
        r.contains("login sessions could not be listed")
            && r.contains("System has not been booted with systemd"),
        "{r}"
    );
}

#[test]
fn two_users_one_failing_fails_naming_that_user() {
    let mut host = machine(&[alice("ubuntu"), bob("ubuntu")]);
    gnome_settings(&mut host, "alice", &LINUX.text("gnome/gnome-defaults.txt"));
    gnome_settings(
        &mut host,
        "bob",
        &LINUX.text("gnome/gnome-lock-disabled.txt"),
    );
    let f = judge(probe, &host, Os::Linux);
    assert_eq!(f.verdict, Verdict::Fail);
    assert!(
        f.summary
            .contains("for bob (GNOME): automatic screen lock is off"),
        "{}",
        f.summary
    );
    assert!(!f.summary.contains("alice"), "{}", f.summary);
    assert!(fact(&f, "user.alice.result").starts_with("pass"));
    assert!(fact(&f, "user.bob.result").starts_with("fail"));
}

#[test]
fn a_failure_outranks_another_users_unknown() {
    let mut host = machine(&[alice("ubuntu"), bob("KDE")]);
    // alice: gsettings missing (unknown); bob: KDE with Autolock=false (fail).
    host.command_as(
        "bob",
        "cat /home/bob/.config/kscreenlockerrc",
        0,
        &LINUX.text("kde/autolock-false.kscreenlockerrc"),
    );
    let f = judge(probe, &host, Os::Linux);
    assert_eq!(f.verdict, Verdict::Fail);
    assert!(
        f.summary
            .contains("bob (KDE Plasma): automatic screen lock is off"),
        "{}",
        f.summary
    );
    assert!(f.summary.contains("Could not check alice"), "{}", f.summary);
    let fix = f.remediation.unwrap();
    assert!(
        fix.contains("KDE Plasma:") && fix.contains("GNOME:"),
        "{fix}"
    );
}

fn cinnamon_user(fixture_name: &str) -> Finding {
    let mut host = machine(&[alice("cinnamon")]);
    let schemas = [
        "org.cinnamon.desktop.screensaver",
        "org.cinnamon.desktop.session",
        "org.cinnamon.desktop.lockdown",
    ];
    gsettings_replay(&mut host, "alice", &LINUX.text(fixture_name), &schemas);
    judge(probe, &host, Os::Linux)
}

#[test]
fn cinnamon_defaults_pass() {
    let f = cinnamon_user("cinnamon/cinnamon-defaults.txt");
    assert_eq!(f.verdict, Verdict::Pass, "{}", f.summary);
    assert_eq!(fact(&f, "user.alice.desktop"), "Cinnamon");
    assert_eq!(fact(&f, "user.alice.idle_delay_s"), "900");
}

#[test]
fn cinnamon_half_hour_idle_fails() {
    let f = cinnamon_user("cinnamon/cinnamon-idle1800.txt");
    assert_eq!(f.verdict, Verdict::Fail);
    assert!(
        f.summary
            .contains("org.cinnamon.desktop.session idle-delay = 1800"),
        "{}",
        f.summary
    );
    assert!(f.remediation.unwrap().starts_with("Cinnamon:"));
}

fn kde_user(user_file: Option<&str>, system_file: Option<&str>) -> Finding {
    let mut host = machine(&[alice("KDE")]);
    let line = "cat /home/alice/.config/kscreenlockerrc";
    match user_file {
        Some(name) => {
            host.command_as("alice", line, 0, &LINUX.text(name));
        }
        None => {
            host.add(obs(
                line,
                Some("alice"),
                Outcome::Completed,
                Some(1),
                "",
                &LINUX.text("kde/cat-no-such-file.stderr"),
            ));
        }
    }
    if let Some(text) = system_file {
        host.file("/etc/xdg/kscreenlockerrc", text);
    }
    judge(probe, &host, Os::Linux)
}

#[test]
fn kde_without_a_config_file_uses_kde_defaults_and_passes() {
    let f = kde_user(None, None);
    assert_eq!(f.verdict, Verdict::Pass, "{}", f.summary);
    assert_eq!(
        fact(&f, "user.alice.kscreenlockerrc_user"),
        "absent (KDE defaults apply)"
    );
    assert_eq!(fact(&f, "user.alice.idle_delay_s"), "300");
    assert_eq!(fact(&f, "user.alice.lock_delay_s"), "5");
    assert_eq!(
        fact(&f, "user.alice.idle_delay_source"),
        "Timeout not set: KDE default"
    );
    assert_eq!(fact(&f, "user.alice.effective_lock_s"), "305");
}

#[test]
fn kde_file_without_a_daemon_group_passes_on_defaults() {
    let f = kde_user(Some("kde/no-daemon-group.kscreenlockerrc"), None);
    assert_eq!(f.verdict, Verdict::Pass, "{}", f.summary);
    assert_eq!(fact(&f, "user.alice.kscreenlockerrc_user"), "present");
}

#[test]
fn kde_autolock_false_fails() {
    let f = kde_user(Some("kde/autolock-false.kscreenlockerrc"), None);
    assert_eq!(f.verdict, Verdict::Fail);
    assert!(
        f.summary
            .contains("automatic screen lock is off (Autolock=false in ~/.config/kscreenlockerrc)"),
        "{}",
        f.summary
    );
    assert!(f.remediation.unwrap().contains("Screen Locking"));
}

#[test]
fn kde_timeout_30_minutes_fails() {
    let f = kde_user(Some("kde/timeout-30.kscreenlockerrc"), None);
    assert_eq!(f.verdict, Verdict::Fail);
    assert_eq!(fact(&f, "user.alice.idle_delay_s"), "1800");
    assert!(f.summary.contains("locks only after 30 min of inactivity, the policy allows at most 15 min (Timeout=30 in ~/.config/kscreenlockerrc)"), "{}", f.summary);
}

#[test]
fn kde_timeout_15_minutes_with_default_grace_passes() {
    let f = kde_user(Some("kde/timeout-15.kscreenlockerrc"), None);
    assert_eq!(f.verdict, Verdict::Pass, "{}", f.summary);
    assert_eq!(fact(&f, "user.alice.effective_lock_s"), "905");
}

#[test]
fn kde_lock_grace_45_seconds_fails() {
    let f = kde_user(Some("kde/lockgrace-45.kscreenlockerrc"), None);
    assert_eq!(f.verdict, Verdict::Fail);
    assert!(
        f.summary.contains("password is needed only 45 s after"),
        "{}",
        f.summary
    );
}

#[test]
fn kde_kiosk_system_file_overrides_the_user() {
    // A [Daemon][$i] group in /etc/xdg (the KConfig kiosk marker) beats the user's Autolock=false.
    let f = kde_user(
        Some("kde/autolock-false.kscreenlockerrc"),
        Some("[Daemon][$i]\nAutolock=true\nTimeout=5\nLockGrace=0\n"),
    );
    assert_eq!(f.verdict, Verdict::Pass, "{}", f.summary);
    assert!(fact(&f, "user.alice.lock_enabled_source").contains("locked by administrator"));
}

#[test]
fn kde_unreadable_user_file_is_unknown() {
    let mut host = machine(&[alice("KDE")]);
    host.add(obs(
        "cat /home/alice/.config/kscreenlockerrc",
        Some("alice"),
        Outcome::Completed,
        Some(1),
        "",
        "cat: /home/alice/.config/kscreenlockerrc: Permission denied\n",
    ));
    let r = reason(&judge(probe, &host, Os::Linux)).to_string();
    assert!(r.contains("Permission denied"), "{r}");
}

#[test]
fn an_unsupported_desktop_is_unknown_by_name() {
    let f = {
        let host = machine(&[alice("LXQt")]);
        judge(probe, &host, Os::Linux)
    };
    let r = reason(&f);
    assert!(r.contains("`LXQt` desktop"), "{r}");
    assert_eq!(fact(&f, "user.alice.desktop"), "LXQt");
}

#[test]
fn an_unreadable_power_schema_keeps_a_would_be_failure_unknown() {
    let mut host = machine(&[alice("ubuntu")]);
    gnome_settings(
        &mut host,
        "alice",
        &LINUX.text("gnome/gnome-idle-never.txt"),
    );
    host.add(obs(
        "gsettings list-recursively org.gnome.settings-daemon.plugins.power",
        Some("alice"),
        Outcome::TimedOut {
            deadline_ms: 10_000,
        },
        None,
        "",
        "",
    ));
    let r = reason(&judge(probe, &host, Os::Linux)).to_string();
    assert!(
        r.contains("idle-suspend settings") && r.contains("timed out"),
        "{r}"
    );
}

#[test]
fn a_directory_account_is_resolved_with_getent() {
    let mut host = machine(&[Session {
        id: "7",
        uid: 1_234_500_001,
        user: "jdoe",
        kind: "wayland",
        desktop: "ubuntu",
        active: true,
    }]);
    host.command(
        "getent passwd jdoe",
        0,
        "jdoe:*:1234500001:1234500001:Jane Doe:/home/jdoe:/bin/bash\n",
    );
    gnome_settings(&mut host, "jdoe", &LINUX.text("gnome/gnome-defaults.txt"));
    let f = judge(probe, &host, Os::Linux);
    assert_eq!(f.verdict, Verdict::Pass, "{}", f.summary);
}
