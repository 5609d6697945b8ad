//! The A4 PDF report.
//!
//! Built in two passes. [`Flow`] lays the report out top to bottom into one list of drawing
//! operations per page, starting a new page whenever the next piece does not fit. Then
//! [`emit`] draws those lists with krilla, adding the `page N of M` footer now that `M` is known.
//!
//! - `style.rs`: page geometry, limits and the text-style table;
//! - `flow.rs`: the page-flow engine (pages, cursor, breaking, bands, bookmarks);
//! - `sections.rs`: what goes on the pages (title block, device, summary, facts, cover);
//! - `observations.rs`: each command and file looked at, with its output;
//! - `document.rs`: the krilla document (footers, metadata, outline);
//! - `paint.rs`: the painter that draws shapes, text and the picture on a page.

mod document;
mod flow;
mod observations;
mod paint;
mod sections;
mod style;

use crate::card;
use crate::fonts::Fonts;
use crate::style::verdict_style;
use crate::{Evidence, Picture, RenderError};
use devidence_core::Verdict;
use document::{emit, metadata, report_metadata};
use flow::Flow;
use paint::Figure;
use sections::{body, running_title};

/// Lays out and writes the report.
pub(crate) fn render(
    e: &Evidence,
    fonts: &Fonts,
    picture: Option<Picture<'_>>,
    max_rows: usize,
) -> Result<Vec<u8>, RenderError> {
    let mut flow = Flow::new(fonts, running_title(e), verdict_style(&e.finding.verdict));
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
        verdict_style(worst),
    );
    flow.cover(list)?;
    for e in list {
        flow.end_band();
        flow.running_title = running_title(e);
        flow.verdict = verdict_style(&e.finding.verdict);
        flow.new_page();
        body(&mut flow, e, None)?;
    }
    let (pages, marks) = flow.finish();
    let meta = report_metadata(first);
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
