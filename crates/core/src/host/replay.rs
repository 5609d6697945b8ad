use super::{CommandSpec, Host, UserContext};
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
}

#[cfg(test)]
mod tests {
    use super::*;

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
