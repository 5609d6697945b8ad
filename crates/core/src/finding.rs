use crate::control::{Control, Os};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use time::OffsetDateTime;

/// The judgement on one control. `Unknown` always says why, so a person can act on it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum Verdict {
    /// The control is in place.
    Pass,
    /// The control is not in place.
    Fail,
    /// The probe could not tell (missing tool, no permission, timeout, unreadable output).
    Unknown {
        /// What stopped the probe from deciding, in words a person can act on.
        reason: String,
    },
}

impl Verdict {
    /// Shorthand for an `Unknown` verdict.
    pub fn unknown(reason: impl Into<String>) -> Verdict {
        Verdict::Unknown {
            reason: reason.into(),
        }
    }

    /// `PASS`, `FAIL` or `UNKNOWN`.
    pub fn label(&self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
            Verdict::Unknown { .. } => "UNKNOWN",
        }
    }

    /// True only for `Pass`.
    pub fn is_pass(&self) -> bool {
        matches!(self, Verdict::Pass)
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// What kind of thing an observation looked at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// A command that was run.
    Command,
    /// A file that was read.
    File,
    /// A directory that was listed (one entry name per output line).
    Directory,
    /// A Windows registry key read in-process (its text is laid out as `reg query` prints it).
    Registry,
    /// A WMI query run in-process through COM (its text is a JSON array of the objects).
    Wmi,
}

/// How looking at a source ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Outcome {
    /// The command ran to its end (see `exit_code`), or the file/directory was read.
    Completed,
    /// The command or file does not exist on this machine.
    NotFound,
    /// The OS refused access.
    PermissionDenied,
    /// The command outlived its deadline and was killed.
    TimedOut {
        /// The deadline it was given, in milliseconds.
        deadline_ms: u64,
    },
    /// Any other failure to run or read, with the OS's message.
    Failed {
        /// The error message.
        message: String,
    },
    /// The agent would not read it: a link leaving a person's home, a file that person may not
    /// read, a FIFO or device where a file belongs. Says what was refused and why.
    Refused {
        /// What was refused, and why.
        reason: String,
    },
}

impl Outcome {
    /// A short human description (`completed`, `timed out after 10 s`, …).
    pub fn describe(&self) -> String {
        match self {
            Outcome::Completed => "completed".into(),
            Outcome::NotFound => "not found".into(),
            Outcome::PermissionDenied => "permission denied".into(),
            Outcome::TimedOut { deadline_ms } => {
                format!(
                    "timed out after {:.1} s and was killed",
                    *deadline_ms as f64 / 1000.0
                )
            }
            Outcome::Failed { message } => format!("failed: {message}"),
            Outcome::Refused { reason } => format!("refused: {reason}"),
        }
    }
}

/// One thing a probe looked at, verbatim (after redaction): a command, a file, a directory, a
/// registry key or a WMI query.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observation {
    /// Command, file, directory, registry key or WMI query.
    pub kind: SourceKind,
    /// The command line as run, the path read, the registry key read or the WMI query run.
    pub source: String,
    /// The local user whose context the command ran in, when not the agent's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_user: Option<String>,
    /// How it ended.
    pub outcome: Outcome,
    /// Exit code of a completed command (None for files, kills and signals).
    #[serde(default)]
    pub exit_code: Option<i32>,
    /// Standard output, or the file content, or the directory entries one per line.
    #[serde(default)]
    pub stdout: String,
    /// Standard error.
    #[serde(default)]
    pub stderr: String,
    /// True when output was cut at the size cap.
    #[serde(default)]
    pub truncated: bool,
    /// Wall time spent, in milliseconds.
    #[serde(default)]
    pub duration_ms: u64,
    /// A wide scan kept only so the bundle can be replayed (e.g. the directories searched for
    /// browser extensions); reports leave it out.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub quiet: bool,
}

impl Observation {
    /// An observation with no output yet; hosts fill in the rest.
    pub fn new(kind: SourceKind, source: impl Into<String>, outcome: Outcome) -> Observation {
        Observation {
            kind,
            source: source.into(),
            as_user: None,
            outcome,
            exit_code: None,
            stdout: String::new(),
            stderr: String::new(),
            truncated: false,
            duration_ms: 0,
            quiet: false,
        }
    }

    /// True when the command completed with exit code 0, or the file/directory was read.
    pub fn succeeded(&self) -> bool {
        self.outcome == Outcome::Completed
            && (self.kind != SourceKind::Command || self.exit_code == Some(0))
    }

    /// The output's lines (a listing's entry names) when the source was read, else none.
    pub fn lines(&self) -> Vec<String> {
        if self.succeeded() {
            self.stdout.lines().map(str::to_string).collect()
        } else {
            Vec::new()
        }
    }

    /// The text of a source that may legitimately be absent: `Ok(Some)` when read, `Ok(None)`
    /// when it does not exist, `Err` (the failure reason) for anything else, so a refused or
    /// failed read never passes for "not there".
    pub fn text_if_present(&self) -> Result<Option<&str>, String> {
        if self.succeeded() {
            Ok(Some(&self.stdout))
        } else if self.outcome == Outcome::NotFound {
            Ok(None)
        } else {
            Err(self.failure_reason())
        }
    }

    /// The key a replay uses to find this observation again.
    pub fn replay_key(&self) -> (SourceKind, String, Option<String>) {
        (self.kind, self.source.clone(), self.as_user.clone())
    }

    /// A one-line description of why this source gave no usable answer, for `Unknown` reasons.
    pub fn failure_reason(&self) -> String {
        let what = match self.kind {
            SourceKind::Command => format!("`{}`", self.source),
            SourceKind::File | SourceKind::Directory => self.source.clone(),
            SourceKind::Registry => format!("registry key {}", self.source),
            SourceKind::Wmi => format!("WMI query `{}`", self.source),
        };
        match (&self.outcome, self.exit_code) {
            (Outcome::Completed, Some(code)) if code != 0 => {
                let first = self
                    .stderr
                    .lines()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("");
                if first.is_empty() {
                    format!("{what} exited with code {code}")
                } else {
                    format!("{what} exited with code {code}: {}", first.trim())
                }
            }
            (outcome, _) => format!("{what} {}", outcome.describe()),
        }
    }
}

/// The result of one probe: verdict, the facts it was based on, and every observation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Which control this is about.
    pub control: Control,
    /// The OS whose plan was used.
    pub os: Os,
    /// Pass, fail, or unknown with a reason.
    pub verdict: Verdict,
    /// One sentence a person understands.
    pub summary: String,
    /// Extracted facts, e.g. `root.encryption` → `LUKS2`.
    pub facts: BTreeMap<String, String>,
    /// How to fix it, for anything not passing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remediation: Option<String>,
    /// Every command, file and directory the verdict was based on.
    pub observations: Vec<Observation>,
    /// When the probe finished.
    #[serde(with = "time::serde::rfc3339")]
    pub collected_at: OffsetDateTime,
    /// How long the probe took, in milliseconds.
    #[serde(default)]
    pub duration_ms: u64,
}
