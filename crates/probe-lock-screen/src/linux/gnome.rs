//! GNOME and the desktops built on its settings (Cinnamon, MATE): `gsettings
//! list-recursively` of the screensaver, session, lockdown and power schemas, read as the user
//! with the dconf backend forced, and the administrator's dconf locks for attribution.

use super::DEADLINE;
use crate::parse::linux::dconf;
use crate::parse::linux::gsettings::{SchemaValues, parse_list_recursively};
use crate::policy::{LockSettings, Observed};
use devidence_core::{CommandSpec, Observation, Outcome, ProbeRun, UserContext};
use std::collections::BTreeSet;

/// The GSettings schemas of a GNOME-family desktop.
pub struct Schemas {
    label: &'static str,
    screensaver: &'static str,
    session: &'static str,
    lockdown: &'static str,
    power: Option<&'static str>,
    dconf_root: &'static str,
    /// Seconds per unit of `lock-delay` and `idle-delay` (MATE counts minutes).
    unit_seconds: u64,
    /// Whether `idle-activation-enabled` false stops the locker on idle (MATE's does; GNOME
    /// Shell ignores the key).
    honours_idle_activation: bool,
}

/// GNOME Shell (and Ubuntu, Pop!_OS, Budgie): the `org.gnome.desktop.*` schemas, with the
/// settings daemon's power plugin for idle suspend.
pub const GNOME: Schemas = Schemas {
    label: "GNOME",
    screensaver: "org.gnome.desktop.screensaver",
    session: "org.gnome.desktop.session",
    lockdown: "org.gnome.desktop.lockdown",
    power: Some("org.gnome.settings-daemon.plugins.power"),
    dconf_root: "/org/gnome/",
    unit_seconds: 1,
    honours_idle_activation: false,
};

/// Cinnamon keeps GNOME's key names under its own schemas (cinnamon-settings `cs_screensaver.py`,
/// cinnamon-screensaver `src/util/settings.py`). Its power plugin is not read, so no idle-suspend
/// path is credited.
pub const CINNAMON: Schemas = Schemas {
    label: "Cinnamon",
    screensaver: "org.cinnamon.desktop.screensaver",
    session: "org.cinnamon.desktop.session",
    lockdown: "org.cinnamon.desktop.lockdown",
    power: None,
    dconf_root: "/org/cinnamon/",
    unit_seconds: 1,
    honours_idle_activation: false,
};

/// MATE: mate-screensaver reads `org.mate.screensaver` (`lock-enabled`, `lock-delay` in
/// minutes, `idle-activation-enabled`) and the idle time from `org.mate.session idle-delay`
/// (minutes; mate-screensaver `src/gs-prefs.c`). Its power manager is not read.
pub const MATE: Schemas = Schemas {
    label: "MATE",
    screensaver: "org.mate.screensaver",
    session: "org.mate.session",
    lockdown: "org.mate.lockdown",
    power: None,
    dconf_root: "/org/mate/",
    unit_seconds: 60,
    honours_idle_activation: true,
};

enum GsError {
    NoSchema,
    Failed(String),
}

/// `gsettings list-recursively SCHEMA` as the user, forcing the dconf backend: without it a
/// missing dconf module makes gsettings fall back, silently, to built-in defaults (checked on
/// Debian 12), which would report defaults as the user's settings.
/// (A `dconf-CRITICAL … unable to create directory '/run/user/UID/dconf'` on stderr is harmless
/// for reading: the user's values are still returned, checked on Debian 12.)
fn gsettings_list(
    run: &mut ProbeRun<'_>,
    ctx: &UserContext,
    schema: &str,
) -> Result<SchemaValues, GsError> {
    let spec = CommandSpec::new("gsettings", ["list-recursively", schema])
        .deadline(DEADLINE)
        .env("GSETTINGS_BACKEND", "dconf")
        .as_user(ctx);
    let obs = run.run(spec);
    if obs.stderr.contains("Can't find module 'dconf'") {
        return Err(GsError::Failed(format!(
            "gsettings could not load its dconf backend (package dconf-gsettings-backend), so it would show only \
             built-in defaults instead of {}'s settings",
            ctx.name
        )));
    }
    if not_installed(&obs) {
        return Err(GsError::Failed(format!(
            "`gsettings` was not found for {}'s session (package libglib2.0-bin on Debian/Ubuntu, glib2 on Fedora/Arch); \
             install it or upload a screenshot of the screen-lock settings as manual evidence",
            ctx.name
        )));
    }
    if obs.succeeded() {
        return parse_list_recursively(&obs.stdout).map_err(|e| {
            GsError::Failed(format!(
                "the output of `{}` could not be read: {e}",
                obs.source
            ))
        });
    }
    if obs.outcome == Outcome::Completed && obs.stderr.contains("No such schema") {
        return Err(GsError::NoSchema);
    }
    Err(GsError::Failed(obs.failure_reason()))
}

/// A command that could not start: absent, or (through `setpriv`) exit 127.
fn not_installed(obs: &Observation) -> bool {
    obs.outcome == Outcome::NotFound
        || (obs.outcome == Outcome::Completed && obs.exit_code == Some(127))
}

/// The administrator's dconf locks that apply to the user: `dconf list-locks` in their context,
/// else the lock files of the system databases their profile names.
fn dconf_locks(
    run: &mut ProbeRun<'_>,
    ctx: &UserContext,
    root: &str,
) -> Result<BTreeSet<String>, String> {
    let obs = run.run(
        CommandSpec::new("dconf", ["list-locks", root])
            .deadline(DEADLINE)
            .as_user(ctx),
    );
    if obs.succeeded() {
        return Ok(dconf::parse_locks(&obs.stdout));
    }
    if !not_installed(&obs) {
        return Err(obs.failure_reason());
    }
    // dconf-cli is not installed: read the sources `dconf update` compiles.
    let mut profile = run.read_file("/etc/dconf/profile/user");
    if profile.outcome == Outcome::NotFound {
        profile = run.read_file("/usr/share/dconf/profile/user");
    }
    if profile.outcome == Outcome::NotFound {
        return Ok(BTreeSet::new());
    }
    if !profile.succeeded() {
        return Err(profile.failure_reason());
    }
    let mut locks = BTreeSet::new();
    for db in dconf::parse_profile_system_dbs(&profile.stdout) {
        let dir = format!("/etc/dconf/db/{db}.d/locks");
        let listing = run.list_dir(&dir);
        if listing.outcome == Outcome::NotFound {
            continue;
        }
        if !listing.succeeded() {
            return Err(listing.failure_reason());
        }
        for name in listing
            .stdout
            .lines()
            .filter(|n| !n.is_empty() && !n.starts_with('.'))
        {
            let file = run.read_file(&format!("{dir}/{name}"));
            if !file.succeeded() {
                return Err(file.failure_reason());
            }
            locks.extend(dconf::parse_locks(&file.stdout));
        }
    }
    Ok(locks)
}

/// One person's settings, and why the idle-suspend settings could not be read when they could not.
pub type Read = (LockSettings, Option<String>);

/// Reads one person's screen-lock settings through the desktop's schemas, recording the facts
/// under `prefix`.
pub fn read_gsettings(
    run: &mut ProbeRun<'_>,
    ctx: &UserContext,
    s: &Schemas,
    prefix: &str,
) -> Result<Read, String> {
    let required = |run: &mut ProbeRun<'_>, schema: &str| match gsettings_list(run, ctx, schema) {
        Ok(values) => Ok(values),
        Err(GsError::Failed(reason)) => Err(reason),
        Err(GsError::NoSchema) => Err(format!(
            "the {schema} schema is not installed, so {}'s {} lock settings cannot be read (is gsettings-desktop-schemas \
             or the desktop's own schema package installed?)",
            ctx.name, s.label
        )),
    };
    let saver = required(run, s.screensaver)?;
    let session = required(run, s.session)?;
    let need = |v: Result<Option<u64>, String>, schema: &str, key: &str| {
        v?.ok_or_else(|| format!("`gsettings list-recursively {schema}` did not list {key}"))
    };
    let lock_enabled_key = saver.bool(s.screensaver, "lock-enabled")?.ok_or_else(|| {
        format!(
            "`gsettings list-recursively {}` did not list lock-enabled",
            s.screensaver
        )
    })?;
    let lock_delay = need(
        saver.uint(s.screensaver, "lock-delay"),
        s.screensaver,
        "lock-delay",
    )?;
    let idle_delay = need(
        session.uint(s.session, "idle-delay"),
        s.session,
        "idle-delay",
    )?;
    let (lock_delay_raw, idle_delay_raw) = (lock_delay, idle_delay);
    let lock_delay = lock_delay.saturating_mul(s.unit_seconds);
    let idle_delay = idle_delay.saturating_mul(s.unit_seconds);
    let lock_on_suspend_key = saver.bool(s.screensaver, "ubuntu-lock-on-suspend")?;
    let idle_activation = saver.bool(s.screensaver, "idle-activation-enabled")?;
    // Where the locker honours it, idle activation off means it never starts on idle.
    let lock_enabled =
        lock_enabled_key && !(s.honours_idle_activation && idle_activation == Some(false));
    let (disable_lock, lockdown_note) = match gsettings_list(run, ctx, s.lockdown) {
        Ok(values) => match values.bool(s.lockdown, "disable-lock-screen")? {
            Some(v) => (v, None),
            None => (false, Some("key not in schema")),
        },
        Err(GsError::NoSchema) => (false, Some("schema not installed")),
        Err(GsError::Failed(reason)) => return Err(reason),
    };

    let locks = dconf_locks(run, ctx, s.dconf_root);
    let locked = |schema: &str, key: &str| matches!(&locks, Ok(set) if set.contains(&dconf::key_path(schema, key)));
    // Full attribution for the facts; the short form (only "locked by administrator" matters to
    // the person fixing it) goes into sentences.
    let source = |schema: &str, key: &str| match &locks {
        Ok(_) if locked(schema, key) => "locked by administrator (dconf lock)".to_string(),
        Ok(_) => "gsettings, not locked (the user can change it)".to_string(),
        Err(err) => format!("gsettings (dconf locks not read: {err})"),
    };
    let setting = |schema: &str, key: &str, value: &dyn std::fmt::Display| {
        let admin = if locked(schema, key) {
            ", locked by administrator"
        } else {
            ""
        };
        format!("{schema} {key} = {value}{admin}")
    };

    let lock_enabled_src = source(s.screensaver, "lock-enabled");
    let idle_src = source(s.session, "idle-delay");
    let delay_src = source(s.screensaver, "lock-delay");
    let lockdown_src = match lockdown_note {
        Some(note) => format!("{} disable-lock-screen: {note}", s.lockdown),
        None => source(s.lockdown, "disable-lock-screen"),
    };
    run.fact(
        format!("{prefix}.gsettings_backend"),
        "dconf (GSETTINGS_BACKEND=dconf)",
    );
    run.fact(format!("{prefix}.lock_enabled"), lock_enabled.to_string());
    run.fact(format!("{prefix}.lock_enabled_source"), lock_enabled_src);
    run.fact(
        format!("{prefix}.idle_delay_s"),
        if idle_delay == 0 {
            "0 (never)".to_string()
        } else {
            idle_delay.to_string()
        },
    );
    run.fact(format!("{prefix}.idle_delay_source"), idle_src);
    run.fact(format!("{prefix}.lock_delay_s"), lock_delay.to_string());
    run.fact(format!("{prefix}.lock_delay_source"), delay_src);
    run.fact(
        format!("{prefix}.lockdown_disable_lock_screen"),
        disable_lock.to_string(),
    );
    run.fact(
        format!("{prefix}.lockdown_disable_lock_screen_source"),
        lockdown_src,
    );
    run.fact(
        format!("{prefix}.password_required"),
        (!disable_lock).to_string(),
    );
    if let Some(v) = idle_activation {
        run.fact(
            format!("{prefix}.idle_activation_enabled"),
            if s.honours_idle_activation {
                v.to_string()
            } else {
                format!("{v} (not used for the verdict: GNOME Shell ignores it)")
            },
        );
    }
    if let Some(v) = lock_on_suspend_key {
        run.fact(format!("{prefix}.ubuntu_lock_on_suspend"), v.to_string());
    }

    let mut power_error = None;
    let mut suspend = None;
    if let Some(power) = s.power {
        let locks_on_suspend = !disable_lock && lock_on_suspend_key.unwrap_or(lock_enabled);
        run.fact(
            format!("{prefix}.lock_on_suspend"),
            format!(
                "{locks_on_suspend} ({})",
                if lock_on_suspend_key.is_some() {
                    "ubuntu-lock-on-suspend"
                } else {
                    "lock-enabled"
                }
            ),
        );
        match gsettings_list(run, ctx, power) {
            Ok(values) => {
                let ac = idle_action(&values, power, "ac")?;
                let battery = idle_action(&values, power, "battery")?;
                run.fact(format!("{prefix}.sleep_inactive_ac"), describe_action(&ac));
                run.fact(
                    format!("{prefix}.sleep_inactive_battery"),
                    describe_action(&battery),
                );
                let locking = |a: &Option<(String, u64)>| match a {
                    Some((kind, t)) if *t > 0 => match kind.as_str() {
                        "suspend" | "hibernate" if locks_on_suspend => Some(*t),
                        "logout" | "shutdown" => Some(*t),
                        _ => None,
                    },
                    _ => None,
                };
                // Worst power source: both must lock, and the later one counts.
                if let (Some(a), Some(b)) = (locking(&ac), locking(&battery)) {
                    suspend = Some(Observed::new(
                        a.max(b),
                        format!(
                            "{power} sleep-inactive-ac-timeout = {}, sleep-inactive-battery-timeout = {}",
                            ac.as_ref().map_or(0, |x| x.1),
                            battery.as_ref().map_or(0, |x| x.1)
                        ),
                    ));
                }
                run.fact(
                    format!("{prefix}.suspend_lock_s"),
                    suspend
                        .as_ref()
                        .map_or_else(|| "none".to_string(), |o| o.value.to_string()),
                );
            }
            Err(GsError::NoSchema) => run.fact(
                format!("{prefix}.suspend_lock_s"),
                "none (power schema not installed)",
            ),
            Err(GsError::Failed(reason)) => {
                run.fact(
                    format!("{prefix}.suspend_lock_s"),
                    format!("not read: {reason}"),
                );
                power_error = Some(reason);
            }
        }
    }

    let settings = LockSettings {
        auto_lock: Observed::new(
            lock_enabled,
            if lock_enabled == lock_enabled_key {
                setting(s.screensaver, "lock-enabled", &lock_enabled_key)
            } else {
                format!(
                    "{}, but {} idle-activation-enabled = false",
                    setting(s.screensaver, "lock-enabled", &lock_enabled_key),
                    s.screensaver
                )
            },
        ),
        idle_seconds: Observed::new(
            (idle_delay > 0).then_some(idle_delay),
            setting(
                s.session,
                "idle-delay",
                &Units(idle_delay_raw, s.unit_seconds),
            ),
        ),
        grace_seconds: Observed::new(
            Some(lock_delay),
            setting(
                s.screensaver,
                "lock-delay",
                &Units(lock_delay_raw, s.unit_seconds),
            ),
        ),
        password_required: Observed::new(
            !disable_lock,
            setting(s.lockdown, "disable-lock-screen", &disable_lock),
        ),
        suspend_lock_seconds: suspend,
    };
    Ok((settings, power_error))
}

/// A gsettings delay as written, with its unit when it is not seconds.
struct Units(u64, u64);

impl std::fmt::Display for Units {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.1 {
            60 => write!(f, "{} min", self.0),
            _ => write!(f, "{}", self.0),
        }
    }
}

/// `sleep-inactive-<source>-type` and `-timeout`: `None` when the schema lacks them.
fn idle_action(
    values: &SchemaValues,
    schema: &str,
    source: &str,
) -> Result<Option<(String, u64)>, String> {
    let kind = values.string(schema, &format!("sleep-inactive-{source}-type"))?;
    let timeout = values.uint(schema, &format!("sleep-inactive-{source}-timeout"))?;
    Ok(kind.zip(timeout))
}

fn describe_action(action: &Option<(String, u64)>) -> String {
    match action {
        None => "not in schema".to_string(),
        Some((kind, 0)) => format!("{kind}, timeout 0 (never)"),
        Some((kind, t)) => format!("{kind} after {t} s"),
    }
}
