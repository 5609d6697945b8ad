//! Linux: unattended-upgrades on the Debian family, dnf-automatic on the Fedora family.

use super::{Check, conclude};
use crate::linux::{Apt, AptSettings, Dnf, DpkgAnswer, Facts, Timers};
use crate::parse::linux::apt::{PackageState, Periodic, origin_covers_security};
use crate::parse::linux::dnf::{AutomaticConf, parse_bool};
use crate::parse::linux::os_release::Family;
use crate::parse::linux::systemd::UnitState;
use devidence_core::Conclusion;

/// The conclusion from what the Linux plan read.
pub fn conclude_linux(facts: &Facts) -> Conclusion {
    match facts {
        Facts::Unidentified(reason) => Conclusion::unknown(
            format!("the distribution could not be identified: {reason}"),
            "Could not check automatic updates because the distribution could not be identified.",
            Some(
                "Make /etc/os-release readable by the agent (it is world-readable by default)."
                    .into(),
            ),
        ),
        Facts::Unsupported(release) if release.family() == Family::Arch => {
            let name = release.display_name();
            Conclusion::unknown(
                format!(
                    "{name} (ID={}) has no automatic updates by design: pacman upgrades are run by a person, because an upgrade can need manual intervention and an interrupted one leaves a partial upgrade, which Arch does not support",
                    release.id
                ),
                format!(
                    "Could not check automatic updates: {name} provides none, so there is no setting to verify."
                ),
                Some(
                    "Upload evidence of how this machine is kept up to date (for example a scheduled `pacman -Syu` with its log, or your team's update procedure) manually.".into(),
                ),
            )
        }
        Facts::Unsupported(release) => {
            let name = release.display_name();
            let hint = if release.family() == Family::Suse {
                " For openSUSE/SLES, show the YaST Online Update or `zypper` patch schedule."
            } else {
                ""
            };
            Conclusion::unknown(
                format!(
                    "automatic updates on {name} (ID={}) are not checked yet; this release checks Debian/Ubuntu (unattended-upgrades) and Fedora/RHEL (dnf-automatic)",
                    release.id
                ),
                format!("Could not check automatic updates because {name} is not supported yet."),
                Some(format!(
                    "Upload evidence of this machine's automatic-update settings manually.{hint}"
                )),
            )
        }
        Facts::Debian(apt) => conclude_apt(apt),
        Facts::Fedora(dnf) => conclude_dnf(dnf),
    }
}

/// unattended-upgrades: installed, switched on, taking security updates, and scheduled.
fn conclude_apt(apt: &Apt) -> Conclusion {
    let package = match &apt.package {
        DpkgAnswer::State(state) => conclude_package(state),
        DpkgAnswer::NotRun(why) => Check::unknown(
            why.clone(),
            "Run the agent as root on a system where dpkg-query works.",
        ),
        DpkgAnswer::Unparsed { command, printed } => Check::unknown(
            format!("`{command}` printed `{printed}`, which is not a dpkg status"),
            "Check `dpkg-query -W unattended-upgrades` by hand.",
        ),
        DpkgAnswer::Failed(why) => Check::unknown(
            why.clone(),
            "Check `dpkg-query -W unattended-upgrades` by hand.",
        ),
    };
    let (DpkgAnswer::State(PackageState::Installed { version }), Some(schedule), Check::Ok(_)) =
        (&apt.package, &apt.schedule, &package)
    else {
        if matches!(package, Check::Ok(_)) {
            // An installed package proves nothing until its schedule is read; the plan always
            // reads it, so this only guards against a pass with nothing behind it.
            let unread = Check::unknown(
                "the apt schedule was not read",
                "Check `apt-config dump` and `systemctl list-timers apt-daily-upgrade.timer` by hand.",
            );
            return conclude("", &[package, unread]);
        }
        return conclude("", &[package]);
    };
    let mut checks = vec![package.clone()];
    let mut security_origin = "";
    match &schedule.settings {
        AptSettings::Read {
            enable,
            periodic,
            origins,
        } => {
            checks.push(conclude_periodic_enable(enable.as_deref()));
            for setting in periodic {
                checks.push(conclude_periodic(
                    setting.key,
                    setting.value.as_deref(),
                    &setting.parsed,
                ));
            }
            if let Some(origin) = origins.iter().find(|o| origin_covers_security(o)) {
                security_origin = origin;
            }
            checks.push(conclude_origins(origins, &apt.distro_id));
        }
        AptSettings::Unparsed(why) => {
            checks.push(Check::unknown(
                why.clone(),
                "Check `apt-config dump` by hand.",
            ));
        }
        AptSettings::NotRun(why) => checks.push(Check::unknown(
            why.clone(),
            "Run the agent as root so `apt-config dump` can read /etc/apt.",
        )),
    }
    match &schedule.timers {
        Timers::Read(units) => checks.extend(units.iter().map(conclude_apt_timer)),
        timers => checks.push(timers_unread(timers)),
    }
    let pass = format!(
        "unattended-upgrades {version} is installed, switched on and scheduled to install updates from {security_origin}."
    );
    conclude(&pass, &checks)
}

/// Timers systemd could not report on, as an Unknown check.
fn timers_unread(timers: &Timers) -> Check {
    match timers {
        Timers::Unreported(unit) => Check::unknown(
            format!("`systemctl show` did not report on {unit}"),
            format!("Check `systemctl status {unit}` as root."),
        ),
        _ => Check::unknown(
            "systemctl is not installed, so the update schedule cannot be read",
            "This check needs systemd; upload evidence of the update schedule manually.",
        ),
    }
}

/// dnf-automatic: installed, and a timer that installs updates is scheduled.
fn conclude_dnf(dnf: &Dnf) -> Conclusion {
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
            config,
        } => {
            let Timers::Read(timers) = timers else {
                return conclude("", &[timers_unread(timers)]);
            };
            let check = conclude_dnf_schedule(timers, config.as_ref());
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
        timers
            .iter()
            .any(|u| u.id == *name && matches!(conclude_timer(u), TimerStatus::Scheduled(_)))
    })
}

/// The fix for a Debian-family machine without unattended-upgrades.
pub const APT_INSTALL_REMEDY: &str =
    "sudo apt install unattended-upgrades && sudo dpkg-reconfigure -plow unattended-upgrades";

/// unattended-upgrades must be fully installed.
pub fn conclude_package(state: &PackageState) -> Check {
    match state {
        PackageState::Installed { version } => {
            Check::Ok(format!("unattended-upgrades {version} is installed"))
        }
        PackageState::NotInstalled => {
            Check::fail("unattended-upgrades is not installed", APT_INSTALL_REMEDY)
        }
        PackageState::ConfigFilesOnly { version } => Check::fail(
            format!(
                "unattended-upgrades {version} was removed and only its configuration files remain"
            ),
            APT_INSTALL_REMEDY,
        ),
        PackageState::Broken { status } => Check::fail(
            format!("unattended-upgrades is not fully installed (dpkg status `{status}`)"),
            "sudo dpkg --configure -a && sudo apt install --reinstall unattended-upgrades",
        ),
    }
}

/// One `APT::Periodic::*` key must be on. `key` is the full apt key.
pub fn conclude_periodic(
    key: &str,
    value: Option<&str>,
    parsed: &Result<Periodic, String>,
) -> Check {
    match parsed {
        Ok(Periodic::On(how)) => Check::Ok(format!("{key} runs {how}")),
        Ok(Periodic::Off) => Check::fail(
            match value {
                Some(v) => format!("{key} is \"{v}\" (off)"),
                None => format!("{key} is not set, so apt leaves it off"),
            },
            "sudo dpkg-reconfigure -plow unattended-upgrades (answer Yes; it writes /etc/apt/apt.conf.d/20auto-upgrades)",
        ),
        Err(why) => Check::unknown(
            format!("{key} has a value apt does not understand: {why}"),
            "Set it to \"1\" in /etc/apt/apt.conf.d/20auto-upgrades.",
        ),
    }
}

/// `APT::Periodic::Enable "0"` switches off every periodic apt job; absent means on.
pub fn conclude_periodic_enable(value: Option<&str>) -> Check {
    match value.map(str::trim) {
        None | Some("1") => Check::Ok("APT::Periodic::Enable is on".into()),
        Some("0") => Check::fail(
            "APT::Periodic::Enable is \"0\", which switches off all periodic apt jobs",
            "Remove the `APT::Periodic::Enable \"0\";` line from /etc/apt/apt.conf.d/.",
        ),
        Some(other) => Check::unknown(
            format!("APT::Periodic::Enable has an unexpected value \"{other}\""),
            "Set APT::Periodic::Enable to \"1\" or remove it.",
        ),
    }
}

/// At least one allowed origin must admit security updates. `distro_id` picks the example.
pub fn conclude_origins(origins: &[String], distro_id: &str) -> Check {
    let example = if distro_id == "ubuntu" {
        "\"${distro_id}:${distro_codename}-security\";"
    } else {
        "\"origin=Debian,codename=${distro_codename}-security,label=Debian-Security\";"
    };
    let remedy = format!(
        "Add {example} to Unattended-Upgrade::Origins-Pattern in /etc/apt/apt.conf.d/50unattended-upgrades."
    );
    if origins.is_empty() {
        return Check::fail(
            "unattended-upgrades has no allowed origins, so it installs nothing",
            remedy,
        );
    }
    match origins.iter().find(|o| origin_covers_security(o)) {
        Some(origin) => Check::Ok(format!("security origin allowed: {origin}")),
        None => Check::fail(
            format!(
                "no allowed origin covers security updates ({})",
                origins.join(", ")
            ),
            remedy,
        ),
    }
}

/// Whether a systemd timer will fire, judged from what systemd reported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TimerStatus {
    /// Enabled (and active, when that is known); the words say so.
    Scheduled(String),
    /// Proven not to fire; the words say why.
    Off(String),
    /// Cannot tell.
    Unclear(String),
}

/// Judges a timer from `UnitFileState` and, when systemd is running, `ActiveState`.
pub fn conclude_timer(unit: &UnitState) -> TimerStatus {
    let name = &unit.id;
    match unit.load_state.as_deref() {
        Some("not-found") => return TimerStatus::Off(format!("{name} does not exist")),
        Some("masked") => return TimerStatus::Off(format!("{name} is masked")),
        _ => {}
    }
    match unit.unit_file_state.as_deref() {
        Some(
            "enabled" | "enabled-runtime" | "static" | "linked" | "linked-runtime" | "alias"
            | "generated" | "transient",
        ) => {}
        Some(state @ ("disabled" | "masked" | "masked-runtime")) => {
            return TimerStatus::Off(format!("{name} is {state}"));
        }
        Some("not-found") => return TimerStatus::Off(format!("{name} does not exist")),
        Some(other) => {
            return TimerStatus::Unclear(format!("{name} has unit file state `{other}`"));
        }
        None => {
            return TimerStatus::Unclear(format!(
                "systemd did not report whether {name} is enabled"
            ));
        }
    }
    let file_state = unit.unit_file_state.as_deref().unwrap_or_default();
    match unit.active_state.as_deref() {
        Some("active" | "activating" | "reloading") => {
            let next = unit
                .next_elapse
                .as_deref()
                .map(|n| format!(", next run {n}"))
                .unwrap_or_default();
            TimerStatus::Scheduled(format!("{name} is {file_state} and active{next}"))
        }
        Some(active) => TimerStatus::Off(format!(
            "{name} is {file_state} but {active}, so it is not scheduled until the next boot"
        )),
        None => TimerStatus::Scheduled(format!("{name} is {file_state} (active state unknown)")),
    }
}

/// An apt timer must be scheduled.
pub fn conclude_apt_timer(unit: &UnitState) -> Check {
    let name = &unit.id;
    match conclude_timer(unit) {
        TimerStatus::Scheduled(how) => Check::Ok(how),
        TimerStatus::Off(why) => {
            let unmask = if why.ends_with("masked") {
                format!("sudo systemctl unmask {name} && ")
            } else {
                String::new()
            };
            Check::fail(why, format!("{unmask}sudo systemctl enable --now {name}"))
        }
        TimerStatus::Unclear(why) => {
            Check::unknown(why, format!("Check `systemctl status {name}` as root."))
        }
    }
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
/// The fix for a Fedora-family machine.
pub const DNF_REMEDY: &str =
    "sudo dnf install dnf-automatic && sudo systemctl enable --now dnf-automatic-install.timer";

/// The dnf-automatic schedule must install updates: an install timer is scheduled, or a
/// configuration-driven timer is scheduled with `apply_updates = yes` in `config` (the
/// effective configuration that timer reads, `Err` when unreadable, `None` when not read).
pub fn conclude_dnf_schedule(
    timers: &[UnitState],
    config: Option<&Result<AutomaticConf, String>>,
) -> Check {
    let status = |name: &str| {
        timers
            .iter()
            .find(|u| u.id == name)
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
                            "sudo systemctl enable --now dnf-automatic-install.timer (or set apply_updates = yes in /etc/dnf/automatic.conf)",
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
            "sudo systemctl enable --now dnf-automatic-install.timer",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_installed_package_without_its_schedule_is_never_a_pass() {
        let apt = Apt {
            distro_id: "debian".into(),
            package: DpkgAnswer::State(PackageState::Installed {
                version: "2.9".into(),
            }),
            schedule: None,
        };
        let conclusion = conclude_apt(&apt);
        assert!(
            matches!(conclusion.verdict, devidence_core::Verdict::Unknown { .. }),
            "{conclusion:?}"
        );
    }

    fn unit(id: &str, file: Option<&str>, active: Option<&str>) -> UnitState {
        UnitState {
            id: id.into(),
            load_state: Some("loaded".into()),
            unit_file_state: file.map(Into::into),
            active_state: active.map(Into::into),
            ..UnitState::default()
        }
    }

    #[test]
    fn timer_states_table() {
        let table = [
            (unit("t", Some("enabled"), Some("active")), "scheduled"),
            (unit("t", Some("enabled"), None), "scheduled"),
            (unit("t", Some("static"), Some("active")), "scheduled"),
            (unit("t", Some("enabled"), Some("inactive")), "off"),
            (unit("t", Some("disabled"), Some("inactive")), "off"),
            (unit("t", Some("masked"), None), "off"),
            (unit("t", Some("indirect"), None), "unclear"),
            (unit("t", None, None), "unclear"),
        ];
        for (u, want) in table {
            let got = match conclude_timer(&u) {
                TimerStatus::Scheduled(_) => "scheduled",
                TimerStatus::Off(_) => "off",
                TimerStatus::Unclear(_) => "unclear",
            };
            assert_eq!(got, want, "{u:?}");
        }
        let missing = UnitState {
            id: "t".into(),
            load_state: Some("not-found".into()),
            ..UnitState::default()
        };
        assert!(matches!(conclude_timer(&missing), TimerStatus::Off(_)));
    }

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
            conclude_dnf_schedule(&with("dnf-automatic-install.timer"), None),
            Check::Ok(_)
        ));
        assert!(matches!(
            conclude_dnf_schedule(&with("dnf-automatic.timer"), Some(&yes)),
            Check::Ok(_)
        ));
        assert!(matches!(
            conclude_dnf_schedule(&with("dnf-automatic.timer"), Some(&no)),
            Check::Fail { .. }
        ));
        assert!(matches!(
            conclude_dnf_schedule(
                &with("dnf5-automatic.timer"),
                Some(&Ok(AutomaticConf::default()))
            ),
            Check::Fail { .. }
        ));
        assert!(matches!(
            conclude_dnf_schedule(
                &with("dnf-automatic.timer"),
                Some(&Err("permission denied".into()))
            ),
            Check::Unknown { .. }
        ));
        let Check::Fail { reason, .. } =
            conclude_dnf_schedule(&with("dnf-automatic-download.timer"), None)
        else {
            panic!("download timer must fail")
        };
        assert!(reason.contains("never installs"), "{reason}");
        assert!(matches!(
            conclude_dnf_schedule(&all_off, None),
            Check::Fail { .. }
        ));
        assert!(matches!(
            conclude_dnf_schedule(&[], None),
            Check::Unknown { .. }
        ));
    }

    #[test]
    fn apt_checks() {
        assert!(matches!(
            conclude_package(&PackageState::NotInstalled),
            Check::Fail { .. }
        ));
        assert!(matches!(
            conclude_periodic(
                "APT::Periodic::Unattended-Upgrade",
                Some("0"),
                &Ok(Periodic::Off)
            ),
            Check::Fail { .. }
        ));
        assert!(matches!(
            conclude_periodic_enable(Some("0")),
            Check::Fail { .. }
        ));
        assert!(matches!(conclude_periodic_enable(None), Check::Ok(_)));
        assert!(matches!(
            conclude_origins(&[], "debian"),
            Check::Fail { .. }
        ));
        let only_updates = vec!["${distro_id}:${distro_codename}-updates".to_string()];
        assert!(matches!(
            conclude_origins(&only_updates, "ubuntu"),
            Check::Fail { .. }
        ));
    }
}
