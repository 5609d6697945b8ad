//! The macOS formats: the Software Update preferences (as `plutil` prints them) and
//! `softwareupdate -l`.

use devidence_core::macos::{parse_plist, plist_bool};
use std::collections::BTreeMap;

/// Reads a property list (XML from `plutil`, or the ASCII form `defaults read` prints) into its
/// top-level booleans. Keys that are not booleans are left out.
pub fn parse_preferences(text: &str) -> Result<BTreeMap<String, bool>, String> {
    let value = parse_plist(text)?;
    let dict = value
        .as_dictionary()
        .ok_or("the preferences are not a dictionary")?;
    Ok(dict
        .iter()
        .filter_map(|(k, v)| plist_bool(v).map(|b| (k.clone(), b)))
        .collect())
}

/// True when `plutil` (or `defaults`) said the file or domain does not exist: no preferences
/// were ever written, or no profile manages them.
pub fn file_missing(output: &str) -> bool {
    output.contains("does not exist") || output.contains("No such file")
}

/// What `softwareupdate -l` reported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PendingUpdates {
    /// `No new software available.`
    None,
    /// The labels of the updates listed (`* Label: …` on macOS 10.15+, `* …` before).
    Some(Vec<String>),
}

/// Parses `softwareupdate -l` (stdout and stderr together: it prints "No new software
/// available." on stderr). `None` when neither form is present.
pub fn parse_pending_updates(text: &str) -> Option<PendingUpdates> {
    if text.contains("No new software available") {
        return Some(PendingUpdates::None);
    }
    let labels: Vec<String> = text
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("* "))
        .map(|l| l.trim_start_matches("Label:").trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    if labels.is_empty() {
        None
    } else {
        Some(PendingUpdates::Some(labels))
    }
}
