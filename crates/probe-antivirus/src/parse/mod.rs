//! The pure parsers: text in, typed values out, each tested on the published outputs under
//! `tests/fixtures/<os>/`. One-OS formats in `linux`, `macos`, `windows`; formats read on
//! several OSes in `mdatp`, `repcli`, `cytool` and `fields`.

pub mod cytool;
pub mod fields;
pub mod linux;
pub mod macos;
pub mod mdatp;
pub mod repcli;
pub mod windows;
