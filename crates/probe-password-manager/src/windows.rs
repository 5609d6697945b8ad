//! The Windows plan: installed programs (the Uninstall keys machine-wide, 32-bit, and each
//! signed-in person's own, read in-process with only their name, version and publisher kept)
//! and every person's browser extensions.
//!
//! Per-user installs (1Password and Bitwarden install for one person by default) live in that
//! person's registry hive, which Windows loads only while they are signed in; for the others
//! the browser profiles are still scanned and the facts say the hive was not loaded.

use crate::builtin::PolicySource;
use crate::parse::windows::{Program, parse_uninstall_tree, product_for_display_name};
use crate::policy::{Hit, Notes, Survey};
use crate::scan::{BrowserDirs, ChromiumDir, Install, Shared, record_survey, scan_browsers};
use devidence_core::windows::{WindowsProfile, user_profiles};
use devidence_core::{Outcome, ProbeRun, RegistryRead, UserContext};

/// What the Windows plan found: every source it read or could not read, and every password
/// manager in them (all of it is also recorded as facts).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    /// The password managers found and the sources read.
    pub survey: Survey,
    /// What was seen but not counted, and scans cut short.
    pub notes: Notes,
}

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

/// Where Firefox on Windows reads enterprise policies: Group Policy's registry key, and a
/// `policies.json` in a `distribution` folder "where the EXE is located" (mozilla
/// policy-templates `docs/index.md`; the default install folder).
pub(crate) const FIREFOX_POLICIES: &[PolicySource] = &[
    PolicySource::Registry(r"HKLM\SOFTWARE\Policies\Mozilla\Firefox"),
    PolicySource::Json(r"C:\Program Files\Mozilla Firefox\distribution"),
    PolicySource::Json(r"C:\Program Files (x86)\Mozilla Firefox\distribution"),
];

/// Firefox-family profile roots on Windows, relative to a profile directory.
pub const FIREFOX_DIRS: &[(&str, &str)] = &[("Firefox", "AppData/Roaming/Mozilla/Firefox")];

/// The Uninstall key below a hive's `SOFTWARE`.
const UNINSTALL: &str = r"Microsoft\Windows\CurrentVersion\Uninstall";

/// The values kept of each installed program: nothing else about the machine's software.
pub const PROGRAM_VALUES: &[&str] = &["DisplayName", "DisplayVersion", "Publisher"];

/// The Uninstall trees to read: machine-wide (64-bit and 32-bit views) and each signed-in
/// person's own (their hive is loaded only while they are signed in).
pub fn installed_program_reads(profiles: &[WindowsProfile]) -> Vec<RegistryRead> {
    let mut keys = vec![
        format!(r"HKLM\SOFTWARE\{UNINSTALL}"),
        format!(r"HKLM\SOFTWARE\WOW6432Node\{UNINSTALL}"),
    ];
    keys.extend(
        profiles
            .iter()
            .filter(|p| p.hive_loaded)
            .map(|p| format!(r"HKU\{}\Software\{UNINSTALL}", p.sid)),
    );
    keys.iter()
        .map(|key| RegistryRead::tree(key).only_values(PROGRAM_VALUES))
        .collect()
}

/// Reads every Uninstall tree; returns the programs found and, for each tree that could not
/// be read, why (a missing tree — no 32-bit programs, no per-user installs — is simply empty).
fn read_installed_programs(
    run: &mut ProbeRun<'_>,
    profiles: &[WindowsProfile],
) -> (Vec<Program>, Vec<String>) {
    let mut programs = Vec::new();
    let mut unreadable = Vec::new();
    for (index, read) in installed_program_reads(profiles).into_iter().enumerate() {
        let obs = run.read_registry(read);
        match obs.outcome {
            Outcome::Completed => match parse_uninstall_tree(&obs.stdout) {
                Ok(found) => programs.extend(found),
                Err(why) => unreadable.push(format!("{}: {why}", obs.source)),
            },
            // Every Windows has the machine-wide key; without it nothing was really read.
            Outcome::NotFound if index == 0 => unreadable.push(format!(
                "{} (Windows always has this key)",
                obs.failure_reason()
            )),
            Outcome::NotFound => {}
            _ => unreadable.push(obs.failure_reason()),
        }
    }
    (programs, unreadable)
}

/// Reads the user profiles and the installed programs and scans every person's browser
/// profiles, recording what it read as facts.
pub fn gather(run: &mut ProbeRun<'_>) -> Facts {
    let mut survey = Survey::default();
    let mut notes = Notes::default();
    let mut shared = Shared::new(CHROMIUM_DIRS, FIREFOX_POLICIES);
    let profiles = user_profiles(run);
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
    let (programs, unreadable) = read_installed_programs(run, &profiles);
    run.fact(
        "source.programs",
        if unreadable.is_empty() {
            format!("read ({} programs)", programs.len())
        } else {
            format!(
                "{} programs read; unreadable: {}",
                programs.len(),
                unreadable.join("; ")
            )
        },
    );
    if unreadable.is_empty() {
        survey.read.push("installed programs".into());
    }
    for why in unreadable {
        survey
            .unreadable
            .push(format!("installed programs ({why})"));
    }
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
        survey.hits.push(Hit::new(product, how, whose));
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
            run,
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
    record_survey(run, &survey, &notes);
    Facts { survey, notes }
}
