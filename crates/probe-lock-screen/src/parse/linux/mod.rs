//! The Linux formats: logind's desktop names and idle hints, gsettings, dconf locks, KConfig and
//! `kscreenlockerrc`, xfconf channel files, swayidle and hyprlang (hypridle, hyprlock) configs,
//! passwd lines.

pub mod dconf;
pub mod desktop;
pub mod gsettings;
pub mod hyprlang;
pub mod kconfig;
pub mod kscreenlocker;
pub mod logind;
pub mod passwd;
pub mod swayidle;
pub mod xfconf;
