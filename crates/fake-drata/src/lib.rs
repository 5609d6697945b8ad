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

mod config;
mod directory;
mod documents;
mod faults;
mod records;
mod reply;
mod routes;
mod server;
mod state;

pub use config::{CustomResource, DEFAULT_MAX_UPLOAD_BYTES, FakeDrata, KnownDevice, Person};
pub use documents::{ACCEPTED_EXTENSIONS, DEVICE_DOCUMENT_TYPES};
pub use server::RunningFake;
pub use state::{Fault, SeenRequest, StoredRecord, Upload};
