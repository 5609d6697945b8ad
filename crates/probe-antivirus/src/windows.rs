//! The Windows plan: Microsoft Defender's own status, and Windows Security Center for every
//! registered antivirus (third-party products included).
//!
//! All three are WMI queries run in-process (no PowerShell is started):
//!
//! | source | WMI class | what it decides |
//! |---|---|---|
//! | Defender | `root\Microsoft\Windows\Defender` `MSFT_MpComputerStatus` (what `Get-MpComputerStatus` prints) | running mode (Normal / Passive / EDR block), real-time protection, signature age |
//! | Security Center | `root\SecurityCenter2` `AntiVirusProduct` | each registered product's `productState`: on/off, signatures up to date |
//! | services | `root\cimv2` `Win32_Service` for the catalogue's EDR services | an EDR whose service runs (CrowdStrike, SentinelOne, Carbon Black, Cortex XDR, …) |
//!
//! Two traps the peers fell into are handled here: Security Center can list Defender as on
//! while it stands down in passive mode beside another product, so Defender's own status
//! overrules Security Center about Defender; and Security Center does not exist on Windows
//! Server, so its absence makes that source unreadable (never a fail) while Defender decides.
//! The rules are [`crate::policy::conclude_windows`]'s.

use crate::parse::windows::{
    DefenderStatus, RegisteredProduct, decode_product_state, parse_defender_status,
    parse_security_center,
};
use crate::policy;
use crate::products::{self, ProductRead};
use devidence_core::{Os, ProbeRun, WmiQuery};

/// Defender's own status: the class `Get-MpComputerStatus` prints, the fields the plan reads.
pub fn defender_status_query() -> WmiQuery {
    WmiQuery::new(
        r"root\Microsoft\Windows\Defender",
        "SELECT AMRunningMode, AMServiceEnabled, AntivirusEnabled, RealTimeProtectionEnabled, AntivirusSignatureAge, AMProductVersion, IsTamperProtected FROM MSFT_MpComputerStatus",
    )
}

/// Security Center's registered antivirus products.
pub fn security_center_query() -> WmiQuery {
    WmiQuery::new(
        r"root\SecurityCenter2",
        "SELECT displayName, productState, timestamp FROM AntiVirusProduct",
    )
}

/// What the Windows plan read.
#[derive(Clone, Debug)]
pub struct Facts {
    /// Security Center's registered antivirus products, or why the list could not be read.
    pub security_center: Result<Vec<RegisteredProduct>, String>,
    /// Defender's own status, or why it could not be read.
    pub defender: Result<DefenderStatus, String>,
    /// Every catalogue product for Windows (EDRs found by their services), in table order.
    pub products: Vec<ProductRead>,
}

/// Runs the Windows plan: Security Center, Defender's status, then the catalogue's services;
/// records each product's state as a fact.
pub fn gather(run: &mut ProbeRun<'_>) -> Facts {
    let sc_obs = run.query_wmi(security_center_query());
    let security_center = if sc_obs.succeeded() {
        parse_security_center(&sc_obs.stdout)
    } else {
        Err(format!(
            "{} (Security Center does not exist on Windows Server)",
            sc_obs.failure_reason()
        ))
    };
    match &security_center {
        Ok(products) => {
            for p in products {
                let bits = decode_product_state(p.state);
                run.fact(
                    format!("security_center.{}", p.name),
                    format!(
                        "productState {} (0x{:X}): {}, signatures {}",
                        p.state,
                        p.state,
                        if bits.on {
                            "on"
                        } else if bits.snoozed_or_expired {
                            "snoozed or expired"
                        } else {
                            "off"
                        },
                        if bits.up_to_date {
                            "up to date"
                        } else {
                            "out of date"
                        }
                    ),
                );
            }
        }
        Err(why) => run.fact("security_center", format!("unknown: {why}")),
    }

    let defender_obs = run.query_wmi(defender_status_query());
    let defender = if defender_obs.succeeded() {
        parse_defender_status(&defender_obs.stdout)
    } else {
        Err(defender_obs.failure_reason())
    };
    if let Ok(status) = &defender {
        if let Some(mode) = &status.running_mode {
            run.fact("defender.running_mode", mode.clone());
        }
        if let Some(rtp) = status.real_time_protection {
            run.fact("defender.real_time_protection", rtp.to_string());
        }
        if let Some(age) = status.signature_age_days {
            run.fact("defender.signature_age_days", age.to_string());
        }
        if let Some(tamper) = status.tamper_protected {
            run.fact("defender.tamper_protected", tamper.to_string());
        }
    }

    // EDRs that need not register with Security Center, found by their services.
    let names = crate::catalog::services_for(Os::Windows, &[]);
    let services = crate::services::read(run, &names);
    if let Err(why) = &services {
        run.fact("services", format!("unknown: {why}"));
    }
    let products = crate::catalog::for_os(Os::Windows)
        .map(|product| products::read_product(run, product, &services))
        .collect();
    let facts = Facts {
        security_center,
        defender,
        products,
    };
    products::record_states(run, &policy::conclude_windows_products(&facts, run.policy));
    facts
}
