//! Render time and file size per control, for this computer's real findings.
//!
//! Method: the five probes run once on this machine (as `devidence collect` runs them), then
//! each control's evidence is rendered as the agent renders it, `RUNS` times after one warm-up:
//! the PNG card, then the PDF report with the card drawn on its first page. Printed: min / median
//! wall time of the PNG, of the PDF, and of both together (the cost of one control), with the
//! sizes. One thread; the fonts are inflated once by the warm-up, as in a real run.
//!
//! Run: `cargo bench -p devidence --bench controls`.

use devidence::checks;
use devidence_core::redact::Redactor;
use devidence_core::{Os, Policy, RealHost};
use devidence_render::{Evidence, Picture, render_pdf_with, render_png};
use std::time::{Duration, Instant};

const RUNS: usize = 15;

fn main() {
    let collection = checks::collect(
        &RealHost::new(),
        Os::current(),
        &Policy::default(),
        &Redactor::new(),
    );
    println!(
        "per-control render benchmark on this machine's findings ({} logical CPUs): {RUNS} runs after one warm-up, one thread",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "{:<18} {:>8} {:>6} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "control",
        "verdict",
        "obs",
        "png min",
        "png med",
        "pdf min",
        "pdf med",
        "both min",
        "both med",
        "png KB",
        "pdf KB"
    );
    for finding in &collection.findings {
        let evidence = Evidence {
            finding,
            device: &collection.device,
            agent_version: "bench",
            destination: devidence::bundle::DESTINATION,
        };
        let render = || {
            let started = Instant::now();
            let png = render_png(&evidence).unwrap_or_else(|e| panic!("{e}"));
            let png_time = started.elapsed();
            let pdf =
                render_pdf_with(&evidence, Some(Picture::Card)).unwrap_or_else(|e| panic!("{e}"));
            let both = started.elapsed();
            (png_time, both - png_time, both, png.len(), pdf.len())
        };
        let (_, _, _, png_size, pdf_size) = render();
        let mut png_times = Vec::new();
        let mut pdf_times = Vec::new();
        let mut both_times = Vec::new();
        for _ in 0..RUNS {
            let (png, pdf, both, _, _) = std::hint::black_box(render());
            png_times.push(png);
            pdf_times.push(pdf);
            both_times.push(both);
        }
        let verdict = finding.verdict.label().to_lowercase();
        println!(
            "{:<18} {:>8} {:>6} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
            finding.control.slug(),
            verdict,
            finding.observations.len(),
            ms(min(&png_times)),
            ms(median(&mut png_times)),
            ms(min(&pdf_times)),
            ms(median(&mut pdf_times)),
            ms(min(&both_times)),
            ms(median(&mut both_times)),
            png_size / 1024,
            pdf_size / 1024
        );
    }
}

fn min(times: &[Duration]) -> Duration {
    times.iter().copied().min().unwrap_or_default()
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}
