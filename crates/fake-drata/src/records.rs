//! Custom data records and sessions of custom connection resources.
#![allow(clippy::result_large_err)]

use crate::config::CustomResource;
use crate::reply::{now_iso, paginate, simple_error, v2_error};
use crate::state::{SessionRow, Shared, StoredRecord};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::sync::Arc;

type Shared_ = Arc<Shared>;

/// Drata's error code for a record that fails the resource's schema.
const SCHEMA_VALIDATION_CODE: u64 = 28022;

/// Plan (402), numeric IDs (400), then the resource (404), like Drata's guards and pipes.
fn resource(shared: &Shared, connection: &str, resource: &str) -> Result<CustomResource, Response> {
    if !shared.config.custom_connections_plan {
        return Err(simple_error(
            StatusCode::PAYMENT_REQUIRED,
            "You must upgrade your plan",
        ));
    }
    let (Ok(connection_id), Ok(resource_id)) = (connection.parse::<u64>(), resource.parse::<u64>())
    else {
        return Err(v2_error(
            StatusCode::BAD_REQUEST,
            "connectionId and resourceId must be numbers",
        ));
    };
    shared
        .config
        .resources
        .iter()
        .find(|r| r.connection_id == connection_id && r.resource_id == resource_id)
        .cloned()
        .ok_or_else(|| {
            v2_error(
                StatusCode::NOT_FOUND,
                "Custom connection resource not found",
            )
        })
}

/// `{data: object}` or `{data: [objects]}`; `Err` answers 400.
fn records_of(body: Option<Json<Value>>) -> Result<(Vec<Value>, bool), Response> {
    let bad = |m: &str| v2_error(StatusCode::BAD_REQUEST, m);
    let Some(Json(body)) = body else {
        return Err(bad("the body must be JSON"));
    };
    match body.get("data") {
        Some(Value::Object(_)) => Ok((vec![body["data"].clone()], false)),
        Some(Value::Array(items)) if items.iter().all(Value::is_object) => {
            Ok((items.clone(), true))
        }
        Some(_) => Err(bad("data must be an object or an array of objects")),
        None => Err(bad("data should not be empty")),
    }
}

/// Stores (or updates, matched on `id`) one record; returns its outcome object.
fn store(
    shared: &Shared,
    resource: &CustomResource,
    data: Value,
    session_id: Option<&str>,
) -> Value {
    let missing: Vec<&String> = resource
        .required_fields
        .iter()
        .filter(|f| data.get(f.as_str()).is_none_or(Value::is_null))
        .collect();
    if !missing.is_empty() {
        let detail: Vec<String> = missing
            .iter()
            .map(|f| format!("{{\"\":\"must have required property '{f}'\"}}"))
            .collect();
        return json!({
            "statusCode": 400,
            "data": data,
            "error": {
                "message": format!("Schema validation failed for data: [{}]", detail.join(",")),
                "code": SCHEMA_VALIDATION_CODE,
            },
        });
    }
    let key = data.get("id").cloned();
    let now = now_iso();
    let mut state = shared.lock();
    let same = |r: &StoredRecord| {
        r.connection_id == resource.connection_id
            && r.resource_id == resource.resource_id
            && key.is_some()
            && r.data.get("id") == key.as_ref()
            // Outside a session an active record is updated; inside, one of that session.
            && match session_id {
                None => r.active,
                Some(session) => !r.active && r.session_id.as_deref() == Some(session),
            }
    };
    let (record_id, status) = match state.records.iter().position(same) {
        Some(index) => {
            state.records[index].data = data.clone();
            (state.records[index].record_id.clone(), 200)
        }
        None => {
            state.next_record += 1;
            let record_id = format!("00000000-0000-4000-8000-{:012x}", state.next_record);
            state.records.push(StoredRecord {
                record_id: record_id.clone(),
                connection_id: resource.connection_id,
                resource_id: resource.resource_id,
                data: data.clone(),
                session_id: session_id.map(str::to_string),
                active: session_id.is_none(),
            });
            (record_id, 201)
        }
    };
    json!({ "id": record_id, "createdAt": now, "updatedAt": now, "statusCode": status, "data": data })
}

fn answer(outcomes: Vec<Value>, bulk: bool) -> Response {
    if bulk {
        return (StatusCode::OK, Json(Value::Array(outcomes))).into_response();
    }
    let Some(one) = outcomes.into_iter().next() else {
        return v2_error(StatusCode::BAD_REQUEST, "data should not be empty");
    };
    match one.get("statusCode").and_then(Value::as_u64) {
        Some(201) => (StatusCode::CREATED, Json(one)).into_response(),
        Some(200) => (StatusCode::OK, Json(one)).into_response(),
        _ => v2_error(
            StatusCode::BAD_REQUEST,
            one["error"]["message"].as_str().unwrap_or("invalid record"),
        ),
    }
}

/// `POST …/records`: single or bulk upsert, active at once.
pub(crate) async fn upsert(
    State(shared): State<Shared_>,
    Path((connection, resource_id)): Path<(String, String)>,
    body: Option<Json<Value>>,
) -> Response {
    let resource = match resource(&shared, &connection, &resource_id) {
        Ok(r) => r,
        Err(response) => return response,
    };
    let (records, bulk) = match records_of(body) {
        Ok(r) => r,
        Err(response) => return response,
    };
    let outcomes = records
        .into_iter()
        .map(|data| store(&shared, &resource, data, None))
        .collect();
    answer(outcomes, bulk)
}

fn record_json(record: &StoredRecord) -> Value {
    let now = now_iso();
    json!({
        "id": record.record_id,
        "attributes": record.data,
        "sessionId": record.session_id,
        "createdAt": now,
        "updatedAt": now,
    })
}

/// `GET …/records`: the active records.
pub(crate) async fn list(
    State(shared): State<Shared_>,
    Path((connection, resource_id)): Path<(String, String)>,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    let resource = match resource(&shared, &connection, &resource_id) {
        Ok(r) => r,
        Err(response) => return response,
    };
    let items = shared
        .lock()
        .records
        .iter()
        .filter(|r| {
            r.active
                && r.connection_id == resource.connection_id
                && r.resource_id == resource.resource_id
        })
        .map(record_json)
        .collect();
    paginate(&query, items)
}

/// `PUT …/records/{recordId}`
pub(crate) async fn update(
    State(shared): State<Shared_>,
    Path((connection, resource_id, record_id)): Path<(String, String, String)>,
    body: Option<Json<Value>>,
) -> Response {
    let resource = match resource(&shared, &connection, &resource_id) {
        Ok(r) => r,
        Err(response) => return response,
    };
    let data = match body.as_ref().and_then(|Json(b)| b.get("data")) {
        Some(Value::Object(_)) => body
            .as_ref()
            .map(|Json(b)| b["data"].clone())
            .unwrap_or_default(),
        _ => return v2_error(StatusCode::BAD_REQUEST, "data must be an object"),
    };
    let mut state = shared.lock();
    match state.records.iter_mut().find(|r| {
        r.record_id == record_id
            && r.connection_id == resource.connection_id
            && r.resource_id == resource.resource_id
    }) {
        Some(record) => {
            record.data = data;
            (StatusCode::OK, Json(record_json(record))).into_response()
        }
        None => v2_error(StatusCode::NOT_FOUND, "Record not found"),
    }
}

/// `DELETE …/records/{recordId}`
pub(crate) async fn delete(
    State(shared): State<Shared_>,
    Path((connection, resource_id, record_id)): Path<(String, String, String)>,
) -> Response {
    let resource = match resource(&shared, &connection, &resource_id) {
        Ok(r) => r,
        Err(response) => return response,
    };
    let mut state = shared.lock();
    let before = state.records.len();
    state.records.retain(|r| {
        !(r.record_id == record_id
            && r.connection_id == resource.connection_id
            && r.resource_id == resource.resource_id)
    });
    if state.records.len() == before {
        return v2_error(StatusCode::NOT_FOUND, "Record not found");
    }
    StatusCode::NO_CONTENT.into_response()
}

/// `GET …/sessions`
pub(crate) async fn list_sessions(
    State(shared): State<Shared_>,
    Path((connection, resource_id)): Path<(String, String)>,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    let resource = match resource(&shared, &connection, &resource_id) {
        Ok(r) => r,
        Err(response) => return response,
    };
    let now = now_iso();
    let items = shared
        .lock()
        .sessions
        .iter()
        .filter(|s| {
            s.connection_id == resource.connection_id && s.resource_id == resource.resource_id
        })
        .map(|s| {
            json!({
                "id": s.id,
                "sessionId": s.session_id,
                "status": s.status,
                "createdAt": now,
                "updatedAt": now,
                "activatedAt": (s.status == "ACTIVE" || s.status == "ARCHIVED").then(|| now.clone()),
                "canceledAt": (s.status == "CANCELED").then(|| now.clone()),
            })
        })
        .collect();
    paginate(&query, items)
}

fn check_session_id(session_id: &str) -> Result<(), Response> {
    if (3..=64).contains(&session_id.chars().count()) {
        Ok(())
    } else {
        Err(v2_error(
            StatusCode::BAD_REQUEST,
            "sessionId must be between 3 and 64 characters",
        ))
    }
}

/// `POST …/sessions/{sessionId}`: records kept inactive until the session completes.
pub(crate) async fn upload_to_session(
    State(shared): State<Shared_>,
    Path((connection, resource_id, session_id)): Path<(String, String, String)>,
    body: Option<Json<Value>>,
) -> Response {
    let resource = match resource(&shared, &connection, &resource_id) {
        Ok(r) => r,
        Err(response) => return response,
    };
    if let Err(response) = check_session_id(&session_id) {
        return response;
    }
    let (records, bulk) = match records_of(body) {
        Ok(r) => r,
        Err(response) => return response,
    };
    {
        let mut state = shared.lock();
        let existing = state.sessions.iter().find(|s| {
            s.connection_id == resource.connection_id
                && s.resource_id == resource.resource_id
                && s.session_id == session_id
        });
        match existing {
            Some(s) if s.status != "IN_PROGRESS" => {
                return v2_error(
                    StatusCode::BAD_REQUEST,
                    &format!("Session {session_id} is {}, not IN_PROGRESS", s.status),
                );
            }
            Some(_) => {}
            None => {
                let id = state.sessions.len() as u64 + 1;
                state.sessions.push(SessionRow {
                    connection_id: resource.connection_id,
                    resource_id: resource.resource_id,
                    session_id: session_id.clone(),
                    status: "IN_PROGRESS",
                    id,
                });
            }
        }
    }
    let outcomes = records
        .into_iter()
        .map(|data| store(&shared, &resource, data, Some(&session_id)))
        .collect();
    answer(outcomes, bulk)
}

/// `POST …/sessions/{sessionId}/actions`: `complete` activates the session's records and
/// deletes every other record of the resource; `cancel` discards the session's records.
pub(crate) async fn session_action(
    State(shared): State<Shared_>,
    Path((connection, resource_id, session_id)): Path<(String, String, String)>,
    body: Option<Json<Value>>,
) -> Response {
    let resource = match resource(&shared, &connection, &resource_id) {
        Ok(r) => r,
        Err(response) => return response,
    };
    let action = body
        .as_ref()
        .and_then(|Json(b)| b.get("action"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let action = match action.as_deref() {
        Some(a @ ("complete" | "cancel")) => a.to_string(),
        _ => {
            return v2_error(
                StatusCode::BAD_REQUEST,
                "action must be one of the following values: complete, cancel",
            );
        }
    };
    let mut state = shared.lock();
    let ours = |c: u64, r: u64| c == resource.connection_id && r == resource.resource_id;
    let Some(index) = state
        .sessions
        .iter()
        .position(|s| ours(s.connection_id, s.resource_id) && s.session_id == session_id)
    else {
        return v2_error(StatusCode::NOT_FOUND, "Session not found");
    };
    if state.sessions[index].status != "IN_PROGRESS" {
        return v2_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!(
                "Session {session_id} is {}, not IN_PROGRESS",
                state.sessions[index].status
            ),
        );
    }
    let in_session =
        |r: &StoredRecord| r.session_id.as_deref() == Some(session_id.as_str()) && !r.active;
    let status = if action == "complete" {
        state
            .records
            .retain(|r| !ours(r.connection_id, r.resource_id) || in_session(r));
        for record in state.records.iter_mut() {
            if ours(record.connection_id, record.resource_id) {
                record.active = true;
            }
        }
        for session in state.sessions.iter_mut() {
            if ours(session.connection_id, session.resource_id) && session.status == "ACTIVE" {
                session.status = "ARCHIVED";
            }
        }
        "ACTIVE"
    } else {
        state
            .records
            .retain(|r| !(ours(r.connection_id, r.resource_id) && in_session(r)));
        "CANCELED"
    };
    state.sessions[index].status = status;
    (
        StatusCode::OK,
        Json(json!({
            "sessionId": session_id,
            "status": status,
            "action": action,
            "connectionId": resource.connection_id,
            "resourceId": resource.resource_id,
        })),
    )
        .into_response()
}
