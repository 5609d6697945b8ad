//! The Windows registry and WMI, read in-process: no `reg.exe` and no PowerShell on the hot
//! path. What is read becomes an observation's text in the same layout the parsers read
//! (`reg query`'s for keys, a JSON array for WMI objects), so a recording of a real PC replays
//! on any OS.

use super::{RegistryRead, WmiQuery};
use crate::finding::{Observation, Outcome};
use crate::windows::{RegData, write_reg_key, write_reg_subkeys};
use std::collections::BTreeMap;
use std::sync::mpsc;
use std::thread;
use windows_registry::{Key, Type, Value};

/// Deepest key level a recursive read descends to below the key asked for.
const MAX_DEPTH: usize = 12;

/// `HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND)`: the key does not exist.
const HRESULT_NOT_FOUND: i32 = 0x8007_0002_u32 as i32;
/// `HRESULT_FROM_WIN32(ERROR_ACCESS_DENIED)`.
const HRESULT_ACCESS_DENIED: i32 = 0x8007_0005_u32 as i32;

/// Reads `read` into `obs`, at most `cap` bytes of text (then `truncated`).
pub(super) fn read_registry(read: &RegistryRead, cap: usize, obs: &mut Observation) {
    let Some((hive, path)) = open_hive(&read.key) else {
        obs.outcome = Outcome::Failed {
            message: format!("`{}` does not start with a registry hive", read.key),
        };
        return;
    };
    // An empty path opens the hive itself.
    let key = match hive.open(path) {
        Ok(key) => key,
        Err(err) => {
            obs.outcome = registry_outcome(&err);
            return;
        }
    };
    let mut text = String::new();
    let depth = if read.recursive { MAX_DEPTH } else { 0 };
    write_key(
        &key,
        read.key.trim_end_matches('\\'),
        read,
        depth,
        cap,
        &mut text,
    );
    set_capped_text(obs, text, cap);
}

/// Keeps at most `cap` bytes of `text` (cut at a character boundary) as the observation's
/// text, marking it truncated when cut. Cut JSON is unreadable, which is what the parsers must
/// see: never a guess.
fn set_capped_text(obs: &mut Observation, mut text: String, cap: usize) {
    if text.len() > cap {
        let mut end = cap;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        obs.truncated = true;
    }
    obs.stdout = text;
}

/// The hive of `key` and the path below it.
fn open_hive(key: &str) -> Option<(&'static Key, &str)> {
    let key = key.trim().trim_end_matches('\\');
    let (hive, rest) = key.split_once('\\').unwrap_or((key, ""));
    let hive = match hive.to_ascii_uppercase().as_str() {
        "HKLM" | "HKEY_LOCAL_MACHINE" => windows_registry::LOCAL_MACHINE,
        "HKU" | "HKEY_USERS" => windows_registry::USERS,
        "HKCU" | "HKEY_CURRENT_USER" => windows_registry::CURRENT_USER,
        "HKCR" | "HKEY_CLASSES_ROOT" => windows_registry::CLASSES_ROOT,
        "HKCC" | "HKEY_CURRENT_CONFIG" => windows_registry::CURRENT_CONFIG,
        _ => return None,
    };
    Some((hive, rest))
}

/// Appends `key` (at `path`) and, `depth` levels down, its subkeys. Subkeys that cannot be
/// opened are left out, as `reg query /s` leaves them out.
fn write_key(
    key: &Key,
    path: &str,
    read: &RegistryRead,
    depth: usize,
    cap: usize,
    out: &mut String,
) {
    let values: Vec<(String, RegData)> = key
        .values()
        .map(|values| {
            values
                .filter(|(name, _)| {
                    read.only_values.is_empty()
                        || read
                            .only_values
                            .iter()
                            .any(|n| n.eq_ignore_ascii_case(name))
                })
                .map(|(name, value)| (name, reg_data(&value)))
                .collect()
        })
        .unwrap_or_default();
    write_reg_key(out, path, &values);
    let names: Vec<String> = key.keys().map(Iterator::collect).unwrap_or_default();
    if depth == 0 {
        if !read.recursive {
            write_reg_subkeys(out, path, &names);
        }
        return;
    }
    for name in names {
        if out.len() > cap {
            return;
        }
        if let Ok(sub) = key.open(&name) {
            write_key(&sub, &format!("{path}\\{name}"), read, depth - 1, cap, out);
        }
    }
}

/// One value's data by its type.
fn reg_data(value: &Value) -> RegData {
    let bytes: &[u8] = value;
    let text = || {
        let wide: Vec<u16> = value.as_wide().to_vec();
        let end = wide.iter().position(|&c| c == 0).unwrap_or(wide.len());
        String::from_utf16_lossy(&wide[..end])
    };
    match value.ty() {
        Type::U32 if bytes.len() >= 4 => {
            RegData::Dword(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
        }
        Type::U64 if bytes.len() >= 8 => {
            let mut eight = [0u8; 8];
            eight.copy_from_slice(&bytes[..8]);
            RegData::Qword(u64::from_le_bytes(eight))
        }
        Type::String => RegData::Sz(text()),
        Type::ExpandString => RegData::ExpandSz(text()),
        Type::MultiString => RegData::MultiSz(
            String::from_utf16_lossy(value.as_wide())
                .split('\0')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
        ),
        Type::Bytes => RegData::Binary(bytes.to_vec()),
        Type::U32 => RegData::Other(4, bytes.to_vec()),
        Type::U64 => RegData::Other(11, bytes.to_vec()),
        Type::Other(kind) => RegData::Other(kind, bytes.to_vec()),
    }
}

/// How a failed open ends: a missing key is not found, a refused one permission denied.
fn registry_outcome(err: &windows_result::Error) -> Outcome {
    match err.code().0 {
        HRESULT_NOT_FOUND => Outcome::NotFound,
        HRESULT_ACCESS_DENIED => Outcome::PermissionDenied,
        _ => Outcome::Failed {
            message: err.message(),
        },
    }
}

/// WMI's "invalid namespace" and "invalid class": this machine has no such provider.
const WBEM_E_INVALID_NAMESPACE: i32 = 0x8004_100E_u32 as i32;
const WBEM_E_INVALID_CLASS: i32 = 0x8004_1010_u32 as i32;
const WBEM_E_NOT_FOUND: i32 = 0x8004_1002_u32 as i32;
const WBEM_E_ACCESS_DENIED: i32 = 0x8004_1003_u32 as i32;

/// Runs `query` on a thread of its own (COM is per thread, and a stuck provider must not
/// hold the run past the deadline; such a thread is left to finish on its own).
pub(super) fn query_wmi(query: &WmiQuery, cap: usize, obs: &mut Observation) {
    let (tx, rx) = mpsc::channel();
    let namespace = query.namespace.clone();
    let wql = query.wql.clone();
    let spawned = thread::Builder::new()
        .name("wmi-query".into())
        .spawn(move || {
            let _ = tx.send(run_wmi(&namespace, &wql));
        });
    if let Err(err) = spawned {
        obs.outcome = Outcome::Failed {
            message: format!("could not start the WMI query: {err}"),
        };
        return;
    }
    match rx.recv_timeout(query.deadline) {
        Ok(Ok(text)) => set_capped_text(obs, text, cap),
        Ok(Err(outcome)) => obs.outcome = outcome,
        Err(_) => {
            obs.outcome = Outcome::TimedOut {
                deadline_ms: u64::try_from(query.deadline.as_millis()).unwrap_or(u64::MAX),
            }
        }
    }
}

/// Connects to `namespace` (packet privacy, which `Win32_EncryptableVolume` requires and the
/// others accept) and returns the objects as a JSON array.
fn run_wmi(namespace: &str, wql: &str) -> Result<String, Outcome> {
    let connection = wmi::WMIConnection::with_namespace_path(namespace).map_err(wmi_outcome)?;
    connection
        .set_proxy_blanket(wmi::AuthLevel::PktPrivacy)
        .map_err(wmi_outcome)?;
    let rows: Vec<BTreeMap<String, wmi::Variant>> =
        connection.raw_query(wql).map_err(wmi_outcome)?;
    serde_json::to_string_pretty(&rows).map_err(|e| Outcome::Failed {
        message: format!("the WMI objects could not be written as JSON: {e}"),
    })
}

fn wmi_outcome(err: wmi::WMIError) -> Outcome {
    match err {
        wmi::WMIError::HResultError { hres } => match hres {
            WBEM_E_INVALID_NAMESPACE | WBEM_E_INVALID_CLASS | WBEM_E_NOT_FOUND => Outcome::NotFound,
            WBEM_E_ACCESS_DENIED | HRESULT_ACCESS_DENIED => Outcome::PermissionDenied,
            other => Outcome::Failed {
                message: format!("WMI answered HRESULT {:#010X}", other as u32),
            },
        },
        other => Outcome::Failed {
            message: format!("WMI: {other}"),
        },
    }
}
