//! The recorder a probe works through: every command, file and directory it looks at is
//! redacted and kept as an [`Observation`], so the finding carries its own proof.

use crate::conclusion::Conclusion;
use crate::control::{Control, Os};
use crate::finding::{Finding, Observation};
use crate::host::{CommandSpec, Host, RegistryRead, UserContext, WmiQuery};
use crate::policy::Policy;
use crate::redact::Redactor;
use std::collections::BTreeMap;
use std::time::Instant;
use time::OffsetDateTime;

/// One probe's run: the host it looks through, the OS plan chosen, the policy thresholds, and
/// what it has observed so far.
pub struct ProbeRun<'a> {
    host: &'a dyn Host,
    /// The OS whose plan the probe follows.
    pub os: Os,
    /// Thresholds for verdicts.
    pub policy: &'a Policy,
    redactor: &'a Redactor,
    observations: Vec<Observation>,
    facts: BTreeMap<String, String>,
    started: Instant,
}

/// Whether a wide scan's observation may be left out of the reports: only when it read the
/// folder or found it missing, never when something was refused or failed.
fn quiet_outcome(obs: &Observation) -> bool {
    matches!(
        obs.outcome,
        crate::Outcome::Completed | crate::Outcome::NotFound
    )
}

impl<'a> ProbeRun<'a> {
    /// Starts a probe run.
    pub fn new(
        host: &'a dyn Host,
        os: Os,
        policy: &'a Policy,
        redactor: &'a Redactor,
    ) -> ProbeRun<'a> {
        ProbeRun {
            host,
            os,
            policy,
            redactor,
            observations: Vec::new(),
            facts: BTreeMap::new(),
            started: Instant::now(),
        }
    }

    /// Runs a command, records it, and returns the (redacted) observation.
    pub fn run(&mut self, command: CommandSpec) -> Observation {
        let obs = self.host.run(&command);
        self.record(obs)
    }

    /// Reads a file, records it, and returns the (redacted) observation.
    pub fn read_file(&mut self, path: &str) -> Observation {
        let obs = self.host.read_file(path);
        self.record(obs)
    }

    /// Reads a file but keeps as evidence only what `keep` returns for each line (`None` drops
    /// the line): for files that hold more personal data than a check needs. The parsers see
    /// the same minimised text, so a replay of the evidence judges the same way.
    pub fn read_file_minimised(
        &mut self,
        path: &str,
        keep: impl Fn(&str) -> Option<String>,
    ) -> Observation {
        let mut obs = self.host.read_file(path);
        if obs.succeeded() {
            obs.stdout = obs
                .stdout
                .lines()
                .filter_map(&keep)
                .map(|l| l + "\n")
                .collect();
        }
        self.record(obs)
    }

    /// Runs a command but keeps as evidence only what `keep` returns for each output line,
    /// like [`ProbeRun::read_file_minimised`]: for commands that print more personal data
    /// than a check needs (full names of accounts, for one).
    pub fn run_minimised(
        &mut self,
        command: CommandSpec,
        keep: impl Fn(&str) -> Option<String>,
    ) -> Observation {
        let mut obs = self.host.run(&command);
        if obs.succeeded() {
            obs.stdout = obs
                .stdout
                .lines()
                .filter_map(&keep)
                .map(|l| l + "\n")
                .collect();
        }
        self.record(obs)
    }

    /// Lists a directory, records it, and returns the observation (entry names one per line).
    pub fn list_dir(&mut self, path: &str) -> Observation {
        let obs = self.host.list_dir(path);
        self.record(obs)
    }

    /// Lists a directory as part of a wide scan where only hits matter: kept in the bundle
    /// (marked `quiet`) so a replay sees the same machine, but left out of the reports — unless
    /// it was refused or failed, which the reports always show.
    /// Returns the entry names, empty when the directory is unreadable.
    pub fn list_dir_quietly(&mut self, path: &str) -> Vec<String> {
        let mut obs = self.host.list_dir(path);
        obs.quiet = quiet_outcome(&obs);
        self.record(obs).lines()
    }

    /// Reads a file inside `user`'s home with that user's rights ([`Host::read_user_file`]),
    /// records it, and returns the observation.
    pub fn read_user_file(&mut self, user: &UserContext, path: &str) -> Observation {
        let obs = self.host.read_user_file(user, path);
        self.record(obs)
    }

    /// Reads a file inside `user`'s home but keeps as evidence only what `extract` makes of
    /// its text (applied to the whole content, e.g. the few JSON entries a check needs from a
    /// browser's settings file, which holds much personal data). `extract` must give the same
    /// result when applied to its own output, so a replay of the evidence judges the same.
    pub fn read_user_file_extract(
        &mut self,
        user: &UserContext,
        path: &str,
        extract: impl Fn(&str) -> String,
    ) -> Observation {
        let mut obs = self.host.read_user_file(user, path);
        if obs.succeeded() {
            obs.stdout = extract(&obs.stdout);
        }
        self.record(obs)
    }

    /// Lists a folder inside `user`'s home with that user's rights, records it, and returns
    /// the observation.
    pub fn list_user_dir(&mut self, user: &UserContext, path: &str) -> Observation {
        let obs = self.host.list_user_dir(user, path);
        self.record(obs)
    }

    /// Lists a folder inside `user`'s home as part of a wide scan (like
    /// [`ProbeRun::list_dir_quietly`]) and returns the observation, so the caller can tell a
    /// missing folder from a refused one. A refusal or error is never quiet.
    pub fn list_user_dir_quietly(&mut self, user: &UserContext, path: &str) -> Observation {
        let mut obs = self.host.list_user_dir(user, path);
        obs.quiet = quiet_outcome(&obs);
        self.record(obs)
    }

    /// Reads a registry key in-process (Windows), records it, and returns the observation.
    pub fn read_registry(&mut self, read: RegistryRead) -> Observation {
        let obs = self.host.read_registry(&read);
        self.record(obs)
    }

    /// Runs a WMI query in-process (Windows), records it, and returns the observation.
    pub fn query_wmi(&mut self, query: WmiQuery) -> Observation {
        let obs = self.host.query_wmi(&query);
        self.record(obs)
    }

    /// Reads an environment variable of the agent's process.
    pub fn env(&self, name: &str) -> Option<String> {
        self.host.env(name)
    }

    /// Records a fact (overwrites an earlier one with the same key).
    pub fn fact(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.facts
            .insert(key.into(), self.redactor.redact(&value.into()));
    }

    /// The facts recorded so far.
    pub fn facts(&self) -> &BTreeMap<String, String> {
        &self.facts
    }

    /// The observations recorded so far.
    pub fn observations(&self) -> &[Observation] {
        &self.observations
    }

    fn record(&mut self, mut obs: Observation) -> Observation {
        obs.stdout = self.redactor.redact(&obs.stdout);
        obs.stderr = self.redactor.redact(&obs.stderr);
        obs.source = self.redactor.redact(&obs.source);
        self.observations.push(obs.clone());
        obs
    }

    /// Ends the run with the probe's [`Conclusion`] (its remediation is dropped for a pass).
    pub fn finish(self, control: Control, conclusion: Conclusion) -> Finding {
        let Conclusion {
            verdict,
            summary,
            remediation,
        } = conclusion;
        let remediation = if verdict.is_pass() { None } else { remediation };
        Finding {
            control,
            os: self.os,
            verdict,
            summary: self.redactor.redact(&summary),
            facts: self.facts,
            remediation,
            observations: self.observations,
            collected_at: OffsetDateTime::now_utc()
                .replace_nanosecond(0)
                .unwrap_or_else(|_| OffsetDateTime::now_utc()),
            duration_ms: u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX),
        }
    }
}
