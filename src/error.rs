//! The error kinds of gpuctl and their exit codes, in one place: `gpuctl --help` and the man
//! pages print the table that [`exit_status_table`] builds from them.

use std::error::Error as StdError;
use std::fmt;

/// What went wrong, as far as the exit code is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Runtime failure: I/O error, unexpected store error.
    Runtime,
    /// Usage or invalid input.
    Usage,
    /// A named thing does not exist.
    NotFound,
    /// Already exists, already leased, does not fit, still in use.
    Conflict,
    /// The store is busy past the timeout, corrupt, too new or read-only.
    Store,
    /// No GPU source is usable.
    NoGpu,
    /// A check found differences (`node drift`), as `diff` does: the command has printed them
    /// on stdout, so no error line follows. Shares exit status 1 with [`ErrorKind::Runtime`].
    Differences,
}

/// What exit status 0 means, first line of the table.
const SUCCESS_DESCRIPTION: &str =
    "success (also when stdout is closed early, e.g. piped into head)";

/// The status a shell reports for a command that Ctrl-C (SIGINT) killed, last line of the
/// table. No error kind returns it: a command dies of the signal, and the two that wait for
/// it (`collect --every`, `dashboard realtime --watch`) stop cleanly with 0.
const INTERRUPTED: (i32, &str) = (130, "interrupted (Ctrl-C)");

impl ErrorKind {
    /// Every kind, in exit-code order; kinds that share a code are listed next to each other.
    pub const ALL: [ErrorKind; 7] = [
        ErrorKind::Runtime,
        ErrorKind::Differences,
        ErrorKind::Usage,
        ErrorKind::NotFound,
        ErrorKind::Conflict,
        ErrorKind::Store,
        ErrorKind::NoGpu,
    ];

    pub fn exit_code(self) -> i32 {
        match self {
            ErrorKind::Runtime | ErrorKind::Differences => 1,
            ErrorKind::Usage => 2,
            ErrorKind::NotFound => 3,
            ErrorKind::Conflict => 4,
            ErrorKind::Store => 5,
            ErrorKind::NoGpu => 6,
        }
    }

    /// The meaning of this kind's exit code, as the exit-status table shows it.
    pub fn description(self) -> &'static str {
        match self {
            ErrorKind::Runtime => "runtime failure (I/O error, unexpected store error)",
            ErrorKind::Usage => {
                "usage or invalid input (bad flag, name, IP, duration, status, input file)"
            }
            ErrorKind::NotFound => {
                "not found (node, device, model, allocation, alert, MIG instance)"
            }
            ErrorKind::Conflict => {
                "conflict (already exists, GPU already leased, MIG profile does not fit, node still has GPUs, a collect of the node still running)"
            }
            ErrorKind::Store => {
                "store unusable (busy past the timeout, corrupt, newer schema, read-only, not a gpuctl store, not a regular file, disk full)"
            }
            ErrorKind::NoGpu => {
                "no GPU source (NVML/driver and nvidia-smi unavailable or timed out; Prometheus or exporter unreachable or answering badly)"
            }
            ErrorKind::Differences => "node drift found differences",
        }
    }

    /// Whether the entry point prints `gpuctl: error: …` for this kind. Differences are the
    /// command's report, already on stdout: an error line would only repeat it.
    pub fn prints_error_line(self) -> bool {
        self != ErrorKind::Differences
    }
}

/// Every exit status a user may see and what it means: 0, each error kind's (the meanings of
/// kinds that share a code joined by "; "), then 130.
pub fn exit_status_table() -> Vec<(i32, String)> {
    let mut table = vec![(0, SUCCESS_DESCRIPTION.to_string())];
    for kind in ErrorKind::ALL {
        match table.last_mut() {
            Some((code, meaning)) if *code == kind.exit_code() => {
                meaning.push_str("; ");
                meaning.push_str(kind.description());
            }
            _ => table.push((kind.exit_code(), kind.description().to_string())),
        }
    }
    table.push((INTERRUPTED.0, INTERRUPTED.1.to_string()));
    table
}

/// The one error type commands return: a kind, a one-line message, an optional hint, and the
/// lower-level error it came from (kept so callers can test its kind, e.g. a broken pipe).
#[derive(Debug)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
    pub hint: Option<String>,
    source: Option<Box<dyn StdError + Send + Sync + 'static>>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            hint: None,
            source: None,
        }
    }
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Usage, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, message)
    }
    pub fn runtime(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Runtime, message)
    }
    pub fn store(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Store, message)
    }
    pub fn no_gpu(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NoGpu, message)
    }
    /// Exit 1 after a check printed the differences it found; `message` (a summary) is for
    /// callers and tests, the entry point prints nothing.
    pub fn differences(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Differences, message)
    }
    /// The same error (kind, hint, source) with `what` said first: "`what`: message".
    pub fn prefixed(mut self, what: &str) -> Self {
        self.message = format!("{what}: {}", self.message);
        self
    }
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
    /// Keeps the error this one was made from, as [`std::error::Error::source`] reports it.
    pub fn with_source(mut self, source: impl StdError + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }
    pub fn exit_code(&self) -> i32 {
        self.kind.exit_code()
    }

    /// True when an I/O error with the given kind is anywhere in the chain of sources.
    pub fn caused_by_io(&self, kind: std::io::ErrorKind) -> bool {
        let mut next: Option<&(dyn StdError + 'static)> = StdError::source(self);
        while let Some(error) = next {
            if error
                .downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == kind)
            {
                return true;
            }
            next = error.source();
        }
        false
    }

    /// A closed stdout (`gpuctl node list | head -1`): success, not an error to report.
    pub fn is_broken_pipe(&self) -> bool {
        self.caused_by_io(std::io::ErrorKind::BrokenPipe)
    }

    /// The SQLite result code anywhere in the chain of sources, if a SQLite error is there.
    pub fn sqlite_code(&self) -> Option<rusqlite::ErrorCode> {
        let mut next: Option<&(dyn StdError + 'static)> = StdError::source(self);
        while let Some(error) = next {
            if let Some(code) = error
                .downcast_ref::<rusqlite::Error>()
                .and_then(rusqlite::Error::sqlite_error_code)
            {
                return Some(code);
            }
            next = error.source();
        }
        None
    }

    /// The same failure, told as a full disk (exit 5), keeping its source: for an error that
    /// the caller has found to come from a filesystem with no space left.
    pub fn into_disk_full(self) -> Error {
        Error {
            kind: ErrorKind::Store,
            message: DISK_FULL.to_string(),
            hint: Some(DISK_FULL_HINT.to_string()),
            source: self.source,
        }
    }

    /// True when the filesystem ran out of space: SQLite's SQLITE_FULL or an I/O error
    /// ENOSPC anywhere in the chain of sources.
    pub fn is_disk_full(&self) -> bool {
        if self.sqlite_code() == Some(rusqlite::ErrorCode::DiskFull) {
            return true;
        }
        let mut next: Option<&(dyn StdError + 'static)> = StdError::source(self);
        while let Some(error) = next {
            if let Some(io) = error.downcast_ref::<std::io::Error>() {
                if io.kind() == std::io::ErrorKind::StorageFull {
                    return true;
                }
            }
            next = error.source();
        }
        false
    }
}

/// The one line a full disk prints, whatever ran into it: a store write (SQLite rolls the
/// transaction back), a backup (its partial copy is removed), a lock file.
const DISK_FULL: &str = "disk full: no space left on the device";
const DISK_FULL_HINT: &str = "free some space and try again; what was committed before is intact";

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|source| source as &(dyn StdError + 'static))
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::StorageFull {
            return Error::store(DISK_FULL)
                .with_hint(DISK_FULL_HINT)
                .with_source(e);
        }
        Error::runtime(format!("I/O error: {e}")).with_source(e)
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        let error = match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => {
                Error::store(format!("store is busy: {e}"))
                    .with_hint("another gpuctl process holds the store; try again")
            }
            // The message of a failed backup step reads "not an error": the code is what counts.
            Some(ErrorCode::DiskFull) => Error::store(DISK_FULL).with_hint(DISK_FULL_HINT),
            Some(ErrorCode::DatabaseCorrupt) | Some(ErrorCode::NotADatabase) => {
                Error::store(format!("store is corrupt: {e}"))
            }
            Some(ErrorCode::ReadOnly)
            | Some(ErrorCode::CannotOpen)
            | Some(ErrorCode::PermissionDenied) => {
                Error::store(format!("store is not writable: {e}"))
            }
            _ => Error::runtime(format!("store error: {e}")),
        };
        error.with_source(e)
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        if e.is_io() {
            return Error::from(std::io::Error::from(e));
        }
        Error::runtime(format!("JSON error: {e}"))
    }
}

impl From<csv::Error> for Error {
    fn from(e: csv::Error) -> Self {
        let message = format!("CSV error: {e}");
        match e.into_kind() {
            csv::ErrorKind::Io(io) => Error::from(io),
            _ => Error::runtime(message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_are_distinct_ascending_and_match_the_table() {
        let table = exit_status_table();
        assert_eq!(table[0].0, 0);
        for pair in table.windows(2) {
            assert!(pair[0].0 < pair[1].0, "{table:?}");
        }
        // Every kind's meaning is in its code's row.
        for kind in ErrorKind::ALL {
            let row = table.iter().find(|(code, _)| *code == kind.exit_code());
            assert!(
                row.is_some_and(|(_, meaning)| meaning.contains(kind.description())),
                "{kind:?}: {table:?}"
            );
        }
        // Adding a kind breaks this match until the kind is listed in ALL as well.
        for kind in ErrorKind::ALL {
            match kind {
                ErrorKind::Runtime
                | ErrorKind::Usage
                | ErrorKind::NotFound
                | ErrorKind::Conflict
                | ErrorKind::Store
                | ErrorKind::NoGpu
                | ErrorKind::Differences => {}
            }
        }
        assert_eq!(
            table.iter().map(|(code, _)| *code).collect::<Vec<_>>(),
            [0, 1, 2, 3, 4, 5, 6, 130]
        );
        assert_eq!(
            table[1].1,
            "runtime failure (I/O error, unexpected store error); node drift found differences"
        );
    }

    #[test]
    fn broken_pipe_is_found_in_the_chain_whatever_the_message() {
        let pipe = || std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        assert!(Error::from(pipe()).is_broken_pipe());
        let json = serde_json::to_writer(ClosedPipe, &[1, 2, 3]).unwrap_err();
        assert!(Error::from(json).is_broken_pipe());
        let wrapped = Error::runtime("cannot write the report").with_source(Error::from(pipe()));
        assert!(wrapped.is_broken_pipe());
        // The words alone do not make a broken pipe.
        assert!(!Error::runtime("broken pipe").is_broken_pipe());
        let other = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        assert!(!Error::from(other).is_broken_pipe());
    }

    #[test]
    fn a_full_disk_is_a_store_error_that_says_disk_full() {
        // SQLite's SQLITE_FULL, including the "not an error" message a failed backup step carries.
        for message in [None, Some("not an error".to_string())] {
            let full = rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
                message,
            );
            let error = Error::from(full);
            assert_eq!(error.kind, ErrorKind::Store);
            assert_eq!(error.exit_code(), 5);
            assert!(error.message.starts_with("disk full: "), "{error}");
            assert!(!error.message.contains("not an error"), "{error}");
            assert!(error.hint.is_some());
            assert!(error.is_disk_full());
        }
        // ENOSPC from a plain file write (a backup's fsync, a lock file).
        let enospc = std::io::Error::from_raw_os_error(28);
        let error = Error::from(enospc);
        assert_eq!(error.exit_code(), 5);
        assert!(error.message.starts_with("disk full: "), "{error}");
        assert!(error.is_disk_full());
        // Wrapped, it is still found; other errors are not a full disk.
        let full = Error::from(std::io::Error::from_raw_os_error(28));
        assert!(Error::runtime("backup failed")
            .with_source(full)
            .is_disk_full());
        assert!(!Error::from(std::io::Error::from_raw_os_error(13)).is_disk_full());
        let busy = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            None,
        );
        assert!(!Error::from(busy).is_disk_full());
    }

    /// A writer whose reader has gone.
    struct ClosedPipe;

    impl std::io::Write for ClosedPipe {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
}
