//! The service list every catalogue product is looked up in, read once per run:
//!
//! | OS | source | running when |
//! |---|---|---|
//! | Linux | `systemctl show -p Id,LoadState,ActiveState,SubState,UnitFileState -- UNIT…` | `LoadState=loaded`, `ActiveState=active` |
//! | macOS | `launchctl list` (the system domain, as root) | the label is listed with a PID |
//! | Windows | WMI `Win32_Service` filtered to the catalogue's names (in-process) | `State` is `Running` (an enumerated value, not translated) |

use devidence_core::windows::parse_property_blocks;
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

/// Parses `systemctl show -p Id,LoadState,ActiveState,SubState,UnitFileState -- UNIT…`: one
/// block per unit. `Err` when a unit asked about has no block (the text is not systemctl's).
pub fn parse_systemctl_show(
    text: &str,
    names: &[&str],
) -> Result<BTreeMap<String, ServiceState>, String> {
    let mut found: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for block in text.split("\n\n") {
        let fields: BTreeMap<String, String> = block
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect();
        if let Some(id) = fields.get("Id") {
            found.insert(id.clone(), fields);
        }
    }
    let mut states = BTreeMap::new();
    for name in names {
        let fields = found.get(*name).ok_or_else(|| {
            format!("systemctl printed no `Id={name}` block, so its output could not be read")
        })?;
        let get = |k: &str| fields.get(k).map(String::as_str).unwrap_or("");
        let state = match (get("LoadState"), get("ActiveState")) {
            ("not-found", _) => ServiceState::NotInstalled,
            ("loaded", "active") => ServiceState::Running,
            ("loaded" | "masked", active) if !active.is_empty() => ServiceState::Stopped(format!(
                "{active}/{}, unit file {}",
                get("SubState"),
                get("UnitFileState")
            )),
            (load, active) => {
                return Err(format!(
                    "systemctl printed LoadState `{load}` and ActiveState `{active}` for {name}, which it could not read"
                ));
            }
        };
        states.insert((*name).to_string(), state);
    }
    Ok(states)
}

/// Parses `launchctl list` (`PID\tStatus\tLabel`, `-` for no PID). `Err` when the header is
/// missing (the text is not launchctl's list).
pub fn parse_launchctl_list(
    text: &str,
    names: &[&str],
) -> Result<BTreeMap<String, ServiceState>, String> {
    let mut lines = text.lines();
    let header = lines.next().unwrap_or("");
    if header.split_whitespace().collect::<Vec<_>>() != ["PID", "Status", "Label"] {
        return Err(format!(
            "launchctl list began with `{}`, not its `PID Status Label` header",
            header.chars().take(80).collect::<String>()
        ));
    }
    let mut listed = BTreeMap::new();
    for line in lines {
        let fields: Vec<&str> = line.split('\t').collect();
        if let [pid, status, label] = fields[..] {
            listed.insert(label.trim().to_string(), (pid.trim(), status.trim()));
        }
    }
    Ok(names
        .iter()
        .map(|name| {
            let state = match listed.get(*name) {
                None => ServiceState::NotInstalled,
                Some((pid, _)) if pid.parse::<u32>().is_ok() => ServiceState::Running,
                Some((_, status)) => {
                    ServiceState::Stopped(format!("loaded, not running, last exit status {status}"))
                }
            };
            ((*name).to_string(), state)
        })
        .collect())
}

/// Parses `Win32_Service` rows (`Name`, `State`, `StartMode`). An empty answer means none of
/// the services is installed. `Err` when the text is not a list of services.
pub fn parse_win32_service(
    text: &str,
    names: &[&str],
) -> Result<BTreeMap<String, ServiceState>, String> {
    let blocks = if text.trim().is_empty() {
        Vec::new()
    } else {
        parse_property_blocks(text)?
    };
    let mut listed = BTreeMap::new();
    for block in &blocks {
        let (Some(name), Some(state)) = (block.get("name"), block.get("state")) else {
            return Err("Win32_Service printed an object without Name and State".into());
        };
        listed.insert(
            name.to_ascii_lowercase(),
            (state.clone(), block.get("startmode").cloned()),
        );
    }
    Ok(names
        .iter()
        .map(|name| {
            let state = match listed.get(&name.to_ascii_lowercase()) {
                None => ServiceState::NotInstalled,
                Some((state, _)) if state.eq_ignore_ascii_case("Running") => ServiceState::Running,
                Some((state, mode)) => ServiceState::Stopped(format!(
                    "{state}, start mode {}",
                    mode.as_deref().unwrap_or("not printed")
                )),
            };
            ((*name).to_string(), state)
        })
        .collect())
}
