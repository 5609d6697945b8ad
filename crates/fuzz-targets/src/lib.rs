//! Fuzz targets for everything devidence reads that it did not write itself: every command
//! output parser of every OS and control, each probe's whole plan driven by arbitrary
//! answers, and the agent's configuration, state, spool, bundle and managed-settings readers.
//!
//! A target is a plain `fn(&[u8])` that must return for any input: no panic, no hang, memory
//! in proportion to the input. The same table serves three runners:
//! * `fuzz/` (cargo-fuzz, libFuzzer, coverage-guided): `fuzz/run` fuzzes every target in turn;
//! * `tests/regressions.rs`: every seed, every saved crash input and multi-megabyte inputs,
//!   in the normal `cargo test`;
//! * the `fuzz-seeds` binary: writes each target's starting corpus from the recorded fixtures.

mod agent;
pub mod host;
mod parsers;
mod probes;
pub mod seeds;

pub use host::ScriptedHost;

/// One fuzz target.
pub struct Target {
    /// Stable name, `<area>/<what>` (also the folder name of its corpus and regressions).
    pub name: &'static str,
    /// Folders (relative to the workspace root) whose files seed the corpus.
    pub seed_dirs: &'static [&'static str],
    /// How seeds are shaped for this target.
    pub seed_shape: seeds::Shape,
    /// Feeds one input to the code under test.
    pub run: fn(&[u8]),
}

/// Every target, parsers first, then whole probe plans, then the agent's file readers.
pub fn all() -> Vec<Target> {
    let mut targets = parsers::targets();
    targets.extend(probes::targets());
    targets.extend(agent::targets());
    targets
}

/// The target called `name`.
pub fn find(name: &str) -> Option<Target> {
    all().into_iter().find(|t| t.name == name)
}

/// Input bytes as text the way the agent sees command output: invalid UTF-8 replaced.
pub(crate) fn text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}
