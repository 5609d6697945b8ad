//! Pure parsers: command output or file text in, typed facts out. No I/O, no verdicts.

pub mod browsers;
pub mod chromium;
pub mod packages;

/// Strips the `# source: …` header line that every file under `tests/fixtures/linux/` starts with.
#[cfg(test)]
pub(crate) fn fixture(name: &str) -> String {
    devidence_core::fixture::load(format!(
        "{}/tests/fixtures/linux/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap_or_else(|e| panic!("{e}"))
}
