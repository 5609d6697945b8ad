//! The browsers' own password managers, read for the plans: per Firefox-family profile the
//! number of saved logins (`logins.json`, counted, never decrypted or kept) and whether
//! password saving is on (the enterprise policies, then `user.js`, then `prefs.js`, then
//! Firefox's default); per macOS person Safari's `AutoFillPasswords`. Everything in a home is
//! read with the person's own rights. This module only reads: what it counts as is
//! [`crate::policy::BuiltIn::counted`].

use crate::parse::builtin::{
    FirefoxPolicy, REMEMBER_SIGNONS, extract_logins_json, extract_remember_signons,
    parse_policies_json, parse_raw_bool, parse_remember_signons, parse_saved_logins,
    plutil_key_missing,
};
use crate::policy::{BuiltIn, BuiltInState, SafariAutoFill};
use devidence_core::windows::read_registry_key;
use devidence_core::{CommandSpec, Observation, Outcome, ProbeRun, UserContext};
use std::time::Duration;

/// Where an OS keeps Firefox's enterprise policies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PolicySource {
    /// A folder that may hold a `policies.json` (listed first, read only when it is there).
    Json(&'static str),
    /// A registry key with the policies as values (Windows Group Policy).
    Registry(&'static str),
}

/// The enterprise policies found, with where; or why one could not be read.
pub(crate) type Policies = Result<(FirefoxPolicy, Vec<String>), String>;

/// Reads every policy source (once per run, when the first Firefox profile is found) and
/// records what was found as `firefox.policies`.
pub(crate) fn read_policies(run: &mut ProbeRun<'_>, sources: &[PolicySource]) -> Policies {
    let mut policy = FirefoxPolicy::default();
    let mut found = Vec::new();
    let mut problems = Vec::new();
    for source in sources {
        match *source {
            PolicySource::Json(dir) => {
                // A folder that cannot be read may hold a policy that turns saving off.
                let listing = run.list_dir(dir);
                match listing.outcome {
                    Outcome::Completed => {}
                    Outcome::NotFound => continue,
                    _ => {
                        problems.push(format!("{dir}: {}", listing.failure_reason()));
                        continue;
                    }
                }
                if !listing.lines().iter().any(|e| e == "policies.json") {
                    continue;
                }
                let path = format!("{dir}/policies.json");
                match run.read_file(&path).text_if_present() {
                    Ok(Some(text)) => match parse_policies_json(text) {
                        Ok(here) => {
                            policy.merge(&here);
                            found.push(path);
                        }
                        // Firefox applies nothing from a file it cannot parse.
                        Err(why) => found.push(format!("{path} (ignored: {why})")),
                    },
                    Ok(None) => {}
                    Err(why) => problems.push(why),
                }
            }
            PolicySource::Registry(key) => match read_registry_key(run, key) {
                Ok(Some(dump)) => {
                    let flag = |name: &str| {
                        dump.value(key, name)
                            .and_then(|v| v.as_u32())
                            .map(|n| n != 0)
                    };
                    policy.merge(&FirefoxPolicy {
                        password_manager_enabled: flag("PasswordManagerEnabled"),
                        offer_to_save_logins: flag("OfferToSaveLogins"),
                        offer_to_save_logins_default: flag("OfferToSaveLoginsDefault"),
                    });
                    found.push(key.to_string());
                }
                Ok(None) => {}
                Err(why) => problems.push(why),
            },
        }
    }
    let fact = if !problems.is_empty() {
        format!("unreadable: {}", problems.join("; "))
    } else if found.is_empty() {
        "none set".to_string()
    } else {
        format!("{policy:?} from {}", found.join(", "))
    };
    run.fact("firefox.policies", fact);
    if problems.is_empty() {
        Ok((policy, found))
    } else {
        Err(format!(
            "Firefox's enterprise policies: {}",
            problems.join("; ")
        ))
    }
}

/// The text of a file in a profile the listing showed, kept as `extract` makes it: `Ok(None)`
/// when the file is not there.
fn profile_file(
    run: &mut ProbeRun<'_>,
    user: &UserContext,
    entries: &[String],
    dir: &str,
    name: &str,
    extract: impl Fn(&str) -> String,
) -> Result<Option<String>, String> {
    if !entries.iter().any(|e| e == name) {
        return Ok(None);
    }
    let obs: Observation = run.read_user_file_extract(user, &format!("{dir}/{name}"), extract);
    if obs.succeeded() && obs.truncated {
        return Err(format!(
            "{dir}/{name} is larger than the read limit, so it was not read whole"
        ));
    }
    obs.text_if_present().map(|t| t.map(str::to_string))
}

/// What one Firefox-family profile shows about Firefox's own password manager; `None` when
/// the profile folder does not exist. `policies` is read on the first call.
pub(crate) fn firefox_profile(
    run: &mut ProbeRun<'_>,
    user: &UserContext,
    profile_dir: &str,
    (browser, whose): (&str, &str),
    (sources, policies): (&[PolicySource], &mut Option<Policies>),
) -> Option<BuiltIn> {
    let listing = run.list_user_dir_quietly(user, profile_dir);
    let entries = match listing.outcome {
        Outcome::NotFound => return None,
        Outcome::Completed => listing.lines(),
        _ => {
            let why = listing.failure_reason();
            return Some(BuiltIn {
                browser: browser.to_string(),
                whose: whose.to_string(),
                state: BuiltInState::Firefox {
                    saved_logins: Err(why.clone()),
                    saving: Err(why),
                },
            });
        }
    };
    let saved_logins = profile_file(
        run,
        user,
        &entries,
        profile_dir,
        "logins.json",
        extract_logins_json,
    )
    .and_then(|text| text.map_or(Ok(0), |t| parse_saved_logins(&t)));
    let policies = policies
        .get_or_insert_with(|| read_policies(run, sources))
        .clone();
    let saving = match policies {
        Err(why) => Err(why),
        Ok((policy, found)) => match policy.locked() {
            Some((on, name)) => Ok((
                on,
                format!("enterprise policy {name} {on} in {}", found.join(", ")),
            )),
            None => user_setting(run, user, &entries, profile_dir).map(|set| {
                set.unwrap_or_else(|| match policy.offer_to_save_logins_default {
                    Some(on) => (
                        on,
                        format!("enterprise policy OfferToSaveLoginsDefault {on}"),
                    ),
                    None => (
                        true,
                        format!("Firefox's default; {REMEMBER_SIGNONS} not set"),
                    ),
                })
            }),
        },
    };
    Some(BuiltIn {
        browser: browser.to_string(),
        whose: whose.to_string(),
        state: BuiltInState::Firefox {
            saved_logins,
            saving,
        },
    })
}

/// `signon.rememberSignons` as the person set it: `user.js` (applied at every start) wins
/// over `prefs.js`; `Ok(None)` when neither sets it.
fn user_setting(
    run: &mut ProbeRun<'_>,
    user: &UserContext,
    entries: &[String],
    dir: &str,
) -> Result<Option<(bool, String)>, String> {
    for name in ["user.js", "prefs.js"] {
        let text = profile_file(run, user, entries, dir, name, extract_remember_signons)?;
        if let Some(on) = text.as_deref().and_then(parse_remember_signons) {
            return Ok(Some((on, format!("{REMEMBER_SIGNONS} {on} in {name}"))));
        }
    }
    Ok(None)
}

/// Safari's preferences folder inside its container, relative to a home.
pub const SAFARI_PREFERENCES: &str = "Library/Containers/com.apple.Safari/Data/Library/Preferences";

/// `plutil -extract AutoFillPasswords raw -o - <plist>`, as the person: prints only the one
/// value (`true`/`false`), so nothing else of Safari's settings enters the evidence.
pub fn safari_autofill_command(user: &UserContext, plist: &str) -> CommandSpec {
    CommandSpec::new(
        "/usr/bin/plutil",
        ["-extract", "AutoFillPasswords", "raw", "-o", "-", plist],
    )
    .deadline(Duration::from_secs(15))
    .as_user(user)
}

/// One macOS person's Safari `AutoFillPasswords`.
pub(crate) fn safari(run: &mut ProbeRun<'_>, user: &UserContext, whose: &str) -> BuiltIn {
    let home = user.home.trim_end_matches('/');
    let dir = format!("{home}/{SAFARI_PREFERENCES}");
    let listing = run.list_user_dir_quietly(user, &dir);
    let sandboxed = |why: String| {
        SafariAutoFill::Unreadable(format!(
            "{why} (macOS 26 keeps Safari's settings inside its sandbox, unreadable from outside)"
        ))
    };
    let autofill = match listing.outcome {
        Outcome::NotFound => SafariAutoFill::NoPreferences,
        Outcome::Completed
            if !listing
                .lines()
                .iter()
                .any(|e| e == "com.apple.Safari.plist") =>
        {
            SafariAutoFill::NoPreferences
        }
        Outcome::Completed => {
            let obs = run.run(safari_autofill_command(
                user,
                &format!("{dir}/com.apple.Safari.plist"),
            ));
            if obs.succeeded() {
                match parse_raw_bool(&obs.stdout) {
                    Some(on) => SafariAutoFill::Set(on),
                    None => SafariAutoFill::Unreadable(format!(
                        "plutil printed `{}`, not a yes/no",
                        obs.stdout.trim()
                    )),
                }
            } else if obs.outcome == Outcome::Completed
                && plutil_key_missing(&format!("{}{}", obs.stdout, obs.stderr))
            {
                SafariAutoFill::NotSet
            } else {
                sandboxed(obs.failure_reason())
            }
        }
        _ => sandboxed(listing.failure_reason()),
    };
    BuiltIn {
        browser: "Safari".into(),
        whose: whose.to_string(),
        state: BuiltInState::Safari(autofill),
    }
}
