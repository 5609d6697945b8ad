//! What `check` prints: a table for people, a JSON array for scripts.

use devidence_core::{Finding, Verdict};
use std::fmt::Write;

/// The table: control, verdict, one-line summary and, under anything not passing, the reason
/// and the fix.
pub fn table(findings: &[Finding]) -> String {
    let width = findings
        .iter()
        .map(|f| f.control.title().len())
        .max()
        .unwrap_or(0)
        .max(7);
    let mut out = String::new();
    let _ = writeln!(out, "{:<width$}  {:<7}  SUMMARY", "CONTROL", "VERDICT");
    for f in findings {
        let _ = writeln!(
            out,
            "{:<width$}  {:<7}  {}",
            f.control.title(),
            f.verdict.label(),
            f.summary
        );
        let indent = " ".repeat(width + 11);
        if let Verdict::Unknown { reason } = &f.verdict {
            let _ = writeln!(out, "{indent}why: {reason}");
        }
        if let Some(fix) = &f.remediation {
            let _ = writeln!(out, "{indent}fix: {fix}");
        }
    }
    out
}

/// True when every control passed.
pub fn all_pass(findings: &[Finding]) -> bool {
    findings.iter().all(|f| f.verdict.is_pass())
}
