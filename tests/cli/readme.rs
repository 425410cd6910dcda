//! The README cannot rot. Every `gpuctl` command it shows runs as a newcomer pastes it (in an
//! empty home directory, on the system clock, in the README's order) or, where it needs a
//! server the test machine lacks, is parsed by gpuctl's own command line; its Install block runs
//! on a fresh home directory; every file of the repository it names exists. The rules are the
//! README's "How this README is tested".

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::harness::{fixture, gpuctl_binary, Env};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn readme() -> String {
    std::fs::read_to_string(root().join("README.md")).expect("README.md")
}

/// A fenced block of the README: its info string, the `## ` section it is in, the line number
/// of its first line and its lines.
struct Block {
    tag: String,
    section: String,
    first_line: usize,
    lines: Vec<String>,
}

fn blocks(readme: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut section = String::new();
    let mut open: Option<Block> = None;
    for (index, line) in readme.lines().enumerate() {
        if let Some(tag) = line.strip_prefix("```") {
            match open.take() {
                Some(block) => out.push(block),
                None => {
                    open = Some(Block {
                        tag: tag.trim().to_string(),
                        section: section.clone(),
                        first_line: index + 2,
                        lines: Vec::new(),
                    })
                }
            }
            continue;
        }
        match open.as_mut() {
            Some(block) => block.lines.push(line.to_string()),
            None => {
                if let Some(heading) = line.strip_prefix("## ") {
                    section = heading.trim().to_string();
                }
            }
        }
    }
    out
}

/// What the test does with a command the README shows.
#[derive(Debug)]
enum Step {
    /// Runs in the newcomer's shell and must succeed, printing `first_line` first if given.
    Run {
        command: String,
        first_line: Option<String>,
    },
    /// Needs what the test machine lacks (a server, a directory): parsed, not run.
    Parse { command: String },
    /// `export NAME=VALUE`: holds for every later command, as in the newcomer's shell.
    Export(String),
}

/// The steps of the README's `console` and `sh` blocks in order (the Install block has a test
/// of its own), each with the line it comes from.
fn shell_steps(readme: &str) -> Vec<(usize, Step)> {
    let mut steps = Vec::new();
    for block in blocks(readme) {
        match block.tag.as_str() {
            "console" => {
                for (i, line) in block.lines.iter().enumerate() {
                    let Some(command) = line.strip_prefix("$ ") else {
                        continue;
                    };
                    let first_line = block
                        .lines
                        .get(i + 1)
                        .filter(|next| !next.starts_with("$ "))
                        .cloned();
                    steps.push((
                        block.first_line + i,
                        Step::Run {
                            command: command.to_string(),
                            first_line,
                        },
                    ));
                }
            }
            "sh" if block.section != "Install" => {
                for (line, command) in joined_lines(&block) {
                    if command.starts_with("export ") {
                        steps.push((line, Step::Export(command)));
                    } else if command.starts_with("gpuctl ") {
                        let step = if needs(&command).is_some() {
                            Step::Parse { command }
                        } else {
                            Step::Run {
                                command,
                                first_line: None,
                            }
                        };
                        steps.push((line, step));
                    }
                }
            }
            _ => {}
        }
    }
    steps
}

/// A block's lines with `\` continuations joined, each with the line it starts on.
fn joined_lines(block: &Block) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut joined = String::new();
    let mut start = 0;
    for (i, line) in block.lines.iter().enumerate() {
        if joined.is_empty() {
            start = block.first_line + i;
        }
        joined.push_str(line.trim_end_matches('\\').trim());
        if line.ends_with('\\') {
            joined.push(' ');
            continue;
        }
        out.push((start, std::mem::take(&mut joined)));
    }
    out
}

/// What a command's trailing comment says it needs (`# needs Prometheus`), if it says so.
fn needs(command: &str) -> Option<&str> {
    let (_, comment) = command.split_once(" #")?;
    comment
        .trim()
        .strip_prefix("needs")
        .map(|what| what.trim_start_matches(':').trim())
}

/// The `gpuctl …` commands of other blocks (crontab lines, synopses) and quoted in the text
/// (`` `gpuctl db prune` ``, across a line break too), each with its line: to be parsed.
fn other_commands(readme: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for block in blocks(readme) {
        if ["console", "sh", "json"].contains(&block.tag.as_str()) {
            continue;
        }
        for (i, line) in block.lines.iter().enumerate() {
            let words: Vec<&str> = line.split_whitespace().collect();
            if let Some(at) = words
                .iter()
                .position(|w| *w == "gpuctl" || w.ends_with("/gpuctl"))
            {
                let rest = words[at + 1..].join(" ");
                out.push((block.first_line + i, format!("gpuctl {rest}")));
            }
        }
    }
    // Text outside fences; a code span is what lies between a pair of backticks.
    let mut prose = String::new();
    let mut fenced = false;
    for line in readme.lines() {
        if line.starts_with("```") {
            fenced = !fenced;
            prose.push('\n');
            continue;
        }
        if !fenced {
            prose.push_str(line);
        }
        prose.push('\n');
    }
    let mut line = 1;
    for (i, piece) in prose.split('`').enumerate() {
        let span = piece.replace('\n', " ");
        if i % 2 == 1 && span.starts_with("gpuctl ") {
            out.push((line, span));
        }
        line += piece.matches('\n').count();
    }
    out
}

/// The command up to the first shell operator (`|`, `||`, `&&`, `;`, a redirection) or comment,
/// as the shell would run it.
fn command_part(command: &str) -> String {
    let mut tokens: Vec<String> = Vec::new();
    let mut token = String::new();
    let mut quote: Option<char> = None;
    for c in command.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => {
                quote = None;
                token.push(c);
            }
            (Some(_), c) => token.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                token.push(c);
            }
            (None, c) if c.is_whitespace() => {
                if !token.is_empty() {
                    tokens.push(std::mem::take(&mut token));
                }
            }
            (None, c) => token.push(c),
        }
    }
    if !token.is_empty() {
        tokens.push(token);
    }
    let is_operator = |t: &str| {
        ["|", "||", "&&", ";"].contains(&t)
            || t.starts_with('>')
            || t.starts_with("2>")
            || t.starts_with('<')
            || t.starts_with('#')
    };
    tokens
        .into_iter()
        .take_while(|t| !is_operator(t))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A synopsis rather than a command: an UPPERCASE placeholder (`FILE`, `ID`), `[…]`, `a|b`, `…`.
fn is_synopsis(command: &str) -> bool {
    command.split_whitespace().any(|word| {
        let bare = word.trim_matches(|c: char| ",.:()".contains(c));
        word.contains(['[', ']', '…', '|', '<'])
            || (!bare.is_empty() && bare.chars().all(|c| c.is_ascii_uppercase()))
    })
}

/// The words a shell makes of `command` (quotes, `~`, `$(…)`), as `home`'s user.
fn shell_words(home: &Path, command: &str) -> Vec<String> {
    let output = Command::new("bash")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .args(["-c", r#"eval "set -- $1" && printf '%s\0' "$@""#, "bash"])
        .arg(command)
        .output()
        .expect("run bash");
    assert!(
        output.status.success(),
        "bash cannot split {command}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .split_terminator('\0')
        .map(String::from)
        .collect()
}

/// Parses `command` through gpuctl's own command line; on failure, why, with the README line.
fn parses(home: &Path, line: usize, command: &str) -> Result<(), String> {
    let words = shell_words(home, &command_part(command));
    gpuctl::check_command_line(&words)
        .map_err(|message| format!("README.md:{line}: {command}\ngpuctl refuses it: {message}"))
}

/// A newcomer's shell: an empty home directory, `gpuctl` installed in `~/.cargo/bin` as Quick
/// start installs it, the system clock (no GPUCTL_NOW), no store chosen.
struct Newcomer {
    home: tempfile::TempDir,
}

impl Newcomer {
    fn new() -> Newcomer {
        let home = tempfile::tempdir().expect("temp dir");
        let bin = home.path().join(".cargo/bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::os::unix::fs::symlink(gpuctl_binary(), bin.join("gpuctl")).unwrap();
        Newcomer { home }
    }

    fn home(&self) -> &Path {
        self.home.path()
    }

    /// Runs `script` in bash in the home directory, as the newcomer would type it.
    fn run(&self, script: &str) -> Output {
        let path = format!(
            "{}:{}",
            self.home().join(".cargo/bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        Command::new("bash")
            .env_clear()
            .env("PATH", path)
            .env("HOME", self.home())
            .env("USER", "newcomer")
            .env("COLUMNS", "150")
            .env("NO_COLOR", "1")
            .current_dir(self.home())
            .args(["-c", script])
            .output()
            .expect("run bash")
    }
}

#[test]
fn every_readme_command_runs_as_a_newcomer_pastes_it_or_parses() {
    let readme = readme();
    let steps = shell_steps(&readme);
    let runs = steps
        .iter()
        .filter(|(_, s)| matches!(s, Step::Run { .. }))
        .count();
    let parsed = steps
        .iter()
        .filter(|(_, s)| matches!(s, Step::Parse { .. }))
        .count();
    assert!(
        runs >= 15 && parsed >= 4,
        "the README's commands are found: {steps:?}"
    );
    let newcomer = Newcomer::new();
    // The node import example reads the file its text describes.
    std::fs::copy(
        fixture("kube/nodes.json"),
        newcomer.home().join("nodes.json"),
    )
    .unwrap();
    let mut exports = String::new();
    for (line, step) in steps {
        match step {
            Step::Export(export) => {
                exports.push_str(&export);
                exports.push('\n');
            }
            Step::Parse { command } => {
                if let Err(why) = parses(newcomer.home(), line, &command) {
                    panic!("{why}");
                }
            }
            Step::Run {
                command,
                first_line,
            } => {
                let output = newcomer.run(&format!("{exports}{command}"));
                let stdout = String::from_utf8_lossy(&output.stdout);
                assert!(
                    output.status.success(),
                    "README.md:{line}: {command}\nexit {:?}\n{}",
                    output.status.code(),
                    String::from_utf8_lossy(&output.stderr)
                );
                if let Some(expected) = first_line {
                    assert_eq!(
                        stdout.lines().next().unwrap_or_default().trim_end(),
                        expected.trim_end(),
                        "README.md:{line}: {command}"
                    );
                }
            }
        }
    }
}

#[test]
fn every_gpuctl_command_quoted_in_the_readme_parses() {
    let readme = readme();
    let commands: Vec<(usize, String)> = other_commands(&readme)
        .into_iter()
        .filter(|(_, c)| !is_synopsis(&command_part(c)))
        .collect();
    let texts: Vec<&str> = commands.iter().map(|(_, c)| c.as_str()).collect();
    for expected in [
        "gpuctl db retention --raw 30d --hourly 2y",
        "gpuctl collect --textfile /var/lib/node_exporter/textfile_collector",
    ] {
        assert!(
            texts.contains(&expected),
            "'{expected}' is checked: {texts:?}"
        );
    }
    let home = tempfile::tempdir().unwrap();
    let refused: Vec<String> = commands
        .iter()
        .filter_map(|(line, command)| parses(home.path(), *line, command).err())
        .collect();
    assert!(refused.is_empty(), "{}", refused.join("\n"));
}

#[test]
fn the_readme_checks_catch_a_command_that_no_longer_parses() {
    let home = tempfile::tempdir().unwrap();
    let broken = "Keep `gpuctl db retention --hourly 2 years` for long.\n\n```sh\ngpuctl node list --no-such-flag   # needs nothing\n```\n";
    let quoted = other_commands(broken);
    assert_eq!(quoted.len(), 1, "{quoted:?}");
    let steps = shell_steps(broken);
    let Some((_, Step::Parse { command })) = steps.first() else {
        panic!("a `# needs` line is parsed: {steps:?}");
    };
    for (line, command) in [(quoted[0].0, quoted[0].1.as_str()), (4, command.as_str())] {
        let refused = parses(home.path(), line, command).unwrap_err();
        assert!(
            refused.starts_with(&format!("README.md:{line}: {command}")),
            "{refused}"
        );
    }
    assert_eq!(quoted[0].0, 1, "the line of the quote");
    // Synopses are no commands; pipes, redirections and comments are the shell's.
    assert!(is_synopsis("gpuctl node import FILE --cluster C"));
    assert!(is_synopsis("gpuctl alloc create|list"));
    assert!(!is_synopsis(&command_part(
        "gpuctl node drift --cluster prod -q || notify-admins"
    )));
    assert_eq!(
        command_part("gpuctl alert notify -q >/dev/null # every minute"),
        "gpuctl alert notify -q"
    );
    assert_eq!(
        shell_words(
            home.path(),
            "gpuctl collect --selector '{job=\"dcgm\"}' --db ~/x.db"
        ),
        [
            "gpuctl",
            "collect",
            "--selector",
            "{job=\"dcgm\"}",
            "--db",
            &format!("{}/x.db", home.path().display())
        ]
    );
}

/// A stand-in `cargo` that installs the built gpuctl where `cargo install` would, and a `sudo`
/// that runs its command as this user with absolute paths moved under `$FAKE_ROOT` (the home
/// directory and the checkout stay where they are). Both log their arguments.
const CARGO_STUB: &str = r#"#!/bin/bash
echo "$*" >> "$STUB_LOG.cargo"
[ "$1" = install ] || { echo "cargo stub: only 'cargo install'" >&2; exit 1; }
root="$HOME/.cargo"
while [ $# -gt 0 ]; do
  case "$1" in --root) root="$2"; shift ;; esac
  shift
done
mkdir -p "$root/bin"
printf '#!/bin/sh\nexec "%s" "$@"\n' "$GPUCTL_BUILT" > "$root/bin/gpuctl"
chmod 0755 "$root/bin/gpuctl"
"#;

const SUDO_STUB: &str = r#"#!/bin/bash
echo "$*" >> "$STUB_LOG.sudo"
args=()
for arg in "$@"; do
  case "$arg" in
    "$HOME"*|"$CHECKOUT"*) ;;
    /*) arg="$FAKE_ROOT$arg" ;;
  esac
  args+=("$arg")
done
exec "${args[@]}"
"#;

/// The paths `contrib/`'s units (ExecStart=) and crontab run gpuctl from.
fn contrib_binary_paths() -> BTreeSet<String> {
    let mut paths = BTreeSet::new();
    let units = root().join("contrib/systemd");
    for entry in std::fs::read_dir(&units).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "service") {
            let text = std::fs::read_to_string(&path).unwrap();
            for exec in text.lines().filter_map(|l| l.strip_prefix("ExecStart=")) {
                paths.insert(exec.split_whitespace().next().unwrap().to_string());
            }
        }
    }
    let crontab = std::fs::read_to_string(root().join("contrib/cron/gpuctl.crontab")).unwrap();
    for word in crontab.split_whitespace() {
        if word.ends_with("/gpuctl") {
            paths.insert(word.to_string());
        }
    }
    paths
}

#[test]
fn the_install_block_works_on_a_fresh_home_and_puts_gpuctl_where_contrib_runs_it() {
    let readme = readme();
    let install: Vec<Block> = blocks(&readme)
        .into_iter()
        .filter(|b| b.section == "Install" && b.tag == "sh")
        .collect();
    assert_eq!(install.len(), 1, "one Install block");
    let script = install[0].lines.join("\n");
    let scratch = tempfile::tempdir().unwrap();
    let home = scratch.path().join("home");
    let fake_root = scratch.path().join("root");
    let stubs = scratch.path().join("stubs");
    let log = scratch.path().join("log");
    // A fresh machine: an empty home directory; the system's standard directories.
    for dir in [
        home.clone(),
        fake_root.join("usr/local/bin"),
        fake_root.join("usr/local/share/man"),
        stubs.clone(),
    ] {
        std::fs::create_dir_all(dir).unwrap();
    }
    for (name, text) in [("cargo", CARGO_STUB), ("sudo", SUDO_STUB)] {
        std::fs::write(stubs.join(name), text).unwrap();
        std::fs::set_permissions(
            stubs.join(name),
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .unwrap();
    }
    let path = format!(
        "{}:{}:{}",
        stubs.display(),
        home.join(".cargo/bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output = Command::new("bash")
        .env_clear()
        .env("PATH", path)
        .env("HOME", &home)
        .env("USER", "newcomer")
        .env("FAKE_ROOT", &fake_root)
        .env("CHECKOUT", root())
        .env("STUB_LOG", &log)
        .env("GPUCTL_BUILT", gpuctl_binary())
        .current_dir(root())
        .args(["-e", "-o", "pipefail", "-c", &script])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "the Install block fails on a fresh home:\n{script}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let cargo = std::fs::read_to_string(log.with_extension("cargo")).unwrap_or_default();
    assert!(
        cargo.lines().all(|l| l.split(' ').any(|w| w == "--locked")),
        "cargo install --locked builds what Cargo.lock pins: {cargo}"
    );
    // Every place contrib/ runs gpuctl from holds the installed gpuctl.
    let paths = contrib_binary_paths();
    assert!(!paths.is_empty());
    for path in &paths {
        let installed = fake_root.join(path.trim_start_matches('/'));
        let version = Command::new(&installed).arg("--version").output();
        assert!(
            version.is_ok_and(|v| v.status.success() && v.stdout.starts_with(b"gpuctl ")),
            "contrib/ runs {path}, which the README's Install does not put there"
        );
    }
    assert!(fake_root.join("usr/local/share/man/man1/gpuctl.1").exists());
    for completion in [
        ".local/share/bash-completion/completions/gpuctl",
        ".zfunc/_gpuctl",
        ".config/fish/completions/gpuctl.fish",
        ".config/elvish/lib/gpuctl.elv",
    ] {
        let size = std::fs::metadata(home.join(completion)).map(|m| m.len());
        assert!(size.is_ok_and(|s| s > 0), "{completion} is installed");
    }
    // Quick start installs the same way.
    for line in readme.lines().filter(|l| l.starts_with("cargo install")) {
        assert!(line.contains("--locked"), "{line}");
    }
}

/// Expands `{a,b}` (one pair) in a path pattern.
fn braces(pattern: &str) -> Vec<String> {
    match (pattern.find('{'), pattern.find('}')) {
        (Some(open), Some(close)) if open < close => pattern[open + 1..close]
            .split(',')
            .map(|alt| format!("{}{alt}{}", &pattern[..open], &pattern[close + 1..]))
            .collect(),
        _ => vec![pattern.to_string()],
    }
}

/// Whether `name` matches `pattern`, whose `*` stands for any run of characters.
fn wildcard(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((head, tail)) => {
            name.starts_with(head)
                && (head.len()..=name.len())
                    .any(|i| name.is_char_boundary(i) && wildcard(tail, &name[i..]))
        }
    }
}

/// Whether a path of the repository (its last part may hold `*`) names something there.
fn exists_in_repository(path: &str) -> bool {
    let full = root().join(path);
    let name = full
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !name.contains('*') {
        return full.exists();
    }
    let dir = full.parent().map(Path::to_path_buf).unwrap_or_default();
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries
            .filter_map(|e| e.ok())
            .any(|e| wildcard(&name, &e.file_name().to_string_lossy()))
    })
}

#[test]
fn every_file_of_the_repository_the_readme_names_exists() {
    let readme = readme();
    let tops = [
        ".ci/",
        "src/",
        "tests/",
        "benches/",
        "contrib/",
        "man/",
        "completions/",
        "fake-nvml/",
    ];
    let mut named = BTreeSet::new();
    for word in readme.split(|c: char| c.is_whitespace() || "`()|;\"'".contains(c)) {
        let word = word.trim_end_matches(['.', ':', ',']);
        let is_repo_path = tops.iter().any(|top| word.starts_with(top));
        let is_doc = word.ends_with(".md") && !word.contains('/');
        if is_repo_path || is_doc {
            named.extend(braces(word));
        }
    }
    for expected in [
        "src/demo.rs",
        "contrib/systemd/gpuctl-notify.timer",
        "man/*.1",
    ] {
        assert!(named.contains(expected), "{expected} is checked: {named:?}");
    }
    let missing: Vec<&String> = named.iter().filter(|p| !exists_in_repository(p)).collect();
    assert!(
        missing.is_empty(),
        "the README names what the repository lacks: {missing:?}"
    );
}

#[test]
fn a_demo_store_read_days_after_the_demo_still_shows_its_fleet_live() {
    // As the README has it: `gpuctl demo`, then commands on the system clock, however much
    // later (no GPUCTL_NOW anywhere).
    let env = Env::new();
    let db = env.dir().join("demo.db");
    let db = db.to_str().unwrap();
    let on_system_clock = |args: &[&str]| -> String {
        let output = env.process(args).env_remove("GPUCTL_NOW").output().unwrap();
        assert!(
            output.status.success(),
            "gpuctl {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let demo = [
        "--db",
        db,
        "demo",
        "--nodes",
        "9",
        "--gpus-per-node",
        "2",
        "--days",
        "1",
    ];
    let summary: serde_json::Value =
        serde_json::from_str(&on_system_clock(&[&demo[..], &["-o", "json"]].concat())).unwrap();
    assert_eq!(summary["clock_at"], "2026-11-29T10:00:00Z", "{summary}");
    let stats: serde_json::Value = serde_json::from_str(&on_system_clock(&[
        "--db",
        db,
        "dashboard",
        "stats",
        "-o",
        "json",
    ]))
    .unwrap();
    assert!(
        stats["gpus_reporting"].as_i64().unwrap() >= 10,
        "the demo's samples are recent at its clock: {stats}"
    );
    let overview = on_system_clock(&["--db", db, "dashboard"]);
    assert!(
        overview.contains("util ") && !overview.contains("no recent samples"),
        "{overview}"
    );
    // Writes run at the demo's clock too: a lease for an hour ends an hour after it.
    let lease = |now: Option<&str>| -> serde_json::Value {
        let args = [
            "--db",
            db,
            "alloc",
            "create",
            "--cluster",
            "research",
            "--owner",
            "newcomer",
            "--for",
            "1h",
            "-o",
            "json",
        ];
        let text = match now {
            Some(now) => {
                let mut env_at = Env::new();
                env_at.set_now(now);
                env_at.ok(&args)
            }
            None => on_system_clock(&args),
        };
        serde_json::from_str(&text).unwrap()
    };
    assert_eq!(lease(None)[0]["expires_at"], "2026-11-29T11:00:00Z");
    // GPUCTL_NOW, when set, is the clock: the demo's gives way to it.
    assert_eq!(
        lease(Some("2026-11-29T10:05:00Z"))[0]["expires_at"],
        "2026-11-29T11:05:00Z"
    );
    // A demo made under GPUCTL_NOW keeps that time as its clock.
    let mut env_then = Env::new();
    env_then.set_now("2026-06-01T08:30:00Z");
    env_then.ok(&[&demo[..], &["-q"]].concat());
    assert_eq!(lease(None)[0]["expires_at"], "2026-06-01T09:30:00Z");
}

#[test]
fn a_demo_store_watched_on_a_terminal_stays_at_the_demos_clock() {
    let env = Env::new();
    let db = env.dir().join("demo.db");
    let db = db.to_str().unwrap();
    env.ok(&[
        "--db",
        db,
        "demo",
        "--nodes",
        "3",
        "--gpus-per-node",
        "2",
        "--days",
        "1",
        "-q",
    ]);
    // `script` gives gpuctl a terminal; `timeout` sends the Ctrl-C; the system clock runs.
    let output = env
        .shell(&format!(
            "unset GPUCTL_NOW; script -qec \"timeout --preserve-status -s INT 2.5 '$GPUCTL' --db '{db}' dashboard realtime --watch 1s\" /dev/null"
        ))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.matches("2026-11-29 10:00Z · every 1s").count() >= 2,
        "each redraw is at the demo's clock: {text}"
    );
    // One of the demo's GPUs stopped reporting two hours before its clock; the rest are live.
    assert!(text.contains("6 GPU(s), 1 stale"), "{text}");
}
