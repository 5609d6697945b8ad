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
//! the password is then needed after the lock delay.

use crate::policy::{self, LockSettings, Observed, UserOutcome, UserResult};
use devidence_core::macos::{console_user, parse_plist, plist_bool, plist_int};
use devidence_core::{CommandSpec, Outcome, ProbeRun, UserContext, Verdict};
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

/// What `sysadminctl -screenLock status` says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScreenLock {
    /// `screenLock is off`: no password on wake.
    Off,
    /// `screenLock delay is immediate` (0) or `… is N seconds`.
    Delay(u64),
}

/// Parses `sysadminctl -screenLock status` (the log-prefixed line it prints on stderr).
pub fn parse_screen_lock(text: &str) -> Option<ScreenLock> {
    for line in text.lines() {
        let Some(at) = line.find("screenLock ") else {
            continue;
        };
        let rest = line[at + "screenLock ".len()..].trim();
        if rest.starts_with("is off") {
            return Some(ScreenLock::Off);
        }
        if let Some(delay) = rest.strip_prefix("delay is ") {
            // Some macOS versions say "delay is off" rather than "is off".
            if delay.starts_with("off") {
                return Some(ScreenLock::Off);
            }
            if delay.starts_with("immediate") {
                return Some(ScreenLock::Delay(0));
            }
            let seconds = delay.split_whitespace().next()?.parse().ok()?;
            return Some(ScreenLock::Delay(seconds));
        }
    }
    None
}

/// Sleep timers of one power source, in minutes (0 = never).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SleepTimers {
    /// `displaysleep`.
    pub display_minutes: Option<u64>,
    /// `sleep` (system sleep).
    pub system_minutes: Option<u64>,
}

/// Parses `pmset -g custom`: `(source, timers)` per `Battery Power:` / `AC Power:` section.
pub fn parse_pmset_custom(text: &str) -> Vec<(String, SleepTimers)> {
    let mut sections: Vec<(String, SleepTimers)> = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if let Some(name) = trimmed.strip_suffix(':')
            && !line.starts_with(char::is_whitespace)
        {
            sections.push((name.to_string(), SleepTimers::default()));
            continue;
        }
        let mut words = trimmed.split_whitespace();
        let (Some(key), Some(value)) = (words.next(), words.next()) else {
            continue;
        };
        let Some((_, timers)) = sections.last_mut() else {
            continue;
        };
        let minutes = value.parse::<u64>().ok();
        match key {
            "displaysleep" => timers.display_minutes = minutes,
            "sleep" => timers.system_minutes = minutes,
            _ => {}
        }
    }
    sections
}

/// The worst (longest, with "never" worst of all) of a timer across power sources, in seconds:
/// `Some(None)` = some source never sleeps; `None` = no source printed it.
pub fn worst_seconds(
    sections: &[(String, SleepTimers)],
    pick: fn(&SleepTimers) -> Option<u64>,
) -> Option<Option<u64>> {
    let values: Vec<u64> = sections.iter().filter_map(|(_, t)| pick(t)).collect();
    if values.is_empty() {
        return None;
    }
    if values.contains(&0) {
        return Some(None);
    }
    values.iter().max().map(|m| Some(m * 60))
}

/// Profile-managed screen-saver values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ManagedScreenSaver {
    /// `askForPassword`.
    pub ask_for_password: Option<bool>,
    /// `askForPasswordDelay`, seconds.
    pub ask_for_password_delay: Option<u64>,
    /// `idleTime`, seconds (0 = never).
    pub idle_time: Option<u64>,
}

/// Parses managed `com.apple.screensaver` preferences (`defaults read` output).
pub fn parse_managed_screensaver(text: &str) -> Result<ManagedScreenSaver, String> {
    let value = parse_plist(text)?;
    let dict = value
        .as_dictionary()
        .ok_or("the managed preferences are not a dictionary")?;
    let int = |k: &str| {
        dict.get(k)
            .and_then(plist_int)
            .and_then(|v| u64::try_from(v).ok())
    };
    Ok(ManagedScreenSaver {
        ask_for_password: dict.get("askForPassword").and_then(plist_bool),
        ask_for_password_delay: int("askForPasswordDelay"),
        idle_time: int("idleTime"),
    })
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

/// Runs the macOS plan and returns the verdict, summary and fix.
pub fn check(run: &mut ProbeRun<'_>) -> (Verdict, String, Option<String>) {
    let policy = run.policy.clone();
    let Some(user) = console_user(run) else {
        let reason = "no one is logged in at the screen (or the owner of /dev/console could not be read; see the recorded `stat`): the screen lock is a per-user setting, so the check needs someone logged in";
        return (
            Verdict::unknown(reason),
            format!("Screen lock could not be checked: {reason}."),
            Some("Run the check while the employee is logged in; until then, upload a screenshot of System Settings > Lock Screen as manual evidence.".into()),
        );
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
        idle_obs
            .stdout
            .trim()
            .parse::<u64>()
            .map(Some)
            .map_err(|_| format!("idleTime is `{}`, not a number", idle_obs.stdout.trim()))
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

    let result = match (lock, &user_idle) {
        (None, _) if managed.ask_for_password.is_none() => UserResult::Unknown {
            reason: format!(
                "the password-on-wake setting could not be read ({})",
                if lock_obs.succeeded() {
                    "sysadminctl printed no screenLock status".to_string()
                } else {
                    lock_obs.failure_reason()
                }
            ),
        },
        (_, Err(why)) => UserResult::Unknown {
            reason: format!("the screen-saver start could not be read ({why})"),
        },
        (lock, Ok(idle)) => {
            let settings = settings(lock, *idle, &managed, display, system);
            record(run, &settings);
            let evaluation = policy::evaluate(&settings, &policy);
            if evaluation.compliant {
                UserResult::Pass {
                    effective_seconds: evaluation.effective_lock_seconds.unwrap_or(0),
                }
            } else {
                UserResult::Fail {
                    problems: evaluation.problems,
                }
            }
        }
    };
    let outcome = UserOutcome {
        user: user.name.clone(),
        desktop: "macOS".into(),
        result,
    };
    let (verdict, summary) = policy::combine(std::slice::from_ref(&outcome), &policy);
    let remediation = (!verdict.is_pass()).then(|| format!(
        "In System Settings > Lock Screen, set \"Require password after screen saver begins or display is turned off\" to at most {} and \"Start Screen Saver when inactive\" (or \"Turn display off\") to at most {}; or have IT manage com.apple.screensaver (askForPassword, askForPasswordDelay, idleTime) in a configuration profile.",
        policy::human(policy.max_lock_grace_seconds),
        policy::human(policy.max_lock_idle_seconds),
    ));
    (verdict, summary, remediation)
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
