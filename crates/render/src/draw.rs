//! The drawing vocabulary both renderers share: the card is laid out once as a list of
//! [`Shape`]s, which the PNG rasteriser paints into pixels and the PDF draws as vector
//! graphics and real text.

use crate::fonts::Face;
use crate::style::Rgb;

/// One shape, in the coordinates of whatever it is drawn on (pixels for the card, points for
/// the PDF page), with y growing downwards.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Shape {
    /// One line of text starting at `x` on its `baseline`.
    Text {
        x: f32,
        baseline: f32,
        face: Face,
        size: f32,
        color: Rgb,
        text: String,
        /// Every character takes one Mono cell (keeps columns aligned even for borrowed
        /// glyphs).
        mono: bool,
    },
    /// A filled rectangle, with rounded corners when `radius > 0`.
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        color: Rgb,
        radius: f32,
    },
}
