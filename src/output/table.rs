//! Table cells and the table renderer.
//!
//! Commands build [`Cell`]s; [`render`] lays them out as a borderless, kubectl-like table.
//! A table that fits its width (or has none) is laid out directly: one pass to measure, one to
//! write, no allocation per cell (the 72,000 cells of `dashboard realtime` on 8,000 GPUs).
//!
//! A table wider than its width is fitted ([`plan_widths`]), by one rule the README states:
//! headers never break inside a word (a header wraps between its words only when it must);
//! numbers and times are never cut (a cut number reads as another number); free text
//! (messages, labels, changes, reasons, workloads) is cut first, then other values, and what
//! identifies a row (names, ids, UUIDs) last, each with '…'. When even that cannot fit, whole
//! columns are left out, free text first and from the right, and a line under the table names
//! them. A show view's values wrap between words instead of being cut.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

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
    /// The SGR code of this colour (256-colour palette, as crossterm writes it).
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
}

/// How a table is to be laid out.
#[derive(Debug, Clone, Copy)]
pub(super) struct Layout<'a> {
    /// The width to fit; None: as wide as the cells need.
    pub width: Option<u16>,
    /// Write colours and bold (the cells' tones and the header).
    pub color: bool,
    /// Cut a cell that does not fit with '…' rather than wrap it onto more lines.
    pub one_line_rows: bool,
    /// The columns' names, shown or not (`--no-headers`): what a column holds tells how
    /// readily it is cut ([`Priority`]). Empty for a show view's key–value lines.
    pub names: &'a [&'a str],
}

/// The table as text, lines without trailing blanks and no newline after the last.
/// `header` is None for a table without one.
pub(super) fn render(header: Option<Vec<Cell>>, rows: Vec<Vec<Cell>>, layout: Layout) -> String {
    let mut widths = Vec::new();
    for row in header.iter().chain(rows.iter()) {
        widen(&mut widths, row.iter().map(Cell::view));
    }
    if fits(&mut widths, layout.width) {
        return render_direct(header.as_deref(), &rows, &widths, layout.color);
    }
    let views: Vec<Vec<CellView<'_>>> = rows
        .iter()
        .map(|row| row.iter().map(Cell::view).collect())
        .collect();
    render_fitted(header.as_deref(), &views, layout)
}

/// Display width of one line of text.
pub(super) fn text_width(text: &str) -> usize {
    if text.is_ascii() {
        text.len()
    } else {
        text.width()
    }
}

/// Widens `widths` to hold a row's cells.
fn widen<'a>(widths: &mut Vec<usize>, row: impl Iterator<Item = CellView<'a>>) {
    for (column, cell) in row.enumerate() {
        match widths.get_mut(column) {
            Some(width) => *width = (*width).max(cell.width),
            None => widths.push(cell.width),
        }
    }
}

/// Whether columns of these widths (each made at least one character wide) fit `width`.
fn fits(widths: &mut [usize], width: Option<u16>) -> bool {
    for column_width in widths.iter_mut() {
        *column_width = (*column_width).max(1);
    }
    width.is_none_or(|limit| line_width(widths.iter().copied()) <= usize::from(limit))
}

/// The width of a line of columns this wide: the gaps between them, none after the last.
fn line_width(widths: impl Iterator<Item = usize>) -> usize {
    let (sum, count) = widths.fold((0usize, 0usize), |(sum, count), w| (sum + w, count + 1));
    sum + COLUMN_GAP * count.saturating_sub(1)
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

/// How readily a column is narrowed when a table does not fit: the lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Priority {
    /// Free text: messages, labels, changes, reasons, workloads.
    Text,
    /// Values that neither identify a row nor are numbers or times.
    Plain,
    /// What identifies a row: names, ids, UUIDs.
    Key,
    /// Numbers (right-aligned cells) and times: never cut, only left out.
    Whole,
}

/// Header words (the first word of a column's name) of free text, cut first.
const TEXT_WORDS: &[&str] = &[
    "message",
    "labels",
    "change",
    "reason",
    "detail",
    "description",
    "workload",
    "pods",
    "url",
    "error",
    "note",
    "condition",
    "action",
    "drift",
];

/// Header words of columns that identify a row, cut last.
const KEY_WORDS: &[&str] = &[
    "id", "name", "node", "cluster", "gpu", "uuid", "device", "subject", "rule", "receiver",
    "check", "owner", "actor", "ip", "kind",
];

/// How narrow a column is cut, by priority: first to a soft floor, then to a hard one, in the
/// order of [`STAGES`] (a header word may hold a column wider).
/// A message keeps a dozen characters; a UUID enough to tell GPUs apart.
const TEXT_SOFT_FLOOR: usize = 24;
const TEXT_FLOOR: usize = 12;
const PLAIN_SOFT_FLOOR: usize = 12;
const PLAIN_FLOOR: usize = 6;
const KEY_SOFT_FLOOR: usize = 20;
const KEY_FLOOR: usize = 12;

/// A column as fitting it sees it.
#[derive(Debug, Clone, Copy)]
struct Column {
    /// Its widest cell.
    content: usize,
    /// Its header on one line, and its longest header word.
    header: usize,
    header_word: usize,
    priority: Priority,
    /// Never cut (numbers, times, charts): kept whole or left out.
    uncut: bool,
}

impl Column {
    /// The narrowest this column is cut to at a stage of fitting: with its header whole or
    /// wrapped between words, to its soft or its hard floor.
    fn floor(&self, whole_header: bool, soft: bool) -> usize {
        let header = if whole_header {
            self.header
        } else {
            self.header_word
        };
        let floor = match (self.priority, soft) {
            _ if self.uncut => usize::MAX,
            (Priority::Key, true) => KEY_SOFT_FLOOR,
            (Priority::Key, false) => KEY_FLOOR,
            (Priority::Plain, true) => PLAIN_SOFT_FLOOR,
            (Priority::Plain, false) => PLAIN_FLOOR,
            (Priority::Text | Priority::Whole, true) => TEXT_SOFT_FLOOR,
            (Priority::Text | Priority::Whole, false) => TEXT_FLOOR,
        };
        header.max(self.content.min(floor)).max(1)
    }
}

/// What a column holds, from its name and cells (see [`Priority`]), and whether it is kept
/// uncut: numbers (right-aligned), times, and a chart (a column without a name).
fn priority(name: Option<&str>, cells: &[CellView<'_>]) -> (Priority, bool) {
    let values = || cells.iter().filter(|c| !matches!(c.text, "" | "-"));
    if values().next().is_some() && values().all(|c| c.right || looks_like_time(c.text)) {
        return (Priority::Whole, true);
    }
    let Some(name) = name else {
        return (Priority::Plain, false);
    };
    let word = name
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_lowercase();
    if word.is_empty() {
        // A bar chart: cut it reads as another value; it goes first instead.
        (Priority::Text, true)
    } else if TEXT_WORDS.contains(&word.as_str()) {
        (Priority::Text, false)
    } else if KEY_WORDS.contains(&word.as_str()) {
        (Priority::Key, false)
    } else {
        (Priority::Plain, false)
    }
}

/// `2026-11-29 10:00`, `2026-11-29T10:00:00Z`, `2026-11-29`: a time as tables show one.
fn looks_like_time(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() >= 10
        && bytes[..4].iter().all(u8::is_ascii_digit)
        && bytes[4] == b'-'
        && bytes[5..7].iter().all(u8::is_ascii_digit)
        && bytes[7] == b'-'
        && bytes[8..10].iter().all(u8::is_ascii_digit)
}

/// The stages of narrowing a table: which priority, to which floor (header whole or
/// wrapped, soft or hard floor).
const STAGES: &[(Priority, bool, bool)] = &[
    (Priority::Text, true, true),
    (Priority::Plain, true, true),
    (Priority::Text, true, false),
    (Priority::Key, true, true),
    (Priority::Plain, true, false),
    (Priority::Key, true, false),
    (Priority::Text, false, false),
    (Priority::Plain, false, false),
    (Priority::Key, false, false),
    (Priority::Whole, false, false),
];

/// The width of each column that fits `limit`, None for a column left out. Columns are left
/// out (lowest priority, rightmost first; never the first) until their narrowest fit, then
/// narrowed from their natural widths by [`STAGES`], the widest of a stage first, until the
/// table fits: free text, then the rest, then what identifies a row, each headers whole
/// before any header wraps between its words.
fn plan_widths(columns: &[Column], limit: usize) -> Vec<Option<usize>> {
    let count = columns.len();
    let mut kept = vec![true; count];
    let total = |kept: &[bool], width: &dyn Fn(usize) -> usize| {
        line_width((0..count).filter(|&i| kept[i]).map(width))
    };
    let mut leave_out = (1..count).collect::<Vec<_>>();
    leave_out.sort_by_key(|&i| (columns[i].priority, std::cmp::Reverse(i)));
    let mut leave_out = leave_out.into_iter();
    while total(&kept, &|i| columns[i].floor(false, false)) > limit {
        match leave_out.next() {
            Some(i) => kept[i] = false,
            None => break,
        }
    }
    let mut widths: Vec<usize> = columns
        .iter()
        .map(|c| c.content.max(c.header).max(1))
        .collect();
    'fitted: for &(priority, whole_header, soft) in STAGES {
        loop {
            let excess = total(&kept, &|i| widths[i]).saturating_sub(limit);
            if excess == 0 {
                break 'fitted;
            }
            let narrowable = |i: usize| {
                kept[i]
                    && columns[i].priority == priority
                    && widths[i] > columns[i].floor(whole_header, soft)
            };
            let Some(widest) = (0..count)
                .filter(|&i| narrowable(i))
                .max_by_key(|&i| (widths[i], i))
            else {
                break;
            };
            // Down to the next widest at once (a 10,000-character label is not cut one
            // character at a time), never past the excess or the floor.
            let next = (0..count)
                .filter(|&i| i != widest && narrowable(i))
                .map(|i| widths[i])
                .max()
                .unwrap_or(0);
            let floor = columns[widest].floor(whole_header, soft);
            let step = (widths[widest] - next.max(floor)).clamp(1, excess);
            widths[widest] -= step.min(widths[widest] - floor);
        }
    }
    // Only a first column wider than the whole width is left too wide: cut it.
    let excess = total(&kept, &|i| widths[i]).saturating_sub(limit);
    if let Some(first) = widths.first_mut() {
        *first = first.saturating_sub(excess).max(1);
    }
    kept.iter()
        .zip(widths)
        .map(|(kept, width)| kept.then_some(width))
        .collect()
}

/// A table too wide for `layout.width`, fitted as the module's rule says.
fn render_fitted(header: Option<&[Cell]>, rows: &[Vec<CellView<'_>>], layout: Layout) -> String {
    let limit = usize::from(layout.width.unwrap_or(u16::MAX));
    let count = header
        .map_or(0, <[Cell]>::len)
        .max(rows.iter().map(Vec::len).max().unwrap_or(0));
    let mut column_cells: Vec<Vec<CellView<'_>>> = vec![Vec::new(); count];
    for row in rows {
        for (column, cell) in row.iter().enumerate() {
            column_cells[column].push(*cell);
        }
    }
    let columns: Vec<Column> = (0..count)
        .map(|i| {
            let title = header
                .and_then(|h| h.get(i))
                .map_or("", |c| c.text.as_str());
            let name = layout.names.get(i).copied();
            let (priority, uncut) = if layout.names.is_empty() && i == 0 {
                // A show view's keys.
                (Priority::Whole, true)
            } else {
                priority(name, &column_cells[i])
            };
            Column {
                content: column_cells[i].iter().map(|c| c.width).max().unwrap_or(0),
                header: text_width(title),
                header_word: title.split(' ').map(text_width).max().unwrap_or(0),
                priority,
                uncut,
            }
        })
        .collect();
    let widths = plan_widths(&columns, limit);
    let mut text = String::new();
    let mut line = String::new();
    if let Some(header) = header {
        push_row(
            &mut text,
            &mut line,
            header.iter().map(Cell::view),
            &widths,
            layout.color,
            false,
        );
    }
    for row in rows {
        let cut = layout.one_line_rows;
        push_row(
            &mut text,
            &mut line,
            row.iter().copied(),
            &widths,
            layout.color,
            cut,
        );
    }
    let left_out: Vec<String> = (0..count)
        .filter(|&i| widths[i].is_none())
        .map(|i| {
            let title = header
                .and_then(|h| h.get(i))
                .map_or("", |c| c.text.as_str());
            if title.is_empty() {
                "(chart)".to_string()
            } else {
                title.to_string()
            }
        })
        .collect();
    if header.is_some() && !left_out.is_empty() {
        let note = format!(
            "{} {} left out to fit {limit} columns (-o json shows every field)",
            left_out.join(", "),
            if left_out.len() == 1 { "is" } else { "are" },
        );
        for piece in wrap_words(&note, limit) {
            text.push_str(&piece);
            text.push('\n');
        }
    }
    text.pop();
    text
}

/// One row of a fitted table into `text`: each cell cut with '…' (`cut`) or wrapped between
/// words to its column, on as many lines as its tallest cell needs.
fn push_row<'a>(
    text: &mut String,
    line: &mut String,
    cells: impl Iterator<Item = CellView<'a>>,
    widths: &[Option<usize>],
    color: bool,
    cut: bool,
) {
    let mut pieces: Vec<(CellView<'a>, Vec<String>)> = Vec::with_capacity(widths.len());
    let mut cells = cells;
    let mut kept_widths = Vec::with_capacity(widths.len());
    for width in widths {
        let cell = cells.next();
        let Some(width) = *width else {
            continue;
        };
        kept_widths.push(width);
        let cell = cell.unwrap_or(CellView {
            text: "",
            width: 0,
            right: false,
            tone: None,
            bold: false,
        });
        let lines = if cell.width <= width {
            vec![cell.text.to_string()]
        } else if cut {
            vec![cut_to(cell.text, width)]
        } else {
            wrap_words(cell.text, width)
        };
        pieces.push((cell, lines));
    }
    let height = pieces
        .iter()
        .map(|(_, l)| l.len())
        .max()
        .unwrap_or(1)
        .max(1);
    for k in 0..height {
        let views = pieces.iter().map(|(cell, lines)| {
            let piece = lines.get(k).map_or("", String::as_str);
            CellView {
                text: piece,
                width: text_width(piece),
                ..*cell
            }
        });
        lay_out_line(line, views, &kept_widths, color);
        text.push_str(line);
        text.push('\n');
    }
}

/// `text` cut to `width` display columns, its end replaced by '…'.
fn cut_to(text: &str, width: usize) -> String {
    let mut out = String::with_capacity(width + 3);
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// `text` on lines of at most `width` display columns, broken between words; a word wider
/// than a line is broken where it must be.
pub(super) fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let word_width = text_width(word);
        if used > 0 && used + 1 + word_width <= width {
            line.push(' ');
            line.push_str(word);
            used += 1 + word_width;
            continue;
        }
        if used > 0 {
            lines.push(std::mem::take(&mut line));
            used = 0;
        }
        if word_width <= width {
            line.push_str(word);
            used = word_width;
            continue;
        }
        for c in word.chars() {
            let w = c.width().unwrap_or(0);
            if used + w > width && used > 0 {
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            line.push(c);
            used += w;
        }
    }
    if used > 0 || lines.is_empty() {
        lines.push(line);
    }
    lines
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
    // Blanks are owed until visible text follows them: a line never ends in blanks, coloured
    // or not, and a colour or bold covers its text alone.
    let mut blanks = 0;
    for &column_width in widths {
        let cell = cells.next();
        let (content, content_width) = cell.map_or(("", 0), |c| (c.text, c.width));
        // A cut or wrapped cell fits its column; a wide character in a one-wide column may not.
        let pad = column_width.saturating_sub(content_width);
        if cell.is_some_and(|c| c.right) {
            blanks += pad;
        }
        if !content.is_empty() {
            push_spaces(line, blanks);
            blanks = 0;
            let style = cell.filter(|c| color && c.styled());
            if let Some(cell) = style {
                if let Some(tone) = cell.tone {
                    line.push_str(tone.sgr());
                }
                if cell.bold {
                    line.push_str("\x1b[1m");
                }
            }
            line.push_str(content);
            if let Some(cell) = style {
                // Bold is undone by a full reset, a colour alone by the default colour.
                line.push_str(if cell.bold { "\x1b[0m" } else { "\x1b[39m" });
            }
        }
        if !cell.is_some_and(|c| c.right) {
            blanks += pad;
        }
        blanks += COLUMN_GAP;
    }
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
    /// directly when it fits, else fitted as [`render`] does.
    pub(super) fn lay_out<E>(
        self,
        header: Option<Vec<Cell>>,
        layout: Layout,
        mut line: impl FnMut(&str) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut widths = self.widths.clone();
        if let Some(header) = &header {
            widen(&mut widths, header.iter().map(Cell::view));
        }
        if !fits(&mut widths, layout.width) {
            let table = render_fitted(header.as_deref(), &self.row_views(), layout);
            if table.is_empty() {
                return Ok(());
            }
            return table.split('\n').try_for_each(line);
        }
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

    /// The rows as views of their cells, for a table that must be fitted.
    fn row_views(&self) -> Vec<Vec<CellView<'_>>> {
        let mut rows = Vec::with_capacity(self.row_ends.len());
        let mut text_start = 0;
        let mut cell_start = 0;
        for &row_end in &self.row_ends {
            let row = self.cells[cell_start..row_end]
                .iter()
                .map(|span| {
                    let view = span.view(&self.text[text_start..span.end]);
                    text_start = span.end;
                    view
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

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: &[&str] = &["name", "gpus", "", "status"];

    fn header() -> Vec<Cell> {
        NAMES
            .iter()
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

    fn layout(width: Option<u16>) -> Layout<'static> {
        Layout {
            width,
            color: false,
            one_line_rows: true,
            names: NAMES,
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
                    color,
                    ..layout(width)
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
        assert_eq!(buffer.render(None, layout(None)), r"one\ntwo\e[2J  7\u{85}");
    }

    #[test]
    fn columns_are_as_wide_as_their_widest_cell_plus_two_spaces() {
        let text = render(Some(header()), rows(), layout(None));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "NAME        GPUS              STATUS");
        assert_eq!(lines[1], "gpu-node-1     8  ███▌        ready");
        assert_eq!(lines[3], "ノード         -              cordoned");
        assert_eq!(lines[4], "short row");
        // A table that fits its width exactly is laid out as without one.
        let exact = lines.iter().map(|l| l.width()).max().unwrap();
        assert_eq!(
            render(Some(header()), rows(), layout(Some(exact as u16))),
            text
        );
    }

    #[test]
    fn colour_and_bold_wrap_each_cell_and_are_undone() {
        let layout = Layout {
            color: true,
            ..layout(None)
        };
        let text = render(Some(header()), rows(), layout);
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines[0].starts_with("\x1b[1mNAME\x1b[0m        \x1b[1mGPUS"),
            "{text:?}"
        );
        assert!(
            lines[1].ends_with("  \x1b[38;5;10mready\x1b[39m"),
            "{text:?}"
        );
    }

    #[test]
    fn a_table_wider_than_the_terminal_is_cut_with_an_ellipsis() {
        let text = render(Some(header()), rows(), layout(Some(24)));
        assert!(text.lines().all(|l| l.width() <= 24), "{text}");
        assert!(text.contains("gpu-node-1     8  ready"), "{text}");
        assert!(text.contains("not-r…"), "{text}");
        // The chart, never cut, goes first.
        assert!(text.contains("(chart) is left out"), "{text}");
    }

    fn message_table() -> (Vec<Cell>, Vec<Vec<Cell>>) {
        let header = ["id", "node", "last seen", "message"]
            .iter()
            .map(|h| Cell::new(h.to_uppercase()))
            .collect();
        let rows = (0..3)
            .map(|i| {
                vec![
                    Cell::new(i).right(),
                    Cell::new(format!("pe-gpu-00{i}.example")),
                    Cell::new("2026-11-29 10:00"),
                    Cell::new("GPU temperature is above the critical threshold ".repeat(2)),
                ]
            })
            .collect();
        (header, rows)
    }

    const MESSAGE_NAMES: &[&str] = &["id", "node", "last seen", "message"];

    #[test]
    fn free_text_is_cut_before_names_and_times() {
        let (header, rows) = message_table();
        let layout = Layout {
            names: MESSAGE_NAMES,
            ..layout(Some(70))
        };
        let text = render(Some(header), rows, layout);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        for line in &lines {
            assert!(line.width() <= 70, "{text}");
        }
        // The node and the time whole; the message cut to what is left.
        assert!(
            lines[1].starts_with(" 0  pe-gpu-000.example  2026-11-29 10:00  GPU temperature"),
            "{text}"
        );
        assert!(lines[1].ends_with('…'), "{text}");
    }

    #[test]
    fn headers_wrap_between_words_never_inside_one() {
        let header: Vec<Cell> = ["ID", "IDLE GPU-HOURS", "AVG UTIL", "SAMPLES"]
            .iter()
            .map(Cell::new)
            .collect();
        let rows = vec![vec![
            Cell::new(3).right(),
            Cell::new("7.71").right(),
            Cell::new("2.0").right(),
            Cell::new(1080).right(),
        ]];
        let names = &["id", "idle gpu-hours", "avg util", "samples"];
        let layout = Layout {
            names,
            ..layout(Some(30))
        };
        let text = render(Some(header), rows, layout);
        assert_eq!(
            text,
            "ID  IDLE       AVG     SAMPLES\n    GPU-HOURS  UTIL\n 3       7.71     2.0     1080",
        );
    }

    #[test]
    fn columns_that_cannot_fit_are_left_out_and_named() {
        let (header, rows) = message_table();
        let layout = Layout {
            names: MESSAGE_NAMES,
            ..layout(Some(40))
        };
        let text = render(Some(header), rows, layout);
        for line in text.lines() {
            assert!(line.width() <= 40, "{text}");
        }
        assert!(!text.contains("GPU temperature"), "{text}");
        assert!(
            text.contains("MESSAGE is left out to fit 40 columns"),
            "{text}"
        );
        assert!(
            text.contains("pe-gpu-000.example  2026-11-29 10:00"),
            "{text}"
        );
    }

    #[test]
    fn show_view_values_wrap_between_words() {
        let rows = vec![
            vec![
                Cell::new("labels:").bold(),
                Cell::new("alpha beta gamma delta"),
            ],
            vec![Cell::new("name:").bold(), Cell::new("n1")],
        ];
        let layout = Layout {
            one_line_rows: false,
            names: &[],
            ..layout(Some(20))
        };
        assert_eq!(
            render(None, rows, layout),
            "labels:  alpha beta\n         gamma delta\nname:    n1"
        );
    }

    #[test]
    fn wrapping_breaks_between_words_and_inside_only_a_too_long_word() {
        assert_eq!(wrap_words("one two three", 7), ["one two", "three"]);
        assert_eq!(wrap_words("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap_words("", 4), [""]);
        assert_eq!(cut_to("pe-gpu-001", 6), "pe-gp…");
        assert_eq!(cut_to("ノードノード", 5), "ノー…");
    }

    #[test]
    fn a_cell_shows_control_characters_escaped_on_one_line() {
        let rows = vec![vec![Cell::new("one\ntwo\x1b[2J"), Cell::new("x")]];
        let layout = Layout {
            one_line_rows: false,
            ..layout(None)
        };
        assert_eq!(render(None, rows, layout), r"one\ntwo\e[2J  x");
    }
}

#[cfg(test)]
mod props {
    use proptest::prelude::*;

    use super::*;

    const NAMES: &[&str] = &["name", "message", "gpus", "last seen", "", "status"];

    fn cell() -> impl Strategy<Value = (String, bool)> {
        ("[a-z0-9ノ .-]{0,40}", any::<bool>())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn a_fitted_table_never_exceeds_its_width(
            rows in prop::collection::vec(prop::collection::vec(cell(), 0..7), 0..6),
            width in 20u16..160,
            with_header in any::<bool>(),
        ) {
            let header = with_header.then(|| {
                NAMES.iter().map(|n| Cell::new(n.to_uppercase()).bold()).collect::<Vec<_>>()
            });
            let rows: Vec<Vec<Cell>> = rows
                .into_iter()
                .map(|row| {
                    row.into_iter()
                        .map(|(text, right)| if right { Cell::new(text).right() } else { Cell::new(text) })
                        .collect()
                })
                .collect();
            let layout = Layout { width: Some(width), color: false, one_line_rows: true, names: NAMES };
            let text = render(header, rows.clone(), layout);
            for line in text.lines() {
                prop_assert!(line.width() <= usize::from(width), "{} > {width}:\n{text}", line.width());
            }
            let buffered = {
                let mut buffer = CellBuffer::default();
                for row in &rows {
                    for cell in row {
                        let added = buffer.add_str(&cell.text);
                        if cell.right {
                            added.right();
                        }
                    }
                    buffer.end_row();
                }
                buffer
            };
            let header = with_header.then(|| {
                NAMES.iter().map(|n| Cell::new(n.to_uppercase()).bold()).collect::<Vec<_>>()
            });
            prop_assert_eq!(buffered.render(header, layout), text);
        }
    }
}

#[cfg(test)]
mod long_cells {
    use super::*;

    #[test]
    fn a_huge_cell_is_cut_at_once() {
        let rows = vec![vec![Cell::new("node-1"), Cell::new("x".repeat(1_000_000))]];
        let layout = Layout {
            width: Some(60),
            color: false,
            one_line_rows: true,
            names: &["node", "labels"],
        };
        let started = std::time::Instant::now();
        let text = render(None, rows, layout);
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        assert_eq!(text, format!("node-1  {}…", "x".repeat(51)));
    }
}
