//! The macOS plan: apps in `/Applications` and each person's `~/Applications`, apps Spotlight
//! finds by bundle identifier anywhere on the disk, and every person's browser extensions and
//! Safari's password AutoFill setting.

use crate::builtin::{self, PolicySource};
use crate::catalog::CATALOG;
use crate::parse::macos::product_for_app;
use crate::policy::{Hit, Notes, Survey};
use crate::scan::{BrowserDirs, ChromiumDir, Install, Shared, record_survey, scan_browsers};
use devidence_core::macos::local_users;
use devidence_core::{CommandSpec, Outcome, ProbeRun, UserContext};
use std::time::Duration;

/// What the macOS plan found: every source it read or could not read, and every password
/// manager in them (all of it is also recorded as facts).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    /// The password managers found and the sources read.
    pub survey: Survey,
    /// What was seen but not counted, and scans cut short.
    pub notes: Notes,
}

/// Chromium-family user-data directories on macOS, relative to a home directory, and the app
/// bundle that shows each browser is installed (in `/Applications` or the person's own
/// `~/Applications`).
pub(crate) const CHROMIUM_DIRS: &[ChromiumDir] = &[
    chromium(
        "Google Chrome",
        "Library/Application Support/Google/Chrome",
        &[
            Install::App("Google Chrome.app"),
            Install::HomePath("Applications", "Google Chrome.app"),
        ],
    ),
    chromium(
        "Google Chrome Beta",
        "Library/Application Support/Google/Chrome Beta",
        &[
            Install::App("Google Chrome Beta.app"),
            Install::HomePath("Applications", "Google Chrome Beta.app"),
        ],
    ),
    chromium(
        "Chromium",
        "Library/Application Support/Chromium",
        &[
            Install::App("Chromium.app"),
            Install::HomePath("Applications", "Chromium.app"),
        ],
    ),
    chromium(
        "Brave",
        "Library/Application Support/BraveSoftware/Brave-Browser",
        &[
            Install::App("Brave Browser.app"),
            Install::HomePath("Applications", "Brave Browser.app"),
        ],
    ),
    chromium(
        "Microsoft Edge",
        "Library/Application Support/Microsoft Edge",
        &[
            Install::App("Microsoft Edge.app"),
            Install::HomePath("Applications", "Microsoft Edge.app"),
        ],
    ),
    chromium(
        "Vivaldi",
        "Library/Application Support/Vivaldi",
        &[
            Install::App("Vivaldi.app"),
            Install::HomePath("Applications", "Vivaldi.app"),
        ],
    ),
    chromium(
        "Arc",
        "Library/Application Support/Arc/User Data",
        &[
            Install::App("Arc.app"),
            Install::HomePath("Applications", "Arc.app"),
        ],
    ),
];

const fn chromium(
    browser: &'static str,
    dir: &'static str,
    installed: &'static [Install],
) -> ChromiumDir {
    ChromiumDir {
        browser,
        dir,
        installed,
    }
}

/// Firefox-family profile roots on macOS, relative to a home directory.
pub const FIREFOX_DIRS: &[(&str, &str)] = &[("Firefox", "Library/Application Support/Firefox")];

/// Where Firefox on macOS reads a `policies.json` (mozilla policy-templates `docs/index.md`:
/// `Firefox.app/Contents/Resources/distribution`). Configuration profiles
/// (`org.mozilla.firefox`) are not read.
pub(crate) const FIREFOX_POLICIES: &[PolicySource] = &[PolicySource::Json(
    "/Applications/Firefox.app/Contents/Resources/distribution",
)];

/// `mdfind` for one product's bundle identifiers (Spotlight; empty when indexing is off).
pub fn spotlight_command(bundle_ids: &[&str]) -> CommandSpec {
    let query = bundle_ids
        .iter()
        .map(|id| format!("kMDItemCFBundleIdentifier == \"{id}\""))
        .collect::<Vec<_>>()
        .join(" || ");
    CommandSpec::new("/usr/bin/mdfind", [query]).deadline(Duration::from_secs(15))
}

/// Looks for password-manager apps in an Applications folder (`/Applications`, or a person's
/// own, listed with their rights when `user` is given); returns its entries.
fn applications(
    run: &mut ProbeRun<'_>,
    dir: &str,
    user: Option<&UserContext>,
    whose: &str,
    survey: &mut Survey,
) -> Result<Vec<String>, String> {
    let obs = match user {
        Some(user) => run.list_user_dir(user, dir),
        None => run.list_dir(dir),
    };
    match obs.outcome {
        Outcome::Completed => {
            let entries: Vec<String> = obs
                .stdout
                .lines()
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect();
            for entry in &entries {
                if let Some(product) = product_for_app(entry) {
                    survey.hits.push(Hit::new(
                        product,
                        format!("app {dir}/{entry}"),
                        whose.to_string(),
                    ));
                }
            }
            Ok(entries)
        }
        // Every Mac has /Applications; only a person's ~/Applications may be missing.
        Outcome::NotFound if user.is_some() => Ok(Vec::new()),
        _ => Err(obs.failure_reason()),
    }
}

/// Reads the Applications folders, asks Spotlight for each product's bundle identifiers and
/// scans every person's browser profiles, recording what it read as facts.
pub fn gather(run: &mut ProbeRun<'_>) -> Facts {
    let mut survey = Survey::default();
    let mut notes = Notes::default();
    let mut shared = Shared::new(CHROMIUM_DIRS, FIREFOX_POLICIES);
    match applications(run, "/Applications", None, "system-wide", &mut survey) {
        Ok(apps) => {
            run.fact(
                "source.applications",
                format!("read ({} entries)", apps.len()),
            );
            survey.read.push("/Applications".into());
            for app in &apps {
                shared.installed.add("app", app);
            }
        }
        Err(why) => {
            run.fact("source.applications", format!("unreadable: {why}"));
            survey.unreadable.push(format!("/Applications ({why})"));
        }
    }
    // Spotlight finds apps by bundle identifier wherever they are (renamed, in a subfolder).
    for product in CATALOG.iter().filter(|p| !p.macos_bundle_ids.is_empty()) {
        let obs = run.run(spotlight_command(product.macos_bundle_ids));
        if obs.succeeded() {
            for path in obs
                .stdout
                .lines()
                .map(str::trim)
                .filter(|l| l.ends_with(".app"))
            {
                let already = survey.hits.iter().any(|h| h.how.ends_with(path));
                if !already {
                    survey.hits.push(Hit::new(
                        product,
                        format!("app {path} (found by bundle identifier)"),
                        "Spotlight".into(),
                    ));
                }
            }
        } else {
            run.fact(
                format!("spotlight.{}", product.name),
                format!("not searched: {}", obs.failure_reason()),
            );
        }
    }
    let people = local_users(run);
    if people.is_empty() {
        survey.unreadable.push(
            "the people's accounts (dscacheutil listed none), so no browser profile was scanned"
                .into(),
        );
    }
    run.fact(
        "source.users",
        if people.is_empty() {
            "(none listed)".to_string()
        } else {
            people
                .iter()
                .map(|u| u.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        },
    );
    let dirs = BrowserDirs {
        chromium: CHROMIUM_DIRS,
        firefox: FIREFOX_DIRS,
        firefox_user_scope: None,
    };
    for user in &people {
        let name = user.name.clone();
        let home = user.home.trim_end_matches('/').to_string();
        let whose = |place: &str| {
            if place.is_empty() {
                format!("user {name}")
            } else {
                format!("user {name}, {place}")
            }
        };
        if let Err(why) = applications(
            run,
            &format!("{home}/Applications"),
            Some(user),
            &whose(""),
            &mut survey,
        ) {
            survey
                .unreadable
                .push(format!("{name}'s Applications ({why})"));
        }
        let looked = scan_browsers(
            run,
            user,
            &dirs,
            &mut shared,
            &whose,
            &mut survey,
            &mut notes,
        );
        survey
            .builtin
            .push(builtin::safari(run, user, &whose("Safari")));
        run.fact(
            format!("user.{name}"),
            if looked.is_empty() {
                format!("home {home}; no browser profiles")
            } else {
                format!("home {home}; browsers: {}", looked.join("; "))
            },
        );
        survey
            .read
            .push(format!("{name}'s apps and browser profiles"));
    }
    record_survey(run, &survey, &notes);
    Facts { survey, notes }
}
