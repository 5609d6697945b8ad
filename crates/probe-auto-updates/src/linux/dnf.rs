//! The Fedora-family plan: dnf-automatic (dnf 4) and dnf5-plugin-automatic (dnf5).

use super::systemd::{Timers, read_timers};
use crate::parse::linux::dnf::{self, AutomaticConf};
use crate::parse::linux::systemd::find;
use crate::policy::{DNF_CONFIG_TIMERS, DNF_INSTALL_TIMERS, DNF_OTHER_TIMERS, first_scheduled};
use devidence_core::{CommandSpec, Outcome, ProbeRun};

const DNF_PACKAGES: [&str; 2] = ["dnf-automatic", "dnf5-plugin-automatic"];

/// The files `dnf5 automatic` reads, in order, each overriding the one before
/// (dnf5 `automatic.cpp`, `AutomaticCommand::pre_configure`).
pub const DNF5_CONFIG_FILES: [&str; 3] = [
    "/usr/share/dnf5/dnf5-plugins/automatic.conf",
    "/etc/dnf/dnf5-plugins/automatic.conf",
    "/etc/dnf/automatic.conf",
];
/// The file dnf 4's `dnf-automatic.timer` passes to `dnf-automatic`.
pub const DNF4_CONFIG_FILE: &str = "/etc/dnf/automatic.conf";

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
        /// True for dnf5 (`dnf5-plugin-automatic`, or timers that resolve to
        /// `dnf5-automatic.timer`): one timer that follows `apply_updates`, and three files.
        dnf5: bool,
        /// The effective configuration, read only when a configuration-driven timer is what
        /// runs (`Err` when unreadable).
        config: Option<Result<AutomaticConf, String>>,
    },
}

pub(super) fn read_dnf(run: &mut ProbeRun<'_>) -> Dnf {
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
    let only_dnf5 = installed
        .iter()
        .all(|(name, _)| name == "dnf5-plugin-automatic");
    let mut dnf5 = only_dnf5;
    let config = match &timers {
        // The configuration matters only when a configuration-driven timer is what runs.
        Timers::Read(states) => match (
            first_scheduled(states, DNF_INSTALL_TIMERS),
            first_scheduled(states, DNF_CONFIG_TIMERS),
        ) {
            (None, Some(timer)) => {
                // On dnf5 `dnf-automatic.timer` is an alias: systemd reports it as
                // `dnf5-automatic.timer`, which runs `dnf5 automatic`.
                let resolved = find(states, timer).map_or(timer, |u| u.id.as_str());
                dnf5 = only_dnf5 || resolved == "dnf5-automatic.timer";
                Some(read_dnf_config(run, dnf5))
            }
            _ => None,
        },
        _ => None,
    };
    run.fact(
        "dnf_automatic.generation",
        if dnf5 { "dnf5" } else { "dnf 4" },
    );
    Dnf::Installed {
        packages,
        timers,
        dnf5,
        config,
    }
}

/// The effective configuration the timer runs with, recorded as facts: dnf 4 reads
/// [`DNF4_CONFIG_FILE`]; dnf5 merges [`DNF5_CONFIG_FILES`] in order (the packaged defaults,
/// the deprecated plugin folder, then the admin's `/etc/dnf/automatic.conf`).
fn read_dnf_config(run: &mut ProbeRun<'_>, dnf5: bool) -> Result<AutomaticConf, String> {
    let files: &[&str] = if dnf5 {
        &DNF5_CONFIG_FILES
    } else {
        &[DNF4_CONFIG_FILE]
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
