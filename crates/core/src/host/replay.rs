use super::{CommandSpec, Host, RegistryRead, UserContext, WmiQuery};
use crate::finding::{Observation, Outcome, SourceKind};
use std::collections::HashMap;

/// A host that answers from recorded observations: a saved `findings.json` or hand-assembled
/// fixtures of real outputs. Anything not recorded is reported as not found, the same as a
/// machine without that tool or file.
#[derive(Debug, Default, Clone)]
pub struct ReplayHost {
    recorded: HashMap<(SourceKind, String, Option<String>), Observation>,
    env: HashMap<String, String>,
}

impl ReplayHost {
    /// An empty recording: every command and file is missing.
    pub fn new() -> ReplayHost {
        ReplayHost::default()
    }

    /// A recording built from observations (later ones win on the same source).
    pub fn from_observations(observations: impl IntoIterator<Item = Observation>) -> ReplayHost {
        let mut host = ReplayHost::new();
        for obs in observations {
            host.add(obs);
        }
        host
    }

    /// Records one observation.
    pub fn add(&mut self, obs: Observation) -> &mut ReplayHost {
        self.recorded.insert(obs.replay_key(), obs);
        self
    }

    /// Records a command that completed with `exit_code` and `stdout`.
    pub fn command(&mut self, line: &str, exit_code: i32, stdout: &str) -> &mut ReplayHost {
        let mut obs = Observation::new(SourceKind::Command, line, Outcome::Completed);
        obs.exit_code = Some(exit_code);
        obs.stdout = stdout.to_string();
        self.add(obs)
    }

    /// Records a command that completed with `exit_code` and printed only on stderr (tools such
    /// as `sysadminctl` answer there, and errors go there).
    pub fn command_stderr(&mut self, line: &str, exit_code: i32, stderr: &str) -> &mut ReplayHost {
        let mut obs = Observation::new(SourceKind::Command, line, Outcome::Completed);
        obs.exit_code = Some(exit_code);
        obs.stderr = stderr.to_string();
        self.add(obs)
    }

    /// Records a command run as `user` that completed with `exit_code` and printed only on
    /// stderr.
    pub fn command_as_stderr(
        &mut self,
        user: &str,
        line: &str,
        exit_code: i32,
        stderr: &str,
    ) -> &mut ReplayHost {
        let mut obs = Observation::new(SourceKind::Command, line, Outcome::Completed);
        obs.as_user = Some(user.to_string());
        obs.exit_code = Some(exit_code);
        obs.stderr = stderr.to_string();
        self.add(obs)
    }

    /// Records a command run as `user` that completed with `exit_code` and `stdout`.
    pub fn command_as(
        &mut self,
        user: &str,
        line: &str,
        exit_code: i32,
        stdout: &str,
    ) -> &mut ReplayHost {
        let mut obs = Observation::new(SourceKind::Command, line, Outcome::Completed);
        obs.as_user = Some(user.to_string());
        obs.exit_code = Some(exit_code);
        obs.stdout = stdout.to_string();
        self.add(obs)
    }

    /// Records a file's content.
    pub fn file(&mut self, path: &str, content: &str) -> &mut ReplayHost {
        self.add(read(SourceKind::File, path, None, content.to_string()))
    }

    /// Records a file's content as read inside `user`'s home ([`Host::read_user_file`]).
    pub fn user_file(&mut self, user: &str, path: &str, content: &str) -> &mut ReplayHost {
        self.add(read(
            SourceKind::File,
            path,
            Some(user),
            content.to_string(),
        ))
    }

    /// Records a directory listing made inside `user`'s home ([`Host::list_user_dir`]).
    pub fn user_dir(&mut self, user: &str, path: &str, entries: &[&str]) -> &mut ReplayHost {
        self.add(read(
            SourceKind::Directory,
            path,
            Some(user),
            sorted(entries),
        ))
    }

    /// Records a directory listing.
    pub fn dir(&mut self, path: &str, entries: &[&str]) -> &mut ReplayHost {
        self.add(read(SourceKind::Directory, path, None, sorted(entries)))
    }

    /// Records a registry read that found the key, with its text as `reg query` prints it.
    pub fn registry(&mut self, read: &RegistryRead, text: &str) -> &mut ReplayHost {
        self.add(read_as(SourceKind::Registry, &read.display(), text))
    }

    /// Records a WMI query's answer: a JSON array of objects, or the same objects as
    /// PowerShell's `Format-List` or `wmic /format:list` printed them (recorded fixtures).
    pub fn wmi(&mut self, query: &WmiQuery, text: &str) -> &mut ReplayHost {
        self.add(read_as(SourceKind::Wmi, &query.display(), text))
    }

    /// Sets an environment variable the agent would see.
    pub fn set_env(&mut self, name: &str, value: &str) -> &mut ReplayHost {
        self.env.insert(name.to_string(), value.to_string());
        self
    }

    fn answer(&self, kind: SourceKind, source: String, as_user: Option<String>) -> Observation {
        let key = (kind, source, as_user);
        // Files and folders in a home recorded before they were read as their user (older
        // bundles, fixtures) carry no user: the same path answers.
        let unattributed = || {
            (kind != SourceKind::Command && key.2.is_some())
                .then(|| self.recorded.get(&(kind, key.1.clone(), None)))
                .flatten()
        };
        match self.recorded.get(&key).or_else(unattributed) {
            Some(obs) => {
                let mut obs = obs.clone();
                obs.as_user.clone_from(&key.2);
                obs
            }
            None => {
                let mut obs = Observation::new(key.0, key.1, Outcome::NotFound);
                obs.as_user = key.2;
                obs
            }
        }
    }
}

/// A registry key or WMI query read to its end with this text.
fn read_as(kind: SourceKind, source: &str, text: &str) -> Observation {
    read(kind, source, None, text.to_string())
}

/// A registry read answered from a recorded `reg.exe query` command (bundles and fixtures made
/// before the registry was read in-process): exit 0 is the key's text, exit 1 with nothing on
/// standard output is a missing key (Windows prints the reason on standard error, Wine on
/// standard output), anything else is the command's failure.
fn registry_from_reg_exe(read: &RegistryRead, recorded: &Observation) -> Observation {
    let mut obs = Observation::new(
        SourceKind::Registry,
        read.display(),
        recorded.outcome.clone(),
    );
    obs.duration_ms = recorded.duration_ms;
    obs.truncated = recorded.truncated;
    if recorded.outcome != Outcome::Completed {
        return obs;
    }
    let not_found_text = recorded
        .stdout
        .contains("Unable to find the specified registry key");
    match recorded.exit_code {
        Some(0) => obs.stdout.clone_from(&recorded.stdout),
        Some(1) if recorded.stdout.trim().is_empty() || not_found_text => {
            obs.outcome = Outcome::NotFound;
        }
        code => {
            obs.outcome = Outcome::Failed {
                message: format!(
                    "reg.exe query ended with exit code {}: {}",
                    code.map_or("none".to_string(), |c| c.to_string()),
                    recorded.stderr.trim()
                ),
            };
        }
    }
    obs
}

/// The `reg.exe` command line an older agent ran for `read` (only whole keys were read so).
fn reg_exe_line(read: &RegistryRead) -> Option<String> {
    if !read.only_values.is_empty() {
        return None;
    }
    let mut args = vec!["query".to_string(), read.key.clone()];
    if read.recursive {
        args.push("/s".into());
    }
    Some(CommandSpec::new("reg.exe", args).display())
}

/// A file or folder read to its end (by `user`, when given) with this output.
fn read(kind: SourceKind, path: &str, user: Option<&str>, stdout: String) -> Observation {
    let mut obs = Observation::new(kind, path, Outcome::Completed);
    obs.as_user = user.map(str::to_string);
    obs.stdout = stdout;
    obs
}

/// Directory entries as a listing prints them: sorted, one per line.
fn sorted(entries: &[&str]) -> String {
    let mut entries: Vec<&str> = entries.to_vec();
    entries.sort_unstable();
    entries.join("\n")
}

impl Host for ReplayHost {
    fn run(&self, command: &CommandSpec) -> Observation {
        self.answer(
            SourceKind::Command,
            command.display(),
            command.as_user.as_ref().map(|u| u.name.clone()),
        )
    }

    fn read_file(&self, path: &str) -> Observation {
        self.answer(SourceKind::File, path.to_string(), None)
    }

    fn list_dir(&self, path: &str) -> Observation {
        self.answer(SourceKind::Directory, path.to_string(), None)
    }

    fn read_user_file(&self, user: &UserContext, path: &str) -> Observation {
        self.answer(SourceKind::File, path.to_string(), Some(user.name.clone()))
    }

    fn list_user_dir(&self, user: &UserContext, path: &str) -> Observation {
        self.answer(
            SourceKind::Directory,
            path.to_string(),
            Some(user.name.clone()),
        )
    }

    fn env(&self, name: &str) -> Option<String> {
        self.env.get(name).cloned()
    }

    fn read_registry(&self, read: &RegistryRead) -> Observation {
        let key = (SourceKind::Registry, read.display(), None);
        if let Some(obs) = self.recorded.get(&key) {
            return obs.clone();
        }
        let legacy = reg_exe_line(read)
            .and_then(|line| self.recorded.get(&(SourceKind::Command, line, None)));
        match legacy {
            Some(recorded) => registry_from_reg_exe(read, recorded),
            None => Observation::new(SourceKind::Registry, read.display(), Outcome::NotFound),
        }
    }

    fn query_wmi(&self, query: &WmiQuery) -> Observation {
        self.answer(SourceKind::Wmi, query.display(), None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_reads_answer_from_recorded_reg_exe_commands_too() {
        let line = |key: &str| CommandSpec::new("reg.exe", ["query", key]).display();
        let mut host = ReplayHost::new();
        host.command(
            &line("HKLM\\SOFTWARE\\A"),
            0,
            "HKEY_LOCAL_MACHINE\\SOFTWARE\\A\r\n    X    REG_DWORD    0x1\r\n",
        )
        .command_stderr(&line("HKLM\\SOFTWARE\\B"), 1, "ERROR: not found")
        .command(
            &line("HKLM\\SOFTWARE\\C"),
            1,
            "ERROR: Unable to find the specified registry key or value.\r\n",
        )
        .command_stderr(&line("HKLM\\SOFTWARE\\D"), 5, "Access is denied.");
        let a = host.read_registry(&RegistryRead::key("HKLM\\SOFTWARE\\A"));
        assert_eq!(a.kind, SourceKind::Registry);
        assert!(a.succeeded() && a.stdout.contains("REG_DWORD"));
        for missing in ["B", "C", "E"] {
            let obs = host.read_registry(&RegistryRead::key(&format!("HKLM\\SOFTWARE\\{missing}")));
            assert_eq!(obs.outcome, Outcome::NotFound, "{missing}");
        }
        let denied = host.read_registry(&RegistryRead::key("HKLM\\SOFTWARE\\D"));
        assert!(
            matches!(denied.outcome, Outcome::Failed { .. }),
            "{denied:?}"
        );
        let mut direct = ReplayHost::new();
        direct.registry(&RegistryRead::tree("HKU"), "HKEY_USERS\\.DEFAULT\r\n");
        assert!(direct.read_registry(&RegistryRead::tree("HKU")).succeeded());
        assert_eq!(
            direct.read_registry(&RegistryRead::key("HKU")).outcome,
            Outcome::NotFound
        );
    }

    #[test]
    fn answers_what_was_recorded_and_nothing_else() {
        let mut host = ReplayHost::new();
        host.command("lsblk -J", 0, "{}").file("/etc/crypttab", "x");
        let obs = host.run(&CommandSpec::new("lsblk", ["-J"]));
        assert_eq!(obs.stdout, "{}");
        assert!(obs.succeeded());
        assert_eq!(host.read_file("/etc/crypttab").stdout, "x");
        assert_eq!(host.read_file("/etc/fstab").outcome, Outcome::NotFound);
        assert_eq!(
            host.run(&CommandSpec::new("lsblk", ["-f"])).outcome,
            Outcome::NotFound
        );
    }
}
