//! The Linux plan on image-based hosts (rpm-ostree, bootc, Universal Blue's uupd, Zincati),
//! on openSUSE (transactional-update, os-update) and on dnf5, end to end through ReplayHost:
//! pass, fail and unknown for each, with the reasons and facts they rest on.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use devidence_core::host::ReplayHost;
use devidence_core::{Finding, Observation, Os, Outcome, SourceKind, Verdict};
use devidence_testkit::probe::{Fixtures, judge, rejudge};
use probe_auto_updates::probe;

const LINUX: Fixtures = Fixtures::new(env!("CARGO_MANIFEST_DIR"), "linux");
const PROPS: &str = "-p Id -p Names -p LoadState -p ActiveState -p SubState -p UnitFileState -p LastTriggerUSec -p NextElapseUSecRealtime -p NextElapseUSecMonotonic";
const OSTREE_UNITS: [&str; 5] = [
    "uupd.timer",
    "ublue-update.timer",
    "bootc-fetch-apply-updates.timer",
    "rpm-ostreed-automatic.timer",
    "zincati.service",
];

fn show(units: &[&str]) -> String {
    format!("systemctl show {} {PROPS}", units.join(" "))
}

/// One `systemctl show` block: `state` is `on` (enabled, active, waiting), `off` (disabled,
/// inactive) or `missing` (not-found).
fn block(id: &str, state: &str) -> String {
    let (load, active, sub, file) = match state {
        "on" => ("loaded", "active", "waiting", "enabled"),
        "off" => ("loaded", "inactive", "dead", "disabled"),
        _ => ("not-found", "inactive", "dead", ""),
    };
    format!(
        "Id={id}\nNames={id}\nLoadState={load}\nActiveState={active}\nSubState={sub}\nUnitFileState={file}\n"
    )
}

fn blocks(states: &[(&str, &str)]) -> String {
    states
        .iter()
        .map(|(id, state)| block(id, state))
        .collect::<Vec<_>>()
        .join("\n")
}

/// An ostree-booted Fedora Silverblue: `/run/ostree-booted` present.
fn silverblue() -> ReplayHost {
    let mut host = ReplayHost::new();
    host.file(
        "/etc/os-release",
        &LINUX.text("os-release-silverblue-constructed.txt"),
    );
    host.file("/run/ostree-booted", "");
    host
}

fn ostree_host(conf: Option<&str>, units: &[(&str, &str)]) -> ReplayHost {
    let mut host = silverblue();
    if let Some(conf) = conf {
        host.file("/etc/rpm-ostreed.conf", &LINUX.text(conf));
    }
    host.command(&show(&OSTREE_UNITS), 0, &blocks(units));
    host
}

fn said(finding: &Finding) -> String {
    match &finding.verdict {
        Verdict::Unknown { reason } => format!("{reason} | {}", finding.summary),
        _ => finding.summary.clone(),
    }
}

/// Judges `host` on Linux and checks the verdict, the words, the facts and that the finding
/// judges the same from its own evidence.
fn check(
    name: &str,
    host: &ReplayHost,
    verdict: &str,
    says: &str,
    facts: &[(&str, &str)],
) -> Finding {
    let finding = judge(probe, host, Os::Linux);
    assert_eq!(finding.verdict.label(), verdict, "{name}: {finding:#?}");
    let text = said(&finding);
    assert!(text.contains(says), "{name}: `{text}` lacks `{says}`");
    for (key, want) in facts {
        let got = finding
            .facts
            .get(*key)
            .unwrap_or_else(|| panic!("{name}: no fact {key} in {:#?}", finding.facts));
        assert!(
            got.contains(want),
            "{name}: {key} = `{got}`, wanted `{want}`"
        );
    }
    assert_eq!(
        finding.remediation.is_some(),
        !finding.verdict.is_pass(),
        "{name}"
    );
    assert!(
        !finding.summary.trim_end_matches('.').contains(". "),
        "{name}: one sentence: {}",
        finding.summary
    );
    let again = rejudge(&finding, probe);
    assert_eq!(again.verdict, finding.verdict, "{name}: replay");
    finding
}

#[test]
fn silverblue_with_policy_stage_and_its_timer_passes() {
    let mut host = silverblue();
    host.file(
        "/etc/rpm-ostreed.conf",
        &LINUX.text("rpm-ostreed-conf-stage-constructed.conf"),
    );
    host.command(
        &show(&OSTREE_UNITS),
        0,
        &LINUX.text("systemctl-show-silverblue-rpm-ostreed-timer-constructed.txt"),
    );
    let finding = check(
        "silverblue stage",
        &host,
        "PASS",
        "AutomaticUpdatePolicy=stage, which stages each update for the next boot",
        &[
            ("ostree.booted", "yes"),
            ("os.variant_id", "silverblue"),
            ("rpm_ostree.automatic_update_policy", "stage"),
            ("timer.rpm-ostreed-automatic.timer.sub_state", "waiting"),
            (
                "timer.rpm-ostreed-automatic.timer.next_elapse_monotonic",
                "1d 1h 4min",
            ),
            (
                "timer.bootc-fetch-apply-updates.timer.unit_file_state",
                "disabled",
            ),
            ("mechanism", "image-based"),
        ],
    );
    // dnf is never asked on an image-based host.
    assert!(
        finding
            .observations
            .iter()
            .all(|o| !o.source.starts_with("rpm ")),
        "{:?}",
        finding.observations
    );
}

#[test]
fn silverblue_with_the_shipped_policy_fails_even_with_its_timer_on() {
    let host = ostree_host(
        Some("rpm-ostreed-conf-shipped.conf"),
        &[
            ("uupd.timer", "missing"),
            ("ublue-update.timer", "missing"),
            ("bootc-fetch-apply-updates.timer", "off"),
            ("rpm-ostreed-automatic.timer", "on"),
            ("zincati.service", "missing"),
        ],
    );
    let finding = check(
        "shipped none",
        &host,
        "FAIL",
        "AutomaticUpdatePolicy=none, so it does nothing",
        &[("rpm_ostree.automatic_update_policy", "(not set: none)")],
    );
    assert!(
        finding
            .remediation
            .as_deref()
            .unwrap()
            .contains("AutomaticUpdatePolicy=stage"),
        "{:?}",
        finding.remediation
    );
}

#[test]
fn policy_check_only_looks_for_updates_and_fails() {
    let mut host = ostree_host(
        None,
        &[
            ("uupd.timer", "missing"),
            ("ublue-update.timer", "missing"),
            ("bootc-fetch-apply-updates.timer", "missing"),
            ("rpm-ostreed-automatic.timer", "on"),
            ("zincati.service", "missing"),
        ],
    );
    host.file(
        "/etc/rpm-ostreed.conf",
        "[Daemon]\nAutomaticUpdatePolicy=check\n",
    );
    check(
        "check",
        &host,
        "FAIL",
        "AutomaticUpdatePolicy=check only looks for updates and never installs them",
        &[("rpm_ostree.automatic_update_policy", "check")],
    );
}

#[test]
fn policy_stage_with_the_timer_disabled_fails_with_the_enable_command() {
    let host = ostree_host(
        Some("rpm-ostreed-conf-stage-constructed.conf"),
        &[
            ("uupd.timer", "missing"),
            ("ublue-update.timer", "missing"),
            ("bootc-fetch-apply-updates.timer", "off"),
            ("rpm-ostreed-automatic.timer", "off"),
            ("zincati.service", "missing"),
        ],
    );
    let finding = check(
        "stage, timer off",
        &host,
        "FAIL",
        "AutomaticUpdatePolicy=stage but rpm-ostreed-automatic.timer is disabled, so it never runs",
        &[(
            "timer.rpm-ostreed-automatic.timer.unit_file_state",
            "disabled",
        )],
    );
    assert_eq!(
        finding.remediation.as_deref(),
        Some("sudo systemctl enable --now rpm-ostreed-automatic.timer")
    );
}

#[test]
fn bazzite_updates_through_uupd_even_with_rpm_ostree_off() {
    let mut host = ostree_host(
        Some("rpm-ostreed-conf-shipped.conf"),
        &[
            ("uupd.timer", "on"),
            ("ublue-update.timer", "missing"),
            ("bootc-fetch-apply-updates.timer", "off"),
            ("rpm-ostreed-automatic.timer", "off"),
            ("zincati.service", "missing"),
        ],
    );
    host.file(
        "/etc/os-release",
        "NAME=\"Bazzite\"\nID=bazzite\nID_LIKE=\"fedora\"\nPRETTY_NAME=\"Bazzite 44\"\nVARIANT_ID=bazzite\n",
    );
    check(
        "bazzite uupd",
        &host,
        "PASS",
        "Bazzite 44 updates its image automatically: uupd.timer is enabled and active (waiting)",
        &[
            ("os.id", "bazzite"),
            ("timer.uupd.timer.active_state", "active"),
        ],
    );
    // uupd installed but off: its own enable command is the fix, not rpm-ostree's.
    let host = ostree_host(
        Some("rpm-ostreed-conf-shipped.conf"),
        &[
            ("uupd.timer", "off"),
            ("ublue-update.timer", "missing"),
            ("bootc-fetch-apply-updates.timer", "off"),
            ("rpm-ostreed-automatic.timer", "off"),
            ("zincati.service", "missing"),
        ],
    );
    let finding = check("uupd off", &host, "FAIL", "uupd.timer is disabled", &[]);
    assert_eq!(
        finding.remediation.as_deref(),
        Some("sudo systemctl enable --now uupd.timer")
    );
}

#[test]
fn a_bootc_host_passes_on_its_fetch_apply_timer() {
    let host = ostree_host(
        None,
        &[
            ("uupd.timer", "missing"),
            ("ublue-update.timer", "missing"),
            ("bootc-fetch-apply-updates.timer", "on"),
            ("rpm-ostreed-automatic.timer", "off"),
            ("zincati.service", "missing"),
        ],
    );
    check(
        "bootc",
        &host,
        "PASS",
        "bootc fetches, applies and reboots into each update",
        &[(
            "timer.bootc-fetch-apply-updates.timer.unit_file_state",
            "enabled",
        )],
    );
    let host = ostree_host(
        None,
        &[
            ("uupd.timer", "missing"),
            ("ublue-update.timer", "missing"),
            ("bootc-fetch-apply-updates.timer", "off"),
            ("rpm-ostreed-automatic.timer", "missing"),
            ("zincati.service", "missing"),
        ],
    );
    let finding = check(
        "bootc off",
        &host,
        "FAIL",
        "bootc-fetch-apply-updates.timer is disabled",
        &[],
    );
    assert_eq!(
        finding.remediation.as_deref(),
        Some("sudo systemctl enable --now bootc-fetch-apply-updates.timer")
    );
}

#[test]
fn image_based_unknowns_say_why() {
    // Zincati runs, but its own switch is not read.
    let host = ostree_host(
        None,
        &[
            ("uupd.timer", "missing"),
            ("ublue-update.timer", "missing"),
            ("bootc-fetch-apply-updates.timer", "missing"),
            ("rpm-ostreed-automatic.timer", "off"),
            ("zincati.service", "on"),
        ],
    );
    check(
        "zincati",
        &host,
        "UNKNOWN",
        "whether Zincati's updates are switched on",
        &[],
    );

    // rpm-ostreed.conf unreadable, nothing else on.
    let mut host = ostree_host(
        None,
        &[
            ("uupd.timer", "missing"),
            ("ublue-update.timer", "missing"),
            ("bootc-fetch-apply-updates.timer", "off"),
            ("rpm-ostreed-automatic.timer", "on"),
            ("zincati.service", "missing"),
        ],
    );
    host.add(Observation::new(
        SourceKind::File,
        "/etc/rpm-ostreed.conf",
        Outcome::PermissionDenied,
    ));
    check(
        "conf unreadable",
        &host,
        "UNKNOWN",
        "/etc/rpm-ostreed.conf could not be read",
        &[("rpm_ostree.automatic_update_policy", "unknown")],
    );

    // A value rpm-ostreed rejects.
    let mut host = ostree_host(
        None,
        &[
            ("uupd.timer", "missing"),
            ("ublue-update.timer", "missing"),
            ("bootc-fetch-apply-updates.timer", "missing"),
            ("rpm-ostreed-automatic.timer", "on"),
            ("zincati.service", "missing"),
        ],
    );
    host.file(
        "/etc/rpm-ostreed.conf",
        "[Daemon]\nAutomaticUpdatePolicy=weekly\n",
    );
    check(
        "invalid policy",
        &host,
        "UNKNOWN",
        "Invalid value for AutomaticUpdatePolicy: 'weekly'",
        &[],
    );

    // No update unit this probe knows (Endless OS's eos-updater, for one).
    let host = ostree_host(None, &OSTREE_UNITS.map(|u| (u, "missing")));
    check(
        "no units",
        &host,
        "UNKNOWN",
        "none of the update units this probe knows",
        &[],
    );

    // systemctl missing.
    let mut host = silverblue();
    host.add(Observation::new(
        SourceKind::Command,
        show(&OSTREE_UNITS),
        Outcome::NotFound,
    ));
    check(
        "no systemctl",
        &host,
        "UNKNOWN",
        "systemctl is not installed",
        &[],
    );

    // systemctl timing out.
    let mut host = silverblue();
    host.add(Observation::new(
        SourceKind::Command,
        show(&OSTREE_UNITS),
        Outcome::TimedOut {
            deadline_ms: 10_000,
        },
    ));
    for unit in OSTREE_UNITS {
        host.add(Observation::new(
            SourceKind::Command,
            format!("systemctl is-enabled {unit}"),
            Outcome::TimedOut {
                deadline_ms: 10_000,
            },
        ));
    }
    check(
        "systemctl timeout",
        &host,
        "UNKNOWN",
        "did not report whether",
        &[("systemd.state", "timed out")],
    );

    // /run/ostree-booted cannot be checked: neither image-based nor package-based is assumed.
    let mut host = ReplayHost::new();
    host.file(
        "/etc/os-release",
        &LINUX.text("os-release-silverblue-constructed.txt"),
    );
    host.add(Observation::new(
        SourceKind::File,
        "/run/ostree-booted",
        Outcome::PermissionDenied,
    ));
    check(
        "ostree-booted unreadable",
        &host,
        "UNKNOWN",
        "is image-based could not be checked",
        &[("ostree.booted", "unknown")],
    );
}

#[test]
fn microos_passes_on_transactional_update_timer() {
    let mut host = ReplayHost::new();
    host.file("/etc/os-release", &LINUX.text("os-release-microos.txt"));
    host.command(
        &show(&["transactional-update.timer", "os-update.timer"]),
        0,
        &LINUX.text("systemctl-show-microos-transactional-update-constructed.txt"),
    );
    check(
        "microos",
        &host,
        "PASS",
        "transactional-update installs each one into a new snapshot for the next boot",
        &[
            ("os.family", "suse"),
            ("ostree.booted", "no"),
            (
                "timer.transactional-update.timer.next_elapse",
                "Tue 2026-11-24 01:12:40 UTC",
            ),
            ("timer.os-update.timer.load_state", "not-found"),
        ],
    );
}

#[test]
fn opensuse_fails_when_its_timer_is_off_and_is_unknown_without_one() {
    let suse = |states: &[(&str, &str)]| {
        let mut host = ReplayHost::new();
        host.file(
            "/etc/os-release",
            &LINUX.text("os-release-opensuse-leap42.txt"),
        );
        host.command(
            &show(&["transactional-update.timer", "os-update.timer"]),
            0,
            &blocks(states),
        );
        host
    };
    check(
        "leap os-update on",
        &suse(&[
            ("transactional-update.timer", "missing"),
            ("os-update.timer", "on"),
        ]),
        "PASS",
        "os-update runs zypper",
        &[("timer.os-update.timer.unit_file_state", "enabled")],
    );
    let finding = check(
        "leap os-update off",
        &suse(&[
            ("transactional-update.timer", "missing"),
            ("os-update.timer", "off"),
        ]),
        "FAIL",
        "os-update.timer is disabled",
        &[],
    );
    assert_eq!(
        finding.remediation.as_deref(),
        Some("sudo systemctl enable --now os-update.timer")
    );
    let finding = check(
        "microos timer off",
        &suse(&[
            ("transactional-update.timer", "off"),
            ("os-update.timer", "missing"),
        ]),
        "FAIL",
        "transactional-update.timer is disabled",
        &[],
    );
    assert_eq!(
        finding.remediation.as_deref(),
        Some("sudo systemctl enable --now transactional-update.timer")
    );
    check(
        "leap without either",
        &suse(&[
            ("transactional-update.timer", "missing"),
            ("os-update.timer", "missing"),
        ]),
        "UNKNOWN",
        "neither transactional-update.timer nor os-update.timer is installed on openSUSE Leap 42.1 (x86_64)",
        &[],
    );
}
