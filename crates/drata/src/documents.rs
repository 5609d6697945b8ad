//! Device documents: the evidence files attached to a device, `POST /devices/{deviceId}/documents`
//! (multipart `type` + `file`, answers 201) and `GET /devices/{deviceId}/documents`
//! (`{documents: [...]}`, not paginated).

use crate::error::root_cause;
use crate::json::{decode, whole_number};
use crate::op::Op;
use crate::{Client, DrataError};
use reqwest::Method;
use serde::Deserialize;

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

impl Client {
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

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::Url;

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
