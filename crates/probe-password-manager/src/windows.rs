//! The Windows plan: installed programs (the Uninstall keys machine-wide, 32-bit, and each
//! signed-in person's own, read in-process with only their name, version and publisher kept)
//! and every person's browser extensions.
//!
//! Per-user installs (1Password and Bitwarden install for one person by default) live in that
//! person's registry hive, which Windows loads only while they are signed in; for the others
//! the browser profiles are still scanned and the facts say the hive was not loaded.

use crate::catalog::{CATALOG, Product};
use crate::policy::Survey;
use crate::scan::{BrowserDirs, ChromiumDir, Install, Notes, Shared, hit, scan_browsers};
use devidence_core::windows::{
    RegData, WindowsProfile, parse_property_blocks, parse_reg_query_checked, user_profiles,
    write_reg_key,
};
use devidence_core::{Finding, Outcome, ProbeRun, RegistryRead, UserContext};
use std::collections::BTreeMap;

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

/// The programs in an Uninstall tree as read (`reg query` layout): one per subkey with a
/// `DisplayName`; the user SID comes from an `HKEY_USERS\<sid>\…` path.
pub fn parse_uninstall_tree(text: &str) -> Result<Vec<Program>, String> {
    let dump = parse_reg_query_checked(text)?;
    Ok(dump
        .keys()
        .iter()
        .filter_map(|key| {
            let value = |name: &str| {
                key.values
                    .iter()
                    .find(|v| v.name.eq_ignore_ascii_case(name))
                    .map(|v| v.data.trim().to_string())
                    .filter(|v| !v.is_empty())
            };
            Some(Program {
                name: value("DisplayName")?,
                version: value("DisplayVersion"),
                user_sid: user_sid_of(&key.path),
            })
        })
        .collect())
}

/// The SID in a key path below `HKEY_USERS\` (or PowerShell's `…::HKEY_USERS\…` form).
fn user_sid_of(path: &str) -> Option<String> {
    let at = path.to_ascii_uppercase().find(r"HKEY_USERS\")? + r"HKEY_USERS\".len();
    path[at..].split('\\').next().map(str::to_string)
}

/// Converts what older versions recorded — `Get-ItemProperty` over the Uninstall keys as JSON,
/// with each program's `PSPath` — into the Uninstall-tree reads this version makes, so those
/// recordings replay: each read and its text in `reg query` layout.
pub fn uninstall_trees_from_powershell(
    text: &str,
    profiles: &[WindowsProfile],
) -> Result<Vec<(RegistryRead, String)>, String> {
    let mut trees: BTreeMap<String, String> = BTreeMap::new();
    let reads = installed_program_reads(profiles);
    for block in parse_property_blocks(text)? {
        let Some(path) = block.get("pspath") else {
            continue;
        };
        let path = path.rsplit("::").next().unwrap_or(path);
        let Some(read) = reads.iter().find(|r| {
            devidence_core::windows::long_hive_name(&r.key)
                .eq_ignore_ascii_case(path.rsplit_once('\\').map_or(path, |(root, _)| root))
        }) else {
            continue;
        };
        let values: Vec<(String, RegData)> = PROGRAM_VALUES
            .iter()
            .filter_map(|name| {
                let value = block.get(&name.to_ascii_lowercase())?;
                (!value.is_empty()).then(|| ((*name).to_string(), RegData::Sz(value.clone())))
            })
            .collect();
        write_reg_key(trees.entry(read.display()).or_default(), path, &values);
    }
    Ok(reads
        .into_iter()
        .map(|read| {
            let mut text = trees.remove(&read.display()).unwrap_or_default();
            if text.is_empty() {
                write_reg_key(&mut text, &read.key, &[]);
            }
            (read, text)
        })
        .collect())
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

/// Reads what older versions recorded: `Get-ItemProperty` over the Uninstall keys (JSON, or any
/// shape `parse_property_blocks` reads); entries without a display name are skipped.
pub fn parse_installed_programs(text: &str) -> Result<Vec<Program>, String> {
    Ok(parse_property_blocks(text)?
        .into_iter()
        .filter_map(|b| {
            let name = b
                .get("displayname")
                .filter(|n| !n.trim().is_empty())?
                .clone();
            let user_sid = b.get("pspath").and_then(|p| user_sid_of(p));
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
    let (programs, unreadable) = read_installed_programs(&mut run, &profiles);
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
        survey.hits.push(hit(product, how, whose));
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
