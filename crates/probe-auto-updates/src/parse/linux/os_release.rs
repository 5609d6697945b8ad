//! `/etc/os-release` (os-release(5)): which distribution family's update mechanism to look for.

/// The fields of os-release this probe uses.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OsRelease {
    /// `ID`, lower-case (`debian`, `ubuntu`, `fedora`, …).
    pub id: String,
    /// `ID_LIKE`, split on spaces (`["rhel", "fedora"]`).
    pub id_like: Vec<String>,
    /// `PRETTY_NAME`, for people.
    pub pretty_name: String,
    /// `VERSION_ID`.
    pub version_id: String,
    /// `VARIANT_ID`, lower-case (`silverblue`, `kinoite`, `coreos`, …; empty when absent).
    pub variant_id: String,
}

/// The update mechanism family a distribution belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// Debian, Ubuntu and derivatives: apt + unattended-upgrades.
    Debian,
    /// Fedora, RHEL, CentOS, Rocky, Alma: dnf + dnf-automatic.
    Fedora,
    /// openSUSE and SLES: transactional-update or os-update timers.
    Suse,
    /// Arch Linux and derivatives (Manjaro, EndeavourOS): pacman, with no automatic updates by
    /// design.
    Arch,
    /// Anything else.
    Other,
}

impl Family {
    /// Lower-case name for facts.
    pub fn name(self) -> &'static str {
        match self {
            Family::Debian => "debian",
            Family::Fedora => "fedora",
            Family::Suse => "suse",
            Family::Arch => "arch",
            Family::Other => "other",
        }
    }
}

impl OsRelease {
    /// The family, from `ID` first and then `ID_LIKE` in order.
    pub fn family(&self) -> Family {
        std::iter::once(self.id.as_str())
            .chain(self.id_like.iter().map(String::as_str))
            .find_map(|id| match id {
                "debian" | "ubuntu" => Some(Family::Debian),
                "fedora" | "rhel" | "centos" => Some(Family::Fedora),
                "suse" | "sles" | "opensuse" => Some(Family::Suse),
                other if other.starts_with("opensuse") => Some(Family::Suse),
                // `archlinux` is the ID the filesystem package shipped before 2012.
                "arch" | "archlinux" | "archarm" => Some(Family::Arch),
                _ => None,
            })
            .unwrap_or(Family::Other)
    }

    /// `PRETTY_NAME`, or `ID` when the file has no pretty name.
    pub fn display_name(&self) -> &str {
        if self.pretty_name.is_empty() {
            &self.id
        } else {
            &self.pretty_name
        }
    }
}

/// Parses os-release text: `KEY=value` lines, values optionally in single or double quotes.
/// Returns `None` when the text has no `ID=` line (not an os-release file).
pub fn parse(text: &str) -> Option<OsRelease> {
    let mut release = OsRelease::default();
    let mut saw_id = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        let Some((key, raw)) = line.split_once('=') else {
            continue;
        };
        let value = unquote(raw.trim());
        match key.trim() {
            "ID" => {
                release.id = value.to_ascii_lowercase();
                saw_id = true;
            }
            "ID_LIKE" => {
                release.id_like = value
                    .split_whitespace()
                    .map(str::to_ascii_lowercase)
                    .collect()
            }
            "PRETTY_NAME" => release.pretty_name = value,
            "VERSION_ID" => release.version_id = value,
            "VARIANT_ID" => release.variant_id = value.to_ascii_lowercase(),
            _ => {}
        }
    }
    saw_id.then_some(release)
}

fn unquote(raw: &str) -> String {
    let inner = raw
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .or_else(|| raw.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')))
        .unwrap_or(raw);
    // os-release(5): backslash escapes of ", \, $ and ` inside double quotes.
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use devidence_testkit::probe::Fixtures;

    const LINUX: Fixtures = Fixtures::new(env!("CARGO_MANIFEST_DIR"), "linux");

    #[test]
    fn real_os_release_files_map_to_their_family() {
        let cases = [
            (
                "os-release-debian12.txt",
                "debian",
                Family::Debian,
                "Debian GNU/Linux 12 (bookworm)",
            ),
            (
                "os-release-ubuntu2204.txt",
                "ubuntu",
                Family::Debian,
                "Ubuntu 22.04.2 LTS",
            ),
            (
                "os-release-fedora38.txt",
                "fedora",
                Family::Fedora,
                "Fedora Linux 38 (Container Image)",
            ),
            (
                "os-release-centos8.txt",
                "centos",
                Family::Fedora,
                "CentOS Linux 8",
            ),
        ];
        for (file, id, family, pretty) in cases {
            let release = parse(&LINUX.text(file)).expect(file);
            assert_eq!(release.id, id, "{file}");
            assert_eq!(release.family(), family, "{file}");
            assert_eq!(release.display_name(), pretty, "{file}");
        }
    }

    #[test]
    fn image_based_and_suse_releases() {
        let cases = [
            (
                "os-release-silverblue-constructed.txt",
                "fedora",
                "silverblue",
                Family::Fedora,
            ),
            (
                "os-release-microos.txt",
                "opensuse-microos",
                "",
                Family::Suse,
            ),
            (
                "os-release-opensuse-leap42.txt",
                "opensuse",
                "",
                Family::Suse,
            ),
        ];
        for (file, id, variant, family) in cases {
            let release = parse(&LINUX.text(file)).expect(file);
            assert_eq!(release.id, id, "{file}");
            assert_eq!(release.variant_id, variant, "{file}");
            assert_eq!(release.family(), family, "{file}");
        }
    }

    #[test]
    fn id_like_decides_for_derivatives_and_unknown_ids_are_other() {
        let mint = parse("ID=linuxmint\nID_LIKE=\"ubuntu debian\"\n").expect("id");
        assert_eq!(mint.family(), Family::Debian);
        let tumbleweed =
            parse("ID=\"opensuse-tumbleweed\"\nID_LIKE=\"opensuse suse\"\n").expect("id");
        assert_eq!(tumbleweed.family(), Family::Suse);
        assert_eq!(parse("ID=arch\n").expect("id").family(), Family::Arch);
        let manjaro = parse("ID=manjaro\nID_LIKE=arch\n").expect("id");
        assert_eq!(manjaro.family(), Family::Arch);
        assert_eq!(parse("ID=void\n").expect("id").family(), Family::Other);
        assert_eq!(parse("garbage without keys\n"), None);
    }
}
