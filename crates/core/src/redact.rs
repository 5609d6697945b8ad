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
    authorization: Regex,
    cookie: Regex,
    url_credentials: Regex,
    jwt: Regex,
    tokens: Regex,
    bitlocker_password: Regex,
    filevault_key: Regex,
    mysql_password: Regex,
    env_assignment: Regex,
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
            // An `Authorization:` / `Proxy-Authorization:` header (or `authorization=`): its
            // scheme is kept, everything after it on the line is the credential.
            authorization: compile(
                r#"(?i)(?-u:\b)((?:proxy-)?authorization["']?\s*[:=]\s*["']?)(?:(basic|bearer|digest|token|negotiate|ntlm|aws4-hmac-sha256)\s+)?[^\s"'][^\r\n"']*"#,
            ),
            // `Cookie:` and `Set-Cookie:` headers: session identifiers, all of the line.
            cookie: compile(r"(?i)(?-u:\b)((?:set-)?cookie\s*:\s*)[^\r\n]+"),
            // `scheme://user:password@host`: the password.
            url_credentials: compile(r"(?i)(?-u:\b)([a-z][a-z0-9+.-]*://[^\s/:@]*:)[^\s/@]+@"),
            // A JSON Web Token anywhere (header and payload are base64url JSON: `eyJ…`).
            jwt: compile(r"eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"),
            // Tokens recognisable by their prefix: Slack (`xoxb-`…), GitHub (`ghp_`…,
            // `github_pat_`), Stripe (`sk_live_`…), Google API keys (`AIza`), AWS access keys.
            tokens: compile(
                r"(?-u:\b)(?:xox[abposr]-[A-Za-z0-9-]{10,}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|[rs]k_(?:live|test)_[A-Za-z0-9]{8,}|AIza[0-9A-Za-z_-]{35}|(?:AKIA|ASIA)[0-9A-Z]{16})",
            ),
            // BitLocker numerical password: 8 groups of 6 digits.
            bitlocker_password: compile(r"(?-u:\b)\d{6}(?:-\d{6}){7}(?-u:\b)"),
            // FileVault personal recovery key: 6 groups of 4 upper-case letters or digits.
            filevault_key: compile(r"(?-u:\b)[A-Z0-9]{4}(?:-[A-Z0-9]{4}){5}(?-u:\b)"),
            // `mysql -pSECRET` (the password glued to `-p`) in a command line.
            mysql_password: compile(
                r"(?-u:\b)(mysql(?:dump|admin|sh)?(?-u:\b)[^\r\n]*?\s-p)([^\s'\x22]+)",
            ),
            // Environment-style `NAME_PASSWORD=value`, `PGPASSWORD=…`, `GITHUB_TOKEN=…`,
            // `AWS_SECRET_ACCESS_KEY=…` (upper case, any prefix, the name ending in the secret word).
            env_assignment: compile(
                r"(?-u:\b)([A-Z0-9_]*(?:PASSWORD|PASSWD|PASSPHRASE|PASS|PWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY))(\s*=\s*[\x22']?)([^\s\x22',;]+)",
            ),
            // `password = value`, `api_key: value`, `client_secret=value`, `pass=`, `pwd:`,
            // apt-config's `Foo::Passphrase "value";` … (the key ends a word, optionally after
            // `name_`).
            assignment: compile(
                r#"(?i)(?-u:\b)((?:[a-z0-9]+[_-])*(?:password|passwd|passphrase|pass|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key))(?-u:\b)(["']?\s*[=:]\s*["']?|\s+["'])([^\s"',;]+)"#,
            ),
        }
    })
}

/// Values too ordinary to be secrets where a key name matched (`password: true`).
fn harmless(value: &str) -> bool {
    value.len() < 4
        || value.eq_ignore_ascii_case("true")
        || value.eq_ignore_ascii_case("false")
        || value.eq_ignore_ascii_case("none")
        || value.eq_ignore_ascii_case("null")
        || value.eq_ignore_ascii_case("required")
        || value.starts_with(MARK)
        || value.chars().all(|ch| ch.is_ascii_digit())
}

/// A pattern matching `secret` in any letter case, each character either as itself or
/// percent-encoded (`-` may arrive as `%2D`, `/` as `%2f`).
fn literal_pattern(secret: &str) -> String {
    let mut pattern = String::from("(?i)");
    for c in secret.chars() {
        let mut utf8 = [0u8; 4];
        let encoded: String = c
            .encode_utf8(&mut utf8)
            .bytes()
            .map(|b| format!("%{b:02X}"))
            .collect();
        pattern.push_str(&format!("(?:{}|{encoded})", regex::escape(&c.to_string())));
    }
    pattern
}

/// Removes secrets from text: known secret shapes plus literal values the agent holds (its
/// API key), which are never shown even in part, whatever their letter case and also
/// percent-encoded (as a URL or form body carries them).
#[derive(Clone, Debug, Default)]
pub struct Redactor {
    literals: Vec<Regex>,
}

impl Redactor {
    /// A redactor for the built-in secret shapes only.
    pub fn new() -> Redactor {
        Redactor::default()
    }

    /// Also removes this exact value wherever it appears, in any letter case and
    /// percent-encoded (ignored when shorter than 8 characters, which would redact ordinary
    /// words).
    pub fn with_literal(mut self, secret: &str) -> Redactor {
        if secret.len() >= 8
            && let Ok(regex) = Regex::new(&literal_pattern(secret))
        {
            self.literals.push(regex);
        }
        self
    }

    /// Returns `text` with every secret replaced by [`MARK`].
    pub fn redact(&self, text: &str) -> String {
        let p = patterns();
        let mut out: Cow<str> = Cow::Borrowed(text);
        for literal in &self.literals {
            if let Cow::Owned(changed) = literal.replace_all(&out, MARK) {
                out = Cow::Owned(changed);
            }
        }
        let out = p.private_key.replace_all(&out, MARK);
        let out = p
            .bearer
            .replace_all(&out, |c: &Captures| format!("{} {MARK}", &c[1]));
        let out = p
            .authorization
            .replace_all(&out, |c: &Captures| match c.get(2) {
                Some(scheme) => format!("{}{} {MARK}", &c[1], scheme.as_str()),
                None => format!("{}{MARK}", &c[1]),
            });
        let out = p
            .cookie
            .replace_all(&out, |c: &Captures| format!("{}{MARK}", &c[1]));
        let out = p
            .url_credentials
            .replace_all(&out, |c: &Captures| format!("{}{MARK}@", &c[1]));
        let out = p.jwt.replace_all(&out, MARK);
        let out = p.tokens.replace_all(&out, MARK);
        let out = p.bitlocker_password.replace_all(&out, MARK);
        let out = p.filevault_key.replace_all(&out, MARK);
        let out = p
            .mysql_password
            .replace_all(&out, |c: &Captures| format!("{}{MARK}", &c[1]));
        let assignment = |c: &Captures| {
            if harmless(&c[3]) {
                c[0].to_string()
            } else {
                format!("{}{}{MARK}", &c[1], &c[2])
            }
        };
        let out = p.env_assignment.replace_all(&out, assignment);
        let out = p.assignment.replace_all(&out, assignment);
        out.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn planted_secrets_are_removed_and_ordinary_settings_kept() {
        let r = Redactor::new().with_literal("api-key-0123456789");
        let text = "\
Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.abc.def
key api-key-0123456789 in config
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
            "api-key-0123456789",
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
    fn more_shapes_and_the_key_in_any_case_or_encoding_are_removed() {
        let r = Redactor::new().with_literal("api-key/0123456789");
        let text = "\
API-KEY/0123456789 and api-key%2F0123456789 and Api-Key%2f0123456789
https://admin:hunter2hunter2@db.example.com/x
Authorization: Basic YWRtaW46aHVudGVyMg==
proxy-authorization: NTLM TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAGAbEdAAAADw==
Cookie: session=abc123def456; theme=dark
Set-Cookie: sid=31d4d96e407aad42; Path=/
PGPASSWORD=pg-s3cret-value psql -h db
MYSQL_PWD=mysql-s3cret
db_pass=p4ssw0rd-x pwd: topsecretpw
mysql -u root -pMySqlS3cret -h localhost
xoxb-123456789012-abcdefghijkl
github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz
sk_test_4eC39HqLyjWDarjtT1zdp7dc
AIzaSyA1234567890abcdefghijklmnopqrstuv
1Password: Google Chrome extension aeblfdkhhhdcdjpifhhbdiojplfjncoa 8.10.60
password-required: true
";
        let out = r.redact(text);
        for secret in [
            "0123456789",
            "hunter2hunter2",
            "YWRtaW46",
            "TlRMTVNTUA",
            "abc123def456",
            "31d4d96e407aad42",
            "pg-s3cret-value",
            "mysql-s3cret",
            "p4ssw0rd-x",
            "topsecretpw",
            "MySqlS3cret",
            "xoxb-1234",
            "github_pat_11",
            "sk_test_4eC39",
            "AIzaSyA1234",
        ] {
            assert!(!out.contains(secret), "{secret} leaked in:\n{out}");
        }
        assert!(
            out.contains("https://admin:[REDACTED]@db.example.com/x"),
            "{out}"
        );
        assert!(out.contains("Authorization: Basic [REDACTED]"), "{out}");
        assert!(out.contains("psql -h db"), "{out}");
        assert!(
            out.contains(
                "1Password: Google Chrome extension aeblfdkhhhdcdjpifhhbdiojplfjncoa 8.10.60"
            ),
            "{out}"
        );
        assert!(out.contains("password-required: true"), "{out}");
    }

    #[test]
    fn text_without_secrets_is_unchanged() {
        let text = "NAME TYPE\nsda disk\n└─sda1 part /boot\nuuid 7d3f-1a2b\n";
        assert_eq!(Redactor::new().redact(text), text);
    }
}
