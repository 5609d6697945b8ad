//! The service list every catalogue product is looked up in, read once per run:
//!
//! | OS | source | running when |
//! |---|---|---|
//! | Linux | `systemctl show -p Id,LoadState,ActiveState,SubState,UnitFileState -- UNIT…` | `LoadState=loaded`, `ActiveState=active` |
//! | macOS | `launchctl list` (the system domain, as root) | the label is listed with a PID |
//! | Windows | WMI `Win32_Service` filtered to the catalogue's names (in-process) | `State` is `Running` (an enumerated value, not translated) |
//!
//! This step only reads; its parsers are `parse::linux::parse_systemctl_show`,
//! `parse::macos::parse_launchctl_list` and `parse::windows::parse_win32_service`.

use crate::parse::{
    linux::parse_systemctl_show, macos::parse_launchctl_list, windows::parse_win32_service,
};
use devidence_core::{CommandSpec, Os, Outcome, ProbeRun, WmiQuery};
use std::collections::BTreeMap;
use std::time::Duration;

const DEADLINE: Duration = Duration::from_secs(15);

/// What the service list says about one service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServiceState {
    /// Installed and running.
    Running,
    /// Installed but not running (the state as printed).
    Stopped(String),
    /// Not installed (or, on macOS, not loaded).
    NotInstalled,
}

/// The service list: each name asked about, or why the list could not be read.
pub type Services = Result<BTreeMap<String, ServiceState>, String>;

/// The command that lists `names` on Linux and macOS (Windows asks WMI: [`windows_query`]).
pub fn command(os: Os, names: &[&str]) -> Option<CommandSpec> {
    match os {
        Os::Linux => {
            let mut args = vec![
                "show",
                "-p",
                "Id,LoadState,ActiveState,SubState,UnitFileState",
                "--",
            ];
            args.extend(names.iter().copied());
            Some(CommandSpec::new("systemctl", args).deadline(DEADLINE))
        }
        Os::Macos => Some(CommandSpec::new("/bin/launchctl", ["list"]).deadline(DEADLINE)),
        Os::Windows => None,
    }
}

/// The WMI query that lists the Windows services `names` (only those; services not installed
/// are simply absent from the answer).
pub fn windows_query(names: &[&str]) -> WmiQuery {
    let filter: Vec<String> = names.iter().map(|n| format!("Name = '{n}'")).collect();
    WmiQuery::new(
        r"root\cimv2",
        &format!(
            "SELECT Name, State, StartMode FROM Win32_Service WHERE {}",
            filter.join(" OR ")
        ),
    )
    .deadline(DEADLINE)
}

/// Reads the service list for `names` and records one `service.<name>` fact per installed one.
pub fn read(run: &mut ProbeRun<'_>, names: &[&str]) -> Services {
    let os = run.os;
    let obs = match command(os, names) {
        Some(launchctl) if os == Os::Macos => {
            // launchctl lists every job on the Mac; the evidence keeps the header and ours only.
            let wanted: Vec<String> = names.iter().map(|n| (*n).to_string()).collect();
            run.run_minimised(launchctl, move |line| {
                let label = line.rsplit('\t').next().unwrap_or("").trim();
                (line.starts_with("PID") || wanted.iter().any(|w| w == label))
                    .then(|| line.to_string())
            })
        }
        Some(command) => run.run(command),
        None => run.query_wmi(windows_query(names)),
    };
    if obs.outcome == Outcome::NotFound {
        return Err(format!(
            "{}, so installed services could not be listed",
            obs.failure_reason()
        ));
    }
    if !obs.succeeded() {
        return Err(obs.failure_reason());
    }
    let parsed = match os {
        Os::Linux => parse_systemctl_show(&obs.stdout, names),
        Os::Macos => parse_launchctl_list(&obs.stdout, names),
        Os::Windows => parse_win32_service(&obs.stdout, names),
    };
    if let Ok(map) = &parsed {
        for (name, state) in map {
            match state {
                ServiceState::Running => run.fact(format!("service.{name}"), "running"),
                ServiceState::Stopped(how) => {
                    run.fact(format!("service.{name}"), format!("not running ({how})"))
                }
                ServiceState::NotInstalled => {}
            }
        }
    }
    parsed
}
