//! What `devidence status` and the end of `devidence run` print.

use crate::config::Settings;
use crate::custom_records::PushReport;
use crate::deliver::{Delivery, Sent};
use crate::spool::{self, Item};
use crate::state::{self, State};
use serde_json::json;

/// Prints the resolved device, the last run, the last result per control and the spool.
pub fn print(settings: &Settings, as_json: bool) -> anyhow::Result<()> {
    let state = State::load(&state::path(&settings.data_dir));
    let spool_dir = settings.data_dir.join("spool");
    let pending = spool::read_items(&spool_dir);
    let rejected = spool::read_items(&spool_dir.join("rejected"));
    let daemon: Option<serde_json::Value> = crate::atomic::read_capped(
        &settings.data_dir.join("daemon.json"),
        crate::atomic::SMALL_FILE_BYTES,
        false,
    )
    .ok()
    .and_then(|b| serde_json::from_slice(&b).ok());
    let next_run = daemon
        .as_ref()
        .and_then(|d| d["next_run_at"].as_str())
        .map(str::to_string);
    if as_json {
        let item = |i: &Item| {
            json!({
                "id": i.id, "control": i.control, "type": i.drata_type, "name": i.upload_name,
                "bytes": i.bytes, "spooledAt": i.created_at.to_string(), "attempts": i.attempts,
                "lastError": i.last_error,
            })
        };
        let value = json!({
            "apiUrl": settings.api_url,
            "device": state.device,
            "lastRunAt": state.last_run_at.map(|t| t.to_string()),
            "lastRunOutcome": state.last_run_outcome,
            "nextRunAt": next_run,
            "controls": state.controls,
            "spool": {
                "dir": spool_dir,
                "pending": pending.iter().map(item).collect::<Vec<_>>(),
                "rejected": rejected.iter().map(item).collect::<Vec<_>>(),
            },
        });
        println!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(());
    }
    println!("Drata API: {}", settings.api_url);
    match &state.device {
        Some(d) => println!(
            "Device ID: {} ({}, resolved {})\n  why: {}",
            d.id,
            d.method.describe(),
            d.resolved_at,
            d.why
        ),
        None => match &settings.device_id {
            Some(id) => println!("Device ID: {id} (configured device_id; no run yet)"),
            None => println!("Device ID: not resolved yet (resolved on the next `devidence run`)"),
        },
    }
    match (&state.last_run_at, &state.last_run_outcome) {
        (Some(at), Some(outcome)) => println!("Last run: {at}: {outcome}"),
        _ => println!("Last run: none recorded"),
    }
    match (&next_run, &daemon) {
        (Some(at), Some(d)) => println!("Next run: {at} (devidence daemon, pid {})", d["pid"]),
        _ => println!(
            "Next run: set by the OS scheduler (systemctl list-timers devidence.timer; launchd; Task Scheduler)"
        ),
    }
    if !state.controls.is_empty() {
        println!("\nLast result per control:");
        for (control, r) in &state.controls {
            let docs = if r.documents.is_empty() {
                String::new()
            } else {
                format!(" (document {})", r.documents.join(", "))
            };
            println!("  {control:<18} {:<8} {}{docs}", r.verdict, r.upload);
            if let Some(e) = &r.error {
                println!("  {:<18} last error: {e}", "");
            }
        }
    }
    println!("\nSpool {}: {} pending", spool_dir.display(), pending.len());
    for i in &pending {
        print_item(i);
    }
    if !rejected.is_empty() {
        println!(
            "Refused by Drata, kept in {} ({}):",
            spool_dir.join("rejected").display(),
            rejected.len()
        );
        for i in &rejected {
            print_item(i);
        }
    }
    Ok(())
}

fn print_item(i: &Item) {
    println!(
        "  {}  {:<45} {:>9} bytes  attempts {}",
        i.created_at, i.upload_name, i.bytes, i.attempts
    );
    if let Some(e) = &i.last_error {
        println!("      last error: {e}");
    }
}

/// The upload report at the end of `devidence run`.
pub fn print_delivery(delivery: &Delivery) {
    match &delivery.device {
        Some(d) => println!(
            "\nUpload to Drata device {} ({}):",
            d.id,
            d.method.describe()
        ),
        None => println!("\nUpload to Drata: no device ID"),
    }
    for report in &delivery.items {
        let name = &report.item.upload_name;
        match &report.sent {
            Sent::Delivered(id) => println!(
                "  sent     {name:<45} as {} (document {id})",
                report.item.drata_type
            ),
            Sent::Rejected(why) => println!("  REFUSED  {name:<45} {why}"),
            Sent::Pending(why) => println!("  NOT SENT {name:<45} {why}"),
        }
    }
    if delivery.pending_after > 0 {
        println!(
            "  {} file(s) remain in the spool for the next run",
            delivery.pending_after
        );
    }
    match &delivery.records {
        Some(Ok(report)) => print_push(report),
        Some(Err(e)) => println!("\nCustom data records not pushed: {e}"),
        None => {}
    }
}

/// Per-record results of a custom data push.
pub fn print_push(report: &PushReport) {
    println!("\nCustom data records:");
    for (id, result) in &report.outcomes {
        match result {
            Ok(record_id) => println!("  stored   {id:<40} record {record_id}"),
            Err(why) => println!("  REFUSED  {id:<40} {why}"),
        }
    }
}
