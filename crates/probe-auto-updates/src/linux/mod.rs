//! The Linux plan: find the distribution family, then read its update mechanism.
//!
//! Every command and file goes through the [`ProbeRun`] so it lands in the evidence; the
//! parsing lives in [`crate::parse::linux`] and the judgement in [`crate::policy`]
//! (`conclude_linux`). An ostree-booted host is recognised before the package family, since
//! its image, not its packages, is what updates.
//!
//! - `apt`: unattended-upgrades (Debian, Ubuntu, derivatives);
//! - `dnf`: dnf-automatic, dnf 4 and dnf5 (Fedora, RHEL, derivatives);
//! - `image`: rpm-ostree, bootc, Universal Blue's uupd and Zincati on ostree-booted hosts, and
//!   openSUSE's transactional-update / os-update timers;
//! - `systemd`: the timers' state, shared by all of them.

mod apt;
mod dnf;
pub mod image;
mod systemd;

pub use apt::{Apt, AptSchedule, AptSettings, DpkgAnswer, PeriodicSetting};
pub use dnf::Dnf;
pub use image::{Ostree, PolicyRead, Suse};
pub use systemd::Timers;

use crate::parse::linux::os_release::{self, Family, OsRelease};
use devidence_core::{CommandSpec, Outcome, ProbeRun};
use std::time::Duration;

/// What the Linux plan found, by distribution family.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Facts {
    /// `/etc/os-release` (and `/usr/lib/os-release`) could not be read or has no `ID=`: why.
    Unidentified(String),
    /// A distribution whose update mechanism this probe does not check yet.
    Unsupported(OsRelease),
    /// Debian, Ubuntu and derivatives: unattended-upgrades.
    Debian(Apt),
    /// Fedora, RHEL and derivatives: dnf-automatic.
    Fedora(Dnf),
    /// An ostree-booted (image-based) host, whatever its family: rpm-ostree, bootc, uupd.
    Ostree(Ostree),
    /// openSUSE and SLES: transactional-update or os-update.
    Suse(Suse),
}

/// Reads the distribution, then its update mechanism, recording every fact.
pub fn gather(run: &mut ProbeRun<'_>) -> Facts {
    let release = match read_os_release(run) {
        Ok(release) => release,
        Err(reason) => return Facts::Unidentified(reason),
    };
    run.fact("os.id", release.id.clone());
    if !release.id_like.is_empty() {
        run.fact("os.id_like", release.id_like.join(" "));
    }
    run.fact("os.name", release.display_name().to_string());
    run.fact("os.family", release.family().name());
    record_desktop_updater(run);
    // An image-based host updates its image, not packages; its package tools (dnf, zypper)
    // are not what keeps it current, and dnf's timers do not even run there.
    match image::ostree_booted(run) {
        Ok(true) => return Facts::Ostree(image::read_ostree(run, &release)),
        Ok(false) => {}
        Err(why) => {
            return Facts::Unidentified(format!(
                "whether {} is image-based could not be checked ({why})",
                image::OSTREE_BOOTED
            ));
        }
    }
    match release.family() {
        Family::Debian => Facts::Debian(apt::read_apt(run, &release)),
        Family::Fedora => Facts::Fedora(dnf::read_dnf(run)),
        Family::Suse => Facts::Suse(image::read_suse(run, &release)),
        Family::Arch | Family::Other => Facts::Unsupported(release),
    }
}

/// Records GNOME Software's automatic-update setting (PackageKit) for each graphical session's
/// user, read in that user's context. Evidence only: for OS packages GNOME Software downloads
/// updates and installs them at a restart the person chooses, so it never makes this control
/// pass on its own; the verdict rests on the system's own update mechanism.
fn record_desktop_updater(run: &mut ProbeRun<'_>) {
    let sessions = match devidence_core::users::graphical_sessions(run) {
        Ok(sessions) => sessions,
        Err(why) => {
            run.fact(
                "gnome_software",
                format!("not read: graphical sessions could not be listed ({why})"),
            );
            return;
        }
    };
    if sessions.is_empty() {
        run.fact("gnome_software", "not read: no graphical session");
        return;
    }
    let users = devidence_core::users::local_users(run).unwrap_or_default();
    for session in sessions {
        let Some(user) = users.iter().find(|u| u.name == session.user) else {
            continue;
        };
        let obs = run.run(
            CommandSpec::new(
                "gsettings",
                ["get", "org.gnome.software", "download-updates"],
            )
            .as_user(&user.context())
            .deadline(Duration::from_secs(10)),
        );
        let value = if obs.succeeded() {
            format!(
                "download-updates {} (installed only at a restart the user chooses)",
                obs.stdout.trim()
            )
        } else if obs.stderr.contains("No such schema") {
            "GNOME Software not installed".to_string()
        } else {
            format!("not read: {}", obs.failure_reason())
        };
        run.fact(format!("gnome_software.{}", user.name), value);
    }
}

fn read_os_release(run: &mut ProbeRun<'_>) -> Result<OsRelease, String> {
    let mut obs = run.read_file("/etc/os-release");
    if obs.outcome == Outcome::NotFound {
        obs = run.read_file("/usr/lib/os-release");
    }
    if !obs.succeeded() {
        return Err(obs.failure_reason());
    }
    os_release::parse(&obs.stdout).ok_or_else(|| format!("{} has no ID= line", obs.source))
}
