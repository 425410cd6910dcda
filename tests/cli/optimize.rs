//! `gpuctl optimize`: the cron job.

use crate::harness::Env;

/// Two nodes of two L4s each, one GPU leased for an hour on each.
fn fleet() -> Env {
    let env = Env::new();
    env.add_gpu("n1", "GPU-0101", 0, "L4");
    env.add_gpu("n1", "GPU-0102", 1, "L4");
    env.add_gpu("n2", "GPU-0201", 0, "L4");
    env.add_gpu("n2", "GPU-0202", 1, "L4");
    env.ok(&[
        "alloc", "create", "--device", "GPU-0101", "--owner", "a", "--for", "1h",
    ]);
    env.ok(&[
        "alloc", "create", "--device", "GPU-0201", "--owner", "b", "--for", "3h",
    ]);
    env
}

#[test]
fn optimize_expires_leases_past_their_end_and_is_idempotent() {
    let mut env = fleet();
    env.set_now("2026-11-29T12:00:00Z");
    let plan = env.json(&["optimize"]);
    assert_eq!(plan["dry_run"], false);
    let expired = plan["expired_leases"].as_array().unwrap();
    assert_eq!(expired.len(), 1);
    assert_eq!(expired[0]["id"], 1);
    assert_eq!(expired[0]["expires_at"], "2026-11-29T11:00:00Z");
    assert_eq!(plan["changes"], 1);
    let lease = env.json(&["alloc", "show", "1"]);
    assert_eq!(lease["state"], "expired");
    assert_eq!(lease["ended_at"], "2026-11-29T11:00:00Z");
    assert_eq!(env.json(&["alloc", "show", "2"])["state"], "active");
    let history = env.json(&["node", "history", "n1"]);
    assert_eq!(history[0]["kind"], "alloc.expired");
    // The expired lease's GPU is free again.
    assert_eq!(
        env.json(&["device", "show", "GPU-0101"])["allocated"],
        false
    );

    let before = env.store_snapshot();
    let again = env.json(&["optimize"]);
    assert_eq!(again["changes"], 0);
    assert_eq!(again["expired_leases"], serde_json::json!([]));
    assert_eq!(
        env.store_snapshot(),
        before,
        "a second run changed the store"
    );
}

#[test]
fn dry_run_prints_the_same_plan_and_writes_nothing() {
    let mut env = fleet();
    env.set_now("2026-11-29T12:00:00Z");
    let before = env.store_snapshot();
    let mut dry = env.json(&["optimize", "--dry-run"]);
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["expired_leases"].as_array().unwrap().len(), 1);
    assert_eq!(env.store_snapshot(), before, "--dry-run wrote to the store");
    let real = env.json(&["optimize"]);
    dry["dry_run"] = serde_json::json!(false);
    assert_eq!(dry, real);
}

#[test]
fn optimize_recounts_allocatable_gpus_from_devices() {
    let env = fleet();
    env.ok(&["device", "set-status", "GPU-0102", "faulty"]);
    assert_eq!(env.json(&["node", "show", "n1"])["gpus_allocatable"], 1);
    // Leaving maintenance offers the active GPUs only, not the faulty one.
    env.ok(&["node", "set-status", "n1", "maintenance"]);
    assert_eq!(env.json(&["node", "show", "n1"])["gpus_allocatable"], 0);
    env.ok(&["node", "set-status", "n1", "ready"]);
    assert_eq!(env.json(&["node", "show", "n1"])["gpus_allocatable"], 1);
    // A store written by an older gpuctl (or edited by hand) is put right by optimize.
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute("UPDATE nodes SET gpu_allocatable = 2 WHERE name = 'n1'", [])
        .unwrap();
    drop(conn);
    let plan = env.json(&["optimize"]);
    let n1 = plan["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["node"] == "n1")
        .unwrap()
        .clone();
    assert_eq!(n1["changed"], true);
    assert_eq!(n1["gpus_total"], 2);
    assert_eq!(n1["gpus_allocatable"], 1);
    assert_eq!(n1["gpus_allocated"], 1);
    assert_eq!(n1["gpus_free"], 0);
    assert_eq!(env.json(&["node", "show", "n1"])["gpus_allocatable"], 1);
}

#[test]
fn optimize_flags_gpus_that_stopped_reporting() {
    let env = fleet();
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    // 2026-11-29T09:30:00Z: half an hour before the test clock.
    conn.execute(
        "UPDATE devices SET last_seen_at = 1795944600 WHERE uuid = 'GPU-0202'",
        [],
    )
    .unwrap();
    drop(conn);
    let plan = env.json(&["optimize", "--dry-run"]);
    let stale = plan["stale_gpus"].as_array().unwrap();
    assert_eq!(stale.len(), 1);
    assert_eq!(stale[0]["uuid"], "GPU-0202");
    assert_eq!(stale[0]["last_seen_at"], "2026-11-29T09:30:00Z");
    let plan = env.json(&["optimize", "--dry-run", "--stale-after", "2h"]);
    assert_eq!(plan["stale_gpus"], serde_json::json!([]));
    env.fails(&["optimize", "--stale-after", "later"], 2);
}

#[test]
fn optimize_reports_free_gpus_spread_over_partly_leased_nodes() {
    let env = fleet();
    let plan = env.json(&["optimize"]);
    let groups = plan["fragmentation"].as_array().unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0]["cluster"], "c");
    assert_eq!(groups[0]["model"], "NVIDIA L4");
    assert_eq!(groups[0]["gpus_free"], 2);
    assert_eq!(groups[0]["largest_free_block"], 1);
}

#[test]
fn optimize_prints_one_line_on_stderr_and_none_with_quiet() {
    let env = fleet();
    let output = env.cmd(&["optimize"]).output().unwrap();
    assert!(output.status.success());
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("optimize: expired 0 leases"), "{stderr}");
    let output = env.cmd(&["optimize", "-q"]).output().unwrap();
    assert!(output.status.success());
    assert!(output.stdout.is_empty() && output.stderr.is_empty());
}
