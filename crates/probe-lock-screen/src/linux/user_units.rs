//! Idle daemons started by systemd instead of the compositor's config: a user unit counts
//! only when it is enabled, that is linked into a `*.wants` folder (`systemctl --user enable`,
//! `systemctl --user add-wants`, `systemctl --global enable`).

use super::wayland::read_text;
use crate::parse::linux::swayidle;
use devidence_core::{ProbeRun, UserContext};

/// The systemd user unit that starts swayidle, when one is enabled ([`enabled_user_unit`]),
/// with what its `ExecStart=` runs (read through the link).
pub(super) fn enabled_swayidle_unit(
    run: &mut ProbeRun<'_>,
    ctx: &UserContext,
    home: &str,
) -> Option<(String, Result<swayidle::Invocation, String>)> {
    let (origin, unit, text) = enabled_user_unit(run, ctx, home, "swayidle.service")?;
    let invocation = match text {
        Ok(Some(text)) => swayidle::parse_unit_exec_start(&text)
            .unwrap_or_else(|| Err(format!("{unit} has no ExecStart= that runs swayidle"))),
        Ok(None) => Err(format!("{unit} is linked but does not exist")),
        Err(why) => Err(format!("{unit} could not be read: {why}")),
    };
    Some((origin, invocation))
}

/// A systemd user unit `name` that is enabled: linked into a `*.wants` folder of the person's
/// `~/.config/systemd/user` or the machine's `/etc/systemd/user` (`systemctl --user enable`,
/// `systemctl --user add-wants` and `systemctl --global enable` make those links). Returns how
/// to name it, the link's path and its text read through the link. Folders are listed
/// quietly; at most 32 `*.wants` folders each.
pub(super) fn enabled_user_unit(
    run: &mut ProbeRun<'_>,
    ctx: &UserContext,
    home: &str,
    name: &str,
) -> Option<(String, String, Result<Option<String>, String>)> {
    let user_dir = format!("{home}/.config/systemd/user");
    let user_wants = run.list_user_dir_quietly(ctx, &user_dir).lines();
    for wants in user_wants.iter().filter(|n| n.ends_with(".wants")).take(32) {
        let dir = format!("{user_dir}/{wants}");
        if run
            .list_user_dir_quietly(ctx, &dir)
            .lines()
            .iter()
            .any(|n| n == name)
        {
            let link = format!("{dir}/{name}");
            let text = read_text(run, ctx, &link);
            let origin = format!("the systemd user unit {name} (enabled in {dir})");
            return Some((origin, link, text));
        }
    }
    let global_dir = "/etc/systemd/user";
    let global_wants = run.list_dir_quietly(global_dir);
    for wants in global_wants
        .iter()
        .filter(|n| n.ends_with(".wants"))
        .take(32)
    {
        let dir = format!("{global_dir}/{wants}");
        if run.list_dir_quietly(&dir).iter().any(|n| n == name) {
            let link = format!("{dir}/{name}");
            let text = read_text(run, ctx, &link);
            let origin = format!("the systemd user unit {name} (enabled for everyone in {dir})");
            return Some((origin, link, text));
        }
    }
    None
}
