//! `gpuctl device …` and the node's view of its GPUs.

use crate::harness::{error_line, Env};

#[test]
fn device_add_then_show_returns_every_field() {
    let env = Env::new();
    env.ok(&["node", "add", "n1", "--cluster", "prod", "--gpus", "8"]);
    env.ok(&[
        "device",
        "add",
        "GPU-1a2b3c4d-0000-1111-2222-333344445555",
        "--node",
        "n1",
        "--index",
        "0",
        "--model",
        "H100-80GB",
        "--serial",
        "1650123456789",
        "--pci-bus-id",
        "00000000:17:00.0",
    ]);
    let gpu = env.json(&["device", "show", "GPU-1a2b3c4d-0000-1111-2222-333344445555"]);
    assert_eq!(gpu["uuid"], "GPU-1a2b3c4d-0000-1111-2222-333344445555");
    assert_eq!(gpu["node"], "n1");
    assert_eq!(gpu["cluster"], "prod");
    assert_eq!(gpu["index"], 0);
    assert_eq!(gpu["model"], "NVIDIA H100 80GB HBM3");
    assert_eq!(gpu["serial"], "1650123456789");
    assert_eq!(gpu["pci_bus_id"], "00000000:17:00.0");
    assert_eq!(gpu["status"], "active");
    assert_eq!(gpu["mig_enabled"], false);
    assert_eq!(gpu["allocated"], false);
    assert!(gpu["last_seen_at"].is_null());
    assert_eq!(gpu["created_at"], "2026-11-29T10:00:00Z");
}

#[test]
fn node_counts_and_show_follow_its_devices() {
    let env = Env::new();
    env.ok(&["node", "add", "n1", "--cluster", "c", "--gpus", "8"]);
    env.add_gpu("n1", "GPU-0001", 0, "A100-80GB");
    env.add_gpu("n1", "GPU-0002", 1, "A100-80GB");
    env.add_gpu("n1", "GPU-0003", 2, "A100-80GB");
    let node = env.json(&["node", "show", "n1"]);
    assert_eq!(node["gpus"], 3);
    assert_eq!(node["gpus_allocatable"], 3);
    let devices = node["devices"].as_array().unwrap();
    assert_eq!(devices.len(), 3);
    assert_eq!(devices[1]["uuid"], "GPU-0002");
    env.ok(&[
        "device",
        "set-status",
        "GPU-0003",
        "retired",
        "--reason",
        "burnt",
    ]);
    env.ok(&["device", "set-status", "GPU-0002", "faulty"]);
    let node = env.json(&["node", "show", "n1"]);
    assert_eq!(node["gpus"], 2);
    assert_eq!(node["gpus_allocatable"], 1);
    let text = env.ok(&["node", "show", "n1"]);
    assert!(text.contains("GPUs (3):"), "{text}");
    assert!(text.contains("GPU-0002"), "{text}");
    let history = env.json(&["node", "history", "n1"]);
    let kinds: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"device.created"), "{kinds:?}");
    assert!(kinds.contains(&"device.status"), "{kinds:?}");
    env.ok(&["device", "remove", "GPU-0001"]);
    env.ok(&["device", "remove", "GPU-0002"]);
    env.ok(&["device", "remove", "GPU-0003"]);
    let node = env.json(&["node", "show", "n1"]);
    assert_eq!(node["gpus"], 0);
    assert_eq!(node["devices"], serde_json::json!([]));
}

#[test]
fn device_list_filters() {
    let env = Env::new();
    env.add_gpu("n1", "GPU-0001", 0, "H100");
    env.add_gpu("n1", "GPU-0002", 1, "L4");
    env.ok(&["node", "add", "n2", "--cluster", "other"]);
    env.add_gpu("n2", "GPU-0003", 0, "H100");
    env.ok(&["device", "set-status", "GPU-0003", "maintenance"]);
    env.ok(&[
        "alloc", "create", "--device", "GPU-0001", "--owner", "a", "--for", "1h",
    ]);
    let uuids = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["device", "list"];
        all.extend(args);
        env.json(&all)
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["uuid"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(uuids(&[]), ["GPU-0001", "GPU-0002", "GPU-0003"]);
    assert_eq!(uuids(&["--node", "n1"]), ["GPU-0001", "GPU-0002"]);
    assert_eq!(uuids(&["--cluster", "other"]), ["GPU-0003"]);
    assert_eq!(
        uuids(&["--model", "nvidia h100 80gb hbm3"]),
        ["GPU-0001", "GPU-0003"]
    );
    assert_eq!(uuids(&["--status", "maintenance"]), ["GPU-0003"]);
    assert_eq!(uuids(&["--free"]), ["GPU-0002"]);
    assert_eq!(uuids(&["--allocated"]), ["GPU-0001"]);
    env.fails(&["device", "list", "--status", "broken"], 2);
    env.fails(&["device", "list", "--model", "nope"], 3);
}

#[test]
fn device_add_refuses_bad_input_with_documented_codes_writing_nothing() {
    let env = Env::new();
    env.add_gpu("n1", "GPU-0001", 0, "L4");
    let before = env.store_snapshot();
    let cases: &[(&[&str], i32, &str)] = &[
        (
            &[
                "device", "add", "0001", "--node", "n1", "--index", "1", "--model", "L4",
            ],
            2,
            "'0001'",
        ),
        (
            &[
                "device",
                "add",
                "GPU-0002",
                "--node",
                "n1",
                "--index",
                "1",
                "--model",
                "L4",
                "--pci-bus-id",
                "zz",
            ],
            2,
            "'zz'",
        ),
        (
            &[
                "device", "add", "GPU-0002", "--node", "nx", "--index", "1", "--model", "L4",
            ],
            3,
            "'nx'",
        ),
        (
            &[
                "device", "add", "GPU-0002", "--node", "n1", "--index", "1", "--model", "Z9",
            ],
            3,
            "'Z9'",
        ),
        (
            &[
                "device", "add", "GPU-0001", "--node", "n1", "--index", "1", "--model", "L4",
            ],
            4,
            "'GPU-0001' already exists",
        ),
        (
            &[
                "device", "add", "GPU-0002", "--node", "n1", "--index", "0", "--model", "L4",
            ],
            4,
            "index 0",
        ),
        (&["device", "show", "GPU-9999"], 3, "'GPU-9999'"),
        (&["device", "set-status", "GPU-0001", "melted"], 2, "melted"),
        (&["device", "remove", "GPU-9999"], 3, "'GPU-9999'"),
    ];
    for (args, code, words) in cases {
        let stderr = env.fails(args, *code);
        assert!(error_line(&stderr).contains(words), "{args:?}: {stderr}");
    }
    assert_eq!(env.store_snapshot(), before);
}

#[test]
fn device_update_changes_only_given_fields() {
    let env = Env::new();
    env.add_gpu("n1", "GPU-0001", 0, "L4");
    env.ok(&[
        "device", "update", "GPU-0001", "--serial", "S1", "--index", "3",
    ]);
    let gpu = env.json(&["device", "show", "GPU-0001"]);
    assert_eq!(gpu["serial"], "S1");
    assert_eq!(gpu["index"], 3);
    assert_eq!(gpu["model"], "NVIDIA L4");
    env.add_gpu("n1", "GPU-0002", 0, "L4");
    let before = env.store_snapshot();
    let stderr = env.fails(&["device", "update", "GPU-0002", "--index", "3"], 4);
    assert!(
        error_line(&stderr).contains("GPU-0001 at index 3"),
        "{stderr}"
    );
    env.fails(&["device", "update", "GPU-0002", "--model", "nope"], 3);
    env.fails(&["device", "update", "GPU-9999", "--serial", "x"], 3);
    assert_eq!(env.store_snapshot(), before);
}

#[test]
fn device_remove_refuses_a_leased_gpu_and_node_remove_counts_it() {
    let env = Env::new();
    env.add_gpu("n1", "GPU-0001", 0, "L4");
    env.ok(&[
        "alloc", "create", "--device", "GPU-0001", "--owner", "a", "--for", "1h",
    ]);
    let before = env.store_snapshot();
    let stderr = env.fails(&["device", "remove", "GPU-0001"], 4);
    assert!(error_line(&stderr).contains("active lease"), "{stderr}");
    let stderr = env.fails(&["node", "remove", "n1"], 4);
    assert!(
        error_line(&stderr).contains("1 GPU(s) and 1 active lease(s)"),
        "{stderr}"
    );
    assert_eq!(env.store_snapshot(), before);
}
