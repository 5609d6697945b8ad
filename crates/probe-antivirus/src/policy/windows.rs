//! The Windows rules: Defender's own status decides about Defender (Security Center speaks
//! for it only when Defender gave no answer); any other product Security Center lists protects
//! when on with signatures up to date; catalogue EDRs by [`super::conclude_product`].

use super::{ProductState, conclude_product, conclude_states};
use crate::parse::windows::{DefenderStatus, RegisteredProduct, decode_product_state};
use crate::windows::Facts;
use devidence_core::{Conclusion, Os, Policy};

/// The Windows verdict.
pub fn conclude_windows(facts: &Facts, policy: &Policy) -> Conclusion {
    conclude_states(Os::Windows, &conclude_windows_products(facts, policy))
}

fn is_defender(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.contains("windows defender") || lower.contains("microsoft defender")
}

/// Each Windows product's state: Defender, the third-party products Security Center lists,
/// then the catalogue in table order.
pub fn conclude_windows_products(
    facts: &Facts,
    policy: &Policy,
) -> Vec<(&'static str, ProductState)> {
    let defender = match &facts.defender {
        Ok(status) => conclude_defender(status, policy.max_signature_age_days),
        Err(why) => ProductState::Unreadable(why.clone()),
    };
    // Security Center speaks for Defender only when Defender itself gave no answer.
    let defender = match (defender, &facts.security_center) {
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
    let mut products = vec![
        ("Microsoft Defender Antivirus", defender),
        (
            "Third-party antivirus (Security Center)",
            conclude_third_party(&facts.security_center),
        ),
    ];
    products.extend(
        facts
            .products
            .iter()
            .map(|read| (read.product.name, conclude_product(read))),
    );
    products
}

/// The products other than Defender that Security Center lists: any on and up to date
/// protects.
fn conclude_third_party(registered: &Result<Vec<RegisteredProduct>, String>) -> ProductState {
    let products = match registered {
        Err(why) => return ProductState::Unreadable(why.clone()),
        Ok(products) => products,
    };
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

/// Judges Defender's own status against the signature-age limit (days).
pub fn conclude_defender(status: &DefenderStatus, max_signature_age_days: u64) -> ProductState {
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
