//! Windows: the installed programs, as this version reads them (the Uninstall trees in `reg
//! query` layout) and as older versions recorded them (`Get-ItemProperty` JSON), and the
//! catalogue product a program's `DisplayName` belongs to.

use crate::catalog::{CATALOG, Product};
use crate::windows::{PROGRAM_VALUES, installed_program_reads};
use devidence_core::RegistryRead;
use devidence_core::windows::{
    RegData, WindowsProfile, parse_property_blocks, parse_reg_query_checked, write_reg_key,
};
use std::collections::BTreeMap;

/// The programs in an Uninstall tree as read (`reg query` layout): one per subkey with a
/// `DisplayName`; the user SID comes from an `HKEY_USERS\<sid>\…` path.
pub fn parse_uninstall_tree(text: &str) -> Result<Vec<Program>, String> {
    let dump = parse_reg_query_checked(text)?;
    Ok(dump
        .keys()
        .iter()
        .filter_map(|key| {
            let value = |name: &str| {
                key.values
                    .iter()
                    .find(|v| v.name.eq_ignore_ascii_case(name))
                    .map(|v| v.data.trim().to_string())
                    .filter(|v| !v.is_empty())
            };
            Some(Program {
                name: value("DisplayName")?,
                version: value("DisplayVersion"),
                user_sid: user_sid_of(&key.path),
            })
        })
        .collect())
}

/// The SID in a key path below `HKEY_USERS\` (or PowerShell's `…::HKEY_USERS\…` form).
fn user_sid_of(path: &str) -> Option<String> {
    let at = path.to_ascii_uppercase().find(r"HKEY_USERS\")? + r"HKEY_USERS\".len();
    path[at..].split('\\').next().map(str::to_string)
}

/// Converts what older versions recorded — `Get-ItemProperty` over the Uninstall keys as JSON,
/// with each program's `PSPath` — into the Uninstall-tree reads this version makes, so those
/// recordings replay: each read and its text in `reg query` layout.
pub fn uninstall_trees_from_powershell(
    text: &str,
    profiles: &[WindowsProfile],
) -> Result<Vec<(RegistryRead, String)>, String> {
    let mut trees: BTreeMap<String, String> = BTreeMap::new();
    let reads = installed_program_reads(profiles);
    for block in parse_property_blocks(text)? {
        let Some(path) = block.get("pspath") else {
            continue;
        };
        let path = path.rsplit("::").next().unwrap_or(path);
        let Some(read) = reads.iter().find(|r| {
            devidence_core::windows::long_hive_name(&r.key)
                .eq_ignore_ascii_case(path.rsplit_once('\\').map_or(path, |(root, _)| root))
        }) else {
            continue;
        };
        let values: Vec<(String, RegData)> = PROGRAM_VALUES
            .iter()
            .filter_map(|name| {
                let value = block.get(&name.to_ascii_lowercase())?;
                (!value.is_empty()).then(|| ((*name).to_string(), RegData::Sz(value.clone())))
            })
            .collect();
        write_reg_key(trees.entry(read.display()).or_default(), path, &values);
    }
    Ok(reads
        .into_iter()
        .map(|read| {
            let mut text = trees.remove(&read.display()).unwrap_or_default();
            if text.is_empty() {
                write_reg_key(&mut text, &read.key, &[]);
            }
            (read, text)
        })
        .collect())
}

/// The catalogue product a `DisplayName` belongs to (case-insensitive prefix match).
pub fn product_for_display_name(name: &str) -> Option<&'static Product> {
    let lower = name.trim().to_lowercase();
    CATALOG.iter().find(|p| {
        p.windows_names
            .iter()
            .any(|n| lower.starts_with(&n.to_lowercase()))
    })
}

/// One installed program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    /// `DisplayName`.
    pub name: String,
    /// `DisplayVersion`.
    pub version: Option<String>,
    /// The user SID from `PSPath` (`…HKEY_USERS\<sid>\…`) for per-user installs.
    pub user_sid: Option<String>,
}

/// Reads what older versions recorded: `Get-ItemProperty` over the Uninstall keys (JSON, or any
/// shape `parse_property_blocks` reads); entries without a display name are skipped.
pub fn parse_installed_programs(text: &str) -> Result<Vec<Program>, String> {
    Ok(parse_property_blocks(text)?
        .into_iter()
        .filter_map(|b| {
            let name = b
                .get("displayname")
                .filter(|n| !n.trim().is_empty())?
                .clone();
            let user_sid = b.get("pspath").and_then(|p| user_sid_of(p));
            Some(Program {
                name,
                version: b.get("displayversion").filter(|v| !v.is_empty()).cloned(),
                user_sid,
            })
        })
        .collect())
}
