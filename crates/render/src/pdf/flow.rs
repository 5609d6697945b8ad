//! The page-flow engine: lays the report out top to bottom into one list of drawing operations
//! per page, starting a new page (with its running header) whenever the next piece does not
//! fit, and carrying backgrounds and bookmarks across page breaks.

use super::style::{
    BOTTOM, CONTENT_W, MARGIN_X, RUNNING, RUNNING_HEADER_H, SECTION, TOP, TextStyle,
};
use crate::MAX_OUTPUT_ROWS;
use crate::draw::Shape;
use crate::fonts::{Face, Fonts};
use crate::layout;
use crate::style::{self, Rgb, VerdictStyle};

/// One drawing operation, in points from the page's top-left corner.
pub(super) enum Op {
    /// Text or a rectangle.
    Shape(Shape),
    /// The evidence picture (screenshot or summary card), top-left at (x, y).
    Picture { x: f32, y: f32, w: f32, h: f32 },
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

/// A bookmark in the PDF outline.
pub(super) struct Mark {
    pub(super) title: String,
    pub(super) page: usize,
    pub(super) y: f32,
    pub(super) child: bool,
}

/// Lays the report out into pages of drawing operations.
pub(super) struct Flow<'a> {
    pub(super) fonts: &'a Fonts,
    done: Vec<Vec<Op>>,
    pub(super) current: Vec<Op>,
    pub(super) y: f32,
    band: Option<Band>,
    marks: Vec<Mark>,
    pub(super) running_title: String,
    pub(super) verdict: VerdictStyle,
    /// Most output rows shown per observation.
    pub(super) max_rows: usize,
}

impl<'a> Flow<'a> {
    pub(super) fn new(fonts: &'a Fonts, running_title: String, verdict: VerdictStyle) -> Flow<'a> {
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
    pub(super) fn page_index(&self) -> usize {
        self.done.len()
    }

    /// All pages, in order, and the bookmarks.
    pub(super) fn finish(mut self) -> (Vec<Vec<Op>>, Vec<Mark>) {
        self.end_band();
        self.done.push(self.current);
        (self.done, self.marks)
    }

    /// Where content starts on the current page (below the running header on pages 2+).
    pub(super) fn content_top(&self) -> f32 {
        if self.done.is_empty() {
            TOP
        } else {
            TOP + RUNNING_HEADER_H
        }
    }

    /// Starts a new page unless `height` still fits on this one (or this page is still empty,
    /// so something taller than a page cannot cause endless page breaks).
    pub(super) fn ensure(&mut self, height: f32) {
        if self.y + height > BOTTOM && self.y > self.content_top() {
            self.new_page();
        }
    }

    pub(super) fn new_page(&mut self) {
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

    /// Pages 2+: control and evidence type on the left, the verdict on the right, above a rule.
    pub(super) fn running_header(&mut self) {
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
    pub(super) fn start_band(&mut self, color: Rgb, accent: Option<Rgb>, pad: f32) {
        self.band = Some(Band {
            op_index: self.current.len(),
            top: self.y,
            color,
            accent,
            pad,
        });
        self.y += pad;
    }

    pub(super) fn end_band(&mut self) {
        if let Some(band) = self.band.as_ref() {
            self.y += band.pad;
        }
        self.close_band_segment();
        self.band = None;
    }

    /// Puts the band's background under everything drawn on this page since it started.
    pub(super) fn close_band_segment(&mut self) {
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
    pub(super) fn text_at(&mut self, x: f32, top: f32, s: TextStyle, text: impl Into<String>) {
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

    pub(super) fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, color: Rgb, radius: f32) {
        self.current.push(Op::Shape(Shape::Rect {
            x,
            y,
            w,
            h,
            color,
            radius,
        }));
    }

    pub(super) fn rule(&mut self, y: f32) {
        self.rect(MARGIN_X, y, CONTENT_W, 0.75, style::RULE, 0.0);
    }

    pub(super) fn width(&self, s: TextStyle, text: &str) -> f32 {
        self.fonts.width(s.face, s.size, text)
    }

    /// Word-wrapped lines of `text` for `width`.
    pub(super) fn wrap(&self, text: &str, s: TextStyle, width: f32) -> Vec<String> {
        layout::wrap_words(text, width, |c| self.fonts.advance_em(s.face, c) * s.size)
    }

    /// `text` on one line, shortened with `…` to fit `width`.
    pub(super) fn fit(&self, text: &str, s: TextStyle, width: f32) -> String {
        layout::ellipsize(text, width, |c| self.fonts.advance_em(s.face, c) * s.size)
    }

    /// Columns of Mono text in style `s` that fit in `width`.
    pub(super) fn columns(&self, s: TextStyle, width: f32) -> usize {
        let cell = self.fonts.mono_cell_em() * s.size;
        if cell > 0.0 {
            (width / cell).floor().max(1.0) as usize
        } else {
            80
        }
    }

    /// A wrapped paragraph; breaks pages between lines.
    pub(super) fn paragraph(&mut self, x: f32, width: f32, s: TextStyle, text: &str) {
        for line in self.wrap(text, s, width) {
            self.ensure(s.leading);
            let top = self.y;
            self.text_at(x, top, s, line);
            self.y += s.leading;
        }
    }

    /// A section heading with a rule under it, kept together with `keep` points of what follows.
    pub(super) fn section(&mut self, title: &str, keep: f32) {
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
    pub(super) fn mark(&mut self, title: &str, child: bool) {
        self.marks.push(Mark {
            title: title.to_string(),
            page: self.page_index(),
            y: self.y,
            child,
        });
    }
}
