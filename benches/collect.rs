//! One cron `gpuctl collect` run on 8 GPUs: `cargo bench --bench collect`.
//!
//! The store already holds 14 days of one-minute history for the 8 GPUs (the default raw
//! retention, rolled up as collect keeps it); each run replays one 8-GPU reading at the next
//! minute, as cron would every minute. Reports the median CPU time and wall time of a whole
//! process, and its peak RSS. Targets: ≤ 5 ms CPU, ≤ 10 MiB RSS.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use support::ms;

use gpuctl::store::metrics::{self, SampleRow};
use gpuctl::store::{Store, DEFAULT_BUSY_TIMEOUT};

mod support;

const GPUS: i64 = 8;
const DAYS: i64 = 14;
const RUNS: usize = 31;
/// 2026-11-29T10:00:00Z
const NOW: i64 = 1_795_946_400;

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("bench.db");
    let reading = dir.path().join("reading.csv");
    write_reading(&reading);
    // The first run registers the node and the 8 GPUs; then 14 days of history go in behind it.
    run_collect(&db, &reading, NOW - DAYS * 86_400 - 60);
    fill_history(&db);
    run_collect(&db, &reading, NOW - 60);
    let mut cpu = Vec::new();
    let mut wall = Vec::new();
    let mut peak_rss_kib = 0;
    for run in 0..RUNS as i64 {
        let (c, w, rss) = run_collect(&db, &reading, NOW + run * 60);
        cpu.push(c);
        wall.push(w);
        peak_rss_kib = peak_rss_kib.max(rss);
    }
    cpu.sort();
    wall.sort();
    let (samples, rollups) = {
        let store = Store::open(&db, DEFAULT_BUSY_TIMEOUT).expect("open");
        metrics::counts(store.conn()).expect("counts")
    };
    println!("store: {samples} raw samples, {rollups} hourly rollups, 8 GPUs, {DAYS} days");
    println!("one 'gpuctl collect' run (median of {RUNS}):");
    println!(
        "  cpu time   {:>8.2} ms   (target <= 5 ms)",
        ms(cpu[RUNS / 2])
    );
    println!("  wall time  {:>8.2} ms", ms(wall[RUNS / 2]));
    println!(
        "  peak RSS   {:>8.2} MiB  (target <= 10 MiB; max over all runs)",
        peak_rss_kib as f64 / 1024.0
    );
}

fn write_reading(path: &Path) {
    let mut text = String::from(
        "index, uuid, name, driver_version, utilization.gpu [%], utilization.memory [%], memory.used [MiB], memory.total [MiB], temperature.gpu, power.draw [W], enforced.power.limit [W], clocks.current.sm [MHz], clocks.current.memory [MHz], ecc.errors.uncorrected.volatile.total\n",
    );
    for i in 0..GPUS {
        text.push_str(&format!(
            "{i}, GPU-be0c0000-0000-0000-0000-00000000000{i}, NVIDIA H100 80GB HBM3, 550.54.15, {} %, 30 %, 40000 MiB, 81559 MiB, 60, 450.00 W, 700.00 W, 1980 MHz, 2619 MHz, 0\n",
            40 + i * 5
        ));
    }
    std::fs::write(path, text).expect("write reading");
}

fn fill_history(db: &Path) {
    let store = Store::open(db, DEFAULT_BUSY_TIMEOUT).expect("open");
    store
        .write(|tx| {
            let start = NOW - DAYS * 86_400;
            let mut rows = Vec::with_capacity(1_440);
            for device_id in 1..=GPUS {
                for minute in 0..DAYS * 1_440 {
                    let ts = start + minute * 60;
                    rows.push(SampleRow {
                        device_id,
                        ts,
                        gpu_util: Some((minute * 7 + device_id) % 100),
                        mem_util: Some(30),
                        mem_used_mib: Some(40_000),
                        temp_c: Some(55),
                        power_mw: Some(400_000),
                        fan_pct: None,
                        ecc_uncorrected: Some(0),
                    });
                    if rows.len() == 1_440 {
                        metrics::insert_samples(tx, &rows)?;
                        rows.clear();
                    }
                }
            }
            metrics::insert_samples(tx, &rows)?;
            gpuctl::retention::apply(tx, NOW - 60)?;
            Ok(())
        })
        .expect("fill history");
}

/// Runs one collect; returns (CPU time, wall time, peak RSS in KiB) of that process.
fn run_collect(db: &Path, reading: &Path, now: i64) -> (Duration, Duration, i64) {
    let run = support::run_measured(
        Command::new(env!("CARGO_BIN_EXE_gpuctl"))
            .args(["collect", "--node", "bench-node", "--input"])
            .arg(reading)
            .env("GPUCTL_DB", db)
            .env("GPUCTL_NOW", gpuctl::clock::rfc3339(now)),
    );
    assert!(run.success, "gpuctl collect failed");
    (run.cpu, run.wall, run.peak_rss_kib)
}
