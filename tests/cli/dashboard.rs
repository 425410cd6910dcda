//! `gpuctl dashboard …` against a small hand-built store with known answers.

use gpuctl::store::metrics::{self, SampleRow};
use gpuctl::store::{Store, DEFAULT_BUSY_TIMEOUT};

use crate::harness::Env;

/// 2026-11-29T10:00:00Z, the harness clock.
const NOW: i64 = 1_795_946_400;

/// Two clusters. prod: node a (ready, 3 GPUs: one leased, one faulty, one MIG with 2 instances,
/// one leased) and node b (cordoned, 1 GPU); lab: node c (ready, no GPUs). Fresh samples for
/// three GPUs, a stale one for the fourth; one critical and one warning alert.
fn fleet(env: &Env) -> Store {
    env.ok(&["node", "add", "a", "--cluster", "prod", "-q"]);
    env.ok(&[
        "node",
        "add",
        "b",
        "--cluster",
        "prod",
        "--status",
        "cordoned",
        "-q",
    ]);
    env.ok(&["node", "add", "c", "--cluster", "lab", "-q"]);
    let store = Store::open(env.db(), DEFAULT_BUSY_TIMEOUT).unwrap();
    store
        .conn()
        .execute_batch(&format!(
            "INSERT INTO gpu_models (id, name, memory_mib, created_at, updated_at) VALUES
               (901, 'Test GPU 80GB', 80000, 0, 0), (902, 'Test GPU 40GB', 40000, 0, 0);
             INSERT INTO devices (id, uuid, node_id, idx, model_id, status, mig_mode, memory_total_mib, power_limit_mw, created_at, updated_at) VALUES
               (1, 'GPU-a0', (SELECT id FROM nodes WHERE name='a'), 0, 901, 'active', 0, 80000, 700000, 0, 0),
               (2, 'GPU-a1', (SELECT id FROM nodes WHERE name='a'), 1, 901, 'faulty', 0, 80000, 700000, 0, 0),
               (3, 'GPU-a2', (SELECT id FROM nodes WHERE name='a'), 2, 902, 'active', 1, 40000, 400000, 0, 0),
               (4, 'GPU-b0', (SELECT id FROM nodes WHERE name='b'), 0, 902, 'active', 0, 40000, 400000, 0, 0);
             INSERT INTO mig_instances (id, device_id, profile, placement_start, placement_size, created_at) VALUES
               (1, 3, '3g.20gb', 0, 4, 0), (2, 3, '3g.20gb', 4, 4, 0);
             INSERT INTO allocations (device_id, mig_instance_id, device_uuid, node, cluster, owner, state, started_at, expires_at) VALUES
               (1, NULL, 'GPU-a0', 'a', 'prod', 'alice', 'active', {t0}, {t1}),
               (3, 1, 'GPU-a2', 'a', 'prod', 'bob', 'active', {t0}, {t1});
             INSERT INTO alerts (rule, device_uuid, node, severity, state, first_seen_at, last_seen_at, message) VALUES
               ('gpu-temperature-critical', 'GPU-a0', 'a', 'critical', 'firing', {t0}, {now}, 'hot'),
               ('memory-nearly-full', 'GPU-b0', 'b', 'warning', 'acknowledged', {t0}, {now}, 'full'),
               ('power-at-limit', 'GPU-a0', 'a', 'warning', 'resolved', {t0}, {t0}, 'old');",
            t0 = NOW - 3_600,
            t1 = NOW + 3_600,
            now = NOW
        ))
        .unwrap();
    store
        .write(|tx| {
            let s = |device_id, ts, util, mem, power| SampleRow {
                device_id,
                ts,
                gpu_util: Some(util),
                mem_used_mib: Some(mem),
                temp_c: Some(50),
                power_mw: Some(power),
                ..SampleRow::default()
            };
            metrics::insert_samples(
                tx,
                &[
                    s(1, NOW - 120, 10, 1_000, 100_000),
                    s(1, NOW - 60, 90, 60_000, 600_000),
                    s(2, NOW - 60, 0, 0, 50_000),
                    s(3, NOW - 30, 30, 20_000, 200_000),
                    s(4, NOW - 600, 100, 40_000, 400_000),
                ],
            )
        })
        .unwrap();
    store
}

#[test]
fn stats_count_nodes_gpus_mig_usage_and_alerts_exactly() {
    let env = Env::new();
    drop(fleet(&env));
    let s = env.json(&["dashboard", "stats"]);
    assert_eq!(s["nodes_total"], 3);
    assert_eq!(s["nodes_by_status"]["ready"], 2);
    assert_eq!(s["nodes_by_status"]["cordoned"], 1);
    assert_eq!(s["gpus_total"], 4);
    assert_eq!(
        s["gpus_allocated"], 2,
        "a0 whole, a2 through one MIG instance"
    );
    // Free means active, on a ready node, and not leased at all: a0 and a2 hold leases, a1 is
    // faulty and b0's node is cordoned.
    assert_eq!(s["gpus_free"], 0);
    assert_eq!(s["gpus_faulty"], 1);
    assert_eq!(s["mig_instances"], 2);
    assert_eq!(s["mig_allocated"], 1);
    // Fresh samples (within 3 minutes): a0 at -60 s (90 %), a1 (0 %), a2 (30 %); b0's is 10 min old.
    assert_eq!(s["gpus_reporting"], 3);
    assert_eq!(s["gpu_util_avg"], 40.0);
    assert_eq!(s["gpu_util_peak"], 90);
    assert_eq!(s["memory_used_mib"], 80_000);
    assert_eq!(s["memory_total_mib"], 200_000);
    assert_eq!(s["memory_used_pct"], 40.0);
    assert_eq!(s["power_draw_w"], 850.0);
    assert_eq!(s["power_limit_w"], 1_800.0);
    assert_eq!(s["alerts_active"], 2);
    assert_eq!(s["alerts_by_severity"]["critical"], 1);
    assert_eq!(s["alerts_by_severity"]["warning"], 1);
}

#[test]
fn clusters_and_models_split_the_same_figures() {
    let env = Env::new();
    drop(fleet(&env));
    let clusters = env.json(&["dashboard", "clusters"]);
    let by = |list: &serde_json::Value, key: &str, name: &str| -> serde_json::Value {
        list.as_array()
            .unwrap()
            .iter()
            .find(|g| g[key] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name}: {list}"))
    };
    let prod = by(&clusters, "cluster", "prod");
    assert_eq!(prod["nodes_total"], 2);
    assert_eq!(prod["gpus_total"], 4);
    assert_eq!(prod["alerts_active"], 2);
    let lab = by(&clusters, "cluster", "lab");
    assert_eq!(lab["nodes_total"], 1);
    assert_eq!(lab["gpus_total"], 0);
    let models = env.json(&["dashboard", "models"]);
    let big = by(&models, "model", "Test GPU 80GB");
    assert_eq!(big["gpus_total"], 2);
    assert_eq!(big["nodes_total"], 1);
    assert_eq!(big["gpu_util_avg"], 45.0);
    assert_eq!(big["alerts_active"], 1);
    let small = by(&models, "model", "Test GPU 40GB");
    assert_eq!(small["gpus_total"], 2);
    assert_eq!(small["nodes_total"], 2);
    assert_eq!(small["mig_instances"], 2);
    let csv = env.ok(&["dashboard", "clusters", "-o", "csv"]);
    assert!(csv.starts_with("cluster,nodes_total,"), "{csv}");
}

#[test]
fn realtime_marks_samples_older_than_three_intervals_stale() {
    let env = Env::new();
    drop(fleet(&env));
    let rows = env.json(&["dashboard", "realtime"]);
    let stale: Vec<(&str, bool)> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["uuid"].as_str().unwrap(), r["stale"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        stale,
        [
            ("GPU-a0", false),
            ("GPU-a1", false),
            ("GPU-a2", false),
            ("GPU-b0", true)
        ]
    );
    let a0 = &rows[0];
    assert_eq!(a0["gpu_util"], 90);
    assert_eq!(a0["age_secs"], 60);
    assert_eq!(a0["power_w"], 600.0);
    assert_eq!(a0["sample_at"], "2026-11-29T09:59:00Z");
    // With a 5-minute collect interval, a 10-minute-old sample is not stale.
    let relaxed = env.json(&["dashboard", "realtime", "--interval", "5m"]);
    assert!(relaxed
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["stale"] == false));
    let table = env.ok(&["dashboard", "realtime"]);
    assert!(table.contains("stale"), "{table}");
    let stderr = env.fails(&["dashboard", "realtime", "--watch"], 2);
    assert!(stderr.contains("needs a terminal"), "{stderr}");
}

#[test]
fn alerts_and_activity_views() {
    let env = Env::new();
    drop(fleet(&env));
    let alerts = env.json(&["dashboard", "alerts"]);
    let rules: Vec<&str> = alerts
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        ["gpu-temperature-critical", "memory-nearly-full"],
        "most severe first, resolved left out"
    );
    let activity = env.json(&["dashboard", "activity", "--limit", "2"]);
    assert_eq!(activity.as_array().unwrap().len(), 2);
    assert_eq!(activity[0]["kind"], "node.created");
    assert_eq!(activity[0]["subject"], "c", "newest first");
}

#[test]
fn overview_fits_80_columns_and_has_every_part() {
    let env = Env::new();
    drop(fleet(&env));
    let mut cmd = env.cmd(&["dashboard"]);
    cmd.env("COLUMNS", "80");
    let output = cmd.output().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
    for part in [
        "GPU fleet",
        "nodes:",
        "gpus:",
        "usage:",
        "alerts:",
        "CLUSTER",
        "Active alerts",
        "Recent activity",
    ] {
        assert!(text.contains(part), "{part}: {text}");
    }
    let json = env.json(&["dashboard"]);
    assert_eq!(json["stats"]["gpus_total"], 4);
    assert_eq!(json["clusters"].as_array().unwrap().len(), 2);
    assert_eq!(json["alerts"].as_array().unwrap().len(), 2);
    assert_eq!(json["generated_at"], "2026-11-29T10:00:00Z");
}

#[test]
fn trends_over_raw_samples_and_over_rollups_agree() {
    let env = Env::new();
    let store = fleet(&env);
    // Three hours of minute samples for a0 before the fleet's own: known averages per hour.
    store
        .write(|tx| {
            let rows: Vec<SampleRow> = (0..180)
                .map(|m| SampleRow {
                    device_id: 1,
                    ts: NOW - 4 * 3_600 + m * 60,
                    gpu_util: Some(m % 60),
                    mem_used_mib: Some(40_000),
                    temp_c: Some(40 + m / 60),
                    power_mw: Some(100_000 * (1 + m / 60)),
                    ..SampleRow::default()
                })
                .collect();
            metrics::insert_samples(tx, &rows)
        })
        .unwrap();
    let raw = env.json(&[
        "dashboard",
        "trends",
        "--since",
        "5h",
        "--bucket",
        "1h",
        "--device",
        "GPU-a0",
    ]);
    store.write(|tx| gpuctl::retention::apply(tx, NOW)).unwrap();
    drop(store);
    let rolled = env.json(&[
        "dashboard",
        "trends",
        "--since",
        "5h",
        "--bucket",
        "1h",
        "--device",
        "GPU-a0",
    ]);
    assert_eq!(raw.as_array().unwrap().len(), 5);
    for (r, h) in raw
        .as_array()
        .unwrap()
        .iter()
        .zip(rolled.as_array().unwrap())
    {
        assert_eq!(r["bucket_at"], h["bucket_at"]);
        assert_eq!(r["samples"], h["samples"]);
        for key in [
            "gpu_util_avg",
            "gpu_util_max",
            "memory_used_pct_avg",
            "temp_c_avg",
            "temp_c_max",
            "power_w_avg",
            "power_w_max",
        ] {
            let (a, b) = (r[key].as_f64(), h[key].as_f64());
            match (a, b) {
                (Some(a), Some(b)) => assert!((a - b).abs() < 1e-9, "{key}: {a} vs {b}"),
                (a, b) => assert_eq!(a, b, "{key}"),
            }
        }
    }
    // The cluster reads the hourly fleet aggregates; where a0 is its only GPU with samples, the
    // figures are a0's.
    let cluster = env.json(&[
        "dashboard",
        "trends",
        "--since",
        "5h",
        "--bucket",
        "1h",
        "--cluster",
        "prod",
    ]);
    for (c, d) in cluster
        .as_array()
        .unwrap()
        .iter()
        .zip(raw.as_array().unwrap())
        .take(4)
    {
        for key in [
            "bucket_at",
            "samples",
            "gpu_util_avg",
            "gpu_util_max",
            "memory_used_pct_avg",
            "temp_c_max",
            "power_w_avg",
        ] {
            assert_eq!(c[key], d[key], "{key}");
        }
    }
    let whole_fleet = env.json(&["dashboard", "trends", "--since", "5h", "--bucket", "1h"]);
    let total: i64 = whole_fleet
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["samples"].as_i64().unwrap())
        .sum();
    assert_eq!(total, 180 + 5, "every sample counted once");
    let first = &raw[0];
    assert_eq!(first["bucket_at"], "2026-11-29T05:00:00Z");
    assert_eq!(first["samples"], 0);
    let hour = &raw[1];
    assert_eq!(hour["bucket_at"], "2026-11-29T06:00:00Z");
    assert_eq!(hour["samples"], 60);
    assert_eq!(hour["gpu_util_avg"], 29.5);
    assert_eq!(hour["gpu_util_max"], 59.0);
    assert_eq!(hour["memory_used_pct_avg"], 50.0);
    assert_eq!(hour["power_w_avg"], 100.0);
    assert_eq!(raw[3]["power_w_max"], 300.0);
    // The last hour holds the fleet's own two a0 samples (10 % and 90 %).
    assert_eq!(raw[4]["gpu_util_avg"], 50.0);
    let table = env.ok(&["dashboard", "trends", "--since", "5h", "--device", "GPU-a0"]);
    assert!(table.starts_with("utilisation"), "{table}");
    assert!(table.contains('█') || table.contains('▇'), "{table}");
}

#[test]
fn trends_filters_and_bad_input() {
    let env = Env::new();
    drop(fleet(&env));
    let prod = env.json(&[
        "dashboard",
        "trends",
        "--since",
        "1h",
        "--bucket",
        "30m",
        "--cluster",
        "prod",
    ]);
    let samples: i64 = prod
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["samples"].as_i64().unwrap())
        .sum();
    assert_eq!(samples, 5);
    let lab = env.json(&[
        "dashboard",
        "trends",
        "--since",
        "1h",
        "--bucket",
        "30m",
        "--cluster",
        "lab",
    ]);
    assert!(lab.as_array().unwrap().iter().all(|p| p["samples"] == 0));
    let model = env.json(&[
        "dashboard",
        "trends",
        "--since",
        "1h",
        "--bucket",
        "30m",
        "--model",
        "test gpu 40gb",
    ]);
    assert_eq!(
        model
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["samples"].as_i64().unwrap())
            .sum::<i64>(),
        2
    );
    let node = env.json(&[
        "dashboard",
        "trends",
        "--since",
        "1h",
        "--bucket",
        "30m",
        "--node",
        "b",
    ]);
    assert_eq!(
        node.as_array()
            .unwrap()
            .iter()
            .map(|p| p["samples"].as_i64().unwrap())
            .sum::<i64>(),
        1
    );
    env.fails(
        &["dashboard", "trends", "--since", "1h", "--bucket", "2h"],
        2,
    );
    env.fails(&["dashboard", "trends", "--since", "soon"], 2);
}

/// Without `--bucket`, a trend picks the round bucket that covers its window in at most 60,
/// says which in its JSON, reads the hourly rollups where raw samples are gone, and draws its
/// charts within the terminal's width whatever the number of buckets.
#[test]
fn trends_pick_a_bucket_for_the_window_and_fit_their_charts_to_the_width() {
    const DAY: i64 = 86_400;
    let env = Env::new();
    let store = fleet(&env);
    // An hour of a0 at 70 % 300 days ago, rolled up; its raw samples pruned as retention does.
    let old = NOW - 300 * DAY;
    store
        .write(|tx| {
            let rows: Vec<SampleRow> = (0..60)
                .map(|m| SampleRow {
                    device_id: 1,
                    ts: old + m * 60,
                    gpu_util: Some(70),
                    ..SampleRow::default()
                })
                .collect();
            metrics::insert_samples(tx, &rows)?;
            gpuctl::retention::apply(tx, NOW)?;
            Ok(())
        })
        .unwrap();
    let old_raw: i64 = store
        .conn()
        .query_row(
            "SELECT count(*) FROM samples WHERE ts < ?1",
            [NOW - DAY],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(old_raw, 0, "the old samples live in the rollups only");
    drop(store);

    for (since, bucket, seconds) in [
        ("400d", "7d", 7 * DAY),
        ("7d", "6h", 6 * 3_600),
        ("24h", "1h", 3_600),
        ("5h", "5m", 300),
        ("1h", "1m", 60),
    ] {
        for scope in [&[][..], &["--node", "a"][..]] {
            let mut args = vec!["dashboard", "trends", "--since", since];
            args.extend(scope);
            let points = env.json(&args);
            let points = points.as_array().unwrap();
            assert!(
                (10..=60).contains(&points.len()),
                "--since {since} {scope:?}: {} buckets",
                points.len()
            );
            for point in points {
                assert_eq!(point["bucket"], bucket, "--since {since}: {point}");
                assert_eq!(point["bucket_seconds"], seconds, "--since {since}");
            }
            if since == "400d" {
                let with_samples: Vec<&serde_json::Value> = points
                    .iter()
                    .filter(|p| p["samples"].as_i64().unwrap() > 0)
                    .collect();
                assert_eq!(with_samples.len(), 2, "{scope:?}: the old hour and today");
                assert_eq!(with_samples[0]["samples"], 60, "{scope:?}");
                assert_eq!(with_samples[0]["gpu_util_avg"], 70.0, "{scope:?}");
            }
        }
    }
    // A given bucket is kept, and named as given.
    let hourly = env.json(&["dashboard", "trends", "--since", "7d", "--bucket", "60m"]);
    assert_eq!(hourly.as_array().unwrap().len(), 168);
    assert_eq!(hourly[0]["bucket"], "1h");
    assert_eq!(hourly[0]["bucket_seconds"], 3_600);

    for columns in [60, 80, 200] {
        for args in [
            &["dashboard", "trends", "--since", "400d"][..],
            &["dashboard", "trends", "--since", "7d", "--bucket", "1h"][..],
            &["dashboard", "trends", "--since", "2h", "--bucket", "1m"][..],
        ] {
            let output = env
                .cmd(args)
                .env("COLUMNS", columns.to_string())
                .output()
                .unwrap();
            assert!(output.status.success(), "{args:?}");
            let stdout = String::from_utf8(output.stdout).unwrap();
            let charts: Vec<&str> = stdout.lines().take_while(|l| !l.is_empty()).collect();
            assert_eq!(charts.len(), 4, "{args:?}:\n{stdout}");
            for line in charts {
                assert!(
                    line.chars().count() <= columns,
                    "{args:?} at {columns} columns: {} characters: {line}",
                    line.chars().count()
                );
            }
        }
    }
}

#[test]
fn the_overview_fleet_figures_equal_dashboard_stats() {
    let env = Env::new();
    drop(fleet(&env));
    let overview = env.json(&["dashboard"]);
    let stats = env.json(&["dashboard", "stats"]);
    assert_eq!(
        overview["stats"], stats,
        "combined from clusters, the same as one pass over the fleet"
    );
}

#[test]
fn realtime_watch_redraws_on_a_terminal_until_interrupted() {
    let env = Env::new();
    drop(fleet(&env));
    // `script` gives gpuctl a terminal; `timeout` sends the Ctrl-C after two seconds.
    let output = env
        .shell(
            "script -qec \"timeout --preserve-status -s INT 2.5 '$GPUCTL' dashboard realtime --watch 1s; echo exit=\\$?\" /dev/null",
        )
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("exit=0"),
        "Ctrl-C ends --watch with exit 0: {text}"
    );
    assert!(text.matches("\u{1b}[2J").count() >= 2, "it redraws: {text}");
    assert!(
        text.contains("Ctrl-C to stop") && text.contains("Test GPU 80GB"),
        "{text}"
    );
}

#[test]
fn a_backfilled_older_sample_does_not_replace_the_newest() {
    let env = Env::new();
    let store = fleet(&env);
    store
        .write(|tx| {
            metrics::insert_samples(
                tx,
                &[SampleRow {
                    device_id: 1,
                    ts: NOW - 3_600,
                    gpu_util: Some(5),
                    ..SampleRow::default()
                }],
            )
        })
        .unwrap();
    drop(store);
    let rows = env.json(&["dashboard", "realtime"]);
    assert_eq!(rows[0]["uuid"], "GPU-a0");
    assert_eq!(
        rows[0]["gpu_util"], 90,
        "still the sample from a minute ago"
    );
    assert_eq!(rows[0]["sample_at"], "2026-11-29T09:59:00Z");
}

/// `dashboard realtime` byte for byte in each format, over stored text a terminal must not obey
/// (escape, newline, tab, a C1 control), CSV's quote and comma, wide characters, and missing
/// values; the same bytes before and after the rows were streamed from the statement.
#[test]
fn realtime_prints_every_format_byte_for_byte() {
    let env = Env::new();
    let store = fleet(&env);
    store
        .conn()
        .execute_batch(
            "UPDATE devices SET workload = 'ml/train' || char(27) || '[2J, \"x\"' || char(10) || 'y' WHERE id = 1;
             UPDATE devices SET workload = 'ノード' || char(9) || char(133) WHERE id = 2;
             UPDATE devices SET model_id = NULL, memory_total_mib = NULL WHERE id = 3;
             UPDATE devices SET power_limit_mw = NULL, latest_power_mw = 123456 WHERE id = 4;",
        )
        .unwrap();
    drop(store);
    let run = |args: &[&str], columns: &str| {
        let output = env.process(args).env("COLUMNS", columns).output().unwrap();
        assert!(output.status.success(), "{args:?}");
        String::from_utf8(output.stdout).unwrap()
    };
    let realtime = ["dashboard", "realtime"];
    let with = |extra: &[&'static str]| [&realtime[..], extra].concat();
    assert_eq!(run(&realtime, "200"), REALTIME_TABLE);
    assert_eq!(
        run(&with(&["--color", "always"]), "200"),
        REALTIME_TABLE_COLOR
    );
    assert_eq!(run(&realtime, "60"), REALTIME_TABLE_NARROW);
    assert_eq!(
        run(&with(&["--no-headers"]), "200"),
        REALTIME_TABLE_NO_HEADERS
    );
    assert_eq!(run(&with(&["-o", "csv"]), "200"), REALTIME_CSV);
    assert_eq!(run(&with(&["-o", "json"]), "200"), REALTIME_JSON);
}

const REALTIME_TABLE: &str = "\
NODE  GPU  MODEL          UTIL              MEMORY           TEMP  POWER        AGE            WORKLOAD
a       0  Test GPU 80GB   90%  █████████   59 GiB / 78 GiB  50°C  600 / 700 W  1m ago         ml/train\\e[2J, \"x\"\\ny
a       1  Test GPU 80GB    0%              0 GiB / 78 GiB   50°C  50 / 700 W   1m ago         ノード\\t\\u{85}
a       2  -               30%  ███         20 GiB           50°C  200 / 400 W  30s ago        -
b       0  Test GPU 40GB  100%  ██████████  39 GiB / 39 GiB  50°C  123 W        stale 10m ago  -
4 GPU(s), 1 stale (no sample for more than 3 × 60s)
";
const REALTIME_TABLE_COLOR: &str = "\
\x1b[1mNODE\x1b[0m  \x1b[1mGPU\x1b[0m  \x1b[1mMODEL\x1b[0m          \x1b[1mUTIL\x1b[0m              \x1b[1mMEMORY\x1b[0m           \x1b[1mTEMP\x1b[0m  \x1b[1mPOWER\x1b[0m        \x1b[1mAGE\x1b[0m            \x1b[1mWORKLOAD\x1b[0m
a       0  Test GPU 80GB   90%  █████████   59 GiB / 78 GiB  50°C  600 / 700 W  1m ago         ml/train\\e[2J, \"x\"\\ny
a       1  Test GPU 80GB    0%              0 GiB / 78 GiB   50°C  50 / 700 W   1m ago         ノード\\t\\u{85}
a       2  -               30%  ███         20 GiB           50°C  200 / 400 W  30s ago        -
b       0  Test GPU 40GB  100%  ██████████  39 GiB / 39 GiB  50°C  123 W        \x1b[38;5;9mstale 10m ago\x1b[39m  -
4 GPU(s), 1 stale (no sample for more than 3 × 60s)
";
const REALTIME_TABLE_NARROW: &str = "\
NODE  GPU  MODEL     UTIL  MEMORY    TEMP  POWER     AGE
a       0  Test GP…   90%  59 GiB …  50°C  600 / 7…  1m ago
a       1  Test GP…    0%  0 GiB /…  50°C  50 / 70…  1m ago
a       2  -          30%  20 GiB    50°C  200 / 4…  30s ago
b       0  Test GP…  100%  39 GiB …  50°C  123 W     stale …
(chart), WORKLOAD are left out to fit 60 columns (-o json
shows every field)
4 GPU(s), 1 stale (no sample for more than 3 × 60s)
";
const REALTIME_TABLE_NO_HEADERS: &str = "\
a  0  Test GPU 80GB   90%  █████████   59 GiB / 78 GiB  50°C  600 / 700 W  1m ago         ml/train\\e[2J, \"x\"\\ny
a  1  Test GPU 80GB    0%              0 GiB / 78 GiB   50°C  50 / 700 W   1m ago         ノード\\t\\u{85}
a  2  -               30%  ███         20 GiB           50°C  200 / 400 W  30s ago        -
b  0  Test GPU 40GB  100%  ██████████  39 GiB / 39 GiB  50°C  123 W        stale 10m ago  -
";
const REALTIME_CSV: &str = "\
node,index,uuid,model,gpu_util,mem_used_mib,mem_total_mib,temp_c,power_w,power_limit_w,sample_at,age_secs,stale,workload
a,0,GPU-a0,Test GPU 80GB,90,60000,80000,50,600.0,700.0,2026-11-29T09:59:00Z,60,false,\"ml/train\x1b[2J, \"\"x\"\"
y\"
a,1,GPU-a1,Test GPU 80GB,0,0,80000,50,50.0,700.0,2026-11-29T09:59:00Z,60,false,ノード\t\u{85}
a,2,GPU-a2,,30,20000,,50,200.0,400.0,2026-11-29T09:59:30Z,30,false,
b,0,GPU-b0,Test GPU 40GB,100,40000,40000,50,123.456,,2026-11-29T09:50:00Z,600,true,
";
const REALTIME_JSON: &str = "\
[
  {
    \"node\": \"a\",
    \"index\": 0,
    \"uuid\": \"GPU-a0\",
    \"model\": \"Test GPU 80GB\",
    \"gpu_util\": 90,
    \"mem_used_mib\": 60000,
    \"mem_total_mib\": 80000,
    \"temp_c\": 50,
    \"power_w\": 600.0,
    \"power_limit_w\": 700.0,
    \"sample_at\": \"2026-11-29T09:59:00Z\",
    \"age_secs\": 60,
    \"stale\": false,
    \"workload\": \"ml/train\\u001b[2J, \\\"x\\\"\\ny\"
  },
  {
    \"node\": \"a\",
    \"index\": 1,
    \"uuid\": \"GPU-a1\",
    \"model\": \"Test GPU 80GB\",
    \"gpu_util\": 0,
    \"mem_used_mib\": 0,
    \"mem_total_mib\": 80000,
    \"temp_c\": 50,
    \"power_w\": 50.0,
    \"power_limit_w\": 700.0,
    \"sample_at\": \"2026-11-29T09:59:00Z\",
    \"age_secs\": 60,
    \"stale\": false,
    \"workload\": \"ノード\\t\u{85}\"
  },
  {
    \"node\": \"a\",
    \"index\": 2,
    \"uuid\": \"GPU-a2\",
    \"model\": null,
    \"gpu_util\": 30,
    \"mem_used_mib\": 20000,
    \"mem_total_mib\": null,
    \"temp_c\": 50,
    \"power_w\": 200.0,
    \"power_limit_w\": 400.0,
    \"sample_at\": \"2026-11-29T09:59:30Z\",
    \"age_secs\": 30,
    \"stale\": false,
    \"workload\": null
  },
  {
    \"node\": \"b\",
    \"index\": 0,
    \"uuid\": \"GPU-b0\",
    \"model\": \"Test GPU 40GB\",
    \"gpu_util\": 100,
    \"mem_used_mib\": 40000,
    \"mem_total_mib\": 40000,
    \"temp_c\": 50,
    \"power_w\": 123.456,
    \"power_limit_w\": null,
    \"sample_at\": \"2026-11-29T09:50:00Z\",
    \"age_secs\": 600,
    \"stale\": true,
    \"workload\": null
  }
]
";
