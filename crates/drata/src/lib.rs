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
//! - The API key is held as a [`SecretString`] and sent only as a sensitive `Authorization`
//!   header; it never appears in `Debug`, `Display`, errors or logs.
//! - Plain `http://` is refused except to loopback, so the key cannot leak in clear text.
//! - Failures are [`DrataError`]s whose messages tell the admin what to do, and transient ones
//!   (network, 429, 5xx) are retried per [`RetryPolicy`], honouring `Retry-After`.
//! - Requests are paced client-side ([`Client::with_min_interval`]) so agents never burst.
//! - TLS is rustls with the operating system's trust store (so corporate TLS inspection roots
//!   are trusted), and `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY` / `NO_PROXY` are honoured.

pub mod custom_data;
pub mod devices;
mod error;
mod op;
mod page;
pub mod personnel;
mod rate_limit;
mod region;
mod retry;

pub use error::{
    CREATE_CUSTOM_DATA, CREATE_DEVICE, DELETE_CUSTOM_DATA, DrataError, GET_PERSONNEL,
    LIST_CUSTOM_CONNECTIONS, LIST_DEVICES, MANAGE_DEVICE_DOCUMENTS, UPDATE_CUSTOM_DATA,
};
pub use region::{Region, UnknownRegion};
pub use retry::RetryPolicy;

use reqwest::header::{AUTHORIZATION, HeaderValue, RETRY_AFTER};
use reqwest::{Method, StatusCode, Url};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::{Duration, Instant};

use op::Op;
use rate_limit::Pacer;

/// How long one request may take in total: connecting, sending the file, and reading the
/// whole answer. A server that trickles its answer is cut off here, not at an idle timeout.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// The largest answer read from Drata. Its answers are small JSON (a document, a page of
/// devices, a page of records: kilobytes); anything larger is an error that names the URL,
/// stops reading at this size and is retried like a bad gateway, so a hostile or broken
/// server (a captive portal, a misbehaving proxy, an endless body) cannot grow the agent's
/// memory.
pub const MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;
/// How long establishing the TCP + TLS connection may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The default spacing between two requests of one client (at most 4 per second).
pub const DEFAULT_MIN_INTERVAL: Duration = Duration::from_millis(250);

/// The longest piece of Drata's error text that is put into an error message.
const MAX_MESSAGE_CHARS: usize = 300;

/// A document attached to a device, as Drata returns it (`DeviceDocumentResponsePublicV2Dto`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceDocument {
    /// Drata's ID for the document. The spec types it as `number`; it is always a whole number.
    #[serde(deserialize_with = "whole_number")]
    pub id: u64,
    /// The evidence type, e.g. `ANTIVIRUS_EVIDENCE`.
    pub r#type: String,
    /// The document's display name, e.g. `Password Manager Evidence`.
    pub name: String,
    /// Drata's (authenticated) URL for the file; required but nullable in the spec.
    #[serde(default)]
    pub file_url: Option<String>,
    /// When it was created, RFC 3339 (e.g. `2025-07-01T16:45:55.246Z`).
    pub created_at: String,
    /// When it was last updated, RFC 3339.
    pub updated_at: String,
}

/// The body of `GET /devices/{deviceId}/documents` (`DeviceDocumentsResponsePublicV2Dto`).
#[derive(Deserialize)]
struct DeviceDocuments {
    documents: Vec<DeviceDocument>,
}

/// Accepts `7` and `7.0` (JSON "number"), rejects fractions and negatives.
fn whole_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Number {
        Int(u64),
        Float(f64),
    }
    match Number::deserialize(deserializer)? {
        Number::Int(n) => Ok(n),
        Number::Float(f) if f >= 0.0 && f.fract() == 0.0 && f < 2f64.powi(53) => Ok(f as u64),
        Number::Float(f) => Err(serde::de::Error::custom(format!(
            "id {f} is not a whole number"
        ))),
    }
}

/// A client for one Drata tenant's public API, authenticated with one API key.
///
/// Cheap to clone; clones share the connection pool.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: Url,
    api_key: SecretString,
    auth: HeaderValue,
    retry: RetryPolicy,
    pacer: Pacer,
    timeout: Duration,
    server_date: std::sync::Arc<std::sync::Mutex<Option<time::OffsetDateTime>>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base.as_str())
            .field("api_key", &"[REDACTED]")
            .field("retry", &self.retry)
            .field("min_interval", &self.pacer.interval())
            .finish_non_exhaustive()
    }
}

/// Makes `ring` the process's rustls crypto provider, once; reqwest is built without one
/// (see the workspace Cargo.toml). A provider another part of the program installed first
/// is kept: `install_default` refuses to replace it.
fn install_crypto_provider() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// One failed attempt: the error, and how long the server asked us to wait.
struct Failure {
    error: DrataError,
    retry_after: Option<Duration>,
}

impl From<DrataError> for Failure {
    fn from(error: DrataError) -> Self {
        Failure {
            error,
            retry_after: None,
        }
    }
}

impl Client {
    /// Creates a client for the API at `base_url` (e.g. [`Region::base_url`]; a trailing slash
    /// is fine), sending `api_key` as a bearer token and `user_agent` as the `User-Agent`.
    ///
    /// `base_url` must be `https://`, or `http://` to a loopback host (`localhost`,
    /// `127.0.0.0/8`, `::1`) for tests and local fakes; anything else is refused before any
    /// request is made, so the key is never sent in clear text. Retries use
    /// [`RetryPolicy::default`]; see [`Client::with_retry`].
    pub fn new(
        base_url: &str,
        api_key: SecretString,
        user_agent: &str,
    ) -> Result<Client, DrataError> {
        Client::build(base_url, api_key, user_agent, true)
    }

    /// [`Client::new`], with the OS trust store loaded for `https://` or, when
    /// `system_roots` is false (this crate's unit tests, which make no request), with no
    /// trust at all, so they run on a machine without CA certificates.
    fn build(
        base_url: &str,
        api_key: SecretString,
        user_agent: &str,
        system_roots: bool,
    ) -> Result<Client, DrataError> {
        let base = validate_base_url(base_url)?;
        let auth = bearer_header(&api_key)?;
        install_crypto_provider();
        let mut builder = reqwest::Client::builder()
            .user_agent(user_agent)
            .connect_timeout(CONNECT_TIMEOUT)
            // A redirect would turn the upload into a GET, or send the key elsewhere.
            .redirect(reqwest::redirect::Policy::none());
        if !system_roots {
            builder = builder.tls_certs_only(std::iter::empty::<reqwest::Certificate>());
        }
        if base.scheme() == "http" {
            // Plain HTTP (tests and local fakes) goes only to this computer: never through a
            // proxy (HTTP_PROXY would receive the key in clear text), and a `localhost` name is
            // pinned to the loopback addresses whatever the hosts file or DNS say.
            // It never speaks TLS either (no redirects are followed), so it needs no trust
            // store: none is loaded, and a machine without CA certificates can still talk to a
            // local fake.
            builder = builder
                .no_proxy()
                .tls_certs_only(std::iter::empty::<reqwest::Certificate>());
            if let Some(name) = base.domain() {
                builder = builder.resolve_to_addrs(
                    name,
                    &[
                        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
                        SocketAddr::from((Ipv6Addr::LOCALHOST, 0)),
                    ],
                );
            }
        }
        let http = builder.build().map_err(|e| DrataError::Setup {
            detail: root_cause(&e),
        })?;
        Ok(Client {
            http,
            base,
            api_key,
            auth,
            retry: RetryPolicy::default(),
            pacer: Pacer::new(DEFAULT_MIN_INTERVAL),
            timeout: REQUEST_TIMEOUT,
            server_date: Default::default(),
        })
    }

    /// The `Date` Drata's last answer carried, if any: for checking this computer's clock.
    pub fn last_server_date(&self) -> Option<time::OffsetDateTime> {
        *self
            .server_date
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Replaces the deadline of one request, answer included (default [`REQUEST_TIMEOUT`]).
    pub fn with_timeout(mut self, timeout: Duration) -> Client {
        self.timeout = timeout;
        self
    }

    /// Spaces this client's requests (retries included) at least `interval` apart;
    /// [`Duration::ZERO`] turns pacing off. Default: [`DEFAULT_MIN_INTERVAL`].
    pub fn with_min_interval(mut self, interval: Duration) -> Client {
        self.pacer = Pacer::new(interval);
        self
    }

    /// Replaces the retry policy (e.g. [`RetryPolicy::none`], or tiny delays in tests).
    pub fn with_retry(mut self, policy: RetryPolicy) -> Client {
        self.retry = policy;
        self
    }

    /// The API base URL requests go to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        self.base.as_str().trim_end_matches('/')
    }

    /// Uploads `bytes` as a new document of type `doc_type` (one of the five
    /// `*_EVIDENCE` values, e.g. `ANTIVIRUS_EVIDENCE`) on device `device_id`, named
    /// `file_name`. Drata accepts .pdf, .docx, .odt, .doc, .xlsx, .ods, .pptx, .odp, .gif,
    /// .jpg, .jpeg and .png; the content type is derived from the extension.
    ///
    /// `device_id` is Drata's numeric device ID or, for a computer Drata has no device record
    /// for, the owner's personnel ID (Drata keeps a placeholder device under that ID).
    ///
    /// Needs the "Devices: Manage Device Documents" permission. Retried on transient errors,
    /// so in rare cases (a timeout after Drata stored the file) a document may arrive twice.
    pub async fn upload_device_document(
        &self,
        device_id: &str,
        doc_type: &str,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> Result<DeviceDocument, DrataError> {
        let url = self.endpoint(&["devices", device_id, "documents"])?;
        let op = Op::upload(device_id, file_name, bytes.len());
        let content_type = content_type_for(file_name);
        let body = self
            .send(&op, Method::POST, &url, || {
                let file = reqwest::multipart::Part::bytes(bytes.clone())
                    .file_name(file_name.to_string())
                    .mime_str(content_type)
                    .map_err(|e| DrataError::Setup {
                        detail: root_cause(&e),
                    })?;
                let form = reqwest::multipart::Form::new()
                    .text("type", doc_type.to_string())
                    .part("file", file);
                Ok(self.http.post(url.clone()).multipart(form))
            })
            .await?;
        decode(&url, &body)
    }

    /// Lists the documents attached to device `device_id` (all types, not paginated).
    ///
    /// Needs the "Devices: Manage Device Documents" permission.
    pub async fn list_device_documents(
        &self,
        device_id: &str,
    ) -> Result<Vec<DeviceDocument>, DrataError> {
        let url = self.endpoint(&["devices", device_id, "documents"])?;
        let body = self
            .send(&Op::list_documents(device_id), Method::GET, &url, || {
                Ok(self.http.get(url.clone()))
            })
            .await?;
        decode::<DeviceDocuments>(&url, &body).map(|list| list.documents)
    }

    /// `base` + the given path segments, each percent-encoded as one segment.
    fn endpoint(&self, segments: &[&str]) -> Result<Url, DrataError> {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .map_err(|()| DrataError::InvalidUrl {
                url: self.base.to_string(),
                reason: "it cannot have a path".into(),
            })?
            .pop_if_empty()
            .extend(segments);
        Ok(url)
    }

    /// Sends the request `build` makes, retrying per the policy, and returns the body of the
    /// first 2xx answer.
    async fn send(
        &self,
        op: &Op,
        method: Method,
        url: &Url,
        build: impl Fn() -> Result<reqwest::RequestBuilder, DrataError>,
    ) -> Result<Vec<u8>, DrataError> {
        let mut attempt = 1;
        let mut rate_limited_wait = Duration::ZERO;
        let mut rate_limited_waits = 0;
        loop {
            let started = Instant::now();
            tracing::debug!(%method, %url, attempt, "drata request");
            let result = match build() {
                Ok(request) => self.attempt(op, url, request).await,
                Err(error) => Err(Failure::from(error)),
            };
            let failure = match result {
                Ok(body) => {
                    tracing::debug!(%method, %url, elapsed_ms = started.elapsed().as_millis() as u64, "drata request succeeded");
                    return Ok(body);
                }
                Err(failure) => failure,
            };
            if failure.error.status() == Some(429)
                && let Some(wait) = self.retry.rate_limited_wait(
                    failure.retry_after,
                    rate_limited_wait,
                    rate_limited_waits,
                )
            {
                tracing::debug!(%method, %url, attempt, wait_ms = wait.as_millis() as u64, "rate limited; waiting as Drata asks, without using an attempt");
                tokio::time::sleep(wait).await;
                rate_limited_wait += wait;
                rate_limited_waits += 1;
                continue;
            }
            let wait = if failure.error.is_retryable() {
                self.retry.delay(attempt, failure.retry_after)
            } else {
                None
            };
            let Some(wait) = wait else {
                tracing::debug!(%method, %url, attempt, error = %failure.error, "drata request failed");
                return Err(failure.error);
            };
            tracing::debug!(%method, %url, attempt, wait_ms = wait.as_millis() as u64, error = %failure.error, "drata request failed; retrying");
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// One attempt: send, read the answer (at most [`MAX_RESPONSE_BYTES`]), classify it; all
    /// within the client's total deadline.
    async fn attempt(
        &self,
        op: &Op,
        url: &Url,
        request: reqwest::RequestBuilder,
    ) -> Result<Vec<u8>, Failure> {
        self.pacer.wait_turn().await;
        match tokio::time::timeout(self.timeout, self.exchange(op, url, request)).await {
            Ok(result) => result,
            Err(_) => Err(Failure::from(DrataError::Network {
                url: url.to_string(),
                detail: format!(
                    "timed out: no complete answer within {} s (the request's total deadline)",
                    self.timeout.as_secs_f64()
                ),
            })),
        }
    }

    /// Sends the request and reads the answer, without a deadline of its own.
    async fn exchange(
        &self,
        op: &Op,
        url: &Url,
        request: reqwest::RequestBuilder,
    ) -> Result<Vec<u8>, Failure> {
        let network = |e: reqwest::Error| network_error(url, &e);
        let mut response = request
            .header(AUTHORIZATION, self.auth.clone())
            .send()
            .await
            .map_err(network)?;
        let status = response.status();
        if let Some(date) = response
            .headers()
            .get(reqwest::header::DATE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                time::OffsetDateTime::parse(v, &time::format_description::well_known::Rfc2822).ok()
            })
        {
            *self
                .server_date
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(date);
        }
        if status.is_redirection() {
            // Never followed (the client's redirect policy is none): a redirect would send the
            // key, or the file, somewhere other than the configured API.
            let location = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(describe_location)
                .unwrap_or_else(|| "an address it did not give".into());
            return Err(Failure::from(DrataError::Redirected {
                url: url.to_string(),
                status: status.as_u16(),
                location,
            }));
        }
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(retry::parse_retry_after);
        let too_large = |read: u64| {
            Failure::from(DrataError::ResponseTooLarge {
                url: url.to_string(),
                limit: MAX_RESPONSE_BYTES,
                read,
            })
        };
        if let Some(length) = response.content_length()
            && length > MAX_RESPONSE_BYTES as u64
        {
            return Err(too_large(length));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(network)? {
            if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(too_large((body.len() + chunk.len()) as u64));
            }
            body.extend_from_slice(&chunk);
        }
        tracing::debug!(%url, status = status.as_u16(), bytes = body.len(), "drata answered");
        if status.is_success() {
            return Ok(body);
        }
        Err(Failure {
            error: self.status_error(op, status, &body, retry_after),
            retry_after,
        })
    }

    /// Turns a non-2xx answer into the error that explains it.
    fn status_error(
        &self,
        op: &Op,
        status: StatusCode,
        body: &[u8],
        retry_after: Option<Duration>,
    ) -> DrataError {
        // Redacted before it is shortened, so a key cut in half at the end cannot survive (the
        // 64 KiB read is far longer than the message and any key).
        let body = &body[..body.len().min(64 * 1024)];
        let message = truncate(
            &self.redact(&drata_message(status, body)),
            MAX_MESSAGE_CHARS,
        );
        match status.as_u16() {
            400 => DrataError::BadRequest {
                fix: op.invalid_fix.to_string(),
                message,
            },
            401 => DrataError::Unauthorized { message },
            402 => DrataError::PlanRequired {
                feature: op.feature.unwrap_or(op::CUSTOM_CONNECTIONS_FEATURE),
                message,
            },
            403 => DrataError::Forbidden {
                permission: op.permission,
                message,
            },
            404 => DrataError::NotFound {
                what: op.subject.clone(),
                fix: op.missing_fix.to_string(),
                message,
            },
            412 => DrataError::TermsNotAccepted,
            413 => match &op.file {
                Some((file_name, size)) => DrataError::TooLarge {
                    file_name: file_name.clone(),
                    size: *size,
                    message,
                },
                None => DrataError::Other {
                    status: 413,
                    message,
                },
            },
            422 => DrataError::Unprocessable {
                fix: format!("check the state of the {}", op.subject),
                message,
            },
            429 => DrataError::RateLimited { retry_after },
            500..=599 => DrataError::Server {
                status: status.as_u16(),
                message,
            },
            other => DrataError::Other {
                status: other,
                message,
            },
        }
    }

    /// Drata should never echo the key, but a proxy in between might: blank it out, in any
    /// letter case and percent-encoded too.
    fn redact(&self, text: &str) -> String {
        redact_key(text, self.api_key.expose_secret())
    }
}

/// `text` with every occurrence of `key` replaced by `[REDACTED]`: letters matched in any case,
/// and each character also when percent-encoded (`-` as `%2D`, as a URL or form body may carry
/// it).
fn redact_key(text: &str, key: &str) -> String {
    if key.len() < 4 {
        return text.to_string();
    }
    let bytes = text.as_bytes();
    let key = key.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut at = 0;
    while at < bytes.len() {
        match key_match_len(&bytes[at..], key) {
            Some(len) => {
                out.push_str(&text[copied..at]);
                out.push_str("[REDACTED]");
                at += len;
                copied = at;
            }
            None => at += 1,
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// How many bytes at the start of `hay` spell `key` (see [`redact_key`]), if they do.
fn key_match_len(hay: &[u8], key: &[u8]) -> Option<usize> {
    let mut at = 0;
    for &want in key {
        let next = *hay.get(at)?;
        if next.eq_ignore_ascii_case(&want) {
            at += 1;
        } else if next == b'%' {
            let hex = std::str::from_utf8(hay.get(at + 1..at + 3)?).ok()?;
            if u8::from_str_radix(hex, 16).ok()? != want {
                return None;
            }
            at += 3;
        } else {
            return None;
        }
    }
    // Matches start on a character boundary; a whole match ends on one too.
    Some(at)
}

/// Parses and checks the base URL; see [`Client::new`].
fn validate_base_url(raw: &str) -> Result<Url, DrataError> {
    let trimmed = raw.trim();
    let invalid = |url: String, reason: &str| DrataError::InvalidUrl {
        url,
        reason: reason.to_string(),
    };
    let mut url = Url::parse(trimmed).map_err(|e| invalid(trimmed.to_string(), &e.to_string()))?;
    let had_credentials = !url.username().is_empty() || url.password().is_some();
    // Never repeat credentials back, whatever else is wrong.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    if had_credentials {
        return Err(invalid(
            url.to_string(),
            "it must not contain a user name or password",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(
            url.to_string(),
            "it must not have a query or fragment",
        ));
    }
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(DrataError::InsecureUrl {
                url: url.to_string(),
            });
        }
        _ => return Err(invalid(url.to_string(), "it must start with https://")),
    }
    if url.host().is_none() {
        return Err(invalid(url.to_string(), "it has no host"));
    }
    // Normalise to no trailing slash, so "/public/v2" and "/public/v2/" both work.
    let path = url.path().trim_end_matches('/').to_string();
    url.set_path(&path);
    Ok(url)
}

/// Whether the URL's host is this computer: `localhost`, `127.0.0.0/8` or `::1`.
fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => {
            let name = bare.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
    }
}

/// The `Authorization: Bearer …` header, marked sensitive so HTTP-level logging hides it.
fn bearer_header(api_key: &SecretString) -> Result<HeaderValue, DrataError> {
    let key = api_key.expose_secret().trim();
    if key.is_empty() {
        return Err(DrataError::InvalidApiKey { reason: "is empty" });
    }
    if key.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(DrataError::InvalidApiKey {
            reason: "contains spaces or control characters",
        });
    }
    let mut value =
        HeaderValue::from_str(&format!("Bearer {key}")).map_err(|_| DrataError::InvalidApiKey {
            reason: "contains characters that cannot be sent in an HTTP header",
        })?;
    value.set_sensitive(true);
    Ok(value)
}

/// The MIME type Drata should see for a file, from its extension.
fn content_type_for(file_name: &str) -> &'static str {
    let extension = file_name
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "odt" => "application/vnd.oasis.opendocument.text",
        "ods" => "application/vnd.oasis.opendocument.spreadsheet",
        "odp" => "application/vnd.oasis.opendocument.presentation",
        _ => "application/octet-stream",
    }
}

/// Parses a 2xx body as `T`, or explains why it does not match the spec.
fn decode<T: for<'de> Deserialize<'de>>(url: &Url, body: &[u8]) -> Result<T, DrataError> {
    serde_json::from_slice(body).map_err(|e| {
        let html = String::from_utf8_lossy(&body[..body.len().min(512)])
            .trim_start()
            .starts_with('<');
        DrataError::Decode {
            url: url.to_string(),
            detail: if html {
                "an HTML page, not JSON: a captive portal or proxy may have answered instead of Drata".into()
            } else {
                e.to_string()
            },
        }
    })
}

/// Drata's error body, in either of its shapes: `ExceptionResponsePublicV2Dto`
/// (`{name, statusCode, message, code, debugInfo?}`) or `ExceptionResponseDto` (the same
/// without `name`). `message` is a string in the spec; NestJS validation errors send a list.
#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    message: Option<serde_json::Value>,
}

/// The human-readable part of an error answer: Drata's `message`, else the body's text (the
/// caller redacts, then shortens it), else the status's reason phrase.
fn drata_message(status: StatusCode, body: &[u8]) -> String {
    let from_json = serde_json::from_slice::<ErrorBody>(body)
        .ok()
        .and_then(|b| {
            let message = match b.message? {
                serde_json::Value::String(s) => s,
                serde_json::Value::Array(items) => items
                    .iter()
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                    .collect::<Vec<_>>()
                    .join("; "),
                other => other.to_string(),
            };
            let message = message.trim().to_string();
            if message.is_empty() {
                b.name
            } else {
                Some(message)
            }
        });
    from_json.unwrap_or_else(|| {
        let text = String::from_utf8_lossy(body);
        let looks_like_html = text.trim_start().starts_with('<');
        if text.trim().is_empty() || looks_like_html {
            status.canonical_reason().unwrap_or_default().to_string()
        } else {
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        }
    })
}

fn truncate(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// A transport error as the client reports it: a refused certificate is its own error, never
/// retried; anything else is a network error.
fn network_error(url: &Url, error: &reqwest::Error) -> DrataError {
    let detail = network_detail(error);
    if detail.to_ascii_lowercase().contains("certificate") {
        DrataError::Certificate {
            url: url.to_string(),
            detail,
        }
    } else {
        DrataError::Network {
            url: url.to_string(),
            detail,
        }
    }
}

/// Where a redirect pointed, for the error: its scheme and host only (the rest may carry a
/// portal's session token), and whether it leaves HTTPS.
fn describe_location(location: &str) -> String {
    match Url::parse(location) {
        Ok(target) => match target.host_str() {
            Some(host) => format!("{}://{host}/…", target.scheme()),
            None => format!("a {}: address", target.scheme()),
        },
        // A relative Location stays on the same host.
        Err(_) => "another path on the same server".into(),
    }
}

/// A short description of a transport error: the kind, then the lowest-level cause
/// (e.g. "connection refused (os error 111)").
fn network_detail(error: &reqwest::Error) -> String {
    let cause = root_cause(error);
    if error.is_timeout() {
        if cause.contains("timed out") {
            cause
        } else {
            format!("timed out: {cause}")
        }
    } else {
        cause
    }
}

/// The message of the innermost error in the chain.
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(source) = current.source() {
        current = source;
    }
    current.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SecretString {
        SecretString::from("sk-live-abcdef0123456789")
    }

    /// A client that makes no request, so needs no CA certificates on this machine.
    fn client(url: &str) -> Result<Client, DrataError> {
        Client::build(url, key(), "devidence-test", false)
    }

    #[test]
    fn https_and_loopback_http_are_accepted() {
        for url in [
            "https://public-api.drata.com/public/v2",
            "https://public-api.drata.com/public/v2/",
            "http://127.0.0.1:4010",
            "http://127.0.0.1:4010/",
            "http://127.8.9.10:80/public/v2",
            "http://localhost:8080",
            "http://LOCALHOST./x",
            "http://[::1]:9000",
        ] {
            let c = client(url).unwrap_or_else(|e| panic!("{url}: {e}"));
            assert!(!c.base_url().ends_with('/'), "{url} -> {}", c.base_url());
        }
    }

    #[test]
    fn plain_http_elsewhere_is_refused() {
        for url in [
            "http://example.com",
            "http://public-api.drata.com/public/v2",
            "http://10.0.0.1:8080",
            "http://[::2]/",
            "http://localhost.example.com/",
        ] {
            match client(url) {
                Err(DrataError::InsecureUrl { .. }) => {}
                other => panic!("{url}: {other:?}"),
            }
        }
    }

    #[test]
    fn unusable_urls_are_refused() {
        for url in [
            "",
            "public-api.drata.com",
            "ftp://example.com",
            "https://x.test/?a=1",
            "file:///tmp",
        ] {
            match client(url) {
                Err(DrataError::InvalidUrl { .. }) => {}
                other => panic!("{url}: {other:?}"),
            }
        }
        match client("https://user:hunter2@example.com/") {
            Err(e @ DrataError::InvalidUrl { .. }) => {
                assert!(!e.to_string().contains("hunter2"), "{e}");
                assert!(!format!("{e:?}").contains("hunter2"), "{e:?}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn endpoints_join_onto_the_base_path() {
        let c = client("https://public-api.drata.com/public/v2/").expect("valid");
        assert_eq!(c.base_url(), "https://public-api.drata.com/public/v2");
        let url = c.endpoint(&["devices", "42", "documents"]).expect("joins");
        assert_eq!(
            url.as_str(),
            "https://public-api.drata.com/public/v2/devices/42/documents"
        );
        let root = client("http://127.0.0.1:4010").expect("valid");
        let url = root
            .endpoint(&["devices", "a/b c", "documents"])
            .expect("joins");
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:4010/devices/a%2Fb%20c/documents"
        );
    }

    #[test]
    fn bad_keys_are_refused_without_echoing_them() {
        for (raw, reason) in [
            ("", "empty"),
            ("  ", "empty"),
            ("abc def", "spaces"),
            ("abc\ndef", "spaces"),
        ] {
            match Client::build("https://x.test", SecretString::from(raw), "ua", false) {
                Err(e @ DrataError::InvalidApiKey { .. }) => {
                    assert!(e.to_string().contains(reason), "{e}");
                    if !raw.trim().is_empty() {
                        assert!(!e.to_string().contains(raw), "{e}");
                    }
                }
                other => panic!("{raw:?}: {other:?}"),
            }
        }
        // Surrounding blanks (a pasted key with a newline) are forgiven.
        assert!(
            Client::build(
                "https://x.test",
                SecretString::from("key123\n"),
                "ua",
                false
            )
            .is_ok()
        );
    }

    #[test]
    fn the_key_never_shows_in_debug() {
        let c = client("https://public-api.drata.com/public/v2").expect("valid");
        let debug = format!("{c:?}");
        assert!(!debug.contains("abcdef0123456789"), "{debug}");
        assert!(debug.contains("REDACTED"), "{debug}");
        assert!(!format!("{:?}", c.auth).contains("abcdef"), "{:?}", c.auth);
    }

    #[test]
    fn echoed_keys_are_redacted_from_messages() {
        let c = client("https://public-api.drata.com/public/v2").expect("valid");
        let body = br#"{"statusCode":401,"message":"bad key sk-live-abcdef0123456789","code":401}"#;
        let error = c.status_error(
            &Op::list_documents("1"),
            StatusCode::UNAUTHORIZED,
            body,
            None,
        );
        assert!(!error.to_string().contains("abcdef0123456789"), "{error}");
        assert!(error.to_string().contains("[REDACTED]"), "{error}");
    }

    #[test]
    fn the_key_is_redacted_in_any_case_and_percent_encoded() {
        let key = "sk-live/abc+DEF=0123456789";
        let text = "a sk-live/abc+DEF=0123456789 b SK-LIVE/ABC+DEF=0123456789 c sk-live%2fabc%2BDEF%3D0123456789 d sk%2Dlive/abc+def=0123456789";
        let out = redact_key(text, key);
        assert_eq!(out, "a [REDACTED] b [REDACTED] c [REDACTED] d [REDACTED]");
        assert_eq!(redact_key("héllo sk-l", key), "héllo sk-l");
        // Redacted before being shortened: a key at the cut never survives in part.
        let c = client("https://public-api.drata.com/public/v2").expect("valid");
        let body = format!(
            "{}sk-live-abcdef0123456789",
            "x".repeat(MAX_MESSAGE_CHARS - 10)
        );
        let error = c.status_error(
            &Op::list_documents("1"),
            StatusCode::INTERNAL_SERVER_ERROR,
            body.as_bytes(),
            None,
        );
        assert!(!error.to_string().contains("sk-live-ab"), "{error}");
    }

    #[test]
    fn redirect_targets_are_shown_by_scheme_and_host_only() {
        assert_eq!(
            describe_location("http://portal.example/login?token=SECRET"),
            "http://portal.example/…"
        );
        assert_eq!(describe_location("file:///etc/passwd"), "a file: address");
        assert_eq!(
            describe_location("/other"),
            "another path on the same server"
        );
    }

    #[test]
    fn statuses_map_to_errors_that_say_what_to_do() {
        let c = client("https://public-api.drata.com/public/v2").expect("valid");
        let upload = Op::upload("42", "antivirus.pdf", 123);
        let v2 = |status: u16, message: &str| {
            format!(r#"{{"name":"X","statusCode":{status},"message":"{message}","code":{status}}}"#)
        };
        let err = |status: u16, body: &str| {
            c.status_error(
                &upload,
                StatusCode::from_u16(status).expect("valid"),
                body.as_bytes(),
                None,
            )
        };

        let e = err(
            401,
            r#"{"statusCode":401,"message":"Invalid Authorization","code":401}"#,
        );
        assert!(matches!(e, DrataError::Unauthorized { .. }));
        assert_eq!(
            e.to_string(),
            "Drata rejected the API key (401: Invalid Authorization): check that the key is right and not revoked; create one in Drata under Settings > API Keys"
        );
        let e = err(403, "");
        assert!(
            e.to_string().contains("Devices: Manage Device Documents"),
            "{e}"
        );
        let e = err(404, &v2(404, "Device not found"));
        assert!(
            e.to_string().contains("ID 42") && e.to_string().contains("personnel ID"),
            "{e}"
        );
        let e = err(412, "{}");
        assert!(
            e.to_string()
                .contains("accept the Drata terms and conditions"),
            "{e}"
        );
        let e = err(413, &v2(413, "File too large"));
        assert!(
            e.to_string()
                .contains("antivirus.pdf (123 bytes) as too large (413"),
            "{e}"
        );
        let e = err(
            400,
            r#"{"statusCode":400,"message":["type must be one of A, B","file is required"],"code":1}"#,
        );
        assert!(
            e.to_string()
                .contains("type must be one of A, B; file is required"),
            "{e}"
        );
        let e = err(502, "<html><body>Bad gateway</body></html>");
        assert!(matches!(e, DrataError::Server { status: 502, .. }) && e.is_retryable());
        assert!(e.to_string().contains("(502: Bad Gateway)"), "{e}");
        assert!(!err(501, "").is_retryable());
        let e = err(402, &v2(402, "You must upgrade your plan"));
        assert!(matches!(e, DrataError::PlanRequired { .. }), "{e:?}");
        assert!(
            e.to_string().contains("Custom Connections and Tests"),
            "{e}"
        );
        let e = err(429, "");
        assert!(e.is_retryable() && e.status() == Some(429));
        // A 413 on a listing is not about a file.
        let e = c.status_error(
            &Op::list_documents("42"),
            StatusCode::PAYLOAD_TOO_LARGE,
            b"",
            None,
        );
        assert!(matches!(e, DrataError::Other { status: 413, .. }));
        // Long bodies are cut short.
        let e = err(500, &"x".repeat(5000));
        assert!(e.to_string().len() < 600, "{e}");
    }

    #[test]
    fn only_transient_errors_are_retryable() {
        assert!(
            DrataError::Network {
                url: "u".into(),
                detail: "d".into()
            }
            .is_retryable()
        );
        assert!(DrataError::RateLimited { retry_after: None }.is_retryable());
        for status in [500, 502, 503, 504] {
            assert!(
                DrataError::Server {
                    status,
                    message: String::new()
                }
                .is_retryable()
            );
        }
        assert!(!DrataError::TermsNotAccepted.is_retryable());
        assert!(
            !DrataError::Unauthorized {
                message: String::new()
            }
            .is_retryable()
        );
        assert!(
            !DrataError::BadRequest {
                fix: String::new(),
                message: String::new()
            }
            .is_retryable()
        );
    }

    #[test]
    fn content_types_follow_the_extension() {
        assert_eq!(content_type_for("a.pdf"), "application/pdf");
        assert_eq!(content_type_for("A.PNG"), "image/png");
        assert_eq!(content_type_for("x.jpeg"), "image/jpeg");
        assert_eq!(content_type_for("noext"), "application/octet-stream");
    }

    #[test]
    fn documents_decode_per_the_spec_example() {
        let body =
            br#"{"id":1,"type":"PASSWORD_MANAGER_EVIDENCE","name":"Password Manager Evidence",
            "fileUrl":"http://localhost:5000/download/device-documents/1",
            "createdAt":"2025-07-01T16:45:55.246Z","updatedAt":"2025-07-01T16:45:55.246Z"}"#;
        let url = Url::parse("https://x.test/").expect("valid");
        let doc: DeviceDocument = decode(&url, body).expect("decodes");
        assert_eq!(doc.id, 1);
        assert_eq!(doc.r#type, "PASSWORD_MANAGER_EVIDENCE");
        let float_id =
            br#"{"id":7.0,"type":"T","name":"N","fileUrl":null,"createdAt":"c","updatedAt":"u"}"#;
        let doc: DeviceDocument = decode(&url, float_id).expect("decodes");
        assert_eq!((doc.id, doc.file_url), (7, None));
        let bad =
            br#"{"id":7.5,"type":"T","name":"N","fileUrl":null,"createdAt":"c","updatedAt":"u"}"#;
        assert!(matches!(
            decode::<DeviceDocument>(&url, bad),
            Err(DrataError::Decode { .. })
        ));
    }
}
