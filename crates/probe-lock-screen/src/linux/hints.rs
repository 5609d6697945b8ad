//! logind's idle and lock hints, read where a desktop's lock settings could not be read (Sway,
//! Hyprland and river without a readable idle config, desktops this version does not read,
//! sessions that name no desktop).
//!
//! What they are used for: they are recorded as facts and named in the unknown reason, so a
//! reviewer sees the session's state at the moment of the check. They show state, not
//! configuration, so they never make a pass (nor a failure) on their own: `LockedHint=yes`
//! while `IdleHint=yes` supports that a locker runs when the session goes idle, but says nothing
//! of how soon; `IdleHint=no` is also what logind reports when no idle daemon sets the hint
//! (swayidle does so only with its `idlehint` event).

use crate::parse::linux::logind;
use devidence_core::{CommandSpec, ProbeRun};
use std::time::Duration;

/// Reads each session's hints (`loginctl show-session <id> -p IdleHint -p IdleSinceHint -p
/// LockedHint`), records them under `<prefix>.session.<id>.*`, and returns the sentence to
/// add to the unknown reason.
pub fn record_hints(run: &mut ProbeRun<'_>, sessions: &[String], prefix: &str) -> String {
    let mut parts = Vec::new();
    for id in sessions {
        let obs = run.run(
            CommandSpec::new(
                "loginctl",
                [
                    "show-session",
                    id.as_str(),
                    "-p",
                    "IdleHint",
                    "-p",
                    "IdleSinceHint",
                    "-p",
                    "LockedHint",
                ],
            )
            .deadline(Duration::from_secs(5)),
        );
        let key = format!("{prefix}.session.{id}");
        if !obs.succeeded() {
            run.fact(
                format!("{key}.hints"),
                format!("not read: {}", obs.failure_reason()),
            );
            parts.push(format!("session {id}: not read"));
            continue;
        }
        let hints = logind::parse_hints(&obs.stdout);
        let show = |v: Option<bool>| match v {
            Some(true) => "yes".to_string(),
            Some(false) => "no".to_string(),
            None => "not reported".to_string(),
        };
        let since = hints
            .idle_since_us
            .map_or_else(|| "not reported".to_string(), |us| us.to_string());
        run.fact(format!("{key}.idle_hint"), show(hints.idle));
        run.fact(format!("{key}.locked_hint"), show(hints.locked));
        run.fact(format!("{key}.idle_since_hint_us"), since.clone());
        run.fact(format!("{key}.hints_reading"), hints.reading());
        parts.push(format!(
            "session {id}: IdleHint={}, LockedHint={}, IdleSinceHint={since}",
            show(hints.idle),
            show(hints.locked)
        ));
    }
    format!(
        "logind's hints ({}) show the session's state now, not its lock settings, so they cannot show that it \
         locks in time",
        parts.join("; ")
    )
}
