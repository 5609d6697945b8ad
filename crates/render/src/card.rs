//! The summary card: a 1200×800 picture of the finding, drawn from it (not a screenshot, and
//! it says so). Laid out once as [`Shape`]s; `png.rs` paints them into the PNG card and the
//! PDF report draws the same shapes as vector graphics on its first page.

use crate::draw::Shape;
use crate::fonts::{Face, Fonts};
use crate::layout;
use crate::style::{self, Rgb, VerdictStyle};
use crate::{CARD_HEIGHT, CARD_WIDTH, Evidence, RenderError};
use devidence_core::{Observation, Outcome, SourceKind, Verdict};

const W: f32 = CARD_WIDTH as f32;
const H: f32 = CARD_HEIGHT as f32;
/// Outer padding.
const PAD: f32 = 48.0;
/// Gap between the two bottom columns.
const GUTTER: f32 = 40.0;
/// Line height of the bottom lists.
const ROW: f32 = 27.0;
/// How many facts the card lists at most.
const MAX_FACTS: usize = 10;

/// Records the card's shapes, measuring text with the bundled fonts.
pub(crate) struct Sketch<'a> {
    shapes: Vec<Shape>,
    fonts: &'a Fonts,
}

impl<'a> Sketch<'a> {
    pub(crate) fn new(fonts: &'a Fonts) -> Sketch<'a> {
        Sketch {
            shapes: Vec::new(),
            fonts,
        }
    }

    /// The shapes recorded so far, in drawing order.
    pub(crate) fn into_shapes(self) -> Vec<Shape> {
        self.shapes
    }

    /// A filled rectangle with rounded corners (`radius` 0 for square ones).
    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, color: Rgb, radius: f32) {
        self.shapes.push(Shape::Rect {
            x,
            y,
            w,
            h,
            color,
            radius,
        });
    }

    /// Width of `text` in pixels.
    pub(crate) fn width(&self, face: Face, size: f32, text: &str) -> f32 {
        self.fonts.width(face, size, text)
    }

    /// Draws text in a line box whose top is `top`, vertically centred. Characters missing
    /// from `face` are borrowed from another bundled face.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn text_in_line(
        &mut self,
        x: f32,
        top: f32,
        line: f32,
        face: Face,
        size: f32,
        color: Rgb,
        text: &str,
    ) {
        let (ascent, descent) = self.fonts.ascent_descent_em(face);
        let baseline = top + (line - (ascent + descent) * size) / 2.0 + ascent * size;
        self.shapes.push(Shape::Text {
            x,
            baseline,
            face,
            size,
            color,
            text: text.to_string(),
            mono: false,
        });
    }

    /// `text` shortened with `…` to fit `width`.
    pub(crate) fn fit(&self, text: &str, face: Face, size: f32, width: f32) -> String {
        layout::ellipsize(text, width, |c| self.fonts.advance_em(face, c) * size)
    }

    /// Word-wraps `text` into at most `max_lines` lines of `width`, the last one ending in `…`
    /// when text was left out.
    fn wrap(&self, text: &str, face: Face, size: f32, width: f32, max_lines: usize) -> Vec<String> {
        let mut lines = layout::wrap_words(text, width, |c| self.fonts.advance_em(face, c) * size);
        lines.retain(|l| !l.is_empty());
        if lines.len() > max_lines {
            lines.truncate(max_lines);
            if let Some(last) = lines.last_mut() {
                *last = self.fit(&format!("{last} …"), face, size, width);
                if !last.ends_with('…') {
                    last.push('…');
                }
            }
        }
        lines
    }
}

/// Lays the card out: verdict, device, summary, remediation, the main facts and what was looked
/// at, as shapes on a [`CARD_WIDTH`]×[`CARD_HEIGHT`] white background.
pub(crate) fn shapes(e: &Evidence, fonts: &Fonts) -> Result<Vec<Shape>, RenderError> {
    let finding = e.finding;
    let verdict = style::verdict_style(&finding.verdict);
    let collected = crate::collected_at_utc(finding)?;
    let mut c = Sketch::new(fonts);
    let inner = W - 2.0 * PAD;

    // Verdict-coloured strip along the top.
    c.rect(0.0, 0.0, W, 10.0, verdict.fill, 0.0);

    // Header: brand, title, the destination's evidence type, badge.
    let badge_size = 30.0;
    let badge_w = c.width(Face::Bold, badge_size, verdict.label) + 52.0;
    let badge_h = 62.0;
    let badge_x = W - PAD - badge_w;
    let badge_top = 46.0;
    draw_badge(
        &mut c, badge_x, badge_top, badge_w, badge_h, badge_size, verdict,
    );

    let head_w = inner - badge_w - 24.0;
    c.text_in_line(
        PAD,
        34.0,
        24.0,
        Face::Sans,
        17.0,
        style::MUTED,
        "devidence · device security evidence",
    );
    let title = c.fit(finding.control.title(), Face::Bold, 42.0, head_w);
    c.text_in_line(PAD, 60.0, 54.0, Face::Bold, 42.0, style::INK, &title);
    let evidence_type = c.fit(
        &e.destination.type_line(finding.control),
        Face::Sans,
        19.0,
        head_w,
    );
    c.text_in_line(
        PAD,
        116.0,
        28.0,
        Face::Sans,
        19.0,
        style::MUTED,
        &evidence_type,
    );
    c.rect(PAD, 158.0, inner, 1.5, style::RULE, 0.0);

    // Device and time.
    let device = e.device;
    // A long host name is shortened first, so the serial and the OS stay visible.
    let rest = format!(
        "  ·  Serial: {}  ·  {}",
        crate::serial_or_na(device),
        crate::os_line(device)
    );
    let host_w = (inner - c.width(Face::Sans, 21.0, &rest)).max(inner * 0.35);
    let host = c.fit(&device.hostname, Face::Sans, 21.0, host_w);
    let device_line = c.fit(&format!("{host}{rest}"), Face::Sans, 21.0, inner);
    c.text_in_line(PAD, 174.0, 30.0, Face::Sans, 21.0, style::INK, &device_line);
    let mut when = format!(
        "Collected {collected} (UTC)  ·  agent devidence {}",
        e.agent_version
    );
    if let Some(user) = &device.user {
        when.push_str(&format!("  ·  user {user}"));
    }
    let when = c.fit(&when, Face::Sans, 17.0, inner);
    c.text_in_line(PAD, 206.0, 26.0, Face::Sans, 17.0, style::MUTED, &when);

    // Summary, unknown reason, remediation.
    let mut y = 250.0;
    for line in c.wrap(&finding.summary, Face::Sans, 22.0, inner, 3) {
        c.text_in_line(PAD, y, 31.0, Face::Sans, 22.0, style::INK, &line);
        y += 31.0;
    }
    if let Verdict::Unknown { reason } = &finding.verdict {
        y += 4.0;
        let text = format!("Why unknown: {reason}");
        for line in c.wrap(&text, Face::Sans, 18.0, inner, 2) {
            c.text_in_line(PAD, y, 26.0, Face::Sans, 18.0, verdict.text, &line);
            y += 26.0;
        }
    }
    if let Some(remediation) = &finding.remediation {
        y += 10.0;
        let text = format!("Remediation: {remediation}");
        let lines = c.wrap(&text, Face::Sans, 18.0, inner - 36.0, 3);
        let box_h = 26.0 * lines.len() as f32 + 20.0;
        c.rect(PAD, y, inner, box_h, verdict.tint, 6.0);
        c.rect(PAD, y, 5.0, box_h, verdict.fill, 0.0);
        let mut line_top = y + 10.0;
        for line in lines {
            c.text_in_line(
                PAD + 22.0,
                line_top,
                26.0,
                Face::Sans,
                18.0,
                style::INK,
                &line,
            );
            line_top += 26.0;
        }
        y += box_h;
    }

    // Two columns: facts on the left, what was looked at on the right.
    let columns_top = y + 24.0;
    let footer_top = H - 52.0;
    let column_w = (inner - GUTTER) / 2.0;
    let right_x = PAD + column_w + GUTTER;
    let rows_fit = (((footer_top - 12.0) - (columns_top + 34.0)) / ROW)
        .floor()
        .max(0.0) as usize;
    facts_column(&mut c, e, PAD, columns_top, column_w, rows_fit);
    let shown: Vec<&Observation> = finding.observations.iter().filter(|o| !o.quiet).collect();
    sources_column(&mut c, &shown, right_x, columns_top, column_w, rows_fit);

    // Footer.
    c.rect(PAD, footer_top, inner, 1.5, style::RULE, 0.0);
    let footer = format!(
        "Rendered summary card (no screenshot)  ·  devidence {}  ·  the PDF report holds the full output",
        e.agent_version
    );
    let footer = c.fit(&footer, Face::Sans, 15.0, inner);
    c.text_in_line(
        PAD,
        footer_top + 12.0,
        24.0,
        Face::Sans,
        15.0,
        style::MUTED,
        &footer,
    );

    Ok(c.into_shapes())
}

#[allow(clippy::too_many_arguments)]
fn draw_badge(
    c: &mut Sketch<'_>,
    x: f32,
    top: f32,
    w: f32,
    h: f32,
    size: f32,
    verdict: VerdictStyle,
) {
    c.rect(x, top, w, h, verdict.fill, 10.0);
    let text_w = c.width(Face::Bold, size, verdict.label);
    c.text_in_line(
        x + (w - text_w) / 2.0,
        top,
        h,
        Face::Bold,
        size,
        verdict.on_fill,
        verdict.label,
    );
}

/// Column heading with a count, e.g. `Facts (12)`.
fn column_heading(c: &mut Sketch<'_>, x: f32, top: f32, title: &str) {
    c.text_in_line(x, top, 28.0, Face::Bold, 19.0, style::INK, title);
}

/// The first facts, key in monospace and value beside it.
fn facts_column(c: &mut Sketch<'_>, e: &Evidence, x: f32, top: f32, width: f32, rows: usize) {
    let facts = &e.finding.facts;
    column_heading(c, x, top, &format!("Facts ({})", facts.len()));
    let mut y = top + 34.0;
    if facts.is_empty() {
        empty_column(c, x, y, "No facts were extracted.");
        return;
    }
    let shown = shown_rows(facts.len(), MAX_FACTS.min(rows), rows);
    let longest = facts
        .keys()
        .take(shown)
        .map(|k| c.width(Face::Mono, 15.0, k))
        .fold(0.0f32, f32::max);
    let key_w = (longest + 20.0).clamp(width * 0.25, width * 0.5).floor();
    for (key, value) in facts.iter().take(shown) {
        let key = c.fit(key, Face::Mono, 15.0, key_w - 12.0);
        c.text_in_line(x, y, ROW, Face::Mono, 15.0, style::MUTED, &key);
        let value = c.fit(value, Face::Sans, 17.0, width - key_w);
        c.text_in_line(x + key_w, y, ROW, Face::Sans, 17.0, style::INK, &value);
        y += ROW;
    }
    more_note(c, x, y, facts.len(), shown, rows);
}

/// The commands and files looked at, each with a mark and its exit code or outcome.
fn sources_column(
    c: &mut Sketch<'_>,
    observations: &[&Observation],
    x: f32,
    top: f32,
    width: f32,
    rows: usize,
) {
    column_heading(c, x, top, &format!("Looked at ({})", observations.len()));
    let mut y = top + 34.0;
    if observations.is_empty() {
        empty_column(c, x, y, "No commands or files.");
        return;
    }
    let shown = shown_rows(observations.len(), rows, rows);
    let status_w = 96.0;
    for obs in observations.iter().take(shown) {
        let (mark, color) = if obs.succeeded() {
            ("✓", style::OK_GREEN)
        } else {
            ("✗", style::BAD_RED)
        };
        c.text_in_line(x, y, ROW, Face::Bold, 17.0, color, mark);
        c.text_in_line(
            x + 24.0,
            y,
            ROW,
            Face::Mono,
            14.0,
            style::MUTED,
            &status(obs),
        );
        let mut source = obs.source.clone();
        if let Some(user) = &obs.as_user {
            source.push_str(&format!("  (as {user})"));
        }
        let source = c.fit(&source, Face::Mono, 15.0, width - 24.0 - status_w);
        c.text_in_line(
            x + 24.0 + status_w,
            y,
            ROW,
            Face::Mono,
            15.0,
            style::INK,
            &source,
        );
        y += ROW;
    }
    more_note(c, x, y, observations.len(), shown, rows);
}

/// The line an empty column shows instead of its list.
fn empty_column(c: &mut Sketch<'_>, x: f32, y: f32, text: &str) {
    c.text_in_line(x, y, ROW, Face::Sans, 17.0, style::MUTED, text);
}

/// `+ N more in the PDF report` under a list that left items out, when a line is free for it.
fn more_note(c: &mut Sketch<'_>, x: f32, y: f32, total: usize, shown: usize, rows: usize) {
    if shown < total && shown < rows {
        let more = format!("+ {} more in the PDF report", total - shown);
        c.text_in_line(x, y, ROW, Face::Sans, 16.0, style::MUTED, &more);
    }
}

/// How many of `total` items to list when at most `limit` items and `rows` lines fit, keeping
/// one line for the `+ N more` note when items are left out.
fn shown_rows(total: usize, limit: usize, rows: usize) -> usize {
    let shown = total.min(limit).min(rows);
    if shown < total && shown == rows {
        shown.saturating_sub(1)
    } else {
        shown
    }
}

/// A short status: `exit 0`, `read`, `not found`, `timeout`, …
fn status(obs: &Observation) -> String {
    match (&obs.outcome, obs.kind) {
        (Outcome::Completed, SourceKind::Command) => match obs.exit_code {
            Some(code) => format!("exit {code}"),
            None => "exit –".to_string(),
        },
        (Outcome::Completed, SourceKind::File) => "read".to_string(),
        (Outcome::Completed, SourceKind::Directory) => "listed".to_string(),
        (Outcome::Completed, SourceKind::Registry | SourceKind::Wmi) => "read".to_string(),
        (Outcome::NotFound, _) => "not found".to_string(),
        (Outcome::PermissionDenied, _) => "denied".to_string(),
        (Outcome::TimedOut { .. }, _) => "timeout".to_string(),
        (Outcome::Failed { .. }, _) => "failed".to_string(),
        (Outcome::Refused { .. }, _) => "refused".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::shown_rows;

    #[test]
    fn lists_keep_a_line_for_the_more_note() {
        assert_eq!(shown_rows(3, 10, 13), 3);
        assert_eq!(shown_rows(11, 10, 13), 10); // 10 shown + "1 more" fits
        assert_eq!(shown_rows(20, 20, 5), 4); // 4 shown + "16 more"
        assert_eq!(shown_rows(5, 10, 5), 5);
        assert_eq!(shown_rows(5, 10, 0), 0);
    }
}
