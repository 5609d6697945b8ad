//! The Linux plan: system package sources, then every local user's apps and browser profiles.
//!
//! Package-manager queries and the system directories (`/snap`, `/opt`) are always recorded.
//! The wide per-user scans (a dozen browser directories per person) are listed quietly and only
//! the places where something was found are recorded, so the evidence shows the hits without
//! flooding it with empty directories.

use crate::catalog::{self, Product};
use crate::parse::browsers;
use crate::parse::packages::{self, Package};
use crate::policy::Survey;
use crate::scan::{AddonOnDisk, BrowserDirs, Notes, firefox_ids_in, hit, scan_browsers};
use devidence_core::users::{self, LocalUser};
use devidence_core::{CommandSpec, Finding, Outcome, ProbeRun};

pub(crate) fn plan(mut run: ProbeRun<'_>) -> Finding {
    let mut survey = Survey::default();
    let mut notes = Notes::default();

    let deb = deb_packages(&mut run, &mut survey);
    let rpm = rpm_packages(&mut run, &mut survey);
    if !deb && !rpm {
        survey
            .unreadable
            .push("system packages (neither dpkg-query nor rpm is installed)".into());
    }
    flatpak_system(&mut run, &mut survey);
    listed_dir(
        &mut run,
        &mut survey,
        "/snap",
        "snaps",
        "source.snap",
        |name| catalog::find(|p| p.snap, name).map(|p| (p, format!("snap {name}"))),
    );
    listed_dir(
        &mut run,
        &mut survey,
        "/opt",
        "/opt",
        "source.opt",
        |name| catalog::find_opt(name).map(|p| (p, format!("directory /opt/{name}"))),
    );
    let firefox_system = firefox_system_addons(&mut run);

    match users::local_users(&mut run) {
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
                scan_user(&mut run, user, &firefox_system, &mut survey, &mut notes);
            }
        }
        Err(why) => {
            run.fact("source.users", format!("unreadable: {why}"));
            survey.unreadable.push(format!("local users ({why})"));
        }
    }

    crate::scan::finish(run, survey, notes)
}

/// Returns true when dpkg is present (read or not).
fn deb_packages(run: &mut ProbeRun<'_>, survey: &mut Survey) -> bool {
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
        packages::parse_dpkg_list,
        |p| p.deb,
        "deb package",
    )
}

/// Returns true when rpm is present (read or not).
fn rpm_packages(run: &mut ProbeRun<'_>, survey: &mut Survey) -> bool {
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
        packages::parse_rpm_list,
        |p| p.rpm,
        "rpm package",
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
    kind: &str,
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
                if let Some(product) = catalog::find(names, &package.name) {
                    let how = format!("{kind} {} {}", package.name, package.version)
                        .trim_end()
                        .to_string();
                    survey.hits.push(hit(product, how, "system-wide".into()));
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

fn flatpak_system(run: &mut ProbeRun<'_>, survey: &mut Survey) {
    let obs = run.run(CommandSpec::new(
        "flatpak",
        ["list", "--app", "--columns=application,version"],
    ));
    let apps = if obs.outcome == Outcome::NotFound {
        run.fact("source.flatpak", "not present (flatpak not installed)");
        return;
    } else if obs.succeeded() {
        packages::parse_flatpak_list(&obs.stdout)
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
        if let Some(product) = catalog::find(|p| p.flatpak, &app.name) {
            let how = format!("flatpak app {} {}", app.name, app.version)
                .trim_end()
                .to_string();
            survey.hits.push(hit(product, how, "system-wide".into()));
        }
    }
}

/// A system directory whose entry names identify installs (`/snap`, `/opt`), always recorded.
fn listed_dir(
    run: &mut ProbeRun<'_>,
    survey: &mut Survey,
    path: &str,
    label: &str,
    fact: &str,
    matcher: impl Fn(&str) -> Option<(&'static Product, String)>,
) {
    let obs = run.list_dir(path);
    match obs.outcome {
        Outcome::NotFound => run.fact(fact, format!("not present ({path} does not exist)")),
        Outcome::Completed => {
            let entries: Vec<&str> = obs.stdout.lines().filter(|l| !l.is_empty()).collect();
            run.fact(fact, format!("read ({} entries)", entries.len()));
            survey.read.push(label.to_string());
            for entry in entries {
                if let Some((product, how)) = matcher(entry) {
                    survey.hits.push(hit(product, how, "system-wide".into()));
                }
            }
        }
        _ => {
            run.fact(fact, format!("unreadable: {}", obs.failure_reason()));
            survey
                .unreadable
                .push(format!("{label} ({})", obs.failure_reason()));
        }
    }
}

/// Catalogue add-ons in Firefox's system-wide scope directories (recorded when found).
fn firefox_system_addons(run: &mut ProbeRun<'_>) -> Vec<AddonOnDisk> {
    let mut found = Vec::new();
    for dir in browsers::FIREFOX_SYSTEM_ADDON_DIRS {
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
    firefox_system: &[AddonOnDisk],
    survey: &mut Survey,
    notes: &mut Notes,
) {
    let name = &user.name;
    let home = user.home.trim_end_matches('/');
    let fact = format!("user.{name}");
    if run.list_dir_quietly(home).is_empty() {
        // Empty, missing or unreadable: record the listing to tell which.
        let obs = run.list_dir(home);
        match obs.outcome {
            Outcome::Completed => {}
            Outcome::NotFound => {
                run.fact(fact, format!("home {home} does not exist"));
                return;
            }
            _ => {
                run.fact(fact, format!("home unreadable: {}", obs.failure_reason()));
                survey
                    .unreadable
                    .push(format!("{name}'s home ({})", obs.failure_reason()));
                return;
            }
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
    let apps = run.list_dir_quietly(&dir);
    let found: Vec<(&Product, &String)> = apps
        .iter()
        .filter_map(|id| catalog::find(|p| p.flatpak, id).map(|p| (p, id)))
        .collect();
    if !found.is_empty() {
        run.list_dir(&dir);
        for (product, id) in found {
            survey.hits.push(hit(
                product,
                format!("flatpak app {id} (user installation)"),
                whose(""),
            ));
        }
    }

    // AppImages.
    let dir = format!("{home}/Applications");
    let files = run.list_dir_quietly(&dir);
    let found: Vec<(&Product, &String)> = files
        .iter()
        .filter_map(|f| catalog::find_appimage(f).map(|p| (p, f)))
        .collect();
    if !found.is_empty() {
        run.list_dir(&dir);
        for (product, file) in found {
            survey
                .hits
                .push(hit(product, format!("AppImage {dir}/{file}"), whose("")));
        }
    }

    let dirs = BrowserDirs {
        chromium: browsers::CHROMIUM_DIRS,
        firefox: browsers::FIREFOX_DIRS,
        firefox_user_scope: Some(".mozilla/extensions"),
    };
    let looked = scan_browsers(run, home, &dirs, firefox_system, &whose, survey, notes);

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
