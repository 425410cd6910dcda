//! The fleet path against a real Prometheus: `cargo bench --bench prometheus [-- live|backfill]`.
//!
//! Needs Debian's `prometheus` (the server and promtool); without them it says so and stops.
//! Everything runs on 127.0.0.1.
//!
//! - **live**: ten loopback endpoints serve dcgm-exporter text for 1,000 nodes × 8 GPUs (the
//!   25 families of dcgm-exporter's default counters, with pod labels, as in the H100 fixture);
//!   a real Prometheus scrapes them. Then whole `gpuctl collect --from-prometheus` processes
//!   run: the first into an empty store (it registers every node and GPU), then steady-state
//!   runs as the timer makes them every minute. Target: ≤ 1 s wall, ≤ 64 MiB peak RSS.
//! - **backfill**: 24 h of one-minute history of the same fleet (11.5 M GPU samples of the five
//!   families a default exporter writes that a stored sample keeps) is loaded into a fresh
//!   Prometheus with `promtool tsdb create-blocks-from openmetrics`; then
//!   `gpuctl collect --from-prometheus --backfill 24h` runs into an empty store, and again
//!   (which must store nothing new). Target: ≤ 60 s.
//!
//! `GPUCTL_BENCH_NODES` changes the fleet size (default 1000) for a quicker look;
//! `GPUCTL_BENCH_HOLD=1` keeps the live fleet's Prometheus up after the runs, for a profiler.

use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use gpuctl::store::{metrics, Store, DEFAULT_BUSY_TIMEOUT};
use support::{ms, run_measured_apart, Measured};

mod harness {
    use std::path::{Path, PathBuf};

    /// What the services module expects of the test harness.
    pub fn fixture(relative: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(relative)
    }
}

#[allow(dead_code)]
#[path = "../tests/cli/services.rs"]
mod services;
mod support;

const GPUS_PER_NODE: usize = 8;
const TARGETS: usize = 10;
const STEADY_RUNS: usize = 5;
/// The families of the history: those of dcgm-exporter's defaults that a stored sample keeps.
const HISTORY_FAMILIES: &[&str] = &[
    "DCGM_FI_DEV_GPU_UTIL",
    "DCGM_FI_DEV_MEM_COPY_UTIL",
    "DCGM_FI_DEV_FB_USED",
    "DCGM_FI_DEV_GPU_TEMP",
    "DCGM_FI_DEV_POWER_USAGE",
];

fn main() {
    let phase = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .unwrap_or_else(|| "all".into());
    if !has("prometheus") || !has("promtool") {
        println!("skipped: this benchmark needs Debian's prometheus (the server and promtool)");
        return;
    }
    let nodes: usize = std::env::var("GPUCTL_BENCH_NODES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000);
    if phase == "all" || phase == "live" {
        live(nodes);
    }
    if phase == "all" || phase == "backfill" {
        backfill(nodes);
    }
}

fn has(binary: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(binary).is_file()))
}

/// The H100 fixture's families, each as (comment lines, one sample line per GPU index).
fn fixture_blocks() -> Vec<(String, Vec<String>)> {
    let text = std::fs::read_to_string(harness::fixture("dcgm/h100-8gpu.prom"))
        .expect("read the H100 fixture");
    let mut blocks: Vec<(String, Vec<String>)> = Vec::new();
    for line in text.lines() {
        if line.starts_with("# HELP") || blocks.is_empty() {
            blocks.push((String::new(), Vec::new()));
        }
        let block = blocks.last_mut().expect("pushed above");
        if line.starts_with('#') {
            block.0.push_str(line);
            block.0.push('\n');
        } else if !line.is_empty() {
            block.1.push(line.to_string());
        }
    }
    blocks
}

/// A fixture line as node `node`'s: its host name and the UUID's first group.
fn for_node(line: &str, node: usize) -> String {
    let mut out = line.replace("gpu-node-07", &node_name(node));
    if let Some(at) = out.find("UUID=\"GPU-") {
        let first = at + "UUID=\"GPU-".len();
        out.replace_range(first..first + 8, &format!("{node:08x}"));
    }
    out
}

fn node_name(node: usize) -> String {
    format!("node-{node:04}")
}

fn live(nodes: usize) {
    let blocks = fixture_blocks();
    let per_target = nodes.div_ceil(TARGETS);
    let mut servers = Vec::new();
    let mut series = 0;
    for target in 0..TARGETS {
        let first = target * per_target;
        let last = (first + per_target).min(nodes);
        if first >= last {
            break;
        }
        let mut text = String::new();
        for (comments, lines) in &blocks {
            text.push_str(comments);
            for node in first..last {
                for line in lines {
                    text.push_str(&for_node(line, node));
                    text.push('\n');
                    series += 1;
                }
            }
        }
        servers.push(services::ServedText::start(&text));
    }
    let targets: Vec<String> = servers.iter().map(|s| s.target()).collect();
    let targets: Vec<&str> = targets.iter().map(String::as_str).collect();
    println!(
        "live: {nodes} nodes × {GPUS_PER_NODE} GPUs, {series} series on {} endpoints; starting Prometheus",
        targets.len()
    );
    // The GPU Operator's ServiceMonitor scrapes dcgm-exporter every 15 s.
    let prometheus = services::Prometheus::start(&targets, Duration::from_secs(15));
    wait_for_gpus(&prometheus, nodes * GPUS_PER_NODE);

    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("fleet.db");
    let collect = || {
        let mut command = Command::new(env!("CARGO_BIN_EXE_gpuctl"));
        command
            .args(["collect", "--from-prometheus", &prometheus.url()])
            .args(["--cluster", "bench", "--quiet"])
            .env("GPUCTL_DB", &db);
        let run = run_measured_apart(&mut command);
        assert!(run.success, "gpuctl collect --from-prometheus failed");
        run
    };
    let first = collect();
    let mut steady: Vec<Measured> = (0..STEADY_RUNS).map(|_| collect()).collect();
    steady.sort_by_key(|m| m.wall);
    let median = &steady[STEADY_RUNS / 2];
    let peak = steady.iter().map(|m| m.peak_rss_kib).max().unwrap_or(0);
    let (samples, _) = counts(&db);
    println!("one 'gpuctl collect --from-prometheus' of {nodes} × {GPUS_PER_NODE} GPUs:");
    println!(
        "  into an empty store  wall {:>7.0} ms  cpu {:>7.0} ms  peak RSS {:>6.1} MiB",
        ms(first.wall),
        ms(first.cpu),
        first.peak_rss_kib as f64 / 1024.0
    );
    println!(
        "  steady (median of {STEADY_RUNS}) wall {:>7.0} ms  cpu {:>7.0} ms  peak RSS {:>6.1} MiB (max)   targets: ≤ 1000 ms, ≤ 64 MiB",
        ms(median.wall),
        ms(median.cpu),
        peak as f64 / 1024.0
    );
    println!("  store: {samples} samples");
    if std::env::var_os("GPUCTL_BENCH_HOLD").is_some() {
        // For a profiler: the fleet stays up until this process is stopped.
        println!(
            "holding: Prometheus at {} (Ctrl-C to stop)",
            prometheus.url()
        );
        loop {
            std::thread::sleep(Duration::from_secs(3600));
        }
    }
}

/// Waits until Prometheus holds a utilisation series for every GPU.
fn wait_for_gpus(prometheus: &services::Prometheus, gpus: usize) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let found = prometheus
            .query("count(DCGM_FI_DEV_GPU_UTIL)", None)
            .first()
            .and_then(|s| s["value"][1].as_str().map(str::to_string))
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(0);
        if found >= gpus {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "Prometheus holds {found} of {gpus} GPUs after two minutes"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

fn backfill(nodes: usize) {
    // Ends four hours ago on a minute (clear of the head block), 24 h long.
    let wall = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64;
    let end = (wall - 4 * 3600) / 60 * 60;
    let start = end - 86_400;
    let dir = tempfile::tempdir().expect("temp dir");
    let history = dir.path().join("history.om");
    let started = Instant::now();
    let lines = write_history(&history, nodes, start, end);
    let size = std::fs::metadata(&history).map(|m| m.len()).unwrap_or(0);
    println!(
        "backfill: {lines} points ({:.1} GB of OpenMetrics) written in {:.0} s; promtool loads them",
        size as f64 / 1e9,
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let store_dir = tempfile::tempdir().expect("temp dir");
    let prometheus = services::Prometheus::start_with_history_file(dir, &history);
    let _ = std::fs::remove_file(&history);
    println!(
        "  Prometheus ready with the history in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    let db = store_dir.path().join("fleet.db");
    let run_backfill = || {
        let mut command = Command::new(env!("CARGO_BIN_EXE_gpuctl"));
        command
            .args(["collect", "--from-prometheus", &prometheus.url()])
            .args(["--cluster", "bench", "--backfill", "24h", "--quiet"])
            .args(["--timeout", "5m"])
            .env("GPUCTL_DB", &db)
            .env("GPUCTL_NOW", gpuctl::clock::rfc3339(end));
        let run = run_measured_apart(&mut command);
        assert!(run.success, "gpuctl collect --backfill failed");
        run
    };
    let first = run_backfill();
    let (after_first, rollups) = counts(&db);
    let second = run_backfill();
    let (after_second, _) = counts(&db);
    println!(
        "'gpuctl collect --from-prometheus --backfill 24h' of {nodes} × {GPUS_PER_NODE} GPUs:"
    );
    for (label, run) in [
        ("into an empty store", &first),
        ("again (nothing new)", &second),
    ] {
        println!(
            "  {label}  wall {:>6.1} s  cpu {:>6.1} s  peak RSS {:>6.1} MiB   target: ≤ 60 s",
            run.wall.as_secs_f64(),
            run.cpu.as_secs_f64(),
            run.peak_rss_kib as f64 / 1024.0
        );
    }
    println!("  store: {after_first} samples, {rollups} hourly rollups; after the second run {after_second}");
    assert_eq!(
        after_first, after_second,
        "the second backfill stored samples twice"
    );
}

/// 24 h of one-minute points for every GPU, family by family (OpenMetrics wants a family's
/// series together); returns the number of points.
fn write_history(path: &Path, nodes: usize, start: i64, end: i64) -> usize {
    let blocks = fixture_blocks();
    let file = std::fs::File::create(path).expect("create the history file");
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let mut points = 0;
    for (_, lines) in &blocks {
        let Some(family) = lines
            .first()
            .and_then(|l| l.split('{').next())
            .filter(|f| HISTORY_FAMILIES.contains(f))
        else {
            continue;
        };
        writeln!(out, "# TYPE {family} gauge").expect("write");
        for node in 0..nodes {
            for (gpu, line) in lines.iter().enumerate() {
                let (series, _) = line.rsplit_once(' ').expect("a sample line has a value");
                // History without the pod labels: a backfill stores samples only.
                let series = match series.find(",container=") {
                    Some(at) => format!("{}}}", &series[..at]),
                    None => series.to_string(),
                };
                let series = for_node(&series, node);
                let mut t = start;
                let mut minute = 0usize;
                while t <= end {
                    // A value that moves, so rollups have something to average.
                    let value = (node * 7 + gpu * 13 + minute) % 100;
                    writeln!(out, "{series} {value} {t}").expect("write");
                    t += 60;
                    minute += 1;
                    points += 1;
                }
            }
        }
    }
    writeln!(out, "# EOF").expect("write");
    out.flush().expect("flush the history file");
    points
}

/// (raw samples, hourly rollups) in the store.
fn counts(db: &Path) -> (i64, i64) {
    let store = Store::open(db, DEFAULT_BUSY_TIMEOUT).expect("open the store");
    metrics::counts(store.conn()).expect("count samples")
}
