//! What a serving fake holds: the configuration it was started with, and everything it stored
//! or recorded since (documents, uploads, devices, records, sessions, requests, queued faults).

use crate::config::{FakeDrata, KnownDevice};
use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

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
    /// The `type` field, one of [`DEVICE_DOCUMENT_TYPES`](crate::DEVICE_DOCUMENT_TYPES).
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

/// Something to go wrong with one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer with this status (e.g. 500, 502, 503, 504, or 429) without handling the request.
    /// A 429 carries `Retry-After` of the given seconds when `retry_after` is set.
    Status {
        /// The status.
        status: u16,
        /// `Retry-After` seconds to send, if any.
        retry_after: Option<u64>,
    },
    /// Wait this long, then handle the request normally.
    Slow(Duration),
    /// Read the request, then drop the connection without an answer (the request is not
    /// handled, so nothing is stored).
    Drop,
    /// Handle the request (so it takes effect), then drop the connection before the answer:
    /// the client cannot know it succeeded.
    DropAfterHandling,
}

/// What the handlers share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) config: FakeDrata,
    pub(crate) base_url: String,
    pub(crate) state: Mutex<State>,
}

impl Shared {
    /// The state, even if a handler panicked while holding it.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The tenant's data.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) next_id: u64,
    pub(crate) documents: Vec<Document>,
    pub(crate) uploads: Vec<Upload>,
    pub(crate) devices: Vec<KnownDevice>,
    pub(crate) next_device_id: u64,
    pub(crate) records: Vec<StoredRecord>,
    pub(crate) next_record: u64,
    pub(crate) sessions: Vec<SessionRow>,
    pub(crate) requests: Vec<SeenRequest>,
    pub(crate) faults: VecDeque<Fault>,
    pub(crate) window: Option<(Instant, u32)>,
}

/// A stored device document.
#[derive(Debug, Clone)]
pub(crate) struct Document {
    pub(crate) id: u64,
    pub(crate) device_id: String,
    pub(crate) doc_type: String,
    pub(crate) file_name: String,
    pub(crate) content_type: Option<String>,
    pub(crate) bytes: Vec<u8>,
    pub(crate) created_at: String,
}

/// A session of one resource.
#[derive(Debug, Clone)]
pub(crate) struct SessionRow {
    pub(crate) connection_id: u64,
    pub(crate) resource_id: u64,
    pub(crate) session_id: String,
    pub(crate) status: &'static str,
    pub(crate) id: u64,
}
