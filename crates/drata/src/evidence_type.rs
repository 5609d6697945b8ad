//! Which device-document `type` each devidence control's evidence is uploaded as.
//!
//! Drata files a device document under one value of the spec's `DeviceDocumentTypeEnum`
//! (`POST /devices/{deviceId}/documents`, multipart field `type`). The mapping from devidence's
//! controls lives here, in the crate that speaks to Drata, so the shared vocabulary
//! (`devidence-core`) and the renderer stay free of it. This crate does not depend on
//! `devidence-core`, so a control is named by its slug (`Control::slug`, also its serde name).

/// The device-document `type` for the evidence of the control whose slug is `control_slug`
/// (`disk-encryption`, `antivirus`, `auto-updates`, `lock-screen`, `password-manager`), or
/// `None` for a slug Drata has no device-document type for.
pub fn evidence_type(control_slug: &str) -> Option<&'static str> {
    match control_slug {
        "disk-encryption" => Some("HARD_DRIVE_ENCRYPTION_EVIDENCE"),
        "antivirus" => Some("ANTIVIRUS_EVIDENCE"),
        "auto-updates" => Some("AUTO_UPDATES_EVIDENCE"),
        "lock-screen" => Some("LOCK_SCREEN_EVIDENCE"),
        "password-manager" => Some("PASSWORD_MANAGER_EVIDENCE"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// devidence's control slugs, in `Control::ALL`'s order.
    const SLUGS: [&str; 5] = [
        "disk-encryption",
        "antivirus",
        "auto-updates",
        "lock-screen",
        "password-manager",
    ];

    /// `DeviceDocumentTypeEnum`'s values as the OpenAPI file next to the workspace lists them
    /// (`../shared/drata-openapi`, the file the Prism tests check against), if it is there.
    fn spec_enum() -> Option<BTreeSet<String>> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/drata-openapi/drata-public-api.yaml"
        );
        let spec = std::fs::read_to_string(path).ok()?;
        let values = spec
            .lines()
            .skip_while(|l| l.trim() != "DeviceDocumentTypeEnum:")
            .skip_while(|l| l.trim() != "enum:")
            .skip(1)
            .map_while(|l| l.trim().strip_prefix("- "))
            .map(str::to_string)
            .collect();
        Some(values)
    }

    #[test]
    fn every_control_has_its_type_from_the_spec_enum() {
        let types: Vec<_> = SLUGS.iter().map(|s| evidence_type(s)).collect();
        assert_eq!(
            types,
            [
                Some("HARD_DRIVE_ENCRYPTION_EVIDENCE"),
                Some("ANTIVIRUS_EVIDENCE"),
                Some("AUTO_UPDATES_EVIDENCE"),
                Some("LOCK_SCREEN_EVIDENCE"),
                Some("PASSWORD_MANAGER_EVIDENCE"),
            ]
        );
        // One control per type, and every type the spec allows is used: the same set as the
        // fake's copy of the spec enum, and as the spec file itself when it is present.
        let used: BTreeSet<String> = types.iter().flatten().map(|t| t.to_string()).collect();
        assert_eq!(used.len(), SLUGS.len());
        let fake: BTreeSet<String> = fake_drata::DEVICE_DOCUMENT_TYPES
            .iter()
            .map(|t| t.to_string())
            .collect();
        assert_eq!(used, fake);
        if let Some(spec) = spec_enum() {
            assert_eq!(used, spec, "DeviceDocumentTypeEnum in the OpenAPI file");
        }
        assert_eq!(evidence_type("nope"), None);
        assert_eq!(evidence_type("Disk-Encryption"), None);
    }
}
