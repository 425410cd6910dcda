//! Table cells and the table renderer.
//!
//! Commands build [`Cell`]s; [`render`] lays them out as a borderless, kubectl-like table.
//! A table that fits its width (or has none) and whose cells are one line each — nearly every
//! table — is laid out here directly: one pass to measure, one to write. Only a table that must
//! be squeezed into a narrow terminal, or that has multi-line cells, goes through comfy-table,
//! whose dynamic arrangement shares the width out and cuts or wraps cells.
//!
//! Both paths give the same text for the tables the direct one takes: the tests below render
//! each case both ways and compare. (comfy-table alone spent ~50 ms building and laying out the
//! 72,000 cells of `dashboard realtime` on 8,000 GPUs; the direct path takes a few.)

use comfy_table::{presets, Attribute, CellAlignment, Color, ContentArrangement, Table};
use unicode_width::UnicodeWidthStr;

/// Spaces after each column (none before): two between columns, as kubectl prints.
const COLUMN_GAP: usize = 2;

/// The colours a cell may take, by how healthy its word sounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tone {
    Green,
    Yellow,
    Red,
    Grey,
}

impl Tone {
    fn comfy(self) -> Color {
        match self {
            Tone::Green => Color::Green,
            Tone::Yellow => Color::Yellow,
            Tone::Red => Color::Red,
            Tone::Grey => Color::DarkGrey,
        }
    }

    /// The SGR code comfy-table (through crossterm) writes for this colour.
    fn sgr(self) -> &'static str {
        match self {
            Tone::Green => "\x1b[38;5;10m",
            Tone::Yellow => "\x1b[38;5;11m",
            Tone::Red => "\x1b[38;5;9m",
            Tone::Grey => "\x1b[38;5;8m",
        }
    }
}

/// One cell of a table: its text, alignment and style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cell {
    text: String,
    right: bool,
    tone: Option<Tone>,
    bold: bool,
}

impl Cell {
    /// A cell showing `text` with its control characters escaped (`\e`, `\n`, …): a cell
    /// is one line, and nothing a user, cluster or GPU supplied reaches the terminal raw.
    pub(crate) fn new(text: impl ToString) -> Cell {
        let text = text.to_string();
        let text = match crate::terminal::escape(&text) {
            std::borrow::Cow::Borrowed(_) => text,
            std::borrow::Cow::Owned(escaped) => escaped,
        };
        Cell {
            text,
            right: false,
            tone: None,
            bold: false,
        }
    }

    /// Right-aligned, for numbers.
    pub(crate) fn right(mut self) -> Cell {
        self.right = true;
        self
    }

    pub(crate) fn tone(mut self, tone: Tone) -> Cell {
        self.tone = Some(tone);
        self
    }

    pub(crate) fn bold(mut self) -> Cell {
        self.bold = true;
        self
    }

    fn comfy(self) -> comfy_table::Cell {
        let mut cell = comfy_table::Cell::new(self.text);
        if self.right {
            cell = cell.set_alignment(CellAlignment::Right);
        }
        if let Some(tone) = self.tone {
            cell = cell.fg(tone.comfy());
        }
        if self.bold {
            cell = cell.add_attribute(Attribute::Bold);
        }
        cell
    }

    fn styled(&self) -> bool {
        self.tone.is_some() || self.bold
    }
}

/// How a table is to be laid out.
#[derive(Debug, Clone, Copy)]
pub(super) struct Layout {
    /// The width to fit; None: as wide as the cells need.
    pub width: Option<u16>,
    /// Write colours and bold (the cells' tones and the header).
    pub color: bool,
    /// Cut a cell that does not fit with '…' rather than wrap it onto more lines.
    pub one_line_rows: bool,
}

/// The table as text, lines without trailing blanks and no newline after the last.
/// `header` is None for a table without one.
pub(super) fn render(header: Option<Vec<Cell>>, rows: Vec<Vec<Cell>>, layout: Layout) -> String {
    match direct_widths(header.as_deref(), &rows, layout.width) {
        Some(widths) => render_direct(header.as_deref(), &rows, &widths, layout.color),
        None => render_comfy(header, rows, layout),
    }
}

/// Display width of one line of text.
fn text_width(text: &str) -> usize {
    if text.is_ascii() {
        text.len()
    } else {
        text.width()
    }
}

/// The width of each column when the direct path can lay the table out: every cell one line,
/// and the whole no wider than `width`. None sends the table to comfy-table.
fn direct_widths(
    header: Option<&[Cell]>,
    rows: &[Vec<Cell>],
    width: Option<u16>,
) -> Option<Vec<usize>> {
    let mut widths: Vec<usize> = Vec::new();
    for row in header.into_iter().chain(rows.iter().map(Vec::as_slice)) {
        if widths.len() < row.len() {
            widths.resize(row.len(), 0);
        }
        for (cell, column_width) in row.iter().zip(widths.iter_mut()) {
            if cell.text.contains('\n') {
                return None;
            }
            *column_width = (*column_width).max(text_width(&cell.text));
        }
    }
    // A column is at least one character wide, as comfy-table has it.
    for column_width in &mut widths {
        *column_width = (*column_width).max(1);
    }
    let total: usize = widths.iter().map(|w| w + COLUMN_GAP).sum();
    match width {
        Some(limit) if total > usize::from(limit) => None,
        _ => Some(widths),
    }
}

fn render_direct(
    header: Option<&[Cell]>,
    rows: &[Vec<Cell>],
    widths: &[usize],
    color: bool,
) -> String {
    let line_width: usize = widths.iter().map(|w| w + COLUMN_GAP).sum();
    let lines = rows.len() + usize::from(header.is_some());
    let mut text = String::with_capacity(lines * (line_width + 1));
    let mut line = String::with_capacity(line_width * 2);
    for row in header.into_iter().chain(rows.iter().map(Vec::as_slice)) {
        line.clear();
        for (index, &column_width) in widths.iter().enumerate() {
            let cell = row.get(index);
            let content = cell.map_or("", |c| c.text.as_str());
            let pad = column_width - text_width(content) + COLUMN_GAP;
            let style = cell.filter(|c| color && c.styled());
            if let Some(cell) = style {
                if let Some(tone) = cell.tone {
                    line.push_str(tone.sgr());
                }
                if cell.bold {
                    line.push_str("\x1b[1m");
                }
            }
            if cell.is_some_and(|c| c.right) {
                push_spaces(&mut line, pad - COLUMN_GAP);
                line.push_str(content);
                push_spaces(&mut line, COLUMN_GAP);
            } else {
                line.push_str(content);
                push_spaces(&mut line, pad);
            }
            if let Some(cell) = style {
                // Bold is undone by a full reset, a colour alone by the default colour.
                line.push_str(if cell.bold { "\x1b[0m" } else { "\x1b[39m" });
            }
        }
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text.pop();
    text
}

fn push_spaces(line: &mut String, count: usize) {
    line.extend(std::iter::repeat_n(' ', count));
}

fn render_comfy(header: Option<Vec<Cell>>, rows: Vec<Vec<Cell>>, layout: Layout) -> String {
    let mut table = Table::new();
    table.load_preset(presets::NOTHING);
    if layout.color {
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    match layout.width {
        Some(width) => {
            table.set_width(width);
            table.set_content_arrangement(ContentArrangement::Dynamic);
        }
        None => {
            table.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    if let Some(header) = header {
        table.set_header(header.into_iter().map(Cell::comfy));
    }
    // One line per row, cut with '…' where the terminal is too narrow: wrapped cells would
    // break grep and awk, and -o json carries every value whole.
    table.set_truncation_indicator("…");
    for row in rows {
        let mut row = comfy_table::Row::from(row.into_iter().map(Cell::comfy));
        // Only a width-bound table wraps; without a width a row is one line already.
        if layout.one_line_rows && layout.width.is_some() {
            row.max_height(1);
        }
        table.add_row(row);
    }
    // presets::NOTHING pads each column with one space on both sides; keep two after, none before.
    for column in table.column_iter_mut() {
        column.set_padding((0, COLUMN_GAP as u16));
    }
    let rendered = table.to_string();
    let mut text = String::with_capacity(rendered.len());
    for line in rendered.lines() {
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text.pop();
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Vec<Cell> {
        ["name", "gpus", "", "status"]
            .into_iter()
            .map(|h| Cell::new(h.to_uppercase()).bold())
            .collect()
    }

    fn rows() -> Vec<Vec<Cell>> {
        vec![
            vec![
                Cell::new("gpu-node-1"),
                Cell::new(8).right(),
                Cell::new("███▌      "),
                Cell::new("ready").tone(Tone::Green),
            ],
            vec![
                Cell::new("b"),
                Cell::new(16).right(),
                Cell::new("72°C"),
                Cell::new("not-ready").tone(Tone::Red),
            ],
            vec![
                Cell::new("ノード"),
                Cell::new("-").right(),
                Cell::new(""),
                Cell::new("cordoned").tone(Tone::Yellow),
            ],
            vec![Cell::new("short row").tone(Tone::Grey)],
        ]
    }

    fn both_ways(header: Option<Vec<Cell>>, rows: Vec<Vec<Cell>>, layout: Layout) -> String {
        let direct = direct_widths(header.as_deref(), &rows, layout.width)
            .map(|widths| render_direct(header.as_deref(), &rows, &widths, layout.color))
            .expect("the direct path takes this table");
        let comfy = render_comfy(header, rows, layout);
        assert_eq!(direct, comfy, "direct and comfy-table layouts differ");
        direct
    }

    #[test]
    fn the_direct_path_writes_what_comfy_table_writes() {
        for color in [false, true] {
            for width in [None, Some(200), Some(45)] {
                let layout = Layout {
                    width,
                    color,
                    one_line_rows: true,
                };
                both_ways(Some(header()), rows(), layout);
                both_ways(None, rows(), layout);
                both_ways(Some(header()), Vec::new(), layout);
                both_ways(None, Vec::new(), layout);
            }
        }
    }

    #[test]
    fn columns_are_as_wide_as_their_widest_cell_plus_two_spaces() {
        let layout = Layout {
            width: None,
            color: false,
            one_line_rows: true,
        };
        let text = both_ways(Some(header()), rows(), layout);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "NAME        GPUS              STATUS");
        assert_eq!(lines[1], "gpu-node-1     8  ███▌        ready");
        assert_eq!(lines[3], "ノード         -              cordoned");
        assert_eq!(lines[4], "short row");
    }

    #[test]
    fn a_table_wider_than_the_terminal_is_cut_with_an_ellipsis() {
        let layout = Layout {
            width: Some(30),
            color: false,
            one_line_rows: true,
        };
        assert!(direct_widths(Some(&header()), &rows(), layout.width).is_none());
        let text = render(Some(header()), rows(), layout);
        assert!(text.lines().all(|l| l.width() <= 30), "{text}");
        assert!(text.contains('…'), "{text}");
    }

    #[test]
    fn a_cell_shows_control_characters_escaped_on_one_line() {
        let rows = vec![vec![Cell::new("one\ntwo\x1b[2J"), Cell::new("x")]];
        let layout = Layout {
            width: None,
            color: false,
            one_line_rows: false,
        };
        assert_eq!(render(None, rows, layout), r"one\ntwo\e[2J  x");
    }
}
