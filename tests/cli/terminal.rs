//! Terminal safety: no control character a user, a cluster or a GPU supplied reaches the
//! terminal raw, and an error quotes at most ~200 characters of the value it refuses.

use crate::harness::{error_line, Env};

/// The OSC 52 clipboard write and screen clear of issue 13.
const HOSTILE: &str = "\x1b]52;c;cHduZWQ=\x07\x1b[2J";

/// True when `text` has a control character other than a newline (C0, DEL or C1).
fn has_raw_control(text: &str) -> bool {
    text.chars()
        .any(|c| (c.is_control() && c != '\n') || ('\u{80}'..='\u{9f}').contains(&c))
}

/// Writes hostile text straight into the store, as an older gpuctl or another writer could
/// have left it: a node's role and OS, a GPU's model, a model's name, a history event.
fn plant_hostile_text(env: &Env) {
    env.ok(&["node", "add", "n1", "--cluster", "c", "--gpus", "1", "-q"]);
    env.ok(&[
        "device",
        "add",
        "GPU-0a9b8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d",
        "--node",
        "n1",
        "--index",
        "0",
        "--model",
        "H100",
        "-q",
    ]);
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute(
        "UPDATE nodes SET role = ?1, os = ?1",
        [format!("evil{HOSTILE}\u{9b}31m\r\nrole")],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO gpu_models (name, memory_mib, created_at, updated_at) VALUES (?1, 1024, 0, 0)",
        [format!("Bad{HOSTILE}GPU")],
    )
    .unwrap();
    conn.execute(
        "UPDATE devices SET model_id = (SELECT max(id) FROM gpu_models)",
        [],
    )
    .unwrap();
    conn.execute(
        "UPDATE events SET reason = ?1, new_value = ?1",
        [format!("why{HOSTILE}")],
    )
    .unwrap();
}

#[test]
fn tables_and_show_views_escape_control_characters_from_the_store() {
    let env = Env::new();
    plant_hostile_text(&env);
    for args in [
        &["node", "list"][..],
        &["node", "show", "n1"],
        &["node", "history", "n1"],
        &["device", "list"],
        &["device", "show", "GPU-0a9b8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d"],
        &["model", "list"],
        &["dashboard", "activity"],
        &["dashboard"],
    ] {
        let output = env.cmd(args).output().unwrap();
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert!(output.status.success(), "{args:?}: {stdout}");
        assert!(
            !has_raw_control(&stdout),
            "{args:?} printed raw: {stdout:?}"
        );
        if args[0] != "dashboard" || args.len() > 1 {
            assert!(stdout.contains(r"\e]52;c;"), "{args:?}: {stdout}");
        }
    }
    // One row per node: the CR LF in the role did not break the line.
    let list = env.ok(&["node", "list", "--no-headers"]);
    assert_eq!(list.lines().count(), 1, "{list}");
    assert!(list.contains(r"\x07\e[2J\u{9b}31m\r\nrole"), "{list}");
}

#[test]
fn json_and_csv_keep_the_exact_string() {
    let env = Env::new();
    plant_hostile_text(&env);
    let nodes = env.json(&["node", "list"]);
    assert_eq!(nodes[0]["role"], format!("evil{HOSTILE}\u{9b}31m\r\nrole"));
    let csv = env.ok(&["node", "list", "-o", "csv"]);
    assert!(csv.contains(HOSTILE), "{csv:?}");
}

#[test]
fn text_flags_with_control_characters_are_refused_and_the_error_escapes_them() {
    let env = Env::new();
    env.ok(&["node", "add", "n0", "--cluster", "c", "-q"]);
    let before = env.store_snapshot();
    let role = format!("worker{HOSTILE}");
    let stderr = env.fails(&["node", "add", "n1", "--cluster", "c", "--role", &role], 2);
    assert!(!has_raw_control(&stderr), "{stderr:?}");
    assert!(
        error_line(&stderr).contains(r"invalid role 'worker\e]52;c;cHduZWQ=\x07\e[2J'"),
        "{stderr}"
    );
    assert!(
        error_line(&stderr).contains("control character"),
        "{stderr}"
    );
    env.fails(&["node", "update", "n0", "--os", "Ubuntu\t22.04"], 2);
    env.fails(&["model", "add", "X\u{85}Y", "--memory-mib", "16384"], 2);
    assert_eq!(env.store_snapshot(), before);
}

#[test]
fn an_error_quotes_at_most_200_characters_of_a_long_value() {
    let env = Env::new();
    env.ok(&["node", "add", "n0", "--cluster", "c", "-q"]);
    let long = "A".repeat(100_000);
    for args in [
        vec!["node", "add", long.as_str(), "--cluster", "c"],
        vec!["node", "show", long.as_str()],
        vec!["node", "list", "--status", long.as_str()],
        vec!["dashboard", "trends", "--since", long.as_str()],
        vec![
            "node",
            "add",
            "n2",
            "--cluster",
            "c",
            "--role",
            long.as_str(),
        ],
    ] {
        let output = env.cmd(&args).output().unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(!output.status.success(), "{}", &args[..2].join(" "));
        assert!(
            stderr.len() < 1_000,
            "{}: {} bytes of error",
            &args[..2].join(" "),
            stderr.len()
        );
        assert!(
            error_line(&stderr).contains("… (100000 characters)"),
            "{}: {stderr}",
            &args[..2].join(" ")
        );
    }
}

#[test]
fn an_error_escapes_control_characters_in_the_value_it_quotes() {
    let env = Env::new();
    env.ok(&["node", "add", "n0", "--cluster", "c", "-q"]);
    let name = format!("bad{HOSTILE}name");
    let stderr = env.fails(&["node", "show", &name], 3);
    assert!(!has_raw_control(&stderr), "{stderr:?}");
    assert!(stderr.contains(r"bad\e]52;c;"), "{stderr}");
    assert_eq!(
        stderr.lines().count(),
        2,
        "one line and a hint at most: {stderr}"
    );
}
