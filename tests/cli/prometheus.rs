//! The Prometheus exposition: `gpuctl export prometheus` and the textfile writer.

use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};

use gpuctl::store::metrics::{self, SampleRow};
use gpuctl::store::{Store, DEFAULT_BUSY_TIMEOUT};

use crate::harness::Env;

/// `harness::NOW` in unix seconds: what the commands under test take for now.
pub(crate) const NOW_TS: i64 = 1_795_946_400;

/// A GPU `uuid` on `cluster/node` (the node added when new) with one sample at `ts`.
pub(crate) fn add_gpu(env: &Env, cluster: &str, node: &str, uuid: &str, index: i64, ts: i64) {
    let store = Store::open(env.db(), DEFAULT_BUSY_TIMEOUT).ok();
    let known = store.as_ref().is_some_and(|s| {
        s.conn()
            .query_row(
                "SELECT count(*) FROM nodes WHERE cluster = ?1 AND name = ?2",
                [cluster, node],
                |r| r.get::<_, i64>(0),
            )
            .unwrap()
            == 1
    });
    drop(store);
    if !known {
        env.ok(&["node", "add", node, "--cluster", cluster, "-q"]);
    }
    let store = Store::open(env.db(), DEFAULT_BUSY_TIMEOUT).unwrap();
    store
        .conn()
        .execute(
            "INSERT INTO devices (uuid, node_id, idx, memory_total_mib, created_at, updated_at)
             SELECT ?1, id, ?2, 81559, 0, 0 FROM nodes WHERE cluster = ?3 AND name = ?4",
            rusqlite::params![uuid, index, cluster, node],
        )
        .unwrap();
    let device_id: i64 = store
        .conn()
        .query_row("SELECT id FROM devices WHERE uuid = ?1", [uuid], |r| {
            r.get(0)
        })
        .unwrap();
    store
        .write(|tx| {
            metrics::insert_samples(
                tx,
                &[SampleRow {
                    device_id,
                    ts,
                    gpu_util: Some(50),
                    temp_c: Some(60),
                    ..SampleRow::default()
                }],
            )
        })
        .unwrap();
}

/// Two GPUs: one reports everything, the other no power or fan (NotSupported).
fn store_with_samples(env: &Env) {
    env.ok(&["node", "add", "gpu-1", "--cluster", "prod", "-q"]);
    let store = Store::open(env.db(), DEFAULT_BUSY_TIMEOUT).unwrap();
    store
        .conn()
        .execute_batch(
            "INSERT INTO devices (uuid, node_id, idx, pci_bus_id, memory_total_mib, power_limit_mw,
                                  sm_clock_mhz, mem_clock_mhz, ecc_corrected, energy_mj, created_at, updated_at)
             SELECT 'GPU-aaaa', id, 0, '00000000:17:00.0', 81559, 700000, 1980, 2619, 2, 123456789, 0, 0 FROM nodes;
             INSERT INTO devices (uuid, node_id, idx, memory_total_mib, created_at, updated_at)
             SELECT 'GPU-bb\"b', id, 1, 23034, 0, 0 FROM nodes;",
        )
        .unwrap();
    store
        .write(|tx| {
            metrics::insert_samples(
                tx,
                &[
                    SampleRow {
                        device_id: 1,
                        ts: NOW_TS - 100,
                        gpu_util: Some(10),
                        ..SampleRow::default()
                    },
                    SampleRow {
                        device_id: 1,
                        ts: NOW_TS - 40,
                        gpu_util: Some(45),
                        mem_util: Some(20),
                        mem_used_mib: Some(40_000),
                        temp_c: Some(61),
                        power_mw: Some(312_500),
                        fan_pct: Some(30),
                        ecc_uncorrected: Some(0),
                    },
                    SampleRow {
                        device_id: 2,
                        ts: NOW_TS - 40,
                        gpu_util: Some(0),
                        mem_used_mib: Some(1_000),
                        temp_c: Some(35),
                        ..SampleRow::default()
                    },
                ],
            )?;
            gpuctl::prometheus::record_health(tx, 160, true, 42)
        })
        .unwrap();
}

#[test]
fn export_prometheus_uses_dcgm_names_and_skips_unreported_metrics() {
    let env = Env::new();
    store_with_samples(&env);
    let text = env.ok(&["export", "prometheus"]);
    assert!(text.contains("# TYPE DCGM_FI_DEV_GPU_UTIL gauge"), "{text}");
    let line =
        |prefix: &str| -> Vec<&str> { text.lines().filter(|l| l.starts_with(prefix)).collect() };
    let util = line("DCGM_FI_DEV_GPU_UTIL{");
    assert_eq!(util.len(), 2, "{text}");
    assert!(
        util[0].contains("gpu=\"0\",UUID=\"GPU-aaaa\",device=\"nvidia0\""),
        "{}",
        util[0]
    );
    assert!(
        util[0].contains("Hostname=\"gpu-1\"")
            && util[0].contains("pci_bus_id=\"00000000:17:00.0\"")
    );
    assert!(util[0].ends_with(" 45"), "the latest sample: {}", util[0]);
    assert!(
        util[1].contains("UUID=\"GPU-bb\\\"b\""),
        "label values are escaped: {}",
        util[1]
    );
    let power = line("DCGM_FI_DEV_POWER_USAGE{");
    assert_eq!(
        power,
        [format!(
            "DCGM_FI_DEV_POWER_USAGE{{{}}} 312.5",
            util[0].split(['{', '}']).nth(1).unwrap()
        )
        .as_str()]
    );
    assert_eq!(
        line("DCGM_FI_DEV_FAN_SPEED{").len(),
        1,
        "the GPU without a fan has no series, not 0"
    );
    assert!(line("DCGM_FI_DEV_FB_FREE{")[0].ends_with(" 41559"));
    assert!(line("DCGM_FI_DEV_FB_FREE{")[1].ends_with(" 22034"));
    assert!(line("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{")[0].ends_with(" 123456789"));
    assert_eq!(
        line("gpuctl_collect_success "),
        ["gpuctl_collect_success 1"]
    );
    assert_eq!(
        line("gpuctl_collect_last_success_timestamp_seconds "),
        ["gpuctl_collect_last_success_timestamp_seconds 160"]
    );
    assert!(line("DCGM_FI_DEV_MEM_CLOCK{")[0].ends_with(" 2619"));
    assert!(line("DCGM_FI_DEV_ECC_SBE_VOL_TOTAL{")[0].ends_with(" 2"));
    assert!(!text.contains("NaN"));
}

/// Runs promtool when present; with CI=true it must be present (`.ci/run` installs it). Fails
/// on a parse error and on any lint but the two that dcgm-exporter's names earn on purpose.
pub(crate) fn promtool_check(text: &str) -> Option<String> {
    check_families(text);
    let spawned = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "promtool is required under CI=true (Debian package prometheus): {e}"
            );
            eprintln!("promtool not found: skipping the Prometheus parser check (install Debian's prometheus package)");
            return None;
        }
    };
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    // Exit 0: clean; exit 3: parsed, with lint notes. Anything else is a parse failure.
    assert!(
        matches!(output.status.code(), Some(0 | 3)),
        "promtool rejected the exposition:\n{report}\n{text}"
    );
    for line in report.lines().filter(|l| !l.trim().is_empty()) {
        // dcgm-exporter's own camelCase labels (modelName), kept on purpose so that existing
        // Grafana dashboards work and gpuctl's series join dcgm-exporter's; and its counters,
        // whose names have no `_total` suffix.
        let known = line.contains("label names should be written in 'snake_case'")
            || (line.starts_with("DCGM_FI_")
                && line.contains("counter metrics should have \"_total\" suffix"));
        assert!(known, "unexpected lint: {line}\n{report}");
    }
    Some(report)
}

/// The exposition's structure, checked without promtool: every sample's family has one HELP
/// and one TYPE line before its samples, and a family's samples are contiguous.
pub(crate) fn check_families(text: &str) {
    let mut typed = std::collections::HashSet::new();
    let mut helped = std::collections::HashSet::new();
    let mut finished = std::collections::HashSet::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let name = rest.split(' ').next().unwrap().to_string();
            assert!(helped.insert(name), "a second HELP: {line}");
        } else if let Some(rest) = line.strip_prefix("# TYPE ") {
            let name = rest.split(' ').next().unwrap().to_string();
            assert!(typed.insert(name.clone()), "a second TYPE: {line}");
            if let Some(previous) = current.replace(name) {
                finished.insert(previous);
            }
        } else {
            let name = line.split(['{', ' ']).next().unwrap();
            assert!(
                typed.contains(name) && helped.contains(name),
                "a sample without HELP and TYPE: {line}"
            );
            assert_eq!(
                current.as_deref(),
                Some(name),
                "a sample away from its family: {line}"
            );
            assert!(!finished.contains(name));
        }
    }
}

#[test]
fn exposition_passes_promtool() {
    let env = Env::new();
    store_with_samples(&env);
    let text = env.ok(&["export", "prometheus"]);
    promtool_check(&text);
}

#[test]
fn energy_and_ecc_are_counters_as_dcgm_exporter_types_them() {
    let env = Env::new();
    store_with_samples(&env);
    let text = env.ok(&["export", "prometheus"]);
    for counter in [
        "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION",
        "DCGM_FI_DEV_ECC_SBE_VOL_TOTAL",
        "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL",
    ] {
        assert!(
            text.contains(&format!("# TYPE {counter} counter\n")),
            "{counter}: {text}"
        );
    }
    for gauge in [
        "DCGM_FI_DEV_GPU_UTIL",
        "DCGM_FI_DEV_POWER_USAGE",
        "gpuctl_gpu_stale",
    ] {
        assert!(text.contains(&format!("# TYPE {gauge} gauge\n")), "{gauge}");
    }
}

#[test]
fn textfile_is_written_atomically_with_mode_0644() {
    let env = Env::new();
    let dir = env.dir().join("textfile");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("gpuctl.prom"), "old").unwrap();
    gpuctl::prometheus::write_textfile(&dir, "gpuctl_collect_success 1\n").unwrap();
    let path = dir.join("gpuctl.prom");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "gpuctl_collect_success 1\n"
    );
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o644
    );
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["gpuctl.prom"], "no temp file left behind");
    let error =
        gpuctl::prometheus::write_textfile(&env.dir().join("missing-dir"), "x").unwrap_err();
    assert!(error.message.contains("missing-dir"), "{}", error.message);
}

/// Lines of `text` for series `family` of GPU `uuid`.
fn series<'t>(text: &'t str, family: &str, uuid: &str) -> Vec<&'t str> {
    text.lines()
        .filter(|l| {
            l.starts_with(&format!("{family}{{")) && l.contains(&format!("UUID=\"{uuid}\""))
        })
        .collect()
}

/// Node a: one live GPU and one last sampled ten minutes ago; node b: one live GPU.
fn two_nodes(env: &Env) {
    add_gpu(env, "prod", "a", "GPU-a0", 0, NOW_TS - 30);
    add_gpu(env, "prod", "a", "GPU-a1", 1, NOW_TS - 600);
    add_gpu(env, "prod", "b", "GPU-b0", 0, NOW_TS - 30);
}

#[test]
fn export_prometheus_writes_one_node_unless_all_nodes() {
    let env = Env::new();
    two_nodes(&env);
    let a = env.ok(&["export", "prometheus", "--node", "a"]);
    assert!(a.contains("GPU-a0") && a.contains("GPU-a1"), "{a}");
    assert!(!a.contains("GPU-b0"), "only node a's GPUs: {a}");
    assert_eq!(a, env.ok(&["export", "prometheus", "--node", "prod/a"]));
    let all = env.ok(&["export", "prometheus", "--all-nodes"]);
    for uuid in ["GPU-a0", "GPU-a1", "GPU-b0"] {
        assert_eq!(series(&all, "gpuctl_gpu_stale", uuid).len(), 1, "{all}");
    }
    // This host is no node of the store (unless it happens to be called a or b): every node.
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    if !["a", "b"].contains(&host.trim().to_lowercase().as_str()) {
        assert_eq!(env.ok(&["export", "prometheus"]), all);
    }
    env.fails(&["export", "prometheus", "--node", "nope"], 3);
    env.fails(&["export", "prometheus", "--node", "a", "--all-nodes"], 2);
    promtool_check(&all);
}

#[test]
fn a_stale_gpu_is_exported_without_gauges() {
    let env = Env::new();
    two_nodes(&env);
    let text = env.ok(&["export", "prometheus", "--node", "a"]);
    assert_eq!(
        series(&text, "DCGM_FI_DEV_GPU_UTIL", "GPU-a0").len(),
        1,
        "{text}"
    );
    for family in [
        "DCGM_FI_DEV_GPU_UTIL",
        "DCGM_FI_DEV_GPU_TEMP",
        "DCGM_FI_DEV_FB_FREE",
    ] {
        assert!(
            series(&text, family, "GPU-a1").is_empty(),
            "{family} of a stale GPU: {text}"
        );
    }
    assert!(series(&text, "gpuctl_gpu_stale", "GPU-a1")[0].ends_with(" 1"));
    assert!(series(&text, "gpuctl_gpu_stale", "GPU-a0")[0].ends_with(" 0"));
    assert_eq!(
        series(&text, "gpuctl_gpu_last_sample_timestamp_seconds", "GPU-a1"),
        [format!(
            "gpuctl_gpu_last_sample_timestamp_seconds{{{}}} {}",
            series(&text, "gpuctl_gpu_stale", "GPU-a1")[0]
                .split(['{', '}'])
                .nth(1)
                .unwrap(),
            NOW_TS - 600
        )
        .as_str()],
        "when it was last seen is still there"
    );
    let patient = env.ok(&["export", "prometheus", "--node", "a", "--max-age", "1h"]);
    assert_eq!(series(&patient, "DCGM_FI_DEV_GPU_UTIL", "GPU-a1").len(), 1);
    promtool_check(&text);
}

#[test]
fn export_defaults_to_the_node_named_like_this_host() {
    let env = Env::new();
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    let host = host.trim().to_lowercase();
    if host.is_empty() || host.len() > 63 || host.contains('.') || host == "other" {
        eprintln!("host name '{host}' is no plain node name: skipping");
        return;
    }
    add_gpu(&env, "prod", &host, "GPU-host0", 0, NOW_TS - 30);
    add_gpu(&env, "prod", "other", "GPU-other0", 0, NOW_TS - 30);
    let text = env.ok(&["export", "prometheus"]);
    assert!(
        text.contains("GPU-host0") && !text.contains("GPU-other0"),
        "{text}"
    );
}

/// Lines of `text` of family `family` (exactly that name).
fn family<'t>(text: &'t str, family: &str) -> Vec<&'t str> {
    text.lines()
        .filter(|l| l.starts_with(&format!("{family}{{")) || l.starts_with(&format!("{family} ")))
        .collect()
}

/// The state series of `text`: every line of the families a node's exposition scopes.
fn state_lines(text: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = [
        "gpuctl_alert",
        "gpuctl_alert_first_seen_timestamp_seconds",
        "gpuctl_lease",
        "gpuctl_lease_expiration_timestamp_seconds",
        "gpuctl_node_status",
        "gpuctl_gpus",
        "gpuctl_gpus_leased",
    ]
    .iter()
    .flat_map(|f| family(text, f))
    .collect();
    lines.sort_unstable();
    lines
}

/// [`two_nodes`] with state: alice leases GPU-a0, bob GPU-b0; node b is cordoned; alerts open
/// on GPU-a0 (firing), on node a itself (acknowledged, a rule name that needs escaping) and
/// on GPU-b0, and one on GPU-a1 that is resolved.
fn two_nodes_with_state(env: &Env) {
    two_nodes(env);
    env.ok(&[
        "alloc",
        "create",
        "--device",
        "GPU-a0",
        "--owner",
        "alice",
        "--namespace",
        "ml",
        "--workload",
        "train-1",
        "--for",
        "4h",
        "-q",
    ]);
    env.ok(&[
        "alloc", "create", "--device", "GPU-b0", "--owner", "bob", "--for", "1h", "-q",
    ]);
    env.ok(&["node", "set-status", "prod/b", "cordoned", "-q"]);
    let store = Store::open(env.db(), DEFAULT_BUSY_TIMEOUT).unwrap();
    store
        .conn()
        .execute(
            "INSERT INTO alerts (rule, device_uuid, node, cluster, severity, state, first_seen_at,
                                 last_seen_at, value, threshold, message)
             VALUES ('gpu-temperature-high', 'GPU-a0', 'a', 'prod', 'warning', 'firing',
                     ?1 - 600, ?1, 88, 85, 'hot'),
                    ('odd \"rule\" \\ with' || char(10) || 'newline', NULL, 'a', 'prod',
                     'info', 'acknowledged', ?1 - 60, ?1, NULL, NULL, 'odd'),
                    ('gpu-temperature-high', 'GPU-b0', 'b', 'prod', 'warning', 'firing',
                     ?1 - 300, ?1, 86, 85, 'hot'),
                    ('ecc-uncorrected', 'GPU-a1', 'a', 'prod', 'critical', 'resolved',
                     ?1 - 900, ?1 - 800, 1, 0, 'ecc')",
            [NOW_TS],
        )
        .unwrap();
}

#[test]
fn export_prometheus_carries_open_alerts_leases_and_node_status() {
    let env = Env::new();
    two_nodes_with_state(&env);
    let a = env.ok(&["export", "prometheus", "--node", "a"]);
    assert_eq!(
        family(&a, "gpuctl_alert"),
        [
            "gpuctl_alert{rule=\"gpu-temperature-high\",severity=\"warning\",state=\"firing\",cluster=\"prod\",node=\"a\",UUID=\"GPU-a0\",gpu=\"0\",suppressed=\"false\"} 1",
            "gpuctl_alert{rule=\"odd \\\"rule\\\" \\\\ with\\nnewline\",severity=\"info\",state=\"acknowledged\",cluster=\"prod\",node=\"a\",suppressed=\"false\"} 1",
        ],
        "node a's open alerts, label values escaped; not the resolved one, not node b's"
    );
    assert_eq!(
        family(&a, "gpuctl_alert_first_seen_timestamp_seconds")[0],
        format!(
            "gpuctl_alert_first_seen_timestamp_seconds{{rule=\"gpu-temperature-high\",severity=\"warning\",state=\"firing\",cluster=\"prod\",node=\"a\",UUID=\"GPU-a0\",gpu=\"0\",suppressed=\"false\"}} {}",
            NOW_TS - 600
        )
    );
    let lease = "lease=\"1\",cluster=\"prod\",node=\"a\",UUID=\"GPU-a0\",owner=\"alice\",namespace=\"ml\",workload=\"train-1\"";
    assert_eq!(
        family(&a, "gpuctl_lease"),
        [format!("gpuctl_lease{{{lease}}} 1")]
    );
    assert_eq!(
        family(&a, "gpuctl_lease_expiration_timestamp_seconds"),
        [format!(
            "gpuctl_lease_expiration_timestamp_seconds{{{lease}}} {}",
            NOW_TS + 4 * 3600
        )]
    );
    let statuses: Vec<String> = [
        "ready",
        "not-ready",
        "maintenance",
        "cordoned",
        "decommissioned",
    ]
    .iter()
    .map(|s| {
        format!(
            "gpuctl_node_status{{cluster=\"prod\",node=\"a\",status=\"{s}\"}} {}",
            u8::from(*s == "ready")
        )
    })
    .collect();
    assert_eq!(family(&a, "gpuctl_node_status"), statuses);
    assert_eq!(
        family(&a, "gpuctl_gpus"),
        [
            "gpuctl_gpus{cluster=\"prod\",node=\"a\",status=\"active\"} 2",
            "gpuctl_gpus{cluster=\"prod\",node=\"a\",status=\"maintenance\"} 0",
            "gpuctl_gpus{cluster=\"prod\",node=\"a\",status=\"faulty\"} 0",
            "gpuctl_gpus{cluster=\"prod\",node=\"a\",status=\"retired\"} 0",
        ]
    );
    assert_eq!(
        family(&a, "gpuctl_gpus_leased"),
        ["gpuctl_gpus_leased{cluster=\"prod\",node=\"a\"} 1"]
    );
    assert!(!a.contains("node=\"b\""), "nothing of node b: {a}");
    promtool_check(&a);

    let all = env.ok(&["export", "prometheus", "--all-nodes"]);
    assert!(
        all.contains("gpuctl_node_status{cluster=\"prod\",node=\"b\",status=\"cordoned\"} 1"),
        "{all}"
    );
    assert_eq!(family(&all, "gpuctl_alert").len(), 3);
    assert_eq!(family(&all, "gpuctl_lease").len(), 2);
    promtool_check(&all);
}

#[test]
fn per_node_expositions_add_up_to_the_fleet_with_nothing_counted_twice() {
    let env = Env::new();
    two_nodes_with_state(&env);
    let a = env.ok(&["export", "prometheus", "--node", "a"]);
    let b = env.ok(&["export", "prometheus", "--node", "b"]);
    let all = env.ok(&["export", "prometheus", "--all-nodes"]);
    let mut both = state_lines(&a);
    both.extend(state_lines(&b));
    both.sort_unstable();
    assert!(!both.is_empty());
    assert_eq!(both, state_lines(&all));
}

#[test]
fn a_lease_past_its_end_leaves_the_export_before_optimize_runs() {
    let mut env = Env::new();
    two_nodes_with_state(&env);
    // Bob's one-hour lease on GPU-b0 has ended; nothing has recorded it yet.
    env.set_now("2026-11-29T11:30:00Z");
    let all = env.ok(&["export", "prometheus", "--all-nodes"]);
    let leases = family(&all, "gpuctl_lease");
    assert_eq!(leases.len(), 1, "{all}");
    assert!(leases[0].contains("owner=\"alice\""));
    assert!(all.contains("gpuctl_gpus_leased{cluster=\"prod\",node=\"b\"} 0"));
}

#[test]
fn the_last_optimize_run_is_exported_and_a_dry_run_is_not_one() {
    let env = Env::new();
    two_nodes(&env);
    env.ok(&["optimize", "--dry-run", "-q"]);
    let text = env.ok(&["export", "prometheus", "--all-nodes"]);
    assert!(
        family(&text, "gpuctl_optimize_last_run_timestamp_seconds").is_empty(),
        "{text}"
    );
    env.ok(&["optimize", "-q"]);
    let text = env.ok(&["export", "prometheus", "--node", "a"]);
    assert_eq!(
        family(&text, "gpuctl_optimize_last_run_timestamp_seconds"),
        [format!(
            "gpuctl_optimize_last_run_timestamp_seconds {NOW_TS}"
        )],
        "a store-wide series, in every node's exposition"
    );
}
