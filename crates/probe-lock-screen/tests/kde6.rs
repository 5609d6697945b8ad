//! KDE Plasma 6 end to end: a Plasma 6 Wayland session (`Desktop=KDE`, `Type=wayland`) reads
//! `~/.config/kscreenlockerrc` as the user and `/etc/xdg/kscreenlockerrc`, with the defaults of
//! `KDE/kscreenlocker` `settings/kscreenlockersettings.kcfg` @f0cb096f (6.7.80): Autolock true,
//! Timeout 5 (minutes, a Double), LockGrace 5 (seconds), LockOnResume true.
#![allow(clippy::unwrap_used, missing_docs)]

use devidence_core::{Finding, Os, ReplayHost, Verdict};
use devidence_testkit::probe::{Fixtures, judge};
use probe_lock_screen::probe;

const LINUX: Fixtures = Fixtures::new(env!("CARGO_MANIFEST_DIR"), "linux");

fn plasma6(user_file: &str) -> Finding {
    let mut host = ReplayHost::new();
    host.command(
        "loginctl list-sessions --no-legend",
        0,
        "      3 1000 alice seat0 tty2\n",
    );
    host.command(
        "loginctl show-session 3 -p Name -p User -p Type -p Class -p Active -p Desktop",
        0,
        "Name=alice\nUser=1000\nType=wayland\nClass=user\nActive=yes\nDesktop=KDE\n",
    );
    host.file(
        "/etc/passwd",
        "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000:Alice,,,:/home/alice:/bin/bash\n",
    );
    host.command_as(
        "alice",
        "cat /home/alice/.config/kscreenlockerrc",
        0,
        &LINUX.text(user_file),
    );
    judge(probe, &host, Os::Linux)
}

#[test]
fn a_plasma6_file_without_a_daemon_group_locks_at_the_plasma6_defaults() {
    let f = plasma6("kde/wallpaper-only-plasma6-istiakar.kscreenlockerrc");
    assert_eq!(f.verdict, Verdict::Pass, "{}", f.summary);
    assert_eq!(f.facts["user.alice.desktop"], "KDE Plasma");
    assert_eq!(f.facts["user.alice.kscreenlockerrc_user"], "present");
    assert_eq!(f.facts["user.alice.kscreenlockerrc_system"], "absent");
    assert_eq!(f.facts["user.alice.idle_delay_s"], "300");
    assert_eq!(
        f.facts["user.alice.idle_delay_source"],
        "Timeout not set: KDE default"
    );
    assert_eq!(f.facts["user.alice.lock_delay_s"], "5");
    assert_eq!(
        f.facts["user.alice.lock_on_resume"],
        "true (LockOnResume not set: KDE default)"
    );
    // Read as alice, in her own context.
    let read = f
        .observations
        .iter()
        .find(|o| o.source == "cat /home/alice/.config/kscreenlockerrc")
        .unwrap();
    assert_eq!(read.as_user.as_deref(), Some("alice"));
}

#[test]
fn a_plasma5_file_with_autolock_off_still_fails_on_plasma6() {
    // A published Plasma 5 file (the same path and [Daemon] keys) read in a Plasma 6 session.
    let f = plasma6("kde/autolock-false-grace10-timeout10-shalva97-13.kscreenlockerrc");
    assert_eq!(f.verdict, Verdict::Fail, "{}", f.summary);
    assert!(
        f.summary
            .contains("automatic screen lock is off (Autolock=false in ~/.config/kscreenlockerrc)"),
        "{}",
        f.summary
    );
}
