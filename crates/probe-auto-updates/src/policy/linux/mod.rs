//! Linux: unattended-upgrades on the Debian family (here), dnf-automatic on the Fedora family
//! ([`dnf`]), and image-based / openSUSE systems ([`image`]); the timer rules they share
//! ([`conclude_timer`]) are here.

mod dnf;
mod image;

pub use dnf::{
    DNF_CONFIG_TIMERS, DNF_INSTALL_TIMERS, DNF_OTHER_TIMERS, DNF_REMEDY, conclude_dnf_schedule,
    first_scheduled,
};
pub use image::{conclude_ostree, conclude_suse};

use super::{Check, conclude};
use crate::linux::{Apt, AptSettings, DpkgAnswer, Facts, Timers};
use crate::parse::linux::apt::{PackageState, Periodic, origin_covers_security};
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
            Conclusion::unknown(
                format!(
                    "automatic updates on {name} (ID={}) are not checked yet; this release checks Debian/Ubuntu (unattended-upgrades), Fedora/RHEL (dnf-automatic), image-based systems (rpm-ostree, bootc, uupd) and openSUSE (transactional-update, os-update)",
                    release.id
                ),
                format!("Could not check automatic updates because {name} is not supported yet."),
                Some(
                    "Upload evidence of this machine's automatic-update settings manually.".into(),
                ),
            )
        }
        Facts::Debian(apt) => conclude_apt(apt),
        Facts::Fedora(dnf) => dnf::conclude_dnf(dnf),
        Facts::Ostree(ostree) => conclude_ostree(ostree),
        Facts::Suse(suse) => conclude_suse(suse),
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
pub(super) fn timers_unread(timers: &Timers) -> Check {
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
        // An active timer whose triggers have all passed (`OnBootSec=` alone) never fires
        // again this boot.
        Some("active") if unit.sub_state.as_deref() == Some("elapsed") => {
            TimerStatus::Off(format!(
                "{name} is {file_state} but elapsed, so it does not fire again until the next boot"
            ))
        }
        Some("active" | "activating" | "reloading") => {
            let next = match (&unit.next_elapse, &unit.next_elapse_monotonic) {
                (Some(at), _) => format!(", next run {at}"),
                (None, Some(after)) => format!(", next run {after} after boot"),
                (None, None) => String::new(),
            };
            let waiting = match unit.sub_state.as_deref() {
                Some(sub) => format!(" ({sub})"),
                None => String::new(),
            };
            TimerStatus::Scheduled(format!("{name} is {file_state} and active{waiting}{next}"))
        }
        Some(active) => TimerStatus::Off(format!(
            "{name} is {file_state} but {active}, so it is not scheduled until the next boot"
        )),
        // Unit files only (systemd not PID 1): only a unit enabled by name counts; an alias,
        // a link or a static unit says nothing of whether it is wanted.
        None if file_state == "enabled" => {
            TimerStatus::Scheduled(format!("{name} is {file_state} (active state unknown)"))
        }
        None => TimerStatus::Unclear(format!(
            "{name} is {file_state}, and without systemd's active state whether it fires cannot be told"
        )),
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

    /// A loaded unit with these file and active states (shared with the dnf tests).
    pub(super) fn unit(id: &str, file: Option<&str>, active: Option<&str>) -> UnitState {
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
            (
                UnitState {
                    sub_state: Some("elapsed".into()),
                    ..unit("t", Some("enabled"), Some("active"))
                },
                "off",
            ),
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
