//! contrib/prometheus (recording and alerting rules, their promtool unit tests) and
//! contrib/grafana (the fleet dashboard): promtool accepts and passes them, and every series
//! they name is one that gpuctl or dcgm-exporter exports, or a recording rule of contrib's.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::harness::Env;
use crate::services::require_binary;

const RULES: &str = "gpuctl-rules.yml";
const RULE_TESTS: &str = "gpuctl-rules.test.yml";
const DASHBOARD: &str = "contrib/grafana/gpuctl-fleet.json";

/// Series Prometheus makes itself for every scrape target, not any exporter.
const PROMETHEUS_SERIES: &[&str] = &["up"];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn rules_dir() -> PathBuf {
    root().join("contrib/prometheus")
}

/// `promtool ARGS` in contrib/prometheus; None (after saying so) when promtool is missing and
/// `CI` is unset; under CI a missing promtool fails the test.
fn promtool(args: &[&str]) -> Option<String> {
    if !require_binary("promtool") {
        return None;
    }
    let output = Command::new("promtool")
        .args(args)
        .current_dir(rules_dir())
        .output()
        .expect("run promtool");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "promtool {} failed:\n{report}",
        args.join(" ")
    );
    Some(report)
}

#[test]
fn contrib_rules_pass_promtool_check_and_their_unit_tests() {
    if let Some(report) = promtool(&["check", "rules", RULES]) {
        assert!(report.contains("SUCCESS"), "{report}");
    }
    if let Some(report) = promtool(&["test", "rules", RULE_TESTS]) {
        assert!(report.contains("SUCCESS"), "{report}");
    }
}

/// The families of a real `gpuctl export prometheus` of the demo fleet (after an optimize run,
/// so that every store-wide series is there too), from its `# TYPE` lines.
fn exported_families() -> BTreeSet<String> {
    let env = Env::new();
    let db = env.dir().join("demo.db");
    let db = db.to_str().unwrap();
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
        "-q",
    ];
    env.ok(&demo);
    env.ok(&["--db", db, "optimize", "-q"]);
    let text = env.ok(&["--db", db, "export", "prometheus", "--all-nodes"]);
    let families: BTreeSet<String> = text
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .map(|l| l.split(' ').next().unwrap().to_string())
        .collect();
    for expected in [
        "DCGM_FI_DEV_GPU_UTIL",
        "gpuctl_alert",
        "gpuctl_lease",
        "gpuctl_node_status",
        "gpuctl_gpus",
        "gpuctl_collect_success",
        "gpuctl_optimize_last_run_timestamp_seconds",
    ] {
        assert!(
            families.contains(expected),
            "the demo's export has {expected}: {families:?}"
        );
    }
    families
}

/// Every series name contrib's rules and dashboard may use, recording rules aside.
fn exported_names() -> BTreeSet<String> {
    let mut names = exported_families();
    names.extend(
        gpuctl::prometheus::DCGM_READ_FAMILIES
            .iter()
            .map(|s| s.to_string()),
    );
    names.extend(PROMETHEUS_SERIES.iter().map(|s| s.to_string()));
    names
}

/// The values of `key:` in a YAML file as this repository writes them: a plain or quoted
/// scalar on the key's line, or a block scalar (`|`, `>`) on the more-indented lines after it.
/// promtool reads the same files; the rules test checks that nothing was missed.
fn yaml_values(text: &str, key: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut values = Vec::new();
    let mut at = 0;
    while at < lines.len() {
        let line = lines[at];
        at += 1;
        let trimmed = line.trim_start().trim_start_matches("- ");
        let Some(rest) = trimmed.strip_prefix(&format!("{key}:")) else {
            continue;
        };
        let rest = rest.trim();
        if rest.starts_with('|') || rest.starts_with('>') {
            let indent = line.len() - line.trim_start().len();
            let mut block = Vec::new();
            while at < lines.len() {
                let next = lines[at];
                let next_indent = next.len() - next.trim_start().len();
                if !next.trim().is_empty() && next_indent <= indent {
                    break;
                }
                block.push(next.trim());
                at += 1;
            }
            values.push(block.join("\n").trim().to_string());
        } else if let Some(quoted) = rest.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
            values.push(quoted.replace("''", "'"));
        } else if let Some(quoted) = rest.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
            assert!(
                !quoted.contains('\\'),
                "a double-quoted value with escapes: write it plain or as a block: {line}"
            );
            values.push(quoted.to_string());
        } else {
            values.push(rest.to_string());
        }
    }
    values
}

/// The keywords of PromQL that look like identifiers: aggregation operators, their grouping
/// clauses, vector matching, set operators and modifiers, and the float literals.
const KEYWORDS: &[&str] = &[
    "sum",
    "min",
    "max",
    "avg",
    "group",
    "stddev",
    "stdvar",
    "count",
    "count_values",
    "bottomk",
    "topk",
    "quantile",
    "limitk",
    "limit_ratio",
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "and",
    "or",
    "unless",
    "atan2",
    "bool",
    "offset",
    "inf",
    "nan",
];
/// The keywords followed by a parenthesised list of label names.
const LABEL_LISTS: &[&str] = &[
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
];

/// The index just past the string literal that starts at `start` (`"…"`, `'…'` or `` `…` ``).
fn skip_string(chars: &[char], start: usize) -> usize {
    let quote = chars[start];
    let mut at = start + 1;
    while at < chars.len() {
        match chars[at] {
            '\\' if quote != '`' => at += 2,
            c if c == quote => return at + 1,
            _ => at += 1,
        }
    }
    panic!(
        "an unterminated string in {}",
        chars.iter().collect::<String>()
    );
}

/// The index just past the bracket that closes the one at `start`, strings skipped; and the
/// text between.
fn skip_bracketed(chars: &[char], start: usize) -> (usize, String) {
    let (open, close) = (chars[start], closing(chars[start]));
    let mut depth = 0;
    let mut at = start;
    while at < chars.len() {
        match chars[at] {
            '"' | '\'' | '`' => {
                at = skip_string(chars, at);
                continue;
            }
            c if c == open => depth += 1,
            c if c == close => {
                depth -= 1;
                if depth == 0 {
                    return (at + 1, chars[start + 1..at].iter().collect());
                }
            }
            _ => {}
        }
        at += 1;
    }
    panic!(
        "an unclosed '{open}' in {}",
        chars.iter().collect::<String>()
    );
}

fn closing(open: char) -> char {
    match open {
        '{' => '}',
        '[' => ']',
        '(' => ')',
        _ => unreachable!("no bracket: {open}"),
    }
}

fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || c == ':'
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == ':'
}

/// The metric names a PromQL expression selects: the identifiers that are no function call,
/// keyword or label name of a grouping list, outside strings, label matchers (`{…}`), ranges
/// (`[…]`), numbers and durations, and Grafana's variables (`$cluster`, `${model}`,
/// `$__rate_interval`). A selector by `__name__` is refused: it would hide its name from the check.
fn metric_names(expr: &str) -> Vec<String> {
    let chars: Vec<char> = expr.chars().collect();
    let mut names = Vec::new();
    let mut at = 0;
    while at < chars.len() {
        let c = chars[at];
        if c == '"' || c == '\'' || c == '`' {
            at = skip_string(&chars, at);
        } else if c == '{' || c == '[' {
            let (end, inside) = skip_bracketed(&chars, at);
            assert!(
                !inside.contains("__name__"),
                "a selector by __name__ in {expr}"
            );
            at = end;
        } else if c == '#' {
            while at < chars.len() && chars[at] != '\n' {
                at += 1;
            }
        } else if c == '$' {
            at += 1;
            if chars.get(at) == Some(&'{') {
                at = skip_bracketed(&chars, at).0;
            } else {
                while at < chars.len() && is_name_char(chars[at]) {
                    at += 1;
                }
            }
        } else if c.is_ascii_digit()
            || (c == '.' && chars.get(at + 1).is_some_and(char::is_ascii_digit))
        {
            // 42, 3.6e6, 0x1f, and durations such as 5m or 1h30m.
            while at < chars.len() && (chars[at].is_ascii_alphanumeric() || chars[at] == '.') {
                at += 1;
            }
        } else if is_name_start(c) {
            let start = at;
            while at < chars.len() && is_name_char(chars[at]) {
                at += 1;
            }
            let word: String = chars[start..at].iter().collect();
            let mut next = at;
            while next < chars.len() && chars[next].is_whitespace() {
                next += 1;
            }
            let opens = chars.get(next) == Some(&'(');
            if KEYWORDS.contains(&word.to_ascii_lowercase().as_str()) {
                if opens && LABEL_LISTS.contains(&word.as_str()) {
                    at = skip_bracketed(&chars, next).0;
                }
            } else if !opens {
                names.push(word);
            }
        } else {
            at += 1;
        }
    }
    names
}

#[test]
fn metric_names_finds_selected_series_and_nothing_else() {
    let cases: &[(&str, &[&str])] = &[
        (
            r#"sum by (cluster, modelName) (rate(DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{cluster=~"$cluster",x="a}b[c"}[$__rate_interval])) / 3.6e6"#,
            &["DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION"],
        ),
        (
            "gpuctl_lease * on (UUID) group_left () UUID:DCGM_FI_DEV_GPU_UTIL:max < bool 5",
            &["gpuctl_lease", "UUID:DCGM_FI_DEV_GPU_UTIL:max"],
        ),
        (
            "topk(10, max without (pod, container) (a_metric offset 1h30m)) or vector(0)",
            &["a_metric"],
        ),
        (
            "count(up{job=~\".*dcgm-exporter.*\"} == 0) unless on() hour() > Inf",
            &["up"],
        ),
        (
            "time() - gpuctl_collect_last_success_timestamp_seconds\n  > 15 * 60 # a comment, sum by x",
            &["gpuctl_collect_last_success_timestamp_seconds"],
        ),
        (
            "sum by(status)(gpuctl_gpus{cluster=~\"${cluster}\"}) and ignoring(status) max_over_time(b[5m:1m])",
            &["gpuctl_gpus", "b"],
        ),
        (
            "label_replace(c, \"dst\", \"$1\", \"src\", \"(.*)\") + d @ 1700000000",
            &["c", "d"],
        ),
    ];
    for (expr, expected) in cases {
        assert_eq!(metric_names(expr), *expected, "{expr}");
    }
}

#[test]
#[should_panic(expected = "__name__")]
fn metric_names_refuses_a_selector_by_name() {
    metric_names(r#"{__name__=~"DCGM_.*"}"#);
}

/// The names of `exprs` that are not in `known`, with the expression naming each.
fn unknown_names(exprs: &[String], known: &BTreeSet<String>) -> Vec<String> {
    exprs
        .iter()
        .flat_map(|expr| {
            metric_names(expr)
                .into_iter()
                .filter(|name| !known.contains(name))
                .map(move |name| format!("{name} (in {expr})"))
        })
        .collect()
}

/// The recording rules of contrib/prometheus, by name.
fn recording_rules() -> BTreeSet<String> {
    let rules = std::fs::read_to_string(rules_dir().join(RULES)).unwrap();
    yaml_values(&rules, "record").into_iter().collect()
}

#[test]
fn contrib_rules_name_only_series_gpuctl_or_dcgm_exporter_export() {
    let rules = std::fs::read_to_string(rules_dir().join(RULES)).unwrap();
    let exprs = yaml_values(&rules, "expr");
    let records = recording_rules();
    let alerts = yaml_values(&rules, "alert");
    for wanted in [
        "GpuTemperatureHigh",
        "GpuEccUncorrectedErrors",
        "GpuLeasedButIdle",
        "DcgmExporterDown",
        "GpuctlCollectFailing",
        "GpuctlCollectStale",
    ] {
        assert!(alerts.iter().any(|a| a == wanted), "{wanted}: {alerts:?}");
    }
    // Every rule has its expr read: as many as promtool counts.
    assert_eq!(exprs.len(), records.len() + alerts.len(), "{exprs:#?}");
    if let Some(report) = promtool(&["check", "rules", RULES]) {
        assert!(
            report.contains(&format!("SUCCESS: {} rules found", exprs.len())),
            "promtool counts other rules than the {} read here:\n{report}",
            exprs.len()
        );
    }
    let mut known = exported_names();
    known.extend(records.iter().cloned());
    assert_eq!(unknown_names(&exprs, &known), Vec::<String>::new());

    // The unit tests feed only series the exporters write, and query only known ones.
    let tests = std::fs::read_to_string(rules_dir().join(RULE_TESTS)).unwrap();
    let inputs: Vec<String> = yaml_values(&tests, "series")
        .iter()
        .map(|s| s.split('{').next().unwrap().to_string())
        .collect();
    assert!(inputs.len() >= 10, "{inputs:?}");
    let unknown: Vec<&String> = inputs.iter().filter(|n| !known.contains(*n)).collect();
    assert!(unknown.is_empty(), "test input of no exporter: {unknown:?}");
    assert_eq!(
        unknown_names(&yaml_values(&tests, "expr"), &known),
        Vec::<String>::new()
    );
}

/// Every PromQL query of a Grafana dashboard: each panel's targets (rows' panels too) and each
/// query variable, with its title or name.
fn dashboard_queries(dashboard: &serde_json::Value) -> Vec<(String, String)> {
    fn panels(list: &serde_json::Value, out: &mut Vec<(String, String)>) {
        for panel in list.as_array().into_iter().flatten() {
            let title = panel["title"].as_str().unwrap_or("?").to_string();
            for target in panel["targets"].as_array().into_iter().flatten() {
                let expr = target["expr"]
                    .as_str()
                    .unwrap_or_else(|| panic!("panel '{title}' has a target without expr"));
                out.push((title.clone(), expr.to_string()));
            }
            if panel["type"] != "row" {
                assert!(
                    panel["targets"].as_array().is_some_and(|t| !t.is_empty()),
                    "panel '{title}' queries nothing"
                );
            }
            panels(&panel["panels"], out);
        }
    }
    let mut out = Vec::new();
    panels(&dashboard["panels"], &mut out);
    for variable in dashboard["templating"]["list"]
        .as_array()
        .into_iter()
        .flatten()
    {
        if variable["type"] != "query" {
            continue;
        }
        let name = format!("${}", variable["name"].as_str().unwrap());
        let query = match &variable["query"] {
            serde_json::Value::String(query) => query.as_str(),
            query => query["query"].as_str().unwrap(),
        };
        // Grafana's label_values(SELECTOR, LABEL): the selector is PromQL, the label is not.
        let selector = query
            .strip_prefix("label_values(")
            .and_then(|q| q.strip_suffix(')'))
            .and_then(|q| q.rsplit_once(','))
            .map(|(selector, _)| selector)
            .unwrap_or_else(|| panic!("{name}: a query variable other than label_values: {query}"));
        out.push((name, selector.to_string()));
    }
    out
}

#[test]
fn grafana_dashboard_names_only_series_gpuctl_or_dcgm_exporter_export() {
    let text = std::fs::read_to_string(root().join(DASHBOARD)).unwrap();
    let dashboard: serde_json::Value = serde_json::from_str(&text).expect("the dashboard parses");
    let queries = dashboard_queries(&dashboard);
    let exprs: Vec<String> = queries.iter().map(|(_, e)| e.clone()).collect();
    let titles: BTreeSet<&str> = queries.iter().map(|(t, _)| t.as_str()).collect();
    for wanted in [
        "GPU utilisation",
        "GPU memory used",
        "Power draw",
        "Hottest GPU",
        "Open alerts",
        "Leases",
        "Idle leased GPUs",
        "$cluster",
    ] {
        assert!(titles.contains(wanted), "no '{wanted}' panel: {titles:?}");
    }
    let mut known = exported_names();
    known.extend(recording_rules());
    assert_eq!(unknown_names(&exprs, &known), Vec::<String>::new());
    let used: BTreeSet<String> = exprs.iter().flat_map(|e| metric_names(e)).collect();
    for series in [
        "gpuctl_alert",
        "gpuctl_lease",
        "gpuctl_lease:DCGM_FI_DEV_GPU_UTIL:max",
    ] {
        assert!(
            used.contains(series),
            "the dashboard shows {series}: {used:?}"
        );
    }
    check_dashboard_promql(&queries);
}

/// promtool parses each dashboard query, as a recording rule of a scratch rules file (JSON is
/// YAML), with Grafana's variables given values.
fn check_dashboard_promql(queries: &[(String, String)]) {
    let rules: Vec<serde_json::Value> = queries
        .iter()
        .enumerate()
        .map(|(at, (_, expr))| {
            let expr = expr
                .replace("$__rate_interval", "5m")
                .replace("${cluster}", ".*")
                .replace("$cluster", ".*")
                .replace("${model}", ".*")
                .replace("$model", ".*");
            assert!(
                !expr.contains('$'),
                "a variable the check does not know: {expr}"
            );
            serde_json::json!({"record": format!("dashboard:query_{at}"), "expr": expr})
        })
        .collect();
    let file = serde_json::json!({"groups": [{"name": "dashboard", "rules": rules}]});
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dashboard-queries.yml");
    std::fs::write(&path, file.to_string()).unwrap();
    if let Some(report) = promtool(&["check", "rules", path.to_str().unwrap()]) {
        assert!(
            report.contains(&format!("SUCCESS: {} rules found", queries.len())),
            "{report}"
        );
    }
}
