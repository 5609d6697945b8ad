//! macOS: the app bundle names an Applications folder lists.

use crate::catalog::{self, CATALOG};

/// The catalogue product whose app bundle is named `entry` (case-insensitive).
pub fn product_for_app(entry: &str) -> Option<&'static catalog::Product> {
    CATALOG
        .iter()
        .find(|p| p.macos_apps.iter().any(|a| a.eq_ignore_ascii_case(entry)))
}
