//! `gpuctl report cost|idle|utilization` on a fleet: `cargo bench --bench report`.
//!
//! 1,000 nodes × 8 GPUs; 90 days of back-to-back leases per GPU (24 to 72 hours each, the last
//! one active); 30 days of hourly rollups up to now (collect rolls up every complete hour and
//! keeps a provisional rollup of the hour in progress; now is on the hour here) and the last
//! 12 hours of one-minute raw samples (retention keeps 14 days). Reports read only the rollups.
//! The store is generated in SQL (about a minute on two cores); each report runs as a whole
//! process, three times, and the median wall time is printed.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use gpuctl::store::{Store, DEFAULT_BUSY_TIMEOUT};

/// 2026-11-29T10:00:00Z
const NOW: i64 = 1_795_946_400;
const RUNS: usize = 3;

const FLEET_SQL: &str = "
WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 1000)
INSERT INTO nodes (id, name, cluster, status, created_at, updated_at)
SELECT i, 'node-' || i, 'cluster-' || (i % 4), 'ready', 0, 0 FROM k;

INSERT INTO gpu_models (id, name, memory_mib, hourly_cost, created_at, updated_at)
VALUES (901, 'H100', 81920, 4.0, 0, 0), (902, 'A100', 81920, 2.5, 0, 0);

WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < 7)
INSERT INTO devices (id, uuid, node_id, idx, model_id, created_at, updated_at)
SELECT (n.id - 1) * 8 + k.i + 1, 'GPU-' || n.id || '-' || k.i, n.id, k.i, 901 + (n.id % 2), 0, 0
FROM nodes n, k;

-- Back-to-back leases: lease j of a device lasts 24 + 12 * ((device + j) % 5) hours.
WITH RECURSIVE lease(device, j, start, end_at) AS (
    SELECT id, 0, ?1 - 90 * 86400, ?1 - 90 * 86400 + 3600 * (24 + 12 * (id % 5)) FROM devices
    UNION ALL
    SELECT device, j + 1, end_at, end_at + 3600 * (24 + 12 * ((device + j + 1) % 5)) FROM lease
    WHERE end_at < ?1
)
INSERT INTO allocations (device_id, device_uuid, node, cluster, model, owner, namespace, state,
    started_at, expires_at, ended_at)
SELECT l.device, d.uuid, n.name, n.cluster, m.name, 'user-' || (l.device % 50), 'ns-' || (l.device % 20),
       CASE WHEN l.end_at >= ?1 THEN 'active' ELSE 'released' END,
       l.start, l.end_at, CASE WHEN l.end_at >= ?1 THEN NULL ELSE l.end_at END
FROM lease l
JOIN devices d ON d.id = l.device JOIN nodes n ON n.id = d.node_id JOIN gpu_models m ON m.id = d.model_id;

-- Packed as store::metrics lays rollups out: whole hours (0 s uncovered) at 400 W (40,000 cW)
-- with a 450 W peak, utilisation (d * 7 + hour) % 100 % with a 100 % peak.
WITH RECURSIVE h(hour) AS (SELECT ?1 / 3600 - 30 * 24 UNION ALL SELECT hour + 1 FROM h WHERE hour + 1 < ?1 / 3600)
INSERT INTO samples_hourly (device_id, epoch_hour, n, uncovered_secs, gpu_util, power)
SELECT d.id, h.hour, 60, 0, (100 << 14) | ((d.id * 7 + h.hour) % 100 * 100), (450 << 19) | 40000
FROM devices d, h;

WITH RECURSIVE m(ts) AS (SELECT ?1 - 12 * 3600 UNION ALL SELECT ts + 60 FROM m WHERE ts + 60 < ?1)
INSERT INTO samples (device_id, ts, gpu_util, power_mw)
SELECT d.id, m.ts, (d.id + m.ts / 60) % 100, 400000 FROM devices d, m;
";

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("bench.db");
    let started = Instant::now();
    {
        let store = Store::open(&db, DEFAULT_BUSY_TIMEOUT).expect("open");
        store
            .write(|tx| {
                for statement in FLEET_SQL.split(";\n").filter(|s| !s.trim().is_empty()) {
                    let mut stmt = tx.prepare(statement)?;
                    if stmt.parameter_count() == 1 {
                        stmt.execute([NOW])?;
                    } else {
                        stmt.execute([])?;
                    }
                }
                Ok(())
            })
            .expect("fill the store");
        let counts: (i64, i64, i64) = store
            .conn()
            .query_row(
                "SELECT (SELECT count(*) FROM allocations), (SELECT count(*) FROM samples_hourly),
                        (SELECT count(*) FROM samples)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .expect("counts");
        println!(
            "store: 8000 GPUs, {} leases, {} hourly rollups, {} raw samples (built in {:.1} s)",
            counts.0,
            counts.1,
            counts.2,
            started.elapsed().as_secs_f64()
        );
    }
    for args in [
        &["report", "cost", "--since", "30d", "--energy-price", "0.3"][..],
        &["report", "cost", "--since", "24h", "--by", "cluster"][..],
        &["report", "idle"][..],
        &["report", "utilization", "--since", "30d"][..],
    ] {
        let mut times: Vec<Duration> = (0..RUNS).map(|_| run(&db, args)).collect();
        times.sort();
        println!(
            "gpuctl {:<50} {:>8.3} s (median of {RUNS})",
            args.join(" "),
            times[RUNS / 2].as_secs_f64()
        );
    }
}

fn run(db: &Path, args: &[&str]) -> Duration {
    let start = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_gpuctl"))
        .args(args)
        .args(["-o", "json"])
        .env("GPUCTL_DB", db)
        .env("GPUCTL_NOW", gpuctl::clock::rfc3339(NOW))
        .stdout(Stdio::null())
        .status()
        .expect("run gpuctl");
    assert!(status.success(), "gpuctl {args:?} failed");
    start.elapsed()
}
