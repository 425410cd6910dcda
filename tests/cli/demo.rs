//! `gpuctl demo`.

use gpuctl::store::{settings, Store, DEFAULT_BUSY_TIMEOUT};

use crate::harness::{error_line, fixture, Env, TinyDisk};

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

/// A demo of 9 nodes × 2 GPUs over 2 days, ending at 10:37 (not on the hour), into `db`.
fn off_the_hour_demo(db: &std::path::Path) {
    let mut env = Env::new();
    env.set_now("2026-11-29T10:37:00Z");
    env.json(&[
        "--db",
        db.to_str().unwrap(),
        "demo",
        "--nodes",
        "9",
        "--gpus-per-node",
        "2",
        "--days",
        "2",
        "--seed",
        "7",
    ]);
}

fn sql_line(conn: &rusqlite::Connection, sql: &str) -> String {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn demo_for_a_seed_is_the_fleet_it_always_was() {
    // Figures of the demo before it streamed (commit 8196967): samples, the hourly fleet
    // aggregates (float sums to the last digit), the rollups and the device rows' newest sample.
    let env = Env::new();
    let db = env.dir().join("demo.db");
    off_the_hour_demo(&db);
    let conn = rusqlite::Connection::open(&db).unwrap();
    assert_eq!(
        sql_line(&conn, "SELECT count(*) || ':' || sum(gpu_util) || ':' || sum(mem_util) || ':' || sum(mem_used_mib) || ':' || sum(temp_c) || ':' || sum(power_mw) || ':' || sum(ecc_uncorrected) FROM samples"),
        "51720:828515:495761:628330857:2029430:6637653110:178"
    );
    assert_eq!(
        sql_line(&conn, "SELECT count(*) || ':' || sum(n) || ':' || printf('%.17g', sum(util_sum)) || ':' || printf('%.17g', sum(mem_pct_sum)) || ':' || printf('%.17g', sum(mem_pct_max)) || ':' || printf('%.17g', sum(temp_sum)) || ':' || printf('%.17g', sum(power_sum)) FROM samples_fleet_hourly"),
        "196:51720:828515:901720.2496034879:7460.207658050754:2029430:6637653110"
    );
    // The rollups as packed since migration 12: decoded, the same figures as before to their
    // precision (before: utilisation means 13989.8186, memory 10594012.4, power max 129880482
    // mW, energy 398259186586 mJ; decoded now: 13989.78, 10594011, 129880000, 398259011400).
    assert_eq!(
        sql_line(&conn, "SELECT count(*) || ':' || sum(n) || ':' || sum(gpu_util) || ':' || sum(mem_used) || ':' || sum(temp) || ':' || sum(power) || ':' || sum(uncovered_secs) FROM samples_hourly"),
        "880:51720:285644994:189980557289179:605790718:68105764360:64800"
    );
    assert_eq!(
        sql_line(&conn, "SELECT sum(latest_ts) || ':' || sum(latest_gpu_util) || ':' || sum(latest_power_mw) || ':' || sum(latest_temp_c) || ':' || sum(last_seen_at) FROM devices"),
        "32327066880:388:2780538:786:32327066880"
    );
}

#[test]
fn demo_rollups_are_what_the_rollup_statement_makes_of_its_samples() {
    let env = Env::new();
    let db = env.dir().join("demo.db");
    off_the_hour_demo(&db);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let rollups = |conn: &rusqlite::Connection| -> Vec<Vec<rusqlite::types::Value>> {
        let mut stmt = conn
            .prepare("SELECT * FROM samples_hourly ORDER BY device_id, epoch_hour")
            .unwrap();
        let columns = stmt.column_count();
        stmt.query_map([], |r| (0..columns).map(|i| r.get(i)).collect())
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let streamed = rollups(&conn);
    assert_eq!(streamed.len(), 880);
    // The statement collect uses replaces each hour's rollup with its own of the same samples.
    conn.execute("DELETE FROM samples_hourly", []).unwrap();
    let rolled = gpuctl::store::metrics::rollup_hours(&conn, 0, 2_000_000_000).unwrap();
    assert_eq!(rolled, streamed.len());
    assert_eq!(rollups(&conn), streamed);
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

/// (kind, field) pairs of a store's audit log, the per-run kinds left out.
fn event_vocabulary(db: &std::path::Path) -> std::collections::BTreeSet<(String, String)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT DISTINCT kind, CASE WHEN field LIKE 'instance:%' THEN 'instance:N'
                                        WHEN field LIKE 'label:%' THEN 'label:K'
                                        ELSE ifnull(field, '-') END
             FROM events WHERE kind NOT IN ('collect.run', 'optimize.run')",
        )
        .unwrap();
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    rows.map(Result::unwrap).collect()
}

#[test]
fn the_demo_writes_the_same_event_kinds_as_real_commands_for_the_same_changes() {
    let mut env = Env::new();
    // A store built by hand: every kind of change the demo also makes.
    env.ok(&["node", "add", "n1", "--cluster", "c", "-q"]);
    env.ok(&["node", "add", "mig-node", "--cluster", "c", "-q"]);
    env.ok(&[
        "device",
        "add",
        "GPU-00000000-0000-0000-0000-000000000001",
        "--node",
        "n1",
        "--index",
        "0",
        "--model",
        "H100",
        "-q",
    ]);
    env.ok(&[
        "device",
        "add",
        "GPU-00000000-0000-0000-0000-000000000002",
        "--node",
        "n1",
        "--index",
        "1",
        "--model",
        "H100",
        "-q",
    ]);
    env.ok(&[
        "device",
        "add",
        "GPU-00000000-0000-0000-0000-000000000003",
        "--node",
        "mig-node",
        "--index",
        "0",
        "--model",
        "A100-SXM4-80GB",
        "-q",
    ]);
    env.ok(&[
        "mig",
        "enable",
        "GPU-00000000-0000-0000-0000-000000000003",
        "-q",
    ]);
    env.ok(&[
        "mig",
        "create",
        "GPU-00000000-0000-0000-0000-000000000003",
        "1g.10gb",
        "-q",
    ]);
    env.ok(&[
        "alloc",
        "create",
        "--mig-profile",
        "1g.10gb",
        "--owner",
        "a",
        "--for",
        "1h",
        "-q",
    ]);
    env.ok(&[
        "alloc", "create", "--node", "n1", "--owner", "a", "--for", "1h", "-q",
    ]);
    env.ok(&[
        "alloc", "create", "--node", "n1", "--owner", "b", "--for", "2h", "-q",
    ]);
    env.ok(&["alloc", "release", "2", "--reason", "job finished", "-q"]);
    env.ok(&["model", "update", "H100", "--hourly-cost", "4.1", "-q"]);
    env.ok(&[
        "node",
        "update",
        "n1",
        "--driver",
        "550.54.15",
        "--cuda",
        "12.4",
        "-q",
    ]);
    env.ok(&[
        "device",
        "set-status",
        "GPU-00000000-0000-0000-0000-000000000001",
        "faulty",
        "--reason",
        "XID 79",
        "-q",
    ]);
    env.ok(&[
        "node",
        "set-status",
        "mig-node",
        "maintenance",
        "--reason",
        "fans",
        "-q",
    ]);
    env.set_now("2026-11-29T13:00:00Z");
    env.ok(&["optimize", "-q"]);
    // A collect registers GPUs of its own and raises alerts, as the demo's last minute does.
    env.ok(&[
        "alert",
        "rules",
        "set",
        "gpu-temperature-high",
        "--threshold",
        "60",
        "--for",
        "0s",
        "-q",
    ]);
    env.ok(&[
        "collect",
        "--input",
        fixture("replay/h100_with_units.csv").to_str().unwrap(),
        "--node",
        "n2",
        "--cluster",
        "c",
        "-q",
    ]);
    let by_hand = event_vocabulary(env.db());

    let demo = env.dir().join("demo.db");
    small_demo(&env, demo.to_str().unwrap(), "3");
    let demo_kinds = event_vocabulary(&demo);
    let unknown: Vec<_> = demo_kinds.difference(&by_hand).collect();
    assert!(
        unknown.is_empty(),
        "the demo writes (kind, field) pairs no command writes: {unknown:?}\nby hand: {by_hand:?}"
    );
    for kind in [
        "node.created",
        "device.created",
        "alloc.created",
        "alloc.expired",
        "alert.firing",
    ] {
        assert!(
            demo_kinds.iter().any(|(k, _)| k == kind),
            "the demo has {kind}: {demo_kinds:?}"
        );
    }
}

#[test]
fn old_event_kinds_are_renamed_by_the_migration() {
    let env = Env::new();
    env.ok(&["node", "add", "n1", "--cluster", "c", "-q"]);
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute_batch(
        "INSERT INTO events (at, kind, subject, node) VALUES (1795940000, 'device.added', 'GPU-1', 'n1');
         INSERT INTO events (at, kind, subject) VALUES (1795940000, 'model.added', 'Odd GPU');
         DROP INDEX events_by_node;
         ALTER TABLE events DROP COLUMN cluster;
         CREATE INDEX events_by_node ON events(node, at);
         ALTER TABLE alerts DROP COLUMN cluster;
         ALTER TABLE alerts DROP COLUMN resolution;
         ALTER TABLE devices DROP COLUMN workload;
         ALTER TABLE devices DROP COLUMN workload_seen_at;
         ALTER TABLE mig_instances DROP COLUMN gpu_instance_id;
         ALTER TABLE mig_instances DROP COLUMN engine_active_pct;
         ALTER TABLE mig_instances DROP COLUMN fb_used_mib;
         ALTER TABLE mig_instances DROP COLUMN workload;
         ALTER TABLE mig_instances DROP COLUMN seen_at;
         DROP TABLE alert_receivers;
         DROP TABLE alert_outbox;
         DROP TABLE samples_hourly;
         CREATE TABLE samples_hourly (device_id INTEGER NOT NULL, hour INTEGER NOT NULL,
             n INTEGER NOT NULL, gpu_util_avg REAL, gpu_util_max INTEGER, mem_util_avg REAL,
             mem_util_max INTEGER, mem_used_avg REAL, mem_used_max INTEGER, temp_avg REAL,
             temp_max INTEGER, power_avg REAL, power_max INTEGER, energy_mj INTEGER,
             PRIMARY KEY (device_id, hour)) WITHOUT ROWID;
         CREATE INDEX events_by_subject ON events(subject, at);
         PRAGMA user_version = 5;",
    )
    .unwrap();
    drop(conn);
    let history = env.json(&["node", "history", "n1"]);
    let kinds: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"device.created"), "{kinds:?}");
    assert!(!kinds.contains(&"device.added"), "{kinds:?}");
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let old: i64 = conn
        .query_row(
            "SELECT count(*) FROM events WHERE kind IN ('device.added', 'model.added')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(old, 0);
}

/// A two-node demo into `db`; returns the nodes it then holds.
fn tiny_demo(env: &Env, db: &std::path::Path) -> usize {
    let db = db.to_str().unwrap();
    env.ok(&[
        "--db",
        db,
        "demo",
        "--nodes",
        "2",
        "--gpus-per-node",
        "1",
        "--days",
        "1",
        "-o",
        "json",
    ]);
    env.json(&["--db", db, "node", "list"])
        .as_array()
        .unwrap()
        .len()
}

#[test]
fn a_demo_stopped_before_its_first_commit_is_replaced_by_the_next() {
    let env = Env::new();
    // Killed right after creating the file: 0 bytes.
    let empty = env.dir().join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    // Killed in its first transaction: migrated, nothing of its own, no marker yet.
    let migrated = env.dir().join("migrated.db");
    drop(Store::open(&migrated, DEFAULT_BUSY_TIMEOUT).unwrap());
    // Killed after its first transaction: marked, no samples yet.
    let marked = env.dir().join("marked.db");
    let store = Store::open(&marked, DEFAULT_BUSY_TIMEOUT).unwrap();
    store
        .write(|tx| settings::set(tx, gpuctl::demo::DEMO_MARKER_KEY, "7"))
        .unwrap();
    drop(store);
    for db in [&empty, &migrated, &marked] {
        assert_eq!(tiny_demo(&env, db), 2, "{}", db.display());
    }
}

#[test]
fn a_demo_killed_in_its_first_milliseconds_is_replaced_by_the_next() {
    let env = Env::new();
    let db = env.dir().join("demo.db");
    let mut child = env
        .process(&[
            "--db",
            db.to_str().unwrap(),
            "demo",
            "--nodes",
            "30",
            "--days",
            "7",
            "-o",
            "json",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !db.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_micros(100));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(tiny_demo(&env, &db), 2);
}

#[test]
fn a_demo_on_a_full_disk_says_disk_full_and_the_next_one_recovers() {
    let env = Env::new();
    // Too small for the schema (the disk fills before the demo's first commit), then too small
    // for the samples (after it).
    for size in ["300k", "600k"] {
        let Some(disk) = TinyDisk::mount(&env, &format!("tiny-{size}"), size) else {
            return;
        };
        let db = disk.path().join("demo.db");
        let db_text = db.to_str().unwrap();
        let stderr = env.fails(
            &[
                "--db",
                db_text,
                "demo",
                "--nodes",
                "2",
                "--gpus-per-node",
                "1",
                "--days",
                "1",
            ],
            5,
        );
        assert_eq!(
            error_line(&stderr),
            "disk full: no space left on the device",
            "{size}"
        );
        // Once there is room, the demo replaces what it left.
        disk.resize("64m");
        assert_eq!(tiny_demo(&env, &db), 2, "{size}");
    }
}
