//! Replay: a recorded `nvidia-smi --query-gpu=… --format=csv` file, one batch per timestamp.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender};

use super::smi::{Column, ColumnSpec, Layout, RowError};
use super::source::{DeviceSample, GpuSource, SourceError};

/// One moment of a recording: unix seconds and the GPUs read then.
pub type Batch = (i64, Vec<DeviceSample>);

/// The largest recording read, in bytes (a week of 8 GPUs every second is ~300 MiB): one whose
/// rows go back in time is held whole in memory, so a bigger one is split rather than read.
pub const INPUT_MAX_BYTES: u64 = 1024 * 1024 * 1024;

/// The longest line read, in bytes: a row of every query field is under 1 KiB.
pub const LINE_MAX_BYTES: usize = 64 * 1024;

/// The most GPUs one moment of a recording may hold: one host's nvidia-smi, as many as a
/// Kubernetes node may have.
pub const GPUS_PER_BATCH_MAX: usize = 1_024;

/// A recorded nvidia-smi CSV (with its header; units in header and values or not; any subset
/// and order of the query fields, `uuid` required), read and checked whole when opened.
#[derive(Debug, Clone)]
pub struct ReplaySource {
    path: PathBuf,
    /// Oldest first; `sample` hands them out in turn.
    batches: VecDeque<Batch>,
}

impl ReplaySource {
    /// Reads `path`. Rows are grouped by their timestamp (to the second); a file without a
    /// `timestamp` column is one batch at `default_timestamp` (the command's "now").
    pub fn open(path: impl AsRef<Path>, default_timestamp: i64) -> Result<Self, SourceError> {
        let path = path.as_ref().to_path_buf();
        let file = std::fs::File::open(&path).map_err(|error| SourceError::Unreadable {
            path: path.clone(),
            error,
        })?;
        let batches = read_batches(&path, file, default_timestamp)?;
        Ok(ReplaySource {
            path,
            batches: batches.into(),
        })
    }

    /// Parses recorded CSV text; `path` only names the input in errors.
    pub fn from_reader(
        path: impl AsRef<Path>,
        input: impl std::io::Read,
        default_timestamp: i64,
    ) -> Result<Self, SourceError> {
        let path = path.as_ref().to_path_buf();
        let batches = read_batches(&path, input, default_timestamp)?;
        Ok(ReplaySource {
            path,
            batches: batches.into(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The batches not yet handed out by `sample`, oldest first.
    pub fn batches(self) -> Vec<Batch> {
        self.batches.into()
    }

    /// How many batches `sample` has still to hand out.
    pub fn remaining(&self) -> usize {
        self.batches.len()
    }
}

impl GpuSource for ReplaySource {
    fn name(&self) -> &'static str {
        "replay"
    }

    /// The next recorded batch; an empty list once the recording is used up.
    fn sample(&mut self) -> Result<Vec<DeviceSample>, SourceError> {
        Ok(self
            .batches
            .pop_front()
            .map(|(_, samples)| samples)
            .unwrap_or_default())
    }
}

fn read_batches(
    path: &Path,
    input: impl Read,
    default_timestamp: i64,
) -> Result<Vec<Batch>, SourceError> {
    // Each moment's samples, and where each GPU's sample is in them: a repeated GPU is found
    // in constant time, so a file is read in time linear in its rows.
    let mut by_time: BTreeMap<i64, Moment> = BTreeMap::new();
    read_rows(
        path,
        input,
        default_timestamp,
        DeviceSample::default,
        |line, sample| {
            by_time
                .entry(sample.timestamp)
                .or_default()
                .add(path, line, sample)
        },
    )?;
    Ok(by_time
        .into_iter()
        .map(|(at, moment)| (at, moment.samples))
        .collect())
}

/// What [`stream`] hands over: the next moment of the recording, or word that its rows go
/// back in time (it must then be read whole, with [`ReplaySource::open`]).
#[derive(Debug)]
pub enum Streamed {
    Batch((i64, Readings)),
    Unordered,
}

/// The readings of one streamed moment. Dropped, they go back to the reader's thread to be
/// freed there: freed on the storing thread, every string of every row went back across
/// threads into the allocator's arena of the reader, and the two threads spent a sixth of a
/// replay's CPU waiting on that arena's lock.
#[derive(Debug)]
pub struct Readings {
    samples: Vec<DeviceSample>,
    home: Option<std::sync::mpsc::Sender<Vec<DeviceSample>>>,
}

impl Readings {
    pub fn into_vec(mut self) -> Vec<DeviceSample> {
        self.home = None;
        std::mem::take(&mut self.samples)
    }
}

impl std::ops::Deref for Readings {
    type Target = [DeviceSample];

    fn deref(&self) -> &[DeviceSample] {
        &self.samples
    }
}

impl Drop for Readings {
    fn drop(&mut self) {
        if let Some(home) = self.home.take() {
            // A reader gone already leaves them to be freed here.
            let _ = home.send(std::mem::take(&mut self.samples));
        }
    }
}

/// Reads a recording on a thread of its own and hands over each moment as soon as the next
/// one starts, so that storing one overlaps reading the next. A recording is in time order as
/// nvidia-smi writes it; one whose rows go back in time ends the stream with `Unordered`.
/// The reader stops when the [`Stream`] is dropped.
pub fn stream(path: impl AsRef<Path>, default_timestamp: i64) -> Result<Stream, SourceError> {
    let path = path.as_ref().to_path_buf();
    let file = std::fs::File::open(&path).map_err(|error| SourceError::Unreadable {
        path: path.clone(),
        error,
    })?;
    // A small file (a cron collect's one reading) is read at once: a thread would cost more.
    let small = file.metadata().is_ok_and(|m| m.len() < INLINE_MAX_BYTES);
    if small {
        let (tx, rx) = std::sync::mpsc::channel();
        pump(&path, file, default_timestamp, None, |chunk| {
            tx.send(chunk).is_ok()
        });
        return Ok(Stream::new(rx));
    }
    Ok(stream_all(vec![path], default_timestamp))
}

/// [`stream`] for many recordings, read one after the other by one thread: it runs ahead of
/// the store across files, so it goes on reading while the store writes a file's rows, and
/// it parses into the samples of every file before. Call [`Stream::next_file`] to move from
/// one recording to the next. A recording that cannot be opened is an error in its turn.
pub fn stream_all(paths: Vec<PathBuf>, default_timestamp: i64) -> Stream {
    let (tx, rx) = std::sync::mpsc::sync_channel(CHUNKS_AHEAD);
    std::thread::spawn(move || {
        let recycling = Recycling::new();
        for path in paths {
            let file = match std::fs::File::open(&path) {
                Ok(file) => file,
                Err(error) => {
                    let error = SourceError::Unreadable { path, error };
                    if tx
                        .send(vec![Message::Moment(Err(error)), Message::End])
                        .is_err()
                    {
                        return;
                    }
                    continue;
                }
            };
            let recycled = Some(&recycling);
            if !pump(&path, file, default_timestamp, recycled, |chunk| {
                tx.send(chunk).is_ok()
            }) {
                return;
            }
        }
        drop(tx);
        // Freed here, where they were allocated, as the last moments are dropped.
        let Recycling { home, spent, .. } = recycling;
        drop(home);
        spent.iter().for_each(drop);
    });
    Stream::new(rx)
}

/// Moments handed over at once: one hand-over per moment cost the two threads a wake-up
/// each, as much as parsing the moment's rows.
const MOMENTS_PER_CHUNK: usize = 32;
/// Samples handed over at once at most (a chunk of wide moments is handed over early): with
/// [`CHUNKS_AHEAD`], what bounds the reader's lead in memory (about 20 MiB of samples) however
/// many GPUs a moment holds.
const SAMPLES_PER_CHUNK: usize = 2_048;
/// Chunks the reader may run ahead of the store by: about half a day of one-minute moments of
/// an 8-GPU node, what it reads while the store writes the node's day of rows.
const CHUNKS_AHEAD: usize = 24;

/// What the reader hands over: a moment (or word on the recording), or the end of a recording.
enum Message {
    Moment(Result<Streamed, SourceError>),
    End,
}

type Chunk = Vec<Message>;

/// The moments of the recordings as their reader hands them over, oldest first: as an
/// iterator, those of the current recording.
pub struct Stream {
    chunks: std::sync::mpsc::Receiver<Chunk>,
    chunk: std::vec::IntoIter<Message>,
    /// Whether the current recording's end has not been handed over yet.
    in_file: bool,
}

impl Stream {
    fn new(chunks: std::sync::mpsc::Receiver<Chunk>) -> Stream {
        Stream {
            chunks,
            chunk: Vec::new().into_iter(),
            in_file: true,
        }
    }

    /// Moves on to the next recording, passing over what is left of the current one.
    pub fn next_file(&mut self) {
        while self.next().is_some() {}
        self.in_file = true;
    }

    fn message(&mut self) -> Option<Message> {
        loop {
            if let Some(message) = self.chunk.next() {
                return Some(message);
            }
            self.chunk = self.chunks.recv().ok()?.into_iter();
        }
    }
}

impl Iterator for Stream {
    type Item = Result<Streamed, SourceError>;

    fn next(&mut self) -> Option<Self::Item> {
        if !self.in_file {
            return None;
        }
        match self.message() {
            Some(Message::Moment(moment)) => Some(moment),
            Some(Message::End) | None => {
                self.in_file = false;
                None
            }
        }
    }
}

/// Where a reader's samples come back from the store, and those it keeps to parse into again
/// (from one recording to the next).
struct Recycling {
    home: Sender<Vec<DeviceSample>>,
    spent: Receiver<Vec<DeviceSample>>,
    pool: std::cell::RefCell<Vec<DeviceSample>>,
}

impl Recycling {
    fn new() -> Recycling {
        let (home, spent) = std::sync::mpsc::channel();
        Recycling {
            home,
            spent,
            pool: Default::default(),
        }
    }

    /// Takes back what the store is done with.
    fn refill(&self) {
        let mut pool = self.pool.borrow_mut();
        for samples in self.spent.try_iter() {
            if pool.len() < POOL_MAX {
                pool.extend(samples);
            }
        }
    }
}

/// The most used samples a reader keeps to parse into again.
const POOL_MAX: usize = 16_384;

/// Recordings smaller than this are read on the caller's thread.
const INLINE_MAX_BYTES: u64 = 256 * 1024;

/// Reads a recording, handing moments to `send` in chunks as the next moment begins, the
/// recording's end last; `send` says false when no one listens any more, and so does `pump`.
fn pump(
    path: &Path,
    file: std::fs::File,
    default_timestamp: i64,
    recycled: Option<&Recycling>,
    mut send: impl FnMut(Chunk) -> bool,
) -> bool {
    let readings = |samples| Readings {
        samples,
        home: recycled.map(|r| r.home.clone()),
    };
    // Samples the store is done with are parsed into again: their strings keep their buffers.
    let refill = || {
        if let Some(recycling) = recycled {
            recycling.refill();
        }
    };
    let spare = || {
        let parsed_into = recycled.and_then(|r| r.pool.borrow_mut().pop());
        parsed_into.unwrap_or_default()
    };
    let mut current: Option<(i64, Moment)> = None;
    let mut chunk: Chunk = Vec::with_capacity(MOMENTS_PER_CHUNK);
    let mut chunk_samples = 0;
    let read = read_rows(path, file, default_timestamp, spare, |line, sample| {
        let at = sample.timestamp;
        match &mut current {
            Some((t, moment)) if *t == at => return Ok(moment.add(path, line, sample)?),
            Some((t, _)) if *t > at => return Err(Halt::Unordered),
            _ => {}
        }
        if let Some((t, done)) = current.take() {
            chunk_samples += done.samples.len();
            let moment = Ok(Streamed::Batch((t, readings(done.samples))));
            chunk.push(Message::Moment(moment));
            if chunk.len() == MOMENTS_PER_CHUNK || chunk_samples >= SAMPLES_PER_CHUNK {
                chunk_samples = 0;
                refill();
                let full = std::mem::replace(&mut chunk, Vec::with_capacity(MOMENTS_PER_CHUNK));
                if !send(full) {
                    return Err(Halt::Gone);
                }
            }
        }
        let mut moment = Moment::default();
        moment.add(path, line, sample)?;
        current = Some((at, moment));
        Ok(())
    });
    let last = match read {
        Ok(()) => current
            .take()
            .map(|(t, moment)| Ok(Streamed::Batch((t, readings(moment.samples))))),
        Err(Halt::Unordered) => Some(Ok(Streamed::Unordered)),
        Err(Halt::Gone) => return false,
        Err(Halt::Failed(e)) => Some(Err(e)),
    };
    chunk.extend(last.map(Message::Moment));
    chunk.push(Message::End);
    send(chunk)
}

/// Why [`stream`]'s reader stopped early.
enum Halt {
    /// A row went back in time.
    Unordered,
    /// The receiver hung up (the run failed).
    Gone,
    Failed(SourceError),
}

impl From<SourceError> for Halt {
    fn from(e: SourceError) -> Halt {
        Halt::Failed(e)
    }
}

/// The samples of one moment, a repeated GPU's later row standing.
#[derive(Debug, Default)]
struct Moment {
    samples: Vec<DeviceSample>,
    /// Where each GPU is in `samples`, once there are enough for a search to cost.
    index: HashMap<String, usize>,
}

impl Moment {
    const SCANNED: usize = 32;

    fn add(&mut self, path: &Path, line: u64, sample: DeviceSample) -> Result<(), SourceError> {
        let at = if self.samples.len() <= Self::SCANNED {
            self.samples.iter().position(|s| s.uuid == sample.uuid)
        } else {
            if self.index.is_empty() {
                for (i, s) in self.samples.iter().enumerate() {
                    self.index.insert(s.uuid.clone(), i);
                }
            }
            self.index.get(&sample.uuid).copied()
        };
        // Two rows for one GPU in one second: the later reading stands.
        match at {
            Some(at) => self.samples[at] = sample,
            None if self.samples.len() >= GPUS_PER_BATCH_MAX => {
                return Err(SourceError::Malformed {
                    path: path.to_path_buf(),
                    line,
                    message: format!(
                        "more than {GPUS_PER_BATCH_MAX} GPUs read at one moment: a recording is one host's nvidia-smi (is the timestamp column missing?)"
                    ),
                })
            }
            None => {
                if !self.index.is_empty() {
                    self.index.insert(sample.uuid.clone(), self.samples.len());
                }
                self.samples.push(sample);
            }
        }
        Ok(())
    }
}

/// Reads and checks a recording's header, then hands each row's sample, with its line, to
/// `on_row` in file order.
fn read_rows<E: From<SourceError>>(
    path: &Path,
    input: impl Read,
    default_timestamp: i64,
    mut spare: impl FnMut() -> DeviceSample,
    mut on_row: impl FnMut(u64, DeviceSample) -> Result<(), E>,
) -> Result<(), E> {
    let malformed = |line: u64, message: String| SourceError::Malformed {
        path: path.to_path_buf(),
        line,
        message,
    };
    let mut records = Records::new(path, input);
    let header: Vec<String> = match records.header()? {
        Row::Plain(line) => line.cells().map(str::to_string).collect(),
        Row::Record(record) => record.iter().map(str::to_string).collect(),
    };
    let layout = Layout::new(header.iter().map(|cell| ColumnSpec::new(cell)).collect());
    if header.is_empty() || (header.len() == 1 && header[0].trim().is_empty()) {
        return Err(E::from(malformed(
            1,
            "empty file: expected an nvidia-smi CSV header".into(),
        )));
    }
    if header.iter().any(|cell| cell.trim().starts_with("GPU-")) {
        return Err(E::from(malformed(
            1,
            "no header row: record with --format=csv (not noheader) so columns have names".into(),
        )));
    }
    if !layout.has(Column::Uuid) {
        return Err(E::from(malformed(
            1,
            "no 'uuid' column: record with nvidia-smi --query-gpu=uuid,… --format=csv".into(),
        )));
    }
    while let Some((line, row)) = records.next_row(header.len())? {
        let parsed = match row {
            Row::Plain(plain) if header.len() == 1 && plain.text.trim().is_empty() => continue,
            Row::Record(record) if record.len() == 1 && record[0].trim().is_empty() => continue,
            row => {
                let mut sample = spare();
                let parsed = match row {
                    Row::Plain(plain) => layout.parse_cells_into(
                        plain.len(),
                        plain.cells(),
                        default_timestamp,
                        &mut sample,
                    ),
                    Row::Record(record) => {
                        layout.parse_row_into(record, default_timestamp, &mut sample)
                    }
                };
                parsed.map(|()| sample)
            }
        };
        let sample = parsed
            .map_err(|e| match e {
                RowError::NoUuid => malformed(line, "GPU UUID is missing".into()),
                RowError::Bad(message) => malformed(line, message),
            })
            .map_err(E::from)?;
        on_row(line, sample)?;
    }
    Ok(())
}

/// The rows of a recording. Lines as nvidia-smi writes them (no quote, no carriage return but
/// one before the line's end) are split at their commas here (the csv crate's parser and its
/// UTF-8 check were a fifth of a replay's reading); from the first line that is anything
/// else, the csv crate reads the rest, by every rule of CSV.
struct Records<'p, R: Read> {
    path: &'p Path,
    plain: Option<std::io::BufReader<Bounded<R>>>,
    csv: Option<CsvRest<R>>,
    /// The line in hand, as read, and where its commas are once it is known to be plain.
    line: Vec<u8>,
    commas: Vec<usize>,
    /// Its number, from 1.
    line_number: u64,
    record: csv::StringRecord,
}

/// The csv crate reading the rest of a recording, from the line in hand on.
struct CsvRest<R: Read> {
    reader: csv::Reader<RestOfInput<R>>,
    /// The number of the line before its first.
    lines_before: u64,
}

/// A line as nvidia-smi writes it, and where its commas are.
struct PlainLine<'a> {
    text: &'a str,
    commas: &'a [usize],
}

impl<'a> PlainLine<'a> {
    /// How many cells it holds.
    fn len(&self) -> usize {
        self.commas.len() + 1
    }

    /// Its cells, as the csv crate would split them (untrimmed).
    fn cells(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        let text = self.text;
        let starts = std::iter::once(0).chain(self.commas.iter().map(|c| c + 1));
        let ends = self
            .commas
            .iter()
            .copied()
            .chain(std::iter::once(text.len()));
        // Commas are ASCII: every cut is at a character boundary.
        starts.zip(ends).map(move |(start, end)| &text[start..end])
    }
}

/// The line a [`CsvRest`] starts from, then the input after it.
type RestOfInput<R> = std::io::Chain<std::io::Cursor<Vec<u8>>, std::io::BufReader<Bounded<R>>>;

/// A row as [`Records`] read it.
enum Row<'a> {
    Plain(PlainLine<'a>),
    Record(&'a csv::StringRecord),
}

impl<'p, R: Read> Records<'p, R> {
    fn new(path: &'p Path, input: R) -> Self {
        Records {
            path,
            plain: Some(std::io::BufReader::with_capacity(
                64 * 1024,
                Bounded::new(input),
            )),
            csv: None,
            line: Vec::new(),
            commas: Vec::new(),
            line_number: 0,
            record: csv::StringRecord::new(),
        }
    }

    /// The header row (an empty one for an empty file).
    fn header(&mut self) -> Result<Row<'_>, SourceError> {
        if self.next_line()? {
            // The byte-order mark a Windows tool may write.
            if self.line.starts_with(b"\xEF\xBB\xBF") {
                self.line.drain(..3);
            }
            if self.is_plain() {
                return Ok(Row::Plain(self.plain()?));
            }
            self.hand_to_csv(true);
        }
        let Some(csv) = &mut self.csv else {
            // An empty file: no line at all.
            return Ok(Row::Record(&self.record));
        };
        let lines_before = csv.lines_before;
        let header = (csv.reader.headers()).map_err(|e| csv_error(self.path, e, lines_before))?;
        self.record = header.clone();
        Ok(Row::Record(&self.record))
    }

    /// The next row and its line; rows of another length than the header's are refused, as
    /// the csv crate refuses them.
    fn next_row(&mut self, expected: usize) -> Result<Option<(u64, Row<'_>)>, SourceError> {
        if self.csv.is_none() {
            if !self.next_line()? {
                return Ok(None);
            }
            if self.is_plain() {
                let (path, number) = (self.path, self.line_number);
                let line = self.plain()?;
                if line.len() != expected {
                    return Err(unequal(path, number, expected, line.len()));
                }
                return Ok(Some((number, Row::Plain(line))));
            }
            self.hand_to_csv(false);
        }
        let Some(csv) = &mut self.csv else {
            return Ok(None);
        };
        let lines_before = csv.lines_before;
        match csv.reader.read_record(&mut self.record) {
            Ok(false) => Ok(None),
            Ok(true) => {
                let line = self.record.position().map_or(0, |p| p.line()) + lines_before;
                // Any length is read (the crate would measure against its first row, not
                // the header): the header's is checked here.
                if self.record.len() != expected {
                    return Err(unequal(self.path, line, expected, self.record.len()));
                }
                Ok(Some((line, Row::Record(&self.record))))
            }
            Err(e) => Err(csv_error(self.path, e, lines_before)),
        }
    }

    /// Reads the next line that is not empty, without its end; false at the end of the file.
    fn next_line(&mut self) -> Result<bool, SourceError> {
        let Some(input) = &mut self.plain else {
            return Ok(false);
        };
        loop {
            self.line.clear();
            let read = std::io::BufRead::read_until(input, b'\n', &mut self.line)
                .map_err(|error| io_error(self.path, error))?;
            if read == 0 {
                return Ok(false);
            }
            self.line_number += 1;
            if self.line.last() == Some(&b'\n') {
                self.line.pop();
                if self.line.last() == Some(&b'\r') {
                    self.line.pop();
                }
            }
            // The csv crate passes over empty lines too.
            if !self.line.is_empty() {
                return Ok(true);
            }
        }
    }

    /// Whether the line in hand is a plain one: no quote, no carriage return.
    fn is_plain(&self) -> bool {
        memchr::memchr2(b'"', b'\r', &self.line).is_none()
    }

    /// The plain line in hand, checked as UTF-8 and split at its commas.
    fn plain(&mut self) -> Result<PlainLine<'_>, SourceError> {
        let Ok(text) = std::str::from_utf8(&self.line) else {
            return Err(SourceError::Malformed {
                path: self.path.to_path_buf(),
                line: self.line_number,
                message: "not UTF-8 text".into(),
            });
        };
        self.commas.clear();
        self.commas
            .extend(memchr::memchr_iter(b',', text.as_bytes()));
        Ok(PlainLine {
            text,
            commas: &self.commas,
        })
    }

    /// Hands the line in hand and the rest of the input to the csv crate.
    fn hand_to_csv(&mut self, has_headers: bool) {
        let Some(input) = self.plain.take() else {
            return;
        };
        let mut line = std::mem::take(&mut self.line);
        line.push(b'\n');
        let reader = csv::ReaderBuilder::new()
            .has_headers(has_headers)
            .flexible(true)
            .from_reader(std::io::Read::chain(std::io::Cursor::new(line), input));
        self.csv = Some(CsvRest {
            reader,
            lines_before: self.line_number.saturating_sub(1),
        });
    }
}

fn unequal(path: &Path, line: u64, expected: usize, found: usize) -> SourceError {
    SourceError::Malformed {
        path: path.to_path_buf(),
        line,
        message: format!("expected {expected} values like the header, found {found}"),
    }
}

fn io_error(path: &Path, error: std::io::Error) -> SourceError {
    match error.get_ref().and_then(|e| e.downcast_ref::<TooLarge>()) {
        Some(too_large) => SourceError::Malformed {
            path: path.to_path_buf(),
            line: too_large.line,
            message: too_large.message.clone(),
        },
        None => SourceError::Unreadable {
            path: path.to_path_buf(),
            error,
        },
    }
}

/// Why [`Bounded`] stopped reading.
#[derive(Debug)]
struct TooLarge {
    line: u64,
    message: String,
}

impl std::fmt::Display for TooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TooLarge {}

/// A reader that fails past [`INPUT_MAX_BYTES`] in all or [`LINE_MAX_BYTES`] on one line:
/// `/dev/zero` or a runaway file ends in an error at once instead of filling memory.
struct Bounded<R> {
    inner: R,
    total: u64,
    line: u64,
    line_bytes: usize,
}

impl<R: Read> Bounded<R> {
    fn new(inner: R) -> Self {
        Bounded {
            inner,
            total: 0,
            line: 1,
            line_bytes: 0,
        }
    }

    fn long_line(&self) -> std::io::Error {
        self.too_large(format!(
            "line longer than {} KiB: not an nvidia-smi recording",
            LINE_MAX_BYTES / 1024
        ))
    }

    fn too_large(&self, message: String) -> std::io::Error {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            TooLarge {
                line: self.line,
                message,
            },
        )
    }
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buf)?;
        self.total += read as u64;
        if self.total > INPUT_MAX_BYTES {
            return Err(self.too_large(format!(
                "larger than {} MiB: split the recording",
                INPUT_MAX_BYTES / (1024 * 1024)
            )));
        }
        let mut line_start = 0;
        for newline in memchr::memchr_iter(b'\n', &buf[..read]) {
            self.line_bytes += newline - line_start;
            if self.line_bytes > LINE_MAX_BYTES {
                return Err(self.long_line());
            }
            self.line += 1;
            self.line_bytes = 0;
            line_start = newline + 1;
        }
        self.line_bytes += read - line_start;
        if self.line_bytes > LINE_MAX_BYTES {
            return Err(self.long_line());
        }
        Ok(read)
    }
}

/// What the csv crate's error says, its lines counted after `lines_before`.
fn csv_error(path: &Path, e: csv::Error, lines_before: u64) -> SourceError {
    let line = e.position().map_or(1, |p| p.line()) + lines_before;
    match e.into_kind() {
        csv::ErrorKind::Io(error) => io_error(path, error),
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => SourceError::Malformed {
            path: path.to_path_buf(),
            line,
            message: format!("expected {expected_len} values like the header, found {len}"),
        },
        csv::ErrorKind::Utf8 { .. } => SourceError::Malformed {
            path: path.to_path_buf(),
            line,
            message: "not UTF-8 text".into(),
        },
        other => SourceError::Malformed {
            path: path.to_path_buf(),
            line,
            message: format!("not CSV: {other:?}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replay(text: &str) -> Result<Vec<Batch>, SourceError> {
        ReplaySource::from_reader("rec.csv", text.as_bytes(), 1000).map(ReplaySource::batches)
    }

    fn malformed_line(text: &str) -> (u64, String) {
        match replay(text) {
            Err(SourceError::Malformed {
                path,
                line,
                message,
            }) => {
                assert_eq!(path, PathBuf::from("rec.csv"));
                (line, message)
            }
            other => panic!("expected a malformed-file error, got {other:?}"),
        }
    }

    const WITH_UNITS: &str = "\
timestamp, index, uuid, name, utilization.gpu [%], memory.used [MiB], memory.total [MiB], power.draw [W], clocks.sm [MHz], fan.speed [%], mig.mode.current
2026/11/29 10:00:00.123, 0, GPU-aaa, NVIDIA H100 80GB HBM3, 45 %, 1024 MiB, 81559 MiB, 77.71 W, 1980 MHz, [N/A], Disabled
2026/11/29 10:00:00.140, 1, GPU-bbb, NVIDIA H100 80GB HBM3, 0 %, 0 MiB, 81559 MiB, [Not Supported], 345 MHz, 30 %, Enabled
2026/11/29 10:00:05.101, 0, GPU-aaa, NVIDIA H100 80GB HBM3, 50 %, 2048 MiB, 81559 MiB, 80.00 W, 1980 MHz, [N/A], Disabled
2026/11/29 10:00:05.120, 1, GPU-bbb, NVIDIA H100 80GB HBM3, 1 %, 10 MiB, 81559 MiB, 70.5 W, 345 MHz, 31 %, Enabled
";

    #[test]
    fn rows_with_units_group_by_timestamp_in_order() {
        let batches = replay(WITH_UNITS).unwrap();
        assert_eq!(batches.len(), 2);
        let (t0, first) = &batches[0];
        let (t1, second) = &batches[1];
        assert_eq!(*t0, 1_795_946_400);
        assert_eq!(*t1, 1_795_946_405);
        assert_eq!(first.len(), 2);
        assert_eq!(first[0].uuid, "GPU-aaa");
        assert_eq!(first[0].gpu_util_pct, Some(45));
        assert_eq!(first[0].mem_used_mib, Some(1024));
        assert_eq!(first[0].power_mw, Some(77_710));
        assert_eq!(first[0].fan_pct, None);
        assert_eq!(first[1].power_mw, None);
        assert_eq!(first[1].mig_mode, Some(true));
        assert_eq!(second[1].power_mw, Some(70_500));
        assert!(second.iter().all(|s| s.timestamp == *t1));
    }

    #[test]
    fn nounits_subset_in_any_order_without_timestamp_is_one_batch() {
        let text = "memory.used, uuid, temperature.gpu\n12, GPU-aaa, 40\n[N/A], GPU-bbb, 41\n";
        let batches = replay(text).unwrap();
        assert_eq!(batches.len(), 1);
        let (t, samples) = &batches[0];
        assert_eq!(*t, 1000);
        assert_eq!(samples[0].mem_used_mib, Some(12));
        assert_eq!(samples[0].temp_c, Some(40));
        assert_eq!(samples[0].name, None);
        assert_eq!(samples[1].mem_used_mib, None);
    }

    #[test]
    fn sample_hands_out_batches_then_nothing() {
        let mut source = ReplaySource::from_reader("rec.csv", WITH_UNITS.as_bytes(), 0).unwrap();
        assert_eq!(source.name(), "replay");
        assert_eq!(source.remaining(), 2);
        assert_eq!(source.sample().unwrap()[0].gpu_util_pct, Some(45));
        assert_eq!(source.sample().unwrap()[0].gpu_util_pct, Some(50));
        assert!(source.sample().unwrap().is_empty());
    }

    /// A recording big enough to be read on a thread, its moments oldest first unless `back`.
    fn long_recording(back: bool) -> tempfile::NamedTempFile {
        use std::io::Write;
        let mut file = tempfile::NamedTempFile::new().unwrap();
        writeln!(
            file,
            "timestamp, uuid, utilization.gpu [%], temperature.gpu"
        )
        .unwrap();
        for m in 0..4_000 {
            let m = if back && m == 3_000 { 10 } else { m };
            for gpu in 0..2 {
                writeln!(
                    file,
                    "2026/11/29 {:02}:{:02}:{:02}.000, GPU-00000000-0000-0000-0000-00000000000{gpu}, 50 %, 60",
                    m / 3600,
                    m / 60 % 60,
                    m % 60
                )
                .unwrap();
            }
        }
        assert!(file.as_file().metadata().unwrap().len() > INLINE_MAX_BYTES);
        file
    }

    #[test]
    fn wide_moments_are_handed_over_in_smaller_chunks() {
        use std::io::Write;
        let mut file = tempfile::NamedTempFile::new().unwrap();
        writeln!(file, "timestamp, uuid, utilization.gpu [%]").unwrap();
        for m in 0..50 {
            for gpu in 0..300 {
                writeln!(file, "2026/11/29 10:{m:02}:00, GPU-{gpu:08x}, 50 %").unwrap();
            }
        }
        let (mut moments, mut ends, mut largest) = (0, 0, 0);
        let handed = pump(file.path(), file.reopen().unwrap(), 0, None, |chunk| {
            let mut samples = 0;
            for message in &chunk {
                match message {
                    Message::Moment(Ok(Streamed::Batch((_, readings)))) => {
                        moments += 1;
                        samples += readings.len();
                    }
                    Message::End => ends += 1,
                    Message::Moment(_) => panic!("a moment"),
                }
            }
            largest = largest.max(samples);
            true
        });
        assert!(handed);
        assert_eq!((moments, ends), (50, 1));
        // A chunk closes at the moment that takes it past the bound.
        assert!(
            largest < SAMPLES_PER_CHUNK + 300,
            "{largest} samples in one chunk"
        );
        assert!(
            largest >= SAMPLES_PER_CHUNK,
            "{largest}: a chunk is filled to the bound"
        );
    }

    #[test]
    fn samples_handed_back_are_parsed_into_again_keeping_nothing_of_before() {
        use std::io::Write;
        let mut file = tempfile::NamedTempFile::new().unwrap();
        writeln!(
            file,
            "timestamp, index, uuid, name, serial, pci.bus_id, driver_version, utilization.gpu [%], memory.used [MiB], power.draw [W], mig.mode.current"
        )
        .unwrap();
        // Every other moment leaves out what the one before said: a reused sample must not
        // carry it over.
        for m in 0..4_000 {
            for gpu in 0..2 {
                let full = m % 2 == 0;
                writeln!(
                    file,
                    "2026/11/29 {:02}:{:02}:{:02}.000, {gpu}, GPU-00000000-0000-0000-0000-00000000000{gpu}, {}, {}, 00000000:{:02X}:00.0, {}, {} %, {}, {}, {}",
                    m / 3600,
                    m / 60 % 60,
                    m % 60,
                    if full { "NVIDIA H100 80GB HBM3" } else { "[N/A]" },
                    if full { format!("{}", 1_650_000 + m) } else { "[Not Supported]".into() },
                    0x18 + gpu,
                    if m % 3 == 0 { "550.54.15" } else { "[N/A]" },
                    m % 101,
                    if full { format!("{} MiB", 1_000 + m) } else { "[N/A]".into() },
                    if full { "301.25 W" } else { "[N/A]" },
                    if full { "Enabled" } else { "[N/A]" },
                )
                .unwrap();
            }
        }
        let whole = ReplaySource::open(file.path(), 0).unwrap().batches();
        let streamed: Vec<Batch> = stream(file.path(), 0)
            .unwrap()
            .map(|m| match m.unwrap() {
                Streamed::Batch((at, readings)) => {
                    let copy = readings.to_vec();
                    // Back to the reader, to be parsed into again.
                    drop(readings);
                    (at, copy)
                }
                Streamed::Unordered => panic!("in order"),
            })
            .collect();
        assert_eq!(streamed.len(), 4_000);
        assert_eq!(streamed, whole);
        assert_eq!(whole[1].1[0].name, None);
        assert_eq!(whole[2].1[0].serial.as_deref(), Some("1650002"));
    }

    #[test]
    fn a_long_recording_streams_every_moment_in_order_from_its_thread() {
        let file = long_recording(false);
        let moments: Vec<Batch> = stream(file.path(), 0)
            .unwrap()
            .map(|m| match m.unwrap() {
                Streamed::Batch((at, readings)) => (at, readings.into_vec()),
                Streamed::Unordered => panic!("in order"),
            })
            .collect();
        assert_eq!(moments.len(), 4_000);
        assert!(moments.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(moments.iter().all(|(_, samples)| samples.len() == 2));
        let whole = ReplaySource::open(file.path(), 0).unwrap().batches();
        assert_eq!(moments, whole);
    }

    #[test]
    fn a_recording_that_goes_back_in_time_ends_its_stream_with_unordered() {
        let file = long_recording(true);
        let messages: Vec<Streamed> = stream(file.path(), 0)
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert!(matches!(messages.last(), Some(Streamed::Unordered)));
        // Moments 0..2999 were read; the last of them was still open when the row went back.
        assert_eq!(
            messages.len(),
            3_000,
            "the complete moments before, then the word"
        );
    }

    #[test]
    fn one_reader_streams_many_recordings_each_in_its_turn() {
        let (ordered, back) = (long_recording(false), long_recording(true));
        let missing = ordered.path().with_extension("gone");
        let paths = [ordered.path(), back.path(), &missing, ordered.path()];
        let mut streamed = stream_all(paths.iter().map(|p| p.to_path_buf()).collect(), 0);
        let whole = ReplaySource::open(ordered.path(), 0).unwrap().batches();
        let moments = |streamed: &mut Stream| -> Vec<Batch> {
            (streamed.by_ref())
                .map(|m| match m.unwrap() {
                    Streamed::Batch((at, readings)) => (at, readings.to_vec()),
                    Streamed::Unordered => panic!("in order"),
                })
                .collect()
        };
        assert_eq!(moments(&mut streamed), whole);
        // The next recording, left after 10 moments: the rest of it is passed over.
        streamed.next_file();
        assert_eq!(streamed.by_ref().take(10).count(), 10);
        streamed.next_file();
        match streamed.next() {
            Some(Err(SourceError::Unreadable { path, .. })) => assert_eq!(path, missing),
            other => panic!("expected the missing file's error, got {other:?}"),
        }
        assert!(streamed.next().is_none(), "the missing file ends there");
        streamed.next_file();
        assert_eq!(moments(&mut streamed), whole, "samples parsed into again");
        streamed.next_file();
        assert!(streamed.next().is_none(), "no recording is left");
    }

    #[test]
    fn a_recording_that_goes_back_in_time_among_many_ends_its_own_stream_only() {
        let (back, ordered) = (long_recording(true), long_recording(false));
        let paths = vec![back.path().to_path_buf(), ordered.path().to_path_buf()];
        let mut streamed = stream_all(paths, 0);
        let first: Vec<Streamed> = streamed.by_ref().map(Result::unwrap).collect();
        assert_eq!(first.len(), 3_000);
        assert!(matches!(first.last(), Some(Streamed::Unordered)));
        streamed.next_file();
        assert_eq!(streamed.count(), 4_000);
    }

    #[test]
    fn csv_beyond_nvidia_smi_reads_as_the_csv_rules_say() {
        let names = |text: &str| -> Vec<(String, Option<String>)> {
            (replay(text).unwrap().iter())
                .flat_map(|(_, s)| s.iter().map(|s| (s.uuid.clone(), s.name.clone())))
                .collect()
        };
        let expected = vec![
            ("GPU-a".to_string(), Some("NVIDIA A100".to_string())),
            ("GPU-b".to_string(), Some("NVIDIA, \"big\"".to_string())),
        ];
        // A byte-order mark, CRLF line ends, a blank line, a quoted cell (a comma and doubled
        // quotes inside), a last line without its end.
        let text = "\u{feff}uuid, name\r\nGPU-a, NVIDIA A100\r\n\r\nGPU-b,\"NVIDIA, \"\"big\"\"\"";
        assert_eq!(names(text), expected);
        // A quoted header, and a lone carriage return ending a row.
        let text = "\"uuid\",name\nGPU-a,NVIDIA A100\rGPU-b,\"NVIDIA, \"\"big\"\"\"\n";
        assert_eq!(names(text), expected);
        // Lines are counted across blank lines and a quoted line break.
        let text = "uuid, name\n\nGPU-a, \u{1}\n";
        assert_eq!(malformed_line(text).0, 3);
        let text = "uuid, note\nGPU-a,\"two\nlines\"\nGPU-b, x, y\n";
        assert_eq!(
            malformed_line(text),
            (4, "expected 2 values like the header, found 3".to_string())
        );
        let text = "uuid, name\nGPU-a, x, y\n";
        assert_eq!(
            malformed_line(text),
            (2, "expected 2 values like the header, found 3".to_string())
        );
        let text: &[u8] = b"uuid, name\nGPU-a, ok\nGPU-b, \xff\n";
        let (line, message) = match ReplaySource::from_reader("rec.csv", text, 1000) {
            Err(SourceError::Malformed { line, message, .. }) => (line, message),
            other => panic!("{other:?}"),
        };
        assert_eq!((line, message.as_str()), (3, "not UTF-8 text"));
    }

    #[test]
    fn unknown_columns_are_ignored() {
        let text = "uuid, pstate, clocks_event_reasons.active\nGPU-aaa, P0, 0x0000000000000000\n";
        assert_eq!(replay(text).unwrap()[0].1[0].uuid, "GPU-aaa");
    }

    #[test]
    fn a_file_without_uuid_column_is_refused_at_line_1() {
        let (line, message) = malformed_line("index, name\n0, NVIDIA H100\n");
        assert_eq!(line, 1);
        assert!(message.contains("uuid"), "{message}");
    }

    #[test]
    fn a_recording_without_header_is_refused_with_the_reason() {
        let (line, message) = malformed_line("0, GPU-aaa, NVIDIA H100\n1, GPU-bbb, NVIDIA H100\n");
        assert_eq!(line, 1);
        assert!(message.contains("no header row"), "{message}");
    }

    #[test]
    fn a_bad_value_names_its_line_and_column() {
        let text = "uuid, power.draw [W]\nGPU-aaa, 70 W\nGPU-bbb, lots W\n";
        let (line, message) = malformed_line(text);
        assert_eq!(line, 3);
        assert!(message.contains("power.draw"), "{message}");
    }

    #[test]
    fn a_short_row_names_its_line() {
        let (line, message) = malformed_line("uuid, index\nGPU-aaa, 0\nGPU-bbb\n");
        assert_eq!(line, 3);
        assert!(message.contains("expected 2"), "{message}");
    }

    #[test]
    fn a_missing_uuid_value_names_its_line() {
        let (line, _) = malformed_line("uuid, index\n[N/A], 0\n");
        assert_eq!(line, 2);
    }

    #[test]
    fn a_bad_timestamp_names_its_line() {
        let (line, message) = malformed_line("timestamp, uuid\nnot a time, GPU-aaa\n");
        assert_eq!(line, 2);
        assert!(message.contains("timestamp"), "{message}");
    }

    #[test]
    fn an_empty_file_is_refused() {
        assert_eq!(malformed_line("").0, 1);
    }

    #[test]
    fn a_repeated_gpu_within_one_second_keeps_the_later_row() {
        let text = "timestamp, uuid, temperature.gpu\n\
            2026/11/29 10:00:00.100, GPU-aaa, 40\n\
            2026/11/29 10:00:00.900, GPU-aaa, 41\n";
        let batches = replay(text).unwrap();
        assert_eq!(batches[0].1.len(), 1);
        assert_eq!(batches[0].1[0].temp_c, Some(41));
    }

    #[test]
    fn a_missing_file_is_unreadable() {
        let err = ReplaySource::open("/nonexistent/gpuctl/rec.csv", 0).unwrap_err();
        assert!(matches!(err, SourceError::Unreadable { .. }), "{err}");
        assert!(err.to_string().contains("/nonexistent/gpuctl/rec.csv"));
    }
}

/// Property tests: whatever the bytes, reading a recording never panics, and a row of
/// in-range readings reads back as written.
#[cfg(test)]
mod props {
    use proptest::prelude::*;

    use super::*;

    fn read(text: &[u8]) -> Result<Vec<Batch>, SourceError> {
        ReplaySource::from_reader("rec.csv", text, 1000).map(ReplaySource::batches)
    }

    /// Header fields gpuctl reads, with and without units, and one it ignores.
    const FIELDS: &[&str] = &[
        "timestamp",
        "index",
        "name",
        "utilization.gpu [%]",
        "memory.used [MiB]",
        "temperature.gpu",
        "power.draw [W]",
        "fan.speed",
        "mig.mode.current",
        "total_energy_consumption [J]",
        "pstate",
    ];

    /// Cells nvidia-smi writes, cells it does not, and hostile ones.
    fn cell() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("[N/A]".to_string()),
            Just("[Not Supported]".to_string()),
            Just("Enabled".to_string()),
            Just("2026/11/29 10:00:00.123".to_string()),
            Just("1e20".to_string()),
            Just("NaN".to_string()),
            Just("-1".to_string()),
            (0u64..100_000).prop_map(|n| n.to_string()),
            (0.0f64..6_000.0).prop_map(|w| format!("{w:.2} W")),
            "[ -~]{0,12}",
            "\\PC{0,8}",
            "[\\x00-\\x1f\\x7f\u{80}-\u{9f}]{1,3}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn any_bytes_are_read_or_refused_without_panicking(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
            let _ = read(&bytes);
        }

        #[test]
        fn any_rows_of_known_fields_are_read_or_refused_without_panicking(
            fields in prop::collection::vec(prop::sample::select(FIELDS), 0..6),
            rows in prop::collection::vec(prop::collection::vec(cell(), 0..8), 0..6),
        ) {
            let mut text = String::from("uuid");
            for field in &fields {
                text.push_str(", ");
                text.push_str(field);
            }
            text.push('\n');
            for (i, row) in rows.iter().enumerate() {
                text.push_str(&format!("GPU-{i:04x}"));
                for cell in row {
                    text.push_str(", ");
                    text.push_str(&cell.replace(['"', ','], ""));
                }
                text.push('\n');
            }
            if let Ok(batches) = read(text.as_bytes()) {
                for (_, samples) in &batches {
                    for sample in samples {
                        prop_assert!(sample.gpu_util_pct.is_none_or(|p| p <= 100));
                        prop_assert!(sample.fan_pct.is_none_or(|p| p <= 100));
                        prop_assert!(sample.temp_c.is_none_or(|t| t <= 150));
                        prop_assert!(sample.power_mw.is_none_or(|p| p <= 5_000_000));
                        prop_assert!(sample.mem_used_mib.is_none_or(|m| m <= 16 * 1024 * 1024));
                        let texts = [&sample.name, &sample.driver_version, &sample.serial];
                        for text in texts.into_iter().flatten() {
                            prop_assert!(!text.chars().any(crate::terminal::is_control));
                        }
                    }
                }
            }
        }

        #[test]
        fn in_range_readings_read_back_as_written(
            util in 0u32..=100,
            used in 0u64..=16 * 1024 * 1024,
            temp in 0u32..=150,
            milliwatts in 0u32..=5_000_000,
            uuids in prop::collection::btree_set("[0-9a-f]{8}", 1..20),
        ) {
            let mut text = String::from("uuid, utilization.gpu [%], memory.used [MiB], temperature.gpu, power.draw [W]\n");
            for uuid in &uuids {
                text.push_str(&format!(
                    "GPU-{uuid}, {util} %, {used} MiB, {temp}, {}.{:03} W\n",
                    milliwatts / 1000,
                    milliwatts % 1000
                ));
            }
            let batches = read(text.as_bytes()).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(batches.len(), 1);
            let samples = &batches[0].1;
            prop_assert_eq!(samples.len(), uuids.len());
            for (sample, uuid) in samples.iter().zip(&uuids) {
                prop_assert_eq!(&sample.uuid, &format!("GPU-{uuid}"));
                prop_assert_eq!(sample.gpu_util_pct, Some(util));
                prop_assert_eq!(sample.mem_used_mib, Some(used));
                prop_assert_eq!(sample.temp_c, Some(temp));
                prop_assert_eq!(sample.power_mw, Some(milliwatts));
            }
        }

        #[test]
        fn out_of_range_readings_are_refused_naming_the_value(
            util in 101u32..1_000_000,
            temp in 151u32..1_000_000,
        ) {
            for (field, value) in [("utilization.gpu", util), ("temperature.gpu", temp)] {
                let text = format!("uuid, {field}\nGPU-aa, {value}\n");
                match read(text.as_bytes()) {
                    Err(SourceError::Malformed { line, message, .. }) => {
                        prop_assert_eq!(line, 2);
                        prop_assert!(message.contains(&format!("'{value}'")), "{}", message);
                        prop_assert!(message.contains(field), "{}", message);
                    }
                    other => prop_assert!(false, "{field} {value}: {other:?}"),
                }
            }
        }
    }
}

#[cfg(test)]
mod bounds {
    use super::*;

    #[test]
    fn many_rows_without_a_timestamp_read_in_linear_time() {
        // 1,000 GPUs × 200 repeats: 200,000 rows in one batch. The old linear search made
        // this 10^8 string comparisons; a hash lookup makes it 2 × 10^5.
        let mut text = String::from("uuid, utilization.gpu\n");
        for _ in 0..200 {
            for gpu in 0..1_000 {
                text.push_str(&format!("GPU-{gpu:08x}-0000-0000-0000-000000000000, 5\n"));
            }
        }
        let start = std::time::Instant::now();
        let batches = ReplaySource::from_reader("rec.csv", text.as_bytes(), 0)
            .unwrap()
            .batches();
        assert_eq!(batches[0].1.len(), 1_000);
        assert!(
            start.elapsed() < std::time::Duration::from_secs(30),
            "{:?}",
            start.elapsed()
        );
    }

    #[test]
    fn an_endless_line_is_refused_after_its_limit() {
        let zeros = std::io::Read::take(std::io::repeat(0), 10 * 1024 * 1024);
        match ReplaySource::from_reader("zero", zeros, 0) {
            Err(SourceError::Malformed { line, message, .. }) => {
                assert_eq!(line, 1);
                assert!(message.contains("longer than 64 KiB"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn more_gpus_in_one_moment_than_a_node_has_are_refused() {
        let mut text = String::from("uuid\n");
        for gpu in 0..=GPUS_PER_BATCH_MAX {
            text.push_str(&format!("GPU-{gpu:08x}\n"));
        }
        match ReplaySource::from_reader("rec.csv", text.as_bytes(), 0) {
            Err(SourceError::Malformed { line, message, .. }) => {
                assert_eq!(line, GPUS_PER_BATCH_MAX as u64 + 2);
                assert!(message.contains("more than 1024 GPUs"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }
}
