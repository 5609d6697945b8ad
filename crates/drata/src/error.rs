//! Everything that can go wrong talking to Drata, each worded as what the admin should do next,
//! and how a non-2xx answer becomes one (`status_error`).

use crate::op::{self, Op};
use crate::redact::redact_key;
use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::time::Duration;

/// The longest piece of Drata's error text that is put into an error message.
const MAX_MESSAGE_CHARS: usize = 300;

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

/// Turns a non-2xx answer to `op` into the error that explains it. Drata's text is redacted of
/// `api_key` (Drata should never echo it, but a proxy in between might), then shortened.
pub(crate) fn status_error(
    op: &Op,
    status: StatusCode,
    body: &[u8],
    retry_after: Option<Duration>,
    api_key: &SecretString,
) -> DrataError {
    // Redacted before it is shortened, so a key cut in half at the end cannot survive (the
    // 64 KiB read is far longer than the message and any key).
    let body = &body[..body.len().min(64 * 1024)];
    let message = truncate(
        &redact_key(&drata_message(status, body), api_key.expose_secret()),
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

/// The message of the innermost error in the chain.
pub(crate) fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
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

    #[test]
    fn echoed_keys_are_redacted_from_messages() {
        let body = br#"{"statusCode":401,"message":"bad key sk-live-abcdef0123456789","code":401}"#;
        let error = status_error(
            &Op::list_documents("1"),
            StatusCode::UNAUTHORIZED,
            body,
            None,
            &key(),
        );
        assert!(!error.to_string().contains("abcdef0123456789"), "{error}");
        assert!(error.to_string().contains("[REDACTED]"), "{error}");
    }

    #[test]
    fn the_key_is_redacted_before_the_message_is_shortened() {
        // Redacted before being shortened: a key at the cut never survives in part.
        let body = format!(
            "{}sk-live-abcdef0123456789",
            "x".repeat(MAX_MESSAGE_CHARS - 10)
        );
        let error = status_error(
            &Op::list_documents("1"),
            StatusCode::INTERNAL_SERVER_ERROR,
            body.as_bytes(),
            None,
            &key(),
        );
        assert!(!error.to_string().contains("sk-live-ab"), "{error}");
    }

    #[test]
    fn statuses_map_to_errors_that_say_what_to_do() {
        let upload = Op::upload("42", "antivirus.pdf", 123);
        let v2 = |status: u16, message: &str| {
            format!(r#"{{"name":"X","statusCode":{status},"message":"{message}","code":{status}}}"#)
        };
        let err = |status: u16, body: &str| {
            status_error(
                &upload,
                StatusCode::from_u16(status).expect("valid"),
                body.as_bytes(),
                None,
                &key(),
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
        let e = status_error(
            &Op::list_documents("42"),
            StatusCode::PAYLOAD_TOO_LARGE,
            b"",
            None,
            &key(),
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
}
