//! Pure parsers: text in, values out, no I/O. Each one is tested against real captured outputs
//! in `tests/fixtures/<os>/`.

pub mod linux;
pub mod macos;
pub mod windows;
