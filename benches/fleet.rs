//! The fleet-scale benchmark: `cargo bench --bench fleet`.
//!
//! Builds a store of 10,000 nodes (three labels each, ten clusters, every status), then reports the
//! median wall time of whole `gpuctl` invocations (process start, store open, query, output) and
//! of the same store query called in-process.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use gpuctl::domain::{Node, NodeStatus};
use gpuctl::store::nodes::{self, NodeFilter, NodeSort};
use gpuctl::store::{Store, DEFAULT_BUSY_TIMEOUT};

const NODES: usize = 10_000;
const RUNS: usize = 21;
const NOW: i64 = 1_795_000_000;

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("bench.db");
    let started = Instant::now();
    build_inventory(&db);
    println!(
        "built {NODES} nodes in {:.0} ms ({} bytes on disk)",
        ms(started.elapsed()),
        std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0)
    );
    println!();
    println!("{:<72} {:>10}", "command (median of 21 runs)", "ms");
    let cases: &[&[&str]] = &[
        &[
            "node",
            "list",
            "--cluster",
            "cluster-3",
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
        &[
            "node", "list", "--search", "ZONE-B", "--sort", "gpus", "--limit", "20", "--page", "5",
        ],
        &[
            "node",
            "list",
            "--label",
            "pool=spot",
            "--sort",
            "name",
            "--limit",
            "50",
            "-o",
            "json",
        ],
        &["node", "list", "--changed-since", "1h", "--limit", "20"],
        &["node", "show", "node-05000"],
    ];
    for args in cases {
        let median = median_of(|| run_gpuctl(&db, args));
        println!("gpuctl {:<65} {:>10.2}", args.join(" "), ms(median));
    }
    println!();
    let store = Store::open(&db, DEFAULT_BUSY_TIMEOUT).expect("open store");
    let filter = NodeFilter {
        cluster: Some("cluster-3".into()),
        status: Some(NodeStatus::Ready),
        ..NodeFilter::default()
    };
    let median = median_of(|| {
        let (rows, total) =
            nodes::list(store.conn(), &filter, NodeSort::Updated, true, Some(20), 20)
                .expect("list");
        assert_eq!(rows.len(), 20);
        assert!(total > 20);
    });
    println!(
        "{:<72} {:>10.3}",
        "in-process store query (filtered, sorted page)",
        ms(median)
    );
}

fn build_inventory(db: &Path) {
    let mut store = Store::open(db, DEFAULT_BUSY_TIMEOUT).expect("open store");
    let statuses = NodeStatus::ALL;
    store
        .write(|tx| {
            for i in 0..NODES {
                let mut labels = BTreeMap::new();
                labels.insert(
                    "zone".to_string(),
                    format!("zone-{}", ["a", "b", "c", "d"][i % 4]),
                );
                labels.insert(
                    "pool".to_string(),
                    if i % 7 == 0 { "spot" } else { "on-demand" }.to_string(),
                );
                labels.insert(
                    "nvidia.com/gpu.product".to_string(),
                    "NVIDIA-H100-80GB-HBM3".to_string(),
                );
                let node = Node {
                    id: 0,
                    name: format!("node-{i:05}"),
                    cluster: format!("cluster-{}", i % 10),
                    status: statuses[(i / 10) % statuses.len()],
                    ip: Some(format!("10.{}.{}.{}", i / 65_536, (i / 256) % 256, i % 256)),
                    role: Some("worker".into()),
                    labels,
                    gpus: [8, 4, 2, 0][i % 4],
                    gpus_allocatable: 0,
                    os: Some("Ubuntu 22.04".into()),
                    kernel: Some("5.15.0".into()),
                    driver: Some("550.54.15".into()),
                    cuda: Some("12.4".into()),
                    kubelet: Some("v1.30.2".into()),
                    created_at: NOW - 86_400 * 30 + i as i64,
                    updated_at: NOW - (i as i64 * 37) % (86_400 * 7),
                };
                nodes::insert(tx, &node)?;
            }
            Ok(())
        })
        .expect("insert nodes");
}

fn run_gpuctl(db: &Path, args: &[&str]) {
    let output = Command::new(env!("CARGO_BIN_EXE_gpuctl"))
        .args(args)
        .env("GPUCTL_DB", db)
        .env("GPUCTL_NOW", gpuctl::clock::rfc3339(NOW))
        .output()
        .expect("run gpuctl");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn median_of(mut f: impl FnMut()) -> Duration {
    f(); // warm the page cache and the binary
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
