//! Windows building blocks every probe's Windows plan shares: registry keys as `reg query`
//! prints them (the layout the in-process reader writes and older recordings hold), WMI objects
//! in any of the shapes Windows prints them, and the machine's user profiles.
//!
//! All of it is plain Rust that runs anywhere, so Windows plans are tested on any OS against
//! recorded outputs. The agent runs as SYSTEM on Windows; it never runs commands as another
//! user, and reads a signed-in user's settings from their loaded hive under `HKU\<sid>`.

use crate::host::RegistryRead;
use crate::probe::ProbeRun;
use std::collections::BTreeMap;

/// The registry key listing every user profile on the machine.
pub const PROFILE_LIST_KEY: &str = r"HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\ProfileList";

/// One registry value as `reg query` prints it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegValue {
    /// The value's name; `(Default)` for the key's unnamed value (localized by Windows).
    pub name: String,
    /// The type as printed: `REG_DWORD`, `REG_SZ`, `REG_EXPAND_SZ`, `REG_QWORD`, …
    pub kind: String,
    /// The data as printed (`0x1` for numbers; empty when the value is empty).
    pub data: String,
}

impl RegValue {
    /// The value as a number, for `REG_DWORD` (`0x…`) or a decimal `REG_SZ`.
    pub fn as_u32(&self) -> Option<u32> {
        self.as_u64().and_then(|n| u32::try_from(n).ok())
    }

    /// The value as a 64-bit number, for `REG_DWORD`/`REG_QWORD` (`0x…`) or decimal text.
    pub fn as_u64(&self) -> Option<u64> {
        let data = self.data.trim();
        match data.strip_prefix("0x").or_else(|| data.strip_prefix("0X")) {
            Some(hex) => u64::from_str_radix(hex, 16).ok(),
            None => data.parse().ok(),
        }
    }
}

/// One key of a `reg query` dump.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegKey {
    /// The key's full path, with the hive spelled as printed (`HKEY_LOCAL_MACHINE\…`).
    pub path: String,
    /// Its values, in printed order.
    pub values: Vec<RegValue>,
}

/// The keys and values printed by one or more `reg query` runs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RegistryDump {
    keys: Vec<RegKey>,
}

impl RegistryDump {
    /// Every key printed, values or not, in order.
    pub fn keys(&self) -> &[RegKey] {
        &self.keys
    }

    /// The key at `path` (`HKLM\…` and `HKEY_LOCAL_MACHINE\…` match; case does not matter).
    pub fn key(&self, path: &str) -> Option<&RegKey> {
        let wanted = normalize_key(path);
        self.keys.iter().find(|k| normalize_key(&k.path) == wanted)
    }

    /// The value `name` of the key at `path` (names match case-insensitively, like Windows).
    pub fn value(&self, path: &str, name: &str) -> Option<&RegValue> {
        self.key(path)?
            .values
            .iter()
            .find(|v| v.name.eq_ignore_ascii_case(name))
    }

    /// The keys directly below `path`.
    pub fn subkeys(&self, path: &str) -> Vec<&RegKey> {
        let prefix = normalize_key(path) + "\\";
        self.keys
            .iter()
            .filter(|k| {
                normalize_key(&k.path)
                    .strip_prefix(&prefix)
                    .is_some_and(|rest| !rest.is_empty() && !rest.contains('\\'))
            })
            .collect()
    }
}

/// Spells a key with the long hive name, upper case, without a trailing backslash.
fn normalize_key(path: &str) -> String {
    let path = path.trim().trim_end_matches('\\');
    let (hive, rest) = path.split_once('\\').unwrap_or((path, ""));
    let hive = match hive.to_ascii_uppercase().as_str() {
        "HKLM" => "HKEY_LOCAL_MACHINE".to_string(),
        "HKCU" => "HKEY_CURRENT_USER".to_string(),
        "HKU" => "HKEY_USERS".to_string(),
        "HKCR" => "HKEY_CLASSES_ROOT".to_string(),
        "HKCC" => "HKEY_CURRENT_CONFIG".to_string(),
        other => other.to_string(),
    };
    if rest.is_empty() {
        hive
    } else {
        format!("{hive}\\{}", rest.to_uppercase())
    }
}

/// Parses what `reg.exe query` prints: a key line (`HKEY_…\…`) followed by indented
/// `NAME    TYPE    DATA` lines, blank lines between keys, and maybe the
/// `End of search: N match(es) found.` trailer of a `/f` search (ignored).
pub fn parse_reg_query(text: &str) -> RegistryDump {
    let mut dump = RegistryDump::default();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        if line.starts_with("HKEY_") {
            dump.keys.push(RegKey {
                path: line.trim().to_string(),
                values: Vec::new(),
            });
            continue;
        }
        let Some(key) = dump.keys.last_mut() else {
            continue;
        };
        if !line.starts_with(' ') {
            continue;
        }
        if let Some(value) = parse_value_line(line.trim()) {
            key.values.push(value);
        }
    }
    dump
}

/// [`parse_reg_query`] for a query that succeeded, fail closed: output with no `HKEY_…` key
/// line at all is not what `reg.exe query` prints for an existing key (it may be a wrapper's
/// error, a truncated capture or another language's message), so it is an error, never "no
/// values set".
pub fn parse_reg_query_checked(text: &str) -> Result<RegistryDump, String> {
    let dump = parse_reg_query(text);
    if dump.keys.is_empty() {
        let first = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("");
        return Err(if first.is_empty() {
            "reg query succeeded but printed nothing, not even the key".to_string()
        } else {
            format!(
                "reg query printed no registry key line (it printed `{}`)",
                first.chars().take(120).collect::<String>()
            )
        });
    }
    Ok(dump)
}

/// Reads one registry key in-process: `Ok(None)` when the key does not exist, `Ok(Some)` with
/// its values, `Err` when it could not be read or its recorded text is not a key listing. The
/// one helper every probe uses for "a policy key, if set".
pub fn read_registry_key(
    run: &mut ProbeRun<'_>,
    key: &str,
) -> Result<Option<RegistryDump>, String> {
    let obs = run.read_registry(RegistryRead::key(key));
    match obs.outcome {
        crate::Outcome::Completed => parse_reg_query_checked(&obs.stdout)
            .map(Some)
            .map_err(|e| format!("`{}`: {e}", obs.source)),
        crate::Outcome::NotFound => Ok(None),
        _ => Err(obs.failure_reason()),
    }
}

/// One registry value's data as read in-process, before it is printed like `reg query`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegData {
    /// `REG_DWORD`.
    Dword(u32),
    /// `REG_QWORD`.
    Qword(u64),
    /// `REG_SZ`.
    Sz(String),
    /// `REG_EXPAND_SZ`, unexpanded.
    ExpandSz(String),
    /// `REG_MULTI_SZ`.
    MultiSz(Vec<String>),
    /// `REG_BINARY`.
    Binary(Vec<u8>),
    /// Any other type (`REG_NONE`, `REG_LINK`, …): its number and raw bytes.
    Other(u32, Vec<u8>),
}

impl RegData {
    /// The type as `reg query` names it.
    pub fn type_name(&self) -> String {
        match self {
            RegData::Dword(_) => "REG_DWORD".into(),
            RegData::Qword(_) => "REG_QWORD".into(),
            RegData::Sz(_) => "REG_SZ".into(),
            RegData::ExpandSz(_) => "REG_EXPAND_SZ".into(),
            RegData::MultiSz(_) => "REG_MULTI_SZ".into(),
            RegData::Binary(_) => "REG_BINARY".into(),
            RegData::Other(0, _) => "REG_NONE".into(),
            RegData::Other(6, _) => "REG_LINK".into(),
            RegData::Other(kind, _) => format!("REG_UNKNOWN_{kind}"),
        }
    }

    /// The data as `reg query` prints it: numbers as `0x…`, binary as upper-case hex, the
    /// strings of a `REG_MULTI_SZ` joined by `\0`. A line break inside a string is printed as a
    /// space, so one value stays one line.
    pub fn printed(&self) -> String {
        let one_line = |text: &str| text.replace(['\r', '\n'], " ");
        match self {
            RegData::Dword(n) => format!("{n:#x}"),
            RegData::Qword(n) => format!("{n:#x}"),
            RegData::Sz(text) | RegData::ExpandSz(text) => one_line(text),
            RegData::MultiSz(items) => one_line(&items.join("\\0")),
            RegData::Binary(bytes) | RegData::Other(_, bytes) => {
                bytes.iter().map(|b| format!("{b:02X}")).collect()
            }
        }
    }
}

/// Spells a key's hive long (`HKLM\…` → `HKEY_LOCAL_MACHINE\…`) as `reg query` prints it,
/// keeping the rest as given.
pub fn long_hive_name(path: &str) -> String {
    let path = path.trim().trim_end_matches('\\');
    let (hive, rest) = path.split_once('\\').unwrap_or((path, ""));
    let long = match hive.to_ascii_uppercase().as_str() {
        "HKLM" | "HKEY_LOCAL_MACHINE" => "HKEY_LOCAL_MACHINE",
        "HKCU" | "HKEY_CURRENT_USER" => "HKEY_CURRENT_USER",
        "HKU" | "HKEY_USERS" => "HKEY_USERS",
        "HKCR" | "HKEY_CLASSES_ROOT" => "HKEY_CLASSES_ROOT",
        "HKCC" | "HKEY_CURRENT_CONFIG" => "HKEY_CURRENT_CONFIG",
        _ => hive,
    };
    if rest.is_empty() {
        long.to_string()
    } else {
        format!("{long}\\{rest}")
    }
}

/// Appends one key as `reg query` prints it: the key line, its values (the unnamed one as
/// `(Default)`), then a blank line. [`parse_reg_query`] reads it back.
pub fn write_reg_key(out: &mut String, path: &str, values: &[(String, RegData)]) {
    out.push_str(&long_hive_name(path));
    out.push_str("\r\n");
    for (name, data) in values {
        let name = if name.is_empty() { "(Default)" } else { name };
        out.push_str("    ");
        out.push_str(&name.replace(['\r', '\n'], " "));
        out.push_str("    ");
        out.push_str(&data.type_name());
        out.push_str("    ");
        out.push_str(&data.printed());
        out.push_str("\r\n");
    }
    out.push_str("\r\n");
}

/// Appends the subkeys of a key that was read without `/s`, one full path per line, as
/// `reg query` lists them after the key's values.
pub fn write_reg_subkeys(out: &mut String, path: &str, names: &[String]) {
    let parent = long_hive_name(path);
    for name in names {
        out.push_str(&parent);
        out.push('\\');
        out.push_str(name);
        out.push_str("\r\n");
    }
}

/// Splits `NAME    REG_TYPE    DATA`: columns are separated by four spaces, but names and
/// data may contain spaces themselves, so the `REG_` type column is the anchor.
fn parse_value_line(line: &str) -> Option<RegValue> {
    let mut search_from = 0;
    while let Some(pos) = line[search_from..].find("    REG_") {
        let type_start = search_from + pos + 4;
        let rest = &line[type_start..];
        let type_end = rest.find(' ').unwrap_or(rest.len());
        let kind = &rest[..type_end];
        if kind.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
            let data = rest[type_end..].trim_start_matches(' ');
            return Some(RegValue {
                name: line[..search_from + pos].trim().to_string(),
                kind: kind.to_string(),
                data: data.to_string(),
            });
        }
        search_from = type_start;
    }
    None
}

/// A user profile on this Windows machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WindowsProfile {
    /// The account's security identifier (`S-1-5-21-…` local/domain, `S-1-12-1-…` Entra ID).
    pub sid: String,
    /// The user name, taken from the profile folder's name.
    pub user: String,
    /// The profile folder, e.g. `C:\Users\alice`.
    pub profile_dir: String,
    /// True when the user's hive is loaded under `HKU\<sid>` (the user is signed in, or a
    /// process of theirs still runs), so their settings can be read.
    pub hive_loaded: bool,
}

/// True for the SIDs of people (local, domain or Entra ID accounts), not of services.
pub fn is_person_sid(sid: &str) -> bool {
    sid.starts_with("S-1-5-21-") || sid.starts_with("S-1-12-1-")
}

/// Joins the ProfileList dump (`…\ProfileList /s`) and the listing of `HKU`
/// into the people's profiles, ordered by SID.
pub fn parse_profiles(profile_list: &str, loaded_hives: &str) -> Vec<WindowsProfile> {
    let profiles = parse_reg_query(profile_list);
    let loaded = parse_reg_query(loaded_hives);
    let loaded_sids: Vec<String> = loaded
        .keys()
        .iter()
        .filter_map(|k| k.path.rsplit('\\').next())
        .map(str::to_ascii_uppercase)
        .collect();
    let mut people: Vec<WindowsProfile> = profiles
        .subkeys(PROFILE_LIST_KEY)
        .into_iter()
        .filter_map(|key| {
            let sid = key.path.rsplit('\\').next()?.to_string();
            if !is_person_sid(&sid) {
                return None;
            }
            let dir = key
                .values
                .iter()
                .find(|v| v.name.eq_ignore_ascii_case("ProfileImagePath"))?
                .data
                .clone();
            let user = dir.rsplit(['\\', '/']).next().unwrap_or(&dir).to_string();
            let hive_loaded = loaded_sids.contains(&sid.to_ascii_uppercase());
            Some(WindowsProfile {
                sid,
                user,
                profile_dir: dir,
                hive_loaded,
            })
        })
        .collect();
    people.sort_by(|a, b| a.sid.cmp(&b.sid));
    people
}

/// The people's profiles on this machine (from ProfileList and the loaded hives under HKU).
/// Empty when the registry cannot be read; the observations say why.
pub fn user_profiles(run: &mut ProbeRun<'_>) -> Vec<WindowsProfile> {
    let list = run.read_registry(RegistryRead::tree(PROFILE_LIST_KEY));
    let hives = run.read_registry(RegistryRead::key("HKU"));
    if !list.succeeded() {
        return Vec::new();
    }
    let loaded = if hives.succeeded() {
        hives.stdout.as_str()
    } else {
        ""
    };
    parse_profiles(&list.stdout, loaded)
}

/// One object's properties as PowerShell or WMI printed them, keyed by lower-case name.
pub type PropertyBlock = BTreeMap<String, String>;

/// Parses a list of objects printed by Windows in any of its three common shapes, so a plan
/// can read recorded outputs of the same WMI class whichever tool printed them:
///
/// * `ConvertTo-Json` (one object or an array; nested values are kept as JSON text);
/// * `Format-List` (`Name : Value`, objects separated by blank lines, long values wrapped
///   onto indented continuation lines);
/// * `wmic … get /format:list` (`Name=Value`, objects separated by blank lines).
///
/// Booleans keep their printed form (`True`, `TRUE`, `true`); compare case-insensitively.
pub fn parse_property_blocks(text: &str) -> Result<Vec<PropertyBlock>, String> {
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    if trimmed.starts_with('[') || trimmed.starts_with('{') {
        let json: serde_json::Value =
            serde_json::from_str(trimmed).map_err(|e| format!("unreadable JSON: {e}"))?;
        let objects = match json {
            serde_json::Value::Array(items) => items,
            other => vec![other],
        };
        return Ok(objects
            .iter()
            .filter_map(|o| o.as_object())
            .map(|o| {
                o.iter()
                    .map(|(k, v)| {
                        let text = match v {
                            serde_json::Value::String(s) => s.clone(),
                            serde_json::Value::Null => String::new(),
                            other => other.to_string(),
                        };
                        (k.to_ascii_lowercase(), text)
                    })
                    .collect()
            })
            .collect());
    }
    let mut blocks = Vec::new();
    let mut current = PropertyBlock::new();
    let mut last_key: Option<String> = None;
    for line in text.lines().chain(std::iter::once("")) {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            if !current.is_empty() {
                blocks.push(std::mem::take(&mut current));
            }
            last_key = None;
            continue;
        }
        let continuation = line.starts_with(char::is_whitespace);
        // `Name : Value` or `Name=Value`, whichever separator comes first; the name is one word.
        let field = line
            .find([':', '='])
            .filter(|_| !continuation)
            .map(|at| (line[..at].trim(), line[at + 1..].trim()))
            .filter(|(name, _)| !name.is_empty() && !name.contains(char::is_whitespace));
        match (field, &last_key) {
            (Some((name, value)), _) => {
                let key = name.to_ascii_lowercase();
                current.insert(key.clone(), value.to_string());
                last_key = Some(key);
            }
            (None, Some(key)) if continuation => {
                if let Some(value) = current.get_mut(key) {
                    value.push_str(line.trim());
                }
            }
            (None, _) => {}
        }
    }
    Ok(blocks)
}

/// True for the printed forms of a true boolean (`True`, `TRUE`, `true`).
pub fn is_true(value: &str) -> bool {
    value.trim().eq_ignore_ascii_case("true")
}

#[cfg(test)]
mod tests {
    use super::*;

    // Shape as printed by reg.exe (see the fixtures in tests/fixtures/windows for sources).
    const AU_POLICY: &str = "\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU\r\n    NoAutoUpdate    REG_DWORD    0x0\r\n    AUOptions    REG_DWORD    0x4\r\n    Display Name    REG_SZ    Some value with    spaces\r\n    (Default)    REG_SZ    \r\n\r\n";

    #[test]
    fn values_parse_with_spaces_in_names_and_data() {
        let dump = parse_reg_query(AU_POLICY);
        let key = r"HKLM\Software\Policies\Microsoft\Windows\WindowsUpdate\AU";
        assert_eq!(
            dump.value(key, "auoptions").and_then(RegValue::as_u32),
            Some(4)
        );
        assert_eq!(
            dump.value(key, "NoAutoUpdate").and_then(RegValue::as_u32),
            Some(0)
        );
        let named = dump.value(key, "Display Name").unwrap();
        assert_eq!(named.kind, "REG_SZ");
        assert_eq!(named.data, "Some value with    spaces");
        assert_eq!(dump.value(key, "(Default)").unwrap().data, "");
        assert!(dump.value(key, "Missing").is_none());
    }

    #[test]
    fn a_profile_is_loaded_when_its_sid_is_listed_under_hku() {
        let list = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList\\S-1-5-21-1-2-3-1001\r\n    ProfileImagePath    REG_EXPAND_SZ    C:\\Users\\ada\r\n\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList\\S-1-12-1-9-8-7-6\r\n    ProfileImagePath    REG_EXPAND_SZ    C:\\Users\\BobSmith\r\n";
        let hku = "HKEY_USERS\\.DEFAULT\r\nHKEY_USERS\\S-1-12-1-9-8-7-6\r\nHKEY_USERS\\S-1-12-1-9-8-7-6_Classes\r\n";
        let people = parse_profiles(list, hku);
        assert_eq!(people.len(), 2);
        assert_eq!(
            (people[0].user.as_str(), people[0].hive_loaded),
            ("BobSmith", true)
        );
        assert_eq!(
            (people[1].user.as_str(), people[1].hive_loaded),
            ("ada", false)
        );
    }

    #[test]
    fn keys_written_in_process_read_back_as_reg_query_output() {
        let values = vec![
            (String::new(), RegData::Sz(String::new())),
            ("AUOptions".to_string(), RegData::Dword(4)),
            ("Big".to_string(), RegData::Qword(1 << 40)),
            (
                "Display Name".to_string(),
                RegData::Sz("two  words\nwrapped".into()),
            ),
            (
                "Path".to_string(),
                RegData::ExpandSz("%ProgramFiles%\\x".into()),
            ),
            (
                "List".to_string(),
                RegData::MultiSz(vec!["a".into(), "b".into()]),
            ),
            ("Blob".to_string(), RegData::Binary(vec![0, 0xab])),
            ("Nothing".to_string(), RegData::Other(0, vec![])),
        ];
        let mut text = String::new();
        write_reg_key(&mut text, r"HKLM\SOFTWARE\Policies\X", &values);
        write_reg_subkeys(&mut text, r"HKLM\SOFTWARE\Policies\X", &["Sub".to_string()]);
        let dump = parse_reg_query_checked(&text).unwrap();
        let key = r"HKEY_LOCAL_MACHINE\SOFTWARE\Policies\X";
        let value = |name: &str| dump.value(key, name).unwrap();
        assert_eq!(value("auoptions").as_u32(), Some(4));
        assert_eq!(value("Big").as_u64(), Some(1 << 40));
        assert_eq!(value("Display Name").data, "two  words wrapped");
        assert_eq!(value("Path").kind, "REG_EXPAND_SZ");
        assert_eq!(value("List").data, "a\\0b");
        assert_eq!(value("Blob").data, "00AB");
        assert_eq!(value("Nothing").kind, "REG_NONE");
        assert_eq!(value("(Default)").data, "");
        assert_eq!(dump.subkeys(key).len(), 1);
    }

    #[test]
    fn numbers_decode_from_hex_and_decimal() {
        let v = |data: &str| RegValue {
            name: "n".into(),
            kind: "REG_DWORD".into(),
            data: data.into(),
        };
        assert_eq!(v("0x384").as_u32(), Some(900));
        assert_eq!(v("600").as_u32(), Some(600));
        assert_eq!(v("0x100000000").as_u32(), None);
        assert_eq!(v("yes").as_u32(), None);
    }

    #[test]
    fn property_blocks_join_wrapped_format_list_values_and_split_objects() {
        let text = "\r\n\r\nName   : first\r\nPSPath : Microsoft.PowerShell.Core\\Registry::HKEY_LOCAL_MACHINE\\SYSTEM\\Curr\r\n         entControlSet\\Services\r\n\r\nName=second\r\nState=TRUE\r\n";
        let blocks = parse_property_blocks(text).unwrap();
        assert_eq!(blocks.len(), 2);
        assert_eq!(
            blocks[0]["pspath"],
            "Microsoft.PowerShell.Core\\Registry::HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services"
        );
        assert_eq!(blocks[1]["name"], "second");
        assert!(is_true(&blocks[1]["state"]));
        let json = parse_property_blocks("{\"a\": 1, \"b\": null, \"c\": \"x\"}").unwrap();
        assert_eq!((json[0]["a"].as_str(), json[0]["b"].as_str()), ("1", ""));
    }
}
