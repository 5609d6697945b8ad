//! Hyprland's config language (hyprlang) as far as hypridle and hyprlock need it:
//! `category { key = value }` blocks (nested), `category:key = value` at the top level,
//! `$var = value` variables, `#` comments (`##` is a literal `#`), `source = path`.
//!
//! hypridle (`hyprwm/hypridle` `src/config/ConfigManager.cpp`): `listener` blocks, any number,
//! each `timeout` (seconds; `-1` when unset) and `on-timeout`; `general:lock_cmd` is what runs
//! when logind asks the session to lock (`loginctl lock-session`). hyprlock
//! (`hyprwm/hyprlock` `src/config/ConfigManager.cpp`): `general:grace`, seconds, default 0.

use super::swayidle::{define, expand, strip_hypr_comment};

/// One `name { … }` block, or the top level (`name` empty), with its entries in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Block {
    /// The category path (`general`, `listener`, `auth:fingerprint`).
    pub name: String,
    /// `key = value` entries, values trimmed and variables expanded.
    pub entries: Vec<(String, String)>,
}

/// A parsed hyprlang file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HyprFile {
    /// The blocks in file order (the top level first).
    pub blocks: Vec<Block>,
    /// `source = …` paths, as written.
    pub sources: Vec<String>,
}

impl HyprFile {
    /// The last value of `category:key`, from a block or a top-level `category:key = …`.
    pub fn value(&self, category: &str, key: &str) -> Option<&str> {
        let full = format!("{category}:{key}");
        let mut found = None;
        for block in &self.blocks {
            for (k, v) in &block.entries {
                if (block.name == category && k == key) || (block.name.is_empty() && *k == full) {
                    found = Some(v.as_str());
                }
            }
        }
        found
    }
}

/// Parses a hyprlang file. Malformed lines are skipped, as hyprlang reports and skips them.
pub fn parse(text: &str) -> HyprFile {
    let mut file = HyprFile {
        blocks: vec![Block::default()],
        sources: Vec::new(),
    };
    let mut vars: Vec<(String, String)> = Vec::new();
    let mut stack: Vec<usize> = vec![0];
    for raw in text.lines() {
        let line = strip_hypr_comment(raw);
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if line == "}" {
            if stack.len() > 1 {
                stack.pop();
            }
            continue;
        }
        if let Some(name) = line.strip_suffix('{') {
            let parent = &file.blocks[*stack.last().unwrap_or(&0)].name;
            let name = name.trim();
            let full = if parent.is_empty() {
                name.to_string()
            } else {
                format!("{parent}:{name}")
            };
            file.blocks.push(Block {
                name: full,
                entries: Vec::new(),
            });
            stack.push(file.blocks.len() - 1);
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim();
        let value = expand(value.trim(), &vars);
        if let Some(name) = key.strip_prefix('$') {
            define(&mut vars, name, value);
            continue;
        }
        if key == "source" && stack.len() == 1 {
            file.sources.push(value);
            continue;
        }
        let at = *stack.last().unwrap_or(&0);
        file.blocks[at].entries.push((key.to_string(), value));
    }
    file
}

/// One hypridle `listener`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listener {
    /// `timeout`, seconds (`None` when unset or not a number: hypridle then never fires it).
    pub timeout: Option<u64>,
    /// The `timeout` as written.
    pub timeout_raw: Option<String>,
    /// `on-timeout`.
    pub on_timeout: Option<String>,
}

/// What hypridle acts on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hypridle {
    /// `general:lock_cmd`.
    pub lock_cmd: Option<String>,
    /// `general:before_sleep_cmd`.
    pub before_sleep_cmd: Option<String>,
    /// The `listener` blocks.
    pub listeners: Vec<Listener>,
}

/// Reads hypridle's settings from its parsed config.
pub fn hypridle(file: &HyprFile) -> Hypridle {
    let nonempty = |v: Option<&str>| v.filter(|v| !v.is_empty()).map(str::to_string);
    let listeners = file
        .blocks
        .iter()
        .filter(|b| b.name == "listener")
        .map(|b| {
            let get = |key: &str| {
                b.entries
                    .iter()
                    .rev()
                    .find(|(k, _)| k == key)
                    .map(|(_, v)| v.clone())
            };
            let timeout_raw = get("timeout");
            Listener {
                timeout: timeout_raw.as_deref().and_then(|t| t.parse::<u64>().ok()),
                timeout_raw,
                on_timeout: get("on-timeout").filter(|v| !v.is_empty()),
            }
        })
        .collect();
    Hypridle {
        lock_cmd: nonempty(file.value("general", "lock_cmd")),
        before_sleep_cmd: nonempty(file.value("general", "before_sleep_cmd")),
        listeners,
    }
}

/// hyprlock's `general:grace`: `Ok(None)` when unset (hyprlock's default, 0), `Err` with the
/// text when it is not a whole number of seconds.
pub fn hyprlock_grace(file: &HyprFile) -> Result<Option<u64>, String> {
    match file.value("general", "grace") {
        None => Ok(None),
        Some(raw) => raw
            .parse::<u64>()
            .map(Some)
            .map_err(|_| format!("general:grace = {raw} is not a number of seconds")),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn blocks_variables_comments_and_top_level_keys() {
        let f = parse(
            "$lock = pidof hyprlock || hyprlock\ngeneral {\n    lock_cmd = $lock   # comment\n}\nlistener {\n  timeout = 300\n  on-timeout = loginctl lock-session\n}\nlistener {\n  timeout = 600\n  on-timeout = echo ## not a comment\n}\ngeneral:grace = 5\nsource = ~/.config/hypr/extra.conf\n",
        );
        let h = hypridle(&f);
        assert_eq!(h.lock_cmd.as_deref(), Some("pidof hyprlock || hyprlock"));
        assert_eq!(h.listeners.len(), 2);
        assert_eq!(h.listeners[0].timeout, Some(300));
        assert_eq!(
            h.listeners[1].on_timeout.as_deref(),
            Some("echo # not a comment")
        );
        assert_eq!(hyprlock_grace(&f).unwrap(), Some(5));
        assert_eq!(f.sources, vec!["~/.config/hypr/extra.conf"]);
    }
}
