//! Help as a user reads it: usage errors point at the failing subcommand's help, and a
//! command's help says what that command does with the global options.

use crate::harness::{error_line, Env};

/// The `hint:` line of an error.
fn hint(stderr: &str) -> &str {
    stderr
        .lines()
        .find_map(|l| l.strip_prefix("hint: "))
        .unwrap_or_default()
}

#[test]
fn usage_errors_hint_the_help_of_the_subcommand_that_failed() {
    let env = Env::new();
    for (args, help) in [
        (&["node", "list", "--bogus"][..], "gpuctl node list --help"),
        (
            &["alert", "receivers", "add", "ops", "--bogus"],
            "gpuctl alert receivers add --help",
        ),
        (&["alert", "rules", "set"], "gpuctl alert rules set --help"),
        // An alias, and global options (one with a value) before the subcommand.
        (
            &["-o", "json", "--db", "node", "node", "ls", "--limit", "0"],
            "gpuctl node list --help",
        ),
        (&["--bogus"], "gpuctl --help"),
        (&["node", "bogus", "list"], "gpuctl node --help"),
    ] {
        let stderr = env.fails(args, 2);
        assert_eq!(hint(&stderr), format!("see '{help}'"), "{args:?}: {stderr}");
        assert_eq!(
            stderr.lines().count(),
            2,
            "{args:?}: one error line, one hint: {stderr}"
        );
    }
    assert!(
        error_line(&env.fails(&["alert", "receivers", "add", "ops", "--bogus"], 2))
            .contains("'--bogus'")
    );
    assert!(!env.db().exists(), "a usage error opens no store");
}

#[test]
fn demo_help_names_the_demo_store_not_gpuctl_db() {
    let env = Env::new();
    // The harness sets GPUCTL_DB, as a user with an everyday store would.
    let help = env.ok(&["demo", "--help"]);
    let db_line = help
        .lines()
        .find(|l| l.trim_start().starts_with("--db"))
        .unwrap_or_else(|| panic!("demo --help lists --db:\n{help}"));
    assert!(db_line.contains("demo.db"), "{db_line}");
    assert!(
        !help.contains("GPUCTL_DB="),
        "demo ignores GPUCTL_DB:\n{help}"
    );
    assert!(!help.contains("gpuctl/gpuctl.db"), "{help}");
    // The everyday commands still say where their store comes from.
    let list_help = env.ok(&["node", "list", "--help"]);
    assert!(list_help.contains("GPUCTL_DB="), "{list_help}");
    // completions opens no store: its help does not offer one.
    let completions_help = env.ok(&["completions", "--help"]);
    assert!(!completions_help.contains("--db"), "{completions_help}");
}

#[test]
fn demo_db_typed_after_the_subcommand_is_the_store_it_fills() {
    let env = Env::new();
    let demo_db = env.dir().join("after.db");
    let demo_path = demo_db.to_str().unwrap();
    env.ok(&[
        "demo",
        "--db",
        demo_path,
        "--nodes",
        "2",
        "--gpus-per-node",
        "1",
        "--days",
        "1",
        "-o",
        "json",
    ]);
    let nodes = env.json(&["--db", demo_path, "node", "list"]);
    assert_eq!(nodes.as_array().unwrap().len(), 2);
    assert!(!env.db().exists(), "GPUCTL_DB is left alone");
}

#[test]
fn leaf_help_ends_with_examples_that_run_as_shown() {
    let env = Env::new();
    let help = env.ok(&["node", "list", "--help"]);
    let (_, examples) = help
        .split_once("\nExamples:\n")
        .expect("an Examples section");
    assert!(
        examples.contains("  gpuctl node list --cluster prod-east"),
        "{examples}"
    );
    // Each line of the section is a comment or a command of this page: nothing follows it.
    for line in examples.lines().filter(|l| !l.trim().is_empty()) {
        let line = line.trim();
        assert!(
            line.starts_with("# ") || line.starts_with("gpuctl node list"),
            "{line}"
        );
    }
    // The example a new user tries on an empty store: a usage-valid line, so it runs.
    env.ok(&[
        "node",
        "add",
        "pe-gpu-042",
        "--cluster",
        "prod-east",
        "--ip",
        "10.0.4.42",
        "-l",
        "pool=training",
        "--gpus",
        "8",
    ]);
    let nodes = env.json(&[
        "node",
        "list",
        "-l",
        "pool=training",
        "--limit",
        "20",
        "--page",
        "1",
    ]);
    assert_eq!(nodes[0]["name"], "pe-gpu-042", "{nodes}");
}
