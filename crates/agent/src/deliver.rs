//! Delivering spooled evidence: resolve the device ID, send every pending item oldest first,
//! remove each only after Drata's 2xx, and push findings as custom data records if set up.

use crate::config::Settings;
use crate::custom_records;
use crate::resolve::{self, Inputs, ResolveError};
use crate::spool::{Item, Spool};
use crate::state::{ControlResult, Method, ResolvedDevice, State};
use devidence_core::{Control, DeviceIdentity, Finding};
use drata_client::{Client, DrataError};
use time::OffsetDateTime;

/// The Drata device-document `type` a control's evidence is uploaded as: drata-client's
/// mapping, which covers every control (checked in `bundle.rs`'s tests), so the empty
/// fallback (which Drata would refuse, never misfile) is not reached.
pub fn evidence_type(control: Control) -> &'static str {
    drata_client::evidence_type(control.slug()).unwrap_or_default()
}

/// What one item's upload came to.
#[derive(Debug)]
pub enum Sent {
    /// Delivered, with Drata's document ID.
    Delivered(String),
    /// Refused for good (e.g. 413); moved to the spool's `rejected/` folder.
    Rejected(String),
    /// Failed; still pending, retried on the next run.
    Pending(String),
}

/// One line of the upload report.
#[derive(Debug)]
pub struct ItemReport {
    /// The item.
    pub item: Item,
    /// What happened.
    pub sent: Sent,
}

/// The whole delivery.
#[derive(Debug)]
pub struct Delivery {
    /// Where the evidence went, if the device ID resolved.
    pub device: Option<ResolvedDevice>,
    /// Per item, oldest first.
    pub items: Vec<ItemReport>,
    /// Items left pending after this run.
    pub pending_after: usize,
    /// The first error that needs someone to act (or a later run), if any.
    pub error: Option<String>,
    /// The custom data push, if configured: `Ok(report)` or the error.
    pub records: Option<Result<custom_records::PushReport, DrataError>>,
}

/// Resolves the device and sends everything pending in `spool`.
pub async fn deliver(
    client: &Client,
    settings: &Settings,
    spool: &Spool,
    state: &mut State,
    device: &DeviceIdentity,
    findings: &[Finding],
) -> Delivery {
    let inputs = Inputs {
        configured: settings.device_id.clone(),
        serial_number: device.serial_number.clone(),
        mac_addresses: resolve::local_mac_addresses(),
        owner_email: settings.owner_email.as_ref().map(|(e, _)| e.clone()),
        device_connection_id: settings.device_connection_id,
        api_url: settings.api_url.clone(),
    };
    // Every error text kept (spool records, state.json, the report) is redacted whole, before
    // anything shortens it, in case a server or proxy echoed the key.
    let redactor = settings.redactor();
    let text = |e: &dyn std::fmt::Display| redactor.redact(&e.to_string());
    let mut delivery = Delivery {
        device: None,
        items: Vec::new(),
        pending_after: 0,
        error: None,
        records: None,
    };
    let now = OffsetDateTime::now_utc();
    let mut target = match resolve::resolve(
        client,
        &inputs,
        state.device.as_ref(),
        device,
        findings,
        now,
    )
    .await
    {
        Ok(target) => target,
        Err(e) => {
            tracing::warn!("device ID not resolved: {e}");
            delivery.error = Some(text(&e));
            delivery.pending_after = spool.pending().len();
            if !matches!(e, ResolveError::Drata { .. }) || !e.is_transient() {
                state.device = None;
            }
            return delivery;
        }
    };
    tracing::info!(device = %target.id, method = ?target.method, "uploading to Drata device {}: {}", target.id, target.why);
    state.device = Some(target.clone());

    let mut re_resolved = false;
    let mut stopped = false;
    for mut item in spool.pending() {
        if stopped {
            break;
        }
        let bytes = match spool.payload(&item) {
            Ok(bytes) => bytes,
            Err(e) => {
                let why = text(&e);
                let _ = spool.reject(&mut item, &why);
                delivery.items.push(ItemReport {
                    item,
                    sent: Sent::Rejected(why),
                });
                continue;
            }
        };
        let mut result = client
            .upload_device_document(
                &target.id,
                &item.drata_type,
                &item.upload_name,
                bytes.clone(),
            )
            .await;
        // A cached or looked-up ID Drata no longer knows: resolve again once, then retry.
        if matches!(result, Err(DrataError::NotFound { .. }))
            && target.method != Method::Configured
            && !re_resolved
        {
            re_resolved = true;
            tracing::warn!(device = %target.id, "Drata answered 404 for the device ID; resolving again");
            match resolve::resolve(
                client,
                &inputs,
                None,
                device,
                findings,
                OffsetDateTime::now_utc(),
            )
            .await
            {
                Ok(fresh) => {
                    target = fresh;
                    state.device = Some(target.clone());
                    result = client
                        .upload_device_document(
                            &target.id,
                            &item.drata_type,
                            &item.upload_name,
                            bytes,
                        )
                        .await;
                }
                Err(e) => {
                    state.device = None;
                    delivery.error.get_or_insert(text(&e));
                    stopped = true;
                    let why = text(&e);
                    let _ = spool.record_failure(&mut item, &why);
                    delivery.items.push(ItemReport {
                        item,
                        sent: Sent::Pending(why),
                    });
                    continue;
                }
            }
        }
        let sent = match result {
            Ok(document) => match spool.remove(&item) {
                Ok(()) => Sent::Delivered(document.id.to_string()),
                Err(e) => {
                    // Delivered, but the record could not be removed: it will be sent again.
                    tracing::warn!(
                        "{} was delivered but stays in the spool: {e}",
                        item.upload_name
                    );
                    Sent::Delivered(document.id.to_string())
                }
            },
            Err(e @ (DrataError::TooLarge { .. } | DrataError::BadRequest { .. })) => {
                let why = text(&e);
                delivery.error.get_or_insert(why.clone());
                let _ = spool.reject(&mut item, &why);
                Sent::Rejected(why)
            }
            Err(e) => {
                let why = text(&e);
                delivery.error.get_or_insert(why.clone());
                if matches!(e, DrataError::NotFound { .. }) {
                    state.device = None;
                }
                let _ = spool.record_failure(&mut item, &why);
                // Everything else (key, permission, device, terms, network) would repeat.
                stopped = true;
                Sent::Pending(why)
            }
        };
        delivery.items.push(ItemReport { item, sent });
    }
    delivery.device = Some(target);
    delivery.pending_after = spool.pending().len();

    if let Some(records) = settings.records {
        let rows = custom_records::records(device, findings);
        let pushed = custom_records::push(client, records.resource, rows, records.bulk).await;
        if let Err(e) = &pushed {
            delivery
                .error
                .get_or_insert(format!("pushing findings as custom data records: {e}"));
        } else if let Ok(report) = &pushed
            && report.refused() > 0
        {
            delivery.error.get_or_insert(format!(
                "Drata refused {} of {} custom data records; see the list above",
                report.refused(),
                report.outcomes.len()
            ));
        }
        delivery.records = Some(pushed);
    }
    delivery
}

/// Updates the per-control results in `state` from this run's findings and delivery.
pub fn remember(
    state: &mut State,
    findings: &[Finding],
    delivery: Option<&Delivery>,
    spool: &[Item],
) {
    for finding in findings {
        let slug = finding.control.slug().to_string();
        let mut documents = Vec::new();
        let mut error = None;
        let mut delivered_at = state.controls.get(&slug).and_then(|p| p.delivered_at);
        let mut upload = if delivery.is_some() {
            "sent"
        } else {
            "not uploaded"
        }
        .to_string();
        if let Some(delivery) = delivery {
            for report in delivery
                .items
                .iter()
                .filter(|r| r.item.control == finding.control)
            {
                match &report.sent {
                    Sent::Delivered(id) => {
                        documents.push(id.clone());
                        delivered_at = Some(OffsetDateTime::now_utc());
                    }
                    Sent::Rejected(why) => {
                        upload = "rejected".into();
                        error = Some(why.clone());
                    }
                    Sent::Pending(why) => error = Some(why.clone()),
                }
            }
            if spool.iter().any(|i| i.control == finding.control) {
                upload = "pending".into();
                if error.is_none() {
                    error = delivery.error.clone();
                }
            }
        }
        state.controls.insert(
            slug,
            ControlResult {
                verdict: finding.verdict.label().to_lowercase(),
                collected_at: finding.collected_at,
                upload,
                documents,
                delivered_at,
                error,
            },
        );
    }
}

/// Whether a scheduled run may skip rendering and uploading: nothing waits in the spool,
/// and every control's verdict equals the last one, delivered less than `min_upload` ago.
pub fn unchanged_and_recent(
    state: &State,
    findings: &[Finding],
    spool_empty: bool,
    min_upload: std::time::Duration,
    now: OffsetDateTime,
) -> bool {
    let min_upload = time::Duration::try_from(min_upload).unwrap_or(time::Duration::MAX);
    spool_empty
        && !findings.is_empty()
        && findings.iter().all(|f| {
            state.controls.get(f.control.slug()).is_some_and(|last| {
                last.verdict == f.verdict.label().to_lowercase()
                    && last.delivered_at.is_some_and(|at| {
                        let age = now - at;
                        age >= time::Duration::ZERO && age < min_upload
                    })
            })
        })
}
