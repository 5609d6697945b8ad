//! apt and dpkg: `dpkg-query -W -f='${Status} ${Version}' PKG`, `apt-config dump`, the
//! `APT::Periodic` interval values, unattended-upgrades origins and its log.

/// A package's state according to dpkg.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PackageState {
    /// Fully installed (`install ok installed`, or waiting only for triggers).
    Installed {
        /// The installed version.
        version: String,
    },
    /// Removed, but its configuration files remain (`deinstall ok config-files`): the program
    /// is gone even though its apt settings still say it is on.
    ConfigFilesOnly {
        /// The version whose files remain.
        version: String,
    },
    /// dpkg knows nothing installed under that name.
    NotInstalled,
    /// Half-installed, unpacked but not configured, or marked for reinstallation.
    Broken {
        /// dpkg's status words, verbatim.
        status: String,
    },
}

/// Parses the output of `dpkg-query -W -f='${Status} ${Version}' PKG` (exit 0). `None` when the
/// text is not three status words and a version.
pub fn parse_dpkg_status(stdout: &str) -> Option<PackageState> {
    let words: Vec<&str> = stdout.split_whitespace().collect();
    let (want, flag, status) = match words.as_slice() {
        [want, flag, status, ..] => (*want, *flag, *status),
        _ => return None,
    };
    const WANTS: [&str; 5] = ["unknown", "install", "hold", "deinstall", "purge"];
    if !WANTS.contains(&want) || !(flag == "ok" || flag == "reinstreq") {
        return None;
    }
    let version = words.get(3).map(|v| (*v).to_string()).unwrap_or_default();
    Some(match status {
        "installed" | "triggers-pending" | "triggers-awaited" if flag == "ok" => {
            PackageState::Installed { version }
        }
        "config-files" => PackageState::ConfigFilesOnly { version },
        "not-installed" => PackageState::NotInstalled,
        "installed" | "triggers-pending" | "triggers-awaited" | "half-installed" | "unpacked"
        | "half-configured" => PackageState::Broken {
            status: format!("{want} {flag} {status}"),
        },
        _ => return None,
    })
}

/// True when `dpkg-query` says it has never heard of the package (exit 1 with
/// `dpkg-query: no packages found matching PKG` on stderr).
pub fn dpkg_says_unknown_package(stderr: &str) -> bool {
    stderr.contains("no packages found matching")
}

/// The configuration tree `apt-config dump` prints, one `Key "value";` per line. A key ending
/// in `::` is a list entry of the key before it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AptConfig {
    entries: Vec<(String, String)>,
}

impl AptConfig {
    /// The scalar value of `key` (the last one when repeated).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The entries of the list `key` (lines `key:: "…";`), in order.
    pub fn list(&self, key: &str) -> Vec<&str> {
        let item = format!("{key}::");
        self.entries
            .iter()
            .filter(|(k, _)| *k == item)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Number of settings parsed.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when nothing was parsed.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Parses `apt-config dump`. `Err` when not a single `Key "value";` line is found, which means
/// the output is not what apt prints.
pub fn parse_apt_config_dump(text: &str) -> Result<AptConfig, String> {
    let mut config = AptConfig::default();
    for line in text.lines() {
        let line = line.trim();
        let Some(body) = line.strip_suffix(';') else {
            continue;
        };
        let Some((key, value)) = body.split_once(' ') else {
            continue;
        };
        let Some(value) = value
            .trim()
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
        else {
            continue;
        };
        if key.is_empty() {
            continue;
        }
        config.entries.push((key.to_string(), value.to_string()));
    }
    if config.is_empty() {
        Err("`apt-config dump` printed no `Key \"value\";` lines".into())
    } else {
        Ok(config)
    }
}

/// An `APT::Periodic::*` setting as `apt.systemd.daily` reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Periodic {
    /// `0`, or the key is absent (apt's default for these keys).
    Off,
    /// Runs; the words say how often (`every 1 day`, `always`).
    On(String),
}

/// Interprets an `APT::Periodic::*` value the way `/usr/lib/apt/apt.systemd.daily` does: a number
/// of days, or a number with an `s`/`m`/`h`/`d` suffix, or `always`; `0` or absent is off.
/// `Err` for anything else, which apt would not understand either.
pub fn parse_periodic(value: Option<&str>) -> Result<Periodic, String> {
    let Some(raw) = value else {
        return Ok(Periodic::Off);
    };
    let value = raw.trim();
    if value.is_empty() {
        return Ok(Periodic::Off);
    }
    if value.eq_ignore_ascii_case("always") {
        return Ok(Periodic::On("always".into()));
    }
    let (digits, unit) = match value.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&value[..i], Some(c)),
        _ => (value, None),
    };
    let unit = match unit {
        None | Some('d') => "day",
        Some('h') => "hour",
        Some('m') => "minute",
        Some('s') => "second",
        Some(_) => {
            return Err(format!(
                "`{raw}` is not a number of days, an interval like `1d`, or `always`"
            ));
        }
    };
    let n: u64 = digits.parse().map_err(|_| {
        format!("`{raw}` is not a number of days, an interval like `1d`, or `always`")
    })?;
    Ok(match n {
        0 => Periodic::Off,
        1 => Periodic::On(format!("every 1 {unit}")),
        n => Periodic::On(format!("every {n} {unit}s")),
    })
}

/// The origins unattended-upgrades installs from: `Unattended-Upgrade::Origins-Pattern` plus the
/// older `Unattended-Upgrade::Allowed-Origins`.
pub fn unattended_origins(config: &AptConfig) -> Vec<String> {
    config
        .list("Unattended-Upgrade::Origins-Pattern")
        .into_iter()
        .chain(config.list("Unattended-Upgrade::Allowed-Origins"))
        .map(str::to_string)
        .collect()
}

/// True when an origin entry would admit the distribution's security updates: it names a
/// security pocket or label (`…-security`, `label=Debian-Security`), or it is a bare wildcard
/// origin (`origin=*`, `o=*`).
pub fn origin_covers_security(origin: &str) -> bool {
    if origin.to_ascii_lowercase().contains("security") {
        return true;
    }
    let parts: Vec<&str> = origin.split(',').map(str::trim).collect();
    parts.len() == 1 && matches!(parts[0], "origin=*" | "o=*")
}

/// The last non-empty line of the unattended-upgrades log and the time stamp of its last
/// `Starting unattended upgrades script` line, when any.
pub fn log_summary(text: &str) -> (Option<String>, Option<String>) {
    let last = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .map(|l| l.trim().to_string());
    let started = text
        .lines()
        .rev()
        .find(|l| l.contains("Starting unattended upgrades script"))
        .and_then(|l| l.get(..19))
        .map(str::to_string);
    (last, started)
}

#[cfg(test)]
mod tests {
    use super::*;
    use devidence_testkit::probe::Fixtures;

    const LINUX: Fixtures = Fixtures::new(env!("CARGO_MANIFEST_DIR"), "linux");

    #[test]
    fn dpkg_status_lines_recorded_on_debian_12() {
        assert_eq!(
            parse_dpkg_status(&LINUX.text("dpkg-query-uu-installed.txt")),
            Some(PackageState::Installed {
                version: "2.9.1+nmu3".into()
            })
        );
        assert_eq!(
            parse_dpkg_status(&LINUX.text("dpkg-query-uu-config-files.txt")),
            Some(PackageState::ConfigFilesOnly {
                version: "2.9.1+nmu3".into()
            })
        );
        assert!(dpkg_says_unknown_package(
            &LINUX.text("dpkg-query-uu-not-installed.stderr")
        ));
    }

    #[test]
    fn dpkg_status_odd_cases() {
        let table = [
            (
                "hold ok installed 2.9.1",
                Some(PackageState::Installed {
                    version: "2.9.1".into(),
                }),
            ),
            (
                "install ok unpacked 2.9.1",
                Some(PackageState::Broken {
                    status: "install ok unpacked".into(),
                }),
            ),
            (
                "install reinstreq installed 2.9.1",
                Some(PackageState::Broken {
                    status: "install reinstreq installed".into(),
                }),
            ),
            (
                "unknown ok not-installed ",
                Some(PackageState::NotInstalled),
            ),
            ("", None),
            ("garbled output", None),
            ("install ok sideways 1.0", None),
        ];
        for (text, want) in table {
            assert_eq!(parse_dpkg_status(text), want, "{text:?}");
        }
    }

    #[test]
    fn apt_config_dump_with_unattended_upgrades_enabled() {
        let config =
            parse_apt_config_dump(&LINUX.text("apt-config-dump-uu-enabled.txt")).expect("parses");
        assert_eq!(config.get("APT::Periodic::Update-Package-Lists"), Some("1"));
        assert_eq!(config.get("APT::Periodic::Unattended-Upgrade"), Some("1"));
        assert_eq!(config.get("APT::Periodic::Enable"), None);
        let origins = unattended_origins(&config);
        assert_eq!(
            origins,
            [
                "origin=Debian,codename=${distro_codename},label=Debian",
                "origin=Debian,codename=${distro_codename},label=Debian-Security",
                "origin=Debian,codename=${distro_codename}-security,label=Debian-Security",
            ]
        );
        assert_eq!(
            origins.iter().filter(|o| origin_covers_security(o)).count(),
            2
        );
    }

    #[test]
    fn apt_config_dump_disabled_and_absent() {
        let disabled =
            parse_apt_config_dump(&LINUX.text("apt-config-dump-uu-disabled.txt")).expect("parses");
        assert_eq!(
            parse_periodic(disabled.get("APT::Periodic::Unattended-Upgrade")),
            Ok(Periodic::Off)
        );
        let absent =
            parse_apt_config_dump(&LINUX.text("apt-config-dump-no-uu.txt")).expect("parses");
        assert!(absent.len() > 100);
        assert_eq!(
            parse_periodic(absent.get("APT::Periodic::Unattended-Upgrade")),
            Ok(Periodic::Off)
        );
        assert!(unattended_origins(&absent).is_empty());
        assert!(parse_apt_config_dump("E: Could not open lock file\n").is_err());
    }

    #[test]
    fn ubuntu_allowed_origins_count_as_security() {
        let config = parse_apt_config_dump(&LINUX.text("apt-config-dump-ubuntu-origins.txt"))
            .expect("parses");
        let origins = unattended_origins(&config);
        assert_eq!(origins.len(), 5);
        assert!(origin_covers_security(&origins[1]));
        assert!(!origin_covers_security(&origins[0]));
        assert!(!origin_covers_security(
            "${distro_id}:${distro_codename}-updates"
        ));
        assert!(origin_covers_security("o=*"));
        assert!(!origin_covers_security("origin=*,label=Backports"));
    }

    #[test]
    fn periodic_values_follow_apt_systemd_daily() {
        let table = [
            (Some("1"), Ok(Periodic::On("every 1 day".into()))),
            (Some("7"), Ok(Periodic::On("every 7 days".into()))),
            (Some("always"), Ok(Periodic::On("always".into()))),
            (Some("1d"), Ok(Periodic::On("every 1 day".into()))),
            (Some("12h"), Ok(Periodic::On("every 12 hours".into()))),
            (Some("30m"), Ok(Periodic::On("every 30 minutes".into()))),
            (Some("0"), Ok(Periodic::Off)),
            (Some("0d"), Ok(Periodic::Off)),
            (Some(""), Ok(Periodic::Off)),
            (None, Ok(Periodic::Off)),
        ];
        for (value, want) in table {
            assert_eq!(parse_periodic(value), want, "{value:?}");
        }
        for bad in ["yes", "1w", "-1", "one"] {
            assert!(parse_periodic(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn log_tail_gives_last_line_and_last_start() {
        let (last, started) = log_summary(&LINUX.text("uu-log-tail.txt"));
        assert_eq!(
            last.as_deref(),
            Some(
                "2026-11-23 22:52:29,283 INFO The list of kept packages can't be calculated in dry-run mode."
            )
        );
        assert_eq!(started.as_deref(), Some("2026-11-23 22:50:29"));
        assert_eq!(log_summary(""), (None, None));
    }
}
