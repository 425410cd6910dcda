//! `gpuctl alloc …`: leases, placement, and the race for the last GPU.

use std::process::Stdio;

use crate::harness::{error_line, Env};

#[test]
fn alloc_create_on_a_device_fills_every_field_and_writes_an_event() {
    let env = Env::new();
    env.add_gpu("n1", "GPU-0001", 0, "H100");
    let leases = env.json(&[
        "alloc",
        "create",
        "--device",
        "GPU-0001",
        "--owner",
        "alice",
        "--namespace",
        "ml",
        "--workload",
        "train-1",
        "--for",
        "4h",
    ]);
    let lease = &leases[0];
    assert_eq!(lease["id"], 1);
    assert_eq!(lease["owner"], "alice");
    assert_eq!(lease["namespace"], "ml");
    assert_eq!(lease["workload"], "train-1");
    assert_eq!(lease["state"], "active");
    assert_eq!(lease["device_uuid"], "GPU-0001");
    assert_eq!(lease["node"], "n1");
    assert_eq!(lease["cluster"], "c");
    assert_eq!(lease["model"], "NVIDIA H100 80GB HBM3");
    assert_eq!(lease["gpu_fraction"], 1.0);
    assert_eq!(lease["started_at"], "2026-11-29T10:00:00Z");
    assert_eq!(lease["expires_at"], "2026-11-29T14:00:00Z");
    assert_eq!(env.json(&["alloc", "show", "1"])["owner"], "alice");
    let history = env.json(&["node", "history", "n1"]);
    assert_eq!(history[0]["kind"], "alloc.created");
    assert_eq!(history[0]["subject"], "1");
}

#[test]
fn placement_prefers_the_fullest_node_that_fits() {
    let env = Env::new();
    for i in 0..4 {
        env.add_gpu("big", &format!("GPU-b00{i}"), i, "A100-80GB");
    }
    env.add_gpu("small", "GPU-5000", 0, "A100-80GB");
    env.add_gpu("small", "GPU-5001", 1, "A100-80GB");
    let one = env.json(&[
        "alloc",
        "create",
        "--cluster",
        "c",
        "--model",
        "A100-80GB",
        "--owner",
        "a",
        "--for",
        "1h",
    ]);
    assert_eq!(one[0]["node"], "small");
    let three = env.json(&[
        "alloc",
        "create",
        "--cluster",
        "c",
        "--count",
        "3",
        "--owner",
        "a",
        "--for",
        "1h",
    ]);
    let nodes: Vec<&str> = three
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["node"].as_str().unwrap())
        .collect();
    assert_eq!(nodes, ["big", "big", "big"]);
    let before = env.store_snapshot();
    let stderr = env.fails(
        &[
            "alloc", "create", "--node", "small", "--count", "2", "--owner", "a", "--for", "1h",
        ],
        4,
    );
    assert!(
        error_line(&stderr).contains("no free GPU matches"),
        "{stderr}"
    );
    assert_eq!(env.store_snapshot(), before);
}

#[test]
fn only_active_gpus_of_ready_nodes_are_leased() {
    let env = Env::new();
    env.add_gpu("n1", "GPU-0001", 0, "L4");
    env.add_gpu("n2", "GPU-0002", 0, "L4");
    env.ok(&["device", "set-status", "GPU-0001", "maintenance"]);
    env.ok(&["node", "set-status", "n2", "cordoned"]);
    let stderr = env.fails(
        &[
            "alloc", "create", "--model", "L4", "--owner", "a", "--for", "1h",
        ],
        4,
    );
    assert!(
        error_line(&stderr).contains("no free GPU matches"),
        "{stderr}"
    );
    let stderr = env.fails(
        &[
            "alloc", "create", "--device", "GPU-0002", "--owner", "a", "--for", "1h",
        ],
        4,
    );
    assert!(error_line(&stderr).contains("is cordoned"), "{stderr}");
}

#[test]
fn a_gpu_with_mig_is_not_leased_whole_but_its_instances_are() {
    let env = Env::new();
    env.add_gpu("n1", "GPU-0001", 0, "A100-40GB");
    env.ok(&["mig", "enable", "GPU-0001"]);
    env.ok(&["mig", "create", "GPU-0001", "3g.20gb", "--count", "2"]);
    let stderr = env.fails(
        &[
            "alloc", "create", "--device", "GPU-0001", "--owner", "a", "--for", "1h",
        ],
        4,
    );
    assert!(error_line(&stderr).contains("MIG enabled"), "{stderr}");
    env.fails(
        &[
            "alloc", "create", "--node", "n1", "--owner", "a", "--for", "1h",
        ],
        4,
    );
    let leases = env.json(&[
        "alloc",
        "create",
        "--mig-profile",
        "3g.20gb",
        "--count",
        "2",
        "--owner",
        "a",
        "--for",
        "1h",
    ]);
    assert_eq!(leases[0]["mig_profile"], "3g.20gb");
    let fraction = leases[0]["gpu_fraction"].as_f64().unwrap();
    assert!((fraction - 3.0 / 7.0).abs() < 1e-9, "{fraction}");
    assert_ne!(leases[0]["mig_instance_id"], leases[1]["mig_instance_id"]);
    let stderr = env.fails(
        &[
            "alloc",
            "create",
            "--mig-profile",
            "3g.20gb",
            "--owner",
            "a",
            "--for",
            "1h",
        ],
        4,
    );
    assert!(
        error_line(&stderr).contains("no free MIG instance matches"),
        "{stderr}"
    );
}

#[test]
fn release_extend_and_list() {
    let env = Env::new();
    env.add_gpu("n1", "GPU-0001", 0, "L4");
    env.add_gpu("n1", "GPU-0002", 1, "L4");
    env.ok(&[
        "alloc",
        "create",
        "--device",
        "GPU-0001",
        "--owner",
        "alice",
        "--namespace",
        "a",
        "--for",
        "1h",
    ]);
    env.ok(&[
        "alloc",
        "create",
        "--device",
        "GPU-0002",
        "--owner",
        "bob",
        "--until",
        "2026-11-30 10:00",
    ]);
    let extended = env.json(&["alloc", "extend", "1", "--for", "2h"]);
    assert_eq!(extended["expires_at"], "2026-11-29T13:00:00Z");
    let released = env.json(&["alloc", "release", "1", "--reason", "done"]);
    assert_eq!(released["state"], "released");
    assert_eq!(released["ended_at"], "2026-11-29T10:00:00Z");
    assert_eq!(released["end_reason"], "done");
    let stderr = env.fails(&["alloc", "release", "1"], 4);
    assert!(
        error_line(&stderr).contains("lease 1 is already released"),
        "{stderr}"
    );
    env.fails(&["alloc", "extend", "1", "--for", "1h"], 4);
    let stderr = env.fails(&["alloc", "extend", "2", "--until", "2026-11-29 09:00"], 2);
    assert!(
        error_line(&stderr).contains("cannot end at 2026-11-29T09:00:00Z"),
        "{stderr}"
    );
    let stderr = env.fails(&["alloc", "extend", "2", "--for", "106751991167300d"], 2);
    assert!(
        error_line(&stderr).contains("'106751991167300d'"),
        "{stderr}"
    );
    env.fails(&["alloc", "release", "99"], 3);
    env.fails(&["alloc", "show", "99"], 3);
    let ids = |args: &[&str]| -> Vec<i64> {
        let mut all = vec!["alloc", "list"];
        all.extend(args);
        env.json(&all)
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(ids(&[]), [2]);
    assert_eq!(ids(&["--all"]), [1, 2]);
    assert_eq!(ids(&["--all", "--owner", "alice"]), [1]);
    assert_eq!(ids(&["--all", "--namespace", "a"]), [1]);
    assert_eq!(ids(&["--node", "n1"]), [2]);
    assert_eq!(ids(&["--expired"]), Vec::<i64>::new());
    // The released GPU is free again.
    env.ok(&[
        "alloc", "create", "--device", "GPU-0001", "--owner", "carol", "--for", "1h",
    ]);
}

/// The `alloc.extended` events of lease 1 as (old, new) expires_at, oldest first.
fn extensions(env: &Env) -> Vec<(String, String)> {
    let history = env.json(&["node", "history", "n1"]);
    let mut moves: Vec<(String, String)> = history
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "alloc.extended" && e["subject"] == "1")
        .map(|e| {
            assert_eq!(e["field"], "expires_at");
            (
                e["old_value"].as_str().unwrap().to_string(),
                e["new_value"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    moves.reverse();
    moves
}

fn expires_at(lease: &serde_json::Value) -> &str {
    lease["expires_at"].as_str().unwrap()
}

#[test]
fn extend_by_adds_to_the_current_end_and_for_is_the_same() {
    let env = Env::new();
    env.add_gpu("n1", "GPU-0001", 0, "L4");
    env.ok(&[
        "alloc", "create", "--device", "GPU-0001", "--owner", "a", "--for", "4h",
    ]);
    let lease = env.json(&["alloc", "extend", "1", "--by", "2h"]);
    assert_eq!(expires_at(&lease), "2026-11-29T16:00:00Z");
    let lease = env.json(&["alloc", "extend", "1", "--for", "30m"]);
    assert_eq!(expires_at(&lease), "2026-11-29T16:30:00Z");
    assert_eq!(
        extensions(&env),
        [
            (
                "2026-11-29T14:00:00Z".to_string(),
                "2026-11-29T16:00:00Z".to_string()
            ),
            (
                "2026-11-29T16:00:00Z".to_string(),
                "2026-11-29T16:30:00Z".to_string()
            ),
        ]
    );
    // The table view says where the end was.
    let said = env.ok(&["alloc", "extend", "1", "--by", "1h"]);
    assert_eq!(
        said.trim(),
        "lease 1 now ends 2026-11-29T17:30:00Z (was 2026-11-29T16:30:00Z)"
    );
    env.fails(
        &[
            "alloc",
            "extend",
            "1",
            "--by",
            "1h",
            "--until",
            "2026-12-01",
        ],
        2,
    );
}

#[test]
fn extend_until_sets_the_end_and_shortening_needs_allow_shorten() {
    let env = Env::new();
    env.add_gpu("n1", "GPU-0001", 0, "L4");
    env.ok(&[
        "alloc", "create", "--device", "GPU-0001", "--owner", "a", "--for", "4h",
    ]);
    let lease = env.json(&["alloc", "extend", "1", "--until", "2026-11-30 10:00"]);
    assert_eq!(expires_at(&lease), "2026-11-30T10:00:00Z");

    // Earlier than the current end: refused without --allow-shorten, naming both ends.
    let before = env.store_snapshot();
    let stderr = env.fails(&["alloc", "extend", "1", "--until", "2026-11-29 12:00"], 2);
    assert_eq!(
        error_line(&stderr),
        "lease 1 ends 2026-11-30T10:00:00Z; 2026-11-29T12:00:00Z would shorten it"
    );
    assert!(stderr.contains("hint: pass --allow-shorten"), "{stderr}");
    assert_eq!(env.store_snapshot(), before);

    let lease = env.json(&[
        "alloc",
        "extend",
        "1",
        "--until",
        "2026-11-29 12:00",
        "--allow-shorten",
    ]);
    assert_eq!(expires_at(&lease), "2026-11-29T12:00:00Z");
    assert_eq!(
        extensions(&env),
        [
            (
                "2026-11-29T14:00:00Z".to_string(),
                "2026-11-30T10:00:00Z".to_string()
            ),
            (
                "2026-11-30T10:00:00Z".to_string(),
                "2026-11-29T12:00:00Z".to_string()
            ),
        ]
    );

    // The same end is no change: no event.
    let before = env.store_snapshot();
    let said = env.ok(&["alloc", "extend", "1", "--until", "2026-11-29T12:00:00Z"]);
    assert_eq!(said.trim(), "lease 1 already ends 2026-11-29T12:00:00Z");
    assert_eq!(env.store_snapshot(), before);
}

#[test]
fn extend_refuses_an_end_in_the_past_even_with_allow_shorten() {
    let env = Env::new();
    env.add_gpu("n1", "GPU-0001", 0, "L4");
    env.ok(&[
        "alloc", "create", "--device", "GPU-0001", "--owner", "a", "--for", "4h",
    ]);
    let before = env.store_snapshot();
    for until in ["2026-11-29 09:00", "2026-11-29T10:00:00Z"] {
        for extra in [&[][..], &["--allow-shorten"][..]] {
            let mut args = vec!["alloc", "extend", "1", "--until", until];
            args.extend(extra);
            let stderr = env.fails(&args, 2);
            assert!(
                error_line(&stderr)
                    .ends_with("that is not in the future (now is 2026-11-29T10:00:00Z)"),
                "{stderr}"
            );
        }
    }
    assert_eq!(env.store_snapshot(), before);
}

#[test]
fn a_lease_past_its_end_cannot_be_extended() {
    let mut env = Env::new();
    env.add_gpu("n1", "GPU-0001", 0, "L4");
    env.ok(&[
        "alloc", "create", "--device", "GPU-0001", "--owner", "a", "--for", "1h",
    ]);
    env.set_now("2026-11-29T12:00:00Z");
    let before = env.store_snapshot();
    let stderr = env.fails(&["alloc", "extend", "1", "--by", "1h"], 4);
    assert_eq!(error_line(&stderr), "lease 1 is already expired");
    assert_eq!(env.store_snapshot(), before);
}

#[test]
fn bad_lease_input_exits_2_and_writes_nothing() {
    let env = Env::new();
    env.add_gpu("n1", "GPU-0001", 0, "L4");
    let before = env.store_snapshot();
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "alloc", "create", "--node", "n1", "--owner", "a", "--for", "soon",
            ],
            "'soon'",
        ),
        (
            &[
                "alloc",
                "create",
                "--node",
                "n1",
                "--owner",
                "a",
                "--until",
                "2020-01-01",
            ],
            "'2020-01-01'",
        ),
        (
            &[
                "alloc", "create", "--node", "n1", "--owner", "a", "--until", "tomorrow",
            ],
            "'tomorrow'",
        ),
        (
            &["alloc", "create", "--owner", "a", "--for", "1h"],
            "say what to lease",
        ),
        (
            &[
                "alloc",
                "create",
                "--node",
                "n1",
                "--owner",
                "a",
                "--for",
                "1h",
                "--mig-profile",
                "x",
            ],
            "'x'",
        ),
    ];
    for (args, words) in cases {
        let stderr = env.fails(args, 2);
        assert!(error_line(&stderr).contains(words), "{args:?}: {stderr}");
    }
    env.fails(&["alloc", "create", "--node", "n1", "--owner", "a"], 2);
    env.fails(
        &[
            "alloc", "create", "--node", "nope", "--owner", "a", "--for", "1h",
        ],
        3,
    );
    env.fails(
        &[
            "alloc", "create", "--model", "nope", "--owner", "a", "--for", "1h",
        ],
        3,
    );
    env.fails(
        &[
            "alloc",
            "create",
            "--cluster",
            "nope",
            "--owner",
            "a",
            "--for",
            "1h",
        ],
        3,
    );
    assert_eq!(env.store_snapshot(), before);
}

#[test]
fn eight_processes_racing_for_the_last_gpu_give_exactly_one_winner() {
    let env = Env::new();
    env.add_gpu("n1", "GPU-0001", 0, "H100");
    env.add_gpu("n1", "GPU-0002", 1, "H100");
    env.ok(&[
        "alloc", "create", "--device", "GPU-0001", "--owner", "first", "--for", "1h",
    ]);
    let children: Vec<_> = (0..8)
        .map(|i| {
            let owner = format!("racer-{i}");
            env.process(&[
                "alloc", "create", "--node", "n1", "--owner", &owner, "--for", "1h",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn gpuctl")
        })
        .collect();
    let mut winners = 0;
    let mut losers = 0;
    for child in children {
        let output = child.wait_with_output().expect("wait");
        let stderr = String::from_utf8_lossy(&output.stderr).to_string();
        match output.status.code() {
            Some(0) => winners += 1,
            Some(4) => {
                assert!(
                    stderr.starts_with("gpuctl: error: no free GPU matches"),
                    "{stderr}"
                );
                losers += 1;
            }
            other => panic!("unexpected exit {other:?}: {stderr}"),
        }
    }
    assert_eq!((winners, losers), (1, 7));
    let active = env.json(&["alloc", "list", "--node", "n1"]);
    assert_eq!(active.as_array().unwrap().len(), 2);
}

#[test]
fn the_store_itself_refuses_a_second_active_lease_on_a_gpu() {
    let env = Env::new();
    env.add_gpu("n1", "GPU-0001", 0, "H100");
    env.ok(&[
        "alloc", "create", "--device", "GPU-0001", "--owner", "a", "--for", "1h",
    ]);
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let second = conn.execute(
        "INSERT INTO allocations (device_id, device_uuid, node, cluster, owner, state, started_at, expires_at)
         SELECT device_id, device_uuid, node, cluster, 'b', 'active', started_at, expires_at
         FROM allocations WHERE id = 1",
        [],
    );
    assert!(second.is_err(), "a second active lease was stored");
}

#[test]
fn a_lease_past_its_expiry_stops_holding_its_gpu_before_optimize_runs() {
    let mut env = Env::new();
    env.set_now("2026-11-29T08:00:00Z");
    env.add_gpu("n1", "GPU-0001", 0, "H100");
    env.ok(&[
        "alloc", "create", "--node", "n1", "--owner", "a", "--for", "1h", "-q",
    ]);
    env.set_now("2026-11-29T10:00:00Z");
    // Every read judges the lease against the clock: expired at 09:00, the GPU is free.
    assert_eq!(env.json(&["alloc", "show", "1"])["state"], "expired");
    assert_eq!(
        env.json(&["alloc", "show", "1"])["ended_at"],
        "2026-11-29T09:00:00Z"
    );
    assert_eq!(env.json(&["alloc", "list"]).as_array().unwrap().len(), 0);
    let gpu = &env.json(&["device", "list"])[0];
    assert_eq!(gpu["allocated"], false, "{gpu}");
    assert_eq!(
        env.json(&["device", "list", "--free"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // The next write records the expiry at 09:00, then leases the GPU again.
    let leases = env.json(&[
        "alloc", "create", "--node", "n1", "--owner", "b", "--for", "1h",
    ]);
    assert_eq!(leases[0]["id"], 2);
    let history = env.json(&["node", "history", "n1"]);
    let expired = history
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "alloc.expired")
        .expect("the expiry is in the history");
    assert_eq!(expired["subject"], "1");
    assert_eq!(expired["at"], "2026-11-29T09:00:00Z");
}

#[test]
fn reports_stop_billing_a_lease_at_its_expiry() {
    let mut env = Env::new();
    env.set_now("2026-11-29T08:00:00Z");
    env.add_gpu("n1", "GPU-0001", 0, "H100");
    env.ok(&["model", "update", "H100", "--hourly-cost", "2", "-q"]);
    env.ok(&[
        "alloc", "create", "--node", "n1", "--owner", "a", "--for", "1h", "-q",
    ]);
    env.set_now("2026-11-29T12:00:00Z");
    let cost = env.json(&["report", "cost", "--since", "24h"]);
    let text = cost.to_string();
    assert!(
        text.contains("\"gpu_hours\":1.0"),
        "one hour billed, not four: {text}"
    );
}

#[test]
fn alloc_create_skips_unhealthy_gpus_and_says_why_when_only_they_match() {
    let env = Env::new();
    env.add_gpu("n1", "GPU-0001", 0, "H100");
    env.add_gpu("n1", "GPU-0002", 1, "H100");
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    // GPU-0001 has a firing critical alert; GPU-0002 last reported two hours ago.
    conn.execute_batch(
        "INSERT INTO alerts (rule, device_uuid, node, severity, state, first_seen_at, last_seen_at, message)
           VALUES ('gpu-temperature-critical', 'GPU-0001', 'n1', 'critical', 'firing', 1795939000, 1795939000, 'hot');
         UPDATE devices SET last_seen_at = 1795939200 WHERE uuid = 'GPU-0002';",
    )
    .unwrap();
    drop(conn);
    let gpus = env.json(&["device", "list"]);
    assert_eq!(
        gpus[0]["health"],
        "critical alert: gpu-temperature-critical"
    );
    assert_eq!(
        gpus[1]["health"],
        "not reporting since 2026-11-29T08:00:00Z"
    );
    let before = env.store_snapshot();
    let stderr = env.fails(
        &[
            "alloc", "create", "--node", "n1", "--owner", "a", "--for", "1h",
        ],
        4,
    );
    let line = error_line(&stderr);
    assert!(
        line.starts_with("no healthy free GPU matches node=n1"),
        "{line}"
    );
    assert!(
        line.contains("GPU-0001 (critical alert: gpu-temperature-critical)")
            && line.contains("GPU-0002 (not reporting since 2026-11-29T08:00:00Z)"),
        "{line}"
    );
    assert!(stderr.contains("--allow-unhealthy"), "{stderr}");
    assert_eq!(env.store_snapshot(), before);
    let explicit = env.fails(
        &[
            "alloc", "create", "--device", "GPU-0001", "--owner", "a", "--for", "1h",
        ],
        4,
    );
    assert!(error_line(&explicit).contains("unhealthy"), "{explicit}");
    let leases = env.json(&[
        "alloc",
        "create",
        "--node",
        "n1",
        "--owner",
        "a",
        "--for",
        "1h",
        "--allow-unhealthy",
    ]);
    assert_eq!(leases.as_array().unwrap().len(), 1);
    assert_ne!(leases[0]["health"], "ok");
}
