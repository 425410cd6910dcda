//! `gpuctl collect --scrape` and `--from-prometheus`: the whole fleet into one store.

use std::time::Duration;

use crate::harness::{error_line, fixture, Env};
use crate::services::{require_binary, Prometheus, ServedText};

fn gpus(env: &Env) -> usize {
    env.json(&["device", "list"]).as_array().unwrap().len()
}

fn realtime_temp(env: &Env, uuid: &str) -> serde_json::Value {
    env.json(&["dashboard", "realtime"])
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["uuid"] == uuid)
        .map(|r| r["temp_c"].clone())
        .unwrap_or_default()
}

const H100_GPU0: &str = "GPU-5d5c2a8e-1f0b-4c6e-9d3a-7e1f2b3c4d50";

#[test]
fn scraping_two_exporters_fills_nodes_gpus_and_the_dashboard() {
    let mut env = Env::new();
    let h100 = ServedText::fixture("dcgm/h100-8gpu.prom");
    let a100 = ServedText::fixture("dcgm/a100-mig.prom");
    env.ok(&[
        "collect",
        "--scrape",
        &h100.url(),
        "--scrape",
        &a100.url(),
        "--cluster",
        "prod",
    ]);
    let nodes = env.json(&["node", "list"]);
    assert_eq!(nodes.as_array().unwrap().len(), 2, "{nodes}");
    assert!(nodes
        .as_array()
        .unwrap()
        .iter()
        .all(|n| n["cluster"] == "prod"));
    assert_eq!(env.json(&["node", "show", "gpu-node-07"])["gpus"], 8);
    let stats = env.json(&["dashboard", "stats"]);
    assert_eq!(stats["gpus_reporting"], gpus(&env), "{stats}");
    assert_eq!(realtime_temp(&env, H100_GPU0), 64, "the served GPU_TEMP");
    // The exporter's next answer is stored by the next run.
    let text = std::fs::read_to_string(fixture("dcgm/h100-8gpu.prom")).unwrap();
    let hotter = text
        .lines()
        .map(|l| {
            if l.starts_with("DCGM_FI_DEV_GPU_TEMP{gpu=\"0\",") {
                let (series, _) = l.rsplit_once(' ').unwrap();
                format!("{series} 97")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    h100.set(&hotter);
    env.set_now("2026-11-29T10:01:00Z");
    env.ok(&[
        "collect",
        "--scrape",
        &h100.url(),
        "--scrape",
        &a100.url(),
        "--cluster",
        "prod",
    ]);
    assert_eq!(realtime_temp(&env, H100_GPU0), 97);
    let alerts = env.json(&["alert", "list"]);
    assert!(
        alerts
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["rule"] == "gpu-temperature-critical"
                && a["device"] == H100_GPU0
                && a["node"] == "gpu-node-07"),
        "{alerts}"
    );
    // An exporter gone for good: its GPUs stop reporting and say so.
    env.set_now("2026-11-29T10:06:00Z");
    env.ok(&["collect", "--scrape", &h100.url(), "--cluster", "prod"]);
    let alerts = env.json(&["alert", "list"]);
    assert!(
        alerts
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["rule"] == "gpu-not-reporting"),
        "{alerts}"
    );
}

#[test]
fn a_fleet_textfile_carries_no_gpu_series_unless_all_nodes() {
    let env = Env::new();
    let dir = env.dir().join("textfile");
    std::fs::create_dir_all(&dir).unwrap();
    let h100 = ServedText::fixture("dcgm/h100-8gpu.prom");
    let textfile = dir.to_str().unwrap();
    env.ok(&["collect", "--scrape", &h100.url(), "--textfile", textfile]);
    let text = std::fs::read_to_string(dir.join("gpuctl.prom")).unwrap();
    assert!(text.contains("gpuctl_collect_success 1"), "{text}");
    assert!(
        !text.contains("UUID="),
        "the exporters publish the fleet's GPUs already: {text}"
    );
    env.ok(&[
        "collect",
        "--scrape",
        &h100.url(),
        "--textfile",
        textfile,
        "--all-nodes",
    ]);
    let text = std::fs::read_to_string(dir.join("gpuctl.prom")).unwrap();
    assert!(
        text.lines()
            .any(|l| l.starts_with("DCGM_FI_DEV_GPU_TEMP{") && l.contains(H100_GPU0)),
        "{text}"
    );
}

#[test]
fn a_bad_source_names_the_url_exits_6_and_writes_nothing() {
    let env = Env::new();
    let h100 = ServedText::fixture("dcgm/h100-8gpu.prom");
    env.ok(&["collect", "--scrape", &h100.url(), "--cluster", "prod"]);
    let before = env.store_snapshot();
    let stderr = env.fails(&["collect", "--scrape", "http://127.0.0.1:1/metrics"], 6);
    assert!(
        error_line(&stderr).contains("http://127.0.0.1:1/metrics"),
        "{stderr}"
    );
    let broken = ServedText::start("DCGM_FI_DEV_GPU_TEMP{UUID=\"GPU-1\" 50\n");
    let stderr = env.fails(&["collect", "--scrape", &broken.url()], 6);
    assert!(error_line(&stderr).contains(&broken.url()), "{stderr}");
    // A series of a mapped family without UUID is malformed, not skipped.
    let no_uuid = ServedText::start("DCGM_FI_DEV_GPU_TEMP{gpu=\"0\",Hostname=\"n1\"} 50\n");
    env.fails(&["collect", "--scrape", &no_uuid.url()], 6);
    assert_eq!(env.store_snapshot(), before);
}

#[test]
fn collect_from_a_real_prometheus_stores_what_the_exporters_served() {
    if !require_binary("prometheus") {
        return;
    }
    let mut env = Env::new();
    let h100 = ServedText::fixture("dcgm/h100-8gpu.prom");
    let a100 = ServedText::fixture("dcgm/a100-mig.prom");
    let prometheus = Prometheus::start(&[&h100.target(), &a100.target()], Duration::from_secs(1));
    // Prometheus stamps samples with the wall clock: collect reads at that time.
    // (A second ahead: a query at a whole second does not see samples of its fraction.)
    let now = chrono::Utc::now() + chrono::Duration::seconds(2);
    std::thread::sleep(Duration::from_secs(2));
    env.set_now(&now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    env.ok(&[
        "collect",
        "--from-prometheus",
        &prometheus.url(),
        "--cluster",
        "prod",
        "--node-label",
        "Hostname",
    ]);
    let nodes = env.json(&["node", "list"]);
    assert_eq!(nodes.as_array().unwrap().len(), 2, "{nodes}");
    assert_eq!(env.json(&["node", "show", "prod/gpu-node-07"])["gpus"], 8);
    assert_eq!(realtime_temp(&env, H100_GPU0), 64);
    let before = env.store_snapshot();
    let stderr = env.fails(
        &[
            "collect",
            "--from-prometheus",
            &prometheus.url(),
            "--selector",
            "{job=",
        ],
        2,
    );
    assert!(!error_line(&stderr).is_empty());
    assert_eq!(env.store_snapshot(), before);
}
