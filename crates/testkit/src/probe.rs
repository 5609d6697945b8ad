//! The probe test kit: load a recorded fixture, replay it through a probe, and judge.
//!
//! Every probe crate's tests read their fixtures from `tests/fixtures/<os>/` and run the probe
//! through a [`ReplayHost`] with the default policy and a fresh redactor:
//!
//! ```ignore
//! use devidence_testkit::probe::{Fixtures, judge};
//! const WINDOWS: Fixtures = Fixtures::new(env!("CARGO_MANIFEST_DIR"), "windows");
//! let text = WINDOWS.text("manage-bde-status-….txt");
//! let finding = judge(probe_disk_encryption::probe, &host, Os::Windows);
//! ```

use devidence_core::redact::Redactor;
use devidence_core::{Finding, Os, Policy, ProbeRun, ReplayHost, fixture};
use std::path::PathBuf;

/// A probe's entry point, `probe(run) -> Finding`, as every probe crate's `lib.rs` has it.
pub type Probe = fn(ProbeRun<'_>) -> Finding;

/// One folder of recorded fixtures: `<crate>/tests/fixtures/<folder>/`.
#[derive(Clone, Copy, Debug)]
pub struct Fixtures {
    manifest_dir: &'static str,
    folder: &'static str,
}

impl Fixtures {
    /// The fixtures under `tests/fixtures/<folder>` of the crate whose `CARGO_MANIFEST_DIR`
    /// is given (pass `env!("CARGO_MANIFEST_DIR")`).
    pub const fn new(manifest_dir: &'static str, folder: &'static str) -> Fixtures {
        Fixtures {
            manifest_dir,
            folder,
        }
    }

    /// The path of fixture `name` in this folder (`name` may hold subfolders).
    pub fn path(&self, name: &str) -> PathBuf {
        PathBuf::from(format!(
            "{}/tests/fixtures/{}/{name}",
            self.manifest_dir, self.folder
        ))
    }

    /// The recorded output in fixture `name`, without its `# source:` line; panics, naming
    /// the file, if it is missing or has no source line.
    pub fn text(&self, name: &str) -> String {
        fixture::load(self.path(name)).unwrap_or_else(|e| panic!("{e}"))
    }

    /// A replay host answering with the observations recorded in fixture `name` (a JSON
    /// array, as `findings.json` keeps them, after the `# source:` line).
    pub fn replay_host(&self, name: &str) -> ReplayHost {
        let observations =
            fixture::load_observations(self.path(name)).unwrap_or_else(|e| panic!("{e}"));
        ReplayHost::from_observations(observations)
    }
}

/// Runs `probe` on `host` as a machine running `os`, with the default policy.
pub fn judge(probe: Probe, host: &ReplayHost, os: Os) -> Finding {
    judge_with_policy(probe, host, os, &Policy::default())
}

/// Runs `probe` on `host` as a machine running `os`, with `policy`'s thresholds.
pub fn judge_with_policy(probe: Probe, host: &ReplayHost, os: Os, policy: &Policy) -> Finding {
    probe(ProbeRun::new(host, os, policy, &Redactor::new()))
}

/// The finding judged again from its own observations, as `devidence replay` does: a probe's
/// evidence must be enough to reach the same verdict.
pub fn rejudge(finding: &Finding, probe: Probe) -> Finding {
    let host = ReplayHost::from_observations(finding.observations.clone());
    judge(probe, &host, finding.os)
}

#[cfg(test)]
mod tests {
    use super::*;
    use devidence_core::{Conclusion, Control, Verdict};

    fn always_unplanned(run: ProbeRun<'_>) -> Finding {
        let os = run.os;
        run.finish(
            Control::Antivirus,
            Conclusion::unknown(format!("no plan for {os}"), "Not checked.", None),
        )
    }

    #[test]
    fn judge_runs_the_probe_on_the_given_os_and_rejudge_agrees() {
        let finding = judge(always_unplanned, &ReplayHost::new(), Os::Macos);
        assert_eq!(finding.os, Os::Macos);
        assert!(matches!(finding.verdict, Verdict::Unknown { .. }));
        assert_eq!(rejudge(&finding, always_unplanned).verdict, finding.verdict);
    }

    #[test]
    fn a_fixture_without_its_source_line_names_the_file() {
        let fixtures = Fixtures::new(env!("CARGO_MANIFEST_DIR"), "none");
        let err = std::panic::catch_unwind(|| fixtures.text("missing.txt")).unwrap_err();
        let message = err.downcast_ref::<String>().cloned().unwrap_or_default();
        assert!(
            message.contains("tests/fixtures/none/missing.txt"),
            "{message}"
        );
    }
}
