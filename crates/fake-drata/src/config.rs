//! How a fake tenant is set up: [`FakeDrata`] and the devices, people and custom resources it
//! starts with.

use std::collections::BTreeSet;
use std::time::Duration;

/// The default largest file accepted, 25 MiB. Drata publishes no number, only the 413.
pub const DEFAULT_MAX_UPLOAD_BYTES: usize = 25 * 1024 * 1024;

/// How a fake Drata tenant is set up. Build it with the `with_*` methods, then [`start`](Self::start) it.
#[derive(Debug, Clone)]
pub struct FakeDrata {
    pub(crate) api_key: String,
    pub(crate) unprivileged_keys: Vec<String>,
    /// Upload targets, without leading zeros (Drata reads `0042` as `42`).
    pub(crate) devices: BTreeSet<String>,
    pub(crate) max_upload_bytes: usize,
    pub(crate) keep_file_bytes: bool,
    pub(crate) terms_accepted: bool,
    pub(crate) known_devices: Vec<KnownDevice>,
    pub(crate) personnel: Vec<Person>,
    pub(crate) custom_device_connections: Vec<u64>,
    pub(crate) resources: Vec<CustomResource>,
    pub(crate) custom_connections_plan: bool,
    pub(crate) rate_limit: Option<(u32, Duration)>,
}

/// A device Drata already knows (reported by its agent or an MDM).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownDevice {
    /// Drata's device ID.
    pub id: u64,
    /// Its owner's personnel ID.
    pub personnel_id: u64,
    /// Serial number.
    pub serial_number: Option<String>,
    /// MAC address.
    pub mac_address: Option<String>,
    /// `AGENT`, `CUSTOM`, `PLACEHOLDER`…
    pub source_type: String,
    /// Set when registered through a custom device connection.
    pub connection_id: Option<u64>,
    /// `externalId`, when given.
    pub external_id: Option<String>,
    /// Platform version, when given.
    pub os_version: Option<String>,
}

/// A person in the tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// Personnel ID.
    pub id: u64,
    /// Email (matched case-insensitively by `email:` lookups).
    pub email: String,
}

/// A custom connection's resource that accepts records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomResource {
    /// Connection ID.
    pub connection_id: u64,
    /// Resource ID.
    pub resource_id: u64,
    /// Fields every record must have (else the record fails with code 28022).
    pub required_fields: Vec<String>,
}

impl FakeDrata {
    /// A tenant that accepts `api_key` as a bearer token with every permission, knows no
    /// devices yet, has accepted the terms, and takes files up to [`DEFAULT_MAX_UPLOAD_BYTES`].
    pub fn new(api_key: &str) -> Self {
        FakeDrata {
            api_key: api_key.to_string(),
            unprivileged_keys: Vec::new(),
            devices: BTreeSet::new(),
            max_upload_bytes: DEFAULT_MAX_UPLOAD_BYTES,
            keep_file_bytes: true,
            terms_accepted: true,
            known_devices: Vec::new(),
            personnel: Vec::new(),
            custom_device_connections: Vec::new(),
            resources: Vec::new(),
            custom_connections_plan: true,
            rate_limit: None,
        }
    }

    /// Adds a device Drata knows, findable by serial number and MAC address.
    pub fn with_known_device(
        mut self,
        id: u64,
        personnel_id: u64,
        serial_number: Option<&str>,
        mac_address: Option<&str>,
    ) -> Self {
        self.known_devices.push(KnownDevice {
            id,
            personnel_id,
            serial_number: serial_number.map(str::to_string),
            mac_address: mac_address.map(str::to_string),
            source_type: "AGENT".into(),
            connection_id: None,
            external_id: None,
            os_version: None,
        });
        self
    }

    /// Adds a person; uploads to their personnel ID create a placeholder device.
    pub fn with_person(mut self, id: u64, email: &str) -> Self {
        self.personnel.push(Person {
            id,
            email: email.to_string(),
        });
        self
    }

    /// Adds a custom device connection that devices can be upserted into.
    pub fn with_custom_device_connection(mut self, connection_id: u64) -> Self {
        self.custom_device_connections.push(connection_id);
        self
    }

    /// Adds a custom connection resource that takes records with the given required fields.
    pub fn with_custom_resource(
        mut self,
        connection_id: u64,
        resource_id: u64,
        required_fields: &[&str],
    ) -> Self {
        self.resources.push(CustomResource {
            connection_id,
            resource_id,
            required_fields: required_fields.iter().map(|f| f.to_string()).collect(),
        });
        self
    }

    /// Whether the plan includes Custom Connections and Tests; if not, those routes get 402.
    pub fn custom_connections_plan(mut self, yes: bool) -> Self {
        self.custom_connections_plan = yes;
        self
    }

    /// Allows at most `requests` per `window` (all clients together); more get 429 with a
    /// `Retry-After` of the seconds left in the window.
    pub fn with_rate_limit(mut self, requests: u32, window: Duration) -> Self {
        self.rate_limit = Some((requests, window));
        self
    }

    /// Adds a device (or personnel) ID that uploads may target. IDs are numeric in Drata.
    pub fn with_device(mut self, id: &str) -> Self {
        self.devices.insert(id.trim_start_matches('0').to_string());
        self
    }

    /// Keeps only the size of each uploaded file, not its bytes, so a load test of many
    /// thousands of uploads does not fill the memory. Downloads then return empty files.
    pub fn without_file_bytes(mut self) -> Self {
        self.keep_file_bytes = false;
        self
    }

    /// Sets the largest file accepted; a larger file, or a request body far larger, gets 413.
    pub fn with_max_upload_bytes(mut self, n: usize) -> Self {
        self.max_upload_bytes = n;
        self
    }

    /// Whether an admin has accepted Drata's terms; if not, every authenticated request gets 412.
    pub fn terms_accepted(mut self, yes: bool) -> Self {
        self.terms_accepted = yes;
        self
    }

    /// Adds a valid key that lacks "Devices: Manage Device Documents", so its requests get 403.
    pub fn with_unprivileged_key(mut self, key: &str) -> Self {
        self.unprivileged_keys.push(key.to_string());
        self
    }
}
