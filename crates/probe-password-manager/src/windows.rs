//! The Windows plan: installed programs (machine-wide, 32-bit, and each signed-in person's own,
//! in one PowerShell call over the Uninstall keys) and every person's browser extensions.
//!
//! Per-user installs (1Password and Bitwarden install for one person by default) live in that
//! person's registry hive, which Windows loads only while they are signed in; for the others
//! the browser profiles are still scanned and the facts say the hive was not loaded.

use crate::catalog::{CATALOG, Product};
use crate::policy::Survey;
use crate::scan::{BrowserDirs, ChromiumDir, Install, Notes, Shared, hit, scan_browsers};
use devidence_core::windows::{parse_property_blocks, powershell, user_profiles};
use devidence_core::{CommandSpec, Finding, ProbeRun, UserContext};

/// Chromium-family user-data directories on Windows, relative to a profile directory, and how
/// each browser shows it is installed: its entry in the installed programs (machine-wide or
/// the signed-in person's), or its per-user install folder (Chrome and Brave install there
/// for one person when run without administrator rights).
pub(crate) const CHROMIUM_DIRS: &[ChromiumDir] = &[
    ChromiumDir {
        browser: "Google Chrome",
        dir: "AppData/Local/Google/Chrome/User Data",
        installed: &[
            Install::Program("Google Chrome"),
            Install::HomePath("AppData/Local/Google/Chrome/Application", "chrome.exe"),
        ],
    },
    ChromiumDir {
        browser: "Microsoft Edge",
        dir: "AppData/Local/Microsoft/Edge/User Data",
        installed: &[Install::Program("Microsoft Edge")],
    },
    ChromiumDir {
        browser: "Brave",
        dir: "AppData/Local/BraveSoftware/Brave-Browser/User Data",
        installed: &[
            Install::Program("Brave"),
            Install::HomePath(
                "AppData/Local/BraveSoftware/Brave-Browser/Application",
                "brave.exe",
            ),
        ],
    },
    ChromiumDir {
        browser: "Vivaldi",
        dir: "AppData/Local/Vivaldi/User Data",
        installed: &[
            Install::Program("Vivaldi"),
            Install::HomePath("AppData/Local/Vivaldi/Application", "vivaldi.exe"),
        ],
    },
    ChromiumDir {
        browser: "Chromium",
        dir: "AppData/Local/Chromium/User Data",
        installed: &[
            Install::Program("Chromium"),
            Install::HomePath("AppData/Local/Chromium/Application", "chrome.exe"),
        ],
    },
];

/// Firefox-family profile roots on Windows, relative to a profile directory.
pub const FIREFOX_DIRS: &[(&str, &str)] = &[("Firefox", "AppData/Roaming/Mozilla/Firefox")];

/// Every installed program's display name, version and registry path, machine-wide (both
/// views) and from each loaded user hive, as JSON.
pub const INSTALLED_PROGRAMS_SCRIPT: &str = r"Get-ItemProperty -Path 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\*','HKLM:\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall\*','Registry::HKEY_USERS\*\Software\Microsoft\Windows\CurrentVersion\Uninstall\*' -ErrorAction SilentlyContinue | Select-Object -Property DisplayName,DisplayVersion,Publisher,PSPath | ConvertTo-Json -Compress";

/// The installed-programs query through PowerShell.
pub fn installed_programs_command() -> CommandSpec {
    powershell(INSTALLED_PROGRAMS_SCRIPT)
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

/// One installed program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    /// `DisplayName`.
    pub name: String,
    /// `DisplayVersion`.
    pub version: Option<String>,
    /// The user SID from `PSPath` (`…HKEY_USERS\<sid>\…`) for per-user installs.
    pub user_sid: Option<String>,
}

/// Reads the installed-programs output (JSON, or any shape `parse_property_blocks` reads);
/// entries without a display name are skipped.
pub fn parse_installed_programs(text: &str) -> Result<Vec<Program>, String> {
    Ok(parse_property_blocks(text)?
        .into_iter()
        .filter_map(|b| {
            let name = b
                .get("displayname")
                .filter(|n| !n.trim().is_empty())?
                .clone();
            let user_sid = b.get("pspath").and_then(|p| {
                let at = p.to_ascii_uppercase().find(r"HKEY_USERS\")? + r"HKEY_USERS\".len();
                p[at..].split('\\').next().map(str::to_string)
            });
            Some(Program {
                name,
                version: b.get("displayversion").filter(|v| !v.is_empty()).cloned(),
                user_sid,
            })
        })
        .collect())
}

pub(crate) fn plan(mut run: ProbeRun<'_>) -> Finding {
    let mut survey = Survey::default();
    let mut notes = Notes::default();
    let mut shared = Shared::new(CHROMIUM_DIRS);
    let profiles = user_profiles(&mut run);
    if profiles.is_empty() {
        // Without the people's profiles no browser was scanned: that is not "none found".
        survey.unreadable.push(
            "the user profiles (ProfileList listed none or could not be read), so no browser profile was scanned"
                .into(),
        );
    }
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
    let obs = run.run(installed_programs_command());
    let programs = if obs.succeeded() {
        parse_installed_programs(&obs.stdout)
    } else {
        Err(obs.failure_reason())
    };
    match programs {
        Ok(programs) => {
            run.fact(
                "source.programs",
                format!("read ({} programs)", programs.len()),
            );
            survey.read.push("installed programs".into());
            for program in programs {
                shared.installed.add_program(&program.name);
                let Some(product) = product_for_display_name(&program.name) else {
                    continue;
                };
                let whose = match &program.user_sid {
                    Some(sid) => profiles
                        .iter()
                        .find(|p| p.sid.eq_ignore_ascii_case(sid))
                        .map_or_else(|| format!("user {sid}"), |p| format!("user {}", p.user)),
                    None => "system-wide".to_string(),
                };
                let how = match &program.version {
                    Some(v) => format!("installed program \"{}\" {v}", program.name),
                    None => format!("installed program \"{}\"", program.name),
                };
                survey.hits.push(hit(product, how, whose));
            }
        }
        Err(why) => {
            run.fact("source.programs", format!("unreadable: {why}"));
            survey
                .unreadable
                .push(format!("installed programs ({why})"));
        }
    }
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
        if !profile.hive_loaded {
            run.fact(
                format!("user.{name}.programs"),
                "per-user programs not listed: the person is not signed in, so their registry hive is not loaded",
            );
        }
        let home = profile
            .profile_dir
            .trim_end_matches(['\\', '/'])
            .to_string();
        let user = UserContext::windows(&name, &home);
        let looked = scan_browsers(
            &mut run,
            &user,
            &dirs,
            &mut shared,
            &whose,
            &mut survey,
            &mut notes,
        );
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
