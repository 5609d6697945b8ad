//! KDE Plasma's screen locker settings (`kscreenlockerrc`, group `[Daemon]`), resolved the way
//! KConfig does: KDE's compiled-in defaults, then the system file `/etc/xdg/kscreenlockerrc`,
//! then the user's `~/.config/kscreenlockerrc`, except where the system file is immutable
//! (`[$i]`).
//!
//! Defaults and meanings are those of `KDE/kscreenlocker` `settings/kscreenlockersettings.kcfg`
//! and `ksldapp.cpp` (commit `f0cb096f`, 2026-08): `Autolock` true, `Timeout` 5 (minutes, a
//! double since Plasma 6; `0` never locks), `Lock` true (false: the grace period never ends, so
//! no password is asked), `LockGrace` 5 (seconds the locker can be dismissed without a
//! password), `RequirePassword` true, `LockOnResume` true.

use super::kconfig::KConfigFile;

/// The system-wide file KConfig reads before the user's own.
pub const SYSTEM_FILE: &str = "/etc/xdg/kscreenlockerrc";

/// Where a value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KdeSource {
    /// KDE's compiled-in default (no file sets the key).
    Default,
    /// The user's `~/.config/kscreenlockerrc`.
    User,
    /// `/etc/xdg/kscreenlockerrc`, which the user may override.
    System,
    /// `/etc/xdg/kscreenlockerrc`, marked immutable (`[$i]`): the user cannot change it.
    SystemImmutable,
}

impl KdeSource {
    /// Where, in words for facts and sentences.
    pub fn describe(&self) -> &'static str {
        match self {
            KdeSource::Default => "KDE default",
            KdeSource::User => "~/.config/kscreenlockerrc",
            KdeSource::System => "/etc/xdg/kscreenlockerrc",
            KdeSource::SystemImmutable => {
                "/etc/xdg/kscreenlockerrc, locked by administrator ([$i])"
            }
        }
    }
}

/// A resolved value and its origin.
#[derive(Clone, Debug, PartialEq)]
pub struct Resolved<T> {
    /// The value KDE uses.
    pub value: T,
    /// Which layer set it.
    pub source: KdeSource,
    /// The text as written, when a file set it.
    pub raw: Option<String>,
}

/// The `[Daemon]` settings KDE's screen locker acts on.
#[derive(Clone, Debug, PartialEq)]
pub struct KdeLock {
    /// `Autolock`: lock after `Timeout` minutes of inactivity.
    pub autolock: Resolved<bool>,
    /// `Timeout`, in minutes (fractions allowed); 0 or less never locks.
    pub timeout_minutes: Resolved<f64>,
    /// `Lock`: when false the grace period never ends.
    pub lock: Resolved<bool>,
    /// `LockGrace`, seconds.
    pub lock_grace_seconds: Resolved<u64>,
    /// `RequirePassword` (Plasma 6).
    pub require_password: Resolved<bool>,
    /// `LockOnResume`.
    pub lock_on_resume: Resolved<bool>,
}

/// Resolves the `[Daemon]` group from the system and user files (either may be absent). A value
/// KDE could not read either (`Autolock=maybe`) is an error, not a guess.
pub fn resolve(
    system: Option<&KConfigFile>,
    user: Option<&KConfigFile>,
) -> Result<KdeLock, String> {
    Ok(KdeLock {
        autolock: pick(system, user, "Autolock", true, parse_bool)?,
        timeout_minutes: pick(system, user, "Timeout", 5.0, parse_minutes)?,
        lock: pick(system, user, "Lock", true, parse_bool)?,
        lock_grace_seconds: pick(system, user, "LockGrace", 5, parse_seconds)?,
        require_password: pick(system, user, "RequirePassword", true, parse_bool)?,
        lock_on_resume: pick(system, user, "LockOnResume", true, parse_bool)?,
    })
}

fn pick<T>(
    system: Option<&KConfigFile>,
    user: Option<&KConfigFile>,
    key: &str,
    default: T,
    parse: fn(&str) -> Option<T>,
) -> Result<Resolved<T>, String> {
    const GROUP: &str = "Daemon";
    let sys = system.and_then(|f| f.get(GROUP, key).map(|e| (e, f.group_immutable(GROUP))));
    let locked = sys
        .as_ref()
        .is_some_and(|(e, group_locked)| e.immutable || *group_locked)
        || system.is_some_and(|f| f.group_immutable(GROUP));
    let (raw, source) = match (sys, user.and_then(|f| f.get(GROUP, key))) {
        (Some((e, _)), _) if locked => (Some(e.value.clone()), KdeSource::SystemImmutable),
        (_, Some(u)) if !locked => (Some(u.value.clone()), KdeSource::User),
        (Some((e, _)), _) => (Some(e.value.clone()), KdeSource::System),
        (None, _) => (None, KdeSource::Default),
    };
    match raw {
        None => Ok(Resolved {
            value: default,
            source,
            raw: None,
        }),
        Some(text) => {
            let value = parse(&text).ok_or_else(|| {
                let file = if source == KdeSource::User {
                    "~/.config/kscreenlockerrc"
                } else {
                    SYSTEM_FILE
                };
                format!("{file} sets [Daemon] {key}={text}, which is not a value KDE accepts")
            })?;
            Ok(Resolved {
                value,
                source,
                raw: Some(text),
            })
        }
    }
}

/// KConfig booleans: `true/on/yes/1` and `false/off/no/0`, any case.
fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "on" | "yes" | "1" => Some(true),
        "false" | "off" | "no" | "0" => Some(false),
        _ => None,
    }
}

fn parse_minutes(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|m| m.is_finite())
}

fn parse_seconds(text: &str) -> Option<u64> {
    let n: i64 = text.trim().parse().ok()?;
    u64::try_from(n.max(0)).ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::kconfig::parse;
    use super::*;

    #[test]
    fn absent_files_mean_kde_defaults() {
        let lock = resolve(None, None).unwrap();
        assert!(lock.autolock.value);
        assert_eq!(lock.timeout_minutes.value, 5.0);
        assert_eq!(lock.lock_grace_seconds.value, 5);
        assert_eq!(lock.autolock.source, KdeSource::Default);
    }

    #[test]
    fn user_overrides_system_unless_the_system_is_immutable() {
        let system = parse("[Daemon]\nTimeout=10\nLockGrace[$i]=0\n");
        let user = parse("[Daemon]\nTimeout=30\nLockGrace=60\n");
        let lock = resolve(Some(&system), Some(&user)).unwrap();
        assert_eq!(
            (
                lock.timeout_minutes.value,
                lock.timeout_minutes.source.clone()
            ),
            (30.0, KdeSource::User)
        );
        assert_eq!(lock.lock_grace_seconds.value, 0);
        assert_eq!(lock.lock_grace_seconds.source, KdeSource::SystemImmutable);

        let kiosk = parse("[Daemon][$i]\nAutolock=true\nTimeout=5\n");
        let user = parse("[Daemon]\nAutolock=false\nTimeout=60\nLockGrace=300\n");
        let lock = resolve(Some(&kiosk), Some(&user)).unwrap();
        assert!(lock.autolock.value);
        assert_eq!(lock.timeout_minutes.value, 5.0);
        // The whole group is locked: keys the admin left out stay at KDE's default.
        assert_eq!(lock.lock_grace_seconds.value, 5);
        assert_eq!(lock.lock_grace_seconds.source, KdeSource::Default);
    }

    #[test]
    fn unreadable_values_are_errors() {
        let user = parse("[Daemon]\nAutolock=sometimes\n");
        let err = resolve(None, Some(&user)).unwrap_err();
        assert!(err.contains("Autolock=sometimes"), "{err}");
    }
}
