//! Render time and file size per finding, for the PDF report (with its picture) and the PNG
//! card. Method: each file is rendered once to warm up, then `RUNS` times; the minimum and the
//! median wall time are printed with the size. Run with `cargo bench -p devidence-render`
//! (release profile, one thread; the machine and its load are printed by the caller).

#[path = "../tests/common/mod.rs"]
mod common;

use devidence_core::Finding;
use devidence_render::{Evidence, render_pdf, render_png};
use std::time::{Duration, Instant};

const RUNS: usize = 15;

/// Minimum and median of `RUNS` timed calls, and the size of what the call returned.
fn measure(mut f: impl FnMut() -> Vec<u8>) -> (Duration, Duration, usize) {
    let size = f().len();
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(f());
            start.elapsed()
        })
        .collect();
    times.sort();
    (times[0], times[RUNS / 2], size)
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let device = common::device();
    let findings: [(&str, Finding); 4] = [
        ("pass (4 observations)", common::finding(false)),
        ("fail (14 observations)", common::fail_finding()),
        ("unknown", common::unknown_finding()),
        ("pass, 1 MB of output", common::finding(true)),
    ];
    println!("render benchmark: {RUNS} runs after one warm-up; min / median wall time, size");
    println!(
        "{:<24} {:>10} {:>10} {:>10}   {:>10} {:>10} {:>10}",
        "finding", "pdf min", "pdf median", "pdf size", "png min", "png median", "png size"
    );
    for (name, finding) in &findings {
        let e = Evidence {
            finding,
            device: &device,
            agent_version: "bench",
            destination: common::DRATA,
        };
        let (pdf_min, pdf_med, pdf_size) =
            measure(|| render_pdf(&e).unwrap_or_else(|err| panic!("{err}")));
        let (png_min, png_med, png_size) =
            measure(|| render_png(&e).unwrap_or_else(|err| panic!("{err}")));
        println!(
            "{:<24} {:>10} {:>10} {:>8} KB   {:>10} {:>10} {:>8} KB",
            name,
            ms(pdf_min),
            ms(pdf_med),
            pdf_size / 1024,
            ms(png_min),
            ms(png_med),
            png_size / 1024
        );
    }
}
