//! Facts in, conclusion out: every verdict, summary sentence and remediation of the
//! automatic-updates probe. Pure: no I/O.
//!
//! Each requirement becomes a [`Check`]; [`conclude`] combines them so that a fact that
//! *proves* automatic updates are off wins (Fail), anything not provable either way stays
//! Unknown with its reason, and only all-good checks pass. The per-OS rules live in
//! `policy::linux` ([`conclude_linux`]: unattended-upgrades, dnf-automatic, image-based
//! systems and openSUSE),
//! `policy::macos` ([`conclude_macos`]: the Software Update preferences) and `policy::windows`
//! ([`conclude_windows`]: Group Policy, MDM and the Windows Update service).

mod linux;
mod macos;
mod windows;

pub use linux::{
    APT_INSTALL_REMEDY, DNF_CONFIG_TIMERS, DNF_INSTALL_TIMERS, DNF_OTHER_TIMERS, DNF_REMEDY,
    TimerStatus, conclude_apt_timer, conclude_dnf_schedule, conclude_linux, conclude_origins,
    conclude_ostree, conclude_package, conclude_periodic, conclude_periodic_enable, conclude_suse,
    conclude_timer, first_scheduled,
};
pub use macos::{
    Layers, LegacyProfile, Source, conclude_macos, conclude_settings, effective, layers,
};
pub use windows::{conclude_gpo, conclude_mdm, conclude_service, conclude_windows};

use devidence_core::{Conclusion, Verdict};

/// The outcome of one requirement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Check {
    /// Met; the words say how.
    Ok(String),
    /// Proven not met.
    Fail {
        /// What the facts show, for people.
        reason: String,
        /// The command or step that fixes it.
        remedy: String,
    },
    /// Could not be decided.
    Unknown {
        /// What stopped the probe.
        reason: String,
        /// What to do so the next run can decide.
        remedy: String,
    },
}

impl Check {
    fn fail(reason: impl Into<String>, remedy: impl Into<String>) -> Check {
        Check::Fail {
            reason: reason.into(),
            remedy: remedy.into(),
        }
    }

    fn unknown(reason: impl Into<String>, remedy: impl Into<String>) -> Check {
        Check::Unknown {
            reason: reason.into(),
            remedy: remedy.into(),
        }
    }
}

/// Combines checks: any `Fail` → Fail (all fail reasons listed); else any `Unknown` → Unknown;
/// else Pass with `pass_summary`.
pub fn conclude(pass_summary: &str, checks: &[Check]) -> Conclusion {
    let mut fails = Vec::new();
    let mut unknowns = Vec::new();
    let mut remedies: Vec<&str> = Vec::new();
    for check in checks {
        match check {
            Check::Ok(_) => {}
            Check::Fail { reason, remedy } => {
                fails.push(reason.as_str());
                if !remedies.contains(&remedy.as_str()) {
                    remedies.push(remedy);
                }
            }
            Check::Unknown { reason, .. } => unknowns.push(reason.as_str()),
        }
    }
    if !fails.is_empty() {
        return Conclusion::fail(
            format!("Automatic updates are not in place: {}.", fails.join("; ")),
            remedies.join(" Then: "),
        );
    }
    if !unknowns.is_empty() {
        let remedies: Vec<&str> = checks
            .iter()
            .filter_map(|c| match c {
                Check::Unknown { remedy, .. } => Some(remedy.as_str()),
                _ => None,
            })
            .fold(Vec::new(), |mut acc, r| {
                if !acc.contains(&r) {
                    acc.push(r);
                }
                acc
            });
        return Conclusion::unknown(
            unknowns.join("; "),
            format!(
                "Could not confirm automatic updates: {}.",
                unknowns.join("; ")
            ),
            Some(remedies.join(" ")),
        );
    }
    Conclusion::new(Verdict::Pass, pass_summary, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fail_beats_unknown_and_all_ok_passes() {
        let ok = Check::Ok("fine".into());
        let unknown = Check::unknown("could not read x", "run as root");
        let fail = Check::fail("y is off", "turn y on");
        assert_eq!(
            conclude("all good.", &[ok.clone(), ok.clone()]).verdict,
            Verdict::Pass
        );
        let d = conclude("all good.", &[ok.clone(), unknown.clone(), fail.clone()]);
        assert_eq!(d.verdict, Verdict::Fail);
        assert_eq!(d.summary, "Automatic updates are not in place: y is off.");
        assert_eq!(d.remediation.as_deref(), Some("turn y on"));
        let d = conclude("all good.", &[ok, unknown]);
        assert_eq!(d.verdict, Verdict::unknown("could not read x"));
        assert_eq!(d.remediation.as_deref(), Some("run as root"));
    }
}
