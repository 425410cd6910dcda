//! `gpuctl doctor`.

use std::os::unix::fs::PermissionsExt;

use crate::harness::{error_line, fake_nvml_library, fixture, Env};

fn doctor(env: &Env, with_nvml: bool, args: &[&str]) -> std::process::Output {
    let mut all = vec![
        "doctor",
        "--smi-command",
        "/no/such/nvidia-smi",
        "-o",
        "json",
    ];
    all.extend(args);
    let mut cmd = env.process(&all);
    if with_nvml {
        cmd.env("GPUCTL_NVML_LIB", fake_nvml_library())
            .env("FAKE_NVML_FIXTURE", fixture("nvml/fleet.json"));
    } else {
        cmd.env("GPUCTL_NVML_LIB", env.dir().join("missing-libnvidia-ml.so"));
    }
    cmd.output().unwrap()
}

fn status_of<'a>(checks: &'a serde_json::Value, name: &str) -> (&'a str, &'a str) {
    let check = checks
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == name)
        .unwrap_or_else(|| panic!("no check {name}: {checks}"));
    (
        check["status"].as_str().unwrap(),
        check["detail"].as_str().unwrap(),
    )
}

#[test]
fn doctor_is_healthy_after_a_collect() {
    let env = Env::new();
    collect_local_gpus(&env);
    let output = doctor(&env, true, &[]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let checks: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        status_of(&checks, "permissions"),
        ("ok", "directory 700, file 600")
    );
    assert_eq!(status_of(&checks, "journal"), ("ok", "WAL"));
    assert_eq!(status_of(&checks, "schema").0, "ok");
    assert_eq!(
        status_of(&checks, "nvml"),
        ("ok", "driver 550.54.15, 3 GPU(s)")
    );
    assert_eq!(
        status_of(&checks, "last collect"),
        ("ok", "last success 2026-11-29T10:00:00Z (just now)")
    );
    assert_eq!(status_of(&checks, "nvidia-smi").0, "warn");
}

/// Collects the fake NVML fleet as node `n1`: this host's GPUs now feed the store.
fn collect_local_gpus(env: &Env) {
    let mut collect = env.process(&["collect", "--source", "nvml", "--node", "n1"]);
    collect
        .env("GPUCTL_NVML_LIB", fake_nvml_library())
        .env("FAKE_NVML_FIXTURE", fixture("nvml/fleet.json"));
    assert!(collect.output().unwrap().status.success());
}

fn checks_of(output: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn doctor_on_an_admin_host_without_gpus_skips_the_sources_and_exits_0() {
    let env = Env::new();
    env.ok(&[
        "node",
        "import",
        fixture("kube/nodes.json").to_str().unwrap(),
        "--cluster",
        "prod",
        "-q",
    ]);
    let output = doctor(&env, false, &[]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.stderr.is_empty());
    let checks = checks_of(&output);
    assert_eq!(status_of(&checks, "nvml").0, "skip");
    assert!(status_of(&checks, "nvml")
        .1
        .contains("no NVIDIA driver found"));
    assert_eq!(status_of(&checks, "nvidia-smi").0, "skip");
    assert_eq!(
        status_of(&checks, "gpu source"),
        (
            "skip",
            "no local GPU: fine for an admin host whose store is fed by imports or Prometheus; --require-gpu makes it fatal"
        )
    );
    assert_eq!(
        status_of(&checks, "last collect"),
        ("skip", "never ran on this store")
    );
    // A replayed recording is not this host's GPUs either.
    env.ok(&[
        "collect",
        "--input",
        fixture("replay/h100_with_units.csv").to_str().unwrap(),
        "--node",
        "replayed",
    ]);
    assert_eq!(doctor(&env, false, &[]).status.code(), Some(0));
}

#[test]
fn doctor_with_require_gpu_and_no_gpu_source_exits_6() {
    let env = Env::new();
    env.init_store();
    let output = doctor(&env, false, &["--require-gpu"]);
    assert_eq!(output.status.code(), Some(6));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        error_line(&stderr),
        "no GPU source: neither NVML nor nvidia-smi can read the GPUs"
    );
    let checks = checks_of(&output);
    assert_eq!(status_of(&checks, "nvml").0, "warn");
    assert_eq!(
        status_of(&checks, "gpu source"),
        ("fail", "none usable, and --require-gpu was given")
    );
    assert_eq!(
        status_of(&checks, "last collect"),
        ("warn", "never ran on this store")
    );
    // With a source, the flag asks nothing more.
    assert_eq!(
        doctor(&env, true, &["--require-gpu"]).status.code(),
        Some(0)
    );
}

#[test]
fn doctor_on_a_gpu_node_whose_sources_went_away_exits_6() {
    let mut env = Env::new();
    collect_local_gpus(&env);
    env.set_now("2026-11-29T10:05:00Z");
    let output = doctor(&env, false, &[]);
    assert_eq!(output.status.code(), Some(6));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        error_line(&stderr),
        "no GPU source: neither NVML nor nvidia-smi can read the GPUs"
    );
    let checks = checks_of(&output);
    assert_eq!(status_of(&checks, "nvml").0, "warn");
    assert_eq!(
        status_of(&checks, "gpu source"),
        (
            "fail",
            "none usable, and a collect read node n1's GPUs here with nvml (5m ago)"
        )
    );

    // A store from before the local collect was kept as a setting: its collect.run events say it.
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute("DELETE FROM settings WHERE key LIKE 'collect.local_%'", [])
        .unwrap();
    drop(conn);
    let output = doctor(&env, false, &[]);
    assert_eq!(output.status.code(), Some(6));
    assert_eq!(
        status_of(&checks_of(&output), "gpu source").1,
        "none usable, and a collect read node n1's GPUs here with nvml (5m ago)"
    );
}

#[test]
fn doctor_after_a_failed_live_collect_exits_6() {
    let env = Env::new();
    // Only a live collect records a failed run: something here tries to read GPUs.
    env.fails(
        &[
            "collect",
            "--source",
            "nvidia-smi",
            "--smi-command",
            "/no/such/nvidia-smi",
            "--node",
            "n1",
        ],
        6,
    );
    let output = doctor(&env, false, &[]);
    assert_eq!(output.status.code(), Some(6));
    assert_eq!(
        status_of(&checks_of(&output), "gpu source"),
        (
            "fail",
            "none usable, and the last collect on this store failed to read this host's GPUs"
        )
    );
}

#[test]
fn doctor_warns_about_loose_permissions_and_a_stale_collect() {
    let mut env = Env::new();
    let mut collect = env.process(&["collect", "--source", "nvml", "--node", "n1"]);
    collect
        .env("GPUCTL_NVML_LIB", fake_nvml_library())
        .env("FAKE_NVML_FIXTURE", fixture("nvml/fleet.json"));
    assert!(collect.output().unwrap().status.success());
    std::fs::set_permissions(env.db(), std::fs::Permissions::from_mode(0o644)).unwrap();
    env.set_now("2026-11-29T11:00:00Z");
    let output = doctor(&env, true, &[]);
    assert_eq!(output.status.code(), Some(0));
    let checks: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(status_of(&checks, "permissions").0, "warn");
    assert!(status_of(&checks, "permissions").1.contains("file 644"));
    assert_eq!(
        status_of(&checks, "last collect"),
        ("warn", "last success 2026-11-29T10:00:00Z (1h ago)")
    );
}

#[test]
fn doctor_on_a_store_from_a_newer_gpuctl_exits_5() {
    let env = Env::new();
    env.init_store();
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.pragma_update(None, "user_version", 999).unwrap();
    drop(conn);
    let output = doctor(&env, true, &[]);
    assert_eq!(output.status.code(), Some(5));
    let checks: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(status_of(&checks, "store").0, "fail");
}
