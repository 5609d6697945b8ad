//! dnf5 (Fedora 41+): `dnf5-automatic.timer`, its alias `dnf-automatic.timer`, and the
//! three configuration files `dnf5 automatic` merges; end to end through ReplayHost.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use devidence_core::host::ReplayHost;
use devidence_core::{Observation, Os, Outcome, SourceKind, Verdict};
use devidence_testkit::probe::{Fixtures, judge, rejudge};
use probe_auto_updates::probe;

const LINUX: Fixtures = Fixtures::new(env!("CARGO_MANIFEST_DIR"), "linux");
const RPM: &str = "rpm -q dnf-automatic dnf5-plugin-automatic";
const SHOW_DNF: &str = "systemctl show dnf-automatic-install.timer dnf5-automatic-install.timer dnf-automatic.timer dnf5-automatic.timer dnf-automatic-download.timer dnf-automatic-notifyonly.timer -p Id -p Names -p LoadState -p ActiveState -p SubState -p UnitFileState -p LastTriggerUSec -p NextElapseUSecRealtime -p NextElapseUSecMonotonic";
const SHARE: &str = "/usr/share/dnf5/dnf5-plugins/automatic.conf";
const ETC: &str = "/etc/dnf/automatic.conf";

fn missing(id: &str) -> String {
    format!(
        "Id={id}\nNames={id}\nLoadState=not-found\nActiveState=inactive\nSubState=dead\nUnitFileState=\n"
    )
}

/// Fedora 41 with dnf5-plugin-automatic and dnf5-automatic.timer enabled: the dnf 4 timers are
/// not found and the alias is reported under dnf5's name.
fn fedora41() -> ReplayHost {
    let mut host = ReplayHost::new();
    host.file(
        "/etc/os-release",
        "NAME=\"Fedora Linux\"\nID=fedora\nVERSION_ID=41\nPRETTY_NAME=\"Fedora Linux 41 (Workstation Edition)\"\n",
    );
    let mut rpm = Observation::new(SourceKind::Command, RPM, Outcome::Completed);
    rpm.exit_code = Some(1);
    rpm.stdout =
        "package dnf-automatic is not installed\ndnf5-plugin-automatic-5.2.8.1-3.fc41.x86_64\n"
            .into();
    host.add(rpm);
    let show = [
        missing("dnf-automatic-install.timer"),
        missing("dnf5-automatic-install.timer"),
        LINUX.text("systemctl-show-dnf5-automatic-alias-constructed.txt"),
        missing("dnf-automatic-download.timer"),
        missing("dnf-automatic-notifyonly.timer"),
    ]
    .join("\n");
    host.command(SHOW_DNF, 0, &show);
    host.file(SHARE, &LINUX.text("dnf5-automatic-share.conf"));
    host
}

#[test]
fn the_packaged_defaults_only_download_so_dnf5_fails() {
    let finding = judge(probe, &fedora41(), Os::Linux);
    assert_eq!(finding.verdict, Verdict::Fail, "{finding:#?}");
    assert!(
        finding.summary.contains(
            "dnf-automatic.timer is scheduled but only downloads updates (apply_updates = no)"
        ),
        "{}",
        finding.summary
    );
    let remedy = finding.remediation.as_deref().unwrap();
    assert!(
        remedy.contains("apply_updates = yes") && remedy.contains(ETC),
        "{remedy}"
    );
    assert!(
        !remedy.contains("dnf-automatic-install.timer"),
        "no such timer on dnf5: {remedy}"
    );
    assert_eq!(finding.facts["dnf_automatic.generation"], "dnf5");
    assert_eq!(finding.facts["dnf_automatic.config"], SHARE);
    assert_eq!(finding.facts["dnf_automatic.apply_updates"], "no");
    assert_eq!(
        finding.facts["timer.dnf5-automatic.timer.names"],
        "dnf5-automatic.timer dnf-automatic.timer"
    );
    // All three files were looked for, in dnf5's order.
    let files: Vec<&str> = finding
        .observations
        .iter()
        .filter(|o| o.source.ends_with("automatic.conf"))
        .map(|o| o.source.as_str())
        .collect();
    assert_eq!(files, [SHARE, "/etc/dnf/dnf5-plugins/automatic.conf", ETC]);
    assert_eq!(rejudge(&finding, probe).verdict, finding.verdict);
}

#[test]
fn apply_updates_yes_in_etc_dnf_automatic_conf_overrides_the_defaults_and_passes() {
    let mut host = fedora41();
    // The shipped template with the one line an admin changes.
    let admin = LINUX
        .text("dnf5-automatic-etc.conf")
        .replace("apply_updates = no", "apply_updates = yes");
    host.file(ETC, &admin);
    let finding = judge(probe, &host, Os::Linux);
    assert_eq!(finding.verdict, Verdict::Pass, "{finding:#?}");
    assert!(
        finding.summary.contains("dnf5-plugin-automatic 5.2.8.1-3.fc41.x86_64 is installed and dnf-automatic.timer installs updates automatically"),
        "{}",
        finding.summary
    );
    assert_eq!(
        finding.facts["dnf_automatic.config"],
        format!("{SHARE} + {ETC}")
    );
    assert_eq!(finding.facts["dnf_automatic.apply_updates"], "yes");
    assert_eq!(
        finding.facts["timer.dnf5-automatic.timer.sub_state"],
        "waiting"
    );
    assert_eq!(rejudge(&finding, probe).verdict, Verdict::Pass);
}

#[test]
fn the_shipped_etc_template_keeps_apply_updates_off() {
    let mut host = fedora41();
    host.file(ETC, &LINUX.text("dnf5-automatic-etc.conf"));
    let finding = judge(probe, &host, Os::Linux);
    assert_eq!(finding.verdict, Verdict::Fail, "{finding:#?}");
    assert_eq!(
        finding.facts["dnf_automatic.config"],
        format!("{SHARE} + {ETC}")
    );
}

#[test]
fn an_unreadable_admin_file_is_unknown() {
    let mut host = fedora41();
    host.add(Observation::new(
        SourceKind::File,
        ETC,
        Outcome::PermissionDenied,
    ));
    let finding = judge(probe, &host, Os::Linux);
    let Verdict::Unknown { reason } = &finding.verdict else {
        panic!("{finding:#?}");
    };
    assert!(
        reason.contains("its configuration could not be read"),
        "{reason}"
    );
    assert!(reason.contains("permission denied"), "{reason}");
}
