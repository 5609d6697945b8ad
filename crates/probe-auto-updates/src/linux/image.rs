//! Image-based and transactional systems: an ostree-booted host (Fedora Silverblue/Kinoite,
//! Universal Blue images such as Bazzite/Bluefin/Aurora, bootc hosts, Fedora CoreOS) and
//! openSUSE (transactional-update on MicroOS/Aeon/Kalpa, os-update on Tumbleweed/Leap).

use super::systemd::{Timers, read_timers};
use crate::parse::linux::os_release::OsRelease;
use crate::parse::linux::ostree::{self, UpdatePolicy};
use devidence_core::{Outcome, ProbeRun};

/// Present (empty) on every host booted through libostree; the rpm-ostree and bootc timers
/// carry `ConditionPathExists=/run/ostree-booted`, the dnf timers its negation.
pub const OSTREE_BOOTED: &str = "/run/ostree-booted";
/// rpm-ostreed's configuration (rpm-ostreed.conf(5)).
pub const RPM_OSTREED_CONF: &str = "/etc/rpm-ostreed.conf";
/// Universal Blue's updater (current, then the legacy one).
pub const UBLUE_TIMERS: [&str; 2] = ["uupd.timer", "ublue-update.timer"];
/// bootc's fetch, apply and reboot timer.
pub const BOOTC_TIMER: &str = "bootc-fetch-apply-updates.timer";
/// rpm-ostree's timer, which acts on `AutomaticUpdatePolicy`.
pub const RPM_OSTREE_TIMER: &str = "rpm-ostreed-automatic.timer";
/// Fedora CoreOS's update agent (an rpm-ostree update driver, not a timer).
pub const ZINCATI: &str = "zincati.service";
/// openSUSE's update timers: transactional-update (read-only root) and os-update (read-write
/// root); they conflict with each other.
pub const SUSE_TIMERS: [&str; 2] = ["transactional-update.timer", "os-update.timer"];

/// What the plan read on an ostree-booted host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ostree {
    /// The distribution, for the summary.
    pub release: OsRelease,
    /// `AutomaticUpdatePolicy` from [`RPM_OSTREED_CONF`].
    pub policy: PolicyRead,
    /// [`UBLUE_TIMERS`], [`BOOTC_TIMER`], [`RPM_OSTREE_TIMER`] and [`ZINCATI`], in that order.
    pub timers: Timers,
}

/// What [`RPM_OSTREED_CONF`] said about `AutomaticUpdatePolicy`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PolicyRead {
    /// Read (or absent, which means the default `none`).
    Read {
        /// The value as written; `None` when unset.
        value: Option<String>,
        /// The policy rpm-ostreed applies, or the error it refuses to start with.
        parsed: Result<UpdatePolicy, String>,
    },
    /// The file exists but could not be read: why.
    Unreadable(String),
}

/// What the plan read on openSUSE / SUSE.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suse {
    /// The distribution, for the summary.
    pub release: OsRelease,
    /// [`SUSE_TIMERS`].
    pub timers: Timers,
}

/// Whether the host booted through libostree: `Err` when [`OSTREE_BOOTED`] could not be
/// checked. Records `ostree.booted`.
pub(super) fn ostree_booted(run: &mut ProbeRun<'_>) -> Result<bool, String> {
    let obs = run.read_file(OSTREE_BOOTED);
    let booted = match obs.outcome {
        Outcome::Completed => Ok(true),
        Outcome::NotFound => Ok(false),
        _ => Err(obs.failure_reason()),
    };
    run.fact(
        "ostree.booted",
        match &booted {
            Ok(true) => "yes".to_string(),
            Ok(false) => "no".to_string(),
            Err(why) => format!("unknown: {why}"),
        },
    );
    booted
}

/// rpm-ostree's policy and every update unit an ostree-based image may use.
pub(super) fn read_ostree(run: &mut ProbeRun<'_>, release: &OsRelease) -> Ostree {
    run.fact(
        "mechanism",
        "image-based (rpm-ostree / bootc / Universal Blue)",
    );
    if !release.variant_id.is_empty() {
        run.fact("os.variant_id", release.variant_id.clone());
    }
    let obs = run.read_file(RPM_OSTREED_CONF);
    let policy = match obs.outcome {
        Outcome::Completed | Outcome::NotFound => {
            let value = if obs.outcome == Outcome::Completed {
                ostree::automatic_update_policy(&obs.stdout)
            } else {
                None
            };
            let parsed = value
                .as_deref()
                .map_or(Ok(UpdatePolicy::None), ostree::parse_policy);
            run.fact(
                "rpm_ostree.automatic_update_policy",
                match (&value, &parsed) {
                    (Some(v), Ok(p)) if v.eq_ignore_ascii_case(p.name()) => v.clone(),
                    (Some(v), Ok(p)) => format!("{v} (read as {})", p.name()),
                    (Some(v), Err(_)) => format!("{v} (invalid)"),
                    (None, _) => "(not set: none)".to_string(),
                },
            );
            PolicyRead::Read { value, parsed }
        }
        _ => {
            let why = obs.failure_reason();
            run.fact(
                "rpm_ostree.automatic_update_policy",
                format!("unknown: {why}"),
            );
            PolicyRead::Unreadable(why)
        }
    };
    let mut units: Vec<&str> = UBLUE_TIMERS.to_vec();
    units.extend([BOOTC_TIMER, RPM_OSTREE_TIMER, ZINCATI]);
    let timers = read_timers(run, &units);
    Ostree {
        release: release.clone(),
        policy,
        timers,
    }
}

/// openSUSE's update timers.
pub(super) fn read_suse(run: &mut ProbeRun<'_>, release: &OsRelease) -> Suse {
    run.fact("mechanism", "transactional-update / os-update (zypper)");
    let timers = read_timers(run, &SUSE_TIMERS);
    Suse {
        release: release.clone(),
        timers,
    }
}
