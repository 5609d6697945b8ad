//! Facts in, verdict out: any installed password manager passes; nothing found fails only when
//! every source was read; otherwise the probe says what it could not read. A browser extension
//! counts only when its profile registers and enables it in an installed browser
//! (`conclude_chromium`, `conclude_firefox`).

use crate::catalog::Product;
use crate::parse::browsers::Addon;
use crate::scan::{AddonOnDisk, ChromiumProfile};
use crate::{linux, macos, windows};
use devidence_core::Conclusion;

/// One place a password manager was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    /// The product (catalogue name).
    pub product: &'static str,
    /// How it is installed, e.g. `deb package keepassxc 2.7.4` or `Firefox extension
    /// keepassxc-browser@keepassxc.org 1.8.4 (enabled)`.
    pub how: String,
    /// Whose it is: `system-wide`, or `user alice, profile Default`.
    pub whose: String,
}

impl Hit {
    /// `product` found, installed `how`, belonging to `whose`.
    pub fn new(product: &Product, how: String, whose: String) -> Hit {
        Hit {
            product: product.name,
            how,
            whose,
        }
    }

    /// `KeePassXC: deb package keepassxc 2.7.4 (system-wide)`.
    pub fn describe(&self) -> String {
        format!("{}: {} ({})", self.product, self.how, self.whose)
    }
}

/// Everything the plan looked at.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Survey {
    /// Password managers found.
    pub hits: Vec<Hit>,
    /// Sources that were read completely (`deb packages`, `alice's browser profiles`, …).
    pub read: Vec<String>,
    /// Sources that exist but could not be read, each with the reason.
    pub unreadable: Vec<String>,
}

/// What the plan saw but did not count, and where it stopped short: facts for the report,
/// not for the verdict.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Notes {
    /// Extensions found but not counted (disabled, not registered, in a browser that is not
    /// installed), each saying why.
    pub not_counted: Vec<String>,
    /// Scans cut short by a cap (profiles per browser, entries per folder).
    pub truncated: Vec<String>,
}

/// What to do when no password manager is found.
pub const INSTALL_REMEDY: &str = "Install the company's approved password manager: its desktop app (for example `sudo apt install keepassxc`, or 1Password or Bitwarden from the vendor's repository) and its browser extension in the browser profiles you use.";

/// The same advice for macOS and Windows, where the vendor's installer is the way.
pub const INSTALL_REMEDY_DESKTOP: &str = "Install the company's approved password manager (for example 1Password, Bitwarden or KeePassXC from the vendor's site or the company portal) and its browser extension in the browser profiles you use.";

/// The Linux verdict: the survey of packages, system folders and every person's apps and
/// browser profiles.
pub fn conclude_linux(facts: &linux::Facts) -> Conclusion {
    conclude_survey(&facts.survey, INSTALL_REMEDY)
}

/// The macOS verdict: the survey of the Applications folders, Spotlight and every person's
/// browser profiles.
pub fn conclude_macos(facts: &macos::Facts) -> Conclusion {
    conclude_survey(&facts.survey, INSTALL_REMEDY_DESKTOP)
}

/// The Windows verdict: the survey of the installed programs and every person's browser
/// profiles.
pub fn conclude_windows(facts: &windows::Facts) -> Conclusion {
    conclude_survey(&facts.survey, INSTALL_REMEDY_DESKTOP)
}

/// Any hit passes; nothing found fails (with `install_remedy`) only when every source was
/// read; otherwise unknown, naming what could not be read.
fn conclude_survey(survey: &Survey, install_remedy: &str) -> Conclusion {
    if !survey.hits.is_empty() {
        let mut products: Vec<&str> = Vec::new();
        for hit in &survey.hits {
            if !products.contains(&hit.product) {
                products.push(hit.product);
            }
        }
        let places = survey.hits.len();
        return Conclusion::pass(format!(
            "Found {} installed in {places} place{}, first as {}.",
            join_words(&products),
            if places == 1 { "" } else { "s" },
            survey.hits[0].describe()
        ));
    }
    if survey.read.is_empty() {
        let why = if survey.unreadable.is_empty() {
            "no package database, home directory or browser profile could be read".to_string()
        } else {
            format!("no source could be read ({})", survey.unreadable.join("; "))
        };
        return Conclusion::unknown(
            why.clone(),
            format!("Could not look for a password manager because {why}."),
            Some("Run the agent as root so it can read the package databases and every user's home directory.".into()),
        );
    }
    if !survey.unreadable.is_empty() {
        let why = format!(
            "no password manager found in {}, but {} could not be read",
            survey.read.join(", "),
            survey.unreadable.join("; ")
        );
        return Conclusion::unknown(
            why.clone(),
            format!("Could not rule out a password manager: {why}."),
            Some("Run the agent as root so it can read every user's home directory.".into()),
        );
    }
    Conclusion::fail(
        format!(
            "No password manager was found in {}.",
            survey.read.join(", ")
        ),
        install_remedy,
    )
}

/// What one catalogue extension found in a browser profile counts as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ExtensionState {
    /// Registered and enabled in an installed browser: a password manager.
    Hit(Hit),
    /// Found but not counted, and why (a `not_counted` fact).
    NotCounted(String),
    /// Its state could not be read: not a hit, and not proof of none either.
    Unreadable(String),
}

/// Counts the extensions a Chromium profile registered and enabled, in a browser that is
/// installed; the rest are not counted; an unreadable profile makes them unreadable (never a
/// hit: the folder alone proves nothing).
pub(crate) fn conclude_chromium(
    found: &[(&Product, &String)],
    browser: &str,
    place: &str,
    profile: &ChromiumProfile,
) -> Vec<ExtensionState> {
    let (how_installed, registered) = match profile {
        ChromiumProfile::BrowserMissing { ways } => {
            return found
                .iter()
                .map(|(product, id)| {
                    ExtensionState::NotCounted(format!(
                        "{}: {browser} extension {id} is in a profile folder, but {browser} is not installed (none of: {}) ({place})",
                        product.name,
                        ways.join(", ")
                    ))
                })
                .collect();
        }
        ChromiumProfile::Installed {
            how_installed,
            registered,
        } => (how_installed, registered),
    };
    let registered = match registered {
        Ok(registered) => registered,
        Err(why) => {
            let names: Vec<&str> = found.iter().map(|(p, _)| p.name).collect();
            return vec![ExtensionState::Unreadable(format!(
                "whether {} is enabled in {browser} ({place}: {why})",
                names.join(", ")
            ))];
        }
    };
    found
        .iter()
        .map(|(product, id)| match registered.iter().find(|r| &r.id == *id) {
            Some(entry) if entry.enabled() => ExtensionState::Hit(Hit::new(
                product,
                format!(
                    "{browser} extension {id}{} (enabled in the profile's preferences; {browser} installed as {how_installed})",
                    entry.version.as_deref().map(|v| format!(" {v}")).unwrap_or_default()
                ),
                place.to_string(),
            )),
            Some(entry) if entry.installed() => ExtensionState::NotCounted(format!(
                "{}: {browser} extension {id} is installed but disabled ({}) ({place})",
                product.name,
                entry.why_disabled()
            )),
            Some(entry) => ExtensionState::NotCounted(format!(
                "{}: {browser} extension {id} has an entry in the profile's preferences but is not installed ({}) ({place})",
                product.name,
                entry.why_disabled()
            )),
            None => ExtensionState::NotCounted(format!(
                "{}: {browser} extension {id} has a folder but is not registered in the profile's preferences (a leftover, not an installed extension) ({place})",
                product.name
            )),
        })
        .collect()
}

/// Counts the candidates a Firefox profile's `extensions.json` registered and enabled (each
/// add-on ID once); the rest are not counted; an unreadable `extensions.json` makes them
/// unreadable.
pub(crate) fn conclude_firefox(
    candidates: &[AddonOnDisk],
    addons: &Result<Vec<Addon>, String>,
    browser: &str,
    place: &str,
) -> Vec<ExtensionState> {
    let mut seen: Vec<&str> = Vec::new();
    let mut counted = Vec::new();
    for candidate in candidates {
        if seen.contains(&candidate.id.as_str()) {
            continue;
        }
        seen.push(&candidate.id);
        let product = candidate.product;
        let id = &candidate.id;
        counted.push(match addons {
            Ok(addons) => match addons.iter().find(|a| &a.id == id) {
                Some(addon) if addon.enabled() => ExtensionState::Hit(Hit::new(
                    product,
                    format!("{browser} extension {id} {} ({}, enabled)", addon.version, addon.location),
                    place.to_string(),
                )),
                Some(addon) => ExtensionState::NotCounted(format!(
                    "{}: {browser} extension {id} {} is installed but disabled (active={}, userDisabled={}, appDisabled={}) ({place})",
                    product.name,
                    addon.version,
                    flag(addon.active),
                    flag(addon.user_disabled),
                    flag(addon.app_disabled)
                )),
                None => ExtensionState::NotCounted(format!(
                    "{}: {browser} extension {id} is on disk ({}) but not registered in extensions.json ({place})",
                    product.name, candidate.scope
                )),
            },
            // On disk but its state unreadable: not proof of a working password manager, and
            // not proof of none either.
            Err(why) => ExtensionState::Unreadable(format!(
                "whether {} ({browser} extension {id}, {}) is enabled ({place}: {why})",
                product.name, candidate.scope
            )),
        });
    }
    counted
}

fn flag(value: Option<bool>) -> &'static str {
    match value {
        Some(true) => "true",
        Some(false) => "false",
        None => "unset",
    }
}

fn join_words(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(product: &'static str) -> Hit {
        Hit {
            product,
            how: "deb package x 1".into(),
            whose: "system-wide".into(),
        }
    }

    #[test]
    fn verdict_table() {
        let read = vec!["deb packages".to_string()];
        let unreadable = vec!["bob's home (/home/bob permission denied)".to_string()];
        let table = [
            (vec![hit("KeePassXC")], vec![], unreadable.clone(), "PASS"),
            (vec![], read.clone(), vec![], "FAIL"),
            (vec![], read.clone(), unreadable.clone(), "UNKNOWN"),
            (vec![], vec![], unreadable.clone(), "UNKNOWN"),
            (vec![], vec![], vec![], "UNKNOWN"),
        ];
        for (hits, read, unreadable, want) in table {
            let d = conclude_linux(&linux::Facts {
                survey: Survey {
                    hits,
                    read,
                    unreadable,
                },
                ..linux::Facts::default()
            });
            assert_eq!(d.verdict.label(), want, "{d:?}");
            assert_eq!(d.remediation.is_none(), want == "PASS");
        }
    }

    #[test]
    fn pass_summary_names_products_once() {
        let d = conclude_linux(&linux::Facts {
            survey: Survey {
                hits: vec![hit("KeePassXC"), hit("Bitwarden"), hit("KeePassXC")],
                ..Survey::default()
            },
            ..linux::Facts::default()
        });
        assert_eq!(
            d.summary,
            "Found KeePassXC and Bitwarden installed in 3 places, first as KeePassXC: deb package x 1 (system-wide)."
        );
    }
}
