//! A typed async client for the parts of Drata's public V2 API that devidence uses.
//!
//! The operations follow Drata's published OpenAPI definition (`shared/drata-openapi`):
//! - device documents: `POST /devices/{deviceId}/documents` (multipart `type` + `file`,
//!   answers 201) and `GET /devices/{deviceId}/documents` (`{documents: [...]}`, not paginated);
//! - device lookup ([`devices`]): `GET /devices?serialNumber=|macAddress=` (cursor-paginated)
//!   and the one documented way to register a device, `POST /custom-connections/{id}/devices`;
//! - the owner ([`personnel`]): `GET /personnel/email:{email}`;
//! - custom data ([`custom_data`]): records upserted singly or in bulk, updated and deleted by
//!   ID, listed, and uploaded in a session that is then completed or cancelled.
//!
//! Design rules:
//! - The API key is held as a [`SecretString`](secrecy::SecretString) and sent only as a sensitive `Authorization`
//!   header; it never appears in `Debug`, `Display`, errors or logs.
//! - Plain `http://` is refused except to loopback, so the key cannot leak in clear text.
//! - Failures are [`DrataError`]s whose messages tell the admin what to do, and transient ones
//!   (network, 429, 5xx) are retried per [`RetryPolicy`], honouring `Retry-After`.
//! - Requests are paced client-side ([`Client::with_min_interval`]) so agents never burst.
//! - TLS is rustls with the operating system's trust store (so corporate TLS inspection roots
//!   are trusted), and `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY` / `NO_PROXY` are honoured.

mod client;
pub mod custom_data;
pub mod devices;
mod documents;
mod error;
mod evidence_type;
mod json;
mod op;
mod page;
pub mod personnel;
mod rate_limit;
mod redact;
mod region;
mod retry;

pub use client::{
    CONNECT_TIMEOUT, Client, DEFAULT_MIN_INTERVAL, MAX_RESPONSE_BYTES, REQUEST_TIMEOUT,
};
pub use documents::DeviceDocument;
pub use error::DrataError;
pub use evidence_type::evidence_type;
pub use op::{
    CREATE_CUSTOM_DATA, CREATE_DEVICE, DELETE_CUSTOM_DATA, GET_PERSONNEL, LIST_CUSTOM_CONNECTIONS,
    LIST_DEVICES, MANAGE_DEVICE_DOCUMENTS, UPDATE_CUSTOM_DATA,
};
pub use region::{Region, UnknownRegion};
pub use retry::RetryPolicy;
