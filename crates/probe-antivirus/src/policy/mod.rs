//! Facts in, conclusion out: every verdict, summary sentence and remediation of the antivirus
//! probe, and every per-product judgement behind them.
//!
//! * Any product protecting → pass; otherwise any product unreadable → unknown; otherwise
//!   (absent or not protecting) → fail ([`conclude_states`]).
//! * Each product's state: a catalogue row by [`conclude_product`] (its services, then its
//!   status tool through [`conclude_status`], then its install folders); ClamAV
//!   ([`conclude_clamav`]), Apple's built-in protection ([`conclude_xprotect`]) and Defender
//!   with Security Center on Windows ([`conclude_defender`], `conclude_windows_products`) by
//!   their own rules, in `policy::linux`, `policy::macos` and `policy::windows`.
//!
//! Every status-tool rule is fail closed: output it cannot read is
//! [`ProductState::Unreadable`] with the reason, never a pass and never a fail.

mod linux;
mod macos;
mod windows;

pub use linux::{conclude_clamav, conclude_linux, conclude_linux_products};
pub use macos::{conclude_macos, conclude_macos_products, conclude_xprotect, xprotect_in_use};
pub use windows::{conclude_defender, conclude_windows, conclude_windows_products};

use crate::parse::cytool::CytoolRuntime;
use crate::parse::linux::{BduitoolPs, FalconctlStatus, SentinelctlControlStatus};
use crate::parse::macos::{FalconStats, SentinelctlStatus};
use crate::parse::mdatp::MdatpHealth;
use crate::parse::repcli::RepcliStatus;
use crate::products::{ProductRead, StatusRead, StatusReport};
use devidence_core::{Conclusion, Os};

/// What the policy concluded about one product.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProductState {
    /// Not on this machine.
    Absent,
    /// Installed and protecting (with what proves it).
    Protecting(String),
    /// Installed but not protecting (why).
    NotProtecting(String),
    /// Installed (or maybe installed) but its state could not be read (why).
    Unreadable(String),
}

/// Turns per-product states into the verdict: any product protecting → pass; otherwise any
/// product unreadable → unknown; otherwise (absent or not protecting) → fail.
pub fn conclude_states(os: Os, products: &[(&'static str, ProductState)]) -> Conclusion {
    let names = |f: fn(&ProductState) -> Option<&String>| -> Vec<String> {
        products
            .iter()
            .filter_map(|(name, state)| f(state).map(|detail| format!("{name} ({detail})")))
            .collect()
    };
    let protecting = names(|s| match s {
        ProductState::Protecting(d) => Some(d),
        _ => None,
    });
    if !protecting.is_empty() {
        return Conclusion::pass(format!("Protected by {}.", protecting.join(", ")));
    }
    let unreadable = names(|s| match s {
        ProductState::Unreadable(d) => Some(d),
        _ => None,
    });
    if !unreadable.is_empty() {
        let reason = format!(
            "installed protection could not be read: {}",
            unreadable.join("; ")
        );
        return Conclusion::unknown(
            reason.clone(),
            format!("Antivirus state is unknown: {reason}."),
            Some(format!(
                "Run devidence as {} so it can query the security product, and check that the product's service is installed correctly.",
                if os == Os::Windows {
                    "SYSTEM (its scheduled task)"
                } else {
                    "root"
                }
            )),
        );
    }
    let off = names(|s| match s {
        ProductState::NotProtecting(d) => Some(d),
        _ => None,
    });
    if !off.is_empty() {
        return Conclusion::fail(
            format!("Installed but not protecting: {}.", off.join("; ")),
            match os {
                Os::Linux => {
                    "Start the product's service and turn real-time protection on (for ClamAV: `sudo systemctl enable --now clamav-daemon clamav-freshclam`; for Defender: `sudo mdatp config real-time-protection --value enabled`), or ask IT."
                }
                Os::Macos => {
                    "Turn Gatekeeper back on (`sudo spctl --global-enable`, or allow apps from the App Store and identified developers in System Settings > Privacy & Security); if `xprotect status` reports launch or background scans disabled, load XProtect's daemons again (`sudo launchctl load -w /Library/Apple/System/Library/LaunchDaemons/com.apple.XProtect.daemon.scan.plist` and `sudo launchctl load -w /Library/Apple/System/Library/LaunchDaemons/com.apple.XprotectFramework.PluginService.plist`) and keep System Integrity Protection on; and make sure the company's endpoint protection runs with its system extension approved; ask IT."
                }
                Os::Windows => {
                    "Turn real-time protection on in Windows Security > Virus & threat protection, or start the company's endpoint protection; ask IT."
                }
            },
        );
    }
    let looked_for: Vec<&str> = products.iter().map(|(name, _)| *name).collect();
    Conclusion::fail(
        format!(
            "No antivirus was found (looked for {}).",
            looked_for.join(", ")
        ),
        match os {
            Os::Linux => {
                "Install the company's endpoint protection (ask IT), or ClamAV with on-access scanning: `sudo apt install clamav clamav-daemon clamav-freshclam` (Debian/Ubuntu) or `sudo dnf install clamav clamd clamav-update` (Fedora)."
            }
            Os::Macos | Os::Windows => "Install the company's endpoint protection (ask IT).",
        },
    )
}

/// Judges one catalogue product from what the plan read: a stopped service decides first,
/// then the status tool, then a running service, then the install folders.
pub fn conclude_product(read: &ProductRead) -> ProductState {
    let product = read.product;
    if let Some(service) = read.stopped_service() {
        return ProductState::NotProtecting(format!(
            "its service {service} is installed but not running"
        ));
    }
    match &read.status {
        StatusRead::Failed(why) => {
            return ProductState::Unreadable(format!("its status tool could not answer: {why}"));
        }
        StatusRead::Answered(report) => return conclude_status(report),
        StatusRead::NotRun | StatusRead::Missing => {}
    }
    if let Some(service) = read.running_service() {
        return match product.status {
            Some(status) => ProductState::Unreadable(format!(
                "its service {service} is running but its status tool {} is missing",
                status.program
            )),
            None => ProductState::Protecting(format!(
                "its service {service} is running ({} has no local status tool, so the running service is the evidence)",
                product.name
            )),
        };
    }
    match (read.folder, &read.services) {
        (None, _) => ProductState::Absent,
        (Some(dir), Err(why)) => ProductState::Unreadable(format!(
            "installed at {dir}, but its services could not be listed: {why}"
        )),
        (Some(dir), Ok(_)) => ProductState::NotProtecting(format!(
            "installed at {dir}, but none of its services ({}) is installed{}",
            product.services.join(", "),
            match product.status {
                Some(s) => format!(" and its status tool {} is missing", s.program),
                None => String::new(),
            }
        )),
    }
}

/// What a status tool's answer says about protection (never [`ProductState::Absent`]).
pub fn conclude_status(report: &StatusReport) -> ProductState {
    match report {
        StatusReport::MdatpHealth(Ok(health)) => conclude_mdatp(health),
        StatusReport::MdatpHealth(Err(why)) | StatusReport::CytoolRuntimeQuery(Err(why)) => {
            ProductState::Unreadable(why.clone())
        }
        StatusReport::FalconctlOptions(status) => conclude_falconctl(status),
        StatusReport::FalconctlStats(stats) => conclude_falcon_stats(stats),
        StatusReport::SentinelctlControlStatus(status) => conclude_sentinelctl_control(status),
        StatusReport::SentinelctlStatus(status) => conclude_sentinelctl(status),
        StatusReport::RepcliStatus(status) => conclude_repcli(status),
        StatusReport::CytoolRuntimeQuery(Ok(table)) => conclude_cytool(table),
        StatusReport::BduitoolPs(ps) => conclude_bduitool(ps),
        StatusReport::Savdstatus(line) => conclude_savdstatus(line.as_deref()),
        StatusReport::DsaAgentStatus(state) => conclude_dsa(state.as_deref()),
    }
}

/// `mdatp health`: real-time protection on (and available), healthy, definitions up to date.
fn conclude_mdatp(health: &MdatpHealth) -> ProductState {
    if health.real_time_protection == Some(true)
        && health.real_time_protection_available == Some(false)
    {
        return ProductState::NotProtecting(
            "real-time protection is switched on but not available (on macOS: approve Defender's system extension and Full Disk Access)".into(),
        );
    }
    match (
        health.real_time_protection,
        health.healthy,
        health.definitions_status.as_deref(),
    ) {
        (Some(false), _, _) => ProductState::NotProtecting("real-time protection is off".into()),
        (_, Some(false), _) => {
            ProductState::NotProtecting("mdatp reports the agent unhealthy".into())
        }
        (_, _, Some(status)) if !["up_to_date", "updating"].contains(&status) => {
            ProductState::NotProtecting(format!("definitions are {status}"))
        }
        (Some(true), _, _) => {
            ProductState::Protecting("real-time protection on, definitions up to date".into())
        }
        (None, _, _) => {
            ProductState::Unreadable("mdatp did not report real_time_protection_enabled".into())
        }
    }
}

/// Linux `falconctl -g`: protecting when not in Reduced Functionality Mode and registered (an
/// agent ID is assigned at the first cloud contact).
fn conclude_falconctl(status: &FalconctlStatus) -> ProductState {
    let rfm = match &status.rfm {
        Ok(rfm) => *rfm,
        Err(why) => return ProductState::Unreadable(why.clone()),
    };
    match &status.aid {
        Some(None) => ProductState::NotProtecting(
            "the sensor has no agent ID: it has never registered with the CrowdStrike cloud".into(),
        ),
        _ if rfm => {
            ProductState::NotProtecting("the sensor is in Reduced Functionality Mode".into())
        }
        Some(Some(_)) => {
            ProductState::Protecting("registered sensor, not in Reduced Functionality Mode".into())
        }
        None => ProductState::Protecting("not in Reduced Functionality Mode".into()),
    }
}

/// macOS `falconctl stats`: `Sensor operational: true|false` decides.
fn conclude_falcon_stats(stats: &FalconStats) -> ProductState {
    match stats.operational {
        Some(true) => ProductState::Protecting(match &stats.cloud_state {
            Some(state) => format!("sensor operational, cloud {state}"),
            None => "sensor operational".into(),
        }),
        Some(false) => {
            ProductState::NotProtecting("falconctl reports the sensor not operational".into())
        }
        None => {
            ProductState::Unreadable("falconctl stats printed no `Sensor operational` line".into())
        }
    }
}

/// Linux `sentinelctl control status`: `Agent state   Enabled|Disabled` decides.
fn conclude_sentinelctl_control(status: &SentinelctlControlStatus) -> ProductState {
    match status.agent_state.as_deref() {
        Some(s) if s.eq_ignore_ascii_case("enabled") => {
            ProductState::Protecting("agent state Enabled".into())
        }
        Some(s) if s.eq_ignore_ascii_case("disabled") => {
            ProductState::NotProtecting("sentinelctl reports the agent state Disabled".into())
        }
        Some(s) => ProductState::Unreadable(format!(
            "sentinelctl printed agent state `{s}`, neither Enabled nor Disabled"
        )),
        None => ProductState::Unreadable("sentinelctl printed no `Agent state` line".into()),
    }
}

/// macOS `sentinelctl status`: the agent's operational state, `Protection` and `Ready` must
/// all be on; any one off is not protecting, any one missing is unreadable.
fn conclude_sentinelctl(status: &SentinelctlStatus) -> ProductState {
    const OFF_WORDS: [&str; 4] = ["disabled", "no", "not running", "stopped"];
    let checks = [
        (
            "agent operational state",
            &status.agent_operational_state,
            "enabled",
        ),
        ("protection", &status.protection, "enabled"),
        ("ready", &status.ready, "yes"),
    ];
    let mut missing = Vec::new();
    let mut off = Vec::new();
    for (key, value, good) in checks {
        match value {
            None => missing.push(key.to_string()),
            Some(value) => {
                let lower = value.to_ascii_lowercase();
                if OFF_WORDS.contains(&lower.as_str()) {
                    off.push(format!("{key}: {value}"));
                } else if lower != good {
                    missing.push(format!("a {key} it knows (it printed `{value}`)"));
                }
            }
        }
    }
    if !off.is_empty() {
        ProductState::NotProtecting(format!("sentinelctl reports {}", off.join(", ")))
    } else if !missing.is_empty() {
        ProductState::Unreadable(format!(
            "sentinelctl status printed no {}",
            missing.join(", ")
        ))
    } else {
        ProductState::Protecting("agent enabled, protection enabled, ready".into())
    }
}

/// Carbon Black `repcli status`: the sensor `State:` decides; `Enabled` protects, anything
/// else (`Disabled`, `Bypass`) does not.
fn conclude_repcli(status: &RepcliStatus) -> ProductState {
    match status.state.as_deref() {
        Some("Enabled") => ProductState::Protecting("sensor state Enabled".into()),
        Some(off @ ("Disabled" | "Bypass")) => {
            ProductState::NotProtecting(format!("repcli reports sensor state {off}"))
        }
        Some("") | None => {
            ProductState::Unreadable("repcli status printed no sensor `State:` line".into())
        }
        Some(other) => ProductState::Unreadable(format!(
            "repcli printed sensor state `{other}`, which is not one it knows"
        )),
    }
}

/// Cortex XDR `cytool runtime query`: every listed component must be running; one stopped is
/// not protecting; none listed is unreadable.
fn conclude_cytool(table: &CytoolRuntime) -> ProductState {
    if !table.down.is_empty() {
        ProductState::NotProtecting(format!("components not running: {}", table.down.join(", ")))
    } else if table.running == 0 {
        ProductState::Unreadable("cytool runtime query listed no component".into())
    } else {
        ProductState::Protecting(format!("all {} components running", table.running))
    }
}

/// Bitdefender `bduitool get ps`: the `Antimalware status` feature decides; pending security
/// content means not protecting.
fn conclude_bduitool(ps: &BduitoolPs) -> ProductState {
    match ps.antimalware_status.as_deref() {
        Some("On") => match ps.new_security_content_available.as_deref() {
            Some("yes") => ProductState::NotProtecting(
                "antimalware on, but newer security content is waiting to be installed".into(),
            ),
            _ => ProductState::Protecting("antimalware on".into()),
        },
        Some("Off") => ProductState::NotProtecting("bduitool reports antimalware Off".into()),
        Some(other) => ProductState::Unreadable(format!(
            "bduitool printed antimalware status `{other}`, neither On nor Off"
        )),
        None => ProductState::Unreadable("bduitool get ps printed no `Antimalware status`".into()),
    }
}

/// Sophos Anti-Virus for Linux `savdstatus`: its one sentence.
fn conclude_savdstatus(line: Option<&str>) -> ProductState {
    match line {
        Some(l) if l.ends_with("on-access scanning is running") && l.contains(" is active") => {
            ProductState::Protecting("active, on-access scanning running".into())
        }
        Some(l) if l.contains("not running") || l.contains("inactive") => {
            ProductState::NotProtecting(format!("savdstatus: {l}"))
        }
        _ => ProductState::Unreadable("savdstatus printed no `Sophos Anti-Virus is …` line".into()),
    }
}

/// Trend Micro Deep Security: `green` when the agent is managed and protecting, `red` on an
/// error; any other colour (`yellow`, a warning) is not judged.
fn conclude_dsa(state: Option<&str>) -> ProductState {
    match state {
        Some("green") => ProductState::Protecting("agent state green".into()),
        Some("red") => ProductState::NotProtecting("dsa_query reports the agent state red".into()),
        Some(other) => ProductState::Unreadable(format!(
            "dsa_query reports the agent state `{other}`, which is neither green nor red"
        )),
        None => ProductState::Unreadable("dsa_query printed no AgentStatus.agentState".into()),
    }
}
