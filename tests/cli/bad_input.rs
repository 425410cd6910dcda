//! Input that used to be accepted and should not be: each is refused with one line naming the
//! value, a usage exit (2), and nothing changed in the store.

use std::time::{Duration, Instant};

use crate::harness::{error_line, fixture, Env};

const GPU: &str = "GPU-8a1c5c3e-0d6a-4f0e-9d1e-2b6f3c4d5e60";

/// A store that already holds one node and one replayed GPU, so a refused run can be shown to
/// change nothing.
fn store_with_a_replay(env: &Env) -> Vec<String> {
    collect_csv(env, &format!("uuid, utilization.gpu\n{GPU}, 10\n"), 0);
    env.store_snapshot()
}

/// Replays `text` as an nvidia-smi CSV and asserts the exit code; returns stderr.
fn collect_csv(env: &Env, text: &str, code: i32) -> String {
    let path = env.dir().join("replay.csv");
    std::fs::write(&path, text).unwrap();
    let args = [
        "collect",
        "--input",
        path.to_str().unwrap(),
        "--node",
        "n1",
        "--cluster",
        "c",
    ];
    if code == 0 {
        env.ok(&args);
        return String::new();
    }
    env.fails(&args, code)
}

#[test]
fn collect_input_refuses_a_uuid_that_is_not_a_gpu_or_mig_uuid() {
    let env = Env::new();
    let before = store_with_a_replay(&env);
    let long = format!("GPU-{}", "a".repeat(2_000));
    for uuid in [
        "hello",
        "GPU-x'; DROP TABLE nodes; --",
        "$(reboot)",
        long.as_str(),
    ] {
        let stderr = collect_csv(&env, &format!("uuid, utilization.gpu\n{uuid}, 10\n"), 2);
        assert!(error_line(&stderr).contains("uuid"), "{stderr}");
        assert!(error_line(&stderr).contains("replay.csv:2:"), "{stderr}");
        assert!(stderr.len() < 1_000, "{} bytes of error", stderr.len());
    }
    assert_eq!(env.store_snapshot(), before);
    // MIG devices have their own UUIDs, in the current and the pre-R470 forms.
    collect_csv(
        &env,
        "uuid, utilization.gpu\nMIG-1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901, 10\n\
         MIG-GPU-8a1c5c3e-0d6a-4f0e-9d1e-2b6f3c4d5e60/1/0, 20\n",
        0,
    );
}

#[test]
fn collect_input_refuses_values_outside_physical_ranges_naming_them() {
    let env = Env::new();
    let before = store_with_a_replay(&env);
    for (column, value) in [
        ("utilization.gpu [%]", "250 %"),
        ("utilization.memory", "101"),
        ("fan.speed", "400"),
        ("memory.used [MiB]", "1e20"),
        ("memory.total", "99999999999"),
        ("temperature.gpu", "500"),
        ("power.draw [W]", "1000000 W"),
        ("enforced.power.limit", "9e9"),
        ("clocks.current.sm", "1000000"),
    ] {
        let stderr = collect_csv(&env, &format!("uuid, {column}\n{GPU}, {value}\n"), 2);
        let line = error_line(&stderr);
        let field = column.split(' ').next().unwrap();
        assert!(line.contains(field), "{column}: {stderr}");
        assert!(line.contains(&format!("'{value}'")), "{column}: {stderr}");
        assert!(line.contains("replay.csv:2:"), "{column}: {stderr}");
    }
    assert_eq!(env.store_snapshot(), before);
}

#[test]
fn collect_input_keeps_every_not_available_form_as_null() {
    let env = Env::new();
    collect_csv(
        &env,
        &format!(
            "uuid, utilization.gpu, memory.used, temperature.gpu, power.draw, fan.speed\n\
             {GPU}, [N/A], N/A, [Not Supported], [Unknown Error], [Insufficient Permissions]\n"
        ),
        0,
    );
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let nulls: i64 = conn
        .query_row(
            "SELECT count(*) FROM samples WHERE gpu_util IS NULL AND mem_used_mib IS NULL
             AND temp_c IS NULL AND power_mw IS NULL AND fan_pct IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(nulls, 1);
}

#[test]
fn collect_input_refuses_an_overlong_cell_or_line() {
    let env = Env::new();
    let before = store_with_a_replay(&env);
    let name = "N".repeat(10 * 1024 * 1024);
    let stderr = collect_csv(&env, &format!("uuid, name\n{GPU}, {name}\n"), 2);
    assert!(error_line(&stderr).contains("replay.csv:2:"), "{stderr}");
    assert!(error_line(&stderr).contains("longer than"), "{stderr}");
    assert!(stderr.len() < 1_000, "{} bytes of error", stderr.len());
    let cell = "N".repeat(2_000);
    let stderr = collect_csv(&env, &format!("uuid, name\n{GPU}, {cell}\n"), 2);
    assert!(error_line(&stderr).contains("name"), "{stderr}");
    assert!(
        error_line(&stderr).contains("(2000 characters)"),
        "{stderr}"
    );
    assert_eq!(env.store_snapshot(), before);
}

#[test]
fn collect_input_from_dev_zero_ends_quickly_with_an_error() {
    let env = Env::new();
    let start = Instant::now();
    let output = env
        .cmd(&[
            "collect",
            "--input",
            "/dev/zero",
            "--node",
            "n1",
            "--cluster",
            "c",
        ])
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(error_line(&stderr).contains("/dev/zero"), "{stderr}");
    assert!(start.elapsed() < Duration::from_secs(20));
}

#[test]
fn collect_input_refuses_more_gpus_in_one_moment_than_a_node_has() {
    let env = Env::new();
    let before = store_with_a_replay(&env);
    let mut text = String::from("uuid, utilization.gpu\n");
    for i in 0..1_100 {
        text.push_str(&format!("GPU-{i:08x}-0000-0000-0000-000000000000, 1\n"));
    }
    let stderr = collect_csv(&env, &text, 2);
    assert!(error_line(&stderr).contains("1024"), "{stderr}");
    assert_eq!(env.store_snapshot(), before);
}

/// A `kubectl get nodes -o json` document of one node, with `edit` applied to it.
fn kube_node(env: &Env, edit: impl FnOnce(&mut serde_json::Value)) -> String {
    let text = std::fs::read_to_string(fixture("kube/node-single.json")).unwrap();
    let mut node: serde_json::Value = serde_json::from_str(&text).unwrap();
    edit(&mut node);
    let path = env.dir().join("node.json");
    std::fs::write(&path, node.to_string()).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn node_import_refuses_an_absurd_gpu_capacity_naming_value_and_node() {
    let env = Env::new();
    env.ok(&["node", "add", "keep-me", "--cluster", "prod", "-q"]);
    let before = env.store_snapshot();
    let path = kube_node(&env, |n| {
        n["status"]["capacity"]["nvidia.com/gpu"] = "9223372036854775807".into();
    });
    let stderr = env.fails(&["node", "import", &path, "--cluster", "prod"], 2);
    let line = error_line(&stderr);
    assert!(line.contains("9223372036854775807"), "{stderr}");
    assert!(line.contains("h100-a-01"), "{stderr}");
    assert!(line.contains("1024"), "{stderr}");
    let path = kube_node(&env, |n| {
        n["metadata"]["labels"]["nvidia.com/gpu.count"] = "100000".into();
        n["status"]["capacity"] = serde_json::json!({});
    });
    let stderr = env.fails(&["node", "import", &path, "--cluster", "prod"], 2);
    assert!(error_line(&stderr).contains("100000"), "{stderr}");
    assert_eq!(env.store_snapshot(), before);
}

#[test]
fn node_import_refuses_node_info_with_control_characters() {
    let env = Env::new();
    env.ok(&["node", "add", "keep-me", "--cluster", "prod", "-q"]);
    let before = env.store_snapshot();
    for field in ["osImage", "kernelVersion", "kubeletVersion"] {
        let path = kube_node(&env, |n| {
            n["status"]["nodeInfo"][field] = "Ubuntu\n\x1b]52;c;cHduZWQ=\x07".into();
        });
        let stderr = env.fails(&["node", "import", &path, "--cluster", "prod"], 2);
        let line = error_line(&stderr);
        assert!(line.contains(field), "{stderr}");
        assert!(line.contains("h100-a-01"), "{stderr}");
        assert!(line.contains(r"Ubuntu\n\e]52"), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr:?}");
    }
    assert_eq!(env.store_snapshot(), before);
}

#[test]
fn node_import_from_dev_zero_ends_with_an_error() {
    let env = Env::new();
    let output = env
        .cmd(&["node", "import", "/dev/zero", "--cluster", "prod"])
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        error_line(&stderr).contains("'/dev/zero' is larger than 512 MiB"),
        "{stderr}"
    );
}

#[test]
fn node_list_past_every_page_is_empty_with_a_true_footer() {
    let env = Env::new();
    env.ok(&["node", "add", "n1", "--cluster", "c", "-q"]);
    env.ok(&["node", "add", "n2", "--cluster", "c", "-q"]);
    let text = env.ok(&[
        "node",
        "list",
        "--limit",
        "4294967295",
        "--page",
        "4294967295",
    ]);
    assert!(!text.contains("n1"), "page 1 shown again: {text}");
    assert!(!text.contains('-') || !text.contains("–-"), "{text}");
    assert_eq!(
        text.lines().last(),
        Some("no nodes on this page (2 nodes in all)"),
        "{text}"
    );
    let json = env.json(&[
        "node",
        "list",
        "--limit",
        "4294967295",
        "--page",
        "4294967295",
    ]);
    assert_eq!(json, serde_json::json!([]));
}

#[test]
fn dashboard_trends_bounds_the_window_and_the_number_of_buckets() {
    let env = Env::new();
    env.ok(&["node", "add", "n1", "--cluster", "c", "-q"]);
    let stderr = env.fails(&["dashboard", "trends", "--since", "30000w"], 2);
    assert!(error_line(&stderr).contains("30000w"), "{stderr}");
    let stderr = env.fails(
        &["dashboard", "trends", "--since", "1000w", "--bucket", "1s"],
        2,
    );
    let line = error_line(&stderr);
    assert!(line.contains("1000w") && line.contains("1s"), "{stderr}");
    assert!(line.contains("10000"), "{stderr}");
    assert!(
        stderr.contains("hint:") && stderr.contains("--bucket"),
        "{stderr}"
    );
    // The largest allowed still answers.
    env.ok(&["dashboard", "trends", "--since", "10000h", "--bucket", "1h"]);
}

#[test]
fn doctor_with_a_relative_db_reports_the_real_directory() {
    let env = Env::new();
    let work = env.dir().join("work");
    std::fs::create_dir(&work).unwrap();
    std::fs::set_permissions(&work, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let output = env
        .cmd(&[
            "--db",
            "rel.db",
            "doctor",
            "--smi-command",
            "/no/such/nvidia-smi",
            "-o",
            "json",
        ])
        .current_dir(&work)
        .env("GPUCTL_NVML_LIB", env.dir().join("missing-libnvidia-ml.so"))
        .output()
        .unwrap();
    let checks: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let permissions = checks
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "permissions")
        .unwrap_or_else(|| panic!("{checks}"));
    assert_eq!(permissions["status"], "ok", "{checks}");
    assert_eq!(permissions["detail"], "directory 700, file 600", "{checks}");
}

#[test]
fn collect_input_refuses_readings_from_the_future_or_before_1970() {
    let env = Env::new();
    let before = store_with_a_replay(&env);
    let future = collect_csv(
        &env,
        &format!("timestamp, uuid, utilization.gpu [%]\n9999/12/31 23:59:59.000, {GPU}, 5 %\n"),
        2,
    );
    assert!(
        error_line(&future).contains("'9999/12/31 23:59:59.000' is outside the years 1970–2199"),
        "{future}"
    );
    let tomorrow = collect_csv(
        &env,
        &format!("timestamp, uuid, utilization.gpu [%]\n2026/12/01 10:00:01.000, {GPU}, 5 %\n"),
        2,
    );
    assert!(
        error_line(&tomorrow).contains(
            "a reading at 2026-12-01T10:00:01Z is more than a day after now (2026-11-29T10:00:00Z)"
        ),
        "{tomorrow}"
    );
    let ancient = collect_csv(
        &env,
        &format!("timestamp, uuid, utilization.gpu [%]\n1000/01/01 00:00:00.000, {GPU}, 5 %\n"),
        2,
    );
    assert!(
        error_line(&ancient).contains("outside the years"),
        "{ancient}"
    );
    assert_eq!(env.store_snapshot(), before);
}

#[test]
fn a_time_flag_past_2199_a_bad_namespace_or_a_huge_search_is_a_usage_error() {
    let env = Env::new();
    env.init_store();
    let before = env.store_snapshot();
    let until = env.fails(
        &[
            "alloc",
            "create",
            "--owner",
            "a",
            "--until",
            "9999-12-31T23:59:59Z",
        ],
        2,
    );
    assert!(
        error_line(&until).contains("outside the years 1970–2199"),
        "{until}"
    );
    let namespace = env.fails(
        &[
            "alloc",
            "create",
            "--owner",
            "a",
            "--for",
            "1h",
            "--namespace",
            "NS WITH SPACES",
        ],
        2,
    );
    assert!(
        error_line(&namespace)
            .contains("invalid namespace 'NS WITH SPACES': must be a DNS-1123 label"),
        "{namespace}"
    );
    let huge = "x".repeat(100_000);
    let search = env.fails(&["node", "list", "--search", &huge], 2);
    assert!(
        error_line(&search).contains("is longer than 256 characters"),
        "{search}"
    );
    assert!(
        search.len() < 1_000,
        "the value is quoted short: {} bytes",
        search.len()
    );
    assert_eq!(env.store_snapshot(), before);
}

#[test]
fn collect_input_of_a_directory_with_one_node_is_a_usage_error() {
    let env = Env::new();
    let before = store_with_a_replay(&env);
    let dir = env.dir().to_str().unwrap().to_string();
    let stderr = env.fails(&["collect", "--input", &dir, "--node", "n1"], 2);
    assert!(
        error_line(&stderr).contains("is a directory of recordings, each named after its node"),
        "{stderr}"
    );
    assert_eq!(env.store_snapshot(), before);
}
