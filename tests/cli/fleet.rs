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
    let gpu = env.json(&["device", "show", H100_GPU0]);
    assert_eq!(gpu["workload"], "ml-research/llm-train-7b9f4-0", "{gpu}");
    let realtime = env.json(&["dashboard", "realtime"]);
    assert!(
        realtime
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["uuid"] == H100_GPU0 && r["workload"] == "ml-research/llm-train-7b9f4-0"),
        "{realtime}"
    );
    let idle = env.json(&["device", "show", "GPU-b9e5c1d3-4a6f-4e2b-8d70-c5e7a9b1d305"]);
    assert!(idle["workload"].is_null(), "{idle}");
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
fn a_fleet_textfile_carries_the_fleet_state_but_no_gpu_series_unless_all_nodes() {
    let env = Env::new();
    let dir = env.dir().join("textfile");
    std::fs::create_dir_all(&dir).unwrap();
    let h100 = ServedText::fixture("dcgm/h100-8gpu.prom");
    let textfile = dir.to_str().unwrap();
    env.ok(&["collect", "--scrape", &h100.url(), "--textfile", textfile]);
    let text = std::fs::read_to_string(dir.join("gpuctl.prom")).unwrap();
    assert!(text.contains("gpuctl_collect_success 1"), "{text}");
    assert!(
        !text
            .lines()
            .any(|l| l.starts_with("DCGM_FI_") || l.starts_with("gpuctl_gpu_")),
        "the exporters publish the fleet's GPUs already: {text}"
    );
    // Only this store knows the fleet's inventory, leases and alerts: it publishes them.
    let node = env.json(&["node", "list"])[0]["name"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        text.contains(&format!(
            "gpuctl_gpus{{cluster=\"default\",node=\"{node}\",status=\"active\"}} 8"
        )),
        "{text}"
    );
    crate::prometheus::promtool_check(&text);
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
    assert!(
        !env.json(&["mig", "list", "--node", "gpu-node-12"])
            .as_array()
            .unwrap()
            .is_empty(),
        "the A100's MIG layout"
    );
    let stats = env.json(&["dashboard", "stats"]);
    assert_eq!(stats["gpus_reporting"], gpus(&env), "{stats}");
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

/// Ten minutes of an 8-GPU node's history from `start`, GPU 0 warming a degree a minute.
fn h100_history(start: i64) -> String {
    let text = std::fs::read_to_string(fixture("dcgm/h100-8gpu.prom")).unwrap();
    let mut history = String::new();
    for minute in 0..10 {
        for line in text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
        {
            let (series, value) = line.rsplit_once(' ').unwrap();
            let value = if series.starts_with("DCGM_FI_DEV_GPU_TEMP{gpu=\"0\",") {
                (60 + minute).to_string()
            } else {
                value.to_string()
            };
            history.push_str(&format!("{series} {value} {}\n", start + minute * 60));
        }
    }
    history.push_str("# EOF\n");
    history
}

#[test]
fn backfill_stores_prometheus_history_once_however_often_it_runs() {
    if !require_binary("prometheus") || !require_binary("promtool") {
        return;
    }
    let mut env = Env::new();
    let wall = chrono::Utc::now().timestamp();
    // A day ago on a minute boundary, clear of the head block's last hours.
    let start = (wall - 86_400) / 60 * 60;
    let prometheus = Prometheus::start_with_history(&h100_history(start));
    env.set_now(
        &chrono::DateTime::from_timestamp(wall, 0)
            .unwrap()
            .to_rfc3339(),
    );
    let args = [
        "collect",
        "--from-prometheus",
        &prometheus.url(),
        "--cluster",
        "prod",
        "--backfill",
        "2d",
    ];
    env.ok(&args);
    let count = |env: &Env| -> (i64, Option<i64>) {
        let conn = rusqlite::Connection::open(env.db()).unwrap();
        conn.query_row(
            "SELECT count(*), (SELECT s.temp_c FROM samples s JOIN devices d ON d.id = s.device_id
                 WHERE d.uuid = ?1 AND s.ts = ?2)
             FROM samples",
            rusqlite::params![H100_GPU0, start + 3 * 60],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
    };
    let (first, temp) = count(&env);
    assert!(first >= 80, "8 GPUs × 10 minutes at least: {first}");
    assert_eq!(temp, Some(63), "the sample of 3 minutes in, at its time");
    assert_eq!(env.json(&["node", "show", "prod/gpu-node-07"])["gpus"], 8);
    env.ok(&args);
    assert_eq!(count(&env).0, first, "nothing stored twice");
}

#[test]
fn a_scraped_mig_gpu_gets_its_reported_layout() {
    let env = Env::new();
    let a100 = ServedText::fixture("dcgm/a100-mig.prom");
    env.ok(&["collect", "--scrape", &a100.url(), "--cluster", "prod"]);
    let instances = env.json(&["mig", "list", "--node", "gpu-node-12"]);
    let mut profiles: Vec<&str> = instances
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["profile"].as_str().unwrap())
        .collect();
    profiles.sort_unstable();
    let text = std::fs::read_to_string(fixture("dcgm/a100-mig.prom")).unwrap();
    let mut served: Vec<String> = text
        .lines()
        .filter(|l| l.starts_with("DCGM_FI_DEV_GPU_TEMP{"))
        .filter_map(|l| l.split("GPU_I_PROFILE=\"").nth(1))
        .map(|rest| rest.split('"').next().unwrap().to_string())
        .collect();
    served.sort_unstable();
    assert!(!served.is_empty());
    assert_eq!(profiles, served);
    // Each instance carries what dcgm-exporter reports of it.
    assert!(
        instances
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["gpu_instance_id"].is_i64() && i["engine_active_pct"].is_i64()),
        "{instances}"
    );
    assert!(
        instances
            .as_array()
            .unwrap()
            .iter()
            .any(|i| !i["workload"].is_null()),
        "a pod on one instance: {instances}"
    );
    // A second read of the same layout changes nothing.
    let before = env.json(&["mig", "list"]);
    env.ok(&["collect", "--scrape", &a100.url(), "--cluster", "prod"]);
    assert_eq!(env.json(&["mig", "list"]), before);
}

#[test]
fn report_idle_lists_gpus_that_pods_hold_below_the_threshold() {
    let mut env = Env::new();
    let h100 = ServedText::fixture("dcgm/h100-8gpu.prom");
    for now in ["2026-11-29T10:00:00Z", "2026-11-29T10:01:00Z"] {
        env.set_now(now);
        env.ok(&["collect", "--scrape", &h100.url(), "--cluster", "prod"]);
    }
    let idle = env.json(&["report", "idle", "--threshold", "30"]);
    let rows = idle.as_array().unwrap();
    // GPU 4 (jupyter-alice at 23 %) only: GPUs 0-3 are busy, GPUs 5-7 have no pods.
    assert_eq!(rows.len(), 1, "{idle}");
    let row = &rows[0];
    assert_eq!(row["held_by"], "pods");
    assert!(row["id"].is_null() && row["started_at"].is_null(), "{row}");
    assert_eq!(
        row["device_uuid"],
        "GPU-71d3f5a9-0b2e-4c6d-9e84-a3f1c5d7b974"
    );
    assert_eq!(row["pods"], "notebooks/jupyter-alice");
    assert_eq!(row["owner"], "notebooks");
    assert_eq!(row["node"], "gpu-node-07");
    assert_eq!(row["avg_util"], 23.0);
    assert_eq!(row["samples"], 2);
    assert_eq!(row["no_samples"], false);
    // A lower threshold leaves it out; a lease on it turns the row into the lease's.
    let none = env.json(&["report", "idle", "--threshold", "20"]);
    assert_eq!(none.as_array().unwrap().len(), 0, "{none}");
    env.ok(&[
        "alloc",
        "create",
        "--device",
        "GPU-71d3f5a9-0b2e-4c6d-9e84-a3f1c5d7b974",
        "--owner",
        "alice",
        "--for",
        "2h",
    ]);
    env.set_now("2026-11-29T10:02:00Z");
    env.ok(&["collect", "--scrape", &h100.url(), "--cluster", "prod"]);
    let idle = env.json(&["report", "idle", "--threshold", "30"]);
    let rows = idle.as_array().unwrap();
    assert_eq!(rows.len(), 1, "{idle}");
    assert_eq!(rows[0]["held_by"], "lease");
    assert_eq!(rows[0]["owner"], "alice");
    assert_eq!(rows[0]["pods"], "notebooks/jupyter-alice");
}

/// The `gpuctl …` command lines of the README's "One store for the whole fleet" `sh` blocks,
/// `\` continuations joined, comments left out.
fn readme_fleet_commands() -> Vec<String> {
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    let section = readme
        .split("\n## One store for the whole fleet\n")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("the README has the fleet section");
    let mut commands = Vec::new();
    let mut in_sh = false;
    let mut joined = String::new();
    for line in section.lines() {
        if line.starts_with("```") {
            in_sh = line.trim() == "```sh";
            continue;
        }
        if !in_sh || line.trim_start().starts_with('#') {
            continue;
        }
        joined.push_str(line.trim_end_matches('\\').trim());
        if line.ends_with('\\') {
            joined.push(' ');
            continue;
        }
        if joined.starts_with("gpuctl ") {
            // A trailing `# needs …` says what the line needs to run; it is no argument.
            commands.push(
                joined
                    .split(" #")
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
            );
        }
        joined.clear();
    }
    commands
}

/// Words as a POSIX shell splits them, for the README's simple lines: spaces, and '…' quoting.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut started = false;
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                started = true;
            }
            ' ' if !quoted => {
                if started {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            c => {
                word.push(c);
                started = true;
            }
        }
    }
    if started {
        words.push(word);
    }
    words
}

#[test]
fn the_readme_fleet_commands_run_against_a_real_prometheus_and_real_exporters() {
    if !require_binary("prometheus") {
        return;
    }
    let commands = readme_fleet_commands();
    let prometheus_commands: Vec<&String> = commands
        .iter()
        .filter(|c| c.contains("--from-prometheus"))
        .collect();
    let scrape_commands: Vec<&String> =
        commands.iter().filter(|c| c.contains("--scrape")).collect();
    assert!(
        prometheus_commands.len() >= 2 && !scrape_commands.is_empty(),
        "{commands:?}"
    );
    let h100 = ServedText::fixture("dcgm/h100-8gpu.prom");
    let a100 = ServedText::fixture("dcgm/a100-mig.prom");
    // What the GPU Operator's exporter and a Kubernetes scrape config give: the job's name and
    // the node each target runs on.
    let (h100_target, a100_target) = (h100.target(), a100.target());
    let prometheus = Prometheus::start_job(
        "nvidia-dcgm-exporter",
        &[
            (&h100_target, &[("kubernetes_node", "gpu-node-07")]),
            (&a100_target, &[("kubernetes_node", "gpu-node-12")]),
        ],
        Duration::from_secs(1),
    );
    let real = |command: &str| -> Vec<String> {
        let line = command
            .replace("http://prometheus.monitoring.svc:9090", &prometheus.url())
            .replace("http://gpu-node-1:9400/metrics", &h100.url())
            .replace("http://gpu-node-2:9400/metrics", &a100.url());
        shell_words(&line).into_iter().skip(1).collect()
    };

    // Prometheus in the middle, into an empty store.
    let mut env = Env::new();
    let now = chrono::Utc::now() + chrono::Duration::seconds(2);
    std::thread::sleep(Duration::from_secs(2));
    env.set_now(&now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    for command in &prometheus_commands {
        let args = real(command);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        env.ok(&args);
    }
    let nodes = env.json(&["node", "list"]);
    let names: Vec<&str> = nodes
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["gpu-node-07", "gpu-node-12"], "{nodes}");
    assert!(nodes
        .as_array()
        .unwrap()
        .iter()
        .all(|n| n["cluster"] == "prod"));
    assert_eq!(realtime_temp(&env, H100_GPU0), 64);
    assert_eq!(
        env.json(&["dashboard", "stats"])["gpus_reporting"],
        gpus(&env)
    );

    // Scraping the exporters directly, into another empty store.
    let env = Env::new();
    for command in &scrape_commands {
        let args = real(command);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        env.ok(&args);
    }
    assert_eq!(env.json(&["node", "list"]).as_array().unwrap().len(), 2);
    assert_eq!(realtime_temp(&env, H100_GPU0), 64);
    assert_eq!(env.json(&["node", "show", "prod/gpu-node-07"])["gpus"], 8);
}

#[test]
fn every_is_refused_for_a_fleet_collect() {
    let env = Env::new();
    for source in [
        ["--from-prometheus", "http://127.0.0.1:1"],
        ["--scrape", "127.0.0.1:1"],
    ] {
        let stderr = env.fails(&["collect", source[0], source[1], "--every", "1m"], 2);
        assert!(
            error_line(&stderr).contains("cannot be used with '--every <DURATION>'"),
            "{stderr}"
        );
    }
}
