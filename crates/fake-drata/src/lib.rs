//! A fake of Drata's public V2 API for tests and trials, faithful to the published OpenAPI
//! definition (`shared/drata-openapi/drata-public-api.yaml`) for the routes devidence uses:
//!
//! | Method | Path | Success |
//! |---|---|---|
//! | POST | `/devices/{deviceId}/documents` | 201 `DeviceDocumentResponsePublicV2Dto` |
//! | GET | `/devices/{deviceId}/documents` (`?type=`, `?expand[]=downloadUrl`) | 200 `{documents: [...]}` |
//! | GET | `/devices/{deviceId}/documents/{documentId}` | 200 `DeviceDocumentResponsePublicV2Dto` |
//! | DELETE | `/devices/{deviceId}/documents/{documentId}` | 200, no body |
//! | GET | `/download/device-documents/{documentId}` (what `fileUrl` points at) | 200, the file |
//! | GET | `/devices` (`serialNumber`, `macAddress`, `personnelId`, cursor pagination) | 200 paged `DeviceResponsePublicV2Dto` |
//! | GET | `/devices/{deviceId}` | 200 `DeviceResponsePublicV2Dto` |
//! | POST | `/custom-connections/{connectionId}/devices` (upsert on serial/MAC/externalId) | 201 |
//! | DELETE | `/custom-connections/{connectionId}/devices/{deviceId}` | 204 |
//! | GET | `/personnel/{personnelId}` (number or `email:…`) | 200 `PersonResponsePublicV2Dto` |
//! | GET, POST | `/custom-connections/{c}/resources/{r}/records` | 200 paged / 200 or 201 |
//! | PUT, DELETE | `/custom-connections/{c}/resources/{r}/records/{recordId}` | 200 / 204 |
//! | GET | `/custom-connections/{c}/resources/{r}/sessions` | 200 paged |
//! | POST | `/custom-connections/{c}/resources/{r}/sessions/{sessionId}` | 200 |
//! | POST | `/custom-connections/{c}/resources/{r}/sessions/{sessionId}/actions` | 200 (422 if not in progress) |
//!
//! Uploading to a personnel ID is accepted, as Drata does for computers it has no device for:
//! the fake then lists a placeholder device (source `PLACEHOLDER`) under that ID.
//!
//! Beyond the spec, for resilience tests: an optional server-side rate limit (429 with
//! `Retry-After`, as the api-evangelist notes advise clients to expect) and faults injected at
//! run time ([`Fault`]: error statuses, slow answers, dropped connections).
//!
//! Every route is served both at the root (like the Prism mock) and under `/public/v2` (like
//! the real hosts), so either base URL works.
//!
//! Checks run in the order a NestJS app like Drata's applies them: bearer key (401, or 403
//! for a key without the permission), terms accepted (412), `deviceId` numeric (400), body
//! size (413), form validation (400), then the device lookup (404). Error bodies use the
//! spec's two shapes: `ExceptionResponsePublicV2Dto` `{name, statusCode, message, code}` for
//! 400/404/413 and `ExceptionResponseDto` `{statusCode, message, code}` for 401/403/412/500.
//! The `code` field is Drata's internal error number, which is not published; the fake uses
//! the HTTP status.
//!
//! Requests are always read to the end before answering, even when refused, so a client
//! still sending a large file sees the 413 (or 401) instead of a reset connection.

mod base64;
mod directory;
mod faults;
mod records;
mod routes;

pub use faults::Fault;

use std::collections::BTreeSet;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The five device document types the spec's `DeviceDocumentTypeEnum` allows.
pub const DEVICE_DOCUMENT_TYPES: [&str; 5] = [
    "PASSWORD_MANAGER_EVIDENCE",
    "AUTO_UPDATES_EVIDENCE",
    "HARD_DRIVE_ENCRYPTION_EVIDENCE",
    "ANTIVIRUS_EVIDENCE",
    "LOCK_SCREEN_EVIDENCE",
];

/// The file extensions the spec accepts for `file`, without the dot.
pub const ACCEPTED_EXTENSIONS: [&str; 12] = [
    "pdf", "docx", "odt", "doc", "xlsx", "ods", "pptx", "odp", "gif", "jpg", "jpeg", "png",
];

/// The default largest file accepted, 25 MiB. Drata publishes no number, only the 413.
pub const DEFAULT_MAX_UPLOAD_BYTES: usize = 25 * 1024 * 1024;

/// How a fake Drata tenant is set up. Build it with the `with_*` methods, then [`start`](Self::start) it.
#[derive(Debug, Clone)]
pub struct FakeDrata {
    api_key: String,
    unprivileged_keys: Vec<String>,
    /// Upload targets, without leading zeros (Drata reads `0042` as `42`).
    devices: BTreeSet<String>,
    max_upload_bytes: usize,
    keep_file_bytes: bool,
    terms_accepted: bool,
    known_devices: Vec<KnownDevice>,
    personnel: Vec<Person>,
    custom_device_connections: Vec<u64>,
    resources: Vec<CustomResource>,
    custom_connections_plan: bool,
    rate_limit: Option<(u32, Duration)>,
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

/// One stored custom data record.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRecord {
    /// Drata's record ID (a UUID).
    pub record_id: String,
    /// Connection ID.
    pub connection_id: u64,
    /// Resource ID.
    pub resource_id: u64,
    /// The record's data (its `id` field is the caller's identifier).
    pub data: serde_json::Value,
    /// The session it came in, if any.
    pub session_id: Option<String>,
    /// False while its session is in progress.
    pub active: bool,
}

/// One request as the fake saw it, for assertions on what the client sent and when.
#[derive(Debug, Clone)]
pub struct SeenRequest {
    /// HTTP method.
    pub method: String,
    /// Path and query.
    pub path: String,
    /// The status answered.
    pub status: u16,
    /// When it arrived.
    pub at: Instant,
}

/// One accepted upload, exactly as the fake received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    /// The `deviceId` from the path.
    pub device_id: String,
    /// The `type` field, one of [`DEVICE_DOCUMENT_TYPES`].
    pub doc_type: String,
    /// The file name from the `file` part (or from `base64File`).
    pub file_name: String,
    /// The `Content-Type` of the `file` part, if the client sent one.
    pub content_type: Option<String>,
    /// The file's bytes (empty when the fake was told not to keep them).
    pub bytes: Vec<u8>,
    /// The file's size in bytes.
    pub size: usize,
    /// When the upload was accepted.
    pub at: Instant,
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

    /// Binds `addr` (e.g. `127.0.0.1:0` for any free port) and serves on the current Tokio
    /// runtime until [`RunningFake::shutdown`] or until the [`RunningFake`] is dropped.
    pub async fn start(self, addr: SocketAddr) -> std::io::Result<RunningFake> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let base_url = format!("http://{addr}");
        let devices = self.known_devices.clone();
        let shared = Arc::new(Shared {
            config: self,
            base_url: base_url.clone(),
            state: Mutex::new(State {
                devices,
                next_device_id: 5000,
                ..State::default()
            }),
        });
        let app = routes::router(shared.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    // Resolves on shutdown() and when the RunningFake is dropped.
                    let _ = stopped.await;
                })
                .await
        });
        tracing::info!(%base_url, "fake Drata listening");
        Ok(RunningFake {
            addr,
            base_url,
            shared,
            stop: Some(stop),
            task,
        })
    }
}

/// A fake Drata that is serving. Dropping it stops the server too.
#[derive(Debug)]
pub struct RunningFake {
    addr: SocketAddr,
    base_url: String,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl RunningFake {
    /// The base URL, e.g. `http://127.0.0.1:41234`; `{base_url}/public/v2` works as well.
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every upload accepted so far, oldest first.
    pub fn uploads(&self) -> Vec<Upload> {
        self.shared.lock().uploads.clone()
    }

    /// Every request seen so far, oldest first (including refused ones).
    pub fn requests(&self) -> Vec<SeenRequest> {
        self.shared.lock().requests.clone()
    }

    /// Every device the tenant has now: configured, upserted and placeholders.
    pub fn devices(&self) -> Vec<KnownDevice> {
        self.shared.lock().devices.clone()
    }

    /// Removes a device, as when an admin deletes it in Drata: uploads to its ID get 404.
    pub fn forget_device(&self, id: u64) {
        self.shared.lock().devices.retain(|d| d.id != id);
    }

    /// Adds a device Drata now knows (as [`FakeDrata::with_known_device`], while serving).
    pub fn add_known_device(&self, id: u64, personnel_id: u64, serial_number: Option<&str>) {
        self.shared.lock().devices.push(KnownDevice {
            id,
            personnel_id,
            serial_number: serial_number.map(str::to_string),
            mac_address: None,
            source_type: "AGENT".into(),
            connection_id: None,
            external_id: None,
            os_version: None,
        });
    }

    /// Every custom data record stored now, active or pending in a session.
    pub fn records(&self) -> Vec<StoredRecord> {
        self.shared.lock().records.clone()
    }

    /// Drops every queued fault not yet used.
    pub fn clear_faults(&self) {
        self.shared.lock().faults.clear();
    }

    /// Queues faults: each of the next requests takes the next fault, in order.
    pub fn inject(&self, faults: impl IntoIterator<Item = Fault>) {
        self.shared.lock().faults.extend(faults);
    }

    /// Stops accepting connections and waits (up to 5 s) for requests in flight to finish.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let abort = self.task.abort_handle();
        if tokio::time::timeout(Duration::from_secs(5), &mut self.task)
            .await
            .is_err()
        {
            abort.abort();
        }
    }
}

/// What the handlers share.
#[derive(Debug)]
struct Shared {
    config: FakeDrata,
    base_url: String,
    state: Mutex<State>,
}

impl Shared {
    /// The state, even if a handler panicked while holding it.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The tenant's data.
#[derive(Debug, Default)]
struct State {
    next_id: u64,
    documents: Vec<Document>,
    uploads: Vec<Upload>,
    devices: Vec<KnownDevice>,
    next_device_id: u64,
    records: Vec<StoredRecord>,
    next_record: u64,
    sessions: Vec<records::SessionRow>,
    requests: Vec<SeenRequest>,
    faults: VecDeque<Fault>,
    window: Option<(Instant, u32)>,
}

/// A stored device document.
#[derive(Debug, Clone)]
struct Document {
    id: u64,
    device_id: String,
    doc_type: String,
    file_name: String,
    content_type: Option<String>,
    bytes: Vec<u8>,
    created_at: String,
}
