//! swayidle, the idle daemon of Sway and river (and some Hyprland setups): its events, from its
//! own config file or from the command lines that start it (`exec swayidle …` in the Sway
//! config, `riverctl spawn "swayidle …"` in river's init, `exec-once = swayidle …` in
//! Hyprland's), and which commands are screen lockers.
//!
//! The formats are those of `swaywm/swayidle` (`swayidle.1.scd` @f13cefac: `timeout <timeout>
//! <timeout command> [resume <resume command>]`, `before-sleep <command>`, `lock <command>`,
//! `idlehint <timeout>`; `main.c`: the config file is one event per line, split shell-style,
//! blank and `#` lines skipped, and it is loaded *in addition to* the command line's events,
//! from `-C <path>` or the first of `$XDG_CONFIG_HOME/swayidle/config`, `$HOME/.swayidle/config`,
//! `/etc/swayidle/config`).

/// Screen lockers recognised by the name of the program a command runs. Each one asks for the
/// password as soon as it is up (swaylock-effects' `--grace` and hyprlock's `general:grace`
/// aside).
pub const LOCKERS: &[&str] = &["swaylock", "hyprlock", "gtklock", "waylock"];

/// Where swayidle looks for its config file when not given `-C`, relative to the home (the
/// last one is the system file).
pub const CONFIG_FILES: &[&str] = &[".config/swayidle/config", ".swayidle/config"];
/// swayidle's system-wide config file (`SYSCONFDIR/swayidle/config`).
pub const SYSTEM_CONFIG: &str = "/etc/swayidle/config";

/// One `timeout` event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timeout {
    /// Seconds of inactivity before the command runs.
    pub seconds: u64,
    /// The command run at the timeout.
    pub command: String,
}

/// The events of one swayidle (from its command line, its config file, or both).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Events {
    /// `timeout` events, in order.
    pub timeouts: Vec<Timeout>,
    /// `before-sleep` commands.
    pub before_sleep: Vec<String>,
    /// `lock` commands: what runs when logind asks the session to lock
    /// (`loginctl lock-session`).
    pub lock: Vec<String>,
}

impl Events {
    /// True when no event is defined.
    pub fn is_empty(&self) -> bool {
        self.timeouts.is_empty() && self.before_sleep.is_empty() && self.lock.is_empty()
    }

    /// Adds `other`'s events to these.
    pub fn extend(&mut self, other: Events) {
        self.timeouts.extend(other.timeouts);
        self.before_sleep.extend(other.before_sleep);
        self.lock.extend(other.lock);
    }
}

/// One `swayidle` command line found in a config or script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invocation {
    /// The `-C <path>` it was given, if any.
    pub config_path: Option<String>,
    /// The events on its command line.
    pub events: Events,
}

/// The dialect of the file a swayidle command line is looked for in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// The Sway (i3-style) config: `exec` / `exec_always` lines, `set $var value`,
    /// `include <path>`.
    Sway,
    /// Hyprland's `hyprland.conf`: `exec-once = …` / `exec = …`, `$var = value`, `source = …`.
    Hyprland,
    /// A shell script (river's `init`): command lines and `riverctl spawn "…"`, but not
    /// key bindings (`riverctl map … spawn …`).
    Shell,
}

/// What a config file or script starts, as far as the idle lock goes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scan {
    /// The swayidle command lines it starts (or why one could not be read).
    pub invocations: Vec<Result<Invocation, String>>,
    /// The files it includes (`include` / `source`), as written after variable expansion.
    pub includes: Vec<String>,
    /// True when it starts hypridle (an `exec` of `hypridle`).
    pub starts_hypridle: bool,
}

/// Splits a command line the way a POSIX shell splits words (single quotes, double quotes,
/// backslash escapes); operators such as `&`, `;`, `|`, `&&` come out as words of their own
/// when separated by blanks. An unterminated quote is an error.
pub fn split_words(text: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(x) => word.push(x),
                        None => return Err(format!("unterminated ' quote in `{text}`")),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(x @ ('"' | '\\' | '$' | '`')) => word.push(x),
                            Some(x) => {
                                word.push('\\');
                                word.push(x);
                            }
                            None => return Err(format!("unterminated \" quote in `{text}`")),
                        },
                        Some(x) => word.push(x),
                        None => return Err(format!("unterminated \" quote in `{text}`")),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(x) = chars.next() {
                    word.push(x);
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

/// swayidle's config-file keywords, in the order its `load_config` tries them.
const CONFIG_KEYWORDS: &[&str] = &[
    "timeout",
    "before-sleep",
    "after-resume",
    "lock",
    "unlock",
    "idlehint",
];

/// Parses swayidle's config file as its `load_config` does (swaywm/swayidle `main.c`): a line
/// that is empty or starts with `#` in its first column is skipped; otherwise the first word
/// picks the event (any prefix of a keyword: swayidle compares only that many characters, so
/// an indented line, whose first word is empty, is a `timeout`), one event is read from the
/// line's words and anything after it is ignored. A line swayidle refuses (an unknown keyword,
/// too few words) is an error: swayidle exits on it.
pub fn parse_config(text: &str) -> Result<Events, String> {
    let mut events = Events::default();
    for (n, line) in text.lines().enumerate() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let at = |e: String| format!("line {}: {e}", n + 1);
        let first = line.split(' ').next().unwrap_or_default();
        let keyword = CONFIG_KEYWORDS
            .iter()
            .find(|k| k.starts_with(first))
            .ok_or_else(|| at(format!("`{first}` is not a swayidle event")))?;
        let mut words = split_words(line).map_err(at)?;
        if first.is_empty() {
            // An indented line: swayidle reads all of its words as the arguments after the
            // keyword it assumed.
            words.insert(0, (*keyword).to_string());
        } else if let Some(w) = words.first_mut() {
            *w = (*keyword).to_string();
        }
        parse_event(&words, &mut events).map_err(at)?;
    }
    Ok(events)
}

/// The swayidle a systemd unit file starts: its last `ExecStart=` (lines ending in `\` joined,
/// as systemd reads them; systemd's `-`, `@`, `:`, `+` and `!` prefixes dropped) when that
/// runs `swayidle`, parsed as [`parse_args`]. `None` when the unit starts no swayidle.
pub fn parse_unit_exec_start(text: &str) -> Option<Result<Invocation, String>> {
    let mut logical: Vec<String> = Vec::new();
    let mut continued = false;
    for line in text.lines() {
        let (body, more) = match line.strip_suffix('\\') {
            Some(body) => (body, true),
            None => (line, false),
        };
        match logical.last_mut() {
            Some(last) if continued => {
                last.push(' ');
                last.push_str(body.trim());
            }
            _ => logical.push(body.trim().to_string()),
        }
        continued = more;
    }
    let value = logical
        .iter()
        .filter_map(|line| line.strip_prefix("ExecStart="))
        .next_back()?
        .trim_start_matches(['-', '@', ':', '+', '!']);
    let words = match split_words(value) {
        Ok(words) => words,
        Err(why) => return Some(Err(why)),
    };
    let program = words.first()?;
    (program.rsplit('/').next() == Some("swayidle")).then(|| parse_args(&words[1..]))
}

/// Parses swayidle's arguments (the words after `swayidle`).
pub fn parse_args(args: &[String]) -> Result<Invocation, String> {
    let mut config_path = None;
    let mut events = Events::default();
    let mut rest = args;
    while let Some(first) = rest.first() {
        match first.as_str() {
            "-C" => {
                config_path = rest.get(1).cloned();
                rest = rest.get(2..).unwrap_or_default();
            }
            "-S" => rest = rest.get(2..).unwrap_or_default(),
            "-d" | "-w" | "-h" => rest = &rest[1..],
            opt if opt.starts_with("-C") && opt.len() > 2 => {
                config_path = Some(opt[2..].to_string());
                rest = &rest[1..];
            }
            // swayidle exits on an option it does not know (an unquoted `swaylock -f` after
            // `timeout 300` is read as swayidle's own `-f`).
            opt if opt.starts_with('-') => {
                return Err(format!(
                    "swayidle does not know the option `{opt}` and exits (a command with arguments must be quoted)"
                ));
            }
            _ => rest = parse_event(rest, &mut events)?,
        }
    }
    Ok(Invocation {
        config_path,
        events,
    })
}

/// Parses one event from the start of `words`, returning the words after it.
fn parse_event<'a>(words: &'a [String], events: &mut Events) -> Result<&'a [String], String> {
    let arg = |i: usize, what: &str| {
        words
            .get(i)
            .cloned()
            .ok_or_else(|| format!("`{}` without its {what}", words[0]))
    };
    match words[0].as_str() {
        "timeout" => {
            let raw = arg(1, "seconds")?;
            let seconds = raw
                .parse::<u64>()
                .map_err(|_| format!("`timeout {raw}`: the timeout is not a number of seconds"))?;
            let command = arg(2, "command")?;
            // swayidle registers no timer for `timeout 0`.
            if seconds > 0 {
                events.timeouts.push(Timeout { seconds, command });
            }
            if words.get(3).is_some_and(|w| w == "resume") {
                arg(4, "resume command")?;
                Ok(&words[5..])
            } else {
                Ok(&words[3..])
            }
        }
        "before-sleep" | "after-resume" | "lock" | "unlock" | "idlehint" => {
            let value = arg(1, "argument")?;
            match words[0].as_str() {
                "before-sleep" => events.before_sleep.push(value),
                "lock" => events.lock.push(value),
                _ => {}
            }
            Ok(&words[2..])
        }
        other => Err(format!("`{other}` is not a swayidle event")),
    }
}

/// Joins the lines of a config or script into logical lines: comment lines dropped, lines
/// ending in `\` continued.
fn logical_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for raw in text.lines() {
        let trimmed = raw.trim();
        if trimmed.starts_with('#') && current.is_empty() {
            continue;
        }
        if let Some(head) = trimmed.strip_suffix('\\') {
            current.push_str(head);
            current.push(' ');
            continue;
        }
        current.push_str(trimmed);
        if !current.trim().is_empty() {
            out.push(std::mem::take(&mut current));
        }
        current.clear();
    }
    if !current.trim().is_empty() {
        out.push(current);
    }
    out
}

/// Replaces `$name` variables (longest names first), as Sway and Hyprland do before they parse
/// a line.
pub(crate) fn expand(line: &str, vars: &[(String, String)]) -> String {
    if !line.contains('$') {
        return line.to_string();
    }
    let mut sorted: Vec<&(String, String)> = vars.iter().collect();
    sorted.sort_by_key(|(name, _)| std::cmp::Reverse(name.len()));
    let mut out = line.to_string();
    for (name, value) in sorted {
        out = out.replace(&format!("${name}"), value);
    }
    out
}

/// Defines variable `name` as `value`: a later definition replaces an earlier one, as Sway
/// and Hyprland read them.
pub(crate) fn define(vars: &mut Vec<(String, String)>, name: &str, value: String) {
    vars.retain(|(n, _)| n != name);
    vars.push((name.to_string(), value));
}

/// A variable definition: Sway's `set $name value`, Hyprland's `$name = value`.
fn definition(line: &str, dialect: Dialect) -> Option<(String, String)> {
    let trimmed = line.trim();
    match dialect {
        Dialect::Sway => {
            let rest = trimmed.strip_prefix("set")?;
            if !rest.starts_with(char::is_whitespace) {
                return None;
            }
            let (name, value) = rest.trim().split_once(char::is_whitespace)?;
            Some((
                name.strip_prefix('$')?.to_string(),
                value.trim().to_string(),
            ))
        }
        Dialect::Hyprland => {
            let (key, value) = trimmed.split_once('=')?;
            let name = key.trim().strip_prefix('$')?;
            Some((
                name.to_string(),
                strip_hypr_comment(value).trim().to_string(),
            ))
        }
        Dialect::Shell => None,
    }
}

/// Finds what a config or script starts: swayidle command lines, includes, hypridle.
/// `vars` carries Sway / Hyprland variables across included files.
pub fn scan(text: &str, dialect: Dialect, vars: &mut Vec<(String, String)>) -> Scan {
    let mut found = Scan::default();
    for line in logical_lines(text) {
        // A definition's name is never expanded (`set $lockwarn …` after `set $lock …`), only
        // its value.
        if let Some((name, value)) = definition(&line, dialect) {
            let value = expand(&value, vars);
            define(vars, &name, value);
            continue;
        }
        let line = match dialect {
            Dialect::Shell => line,
            _ => expand(&line, vars),
        };
        let trimmed = line.trim();
        let command = match dialect {
            Dialect::Sway => {
                let (head, rest) = trimmed
                    .split_once(char::is_whitespace)
                    .unwrap_or((trimmed, ""));
                match head {
                    "include" => {
                        found.includes.push(unquote(rest.trim()));
                        continue;
                    }
                    "exec" | "exec_always" => {
                        rest.trim().trim_start_matches("--no-startup-id").trim()
                    }
                    _ => continue,
                }
            }
            Dialect::Hyprland => {
                let Some((key, value)) = trimmed.split_once('=') else {
                    continue;
                };
                let value = strip_hypr_comment(value).trim().to_string();
                match key.trim() {
                    "source" => {
                        found.includes.push(value);
                        continue;
                    }
                    "exec-once" | "exec" => {
                        note_command(&value, dialect, &mut found);
                        continue;
                    }
                    _ => continue,
                }
            }
            Dialect::Shell => trimmed,
        };
        note_command(command, dialect, &mut found);
    }
    found
}

fn unquote(text: &str) -> String {
    split_words(text)
        .ok()
        .and_then(|w| w.into_iter().next())
        .unwrap_or_else(|| text.to_string())
}

/// Hyprlang comments start at `#`; `##` is a literal `#`.
pub fn strip_hypr_comment(value: &str) -> String {
    let mut out = String::new();
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '#' {
            if chars.peek() == Some(&'#') {
                chars.next();
                out.push('#');
                continue;
            }
            break;
        }
        out.push(c);
    }
    out
}

/// Records the swayidle command lines (and hypridle) a command starts.
fn note_command(command: &str, dialect: Dialect, found: &mut Scan) {
    if !command.contains("swayidle") && !command.contains("hypridle") {
        return;
    }
    let words = match split_words(command) {
        Ok(words) => words,
        Err(err) => {
            if command.contains("swayidle") {
                found.invocations.push(Err(err));
            }
            return;
        }
    };
    // river: `riverctl map normal $mod L spawn "swayidle …"` is a key binding, not a start.
    if dialect == Dialect::Shell
        && words.first().is_some_and(|w| basename(w) == "riverctl")
        && words.get(1).is_some_and(|w| w != "spawn")
    {
        return;
    }
    for (i, word) in words.iter().enumerate() {
        match basename(word) {
            "swayidle" => {
                let end = words[i + 1..]
                    .iter()
                    .position(|w| is_operator(w))
                    .map_or(words.len(), |p| i + 1 + p);
                found.invocations.push(parse_args(&words[i + 1..end]));
                return;
            }
            "hypridle" => found.starts_hypridle = true,
            _ if word.contains(char::is_whitespace)
                && (word.contains("swayidle") || word.contains("hypridle")) =>
            {
                note_command(word, Dialect::Sway, found);
                return;
            }
            _ => {}
        }
    }
}

fn is_operator(word: &str) -> bool {
    matches!(word, "&" | "&&" | ";" | "|" | "||")
}

fn basename(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// What a command run on inactivity does, as far as locking goes.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Starts a screen locker (by name), with the `--grace` seconds it was given, if any.
    Locker {
        /// The locker's program name.
        name: String,
        /// `--grace <seconds>` (swaylock-effects, hyprlock) on its command line.
        grace_seconds: Option<f64>,
    },
    /// Asks logind to lock the session (`loginctl lock-session`): locks only if the idle
    /// daemon's lock handler (swayidle `lock`, hypridle `general:lock_cmd`) runs a locker.
    LockSession,
    /// Runs a program whose name says "lock" but is not a locker this check knows (a user's
    /// `lock.sh`), so whether it locks cannot be told.
    MaybeLocker(String),
    /// Anything else (turning the screen off, suspending, dimming, a notification).
    Other,
}

/// Programs that run the next word as the command (`exec swaylock`, `setsid -f hyprlock`).
const WRAPPERS: &[&str] = &["exec", "nohup", "setsid", "env", "command", "chrt", "nice"];

/// Shells whose `-c '…'` argument is itself a command line.
const SHELLS: &[&str] = &["sh", "bash", "dash", "zsh", "fish"];

/// Classifies a command by the programs it runs: only words in command position count (the
/// first of each `a; b`, `a && b`, `a || b`, `a | b` part, after `VAR=value` assignments and
/// wrappers such as `exec` or `setsid`), and a shell's `-c '…'` is classified in turn. So
/// `pidof hyprlock || hyprlock` runs hyprlock while `notify-send "swaylock soon"` runs none.
pub fn classify(command: &str) -> Action {
    let words = split_words(command)
        .unwrap_or_else(|_| command.split_whitespace().map(str::to_string).collect());
    let mut maybe = None;
    for part in words.split(|w| is_operator(w)) {
        let mut rest = part;
        // Assignments and wrappers (with their own options) before the program.
        while let Some(first) = rest.first() {
            let name = basename(first);
            if first.contains('=') && !first.starts_with('-') || WRAPPERS.contains(&name) {
                rest = &rest[1..];
                while rest.first().is_some_and(|w| w.starts_with('-')) {
                    rest = &rest[1..];
                }
            } else {
                break;
            }
        }
        let Some((program, args)) = rest.split_first() else {
            continue;
        };
        let name = basename(program);
        if LOCKERS.contains(&name) {
            return Action::Locker {
                name: name.to_string(),
                grace_seconds: grace_option(name, args),
            };
        }
        if name == "loginctl" && args.first().is_some_and(|w| w == "lock-session") {
            return Action::LockSession;
        }
        if SHELLS.contains(&name)
            && let Some(i) = args.iter().position(|w| w == "-c")
            && let Some(inner) = args.get(i + 1)
        {
            match classify(inner) {
                Action::Other => {}
                found => return found,
            }
            continue;
        }
        let lower = name.to_ascii_lowercase();
        if maybe.is_none() && lower.contains("lock") && !lower.contains("block") {
            maybe = Some(program.clone());
        }
    }
    maybe.map_or(Action::Other, Action::MaybeLocker)
}

/// The grace period a locker's own arguments give: `--grace <s>` / `--grace=<s>`
/// (swaylock-effects, hyprlock) and hyprlock's `-g <s>`; the last one given wins.
fn grace_option(locker: &str, args: &[String]) -> Option<f64> {
    let mut grace = None;
    for (i, word) in args.iter().enumerate() {
        let value = if let Some(v) = word.strip_prefix("--grace=") {
            Some(v)
        } else if word == "--grace" || (locker == "hyprlock" && word == "-g") {
            args.get(i + 1).map(String::as_str)
        } else {
            None
        };
        if let Some(v) = value.and_then(|v| v.parse::<f64>().ok()) {
            grace = Some(v);
        }
    }
    grace
}

/// swaylock's config file (`~/.config/swaylock/config`: long options without `--`, one per
/// line): the `grace=<seconds>` of swaylock-effects, if set (the last one, as swaylock applies
/// the lines in order).
pub fn swaylock_config_grace(text: &str) -> Option<f64> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.strip_prefix("grace="))
        .filter_map(|v| v.trim().parse::<f64>().ok())
        .next_back()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn only_programs_in_command_position_count_as_lockers() {
        let locker = |c: &str| match classify(c) {
            Action::Locker {
                name,
                grace_seconds,
            } => Some((name, grace_seconds)),
            _ => None,
        };
        assert_eq!(
            locker("pidof hyprlock || hyprlock --grace 30"),
            Some(("hyprlock".into(), Some(30.0)))
        );
        assert_eq!(
            locker("hyprlock -g 5"),
            Some(("hyprlock".into(), Some(5.0)))
        );
        assert_eq!(
            locker("sh -c 'swaylock -f'"),
            Some(("swaylock".into(), None))
        );
        assert_eq!(
            locker("exec setsid -f /usr/bin/swaylock --grace=2"),
            Some(("swaylock".into(), Some(2.0)))
        );
        assert_eq!(classify("notify-send \"swaylock soon\""), Action::Other);
        assert_eq!(
            classify("pidof hyprlock && hyprctl dispatch dpms off"),
            Action::Other
        );
        assert_eq!(classify("loginctl lock-session"), Action::LockSession);
        assert_eq!(
            classify("~/bin/lock.sh"),
            Action::MaybeLocker("~/bin/lock.sh".into())
        );
    }

    #[test]
    fn a_redefined_variable_takes_its_last_value_and_names_are_never_expanded() {
        let sway = "set $idle 300\nset $idle 1800\nset $lock swaylock -f\nset $lockwarn notify-send x\nexec swayidle -w timeout $idle '$lock' timeout 60 '$lockwarn'\n";
        let scan = scan(sway, Dialect::Sway, &mut Vec::new());
        let inv = scan.invocations[0].as_ref().unwrap();
        assert_eq!(inv.events.timeouts[0].seconds, 1800);
        assert_eq!(inv.events.timeouts[0].command, "swaylock -f");
        assert_eq!(inv.events.timeouts[1].command, "notify-send x");
        let hypr = "$t = 300\n$t = 900\nexec-once = swayidle -w timeout $t 'swaylock'\n";
        let scan = super::scan(hypr, Dialect::Hyprland, &mut Vec::new());
        let inv = scan.invocations[0].as_ref().unwrap();
        assert_eq!(inv.events.timeouts[0].seconds, 900);
    }

    #[test]
    fn the_config_file_is_read_line_by_line_as_swayidle_reads_it() {
        // Words after the event are ignored: the timeout runs `swaylock`.
        let e = parse_config("timeout 300 swaylock -f -c 000000\n").unwrap();
        assert_eq!(e.timeouts[0].command, "swaylock");
        // An indented comment is read as a timeout with too few words: swayidle exits.
        assert!(parse_config("timeout 300 'swaylock -f'\n  # later\n").is_err());
        assert!(parse_config("sleep 300 'swaylock'\n").is_err());
        // `#` only in the first column.
        let e = parse_config("# comment\nbefore-sleep 'swaylock -f'\n").unwrap();
        assert_eq!(e.before_sleep, ["swaylock -f"]);
    }

    #[test]
    fn swayidle_arguments_it_would_refuse_or_ignore() {
        let words = |c: &str| split_words(c).unwrap();
        // Unquoted arguments of the command are swayidle's own options: it exits.
        assert!(parse_args(&words("-w timeout 300 swaylock -f")).is_err());
        // `timeout 0` registers no timer.
        let inv = parse_args(&words("timeout 0 'swaylock -f'")).unwrap();
        assert!(inv.events.timeouts.is_empty());
        // getopt's glued `-C<path>`.
        let inv = parse_args(&words("-w -C/etc/swayidle/mine")).unwrap();
        assert_eq!(inv.config_path.as_deref(), Some("/etc/swayidle/mine"));
        assert!(parse_args(&words("-d -w -S seat0 timeout 60 'swaylock'")).is_ok());
    }

    #[test]
    fn a_systemd_unit_starting_swayidle_is_read_with_its_continuation_lines() {
        let unit = "[Service]\nType=simple\nExecStart=/usr/bin/swayidle -w \\\n            timeout 300 'swaylock -f -c 000000' \\\n            before-sleep 'swaylock -f -c 000000'\n\n[Install]\nWantedBy=sway-session.target\n";
        let inv = parse_unit_exec_start(unit).unwrap().unwrap();
        assert_eq!(inv.events.timeouts.len(), 1);
        assert_eq!(inv.events.timeouts[0].seconds, 300);
        assert_eq!(inv.events.timeouts[0].command, "swaylock -f -c 000000");
        assert_eq!(inv.events.before_sleep, ["swaylock -f -c 000000"]);
        assert!(parse_unit_exec_start("[Service]\nExecStart=/usr/bin/waybar\n").is_none());
        assert!(parse_unit_exec_start("[Unit]\nDescription=x\n").is_none());
        let bare = parse_unit_exec_start("ExecStart=-swayidle -w\n")
            .unwrap()
            .unwrap();
        assert!(bare.events.timeouts.is_empty());
    }

    #[test]
    fn words_split_like_a_shell() {
        assert_eq!(
            split_words(r#"swayidle -w timeout 600 'swaymsg "output * power off"' resume x"#)
                .unwrap(),
            vec![
                "swayidle",
                "-w",
                "timeout",
                "600",
                "swaymsg \"output * power off\"",
                "resume",
                "x"
            ]
        );
        assert!(split_words("timeout 300 'swaylock").is_err());
    }

    #[test]
    fn river_spawn_is_read_and_key_bindings_are_not() {
        // The shape of the river line quoted in docs/research/issue-22-linux-desktop.md §1.
        let init = "riverctl spawn \"swayidle -w timeout 300 'swaylock -f' timeout 600 'systemctl suspend' before-sleep 'swaylock -f'\"\n\
                    riverctl map normal Super L spawn 'swayidle timeout 1 swaylock'\n";
        let found = scan(init, Dialect::Shell, &mut Vec::new());
        assert_eq!(found.invocations.len(), 1);
        let inv = found.invocations[0].as_ref().unwrap();
        assert_eq!(inv.events.timeouts[0].seconds, 300);
        assert_eq!(inv.events.timeouts[1].command, "systemctl suspend");
    }

    #[test]
    fn sway_variables_and_bindings() {
        let conf = "set $lock swaylock -f\nbindsym $mod+l exec swayidle timeout 1 '$lock'\nexec swayidle -w timeout 300 '$lock'\ninclude ~/.config/sway/config.d/*\n";
        let found = scan(conf, Dialect::Sway, &mut Vec::new());
        assert_eq!(found.invocations.len(), 1);
        let inv = found.invocations[0].as_ref().unwrap();
        assert_eq!(inv.events.timeouts[0].command, "swaylock -f");
        assert_eq!(found.includes, vec!["~/.config/sway/config.d/*"]);
    }

    #[test]
    fn commands_are_classified() {
        assert!(matches!(
            classify("swaylock -f --grace 10"),
            Action::Locker { grace_seconds: Some(g), .. } if g == 10.0
        ));
        assert!(matches!(
            classify("pidof hyprlock || hyprlock"),
            Action::Locker { .. }
        ));
        assert_eq!(classify("loginctl lock-session"), Action::LockSession);
        assert_eq!(classify("swaymsg \"output * power off\""), Action::Other);
        assert_eq!(
            classify("~/.config/swaylock/lock.sh 50"),
            Action::MaybeLocker("~/.config/swaylock/lock.sh".into())
        );
        assert!(matches!(
            classify("sh -c 'chayang && swaylock -f'"),
            Action::Locker { .. }
        ));
    }

    #[test]
    fn unknown_events_are_errors() {
        assert!(parse_config("timeout abc 'swaylock'\n").is_err());
        assert!(parse_config("frobnicate 3\n").is_err());
        let e = parse_config("# comment\n\ntimeout 300 'swaylock -f -c 000000'\nbefore-sleep 'swaylock -f -c 000000'\n").unwrap();
        assert_eq!(e.timeouts.len(), 1);
        assert_eq!(e.before_sleep.len(), 1);
    }
}
