//! Starting corpora: the recorded real outputs under each crate's `tests/fixtures`, shaped for
//! the target (a parser takes one output; a probe target takes a sequence of answers).

use crate::host::{Ending, ScriptedHost};
use std::path::{Path, PathBuf};

/// How a target's seeds are built from fixture files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Each fixture's body (the `# source:` line removed) is one seed.
    Text,
    /// Each fixture is one answer; seeds are every fixture alone and all of them in order.
    Answers,
    /// The fixture files are used as they are (configuration, JSON).
    Raw,
}

/// The workspace root (this crate lives in `crates/fuzz-targets`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every file under `dir` (or `dir` itself when it is a file), sorted, recursively.
fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    if dir.is_file() {
        out.push(dir.to_path_buf());
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// A fixture without its `# source:` line (fixtures are UTF-8; anything else is kept whole).
fn body(bytes: &[u8]) -> &[u8] {
    match std::str::from_utf8(bytes).map(devidence_core::fixture::split_source) {
        Ok(Ok((_, body))) => body.as_bytes(),
        _ => bytes,
    }
}

/// The seed inputs of a target.
pub fn for_target(target: &crate::Target) -> Vec<Vec<u8>> {
    let root = workspace_root();
    let mut files = Vec::new();
    for dir in target.seed_dirs {
        files_under(&root.join(dir), &mut files);
    }
    let contents: Vec<Vec<u8>> = files.iter().filter_map(|f| std::fs::read(f).ok()).collect();
    match target.seed_shape {
        Shape::Raw => contents,
        Shape::Text => contents.iter().map(|c| body(c).to_vec()).collect(),
        Shape::Answers => {
            let bodies: Vec<String> = contents
                .iter()
                .map(|c| String::from_utf8_lossy(body(c)).into_owned())
                .collect();
            let mut seeds: Vec<Vec<u8>> = bodies
                .iter()
                .map(|b| ScriptedHost::encode([(Ending::Success, b.as_str())]))
                .collect();
            seeds.push(ScriptedHost::encode(
                bodies.iter().map(|b| (Ending::Success, b.as_str())),
            ));
            seeds
        }
    }
}
