//! rpm-ostree: `/etc/rpm-ostreed.conf` (a GKeyFile, rpm-ostreed.conf(5)) and its
//! `AutomaticUpdatePolicy`.

/// What rpm-ostreed does when `rpm-ostreed-automatic.timer` fires (rpm-ostreed.conf(5)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpdatePolicy {
    /// `none` (or `off`): automatic updates are disabled; the compiled-in default.
    None,
    /// `check`: downloads only enough metadata to show an update in `rpm-ostree status`.
    Check,
    /// `stage` (or the older `ex-stage`): downloads and unpacks the update for the next boot.
    Stage,
    /// `apply`: stages the update and reboots into it.
    Apply,
}

impl UpdatePolicy {
    /// The word rpm-ostree prints for it.
    pub fn name(self) -> &'static str {
        match self {
            UpdatePolicy::None => "none",
            UpdatePolicy::Check => "check",
            UpdatePolicy::Stage => "stage",
            UpdatePolicy::Apply => "apply",
        }
    }

    /// True when the policy installs updates (for the next boot or with a reboot).
    pub fn installs(self) -> bool {
        matches!(self, UpdatePolicy::Stage | UpdatePolicy::Apply)
    }
}

/// Parses a policy value as rpm-ostreed does (`rpmostree_str_to_auto_update_policy`, after
/// lower-casing): `none`/`off`, `check`, `stage`/`ex-stage`, `apply`. `Err` is the message
/// rpm-ostreed refuses to start with.
pub fn parse_policy(value: &str) -> Result<UpdatePolicy, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "none" | "off" => Ok(UpdatePolicy::None),
        "check" => Ok(UpdatePolicy::Check),
        "stage" | "ex-stage" => Ok(UpdatePolicy::Stage),
        "apply" => Ok(UpdatePolicy::Apply),
        _ => Err(format!(
            "Invalid value for AutomaticUpdatePolicy: '{}'",
            value.trim()
        )),
    }
}

/// `AutomaticUpdatePolicy` in the `[Daemon]` group of rpm-ostreed.conf, as written; `None`
/// when the key is absent or commented out (the shipped file has `#AutomaticUpdatePolicy=none`).
/// A later line wins, as in GKeyFile.
pub fn automatic_update_policy(text: &str) -> Option<String> {
    let mut in_daemon = false;
    let mut value = None;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(group) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            in_daemon = group == "Daemon";
            continue;
        }
        if !in_daemon {
            continue;
        }
        if let Some((key, v)) = line.split_once('=')
            && key.trim() == "AutomaticUpdatePolicy"
        {
            value = Some(v.trim().to_string());
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use devidence_testkit::probe::Fixtures;

    const LINUX: Fixtures = Fixtures::new(env!("CARGO_MANIFEST_DIR"), "linux");

    #[test]
    fn the_shipped_file_sets_nothing_so_the_default_none_applies() {
        let text = LINUX.text("rpm-ostreed-conf-shipped.conf");
        assert_eq!(automatic_update_policy(&text), None);
    }

    #[test]
    fn a_set_policy_is_read_from_the_daemon_group_only() {
        let text = LINUX.text("rpm-ostreed-conf-stage-constructed.conf");
        assert_eq!(automatic_update_policy(&text).as_deref(), Some("stage"));
        assert_eq!(
            automatic_update_policy("[Other]\nAutomaticUpdatePolicy=apply\n"),
            None
        );
        assert_eq!(
            automatic_update_policy(
                "[Daemon]\nAutomaticUpdatePolicy = check\nAutomaticUpdatePolicy=apply\n"
            )
            .as_deref(),
            Some("apply")
        );
    }

    #[test]
    fn policy_words_as_rpm_ostreed_reads_them() {
        assert_eq!(parse_policy("none"), Ok(UpdatePolicy::None));
        assert_eq!(parse_policy("off"), Ok(UpdatePolicy::None));
        assert_eq!(parse_policy("check"), Ok(UpdatePolicy::Check));
        assert_eq!(parse_policy("ex-stage"), Ok(UpdatePolicy::Stage));
        assert_eq!(parse_policy("Stage"), Ok(UpdatePolicy::Stage));
        assert_eq!(parse_policy("apply"), Ok(UpdatePolicy::Apply));
        assert!(parse_policy("weekly").unwrap_err().contains("'weekly'"));
        assert!(UpdatePolicy::Stage.installs() && !UpdatePolicy::Check.installs());
    }
}
