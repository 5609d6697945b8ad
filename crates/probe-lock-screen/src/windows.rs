//! The Windows plan: for every signed-in person, the screen saver (their own setting, with
//! Group Policy overriding it); for the machine, the interactive-logon inactivity limit and
//! the power plan's sleep timer with its "require a password on wakeup" setting.
//!
//! | path to a password prompt | source |
//! |---|---|
//! | secure screen saver | `HKU\<sid>\Control Panel\Desktop` and `HKU\<sid>\Software\Policies\Microsoft\Windows\Control Panel\Desktop`: `ScreenSaveActive`, `ScreenSaverIsSecure`, `ScreenSaveTimeOut`, `SCRNSAVE.EXE` |
//! | machine inactivity limit | `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System` `InactivityTimeoutSecs` |
//! | sleep, then sign-in on wake | one `powercfg /query SCHEME_CURRENT`: `STANDBYIDLE` and `CONSOLELOCK`, found by their GUIDs (AC and battery, the worst counts) |
//!
//! The registry keys are read in-process; `powercfg` is the one command (the power plan's
//! effective values come from the power API, and the registry holds only its overrides).
//!
//! The agent runs as SYSTEM and reads a person's settings from their loaded registry hive, so
//! only people signed in are checked; with nobody signed in the check is unknown. Whichever path
//! reaches a password prompt first is the effective lock time. The `powercfg` parsers are in
//! [`crate::parse::windows`]; [`crate::policy::conclude_windows`] judges what [`gather`]
//! returns.

use crate::parse::windows::{parse_powercfg_setting, parse_reg_number};
use crate::policy::{LockSettings, Observed};
use devidence_core::windows::{RegistryDump, read_registry_key, user_profiles};
use devidence_core::{CommandSpec, ProbeRun};

/// The machine-wide inactivity limit's key.
pub const SYSTEM_POLICY_KEY: &str =
    r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System";

/// A person's own screen-saver settings.
pub fn desktop_key(sid: &str) -> String {
    format!(r"HKU\{sid}\Control Panel\Desktop")
}

/// The Group Policy screen-saver settings for a person (override their own).
pub fn desktop_policy_key(sid: &str) -> String {
    format!(r"HKU\{sid}\Software\Policies\Microsoft\Windows\Control Panel\Desktop")
}

/// `powercfg /query SCHEME_CURRENT`: every setting of the active power plan, in one process.
pub fn power_scheme_command() -> CommandSpec {
    CommandSpec::new("powercfg.exe", ["/query", "SCHEME_CURRENT"])
}

/// The sleep timer's setting GUID (`STANDBYIDLE`, seconds; 0 = never).
pub const STANDBYIDLE_GUID: &str = "29f6c1db-86da-48c5-9fdb-f2b67b1f44da";

/// "Require a password on wakeup" (`CONSOLELOCK`, 1 = yes).
pub const CONSOLELOCK_GUID: &str = "0e796bdb-100d-47d6-a2d5-f7d2daa51f51";

/// What the Windows plan found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Facts {
    /// Nobody is signed in (no person's registry hive is loaded).
    NobodySignedIn,
    /// The machine's paths to a password prompt and each signed-in person's settings.
    SignedIn {
        /// The inactivity limit and the power plan.
        machine: MachinePaths,
        /// Each signed-in person, in profile order.
        people: Vec<Person>,
    },
}

/// One signed-in person's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    /// Their account name.
    pub user: String,
    /// Their screen saver with the machine's paths, normalised; or why the registry keys could
    /// not be read.
    pub settings: Result<LockSettings, String>,
}

/// One person's screen saver, policy over their own setting.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScreenSaver {
    /// `ScreenSaveActive` = 1.
    pub active: Option<bool>,
    /// `ScreenSaverIsSecure` = 1: a password on return.
    pub secure: Option<bool>,
    /// `ScreenSaveTimeOut`, seconds.
    pub timeout_seconds: Option<u64>,
    /// `SCRNSAVE.EXE`: which screen saver (none set = nothing starts).
    pub executable: Option<String>,
    /// Which values came from Group Policy.
    pub from_policy: Vec<String>,
}

fn first_key_value<'a>(dump: &'a RegistryDump, name: &str) -> Option<&'a str> {
    dump.keys()
        .first()?
        .values
        .iter()
        .find(|v| v.name.eq_ignore_ascii_case(name))
        .map(|v| v.data.trim())
}

/// Merges the person's own desktop settings with the policy ones (policy wins value by value).
pub fn screen_saver(own: &RegistryDump, policy: Option<&RegistryDump>) -> ScreenSaver {
    let mut saver = ScreenSaver::default();
    let mut pick = |name: &str| -> Option<String> {
        if let Some(v) = policy.and_then(|p| first_key_value(p, name)) {
            saver.from_policy.push(name.to_string());
            return Some(v.to_string());
        }
        first_key_value(own, name).map(str::to_string)
    };
    let active = pick("ScreenSaveActive");
    let secure = pick("ScreenSaverIsSecure");
    let timeout = pick("ScreenSaveTimeOut");
    let exe = pick("SCRNSAVE.EXE");
    saver.active = active.map(|v| v == "1");
    saver.secure = secure.map(|v| v == "1");
    saver.timeout_seconds = timeout.and_then(|v| v.parse().ok());
    saver.executable = exe.filter(|v| !v.is_empty());
    saver
}

/// The machine's paths to a password prompt that do not depend on the person.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MachinePaths {
    /// `InactivityTimeoutSecs` (0 or absent = no limit).
    pub inactivity_seconds: Option<u64>,
    /// Sleep after (worst of AC and battery; `Some(None)` = one of them never sleeps).
    pub sleep_seconds: Option<Option<u64>>,
    /// Password on wake on both AC and battery.
    pub password_on_wake: Option<bool>,
    /// Why the power plan could not be read, when it could not: then sleep with a password on
    /// wake can be neither counted nor ruled out.
    pub power_unread: Option<String>,
}

/// Normalises one person's settings into the shared [`LockSettings`].
pub fn settings(saver: &ScreenSaver, machine: &MachinePaths) -> LockSettings {
    let source = |what: &str| {
        if saver.from_policy.is_empty() {
            format!("{what} (user setting)")
        } else {
            format!(
                "{what} (Group Policy sets {})",
                saver.from_policy.join(", ")
            )
        }
    };
    let saver_locks = saver.active == Some(true)
        && saver.secure == Some(true)
        && saver.executable.is_some()
        && saver.timeout_seconds.is_some_and(|t| t > 0);
    let mut machine_paths = Vec::new();
    if let Some(limit) = machine.inactivity_seconds.filter(|s| *s > 0) {
        machine_paths.push((limit, "machine inactivity limit (InactivityTimeoutSecs)"));
    }
    if let (Some(Some(sleep)), Some(true)) = (machine.sleep_seconds, machine.password_on_wake) {
        machine_paths.push((
            sleep,
            "sleep with a password on wake (powercfg, worst of AC and battery)",
        ));
    }
    let suspend = machine_paths.iter().min_by_key(|(s, _)| *s).copied();
    let any_path = saver_locks || suspend.is_some();
    let why_not = if saver.active != Some(true) {
        "the screen saver is off"
    } else if saver.executable.is_none() {
        "no screen saver is chosen (SCRNSAVE.EXE)"
    } else if saver.secure != Some(true) {
        "the screen saver does not ask for a password (ScreenSaverIsSecure)"
    } else {
        "the screen saver has no timeout"
    };
    LockSettings {
        auto_lock: Observed::new(
            any_path,
            if any_path {
                "a locking path exists".to_string()
            } else {
                format!("{why_not}, and no inactivity limit or sleep-with-password is set")
            },
        ),
        idle_seconds: if saver_locks {
            Observed::new(saver.timeout_seconds, source("screen saver timeout"))
        } else {
            Observed::new(None, source(why_not))
        },
        grace_seconds: Observed::new(
            Some(0),
            "Windows asks for the password when the secure screen saver stops",
        ),
        password_required: Observed::new(
            any_path,
            if any_path {
                "every locking path ends at the sign-in screen".to_string()
            } else {
                "no path to the sign-in screen".to_string()
            },
        ),
        suspend_lock_seconds: suspend.map(|(s, why)| Observed::new(s, why)),
    }
}

/// The machine-wide paths: the inactivity limit and the power plan's sleep and password on
/// wake.
fn machine_paths(run: &mut ProbeRun<'_>) -> MachinePaths {
    let inactivity = match read_registry_key(run, SYSTEM_POLICY_KEY) {
        Ok(Some(dump)) => {
            first_key_value(&dump, "InactivityTimeoutSecs").and_then(parse_reg_number)
        }
        _ => None,
    };
    let scheme = run.run(power_scheme_command());
    let setting = |guid: &str| {
        scheme
            .succeeded()
            .then(|| parse_powercfg_setting(&scheme.stdout, guid))
            .flatten()
    };
    let sleep = setting(STANDBYIDLE_GUID).map(|(ac, dc)| {
        if ac == 0 || dc == 0 {
            None
        } else {
            Some(ac.max(dc))
        }
    });
    let password_on_wake = setting(CONSOLELOCK_GUID).map(|(ac, dc)| ac == 1 && dc == 1);
    let power_unread = if !scheme.succeeded() {
        Some(scheme.failure_reason())
    } else if sleep.is_none() || password_on_wake.is_none() {
        Some(format!(
            "`{}` printed no STANDBYIDLE or CONSOLELOCK setting it could read",
            scheme.source
        ))
    } else {
        None
    };
    MachinePaths {
        inactivity_seconds: inactivity,
        sleep_seconds: sleep,
        password_on_wake,
        power_unread,
    }
}

/// Runs the Windows plan: the machine's paths, then each signed-in person's screen saver.
pub fn gather(run: &mut ProbeRun<'_>) -> Facts {
    let signed_in: Vec<_> = user_profiles(run)
        .into_iter()
        .filter(|p| p.hive_loaded)
        .collect();
    if signed_in.is_empty() {
        return Facts::NobodySignedIn;
    }
    let machine = machine_paths(run);
    run.fact(
        "machine.inactivity_limit_s",
        machine
            .inactivity_seconds
            .map_or("not set".into(), |s| s.to_string()),
    );
    run.fact(
        "machine.sleep_after_s",
        match machine.sleep_seconds {
            Some(Some(s)) => s.to_string(),
            Some(None) => "never (on AC or battery)".into(),
            None => "not read".into(),
        },
    );
    run.fact(
        "machine.password_on_wake",
        machine
            .password_on_wake
            .map_or("not read".into(), |b| b.to_string()),
    );
    let mut people = Vec::new();
    for profile in &signed_in {
        let settings = match (
            read_registry_key(run, &desktop_key(&profile.sid)),
            read_registry_key(run, &desktop_policy_key(&profile.sid)),
        ) {
            (Ok(own), Ok(policy_dump)) => {
                let own = own.unwrap_or_default();
                let saver = screen_saver(&own, policy_dump.as_ref());
                run.fact(
                    format!("user.{}.screen_saver", profile.user),
                    format!(
                        "active={:?} secure={:?} timeout_s={:?} exe={}{}",
                        saver.active,
                        saver.secure,
                        saver.timeout_seconds,
                        saver.executable.as_deref().unwrap_or("none"),
                        if saver.from_policy.is_empty() {
                            String::new()
                        } else {
                            format!(" (policy: {})", saver.from_policy.join(", "))
                        }
                    ),
                );
                Ok(settings(&saver, &machine))
            }
            (Err(why), _) | (_, Err(why)) => Err(why),
        };
        people.push(Person {
            user: profile.user.clone(),
            settings,
        });
    }
    Facts::SignedIn { machine, people }
}
