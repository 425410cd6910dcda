//! All printing: tables (comfy-table), JSON (serde_json) and CSV, colour, and stderr notes.
//!
//! Commands build rows (plain structs that derive Serialize) and hand them here. Text and JSON
//! are separate render paths, so a prettier table never breaks a script.

use std::io::{self, IsTerminal, Write};

use comfy_table::{presets, Attribute, Cell, CellAlignment, Color, ContentArrangement, Table};
use serde::Serialize;
use serde_json::Value;

use crate::error::Result;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// A row of a list: its table columns. JSON and CSV come from its Serialize impl instead.
pub trait TableRow {
    fn headers() -> Vec<&'static str>;
    fn cells(&self, out: &Output) -> Vec<Cell>;
}

/// How the user asked for output, shared by every command.
#[derive(Debug, Clone)]
pub struct Output {
    pub format: Format,
    pub no_headers: bool,
    pub color: bool,
    pub quiet: bool,
    pub verbose: bool,
    /// Table width: `COLUMNS` when set, else the terminal's; None when stdout is not a terminal.
    pub width: Option<u16>,
}

impl Output {
    pub fn new(
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
                stdout_is_terminal && std::env::var_os("NO_COLOR").map_or(true, |v| v.is_empty())
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
    pub fn list<T: Serialize + TableRow>(&self, rows: &[T], footer: Option<String>) -> Result<()> {
        let mut stdout = io::stdout().lock();
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
    pub fn show<T: Serialize>(
        &self,
        value: &T,
        render: impl FnOnce(&Output, &mut dyn Write) -> Result<()>,
    ) -> Result<()> {
        let mut stdout = io::stdout().lock();
        match self.format {
            Format::Json => write_json(&mut stdout, value)?,
            Format::Csv => self.write_csv(&mut stdout, std::slice::from_ref(value))?,
            Format::Table => render(self, &mut stdout)?,
        }
        stdout.flush()?;
        Ok(())
    }

    /// A borderless, kubectl-like table that fits the width, rendered without trailing blanks.
    pub fn table(&self, headers: Vec<&str>, rows: Vec<Vec<Cell>>) -> String {
        let mut table = Table::new();
        table.load_preset(presets::NOTHING);
        if self.color {
            table.enforce_styling();
        } else {
            table.force_no_tty();
        }
        match self.width {
            Some(width) => {
                table.set_width(width);
                table.set_content_arrangement(ContentArrangement::Dynamic);
            }
            None => {
                table.set_content_arrangement(ContentArrangement::Disabled);
            }
        }
        if !self.no_headers && !headers.is_empty() {
            table.set_header(headers.into_iter().map(|h| self.header_cell(h)));
        }
        for row in rows {
            table.add_row(row);
        }
        // presets::NOTHING pads each column with one space on both sides; keep two between.
        for column in table.column_iter_mut() {
            column.set_padding((0, 2));
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

    /// Key–value lines for a show command: `name:   gpu-node-1`.
    pub fn fields(&self, pairs: Vec<(&str, String)>) -> String {
        let rows = pairs
            .into_iter()
            .map(|(key, value)| vec![self.key_cell(key), Cell::new(value)])
            .collect();
        self.table(Vec::new(), rows)
    }

    fn header_cell(&self, text: &str) -> Cell {
        let cell = Cell::new(text.to_uppercase());
        if self.color {
            cell.add_attribute(Attribute::Bold)
        } else {
            cell
        }
    }

    fn key_cell(&self, text: &str) -> Cell {
        let cell = Cell::new(format!("{text}:"));
        if self.color {
            cell.add_attribute(Attribute::Bold)
        } else {
            cell
        }
    }

    /// A cell for a status word, coloured by how healthy it sounds.
    pub fn status_cell(&self, word: &str) -> Cell {
        let cell = Cell::new(word);
        if !self.color {
            return cell;
        }
        match word {
            "ready" | "active" | "resolved" | "released" => cell.fg(Color::Green),
            "maintenance" | "cordoned" | "acknowledged" | "warning" | "expired" => {
                cell.fg(Color::Yellow)
            }
            "not-ready" | "faulty" | "firing" | "critical" => cell.fg(Color::Red),
            "decommissioned" | "retired" | "removed" => cell.fg(Color::DarkGrey),
            _ => cell,
        }
    }

    /// A right-aligned cell, for numbers.
    pub fn number_cell(&self, text: impl ToString) -> Cell {
        Cell::new(text.to_string()).set_alignment(CellAlignment::Right)
    }

    /// A note for the user on stderr; `-q` silences it.
    pub fn note(&self, message: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("{}", message.as_ref());
        }
    }

    /// Detail printed only with `-v`.
    pub fn detail(&self, message: impl AsRef<str>) {
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
    Table::new().width()
}

/// `-` for a value that is not known, as tables show it.
pub fn or_dash<T: ToString>(value: &Option<T>) -> String {
    value
        .as_ref()
        .map_or_else(|| "-".to_string(), |v| v.to_string())
}
