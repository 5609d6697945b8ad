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

use crate::ProductState;
use devidence_core::windows::{PropertyBlock, is_true, parse_property_blocks};
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

/// A Security Center `productState`, decoded (WSC_SECURITY_PRODUCT_STATE and
/// WSC_SECURITY_SIGNATURE_STATUS, as documented for the Windows Security Center API).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProductStateBits {
    /// `0x1000`: scanning on.
    pub on: bool,
    /// `0x2000`/`0x3000`: snoozed or expired (not on).
    pub snoozed_or_expired: bool,
    /// `0x10` clear: signatures up to date.
    pub up_to_date: bool,
    /// `0x100`: the product is Windows' own (Defender).
    pub microsoft: bool,
}

/// Decodes a `productState` number.
pub fn decode_product_state(state: u32) -> ProductStateBits {
    let scanner = state & 0xF000;
    ProductStateBits {
        on: scanner == 0x1000,
        snoozed_or_expired: scanner == 0x2000 || scanner == 0x3000,
        up_to_date: state & 0xF0 == 0,
        microsoft: state & 0xF00 == 0x100,
    }
}

/// One product Security Center lists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisteredProduct {
    /// `displayName`.
    pub name: String,
    /// `productState` as printed.
    pub state: u32,
}

/// Reads Security Center's product list (JSON, `Format-List` or `wmic /format:list`).
/// `Err` when the output is not a product list (for example an "invalid namespace" error
/// printed on Windows Server).
pub fn parse_security_center(text: &str) -> Result<Vec<RegisteredProduct>, String> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let blocks = parse_property_blocks(text)?;
    if blocks.is_empty() {
        return Ok(Vec::new());
    }
    let products: Vec<RegisteredProduct> = blocks
        .iter()
        .filter_map(|b| {
            Some(RegisteredProduct {
                name: b.get("displayname")?.clone(),
                state: b.get("productstate")?.trim().parse().ok()?,
            })
        })
        .collect();
    if products.is_empty() {
        let first = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("");
        let detail = blocks
            .iter()
            .find_map(|b| b.get("description").cloned())
            .unwrap_or_else(|| first.to_string());
        return Err(format!(
            "Security Center listed no product ({detail}); it does not exist on Windows Server"
        ));
    }
    Ok(products)
}

/// What `Get-MpComputerStatus` says, reduced to the fields that decide.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DefenderStatus {
    /// `AMRunningMode`: `Normal`, `Passive Mode`, `SxS Passive Mode`, `EDR Block Mode`, `Not running`.
    pub running_mode: Option<String>,
    /// `AMServiceEnabled`.
    pub service_enabled: Option<bool>,
    /// `AntivirusEnabled`.
    pub antivirus_enabled: Option<bool>,
    /// `RealTimeProtectionEnabled`.
    pub real_time_protection: Option<bool>,
    /// `AntivirusSignatureAge` in days.
    pub signature_age_days: Option<u64>,
    /// `AMProductVersion`.
    pub product_version: Option<String>,
    /// `IsTamperProtected`.
    pub tamper_protected: Option<bool>,
}

/// Reads `Get-MpComputerStatus` (or the `MSFT_MpComputerStatus` class printed by `wmic`).
pub fn parse_defender_status(text: &str) -> Result<DefenderStatus, String> {
    let blocks = parse_property_blocks(text)?;
    let block: &PropertyBlock = blocks
        .iter()
        .find(|b| b.contains_key("amserviceenabled") || b.contains_key("amrunningmode"))
        .ok_or("MSFT_MpComputerStatus gave no Defender status")?;
    let flag = |k: &str| block.get(k).filter(|v| !v.is_empty()).map(|v| is_true(v));
    Ok(DefenderStatus {
        running_mode: block
            .get("amrunningmode")
            .filter(|v| !v.is_empty())
            .cloned(),
        service_enabled: flag("amserviceenabled"),
        antivirus_enabled: flag("antivirusenabled"),
        real_time_protection: flag("realtimeprotectionenabled"),
        signature_age_days: block
            .get("antivirussignatureage")
            .and_then(|v| v.trim().parse().ok()),
        product_version: block.get("amproductversion").cloned(),
        tamper_protected: flag("istamperprotected"),
    })
}

/// Judges Defender's own status against the signature-age limit.
pub fn judge_defender(status: &DefenderStatus, max_signature_age_days: u64) -> ProductState {
    let mode = status.running_mode.as_deref().unwrap_or("");
    let lower = mode.to_ascii_lowercase();
    if lower.contains("passive") || lower.contains("edr block") {
        return ProductState::NotProtecting(format!(
            "running in {mode}: another antivirus is the active one"
        ));
    }
    if lower.contains("not running") || status.service_enabled == Some(false) {
        return ProductState::NotProtecting(
            "the Defender antimalware service is not running".into(),
        );
    }
    match (status.real_time_protection, status.antivirus_enabled) {
        (Some(false), _) => ProductState::NotProtecting("real-time protection is off".into()),
        (_, Some(false)) => ProductState::NotProtecting("Defender antivirus is disabled".into()),
        (None, _) => ProductState::Unreadable(
            "Defender's status (MSFT_MpComputerStatus) did not report RealTimeProtectionEnabled"
                .into(),
        ),
        (Some(true), _) => match status.signature_age_days {
            Some(age) if age > max_signature_age_days => ProductState::NotProtecting(format!(
                "signatures are {age} days old; the limit is {max_signature_age_days}"
            )),
            Some(age) => ProductState::Protecting(format!(
                "{} mode, real-time protection on, signatures {age} days old",
                if mode.is_empty() { "active" } else { mode }
            )),
            None => ProductState::Unreadable(
                "Defender's status (MSFT_MpComputerStatus) did not report the signature age".into(),
            ),
        },
    }
}

fn is_defender(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.contains("windows defender") || lower.contains("microsoft defender")
}

/// Runs the Windows plan; returns each product's state, in a fixed order.
pub fn check(run: &mut ProbeRun<'_>) -> Vec<(&'static str, ProductState)> {
    let max_age = run.policy.max_signature_age_days;
    let sc_obs = run.query_wmi(security_center_query());
    let registered = if sc_obs.succeeded() {
        parse_security_center(&sc_obs.stdout)
    } else {
        Err(format!(
            "{} (Security Center does not exist on Windows Server)",
            sc_obs.failure_reason()
        ))
    };
    match &registered {
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
        match parse_defender_status(&defender_obs.stdout) {
            Ok(status) => {
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
                judge_defender(&status, max_age)
            }
            Err(why) => ProductState::Unreadable(why),
        }
    } else {
        ProductState::Unreadable(defender_obs.failure_reason())
    };
    // Security Center speaks for Defender only when Defender itself gave no answer.
    let defender = match (defender, &registered) {
        (ProductState::Unreadable(why), Ok(products)) => {
            match products.iter().find(|p| is_defender(&p.name)) {
                Some(p) => {
                    let bits = decode_product_state(p.state);
                    if bits.on && bits.up_to_date {
                        ProductState::Protecting(format!(
                            "Security Center reports it on and up to date ({why})"
                        ))
                    } else {
                        ProductState::NotProtecting(format!(
                            "Security Center reports it {} ({why})",
                            if bits.on { "on but out of date" } else { "off" }
                        ))
                    }
                }
                None => ProductState::Unreadable(why),
            }
        }
        (state, _) => state,
    };

    let third_party = match &registered {
        Err(why) => ProductState::Unreadable(why.clone()),
        Ok(products) => {
            let others: Vec<&RegisteredProduct> =
                products.iter().filter(|p| !is_defender(&p.name)).collect();
            let protecting: Vec<String> = others
                .iter()
                .filter(|p| {
                    let bits = decode_product_state(p.state);
                    bits.on && bits.up_to_date
                })
                .map(|p| p.name.clone())
                .collect();
            if others.is_empty() {
                ProductState::Absent
            } else if !protecting.is_empty() {
                ProductState::Protecting(format!(
                    "{}: on, signatures up to date",
                    protecting.join(", ")
                ))
            } else {
                let detail: Vec<String> = others
                    .iter()
                    .map(|p| {
                        let bits = decode_product_state(p.state);
                        format!(
                            "{}: {}",
                            p.name,
                            if bits.on {
                                "signatures out of date"
                            } else {
                                "off"
                            }
                        )
                    })
                    .collect();
                ProductState::NotProtecting(detail.join("; "))
            }
        }
    };
    let mut products = vec![
        ("Microsoft Defender Antivirus", defender),
        ("Third-party antivirus (Security Center)", third_party),
    ];
    // EDRs that need not register with Security Center, found by their services.
    let names = crate::catalog::services_for(Os::Windows, &[]);
    let services = crate::services::read(run, &names);
    if let Err(why) = &services {
        run.fact("services", format!("unknown: {why}"));
    }
    for product in crate::catalog::for_os(Os::Windows) {
        products.push((product.name, crate::assess::assess(run, product, &services)));
    }
    crate::record_products(run, &products);
    products
}
