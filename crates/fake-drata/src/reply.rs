//! How the fake answers, shared by every handler: the spec's two error bodies, cursor
//! pagination, timestamps, and reading (or draining) request bodies.

use axum::Json;
use axum::body::{Body, Bytes, HttpBody};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::pin::Pin;

/// How much of a refused body is read (and discarded) so the client sees the answer.
const DRAIN_LIMIT_BYTES: usize = 1024 * 1024 * 1024;

/// `ExceptionResponsePublicV2Dto`: `{name, statusCode, message, code}` (400, 404, 413, 503).
pub(crate) fn v2_error(status: StatusCode, message: &str) -> Response {
    let name = match status {
        StatusCode::BAD_REQUEST => "BadRequestException",
        StatusCode::NOT_FOUND => "NotFoundException",
        StatusCode::PAYLOAD_TOO_LARGE => "PayloadTooLargeException",
        StatusCode::UNPROCESSABLE_ENTITY => "UnprocessableEntityException",
        StatusCode::SERVICE_UNAVAILABLE => "ServiceUnavailableException",
        _ => "HttpException",
    };
    let body = json!({
        "name": name,
        "statusCode": status.as_u16(),
        "message": message,
        "code": status.as_u16(),
    });
    (status, Json(body)).into_response()
}

/// `ExceptionResponseDto`: `{statusCode, message, code}` (401, 403, 412, 500).
pub(crate) fn simple_error(status: StatusCode, message: &str) -> Response {
    let body = json!({
        "statusCode": status.as_u16(),
        "message": message,
        "code": status.as_u16(),
    });
    (status, Json(body)).into_response()
}

/// Cursor pagination over `items`: `size` 1–500 (default 50), `cursor` an opaque offset.
pub(crate) fn paginate(query: &[(String, String)], items: Vec<Value>) -> Response {
    let mut size = 50usize;
    let mut offset = 0usize;
    for (name, value) in query {
        match name.as_str() {
            "size" => match value.parse::<usize>() {
                Ok(n) if (1..=500).contains(&n) => size = n,
                _ => {
                    return v2_error(
                        StatusCode::BAD_REQUEST,
                        "size must not be greater than 500; size must not be less than 1",
                    );
                }
            },
            "cursor" => match value.strip_prefix("off-").and_then(|n| n.parse().ok()) {
                Some(n) => offset = n,
                None => return v2_error(StatusCode::BAD_REQUEST, "cursor is invalid"),
            },
            _ => {}
        }
    }
    let total = items.len();
    let page: Vec<Value> = items.into_iter().skip(offset).take(size).collect();
    let next = offset + page.len();
    let cursor = (next < total).then(|| format!("off-{next}"));
    (
        StatusCode::OK,
        Json(json!({ "data": page, "pagination": { "cursor": cursor, "totalCount": null } })),
    )
        .into_response()
}

/// Now, the way a JavaScript backend writes it: `2025-07-01T16:45:55.246Z`.
pub(crate) fn now_iso() -> String {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    time::OffsetDateTime::now_utc()
        .format(&format)
        .unwrap_or_default()
}

/// Reads the whole body if it is at most `limit` bytes (`Ok(Some)`); otherwise reads the rest
/// without keeping it and returns `Ok(None)`.
pub(crate) async fn read_limited(mut body: Body, limit: usize) -> Result<Option<Bytes>, String> {
    let mut kept = Vec::new();
    let mut total = 0usize;
    while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let frame = frame.map_err(|e| format!("could not read the request body: {e}"))?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        total = total.saturating_add(data.len());
        if total <= limit {
            kept.extend_from_slice(&data);
        } else {
            kept = Vec::new();
            if total > DRAIN_LIMIT_BYTES {
                break;
            }
        }
    }
    Ok((total <= limit).then(|| Bytes::from(kept)))
}

/// Reads and discards a body, so refusing a request does not reset the connection.
pub(crate) async fn drain(body: Body) {
    let _ = read_limited(body, 0).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_look_like_the_spec_example() {
        let now = now_iso();
        assert_eq!(now.len(), "2025-07-01T16:45:55.246Z".len(), "{now}");
        assert!(
            time::OffsetDateTime::parse(&now, &time::format_description::well_known::Rfc3339)
                .is_ok()
        );
    }
}
