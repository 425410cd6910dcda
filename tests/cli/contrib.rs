//! What `contrib/` and the README's shell examples run exists: every flag they pass to `gpuctl`
//! is in that command's `--help`, so the units, the crontab and the docs cannot drift from the CLI.

use std::path::{Path, PathBuf};

use crate::harness::Env;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// The `gpuctl …` command lines of systemd units (ExecStart=), the crontab and the README's
/// ```sh blocks (with `\` continuations joined), each with where it comes from.
fn command_lines() -> Vec<(String, String)> {
    let mut lines = Vec::new();
    let units = root().join("contrib/systemd");
    let mut unit_files: Vec<PathBuf> = std::fs::read_dir(&units)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "service"))
        .collect();
    unit_files.sort();
    assert!(unit_files.len() >= 3, "the units are there: {unit_files:?}");
    for path in unit_files {
        let text = std::fs::read_to_string(&path).unwrap();
        let exec: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("ExecStart="))
            .collect();
        assert!(!exec.is_empty(), "{} has an ExecStart", path.display());
        for line in exec {
            lines.push((path.display().to_string(), line.to_string()));
        }
    }
    let crontab = root().join("contrib/cron/gpuctl.crontab");
    for line in std::fs::read_to_string(&crontab).unwrap().lines() {
        if line.contains("bin/gpuctl ") {
            lines.push((crontab.display().to_string(), line.to_string()));
        }
    }
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let mut in_sh = false;
    let mut joined = String::new();
    for line in readme.lines() {
        if line.starts_with("```") {
            in_sh = line.trim() == "```sh";
            continue;
        }
        if !in_sh {
            continue;
        }
        joined.push_str(line.trim_end_matches('\\'));
        if line.ends_with('\\') {
            joined.push(' ');
            continue;
        }
        if joined.trim_start().starts_with("gpuctl ") {
            lines.push(("README.md".to_string(), joined.clone()));
        }
        joined.clear();
    }
    lines
}

/// The subcommand words after `gpuctl` (up to three, the first flag or an argument that is no
/// subcommand) and the long flags of the line.
fn parse(line: &str) -> (Vec<String>, Vec<String>) {
    let after = line
        .split_once("gpuctl ")
        .map(|(_, rest)| rest)
        .unwrap_or_default();
    let words: Vec<&str> = after.split_whitespace().collect();
    let mut subcommand = Vec::new();
    for word in &words {
        if word.starts_with('-') || word.starts_with('#') || subcommand.len() == 3 {
            break;
        }
        subcommand.push(word.to_string());
    }
    let flags = words
        .iter()
        .take_while(|w| !w.starts_with('#') && **w != ">" && **w != "|")
        .filter(|w| w.starts_with("--"))
        .map(|w| w.split('=').next().unwrap().to_string())
        .collect();
    (subcommand, flags)
}

#[test]
fn every_flag_in_units_crontab_and_readme_exists() {
    let env = Env::new();
    let lines = command_lines();
    assert!(
        lines.iter().any(|(_, l)| l.contains("--from-prometheus")),
        "the admin-host unit is checked: {lines:?}"
    );
    for (origin, line) in lines {
        let (mut subcommand, flags) = parse(&line);
        // `gpuctl export prometheus` is two words; `gpuctl collect --x` one: ask clap which.
        let help = loop {
            let mut args: Vec<&str> = subcommand.iter().map(String::as_str).collect();
            args.push("--help");
            let output = env.process(&args).output().unwrap();
            if output.status.success() {
                break String::from_utf8_lossy(&output.stdout).into_owned();
            }
            assert!(
                subcommand.pop().is_some(),
                "{origin}: no such command in {line}"
            );
        };
        for flag in flags {
            assert!(
                help.contains(&format!("{flag} ")) || help.contains(&format!("{flag}\n")),
                "{origin}: '{flag}' is not an option of 'gpuctl {}' ({line})",
                subcommand.join(" ")
            );
        }
    }
}
