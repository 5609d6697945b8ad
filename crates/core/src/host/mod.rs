//! The one door through which probes see the machine.
//!
//! [`RealHost`] runs commands with a deadline and reads files; [`ReplayHost`] answers from
//! recorded observations, so every probe and parser is tested on Linux against real outputs
//! from any OS.

mod files;
mod real;
mod replay;
#[cfg(windows)]
mod windows_api;

pub use files::{MAX_DIR_ENTRIES, file_kind};
pub use real::{MAX_OUTPUT_BYTES, RealHost, kill_running_commands, running_as_root};
pub use replay::ReplayHost;

use crate::finding::Observation;
use std::time::Duration;

/// The default deadline of one command.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(15);

/// A local user in whose context per-user settings are read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserContext {
    /// Login name.
    pub name: String,
    /// Numeric user id (Unix; unused on Windows).
    pub uid: u32,
    /// Primary group id (Unix; unused on Windows).
    pub gid: u32,
    /// Home directory (on Windows the profile folder): per-user files are read only inside it.
    pub home: String,
}

impl UserContext {
    /// A Windows person, known by name and profile folder (Windows has no uid or gid; the
    /// host reads their profile refusing junctions and links, see [`Host::read_user_file`]).
    pub fn windows(name: &str, profile_dir: &str) -> UserContext {
        UserContext {
            name: name.to_string(),
            uid: u32::MAX,
            gid: u32::MAX,
            home: profile_dir.to_string(),
        }
    }
}

/// A command to run: an absolute or PATH-relative program (never a shell line), its arguments,
/// its deadline and, optionally, the user to run it as.
#[derive(Clone, Debug)]
pub struct CommandSpec {
    /// The program. Looked up on a fixed, trusted PATH when not absolute.
    pub program: String,
    /// Arguments, passed as-is (no shell).
    pub args: Vec<String>,
    /// Killed when it runs longer.
    pub deadline: Duration,
    /// Run in this user's context (uid, HOME, session bus) instead of the agent's.
    pub as_user: Option<UserContext>,
    /// Extra environment variables.
    pub env: Vec<(String, String)>,
}

impl CommandSpec {
    /// A command with the default deadline.
    pub fn new<I, S>(program: &str, args: I) -> CommandSpec
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        CommandSpec {
            program: program.to_string(),
            args: args.into_iter().map(Into::into).collect(),
            deadline: DEFAULT_DEADLINE,
            as_user: None,
            env: Vec::new(),
        }
    }

    /// Sets the deadline.
    pub fn deadline(mut self, deadline: Duration) -> CommandSpec {
        self.deadline = deadline;
        self
    }

    /// Runs the command as `user`.
    pub fn as_user(mut self, user: &UserContext) -> CommandSpec {
        self.as_user = Some(user.clone());
        self
    }

    /// Adds an environment variable.
    pub fn env(mut self, key: &str, value: &str) -> CommandSpec {
        self.env.push((key.to_string(), value.to_string()));
        self
    }

    /// The command line as a person would type it, used as the observation's source.
    pub fn display(&self) -> String {
        let mut line = quote(&self.program);
        for arg in &self.args {
            line.push(' ');
            line.push_str(&quote(arg));
        }
        line
    }
}

fn quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// A Windows registry key to read in-process: its values and the names of its subkeys, or with
/// [`RegistryRead::tree`] everything below it (like `reg query KEY /s`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistryRead {
    /// The key, hive first (`HKLM\SOFTWARE\…`, `HKU\<sid>\…`; long hive names work too).
    pub key: String,
    /// Read every key below it too.
    pub recursive: bool,
    /// Keep only the values with these names (case-insensitive); empty keeps every value.
    /// For keys that hold more about a person than a check needs (installed programs).
    pub only_values: Vec<String>,
}

impl RegistryRead {
    /// One key: its values and its subkeys' names.
    pub fn key(key: &str) -> RegistryRead {
        RegistryRead {
            key: key.to_string(),
            recursive: false,
            only_values: Vec::new(),
        }
    }

    /// The key and every key below it.
    pub fn tree(key: &str) -> RegistryRead {
        RegistryRead {
            recursive: true,
            ..RegistryRead::key(key)
        }
    }

    /// Keeps only the values named `names`.
    pub fn only_values(mut self, names: &[&str]) -> RegistryRead {
        self.only_values = names.iter().map(|n| (*n).to_string()).collect();
        self
    }

    /// The read as the observation's source, in `reg query`'s words: `KEY`, `KEY /s`, and the
    /// kept value names after `/v` when only some are kept.
    pub fn display(&self) -> String {
        let mut line = self.key.clone();
        if self.recursive {
            line.push_str(" /s");
        }
        if !self.only_values.is_empty() {
            line.push_str(" /v ");
            line.push_str(&self.only_values.join(","));
        }
        line
    }
}

/// A WMI query run in-process through COM: a WQL `SELECT` in a namespace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WmiQuery {
    /// The namespace, e.g. `root\SecurityCenter2`.
    pub namespace: String,
    /// The query, e.g. `SELECT displayName, productState FROM AntiVirusProduct`.
    pub wql: String,
    /// Given up when WMI has not answered by then (a stuck provider must not hold a run).
    pub deadline: Duration,
}

impl WmiQuery {
    /// A query with the default deadline.
    pub fn new(namespace: &str, wql: &str) -> WmiQuery {
        WmiQuery {
            namespace: namespace.to_string(),
            wql: wql.to_string(),
            deadline: DEFAULT_DEADLINE,
        }
    }

    /// Sets the deadline.
    pub fn deadline(mut self, deadline: Duration) -> WmiQuery {
        self.deadline = deadline;
        self
    }

    /// The query as the observation's source: `NAMESPACE: WQL`.
    pub fn display(&self) -> String {
        format!("{}: {}", self.namespace, self.wql)
    }
}

/// Everything a probe may do to look at the machine. Implementations never panic and never
/// block past a command's deadline; failures come back as the observation's [`Outcome`].
///
/// [`Outcome`]: crate::Outcome
pub trait Host: Send + Sync {
    /// Runs a command and returns what happened (raw, not yet redacted).
    fn run(&self, command: &CommandSpec) -> Observation;
    /// Reads a text file (lossily decoded, capped in size; regular files only).
    fn read_file(&self, path: &str) -> Observation;
    /// Lists a directory's entry names, one per line, sorted (at most [`MAX_DIR_ENTRIES`]).
    fn list_dir(&self, path: &str) -> Observation;
    /// Reads a file inside `user`'s home with that user's rights: links are followed only
    /// while they stay in the home, and as root only what the user could read is read;
    /// anything else is [`Outcome::Refused`](crate::Outcome::Refused), saying what and why.
    /// The observation names the user.
    fn read_user_file(&self, user: &UserContext, path: &str) -> Observation;
    /// Lists a folder inside `user`'s home with that user's rights, as
    /// [`Host::read_user_file`] reads files.
    fn list_user_dir(&self, user: &UserContext, path: &str) -> Observation;
    /// Reads an environment variable of the agent's own process.
    fn env(&self, name: &str) -> Option<String>;
    /// Reads a registry key in-process (Windows; elsewhere not found). The text is laid out as
    /// `reg query` prints it; a missing key is [`Outcome::NotFound`](crate::Outcome::NotFound).
    fn read_registry(&self, read: &RegistryRead) -> Observation;
    /// Runs a WMI query in-process (Windows; elsewhere not found). The text is a JSON array of
    /// objects; a namespace or class this machine lacks is
    /// [`Outcome::NotFound`](crate::Outcome::NotFound).
    fn query_wmi(&self, query: &WmiQuery) -> Observation;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_quotes_only_what_needs_it() {
        let spec = CommandSpec::new(
            "gsettings",
            ["get", "org.gnome.desktop.session", "idle-delay"],
        );
        assert_eq!(
            spec.display(),
            "gsettings get org.gnome.desktop.session idle-delay"
        );
        let spec = CommandSpec::new("sh", ["-c", "echo it's"]);
        assert_eq!(spec.display(), r"sh -c 'echo it'\''s'");
    }
}
