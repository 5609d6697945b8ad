//! The Linux formats: logind's desktop names, gsettings, dconf locks, KConfig and
//! `kscreenlockerrc`, xfconf channel files, passwd lines.

pub mod dconf;
pub mod desktop;
pub mod gsettings;
pub mod kconfig;
pub mod kscreenlocker;
pub mod passwd;
pub mod xfconf;
