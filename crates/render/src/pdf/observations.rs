//! One observation on the page: its heading, source, outcome line and hash, then its stdout
//! and stderr as monospaced blocks that split across pages.

use super::flow::Flow;
use super::style::{
    BOTTOM, CODE, CODE_PAD, CONTENT_W, HASH, MARGIN_X, MAX_SOURCE_ROWS, MAX_STDERR_ROWS, META,
    NO_OUTPUT, NOTE, OBS_HEADING, OBS_USER, RUNNING_HEADER_H, SOURCE, STREAM_LABEL, TOP, TextStyle,
    text_style,
};
use crate::fonts::Face;
use crate::layout::{self, CONTINUATION, Rows};
use crate::style::{self, INK, MUTED};
use devidence_core::{Observation, SourceKind};

/// An observation wrapped and measured, ready to draw.
pub(super) struct Prepared {
    source_rows: Vec<String>,
    source_cut: bool,
    stdout: Rows,
    stderr: Rows,
    /// Height that must fit on the page before the observation starts.
    pub(super) keep_h: f32,
}

impl Flow<'_> {
    /// Wraps an observation's source and output and measures it, before anything is drawn.
    pub(super) fn prepare(&self, obs: &Observation) -> Prepared {
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
    pub(super) fn observation(&mut self, number: usize, obs: &Observation, prepared: Prepared) {
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
    pub(super) fn mono_row(&mut self, x: f32, s: TextStyle, row: String) {
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
    pub(super) fn stream(&mut self, label: &str, rows: Rows) {
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
