//! Shell completion of names from the store: the dynamic engine behind `GPUCTL_COMPLETE`.

use crate::harness::Env;

/// A small demo fleet in the harness's store (GPUCTL_DB); its node names, clusters and UUIDs.
fn demo_store(env: &Env) -> (Vec<String>, Vec<String>, Vec<String>) {
    let db = env.db().to_str().unwrap();
    env.ok(&[
        "--db",
        db,
        "demo",
        "--nodes",
        "4",
        "--gpus-per-node",
        "1",
        "--days",
        "1",
        "-o",
        "json",
    ]);
    let strings = |value: &serde_json::Value, field: &str| -> Vec<String> {
        let mut all: Vec<String> = value
            .as_array()
            .unwrap()
            .iter()
            .map(|row| row[field].as_str().unwrap().to_string())
            .collect();
        all.sort();
        all.dedup();
        all
    };
    let nodes = env.json(&["node", "list"]);
    let devices = env.json(&["device", "list"]);
    (
        strings(&nodes, "name"),
        strings(&nodes, "cluster"),
        strings(&devices, "uuid"),
    )
}

/// What the engine offers for the last of `words` (`gpuctl node show ""`), as bash asks it.
fn complete(env: &Env, words: &[&str]) -> Vec<String> {
    let mut process = env.process(&["--"]);
    process
        .args(words)
        .env("GPUCTL_COMPLETE", "bash")
        .env("_CLAP_COMPLETE_INDEX", (words.len() - 1).to_string())
        .env("_CLAP_IFS", "\n");
    let output = process.output().expect("run gpuctl");
    assert!(
        output.status.success(),
        "{words:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.stderr.is_empty(), "completion is silent");
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('-'))
        .map(str::to_string)
        .collect()
}

#[test]
fn node_show_completes_the_node_names_of_the_store() {
    let env = Env::new();
    let (nodes, clusters, uuids) = demo_store(&env);
    assert_eq!(nodes.len(), 4, "{nodes:?}");
    assert_eq!(complete(&env, &["gpuctl", "node", "show", ""]), nodes);
    // What is typed narrows the names.
    let first = &nodes[0];
    let prefix = &first[..first.len() - 1];
    let narrowed = complete(&env, &["gpuctl", "node", "show", prefix]);
    assert!(narrowed.contains(first), "{narrowed:?}");
    assert!(
        narrowed.iter().all(|n| n.starts_with(prefix)),
        "{narrowed:?}"
    );
    // After CLUSTER/, the names of that cluster's nodes.
    let cluster = &clusters[0];
    let qualified = complete(&env, &["gpuctl", "node", "history", &format!("{cluster}/")]);
    assert!(!qualified.is_empty());
    assert!(
        qualified
            .iter()
            .all(|n| n.starts_with(&format!("{cluster}/"))),
        "{qualified:?}"
    );

    assert_eq!(
        complete(&env, &["gpuctl", "device", "list", "--cluster", ""]),
        clusters
    );
    assert_eq!(complete(&env, &["gpuctl", "device", "show", "GPU-"]), uuids);
    assert_eq!(
        complete(&env, &["gpuctl", "alloc", "create", "--node", ""]),
        nodes
    );
    // Models by name or alias (those a shell word holds as typed), rules, receivers.
    let models = complete(&env, &["gpuctl", "device", "list", "--model", "H100"]);
    assert!(models.contains(&"H100-80GB".to_string()), "{models:?}");
    assert!(
        models
            .iter()
            .all(|m| m.starts_with("H100") && !m.contains(' ')),
        "{models:?}"
    );
    let rules = complete(&env, &["gpuctl", "alert", "rules", "set", "gpu-"]);
    assert!(
        rules.contains(&"gpu-not-reporting".to_string()),
        "{rules:?}"
    );
    // A new node's name is the user's to choose.
    assert!(complete(&env, &["gpuctl", "node", "add", ""]).is_empty());
}

#[test]
fn completion_reads_the_store_the_typed_db_names_and_creates_none() {
    let env = Env::new();
    let (nodes, _, _) = demo_store(&env);
    let other = env.dir().join("other.db");
    let other = other.to_str().unwrap();
    // GPUCTL_DB names the demo store; the command line being completed names another.
    assert!(complete(&env, &["gpuctl", "--db", other, "node", "show", ""]).is_empty());
    assert!(
        !std::path::Path::new(other).exists(),
        "completion creates no store"
    );
    let demo = env.db().to_str().unwrap();
    assert_eq!(
        complete(&env, &["gpuctl", "node", "show", "--db", demo, ""]),
        nodes
    );
}

#[test]
fn the_registration_script_completes_in_bash() {
    let env = Env::new();
    let (nodes, _, _) = demo_store(&env);
    // As the README has it: source the script gpuctl prints, then <TAB> calls gpuctl.
    let script = r#"
        source <(GPUCTL_COMPLETE=bash "$GPUCTL")
        COMP_WORDS=(gpuctl node show "")
        COMP_CWORD=3
        _clap_complete_gpuctl gpuctl "" show
        printf '%s\n' "${COMPREPLY[@]}"
    "#;
    let output = env.shell(script).output().expect("run bash");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let offered: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|l| !l.starts_with('-'))
        .map(str::to_string)
        .collect();
    assert_eq!(offered, nodes);
}

#[test]
fn an_unknown_shell_in_gpuctl_complete_is_a_usage_error() {
    let env = Env::new();
    let output = env
        .cmd(&[])
        .env("GPUCTL_COMPLETE", "tcsh")
        .output()
        .expect("run gpuctl");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("gpuctl: error: GPUCTL_COMPLETE: unknown shell `tcsh`"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());
}
