//! The macOS plan: apps in `/Applications` and each person's `~/Applications`, apps Spotlight
//! finds by bundle identifier anywhere on the disk, and every person's browser extensions.

use crate::catalog::{self, CATALOG};
use crate::policy::Survey;
use crate::scan::{BrowserDirs, Notes, hit, scan_browsers};
use devidence_core::macos::local_users;
use devidence_core::{CommandSpec, Finding, Outcome, ProbeRun};
use std::time::Duration;

/// Chromium-family user-data directories on macOS, relative to a home directory.
pub const CHROMIUM_DIRS: &[(&str, &str)] = &[
    ("Google Chrome", "Library/Application Support/Google/Chrome"),
    (
        "Google Chrome Beta",
        "Library/Application Support/Google/Chrome Beta",
    ),
    ("Chromium", "Library/Application Support/Chromium"),
    (
        "Brave",
        "Library/Application Support/BraveSoftware/Brave-Browser",
    ),
    (
        "Microsoft Edge",
        "Library/Application Support/Microsoft Edge",
    ),
    ("Vivaldi", "Library/Application Support/Vivaldi"),
    ("Arc", "Library/Application Support/Arc/User Data"),
];

/// Firefox-family profile roots on macOS, relative to a home directory.
pub const FIREFOX_DIRS: &[(&str, &str)] = &[("Firefox", "Library/Application Support/Firefox")];

/// `mdfind` for one product's bundle identifiers (Spotlight; empty when indexing is off).
pub fn spotlight_command(bundle_ids: &[&str]) -> CommandSpec {
    let query = bundle_ids
        .iter()
        .map(|id| format!("kMDItemCFBundleIdentifier == \"{id}\""))
        .collect::<Vec<_>>()
        .join(" || ");
    CommandSpec::new("/usr/bin/mdfind", [query]).deadline(Duration::from_secs(15))
}

/// The catalogue product whose app bundle is named `entry` (case-insensitive).
pub fn product_for_app(entry: &str) -> Option<&'static catalog::Product> {
    CATALOG
        .iter()
        .find(|p| p.macos_apps.iter().any(|a| a.eq_ignore_ascii_case(entry)))
}

fn applications(
    run: &mut ProbeRun<'_>,
    dir: &str,
    whose: &str,
    survey: &mut Survey,
) -> Result<usize, String> {
    let obs = run.list_dir(dir);
    match obs.outcome {
        Outcome::Completed => {
            let entries: Vec<&str> = obs.stdout.lines().filter(|l| !l.is_empty()).collect();
            for entry in &entries {
                if let Some(product) = product_for_app(entry) {
                    survey.hits.push(hit(
                        product,
                        format!("app {dir}/{entry}"),
                        whose.to_string(),
                    ));
                }
            }
            Ok(entries.len())
        }
        // Every Mac has /Applications; only a person's ~/Applications may be missing.
        Outcome::NotFound if dir != "/Applications" => Ok(0),
        _ => Err(obs.failure_reason()),
    }
}

pub(crate) fn plan(mut run: ProbeRun<'_>) -> Finding {
    let mut survey = Survey::default();
    let mut notes = Notes::default();
    match applications(&mut run, "/Applications", "system-wide", &mut survey) {
        Ok(n) => {
            run.fact("source.applications", format!("read ({n} entries)"));
            survey.read.push("/Applications".into());
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
                    survey.hits.push(hit(
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
    let people = local_users(&mut run);
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
            &mut run,
            &format!("{home}/Applications"),
            &whose(""),
            &mut survey,
        ) {
            survey
                .unreadable
                .push(format!("{name}'s Applications ({why})"));
        }
        let looked = scan_browsers(&mut run, &home, &dirs, &[], &whose, &mut survey, &mut notes);
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
    crate::scan::finish(run, survey, notes)
}
