//! Renders hand-built findings and checks the files with independent readers: lopdf for the
//! PDF (structure, page count, extracted text) and the image crate for the PNG.

mod common;

use devidence_core::{Observation, Outcome, SourceKind};
use devidence_render::{CARD_HEIGHT, CARD_WIDTH, Evidence, render_pdf, render_png};
use lopdf::Document;
use std::error::Error;

type TestResult = Result<(), Box<dyn Error>>;

/// Loads a PDF and returns its page count and the text of all pages.
fn pdf_text(bytes: &[u8]) -> Result<(usize, String), Box<dyn Error>> {
    let doc = Document::load_mem(bytes)?;
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let text = doc.extract_text(&pages)?;
    Ok((pages.len(), text))
}

/// Writes a rendered file into `$DEVIDENCE_SAMPLE_DIR` when set, so a person can look at it
/// (`pdftoppm -png`); does nothing otherwise.
fn keep_sample(name: &str, bytes: &[u8]) {
    if let Some(dir) = std::env::var_os("DEVIDENCE_SAMPLE_DIR") {
        let _ = std::fs::write(std::path::Path::new(&dir).join(name), bytes);
    }
}

/// Text with all whitespace removed, so assertions do not depend on how a reader joins runs.
fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn pdf_is_readable_and_its_text_extractable() -> TestResult {
    let finding = common::finding(false);
    let device = common::device();
    let e = common::evidence(&finding, &device);
    let pdf = render_pdf(&e)?;
    assert!(pdf.starts_with(b"%PDF-"));
    let (pages, text) = pdf_text(&pdf)?;
    assert!(pages >= 1);
    let text = squeeze(&text);
    for expected in [
        "Diskencryption",
        "Drataevidencetype:HARD_DRIVE_ENCRYPTION_EVIDENCE",
        "PASS",
        "laptop-jana-07",
        "PF3XK9QZ",
        "Debian GNU/Linux 12 (bookworm)",
        "2026-11-23T10:15:42.123Z",
        // The same moment in the device's local time (UTC+1 in the test device).
        "2026-11-23 11:15:42 +01:00",
        common::LSBLK_COMMAND,
        "Verschlüsselung:aes-xts-plain64",
        "└─nvme0n1p3",
        "├─vg0-root",
        "Schlüsselgröße",
        "asuserroot",
        "NoTPM2devicesfound.",
        "root.encryption",
        "LUKS2",
        // The footer.
        &format!("devidence0.1.0·laptop-jana-07·page1of{pages}"),
    ] {
        let expected = squeeze(expected);
        assert!(
            text.contains(&expected),
            "missing {expected:?} in extracted text:\n{text}"
        );
    }
    // The hash printed for the lsblk observation is the one anyone can recompute.
    let sha = devidence_render::output_sha256(&finding.observations[0]);
    assert!(text.contains(&sha));
    Ok(())
}

#[test]
fn long_output_is_paginated_capped_and_footed_on_every_page() -> TestResult {
    let finding = common::finding(true);
    let device = common::device();
    let e = common::evidence(&finding, &device);
    let pdf = render_pdf(&e)?;
    let doc = Document::load_mem(&pdf)?;
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    assert!(pages.len() > 1, "5000 lines should need more than one page");
    // 2000 rows at ~70 rows a page: about 30 pages, never one per source line.
    assert!(pages.len() < 60, "{} pages", pages.len());
    for &page in &pages {
        let text = squeeze(&doc.extract_text(&[page])?);
        let footer = format!("devidence0.1.0·laptop-jana-07·page{page}of{}", pages.len());
        assert!(text.contains(&footer), "page {page} lacks its footer");
    }
    let last = pages.last().copied().unwrap_or(1);
    let text = squeeze(&doc.extract_text(&[last])?);
    assert!(text.contains("morelinesnotshownhere"), "{text}");
    // The 320-character line was hard-wrapped with a continuation marker.
    let all = squeeze(&doc.extract_text(&pages)?);
    assert!(all.contains("↪"));
    Ok(())
}

#[test]
fn unknown_verdict_shows_the_reason_and_a_missing_serial() -> TestResult {
    let finding = common::unknown_finding();
    let mut device = common::device();
    device.serial_number = None;
    let e = common::evidence(&finding, &device);
    let (_, text) = pdf_text(&render_pdf(&e)?)?;
    let text = squeeze(&text);
    for expected in [
        "UNKNOWN",
        "ANTIVIRUS_EVIDENCE",
        "notavailable",
        "Whytheverdictisunknown:`systemctl`wasnotfound",
        "Remediation",
        "Outcome:notfound",
        "Outcome:permissiondenied",
        "Nofactswereextracted.",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    Ok(())
}

#[test]
fn a_megabyte_of_output_and_missing_glyphs_do_not_blow_up() -> TestResult {
    let mut finding = common::finding(false);
    let mut obs = Observation::new(
        SourceKind::Command,
        "cat /dev/urandom-ish",
        Outcome::Completed,
    );
    obs.exit_code = Some(0);
    // One 1 MiB line without newlines, plus CJK and emoji that DejaVu lacks, plus controls.
    obs.stdout = format!("日本語 ✓ 🔒 \u{1b}[31mred\u{7}\n{}", "x".repeat(1 << 20));
    obs.stderr = "ошибка: ложная тревога\n".into();
    finding.observations.push(obs);
    let device = common::device();
    let e = common::evidence(&finding, &device);
    let pdf = render_pdf(&e)?;
    let (pages, text) = pdf_text(&pdf)?;
    assert!(pages < 60, "{pages} pages");
    let text = squeeze(&text);
    assert!(text.contains("ошибка:ложнаятревога"));
    assert!(text.contains("morelinenotshownhere") || text.contains("morelinesnotshownhere"));
    let png = render_png(&e)?;
    assert!(!png.is_empty());
    Ok(())
}

#[test]
fn png_card_decodes_with_the_expected_size_and_verdict_colour() -> TestResult {
    let device = common::device();
    for (finding, strip) in [
        (common::finding(true), [22u8, 128, 61]),
        (common::unknown_finding(), [240, 165, 0]),
    ] {
        let e = common::evidence(&finding, &device);
        let png = render_png(&e)?;
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        let img = image::load_from_memory(&png)?.to_rgb8();
        assert_eq!((img.width(), img.height()), (CARD_WIDTH, CARD_HEIGHT));
        // The verdict strip along the top, white page below, and some dark text drawn.
        assert_eq!(img.get_pixel(CARD_WIDTH / 2, 4).0, strip);
        assert_eq!(img.get_pixel(5, CARD_HEIGHT - 5).0, [255, 255, 255]);
        let dark = img.pixels().filter(|p| p.0.iter().all(|&c| c < 80)).count();
        assert!(dark > 5_000, "only {dark} dark pixels: no text drawn?");
    }
    Ok(())
}

/// The card is flat colours and text, stored as an indexed-colour PNG: at most 60 KB
/// (BENCHMARKS.md, rendering; RGB cards were 170-450 KB).
#[test]
fn png_cards_are_indexed_colour_and_small() -> TestResult {
    let device = common::device();
    for finding in [
        common::finding(false),
        common::finding(true),
        common::fail_finding(),
        common::unknown_finding(),
    ] {
        let e = common::evidence(&finding, &device);
        let png = render_png(&e)?;
        // IHDR's colour type byte: 3 is indexed colour.
        assert_eq!(
            png[25], 3,
            "{:?} card is not indexed colour",
            finding.verdict
        );
        assert!(
            png.len() <= 60 * 1024,
            "{:?} card is {} bytes, over 60 KB",
            finding.verdict,
            png.len()
        );
        eprintln!("{:?} card: {} bytes", finding.verdict, png.len());
    }
    Ok(())
}

#[test]
fn rendering_is_deterministic() -> TestResult {
    let finding = common::finding(false);
    let device = common::device();
    let e = common::evidence(&finding, &device);
    assert_eq!(render_pdf(&e)?, render_pdf(&e)?);
    assert_eq!(render_png(&e)?, render_png(&e)?);
    Ok(())
}

#[test]
fn the_first_page_carries_the_picture_and_says_what_it_is() -> TestResult {
    use devidence_render::{Picture, png_size, render_pdf_with};
    let finding = common::finding(false);
    let device = common::device();
    let e = common::evidence(&finding, &device);
    let card = render_png(&e)?;
    assert_eq!(png_size(&card), Some((CARD_WIDTH, CARD_HEIGHT)));
    let images_on_first_page = |pdf: &[u8]| -> Result<usize, Box<dyn Error>> {
        let doc = Document::load_mem(pdf)?;
        let first = *doc.get_pages().get(&1).ok_or("no page 1")?;
        Ok(doc
            .get_page_images(first)
            .map(|images| images.len())
            .unwrap_or(0))
    };
    let first_page_text = |pdf: &[u8]| -> Result<String, Box<dyn Error>> {
        Ok(squeeze(&Document::load_mem(pdf)?.extract_text(&[1])?))
    };
    // The default report draws the card as vector graphics and text, captioned as a card:
    // no image, and the card's own footer is readable text on page 1.
    let pdf = render_pdf(&e)?;
    assert_eq!(images_on_first_page(&pdf)?, 0);
    let text = first_page_text(&pdf)?;
    assert!(text.contains(&squeeze(
        "Summary card drawn from the finding (not a screenshot)"
    )));
    assert!(text.contains(&squeeze("Rendered summary card (no screenshot)")));
    // A screenshot is embedded as an image and captioned as one; no picture gives neither.
    let pdf = render_pdf_with(&e, Some(Picture::Screenshot(&card)))?;
    assert_eq!(images_on_first_page(&pdf)?, 1);
    let text = first_page_text(&pdf)?;
    assert!(text.contains(&squeeze("Screenshot taken when the evidence was collected")));
    assert!(!text.contains(&squeeze("Rendered summary card")));
    let pdf = render_pdf_with(&e, None)?;
    assert_eq!(images_on_first_page(&pdf)?, 0);
    assert!(!first_page_text(&pdf)?.contains(&squeeze("Summary card drawn")));
    Ok(())
}

#[test]
fn the_combined_report_has_a_cover_and_every_control_on_its_own_pages() -> TestResult {
    let pass = common::finding(false);
    let mut unknown = common::finding(true);
    unknown.verdict = devidence_core::Verdict::unknown("lsblk timed out");
    let device = common::device();
    let list = [
        common::evidence(&pass, &device),
        common::evidence(&unknown, &device),
    ];
    let pdf = devidence_render::render_report(&list)?;
    let (pages, text) = pdf_text(&pdf)?;
    let single = pdf_text(&devidence_render::render_pdf_with(&list[0], None)?)?.0;
    assert!(pages > 2 * single, "cover + two reports: {pages} pages");
    let text = squeeze(&text);
    assert!(text.contains(&squeeze("Device security report")));
    assert!(text.contains("PASS") && text.contains("UNKNOWN"));
    assert!(devidence_render::render_report(&[]).is_err());
    Ok(())
}

#[test]
fn the_destination_printed_is_the_one_the_caller_gives() -> TestResult {
    fn archive_type(control: devidence_core::Control) -> &'static str {
        match control {
            devidence_core::Control::DiskEncryption => "DISK_PROOF",
            _ => "OTHER_PROOF",
        }
    }
    let finding = common::finding(false);
    let device = common::device();
    let e = Evidence {
        finding: &finding,
        device: &device,
        agent_version: "0.1.0",
        destination: devidence_render::Destination {
            service: "Evidence Archive",
            evidence_type: archive_type,
        },
    };
    let single = squeeze(&pdf_text(&render_pdf(&e)?)?.1);
    let report = squeeze(&pdf_text(&devidence_render::render_report(&[e])?)?.1);
    for text in [&single, &report] {
        assert!(text.contains(&squeeze("Evidence Archive evidence type: DISK_PROOF")));
        assert!(!text.to_ascii_lowercase().contains("drata"), "{text}");
    }
    assert!(report.contains(&squeeze(
        "The evidence uploaded to Evidence Archive is one PDF"
    )));
    let doc = Document::load_mem(&render_pdf(&e)?)?;
    let info = format!(
        "{:?}",
        doc.trailer.get(b"Info").and_then(|i| doc.dereference(i))
    );
    assert!(info.contains("DISK_PROOF"), "{info}");
    assert!(!info.to_ascii_lowercase().contains("drata"), "{info}");
    Ok(())
}

#[test]
fn french_german_and_japanese_output_render_as_real_text() -> TestResult {
    let mut finding = common::finding(false);
    finding.summary = "Le chiffrement n'est pas activé ; Verschlüsselung prüfen.".into();
    finding.observations[0].stdout =
        "ファイルが見つかりません。\nアクセスが拒否されました。\n".into();
    let device = common::device();
    let e = common::evidence(&finding, &device);
    let pdf = devidence_render::render_pdf_with(&e, None)?;
    keep_sample("localized.pdf", &pdf);
    let text = squeeze(&pdf_text(&pdf)?.1);
    for expected in [
        "Lechiffrementn'estpasactivé",
        "Verschlüsselungprüfen",
        "ファイルが見つかりません。",
        "アクセスが拒否されました。",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    // The Japanese glyphs come from the embedded fallback face, not from .notdef boxes.
    let doc = Document::load_mem(&pdf)?;
    let fonts: Vec<String> = doc
        .objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .filter_map(|d| d.get(b"BaseFont").ok())
        .filter_map(|n| n.as_name().ok())
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .collect();
    assert!(
        fonts.iter().any(|f| f.contains("Droid")),
        "embedded fonts: {fonts:?}"
    );
    Ok(())
}
