//! Who this machine is: the device block every piece of evidence carries.

use crate::control::Os;
use crate::probe::ProbeRun;
use serde::{Deserialize, Serialize};

/// The identity of the device the evidence is about.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceIdentity {
    /// Host name.
    pub hostname: String,
    /// Hardware serial number, or `None` when the OS does not tell (or needs root).
    pub serial_number: Option<String>,
    /// Vendor and model.
    pub model: Option<String>,
    /// OS family.
    pub os: Os,
    /// OS name and version, e.g. `Debian GNU/Linux 12 (bookworm)`.
    pub os_version: String,
    /// Kernel release.
    pub kernel: Option<String>,
    /// The person using the machine (graphical session owner, else the invoking user).
    pub user: Option<String>,
    /// The device's offset from UTC when the evidence was collected, in seconds, so reports
    /// can show local time too. `None` when it could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utc_offset_seconds: Option<i32>,
}

static LOCAL_OFFSET: std::sync::OnceLock<Option<i32>> = std::sync::OnceLock::new();

/// Reads and remembers the local UTC offset. Call it first thing in `main`, before any thread
/// starts: the `time` crate only reads the offset while the process is single-threaded (the
/// environment could otherwise change under it), and returns `None` after that.
pub fn remember_local_offset() {
    let _ = LOCAL_OFFSET.set(
        time::UtcOffset::current_local_offset()
            .ok()
            .map(|o| o.whole_seconds()),
    );
}

/// The offset [`remember_local_offset`] read, if any.
pub fn local_offset_seconds() -> Option<i32> {
    LOCAL_OFFSET.get().copied().flatten()
}

impl Default for Os {
    fn default() -> Os {
        Os::current()
    }
}

/// Reads the identity through the probe run's host (so it is replayable like any probe).
pub fn collect(run: &mut ProbeRun<'_>) -> DeviceIdentity {
    match run.os {
        Os::Linux => collect_linux(run),
        Os::Macos | Os::Windows => DeviceIdentity {
            hostname: run
                .env("COMPUTERNAME")
                .or_else(|| run.env("HOSTNAME"))
                .unwrap_or_else(|| "unknown".into()),
            os: run.os,
            os_version: run.os.name().to_string(),
            user: run.env("USERNAME").or_else(|| run.env("USER")),
            utc_offset_seconds: local_offset_seconds(),
            ..DeviceIdentity::default()
        },
    }
}

fn collect_linux(run: &mut ProbeRun<'_>) -> DeviceIdentity {
    let mut read = |path: &str| {
        let obs = run.read_file(path);
        obs.succeeded()
            .then(|| obs.stdout.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let hostname = read("/proc/sys/kernel/hostname").unwrap_or_else(|| "unknown".into());
    let serial = read("/sys/class/dmi/id/product_serial").filter(|s| is_real_serial(s));
    let vendor = read("/sys/class/dmi/id/sys_vendor");
    let product = read("/sys/class/dmi/id/product_name");
    let kernel = read("/proc/sys/kernel/osrelease");
    let os_release = read("/etc/os-release").unwrap_or_default();
    let model = match (vendor, product) {
        (Some(v), Some(p)) => Some(format!("{v} {p}")),
        (v, p) => v.or(p),
    };
    let user = crate::users::graphical_sessions(run)
        .ok()
        .and_then(|s| s.into_iter().next().map(|s| s.user))
        .or_else(|| run.env("SUDO_USER"))
        .or_else(|| run.env("USER"))
        .or_else(|| run.env("LOGNAME"));
    DeviceIdentity {
        hostname,
        serial_number: serial,
        model,
        os: Os::Linux,
        os_version: os_release_name(&os_release).unwrap_or_else(|| "Linux".into()),
        kernel,
        user,
        utc_offset_seconds: local_offset_seconds(),
    }
}

/// Firmware placeholders that are not serial numbers.
fn is_real_serial(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    ![
        "to be filled by o.e.m.",
        "default string",
        "system serial number",
        "none",
        "0",
        "not specified",
    ]
    .contains(&lower.as_str())
}

/// `PRETTY_NAME` from `/etc/os-release`, else `NAME VERSION_ID`.
pub fn os_release_name(text: &str) -> Option<String> {
    let value = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
            .map(|v| v.trim().trim_matches('"').to_string())
    };
    value("PRETTY_NAME").or_else(|| match (value("NAME"), value("VERSION_ID")) {
        (Some(n), Some(v)) => Some(format!("{n} {v}")),
        (n, _) => n,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_release_pretty_name() {
        // Debian 12 /etc/os-release
        let text = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\n";
        assert_eq!(
            os_release_name(text).as_deref(),
            Some("Debian GNU/Linux 12 (bookworm)")
        );
        assert_eq!(
            os_release_name("NAME=Arch\nVERSION_ID=rolling").as_deref(),
            Some("Arch rolling")
        );
        assert!(!is_real_serial("To Be Filled By O.E.M."));
        assert!(is_real_serial("PF2ABCDE"));
    }
}
