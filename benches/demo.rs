//! `gpuctl demo` as a whole process:
//! `cargo bench --bench demo [-- --nodes N --days 1,10 --runs R]`.
//!
//! For each history length, runs `gpuctl -o json demo --nodes N --days D` (default 1,000 nodes ×
//! 8 GPUs, 1 and 10 days of one-minute samples; JSON prints the summary where a table would go
//! on to read the new store for a dashboard) beside a **bare process** writing the same number of
//! sample rows: this bench re-executed with `--bare`, a plain rusqlite prepared-insert loop into
//! a fresh file holding only the `samples` table, in WAL mode with `synchronous=NORMAL` as the
//! store runs, in one transaction. Both run under GNU time (peak RSS of the process alone), in
//! turn, `--runs` times; the medians are compared.
//!
//! Targets (issue 14): the demo ≥ 0.7× the bare loop's rows per second, ≤ 64 MiB peak RSS for
//! 1 and for 10 days.

use std::path::Path;
use std::process::Command;

use rusqlite::Connection;

use support::{run_measured_apart, Measured};

mod support;

/// 2026-11-29T10:30:00Z: half an hour into an hour, as a collect would find it.
const NOW: i64 = 1_795_948_200;
const MINUTE: i64 = 60;
const GPUS_PER_NODE: i64 = 8;
const TARGET_RATIO: f64 = 0.7;
const TARGET_RSS_MIB: f64 = 64.0;

struct Options {
    nodes: i64,
    days: Vec<i64>,
    runs: usize,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--bare") {
        let value = |i: usize| -> i64 { args[at + i].parse().expect("a number after --bare") };
        bare_insert_loop(Path::new(&args[at + 3]), value(1), value(2));
        return;
    }
    let options = options(&args);
    let dir = tempfile::tempdir().expect("temp dir");
    let me = std::env::current_exe().expect("the bench's own path");
    println!(
        "gpuctl demo --nodes {} ({} GPUs) beside a bare rusqlite insert loop of as many rows; whole processes, median of {}",
        options.nodes,
        options.nodes * GPUS_PER_NODE,
        options.runs
    );
    println!(
        "{:>4} {:>12}  {:>9} {:>11} {:>7} {:>9}  {:>9} {:>11} {:>7} {:>9}  {:>6} {:>9}",
        "days",
        "rows",
        "demo wall",
        "rows/s",
        "CPU",
        "peak RSS",
        "bare wall",
        "rows/s",
        "CPU",
        "peak RSS",
        "ratio",
        "CPU ratio"
    );
    let mut met = true;
    for &days in &options.days {
        let mut demo = Vec::new();
        let mut bare = Vec::new();
        let mut rows = 0;
        for _ in 0..options.runs {
            let db = dir.path().join("demo.db");
            let (measured, samples) = run_demo(&db, dir.path(), options.nodes, days);
            demo.push(measured);
            rows = samples;
            remove_store(&db);
            let bare_db = dir.path().join("bare.db");
            bare.push(run_bare(&me, &bare_db, rows, options.nodes * GPUS_PER_NODE));
            remove_store(&bare_db);
        }
        let (demo, bare) = (median(demo), median(bare));
        let rate = |m: &Measured| rows as f64 / m.wall.as_secs_f64();
        let ratio = rate(&demo) / rate(&bare);
        let rss = demo.peak_rss_kib as f64 / 1024.0;
        met &= ratio >= TARGET_RATIO && rss <= TARGET_RSS_MIB;
        println!(
            "{days:>4} {rows:>12}  {:>8.1}s {:>9.0}k/s {:>6.1}s {:>5.1} MiB  {:>8.1}s {:>9.0}k/s {:>6.1}s {:>5.1} MiB  {ratio:>5.2}x {:>8.2}x",
            demo.wall.as_secs_f64(),
            rate(&demo) / 1e3,
            demo.cpu.as_secs_f64(),
            rss,
            bare.wall.as_secs_f64(),
            rate(&bare) / 1e3,
            bare.cpu.as_secs_f64(),
            bare.peak_rss_kib as f64 / 1024.0,
            bare.cpu.as_secs_f64() / demo.cpu.as_secs_f64(),
        );
    }
    println!(
        "targets: ratio >= {TARGET_RATIO}x, demo peak RSS <= {TARGET_RSS_MIB} MiB: {}",
        if met { "met" } else { "NOT met" }
    );
}

fn options(args: &[String]) -> Options {
    let mut options = Options {
        nodes: 1_000,
        days: vec![1, 10],
        runs: 1,
    };
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .map(|at| args.get(at + 1).expect("a value after the flag").as_str())
    };
    if let Some(nodes) = value("--nodes") {
        options.nodes = nodes.parse().expect("--nodes N");
    }
    if let Some(days) = value("--days") {
        options.days = days
            .split(',')
            .map(|d| d.parse().expect("--days D[,D…]"))
            .collect();
    }
    if let Some(runs) = value("--runs") {
        options.runs = runs.parse().expect("--runs R");
    }
    options
}

/// A whole `gpuctl -o json demo` process, and the samples it says it wrote.
fn run_demo(db: &Path, dir: &Path, nodes: i64, days: i64) -> (Measured, i64) {
    let summary = dir.join("summary.json");
    // GNU time measures the shell, which becomes gpuctl with its output sent to a file.
    let measured = run_measured_apart(
        Command::new("sh")
            .arg("-c")
            .arg(r#"exec "$0" "$@" >"$SUMMARY""#)
            .arg(env!("CARGO_BIN_EXE_gpuctl"))
            .arg("--db")
            .arg(db)
            .args(["-o", "json", "demo", "--nodes", &nodes.to_string()])
            .args(["--days", &days.to_string()])
            .env("SUMMARY", &summary)
            .env("GPUCTL_NOW", gpuctl::clock::rfc3339(NOW)),
    );
    assert!(measured.success, "gpuctl demo --days {days} failed");
    let text = std::fs::read_to_string(&summary).expect("the demo's summary");
    let summary: serde_json::Value = serde_json::from_str(&text).expect("the summary's JSON");
    let samples = summary["samples"].as_i64().expect("the summary's samples");
    (measured, samples)
}

/// The bare counterpart as a whole process: this bench, re-executed.
fn run_bare(me: &Path, db: &Path, rows: i64, gpus: i64) -> Measured {
    let measured = run_measured_apart(
        Command::new(me)
            .args(["--bare", &rows.to_string(), &gpus.to_string()])
            .arg(db),
    );
    assert!(measured.success, "the bare insert loop failed");
    measured
}

/// `rows` samples of `gpus` GPUs, one a minute each, GPU after GPU as the demo writes them,
/// by the plainest loop rusqlite allows.
fn bare_insert_loop(db: &Path, rows: i64, gpus: i64) {
    let conn = Connection::open(db).expect("open");
    conn.execute_batch(support::BARE_SAMPLES_SCHEMA)
        .expect("schema");
    let per_gpu = (rows + gpus - 1) / gpus.max(1);
    support::bare_insert_loop(&conn, rows, per_gpu, NOW - per_gpu * MINUTE);
}

fn remove_store(db: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut name = db.as_os_str().to_os_string();
        name.push(suffix);
        let _ = std::fs::remove_file(name);
    }
}

/// The run of median wall time.
fn median(mut runs: Vec<Measured>) -> Measured {
    runs.sort_by_key(|m| m.wall);
    runs.swap_remove(runs.len() / 2)
}
