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
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            max_lock_idle_seconds: 900,
            max_lock_grace_seconds: 5,
            max_signature_age_days: 7,
        }
    }
}
