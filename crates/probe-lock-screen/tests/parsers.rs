//! Table-driven: every recorded fixture parses, with the values its header describes.
#![allow(clippy::unwrap_used, missing_docs)]

use devidence_testkit::probe::Fixtures;
use probe_lock_screen::parse::linux::gsettings::parse_list_recursively;
use probe_lock_screen::parse::linux::{kconfig, kscreenlocker};

const LINUX: Fixtures = Fixtures::new(env!("CARGO_MANIFEST_DIR"), "linux");

#[test]
fn gsettings_recordings_parse() {
    // (file, schema prefix, lock-enabled, lock-delay, idle-delay)
    let table = [
        ("gnome/gnome-defaults.txt", "org.gnome", true, 0, 300),
        ("gnome/gnome-lock-disabled.txt", "org.gnome", false, 0, 300),
        ("gnome/gnome-idle-never.txt", "org.gnome", true, 0, 0),
        (
            "gnome/gnome-idle600-lockdelay600.txt",
            "org.gnome",
            true,
            600,
            600,
        ),
        (
            "gnome/gnome-idle900-lockdelay5.txt",
            "org.gnome",
            true,
            5,
            900,
        ),
        (
            "gnome/gnome-lockdown-disabled.txt",
            "org.gnome",
            true,
            0,
            300,
        ),
        (
            "gnome/gnome-idle-never-suspend600.txt",
            "org.gnome",
            true,
            0,
            0,
        ),
        ("gnome/gnome-admin-locked.txt", "org.gnome", true, 0, 120),
        (
            "cinnamon/cinnamon-defaults.txt",
            "org.cinnamon",
            true,
            0,
            900,
        ),
        (
            "cinnamon/cinnamon-idle1800.txt",
            "org.cinnamon",
            true,
            0,
            1800,
        ),
    ];
    for (file, p, enabled, delay, idle) in table {
        let v = parse_list_recursively(&LINUX.text(file)).unwrap();
        let saver = format!("{p}.desktop.screensaver");
        let session = format!("{p}.desktop.session");
        assert_eq!(
            v.bool(&saver, "lock-enabled").unwrap(),
            Some(enabled),
            "{file}"
        );
        assert_eq!(v.uint(&saver, "lock-delay").unwrap(), Some(delay), "{file}");
        assert_eq!(
            v.uint(&session, "idle-delay").unwrap(),
            Some(idle),
            "{file}"
        );
    }
}

#[test]
fn kscreenlockerrc_files_resolve() {
    // (file, Autolock, Timeout minutes, LockGrace seconds)
    let table = [
        ("kde/no-daemon-group.kscreenlockerrc", true, 5.0, 5),
        ("kde/autolock-false.kscreenlockerrc", false, 5.0, 5),
        ("kde/timeout-30.kscreenlockerrc", true, 30.0, 5),
        ("kde/timeout-15.kscreenlockerrc", true, 15.0, 5),
        ("kde/lockgrace-45.kscreenlockerrc", true, 5.0, 45),
        (
            "kde/autolock-false-grace10-timeout10-shalva97-13.kscreenlockerrc",
            false,
            10.0,
            10,
        ),
        (
            "kde/wallpaper-only-plasma6-istiakar.kscreenlockerrc",
            true,
            5.0,
            5,
        ),
        (
            "kde/no-daemon-section-plasma5-9999years.kscreenlockerrc",
            true,
            5.0,
            5,
        ),
    ];
    for (file, autolock, timeout, grace) in table {
        let parsed = kconfig::parse(&LINUX.text(file));
        let lock = kscreenlocker::resolve(None, Some(&parsed)).unwrap();
        assert_eq!(lock.autolock.value, autolock, "{file}");
        assert_eq!(lock.timeout_minutes.value, timeout, "{file}");
        assert_eq!(lock.lock_grace_seconds.value, grace, "{file}");
    }
}
