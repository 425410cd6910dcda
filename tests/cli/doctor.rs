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
    let mut collect = env.process(&["collect", "--source", "nvml", "--node", "n1"]);
    collect
        .env("GPUCTL_NVML_LIB", fake_nvml_library())
        .env("FAKE_NVML_FIXTURE", fixture("nvml/fleet.json"));
    assert!(collect.output().unwrap().status.success());
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

#[test]
fn doctor_without_any_gpu_source_exits_6() {
    let env = Env::new();
    let output = doctor(&env, false, &[]);
    assert_eq!(output.status.code(), Some(6));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        error_line(&stderr),
        "no GPU source: neither NVML nor nvidia-smi can read the GPUs"
    );
    let checks: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(status_of(&checks, "nvml").0, "warn");
    assert!(status_of(&checks, "nvml")
        .1
        .contains("no NVIDIA driver found"));
    assert_eq!(
        status_of(&checks, "last collect"),
        ("warn", "never ran on this store")
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
