//! Pure parsers: text in, values out, no I/O. Each one is tested against real captured outputs
//! in `tests/fixtures/linux/`.

pub mod dconf;
pub mod desktop;
pub mod gsettings;
pub mod kconfig;
pub mod kscreenlocker;
pub mod passwd;
pub mod xfconf;
