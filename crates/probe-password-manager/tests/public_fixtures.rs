//! The shared public fixtures (`../shared/fixtures-public`, copied under
//! `tests/fixtures/<os>/public/`, each with its `# source:` line): every app bundle or
//! Add/Remove Programs name they show, matched against the catalogue, with the verdict each
//! fixture's machine should get.

#![allow(clippy::unwrap_used, missing_docs)]

use devidence_testkit::probe::Fixtures;
use probe_password_manager::parse::macos::product_for_app;
use probe_password_manager::parse::windows::product_for_display_name;

const MACOS: Fixtures = Fixtures::new(env!("CARGO_MANIFEST_DIR"), "macos/public");
const WINDOWS: Fixtures = Fixtures::new(env!("CARGO_MANIFEST_DIR"), "windows/public");

/// Every `Name.app` bundle named anywhere in the text (paths, table cells, plist strings).
fn app_bundles(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for piece in text.split(['\n', '|', '<', '>', '\'', '"', '[', ']']) {
        if let Some(end) = piece.find(".app") {
            let before = &piece[..end + 4];
            let name = before.rsplit('/').next().unwrap_or(before).trim();
            if name.len() > 4 && !out.iter().any(|n: &String| n == name) {
                out.push(name.to_string());
            }
        }
    }
    out
}

/// The catalogue products these bundles belong to.
fn found(text: &str) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = app_bundles(text)
        .iter()
        .filter_map(|b| product_for_app(b))
        .map(|p| p.name)
        .collect();
    names.dedup();
    names
}

#[test]
fn macos_inventories_with_1password_pass_and_without_fail() {
    for name in [
        "autopkg-MunkiInstallsItemsCreator-1password7-Info.plist-values.txt",
        "osquery-apps-1password8-helpers-and-safari-extension.txt",
    ] {
        assert_eq!(found(&MACOS.text(name)), ["1Password"], "{name}");
    }
    for name in [
        "system_profiler-SPApplicationsDataType-sample4-no-password-manager.txt",
        "system_profiler-SPApplicationsDataType-xml-sample5-no-password-manager.txt",
    ] {
        let text = MACOS.text(name);
        assert!(
            app_bundles(&text).len() > 10,
            "{name}: the inventory was read"
        );
        assert!(found(&text).is_empty(), "{name}: {:?}", found(&text));
    }
    // A legacy .safariextz in the user's Safari folder is not an app bundle: no hit claimed.
    let legacy = MACOS.text("osquery-safari_extensions-1password-safariextz-line-mode.txt");
    assert!(legacy.contains("1Password-2.safariextz"));
    assert!(found(&legacy).is_empty());
}

/// `"DisplayName"="…"` values of a `.reg` export, and the `Name` row of the winget table.
fn display_names(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| {
            l.strip_prefix("\"DisplayName\"=\"")
                .map(|v| v.trim_end_matches(['\r', '"']).to_string())
                .or_else(|| {
                    l.strip_prefix("| Name")
                        .and_then(|r| r.split('|').nth(2))
                        .map(|v| v.trim().to_string())
                })
        })
        .collect()
}

#[test]
fn windows_uninstall_entries_with_bitwarden_pass_and_without_fail() {
    let names =
        display_names(&WINDOWS.text("winget-pkgs-automation-ARP-entry-bitwarden-2023.3.1.txt"));
    assert_eq!(names, ["Bitwarden"]);
    assert_eq!(
        product_for_display_name(&names[0]).map(|p| p.name),
        Some("Bitwarden")
    );
    for name in [
        "reg-export-HKLM-Uninstall-10-russian-no-password-manager.txt",
        "reg-export-HKLM-Uninstall-mssql-no-password-manager.txt",
    ] {
        let names = display_names(&WINDOWS.text(name));
        assert!(!names.is_empty(), "{name}: the export was read");
        let hits: Vec<_> = names
            .iter()
            .filter_map(|n| product_for_display_name(n))
            .collect();
        assert!(
            hits.is_empty(),
            "{name}: {:?}",
            hits.iter().map(|p| p.name).collect::<Vec<_>>()
        );
    }
}
