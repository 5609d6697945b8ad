//! Writes sample evidence files for eyeballing: `cargo run -p devidence-render --example
//! render_sample -- /tmp/out` writes `pass.pdf`, `pass.png`, `long.pdf`, `unknown.pdf`,
//! `unknown.png`, `fail.pdf` and `fail.png` into the directory.

#[path = "../tests/common/mod.rs"]
mod common;

use devidence_render::{Evidence, render_pdf, render_png};
use std::path::PathBuf;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    std::fs::create_dir_all(&dir)?;
    let device = common::device();
    let mut no_serial = device.clone();
    no_serial.serial_number = None;
    let mut long_names = device.clone();
    long_names.hostname =
        "build-agent-0042.eu-central-1.compute.internal.example-corporation.invalid".into();
    long_names.model = None;
    let samples = [
        ("pass", common::finding(false), &device),
        ("long", common::finding(true), &device),
        ("unknown", common::unknown_finding(), &no_serial),
        ("fail", common::fail_finding(), &long_names),
    ];
    for (name, finding, device) in &samples {
        let e = Evidence {
            finding,
            device,
            agent_version: "0.1.0",
            destination: common::DRATA,
        };
        let start = Instant::now();
        let pdf = render_pdf(&e)?;
        let pdf_time = start.elapsed();
        let start = Instant::now();
        let png = render_png(&e)?;
        let png_time = start.elapsed();
        std::fs::write(dir.join(format!("{name}.pdf")), &pdf)?;
        std::fs::write(dir.join(format!("{name}.png")), &png)?;
        println!(
            "{name}: pdf {} bytes in {pdf_time:?}, png {} bytes in {png_time:?}",
            pdf.len(),
            png.len()
        );
    }
    Ok(())
}
