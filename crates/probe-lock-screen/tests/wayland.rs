//! Sway, Hyprland and river end to end through the Linux plan, on the compositors' published
//! configs (`fixtures/linux/wayland/`, each file's first line names its source; the
//! `constructed` ones say what they were built from) and logind's hints as systemd#14850
//! shows them.
#![allow(clippy::unwrap_used, missing_docs)]

use devidence_core::{Finding, Observation, Os, Outcome, Policy, ReplayHost, SourceKind, Verdict};
use devidence_testkit::probe::{Fixtures, judge, judge_with_policy, rejudge};
use probe_lock_screen::probe;

const LINUX: Fixtures = Fixtures::new(env!("CARGO_MANIFEST_DIR"), "linux");

const PASSWD: &str = "root:x:0:0:root:/root:/bin/bash\n\
alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash\n\
bob:x:1001:1001:Bob,,,:/home/bob:/bin/bash\n";

/// Sessions as (id, uid, user, Desktop) in systemd 252 `loginctl` formats, all Wayland.
fn machine(sessions: &[(&str, u32, &str, &str)]) -> ReplayHost {
    let mut host = ReplayHost::new();
    let listing: String = sessions
        .iter()
        .map(|(id, uid, user, _)| format!("{id:>7} {uid} {user} seat0 tty2\n"))
        .collect();
    host.command("loginctl list-sessions --no-legend", 0, &listing);
    for (id, uid, user, desktop) in sessions {
        host.command(
            &format!(
                "loginctl show-session {id} -p Name -p User -p Type -p Class -p Active -p Desktop"
            ),
            0,
            &format!(
                "Name={user}\nUser={uid}\nType=wayland\nClass=user\nActive=yes\nDesktop={desktop}\n"
            ),
        );
    }
    host.file("/etc/passwd", PASSWD);
    host
}

fn config(name: &str) -> String {
    LINUX.text(&format!("wayland/{name}"))
}

fn fact<'a>(f: &'a Finding, key: &str) -> &'a str {
    f.facts
        .get(key)
        .unwrap_or_else(|| panic!("no fact {key} in {:#?}", f.facts))
}

fn reason(f: &Finding) -> &str {
    match &f.verdict {
        Verdict::Unknown { reason } => reason,
        other => panic!("expected unknown, got {other:?}: {}", f.summary),
    }
}

fn sway(name: &str) -> ReplayHost {
    let mut host = machine(&[("2", 1000, "alice", "sway")]);
    host.user_file("alice", "/home/alice/.config/sway/config", &config(name));
    host
}

#[test]
fn sway_swayidle_locking_at_300_s_with_swaylock_passes() {
    let f = judge(
        probe,
        &sway("sway-config-idle-example-uncommented-constructed.config"),
        Os::Linux,
    );
    assert_eq!(f.verdict, Verdict::Pass, "{}", f.summary);
    assert_eq!(fact(&f, "user.alice.desktop"), "Sway");
    assert_eq!(fact(&f, "user.alice.idle_delay_s"), "300");
    assert_eq!(fact(&f, "user.alice.lock_delay_s"), "0");
    assert!(
        fact(&f, "user.alice.lock_timeouts").contains(
            "300 s: `swaylock -f -c 000000` (swayidle (/home/alice/.config/sway/config))"
        ),
        "{:#?}",
        f.facts
    );
    assert!(fact(&f, "user.alice.other_timeouts").contains("600 s"));
    assert!(fact(&f, "user.alice.before_sleep").contains("swaylock -f -c 000000"));
    // The locker asks for the password at once, and the fact says so.
    assert!(
        fact(&f, "user.alice.lock_delay_source")
            .contains("swaylock asks for the password as soon as it locks")
    );
    assert!(fact(&f, "user.alice.password_required").starts_with("true (a screen locker asks"));
    // Read with alice's rights.
    let read = f
        .observations
        .iter()
        .find(|o| o.source == "/home/alice/.config/sway/config")
        .unwrap();
    assert_eq!(read.as_user.as_deref(), Some("alice"));
    assert!(f.summary.contains("alice (Sway"), "{}", f.summary);
    assert_eq!(rejudge(&f, probe).verdict, Verdict::Pass);
}

#[test]
fn sway_locking_later_than_the_policy_allows_fails() {
    let policy = Policy {
        max_lock_idle_seconds: 240,
        ..Policy::default()
    };
    let f = judge_with_policy(
        probe,
        &sway("sway-config-idle-example-uncommented-constructed.config"),
        Os::Linux,
        &policy,
    );
    assert_eq!(f.verdict, Verdict::Fail, "{}", f.summary);
    assert!(
        f.summary.contains("only after 5 min of inactivity"),
        "{}",
        f.summary
    );
    let fix = f.remediation.as_deref().unwrap();
    assert!(fix.contains("~/.config/sway/config"), "{fix}");
    assert!(
        fix.contains("exec swayidle -w timeout 240 'swaylock -f'"),
        "{fix}"
    );
}

#[test]
fn swayidle_that_only_turns_the_display_off_fails() {
    let f = judge(
        probe,
        &sway("sway-config-dpms-only-constructed.config"),
        Os::Linux,
    );
    assert_eq!(f.verdict, Verdict::Fail, "{}", f.summary);
    assert!(
        f.summary
            .contains("automatic screen lock is off (no idle timeout in /home/alice/.config/sway/config starts a screen locker)"),
        "{}",
        f.summary
    );
    assert_eq!(fact(&f, "user.alice.lock_timeouts"), "none");
    assert!(
        fact(&f, "user.alice.other_timeouts").contains("600 s: `swaymsg \"output * power off\"`"),
        "{:#?}",
        f.facts
    );
    assert_eq!(fact(&f, "user.alice.lock_enabled"), "false");
}

#[test]
fn sways_shipped_config_with_its_idle_block_commented_out_fails() {
    let f = judge(probe, &sway("sway-config.in-6959a78a.config"), Os::Linux);
    assert_eq!(f.verdict, Verdict::Fail, "{}", f.summary);
    assert!(
        f.summary.contains("no swayidle or hypridle is started"),
        "{}",
        f.summary
    );
    assert_eq!(fact(&f, "user.alice.idle_daemon"), "none found");
    assert!(f.remediation.as_deref().unwrap().contains("Sway:"));
}

/// Sway's shipped config (its idle block commented out) and swayidle's own config file.
fn sway_with_a_swayidle_file() -> ReplayHost {
    let mut host = sway("sway-config.in-6959a78a.config");
    host.user_file(
        "alice",
        "/home/alice/.config/swayidle/config",
        &config("swayidle-config-manpage-constructed"),
    );
    host
}

/// Links `swayidle.service` into `~/.config/systemd/user/<wants>` with `unit` as its text
/// (`None`: the link is there, its target is not).
fn with_swayidle_unit(host: &mut ReplayHost, wants: &str, unit: Option<&str>) {
    let user = "/home/alice/.config/systemd/user";
    host.user_dir("alice", user, &["default.target.wants", wants]);
    host.user_dir("alice", &format!("{user}/{wants}"), &["swayidle.service"]);
    if let Some(unit) = unit {
        host.user_file("alice", &format!("{user}/{wants}/swayidle.service"), unit);
    }
    host.command(
        "systemctl --user --machine=alice@ is-active swayidle.service",
        0,
        "active\n",
    );
}

#[test]
fn a_systemd_user_unit_that_starts_swayidle_is_read_like_a_config_line() {
    let mut host = sway("sway-config.in-6959a78a.config");
    let unit = config("swayidle-service-niri-wiki-91d698cc.service");
    with_swayidle_unit(&mut host, "niri.service.wants", Some(&unit));
    let f = judge(probe, &host, Os::Linux);
    assert_eq!(f.verdict, Verdict::Pass, "{}", f.summary);
    assert_eq!(fact(&f, "user.alice.idle_delay_s"), "600");
    assert!(
        fact(&f, "user.alice.idle_daemon").contains(
            "the systemd user unit swayidle.service (enabled in /home/alice/.config/systemd/user/niri.service.wants, active now)"
        ),
        "{:#?}",
        f.facts
    );
    assert_eq!(rejudge(&f, probe).verdict, Verdict::Pass);
}

#[test]
fn swayidles_own_config_file_counts_when_a_systemd_user_unit_starts_swayidle() {
    let mut host = sway_with_a_swayidle_file();
    // A unit starting swayidle with no events of its own: its config file holds them.
    let unit = "[Service]\nType=exec\nExecStart=/usr/bin/swayidle -w\n";
    with_swayidle_unit(&mut host, "sway-session.target.wants", Some(unit));
    let f = judge(probe, &host, Os::Linux);
    assert_eq!(f.verdict, Verdict::Pass, "{}", f.summary);
    assert_eq!(fact(&f, "user.alice.idle_delay_s"), "300");
    assert!(
        fact(&f, "user.alice.idle_daemon").contains("/home/alice/.config/swayidle/config"),
        "{:#?}",
        f.facts
    );
}

#[test]
fn a_linked_swayidle_unit_that_cannot_be_read_is_unknown() {
    let mut host = sway("sway-config.in-6959a78a.config");
    with_swayidle_unit(&mut host, "sway-session.target.wants", None);
    let f = judge(probe, &host, Os::Linux);
    let why = reason(&f);
    assert!(
        why.contains("swayidle.service is linked but does not exist"),
        "{why}"
    );
}

#[test]
fn swayidles_own_config_file_started_by_nothing_seen_is_unknown_never_a_pass() {
    let f = judge(probe, &sway_with_a_swayidle_file(), Os::Linux);
    let why = reason(&f);
    assert!(
        why.contains("nothing this check can see starts swayidle")
            && why.contains("/home/alice/.config/swayidle/config"),
        "{why}"
    );
}

#[test]
fn an_unreadable_sway_config_is_unknown_never_a_failure() {
    let mut host = machine(&[("2", 1000, "alice", "sway")]);
    let mut refused = Observation::new(
        SourceKind::File,
        "/home/alice/.config/sway/config",
        Outcome::Refused {
            reason: "permission denied".into(),
        },
    );
    refused.as_user = Some("alice".into());
    host.add(refused);
    host.command(
        "loginctl show-session 2 -p IdleHint -p IdleSinceHint -p LockedHint",
        0,
        &config("loginctl-show-session-hints-systemd-14850.txt"),
    );
    let f = judge(probe, &host, Os::Linux);
    let why = reason(&f);
    assert!(
        why.contains("/home/alice/.config/sway/config could not be read"),
        "{why}"
    );
    assert!(why.contains("IdleHint=no, LockedHint=no"), "{why}");
}

fn hyprland(user: &str, home: &str) -> impl Fn(&mut ReplayHost) {
    let user = user.to_string();
    let home = home.to_string();
    move |host: &mut ReplayHost| {
        host.user_file(
            &user,
            &format!("{home}/.config/hypr/hypridle.conf"),
            &config("hypridle-example-ff41dd6d.conf"),
        );
        host.user_file(
            &user,
            &format!("{home}/.config/hypr/hyprlock.conf"),
            &config("hyprlock-example-37f615cf.conf"),
        );
        enable_hypridle(host, &user, &home);
    }
}

/// `systemctl --user enable --now hypridle.service` for `user`: hypridle's unit is wanted by
/// graphical-session.target.
fn enable_hypridle(host: &mut ReplayHost, user: &str, home: &str) {
    host.user_dir(
        user,
        &format!("{home}/.config/systemd/user"),
        &["graphical-session.target.wants"],
    );
    host.user_dir(
        user,
        &format!("{home}/.config/systemd/user/graphical-session.target.wants"),
        &["hypridle.service"],
    );
    host.command(
        &format!("systemctl --user --machine={user}@ is-active hypridle.service"),
        0,
        "active\n",
    );
}

#[test]
fn hypridle_that_nothing_seen_starts_is_unknown_never_a_pass() {
    let mut host = machine(&[("2", 1000, "alice", "Hyprland")]);
    host.user_file(
        "alice",
        "/home/alice/.config/hypr/hypridle.conf",
        &config("hypridle-example-ff41dd6d.conf"),
    );
    let f = judge(probe, &host, Os::Linux);
    let why = reason(&f);
    assert!(
        why.contains("nothing this check can see starts hypridle")
            && why.contains("no enabled systemd user unit hypridle.service"),
        "{why}"
    );
}

#[test]
fn hypridle_locking_through_lock_session_and_hyprlock_passes() {
    let mut host = machine(&[("2", 1000, "alice", "Hyprland")]);
    hyprland("alice", "/home/alice")(&mut host);
    let f = judge(probe, &host, Os::Linux);
    assert_eq!(f.verdict, Verdict::Pass, "{}", f.summary);
    assert_eq!(fact(&f, "user.alice.desktop"), "Hyprland");
    assert_eq!(fact(&f, "user.alice.idle_delay_s"), "300");
    assert!(
        fact(&f, "user.alice.lock_timeouts").contains(
            "300 s: `loginctl lock-session` (hypridle listener (/home/alice/.config/hypr/hypridle.conf)): starts hyprlock through hypridle general:lock_cmd `pidof hyprlock || hyprlock`"
        ),
        "{:#?}",
        f.facts
    );
    // The dimming, keyboard-light, display-off and suspend listeners are not locks.
    assert!(fact(&f, "user.alice.other_timeouts").contains("150 s: `brightnessctl -s set 10`"));
    assert!(fact(&f, "user.alice.other_timeouts").contains("1800 s: `systemctl suspend`"));
    assert_eq!(fact(&f, "user.alice.lock_delay_s"), "0");
    assert!(
        fact(&f, "user.alice.lock_delay_source")
            .contains("general:grace not set in /home/alice/.config/hypr/hyprlock.conf"),
        "{:#?}",
        f.facts
    );
    assert!(
        fact(&f, "user.alice.idle_daemon").contains(
            "started by the systemd user unit hypridle.service (enabled in /home/alice/.config/systemd/user/graphical-session.target.wants, active now)"
        ),
        "{:#?}",
        f.facts
    );
}

#[test]
fn hypridle_whose_lock_command_is_a_notification_fails() {
    let mut host = machine(&[("2", 1000, "alice", "Hyprland")]);
    host.user_file(
        "alice",
        "/home/alice/.config/hypr/hypridle.conf",
        &config("hypridle-readme-notify-ff41dd6d.conf"),
    );
    enable_hypridle(&mut host, "alice", "/home/alice");
    let f = judge(probe, &host, Os::Linux);
    assert_eq!(f.verdict, Verdict::Fail, "{}", f.summary);
    assert!(
        fact(&f, "user.alice.other_timeouts").contains("500 s: `notify-send \"You are idle!\"`"),
        "{:#?}",
        f.facts
    );
    let fix = f.remediation.as_deref().unwrap();
    assert!(
        fix.contains("~/.config/hypr/hypridle.conf") && fix.contains("listener"),
        "{fix}"
    );
}

#[test]
fn river_without_a_readable_idle_config_is_unknown_naming_logind_hints() {
    let mut host = machine(&[("2", 1000, "alice", "river")]);
    host.user_file(
        "alice",
        "/home/alice/.config/river/init",
        &config("river-classic-example-init-b1af960e"),
    );
    host.command(
        "loginctl show-session 2 -p IdleHint -p IdleSinceHint -p LockedHint",
        0,
        &config("loginctl-show-session-hints-systemd-14850.txt"),
    );
    let f = judge(probe, &host, Os::Linux);
    let why = reason(&f);
    assert!(
        why.contains("river init /home/alice/.config/river/init starts no swayidle"),
        "{why}"
    );
    assert!(
        why.contains("session 2: IdleHint=no, LockedHint=no, IdleSinceHint=0"),
        "{why}"
    );
    assert!(why.contains("not its lock settings"), "{why}");
    assert_eq!(fact(&f, "user.alice.session.2.idle_hint"), "no");
    assert_eq!(fact(&f, "user.alice.session.2.locked_hint"), "no");
    assert_eq!(fact(&f, "user.alice.session.2.idle_since_hint_us"), "0");
    assert!(fact(&f, "user.alice.session.2.hints_reading").starts_with("in use and not locked"));
    assert!(f.remediation.as_deref().unwrap().contains("river:"));
}

#[test]
fn river_without_an_init_is_unknown_and_unreadable_hints_are_said() {
    let host = machine(&[("2", 1000, "alice", "river")]);
    let f = judge(probe, &host, Os::Linux);
    let why = reason(&f);
    assert!(
        why.contains("/home/alice/.config/river/init does not exist"),
        "{why}"
    );
    assert!(why.contains("session 2: not read"), "{why}");
    assert!(fact(&f, "user.alice.session.2.hints").starts_with("not read"));
}

#[test]
fn two_people_one_on_sway_one_on_hyprland_are_both_checked_and_named() {
    let mut host = machine(&[("2", 1000, "alice", "sway"), ("5", 1001, "bob", "Hyprland")]);
    host.user_file(
        "alice",
        "/home/alice/.config/sway/config",
        &config("sway-config-idle-example-uncommented-constructed.config"),
    );
    hyprland("bob", "/home/bob")(&mut host);
    let f = judge(probe, &host, Os::Linux);
    assert_eq!(f.verdict, Verdict::Pass, "{}", f.summary);
    assert!(
        f.summary
            .contains("alice (Sway: password needed after 5 min"),
        "{}",
        f.summary
    );
    assert!(
        f.summary
            .contains("bob (Hyprland: password needed after 5 min"),
        "{}",
        f.summary
    );
    assert_eq!(fact(&f, "user.alice.desktop"), "Sway");
    assert_eq!(fact(&f, "user.bob.desktop"), "Hyprland");
    assert!(fact(&f, "user.bob.result").starts_with("pass"));

    // bob's hypridle swapped for the README's notification example: bob fails, alice still passes.
    let mut host = machine(&[("2", 1000, "alice", "sway"), ("5", 1001, "bob", "Hyprland")]);
    host.user_file(
        "alice",
        "/home/alice/.config/sway/config",
        &config("sway-config-idle-example-uncommented-constructed.config"),
    );
    host.user_file(
        "bob",
        "/home/bob/.config/hypr/hypridle.conf",
        &config("hypridle-readme-notify-ff41dd6d.conf"),
    );
    enable_hypridle(&mut host, "bob", "/home/bob");
    let f = judge(probe, &host, Os::Linux);
    assert_eq!(f.verdict, Verdict::Fail, "{}", f.summary);
    assert!(f.summary.contains("bob (Hyprland)"), "{}", f.summary);
    assert!(!f.summary.contains("alice (Sway)"), "{}", f.summary);
    assert!(fact(&f, "user.alice.result").starts_with("pass"));
}

/// Sway typed at a text console after logging in: logind keeps the session `Type=tty` with no
/// Desktop, so the compositor is told by its sockets in the runtime folder.
fn sway_from_a_console(runtime: &[&str]) -> ReplayHost {
    let mut host = ReplayHost::new();
    host.command(
        "loginctl list-sessions --no-legend",
        0,
        "      1 1000 alice seat0 tty1\n      4 1000 alice -     pts/0\n",
    );
    for (id, active) in [("1", "yes"), ("4", "no")] {
        host.command(
            &format!(
                "loginctl show-session {id} -p Name -p User -p Type -p Class -p Active -p Desktop"
            ),
            0,
            &format!("Name=alice\nUser=1000\nType=tty\nClass=user\nActive={active}\nDesktop=\n"),
        );
    }
    host.dir("/run/user/1000", runtime);
    host.file("/etc/passwd", PASSWD);
    host.user_file(
        "alice",
        "/home/alice/.config/sway/config",
        &config("sway-config-idle-example-uncommented-constructed.config"),
    );
    host
}

#[test]
fn sway_started_from_a_text_console_is_found_by_its_sockets_and_checked() {
    let f = judge(
        probe,
        &sway_from_a_console(&[
            "bus",
            "wayland-1",
            "wayland-1.lock",
            "sway-ipc.1000.812.sock",
        ]),
        Os::Linux,
    );
    assert_eq!(f.verdict, Verdict::Pass, "{}", f.summary);
    assert_eq!(fact(&f, "user.alice.desktop"), "Sway");
    assert!(
        fact(&f, "sessions.1.found_by").contains("/run/user/1000/sway-ipc.1000.812.sock"),
        "{:#?}",
        f.facts
    );
    // One person, one check: the second console session (an SSH login) adds nothing.
    assert!(
        !f.facts.contains_key("sessions.4.found_by"),
        "{:#?}",
        f.facts
    );
    assert_eq!(rejudge(&f, probe).verdict, Verdict::Pass);
}

#[test]
fn a_text_console_without_a_compositor_is_no_graphical_session() {
    let f = judge(probe, &sway_from_a_console(&["bus", "systemd"]), Os::Linux);
    assert_eq!(fact(&f, "sessions.graphical"), "none");
    assert!(
        !f.facts.contains_key("user.alice.desktop"),
        "{:#?}",
        f.facts
    );
}

#[test]
fn a_config_cannot_make_the_agent_read_files_outside_the_home_and_system_config_folders() {
    let planted = "include /etc/shadow\n\
include ../../../../etc/shadow\n\
include /root/*\n\
exec swayidle -w -C /home/bob/.config/swayidle/config\n";
    let mut host = machine(&[("2", 1000, "alice", "sway")]);
    host.user_file("alice", "/home/alice/.config/sway/config", planted);
    // Were they read, these would answer: the test proves they are never asked for.
    host.file("/etc/shadow", "root:$y$j9T$SECRET:19000:0:99999:7:::\n");
    host.dir("/root", &["secret.txt"]);
    host.user_file(
        "bob",
        "/home/bob/.config/swayidle/config",
        "timeout 60 'swaylock'\n",
    );
    let f = judge(probe, &host, Os::Linux);
    for obs in &f.observations {
        assert!(
            !obs.source.contains("shadow")
                && !obs.source.starts_with("/root")
                && !obs.source.contains("/home/bob"),
            "read {}",
            obs.source
        );
        assert!(!obs.stdout.contains("SECRET"), "{}", obs.source);
    }
    let unread = fact(&f, "user.alice.config_files_unread");
    assert!(
        unread.contains("/etc/shadow (it is outside alice's home"),
        "{unread}"
    );
    assert!(unread.contains("`..` component"), "{unread}");
    assert!(unread.contains("/root ("), "{unread}");
    // Never a pass on what could not be read, never a fail either.
    assert!(
        matches!(f.verdict, Verdict::Unknown { .. }),
        "{:?}",
        f.verdict
    );
}

#[test]
fn swaylocks_first_config_file_decides_its_grace_and_the_last_grace_line_wins() {
    let mut host = sway("sway-config-idle-example-uncommented-constructed.config");
    // swaylock reads ~/.swaylock/config before ~/.config/swaylock/config.
    host.user_file(
        "alice",
        "/home/alice/.swaylock/config",
        "grace=2\ngrace=30\n",
    );
    host.user_file("alice", "/home/alice/.config/swaylock/config", "grace=0\n");
    let f = judge(probe, &host, Os::Linux);
    assert_eq!(f.verdict, Verdict::Fail, "{}", f.summary);
    assert_eq!(fact(&f, "user.alice.lock_delay_s"), "30");
    assert!(
        fact(&f, "user.alice.lock_delay_source").contains("/home/alice/.swaylock/config"),
        "{:#?}",
        f.facts
    );
}

#[test]
fn a_linked_idle_daemon_counts_only_when_it_runs_or_default_target_starts_it() {
    let unit = config("swayidle-service-niri-wiki-91d698cc.service");
    let asked = "systemctl --user --machine=alice@ is-active swayidle.service";
    // Sway's shipped config, swayidle.service linked into `wants`, and the person's systemd
    // answering `is-active` as `answer` does.
    let linked = |wants: &str, answer: Observation| {
        let mut host = sway("sway-config.in-6959a78a.config");
        with_swayidle_unit(&mut host, wants, Some(&unit));
        host.add(answer);
        judge(probe, &host, Os::Linux)
    };
    let timed_out = || {
        Observation::new(
            SourceKind::Command,
            asked,
            Outcome::TimedOut { deadline_ms: 5000 },
        )
    };

    // Linked, but the person's systemd says it is not running.
    let mut inactive = Observation::new(SourceKind::Command, asked, Outcome::Completed);
    inactive.exit_code = Some(3);
    inactive.stdout = "inactive\n".into();
    let f = linked("graphical-session.target.wants", inactive);
    let why = reason(&f);
    assert!(
        why.contains("not running: alice's systemd says inactive"),
        "{why}"
    );

    // Cannot be asked: graphical-session.target may never start on plain Sway.
    let f = linked("graphical-session.target.wants", timed_out());
    let why = reason(&f);
    assert!(
        why.contains("graphical-session.target may never start"),
        "{why}"
    );

    // Cannot be asked, but default.target always starts it.
    let f = linked("default.target.wants", timed_out());
    assert_eq!(f.verdict, Verdict::Pass, "{}", f.summary);
    assert!(
        fact(&f, "user.alice.idle_daemon").contains("default.target always starts it"),
        "{:#?}",
        f.facts
    );
}
