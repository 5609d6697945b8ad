//! Windows: Group Policy, MDM policy and the Windows Update service, any of which can turn
//! automatic updates off.

use super::{Check, conclude};
use crate::windows::Facts;
use devidence_core::Conclusion;

/// The conclusion from what the Windows plan read.
pub fn conclude_windows(facts: &Facts) -> Conclusion {
    let checks = [
        match &facts.gpo {
            Ok((no_auto, options)) => conclude_gpo(*no_auto, *options),
            Err(why) => Check::Unknown {
                reason: format!("the Group Policy key could not be read ({why})"),
                remedy: "Check that devidence runs as SYSTEM (its scheduled task or service)."
                    .into(),
            },
        },
        match &facts.mdm {
            Ok(allow) => conclude_mdm(*allow),
            Err(why) => Check::Unknown {
                reason: format!("the MDM update policy could not be read ({why})"),
                remedy: "Check that devidence runs as SYSTEM (its scheduled task or service)."
                    .into(),
            },
        },
        match &facts.service {
            Ok(start) => conclude_service(*start),
            Err(why) => Check::Unknown {
                reason: format!("the Windows Update service could not be queried ({why})"),
                remedy: "Run `sc.exe qc wuauserv` as administrator and send the output to IT."
                    .into(),
            },
        },
    ];
    conclude(
        "Windows downloads and installs updates automatically: no policy or service setting stops it.",
        &checks,
    )
}

/// Concludes on Group Policy's `NoAutoUpdate` and `AUOptions`.
pub fn conclude_gpo(no_auto_update: Option<u32>, au_options: Option<u32>) -> Check {
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

/// Concludes on the MDM Update CSP's `AllowAutoUpdate`.
pub fn conclude_mdm(allow_auto_update: Option<u32>) -> Check {
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

/// Concludes on the Windows Update service's start type.
pub fn conclude_service(start_type: Option<u32>) -> Check {
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
