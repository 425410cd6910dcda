//! gpuctl: administer the GPUs of Kubernetes clusters from one binary and a local SQLite store.

pub mod alerting;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod demo;
pub mod domain;
pub mod error;
// Nothing calls the fleet sources yet: `collect --from-prometheus / --scrape` will (issue 12).
#[allow(dead_code)]
pub(crate) mod fleet;
pub mod generate;
pub mod gpu;
pub mod kube;
pub mod output;
pub mod prometheus;
pub mod retention;
pub mod schedule;
pub mod store;
pub mod validate;

use std::ffi::OsString;
use std::path::PathBuf;

use clap::FromArgMatches;

use crate::cli::{Cli, Command};
use crate::error::{Error, ErrorKind, Result, BROKEN_PIPE_MESSAGE};
use crate::output::Output;
use crate::store::Store;

/// What every command gets: how to print, what time it is, and how to reach the store.
pub struct Ctx {
    pub out: Output,
    /// Unix seconds, fixed for the whole command (GPUCTL_NOW in tests).
    pub now: i64,
    /// Who is making changes, for the audit log.
    pub actor: Option<String>,
    db_path: Option<PathBuf>,
    /// Whether `--db` was typed on the command line (not taken from GPUCTL_DB): `demo` writes
    /// only to a store named that way, never to the everyday one by accident.
    pub db_on_command_line: bool,
}

impl Ctx {
    /// The store path: `--db`, `GPUCTL_DB`, or `$XDG_DATA_HOME/gpuctl/gpuctl.db`.
    pub fn db_path(&self) -> Result<PathBuf> {
        match &self.db_path {
            Some(path) => Ok(path.clone()),
            None => default_data_dir().map(|dir| dir.join("gpuctl.db")),
        }
    }

    /// The same context, pointed at another store.
    pub fn with_db(&self, path: PathBuf) -> Ctx {
        Ctx {
            out: self.out.clone(),
            now: self.now,
            actor: self.actor.clone(),
            db_path: Some(path),
            db_on_command_line: true,
        }
    }

    /// Opens the store; commands call this once, and only if they need it.
    pub fn open_store(&self) -> Result<Store> {
        Store::open(&self.db_path()?, store::DEFAULT_BUSY_TIMEOUT)
    }
}

/// `$XDG_DATA_HOME/gpuctl`, i.e. `~/.local/share/gpuctl` on most systems.
pub fn default_data_dir() -> Result<PathBuf> {
    dirs::data_dir()
        .map(|dir| dir.join("gpuctl"))
        .ok_or_else(|| {
            Error::usage("cannot find a data directory: set HOME, XDG_DATA_HOME, or pass --db")
        })
}

/// Parses `args`, runs the command and returns the process exit code.
pub fn run<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let matches = match cli::command().try_get_matches_from(args) {
        Ok(matches) => matches,
        Err(e) => return report_clap_error(e),
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => return report_clap_error(e),
    };
    match execute(cli, db_on_command_line(&matches)) {
        Ok(()) => 0,
        Err(e) if e.kind == ErrorKind::Runtime && e.message == BROKEN_PIPE_MESSAGE => 0,
        Err(e) => {
            eprintln!("gpuctl: error: {}", e.message);
            if let Some(hint) = &e.hint {
                eprintln!("hint: {hint}");
            }
            e.exit_code()
        }
    }
}

/// Whether `--db` came from the command line, at whichever level of subcommands it was typed.
fn db_on_command_line(matches: &clap::ArgMatches) -> bool {
    let mut level = Some(matches);
    while let Some(m) = level {
        if m.value_source("db") == Some(clap::parser::ValueSource::CommandLine) {
            return true;
        }
        level = m.subcommand().map(|(_, sub)| sub);
    }
    false
}

fn execute(cli: Cli, db_on_command_line: bool) -> Result<()> {
    let global = &cli.global;
    let ctx = Ctx {
        out: Output::new(
            global.output,
            global.no_headers,
            global.color,
            global.quiet,
            global.verbose,
        ),
        now: clock::now()?.timestamp(),
        actor: actor(),
        db_path: global.db.clone(),
        db_on_command_line,
    };
    match &cli.command {
        Command::Node(command) => commands::node::run(&ctx, command),
        Command::Alert(command) => commands::alert::run(&ctx, command),
        Command::Db(command) => commands::db::run(&ctx, command),
        Command::Report(command) => commands::report::run(&ctx, command),
        Command::Collect(args) => commands::collect::run(&ctx, args),
        Command::Demo(args) => commands::demo::run(&ctx, args),
        Command::Dashboard(args) => commands::dashboard::run(&ctx, args),
        Command::Doctor(args) => commands::doctor::run(&ctx, args),
        Command::Export(command) => commands::export::run(&ctx, command),
        Command::Completions(args) => commands::completions::run(&ctx, args),
        Command::Device(command) => commands::device::run(&ctx, command),
        Command::Model(command) => commands::model::run(&ctx, command),
        Command::Mig(command) => commands::mig::run(&ctx, command),
        Command::Alloc(command) => commands::alloc::run(&ctx, command),
        Command::Optimize(args) => commands::optimize::run(&ctx, args),
    }
}

fn actor() -> Option<String> {
    ["SUDO_USER", "USER", "LOGNAME"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
}

/// Help and version go to stdout as clap prints them; real usage errors become one line.
fn report_clap_error(e: clap::Error) -> i32 {
    use clap::error::{ContextKind, ContextValue, ErrorKind as ClapKind};
    match e.kind() {
        ClapKind::DisplayHelp | ClapKind::DisplayVersion => {
            // Printing help can only fail on a closed stdout, which is success anyway.
            let _ = e.print();
            return 0;
        }
        ClapKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            return ErrorKind::Usage.exit_code();
        }
        _ => {}
    }
    let rendered = e.render().to_string();
    let mut lines = rendered.lines();
    let mut first = lines
        .next()
        .unwrap_or("invalid usage")
        .trim_start_matches("error: ")
        .to_string();
    // "the following required arguments were not provided:" lists them on the next lines.
    if first.ends_with(':') {
        let listed: Vec<&str> = lines
            .take_while(|l| l.starts_with("  "))
            .map(str::trim)
            .collect();
        first = format!("{} {}", first, listed.join(", "));
    }
    eprintln!("gpuctl: error: {first}");
    let valid: Vec<String> = match e.get(ContextKind::ValidValue) {
        Some(ContextValue::Strings(values)) => values.clone(),
        _ => Vec::new(),
    };
    if !valid.is_empty() {
        eprintln!("hint: possible values: {}", valid.join(", "));
    } else if let Some(tip) = rendered
        .lines()
        .find_map(|l| l.trim().strip_prefix("tip: "))
    {
        eprintln!("hint: {tip}");
    } else {
        eprintln!("hint: see 'gpuctl --help'");
    }
    ErrorKind::Usage.exit_code()
}
