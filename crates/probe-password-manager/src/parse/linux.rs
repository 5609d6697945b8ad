//! Linux package lists: `dpkg-query -W -f='${Package}\t${Status}\t${Version}\n'`,
//! `rpm -qa --qf '%{NAME}\t%{VERSION}\n'` and `flatpak list --app --columns=application,version`.

/// One installed package or app: name (or application ID) and version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Package {
    /// Package name or flatpak application ID.
    pub name: String,
    /// Version as the tool printed it (may be empty).
    pub version: String,
}

/// Parses the dpkg list, keeping only packages whose status is installed (`install ok
/// installed`, `hold ok installed`); removed packages with configuration files left are not
/// installed. `Err` when no line has the three tab-separated fields, i.e. not this format.
pub fn parse_dpkg_list(text: &str) -> Result<Vec<Package>, String> {
    let mut packages = Vec::new();
    let mut well_formed = 0;
    for line in text.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        let [name, status, version] = fields.as_slice() else {
            continue;
        };
        well_formed += 1;
        let words: Vec<&str> = status.split_whitespace().collect();
        if matches!(words.as_slice(), [_, "ok", "installed"]) {
            packages.push(Package {
                name: (*name).to_string(),
                version: (*version).to_string(),
            });
        }
    }
    if well_formed == 0 && !text.trim().is_empty() {
        return Err("the dpkg list has no `package<TAB>status<TAB>version` lines".into());
    }
    Ok(packages)
}

/// Parses `rpm -qa --qf '%{NAME}\t%{VERSION}\n'`. An empty database prints nothing. `Err` when
/// a non-empty line lacks the tab, i.e. not this format.
pub fn parse_rpm_list(text: &str) -> Result<Vec<Package>, String> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| match line.split_once('\t') {
            Some((name, version)) if !name.is_empty() => Ok(Package {
                name: name.to_string(),
                version: version.trim().to_string(),
            }),
            _ => Err(format!("unexpected line in the rpm list: `{line}`")),
        })
        .collect()
}

/// True for a flatpak application ID (reverse DNS with at least three parts, e.g.
/// `org.keepassxc.KeePassXC`).
fn is_app_id(word: &str) -> bool {
    let parts: Vec<&str> = word.split('.').collect();
    parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        })
}

/// Parses `flatpak list --app --columns=application,version`: one app per line, tab-separated
/// when not on a terminal. Terminal-style tables (name first, columns padded with spaces) are
/// read too, by taking the first word that is an application ID and the word after it.
pub fn parse_flatpak_list(text: &str) -> Vec<Package> {
    text.lines()
        .filter_map(|line| {
            if let Some((id, version)) = line.split_once('\t')
                && is_app_id(id.trim())
            {
                return Some(Package {
                    name: id.trim().to_string(),
                    version: version
                        .split('\t')
                        .next()
                        .unwrap_or_default()
                        .trim()
                        .to_string(),
                });
            }
            let words: Vec<&str> = line.split_whitespace().collect();
            let at = words.iter().position(|w| is_app_id(w))?;
            Some(Package {
                name: words[at].to_string(),
                version: words
                    .get(at + 1)
                    .map(|v| (*v).to_string())
                    .unwrap_or_default(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use devidence_testkit::probe::Fixtures;

    const LINUX: Fixtures = Fixtures::new(env!("CARGO_MANIFEST_DIR"), "linux");

    fn names(packages: &[Package]) -> Vec<&str> {
        packages.iter().map(|p| p.name.as_str()).collect()
    }

    #[test]
    fn dpkg_lists_recorded_on_debian_12() {
        let with = parse_dpkg_list(&LINUX.text("dpkg-query-list-keepassxc.txt")).expect("parses");
        let keepassxc = with
            .iter()
            .find(|p| p.name == "keepassxc")
            .expect("keepassxc listed");
        assert_eq!(keepassxc.version, "2.7.4+dfsg.1-2");
        assert!(names(&with).contains(&"webext-keepassxc-browser"));
        assert!(names(&with).contains(&"pass"));
        let baseline =
            parse_dpkg_list(&LINUX.text("dpkg-query-list-baseline.txt")).expect("parses");
        assert_eq!(baseline.len(), 726);
        assert!(!names(&baseline).contains(&"keepassxc"));
    }

    #[test]
    fn dpkg_list_drops_removed_packages_and_rejects_garbage() {
        let text =
            "keepassxc\tdeinstall ok config-files\t2.7.4\nbitwarden\thold ok installed\t2024.1.0\n";
        assert_eq!(
            names(&parse_dpkg_list(text).expect("parses")),
            ["bitwarden"]
        );
        assert!(parse_dpkg_list("dpkg-query: error: database is locked\n").is_err());
        assert_eq!(parse_dpkg_list(""), Ok(vec![]));
    }

    #[test]
    fn rpm_list_recorded() {
        let list = parse_rpm_list(&LINUX.text("rpm-qa.txt")).expect("parses");
        assert_eq!(names(&list), ["keepassxc", "dnf-automatic", "1password"]);
        assert_eq!(list[2].version, "8.10.60");
        assert_eq!(parse_rpm_list(""), Ok(vec![]));
        assert!(parse_rpm_list("error: cannot open Packages database in /var/lib/rpm\n").is_err());
    }

    #[test]
    fn flatpak_lists_recorded_and_from_an_issue() {
        let system = parse_flatpak_list(&LINUX.text("flatpak-list-system.txt"));
        assert_eq!(
            system,
            [Package {
                name: "org.keepassxc.KeePassXC".into(),
                version: "2.7.9".into()
            }]
        );
        let both = parse_flatpak_list(&LINUX.text("flatpak-list-root-and-user.txt"));
        assert_eq!(
            names(&both),
            ["com.bitwarden.desktop", "org.keepassxc.KeePassXC"]
        );
        let tty = parse_flatpak_list(&LINUX.text("flatpak-list-tty-bazaar-269.txt"));
        assert_eq!(
            names(&tty),
            [
                "app.drey.KeyRack",
                "app.drey.Warp",
                "app.polychromatic.controller",
                "ar.com.tuxguitar.TuxGuitar"
            ]
        );
        assert_eq!(tty[0].version, "0.4.0");
        assert!(parse_flatpak_list("error: No such remote\n").is_empty());
    }
}
