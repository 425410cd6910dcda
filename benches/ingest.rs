//! Bulk ingest against bare SQLite: `cargo bench --bench ingest`.
//!
//! A day of one-minute nvidia-smi recordings from every node of a 1,000-node, 8,000-GPU fleet,
//! one `NODE.csv` each, is replayed into an empty store by one `gpuctl collect --input DIR`, as an
//! admin loading a directory of recordings would. Side by side in the same run, a bare process
//! (this bench, re-executed) inserts the same rows into the same `samples` schema with one
//! prepared statement, one transaction per node. Reports rows per second of each, as whole
//! processes, and the ratio. Target: replay >= 0.7x bare.
//!
//! `GPUCTL_BENCH_NODES` changes the fleet size (default 1000) and `GPUCTL_BENCH_MINUTES` the
//! length of each recording (default 1440) for a quicker look. `GPUCTL_BENCH_PER_NODE=1` also
//! replays the recordings one `collect --node NAME --input FILE` process per node, as cron-like
//! loading would, into a second store.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use rusqlite::Connection;

use support::run_measured_apart;

mod support;

const GPUS: usize = 8;
/// 2026-11-29T00:00:00Z: the first minute of every recording.
const START: i64 = 1_795_910_400;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--bare") {
        let db = PathBuf::from(&args[at + 1]);
        let nodes: usize = args[at + 2].parse().expect("nodes");
        let minutes: i64 = args[at + 3].parse().expect("minutes");
        bare(&db, nodes, minutes);
        return;
    }
    let nodes: usize = env_or("GPUCTL_BENCH_NODES", 1_000);
    let minutes: i64 = env_or("GPUCTL_BENCH_MINUTES", 1_440);
    let rows = (nodes * GPUS) as f64 * minutes as f64;
    let dir = tempfile::tempdir().expect("temp dir");
    let recordings = dir.path().join("recordings");
    std::fs::create_dir(&recordings).expect("recordings dir");
    let started = Instant::now();
    let files: Vec<PathBuf> = (0..nodes)
        .map(|node| write_recording(&recordings, node, minutes))
        .collect();
    let bytes: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).map(|m| m.len()).unwrap_or(0))
        .sum();
    println!(
        "{nodes} nodes x {GPUS} GPUs x {minutes} minutes = {rows} rows; recordings {:.0} MiB, written in {:.1} s",
        bytes as f64 / 1_048_576.0,
        started.elapsed().as_secs_f64()
    );

    // The bare loop first, then gpuctl, then the bare loop again: the pair each way round.
    let me = std::env::current_exe().expect("own path");
    let bare_db = dir.path().join("bare.db");
    let mut bare_runs = Vec::new();
    let mut gpuctl_runs = Vec::new();
    for round in 0..2 {
        let _ = std::fs::remove_file(&bare_db);
        let measured = run_measured_apart(
            Command::new(&me)
                .arg("--bare")
                .arg(&bare_db)
                .arg(nodes.to_string())
                .arg(minutes.to_string()),
        );
        assert!(measured.success, "the bare loop failed");
        bare_runs.push(measured.wall);
        if round == 0 {
            let (wall, cpu, rss) = replay_dir(dir.path(), &recordings, files.len(), minutes);
            gpuctl_runs.push(wall);
            println!(
                "gpuctl replay: {:>7.2} s wall, {:>7.2} s CPU, {:>6.1} MiB peak RSS, {:>9.0} rows/s",
                wall.as_secs_f64(),
                cpu.as_secs_f64(),
                rss as f64 / 1024.0,
                rows / wall.as_secs_f64()
            );
            if env_or("GPUCTL_BENCH_PER_NODE", 0) == 1 {
                let (wall, cpu, rss) = replay_each(dir.path(), &files, minutes);
                println!(
                    "  per node:    {:>7.2} s wall, {:>7.2} s CPU, {:>6.1} MiB peak RSS (largest process), {:>9.0} rows/s",
                    wall.as_secs_f64(),
                    cpu.as_secs_f64(),
                    rss as f64 / 1024.0,
                    rows / wall.as_secs_f64()
                );
            }
        }
    }
    let bare_wall = bare_runs.iter().sum::<Duration>() / bare_runs.len() as u32;
    println!(
        "bare loop:     {:>7.2} s wall (mean of {} runs around it), {:>9.0} rows/s",
        bare_wall.as_secs_f64(),
        bare_runs.len(),
        rows / bare_wall.as_secs_f64()
    );
    println!(
        "replay / bare: {:.2}x   (target >= 0.7x)",
        bare_wall.as_secs_f64() / gpuctl_runs[0].as_secs_f64()
    );
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn node_name(node: usize) -> String {
    format!("gpu-node-{node:04}")
}

fn uuid(node: usize, gpu: usize) -> String {
    format!(
        "GPU-{node:08x}-{gpu:04x}-4000-8000-{:012x}",
        node * GPUS + gpu
    )
}

/// What `nvidia-smi --query-gpu=timestamp,index,uuid,… --format=csv -l 60` prints on a node.
fn write_recording(dir: &Path, node: usize, minutes: i64) -> PathBuf {
    let path = dir.join(format!("{}.csv", node_name(node)));
    let mut out = BufWriter::new(std::fs::File::create(&path).expect("create recording"));
    writeln!(
        out,
        "timestamp, index, uuid, name, driver_version, pci.bus_id, utilization.gpu [%], utilization.memory [%], memory.used [MiB], memory.total [MiB], temperature.gpu, power.draw [W], enforced.power.limit [W], clocks.current.sm [MHz], clocks.current.memory [MHz], ecc.errors.uncorrected.volatile.total"
    )
    .expect("write");
    for minute in 0..minutes {
        let ts = START + minute * 60;
        let stamp = gpuctl::clock::rfc3339(ts);
        // 2026-11-29T00:00:00Z -> 2026/11/29 00:00:00.000
        let stamp = format!("{} {}.000", &stamp[..10].replace('-', "/"), &stamp[11..19]);
        for gpu in 0..GPUS {
            let (util, mem, temp, power) = reading(node, gpu, minute);
            writeln!(
                out,
                "{stamp}, {gpu}, {}, NVIDIA H100 80GB HBM3, 550.54.15, 00000000:{:02X}:00.0, {util} %, {} %, {mem} MiB, 81559 MiB, {temp}, {}.{:02} W, 700.00 W, 1980 MHz, 2619 MHz, 0",
                uuid(node, gpu),
                0x18 + gpu * 0x10,
                util / 2,
                power / 1000,
                (power % 1000) / 10
            )
            .expect("write");
        }
    }
    out.flush().expect("flush");
    path
}

/// One GPU's reading: utilisation, memory used (MiB), temperature (°C), power (mW).
fn reading(node: usize, gpu: usize, minute: i64) -> (i64, i64, i64, i64) {
    let phase = (node * 7 + gpu * 13) as i64;
    let util = (minute * 3 + phase) % 101;
    let mem = 20_000 + (minute * 37 + phase * 101) % 50_000;
    let temp = 45 + util / 4;
    let power = 150_000 + util * 5_000 + (phase % 10) * 10;
    (util, mem, temp, power)
}

/// Every node's recording by one process; returns its wall, CPU and peak RSS.
fn replay_dir(
    dir: &Path,
    recordings: &Path,
    nodes: usize,
    minutes: i64,
) -> (Duration, Duration, i64) {
    let db = dir.join("gpuctl.db");
    let measured = run_measured_apart(
        Command::new(env!("CARGO_BIN_EXE_gpuctl"))
            .arg("--db")
            .arg(&db)
            .args(["collect", "--input"])
            .arg(recordings)
            .env("GPUCTL_NOW", gpuctl::clock::rfc3339(START + minutes * 60))
            .env("NO_COLOR", "1"),
    );
    assert!(
        measured.success,
        "replay of {} failed",
        recordings.display()
    );
    check_stored(&db, nodes, minutes);
    (measured.wall, measured.cpu, measured.peak_rss_kib)
}

/// Every node's recording, one process each; returns total wall, total CPU, largest peak RSS.
fn replay_each(dir: &Path, files: &[PathBuf], minutes: i64) -> (Duration, Duration, i64) {
    let db = dir.join("gpuctl-per-node.db");
    let now = gpuctl::clock::rfc3339(START + minutes * 60);
    let (mut wall, mut cpu, mut rss) = (Duration::ZERO, Duration::ZERO, 0);
    for (node, file) in files.iter().enumerate() {
        let measured = run_measured_apart(
            Command::new(env!("CARGO_BIN_EXE_gpuctl"))
                .arg("--db")
                .arg(&db)
                .args(["collect", "--node", &node_name(node), "--input"])
                .arg(file)
                .env("GPUCTL_NOW", &now)
                .env("NO_COLOR", "1"),
        );
        assert!(measured.success, "replay of {} failed", file.display());
        wall += measured.wall;
        cpu += measured.cpu;
        rss = rss.max(measured.peak_rss_kib);
    }
    check_stored(&db, files.len(), minutes);
    (wall, cpu, rss)
}

fn check_stored(db: &Path, nodes: usize, minutes: i64) {
    let conn = Connection::open(db).expect("open the store");
    let stored: i64 = conn
        .query_row("SELECT count(*) FROM samples", [], |r| r.get(0))
        .expect("count");
    assert_eq!(
        stored,
        nodes as i64 * GPUS as i64 * minutes,
        "every row stored"
    );
}

/// The same rows by the plainest loop rusqlite allows, into the same schema and pragmas.
fn bare(db: &Path, nodes: usize, minutes: i64) {
    let mut conn = Connection::open(db).expect("open");
    conn.execute_batch(support::BARE_SAMPLES_SCHEMA)
        .expect("schema");
    for node in 0..nodes {
        let tx = conn.transaction().expect("begin");
        {
            let mut stmt = tx
                .prepare("INSERT INTO samples VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")
                .expect("prepare");
            for minute in 0..minutes {
                for gpu in 0..GPUS {
                    let (util, mem, temp, power) = reading(node, gpu, minute);
                    stmt.execute(rusqlite::params![
                        (node * GPUS + gpu + 1) as i64,
                        START + minute * 60,
                        util,
                        util / 2,
                        mem,
                        temp,
                        power / 10 * 10,
                        Option::<i64>::None,
                        0
                    ])
                    .expect("insert");
                }
            }
        }
        tx.commit().expect("commit");
    }
}
