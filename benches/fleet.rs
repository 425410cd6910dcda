//! The fleet-scale benchmark: `cargo bench --bench fleet`.
//!
//! Builds a store of 1,000 nodes × 8 GPUs with 24 h of one-minute samples (11.5 M rows, with
//! the demo generator) plus a 10,000-node inventory, then reports:
//! - the median wall time of whole `gpuctl` runs (process start, store open, query, output)
//!   beside the same SQL run bare through rusqlite in this process (for `report cost`, only its
//!   lease query: the report then integrates each lease's energy);
//! - the generator's ingest rate beside a bare rusqlite insert loop;
//! - bytes per stored sample.
//!
//! Targets (issue 5): each query ≤ 50 ms (trends ≤ 100 ms) and ≤ 1.3× the bare SQL; ingest
//! ≥ 0.7× the bare loop; ≤ 32 bytes per sample.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use gpuctl::demo::{self, DemoSpec};
use gpuctl::domain::{Node, NodeStatus};
use gpuctl::store::{nodes, Store, DEFAULT_BUSY_TIMEOUT};
use rusqlite::Connection;

const FLEET_NODES: usize = 1_000;
const GPUS_PER_NODE: usize = 8;
const INVENTORY_NODES: usize = 10_000;
const RUNS: usize = 11;
/// 2026-11-29T10:30:00Z: half an hour into the current hour, so trends read raw samples too.
const NOW: i64 = 1_795_948_200;
const BARE_ROWS: i64 = 2_000_000;

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("fleet.db");

    let mut store = Store::open(&db, DEFAULT_BUSY_TIMEOUT).expect("open store");
    let started = Instant::now();
    let summary = demo::generate(
        &mut store,
        DemoSpec {
            nodes: FLEET_NODES,
            gpus_per_node: GPUS_PER_NODE,
            days: 1,
            seed: 1,
        },
        NOW,
        &|_, _| {},
    )
    .expect("generate the fleet");
    let generate_secs = started.elapsed().as_secs_f64();
    add_inventory(&mut store, INVENTORY_NODES - FLEET_NODES);
    store.checkpoint().expect("checkpoint");
    drop(store);

    let bytes = sample_bytes(&db);
    // The sample-writing phase: the per-row work the bare loop also does, plus the generator's
    // own arithmetic (lease lookups, the daily rhythm, noise).
    let ingest = summary.samples as f64 / summary.sample_write_secs;
    let bare = bare_insert_rate(dir.path());
    println!(
        "store: {} nodes ({} with {} GPUs each), {} samples, {} leases",
        INVENTORY_NODES, FLEET_NODES, GPUS_PER_NODE, summary.samples, summary.leases
    );
    println!();
    println!("ingest: generator {:.2} M samples/s ({:.1} s writing samples, {:.1} s for the whole fleet with rollups and alerts), bare insert loop {:.2} M rows/s: {:.2}x (target >= 0.7x)",
        ingest / 1e6, summary.sample_write_secs, generate_secs, bare / 1e6, ingest / bare);
    println!(
        "size:   {:.1} bytes per sample (samples table pages / rows; target <= 32)",
        bytes
    );
    println!();
    println!(
        "{:<64} {:>9} {:>9} {:>7}",
        "query (median of 11)", "gpuctl", "bare SQL", "ratio"
    );
    let conn = Connection::open(&db).expect("open for bare SQL");
    let cases: Vec<(&[&str], BareSql)> = vec![
        (
            &["dashboard"],
            Box::new(|c| {
                bare_stats(c, "cluster");
                bare_alerts(c, 5);
                bare_activity(c);
            }),
        ),
        (&["dashboard", "stats"], Box::new(|c| bare_stats(c, "''"))),
        (&["dashboard", "realtime"], Box::new(bare_realtime)),
        (
            &["report", "cost", "--since", "30d"],
            Box::new(bare_cost_leases),
        ),
        (
            &["dashboard", "trends", "--since", "24h"],
            Box::new(bare_trends),
        ),
        (
            &[
                "node",
                "list",
                "--cluster",
                "prod-east",
                "--status",
                "ready",
                "--sort",
                "updated",
                "--desc",
                "--limit",
                "20",
                "--page",
                "2",
            ],
            Box::new(bare_node_page),
        ),
        (
            &[
                "node", "list", "--search", "zone-b", "--sort", "gpus", "--limit", "20",
            ],
            Box::new(bare_node_search),
        ),
    ];
    for (args, bare_sql) in cases {
        let process = median(|| run_gpuctl(&db, args));
        let sql = median(|| bare_sql(&conn));
        println!(
            "gpuctl {:<57} {:>7.1}ms {:>7.1}ms {:>6.2}x",
            args.join(" "),
            ms(process),
            ms(sql),
            ms(process) / ms(sql)
        );
    }
    let startup = median(|| run_gpuctl(&db, &["--version"]));
    println!();
    println!(
        "process start alone (gpuctl --version): {:.1} ms",
        ms(startup)
    );
}

fn add_inventory(store: &mut Store, extra: usize) {
    store
        .write(|tx| {
            for i in 0..extra {
                let mut labels = BTreeMap::new();
                labels.insert(
                    "topology.kubernetes.io/zone".to_string(),
                    format!("zone-{}", ["a", "b", "c", "d"][i % 4]),
                );
                let node = Node {
                    id: 0,
                    name: format!("cpu-{i:05}"),
                    cluster: ["prod-east", "prod-west", "research"][i % 3].to_string(),
                    status: NodeStatus::ALL[(i / 10) % NodeStatus::ALL.len()],
                    ip: Some(format!("10.200.{}.{}", i / 250, i % 250)),
                    role: Some("worker".into()),
                    labels,
                    gpus: 0,
                    gpus_allocatable: 0,
                    os: Some("Ubuntu 22.04.4 LTS".into()),
                    kernel: None,
                    driver: None,
                    cuda: None,
                    kubelet: Some("v1.30.2".into()),
                    created_at: NOW - 86_400 * 40 + i as i64,
                    updated_at: NOW - (i as i64 * 37) % (86_400 * 7),
                };
                nodes::insert(tx, &node)?;
            }
            Ok(())
        })
        .expect("add inventory nodes");
}

/// Bytes the samples table takes (dbstat's page count × page size) per row.
fn sample_bytes(db: &Path) -> f64 {
    let conn = Connection::open(db).expect("open");
    let pages: i64 = conn
        .query_row(
            "SELECT count(*) FROM dbstat WHERE name = 'samples'",
            [],
            |r| r.get(0),
        )
        .expect("dbstat");
    let page_size: i64 = conn
        .query_row("PRAGMA page_size", [], |r| r.get(0))
        .expect("page size");
    let rows: i64 = conn
        .query_row("SELECT count(*) FROM samples", [], |r| r.get(0))
        .expect("rows");
    (pages * page_size) as f64 / rows as f64
}

/// The same rows the generator writes, inserted by the plainest loop rusqlite allows.
fn bare_insert_rate(dir: &Path) -> f64 {
    let conn = Connection::open(dir.join("bare.db")).expect("open");
    conn.execute_batch(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;
         CREATE TABLE samples (device_id INTEGER NOT NULL, ts INTEGER NOT NULL, gpu_util INTEGER,
           mem_util INTEGER, mem_used_mib INTEGER, temp_c INTEGER, power_mw INTEGER, fan_pct INTEGER,
           ecc_uncorrected INTEGER, PRIMARY KEY (device_id, ts)) WITHOUT ROWID;",
    )
    .expect("schema");
    let started = Instant::now();
    conn.execute_batch("BEGIN").expect("begin");
    {
        let mut stmt = conn
            .prepare("INSERT INTO samples VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")
            .expect("prepare");
        for i in 0..BARE_ROWS {
            let (device, minute) = (i / 1_440, i % 1_440);
            stmt.execute(rusqlite::params![
                device,
                NOW + minute * 60,
                i % 100,
                i % 60,
                40_000 + i % 1_000,
                40 + i % 40,
                300_000 + i % 1_000,
                Option::<i64>::None,
                0
            ])
            .expect("insert");
        }
    }
    conn.execute_batch("COMMIT").expect("commit");
    BARE_ROWS as f64 / started.elapsed().as_secs_f64()
}

/// The bare-SQL counterpart of a gpuctl command.
type BareSql = Box<dyn Fn(&Connection)>;

const FRESH: i64 = NOW - 180;

fn bare_stats(conn: &Connection, key: &str) {
    let sql = format!(
        "WITH fleet AS (
            SELECT d.id, d.node_id, d.status, d.memory_total_mib, d.power_limit_mw, n.cluster, n.status AS node_status, m.name AS model,
                   (SELECT count(*) FROM allocations a WHERE a.device_id = d.id AND a.state = 'active') AS leases,
                   (SELECT count(*) FROM allocations a WHERE a.device_id = d.id AND a.state = 'active' AND a.mig_instance_id IS NOT NULL) AS mig_leases,
                   (SELECT count(*) FROM mig_instances mi WHERE mi.device_id = d.id) AS migs,
                   CASE WHEN d.latest_ts >= ?1 THEN d.latest_gpu_util END AS gpu_util,
                   CASE WHEN d.latest_ts >= ?1 THEN d.latest_mem_used_mib END AS mem_used_mib,
                   CASE WHEN d.latest_ts >= ?1 THEN d.latest_power_mw END AS power_mw
            FROM devices d JOIN nodes n ON n.id = d.node_id LEFT JOIN gpu_models m ON m.id = d.model_id)
         SELECT {key}, sum(status <> 'retired'), sum(leases > 0), sum(migs), sum(mig_leases), avg(gpu_util), max(gpu_util),
                sum(mem_used_mib), sum(memory_total_mib), sum(power_mw), sum(power_limit_mw), count(DISTINCT node_id)
         FROM fleet GROUP BY 1"
    );
    drain(conn, &sql, &[&FRESH]);
    drain(
        conn,
        &format!(
            "SELECT {}, status, count(*) FROM nodes GROUP BY 1, 2",
            if key == "''" { "''" } else { "cluster" }
        ),
        &[],
    );
    drain(
        conn,
        "SELECT severity, count(*) FROM alerts WHERE state <> 'resolved' GROUP BY 1",
        &[],
    );
}

fn bare_alerts(conn: &Connection, limit: i64) {
    drain(conn, "SELECT * FROM alerts WHERE state IN ('firing', 'acknowledged') ORDER BY CASE severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, last_seen_at DESC LIMIT ?1", &[&limit]);
}

fn bare_activity(conn: &Connection) {
    drain(
        conn,
        "SELECT * FROM events WHERE kind <> 'collect.run' ORDER BY at DESC, id DESC LIMIT 5",
        &[],
    );
}

fn bare_realtime(conn: &Connection) {
    drain(
        conn,
        "SELECT d.uuid, d.idx, n.name, n.cluster, m.name, d.pci_bus_id, d.memory_total_mib, d.power_limit_mw,
                d.sm_clock_mhz, d.mem_clock_mhz, d.ecc_corrected, d.energy_mj, d.id, d.latest_ts,
                d.latest_gpu_util, d.latest_mem_util, d.latest_mem_used_mib, d.latest_temp_c,
                d.latest_power_mw, d.latest_fan_pct, d.latest_ecc_uncorrected
         FROM devices d JOIN nodes n ON n.id = d.node_id LEFT JOIN gpu_models m ON m.id = d.model_id
         WHERE d.latest_ts IS NOT NULL ORDER BY n.name, d.idx",
        &[],
    );
}

fn bare_trends(conn: &Connection) {
    let since = (NOW - 86_400) / 3_600 * 3_600;
    drain(
        conn,
        "SELECT ?1 + ((f.hour - ?1) / 3600) * 3600 AS b, sum(f.n), sum(f.util_sum), sum(f.util_n),
                max(f.util_max), sum(f.mem_pct_sum), sum(f.mem_pct_n), max(f.mem_pct_max),
                sum(f.temp_sum), sum(f.temp_n), max(f.temp_max), sum(f.power_sum), sum(f.power_n),
                max(f.power_max)
         FROM samples_fleet_hourly f WHERE f.hour >= ?1 AND f.hour < ?2 GROUP BY b ORDER BY b",
        &[&since, &NOW],
    );
}

/// The lease query of `report cost` alone: a lower bound, since the report also integrates
/// each lease's energy from rollups and raw samples.
fn bare_cost_leases(conn: &Connection) {
    drain(
        conn,
        "SELECT a.id, a.device_id, a.device_uuid, a.node, a.cluster, coalesce(m.name, a.model), a.mig_profile,
                a.gpu_fraction, a.owner, a.namespace, a.state, a.started_at,
                CASE WHEN a.state = 'active' THEN ?3 ELSE coalesce(a.ended_at, a.expires_at) END AS ends_at,
                m.hourly_cost
         FROM allocations a LEFT JOIN gpu_models m ON m.name = a.model COLLATE NOCASE
         WHERE a.started_at < ?2 AND ends_at > ?1 ORDER BY a.started_at, a.id",
        &[&(NOW - 30 * 86_400), &NOW, &NOW],
    );
}

fn bare_node_page(conn: &Connection) {
    drain(
        conn,
        "SELECT count(*) FROM nodes WHERE cluster = ?1 AND status = 'ready'",
        &[&"prod-east"],
    );
    drain(
        conn,
        "SELECT n.*, (SELECT json_group_object(key, value) FROM node_labels WHERE node_id = n.id) FROM nodes n
         WHERE n.cluster = ?1 AND n.status = 'ready' ORDER BY n.updated_at DESC, n.name DESC LIMIT 20 OFFSET 20",
        &[&"prod-east"],
    );
}

fn bare_node_search(conn: &Connection) {
    let pattern = "%zone-b%";
    let filter = "n.name LIKE ?1 OR n.cluster LIKE ?1 OR ifnull(n.ip, '') LIKE ?1
        OR EXISTS (SELECT 1 FROM node_labels l WHERE l.node_id = n.id AND l.value LIKE ?1)";
    drain(
        conn,
        &format!("SELECT count(*) FROM nodes n WHERE {filter}"),
        &[&pattern],
    );
    drain(
        conn,
        &format!("SELECT n.*, (SELECT json_group_object(key, value) FROM node_labels WHERE node_id = n.id) FROM nodes n WHERE {filter} ORDER BY n.gpu_capacity, n.name LIMIT 20"),
        &[&pattern],
    );
}

fn drain(conn: &Connection, sql: &str, params: &[&dyn rusqlite::ToSql]) {
    let mut stmt = conn.prepare_cached(sql).expect("prepare bare SQL");
    let columns = stmt.column_count();
    let mut rows = stmt.query(params).expect("query");
    while let Some(row) = rows.next().expect("row") {
        for i in 0..columns {
            let _ = row.get_ref(i).expect("value");
        }
    }
}

fn run_gpuctl(db: &Path, args: &[&str]) {
    let output = Command::new(env!("CARGO_BIN_EXE_gpuctl"))
        .args(args)
        .env("GPUCTL_DB", db)
        .env("GPUCTL_NOW", gpuctl::clock::rfc3339(NOW))
        .env("NO_COLOR", "1")
        .output()
        .expect("run gpuctl");
    assert!(
        output.status.success(),
        "gpuctl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn median(mut f: impl FnMut()) -> Duration {
    f(); // warm the page cache
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[RUNS / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1_000.0
}
