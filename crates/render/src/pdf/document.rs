//! Writes the laid-out pages as a PDF with krilla: each page's operations, the `page N of M`
//! footer, the document information and the bookmarks.

use super::flow::{Mark, Op};
use super::paint::{Figure, Painter, PdfFonts};
use super::style::{CONTENT_W, MARGIN_X, NOTE, PAGE_H, PAGE_W};
use crate::draw::Shape;
use crate::fonts::{Face, Fonts};
use crate::layout;
use crate::style;
use crate::{Evidence, RenderError};
use devidence_core::Finding;
use krilla::Document;
use krilla::destination::XyzDestination;
use krilla::geom::Point;
use krilla::metadata::{DateTime, Metadata};
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use time::UtcOffset;

/// Draws the laid-out pages with krilla and serialises the PDF.
pub(super) fn emit(
    metadata: Metadata,
    agent_version: &str,
    hostname: &str,
    fonts: &Fonts,
    pages: &[Vec<Op>],
    marks: Vec<Mark>,
    figure: Option<Figure>,
) -> Result<Vec<u8>, RenderError> {
    let pdf_fonts = PdfFonts::default();
    for face in [Face::Sans, Face::Bold, Face::Mono] {
        if pdf_fonts.get(face).is_none() {
            return Err(RenderError::Font {
                name: face.file_name(),
            });
        }
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

/// Document information for one control's report: title, description, keywords, creator,
/// language, and the collection time as creation date (so the same finding always gives the
/// same file).
pub(super) fn metadata(e: &Evidence) -> Metadata {
    let control = e.finding.control;
    let evidence_type = (e.destination.evidence_type)(control);
    let metadata = Metadata::new()
        .title(format!(
            "{} evidence for {}",
            control.title(),
            e.device.hostname
        ))
        .description(format!(
            "{} evidence type {}: {}",
            e.destination.service, evidence_type, e.finding.summary
        ))
        .keywords(vec![evidence_type.to_string(), control.slug().to_string()])
        .creator(format!("devidence {}", e.agent_version))
        .language("en".to_string());
    with_creation_date(metadata, e.finding)
}

/// Document information for the combined report, dated by its first finding.
pub(super) fn report_metadata(first: &Evidence) -> Metadata {
    let metadata = Metadata::new()
        .title(format!(
            "Device security report for {}",
            first.device.hostname
        ))
        .creator(format!("devidence {}", first.agent_version))
        .language("en".to_string());
    with_creation_date(metadata, first.finding)
}

/// The finding's collection time (UTC) as the creation date; none for a year PDF cannot hold.
fn with_creation_date(metadata: Metadata, finding: &Finding) -> Metadata {
    let t = finding.collected_at.to_offset(UtcOffset::UTC);
    match u16::try_from(t.year()) {
        Ok(year) => metadata.creation_date(
            DateTime::new(year)
                .month(u8::from(t.month()))
                .day(t.day())
                .hour(t.hour())
                .minute(t.minute())
                .second(t.second())
                .utc_offset_hour(0)
                .utc_offset_minute(0),
        ),
        Err(_) => metadata,
    }
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
