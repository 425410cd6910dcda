//! gpuctl: administer the GPUs of Kubernetes clusters from one binary and a local SQLite store.

#![warn(unreachable_pub)]

// The library surface is what the integration tests and benchmarks drive: the store, the GPU
// sources, the demo generator, the alert engine and the generated docs. The rest is private.
pub mod alerting;
mod child;
mod cli;
pub mod clock;
mod commands;
mod context;
pub mod demo;
pub mod domain;
pub mod error;
pub(crate) mod fleet;
pub mod generate;
pub mod gpu;
mod inventory;
mod kube;
mod notify;
mod output;
pub mod prometheus;
pub mod retention;
mod schedule;
pub mod store;
pub(crate) mod terminal;
mod validate;

use std::ffi::OsString;

use clap::FromArgMatches;

use crate::cli::{Cli, Command};
pub(crate) use crate::context::{default_data_dir, Ctx};
use crate::error::{ErrorKind, Result};
use crate::output::Output;
use crate::store::Store;

/// Parses `args`, runs the command and returns the process exit code.
pub fn run<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    if let Some(code) = complete_for_shell(&args) {
        return code;
    }
    let matches = match cli::command().try_get_matches_from(&args) {
        Ok(matches) => matches,
        Err(e) => return report_clap_error(e, &args),
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => return report_clap_error(e, &args),
    };
    match execute(cli, db_on_command_line(&matches)) {
        Ok(()) => 0,
        Err(e) if e.is_broken_pipe() => 0,
        Err(e) => {
            if e.kind.prints_error_line() {
                output::report_error(&e);
            }
            e.exit_code()
        }
    }
}

/// Checks a command line (`args[0]` is the program's name) as a run parses it, with the same
/// clap tree and value checks, and runs nothing: the README's test parses the commands it cannot
/// run with it. `--help` and `--version` pass; a refused line gives clap's message.
pub fn check_command_line<I, T>(args: I) -> std::result::Result<(), String>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    use clap::error::ErrorKind as ClapKind;
    let refused = |e: clap::Error| match e.kind() {
        ClapKind::DisplayHelp | ClapKind::DisplayVersion => Ok(()),
        _ => Err(e.render().to_string()),
    };
    match cli::command().try_get_matches_from(args) {
        Ok(matches) => Cli::from_arg_matches(&matches).map(drop).or_else(refused),
        Err(e) => refused(e),
    }
}

/// With GPUCTL_COMPLETE set, answers the shell instead of running a command: the
/// registration script, or the candidates for the word at the cursor (clap_complete's
/// dynamic engine prints them). `None` for an ordinary run.
fn complete_for_shell(args: &[OsString]) -> Option<i32> {
    std::env::var_os(cli::COMPLETE_VAR).filter(|shell| !shell.is_empty() && shell != "0")?;
    cli::remember_typed_store(args);
    let current_dir = std::env::current_dir().ok();
    match clap_complete::CompleteEnv::with_factory(cli::command)
        .var(cli::COMPLETE_VAR)
        .try_complete(args.iter().cloned(), current_dir.as_deref())
    {
        Ok(completed) => completed.then_some(0),
        Err(e) => {
            // An unknown shell name, or a closed stdout; a shell shows nothing either way.
            let rendered = e.render().to_string();
            let first = rendered.lines().next().unwrap_or("completion failed");
            eprintln!(
                "gpuctl: error: {}: {}",
                cli::COMPLETE_VAR,
                terminal::line(first.trim_start_matches("error: "))
            );
            Some(ErrorKind::Usage.exit_code())
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

/// How a command uses the store: the dispatcher opens it once for those that need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StoreAccess {
    /// No store, or one the command finds itself (`demo` writes its own, `doctor` inspects
    /// without creating).
    Own,
    /// Reads only.
    Read,
    /// Writes (and may create the store).
    Write,
}

fn store_access(command: &Command) -> StoreAccess {
    use crate::cli::{
        AlertCommand, AlertReceiversCommand, AlertRulesCommand, AllocCommand, DbCommand,
        DeviceCommand, MigCommand, ModelCommand, NodeCommand,
    };
    match command {
        Command::Completions(_) | Command::Demo(_) | Command::Doctor(_) => StoreAccess::Own,
        Command::Dashboard(_) | Command::Report(_) | Command::Export(_) => StoreAccess::Read,
        Command::Collect(_) | Command::Optimize(_) => StoreAccess::Write,
        Command::Node(c) => match c {
            NodeCommand::List(_)
            | NodeCommand::Show(_)
            | NodeCommand::History(_)
            | NodeCommand::Recent(_)
            | NodeCommand::Drift(_) => StoreAccess::Read,
            _ => StoreAccess::Write,
        },
        Command::Device(c) => match c {
            DeviceCommand::List(_) | DeviceCommand::Show(_) => StoreAccess::Read,
            _ => StoreAccess::Write,
        },
        Command::Model(c) => match c {
            ModelCommand::List(_) | ModelCommand::Show(_) => StoreAccess::Read,
            _ => StoreAccess::Write,
        },
        Command::Mig(c) => match c {
            MigCommand::List(_) => StoreAccess::Read,
            _ => StoreAccess::Write,
        },
        Command::Alloc(c) => match c {
            AllocCommand::List(_) | AllocCommand::Show(_) => StoreAccess::Read,
            _ => StoreAccess::Write,
        },
        Command::Alert(c) => match c {
            AlertCommand::List(_) | AlertCommand::Show(_) => StoreAccess::Read,
            AlertCommand::Rules(rules) => match rules.command {
                None | Some(AlertRulesCommand::List) => StoreAccess::Read,
                Some(_) => StoreAccess::Write,
            },
            AlertCommand::Receivers(receivers) => match receivers.command {
                None | Some(AlertReceiversCommand::List) | Some(AlertReceiversCommand::Test(_)) => {
                    StoreAccess::Read
                }
                Some(_) => StoreAccess::Write,
            },
            _ => StoreAccess::Write,
        },
        Command::Db(c) => match c {
            DbCommand::Backup(_) => StoreAccess::Read,
            DbCommand::Retention(args) if args.raw.is_none() && args.hourly.is_none() => {
                StoreAccess::Read
            }
            _ => StoreAccess::Write,
        },
    }
}

fn execute(cli: Cli, db_on_command_line: bool) -> Result<()> {
    let store_path = match &cli.global.db {
        Some(path) => Some(path.clone()),
        None => default_data_dir().ok().map(|dir| dir.join("gpuctl.db")),
    };
    execute_command(cli, db_on_command_line).map_err(|e| match &store_path {
        Some(path) => store::name_a_full_disk(e, path),
        None => e,
    })
}

fn execute_command(cli: Cli, db_on_command_line: bool) -> Result<()> {
    let global = &cli.global;
    let fixed_now = clock::fixed_now()?.map(|t| t.timestamp());
    let now = match (fixed_now, &cli.command) {
        (Some(now), _) => now,
        // The demo's fleet is the one the README's tour shows, unless GPUCTL_NOW moves it.
        (None, Command::Demo(_)) => demo::DEFAULT_DEMO_CLOCK,
        (None, _) => clock::now()?.timestamp(),
    };
    let mut ctx = Ctx::new(
        Output::new(
            global.output,
            global.no_headers,
            global.color,
            global.quiet,
            global.verbose,
        ),
        now,
        actor(),
        global.db.clone(),
        db_on_command_line,
    );
    let timeout = store::DEFAULT_BUSY_TIMEOUT;
    let store = match store_access(&cli.command) {
        StoreAccess::Own => None,
        StoreAccess::Read => Some(Store::open_existing(&ctx.db_path()?, timeout)?),
        StoreAccess::Write => Some(Store::open(&ctx.db_path()?, timeout)?),
    };
    if let Some(store) = store {
        // A demo store is its fleet at one instant: without GPUCTL_NOW, commands run then.
        if fixed_now.is_none() {
            if let Some(demo_now) = demo::recorded_clock(store.conn())? {
                store.set_now(demo_now);
                ctx = ctx.at_demo_clock(demo_now);
            }
        }
        ctx = ctx.with_store(store);
    }
    match &cli.command {
        Command::Node(command) => commands::node::run(&ctx, command),
        Command::Alert(command) => commands::alert::run(&ctx, command),
        Command::Db(command) => commands::db::run(&ctx, command),
        Command::Report(command) => commands::report::run(&ctx, command),
        Command::Collect(args) => commands::collect::run(&ctx, args),
        Command::Demo(args) => {
            // The demo fills its own store; a table then shows that store's dashboard.
            let Some(demo) = commands::demo::run(&ctx, args)? else {
                return Ok(());
            };
            let path = demo.path.clone();
            let store = Store::open(&path, store::DEFAULT_BUSY_TIMEOUT)?;
            store.set_now(ctx.now);
            let demo_ctx = ctx.with_store(store);
            commands::dashboard::overview(&demo_ctx)?;
            commands::demo::print_tips(&demo_ctx, &demo)
        }
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
fn report_clap_error(e: clap::Error, args: &[OsString]) -> i32 {
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
    // clap quotes a refused value whole: quote it as gpuctl's own errors do, cut and escaped.
    if let Some(ContextValue::String(value)) = e.get(ContextKind::InvalidValue) {
        first = first.replace(&format!("'{value}'"), &terminal::quote(value));
    }
    eprintln!("gpuctl: error: {}", terminal::line(&first));
    if let Some(hint) = cli::checked_hint(&e) {
        // A value gpuctl's own check refused: worded and hinted as the check has it.
        if !hint.is_empty() {
            eprintln!("hint: {}", terminal::line(hint));
        }
        return ErrorKind::Usage.exit_code();
    }
    let valid: Vec<String> = match e.get(ContextKind::ValidValue) {
        Some(ContextValue::Strings(values)) => values.clone(),
        _ => Vec::new(),
    };
    if !valid.is_empty() {
        eprintln!(
            "hint: possible values: {}",
            terminal::line(&valid.join(", "))
        );
    } else if let Some(tip) = rendered
        .lines()
        .find_map(|l| l.trim().strip_prefix("tip: "))
        // clap's "to pass '--x' as a value, use '-- --x'" follows any unknown option of a
        // command with arguments; the command's help serves a mistyped option better.
        .filter(|tip| !tip.starts_with("to pass "))
    {
        eprintln!("hint: {}", terminal::line(tip));
    } else {
        eprintln!("hint: see '{} --help'", failed_command(args));
    }
    ErrorKind::Usage.exit_code()
}

/// The command whose line was wrong (`gpuctl node list`): the subcommands named on it, up to
/// the first word that is none; option values are skipped so that none is taken for one.
fn failed_command(args: &[OsString]) -> String {
    let mut command = cli::command();
    command.build();
    let mut words = vec!["gpuctl".to_string()];
    let mut current = &command;
    let mut rest = args.iter().skip(1).map(|arg| arg.to_string_lossy());
    while let Some(arg) = rest.next() {
        if arg == "--" {
            break;
        }
        if let Some(option) = arg.strip_prefix('-') {
            let takes_value = |arg: &clap::Arg| arg.get_action().takes_values();
            let value_follows = match option.strip_prefix('-') {
                Some(long) => current
                    .get_arguments()
                    .any(|a| a.get_long() == Some(long) && takes_value(a)),
                None => {
                    let mut letters = option.chars();
                    let first = letters.next();
                    letters.next().is_none()
                        && current
                            .get_arguments()
                            .any(|a| a.get_short() == first && takes_value(a))
                }
            };
            if value_follows {
                rest.next();
            }
            continue;
        }
        match current.find_subcommand(arg.as_ref()) {
            Some(sub) => {
                words.push(sub.get_name().to_string());
                current = sub;
            }
            None => break,
        }
    }
    words.join(" ")
}
