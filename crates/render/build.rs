//! Stores the bundled fonts deflated in the binary: 2.4 MB of TrueType becomes about 1.3 MB,
//! and `src/fonts.rs` inflates each face once per process, on first use (BENCHMARKS.md,
//! binary size).

use std::io::Write;
use std::path::PathBuf;

/// The font files under `fonts/`, as `src/fonts.rs` names them.
const FONTS: [&str; 4] = [
    "DejaVuSans.ttf",
    "DejaVuSans-Bold.ttf",
    "DejaVuSansMono.ttf",
    "DroidSansFallback-JIS1.ttf",
];

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    for name in FONTS {
        let source = format!("fonts/{name}");
        println!("cargo::rerun-if-changed={source}");
        let bytes = std::fs::read(&source).unwrap_or_else(|e| panic!("cannot read {source}: {e}"));
        let mut encoder =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        encoder
            .write_all(&bytes)
            .and_then(|()| encoder.finish())
            .and_then(|deflated| std::fs::write(out.join(format!("{name}.deflate")), deflated))
            .unwrap_or_else(|e| panic!("cannot store {source} deflated: {e}"));
    }
}
