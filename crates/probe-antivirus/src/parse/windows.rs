//! Pure parsers for the Windows outputs: Security Center's `AntiVirusProduct` list and its
//! `productState` bits, Defender's `MSFT_MpComputerStatus`, and `Win32_Service` rows.

use crate::services::ServiceState;
use devidence_core::windows::{PropertyBlock, is_true, parse_property_blocks};
use std::collections::BTreeMap;

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

/// Parses `Win32_Service` rows (`Name`, `State`, `StartMode`). An empty answer means none of
/// the services is installed. `Err` when the text is not a list of services.
pub fn parse_win32_service(
    text: &str,
    names: &[&str],
) -> Result<BTreeMap<String, ServiceState>, String> {
    let blocks = if text.trim().is_empty() {
        Vec::new()
    } else {
        parse_property_blocks(text)?
    };
    let mut listed = BTreeMap::new();
    for block in &blocks {
        let (Some(name), Some(state)) = (block.get("name"), block.get("state")) else {
            return Err("Win32_Service printed an object without Name and State".into());
        };
        listed.insert(
            name.to_ascii_lowercase(),
            (state.clone(), block.get("startmode").cloned()),
        );
    }
    Ok(names
        .iter()
        .map(|name| {
            let state = match listed.get(&name.to_ascii_lowercase()) {
                None => ServiceState::NotInstalled,
                Some((state, _)) if state.eq_ignore_ascii_case("Running") => ServiceState::Running,
                Some((state, mode)) => ServiceState::Stopped(format!(
                    "{state}, start mode {}",
                    mode.as_deref().unwrap_or("not printed")
                )),
            };
            ((*name).to_string(), state)
        })
        .collect())
}
