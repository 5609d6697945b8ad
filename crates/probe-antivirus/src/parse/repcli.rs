//! Pure parser for Carbon Black Cloud's `repcli status`, read on Linux and macOS.

use super::fields::colon_fields;

/// What `repcli status` says (each field as printed, `None` when absent).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RepcliStatus {
    /// `Sensor Version:`.
    pub version: Option<String>,
    /// `System Extension:` (macOS).
    pub system_extension: Option<String>,
    /// The sensor `State:` (under `Sensor Status`/`Sensor State`): `Enabled`, `Disabled`,
    /// `Bypass`, ….
    pub state: Option<String>,
}

/// Parses `repcli status`.
pub fn repcli_status(text: &str) -> RepcliStatus {
    let fields = colon_fields(text);
    RepcliStatus {
        version: fields.get("sensor version").cloned(),
        system_extension: fields.get("system extension").cloned(),
        state: fields.get("state").cloned(),
    }
}
