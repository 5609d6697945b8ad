//! Idle daemons started by systemd instead of the compositor's config: a user unit counts
//! only when it is enabled, that is linked into a `*.wants` folder (`systemctl --user enable`,
//! `systemctl --user add-wants`, `systemctl --global enable`), and either the person's systemd
//! says it runs now (`systemctl --user --machine=<person>@ is-active`) or, when that cannot be
//! asked, it is wanted by `default.target`, which a person's systemd always starts. A link in
//! `graphical-session.target.wants` alone proves nothing: plain Sway and Hyprland never start
//! that target.

use super::wayland::read_text;
use crate::parse::linux::swayidle;
use devidence_core::{CommandSpec, Outcome, ProbeRun, UserContext};
use std::time::Duration;

/// An enabled unit that runs: how to name it, the link's path and its text.
pub(super) type Started = (String, String, Result<Option<String>, String>);

/// A swayidle unit that runs: how to name it and what its `ExecStart=` starts.
pub(super) type StartedSwayidle = (String, Result<swayidle::Invocation, String>);

/// The systemd user unit that starts swayidle, when one is enabled ([`enabled_user_unit`]),
/// with what its `ExecStart=` runs (read through the link).
/// `Some(Err(why))`: linked, but that it runs could not be shown.
pub(super) fn enabled_swayidle_unit(
    run: &mut ProbeRun<'_>,
    ctx: &UserContext,
    home: &str,
) -> Option<Result<StartedSwayidle, String>> {
    let (origin, unit, text) = match enabled_user_unit(run, ctx, home, "swayidle.service")? {
        Ok(started) => started,
        Err(why) => return Some(Err(why)),
    };
    let invocation = match text {
        Ok(Some(text)) => swayidle::parse_unit_exec_start(&text)
            .unwrap_or_else(|| Err(format!("{unit} has no ExecStart= that runs swayidle"))),
        Ok(None) => Err(format!("{unit} is linked but does not exist")),
        Err(why) => Err(format!("{unit} could not be read: {why}")),
    };
    Some(Ok((origin, invocation)))
}

/// A systemd user unit `name` that is enabled: linked into a `*.wants` folder of the person's
/// `~/.config/systemd/user` or the machine's `/etc/systemd/user` (`systemctl --user enable`,
/// `systemctl --user add-wants` and `systemctl --global enable` make those links). Returns how
/// to name it, the link's path and its text read through the link, once [`runs`] confirms it;
/// `Some(Err(why))` when it is linked but that it runs could not be shown. Folders are listed
/// quietly; at most 32 `*.wants` folders each.
pub(super) fn enabled_user_unit(
    run: &mut ProbeRun<'_>,
    ctx: &UserContext,
    home: &str,
    name: &str,
) -> Option<Result<Started, String>> {
    let user_dir = format!("{home}/.config/systemd/user");
    let roots = [
        (user_dir.as_str(), true, "in"),
        ("/etc/systemd/user", false, "for everyone in"),
    ];
    for (root, as_user, whose) in roots {
        let wants_dirs = list(run, ctx, root, as_user);
        for wants in wants_dirs.iter().filter(|n| n.ends_with(".wants")).take(32) {
            let dir = format!("{root}/{wants}");
            if list(run, ctx, &dir, as_user).iter().any(|n| n == name) {
                let link = format!("{dir}/{name}");
                let origin = format!("the systemd user unit {name} (enabled {whose} {dir}");
                return Some(runs(run, ctx, name, wants, origin).map(|origin| {
                    let text = read_text(run, ctx, &link);
                    (origin, link, text)
                }));
            }
        }
    }
    None
}

/// A folder's names, listed quietly: with the person's rights in their home, else directly.
fn list(run: &mut ProbeRun<'_>, ctx: &UserContext, dir: &str, as_user: bool) -> Vec<String> {
    if as_user {
        run.list_user_dir_quietly(ctx, dir).lines()
    } else {
        run.list_dir_quietly(dir)
    }
}

/// Whether a linked unit runs: the person's systemd is asked; when it cannot be asked, a unit
/// wanted by `default.target` counts (always started), any other target does not. Returns
/// `origin` completed with how it was shown, or why not.
fn runs(
    run: &mut ProbeRun<'_>,
    ctx: &UserContext,
    name: &str,
    wants: &str,
    origin: String,
) -> Result<String, String> {
    let machine = format!("--machine={}@", ctx.name);
    let obs = run.run(
        CommandSpec::new("systemctl", ["--user", machine.as_str(), "is-active", name])
            .deadline(Duration::from_secs(5)),
    );
    let state = obs.stdout.trim();
    if obs.outcome == Outcome::Completed
        && matches!(
            state,
            "active" | "activating" | "reloading" | "inactive" | "failed" | "deactivating"
        )
    {
        return if matches!(state, "active" | "activating" | "reloading") {
            Ok(format!("{origin}, {state} now)"))
        } else {
            Err(format!(
                "{origin}) but not running: {}'s systemd says {state}",
                ctx.name
            ))
        };
    }
    let asked = obs.failure_reason();
    if wants == "default.target.wants" {
        Ok(format!(
            "{origin}; default.target always starts it; whether it runs now could not be asked: {asked})"
        ))
    } else {
        let target = wants.trim_end_matches(".wants");
        Err(format!(
            "{origin}) but {target} may never start (plain Sway and Hyprland do not start graphical-session.target) and whether it runs could not be asked: {asked}"
        ))
    }
}
