//! One attempt on the wire: paced, within the client's total deadline, with the
//! `Authorization` header; the answer read as a stream and capped at [`MAX_RESPONSE_BYTES`],
//! redirects refused, and whatever went wrong turned into a [`DrataError`].

use super::{Client, MAX_RESPONSE_BYTES};
use crate::DrataError;
use crate::error::{root_cause, status_error};
use crate::op::Op;
use crate::retry::{Failure, parse_retry_after};
use reqwest::Url;
use reqwest::header::{AUTHORIZATION, RETRY_AFTER};

impl Client {
    /// One attempt: send, read the answer (at most [`MAX_RESPONSE_BYTES`]), classify it; all
    /// within the client's total deadline.
    pub(super) async fn attempt(
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
            .and_then(parse_retry_after);
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
            error: status_error(op, status, &body, retry_after, &self.api_key),
            retry_after,
        })
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
