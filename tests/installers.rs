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

#[test]
fn the_msi_takes_intune_parameters_and_writes_what_the_agent_reads() {
    let text = xml("windows/main.wxs");
    let doc = roxmltree::Document::parse(&text).unwrap();
    let property = |id: &str| {
        doc.descendants()
            .find(|n| n.has_tag_name("Property") && n.attribute("Id") == Some(id))
            .unwrap_or_else(|| panic!("no property {id}"))
    };
    assert_eq!(property("API_KEY").attribute("Hidden"), Some("yes"));
    property("REGION");
    property("OWNER_EMAIL");
    let policy = doc
        .descendants()
        .find(|n| n.has_tag_name("RegistryKey"))
        .unwrap();
    assert_eq!(
        policy.attribute("Key"),
        Some(r"SOFTWARE\Policies\devidence")
    );
    for value in policy
        .children()
        .filter(|n| n.has_tag_name("RegistryValue"))
    {
        let name = value.attribute("Name").unwrap();
        assert!(
            MANAGED_KEYS.contains(&name),
            "the agent does not read {name}"
        );
    }
    let ini = doc
        .descendants()
        .find(|n| n.has_tag_name("IniFile"))
        .unwrap();
    assert_eq!(ini.attribute("Name"), Some("api-key"));
    assert_eq!(ini.attribute("Key"), Some("api_key"));
    assert!(text.contains("schtasks.exe") && text.contains("devidence-task.xml"));
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
