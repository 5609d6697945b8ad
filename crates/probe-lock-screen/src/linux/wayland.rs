//! Tiling Wayland compositors: Sway, Hyprland and river have no lock setting of their own; the
//! screen locks when an idle daemon runs a screen locker after a timeout. Every file is read
//! with the session user's rights ([`ProbeRun::read_user_file`]; system files under `/etc`
//! directly).
//!
//! 1. Where the idle daemon is started: Sway's config (the first of `~/.sway/config`,
//!    `~/.config/sway/config`, `~/.i3/config`, `~/.config/i3/config`, `/etc/sway/config`,
//!    `/etc/i3/config`, as sway's `get_config_path` looks) and its `include`s, `exec swayidle …`
//!    lines; river's `~/.config/river/init` (`swayidle …`, `riverctl spawn "swayidle …"`);
//!    Hyprland's `~/.config/hypr/hyprland.conf` and its `source`s (`exec-once = swayidle …`).
//! 2. swayidle's events: its command line plus its config file (`-C <path>`, else
//!    `~/.config/swayidle/config`, `~/.swayidle/config`, `/etc/swayidle/config`); hypridle's
//!    `~/.config/hypr/hypridle.conf` (`listener` blocks, `general:lock_cmd`).
//! 3. A timeout locks when its command runs a locker (swaylock, hyprlock, gtklock, waylock), or
//!    runs `loginctl lock-session` and the daemon's lock handler (swayidle `lock`, hypridle
//!    `general:lock_cmd`) runs one. The quickest locking timeout is the idle time; the locker
//!    asks for the password at once, unless swaylock-effects' `--grace` / `grace=` or hyprlock's
//!    `general:grace` (`~/.config/hypr/hyprlock.conf`) sets a grace period.
//!
//! A missing or unreadable file is unknown, never a failure; a readable setup that starts no
//! locking timeout fails, naming the file. river's init can be any program, so an init that
//! starts no swayidle this check can see is unknown rather than a failure.

use super::user_units::{enabled_swayidle_unit, enabled_user_unit};
use crate::parse::linux::desktop::Desktop;
use crate::parse::linux::hyprlang::{self, Hypridle};
use crate::parse::linux::swayidle::{self, Action, Dialect};
use crate::policy::{LockSettings, Observed};
use devidence_core::{ProbeRun, UserContext};

/// At most this many files (a config and its includes) are read per person.
const MAX_FILES: usize = 32;

/// Sway's config search order, relative to the home, then the system files.
const SWAY_CONFIGS: &[&str] = &[
    ".sway/config",
    ".config/sway/config",
    ".i3/config",
    ".config/i3/config",
];
const SWAY_SYSTEM_CONFIGS: &[&str] = &["/etc/sway/config", "/etc/i3/config"];
/// river's init, relative to the home.
pub const RIVER_INIT: &str = ".config/river/init";
/// Hyprland's config, relative to the home.
pub const HYPRLAND_CONF: &str = ".config/hypr/hyprland.conf";
/// hypridle's config, relative to the home.
pub const HYPRIDLE_CONF: &str = ".config/hypr/hypridle.conf";
/// hyprlock's config, relative to the home.
pub const HYPRLOCK_CONF: &str = ".config/hypr/hyprlock.conf";
/// swaylock's config, relative to the home.
pub const SWAYLOCK_CONF: &str = ".config/swaylock/config";

/// What was found for one person.
#[derive(Default)]
struct Found {
    /// Files read (paths).
    read: Vec<String>,
    /// Files that exist but could not be read, or command lines that could not be parsed.
    unread: Vec<String>,
    /// swayidle command lines: the file they are in, and the parsed line.
    swayidles: Vec<(String, Result<swayidle::Invocation, String>)>,
    /// A file starts hypridle (`exec-once = hypridle`).
    starts_hypridle: bool,
}

/// One inactivity timeout, with what it runs and the lock handlers of its daemon.
struct Timed {
    seconds: u64,
    command: String,
    /// `swayidle (~/.config/sway/config)`, `hypridle listener (~/.config/hypr/hypridle.conf)`.
    origin: String,
    /// The daemon's lock handlers, run on `loginctl lock-session`.
    handlers: Vec<String>,
    /// How the handler is named in sentences (`swayidle \`lock\``, `hypridle general:lock_cmd`).
    handler_name: &'static str,
}

/// The Wayland compositors' result: the settings, and when something that could still make
/// them comply could not be read (an include, an unrecognised lock script), why a failure
/// would be unknown instead.
pub type WaylandRead = (LockSettings, Option<String>);

/// Reads one person's idle-lock setup on Sway, Hyprland or river, recording facts under
/// `prefix`.
pub fn read_wayland(
    run: &mut ProbeRun<'_>,
    ctx: &UserContext,
    desktop: &Desktop,
    prefix: &str,
) -> Result<WaylandRead, String> {
    let home = ctx.home.trim_end_matches('/').to_string();
    let mut found = Found::default();
    let mut vars = Vec::new();
    let mut hypridle: Option<(String, Hypridle)> = None;
    // The file whose lines start the idle daemon, named in a failure.
    let start_file = match desktop {
        Desktop::Sway => {
            let mut paths: Vec<String> =
                SWAY_CONFIGS.iter().map(|p| format!("{home}/{p}")).collect();
            paths.extend(SWAY_SYSTEM_CONFIGS.iter().map(|p| p.to_string()));
            let Some((path, text)) = first_present(run, ctx, &paths)? else {
                return Err(format!(
                    "{}'s Sway config could not be found (none of ~/.sway/config, ~/.config/sway/config, \
                     ~/.i3/config, ~/.config/i3/config, /etc/sway/config, /etc/i3/config exists)",
                    ctx.name
                ));
            };
            scan_tree(
                run,
                ctx,
                &path,
                &text,
                Dialect::Sway,
                &mut vars,
                &mut found,
                0,
            );
            path
        }
        Desktop::River => {
            let path = format!("{home}/{RIVER_INIT}");
            match read_text(run, ctx, &path) {
                Ok(Some(text)) => scan_tree(
                    run,
                    ctx,
                    &path,
                    &text,
                    Dialect::Shell,
                    &mut vars,
                    &mut found,
                    0,
                ),
                Ok(None) => {}
                Err(why) => {
                    return Err(format!(
                        "{}'s river init {path} could not be read: {why}",
                        ctx.name
                    ));
                }
            }
            path
        }
        _ => {
            let conf = format!("{home}/{HYPRLAND_CONF}");
            match read_text(run, ctx, &conf) {
                Ok(Some(text)) => scan_tree(
                    run,
                    ctx,
                    &conf,
                    &text,
                    Dialect::Hyprland,
                    &mut vars,
                    &mut found,
                    0,
                ),
                Ok(None) => {}
                Err(why) => found.unread.push(format!("{conf} ({why})")),
            }
            let idle_path = format!("{home}/{HYPRIDLE_CONF}");
            match read_text(run, ctx, &idle_path) {
                Ok(Some(text)) => {
                    found.read.push(idle_path.clone());
                    hypridle = Some((
                        idle_path.clone(),
                        hyprlang::hypridle(&hyprlang::parse(&text)),
                    ));
                }
                Ok(None) => {}
                Err(why) => found.unread.push(format!("{idle_path} ({why})")),
            }
            conf
        }
    };
    let start_read = found.read.contains(&start_file);

    // swayidle's events: each command line's own plus its config file's (swayidle exits when
    // that file has errors).
    let mut timed: Vec<Timed> = Vec::new();
    let mut before_sleep: Vec<String> = Vec::new();
    let mut daemons: Vec<String> = Vec::new();
    let default_paths: Vec<String> = swayidle::CONFIG_FILES
        .iter()
        .map(|p| format!("{home}/{p}"))
        .chain([swayidle::SYSTEM_CONFIG.to_string()])
        .collect();
    let mut default_config: Option<Result<Option<(String, String)>, String>> = None;
    let mut swayidles = std::mem::take(&mut found.swayidles);
    if swayidles.is_empty() && hypridle.is_none() {
        // Nothing seen starting an idle daemon: swayidle's own file, if any, is what a
        // swayidle started elsewhere (a systemd user unit) would run.
        // A swayidle started elsewhere counts only when that start is seen: an enabled systemd
        // user unit, whose command line is read like a config's. swayidle's own config file
        // alone may belong to a swayidle nobody starts.
        let probe = first_present(run, ctx, &default_paths);
        match enabled_swayidle_unit(run, ctx, &home) {
            Some(Ok((unit, invocation))) => swayidles.push((unit, invocation)),
            Some(Err(why)) => {
                return Err(format!(
                    "{}'s swayidle runs only from a systemd user unit, and {why}",
                    ctx.name
                ));
            }
            None => {
                if let Ok(Some((path, _))) = &probe {
                    return Err(format!(
                        "{}'s swayidle config {path} sets idle actions, but nothing this check can see starts \
                         swayidle (no swayidle in {start_file}, no enabled systemd user unit \
                         swayidle.service), so whether it runs cannot be told",
                        ctx.name
                    ));
                }
            }
        }
        default_config = Some(probe);
    }
    for (origin, invocation) in swayidles {
        let invocation = match invocation {
            Ok(inv) => inv,
            Err(why) => {
                found
                    .unread
                    .push(format!("a swayidle command line in {origin} ({why})"));
                continue;
            }
        };
        let mut events = invocation.events.clone();
        let config = match &invocation.config_path {
            Some(p) => {
                let path = expand_path(p, &home, &home);
                read_text(run, ctx, &path).map(|t| t.map(|t| (path, t)))
            }
            None => default_config
                .get_or_insert_with(|| first_present(run, ctx, &default_paths))
                .clone(),
        };
        let mut label = format!("swayidle ({origin})");
        match config {
            Ok(Some((path, text))) => match swayidle::parse_config(&text) {
                Ok(file_events) => {
                    if !found.read.contains(&path) {
                        found.read.push(path.clone());
                    }
                    if !file_events.is_empty() {
                        label = format!("swayidle ({origin}, with {path})");
                    }
                    events.extend(file_events);
                }
                Err(why) => {
                    daemons.push(format!(
                        "swayidle ({origin}) exits at start: its config file {path} has errors ({why})"
                    ));
                    continue;
                }
            },
            Ok(None) => {}
            Err(why) => found.unread.push(format!("swayidle's config file ({why})")),
        }
        daemons.push(label.clone());
        before_sleep.extend(events.before_sleep.iter().cloned());
        for t in &events.timeouts {
            timed.push(Timed {
                seconds: t.seconds,
                command: t.command.clone(),
                origin: label.clone(),
                handlers: events.lock.clone(),
                handler_name: "swayidle `lock`",
            });
        }
    }
    if let Some((path, idle)) = &hypridle {
        let label = format!("hypridle listener ({path})");
        if found.starts_hypridle || *desktop != Desktop::Hyprland {
            daemons.push(format!("hypridle ({path})"));
        } else {
            // Not started from hyprland.conf: it counts only when its systemd user unit is
            // enabled (`systemctl --user enable hypridle.service`, as hypridle's README says).
            let started = enabled_user_unit(run, ctx, &home, "hypridle.service");
            if let Some(Err(why)) = &started {
                return Err(format!(
                    "{}'s hypridle runs only from a systemd user unit, and {why}",
                    ctx.name
                ));
            }
            let Some(Ok((unit, _, _))) = started else {
                return Err(format!(
                    "{}'s {path} sets idle actions, but nothing this check can see starts hypridle \
                     (no exec-once in {start_file}, no enabled systemd user unit hypridle.service), \
                     so whether it runs cannot be told",
                    ctx.name
                ));
            };
            daemons.push(format!("hypridle ({path}, started by {unit})"));
        }
        before_sleep.extend(idle.before_sleep_cmd.iter().cloned());
        for l in &idle.listeners {
            if let (Some(seconds), Some(command)) = (l.timeout, &l.on_timeout) {
                timed.push(Timed {
                    seconds,
                    command: command.clone(),
                    origin: label.clone(),
                    handlers: idle.lock_cmd.iter().cloned().collect(),
                    handler_name: "hypridle general:lock_cmd",
                });
            }
        }
    }

    run.fact(
        format!("{prefix}.config_files_read"),
        list_or(&found.read, "none"),
    );
    if !found.unread.is_empty() {
        run.fact(
            format!("{prefix}.config_files_unread"),
            found.unread.join("; "),
        );
    }
    run.fact(
        format!("{prefix}.idle_daemon"),
        list_or(&daemons, "none found"),
    );
    run.fact(
        format!("{prefix}.before_sleep"),
        list_or(&before_sleep, "none"),
    );

    if daemons.is_empty() {
        let unread = (!found.unread.is_empty())
            .then(|| format!("; could not read {}", found.unread.join("; ")));
        let unread = unread.unwrap_or_default();
        if !start_read {
            return Err(format!(
                "{}'s {} idle lock could not be read: {start_file} does not exist and no swayidle or hypridle \
                 config was found{unread}",
                ctx.name,
                desktop.label()
            ));
        }
        if *desktop == Desktop::River {
            return Err(format!(
                "{}'s river init {start_file} starts no swayidle this check can see, and no swayidle config \
                 exists; river's init can be any program, so what locks the screen (if anything) cannot be read{unread}",
                ctx.name
            ));
        }
        if !found.unread.is_empty() {
            return Err(format!(
                "{}'s {start_file} starts no idle daemon this check can see{unread}",
                ctx.name
            ));
        }
    }

    let mut lock_lines = Vec::new();
    let mut other_lines = Vec::new();
    let mut maybe = Vec::new();
    let mut best: Option<(u64, String, String, Option<f64>)> = None;
    for t in &timed {
        let line = format!("{} s: `{}` ({})", t.seconds, t.command, t.origin);
        let locker = match swayidle::classify(&t.command) {
            Action::Locker {
                name,
                grace_seconds,
            } => Some((name, grace_seconds, String::new())),
            Action::LockSession => {
                match t.handlers.iter().find_map(|h| match swayidle::classify(h) {
                    Action::Locker {
                        name,
                        grace_seconds,
                    } => Some((name, grace_seconds, h.clone())),
                    _ => None,
                }) {
                    Some((name, grace, handler)) => Some((
                        name,
                        grace,
                        format!(" through {} `{handler}`", t.handler_name),
                    )),
                    None => {
                        other_lines.push(format!(
                            "{line}: asks logind to lock, but {} {} starts no screen locker",
                            t.handler_name,
                            if t.handlers.is_empty() {
                                "is not set, so nothing".to_string()
                            } else {
                                format!("(`{}`)", t.handlers.join("`, `"))
                            }
                        ));
                        None
                    }
                }
            }
            Action::MaybeLocker(program) => {
                maybe.push(format!("{} s runs `{program}`", t.seconds));
                other_lines.push(format!("{line}: not a screen locker this check knows"));
                None
            }
            Action::Other => {
                other_lines.push(format!("{line}: not a screen locker"));
                None
            }
        };
        if let Some((name, grace, via)) = locker {
            lock_lines.push(format!("{line}: starts {name}{via}"));
            if best.as_ref().is_none_or(|b| t.seconds < b.0) {
                best = Some((t.seconds, name, format!("{}{via}", line), grace));
            }
        }
    }
    run.fact(
        format!("{prefix}.lock_timeouts"),
        list_or(&lock_lines, "none"),
    );
    run.fact(
        format!("{prefix}.other_timeouts"),
        list_or(&other_lines, "none"),
    );

    let files = if found.read.is_empty() {
        start_file.clone()
    } else {
        found.read.join(", ")
    };
    let (auto_lock, idle, grace) = match &best {
        None => {
            let source = format!(
                "no idle timeout in {files} starts a screen locker{}",
                if timed.is_empty() {
                    if daemons.is_empty() {
                        " (no swayidle or hypridle is started)".to_string()
                    } else {
                        " (no `timeout` / `listener` is set)".to_string()
                    }
                } else {
                    String::new()
                }
            );
            (
                Observed::new(false, source.clone()),
                Observed::new(None, source),
                Observed::new(None, "no screen locker runs on inactivity".to_string()),
            )
        }
        Some((seconds, name, line, cli_grace)) => {
            let grace = locker_grace(run, ctx, &home, name, *cli_grace)?;
            (
                Observed::new(true, format!("{name} runs after {seconds} s of inactivity")),
                Observed::new(Some(*seconds), line.clone()),
                Observed::new(Some(grace.0), grace.1),
            )
        }
    };
    run.fact(
        format!("{prefix}.lock_enabled"),
        auto_lock.value.to_string(),
    );
    run.fact(
        format!("{prefix}.lock_enabled_source"),
        auto_lock.source.clone(),
    );
    run.fact(
        format!("{prefix}.idle_delay_s"),
        idle.value
            .map_or_else(|| "never".to_string(), |s| s.to_string()),
    );
    run.fact(format!("{prefix}.idle_delay_source"), idle.source.clone());
    run.fact(
        format!("{prefix}.lock_delay_s"),
        grace
            .value
            .map_or_else(|| "never".to_string(), |s| s.to_string()),
    );
    run.fact(format!("{prefix}.lock_delay_source"), grace.source.clone());
    let password = "a screen locker asks for the password to unlock (swaylock, hyprlock, gtklock and waylock have no \
                    setting to unlock without one)";
    run.fact(
        format!("{prefix}.password_required"),
        format!("true ({password})"),
    );

    let mut caveats = Vec::new();
    if !maybe.is_empty() {
        caveats.push(format!(
            "an idle timeout runs a program this check cannot tell is a screen locker ({})",
            maybe.join("; ")
        ));
    }
    if !found.unread.is_empty() {
        caveats.push(format!("could not read {}", found.unread.join("; ")));
    }
    Ok((
        LockSettings {
            auto_lock,
            idle_seconds: idle,
            grace_seconds: grace,
            password_required: Observed::new(true, password),
            suspend_lock_seconds: None,
        },
        (!caveats.is_empty()).then(|| caveats.join("; and ")),
    ))
}

/// The seconds a locker can be dismissed without the password, and where that came from:
/// `--grace` on its command line, else its config file (swaylock-effects' `grace=`,
/// hyprlock's `general:grace`), else none.
fn locker_grace(
    run: &mut ProbeRun<'_>,
    ctx: &UserContext,
    home: &str,
    name: &str,
    cli: Option<f64>,
) -> Result<(u64, String), String> {
    if let Some(g) = cli {
        return Ok((g.max(0.0).ceil() as u64, format!("{name} --grace {g}")));
    }
    let (rel, what) = match name {
        "swaylock" => (SWAYLOCK_CONF, "grace="),
        "hyprlock" => (HYPRLOCK_CONF, "general:grace"),
        _ => {
            return Ok((
                0,
                format!(
                    "{name} asks for the password as soon as it locks (it has no grace period)"
                ),
            ));
        }
    };
    // swaylock reads the first of ~/.swaylock/config, ~/.config/swaylock/config and
    // /etc/swaylock/config; hyprlock its one file.
    let candidates: Vec<String> = if name == "swaylock" {
        vec![
            format!("{home}/.swaylock/config"),
            format!("{home}/{rel}"),
            "/etc/swaylock/config".to_string(),
        ]
    } else {
        vec![format!("{home}/{rel}")]
    };
    let found = first_present(run, ctx, &candidates)
        .map_err(|why| format!("{why} ({name}'s grace period)"))?;
    let (path, text) = match found {
        Some((path, text)) => (path, Some(text)),
        None => (format!("{home}/{rel}"), None),
    };
    let grace = match (&text, name) {
        (None, _) => None,
        (Some(t), "swaylock") => {
            swayidle::swaylock_config_grace(t).map(|g| g.max(0.0).ceil() as u64)
        }
        (Some(t), _) => hyprlang::hyprlock_grace(&hyprlang::parse(t))
            .map_err(|e| format!("{}'s {path}: {e}", ctx.name))?,
    };
    Ok(match grace {
        Some(g) => (
            g,
            format!(
                "{what}{} in {path}",
                if name == "swaylock" {
                    g.to_string()
                } else {
                    format!(" = {g}")
                }
            ),
        ),
        None => (
            0,
            format!(
                "{name} asks for the password as soon as it locks ({what} not set{})",
                if text.is_some() {
                    format!(" in {path}")
                } else {
                    format!("; no {path}")
                }
            ),
        ),
    })
}

/// `a; b` or `none`.
fn list_or(items: &[String], none: &str) -> String {
    if items.is_empty() {
        none.to_string()
    } else {
        items.join("; ")
    }
}

/// `~/x`, `$HOME/x`, `$XDG_CONFIG_HOME/x` and paths relative to `base` as absolute paths.
fn expand_path(path: &str, home: &str, base: &str) -> String {
    let p = path
        .replacen("$XDG_CONFIG_HOME", &format!("{home}/.config"), 1)
        .replacen("${HOME}", home, 1)
        .replacen("$HOME", home, 1);
    if let Some(rest) = p.strip_prefix("~/") {
        format!("{home}/{rest}")
    } else if p.starts_with('/') {
        p
    } else {
        format!("{}/{p}", base.trim_end_matches('/'))
    }
}

/// `*` wildcards in a file name.
fn glob_match(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == name;
    }
    let mut rest = name;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else {
                return false;
            };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part) && !name.starts_with('.');
        } else {
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
    }
    true
}

/// Scans a file and, recursively, what it includes (Sway `include`, Hyprland `source`).
#[allow(clippy::too_many_arguments)]
fn scan_tree(
    run: &mut ProbeRun<'_>,
    ctx: &UserContext,
    path: &str,
    text: &str,
    dialect: Dialect,
    vars: &mut Vec<(String, String)>,
    found: &mut Found,
    depth: usize,
) {
    found.read.push(path.to_string());
    let scan = swayidle::scan(text, dialect, vars);
    found.starts_hypridle |= scan.starts_hypridle;
    for inv in scan.invocations {
        found.swayidles.push((path.to_string(), inv));
    }
    if depth >= 4 {
        return;
    }
    let home = ctx.home.trim_end_matches('/');
    let dir = path.rsplit_once('/').map_or("/", |(d, _)| d).to_string();
    for include in scan.includes {
        let full = expand_path(&include, home, &dir);
        let (inc_dir, name) = full.rsplit_once('/').unwrap_or(("/", full.as_str()));
        let targets: Vec<String> = if name.contains('*') {
            let listing = match readable_place(ctx, &format!("{inc_dir}/")) {
                Ok(true) => run.list_user_dir(ctx, inc_dir),
                Ok(false) => run.list_dir(inc_dir),
                Err(why) => {
                    found.unread.push(format!("{inc_dir} ({why})"));
                    continue;
                }
            };
            match listing.text_if_present() {
                Ok(_) => {
                    let mut names: Vec<String> = listing
                        .lines()
                        .into_iter()
                        .filter(|n| glob_match(name, n))
                        .collect();
                    names.sort();
                    names
                        .into_iter()
                        .map(|n| format!("{inc_dir}/{n}"))
                        .collect()
                }
                Err(why) => {
                    found.unread.push(format!("{inc_dir} ({why})"));
                    Vec::new()
                }
            }
        } else {
            vec![full.clone()]
        };
        for target in targets {
            if found.read.len() >= MAX_FILES || found.read.contains(&target) {
                continue;
            }
            match read_text(run, ctx, &target) {
                Ok(Some(t)) => scan_tree(run, ctx, &target, &t, dialect, vars, found, depth + 1),
                Ok(None) => {}
                Err(why) => found.unread.push(format!("{target} ({why})")),
            }
        }
    }
}

/// The system folders a person's compositor, idle-daemon, locker or systemd user configs may
/// name outside their home (root-owned): only these are read with the agent's own rights.
pub const SYSTEM_CONFIG_DIRS: &[&str] = &[
    "/etc/sway/",
    "/etc/i3/",
    "/etc/swayidle/",
    "/etc/swaylock/",
    "/etc/xdg/",
    "/usr/share/sway/",
    "/usr/share/hypr/",
    "/usr/share/hyprland/",
    "/etc/systemd/user/",
    "/usr/lib/systemd/user/",
];

/// Where a path a person's config names may be read from: `Ok(true)` in their home (read with
/// their rights), `Ok(false)` in a [`SYSTEM_CONFIG_DIRS`] folder, `Err` anywhere else or with
/// a `.`/`..` component: a config's `include`, `source` or `-C` must not make the agent (root)
/// read `/etc/shadow` or another person's files into the evidence.
fn readable_place(ctx: &UserContext, path: &str) -> Result<bool, String> {
    if path.split('/').any(|part| part == ".." || part == ".") {
        return Err("the path has a `.` or `..` component, so it is not read".into());
    }
    let home = format!("{}/", ctx.home.trim_end_matches('/'));
    if path.starts_with(&home) {
        return Ok(true);
    }
    if SYSTEM_CONFIG_DIRS.iter().any(|dir| path.starts_with(dir)) {
        return Ok(false);
    }
    Err(format!(
        "it is outside {}'s home and the system's sway, Hyprland and systemd folders, so it is not read \
         (a person's config cannot make devidence read other files)",
        ctx.name
    ))
}

/// Reads a path a person's config names: with the person's rights in their home, directly in
/// a system config folder, never elsewhere ([`readable_place`]).
pub(super) fn read_text(
    run: &mut ProbeRun<'_>,
    ctx: &UserContext,
    path: &str,
) -> Result<Option<String>, String> {
    let obs = if readable_place(ctx, path)? {
        run.read_user_file(ctx, path)
    } else {
        run.read_file(path)
    };
    obs.text_if_present().map(|t| t.map(str::to_string))
}

/// The first of `paths` that exists, with its text; a refused or failed read is an error.
fn first_present(
    run: &mut ProbeRun<'_>,
    ctx: &UserContext,
    paths: &[String],
) -> Result<Option<(String, String)>, String> {
    for path in paths {
        match read_text(run, ctx, path) {
            Ok(Some(text)) => return Ok(Some((path.clone(), text))),
            Ok(None) => {}
            Err(why) => return Err(format!("{}'s {path} could not be read: {why}", ctx.name)),
        }
    }
    Ok(None)
}
