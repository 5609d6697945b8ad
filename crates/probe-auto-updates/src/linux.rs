//! The Linux plan: find the distribution family, then check its update mechanism.
//!
//! Every command and file goes through the [`ProbeRun`] so it lands in the evidence; the
//! parsing lives in [`crate::parse`] and the judgement in [`crate::policy`].

use crate::parse::apt::{self, PackageState};
use crate::parse::dnf::{self, AutomaticConf};
use crate::parse::os_release::{self, Family, OsRelease};
use crate::parse::systemd::{self, UnitState};
use crate::policy::{
    self, Check, DNF_CONFIG_TIMERS, DNF_INSTALL_TIMERS, DNF_OTHER_TIMERS, DNF_REMEDY, Decision,
    TimerStatus,
};
use devidence_core::{CommandSpec, Control, Finding, Observation, Outcome, ProbeRun, Verdict};
use std::time::Duration;

const SYSTEMCTL_DEADLINE: Duration = Duration::from_secs(10);
const APT_TIMERS: [&str; 2] = ["apt-daily.timer", "apt-daily-upgrade.timer"];
const UU_LOG: &str = "/var/log/unattended-upgrades/unattended-upgrades.log";
const DNF_PACKAGES: [&str; 2] = ["dnf-automatic", "dnf5-plugin-automatic"];

pub(crate) fn plan(mut run: ProbeRun<'_>) -> Finding {
    let release = match read_os_release(&mut run) {
        Ok(release) => release,
        Err(reason) => {
            let decision = Decision {
                verdict: Verdict::unknown(format!("the distribution could not be identified: {reason}")),
                summary: "Could not check automatic updates because the distribution could not be identified.".into(),
                remediation: Some("Make /etc/os-release readable by the agent (it is world-readable by default).".into()),
            };
            return finish(run, decision);
        }
    };
    run.fact("os.id", release.id.clone());
    if !release.id_like.is_empty() {
        run.fact("os.id_like", release.id_like.join(" "));
    }
    run.fact("os.name", release.display_name().to_string());
    run.fact("os.family", release.family().name());
    record_desktop_updater(&mut run);
    match release.family() {
        Family::Debian => debian(run, &release),
        Family::Fedora => fedora(run),
        Family::Suse | Family::Other => unsupported(run, &release),
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

fn finish(run: ProbeRun<'_>, decision: Decision) -> Finding {
    run.finish(
        Control::AutoUpdates,
        decision.verdict,
        decision.summary,
        decision.remediation,
    )
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

fn unsupported(run: ProbeRun<'_>, release: &OsRelease) -> Finding {
    let name = release.display_name().to_string();
    let hint = if release.family() == Family::Suse {
        " For openSUSE/SLES, show the YaST Online Update or `zypper` patch schedule."
    } else {
        ""
    };
    let decision = Decision {
        verdict: Verdict::unknown(format!(
            "automatic updates on {name} (ID={}) are not checked yet; this release checks Debian/Ubuntu (unattended-upgrades) and Fedora/RHEL (dnf-automatic)",
            release.id
        )),
        summary: format!("Could not check automatic updates because {name} is not supported yet."),
        remediation: Some(format!(
            "Upload evidence of this machine's automatic-update settings manually.{hint}"
        )),
    };
    finish(run, decision)
}

/// A command's observation that did not complete (missing tool, timeout, permission) as an
/// Unknown check.
fn not_run(obs: &Observation, remedy: &str) -> Check {
    Check::Unknown {
        reason: obs.failure_reason(),
        remedy: remedy.to_string(),
    }
}

fn debian(mut run: ProbeRun<'_>, release: &OsRelease) -> Finding {
    run.fact("mechanism", "unattended-upgrades (apt)");
    let mut checks = Vec::new();

    // 1. Is unattended-upgrades installed?
    let query = run.run(CommandSpec::new(
        "dpkg-query",
        ["-W", "-f=${Status} ${Version}", "unattended-upgrades"],
    ));
    let state = if query.outcome != Outcome::Completed {
        Err(not_run(
            &query,
            "Run the agent as root on a system where dpkg-query works.",
        ))
    } else if query.exit_code == Some(1) && apt::dpkg_says_unknown_package(&query.stderr) {
        Ok(PackageState::NotInstalled)
    } else if query.exit_code == Some(0) {
        apt::parse_dpkg_status(&query.stdout).ok_or_else(|| Check::Unknown {
            reason: format!(
                "`{}` printed `{}`, which is not a dpkg status",
                query.source,
                query.stdout.trim()
            ),
            remedy: "Check `dpkg-query -W unattended-upgrades` by hand.".into(),
        })
    } else {
        Err(not_run(
            &query,
            "Check `dpkg-query -W unattended-upgrades` by hand.",
        ))
    };
    let version = match &state {
        Ok(state) => {
            run.fact("unattended_upgrades.package", describe_package(state));
            let check = policy::check_package(state);
            if matches!(check, Check::Fail { .. }) {
                return finish(run, policy::decide("", &[check]));
            }
            checks.push(check);
            match state {
                PackageState::Installed { version } => version.clone(),
                _ => String::new(),
            }
        }
        Err(check) => {
            run.fact("unattended_upgrades.package", "unknown");
            return finish(run, policy::decide("", std::slice::from_ref(check)));
        }
    };

    // 2. Is it switched on, and does it take security updates?
    let dump = run.run(CommandSpec::new("apt-config", ["dump"]));
    let mut security_origin = String::new();
    if dump.succeeded() {
        match apt::parse_apt_config_dump(&dump.stdout) {
            Ok(config) => {
                let enable = config.get("APT::Periodic::Enable");
                run.fact("apt.periodic.enable", enable.unwrap_or("(not set: on)"));
                checks.push(policy::check_periodic_enable(enable));
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
                    checks.push(policy::check_periodic(
                        key,
                        value,
                        &apt::parse_periodic(value),
                    ));
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
                if let Some(origin) = origins.iter().find(|o| apt::origin_covers_security(o)) {
                    security_origin.clone_from(origin);
                }
                run.fact(
                    "unattended_upgrades.security_origin",
                    if security_origin.is_empty() {
                        "no"
                    } else {
                        "yes"
                    },
                );
                checks.push(policy::check_origins(&origins, &release.id));
            }
            Err(why) => checks.push(Check::Unknown {
                reason: why,
                remedy: "Check `apt-config dump` by hand.".into(),
            }),
        }
    } else {
        checks.push(not_run(
            &dump,
            "Run the agent as root so `apt-config dump` can read /etc/apt.",
        ));
    }

    // 3. Are apt's daily timers scheduled?
    match timer_states(&mut run, &APT_TIMERS) {
        Ok(units) => checks.extend(units.iter().map(policy::check_apt_timer)),
        Err(check) => checks.push(check),
    }

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

    let pass = format!(
        "unattended-upgrades {version} is installed, switched on and scheduled to install updates from {security_origin}."
    );
    finish(run, policy::decide(&pass, &checks))
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
fn timer_states(run: &mut ProbeRun<'_>, units: &[&str]) -> Result<Vec<UnitState>, Check> {
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
        return Err(Check::Unknown {
            reason: "systemctl is not installed, so the update schedule cannot be read".into(),
            remedy: "This check needs systemd; upload evidence of the update schedule manually."
                .into(),
        });
    }
    let states = if show.succeeded() {
        let parsed = systemd::parse_show(&show.stdout);
        let mut states = Vec::new();
        for unit in units {
            match parsed.iter().find(|u| u.id == *unit) {
                Some(state) => states.push(state.clone()),
                None => {
                    return Err(Check::Unknown {
                        reason: format!("`systemctl show` did not report on {unit}"),
                        remedy: format!("Check `systemctl status {unit}` as root."),
                    });
                }
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
    Ok(states)
}

fn fedora(mut run: ProbeRun<'_>) -> Finding {
    run.fact("mechanism", "dnf-automatic");
    let mut args = vec!["-q"];
    args.extend(DNF_PACKAGES);
    let query = run.run(CommandSpec::new("rpm", args));
    if query.outcome != Outcome::Completed {
        let check = not_run(&query, "Run the agent on a system where `rpm -q` works.");
        return finish(run, policy::decide("", &[check]));
    }
    let installed = match dnf::parse_rpm_q(&query.stdout, &DNF_PACKAGES) {
        Ok(installed) => installed,
        Err(why) => {
            let first_err = query.stderr.lines().next().unwrap_or_default().to_string();
            let reason = if first_err.is_empty() {
                why
            } else {
                format!("{why} ({first_err})")
            };
            let check = Check::Unknown {
                reason,
                remedy: "Check `rpm -q dnf-automatic` by hand.".into(),
            };
            return finish(run, policy::decide("", &[check]));
        }
    };
    if installed.is_empty() {
        run.fact("dnf_automatic.package", "not installed");
        let check = Check::Fail {
            reason: "dnf-automatic is not installed".into(),
            remedy: DNF_REMEDY.into(),
        };
        return finish(run, policy::decide("", &[check]));
    }
    let packages: Vec<String> = installed.iter().map(|(n, v)| format!("{n} {v}")).collect();
    run.fact("dnf_automatic.package", packages.join(", "));

    let units: Vec<&str> = DNF_INSTALL_TIMERS
        .iter()
        .chain(&DNF_CONFIG_TIMERS)
        .chain(&DNF_OTHER_TIMERS)
        .copied()
        .collect();
    let timers = match timer_states(&mut run, &units) {
        Ok(timers) => timers,
        Err(check) => return finish(run, policy::decide("", &[check])),
    };

    // The configuration matters only when a configuration-driven timer is what runs.
    let scheduled = |name: &str| {
        timers
            .iter()
            .any(|u| u.id == name && matches!(policy::timer_status(u), TimerStatus::Scheduled(_)))
    };
    let install_timer = DNF_INSTALL_TIMERS.into_iter().find(|n| scheduled(n));
    let config_timer = DNF_CONFIG_TIMERS.into_iter().find(|n| scheduled(n));
    let config = match (install_timer, config_timer) {
        (None, Some(timer)) => Some(read_dnf_config(&mut run, timer)),
        _ => None,
    };
    let check = policy::check_dnf_schedule(&timers, config.as_ref());
    let timer = install_timer.or(config_timer).unwrap_or("its timer");
    let pass = format!(
        "{} is installed and {timer} installs updates automatically.",
        packages.join(", ")
    );
    finish(run, policy::decide(&pass, &[check]))
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
