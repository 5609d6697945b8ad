//! The Windows plan: installed programs from the Uninstall keys (machine-wide, 32-bit, and
//! each signed-in person's own), and every person's browser extensions.
//!
//! Per-user installs (1Password and Bitwarden install for one person by default) live in that
//! person's registry hive, which Windows loads only while they are signed in; for the others
//! the browser profiles are still scanned and the facts say the hive was not loaded.

use crate::catalog::{CATALOG, Product};
use crate::policy::Survey;
use crate::scan::{BrowserDirs, Notes, hit, scan_browsers};
use devidence_core::windows::{parse_reg_query, user_profiles};
use devidence_core::{CommandSpec, Finding, Outcome, ProbeRun};

/// Chromium-family user-data directories on Windows, relative to a profile directory.
pub const CHROMIUM_DIRS: &[(&str, &str)] = &[
    ("Google Chrome", "AppData/Local/Google/Chrome/User Data"),
    ("Microsoft Edge", "AppData/Local/Microsoft/Edge/User Data"),
    (
        "Brave",
        "AppData/Local/BraveSoftware/Brave-Browser/User Data",
    ),
    ("Vivaldi", "AppData/Local/Vivaldi/User Data"),
    ("Chromium", "AppData/Local/Chromium/User Data"),
];

/// Firefox-family profile roots on Windows, relative to a profile directory.
pub const FIREFOX_DIRS: &[(&str, &str)] = &[("Firefox", "AppData/Roaming/Mozilla/Firefox")];

/// The machine-wide Uninstall keys (64-bit view, then the 32-bit one).
pub const MACHINE_UNINSTALL_KEYS: &[&str] = &[
    r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall",
    r"HKLM\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall",
];

/// `reg query KEY /s /v DisplayName`: every installed program's display name under `key`.
pub fn display_names_command(key: &str) -> CommandSpec {
    CommandSpec::new("reg.exe", ["query", key, "/s", "/v", "DisplayName"])
}

/// The catalogue product a `DisplayName` belongs to (case-insensitive prefix match).
pub fn product_for_display_name(name: &str) -> Option<&'static Product> {
    let lower = name.trim().to_lowercase();
    CATALOG.iter().find(|p| {
        p.windows_names
            .iter()
            .any(|n| lower.starts_with(&n.to_lowercase()))
    })
}

/// The display names in a `reg query … /s /v DisplayName` output.
pub fn display_names(text: &str) -> Vec<String> {
    parse_reg_query(text)
        .keys()
        .iter()
        .flat_map(|k| k.values.iter())
        .filter(|v| v.name.eq_ignore_ascii_case("DisplayName"))
        .map(|v| v.data.clone())
        .collect()
}

fn uninstall_key(run: &mut ProbeRun<'_>, key: &str, label: &str, whose: &str, survey: &mut Survey) {
    let obs = run.run(display_names_command(key));
    let text = if obs.succeeded() {
        Some(obs.stdout.clone())
    } else if obs.outcome == Outcome::Completed && obs.exit_code == Some(1) {
        // reg.exe exits 1 when the key is missing or nothing matched: nothing installed here.
        Some(String::new())
    } else {
        None
    };
    match text {
        Some(text) => {
            let names = display_names(&text);
            run.fact(
                format!("source.{label}"),
                format!("read ({} programs)", names.len()),
            );
            survey.read.push(label.to_string());
            for name in names {
                if let Some(product) = product_for_display_name(&name) {
                    survey.hits.push(hit(
                        product,
                        format!("installed program \"{name}\""),
                        whose.to_string(),
                    ));
                }
            }
        }
        None => {
            run.fact(
                format!("source.{label}"),
                format!("unreadable: {}", obs.failure_reason()),
            );
            survey
                .unreadable
                .push(format!("{label} ({})", obs.failure_reason()));
        }
    }
}

pub(crate) fn plan(mut run: ProbeRun<'_>) -> Finding {
    let mut survey = Survey::default();
    let mut notes = Notes::default();
    uninstall_key(
        &mut run,
        MACHINE_UNINSTALL_KEYS[0],
        "programs (64-bit)",
        "system-wide",
        &mut survey,
    );
    uninstall_key(
        &mut run,
        MACHINE_UNINSTALL_KEYS[1],
        "programs (32-bit)",
        "system-wide",
        &mut survey,
    );
    let profiles = user_profiles(&mut run);
    run.fact(
        "source.users",
        if profiles.is_empty() {
            "(no user profiles listed)".to_string()
        } else {
            profiles
                .iter()
                .map(|p| p.user.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        },
    );
    let dirs = BrowserDirs {
        chromium: CHROMIUM_DIRS,
        firefox: FIREFOX_DIRS,
        firefox_user_scope: Some("AppData/Roaming/Mozilla/Extensions"),
    };
    for profile in &profiles {
        let name = profile.user.clone();
        let whose = |place: &str| {
            if place.is_empty() {
                format!("user {name}")
            } else {
                format!("user {name}, {place}")
            }
        };
        if profile.hive_loaded {
            let key = format!(
                r"HKU\{}\Software\Microsoft\Windows\CurrentVersion\Uninstall",
                profile.sid
            );
            uninstall_key(
                &mut run,
                &key,
                &format!("{name}'s programs"),
                &whose(""),
                &mut survey,
            );
        } else {
            run.fact(
                format!("user.{name}.programs"),
                "not read: the person is not signed in, so their registry hive is not loaded",
            );
        }
        let home = profile
            .profile_dir
            .trim_end_matches(['\\', '/'])
            .to_string();
        let looked = scan_browsers(&mut run, &home, &dirs, &[], &whose, &mut survey, &mut notes);
        run.fact(
            format!("user.{name}"),
            if looked.is_empty() {
                format!("profile {home}; no browser profiles")
            } else {
                format!("profile {home}; browsers: {}", looked.join("; "))
            },
        );
        survey.read.push(format!("{name}'s browser profiles"));
    }
    crate::scan::finish(run, survey, notes)
}
