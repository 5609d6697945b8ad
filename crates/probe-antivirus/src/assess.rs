//! Judges one catalogue product on this machine: found or not, and if found, protecting or
//! not, from its status tool and its services (see [`crate::catalog`] for the rules).

use crate::ProductState;
use crate::catalog::{Product, Status};
use crate::services::{ServiceState, Services};
use devidence_core::{CommandSpec, Outcome, ProbeRun};
use std::time::Duration;

const DEADLINE: Duration = Duration::from_secs(15);

/// The command a status tool is run with.
pub fn status_spec(status: &Status) -> CommandSpec {
    CommandSpec::new(status.program, status.args.iter().copied()).deadline(DEADLINE)
}

/// The product's services as the list reported them (installed ones only).
fn installed_services<'s>(
    product: &Product,
    services: &'s Services,
) -> Vec<(&'static str, &'s ServiceState)> {
    let Ok(map) = services else {
        return Vec::new();
    };
    product
        .services
        .iter()
        .filter_map(|name| {
            map.get(*name)
                .filter(|s| **s != ServiceState::NotInstalled)
                .map(|s| (*name, s))
        })
        .collect()
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

/// Judges `product` from its status tool, its services and its install folders.
pub fn assess(run: &mut ProbeRun<'_>, product: &Product, services: &Services) -> ProductState {
    let installed = installed_services(product, services);
    let running = installed
        .iter()
        .find(|(_, s)| **s == ServiceState::Running)
        .map(|(name, _)| *name);
    let stopped: Option<String> = match (running, installed.first()) {
        (None, Some((name, ServiceState::Stopped(how)))) => Some(format!("{name} ({how})")),
        _ => None,
    };

    // An installed service that is not running decides before any status tool is asked
    // (`falconctl -g` would only read configuration), so the tool is not run for nothing.
    if let Some(service) = stopped {
        return ProductState::NotProtecting(format!(
            "its service {service} is installed but not running"
        ));
    }
    if let Some(status) = product.status {
        let obs = run.run(status_spec(&status));
        if obs.outcome != Outcome::NotFound {
            if !obs.succeeded() {
                return ProductState::Unreadable(format!(
                    "its status tool could not answer: {}",
                    obs.failure_reason()
                ));
            }
            let reading = (status.read)(&obs.stdout);
            let prefix = slug(product.name);
            for (key, value) in reading.facts {
                run.fact(format!("{prefix}.{key}"), value);
            }
            return reading.state;
        }
    }
    if let Some(service) = running {
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
    let folder = product
        .install_dirs
        .iter()
        .find(|dir| !run.list_dir_quietly(dir).is_empty());
    match (folder, services) {
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
