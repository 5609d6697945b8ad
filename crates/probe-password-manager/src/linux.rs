//! The Linux plan: system package sources, then every local user's apps and browser profiles.
//!
//! Package-manager queries and the system directories (`/snap`, `/opt`) are always recorded.
//! The wide per-user scans (a dozen browser directories per person) are listed quietly and only
//! the places where something was found are recorded, so the evidence shows the hits without
//! flooding it with empty directories.

use crate::builtin::PolicySource;
use crate::catalog::{self, Product};
use crate::parse::linux::{Package, parse_dpkg_list, parse_flatpak_list, parse_rpm_list};
use crate::policy::{Hit, Notes, Survey};
use crate::scan::{
    AddonOnDisk, BrowserDirs, ChromiumDir, Install, Shared, firefox_ids_in, record_survey,
    scan_browsers,
};
use devidence_core::users::{self, LocalUser};
use devidence_core::{CommandSpec, Outcome, ProbeRun};

/// What the Linux plan found: every source it read or could not read, and every password
/// manager in them (all of it is also recorded as facts).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    /// The password managers found and the sources read.
    pub survey: Survey,
    /// What was seen but not counted, and scans cut short.
    pub notes: Notes,
}

/// Chromium-family user-data folders on Linux, relative to a home directory, and how each
/// browser is installed (its packages, flatpak or snap; the folder a tarball or AUR build
/// installs to). Each holds profile folders (`Default`, `Profile 1`, …) with an
/// `Extensions/<id>/` tree. The sandboxed ones (docs/research/issue-22-linux-desktop.md §5):
/// Flatpak keeps a browser's settings in `~/.var/app/<id>/config` (flatpak/flatpak#1214);
/// Chrome's and Edge's from Bitwarden's `native-messaging.main.ts` @01e5d67a and flathub's
/// `chrome.sh`, Chromium's, Brave's and Vivaldi's and the Chromium snap's from osquery's
/// `chrome/utils.cpp` @a5b14f63.
pub(crate) const CHROMIUM_DIRS: &[ChromiumDir] = &[
    ChromiumDir {
        browser: "Google Chrome",
        dir: ".config/google-chrome",
        installed: &[
            Install::Deb("google-chrome-stable"),
            Install::Rpm("google-chrome-stable"),
            Install::Path("/opt/google/chrome", "chrome"),
        ],
    },
    ChromiumDir {
        browser: "Google Chrome Beta",
        dir: ".config/google-chrome-beta",
        installed: &[
            Install::Deb("google-chrome-beta"),
            Install::Rpm("google-chrome-beta"),
            Install::Path("/opt/google/chrome-beta", "chrome"),
        ],
    },
    ChromiumDir {
        browser: "Google Chrome Dev",
        dir: ".config/google-chrome-unstable",
        installed: &[
            Install::Deb("google-chrome-unstable"),
            Install::Rpm("google-chrome-unstable"),
            Install::Path("/opt/google/chrome-unstable", "chrome"),
        ],
    },
    ChromiumDir {
        browser: "Google Chrome (flatpak)",
        dir: ".var/app/com.google.Chrome/config/google-chrome",
        installed: &[Install::Flatpak("com.google.Chrome")],
    },
    ChromiumDir {
        browser: "Chromium",
        dir: ".config/chromium",
        installed: &[
            Install::Deb("chromium"),
            Install::Deb("chromium-browser"),
            Install::Rpm("chromium"),
            Install::Rpm("chromium-browser"),
            Install::Path("/usr/lib/chromium", "chromium"),
            Install::Path("/usr/lib64/chromium-browser", "chromium-browser"),
        ],
    },
    ChromiumDir {
        browser: "Chromium (snap)",
        dir: "snap/chromium/common/chromium",
        installed: &[Install::Snap("chromium")],
    },
    ChromiumDir {
        browser: "Chromium (flatpak)",
        dir: ".var/app/org.chromium.Chromium/config/chromium",
        installed: &[Install::Flatpak("org.chromium.Chromium")],
    },
    ChromiumDir {
        browser: "Brave",
        dir: ".config/BraveSoftware/Brave-Browser",
        installed: &[
            Install::Deb("brave-browser"),
            Install::Rpm("brave-browser"),
            Install::Path("/opt/brave.com/brave", "brave"),
            Install::Path("/opt/brave-bin", "brave"),
        ],
    },
    // UNVERIFIED: no published source gives the Brave snap's profile folder (only
    // unattributed scripts mention it; docs/research/issue-22-linux-desktop.md §5). Kept so a
    // Brave snap is not silently skipped; an extension here still counts only when the
    // preferences enable it and the `brave` snap is installed.
    ChromiumDir {
        browser: "Brave (snap)",
        dir: "snap/brave/current/.config/BraveSoftware/Brave-Browser",
        installed: &[Install::Snap("brave")],
    },
    ChromiumDir {
        browser: "Brave (flatpak)",
        dir: ".var/app/com.brave.Browser/config/BraveSoftware/Brave-Browser",
        installed: &[Install::Flatpak("com.brave.Browser")],
    },
    ChromiumDir {
        browser: "Microsoft Edge",
        dir: ".config/microsoft-edge",
        installed: &[
            Install::Deb("microsoft-edge-stable"),
            Install::Rpm("microsoft-edge-stable"),
            Install::Path("/opt/microsoft/msedge", "msedge"),
        ],
    },
    ChromiumDir {
        browser: "Microsoft Edge Beta",
        dir: ".config/microsoft-edge-beta",
        installed: &[
            Install::Deb("microsoft-edge-beta"),
            Install::Rpm("microsoft-edge-beta"),
            Install::Path("/opt/microsoft/msedge-beta", "msedge"),
        ],
    },
    ChromiumDir {
        browser: "Microsoft Edge Dev",
        dir: ".config/microsoft-edge-dev",
        installed: &[
            Install::Deb("microsoft-edge-dev"),
            Install::Rpm("microsoft-edge-dev"),
            Install::Path("/opt/microsoft/msedge-dev", "msedge"),
        ],
    },
    ChromiumDir {
        browser: "Microsoft Edge (flatpak)",
        dir: ".var/app/com.microsoft.Edge/config/microsoft-edge",
        installed: &[Install::Flatpak("com.microsoft.Edge")],
    },
    ChromiumDir {
        browser: "Vivaldi",
        dir: ".config/vivaldi",
        installed: &[
            Install::Deb("vivaldi-stable"),
            Install::Rpm("vivaldi-stable"),
            Install::Path("/opt/vivaldi", "vivaldi"),
        ],
    },
    // osquery `chrome/utils.cpp` @a5b14f63 line 115.
    ChromiumDir {
        browser: "Vivaldi (flatpak)",
        dir: ".var/app/com.vivaldi.Vivaldi/config/vivaldi",
        installed: &[Install::Flatpak("com.vivaldi.Vivaldi")],
    },
];

/// Where Firefox on Linux reads enterprise policies: `/etc/firefox/policies` (mozilla
/// policy-templates `docs/index.md`) and the `distribution` folder of the installation
/// directory, "which varies by distribution": the folders ComplianceAsCode/content's Firefox
/// remediation (`firefox_preferences-password_store.sh`) lists, and Debian's firefox-esr.
pub(crate) const FIREFOX_POLICIES: &[PolicySource] = &[
    PolicySource::Json("/etc/firefox/policies"),
    PolicySource::Json("/usr/lib/firefox/distribution"),
    PolicySource::Json("/usr/lib64/firefox/distribution"),
    PolicySource::Json("/usr/lib/firefox-esr/distribution"),
    PolicySource::Json("/usr/local/lib/firefox/distribution"),
];

/// Firefox-family profile roots (the directory holding `profiles.ini`), relative to a home
/// directory. Firefox 147+ creates new profiles under the XDG path when `~/.mozilla` is absent
/// (recorded with firefox-esr 153 on Debian 12; osquery `browser_firefox.cpp` @a5b14f63, which
/// also gives the snap's). The Flatpak's legacy root is in browserpass/browserpass-native#93,
/// its 147+ XDG root in FlyinPancake/1password-flatpak-browser-integration#8 and
/// Frewacom/pywalfox#165.
pub const FIREFOX_DIRS: &[(&str, &str)] = &[
    ("Firefox", ".mozilla/firefox"),
    ("Firefox", ".config/mozilla/firefox"),
    ("Firefox (snap)", "snap/firefox/common/.mozilla/firefox"),
    (
        "Firefox (flatpak)",
        ".var/app/org.mozilla.firefox/.mozilla/firefox",
    ),
    (
        "Firefox (flatpak)",
        ".var/app/org.mozilla.firefox/config/mozilla/firefox",
    ),
    ("LibreWolf", ".librewolf"),
];

/// System-wide Firefox add-on directories (`SCOPE_SYSTEM`), each entry named after an add-on
/// ID (`<id>` or `<id>.xpi`). Debian's `webext-*` packages install here.
pub const FIREFOX_SYSTEM_ADDON_DIRS: &[&str] = &[
    "/usr/share/mozilla/extensions/{ec8030f7-c20a-464f-9b0e-13a3a9e97384}",
    "/usr/lib/mozilla/extensions/{ec8030f7-c20a-464f-9b0e-13a3a9e97384}",
    "/usr/lib64/mozilla/extensions/{ec8030f7-c20a-464f-9b0e-13a3a9e97384}",
];

/// Reads the package sources, the system folders and every local user's apps and browser
/// profiles, recording what it read as facts.
pub fn gather(run: &mut ProbeRun<'_>) -> Facts {
    let mut survey = Survey::default();
    let mut notes = Notes::default();
    let mut shared = Shared::new(CHROMIUM_DIRS, FIREFOX_POLICIES);

    let deb = deb_packages(run, &mut survey, &mut shared);
    let rpm = rpm_packages(run, &mut survey, &mut shared);
    if !deb && !rpm {
        survey
            .unreadable
            .push("system packages (neither dpkg-query nor rpm is installed)".into());
    }
    flatpak_system(run, &mut survey, &mut shared);
    for snap in listed_dir(run, &mut survey, "/snap", "snaps", "source.snap", |name| {
        catalog::find(|p| p.snap, name).map(|p| (p, format!("snap {name}")))
    }) {
        shared.installed.add("snap", &snap);
    }
    listed_dir(run, &mut survey, "/opt", "/opt", "source.opt", |name| {
        catalog::find_opt(name).map(|p| (p, format!("directory /opt/{name}")))
    });
    shared.firefox_system = firefox_system_addons(run);

    match users::local_users(run) {
        Ok(people) => {
            let names: Vec<&str> = people.iter().map(|u| u.name.as_str()).collect();
            run.fact(
                "source.users",
                if names.is_empty() {
                    "(no local login accounts)".to_string()
                } else {
                    names.join(", ")
                },
            );
            for user in &people {
                scan_user(run, user, &mut shared, &mut survey, &mut notes);
            }
        }
        Err(why) => {
            run.fact("source.users", format!("unreadable: {why}"));
            survey.unreadable.push(format!("local users ({why})"));
        }
    }

    record_survey(run, &survey, &notes);
    Facts { survey, notes }
}

/// Returns true when dpkg is present (read or not).
fn deb_packages(run: &mut ProbeRun<'_>, survey: &mut Survey, shared: &mut Shared) -> bool {
    let obs = run.run(CommandSpec::new(
        "dpkg-query",
        ["-W", "-f=${Package}\\t${Status}\\t${Version}\\n"],
    ));
    package_source(
        run,
        survey,
        &obs,
        "deb packages",
        "source.deb",
        parse_dpkg_list,
        |p| p.deb,
        ("deb", shared),
    )
}

/// Returns true when rpm is present (read or not).
fn rpm_packages(run: &mut ProbeRun<'_>, survey: &mut Survey, shared: &mut Shared) -> bool {
    let obs = run.run(CommandSpec::new(
        "rpm",
        ["-qa", "--qf", "%{NAME}\\t%{VERSION}\\n"],
    ));
    package_source(
        run,
        survey,
        &obs,
        "rpm packages",
        "source.rpm",
        parse_rpm_list,
        |p| p.rpm,
        ("rpm", shared),
    )
}

#[allow(clippy::too_many_arguments)]
fn package_source(
    run: &mut ProbeRun<'_>,
    survey: &mut Survey,
    obs: &devidence_core::Observation,
    label: &str,
    fact: &str,
    parse: fn(&str) -> Result<Vec<Package>, String>,
    names: fn(&Product) -> &'static [&'static str],
    (kind, shared): (&str, &mut Shared),
) -> bool {
    if obs.outcome == Outcome::NotFound {
        run.fact(fact, "not present (tool not installed)");
        return false;
    }
    if !obs.succeeded() {
        run.fact(fact, format!("unreadable: {}", obs.failure_reason()));
        survey
            .unreadable
            .push(format!("{label} ({})", obs.failure_reason()));
        return true;
    }
    match parse(&obs.stdout) {
        Ok(list) => {
            run.fact(fact, format!("read ({} installed)", list.len()));
            survey.read.push(label.to_string());
            for package in list {
                shared.installed.add(kind, &package.name);
                if let Some(product) = catalog::find(names, &package.name) {
                    let how = format!("{kind} package {} {}", package.name, package.version)
                        .trim_end()
                        .to_string();
                    survey
                        .hits
                        .push(Hit::new(product, how, "system-wide".into()));
                }
            }
        }
        Err(why) => {
            run.fact(fact, format!("unreadable: {why}"));
            survey.unreadable.push(format!("{label} ({why})"));
        }
    }
    true
}

fn flatpak_system(run: &mut ProbeRun<'_>, survey: &mut Survey, shared: &mut Shared) {
    let obs = run.run(CommandSpec::new(
        "flatpak",
        ["list", "--app", "--columns=application,version"],
    ));
    let apps = if obs.outcome == Outcome::NotFound {
        run.fact("source.flatpak", "not present (flatpak not installed)");
        return;
    } else if obs.succeeded() {
        parse_flatpak_list(&obs.stdout)
    } else {
        // flatpak can fail without a session or D-Bus; the installation directory is the truth.
        let dir = run.list_dir("/var/lib/flatpak/app");
        if dir.succeeded() {
            dir.stdout
                .lines()
                .map(|id| Package {
                    name: id.to_string(),
                    version: String::new(),
                })
                .collect()
        } else if dir.outcome == Outcome::NotFound {
            Vec::new()
        } else {
            run.fact(
                "source.flatpak",
                format!("unreadable: {}", obs.failure_reason()),
            );
            survey
                .unreadable
                .push(format!("flatpak apps ({})", obs.failure_reason()));
            return;
        }
    };
    run.fact("source.flatpak", format!("read ({} apps)", apps.len()));
    survey.read.push("flatpak apps".into());
    for app in apps {
        shared.installed.add("flatpak", &app.name);
        if let Some(product) = catalog::find(|p| p.flatpak, &app.name) {
            let how = format!("flatpak app {} {}", app.name, app.version)
                .trim_end()
                .to_string();
            survey
                .hits
                .push(Hit::new(product, how, "system-wide".into()));
        }
    }
}

/// A system directory whose entry names identify installs (`/snap`, `/opt`), always recorded.
/// Returns its entries.
fn listed_dir(
    run: &mut ProbeRun<'_>,
    survey: &mut Survey,
    path: &str,
    label: &str,
    fact: &str,
    matcher: impl Fn(&str) -> Option<(&'static Product, String)>,
) -> Vec<String> {
    let obs = run.list_dir(path);
    match obs.outcome {
        Outcome::NotFound => {
            run.fact(fact, format!("not present ({path} does not exist)"));
            Vec::new()
        }
        Outcome::Completed => {
            let entries: Vec<String> = obs
                .stdout
                .lines()
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect();
            run.fact(fact, format!("read ({} entries)", entries.len()));
            survey.read.push(label.to_string());
            for entry in &entries {
                if let Some((product, how)) = matcher(entry) {
                    survey
                        .hits
                        .push(Hit::new(product, how, "system-wide".into()));
                }
            }
            entries
        }
        _ => {
            run.fact(fact, format!("unreadable: {}", obs.failure_reason()));
            survey
                .unreadable
                .push(format!("{label} ({})", obs.failure_reason()));
            Vec::new()
        }
    }
}

/// Catalogue add-ons in Firefox's system-wide scope directories (recorded when found).
fn firefox_system_addons(run: &mut ProbeRun<'_>) -> Vec<AddonOnDisk> {
    let mut found = Vec::new();
    for dir in FIREFOX_SYSTEM_ADDON_DIRS {
        let here = firefox_ids_in(&run.list_dir_quietly(dir), "system-wide");
        if !here.is_empty() {
            run.list_dir(dir);
            let ids: Vec<&str> = here.iter().map(|a| a.id.as_str()).collect();
            run.fact(
                "firefox.system_addons",
                format!("{} in {dir}", ids.join(", ")),
            );
            found.extend(here);
        }
    }
    found
}

fn scan_user(
    run: &mut ProbeRun<'_>,
    user: &LocalUser,
    shared: &mut Shared,
    survey: &mut Survey,
    notes: &mut Notes,
) {
    let name = &user.name;
    let ctx = user.context();
    let home = user.home.trim_end_matches('/');
    let fact = format!("user.{name}");
    // Missing, unreadable, refused or read: every later read in the home is the user's own.
    let listing = run.list_user_dir_quietly(&ctx, home);
    match listing.outcome {
        Outcome::Completed => {
            if listing.stdout.is_empty() {
                run.list_user_dir(&ctx, home);
            }
        }
        Outcome::NotFound => {
            run.fact(fact, format!("home {home} does not exist"));
            return;
        }
        _ => {
            run.fact(
                fact,
                format!("home unreadable: {}", listing.failure_reason()),
            );
            survey
                .unreadable
                .push(format!("{name}'s home ({})", listing.failure_reason()));
            return;
        }
    }
    let whose = |place: &str| {
        if place.is_empty() {
            format!("user {name}")
        } else {
            format!("user {name}, {place}")
        }
    };

    // Per-user flatpak installation.
    let dir = format!("{home}/.local/share/flatpak/app");
    let apps = run.list_user_dir_quietly(&ctx, &dir).lines();
    for app in &apps {
        shared.installed.add("flatpak", app);
    }
    let found: Vec<(&Product, &String)> = apps
        .iter()
        .filter_map(|id| catalog::find(|p| p.flatpak, id).map(|p| (p, id)))
        .collect();
    if !found.is_empty() {
        run.list_user_dir(&ctx, &dir);
        for (product, id) in found {
            survey.hits.push(Hit::new(
                product,
                format!("flatpak app {id} (user installation)"),
                whose(""),
            ));
        }
    }

    // AppImages.
    let dir = format!("{home}/Applications");
    let files = run.list_user_dir_quietly(&ctx, &dir).lines();
    let found: Vec<(&Product, &String)> = files
        .iter()
        .filter_map(|f| catalog::find_appimage(f).map(|p| (p, f)))
        .collect();
    if !found.is_empty() {
        run.list_user_dir(&ctx, &dir);
        for (product, file) in found {
            survey.hits.push(Hit::new(
                product,
                format!("AppImage {dir}/{file}"),
                whose(""),
            ));
        }
    }

    let dirs = BrowserDirs {
        chromium: CHROMIUM_DIRS,
        firefox: FIREFOX_DIRS,
        firefox_user_scope: Some(".mozilla/extensions"),
    };
    let looked = scan_browsers(run, &ctx, &dirs, shared, &whose, survey, notes);

    run.fact(
        fact,
        if looked.is_empty() {
            format!("home {home} read; no browser profiles")
        } else {
            format!("home {home} read; browsers: {}", looked.join("; "))
        },
    );
    survey
        .read
        .push(format!("{name}'s apps and browser profiles"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_is_not_empty() {
        assert!(catalog::CATALOG.len() >= 10);
    }
}
