//! The fleet-scale benchmark: `cargo bench --bench fleet [-- FILTER]`.
//!
//! Builds a store of 1,000 nodes × 8 GPUs with 24 h of one-minute samples (11.5 M rows, with
//! the demo generator) plus a 10,000-node inventory, then reports:
//! - the median wall time of whole `gpuctl` runs (process start, store open, query, output)
//!   beside a **bare process** running the same SQL: this bench re-executed with `--bare-case N`,
//!   which opens the store with plain rusqlite, runs the command's statements and writes every
//!   row to stdout as `a|b|c` lines (what the sqlite3 shell would do) or, for `dashboard
//!   realtime` in each of its formats, as a plain table, CSV or JSON of the raw columns; and
//!   beside the bare statements timed inside this process (no process start, no store open,
//!   output into a sink). gpuctl and its bare process run in turns, so drift hits both alike;
//! - the generator's ingest rate beside a bare rusqlite insert loop;
//! - bytes per stored sample.
//!
//! FILTER (e.g. `realtime`) runs only the commands whose arguments contain it, and skips the
//! ingest and size figures; `GPUCTL_BENCH_RUNS` sets the runs per median (default 11).
//!
//! Targets (issue 5): each query ≤ 50 ms (trends ≤ 100 ms) and ≤ 1.3× the bare SQL; ingest
//! ≥ 0.7× the bare loop; ≤ 32 bytes per sample. Issue 14: `dashboard realtime` ≤ 1.3× its bare
//! process in each format.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use gpuctl::demo::{self, DemoSpec};
use gpuctl::domain::{Node, NodeStatus};
use gpuctl::store::dashboard::{Grouping, StatsQueries, REALTIME_SQL};
use gpuctl::store::{nodes, Store, DEFAULT_BUSY_TIMEOUT};
use rusqlite::Connection;

mod support;

const FLEET_NODES: usize = 1_000;
const GPUS_PER_NODE: usize = 8;
const INVENTORY_NODES: usize = 10_000;
const DEFAULT_RUNS: usize = 11;
/// 2026-11-29T10:30:00Z: half an hour into the current hour, so trends read raw samples too.
const NOW: i64 = 1_795_948_200;
const BARE_ROWS: i64 = 2_000_000;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--bare-case") {
        let case: usize = args[at + 1].parse().expect("case number");
        let conn = bare_connection(Path::new(&args[at + 2]));
        let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
        (cases()[case].1)(&conn, &mut stdout);
        stdout.flush().expect("flush");
        return;
    }
    // `cargo bench` passes `--bench`; the first other argument filters the commands.
    let filter = args.iter().skip(1).find(|a| !a.starts_with('-')).cloned();
    let runs = std::env::var("GPUCTL_BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse::<usize>().ok())
        .filter(|r| *r > 0)
        .unwrap_or(DEFAULT_RUNS);
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

    println!(
        "store: {} nodes ({} with {} GPUs each), {} samples, {} leases",
        INVENTORY_NODES, FLEET_NODES, GPUS_PER_NODE, summary.samples, summary.leases
    );
    println!();
    if filter.is_none() {
        let bytes = sample_bytes(&db);
        // The sample-writing phase: the per-row work the bare loop also does, plus the
        // generator's own arithmetic (lease lookups, the daily rhythm, noise).
        let ingest = summary.samples as f64 / summary.sample_write_secs;
        let bare = bare_insert_rate(dir.path());
        println!("ingest: generator {:.2} M samples/s ({:.1} s writing samples, {:.1} s for the whole fleet with rollups and alerts), bare insert loop {:.2} M rows/s: {:.2}x (target >= 0.7x)",
            ingest / 1e6, summary.sample_write_secs, generate_secs, bare / 1e6, ingest / bare);
        println!(
            "size:   {:.1} bytes per sample (samples table pages / rows; target <= 32)",
            bytes
        );
        println!();
    }
    println!(
        "{:<64} {:>9} {:>9} {:>7} {:>9}",
        format!("query (median of {runs})"),
        "gpuctl",
        "bare",
        "ratio",
        "bare SQL"
    );
    let conn = bare_connection(&db);
    let me = std::env::current_exe().expect("the bench's own path");
    for (index, (args, bare_sql)) in cases().into_iter().enumerate() {
        if filter
            .as_deref()
            .is_some_and(|f| !args.join(" ").contains(f))
        {
            continue;
        }
        let (process, bare) =
            medians_in_turn(runs, || run_gpuctl(&db, args), || run_bare(&me, index, &db));
        let (sql, _) = medians_in_turn(runs, || bare_sql(&conn, &mut std::io::sink()), || ());
        println!(
            "gpuctl {:<57} {:>7.1}ms {:>7.1}ms {:>6.2}x {:>7.1}ms",
            args.join(" "),
            ms(process),
            ms(bare),
            ms(process) / ms(bare),
            ms(sql)
        );
    }
    let (startup, _) = medians_in_turn(runs, || run_gpuctl(&db, &["--version"]), || ());
    println!();
    println!(
        "process start alone (gpuctl --version): {:.1} ms",
        ms(startup)
    );
}

/// The bare-SQL counterpart of a gpuctl command: its statements, rows written to `out`.
type BareSql = fn(&Connection, &mut dyn Write);

/// Each measured command beside the statements it runs.
fn cases() -> Vec<(&'static [&'static str], BareSql)> {
    vec![
        (&["dashboard"], |c, out| {
            bare_stats(c, Grouping::Cluster, out);
            bare_alerts(c, 5, out);
            bare_activity(c, out);
        }),
        (&["dashboard", "stats"], |c, out| {
            bare_stats(c, Grouping::Overall, out)
        }),
        (&["dashboard", "realtime"], bare_realtime_table),
        (&["dashboard", "realtime", "-o", "csv"], bare_realtime_csv),
        (&["dashboard", "realtime", "-o", "json"], bare_realtime_json),
        (&["report", "cost", "--since", "30d"], bare_cost),
        (&["dashboard", "trends", "--since", "24h"], bare_trends),
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
            bare_node_page,
        ),
        (
            &[
                "node", "list", "--search", "zone-b", "--sort", "gpus", "--limit", "20",
            ],
            bare_node_search,
        ),
    ]
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
    conn.execute_batch(support::BARE_SAMPLES_SCHEMA)
        .expect("schema");
    let started = Instant::now();
    support::bare_insert_loop(&conn, BARE_ROWS, 1_440, NOW);
    BARE_ROWS as f64 / started.elapsed().as_secs_f64()
}

const FRESH: i64 = NOW - 180;

/// The statements of `dashboard::group_stats`, taken from the store itself.
fn bare_stats(conn: &Connection, grouping: Grouping, out: &mut dyn Write) {
    let queries = StatsQueries::new(grouping);
    drain(out, conn, &queries.devices, &[&FRESH]);
    if let Some(nodes) = &queries.nodes {
        drain(out, conn, nodes, &[]);
    }
    drain(out, conn, &queries.alerts, &[]);
}

fn bare_alerts(conn: &Connection, limit: i64, out: &mut dyn Write) {
    drain(
        out,
        conn, "SELECT * FROM alerts WHERE state IN ('firing', 'acknowledged') ORDER BY CASE severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, last_seen_at DESC LIMIT ?1", &[&limit]);
}

fn bare_activity(conn: &Connection, out: &mut dyn Write) {
    drain(
        out,
        conn,
        "SELECT * FROM events WHERE kind <> 'collect.run' ORDER BY at DESC, id DESC LIMIT 5",
        &[],
    );
}

/// `dashboard realtime`'s statement as a plain table: every column's raw text, padded to the
/// widest (known only once every row is read, so held in one string meanwhile), as the sqlite3
/// shell's column mode prints it.
fn bare_realtime_table(conn: &Connection, out: &mut dyn Write) {
    let mut stmt = conn.prepare_cached(REALTIME_SQL).expect("prepare");
    let names: Vec<String> = stmt.column_names().iter().map(|n| n.to_string()).collect();
    let mut widths: Vec<usize> = names.iter().map(|n| n.chars().count()).collect();
    let mut text = String::new();
    let mut ends: Vec<usize> = Vec::new();
    let mut rows = stmt.query([]).expect("query");
    while let Some(row) = rows.next().expect("row") {
        for (i, width) in widths.iter_mut().enumerate() {
            let start = text.len();
            push_value(&mut text, row.get_ref(i).expect("value"));
            *width = (*width).max(text[start..].chars().count());
            ends.push(text.len());
        }
    }
    let mut line = String::new();
    let mut write_line = |cells: &mut dyn Iterator<Item = &str>| {
        line.clear();
        for (cell, width) in cells.zip(&widths) {
            line.push_str(cell);
            let pad = width - cell.chars().count() + 2;
            line.extend(std::iter::repeat_n(' ', pad));
        }
        out.write_all(line.trim_end().as_bytes()).expect("write");
        out.write_all(b"\n").expect("write");
    };
    write_line(&mut names.iter().map(String::as_str));
    let mut start = 0;
    for row in ends.chunks(widths.len()) {
        write_line(&mut row.iter().map(|&end| {
            let cell = &text[start..end];
            start = end;
            cell
        }));
    }
}

/// `dashboard realtime`'s statement as CSV: a header of column names, then each row's raw values.
fn bare_realtime_csv(conn: &Connection, out: &mut dyn Write) {
    let mut stmt = conn.prepare_cached(REALTIME_SQL).expect("prepare");
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(stmt.column_names()).expect("header");
    let columns = stmt.column_count();
    let mut value = String::new();
    let mut rows = stmt.query([]).expect("query");
    while let Some(row) = rows.next().expect("row") {
        for i in 0..columns {
            value.clear();
            push_value(&mut value, row.get_ref(i).expect("value"));
            writer.write_field(&value).expect("write");
        }
        writer.write_record(None::<&[u8]>).expect("write");
    }
    writer.flush().expect("flush");
}

/// `dashboard realtime`'s statement as a pretty JSON array of objects keyed by column name, as
/// the sqlite3 shell's json mode prints it (indented as gpuctl indents).
fn bare_realtime_json(conn: &Connection, out: &mut dyn Write) {
    use serde::ser::{SerializeSeq, Serializer};
    let mut stmt = conn.prepare_cached(REALTIME_SQL).expect("prepare");
    let names: Vec<String> = stmt.column_names().iter().map(|n| n.to_string()).collect();
    let mut serializer = serde_json::Serializer::pretty(&mut *out);
    let mut array = serializer.serialize_seq(None).expect("array");
    let mut rows = stmt.query([]).expect("query");
    while let Some(row) = rows.next().expect("row") {
        array
            .serialize_element(&JsonRow { row, names: &names })
            .expect("write");
    }
    array.end().expect("end");
    out.write_all(b"\n").expect("write");
}

/// One row as a JSON object of its raw values.
struct JsonRow<'a> {
    row: &'a rusqlite::Row<'a>,
    names: &'a [String],
}

impl serde::Serialize for JsonRow<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use rusqlite::types::ValueRef;
        use serde::ser::{Error, SerializeMap};
        let mut map = serializer.serialize_map(Some(self.names.len()))?;
        for (i, name) in self.names.iter().enumerate() {
            match self.row.get_ref(i).map_err(S::Error::custom)? {
                ValueRef::Null => map.serialize_entry(name, &())?,
                ValueRef::Integer(v) => map.serialize_entry(name, &v)?,
                ValueRef::Real(v) => map.serialize_entry(name, &v)?,
                ValueRef::Text(t) | ValueRef::Blob(t) => {
                    map.serialize_entry(name, std::str::from_utf8(t).map_err(S::Error::custom)?)?
                }
            }
        }
        map.end()
    }
}

/// A value as the sqlite3 shell shows it: NULL as nothing.
fn push_value(text: &mut String, value: rusqlite::types::ValueRef) {
    use rusqlite::types::ValueRef;
    use std::fmt::Write as _;
    match value {
        ValueRef::Null => {}
        ValueRef::Integer(v) => write!(text, "{v}").expect("format"),
        ValueRef::Real(v) => write!(text, "{v}").expect("format"),
        ValueRef::Text(t) | ValueRef::Blob(t) => text.push_str(&String::from_utf8_lossy(t)),
    }
}

fn bare_trends(conn: &Connection, out: &mut dyn Write) {
    let since = (NOW - 86_400) / 3_600 * 3_600;
    drain(
        out,
        conn,
        "SELECT ?1 + ((f.hour - ?1) / 3600) * 3600 AS b, sum(f.n), sum(f.util_sum), sum(f.util_n),
                max(f.util_max), sum(f.mem_pct_sum), sum(f.mem_pct_n), max(f.mem_pct_max),
                sum(f.temp_sum), sum(f.temp_n), max(f.temp_max), sum(f.power_sum), sum(f.power_n),
                max(f.power_max)
         FROM samples_fleet_hourly f WHERE f.hour >= ?1 AND f.hour < ?2 GROUP BY b ORDER BY b",
        &[&since, &NOW],
    );
}

/// `report cost`: the catalogue, the leases, then one pass over the rollups' energy (gpuctl
/// splits that pass over threads; here it is one).
fn bare_cost(conn: &Connection, out: &mut dyn Write) {
    let from = NOW - 30 * 86_400;
    drain(out, conn, "SELECT name, hourly_cost FROM gpu_models", &[]);
    drain(
        out,
        conn,
        "SELECT id, device_id, device_uuid, node, cluster, model, mig_profile, gpu_fraction, owner,
                namespace, state, started_at,
                CASE WHEN state = 'active' THEN ?3 ELSE coalesce(ended_at, expires_at) END AS ends_at
         FROM allocations WHERE started_at < ?2 AND ends_at > ?1 ORDER BY id",
        &[&from, &NOW, &NOW],
    );
    drain(
        out,
        conn,
        &format!(
            "SELECT device_id, hour, energy_mj, NULL FROM ({})
             WHERE device_id BETWEEN ?3 AND ?4 AND epoch_hour >= ?1 AND epoch_hour < ?2
             ORDER BY device_id, epoch_hour",
            gpuctl::store::metrics::HOURLY_VALUES
        ),
        &[&(from / 3_600), &((NOW + 3_599) / 3_600), &0, &i64::MAX],
    );
}

fn bare_node_page(conn: &Connection, out: &mut dyn Write) {
    drain(
        out,
        conn,
        "SELECT count(*) FROM nodes WHERE cluster = ?1 AND status = 'ready'",
        &[&"prod-east"],
    );
    drain(
        out,
        conn,
        "SELECT n.*, (SELECT json_group_object(key, value) FROM node_labels WHERE node_id = n.id) FROM nodes n
         WHERE n.cluster = ?1 AND n.status = 'ready' ORDER BY n.updated_at DESC, n.name DESC LIMIT 20 OFFSET 20",
        &[&"prod-east"],
    );
}

fn bare_node_search(conn: &Connection, out: &mut dyn Write) {
    let pattern = "%zone-b%";
    let filter = "n.name LIKE ?1 OR n.cluster LIKE ?1 OR ifnull(n.ip, '') LIKE ?1
        OR EXISTS (SELECT 1 FROM node_labels l WHERE l.node_id = n.id AND l.value LIKE ?1)";
    drain(
        out,
        conn,
        &format!("SELECT count(*) FROM nodes n WHERE {filter}"),
        &[&pattern],
    );
    drain(
        out,
        conn,
        &format!("SELECT n.*, (SELECT json_group_object(key, value) FROM node_labels WHERE node_id = n.id) FROM nodes n WHERE {filter} ORDER BY n.gpu_capacity, n.name LIMIT 20"),
        &[&pattern],
    );
}

/// Runs `sql` and writes each row as `a|b|c` (NULL as nothing).
fn drain(out: &mut dyn Write, conn: &Connection, sql: &str, params: &[&dyn rusqlite::ToSql]) {
    use rusqlite::types::ValueRef;
    let mut stmt = conn.prepare_cached(sql).expect("prepare bare SQL");
    let columns = stmt.column_count();
    let mut rows = stmt.query(params).expect("query");
    while let Some(row) = rows.next().expect("row") {
        for i in 0..columns {
            if i > 0 {
                out.write_all(b"|").expect("write");
            }
            match row.get_ref(i).expect("value") {
                ValueRef::Null => Ok(()),
                ValueRef::Integer(v) => write!(out, "{v}"),
                ValueRef::Real(v) => write!(out, "{v}"),
                ValueRef::Text(t) | ValueRef::Blob(t) => out.write_all(t),
            }
            .expect("write");
        }
        out.write_all(b"\n").expect("write");
    }
}

/// A plain connection to the store for the bare statements, with the one function gpuctl's
/// statements call: the command's clock, fixed at the bench's now.
fn bare_connection(db: &Path) -> Connection {
    let conn = Connection::open(db).expect("open for bare SQL");
    conn.create_scalar_function(
        "gpuctl_now",
        0,
        rusqlite::functions::FunctionFlags::SQLITE_UTF8,
        |_| Ok(NOW),
    )
    .expect("the clock function");
    conn
}

/// The bare counterpart as a whole process: this bench, re-executed.
fn run_bare(me: &Path, case: usize, db: &Path) {
    let output = Command::new(me)
        .arg("--bare-case")
        .arg(case.to_string())
        .arg(db)
        .output()
        .expect("run the bare process");
    assert!(output.status.success(), "bare case {case} failed");
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

/// The median times of `a` and `b` over `runs` runs each, run in turns (a, b, a, b, …) so the
/// machine's drift falls on both alike.
fn medians_in_turn(runs: usize, mut a: impl FnMut(), mut b: impl FnMut()) -> (Duration, Duration) {
    // Warm the page cache.
    a();
    b();
    let time = |f: &mut dyn FnMut()| {
        let start = Instant::now();
        f();
        start.elapsed()
    };
    let (mut a_times, mut b_times): (Vec<Duration>, Vec<Duration>) =
        (0..runs).map(|_| (time(&mut a), time(&mut b))).unzip();
    a_times.sort();
    b_times.sort();
    (a_times[runs / 2], b_times[runs / 2])
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1_000.0
}
