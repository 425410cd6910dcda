//! `gpuctl collect` end to end: the fake NVML library, fake nvidia-smi scripts and replays.

use std::os::unix::fs::PermissionsExt;

use crate::harness::{error_line, fake_nvml_library, fixture, Env};

const H100: &str = "GPU-8a1c5c3e-0d6a-4f0e-9d1e-2b6f3c4d5e60";
const L4: &str = "GPU-1f2e3d4c-5b6a-7980-a1b2-c3d4e5f60718";
const A100_MIG: &str = "GPU-0a9b8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d";

/// `gpuctl collect ARGS` reading the fake NVML library with `nvml_fixture`.
fn collect_nvml(env: &Env, nvml_fixture: &str, args: &[&str]) -> std::process::Output {
    let mut all = vec![
        "collect",
        "--source",
        "nvml",
        "--node",
        "gpu-node-1",
        "--cluster",
        "lab",
    ];
    all.extend(args);
    let mut cmd = env.process(&all);
    cmd.env("GPUCTL_NVML_LIB", fake_nvml_library())
        .env("FAKE_NVML_FIXTURE", fixture(nvml_fixture));
    cmd.output().expect("run gpuctl collect")
}

fn count(env: &Env, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn collect_registers_node_and_gpus_and_is_silent() {
    let env = Env::new();
    let output = collect_nvml(&env, "nvml/fleet.json", &[]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.stdout.is_empty(), "silent on success");
    // The fake leaves one GPU without a UUID out, with a warning.
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.lines().all(|l| l.starts_with("gpuctl: warning:")),
        "{stderr}"
    );
    let node = env.json(&["node", "show", "gpu-node-1"]);
    assert_eq!(node["cluster"], "lab");
    assert_eq!(node["gpus"], 3);
    assert_eq!(node["driver"], "550.54.15");
    assert_eq!(count(&env, "SELECT count(*) FROM samples"), 3);
    let (temp, power, fan): (Option<i64>, Option<i64>, Option<i64>) = rusqlite::Connection::open(env.db())
        .unwrap()
        .query_row(
            "SELECT s.temp_c, s.power_mw, s.fan_pct FROM samples s JOIN devices d ON d.id = s.device_id WHERE d.uuid = ?1",
            [L4],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        (temp, power, fan),
        (None, None, None),
        "unsupported metrics are NULL, not 0"
    );
    let (mig_mode, energy, memory): (bool, Option<i64>, Option<i64>) =
        rusqlite::Connection::open(env.db())
            .unwrap()
            .query_row(
                "SELECT mig_mode, energy_mj, memory_total_mib FROM devices WHERE uuid = ?1",
                [A100_MIG],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
    assert!(mig_mode);
    assert_eq!(energy, Some(123_456_789));
    assert_eq!(memory, Some(81_920));
    assert_eq!(
        count(
            &env,
            "SELECT count(*) FROM events WHERE kind = 'collect.run'"
        ),
        1
    );
    let history = env.json(&["node", "history", "gpu-node-1"]);
    assert!(history
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["kind"] == "device.created" && e["subject"] == H100));
}

#[test]
fn collect_twice_adds_samples_not_gpus_and_verbose_says_what_it_stored() {
    let mut env = Env::new();
    assert!(collect_nvml(&env, "nvml/fleet.json", &[]).status.success());
    env.set_now("2026-11-29T10:01:00Z");
    let output = collect_nvml(&env, "nvml/fleet.json", &["-v"]);
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("collected 3 sample(s) from 3 GPU(s) on gpu-node-1"),
        "{stderr}"
    );
    assert_eq!(count(&env, "SELECT count(*) FROM devices"), 3);
    assert_eq!(count(&env, "SELECT count(*) FROM samples"), 6);
    let json = collect_nvml(&env, "nvml/fleet.json", &["-o", "json"]);
    let summary: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(summary["gpus"], 3);
    assert_eq!(summary["node"], "gpu-node-1");
}

#[test]
fn collect_writes_a_run_event_only_for_a_run_that_says_something() {
    let mut env = Env::new();
    let runs = |env: &Env| {
        count(
            env,
            "SELECT count(*) FROM events WHERE kind = 'collect.run'",
        )
    };
    assert!(collect_nvml(&env, "nvml/fleet.json", &[]).status.success());
    assert_eq!(runs(&env), 1, "the first run registered the GPUs");
    env.set_now("2026-11-29T10:01:00Z");
    assert!(collect_nvml(&env, "nvml/fleet.json", &[]).status.success());
    assert_eq!(runs(&env), 1, "a routine run writes no event");
    assert_eq!(count(&env, "SELECT count(*) FROM samples"), 6);
    env.set_now("2026-11-29T10:02:00Z");
    let failed = collect_nvml(&env, "nvml/driver_not_loaded.json", &[]);
    assert_eq!(failed.status.code(), Some(6));
    env.set_now("2026-11-29T10:03:00Z");
    assert!(collect_nvml(&env, "nvml/fleet.json", &[]).status.success());
    assert_eq!(runs(&env), 2, "the run that ends a failure says so");
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let value: String = conn
        .query_row(
            "SELECT new_value FROM events WHERE kind = 'collect.run' ORDER BY at DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        value,
        "source=nvml gpus=3 samples=3 alerts_fired=0 alerts_resolved=0 new_gpus=0 moved_gpus=0 missing_gpus=0 warnings=0 after_failed_run"
    );
}

#[test]
fn collect_without_a_driver_exits_6_and_records_the_failure() {
    let env = Env::new();
    let textfile = env.dir().join("textfile");
    std::fs::create_dir_all(&textfile).unwrap();
    let output = collect_nvml(
        &env,
        "nvml/driver_not_loaded.json",
        &["--textfile", textfile.to_str().unwrap()],
    );
    assert_eq!(
        output.status.code(),
        Some(6),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        error_line(&stderr).contains("no NVIDIA driver found"),
        "{stderr}"
    );
    let prom = std::fs::read_to_string(textfile.join("gpuctl.prom")).unwrap();
    assert!(prom.contains("gpuctl_collect_success 0"), "{prom}");
    assert_eq!(count(&env, "SELECT count(*) FROM samples"), 0);
}

#[test]
fn collect_auto_without_nvml_or_nvidia_smi_exits_6() {
    let env = Env::new();
    let mut cmd = env.process(&[
        "collect",
        "--node",
        "n1",
        "--smi-command",
        "/no/such/nvidia-smi",
    ]);
    cmd.env("GPUCTL_NVML_LIB", env.dir().join("no-libnvidia-ml.so"));
    let output = cmd.output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(6),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn collect_through_nvidia_smi() {
    let env = Env::new();
    let smi = fixture("smi/nvidia-smi");
    let output = env
        .process(&[
            "collect",
            "--source",
            "nvidia-smi",
            "--smi-command",
            smi.to_str().unwrap(),
            "--node",
            "smi-node",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(count(&env, "SELECT count(*) FROM samples") > 0);
    assert_eq!(
        env.json(&["node", "show", "smi-node"])["cluster"],
        "default"
    );
}

#[test]
fn replay_backfills_every_recorded_minute_and_fires_alerts_at_their_time() {
    let env = Env::new();
    env.ok(&[
        "alert",
        "rules",
        "set",
        "gpu-temperature-high",
        "--threshold",
        "65",
        "-q",
    ]);
    let input = fixture("replay/h100_with_units.csv");
    env.ok(&[
        "collect",
        "--input",
        input.to_str().unwrap(),
        "--node",
        "replayed",
    ]);
    let samples = count(&env, "SELECT count(*) FROM samples");
    assert!(samples >= 4, "{samples}");
    assert_eq!(
        count(&env, "SELECT count(DISTINCT ts) FROM samples"),
        samples / 2
    );
    let alerts = env.json(&["alert", "list", "--all"]);
    let fired = alerts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["rule"] == "gpu-temperature-high")
        .expect("fired");
    assert_eq!(fired["device"], H100);
    assert_eq!(
        fired["first_seen_at"], "2026-11-29T10:01:00Z",
        "at the recorded time: {alerts}"
    );
    let stderr = env.fails(
        &[
            "collect",
            "--input",
            fixture("replay/malformed.csv").to_str().unwrap(),
            "--node",
            "replayed",
        ],
        2,
    );
    assert!(error_line(&stderr).contains("malformed.csv:"), "{stderr}");
    assert_eq!(
        count(&env, "SELECT count(*) FROM samples"),
        samples,
        "a bad file writes nothing"
    );
}

#[test]
fn a_gpu_that_stops_reporting_raises_gpu_not_reporting() {
    let mut env = Env::new();
    assert!(collect_nvml(&env, "nvml/fleet.json", &[]).status.success());
    // The same node, later, with only the H100 left on the bus.
    let fixture_text = std::fs::read_to_string(fixture("nvml/fleet.json")).unwrap();
    let mut fleet: serde_json::Value = serde_json::from_str(&fixture_text).unwrap();
    fleet["devices"]
        .as_array_mut()
        .unwrap()
        .retain(|d| d["uuid"] == H100);
    let one_gpu = env.dir().join("one-gpu.json");
    std::fs::write(&one_gpu, fleet.to_string()).unwrap();
    env.set_now("2026-11-29T10:05:00Z");
    let mut cmd = env.process(&["collect", "--source", "nvml", "--node", "gpu-node-1", "-v"]);
    cmd.env("GPUCTL_NVML_LIB", fake_nvml_library())
        .env("FAKE_NVML_FIXTURE", &one_gpu);
    let output = cmd.output().unwrap();
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("not reporting:"));
    let alerts = env.json(&["alert", "list", "--node", "gpu-node-1"]);
    let missing: Vec<&str> = alerts
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["rule"] == "gpu-not-reporting")
        .map(|a| a["device"].as_str().unwrap())
        .collect();
    assert_eq!(missing.len(), 2, "{alerts}");
    assert!(missing.contains(&L4) && missing.contains(&A100_MIG));
}

#[test]
fn a_second_collect_of_the_same_node_while_one_runs_exits_4_at_once() {
    let env = Env::new();
    env.init_store();
    // Hold the node's run lock the way a running collect does (one that has not yet said who
    // it is).
    let lock_path = env
        .db()
        .with_file_name("gpuctl.db.collect.node-gpu-node-1.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .unwrap();
    file.try_lock().unwrap();
    let output = collect_nvml(&env, "nvml/fleet.json", &[]);
    assert_eq!(output.status.code(), Some(4));
    assert_eq!(
        error_line(&String::from_utf8_lossy(&output.stderr)),
        format!(
            "collect of node gpu-node-1 skipped: another gpuctl holds {}",
            lock_path.display()
        )
    );
    assert_eq!(count(&env, "SELECT count(*) FROM samples"), 0);
    drop(file);
    assert!(collect_nvml(&env, "nvml/fleet.json", &[]).status.success());
}

#[test]
fn textfile_is_written_after_a_run_and_passes_promtool() {
    let env = Env::new();
    let dir = env.dir().join("textfile");
    std::fs::create_dir_all(&dir).unwrap();
    let output = collect_nvml(
        &env,
        "nvml/fleet.json",
        &["--textfile", dir.to_str().unwrap()],
    );
    assert!(output.status.success());
    let path = dir.join("gpuctl.prom");
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o644
    );
    assert!(text.contains(&format!("UUID=\"{H100}\"")));
    assert!(text.contains("gpuctl_collect_success 1"));
    assert!(text.contains("gpuctl_collect_last_success_timestamp_seconds 1795946400"));
    assert_eq!(
        text,
        env.ok(&["export", "prometheus"]),
        "export prints what the textfile holds"
    );
    env.fails(
        &["collect", "--node", "n1", "--textfile", "/no/such/dir"],
        2,
    );
}

#[test]
fn textfile_holds_only_the_collected_node_unless_all_nodes() {
    let env = Env::new();
    let dir = env.dir().join("textfile");
    std::fs::create_dir_all(&dir).unwrap();
    // The store also holds another node (as an admin store fed by a fleet collect does).
    crate::prometheus::add_gpu(
        &env,
        "lab",
        "other",
        "GPU-other0",
        0,
        crate::prometheus::NOW_TS,
    );
    let textfile = dir.to_str().unwrap();
    assert!(
        collect_nvml(&env, "nvml/fleet.json", &["--textfile", textfile])
            .status
            .success()
    );
    let text = std::fs::read_to_string(dir.join("gpuctl.prom")).unwrap();
    assert!(text.contains(&format!("UUID=\"{H100}\"")), "{text}");
    assert!(
        !text.contains("GPU-other0"),
        "another node's GPU counted twice: {text}"
    );
    assert!(
        text.contains("gpuctl_node_status{") && !text.contains("node=\"other\""),
        "only this node's state: {text}"
    );
    let output = collect_nvml(
        &env,
        "nvml/fleet.json",
        &["--textfile", textfile, "--all-nodes"],
    );
    assert!(output.status.success());
    let text = std::fs::read_to_string(dir.join("gpuctl.prom")).unwrap();
    assert!(text.contains(H100) && text.contains("GPU-other0"), "{text}");
    env.fails(&["collect", "--node", "n1", "--all-nodes"], 2);
}

/// Runs `collect --every 1s` until its first run has stored samples, then sends `signal`.
fn collect_every_until(env: &Env, signal: libc::c_int) -> std::process::Output {
    let mut cmd = env.process(&[
        "collect",
        "--source",
        "nvml",
        "--node",
        "loop-node",
        "--every",
        "1s",
    ]);
    cmd.env("GPUCTL_NVML_LIB", fake_nvml_library())
        .env("FAKE_NVML_FIXTURE", fixture("nvml/fleet.json"))
        .env_remove("GPUCTL_NOW");
    let child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the first run has stored its samples, then ask it to stop.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::time::Instant::now() < deadline {
        if env.db().exists() && count_or_zero(env) > 0 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // SAFETY: kill(2) on our own child's pid, which has not been reaped yet.
    let sent = unsafe { libc::kill(child.id() as libc::pid_t, signal) };
    assert_eq!(sent, 0, "signal {signal} delivered");
    child.wait_with_output().unwrap()
}

#[test]
fn collect_every_stops_cleanly_on_sigterm() {
    let env = Env::new();
    let output = collect_every_until(&env, libc::SIGTERM);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(count_or_zero(&env) >= 3);
}

#[test]
fn collect_every_stops_cleanly_on_ctrl_c_too() {
    let env = Env::new();
    let output = collect_every_until(&env, libc::SIGINT);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(count_or_zero(&env) >= 3, "the finished runs stay stored");
}

fn count_or_zero(env: &Env) -> i64 {
    rusqlite::Connection::open(env.db())
        .and_then(|c| c.query_row("SELECT count(*) FROM samples", [], |r| r.get(0)))
        .unwrap_or(0)
}

#[test]
fn a_run_killed_mid_way_leaves_no_partial_samples() {
    let env = Env::new();
    env.init_store();
    // A long recording: 3000 minutes of 8 GPUs, so the write transaction takes a while.
    let path = env.dir().join("long.csv");
    let mut text = String::from("timestamp, uuid, name, utilization.gpu [%], memory.used [MiB], memory.total [MiB], temperature.gpu, power.draw [W]\n");
    for minute in 0..3000 {
        let (h, m) = (minute / 60, minute % 60);
        for gpu in 0..8 {
            text.push_str(&format!(
                "2026/11/{:02} {:02}:{:02}:00.000, GPU-00000000-0000-0000-0000-00000000000{gpu}, NVIDIA H100 80GB HBM3, {}, 1000, 81559, 50, 300.00\n",
                20 + h / 24,
                h % 24,
                m,
                minute % 100
            ));
        }
    }
    std::fs::write(&path, text).unwrap();
    let probe = rusqlite::Connection::open(env.db()).unwrap();
    probe.busy_timeout(std::time::Duration::ZERO).unwrap();
    let mut child = env
        .process(&[
            "collect",
            "--input",
            path.to_str().unwrap(),
            "--node",
            "killed",
        ])
        .spawn()
        .unwrap();
    // Kill while collect holds the write transaction: then a probe cannot take the write lock.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let mut killed_mid_way = false;
    while std::time::Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        match probe.execute_batch("BEGIN IMMEDIATE; ROLLBACK;") {
            Ok(()) => std::thread::sleep(std::time::Duration::from_millis(2)),
            Err(_) => {
                // Let it write for a moment longer, then kill it without warning.
                std::thread::sleep(std::time::Duration::from_millis(100));
                child.kill().unwrap();
                killed_mid_way = true;
                break;
            }
        }
    }
    child.wait().unwrap();
    drop(probe);
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    let samples: i64 = conn
        .query_row("SELECT count(*) FROM samples", [], |r| r.get(0))
        .unwrap();
    let devices: i64 = conn
        .query_row("SELECT count(*) FROM devices", [], |r| r.get(0))
        .unwrap();
    assert!(
        killed_mid_way,
        "the run was caught inside its write transaction"
    );
    assert_eq!(
        (samples, devices),
        (0, 0),
        "nothing of the killed run remains"
    );
    drop(conn);
    // The store works on: the next run stores its samples.
    env.ok(&[
        "collect",
        "--input",
        fixture("replay/h100_with_units.csv").to_str().unwrap(),
        "--node",
        "after",
    ]);
}

#[test]
fn a_gpu_that_turns_up_on_another_node_moves_with_both_nodes_counts_and_histories() {
    let env = Env::new();
    let input = fixture("replay/h100_with_units.csv");
    let input = input.to_str().unwrap();
    env.ok(&[
        "collect",
        "--input",
        input,
        "--node",
        "n1",
        "--cluster",
        "c",
        "-q",
    ]);
    assert_eq!(env.json(&["node", "show", "n1"])["gpus"], 2);
    let output = env
        .process(&[
            "collect",
            "--input",
            input,
            "--node",
            "n2",
            "--cluster",
            "c",
            "-v",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("moved here: {H100} from n1")),
        "{stderr}"
    );
    assert_eq!(env.json(&["node", "show", "n1"])["gpus"], 0);
    assert_eq!(env.json(&["node", "show", "n2"])["gpus"], 2);
    for node in ["n1", "n2"] {
        let history = env.json(&["node", "history", node]);
        assert!(
            history
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["kind"] == "device.moved"
                    && e["subject"] == H100
                    && e["old_value"] == "n1"
                    && e["new_value"] == "n2"),
            "{node}: {history}"
        );
    }
}

#[test]
fn a_replay_stamps_its_events_with_the_time_they_were_written() {
    let mut env = Env::new();
    env.set_now("2026-11-30T09:00:00Z");
    let input = fixture("replay/h100_with_units.csv");
    env.ok(&[
        "collect",
        "--input",
        input.to_str().unwrap(),
        "--node",
        "n1",
        "--cluster",
        "c",
        "-q",
    ]);
    let history = env.json(&["node", "history", "n1"]);
    for event in history.as_array().unwrap() {
        if event["kind"] == "node.created" || event["kind"] == "device.created" {
            assert_eq!(event["at"], "2026-11-30T09:00:00Z", "{event}");
        }
    }
    // The samples keep the time they were recorded.
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let first: i64 = conn
        .query_row("SELECT min(ts) FROM samples", [], |r| r.get(0))
        .unwrap();
    assert_eq!(first, 1_795_946_400, "2026-11-29T10:00:00Z as recorded");
}

#[test]
fn the_run_lock_is_private_and_never_opened_through_a_symlink() {
    let env = Env::new();
    env.init_store();
    let input = fixture("replay/h100_with_units.csv");
    let collect = [
        "collect",
        "--input",
        input.to_str().unwrap(),
        "--node",
        "replayed",
    ];
    // A link planted where the lock file goes: following it would create the file it names.
    let lock_path = env
        .db()
        .with_file_name("gpuctl.db.collect.node-replayed.lock");
    let planted = env.dir().join("planted-by-someone-else");
    std::os::unix::fs::symlink(&planted, &lock_path).unwrap();
    let stderr = env.fails(&collect, 5);
    assert_eq!(
        error_line(&stderr),
        format!(
            "lock file {} is a symbolic link: refusing to follow it",
            lock_path.display()
        )
    );
    assert!(!planted.exists(), "nothing created through the link");
    assert_eq!(count(&env, "SELECT count(*) FROM samples"), 0);
    // Without the link, collect creates the lock itself, readable by its owner only.
    std::fs::remove_file(&lock_path).unwrap();
    env.ok(&collect);
    let mode = std::fs::metadata(&lock_path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}

/// A recording of two GPUs of `board` at `minutes` (minutes after 08:00, in that order).
fn recording(minutes: impl Iterator<Item = u32>, bad_at: Option<u32>, board: u32) -> String {
    let mut text = String::from(
        "timestamp, index, uuid, name, utilization.gpu [%], memory.used [MiB], memory.total [MiB], temperature.gpu, power.draw [W]\n",
    );
    for m in minutes {
        for gpu in 0..2 {
            let temp = if Some(m) == bad_at {
                "hot".to_string()
            } else {
                (50 + (m + gpu) % 40).to_string()
            };
            text.push_str(&format!(
                "2026/11/29 {:02}:{:02}:00.000, {gpu}, GPU-5eed000{board}-0000-0000-0000-00000000000{gpu}, NVIDIA H100 80GB HBM3, {} %, {} MiB, 81559 MiB, {temp}, 300.00 W\n",
                8 + m / 60,
                m % 60,
                m * 7 % 100,
                20_000 + m,
            ));
        }
    }
    text
}

fn replay(env: &Env, name: &str, text: &str, node: &str) -> std::process::Output {
    let path = env.dir().join(name);
    std::fs::write(&path, text).unwrap();
    env.cmd(&["collect", "--node", node, "--input", path.to_str().unwrap()])
        .output()
        .unwrap()
}

fn store_rows(env: &Env, node: &str) -> Vec<String> {
    let sql = format!(
        "SELECT s.ts || '|' || s.gpu_util || '|' || s.mem_used_mib || '|' || s.temp_c
         FROM samples s JOIN devices d ON d.id = s.device_id JOIN nodes n ON n.id = d.node_id
         WHERE n.name = '{node}' ORDER BY d.uuid, s.ts"
    );
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let mut stmt = conn.prepare(&sql).unwrap();
    let rows = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    rows
}

#[test]
fn a_recording_out_of_time_order_stores_what_the_sorted_one_stores() {
    let mut env = Env::new();
    env.set_now("2026-11-29T12:00:00Z");
    let sorted = recording(0..180, None, 1);
    assert!(replay(&env, "sorted.csv", &sorted, "in-order")
        .status
        .success());
    // The same moments, the second hour first: read whole, then stored oldest first.
    let shuffled = recording((60..120).chain(0..60).chain(120..180), None, 2);
    let run = replay(&env, "shuffled.csv", &shuffled, "shuffled");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let (a, b) = (store_rows(&env, "in-order"), store_rows(&env, "shuffled"));
    assert_eq!(a.len(), 360);
    assert_eq!(a, b);
    let alerts = |node: &str| {
        env.json(&["alert", "list", "--all", "--node", node])
            .as_array()
            .unwrap()
            .iter()
            .map(|a| format!("{} {} {}", a["rule"], a["first_seen_at"], a["state"]))
            .collect::<Vec<_>>()
    };
    assert_eq!(alerts("in-order"), alerts("shuffled"));
}

#[test]
fn a_bad_row_or_a_future_reading_late_in_a_long_recording_writes_nothing() {
    let mut env = Env::new();
    env.set_now("2026-11-29T12:00:00Z");
    env.init_store();
    let before = count(&env, "SELECT count(*) FROM events");
    // Two hours stream into the store before the bad row is read.
    let run = replay(
        &env,
        "bad.csv",
        &recording(0..180, Some(170), 1),
        "late-error",
    );
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        error_line(&stderr).contains("bad.csv:342: temperature.gpu"),
        "{stderr}"
    );
    // A reading two days ahead, at the end.
    let mut ahead = recording(0..120, None, 1);
    ahead.push_str("2026/12/01 12:00:00.000, 0, GPU-5eed0000-0000-0000-0000-000000000000, NVIDIA H100 80GB HBM3, 5 %, 1 MiB, 81559 MiB, 40, 100.00 W\n");
    let run = replay(&env, "ahead.csv", &ahead, "late-error");
    assert_eq!(run.status.code(), Some(2));
    assert!(
        error_line(&String::from_utf8_lossy(&run.stderr))
            .contains("a reading at 2026-12-01T12:00:00Z is more than a day after now"),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(count(&env, "SELECT count(*) FROM samples"), 0);
    assert_eq!(
        count(&env, "SELECT count(*) FROM nodes WHERE name = 'late-error'"),
        0
    );
    assert_eq!(count(&env, "SELECT count(*) FROM events"), before);
}

/// Writes `files` (name, text) into a new directory `recordings` under the env's own.
fn recordings_dir(env: &Env, files: &[(&str, String)]) -> String {
    let dir = env.dir().join("recordings");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    dir.to_str().unwrap().to_string()
}

#[test]
fn a_directory_of_recordings_stores_each_as_its_nodes_run() {
    let mut env = Env::new();
    env.set_now("2026-11-29T12:00:00Z");
    // The same readings of other GPUs alone, as the reference.
    assert!(
        replay(&env, "alone.csv", &recording(0..180, None, 4), "alone")
            .status
            .success()
    );
    let dir = recordings_dir(
        &env,
        &[
            ("rack-a.csv", recording(0..180, None, 1)),
            // Rows that go back in time: read whole and sorted, the others standing.
            (
                "rack-b.csv",
                recording((60..120).chain(0..60).chain(120..180), None, 2),
            ),
            ("rack-c.csv", recording(0..30, None, 3)),
            ("notes.txt", "not a recording".to_string()),
        ],
    );
    let runs = env.json(&["-o", "json", "collect", "--input", &dir]);
    let runs = runs.as_array().expect("one summary per recording");
    let nodes: Vec<&str> = runs.iter().map(|r| r["node"].as_str().unwrap()).collect();
    assert_eq!(nodes, ["rack-a", "rack-b", "rack-c"]);
    let samples: Vec<u64> = runs
        .iter()
        .map(|r| r["samples"].as_u64().unwrap())
        .collect();
    assert_eq!(samples, [360, 360, 60]);
    // Each node holds what a replay of its file alone holds.
    assert_eq!(store_rows(&env, "rack-a"), store_rows(&env, "alone"));
    assert_eq!(store_rows(&env, "rack-b").len(), 360);
    let listed = env.json(&["node", "list"]);
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"rack-c"), "{names:?}");
}

#[test]
fn a_bad_recording_in_a_directory_stores_nothing_of_any() {
    let mut env = Env::new();
    env.set_now("2026-11-29T12:00:00Z");
    env.init_store();
    let before = env.store_snapshot();
    let dir = recordings_dir(
        &env,
        &[
            ("rack-a.csv", recording(0..180, None, 1)),
            ("rack-b.csv", recording(0..180, Some(170), 2)),
        ],
    );
    let stderr = env.fails(&["collect", "--input", &dir], 2);
    assert!(
        error_line(&stderr).contains("rack-b.csv:342: temperature.gpu"),
        "{stderr}"
    );
    assert_eq!(env.store_snapshot(), before);
}

#[test]
fn a_directory_without_recordings_or_with_a_badly_named_one_is_refused() {
    let env = Env::new();
    env.init_store();
    let before = env.store_snapshot();
    let empty = env.dir().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let stderr = env.fails(&["collect", "--input", empty.to_str().unwrap()], 2);
    assert!(
        error_line(&stderr).contains("holds no recordings: expected NODE.csv files"),
        "{stderr}"
    );
    let dir = recordings_dir(&env, &[("Bad_Name.csv", recording(0..2, None, 1))]);
    let stderr = env.fails(&["collect", "--input", &dir], 2);
    let line = error_line(&stderr);
    assert!(
        line.contains("Bad_Name.csv: a recording in a directory is named after its node"),
        "{stderr}"
    );
    let stderr = env.fails(&["collect", "--input", &dir, "--node", "n1"], 2);
    assert!(
        error_line(&stderr).contains("--node n1 names one node"),
        "{stderr}"
    );
    assert_eq!(env.store_snapshot(), before);
}

#[test]
fn a_directory_of_one_recording_still_answers_a_list() {
    let mut env = Env::new();
    env.set_now("2026-11-29T12:00:00Z");
    let dir = recordings_dir(&env, &[("rack-a.csv", recording(0..3, None, 1))]);
    let runs = env.json(&["-o", "json", "collect", "--input", &dir]);
    let runs = runs.as_array().expect("a list, as for many recordings");
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["node"], "rack-a");
    assert_eq!(runs[0]["samples"], 6);
}
