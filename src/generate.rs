//! Shell completions and man pages, generated from the clap tree in `cli.rs`.
//! `completions/` and `man/` hold the committed copies; a test fails when they drift.

use clap_complete::Shell;
use clap_mangen::roff::{bold, roman, Roff};
use clap_mangen::Man;

use crate::cli::{self, ENVIRONMENT};
use crate::error::exit_status_table;

/// The date the pages carry; fixed so that regenerating them is reproducible.
const MAN_DATE: &str = "2026-11-29";

/// The shells whose scripts are committed under `completions/`.
pub const COMMITTED_SHELLS: &[(Shell, &str)] = &[
    (Shell::Bash, "gpuctl.bash"),
    (Shell::Zsh, "_gpuctl"),
    (Shell::Fish, "gpuctl.fish"),
];

/// The completion script for `shell`.
pub fn completion(shell: Shell) -> String {
    let mut command = cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, "gpuctl", &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// Every man page: `gpuctl.1`, `gpuctl-node.1`, `gpuctl-node-list.1` …, as (file name, roff).
pub fn man_pages() -> Vec<(String, String)> {
    // `gpuctl help COMMAND` is `--help` by another name; a page of its own would say nothing
    // more, and the pages must not point at one that does not exist.
    let mut command = without_help_subcommand(cli::command());
    command.build();
    let mut pages = Vec::new();
    collect_pages(&command, &[], &mut pages);
    pages
}

fn without_help_subcommand(command: clap::Command) -> clap::Command {
    command
        .disable_help_subcommand(true)
        .mut_subcommands(without_help_subcommand)
}

/// The page of `command`, reached by `path` (`["node", "list"]`), then those of its subcommands.
fn collect_pages(command: &clap::Command, path: &[&str], pages: &mut Vec<(String, String)>) {
    let page_name = page_name(path);
    let page_command = command.clone().name(page_name.clone()).bin_name(
        std::iter::once("gpuctl")
            .chain(path.iter().copied())
            .collect::<Vec<_>>()
            .join(" "),
    );
    pages.push((format!("{page_name}.1"), render_page(page_command, path)));
    for sub in command.get_subcommands() {
        let mut sub_path = path.to_vec();
        sub_path.push(sub.get_name());
        collect_pages(sub, &sub_path, pages);
    }
}

/// `gpuctl`, `gpuctl-node`, `gpuctl-node-list`.
fn page_name(path: &[&str]) -> String {
    std::iter::once("gpuctl")
        .chain(path.iter().copied())
        .collect::<Vec<_>>()
        .join("-")
}

fn render_page(command: clap::Command, path: &[&str]) -> String {
    let has_subcommands = command.has_subcommands();
    let description = description(&command);
    let man = Man::new(command)
        .manual("gpuctl manual")
        .date(MAN_DATE)
        .source(format!("gpuctl {}", env!("CARGO_PKG_VERSION")));
    let mut out = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = man.render_title(&mut out);
    let _ = man.render_name_section(&mut out);
    let _ = man.render_synopsis_section(&mut out);
    if !description.is_empty() {
        let mut roff = Roff::new();
        roff.control("SH", ["DESCRIPTION"]);
        for (i, paragraph) in description.iter().enumerate() {
            if i > 0 {
                roff.control("PP", []);
            }
            roff.text([roman(paragraph.as_str())]);
        }
        let _ = roff.to_writer(&mut out);
    }
    let _ = man.render_options_section(&mut out);
    if has_subcommands {
        let _ = man.render_subcommands_section(&mut out);
    }
    let mut roff = Roff::new();
    render_examples(&mut roff, cli::examples_for(&path.join(" ")));
    roff.control("SH", ["EXIT STATUS"]);
    for (code, meaning) in exit_status_table() {
        roff.control("TP", [])
            .text([bold(code.to_string())])
            .text([roman(meaning)]);
    }
    // demo writes a store of its own: GPUCTL_DB and the everyday store are not its.
    let is_demo = path == ["demo"];
    roff.control("SH", ["ENVIRONMENT"]);
    for (variable, meaning) in ENVIRONMENT {
        let meaning = match *variable {
            "GPUCTL_DB" if is_demo => "not read: the demo writes its own store (see --db)",
            _ => *meaning,
        };
        roff.control("TP", [])
            .text([bold(*variable)])
            .text([roman(meaning)]);
    }
    roff.control("SH", ["FILES"]);
    let (file, what) = if is_demo {
        (
            "$XDG_DATA_HOME/gpuctl/demo.db",
            "The demo store (~/.local/share/gpuctl/demo.db), replaced by each run; another path with --db.",
        )
    } else {
        (
            "$XDG_DATA_HOME/gpuctl/gpuctl.db",
            "The default store (~/.local/share/gpuctl/gpuctl.db), with its -wal and -shm files; override with --db or GPUCTL_DB.",
        )
    };
    roff.control("TP", [])
        .text([bold(file)])
        .text([roman(what)]);
    render_see_also(&mut roff, path);
    let _ = roff.to_writer(&mut out);
    let _ = man.render_version_section(&mut out);
    // clap_mangen separates a help text from its possible values with `.br`, a blank line (an
    // implicit `.sp`) and `.br`; mandoc -T lint warns about that, and one `.br` renders the same.
    String::from_utf8_lossy(&out).replace(".br\n\n.br\n", ".br\n")
}

/// The paragraphs of the long help that NAME does not already say: none for a command with
/// only its one-line summary.
fn description(command: &clap::Command) -> Vec<String> {
    let Some(long_about) = command.get_long_about() else {
        return Vec::new();
    };
    let about = command.get_about().map(ToString::to_string);
    long_about
        .to_string()
        .split("\n\n")
        .map(|paragraph| paragraph.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|paragraph| !paragraph.is_empty() && Some(paragraph) != about.as_ref())
        .collect()
}

/// EXAMPLES: what each shows, then the command line, as `--help` shows them.
fn render_examples(roff: &mut Roff, examples: &[cli::Example]) {
    if examples.is_empty() {
        return;
    }
    roff.control("SH", ["EXAMPLES"]);
    for (i, example) in examples.iter().enumerate() {
        // A heading starts a paragraph; a second one there is an empty one to mandoc.
        if i > 0 {
            roff.control("PP", []);
        }
        roff.text([roman(example.what)])
            .control("RS", ["4"])
            .control("nf", []);
        for line in cli::display_lines(example.line) {
            roff.text([bold(line)]);
        }
        roff.control("fi", []).control("RE", []);
    }
}

/// SEE ALSO: the pages above this one (the root page lists its groups as SUBCOMMANDS).
fn render_see_also(roff: &mut Roff, path: &[&str]) {
    if path.is_empty() {
        return;
    }
    let references: Vec<String> = (0..path.len())
        .map(|depth| format!("{}(1)", page_name(&path[..depth])))
        .collect();
    roff.control("SH", ["SEE ALSO"]);
    roff.text([roman(references.join(", "))]);
}
