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
    let mut command = cli::command();
    command.build();
    let mut pages = Vec::new();
    collect_pages(&command, "gpuctl", "gpuctl", &mut pages);
    pages
}

fn collect_pages(
    command: &clap::Command,
    name: &str,
    bin_name: &str,
    pages: &mut Vec<(String, String)>,
) {
    let page_command = command
        .clone()
        .name(name.to_string())
        .bin_name(bin_name.to_string());
    pages.push((
        format!("{name}.1"),
        render_page(page_command, name == "gpuctl"),
    ));
    for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
        collect_pages(
            sub,
            &format!("{name}-{}", sub.get_name()),
            &format!("{bin_name} {}", sub.get_name()),
            pages,
        );
    }
}

fn render_page(command: clap::Command, is_root: bool) -> String {
    let man = Man::new(command)
        .manual("gpuctl manual")
        .date(MAN_DATE)
        .source(format!("gpuctl {}", env!("CARGO_PKG_VERSION")));
    let mut out = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = man.render_title(&mut out);
    let _ = man.render_name_section(&mut out);
    let _ = man.render_synopsis_section(&mut out);
    let _ = man.render_description_section(&mut out);
    let _ = man.render_options_section(&mut out);
    let _ = man.render_subcommands_section(&mut out);
    let mut roff = Roff::new();
    roff.control("SH", ["EXIT STATUS"]);
    for (code, meaning) in exit_status_table() {
        roff.control("TP", [])
            .text([bold(code.to_string())])
            .text([roman(meaning)]);
    }
    roff.control("SH", ["ENVIRONMENT"]);
    for (variable, meaning) in ENVIRONMENT {
        roff.control("TP", [])
            .text([bold(*variable)])
            .text([roman(*meaning)]);
    }
    roff.control("SH", ["FILES"]);
    roff.control("TP", [])
        .text([bold("$XDG_DATA_HOME/gpuctl/gpuctl.db")])
        .text([roman(
            "The default store (~/.local/share/gpuctl/gpuctl.db), with its -wal and -shm files; override with --db or GPUCTL_DB.",
        )]);
    if is_root {
        roff.control("SH", ["SEE ALSO"]);
        roff.text([roman(
            "gpuctl-node(1), gpuctl-alert(1), gpuctl-db(1); every subcommand has its own page, named gpuctl-GROUP-COMMAND(1).",
        )]);
    }
    let _ = roff.to_writer(&mut out);
    let _ = man.render_version_section(&mut out);
    // clap_mangen separates a help text from its possible values with `.br`, a blank line (an
    // implicit `.sp`) and `.br`; mandoc -T lint warns about that, and one `.br` renders the same.
    String::from_utf8_lossy(&out).replace(".br\n\n.br\n", ".br\n")
}
