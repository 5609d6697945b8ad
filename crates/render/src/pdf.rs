//! The A4 PDF report.
//!
//! Built in two passes. [`Flow`] lays the report out top to bottom into one list of drawing
//! operations per page, starting a new page whenever the next piece does not fit. Then
//! [`emit`] draws those lists with krilla, adding the `page N of M` footer now that `M` is known.

use crate::card;
use crate::draw::Shape;
use crate::fonts::{Face, Fonts};
use crate::layout::{self, CONTINUATION, Rows};
use crate::style::{self, INK, MUTED, Rgb, VerdictStyle};
use crate::{CARD_HEIGHT, CARD_WIDTH, Evidence, MAX_OUTPUT_ROWS, Picture, RenderError};
use devidence_core::{Observation, SourceKind, Verdict};
use krilla::Document;
use krilla::color::rgb;
use krilla::destination::XyzDestination;
use krilla::geom::{Path, PathBuilder, Point, Rect, Transform};
use krilla::metadata::{DateTime, Metadata};
use krilla::num::NormalizedF32;
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule};
use krilla::surface::Surface;
use krilla::text::{Font as PdfFont, GlyphId, KrillaGlyph};
use std::collections::BTreeMap;
use time::UtcOffset;

/// A4 width in points.
const PAGE_W: f32 = 595.276;
/// A4 height in points.
const PAGE_H: f32 = 841.89;
/// Left and right margin.
const MARGIN_X: f32 = 48.0;
/// Where content starts on a page.
const TOP: f32 = 46.0;
/// Content never goes below this line (the footer lives underneath).
const BOTTOM: f32 = PAGE_H - 60.0;
/// Width available to content.
const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN_X;
/// Height of the running header on pages 2+.
const RUNNING_HEADER_H: f32 = 24.0;

/// Padding inside output blocks.
const CODE_PAD: f32 = 5.0;
/// Label column of the device block.
const LABEL_W: f32 = 112.0;
/// Narrowest and widest key column of the facts table.
const FACT_KEY_MIN_W: f32 = 120.0;
const FACT_KEY_MAX_W: f32 = 220.0;
/// Height of the facts table's header row.
const FACT_HEAD_H: f32 = 16.0;
/// Stderr gets at most this many of an observation's rows, so a huge stdout cannot hide it.
const MAX_STDERR_ROWS: usize = 200;
/// A fact value longer than this many wrapped lines is cut with `…`.
const MAX_FACT_LINES: usize = 24;
/// A command line longer than this many wrapped rows is cut (the full one is in the JSON).
const MAX_SOURCE_ROWS: usize = 12;

/// How a line of text looks: face, size, line height (all in points) and colour.
#[derive(Clone, Copy, Debug)]
struct TextStyle {
    face: Face,
    size: f32,
    leading: f32,
    color: Rgb,
}

const fn text_style(face: Face, size: f32, leading: f32, color: Rgb) -> TextStyle {
    TextStyle {
        face,
        size,
        leading,
        color,
    }
}

impl TextStyle {
    /// The same style in another colour.
    const fn colored(self, color: Rgb) -> TextStyle {
        TextStyle { color, ..self }
    }
}

const BRAND: TextStyle = text_style(Face::Sans, 8.5, 16.0, MUTED);
const TITLE: TextStyle = text_style(Face::Bold, 22.0, 28.0, INK);
const SUBTITLE: TextStyle = text_style(Face::Sans, 10.0, 14.0, MUTED);
const SECTION: TextStyle = text_style(Face::Bold, 12.0, 18.0, INK);
const PROSE: TextStyle = text_style(Face::Sans, 10.0, 14.0, INK);
const BODY: TextStyle = text_style(Face::Sans, 9.5, 13.5, INK);
const LABEL: TextStyle = text_style(Face::Sans, 8.8, 13.5, MUTED);
const NOTE: TextStyle = text_style(Face::Sans, 8.0, 11.0, MUTED);
const INTRO: TextStyle = text_style(Face::Sans, 8.8, 12.5, MUTED);
const RUNNING: TextStyle = text_style(Face::Sans, 8.0, 11.0, MUTED);
const TABLE_HEAD: TextStyle = text_style(Face::Bold, 8.5, FACT_HEAD_H, INK);
const FACT_KEY: TextStyle = text_style(Face::Mono, 7.8, 12.0, INK);
const FACT_VALUE: TextStyle = text_style(Face::Sans, 9.0, 12.0, INK);
const OBS_HEADING: TextStyle = text_style(Face::Bold, 10.5, 16.0, INK);
const OBS_USER: TextStyle = text_style(Face::Sans, 9.0, 16.0, MUTED);
const SOURCE: TextStyle = text_style(Face::Mono, 8.6, 11.0, INK);
const META: TextStyle = text_style(Face::Sans, 8.5, 11.0, MUTED);
const HASH: TextStyle = text_style(Face::Mono, 7.8, 11.0, INK);
const STREAM_LABEL: TextStyle = text_style(Face::Bold, 7.5, 11.0, MUTED);
const CODE: TextStyle = text_style(Face::Mono, 7.8, 9.6, INK);
const NO_OUTPUT: TextStyle = text_style(Face::Sans, 7.8, 9.6, MUTED);

/// One drawing operation, in points from the page's top-left corner.
enum Op {
    /// Text or a rectangle.
    Shape(Shape),
    /// The evidence picture (screenshot or summary card), top-left at (x, y).
    Picture { x: f32, y: f32, w: f32, h: f32 },
}

/// The evidence picture as the PDF draws it.
enum Figure {
    /// A screenshot, embedded as an image.
    Image(krilla::image::Image),
    /// The summary card's shapes (in card pixels), drawn as vector graphics and real text.
    Card(Vec<Shape>),
}

/// A background drawn behind a run of lines that may cross a page break.
struct Band {
    /// Where in the current page's ops the background goes (under the text drawn since).
    op_index: usize,
    top: f32,
    color: Rgb,
    /// Optional bar on the left edge.
    accent: Option<Rgb>,
    /// Space kept above the first line and below the last line of each page segment.
    pad: f32,
}

/// An observation wrapped and measured, ready to draw.
struct Prepared {
    source_rows: Vec<String>,
    source_cut: bool,
    stdout: Rows,
    stderr: Rows,
    /// Height that must fit on the page before the observation starts.
    keep_h: f32,
}

/// A bookmark in the PDF outline.
struct Mark {
    title: String,
    page: usize,
    y: f32,
    child: bool,
}

/// Lays the report out into pages of drawing operations.
struct Flow<'a> {
    fonts: &'a Fonts,
    done: Vec<Vec<Op>>,
    current: Vec<Op>,
    y: f32,
    band: Option<Band>,
    marks: Vec<Mark>,
    running_title: String,
    verdict: VerdictStyle,
    /// Most output rows shown per observation.
    max_rows: usize,
}

impl<'a> Flow<'a> {
    fn new(fonts: &'a Fonts, running_title: String, verdict: VerdictStyle) -> Flow<'a> {
        Flow {
            fonts,
            done: Vec::new(),
            current: Vec::new(),
            y: TOP,
            band: None,
            marks: Vec::new(),
            running_title,
            verdict,
            max_rows: MAX_OUTPUT_ROWS,
        }
    }

    /// Index of the page being filled.
    fn page_index(&self) -> usize {
        self.done.len()
    }

    /// All pages, in order, and the bookmarks.
    fn finish(mut self) -> (Vec<Vec<Op>>, Vec<Mark>) {
        self.end_band();
        self.done.push(self.current);
        (self.done, self.marks)
    }

    /// Where content starts on the current page (below the running header on pages 2+).
    fn content_top(&self) -> f32 {
        if self.done.is_empty() {
            TOP
        } else {
            TOP + RUNNING_HEADER_H
        }
    }

    /// Starts a new page unless `height` still fits on this one (or this page is still empty,
    /// so something taller than a page cannot cause endless page breaks).
    fn ensure(&mut self, height: f32) {
        if self.y + height > BOTTOM && self.y > self.content_top() {
            self.new_page();
        }
    }

    fn new_page(&mut self) {
        let pad = self.band.as_ref().map_or(0.0, |b| b.pad);
        self.y += pad;
        self.close_band_segment();
        self.done.push(std::mem::take(&mut self.current));
        self.running_header();
        self.y = self.content_top();
        let (index, y) = (self.current.len(), self.y);
        if let Some(band) = self.band.as_mut() {
            band.op_index = index;
            band.top = y;
            self.y += band.pad;
        }
    }

    /// Pages 2+: control and Drata type on the left, the verdict on the right, above a rule.
    fn running_header(&mut self) {
        let label = self.verdict.label;
        let label_style = RUNNING.colored(self.verdict.text);
        let label_style = TextStyle {
            face: Face::Bold,
            ..label_style
        };
        let label_w = self.width(label_style, label);
        let title = self.fit(&self.running_title, RUNNING, CONTENT_W - label_w - 16.0);
        self.text_at(MARGIN_X, TOP, RUNNING, title);
        self.text_at(MARGIN_X + CONTENT_W - label_w, TOP, label_style, label);
        self.rule(TOP + RUNNING.leading + 4.0);
    }

    /// Starts a full-width background behind what follows, until [`Flow::end_band`].
    fn start_band(&mut self, color: Rgb, accent: Option<Rgb>, pad: f32) {
        self.band = Some(Band {
            op_index: self.current.len(),
            top: self.y,
            color,
            accent,
            pad,
        });
        self.y += pad;
    }

    fn end_band(&mut self) {
        if let Some(band) = self.band.as_ref() {
            self.y += band.pad;
        }
        self.close_band_segment();
        self.band = None;
    }

    /// Puts the band's background under everything drawn on this page since it started.
    fn close_band_segment(&mut self) {
        let Some(band) = self.band.as_ref() else {
            return;
        };
        let h = self.y - band.top;
        if h <= 0.0 {
            return;
        }
        let mut rects = vec![Op::Shape(Shape::Rect {
            x: MARGIN_X,
            y: band.top,
            w: CONTENT_W,
            h,
            color: band.color,
            radius: 0.0,
        })];
        if let Some(accent) = band.accent {
            rects.push(Op::Shape(Shape::Rect {
                x: MARGIN_X,
                y: band.top,
                w: 3.0,
                h,
                color: accent,
                radius: 0.0,
            }));
        }
        let at = band.op_index.min(self.current.len());
        self.current.splice(at..at, rects);
    }

    /// One line of text in a line box whose top is `top`, centred vertically in the box.
    fn text_at(&mut self, x: f32, top: f32, s: TextStyle, text: impl Into<String>) {
        let (ascent, descent) = self.fonts.ascent_descent_em(s.face);
        let baseline = top + (s.leading - (ascent + descent) * s.size) / 2.0 + ascent * s.size;
        self.current.push(Op::Shape(Shape::Text {
            x,
            baseline,
            face: s.face,
            size: s.size,
            color: s.color,
            text: text.into(),
            mono: s.face == Face::Mono,
        }));
    }

    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, color: Rgb, radius: f32) {
        self.current.push(Op::Shape(Shape::Rect {
            x,
            y,
            w,
            h,
            color,
            radius,
        }));
    }

    fn rule(&mut self, y: f32) {
        self.rect(MARGIN_X, y, CONTENT_W, 0.75, style::RULE, 0.0);
    }

    fn width(&self, s: TextStyle, text: &str) -> f32 {
        self.fonts.width(s.face, s.size, text)
    }

    /// Word-wrapped lines of `text` for `width`.
    fn wrap(&self, text: &str, s: TextStyle, width: f32) -> Vec<String> {
        layout::wrap_words(text, width, |c| self.fonts.advance_em(s.face, c) * s.size)
    }

    /// `text` on one line, shortened with `…` to fit `width`.
    fn fit(&self, text: &str, s: TextStyle, width: f32) -> String {
        layout::ellipsize(text, width, |c| self.fonts.advance_em(s.face, c) * s.size)
    }

    /// Columns of Mono text in style `s` that fit in `width`.
    fn columns(&self, s: TextStyle, width: f32) -> usize {
        let cell = self.fonts.mono_cell_em() * s.size;
        if cell > 0.0 {
            (width / cell).floor().max(1.0) as usize
        } else {
            80
        }
    }

    /// A wrapped paragraph; breaks pages between lines.
    fn paragraph(&mut self, x: f32, width: f32, s: TextStyle, text: &str) {
        for line in self.wrap(text, s, width) {
            self.ensure(s.leading);
            let top = self.y;
            self.text_at(x, top, s, line);
            self.y += s.leading;
        }
    }

    /// A section heading with a rule under it, kept together with `keep` points of what follows.
    fn section(&mut self, title: &str, keep: f32) {
        if self.y > self.content_top() {
            self.y += 10.0;
        }
        self.ensure(26.0 + keep);
        self.mark(title, false);
        let top = self.y;
        self.text_at(MARGIN_X, top, SECTION, title);
        self.rule(top + SECTION.leading + 1.0);
        self.y = top + 26.0;
    }

    /// A bookmark to the current position.
    fn mark(&mut self, title: &str, child: bool) {
        self.marks.push(Mark {
            title: title.to_string(),
            page: self.page_index(),
            y: self.y,
            child,
        });
    }

    /// Page 1 top: brand line, control title, Drata type, verdict badge, unknown reason.
    fn title_block(&mut self, e: &Evidence) {
        let control = e.finding.control;
        let verdict = self.verdict;
        self.mark(&format!("{} — {}", control.title(), verdict.label), false);
        self.text_at(
            MARGIN_X,
            self.y,
            BRAND,
            "devidence · device security evidence",
        );
        self.y += BRAND.leading;

        // Verdict badge, top right.
        let badge_h = 26.0;
        let badge_text = text_style(Face::Bold, 13.0, badge_h, verdict.on_fill);
        let badge_w = self.width(badge_text, verdict.label) + 26.0;
        let badge_x = MARGIN_X + CONTENT_W - badge_w;
        let badge_top = self.y + 2.0;
        self.rect(badge_x, badge_top, badge_w, badge_h, verdict.fill, 4.0);
        self.text_at(badge_x + 13.0, badge_top, badge_text, verdict.label);

        for line in self.wrap(control.title(), TITLE, CONTENT_W - badge_w - 16.0) {
            self.text_at(MARGIN_X, self.y, TITLE, line);
            self.y += TITLE.leading;
        }
        self.y = self.y.max(badge_top + badge_h);
        let drata = format!("Drata evidence type: {}", control.drata_type());
        self.paragraph(MARGIN_X, CONTENT_W, SUBTITLE, &drata);

        if let Verdict::Unknown { reason } = &e.finding.verdict {
            self.y += 8.0;
            self.start_band(verdict.tint, Some(verdict.fill), 6.0);
            let text = format!("Why the verdict is unknown: {reason}");
            self.paragraph(MARGIN_X + 12.0, CONTENT_W - 20.0, BODY, &text);
            self.end_band();
        }
        self.y += 10.0;
    }

    /// The combined report's first page: what it is, the device, and each control's verdict
    /// and summary.
    fn cover(&mut self, list: &[Evidence]) -> Result<(), RenderError> {
        let Some(first) = list.first() else {
            return Ok(());
        };
        self.mark("Overview", false);
        self.text_at(
            MARGIN_X,
            self.y,
            BRAND,
            "devidence · device security evidence",
        );
        self.y += BRAND.leading;
        for line in self.wrap("Device security report", TITLE, CONTENT_W) {
            self.text_at(MARGIN_X, self.y, TITLE, line);
            self.y += TITLE.leading;
        }
        let collected = crate::collected_at_utc(first.finding)?;
        let subtitle = format!(
            "All five controls, collected {collected} on {}. The evidence uploaded to Drata is one PDF per control; this report is for the employee to keep.",
            first.device.hostname
        );
        self.paragraph(MARGIN_X, CONTENT_W, SUBTITLE, &subtitle);
        self.y += 10.0;
        self.section("Device", 3.0 * BODY.leading);
        let device = first.device;
        let na = || "not available".to_string();
        self.key_values(&[
            ("Hostname", device.hostname.clone()),
            ("Serial number", crate::serial_or_na(device).to_string()),
            ("Model", device.model.clone().unwrap_or_else(na)),
            ("Operating system", crate::os_line(device)),
            ("User", device.user.clone().unwrap_or_else(na)),
            (
                "Agent version",
                format!("devidence {}", first.agent_version),
            ),
        ]);
        self.section("Controls", 4.0 * PROSE.leading);
        let badge = text_style(Face::Bold, 9.0, 16.0, INK);
        let badge_w = ["PASS", "FAIL", "UNKNOWN"]
            .iter()
            .map(|l| self.width(badge, l))
            .fold(0.0_f32, f32::max)
            + 14.0;
        for e in list {
            let v = style::verdict_style(&e.finding.verdict);
            self.ensure(badge.leading + 2.0 * PROSE.leading + 10.0);
            let top = self.y;
            self.rect(MARGIN_X, top, badge_w, badge.leading, v.fill, 3.0);
            let label_w = self.width(badge, v.label);
            self.text_at(
                MARGIN_X + (badge_w - label_w) / 2.0,
                top,
                badge.colored(v.on_fill),
                v.label,
            );
            let x = MARGIN_X + badge_w + 10.0;
            let bold = text_style(Face::Bold, 10.5, 16.0, INK);
            self.text_at(x, top, bold, e.finding.control.title());
            self.y = top + bold.leading;
            self.paragraph(x, CONTENT_W - badge_w - 10.0, PROSE, &e.finding.summary);
            self.y += 8.0;
        }
        Ok(())
    }

    /// The evidence picture, centred, with a thin frame and its caption under it.
    fn figure(&mut self, aspect: f32, caption: &str) {
        let w = CONTENT_W * 0.75;
        let h = w * aspect;
        self.ensure(h + 2.0 * NOTE.leading);
        let x = MARGIN_X + (CONTENT_W - w) / 2.0;
        let top = self.y;
        self.rect(x - 0.75, top - 0.75, w + 1.5, h + 1.5, style::RULE, 0.0);
        self.current.push(Op::Picture { x, y: top, w, h });
        self.y += h + 4.0;
        let caption_w = self.width(NOTE, caption);
        self.text_at(
            MARGIN_X + (CONTENT_W - caption_w).max(0.0) / 2.0,
            self.y,
            NOTE,
            caption,
        );
        self.y += NOTE.leading + 8.0;
    }

    /// Label / value rows (the device block).
    fn key_values(&mut self, rows: &[(&str, String)]) {
        let value_w = CONTENT_W - LABEL_W;
        for (label, value) in rows {
            let lines = self.wrap(value, BODY, value_w);
            let height = BODY.leading * lines.len().max(1) as f32;
            self.ensure(height);
            let top = self.y;
            self.text_at(MARGIN_X, top, LABEL, *label);
            for (i, line) in lines.into_iter().enumerate() {
                self.text_at(
                    MARGIN_X + LABEL_W,
                    top + BODY.leading * i as f32,
                    BODY,
                    line,
                );
            }
            self.y = top + height;
        }
    }

    /// The facts table: key (monospaced) and value, zebra rows, header repeated on new pages.
    fn facts(&mut self, facts: &BTreeMap<String, String>) {
        if facts.is_empty() {
            self.paragraph(
                MARGIN_X,
                CONTENT_W,
                BODY.colored(MUTED),
                "No facts were extracted.",
            );
            return;
        }
        // Key column as wide as the longest key needs, within limits.
        let longest = facts.keys().map(|k| k.chars().count()).max().unwrap_or(0) as f32;
        let cell = self.fonts.mono_cell_em() * FACT_KEY.size;
        let key_w = (longest * cell + 24.0).clamp(FACT_KEY_MIN_W, FACT_KEY_MAX_W);
        let key_cols = self.columns(FACT_KEY, key_w - 12.0);
        let value_w = CONTENT_W - key_w - 8.0;
        let leading = FACT_VALUE.leading;

        self.fact_header(key_w);
        let mut header_page = self.page_index();
        for (i, (key, value)) in facts.iter().enumerate() {
            let key_rows = layout::hard_wrap(&layout::clean_line(key), key_cols, MAX_FACT_LINES).0;
            let mut value_lines = self.wrap(value, FACT_VALUE, value_w);
            if value_lines.len() > MAX_FACT_LINES {
                value_lines.truncate(MAX_FACT_LINES);
                if let Some(last) = value_lines.last_mut() {
                    last.push_str(" …");
                }
            }
            let h = leading * key_rows.len().max(value_lines.len()).max(1) as f32 + 6.0;
            self.ensure(h);
            if self.page_index() != header_page {
                self.fact_header(key_w);
                header_page = self.page_index();
            }
            let top = self.y;
            if i % 2 == 1 {
                self.rect(MARGIN_X, top, CONTENT_W, h, style::ZEBRA, 0.0);
            }
            for (j, row) in key_rows.into_iter().enumerate() {
                self.text_at(
                    MARGIN_X + 6.0,
                    top + 3.0 + leading * j as f32,
                    FACT_KEY,
                    row,
                );
            }
            for (j, line) in value_lines.into_iter().enumerate() {
                self.text_at(
                    MARGIN_X + key_w,
                    top + 3.0 + leading * j as f32,
                    FACT_VALUE,
                    line,
                );
            }
            self.y = top + h;
        }
        self.rule(self.y);
        self.y += 2.0;
    }

    fn fact_header(&mut self, key_w: f32) {
        let top = self.y;
        self.rect(
            MARGIN_X,
            top,
            CONTENT_W,
            FACT_HEAD_H,
            style::TABLE_HEAD,
            0.0,
        );
        self.text_at(MARGIN_X + 6.0, top, TABLE_HEAD, "Key");
        self.text_at(MARGIN_X + key_w, top, TABLE_HEAD, "Value");
        self.y = top + FACT_HEAD_H;
    }

    /// Wraps an observation's source and output and measures it, before anything is drawn.
    fn prepare(&self, obs: &Observation) -> Prepared {
        let source_cols = self.columns(SOURCE, CONTENT_W);
        let source = layout::clean_line(&obs.source);
        let (source_rows, source_cut) = layout::hard_wrap(&source, source_cols, MAX_SOURCE_ROWS);
        let code_cols = self.columns(CODE, CONTENT_W - 2.0 * CODE_PAD);
        let stderr_cap = MAX_STDERR_ROWS.min(self.max_rows);
        let stderr = layout::output_rows(&obs.stderr, code_cols, stderr_cap);
        let stdout_cap = self.max_rows.saturating_sub(stderr.rows.len());
        let stdout = layout::output_rows(&obs.stdout, code_cols, stdout_cap);

        let mut head_h = OBS_HEADING.leading
            + SOURCE.leading * source_rows.len() as f32
            + 2.0
            + 2.0 * META.leading
            + 4.0;
        if source_cut {
            head_h += NOTE.leading;
        }
        let block_h = |rows: &Rows| {
            STREAM_LABEL.leading
                + 2.0 * CODE_PAD
                + rows.rows.len().max(1) as f32 * CODE.leading
                + 6.0
        };
        let mut whole_h = head_h + block_h(&stdout);
        if !obs.stderr.is_empty() {
            whole_h += block_h(&stderr);
        }
        // Keep a short observation whole; of a long one keep the heading with a few rows.
        let page_h = BOTTOM - TOP - RUNNING_HEADER_H;
        let keep_h = if whole_h <= page_h * 0.6 {
            whole_h
        } else {
            head_h + STREAM_LABEL.leading + 2.0 * CODE_PAD + 3.0 * CODE.leading
        };
        Prepared {
            source_rows,
            source_cut,
            stdout,
            stderr,
            keep_h,
        }
    }

    /// One observation: heading, source, outcome line, hash, then stdout and stderr blocks.
    fn observation(&mut self, number: usize, obs: &Observation, prepared: Prepared) {
        let Prepared {
            source_rows,
            source_cut,
            stdout,
            stderr,
            keep_h,
        } = prepared;
        if self.y > self.content_top() {
            self.y += 8.0;
        }
        self.ensure(keep_h);

        let short_source = self.fit(&obs.source, text_style(Face::Sans, 9.0, 0.0, INK), 300.0);
        self.mark(&format!("{number}. {short_source}"), true);
        let top = self.y;
        let heading = format!("{number}. {}", crate::kind_label(obs.kind));
        let heading_w = self.width(OBS_HEADING, &heading);
        self.text_at(MARGIN_X, top, OBS_HEADING, heading);
        if let Some(user) = &obs.as_user {
            self.text_at(
                MARGIN_X + heading_w + 8.0,
                top,
                OBS_USER,
                format!("as user {user}"),
            );
        }
        self.y += OBS_HEADING.leading;
        for row in source_rows {
            self.mono_row(MARGIN_X, SOURCE, row);
        }
        if source_cut {
            let note = "(shortened here; the full text is in findings.json)";
            self.paragraph(MARGIN_X, CONTENT_W, NOTE, note);
        }

        let mut meta = format!("Outcome: {}", obs.outcome.describe());
        if obs.kind == SourceKind::Command {
            let exit = obs
                .exit_code
                .map_or_else(|| "none".to_string(), |c| c.to_string());
            meta.push_str(&format!("  ·  Exit code: {exit}"));
        }
        meta.push_str(&format!(
            "  ·  Duration: {}",
            crate::duration_words(obs.duration_ms)
        ));
        if obs.truncated {
            meta.push_str("  ·  Output was cut at the size cap when collected");
        }
        self.y += 2.0;
        self.paragraph(MARGIN_X, CONTENT_W, META, &meta);
        self.ensure(META.leading);
        let label = "SHA-256 (stdout + stderr): ";
        let top = self.y;
        self.text_at(MARGIN_X, top, META, label);
        let x = MARGIN_X + self.width(META, label);
        self.text_at(x, top, HASH.colored(INK), crate::output_sha256(obs));
        self.y += META.leading + 4.0;

        let stdout_label = match obs.kind {
            SourceKind::Command => "stdout",
            SourceKind::File => "file content",
            SourceKind::Directory => "directory entries",
            SourceKind::Registry => "registry values",
            SourceKind::Wmi => "WMI objects",
        };
        self.stream(stdout_label, stdout);
        if !obs.stderr.is_empty() {
            self.stream("stderr", stderr);
        }
    }

    /// One row of monospaced text at the current position; a continuation marker at its start
    /// is drawn in the muted colour.
    fn mono_row(&mut self, x: f32, s: TextStyle, row: String) {
        let top = self.y;
        if let Some(rest) = row.strip_prefix(CONTINUATION) {
            let marker_w = self.fonts.mono_cell_em() * s.size * CONTINUATION.chars().count() as f32;
            self.text_at(x, top, s.colored(MUTED), CONTINUATION);
            self.text_at(x + marker_w, top, s, rest);
        } else {
            self.text_at(x, top, s, row);
        }
        self.y += s.leading;
    }

    /// A labelled block of output rows on a grey background, split across pages as needed.
    fn stream(&mut self, label: &str, rows: Rows) {
        let first_rows = rows.rows.len().clamp(1, 3) as f32;
        self.ensure(STREAM_LABEL.leading + 2.0 * CODE_PAD + first_rows * CODE.leading);
        self.text_at(MARGIN_X, self.y, STREAM_LABEL, label);
        self.y += STREAM_LABEL.leading;
        self.start_band(style::CODE_BG, None, CODE_PAD);
        if rows.rows.is_empty() {
            self.text_at(MARGIN_X + CODE_PAD, self.y, NO_OUTPUT, "(no output)");
            self.y += NO_OUTPUT.leading;
        }
        for row in rows.rows {
            self.ensure(CODE.leading + CODE_PAD);
            self.mono_row(MARGIN_X + CODE_PAD, CODE, row);
        }
        self.end_band();
        if rows.omitted_lines > 0 {
            let plural = if rows.omitted_lines == 1 {
                "line"
            } else {
                "lines"
            };
            let note = format!(
                "… {} more {plural} not shown here (the complete output is in findings.json)",
                rows.omitted_lines
            );
            self.y += 2.0;
            self.paragraph(MARGIN_X, CONTENT_W, NOTE, &note);
        }
        self.y += 6.0;
    }
}

/// Lays out and writes the report.
pub(crate) fn render(
    e: &Evidence,
    fonts: &Fonts,
    picture: Option<Picture<'_>>,
    max_rows: usize,
) -> Result<Vec<u8>, RenderError> {
    let mut flow = Flow::new(
        fonts,
        running_title(e),
        style::verdict_style(&e.finding.verdict),
    );
    flow.max_rows = max_rows;
    body(&mut flow, e, picture)?;
    let (pages, marks) = flow.finish();
    let figure = match picture {
        Some(Picture::Screenshot(png)) => Some(Figure::Image(
            krilla::image::Image::from_png(png.to_vec().into(), true)
                .map_err(|e| RenderError::Pdf(format!("cannot embed the picture: {e}")))?,
        )),
        Some(Picture::Card) => Some(Figure::Card(card::shapes(e, fonts)?)),
        None => None,
    };
    emit(
        metadata(e),
        e.agent_version,
        &e.device.hostname,
        fonts,
        &pages,
        marks,
        figure,
    )
}

/// The running header's text for one control.
fn running_title(e: &Evidence) -> String {
    let control = e.finding.control;
    format!(
        "{} · Drata evidence type: {}",
        control.title(),
        control.drata_type()
    )
}

/// The combined report: a cover page with every control's verdict and summary, then each
/// control's full report starting on its own page (without pictures, to stay small).
pub(crate) fn render_report(list: &[Evidence], fonts: &Fonts) -> Result<Vec<u8>, RenderError> {
    let first = list
        .first()
        .ok_or_else(|| RenderError::Pdf("no findings to put in the report".into()))?;
    let worst = list
        .iter()
        .map(|e| &e.finding.verdict)
        .max_by_key(|v| match v {
            Verdict::Pass => 0,
            Verdict::Unknown { .. } => 1,
            Verdict::Fail => 2,
        })
        .unwrap_or(&first.finding.verdict);
    let mut flow = Flow::new(
        fonts,
        format!("Device security report · {}", first.device.hostname),
        style::verdict_style(worst),
    );
    flow.cover(list)?;
    for e in list {
        flow.end_band();
        flow.running_title = running_title(e);
        flow.verdict = style::verdict_style(&e.finding.verdict);
        flow.new_page();
        body(&mut flow, e, None)?;
    }
    let (pages, marks) = flow.finish();
    let t = first.finding.collected_at.to_offset(UtcOffset::UTC);
    let meta = Metadata::new()
        .title(format!(
            "Device security report for {}",
            first.device.hostname
        ))
        .creator(format!("devidence {}", first.agent_version))
        .language("en".to_string());
    let meta = match u16::try_from(t.year()) {
        Ok(year) => meta.creation_date(
            DateTime::new(year)
                .month(u8::from(t.month()))
                .day(t.day())
                .hour(t.hour())
                .minute(t.minute())
                .second(t.second())
                .utc_offset_hour(0)
                .utc_offset_minute(0),
        ),
        Err(_) => meta,
    };
    emit(
        meta,
        first.agent_version,
        &first.device.hostname,
        fonts,
        &pages,
        marks,
        None,
    )
}

/// One control's report body: title, picture, device, summary, remediation, facts and every
/// observation.
fn body(flow: &mut Flow, e: &Evidence, picture: Option<Picture<'_>>) -> Result<(), RenderError> {
    let finding = e.finding;
    let verdict = style::verdict_style(&finding.verdict);
    let collected = crate::collected_at_utc(finding)?;
    flow.title_block(e);
    if let Some(picture) = picture {
        flow.figure(picture.aspect(), picture.caption());
    }
    flow.section("Device", 3.0 * BODY.leading);
    let device = e.device;
    let na = || "not available".to_string();
    flow.key_values(&[
        ("Hostname", device.hostname.clone()),
        ("Serial number", crate::serial_or_na(device).to_string()),
        ("Model", device.model.clone().unwrap_or_else(na)),
        ("Operating system", crate::os_line(device)),
        ("Kernel", device.kernel.clone().unwrap_or_else(na)),
        ("User", device.user.clone().unwrap_or_else(na)),
        ("Agent version", format!("devidence {}", e.agent_version)),
        ("Collected at (UTC)", collected),
        (
            "Collected at (local)",
            crate::collected_at_local(finding, device),
        ),
        ("Probe duration", crate::duration_words(finding.duration_ms)),
    ]);

    flow.section("Summary", 2.0 * PROSE.leading);
    flow.paragraph(MARGIN_X, CONTENT_W, PROSE, &finding.summary);

    if let Some(remediation) = &finding.remediation {
        flow.section("Remediation", 3.0 * PROSE.leading);
        flow.start_band(verdict.tint, Some(verdict.fill), 6.0);
        flow.paragraph(MARGIN_X + 12.0, CONTENT_W - 20.0, PROSE, remediation);
        flow.end_band();
    }

    flow.section(&format!("Facts ({})", finding.facts.len()), 40.0);
    flow.facts(&finding.facts);

    // The heading and intro stay with the start of the first observation.
    let intro = "Every command run and file read for this verdict, in order, with its output as \
                 recorded after secrets were redacted.";
    // Quiet observations (wide scans kept for replay) stay in findings.json only.
    let shown: Vec<&Observation> = finding.observations.iter().filter(|o| !o.quiet).collect();
    let mut next = shown.first().map(|obs| flow.prepare(obs));
    let first_keep = next.as_ref().map_or(BODY.leading, |p| p.keep_h + 8.0);
    let title = format!("Observations ({})", shown.len());
    flow.section(&title, 2.0 * INTRO.leading + first_keep);
    flow.paragraph(MARGIN_X, CONTENT_W, INTRO, intro);
    if shown.is_empty() {
        let none = "No commands were run and no files were read.";
        flow.paragraph(MARGIN_X, CONTENT_W, BODY.colored(MUTED), none);
    }
    for (i, obs) in shown.into_iter().enumerate() {
        let prepared = match next.take() {
            Some(p) => p,
            None => flow.prepare(obs),
        };
        flow.observation(i + 1, obs, prepared);
    }

    Ok(())
}

/// Draws the laid-out pages with krilla and serialises the PDF.
fn emit(
    metadata: Metadata,
    agent_version: &str,
    hostname: &str,
    fonts: &Fonts,
    pages: &[Vec<Op>],
    marks: Vec<Mark>,
    figure: Option<Figure>,
) -> Result<Vec<u8>, RenderError> {
    let mut pdf_fonts = Vec::with_capacity(Face::ALL.len());
    for face in Face::ALL {
        let font = PdfFont::new(face.bytes().into(), 0).ok_or(RenderError::Font {
            name: face.file_name(),
        })?;
        pdf_fonts.push(font);
    }
    let painter = Painter {
        fonts,
        pdf_fonts: &pdf_fonts,
        figure,
    };

    let mut document = Document::new();
    document.set_metadata(metadata);
    let total = pages.len();
    let host = layout::ellipsize(hostname, 200.0, |c| {
        fonts.advance_em(Face::Sans, c) * NOTE.size
    });
    let settings = PageSettings::from_wh(PAGE_W, PAGE_H)
        .ok_or_else(|| RenderError::Pdf("invalid page size".into()))?;
    for (index, ops) in pages.iter().enumerate() {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        for op in ops {
            painter.draw(&mut surface, op);
        }
        // Footer.
        let footer = format!(
            "devidence {} · {host} · page {} of {total}",
            agent_version,
            index + 1
        );
        let footer_w = fonts.width(Face::Sans, NOTE.size, &footer);
        painter.shape(
            &mut surface,
            &Shape::Rect {
                x: MARGIN_X,
                y: PAGE_H - 44.0,
                w: CONTENT_W,
                h: 0.75,
                color: style::RULE,
                radius: 0.0,
            },
        );
        painter.shape(
            &mut surface,
            &Shape::Text {
                x: (PAGE_W - footer_w) / 2.0,
                baseline: PAGE_H - 28.0,
                face: Face::Sans,
                size: NOTE.size,
                color: style::MUTED,
                text: footer,
                mono: false,
            },
        );
        surface.finish();
        page.finish();
    }
    document.set_outline(outline(marks, total));
    document
        .finish()
        .map_err(|err| RenderError::Pdf(err.to_string()))
}

/// Document information: title, creator, language, and the collection time as creation date
/// (so the same finding always gives the same file).
fn metadata(e: &Evidence) -> Metadata {
    let control = e.finding.control;
    let mut metadata = Metadata::new()
        .title(format!(
            "{} evidence for {}",
            control.title(),
            e.device.hostname
        ))
        .description(format!(
            "Drata evidence type {}: {}",
            control.drata_type(),
            e.finding.summary
        ))
        .keywords(vec![
            control.drata_type().to_string(),
            control.slug().to_string(),
        ])
        .creator(format!("devidence {}", e.agent_version))
        .language("en".to_string());
    let t = e.finding.collected_at.to_offset(UtcOffset::UTC);
    if let Ok(year) = u16::try_from(t.year()) {
        metadata = metadata.creation_date(
            DateTime::new(year)
                .month(u8::from(t.month()))
                .day(t.day())
                .hour(t.hour())
                .minute(t.minute())
                .second(t.second())
                .utc_offset_hour(0)
                .utc_offset_minute(0),
        );
    }
    metadata
}

/// Bookmarks: top-level sections, observations nested under the section before them.
fn outline(marks: Vec<Mark>, pages: usize) -> Outline {
    let mut outline = Outline::new();
    let mut parent: Option<OutlineNode> = None;
    for mark in marks.into_iter().filter(|m| m.page < pages) {
        let node = OutlineNode::new(
            mark.title,
            XyzDestination::new(mark.page, Point::from_xy(0.0, mark.y)),
        );
        if mark.child {
            match parent.as_mut() {
                Some(p) => p.push_child(node),
                None => outline.push_child(node),
            }
        } else {
            if let Some(p) = parent.take() {
                outline.push_child(p);
            }
            parent = Some(node);
        }
    }
    if let Some(p) = parent {
        outline.push_child(p);
    }
    outline
}

/// Draws [`Op`]s on a krilla surface.
struct Painter<'a> {
    fonts: &'a Fonts,
    /// krilla fonts, indexed by [`Face::index`].
    pdf_fonts: &'a [PdfFont],
    /// The evidence picture, when the report carries one.
    figure: Option<Figure>,
}

impl Painter<'_> {
    fn draw(&self, surface: &mut Surface<'_>, op: &Op) {
        match op {
            Op::Shape(shape) => self.shape(surface, shape),
            Op::Picture { x, y, w, h } => match &self.figure {
                Some(Figure::Image(image)) => {
                    if let Some(size) = krilla::geom::Size::from_wh(*w, *h) {
                        surface.push_transform(&Transform::from_translate(*x, *y));
                        surface.draw_image(image.clone(), size);
                        surface.pop();
                    }
                }
                Some(Figure::Card(shapes)) => {
                    // Card pixels scaled into the box (the figure has the card's aspect), on
                    // the card's white background.
                    let scale = w / CARD_WIDTH as f32;
                    surface.push_transform(&Transform::from_row(scale, 0.0, 0.0, scale, *x, *y));
                    self.shape(
                        surface,
                        &Shape::Rect {
                            x: 0.0,
                            y: 0.0,
                            w: CARD_WIDTH as f32,
                            h: CARD_HEIGHT as f32,
                            color: style::WHITE,
                            radius: 0.0,
                        },
                    );
                    for shape in shapes {
                        self.shape(surface, shape);
                    }
                    surface.pop();
                }
                None => {}
            },
        }
    }

    fn shape(&self, surface: &mut Surface<'_>, shape: &Shape) {
        match shape {
            Shape::Rect {
                x,
                y,
                w,
                h,
                color,
                radius,
            } => {
                if let Some(path) = rect_path(*x, *y, *w, *h, *radius) {
                    surface.set_fill(Some(fill(*color)));
                    surface.draw_path(&path);
                }
            }
            Shape::Text {
                x,
                baseline,
                face,
                size,
                color,
                text,
                mono,
            } => {
                surface.set_fill(Some(fill(*color)));
                self.text(surface, *x, *baseline, *face, *size, text, *mono);
            }
        }
    }

    /// Draws `text` glyph by glyph, in runs of the face that has each glyph. The text given to
    /// krilla with each run becomes the ToUnicode mapping, so the PDF's text stays extractable.
    #[allow(clippy::too_many_arguments)]
    fn text(
        &self,
        surface: &mut Surface<'_>,
        x: f32,
        baseline: f32,
        face: Face,
        size: f32,
        text: &str,
        mono: bool,
    ) {
        let cell = self.fonts.mono_cell_em();
        let mut glyphs: Vec<KrillaGlyph> = Vec::new();
        let mut run_face = face;
        let mut run_start = 0usize;
        let mut run_x = x;
        let mut cursor = x;
        for (i, ch) in text.char_indices() {
            let resolved = self.fonts.resolve(face, ch);
            if glyphs.is_empty() || resolved.face != run_face {
                self.flush(
                    surface,
                    run_x,
                    baseline,
                    run_face,
                    size,
                    &text[run_start..i],
                    &mut glyphs,
                );
                run_face = resolved.face;
                run_start = i;
                run_x = cursor;
            }
            let width = cell * crate::fonts::cells(ch) as f32;
            let advance = if mono { width } else { resolved.advance_em };
            // A glyph borrowed from a proportional face is centred in its Mono cell(s).
            let offset = if mono && resolved.face != Face::Mono {
                (width - resolved.advance_em) / 2.0
            } else {
                0.0
            };
            let range = (i - run_start)..(i - run_start + ch.len_utf8());
            glyphs.push(KrillaGlyph::new(
                GlyphId::new(u32::from(resolved.id)),
                advance,
                offset,
                0.0,
                0.0,
                range,
                None,
            ));
            cursor += advance * size;
        }
        self.flush(
            surface,
            run_x,
            baseline,
            run_face,
            size,
            &text[run_start..],
            &mut glyphs,
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn flush(
        &self,
        surface: &mut Surface<'_>,
        x: f32,
        baseline: f32,
        face: Face,
        size: f32,
        text: &str,
        glyphs: &mut Vec<KrillaGlyph>,
    ) {
        if glyphs.is_empty() {
            return;
        }
        if let Some(font) = self.pdf_fonts.get(face.index()) {
            surface.draw_glyphs(
                Point::from_xy(x, baseline),
                glyphs,
                font.clone(),
                text,
                size,
                false,
            );
        }
        glyphs.clear();
    }
}

fn fill(color: Rgb) -> Fill {
    Fill {
        paint: rgb::Color::new(color[0], color[1], color[2]).into(),
        opacity: NormalizedF32::ONE,
        rule: FillRule::NonZero,
    }
}

/// A rectangle path, with rounded corners when `radius > 0`.
fn rect_path(x: f32, y: f32, w: f32, h: f32, radius: f32) -> Option<Path> {
    let mut pb = PathBuilder::new();
    let r = radius.min(w / 2.0).min(h / 2.0);
    if r <= 0.0 {
        pb.push_rect(Rect::from_xywh(x, y, w, h)?);
    } else {
        // Cubic Bézier approximation of a quarter circle.
        let k = 0.552_284_8 * r;
        pb.move_to(x + r, y);
        pb.line_to(x + w - r, y);
        pb.cubic_to(x + w - r + k, y, x + w, y + r - k, x + w, y + r);
        pb.line_to(x + w, y + h - r);
        pb.cubic_to(x + w, y + h - r + k, x + w - r + k, y + h, x + w - r, y + h);
        pb.line_to(x + r, y + h);
        pb.cubic_to(x + r - k, y + h, x, y + h - r + k, x, y + h - r);
        pb.line_to(x, y + r);
        pb.cubic_to(x, y + r - k, x + r - k, y, x + r, y);
        pb.close();
    }
    pb.finish()
}
