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

/// Runs promtool when present; with CI=true it must be present (`.ci/run` installs it).
fn promtool_check(text: &str) -> Option<String> {
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
    Some(report)
}

#[test]
fn exposition_passes_promtool() {
    let env = Env::new();
    store_with_samples(&env);
    let text = env.ok(&["export", "prometheus"]);
    if let Some(report) = promtool_check(&text) {
        // The only lint promtool may raise: dcgm-exporter's own camelCase labels (modelName),
        // kept on purpose so existing Grafana dashboards work.
        for line in report.lines().filter(|l| !l.trim().is_empty()) {
            assert!(
                line.contains("label names should be written in 'snake_case'"),
                "unexpected lint: {line}\n{report}"
            );
        }
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
