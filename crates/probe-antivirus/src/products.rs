//! The plan step every OS shares: read one catalogue product on this machine (its services in
//! the shared list, its status tool, its install folders), and record each product's state as
//! a `product.<name>` fact. It only reads; [`crate::policy::conclude_product`] judges what it
//! read (see [`crate::catalog`] for the rules).

use crate::catalog::{Product, Status, StatusFormat};
use crate::parse::cytool::{CytoolRuntime, cytool_runtime};
use crate::parse::linux::{
    BduitoolPs, FalconctlStatus, SentinelctlControlStatus, bduitool_ps, dsa_agent_state,
    falconctl_status, savdstatus, sentinelctl_control_status,
};
use crate::parse::macos::{FalconStats, SentinelctlStatus, falcon_stats, sentinelctl_status};
use crate::parse::mdatp::{MdatpHealth, mdatp_health};
use crate::parse::repcli::{RepcliStatus, repcli_status};
use crate::policy::ProductState;
use crate::services::{ServiceState, Services};
use devidence_core::{CommandSpec, Outcome, ProbeRun};
use std::time::Duration;

const DEADLINE: Duration = Duration::from_secs(15);

/// The command a status tool is run with.
pub fn status_spec(status: &Status) -> CommandSpec {
    CommandSpec::new(status.program, status.args.iter().copied()).deadline(DEADLINE)
}

/// A fact key for the product: `Cortex XDR` → `cortex_xdr`.
pub fn slug(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect::<String>()
        .split('_')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

/// A status tool's output, parsed according to its [`StatusFormat`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StatusReport {
    /// `mdatp health`, or why it could not be read.
    MdatpHealth(Result<MdatpHealth, String>),
    /// `falconctl -g --rfm-state --aid --version`.
    FalconctlOptions(FalconctlStatus),
    /// `falconctl stats`.
    FalconctlStats(FalconStats),
    /// `sentinelctl control status`.
    SentinelctlControlStatus(SentinelctlControlStatus),
    /// `sentinelctl status`.
    SentinelctlStatus(SentinelctlStatus),
    /// `repcli status`.
    RepcliStatus(RepcliStatus),
    /// `cytool runtime query`, or why its table could not be read.
    CytoolRuntimeQuery(Result<CytoolRuntime, String>),
    /// `bduitool get ps`.
    BduitoolPs(BduitoolPs),
    /// `savdstatus`: its `Sophos Anti-Virus …` sentence.
    Savdstatus(Option<String>),
    /// `dsa_query -c GetAgentStatus`: `AgentStatus.agentState`.
    DsaAgentStatus(Option<String>),
}

impl StatusReport {
    /// Parses `text`, a status tool's standard output in `format`.
    pub fn read(format: StatusFormat, text: &str) -> StatusReport {
        match format {
            StatusFormat::MdatpHealth => StatusReport::MdatpHealth(mdatp_health(text)),
            StatusFormat::FalconctlOptions => {
                StatusReport::FalconctlOptions(falconctl_status(text))
            }
            StatusFormat::FalconctlStats => StatusReport::FalconctlStats(falcon_stats(text)),
            StatusFormat::SentinelctlControlStatus => {
                StatusReport::SentinelctlControlStatus(sentinelctl_control_status(text))
            }
            StatusFormat::SentinelctlStatus => {
                StatusReport::SentinelctlStatus(sentinelctl_status(text))
            }
            StatusFormat::RepcliStatus => StatusReport::RepcliStatus(repcli_status(text)),
            StatusFormat::CytoolRuntimeQuery => {
                StatusReport::CytoolRuntimeQuery(cytool_runtime(text))
            }
            StatusFormat::BduitoolPs => StatusReport::BduitoolPs(bduitool_ps(text)),
            StatusFormat::Savdstatus => StatusReport::Savdstatus(savdstatus(text)),
            StatusFormat::DsaAgentStatus => StatusReport::DsaAgentStatus(dsa_agent_state(text)),
        }
    }

    /// The facts worth recording from the report, as `(key, value)` without the product's
    /// prefix.
    pub fn facts(&self) -> Vec<(String, String)> {
        let mut facts = Vec::new();
        let mut push = |key: &str, value: Option<&String>| {
            if let Some(v) = value {
                facts.push((key.to_string(), v.clone()));
            }
        };
        match self {
            StatusReport::MdatpHealth(Err(_)) => {}
            StatusReport::MdatpHealth(Ok(health)) => {
                push("app_version", health.app_version.as_ref());
                let rtp = format!("{:?}", health.real_time_protection);
                push("real_time_protection", Some(&rtp));
                let definitions = health
                    .definitions_status
                    .clone()
                    .unwrap_or_else(|| "not reported".into());
                push("definitions_status", Some(&definitions));
                push("healthy", Some(&format!("{:?}", health.healthy)));
            }
            StatusReport::FalconctlOptions(status) => {
                // Nothing is recorded while the sensor's mode is unknown.
                if let Ok(rfm) = status.rfm {
                    push("version", status.version.as_ref());
                    push("reduced_functionality_mode", Some(&rfm.to_string()));
                    // The agent ID is recorded for a registered sensor out of RFM.
                    if !rfm && let Some(Some(aid)) = &status.aid {
                        push("aid", Some(aid));
                    }
                }
            }
            StatusReport::FalconctlStats(stats) => {
                push("version", stats.version.as_ref());
                push("cloud_state", stats.cloud_state.as_ref());
            }
            StatusReport::SentinelctlControlStatus(status) => {
                push("agent_state", status.agent_state.as_ref());
                push("version", status.version.as_ref());
            }
            StatusReport::SentinelctlStatus(status) => {
                push("version", status.version.as_ref());
                push(
                    "agent_operational_state",
                    status.agent_operational_state.as_ref(),
                );
                push("protection", status.protection.as_ref());
                push("ready", status.ready.as_ref());
            }
            StatusReport::RepcliStatus(status) => {
                push("version", status.version.as_ref());
                push("system_extension", status.system_extension.as_ref());
            }
            StatusReport::CytoolRuntimeQuery(table) => {
                if let Ok(table) = table {
                    push("components_running", Some(&table.running.to_string()));
                }
            }
            StatusReport::BduitoolPs(ps) => {
                push("version", ps.version.as_ref());
                push(
                    "last_security_content_update",
                    ps.last_security_content_update.as_ref(),
                );
            }
            StatusReport::Savdstatus(_) => {}
            StatusReport::DsaAgentStatus(state) => push("agent_state", state.as_ref()),
        }
        facts
    }
}

/// What running a product's status tool gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StatusRead {
    /// Not run: the product has no local status tool, or an installed service that is not
    /// running already decided (`falconctl -g` would only read configuration).
    NotRun,
    /// The tool is not installed.
    Missing,
    /// The tool exists but could not answer (why).
    Failed(String),
    /// The tool answered.
    Answered(StatusReport),
}

/// Everything the plan read about one catalogue product.
#[derive(Clone, Debug)]
pub struct ProductRead {
    /// The catalogue row.
    pub product: &'static Product,
    /// The product's services the list reports installed, or why the list could not be read.
    pub services: Result<Vec<(&'static str, ServiceState)>, String>,
    /// Its status tool's answer.
    pub status: StatusRead,
    /// The first of its install folders found non-empty, when they were looked at (only
    /// when neither the status tool nor a running service decided).
    pub folder: Option<&'static str>,
}

impl ProductRead {
    /// The first installed service that is running.
    pub fn running_service(&self) -> Option<&'static str> {
        self.services.as_ref().ok().and_then(|installed| {
            installed
                .iter()
                .find(|(_, s)| *s == ServiceState::Running)
                .map(|(name, _)| *name)
        })
    }

    /// When no installed service runs: the first installed one, stopped (`name (how)`).
    pub fn stopped_service(&self) -> Option<String> {
        if self.running_service().is_some() {
            return None;
        }
        match self.services.as_ref().ok()?.first() {
            Some((name, ServiceState::Stopped(how))) => Some(format!("{name} ({how})")),
            _ => None,
        }
    }
}

/// The product's services as the list reported them (installed ones only).
fn installed_services(
    product: &Product,
    services: &Services,
) -> Result<Vec<(&'static str, ServiceState)>, String> {
    let map = services.as_ref().map_err(Clone::clone)?;
    Ok(product
        .services
        .iter()
        .filter_map(|name| {
            map.get(*name)
                .filter(|s| **s != ServiceState::NotInstalled)
                .map(|s| (*name, s.clone()))
        })
        .collect())
}

/// Reads `product` from the shared service list, its status tool and its install folders,
/// in that order, stopping as soon as what was read decides.
pub fn read_product(
    run: &mut ProbeRun<'_>,
    product: &'static Product,
    services: &Services,
) -> ProductRead {
    let mut read = ProductRead {
        product,
        services: installed_services(product, services),
        status: StatusRead::NotRun,
        folder: None,
    };
    if read.stopped_service().is_some() {
        return read;
    }
    if let Some(status) = product.status {
        let obs = run.run(status_spec(&status));
        if obs.outcome == Outcome::NotFound {
            read.status = StatusRead::Missing;
        } else if !obs.succeeded() {
            read.status = StatusRead::Failed(obs.failure_reason());
            return read;
        } else {
            let report = StatusReport::read(status.format, &obs.stdout);
            let prefix = slug(product.name);
            for (key, value) in report.facts() {
                run.fact(format!("{prefix}.{key}"), value);
            }
            read.status = StatusRead::Answered(report);
            return read;
        }
    }
    if read.running_service().is_some() {
        return read;
    }
    read.folder = product
        .install_dirs
        .iter()
        .copied()
        .find(|dir| !run.list_dir_quietly(dir).is_empty());
    read
}

/// Records each product's state as a `product.<name>` fact.
pub fn record_states(run: &mut ProbeRun<'_>, products: &[(&'static str, ProductState)]) {
    for (name, state) in products {
        let text = match state {
            ProductState::Absent => "not installed".to_string(),
            ProductState::Protecting(d) => format!("protecting: {d}"),
            ProductState::NotProtecting(d) => format!("not protecting: {d}"),
            ProductState::Unreadable(d) => format!("state unreadable: {d}"),
        };
        run.fact(format!("product.{name}"), text);
    }
}
