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

use devidence_core::ProbeRun;
use devidence_core::windows::read_registry_key;

/// Group Policy's Automatic Updates key.
pub const GPO_AU_KEY: &str = r"HKLM\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate\AU";
/// Where Intune and other MDMs write the Update CSP's current values.
pub const MDM_UPDATE_KEY: &str = r"HKLM\SOFTWARE\Microsoft\PolicyManager\current\device\Update";

/// The Windows Update service's configuration key: its `Start` value is the start type
/// `sc.exe qc wuauserv` prints (2 automatic, 3 manual, 4 disabled).
pub const SERVICE_KEY: &str = r"HKLM\SYSTEM\CurrentControlSet\Services\wuauserv";

/// What the Windows plan read: each value, `None` when not set, or why its key could not be
/// read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Facts {
    /// Group Policy's `NoAutoUpdate` and `AUOptions` ([`GPO_AU_KEY`]).
    pub gpo: Result<(Option<u32>, Option<u32>), String>,
    /// The MDM Update CSP's `AllowAutoUpdate` ([`MDM_UPDATE_KEY`]).
    pub mdm: Result<Option<u32>, String>,
    /// The Windows Update service's start type ([`SERVICE_KEY`]'s `Start`).
    pub service: Result<Option<u32>, String>,
}

/// Reads the three keys, recording every fact.
pub fn gather(run: &mut ProbeRun<'_>) -> Facts {
    let gpo = match read_registry_key(run, GPO_AU_KEY) {
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
            Ok((no_auto, options))
        }
        Err(why) => {
            run.fact("gpo", format!("unreadable: {why}"));
            Err(why)
        }
    };
    let mdm = match read_registry_key(run, MDM_UPDATE_KEY) {
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
            Ok(allow)
        }
        Err(why) => {
            run.fact("mdm", format!("unreadable: {why}"));
            Err(why)
        }
    };
    let service = match read_registry_key(run, SERVICE_KEY) {
        Ok(Some(dump)) => {
            let start = dump.value(SERVICE_KEY, "Start").and_then(|v| v.as_u32());
            run.fact(
                "service.wuauserv.start_type",
                start.map_or("not set".into(), |v| v.to_string()),
            );
            Ok(start)
        }
        outcome => {
            let why = match outcome {
                Err(why) => why,
                _ => "the service is not registered on this machine".to_string(),
            };
            run.fact("service.wuauserv", format!("unreadable: {why}"));
            Err(why)
        }
    };
    Facts { gpo, mdm, service }
}
