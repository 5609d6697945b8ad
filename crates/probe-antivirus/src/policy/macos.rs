//! The macOS rules: every catalogue product by [`super::conclude_product`], then Apple's
//! built-in protection, where Gatekeeper and (macOS 15 and later) XProtect's launch and
//! background scans are the switches that decide, and XProtect's version in use proves it is
//! there.

use super::{ProductState, conclude_product, conclude_states};
use crate::macos::{
    BundleVersion, CliRead, Facts, VAR_PROTECTED_INFO_PLIST, XPROTECT_INFO_PLIST, Xprotect,
};
use devidence_core::{Conclusion, Os};

/// The macOS verdict.
pub fn conclude_macos(facts: &Facts) -> Conclusion {
    conclude_states(Os::Macos, &conclude_macos_products(facts))
}

/// Each macOS product's state: the catalogue in table order, then Apple's own.
pub fn conclude_macos_products(facts: &Facts) -> Vec<(&'static str, ProductState)> {
    let mut products: Vec<(&'static str, ProductState)> = facts
        .products
        .iter()
        .map(|read| (read.product.name, conclude_product(read)))
        .collect();
    products.push((
        "Apple XProtect with Gatekeeper",
        conclude_xprotect(&facts.xprotect, &facts.gatekeeper),
    ));
    products
}

/// The bundle a plist path belongs to (`…/XProtect.bundle`).
fn bundle_of(plist: &str) -> &str {
    plist.strip_suffix("/Contents/Info.plist").unwrap_or(plist)
}

/// The XProtect version macOS uses and where it was read: the `/var/protected/xprotect`
/// bundle (macOS 15 and later load it), else what `xprotect version` reports, else the
/// CoreServices bundle (the only one on macOS 14 and earlier). `Err` says why none answered.
pub fn xprotect_in_use(xprotect: &Xprotect) -> Result<(String, &'static str), String> {
    if let BundleVersion::Read(v) = &xprotect.var_protected {
        return Ok((v.clone(), bundle_of(VAR_PROTECTED_INFO_PLIST)));
    }
    if let CliRead::Read(v) = &xprotect.cli_version {
        return Ok((v.version.clone(), "`xprotect version`"));
    }
    if let BundleVersion::Read(v) = &xprotect.core_services {
        return Ok((v.clone(), bundle_of(XPROTECT_INFO_PLIST)));
    }
    let bundle = |b: &BundleVersion| match b {
        BundleVersion::Read(v) => v.clone(),
        BundleVersion::Absent => "absent".to_string(),
        BundleVersion::Unreadable(why) => why.clone(),
    };
    let cli = match &xprotect.cli_version {
        CliRead::Absent => "absent".to_string(),
        CliRead::Read(v) => v.version.clone(),
        CliRead::Unreadable(why) => why.clone(),
    };
    Err(format!(
        "{}: {}; `xprotect version`: {cli}; {}: {}",
        bundle_of(VAR_PROTECTED_INFO_PLIST),
        bundle(&xprotect.var_protected),
        bundle_of(XPROTECT_INFO_PLIST),
        bundle(&xprotect.core_services),
    ))
}

/// Apple's built-in protection: Gatekeeper off or either XProtect scan mode disabled → not
/// protecting; otherwise it protects when Gatekeeper is on, a version is in use and (where
/// `xprotect status` exists) both scan modes are enabled; anything unread → unreadable.
pub fn conclude_xprotect(xprotect: &Xprotect, gatekeeper: &Result<bool, String>) -> ProductState {
    let mut off = Vec::new();
    if gatekeeper == &Ok(false) {
        off.push(
            "Gatekeeper is off (`spctl --status`: assessments disabled), so apps are not checked before they run"
                .to_string(),
        );
    }
    let mut scans_unread = None;
    match &xprotect.cli_status {
        CliRead::Read(status) => {
            for (mode, on) in [
                ("launch", status.launch_scans),
                ("background", status.background_scans),
            ] {
                match on {
                    Some(false) => off.push(format!(
                        "XProtect {mode} scans are disabled (`xprotect status`)"
                    )),
                    Some(true) => {}
                    None => {
                        scans_unread.get_or_insert(format!(
                            "`xprotect status` did not say whether {mode} scans are enabled"
                        ));
                    }
                }
            }
        }
        CliRead::Unreadable(why) => scans_unread = Some(format!("`xprotect status`: {why}")),
        CliRead::Absent => {}
    }
    if !off.is_empty() {
        return ProductState::NotProtecting(off.join("; "));
    }
    // Gatekeeper is on here (off returned above) unless it could not be read.
    if let Err(why) = gatekeeper {
        return ProductState::Unreadable(why.clone());
    }
    let (version, from) = match xprotect_in_use(xprotect) {
        Ok(found) => found,
        Err(why) => {
            return ProductState::Unreadable(format!(
                "Gatekeeper is on but the XProtect version could not be read: {why}"
            ));
        }
    };
    if let Some(why) = scans_unread {
        return ProductState::Unreadable(format!(
            "Gatekeeper is on and XProtect definitions {version} are in use, but whether XProtect's scans are enabled is unknown: {why}"
        ));
    }
    let scans = match xprotect.cli_status {
        CliRead::Read(_) => ", launch and background scans enabled",
        _ => "",
    };
    ProductState::Protecting(format!(
        "XProtect definitions {version} from {from}, Gatekeeper assessments enabled{scans}"
    ))
}
