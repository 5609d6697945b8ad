//! Pure parsers: command output or file text in, typed facts out. No I/O, no verdicts.

pub mod linux;
pub mod macos;
pub mod windows;
