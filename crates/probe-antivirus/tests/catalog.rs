//! The antivirus/EDR catalogue: every vendor reader on the published outputs under
//! `tests/fixtures/<os>/` (each file's first line says where from), every reader fail-closed on
//! text it cannot read, and the catalogue's found/protecting rules end to end.
//!
//! Negative states (a disabled agent, a stopped component) have no published output; those
//! cases are the published fixture with the one state word changed, and say so.

#![allow(clippy::unwrap_used, missing_docs)]

use devidence_core::{Observation, Os, Outcome, ReplayHost, SourceKind, Verdict};
use devidence_testkit::probe::{Fixtures, judge};
use probe_antivirus::catalog::{self, PRODUCTS, StatusFormat, status_command};
use probe_antivirus::parse::linux::{falconctl_options, parse_systemctl_show};
use probe_antivirus::parse::macos::parse_launchctl_list;
use probe_antivirus::parse::windows::parse_win32_service;
use probe_antivirus::policy::{ProductState, conclude_status};
use probe_antivirus::probe;
use probe_antivirus::products::StatusReport;
use probe_antivirus::services::{ServiceState, command as services_command};

const LINUX: Fixtures = Fixtures::new(env!("CARGO_MANIFEST_DIR"), "linux");
const MACOS: Fixtures = Fixtures::new(env!("CARGO_MANIFEST_DIR"), "macos");

/// What a status tool's output in `format` reads as: the state and the facts recorded.
#[derive(Debug)]
struct Reading {
    state: ProductState,
    facts: Vec<(String, String)>,
}

/// Parses `text` as `format` and concludes it, as the plan and the policy do.
fn read(format: StatusFormat, text: &str) -> Reading {
    let report = StatusReport::read(format, text);
    Reading {
        state: conclude_status(&report),
        facts: report.facts(),
    }
}

fn protecting(reading: &Reading) -> bool {
    matches!(reading.state, ProductState::Protecting(_))
}

fn not_protecting(reading: &Reading) -> bool {
    matches!(reading.state, ProductState::NotProtecting(_))
}

fn unreadable(reading: &Reading) -> bool {
    matches!(reading.state, ProductState::Unreadable(_))
}

fn fact<'r>(reading: &'r Reading, key: &str) -> Option<&'r str> {
    reading
        .facts
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

// ---- the readers on published outputs ----

#[test]
fn falconctl_on_linux_reads_rfm_and_registration() {
    let off = read(
        StatusFormat::FalconctlOptions,
        &LINUX.text("falconctl-g-rfm-state-false-insights-core.txt"),
    );
    assert!(protecting(&off), "{off:?}");
    assert_eq!(fact(&off, "reduced_functionality_mode"), Some("false"));
    let rfm = read(
        StatusFormat::FalconctlOptions,
        &LINUX.text("falconctl-g-rfm-true-macadmins-osquery-extension.txt"),
    );
    assert!(not_protecting(&rfm), "{rfm:?}");
    assert_eq!(fact(&rfm, "version"), Some("7.29.18202.0"));
    let rfm = read(
        StatusFormat::FalconctlOptions,
        &LINUX.text("falconctl-g-rfm-state-true-insights-core.txt"),
    );
    assert!(not_protecting(&rfm), "{rfm:?}");
    // rfm-state "not set": the sensor has not reported its mode, so nothing is known.
    let unset = read(
        StatusFormat::FalconctlOptions,
        &LINUX.text("falconctl-g-aid-unset-rfm-unset-macadmins-osquery-extension.txt"),
    );
    assert!(unreadable(&unset), "{unset:?}");
    let unset = read(
        StatusFormat::FalconctlOptions,
        &LINUX.text("falconctl-g-options-aid-unset-kolide-launcher.txt"),
    );
    assert!(unreadable(&unset), "{unset:?}");
    // Each option alone: the parser reads `aid="…".`, `aid is not set.` and `version = …`.
    let options = falconctl_options(&LINUX.text("falconctl-g-aid-set-insights-core.txt"));
    assert_eq!(
        options["aid"].as_deref(),
        Some("44e3b7d20b434a2bb2815d9808fa3a8b")
    );
    let options = falconctl_options(&LINUX.text("falconctl-g-aid-not-set-insights-core.txt"));
    assert_eq!(options["aid"], None);
    let options = falconctl_options(&LINUX.text("falconctl-g-version-insights-core.txt"));
    assert_eq!(options["version"].as_deref(), Some("7.14.16703.0"));
    // Registered (aid) and out of RFM: the rfm-state and aid fixtures' lines together.
    let both = format!(
        "{}{}",
        LINUX.text("falconctl-g-rfm-state-false-insights-core.txt"),
        LINUX.text("falconctl-g-aid-set-insights-core.txt")
    );
    let reading = read(StatusFormat::FalconctlOptions, &both);
    assert!(protecting(&reading), "{reading:?}");
    assert_eq!(
        fact(&reading, "aid"),
        Some("44e3b7d20b434a2bb2815d9808fa3a8b")
    );
    // No agent ID: never registered, even out of RFM.
    let unregistered = format!(
        "{}{}",
        LINUX.text("falconctl-g-rfm-state-false-insights-core.txt"),
        LINUX.text("falconctl-g-aid-not-set-insights-core.txt")
    );
    assert!(not_protecting(&read(
        StatusFormat::FalconctlOptions,
        &unregistered
    )));
}

#[test]
fn sentinelctl_on_linux_reads_the_agent_state_not_the_process() {
    let text = LINUX.text("sentinelctl-control-status-enabled-combined-glpi-agent.txt");
    let enabled = read(StatusFormat::SentinelctlControlStatus, &text);
    assert!(protecting(&enabled), "{enabled:?}");
    assert_eq!(fact(&enabled, "version"), Some("30.1.1.10"));
    // The published output with its state word changed: its processes still run (the table
    // is untouched), yet a disabled agent does not protect.
    let disabled = read(
        StatusFormat::SentinelctlControlStatus,
        &text.replace("Agent state      Enabled", "Agent state      Disabled"),
    );
    assert!(not_protecting(&disabled), "{disabled:?}");
}

#[test]
fn sentinelctl_on_macos_needs_agent_protection_and_ready() {
    let text = MACOS.text("sentinelctl-status-protection-enabled-glpi-agent.txt");
    let on = read(StatusFormat::SentinelctlStatus, &text);
    assert!(protecting(&on), "{on:?}");
    assert_eq!(fact(&on, "version"), Some("24.1.2.7444"));
    for (from, to) in [
        (
            "Protection:                        enabled",
            "Protection:                        disabled",
        ),
        (
            "Ready:                             yes",
            "Ready:                             no",
        ),
        (
            "Agent Operational State:           enabled",
            "Agent Operational State:           disabled",
        ),
    ] {
        let changed = read(StatusFormat::SentinelctlStatus, &text.replace(from, to));
        assert!(not_protecting(&changed), "{to}: {changed:?}");
    }
    // `sentinelctl version` is not a status: unreadable.
    assert!(unreadable(&read(
        StatusFormat::SentinelctlStatus,
        &MACOS.text("sentinelctl-version-glpi-agent.txt")
    )));
}

#[test]
fn repcli_reads_the_sensor_state_on_linux_and_macos() {
    let linux = read(
        StatusFormat::RepcliStatus,
        &LINUX.text("repcli-status-enabled-kolide-launcher.txt"),
    );
    assert!(protecting(&linux), "{linux:?}");
    assert_eq!(fact(&linux, "version"), Some("2.14.0.1234321"));
    let mac_text = MACOS.text("repcli-status-enabled-kolide-launcher.txt");
    let mac = read(StatusFormat::RepcliStatus, &mac_text);
    assert!(protecting(&mac), "{mac:?}");
    assert_eq!(fact(&mac, "system_extension"), Some("Running"));
    let bypass = read(
        StatusFormat::RepcliStatus,
        &mac_text.replace("State: Enabled", "State: Bypass"),
    );
    assert!(not_protecting(&bypass), "{bypass:?}");
}

#[test]
fn cytool_runtime_query_needs_every_component_running() {
    for (os, fixtures) in [("linux", LINUX), ("macos", MACOS)] {
        let text = fixtures.text("cytool-runtime-query-all-running-glpi-agent.txt");
        let reading = read(StatusFormat::CytoolRuntimeQuery, &text);
        assert!(protecting(&reading), "{os}: {reading:?}");
        let stopped = read(
            StatusFormat::CytoolRuntimeQuery,
            &text.replacen("Running", "Stopped", 1),
        );
        assert!(not_protecting(&stopped), "{os}: {stopped:?}");
    }
    // `cytool info` prints a banner, not the runtime table.
    assert!(unreadable(&read(
        StatusFormat::CytoolRuntimeQuery,
        &LINUX.text("cytool-info-banner-glpi-agent.txt")
    )));
}

#[test]
fn falcon_stats_on_macos_reads_sensor_operational() {
    let reading = read(
        StatusFormat::FalconctlStats,
        &MACOS.text("falconctl-stats-agent-info-operational-fleet-2633.txt"),
    );
    assert!(protecting(&reading), "{reading:?}");
    assert_eq!(fact(&reading, "version"), Some("7.15.18402.0"));
}

/// Every reader in the catalogue, given text that is not its tool's output, says unreadable.
#[test]
fn every_reader_is_fail_closed_on_garbage() {
    let garbage = [
        "",
        "\n\n",
        "Permission denied",
        "Error: The sensor has not loaded.\n",
        "\u{0}\u{1}binary\u{fffd}",
        "{\"unexpected\": true}",
        "State:\nProtection:\n",
    ];
    for product in PRODUCTS {
        let Some(status) = product.status else {
            continue;
        };
        for text in garbage {
            let reading = read(status.format, text);
            assert!(
                unreadable(&reading),
                "{} on {:?} read {text:?} as {:?}",
                product.name,
                product.os,
                reading.state
            );
        }
    }
}

// ---- the service lists ----

#[test]
fn systemctl_show_blocks_decide_installed_and_running() {
    // systemctl(1) `show` layout: one block per unit, blank-line separated, in the order asked.
    let text = "Id=falcon-sensor.service\nLoadState=loaded\nActiveState=active\nSubState=running\nUnitFileState=enabled\n\n\
Id=sentinelone.service\nLoadState=loaded\nActiveState=inactive\nSubState=dead\nUnitFileState=disabled\n\n\
Id=mdatp.service\nLoadState=not-found\nActiveState=inactive\nSubState=dead\nUnitFileState=\n";
    let names = [
        "falcon-sensor.service",
        "sentinelone.service",
        "mdatp.service",
    ];
    let states = parse_systemctl_show(text, &names).unwrap();
    assert_eq!(states["falcon-sensor.service"], ServiceState::Running);
    assert!(
        matches!(&states["sentinelone.service"], ServiceState::Stopped(how) if how.contains("inactive/dead"))
    );
    assert_eq!(states["mdatp.service"], ServiceState::NotInstalled);
    // A unit asked about and missing from the answer: the text is not systemctl's.
    assert!(parse_systemctl_show("garbage", &names).is_err());
}

#[test]
fn launchctl_list_and_win32_service_decide_running() {
    // launchctl(1) `list` layout: a `PID Status Label` header, tab-separated, `-` for no PID.
    let text =
        "PID\tStatus\tLabel\n512\t0\tcom.crowdstrike.falcond\n-\t78\tcom.sentinelone.sentineld\n";
    let names = [
        "com.crowdstrike.falcond",
        "com.sentinelone.sentineld",
        "com.jamf.protect.daemon",
    ];
    let jobs = parse_launchctl_list(text, &names).unwrap();
    assert_eq!(jobs["com.crowdstrike.falcond"], ServiceState::Running);
    assert!(
        matches!(&jobs["com.sentinelone.sentineld"], ServiceState::Stopped(how) if how.contains("78"))
    );
    assert_eq!(jobs["com.jamf.protect.daemon"], ServiceState::NotInstalled);
    assert!(parse_launchctl_list("launchctl: command failed", &names).is_err());
    // Win32_Service through ConvertTo-Json: State is an enumerated, untranslated value.
    let json = r#"[{"Name":"CSFalconService","State":"Running","StartMode":"Auto"},{"Name":"SentinelAgent","State":"Stopped","StartMode":"Disabled"}]"#;
    let names = ["CSFalconService", "SentinelAgent", "cyserver"];
    let services = parse_win32_service(json, &names).unwrap();
    assert_eq!(services["CSFalconService"], ServiceState::Running);
    assert!(
        matches!(&services["SentinelAgent"], ServiceState::Stopped(how) if how.contains("Disabled"))
    );
    assert_eq!(services["cyserver"], ServiceState::NotInstalled);
    assert_eq!(
        parse_win32_service("", &names).unwrap()["cyserver"],
        ServiceState::NotInstalled
    );
    assert!(parse_win32_service("[{\"Caption\":\"x\"}]", &names).is_err());
}

// ---- the catalogue end to end ----

fn linux_units(states: &[(&str, &str, &str)]) -> String {
    let names = catalog::services_for(Os::Linux, probe_antivirus::linux::CLAMAV_UNITS);
    names
        .iter()
        .map(|name| {
            let (load, active) = states
                .iter()
                .find(|(n, _, _)| n == name)
                .map_or(("not-found", "inactive"), |(_, l, a)| (*l, *a));
            format!("Id={name}\nLoadState={load}\nActiveState={active}\nSubState=x\nUnitFileState=enabled\n")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn linux_host(units: &[(&str, &str, &str)]) -> ReplayHost {
    let mut host = ReplayHost::new();
    host.command("pgrep -l -x clamd", 1, "");
    let names = catalog::services_for(Os::Linux, probe_antivirus::linux::CLAMAV_UNITS);
    host.command(
        &services_command(Os::Linux, &names).unwrap().display(),
        0,
        &linux_units(units),
    );
    host
}

#[test]
fn a_linux_laptop_with_an_edr_the_old_list_did_not_know_passes() {
    let mut host = linux_host(&[("cbagentd.service", "loaded", "active")]);
    host.command(
        &status_command(Os::Linux, "Carbon Black Cloud").display(),
        0,
        &LINUX.text("repcli-status-enabled-kolide-launcher.txt"),
    );
    let finding = judge(probe, &host, Os::Linux);
    assert_eq!(finding.verdict, Verdict::Pass, "{}", finding.summary);
    assert!(
        finding.summary.contains("Carbon Black Cloud"),
        "{}",
        finding.summary
    );
    assert_eq!(finding.facts["service.cbagentd.service"], "running");
}

#[test]
fn a_stopped_unit_fails_naming_the_product_even_when_its_tool_reads_well() {
    let mut host = linux_host(&[("falcon-sensor.service", "loaded", "inactive")]);
    let both = format!(
        "{}{}",
        LINUX.text("falconctl-g-rfm-state-false-insights-core.txt"),
        LINUX.text("falconctl-g-aid-set-insights-core.txt")
    );
    host.command(
        &status_command(Os::Linux, "CrowdStrike Falcon").display(),
        0,
        &both,
    );
    let finding = judge(probe, &host, Os::Linux);
    assert_eq!(finding.verdict, Verdict::Fail, "{}", finding.summary);
    assert!(
        finding.summary.contains("CrowdStrike Falcon")
            && finding.summary.contains("falcon-sensor.service"),
        "{}",
        finding.summary
    );
}

#[test]
fn a_found_product_whose_tool_is_denied_is_unknown_naming_it() {
    let mut host = linux_host(&[("sentinelone.service", "loaded", "active")]);
    let mut denied = Observation::new(
        SourceKind::Command,
        status_command(Os::Linux, "SentinelOne").display(),
        Outcome::Completed,
    );
    denied.exit_code = Some(1);
    denied.stderr = "Permission denied".into();
    host.add(denied);
    let finding = judge(probe, &host, Os::Linux);
    let Verdict::Unknown { reason } = &finding.verdict else {
        panic!("{:?}", finding.verdict)
    };
    assert!(reason.contains("SentinelOne"), "{reason}");
}

#[test]
fn a_service_only_product_protects_by_its_running_service_and_fails_when_stopped() {
    let host = linux_host(&[("sophos-spl.service", "loaded", "active")]);
    let finding = judge(probe, &host, Os::Linux);
    assert_eq!(finding.verdict, Verdict::Pass, "{}", finding.summary);
    assert!(
        finding.summary.contains("Sophos Protection for Linux"),
        "{}",
        finding.summary
    );
    let host = linux_host(&[("sophos-spl.service", "loaded", "failed")]);
    let finding = judge(probe, &host, Os::Linux);
    assert_eq!(finding.verdict, Verdict::Fail, "{}", finding.summary);
    assert!(finding.summary.contains("Sophos"), "{}", finding.summary);
}

#[test]
fn an_install_folder_without_a_readable_service_list_is_unknown_not_fail() {
    let mut host = ReplayHost::new();
    host.command("pgrep -l -x clamd", 1, "");
    host.dir("/opt/eset/eea", &["sbin", "lib"]);
    let finding = judge(probe, &host, Os::Linux);
    let Verdict::Unknown { reason } = &finding.verdict else {
        panic!("{:?}", finding.verdict)
    };
    assert!(
        reason.contains("ESET") && reason.contains("/opt/eset/eea"),
        "{reason}"
    );
}

#[test]
fn a_mac_protected_by_sentinelone_passes_and_a_windows_pc_by_a_running_edr_service() {
    let mut host = ReplayHost::new();
    host.command(
        &status_command(Os::Macos, "SentinelOne").display(),
        0,
        &MACOS.text("sentinelctl-status-protection-enabled-glpi-agent.txt"),
    );
    let finding = judge(probe, &host, Os::Macos);
    assert_eq!(finding.verdict, Verdict::Pass, "{}", finding.summary);
    assert!(
        finding.summary.contains("SentinelOne"),
        "{}",
        finding.summary
    );

    let mut host = ReplayHost::new();
    let names = catalog::services_for(Os::Windows, &[]);
    host.wmi(
        &probe_antivirus::services::windows_query(&names),
        r#"{"Name":"CSFalconService","State":"Running","StartMode":"Auto"}"#,
    );
    let finding = judge(probe, &host, Os::Windows);
    assert_eq!(finding.verdict, Verdict::Pass, "{}", finding.summary);
    assert!(
        finding.summary.contains("CrowdStrike Falcon"),
        "{}",
        finding.summary
    );
}

#[test]
fn every_catalogue_row_is_complete() {
    for product in PRODUCTS {
        assert!(
            !product.services.is_empty() || product.status.is_some(),
            "{} on {:?} has no way to be found",
            product.name,
            product.os
        );
        if let Some(status) = product.status {
            assert!(
                product.os != Os::Windows || status.program.contains('\\'),
                "{}",
                product.name
            );
        }
    }
}

#[test]
fn bduitool_savdstatus_and_dsa_query_read_their_published_outputs() {
    let text = LINUX.text("bduitool-get-ps-antimalware-on-glpi-agent.txt");
    let on = read(StatusFormat::BduitoolPs, &text);
    assert!(protecting(&on), "{on:?}");
    assert_eq!(fact(&on, "version"), Some("7.0.3.2239"));
    let off = read(
        StatusFormat::BduitoolPs,
        &text.replace("Antimalware status: On", "Antimalware status: Off"),
    );
    assert!(not_protecting(&off), "{off:?}");
    let sav = read(
        StatusFormat::Savdstatus,
        &LINUX.text("savdstatus-active-on-access-running-elatov-blog.txt"),
    );
    assert!(protecting(&sav), "{sav:?}");
    // The published block keeps its prompts; the reader finds the state line among them.
    let dsa = read(
        StatusFormat::DsaAgentStatus,
        &LINUX.text("dsa-query-getagentstatus-green-nhn-cloud-docs.txt"),
    );
    assert!(protecting(&dsa), "{dsa:?}");
    assert_eq!(fact(&dsa, "agent_state"), Some("green"));
}

#[test]
fn a_mac_with_esets_launchd_job_running_passes_by_the_published_launchctl_list() {
    let mut host = ReplayHost::new();
    let labels = catalog::services_for(Os::Macos, &[]);
    host.command(
        &services_command(Os::Macos, &labels).unwrap().display(),
        0,
        &MACOS.text("launchctl-list-eset-protection-running-glpi-agent.txt"),
    );
    let finding = judge(probe, &host, Os::Macos);
    assert_eq!(finding.verdict, Verdict::Pass, "{}", finding.summary);
    assert!(finding.summary.contains("ESET"), "{}", finding.summary);
}

#[test]
fn clamav_version_lines_read_past_warnings_and_from_freshclam() {
    use probe_antivirus::parse::linux::clam_version;
    use time::{Date, Month};
    // Two published runs in one file: the parser takes the first version line it meets.
    let text = LINUX.text("clamdscan-version-with-warnings-roda-1428.txt");
    let v = clam_version(&text).unwrap();
    assert_eq!(v.engine, "0.99.3");
    let after = text.split("# clamdscan --version").nth(2).unwrap();
    let v = clam_version(after).unwrap();
    assert_eq!(v.engine, "0.100.2");
    assert_eq!(
        v.signature_date,
        Date::from_calendar_date(2018, Month::November, 29).ok()
    );
    let v = clam_version(&LINUX.text("freshclam-version-clamav-faq-115.txt")).unwrap();
    assert_eq!(v.signatures.as_deref(), Some("25533"));
    assert_eq!(
        v.signature_date,
        Date::from_calendar_date(2019, Month::August, 6).ok()
    );
}

#[test]
fn falconctl_records_nothing_while_the_sensors_mode_is_unknown() {
    // As before the reshaping: an unreadable rfm-state drops the version too.
    let unset = read(
        StatusFormat::FalconctlOptions,
        &LINUX.text("falconctl-g-options-aid-unset-kolide-launcher.txt"),
    );
    assert!(unreadable(&unset), "{unset:?}");
    assert!(unset.facts.is_empty(), "{:?}", unset.facts);
}
