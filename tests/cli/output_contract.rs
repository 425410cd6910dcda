//! One output contract for every read command, walked from the clap tree so a new command
//! cannot be forgotten: table, JSON and CSV on a demo store and on an empty one. JSON parses;
//! CSV starts with its header, named as the JSON fields are, rows or none; a format a command
//! cannot give exits 2 naming those it can. And every table fits COLUMNS = 60, 80 and 200
//! without breaking a header word.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use unicode_width::UnicodeWidthStr;

use crate::harness::{fixture, Env};

/// The commands that read (their path in the clap tree, and the arguments they run with on the
/// demo store): `{node}` and `{uuid}` stand for a node and a GPU of the store, `{drift}` for a
/// saved `kubectl get nodes -o json`.
const READ: &[(&str, &str)] = &[
    ("node list", ""),
    ("node list", "--status cordoned"),
    ("node show", "{node}"),
    ("node history", "{node}"),
    ("node recent", ""),
    ("node drift", "--cluster prod-east {drift}"),
    ("device list", ""),
    ("device list", "--status retired"),
    ("device show", "{uuid}"),
    ("model list", ""),
    ("model show", "A100-SXM4-80GB"),
    ("mig list", ""),
    ("alloc list", ""),
    ("alloc list", "--owner nobody"),
    ("alloc show", "1"),
    ("alert list", ""),
    ("alert list", "--severity info"),
    ("alert show", "1"),
    ("alert rules", ""),
    ("alert rules list", ""),
    ("alert receivers", ""),
    ("alert receivers list", ""),
    ("report cost", ""),
    ("report idle", ""),
    ("report utilization", ""),
    ("dashboard", ""),
    ("dashboard stats", ""),
    ("dashboard clusters", ""),
    ("dashboard models", ""),
    ("dashboard trends", ""),
    ("dashboard alerts", ""),
    ("dashboard activity", ""),
    ("dashboard realtime", ""),
    ("db retention", ""),
    ("doctor", ""),
    ("export prometheus", "--all-nodes"),
    ("optimize", "--dry-run"),
    ("completions", "bash"),
];

/// The commands that change something (or need a service to talk to): the contract test
/// does not run them, but a command must be in one list or the other.
const WRITE: &[&str] = &[
    "node add",
    "node update",
    "node set-status",
    "node remove",
    "node import",
    "node sync",
    "device add",
    "device update",
    "device set-status",
    "device remove",
    "model add",
    "model update",
    "model remove",
    "mig enable",
    "mig disable",
    "mig create",
    "mig destroy",
    "alloc create",
    "alloc release",
    "alloc extend",
    "alert ack",
    "alert resolve",
    "alert notify",
    "alert rules set",
    "alert rules enable",
    "alert rules disable",
    "alert receivers add",
    "alert receivers remove",
    "alert receivers test",
    "db prune",
    "db vacuum",
    "db backup",
    "collect",
    "demo",
];

/// Formats a read command refuses, and the words its error names the ones it gives with.
const REFUSED: &[(&str, &str, &str)] = &[
    ("dashboard", "csv", "its formats are table and json"),
    (
        "optimize --dry-run",
        "csv",
        "its formats are table and json",
    ),
    (
        "export prometheus --all-nodes",
        "json",
        "its only format is table",
    ),
    (
        "export prometheus --all-nodes",
        "csv",
        "its only format is table",
    ),
    ("completions bash", "json", "its only format is table"),
    ("completions bash", "csv", "its only format is table"),
];

/// Commands whose table view goes to stderr alone (a cron job's: cron mails what it prints).
const TABLE_ON_STDERR: &[&str] = &["optimize --dry-run"];

/// Commands whose table is not a table: text in another program's format.
const NOT_TABLES: &[&str] = &["export prometheus --all-nodes", "completions bash"];

/// Exit codes a read command may end with besides 0: drift's "they differ", and doctor's
/// findings on a host without a GPU.
fn allowed_codes(command: &str) -> &'static [i32] {
    match command {
        c if c.starts_with("node drift") => &[0, 1],
        "doctor" => &[0, 1, 6],
        _ => &[0],
    }
}

/// Every command path of the clap tree, from `--help`: groups and leaves.
fn command_tree(env: &Env) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut groups = BTreeSet::new();
    let mut leaves = BTreeSet::new();
    let mut pending = vec![String::new()];
    while let Some(path) = pending.pop() {
        let mut args: Vec<&str> = path.split_whitespace().collect();
        args.push("--help");
        let help = env.ok(&args);
        let children = subcommands(&help);
        if children.is_empty() {
            leaves.insert(path);
            continue;
        }
        if !path.is_empty() {
            groups.insert(path.clone());
        }
        for child in children {
            pending.push(format!("{path} {child}").trim().to_string());
        }
    }
    (groups, leaves)
}

/// The names under `Commands:` in a help text, without `help`.
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|line| line.trim_end() != "Commands:")
        .skip(1)
        .take_while(|line| !line.trim().is_empty())
        .filter(|line| line.starts_with("  ") && !line.starts_with("   "))
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_string)
        .collect()
}

/// A READ entry as one command line.
fn command_line((path, args): &(&str, &str)) -> String {
    format!("{path} {args}").trim().to_string()
}

#[test]
fn every_command_is_known_as_a_read_or_a_write() {
    let env = Env::new();
    let (groups, leaves) = command_tree(&env);
    let read: BTreeSet<String> = READ.iter().map(|(path, _)| path.to_string()).collect();
    let write: BTreeSet<String> = WRITE.iter().map(|c| c.to_string()).collect();
    let unknown: Vec<&String> = leaves
        .iter()
        .filter(|leaf| !read.contains(*leaf) && !write.contains(*leaf))
        .collect();
    assert!(
        unknown.is_empty(),
        "commands neither in READ nor in WRITE of tests/cli/output_contract.rs: {unknown:?}"
    );
    for path in read.iter().chain(write.iter()) {
        assert!(
            leaves.contains(path) || groups.contains(path),
            "'{path}' is no command of the clap tree"
        );
    }
}

/// A demo store (small, fixed clock) and its first node and GPU.
struct Demo {
    env: Env,
    node: String,
    uuid: String,
}

fn demo() -> Demo {
    let env = Env::new();
    env.ok(&[
        "--db",
        env.db().to_str().unwrap(),
        "demo",
        "--nodes",
        "9",
        "--gpus-per-node",
        "2",
        "--days",
        "1",
        "-o",
        "json",
    ]);
    let nodes = env.json(&["node", "list"]);
    let devices = env.json(&["device", "list"]);
    Demo {
        node: nodes[0]["name"].as_str().unwrap().to_string(),
        uuid: devices[0]["uuid"].as_str().unwrap().to_string(),
        env,
    }
}

fn args_of(command: &str, node: &str, uuid: &str) -> Vec<String> {
    let drift = fixture("kube/node-single.json");
    command
        .split_whitespace()
        .map(|w| match w {
            "{node}" => node.to_string(),
            "{uuid}" => uuid.to_string(),
            "{drift}" => drift.to_str().unwrap().to_string(),
            other => other.to_string(),
        })
        .collect()
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(env: &Env, args: &[String], extra: &[&str], columns: &str) -> Run {
    let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
    all.extend(extra);
    let output = env
        .cmd(&all)
        .env("COLUMNS", columns)
        .output()
        .expect("run gpuctl");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(output.stderr).expect("utf-8 stderr"),
    }
}

/// The field names a JSON answer has: an object's keys, or those of an array's first object.
fn json_fields(value: &Value) -> Option<Vec<String>> {
    let object = match value {
        Value::Array(items) => items.first()?.as_object()?,
        Value::Object(object) => object,
        _ => return None,
    };
    Some(object.keys().cloned().collect())
}

/// Checks one command in the three formats on one store; returns its CSV header, if it gives
/// CSV there.
fn check_formats(
    env: &Env,
    command: &str,
    args: &[String],
    store: &str,
    missing_ok: bool,
) -> Option<Vec<String>> {
    let mut header = None;
    for format in ["table", "json", "csv"] {
        let what = format!("gpuctl {command} -o {format} ({store} store)");
        let result = run(env, args, &["-o", format], "200");
        if let Some((_, _, names)) = REFUSED
            .iter()
            .find(|(c, f, _)| *c == command && *f == format)
        {
            assert_eq!(result.code, Some(2), "{what}: {}", result.stderr);
            let error = result.stderr.lines().next().unwrap_or_default();
            assert!(
                error.starts_with("gpuctl: error: ")
                    && error.contains(&format!("cannot print {format}"))
                    && error.contains(names),
                "{what}: the error names the formats it gives: {error}"
            );
            assert!(result.stdout.is_empty(), "{what} printed {}", result.stdout);
            continue;
        }
        if missing_ok && result.code == Some(3) {
            continue;
        }
        let code = result.code.unwrap_or(-1);
        assert!(
            allowed_codes(command).contains(&code),
            "{what} exited {code}: {}",
            result.stderr
        );
        match format {
            "json" => {
                let value: Value = serde_json::from_str(&result.stdout)
                    .unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {}", result.stdout));
                let csv = run(env, args, &["-o", "csv"], "200");
                let csv_header: Vec<String> = csv
                    .stdout
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .split(',')
                    .map(str::to_string)
                    .collect();
                let csv_refused = REFUSED.iter().any(|(c, f, _)| *c == command && *f == "csv");
                if let (Some(fields), false) = (json_fields(&value), csv_refused) {
                    assert_eq!(
                        csv_header, fields,
                        "{what}: the CSV header is the JSON fields"
                    );
                }
            }
            "csv" => {
                let first = result.stdout.lines().next().unwrap_or_else(|| {
                    panic!("{what}: no header line, stdout: {:?}", result.stdout)
                });
                let names: Vec<String> = first.split(',').map(str::to_string).collect();
                for name in &names {
                    assert!(
                        !name.is_empty()
                            && name
                                .chars()
                                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                        "{what}: '{first}' is no header of field names"
                    );
                }
                header = Some(names);
            }
            _ if TABLE_ON_STDERR.contains(&command) => {
                assert!(result.stdout.is_empty(), "{what}: {}", result.stdout);
                assert!(!result.stderr.is_empty(), "{what} said nothing");
            }
            _ => assert!(!result.stdout.is_empty(), "{what} printed nothing"),
        }
    }
    header
}

#[test]
fn every_read_command_gives_table_json_and_csv_or_refuses_by_name() {
    let demo = demo();
    let empty = Env::new();
    empty.init_store();
    let mut headers: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for entry in READ {
        let command = command_line(entry);
        let args = args_of(&command, &demo.node, &demo.uuid);
        if let Some(header) = check_formats(&demo.env, &command, &args, "demo", false) {
            headers.insert(command, header);
        }
    }
    for entry in READ {
        // A show command on the empty store finds nothing (exit 3) in every format.
        let command = command_line(entry);
        let args = args_of(&command, &demo.node, &demo.uuid);
        let header = check_formats(&empty, &command, &args, "empty", true);
        if let (Some(empty_header), Some(demo_header)) = (header, headers.get(&command)) {
            assert_eq!(
                &empty_header, demo_header,
                "gpuctl {command} -o csv: an empty store's header is the one rows have"
            );
        }
    }
}

#[test]
fn an_empty_list_prints_its_csv_header_and_nothing_else() {
    let demo = demo();
    for (command, first_field) in [
        ("alloc list --owner nobody", "id"),
        ("alert list --severity info", "id"),
        ("device list --status retired", "uuid"),
    ] {
        let args = args_of(command, &demo.node, &demo.uuid);
        let csv = run(&demo.env, &args, &["-o", "csv"], "200");
        assert_eq!(csv.code, Some(0), "{command}: {}", csv.stderr);
        assert_eq!(csv.stdout.lines().count(), 1, "{command}: {}", csv.stdout);
        assert!(
            csv.stdout.starts_with(&format!("{first_field},")),
            "{command}: {}",
            csv.stdout
        );
        let quiet = run(&demo.env, &args, &["-o", "csv", "--no-headers"], "200");
        assert_eq!(quiet.stdout, "", "{command} --no-headers");
    }
}

/// Text without the colour and bold sequences the output module writes.
fn strip_sgr(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("\x1b[") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find('m').map_or(after.len(), |i| i + 1);
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// The words of the bold runs of a line: a table's header, a show view's keys.
fn bold_words(line: &str) -> Vec<String> {
    line.split("\x1b[1m")
        .skip(1)
        .filter_map(|run| run.split("\x1b[0m").next())
        .flat_map(|run| run.split_whitespace().map(str::to_string))
        .collect()
}

#[test]
fn every_table_fits_60_80_and_200_columns_and_keeps_header_words_whole() {
    let demo = demo();
    for entry in READ {
        let command = command_line(entry);
        let command = command.as_str();
        if NOT_TABLES.contains(&command) {
            continue;
        }
        let args = args_of(command, &demo.node, &demo.uuid);
        let wide = run(&demo.env, &args, &["--color", "always"], "200");
        let header_words: BTreeSet<String> = wide.stdout.lines().flat_map(bold_words).collect();
        for columns in [60usize, 80, 200] {
            let what = format!("COLUMNS={columns} gpuctl {command}");
            let result = run(
                &demo.env,
                &args,
                &["--color", "always"],
                &columns.to_string(),
            );
            let code = result.code.unwrap_or(-1);
            assert!(
                allowed_codes(command).contains(&code),
                "{what} exited {code}: {}",
                result.stderr
            );
            // Chart lines too (`dashboard trends` draws them above its table).
            for line in result.stdout.lines() {
                let plain = strip_sgr(line);
                assert!(
                    plain.width() <= columns,
                    "{what}: a line of {} columns:\n{plain}\n\n{}",
                    plain.width(),
                    strip_sgr(&result.stdout)
                );
                for word in bold_words(line) {
                    assert!(
                        header_words.contains(&word),
                        "{what}: header word '{word}' is split (whole words: {header_words:?}):\n{}",
                        strip_sgr(&result.stdout)
                    );
                }
            }
        }
    }
}

#[test]
fn names_stay_whole_while_free_text_is_cut() {
    let demo = demo();
    let nodes: Vec<String> = demo
        .env
        .json(&["node", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap().to_string())
        .collect();
    for command in [
        "node list",
        "alert list",
        "alloc list",
        "dashboard realtime",
    ] {
        let args = args_of(command, &demo.node, &demo.uuid);
        let listed: Value = {
            let json = run(&demo.env, &args, &["-o", "json"], "200");
            serde_json::from_str(&json.stdout).unwrap()
        };
        for columns in ["60", "80"] {
            let table = run(&demo.env, &args, &[], columns).stdout;
            for row in listed.as_array().unwrap() {
                let node = row["node"].as_str().or(row["name"].as_str()).unwrap_or("-");
                if nodes.iter().any(|n| n == node) {
                    assert!(
                        table.contains(&format!("{node}  ")),
                        "COLUMNS={columns} gpuctl {command}: node {node} is cut:\n{table}"
                    );
                }
            }
        }
    }
}

#[test]
fn the_overview_uses_a_wide_terminal() {
    let demo = demo();
    let wide = run(&demo.env, &["dashboard".to_string()], &[], "200").stdout;
    // The GPU line holds its MIG figures on one line at 200; it wrapped at 80 whatever COLUMNS said.
    let gpus = wide.lines().find(|l| l.starts_with("gpus:")).unwrap();
    assert!(gpus.contains("MIG 20 instances"), "{wide}");
    assert!(gpus.chars().count() > 80, "{wide}");
    let narrow = run(&demo.env, &["dashboard".to_string()], &[], "60").stdout;
    assert!(narrow.lines().all(|l| l.width() <= 60), "{narrow}");
}
