//! Golden images: rendering fixed findings must keep producing the same pictures, within a
//! small tolerance (so a different font rasteriser or zlib does not fail the test, but a layout
//! change does). The PDF's first page is rasterised with poppler's `pdftoppm`, the tool an
//! auditor's viewer is closest to; the card is decoded with the image crate.
//!
//! After an intended change, refresh the images with
//! `DEVIDENCE_UPDATE_GOLDEN=1 cargo test -p devidence-render --test golden` and look at them.

mod common;

use devidence_core::Finding;
use devidence_render::{render_pdf, render_png};
use image::RgbImage;
use std::path::{Path, PathBuf};
use std::process::Command;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Largest mean absolute difference per channel (0–255) allowed.
const MAX_MEAN_DIFF: f64 = 1.5;
/// Largest share of pixels allowed to differ by more than 48 in any channel.
const MAX_CHANGED_SHARE: f64 = 0.005;

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// Compares `actual` with the golden file `name` (or replaces it in update mode).
fn assert_like_golden(name: &str, actual: &RgbImage) -> TestResult {
    let path = golden_dir().join(name);
    if std::env::var_os("DEVIDENCE_UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(golden_dir())?;
        actual.save(&path)?;
        return Ok(());
    }
    let expected = image::open(&path)
        .map_err(|e| {
            format!(
                "{}: {e} (create it with DEVIDENCE_UPDATE_GOLDEN=1)",
                path.display()
            )
        })?
        .to_rgb8();
    assert_eq!(
        expected.dimensions(),
        actual.dimensions(),
        "{name}: size changed"
    );
    let mut total = 0u64;
    let mut changed = 0u64;
    for (a, b) in expected.pixels().zip(actual.pixels()) {
        let diffs = [0, 1, 2].map(|c| a[c].abs_diff(b[c]));
        total += diffs.iter().map(|d| u64::from(*d)).sum::<u64>();
        if diffs.iter().any(|d| *d > 48) {
            changed += 1;
        }
    }
    let pixels = u64::from(actual.width()) * u64::from(actual.height());
    let mean = total as f64 / (pixels * 3) as f64;
    let share = changed as f64 / pixels as f64;
    assert!(
        mean <= MAX_MEAN_DIFF && share <= MAX_CHANGED_SHARE,
        "{name} differs from its golden image: mean difference {mean:.3} (limit {MAX_MEAN_DIFF}), {:.3}% of pixels changed (limit {:.3}%)",
        share * 100.0,
        MAX_CHANGED_SHARE * 100.0
    );
    Ok(())
}

/// Page 1 of a PDF as pixels, through `pdftoppm` at 60 dpi.
fn first_page(pdf: &[u8]) -> Result<RgbImage, Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let input = dir.path().join("report.pdf");
    std::fs::write(&input, pdf)?;
    let prefix = dir.path().join("page");
    let status = Command::new("pdftoppm")
        .args(["-r", "60", "-f", "1", "-l", "1", "-singlefile", "-png"])
        .arg(&input)
        .arg(&prefix)
        .status()
        .map_err(|e| format!("pdftoppm (poppler-utils) is needed for this test: {e}"))?;
    assert!(status.success(), "pdftoppm failed");
    Ok(image::open(dir.path().join("page.png"))?.to_rgb8())
}

fn check(name: &str, finding: &Finding) -> TestResult {
    let device = common::device();
    let e = common::evidence(finding, &device);
    let card = image::load_from_memory(&render_png(&e)?)?.to_rgb8();
    assert_like_golden(&format!("{name}-card.png"), &card)?;
    // The PDF's first page is rasterised by poppler's pdftoppm, when this machine has it.
    if !devidence_testkit::tool("pdftoppm", &["-v"]) {
        return Ok(());
    }
    let page = first_page(&render_pdf(&e)?)?;
    assert_like_golden(&format!("{name}-pdf-page1.png"), &page)
}

#[test]
fn pass_finding_looks_as_it_did() -> TestResult {
    check("pass", &common::finding(false))
}

#[test]
fn fail_finding_looks_as_it_did() -> TestResult {
    check("fail", &common::fail_finding())
}

#[test]
fn unknown_finding_looks_as_it_did() -> TestResult {
    check("unknown", &common::unknown_finding())
}
