//! Browser extensions in one person's home, the same on every OS: Chromium-family
//! `Extensions/<id>` directories per profile, and Firefox-family add-ons confirmed as enabled
//! in each profile's `extensions.json`. The OS plans pass the directory tables.

use crate::catalog::{self, Product};
use crate::parse::browsers::{self, Addon};
use crate::policy::{Hit, Survey};
use devidence_core::{Control, Finding, Os, ProbeRun};

/// What the plan gathers besides the survey: facts about where it looked and what it saw but
/// did not count.
#[derive(Default)]
pub(crate) struct Notes {
    pub(crate) disabled: Vec<String>,
}

/// Where one OS keeps browser profiles, relative to a home directory.
pub(crate) struct BrowserDirs {
    /// Chromium-family user-data directories: (browser, directory).
    pub(crate) chromium: &'static [(&'static str, &'static str)],
    /// Firefox-family profile roots (holding `profiles.ini`): (browser, directory).
    pub(crate) firefox: &'static [(&'static str, &'static str)],
    /// Firefox's per-user add-on scope directory, where the OS has one.
    pub(crate) firefox_user_scope: Option<&'static str>,
}

pub(crate) fn hit(product: &Product, how: String, whose: String) -> Hit {
    Hit {
        product: product.name,
        how,
        whose,
    }
}

/// A Firefox add-on from the catalogue found on disk, waiting to be confirmed in a profile.
#[derive(Clone)]
pub(crate) struct AddonOnDisk {
    pub(crate) product: &'static Product,
    pub(crate) id: String,
    /// Where: `system-wide`, `user scope`, `profile`.
    scope: &'static str,
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

/// Scans one home's browser profiles; returns what was looked at, for the facts.
pub(crate) fn scan_browsers(
    run: &mut ProbeRun<'_>,
    home: &str,
    dirs: &BrowserDirs,
    firefox_system: &[AddonOnDisk],
    whose: &dyn Fn(&str) -> String,
    survey: &mut Survey,
    notes: &mut Notes,
) -> Vec<String> {
    let mut looked = Vec::new();
    // Chromium-family browsers.
    for (browser, rel) in dirs.chromium {
        let base = format!("{home}/{rel}");
        let profiles: Vec<String> = run
            .list_dir_quietly(&base)
            .into_iter()
            .filter(|e| browsers::is_chromium_profile(e))
            .collect();
        if profiles.is_empty() {
            continue;
        }
        looked.push(format!("{browser} ({})", profiles.join(", ")));
        for profile in &profiles {
            let ext_dir = format!("{base}/{profile}/Extensions");
            let ids = run.list_dir_quietly(&ext_dir);
            let found: Vec<(&Product, &String)> = ids
                .iter()
                .filter_map(|id| catalog::find(|p| p.chromium, id).map(|p| (p, id)))
                .collect();
            if found.is_empty() {
                continue;
            }
            run.list_dir(&ext_dir);
            for (product, id) in found {
                let mut versions = run.list_dir_quietly(&format!("{ext_dir}/{id}"));
                versions.sort();
                let version = versions
                    .last()
                    .map(|v| format!(" {}", v.trim_end_matches("_0")))
                    .unwrap_or_default();
                survey.hits.push(hit(
                    product,
                    format!("{browser} extension {id}{version}"),
                    whose(&format!("profile {profile}")),
                ));
            }
        }
    }

    // Firefox-family browsers.
    let user_scope = match dirs.firefox_user_scope {
        Some(dir) => firefox_ids_in(
            &run.list_dir_quietly(&format!("{home}/{dir}/{}", browsers::FIREFOX_APP_ID)),
            "user scope",
        ),
        None => Vec::new(),
    };
    for (browser, rel) in dirs.firefox {
        let root = format!("{home}/{rel}");
        let entries = run.list_dir_quietly(&root);
        if entries.is_empty() {
            continue;
        }
        let mut profiles = Vec::new();
        if entries.iter().any(|e| e == "profiles.ini") {
            let ini = run.read_file(&format!("{root}/profiles.ini"));
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
        let short: Vec<&str> = profiles
            .iter()
            .map(|p| p.rsplit('/').next().unwrap_or(p))
            .collect();
        looked.push(format!("{browser} ({})", short.join(", ")));
        for profile in &profiles {
            let ext_dir = format!("{profile}/extensions");
            let in_profile = firefox_ids_in(&run.list_dir_quietly(&ext_dir), "profile");
            if !in_profile.is_empty() {
                run.list_dir(&ext_dir);
            }
            let candidates: Vec<AddonOnDisk> = in_profile
                .into_iter()
                .chain(user_scope.iter().cloned())
                .chain(firefox_system.iter().cloned())
                .collect();
            if candidates.is_empty() {
                continue;
            }
            let profile_name = profile.rsplit('/').next().unwrap_or(profile);
            let place = whose(&format!("{browser} profile {profile_name}"));
            let json = run.read_file(&format!("{profile}/extensions.json"));
            let addons: Result<Vec<Addon>, String> = if json.succeeded() {
                browsers::parse_extensions_json(&json.stdout)
            } else {
                Err(json.failure_reason())
            };
            judge_firefox(&candidates, addons, browser, &place, survey, notes);
        }
    }
    looked
}

/// Counts the candidates Firefox registered and enabled in this profile; notes the rest.
fn judge_firefox(
    candidates: &[AddonOnDisk],
    addons: Result<Vec<Addon>, String>,
    browser: &str,
    place: &str,
    survey: &mut Survey,
    notes: &mut Notes,
) {
    let mut seen: Vec<&str> = Vec::new();
    for candidate in candidates {
        if seen.contains(&candidate.id.as_str()) {
            continue;
        }
        seen.push(&candidate.id);
        let product = candidate.product;
        let id = &candidate.id;
        match &addons {
            Ok(addons) => match addons.iter().find(|a| &a.id == id) {
                Some(addon) if addon.enabled() => survey.hits.push(hit(
                    product,
                    format!("{browser} extension {id} {} ({}, enabled)", addon.version, addon.location),
                    place.to_string(),
                )),
                Some(addon) => notes.disabled.push(format!(
                    "{}: {browser} extension {id} {} is installed but disabled (active={}, userDisabled={}, appDisabled={}) ({place})",
                    product.name,
                    addon.version,
                    flag(addon.active),
                    flag(addon.user_disabled),
                    flag(addon.app_disabled)
                )),
                None => notes.disabled.push(format!(
                    "{}: {browser} extension {id} is on disk ({}) but not registered in extensions.json ({place})",
                    product.name, candidate.scope
                )),
            },
            Err(why) if candidate.scope == "profile" => survey.hits.push(hit(
                product,
                format!("{browser} extension {id} in the profile's extensions directory (enabled state unknown: {why})"),
                place.to_string(),
            )),
            Err(why) => notes.disabled.push(format!(
                "{}: {browser} extension {id} is installed {} but its state in this profile is unknown ({why}) ({place})",
                product.name, candidate.scope
            )),
        }
    }
}

fn flag(value: Option<bool>) -> &'static str {
    match value {
        Some(true) => "true",
        Some(false) => "false",
        None => "unset",
    }
}

/// Records the survey as facts and ends the run with the policy's verdict.
pub(crate) fn finish(mut run: ProbeRun<'_>, survey: Survey, notes: Notes) -> Finding {
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
    for (i, note) in notes.disabled.iter().enumerate() {
        run.fact(format!("not_counted.{:02}", i + 1), note.clone());
    }
    run.fact("sources.read", survey.read.join(", "));
    if !survey.unreadable.is_empty() {
        run.fact("sources.unreadable", survey.unreadable.join("; "));
    }
    let decision = crate::policy::decide(&survey);
    let remediation = decision.remediation.map(|r| {
        if r == crate::policy::INSTALL_REMEDY && run.os != Os::Linux {
            crate::policy::INSTALL_REMEDY_DESKTOP.to_string()
        } else {
            r
        }
    });
    run.finish(
        Control::PasswordManager,
        decision.verdict,
        decision.summary,
        remediation,
    )
}
