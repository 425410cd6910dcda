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
    // Its man page says the same, in ENVIRONMENT and FILES too.
    let page = gpuctl::generate::man_pages()
        .into_iter()
        .find(|(name, _)| name == "gpuctl-demo.1")
        .expect("a demo page")
        .1
        .replace("\\-", "-");
    assert!(page.contains("$XDG_DATA_HOME/gpuctl/demo.db"), "{page}");
    assert!(!page.contains("gpuctl/gpuctl.db"), "{page}");
    assert!(
        page.contains("not read: the demo writes its own store"),
        "{page}"
    );
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
fn leaf_help_ends_with_examples_of_that_command() {
    let env = Env::new();
    let help = env.ok(&["node", "list", "--help"]);
    let (_, examples) = help
        .split_once("\nExamples:\n")
        .expect("an Examples section");
    // Nothing follows the section: each line is a comment, a command, or the continuation of
    // one after a ` \`.
    let mut continues = false;
    for line in examples.lines().filter(|l| !l.trim().is_empty()) {
        let line = line.trim();
        assert!(
            line.starts_with("# ") || line.starts_with("gpuctl node list ") || continues,
            "{line}"
        );
        continues = line.ends_with(" \\");
    }
    let lines = example_lines(&help);
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert_eq!(
        lines[0],
        "gpuctl node list --cluster prod-east --status ready --sort gpus --desc"
    );
    assert!(lines.iter().all(|l| l.starts_with("gpuctl node list ")));
}

/// The example command lines of a `--help`, each continued line (` \`) joined to the next.
fn example_lines(help: &str) -> Vec<String> {
    let (_, examples) = help.split_once("\nExamples:\n").unwrap_or_default();
    let mut lines = Vec::new();
    let mut continued = String::new();
    for line in examples.lines().map(str::trim) {
        if !continued.is_empty() {
            continued.push(' ');
        } else if !line.starts_with("gpuctl ") {
            continue;
        }
        match line.strip_suffix(" \\") {
            Some(start) => continued.push_str(start),
            None => {
                continued.push_str(line);
                lines.push(std::mem::take(&mut continued));
            }
        }
    }
    lines
}

#[test]
fn the_examples_of_reading_commands_run_on_the_demo_store() {
    // Commands that only read, and so can run in any order (`dashboard realtime --watch` would
    // never end).
    const READING: &[&str] = &[
        "node list",
        "node show",
        "node history",
        "node recent",
        "device list",
        "device show",
        "model list",
        "model show",
        "mig list",
        "alloc list",
        "alloc show",
        "alert list",
        "alert show",
        "alert rules list",
        "alert receivers list",
        "report cost",
        "report idle",
        "report utilization",
        "dashboard",
        "dashboard stats",
        "dashboard clusters",
        "dashboard models",
        "dashboard trends",
        "dashboard alerts",
        "dashboard activity",
        "export prometheus",
    ];
    let env = Env::new();
    env.ok(&["demo", "-q"]);
    let demo_db = env.dir().join("xdg/gpuctl/demo.db");
    let mut ran = 0;
    for path in READING {
        let mut help_args: Vec<&str> = path.split(' ').collect();
        help_args.push("--help");
        let lines = example_lines(&env.ok(&help_args));
        assert!(!lines.is_empty(), "{path} --help has examples");
        for line in lines {
            assert!(!line.contains('\''), "split on spaces only: {line}");
            let args: Vec<&str> = line.split_whitespace().skip(1).collect();
            let output = env
                .process(&args)
                .env("GPUCTL_DB", &demo_db)
                .output()
                .expect("run gpuctl");
            assert!(
                output.status.success(),
                "{line}: exit {:?}\n{}",
                output.status.code(),
                String::from_utf8_lossy(&output.stderr)
            );
            assert!(!output.stdout.is_empty(), "{line} prints something");
            ran += 1;
        }
    }
    assert!(ran >= 30, "ran {ran} examples");
}
