//! Bytes on disk per stored row, and what a 1,000-GPU store takes at default retention:
//! `cargo bench --bench storage`.
//!
//! Fills a store as collect does, ten minutes at a time for 400 days: 16 GPUs (two nodes of 8;
//! device ids past 1,000, as in a fleet, so an id takes the bytes it takes there) sampled every
//! minute, each step storing its samples, rewriting the provisional rollup of the hour in
//! progress and applying retention (complete hours rolled up, raw samples past 14 days pruned).
//! The store then holds what any store holds after a year: 14 days of raw samples and 400 days of
//! hourly rollups per GPU, in pages split and refilled as collect leaves them (a rollup table
//! built from a few days of history reads ~6 % fuller per row, its last page per GPU half empty).
//! Then `collect.run` events shaped as collect writes them go in, and dbstat (pages of each
//! table and its indexes / rows) gives bytes per raw sample, per rollup, per run event.
//!
//! The projection: 1,000 GPUs (125 nodes) × 14 days × 1,440 samples, × 400 days × 24 rollups,
//! the fleet aggregates (per hour, cluster and model; four pairs assumed) and the run events:
//! one per node per day assumed (collect writes one only for a run that changes something,
//! e.g. an alert fired or resolved); beside it what one event per run per node would take.
//!
//! Then the upgrade: a store as gpuctl left it before the rollups were packed (schema 11), with
//! 1,000 GPUs × 40 days of its rollups and a day of its per-run events for 125 nodes, opened by
//! a whole `gpuctl db retention` process, which migrates it; the time scales with the rows.
//!
//! Targets (issue 14): ≤ 32 bytes per sample, ≤ 40 per rollup, ≤ 1 GiB projected.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use gpuctl::domain::{EventKind, NewEvent};
use gpuctl::retention;
use gpuctl::store::metrics::{self, SampleRow};
use gpuctl::store::migrations::{Step, MIGRATIONS};
use gpuctl::store::{events, Store, DEFAULT_BUSY_TIMEOUT};
use rusqlite::Connection;

mod support;

const NODES: i64 = 2;
const GPUS_PER_NODE: i64 = 8;
const FIRST_DEVICE_ID: i64 = 1_001;
const DAYS: i64 = 400;
const STEP_MINUTES: i64 = 10;
/// 2026-11-29T10:00:00Z: the store's last step ends here.
const NOW: i64 = 1_795_946_400;
const RUN_EVENTS: i64 = 20_000;
const H100: &str = "NVIDIA H100 80GB HBM3";
/// The store an older gpuctl left: its schema version, with this much of its rollups and run events.
const OLD_SCHEMA: usize = 11;
const OLD_GPUS: i64 = 1_000;
const OLD_ROLLUP_DAYS: i64 = 40;
const OLD_RUN_EVENT_DAYS: i64 = 1;

/// The store the projection is for.
const FLEET_GPUS: f64 = 1_000.0;
const FLEET_NODES: f64 = FLEET_GPUS / GPUS_PER_NODE as f64;
const RAW_DAYS: f64 = (retention::DEFAULT_RAW_RETENTION_SECS / 86_400) as f64;
const HOURLY_DAYS: f64 = (retention::DEFAULT_HOURLY_RETENTION_SECS / 86_400) as f64;
const FLEET_PAIRS: f64 = 4.0;
const KEPT_RUNS_PER_NODE_DAY: f64 = 1.0;
const MIB: f64 = 1_048_576.0;

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("storage.db");
    let store = Store::open(&db, DEFAULT_BUSY_TIMEOUT).expect("open store");
    add_fleet(&store);
    let started = Instant::now();
    let samples = fill(&store);
    let fill_secs = started.elapsed().as_secs_f64();
    add_run_events(&store);
    store.checkpoint().expect("checkpoint");
    drop(store);

    let conn = Connection::open(&db).expect("open for dbstat");
    let raw = Table::measure(&conn, "samples");
    let hourly = Table::measure(&conn, "samples_hourly");
    let fleet = Table::measure(&conn, "samples_fleet_hourly");
    let runs = Table::measure_kind(&conn, "events", EventKind::CollectRun);
    let page_size: i64 = pragma(&conn, "page_size");
    let pages: i64 = pragma(&conn, "page_count");
    let free: i64 = pragma(&conn, "freelist_count");
    let gpus = (NODES * GPUS_PER_NODE) as f64;

    println!(
        "store: {gpus} GPUs, {DAYS} days filled in {fill_secs:.0} s ({samples} samples written, {:.0} k/s); {:.1} MiB in {} pages, {} of them free",
        samples as f64 / fill_secs / 1e3,
        (pages * page_size) as f64 / MIB,
        pages,
        free
    );
    println!();
    println!(
        "{:<36} {:>10} {:>12} {:>8}",
        "bytes per row (dbstat)", "rows", "bytes", "per row"
    );
    for (name, table, target) in [
        ("raw sample", &raw, Some(32.0)),
        ("hourly rollup", &hourly, Some(40.0)),
        ("fleet aggregate (hour, cluster, model)", &fleet, None),
        ("collect.run event, with its indexes", &runs, None),
    ] {
        println!(
            "{:<36} {:>10} {:>12} {:>8.1}{}",
            name,
            table.rows,
            table.bytes,
            table.per_row(),
            target.map_or(String::new(), |t| format!("  (target <= {t})"))
        );
    }

    let raw_rows = FLEET_GPUS * RAW_DAYS * 1_440.0;
    let hourly_rows = FLEET_GPUS * HOURLY_DAYS * 24.0;
    let fleet_rows = HOURLY_DAYS * 24.0 * FLEET_PAIRS;
    let kept_runs = FLEET_NODES * RAW_DAYS * KEPT_RUNS_PER_NODE_DAY;
    let every_run = FLEET_NODES * RAW_DAYS * 1_440.0;
    let parts = [
        ("raw samples", raw_rows, raw.per_row()),
        ("hourly rollups", hourly_rows, hourly.per_row()),
        ("fleet aggregates", fleet_rows, fleet.per_row()),
        ("collect.run events", kept_runs, runs.per_row()),
    ];
    let total: f64 = parts.iter().map(|(_, rows, bytes)| rows * bytes).sum();
    println!();
    println!(
        "projected: {FLEET_GPUS} GPUs ({FLEET_NODES} nodes), {RAW_DAYS} days raw at 1/min, {HOURLY_DAYS} days hourly"
    );
    for (name, rows, bytes) in parts {
        println!(
            "  {:<20} {:>12.0} rows x {:>5.1} B = {:>7.1} MiB",
            name,
            rows,
            bytes,
            rows * bytes / MIB
        );
    }
    println!(
        "  total {:.1} MiB = {:.2} GiB (target <= 1 GiB); one collect.run event per run per node would add {:.0} MiB",
        total / MIB,
        total / MIB / 1_024.0,
        every_run * runs.per_row() / MIB
    );
    println!(
        "  (run events assumed: {KEPT_RUNS_PER_NODE_DAY} per node per day; fleet aggregates: {FLEET_PAIRS} cluster/model pairs)"
    );
    upgrade(dir.path());
}

/// Migrates an [`OLD_SCHEMA`] store in a whole `gpuctl` process and prints what it took.
fn upgrade(dir: &Path) {
    let db = dir.join("old.db");
    let (rollups, run_events) = old_store(&db);
    let before = std::fs::metadata(&db).expect("old store").len();
    let measured = support::run_measured(
        Command::new(env!("CARGO_BIN_EXE_gpuctl"))
            .args(["db", "retention", "-q"])
            .env("GPUCTL_DB", &db)
            .env("GPUCTL_NOW", gpuctl::clock::rfc3339(NOW))
            .env("NO_COLOR", "1")
            .stdout(Stdio::null()),
    );
    assert!(measured.success, "gpuctl migrated the old store");
    let conn = Connection::open(&db).expect("open the migrated store");
    let (kept_rollups, kept_runs): (i64, i64) = conn
        .query_row(
            "SELECT (SELECT count(*) FROM samples_hourly),
                    (SELECT count(*) FROM events WHERE kind = 'collect.run')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("counts");
    assert_eq!(kept_rollups, rollups, "every rollup converted");
    let per_million = support::ms(measured.wall) / 1_000.0 / (rollups + run_events) as f64 * 1e6;
    println!();
    println!(
        "upgrade: a schema-{OLD_SCHEMA} store ({:.0} MiB) of {OLD_GPUS} GPUs x {OLD_ROLLUP_DAYS} days of rollups ({rollups}) and {OLD_RUN_EVENT_DAYS} day of run events ({run_events}, {kept_runs} kept): migrated in {:.1} s wall, {:.1} s CPU, {:.0} MiB peak RSS (~{per_million:.1} s per million rows: ~{:.0} s for 400 days of rollups and 14 days of run events)",
        before as f64 / MIB,
        support::ms(measured.wall) / 1_000.0,
        support::ms(measured.cpu) / 1_000.0,
        measured.peak_rss_kib as f64 / 1_024.0,
        per_million * (OLD_GPUS as f64 * 400.0 * 24.0 + FLEET_NODES * 14.0 * 1_440.0) / 1e6
    );
}

/// A store at [`OLD_SCHEMA`], filled in SQL: [`OLD_GPUS`] GPUs with [`OLD_ROLLUP_DAYS`] of hourly
/// rollups, and a routine `collect.run` event per node per minute for [`OLD_RUN_EVENT_DAYS`]
/// (every 500th fired an alert). Returns the rows of each.
fn old_store(db: &Path) -> (i64, i64) {
    let conn = Connection::open(db).expect("create the old store");
    conn.execute_batch("PRAGMA journal_mode = WAL; BEGIN;")
        .expect("begin");
    for migration in &MIGRATIONS[..OLD_SCHEMA] {
        let Step::Sql(sql) = migration.step;
        conn.execute_batch(&sql.replace(":now", &NOW.to_string()))
            .expect("an old migration");
    }
    let nodes = OLD_GPUS / GPUS_PER_NODE;
    conn.execute_batch(&format!(
        "PRAGMA user_version = {OLD_SCHEMA};
         WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < {nodes})
         INSERT INTO nodes (id, name, cluster, status, created_at, updated_at)
         SELECT i, 'node-' || i, 'prod', 'ready', 0, 0 FROM k;
         WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < {OLD_GPUS})
         INSERT INTO devices (id, uuid, node_id, idx, created_at, updated_at)
         SELECT i, 'GPU-' || i, 1 + (i - 1) / {GPUS_PER_NODE}, (i - 1) % {GPUS_PER_NODE}, 0, 0 FROM k;
         WITH RECURSIVE h(hour) AS (
             SELECT {first_hour} UNION ALL SELECT hour + 3600 FROM h WHERE hour + 3600 < {NOW})
         INSERT INTO samples_hourly (device_id, hour, n, gpu_util_avg, gpu_util_max, mem_util_avg,
             mem_util_max, mem_used_avg, mem_used_max, temp_avg, temp_max, power_avg, power_max,
             energy_mj)
         SELECT d.id, h.hour, 60, 61.37 + d.id % 7, 100, 40.2, 77, 60123.4, 79000, 63.25, 71,
                512345.67, 699000, 512345 * 3600
         FROM h, devices d;
         WITH RECURSIVE m(at) AS (
             SELECT {first_minute} UNION ALL SELECT at + 60 FROM m WHERE at + 60 < {NOW})
         INSERT INTO events (at, kind, subject, new_value, actor)
         SELECT m.at, 'collect.run', n.name,
                'source=nvml gpus=8 samples=8 alerts_fired=' || (m.at / 60 % 500 = 0)
                    || ' alerts_resolved=0', 'root'
         FROM m, nodes n;
         COMMIT;",
        first_hour = NOW - OLD_ROLLUP_DAYS * 86_400,
        first_minute = NOW - OLD_RUN_EVENT_DAYS * 86_400,
    ))
    .expect("fill the old store");
    conn.query_row(
        "SELECT (SELECT count(*) FROM samples_hourly), (SELECT count(*) FROM events)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .expect("counts")
}

/// Two nodes of 8 H100s, device ids from [`FIRST_DEVICE_ID`], created before the history.
fn add_fleet(store: &Store) {
    store
        .write(|tx| {
            for node in 1..=NODES {
                tx.execute(
                    "INSERT INTO nodes (id, name, cluster, status, created_at, updated_at)
                     VALUES (?1, 'gpu-node-' || ?1, 'prod', 'ready', ?2, ?2)",
                    rusqlite::params![node, NOW - DAYS * 86_400],
                )?;
                for index in 0..GPUS_PER_NODE {
                    tx.execute(
                        "INSERT INTO devices (id, uuid, node_id, idx, model_id, memory_total_mib,
                             power_limit_mw, created_at, updated_at)
                         SELECT ?1, 'GPU-' || ?1, ?2, ?3, id, memory_mib, tdp_w * 1000, ?4, ?4
                         FROM gpu_models WHERE name = ?5",
                        rusqlite::params![
                            FIRST_DEVICE_ID + (node - 1) * GPUS_PER_NODE + index,
                            node,
                            index,
                            NOW - DAYS * 86_400,
                            H100
                        ],
                    )?;
                }
            }
            Ok(())
        })
        .expect("add the fleet");
}

/// Every step of [`DAYS`] as collect stores it; returns the samples written.
fn fill(store: &Store) -> i64 {
    let gpus = NODES * GPUS_PER_NODE;
    let start = NOW - DAYS * 86_400;
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut written = 0;
    let mut step_start = start;
    let mut rows = Vec::with_capacity((gpus * STEP_MINUTES) as usize);
    while step_start < NOW {
        rows.clear();
        for minute in 0..STEP_MINUTES {
            let ts = step_start + minute * 60;
            for device in 0..gpus {
                rows.push(reading(&mut rng, FIRST_DEVICE_ID + device, ts));
            }
        }
        let step_end = step_start + STEP_MINUTES * 60;
        store
            .write(|tx| {
                metrics::insert_samples(tx, &rows)?;
                retention::roll_hour_in_progress(tx, step_end - 60, None)?;
                retention::apply(tx, step_end - 60)?;
                Ok(())
            })
            .expect("store a step");
        written += rows.len() as i64;
        step_start = step_end;
    }
    written
}

/// A GPU's reading at `ts`: busy through most of the day, idle from 02:00 to 08:00 (values at
/// the widths a busy or idle H100 reports: no fan, no ECC error).
fn reading(rng: &mut Rng, device_id: i64, ts: i64) -> SampleRow {
    let hour_of_day = (ts / 3_600 + device_id) % 24;
    let busy = !(2..8).contains(&hour_of_day);
    let noise = |rng: &mut Rng, spread: i64| rng.below(2 * spread + 1) - spread;
    let (util, mem, temp, power) = if busy {
        (
            (75 + noise(rng, 25)).clamp(1, 100),
            60_000 + noise(rng, 15_000),
            62 + noise(rng, 8),
            520_000 + noise(rng, 170_000),
        )
    } else {
        (
            0,
            600 + noise(rng, 100),
            34 + noise(rng, 2),
            70_000 + noise(rng, 3_000),
        )
    };
    SampleRow {
        device_id,
        ts,
        gpu_util: Some(util),
        mem_util: Some((util * 2 / 3).min(100)),
        mem_used_mib: Some(mem),
        temp_c: Some(temp),
        power_mw: Some(power),
        fan_pct: None,
        ecc_uncorrected: Some(0),
    }
}

/// `collect.run` events as collect writes them for a run that fired an alert: per node in
/// turn, a few minutes apart.
fn add_run_events(store: &Store) {
    store
        .write(|tx| {
            for i in 0..RUN_EVENTS {
                let node = 1 + i % NODES;
                events::record(
                    tx,
                    &NewEvent {
                        at: NOW - RUN_EVENTS * 120 + i * 120,
                        kind: EventKind::CollectRun,
                        subject: format!("gpu-node-{node}"),
                        node: None,
                        field: None,
                        old_value: None,
                        new_value: Some(format!(
                            "source=nvml gpus={GPUS_PER_NODE} samples={GPUS_PER_NODE} alerts_fired=1 alerts_resolved=0 new_gpus=0 moved_gpus=0 missing_gpus=0 warnings=0"
                        )),
                        reason: None,
                        actor: Some("root".into()),
                        cluster: None,
                    },
                )?;
            }
            Ok(())
        })
        .expect("add run events");
}

/// A table's pages (with its indexes) and rows.
struct Table {
    rows: i64,
    bytes: i64,
}

impl Table {
    fn measure(conn: &Connection, table: &str) -> Table {
        let bytes = conn
            .query_row(
                "SELECT ifnull(sum(pgsize), 0) FROM dbstat WHERE name = ?1
                    OR name IN (SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?1)",
                [table],
                |r| r.get(0),
            )
            .expect("dbstat");
        let rows = conn
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .expect("rows");
        Table { rows, bytes }
    }

    /// A table that holds only rows of `kind` here.
    fn measure_kind(conn: &Connection, table: &str, kind: EventKind) -> Table {
        let measured = Table::measure(conn, table);
        let others: i64 = conn
            .query_row(
                &format!("SELECT count(*) FROM {table} WHERE kind <> ?1"),
                [kind.as_str()],
                |r| r.get(0),
            )
            .expect("rows of other kinds");
        assert_eq!(others, 0, "only {} rows in {table}", kind.as_str());
        measured
    }

    fn per_row(&self) -> f64 {
        self.bytes as f64 / self.rows.max(1) as f64
    }
}

fn pragma(conn: &Connection, name: &str) -> i64 {
    conn.query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
        .expect("pragma")
}

/// xorshift64: the same readings on every run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: i64) -> i64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as i64
    }
}
