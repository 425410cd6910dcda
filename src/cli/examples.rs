//! Examples for each command: one table feeds the Examples section of `--help` and the
//! EXAMPLES section of the man pages, so the two never disagree. A test parses every line
//! through the real clap tree.

/// One example: what it shows, and the command line (plain words, `'…'` quotes only).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Example {
    pub(crate) what: &'static str,
    pub(crate) line: &'static str,
}

const fn ex(what: &'static str, line: &'static str) -> Example {
    Example { what, line }
}

/// Examples by command path (`"node list"`); every command without subcommands has some.
/// The names are those of `gpuctl demo`'s fleet, so that a reader can try them there (a test
/// runs those of the reading commands on it).
pub(crate) const EXAMPLES: &[(&str, &[Example])] = &[
    (
        "node list",
        &[
            ex("The ready nodes of one cluster, most GPUs first", "gpuctl node list --cluster prod-east --status ready --sort gpus --desc"),
            ex("Nodes labelled for training, 20 a page, the second page", "gpuctl node list -l pool=training --limit 20 --page 2"),
            ex("Every node as CSV, for a spreadsheet", "gpuctl node list -o csv"),
        ],
    ),
    (
        "node show",
        &[
            ex("Every field of a node, its GPUs and its latest history", "gpuctl node show pe-gpu-001"),
            ex("A node by cluster and name, as where two clusters share a name", "gpuctl node show prod-east/pe-gpu-001"),
        ],
    ),
    (
        "node add",
        &[ex(
            "A node with its address, labels and declared GPUs",
            "gpuctl node add pe-gpu-042 --cluster prod-east --ip 10.0.4.42 -l pool=training --gpus 8",
        )],
    ),
    (
        "node update",
        &[ex(
            "A new driver, one label set and one removed, with the reason kept",
            "gpuctl node update pe-gpu-042 --driver 550.90.07 -l rack=r12 --unlabel pool --reason 'driver upgrade'",
        )],
    ),
    (
        "node set-status",
        &[ex("Cordon a node for maintenance", "gpuctl node set-status pe-gpu-042 cordoned --reason 'fan swap'")],
    ),
    (
        "node remove",
        &[
            ex("Remove a node that has no GPUs or leases", "gpuctl node remove pe-gpu-042"),
            ex("Remove it with its GPUs, ending its leases", "gpuctl node remove pe-gpu-042 --force --reason decommissioned"),
        ],
    ),
    (
        "node history",
        &[ex("A node's changes of the last week, newest first", "gpuctl node history pe-gpu-001 --since 7d --limit 20")],
    ),
    (
        "node recent",
        &[ex("Nodes changed in the last 3 days", "gpuctl node recent --since 3d")],
    ),
    (
        "node import",
        &[
            ex("Show what an export would change, writing nothing", "gpuctl node import nodes.json --cluster lab --dry-run"),
            ex("Import from kubectl, marking nodes gone from the cluster", "gpuctl node import - --cluster lab --prune"),
        ],
    ),
    (
        "node sync",
        &[ex("Import a cluster through a kubeconfig context", "gpuctl node sync --cluster prod-east --context prod-east --dry-run")],
    ),
    (
        "node drift",
        &[
            ex("Where the inventory and the cluster disagree (exit 1 when they do)", "gpuctl node drift --cluster prod-east"),
            ex("The same against a saved export, quietly, for cron", "gpuctl node drift --cluster prod-east nodes.json -q"),
        ],
    ),
    (
        "device list",
        &[
            ex("Free GPUs of one model in a cluster", "gpuctl device list --cluster prod-east --model H100-80GB --free"),
            ex("GPUs marked faulty", "gpuctl device list --status faulty"),
        ],
    ),
    (
        "device show",
        &[ex("Every field of a GPU and its latest sample", "gpuctl device show GPU-581ce1ff-0e4a-e394-09bc-585a244823f2")],
    ),
    (
        "device add",
        &[ex(
            "A GPU at index 0 of a node",
            "gpuctl device add GPU-3f2a9c1e-7b4d-4e0a-9c2b-1d5e6f708192 --node pe-gpu-042 --index 0 --model H100-80GB",
        )],
    ),
    (
        "device update",
        &[ex(
            "Record a GPU's serial number",
            "gpuctl device update GPU-3f2a9c1e-7b4d-4e0a-9c2b-1d5e6f708192 --serial 1654922012345",
        )],
    ),
    (
        "device set-status",
        &[ex(
            "Take a GPU out of service",
            "gpuctl device set-status GPU-3f2a9c1e-7b4d-4e0a-9c2b-1d5e6f708192 faulty --reason 'Xid 79'",
        )],
    ),
    (
        "device remove",
        &[ex(
            "Remove a GPU from the inventory",
            "gpuctl device remove GPU-3f2a9c1e-7b4d-4e0a-9c2b-1d5e6f708192 --reason RMA",
        )],
    ),
    (
        "model list",
        &[ex("The catalogue as JSON", "gpuctl model list -o json")],
    ),
    ("model show", &[ex("One model and its MIG profiles", "gpuctl model show H100-80GB")]),
    (
        "model add",
        &[ex(
            "A model with its memory, power and hourly cost",
            "gpuctl model add L40S --memory-mib 46068 --architecture Ada --tdp-w 350 --hourly-cost 1.10",
        )],
    ),
    (
        "model update",
        &[ex("A new hourly cost for a model", "gpuctl model update H100-80GB --hourly-cost 2.45")],
    ),
    ("model remove", &[ex("Remove a model no GPU uses", "gpuctl model remove L40S")]),
    (
        "mig enable",
        &[ex("Turn MIG mode on for a GPU", "gpuctl mig enable GPU-3f2a9c1e-7b4d-4e0a-9c2b-1d5e6f708192")],
    ),
    (
        "mig disable",
        &[ex("Turn MIG mode off again", "gpuctl mig disable GPU-3f2a9c1e-7b4d-4e0a-9c2b-1d5e6f708192")],
    ),
    (
        "mig create",
        &[ex(
            "Two 3g.40gb instances on a GPU",
            "gpuctl mig create GPU-3f2a9c1e-7b4d-4e0a-9c2b-1d5e6f708192 3g.40gb --count 2",
        )],
    ),
    ("mig list", &[ex("The GPU instances on one node", "gpuctl mig list --node pw-gpu-001")]),
    (
        "mig destroy",
        &[
            ex("One instance, by the id mig list shows", "gpuctl mig destroy 7"),
            ex(
                "Every instance of a GPU",
                "gpuctl mig destroy --device GPU-3f2a9c1e-7b4d-4e0a-9c2b-1d5e6f708192 --all",
            ),
        ],
    ),
    (
        "alloc create",
        &[
            ex(
                "Two H100s in one cluster for 8 hours",
                "gpuctl alloc create --cluster prod-east --model H100-80GB --count 2 --owner carol --namespace training --for 8h",
            ),
            ex(
                "One MIG instance until a given time",
                "gpuctl alloc create --mig-profile 1g.10gb --owner dave --until '2026-12-01 18:00'",
            ),
        ],
    ),
    (
        "alloc list",
        &[
            ex("Active leases of one owner", "gpuctl alloc list --owner carol"),
            ex("Every lease, ended ones too, as JSON", "gpuctl alloc list --all -o json"),
        ],
    ),
    ("alloc show", &[ex("One lease and its GPUs", "gpuctl alloc show 12")]),
    (
        "alloc extend",
        &[ex("Four more hours for a lease", "gpuctl alloc extend 12 --by 4h")],
    ),
    (
        "alloc release",
        &[ex("End a lease now", "gpuctl alloc release 12 --reason 'job finished'")],
    ),
    (
        "optimize",
        &[
            ex("What a run would change, writing nothing", "gpuctl optimize --dry-run -v"),
            ex("A run for cron, its findings as JSON", "gpuctl optimize -q -o json"),
        ],
    ),
    (
        "alert list",
        &[
            ex("Open critical alerts", "gpuctl alert list --severity critical"),
            ex("Every alert of one node, resolved ones too", "gpuctl alert list --all --node pe-gpu-001"),
        ],
    ),
    ("alert show", &[ex("One alert and its transitions", "gpuctl alert show 20")]),
    (
        "alert ack",
        &[ex("Acknowledge an alert with a note", "gpuctl alert ack 31 --note 'looking into it'")],
    ),
    (
        "alert resolve",
        &[ex("Resolve an alert by hand", "gpuctl alert resolve 31 --note 'GPU replaced'")],
    ),
    (
        "alert rules",
        &[ex("The rules, their thresholds and whether they are on", "gpuctl alert rules")],
    ),
    ("alert rules list", &[ex("The rules as JSON", "gpuctl alert rules list -o json")]),
    (
        "alert rules set",
        &[ex(
            "Warn at 80 degrees held for two minutes",
            "gpuctl alert rules set gpu-temperature-high --threshold 80 --for 2m --severity warning",
        )],
    ),
    ("alert rules enable", &[ex("Turn a rule on", "gpuctl alert rules enable allocated-idle")]),
    ("alert rules disable", &[ex("Turn a rule off", "gpuctl alert rules disable power-at-limit")]),
    (
        "alert receivers",
        &[ex("Pending, delivered and the last error per receiver", "gpuctl alert receivers")],
    ),
    ("alert receivers list", &[ex("The receivers as JSON", "gpuctl alert receivers list -o json")]),
    (
        "alert receivers add",
        &[
            ex("An Alertmanager", "gpuctl alert receivers add am --alertmanager http://alertmanager.monitoring.svc:9093"),
            ex(
                "A webhook with a bearer token from the environment",
                "gpuctl alert receivers add ops --webhook https://hooks.example.com/gpu --bearer-token-env OPS_TOKEN",
            ),
        ],
    ),
    ("alert receivers remove", &[ex("Remove a receiver", "gpuctl alert receivers remove ops")]),
    (
        "alert receivers test",
        &[ex("Send one test alert to a receiver", "gpuctl alert receivers test am --timeout 10s")],
    ),
    (
        "alert notify",
        &[ex("Deliver pending alerts now, retrying failed receivers", "gpuctl alert notify --retry-now")],
    ),
    (
        "db retention",
        &[
            ex("How long samples are kept", "gpuctl db retention"),
            ex("Keep raw samples 30 days and hourly rollups 2 years", "gpuctl db retention --raw 30d --hourly 2y"),
        ],
    ),
    ("db prune", &[ex("Delete what retention no longer keeps", "gpuctl db prune")]),
    ("db vacuum", &[ex("Give the space of deleted rows back to the disk", "gpuctl db vacuum")]),
    (
        "db backup",
        &[ex("A consistent copy of the store, taken while collect runs", "gpuctl db backup /backup/gpuctl.db")],
    ),
    (
        "report cost",
        &[
            ex("Cost per namespace over a week, energy included", "gpuctl report cost --since 7d --by namespace --energy-price 0.15"),
            ex("Cost per owner for November", "gpuctl report cost --from 2026-11-01 --to 2026-12-01"),
        ],
    ),
    (
        "report idle",
        &[ex("Leases whose GPUs stayed under 5 % in the last day", "gpuctl report idle --since 24h --threshold 5")],
    ),
    (
        "report utilization",
        &[ex("Utilisation per model over 30 days", "gpuctl report utilization --since 30d --by model")],
    ),
    (
        "collect",
        &[
            ex("Read this node's GPUs once (cron, every minute)", "gpuctl collect"),
            ex("Keep reading every minute and write a node-exporter textfile", "gpuctl collect --every 60s --textfile /var/lib/node_exporter"),
            ex(
                "Load a directory of nvidia-smi recordings, one NODE.csv per node",
                "gpuctl collect --input /srv/gpu-recordings/",
            ),
            ex(
                "Read a fleet from Prometheus, a week back",
                "gpuctl collect --from-prometheus http://prometheus.monitoring.svc:9090 --cluster prod --backfill 7d",
            ),
        ],
    ),
    (
        "demo",
        &[
            ex("A demo fleet in its own store, then its dashboard", "gpuctl demo"),
            ex("A bigger fleet, a week of samples", "gpuctl demo --nodes 200 --days 7"),
        ],
    ),
    (
        "dashboard",
        &[ex("The fleet at a glance", "gpuctl dashboard")],
    ),
    (
        "dashboard stats",
        &[ex("GPU counts, leases, utilisation and alerts", "gpuctl dashboard stats")],
    ),
    ("dashboard clusters", &[ex("One row per cluster", "gpuctl dashboard clusters")]),
    ("dashboard models", &[ex("One row per GPU model", "gpuctl dashboard models")]),
    (
        "dashboard realtime",
        &[ex("Every GPU's latest sample, redrawn every 5 seconds", "gpuctl dashboard realtime --watch --interval 5s")],
    ),
    (
        "dashboard trends",
        &[ex(
            "Utilisation of one cluster in 2-hour buckets",
            "gpuctl dashboard trends --since 12h --bucket 2h --cluster prod-east",
        )],
    ),
    ("dashboard alerts", &[ex("The 20 latest open alerts", "gpuctl dashboard alerts --limit 20")]),
    ("dashboard activity", &[ex("The 50 latest changes", "gpuctl dashboard activity --limit 50")]),
    (
        "doctor",
        &[
            ex("Check the store, the GPU sources and the last collect", "gpuctl doctor"),
            ex("On a new GPU node, before its first collect", "gpuctl doctor --require-gpu"),
        ],
    ),
    (
        "export prometheus",
        &[
            ex("This node's GPUs for a node-exporter textfile", "gpuctl export prometheus"),
            ex("Every node of a fleet store", "gpuctl export prometheus --all-nodes --max-age 5m"),
        ],
    ),
    (
        "completions",
        &[
            ex("Bash completions for your user", "gpuctl completions bash"),
            ex("Fish completions", "gpuctl completions fish"),
        ],
    ),
];

/// The examples of the command at `path` (`"node list"`), if it has any.
pub(crate) fn examples_for(path: &str) -> &'static [Example] {
    EXAMPLES
        .iter()
        .find(|(p, _)| *p == path)
        .map_or(&[], |(_, examples)| examples)
}

/// The widest an example line is shown, so that an 80-column terminal shows it as written, in
/// `--help` and in a man page (which indents it 11 columns): a longer one continues on the
/// next line after a ` \`, as a shell reads it.
const EXAMPLE_WIDTH: usize = 68;

/// The Examples section `--help` ends with.
pub(crate) fn help_section(examples: &[Example]) -> String {
    let mut text = String::from("Examples:\n");
    for (i, example) in examples.iter().enumerate() {
        if i > 0 {
            text.push('\n');
        }
        text.push_str(&format!("  # {}\n", example.what));
        for line in display_lines(example.line) {
            text.push_str(&format!("  {line}\n"));
        }
    }
    text.trim_end().to_string()
}

/// An example's command line as shown: cut between words (never inside `'…'`) into lines of
/// at most [`EXAMPLE_WIDTH`] (an option with its value), each but the last ending in ` \`, the rest indented.
pub(crate) fn display_lines(line: &str) -> Vec<String> {
    // An option stays on one line with its value.
    let mut units: Vec<String> = Vec::new();
    let mut words = shell_words(line).into_iter().peekable();
    while let Some(word) = words.next() {
        match words.peek() {
            Some(value) if word.starts_with('-') && !value.starts_with('-') => {
                units.push(format!("{word} {value}"));
                words.next();
            }
            _ => units.push(word.to_string()),
        }
    }
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in units {
        let indent = if lines.is_empty() { 0 } else { 4 };
        if !current.is_empty() && indent + current.len() + 1 + word.len() + 2 > EXAMPLE_WIDTH {
            lines.push(format!("{current} \\"));
            current.clear();
        }
        if current.is_empty() {
            current = format!("{}{word}", " ".repeat(if lines.is_empty() { 0 } else { 4 }));
        } else {
            current.push(' ');
            current.push_str(&word);
        }
    }
    lines.push(current);
    lines
}

/// The words of a line as written, a `'…'` word with its spaces kept whole.
fn shell_words(line: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut start = None;
    let mut quoted = false;
    for (at, c) in line.char_indices() {
        match c {
            '\'' => {
                quoted = !quoted;
                start.get_or_insert(at);
            }
            ' ' if !quoted => {
                if let Some(from) = start.take() {
                    words.push(&line[from..at]);
                }
            }
            _ => {
                start.get_or_insert(at);
            }
        }
    }
    if let Some(from) = start {
        words.push(&line[from..]);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words of an example line as a shell makes them: split as shown, quotes removed.
    fn words(line: &str) -> Vec<String> {
        shell_words(line)
            .into_iter()
            .map(|word| word.replace('\'', ""))
            .collect()
    }

    /// Every command path of the tree and whether it has subcommands.
    fn paths(command: &clap::Command, prefix: &str, found: &mut Vec<(String, bool)>) {
        for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
            let path = if prefix.is_empty() {
                sub.get_name().to_string()
            } else {
                format!("{prefix} {}", sub.get_name())
            };
            found.push((path.clone(), sub.has_subcommands()));
            paths(sub, &path, found);
        }
    }

    /// The path of subcommands the matches went down: `node list`.
    fn matched_path(matches: &clap::ArgMatches) -> String {
        let mut words = Vec::new();
        let mut level = matches;
        while let Some((name, sub)) = level.subcommand() {
            words.push(name.to_string());
            level = sub;
        }
        words.join(" ")
    }

    #[test]
    fn every_example_parses_as_the_command_it_illustrates() {
        for (path, examples) in EXAMPLES {
            assert!(!examples.is_empty(), "{path}: an entry without examples");
            for example in examples.iter() {
                let words = words(example.line);
                let matches = crate::cli::command()
                    .try_get_matches_from(&words)
                    .unwrap_or_else(|e| panic!("{path}: '{}' does not parse:\n{e}", example.line));
                assert_eq!(matched_path(&matches), *path, "{}", example.line);
                assert!(!example.what.ends_with('.'), "{path}: {}", example.what);
            }
        }
    }

    #[test]
    fn every_command_without_subcommands_has_examples_and_every_entry_a_command() {
        let mut found = Vec::new();
        paths(&crate::cli::command(), "", &mut found);
        let missing: Vec<&str> = found
            .iter()
            .filter(|(path, has_subcommands)| !has_subcommands && examples_for(path).is_empty())
            .map(|(path, _)| path.as_str())
            .collect();
        assert!(missing.is_empty(), "commands without examples: {missing:?}");
        for (path, _) in EXAMPLES {
            assert!(found.iter().any(|(p, _)| p == path), "no command '{path}'");
        }
    }

    #[test]
    fn long_examples_continue_between_words_within_the_width() {
        for (_, examples) in EXAMPLES {
            for example in examples.iter() {
                let lines = display_lines(example.line);
                for line in &lines {
                    assert!(line.len() <= EXAMPLE_WIDTH, "{line}");
                }
                let joined = lines
                    .iter()
                    .map(|l| l.trim().trim_end_matches(" \\\\").trim_end_matches('\\'))
                    .collect::<Vec<_>>()
                    .join(" ");
                assert_eq!(joined.replace("  ", " "), example.line);
            }
        }
        let lines = display_lines(
            "gpuctl node update pe-gpu-042 --driver 550.90.07 -l rack=r12 --unlabel pool --reason 'driver upgrade'",
        );
        assert_eq!(
            lines,
            [
                "gpuctl node update pe-gpu-042 --driver 550.90.07 -l rack=r12 \\",
                "    --unlabel pool --reason 'driver upgrade'"
            ]
        );
    }

    #[test]
    fn words_keep_quoted_text_whole() {
        assert_eq!(
            words("gpuctl node update n1 --reason 'driver upgrade'"),
            [
                "gpuctl",
                "node",
                "update",
                "n1",
                "--reason",
                "driver upgrade"
            ]
        );
        assert_eq!(words("a ''"), ["a", ""]);
    }
}
