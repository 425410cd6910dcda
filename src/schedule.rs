//! What long-running and overlapping runs need: a run lock that never waits and says who holds
//! it, and a stop flag raised by SIGTERM or SIGINT that lets the run in progress finish.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::clock::format_duration;
use crate::error::{Error, Result};

/// An exclusive lock on `<store>.<name>.lock`, held until dropped. The kernel drops it with the
/// process, however that ends; the file records the holder (pid, since when, for how long at
/// most) for a run that finds the lock taken, and is emptied on a clean release.
pub(crate) struct RunLock {
    file: File,
    /// What a holder that ended without releasing the lock (killed) left in the file.
    pub(crate) abandoned: Option<Holder>,
}

/// The holder of a run lock, as its file records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Holder {
    pub(crate) pid: u32,
    /// Unix seconds (the system clock, never GPUCTL_NOW) when it took or last renewed the lock.
    pub(crate) since: i64,
    /// How long it may hold the lock from `since`; None when it cannot tell (a replay).
    pub(crate) limit: Option<u64>,
}

/// A run lock that another process holds.
#[derive(Debug)]
pub(crate) struct Busy {
    pub(crate) path: PathBuf,
    /// None when the file records no holder yet (it took the lock an instant ago).
    pub(crate) holder: Option<Holder>,
}

/// Takes the lock next to the store, or says at once who holds it. `limit` is how long this
/// process will hold it at most (from now, or from its last [`RunLock::renew`]).
pub(crate) fn try_run_lock(
    store_path: &Path,
    name: &str,
    limit: Option<Duration>,
) -> Result<std::result::Result<RunLock, Busy>> {
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
        .read(true)
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
    let lock_error =
        |e: std::io::Error| Error::runtime(format!("cannot lock {}: {e}", path.display()));
    match file.try_lock() {
        Ok(()) => {
            let mut lock = RunLock {
                file,
                abandoned: None,
            };
            lock.abandoned = lock.recorded_holder();
            lock.renew(limit).map_err(lock_error)?;
            Ok(Ok(lock))
        }
        Err(TryLockError::WouldBlock) => {
            let mut file = file;
            Ok(Err(Busy {
                holder: read_holder(&mut file),
                path,
            }))
        }
        Err(TryLockError::Error(e)) => Err(lock_error(e)),
    }
}

impl RunLock {
    /// Records this process as the holder from now on, for at most `limit` (a daemon renews
    /// at each run, so only a run that hangs outlives its limit).
    pub(crate) fn renew(&mut self, limit: Option<Duration>) -> std::io::Result<()> {
        let holder = Holder {
            pid: std::process::id(),
            since: system_now(),
            limit: limit.map(|l| l.as_secs()),
        };
        self.file.set_len(0)?;
        self.file.seek(SeekFrom::Start(0))?;
        self.file.write_all(holder.to_line().as_bytes())
    }

    fn recorded_holder(&mut self) -> Option<Holder> {
        read_holder(&mut self.file)
    }
}

impl Drop for RunLock {
    /// An empty file on a clean release; the lock itself goes with the file descriptor.
    fn drop(&mut self) {
        let _ = self.file.set_len(0);
    }
}

impl Holder {
    fn to_line(&self) -> String {
        let limit = self.limit.map_or("none".to_string(), |l| l.to_string());
        format!("pid={} since={} limit={limit}\n", self.pid, self.since)
    }

    fn parse(text: &str) -> Option<Holder> {
        let mut pid = None;
        let mut since = None;
        let mut limit = None;
        for field in text.split_whitespace() {
            match field.split_once('=')? {
                ("pid", v) => pid = v.parse().ok(),
                ("since", v) => since = v.parse().ok(),
                ("limit", "none") => {}
                ("limit", v) => limit = Some(v.parse().ok()?),
                _ => {}
            }
        }
        Some(Holder {
            pid: pid?,
            since: since?,
            limit,
        })
    }

    /// Seconds it has held the lock at `now`.
    pub(crate) fn held_for(&self, now: i64) -> i64 {
        now.saturating_sub(self.since).max(0)
    }

    /// Whether it has held the lock longer than it said it would: hung, as far as anyone can
    /// tell from outside.
    pub(crate) fn is_overdue(&self, now: i64) -> bool {
        self.limit
            .is_some_and(|limit| self.held_for(now) > i64::try_from(limit).unwrap_or(i64::MAX))
    }
}

impl Busy {
    /// Whether the holder has held the lock past its own limit.
    pub(crate) fn holder_is_hung(&self) -> bool {
        self.holder
            .as_ref()
            .is_some_and(|holder| holder.is_overdue(system_now()))
    }

    /// The error of a run that found the lock taken: exit 4, saying by whom and since when,
    /// and whether that holder looks hung. `what` names the work, e.g. `collect of node n1`.
    pub(crate) fn to_error(&self, what: &str) -> Error {
        let now = system_now();
        match &self.holder {
            Some(holder) if holder.is_overdue(now) => Error::conflict(format!(
                "{what} skipped: gpuctl pid {} has held the lock for {}, longer than its limit of {}",
                holder.pid,
                format_duration(holder.held_for(now)),
                format_duration(holder.limit.map_or(0, |l| i64::try_from(l).unwrap_or(i64::MAX))),
            ))
            .with_hint(format!(
                "it looks hung (a stuck driver?): check 'dmesg', then 'kill {}'",
                holder.pid
            )),
            Some(holder) => Error::conflict(format!(
                "{what} skipped: gpuctl pid {} has been running it for {}",
                holder.pid,
                format_duration(holder.held_for(now)),
            ))
            .with_hint("runs of the same node (or fleet source) never overlap; if this repeats, runs take longer than their period"),
            None => Error::conflict(format!(
                "{what} skipped: another gpuctl holds {}",
                self.path.display()
            )),
        }
    }
}

/// A lock name part for `key` (a node name, a URL): the key itself when it is short and plain,
/// else a stable hash of it (FNV-1a), so any key makes a valid file name.
pub(crate) fn lock_key(key: &str) -> String {
    let plain = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.';
    if !key.is_empty() && key.len() <= 64 && key.chars().all(plain) && !key.starts_with('.') {
        return key.to_string();
    }
    let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("{hash:016x}")
}

fn read_holder(file: &mut File) -> Option<Holder> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.take(4096).read_to_string(&mut text).ok()?;
    Holder::parse(&text)
}

/// The system clock in unix seconds: how long a lock is held is real time, whatever
/// GPUCTL_NOW says.
fn system_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn store_in(dir: &Path) -> PathBuf {
        dir.join("gpuctl.db")
    }

    #[test]
    fn a_held_lock_names_its_holder_and_a_released_one_is_free_and_empty() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_in(dir.path());
        let lock = try_run_lock(&store, "collect.node-n1", Some(Duration::from_secs(90)))
            .unwrap()
            .expect("free");
        assert_eq!(lock.abandoned, None);
        let busy = try_run_lock(&store, "collect.node-n1", None)
            .unwrap()
            .err()
            .expect("taken");
        let holder = busy.holder.clone().expect("recorded");
        assert_eq!(holder.pid, std::process::id());
        assert_eq!(holder.limit, Some(90));
        let error = busy.to_error("collect of node n1");
        assert_eq!(error.exit_code(), 4);
        assert!(error.message.starts_with(&format!(
            "collect of node n1 skipped: gpuctl pid {} has been running it for ",
            std::process::id()
        )));
        // Another node's lock is another file.
        assert!(try_run_lock(&store, "collect.node-n2", None)
            .unwrap()
            .is_ok());
        drop(lock);
        let path = dir.path().join("gpuctl.db.collect.node-n1.lock");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "");
        let again = try_run_lock(&store, "collect.node-n1", None).unwrap();
        assert!(again.is_ok_and(|lock| lock.abandoned.is_none()));
    }

    #[test]
    fn a_holder_past_its_limit_is_reported_as_hung() {
        let holder = Holder {
            pid: 4242,
            since: system_now() - 420,
            limit: Some(90),
        };
        assert!(holder.is_overdue(system_now()));
        let busy = Busy {
            path: PathBuf::from("x.lock"),
            holder: Some(holder),
        };
        let error = busy.to_error("collect of node n1");
        assert_eq!(
            error.message,
            "collect of node n1 skipped: gpuctl pid 4242 has held the lock for 7m, longer than its limit of 1m30s"
        );
        assert!(error.hint.unwrap().contains("kill 4242"));
        let patient = Holder {
            pid: 1,
            since: 0,
            limit: None,
        };
        assert!(!patient.is_overdue(system_now()));
    }

    #[test]
    fn a_record_left_by_a_killed_holder_is_reported_by_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_in(dir.path());
        let path = dir.path().join("gpuctl.db.collect.node-n1.lock");
        std::fs::write(&path, "pid=77 since=1000 limit=90\n").unwrap();
        let lock = try_run_lock(&store, "collect.node-n1", None)
            .unwrap()
            .expect("free: the kernel released the dead holder's lock");
        assert_eq!(
            lock.abandoned,
            Some(Holder {
                pid: 77,
                since: 1000,
                limit: Some(90)
            })
        );
    }

    #[test]
    fn holder_lines_round_trip_and_garbage_is_no_holder() {
        let holder = Holder {
            pid: 9,
            since: 1_795_946_400,
            limit: None,
        };
        assert_eq!(Holder::parse(&holder.to_line()), Some(holder));
        assert_eq!(Holder::parse(""), None);
        assert_eq!(Holder::parse("pid=x since=1"), None);
        assert_eq!(Holder::parse("junk"), None);
    }

    #[test]
    fn lock_keys_are_plain_names_or_hashes() {
        assert_eq!(lock_key("gpu-node-1.lab"), "gpu-node-1.lab");
        let url = lock_key("http://prometheus:9090");
        assert_eq!(url.len(), 16);
        assert_eq!(url, lock_key("http://prometheus:9090"));
        assert_ne!(url, lock_key("http://prometheus:9091"));
        assert_eq!(lock_key(&"a".repeat(200)).len(), 16);
        assert_eq!(lock_key("../x").len(), 16);
    }
}
