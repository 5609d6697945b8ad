//! systemd: `systemctl show UNIT… -p …` blocks and `systemctl is-enabled UNIT`.

/// What systemd says about one unit. Fields are `None` when not printed or empty.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UnitState {
    /// `Id=`, the unit name.
    pub id: String,
    /// `Names=`, every name the unit answers to (its aliases too: on dnf5,
    /// `dnf-automatic.timer` is an alias of `dnf5-automatic.timer`, whose `Id=` systemd prints).
    pub names: Vec<String>,
    /// `LoadState=` (`loaded`, `not-found`, `masked`, …).
    pub load_state: Option<String>,
    /// `ActiveState=` (`active`, `inactive`, …); `None` when systemd is not running.
    pub active_state: Option<String>,
    /// `SubState=` (`waiting`, `running`, `elapsed`, `dead` for a timer).
    pub sub_state: Option<String>,
    /// `UnitFileState=` (`enabled`, `disabled`, `masked`, `static`, …).
    pub unit_file_state: Option<String>,
    /// `LastTriggerUSec=`, a time stamp as systemctl prints it.
    pub last_trigger: Option<String>,
    /// `NextElapseUSecRealtime=`, a time stamp as systemctl prints it.
    pub next_elapse: Option<String>,
    /// `NextElapseUSecMonotonic=`, for timers on `OnBootSec=`/`OnUnitInactiveSec=` (the
    /// rpm-ostree and bootc timers), a time since boot as systemctl prints it.
    pub next_elapse_monotonic: Option<String>,
}

impl UnitState {
    /// True when `name` is this unit's `Id=` or one of its `Names=`.
    pub fn answers_to(&self, name: &str) -> bool {
        self.id == name || self.names.iter().any(|n| n == name)
    }
}

/// The unit in `units` that answers to `name` (by `Id=` first, then by alias).
pub fn find<'a>(units: &'a [UnitState], name: &str) -> Option<&'a UnitState> {
    units
        .iter()
        .find(|u| u.id == name)
        .or_else(|| units.iter().find(|u| u.answers_to(name)))
}

/// Parses `systemctl show A B … -p …`: one blank-line-separated block per unit, each with an
/// `Id=` line. Blocks without `Id=` are skipped.
pub fn parse_show(text: &str) -> Vec<UnitState> {
    let mut units = Vec::new();
    for block in text.split("\n\n") {
        let mut unit = UnitState::default();
        for line in block.lines() {
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let value = value.trim();
            let value = (!value.is_empty() && value != "n/a").then(|| value.to_string());
            match key.trim() {
                "Id" => unit.id = value.unwrap_or_default(),
                "Names" => {
                    unit.names = value
                        .map(|v| v.split_whitespace().map(str::to_string).collect())
                        .unwrap_or_default()
                }
                "SubState" => unit.sub_state = value,
                // `0` (a calendar timer) and `infinity` (nothing pending) are no elapse.
                "NextElapseUSecMonotonic" => {
                    unit.next_elapse_monotonic = value.filter(|v| v != "0" && v != "infinity")
                }
                "LoadState" => unit.load_state = value,
                "ActiveState" => unit.active_state = value,
                "UnitFileState" => unit.unit_file_state = value,
                "LastTriggerUSec" => unit.last_trigger = value,
                "NextElapseUSecRealtime" => unit.next_elapse = value,
                _ => {}
            }
        }
        if !unit.id.is_empty() {
            units.push(unit);
        }
    }
    units
}

/// The words `systemctl is-enabled` prints (systemctl(1), "is-enabled" table).
const IS_ENABLED_WORDS: [&str; 14] = [
    "enabled",
    "enabled-runtime",
    "linked",
    "linked-runtime",
    "alias",
    "masked",
    "masked-runtime",
    "static",
    "indirect",
    "disabled",
    "generated",
    "transient",
    "bad",
    "not-found",
];

/// Parses `systemctl is-enabled UNIT` for one unit: its state word, or `not-found` when
/// systemctl reports the unit file missing (`Failed to get unit file state for …: No such file
/// or directory` on stderr, nothing on stdout). `None` when the output is anything else.
pub fn parse_is_enabled(stdout: &str, stderr: &str) -> Option<String> {
    let word = stdout.lines().map(str::trim).find(|l| !l.is_empty());
    match word {
        Some(word) if IS_ENABLED_WORDS.contains(&word) => Some(word.to_string()),
        Some(_) => None,
        None if stderr.contains("No such file or directory") => Some("not-found".into()),
        None => None,
    }
}

/// True when systemctl's error says systemd is not the init system (containers, some VMs):
/// `System has not been booted with systemd as init system (PID 1). Can't operate.`
pub fn systemd_not_running(stderr: &str) -> bool {
    stderr.contains("not been booted with systemd")
}

#[cfg(test)]
mod tests {
    use super::*;
    use devidence_testkit::probe::Fixtures;

    const LINUX: Fixtures = Fixtures::new(env!("CARGO_MANIFEST_DIR"), "linux");

    #[test]
    fn show_blocks_become_units() {
        let units = parse_show(&LINUX.text("systemctl-show-apt-timers-running.txt"));
        assert_eq!(units.len(), 2);
        assert_eq!(units[0].id, "apt-daily.timer");
        assert_eq!(units[0].unit_file_state.as_deref(), Some("enabled"));
        assert_eq!(units[0].active_state.as_deref(), Some("active"));
        assert_eq!(units[1].id, "apt-daily-upgrade.timer");
        assert_eq!(
            units[1].last_trigger.as_deref(),
            Some("Mon 2026-11-23 06:40:12 UTC")
        );
    }

    #[test]
    fn show_of_a_missing_unit_and_empty_values() {
        let text = "NextElapseUSecRealtime=\nLastTriggerUSec=n/a\nId=dnf5-automatic.timer\nLoadState=not-found\nActiveState=inactive\nUnitFileState=\n";
        let units = parse_show(text);
        assert_eq!(units[0].load_state.as_deref(), Some("not-found"));
        assert_eq!(units[0].unit_file_state, None);
        assert_eq!(units[0].last_trigger, None);
        assert!(parse_show("garbage\n\n").is_empty());
    }

    #[test]
    fn an_alias_is_found_by_its_names() {
        let units = parse_show(&LINUX.text("systemctl-show-dnf5-automatic-alias-constructed.txt"));
        assert_eq!(units.len(), 2, "one block per unit asked about");
        let unit = find(&units, "dnf-automatic.timer").expect("alias");
        assert_eq!(unit.id, "dnf5-automatic.timer");
        assert!(unit.answers_to("dnf-automatic.timer"));
        assert_eq!(unit.sub_state.as_deref(), Some("waiting"));
        assert_eq!(find(&units, "nosuch.timer"), None);
        let monotonic = parse_show("Id=t.timer\nNextElapseUSecMonotonic=1d 2h 3min 4.5s\n");
        assert_eq!(
            monotonic[0].next_elapse_monotonic.as_deref(),
            Some("1d 2h 3min 4.5s")
        );
    }

    #[test]
    fn is_enabled_outputs_recorded_on_debian_12() {
        assert_eq!(
            parse_is_enabled(&LINUX.text("systemctl-is-enabled-enabled.txt"), ""),
            Some("enabled".into())
        );
        assert_eq!(
            parse_is_enabled(&LINUX.text("systemctl-is-enabled-disabled.txt"), ""),
            Some("disabled".into())
        );
        assert_eq!(
            parse_is_enabled(
                "",
                "Failed to get unit file state for nosuch.timer: No such file or directory\n"
            ),
            Some("not-found".into())
        );
        assert_eq!(parse_is_enabled("Segmentation fault\n", ""), None);
        assert!(systemd_not_running(
            &LINUX.text("systemctl-show-offline.stderr")
        ));
    }
}
