//! A [`Host`] whose every answer comes from fuzz input, so a probe's whole plan — which
//! command it runs next, which parser reads it, how it concludes — meets arbitrary output.

use devidence_core::{
    CommandSpec, Host, Observation, Outcome, RegistryRead, SourceKind, UserContext, WmiQuery,
};
use std::sync::Mutex;

/// Separates one answer from the next in the input (ASCII record separator).
pub const ANSWER_SEPARATOR: u8 = 0x1e;

/// How an answer ends, chosen by its first byte (modulo 8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// Exit 0 with the text on stdout (bytes 0, 1, 2: the most common case).
    Success,
    /// Exit 1 with the text on stderr.
    FailureOnStderr,
    /// Exit 1 with the text on stdout.
    FailureOnStdout,
    /// The command or file does not exist.
    NotFound,
    /// The OS refused.
    PermissionDenied,
    /// Killed at its deadline; the text is what it printed before. For a file or folder:
    /// refused (a link out of a home, a FIFO), the text being the reason.
    TimedOut,
}

impl Ending {
    /// The ending a control byte selects.
    pub fn from_byte(byte: u8) -> Ending {
        match byte % 8 {
            0..=2 => Ending::Success,
            3 => Ending::FailureOnStderr,
            4 => Ending::FailureOnStdout,
            5 => Ending::NotFound,
            6 => Ending::PermissionDenied,
            _ => Ending::TimedOut,
        }
    }

    /// The control byte that selects this ending (for building seeds).
    pub fn byte(self) -> u8 {
        match self {
            Ending::Success => 0,
            Ending::FailureOnStderr => 3,
            Ending::FailureOnStdout => 4,
            Ending::NotFound => 5,
            Ending::PermissionDenied => 6,
            Ending::TimedOut => 7,
        }
    }
}

/// Answers commands, file reads and directory listings in the order asked, from input split
/// at [`ANSWER_SEPARATOR`]; each piece is a control byte ([`Ending`]) and the text. Once the
/// input runs out, everything is "not found". Environment variables are never set.
pub struct ScriptedHost {
    answers: Mutex<std::vec::IntoIter<(Ending, String)>>,
}

impl ScriptedHost {
    /// A host answering from `data`.
    pub fn new(data: &[u8]) -> ScriptedHost {
        let answers: Vec<(Ending, String)> = data
            .split(|b| *b == ANSWER_SEPARATOR)
            .filter_map(|piece| {
                let (&control, text) = piece.split_first()?;
                Some((
                    Ending::from_byte(control),
                    String::from_utf8_lossy(text).into_owned(),
                ))
            })
            .collect();
        ScriptedHost {
            answers: Mutex::new(answers.into_iter()),
        }
    }

    /// Encodes answers the way [`ScriptedHost::new`] reads them.
    pub fn encode<'a>(answers: impl IntoIterator<Item = (Ending, &'a str)>) -> Vec<u8> {
        let mut out = Vec::new();
        for (i, (ending, text)) in answers.into_iter().enumerate() {
            if i > 0 {
                out.push(ANSWER_SEPARATOR);
            }
            out.push(ending.byte());
            out.extend(text.bytes().filter(|b| *b != ANSWER_SEPARATOR));
        }
        out
    }

    fn answer(&self, kind: SourceKind, source: String, as_user: Option<String>) -> Observation {
        let next = match self.answers.lock() {
            Ok(mut answers) => answers.next(),
            Err(poisoned) => poisoned.into_inner().next(),
        };
        let Some((ending, text)) = next else {
            return Observation::new(kind, source, Outcome::NotFound);
        };
        let is_command = kind == SourceKind::Command;
        let outcome = match ending {
            Ending::NotFound => Outcome::NotFound,
            Ending::PermissionDenied => Outcome::PermissionDenied,
            Ending::TimedOut if is_command => Outcome::TimedOut {
                deadline_ms: 15_000,
            },
            // The real host's refusals are its own short sentences (a path and why), never
            // a tool's output: the text's first 200 characters stand in for one.
            Ending::TimedOut => Outcome::Refused {
                reason: text.chars().take(200).collect(),
            },
            _ => Outcome::Completed,
        };
        let mut obs = Observation::new(kind, source, outcome);
        obs.as_user = as_user;
        match ending {
            Ending::Success => {
                obs.exit_code = is_command.then_some(0);
                obs.stdout = text;
            }
            Ending::FailureOnStderr if is_command => {
                obs.exit_code = Some(1);
                obs.stderr = text;
            }
            Ending::FailureOnStdout if is_command => {
                obs.exit_code = Some(1);
                obs.stdout = text;
            }
            Ending::TimedOut if is_command => obs.stdout = text,
            Ending::FailureOnStderr | Ending::FailureOnStdout => {
                obs.stdout = text;
            }
            Ending::TimedOut => {}
            Ending::NotFound | Ending::PermissionDenied => {}
        }
        obs
    }
}

impl Host for ScriptedHost {
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

    fn env(&self, _name: &str) -> Option<String> {
        None
    }

    fn read_registry(&self, read: &RegistryRead) -> Observation {
        self.answer(SourceKind::Registry, read.display(), None)
    }

    fn query_wmi(&self, query: &WmiQuery) -> Observation {
        self.answer(SourceKind::Wmi, query.display(), None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_come_back_in_order_then_not_found() {
        let data =
            ScriptedHost::encode([(Ending::Success, "one"), (Ending::FailureOnStderr, "two")]);
        let host = ScriptedHost::new(&data);
        let first = host.run(&CommandSpec::new("/bin/a", ["x"]));
        assert_eq!((first.exit_code, first.stdout.as_str()), (Some(0), "one"));
        let second = host.read_file("/etc/b");
        assert_eq!(second.outcome, Outcome::Completed);
        assert_eq!(second.stdout, "two");
        let third = host.list_dir("/c");
        assert_eq!(third.outcome, Outcome::NotFound);
    }
}
