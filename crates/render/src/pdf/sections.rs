//! What goes on the pages: a control's title block, picture, device block, summary,
//! remediation and facts table (its observations are in `observations.rs`), and the combined
//! report's cover.

use super::flow::{Flow, Op};
use super::style::{
    BODY, BRAND, CONTENT_W, FACT_HEAD_H, FACT_KEY, FACT_KEY_MAX_W, FACT_KEY_MIN_W, FACT_VALUE,
    INTRO, LABEL, LABEL_W, MARGIN_X, MAX_FACT_LINES, NOTE, PROSE, SUBTITLE, TABLE_HEAD, TITLE,
    text_style,
};
use crate::fonts::Face;
use crate::layout;
use crate::style::{self, INK, MUTED};
use crate::{Evidence, Picture, RenderError};
use devidence_core::{Observation, Verdict};
use std::collections::BTreeMap;

/// The running header's text for one control.
pub(super) fn running_title(e: &Evidence) -> String {
    let control = e.finding.control;
    format!("{} · {}", control.title(), e.destination.type_line(control))
}

/// One control's report body: title, picture, device, summary, remediation, facts and every
/// observation.
pub(super) fn body(
    flow: &mut Flow,
    e: &Evidence,
    picture: Option<Picture<'_>>,
) -> Result<(), RenderError> {
    let finding = e.finding;
    let verdict = style::verdict_style(&finding.verdict);
    let collected = crate::collected_at_utc(finding)?;
    flow.title_block(e);
    if let Some(picture) = picture {
        flow.figure(picture.aspect(), picture.caption());
    }
    flow.section("Device", 3.0 * BODY.leading);
    let device = e.device;
    let na = || "not available".to_string();
    flow.key_values(&[
        ("Hostname", device.hostname.clone()),
        ("Serial number", crate::serial_or_na(device).to_string()),
        ("Model", device.model.clone().unwrap_or_else(na)),
        ("Operating system", crate::os_line(device)),
        ("Kernel", device.kernel.clone().unwrap_or_else(na)),
        ("User", device.user.clone().unwrap_or_else(na)),
        ("Agent version", format!("devidence {}", e.agent_version)),
        ("Collected at (UTC)", collected),
        (
            "Collected at (local)",
            crate::collected_at_local(finding, device),
        ),
        ("Probe duration", crate::duration_words(finding.duration_ms)),
    ]);

    flow.section("Summary", 2.0 * PROSE.leading);
    flow.paragraph(MARGIN_X, CONTENT_W, PROSE, &finding.summary);

    if let Some(remediation) = &finding.remediation {
        flow.section("Remediation", 3.0 * PROSE.leading);
        flow.start_band(verdict.tint, Some(verdict.fill), 6.0);
        flow.paragraph(MARGIN_X + 12.0, CONTENT_W - 20.0, PROSE, remediation);
        flow.end_band();
    }

    flow.section(&format!("Facts ({})", finding.facts.len()), 40.0);
    flow.facts(&finding.facts);

    // The heading and intro stay with the start of the first observation.
    let intro = "Every command run and file read for this verdict, in order, with its output as \
                 recorded after secrets were redacted.";
    // Quiet observations (wide scans kept for replay) stay in findings.json only.
    let shown: Vec<&Observation> = finding.observations.iter().filter(|o| !o.quiet).collect();
    let mut next = shown.first().map(|obs| flow.prepare(obs));
    let first_keep = next.as_ref().map_or(BODY.leading, |p| p.keep_h + 8.0);
    let title = format!("Observations ({})", shown.len());
    flow.section(&title, 2.0 * INTRO.leading + first_keep);
    flow.paragraph(MARGIN_X, CONTENT_W, INTRO, intro);
    if shown.is_empty() {
        let none = "No commands were run and no files were read.";
        flow.paragraph(MARGIN_X, CONTENT_W, BODY.colored(MUTED), none);
    }
    for (i, obs) in shown.into_iter().enumerate() {
        let prepared = match next.take() {
            Some(p) => p,
            None => flow.prepare(obs),
        };
        flow.observation(i + 1, obs, prepared);
    }

    Ok(())
}

impl Flow<'_> {
    /// Page 1 top: brand line, control title, evidence type, verdict badge, unknown reason.
    pub(super) fn title_block(&mut self, e: &Evidence) {
        let control = e.finding.control;
        let verdict = self.verdict;
        self.mark(&format!("{} — {}", control.title(), verdict.label), false);
        self.text_at(
            MARGIN_X,
            self.y,
            BRAND,
            "devidence · device security evidence",
        );
        self.y += BRAND.leading;

        // Verdict badge, top right.
        let badge_h = 26.0;
        let badge_text = text_style(Face::Bold, 13.0, badge_h, verdict.on_fill);
        let badge_w = self.width(badge_text, verdict.label) + 26.0;
        let badge_x = MARGIN_X + CONTENT_W - badge_w;
        let badge_top = self.y + 2.0;
        self.rect(badge_x, badge_top, badge_w, badge_h, verdict.fill, 4.0);
        self.text_at(badge_x + 13.0, badge_top, badge_text, verdict.label);

        for line in self.wrap(control.title(), TITLE, CONTENT_W - badge_w - 16.0) {
            self.text_at(MARGIN_X, self.y, TITLE, line);
            self.y += TITLE.leading;
        }
        self.y = self.y.max(badge_top + badge_h);
        let evidence_type = e.destination.type_line(control);
        self.paragraph(MARGIN_X, CONTENT_W, SUBTITLE, &evidence_type);

        if let Verdict::Unknown { reason } = &e.finding.verdict {
            self.y += 8.0;
            self.start_band(verdict.tint, Some(verdict.fill), 6.0);
            let text = format!("Why the verdict is unknown: {reason}");
            self.paragraph(MARGIN_X + 12.0, CONTENT_W - 20.0, BODY, &text);
            self.end_band();
        }
        self.y += 10.0;
    }

    /// The combined report's first page: what it is, the device, and each control's verdict
    /// and summary.
    pub(super) fn cover(&mut self, list: &[Evidence]) -> Result<(), RenderError> {
        let Some(first) = list.first() else {
            return Ok(());
        };
        self.mark("Overview", false);
        self.text_at(
            MARGIN_X,
            self.y,
            BRAND,
            "devidence · device security evidence",
        );
        self.y += BRAND.leading;
        for line in self.wrap("Device security report", TITLE, CONTENT_W) {
            self.text_at(MARGIN_X, self.y, TITLE, line);
            self.y += TITLE.leading;
        }
        let collected = crate::collected_at_utc(first.finding)?;
        let subtitle = format!(
            "All five controls, collected {collected} on {}. The evidence uploaded to {} is one PDF per control; this report is for the employee to keep.",
            first.device.hostname, first.destination.service
        );
        self.paragraph(MARGIN_X, CONTENT_W, SUBTITLE, &subtitle);
        self.y += 10.0;
        self.section("Device", 3.0 * BODY.leading);
        let device = first.device;
        let na = || "not available".to_string();
        self.key_values(&[
            ("Hostname", device.hostname.clone()),
            ("Serial number", crate::serial_or_na(device).to_string()),
            ("Model", device.model.clone().unwrap_or_else(na)),
            ("Operating system", crate::os_line(device)),
            ("User", device.user.clone().unwrap_or_else(na)),
            (
                "Agent version",
                format!("devidence {}", first.agent_version),
            ),
        ]);
        self.section("Controls", 4.0 * PROSE.leading);
        let badge = text_style(Face::Bold, 9.0, 16.0, INK);
        let badge_w = ["PASS", "FAIL", "UNKNOWN"]
            .iter()
            .map(|l| self.width(badge, l))
            .fold(0.0_f32, f32::max)
            + 14.0;
        for e in list {
            let v = style::verdict_style(&e.finding.verdict);
            self.ensure(badge.leading + 2.0 * PROSE.leading + 10.0);
            let top = self.y;
            self.rect(MARGIN_X, top, badge_w, badge.leading, v.fill, 3.0);
            let label_w = self.width(badge, v.label);
            self.text_at(
                MARGIN_X + (badge_w - label_w) / 2.0,
                top,
                badge.colored(v.on_fill),
                v.label,
            );
            let x = MARGIN_X + badge_w + 10.0;
            let bold = text_style(Face::Bold, 10.5, 16.0, INK);
            self.text_at(x, top, bold, e.finding.control.title());
            self.y = top + bold.leading;
            self.paragraph(x, CONTENT_W - badge_w - 10.0, PROSE, &e.finding.summary);
            self.y += 8.0;
        }
        Ok(())
    }

    /// The evidence picture, centred, with a thin frame and its caption under it.
    pub(super) fn figure(&mut self, aspect: f32, caption: &str) {
        let w = CONTENT_W * 0.75;
        let h = w * aspect;
        self.ensure(h + 2.0 * NOTE.leading);
        let x = MARGIN_X + (CONTENT_W - w) / 2.0;
        let top = self.y;
        self.rect(x - 0.75, top - 0.75, w + 1.5, h + 1.5, style::RULE, 0.0);
        self.current.push(Op::Picture { x, y: top, w, h });
        self.y += h + 4.0;
        let caption_w = self.width(NOTE, caption);
        self.text_at(
            MARGIN_X + (CONTENT_W - caption_w).max(0.0) / 2.0,
            self.y,
            NOTE,
            caption,
        );
        self.y += NOTE.leading + 8.0;
    }

    /// Label / value rows (the device block).
    pub(super) fn key_values(&mut self, rows: &[(&str, String)]) {
        let value_w = CONTENT_W - LABEL_W;
        for (label, value) in rows {
            let lines = self.wrap(value, BODY, value_w);
            let height = BODY.leading * lines.len().max(1) as f32;
            self.ensure(height);
            let top = self.y;
            self.text_at(MARGIN_X, top, LABEL, *label);
            for (i, line) in lines.into_iter().enumerate() {
                self.text_at(
                    MARGIN_X + LABEL_W,
                    top + BODY.leading * i as f32,
                    BODY,
                    line,
                );
            }
            self.y = top + height;
        }
    }

    /// The facts table: key (monospaced) and value, zebra rows, header repeated on new pages.
    pub(super) fn facts(&mut self, facts: &BTreeMap<String, String>) {
        if facts.is_empty() {
            self.paragraph(
                MARGIN_X,
                CONTENT_W,
                BODY.colored(MUTED),
                "No facts were extracted.",
            );
            return;
        }
        // Key column as wide as the longest key needs, within limits.
        let longest = facts.keys().map(|k| k.chars().count()).max().unwrap_or(0) as f32;
        let cell = self.fonts.mono_cell_em() * FACT_KEY.size;
        let key_w = (longest * cell + 24.0).clamp(FACT_KEY_MIN_W, FACT_KEY_MAX_W);
        let key_cols = self.columns(FACT_KEY, key_w - 12.0);
        let value_w = CONTENT_W - key_w - 8.0;
        let leading = FACT_VALUE.leading;

        self.fact_header(key_w);
        let mut header_page = self.page_index();
        for (i, (key, value)) in facts.iter().enumerate() {
            let key_rows = layout::hard_wrap(&layout::clean_line(key), key_cols, MAX_FACT_LINES).0;
            let mut value_lines = self.wrap(value, FACT_VALUE, value_w);
            if value_lines.len() > MAX_FACT_LINES {
                value_lines.truncate(MAX_FACT_LINES);
                if let Some(last) = value_lines.last_mut() {
                    last.push_str(" …");
                }
            }
            let h = leading * key_rows.len().max(value_lines.len()).max(1) as f32 + 6.0;
            self.ensure(h);
            if self.page_index() != header_page {
                self.fact_header(key_w);
                header_page = self.page_index();
            }
            let top = self.y;
            if i % 2 == 1 {
                self.rect(MARGIN_X, top, CONTENT_W, h, style::ZEBRA, 0.0);
            }
            for (j, row) in key_rows.into_iter().enumerate() {
                self.text_at(
                    MARGIN_X + 6.0,
                    top + 3.0 + leading * j as f32,
                    FACT_KEY,
                    row,
                );
            }
            for (j, line) in value_lines.into_iter().enumerate() {
                self.text_at(
                    MARGIN_X + key_w,
                    top + 3.0 + leading * j as f32,
                    FACT_VALUE,
                    line,
                );
            }
            self.y = top + h;
        }
        self.rule(self.y);
        self.y += 2.0;
    }

    pub(super) fn fact_header(&mut self, key_w: f32) {
        let top = self.y;
        self.rect(
            MARGIN_X,
            top,
            CONTENT_W,
            FACT_HEAD_H,
            style::TABLE_HEAD,
            0.0,
        );
        self.text_at(MARGIN_X + 6.0, top, TABLE_HEAD, "Key");
        self.text_at(MARGIN_X + key_w, top, TABLE_HEAD, "Value");
        self.y = top + FACT_HEAD_H;
    }
}
