//! The HTTP routes and the guards in front of them (request log, faults, bearer key, terms).

use crate::reply::{drain, simple_error, v2_error};
use crate::state::Shared;
use crate::{directory, documents, faults, records};
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{delete, get, post, put};
use std::sync::Arc;
use std::time::Instant;

type Shared_ = Arc<Shared>;

/// All routes, at the root and under `/public/v2`, behind the auth and terms guards.
pub(crate) fn router(shared: Shared_) -> Router {
    let api = || {
        Router::new()
            .route(
                "/devices/{device_id}/documents",
                get(documents::list_documents).post(documents::upload_document),
            )
            .route(
                "/devices/{device_id}/documents/{document_id}",
                get(documents::get_document).delete(documents::delete_document),
            )
            .route("/download/device-documents/{document_id}", get(documents::download))
            .route("/devices", get(directory::list_devices))
            .route("/devices/{device_id}", get(directory::get_device))
            .route("/personnel/{personnel_id}", get(directory::get_person))
            .route(
                "/custom-connections/{connection_id}/devices",
                post(directory::upsert_custom_device),
            )
            .route(
                "/custom-connections/{connection_id}/devices/{device_id}",
                delete(directory::delete_custom_device),
            )
            .route(
                "/custom-connections/{connection_id}/resources/{resource_id}/records",
                get(records::list).post(records::upsert),
            )
            .route(
                "/custom-connections/{connection_id}/resources/{resource_id}/records/{record_id}",
                put(records::update).delete(records::delete),
            )
            .route(
                "/custom-connections/{connection_id}/resources/{resource_id}/sessions",
                get(records::list_sessions),
            )
            .route(
                "/custom-connections/{connection_id}/resources/{resource_id}/sessions/{session_id}",
                post(records::upload_to_session),
            )
            .route(
                "/custom-connections/{connection_id}/resources/{resource_id}/sessions/{session_id}/actions",
                post(records::session_action),
            )
    };
    Router::new()
        .merge(api())
        .nest("/public/v2", api())
        .fallback(unknown_route)
        .method_not_allowed_fallback(unknown_route)
        .layer(middleware::from_fn_with_state(shared.clone(), guard))
        .layer(middleware::from_fn_with_state(
            shared.clone(),
            faults::apply,
        ))
        .layer(DefaultBodyLimit::disable())
        .layer(middleware::from_fn(log_request))
        .with_state(shared)
}

/// Logs one line per request: method, path, status and time taken.
async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    tracing::info!(
        %method,
        %path,
        status = response.status().as_u16(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}

/// Bearer key (401/403) and terms (412), before anything else, like Drata's guards.
async fn guard(State(shared): State<Shared_>, request: Request, next: Next) -> Response {
    let refusal = match bearer_token(request.headers()) {
        None => Some(simple_error(
            StatusCode::UNAUTHORIZED,
            "Invalid Authorization",
        )),
        Some(token) if token == shared.config.api_key => None,
        Some(token) if shared.config.unprivileged_keys.iter().any(|k| k == token) => {
            Some(simple_error(
                StatusCode::FORBIDDEN,
                "You are not allowed to perform this action",
            ))
        }
        Some(_) => Some(simple_error(
            StatusCode::UNAUTHORIZED,
            "Invalid Authorization",
        )),
    };
    let refusal = refusal.or_else(|| {
        (!shared.config.terms_accepted).then(|| {
            simple_error(
                StatusCode::PRECONDITION_FAILED,
                "You must accept the Drata terms and conditions to use the API",
            )
        })
    });
    match refusal {
        Some(response) => {
            drain(request.into_body()).await;
            response
        }
        None => next.run(request).await,
    }
}

/// The token of an `Authorization: Bearer <token>` header (scheme case-insensitive).
fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Anything not routed: NestJS answers 404 `Cannot METHOD /path`.
async fn unknown_route(method: Method, uri: axum::http::Uri) -> Response {
    v2_error(
        StatusCode::NOT_FOUND,
        &format!("Cannot {method} {}", uri.path()),
    )
}
