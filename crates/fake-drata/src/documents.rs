//! Device documents: upload (multipart or the spec's `base64File` JSON form), list, get,
//! delete, and the download behind `fileUrl`.
//!
//! Guard helpers return axum's `Response` as their error so a handler can answer with it
//! directly; boxing it would only add noise to a test server.
#![allow(clippy::result_large_err)]

use crate::directory;
use crate::reply::{now_iso, read_limited, v2_error};
use crate::state::{Document, Shared, Upload};
use axum::Json;
use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Instant;

/// The five device document types the spec's `DeviceDocumentTypeEnum` allows.
pub const DEVICE_DOCUMENT_TYPES: [&str; 5] = [
    "PASSWORD_MANAGER_EVIDENCE",
    "AUTO_UPDATES_EVIDENCE",
    "HARD_DRIVE_ENCRYPTION_EVIDENCE",
    "ANTIVIRUS_EVIDENCE",
    "LOCK_SCREEN_EVIDENCE",
];

/// The file extensions the spec accepts for `file`, without the dot.
pub const ACCEPTED_EXTENSIONS: [&str; 12] = [
    "pdf", "docx", "odt", "doc", "xlsx", "ods", "pptx", "odp", "gif", "jpg", "jpeg", "png",
];

/// Room for the multipart framing and the `type` field on top of the file itself.
const FORM_OVERHEAD_BYTES: usize = 1024 * 1024;

type Shared_ = Arc<Shared>;

/// `GET /devices/{deviceId}/documents`
pub(crate) async fn list_documents(
    State(shared): State<Shared_>,
    Path(device_id): Path<String>,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    if let Err(response) = check_device_id(&device_id) {
        return response;
    }
    let mut type_filter = None;
    let mut expand_download_url = false;
    for (name, value) in &query {
        match name.as_str() {
            "type" if DEVICE_DOCUMENT_TYPES.contains(&value.as_str()) => {
                type_filter = Some(value.clone())
            }
            "type" => return invalid_type(),
            "expand[]" | "expand" if value == "downloadUrl" => expand_download_url = true,
            "expand[]" | "expand" => {
                return v2_error(
                    StatusCode::BAD_REQUEST,
                    "each value in expand must be one of the following values: downloadUrl",
                );
            }
            _ => {}
        }
    }
    if let Err(response) = check_device_known(&shared, &device_id) {
        return response;
    }
    let documents: Vec<Value> = shared
        .lock()
        .documents
        .iter()
        .filter(|d| d.device_id == device_id)
        .filter(|d| type_filter.as_ref().is_none_or(|t| *t == d.doc_type))
        .map(|d| document_json(&shared, d, expand_download_url))
        .collect();
    (StatusCode::OK, Json(json!({ "documents": documents }))).into_response()
}

/// `GET /devices/{deviceId}/documents/{documentId}`
pub(crate) async fn get_document(
    State(shared): State<Shared_>,
    Path((device_id, document_id)): Path<(String, String)>,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    let expand = query
        .iter()
        .any(|(name, value)| name.starts_with("expand") && value == "downloadUrl");
    match find_document(&shared, &device_id, &document_id) {
        Ok(document) => (
            StatusCode::OK,
            Json(document_json(&shared, &document, expand)),
        )
            .into_response(),
        Err(response) => response,
    }
}

/// `DELETE /devices/{deviceId}/documents/{documentId}`: the spec answers 200 with no body.
pub(crate) async fn delete_document(
    State(shared): State<Shared_>,
    Path((device_id, document_id)): Path<(String, String)>,
) -> Response {
    match find_document(&shared, &device_id, &document_id) {
        Ok(document) => {
            shared.lock().documents.retain(|d| d.id != document.id);
            StatusCode::OK.into_response()
        }
        Err(response) => response,
    }
}

/// `GET /download/device-documents/{documentId}`: the file behind `fileUrl`.
pub(crate) async fn download(
    State(shared): State<Shared_>,
    Path(document_id): Path<String>,
) -> Response {
    let found = document_id
        .parse::<u64>()
        .ok()
        .and_then(|id| shared.lock().documents.iter().find(|d| d.id == id).cloned());
    match found {
        Some(document) => {
            let content_type = document
                .content_type
                .clone()
                .unwrap_or_else(|| "application/octet-stream".into());
            let disposition = format!(
                "attachment; filename=\"{}\"",
                document.file_name.replace('"', "")
            );
            (
                StatusCode::OK,
                [
                    (header::CONTENT_TYPE, content_type),
                    (header::CONTENT_DISPOSITION, disposition),
                ],
                document.bytes,
            )
                .into_response()
        }
        None => v2_error(StatusCode::NOT_FOUND, "Record Not Found"),
    }
}

/// `POST /devices/{deviceId}/documents`
pub(crate) async fn upload_document(
    State(shared): State<Shared_>,
    Path(device_id): Path<String>,
    request: Request,
) -> Response {
    let max = shared.config.max_upload_bytes;
    let (parts, body) = request.into_parts();
    let body = read_limited(body, max.saturating_add(FORM_OVERHEAD_BYTES)).await;
    if let Err(response) = check_device_id(&device_id) {
        return response;
    }
    let bytes = match body {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return too_large(),
        Err(message) => return v2_error(StatusCode::BAD_REQUEST, &message),
    };
    let request = Request::from_parts(parts, Body::from(bytes));
    let form = match parse_form(request).await {
        Ok(form) => form,
        Err(response) => return response,
    };
    if form.bytes.len() > max {
        return too_large();
    }
    if let Err(response) = check_device_known(&shared, &device_id) {
        return response;
    }
    let size = form.bytes.len();
    let bytes = if shared.config.keep_file_bytes {
        form.bytes
    } else {
        Vec::new()
    };
    let document = {
        let mut state = shared.lock();
        state.next_id += 1;
        let document = Document {
            id: state.next_id,
            device_id: device_id.clone(),
            doc_type: form.doc_type.clone(),
            file_name: form.file_name.clone(),
            content_type: form.content_type.clone(),
            bytes: bytes.clone(),
            created_at: now_iso(),
        };
        state.documents.push(document.clone());
        state.uploads.push(Upload {
            device_id,
            doc_type: form.doc_type,
            file_name: form.file_name,
            content_type: form.content_type,
            bytes,
            size,
            at: Instant::now(),
        });
        document
    };
    (
        StatusCode::CREATED,
        Json(document_json(&shared, &document, false)),
    )
        .into_response()
}

/// A validated upload form.
struct Form {
    doc_type: String,
    file_name: String,
    content_type: Option<String>,
    bytes: Vec<u8>,
}

/// Reads the multipart or JSON body into a [`Form`], answering 400 for anything the spec's
/// `DeviceDocumentCreateRequestPublicV2Dto` does not allow.
async fn parse_form(request: Request) -> Result<Form, Response> {
    let bad = |message: &str| v2_error(StatusCode::BAD_REQUEST, message);
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let mut doc_type = None;
    let mut file = None;
    let mut base64_file = None;
    if content_type.starts_with("multipart/form-data") {
        let mut multipart = Multipart::from_request(request, &())
            .await
            .map_err(|rejection| bad(&rejection.body_text()))?;
        loop {
            let field = match multipart.next_field().await {
                Ok(Some(field)) => field,
                Ok(None) => break,
                Err(error) => {
                    return Err(bad(&format!(
                        "Malformed multipart body: {}",
                        error.body_text()
                    )));
                }
            };
            match field.name().unwrap_or_default() {
                "type" => doc_type = Some(field.text().await.map_err(|e| bad(&e.body_text()))?),
                "file" => {
                    if file.is_some() {
                        return Err(bad("Unexpected field: only one file may be uploaded"));
                    }
                    let Some(name) = field.file_name().map(str::to_string) else {
                        return Err(bad("file must be a file with a file name"));
                    };
                    let part_type = field.content_type().map(str::to_string);
                    let bytes = field.bytes().await.map_err(|e| bad(&e.body_text()))?;
                    file = Some((name, part_type, bytes.to_vec()));
                }
                "base64File" => {
                    base64_file = Some(Value::String(
                        field.text().await.map_err(|e| bad(&e.body_text()))?,
                    ))
                }
                _ => {}
            }
        }
    } else if content_type.starts_with("application/json") {
        let body = axum::body::to_bytes(request.into_body(), usize::MAX)
            .await
            .map_err(|e| bad(&e.to_string()))?;
        let value: Value =
            serde_json::from_slice(&body).map_err(|e| bad(&format!("Malformed JSON body: {e}")))?;
        doc_type = value
            .get("type")
            .and_then(Value::as_str)
            .map(str::to_string);
        base64_file = value.get("base64File").cloned();
    } else {
        return Err(bad(
            "Content-Type must be multipart/form-data or application/json",
        ));
    }

    let doc_type = match doc_type {
        Some(t) if DEVICE_DOCUMENT_TYPES.contains(&t.as_str()) => t,
        Some(_) => return Err(invalid_type()),
        None => return Err(bad("type should not be empty")),
    };
    let (file_name, content_type, bytes) = match (file, base64_file) {
        (Some(file), _) => file,
        (None, Some(value)) => decode_base64_file(&value).map_err(|message| bad(&message))?,
        (None, None) => return Err(bad("file or base64File is required")),
    };
    if !has_accepted_extension(&file_name) {
        return Err(bad(&format!(
            "{file_name} has an unsupported file type; accepted file extensions: {}",
            ACCEPTED_EXTENSIONS.map(|e| format!(".{e}")).join(", ")
        )));
    }
    if bytes.is_empty() {
        return Err(bad("file must not be empty"));
    }
    Ok(Form {
        doc_type,
        file_name,
        content_type,
        bytes,
    })
}

/// The spec's `base64File`: a JSON string (or, leniently, an object)
/// `{"base64String": "data:<mime>;base64,<data>", "filename": "..."}`.
fn decode_base64_file(value: &Value) -> Result<(String, Option<String>, Vec<u8>), String> {
    let parsed;
    let object = match value {
        Value::String(text) => {
            parsed = serde_json::from_str::<Value>(text)
                .map_err(|e| format!("base64File must be a JSON string: {e}"))?;
            &parsed
        }
        other => other,
    };
    let data_url = object
        .get("base64String")
        .and_then(Value::as_str)
        .ok_or("base64File.base64String is required")?;
    let filename = object
        .get("filename")
        .and_then(Value::as_str)
        .ok_or("base64File.filename is required")?;
    let (mime, data) = match data_url
        .strip_prefix("data:")
        .and_then(|rest| rest.split_once(";base64,"))
    {
        Some((mime, data)) => (Some(mime.to_string()), data),
        None => (None, data_url),
    };
    let bytes = decode_base64(data).ok_or("base64File.base64String is not valid base64")?;
    // The spec's own example filename has no extension; take it from the MIME type then.
    let file_name = if has_accepted_extension(filename) {
        filename.to_string()
    } else {
        match mime.as_deref().and_then(extension_for_mime) {
            Some(ext) => format!("{filename}.{ext}"),
            None => filename.to_string(),
        }
    };
    Ok((file_name, mime, bytes))
}

/// Decodes standard base64 (`+/`; padding optional: none, some or all of the `=` a final
/// group needs; ASCII whitespace ignored); `None` if malformed.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    const STANDARD_PADDING_OPTIONAL: GeneralPurpose = GeneralPurpose::new(
        &alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    let compact: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    STANDARD_PADDING_OPTIONAL.decode(compact).ok()
}

fn extension_for_mime(mime: &str) -> Option<&'static str> {
    Some(match mime {
        "application/pdf" => "pdf",
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/gif" => "gif",
        "application/msword" => "doc",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => "docx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => "xlsx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation" => "pptx",
        "application/vnd.oasis.opendocument.text" => "odt",
        "application/vnd.oasis.opendocument.spreadsheet" => "ods",
        "application/vnd.oasis.opendocument.presentation" => "odp",
        _ => return None,
    })
}

fn has_accepted_extension(file_name: &str) -> bool {
    file_name.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty() && ACCEPTED_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str())
    })
}

/// `deviceId` is `type: number` in the spec; a non-numeric one fails validation.
fn check_device_id(device_id: &str) -> Result<(), Response> {
    if !device_id.is_empty() && device_id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(v2_error(
            StatusCode::BAD_REQUEST,
            "deviceId must be a number",
        ))
    }
}

fn check_device_known(shared: &Shared, device_id: &str) -> Result<(), Response> {
    if directory::accept_upload_target(shared, device_id) {
        Ok(())
    } else {
        Err(v2_error(
            StatusCode::NOT_FOUND,
            &format!("Device with id {device_id} not found"),
        ))
    }
}

fn find_document(
    shared: &Shared,
    device_id: &str,
    document_id: &str,
) -> Result<Document, Response> {
    check_device_id(device_id)?;
    let id: u64 = document_id
        .parse()
        .map_err(|_| v2_error(StatusCode::BAD_REQUEST, "documentId must be a number"))?;
    check_device_known(shared, device_id)?;
    shared
        .lock()
        .documents
        .iter()
        .find(|d| d.id == id && d.device_id == device_id)
        .cloned()
        .ok_or_else(|| v2_error(StatusCode::NOT_FOUND, "Record Not Found"))
}

/// `DeviceDocumentResponsePublicV2Dto`.
fn document_json(shared: &Shared, document: &Document, expand_download_url: bool) -> Value {
    let file_url = format!(
        "{}/download/device-documents/{}",
        shared.base_url, document.id
    );
    let mut value = json!({
        "id": document.id,
        "type": document.doc_type,
        "name": display_name(&document.doc_type),
        "fileUrl": file_url,
        "createdAt": document.created_at,
        "updatedAt": document.created_at,
    });
    if expand_download_url {
        value["downloadUrl"] = json!({
            "signedUrl": format!("{file_url}?Signature=fake"),
            "fileBuffer": null,
            "fileName": document.file_name,
        });
    }
    value
}

/// `ANTIVIRUS_EVIDENCE` -> `Antivirus Evidence`, like the spec's example name.
fn display_name(doc_type: &str) -> String {
    doc_type
        .split('_')
        .map(|word| {
            let lower = word.to_ascii_lowercase();
            let mut chars = lower.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn invalid_type() -> Response {
    v2_error(
        StatusCode::BAD_REQUEST,
        &format!(
            "type must be one of the following values: {}",
            DEVICE_DOCUMENT_TYPES.join(", ")
        ),
    )
}

fn too_large() -> Response {
    v2_error(
        StatusCode::PAYLOAD_TOO_LARGE,
        "The file was too large to upload",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_type() {
        assert_eq!(
            display_name("PASSWORD_MANAGER_EVIDENCE"),
            "Password Manager Evidence"
        );
        assert_eq!(
            display_name("HARD_DRIVE_ENCRYPTION_EVIDENCE"),
            "Hard Drive Encryption Evidence"
        );
    }

    #[test]
    fn extensions_follow_the_spec_list() {
        for name in ["a.pdf", "a.PNG", "b.c.jpeg", "x.doc", "x.odp"] {
            assert!(has_accepted_extension(name), "{name}");
        }
        for name in ["a.txt", "pdf", ".pdf", "a.pdf.exe", "a."] {
            assert!(!has_accepted_extension(name), "{name}");
        }
    }

    #[test]
    fn base64_file_takes_its_extension_from_the_mime_type_when_missing() {
        let value = Value::String(r#"{"base64String":"data:image/jpeg;base64,/9j/4AAQSkZJRgABAQEAYABg","filename":"excellent-filename"}"#.into());
        let (name, mime, bytes) = decode_base64_file(&value).expect("decodes");
        assert_eq!(name, "excellent-filename.jpg");
        assert_eq!(mime.as_deref(), Some("image/jpeg"));
        assert_eq!(&bytes[..3], &[0xff, 0xd8, 0xff]);
    }

    #[test]
    fn decodes_the_rfc4648_vectors() {
        for (encoded, plain) in [
            ("", ""),
            ("Zg==", "f"),
            ("Zm8=", "fo"),
            ("Zm9v", "foo"),
            ("Zm9vYg==", "foob"),
            ("Zm9vYmE=", "fooba"),
            ("Zm9vYmFy", "foobar"),
            ("Zm9vYmE", "fooba"),
        ] {
            assert_eq!(
                decode_base64(encoded).as_deref(),
                Some(plain.as_bytes()),
                "{encoded}"
            );
        }
        assert_eq!(decode_base64("/9j/4AAQ").map(|v| v.len()), Some(6));
        assert_eq!(decode_base64("Zm9v!"), None);
        assert_eq!(decode_base64("Zg==Zg"), None);
        // Line breaks and spaces (as MIME wraps base64) are ignored; the URL-safe alphabet and
        // set trailing bits are not base64 here.
        assert_eq!(
            decode_base64(" Zm9v\r\nYmFy\t").as_deref(),
            Some(&b"foobar"[..])
        );
        assert_eq!(decode_base64("_-8="), None);
        assert_eq!(decode_base64("Zh=="), None);
    }
}
