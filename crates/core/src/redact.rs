//! Redaction at the source: secrets are cut out of every observation when it is recorded, so
//! nothing downstream (parsers, evidence, logs, uploads) can leak them.

use regex::{Captures, Regex};
use std::borrow::Cow;
use std::sync::OnceLock;

/// What replaces a secret.
pub const MARK: &str = "[REDACTED]";

struct Patterns {
    private_key: Regex,
    bearer: Regex,
    jwt: Regex,
    bitlocker_password: Regex,
    filevault_key: Regex,
    assignment: Regex,
}

fn patterns() -> &'static Patterns {
    static PATTERNS: OnceLock<Patterns> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        // Word boundaries are ASCII (`(?-u:\b)`): a letter like `é` next to a key then counts
        // as a boundary, which only redacts more, and the regex engine can use its fast DFA
        // on any text instead of falling back to a slower one for Unicode boundaries.
        let compile = |p: &str| Regex::new(p).expect("redaction patterns are valid");
        Patterns {
            private_key: compile(
                r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|\z)",
            ),
            bearer: compile(r"(?i)(?-u:\b)(bearer)\s+[A-Za-z0-9._~+/=-]{8,}"),
            // A JSON Web Token anywhere (header and payload are base64url JSON: `eyJ…`).
            jwt: compile(r"eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"),
            // BitLocker numerical password: 8 groups of 6 digits.
            bitlocker_password: compile(r"(?-u:\b)\d{6}(?:-\d{6}){7}(?-u:\b)"),
            // FileVault personal recovery key: 6 groups of 4 upper-case letters or digits.
            filevault_key: compile(r"(?-u:\b)[A-Z0-9]{4}(?:-[A-Z0-9]{4}){5}(?-u:\b)"),
            // `password = value`, `api_key: value`, `client_secret=value`, apt-config's
            // `Foo::Passphrase "value";` … (the key ends a word, optionally after `name_`).
            assignment: compile(
                r#"(?i)(?-u:\b)((?:[a-z0-9]+[_-])*(?:password|passwd|passphrase|secret|token|api[_-]?key|access[_-]?key|private[_-]?key))(?-u:\b)(["']?\s*[=:]\s*["']?|\s+["'])([^\s"',;]+)"#,
            ),
        }
    })
}

/// Removes secrets from text: known secret shapes plus literal values the agent holds (its
/// API key), which are never shown even in part.
#[derive(Clone, Debug, Default)]
pub struct Redactor {
    literals: Vec<String>,
}

impl Redactor {
    /// A redactor for the built-in secret shapes only.
    pub fn new() -> Redactor {
        Redactor::default()
    }

    /// Also removes this exact value wherever it appears (ignored when shorter than 8 characters,
    /// which would redact ordinary words).
    pub fn with_literal(mut self, secret: &str) -> Redactor {
        if secret.len() >= 8 {
            self.literals.push(secret.to_string());
        }
        self
    }

    /// Returns `text` with every secret replaced by [`MARK`].
    pub fn redact(&self, text: &str) -> String {
        let p = patterns();
        let mut out: Cow<str> = Cow::Borrowed(text);
        for literal in &self.literals {
            if out.contains(literal.as_str()) {
                out = Cow::Owned(out.replace(literal.as_str(), MARK));
            }
        }
        let out = p.private_key.replace_all(&out, MARK);
        let out = p
            .bearer
            .replace_all(&out, |c: &Captures| format!("{} {MARK}", &c[1]));
        let out = p.jwt.replace_all(&out, MARK);
        let out = p.bitlocker_password.replace_all(&out, MARK);
        let out = p.filevault_key.replace_all(&out, MARK);
        let out = p.assignment.replace_all(&out, |c: &Captures| {
            let value = &c[3];
            let harmless = value.len() < 4
                || value.eq_ignore_ascii_case("true")
                || value.eq_ignore_ascii_case("false")
                || value.chars().all(|ch| ch.is_ascii_digit());
            if harmless {
                c[0].to_string()
            } else {
                format!("{}{}{MARK}", &c[1], &c[2])
            }
        });
        out.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn planted_secrets_are_removed_and_ordinary_settings_kept() {
        let r = Redactor::new().with_literal("drata-key-0123456789");
        let text = "\
Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.abc.def
key drata-key-0123456789 in config
Numerical Password: 123456-234567-345678-456789-567890-678901-789012-890123
Recovery key = ABCD-EFGH-IJKL-MNOP-QRST-UVWX
password = hunter2hunter2
api_key: \"sk_live_abcdef\"
-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAA
-----END OPENSSH PRIVATE KEY-----
askForPassword = 1;
lock-enabled true
password: true
";
        let out = r.redact(text);
        for secret in [
            "eyJhbGciOiJIUzI1NiJ9",
            "drata-key-0123456789",
            "123456-234567",
            "ABCD-EFGH",
            "hunter2",
            "sk_live",
            "b3BlbnNzaC1",
        ] {
            assert!(!out.contains(secret), "{secret} leaked in:\n{out}");
        }
        assert!(out.contains("askForPassword = 1;"));
        assert!(out.contains("lock-enabled true"));
        assert!(out.contains("password: true"));
        assert!(out.contains("Bearer [REDACTED]"));
    }

    #[test]
    fn the_planted_secret_corpus_is_fully_redacted() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/secrets");
        let corpus = std::fs::read_to_string(format!("{root}/planted.txt")).unwrap();
        let needles = std::fs::read_to_string(format!("{root}/needles.txt")).unwrap();
        let out = Redactor::new()
            .with_literal("test-key-5f0c2a9e1b7d")
            .redact(&corpus);
        let leaked: Vec<&str> = needles
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter(|needle| out.contains(needle))
            .collect();
        assert!(leaked.is_empty(), "leaked {leaked:?} in:\n{out}");
        for kept in [
            "askForPassword = 1",
            "lock-enabled true",
            "password-required: true",
        ] {
            assert!(out.contains(kept), "{kept} was redacted:\n{out}");
        }
    }

    #[test]
    fn text_without_secrets_is_unchanged() {
        let text = "NAME TYPE\nsda disk\n└─sda1 part /boot\nuuid 7d3f-1a2b\n";
        assert_eq!(Redactor::new().redact(text), text);
    }
}
