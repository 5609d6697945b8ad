//! macOS building blocks every probe's macOS plan shares: who sits at the screen, the local
//! people's accounts, and plist parsing (XML and the ASCII form `defaults read` prints).
//!
//! All of it is plain Rust that runs anywhere, so macOS plans are tested on any OS against
//! recorded outputs. The agent runs as root from a LaunchDaemon; a command that must answer
//! for a person (screen lock, per-host preferences) runs with
//! [`CommandSpec::as_user`](crate::CommandSpec::as_user), which the real host turns into
//! `launchctl asuser UID sudo -H -u NAME`.

use crate::host::{CommandSpec, UserContext};
use crate::probe::ProbeRun;
use std::io::Cursor;

/// Prints the owner of `/dev/console`: the person at the screen, or `root` at the login
/// window.
pub fn console_owner_command() -> CommandSpec {
    CommandSpec::new("/usr/bin/stat", ["-f", "%Su", "/dev/console"])
}

/// Prints every account known to Directory Services as `name:`/`uid:`/`gid:`/`dir:` blocks.
pub fn user_accounts_command() -> CommandSpec {
    CommandSpec::new("/usr/bin/dscacheutil", ["-q", "user"])
}

/// Accounts that are not people: the login window's setup user and root.
const NOT_PEOPLE: [&str; 3] = ["root", "_mbsetupuser", "loginwindow"];

/// Parses `dscacheutil -q user`: blank-line separated blocks of `key: value` lines. Keeps the
/// people: uid 500 or more, not an underscore service account, with a home under `/Users`.
pub fn parse_user_accounts(text: &str) -> Vec<UserContext> {
    let mut users = Vec::new();
    for block in text.split("\n\n") {
        let field = |key: &str| {
            block.lines().find_map(|line| {
                let (k, v) = line.split_once(':')?;
                (k.trim() == key).then(|| v.trim().to_string())
            })
        };
        let (Some(name), Some(uid), Some(gid), Some(home)) =
            (field("name"), field("uid"), field("gid"), field("dir"))
        else {
            continue;
        };
        let (Ok(uid), Ok(gid)) = (uid.parse::<u32>(), gid.parse::<u32>()) else {
            continue;
        };
        if uid < 500 || name.starts_with('_') || !home.starts_with("/Users/") {
            continue;
        }
        if !users.iter().any(|u: &UserContext| u.name == name) {
            users.push(UserContext {
                name,
                uid,
                gid,
                home,
            });
        }
    }
    users.sort_by(|a, b| a.name.cmp(&b.name));
    users
}

/// The people with accounts on this Mac (uid ≥ 500, home under `/Users`). Full names and
/// shells are not kept in the evidence. Empty when Directory Services cannot be read.
pub fn local_users(run: &mut ProbeRun<'_>) -> Vec<UserContext> {
    let obs = run.run_minimised(user_accounts_command(), |line| {
        let key = line.split(':').next().unwrap_or("").trim();
        matches!(key, "name" | "uid" | "gid" | "dir" | "").then(|| line.to_string())
    });
    if obs.succeeded() {
        parse_user_accounts(&obs.stdout)
    } else {
        Vec::new()
    }
}

/// The person at the screen, or `None` at the login window, with no one signed in, or when
/// it cannot be read (the observations say which).
pub fn console_user(run: &mut ProbeRun<'_>) -> Option<UserContext> {
    let obs = run.run(console_owner_command());
    if !obs.succeeded() {
        return None;
    }
    let name = obs.stdout.trim().to_string();
    if name.is_empty() || NOT_PEOPLE.contains(&name.as_str()) {
        run.fact("console user", "none (login window)");
        return None;
    }
    let user = local_users(run).into_iter().find(|u| u.name == name);
    match &user {
        Some(u) => run.fact("console user", u.name.clone()),
        None => run.fact(
            "console user",
            format!("{name} (not found among local accounts)"),
        ),
    }
    user
}

/// Parses a property list printed as XML (`-plist` outputs, `plutil -convert xml1 -o -`,
/// `defaults export`) or in the ASCII/OpenStep form `defaults read` prints.
pub fn parse_plist(text: &str) -> Result<plist::Value, String> {
    let trimmed = text.trim_start();
    if trimmed.starts_with("<?xml")
        || trimmed.starts_with("<!DOCTYPE")
        || trimmed.starts_with("<plist")
    {
        plist::Value::from_reader_xml(Cursor::new(trimmed.as_bytes()))
            .map_err(|e| format!("not a valid XML property list: {e}"))
    } else {
        plist::Value::from_reader_ascii(Cursor::new(trimmed.as_bytes()))
            .map_err(|e| format!("not a valid property list: {e}"))
    }
}

/// A plist value read as a yes/no: booleans, integers 0/1, and the strings `defaults read`
/// prints (`1`, `0`, `true`, `false`, `YES`, `NO`).
pub fn plist_bool(value: &plist::Value) -> Option<bool> {
    match value {
        plist::Value::Boolean(b) => Some(*b),
        plist::Value::Integer(i) => match i.as_signed() {
            Some(0) => Some(false),
            Some(1) => Some(true),
            _ => None,
        },
        plist::Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" => Some(true),
            "0" | "false" | "no" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// A plist value read as a whole number: integers, and digit strings from `defaults read`.
pub fn plist_int(value: &plist::Value) -> Option<i64> {
    match value {
        plist::Value::Integer(i) => i.as_signed(),
        plist::Value::Real(r) if r.fract() == 0.0 => Some(*r as i64),
        plist::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_and_xml_plists_parse_to_the_same_values() {
        let ascii = "{\n    AutomaticCheckEnabled = 1;\n    LastResultCode = 2;\n    Name = \"Some thing\";\n}\n";
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0"><dict><key>AutomaticCheckEnabled</key><true/><key>LastResultCode</key><integer>2</integer></dict></plist>"#;
        for text in [ascii, xml] {
            let dict = parse_plist(text).unwrap().into_dictionary().unwrap();
            assert_eq!(
                dict.get("AutomaticCheckEnabled").and_then(plist_bool),
                Some(true)
            );
            assert_eq!(dict.get("LastResultCode").and_then(plist_int), Some(2));
        }
        assert!(parse_plist("FileVault is On.").is_err());
    }
}
