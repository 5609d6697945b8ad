//! logind's idle and lock hints of a session (`loginctl show-session <id> -p IdleHint -p
//! IdleSinceHint -p LockedHint`, `Key=value` lines as in systemd/systemd#14850).
//!
//! They describe the session *now*, not how it is configured: `IdleHint` is set by whatever
//! idle daemon reports idleness to logind (swayidle only with its `idlehint` event, GNOME and
//! KDE always), `IdleSinceHint` is when that started (µs since the epoch, 0 = never set),
//! `LockedHint` is set by a locker or desktop that tells logind it locked the screen.

/// The hints of one session; `None` where the output did not carry the property.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hints {
    /// `IdleHint`.
    pub idle: Option<bool>,
    /// `IdleSinceHint`, µs since the epoch (0: never set).
    pub idle_since_us: Option<u64>,
    /// `LockedHint`.
    pub locked: Option<bool>,
}

impl Hints {
    /// What the hints show, in words for the evidence: they support that a locker runs only
    /// when the session is idle *and* locked, and never show how soon it locks.
    pub fn reading(&self) -> &'static str {
        match (self.idle, self.locked) {
            (Some(true), Some(true)) => {
                "idle and locked now: something locked the session while it was idle (supports that a locker runs; says nothing of how soon it locks)"
            }
            (_, Some(true)) => {
                "locked now: a locker told logind it locked the session (says nothing of an idle timeout)"
            }
            (Some(true), Some(false)) => {
                "idle but not locked now: the session has been idle without being locked (does not show a missing lock: the timeout may not have passed)"
            }
            (Some(false), Some(false)) => {
                "in use and not locked now (what logind reports when no idle daemon sets the hint, too)"
            }
            _ => "not reported",
        }
    }
}

/// Parses the `Key=value` lines.
pub fn parse_hints(text: &str) -> Hints {
    let mut hints = Hints::default();
    let yes_no = |v: &str| match v.trim() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    };
    for line in text.lines() {
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        match key.trim() {
            "IdleHint" => hints.idle = yes_no(value),
            "LockedHint" => hints.locked = yes_no(value),
            "IdleSinceHint" => hints.idle_since_us = value.trim().parse().ok(),
            _ => {}
        }
    }
    hints
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_are_read_and_unknown_values_stay_unknown() {
        let h =
            parse_hints("IdleHint=no\nIdleSinceHint=0\nIdleSinceHintMonotonic=0\nLockedHint=no\n");
        assert_eq!(
            h,
            Hints {
                idle: Some(false),
                idle_since_us: Some(0),
                locked: Some(false)
            }
        );
        assert_eq!(parse_hints("LockedHint=maybe\n").locked, None);
        assert!(
            parse_hints("IdleHint=yes\nLockedHint=yes\n")
                .reading()
                .starts_with("idle and locked")
        );
    }
}
