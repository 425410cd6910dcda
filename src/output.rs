//! All printing: tables ([`table`]), JSON (serde_json) and CSV, colour, charts, the watch
//! redraw, raw passthrough, and what goes to stderr (notes, warnings, confirmations, errors).
//!
//! Commands build rows (plain structs that derive Serialize) and hand them here. Text and JSON
//! are separate render paths, so a prettier table never breaks a script.
//!
//! The output contract, the same for every command: a table, JSON or CSV; CSV always opens with
//! its header row (unless `--no-headers`), named by the rows' own serde fields, so an empty list
//! names the columns its rows would have; a command that cannot give a format refuses it up
//! front ([`Output::require_format`]: exit 2, naming the formats it gives). Nothing outside this
//! module (and the entry points, main.rs and lib.rs) writes to stdout or stderr; a test holds
//! the source tree to that.
//!
//! Terminal safety lives here too: a [`Cell`] escapes the control characters of its text when
//! it is made, and every other human line (a show view, a footer, notes, warnings, errors)
//! passes through [`crate::terminal`] on its way out, so no command can forget. JSON and CSV
//! are data and carry every string exactly.

use std::io::{self, IsTerminal, Write};

use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::terminal;

pub(crate) mod rows;
mod table;

pub(crate) use table::{Cell, CellBuffer, Tone};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    Table,
    Json,
    Csv,
}

impl Format {
    /// The name `-o` takes.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Csv => "csv",
        }
    }
}

/// The formats a command that prints a table, a JSON view and no CSV can give.
pub(crate) const TABLE_AND_JSON: &[Format] = &[Format::Table, Format::Json];

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// A row of a list: its table columns. JSON and CSV come from its Serialize impl instead.
pub(crate) trait TableRow {
    fn headers() -> Vec<&'static str>;
    fn cells(&self, out: &Output) -> Vec<Cell>;
}

/// A row of a list printed as it streams from the store ([`Output::stream`]): JSON and CSV
/// from its Serialize impl (scalar fields only, as CSV needs), the table from the cells it
/// adds, one per header.
pub(crate) trait StreamRow: Serialize {
    fn add_cells(&self, out: &Output, cells: &mut CellBuffer);
}

/// Stdout as lists write it.
type Stdout = io::BufWriter<io::StdoutLock<'static>>;

/// An open JSON array on stdout, written one element at a time by serde_json itself.
type JsonArray<'a> = <&'a mut serde_json::Serializer<
    &'a mut Stdout,
    serde_json::ser::PrettyFormatter<'static>,
> as serde::Serializer>::SerializeSeq;

/// Where [`Output::stream`] sends each row: straight into stdout's buffer in the output's format,
/// or, for a table, into the cells laid out once the widths are known.
pub(crate) struct ListSink<'a> {
    out: &'a Output,
    format: SinkFormat<'a>,
    /// Rows pushed so far: an empty CSV list still prints its header.
    rows: usize,
}

enum SinkFormat<'a> {
    Json(JsonArray<'a>),
    // Boxed: the writer is large beside the other two.
    Csv(Box<csv::Writer<&'a mut Stdout>>),
    Table(&'a mut CellBuffer),
}

impl ListSink<'_> {
    /// Prints one row.
    pub(crate) fn push<R: StreamRow>(&mut self, row: &R) -> Result<()> {
        use serde::ser::SerializeSeq as _;
        self.rows += 1;
        match &mut self.format {
            SinkFormat::Json(array) => array.serialize_element(row)?,
            SinkFormat::Csv(writer) => writer.serialize(row)?,
            SinkFormat::Table(cells) => {
                row.add_cells(self.out, cells);
                cells.end_row();
            }
        }
        Ok(())
    }

    /// Closes the JSON array or flushes the CSV writer.
    fn finish(self) -> Result<()> {
        use serde::ser::SerializeSeq as _;
        match self.format {
            SinkFormat::Json(array) => array.end()?,
            SinkFormat::Csv(mut writer) => writer.flush()?,
            SinkFormat::Table(_) => {}
        }
        Ok(())
    }
}

/// How the user asked for output, shared by every command.
#[derive(Debug, Clone)]
pub(crate) struct Output {
    pub format: Format,
    pub no_headers: bool,
    pub color: bool,
    pub quiet: bool,
    pub verbose: bool,
    /// Table width: `COLUMNS` when set, else the terminal's; None when stdout is not a terminal.
    pub width: Option<u16>,
}

impl Output {
    pub(crate) fn new(
        format: Format,
        no_headers: bool,
        color: ColorChoice,
        quiet: bool,
        verbose: bool,
    ) -> Self {
        let stdout_is_terminal = io::stdout().is_terminal();
        let color = match color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                stdout_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        };
        let width = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.parse::<u16>().ok())
            .filter(|w| *w > 0)
            .or_else(|| stdout_is_terminal.then(terminal_width).flatten());
        Output {
            format,
            no_headers,
            color,
            quiet,
            verbose,
            width,
        }
    }

    /// Prints a list: a table with an optional footer, a JSON array, or CSV rows under their
    /// header, which an empty list prints too: its names are the fields of `T::default()`.
    pub(crate) fn list<T: Serialize + TableRow + Default>(
        &self,
        rows: &[T],
        footer: Option<String>,
    ) -> Result<()> {
        self.list_shaped(rows, footer, T::default)
    }

    /// [`Output::list`] for rows whose fields depend on their values (a field skipped when
    /// None): `sample` gives a row shaped as these rows are, for the CSV header of an empty list.
    pub(crate) fn list_shaped<T: Serialize + TableRow>(
        &self,
        rows: &[T],
        footer: Option<String>,
        sample: impl FnOnce() -> T,
    ) -> Result<()> {
        // Stdout is line-buffered: a pretty JSON array would be thousands of writes without this.
        let mut stdout = io::BufWriter::with_capacity(64 * 1024, io::stdout().lock());
        match self.format {
            Format::Json => write_json(&mut stdout, &rows)?,
            Format::Csv => self.write_csv(&mut stdout, rows, sample)?,
            Format::Table => {
                let table = self.table(T::headers(), rows.iter().map(|r| r.cells(self)).collect());
                if !rows.is_empty() || !self.no_headers {
                    writeln!(stdout, "{table}")?;
                }
                if let Some(footer) = footer.filter(|_| !self.no_headers) {
                    writeln!(stdout, "{}", self.footer(&footer))?;
                }
            }
        }
        stdout.flush()?;
        Ok(())
    }

    /// Prints a list whose rows `fill` hands to the sink as it reads them, each written once
    /// and dropped: JSON and CSV go straight into stdout's buffer, a table's cells into one
    /// [`CellBuffer`] (its widths must be known before its first line). What `fill` returns
    /// is the footer under a table. The bytes are those [`Output::list`] prints for the same
    /// rows, the CSV header of an empty list included (the fields of `R::default()`).
    pub(crate) fn stream<R: StreamRow + Default>(
        &self,
        headers: &[&str],
        fill: impl FnOnce(&mut ListSink<'_>) -> Result<Option<String>>,
    ) -> Result<()> {
        let mut stdout = io::BufWriter::with_capacity(64 * 1024, io::stdout().lock());
        match self.format {
            Format::Json => {
                use serde::Serializer as _;
                let mut serializer = serde_json::Serializer::pretty(&mut stdout);
                let array = serializer.serialize_seq(None)?;
                let mut sink = ListSink {
                    out: self,
                    format: SinkFormat::Json(array),
                    rows: 0,
                };
                fill(&mut sink)?;
                sink.finish()?;
                writeln!(stdout)?;
            }
            Format::Csv => {
                let writer = csv::WriterBuilder::new()
                    .has_headers(!self.no_headers)
                    .from_writer(&mut stdout);
                let mut sink = ListSink {
                    out: self,
                    format: SinkFormat::Csv(Box::new(writer)),
                    rows: 0,
                };
                fill(&mut sink)?;
                if let (0, false, SinkFormat::Csv(writer)) =
                    (sink.rows, self.no_headers, &mut sink.format)
                {
                    writer.write_record(csv_header(&R::default())?)?;
                }
                sink.finish()?;
            }
            Format::Table => {
                let mut cells = CellBuffer::default();
                let footer = fill(&mut self.table_sink(&mut cells))?;
                cells.lay_out(
                    self.header_cells(headers),
                    self.layout(headers, true),
                    |line| {
                        stdout.write_all(line.as_bytes())?;
                        stdout.write_all(b"\n")
                    },
                )?;
                if let Some(footer) = footer.filter(|_| !self.no_headers) {
                    writeln!(stdout, "{}", self.footer(&footer))?;
                }
            }
        }
        stdout.flush()?;
        Ok(())
    }

    /// Prints one object: JSON as is, CSV as one row, or the text view that `render` writes.
    pub(crate) fn show<T: Serialize>(
        &self,
        value: &T,
        render: impl FnOnce(&Output, &mut dyn Write) -> Result<()>,
    ) -> Result<()> {
        let mut stdout = io::BufWriter::with_capacity(64 * 1024, io::stdout().lock());
        match self.format {
            Format::Json => write_json(&mut stdout, value)?,
            Format::Csv => self.write_csv(&mut stdout, std::slice::from_ref(value), || value)?,
            Format::Table => {
                // A show view mixes cells (escaped already) with lines of stored text: render
                // it whole, then escape whatever control character is not gpuctl's own colour.
                let mut text = Vec::with_capacity(4096);
                render(self, &mut text)?;
                let text = String::from_utf8_lossy(&text);
                stdout.write_all(terminal::sanitize(&text, self.color).as_bytes())?;
            }
        }
        stdout.flush()?;
        Ok(())
    }

    /// A borderless, kubectl-like table that fits the width, rendered without trailing blanks.
    pub(crate) fn table(&self, headers: Vec<&str>, rows: Vec<Vec<Cell>>) -> String {
        self.render_table(headers, rows, true)
    }

    /// A sink that adds each row's cells to `cells`, for a table laid out later
    /// ([`Output::buffered_table`]).
    pub(crate) fn table_sink<'a>(&'a self, cells: &'a mut CellBuffer) -> ListSink<'a> {
        ListSink {
            out: self,
            format: SinkFormat::Table(cells),
            rows: 0,
        }
    }

    /// [`Output::table`] of the cells in a buffer, for a list of many rows.
    pub(crate) fn buffered_table(&self, headers: &[&str], cells: CellBuffer) -> String {
        cells.render(self.header_cells(headers), self.layout(headers, true))
    }

    fn render_table(
        &self,
        headers: Vec<&str>,
        rows: Vec<Vec<Cell>>,
        one_line_rows: bool,
    ) -> String {
        table::render(
            self.header_cells(&headers),
            rows,
            self.layout(&headers, one_line_rows),
        )
    }

    /// A table's header row, or None without headers.
    fn header_cells(&self, headers: &[&str]) -> Option<Vec<Cell>> {
        (!self.no_headers && !headers.is_empty())
            .then(|| headers.iter().map(|h| self.header_cell(h)).collect())
    }

    fn layout<'a>(&self, names: &'a [&'a str], one_line_rows: bool) -> table::Layout<'a> {
        table::Layout {
            width: self.width,
            color: self.color,
            one_line_rows,
            names,
        }
    }

    /// A line under a table, escaped and wrapped between words to the width.
    fn footer(&self, footer: &str) -> String {
        let footer = terminal::escape(footer);
        match self.width {
            Some(width) => table::wrap_words(&footer, usize::from(width)).join("\n"),
            None => footer.into_owned(),
        }
    }

    /// Key–value lines for a show command: `name:   gpu-node-1`.
    pub(crate) fn fields(&self, pairs: Vec<(&str, String)>) -> String {
        let rows = pairs
            .into_iter()
            .map(|(key, value)| vec![self.key_cell(key), Cell::new(value)])
            .collect();
        // A value wraps rather than being cut: a show view is read, not grepped.
        self.render_table(Vec::new(), rows, false)
    }

    fn header_cell(&self, text: &str) -> Cell {
        Cell::new(text.to_uppercase()).bold()
    }

    fn key_cell(&self, text: &str) -> Cell {
        Cell::new(format!("{text}:")).bold()
    }

    /// A cell for a status word, coloured by how healthy it sounds.
    pub(crate) fn status_cell(&self, word: &str) -> Cell {
        self.tone_cell(word, word)
    }

    /// A cell showing `text`, coloured as the status word `tone` would be.
    pub(crate) fn tone_cell(&self, text: &str, tone: &str) -> Cell {
        let cell = Cell::new(text);
        match self.tone(tone) {
            Some(tone) => cell.tone(tone),
            None => cell,
        }
    }

    /// The colour of a status word, by how healthy it sounds.
    pub(crate) fn tone(&self, word: &str) -> Option<Tone> {
        match word {
            "ready" | "active" | "resolved" | "released" => Some(Tone::Green),
            "maintenance" | "cordoned" | "acknowledged" | "warning" | "expired" => {
                Some(Tone::Yellow)
            }
            "not-ready" | "faulty" | "firing" | "critical" | "fail" => Some(Tone::Red),
            "decommissioned" | "retired" | "removed" => Some(Tone::Grey),
            _ => None,
        }
    }

    /// A right-aligned cell, for numbers.
    pub(crate) fn number_cell(&self, text: impl ToString) -> Cell {
        Cell::new(text).right()
    }

    /// A progress bar on stderr when stderr is a terminal and not `-q`; hidden otherwise.
    pub(crate) fn progress(&self, length: u64, message: &str) -> indicatif::ProgressBar {
        if self.quiet || !io::stderr().is_terminal() {
            return indicatif::ProgressBar::hidden();
        }
        let bar = indicatif::ProgressBar::new(length);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({eta} left)")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(message.to_string());
        bar
    }

    /// A spinner on stderr for work of unknown length (prune, vacuum, a replayed backfill), on a
    /// terminal only; hidden otherwise. Finish it with `finish_and_clear`.
    pub(crate) fn spinner(&self, message: &str) -> indicatif::ProgressBar {
        if self.quiet || !io::stderr().is_terminal() {
            return indicatif::ProgressBar::hidden();
        }
        let spinner = indicatif::ProgressBar::new_spinner();
        spinner.set_message(message.to_string());
        spinner.enable_steady_tick(std::time::Duration::from_millis(100));
        spinner
    }

    /// A note for the user on stderr; `-q` silences it.
    pub(crate) fn note(&self, message: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("{}", terminal::sanitize(message.as_ref(), false));
        }
    }

    /// Detail printed only with `-v`.
    pub(crate) fn detail(&self, message: impl AsRef<str>) {
        if self.verbose && !self.quiet {
            eprintln!("{}", terminal::sanitize(message.as_ref(), false));
        }
    }

    /// `gpuctl: warning: …` on stderr: something the user should know that did not stop the
    /// command. `-q` silences it (quiet prints nothing but data and errors).
    pub(crate) fn warn(&self, message: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("gpuctl: warning: {}", terminal::line(message.as_ref()));
        }
    }

    /// What a change did, said on stderr next to a table of the changed rows; nothing with
    /// `-q`, nor with JSON or CSV, whose readers want the rows alone.
    pub(crate) fn confirm(&self, message: impl AsRef<str>) {
        if !self.quiet && self.format == Format::Table {
            eprintln!("{}", terminal::sanitize(message.as_ref(), false));
        }
    }

    /// An error a command reports and survives (a failed run of `collect --every`), as the
    /// entry point reports the one that ends a command: one line, and its hint.
    pub(crate) fn error(&self, error: &Error) {
        report_error(error);
    }

    /// Bytes that are already in their final form (a completion script, Prometheus text),
    /// passed through to stdout as they are.
    pub(crate) fn raw(&self, bytes: &[u8]) -> Result<()> {
        let mut stdout = io::stdout().lock();
        stdout.write_all(bytes)?;
        stdout.flush()?;
        Ok(())
    }

    /// Whether [`Output::redraw`] can work: a table, on a terminal.
    pub(crate) fn can_redraw(&self) -> bool {
        self.format == Format::Table && io::stdout().is_terminal()
    }

    /// One frame of a `--watch` view: homes the cursor, clears the screen, draws `frame`.
    pub(crate) fn redraw(&self, frame: &str) -> Result<()> {
        let mut stdout = io::stdout().lock();
        let frame = terminal::sanitize(frame, self.color);
        write!(stdout, "\x1b[H\x1b[2J{frame}")?;
        stdout.flush()?;
        Ok(())
    }

    /// Sparklines above a table, one line per series with its average and peak, then a blank
    /// line; decoration like a header, so nothing with `--no-headers`.
    pub(crate) fn sparklines(&self, series: &[Series]) -> Result<()> {
        if self.no_headers {
            return Ok(());
        }
        let room = self
            .width
            .map(|width| chart_room(usize::from(width), series));
        let mut stdout = io::stdout().lock();
        for line in series {
            writeln!(stdout, "{}", line.render(room))?;
        }
        writeln!(stdout)?;
        stdout.flush()?;
        Ok(())
    }

    /// CSV rows under their header (unless `--no-headers`): the field names of the first row,
    /// or of `sample` when there is none, so an empty list still names its columns.
    fn write_csv<T: Serialize, S: Serialize>(
        &self,
        out: &mut dyn Write,
        rows: &[T],
        sample: impl FnOnce() -> S,
    ) -> Result<()> {
        let mut writer = csv::Writer::from_writer(out);
        let mut wrote_header = self.no_headers;
        for row in rows {
            let Value::Object(map) = serde_json::to_value(row)? else {
                continue;
            };
            if !wrote_header {
                writer.write_record(map.keys())?;
                wrote_header = true;
            }
            writer.write_record(map.values().map(csv_cell))?;
        }
        if !wrote_header {
            let header = csv_header(&sample())?;
            if !header.is_empty() {
                writer.write_record(header)?;
            }
        }
        writer.flush()?;
        Ok(())
    }

    /// Refuses a format this command cannot give: exit 2, naming the formats it can.
    pub(crate) fn require_format(&self, command: &str, formats: &[Format]) -> Result<()> {
        if formats.contains(&self.format) {
            return Ok(());
        }
        let names: Vec<&str> = formats.iter().map(|f| f.as_str()).collect();
        let formats = match names.as_slice() {
            [only] => format!("its only format is {only}"),
            [first @ .., last] => format!("its formats are {} and {last}", first.join(", ")),
            [] => "it has no output format".to_string(),
        };
        Err(Error::usage(format!(
            "'{command}' cannot print {}: {formats}",
            self.format.as_str(),
        )))
    }
}

/// `gpuctl: error: …` and its hint on stderr, each one line: control characters escaped and
/// at most [`terminal::LINE_MAX_CHARS`] characters, whatever the message quotes.
pub(crate) fn report_error(error: &Error) {
    eprintln!("gpuctl: error: {}", terminal::line(&error.message));
    if let Some(hint) = &error.hint {
        eprintln!("hint: {}", terminal::line(hint));
    }
}

fn write_json<T: Serialize + ?Sized>(out: &mut dyn Write, value: &T) -> Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)?;
    Ok(())
}

/// The CSV header of rows shaped like `sample`: its fields as serde names them, the names
/// a row's own serialization gives its columns (one source: no list to keep in step).
pub(crate) fn csv_header<T: Serialize>(sample: &T) -> Result<Vec<String>> {
    Ok(match serde_json::to_value(sample)? {
        Value::Object(map) => map.keys().cloned().collect(),
        _ => Vec::new(),
    })
}

/// A CSV cell: text as is, null empty, nested arrays and objects as compact JSON.
fn csv_cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

fn terminal_width() -> Option<u16> {
    // comfy-table knows the terminal's size; ask it through an empty table.
    comfy_table::Table::new().width()
}

/// `-` for a value that is not known, as tables show it.
pub(crate) fn or_dash<T: ToString>(value: &Option<T>) -> String {
    value
        .as_ref()
        .map_or_else(|| "-".to_string(), |v| v.to_string())
}

/// One line of a sparkline chart: its name, values (None where unknown), the value that fills a
/// cell, and the unit its average and peak are shown in.
pub(crate) struct Series<'a> {
    pub name: &'a str,
    pub values: Vec<Option<f64>>,
    pub max: f64,
    pub unit: &'a str,
}

impl Series<'_> {
    /// `utilisation  ▁▃█▅  avg 42%  max 97%`, or `no data` after the chart. A series longer
    /// than `room` characters, when given, is resampled to that many (the average and peak are
    /// still those of every value).
    fn render(&self, room: Option<usize>) -> String {
        let chart = match room {
            Some(room) if self.values.len() > room => {
                sparkline(&resample(&self.values, room), self.max)
            }
            _ => sparkline(&self.values, self.max),
        };
        format!(
            "{:<SERIES_NAME_WIDTH$} {chart}  {}",
            self.name,
            self.summary()
        )
    }

    /// `avg 42%  max 97%`, or `no data`.
    fn summary(&self) -> String {
        let known: Vec<f64> = self.values.iter().flatten().copied().collect();
        let unit = self.unit;
        if known.is_empty() {
            return "no data".to_string();
        }
        let avg = known.iter().sum::<f64>() / known.len() as f64;
        let peak = known.iter().copied().fold(f64::MIN, f64::max);
        format!("avg {avg:.0}{unit}  max {peak:.0}{unit}")
    }
}

/// The characters a series' name is padded to.
const SERIES_NAME_WIDTH: usize = 12;

/// The characters left for the charts of `series` in lines `width` wide: the same for every
/// series, so their buckets line up.
fn chart_room(width: usize, series: &[Series]) -> usize {
    let summary = series
        .iter()
        .map(|s| s.summary().chars().count())
        .max()
        .unwrap_or(0);
    width
        .saturating_sub(SERIES_NAME_WIDTH + 1 + 2 + summary)
        .max(MIN_SPARKLINE_WIDTH)
}

/// The fewest characters a sparkline is drawn in, however narrow the terminal.
const MIN_SPARKLINE_WIDTH: usize = 8;

/// `values` as `count` values (fewer than it has), each the mean of the known values of its
/// consecutive run; unknown where its run has none.
fn resample(values: &[Option<f64>], count: usize) -> Vec<Option<f64>> {
    let runs = count.clamp(1, values.len().max(1));
    (0..runs)
        .map(|run| {
            let part = &values[run * values.len() / runs..(run + 1) * values.len() / runs];
            let known: Vec<f64> = part.iter().flatten().copied().collect();
            (!known.is_empty()).then(|| known.iter().sum::<f64>() / known.len() as f64)
        })
        .collect()
}

/// A one-line chart: one block character per value, scaled to `max`; a gap where unknown.
pub(crate) fn sparkline(values: &[Option<f64>], max: f64) -> String {
    const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    values
        .iter()
        .map(|v| match v {
            Some(v) if max > 0.0 => {
                let level = ((v / max) * (BLOCKS.len() - 1) as f64).round();
                BLOCKS[level.clamp(0.0, (BLOCKS.len() - 1) as f64) as usize]
            }
            Some(_) => BLOCKS[0],
            None => ' ',
        })
        .collect()
}

/// A horizontal bar `width` cells wide, filled to `fraction` (0–1) in eighths.
pub(crate) fn bar(fraction: f64, width: usize) -> String {
    Bar { fraction, width }.to_string()
}

/// [`bar`] as a value to format in place, for a table of many rows.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bar {
    pub fraction: f64,
    pub width: usize,
}

impl std::fmt::Display for Bar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const PARTS: [&str; 8] = ["▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"];
        let eighths = (self.fraction.clamp(0.0, 1.0) * (self.width * 8) as f64).round() as usize;
        let full = eighths / 8;
        // Runs of blocks and blanks, not one character at a time: 8,000 bars in a table.
        write_run(f, "████████████████", full)?;
        let mut used = full;
        if !eighths.is_multiple_of(8) {
            f.write_str(PARTS[eighths % 8 - 1])?;
            used += 1;
        }
        write_run(f, "                ", self.width.saturating_sub(used))
    }
}

/// `count` characters of `run`, one character repeated, written in slices of it.
fn write_run(f: &mut std::fmt::Formatter<'_>, run: &str, mut count: usize) -> std::fmt::Result {
    let size = run.chars().next().map_or(1, char::len_utf8);
    while count > 0 {
        let chunk = count.min(run.len() / size);
        f.write_str(&run[..chunk * size])?;
        count -= chunk;
    }
    Ok(())
}

/// "1 GPU", "2 GPUs".
pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod chart_tests {
    use super::*;

    #[test]
    fn sparkline_scales_and_leaves_gaps() {
        assert_eq!(
            sparkline(&[Some(0.0), Some(50.0), Some(100.0), None], 100.0),
            "▁▅█ "
        );
    }

    #[test]
    fn a_series_line_names_its_average_and_peak() {
        let series = Series {
            name: "utilisation",
            values: vec![Some(0.0), None, Some(100.0)],
            max: 100.0,
            unit: "%",
        };
        assert_eq!(series.render(None), "utilisation  ▁ █  avg 50%  max 100%");
        let empty = Series {
            name: "power",
            values: vec![None, None],
            max: 0.0,
            unit: " W",
        };
        assert_eq!(
            empty.render(Some(60)),
            format!("{:<12} {}  no data", "power", "  ")
        );
    }

    #[test]
    fn long_series_are_resampled_to_the_width_and_line_up() {
        let utilisation = Series {
            name: "utilisation",
            values: (0..205).map(|i| Some(f64::from(i % 100))).collect(),
            max: 100.0,
            unit: "%",
        };
        let power = Series {
            name: "power",
            values: (0..205).map(|i| Some(f64::from(i * 3))).collect(),
            max: 700.0,
            unit: " W",
        };
        let series = [utilisation, power];
        for width in [60, 80, 200] {
            let room = chart_room(width, &series);
            let lines: Vec<String> = series.iter().map(|s| s.render(Some(room))).collect();
            assert_eq!(lines[1].chars().count(), width, "{}", lines[1]);
            assert!(lines[0].chars().count() < width, "{}", lines[0]);
            assert!(lines[0].ends_with("avg 48%  max 99%"), "{}", lines[0]);
            assert!(lines[1].ends_with("avg 306 W  max 612 W"), "{}", lines[1]);
            let chart = |line: &str| line.chars().skip(13).take(room).collect::<String>();
            assert_eq!(chart(&lines[0]).chars().count(), room);
            assert!(!chart(&lines[1]).contains(' '), "{}", lines[1]);
        }
        assert_eq!(series[0].render(None).chars().count(), 13 + 205 + 18);
        // A series that fits is drawn one value per character.
        assert!(
            series[0]
                .render(Some(chart_room(300, &series)))
                .chars()
                .count()
                < 300
        );
    }

    #[test]
    fn resampling_averages_runs_and_keeps_gaps() {
        let values = [Some(0.0), Some(100.0), None, None, Some(40.0), None];
        assert_eq!(resample(&values, 3), vec![Some(50.0), None, Some(40.0)]);
        assert_eq!(resample(&values, 1), vec![Some(140.0 / 3.0)]);
    }

    #[test]
    fn bar_fills_in_eighths() {
        assert_eq!(bar(0.5, 4), "██  ");
        assert_eq!(bar(1.0, 2), "██");
        assert_eq!(bar(0.0, 3), "   ");
        assert_eq!(bar(0.5, 1), "▌");
        assert_eq!(bar(1.0 / 8.0, 1), "▏");
        // Longer than the runs the bar is written from.
        assert_eq!(bar(1.0, 40), "█".repeat(40));
        assert_eq!(bar(0.0, 40), " ".repeat(40));
        assert_eq!(
            bar(0.51, 40),
            format!("{}▍{}", "█".repeat(20), " ".repeat(19))
        );
    }
}
