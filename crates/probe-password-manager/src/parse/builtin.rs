//! Browsers' own password managers, read without decrypting anything: the number of entries
//! in Firefox's `logins.json` (never their contents), the `signon.rememberSignons` preference
//! in `prefs.js` / `user.js`, the enterprise policies in `policies.json` that switch password
//! saving off, and Safari's `AutoFillPasswords` as `plutil -extract … raw` prints it.
//!
//! Sources: support.mozilla.org "About your important data and their files" (revision 301782:
//! `logins.json` holds "Encrypted information about your saved usernames and passwords",
//! `key4.db` the key database); mozilla-firefox/firefox
//! `browser/components/enterprisepolicies/Policies.sys.mjs` @92f82fc8 (`PasswordManagerEnabled`
//! and `OfferToSaveLogins` call `setAndLockPref("signon.rememberSignons", param)`,
//! `OfferToSaveLoginsDefault` calls `setDefaultPref`); mozilla/policy-templates `docs/index.md`
//! (where `policies.json` goes); lateralblast/lunar `audit_safari_auto_fill.sh` and
//! fleetdm/fleet#9759 (Safari's `AutoFillPasswords` in the container plist).

use crate::parse::chromium::NOT_JSON;
use devidence_core::macos::{parse_plist, plist_bool};
use serde_json::Value;

/// Firefox's preference for offering to save logins (and filling them).
pub const REMEMBER_SIGNONS: &str = "signon.rememberSignons";

/// The key the kept extract of `logins.json` uses for the number of saved logins.
const SAVED_LOGINS: &str = "savedLogins";

/// The part of a `logins.json` text the evidence keeps: only how many entries its `logins`
/// array has (`{"savedLogins":N}`): no host, user name or encrypted field. Applying it to its
/// own output gives the same text; a text that is not JSON keeps nothing.
pub fn extract_logins_json(text: &str) -> String {
    let Ok(root) = serde_json::from_str::<Value>(text) else {
        return NOT_JSON.to_string();
    };
    let count = match root.get("logins") {
        Some(Value::Array(logins)) => Some(logins.len() as u64),
        _ => root.get(SAVED_LOGINS).and_then(Value::as_u64),
    };
    match count {
        Some(n) => serde_json::json!({ SAVED_LOGINS: n }).to_string(),
        None => "{}".to_string(),
    }
}

/// The number of saved logins in a `logins.json` text (or its kept extract). `Err` when the
/// text is not JSON or has no `logins` array.
pub fn parse_saved_logins(text: &str) -> Result<usize, String> {
    let kept = extract_logins_json(text);
    if kept == NOT_JSON {
        return Err("logins.json is not valid JSON".into());
    }
    serde_json::from_str::<Value>(&kept)
        .ok()
        .and_then(|v| v.get(SAVED_LOGINS).and_then(Value::as_u64))
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| "logins.json has no `logins` array".into())
}

/// The preference functions a preferences file (`prefs.js`, `user.js`) or an autoconfig file
/// sets a value with.
const PREF_FUNCTIONS: &[&str] = &["user_pref", "pref", "sticky_pref", "lockPref"];

/// A preferences file with its comments (`/* … */`, `//` and `#` to the end of the line)
/// replaced by a space, as Firefox's preference parser skips them: outside strings only, so a
/// URL value keeps its `//`, and a comment never joins the tokens around it. An unclosed
/// `/*` ends the file.
fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' | '\'' => {
                out.push(c);
                while let Some(inner) = chars.next() {
                    out.push(inner);
                    match inner {
                        '\\' => out.extend(chars.next()),
                        '\n' => break,
                        _ if inner == c => break,
                        _ => {}
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                let mut closed = false;
                for inner in chars.by_ref() {
                    if last == '*' && inner == '/' {
                        closed = true;
                        break;
                    }
                    last = inner;
                }
                if !closed {
                    break;
                }
                out.push(' ');
            }
            '/' if chars.peek() == Some(&'/') => skip_line(&mut chars, &mut out),
            '#' => skip_line(&mut chars, &mut out),
            _ => out.push(c),
        }
    }
    out
}

/// Skips a line comment, keeping the newline that ends it.
fn skip_line(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, out: &mut String) {
    for c in chars.by_ref() {
        if c == '\n' {
            out.push('\n');
            return;
        }
    }
}

/// Every `<function>("signon.rememberSignons", true|false)` statement in a preferences file,
/// in file order, as (function, value). A statement whose value is not a boolean, or a
/// mention of the name anywhere else (in a comment or another preference's string), is none.
fn remember_signons_statements(text: &str) -> Vec<(&'static str, bool)> {
    let text = strip_comments(text);
    let quoted = format!("\"{REMEMBER_SIGNONS}\"");
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find(&quoted).map(|i| from + i) {
        from = at + quoted.len();
        let before = text[..at].trim_end();
        let Some(before) = before.strip_suffix('(') else {
            continue;
        };
        let before = before.trim_end();
        let Some(function) = PREF_FUNCTIONS.iter().find(|f| {
            before.strip_suffix(**f).is_some_and(|head| {
                !head.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
            })
        }) else {
            continue;
        };
        let after = text[from..].trim_start();
        let Some(after) = after.strip_prefix(',') else {
            continue;
        };
        let after = after.trim_start();
        let (value, rest) = if let Some(rest) = after.strip_prefix("true") {
            (true, rest)
        } else if let Some(rest) = after.strip_prefix("false") {
            (false, rest)
        } else {
            continue;
        };
        if rest.trim_start().starts_with(')') {
            found.push((*function, value));
        }
    }
    found
}

/// The part of a preferences file the evidence keeps: each active statement that sets
/// `signon.rememberSignons` to a boolean, rewritten one per line as
/// `user_pref("signon.rememberSignons", false);` (comments and every other preference
/// dropped). Applying it to its own output gives the same text, and it gives the same
/// [`parse_remember_signons`] answer as the whole file.
pub fn extract_remember_signons(text: &str) -> String {
    remember_signons_statements(text)
        .into_iter()
        .map(|(function, value)| format!("{function}(\"{REMEMBER_SIGNONS}\", {value});\n"))
        .collect()
}

/// The value a preferences file gives `signon.rememberSignons` (`user_pref("…", false);`),
/// the last active statement winning as Firefox reads them; `None` when the file does not set
/// it to a boolean.
pub fn parse_remember_signons(text: &str) -> Option<bool> {
    remember_signons_statements(text)
        .last()
        .map(|(_, value)| *value)
}

/// What Firefox's enterprise policies say about saving passwords.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FirefoxPolicy {
    /// `PasswordManagerEnabled` (false locks `signon.rememberSignons` off).
    pub password_manager_enabled: Option<bool>,
    /// `OfferToSaveLogins` (locks `signon.rememberSignons` to its value).
    pub offer_to_save_logins: Option<bool>,
    /// `OfferToSaveLoginsDefault` (only the default; a person's own setting still wins).
    pub offer_to_save_logins_default: Option<bool>,
}

impl FirefoxPolicy {
    /// The locked value of `signon.rememberSignons` these policies set, with the policy's name.
    pub fn locked(&self) -> Option<(bool, &'static str)> {
        match (self.password_manager_enabled, self.offer_to_save_logins) {
            (Some(false), _) => Some((false, "PasswordManagerEnabled")),
            (_, Some(false)) => Some((false, "OfferToSaveLogins")),
            (Some(true), _) => Some((true, "PasswordManagerEnabled")),
            (_, Some(true)) => Some((true, "OfferToSaveLogins")),
            (None, None) => None,
        }
    }

    /// Adds what another policy source sets. Which of several sources Firefox prefers is not
    /// something this reads, so a `false` from any of them wins: a password manager a policy
    /// may have switched off is never counted.
    pub fn merge(&mut self, other: &FirefoxPolicy) {
        fn both(a: Option<bool>, b: Option<bool>) -> Option<bool> {
            match (a, b) {
                (Some(x), Some(y)) => Some(x && y),
                (x, y) => x.or(y),
            }
        }
        self.password_manager_enabled = both(
            self.password_manager_enabled,
            other.password_manager_enabled,
        );
        self.offer_to_save_logins = both(self.offer_to_save_logins, other.offer_to_save_logins);
        self.offer_to_save_logins_default = both(
            self.offer_to_save_logins_default,
            other.offer_to_save_logins_default,
        );
    }
}

/// Parses a `policies.json` (`{"policies": {…}}`) for the password-saving policies. `Err` when
/// it is not JSON or has no `policies` object (Firefox ignores such a file).
pub fn parse_policies_json(text: &str) -> Result<FirefoxPolicy, String> {
    let root: Value =
        serde_json::from_str(text).map_err(|e| format!("policies.json is not valid JSON: {e}"))?;
    let policies = root
        .get("policies")
        .and_then(Value::as_object)
        .ok_or("policies.json has no `policies` object")?;
    let flag = |name: &str| policies.get(name).and_then(Value::as_bool);
    Ok(FirefoxPolicy {
        password_manager_enabled: flag("PasswordManagerEnabled"),
        offer_to_save_logins: flag("OfferToSaveLogins"),
        offer_to_save_logins_default: flag("OfferToSaveLoginsDefault"),
    })
}

/// Reads the one value `plutil -extract <key> raw -o - <file>` prints (`true`/`false`, or
/// `1`/`0`) through the shared property-list helpers; `None` when it is not a yes/no.
pub fn parse_raw_bool(text: &str) -> Option<bool> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    parse_plist(text).ok().as_ref().and_then(plist_bool)
}

/// True when `plutil -extract` said the key is not in the file (`No value at that key path`).
pub fn plutil_key_missing(output: &str) -> bool {
    output.contains("No value at that key path")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_json_keeps_only_the_count() {
        let text = r#"{"nextId":3,"logins":[{"id":1,"hostname":"https://github.com","encryptedUsername":"MDIE"},{"id":2,"hostname":"https://example.org"}],"version":3}"#;
        let kept = extract_logins_json(text);
        assert_eq!(kept, r#"{"savedLogins":2}"#);
        assert_eq!(extract_logins_json(&kept), kept);
        assert_eq!(parse_saved_logins(text), Ok(2));
        assert_eq!(parse_saved_logins(&kept), Ok(2));
        assert_eq!(parse_saved_logins(r#"{"logins":[]}"#), Ok(0));
        assert!(parse_saved_logins(r#"{"logins":[{"id":1}"#).is_err());
        assert!(parse_saved_logins(r#"{"version":3}"#).is_err());
        assert_eq!(extract_logins_json("root:x:0:0"), NOT_JSON);
    }

    #[test]
    fn remember_signons_last_active_line_wins_and_comments_do_not_count() {
        assert_eq!(
            parse_remember_signons("user_pref(\"signon.rememberSignons\", false);\n"),
            Some(false)
        );
        assert_eq!(
            parse_remember_signons(
                "user_pref(\"signon.rememberSignons\", false);\nuser_pref(\"signon.rememberSignons\", true);\n"
            ),
            Some(true)
        );
        let commented = "// user_pref(\"signon.rememberSignons\", false);\n/* 5003\nuser_pref(\"signon.rememberSignons\", false);\n*/\nuser_pref(\"browser.startup.page\", 3);\n";
        assert_eq!(parse_remember_signons(commented), None);
        assert_eq!(extract_remember_signons(commented), "");
        let mixed = format!("{commented}user_pref(\"signon.rememberSignons\",false); // off\n");
        let kept = extract_remember_signons(&mixed);
        assert_eq!(kept, "user_pref(\"signon.rememberSignons\", false);\n");
        assert_eq!(extract_remember_signons(&kept), kept);
        assert_eq!(parse_remember_signons(&kept), Some(false));
        assert_eq!(
            parse_remember_signons("user_pref(\"signon.rememberSignonsX\", false);"),
            None
        );
    }

    #[test]
    fn remember_signons_comments_are_tokens_apart_and_strings_keep_their_slashes() {
        // A trailing comment that mentions the preference sets nothing.
        let trailing = "user_pref(\"browser.startup.page\", 3); // user_pref(\"signon.rememberSignons\", false);\n";
        assert_eq!(parse_remember_signons(trailing), None);
        let hashed = "# user_pref(\"signon.rememberSignons\", false);\n";
        assert_eq!(parse_remember_signons(hashed), None);
        // `//` inside a string value is not a comment; the statement after it counts.
        let url = "user_pref(\"a.url\", \"https://example.org/\"); user_pref(\"signon.rememberSignons\", false);\n";
        assert_eq!(parse_remember_signons(url), Some(false));
        // A comment between `/` and `*` does not join them into a new comment (found by the
        // fuzzer: the extract then read differently from the file).
        let joined = "x/ /* a */*y\nuser_pref(\"signon.rememberSignons\", false);\n";
        let kept = extract_remember_signons(joined);
        assert_eq!(kept, "user_pref(\"signon.rememberSignons\", false);\n");
        assert_eq!(extract_remember_signons(&kept), kept);
        // Only a preference function's statement with a boolean value counts.
        for other in [
            "foo(\"signon.rememberSignons\", false);",
            "my_user_pref(\"signon.rememberSignons\", false);",
            "user_pref(\"signon.rememberSignons\", 0);",
            "user_pref(\"signon.rememberSignons\", falsey);",
        ] {
            assert_eq!(parse_remember_signons(other), None, "{other}");
            assert_eq!(extract_remember_signons(other), "", "{other}");
        }
        assert_eq!(
            parse_remember_signons("pref( \"signon.rememberSignons\" ,\ttrue )"),
            Some(true)
        );
    }

    #[test]
    fn policies_json_password_saving() {
        let p = parse_policies_json(r#"{"policies":{"PasswordManagerEnabled":false}}"#).unwrap();
        assert_eq!(p.locked(), Some((false, "PasswordManagerEnabled")));
        let p = parse_policies_json(
            r#"{"policies":{"OfferToSaveLogins":false,"PasswordManagerEnabled":true}}"#,
        )
        .unwrap();
        assert_eq!(p.locked(), Some((false, "OfferToSaveLogins")));
        let p = parse_policies_json(r#"{"policies":{"OfferToSaveLoginsDefault":false}}"#).unwrap();
        assert_eq!(p.locked(), None);
        assert_eq!(p.offer_to_save_logins_default, Some(false));
        assert!(parse_policies_json(r#"{"PasswordManagerEnabled":false}"#).is_err());
        assert!(parse_policies_json("{").is_err());
        let mut first = FirefoxPolicy {
            offer_to_save_logins: Some(true),
            ..FirefoxPolicy::default()
        };
        first.merge(&FirefoxPolicy {
            offer_to_save_logins: Some(false),
            password_manager_enabled: Some(false),
            ..FirefoxPolicy::default()
        });
        assert_eq!(first.offer_to_save_logins, Some(false));
        assert_eq!(first.password_manager_enabled, Some(false));
    }

    #[test]
    fn plutil_raw_values() {
        assert_eq!(parse_raw_bool("true\n"), Some(true));
        assert_eq!(parse_raw_bool("false"), Some(false));
        assert_eq!(parse_raw_bool("1"), Some(true));
        assert_eq!(parse_raw_bool("0\n"), Some(false));
        assert_eq!(parse_raw_bool(""), None);
        assert_eq!(parse_raw_bool("maybe"), None);
        // The wording plutil uses for a missing key; written here, not from a recording.
        assert!(plutil_key_missing(
            "/Users/ada/Library/Containers/com.apple.Safari/Data/Library/Preferences/com.apple.Safari.plist: Could not extract value, error: No value at that key path or invalid key path: AutoFillPasswords"
        ));
    }
}
