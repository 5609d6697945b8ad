//! Colours shared by the PDF and the PNG, so both say the same thing the same way.

use devidence_core::Verdict;

/// An sRGB colour.
pub(crate) type Rgb = [u8; 3];

/// `base` mixed with `top` at `alpha` (0–1), per channel: how both rasters blend an edge.
pub(crate) fn mix(base: Rgb, top: Rgb, alpha: f32) -> Rgb {
    let mut out = base;
    for (channel, target) in out.iter_mut().zip(top) {
        let mixed = f32::from(*channel) * (1.0 - alpha) + f32::from(target) * alpha;
        *channel = mixed.round().clamp(0.0, 255.0) as u8;
    }
    out
}

/// Body text.
pub(crate) const INK: Rgb = [28, 30, 33];
/// Labels and secondary text.
pub(crate) const MUTED: Rgb = [96, 102, 110];
/// Thin rules.
pub(crate) const RULE: Rgb = [208, 212, 218];
/// Background of monospaced output blocks.
pub(crate) const CODE_BG: Rgb = [243, 244, 246];
/// Background of table header rows.
pub(crate) const TABLE_HEAD: Rgb = [229, 232, 237];
/// Background of every other table row.
pub(crate) const ZEBRA: Rgb = [248, 249, 250];
/// Page / card background.
pub(crate) const WHITE: Rgb = [255, 255, 255];
/// A command that completed with exit code 0 (or a file that was read).
pub(crate) const OK_GREEN: Rgb = [22, 128, 61];
/// A command that failed or a source that could not be read.
pub(crate) const BAD_RED: Rgb = [190, 40, 30];

/// How a verdict is shown.
#[derive(Clone, Copy, Debug)]
pub(crate) struct VerdictStyle {
    /// `PASS`, `FAIL` or `UNKNOWN`.
    pub label: &'static str,
    /// Badge background.
    pub fill: Rgb,
    /// Text on the badge.
    pub on_fill: Rgb,
    /// The verdict's colour for text on white (darker than `fill` for amber).
    pub text: Rgb,
    /// Pale tint for a box behind an explanation.
    pub tint: Rgb,
}

/// Green for pass, red for fail, amber for unknown.
pub(crate) fn verdict_style(verdict: &Verdict) -> VerdictStyle {
    match verdict {
        Verdict::Pass => VerdictStyle {
            label: verdict.label(),
            fill: OK_GREEN,
            on_fill: WHITE,
            text: OK_GREEN,
            tint: [232, 245, 236],
        },
        Verdict::Fail => VerdictStyle {
            label: verdict.label(),
            fill: BAD_RED,
            on_fill: WHITE,
            text: BAD_RED,
            tint: [252, 235, 233],
        },
        Verdict::Unknown { .. } => VerdictStyle {
            label: verdict.label(),
            fill: [240, 165, 0],
            on_fill: [45, 30, 0],
            text: [160, 98, 0],
            tint: [254, 245, 225],
        },
    }
}
