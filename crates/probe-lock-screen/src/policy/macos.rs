//! macOS: nobody at the screen is unknown; otherwise the console user's result, and what to do.

use super::{UserOutcome, UserResult, conclude_settings, conclude_users, human};
use crate::macos::{Facts, Unread};
use devidence_core::{Conclusion, Policy, Verdict};

/// The Mac's conclusion: the console user's settings judged, or why they could not be.
pub fn conclude_macos(facts: &Facts, policy: &Policy) -> Conclusion {
    let (name, settings) = match facts {
        Facts::NoConsoleUser => {
            let reason = "no one is logged in at the screen (or the owner of /dev/console could not be read; see the recorded `stat`): the screen lock is a per-user setting, so the check needs someone logged in";
            return Conclusion::new(
                Verdict::unknown(reason),
                format!("Screen lock could not be checked: {reason}."),
                Some("Run the check while the employee is logged in; until then, upload a screenshot of System Settings > Lock Screen as manual evidence.".into()),
            );
        }
        Facts::User { name, settings } => (name, settings),
    };
    let result = match settings {
        Err(Unread::PasswordOnWake(why)) => UserResult::Unknown {
            reason: format!("the password-on-wake setting could not be read ({why})"),
        },
        Err(Unread::ScreenSaverStart(why)) => UserResult::Unknown {
            reason: format!("the screen-saver start could not be read ({why})"),
        },
        Ok(settings) => {
            let evaluation = conclude_settings(settings, policy);
            if evaluation.compliant {
                UserResult::Pass {
                    effective_seconds: evaluation.effective_lock_seconds.unwrap_or(0),
                }
            } else {
                UserResult::Fail {
                    problems: evaluation.problems,
                }
            }
        }
    };
    let outcome = UserOutcome {
        user: name.clone(),
        desktop: "macOS".into(),
        result,
    };
    let mut conclusion = conclude_users(std::slice::from_ref(&outcome), policy);
    conclusion.remediation = (!conclusion.verdict.is_pass()).then(|| format!(
        "In System Settings > Lock Screen, set \"Require password after screen saver begins or display is turned off\" to at most {} and \"Start Screen Saver when inactive\" (or \"Turn display off\") to at most {}; or have IT manage com.apple.screensaver (askForPassword, askForPasswordDelay, idleTime) in a configuration profile.",
        human(policy.max_lock_grace_seconds),
        human(policy.max_lock_idle_seconds),
    ));
    conclusion
}
