//! `gpuctl alert …` and the alert engine behind collect.

use gpuctl::alerting::{self, MissingGpu, SeenGpu};
use gpuctl::store::metrics::{self, SampleRow};
use gpuctl::store::{Store, DEFAULT_BUSY_TIMEOUT};

use crate::harness::{error_line, Env};

const T0: i64 = 1_795_950_000; // 2026-11-29T11:00:00Z, after the harness clock, so history sorts after node.created

/// A store with one node and one GPU (memory 80 GiB, power limit 700 W); returns the device id.
fn store_with_gpu(env: &Env) -> (Store, i64) {
    env.ok(&["node", "add", "gpu-1", "--cluster", "c", "-q"]);
    let store = Store::open(env.db(), DEFAULT_BUSY_TIMEOUT).unwrap();
    store
        .conn()
        .execute_batch(
            "INSERT INTO devices (uuid, node_id, idx, memory_total_mib, power_limit_mw, created_at, updated_at)
             SELECT 'GPU-aaaa', id, 0, 81920, 700000, 0, 0 FROM nodes WHERE name = 'gpu-1';",
        )
        .unwrap();
    let id = store.conn().last_insert_rowid();
    (store, id)
}

fn sample(device_id: i64, ts: i64, temp: i64, util: i64) -> SampleRow {
    SampleRow {
        device_id,
        ts,
        temp_c: Some(temp),
        gpu_util: Some(util),
        mem_used_mib: Some(1024),
        power_mw: Some(300_000),
        ecc_uncorrected: Some(0),
        ..SampleRow::default()
    }
}

fn seen(device_id: i64) -> Vec<SeenGpu> {
    vec![SeenGpu {
        device_id,
        uuid: "GPU-aaaa".into(),
        node: "gpu-1".into(),
        cluster: "c".into(),
    }]
}

fn evaluate_at(
    store: &mut Store,
    now: i64,
    device_id: i64,
    sample_row: Option<SampleRow>,
) -> alerting::Transitions {
    store
        .write(|tx| {
            if let Some(s) = &sample_row {
                metrics::insert_samples(tx, std::slice::from_ref(s))?;
            }
            alerting::evaluate_in_transaction(tx, now, &seen(device_id), &[], None)
        })
        .unwrap()
}

#[test]
fn temperature_rule_fires_repeats_and_resolves_with_events() {
    let env = Env::new();
    let (mut store, gpu) = store_with_gpu(&env);
    let fired = evaluate_at(&mut store, T0, gpu, Some(sample(gpu, T0, 88, 50)));
    assert_eq!(fired.fired.len(), 1, "{fired:?}");
    let repeated = evaluate_at(&mut store, T0 + 60, gpu, Some(sample(gpu, T0 + 60, 89, 50)));
    assert_eq!(repeated.repeated, fired.fired);
    assert!(repeated.fired.is_empty());
    drop(store);
    let alerts = env.json(&["alert", "list"]);
    assert_eq!(
        alerts.as_array().unwrap().len(),
        1,
        "one open alert per rule and GPU"
    );
    assert_eq!(alerts[0]["rule"], "gpu-temperature-high");
    assert_eq!(alerts[0]["severity"], "warning");
    assert_eq!(alerts[0]["state"], "firing");
    assert_eq!(alerts[0]["device"], "GPU-aaaa");
    assert_eq!(alerts[0]["value"], 89.0);
    assert_eq!(alerts[0]["threshold"], 85.0);
    assert_eq!(alerts[0]["first_seen_at"], gpuctl::clock::rfc3339(T0));
    assert_eq!(alerts[0]["last_seen_at"], gpuctl::clock::rfc3339(T0 + 60));

    let mut store = Store::open(env.db(), DEFAULT_BUSY_TIMEOUT).unwrap();
    let cleared = evaluate_at(
        &mut store,
        T0 + 120,
        gpu,
        Some(sample(gpu, T0 + 120, 70, 50)),
    );
    assert_eq!(cleared.resolved, fired.fired);
    drop(store);
    assert!(env.json(&["alert", "list"]).as_array().unwrap().is_empty());
    let all = env.json(&["alert", "list", "--all"]);
    assert_eq!(all[0]["state"], "resolved");
    assert_eq!(all[0]["resolved_at"], gpuctl::clock::rfc3339(T0 + 120));
    let history = env.json(&["node", "history", "gpu-1"]);
    let kinds: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(&kinds[..2], ["alert.resolved", "alert.firing"]);
}

#[test]
fn critical_temperature_fires_both_rules() {
    let env = Env::new();
    let (mut store, gpu) = store_with_gpu(&env);
    evaluate_at(&mut store, T0, gpu, Some(sample(gpu, T0, 95, 50)));
    drop(store);
    let alerts = env.json(&["alert", "list"]);
    assert_eq!(
        alerts[0]["rule"], "gpu-temperature-critical",
        "most severe first"
    );
    assert_eq!(alerts[1]["rule"], "gpu-temperature-high");
    assert_eq!(
        env.json(&["alert", "list", "--severity", "critical"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn memory_rule_waits_for_its_duration() {
    let env = Env::new();
    let (mut store, gpu) = store_with_gpu(&env);
    let full = |ts| SampleRow {
        mem_used_mib: Some(80_000),
        ..sample(gpu, ts, 60, 90)
    };
    // 97.7 % full, but only for four minutes: the 5-minute rule does not fire yet.
    for minute in 0..=4 {
        let t = evaluate_at(
            &mut store,
            T0 + minute * 60,
            gpu,
            Some(full(T0 + minute * 60)),
        );
        assert!(t.fired.is_empty(), "minute {minute}: {t:?}");
    }
    let t = evaluate_at(&mut store, T0 + 300, gpu, Some(full(T0 + 300)));
    assert_eq!(t.fired.len(), 1, "{t:?}");
    drop(store);
    let alert = &env.json(&["alert", "list"])[0];
    assert_eq!(alert["rule"], "memory-nearly-full");
    let value = alert["value"].as_f64().unwrap();
    assert!((value - 97.65625).abs() < 1e-9, "{value}");
}

#[test]
fn missing_gpu_fires_not_reporting_and_clears_when_seen() {
    let env = Env::new();
    let (mut store, gpu) = store_with_gpu(&env);
    let missing = vec![MissingGpu {
        uuid: "GPU-aaaa".into(),
        node: "gpu-1".into(),
        cluster: "c".into(),
        last_seen_at: Some(T0),
        registered_at: 0,
    }];
    let early = store
        .write(|tx| alerting::evaluate_in_transaction(tx, T0 + 60, &[], &missing, None))
        .unwrap();
    assert!(early.fired.is_empty(), "within the 120 s threshold");
    let late = store
        .write(|tx| alerting::evaluate_in_transaction(tx, T0 + 180, &[], &missing, None))
        .unwrap();
    assert_eq!(late.fired.len(), 1);
    let back = evaluate_at(
        &mut store,
        T0 + 240,
        gpu,
        Some(sample(gpu, T0 + 240, 50, 50)),
    );
    assert_eq!(back.resolved, late.fired);
}

#[test]
fn idle_rule_fires_only_while_leased() {
    let env = Env::new();
    let (mut store, gpu) = store_with_gpu(&env);
    for minute in 0..=30 {
        let t = evaluate_at(
            &mut store,
            T0 + minute * 60,
            gpu,
            Some(sample(gpu, T0 + minute * 60, 40, 1)),
        );
        assert!(t.fired.is_empty(), "not leased, never idle-alerted");
    }
    store
        .conn()
        .execute(
            "INSERT INTO allocations (device_id, device_uuid, node, cluster, owner, state, started_at, expires_at)
             VALUES (?1, 'GPU-aaaa', 'gpu-1', 'c', 'bob', 'active', ?2, ?3)",
            rusqlite::params![gpu, T0, T0 + 86_400],
        )
        .unwrap();
    let t = evaluate_at(
        &mut store,
        T0 + 31 * 60,
        gpu,
        Some(sample(gpu, T0 + 31 * 60, 40, 1)),
    );
    assert_eq!(t.fired.len(), 1);
    drop(store);
    assert_eq!(env.json(&["alert", "list"])[0]["rule"], "allocated-idle");
}

#[test]
fn ack_and_resolve_by_hand() {
    let env = Env::new();
    let (mut store, gpu) = store_with_gpu(&env);
    let id = evaluate_at(&mut store, T0, gpu, Some(sample(gpu, T0, 88, 50))).fired[0];
    drop(store);
    let id_text = id.to_string();
    let acked = env.json(&["alert", "ack", &id_text, "--note", "fan replaced tomorrow"]);
    assert_eq!(acked["state"], "acknowledged");
    assert_eq!(acked["ack_note"], "fan replaced tomorrow");
    assert_eq!(acked["acked_at"], crate::harness::NOW);
    // An acknowledged alert stays open and still repeats.
    let mut store = Store::open(env.db(), DEFAULT_BUSY_TIMEOUT).unwrap();
    let again = evaluate_at(&mut store, T0 + 60, gpu, Some(sample(gpu, T0 + 60, 88, 50)));
    assert_eq!(again.repeated, vec![id]);
    drop(store);
    assert_eq!(
        env.json(&["alert", "show", &id_text])["state"],
        "acknowledged"
    );
    let resolved = env.json(&["alert", "resolve", &id_text]);
    assert_eq!(resolved["state"], "resolved");
    let stderr = env.fails(&["alert", "ack", &id_text], 4);
    assert_eq!(
        error_line(&stderr),
        format!("alert {id} is already resolved")
    );
    env.fails(&["alert", "show", "999"], 3);
    env.fails(&["alert", "resolve", "999"], 3);
    env.fails(&["alert", "show", "abc"], 2);
}

#[test]
fn rules_can_be_listed_tuned_and_switched() {
    let env = Env::new();
    env.init_store();
    let rules = env.json(&["alert", "rules"]);
    let names: Vec<&str> = rules
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    for expected in [
        "allocated-idle",
        "ecc-uncorrected",
        "gpu-not-reporting",
        "gpu-temperature-critical",
        "gpu-temperature-high",
        "memory-nearly-full",
        "power-at-limit",
    ] {
        assert!(names.contains(&expected), "{names:?}");
    }
    let set = env.json(&[
        "alert",
        "rules",
        "set",
        "gpu-temperature-high",
        "--threshold",
        "80",
        "--for",
        "2m",
        "--severity",
        "critical",
    ]);
    assert_eq!(set[0]["threshold"], 80.0);
    assert_eq!(set[0]["for_secs"], 120);
    assert_eq!(set[0]["severity"], "critical");
    let disabled = env.json(&["alert", "rules", "disable", "power-at-limit"]);
    assert_eq!(disabled[0]["enabled"], false);
    assert_eq!(
        env.json(&["alert", "rules", "enable", "power-at-limit"])[0]["enabled"],
        true
    );
    let stderr = env.fails(
        &["alert", "rules", "set", "no-such-rule", "--threshold", "1"],
        3,
    );
    assert_eq!(error_line(&stderr), "alert rule 'no-such-rule' not found");
    env.fails(&["alert", "rules", "set", "gpu-temperature-high"], 2);
    env.fails(
        &[
            "alert",
            "rules",
            "set",
            "gpu-temperature-high",
            "--for",
            "soon",
        ],
        2,
    );
    env.fails(
        &[
            "alert",
            "rules",
            "set",
            "gpu-temperature-high",
            "--severity",
            "panic",
        ],
        2,
    );
    // A disabled rule does not fire.
    env.ok(&["alert", "rules", "disable", "gpu-temperature-high", "-q"]);
    let (mut store, gpu) = store_with_gpu(&env);
    let t = evaluate_at(&mut store, T0, gpu, Some(sample(gpu, T0, 88, 50)));
    assert!(t.fired.is_empty(), "{t:?}");
}

#[test]
fn a_critical_alert_suppresses_the_warning_of_its_family_until_it_clears() {
    let env = Env::new();
    let (mut store, gpu) = store_with_gpu(&env);
    let hot = evaluate_at(&mut store, T0, gpu, Some(sample(gpu, T0, 96, 50)));
    assert_eq!(hot.fired.len(), 2, "high and critical both fire: {hot:?}");
    let alerts = env.json(&["alert", "list"]);
    let critical = alerts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["rule"] == "gpu-temperature-critical")
        .unwrap();
    let high = alerts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["rule"] == "gpu-temperature-high")
        .unwrap();
    assert_eq!(high["suppressed_by"], critical["id"]);
    assert!(critical["suppressed_by"].is_null());
    let stats = env.json(&["dashboard", "stats"]);
    assert_eq!(stats["alerts_by_severity"]["critical"], 1, "{stats}");
    assert!(
        stats["alerts_by_severity"].get("warning").is_none(),
        "{stats}"
    );
    // Cooler but still high: the critical clears, the warning counts again.
    evaluate_at(&mut store, T0 + 60, gpu, Some(sample(gpu, T0 + 60, 88, 50)));
    let alerts = env.json(&["alert", "list"]);
    assert_eq!(alerts.as_array().unwrap().len(), 1);
    assert_eq!(alerts[0]["rule"], "gpu-temperature-high");
    assert!(alerts[0]["suppressed_by"].is_null());
    let stats = env.json(&["dashboard", "stats"]);
    assert_eq!(stats["alerts_by_severity"]["warning"], 1, "{stats}");
}

#[test]
fn alerts_end_with_their_subject_and_say_why() {
    let env = Env::new();
    let (mut store, gpu) = store_with_gpu(&env);
    evaluate_at(&mut store, T0, gpu, Some(sample(gpu, T0, 96, 50)));
    drop(store);
    assert_eq!(env.json(&["alert", "list"]).as_array().unwrap().len(), 2);
    env.ok(&["device", "set-status", "GPU-aaaa", "retired", "-q"]);
    assert_eq!(env.json(&["alert", "list"]).as_array().unwrap().len(), 0);
    let all = env.json(&["alert", "list", "--all"]);
    for alert in all.as_array().unwrap() {
        assert_eq!(alert["state"], "resolved");
        assert_eq!(alert["resolution"], "GPU retired", "{alert}");
    }
    let history = env.json(&["node", "history", "gpu-1"]);
    assert!(history
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["kind"] == "alert.resolved"
            && e["reason"].as_str().unwrap().ends_with("GPU retired")));
}

#[test]
fn removing_a_node_or_decommissioning_it_resolves_its_alerts() {
    let env = Env::new();
    let (mut store, gpu) = store_with_gpu(&env);
    evaluate_at(&mut store, T0, gpu, Some(sample(gpu, T0, 96, 50)));
    drop(store);
    env.ok(&["node", "set-status", "gpu-1", "decommissioned", "-q"]);
    assert_eq!(env.json(&["alert", "list"]).as_array().unwrap().len(), 0);
    let all = env.json(&["alert", "list", "--all"]);
    assert_eq!(all[0]["resolution"], "node decommissioned");
}

#[test]
fn a_lease_that_ends_resolves_its_allocated_idle_alert() {
    let env = Env::new();
    let (mut store, gpu) = store_with_gpu(&env);
    drop(store);
    env.ok(&[
        "alloc", "create", "--device", "GPU-aaaa", "--owner", "bob", "--for", "4h", "-q",
    ]);
    store = Store::open(env.db(), DEFAULT_BUSY_TIMEOUT).unwrap();
    for minute in 0..=31 {
        evaluate_at(
            &mut store,
            T0 + minute * 60,
            gpu,
            Some(sample(gpu, T0 + minute * 60, 40, 1)),
        );
    }
    drop(store);
    assert_eq!(env.json(&["alert", "list"])[0]["rule"], "allocated-idle");
    env.ok(&["alloc", "release", "1", "-q"]);
    assert_eq!(env.json(&["alert", "list"]).as_array().unwrap().len(), 0);
    assert_eq!(
        env.json(&["alert", "list", "--all"])[0]["resolution"],
        "lease 1 released"
    );
}
