//! Browser extensions in one person's home, the same on every OS: Chromium-family extensions
//! found in a profile's `Extensions/<id>` folder and confirmed as registered and enabled in its
//! `Preferences` / `Secure Preferences`, in a browser that is installed; Firefox-family add-ons
//! confirmed as enabled in each profile's `extensions.json`, and each Firefox profile's own
//! password manager ([`crate::builtin::firefox_profile`]). Everything in the home is read
//! with the person's own rights ([`ProbeRun::read_user_file`]); the number of profiles per
//! browser is capped ([`MAX_PROFILES`]). The OS plans pass the directory tables.
//!
//! This module only reads: what a found extension counts as is
//! [`policy::conclude_chromium`] / [`policy::conclude_firefox`]. It also holds the step every
//! plan ends with, [`record_survey`].

use crate::builtin::{self, Policies, PolicySource};
use crate::catalog::{self, Product};
use crate::parse::browsers::{self, Addon};
use crate::parse::chromium;
use crate::policy::{self, ExtensionState, Notes, Survey};
use devidence_core::host::MAX_DIR_ENTRIES;
use devidence_core::{Outcome, ProbeRun, UserContext};

/// Most profiles of one browser scanned per person: real people have a handful; a folder a
/// user filled with a million look-alike entries must not make the run scan them all.
pub(crate) const MAX_PROFILES: usize = 32;

/// One way to tell that a Chromium-family browser is installed. An extension counts only in
/// a browser that is installed: a profile left behind by an uninstalled browser, or a folder
/// made to look like one, proves nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Install {
    /// A Debian package (`dpkg-query`).
    Deb(&'static str),
    /// An RPM package (`rpm -qa`).
    Rpm(&'static str),
    /// A flatpak application ID (system or the person's own installation).
    Flatpak(&'static str),
    /// A snap (`/snap/<name>`).
    Snap(&'static str),
    /// An entry in a system folder, listed only when needed: (folder, entry).
    Path(&'static str, &'static str),
    /// A macOS app bundle in `/Applications`.
    App(&'static str),
    /// A Windows installed program, by the start of its `DisplayName`.
    Program(&'static str),
    /// An entry of a folder in the person's home (per-user installs): (folder, entry).
    HomePath(&'static str, &'static str),
}

impl Install {
    fn describe(self) -> String {
        match self {
            Install::Deb(name) => format!("deb package {name}"),
            Install::Rpm(name) => format!("rpm package {name}"),
            Install::Flatpak(id) => format!("flatpak {id}"),
            Install::Snap(name) => format!("snap {name}"),
            Install::Path(dir, entry) => format!("{dir}/{entry}"),
            Install::App(app) => format!("/Applications/{app}"),
            Install::Program(name) => format!("installed program \"{name}\""),
            Install::HomePath(dir, entry) => format!("~/{dir}/{entry}"),
        }
    }
}

/// A Chromium-family user-data folder (relative to a home) and how its browser is installed.
pub(crate) struct ChromiumDir {
    /// The browser, as reports name it.
    pub(crate) browser: &'static str,
    /// The user-data folder, relative to the home.
    pub(crate) dir: &'static str,
    /// Any of these shows the browser is installed.
    pub(crate) installed: &'static [Install],
}

/// What the plan already knows to be installed (from the package lists, flatpaks, snaps,
/// `/Applications` or the installed programs it read), plus system folders listed on demand.
/// Only what one of the OS's browser tables names is kept, so a long package list costs
/// nothing here.
pub(crate) struct Installed {
    /// The browser table whose install markers matter.
    table: &'static [ChromiumDir],
    /// `deb:<name>`, `rpm:<name>`, `flatpak:<id>`, `snap:<name>`, `app:<name>`, lower-case.
    keys: std::collections::BTreeSet<String>,
    /// Windows programs' display names that a table's prefix matches, lower-case.
    programs: Vec<String>,
    /// System folders listed so far (at most once each).
    listed: std::collections::BTreeMap<String, Vec<String>>,
}

impl Installed {
    /// Nothing known yet, for the browsers of `table`.
    pub(crate) fn new(table: &'static [ChromiumDir]) -> Installed {
        Installed {
            table,
            keys: Default::default(),
            programs: Vec::new(),
            listed: Default::default(),
        }
    }

    fn markers(&self) -> impl Iterator<Item = Install> + '_ {
        self.table.iter().flat_map(|d| d.installed.iter().copied())
    }

    /// Records that `name` of `kind` (`deb`, `rpm`, `flatpak`, `snap`, `app`) is installed,
    /// when a browser of the table is installed that way.
    pub(crate) fn add(&mut self, kind: &str, name: &str) {
        let named = self.markers().any(|way| {
            let wanted = match (kind, way) {
                ("deb", Install::Deb(n))
                | ("rpm", Install::Rpm(n))
                | ("flatpak", Install::Flatpak(n))
                | ("snap", Install::Snap(n))
                | ("app", Install::App(n)) => n,
                _ => return false,
            };
            wanted.eq_ignore_ascii_case(name)
        });
        if named {
            self.keys.insert(format!("{kind}:{}", name.to_lowercase()));
        }
    }

    /// Records an installed Windows program's display name, when it names a browser of the
    /// table.
    pub(crate) fn add_program(&mut self, display_name: &str) {
        let name = display_name.trim().to_lowercase();
        let named = self.markers().any(|way| {
            matches!(way, Install::Program(prefix) if name.starts_with(&prefix.to_lowercase()))
        });
        if named {
            self.programs.push(name);
        }
    }

    fn has(&self, kind: &str, name: &str) -> bool {
        self.keys
            .contains(&format!("{kind}:{}", name.to_lowercase()))
    }
}

/// How `dir`'s browser is installed for `user`, or `None` when no sign of it was found.
fn browser_installed(
    run: &mut ProbeRun<'_>,
    user: &UserContext,
    dir: &ChromiumDir,
    installed: &mut Installed,
) -> Option<String> {
    let home = user.home.trim_end_matches(['/', '\\']);
    for way in dir.installed {
        let found = match *way {
            Install::Deb(name) => installed.has("deb", name),
            Install::Rpm(name) => installed.has("rpm", name),
            Install::Flatpak(id) => installed.has("flatpak", id),
            Install::Snap(name) => installed.has("snap", name),
            Install::App(app) => installed.has("app", app),
            Install::Program(name) => {
                let name = name.to_lowercase();
                installed.programs.iter().any(|p| p.starts_with(&name))
            }
            Install::Path(folder, entry) => {
                if !installed.listed.contains_key(folder) {
                    let entries = run.list_dir_quietly(folder);
                    installed.listed.insert(folder.to_string(), entries);
                }
                installed
                    .listed
                    .get(folder)
                    .is_some_and(|e| e.iter().any(|x| x == entry))
            }
            Install::HomePath(folder, entry) => run
                .list_user_dir_quietly(user, &format!("{home}/{folder}"))
                .lines()
                .iter()
                .any(|x| x.eq_ignore_ascii_case(entry)),
        };
        if found {
            return Some(way.describe());
        }
    }
    None
}

/// Where one OS keeps browser profiles, relative to a home directory.
pub(crate) struct BrowserDirs {
    /// Chromium-family user-data directories.
    pub(crate) chromium: &'static [ChromiumDir],
    /// Firefox-family profile roots (holding `profiles.ini`): (browser, directory).
    pub(crate) firefox: &'static [(&'static str, &'static str)],
    /// Firefox's per-user add-on scope directory, where the OS has one.
    pub(crate) firefox_user_scope: Option<&'static str>,
}

/// What the plan read once for every person's scan.
pub(crate) struct Shared {
    /// What is installed system-wide.
    pub(crate) installed: Installed,
    /// Catalogue add-ons in Firefox's system-wide scope.
    pub(crate) firefox_system: Vec<AddonOnDisk>,
    /// Where the OS keeps Firefox's enterprise policies.
    pub(crate) firefox_policy_sources: &'static [PolicySource],
    /// Firefox's enterprise policies, read when the first Firefox profile is found.
    pub(crate) firefox_policies: Option<Policies>,
}

impl Shared {
    /// Nothing read yet, for the browsers of `table` and Firefox's policies in `policies`.
    pub(crate) fn new(table: &'static [ChromiumDir], policies: &'static [PolicySource]) -> Shared {
        Shared {
            installed: Installed::new(table),
            firefox_system: Vec::new(),
            firefox_policy_sources: policies,
            firefox_policies: None,
        }
    }
}

/// A Firefox add-on from the catalogue found on disk, waiting to be confirmed in a profile.
#[derive(Clone)]
pub(crate) struct AddonOnDisk {
    pub(crate) product: &'static Product,
    pub(crate) id: String,
    /// Where: `system-wide`, `user scope`, `profile`.
    pub(crate) scope: &'static str,
}

pub(crate) fn firefox_ids_in(entries: &[String], scope: &'static str) -> Vec<AddonOnDisk> {
    entries
        .iter()
        .filter_map(|entry| {
            let id = browsers::addon_id_of_entry(entry);
            catalog::find(|p| p.firefox, id).map(|product| AddonOnDisk {
                product,
                id: id.to_string(),
                scope,
            })
        })
        .collect()
}

/// The entries of a folder in a person's home, listed quietly; a listing that was refused or
/// failed (not merely missing) is noted as unreadable, so it can never read as "nothing here".
fn scan_listing(
    run: &mut ProbeRun<'_>,
    user: &UserContext,
    path: &str,
    what: &str,
    survey: &mut Survey,
    notes: &mut Notes,
) -> Vec<String> {
    let obs = run.list_user_dir_quietly(user, path);
    match obs.outcome {
        Outcome::Completed => {
            if obs.truncated {
                notes.truncated.push(format!(
                    "{path}: only the first {MAX_DIR_ENTRIES} entries were read"
                ));
            }
            obs.stdout.lines().map(str::to_string).collect()
        }
        Outcome::NotFound => Vec::new(),
        _ => {
            survey.unreadable.push(format!(
                "{what} of {} ({})",
                user.name,
                obs.failure_reason()
            ));
            Vec::new()
        }
    }
}

/// Keeps at most [`MAX_PROFILES`] profiles, noting the cut.
fn capped(mut profiles: Vec<String>, browser: &str, root: &str, notes: &mut Notes) -> Vec<String> {
    if profiles.len() > MAX_PROFILES {
        notes.truncated.push(format!(
            "{browser} in {root}: {} profiles found, only the first {MAX_PROFILES} scanned",
            profiles.len()
        ));
        profiles.truncate(MAX_PROFILES);
    }
    profiles
}

/// Scans one person's browser profiles; returns what was looked at, for the facts.
pub(crate) fn scan_browsers(
    run: &mut ProbeRun<'_>,
    user: &UserContext,
    dirs: &BrowserDirs,
    shared: &mut Shared,
    whose: &dyn Fn(&str) -> String,
    survey: &mut Survey,
    notes: &mut Notes,
) -> Vec<String> {
    let home = user.home.trim_end_matches(['/', '\\']);
    let mut looked = Vec::new();
    // Chromium-family browsers.
    for dir in dirs.chromium {
        let browser = dir.browser;
        let base = format!("{home}/{}", dir.dir);
        let mut profiles: Vec<String> = scan_listing(
            run,
            user,
            &base,
            &format!("the {browser} profiles"),
            survey,
            notes,
        )
        .into_iter()
        .filter(|e| browsers::is_chromium_profile(e))
        .collect();
        if profiles.is_empty() {
            continue;
        }
        profiles.sort_by_key(|p| (p != "Default", p.len(), p.clone()));
        let profiles = capped(profiles, browser, &base, notes);
        looked.push(format!("{browser} ({})", profiles.join(", ")));
        let mut install: Option<Option<String>> = None;
        for profile in &profiles {
            let ext_dir = format!("{base}/{profile}/Extensions");
            let ids = scan_listing(run, user, &ext_dir, "browser extensions", survey, notes);
            let found: Vec<(&Product, &String)> = ids
                .iter()
                .filter_map(|id| catalog::find(|p| p.chromium, id).map(|p| (p, id)))
                .collect();
            if found.is_empty() {
                continue;
            }
            run.list_user_dir(user, &ext_dir);
            let place = whose(&format!("{browser} profile {profile}"));
            let how_installed = install
                .get_or_insert_with(|| browser_installed(run, user, dir, &mut shared.installed))
                .clone();
            let state = match how_installed {
                Some(how_installed) => ChromiumProfile::Installed {
                    how_installed,
                    registered: chromium_settings(run, user, &format!("{base}/{profile}")),
                },
                None => ChromiumProfile::BrowserMissing {
                    ways: dir.installed.iter().map(|w| w.describe()).collect(),
                },
            };
            tally(
                policy::conclude_chromium(&found, browser, &place, &state),
                survey,
                notes,
            );
        }
    }

    // Firefox-family browsers.
    let user_scope = match dirs.firefox_user_scope {
        Some(dir) => firefox_ids_in(
            &scan_listing(
                run,
                user,
                &format!("{home}/{dir}/{}", browsers::FIREFOX_APP_ID),
                "Firefox add-ons",
                survey,
                notes,
            ),
            "user scope",
        ),
        None => Vec::new(),
    };
    for (browser, rel) in dirs.firefox {
        let root = format!("{home}/{rel}");
        let entries = scan_listing(
            run,
            user,
            &root,
            &format!("the {browser} profiles"),
            survey,
            notes,
        );
        if entries.is_empty() {
            continue;
        }
        let mut profiles = Vec::new();
        if entries.iter().any(|e| e == "profiles.ini") {
            let ini = run.read_user_file(user, &format!("{root}/profiles.ini"));
            if ini.succeeded() {
                profiles = browsers::parse_profiles_ini(&ini.stdout, &root);
            }
        }
        if profiles.is_empty() {
            profiles = entries
                .iter()
                .filter(|e| e.contains('.') && !e.ends_with(".ini") && !e.ends_with(".json"))
                .map(|e| format!("{root}/{e}"))
                .collect();
        }
        let profiles = capped(profiles, browser, &root, notes);
        let short: Vec<&str> = profiles
            .iter()
            .map(|p| p.rsplit('/').next().unwrap_or(p))
            .collect();
        looked.push(format!("{browser} ({})", short.join(", ")));
        for profile in &profiles {
            let profile_name = profile.rsplit('/').next().unwrap_or(profile);
            let place = whose(&format!("{browser} profile {profile_name}"));
            if let Some(found) = builtin::firefox_profile(
                run,
                user,
                profile,
                (browser, &place),
                (shared.firefox_policy_sources, &mut shared.firefox_policies),
            ) {
                survey.builtin.push(found);
            }
            let ext_dir = format!("{profile}/extensions");
            let in_profile = firefox_ids_in(
                &scan_listing(run, user, &ext_dir, "Firefox add-ons", survey, notes),
                "profile",
            );
            if !in_profile.is_empty() {
                run.list_user_dir(user, &ext_dir);
            }
            let candidates: Vec<AddonOnDisk> = in_profile
                .into_iter()
                .chain(user_scope.iter().cloned())
                .chain(shared.firefox_system.iter().cloned())
                .collect();
            if candidates.is_empty() {
                continue;
            }
            let json =
                run.read_user_file_extract(user, &format!("{profile}/extensions.json"), |text| {
                    browsers::extract_extensions_json(text, |id| {
                        catalog::find(|p| p.firefox, id).is_some()
                    })
                });
            let addons: Result<Vec<Addon>, String> = if json.succeeded() {
                browsers::parse_extensions_json(&json.stdout)
            } else if json.outcome == Outcome::NotFound {
                // A profile Firefox never ran with add-ons: nothing is registered there.
                Ok(Vec::new())
            } else {
                Err(json.failure_reason())
            };
            tally(
                policy::conclude_firefox(&candidates, &addons, browser, &place),
                survey,
                notes,
            );
        }
    }
    looked
}

/// The extensions a Chromium profile registered, from `Preferences` and `Secure Preferences`
/// (each kept as evidence only in the catalogue's entries); `Err` when neither could be read.
fn chromium_settings(
    run: &mut ProbeRun<'_>,
    user: &UserContext,
    profile_dir: &str,
) -> Result<Vec<chromium::Registered>, String> {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for name in ["Preferences", "Secure Preferences"] {
        let obs = run.read_user_file_extract(user, &format!("{profile_dir}/{name}"), |text| {
            chromium::extract_settings(text, |id| catalog::find(|p| p.chromium, id).is_some())
        });
        if !obs.succeeded() {
            if obs.outcome != Outcome::NotFound {
                problems.push(obs.failure_reason());
            }
            continue;
        }
        match chromium::parse_settings(&obs.stdout) {
            Ok(entries) => files.push(entries),
            Err(why) => problems.push(format!("{profile_dir}/{name}: {why}")),
        }
    }
    if files.is_empty() {
        return Err(if problems.is_empty() {
            format!("{profile_dir} has no Preferences file")
        } else {
            problems.join("; ")
        });
    }
    Ok(chromium::merge(&files))
}

/// What a Chromium profile showed about the catalogue extensions in its `Extensions` folder.
pub(crate) enum ChromiumProfile {
    /// The browser is not installed (none of these ways showed it), so the profile's
    /// preferences were not read.
    BrowserMissing {
        /// Every way that was checked, described.
        ways: Vec<String>,
    },
    /// The browser is installed; what its preferences register, or why they could not be read.
    Installed {
        /// How the browser is installed (`deb package google-chrome-stable`, …).
        how_installed: String,
        /// The registered extensions, from `Preferences` and `Secure Preferences`.
        registered: Result<Vec<chromium::Registered>, String>,
    },
}

/// Files what the policy made of the extensions found: hits and unreadable states into the
/// survey, the rest into the notes.
fn tally(counted: Vec<ExtensionState>, survey: &mut Survey, notes: &mut Notes) {
    for item in counted {
        match item {
            ExtensionState::Hit(hit) => survey.hits.push(hit),
            ExtensionState::NotCounted(note) => notes.not_counted.push(note),
            ExtensionState::Unreadable(what) => survey.unreadable.push(what),
        }
    }
}

/// Records the survey and the notes as facts: the last step of every plan.
pub(crate) fn record_survey(run: &mut ProbeRun<'_>, survey: &Survey, notes: &Notes) {
    run.fact("hits", survey.hits.len().to_string());
    for (i, hit) in survey.hits.iter().enumerate() {
        run.fact(format!("hit.{:02}", i + 1), hit.describe());
    }
    let mut products: Vec<&str> = survey.hits.iter().map(|h| h.product).collect();
    products.sort_unstable();
    products.dedup();
    if !products.is_empty() {
        run.fact("products", products.join(", "));
    }
    for (i, builtin) in survey.builtin.iter().enumerate() {
        run.fact(format!("builtin.{:02}", i + 1), builtin.describe());
    }
    for (i, note) in notes.not_counted.iter().enumerate() {
        run.fact(format!("not_counted.{:02}", i + 1), note.clone());
    }
    for (i, note) in notes.truncated.iter().enumerate() {
        run.fact(format!("scan_capped.{:02}", i + 1), note.clone());
    }
    run.fact("sources.read", survey.read.join(", "));
    if !survey.unreadable.is_empty() {
        run.fact("sources.unreadable", survey.unreadable.join("; "));
    }
}
