//! Custom data records of a custom connection's resource: structured results pushed to Drata.
//!
//! A record is a JSON object whose `id` field is the caller's identifier: upserting a record
//! with an `id` Drata already has updates it instead of adding a duplicate. Drata answers with
//! its own record ID (a UUID), which is what update and delete take. A session groups an upload;
//! completing it makes its records active and **permanently deletes every record of the
//! resource that is not in it** (a full refresh), cancelling discards it.
//!
//! Every operation needs the account's "Custom Connections and Tests" feature (else 402).

use crate::json::decode;
use crate::op::Op;
use crate::{Client, DrataError};
use reqwest::Method;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value, json};

/// One record to send: a JSON object, normally with an `id` field.
pub type Record = Map<String, Value>;

/// Where records go: a custom connection and one of its resources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resource {
    /// The custom connection's ID.
    pub connection_id: u64,
    /// The resource's ID within it.
    pub resource_id: u64,
}

/// What Drata did with one record of an upsert.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordOutcome {
    /// Drata's record ID, when the record was stored.
    #[serde(default)]
    pub id: Option<String>,
    /// 200 (updated), 201 (created), or the error's status.
    #[serde(default, deserialize_with = "status_code")]
    pub status_code: Option<u16>,
    /// The record as Drata stored (or refused) it.
    #[serde(default)]
    pub data: Value,
    /// Why it was refused, when it was (e.g. a schema-validation failure, code 28022).
    #[serde(default, deserialize_with = "error_text")]
    pub error: Option<String>,
}

impl RecordOutcome {
    /// Whether Drata stored the record.
    pub fn is_stored(&self) -> bool {
        self.error.is_none() && self.status_code.is_none_or(|s| (200..300).contains(&s))
    }
}

/// A stored record (`CustomDataResponsePublicV2Dto`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredRecord {
    /// Drata's record ID.
    pub id: String,
    /// The record's fields.
    #[serde(default)]
    pub attributes: Value,
    /// The session it was uploaded in, if any.
    #[serde(default)]
    pub session_id: Option<String>,
}

/// A session (`SessionResponsePublicV2Dto`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    /// The caller-chosen session ID.
    pub session_id: String,
    /// `IN_PROGRESS`, `ACTIVE`, `CANCELED` or `ARCHIVED`.
    pub status: String,
}

/// What to do with a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionAction {
    /// Make the session's records active and delete every record not in it.
    Complete,
    /// Discard the session's records.
    Cancel,
}

impl SessionAction {
    fn as_str(self) -> &'static str {
        match self {
            SessionAction::Complete => "complete",
            SessionAction::Cancel => "cancel",
        }
    }
}

/// The answer to a session action (`SessionActionResponsePublicV2Dto`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionActionResult {
    /// The session acted on.
    pub session_id: String,
    /// Its status afterwards.
    pub status: String,
}

/// A single upsert answers with one object, a bulk upsert with an array.
#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    Many(Vec<RecordOutcome>),
    One(RecordOutcome),
}

impl From<OneOrMany> for Vec<RecordOutcome> {
    fn from(answer: OneOrMany) -> Self {
        match answer {
            OneOrMany::Many(all) => all,
            OneOrMany::One(one) => vec![one],
        }
    }
}

fn status_code<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u16>, D::Error> {
    let number = Option::<f64>::deserialize(deserializer)?;
    Ok(number
        .filter(|n| n.fract() == 0.0 && (100.0..600.0).contains(n))
        .map(|n| n as u16))
}

/// `{message, code}`, or the doubly nested `{error: {message, code}}` of the spec's example.
fn error_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    let value = Option::<Value>::deserialize(deserializer)?;
    Ok(value.filter(|v| !v.is_null()).map(|v| {
        let inner = v.get("error").unwrap_or(&v);
        let message = inner
            .get("message")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| inner.to_string());
        match inner.get("code").and_then(Value::as_f64) {
            Some(code) => format!("{message} (code {code})"),
            None => message,
        }
    }))
}

impl Client {
    fn resource_url(&self, at: Resource, tail: &[&str]) -> Result<reqwest::Url, DrataError> {
        let connection = at.connection_id.to_string();
        let resource = at.resource_id.to_string();
        let mut segments = vec![
            "custom-connections",
            connection.as_str(),
            "resources",
            resource.as_str(),
        ];
        segments.extend_from_slice(tail);
        self.endpoint(&segments)
    }

    async fn post_records(
        &self,
        op: &Op,
        url: &reqwest::Url,
        data: Value,
    ) -> Result<Vec<RecordOutcome>, DrataError> {
        let body = json!({ "data": data });
        let answer = self
            .send(op, Method::POST, url, || {
                Ok(self.http.post(url.clone()).json(&body))
            })
            .await?;
        decode::<OneOrMany>(url, &answer).map(Vec::from)
    }

    /// Creates or updates one record (matched on its `id` field).
    pub async fn upsert_record(
        &self,
        at: Resource,
        record: Record,
    ) -> Result<RecordOutcome, DrataError> {
        let url = self.resource_url(at, &["records"])?;
        let op = Op::create_records(at.connection_id, at.resource_id);
        let mut outcomes = self.post_records(&op, &url, Value::Object(record)).await?;
        outcomes.pop().ok_or_else(|| DrataError::Decode {
            url: url.to_string(),
            detail: "no result for the record".into(),
        })
    }

    /// Creates or updates several records in one request; the answer has one outcome per
    /// record, in order, each stored or refused on its own.
    pub async fn upsert_records(
        &self,
        at: Resource,
        records: Vec<Record>,
    ) -> Result<Vec<RecordOutcome>, DrataError> {
        let url = self.resource_url(at, &["records"])?;
        let op = Op::create_records(at.connection_id, at.resource_id);
        let data = Value::Array(records.into_iter().map(Value::Object).collect());
        self.post_records(&op, &url, data).await
    }

    /// Every stored record of the resource, following the pagination.
    pub async fn list_records(&self, at: Resource) -> Result<Vec<StoredRecord>, DrataError> {
        let url = self.resource_url(at, &["records"])?;
        self.all_pages(&Op::list_records(at.connection_id, at.resource_id), &url)
            .await
    }

    /// Replaces the data of the record with Drata's ID `record_id`.
    pub async fn update_record(
        &self,
        at: Resource,
        record_id: &str,
        data: Record,
    ) -> Result<StoredRecord, DrataError> {
        let url = self.resource_url(at, &["records", record_id])?;
        let op = Op::record(at.connection_id, at.resource_id, record_id, false);
        let body = json!({ "data": data });
        let answer = self
            .send(&op, Method::PUT, &url, || {
                Ok(self.http.put(url.clone()).json(&body))
            })
            .await?;
        decode(&url, &answer)
    }

    /// Deletes the record with Drata's ID `record_id`.
    pub async fn delete_record(&self, at: Resource, record_id: &str) -> Result<(), DrataError> {
        let url = self.resource_url(at, &["records", record_id])?;
        let op = Op::record(at.connection_id, at.resource_id, record_id, true);
        self.send(&op, Method::DELETE, &url, || {
            Ok(self.http.delete(url.clone()))
        })
        .await
        .map(drop)
    }

    /// The resource's sessions.
    pub async fn list_sessions(&self, at: Resource) -> Result<Vec<Session>, DrataError> {
        let url = self.resource_url(at, &["sessions"])?;
        self.all_pages(&Op::list_records(at.connection_id, at.resource_id), &url)
            .await
    }

    /// Adds records to session `session_id` (3–64 characters, chosen by the caller; the first
    /// upload opens it). They stay inactive until the session is completed.
    pub async fn upload_session_records(
        &self,
        at: Resource,
        session_id: &str,
        records: Vec<Record>,
    ) -> Result<Vec<RecordOutcome>, DrataError> {
        let url = self.resource_url(at, &["sessions", session_id])?;
        let op = Op::create_records(at.connection_id, at.resource_id);
        let data = Value::Array(records.into_iter().map(Value::Object).collect());
        self.post_records(&op, &url, data).await
    }

    /// Completes or cancels session `session_id`. Completing deletes every record of the
    /// resource that is not in the session.
    pub async fn session_action(
        &self,
        at: Resource,
        session_id: &str,
        action: SessionAction,
    ) -> Result<SessionActionResult, DrataError> {
        let url = self.resource_url(at, &["sessions", session_id, "actions"])?;
        let op = Op::create_records(at.connection_id, at.resource_id);
        let body = json!({ "action": action.as_str() });
        let answer = self
            .send(&op, Method::POST, &url, || {
                Ok(self.http.post(url.clone()).json(&body))
            })
            .await?;
        decode(&url, &answer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bulk_answers_decode_per_the_spec_example() {
        // The spec's own example for the bulk upsert, error nesting included.
        let body = br#"[
          {"id":"fd52f04f-a030-44ea-a5af-40919194ab7e","createdAt":"2020-07-06 12:00:00.000000","updatedAt":"2020-07-06 13:00:00.000000","statusCode":200,"data":{"YOUR":"DATA"}},
          {"id":"fd52f04f-a030-44ea-a5af-40919194ab7f","statusCode":201,"data":{"YOUR":"DATA"}},
          {"statusCode":400,"data":{"YOUR":"DATA"},"error":{"error":{"message":"Schema validation failed for data: [{\"\":\"must have required property 'name'\"}]","code":28022}}}
        ]"#;
        let url = reqwest::Url::parse("https://x.test/").expect("valid");
        let outcomes: Vec<RecordOutcome> = decode::<OneOrMany>(&url, body).expect("decodes").into();
        assert_eq!(outcomes.len(), 3);
        assert!(outcomes[0].is_stored() && outcomes[1].is_stored());
        assert!(!outcomes[2].is_stored());
        let why = outcomes[2].error.as_deref().expect("error");
        assert!(
            why.contains("must have required property 'name'") && why.contains("28022"),
            "{why}"
        );
        let single = br#"{"id":"a","statusCode":200.0,"data":{}}"#;
        let outcomes: Vec<RecordOutcome> =
            decode::<OneOrMany>(&url, single).expect("decodes").into();
        assert_eq!(outcomes[0].status_code, Some(200));
    }
}
