//! `devidence doctor`: checks what a run needs and says what to fix — configuration, the API
//! key and keychain, reaching Drata with a harmless authenticated read (which also proves the
//! key's permission), this computer's clock against Drata's, and the spool.

use crate::config::Settings;
use crate::secrets;
use crate::spool;
use crate::state::{self, State};
use serde::Serialize;

/// How one check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Fine.
    Ok,
    /// Works, but worth a look.
    Warn,
    /// A run would fail.
    Fail,
}

/// One check.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// What was checked.
    pub name: &'static str,
    /// The outcome.
    pub level: Level,
    /// What was found, and for anything not OK what to do.
    pub detail: String,
}

/// Clock skew past which uploads and TLS may fail.
const MAX_SKEW_SECONDS: i64 = 300;

/// Runs every check. `settings` already loaded (a configuration error is reported by the
/// caller before this).
pub fn run(settings: &Settings) -> Vec<Check> {
    let mut checks = vec![Check {
        name: "configuration",
        level: Level::Ok,
        detail: format!(
            "{} (API {})",
            settings
                .source
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "no file, defaults".into()),
            settings.api_url
        ),
    }];
    let keychain = match secrets::keychain_get() {
        Ok(Some(_)) => (Level::Ok, "holds the Drata API key".to_string()),
        Ok(None) => (Level::Ok, "reachable, no key stored".to_string()),
        Err(why) => (
            Level::Warn,
            format!("not usable here ({why}); use DRATA_API_KEY or a root-only key file"),
        ),
    };
    checks.push(Check {
        name: "keychain",
        level: keychain.0,
        detail: keychain.1,
    });
    let key = secrets::api_key(settings);
    checks.push(match &key {
        Ok((_, source)) => Check {
            name: "API key",
            level: Level::Ok,
            detail: format!("from {source}"),
        },
        Err(e) => Check {
            name: "API key",
            level: Level::Fail,
            detail: e.to_string(),
        },
    });
    if let Ok((key, _)) = key {
        checks.extend(api_checks(settings, key));
    }
    checks.push(spool_check(settings));
    #[cfg(windows)]
    checks.push(data_folder_acl_check(settings));
    checks
}

fn api_checks(settings: &Settings, key: secrecy::SecretString) -> Vec<Check> {
    let client = match drata_client::Client::new(&settings.api_url, key, "devidence-doctor") {
        Ok(c) => c.with_retry(drata_client::RetryPolicy::none()),
        Err(e) => {
            return vec![Check {
                name: "Drata API",
                level: Level::Fail,
                detail: e.to_string(),
            }];
        }
    };
    let state = State::load(&state::path(&settings.data_dir));
    let device = settings
        .device_id
        .clone()
        .or_else(|| state.device.as_ref().map(|d| d.id.clone()));
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return Vec::new();
    };
    // The read a run depends on: the device's documents (the upload permission), else the
    // device lookup by a serial number that cannot match.
    let (what, result) = runtime.block_on(async {
        match &device {
            Some(id) => (
                format!("listed the documents of device {id}"),
                client.list_device_documents(id).await.map(drop),
            ),
            None => (
                "looked devices up (no device resolved yet)".to_string(),
                client
                    .find_devices(&drata_client::devices::DeviceQuery::serial_number(
                        "devidence-doctor-probe",
                    ))
                    .await
                    .map(drop),
            ),
        }
    });
    let mut checks = vec![match result {
        Ok(()) => Check {
            name: "Drata API",
            level: Level::Ok,
            detail: format!("reached {} and {what}", client.base_url()),
        },
        Err(e) => Check {
            name: "Drata API",
            level: Level::Fail,
            detail: e.to_string(),
        },
    }];
    if let Some(server) = client.last_server_date() {
        let skew = (time::OffsetDateTime::now_utc() - server).whole_seconds();
        checks.push(Check {
            name: "clock",
            level: if skew.abs() > MAX_SKEW_SECONDS {
                Level::Fail
            } else {
                Level::Ok
            },
            detail: if skew.abs() > MAX_SKEW_SECONDS {
                format!(
                    "this computer's clock is {skew} s off Drata's; turn on automatic time (NTP)"
                )
            } else {
                format!("within {} s of Drata's", skew.abs())
            },
        });
    }
    checks
}

/// On Windows: who besides SYSTEM, Administrators and the owner may read the data folder
/// (the spool holds evidence, and a key file may sit there).
#[cfg(windows)]
fn data_folder_acl_check(settings: &Settings) -> Check {
    let dir = &settings.data_dir;
    match crate::acl::others_who_can_read(dir) {
        Ok(readers) if readers.is_empty() => Check {
            name: "data folder",
            level: Level::Ok,
            detail: format!(
                "{}: readable by SYSTEM, Administrators and its owner only",
                dir.display()
            ),
        },
        Ok(readers) => Check {
            name: "data folder",
            level: Level::Fail,
            detail: format!(
                "{} can be read by {} too; run `devidence msi-install` as administrator (or reinstall the MSI) to restrict it",
                dir.display(),
                readers.join(", ")
            ),
        },
        Err(why) => Check {
            name: "data folder",
            level: Level::Warn,
            detail: format!(
                "the permissions of {} could not be read: {why}",
                dir.display()
            ),
        },
    }
}

fn spool_check(settings: &Settings) -> Check {
    let dir = settings.data_dir.join("spool");
    let pending = spool::read_items(&dir);
    let rejected = spool::read_items(&dir.join("rejected"));
    let writable = crate::atomic::create_private_dir(&dir).and_then(|()| {
        let probe = dir.join(".doctor-probe");
        crate::atomic::write(&probe, b"ok")?;
        std::fs::remove_file(probe)
    });
    match writable {
        Err(e) => Check {
            name: "spool",
            level: Level::Fail,
            detail: format!(
                "{} is not writable ({e}); run as the service's user (root / SYSTEM) or fix its permissions",
                dir.display()
            ),
        },
        Ok(()) => {
            let oldest = pending
                .first()
                .map(|i| format!(", oldest spooled {}", i.created_at))
                .unwrap_or_default();
            let level = if rejected.is_empty() && pending.len() < 50 {
                Level::Ok
            } else {
                Level::Warn
            };
            Check {
                name: "spool",
                level,
                detail: format!(
                    "{}: {} pending{oldest}, {} refused by Drata{}",
                    dir.display(),
                    pending.len(),
                    rejected.len(),
                    if level == Level::Warn {
                        "; see `devidence status`"
                    } else {
                        ""
                    }
                ),
            }
        }
    }
}

/// Prints the checks as a table or JSON.
pub fn print(checks: &[Check], json: bool) {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(checks).unwrap_or_default()
        );
        return;
    }
    for c in checks {
        let label = match c.level {
            Level::Ok => "OK  ",
            Level::Warn => "WARN",
            Level::Fail => "FAIL",
        };
        println!("{label}  {:<14} {}", c.name, c.detail);
    }
}
