//! The macOS plan: the person at the screen, read in their own GUI context, plus the
//! configuration-profile (MDM) values that override them, plus the power settings.
//!
//! | fact | source |
//! |---|---|
//! | password on wake, and its delay | `sysadminctl -screenLock status` as the console user; managed `askForPassword`/`askForPasswordDelay` |
//! | screen saver start | `defaults -currentHost read com.apple.screensaver idleTime` as the console user; managed `idleTime` |
//! | display and system sleep | `pmset -g custom` (the worst of battery and AC power) |
//!
//! The screen-lock settings are per user and unreadable from a root daemon (osquery's
//! `screenlock` table returns nothing as root: fleet#8875), hence the as-user commands. When a
//! profile manages a value and the person also set one, the stricter applies and the facts
//! say which. The screen locks at whichever comes first, the screen saver or display sleep;
//! the password is then needed after the lock delay. The parsers are in
//! [`crate::parse::macos`]; [`crate::policy::conclude_macos`] judges what [`gather`] returns.

use crate::parse::macos::{
    ManagedScreenSaver, ScreenLock, parse_idle_time, parse_managed_screensaver, parse_pmset_custom,
    parse_screen_lock, worst_seconds,
};
use crate::policy::{LockSettings, Observed};
use devidence_core::macos::console_user;
use devidence_core::{CommandSpec, Outcome, ProbeRun, UserContext};
use std::time::Duration;

const DEADLINE: Duration = Duration::from_secs(10);

/// macOS's screen-saver start when `idleTime` was never written: 20 minutes.
pub const DEFAULT_IDLE_SECONDS: u64 = 1200;

/// The profile-managed screen saver preferences for every user.
pub const MANAGED_SCREENSAVER: &str = "/Library/Managed Preferences/com.apple.screensaver";

/// `sysadminctl -screenLock status` (answers on stderr; must run as the user).
pub fn screen_lock_status_command(user: &UserContext) -> CommandSpec {
    CommandSpec::new("/usr/sbin/sysadminctl", ["-screenLock", "status"])
        .deadline(DEADLINE)
        .as_user(user)
}

/// The user's screen-saver start (`idleTime`, seconds; 0 = never).
pub fn idle_time_command(user: &UserContext) -> CommandSpec {
    CommandSpec::new(
        "/usr/bin/defaults",
        ["-currentHost", "read", "com.apple.screensaver", "idleTime"],
    )
    .deadline(DEADLINE)
    .as_user(user)
}

/// `pmset -g custom`: sleep settings per power source.
pub fn pmset_command() -> CommandSpec {
    CommandSpec::new("/usr/bin/pmset", ["-g", "custom"]).deadline(DEADLINE)
}

/// `defaults read DOMAIN` for a managed-preferences domain.
pub fn managed_read_command(domain: &str) -> CommandSpec {
    CommandSpec::new("/usr/bin/defaults", ["read", domain]).deadline(DEADLINE)
}

/// What the macOS plan found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Facts {
    /// Nobody is logged in at the screen (or `/dev/console`'s owner could not be read).
    NoConsoleUser,
    /// The console user's settings, normalised, or which one could not be read.
    User {
        /// The console user's login name.
        name: String,
        /// Their settings with the profile's and the power settings applied.
        settings: Result<LockSettings, Unread>,
    },
}

/// A setting the verdict needs that could not be read, with why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unread {
    /// The password on wake (`sysadminctl`), and no profile sets `askForPassword`.
    PasswordOnWake(String),
    /// The screen-saver start (`idleTime`).
    ScreenSaverStart(String),
}

/// The stricter of a user's and a profile's value (shorter is stricter; "never" is weakest),
/// with which one applied.
fn stricter(user: Option<u64>, user_source: &str, managed: Option<u64>) -> (Option<u64>, String) {
    let never_is_last = |v: Option<u64>| v.filter(|s| *s > 0).unwrap_or(u64::MAX);
    match managed {
        Some(m) if never_is_last(Some(m)) <= never_is_last(user) => (
            Some(m).filter(|s| *s > 0),
            "configuration profile".to_string(),
        ),
        _ => (user.filter(|s| *s > 0), user_source.to_string()),
    }
}

/// Reads a managed domain; `Ok(default)` when no profile manages it.
fn read_managed(run: &mut ProbeRun<'_>, domain: &str) -> Result<ManagedScreenSaver, String> {
    let obs = run.run(managed_read_command(domain));
    if obs.succeeded() {
        parse_managed_screensaver(&obs.stdout)
    } else if obs.outcome == Outcome::Completed && obs.stderr.contains("does not exist") {
        Ok(ManagedScreenSaver::default())
    } else {
        Err(obs.failure_reason())
    }
}

/// Runs the macOS plan: the console user's settings, the profile's, and the sleep timers.
pub fn gather(run: &mut ProbeRun<'_>) -> Facts {
    let Some(user) = console_user(run) else {
        return Facts::NoConsoleUser;
    };
    run.fact("console_user", user.name.clone());

    let global = read_managed(run, MANAGED_SCREENSAVER);
    let per_user = read_managed(
        run,
        &format!(
            "/Library/Managed Preferences/{}/com.apple.screensaver",
            user.name
        ),
    );
    let managed = match (global, per_user) {
        (Ok(g), Ok(u)) => ManagedScreenSaver {
            ask_for_password: u.ask_for_password.or(g.ask_for_password),
            ask_for_password_delay: u.ask_for_password_delay.or(g.ask_for_password_delay),
            idle_time: u.idle_time.or(g.idle_time),
        },
        (Err(why), _) | (_, Err(why)) => {
            run.fact("managed", format!("unreadable: {why}"));
            ManagedScreenSaver::default()
        }
    };

    let lock_obs = run.run(screen_lock_status_command(&user));
    let lock = parse_screen_lock(&format!("{}\n{}", lock_obs.stdout, lock_obs.stderr));
    let idle_obs = run.run(idle_time_command(&user));
    let user_idle: Result<Option<u64>, String> = if idle_obs.succeeded() {
        parse_idle_time(&idle_obs.stdout).map(Some)
    } else if idle_obs.outcome == Outcome::Completed && idle_obs.stderr.contains("does not exist") {
        Ok(None)
    } else {
        Err(idle_obs.failure_reason())
    };
    let pm_obs = run.run(pmset_command());
    let sections = if pm_obs.succeeded() {
        parse_pmset_custom(&pm_obs.stdout)
    } else {
        Vec::new()
    };
    let display = worst_seconds(&sections, |t| t.display_minutes);
    let system = worst_seconds(&sections, |t| t.system_minutes);

    let settings = match (lock, user_idle) {
        (None, _) if managed.ask_for_password.is_none() => {
            Err(Unread::PasswordOnWake(if lock_obs.succeeded() {
                "sysadminctl printed no screenLock status".to_string()
            } else {
                lock_obs.failure_reason()
            }))
        }
        (_, Err(why)) => Err(Unread::ScreenSaverStart(why)),
        (lock, Ok(idle)) => {
            let settings = settings(lock, idle, &managed, display, system);
            record(run, &settings);
            Ok(settings)
        }
    };
    Facts::User {
        name: user.name.clone(),
        settings,
    }
}

/// Normalises the macOS facts into the shared [`LockSettings`].
pub fn settings(
    lock: Option<ScreenLock>,
    user_idle: Option<u64>,
    managed: &ManagedScreenSaver,
    display_sleep: Option<Option<u64>>,
    system_sleep: Option<Option<u64>>,
) -> LockSettings {
    // Password on wake: a profile's askForPassword=true forces it; otherwise the user's.
    let password = match (managed.ask_for_password, lock) {
        (Some(true), _) => Observed::new(true, "configuration profile (askForPassword)"),
        (_, Some(ScreenLock::Off)) => {
            Observed::new(false, "user setting (sysadminctl: screenLock is off)")
        }
        (_, Some(ScreenLock::Delay(_))) => Observed::new(true, "user setting (sysadminctl)"),
        (Some(false), None) => Observed::new(false, "configuration profile (askForPassword false)"),
        (None, None) => Observed::new(false, "not read"),
    };
    let user_delay = match lock {
        Some(ScreenLock::Delay(d)) => Some(d),
        _ => None,
    };
    let grace = match (user_delay, managed.ask_for_password_delay) {
        (Some(u), Some(m)) if m < u => {
            Observed::new(Some(m), "configuration profile (askForPasswordDelay)")
        }
        (Some(u), _) => Observed::new(Some(u), "user setting (sysadminctl)"),
        (None, Some(m)) => Observed::new(Some(m), "configuration profile (askForPasswordDelay)"),
        (None, None) => Observed::new(None, "no password delay set"),
    };
    let (saver, saver_source) = stricter(
        Some(user_idle.unwrap_or(DEFAULT_IDLE_SECONDS)),
        if user_idle.is_some() {
            "user setting (idleTime)"
        } else {
            "macOS default (idleTime not set)"
        },
        managed.idle_time,
    );
    // The screen locks at whichever comes first: the screen saver or display sleep.
    let display = display_sleep.flatten();
    let (idle, idle_source) = match (saver, display) {
        (Some(s), Some(d)) if d < s => (
            Some(d),
            "display sleep (pmset, worst power source)".to_string(),
        ),
        (Some(s), _) => (Some(s), format!("screen saver: {saver_source}")),
        (None, Some(d)) => (
            Some(d),
            "display sleep (pmset, worst power source)".to_string(),
        ),
        (None, None) => (
            None,
            format!("screen saver never starts ({saver_source}) and the display never sleeps"),
        ),
    };
    let grace_value = grace.value;
    LockSettings {
        auto_lock: Observed::new(idle.is_some(), idle_source.clone()),
        idle_seconds: Observed::new(idle, idle_source),
        grace_seconds: grace,
        password_required: password,
        // Waking from sleep asks for the password after the same delay as the screen saver.
        suspend_lock_seconds: system_sleep.flatten().and_then(|s| {
            grace_value.map(|g| {
                Observed::new(
                    s.saturating_add(g),
                    "system sleep (pmset, worst power source) plus the password delay",
                )
            })
        }),
    }
}

fn record(run: &mut ProbeRun<'_>, s: &LockSettings) {
    let secs = |v: Option<u64>| v.map_or_else(|| "never".to_string(), |s| s.to_string());
    run.fact(
        "password_on_wake",
        format!(
            "{} ({})",
            s.password_required.value, s.password_required.source
        ),
    );
    run.fact(
        "lock_delay_s",
        format!(
            "{} ({})",
            secs(s.grace_seconds.value),
            s.grace_seconds.source
        ),
    );
    run.fact(
        "idle_before_lock_s",
        format!("{} ({})", secs(s.idle_seconds.value), s.idle_seconds.source),
    );
    if let Some(sleep) = &s.suspend_lock_seconds {
        run.fact(
            "system_sleep_s",
            format!("{} ({})", sleep.value, sleep.source),
        );
    }
}
