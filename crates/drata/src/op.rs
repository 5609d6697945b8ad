//! What each request is for, so that a refusal can be explained in its terms: which
//! permission a 403 is about, what a 404 did not find, what a 400 or 413 concerns.

/// The permission Drata requires for both listing and uploading device documents.
pub const MANAGE_DEVICE_DOCUMENTS: &str = "Devices: Manage Device Documents";
/// The permission for `GET /devices` (the serial-number and MAC-address lookups).
pub const LIST_DEVICES: &str = "Devices: List Devices";
/// The permission for `POST /custom-connections/{id}/devices`.
pub const CREATE_DEVICE: &str = "Devices: Create Device";
/// The permission for `GET /personnel/{id}` (the owner lookup by email).
pub const GET_PERSONNEL: &str = "Personnel: Get Personnel";
/// The permission for reading custom data records and sessions.
pub const LIST_CUSTOM_CONNECTIONS: &str = "Custom Connections Management: List Custom Connections";
/// The permission for creating custom data records (single, bulk or in a session).
pub const CREATE_CUSTOM_DATA: &str = "Custom Connections Data: Create Custom Connection Data";
/// The permission for updating a custom data record by ID.
pub const UPDATE_CUSTOM_DATA: &str =
    "Custom Connections Data: Create and Update Custom Connection Data";
/// The permission for deleting a custom data record by ID.
pub const DELETE_CUSTOM_DATA: &str = "Custom Connections Data: Delete Custom Connection Data";

/// The feature Drata's plans gate the custom-connection endpoints behind (402).
pub(crate) const CUSTOM_CONNECTIONS_FEATURE: &str = "Custom Connections and Tests";

const DEVICE_FIX: &str = "set device_id to this computer's device ID in Drata, or, if Drata has no device record for it, to its owner's personnel ID";
const CONNECTION_FIX: &str = "check custom_connection.connection_id and resource_id against the custom connection in Drata (Connections > Custom)";

/// The context of one request.
#[derive(Debug, Clone)]
pub(crate) struct Op {
    /// The permission the operation needs, as Drata's UI names it (explains a 403).
    pub permission: &'static str,
    /// The plan feature the operation needs, if any (explains a 402).
    pub feature: Option<&'static str>,
    /// What the request named, e.g. `device with ID 42` (explains a 404).
    pub subject: String,
    /// What to do about a 404.
    pub missing_fix: &'static str,
    /// What to check after a 400.
    pub invalid_fix: &'static str,
    /// The file being sent, name and size (explains a 413).
    pub file: Option<(String, usize)>,
}

impl Op {
    fn new(permission: &'static str, subject: String) -> Op {
        Op {
            permission,
            feature: None,
            subject,
            missing_fix: "check the ID in the configuration",
            invalid_fix: "this devidence version may not match Drata's API; update devidence or report this to its maintainers",
            file: None,
        }
    }

    /// `POST /devices/{id}/documents`.
    pub fn upload(device_id: &str, file_name: &str, size: usize) -> Op {
        Op {
            missing_fix: DEVICE_FIX,
            invalid_fix: "check that device_id is a numeric Drata device or personnel ID and that the file is a PDF or an image",
            file: Some((file_name.to_string(), size)),
            ..Op::new(
                MANAGE_DEVICE_DOCUMENTS,
                format!("device with ID {device_id}"),
            )
        }
    }

    /// `GET /devices/{id}/documents`.
    pub fn list_documents(device_id: &str) -> Op {
        Op {
            missing_fix: DEVICE_FIX,
            ..Op::new(
                MANAGE_DEVICE_DOCUMENTS,
                format!("device with ID {device_id}"),
            )
        }
    }

    /// `GET /devices?…`.
    pub fn find_devices() -> Op {
        Op::new(LIST_DEVICES, "device list".into())
    }

    /// `GET /personnel/email:{email}`.
    pub fn person(email: &str) -> Op {
        Op {
            missing_fix: "check owner_email: it must be the email the owner has in Drata under Personnel",
            invalid_fix: "check that owner_email is a plain email address",
            ..Op::new(GET_PERSONNEL, format!("person with email {email}"))
        }
    }

    /// `POST /custom-connections/{id}/devices`.
    pub fn custom_device(connection_id: u64) -> Op {
        Op {
            missing_fix: "check custom_connection.device_connection_id against the custom device connection in Drata (Connections > MDM > Custom Device Connection)",
            invalid_fix: "check owner_email and that the device fields match what Drata expects for a custom device connection",
            ..Op::new(
                CREATE_DEVICE,
                format!("custom device connection {connection_id}"),
            )
        }
    }

    /// Reading or writing the records (or sessions) of one custom resource.
    pub fn records(connection_id: u64, resource_id: u64, permission: &'static str) -> Op {
        Op {
            feature: Some(CUSTOM_CONNECTIONS_FEATURE),
            missing_fix: CONNECTION_FIX,
            invalid_fix: "the records must match the custom resource's schema in Drata; see ARCHITECTURE.md for the fields devidence sends",
            ..Op::new(
                permission,
                format!("custom connection {connection_id} with resource {resource_id}"),
            )
        }
    }

    /// Listing records or sessions.
    pub fn list_records(connection_id: u64, resource_id: u64) -> Op {
        Op::records(connection_id, resource_id, LIST_CUSTOM_CONNECTIONS)
    }

    /// Creating records (single, bulk or in a session) or acting on a session.
    pub fn create_records(connection_id: u64, resource_id: u64) -> Op {
        Op::records(connection_id, resource_id, CREATE_CUSTOM_DATA)
    }

    /// One record by ID.
    pub fn record(connection_id: u64, resource_id: u64, record_id: &str, delete: bool) -> Op {
        let permission = if delete {
            DELETE_CUSTOM_DATA
        } else {
            UPDATE_CUSTOM_DATA
        };
        Op {
            subject: format!(
                "custom data record {record_id} in custom connection {connection_id} resource {resource_id}"
            ),
            missing_fix: "list the records (devidence records list) for the current IDs",
            ..Op::records(connection_id, resource_id, permission)
        }
    }
}
