//! Probe: screen lock. Does the screen lock, with a password, soon enough after the person
//! stops using the machine?
//!
//! Passes when every person at the machine (each graphical session on Linux, the console user
//! on macOS, each signed-in person on Windows) has a path from inactivity to a password prompt
//! within the policy's limits: the screen locks within `max_lock_idle_seconds` and asks for the
//! password within `max_lock_grace_seconds` after that. Fails when someone's lock is off, too
//! slow, or needs no password. Unknown when nobody is logged in (the lock is a per-user setting)
//! or a setting the verdict needs cannot be read.
//!
//! Layout:
//! - [`linux`]: the plan: which sessions, users, commands and files, in whose context; one file
//!   per desktop family (`linux/gnome.rs` for GNOME, Cinnamon and MATE through gsettings,
//!   `linux/kde.rs` for `kscreenlockerrc` (Plasma 5 and 6), `linux/xfce.rs` for xfce4-screensaver's
//!   channel, `linux/wayland.rs` for Sway, Hyprland and river: the swayidle / hypridle timeouts
//!   their configs start and the locker those run, `linux/user_units.rs` for one started by
//!   an enabled systemd user unit instead; `linux/hints.rs` records logind's idle and lock
//!   hints where no setting could be read);
//! - [`macos`]: the plan: the console user's lock delay and screen-saver start (read as that
//!   user), configuration-profile values (stricter wins), and `pmset` sleep timers;
//! - [`windows`]: the plan: each signed-in person's screen saver (policy over user), the machine
//!   inactivity limit, and sleep with a password on wake;
//! - each plan's `gather` returns its `Facts`;
//! - [`parse`]: the pure parsers (`parse::linux::*` for gsettings, KConfig/kscreenlockerrc,
//!   dconf locks, xfconf, swayidle, hyprlang, logind hints, …; `parse::macos`; `parse::windows`), tested on real captured outputs
//!   in `tests/fixtures/<os>/`;
//! - [`policy`]: facts → conclusion (`conclude_linux`, `conclude_macos`, `conclude_windows`).

pub mod linux;
pub mod macos;
pub mod parse;
pub mod policy;
pub mod windows;

use devidence_core::{Control, Finding, Os, ProbeRun};

/// Checks the screen lock on the run's OS and returns the finding.
pub fn probe(mut run: ProbeRun<'_>) -> Finding {
    let policy = run.policy;
    let conclusion = match run.os {
        Os::Linux => policy::conclude_linux(&linux::gather(&mut run), policy),
        Os::Macos => policy::conclude_macos(&macos::gather(&mut run), policy),
        Os::Windows => policy::conclude_windows(&windows::gather(&mut run), policy),
    };
    run.finish(Control::LockScreen, conclusion)
}
