//! The whole command line (clap derive): the one source of help, man pages and completions.

use std::net::IpAddr;
use std::path::PathBuf;
use std::str::FromStr;

use clap::{Args, Parser, Subcommand};

use crate::clock::{Span, Timestamp};
use crate::domain::{AlertState, DeviceStatus, NodeSort, NodeStatus, RealtimeSort, Severity};
use crate::error::exit_status_table;
use crate::output::{ColorChoice, Format};
use crate::validate::{
    self, ClusterName, EnvVarName, GpuUuid, HttpUrl, Label, LabelKey, MigProfileName, NodeName,
    PciBusId, ReceiverName,
};

mod alert;
mod alloc;
mod collect;
mod complete;
mod dashboard;
mod db;
mod device;
mod examples;
mod mig;
mod misc;
mod model;
mod node;
mod page;
mod report;
mod value;

pub(crate) use alert::*;
pub(crate) use alloc::*;
pub(crate) use collect::*;
pub(crate) use dashboard::*;
pub(crate) use db::*;
pub(crate) use device::*;
pub(crate) use mig::*;
pub(crate) use misc::*;
pub(crate) use model::*;
pub(crate) use node::*;
pub(crate) use page::*;
pub(crate) use report::*;

use value::checked;
pub(crate) use value::checked_hint;

pub(crate) use complete::{remember_typed_store, COMPLETE_VAR};
pub(crate) use examples::{display_lines, examples_for, Example};

/// What `--help` shows after the options: the exit codes and the environment.
pub(crate) fn after_help() -> String {
    let mut text = String::from("Exit status:\n");
    for (code, meaning) in exit_status_table() {
        text.push_str(&format!("  {code:<4} {meaning}\n"));
    }
    text.push_str("\nEnvironment:\n");
    let width = ENVIRONMENT
        .iter()
        .map(|(name, _)| name.len())
        .max()
        .unwrap_or(0);
    for (name, meaning) in ENVIRONMENT {
        text.push_str(&format!("  {name:<width$} {meaning}\n"));
    }
    text.trim_end().to_string()
}

/// Environment variables gpuctl reads.
pub(crate) const ENVIRONMENT: &[(&str, &str)] = &[
    (
        "GPUCTL_DB",
        "store path (default $XDG_DATA_HOME/gpuctl/gpuctl.db)",
    ),
    (
        "GPUCTL_NOW",
        "fix the clock (RFC 3339), for tests and replays",
    ),
    ("NO_COLOR", "disable colour when set and not empty"),
    ("COLUMNS", "table width"),
    (
        "XDG_DATA_HOME",
        "where the default store lives (default ~/.local/share)",
    ),
    (
        "GPUCTL_COMPLETE",
        "a shell name: answer its <TAB> (see completions --help)",
    ),
];

/// The clap command with the parts derive cannot express; help, man pages and completions use it.
pub(crate) fn command() -> clap::Command {
    use clap::CommandFactory;
    let command = with_examples(Cli::command().after_help(after_help()), "");
    let command = complete::with_name_completers(command, "");
    // A subcommand's own `db` argument stands in for the global one (clap propagates a global
    // argument only where none of its id exists), and a typed value still reaches `Cli.global`:
    // the help then says what that subcommand does with the store.
    command.mut_subcommands(|sub| match sub.get_name() {
        "demo" => sub.arg(store_arg().help(
            "Demo store path [default: $XDG_DATA_HOME/gpuctl/demo.db]; GPUCTL_DB is not read",
        )),
        // A script is all it prints: it opens no store.
        "completions" => sub.arg(store_arg().hide(true)),
        _ => sub,
    })
}

/// `--db` as [`GlobalArgs`] declares it, without the environment variable.
fn store_arg() -> clap::Arg {
    clap::Arg::new("db")
        .long("db")
        .value_name("PATH")
        .value_parser(clap::value_parser!(PathBuf))
}

/// Gives each command of the tree under `path` the Examples section of its help.
fn with_examples(command: clap::Command, path: &str) -> clap::Command {
    command.mut_subcommands(|sub| {
        let path = if path.is_empty() {
            sub.get_name().to_string()
        } else {
            format!("{path} {}", sub.get_name())
        };
        let examples = examples_for(&path);
        let sub = if examples.is_empty() {
            sub
        } else {
            sub.after_help(examples::help_section(examples))
        };
        with_examples(sub, &path)
    })
}

#[derive(Debug, Parser)]
#[command(
    name = "gpuctl",
    version,
    about = "Administer the GPUs of Kubernetes clusters: nodes, GPUs, leases, metrics",
    long_about = "gpuctl keeps an inventory of Kubernetes GPU nodes with their full change history, \
in one local SQLite store. Global options may come before or after the subcommand.",
    propagate_version = true,
    max_term_width = 100
)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub(crate) struct GlobalArgs {
    /// Store path [default: $XDG_DATA_HOME/gpuctl/gpuctl.db]
    #[arg(long, global = true, env = "GPUCTL_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Output format
    #[arg(short = 'o', long = "output", global = true, value_enum, default_value_t = Format::Table, value_name = "FORMAT")]
    pub output: Format,

    /// Omit table headers, footers and the CSV header row
    #[arg(long, global = true)]
    pub no_headers: bool,

    /// When to colour tables (NO_COLOR is honoured by auto)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Print nothing but data and errors
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Say more about what is being done
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

// Parsed once per process; boxing the larger variants would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Kubernetes nodes: inventory and full change history
    #[command(subcommand)]
    Node(NodeCommand),
    /// GPUs of the inventory, keyed by UUID
    #[command(subcommand)]
    Device(DeviceCommand),
    /// The GPU model catalogue: memory, TDP, MIG profiles, hourly cost
    #[command(subcommand)]
    Model(ModelCommand),
    /// MIG mode and GPU instances
    #[command(subcommand)]
    Mig(MigCommand),
    /// Leases of GPUs and MIG instances
    #[command(subcommand)]
    Alloc(AllocCommand),
    /// Expire leases, recompute GPU counts, flag silent GPUs, report fragmentation (for cron)
    Optimize(OptimizeArgs),
    /// Alerts raised by collect, and the rules that raise them
    #[command(subcommand)]
    Alert(AlertCommand),
    /// Store maintenance: retention, pruning, vacuum, backup
    #[command(subcommand)]
    Db(DbCommand),
    /// Reports over a time window: lease cost and energy, idle leases, utilisation
    #[command(subcommand)]
    Report(ReportCommand),
    /// Read the GPUs of this node and store their metrics (cron: every minute)
    ///
    /// Runs that would read the same GPUs never overlap: each node (--node, else the host name)
    /// and each fleet source (--from-prometheus URL, the --scrape URLs) has its own run lock
    /// next to the store, and runs of other nodes go ahead. A run that finds its lock taken
    /// stores nothing and exits 4 at once, naming the holder's pid and how long it has held the
    /// lock; past the holder's limit (--smi-timeout plus a minute, plus the period with --every)
    /// it reports the holder as hung and records a failed run (gpuctl_collect_success 0). A run
    /// that finds the lock left by a killed collect warns and goes ahead. nvidia-smi is killed
    /// after --smi-timeout, and the run fails with exit 6.
    Collect(CollectArgs),
    /// Fill a separate demo store with a realistic fleet and show its dashboard
    Demo(DemoArgs),
    /// The fleet at a glance; subcommands for each view
    Dashboard(DashboardArgs),
    /// Check the store, the GPU sources and the last collect; exit 6 on a GPU node without one
    ///
    /// A GPU node is a host whose store shows a live collect (NVML or nvidia-smi, not a replay)
    /// reading GPUs here, or whose last collect failed to read them; there, no usable GPU source
    /// exits 6. An admin host whose store is fed by imports or Prometheus needs no local GPU: its
    /// sources show as skip and doctor exits 0 when the rest is fine, so it can be a health
    /// check there too. --require-gpu makes a missing GPU source fatal on any host (a new GPU
    /// node before its first collect). A store doctor cannot use exits 5; warnings alone exit 0.
    Doctor(DoctorArgs),
    /// Export data for other systems
    #[command(subcommand)]
    Export(ExportCommand),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell)
    ///
    /// The script completes subcommands, options and their fixed values. To complete what the
    /// store holds too (node, cluster and model names, GPU UUIDs, alert rules and receivers),
    /// have the shell source what 'GPUCTL_COMPLETE=bash gpuctl' prints (zsh and fish likewise)
    /// instead: it asks gpuctl at each <TAB>, which reads the store read-only and never creates
    /// one.
    Completions(CompletionsArgs),
}
