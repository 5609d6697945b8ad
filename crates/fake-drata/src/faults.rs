//! Beyond the spec, for resilience tests: a server-side rate limit and injected faults.

use crate::reply::{drain, simple_error};
use crate::state::{Fault, SeenRequest, Shared};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Rate limit, then the next injected fault, then the handler; records every request.
pub(crate) async fn apply(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().to_string();
    let path = request
        .uri()
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_default();
    let at = Instant::now();
    let (response, status) = handle(&shared, request, next).await;
    shared.lock().requests.push(SeenRequest {
        method,
        path,
        status,
        at,
    });
    response
}

async fn handle(shared: &Shared, request: Request, next: Next) -> (Response, u16) {
    if let Some(wait) = over_rate_limit(shared) {
        drain(request.into_body()).await;
        let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
        return (too_many(Some(seconds)), 429);
    }
    let fault = shared.lock().faults.pop_front();
    match fault {
        None => {
            let response = next.run(request).await;
            let status = response.status().as_u16();
            (response, status)
        }
        Some(Fault::Status {
            status,
            retry_after,
        }) => {
            drain(request.into_body()).await;
            let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let response = if code == StatusCode::TOO_MANY_REQUESTS {
                too_many(retry_after)
            } else {
                simple_error(code, code.canonical_reason().unwrap_or("Error"))
            };
            (response, status)
        }
        Some(Fault::Slow(wait)) => {
            tokio::time::sleep(wait).await;
            let response = next.run(request).await;
            let status = response.status().as_u16();
            (response, status)
        }
        Some(Fault::Drop) => {
            drain(request.into_body()).await;
            (broken_answer(), 0)
        }
        Some(Fault::DropAfterHandling) => {
            let _ = next.run(request).await;
            (broken_answer(), 0)
        }
    }
}

/// A 429 as an API gateway sends it.
fn too_many(retry_after: Option<u64>) -> Response {
    let mut response = simple_error(StatusCode::TOO_MANY_REQUESTS, "Too Many Requests");
    if let Some(seconds) = retry_after
        && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
    {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// A response whose body fails at once: hyper aborts the connection mid-answer.
fn broken_answer() -> Response {
    let stream = futures_stream_error();
    let mut response = (StatusCode::OK, Body::from_stream(stream)).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from_static("100"));
    response
}

fn futures_stream_error()
-> impl futures_core::Stream<Item = Result<axum::body::Bytes, std::io::Error>> + Send + 'static {
    struct Failing(bool);
    impl futures_core::Stream for Failing {
        type Item = Result<axum::body::Bytes, std::io::Error>;
        fn poll_next(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Self::Item>> {
            if self.0 {
                return std::task::Poll::Ready(None);
            }
            self.0 = true;
            std::task::Poll::Ready(Some(Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "fault injected: connection dropped",
            ))))
        }
    }
    Failing(false)
}

/// Fixed-window limit: `Some(time left)` when this request is over it.
fn over_rate_limit(shared: &Shared) -> Option<Duration> {
    let (limit, window) = shared.config.rate_limit?;
    let mut state = shared.lock();
    let now = Instant::now();
    let (started, count) = match state.window {
        Some((started, count)) if now.duration_since(started) < window => (started, count),
        _ => (now, 0),
    };
    if count >= limit {
        state.window = Some((started, count));
        return Some(window.saturating_sub(now.duration_since(started)));
    }
    state.window = Some((started, count + 1));
    None
}
