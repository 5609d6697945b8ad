//! Pure parsers: command output or file text in, typed facts out. No I/O, no verdicts.
//!
//! One-OS formats are in [`linux`] (dpkg, rpm and flatpak lists), [`macos`] (app bundle
//! names) and [`windows`] (the Uninstall trees, installed-program names); the browser files
//! read on every OS are in [`browsers`] (Firefox's `profiles.ini` and `extensions.json`,
//! profile folder names), [`chromium`] (`Preferences` / `Secure Preferences`) and [`builtin`]
//! (the browsers' own password managers: Firefox's saved-login count and settings, Safari's
//! AutoFill setting).

pub mod browsers;
pub mod builtin;
pub mod chromium;
pub mod linux;
pub mod macos;
pub mod windows;
