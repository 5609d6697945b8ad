//! Helpers shared by the workspace's tests; a dev-dependency only, never shipped.
//!
//! **Outside tools.** README's test command passes on a machine with only Rust: a test that
//! needs something else (`pdftoppm`, `openssl`, Prism, a Secret Service, root…) checks for it
//! with [`tool`] or [`available`] and, when it is missing, prints why it was skipped and
//! returns. One switch per need makes a skip a failure where the need must be met:
//! `DEVIDENCE_REQUIRE_<NAME>=1` (CI's `.ci/run` sets one for everything it installs), where
//! `<NAME>` is the need's name upper-cased with `-` as `_` (`pdftoppm` → `PDFTOPPM`).

pub mod probe;

use std::process::{Command, Stdio};

/// The environment variable that makes `need` required: `DEVIDENCE_REQUIRE_<NAME>`.
pub fn switch(need: &str) -> String {
    format!(
        "DEVIDENCE_REQUIRE_{}",
        need.to_ascii_uppercase().replace('-', "_")
    )
}

/// Whether `need` is required here (`DEVIDENCE_REQUIRE_<NAME>=1`).
pub fn required(need: &str) -> bool {
    std::env::var_os(switch(need)).is_some_and(|v| v == "1")
}

/// Reports whether `need` is met; when it is not, says on stderr why the test is skipped, or
/// panics with `why` when [`required`].
pub fn available(need: &str, met: bool, why: &str) -> bool {
    if !met {
        if required(need) {
            panic!(
                "{need} is required here ({} is set) but {why}",
                switch(need)
            );
        }
        eprintln!(
            "SKIPPED: {why} (set {}=1 to make this a failure)",
            switch(need)
        );
    }
    met
}

/// Whether the outside program `program` works here (`program args…` exits 0), as
/// [`available`] reports it under the need named after the program.
pub fn tool(program: &str, args: &[&str]) -> bool {
    let works = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .is_ok_and(|o| o.status.success());
    available(
        program,
        works,
        &format!(
            "`{program} {}` does not run on this machine",
            args.join(" ")
        ),
    )
}

/// Makes a FIFO (named pipe) at `path` with coreutils' `mkfifo`, for tests that plant one
/// where a file belongs; panics if it cannot.
pub fn make_fifo(path: &std::path::Path) {
    let made = Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success());
    assert!(made, "mkfifo {} failed", path.display());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switch_names_follow_the_convention() {
        assert_eq!(switch("pdftoppm"), "DEVIDENCE_REQUIRE_PDFTOPPM");
        assert_eq!(switch("release-bin"), "DEVIDENCE_REQUIRE_RELEASE_BIN");
    }

    #[test]
    fn a_missing_tool_is_a_skip_unless_required() {
        // Nobody sets this switch, so the missing tool is a skip, not a failure.
        assert!(!tool("devidence-no-such-tool", &[]));
        assert!(tool("sh", &["-c", "true"]));
    }
}
