//! Linux: the answers without anyone to check, each person's result, and what to do per
//! desktop.

use super::{Evaluation, UserOutcome, UserResult, conclude_users};
use crate::linux::Facts;
use crate::parse::linux::desktop::Desktop;
use devidence_core::{Conclusion, Policy, Verdict};

/// The reason given when nobody is logged in to a desktop.
pub const NO_SESSION: &str = "no graphical login session on this machine: the screen lock is a per-user \
desktop setting, so run the check while someone is logged in to the desktop";

/// What to do when the lock could not be read at all: every non-passing finding says what to do.
const SESSION_HINT: &str = "Run the check while the employee is logged in to the desktop (the screen lock is a \
     per-user setting), with devidence running as root or as that user; until then, upload a screenshot of \
     the desktop's screen-lock settings as manual evidence.";

/// The machine's conclusion: nobody to check is unknown; otherwise every graphical person's
/// result combined, with what to do for each desktop that is not passing.
pub fn conclude_linux(facts: &Facts, policy: &Policy) -> Conclusion {
    match facts {
        Facts::SessionsUnlisted(err) => unreadable(format!(
            "the graphical login sessions could not be listed ({err}); the screen lock is a per-user \
             desktop setting, so this check needs systemd-logind and someone logged in to the desktop"
        )),
        Facts::NoSession => unreadable(NO_SESSION),
        Facts::Users(users) => {
            let outcomes: Vec<UserOutcome> = users.iter().map(|u| u.outcome.clone()).collect();
            let mut conclusion = conclude_users(&outcomes, policy);
            let to_fix: Vec<&Desktop> = users
                .iter()
                .filter(|u| !matches!(u.outcome.result, UserResult::Pass { .. }))
                .map(|u| &u.desktop)
                .collect();
            conclusion.remediation = (!to_fix.is_empty()).then(|| remediation(&to_fix, policy));
            conclusion
        }
    }
}

/// One person's result from what [`super::conclude_settings`] made of their settings: when they
/// do not comply but something that could still make them comply could not be read
/// (`unverified`, a clause such as "the idle-suspend settings that could still lock in time
/// could not be read: …"), it is unknown rather than a failure.
pub fn conclude_linux_user(
    user: &str,
    evaluation: Evaluation,
    unverified: Option<&str>,
) -> UserResult {
    if evaluation.compliant {
        UserResult::Pass {
            effective_seconds: evaluation.effective_lock_seconds.unwrap_or_default(),
        }
    } else if let Some(clause) = unverified {
        UserResult::Unknown {
            reason: format!(
                "the screen-lock settings of {user} alone do not comply ({}), and {clause}",
                evaluation.problems.join("; ")
            ),
        }
    } else {
        UserResult::Fail {
            problems: evaluation.problems,
        }
    }
}

/// Unknown for `reason`, saying so in the summary and how to get the check to run.
fn unreadable(reason: impl Into<String>) -> Conclusion {
    let reason = reason.into();
    let mut summary = format!("Screen lock could not be checked: {reason}");
    if !summary.ends_with('.') {
        summary.push('.');
    }
    Conclusion::new(
        Verdict::unknown(reason),
        summary,
        Some(SESSION_HINT.to_string()),
    )
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
            Desktop::Sway => format!(
                "Sway: start swayidle with a locking timeout of {idle} seconds or less: add the line `exec swayidle -w \
                 timeout {idle} 'swaylock -f' before-sleep 'swaylock -f'` to ~/.config/sway/config (or put `timeout {idle} \
                 'swaylock -f'` and `before-sleep 'swaylock -f'` in ~/.config/swayidle/config), then reload Sway; keep \
                 swaylock's grace period (swaylock-effects `--grace`) at {grace} seconds or less."
            ),
            Desktop::Hyprland => format!(
                "Hyprland: in ~/.config/hypr/hypridle.conf set `general {{ lock_cmd = pidof hyprlock || hyprlock }}` and add \
                 `listener {{ timeout = {idle}` / `on-timeout = loginctl lock-session }}`, and start hypridle (`exec-once = \
                 hypridle` in ~/.config/hypr/hyprland.conf); keep hyprlock's `general:grace` \
                 (~/.config/hypr/hyprlock.conf) at {grace} seconds or less."
            ),
            Desktop::River => format!(
                "river: start swayidle from ~/.config/river/init with the line `riverctl spawn \"swayidle -w timeout {idle} \
                 'swaylock -f' before-sleep 'swaylock -f'\"` (or put `timeout {idle} 'swaylock -f'` in \
                 ~/.config/swayidle/config and start `swayidle -w` there); keep swaylock's grace period at {grace} seconds \
                 or less."
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
