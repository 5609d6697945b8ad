//! The Debian-family plan: unattended-upgrades (dpkg, `apt-config dump`, apt's timers).

use super::systemd::{Timers, read_timers};
use crate::parse::linux::apt::{self, PackageState, Periodic};
use crate::parse::linux::os_release::OsRelease;
use devidence_core::{CommandSpec, Outcome, ProbeRun};
use std::time::Duration;

const APT_TIMERS: [&str; 2] = ["apt-daily.timer", "apt-daily-upgrade.timer"];
const UU_LOG: &str = "/var/log/unattended-upgrades/unattended-upgrades.log";

/// What the Debian-family plan read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Apt {
    /// os-release's `ID` (`debian`, `ubuntu`, …).
    pub distro_id: String,
    /// dpkg's answer about the unattended-upgrades package.
    pub package: DpkgAnswer,
    /// The settings and timers, read only once the package is found fully installed.
    pub schedule: Option<AptSchedule>,
}

/// What `dpkg-query -W unattended-upgrades` said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DpkgAnswer {
    /// The package's state.
    State(PackageState),
    /// dpkg-query did not complete (missing, timed out, denied): why.
    NotRun(String),
    /// dpkg-query exited 0 but printed something that is not a dpkg status.
    Unparsed {
        /// The command line.
        command: String,
        /// What it printed, trimmed.
        printed: String,
    },
    /// dpkg-query failed another way: why.
    Failed(String),
}

/// unattended-upgrades' settings and apt's timers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AptSchedule {
    /// What `apt-config dump` gave.
    pub settings: AptSettings,
    /// apt's daily timers (`apt-daily.timer`, `apt-daily-upgrade.timer`).
    pub timers: Timers,
}

/// What `apt-config dump` gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AptSettings {
    /// It did not succeed: why.
    NotRun(String),
    /// Its output is not apt's: the parser's reason.
    Unparsed(String),
    /// The values that decide whether unattended-upgrades installs anything.
    Read {
        /// `APT::Periodic::Enable`, when set.
        enable: Option<String>,
        /// `APT::Periodic::Update-Package-Lists` then `APT::Periodic::Unattended-Upgrade`.
        periodic: Vec<PeriodicSetting>,
        /// unattended-upgrades' allowed origins, in order.
        origins: Vec<String>,
    },
}

/// One `APT::Periodic::*` interval.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeriodicSetting {
    /// The full apt key.
    pub key: &'static str,
    /// Its value, when set.
    pub value: Option<String>,
    /// The value as apt reads it.
    pub parsed: Result<Periodic, String>,
}

pub(super) fn read_apt(run: &mut ProbeRun<'_>, release: &OsRelease) -> Apt {
    run.fact("mechanism", "unattended-upgrades (apt)");
    let distro_id = release.id.clone();

    // 1. Is unattended-upgrades installed?
    let query = run.run(CommandSpec::new(
        "dpkg-query",
        ["-W", "-f=${Status} ${Version}", "unattended-upgrades"],
    ));
    let package = if query.outcome != Outcome::Completed {
        DpkgAnswer::NotRun(query.failure_reason())
    } else if query.exit_code == Some(1) && apt::dpkg_says_unknown_package(&query.stderr) {
        DpkgAnswer::State(PackageState::NotInstalled)
    } else if query.exit_code == Some(0) {
        match apt::parse_dpkg_status(&query.stdout) {
            Some(state) => DpkgAnswer::State(state),
            None => DpkgAnswer::Unparsed {
                command: query.source.clone(),
                printed: query.stdout.trim().to_string(),
            },
        }
    } else {
        DpkgAnswer::Failed(query.failure_reason())
    };
    match &package {
        DpkgAnswer::State(state) => {
            run.fact("unattended_upgrades.package", describe_package(state));
        }
        _ => run.fact("unattended_upgrades.package", "unknown"),
    }
    if !matches!(package, DpkgAnswer::State(PackageState::Installed { .. })) {
        return Apt {
            distro_id,
            package,
            schedule: None,
        };
    }

    // 2. Is it switched on, and does it take security updates?
    let settings = read_apt_settings(run);

    // 3. Are apt's daily timers scheduled?
    let timers = read_timers(run, &APT_TIMERS);

    // 4. Evidence of the last run (a fact only; it never changes the verdict).
    let tail =
        run.run(CommandSpec::new("tail", ["-n", "20", UU_LOG]).deadline(Duration::from_secs(5)));
    if tail.succeeded() {
        let (last, started) = apt::log_summary(&tail.stdout);
        run.fact(
            "unattended_upgrades.log.last_line",
            last.unwrap_or_else(|| "(log is empty)".into()),
        );
        if let Some(started) = started {
            run.fact("unattended_upgrades.log.last_started", started);
        }
    } else {
        run.fact("unattended_upgrades.log", tail.failure_reason());
    }

    Apt {
        distro_id,
        package,
        schedule: Some(AptSchedule { settings, timers }),
    }
}

/// `apt-config dump`: the periodic switches and unattended-upgrades' allowed origins.
fn read_apt_settings(run: &mut ProbeRun<'_>) -> AptSettings {
    let dump = run.run(CommandSpec::new("apt-config", ["dump"]));
    if !dump.succeeded() {
        return AptSettings::NotRun(dump.failure_reason());
    }
    let config = match apt::parse_apt_config_dump(&dump.stdout) {
        Ok(config) => config,
        Err(why) => return AptSettings::Unparsed(why),
    };
    let enable = config.get("APT::Periodic::Enable");
    run.fact("apt.periodic.enable", enable.unwrap_or("(not set: on)"));
    let mut periodic = Vec::new();
    for (key, fact) in [
        (
            "APT::Periodic::Update-Package-Lists",
            "apt.periodic.update_package_lists",
        ),
        (
            "APT::Periodic::Unattended-Upgrade",
            "apt.periodic.unattended_upgrade",
        ),
    ] {
        let value = config.get(key);
        run.fact(fact, value.unwrap_or("(not set: off)"));
        periodic.push(PeriodicSetting {
            key,
            value: value.map(str::to_string),
            parsed: apt::parse_periodic(value),
        });
    }
    let origins = apt::unattended_origins(&config);
    run.fact(
        "unattended_upgrades.origins",
        if origins.is_empty() {
            "(none)".to_string()
        } else {
            origins.join(" | ")
        },
    );
    let security = origins.iter().any(|o| apt::origin_covers_security(o));
    run.fact(
        "unattended_upgrades.security_origin",
        if security { "yes" } else { "no" },
    );
    AptSettings::Read {
        enable: enable.map(str::to_string),
        periodic,
        origins,
    }
}

fn describe_package(state: &PackageState) -> String {
    match state {
        PackageState::Installed { version } => format!("installed {version}"),
        PackageState::ConfigFilesOnly { version } => {
            format!("removed, configuration files of {version} remain")
        }
        PackageState::NotInstalled => "not installed".into(),
        PackageState::Broken { status } => format!("not fully installed ({status})"),
    }
}
