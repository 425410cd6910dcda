//! `gpuctl db …`, rollups and retention.

use gpuctl::retention;
use gpuctl::store::metrics::{self, SampleRow};
use gpuctl::store::{Store, DEFAULT_BUSY_TIMEOUT};

use std::os::unix::fs::PermissionsExt;

use crate::harness::{error_line, Env, TinyDisk};

/// 2026-11-29T10:00:00Z, the harness clock.
const NOW: i64 = 1_795_946_400;
const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;

fn store_with_device(env: &Env) -> (Store, i64) {
    env.ok(&["node", "add", "gpu-1", "--cluster", "c", "-q"]);
    let store = Store::open(env.db(), DEFAULT_BUSY_TIMEOUT).unwrap();
    store
        .conn()
        .execute_batch(
            "INSERT INTO devices (uuid, node_id, idx, created_at, updated_at)
             SELECT 'GPU-aaaa', id, 0, 0, 0 FROM nodes WHERE name = 'gpu-1';",
        )
        .unwrap();
    let id = store.conn().last_insert_rowid();
    (store, id)
}

/// One sample a minute from `start` for `minutes`, utilisation = minute of the hour.
fn minutes(device_id: i64, start: i64, count: i64) -> Vec<SampleRow> {
    (0..count)
        .map(|m| {
            let ts = start + m * 60;
            SampleRow {
                device_id,
                ts,
                gpu_util: Some((ts % HOUR) / 60),
                temp_c: Some(40 + (ts % HOUR) / 600),
                power_mw: Some(100_000),
                ..SampleRow::default()
            }
        })
        .collect()
}

#[test]
fn rollups_cover_complete_hours_only_and_match_the_raw_samples() {
    let env = Env::new();
    let (store, gpu) = store_with_device(&env);
    // 2.5 hours of samples, NOW-3h to NOW-30m. At NOW-10m the hour [NOW-1h, NOW) is still in
    // progress, so only the two before it are complete.
    let start = NOW - 3 * HOUR;
    store
        .write(|tx| metrics::insert_samples(tx, &minutes(gpu, start, 150)))
        .unwrap();
    let done = store
        .write(|tx| retention::apply(tx, NOW - 10 * 60))
        .unwrap();
    assert_eq!(
        done.hours_rolled_up, 2,
        "the hour in progress is left alone: {done:?}"
    );
    assert_eq!(done.rollup_rows, 2);
    let (n, avg, max, tmax, energy): (i64, f64, i64, i64, i64) = store
        .conn()
        .query_row(
            &format!(
                "SELECT n, gpu_util_avg, gpu_util_max, temp_max, energy_mj
                 FROM ({}) WHERE hour = ?1",
                metrics::HOURLY_VALUES
            ),
            [start],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    assert_eq!(n, 60);
    assert!((avg - 29.5).abs() < 1e-9, "mean of 0..59: {avg}");
    assert_eq!(max, 59);
    assert_eq!(tmax, 45);
    assert_eq!(energy, 100_000 * 3_600, "100 W for the whole hour, in mJ");
    // Running again changes nothing; the next pass rolls up the hour that completed since.
    let again = store
        .write(|tx| retention::apply(tx, NOW - 5 * 60))
        .unwrap();
    assert_eq!(again.hours_rolled_up, 0);
    let later = store.write(|tx| retention::apply(tx, NOW)).unwrap();
    assert_eq!(later.hours_rolled_up, 1);
    let (rows, total_n): (i64, i64) = store
        .conn()
        .query_row("SELECT count(*), sum(n) FROM samples_hourly", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((rows, total_n), (3, 150));
}

#[test]
fn retention_prunes_raw_and_rollups_past_their_age() {
    let env = Env::new();
    let (store, gpu) = store_with_device(&env);
    let old = NOW - 20 * DAY;
    store
        .write(|tx| {
            metrics::insert_samples(tx, &minutes(gpu, old, 120))?;
            metrics::insert_samples(tx, &minutes(gpu, NOW - 2 * HOUR, 60))
        })
        .unwrap();
    let done = store.write(|tx| retention::apply(tx, NOW)).unwrap();
    assert_eq!(
        done.samples_pruned, 120,
        "raw past 14 days goes, after being rolled up"
    );
    let (raw, hourly) = metrics::counts(store.conn()).unwrap();
    assert_eq!(raw, 60);
    assert_eq!(hourly, 3, "the old hours survive as rollups");
    drop(store);
    let set = env.json(&["db", "retention", "--raw", "1h", "--hourly", "10d"]);
    assert_eq!(set["raw_secs"], 3_600);
    assert_eq!(set["hourly"], "10d");
    let report = env.json(&["db", "prune"]);
    assert_eq!(report["rollups_pruned"], 2);
    assert_eq!(report["samples_pruned"], 60);
    assert_eq!(report["samples_left"], 0);
    assert_eq!(report["rollups_left"], 1);
    let shown = env.json(&["db", "retention"]);
    assert_eq!(shown["raw"], "1h");
    let stderr = env.fails(&["db", "retention", "--raw", "30d", "--hourly", "7d"], 2);
    assert!(
        error_line(&stderr).contains("rollups must outlive samples"),
        "{stderr}"
    );
    env.fails(&["db", "retention", "--raw", "forever"], 2);
}

#[test]
fn late_samples_are_rolled_up_on_the_next_pass() {
    let env = Env::new();
    let (store, gpu) = store_with_device(&env);
    store
        .write(|tx| metrics::insert_samples(tx, &minutes(gpu, NOW - 2 * HOUR, 60)))
        .unwrap();
    store.write(|tx| retention::apply(tx, NOW)).unwrap();
    // A backfill adds the hour before.
    store
        .write(|tx| {
            metrics::insert_samples(tx, &minutes(gpu, NOW - 5 * HOUR, 60))?;
            retention::note_samples_from(tx, NOW - 5 * HOUR)
        })
        .unwrap();
    let done = store.write(|tx| retention::apply(tx, NOW)).unwrap();
    assert_eq!(done.hours_rolled_up, 5);
    let hours: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM samples_hourly", [], |r| r.get(0))
        .unwrap();
    assert_eq!(hours, 2);
}

#[test]
fn backup_copies_a_consistent_store_and_never_overwrites() {
    let env = Env::new();
    env.ok(&["node", "add", "n1", "--cluster", "c", "-q"]);
    let target = env.dir().join("backup.db");
    let target_text = target.to_str().unwrap();
    let report = env.json(&["db", "backup", target_text]);
    assert_eq!(report["path"], target_text);
    assert!(report["bytes"].as_u64().unwrap() > 0);
    let copy = env.json(&["--db", target_text, "node", "list"]);
    assert_eq!(copy[0]["name"], "n1");
    let stderr = env.fails(&["db", "backup", target_text], 4);
    assert!(error_line(&stderr).contains("already exists"), "{stderr}");
}

#[test]
fn vacuum_reports_sizes() {
    let env = Env::new();
    env.ok(&["node", "add", "n1", "--cluster", "c", "-q"]);
    let report = env.json(&["db", "vacuum"]);
    assert!(report["bytes_after"].as_u64().unwrap() > 0);
    assert!(report["path"].as_str().unwrap().ends_with("gpuctl.db"));
}

#[test]
fn optimize_applies_rollups_and_retention_too() {
    let env = Env::new();
    let (store, gpu) = store_with_device(&env);
    store
        .write(|tx| metrics::insert_samples(tx, &minutes(gpu, NOW - 3 * HOUR, 120)))
        .unwrap();
    drop(store);
    let plan = env.json(&["optimize"]);
    assert_eq!(plan["retention"]["hours_rolled_up"], 3);
    assert_eq!(plan["retention"]["rollup_rows"], 2);
    let again = env.json(&["optimize"]);
    assert_eq!(
        again["retention"]["hours_rolled_up"], 0,
        "the second run has nothing to do"
    );
}

/// Names in `dir` that start with `prefix`, sorted.
fn names_starting(dir: &std::path::Path, prefix: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(prefix))
        .collect();
    names.sort();
    names
}

/// Whether `path` is a whole, sound copy of a store holding `events` events.
fn is_whole_copy(path: &std::path::Path, events: i64) -> bool {
    let Ok(conn) = rusqlite::Connection::open(path) else {
        return false;
    };
    let sound = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get::<_, String>(0))
        .is_ok_and(|verdict| verdict == "ok");
    let count = conn
        .query_row("SELECT count(*) FROM events", [], |r| r.get::<_, i64>(0))
        .unwrap_or(-1);
    sound && count == events
}

#[test]
fn backup_is_private_and_leaves_no_side_files() {
    let env = Env::new();
    env.ok(&["node", "add", "n1", "--cluster", "c", "-q"]);
    let target = env.dir().join("backup.db");
    env.json(&["db", "backup", target.to_str().unwrap()]);
    let mode = std::fs::metadata(&target).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "as private as the store");
    assert_eq!(names_starting(env.dir(), "backup.db"), ["backup.db"]);
    // A dangling link at the target counts as existing: nothing is written through it.
    let link = env.dir().join("link.db");
    let elsewhere = env.dir().join("elsewhere.db");
    std::os::unix::fs::symlink(&elsewhere, &link).unwrap();
    let stderr = env.fails(&["db", "backup", link.to_str().unwrap()], 4);
    assert!(error_line(&stderr).contains("already exists"), "{stderr}");
    assert!(!elsewhere.exists());
}

#[test]
fn a_killed_backup_leaves_nothing_under_the_target_name() {
    let env = Env::new();
    env.ok(&["node", "add", "n1", "--cluster", "c", "-q"]);
    // ~48 MB of events, so the copy takes many steps and the kill lands inside it.
    let store = Store::open(env.db(), DEFAULT_BUSY_TIMEOUT).unwrap();
    store
        .conn()
        .execute_batch(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 48)
             INSERT INTO events (at, kind, subject, reason)
             SELECT i, 'test.filler', 'filler', hex(randomblob(500000)) FROM n;",
        )
        .unwrap();
    let events: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .unwrap();
    drop(store);
    let target = env.dir().join("b.db");
    let mut child = env
        .process(&["db", "backup", target.to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Kill as soon as the copy has started to appear, under whatever name.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while names_starting(env.dir(), "b.db").is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_micros(200));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    // The target is absent (or, had the copy won the race, whole); only a clearly named
    // partial file may remain.
    assert!(
        !target.exists() || is_whole_copy(&target, events),
        "a killed backup left a broken {}",
        target.display()
    );
    for name in names_starting(env.dir(), "b.db") {
        assert!(
            name == "b.db" || name.starts_with("b.db.partial-"),
            "unexpected {name}"
        );
        assert!(!name.ends_with("-journal"), "{name}");
    }
    // The retry is not refused, and makes a whole copy.
    if !target.exists() {
        env.ok(&["db", "backup", target.to_str().unwrap(), "-q"]);
    }
    assert!(is_whole_copy(&target, events));
}

#[test]
fn a_backup_onto_a_full_disk_says_disk_full_and_leaves_nothing() {
    let env = Env::new();
    env.ok(&["node", "add", "n1", "--cluster", "c", "-q"]);
    // The disk is smaller than the store.
    let Some(disk) = TinyDisk::mount(&env, "tiny", "64k") else {
        return;
    };
    let target = disk.path().join("b.db");
    let stderr = env.fails(&["db", "backup", target.to_str().unwrap()], 5);
    assert_eq!(
        error_line(&stderr),
        format!(
            "backup to '{}' failed: disk full: no space left on the device",
            target.display()
        )
    );
    assert!(!stderr.contains("not an error"), "{stderr}");
    assert!(
        names_starting(disk.path(), "").is_empty(),
        "no 0-byte target, no partial file: {:?}",
        names_starting(disk.path(), "")
    );
}

#[test]
fn retention_takes_years_as_the_readme_writes_them() {
    let env = Env::new();
    env.ok(&["node", "add", "gpu-1", "--cluster", "c", "-q"]);
    let set = env.json(&["db", "retention", "--raw", "30d", "--hourly", "2y"]);
    assert_eq!(set["raw_secs"], 30 * DAY);
    assert_eq!(set["hourly_secs"], 730 * DAY, "a year is 365 days: {set}");
    let before = env.store_snapshot();
    // Past the 100-year cap, in years as in days: refused by name, nothing written.
    let stderr = env.fails(&["db", "retention", "--hourly", "101y"], 2);
    assert!(
        error_line(&stderr).contains("'101y'") && error_line(&stderr).contains("100 years"),
        "{stderr}"
    );
    let stderr = env.fails(&["db", "retention", "--hourly", "2yr"], 2);
    assert!(error_line(&stderr).contains("'2yr'"), "{stderr}");
    assert_eq!(env.store_snapshot(), before);
}
