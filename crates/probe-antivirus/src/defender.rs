//! Microsoft Defender for Endpoint on macOS and Linux: `mdatp health` judged the same way on
//! both.

use crate::ProductState;
use crate::parse;
use devidence_core::{Observation, Outcome, ProbeRun};

/// Judges an `mdatp health` observation (JSON or text): absent when `mdatp` is missing.
pub fn judge(run: &mut ProbeRun<'_>, obs: &Observation) -> ProductState {
    if obs.outcome == Outcome::NotFound {
        return ProductState::Absent;
    }
    if !obs.succeeded() {
        return ProductState::Unreadable(obs.failure_reason());
    }
    let health = match parse::mdatp_health(&obs.stdout) {
        Ok(h) => h,
        Err(why) => return ProductState::Unreadable(why),
    };
    if let Some(v) = &health.app_version {
        run.fact("mdatp.app_version", v.clone());
    }
    run.fact(
        "mdatp.real_time_protection",
        format!("{:?}", health.real_time_protection),
    );
    run.fact(
        "mdatp.definitions_status",
        health
            .definitions_status
            .clone()
            .unwrap_or_else(|| "not reported".into()),
    );
    run.fact("mdatp.healthy", format!("{:?}", health.healthy));
    if health.real_time_protection == Some(true)
        && health.real_time_protection_available == Some(false)
    {
        return ProductState::NotProtecting(
            "real-time protection is switched on but not available (on macOS: approve Defender's system extension and Full Disk Access)".into(),
        );
    }
    match (
        health.real_time_protection,
        health.healthy,
        health.definitions_status.as_deref(),
    ) {
        (Some(false), _, _) => ProductState::NotProtecting("real-time protection is off".into()),
        (_, Some(false), _) => {
            ProductState::NotProtecting("mdatp reports the agent unhealthy".into())
        }
        (_, _, Some(status)) if !["up_to_date", "updating"].contains(&status) => {
            ProductState::NotProtecting(format!("definitions are {status}"))
        }
        (Some(true), _, _) => {
            ProductState::Protecting("real-time protection on, definitions up to date".into())
        }
        (None, _, _) => {
            ProductState::Unreadable("mdatp did not report real_time_protection_enabled".into())
        }
    }
}
