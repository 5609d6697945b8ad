//! Everything that can go wrong talking to Drata, each worded as what the admin should do next.

use std::time::Duration;

/// The permission Drata requires for both listing and uploading device documents.
pub const MANAGE_DEVICE_DOCUMENTS: &str = "Devices: Manage Device Documents";
/// The permission for `GET /devices` (the serial-number and MAC-address lookups).
pub const LIST_DEVICES: &str = "Devices: List Devices";
/// The permission for `POST /custom-connections/{id}/devices`.
pub const CREATE_DEVICE: &str = "Devices: Create Device";
/// The permission for `GET /personnel/{id}` (the owner lookup by email).
pub const GET_PERSONNEL: &str = "Personnel: Get Personnel";
/// The permission for reading custom data records and sessions.
pub const LIST_CUSTOM_CONNECTIONS: &str = "Custom Connections Management: List Custom Connections";
/// The permission for creating custom data records (single, bulk or in a session).
pub const CREATE_CUSTOM_DATA: &str = "Custom Connections Data: Create Custom Connection Data";
/// The permission for updating a custom data record by ID.
pub const UPDATE_CUSTOM_DATA: &str =
    "Custom Connections Data: Create and Update Custom Connection Data";
/// The permission for deleting a custom data record by ID.
pub const DELETE_CUSTOM_DATA: &str = "Custom Connections Data: Delete Custom Connection Data";

/// Why a call to Drata failed. Every message is one sentence that names the cause and the fix.
///
/// No variant ever holds the API key, so `Debug` and `Display` are safe to log.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DrataError {
    /// 401: the key is wrong, expired or revoked.
    #[error(
        "Drata rejected the API key (401{}): check that the key is right and not revoked; create one in Drata under Settings > API Keys",
        detail(message)
    )]
    Unauthorized {
        /// Drata's own message.
        message: String,
    },

    /// 403: the key is valid but lacks a permission.
    #[error(
        "the Drata API key lacks the \"{permission}\" permission (403{}): give the key that permission in Drata under Settings > API Keys, or create a new key with it",
        detail(message)
    )]
    Forbidden {
        /// The permission the operation needs, as Drata's UI names it.
        permission: &'static str,
        /// Drata's own message.
        message: String,
    },

    /// 404: what the request named does not exist in this Drata tenant.
    #[error("Drata has no {what} (404{}): {fix}", detail(message))]
    NotFound {
        /// What was looked for, e.g. `device with ID 42`.
        what: String,
        /// What the admin should check or set.
        fix: String,
        /// Drata's own message.
        message: String,
    },

    /// 402: the tenant's plan lacks the feature (Custom Connections and Tests).
    #[error(
        "Drata refused because the account's plan does not include {feature} (402{}): ask your Drata CSM to enable it, or remove the custom_connection settings",
        detail(message)
    )]
    PlanRequired {
        /// The feature the operation needs, as Drata names it.
        feature: &'static str,
        /// Drata's own message (\"You must upgrade your plan\").
        message: String,
    },

    /// 422: the request was well formed but cannot be done now (e.g. completing a session
    /// that is not in progress).
    #[error("Drata could not do this ({}): {fix}", if message.is_empty() { "422" } else { message.as_str() })]
    Unprocessable {
        /// What to check.
        fix: String,
        /// Drata's own message.
        message: String,
    },

    /// 412: nobody has accepted Drata's terms and conditions for this tenant yet.
    #[error(
        "Drata refused the request because its terms and conditions have not been accepted (412): an admin must accept the Drata terms and conditions in the Drata web app"
    )]
    TermsNotAccepted,

    /// 413: the file is larger than Drata accepts.
    #[error(
        "Drata refused {file_name} ({size} bytes) as too large (413{}): send a smaller file, for example the PDF alone",
        detail(message)
    )]
    TooLarge {
        /// The name the file was uploaded as.
        file_name: String,
        /// Its size in bytes.
        size: usize,
        /// Drata's own message.
        message: String,
    },

    /// 400: Drata found the request malformed.
    #[error(
        "Drata rejected the request as invalid (400{}): {fix}",
        detail(message)
    )]
    BadRequest {
        /// What to check.
        fix: String,
        /// Drata's own message, naming the field that failed validation.
        message: String,
    },

    /// 429: too many requests. Drata does not document its limits.
    #[error(
        "Drata is limiting the rate of requests (429{}): try again later",
        retry_after.map(|d| format!(", it asked to wait {} s", d.as_secs())).unwrap_or_default()
    )]
    RateLimited {
        /// How long Drata asked the client to wait (`Retry-After`), if it said.
        retry_after: Option<Duration>,
    },

    /// 5xx: a problem on Drata's side.
    #[error(
        "Drata had a server error ({status}{}): try again later; if this keeps happening, contact Drata support",
        detail(message)
    )]
    Server {
        /// The HTTP status (500-599).
        status: u16,
        /// Drata's own message.
        message: String,
    },

    /// Any other HTTP status, which the spec does not list for this operation.
    #[error(
        "Drata answered with unexpected HTTP status {status}{}: this devidence version may not match Drata's API; update devidence or report this to its maintainers",
        paren(message)
    )]
    Other {
        /// The HTTP status.
        status: u16,
        /// Drata's own message, or the start of the body.
        message: String,
    },

    /// No HTTP answer at all: DNS, connection refused, TLS, proxy or timeout.
    #[error(
        "could not reach Drata at {url} ({detail}): check the network connection, proxy and API URL"
    )]
    Network {
        /// The URL that was requested.
        url: String,
        /// What went wrong, from the lowest layer that said.
        detail: String,
    },

    /// The server's TLS certificate was not accepted. Never retried and never bypassed: the
    /// connection may be intercepted.
    #[error(
        "refused the TLS certificate presented for {url} ({detail}): nothing was sent. If a proxy on this network inspects TLS, install its CA certificate in the operating system's trust store; otherwise check the API URL"
    )]
    Certificate {
        /// The URL that was requested.
        url: String,
        /// What the TLS layer objected to.
        detail: String,
    },

    /// The server answered with a redirect, which the client never follows: following it
    /// would send the API key (or the evidence) to an address nobody configured.
    #[error(
        "the server at {url} answered with a redirect ({status}) to {location}, which devidence never follows with the API key: a captive portal, proxy or wrong api_url is in the way; sign in to the network or check api_url (the evidence stays in the spool)"
    )]
    Redirected {
        /// The URL that was requested.
        url: String,
        /// The 3xx status.
        status: u16,
        /// Where it pointed: scheme and host only.
        location: String,
    },

    /// The answer was larger than any answer of Drata's API can be; reading stopped there.
    #[error(
        "the answer from {url} was larger than {limit} bytes (at least {read} bytes), so devidence stopped reading it: Drata's answers are small JSON, so a proxy or captive portal may be answering instead; try again later or check the network"
    )]
    ResponseTooLarge {
        /// The URL that was requested.
        url: String,
        /// The most the client reads.
        limit: usize,
        /// How much the server sent or announced before reading stopped.
        read: u64,
    },

    /// Drata answered success but with a body that does not match the spec.
    #[error(
        "Drata's answer from {url} could not be read ({detail}): devidence may be out of date with Drata's API; update devidence or report this to its maintainers"
    )]
    Decode {
        /// The URL that was requested.
        url: String,
        /// What did not match.
        detail: String,
    },

    /// The API URL is plain `http://` to a host other than this computer.
    #[error(
        "refusing to send the Drata API key over plain HTTP to {url}: use an https:// URL (plain http is only allowed to localhost)"
    )]
    InsecureUrl {
        /// The URL, without any user name or password.
        url: String,
    },

    /// The API URL cannot be used at all.
    #[error(
        "the Drata API URL {url:?} is not usable ({reason}): set it to your region's URL, e.g. https://public-api.drata.com/public/v2, or set the region instead"
    )]
    InvalidUrl {
        /// The URL as given (without any user name or password when it parsed).
        url: String,
        /// Why it is not usable.
        reason: String,
    },

    /// The API key cannot be sent as an HTTP header.
    #[error("the Drata API key {reason}: paste the key again, without spaces or line breaks")]
    InvalidApiKey {
        /// What is wrong with it (never the key itself).
        reason: &'static str,
    },

    /// The HTTP client could not be set up (TLS roots, proxy settings).
    #[error(
        "could not set up the HTTPS client ({detail}): check this computer's TLS certificates and proxy settings"
    )]
    Setup {
        /// What failed.
        detail: String,
    },
}

impl DrataError {
    /// Whether trying again soon may succeed without anyone changing anything: network
    /// failures, 429, 500/502/503/504, and an oversized answer (like a bad gateway).
    pub fn is_retryable(&self) -> bool {
        match self {
            DrataError::Network { .. }
            | DrataError::RateLimited { .. }
            | DrataError::ResponseTooLarge { .. } => true,
            DrataError::Server { status, .. } => matches!(status, 500 | 502 | 503 | 504),
            _ => false,
        }
    }

    /// The HTTP status Drata answered with, if it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            DrataError::Unauthorized { .. } => Some(401),
            DrataError::Forbidden { .. } => Some(403),
            DrataError::NotFound { .. } => Some(404),
            DrataError::PlanRequired { .. } => Some(402),
            DrataError::Unprocessable { .. } => Some(422),
            DrataError::TermsNotAccepted => Some(412),
            DrataError::TooLarge { .. } => Some(413),
            DrataError::BadRequest { .. } => Some(400),
            DrataError::RateLimited { .. } => Some(429),
            DrataError::Server { status, .. }
            | DrataError::Other { status, .. }
            | DrataError::Redirected { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// `": message"` when Drata gave one, so the status reads `(401: Invalid Authorization)`.
fn detail(message: &str) -> String {
    if message.is_empty() {
        String::new()
    } else {
        format!(": {message}")
    }
}

/// `" (message)"` when there is one.
fn paren(message: &str) -> String {
    if message.is_empty() {
        String::new()
    } else {
        format!(" ({message})")
    }
}
