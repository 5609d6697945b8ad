//! What a probe concludes from its facts: the one shape every probe's `policy.rs` returns.

use crate::finding::Verdict;

/// A probe's conclusion: the verdict, one sentence saying why, and — for anything not
/// passing — what the person or IT should do about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conclusion {
    /// Pass, fail, or unknown with its reason.
    pub verdict: Verdict,
    /// One sentence an auditor and the employee can both read.
    pub summary: String,
    /// What to do when the control is not in place (dropped for a pass).
    pub remediation: Option<String>,
}

impl Conclusion {
    /// A conclusion from its three parts.
    pub fn new(
        verdict: Verdict,
        summary: impl Into<String>,
        remediation: Option<String>,
    ) -> Conclusion {
        Conclusion {
            verdict,
            summary: summary.into(),
            remediation,
        }
    }

    /// The control is in place.
    pub fn pass(summary: impl Into<String>) -> Conclusion {
        Conclusion::new(Verdict::Pass, summary, None)
    }

    /// The control is not in place; `remediation` says how to put it in place.
    pub fn fail(summary: impl Into<String>, remediation: impl Into<String>) -> Conclusion {
        Conclusion::new(Verdict::Fail, summary, Some(remediation.into()))
    }

    /// The probe could not tell, for `reason`.
    pub fn unknown(
        reason: impl Into<String>,
        summary: impl Into<String>,
        remediation: Option<String>,
    ) -> Conclusion {
        Conclusion::new(Verdict::unknown(reason), summary, remediation)
    }
}
