//! Findings as Drata custom data records: one record per device and control, identified by
//! `<serial number>:<control>` so that every run updates the same records.
//!
//! The record fields (the custom resource's schema in Drata should declare them; see
//! ARCHITECTURE.md): `id`, `serialNumber`, `hostname`, `platform`, `osVersion`, `control`,
//! `drataType`, `verdict`, `reason`, `summary`, `remediation`, `collectedAt`, `agentVersion`.

use devidence_core::{DeviceIdentity, Finding, Verdict};
use drata_client::custom_data::{Record, RecordOutcome, Resource, SessionAction};
use drata_client::{Client, DrataError};
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;

/// The record identifier for a finding: serial number (else hostname) and control.
pub fn record_id(device: &DeviceIdentity, finding: &Finding) -> String {
    let machine = device
        .serial_number
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or(&device.hostname);
    format!("{machine}:{}", finding.control.slug())
}

/// One record per finding.
pub fn records(device: &DeviceIdentity, findings: &[Finding]) -> Vec<Record> {
    findings
        .iter()
        .map(|f| {
            let (verdict, reason) = match &f.verdict {
                Verdict::Pass => ("pass", Value::Null),
                Verdict::Fail => ("fail", Value::Null),
                Verdict::Unknown { reason } => ("unknown", json!(reason)),
            };
            let value = json!({
                "id": record_id(device, f),
                "serialNumber": device.serial_number,
                "hostname": device.hostname,
                "platform": f.os.to_string(),
                "osVersion": device.os_version,
                "control": f.control.slug(),
                "drataType": crate::deliver::evidence_type(f.control),
                "verdict": verdict,
                "reason": reason,
                "summary": f.summary,
                "remediation": f.remediation,
                "collectedAt": f.collected_at.format(&Rfc3339).unwrap_or_default(),
                "agentVersion": env!("CARGO_PKG_VERSION"),
            });
            match value {
                Value::Object(map) => map,
                _ => Record::new(),
            }
        })
        .collect()
}

/// What happened to each record of a push.
#[derive(Debug)]
pub struct PushReport {
    /// (record identifier, Drata's record ID or the refusal).
    pub outcomes: Vec<(String, Result<String, String>)>,
}

impl PushReport {
    /// Records Drata refused.
    pub fn refused(&self) -> usize {
        self.outcomes.iter().filter(|(_, r)| r.is_err()).count()
    }
}

fn report(records: &[Record], outcomes: Vec<RecordOutcome>) -> PushReport {
    let ids = records.iter().map(|r| {
        r.get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    });
    let mut outcomes = outcomes.into_iter();
    PushReport {
        outcomes: ids
            .map(|id| {
                let result = match outcomes.next() {
                    Some(o) if o.is_stored() => Ok(o.id.unwrap_or_default()),
                    Some(o) => Err(o
                        .error
                        .unwrap_or_else(|| format!("status {:?}", o.status_code))),
                    None => Err("Drata returned no result for this record".into()),
                };
                (id, result)
            })
            .collect(),
    }
}

/// Pushes the records in one bulk request, or one request per record.
pub async fn push(
    client: &Client,
    at: Resource,
    records: Vec<Record>,
    bulk: bool,
) -> Result<PushReport, DrataError> {
    if bulk {
        let outcomes = client.upsert_records(at, records.clone()).await?;
        return Ok(report(&records, outcomes));
    }
    let mut outcomes = Vec::new();
    for record in &records {
        outcomes.push(client.upsert_record(at, record.clone()).await?);
    }
    Ok(report(&records, outcomes))
}

/// A full refresh: all `records` go into a new session that is completed only if Drata
/// stored every one (completing deletes every record of the resource not in the session);
/// otherwise the session is cancelled and the resource left as it was.
pub async fn refresh(
    client: &Client,
    at: Resource,
    records: Vec<Record>,
    session_id: &str,
) -> Result<(PushReport, SessionAction), DrataError> {
    let outcomes = client
        .upload_session_records(at, session_id, records.clone())
        .await?;
    let pushed = report(&records, outcomes);
    let action = if pushed.refused() == 0 {
        SessionAction::Complete
    } else {
        SessionAction::Cancel
    };
    client.session_action(at, session_id, action).await?;
    Ok((pushed, action))
}
