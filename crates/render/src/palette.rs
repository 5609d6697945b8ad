//! An indexed-colour canvas for the summary card: one byte per pixel and a palette of at most
//! 256 colours, encoded as an indexed PNG.
//!
//! The card is flat colours and anti-aliased text, so its pixels take few distinct values: each
//! pair of text and background colour blended at one of [`COVERAGE_LEVELS`] coverage steps.
//! Stored as what it is, the card is a third of the memory of an RGB image while it is painted
//! (0.96 MB instead of 2.9 MB) and a fraction of the file size (BENCHMARKS.md, rendering).

use crate::RenderError;
use crate::style::{Rgb, mix};
use std::collections::HashMap;

/// Steps of coverage an edge pixel is blended with (plus "none"). Sixteen steps are what
/// grey-level font rasterisers have long used: each step is at most 1/32 of the contrast
/// between two colours (under 8 of 255 for black on white), too small to see, and it keeps
/// every pair of colours to 16 blends, so the card stays within one 256-colour palette.
pub(crate) const COVERAGE_LEVELS: u8 = 16;

/// The most colours an indexed PNG can hold.
const MAX_COLORS: usize = 256;

/// One byte per pixel, indexing [`IndexedImage::palette`].
pub(crate) struct IndexedImage {
    width: u32,
    height: u32,
    pixels: Vec<u8>,
    palette: Vec<Rgb>,
    lookup: HashMap<Rgb, u8>,
    /// Blends already worked out for [`IndexedImage::blend_color`]: the palette index of
    /// (pixel's index, coverage step) mixed with that colour, [`UNKNOWN`] where not yet seen.
    /// A shape paints in one colour, so nearly every blend is a lookup here, not a hash.
    blends: Vec<u16>,
    blend_color: Option<Rgb>,
}

/// An entry of [`IndexedImage::blends`] not worked out yet.
const UNKNOWN: u16 = u16::MAX;

/// Entries per palette index in [`IndexedImage::blends`]: coverage steps 0 to 16.
const STEPS: usize = COVERAGE_LEVELS as usize + 1;

impl IndexedImage {
    /// A `width` × `height` canvas filled with `background`.
    pub(crate) fn new(width: u32, height: u32, background: Rgb) -> IndexedImage {
        let len = usize::try_from(u64::from(width) * u64::from(height)).unwrap_or(0);
        IndexedImage {
            width,
            height,
            pixels: vec![0; len],
            palette: vec![background],
            lookup: HashMap::from([(background, 0)]),
            blends: vec![UNKNOWN; MAX_COLORS * STEPS],
            blend_color: None,
        }
    }

    /// Mixes `color` into the pixel at (`x`, `y`) with coverage `alpha` (0–1), rounded to one
    /// of the [`COVERAGE_LEVELS`] steps; pixels outside the canvas are ignored.
    pub(crate) fn blend(&mut self, x: u32, y: u32, color: Rgb, alpha: f32) {
        if x >= self.width || y >= self.height {
            return;
        }
        let level = (alpha.clamp(0.0, 1.0) * f32::from(COVERAGE_LEVELS)).round();
        if level <= 0.0 {
            return;
        }
        if self.blend_color != Some(color) {
            self.blends.fill(UNKNOWN);
            self.blend_color = Some(color);
        }
        let at = y as usize * self.width as usize + x as usize;
        let current = self.pixels[at];
        let slot = usize::from(current) * STEPS + level as usize;
        let index = match u8::try_from(self.blends[slot]) {
            Ok(known) => known,
            Err(_) => {
                let base = self.palette[usize::from(current)];
                let index = self.index_of(mix(base, color, level / f32::from(COVERAGE_LEVELS)));
                self.blends[slot] = u16::from(index);
                index
            }
        };
        self.pixels[at] = index;
    }

    /// The palette index for `color`: its own entry, a new one while the palette has room, or
    /// else the nearest colour already in it (only blends of blends, where two glyphs' edges
    /// overlap, can get there).
    fn index_of(&mut self, color: Rgb) -> u8 {
        if let Some(index) = self.lookup.get(&color) {
            return *index;
        }
        let index = if self.palette.len() < MAX_COLORS {
            self.palette.push(color);
            u8::try_from(self.palette.len() - 1).unwrap_or(u8::MAX)
        } else {
            nearest(&self.palette, color)
        };
        self.lookup.insert(color, index);
        index
    }

    /// The number of colours in the palette.
    #[cfg(test)]
    fn colors(&self) -> usize {
        self.palette.len()
    }

    /// The colour of the pixel at (`x`, `y`).
    #[cfg(test)]
    fn pixel(&self, x: u32, y: u32) -> Rgb {
        self.palette[usize::from(self.pixels[y as usize * self.width as usize + x as usize])]
    }

    /// Encodes the canvas as an 8-bit indexed PNG at zlib level 6: for a card of flat colours
    /// and text 5–8× smaller than the RGB file. Level 9 saves another 1–6 % for three times
    /// the encoding time (BENCHMARKS.md, rendering).
    pub(crate) fn encode(&self) -> Result<Vec<u8>, RenderError> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, self.width, self.height);
        encoder.set_color(png::ColorType::Indexed);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_palette(self.palette.concat());
        encoder.set_deflate_compression(png::DeflateCompression::Level(6));
        // Rows of palette indices do not predict each other the way photographs' do: no
        // filter compresses them best (measured: Up and Adaptive are 5–15 % larger).
        encoder.set_filter(png::Filter::NoFilter);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(&self.pixels)?;
        writer.finish()?;
        Ok(out)
    }
}

/// The index of the palette entry closest to `color` (squared distance in sRGB).
fn nearest(palette: &[Rgb], color: Rgb) -> u8 {
    let distance = |entry: &Rgb| -> u32 {
        entry
            .iter()
            .zip(color)
            .map(|(a, b)| u32::from(a.abs_diff(b)).pow(2))
            .sum()
    };
    let best = palette
        .iter()
        .enumerate()
        .min_by_key(|(_, entry)| distance(entry))
        .map_or(0, |(index, _)| index);
    u8::try_from(best).unwrap_or(u8::MAX)
}

impl From<png::EncodingError> for RenderError {
    fn from(error: png::EncodingError) -> RenderError {
        RenderError::Png(image::ImageError::Encoding(
            image::error::EncodingError::new(image::ImageFormat::Png.into(), error),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WHITE: Rgb = [255, 255, 255];
    const INK: Rgb = [28, 30, 33];

    #[test]
    fn full_coverage_paints_the_colour_and_none_leaves_the_pixel() {
        let mut image = IndexedImage::new(4, 2, WHITE);
        image.blend(1, 1, INK, 1.0);
        image.blend(2, 1, INK, 0.01);
        image.blend(9, 9, INK, 1.0);
        assert_eq!(image.pixel(1, 1), INK);
        assert_eq!(image.pixel(2, 1), WHITE);
        assert_eq!(image.colors(), 2);
    }

    #[test]
    fn partial_coverage_is_within_half_a_step_of_the_exact_blend() {
        let mut image = IndexedImage::new(256, 1, WHITE);
        for x in 0..256u32 {
            let alpha = x as f32 / 255.0;
            image.blend(x, 0, INK, alpha);
            let exact = mix(WHITE, INK, alpha);
            let got = image.pixel(x, 0);
            for (a, b) in exact.iter().zip(got) {
                // Half a step of the 227-level contrast, plus rounding.
                assert!(a.abs_diff(b) <= 8, "alpha {alpha}: {exact:?} vs {got:?}");
            }
        }
        assert_eq!(image.colors(), usize::from(COVERAGE_LEVELS) + 1);
    }

    #[test]
    fn a_full_palette_falls_back_to_the_nearest_colour() {
        let mut image = IndexedImage::new(300, 1, [0, 0, 0]);
        // 300 distinct colours: reds 0-199, then reds 0-99 with green 100.
        for x in 0..300u32 {
            let red = u8::try_from(x % 200).unwrap();
            let green = if x < 200 { 0 } else { 100 };
            image.blend(x, 0, [red, green, 0], 1.0);
        }
        assert_eq!(image.colors(), MAX_COLORS);
        // The palette filled up at [55, 100, 0]; [99, 100, 0] gets the nearest entry.
        assert_eq!(image.pixel(255, 0), [55, 100, 0]);
        assert_eq!(image.pixel(299, 0), [55, 100, 0]);
    }

    #[test]
    fn encodes_an_indexed_png_that_decodes_to_the_same_pixels() {
        let mut image = IndexedImage::new(40, 30, WHITE);
        for x in 0..40 {
            image.blend(x, 10, INK, x as f32 / 40.0);
        }
        let png = image.encode().expect("encodes");
        let decoder = png::Decoder::new(std::io::Cursor::new(&png));
        let reader = decoder.read_info().expect("a PNG header");
        assert_eq!(reader.info().color_type, png::ColorType::Indexed);
        let decoded = image::load_from_memory(&png).expect("decodes").to_rgb8();
        for x in 0..40 {
            assert_eq!(decoded.get_pixel(x, 10).0, image.pixel(x, 10));
            assert_eq!(decoded.get_pixel(x, 0).0, WHITE);
        }
    }
}
