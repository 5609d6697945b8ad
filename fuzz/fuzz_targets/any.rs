//! The libFuzzer entry point for every devidence fuzz target; `DEVIDENCE_FUZZ_TARGET` names
//! the one to fuzz (see `crates/fuzz-targets` for the list).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn target() -> fn(&[u8]) {
    static RUN: OnceLock<fn(&[u8])> = OnceLock::new();
    *RUN.get_or_init(|| {
        let name = std::env::var("DEVIDENCE_FUZZ_TARGET")
            .expect("set DEVIDENCE_FUZZ_TARGET to a target name (fuzz/run --list prints them)");
        match devidence_fuzz_targets::find(&name) {
            Some(target) => target.run,
            None => panic!("no fuzz target called {name:?} (fuzz/run --list prints them)"),
        }
    })
}

fuzz_target!(|data: &[u8]| target()(data));
