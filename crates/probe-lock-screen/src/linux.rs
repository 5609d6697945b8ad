//! The Linux plan: which sessions, which users, which commands and files, in whose context.
//!
//! 1. `loginctl` lists the graphical sessions (none: unknown, the lock is a desktop setting).
//! 2. Each session's owner is resolved to a uid, gid and home (`/etc/passwd`, else
//!    `getent passwd`), and that person's settings are read **in their own context**
//!    ([`CommandSpec::as_user`]): the host drops to the user and sets `HOME`, `XDG_RUNTIME_DIR`
//!    and the session bus, so root never reads a path the user controls.
//! 3. Per desktop: GNOME (and Ubuntu, Pop!_OS, Budgie), Cinnamon and MATE through `gsettings
//!    list-recursively`, with the dconf administrator locks for attribution; KDE Plasma through
//!    `kscreenlockerrc` (user file via `cat` as the user, plus `/etc/xdg`); XFCE through
//!    xfce4-screensaver's xfconf channel ([`crate::xfce`]). Other desktops are unknown, named.
//! 4. [`crate::policy`] judges each person and combines them: everyone must comply.

use crate::parse::desktop::Desktop;
use crate::parse::gsettings::{SchemaValues, parse_list_recursively};
use crate::parse::kscreenlocker::{self, KdeSource};
use crate::parse::{dconf, kconfig, passwd};
use crate::policy::{self, LockSettings, Observed, UserOutcome, UserResult, human};
use devidence_core::users::{self, LocalUser, Session};
use devidence_core::{CommandSpec, Observation, Outcome, Policy, ProbeRun, UserContext, Verdict};
use std::collections::BTreeSet;
use std::time::Duration;

/// Deadline of one settings command; gsettings reads a local file and answers in milliseconds.
const DEADLINE: Duration = Duration::from_secs(10);

/// The reason given when nobody is logged in to a desktop.
pub const NO_SESSION: &str = "no graphical login session on this machine: the screen lock is a per-user \
desktop setting, so run the check while someone is logged in to the desktop";

/// What the plan concluded.
pub struct Conclusion {
    /// The verdict.
    pub verdict: Verdict,
    /// One sentence for people.
    pub summary: String,
    /// What to do, when not passing.
    pub remediation: Option<String>,
}

impl Conclusion {
    fn unknown(reason: impl Into<String>, remediation: Option<String>) -> Conclusion {
        let reason = reason.into();
        let mut summary = format!("Screen lock could not be checked: {reason}");
        if !summary.ends_with('.') {
            summary.push('.');
        }
        Conclusion {
            verdict: Verdict::unknown(reason),
            summary,
            remediation: remediation.or_else(|| Some(SESSION_HINT.to_string())),
        }
    }
}

/// What to do when the lock could not be read at all: every non-passing finding says what to do.
const SESSION_HINT: &str = "Run the check while the employee is logged in to the desktop (the screen lock is a \
     per-user setting), with devidence running as root or as that user; until then, upload a screenshot of \
     the desktop's screen-lock settings as manual evidence.";

/// One person × desktop to check.
struct Target {
    user: String,
    uid: Option<u32>,
    desktop: Desktop,
    sessions: Vec<String>,
}

/// Runs the Linux plan.
pub fn check(run: &mut ProbeRun<'_>) -> Conclusion {
    let policy = run.policy.clone();
    run.fact(
        "policy.max_lock_idle_s",
        policy.max_lock_idle_seconds.to_string(),
    );
    run.fact(
        "policy.max_lock_grace_s",
        policy.max_lock_grace_seconds.to_string(),
    );
    let sessions = match users::graphical_sessions(run) {
        Ok(sessions) => sessions,
        Err(err) => {
            run.fact("sessions.graphical", format!("not listed: {err}"));
            return Conclusion::unknown(
                format!(
                    "the graphical login sessions could not be listed ({err}); the screen lock is a per-user \
                     desktop setting, so this check needs systemd-logind and someone logged in to the desktop"
                ),
                None,
            );
        }
    };
    if sessions.is_empty() {
        run.fact("sessions.graphical", "none");
        return Conclusion::unknown(NO_SESSION, None);
    }
    run.fact("sessions.graphical", describe_sessions(&sessions));

    let targets = targets(&sessions);
    let mut local: Option<Result<Vec<LocalUser>, String>> = None;
    let mut outcomes = Vec::new();
    for target in &targets {
        let several = targets.iter().filter(|t| t.user == target.user).count() > 1;
        let prefix = if several {
            format!("user.{}.{}", target.user, target.desktop.slug())
        } else {
            format!("user.{}", target.user)
        };
        run.fact(format!("{prefix}.desktop"), target.desktop.label());
        run.fact(format!("{prefix}.sessions"), target.sessions.join(", "));
        let result = match resolve_user(run, &mut local, target) {
            Err(reason) => UserResult::Unknown { reason },
            Ok(ctx) => check_user(run, &ctx, target, &prefix, &policy),
        };
        run.fact(format!("{prefix}.result"), describe_result(&result));
        outcomes.push(UserOutcome {
            user: target.user.clone(),
            desktop: target.desktop.label(),
            result,
        });
    }

    let (verdict, summary) = policy::combine(&outcomes, &policy);
    let to_fix: Vec<&Desktop> = targets
        .iter()
        .zip(&outcomes)
        .filter(|(_, o)| !matches!(o.result, UserResult::Pass { .. }))
        .map(|(t, _)| &t.desktop)
        .collect();
    let remediation = (!to_fix.is_empty()).then(|| remediation(&to_fix, &policy));
    Conclusion {
        verdict,
        summary,
        remediation,
    }
}

fn describe_sessions(sessions: &[Session]) -> String {
    sessions
        .iter()
        .map(|s| {
            let desktop = if s.desktop.is_empty() {
                "desktop not named"
            } else {
                s.desktop.as_str()
            };
            let active = if s.active { ", active" } else { "" };
            format!(
                "{} (session {}, {}{active}, {desktop})",
                s.user, s.id, s.kind
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// One target per distinct user and desktop family, in session order (active first).
fn targets(sessions: &[Session]) -> Vec<Target> {
    let mut out: Vec<Target> = Vec::new();
    for s in sessions {
        let desktop = Desktop::from_session(&s.desktop);
        match out
            .iter_mut()
            .find(|t| t.user == s.user && t.desktop == desktop)
        {
            Some(t) => t.sessions.push(s.id.clone()),
            None => out.push(Target {
                user: s.user.clone(),
                uid: s.uid,
                desktop,
                sessions: vec![s.id.clone()],
            }),
        }
    }
    out
}

fn describe_result(result: &UserResult) -> String {
    match result {
        UserResult::Pass { effective_seconds } => {
            format!("pass (password needed after {})", human(*effective_seconds))
        }
        UserResult::Fail { problems } => format!("fail: {}", problems.join("; ")),
        UserResult::Unknown { reason } => format!("unknown: {reason}"),
    }
}

/// The session owner's uid, gid and home: `/etc/passwd` first, then `getent passwd` for
/// directory accounts.
fn resolve_user(
    run: &mut ProbeRun<'_>,
    local: &mut Option<Result<Vec<LocalUser>, String>>,
    target: &Target,
) -> Result<UserContext, String> {
    let accounts = local.get_or_insert_with(|| users::local_users(run));
    if let Ok(list) = accounts
        && let Some(user) = list.iter().find(|u| u.name == target.user)
    {
        return Ok(user.context());
    }
    let obs = run.run(
        CommandSpec::new("getent", ["passwd", target.user.as_str()])
            .deadline(Duration::from_secs(5)),
    );
    if obs.succeeded()
        && let Some(ctx) = passwd::parse_getent_line(&obs.stdout, &target.user)
    {
        if target.uid.is_some_and(|uid| uid != ctx.uid) {
            return Err(format!(
                "the account {} has uid {} but its session belongs to uid {}; check the account database",
                target.user,
                ctx.uid,
                target.uid.unwrap_or_default()
            ));
        }
        return Ok(ctx);
    }
    let passwd_note = match accounts {
        Ok(_) => "it is not in /etc/passwd".to_string(),
        Err(err) => format!("/etc/passwd could not be read ({err})"),
    };
    Err(format!(
        "the account {} (uid, home directory) could not be found: {passwd_note}, and {}",
        target.user,
        if obs.outcome == Outcome::Completed && obs.exit_code == Some(2) {
            "`getent passwd` does not know it either".to_string()
        } else {
            obs.failure_reason()
        }
    ))
}

fn check_user(
    run: &mut ProbeRun<'_>,
    ctx: &UserContext,
    target: &Target,
    prefix: &str,
    policy: &Policy,
) -> UserResult {
    let read = match &target.desktop {
        Desktop::Gnome => read_gsettings(run, ctx, &GNOME, prefix),
        Desktop::Cinnamon => read_gsettings(run, ctx, &CINNAMON, prefix),
        Desktop::Mate => read_gsettings(run, ctx, &MATE, prefix),
        Desktop::Kde => read_kde(run, ctx, prefix).map(|s| (s, None)),
        Desktop::Xfce => crate::xfce::read(run, ctx, prefix).map(|s| (s, None)),
        Desktop::Unsupported(name) => Err(format!(
            "{}'s session runs the `{name}` desktop, whose screen-lock settings this version does not read \
             (GNOME, Cinnamon, MATE, XFCE and KDE Plasma are read); upload a screenshot of its screen-lock settings as manual evidence",
            ctx.name
        )),
        Desktop::Unnamed => Err(format!(
            "{}'s graphical session does not say which desktop it runs (logind's Desktop property is empty, as with \
             sessions started by startx or some display managers), so its lock settings cannot be located; upload a \
             screenshot of the screen-lock settings as manual evidence",
            ctx.name
        )),
    };
    let (settings, power_error) = match read {
        Ok(read) => read,
        Err(reason) => return UserResult::Unknown { reason },
    };
    let evaluation = policy::evaluate(&settings, policy);
    run.fact(
        format!("{prefix}.effective_lock_s"),
        evaluation
            .effective_lock_seconds
            .map_or_else(|| "never".to_string(), |s| s.to_string()),
    );
    if evaluation.compliant {
        UserResult::Pass {
            effective_seconds: evaluation.effective_lock_seconds.unwrap_or_default(),
        }
    } else if let Some(err) = power_error {
        UserResult::Unknown {
            reason: format!(
                "the screen-lock settings of {} alone do not comply ({}), and the idle-suspend settings that could \
                 still lock in time could not be read: {err}",
                ctx.name,
                evaluation.problems.join("; ")
            ),
        }
    } else {
        UserResult::Fail {
            problems: evaluation.problems,
        }
    }
}

/// The GSettings schemas of a GNOME-family desktop.
struct Schemas {
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

const GNOME: Schemas = Schemas {
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
const CINNAMON: Schemas = Schemas {
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
const MATE: Schemas = Schemas {
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

type Read = (LockSettings, Option<String>);

fn read_gsettings(
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

fn read_kde(
    run: &mut ProbeRun<'_>,
    ctx: &UserContext,
    prefix: &str,
) -> Result<LockSettings, String> {
    let user_path = format!("{}/.config/kscreenlockerrc", ctx.home.trim_end_matches('/'));
    // Read as the user: root never opens a path the user controls (a symlink to /etc/shadow
    // would otherwise end up in the evidence).
    let obs = run.run(
        CommandSpec::new("cat", [user_path.as_str()])
            .deadline(DEADLINE)
            .as_user(ctx),
    );
    let user_text = if obs.succeeded() {
        Some(obs.stdout)
    } else if obs.outcome == Outcome::Completed
        && obs.exit_code == Some(1)
        && obs.stderr.contains("No such file or directory")
    {
        None
    } else {
        return Err(format!(
            "{}'s {user_path} could not be read: {}",
            ctx.name,
            obs.failure_reason()
        ));
    };
    let system_text = run
        .read_file(kscreenlocker::SYSTEM_FILE)
        .text_if_present()?
        .map(str::to_string);
    run.fact(
        format!("{prefix}.kscreenlockerrc_user"),
        if user_text.is_some() {
            "present"
        } else {
            "absent (KDE defaults apply)"
        },
    );
    run.fact(
        format!("{prefix}.kscreenlockerrc_system"),
        if system_text.is_some() {
            "present"
        } else {
            "absent"
        },
    );
    let user_file = user_text.as_deref().map(kconfig::parse);
    let system_file = system_text.as_deref().map(kconfig::parse);
    let lock = kscreenlocker::resolve(system_file.as_ref(), user_file.as_ref())?;

    // Facts carry where each value came from; sentences name the key as the person would see
    // it in the file (`Timeout=30 in ~/.config/kscreenlockerrc`, `LockGrace default 5`).
    let src = |key: &str, source: &KdeSource, raw: &Option<String>| match raw {
        Some(raw) => format!("{key}={raw} in {}", source.describe()),
        None => format!("{key} not set: {}", source.describe()),
    };
    let minutes = lock.timeout_minutes.value;
    let idle = (minutes > 0.0).then(|| (minutes * 60.0).round() as u64);
    let grace = lock.lock.value.then_some(lock.lock_grace_seconds.value);
    let timeout_src = src(
        "Timeout",
        &lock.timeout_minutes.source,
        &lock.timeout_minutes.raw,
    );
    let autolock_src = src("Autolock", &lock.autolock.source, &lock.autolock.raw);
    let grace_src = if lock.lock.value {
        src(
            "LockGrace",
            &lock.lock_grace_seconds.source,
            &lock.lock_grace_seconds.raw,
        )
    } else {
        src("Lock", &lock.lock.source, &lock.lock.raw)
    };
    let password_src = src(
        "RequirePassword",
        &lock.require_password.source,
        &lock.require_password.raw,
    );
    let resume_src = src(
        "LockOnResume",
        &lock.lock_on_resume.source,
        &lock.lock_on_resume.raw,
    );
    let value = |v: &dyn std::fmt::Display, source: &str| format!("{v} ({source})");
    run.fact(
        format!("{prefix}.lock_enabled"),
        lock.autolock.value.to_string(),
    );
    run.fact(
        format!("{prefix}.lock_enabled_source"),
        autolock_src.clone(),
    );
    run.fact(
        format!("{prefix}.idle_delay_s"),
        idle.map_or_else(|| format!("never (Timeout={minutes})"), |s| s.to_string()),
    );
    run.fact(format!("{prefix}.idle_delay_source"), timeout_src.clone());
    run.fact(
        format!("{prefix}.lock_delay_s"),
        grace.map_or_else(|| "never (Lock=false)".to_string(), |g| g.to_string()),
    );
    run.fact(format!("{prefix}.lock_delay_source"), grace_src.clone());
    run.fact(
        format!("{prefix}.password_required"),
        lock.require_password.value.to_string(),
    );
    run.fact(
        format!("{prefix}.password_required_source"),
        password_src.clone(),
    );
    run.fact(
        format!("{prefix}.lock_on_resume"),
        value(&lock.lock_on_resume.value, &resume_src),
    );
    Ok(LockSettings {
        auto_lock: Observed::new(lock.autolock.value, autolock_src),
        idle_seconds: Observed::new(idle, timeout_src),
        grace_seconds: Observed::new(grace, grace_src),
        password_required: Observed::new(lock.require_password.value, password_src),
        suspend_lock_seconds: None,
    })
}

/// What the employee (or their administrator) does, per desktop involved.
fn remediation(desktops: &[&Desktop], policy: &Policy) -> String {
    let minutes = (policy.max_lock_idle_seconds / 60).max(1);
    let idle = policy.max_lock_idle_seconds.min(300);
    let grace = policy.max_lock_grace_seconds;
    let kde_minutes = (idle / 60).max(1);
    let mut seen = Vec::new();
    let mut parts = Vec::new();
    for d in desktops {
        let key = d.slug();
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        parts.push(match d {
            Desktop::Gnome => format!(
                "GNOME: in Settings › Privacy (› Screen Lock; \"Privacy & Security\" on GNOME 46+) turn on Automatic Screen \
                 Lock, set Automatic Screen Lock Delay to \"Screen Turns Off\", and set Blank Screen to {minutes} minutes or \
                 less (Settings › Power on newer GNOME). As the user: `gsettings set org.gnome.desktop.screensaver \
                 lock-enabled true`, `gsettings set org.gnome.desktop.screensaver lock-delay 0`, `gsettings set \
                 org.gnome.desktop.session idle-delay {idle}`, and if an administrator disabled the lock screen, \
                 `gsettings set org.gnome.desktop.lockdown disable-lock-screen false`. Administrators can enforce this \
                 for everyone with a dconf database and locks (/etc/dconf/db/local.d/ and locks/, then `dconf update`)."
            ),
            Desktop::Cinnamon => format!(
                "Cinnamon: in System Settings › Screensaver set \"Delay before starting the screensaver\" to {minutes} \
                 minutes or less, turn on \"Lock the computer after the screensaver starts\" and set \"Delay before \
                 locking\" to lock immediately. As the user: `gsettings set org.cinnamon.desktop.screensaver lock-enabled \
                 true`, `gsettings set org.cinnamon.desktop.screensaver lock-delay 0`, `gsettings set \
                 org.cinnamon.desktop.session idle-delay {idle}`."
            ),
            Desktop::Kde => format!(
                "KDE Plasma: in System Settings › Screen Locking (Security & Privacy › Screen Locking on Plasma 6) tick \
                 \"Lock screen automatically\" after {minutes} minutes or less, keep \"Require password\" on and set the \
                 password delay (\"Allow unlocking without password for\") to {grace} seconds or less. As the user: \
                 `kwriteconfig6 --file kscreenlockerrc --group Daemon --key Autolock true`, `... --key Timeout {kde_minutes}`, \
                 `... --key LockGrace 0` (kwriteconfig5 on Plasma 5). Administrators can enforce it in \
                 /etc/xdg/kscreenlockerrc with a `[Daemon][$i]` group."
            ),
            Desktop::Mate => format!(
                "MATE: in Control Center › Screensaver set \"Regard the computer as idle after\" to {minutes} minutes or \
                 less and tick \"Lock screen when screensaver is active\". As the user: `gsettings set \
                 org.mate.screensaver idle-activation-enabled true`, `gsettings set org.mate.screensaver lock-enabled \
                 true`, `gsettings set org.mate.screensaver lock-delay 0`, `gsettings set org.mate.session idle-delay \
                 {minutes}` (minutes)."
            ),
            Desktop::Xfce => format!(
                "XFCE: in Settings › Screensaver turn on \"Activate screensaver when computer is idle\" after {minutes} \
                 minutes or less, and on the Lock Screen tab turn on \"Enable Lock Screen\" and \"Lock Screen with \
                 Screensaver\" with no delay. As the user: `xfconf-query -c xfce4-screensaver -p /lock/enabled -s true`, \
                 `... -p /saver/idle-activation/delay -s {minutes}`, `... -p /lock/saver-activation/delay -s 0`."
            ),
            Desktop::Unsupported(name) => format!(
                "{name}: set the screen to lock with a password after at most {minutes} minutes of inactivity in the \
                 desktop's screensaver or lock settings, and upload a screenshot of that setting as manual evidence."
            ),
            Desktop::Unnamed => format!(
                "Desktop not named by the session: set the screen to lock with a password after at most {minutes} \
                 minutes of inactivity, and upload a screenshot of that setting as manual evidence."
            ),
        });
    }
    parts.join("\n")
}
