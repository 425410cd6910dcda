//! What long-running and overlapping runs need: a run lock that never waits, and a stop flag
//! raised by SIGTERM or SIGINT that lets the run in progress finish.

use std::fs::{File, OpenOptions, TryLockError};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// An exclusive lock on `<store>.<name>.lock`, held until dropped.
pub(crate) struct RunLock {
    _file: File,
}

/// Takes the lock next to the store, or returns None at once if another process holds it.
pub(crate) fn try_run_lock(store_path: &Path, name: &str) -> Result<Option<RunLock>> {
    let mut file_name = store_path.file_name().unwrap_or_default().to_os_string();
    file_name.push(format!(".{name}.lock"));
    let path = store_path.with_file_name(file_name);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.exists() {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(|e| Error::store(format!("cannot create {}: {e}", dir.display())))?;
        }
    }
    // Never through a link: one planted in a shared directory would have root create a file
    // wherever it points.
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&path)
        .map_err(|e| {
            if e.raw_os_error() == Some(libc::ELOOP) {
                Error::store(format!(
                    "lock file {} is a symbolic link: refusing to follow it",
                    path.display()
                ))
                .with_hint("remove the link; gpuctl creates the lock file itself")
            } else {
                Error::runtime(format!("cannot open lock file {}: {e}", path.display()))
            }
        })?;
    match file.try_lock() {
        Ok(()) => Ok(Some(RunLock { _file: file })),
        Err(TryLockError::WouldBlock) => Ok(None),
        Err(TryLockError::Error(e)) => Err(Error::runtime(format!(
            "cannot lock {}: {e}",
            path.display()
        ))),
    }
}

/// Raised by SIGTERM or SIGINT once `install` ran.
#[derive(Clone, Default)]
pub(crate) struct StopFlag(Arc<AtomicBool>);

impl StopFlag {
    /// Routes SIGTERM and SIGINT to this flag instead of killing the process.
    pub(crate) fn install() -> Result<StopFlag> {
        let flag = StopFlag::default();
        for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
            signal_hook::flag::register(signal, Arc::clone(&flag.0))
                .map_err(|e| Error::runtime(format!("cannot handle signal {signal}: {e}")))?;
        }
        Ok(flag)
    }

    pub(crate) fn is_raised(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// Sleeps until `deadline`, waking early (returning false) when the flag is raised.
    pub(crate) fn sleep_until(&self, deadline: Instant) -> bool {
        while Instant::now() < deadline {
            if self.is_raised() {
                return false;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            std::thread::sleep(left.min(Duration::from_millis(100)));
        }
        !self.is_raised()
    }
}
