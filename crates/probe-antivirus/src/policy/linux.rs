//! The Linux rules: ClamAV protects when `clamd` runs with signatures younger than the
//! policy's limit (or, without a readable date, while `freshclam` runs); every catalogue
//! product by [`super::conclude_product`].

use super::{ProductState, conclude_product, conclude_states};
use crate::linux::{Clamav, Facts};
use devidence_core::{Conclusion, Os, Policy};

/// The Linux verdict.
pub fn conclude_linux(facts: &Facts, policy: &Policy) -> Conclusion {
    conclude_states(Os::Linux, &conclude_linux_products(facts, policy))
}

/// Each Linux product's state, ClamAV first, then the catalogue in table order.
pub fn conclude_linux_products(
    facts: &Facts,
    policy: &Policy,
) -> Vec<(&'static str, ProductState)> {
    let mut products = vec![(
        "ClamAV",
        conclude_clamav(&facts.clamav, policy.max_signature_age_days),
    )];
    products.extend(
        facts
            .products
            .iter()
            .map(|read| (read.product.name, conclude_product(read))),
    );
    products
}

/// ClamAV's state against the signature-age limit (days).
pub fn conclude_clamav(clamav: &Clamav, max_signature_age_days: u64) -> ProductState {
    match clamav {
        Clamav::NotInstalled {
            pgrep_failed: Some(why),
        } => ProductState::Unreadable(why.clone()),
        Clamav::NotInstalled { pgrep_failed: None } => ProductState::Absent,
        Clamav::DaemonUnknown(why) => {
            ProductState::Unreadable(format!("cannot tell whether clamd runs: {why}"))
        }
        Clamav::Installed {
            clamd_running: false,
            ..
        } => ProductState::NotProtecting("the clamd scanning daemon is not running".into()),
        Clamav::Installed {
            signatures: Some((date, age)),
            ..
        } => {
            let limit = i64::try_from(max_signature_age_days).unwrap_or(i64::MAX);
            if *age > limit {
                ProductState::NotProtecting(format!(
                    "signatures are {age} days old (from {date}); the limit is {limit}"
                ))
            } else {
                ProductState::Protecting(format!("clamd running, signatures from {date}"))
            }
        }
        Clamav::Installed {
            signatures: None,
            freshclam_running,
            ..
        } => match freshclam_running {
            Ok(true) => ProductState::Protecting(
                "clamd and freshclam running (signature date not readable)".into(),
            ),
            Ok(false) => ProductState::NotProtecting(
                "freshclam is not running and the signature date could not be read, so signatures may be stale".into(),
            ),
            Err(why) => ProductState::Unreadable(why.clone()),
        },
    }
}
