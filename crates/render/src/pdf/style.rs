//! The report's look: page geometry, the limits that keep a page readable, and the table of
//! text styles (face, size, line height, colour) every part of the report draws with.

use crate::fonts::Face;
use crate::style::{INK, MUTED, Rgb};

/// A4 width in points.
pub(super) const PAGE_W: f32 = 595.276;
/// A4 height in points.
pub(super) const PAGE_H: f32 = 841.89;
/// Left and right margin.
pub(super) const MARGIN_X: f32 = 48.0;
/// Where content starts on a page.
pub(super) const TOP: f32 = 46.0;
/// Content never goes below this line (the footer lives underneath).
pub(super) const BOTTOM: f32 = PAGE_H - 60.0;
/// Width available to content.
pub(super) const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN_X;
/// Height of the running header on pages 2+.
pub(super) const RUNNING_HEADER_H: f32 = 24.0;

/// Padding inside output blocks.
pub(super) const CODE_PAD: f32 = 5.0;
/// Label column of the device block.
pub(super) const LABEL_W: f32 = 112.0;
/// Narrowest and widest key column of the facts table.
pub(super) const FACT_KEY_MIN_W: f32 = 120.0;
pub(super) const FACT_KEY_MAX_W: f32 = 220.0;
/// Height of the facts table's header row.
pub(super) const FACT_HEAD_H: f32 = 16.0;
/// Stderr gets at most this many of an observation's rows, so a huge stdout cannot hide it.
pub(super) const MAX_STDERR_ROWS: usize = 200;
/// A fact value longer than this many wrapped lines is cut with `…`.
pub(super) const MAX_FACT_LINES: usize = 24;
/// A command line longer than this many wrapped rows is cut (the full one is in the JSON).
pub(super) const MAX_SOURCE_ROWS: usize = 12;

/// How a line of text looks: face, size, line height (all in points) and colour.
#[derive(Clone, Copy, Debug)]
pub(super) struct TextStyle {
    pub(super) face: Face,
    pub(super) size: f32,
    pub(super) leading: f32,
    pub(super) color: Rgb,
}

pub(super) const fn text_style(face: Face, size: f32, leading: f32, color: Rgb) -> TextStyle {
    TextStyle {
        face,
        size,
        leading,
        color,
    }
}

impl TextStyle {
    /// The same style in another colour.
    pub(super) const fn colored(self, color: Rgb) -> TextStyle {
        TextStyle { color, ..self }
    }
}

pub(super) const BRAND: TextStyle = text_style(Face::Sans, 8.5, 16.0, MUTED);
pub(super) const TITLE: TextStyle = text_style(Face::Bold, 22.0, 28.0, INK);
pub(super) const SUBTITLE: TextStyle = text_style(Face::Sans, 10.0, 14.0, MUTED);
pub(super) const SECTION: TextStyle = text_style(Face::Bold, 12.0, 18.0, INK);
pub(super) const PROSE: TextStyle = text_style(Face::Sans, 10.0, 14.0, INK);
pub(super) const BODY: TextStyle = text_style(Face::Sans, 9.5, 13.5, INK);
pub(super) const LABEL: TextStyle = text_style(Face::Sans, 8.8, 13.5, MUTED);
pub(super) const NOTE: TextStyle = text_style(Face::Sans, 8.0, 11.0, MUTED);
pub(super) const INTRO: TextStyle = text_style(Face::Sans, 8.8, 12.5, MUTED);
pub(super) const RUNNING: TextStyle = text_style(Face::Sans, 8.0, 11.0, MUTED);
pub(super) const TABLE_HEAD: TextStyle = text_style(Face::Bold, 8.5, FACT_HEAD_H, INK);
pub(super) const FACT_KEY: TextStyle = text_style(Face::Mono, 7.8, 12.0, INK);
pub(super) const FACT_VALUE: TextStyle = text_style(Face::Sans, 9.0, 12.0, INK);
pub(super) const OBS_HEADING: TextStyle = text_style(Face::Bold, 10.5, 16.0, INK);
pub(super) const OBS_USER: TextStyle = text_style(Face::Sans, 9.0, 16.0, MUTED);
pub(super) const SOURCE: TextStyle = text_style(Face::Mono, 8.6, 11.0, INK);
pub(super) const META: TextStyle = text_style(Face::Sans, 8.5, 11.0, MUTED);
pub(super) const HASH: TextStyle = text_style(Face::Mono, 7.8, 11.0, INK);
pub(super) const STREAM_LABEL: TextStyle = text_style(Face::Bold, 7.5, 11.0, MUTED);
pub(super) const CODE: TextStyle = text_style(Face::Mono, 7.8, 9.6, INK);
pub(super) const NO_OUTPUT: TextStyle = text_style(Face::Sans, 7.8, 9.6, MUTED);
