//! One `getent passwd NAME` line, for accounts that live outside `/etc/passwd` (LDAP, SSSD,
//! systemd-homed), whose uids are often above the range `users::parse_passwd` keeps.

use devidence_core::UserContext;

/// Parses `name:x:uid:gid:gecos:home:shell` for the account `name`.
pub fn parse_getent_line(text: &str, name: &str) -> Option<UserContext> {
    text.lines().find_map(|line| {
        let f: Vec<&str> = line.trim_end().split(':').collect();
        if f.len() < 7 || f[0] != name || f[5].is_empty() {
            return None;
        }
        Some(UserContext {
            name: f[0].to_string(),
            uid: f[2].parse().ok()?,
            gid: f[3].parse().ok()?,
            home: f[5].to_string(),
        })
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_account_is_read() {
        let line = "jdoe@corp.example:*:1234500001:1234500001:Jane Doe:/home/jdoe@corp.example:/bin/bash\n";
        let ctx = parse_getent_line(line, "jdoe@corp.example").unwrap();
        assert_eq!(ctx.uid, 1_234_500_001);
        assert_eq!(ctx.home, "/home/jdoe@corp.example");
        assert!(parse_getent_line(line, "jdoe").is_none());
        assert!(parse_getent_line("broken", "broken").is_none());
    }
}
