//! dnf-automatic (dnf 4) and dnf5-plugin-automatic (dnf5): a timer that installs updates.

use super::{Check, TimerStatus, conclude, conclude_timer, timers_unread};
use crate::linux::{Dnf, Timers};
use crate::parse::linux::dnf::{AutomaticConf, parse_bool};
use crate::parse::linux::systemd::{UnitState, find};
use devidence_core::Conclusion;

/// dnf-automatic: installed, and a timer that installs updates is scheduled.
pub(super) fn conclude_dnf(dnf: &Dnf) -> Conclusion {
    match dnf {
        Dnf::RpmNotRun(why) => conclude(
            "",
            &[Check::unknown(
                why.clone(),
                "Run the agent on a system where `rpm -q` works.",
            )],
        ),
        Dnf::RpmUnparsed { why, first_err } => {
            let reason = if first_err.is_empty() {
                why.clone()
            } else {
                format!("{why} ({first_err})")
            };
            conclude(
                "",
                &[Check::unknown(
                    reason,
                    "Check `rpm -q dnf-automatic` by hand.",
                )],
            )
        }
        Dnf::NotInstalled => conclude(
            "",
            &[Check::fail("dnf-automatic is not installed", DNF_REMEDY)],
        ),
        Dnf::Installed {
            packages,
            timers,
            dnf5,
            config,
        } => {
            let Timers::Read(timers) = timers else {
                return conclude("", &[timers_unread(timers)]);
            };
            let check = conclude_dnf_schedule(timers, config.as_ref(), *dnf5);
            let timer = first_scheduled(timers, DNF_INSTALL_TIMERS)
                .or_else(|| first_scheduled(timers, DNF_CONFIG_TIMERS))
                .unwrap_or("its timer");
            let pass = format!(
                "{} is installed and {timer} installs updates automatically.",
                packages.join(", ")
            );
            conclude(&pass, &[check])
        }
    }
}

/// The first of `names` that systemd will fire (see [`conclude_timer`]).
pub fn first_scheduled(timers: &[UnitState], names: [&'static str; 2]) -> Option<&'static str> {
    names.into_iter().find(|name| {
        find(timers, name).is_some_and(|u| matches!(conclude_timer(u), TimerStatus::Scheduled(_)))
    })
}

/// dnf-automatic timers that always install updates.
pub const DNF_INSTALL_TIMERS: [&str; 2] = [
    "dnf-automatic-install.timer",
    "dnf5-automatic-install.timer",
];
/// dnf-automatic timers whose behaviour follows `apply_updates` in the configuration.
pub const DNF_CONFIG_TIMERS: [&str; 2] = ["dnf-automatic.timer", "dnf5-automatic.timer"];
/// dnf-automatic timers that never install.
pub const DNF_OTHER_TIMERS: [&str; 2] = [
    "dnf-automatic-download.timer",
    "dnf-automatic-notifyonly.timer",
];
/// The fix for a Fedora-family machine, on dnf 4 and dnf5 alike: dnf5-plugin-automatic
/// provides `dnf-automatic`, reads `/etc/dnf/automatic.conf` last, and aliases
/// `dnf-automatic.timer` to `dnf5-automatic.timer`.
pub const DNF_REMEDY: &str = "sudo dnf install dnf-automatic, set apply_updates = yes in the [commands] section of /etc/dnf/automatic.conf, then sudo systemctl enable --now dnf-automatic.timer";
/// The fix when dnf5's timer runs but only downloads.
const DNF5_APPLY_REMEDY: &str = "Set apply_updates = yes in the [commands] section of /etc/dnf/automatic.conf (dnf5 reads it after /usr/share/dnf5/dnf5-plugins/automatic.conf), then sudo systemctl restart dnf5-automatic.timer";

/// The dnf-automatic schedule must install updates: an install timer is scheduled (dnf 4:
/// those ignore the configuration), or a configuration-driven timer is scheduled with
/// `apply_updates = yes` in `config` (the effective configuration that timer reads, `Err` when
/// unreadable, `None` when not read). `dnf5` picks the remediation (dnf5 has no install timer).
pub fn conclude_dnf_schedule(
    timers: &[UnitState],
    config: Option<&Result<AutomaticConf, String>>,
    dnf5: bool,
) -> Check {
    let status = |name: &str| {
        find(timers, name)
            .map(conclude_timer)
            .unwrap_or_else(|| TimerStatus::Unclear(format!("systemd did not report on {name}")))
    };
    for name in DNF_INSTALL_TIMERS {
        if let TimerStatus::Scheduled(how) = status(name) {
            return Check::Ok(format!("{how}; it installs updates"));
        }
    }
    let mut unclear = Vec::new();
    for name in DNF_CONFIG_TIMERS {
        match status(name) {
            TimerStatus::Scheduled(how) => {
                return match config {
                    Some(Ok(conf)) => match conf.apply_updates.as_deref() {
                        Some(v) if parse_bool(v) == Some(true) => Check::Ok(format!(
                            "{how} with apply_updates = {v}; it installs updates"
                        )),
                        Some(v) if parse_bool(v).is_none() => Check::unknown(
                            format!(
                                "{name} is scheduled but apply_updates has an unexpected value \"{v}\""
                            ),
                            "Set apply_updates = yes in the [commands] section of /etc/dnf/automatic.conf.",
                        ),
                        value => Check::fail(
                            format!(
                                "{name} is scheduled but only downloads updates (apply_updates = {})",
                                value.unwrap_or("no, by default")
                            ),
                            if dnf5 {
                                DNF5_APPLY_REMEDY
                            } else {
                                "sudo systemctl enable --now dnf-automatic-install.timer (or set apply_updates = yes in /etc/dnf/automatic.conf)"
                            },
                        ),
                    },
                    Some(Err(why)) => Check::unknown(
                        format!(
                            "{name} is scheduled but its configuration could not be read: {why}"
                        ),
                        "Run the agent as root so it can read /etc/dnf/automatic.conf.",
                    ),
                    None => Check::unknown(
                        format!("{name} is scheduled but its configuration was not read"),
                        "Run the agent as root so it can read /etc/dnf/automatic.conf.",
                    ),
                };
            }
            TimerStatus::Unclear(why) => unclear.push(why),
            TimerStatus::Off(_) => {}
        }
    }
    for name in DNF_INSTALL_TIMERS {
        if let TimerStatus::Unclear(why) = status(name) {
            unclear.push(why);
        }
    }
    if !unclear.is_empty() {
        return Check::unknown(
            unclear.join("; "),
            "Check `systemctl list-timers 'dnf*'` as root.",
        );
    }
    let download_only: Vec<&str> = DNF_OTHER_TIMERS
        .into_iter()
        .filter(|name| matches!(status(name), TimerStatus::Scheduled(_)))
        .collect();
    if download_only.is_empty() {
        Check::fail(
            "dnf-automatic is installed but none of its timers is enabled",
            DNF_REMEDY,
        )
    } else {
        Check::fail(
            format!(
                "only {} is enabled, which never installs updates",
                download_only.join(" and ")
            ),
            if dnf5 {
                DNF5_APPLY_REMEDY
            } else {
                "sudo systemctl enable --now dnf-automatic-install.timer"
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::unit;
    use super::*;

    #[test]
    fn dnf_download_only_fails_and_install_timer_passes() {
        let yes = Ok(AutomaticConf {
            apply_updates: Some("yes".into()),
            ..AutomaticConf::default()
        });
        let no = Ok(AutomaticConf {
            apply_updates: Some("no".into()),
            ..AutomaticConf::default()
        });
        let off = |id: &str| unit(id, Some("disabled"), Some("inactive"));
        let on = |id: &str| unit(id, Some("enabled"), Some("active"));
        let all_off: Vec<UnitState> = DNF_INSTALL_TIMERS
            .iter()
            .chain(&DNF_CONFIG_TIMERS)
            .chain(&DNF_OTHER_TIMERS)
            .map(|n| off(n))
            .collect();
        let with = |name: &str| {
            let mut t = all_off.clone();
            for u in &mut t {
                if u.id == name {
                    *u = on(name);
                }
            }
            t
        };
        assert!(matches!(
            conclude_dnf_schedule(&with("dnf-automatic-install.timer"), None, false),
            Check::Ok(_)
        ));
        assert!(matches!(
            conclude_dnf_schedule(&with("dnf-automatic.timer"), Some(&yes), false),
            Check::Ok(_)
        ));
        assert!(matches!(
            conclude_dnf_schedule(&with("dnf-automatic.timer"), Some(&no), false),
            Check::Fail { .. }
        ));
        assert!(matches!(
            conclude_dnf_schedule(
                &with("dnf5-automatic.timer"),
                Some(&Ok(AutomaticConf::default())),
                true
            ),
            Check::Fail { .. }
        ));
        assert!(matches!(
            conclude_dnf_schedule(
                &with("dnf-automatic.timer"),
                Some(&Err("permission denied".into())),
                false
            ),
            Check::Unknown { .. }
        ));
        let Check::Fail { reason, .. } =
            conclude_dnf_schedule(&with("dnf-automatic-download.timer"), None, false)
        else {
            panic!("download timer must fail")
        };
        assert!(reason.contains("never installs"), "{reason}");
        assert!(matches!(
            conclude_dnf_schedule(&all_off, None, false),
            Check::Fail { .. }
        ));
        assert!(matches!(
            conclude_dnf_schedule(&[], None, false),
            Check::Unknown { .. }
        ));
    }
}
