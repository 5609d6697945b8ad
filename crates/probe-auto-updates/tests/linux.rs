//! The Linux plan end to end against recorded outputs (ReplayHost), one scenario per row.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use devidence_core::host::ReplayHost;
use devidence_core::redact::Redactor;
use devidence_core::{Observation, Os, Outcome, Policy, ProbeRun, RealHost, SourceKind, Verdict};
use devidence_testkit::probe::{Fixtures, judge, rejudge};
use probe_auto_updates::probe;

const LINUX: Fixtures = Fixtures::new(env!("CARGO_MANIFEST_DIR"), "linux");

const DPKG: &str = "dpkg-query -W '-f=${Status} ${Version}' unattended-upgrades";
const APT_CONFIG: &str = "apt-config dump";
const SHOW_APT: &str = "systemctl show apt-daily.timer apt-daily-upgrade.timer -p Id -p Names -p LoadState -p ActiveState -p SubState -p UnitFileState -p LastTriggerUSec -p NextElapseUSecRealtime -p NextElapseUSecMonotonic";
const TAIL: &str = "tail -n 20 /var/log/unattended-upgrades/unattended-upgrades.log";
const RPM: &str = "rpm -q dnf-automatic dnf5-plugin-automatic";
const SHOW_DNF: &str = "systemctl show dnf-automatic-install.timer dnf5-automatic-install.timer dnf-automatic.timer dnf5-automatic.timer dnf-automatic-download.timer dnf-automatic-notifyonly.timer -p Id -p Names -p LoadState -p ActiveState -p SubState -p UnitFileState -p LastTriggerUSec -p NextElapseUSecRealtime -p NextElapseUSecMonotonic";

/// A completed command with stderr too.
fn command(host: &mut ReplayHost, line: &str, code: i32, stdout: &str, stderr: &str) {
    let mut obs = Observation::new(SourceKind::Command, line, Outcome::Completed);
    obs.exit_code = Some(code);
    obs.stdout = stdout.to_string();
    obs.stderr = stderr.to_string();
    host.add(obs);
}

fn outcome(host: &mut ReplayHost, line: &str, outcome: Outcome) {
    host.add(Observation::new(SourceKind::Command, line, outcome));
}

fn debian() -> ReplayHost {
    let mut host = ReplayHost::new();
    host.file("/etc/os-release", &LINUX.text("os-release-debian12.txt"));
    host
}

/// Debian 12 with unattended-upgrades installed and on, systemd not PID 1 (this VM's shape).
fn debian_uu_offline() -> ReplayHost {
    let mut host = debian();
    host.command(DPKG, 0, &LINUX.text("dpkg-query-uu-installed.txt"));
    host.command(APT_CONFIG, 0, &LINUX.text("apt-config-dump-uu-enabled.txt"));
    command(
        &mut host,
        SHOW_APT,
        1,
        "",
        &LINUX.text("systemctl-show-offline.stderr"),
    );
    host.command(
        "systemctl is-enabled apt-daily.timer",
        0,
        &LINUX.text("systemctl-is-enabled-enabled.txt"),
    );
    host.command(
        "systemctl is-enabled apt-daily-upgrade.timer",
        0,
        &LINUX.text("systemctl-is-enabled-enabled.txt"),
    );
    host.command(TAIL, 0, &LINUX.text("uu-log-tail.txt"));
    host
}

fn fedora(rpm_fixture: &str) -> ReplayHost {
    let mut host = ReplayHost::new();
    host.file("/etc/os-release", &LINUX.text("os-release-fedora38.txt"));
    host.command(RPM, 1, &LINUX.text(rpm_fixture));
    host
}

/// `systemctl show` for the six dnf timers with `enabled` ones active and the rest disabled.
fn dnf_show(enabled: &[&str]) -> String {
    [
        "dnf-automatic-install.timer",
        "dnf5-automatic-install.timer",
        "dnf-automatic.timer",
        "dnf5-automatic.timer",
        "dnf-automatic-download.timer",
        "dnf-automatic-notifyonly.timer",
    ]
    .iter()
    .map(|id| {
        let (file, active) = if enabled.contains(id) {
            ("enabled", "active")
        } else {
            ("disabled", "inactive")
        };
        format!("Id={id}\nLoadState=loaded\nActiveState={active}\nUnitFileState={file}\n")
    })
    .collect::<Vec<_>>()
    .join("\n")
}

fn label(v: &Verdict) -> &'static str {
    v.label()
}

#[test]
fn scenarios() {
    struct Row {
        name: &'static str,
        host: ReplayHost,
        os: Os,
        verdict: &'static str,
        /// (fact key, expected value or substring)
        facts: Vec<(&'static str, &'static str)>,
        /// substring of the summary (or the Unknown reason)
        says: &'static str,
    }
    let mut rows = Vec::new();

    // Real shape of this VM before anything was installed.
    let mut host = debian();
    command(
        &mut host,
        DPKG,
        1,
        "",
        &LINUX.text("dpkg-query-uu-not-installed.stderr"),
    );
    rows.push(Row {
        name: "debian 12 without unattended-upgrades fails",
        host,
        os: Os::Linux,
        verdict: "FAIL",
        facts: vec![
            ("os.family", "debian"),
            ("unattended_upgrades.package", "not installed"),
        ],
        says: "unattended-upgrades is not installed",
    });

    rows.push(Row {
        name: "installed and on, systemd offline: judged from unit files",
        host: debian_uu_offline(),
        os: Os::Linux,
        verdict: "PASS",
        facts: vec![
            ("unattended_upgrades.package", "installed 2.9.1+nmu3"),
            ("apt.periodic.unattended_upgrade", "1"),
            ("unattended_upgrades.security_origin", "yes"),
            ("timer.apt-daily-upgrade.timer.unit_file_state", "enabled"),
            ("timer.apt-daily-upgrade.timer.active_state", "unknown"),
            ("timers.source", "systemctl is-enabled (unit files only"),
            ("systemd.state", "systemd is not running as PID 1"),
            (
                "unattended_upgrades.log.last_started",
                "2026-11-23 22:50:29",
            ),
        ],
        says: "label=Debian-Security",
    });

    let mut host = debian_uu_offline();
    host.command(
        SHOW_APT,
        0,
        &LINUX.text("systemctl-show-apt-timers-running.txt"),
    );
    rows.push(Row {
        name: "installed and on, systemd running",
        host,
        os: Os::Linux,
        verdict: "PASS",
        facts: vec![
            ("timers.source", "systemctl show"),
            ("timer.apt-daily-upgrade.timer.active_state", "active"),
            (
                "timer.apt-daily.timer.next_elapse",
                "Tue 2026-11-24 06:12:09 UTC",
            ),
        ],
        says: "switched on and scheduled",
    });

    let mut host = debian_uu_offline();
    host.command(
        APT_CONFIG,
        0,
        &LINUX.text("apt-config-dump-uu-disabled.txt"),
    );
    rows.push(Row {
        name: "Unattended-Upgrade \"0\" fails",
        host,
        os: Os::Linux,
        verdict: "FAIL",
        facts: vec![("apt.periodic.unattended_upgrade", "0")],
        says: "APT::Periodic::Unattended-Upgrade is \"0\" (off)",
    });

    let mut host = debian_uu_offline();
    host.command(DPKG, 0, &LINUX.text("dpkg-query-uu-config-files.txt"));
    rows.push(Row {
        name: "removed but config files left fails although apt-config still says 1",
        host,
        os: Os::Linux,
        verdict: "FAIL",
        facts: vec![(
            "unattended_upgrades.package",
            "removed, configuration files of 2.9.1+nmu3 remain",
        )],
        says: "only its configuration files remain",
    });

    let mut host = debian_uu_offline();
    host.command(
        "systemctl is-enabled apt-daily-upgrade.timer",
        1,
        &LINUX.text("systemctl-is-enabled-disabled.txt"),
    );
    rows.push(Row {
        name: "apt-daily-upgrade.timer disabled fails",
        host,
        os: Os::Linux,
        verdict: "FAIL",
        facts: vec![("timer.apt-daily-upgrade.timer.unit_file_state", "disabled")],
        says: "apt-daily-upgrade.timer is disabled",
    });

    let mut host = debian_uu_offline();
    let mut dpkg_missing = ReplayHost::new();
    dpkg_missing.file("/etc/os-release", &LINUX.text("os-release-debian12.txt"));
    rows.push(Row {
        name: "dpkg-query missing is unknown",
        host: dpkg_missing,
        os: Os::Linux,
        verdict: "UNKNOWN",
        facts: vec![("unattended_upgrades.package", "unknown")],
        says: "dpkg-query",
    });

    outcome(
        &mut host,
        APT_CONFIG,
        Outcome::TimedOut {
            deadline_ms: 15_000,
        },
    );
    rows.push(Row {
        name: "apt-config timeout is unknown",
        host,
        os: Os::Linux,
        verdict: "UNKNOWN",
        facts: vec![],
        says: "timed out",
    });

    let mut host = debian_uu_offline();
    host.command(APT_CONFIG, 0, "Segmentation fault\n\u{1b}[0m garbage");
    rows.push(Row {
        name: "garbled apt-config output is unknown",
        host,
        os: Os::Linux,
        verdict: "UNKNOWN",
        facts: vec![],
        says: "printed no `Key \"value\";` lines",
    });

    let mut host = debian_uu_offline();
    outcome(&mut host, SHOW_APT, Outcome::NotFound);
    rows.push(Row {
        name: "systemctl missing is unknown",
        host,
        os: Os::Linux,
        verdict: "UNKNOWN",
        facts: vec![],
        says: "systemctl is not installed",
    });

    let mut host = debian_uu_offline();
    host.file("/etc/os-release", &LINUX.text("os-release-ubuntu2204.txt"));
    rows.push(Row {
        name: "ubuntu takes the apt path",
        host,
        os: Os::Linux,
        verdict: "PASS",
        facts: vec![
            ("os.id", "ubuntu"),
            ("os.id_like", "debian"),
            ("os.family", "debian"),
        ],
        says: "unattended-upgrades 2.9.1+nmu3",
    });

    rows.push(Row {
        name: "fedora without dnf-automatic fails",
        host: fedora("rpm-q-dnf-automatic-absent.txt"),
        os: Os::Linux,
        verdict: "FAIL",
        facts: vec![
            ("os.family", "fedora"),
            ("dnf_automatic.package", "not installed"),
        ],
        says: "dnf-automatic is not installed",
    });

    let mut host = fedora("rpm-q-dnf-automatic-installed.txt");
    host.command(SHOW_DNF, 0, &dnf_show(&["dnf-automatic.timer"]));
    host.file(
        "/etc/dnf/automatic.conf",
        &LINUX.text("dnf4-automatic.conf"),
    );
    rows.push(Row {
        name: "fedora dnf-automatic.timer with shipped config is download-only: fail",
        host,
        os: Os::Linux,
        verdict: "FAIL",
        facts: vec![
            (
                "dnf_automatic.package",
                "dnf-automatic 4.18.0-2.fc39.noarch",
            ),
            ("dnf_automatic.apply_updates", "no"),
            ("dnf_automatic.config", "/etc/dnf/automatic.conf"),
            ("timer.dnf-automatic.timer.active_state", "active"),
        ],
        says: "only downloads updates",
    });

    let mut host = fedora("rpm-q-dnf-automatic-installed.txt");
    host.command(SHOW_DNF, 0, &dnf_show(&["dnf-automatic-download.timer"]));
    rows.push(Row {
        name: "fedora download timer only: fail",
        host,
        os: Os::Linux,
        verdict: "FAIL",
        facts: vec![],
        says: "only dnf-automatic-download.timer is enabled, which never installs updates",
    });

    let mut host = fedora("rpm-q-dnf-automatic-installed.txt");
    host.command(SHOW_DNF, 0, &dnf_show(&["dnf-automatic-install.timer"]));
    rows.push(Row {
        name: "fedora install timer: pass",
        host,
        os: Os::Linux,
        verdict: "PASS",
        facts: vec![(
            "timer.dnf-automatic-install.timer.unit_file_state",
            "enabled",
        )],
        says: "dnf-automatic-install.timer installs updates automatically",
    });

    let mut host = fedora("rpm-q-dnf-automatic-installed.txt");
    host.command(SHOW_DNF, 0, &dnf_show(&["dnf5-automatic.timer"]));
    host.file(
        "/usr/share/dnf5/dnf5-plugins/automatic.conf",
        &LINUX.text("dnf5-automatic-share.conf"),
    );
    host.file(
        "/etc/dnf/dnf5-plugins/automatic.conf",
        "[commands]\napply_updates = yes\n",
    );
    rows.push(Row {
        name: "dnf5 timer with admin override apply_updates = yes: pass",
        host,
        os: Os::Linux,
        verdict: "PASS",
        facts: vec![(
            "dnf_automatic.config",
            "/usr/share/dnf5/dnf5-plugins/automatic.conf + /etc/dnf/dnf5-plugins/automatic.conf",
        ), ("dnf_automatic.apply_updates", "yes")],
        says: "dnf5-automatic.timer installs updates",
    });

    let mut host = fedora("rpm-q-dnf-automatic-installed.txt");
    host.command(SHOW_DNF, 0, &dnf_show(&["dnf-automatic.timer"]));
    host.add(Observation::new(
        SourceKind::File,
        "/etc/dnf/automatic.conf",
        Outcome::PermissionDenied,
    ));
    rows.push(Row {
        name: "fedora config unreadable is unknown",
        host,
        os: Os::Linux,
        verdict: "UNKNOWN",
        facts: vec![],
        says: "permission denied",
    });

    let mut host = ReplayHost::new();
    host.file("/etc/os-release", &LINUX.text("os-release-fedora38.txt"));
    outcome(
        &mut host,
        RPM,
        Outcome::TimedOut {
            deadline_ms: 15_000,
        },
    );
    rows.push(Row {
        name: "rpm timeout is unknown",
        host,
        os: Os::Linux,
        verdict: "UNKNOWN",
        facts: vec![],
        says: "timed out",
    });

    let mut host = ReplayHost::new();
    host.file(
        "/etc/os-release",
        "NAME=\"Void\"\nID=\"void\"\nPRETTY_NAME=\"Void Linux\"\n",
    );
    rows.push(Row {
        name: "unsupported distribution is unknown",
        host,
        os: Os::Linux,
        verdict: "UNKNOWN",
        facts: vec![("os.family", "other")],
        says: "Void Linux (ID=void) are not checked yet",
    });

    rows.push(Row {
        name: "no os-release is unknown",
        host: ReplayHost::new(),
        os: Os::Linux,
        verdict: "UNKNOWN",
        facts: vec![],
        says: "/usr/lib/os-release not found",
    });

    rows.push(Row {
        name: "macos host where defaults is missing",
        host: ReplayHost::new(),
        os: Os::Macos,
        verdict: "UNKNOWN",
        facts: vec![],
        says: "/usr/bin/plutil -convert xml1 -o - /Library/Preferences/com.apple.SoftwareUpdate.plist` not found",
    });

    for row in rows {
        let finding = judge(probe, &row.host, row.os);
        assert_eq!(
            label(&finding.verdict),
            row.verdict,
            "{}: {finding:#?}",
            row.name
        );
        let said = match &finding.verdict {
            Verdict::Unknown { reason } => format!("{reason} | {}", finding.summary),
            _ => finding.summary.clone(),
        };
        assert!(
            said.contains(row.says),
            "{}: `{said}` lacks `{}`",
            row.name,
            row.says
        );
        for (key, want) in &row.facts {
            let got = finding
                .facts
                .get(*key)
                .unwrap_or_else(|| panic!("{}: no fact {key} in {:#?}", row.name, finding.facts));
            assert!(
                got.contains(want),
                "{}: fact {key} = `{got}`, wanted `{want}`",
                row.name
            );
        }
        assert_eq!(
            finding.remediation.is_some(),
            !finding.verdict.is_pass(),
            "{}",
            row.name
        );
        assert!(
            !finding.summary.trim_end_matches('.').contains(". "),
            "{}: summary is one sentence: {}",
            row.name,
            finding.summary
        );
    }
}

#[test]
fn the_fail_on_a_bare_debian_gives_the_apt_remedy() {
    let mut host = debian();
    command(
        &mut host,
        DPKG,
        1,
        "",
        &LINUX.text("dpkg-query-uu-not-installed.stderr"),
    );
    let finding = judge(probe, &host, Os::Linux);
    assert_eq!(
        finding.remediation.as_deref(),
        Some(
            "sudo apt install unattended-upgrades && sudo dpkg-reconfigure -plow unattended-upgrades"
        )
    );
    // Evidence: os-release, the session lookup for GNOME Software, the image-based check and
    // the dpkg-query command.
    let sources: Vec<&str> = finding
        .observations
        .iter()
        .map(|o| o.source.as_str())
        .collect();
    assert_eq!(
        sources,
        [
            "/etc/os-release",
            "loginctl list-sessions --no-legend",
            "/run/ostree-booted",
            DPKG
        ]
    );
}

#[test]
fn gnome_software_is_recorded_for_the_session_user_but_never_decides() {
    let mut host = debian();
    command(
        &mut host,
        DPKG,
        1,
        "",
        &LINUX.text("dpkg-query-uu-not-installed.stderr"),
    );
    // systemd 252 session listing and a GNOME Wayland session (format as core's users tests).
    command(
        &mut host,
        "loginctl list-sessions --no-legend",
        0,
        "      2 1000 alice seat0 tty2\n",
        "",
    );
    command(
        &mut host,
        "loginctl show-session 2 -p Name -p User -p Type -p Class -p Active -p Desktop",
        0,
        "Name=alice\nUser=1000\nType=wayland\nClass=user\nActive=yes\nDesktop=GNOME\n",
        "",
    );
    host.file(
        "/etc/passwd",
        "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000:Alice:/home/alice:/bin/bash\n",
    );
    host.command_as(
        "alice",
        "gsettings get org.gnome.software download-updates",
        0,
        "true\n",
    );
    let finding = judge(probe, &host, Os::Linux);
    assert_eq!(
        label(&finding.verdict),
        "FAIL",
        "GNOME Software alone never passes"
    );
    assert_eq!(
        finding.facts["gnome_software.alice"],
        "download-updates true (installed only at a restart the user chooses)"
    );
}

#[test]
fn runs_on_this_machine() {
    let policy = Policy::default();
    let redactor = Redactor::new();
    let host = RealHost::new();
    let finding = probe(ProbeRun::new(&host, Os::current(), &policy, &redactor));
    eprintln!(
        "{}: {} | {:?}",
        finding.verdict, finding.summary, finding.facts
    );
    // Checked independently on a Debian-family machine: without the unattended-upgrades
    // package nothing installs updates unattended, so the verdict is that fail.
    let installed = std::process::Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", "unattended-upgrades"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"));
    match installed {
        Some(false)
            if finding
                .facts
                .get("os.family")
                .is_some_and(|f| f == "debian") =>
        {
            assert_eq!(finding.verdict, Verdict::Fail, "{}", finding.summary);
            assert!(
                finding
                    .summary
                    .contains("unattended-upgrades is not installed"),
                "{}",
                finding.summary
            );
        }
        // Installed, or another family: the verdict rests on the timers and configuration,
        // and an unknown must say why.
        _ => {
            if let Verdict::Unknown { reason } = &finding.verdict {
                assert!(!reason.is_empty());
            }
        }
    }
    // The finding carries its proof: judged again from its observations, it is the same.
    let again = rejudge(&finding, probe);
    assert_eq!(
        (&again.verdict, &again.summary),
        (&finding.verdict, &finding.summary)
    );
}

/// Arch Linux has no automatic-update mechanism by design: an honest `unknown` that says so,
/// never `fail` (nothing is misconfigured) and never `pass`, and no package manager is asked.
#[test]
fn arch_linux_is_unknown_because_it_has_no_automatic_updates_by_design() {
    let mut host = ReplayHost::new();
    host.file("/etc/os-release", &LINUX.text("os-release-arch.txt"));
    let finding = judge(probe, &host, Os::Linux);
    let Verdict::Unknown { reason } = &finding.verdict else {
        panic!("{:?}", finding.verdict);
    };
    assert!(
        reason.contains("no automatic updates by design"),
        "{reason}"
    );
    assert!(reason.contains("ID=arch"), "{reason}");
    assert!(
        finding
            .remediation
            .as_deref()
            .is_some_and(|r| r.contains("pacman -Syu")),
        "{:?}",
        finding.remediation
    );
    assert_eq!(
        finding.facts.get("os.family").map(String::as_str),
        Some("arch")
    );
    // Nothing but os-release and the desktop updater lookup was consulted.
    assert!(
        finding
            .observations
            .iter()
            .all(|o| !o.source.contains("rpm") && !o.source.contains("dpkg")),
        "{:?}",
        finding.observations
    );
}
