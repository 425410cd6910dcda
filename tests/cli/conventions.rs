//! Conventions every command follows: exit codes, error lines, pipes, help.

use crate::harness::{error_line, Env};

#[test]
fn closed_stdout_exits_0_without_a_message() {
    let env = Env::new();
    for i in 0..300 {
        env.ok(&["node", "add", &format!("n-{i:03}"), "--cluster", "c", "-q"]);
    }
    let mut cmd = env.shell("\"$GPUCTL\" node list | head -1 >/dev/null; exit ${PIPESTATUS[0]}");
    let output = cmd.output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn unknown_flags_and_subcommands_exit_2_with_one_error_line() {
    let env = Env::new();
    let stderr = env.fails(&["node", "list", "--colour"], 2);
    assert!(error_line(&stderr).contains("'--colour'"), "{stderr}");
    assert!(stderr.lines().count() <= 2, "{stderr}");
    let stderr = env.fails(&["nodes"], 2);
    assert!(error_line(&stderr).contains("'nodes'"), "{stderr}");
    let stderr = env.fails(&["node", "add", "n1"], 2);
    assert!(error_line(&stderr).contains("--cluster"), "{stderr}");
    let stderr = env.fails(&["-o", "yaml", "node", "list"], 2);
    assert!(
        stderr.contains("possible values: table, json, csv"),
        "{stderr}"
    );
}

#[test]
fn bad_values_are_refused_while_parsing_in_one_line_naming_the_option() {
    let env = Env::new();
    for (args, expected) in [
        (
            &["node", "list", "--changed-since", "yesterday"][..],
            "--changed-since: invalid duration 'yesterday'",
        ),
        (
            &["report", "cost", "--from", "soon"][..],
            "--from: invalid time 'soon'",
        ),
        (
            &["node", "list", "--sort", "colour"][..],
            "--sort: invalid sort field 'colour'",
        ),
        (
            &["node", "update", "n1", "--unlabel", "Bad Key"][..],
            "--unlabel: invalid label key 'Bad Key'",
        ),
        (
            &[
                "device", "add", "gpu0", "--node", "n1", "--index", "0", "--model", "L4",
            ][..],
            "invalid GPU UUID 'gpu0'",
        ),
        (
            &["mig", "create", "GPU-1", "3g"][..],
            "invalid MIG profile '3g'",
        ),
    ] {
        let stderr = env.fails(args, 2);
        assert!(
            error_line(&stderr).starts_with(expected),
            "{args:?}: {stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "{args:?}: one line: {stderr}");
    }
    assert!(!env.db().exists(), "a refused value opens no store");
    // Zero is a valid --for of an alert rule (fire at once), and of nothing else.
    env.ok(&[
        "alert",
        "rules",
        "set",
        "gpu-temperature-high",
        "--for",
        "0s",
    ]);
    env.fails(&["optimize", "--stale-after", "0s"], 2);
}

#[test]
fn help_lists_exit_codes_and_goes_to_stdout() {
    let env = Env::new();
    let help = env.ok(&["--help"]);
    assert!(help.contains("Exit status:"), "{help}");
    assert!(help.contains("  4    conflict"), "{help}");
    assert!(help.contains("GPUCTL_DB"), "{help}");
    let version = env.ok(&["--version"]);
    assert!(version.starts_with("gpuctl "), "{version}");
}

#[test]
fn quiet_silences_notes_but_not_data() {
    let env = Env::new();
    let output = env
        .cmd(&["node", "add", "n1", "--cluster", "c", "-q"])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(output.stdout.is_empty() && output.stderr.is_empty());
    let output = env
        .cmd(&[
            "node", "update", "n1", "--ip", "10.0.0.1", "-o", "json", "-q",
        ])
        .output()
        .unwrap();
    let node: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(node["ip"], "10.0.0.1");
    env.fails(&["node", "list", "-q", "-v"], 2);
}

#[test]
fn color_always_colours_status_and_no_color_wins_over_auto() {
    let env = Env::new();
    env.ok(&["node", "add", "n1", "--cluster", "c", "-q"]);
    let coloured = env.ok(&["node", "list", "--color", "always"]);
    assert!(coloured.contains("\u{1b}["), "{coloured:?}");
    let plain = env.ok(&["node", "list"]);
    assert!(!plain.contains('\u{1b}'), "{plain:?}");
    let never = env.ok(&["node", "list", "--color", "never"]);
    assert!(!never.contains('\u{1b}'));
}

#[test]
fn bad_clock_is_a_usage_error() {
    let mut env = Env::new();
    env.set_now("tomorrow");
    let stderr = env.fails(&["node", "list"], 2);
    assert!(
        error_line(&stderr).contains("invalid GPUCTL_NOW 'tomorrow'"),
        "{stderr}"
    );
}

/// Every `.rs` file under `dir`, recursively.
fn rust_files(dir: &std::path::Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn printing_goes_through_output() {
    const PRINTING: [&str; 7] = [
        "println!",
        "eprintln!",
        "print!",
        "eprint!",
        "dbg!",
        "stdout()",
        "stderr()",
    ];
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let src = root.join("src");
    // The output module prints; the entry points report what ends a command.
    let allowed = |path: &std::path::Path| {
        let relative = path.strip_prefix(&src).unwrap();
        relative.starts_with("output")
            || relative == std::path::Path::new("output.rs")
            || relative == std::path::Path::new("main.rs")
            || relative == std::path::Path::new("lib.rs")
    };
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 20, "found the sources: {files:?}");
    let mut offenders = Vec::new();
    for path in files.iter().filter(|p| !allowed(p)) {
        let text = std::fs::read_to_string(path).unwrap();
        // Test code may print (a skipped test says so): a test-only file, or a file's tests.
        if text.contains("#![cfg(test)]") {
            continue;
        }
        for (number, line) in text.lines().enumerate() {
            let next = text.lines().nth(number + 1).unwrap_or_default();
            if line.trim() == "#[cfg(test)]" && next.starts_with("mod ") && next.ends_with('{') {
                break;
            }
            // Code only: a comment may name what it must not do.
            let code = line.split("//").next().unwrap_or_default();
            let starts_word = |at: usize| {
                code[..at]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
            };
            if PRINTING.iter().any(|macro_or_call| {
                code.match_indices(macro_or_call)
                    .any(|(at, _)| starts_word(at))
            }) {
                offenders.push(format!(
                    "{}:{}: {}",
                    path.strip_prefix(root).unwrap().display(),
                    number + 1,
                    line.trim()
                ));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "print through crate::output (note, warn, confirm, error, raw, redraw, sparklines), not directly:\n{}",
        offenders.join("\n")
    );
}
