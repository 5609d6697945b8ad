//! `key: value` lines, the layout several vendors' status tools print (`sentinelctl status`,
//! `repcli status`, `bduitool get ps`).

use std::collections::BTreeMap;

/// `key: value` lines, keys trimmed and lower-cased; the first occurrence wins.
pub fn colon_fields(text: &str) -> BTreeMap<String, String> {
    let mut fields = BTreeMap::new();
    for line in text.lines() {
        if let Some((key, value)) = line.split_once(':') {
            fields
                .entry(key.trim().to_ascii_lowercase())
                .or_insert_with(|| value.trim().to_string());
        }
    }
    fields
}
