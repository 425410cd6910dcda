//! `gpuctl demo`.

use crate::harness::{error_line, Env};

fn small_demo(env: &Env, db: &str, seed: &str) -> serde_json::Value {
    env.json(&[
        "--db",
        db,
        "demo",
        "--nodes",
        "9",
        "--gpus-per-node",
        "2",
        "--days",
        "1",
        "--seed",
        seed,
    ])
}

fn fingerprint(db: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut out = Vec::new();
    for sql in [
        "SELECT group_concat(name || ':' || status || ':' || gpu_capacity, ',') FROM (SELECT * FROM nodes ORDER BY name)",
        "SELECT group_concat(uuid || ':' || status, ',') FROM (SELECT * FROM devices ORDER BY uuid)",
        "SELECT count(*) || ':' || sum(gpu_util) || ':' || sum(power_mw) || ':' || sum(temp_c) FROM samples",
        "SELECT count(*) || ':' || sum(started_at) || ':' || group_concat(owner) FROM allocations",
        "SELECT group_concat(rule || ':' || device_uuid, ',') FROM (SELECT * FROM alerts ORDER BY id)",
    ] {
        out.push(conn.query_row(sql, [], |r| r.get::<_, Option<String>>(0)).unwrap().unwrap_or_default());
    }
    out
}

#[test]
fn demo_is_deterministic_for_a_seed_and_covers_the_whole_domain() {
    let env = Env::new();
    let a = env.dir().join("a.db");
    let b = env.dir().join("b.db");
    let summary = small_demo(&env, a.to_str().unwrap(), "7");
    small_demo(&env, b.to_str().unwrap(), "7");
    assert_eq!(
        fingerprint(a.to_str().unwrap()),
        fingerprint(b.to_str().unwrap())
    );
    assert_eq!(summary["nodes"], 9);
    assert_eq!(summary["gpus"], 18);
    assert_eq!(
        summary["samples"].as_u64().unwrap(),
        17 * 1_440 + 1_440 - 120,
        "one GPU stopped 2 h early"
    );
    assert!(summary["mig_instances"].as_u64().unwrap() > 0);
    assert!(summary["leases"].as_u64().unwrap() > 0);
    let db = a.to_str().unwrap();
    let stats = env.json(&["--db", db, "dashboard", "stats"]);
    for status in [
        "ready",
        "not-ready",
        "maintenance",
        "cordoned",
        "decommissioned",
    ] {
        assert!(
            stats["nodes_by_status"][status].as_i64().unwrap_or(0) >= 1,
            "{status}: {stats}"
        );
    }
    assert!(stats["gpus_faulty"].as_i64().unwrap() >= 1);
    assert!(
        stats["alerts_by_severity"]["critical"].as_i64().unwrap() >= 3,
        "{stats}"
    );
    let leases = env.json(&["--db", db, "alloc", "list", "--all"]);
    let states: std::collections::BTreeSet<&str> = leases
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["state"].as_str().unwrap())
        .collect();
    assert!(
        states.contains("active") && states.contains("released"),
        "{states:?}"
    );
    let rules: std::collections::BTreeSet<String> = env
        .json(&["--db", db, "alert", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["rule"].as_str().unwrap().to_string())
        .collect();
    for rule in [
        "gpu-temperature-critical",
        "ecc-uncorrected",
        "gpu-not-reporting",
    ] {
        assert!(rules.contains(rule), "{rule}: {rules:?}");
    }
    let history = env.json(&["--db", db, "node", "history", "pe-gpu-001"]);
    assert!(history.as_array().unwrap().len() >= 3);
    let other = env.dir().join("c.db");
    small_demo(&env, other.to_str().unwrap(), "8");
    assert_ne!(
        fingerprint(a.to_str().unwrap()),
        fingerprint(other.to_str().unwrap())
    );
}

#[test]
fn demo_uses_its_own_store_not_gpuctl_db() {
    let env = Env::new();
    env.ok(&["node", "add", "real-node", "--cluster", "prod", "-q"]);
    let before = env.store_snapshot();
    // GPUCTL_DB names the everyday store; the demo goes to $XDG_DATA_HOME/gpuctl/demo.db.
    env.ok(&[
        "demo",
        "--nodes",
        "3",
        "--gpus-per-node",
        "1",
        "--days",
        "1",
        "-o",
        "json",
    ]);
    assert_eq!(env.store_snapshot(), before);
    let demo_db = env.dir().join("xdg/gpuctl/demo.db");
    assert!(demo_db.exists());
    // Running it again replaces the earlier demo store.
    env.ok(&[
        "demo",
        "--nodes",
        "3",
        "--gpus-per-node",
        "1",
        "--days",
        "1",
        "-o",
        "json",
    ]);
    let nodes = env.json(&["--db", demo_db.to_str().unwrap(), "node", "list"]);
    assert_eq!(nodes.as_array().unwrap().len(), 3);
}

#[test]
fn demo_never_overwrites_a_store_that_is_not_a_demo() {
    let env = Env::new();
    env.ok(&["node", "add", "real-node", "--cluster", "prod", "-q"]);
    let before = env.store_snapshot();
    let db = env.db().to_str().unwrap().to_string();
    let stderr = env.fails(&["--db", &db, "demo", "--nodes", "2", "--days", "1"], 4);
    assert!(
        error_line(&stderr).contains("is not a demo store"),
        "{stderr}"
    );
    assert_eq!(env.store_snapshot(), before);
    env.fails(&["demo", "--nodes", "0"], 2);
    env.fails(&["demo", "--days", "99"], 2);
}

#[test]
fn demo_prints_the_dashboard_and_next_commands() {
    let env = Env::new();
    let output = env
        .cmd(&[
            "demo",
            "--nodes",
            "4",
            "--gpus-per-node",
            "2",
            "--days",
            "1",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stdout.contains("GPU fleet") && stdout.contains("CLUSTER"),
        "{stdout}"
    );
    assert!(
        stderr.contains("Try:") && stderr.contains("dashboard trends"),
        "{stderr}"
    );
}
