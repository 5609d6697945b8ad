//! Facts → conclusion, for one person's settings and for all of them together. Pure: no I/O.
//!
//! The per-OS entries are [`conclude_linux`], [`conclude_macos`] and [`conclude_windows`]
//! (in `policy/linux.rs`, `policy/macos.rs`, `policy/windows.rs`: their short-circuit answers,
//! per-person results and remediation text); this module holds the shared rule
//! ([`conclude_settings`]) and how people's results combine ([`conclude_users`]).
//!
//! The rule, per graphical user (every one must comply, as Vanta asks for "every profile"):
//!
//! * a password must be needed to get back in (GNOME's lockdown `disable-lock-screen` and KDE's
//!   `RequirePassword=false` / `Lock=false` defeat that),
//! * locking on inactivity must be switched on (GNOME `lock-enabled`, KDE `Autolock`), and
//! * along at least one inactivity path the screen must lock within
//!   `policy.max_lock_idle_seconds` and ask for the password within
//!   `policy.max_lock_grace_seconds` after that. The paths are "screen blanks, then locks after
//!   the lock delay" and, on GNOME, "the machine suspends on idle and locks on the way down"
//!   (taken on its worst power source: AC or battery). Display-off followed by a password counts
//!   as locking (drata-agent#40).
//!
//! The two limits are checked separately, the way CIS benchmarks check GNOME (`idle-delay` ≤ 900
//! and `lock-delay` ≤ 5): a screen that blanks at 15 min and asks for the password 5 s later
//! complies. The sum (`effective_lock_s`, when the password is first needed) is reported as a
//! fact and named in the reason when a limit is broken. The lenient "idle ≤ 900 OR lock enabled"
//! of Fleet's policies is not used: both are required.

mod linux;
mod macos;
mod windows;

pub use linux::{NO_SESSION, conclude_linux, conclude_linux_user};
pub use macos::conclude_macos;
pub use windows::conclude_windows;

use devidence_core::{Conclusion, Policy, Verdict};

/// A value with where it came from, for the evidence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observed<T> {
    /// The value the desktop acts on.
    pub value: T,
    /// Where it came from (`user-changeable (gsettings)`, `locked by administrator …`, …).
    pub source: String,
}

impl<T> Observed<T> {
    /// A value with its source.
    pub fn new(value: T, source: impl Into<String>) -> Observed<T> {
        Observed {
            value,
            source: source.into(),
        }
    }
}

/// One user's screen-lock settings, normalized across desktops.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockSettings {
    /// Locking on inactivity is switched on.
    pub auto_lock: Observed<bool>,
    /// Seconds of inactivity before the screen blanks or the locker starts; `None` = never.
    pub idle_seconds: Observed<Option<u64>>,
    /// Seconds from then until a password is needed; `None` = never.
    pub grace_seconds: Observed<Option<u64>>,
    /// Unlocking needs a password at all (no lockdown or setting turns the lock screen off).
    pub password_required: Observed<bool>,
    /// Seconds of inactivity after which the machine suspends (or logs out) and a password is
    /// needed on return, on the worst power source; `None` when no such path exists or it was
    /// not read.
    pub suspend_lock_seconds: Option<Observed<u64>>,
}

/// What the policy made of one user's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evaluation {
    /// True when the settings comply.
    pub compliant: bool,
    /// Seconds of inactivity until a password is needed, by the quickest path; `None` = never.
    pub effective_lock_seconds: Option<u64>,
    /// Why it does not comply, in plain words (empty when compliant).
    pub problems: Vec<String>,
}

/// Judges one user's settings against the policy's two limits.
pub fn conclude_settings(s: &LockSettings, policy: &Policy) -> Evaluation {
    let max_idle = policy.max_lock_idle_seconds;
    let max_grace = policy.max_lock_grace_seconds;
    let blank_path = match (
        s.auto_lock.value,
        s.idle_seconds.value,
        s.grace_seconds.value,
    ) {
        (true, Some(idle), Some(grace)) => Some((idle, grace)),
        _ => None,
    };
    let suspend_path = s.suspend_lock_seconds.as_ref().map(|o| (o.value, 0u64));
    let effective = [blank_path, suspend_path]
        .into_iter()
        .flatten()
        .filter(|_| s.password_required.value)
        .map(|(idle, grace)| idle.saturating_add(grace))
        .min();
    let path_ok = |p: Option<(u64, u64)>| {
        p.is_some_and(|(idle, grace)| idle <= max_idle && grace <= max_grace)
    };
    let compliant = s.password_required.value
        && s.auto_lock.value
        && (path_ok(blank_path) || path_ok(suspend_path));

    let mut problems = Vec::new();
    if !compliant {
        if !s.password_required.value {
            problems.push(format!(
                "the lock screen is turned off, so no password is asked ({})",
                s.password_required.source
            ));
        }
        if !s.auto_lock.value {
            problems.push(format!(
                "automatic screen lock is off ({})",
                s.auto_lock.source
            ));
        }
        match s.idle_seconds.value {
            None => problems.push(format!(
                "the screen never blanks or locks on inactivity ({})",
                s.idle_seconds.source
            )),
            Some(idle) if idle > max_idle => problems.push(format!(
                "the screen blanks or locks only after {} of inactivity, the policy allows at most {} ({})",
                human(idle),
                human(max_idle),
                s.idle_seconds.source
            )),
            Some(_) => {}
        }
        match s.grace_seconds.value {
            None if s.auto_lock.value => problems.push(format!(
                "the locker never asks for a password after it starts ({})",
                s.grace_seconds.source
            )),
            Some(grace) if grace > max_grace && s.auto_lock.value => problems.push(format!(
                "the password is needed only {} after the screen blanks or locks, the policy allows at most {} ({})",
                human(grace),
                human(max_grace),
                s.grace_seconds.source
            )),
            _ => {}
        }
        if let Some(suspend) = &s.suspend_lock_seconds
            && suspend.value > max_idle
        {
            problems.push(format!(
                "idle suspend, which would also lock, comes only after {} ({})",
                human(suspend.value),
                suspend.source
            ));
        }
        match effective {
            Some(total) if total > max_idle => problems.push(format!(
                "in all, a password is needed only after {} of inactivity",
                human(total)
            )),
            None if s.password_required.value => {
                problems.push("in all, inactivity never leads to a password prompt".to_string())
            }
            _ => {}
        }
        if problems.is_empty() {
            problems.push("the settings do not meet the screen-lock policy".to_string());
        }
    }
    Evaluation {
        compliant,
        effective_lock_seconds: effective,
        problems,
    }
}

/// How one user's check ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UserResult {
    /// Compliant, with the effective lock time in seconds.
    Pass {
        /// Seconds until a password is needed.
        effective_seconds: u64,
    },
    /// Not compliant, with reasons.
    Fail {
        /// What is wrong.
        problems: Vec<String>,
    },
    /// Could not be read.
    Unknown {
        /// Why, in words a person can act on.
        reason: String,
    },
}

/// One graphical user's result, named.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserOutcome {
    /// Login name.
    pub user: String,
    /// Desktop label (`GNOME`, `KDE Plasma`, …).
    pub desktop: String,
    /// The result.
    pub result: UserResult,
}

/// The machine's verdict and summary: every graphical user must comply. Any failure fails
/// (naming who and why, even if another user could not be read); otherwise any unreadable user
/// makes it unknown; otherwise it passes. The remediation is left for the OS's `conclude_<os>`
/// to add.
pub fn conclude_users(outcomes: &[UserOutcome], policy: &Policy) -> Conclusion {
    let failed: Vec<&UserOutcome> = outcomes
        .iter()
        .filter(|o| matches!(o.result, UserResult::Fail { .. }))
        .collect();
    let unknown: Vec<(&UserOutcome, &str)> = outcomes
        .iter()
        .filter_map(|o| match &o.result {
            UserResult::Unknown { reason } => Some((o, reason.as_str())),
            _ => None,
        })
        .collect();
    if !failed.is_empty() {
        let parts: Vec<String> = failed
            .iter()
            .map(|o| match &o.result {
                UserResult::Fail { problems } => {
                    format!("{} ({}): {}", o.user, o.desktop, problems.join("; "))
                }
                _ => String::new(),
            })
            .collect();
        let mut summary = format!(
            "The screen lock does not meet the policy (lock within {}, password within {}) for {}",
            human(policy.max_lock_idle_seconds),
            human(policy.max_lock_grace_seconds),
            parts.join(". ")
        );
        if !unknown.is_empty() {
            let names: Vec<String> = unknown
                .iter()
                .map(|(o, r)| format!("{} ({r})", o.user))
                .collect();
            summary.push_str(&format!(". Could not check {}", names.join("; ")));
        }
        summary.push('.');
        return Conclusion::new(Verdict::Fail, summary, None);
    }
    if !unknown.is_empty() {
        let parts: Vec<String> = unknown
            .iter()
            .map(|(o, r)| format!("for {} ({}): {r}", o.user, o.desktop))
            .collect();
        let reason = format!(
            "could not read the screen-lock settings {}",
            parts.join("; ")
        );
        let summary = capitalize(&reason) + ".";
        return Conclusion::new(Verdict::unknown(reason), summary, None);
    }
    let parts: Vec<String> = outcomes
        .iter()
        .map(|o| match o.result {
            UserResult::Pass { effective_seconds } => format!(
                "{} ({}: password needed after {} of inactivity)",
                o.user,
                o.desktop,
                human(effective_seconds)
            ),
            _ => String::new(),
        })
        .collect();
    Conclusion::pass(format!(
        "The screen locks within {} of inactivity and asks for the password within {} for every graphical user: {}.",
        human(policy.max_lock_idle_seconds),
        human(policy.max_lock_grace_seconds),
        parts.join(", ")
    ))
}

/// `300` → `5 min`, `905` → `15 min 5 s`, `5` → `5 s`.
pub fn human(seconds: u64) -> String {
    let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    let mut parts = Vec::new();
    if h > 0 {
        parts.push(format!("{h} h"));
    }
    if m > 0 {
        parts.push(format!("{m} min"));
    }
    if s > 0 || parts.is_empty() {
        parts.push(format!("{s} s"));
    }
    parts.join(" ")
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn settings(auto: bool, idle: Option<u64>, grace: Option<u64>) -> LockSettings {
        LockSettings {
            auto_lock: Observed::new(auto, "test"),
            idle_seconds: Observed::new(idle, "test"),
            grace_seconds: Observed::new(grace, "test"),
            password_required: Observed::new(true, "test"),
            suspend_lock_seconds: None,
        }
    }

    #[test]
    fn both_limits_apply_separately() {
        let policy = Policy::default();
        let ok = conclude_settings(&settings(true, Some(900), Some(5)), &policy);
        assert!(ok.compliant);
        assert_eq!(ok.effective_lock_seconds, Some(905));
        let slow = conclude_settings(&settings(true, Some(600), Some(600)), &policy);
        assert!(!slow.compliant);
        assert!(
            slow.problems
                .iter()
                .any(|p| p.contains("10 min after the screen blanks")),
            "{:?}",
            slow.problems
        );
        assert!(
            slow.problems
                .iter()
                .any(|p| p.contains("after 20 min of inactivity")),
            "{:?}",
            slow.problems
        );
    }

    #[test]
    fn lock_switched_off_fails_even_with_a_short_idle() {
        // Fleet's "idle-delay <= 900 OR lock-enabled" would pass this.
        let e = conclude_settings(&settings(false, Some(300), Some(0)), &Policy::default());
        assert!(!e.compliant);
        assert_eq!(e.effective_lock_seconds, None);
    }

    #[test]
    fn a_locking_idle_suspend_rescues_a_screen_that_never_blanks() {
        let mut s = settings(true, None, Some(0));
        s.suspend_lock_seconds = Some(Observed::new(600, "test"));
        let e = conclude_settings(&s, &Policy::default());
        assert!(e.compliant);
        assert_eq!(e.effective_lock_seconds, Some(600));
        s.password_required = Observed::new(false, "lockdown");
        assert!(!conclude_settings(&s, &Policy::default()).compliant);
    }

    #[test]
    fn human_durations() {
        assert_eq!(human(300), "5 min");
        assert_eq!(human(905), "15 min 5 s");
        assert_eq!(human(0), "0 s");
        assert_eq!(human(3660), "1 h 1 min");
    }
}
