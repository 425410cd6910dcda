//! `gpuctl report cost|idle|utilization` against a small hand-built store.
//!
//! The store, with T(h) = the harness clock + h hours (the clock is on the hour):
//!
//! | device | node (cluster) | model (cost/h) | samples                                         |
//! |--------|----------------|----------------|-------------------------------------------------|
//! | d1     | gpu-1 (east)   | H100 (4)       | rollups T-9..T-6 and raw T-6..T-1: 80 %, 300 W  |
//! | d2     | gpu-1 (east)   | A100 (7), MIG  | raw T-4..now each minute: 2 %, 200 W            |
//! | d3     | gpu-2 (west)   | L4 (no cost)   | raw each 2 min: T-7..T-5 50 %, 100 W; then 0 %, 20 W to T-1 |
//! | d4     | gpu-2 (west)   | H100, created T-5 | none                                         |
//! | d5     | gpu-2 (west)   | H100, retired  | none                                            |
//!
//! | lease | owner | ns | device | state    | span                          |
//! |-------|-------|----|--------|----------|-------------------------------|
//! | 1     | alice | ml | d1     | released | T-10 .. T-1                   |
//! | 2     | bob   | ml | d2 3/7 | active   | T-4 .. (now)                  |
//! | 3     | carol | -  | d3     | expired  | T-7 .. expires T-5, no ended_at |
//! | 4     | alice | ml | d4     | released | T-6 .. T-5                    |
//! | 5     | dave  | -  | d3     | released | T-20 .. T-12                  |
//!
//! Most tests use the window [T-8, T-2).

use gpuctl::clock::rfc3339;
use gpuctl::store::metrics::{self, SampleRow};
use gpuctl::store::{Store, DEFAULT_BUSY_TIMEOUT};
use serde_json::Value;

use crate::harness::{error_line, fixture, Env};

/// 2026-11-29T10:00:00Z, the harness clock.
const NOW: i64 = 1_795_946_400;
const HOUR: i64 = 3_600;

fn t(hours: i64) -> i64 {
    NOW + hours * HOUR
}

fn at(hours: i64) -> String {
    rfc3339(t(hours))
}

fn every(
    device_id: i64,
    from: i64,
    to: i64,
    step: i64,
    util: i64,
    power_mw: i64,
) -> Vec<SampleRow> {
    (from..to)
        .step_by(step as usize)
        .map(|ts| SampleRow {
            device_id,
            ts,
            gpu_util: Some(util),
            power_mw: Some(power_mw),
            ..SampleRow::default()
        })
        .collect()
}

fn fleet() -> Env {
    let env = Env::new();
    env.ok(&["node", "add", "gpu-1", "--cluster", "east", "-q"]);
    env.ok(&["node", "add", "gpu-2", "--cluster", "west", "-q"]);
    let store = Store::open(env.db(), DEFAULT_BUSY_TIMEOUT).unwrap();
    let sql = format!(
        "INSERT INTO gpu_models (id, name, memory_mib, hourly_cost, created_at, updated_at) VALUES
           (901, 'H100', 81920, 4.0, 0, 0), (902, 'A100', 81920, 7.0, 0, 0), (903, 'L4', 24576, NULL, 0, 0);
         INSERT INTO devices (id, uuid, node_id, idx, model_id, status, mig_mode, created_at, updated_at) VALUES
           (1, 'GPU-d1', (SELECT id FROM nodes WHERE name = 'gpu-1'), 0, 901, 'active', 0, 0, 0),
           (2, 'GPU-d2', (SELECT id FROM nodes WHERE name = 'gpu-1'), 1, 902, 'active', 1, 0, 0),
           (3, 'GPU-d3', (SELECT id FROM nodes WHERE name = 'gpu-2'), 0, 903, 'active', 0, 0, 0),
           (4, 'GPU-d4', (SELECT id FROM nodes WHERE name = 'gpu-2'), 1, 901, 'active', 0, {d4_created}, 0),
           (5, 'GPU-d5', (SELECT id FROM nodes WHERE name = 'gpu-2'), 2, 901, 'retired', 0, 0, 0);
         INSERT INTO mig_instances (id, device_id, profile, placement_start, placement_size, created_at)
           VALUES (1, 2, '3g.40gb', 0, 4, 0);
         INSERT INTO allocations (id, device_id, mig_instance_id, device_uuid, node, cluster, model,
              mig_profile, gpu_fraction, owner, namespace, state, started_at, expires_at, ended_at) VALUES
           (1, 1, NULL, 'GPU-d1', 'gpu-1', 'east', 'H100', NULL, 1, 'alice', 'ml', 'released', {l1s}, {l1x}, {l1e}),
           (2, 2, 1, 'GPU-d2', 'gpu-1', 'east', 'a100', '3g.40gb', 3.0 / 7, 'bob', 'ml', 'active', {l2s}, {l2x}, NULL),
           (3, 3, NULL, 'GPU-d3', 'gpu-2', 'west', 'L4', NULL, 1, 'carol', NULL, 'expired', {l3s}, {l3x}, NULL),
           (4, 4, NULL, 'GPU-d4', 'gpu-2', 'west', 'H100', NULL, 1, 'alice', 'ml', 'released', {l4s}, {l4x}, {l4e}),
           (5, 3, NULL, 'GPU-d3', 'gpu-2', 'west', 'L4', NULL, 1, 'dave', NULL, 'released', {l5s}, {l5x}, {l5e});",
        d4_created = t(-5),
        l1s = t(-10),
        l1x = t(10),
        l1e = t(-1),
        l2s = t(-4),
        l2x = t(10),
        l3s = t(-7),
        l3x = t(-5),
        l4s = t(-6),
        l4x = t(10),
        l4e = t(-5),
        l5s = t(-20),
        l5x = t(-10),
        l5e = t(-12),
    );
    store.conn().execute_batch(&sql).unwrap();
    // d1: three rolled-up hours whose raw samples are gone (300 W for the whole hour), then raw.
    let mut samples = every(1, t(-9), t(-1), 60, 80, 300_000);
    samples.extend(every(2, t(-4), t(0), 60, 2, 200_000));
    samples.extend(every(3, t(-7), t(-5), 120, 50, 100_000));
    samples.extend(every(3, t(-5), t(-1), 120, 0, 20_000));
    // Rolled up as collect leaves them: reports read rollups alone.
    store
        .write(|tx| {
            metrics::insert_samples(tx, &samples)?;
            gpuctl::retention::apply(tx, NOW)?;
            tx.execute(
                "DELETE FROM samples WHERE device_id = 1 AND ts < ?1",
                [t(-6)],
            )?;
            Ok(())
        })
        .unwrap();
    env
}

fn close(value: &Value, expected: f64, what: &str) {
    let actual = value
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: expected {expected}, got {value}"));
    assert!(
        (actual - expected).abs() < 1e-9,
        "{what}: expected {expected}, got {actual}"
    );
}

fn row<'a>(rows: &'a Value, key: Option<&str>) -> &'a Value {
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"].as_str() == key && (key.is_some() || r["key"].is_null()))
        .unwrap_or_else(|| panic!("no row {key:?} in {rows:#}"))
}

fn keys(rows: &Value) -> Vec<Value> {
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].clone())
        .collect()
}

fn window(args: &[&str]) -> Vec<String> {
    let mut all: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    all.extend(["--from".into(), at(-8), "--to".into(), at(-2)]);
    all
}

fn json(env: &Env, args: &[String]) -> Value {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    env.json(&args)
}

#[test]
fn report_cost_by_owner_clips_leases_prices_them_and_adds_energy() {
    let env = fleet();
    let rows = json(&env, &window(&["report", "cost", "--energy-price", "0.25"]));
    assert_eq!(
        keys(&rows),
        vec!["alice", "bob", "carol", "total"],
        "dave's lease ended before the window"
    );
    // alice: lease 1 crosses both edges (6 h of T-10..T-1 inside), 1.8 kWh from two rollup
    // hours and four raw hours at 300 W; lease 4 is 1 h on a GPU without samples.
    let alice = row(&rows, Some("alice"));
    assert_eq!(alice["row"], "group");
    assert_eq!(alice["leases"], 2);
    close(&alice["gpu_hours"], 7.0, "alice gpu_hours");
    close(&alice["unpriced_gpu_hours"], 0.0, "alice unpriced");
    close(&alice["cost"], 7.0 * 4.0, "alice cost");
    close(&alice["energy_kwh"], 1.8, "alice kWh");
    close(&alice["energy_cost"], 0.45, "alice energy cost");
    close(&alice["total_cost"], 28.45, "alice total");
    // bob: a 3/7 MIG lease, active, 2 h inside the window; model 'a100' priced case-insensitively.
    // GPU-hours and money to 0.01, energy to 0.001 kWh; the cost is that of the exact time.
    let bob = row(&rows, Some("bob"));
    close(&bob["gpu_hours"], 0.86, "bob gpu_hours: 2 h x 3/7");
    close(&bob["cost"], 6.0, "bob cost");
    close(&bob["energy_kwh"], 0.171, "bob kWh: 200 W x 2 h x 3/7");
    close(&bob["energy_cost"], 0.04, "0.171 kWh at 0.25");
    close(&bob["total_cost"], 6.04, "bob total");
    // carol: expired without ended_at (ends at expires_at T-5); the L4 has no price.
    let carol = row(&rows, Some("carol"));
    close(&carol["gpu_hours"], 2.0, "carol gpu_hours");
    close(&carol["unpriced_gpu_hours"], 2.0, "carol unpriced");
    assert!(carol["cost"].is_null(), "unknown price is null: {carol}");
    close(&carol["energy_kwh"], 0.2, "carol kWh: 100 W x 2 h");
    close(
        &carol["total_cost"],
        0.05,
        "carol total is the energy alone",
    );
    let total = row(&rows, Some("total"));
    assert_eq!(total["row"], "total");
    assert_eq!(total["leases"], 4);
    // The total adds up the groups as printed.
    close(&total["gpu_hours"], 7.0 + 0.86 + 2.0, "total gpu_hours");
    close(&total["unpriced_gpu_hours"], 2.0, "total unpriced");
    close(&total["cost"], 34.0, "total cost");
    close(&total["energy_kwh"], 1.8 + 0.171 + 0.2, "total kWh");
    close(
        &total["energy_cost"],
        0.45 + 0.04 + 0.05,
        "total energy cost",
    );
    close(&total["total_cost"], 28.45 + 6.04 + 0.05, "total total");
}

#[test]
fn report_cost_without_energy_price_leaves_energy_cost_null() {
    let env = fleet();
    let rows = json(&env, &window(&["report", "cost"]));
    let carol = row(&rows, Some("carol"));
    assert!(carol["energy_cost"].is_null());
    assert!(carol["total_cost"].is_null(), "nothing known: {carol}");
    let alice = row(&rows, Some("alice"));
    close(&alice["energy_kwh"], 1.8, "energy is still reported");
    close(&alice["total_cost"], 28.0, "alice total is the lease cost");
}

#[test]
fn report_cost_groups_by_namespace_cluster_and_model() {
    let env = fleet();
    let rows = json(&env, &window(&["report", "cost", "--by", "namespace"]));
    assert_eq!(keys(&rows), vec![Value::Null, "ml".into(), "total".into()]);
    assert_eq!(row(&rows, Some("ml"))["leases"], 3);
    close(&row(&rows, Some("ml"))["cost"], 34.0, "ml cost");
    close(&row(&rows, None)["gpu_hours"], 2.0, "no namespace");

    let rows = json(&env, &window(&["report", "cost", "--by", "cluster"]));
    assert_eq!(keys(&rows), vec!["east", "west", "total"]);
    close(&row(&rows, Some("east"))["gpu_hours"], 6.86, "east");
    close(&row(&rows, Some("east"))["cost"], 30.0, "east cost");
    close(&row(&rows, Some("west"))["gpu_hours"], 3.0, "west");
    close(&row(&rows, Some("west"))["cost"], 4.0, "west cost");
    close(
        &row(&rows, Some("west"))["unpriced_gpu_hours"],
        2.0,
        "west unpriced",
    );

    let rows = json(&env, &window(&["report", "cost", "--by", "model"]));
    assert_eq!(
        keys(&rows),
        vec!["A100", "H100", "L4", "total"],
        "bob's 'a100' is grouped under the catalogue's name"
    );
    close(&row(&rows, Some("H100"))["cost"], 28.0, "H100");
    assert!(row(&rows, Some("L4"))["cost"].is_null());
    close(&row(&rows, Some("A100"))["cost"], 6.0, "A100");
}

#[test]
fn report_cost_since_runs_an_active_lease_up_to_now() {
    let env = fleet();
    let rows = env.json(&["report", "cost", "--since", "3h"]);
    assert_eq!(keys(&rows), vec!["alice", "bob", "total"]);
    let bob = row(&rows, Some("bob"));
    close(&bob["gpu_hours"], 1.29, "bob: T-3 to now, x 3/7");
    close(&bob["cost"], 9.0, "bob cost");
    close(&bob["energy_kwh"], 0.257, "bob kWh: 0.6 x 3/7");
    let alice = row(&rows, Some("alice"));
    close(&alice["gpu_hours"], 2.0, "alice: T-3 to her release at T-1");
    close(&alice["energy_kwh"], 0.6, "alice kWh, raw samples only");
    // A --to past now is clipped to now: the same report.
    let later = env.json(&["report", "cost", "--from", &at(-3), "--to", "2026-12-31"]);
    assert_eq!(later, rows);
}

#[test]
fn report_cost_csv_has_the_json_columns_and_the_total_last() {
    let env = fleet();
    let args = window(&["report", "cost", "-o", "csv"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let csv = env.ok(&args);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "row,key,leases,gpu_hours,unpriced_gpu_hours,cost,energy_kwh,energy_cost,total_cost"
    );
    assert_eq!(lines.len(), 5);
    assert!(lines[4].starts_with("total,total,4,"), "{}", lines[4]);
    assert!(
        lines[3].starts_with("group,carol,1,2.0,2.0,,0.2,,"),
        "{}",
        lines[3]
    );
}

#[test]
fn report_idle_lists_idle_leases_and_those_without_samples() {
    let env = fleet();
    let rows = json(&env, &window(&["report", "idle"]));
    let rows = rows.as_array().unwrap();
    let ids: Vec<i64> = rows.iter().map(|r| r["id"].as_i64().unwrap()).collect();
    assert_eq!(
        ids,
        vec![2, 4],
        "busy leases 1 (80 %) and 3 (50 %) are not listed"
    );
    let bob = &rows[0];
    assert_eq!(bob["owner"], "bob");
    assert_eq!(bob["namespace"], "ml");
    assert_eq!(bob["node"], "gpu-1");
    assert_eq!(bob["device_uuid"], "GPU-d2");
    assert_eq!(bob["mig_profile"], "3g.40gb");
    assert_eq!(bob["state"], "active");
    assert_eq!(bob["started_at"], "2026-11-29T06:00:00Z");
    assert_eq!(bob["no_samples"], false);
    assert_eq!(bob["samples"], 120);
    close(&bob["avg_util"], 2.0, "bob avg util");
    close(&bob["idle_gpu_hours"], 0.86, "bob idle hours");
    close(
        &bob["wasted_cost"],
        6.0,
        "bob wasted, priced as report cost prices the lease",
    );
    let alice = &rows[1];
    assert_eq!(alice["no_samples"], true);
    assert_eq!(alice["samples"], 0);
    assert!(alice["avg_util"].is_null());
    assert!(alice["idle_gpu_hours"].is_null());
    assert!(alice["wasted_cost"].is_null());
    close(&alice["gpu_hours"], 1.0, "alice leased hours");
}

#[test]
fn report_idle_threshold_and_default_window() {
    let env = fleet();
    let rows = json(&env, &window(&["report", "idle", "--threshold", "60"]));
    let ids: Vec<i64> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        ids,
        vec![3, 2, 4],
        "most idle GPU-hours first, no samples last"
    );
    let carol = &rows[0];
    close(&carol["avg_util"], 50.0, "carol avg");
    assert_eq!(carol["samples"], 60);
    close(&carol["idle_gpu_hours"], 2.0, "carol idle hours");
    assert!(carol["wasted_cost"].is_null(), "unpriced model");

    // Default: the last 24 h. Bob idles T-4..now; dave's lease (T-20..T-12) has no samples.
    let rows = env.json(&["report", "idle"]);
    let ids: Vec<i64> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![2, 4, 5]);
    close(&rows[0]["idle_gpu_hours"], 1.71, "bob, 4 h x 3/7");
    close(&rows[0]["wasted_cost"], 12.0, "bob wasted");
    assert_eq!(rows[0]["samples"], 240);
}

#[test]
fn report_utilization_by_cluster_compares_available_leased_and_used() {
    let env = fleet();
    let rows = json(&env, &window(&["report", "utilization"]));
    assert_eq!(keys(&rows), vec!["east", "west", "total"]);
    let east = row(&rows, Some("east"));
    assert_eq!(east["gpus"], 2);
    close(&east["available_gpu_hours"], 12.0, "east available");
    close(
        &east["leased_gpu_hours"],
        6.86,
        "east leased: 6 h + 2 h x 3/7",
    );
    close(&east["unleased_gpu_hours"], 12.0 - 6.86, "east unleased");
    // d1 80 % for 6 h (2 from rollups), all leased; d2 2 % for 2 h, 3/7 of it leased.
    close(&east["leased_used_gpu_hours"], 4.82, "4.8 + 0.04 x 3/7");
    close(&east["unleased_used_gpu_hours"], 0.02, "0.04 x 4/7");
    close(&east["used_gpu_hours"], 4.84, "east used");
    close(&east["leased_ratio"], 0.572, "6.86 / 12");
    close(&east["used_ratio"], 0.703, "4.82 / 6.86");
    close(&east["unleased_used_ratio"], 0.004, "0.02 / 5.14");
    let west = row(&rows, Some("west"));
    assert_eq!(west["gpus"], 2, "the retired d5 does not count");
    close(
        &west["available_gpu_hours"],
        10.0,
        "d3 6 h + d4 since T-5, and the hour d4 was leased before its created_at",
    );
    close(&west["leased_gpu_hours"], 3.0, "west leased");
    close(&west["used_gpu_hours"], 1.0, "d3 50 % for 2 h");
    close(&west["leased_used_gpu_hours"], 1.0, "carol's lease");
    close(&west["unleased_used_gpu_hours"], 0.0, "d3 idles after");
    close(&west["used_ratio"], 0.333, "west used ratio");
    let total = row(&rows, Some("total"));
    assert_eq!(total["gpus"], 4);
    close(&total["available_gpu_hours"], 22.0, "total available");
    close(&total["leased_gpu_hours"], 9.86, "total leased");
    close(&total["used_gpu_hours"], 5.84, "total used");
    close(&total["leased_used_gpu_hours"], 5.82, "total leased use");
    close(
        &total["unleased_used_gpu_hours"],
        0.02,
        "total unleased use",
    );
    close(&total["leased_ratio"], 0.448, "9.86 / 22");
}

#[test]
fn report_utilization_by_model_and_node() {
    let env = fleet();
    let rows = json(&env, &window(&["report", "utilization", "--by", "model"]));
    assert_eq!(keys(&rows), vec!["A100", "H100", "L4", "total"]);
    let h100 = row(&rows, Some("H100"));
    assert_eq!(h100["gpus"], 2);
    close(
        &h100["available_gpu_hours"],
        10.0,
        "d1 6 h, d4 3 h and 1 h leased before",
    );
    close(&h100["leased_gpu_hours"], 7.0, "H100 leased");
    close(&h100["used_gpu_hours"], 4.8, "H100 used");
    let a100 = row(&rows, Some("A100"));
    assert_eq!(a100["gpus"], 1);
    close(&a100["available_gpu_hours"], 6.0, "A100 available");
    close(
        &a100["leased_gpu_hours"],
        0.86,
        "A100 leased, bob's 'a100' lease",
    );
    close(&a100["used_gpu_hours"], 0.04, "A100 used");

    let rows = json(&env, &window(&["report", "utilization", "--by", "node"]));
    assert_eq!(keys(&rows), vec!["gpu-1", "gpu-2", "total"]);
    close(
        &row(&rows, Some("gpu-1"))["used_gpu_hours"],
        4.84,
        "gpu-1 used",
    );
    close(
        &row(&rows, Some("gpu-2"))["available_gpu_hours"],
        10.0,
        "gpu-2",
    );
}

#[test]
fn a_partial_hour_takes_its_share_of_the_hours_rollup() {
    let env = fleet();
    // [T-9, T-7): two whole hours of d1, both rolled up, their raw samples gone.
    let rows = env.json(&[
        "report",
        "utilization",
        "--by",
        "node",
        "--from",
        &at(-9),
        "--to",
        &at(-7),
    ]);
    let gpu1 = row(&rows, Some("gpu-1"));
    close(&gpu1["available_gpu_hours"], 4.0, "d1 and d2, 2 h each");
    close(&gpu1["leased_gpu_hours"], 2.0, "lease 1");
    close(
        &gpu1["used_gpu_hours"],
        1.6,
        "80 % of the two rolled-up hours",
    );
    // From T-9:30: the second half of hour T-9 counts as half of its rollup.
    let rows = env.json(&[
        "report",
        "cost",
        "--from",
        &rfc3339(t(-9) + 1_800),
        "--to",
        &at(-7),
    ]);
    let alice = row(&rows, Some("alice"));
    close(&alice["gpu_hours"], 1.5, "alice gpu_hours");
    close(
        &alice["energy_kwh"],
        0.15 + 0.3,
        "half of hour T-9 and all of T-8, at 300 W",
    );
}

#[test]
fn the_hour_in_progress_counts_from_what_collect_has_rolled_up() {
    // One GPU sampled each minute from 10:00 to 10:19 by collect (nvidia-smi: 512.34 W, 87 %);
    // alice leases it at 10:00 and releases it at 10:10, when bob takes it. At 10:20 each has
    // half of the hour so far.
    let mut env = Env::new();
    let smi = fixture("smi/nvidia-smi");
    let gpu = "GPU-8a1c5c3e-0d6a-4f0e-9d1e-2b6f3c4d5e60";
    for minute in 0..20 {
        env.set_now(&format!("2026-11-29T10:{minute:02}:00Z"));
        env.ok(&[
            "collect",
            "--source",
            "nvidia-smi",
            "--smi-command",
            smi.to_str().unwrap(),
            "--node",
            "smi-node",
            "-q",
        ]);
        if minute == 0 {
            env.ok(&[
                "alloc", "create", "--device", gpu, "--owner", "alice", "--for", "4h", "-q",
            ]);
        }
        if minute == 10 {
            env.ok(&["alloc", "release", "1", "-q"]);
            env.ok(&[
                "alloc", "create", "--device", gpu, "--owner", "bob", "--for", "4h", "-q",
            ]);
        }
    }
    env.set_now("2026-11-29T10:20:00Z");
    let rows = env.json(&["report", "cost", "--since", "1h"]);
    assert_eq!(keys(&rows), vec!["alice", "bob", "total"]);
    // 20 samples at 512.34 W stand for 20 minutes: 0.17078 kWh, half each (0.08539).
    for owner in ["alice", "bob"] {
        let lease = row(&rows, Some(owner));
        close(&lease["gpu_hours"], 0.17, "10 minutes");
        close(
            &lease["energy_kwh"],
            0.085,
            "half of 20 minutes at 512.34 W",
        );
    }
    let idle = env.json(&["report", "idle", "--threshold", "90"]);
    let idle = idle.as_array().unwrap();
    assert_eq!(idle.len(), 2, "87 % is below 90 %: {idle:?}");
    assert_eq!(idle[0]["samples"], 10);
    close(&idle[0]["avg_util"], 87.0, "the GPU's utilisation");
}

#[test]
fn reports_reject_bad_input_naming_the_value() {
    let env = fleet();
    let before = env.store_snapshot();
    let cases: &[(&[&str], &str)] = &[
        (&["report", "cost", "--since", "0h"], "'0h'"),
        (
            &[
                "report",
                "cost",
                "--from",
                "2026-11-29T08:00:00Z",
                "--to",
                "2026-11-29T02:00:00Z",
            ],
            "'2026-11-29T08:00:00Z'",
        ),
        (&["report", "cost", "--from", "2026-12-01"], "'2026-12-01'"),
        (&["report", "cost", "--from", "soon"], "'soon'"),
        (&["report", "cost", "--by", "colour"], "'colour'"),
        (&["report", "cost", "--energy-price", "-1"], "'-1'"),
        (&["report", "cost", "--energy-price", "cheap"], "'cheap'"),
        (&["report", "idle", "--threshold", "101"], "'101'"),
        (&["report", "idle", "--since", "yesterday"], "'yesterday'"),
        (&["report", "utilization", "--by", "owner"], "'owner'"),
    ];
    for (args, named) in cases {
        let stderr = env.fails(args, 2);
        assert!(
            error_line(&stderr).contains(named),
            "{args:?}: the error names {named}: {stderr}"
        );
    }
    assert_eq!(env.store_snapshot(), before, "reports write nothing");
}

/// The most decimals a report field carries in JSON and CSV: GPU-hours and money to 0.01,
/// energy to 0.001 kWh, ratios to 0.001 (0.1 %), utilisation to 0.1 %.
fn decimals_allowed(field: &str) -> Option<usize> {
    match field {
        "energy_kwh" => Some(3),
        "avg_util" => Some(1),
        f if f.ends_with("_ratio") => Some(3),
        f if f.ends_with("gpu_hours") || f.ends_with("cost") => Some(2),
        _ => None,
    }
}

fn decimals(number: &str) -> usize {
    number
        .split_once('.')
        .map_or(0, |(_, fraction)| fraction.len())
}

/// Every report, in every format, over windows that cut leases and hours at odd seconds:
/// figures carry no more decimals than they mean and are never negative (not even -0).
#[test]
fn report_figures_are_rounded_to_what_they_mean_in_every_format() {
    let env = fleet();
    let odd = [
        "--from".to_string(),
        rfc3339(t(-8) + 7),
        "--to".to_string(),
        rfc3339(t(-2) - 13),
    ];
    let reports: [&[&str]; 4] = [
        &["report", "cost", "--energy-price", "0.15"],
        &["report", "idle", "--threshold", "60"],
        &["report", "utilization"],
        &["report", "utilization", "--by", "model"],
    ];
    let mut checked = 0;
    for report in reports {
        let mut args: Vec<String> = report.iter().map(|a| a.to_string()).collect();
        args.extend(odd.iter().cloned());
        let rows = json(&env, &args);
        for row in rows.as_array().unwrap() {
            for (field, value) in row.as_object().unwrap() {
                let Some(allowed) = decimals_allowed(field) else {
                    continue;
                };
                let Some(number) = value.as_f64() else {
                    assert!(value.is_null(), "{field}: {value}");
                    continue;
                };
                assert!(!number.is_sign_negative(), "{report:?} {field}: {value}");
                assert!(
                    decimals(&value.to_string()) <= allowed,
                    "{report:?} {field}: {value}"
                );
                checked += 1;
            }
        }
        args.extend(["-o".to_string(), "csv".to_string()]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let csv = env.ok(&args);
        let mut lines = csv.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        for line in lines {
            // The fixture's texts hold no commas, quotes or line breaks.
            for (field, cell) in header.iter().zip(line.split(',')) {
                if let Some(allowed) = decimals_allowed(field) {
                    assert!(!cell.starts_with('-'), "{report:?} CSV {field}: {cell}");
                    assert!(decimals(cell) <= allowed, "{report:?} CSV {field}: {cell}");
                }
            }
        }
    }
    assert!(checked > 50, "the reports had figures to check: {checked}");

    // No idle lease with a price: the footer's wasted sum is empty, and reads 0.00, not -0.00.
    let table = env.ok(&[
        "report",
        "idle",
        "--threshold",
        "1",
        "--from",
        &at(-8),
        "--to",
        &at(-2),
    ]);
    assert!(table.contains("(wasted 0.00)"), "{table}");
    for report in reports {
        let mut args = report.to_vec();
        args.extend(["--from", &odd[1], "--to", &odd[3]]);
        let table = env.ok(&args);
        assert!(!table.contains("-0.0"), "{report:?}:\n{table}");
    }
}

/// A lease holding its GPU for 20 seconds of an hour of minute samples gets a third of a
/// sample: none, so its utilisation is unknown rather than that of the rest of the hour.
#[test]
fn a_lease_with_no_samples_in_its_span_is_flagged_no_samples() {
    let env = fleet();
    let rows = env.json(&[
        "report",
        "idle",
        "--from",
        &at(-3),
        "--to",
        &rfc3339(t(-3) + 20),
    ]);
    let rows = rows.as_array().unwrap();
    let bob = rows
        .iter()
        .find(|r| r["id"] == 2)
        .unwrap_or_else(|| panic!("bob's lease is listed: {rows:?}"));
    assert_eq!(bob["samples"], 0);
    assert_eq!(bob["no_samples"], true, "{bob}");
    assert!(bob["avg_util"].is_null(), "{bob}");
    assert!(bob["idle_gpu_hours"].is_null(), "{bob}");
    assert!(bob["wasted_cost"].is_null(), "{bob}");
    close(&bob["gpu_hours"], 0.0, "20 s x 3/7 to 0.01");
    for row in rows {
        assert_eq!(
            row["no_samples"],
            row["samples"] == 0 || row["avg_util"].is_null(),
            "{row}"
        );
    }
}

/// A GPU in use without a lease (pods Kubernetes handed out, say): its use is unleased use,
/// not use of the leases, so no ratio passes 100 % and the parts add up to the whole.
#[test]
fn unleased_use_is_its_own_part_of_utilization() {
    let env = fleet();
    let store = Store::open(env.db(), DEFAULT_BUSY_TIMEOUT).unwrap();
    store
        .write(|tx| {
            tx.execute(
                "INSERT INTO devices (id, uuid, node_id, idx, model_id, status, mig_mode, created_at, updated_at)
                 VALUES (6, 'GPU-d6', (SELECT id FROM nodes WHERE name = 'gpu-2'), 3, 901, 'active', 0, 0, 0)",
                [],
            )?;
            metrics::insert_samples(tx, &every(6, t(-8), t(-2), 60, 90, 400_000))?;
            // Late for the rollups the fixture made: rolled up as a replay's are.
            gpuctl::retention::roll_up_late(tx, &[6], t(-8))?;
            Ok(())
        })
        .unwrap();
    drop(store);
    for by in ["cluster", "model", "node"] {
        let rows = json(&env, &window(&["report", "utilization", "--by", by]));
        for row in rows.as_array().unwrap() {
            let hours = |field: &str| row[field].as_f64().unwrap_or(0.0);
            let sum_is = |whole: &str, a: &str, b: &str| {
                assert!(
                    (hours(whole) - hours(a) - hours(b)).abs() < 1e-9,
                    "--by {by}: {whole} = {a} + {b}: {row}"
                );
            };
            sum_is(
                "available_gpu_hours",
                "leased_gpu_hours",
                "unleased_gpu_hours",
            );
            sum_is(
                "used_gpu_hours",
                "leased_used_gpu_hours",
                "unleased_used_gpu_hours",
            );
            assert!(
                hours("leased_used_gpu_hours") <= hours("leased_gpu_hours"),
                "{row}"
            );
            assert!(
                hours("unleased_used_gpu_hours") <= hours("unleased_gpu_hours"),
                "{row}"
            );
            for ratio in ["leased_ratio", "used_ratio", "unleased_used_ratio"] {
                let value = hours(ratio);
                assert!(
                    (0.0..=1.0).contains(&value),
                    "--by {by}: {ratio} {value}: {row}"
                );
            }
        }
    }
    let rows = json(&env, &window(&["report", "utilization"]));
    let west = row(&rows, Some("west"));
    // Leased: carol's 2 h on d3 (50 %: 1.0 used) and alice's hour on d4; d6 runs at 90 % for
    // the 6 h unleased (5.4). Counted as used / leased, that was 213 %.
    close(&west["leased_gpu_hours"], 3.0, "west leased");
    close(&west["leased_used_gpu_hours"], 1.0, "west use in leases");
    close(&west["used_ratio"], 0.333, "1.0 / 3.0");
    close(&west["unleased_used_gpu_hours"], 5.4, "d6 90 % x 6 h");
    close(&west["unleased_gpu_hours"], 16.0 - 3.0, "west unleased");
    close(&west["unleased_used_ratio"], 0.415, "5.4 / 13");
    close(&west["used_gpu_hours"], 6.4, "west used");
    let table = env.ok(&window(&["report", "utilization"])
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>());
    let west_line = table.lines().find(|l| l.starts_with("west")).unwrap();
    assert!(
        west_line.contains("33.3%") && west_line.contains("41.5%"),
        "{table}"
    );
    assert!(!table.contains("213"), "{table}");
}

#[test]
fn report_idle_pages_its_ranked_rows_and_totals_all_of_them() {
    let env = fleet();
    let all = json(&env, &window(&["report", "idle"]));
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 2);
    let second = json(
        &env,
        &window(&["report", "idle", "--limit", "1", "--page", "2"]),
    );
    assert_eq!(second.as_array().unwrap(), &all[1..]);
    let args = window(&["report", "idle", "--limit", "1"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let table = env.ok(&args);
    let footer = table.lines().last().unwrap();
    assert!(
        footer.starts_with("1–1 of 2 rows; 1 idle below 5% (wasted 6.00), 1 without samples"),
        "{table}"
    );
    let past = window(&["report", "idle", "--limit", "1", "--page", "3"]);
    assert_eq!(json(&env, &past), serde_json::json!([]));
}
