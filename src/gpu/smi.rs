//! nvidia-smi: the live `--query-gpu` source, and the CSV parser that replay shares.

use std::io::ErrorKind as IoErrorKind;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime};

use super::source::{DeviceSample, GpuSource, SourceError};
use crate::child::{self, ChildError};
use crate::terminal::quote;
use crate::validate;

/// The binary run when no `--smi-command` is given (looked up in PATH).
pub const DEFAULT_SMI_COMMAND: &str = "nvidia-smi";

/// How long nvidia-smi may run before it is killed (`--smi-timeout`): it answers in well under
/// a second on a healthy node, and hangs for minutes on a wedged driver.
pub const DEFAULT_SMI_TIMEOUT: Duration = Duration::from_secs(30);

/// More output than this is not nvidia-smi's answer for one node.
const MAX_SMI_OUTPUT: usize = 64 * 1024 * 1024;

/// The fields the live source asks for. Every one is a documented `--help-query-gpu` field:
/// one unknown field makes nvidia-smi reject the whole query, so the energy counter (which
/// has no stable query field) comes from NVML only.
pub const QUERY_FIELDS: &[&str] = &[
    "index",
    "uuid",
    "name",
    "pci.bus_id",
    "serial",
    "driver_version",
    "utilization.gpu",
    "utilization.memory",
    "memory.used",
    "memory.total",
    "temperature.gpu",
    "power.draw",
    "enforced.power.limit",
    "clocks.current.sm",
    "clocks.current.memory",
    "fan.speed",
    "ecc.errors.corrected.volatile.total",
    "ecc.errors.uncorrected.volatile.total",
    "mig.mode.current",
];

/// The `--format` the live source passes: no header, no units, so every cell is a bare value.
pub const QUERY_FORMAT: &str = "--format=csv,noheader,nounits";

/// What nvidia-smi prints when the kernel driver is missing or not loaded.
const NO_DRIVER_MARKERS: &[&str] = &[
    "couldn't communicate with the NVIDIA driver",
    "NVIDIA-SMI has failed",
    "No devices were found",
];

/// Live readings from `nvidia-smi --query-gpu=… --format=csv,noheader,nounits`.
#[derive(Debug, Clone)]
pub struct SmiSource {
    command: PathBuf,
    timeout: Duration,
    warnings: Vec<String>,
}

impl SmiSource {
    /// `command` is the nvidia-smi binary (a path, or a name looked up in PATH).
    pub fn new(command: impl Into<PathBuf>) -> Self {
        SmiSource {
            command: command.into(),
            timeout: DEFAULT_SMI_TIMEOUT,
            warnings: Vec::new(),
        }
    }

    /// Kills nvidia-smi when it runs longer than `timeout` (a sample then fails).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub fn command(&self) -> &Path {
        &self.command
    }

    /// The argv after the binary: run directly, never through a shell.
    pub fn query_args() -> [String; 2] {
        [
            format!("--query-gpu={}", QUERY_FIELDS.join(",")),
            QUERY_FORMAT.to_string(),
        ]
    }

    fn run(&self) -> Result<String, SourceError> {
        let shown = self.command.display();
        let mut command = Command::new(&self.command);
        command.args(Self::query_args());
        let output =
            child::run(&mut command, self.timeout, MAX_SMI_OUTPUT).map_err(|e| match e {
                ChildError::Spawn(e) if e.kind() == IoErrorKind::NotFound => {
                    SourceError::NoDriver(format!("{shown} not found"))
                }
                ChildError::Spawn(e) => {
                    SourceError::failed(SMI_NAME, format!("cannot run {shown}: {e}"))
                }
                ChildError::TimedOut(_) => SourceError::TimedOut(format!("'{shown}' {e}")),
                other => SourceError::failed(SMI_NAME, format!("'{shown}' {other}")),
            })?;
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        if output.status.success() {
            return Ok(stdout);
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        let said = first_line(&stdout)
            .or_else(|| first_line(&stderr))
            .unwrap_or_else(|| "no output".to_string());
        let combined = format!("{stdout}\n{stderr}");
        if NO_DRIVER_MARKERS.iter().any(|m| combined.contains(m)) {
            return Err(SourceError::NoDriver(format!("{shown}: {said}")));
        }
        Err(SourceError::failed(
            SMI_NAME,
            format!("{shown} exited with {}: {said}", output.status),
        ))
    }
}

impl Default for SmiSource {
    fn default() -> Self {
        SmiSource::new(DEFAULT_SMI_COMMAND)
    }
}

pub(crate) const SMI_NAME: &str = "nvidia-smi";

impl GpuSource for SmiSource {
    fn name(&self) -> &'static str {
        SMI_NAME
    }

    fn sample(&mut self) -> Result<Vec<DeviceSample>, SourceError> {
        let stdout = self.run()?;
        let now = crate::clock::now()
            .map_err(|e| SourceError::failed(SMI_NAME, e.message))?
            .timestamp();
        let columns: Vec<ColumnSpec> = QUERY_FIELDS.iter().map(|f| ColumnSpec::new(f)).collect();
        let layout = Layout::new(columns);
        let mut reader = csv_reader(stdout.as_bytes(), false);
        let mut samples = Vec::new();
        for (row, record) in reader.records().enumerate() {
            let record = record
                .map_err(|e| SourceError::failed(SMI_NAME, format!("unreadable output: {e}")))?;
            match layout.parse_row(&record, now) {
                Ok(sample) => samples.push(sample),
                Err(RowError::NoUuid) => self.warnings.push(format!(
                    "nvidia-smi: GPU row {} has no UUID; skipped",
                    row + 1
                )),
                Err(RowError::Bad(message)) => {
                    return Err(SourceError::failed(
                        SMI_NAME,
                        format!("unexpected output in row {}: {message}", row + 1),
                    ))
                }
            }
        }
        Ok(samples)
    }

    fn take_warnings(&mut self) -> Vec<String> {
        std::mem::take(&mut self.warnings)
    }
}

fn first_line(text: &str) -> Option<String> {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(str::to_string)
}

/// A CSV reader for nvidia-smi's `a, b, c` rows: cells are separated by `", "`, so trim them.
pub(crate) fn csv_reader<R: std::io::Read>(input: R, has_headers: bool) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .has_headers(has_headers)
        .trim(csv::Trim::All)
        .from_reader(input)
}

/// The query fields gpuctl reads. Others in a recorded file are ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Column {
    Timestamp,
    Index,
    Uuid,
    Name,
    PciBusId,
    Serial,
    DriverVersion,
    GpuUtil,
    MemUtil,
    MemUsed,
    MemTotal,
    Temperature,
    PowerDraw,
    EnforcedPowerLimit,
    PowerLimit,
    SmClock,
    MemClock,
    FanSpeed,
    EccCorrected,
    EccUncorrected,
    MigMode,
    Energy,
    Ignored,
}

impl Column {
    /// The column for a `--query-gpu` field name, aliases included.
    pub(crate) fn from_field(field: &str) -> Column {
        match field.trim().to_ascii_lowercase().as_str() {
            "timestamp" => Column::Timestamp,
            "index" => Column::Index,
            "uuid" | "gpu_uuid" => Column::Uuid,
            "name" | "gpu_name" => Column::Name,
            "pci.bus_id" | "gpu_bus_id" => Column::PciBusId,
            "serial" | "gpu_serial" => Column::Serial,
            "driver_version" => Column::DriverVersion,
            "utilization.gpu" => Column::GpuUtil,
            "utilization.memory" => Column::MemUtil,
            "memory.used" => Column::MemUsed,
            "memory.total" => Column::MemTotal,
            "temperature.gpu" => Column::Temperature,
            "power.draw" => Column::PowerDraw,
            "enforced.power.limit" => Column::EnforcedPowerLimit,
            "power.limit" => Column::PowerLimit,
            "clocks.current.sm" | "clocks.sm" => Column::SmClock,
            "clocks.current.memory" | "clocks.mem" => Column::MemClock,
            "fan.speed" => Column::FanSpeed,
            "ecc.errors.corrected.volatile.total" => Column::EccCorrected,
            "ecc.errors.uncorrected.volatile.total" => Column::EccUncorrected,
            "mig.mode.current" => Column::MigMode,
            "total_energy_consumption" => Column::Energy,
            _ => Column::Ignored,
        }
    }
}

/// A column as a header names it: `power.draw [W]` is the field `power.draw` with unit `W`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ColumnSpec {
    pub(crate) field: String,
    pub(crate) column: Column,
    pub(crate) unit: Option<String>,
}

impl ColumnSpec {
    pub(crate) fn new(header: &str) -> ColumnSpec {
        let header = header.trim().trim_start_matches('\u{feff}');
        let (field, unit) = match header.split_once('[') {
            Some((field, rest)) => (field.trim(), Some(rest.trim_end_matches(']').trim())),
            None => (header, None),
        };
        ColumnSpec {
            field: field.to_string(),
            column: Column::from_field(field),
            unit: unit.filter(|u| !u.is_empty()).map(str::to_string),
        }
    }
}

/// Why one row could not become a sample.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum RowError {
    /// The UUID cell is empty or not available: the row cannot be keyed.
    NoUuid,
    Bad(String),
}

/// The columns of a CSV, in order, and how to read a row of them.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    columns: Vec<ColumnSpec>,
    /// `power.limit` is only used when `enforced.power.limit` is not recorded.
    has_enforced_limit: bool,
    /// The last timestamp read and its value: the rows of one moment share it.
    last_time: std::cell::RefCell<(String, i64)>,
}

impl Layout {
    pub(crate) fn new(columns: Vec<ColumnSpec>) -> Layout {
        let has_enforced_limit = columns
            .iter()
            .any(|c| c.column == Column::EnforcedPowerLimit);
        Layout {
            columns,
            has_enforced_limit,
            last_time: std::cell::RefCell::new((String::new(), 0)),
        }
    }

    pub(crate) fn has(&self, column: Column) -> bool {
        self.columns.iter().any(|c| c.column == column)
    }

    /// One row into a sample; `default_timestamp` applies when the row has no timestamp.
    /// Every value is checked against the physical range of what it measures: a reading
    /// outside it is a malformed row, never data.
    pub(crate) fn parse_row(
        &self,
        record: &csv::StringRecord,
        default_timestamp: i64,
    ) -> Result<DeviceSample, RowError> {
        let mut sample = DeviceSample::default();
        self.parse_row_into(record, default_timestamp, &mut sample)?;
        Ok(sample)
    }

    /// [`Layout::parse_row`] into `sample`, every field of which it sets: the strings of a
    /// sample used before keep their buffers, so a reader that hands its samples round again
    /// allocates nothing per row.
    pub(crate) fn parse_row_into(
        &self,
        record: &csv::StringRecord,
        default_timestamp: i64,
        sample: &mut DeviceSample,
    ) -> Result<(), RowError> {
        self.parse_cells_into(record.len(), record.iter(), default_timestamp, sample)
    }

    /// [`Layout::parse_row_into`] from a row's `count` cells, however they were split.
    pub(crate) fn parse_cells_into<'a>(
        &self,
        count: usize,
        cells: impl Iterator<Item = &'a str>,
        default_timestamp: i64,
        sample: &mut DeviceSample,
    ) -> Result<(), RowError> {
        if count != self.columns.len() {
            return Err(RowError::Bad(format!(
                "expected {} values, found {count}",
                self.columns.len(),
            )));
        }
        // What the sample held: its strings are parsed into again, for their buffers.
        let mut used = std::mem::take(sample);
        used.mig_devices.clear();
        sample.timestamp = default_timestamp;
        sample.mig_devices = used.mig_devices;
        let mut uuid = None;
        for (spec, cell) in self.columns.iter().zip(cells) {
            let bad = |why: String| RowError::Bad(format!("{}: {why}", spec.field));
            let cell = trim(cell);
            if cell.len() > CELL_MAX_BYTES {
                return Err(bad(format!(
                    "{} is longer than {CELL_MAX_BYTES} bytes",
                    quote(cell)
                )));
            }
            match spec.column {
                Column::Uuid => {
                    uuid = Some(std::mem::take(&mut used.uuid));
                    text_into(cell, &mut uuid).map_err(bad)?;
                    if let Some(uuid) = &uuid {
                        validate::device_uuid(uuid).map_err(|e| bad(e.message))?;
                    }
                }
                Column::Timestamp => {
                    let mut last = self.last_time.borrow_mut();
                    if !cell.is_empty() && last.0 == cell {
                        sample.timestamp = last.1;
                    } else if let Some(t) = text(cell).map_err(bad)? {
                        sample.timestamp = parse_timestamp(&t).map_err(bad)?;
                        last.0.clear();
                        last.0.push_str(cell);
                        last.1 = sample.timestamp;
                    }
                }
                Column::Index => sample.index = reading(cell, &INDEX).map_err(bad)?,
                Column::Name => {
                    sample.name = used.name.take();
                    text_into(cell, &mut sample.name).map_err(bad)?;
                }
                Column::PciBusId => {
                    sample.pci_bus_id = used.pci_bus_id.take();
                    text_into(cell, &mut sample.pci_bus_id).map_err(bad)?;
                }
                Column::Serial => {
                    sample.serial = used.serial.take();
                    text_into(cell, &mut sample.serial).map_err(bad)?;
                }
                Column::DriverVersion => {
                    sample.driver_version = used.driver_version.take();
                    text_into(cell, &mut sample.driver_version).map_err(bad)?;
                }
                Column::GpuUtil => sample.gpu_util_pct = reading(cell, &PERCENT).map_err(bad)?,
                Column::MemUtil => sample.mem_util_pct = reading(cell, &PERCENT).map_err(bad)?,
                Column::MemUsed => sample.mem_used_mib = reading(cell, &MEMORY).map_err(bad)?,
                Column::MemTotal => sample.mem_total_mib = reading(cell, &MEMORY).map_err(bad)?,
                Column::Temperature => sample.temp_c = reading(cell, &TEMPERATURE).map_err(bad)?,
                Column::PowerDraw => sample.power_mw = milliwatts(cell).map_err(bad)?,
                Column::EnforcedPowerLimit => {
                    sample.power_limit_mw = milliwatts(cell).map_err(bad)?
                }
                Column::PowerLimit if !self.has_enforced_limit => {
                    sample.power_limit_mw = milliwatts(cell).map_err(bad)?
                }
                Column::SmClock => sample.sm_clock_mhz = reading(cell, &CLOCK).map_err(bad)?,
                Column::MemClock => sample.mem_clock_mhz = reading(cell, &CLOCK).map_err(bad)?,
                Column::FanSpeed => sample.fan_pct = reading(cell, &PERCENT).map_err(bad)?,
                Column::EccCorrected => {
                    sample.ecc_corrected = reading(cell, &ERROR_COUNT).map_err(bad)?
                }
                Column::EccUncorrected => {
                    sample.ecc_uncorrected = reading(cell, &ERROR_COUNT).map_err(bad)?
                }
                Column::MigMode => sample.mig_mode = mig_mode(cell).map_err(bad)?,
                Column::Energy => {
                    sample.energy_mj = millijoules(cell, spec.unit.as_deref()).map_err(bad)?
                }
                Column::PowerLimit | Column::Ignored => {}
            }
        }
        sample.uuid = uuid.ok_or(RowError::NoUuid)?;
        Ok(())
    }
}

/// The longest cell read, in bytes: the longest real value (a GPU name) is under 64.
pub(crate) const CELL_MAX_BYTES: usize = 1_024;

/// What a kind of reading can physically be, and its unit for messages.
#[derive(Debug)]
pub(crate) struct Range {
    pub(crate) max: f64,
    pub(crate) unit: &'static str,
}

/// Utilisation and fan speed, in percent.
pub(crate) const PERCENT: Range = Range {
    max: 100.0,
    unit: "%",
};
/// Memory in MiB: 0 to 16 TiB, far above any GPU's.
pub(crate) const MEMORY: Range = Range {
    max: 16.0 * 1024.0 * 1024.0,
    unit: " MiB",
};
/// GPU temperature in °C: GPUs shut down near 100 °C; the store keeps no negatives.
pub(crate) const TEMPERATURE: Range = Range {
    max: 150.0,
    unit: " °C",
};
/// Power draw and limits in watts: a B200 board is rated 1,000 W.
pub(crate) const POWER_W: Range = Range {
    max: 5_000.0,
    unit: " W",
};
/// SM and memory clocks in MHz.
pub(crate) const CLOCK: Range = Range {
    max: 10_000.0,
    unit: " MHz",
};
/// ECC error counts: exactly representable, and storable as SQLite INTEGER.
pub(crate) const ERROR_COUNT: Range = Range {
    max: 9_007_199_254_740_992.0,
    unit: "",
};
/// A GPU's index on its node.
pub(crate) const INDEX: Range = Range {
    max: 1_023.0,
    unit: "",
};
/// The energy counter in millijoules.
const ENERGY_MJ: Range = Range {
    max: 9_007_199_254_740_992.0,
    unit: " mJ",
};

impl Range {
    /// `value` when it lies in 0..=max; else the error that names the cell and the range.
    fn check(&self, value: f64, cell: &str) -> Result<f64, String> {
        if (0.0..=self.max).contains(&value) {
            return Ok(value);
        }
        Err(format!(
            "{} is outside 0–{}{}",
            quote(cell),
            self.max,
            self.unit
        ))
    }
}

/// `cell.trim()`: the ASCII spaces nvidia-smi writes are trimmed byte by byte, and only a
/// cell that then starts or ends beyond ASCII goes to the Unicode rules.
fn trim(cell: &str) -> &str {
    // The ASCII characters Unicode calls white space (is_ascii_whitespace leaves out \x0b).
    let space = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r');
    let bytes = cell.as_bytes();
    let start = bytes.iter().take_while(|b| space(b)).count();
    let end = bytes.len() - bytes[start..].iter().rev().take_while(|b| space(b)).count();
    // ASCII bytes: both cuts are character boundaries.
    let ascii_trimmed = &cell[start..end];
    let beyond_ascii = |b: Option<&u8>| b.is_some_and(|b| !b.is_ascii());
    let bytes = ascii_trimmed.as_bytes();
    if beyond_ascii(bytes.first()) || beyond_ascii(bytes.last()) {
        return ascii_trimmed.trim();
    }
    ascii_trimmed
}

/// True for every way nvidia-smi says "no value": `[N/A]`, `N/A`, `[Not Supported]`,
/// `[Insufficient Permissions]`, `[Unknown Error]`, `[GPU requires reset]`, … and empty.
pub fn is_absent(cell: &str) -> bool {
    let cell = trim(cell);
    cell.is_empty()
        || (cell.starts_with('[') && cell.ends_with(']'))
        || cell.eq_ignore_ascii_case("N/A")
        || cell.eq_ignore_ascii_case("Not Supported")
}

/// A text value (a name, a version, a bus id): None when absent; refused with a control
/// character in it, which a terminal would obey rather than show.
fn text(cell: &str) -> Result<Option<String>, String> {
    let mut value = None;
    text_into(cell, &mut value)?;
    Ok(value)
}

/// [`text`] into `slot`, reusing the string it holds: None when absent.
fn text_into(cell: &str, slot: &mut Option<String>) -> Result<(), String> {
    if is_absent(cell) {
        *slot = None;
        return Ok(());
    }
    // Printable ASCII, as every real value is, has no control character to look for.
    let printable_ascii = cell.bytes().all(|b| (0x20..0x7f).contains(&b));
    if !printable_ascii {
        if let Some(c) = cell.chars().find(|c| crate::terminal::is_control(*c)) {
            return Err(format!(
                "{} contains the control character {}",
                quote(cell),
                crate::terminal::escape(c.encode_utf8(&mut [0; 4]))
            ));
        }
    }
    let value = slot.get_or_insert_with(String::new);
    value.clear();
    value.push_str(trim(cell));
    Ok(())
}

/// The number in `45`, `45 %`, `77.71 W` or `81559 MiB`: the unit, if any, follows a space.
fn number(cell: &str) -> Result<Option<f64>, String> {
    if let Some(whole) = whole(cell) {
        return Ok(Some(whole as f64));
    }
    if is_absent(cell) {
        return Ok(None);
    }
    let token = cell.split_whitespace().next().unwrap_or_default();
    let token = token.trim_end_matches('%');
    match token.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(Some(v)),
        _ => Err(format!("{} is not a number", quote(cell))),
    }
}

/// Most readings are whole numbers (`45 %`, `81559 MiB`, `1980 MHz`): those are read exactly,
/// without the float parser. None for anything else (a fraction, an absent value, an error).
fn whole(cell: &str) -> Option<u64> {
    let digits = cell.bytes().take_while(u8::is_ascii_digit).count();
    let ends = cell.as_bytes().get(digits).is_none_or(|b| *b == b' ');
    ((1..=15).contains(&digits) && ends).then(|| decimal_digits(&cell.as_bytes()[..digits]))
}

/// The value of a run of ASCII digits (at most 18, so it cannot overflow).
fn decimal_digits(digits: &[u8]) -> u64 {
    (digits.iter()).fold(0, |n, d| n * 10 + u64::from(d - b'0'))
}

/// A whole reading (percent, MiB, MHz, °C, counts) within its physical `range`; a fraction
/// is rounded.
fn reading<T: TryFrom<u64>>(cell: &str, range: &Range) -> Result<Option<T>, String> {
    let value = match whole(cell) {
        // At most 15 digits: exact as an f64, and a whole number needs no rounding.
        Some(whole) => range.check(whole as f64, cell)? as u64,
        None => match number(cell)? {
            Some(v) => range.check(v.round(), cell)? as u64,
            None => return Ok(None),
        },
    };
    T::try_from(value)
        .map(Some)
        .map_err(|_| format!("{} is out of range", quote(cell)))
}

/// nvidia-smi reports watts; the store keeps milliwatts.
fn milliwatts(cell: &str) -> Result<Option<u32>, String> {
    // `77.71 W` as nvidia-smi writes it, read exactly: what the float path rounds it to.
    if let Some(milli) = thousandths(cell) {
        if milli <= (POWER_W.max * 1000.0) as u64 {
            // At most 5,000,000: within u32.
            return Ok(u32::try_from(milli).ok());
        }
    }
    number(cell)?
        .map(|watts| {
            let watts = POWER_W.check(watts, cell)?;
            u32::try_from((watts * 1000.0).round() as u64)
                .map_err(|_| format!("{} is out of range", quote(cell)))
        })
        .transpose()
}

/// `77.71 W` as 77,710: a number with at most three decimals, in thousandths. None for
/// anything else, which the float path reads.
fn thousandths(cell: &str) -> Option<u64> {
    let bytes = cell.as_bytes();
    let whole = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    let (fraction, rest) = match bytes.get(whole) {
        Some(b'.') => {
            let after = &bytes[whole + 1..];
            let n = after.iter().take_while(|b| b.is_ascii_digit()).count();
            (&after[..n], &after[n..])
        }
        _ => (&bytes[..0], &bytes[whole..]),
    };
    let ends = rest.first().is_none_or(|b| *b == b' ');
    if !(1..=12).contains(&whole) || fraction.len() > 3 || !ends {
        return None;
    }
    let scale = [1000, 100, 10, 1][fraction.len()];
    Some(decimal_digits(&bytes[..whole]) * 1000 + decimal_digits(fraction) * scale)
}

/// The energy counter in millijoules, NVML's unit; a header that says `[J]` is converted.
fn millijoules(cell: &str, unit: Option<&str>) -> Result<Option<u64>, String> {
    let value_unit = cell.split_whitespace().nth(1).or(unit);
    let scale = match value_unit {
        Some(u) if u.eq_ignore_ascii_case("J") => 1000.0,
        Some(u) if u.eq_ignore_ascii_case("kJ") => 1_000_000.0,
        _ => 1.0,
    };
    number(cell)?
        .map(|v| {
            let millijoules = (v * scale).round();
            ENERGY_MJ.check(millijoules, cell).map(|mj| mj as u64)
        })
        .transpose()
}

fn mig_mode(cell: &str) -> Result<Option<bool>, String> {
    if is_absent(cell) {
        return Ok(None);
    }
    match cell.to_ascii_lowercase().as_str() {
        "enabled" => Ok(Some(true)),
        "disabled" => Ok(Some(false)),
        _ => Err(format!("{} is neither Enabled nor Disabled", quote(cell))),
    }
}

/// nvidia-smi's `2026/11/29 10:00:00.123` (read as UTC), or RFC 3339; unix seconds.
pub(crate) fn parse_timestamp(text: &str) -> Result<i64, String> {
    let mut parsed = smi_time(text).map(|t| t.and_utc());
    for format in ["%Y/%m/%d %H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if parsed.is_some() {
            break;
        }
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            parsed = Some(t.and_utc());
            break;
        }
    }
    let time = match parsed {
        Some(time) => time,
        None => DateTime::parse_from_rfc3339(text)
            .map(|t| t.to_utc())
            .map_err(|_| format!("{} is not a time like 2026/11/29 10:00:00.123", quote(text)))?,
    };
    if !crate::clock::within_years(&time) {
        let (first, last) = (crate::clock::FIRST_YEAR, crate::clock::LAST_YEAR);
        return Err(format!(
            "{} is outside the years {first}–{last}",
            quote(text)
        ));
    }
    Ok(time.timestamp())
}

/// `2026/11/29 10:00:00.123`, nvidia-smi's own form (or with dashes), read without a format
/// string: a replay reads one per moment. None for any other form, left to the formats.
fn smi_time(text: &str) -> Option<NaiveDateTime> {
    let b = text.as_bytes();
    let digits_at = |range: std::ops::Range<usize>| {
        let digits = b.get(range)?;
        (digits.iter().all(u8::is_ascii_digit)).then(|| decimal_digits(digits) as u32)
    };
    let dates = |sep: u8| b.get(4) == Some(&sep) && b.get(7) == Some(&sep);
    let shape = b.len() >= 19
        && (dates(b'/') || dates(b'-'))
        && (b[10], b[13], b[16]) == (b' ', b':', b':');
    if !shape {
        return None;
    }
    let nanos = match &b[19..] {
        [] => 0,
        [b'.', fraction @ ..] if (1..=9).contains(&fraction.len()) => {
            digits_at(20..b.len())? * 10u32.pow(9 - fraction.len() as u32)
        }
        _ => return None,
    };
    let date = chrono::NaiveDate::from_ymd_opt(
        digits_at(0..4)? as i32,
        digits_at(5..7)?,
        digits_at(8..10)?,
    )?;
    date.and_hms_nano_opt(
        digits_at(11..13)?,
        digits_at(14..16)?,
        digits_at(17..19)?,
        nanos,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn live_layout() -> Layout {
        Layout::new(QUERY_FIELDS.iter().map(|f| ColumnSpec::new(f)).collect())
    }

    fn record(line: &str) -> csv::StringRecord {
        csv_reader(line.as_bytes(), false)
            .records()
            .next()
            .expect("a row")
            .expect("valid CSV")
    }

    const H100_ROW: &str = "0, GPU-11111111-2222-3333-4444-555555555555, NVIDIA H100 80GB HBM3, \
        00000000:18:00.0, 1652923001234, 550.54.15, 87, 45, 60123, 81559, 64, 512.34, 700.00, \
        1980, 2619, [N/A], 0, 0, Disabled";

    #[test]
    fn every_not_available_form_is_absent() {
        for cell in [
            "[N/A]",
            "N/A",
            "n/a",
            "[Not Supported]",
            "Not Supported",
            "[Insufficient Permissions]",
            "[Unknown Error]",
            "[GPU requires reset]",
            "[Requested functionality has been deprecated]",
            "",
            "   ",
        ] {
            assert!(is_absent(cell), "{cell:?} should be absent");
            assert_eq!(reading::<u32>(cell, &PERCENT), Ok(None), "{cell:?}");
            assert_eq!(milliwatts(cell), Ok(None), "{cell:?}");
            assert_eq!(mig_mode(cell), Ok(None), "{cell:?}");
            assert_eq!(text(cell), Ok(None), "{cell:?}");
        }
        assert!(!is_absent("0"));
    }

    #[test]
    fn watts_become_milliwatts() {
        assert_eq!(milliwatts("512.34"), Ok(Some(512_340)));
        assert_eq!(milliwatts("77.71 W"), Ok(Some(77_710)));
        assert_eq!(milliwatts("700.00"), Ok(Some(700_000)));
        assert_eq!(milliwatts("0.0005"), Ok(Some(1)));
    }

    #[test]
    fn values_with_units_read_like_bare_values() {
        assert_eq!(reading::<u32>("45 %", &PERCENT), Ok(Some(45)));
        assert_eq!(reading::<u32>("45%", &PERCENT), Ok(Some(45)));
        assert_eq!(reading::<u64>("81559 MiB", &MEMORY), Ok(Some(81559)));
        assert_eq!(reading::<u32>("1980 MHz", &CLOCK), Ok(Some(1980)));
        assert_eq!(reading::<u32>("64", &TEMPERATURE), Ok(Some(64)));
    }

    #[test]
    fn energy_is_millijoules_unless_marked_joules() {
        assert_eq!(millijoules("123456", None), Ok(Some(123_456)));
        assert_eq!(millijoules("123456", Some("mJ")), Ok(Some(123_456)));
        assert_eq!(millijoules("123.5", Some("J")), Ok(Some(123_500)));
        assert_eq!(millijoules("2 J", None), Ok(Some(2000)));
    }

    #[test]
    fn garbage_is_an_error_not_a_zero() {
        assert!(reading::<u32>("lots", &PERCENT).is_err());
        assert!(reading::<u32>("-3", &PERCENT).is_err());
        assert!(reading::<u8>("300", &CLOCK).is_err());
        assert!(milliwatts("12x").is_err());
        assert!(mig_mode("Maybe").is_err());
    }

    #[test]
    fn mig_mode_reads_enabled_and_disabled() {
        assert_eq!(mig_mode("Enabled"), Ok(Some(true)));
        assert_eq!(mig_mode("Disabled"), Ok(Some(false)));
    }

    #[test]
    fn watts_read_exactly_are_what_the_float_path_rounds_them_to() {
        let float_path = |cell: &str| {
            let watts: f64 = cell.split(' ').next().unwrap().parse().unwrap();
            (watts * 1000.0).round() as u64
        };
        for milli in (0..=5_000_000u64).step_by(7) {
            let (w, f) = (milli / 1000, milli % 1000);
            for cell in [
                format!("{w}.{f:03} W"),
                format!("{w}.{:02} W", f / 10),
                format!("{w}.{} W", f / 100),
                format!("{w}"),
            ] {
                assert_eq!(thousandths(&cell), Some(float_path(&cell)), "{cell}");
                assert_eq!(milliwatts(&cell).unwrap(), Some(float_path(&cell) as u32));
            }
        }
        // Other forms go the float path, with its errors.
        assert_eq!(thousandths("0.0005 W"), None);
        assert_eq!(milliwatts("0.0005 W"), Ok(Some(1)));
        assert_eq!(thousandths(".5 W"), None);
        assert_eq!(milliwatts("1e3 W"), Ok(Some(1_000_000)));
        assert!(milliwatts("5000.001 W")
            .unwrap_err()
            .contains("outside 0–5000 W"));
        assert_eq!(milliwatts("[N/A]"), Ok(None));
    }

    #[test]
    fn cells_trim_as_str_trim_does() {
        for cell in [
            "",
            " ",
            "  45 %  ",
            "\t45\r\n",
            "\x0b45\x0c",
            "\u{a0}45\u{a0}",
            " \u{2003} x \u{3000} ",
            "é",
            " é ",
            "x\u{85}",
            "\u{85} ",
            "a b",
        ] {
            assert_eq!(trim(cell), cell.trim(), "{cell:?}");
        }
    }

    #[test]
    fn readings_read_whole_or_rounded() {
        assert_eq!(reading::<u32>("45 %", &PERCENT), Ok(Some(45)));
        assert_eq!(reading::<u32>("45.5 %", &PERCENT), Ok(Some(46)));
        assert_eq!(reading::<u32>("45%", &PERCENT), Ok(Some(45)));
        assert_eq!(reading::<u32>("[N/A]", &PERCENT), Ok(None));
        assert!(reading::<u32>("101 %", &PERCENT)
            .unwrap_err()
            .contains("outside 0–100%"));
        assert!(reading::<u32>("lots", &PERCENT)
            .unwrap_err()
            .contains("not a number"));
    }

    #[test]
    fn nvidia_smi_times_read_without_a_format_as_with_one() {
        for text in [
            "2026/11/29 10:00:00.123",
            "2026/11/29 10:00:00",
            "2026-02-28 23:59:59.999999999",
            "2026/12/31 00:00:00.5",
        ] {
            let format = ["%Y/%m/%d %H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"]
                .iter()
                .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok());
            assert_eq!(smi_time(text), format, "{text}");
            assert!(smi_time(text).is_some(), "{text}");
        }
        // Impossible dates and other shapes are the formats' to judge.
        for text in [
            "2026/02/30 10:00:00",
            "2026/11-29 10:00:00",
            "2026/11/29 10:00:00.",
            "2026/11/29T10:00:00",
            "2026/11/29 24:00:00",
        ] {
            assert_eq!(smi_time(text), None, "{text}");
        }
        assert!(parse_timestamp("2026/02/30 10:00:00").is_err());
    }

    #[test]
    fn timestamps_in_nvidia_smi_format_are_utc_seconds() {
        assert_eq!(
            parse_timestamp("2026/11/29 10:00:00.123"),
            Ok(1_795_946_400)
        );
        assert_eq!(parse_timestamp("2026/11/29 10:00:01"), Ok(1_795_946_401));
        assert_eq!(parse_timestamp("2026-11-29T10:00:00Z"), Ok(1_795_946_400));
        assert!(parse_timestamp("yesterday").is_err());
    }

    #[test]
    fn a_live_row_becomes_a_sample() {
        let sample = live_layout().parse_row(&record(H100_ROW), 42).unwrap();
        assert_eq!(sample.uuid, "GPU-11111111-2222-3333-4444-555555555555");
        assert_eq!(sample.name.as_deref(), Some("NVIDIA H100 80GB HBM3"));
        assert_eq!(sample.index, Some(0));
        assert_eq!(sample.pci_bus_id.as_deref(), Some("00000000:18:00.0"));
        assert_eq!(sample.serial.as_deref(), Some("1652923001234"));
        assert_eq!(sample.driver_version.as_deref(), Some("550.54.15"));
        assert_eq!(sample.timestamp, 42);
        assert_eq!(sample.gpu_util_pct, Some(87));
        assert_eq!(sample.mem_util_pct, Some(45));
        assert_eq!(sample.mem_used_mib, Some(60123));
        assert_eq!(sample.mem_total_mib, Some(81559));
        assert_eq!(sample.temp_c, Some(64));
        assert_eq!(sample.power_mw, Some(512_340));
        assert_eq!(sample.power_limit_mw, Some(700_000));
        assert_eq!(sample.sm_clock_mhz, Some(1980));
        assert_eq!(sample.mem_clock_mhz, Some(2619));
        assert_eq!(sample.fan_pct, None);
        assert_eq!(sample.ecc_corrected, Some(0));
        assert_eq!(sample.ecc_uncorrected, Some(0));
        assert_eq!(sample.mig_mode, Some(false));
        assert_eq!(sample.energy_mj, None);
    }

    #[test]
    fn a_row_without_uuid_or_with_wrong_width_is_refused() {
        let layout = live_layout();
        let no_uuid = H100_ROW.replace("GPU-11111111-2222-3333-4444-555555555555", "[N/A]");
        assert_eq!(
            layout.parse_row(&record(&no_uuid), 0),
            Err(RowError::NoUuid)
        );
        let short = record("0, GPU-1, NVIDIA H100");
        assert!(matches!(layout.parse_row(&short, 0), Err(RowError::Bad(_))));
    }

    #[test]
    fn headers_with_units_name_the_field_and_unit() {
        let spec = ColumnSpec::new("power.draw [W]");
        assert_eq!(spec.column, Column::PowerDraw);
        assert_eq!(spec.unit.as_deref(), Some("W"));
        assert_eq!(
            ColumnSpec::new(" utilization.gpu [%]").column,
            Column::GpuUtil
        );
        assert_eq!(ColumnSpec::new("clocks.sm [MHz]").column, Column::SmClock);
        assert_eq!(ColumnSpec::new("pstate").column, Column::Ignored);
    }

    #[test]
    fn enforced_power_limit_wins_over_power_limit() {
        let layout = Layout::new(
            ["uuid", "enforced.power.limit", "power.limit"]
                .iter()
                .map(|f| ColumnSpec::new(f))
                .collect(),
        );
        let sample = layout.parse_row(&record("GPU-1, 300, 350"), 0).unwrap();
        assert_eq!(sample.power_limit_mw, Some(300_000));
        let only_limit = Layout::new(vec![
            ColumnSpec::new("uuid"),
            ColumnSpec::new("power.limit"),
        ]);
        let sample = only_limit.parse_row(&record("GPU-1, 350"), 0).unwrap();
        assert_eq!(sample.power_limit_mw, Some(350_000));
    }

    #[test]
    fn query_asks_for_csv_without_header_or_units() {
        let [query, format] = SmiSource::query_args();
        assert!(query.starts_with("--query-gpu=index,uuid,name,"));
        assert_eq!(format, "--format=csv,noheader,nounits");
    }

    #[test]
    fn a_missing_binary_means_no_driver() {
        let mut source = SmiSource::new("/nonexistent/gpuctl-test/nvidia-smi");
        let err = source.sample().unwrap_err();
        assert!(err.is_no_driver(), "{err}");
    }
}
