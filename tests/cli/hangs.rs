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
