//! `gpuctl node import|sync|drift` against node lists shaped like Kubernetes' and GFD's docs.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use crate::harness::{error_line, Env};

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/kube")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn plan_actions(plan: &serde_json::Value) -> Vec<(String, String)> {
    plan.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["node"].as_str().unwrap().to_string(),
                r["action"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn import_creates_nodes_with_status_roles_versions_and_gpus() {
    let env = Env::new();
    let plan = env.json(&[
        "node",
        "import",
        &fixture("nodes.json"),
        "--cluster",
        "prod",
    ]);
    assert_eq!(plan.as_array().unwrap().len(), 6);
    assert!(plan_actions(&plan).iter().all(|(_, a)| a == "create"));
    let node = env.json(&["node", "show", "h100-a-01"]);
    assert_eq!(node["cluster"], "prod");
    assert_eq!(node["status"], "ready");
    assert_eq!(node["ip"], "10.0.1.1");
    assert_eq!(node["role"], "gpu-worker");
    assert_eq!(node["gpus"], 8);
    assert_eq!(node["gpus_allocatable"], 8);
    assert_eq!(node["driver"], "550.54.15");
    assert_eq!(node["cuda"], "12.4");
    assert_eq!(node["kubelet"], "v1.30.2");
    assert_eq!(node["os"], "Ubuntu 22.04.4 LTS");
    assert_eq!(node["kernel"], "5.15.0-105-generic");
    assert_eq!(
        node["labels"]["nvidia.com/gpu.product"],
        "NVIDIA-H100-80GB-HBM3"
    );
    assert_eq!(node["history"][0]["reason"], "kubernetes import");
    assert_eq!(
        env.json(&["node", "show", "h100-a-02"])["status"],
        "cordoned"
    );
    let not_ready = env.json(&["node", "show", "h100-a-03"]);
    assert_eq!(not_ready["status"], "not-ready");
    assert_eq!(not_ready["gpus_allocatable"], 0);
    let cpu = env.json(&["node", "show", "cpu-01"]);
    assert_eq!(cpu["gpus"], 0);
    assert_eq!(cpu["role"], "control-plane");
    assert_eq!(env.json(&["node", "show", "a100-mig-mixed"])["gpus"], 4);
    assert_eq!(
        env.json(&["node", "show", "a100-mig-single"])["gpus"],
        0,
        "unknown under MIG single"
    );
}

#[test]
fn import_again_is_unchanged_and_a_changed_list_updates_with_history() {
    let mut env = Env::new();
    env.ok(&[
        "node",
        "import",
        &fixture("nodes.json"),
        "--cluster",
        "prod",
        "-q",
    ]);
    let again = env.json(&["node", "import", &fixture("nodes.json")]);
    assert!(
        plan_actions(&again).iter().all(|(_, a)| a == "unchanged"),
        "{again}"
    );
    env.set_now("2026-11-29T11:00:00Z");
    let dry = env.json(&[
        "node",
        "import",
        &fixture("nodes-changed.json"),
        "--cluster",
        "prod",
        "--prune",
        "--dry-run",
    ]);
    let before = env.store_snapshot();
    let changes: Vec<(String, String, String)> = dry
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["action"] != "unchanged")
        .map(|r| {
            (
                r["node"].as_str().unwrap().into(),
                r["action"].as_str().unwrap().into(),
                r["field"].as_str().unwrap_or("-").into(),
            )
        })
        .collect();
    assert!(
        changes.contains(&("h100-a-01".into(), "update".into(), "gpus".into())),
        "{changes:?}"
    );
    assert!(
        changes.contains(&(
            "h100-a-01".into(),
            "update".into(),
            "label:nvidia.com/gpu.count".into()
        )),
        "{changes:?}"
    );
    assert!(
        changes.contains(&("h100-a-02".into(), "update".into(), "status".into())),
        "{changes:?}"
    );
    assert!(
        changes.contains(&("cpu-01".into(), "decommission".into(), "status".into())),
        "{changes:?}"
    );
    assert_eq!(env.store_snapshot(), before, "a dry run writes nothing");
    env.ok(&[
        "node",
        "import",
        &fixture("nodes-changed.json"),
        "--cluster",
        "prod",
        "--prune",
        "-q",
    ]);
    assert_eq!(env.json(&["node", "show", "h100-a-01"])["gpus"], 7);
    assert_eq!(env.json(&["node", "show", "h100-a-02"])["status"], "ready");
    assert_eq!(
        env.json(&["node", "show", "cpu-01"])["status"],
        "decommissioned"
    );
    let history = env.json(&["node", "history", "h100-a-01", "--since", "1h"]);
    let gpus = history
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["field"] == "gpus")
        .unwrap();
    assert_eq!(
        (gpus["old_value"].as_str(), gpus["new_value"].as_str()),
        (Some("8"), Some("7"))
    );
    assert_eq!(gpus["reason"], "kubernetes import");
}

#[test]
fn import_keeps_maintenance_set_in_the_inventory() {
    let env = Env::new();
    env.ok(&[
        "node",
        "import",
        &fixture("nodes.json"),
        "--cluster",
        "prod",
        "-q",
    ]);
    env.ok(&["node", "set-status", "h100-a-01", "maintenance", "-q"]);
    env.ok(&["node", "import", &fixture("nodes.json"), "-q"]);
    assert_eq!(
        env.json(&["node", "show", "h100-a-01"])["status"],
        "maintenance"
    );
}

#[test]
fn import_reads_a_single_node_from_stdin() {
    let env = Env::new();
    let text = std::fs::read_to_string(fixture("node-single.json")).unwrap();
    let output = env
        .cmd(&["node", "import", "-", "--cluster", "lab", "-o", "json"])
        .write_stdin(text)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(env.json(&["node", "show", "h100-a-01"])["cluster"], "lab");
}

#[test]
fn import_refuses_malformed_documents_and_writes_nothing() {
    let env = Env::new();
    env.ok(&["node", "add", "keep-me", "--cluster", "prod", "-q"]);
    let before = env.store_snapshot();
    let cases = [
        (
            "wrong-kind.json",
            "kind: expected List, NodeList or Node, found 'PodList'",
        ),
        ("missing-name.json", "items[2].metadata.name: missing"),
        (
            "bad-quantity.json",
            "items[1].status.capacity[\"nvidia.com/gpu\"]: 'eight' is not a whole number",
        ),
    ];
    for (file, expected) in cases {
        let stderr = env.fails(&["node", "import", &fixture(file), "--cluster", "prod"], 2);
        assert!(error_line(&stderr).contains(expected), "{file}: {stderr}");
        assert!(
            error_line(&stderr).contains(file),
            "names the file: {stderr}"
        );
    }
    let not_json = env.dir().join("not.json");
    std::fs::write(&not_json, "{\"kind\": ").unwrap();
    let stderr = env.fails(
        &[
            "node",
            "import",
            not_json.to_str().unwrap(),
            "--cluster",
            "prod",
        ],
        2,
    );
    assert!(error_line(&stderr).contains("not JSON (line 1"), "{stderr}");
    let stderr = env.fails(&["node", "import", &fixture("nodes.json")], 2);
    assert!(
        error_line(&stderr).contains("give --cluster for new nodes"),
        "{stderr}"
    );
    env.fails(
        &["node", "import", "/no/such/file.json", "--cluster", "prod"],
        2,
    );
    assert_eq!(env.store_snapshot(), before);
}

#[test]
fn drift_shows_disagreements_without_writing() {
    let env = Env::new();
    env.init_store();
    env.ok(&[
        "node",
        "import",
        &fixture("nodes.json"),
        "--cluster",
        "prod",
        "-q",
    ]);
    env.ok(&["node", "add", "ghost-01", "--cluster", "prod", "-q"]);
    env.ok(&["node", "update", "h100-a-03", "--gpus", "4", "-q"]);
    let before = env.store_snapshot();
    let drift = env.json_with_exit(
        &[
            "node",
            "drift",
            "--cluster",
            "prod",
            &fixture("nodes-changed.json"),
        ],
        1,
    );
    let rows: Vec<(String, String, String, String)> = drift
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["node"].as_str().unwrap().into(),
                r["kind"].as_str().unwrap().into(),
                r["inventory"].as_str().unwrap_or("-").into(),
                r["cluster"].as_str().unwrap_or("-").into(),
            )
        })
        .collect();
    assert!(
        rows.contains(&("h100-a-01".into(), "gpus".into(), "8".into(), "7".into())),
        "{rows:?}"
    );
    assert!(
        rows.contains(&(
            "h100-a-02".into(),
            "status".into(),
            "cordoned".into(),
            "ready".into()
        )),
        "{rows:?}"
    );
    assert!(
        rows.contains(&("h100-a-03".into(), "gpus".into(), "4".into(), "8".into())),
        "{rows:?}"
    );
    assert!(
        rows.contains(&(
            "cpu-01".into(),
            "missing-in-cluster".into(),
            "ready".into(),
            "-".into()
        )),
        "{rows:?}"
    );
    assert!(
        rows.contains(&(
            "ghost-01".into(),
            "missing-in-cluster".into(),
            "ready".into(),
            "-".into()
        )),
        "{rows:?}"
    );
    assert!(
        rows.contains(&(
            "a100-mig-mixed".into(),
            "mig".into(),
            "none".into(),
            "7x1g.10gb,2x3g.40gb".into()
        )),
        "{rows:?}"
    );
    assert!(
        rows.contains(&(
            "a100-mig-single".into(),
            "mig".into(),
            "none".into(),
            "56x1g.5gb".into()
        )),
        "{rows:?}"
    );
    assert_eq!(env.store_snapshot(), before);
    let fresh = Env::new();
    fresh.init_store();
    let missing = fresh.json_with_exit(
        &[
            "node",
            "drift",
            "--cluster",
            "prod",
            &fixture("node-single.json"),
        ],
        1,
    );
    assert_eq!(missing[0]["kind"], "missing-in-inventory");
}

#[test]
fn drift_exits_0_when_inventory_and_cluster_agree_and_1_when_they_differ() {
    let env = Env::new();
    let single = fixture("node-single.json");
    env.ok(&["node", "import", &single, "--cluster", "prod", "-q"]);
    let output = env
        .cmd(&["node", "drift", "--cluster", "prod", &single])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.ends_with("inventory and cluster prod agree\n"),
        "{stdout}"
    );
    assert!(output.stderr.is_empty());
    assert_eq!(
        env.json(&["node", "drift", "--cluster", "prod", &single]),
        serde_json::json!([])
    );

    // As diff: the rows on stdout, exit 1, and no error line on stderr.
    let all = fixture("nodes.json");
    let output = env
        .cmd(&["node", "drift", "--cluster", "prod", &all])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("h100-a-02        missing-in-inventory"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("5 difference(s) with cluster prod\n"),
        "{stdout}"
    );
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
    let output = env
        .cmd(&["node", "drift", "--cluster", "prod", &all, "-o", "csv"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&output.stdout).lines().count(), 6);
    assert!(output.stderr.is_empty());
    let rows = env.json_with_exit(&["node", "drift", "--cluster", "prod", &all], 1);
    assert_eq!(rows.as_array().unwrap().len(), 5);

    // Failures keep their own codes, with their error line.
    env.fails(&["node", "drift", "--cluster", "prod", "/no/such.json"], 2);
}

/// A stand-in kubectl that records its argv and prints a fixture.
fn fake_kubectl(env: &Env) -> String {
    let path = env.dir().join("kubectl");
    std::fs::write(
        &path,
        format!(
            "#!/bin/sh\necho \"$@\" > '{}'\ncat '{}'\n",
            env.dir().join("kubectl-args").display(),
            fixture("nodes.json")
        ),
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn sync_runs_kubectl_with_context_and_imports() {
    let env = Env::new();
    let kubectl = fake_kubectl(&env);
    env.ok(&[
        "node",
        "sync",
        "--cluster",
        "prod",
        "--kubectl",
        &kubectl,
        "--context",
        "prod-admin",
        "--kubeconfig",
        "/etc/kube/prod",
        "-q",
    ]);
    let args = std::fs::read_to_string(env.dir().join("kubectl-args")).unwrap();
    assert_eq!(
        args.trim(),
        "get nodes -o json --context prod-admin --kubeconfig /etc/kube/prod"
    );
    assert_eq!(
        env.json(&["node", "list", "--cluster", "prod"])
            .as_array()
            .unwrap()
            .len(),
        6
    );
    let drift = env.json_with_exit(
        &["node", "drift", "--cluster", "prod", "--kubectl", &kubectl],
        1,
    );
    assert!(
        drift.as_array().unwrap().iter().all(|r| r["kind"] == "mig"),
        "only MIG layout differs: {drift}"
    );
}

#[test]
fn sync_without_kubectl_is_a_clear_error() {
    let env = Env::new();
    let stderr = env.fails(
        &[
            "node",
            "sync",
            "--cluster",
            "prod",
            "--kubectl",
            "/no/such/kubectl",
        ],
        1,
    );
    assert_eq!(error_line(&stderr), "kubectl not found: '/no/such/kubectl'");
    assert!(stderr.contains("hint: "), "{stderr}");
}
