//! Every `$ gpuctl …` line in the README's console blocks runs against the demo store, in order,
//! and prints what the README shows on its first line: the README cannot rot.

use std::path::Path;

use crate::harness::{fixture, Env};

/// A command of the README and the first line of output it shows (if any).
struct Example {
    args: Vec<String>,
    first_line: Option<String>,
}

fn examples(readme: &str) -> Vec<Example> {
    let mut out: Vec<Example> = Vec::new();
    let mut in_console = false;
    let mut expecting = false;
    for line in readme.lines() {
        if line.starts_with("```") {
            in_console = line.trim() == "```console";
            expecting = false;
            continue;
        }
        if !in_console {
            continue;
        }
        if let Some(command) = line.strip_prefix("$ gpuctl ") {
            out.push(Example {
                args: command.split_whitespace().map(String::from).collect(),
                first_line: None,
            });
            expecting = true;
        } else if expecting {
            if let Some(last) = out.last_mut() {
                last.first_line = Some(line.to_string());
            }
            expecting = false;
        }
    }
    out
}

#[test]
fn every_readme_command_runs_and_prints_what_the_readme_shows() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let examples = examples(&readme);
    assert!(examples.len() >= 10, "the README's tour has its commands");
    let env = Env::new();
    env.ok(&["demo", "-q"]);
    let demo_db = env.dir().join("xdg/gpuctl/demo.db");
    std::fs::copy(fixture("kube/nodes.json"), env.dir().join("nodes.json")).unwrap();
    for example in examples {
        let args: Vec<&str> = example.args.iter().map(String::as_str).collect();
        let output = env
            .process(&args)
            .env("GPUCTL_DB", &demo_db)
            .env("COLUMNS", "150")
            .current_dir(env.dir())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "README: gpuctl {}\nexit {:?}\n{}",
            args.join(" "),
            output.status.code(),
            String::from_utf8_lossy(&output.stderr)
        );
        if let Some(expected) = &example.first_line {
            assert_eq!(
                stdout.lines().next().unwrap_or_default().trim_end(),
                expected.trim_end(),
                "README: gpuctl {}",
                args.join(" ")
            );
        }
    }
}
