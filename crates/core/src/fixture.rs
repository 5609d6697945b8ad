//! Recorded outputs kept as test fixtures. Every fixture file starts with one line,
//! `# source: …`, saying where the output was published or recorded; a fixture without it is
//! not evidence of anything.

use crate::finding::Observation;
use std::path::Path;

/// The first line every fixture starts with.
pub const SOURCE_PREFIX: &str = "# source: ";

/// The optional second line: the command that printed the output, as published.
pub const COMMAND_PREFIX: &str = "# command: ";

/// Splits a fixture into its source (the header's text) and its content. An optional second
/// line `# command: …` (the shared public fixtures' layout) is not content either.
pub fn split_source(text: &str) -> Result<(&str, &str), String> {
    let (header, body) = text.split_once('\n').unwrap_or((text, ""));
    let body = match body.strip_prefix(COMMAND_PREFIX) {
        Some(rest) => rest.split_once('\n').map_or("", |(_, after)| after),
        None => body,
    };
    header
        .strip_prefix(SOURCE_PREFIX)
        .map(|source| (source.trim(), body))
        .ok_or_else(|| format!("the first line is not `{SOURCE_PREFIX}…`"))
}

/// Reads a fixture file and returns its content without the source line.
pub fn load(path: impl AsRef<Path>) -> Result<String, String> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    split_source(&text)
        .map(|(_, body)| body.to_string())
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Reads a fixture holding a JSON array of observations (as `findings.json` records them).
pub fn load_observations(path: impl AsRef<Path>) -> Result<Vec<Observation>, String> {
    let path = path.as_ref();
    let body = load(path)?;
    serde_json::from_str(&body).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_source_line_is_required() {
        assert_eq!(
            split_source("# source: man page\nA\nB\n"),
            Ok(("man page", "A\nB\n"))
        );
        assert_eq!(
            split_source("# source: issue 3\n# command: ls -l\nA\n"),
            Ok(("issue 3", "A\n"))
        );
        assert!(split_source("A\nB\n").is_err());
        assert!(split_source("").is_err());
    }
}
