//! Image-based systems (an ostree-booted host: rpm-ostree, bootc, Universal Blue's uupd,
//! Zincati) and openSUSE (transactional-update, os-update): an update unit that installs
//! updates must be enabled *and* scheduled; a policy that only checks, or a timer that is
//! enabled with nothing to do, fails.

use super::{Check, TimerStatus, conclude, conclude_timer, timers_unread};
use crate::linux::image::{
    BOOTC_TIMER, RPM_OSTREE_TIMER, RPM_OSTREED_CONF, SUSE_TIMERS, UBLUE_TIMERS, ZINCATI,
};
use crate::linux::{Ostree, PolicyRead, Suse, Timers};
use crate::parse::linux::ostree::UpdatePolicy;
use crate::parse::linux::systemd::{UnitState, find};
use devidence_core::Conclusion;

fn status(units: &[UnitState], name: &str) -> TimerStatus {
    find(units, name)
        .map(conclude_timer)
        .unwrap_or_else(|| TimerStatus::Unclear(format!("systemd did not report on {name}")))
}

/// True when the unit file is there (enabled or not).
fn installed(units: &[UnitState], name: &str) -> bool {
    find(units, name).is_some_and(|u| {
        u.load_state.as_deref() != Some("not-found")
            && u.unit_file_state.as_deref() != Some("not-found")
    })
}

const RPM_OSTREE_POLICY_REMEDY: &str = "Set AutomaticUpdatePolicy=stage in the [Daemon] section of /etc/rpm-ostreed.conf, run sudo rpm-ostree reload, then sudo systemctl enable --now rpm-ostreed-automatic.timer";

/// An ostree-booted host: Universal Blue's updater, bootc's timer, or rpm-ostree's timer with
/// a policy that stages or applies updates. Zincati (Fedora CoreOS) is recognised but its own
/// configuration is not read, so it stays unknown.
pub fn conclude_ostree(ostree: &Ostree) -> Conclusion {
    let Timers::Read(units) = &ostree.timers else {
        return conclude("", &[timers_unread(&ostree.timers)]);
    };
    let name = ostree.release.display_name();
    for timer in UBLUE_TIMERS {
        if let TimerStatus::Scheduled(how) = status(units, timer) {
            let pass = format!(
                "{name} updates its image automatically: {how} (Universal Blue's updater)."
            );
            return conclude(&pass, &[Check::Ok(how)]);
        }
    }
    if let TimerStatus::Scheduled(how) = status(units, BOOTC_TIMER) {
        let pass = format!(
            "{name} updates its image automatically: {how}, and bootc fetches, applies and reboots into each update."
        );
        return conclude(&pass, &[Check::Ok(how)]);
    }
    let rpm_ostree = status(units, RPM_OSTREE_TIMER);
    if let (
        TimerStatus::Scheduled(how),
        PolicyRead::Read {
            parsed: Ok(policy), ..
        },
    ) = (&rpm_ostree, &ostree.policy)
        && policy.installs()
    {
        let what = if *policy == UpdatePolicy::Apply {
            "installs each update and reboots into it"
        } else {
            "stages each update for the next boot"
        };
        let pass = format!(
            "{name} updates its image automatically: {how} with AutomaticUpdatePolicy={}, which {what}.",
            policy.name()
        );
        return conclude(&pass, &[Check::Ok(how.clone())]);
    }
    if let TimerStatus::Scheduled(how) = status(units, ZINCATI) {
        return conclude(
            "",
            &[Check::unknown(
                format!(
                    "{how}, but whether Zincati's updates are switched on (its configuration under /etc/zincati/config.d) is not read"
                ),
                "Run `rpm-ostree status` and upload it: `DriverState:` must not say `auto-updates logic disabled by configuration`.",
            )],
        );
    }

    let mut off = Vec::new();
    let mut unclear = Vec::new();
    for unit in UBLUE_TIMERS.into_iter().chain([BOOTC_TIMER, ZINCATI]) {
        match status(units, unit) {
            TimerStatus::Off(why) if installed(units, unit) => off.push(why),
            TimerStatus::Unclear(why) => unclear.push(why),
            _ => {}
        }
    }
    let mut remedy = RPM_OSTREE_POLICY_REMEDY;
    match (&rpm_ostree, &ostree.policy) {
        (_, PolicyRead::Unreadable(why)) => {
            unclear.push(format!("{RPM_OSTREED_CONF} could not be read: {why}"));
        }
        (
            _,
            PolicyRead::Read {
                parsed: Err(why), ..
            },
        ) => unclear.push(format!(
            "{RPM_OSTREED_CONF} has an AutomaticUpdatePolicy rpm-ostreed rejects ({why})"
        )),
        (TimerStatus::Unclear(why), _) => unclear.push(why.clone()),
        (TimerStatus::Scheduled(how), PolicyRead::Read { parsed: Ok(p), .. }) => {
            off.push(if *p == UpdatePolicy::Check {
                format!(
                    "{how} but AutomaticUpdatePolicy=check only looks for updates and never installs them"
                )
            } else {
                format!("{how} but AutomaticUpdatePolicy={}, so it does nothing", p.name())
            });
        }
        (TimerStatus::Off(why), PolicyRead::Read { parsed: Ok(p), .. })
            if installed(units, RPM_OSTREE_TIMER) =>
        {
            if p.installs() {
                remedy = "sudo systemctl enable --now rpm-ostreed-automatic.timer";
                off.push(format!(
                    "AutomaticUpdatePolicy={} but {why}, so it never runs",
                    p.name()
                ));
            } else {
                off.push(format!("{why} and AutomaticUpdatePolicy={}", p.name()));
            }
        }
        (TimerStatus::Off(_), _) => {}
    }
    if !unclear.is_empty() {
        return conclude(
            "",
            &[Check::unknown(
                unclear.join("; "),
                "Check `systemctl list-timers --all` and /etc/rpm-ostreed.conf as root.",
            )],
        );
    }
    let any_installed = UBLUE_TIMERS
        .into_iter()
        .chain([BOOTC_TIMER, RPM_OSTREE_TIMER, ZINCATI])
        .any(|unit| installed(units, unit));
    if !any_installed {
        return conclude(
            "",
            &[Check::unknown(
                format!(
                    "{name} is image-based (ostree) but has none of the update units this probe knows (uupd.timer, ublue-update.timer, bootc-fetch-apply-updates.timer, rpm-ostreed-automatic.timer, zincati.service)"
                ),
                "Upload evidence of how this image is kept up to date manually.",
            )],
        );
    }
    // On a Universal Blue image its own updater is the one to turn on (the images disable
    // rpm-ostree's timer in its favour).
    for timer in UBLUE_TIMERS {
        if installed(units, timer) {
            remedy = if timer == "uupd.timer" {
                "sudo systemctl enable --now uupd.timer"
            } else {
                "sudo systemctl enable --now ublue-update.timer"
            };
            break;
        }
    }
    if !installed(units, RPM_OSTREE_TIMER) && !UBLUE_TIMERS.iter().any(|t| installed(units, t)) {
        remedy = if installed(units, BOOTC_TIMER) {
            "sudo systemctl enable --now bootc-fetch-apply-updates.timer"
        } else {
            "sudo systemctl enable --now zincati.service"
        };
    }
    conclude("", &[Check::fail(off.join("; "), remedy)])
}

/// openSUSE: transactional-update (MicroOS, Aeon, Kalpa, SLE Micro) or os-update
/// (Tumbleweed, Leap) must be enabled and scheduled. Neither installed stays unknown: YaST
/// Online Update's own automatic mode is not checked.
pub fn conclude_suse(suse: &Suse) -> Conclusion {
    let Timers::Read(units) = &suse.timers else {
        return conclude("", &[timers_unread(&suse.timers)]);
    };
    let name = suse.release.display_name();
    let [transactional, os_update] = SUSE_TIMERS;
    if let TimerStatus::Scheduled(how) = status(units, transactional) {
        let pass = format!(
            "{name} installs updates automatically: {how}, and transactional-update installs each one into a new snapshot for the next boot."
        );
        return conclude(&pass, &[Check::Ok(how)]);
    }
    if let TimerStatus::Scheduled(how) = status(units, os_update) {
        let pass = format!("{name} installs updates automatically: {how} (os-update runs zypper).");
        return conclude(&pass, &[Check::Ok(how)]);
    }
    let unclear: Vec<String> = SUSE_TIMERS
        .into_iter()
        .filter_map(|t| match status(units, t) {
            TimerStatus::Unclear(why) => Some(why),
            _ => None,
        })
        .collect();
    if !unclear.is_empty() {
        return conclude(
            "",
            &[Check::unknown(
                unclear.join("; "),
                "Check `systemctl list-timers --all` as root.",
            )],
        );
    }
    for timer in SUSE_TIMERS {
        if let TimerStatus::Off(why) = status(units, timer)
            && installed(units, timer)
        {
            return conclude(
                "",
                &[Check::fail(
                    why,
                    format!("sudo systemctl enable --now {timer}"),
                )],
            );
        }
    }
    conclude(
        "",
        &[Check::unknown(
            format!(
                "neither transactional-update.timer nor os-update.timer is installed on {name}, and YaST Online Update's automatic mode is not checked"
            ),
            "Install os-update (sudo zypper install os-update && sudo systemctl enable --now os-update.timer), or upload evidence of this machine's update schedule manually.",
        )],
    )
}
