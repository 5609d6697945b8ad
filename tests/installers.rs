//! The installer definitions for the OSes this machine cannot build packages for, checked the
//! way their tools would read them: the LaunchDaemon and the MDM profile as plists (what
//! `plutil -lint` checks), the Task Scheduler definition and the WiX source as XML, and the
//! names they share with the agent (paths, arguments, managed-setting keys).
#![allow(clippy::unwrap_used, missing_docs)]

use std::path::PathBuf;

fn installers() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../installers")
}

/// The keys `crates/agent/src/managed.rs` reads.
const MANAGED_KEYS: [&str; 4] = ["ApiUrl", "Region", "OwnerEmail", "DeviceId"];

#[test]
fn the_launch_daemon_runs_the_agent_in_the_background_every_two_hours() {
    let plist =
        plist::Value::from_file(installers().join("macos/com.devidence.agent.plist")).unwrap();
    let d = plist.as_dictionary().unwrap();
    assert_eq!(d["Label"].as_string(), Some("com.devidence.agent"));
    let args: Vec<_> = d["ProgramArguments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_string().unwrap())
        .collect();
    assert_eq!(args[0], "/usr/local/bin/devidence");
    assert!(
        args.ends_with(&["run", "--scheduled", "--background"]),
        "{args:?}"
    );
    assert_eq!(d["StartInterval"].as_signed_integer(), Some(7200));
    assert_eq!(d["RunAtLoad"].as_boolean(), Some(true));
    assert_eq!(d["ProcessType"].as_string(), Some("Background"));
    assert_eq!(d["LowPriorityIO"].as_boolean(), Some(true));
    // The pkg installs the binary and this plist where they name each other.
    let build = std::fs::read_to_string(installers().join("macos/build-pkg.sh")).unwrap();
    assert!(build.contains("usr/local/bin/devidence") && build.contains("Library/LaunchDaemons"));
}

#[test]
fn the_mdm_profile_sets_keys_the_agent_reads() {
    let profile =
        plist::Value::from_file(installers().join("macos/devidence.mobileconfig")).unwrap();
    let d = profile.as_dictionary().unwrap();
    assert_eq!(d["PayloadType"].as_string(), Some("Configuration"));
    let payload = d["PayloadContent"].as_array().unwrap()[0]
        .as_dictionary()
        .unwrap();
    assert_eq!(
        payload["PayloadType"].as_string(),
        Some("com.devidence.agent")
    );
    let settings: Vec<_> = payload
        .keys()
        .filter(|k| !k.starts_with("Payload"))
        .cloned()
        .collect();
    assert!(!settings.is_empty());
    for key in &settings {
        assert!(
            MANAGED_KEYS.contains(&key.as_str()),
            "the agent does not read {key}"
        );
    }
    assert!(
        !payload.contains_key("ApiKey"),
        "the API key must not travel in a profile"
    );
}

fn xml(path: &str) -> String {
    let bytes = std::fs::read(installers().join(path)).unwrap();
    if bytes.starts_with(&[0xff, 0xfe]) {
        let units: Vec<u16> = bytes[2..]
            .chunks(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16(&units).unwrap()
    } else {
        String::from_utf8(bytes).unwrap()
    }
}

#[test]
fn the_scheduled_task_runs_the_installed_agent_as_system() {
    let text = xml("windows/devidence-task.xml");
    let doc = roxmltree::Document::parse(&text).unwrap();
    let find = |name: &str| {
        doc.descendants()
            .find(|n| n.has_tag_name(name))
            .and_then(|n| n.text())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(find("UserId"), "S-1-5-18");
    assert_eq!(find("Interval"), "PT2H");
    assert_eq!(
        find("Command"),
        r#""C:\Program Files\devidence\devidence.exe""#
    );
    assert_eq!(find("Arguments"), "run --scheduled --background");
    assert_eq!(find("MultipleInstancesPolicy"), "IgnoreNew");
    assert_eq!(find("StartWhenAvailable"), "true");
}

/// The elements Debian's `wixl` 0.101 (msitools) compiles, which builds the MSI on Linux
/// (installers/windows/build-msi); anything else fails the build there (`util:PermissionEx`,
/// `IniFile`, ...). From its `tools/wixl/wix.vala`, plus the sequences' action names.
const WIXL_ELEMENTS: [&str; 23] = [
    "Wix",
    "Product",
    "Package",
    "MajorUpgrade",
    "MediaTemplate",
    "Property",
    "RegistrySearch",
    "Directory",
    "DirectoryRef",
    "Component",
    "ComponentRef",
    "File",
    "RegistryKey",
    "RegistryValue",
    "CreateFolder",
    "RemoveFolder",
    "Feature",
    "CustomAction",
    "Binary",
    "Upgrade",
    "UpgradeVersion",
    "InstallExecuteSequence",
    "Custom",
];

fn wxs() -> String {
    xml("windows/main.wxs")
}

#[test]
fn the_msi_uses_only_what_wixl_compiles() {
    let text = wxs();
    let doc = roxmltree::Document::parse(&text).unwrap();
    for node in doc.descendants().filter(|n| n.is_element()) {
        let name = node.tag_name();
        assert_eq!(
            name.namespace(),
            Some("http://schemas.microsoft.com/wix/2006/wi"),
            "{:?}: wixl has no extensions",
            name.name()
        );
        let in_sequence = node
            .parent_element()
            .is_some_and(|p| p.has_tag_name("InstallExecuteSequence"));
        assert!(
            WIXL_ELEMENTS.contains(&name.name()) || in_sequence,
            "wixl cannot compile <{}>",
            name.name()
        );
    }
}

#[test]
fn the_msi_takes_intune_parameters_and_writes_what_the_agent_reads() {
    let text = wxs();
    let doc = roxmltree::Document::parse(&text).unwrap();
    let property = |id: &str| {
        doc.descendants()
            .find(|n| n.has_tag_name("Property") && n.attribute("Id") == Some(id))
            .unwrap_or_else(|| panic!("no property {id}"))
    };
    property("API_KEY");
    property("REGION");
    property("OWNER_EMAIL");
    let hidden = property("MsiHiddenProperties").attribute("Value").unwrap();
    assert!(hidden.split(';').any(|p| p == "API_KEY"), "{hidden}");
    // The policy values, each under the key the agent reads (managed.rs).
    let values: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("RegistryValue"))
        .collect();
    assert!(!values.is_empty());
    for value in &values {
        assert_eq!(value.attribute("Root"), Some("HKLM"));
        assert_eq!(
            format!(r"HKLM\{}", value.attribute("Key").unwrap()),
            devidence::managed::WINDOWS_POLICY_KEY
        );
        assert_eq!(value.attribute("Type"), Some("string"));
        let name = value.attribute("Name").unwrap();
        assert!(
            MANAGED_KEYS.contains(&name),
            "the agent does not read {name}"
        );
    }
    let value_of = |name: &str| {
        values
            .iter()
            .find(|v| v.attribute("Name") == Some(name))
            .and_then(|v| v.attribute("Value"))
    };
    assert_eq!(value_of("Region"), Some("[REGION]"));
    assert_eq!(value_of("OwnerEmail"), Some("[OWNER_EMAIL]"));
    // The key goes to the agent's msi-install alone (which stores it in the Credential
    // Manager): into no registry value, file or other action.
    let uses_key: Vec<_> = doc
        .descendants()
        .filter(|n| n.attributes().any(|a| a.value().contains("[API_KEY]")))
        .map(|n| n.attribute("Id").unwrap_or(n.tag_name().name()))
        .collect();
    assert_eq!(uses_key, ["AgentInstall"]);
}

#[test]
fn an_upgrade_without_parameters_keeps_the_policy_values() {
    let text = wxs();
    let doc = roxmltree::Document::parse(&text).unwrap();
    for (name, parameter, keep) in [
        ("Region", "REGION", "KeepRegion"),
        ("OwnerEmail", "OWNER_EMAIL", "KeepOwnerEmail"),
    ] {
        let saved = format!("SAVED_{parameter}");
        let search = doc
            .descendants()
            .find(|n| {
                n.has_tag_name("RegistrySearch")
                    && n.parent_element().unwrap().attribute("Id") == Some(saved.as_str())
            })
            .unwrap_or_else(|| panic!("no search for {name}"));
        assert_eq!(
            format!(
                r"{}\{}",
                search.attribute("Root").unwrap(),
                search.attribute("Key").unwrap()
            ),
            devidence::managed::WINDOWS_POLICY_KEY
        );
        assert_eq!(search.attribute("Name"), Some(name));
        assert_eq!(search.attribute("Win64"), Some("yes"));
        let keep = action(&doc, keep);
        assert_eq!(keep.node.attribute("Property"), Some(parameter));
        assert_eq!(
            keep.node.attribute("Value"),
            Some(format!("[{saved}]").as_str())
        );
        // Only when not given: the command line wins.
        assert_eq!(keep.condition, format!("NOT {parameter} AND {saved}"));
        assert!(keep.sequence < INSTALL_INITIALIZE);
    }
}

/// One custom action and where it is scheduled.
struct Action<'a> {
    node: roxmltree::Node<'a, 'a>,
    sequence: u32,
    condition: String,
}

fn action<'a>(doc: &'a roxmltree::Document<'a>, id: &str) -> Action<'a> {
    let node = doc
        .descendants()
        .find(|n| n.has_tag_name("CustomAction") && n.attribute("Id") == Some(id))
        .unwrap_or_else(|| panic!("no custom action {id}"));
    let custom = doc
        .descendants()
        .find(|n| n.has_tag_name("Custom") && n.attribute("Action") == Some(id))
        .unwrap_or_else(|| panic!("{id} is not scheduled"));
    Action {
        node,
        // wixl places `After=` actions anywhere after their anchor: explicit numbers only.
        sequence: custom
            .attribute("Sequence")
            .unwrap_or_else(|| panic!("{id} has no Sequence"))
            .parse()
            .unwrap(),
        condition: custom.text().unwrap_or_default().to_string(),
    }
}

// Windows Installer's standard sequence numbers, which wixl keeps.
const INSTALL_INITIALIZE: u32 = 1500;
const REMOVE_FILES: u32 = 3500;
const INSTALL_FILES: u32 = 4000;
const INSTALL_FINALIZE: u32 = 6600;

#[test]
fn the_msi_hands_the_key_and_the_data_folder_to_the_installed_agent() {
    let text = wxs();
    let doc = roxmltree::Document::parse(&text).unwrap();
    let exe = doc
        .descendants()
        .find(|n| n.has_tag_name("File") && n.attribute("Source") == Some("devidence.exe"))
        .unwrap();
    let install = action(&doc, "AgentInstall");
    let uninstall = action(&doc, "AgentUninstall");
    for a in [&install, &uninstall] {
        // The installed devidence.exe, as SYSTEM, inside the install script.
        assert_eq!(a.node.attribute("FileKey"), exe.attribute("Id"));
        assert_eq!(a.node.attribute("Execute"), Some("deferred"));
        assert_eq!(a.node.attribute("Impersonate"), Some("no"));
    }
    assert_eq!(
        install.node.attribute("ExeCommand"),
        Some(r#"msi-install --api-key "[API_KEY]""#)
    );
    // An install the agent could not set up fails; its clean-up never stops an uninstall.
    assert_eq!(install.node.attribute("Return"), Some("check"));
    assert_eq!(uninstall.node.attribute("Return"), Some("ignore"));
    // build-msi sets the bit wixl leaves out.
    assert_eq!(install.node.attribute("HideTarget"), Some("yes"));
    let build = std::fs::read_to_string(installers().join("windows/build-msi")).unwrap();
    assert!(build.contains("WHERE Action = 'AgentInstall'"));
    assert!(install.sequence > INSTALL_FILES && install.sequence < INSTALL_FINALIZE);
    assert_eq!(install.condition, "NOT REMOVE");
    assert_eq!(
        uninstall.node.attribute("ExeCommand"),
        Some("msi-uninstall")
    );
    assert!(uninstall.sequence > INSTALL_INITIALIZE && uninstall.sequence < REMOVE_FILES);
    // Not when a major upgrade removes the old version: the new one keeps key, spool, state.
    assert_eq!(
        uninstall.condition,
        r#"REMOVE="ALL" AND NOT UPGRADINGPRODUCTCODE"#
    );
}

#[test]
fn the_msi_custom_actions_run_subcommands_the_agent_has() {
    let text = wxs();
    let doc = roxmltree::Document::parse(&text).unwrap();
    for id in ["AgentInstall", "AgentUninstall"] {
        let command = action(&doc, id).node.attribute("ExeCommand").unwrap();
        let subcommand = command.split_whitespace().next().unwrap();
        let args = [subcommand, "--help"];
        let output = assert_cmd::Command::cargo_bin("devidence")
            .unwrap()
            .args(args)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "devidence {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn the_msi_registers_the_task_after_the_agent_and_removes_it_first() {
    let text = wxs();
    let doc = roxmltree::Document::parse(&text).unwrap();
    let set = action(&doc, "SetSchtasks");
    assert_eq!(
        set.node.attribute("Value"),
        Some(r"[System64Folder]schtasks.exe")
    );
    let register = action(&doc, "RegisterTask");
    let remove = action(&doc, "RemoveTask");
    let install = action(&doc, "AgentInstall");
    let uninstall = action(&doc, "AgentUninstall");
    for a in [&register, &remove] {
        assert_eq!(a.node.attribute("Property"), Some("SCHTASKS"));
        assert_eq!(a.node.attribute("Execute"), Some("deferred"));
        assert_eq!(a.node.attribute("Impersonate"), Some("no"));
        assert!(set.sequence < a.sequence);
    }
    // The name and file the task definition and the installed files have.
    assert_eq!(
        register.node.attribute("ExeCommand"),
        Some(r#"/Create /TN devidence /XML "[APPDIR]devidence-task.xml" /F"#)
    );
    assert!(
        doc.descendants()
            .any(|n| n.has_tag_name("File") && n.attribute("Source") == Some("devidence-task.xml"))
    );
    assert_eq!(
        remove.node.attribute("ExeCommand"),
        Some("/Delete /TN devidence /F")
    );
    assert!(install.sequence < register.sequence && register.sequence < INSTALL_FINALIZE);
    assert_eq!(register.condition, "NOT REMOVE");
    assert!(
        remove.sequence > INSTALL_INITIALIZE
            && remove.sequence < uninstall.sequence
            && uninstall.sequence < REMOVE_FILES
    );
    assert_eq!(remove.condition, r#"REMOVE="ALL""#);
    // A major upgrade removes the old version before the new one registers its task.
    let remove_existing: u32 = doc
        .descendants()
        .find(|n| n.has_tag_name("RemoveExistingProducts"))
        .and_then(|n| n.attribute("Sequence"))
        .unwrap()
        .parse()
        .unwrap();
    assert!(remove_existing < INSTALL_INITIALIZE);
    // The installed path is the one the task runs.
    let appdir = doc
        .descendants()
        .find(|n| n.has_tag_name("Directory") && n.attribute("Id") == Some("APPDIR"))
        .unwrap();
    assert_eq!(appdir.attribute("Name"), Some("devidence"));
    assert_eq!(
        appdir.parent_element().unwrap().attribute("Id"),
        Some("ProgramFiles64Folder")
    );
}

#[test]
fn the_systemd_units_run_the_packaged_binary() {
    let service = std::fs::read_to_string(installers().join("linux/devidence.service")).unwrap();
    assert!(service.contains("ExecStart=/usr/bin/devidence --config /etc/devidence/config.toml run --scheduled --background"));
    for hardening in [
        "ProtectSystem=strict",
        "NoNewPrivileges=true",
        "ProtectHome=read-only",
    ] {
        assert!(service.contains(hardening), "missing {hardening}");
    }
    let cargo =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
            .unwrap();
    assert!(cargo.contains(r#"["target/release/devidence", "usr/bin/", "755"]"#));
}
