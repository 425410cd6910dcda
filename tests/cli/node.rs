//! `gpuctl node …`.

use crate::harness::{error_line, Env};

#[test]
fn node_add_then_show_returns_every_field() {
    let env = Env::new();
    env.ok(&[
        "node",
        "add",
        "gpu-a-1",
        "--cluster",
        "prod",
        "--ip",
        "10.0.0.7",
        "--role",
        "worker",
        "--label",
        "zone=a",
        "--label",
        "nvidia.com/gpu.present=true",
        "--gpus",
        "8",
        "--os",
        "Ubuntu 22.04",
        "--kernel",
        "5.15.0",
        "--driver",
        "550.54.15",
        "--cuda",
        "12.4",
    ]);
    let node = env.json(&["node", "show", "gpu-a-1"]);
    assert_eq!(node["name"], "gpu-a-1");
    assert_eq!(node["cluster"], "prod");
    assert_eq!(node["status"], "ready");
    assert_eq!(node["ip"], "10.0.0.7");
    assert_eq!(node["role"], "worker");
    assert_eq!(node["labels"]["zone"], "a");
    assert_eq!(node["labels"]["nvidia.com/gpu.present"], "true");
    assert_eq!(node["gpus"], 8);
    assert_eq!(node["gpus_allocatable"], 8);
    assert_eq!(node["os"], "Ubuntu 22.04");
    assert_eq!(node["kernel"], "5.15.0");
    assert_eq!(node["driver"], "550.54.15");
    assert_eq!(node["cuda"], "12.4");
    assert_eq!(node["created_at"], "2026-11-29T10:00:00Z");
    assert_eq!(node["updated_at"], "2026-11-29T10:00:00Z");
    let history = node["history"].as_array().unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["kind"], "node.created");
    assert_eq!(history[0]["actor"], "tester");
}

#[test]
fn node_add_rejects_uppercase_name_and_writes_nothing() {
    let env = Env::new();
    env.ok(&["node", "add", "ok-node", "--cluster", "c"]);
    let before = env.store_snapshot();
    let stderr = env.fails(&["node", "add", "GPU-Node", "--cluster", "c"], 2);
    assert!(
        error_line(&stderr).contains("invalid node name 'GPU-Node'"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert_eq!(env.store_snapshot(), before);
}
