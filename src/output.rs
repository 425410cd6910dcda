//! All printing: tables (comfy-table), JSON (serde_json) and CSV, colour, and stderr notes.
//!
//! Commands build rows (plain structs that derive Serialize) and hand them here. Text and JSON
//! are separate render paths, so a prettier table never breaks a script.

use std::io::{self, IsTerminal, Write};

use serde::Serialize;
use serde_json::Value;

use crate::error::Result;

pub(crate) mod rows;
mod table;

pub(crate) use table::{Cell, Tone};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    Table,
    Json,
    Csv,
}

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

    /// Prints a list: a table with an optional footer, a JSON array, or CSV rows.
    pub(crate) fn list<T: Serialize + TableRow>(
        &self,
        rows: &[T],
        footer: Option<String>,
    ) -> Result<()> {
        // Stdout is line-buffered: a pretty JSON array would be thousands of writes without this.
        let mut stdout = io::BufWriter::with_capacity(64 * 1024, io::stdout().lock());
        match self.format {
            Format::Json => write_json(&mut stdout, &rows)?,
            Format::Csv => self.write_csv(&mut stdout, rows)?,
            Format::Table => {
                let table = self.table(T::headers(), rows.iter().map(|r| r.cells(self)).collect());
                if !rows.is_empty() || !self.no_headers {
                    writeln!(stdout, "{table}")?;
                }
                if let Some(footer) = footer.filter(|_| !self.no_headers) {
                    writeln!(stdout, "{footer}")?;
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
            Format::Csv => self.write_csv(&mut stdout, std::slice::from_ref(value))?,
            Format::Table => render(self, &mut stdout)?,
        }
        stdout.flush()?;
        Ok(())
    }

    /// A borderless, kubectl-like table that fits the width, rendered without trailing blanks.
    pub(crate) fn table(&self, headers: Vec<&str>, rows: Vec<Vec<Cell>>) -> String {
        self.render_table(headers, rows, true)
    }

    fn render_table(
        &self,
        headers: Vec<&str>,
        rows: Vec<Vec<Cell>>,
        one_line_rows: bool,
    ) -> String {
        let header = (!self.no_headers && !headers.is_empty())
            .then(|| headers.into_iter().map(|h| self.header_cell(h)).collect());
        let layout = table::Layout {
            width: self.width,
            color: self.color,
            one_line_rows,
        };
        table::render(header, rows, layout)
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
        match tone {
            "ready" | "active" | "resolved" | "released" => cell.tone(Tone::Green),
            "maintenance" | "cordoned" | "acknowledged" | "warning" | "expired" => {
                cell.tone(Tone::Yellow)
            }
            "not-ready" | "faulty" | "firing" | "critical" | "fail" => cell.tone(Tone::Red),
            "decommissioned" | "retired" | "removed" => cell.tone(Tone::Grey),
            _ => cell,
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
            eprintln!("{}", message.as_ref());
        }
    }

    /// Detail printed only with `-v`.
    pub(crate) fn detail(&self, message: impl AsRef<str>) {
        if self.verbose && !self.quiet {
            eprintln!("{}", message.as_ref());
        }
    }

    fn write_csv<T: Serialize>(&self, out: &mut dyn Write, rows: &[T]) -> Result<()> {
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
        writer.flush()?;
        Ok(())
    }
}

fn write_json<T: Serialize + ?Sized>(out: &mut dyn Write, value: &T) -> Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)?;
    Ok(())
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
    const PARTS: [char; 8] = ['▏', '▎', '▍', '▌', '▋', '▊', '▉', '█'];
    let eighths = (fraction.clamp(0.0, 1.0) * (width * 8) as f64).round() as usize;
    let mut out = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        out.push(PARTS[eighths % 8 - 1]);
    }
    let used = out.chars().count();
    out.push_str(&" ".repeat(width.saturating_sub(used)));
    out
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
    fn bar_fills_in_eighths() {
        assert_eq!(bar(0.5, 4), "██  ");
        assert_eq!(bar(1.0, 2), "██");
        assert_eq!(bar(0.0, 3), "   ");
        assert_eq!(bar(0.5, 1), "▌");
        assert_eq!(bar(1.0 / 8.0, 1), "▏");
    }
}
