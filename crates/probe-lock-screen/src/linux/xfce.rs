//! XFCE's screen lock: which locker the session starts, and xfce4-screensaver's settings.
//!
//! 1. The locker: xfce4-screensaver when its autostart entry
//!    (`/etc/xdg/autostart/xfce4-screensaver.desktop`) exists and is not hidden, or the user has
//!    its channel file; light-locker (older Xubuntu) is named and unknown, since its idle time
//!    comes from the X server's screensaver, which is not read; none found is unknown.
//! 2. The settings: the user's channel file
//!    (`~/.config/xfce4/xfconf/xfce-perchannel-xml/xfce4-screensaver.xml`, read with the user's
//!    rights) over the system one (`/etc/xdg/xfce4/xfconf/xfce-perchannel-xml/`) over
//!    xfce4-screensaver's defaults ([`crate::parse::linux::xfconf`]). Files are what xfconfd loads at
//!    login and writes back on every change.

use crate::parse::linux::desktop::autostart_hidden;
use crate::parse::linux::xfconf::{self, Channel};
use crate::policy::{LockSettings, Observed};
use devidence_core::{ProbeRun, UserContext};

/// The user's channel file, relative to the home.
pub const USER_CHANNEL: &str = ".config/xfce4/xfconf/xfce-perchannel-xml/xfce4-screensaver.xml";
/// The system-wide channel file (defaults an administrator ships).
pub const SYSTEM_CHANNEL: &str = "/etc/xdg/xfce4/xfconf/xfce-perchannel-xml/xfce4-screensaver.xml";
/// xfce4-screensaver's autostart entry.
pub const SCREENSAVER_AUTOSTART: &str = "/etc/xdg/autostart/xfce4-screensaver.desktop";
/// light-locker's autostart entry.
pub const LIGHT_LOCKER_AUTOSTART: &str = "/etc/xdg/autostart/light-locker.desktop";

/// Reads one XFCE user's lock settings.
pub fn read_xfce(
    run: &mut ProbeRun<'_>,
    ctx: &UserContext,
    prefix: &str,
) -> Result<LockSettings, String> {
    let user_path = format!("{}/{USER_CHANNEL}", ctx.home.trim_end_matches('/'));
    let user_obs = run.read_user_file(ctx, &user_path);
    let user_text = user_obs
        .text_if_present()
        .map(|t| t.map(str::to_string))
        .map_err(|why| format!("{}'s {user_path} could not be read: {why}", ctx.name))?;
    let system_text = run
        .read_file(SYSTEM_CHANNEL)
        .text_if_present()?
        .map(str::to_string);
    let autostart = run
        .read_file(SCREENSAVER_AUTOSTART)
        .text_if_present()?
        .map(str::to_string);
    let screensaver_starts = autostart.as_deref().is_some_and(|e| !autostart_hidden(e));
    if !screensaver_starts && user_text.is_none() {
        let light_locker = run
            .read_file(LIGHT_LOCKER_AUTOSTART)
            .text_if_present()?
            .map(str::to_string);
        return Err(match light_locker {
            Some(entry) if !autostart_hidden(&entry) => format!(
                "{}'s XFCE session locks with light-locker, whose idle time comes from the X server's screensaver \
                 settings, which this version does not read; upload a screenshot of the screensaver and light-locker \
                 settings as manual evidence",
                ctx.name
            ),
            _ => format!(
                "{}'s XFCE session starts no screen locker this version knows (no enabled autostart entry for \
                 xfce4-screensaver or light-locker in /etc/xdg/autostart), so nothing locks the screen that can be read",
                ctx.name
            ),
        });
    }
    let parse = |text: &Option<String>, what: &str| -> Result<Option<Channel>, String> {
        text.as_deref()
            .map(|t| xfconf::parse_channel(t).map_err(|e| format!("{what}: {e}")))
            .transpose()
    };
    let user = parse(&user_text, &user_path)?;
    let system = parse(&system_text, SYSTEM_CHANNEL)?;
    let s = xfconf::screensaver_settings(user.as_ref(), system.as_ref())?;
    run.fact(format!("{prefix}.locker"), "xfce4-screensaver");
    let describe = |path: &str, value: &dyn std::fmt::Display, source: &str| {
        format!("xfce4-screensaver {path} = {value} ({source})")
    };
    let facts = [
        (
            "saver_enabled",
            describe(
                "/saver/enabled",
                &s.saver_enabled.value,
                s.saver_enabled.source,
            ),
        ),
        (
            "idle_activation",
            describe(
                "/saver/idle-activation/enabled",
                &s.idle_activation.value,
                s.idle_activation.source,
            ),
        ),
        (
            "idle_delay_min",
            describe(
                "/saver/idle-activation/delay",
                &s.idle_delay_minutes.value,
                s.idle_delay_minutes.source,
            ),
        ),
        (
            "lock_enabled",
            describe(
                "/lock/enabled",
                &s.lock_enabled.value,
                s.lock_enabled.source,
            ),
        ),
        (
            "lock_with_saver",
            describe(
                "/lock/saver-activation/enabled",
                &s.lock_with_saver.value,
                s.lock_with_saver.source,
            ),
        ),
        (
            "lock_delay_min",
            describe(
                "/lock/saver-activation/delay",
                &s.lock_delay_minutes.value,
                s.lock_delay_minutes.source,
            ),
        ),
        (
            "lock_on_sleep",
            describe(
                "/lock/sleep-activation",
                &s.lock_on_sleep.value,
                s.lock_on_sleep.source,
            ),
        ),
    ];
    for (key, value) in facts {
        run.fact(format!("{prefix}.{key}"), value);
    }
    let auto_lock = s.saver_enabled.value
        && s.idle_activation.value
        && s.lock_enabled.value
        && s.lock_with_saver.value;
    let off: Vec<&str> = [
        (!s.saver_enabled.value).then_some("/saver/enabled = false"),
        (!s.idle_activation.value).then_some("/saver/idle-activation/enabled = false"),
        (!s.lock_enabled.value).then_some("/lock/enabled = false"),
        (!s.lock_with_saver.value).then_some("/lock/saver-activation/enabled = false"),
    ]
    .into_iter()
    .flatten()
    .collect();
    let idle = s.idle_delay_minutes.value.saturating_mul(60);
    Ok(LockSettings {
        auto_lock: Observed::new(
            auto_lock,
            if off.is_empty() {
                "xfce4-screensaver locks with the screensaver".to_string()
            } else {
                format!("xfce4-screensaver {}", off.join(", "))
            },
        ),
        idle_seconds: Observed::new(
            (idle > 0).then_some(idle),
            format!(
                "xfce4-screensaver /saver/idle-activation/delay = {} min",
                s.idle_delay_minutes.value
            ),
        ),
        grace_seconds: Observed::new(
            Some(s.lock_delay_minutes.value.saturating_mul(60)),
            format!(
                "xfce4-screensaver /lock/saver-activation/delay = {} min",
                s.lock_delay_minutes.value
            ),
        ),
        password_required: Observed::new(
            true,
            "xfce4-screensaver always asks for the password to unlock".to_string(),
        ),
        suspend_lock_seconds: None,
    })
}
