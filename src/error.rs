//! The error kinds of gpuctl and their exit codes, in one place.

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
    /// Interrupted by a signal.
    Interrupted,
}

impl ErrorKind {
    pub fn exit_code(self) -> i32 {
        match self {
            ErrorKind::Runtime => 1,
            ErrorKind::Usage => 2,
            ErrorKind::NotFound => 3,
            ErrorKind::Conflict => 4,
            ErrorKind::Store => 5,
            ErrorKind::NoGpu => 6,
            ErrorKind::Interrupted => 130,
        }
    }
}

/// The one error type commands return: a kind, a one-line message and an optional hint.
#[derive(Debug)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
    pub hint: Option<String>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            hint: None,
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
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
    pub fn exit_code(&self) -> i32 {
        self.kind.exit_code()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// A closed stdout is success (`gpuctl node list | head -1`); it is recognised in lib::run.
pub const BROKEN_PIPE_MESSAGE: &str = "broken pipe";

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return Error::runtime(BROKEN_PIPE_MESSAGE);
        }
        Error::runtime(format!("I/O error: {e}"))
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => {
                Error::store(format!("store is busy: {e}"))
                    .with_hint("another gpuctl process holds the store; try again")
            }
            Some(ErrorCode::DatabaseCorrupt) | Some(ErrorCode::NotADatabase) => {
                Error::store(format!("store is corrupt: {e}"))
            }
            Some(ErrorCode::ReadOnly)
            | Some(ErrorCode::CannotOpen)
            | Some(ErrorCode::PermissionDenied) => {
                Error::store(format!("store is not writable: {e}"))
            }
            _ => Error::runtime(format!("store error: {e}")),
        }
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
