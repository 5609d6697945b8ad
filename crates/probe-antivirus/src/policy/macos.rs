//! The macOS rules: every catalogue product by [`super::conclude_product`], then Apple's
//! built-in protection, where Gatekeeper (the switch a person can turn off) decides and
//! XProtect's version proves it is there.

use super::{ProductState, conclude_product, conclude_states};
use crate::macos::Facts;
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

/// Apple's built-in protection from the XProtect version and Gatekeeper's switch.
pub fn conclude_xprotect(
    xprotect: &Result<String, String>,
    gatekeeper: &Result<bool, String>,
) -> ProductState {
    match (gatekeeper, xprotect) {
        (Ok(false), _) => ProductState::NotProtecting(
            "Gatekeeper is off (`spctl --status`: assessments disabled), so apps are not checked before they run".into(),
        ),
        (Ok(true), Ok(v)) => ProductState::Protecting(format!(
            "XProtect definitions {v}, Gatekeeper assessments enabled"
        )),
        (Ok(true), Err(why)) => ProductState::Unreadable(format!(
            "Gatekeeper is on but the XProtect version could not be read: {why}"
        )),
        (Err(why), _) => ProductState::Unreadable(why.clone()),
    }
}
