//! Windows: nobody signed in is unknown; otherwise every signed-in person's result, and what to
//! do.

use super::{UserOutcome, UserResult, conclude_settings, conclude_users, human};
use crate::windows::Facts;
use devidence_core::{Conclusion, Policy, Verdict};

/// The machine's conclusion: every signed-in person must comply. A person who does not, on a
/// machine whose power plan could not be read, is unknown: sleeping with a password on wake
/// might be the quick path.
pub fn conclude_windows(facts: &Facts, policy: &Policy) -> Conclusion {
    let (machine, people) = match facts {
        Facts::NobodySignedIn => {
            let reason = "nobody is signed in (no person's registry hive is loaded): the screen saver is a per-user setting, so the check needs someone signed in";
            return Conclusion::new(
                Verdict::unknown(reason),
                format!("Screen lock could not be checked: {reason}."),
                Some("Run the check while the employee is signed in; until then, upload a screenshot of Settings > Personalization > Lock screen > Screen saver as manual evidence.".into()),
            );
        }
        Facts::SignedIn { machine, people } => (machine, people),
    };
    let outcomes: Vec<UserOutcome> = people
        .iter()
        .map(|person| {
            let result = match &person.settings {
                Ok(settings) => {
                    let evaluation = conclude_settings(settings, policy);
                    if evaluation.compliant {
                        UserResult::Pass {
                            effective_seconds: evaluation.effective_lock_seconds.unwrap_or(0),
                        }
                    } else if let Some(why) = &machine.power_unread {
                        UserResult::Unknown {
                            reason: format!(
                                "{}; the power plan could not be read ({why}), so sleep with a password on wake could not be ruled out",
                                evaluation.problems.join("; ")
                            ),
                        }
                    } else {
                        UserResult::Fail {
                            problems: evaluation.problems,
                        }
                    }
                }
                Err(why) => UserResult::Unknown {
                    reason: format!("the screen-saver settings could not be read ({why})"),
                },
            };
            UserOutcome {
                user: person.user.clone(),
                desktop: "Windows".into(),
                result,
            }
        })
        .collect();
    let mut conclusion = conclude_users(&outcomes, policy);
    conclusion.remediation = (!conclusion.verdict.is_pass()).then(|| format!(
        "In Settings > Personalization > Lock screen > Screen saver, choose a screen saver, set Wait to at most {} and tick \"On resume, display logon screen\"; or have IT set the Group Policy \"Interactive logon: Machine inactivity limit\" (InactivityTimeoutSecs) to at most {} seconds.",
        human(policy.max_lock_idle_seconds),
        policy.max_lock_idle_seconds,
    ));
    conclusion
}
