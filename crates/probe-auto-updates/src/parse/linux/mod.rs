//! The formats the Linux plan reads: os-release, apt/dpkg, dnf-automatic, rpm-ostree and
//! systemd.

pub mod apt;
pub mod dnf;
pub mod os_release;
pub mod ostree;
pub mod systemd;
