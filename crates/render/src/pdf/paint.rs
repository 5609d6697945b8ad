//! The painter: draws the laid-out operations on a krilla page surface — rectangles, text as
//! glyph runs in whichever bundled face has each glyph, and the evidence picture.

use super::flow::Op;
use crate::draw::Shape;
use crate::fonts::{Face, Fonts};
use crate::style::{self, Rgb};
use crate::{CARD_HEIGHT, CARD_WIDTH};
use krilla::color::rgb;
use krilla::geom::{Path, PathBuilder, Point, Rect, Transform};
use krilla::num::NormalizedF32;
use krilla::paint::{Fill, FillRule};
use krilla::surface::Surface;
use krilla::text::{Font as PdfFont, GlyphId, KrillaGlyph};
use std::cell::OnceCell;

/// The evidence picture as the PDF draws it.
pub(super) enum Figure {
    /// A screenshot, embedded as an image.
    Image(krilla::image::Image),
    /// The summary card's shapes (in card pixels), drawn as vector graphics and real text.
    Card(Vec<Shape>),
}

/// Draws [`Op`]s on a krilla surface.
pub(super) struct Painter<'a> {
    pub(super) fonts: &'a Fonts,
    /// krilla fonts for the faces.
    pub(super) pdf_fonts: &'a PdfFonts,
    /// The evidence picture, when the report carries one.
    pub(super) figure: Option<Figure>,
}

/// The krilla font of each face, made on first use: the Japanese face is read only for a
/// report that shows Japanese text.
#[derive(Default)]
pub(super) struct PdfFonts {
    fonts: [OnceCell<Option<PdfFont>>; 4],
}

impl PdfFonts {
    /// The face's krilla font, or `None` if krilla cannot read it (a broken build).
    pub(super) fn get(&self, face: Face) -> Option<&PdfFont> {
        self.fonts[face.index()]
            .get_or_init(|| PdfFont::new(face.bytes().into(), 0))
            .as_ref()
    }
}

impl Painter<'_> {
    pub(super) fn draw(&self, surface: &mut Surface<'_>, op: &Op) {
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

    pub(super) fn shape(&self, surface: &mut Surface<'_>, shape: &Shape) {
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
        if let Some(font) = self.pdf_fonts.get(face) {
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
