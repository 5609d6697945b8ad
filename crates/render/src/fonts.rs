//! The bundled DejaVu fonts, and the one place that decides which glyph draws a character.
//!
//! Both renderers place glyphs themselves from these metrics (no shaping engine), so what the
//! layout measured is exactly what gets drawn. A character missing from the wanted face is taken
//! from another bundled face (DejaVu Sans covers more symbols than the Mono face); a character
//! missing from all three is drawn as the font's `.notdef` box.

use crate::RenderError;
use ab_glyph::{Font as _, FontRef, GlyphId};
use std::sync::OnceLock;

/// A bundled font file, stored as it is in the binary's read-only data. Used in place, it
/// costs no heap: a run maps in only the pages of the tables and glyphs it reads, clean pages
/// the system can drop at any time (BENCHMARKS.md, memory). Deflated, the fonts were 1.1 MB
/// smaller on disk but 1.8 MB of heap in every process that rendered.
struct Bundled {
    /// The file's name under `fonts/`, for error messages.
    name: &'static str,
    bytes: &'static [u8],
}

/// The [`Bundled`] font `fonts/<name>`.
macro_rules! bundled {
    ($name:literal) => {
        Bundled {
            name: $name,
            bytes: include_bytes!(concat!("../fonts/", $name)),
        }
    };
}

/// DejaVu Sans, for prose.
static SANS: Bundled = bundled!("DejaVuSans.ttf");
/// DejaVu Sans Bold, for headings and labels.
static SANS_BOLD: Bundled = bundled!("DejaVuSans-Bold.ttf");
/// DejaVu Sans Mono, for command lines and output.
static MONO: Bundled = bundled!("DejaVuSansMono.ttf");
/// A Japanese subset of Droid Sans Fallback (kana, CJK punctuation, full-width forms, JIS X 0208
/// level-1 kanji), for characters no DejaVu face has; see `fonts/LICENSE-DroidSansFallback.txt`.
static CJK: Bundled = bundled!("DroidSansFallback-JIS1.ttf");

/// One of the bundled faces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Face {
    /// DejaVu Sans.
    Sans,
    /// DejaVu Sans Bold.
    Bold,
    /// DejaVu Sans Mono.
    Mono,
    /// The Japanese fallback, for characters the DejaVu faces lack.
    Cjk,
}

impl Face {
    /// Position in per-face tables (Sans, Bold, Mono, Cjk).
    pub(crate) fn index(self) -> usize {
        match self {
            Face::Sans => 0,
            Face::Bold => 1,
            Face::Mono => 2,
            Face::Cjk => 3,
        }
    }

    /// Its bundled font file.
    fn bundled(self) -> &'static Bundled {
        match self {
            Face::Sans => &SANS,
            Face::Bold => &SANS_BOLD,
            Face::Mono => &MONO,
            Face::Cjk => &CJK,
        }
    }

    /// The font file.
    pub(crate) fn bytes(self) -> &'static [u8] {
        self.bundled().bytes
    }

    /// The font's file name, for error messages.
    pub(crate) fn file_name(self) -> &'static str {
        self.bundled().name
    }

    /// This face first, then the faces to borrow a missing glyph from.
    fn search_order(self) -> [Face; 4] {
        match self {
            Face::Sans => [Face::Sans, Face::Bold, Face::Mono, Face::Cjk],
            Face::Bold => [Face::Bold, Face::Sans, Face::Mono, Face::Cjk],
            Face::Mono => [Face::Mono, Face::Sans, Face::Bold, Face::Cjk],
            Face::Cjk => [Face::Cjk, Face::Sans, Face::Bold, Face::Mono],
        }
    }
}

/// A character resolved to a glyph of one face.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Resolved {
    /// The face that has the glyph (the wanted one unless it lacks the character).
    pub face: Face,
    /// Glyph id in that face (0 = `.notdef` when no face has the character).
    pub id: u16,
    /// Advance width in em.
    pub advance_em: f32,
}

/// The bundled faces, parsed. The three DejaVu faces are parsed at load; the Japanese face
/// only when a character no DejaVu face has is looked up, which most evidence never does, so
/// its 0.55 MB are never read.
pub(crate) struct Fonts {
    dejavu: [(FontRef<'static>, f32); 3],
    cjk: OnceLock<Option<(FontRef<'static>, f32)>>,
}

/// Parses a bundled face: the font and its units per em.
fn parse(face: Face) -> Result<(FontRef<'static>, f32), RenderError> {
    let broken = || RenderError::Font {
        name: face.file_name(),
    };
    let font = FontRef::try_from_slice(face.bytes()).map_err(|_| broken())?;
    let upem = font.units_per_em().ok_or_else(broken)?;
    Ok((font, upem))
}

impl Fonts {
    /// Parses the DejaVu faces (cheap: tables are read lazily).
    pub(crate) fn load() -> Result<Fonts, RenderError> {
        Ok(Fonts {
            dejavu: [parse(Face::Sans)?, parse(Face::Bold)?, parse(Face::Mono)?],
            cjk: OnceLock::new(),
        })
    }

    /// The parsed face, or `None` for a Japanese face that cannot be read (a broken build:
    /// its characters then fall back to `.notdef` like any other missing one).
    fn parsed(&self, face: Face) -> Option<&(FontRef<'static>, f32)> {
        match face {
            Face::Cjk => self.cjk.get_or_init(|| parse(Face::Cjk).ok()).as_ref(),
            _ => self.dejavu.get(face.index()),
        }
    }

    /// The parsed font of a face (DejaVu Sans in place of an unreadable Japanese face, which
    /// [`Fonts::resolve`] never returns).
    pub(crate) fn font(&self, face: Face) -> &FontRef<'static> {
        self.parsed(face)
            .map_or(&self.dejavu[0].0, |(font, _)| font)
    }

    /// Units per em of a face.
    pub(crate) fn units_per_em(&self, face: Face) -> f32 {
        self.parsed(face)
            .map_or(self.dejavu[0].1, |(_, upem)| *upem)
    }

    /// The glyph that draws `ch` when `face` is wanted, borrowing from another bundled face if
    /// `face` lacks it.
    pub(crate) fn resolve(&self, face: Face, ch: char) -> Resolved {
        for candidate in face.search_order() {
            let Some((font, _)) = self.parsed(candidate) else {
                continue;
            };
            let id = font.glyph_id(ch);
            if id.0 != 0 {
                return self.resolved(candidate, id);
            }
        }
        self.resolved(face, GlyphId(0))
    }

    fn resolved(&self, face: Face, id: GlyphId) -> Resolved {
        let advance = self.font(face).h_advance_unscaled(id) / self.units_per_em(face);
        Resolved {
            face,
            id: id.0,
            advance_em: advance,
        }
    }

    /// Advance of `ch` in em.
    pub(crate) fn advance_em(&self, face: Face, ch: char) -> f32 {
        self.resolve(face, ch).advance_em
    }

    /// Width of `text` at `size` (any unit: points for the PDF, pixels for the PNG).
    pub(crate) fn width(&self, face: Face, size: f32, text: &str) -> f32 {
        text.chars().map(|c| self.advance_em(face, c)).sum::<f32>() * size
    }

    /// Width of one Mono cell in em (every character of monospaced text takes one cell, wide
    /// East Asian characters two: see [`cells`]).
    pub(crate) fn mono_cell_em(&self) -> f32 {
        self.resolve(Face::Mono, '0').advance_em
    }

    /// Ascent (above the baseline, positive) and descent (below, positive) in em.
    pub(crate) fn ascent_descent_em(&self, face: Face) -> (f32, f32) {
        let font = self.font(face);
        let upem = self.units_per_em(face);
        (
            font.ascent_unscaled() / upem,
            -font.descent_unscaled() / upem,
        )
    }
}

/// Mono cells a character takes: 2 for East Asian wide and full-width characters (as a
/// terminal shows them), 0 for combining marks, else 1.
pub(crate) fn cells(ch: char) -> usize {
    unicode_width::UnicodeWidthChar::width(ch).unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_fonts_load_and_cover_umlauts_and_box_drawing() -> Result<(), RenderError> {
        let fonts = Fonts::load()?;
        for ch in ['ü', 'ß', '└', '─', '├', '│', '↪', '…', '·', '✓', '✗'] {
            let r = fonts.resolve(Face::Mono, ch);
            assert_ne!(r.id, 0, "{ch:?} has no glyph in any bundled face");
        }
        // Mono really is monospaced, including for box drawing.
        let cell = fonts.mono_cell_em();
        assert!((fonts.advance_em(Face::Mono, '└') - cell).abs() < 1e-6);
        assert!((fonts.advance_em(Face::Mono, 'W') - cell).abs() < 1e-6);
        Ok(())
    }

    #[test]
    fn latin_text_never_loads_the_japanese_face() -> Result<(), RenderError> {
        let fonts = Fonts::load()?;
        for ch in "Disk encryption: FileVault is On · ✓ ✗ → … ü ß └".chars() {
            assert_ne!(fonts.resolve(Face::Sans, ch).face, Face::Cjk, "{ch:?}");
        }
        assert!(fonts.cjk.get().is_none(), "the Japanese face was loaded");
        Ok(())
    }

    #[test]
    fn japanese_comes_from_the_cjk_face_and_the_rest_falls_back_to_notdef()
    -> Result<(), RenderError> {
        let fonts = Fonts::load()?;
        for ch in ['日', '本', 'ア', 'ぁ', '。', '見'] {
            let r = fonts.resolve(Face::Mono, ch);
            assert_eq!((r.face, r.id != 0), (Face::Cjk, true), "{ch:?}");
        }
        // Hangul is not in the subset: the .notdef box, no panic.
        let fonts = Fonts::load()?;
        let r = fonts.resolve(Face::Sans, '한');
        assert_eq!(r.id, 0);
        assert!(fonts.width(Face::Sans, 10.0, "한국") > 0.0);
        Ok(())
    }
}
