//! Nothing hangs and nothing stops silently (issue 13): every child process has a timeout, and
//! collect's run lock is per node (per source for a fleet), says who holds it, and reports a
//! holder that hangs or was killed.

use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use crate::harness::{error_line, fixture, Env};

/// A stand-in nvidia-smi or kubectl that never answers: a shell waiting on its own child, as a
/// call into a wedged driver or an unreachable API server looks from outside.
const HANGS: &str = "#!/bin/sh\nsleep 60\n";

/// Far below the fakes' 60 s, far above the 1 s timeouts on a busy machine.
const PROMPTLY: Duration = Duration::from_secs(20);

/// Writes an executable script into the test's directory and returns its path.
fn script(env: &Env, name: &str, body: &str) -> String {
    let path = env.dir().join(name);
    std::fs::write(&path, body).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.to_string_lossy().into_owned()
}

fn textfile_dir(env: &Env) -> String {
    let dir = env.dir().join("textfile");
    std::fs::create_dir_all(&dir).unwrap();
    dir.to_string_lossy().into_owned()
}

fn samples_of(env: &Env, node: &str) -> i64 {
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.query_row(
        "SELECT count(*) FROM samples s JOIN devices d ON d.id = s.device_id
         JOIN nodes n ON n.id = d.node_id WHERE n.name = ?1",
        [node],
        |r| r.get(0),
    )
    .unwrap()
}

/// `collect --input` of the recorded fixture as `node`.
fn replay_args(node: &str) -> Vec<String> {
    let input = fixture("replay/nounits.csv");
    [
        "collect",
        "--input",
        input.to_str().unwrap(),
        "--node",
        node,
    ]
    .map(String::from)
    .to_vec()
}

fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

#[test]
fn collect_kills_a_hung_nvidia_smi_at_its_timeout_and_exits_6() {
    let env = Env::new();
    let smi = script(&env, "nvidia-smi", HANGS);
    let textfile = textfile_dir(&env);
    let started = Instant::now();
    let stderr = env.fails(
        &[
            "collect",
            "--source",
            "nvidia-smi",
            "--smi-command",
            &smi,
            "--smi-timeout",
            "1s",
            "--node",
            "n1",
            "--textfile",
            &textfile,
        ],
        6,
    );
    assert!(started.elapsed() < PROMPTLY, "{:?}", started.elapsed());
    assert_eq!(
        error_line(&stderr),
        format!("nvidia-smi timed out: '{smi}' did not finish within 1s; killed it")
    );
    assert!(stderr.contains("hint: "), "{stderr}");
    let prom = std::fs::read_to_string(env.dir().join("textfile/gpuctl.prom")).unwrap();
    assert!(prom.contains("gpuctl_collect_success 0"), "{prom}");
    // The lock went with the failed run: the next run of the same node stores its samples.
    env.ok(&strs(&replay_args("n1")));
    assert!(samples_of(&env, "n1") > 0);
}

#[test]
fn node_sync_and_drift_kill_a_hung_kubectl_at_its_timeout() {
    let env = Env::new();
    let kubectl = script(&env, "kubectl", HANGS);
    for command in ["sync", "drift"] {
        let started = Instant::now();
        let stderr = env.fails(
            &[
                "node",
                command,
                "--cluster",
                "prod",
                "--kubectl",
                &kubectl,
                "--kubectl-timeout",
                "1s",
            ],
            1,
        );
        assert!(started.elapsed() < PROMPTLY, "{:?}", started.elapsed());
        assert_eq!(
            error_line(&stderr),
            format!("kubectl timed out: '{kubectl} get nodes' did not finish within 1s; killed it"),
            "node {command}"
        );
        assert!(stderr.contains("--kubectl-timeout"), "{stderr}");
    }
}

/// The lock file of `node`'s collect runs, next to the store.
fn node_lock(env: &Env, node: &str) -> std::path::PathBuf {
    env.db()
        .with_file_name(format!("gpuctl.db.collect.node-{node}.lock"))
}

/// Waits until a collect running in the background has taken `node`'s lock and said so.
fn wait_for_holder(env: &Env, node: &str) -> String {
    let started = Instant::now();
    loop {
        let record = std::fs::read_to_string(node_lock(env, node)).unwrap_or_default();
        if !record.is_empty() {
            return record;
        }
        assert!(started.elapsed() < PROMPTLY, "no collect took the lock");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `collect` of `node` through a hung nvidia-smi, in the background.
fn spawn_hung_collect(env: &Env, node: &str, timeout: &str) -> std::process::Child {
    let smi = script(env, "nvidia-smi", HANGS);
    env.process(&[
        "collect",
        "--source",
        "nvidia-smi",
        "--smi-command",
        &smi,
        "--smi-timeout",
        timeout,
        "--node",
        node,
    ])
    .stderr(std::process::Stdio::piped())
    .spawn()
    .unwrap()
}

#[test]
fn a_hung_collect_of_one_node_neither_stops_other_nodes_nor_passes_its_timeout() {
    // The reproduction: before, the second run exited 0 having stored nothing.
    let env = Env::new();
    env.init_store();
    let started = Instant::now();
    let hung = spawn_hung_collect(&env, "n1", "2s");
    let record = wait_for_holder(&env, "n1");
    assert!(
        record.starts_with(&format!("pid={} since=", hung.id())),
        "{record}"
    );
    // limit: the 2 s timeout and a minute for the store.
    assert!(record.trim_end().ends_with(" limit=62"), "{record}");

    env.ok(&strs(&replay_args("n2")));
    assert!(samples_of(&env, "n2") > 0);

    // The same node is refused at once, naming the run that holds it.
    let stderr = env.fails(&strs(&replay_args("n1")), 4);
    let expected = format!(
        "collect of node n1 skipped: gpuctl pid {} has been running it for ",
        hung.id()
    );
    assert!(error_line(&stderr).starts_with(&expected), "{stderr}");
    assert_eq!(samples_of(&env, "n1"), 0);

    let output = hung.wait_with_output().unwrap();
    assert!(started.elapsed() < PROMPTLY, "{:?}", started.elapsed());
    assert_eq!(output.status.code(), Some(6));
    assert!(String::from_utf8_lossy(&output.stderr).contains("nvidia-smi timed out"));
    // Released cleanly: the record is gone and the node collects again, without a warning.
    assert_eq!(std::fs::read_to_string(node_lock(&env, "n1")).unwrap(), "");
    let output = env.cmd(&strs(&replay_args("n1"))).output().unwrap();
    assert!(output.status.success());
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(samples_of(&env, "n1") > 0);
}

#[test]
fn a_holder_past_its_limit_is_reported_as_hung_and_fails_the_health_series() {
    let env = Env::new();
    env.init_store();
    // A collect that took the lock ten minutes ago with a 90 s limit, and still holds it.
    let lock = node_lock(&env, "n1");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .open(&lock)
        .unwrap();
    file.try_lock().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    std::fs::write(&lock, format!("pid=4242 since={} limit=90\n", now - 600)).unwrap();

    let textfile = textfile_dir(&env);
    let mut args = replay_args("n1");
    args.extend(["--textfile".to_string(), textfile]);
    let stderr = env.fails(&strs(&args), 4);
    // Ten minutes, and a second or two more when the machine is slow to run this.
    let line = error_line(&stderr);
    assert!(
        line.starts_with("collect of node n1 skipped: gpuctl pid 4242 has held the lock for 10m")
            && line.ends_with(", longer than its limit of 1m30s"),
        "{line}"
    );
    assert!(stderr.contains("'kill 4242'"), "{stderr}");
    let prom = std::fs::read_to_string(env.dir().join("textfile/gpuctl.prom")).unwrap();
    assert!(prom.contains("gpuctl_collect_success 0"), "{prom}");
    assert_eq!(samples_of(&env, "n1"), 0);
    drop(file);
}

#[test]
fn a_killed_collect_frees_its_node_and_the_next_run_says_so() {
    let env = Env::new();
    env.init_store();
    // A short hang, so nvidia-smi, orphaned by the kill, does not outlive the test by much.
    let smi = script(&env, "nvidia-smi", "#!/bin/sh\nsleep 3\n");
    let mut hung = env
        .process(&[
            "collect",
            "--source",
            "nvidia-smi",
            "--smi-command",
            &smi,
            "--node",
            "n1",
        ])
        .spawn()
        .unwrap();
    wait_for_holder(&env, "n1");
    let pid = hung.id();
    hung.kill().unwrap();
    hung.wait().unwrap();

    let output = env.cmd(&strs(&replay_args("n1"))).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(
        stderr.trim_end(),
        format!("gpuctl: warning: the previous collect of node n1 (gpuctl pid {pid}) ended without finishing: was it killed?")
    );
    assert!(samples_of(&env, "n1") > 0);
}

#[test]
fn fleet_collects_lock_per_source() {
    let env = Env::new();
    env.init_store();
    // Hold the lock of one Prometheus: a collect from it is refused, a local one is not.
    // Nothing listens on the discard port: the read fails at once, after taking the lock.
    let url = "http://127.0.0.1:9/";
    let stderr = env.fails(
        &[
            "collect",
            "--from-prometheus",
            url,
            "--cluster",
            "prod",
            "--timeout",
            "1s",
        ],
        6,
    );
    assert!(!stderr.contains("skipped"), "{stderr}");
    let lock = std::fs::read_dir(env.db().parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .find(|name| name.starts_with("gpuctl.db.collect.prometheus-"))
        .expect("a lock file for this Prometheus");
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(env.db().with_file_name(&lock))
        .unwrap();
    file.try_lock().unwrap();
    let stderr = env.fails(
        &[
            "collect",
            "--from-prometheus",
            url,
            "--cluster",
            "prod",
            "--timeout",
            "1s",
        ],
        4,
    );
    assert_eq!(
        error_line(&stderr),
        format!(
            "collect from {url} skipped: another gpuctl holds {}",
            env.db().with_file_name(&lock).display()
        )
    );
    env.ok(&strs(&replay_args("n1")));
    drop(file);
}

#[test]
fn doctor_reports_a_hung_nvidia_smi_instead_of_waiting_on_it() {
    let env = Env::new();
    env.init_store();
    let smi = script(&env, "nvidia-smi", HANGS);
    let started = Instant::now();
    let output = env
        .cmd(&[
            "doctor",
            "--require-gpu",
            "--smi-command",
            &smi,
            "--smi-timeout",
            "1s",
            "-o",
            "json",
        ])
        .env("GPUCTL_NVML_LIB", env.dir().join("no-libnvidia-ml.so"))
        .output()
        .unwrap();
    assert!(started.elapsed() < PROMPTLY, "{:?}", started.elapsed());
    assert_eq!(output.status.code(), Some(6));
    let checks: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let smi_check = checks
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "nvidia-smi")
        .unwrap();
    assert_eq!(smi_check["status"], "warn");
    assert_eq!(
        smi_check["detail"],
        format!("nvidia-smi timed out: '{smi}' did not finish within 1s; killed it")
    );
}

#[test]
fn collect_every_cuts_the_nvidia_smi_timeout_to_its_period_and_keeps_going() {
    let env = Env::new();
    env.init_store();
    let smi = script(&env, "nvidia-smi", HANGS);
    let child = env
        .process(&[
            "collect",
            "--source",
            "nvidia-smi",
            "--smi-command",
            &smi,
            "--every",
            "1s",
            "--node",
            "n1",
        ])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(3500));
    // The daemon renews its lock record at each run: the holder is this process, with a limit
    // of timeout (the period), a minute, and the period.
    let record = std::fs::read_to_string(node_lock(&env, "n1")).unwrap();
    assert!(
        record.starts_with(&format!("pid={} ", child.id())),
        "{record}"
    );
    assert!(record.trim_end().ends_with(" limit=62"), "{record}");
    // SAFETY: a plain signal to the child this test started.
    assert_eq!(
        unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) },
        0
    );
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let failures = stderr
        .lines()
        .filter(|l| l.ends_with("did not finish within 1s; killed it"))
        .count();
    assert!(failures >= 2, "one failed run per period: {stderr}");
}
