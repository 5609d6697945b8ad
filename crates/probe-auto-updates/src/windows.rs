//! The Windows plan: every place that can turn automatic updates off, any one of which fails.
//!
//! All three are registry keys read in-process (no `reg.exe`, no `sc.exe`):
//!
//! | source | key | fails when |
//! |---|---|---|
//! | Group Policy | `HKLM\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate\AU` | `NoAutoUpdate`=1, or `AUOptions` 2, 3 or 7 (a person must download or install) |
//! | MDM (Intune) | `HKLM\SOFTWARE\Microsoft\PolicyManager\current\device\Update` | `AllowAutoUpdate` 0 (notify only) or 5 (off) |
//! | the service | `HKLM\SYSTEM\CurrentControlSet\Services\wuauserv`, value `Start` (what `sc qc` prints as `START_TYPE`) | start type 4 (disabled) |
//!
//! With no policy at all Windows 10 and 11 download and install updates by themselves (the
//! default), so an absent key passes; `AUOptions`=5 leaves the choice to the local
//! administrator, which no registry value records, so it is unknown.

use crate::policy::{Check, decide};
use devidence_core::windows::read_registry_key;
use devidence_core::{Control, Finding, ProbeRun};

/// Group Policy's Automatic Updates key.
pub const GPO_AU_KEY: &str = r"HKLM\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate\AU";
/// Where Intune and other MDMs write the Update CSP's current values.
pub const MDM_UPDATE_KEY: &str = r"HKLM\SOFTWARE\Microsoft\PolicyManager\current\device\Update";

/// The Windows Update service's configuration key: its `Start` value is the start type
/// `sc.exe qc wuauserv` prints (2 automatic, 3 manual, 4 disabled).
pub const SERVICE_KEY: &str = r"HKLM\SYSTEM\CurrentControlSet\Services\wuauserv";

/// Judges Group Policy's `NoAutoUpdate` and `AUOptions`.
pub fn gpo_check(no_auto_update: Option<u32>, au_options: Option<u32>) -> Check {
    let remedy = "Ask IT to set the Group Policy \"Configure Automatic Updates\" to option 4 (auto download and schedule the install), or to remove it so Windows installs updates by itself.";
    match (no_auto_update, au_options) {
        (Some(1), _) => Check::Fail {
            reason: "Group Policy turns automatic updates off (NoAutoUpdate=1)".into(),
            remedy: remedy.into(),
        },
        (_, Some(option @ (2 | 3 | 7))) => Check::Fail {
            reason: format!(
                "Group Policy leaves updates to a person (AUOptions={option}: {})",
                match option {
                    2 => "notify before download",
                    3 => "download automatically, notify before install",
                    _ => "download automatically, notify before install and restart",
                }
            ),
            remedy: remedy.into(),
        },
        (_, Some(5)) => Check::Unknown {
            reason: "Group Policy lets the local administrator choose (AUOptions=5), and that choice is not recorded in the registry".into(),
            remedy: remedy.into(),
        },
        (_, Some(4)) => Check::Ok("Group Policy downloads and installs updates on a schedule (AUOptions=4)".into()),
        (_, Some(other)) => Check::Unknown {
            reason: format!("Group Policy sets AUOptions={other}, a value Windows does not document"),
            remedy: remedy.into(),
        },
        (_, None) => Check::Ok("no Group Policy changes automatic updates".into()),
    }
}

/// Judges the MDM Update CSP's `AllowAutoUpdate`.
pub fn mdm_check(allow_auto_update: Option<u32>) -> Check {
    let remedy = "Ask IT to set the Intune update ring's \"Automatic update behavior\" to an option that installs automatically (AllowAutoUpdate 1–4).";
    match allow_auto_update {
        Some(0) => Check::Fail {
            reason: "MDM policy only notifies before downloading (AllowAutoUpdate=0)".into(),
            remedy: remedy.into(),
        },
        Some(5) => Check::Fail {
            reason: "MDM policy turns automatic updates off (AllowAutoUpdate=5)".into(),
            remedy: remedy.into(),
        },
        Some(v @ 1..=4) => Check::Ok(format!(
            "MDM policy installs updates automatically (AllowAutoUpdate={v})"
        )),
        Some(other) => Check::Unknown {
            reason: format!(
                "MDM policy sets AllowAutoUpdate={other}, a value Windows does not document"
            ),
            remedy: remedy.into(),
        },
        None => Check::Ok("no MDM policy changes automatic updates".into()),
    }
}

/// Reads `START_TYPE` from recorded `sc qc` output (`START_TYPE : 3   DEMAND_START`): the
/// number (older recordings; the plan reads the service key's `Start` value).
pub fn parse_start_type(text: &str) -> Option<u32> {
    text.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        (name.trim() == "START_TYPE").then(|| value.split_whitespace().next()?.parse().ok())?
    })
}

/// Judges the Windows Update service's start type.
pub fn service_check(start_type: Option<u32>) -> Check {
    match start_type {
        Some(4) => Check::Fail {
            reason: "the Windows Update service (wuauserv) is disabled".into(),
            remedy: "Set the Windows Update service back to Manual: `sc.exe config wuauserv start= demand` as administrator, and remove any tool that disables it.".into(),
        },
        Some(t) => Check::Ok(format!("the Windows Update service can start (start type {t})")),
        None => Check::Unknown {
            reason: "no start type could be read for wuauserv".into(),
            remedy: "Run `sc.exe qc wuauserv` as administrator and send the output to IT.".into(),
        },
    }
}

pub(crate) fn plan(mut run: ProbeRun<'_>) -> Finding {
    let mut checks = Vec::new();
    match read_registry_key(&mut run, GPO_AU_KEY) {
        Ok(dump) => {
            let value = |name: &str| {
                dump.as_ref().and_then(|d| {
                    d.keys()
                        .first()
                        .and_then(|k| k.values.iter().find(|v| v.name.eq_ignore_ascii_case(name)))
                        .and_then(|v| v.as_u32())
                })
            };
            let (no_auto, options) = (value("NoAutoUpdate"), value("AUOptions"));
            run.fact(
                "gpo.NoAutoUpdate",
                no_auto.map_or("not set".into(), |v| v.to_string()),
            );
            run.fact(
                "gpo.AUOptions",
                options.map_or("not set".into(), |v| v.to_string()),
            );
            checks.push(gpo_check(no_auto, options));
        }
        Err(why) => {
            run.fact("gpo", format!("unreadable: {why}"));
            checks.push(Check::Unknown {
                reason: format!("the Group Policy key could not be read ({why})"),
                remedy: "Check that devidence runs as SYSTEM (its scheduled task or service)."
                    .into(),
            });
        }
    }
    match read_registry_key(&mut run, MDM_UPDATE_KEY) {
        Ok(dump) => {
            let allow = dump.as_ref().and_then(|d| {
                d.keys()
                    .first()
                    .and_then(|k| {
                        k.values
                            .iter()
                            .find(|v| v.name.eq_ignore_ascii_case("AllowAutoUpdate"))
                    })
                    .and_then(|v| v.as_u32())
            });
            run.fact(
                "mdm.AllowAutoUpdate",
                allow.map_or("not set".into(), |v| v.to_string()),
            );
            checks.push(mdm_check(allow));
        }
        Err(why) => {
            run.fact("mdm", format!("unreadable: {why}"));
            checks.push(Check::Unknown {
                reason: format!("the MDM update policy could not be read ({why})"),
                remedy: "Check that devidence runs as SYSTEM (its scheduled task or service)."
                    .into(),
            });
        }
    }
    match read_registry_key(&mut run, SERVICE_KEY) {
        Ok(Some(dump)) => {
            let start = dump.value(SERVICE_KEY, "Start").and_then(|v| v.as_u32());
            run.fact(
                "service.wuauserv.start_type",
                start.map_or("not set".into(), |v| v.to_string()),
            );
            checks.push(service_check(start));
        }
        outcome => {
            let why = match outcome {
                Err(why) => why,
                _ => "the service is not registered on this machine".to_string(),
            };
            run.fact("service.wuauserv", format!("unreadable: {why}"));
            checks.push(Check::Unknown {
                reason: format!("the Windows Update service could not be queried ({why})"),
                remedy: "Run `sc.exe qc wuauserv` as administrator and send the output to IT."
                    .into(),
            });
        }
    }
    let decision = decide(
        "Windows downloads and installs updates automatically: no policy or service setting stops it.",
        &checks,
    );
    run.finish(
        Control::AutoUpdates,
        decision.verdict,
        decision.summary,
        decision.remediation,
    )
}
