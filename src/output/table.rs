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
        if !widen(&mut widths, row) {
            return None;
        }
    }
    fit(widths, width)
}

/// Widens `widths` to hold `row`'s cells; false when a cell has more than one line.
fn widen(widths: &mut Vec<usize>, row: &[Cell]) -> bool {
    if widths.len() < row.len() {
        widths.resize(row.len(), 0);
    }
    for (cell, column_width) in row.iter().zip(widths.iter_mut()) {
        if cell.text.contains('\n') {
            return false;
        }
        *column_width = (*column_width).max(text_width(&cell.text));
    }
    true
}

/// The measured widths as the direct path lays them out, or None when they overflow `width`.
fn fit(mut widths: Vec<usize>, width: Option<u16>) -> Option<Vec<usize>> {
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
        lay_out_line(&mut line, row.iter().map(Cell::view), widths, color);
        text.push_str(&line);
        text.push('\n');
    }
    text.pop();
    text
}

/// What laying out a line needs of a cell, borrowed from a [`Cell`] or a [`CellBuffer`].
#[derive(Clone, Copy)]
struct CellView<'a> {
    text: &'a str,
    width: usize,
    right: bool,
    tone: Option<Tone>,
    bold: bool,
}

impl CellView<'_> {
    fn styled(&self) -> bool {
        self.tone.is_some() || self.bold
    }
}

impl Cell {
    fn view(&self) -> CellView<'_> {
        CellView {
            text: &self.text,
            width: text_width(&self.text),
            right: self.right,
            tone: self.tone,
            bold: self.bold,
        }
    }
}

/// One line of a directly laid out table into `line` (cleared first), padded to `widths`,
/// without trailing blanks. A row shorter than the widths ends in empty cells.
fn lay_out_line<'a>(
    line: &mut String,
    mut cells: impl Iterator<Item = CellView<'a>>,
    widths: &[usize],
    color: bool,
) {
    line.clear();
    for &column_width in widths {
        let cell = cells.next();
        let (content, content_width) = cell.map_or(("", 0), |c| (c.text, c.width));
        let pad = column_width - content_width + COLUMN_GAP;
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
            push_spaces(line, pad - COLUMN_GAP);
            line.push_str(content);
            push_spaces(line, COLUMN_GAP);
        } else {
            line.push_str(content);
            push_spaces(line, pad);
        }
        if let Some(cell) = style {
            // Bold is undone by a full reset, a colour alone by the default colour.
            line.push_str(if cell.bold { "\x1b[0m" } else { "\x1b[39m" });
        }
    }
    let kept = line.trim_end().len();
    line.truncate(kept);
}

/// The cells of a long table in one string, measured as they are added and laid out once the
/// last row is in (the widths must be known before the first line): a row costs no allocation,
/// where a `Vec<Vec<Cell>>` costs a String per cell. Text is escaped as [`Cell::new`] escapes
/// it, and the table comes out exactly as [`render`] would lay out the same cells.
#[derive(Debug, Default)]
pub(crate) struct CellBuffer {
    text: String,
    cells: Vec<Span>,
    /// Where each row's cells end in `cells`.
    row_ends: Vec<usize>,
    widths: Vec<usize>,
}

/// One cell of a [`CellBuffer`]: its text ends at `end` and starts where the one before ends.
#[derive(Debug, Clone, Copy)]
struct Span {
    end: usize,
    width: u32,
    right: bool,
    tone: Option<Tone>,
}

/// The cell just added to a [`CellBuffer`], to align or colour.
pub(crate) struct AddedCell<'a>(&'a mut Span);

impl AddedCell<'_> {
    /// Right-aligned, for numbers.
    pub(crate) fn right(self) -> Self {
        self.0.right = true;
        self
    }

    pub(crate) fn tone(self, tone: Option<Tone>) -> Self {
        self.0.tone = tone;
        self
    }
}

impl CellBuffer {
    /// Adds a cell showing `text` to the current row.
    pub(crate) fn add_str(&mut self, text: &str) -> AddedCell<'_> {
        let start = self.text.len();
        self.text.push_str(text);
        self.close_cell(start)
    }

    /// Adds a cell showing `text` formatted in place to the current row.
    pub(crate) fn add(&mut self, text: impl std::fmt::Display) -> AddedCell<'_> {
        use std::fmt::Write as _;
        let start = self.text.len();
        // Writing to a String fails only if a Display impl does; keep what it wrote.
        let _ = write!(self.text, "{text}");
        self.close_cell(start)
    }

    /// Ends the cell whose text starts at `start`: escapes and measures it.
    fn close_cell(&mut self, start: usize) -> AddedCell<'_> {
        let escaped = match crate::terminal::escape(&self.text[start..]) {
            std::borrow::Cow::Borrowed(_) => None,
            std::borrow::Cow::Owned(escaped) => Some(escaped),
        };
        if let Some(escaped) = escaped {
            self.text.truncate(start);
            self.text.push_str(&escaped);
        }
        let width = text_width(&self.text[start..]);
        let column = self.cells.len() - self.row_ends.last().copied().unwrap_or(0);
        match self.widths.get_mut(column) {
            Some(column_width) => *column_width = (*column_width).max(width),
            None => self.widths.push(width),
        }
        self.cells.push(Span {
            end: self.text.len(),
            // No wider than its bytes, and SQLite's texts stay far below 4 GiB even escaped.
            width: u32::try_from(width).unwrap_or(u32::MAX),
            right: false,
            tone: None,
        });
        let index = self.cells.len() - 1;
        AddedCell(&mut self.cells[index])
    }

    /// Ends the current row; the next cell starts a new one.
    pub(crate) fn end_row(&mut self) {
        self.row_ends.push(self.cells.len());
    }

    /// The table under `header`, each line passed to `line` without its newline: laid out
    /// directly when it fits, else by comfy-table as [`render`] does.
    pub(super) fn lay_out<E>(
        self,
        header: Option<Vec<Cell>>,
        layout: Layout,
        mut line: impl FnMut(&str) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut widths = self.widths.clone();
        let direct = match header.as_deref() {
            Some(header) => widen(&mut widths, header),
            None => true,
        };
        let Some(widths) = direct.then(|| fit(widths, layout.width)).flatten() else {
            let table = render_comfy(header, self.into_rows(), layout);
            if table.is_empty() {
                return Ok(());
            }
            return table.split('\n').try_for_each(line);
        };
        let mut buffer = String::with_capacity(widths.iter().map(|w| 2 * (w + COLUMN_GAP)).sum());
        if let Some(header) = &header {
            lay_out_line(
                &mut buffer,
                header.iter().map(Cell::view),
                &widths,
                layout.color,
            );
            line(&buffer)?;
        }
        let mut text_start = 0;
        let mut cell_start = 0;
        for &row_end in &self.row_ends {
            let row = self.cells[cell_start..row_end].iter().map(|span| {
                let view = span.view(&self.text[text_start..span.end]);
                text_start = span.end;
                view
            });
            lay_out_line(&mut buffer, row, &widths, layout.color);
            line(&buffer)?;
            cell_start = row_end;
        }
        Ok(())
    }

    /// The table as [`render`] gives it: lines without trailing blanks, no newline after the last.
    pub(super) fn render(self, header: Option<Vec<Cell>>, layout: Layout) -> String {
        let mut text = String::new();
        let laid_out = self.lay_out(header, layout, |line| {
            text.push_str(line);
            text.push('\n');
            Ok::<(), std::convert::Infallible>(())
        });
        match laid_out {
            Ok(()) => {}
            Err(never) => match never {},
        }
        text.pop();
        text
    }

    /// The rows as cells, for comfy-table.
    fn into_rows(self) -> Vec<Vec<Cell>> {
        let mut rows = Vec::with_capacity(self.row_ends.len());
        let mut text_start = 0;
        let mut cell_start = 0;
        for &row_end in &self.row_ends {
            let row = self.cells[cell_start..row_end]
                .iter()
                .map(|span| {
                    let cell = Cell {
                        // Escaped when it was added.
                        text: self.text[text_start..span.end].to_string(),
                        right: span.right,
                        tone: span.tone,
                        bold: false,
                    };
                    text_start = span.end;
                    cell
                })
                .collect();
            rows.push(row);
            cell_start = row_end;
        }
        rows
    }
}

impl Span {
    fn view(self, text: &str) -> CellView<'_> {
        CellView {
            text,
            width: self.width as usize,
            right: self.right,
            tone: self.tone,
            bold: false,
        }
    }
}

fn push_spaces(line: &mut String, mut count: usize) {
    const SPACES: &str = "                                                                ";
    while count > 0 {
        let chunk = count.min(SPACES.len());
        line.push_str(&SPACES[..chunk]);
        count -= chunk;
    }
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

    /// The same cells through a [`CellBuffer`].
    fn buffered(rows: &[Vec<Cell>]) -> CellBuffer {
        let mut buffer = CellBuffer::default();
        for row in rows {
            for cell in row {
                let added = buffer.add_str(&cell.text).tone(cell.tone);
                if cell.right {
                    added.right();
                }
            }
            buffer.end_row();
        }
        buffer
    }

    #[test]
    fn a_cell_buffer_lays_out_what_rows_of_cells_lay_out() {
        let mut odd = rows();
        odd.push(vec![
            Cell::new("tab\there\x1b[2J"),
            Cell::new("wide ノードノード"),
        ]);
        for color in [false, true] {
            for width in [None, Some(200), Some(45), Some(30), Some(8)] {
                let layout = Layout {
                    width,
                    color,
                    one_line_rows: true,
                };
                for header in [Some(header()), None] {
                    for rows in [rows(), odd.clone(), Vec::new()] {
                        let expected = render(header.clone(), rows.clone(), layout);
                        let buffer = buffered(&rows);
                        assert_eq!(buffer.render(header.clone(), layout), expected);
                    }
                }
            }
        }
    }

    #[test]
    fn a_cell_buffer_escapes_what_it_is_given() {
        let mut buffer = CellBuffer::default();
        buffer.add_str("one\ntwo\x1b[2J");
        buffer.add(format_args!("{}\u{85}", 7)).right();
        buffer.end_row();
        let layout = Layout {
            width: None,
            color: false,
            one_line_rows: true,
        };
        assert_eq!(buffer.render(None, layout), r"one\ntwo\e[2J  7\u{85}");
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
