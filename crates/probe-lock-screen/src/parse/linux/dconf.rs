//! dconf administrator locks: `dconf list-locks /org/gnome/` output, and the files it is built
//! from (`/etc/dconf/profile/user`, `/etc/dconf/db/NAME.d/locks/*`).

use std::collections::BTreeSet;

/// Key paths (`/org/gnome/desktop/session/idle-delay`) listed one per line by
/// `dconf list-locks` or in a `locks/` file; comments and blank lines are skipped.
pub fn parse_locks(text: &str) -> BTreeSet<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| l.starts_with('/') && !l.ends_with('/'))
        .map(str::to_string)
        .collect()
}

/// The system databases a dconf profile stacks under the user's own (`system-db:local` →
/// `local`), in profile order.
pub fn parse_profile_system_dbs(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.strip_prefix("system-db:"))
        .map(str::trim)
        .filter(|name| !name.is_empty() && !name.contains('/') && name != &"." && name != &"..")
        .map(str::to_string)
        .collect()
}

/// The dconf path of a GSettings key: `org.gnome.desktop.session` + `idle-delay` →
/// `/org/gnome/desktop/session/idle-delay` (true for the non-relocatable schemas read here).
pub fn key_path(schema: &str, key: &str) -> String {
    format!("/{}/{key}", schema.replace('.', "/"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn locks_and_profiles_are_read() {
        let locks = parse_locks(
            "# Lock screen settings\n/org/gnome/desktop/session/idle-delay\n\n/org/gnome/desktop/screensaver/\n",
        );
        assert_eq!(
            locks.into_iter().collect::<Vec<_>>(),
            ["/org/gnome/desktop/session/idle-delay"]
        );
        assert_eq!(
            parse_profile_system_dbs(
                "user-db:user\nsystem-db:local\n#system-db:x\nsystem-db:../etc\n"
            ),
            ["local"]
        );
        assert_eq!(
            key_path(
                "org.gnome.settings-daemon.plugins.power",
                "sleep-inactive-ac-type"
            ),
            "/org/gnome/settings-daemon/plugins/power/sleep-inactive-ac-type"
        );
    }
}
