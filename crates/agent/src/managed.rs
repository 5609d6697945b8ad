//! Settings pushed by an MDM, which outrank the configuration file (flags and environment
//! still outrank them): on macOS the managed preferences a configuration profile installs
//! (payload type `com.devidence.agent`), on Windows the policy registry key
//! `HKLM\SOFTWARE\Policies\devidence` that the MSI's Intune parameters or a GPO set.
//!
//! Keys: `ApiUrl`, `Region`, `OwnerEmail`, `DeviceId` (the API key never: it goes to the
//! keychain). Parsing is pure and tested on Linux; only reading the source is per-OS.

use std::path::Path;

/// Where macOS puts the managed preferences of the profile's payload.
pub const MACOS_MANAGED_PREFERENCES: &str =
    "/Library/Managed Preferences/com.devidence.agent.plist";
/// The Windows policy key.
pub const WINDOWS_POLICY_KEY: &str = r"HKLM\SOFTWARE\Policies\devidence";

/// The managed values, each optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Managed {
    /// `ApiUrl`.
    pub api_url: Option<String>,
    /// `Region`.
    pub region: Option<String>,
    /// `OwnerEmail`.
    pub owner_email: Option<String>,
    /// `DeviceId`.
    pub device_id: Option<String>,
    /// Where they came from, for messages.
    pub origin: String,
}

impl Managed {
    fn set(&mut self, key: &str, value: String) {
        let value = value.trim().to_string();
        if value.is_empty() {
            return;
        }
        match key.to_ascii_lowercase().replace('_', "").as_str() {
            "apiurl" => self.api_url = Some(value),
            "region" => self.region = Some(value),
            "owneremail" => self.owner_email = Some(value),
            "deviceid" => self.device_id = Some(value),
            _ => {}
        }
    }
}

/// The managed settings of this computer, if any.
pub fn load() -> Option<Managed> {
    if cfg!(target_os = "macos") {
        let bytes = crate::atomic::read_capped(
            Path::new(MACOS_MANAGED_PREFERENCES),
            crate::atomic::SMALL_FILE_BYTES,
            true,
        )
        .ok()?;
        return from_plist(&bytes, &format!("MDM profile {MACOS_MANAGED_PREFERENCES}"));
    }
    if cfg!(windows) {
        // Read in-process, as the probes read the registry (no reg.exe is started).
        use devidence_core::Host;
        let obs = devidence_core::RealHost::new()
            .read_registry(&devidence_core::RegistryRead::key(WINDOWS_POLICY_KEY));
        if !obs.succeeded() {
            return None; // the key does not exist: nothing is managed
        }
        return from_reg_query(
            &obs.stdout,
            &format!("policy registry {WINDOWS_POLICY_KEY}"),
        );
    }
    None
}

/// Reads the keys from a managed-preferences plist (XML or binary).
pub fn from_plist(bytes: &[u8], origin: &str) -> Option<Managed> {
    let value = plist::Value::from_reader(std::io::Cursor::new(bytes)).ok()?;
    let mut managed = Managed {
        origin: origin.to_string(),
        ..Managed::default()
    };
    for (key, value) in value.as_dictionary()? {
        let text = match value {
            plist::Value::String(s) => s.clone(),
            plist::Value::Integer(n) => n.to_string(),
            _ => continue,
        };
        managed.set(key, text);
    }
    Some(managed)
}

/// Reads the values from the key's text in `reg query` layout (as the in-process reader writes
/// it; parsed by the same parser the probes use).
pub fn from_reg_query(text: &str, origin: &str) -> Option<Managed> {
    let mut managed = Managed {
        origin: origin.to_string(),
        ..Managed::default()
    };
    let dump = devidence_core::windows::parse_reg_query(text);
    for value in dump.keys().iter().flat_map(|k| &k.values) {
        match value.kind.as_str() {
            "REG_SZ" | "REG_EXPAND_SZ" => managed.set(&value.name, value.data.clone()),
            "REG_DWORD" | "REG_QWORD" => {
                if let Some(n) = value.as_u64() {
                    managed.set(&value.name, n.to_string());
                }
            }
            _ => {}
        }
    }
    Some(managed)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn reg_query_output_is_read() {
        // The layout `reg query` prints (Windows 10/11), values as the MSI writes them.
        let text = "\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\devidence\r\n    Region    REG_SZ    eu\r\n    OwnerEmail    REG_SZ    jane.doe@example.com\r\n    DeviceId    REG_DWORD    0x1092\r\n    Ignored    REG_BINARY    00ff\r\n\r\n";
        let m = from_reg_query(text, "test").unwrap();
        assert_eq!(m.region.as_deref(), Some("eu"));
        assert_eq!(m.owner_email.as_deref(), Some("jane.doe@example.com"));
        assert_eq!(m.device_id.as_deref(), Some("4242"));
        assert_eq!(m.api_url, None);
    }

    #[test]
    fn the_example_profiles_payload_is_read() {
        let profile = plist::Value::from_reader(std::io::Cursor::new(
            include_bytes!("../../../installers/macos/devidence.mobileconfig").as_slice(),
        ))
        .unwrap();
        let payload = profile.as_dictionary().unwrap()["PayloadContent"]
            .as_array()
            .unwrap()[0]
            .clone();
        // macOS writes the payload's dictionary as the managed-preferences plist.
        let mut bytes = Vec::new();
        payload.to_writer_xml(&mut bytes).unwrap();
        let m = from_plist(&bytes, "profile").unwrap();
        assert_eq!(m.region.as_deref(), Some("us"));
        assert_eq!(m.owner_email.as_deref(), Some("$EMAIL"));
    }

    #[test]
    fn plist_keys_are_read() {
        let xml = br#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0"><dict>
<key>OwnerEmail</key><string>jane@example.com</string>
<key>Region</key><string>apac</string>
<key>PayloadUUID</key><string>x</string>
</dict></plist>"#;
        let m = from_plist(xml, "test").unwrap();
        assert_eq!(m.owner_email.as_deref(), Some("jane@example.com"));
        assert_eq!(m.region.as_deref(), Some("apac"));
        assert!(from_plist(b"not a plist", "test").is_none());
    }
}
