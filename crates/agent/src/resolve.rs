//! Which Drata device ID this computer's evidence goes to, in this order:
//!
//! a. a device ID given in config, environment or flag;
//! b. the device Drata already knows, by this machine's serial number, then by MAC address;
//! c. if the admin set up a custom device connection, this device upserted through it (the
//!    one documented way the API can register a device; matched on serial number);
//! d. the owner's personnel ID (by `owner_email`), used as the device ID: Drata's documented
//!    rule for computers it does not know, for which it then keeps a placeholder device;
//! e. otherwise an error naming the settings that would let it resolve.
//!
//! The API cannot create devices (apart from c) or change device/person/asset mappings, and
//! devidence never tries. A resolved ID is cached in the state with when and how it was found,
//! re-used while fresh, and resolved again when Drata answers 404 for it.

use crate::state::{Method, ResolvedDevice};
use devidence_core::{Control, DeviceIdentity, Finding, Os, Verdict};
use drata_client::devices::{CustomDevice, DeviceQuery, PersonnelRef};
use drata_client::{Client, DrataError};
use std::time::Duration;
use time::OffsetDateTime;

/// How long a device found by lookup (b, c) is trusted before looking again.
pub const DEVICE_CACHE_TTL: Duration = Duration::from_secs(7 * 24 * 3600);
/// How long the personnel fallback (d) is trusted: shorter, so the real device is picked up
/// soon after Drata's agent or an MDM reports it.
pub const PERSONNEL_CACHE_TTL: Duration = Duration::from_secs(24 * 3600);
/// At most this many MAC addresses are looked up.
const MAX_MACS: usize = 4;

/// What resolution works from.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// a. `device_id` from config, environment or flag.
    pub configured: Option<String>,
    /// This machine's serial number.
    pub serial_number: Option<String>,
    /// This machine's MAC addresses, most likely first.
    pub mac_addresses: Vec<String>,
    /// d. The owner's email in Drata.
    pub owner_email: Option<String>,
    /// c. The custom device connection's ID.
    pub device_connection_id: Option<u64>,
    /// The API URL (part of the cache key).
    pub api_url: String,
}

/// Why no device ID could be resolved.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// Drata refused or could not be reached during a step.
    #[error("while {step}: {source}")]
    Drata {
        /// The step, e.g. `looking up this device by serial number`.
        step: String,
        /// Drata's error.
        source: DrataError,
    },
    /// e. Nothing found and nothing more to try.
    #[error(
        "Drata has no device for this computer ({tried}), so there is nowhere to upload: set owner_email (the owner's email in Drata; evidence then goes to their personnel ID), or custom_connection.device_connection_id (with owner_email) to register this computer through a custom device connection, or device_id"
    )]
    Unresolved {
        /// What was tried, in words.
        tried: String,
    },
}

impl ResolveError {
    /// Whether a later run may succeed with no change (network down, 5xx, 429).
    pub fn is_transient(&self) -> bool {
        matches!(self, ResolveError::Drata { source, .. } if source.is_retryable())
    }
}

/// Whether the cached resolution may be used for these inputs at `now`.
pub fn cache_is_fresh(cached: &ResolvedDevice, inputs: &Inputs, now: OffsetDateTime) -> bool {
    let ttl = match cached.method {
        Method::Configured => return false,
        Method::PersonnelId => PERSONNEL_CACHE_TTL,
        _ => DEVICE_CACHE_TTL,
    };
    let age = now - cached.resolved_at;
    cached.api_url == inputs.api_url
        && cached.serial_number == inputs.serial_number
        && age >= time::Duration::ZERO
        && age < time::Duration::try_from(ttl).unwrap_or(time::Duration::MAX)
}

/// Resolves the device ID: the configured one, else the cached one if fresh, else by asking
/// Drata (steps b–e).
pub async fn resolve(
    client: &Client,
    inputs: &Inputs,
    cached: Option<&ResolvedDevice>,
    device: &DeviceIdentity,
    findings: &[Finding],
    now: OffsetDateTime,
) -> Result<ResolvedDevice, ResolveError> {
    let resolved = |id: String, method: Method, why: String| ResolvedDevice {
        id,
        method,
        why,
        resolved_at: now,
        api_url: inputs.api_url.clone(),
        serial_number: inputs.serial_number.clone(),
    };
    if let Some(id) = inputs
        .configured
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        return Ok(resolved(
            id.to_string(),
            Method::Configured,
            "device_id is set in the configuration, environment or command line".into(),
        ));
    }
    if let Some(cached) = cached.filter(|c| cache_is_fresh(c, inputs, now)) {
        tracing::info!(device = %cached.id, method = ?cached.method, "using the cached device ID");
        return Ok(cached.clone());
    }
    let mut tried = Vec::new();
    let mut lookup_refused = None;

    // b. By serial number, then by MAC address.
    match &inputs.serial_number {
        Some(serial) => match lookup(client, DeviceQuery::serial_number(serial)).await {
            Ok(Some(id)) => {
                return Ok(resolved(
                    id,
                    Method::SerialNumber,
                    format!("Drata's device with serial number {serial}"),
                ));
            }
            Ok(None) => tried.push(format!("no device with serial number {serial}")),
            Err(e) => {
                lookup_refused = Some(step_error(e, "looking up this device by serial number")?)
            }
        },
        None => tried.push("this computer's serial number is unknown".into()),
    }
    if lookup_refused.is_none() {
        for mac in inputs.mac_addresses.iter().take(MAX_MACS) {
            match lookup(client, DeviceQuery::mac_address(mac)).await {
                Ok(Some(id)) => {
                    return Ok(resolved(
                        id,
                        Method::MacAddress,
                        format!("Drata's device with MAC address {mac}"),
                    ));
                }
                Ok(None) => {}
                Err(e) => {
                    lookup_refused = Some(step_error(e, "looking up this device by MAC address")?);
                    break;
                }
            }
        }
        if !inputs.mac_addresses.is_empty() && lookup_refused.is_none() {
            tried.push(format!(
                "no device with MAC address {}",
                inputs
                    .mac_addresses
                    .iter()
                    .take(MAX_MACS)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    if let Some(refusal) = &lookup_refused {
        tracing::warn!("cannot look devices up, going on with the next step: {refusal}");
        tried.push(format!("device lookup refused ({refusal})"));
    }

    // c. The custom device connection.
    if let Some(connection_id) = inputs.device_connection_id {
        let Some(email) = &inputs.owner_email else {
            return Err(ResolveError::Unresolved {
                tried: format!(
                    "{}; custom_connection.device_connection_id is set but owner_email is not, and Drata needs the owner to register a device",
                    tried.join("; ")
                ),
            });
        };
        let body = custom_device(device, inputs, email, findings);
        let registered = client
            .upsert_custom_connection_device(connection_id, &body)
            .await
            .map_err(|source| ResolveError::Drata {
                step: format!(
                    "registering this computer through custom device connection {connection_id}"
                ),
                source,
            })?;
        return Ok(resolved(
            registered.id.to_string(),
            Method::CustomConnection,
            format!(
                "registered through custom device connection {connection_id} (serial number {}, owner {email})",
                inputs.serial_number.as_deref().unwrap_or("unknown")
            ),
        ));
    }

    // d. The owner's personnel ID.
    if let Some(email) = &inputs.owner_email {
        let person = client
            .person_by_email(email)
            .await
            .map_err(|source| ResolveError::Drata {
                step: format!("looking up the owner {email}"),
                source,
            })?;
        return Ok(resolved(
            person.id.to_string(),
            Method::PersonnelId,
            format!(
                "{}; the personnel ID of owner {email} is used as the device ID, and Drata keeps a placeholder device for it",
                tried.join("; ")
            ),
        ));
    }

    // e.
    Err(ResolveError::Unresolved {
        tried: tried.join("; "),
    })
}

/// The one live device matching `query`, preferring the most recently created (highest ID)
/// when a serial number is shared.
async fn lookup(client: &Client, query: DeviceQuery) -> Result<Option<String>, DrataError> {
    let devices = client.find_devices(&query).await?;
    if devices.len() > 1 {
        tracing::warn!(
            count = devices.len(),
            "several Drata devices match {query:?}; using the newest"
        );
    }
    Ok(devices.iter().map(|d| d.id).max().map(|id| id.to_string()))
}

/// A refused lookup (403) lets resolution go on; anything else stops it.
fn step_error(error: DrataError, step: &str) -> Result<String, ResolveError> {
    match error {
        DrataError::Forbidden { .. } => Ok(error.to_string()),
        source => Err(ResolveError::Drata {
            step: step.to_string(),
            source,
        }),
    }
}

/// The custom-connection device body: identity plus the verdicts (unknown sent as absent).
fn custom_device(
    device: &DeviceIdentity,
    inputs: &Inputs,
    email: &str,
    findings: &[Finding],
) -> CustomDevice {
    let verdict = |control: Control| {
        findings
            .iter()
            .find(|f| f.control == control)
            .and_then(|f| match f.verdict {
                Verdict::Pass => Some(true),
                Verdict::Fail => Some(false),
                Verdict::Unknown { .. } => None,
            })
    };
    CustomDevice {
        personnel_id: PersonnelRef::Email(email.to_string()),
        platform_name: match device.os {
            Os::Macos => "MACOS",
            Os::Windows => "WINDOWS",
            Os::Linux => "LINUX",
        },
        platform_version: device.os_version.clone(),
        serial_number: inputs.serial_number.clone(),
        mac_address: inputs.mac_addresses.first().cloned(),
        model: device.model.clone(),
        alias: Some(device.hostname.clone()),
        encryption_enabled: verdict(Control::DiskEncryption),
        antivirus_enabled: verdict(Control::Antivirus),
        auto_update_enabled: verdict(Control::AutoUpdates),
        password_manager_enabled: verdict(Control::PasswordManager),
        screen_lock_enabled: verdict(Control::LockScreen),
    }
}

/// This machine's MAC addresses: globally administered (burned-in) ones first, then the
/// rest; never the all-zero address.
pub fn local_mac_addresses() -> Vec<String> {
    let Ok(found) = mac_address::MacAddressIterator::new() else {
        return Vec::new();
    };
    order_macs(found.map(|m| m.bytes()).collect())
}

fn order_macs(found: Vec<[u8; 6]>) -> Vec<String> {
    let mut macs: Vec<[u8; 6]> = Vec::new();
    for bytes in found {
        if bytes != [0; 6] && !macs.contains(&bytes) {
            macs.push(bytes);
        }
    }
    // Locally administered (bit 1 of the first byte): virtual or randomised; try them last.
    macs.sort_by_key(|b| b[0] & 0x02 != 0);
    macs.iter()
        .map(|b| {
            b.iter()
                .map(|x| format!("{x:02x}"))
                .collect::<Vec<_>>()
                .join(":")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn burned_in_macs_come_first_and_zero_is_skipped() {
        let macs = order_macs(vec![
            [0x02, 0x42, 0xac, 0x11, 0, 2],
            [0; 6],
            [0xa4, 0x83, 0xe7, 0x12, 0x34, 0x56],
            [0xa4, 0x83, 0xe7, 0x12, 0x34, 0x56],
        ]);
        assert_eq!(macs, vec!["a4:83:e7:12:34:56", "02:42:ac:11:00:02"]);
    }

    #[test]
    fn the_cache_expires_and_follows_the_machine_and_api() {
        let now = OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap();
        let inputs = Inputs {
            serial_number: Some("SN1".into()),
            api_url: "https://a".into(),
            ..Inputs::default()
        };
        let cached = |method, age_hours: i64| ResolvedDevice {
            id: "1".into(),
            method,
            why: String::new(),
            resolved_at: now - time::Duration::hours(age_hours),
            api_url: "https://a".into(),
            serial_number: Some("SN1".into()),
        };
        assert!(cache_is_fresh(
            &cached(Method::SerialNumber, 100),
            &inputs,
            now
        ));
        assert!(!cache_is_fresh(
            &cached(Method::SerialNumber, 200),
            &inputs,
            now
        ));
        assert!(!cache_is_fresh(
            &cached(Method::PersonnelId, 25),
            &inputs,
            now
        ));
        assert!(cache_is_fresh(
            &cached(Method::PersonnelId, 23),
            &inputs,
            now
        ));
        assert!(!cache_is_fresh(
            &cached(Method::Configured, 0),
            &inputs,
            now
        ));
        let other_api = Inputs {
            api_url: "https://b".into(),
            ..inputs.clone()
        };
        assert!(!cache_is_fresh(
            &cached(Method::SerialNumber, 1),
            &other_api,
            now
        ));
        // A clock set back before the resolution does not make it fresh forever.
        assert!(!cache_is_fresh(
            &cached(Method::SerialNumber, -5),
            &inputs,
            now
        ));
    }
}
