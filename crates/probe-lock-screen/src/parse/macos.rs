//! macOS outputs: `sysadminctl -screenLock status`, `pmset -g custom`, the managed
//! `com.apple.screensaver` preferences (`defaults read`), and the user's `idleTime`.

use devidence_core::macos::{parse_plist, plist_bool, plist_int};

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

/// Parses `defaults -currentHost read com.apple.screensaver idleTime`: seconds (0 = never).
pub fn parse_idle_time(text: &str) -> Result<u64, String> {
    text.trim()
        .parse::<u64>()
        .map_err(|_| format!("idleTime is `{}`, not a number", text.trim()))
}
