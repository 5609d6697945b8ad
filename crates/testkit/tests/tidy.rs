//! The workspace's invariants, checked on every `cargo test` (as rust-analyzer's tidy
//! checks): the crate graph and the probe shape ARCHITECTURE.md describes stay true.
//!
//! * no probe crate depends on another probe crate;
//! * core and render do not name Drata (the evidence `type` mapping lives in `drata-client`;
//!   render prints what its caller gives it);
//! * no `#[cfg(target_os …)]` / `cfg!(target_os …)` inside a probe crate: plans are chosen at
//!   runtime by the OS, so all of them compile and are tested on Linux;
//! * every probe crate has the one shape: `lib.rs` (entry), `linux`/`macos`/`windows` plans
//!   with `gather`, pure parsers under `parse/`, `policy` with `conclude_<os>`, fixtures under
//!   `tests/fixtures/<os>/`, and no local copies of the test kit's helpers;
//! * no source file is over 800 lines.

#![allow(clippy::unwrap_used, missing_docs)]

use std::fs;
use std::path::{Path, PathBuf};

const MAX_LINES: usize = 800;
const PROBES: [&str; 5] = [
    "probe-antivirus",
    "probe-auto-updates",
    "probe-disk-encryption",
    "probe-lock-screen",
    "probe-password-manager",
];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `.rs` file under `dir`, skipping build output.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return files;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            if name != "target" && !name.starts_with('.') {
                files.extend(rust_files(&path));
            }
        } else if name.ends_with(".rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// The file's lines with `//` comments (doc comments included) removed.
fn code_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().map(|(n, line)| {
        let code = match line.find("//") {
            // A `//` inside a string (a URL) is code; only a line that starts one is skipped.
            Some(at) if line[..at].trim().is_empty() => "",
            _ => line,
        };
        (n + 1, code)
    })
}

fn relative(path: &Path) -> String {
    path.strip_prefix(workspace())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// The names of every dependency the manifest declares, in any table.
fn dependencies(manifest: &toml::Table) -> Vec<String> {
    let mut names = Vec::new();
    let tables = ["dependencies", "dev-dependencies", "build-dependencies"];
    let mut collect = |table: &toml::Table| {
        for kind in tables {
            if let Some(deps) = table.get(kind).and_then(toml::Value::as_table) {
                names.extend(deps.keys().cloned());
            }
        }
    };
    collect(manifest);
    if let Some(targets) = manifest.get("target").and_then(toml::Value::as_table) {
        for target in targets.values().filter_map(toml::Value::as_table) {
            collect(target);
        }
    }
    names
}

fn manifest(krate: &str) -> toml::Table {
    let path = workspace().join("crates").join(krate).join("Cargo.toml");
    fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .parse()
        .unwrap()
}

#[test]
fn no_probe_crate_depends_on_another() {
    for krate in PROBES {
        let others: Vec<String> = dependencies(&manifest(krate))
            .into_iter()
            .filter(|d| d.starts_with("probe-"))
            .collect();
        assert!(others.is_empty(), "{krate} depends on {others:?}");
    }
}

#[test]
fn core_and_render_do_not_name_drata() {
    let mut found = Vec::new();
    for krate in ["core", "render"] {
        for dep in dependencies(&manifest(krate)) {
            if dep.to_ascii_lowercase().contains("drata") {
                found.push(format!("crates/{krate}/Cargo.toml: depends on {dep}"));
            }
        }
        for file in rust_files(&workspace().join("crates").join(krate).join("src")) {
            let text = fs::read_to_string(&file).unwrap();
            for (n, code) in code_lines(&text) {
                if code.to_ascii_lowercase().contains("drata") {
                    found.push(format!("{}:{n}: {}", relative(&file), code.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "core/render name Drata:\n{}",
        found.join("\n")
    );
}

#[test]
fn probe_crates_choose_their_plan_at_runtime_not_compile_time() {
    let mut found = Vec::new();
    for krate in PROBES {
        for file in rust_files(&workspace().join("crates").join(krate)) {
            let text = fs::read_to_string(&file).unwrap();
            for (n, code) in code_lines(&text) {
                if code.contains("cfg(target_os") || code.contains("cfg!(target_os") {
                    found.push(format!("{}:{n}: {}", relative(&file), code.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "target_os in probe crates:\n{}",
        found.join("\n")
    );
}

/// `name.rs` or `name/mod.rs` under `dir`.
fn module(dir: &Path, name: &str) -> Option<PathBuf> {
    [
        dir.join(format!("{name}.rs")),
        dir.join(name).join("mod.rs"),
    ]
    .into_iter()
    .find(|p| p.is_file())
}

#[test]
fn every_probe_crate_has_the_one_shape() {
    let mut wrong = Vec::new();
    for krate in PROBES {
        let root = workspace().join("crates").join(krate);
        let src = root.join("src");
        let lib = fs::read_to_string(src.join("lib.rs")).unwrap();
        for os in ["linux", "macos", "windows"] {
            match module(&src, os) {
                Some(plan) => {
                    let text = fs::read_to_string(&plan).unwrap();
                    if !text.contains("pub fn gather(") {
                        wrong.push(format!(
                            "{krate}: {} has no `pub fn gather(`",
                            relative(&plan)
                        ));
                    }
                }
                None => wrong.push(format!("{krate}: no src/{os}.rs or src/{os}/mod.rs plan")),
            }
            if !lib.contains(&format!("policy::conclude_{os}(&{os}::gather(&mut run)")) {
                wrong.push(format!(
                    "{krate}: lib.rs does not call policy::conclude_{os}(&{os}::gather(&mut run)…)"
                ));
            }
            if !root.join("tests/fixtures").join(os).is_dir() {
                wrong.push(format!("{krate}: no tests/fixtures/{os}/"));
            }
        }
        if module(&src, "policy").is_none() {
            wrong.push(format!("{krate}: no src/policy.rs or src/policy/mod.rs"));
        }
        if module(&src, "parse").is_none() {
            wrong.push(format!("{krate}: no src/parse.rs or src/parse/mod.rs"));
        }
        for file in rust_files(&root) {
            let text = fs::read_to_string(&file).unwrap();
            for (n, code) in code_lines(&text) {
                for copy in ["fn judge(", "fn fixture(", "fn replayed("] {
                    if code.contains(copy) {
                        wrong.push(format!(
                            "{}:{n}: `{copy}` copies devidence_testkit::probe",
                            relative(&file)
                        ));
                    }
                }
                // One verb for "facts to verdict": conclude.
                for verb in ["fn judge", "fn evaluate", "fn decide", "fn assess"] {
                    if code.contains(verb) && file.starts_with(&src) {
                        wrong.push(format!(
                            "{}:{n}: `{verb}…`: the verb for facts to verdict is `conclude`",
                            relative(&file)
                        ));
                    }
                }
                if code.contains("(Verdict, String, Option<String>)") {
                    wrong.push(format!(
                        "{}:{n}: a verdict tuple; use Conclusion",
                        relative(&file)
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "probe shape:\n{}", wrong.join("\n"));
}

#[test]
fn no_source_file_is_over_800_lines() {
    let root = workspace();
    let mut long = Vec::new();
    for dir in ["crates", "tests", "bench", "fuzz/fuzz_targets"] {
        for file in rust_files(&root.join(dir)) {
            let lines = fs::read_to_string(&file).unwrap().lines().count();
            if lines > MAX_LINES {
                long.push(format!("{}: {lines} lines", relative(&file)));
            }
        }
    }
    assert!(
        long.is_empty(),
        "over {MAX_LINES} lines (split by job):\n{}",
        long.join("\n")
    );
}

#[test]
fn the_checks_see_what_they_check() {
    // The walkers must find the files they judge; an empty list would pass everything.
    assert!(rust_files(&workspace().join("crates/core/src")).len() > 10);
    let drata_free: Vec<_> = code_lines("// Drata\nlet x = 1; // Drata\n").collect();
    assert_eq!(drata_free[0].1, "");
    assert!(drata_free[1].1.contains("Drata"));
    assert!(dependencies(&manifest("agent")).contains(&"probe-antivirus".to_string()));
}
