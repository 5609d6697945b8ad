//! The Linux plan: find the distribution family, then read its update mechanism.
//!
//! Every command and file goes through the [`ProbeRun`] so it lands in the evidence; the
//! parsing lives in [`crate::parse::linux`] and the judgement in [`crate::policy`]
//! (`conclude_linux`).

use crate::parse::linux::apt::{self, PackageState, Periodic};
use crate::parse::linux::dnf::{self, AutomaticConf};
use crate::parse::linux::os_release::{self, Family, OsRelease};
use crate::parse::linux::systemd::{self, UnitState};
use crate::policy::{DNF_CONFIG_TIMERS, DNF_INSTALL_TIMERS, DNF_OTHER_TIMERS, first_scheduled};
use devidence_core::{CommandSpec, Outcome, ProbeRun};
use std::time::Duration;

const SYSTEMCTL_DEADLINE: Duration = Duration::from_secs(10);
const APT_TIMERS: [&str; 2] = ["apt-daily.timer", "apt-daily-upgrade.timer"];
const UU_LOG: &str = "/var/log/unattended-upgrades/unattended-upgrades.log";
const DNF_PACKAGES: [&str; 2] = ["dnf-automatic", "dnf5-plugin-automatic"];

/// What the Linux plan found, by distribution family.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Facts {
    /// `/etc/os-release` (and `/usr/lib/os-release`) could not be read or has no `ID=`: why.
    Unidentified(String),
    /// A distribution whose update mechanism this probe does not check yet.
    Unsupported(OsRelease),
    /// Debian, Ubuntu and derivatives: unattended-upgrades.
    Debian(Apt),
    /// Fedora, RHEL and derivatives: dnf-automatic.
    Fedora(Dnf),
}

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

/// What systemd reported on a set of timers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Timers {
    /// One state per timer asked about, in order.
    Read(Vec<UnitState>),
    /// `systemctl` is not installed.
    NoSystemctl,
    /// `systemctl show` said nothing about this unit.
    Unreported(String),
}

/// What the Fedora-family plan read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Dnf {
    /// `rpm -q` did not complete: why.
    RpmNotRun(String),
    /// `rpm -q` printed something unexpected: the parser's reason and the first line of
    /// stderr (empty when none).
    RpmUnparsed {
        /// The parser's reason.
        why: String,
        /// The first line rpm printed on stderr.
        first_err: String,
    },
    /// Neither dnf-automatic package is installed.
    NotInstalled,
    /// dnf-automatic is installed.
    Installed {
        /// The installed packages, `name version`.
        packages: Vec<String>,
        /// The dnf-automatic timers ([`DNF_INSTALL_TIMERS`], [`DNF_CONFIG_TIMERS`],
        /// [`DNF_OTHER_TIMERS`]).
        timers: Timers,
        /// The effective configuration, read only when a configuration-driven timer is what
        /// runs (`Err` when unreadable).
        config: Option<Result<AutomaticConf, String>>,
    },
}

/// Reads the distribution, then its update mechanism, recording every fact.
pub fn gather(run: &mut ProbeRun<'_>) -> Facts {
    let release = match read_os_release(run) {
        Ok(release) => release,
        Err(reason) => return Facts::Unidentified(reason),
    };
    run.fact("os.id", release.id.clone());
    if !release.id_like.is_empty() {
        run.fact("os.id_like", release.id_like.join(" "));
    }
    run.fact("os.name", release.display_name().to_string());
    run.fact("os.family", release.family().name());
    record_desktop_updater(run);
    match release.family() {
        Family::Debian => Facts::Debian(read_apt(run, &release)),
        Family::Fedora => Facts::Fedora(read_dnf(run)),
        Family::Suse | Family::Arch | Family::Other => Facts::Unsupported(release),
    }
}

/// Records GNOME Software's automatic-update setting (PackageKit) for each graphical session's
/// user, read in that user's context. Evidence only: for OS packages GNOME Software downloads
/// updates and installs them at a restart the person chooses, so it never makes this control
/// pass on its own; the verdict rests on unattended-upgrades / dnf-automatic.
fn record_desktop_updater(run: &mut ProbeRun<'_>) {
    let sessions = match devidence_core::users::graphical_sessions(run) {
        Ok(sessions) => sessions,
        Err(why) => {
            run.fact(
                "gnome_software",
                format!("not read: graphical sessions could not be listed ({why})"),
            );
            return;
        }
    };
    if sessions.is_empty() {
        run.fact("gnome_software", "not read: no graphical session");
        return;
    }
    let users = devidence_core::users::local_users(run).unwrap_or_default();
    for session in sessions {
        let Some(user) = users.iter().find(|u| u.name == session.user) else {
            continue;
        };
        let obs = run.run(
            CommandSpec::new(
                "gsettings",
                ["get", "org.gnome.software", "download-updates"],
            )
            .as_user(&user.context())
            .deadline(Duration::from_secs(10)),
        );
        let value = if obs.succeeded() {
            format!(
                "download-updates {} (installed only at a restart the user chooses)",
                obs.stdout.trim()
            )
        } else if obs.stderr.contains("No such schema") {
            "GNOME Software not installed".to_string()
        } else {
            format!("not read: {}", obs.failure_reason())
        };
        run.fact(format!("gnome_software.{}", user.name), value);
    }
}

fn read_os_release(run: &mut ProbeRun<'_>) -> Result<OsRelease, String> {
    let mut obs = run.read_file("/etc/os-release");
    if obs.outcome == Outcome::NotFound {
        obs = run.read_file("/usr/lib/os-release");
    }
    if !obs.succeeded() {
        return Err(obs.failure_reason());
    }
    os_release::parse(&obs.stdout).ok_or_else(|| format!("{} has no ID= line", obs.source))
}

fn read_apt(run: &mut ProbeRun<'_>, release: &OsRelease) -> Apt {
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

/// What systemd knows about `units`: `systemctl show` when systemd runs, else `systemctl
/// is-enabled` per unit (unit files only). Records `timer.<unit>.*` facts.
fn read_timers(run: &mut ProbeRun<'_>, units: &[&str]) -> Timers {
    let mut args: Vec<&str> = vec!["show"];
    args.extend(units);
    for property in [
        "Id",
        "LoadState",
        "ActiveState",
        "UnitFileState",
        "LastTriggerUSec",
        "NextElapseUSecRealtime",
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
            match parsed.iter().find(|u| u.id == *unit) {
                Some(state) => states.push(state.clone()),
                None => return Timers::Unreported((*unit).to_string()),
            }
        }
        run.fact("timers.source", "systemctl show");
        states
    } else {
        let why = if systemd::systemd_not_running(&show.stderr) {
            "systemd is not running as PID 1 on this host".to_string()
        } else {
            show.failure_reason()
        };
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
        if let Some(next) = &state.next_elapse {
            run.fact(format!("{prefix}.next_elapse"), next.clone());
        }
    }
    Timers::Read(states)
}

fn read_dnf(run: &mut ProbeRun<'_>) -> Dnf {
    run.fact("mechanism", "dnf-automatic");
    let mut args = vec!["-q"];
    args.extend(DNF_PACKAGES);
    let query = run.run(CommandSpec::new("rpm", args));
    if query.outcome != Outcome::Completed {
        return Dnf::RpmNotRun(query.failure_reason());
    }
    let installed = match dnf::parse_rpm_q(&query.stdout, &DNF_PACKAGES) {
        Ok(installed) => installed,
        Err(why) => {
            let first_err = query.stderr.lines().next().unwrap_or_default().to_string();
            return Dnf::RpmUnparsed { why, first_err };
        }
    };
    if installed.is_empty() {
        run.fact("dnf_automatic.package", "not installed");
        return Dnf::NotInstalled;
    }
    let packages: Vec<String> = installed.iter().map(|(n, v)| format!("{n} {v}")).collect();
    run.fact("dnf_automatic.package", packages.join(", "));

    let units: Vec<&str> = DNF_INSTALL_TIMERS
        .iter()
        .chain(&DNF_CONFIG_TIMERS)
        .chain(&DNF_OTHER_TIMERS)
        .copied()
        .collect();
    let timers = read_timers(run, &units);
    let config = match &timers {
        // The configuration matters only when a configuration-driven timer is what runs.
        Timers::Read(states) => match (
            first_scheduled(states, DNF_INSTALL_TIMERS),
            first_scheduled(states, DNF_CONFIG_TIMERS),
        ) {
            (None, Some(timer)) => Some(read_dnf_config(run, timer)),
            _ => None,
        },
        _ => None,
    };
    Dnf::Installed {
        packages,
        timers,
        config,
    }
}

/// The effective configuration `timer` runs with, recorded as facts.
fn read_dnf_config(run: &mut ProbeRun<'_>, timer: &str) -> Result<AutomaticConf, String> {
    // dnf-automatic.timer passes /etc/dnf/automatic.conf explicitly (dnf 4 and dnf5's
    // compatibility unit); dnf5-automatic.timer reads the packaged defaults and the admin's
    // override on top.
    let files: &[&str] = if timer == "dnf5-automatic.timer" {
        &[
            "/usr/share/dnf5/dnf5-plugins/automatic.conf",
            "/etc/dnf/dnf5-plugins/automatic.conf",
        ]
    } else {
        &["/etc/dnf/automatic.conf"]
    };
    let mut effective = AutomaticConf::default();
    let mut read = Vec::new();
    for path in files {
        let obs = run.read_file(path);
        match obs.outcome {
            Outcome::Completed => {
                effective = effective.overlay(&dnf::parse_automatic_conf(&obs.stdout));
                read.push(*path);
            }
            Outcome::NotFound => {}
            _ => return Err(obs.failure_reason()),
        }
    }
    run.fact(
        "dnf_automatic.config",
        if read.is_empty() {
            "(no configuration file: defaults)".to_string()
        } else {
            read.join(" + ")
        },
    );
    run.fact(
        "dnf_automatic.apply_updates",
        effective
            .apply_updates
            .clone()
            .unwrap_or_else(|| "(not set: no)".into()),
    );
    if let Some(download) = &effective.download_updates {
        run.fact("dnf_automatic.download_updates", download.clone());
    }
    run.fact(
        "dnf_automatic.upgrade_type",
        effective
            .upgrade_type
            .clone()
            .unwrap_or_else(|| "(not set: default)".into()),
    );
    Ok(effective)
}
