use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// One of the five security controls an auditor asks evidence for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Control {
    /// Full-disk encryption of the system volume (FileVault, BitLocker, LUKS).
    DiskEncryption,
    /// Malware protection with real-time scanning on.
    Antivirus,
    /// Operating-system updates installed automatically.
    AutoUpdates,
    /// Screen locks after a bounded idle time and needs a password to wake.
    LockScreen,
    /// A password manager is installed (application or browser extension).
    PasswordManager,
}

impl Control {
    /// All controls, in the order reports list them.
    pub const ALL: [Control; 5] = [
        Control::DiskEncryption,
        Control::Antivirus,
        Control::AutoUpdates,
        Control::LockScreen,
        Control::PasswordManager,
    ];

    /// The file-name slug (`disk-encryption`, …) used for evidence files.
    pub fn slug(self) -> &'static str {
        match self {
            Control::DiskEncryption => "disk-encryption",
            Control::Antivirus => "antivirus",
            Control::AutoUpdates => "auto-updates",
            Control::LockScreen => "lock-screen",
            Control::PasswordManager => "password-manager",
        }
    }

    /// The control's name in plain words, for people.
    pub fn title(self) -> &'static str {
        match self {
            Control::DiskEncryption => "Disk encryption",
            Control::Antivirus => "Antivirus",
            Control::AutoUpdates => "Automatic OS updates",
            Control::LockScreen => "Screen lock",
            Control::PasswordManager => "Password manager",
        }
    }
}

impl fmt::Display for Control {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

impl FromStr for Control {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Control::ALL
            .into_iter()
            .find(|c| c.slug() == s)
            .ok_or_else(|| format!("unknown control `{s}`; expected one of disk-encryption, antivirus, auto-updates, lock-screen, password-manager"))
    }
}

/// The operating-system family a probe plans for. A runtime value, so every plan and parser
/// compiles and is tested on every OS.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Os {
    /// Any Linux distribution.
    Linux,
    /// macOS.
    Macos,
    /// Windows 10/11 or Windows Server.
    Windows,
}

impl Os {
    /// The OS this binary was built for.
    pub fn current() -> Os {
        if cfg!(target_os = "macos") {
            Os::Macos
        } else if cfg!(target_os = "windows") {
            Os::Windows
        } else {
            Os::Linux
        }
    }

    /// The name people use (`Linux`, `macOS`, `Windows`).
    pub fn display_name(self) -> &'static str {
        match self {
            Os::Linux => "Linux",
            Os::Macos => "macOS",
            Os::Windows => "Windows",
        }
    }

    /// Lower-case name (`linux`, `macos`, `windows`).
    pub fn name(self) -> &'static str {
        match self {
            Os::Linux => "linux",
            Os::Macos => "macos",
            Os::Windows => "windows",
        }
    }
}

impl fmt::Display for Os {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Os {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "linux" => Ok(Os::Linux),
            "macos" | "darwin" | "mac" => Ok(Os::Macos),
            "windows" | "win" => Ok(Os::Windows),
            _ => Err(format!(
                "unknown OS `{s}`; expected linux, macos or windows"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_round_trip_and_match_the_serde_names() {
        for c in Control::ALL {
            assert_eq!(c.slug().parse::<Control>().unwrap(), c);
            assert_eq!(
                serde_json::to_value(c).unwrap(),
                serde_json::json!(c.slug())
            );
        }
        let slugs: Vec<_> = Control::ALL.iter().map(|c| c.slug()).collect();
        assert_eq!(
            slugs,
            [
                "disk-encryption",
                "antivirus",
                "auto-updates",
                "lock-screen",
                "password-manager"
            ]
        );
        assert!("nope".parse::<Control>().is_err());
    }
}
