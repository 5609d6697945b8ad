//! The Linux plan: which sessions, which users, which commands and files, in whose context.
//!
//! 1. `loginctl` lists the graphical sessions (none: [`Facts::NoSession`], the lock is a
//!    desktop setting).
//! 2. Each session's owner is resolved to a uid, gid and home (`/etc/passwd`, else
//!    `getent passwd`), and that person's settings are read **in their own context**
//!    ([`CommandSpec::as_user`]): the host drops to the user and sets `HOME`, `XDG_RUNTIME_DIR`
//!    and the session bus, so root never reads a path the user controls.
//! 3. Per desktop: GNOME (and Ubuntu, Pop!_OS, Budgie), Cinnamon and MATE through `gsettings
//!    list-recursively`, with the dconf administrator locks for attribution ([`gnome`]); KDE
//!    Plasma through `kscreenlockerrc` (user file via `cat` as the user, plus `/etc/xdg`;
//!    [`kde`]); XFCE through xfce4-screensaver's xfconf channel ([`xfce`]); Sway, Hyprland and
//!    river through the idle daemon their config starts (swayidle, hypridle) and the locker it
//!    runs ([`wayland`]). Other desktops are unknown, named.
//! 4. Where a person's lock could not be read on a desktop without a lock setting of its own
//!    (Sway, Hyprland, river, desktops not read, sessions naming no desktop), logind's
//!    `IdleHint` / `LockedHint` / `IdleSinceHint` of their sessions are recorded ([`hints`]):
//!    state, not settings, so the result stays unknown.
//! 5. Each person's settings are judged by [`crate::policy::conclude_settings`] (the result is
//!    part of the evidence); [`crate::policy::conclude_linux`] combines them: everyone must
//!    comply.

pub mod gnome;
pub mod hints;
pub mod kde;
mod user_units;
pub mod wayland;
pub mod xfce;

use crate::parse::linux::desktop::Desktop;
use crate::parse::linux::passwd;
use crate::policy::{self, UserOutcome, UserResult, human};
use devidence_core::users::{self, LocalUser, Session};
use devidence_core::{CommandSpec, Outcome, Policy, ProbeRun, UserContext};
use std::time::Duration;

/// Deadline of one settings command; gsettings reads a local file and answers in milliseconds.
const DEADLINE: Duration = Duration::from_secs(10);

/// What the Linux plan found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Facts {
    /// `loginctl` could not list the sessions (why).
    SessionsUnlisted(String),
    /// Nobody is logged in to a desktop.
    NoSession,
    /// Each graphical person × desktop family, in session order, with their result.
    Users(Vec<Checked>),
}

/// One person × desktop that was checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checked {
    /// The desktop family their session runs (the remediation is written per desktop).
    pub desktop: Desktop,
    /// Who, on which desktop, and their result.
    pub outcome: UserOutcome,
}

/// One person × desktop to check.
struct Target {
    user: String,
    uid: Option<u32>,
    desktop: Desktop,
    sessions: Vec<String>,
}

/// Runs the Linux plan: lists the graphical sessions and reads each person's settings.
pub fn gather(run: &mut ProbeRun<'_>) -> Facts {
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
            return Facts::SessionsUnlisted(err);
        }
    };
    if sessions.is_empty() {
        run.fact("sessions.graphical", "none");
        return Facts::NoSession;
    }
    run.fact("sessions.graphical", describe_sessions(&sessions));
    for session in &sessions {
        if let Some(found_by) = &session.found_by {
            run.fact(
                format!("sessions.{}.found_by", session.id),
                format!(
                    "logind says a text console (Type=tty); a Wayland compositor runs in it: {found_by}"
                ),
            );
        }
    }

    let targets = targets(&sessions);
    let mut local: Option<Result<Vec<LocalUser>, String>> = None;
    let mut checked = Vec::new();
    for target in &targets {
        let several = targets.iter().filter(|t| t.user == target.user).count() > 1;
        let prefix = if several {
            format!("user.{}.{}", target.user, target.desktop.slug())
        } else {
            format!("user.{}", target.user)
        };
        run.fact(format!("{prefix}.desktop"), target.desktop.label());
        run.fact(format!("{prefix}.sessions"), target.sessions.join(", "));
        let mut result = match resolve_user(run, &mut local, target) {
            Err(reason) => UserResult::Unknown { reason },
            Ok(ctx) => read_user(run, &ctx, target, &prefix, &policy),
        };
        if let UserResult::Unknown { reason } = &mut result
            && target.desktop.without_lock_setting()
        {
            let hints = hints::record_hints(run, &target.sessions, &prefix);
            reason.push_str("; ");
            reason.push_str(&hints);
        }
        run.fact(format!("{prefix}.result"), describe_result(&result));
        checked.push(Checked {
            desktop: target.desktop.clone(),
            outcome: UserOutcome {
                user: target.user.clone(),
                desktop: target.desktop.label(),
                result,
            },
        });
    }
    Facts::Users(checked)
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

/// One person's result: their desktop's settings read in their context, then judged.
fn read_user(
    run: &mut ProbeRun<'_>,
    ctx: &UserContext,
    target: &Target,
    prefix: &str,
    policy: &Policy,
) -> UserResult {
    let read = match &target.desktop {
        Desktop::Gnome => gnome::read_gsettings(run, ctx, &gnome::GNOME, prefix).map(power),
        Desktop::Cinnamon => gnome::read_gsettings(run, ctx, &gnome::CINNAMON, prefix).map(power),
        Desktop::Mate => gnome::read_gsettings(run, ctx, &gnome::MATE, prefix).map(power),
        Desktop::Kde => kde::read_kde(run, ctx, prefix).map(|s| (s, None)),
        Desktop::Xfce => xfce::read_xfce(run, ctx, prefix).map(|s| (s, None)),
        Desktop::Sway | Desktop::Hyprland | Desktop::River => {
            wayland::read_wayland(run, ctx, &target.desktop, prefix)
        }
        Desktop::Unsupported(name) => Err(format!(
            "{}'s session runs the `{name}` desktop, whose screen-lock settings this version does not read \
             (GNOME, Cinnamon, MATE, XFCE, KDE Plasma, Sway, Hyprland and river are read); upload a screenshot of its screen-lock settings as manual evidence",
            ctx.name
        )),
        Desktop::Unnamed => Err(format!(
            "{}'s graphical session does not say which desktop it runs (logind's Desktop property is empty, as with \
             sessions started by startx or some display managers), so its lock settings cannot be located; upload a \
             screenshot of the screen-lock settings as manual evidence",
            ctx.name
        )),
    };
    let (settings, unverified) = match read {
        Ok(read) => read,
        Err(reason) => return UserResult::Unknown { reason },
    };
    let evaluation = policy::conclude_settings(&settings, policy);
    run.fact(
        format!("{prefix}.effective_lock_s"),
        evaluation
            .effective_lock_seconds
            .map_or_else(|| "never".to_string(), |s| s.to_string()),
    );
    policy::conclude_linux_user(&ctx.name, evaluation, unverified.as_deref())
}

/// GNOME's unreadable power settings as the clause that keeps a would-be failure unknown.
fn power<S>((settings, power_error): (S, Option<String>)) -> (S, Option<String>) {
    (
        settings,
        power_error.map(|err| {
            format!(
                "the idle-suspend settings that could still lock in time could not be read: {err}"
            )
        }),
    )
}
