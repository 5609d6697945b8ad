//! Devices Drata already knows, and the one documented way to register one.
//!
//! The public API cannot create devices or change which person or asset a device belongs to;
//! the only exception is a custom device connection (beta), whose endpoint upserts a device
//! matched on serial number, MAC address or external ID.

use crate::json::{decode, whole_number};
use crate::op::Op;
use crate::{Client, DrataError};
use reqwest::Method;
use serde::{Deserialize, Serialize, Serializer};

/// A device as Drata returns it (`DeviceResponsePublicV2Dto`), the fields devidence uses.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Device {
    /// Drata's device ID: where device documents are uploaded.
    #[serde(deserialize_with = "whole_number")]
    pub id: u64,
    /// The person the device belongs to.
    #[serde(deserialize_with = "whole_number")]
    pub personnel_id: u64,
    /// Serial number, as the source that reported the device sent it.
    #[serde(default)]
    pub serial_number: Option<String>,
    /// MAC address, if known.
    #[serde(default)]
    pub mac_address: Option<String>,
    /// e.g. `AGENT`, `CUSTOM`, `JAMF`.
    #[serde(default)]
    pub source_type: Option<String>,
    /// When the device was deleted in Drata; deleted devices are skipped.
    #[serde(default)]
    pub deleted_at: Option<String>,
}

/// A filter for `GET /devices`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceQuery {
    /// `serialNumber=`.
    pub serial_number: Option<String>,
    /// `macAddress=`.
    pub mac_address: Option<String>,
}

impl DeviceQuery {
    /// Devices with this serial number.
    pub fn serial_number(serial: &str) -> DeviceQuery {
        DeviceQuery {
            serial_number: Some(serial.to_string()),
            ..DeviceQuery::default()
        }
    }

    /// Devices with this MAC address.
    pub fn mac_address(mac: &str) -> DeviceQuery {
        DeviceQuery {
            mac_address: Some(mac.to_string()),
            ..DeviceQuery::default()
        }
    }
}

/// Who a custom-connection device belongs to: a personnel ID, or `email:<address>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PersonnelRef {
    /// A numeric personnel ID.
    Id(u64),
    /// The person's email; sent as `email:<address>`.
    Email(String),
}

impl Serialize for PersonnelRef {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            PersonnelRef::Id(id) => serializer.serialize_u64(*id),
            PersonnelRef::Email(email) => serializer.serialize_str(&format!("email:{email}")),
        }
    }
}

/// The body of `POST /custom-connections/{connectionId}/devices`
/// (`DeviceCreateRequestPublicV2Dto`): the device and its compliance summary. `None` fields
/// are left out; a `None` compliance value means "not known".
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomDevice {
    /// The owner (required).
    pub personnel_id: PersonnelRef,
    /// `MACOS`, `WINDOWS` or `LINUX` (the spec's `AgentPlatformEnum`; required).
    pub platform_name: &'static str,
    /// OS version (required).
    pub platform_version: String,
    /// Serial number: what Drata matches an existing device on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serial_number: Option<String>,
    /// MAC address, also matched on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mac_address: Option<String>,
    /// Hardware model.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// A display name (the hostname).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    /// Disk encryption on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encryption_enabled: Option<bool>,
    /// Antivirus on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub antivirus_enabled: Option<bool>,
    /// Automatic updates on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_update_enabled: Option<bool>,
    /// Password manager installed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_manager_enabled: Option<bool>,
    /// Lock screen on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub screen_lock_enabled: Option<bool>,
}

impl Client {
    /// Every (not deleted) device matching `query`, following the cursor pagination.
    ///
    /// Needs the "Devices: List Devices" permission.
    pub async fn find_devices(&self, query: &DeviceQuery) -> Result<Vec<Device>, DrataError> {
        let mut url = self.endpoint(&["devices"])?;
        {
            let mut pairs = url.query_pairs_mut();
            if let Some(serial) = &query.serial_number {
                pairs.append_pair("serialNumber", serial);
            }
            if let Some(mac) = &query.mac_address {
                pairs.append_pair("macAddress", mac);
            }
        }
        let devices: Vec<Device> = self.all_pages(&Op::find_devices(), &url).await?;
        Ok(devices
            .into_iter()
            .filter(|d| d.deleted_at.is_none())
            .collect())
    }

    /// Creates or updates (matched on serial number, MAC address or external ID) this device
    /// in the custom device connection `connection_id` (beta in Drata), and returns it.
    ///
    /// Needs the "Devices: Create Device" permission.
    pub async fn upsert_custom_connection_device(
        &self,
        connection_id: u64,
        device: &CustomDevice,
    ) -> Result<Device, DrataError> {
        let url = self.endpoint(&["custom-connections", &connection_id.to_string(), "devices"])?;
        let body = self
            .send(
                &Op::custom_device(connection_id),
                Method::POST,
                &url,
                || Ok(self.http.post(url.clone()).json(device)),
            )
            .await?;
        decode(&url, &body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_serialize_as_number_or_email_form() {
        let device = CustomDevice {
            personnel_id: PersonnelRef::Email("jane@example.com".into()),
            platform_name: "LINUX",
            platform_version: "Debian 12".into(),
            serial_number: Some("SN1".into()),
            mac_address: None,
            model: None,
            alias: None,
            encryption_enabled: Some(true),
            antivirus_enabled: None,
            auto_update_enabled: None,
            password_manager_enabled: None,
            screen_lock_enabled: None,
        };
        let json = serde_json::to_value(&device).expect("serializes");
        assert_eq!(json["personnelId"], "email:jane@example.com");
        assert_eq!(json["encryptionEnabled"], true);
        assert!(json.get("antivirusEnabled").is_none());
        let json = serde_json::to_value(PersonnelRef::Id(7)).expect("serializes");
        assert_eq!(json, serde_json::json!(7));
    }
}
