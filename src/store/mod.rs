//! The store: every SQL statement gpuctl runs, and nothing else.
//!
//! A `Store` is opened once per command, and only by commands that need it. Reads use the
//! connection directly; every write goes through [`Store::write`], which runs its closure in one
//! `BEGIN IMMEDIATE` transaction, so concurrent writers queue on the busy timeout instead of
//! failing on a lock upgrade.

pub mod alerts;
pub mod allocations;
pub mod completion;
pub mod dashboard;
pub mod devices;
pub mod events;
pub mod exposition;
pub mod metrics;
pub mod mig;
pub mod migrations;
pub mod models;
pub mod nodes;
pub mod notify;
pub mod registry;
pub mod reports;
pub mod settings;

use std::fs::{DirBuilder, OpenOptions};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rusqlite::config::DbConfig;
use rusqlite::functions::FunctionFlags;
use rusqlite::{Connection, ErrorCode, OpenFlags, Transaction, TransactionBehavior};

use crate::error::{Error, Result};

/// How long a command waits for another writer before giving up with exit 5.
pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Reads map the store's file instead of copying each page through pread(2): a fresh
/// process's pass over 15 MB of rollups measured 25 → 18 ms on two threads.
const MMAP_SIZE: i64 = 1 << 30;
/// Prepared statements kept per connection.
const STATEMENT_CACHE: usize = 256;

/// How often switching a fresh file to WAL is retried while another process holds it.
const WAL_SWITCH_ATTEMPTS: u32 = 100;

pub struct Store {
    conn: Connection,
    path: PathBuf,
    busy_timeout: Duration,
    /// What `gpuctl_now()` answers in SQL: the command's clock, so every read judges leases
    /// (and anything else time-bound) against the same instant.
    clock: Arc<AtomicI64>,
}

/// How long a GPU that has reported before may stay silent and still count as healthy (and
/// what `optimize --stale-after` defaults to).
pub const STALE_AFTER_SECS: i64 = 600;

/// Why a GPU (`d`, its devices row) should not get new work, or NULL when it is healthy: not
/// active, an open critical alert, or silent for longer than the stale window.
pub(crate) fn device_health_sql() -> String {
    format!(
        "CASE
    WHEN d.status <> 'active' THEN d.status
    WHEN EXISTS (SELECT 1 FROM alerts al WHERE al.device_uuid = d.uuid
                 AND al.state <> 'resolved' AND al.severity = 'critical')
        THEN 'critical alert: ' || (SELECT group_concat(rule, ', ') FROM
                 (SELECT DISTINCT al.rule FROM alerts al WHERE al.device_uuid = d.uuid
                  AND al.state <> 'resolved' AND al.severity = 'critical' ORDER BY al.rule))
    WHEN d.last_seen_at IS NOT NULL AND d.last_seen_at < gpuctl_now() - {STALE_AFTER_SECS}
        THEN 'not reporting since ' || strftime('%Y-%m-%dT%H:%M:%SZ', d.last_seen_at, 'unixepoch')
    END"
    )
}

/// Registers `gpuctl_now()` on a connection: unix seconds from `clock`.
fn register_clock(conn: &Connection, clock: Arc<AtomicI64>) -> Result<()> {
    conn.create_scalar_function(
        "gpuctl_now",
        0,
        // One value for the whole statement, so SQLite may evaluate it once.
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        move |_| Ok(clock.load(Ordering::Relaxed)),
    )?;
    Ok(())
}

impl Store {
    /// Opens (creating directory 0700 and file 0600 when missing) and migrates the store at `path`.
    pub fn open(path: &Path, busy_timeout: Duration) -> Result<Store> {
        check_store_path(path)?;
        create_private_file(path)?;
        let conn = Connection::open(path)
            .map_err(|e| Error::store(format!("cannot open store {}: {e}", path.display())))?;
        conn.busy_timeout(busy_timeout)?;
        // Before anything writes (switching to WAL rewrites the header): another program's
        // database, or a store this gpuctl cannot use, is refused untouched.
        if let migrations::Identity::Foreign(why) = migrations::identify(&conn)? {
            return Err(Error::store(format!(
                "{} is not a gpuctl store: {why}",
                path.display()
            ))
            .with_hint("gpuctl never adds its tables to another database; point --db at a gpuctl store or a new file name"));
        }
        migrations::check_version(&conn)?;
        configure(&conn)?;
        let clock = Arc::new(AtomicI64::new(crate::clock::now()?.timestamp()));
        register_clock(&conn, Arc::clone(&clock))?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            busy_timeout,
            clock,
        };
        migrations::migrate(&mut store.conn)?;
        Ok(store)
    }

    /// Opens an existing store for a command that only reads: a missing one is exit 5 and
    /// nothing is created, so a typo in `--db` never reads as an empty, healthy fleet.
    pub fn open_existing(path: &Path, busy_timeout: Duration) -> Result<Store> {
        check_store_path(path)?;
        if !path.exists() {
            return Err(
                Error::store(format!("no store at {}", path.display())).with_hint(
                    "create one with 'gpuctl collect', 'gpuctl node import' or 'gpuctl node add', \
                 or try 'gpuctl demo'",
                ),
            );
        }
        Store::open(path, busy_timeout)
    }

    /// Sets the instant reads judge against (a long-running collect moves it each run).
    pub fn set_now(&self, now: i64) {
        self.clock.store(now, Ordering::Relaxed);
    }

    /// The instant reads judge against.
    pub fn now(&self) -> i64 {
        self.clock.load(Ordering::Relaxed)
    }

    /// The connection, for reads. Store functions take `&Connection`, so a transaction fits too.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Tunes the connection for collect, a writer run every minute:
    /// - reads go through SQLite's own page cache instead of a map of the file: a writer gains
    ///   nothing from the map, and every page it touches would count in its resident memory
    ///   (a fleet collect of 8,000 GPUs: 111 → 57 MiB);
    /// - closing does not checkpoint the WAL: the WAL stays for the next process instead of
    ///   being copied back and removed at each exit (0.2 s of a 1.2 s fleet collect). The next
    ///   process to open the store rebuilds the WAL's index from the whole file, which also
    ///   forgets what was checkpointed, so the WAL never starts over by itself: [`Self::trim_wal`]
    ///   bounds it.
    pub fn tune_for_collect(&self) -> Result<()> {
        self.unmapped()?;
        // A replay keeps each recording in a savepoint: its journal of the pages the file
        // changes is kept in memory, not written to a temporary file.
        self.conn.pragma_update(None, "temp_store", "MEMORY")?;
        self.conn
            .set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)?;
        Ok(())
    }

    /// Once the WAL has passed `max_bytes`, moves its pages into the store and truncates it,
    /// without waiting: with a reader on the WAL, it is left for the next run. Measured: left
    /// alone, the WAL of collects grew by every run (0.5 MB a day's replay) and each process
    /// rebuilt its index from all of it — a replay into a store of 6,000 GPUs took 0.3 s
    /// instead of 0.06 s.
    pub fn trim_wal(&self, max_bytes: u64) -> Result<()> {
        let mut wal = self.path.clone().into_os_string();
        wal.push("-wal");
        if std::fs::metadata(&wal).map_or(true, |m| m.len() <= max_bytes) {
            return Ok(());
        }
        self.conn.busy_timeout(Duration::ZERO)?;
        // A busy WAL answers a row saying so, not an error: nothing to do until the next run.
        let checkpointed = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        self.conn.busy_timeout(self.busy_timeout)?;
        match checkpointed {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy =>
            {
                Ok(())
            }
            other => Ok(other?),
        }
    }

    /// Reads and writes go through SQLite's page cache instead of a map of the file. For a
    /// short-lived process reading a few MB (`dashboard realtime`), mapping pays a page fault per
    /// page touched and the unmapping at exit (sqlite3 running realtime's statement on 8,000
    /// GPUs: 15.5 ms of CPU unmapped, 17.2 ms mapped); for a writer of a long history (the
    /// demo), every page it touches stays resident as the store grows (a day of 8,000 GPUs'
    /// samples: 390 MiB with the map, 15 MiB without, in the same time).
    pub fn unmapped(&self) -> Result<()> {
        self.conn.pragma_update(None, "mmap_size", 0)?;
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` in one IMMEDIATE transaction: all of it commits, or none of it does.
    pub fn write<T>(&self, f: impl FnOnce(&Transaction) -> Result<T>) -> Result<T> {
        self.write_or_roll_back(true, f)
    }

    /// Like [`Store::write`], but commits only when `commit` is true: a dry run computes exactly
    /// what a real run would, under the same lock, and rolls it back.
    pub fn write_or_roll_back<T>(
        &self,
        commit: bool,
        f: impl FnOnce(&Transaction) -> Result<T>,
    ) -> Result<T> {
        // One connection per process and no nested writes, so the unchecked form is safe here;
        // it lets every command share the dispatcher's `&Store`.
        let tx = Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)?;
        let value = f(&tx)?;
        if commit {
            tx.commit()?;
        } else {
            tx.rollback()?;
        }
        Ok(value)
    }
}

/// Runs `f` inside a savepoint of the open transaction `conn`: what `f` wrote stays when it
/// succeeds and is undone alone when it fails, the rest of the transaction standing.
pub(crate) fn within_savepoint<T>(
    conn: &Connection,
    name: &str,
    f: impl FnOnce() -> Result<T>,
) -> Result<T> {
    // `name` is one of the callers' literals, never input.
    conn.execute_batch(&format!("SAVEPOINT {name}"))?;
    match f() {
        Ok(value) => {
            conn.execute_batch(&format!("RELEASE {name}"))?;
            Ok(value)
        }
        Err(e) => {
            conn.execute_batch(&format!("ROLLBACK TO {name}; RELEASE {name}"))?;
            Err(e)
        }
    }
}

/// Refuses, before SQLite opens anything (or creates a `-journal` beside it), a store path that
/// is not a regular file or absent: a directory, a device such as /dev/null, a FIFO, a socket.
/// A symbolic link is followed to an existing file, but a dangling one is refused: following
/// it would create the store wherever the link points.
pub fn check_store_path(path: &Path) -> Result<()> {
    let link = match std::fs::symlink_metadata(path) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            return Err(Error::store(format!(
                "cannot inspect store path {}: {e}",
                path.display()
            )))
        }
    };
    let target = if link.file_type().is_symlink() {
        match std::fs::metadata(path) {
            Ok(metadata) => metadata,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let points_to = std::fs::read_link(path)
                    .map(|t| format!(" (to {})", t.display()))
                    .unwrap_or_default();
                return Err(Error::store(format!(
                    "store path {} is a dangling symbolic link{points_to}",
                    path.display()
                ))
                .with_hint(
                    "gpuctl does not create a store through a link: remove the link, or create the store at its target",
                ));
            }
            Err(e) => {
                return Err(Error::store(format!(
                    "cannot inspect store path {}: {e}",
                    path.display()
                )))
            }
        }
    } else {
        link
    };
    if !target.file_type().is_file() {
        return Err(Error::store(format!(
            "store path {} is not a regular file ({})",
            path.display(),
            describe_file_type(&target.file_type())
        ))
        .with_hint("point --db at a store file, or at a new file name"));
    }
    Ok(())
}

/// Below this much free space, a SQLite I/O error on the store's filesystem is a full disk.
const NEARLY_FULL_BYTES: u64 = 1 << 20;

/// Tells a full disk behind SQLite's generic "disk I/O error". SQLite reports ENOSPC as
/// SQLITE_FULL only when writing pages; growing the -shm file (the first command after the last
/// one closed the store) or pre-sizing a file on a full disk comes back as SQLITE_IOERR_SHMSIZE
/// or _WRITE, and the errno is not in the error. An I/O error while the store's filesystem has
/// (almost) no space left is reported as the full disk it is; any other error is returned as is.
pub fn name_a_full_disk(error: Error, store_path: &Path) -> Error {
    if error.sqlite_code() != Some(ErrorCode::SystemIoFailure) {
        return error;
    }
    let dir = store_path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    match rustix::fs::statvfs(dir) {
        Ok(stats) if stats.f_bavail.saturating_mul(stats.f_frsize) < NEARLY_FULL_BYTES => {
            error.into_disk_full()
        }
        _ => error,
    }
}

/// What a path that is not a regular file is, in a few words.
fn describe_file_type(file_type: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if file_type.is_dir() {
        "a directory"
    } else if file_type.is_char_device() {
        "a character device"
    } else if file_type.is_block_device() {
        "a block device"
    } else if file_type.is_fifo() {
        "a FIFO"
    } else if file_type.is_socket() {
        "a socket"
    } else {
        "not a file"
    }
}

fn create_private_file(path: &Path) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.exists() {
            DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(|e| {
                    Error::store(format!(
                        "cannot create store directory {}: {e}",
                        dir.display()
                    ))
                })?;
        }
    }
    if !path.exists() {
        // SQLite gives the -wal and -shm files the main file's mode, so 0600 here covers all three.
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
        {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => {
                return Err(Error::store(format!(
                    "cannot create store {}: {e}",
                    path.display()
                )))
            }
        }
    }
    Ok(())
}

/// Another, read-only connection to the store at `path` (already opened and migrated), for a
/// reader on another thread.
pub(crate) fn open_reader(path: &Path, now: i64) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| Error::store(format!("cannot open store {}: {e}", path.display())))?;
    conn.busy_timeout(DEFAULT_BUSY_TIMEOUT)?;
    conn.pragma_update(None, "mmap_size", MMAP_SIZE)?;
    register_clock(&conn, Arc::new(AtomicI64::new(now)))?;
    Ok(conn)
}

fn configure(conn: &Connection) -> Result<()> {
    // Switching to WAL takes an exclusive lock and skips the busy handler; several processes
    // opening a fresh file at once must check first and retry.
    let mut attempts = 0;
    loop {
        let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
        if mode.eq_ignore_ascii_case("wal") {
            break;
        }
        match conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get::<_, String>(0)) {
            Err(e)
                if e.sqlite_error_code() == Some(ErrorCode::DatabaseBusy)
                    && attempts < WAL_SWITCH_ATTEMPTS =>
            {
                attempts += 1;
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => return Err(e.into()),
            Ok(_) => {}
        }
    }
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "mmap_size", MMAP_SIZE)?;
    // A fleet collect runs some 60 distinct statements per node; rusqlite's default cache of
    // 16 made it parse most of them again for each of 1,000 nodes.
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(())
}

/// One page of a list: at most `limit` rows (None: all) after skipping `offset`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Page {
    pub limit: Option<i64>,
    pub offset: i64,
}

impl Page {
    /// Every row.
    pub const ALL: Page = Page {
        limit: None,
        offset: 0,
    };

    /// At most `limit` rows, from the first.
    pub fn first(limit: i64) -> Page {
        Page {
            limit: Some(limit),
            offset: 0,
        }
    }

    /// ` LIMIT n OFFSET m` for the end of a statement (two integers, never user text).
    pub(crate) fn sql(&self) -> String {
        // SQLite reads a negative limit as none.
        format!(" LIMIT {} OFFSET {}", self.limit.unwrap_or(-1), self.offset)
    }

    /// How many rows `select` (a whole statement without ORDER BY or LIMIT, with `values`)
    /// gives in all, for the footer of a page of `shown` rows: counted by SQLite, never by
    /// fetching the rows; when the page is every row, it is the rows shown.
    pub(crate) fn total(
        &self,
        conn: &Connection,
        select: &str,
        values: &[rusqlite::types::Value],
        shown: usize,
    ) -> Result<i64> {
        if *self == Page::ALL {
            return Ok(i64::try_from(shown).unwrap_or(i64::MAX));
        }
        Ok(conn
            .prepare_cached(&format!("SELECT count(*) FROM ({select})"))?
            .query_row(rusqlite::params_from_iter(values.iter()), |r| r.get(0))?)
    }
}

/// A table whose rows a UUID names, on a unique index.
#[derive(Debug, Clone, Copy)]
pub(crate) enum UuidTable {
    Devices,
    MigInstances,
}

/// The rows of `table` whose UUID starts with `prefix`: the first `limit` UUIDs in order, and
/// how many there are in all. A range on the UUID's unique index (`prefix <= uuid <
/// successor`), never a scan of every row, so it costs the same in a fleet of any size.
pub(crate) fn uuids_with_prefix(
    conn: &Connection,
    table: UuidTable,
    prefix: &str,
    limit: i64,
) -> Result<(Vec<String>, i64)> {
    use rusqlite::types::Value;
    let table = match table {
        UuidTable::Devices => "devices",
        UuidTable::MigInstances => "mig_instances",
    };
    // No successor (an empty prefix, or one of only U+10FFFF): nothing above it to bound.
    let (range, values) = match prefix_successor(prefix) {
        Some(upper) => (
            "uuid >= ?1 AND uuid < ?2",
            vec![Value::Text(prefix.into()), Value::Text(upper)],
        ),
        None => ("uuid >= ?1", vec![Value::Text(prefix.into())]),
    };
    let params = rusqlite::params_from_iter(values.iter());
    let total: i64 = conn
        .prepare_cached(&format!("SELECT count(*) FROM {table} WHERE {range}"))?
        .query_row(params.clone(), |r| r.get(0))?;
    let uuids = conn
        .prepare_cached(&format!(
            "SELECT uuid FROM {table} WHERE {range} ORDER BY uuid LIMIT {limit}"
        ))?
        .query_map(params, |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok((uuids, total))
}

/// The least string greater than every string that starts with `prefix` (SQLite compares
/// text as UTF-8 bytes, which order as code points do): the prefix up to its last character
/// that can grow, grown by one. None when there is none, as for the empty prefix.
fn prefix_successor(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        // The next code point that is a char (surrogates are not).
        let next = (u32::from(last) + 1..=u32::from(char::MAX)).find_map(char::from_u32);
        if let Some(next) = next {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// `WHERE a AND b …`, or nothing when there are no clauses.
pub(crate) fn where_all<S: AsRef<str>>(clauses: &[S]) -> String {
    if clauses.is_empty() {
        return String::new();
    }
    let parts: Vec<&str> = clauses.iter().map(AsRef::as_ref).collect();
    format!("WHERE {}", parts.join(" AND "))
}

/// `field LIKE ?` matches case-insensitively; this makes user text match literally inside it.
pub(crate) fn like_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

impl Store {
    /// Copies the whole store to `target`, which must not exist, with SQLite's online backup
    /// API: a consistent snapshot even while other processes write. The copy goes to a private
    /// (0600) temp file beside `target`, is synced, and is renamed into place without replacing
    /// anything, so `target` is either absent or a whole copy. The temp file is removed on
    /// error; one a killed backup leaves is named `<target>.partial-XXXXXX`.
    pub fn backup_to(&self, target: &Path) -> Result<()> {
        let name = target.file_name().ok_or_else(|| {
            Error::usage(format!(
                "backup target '{}' is not a file name",
                target.display()
            ))
        })?;
        let dir = target
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let mut prefix = name.to_os_string();
        prefix.push(".partial-");
        let temp = tempfile::Builder::new()
            .prefix(&prefix)
            .permissions(std::fs::Permissions::from_mode(0o600))
            .tempfile_in(dir)
            .map_err(|e| {
                Error::from(e).prefixed(&format!("cannot create a file in {}", dir.display()))
            })?;
        {
            let mut destination = Connection::open(temp.path())?;
            // A half-written temp file is thrown away, never rolled back: no -journal beside it.
            destination.pragma_update(None, "journal_mode", "OFF")?;
            let backup = rusqlite::backup::Backup::new(&self.conn, &mut destination)?;
            backup.run_to_completion(1_024, Duration::from_millis(5), None)?;
        }
        temp.as_file().sync_all()?;
        temp.persist_noclobber(target).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                Error::conflict(format!(
                    "backup target '{}' already exists",
                    target.display()
                ))
            } else {
                Error::from(e.error)
            }
        })?;
        // The rename itself survives a power cut only once the directory is synced.
        std::fs::File::open(dir)?.sync_all()?;
        Ok(())
    }

    /// Rebuilds the file to return free pages to the filesystem, then truncates the WAL.
    pub fn vacuum(&self) -> Result<()> {
        self.conn.execute_batch("VACUUM")?;
        self.checkpoint()
    }

    /// Moves the WAL's pages into the main file and truncates the WAL.
    pub fn checkpoint(&self) -> Result<()> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// Whether the store holds nothing but what its migrations put there: no node, device,
    /// event, setting, lease, alert or alert receiver, and only the built-in models and rules.
    /// A command killed (or failing on a full disk) before its first commit leaves such a store.
    pub fn is_untouched(&self) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT NOT EXISTS (SELECT 1 FROM nodes)
                AND NOT EXISTS (SELECT 1 FROM devices)
                AND NOT EXISTS (SELECT 1 FROM events)
                AND NOT EXISTS (SELECT 1 FROM settings)
                AND NOT EXISTS (SELECT 1 FROM allocations)
                AND NOT EXISTS (SELECT 1 FROM alerts)
                AND NOT EXISTS (SELECT 1 FROM gpu_models WHERE builtin = 0)
                AND NOT EXISTS (SELECT 1 FROM alert_rules WHERE builtin = 0)
                AND NOT EXISTS (SELECT 1 FROM alert_receivers)",
            [],
            |r| r.get(0),
        )?)
    }

    /// The schema version recorded in the file.
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// The journal mode in force (`wal` normally).
    pub fn journal_mode(&self) -> Result<String> {
        Ok(self
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_successor_bounds_every_string_the_prefix_starts() {
        assert_eq!(prefix_successor("GPU-0").as_deref(), Some("GPU-1"));
        assert_eq!(prefix_successor("GPU-f").as_deref(), Some("GPU-g"));
        assert_eq!(prefix_successor("a\u{D7FF}").as_deref(), Some("a\u{E000}"));
        assert_eq!(prefix_successor("a\u{10FFFF}").as_deref(), Some("b"));
        assert_eq!(prefix_successor(""), None);
        assert_eq!(prefix_successor("\u{10FFFF}"), None);
    }

    /// A UUID prefix is a range seek on the unique index, not a scan of every GPU.
    #[test]
    fn a_uuid_prefix_seeks_the_uuid_index() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.db"), DEFAULT_BUSY_TIMEOUT).unwrap();
        for table in ["devices", "mig_instances"] {
            let plan: Vec<String> = store
                .conn()
                .prepare(&format!(
                    "EXPLAIN QUERY PLAN SELECT uuid FROM {table}
                     WHERE uuid >= 'GPU-0' AND uuid < 'GPU-1' ORDER BY uuid"
                ))
                .unwrap()
                .query_map([], |r| r.get::<_, String>(3))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            assert!(
                plan.iter()
                    .any(|step| step.contains("SEARCH") && step.contains("uuid>?")),
                "{table}: {plan:?}"
            );
        }
    }

    fn sqlite_error(code: std::ffi::c_int) -> Error {
        Error::from(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(code),
            None,
        ))
    }

    #[test]
    fn an_io_error_is_a_full_disk_only_where_the_disk_is_full() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("s.db");
        // The temp dir's filesystem has room: a disk I/O error stays one (exit 1).
        let io = name_a_full_disk(sqlite_error(rusqlite::ffi::SQLITE_IOERR_SHMSIZE), &store);
        assert_eq!(io.exit_code(), 1, "{io}");
        assert!(!io.message.starts_with("disk full"), "{io}");
        // Other errors are never touched, and SQLITE_FULL says so by itself.
        let busy = name_a_full_disk(sqlite_error(rusqlite::ffi::SQLITE_BUSY), &store);
        assert!(busy.message.starts_with("store is busy"), "{busy}");
        let full = sqlite_error(rusqlite::ffi::SQLITE_FULL);
        assert_eq!(full.exit_code(), 5);
        // Told as a full disk, an error keeps what it came from.
        let told = sqlite_error(rusqlite::ffi::SQLITE_IOERR_SHMSIZE).into_disk_full();
        assert_eq!(told.message, "disk full: no space left on the device");
        assert_eq!(told.exit_code(), 5);
        assert_eq!(told.sqlite_code(), Some(ErrorCode::SystemIoFailure));
    }
}
