//! Evidence rendering: turns one [`Finding`] into files an auditor can read.
//!
//! Two renderings of the same data:
//!
//! - [`render_pdf`]: an A4 report, one or more pages. It carries everything the verdict was based
//!   on: the device, the facts, and every command and file the probe looked at with its output,
//!   its exit code and a SHA-256 of what was recorded. Text is real text (embedded subset fonts
//!   with a ToUnicode map), so it can be searched and copied.
//! - [`render_png`]: a 1200×800 summary card for places that want an image. It is drawn from the
//!   finding (not a screenshot) and says so on the card.
//!
//! Fonts are the DejaVu fonts bundled in this crate (`fonts/`, licence in
//! `fonts/LICENSE-DejaVu.txt`); nothing is read from the system at run time, so the output looks
//! the same on every OS.
//!
//! Architecture invariant: this crate does no I/O. It takes values and returns bytes.

mod card;
mod draw;
mod fonts;
mod layout;
mod palette;
mod pdf;
mod png;
mod style;

use devidence_core::{Control, DeviceIdentity, Finding, Observation, SourceKind};
use sha2::{Digest, Sha256};
use time::UtcOffset;
use time::format_description::well_known::Rfc3339;

/// Everything one evidence file is drawn from.
#[derive(Clone, Copy, Debug)]
pub struct Evidence<'a> {
    /// The probe's result for one control.
    pub finding: &'a Finding,
    /// The device the finding is about.
    pub device: &'a DeviceIdentity,
    /// The agent's version, shown in the device block and in every page footer.
    pub agent_version: &'a str,
    /// Where the evidence is uploaded, as the reports name it.
    pub destination: Destination<'a>,
}

/// What the reports say about where their evidence goes: the service it is uploaded to and
/// the document type that service files each control's evidence under. The caller supplies
/// both, so this crate names no service: the title block, the running header and the card print
/// `<service> evidence type: <type>`, the PDF's description and keywords carry the same, and
/// the combined report's cover says `The evidence uploaded to <service> is one PDF per control`.
#[derive(Clone, Copy, Debug)]
pub struct Destination<'a> {
    /// The service's name, e.g. in `<service> evidence type: …`.
    pub service: &'a str,
    /// The service's document type for a control's evidence.
    pub evidence_type: fn(Control) -> &'static str,
}

impl Destination<'_> {
    /// `<service> evidence type: <type>` for `control`, the line under each report's title.
    fn type_line(&self, control: Control) -> String {
        format!(
            "{} evidence type: {}",
            self.service,
            (self.evidence_type)(control)
        )
    }
}

/// Why an evidence file could not be rendered.
#[derive(thiserror::Error, Debug)]
#[non_exhaustive]
pub enum RenderError {
    /// A font bundled in this crate could not be parsed. This is a build defect (a corrupted
    /// font file in `crates/render/fonts/`), not something a user can fix.
    #[error("the bundled font {name} could not be read; the build is broken, please report it")]
    Font {
        /// File name of the font.
        name: &'static str,
    },
    /// The PDF writer (krilla) refused the document.
    #[error("could not write the PDF: {0}")]
    Pdf(String),
    /// The PNG encoder failed.
    #[error("could not encode the PNG card: {0}")]
    Png(#[from] image::ImageError),
    /// The collection time cannot be written as RFC 3339 (for example a year after 9999).
    #[error("could not format the collection time as RFC 3339: {0}")]
    Time(#[from] time::error::Format),
}

/// The picture on the first page of a control's PDF report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Picture<'a> {
    /// A real screenshot: the PNG from [`stamp_screenshot`], embedded as an image.
    Screenshot(&'a [u8]),
    /// The summary card [`render_png`] draws, drawn in the PDF as vector graphics and real
    /// text (sharp at any zoom, searchable, and with no picture to decode).
    Card,
}

impl Picture<'_> {
    /// Height / width: the card's 2:3, or the screenshot's from its PNG header (the card's
    /// when the header is unreadable).
    pub fn aspect(&self) -> f32 {
        let card = CARD_HEIGHT as f32 / CARD_WIDTH as f32;
        match self {
            Picture::Screenshot(png) => png_size(png)
                .filter(|(w, h)| *w > 0 && *h > 0)
                .map_or(card, |(w, h)| h as f32 / w as f32),
            Picture::Card => card,
        }
    }

    /// The caption printed under the picture.
    pub fn caption(&self) -> &'static str {
        match self {
            Picture::Screenshot(_) => "Screenshot taken when the evidence was collected",
            Picture::Card => "Summary card drawn from the finding (not a screenshot)",
        }
    }
}

/// Width and height from a PNG's IHDR chunk.
pub fn png_size(png: &[u8]) -> Option<(u32, u32)> {
    if png.len() < 24 || &png[..8] != b"\x89PNG\r\n\x1a\n" || &png[12..16] != b"IHDR" {
        return None;
    }
    let be = |at: usize| u32::from_be_bytes([png[at], png[at + 1], png[at + 2], png[at + 3]]);
    Some((be(16), be(20)))
}

/// Renders the full evidence report as an A4 PDF (one or more pages), with the summary card
/// on its first page.
///
/// Output of each observation is wrapped at the page width and paginated; at most
/// [`MAX_OUTPUT_ROWS`] rows per observation are included, with a note saying how many lines were
/// left out (the complete output stays in `findings.json`).
pub fn render_pdf(e: &Evidence) -> Result<Vec<u8>, RenderError> {
    render_pdf_with(e, Some(Picture::Card))
}

/// Renders the PDF report with `picture` (a screenshot or the card) on its first page, or
/// with no picture.
pub fn render_pdf_with(e: &Evidence, picture: Option<Picture<'_>>) -> Result<Vec<u8>, RenderError> {
    render_pdf_limited(e, picture, MAX_OUTPUT_ROWS)
}

/// Like [`render_pdf_with`], showing at most `max_output_rows` rows of each observation's
/// output (a note in the report says how many were left out). Used to bring a report under an
/// upload size limit.
pub fn render_pdf_limited(
    e: &Evidence,
    picture: Option<Picture<'_>>,
    max_output_rows: usize,
) -> Result<Vec<u8>, RenderError> {
    let fonts = fonts::Fonts::load()?;
    pdf::render(e, &fonts, picture, max_output_rows)
}

/// Renders the combined report for the employee to keep: a cover page with every control's
/// verdict and summary, then each control's full report on its own pages.
pub fn render_report(list: &[Evidence]) -> Result<Vec<u8>, RenderError> {
    let fonts = fonts::Fonts::load()?;
    pdf::render_report(list, &fonts)
}

/// The widest screenshot kept as evidence; wider screens are scaled down to it.
pub const MAX_SCREENSHOT_WIDTH: u32 = 1600;

/// Turns a captured screen into the evidence picture: scaled to at most
/// [`MAX_SCREENSHOT_WIDTH`] and with a caption band saying it is a screenshot, of which device,
/// when (UTC) and by which agent, so the image says what it is on its own.
pub fn stamp_screenshot(
    shot: &image::RgbImage,
    device: &DeviceIdentity,
    taken_at: time::OffsetDateTime,
    agent_version: &str,
) -> Result<Vec<u8>, RenderError> {
    let fonts = fonts::Fonts::load()?;
    let when = taken_at
        .to_offset(UtcOffset::UTC)
        .replace_nanosecond(0)
        .unwrap_or(taken_at)
        .format(&Rfc3339)?;
    let caption = format!(
        "Screenshot of {} taken {when} by devidence {agent_version} · the PDF report holds the verdict and the full output",
        device.hostname
    );
    png::stamp(shot, &caption, MAX_SCREENSHOT_WIDTH, &fonts)
}

/// Renders a 1200×800 PNG summary card: verdict, device, summary, remediation, main facts and
/// the commands and files looked at.
pub fn render_png(e: &Evidence) -> Result<Vec<u8>, RenderError> {
    let fonts = fonts::Fonts::load()?;
    png::render(e, &fonts)
}

/// Most output rows (after wrapping) the PDF shows per observation.
pub const MAX_OUTPUT_ROWS: usize = 2000;

/// Width of the PNG card in pixels.
pub const CARD_WIDTH: u32 = 1200;

/// Height of the PNG card in pixels.
pub const CARD_HEIGHT: u32 = 800;

/// The SHA-256 shown for an observation, as lower-case hex: the hash of the recorded standard
/// output bytes followed directly by the recorded standard error bytes (both after redaction,
/// exactly as stored in `findings.json`). Anyone holding the JSON can recompute it.
pub fn output_sha256(obs: &Observation) -> String {
    let mut hasher = Sha256::new();
    hasher.update(obs.stdout.as_bytes());
    hasher.update(obs.stderr.as_bytes());
    let digest = hasher.finalize();
    let mut hex = String::with_capacity(digest.len() * 2);
    for byte in digest.iter() {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        hex.push(char::from(DIGITS[usize::from(byte >> 4)]));
        hex.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    hex
}

/// The collection time in UTC as RFC 3339 (`2026-11-23T10:15:00Z`).
fn collected_at_utc(finding: &Finding) -> Result<String, RenderError> {
    Ok(finding
        .collected_at
        .to_offset(UtcOffset::UTC)
        .format(&Rfc3339)?)
}

/// The collection time in the device's local time (`2026-11-23 11:15:42 +01:00`), or
/// `not available` when the device's offset was not recorded.
fn collected_at_local(finding: &Finding, device: &DeviceIdentity) -> String {
    let local = device
        .utc_offset_seconds
        .and_then(|s| UtcOffset::from_whole_seconds(s).ok())
        .map(|offset| finding.collected_at.to_offset(offset));
    let format = time::macros::format_description!(
        "[year]-[month]-[day] [hour]:[minute]:[second] [offset_hour sign:mandatory]:[offset_minute]"
    );
    local
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_else(|| "not available".to_string())
}

/// What an observation looked at, in words: `Command`, `File`, `Directory`, `Registry key`
/// or `WMI query`.
fn kind_label(kind: SourceKind) -> &'static str {
    match kind {
        SourceKind::Command => "Command",
        SourceKind::File => "File",
        SourceKind::Directory => "Directory",
        SourceKind::Registry => "Registry key",
        SourceKind::Wmi => "WMI query",
    }
}

/// The serial number, or `not available`.
fn serial_or_na(device: &DeviceIdentity) -> &str {
    device.serial_number.as_deref().unwrap_or("not available")
}

/// OS name and version, with the family added when the name does not say it, e.g.
/// `Debian GNU/Linux 12 (bookworm)` or `Pop!_OS 22.04 (linux)`.
fn os_line(device: &DeviceIdentity) -> String {
    let family = device.os.name();
    if device.os_version.is_empty() {
        family.to_string()
    } else if device.os_version.to_ascii_lowercase().contains(family) {
        device.os_version.clone()
    } else {
        format!("{} ({family})", device.os_version)
    }
}

/// Milliseconds in words: `850 ms`, `1.2 s`.
fn duration_words(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms} ms")
    } else {
        format!("{:.1} s", ms as f64 / 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use devidence_core::Outcome;

    #[test]
    fn sha256_covers_stdout_then_stderr() {
        let mut obs = Observation::new(SourceKind::Command, "true", Outcome::Completed);
        // SHA-256("") and SHA-256("abc") are the FIPS 180-2 test vectors.
        assert_eq!(
            output_sha256(&obs),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        obs.stdout = "ab".into();
        obs.stderr = "c".into();
        assert_eq!(
            output_sha256(&obs),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn render_error_can_cross_threads() {
        fn assert_send_sync<T: Send + Sync + 'static>() {}
        assert_send_sync::<RenderError>();
    }
}
