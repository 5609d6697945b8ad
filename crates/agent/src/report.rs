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
        if let Verdict::Unknown { reason } = &f.verdict
            && !f.summary.contains(reason.as_str())
        {
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

#[cfg(test)]
mod tests {
    use super::*;
    use devidence_core::{Control, Os};
    use std::collections::BTreeMap;

    fn finding(control: Control, verdict: Verdict, summary: &str, fix: Option<&str>) -> Finding {
        Finding {
            control,
            os: Os::Linux,
            verdict,
            summary: summary.into(),
            facts: BTreeMap::new(),
            remediation: fix.map(str::to_string),
            observations: Vec::new(),
            collected_at: time::OffsetDateTime::UNIX_EPOCH,
            duration_ms: 0,
        }
    }

    #[test]
    fn the_table_shows_reason_and_fix_under_what_does_not_pass() {
        let findings = [
            finding(
                Control::DiskEncryption,
                Verdict::Pass,
                "Encrypted: / is on LUKS2.",
                None,
            ),
            finding(
                Control::Antivirus,
                Verdict::Fail,
                "No antivirus was found.",
                Some("Install ClamAV."),
            ),
            finding(
                Control::LockScreen,
                Verdict::unknown("no graphical session"),
                "Screen lock could not be checked.",
                Some("Log in."),
            ),
        ];
        let expected = "\
CONTROL          VERDICT  SUMMARY
Disk encryption  PASS     Encrypted: / is on LUKS2.
Antivirus        FAIL     No antivirus was found.
                          fix: Install ClamAV.
Screen lock      UNKNOWN  Screen lock could not be checked.
                          why: no graphical session
                          fix: Log in.
";
        assert_eq!(table(&findings), expected);
        assert!(!all_pass(&findings));
        assert!(all_pass(&findings[..1]));
    }
}
