//! XFCE (xfce4-screensaver's xfconf channel files, published in dotfiles repositories; each
//! fixture's first line names it) and MATE (gsettings) end to end through the Linux plan.
#![allow(clippy::unwrap_used, missing_docs)]

use devidence_core::{Finding, Os, ReplayHost, Verdict};
use devidence_testkit::probe::{Fixtures, judge};
use probe_lock_screen::linux::xfce::{SCREENSAVER_AUTOSTART, USER_CHANNEL};
use probe_lock_screen::parse::linux::xfconf::{parse_channel, screensaver_settings};
use probe_lock_screen::probe;

const LINUX: Fixtures = Fixtures::new(env!("CARGO_MANIFEST_DIR"), "linux");

/// One logind session of alice (uid 1000) running `desktop` (systemd 252 `loginctl` formats).
fn machine(desktop: &str) -> ReplayHost {
    let mut host = ReplayHost::new();
    host.command(
        "loginctl list-sessions --no-legend",
        0,
        "      2 1000 alice seat0 tty2\n",
    );
    host.command(
        "loginctl show-session 2 -p Name -p User -p Type -p Class -p Active -p Desktop",
        0,
        &format!("Name=alice\nUser=1000\nType=x11\nClass=user\nActive=yes\nDesktop={desktop}\n"),
    );
    host.file(
        "/etc/passwd",
        "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000:Alice,,,:/home/alice:/bin/bash\n",
    );
    host
}

fn xfce_user(channel: Option<&str>) -> Finding {
    let mut host = machine("xfce");
    host.file(
        SCREENSAVER_AUTOSTART,
        "[Desktop Entry]\nType=Application\nName=Screensaver\nExec=xfce4-screensaver\n",
    );
    if let Some(name) = channel {
        host.user_file(
            "alice",
            &format!("/home/alice/{USER_CHANNEL}"),
            &LINUX.text(&format!("xfce/{name}")),
        );
    }
    judge(probe, &host, Os::Linux)
}

#[test]
fn published_xfce_channels_resolve_over_the_defaults() {
    let s = |name: &str| {
        let channel = parse_channel(&LINUX.text(&format!("xfce/{name}"))).unwrap();
        screensaver_settings(Some(&channel), None).unwrap()
    };
    let minimal = s("xfce4-screensaver-minimal-saver-and-lock-enabled-kjsh604.xml");
    assert_eq!(
        (
            minimal.idle_delay_minutes.value,
            minimal.idle_delay_minutes.source
        ),
        (5, "default")
    );
    assert!(minimal.lock_enabled.value && minimal.lock_with_saver.value);
    let delays = s("xfce4-screensaver-idle5-lock-delay5-knuxify.xml");
    assert_eq!(
        (
            delays.lock_delay_minutes.value,
            delays.lock_delay_minutes.source
        ),
        (5, "user file")
    );
    assert!(
        !s("xfce4-screensaver-lock-enabled-saver-disabled-idle1-7aske.xml")
            .saver_enabled
            .value
    );
    assert!(
        !s("xfce4-screensaver-idle-activation-disabled-lock-enabled-floriandejonckheere.xml")
            .idle_activation
            .value
    );
    assert!(
        !s("xfce4-screensaver-lock-enabled-saver-activation-lock-disabled-evandrocoan.xml")
            .lock_with_saver
            .value
    );
    assert_eq!(
        s("xfce4-screensaver-saver-enabled-idle10-no-lock-section-dechrissen.xml")
            .idle_delay_minutes
            .value,
        10
    );
    // Not a channel file: an error, never "all defaults".
    assert!(parse_channel("not xml").is_err());
    assert!(parse_channel("<?xml version=\"1.0\"?><html/>").is_err());
}

#[test]
fn xfce_verdicts_on_published_channels() {
    let pass = xfce_user(Some(
        "xfce4-screensaver-minimal-saver-and-lock-enabled-kjsh604.xml",
    ));
    assert_eq!(pass.verdict, Verdict::Pass, "{}", pass.summary);
    assert_eq!(pass.facts["user.alice.locker"], "xfce4-screensaver");
    for name in [
        "xfce4-screensaver-lock-enabled-saver-disabled-idle1-7aske.xml",
        "xfce4-screensaver-idle-activation-disabled-lock-enabled-floriandejonckheere.xml",
        "xfce4-screensaver-lock-enabled-saver-activation-lock-disabled-evandrocoan.xml",
        "xfce4-screensaver-idle5-lock-delay5-knuxify.xml",
    ] {
        let f = xfce_user(Some(name));
        assert_eq!(f.verdict, Verdict::Fail, "{name}: {}", f.summary);
        assert!(
            f.remediation.as_deref().unwrap().starts_with("XFCE:"),
            "{name}"
        );
    }
    // No channel file, xfce4-screensaver autostarting: its defaults (5 min, no delay) pass.
    assert_eq!(xfce_user(None).verdict, Verdict::Pass);
}

#[test]
fn xfce_without_a_known_locker_or_with_a_broken_file_is_unknown() {
    let f = judge(probe, &machine("xfce"), Os::Linux);
    let Verdict::Unknown { reason } = &f.verdict else {
        panic!("{:?}", f.verdict)
    };
    assert!(reason.contains("no screen locker"), "{reason}");
    let mut host = machine("XFCE");
    host.file(
        "/etc/xdg/autostart/light-locker.desktop",
        "[Desktop Entry]\nExec=light-locker\n",
    );
    let f = judge(probe, &host, Os::Linux);
    let Verdict::Unknown { reason } = &f.verdict else {
        panic!("{:?}", f.verdict)
    };
    assert!(reason.contains("light-locker"), "{reason}");
    let mut host = machine("xfce");
    host.file(
        SCREENSAVER_AUTOSTART,
        "[Desktop Entry]\nExec=xfce4-screensaver\n",
    );
    host.user_file(
        "alice",
        &format!("/home/alice/{USER_CHANNEL}"),
        "<channel name=\"xfce4-screensaver\"",
    );
    assert!(matches!(
        judge(probe, &host, Os::Linux).verdict,
        Verdict::Unknown { .. }
    ));
}

/// MATE's `gsettings list-recursively` lines, built from mate-screensaver's and
/// mate-session-manager's schema defaults (`org.mate.screensaver.gschema.xml.in`: lock-enabled
/// true, lock-delay 0, idle-activation-enabled true; `org.mate.session.gschema.xml.in`:
/// idle-delay 5, minutes; mate-desktop's `org.mate.lockdown` disable-lock-screen false). No published list-recursively output of MATE was found.
fn mate_user(idle_minutes: u32, lock_delay_minutes: u32, idle_activation: bool) -> Finding {
    let mut host = machine("MATE");
    let saver = format!(
        "org.mate.screensaver idle-activation-enabled {idle_activation}\norg.mate.screensaver lock-enabled true\norg.mate.screensaver lock-delay {lock_delay_minutes}\norg.mate.screensaver mode 'blank-only'\n"
    );
    let session = format!("org.mate.session idle-delay {idle_minutes}\n");
    let lockdown = "org.mate.lockdown disable-lock-screen false\n";
    for (schema, text) in [
        ("org.mate.lockdown", lockdown),
        ("org.mate.screensaver", saver.as_str()),
        ("org.mate.session", session.as_str()),
    ] {
        host.command_as(
            "alice",
            &format!("gsettings list-recursively {schema}"),
            0,
            text,
        );
    }
    judge(probe, &host, Os::Linux)
}

#[test]
fn mate_delays_are_minutes_and_idle_activation_counts() {
    let f = mate_user(5, 0, true);
    assert_eq!(f.verdict, Verdict::Pass, "{} {:?}", f.summary, f.verdict);
    assert_eq!(f.facts["user.alice.idle_delay_s"], "300");
    // 30 minutes idle: over the limit.
    let f = mate_user(30, 0, true);
    assert_eq!(f.verdict, Verdict::Fail, "{}", f.summary);
    assert!(f.summary.contains("idle-delay = 30 min"), "{}", f.summary);
    assert!(f.remediation.unwrap().starts_with("MATE:"));
    // The screensaver never starts on idle: no lock, whatever the delays.
    assert_eq!(mate_user(5, 0, false).verdict, Verdict::Fail);
}
