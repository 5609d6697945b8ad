//! What systemd says about the timers an update mechanism runs on.

use crate::parse::linux::systemd::{self, UnitState};
use devidence_core::{CommandSpec, Outcome, ProbeRun};
use std::time::Duration;

const SYSTEMCTL_DEADLINE: Duration = Duration::from_secs(10);

/// What systemd reported on a set of timers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Timers {
    /// One state per unit asked about, in order (an alias and its unit share one).
    Read(Vec<UnitState>),
    /// `systemctl` is not installed.
    NoSystemctl,
    /// `systemctl show` said nothing about this unit.
    Unreported(String),
}

/// What systemd knows about `units`: `systemctl show` when systemd runs, else `systemctl
/// is-enabled` per unit (unit files only). Records `timer.<unit>.*` facts.
pub(super) fn read_timers(run: &mut ProbeRun<'_>, units: &[&str]) -> Timers {
    let mut args: Vec<&str> = vec!["show"];
    args.extend(units);
    for property in [
        "Id",
        "Names",
        "LoadState",
        "ActiveState",
        "SubState",
        "UnitFileState",
        "LastTriggerUSec",
        "NextElapseUSecRealtime",
        "NextElapseUSecMonotonic",
    ] {
        args.extend(["-p", property]);
    }
    let show = run.run(CommandSpec::new("systemctl", args).deadline(SYSTEMCTL_DEADLINE));
    if show.outcome == Outcome::NotFound {
        return Timers::NoSystemctl;
    }
    let states = if show.succeeded() {
        let parsed = systemd::parse_show(&show.stdout);
        let mut states = Vec::new();
        for unit in units {
            // An alias (dnf5's `dnf-automatic.timer`) is printed under its unit's `Id=`.
            match systemd::find(&parsed, unit) {
                Some(state) if !states.contains(state) => states.push(state.clone()),
                Some(_) => {}
                None => return Timers::Unreported((*unit).to_string()),
            }
        }
        run.fact("timers.source", "systemctl show");
        states
    } else if !systemd::systemd_not_running(&show.stderr) {
        // A running systemd that did not answer (a timeout, a bus error): the unit files
        // alone would be a guess at whether the timers fire, so nothing is reported.
        run.fact("systemd.state", show.failure_reason());
        run.fact(
            "timers.source",
            format!("none: `systemctl show` failed ({})", show.failure_reason()),
        );
        units
            .iter()
            .map(|unit| UnitState {
                id: (*unit).to_string(),
                ..UnitState::default()
            })
            .collect()
    } else {
        // systemd is not PID 1 (a container, a chroot): `is-enabled` reads the unit files.
        let why = "systemd is not running as PID 1 on this host".to_string();
        run.fact("systemd.state", why.clone());
        run.fact(
            "timers.source",
            format!("systemctl is-enabled (unit files only; active state unknown because {why})"),
        );
        let mut states = Vec::new();
        for unit in units {
            let obs = run.run(
                CommandSpec::new("systemctl", ["is-enabled", unit]).deadline(SYSTEMCTL_DEADLINE),
            );
            let word = (obs.outcome == Outcome::Completed)
                .then(|| systemd::parse_is_enabled(&obs.stdout, &obs.stderr))
                .flatten();
            states.push(UnitState {
                id: (*unit).to_string(),
                load_state: (word.as_deref() == Some("not-found")).then(|| "not-found".to_string()),
                unit_file_state: word,
                ..UnitState::default()
            });
        }
        states
    };
    for state in &states {
        let prefix = format!("timer.{}", state.id);
        if let Some(load) = &state.load_state {
            run.fact(format!("{prefix}.load_state"), load.clone());
        }
        run.fact(
            format!("{prefix}.unit_file_state"),
            state
                .unit_file_state
                .clone()
                .unwrap_or_else(|| "unknown".into()),
        );
        run.fact(
            format!("{prefix}.active_state"),
            state
                .active_state
                .clone()
                .unwrap_or_else(|| "unknown".into()),
        );
        if let Some(last) = &state.last_trigger {
            run.fact(format!("{prefix}.last_trigger"), last.clone());
        }
        if let Some(sub) = &state.sub_state {
            run.fact(format!("{prefix}.sub_state"), sub.clone());
        }
        if let Some(next) = &state.next_elapse {
            run.fact(format!("{prefix}.next_elapse"), next.clone());
        }
        if let Some(next) = &state.next_elapse_monotonic {
            run.fact(format!("{prefix}.next_elapse_monotonic"), next.clone());
        }
        if state.names.len() > 1 {
            run.fact(format!("{prefix}.names"), state.names.join(" "));
        }
    }
    Timers::Read(states)
}
