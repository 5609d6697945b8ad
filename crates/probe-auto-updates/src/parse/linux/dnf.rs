//! dnf-automatic: `rpm -q PKG…` and the INI-style `automatic.conf`.

/// Parses `rpm -q NAME…` (one line per name, in order). Returns the installed packages as
/// `(name, version-release.arch)`; `package NAME is not installed` lines are skipped. `Err` when a
/// line is neither form, which is not rpm's output.
pub fn parse_rpm_q(stdout: &str, names: &[&str]) -> Result<Vec<(String, String)>, String> {
    let mut installed = Vec::new();
    for line in stdout.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if line.starts_with("package ") && line.ends_with(" is not installed") {
            continue;
        }
        // Longest name first so `dnf5-plugin-automatic` is not read as `dnf5-…`.
        let mut candidates: Vec<&&str> = names.iter().collect();
        candidates.sort_by_key(|n| std::cmp::Reverse(n.len()));
        let found = candidates.into_iter().find_map(|name| {
            line.strip_prefix(*name)
                .and_then(|rest| rest.strip_prefix('-'))
                .filter(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
                .map(|rest| ((*name).to_string(), rest.to_string()))
        });
        match found {
            Some(pair) => installed.push(pair),
            None => return Err(format!("unexpected line in `rpm -q` output: `{line}`")),
        }
    }
    Ok(installed)
}

/// The `[commands]` settings of dnf-automatic's configuration that decide what it does.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AutomaticConf {
    /// `apply_updates` as written (`yes`, `no`, …), `None` when absent.
    pub apply_updates: Option<String>,
    /// `download_updates` as written.
    pub download_updates: Option<String>,
    /// `upgrade_type` as written (`default`, `security`).
    pub upgrade_type: Option<String>,
}

impl AutomaticConf {
    /// Layers `over` on top of `self` (later files override earlier ones, key by key).
    pub fn overlay(mut self, over: &AutomaticConf) -> AutomaticConf {
        if over.apply_updates.is_some() {
            self.apply_updates.clone_from(&over.apply_updates);
        }
        if over.download_updates.is_some() {
            self.download_updates.clone_from(&over.download_updates);
        }
        if over.upgrade_type.is_some() {
            self.upgrade_type.clone_from(&over.upgrade_type);
        }
        self
    }
}

/// Parses the `[commands]` section of `automatic.conf` (libdnf INI: `key = value`, `#`/`;`
/// comments).
pub fn parse_automatic_conf(text: &str) -> AutomaticConf {
    let mut conf = AutomaticConf::default();
    let mut in_commands = false;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            in_commands = section.trim() == "commands";
            continue;
        }
        if !in_commands {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = Some(value.trim().to_string());
        match key.trim() {
            "apply_updates" => conf.apply_updates = value,
            "download_updates" => conf.download_updates = value,
            "upgrade_type" => conf.upgrade_type = value,
            _ => {}
        }
    }
    conf
}

/// A libdnf boolean (`1`, `yes`, `true`, `on` / `0`, `no`, `false`, `off`); `None` otherwise.
pub fn parse_bool(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "yes" | "true" | "on" => Some(true),
        "0" | "no" | "false" | "off" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use devidence_testkit::probe::Fixtures;

    const LINUX: Fixtures = Fixtures::new(env!("CARGO_MANIFEST_DIR"), "linux");

    const NAMES: [&str; 2] = ["dnf-automatic", "dnf5-plugin-automatic"];

    #[test]
    fn rpm_q_recorded_outputs() {
        assert_eq!(
            parse_rpm_q(&LINUX.text("rpm-q-dnf-automatic-absent.txt"), &NAMES),
            Ok(vec![])
        );
        assert_eq!(
            parse_rpm_q(&LINUX.text("rpm-q-dnf-automatic-installed.txt"), &NAMES),
            Ok(vec![(
                "dnf-automatic".into(),
                "4.18.0-2.fc39.noarch".into()
            )])
        );
        assert_eq!(
            parse_rpm_q("dnf5-plugin-automatic-5.2.8.1-3.fc41.x86_64\n", &NAMES),
            Ok(vec![(
                "dnf5-plugin-automatic".into(),
                "5.2.8.1-3.fc41.x86_64".into()
            )])
        );
        assert!(parse_rpm_q("error: rpmdb open failed\n", &NAMES).is_err());
    }

    #[test]
    fn shipped_configurations_are_download_only() {
        for file in [
            "dnf4-automatic.conf",
            "dnf5-automatic-etc.conf",
            "dnf5-automatic-share.conf",
        ] {
            let conf = parse_automatic_conf(&LINUX.text(file));
            assert_eq!(conf.apply_updates.as_deref(), Some("no"), "{file}");
            assert_eq!(conf.download_updates.as_deref(), Some("yes"), "{file}");
            assert_eq!(conf.upgrade_type.as_deref(), Some("default"), "{file}");
        }
    }

    #[test]
    fn later_files_override_and_other_sections_are_ignored() {
        let base = parse_automatic_conf(&LINUX.text("dnf5-automatic-share.conf"));
        let admin = parse_automatic_conf(
            "[commands]\napply_updates = yes\nupgrade_type=security\n[base]\napply_updates = no\n",
        );
        let effective = base.overlay(&admin);
        assert_eq!(effective.apply_updates.as_deref(), Some("yes"));
        assert_eq!(effective.upgrade_type.as_deref(), Some("security"));
        assert_eq!(effective.download_updates.as_deref(), Some("yes"));
        assert_eq!(parse_bool("Yes"), Some(true));
        assert_eq!(parse_bool("off"), Some(false));
        assert_eq!(parse_bool("maybe"), None);
    }
}
