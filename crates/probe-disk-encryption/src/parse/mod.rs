//! The pure parsers, one module per OS whose formats they read: text in, typed values out,
//! each tested on recorded outputs in `tests/fixtures/<os>/`.

pub mod linux;
pub mod macos;
pub mod windows;
