//! Text preparation shared by the PDF and the PNG: cleaning raw output, word wrapping for
//! prose, hard wrapping for monospaced output, and capping very long output.
//!
//! Everything here is linear in the length of the text.

/// Columns between tab stops when expanding tabs in command output.
const TAB_STOP: usize = 8;

/// Marks a row that continues the line above it (hard-wrapped monospaced output).
pub(crate) const CONTINUATION: &str = "↪ ";

/// Shown instead of a control character (escape sequences, NUL, …).
const REPLACEMENT: char = '\u{FFFD}';

/// One line of text made printable: tabs expanded to the next tab stop, a trailing carriage
/// return dropped, other control characters replaced with U+FFFD.
pub(crate) fn clean_line(line: &str) -> String {
    let line = line.strip_suffix('\r').unwrap_or(line);
    let mut out = String::with_capacity(line.len());
    let mut column = 0usize;
    for ch in line.chars() {
        match ch {
            '\t' => {
                let spaces = TAB_STOP - column % TAB_STOP;
                out.extend(std::iter::repeat_n(' ', spaces));
                column += spaces;
            }
            c if c.is_control() => {
                out.push(REPLACEMENT);
                column += 1;
            }
            c => {
                out.push(c);
                column += 1;
            }
        }
    }
    out
}

/// Word-wraps `text` to lines no wider than `max_width`, measuring each character with
/// `advance`. Newlines start a new line (blank lines are kept), runs of spaces collapse, and a
/// word wider than a whole line is broken between characters.
pub(crate) fn wrap_words(text: &str, max_width: f32, advance: impl Fn(char) -> f32) -> Vec<String> {
    let space = advance(' ');
    let mut out = Vec::new();
    for paragraph in text.split('\n') {
        let paragraph = clean_line(paragraph);
        let mut line = String::new();
        let mut width = 0.0f32;
        for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
            let word_width: f32 = word.chars().map(&advance).sum();
            if !line.is_empty() && width + space + word_width <= max_width {
                line.push(' ');
                line.push_str(word);
                width += space + word_width;
                continue;
            }
            if !line.is_empty() {
                out.push(std::mem::take(&mut line));
                width = 0.0;
            }
            if word_width <= max_width {
                line.push_str(word);
                width = word_width;
            } else {
                for ch in word.chars() {
                    let w = advance(ch);
                    if !line.is_empty() && width + w > max_width {
                        out.push(std::mem::take(&mut line));
                        width = 0.0;
                    }
                    line.push(ch);
                    width += w;
                }
            }
        }
        out.push(line);
    }
    out
}

/// Hard-wraps one (clean) line of monospaced text into rows of at most `columns` cells (a wide
/// East Asian character takes two).
/// Rows after the first start with [`CONTINUATION`]. Stops after `max_rows` rows; the second
/// value is true when the line did not fit.
pub(crate) fn hard_wrap(line: &str, columns: usize, max_rows: usize) -> (Vec<String>, bool) {
    let marker_len = CONTINUATION.chars().count();
    let columns = columns.max(marker_len + 1);
    let mut rows = Vec::new();
    let mut row = String::new();
    let mut used = 0usize;
    for ch in line.chars() {
        let limit = if rows.is_empty() {
            columns
        } else {
            columns - marker_len
        };
        let width = crate::fonts::cells(ch);
        if used + width > limit && used > 0 {
            rows.push(std::mem::take(&mut row));
            if rows.len() == max_rows {
                return (rows, true);
            }
            row.push_str(CONTINUATION);
            used = 0;
        }
        row.push(ch);
        used += width;
    }
    if rows.len() < max_rows {
        rows.push(row);
        (rows, false)
    } else {
        (rows, true)
    }
}

/// Output prepared for display: wrapped rows, and how many source lines were left out.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Rows {
    /// Rows to show, each at most the requested number of columns.
    pub rows: Vec<String>,
    /// Source lines not shown (a line shown only in part counts as not shown).
    pub omitted_lines: usize,
}

/// Splits output into lines, cleans and hard-wraps them to `columns`, and keeps at most
/// `max_rows` rows.
pub(crate) fn output_rows(text: &str, columns: usize, max_rows: usize) -> Rows {
    let mut out = Rows::default();
    let mut lines = text.lines();
    for line in lines.by_ref() {
        let budget = max_rows.saturating_sub(out.rows.len());
        if budget == 0 {
            out.omitted_lines = 1;
            break;
        }
        let (rows, cut) = hard_wrap(&clean_line(line), columns, budget);
        out.rows.extend(rows);
        if cut {
            out.omitted_lines = 1;
            break;
        }
    }
    out.omitted_lines += lines.count();
    out
}

/// Shortens `text` with a trailing `…` so it is at most `max_width` wide.
pub(crate) fn ellipsize(text: &str, max_width: f32, advance: impl Fn(char) -> f32) -> String {
    let text = clean_line(text);
    let total: f32 = text.chars().map(&advance).sum();
    if total <= max_width {
        return text;
    }
    let budget = max_width - advance('…');
    let mut width = 0.0;
    let mut out = String::new();
    for ch in text.chars() {
        width += advance(ch);
        if width > budget {
            break;
        }
        out.push(ch);
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(_: char) -> f32 {
        1.0
    }

    #[test]
    fn clean_line_expands_tabs_and_hides_controls() {
        assert_eq!(clean_line("a\tb\r"), "a       b");
        assert_eq!(clean_line("12345678\tx"), "12345678        x");
        assert_eq!(clean_line("\u{1b}[1mbold"), "\u{FFFD}[1mbold");
    }

    #[test]
    fn words_wrap_at_width_and_long_words_break() {
        assert_eq!(wrap_words("aa bb cc", 5.0, unit), ["aa bb", "cc"]);
        assert_eq!(
            wrap_words("abcdefgh x", 3.0, unit),
            ["abc", "def", "gh", "x"]
        );
        assert_eq!(wrap_words("one\n\ntwo", 10.0, unit), ["one", "", "two"]);
        assert_eq!(wrap_words("", 10.0, unit), [""]);
    }

    #[test]
    fn long_lines_hard_wrap_with_a_marker() {
        let (rows, cut) = hard_wrap("abcdefghij", 4, 100);
        assert_eq!(rows, ["abcd", "↪ ef", "↪ gh", "↪ ij"]);
        assert!(!cut);
        let (rows, cut) = hard_wrap("abcdefghij", 4, 2);
        assert_eq!(rows, ["abcd", "↪ ef"]);
        assert!(cut);
        assert_eq!(hard_wrap("", 4, 1), (vec![String::new()], false));
        // Multi-byte characters count as one column.
        assert_eq!(hard_wrap("└─üx", 3, 9).0, ["└─ü", "↪ x"]);
    }

    #[test]
    fn output_is_capped_with_a_count_of_what_was_left_out() {
        let text: String = (0..10).map(|i| format!("line {i}\n")).collect();
        let rows = output_rows(&text, 80, 4);
        assert_eq!(rows.rows.len(), 4);
        assert_eq!(rows.omitted_lines, 6);
        let all = output_rows(&text, 80, 100);
        assert_eq!((all.rows.len(), all.omitted_lines), (10, 0));
        // One huge line stops at the cap instead of being wrapped in full.
        let huge = "x".repeat(1 << 20);
        let rows = output_rows(&huge, 100, 3);
        assert_eq!((rows.rows.len(), rows.omitted_lines), (3, 1));
    }

    #[test]
    fn ellipsize_fits_the_width() {
        assert_eq!(ellipsize("short", 10.0, unit), "short");
        assert_eq!(ellipsize("a long sentence", 7.0, unit), "a long…");
    }
}
