use serde::{Deserialize, Serialize};

/// Thresholds that turn facts into verdicts. Defaults follow common audit expectations and can
/// be changed in the `[policy]` table of the configuration file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// Longest idle time before the screen locks, in seconds (default 900 = 15 minutes).
    pub max_lock_idle_seconds: u64,
    /// Longest grace period between screen blanking and the password being required, in
    /// seconds (default 5).
    pub max_lock_grace_seconds: u64,
    /// Oldest acceptable antivirus signature, in days (default 7).
    pub max_signature_age_days: u64,
    /// Whether a browser's own password manager counts as a password manager (default false):
    /// a Firefox-family profile with password saving on and at least one saved login, or
    /// Safari with "AutoFill user names and passwords" on. Off, they are recorded as facts
    /// only.
    pub count_browser_password_managers: bool,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            max_lock_idle_seconds: 900,
            max_lock_grace_seconds: 5,
            max_signature_age_days: 7,
            count_browser_password_managers: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_config_without_the_newer_keys_loads_with_their_defaults() {
        let old: Policy = serde_json::from_str(r#"{"max_lock_idle_seconds": 600}"#).expect("loads");
        assert_eq!(old.max_lock_idle_seconds, 600);
        assert!(!old.count_browser_password_managers);
        let on: Policy =
            serde_json::from_str(r#"{"count_browser_password_managers": true}"#).expect("loads");
        assert!(on.count_browser_password_managers);
        assert_eq!(on.max_signature_age_days, 7);
    }
}
