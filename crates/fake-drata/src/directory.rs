//! Devices and personnel: lookups, the custom device connection upsert, placeholders.
#![allow(clippy::result_large_err)]

use crate::config::KnownDevice;
use crate::reply::{now_iso, paginate, v2_error};
use crate::state::Shared;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::sync::Arc;

type Shared_ = Arc<Shared>;

/// The platforms `AgentPlatformEnum` allows.
const PLATFORMS: [&str; 5] = ["MACOS", "WINDOWS", "LINUX", "UNIX", "ANDROID"];

/// `DeviceResponsePublicV2Dto`, every required field present.
fn device_json(device: &KnownDevice) -> Value {
    let now = now_iso();
    json!({
        "id": device.id,
        "assetId": null,
        "osVersion": device.os_version,
        "serialNumber": device.serial_number,
        "model": null,
        "macAddress": device.mac_address,
        "lastCheckedAt": null,
        "sourceType": device.source_type,
        "createdAt": now,
        "updatedAt": now,
        "deletedAt": null,
        "appsCount": null,
        "isDeviceCompliant": false,
        "screenLockTime": null,
        "screenLockExplanation": null,
        "antivirusEnabled": null,
        "antivirusExplanation": null,
        "autoUpdateEnabled": null,
        "autoUpdateExplanation": null,
        "passwordManagerEnabled": null,
        "passwordManagerExplanation": null,
        "encryptionEnabled": null,
        "encryptionExplanation": null,
        "firewallEnabled": null,
        "firewallExplanation": null,
        "userId": null,
        "personnelId": device.personnel_id,
        "externalId": device.external_id,
    })
}

/// Normalises a MAC address for matching: lower case, `:` separators.
fn mac_key(mac: &str) -> String {
    mac.trim().to_ascii_lowercase().replace('-', ":")
}

/// `GET /devices`
pub(crate) async fn list_devices(
    State(shared): State<Shared_>,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    let find = |name: &str| {
        query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let serial = find("serialNumber");
    let mac = find("macAddress");
    let personnel = find("personnelId");
    let devices: Vec<Value> = shared
        .lock()
        .devices
        .iter()
        .filter(|d| {
            serial
                .as_ref()
                .is_none_or(|s| d.serial_number.as_deref() == Some(s.as_str()))
        })
        .filter(|d| {
            mac.as_ref()
                .is_none_or(|m| d.mac_address.as_deref().map(mac_key) == Some(mac_key(m)))
        })
        .filter(|d| {
            personnel
                .as_ref()
                .is_none_or(|p| d.personnel_id.to_string() == *p)
        })
        .map(device_json)
        .collect();
    paginate(&query, devices)
}

/// `GET /devices/{deviceId}`
pub(crate) async fn get_device(
    State(shared): State<Shared_>,
    Path(device_id): Path<String>,
) -> Response {
    let Ok(id) = device_id.parse::<u64>() else {
        return v2_error(StatusCode::BAD_REQUEST, "deviceId must be a number");
    };
    match shared.lock().devices.iter().find(|d| d.id == id) {
        Some(device) => (StatusCode::OK, Json(device_json(device))).into_response(),
        None => v2_error(StatusCode::NOT_FOUND, "Device not found"),
    }
}

/// `GET /personnel/{personnelId}`: a number or `email:<address>`.
pub(crate) async fn get_person(
    State(shared): State<Shared_>,
    Path(personnel_id): Path<String>,
) -> Response {
    let found = match personnel_id.strip_prefix("email:") {
        Some(email) => shared
            .config
            .personnel
            .iter()
            .find(|p| p.email.eq_ignore_ascii_case(email.trim())),
        None => match personnel_id.parse::<u64>() {
            Ok(id) => shared.config.personnel.iter().find(|p| p.id == id),
            Err(_) => {
                return v2_error(
                    StatusCode::BAD_REQUEST,
                    "personnelId must be a number or email:<address>",
                );
            }
        },
    };
    match found {
        Some(person) => {
            let now = now_iso();
            (
                StatusCode::OK,
                Json(json!({
                    "id": person.id,
                    "userId": person.id + 100_000,
                    "employmentStatus": "CURRENT_EMPLOYEE",
                    "notHumanReason": null,
                    "startedAt": "2024-01-15T00:00:00.000Z",
                    "separatedAt": null,
                    "statusUpdatedAt": now,
                    "createdAt": now,
                    "updatedAt": now,
                })),
            )
                .into_response()
        }
        None => v2_error(StatusCode::NOT_FOUND, "Personnel not found"),
    }
}

/// `POST /custom-connections/{connectionId}/devices`: upsert matched on serial number, MAC
/// address or external ID.
pub(crate) async fn upsert_custom_device(
    State(shared): State<Shared_>,
    Path(connection_id): Path<String>,
    body: Option<Json<Value>>,
) -> Response {
    let Ok(connection_id) = connection_id.parse::<u64>() else {
        return v2_error(StatusCode::BAD_REQUEST, "connectionId must be a number");
    };
    let Some(Json(body)) = body else {
        return v2_error(StatusCode::BAD_REQUEST, "the body must be JSON");
    };
    let text = |name: &str| body.get(name).and_then(Value::as_str).map(str::to_string);
    let mut problems = Vec::new();
    let platform = text("platformName");
    if !platform.as_deref().is_some_and(|p| PLATFORMS.contains(&p)) {
        problems.push(format!(
            "platformName must be one of the following values: {}",
            PLATFORMS.join(", ")
        ));
    }
    if text("platformVersion").is_none() {
        problems.push("platformVersion must be a string".to_string());
    }
    let personnel = body.get("personnelId").cloned().unwrap_or(Value::Null);
    let owner = match &personnel {
        Value::Number(n) => n.as_u64().and_then(|id| {
            shared
                .config
                .personnel
                .iter()
                .find(|p| p.id == id)
                .map(|p| p.id)
        }),
        Value::String(s) => s.strip_prefix("email:").and_then(|email| {
            shared
                .config
                .personnel
                .iter()
                .find(|p| p.email.eq_ignore_ascii_case(email))
                .map(|p| p.id)
        }),
        _ => {
            problems.push("personnelId must be a number or email:<address>".to_string());
            None
        }
    };
    if !problems.is_empty() {
        return v2_error(StatusCode::BAD_REQUEST, &problems.join("; "));
    }
    if !shared
        .config
        .custom_device_connections
        .contains(&connection_id)
    {
        return v2_error(StatusCode::NOT_FOUND, "Connection not found");
    }
    let Some(owner) = owner else {
        return v2_error(StatusCode::NOT_FOUND, "Personnel not found");
    };
    let serial = text("serialNumber");
    let mac = text("macAddress");
    let external = text("externalId");
    let mut state = shared.lock();
    let matching = state.devices.iter().position(|d| {
        d.connection_id == Some(connection_id)
            && ((serial.is_some() && d.serial_number == serial)
                || (mac.is_some()
                    && d.mac_address.as_deref().map(mac_key) == mac.as_deref().map(mac_key))
                || (external.is_some() && d.external_id == external))
    });
    let index = match matching {
        Some(index) => index,
        None => {
            state.next_device_id += 1;
            let id = state.next_device_id;
            state.devices.push(KnownDevice {
                id,
                personnel_id: owner,
                serial_number: None,
                mac_address: None,
                source_type: "CUSTOM".into(),
                connection_id: Some(connection_id),
                external_id: None,
                os_version: None,
            });
            state.devices.len() - 1
        }
    };
    let device = &mut state.devices[index];
    device.personnel_id = owner;
    device.serial_number = serial.or(device.serial_number.take());
    device.mac_address = mac.or(device.mac_address.take());
    device.external_id = external.or(device.external_id.take());
    device.os_version = text("platformVersion");
    (StatusCode::CREATED, Json(device_json(device))).into_response()
}

/// `DELETE /custom-connections/{connectionId}/devices/{deviceId}`
pub(crate) async fn delete_custom_device(
    State(shared): State<Shared_>,
    Path((connection_id, device_id)): Path<(String, String)>,
) -> Response {
    let (Ok(connection_id), Ok(device_id)) =
        (connection_id.parse::<u64>(), device_id.parse::<u64>())
    else {
        return v2_error(
            StatusCode::BAD_REQUEST,
            "connectionId and deviceId must be numbers",
        );
    };
    let mut state = shared.lock();
    let before = state.devices.len();
    state
        .devices
        .retain(|d| !(d.id == device_id && d.connection_id == Some(connection_id)));
    if state.devices.len() == before {
        return v2_error(StatusCode::NOT_FOUND, "Device not found");
    }
    StatusCode::NO_CONTENT.into_response()
}

/// Whether uploads may target `device_id`: a configured ID, a known device, or a personnel
/// ID (which gets a placeholder device, as Drata does).
pub(crate) fn accept_upload_target(shared: &Shared, device_id: &str) -> bool {
    let normalized = device_id.trim_start_matches('0');
    if shared.config.devices.contains(normalized) {
        return true;
    }
    let Ok(id) = device_id.parse::<u64>() else {
        return false;
    };
    let mut state = shared.lock();
    if state.devices.iter().any(|d| d.id == id) {
        return true;
    }
    if shared.config.personnel.iter().any(|p| p.id == id) {
        state.devices.push(KnownDevice {
            id,
            personnel_id: id,
            serial_number: None,
            mac_address: None,
            source_type: "PLACEHOLDER".into(),
            connection_id: None,
            external_id: None,
            os_version: None,
        });
        return true;
    }
    false
}
