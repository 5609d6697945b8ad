//! Facts in, verdict out: any installed password manager passes; nothing found fails only when
//! every source was read; otherwise the probe says what it could not read. A browser extension
//! counts only when its profile registers and enables it in an installed browser
//! (`conclude_chromium`, `conclude_firefox`). A browser's own password manager (Firefox's saved
//! logins, Safari's AutoFill) is always recorded and counts only when the policy's
//! `count_browser_password_managers` is on ([`BuiltIn::counted`]).

use crate::catalog::Product;
use crate::parse::browsers::Addon;
use crate::scan::{AddonOnDisk, ChromiumProfile};
use crate::{linux, macos, windows};
use devidence_core::{Conclusion, Policy};

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
    /// The browsers' own password managers seen, one per person's profile (facts; counted
    /// only when the policy says so).
    pub builtin: Vec<BuiltIn>,
}

/// The product name a counted Firefox-family built-in password manager is reported under.
pub const FIREFOX_BUILTIN: &str = "Firefox built-in password manager";
/// The product name a counted Safari password AutoFill is reported under.
pub const SAFARI_BUILTIN: &str = "Safari built-in password manager";

/// A browser's own password manager as one person's profile shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuiltIn {
    /// The browser as reports name it (`Firefox`, `Firefox (flatpak)`, `Safari`).
    pub browser: String,
    /// Whose: `user alice, Firefox profile d4pq595x.default-esr`.
    pub whose: String,
    /// What was read.
    pub state: BuiltInState,
}

/// What a profile showed about its browser's own password manager.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BuiltInState {
    /// A Firefox-family profile.
    Firefox {
        /// How many entries `logins.json` has (0 when there is none), or why it could not be
        /// read. Nothing else of the file is kept.
        saved_logins: Result<usize, String>,
        /// Whether Firefox saves and fills logins (`signon.rememberSignons` after the
        /// policies, `user.js` and `prefs.js`) and where that came from, or why it could not
        /// be read.
        saving: Result<(bool, String), String>,
    },
    /// Safari's `AutoFillPasswords` for one person.
    Safari(SafariAutoFill),
}

/// Safari's "AutoFill user names and passwords" setting (`AutoFillPasswords` in its container
/// preferences). Safari keeps the passwords themselves in the Keychain (the Passwords app), so
/// the setting is what there is to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SafariAutoFill {
    /// The key is set: on or off.
    Set(bool),
    /// The preferences file has no `AutoFillPasswords` (what Safari does then is not
    /// documented in any source found).
    NotSet,
    /// The person has no Safari preferences (Safari never opened for them).
    NoPreferences,
    /// The preferences could not be read, and why (macOS 26 keeps them inside Safari's
    /// sandbox).
    Unreadable(String),
}

/// What a built-in password manager counts as when the policy counts them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Counted {
    /// A password manager in use.
    Hit(Hit),
    /// Not one (saving off, no saved logins), and why.
    No(String),
    /// Could not be told: unreadable, never a hit and never proof of none.
    Unreadable(String),
}

impl BuiltIn {
    /// The fact recorded for it, e.g. `Firefox (user alice, Firefox profile x): 12 saved
    /// logins; password saving on (Firefox's default)`.
    pub fn describe(&self) -> String {
        let what = match &self.state {
            BuiltInState::Firefox {
                saved_logins,
                saving,
            } => {
                let logins = match saved_logins {
                    Ok(n) => plural(*n, "saved login"),
                    Err(why) => format!("saved logins unreadable ({why})"),
                };
                let saving = match saving {
                    Ok((on, why)) => {
                        format!("password saving {} ({why})", if *on { "on" } else { "off" })
                    }
                    Err(why) => format!("password saving unreadable ({why})"),
                };
                format!("{logins}; {saving}")
            }
            BuiltInState::Safari(autofill) => match autofill {
                SafariAutoFill::Set(on) => format!(
                    "AutoFill user names and passwords {} (AutoFillPasswords {on})",
                    if *on { "on" } else { "off" }
                ),
                SafariAutoFill::NotSet => "AutoFillPasswords not set".into(),
                SafariAutoFill::NoPreferences => {
                    "no Safari preferences (Safari not opened by this person)".into()
                }
                SafariAutoFill::Unreadable(why) => format!("AutoFillPasswords unreadable: {why}"),
            },
        };
        format!("{} ({}): {what}", self.browser, self.whose)
    }

    /// What it counts as when the policy counts built-in password managers: Firefox when
    /// password saving is on and at least one login is saved; Safari when AutoFill of user
    /// names and passwords is on.
    pub fn counted(&self) -> Counted {
        let about = || format!("{} ({})", self.browser, self.whose);
        match &self.state {
            BuiltInState::Firefox {
                saved_logins,
                saving,
            } => match (saved_logins, saving) {
                (_, Ok((false, why))) => Counted::No(format!("{}: password saving off ({why})", about())),
                (Ok(0), _) => Counted::No(format!("{}: no saved logins", about())),
                (Err(why), _) | (_, Err(why)) => Counted::Unreadable(format!(
                    "whether {}'s built-in password manager is in use ({why})",
                    about()
                )),
                (Ok(n), Ok((true, why))) => Counted::Hit(Hit {
                    product: FIREFOX_BUILTIN,
                    how: format!(
                        "{} profile with {}, password saving on ({why})",
                        self.browser,
                        plural(*n, "saved login")
                    ),
                    whose: self.whose.clone(),
                }),
            },
            BuiltInState::Safari(autofill) => match autofill {
                SafariAutoFill::Set(true) => Counted::Hit(Hit {
                    product: SAFARI_BUILTIN,
                    how: "Safari AutoFill of user names and passwords on (AutoFillPasswords true; the passwords are in the Keychain)".into(),
                    whose: self.whose.clone(),
                }),
                SafariAutoFill::Set(false) => {
                    Counted::No(format!("{}: AutoFillPasswords false", about()))
                }
                SafariAutoFill::NoPreferences => {
                    Counted::No(format!("{}: Safari never opened", about()))
                }
                SafariAutoFill::NotSet => Counted::Unreadable(format!(
                    "whether Safari AutoFills passwords for {} (AutoFillPasswords is not set, and Safari's default is not documented)",
                    self.whose
                )),
                SafariAutoFill::Unreadable(why) => Counted::Unreadable(format!(
                    "whether Safari AutoFills passwords for {} ({why})",
                    self.whose
                )),
            },
        }
    }
}

fn plural(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
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
/// browser profiles (their built-in password managers counted as `policy` says).
pub fn conclude_linux(facts: &linux::Facts, policy: &Policy) -> Conclusion {
    conclude_survey(&facts.survey, INSTALL_REMEDY, policy)
}

/// The macOS verdict: the survey of the Applications folders, Spotlight and every person's
/// browser profiles and Safari setting (built-in password managers counted as `policy` says).
pub fn conclude_macos(facts: &macos::Facts, policy: &Policy) -> Conclusion {
    conclude_survey(&facts.survey, INSTALL_REMEDY_DESKTOP, policy)
}

/// The Windows verdict: the survey of the installed programs and every person's browser
/// profiles (their built-in password managers counted as `policy` says).
pub fn conclude_windows(facts: &windows::Facts, policy: &Policy) -> Conclusion {
    conclude_survey(&facts.survey, INSTALL_REMEDY_DESKTOP, policy)
}

/// Any hit passes; nothing found fails (with `install_remedy`) only when every source was
/// read; otherwise unknown, naming what could not be read. The built-in password managers
/// join the hits (and, when unreadable, the unreadable sources) only when
/// `policy.count_browser_password_managers` is on; otherwise a failure names the ones that
/// would have counted.
fn conclude_survey(survey: &Survey, install_remedy: &str, policy: &Policy) -> Conclusion {
    let mut counted = survey.clone();
    let mut uncounted = Vec::new();
    for builtin in &survey.builtin {
        match (policy.count_browser_password_managers, builtin.counted()) {
            (true, Counted::Hit(hit)) => counted.hits.push(hit),
            (true, Counted::Unreadable(what)) => counted.unreadable.push(what),
            (false, Counted::Hit(hit)) => {
                uncounted.push(format!("{} ({})", hit.product, hit.whose))
            }
            _ => {}
        }
    }
    let survey = &counted;
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
    let mut summary = format!(
        "No password manager was found in {}.",
        survey.read.join(", ")
    );
    if !uncounted.is_empty() {
        summary.push_str(&format!(
            " Not counted because the policy's count_browser_password_managers is off: {}.",
            uncounted.join("; ")
        ));
    }
    Conclusion::fail(summary, install_remedy)
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
            let d = conclude_linux(
                &linux::Facts {
                    survey: Survey {
                        hits,
                        read,
                        unreadable,
                        ..Survey::default()
                    },
                    ..linux::Facts::default()
                },
                &Policy::default(),
            );
            assert_eq!(d.verdict.label(), want, "{d:?}");
            assert_eq!(d.remediation.is_none(), want == "PASS");
        }
    }

    #[test]
    fn pass_summary_names_products_once() {
        let d = conclude_linux(
            &linux::Facts {
                survey: Survey {
                    hits: vec![hit("KeePassXC"), hit("Bitwarden"), hit("KeePassXC")],
                    ..Survey::default()
                },
                ..linux::Facts::default()
            },
            &Policy::default(),
        );
        assert_eq!(
            d.summary,
            "Found KeePassXC and Bitwarden installed in 3 places, first as KeePassXC: deb package x 1 (system-wide)."
        );
    }
}
