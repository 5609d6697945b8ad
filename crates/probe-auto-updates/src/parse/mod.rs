//! Pure parsers: command output or file text in, typed facts out. No I/O, no verdicts.

pub mod apt;
pub mod dnf;
pub mod os_release;
pub mod systemd;

/// Strips the `# source: …` header line that every file under `tests/fixtures/linux/` starts with.
#[cfg(test)]
pub(crate) fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/linux/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let (header, body) = text.split_once('\n').unwrap_or((text.as_str(), ""));
    assert!(
        header.starts_with("# source: "),
        "{path} lacks its `# source:` header"
    );
    body.to_string()
}
