//! The whole command line (clap derive): the one source of help, man pages and completions.

use std::net::IpAddr;
use std::path::PathBuf;
use std::str::FromStr;

use clap::{Args, Parser, Subcommand};

use crate::clock::{Span, Timestamp};
use crate::domain::{AlertState, DeviceStatus, NodeSort, NodeStatus, Severity};
use crate::error::exit_status_table;
use crate::output::{ColorChoice, Format};
use crate::validate::{
    self, ClusterName, GpuUuid, Label, LabelKey, MigProfileName, NodeName, PciBusId,
};

mod value;

use value::checked;
pub(crate) use value::checked_hint;

/// What `--help` shows after the options: the exit codes and the environment.
pub(crate) fn after_help() -> String {
    let mut text = String::from("Exit status:\n");
    for (code, meaning) in exit_status_table() {
        text.push_str(&format!("  {code:<4} {meaning}\n"));
    }
    text.push_str("\nEnvironment:\n");
    for (name, meaning) in ENVIRONMENT {
        text.push_str(&format!("  {name:<11} {meaning}\n"));
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
];

/// The clap command with the parts derive cannot express; help, man pages and completions use it.
pub(crate) fn command() -> clap::Command {
    use clap::CommandFactory;
    Cli::command().after_help(after_help())
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
    Collect(CollectArgs),
    /// Fill a separate demo store with a realistic fleet and show its dashboard
    Demo(DemoArgs),
    /// The fleet at a glance; subcommands for each view
    Dashboard(DashboardArgs),
    /// Check the store, the GPU sources and the last collect; exit 6 without a GPU source
    Doctor(DoctorArgs),
    /// Export data for other systems
    #[command(subcommand)]
    Export(ExportCommand),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell)
    Completions(CompletionsArgs),
}

#[derive(Debug, Subcommand)]
pub(crate) enum NodeCommand {
    /// List nodes: search, filter, sort and page
    #[command(visible_alias = "ls")]
    List(NodeListArgs),
    /// Show every field of a node, its GPUs and its latest history
    Show(NodeShowArgs),
    /// Add a node to the inventory
    Add(NodeAddArgs),
    /// Change some fields of a node; only the given ones change
    Update(NodeUpdateArgs),
    /// Set a node's status
    SetStatus(NodeSetStatusArgs),
    /// Remove a node (refused while it has GPUs or leases, unless --force)
    #[command(visible_alias = "rm")]
    Remove(NodeRemoveArgs),
    /// Every change to a node, newest first; readable after removal
    History(NodeHistoryArgs),
    /// Nodes changed recently, newest first
    Recent(NodeRecentArgs),
    /// Create or update nodes from 'kubectl get nodes -o json' output
    Import(NodeImportArgs),
    /// Run 'kubectl get nodes -o json' and import what it prints
    Sync(NodeSyncArgs),
    /// Show where the inventory and a cluster disagree, writing nothing
    Drift(NodeDriftArgs),
}

#[derive(Debug, Args)]
pub(crate) struct NodeListArgs {
    /// Case-insensitive text to find in name, cluster, IP or label values
    #[arg(long, short = 's', value_name = "TEXT")]
    pub search: Option<String>,
    /// Only nodes in this status
    #[arg(long, value_enum)]
    pub status: Option<NodeStatus>,
    /// Only nodes of this cluster
    #[arg(long, value_name = "NAME")]
    pub cluster: Option<String>,
    /// Only nodes with this label (repeatable; all must match)
    #[arg(long = "label", short = 'l', value_name = "KEY=VALUE", value_parser = checked(Label::parse))]
    pub labels: Vec<Label>,
    /// Sort by name, cluster, status, created, updated or gpus
    #[arg(long, default_value = "name", value_name = "FIELD", value_parser = checked(NodeSort::from_str))]
    pub sort: NodeSort,
    /// Sort in descending order
    #[arg(long)]
    pub desc: bool,
    /// Show at most N nodes per page [default: all; 50 with --page]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub limit: Option<u32>,
    /// Which page of --limit nodes to show, from 1
    #[arg(long, value_name = "P", value_parser = clap::value_parser!(u32).range(1..))]
    pub page: Option<u32>,
    /// Only nodes changed within this duration (e.g. 24h)
    #[arg(long, value_name = "DURATION", value_parser = checked(Span::parse))]
    pub changed_since: Option<Span>,
}

#[derive(Debug, Args)]
pub(crate) struct NodeShowArgs {
    /// Node name
    pub name: String,
}

/// Fields a node carries besides its name, shared by add and update.
#[derive(Debug, Args)]
pub(crate) struct NodeFieldArgs {
    /// IPv4 or IPv6 address
    #[arg(long, value_name = "ADDR", value_parser = checked(validate::ip_addr))]
    pub ip: Option<IpAddr>,
    /// Role, e.g. worker or control-plane
    #[arg(long, value_name = "ROLE")]
    pub role: Option<String>,
    /// Set a label (repeatable)
    #[arg(long = "label", short = 'l', value_name = "KEY=VALUE", value_parser = checked(Label::parse))]
    pub labels: Vec<Label>,
    /// Declared GPU capacity (devices, once added, take over)
    #[arg(long, value_name = "N")]
    pub gpus: Option<u32>,
    /// Operating system
    #[arg(long, value_name = "TEXT")]
    pub os: Option<String>,
    /// Kernel version
    #[arg(long, value_name = "TEXT")]
    pub kernel: Option<String>,
    /// NVIDIA driver version
    #[arg(long, value_name = "TEXT")]
    pub driver: Option<String>,
    /// CUDA version
    #[arg(long, value_name = "TEXT")]
    pub cuda: Option<String>,
    /// Kubelet version
    #[arg(long, value_name = "TEXT")]
    pub kubelet: Option<String>,
    /// Why; kept in the history
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct NodeAddArgs {
    /// Node name (DNS-1123 subdomain, as Kubernetes names it)
    #[arg(value_parser = checked(NodeName::parse))]
    pub name: NodeName,
    /// Cluster the node belongs to
    #[arg(long, value_name = "NAME", value_parser = checked(ClusterName::parse))]
    pub cluster: ClusterName,
    /// Initial status
    #[arg(long, value_enum, default_value_t = NodeStatus::Ready)]
    pub status: NodeStatus,
    #[command(flatten)]
    pub fields: NodeFieldArgs,
}

#[derive(Debug, Args)]
pub(crate) struct NodeUpdateArgs {
    /// Node name
    pub name: String,
    /// Move the node to another cluster
    #[arg(long, value_name = "NAME", value_parser = checked(ClusterName::parse))]
    pub cluster: Option<ClusterName>,
    /// Remove a label (repeatable)
    #[arg(long = "unlabel", value_name = "KEY", value_parser = checked(LabelKey::parse))]
    pub unlabels: Vec<LabelKey>,
    #[command(flatten)]
    pub fields: NodeFieldArgs,
}

#[derive(Debug, Args)]
pub(crate) struct NodeSetStatusArgs {
    /// Node name
    pub name: String,
    /// New status
    #[arg(value_enum)]
    pub status: NodeStatus,
    /// Why; kept in the history
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct NodeRemoveArgs {
    /// Node name
    pub name: String,
    /// Also remove its GPUs and end its active leases
    #[arg(long)]
    pub force: bool,
    /// Why; kept in the history
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct NodeHistoryArgs {
    /// Node name (removed nodes keep their history)
    pub name: String,
    /// Only changes within this duration (e.g. 7d)
    #[arg(long, value_name = "DURATION", value_parser = checked(Span::parse))]
    pub since: Option<Span>,
    /// Show at most N changes
    #[arg(long, default_value_t = 100, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub limit: u32,
}

#[derive(Debug, Args)]
pub(crate) struct NodeRecentArgs {
    /// Window to look back over
    #[arg(long, default_value = "24h", value_name = "DURATION", value_parser = checked(Span::parse))]
    pub since: Span,
}

#[derive(Debug, Subcommand)]
pub(crate) enum AlertCommand {
    /// List alerts, most severe first (open ones unless --state or --all)
    #[command(visible_alias = "ls")]
    List(AlertListArgs),
    /// Show one alert
    Show(AlertIdArgs),
    /// Acknowledge an alert: it stays open, marked as seen
    Ack(AlertAckArgs),
    /// Resolve an alert by hand
    Resolve(AlertAckArgs),
    /// List or tune the alert rules
    Rules(AlertRulesArgs),
}

#[derive(Debug, Args)]
pub(crate) struct AlertListArgs {
    /// Only alerts in this state
    #[arg(long, value_enum, conflicts_with = "all")]
    pub state: Option<AlertState>,
    /// Include resolved alerts
    #[arg(long)]
    pub all: bool,
    /// Only alerts of this severity
    #[arg(long, value_enum)]
    pub severity: Option<Severity>,
    /// Only alerts of this node
    #[arg(long, value_name = "NODE")]
    pub node: Option<String>,
    /// Show at most N alerts
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub limit: Option<u32>,
}

#[derive(Debug, Args)]
pub(crate) struct AlertIdArgs {
    /// Alert id
    pub id: i64,
}

#[derive(Debug, Args)]
pub(crate) struct AlertAckArgs {
    /// Alert id
    pub id: i64,
    /// A note kept with the alert and in the history
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct AlertRulesArgs {
    #[command(subcommand)]
    pub command: Option<AlertRulesCommand>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum AlertRulesCommand {
    /// List the rules (the default)
    List,
    /// Change a rule's threshold, duration or severity
    Set(AlertRuleSetArgs),
    /// Turn a rule on
    Enable(AlertRuleNameArgs),
    /// Turn a rule off
    Disable(AlertRuleNameArgs),
}

#[derive(Debug, Args)]
pub(crate) struct AlertRuleSetArgs {
    /// Rule name
    pub rule: String,
    /// New threshold, in the rule's metric unit
    #[arg(long, value_name = "X", allow_negative_numbers = true)]
    pub threshold: Option<f64>,
    /// How long the condition must hold before the alert fires (0s: at once)
    #[arg(long = "for", value_name = "DURATION", value_parser = checked(Span::parse_or_zero))]
    pub for_duration: Option<Span>,
    /// New severity
    #[arg(long, value_enum)]
    pub severity: Option<Severity>,
}

#[derive(Debug, Args)]
pub(crate) struct AlertRuleNameArgs {
    /// Rule name
    pub rule: String,
}

#[derive(Debug, Subcommand)]
pub(crate) enum DbCommand {
    /// Show, or set, how long raw samples and hourly rollups are kept
    Retention(DbRetentionArgs),
    /// Roll up complete hours and delete data past retention, now
    Prune,
    /// Rebuild the store file to give free space back to the filesystem
    Vacuum,
    /// Copy the store to PATH, consistently, even while others write to it
    Backup(DbBackupArgs),
}

#[derive(Debug, Args)]
pub(crate) struct DbRetentionArgs {
    /// Keep raw (per-collect) samples this long [default: 14d]
    #[arg(long, value_name = "DURATION", value_parser = checked(Span::parse))]
    pub raw: Option<Span>,
    /// Keep hourly rollups this long [default: 400d]
    #[arg(long, value_name = "DURATION", value_parser = checked(Span::parse))]
    pub hourly: Option<Span>,
}

#[derive(Debug, Args)]
pub(crate) struct DbBackupArgs {
    /// Where to write the copy (must not exist)
    pub path: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ExportCommand {
    /// Print the latest sample of every GPU in Prometheus text format (dcgm-exporter names)
    Prometheus,
}

/// How to reach a cluster with kubectl.
#[derive(Debug, Args)]
pub(crate) struct KubectlArgs {
    /// kubeconfig context to use
    #[arg(long, value_name = "CTX")]
    pub context: Option<String>,
    /// kubeconfig file to use
    #[arg(long, value_name = "PATH")]
    pub kubeconfig: Option<PathBuf>,
    /// The kubectl binary
    #[arg(long, value_name = "PATH", default_value = "kubectl")]
    pub kubectl: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct NodeImportArgs {
    /// The JSON document ('-' for standard input)
    #[arg(value_name = "FILE", default_value = "-")]
    pub file: PathBuf,
    /// Cluster of the imported nodes (required for nodes new to the inventory)
    #[arg(long, value_name = "NAME", value_parser = checked(ClusterName::parse))]
    pub cluster: Option<ClusterName>,
    /// Print the plan, write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Mark nodes of --cluster missing from the input as decommissioned
    #[arg(long, requires = "cluster")]
    pub prune: bool,
}

#[derive(Debug, Args)]
pub(crate) struct NodeSyncArgs {
    /// Cluster to sync
    #[arg(long, value_name = "NAME", value_parser = checked(ClusterName::parse))]
    pub cluster: ClusterName,
    #[command(flatten)]
    pub kubectl: KubectlArgs,
    /// Print the plan, write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Mark nodes missing from the cluster as decommissioned
    #[arg(long)]
    pub prune: bool,
}

#[derive(Debug, Args)]
pub(crate) struct NodeDriftArgs {
    /// Cluster to compare
    #[arg(long, value_name = "NAME", value_parser = checked(ClusterName::parse))]
    pub cluster: ClusterName,
    /// A saved 'kubectl get nodes -o json' ('-' for standard input); without it, kubectl runs
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    #[command(flatten)]
    pub kubectl: KubectlArgs,
}

/// Where collect reads GPUs from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum SourceChoice {
    /// NVML, then nvidia-smi
    Auto,
    Nvml,
    #[value(name = "nvidia-smi")]
    NvidiaSmi,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ReportCommand {
    /// GPU-hours leased x model hourly cost, plus energy x price, per group, with a total row
    Cost(ReportCostArgs),
    /// Leases whose GPU stayed below a utilisation threshold, with the cost wasted
    Idle(ReportIdleArgs),
    /// GPU-hours available vs leased vs used, per group, with a total row
    Utilization(ReportUtilizationArgs),
}

/// The window a report covers: [now - since, now) or [from, to).
#[derive(Debug, Args)]
pub(crate) struct ReportWindowArgs {
    /// Cover the last DURATION, up to now (default: 30d; report idle: 24h)
    #[arg(long, value_name = "DURATION", conflicts_with = "from", value_parser = checked(Span::parse))]
    pub since: Option<Span>,
    /// Window start (RFC 3339 or YYYY-MM-DD[ HH:MM], UTC)
    #[arg(long, value_name = "TIME", value_parser = checked(Timestamp::parse))]
    pub from: Option<Timestamp>,
    /// Window end, exclusive [default: now]; a time past now counts as now
    #[arg(long, value_name = "TIME", requires = "from", value_parser = checked(Timestamp::parse))]
    pub to: Option<Timestamp>,
}

#[derive(Debug, Args)]
pub(crate) struct ReportCostArgs {
    #[command(flatten)]
    pub window: ReportWindowArgs,
    /// Group rows by
    #[arg(long, value_enum, default_value_t = CostGrouping::Owner, value_name = "KEY")]
    pub by: CostGrouping,
    /// Price of one kWh, in the unit of the models' hourly cost; energy cost is null without it
    #[arg(long, value_name = "PER_KWH", allow_negative_numbers = true, value_parser = checked(validate::non_negative_number))]
    pub energy_price: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum CostGrouping {
    Owner,
    Namespace,
    Cluster,
    Model,
}

#[derive(Debug, Args)]
pub(crate) struct ReportIdleArgs {
    #[command(flatten)]
    pub window: ReportWindowArgs,
    /// Average GPU utilisation (percent, 0-100) below which a lease counts as idle
    #[arg(
        long,
        default_value = "5",
        value_name = "PCT",
        allow_negative_numbers = true,
        value_parser = checked(validate::percentage)
    )]
    pub threshold: f64,
}

#[derive(Debug, Args)]
pub(crate) struct ReportUtilizationArgs {
    #[command(flatten)]
    pub window: ReportWindowArgs,
    /// Group rows by
    #[arg(long, value_enum, default_value_t = UtilizationGrouping::Cluster, value_name = "KEY")]
    pub by: UtilizationGrouping,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum UtilizationGrouping {
    Cluster,
    Model,
    Node,
}

#[derive(Debug, Args)]
pub(crate) struct CollectArgs {
    /// Where to read the GPUs
    #[arg(long, value_enum, default_value_t = SourceChoice::Auto, conflicts_with = "input")]
    pub source: SourceChoice,
    /// The nvidia-smi binary
    #[arg(long, value_name = "PATH", default_value = "nvidia-smi")]
    pub smi_command: PathBuf,
    /// Replay a recorded 'nvidia-smi --query-gpu=... --format=csv' file instead of reading GPUs
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// This node's name in the inventory [default: the host name]
    #[arg(long, value_name = "NAME", value_parser = checked(NodeName::parse))]
    pub node: Option<NodeName>,
    /// The cluster a node new to the inventory joins
    #[arg(long, value_name = "NAME", default_value = "default", value_parser = checked(ClusterName::parse))]
    pub cluster: ClusterName,
    /// Also write DIR/gpuctl.prom for node_exporter's textfile collector
    #[arg(long, value_name = "DIR")]
    pub textfile: Option<PathBuf>,
    /// Repeat every DURATION until SIGTERM or SIGINT (for containers without cron)
    #[arg(long, value_name = "DURATION", conflicts_with = "input", value_parser = checked(Span::parse))]
    pub every: Option<Span>,
}

#[derive(Debug, Args)]
pub(crate) struct DoctorArgs {
    /// The nvidia-smi binary to check
    #[arg(long, value_name = "PATH", default_value = "nvidia-smi")]
    pub smi_command: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct DashboardArgs {
    #[command(subcommand)]
    pub command: Option<DashboardCommand>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum DashboardCommand {
    /// Nodes, GPUs, MIG, usage over the latest samples, and active alerts
    Stats,
    /// The same statistics per cluster
    Clusters,
    /// The same statistics per GPU model
    Models,
    /// Utilisation, memory, temperature and power over time, per bucket
    Trends(TrendsArgs),
    /// Active alerts, most severe first
    Alerts(DashboardAlertsArgs),
    /// Recent events of every kind, newest first
    Activity(ActivityArgs),
    /// The latest sample of every GPU; old samples are marked stale
    Realtime(RealtimeArgs),
}

#[derive(Debug, Args)]
pub(crate) struct TrendsArgs {
    /// Window to chart
    #[arg(long, default_value = "24h", value_name = "DURATION", value_parser = checked(Span::parse))]
    pub since: Span,
    /// Bucket size (whole hours read hourly rollups where they exist)
    #[arg(long, default_value = "1h", value_name = "DURATION", value_parser = checked(Span::parse))]
    pub bucket: Span,
    /// Only this cluster
    #[arg(long, value_name = "NAME")]
    pub cluster: Option<String>,
    /// Only this node
    #[arg(long, value_name = "NAME")]
    pub node: Option<String>,
    /// Only this GPU model
    #[arg(long, value_name = "MODEL")]
    pub model: Option<String>,
    /// Only this GPU (UUID)
    #[arg(long, value_name = "UUID")]
    pub device: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct DashboardAlertsArgs {
    /// Show at most N alerts
    #[arg(long, default_value_t = 50, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub limit: u32,
}

#[derive(Debug, Args)]
pub(crate) struct ActivityArgs {
    /// Show at most N events
    #[arg(long, default_value_t = 20, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub limit: u32,
}

#[derive(Debug, Args)]
pub(crate) struct RealtimeArgs {
    /// Redraw every INTERVAL until Ctrl-C (terminals only)
    #[arg(long, value_name = "INTERVAL", num_args = 0..=1, default_missing_value = "2s", value_parser = checked(Span::parse))]
    pub watch: Option<Span>,
    /// How often collect runs; samples older than 3 intervals are stale
    #[arg(long, default_value = "60s", value_name = "DURATION", value_parser = checked(Span::parse))]
    pub interval: Span,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ModelCommand {
    /// List the GPU models of the catalogue
    #[command(visible_alias = "ls")]
    List,
    /// Show a model with its aliases and MIG profiles
    Show(ModelShowArgs),
    /// Add a model to the catalogue
    Add(ModelAddArgs),
    /// Change some fields of a model
    Update(ModelUpdateArgs),
    /// Remove a model (refused while GPUs use it)
    #[command(visible_alias = "rm")]
    Remove(ModelShowArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ModelShowArgs {
    /// Model name as NVML reports it, or an alias (case-insensitive)
    pub name: String,
}

/// Fields of a model besides its name, shared by add and update.
#[derive(Debug, Args)]
pub(crate) struct ModelFieldArgs {
    /// Architecture, e.g. Hopper
    #[arg(long, value_name = "TEXT")]
    pub architecture: Option<String>,
    /// TDP in watts
    #[arg(long, value_name = "W", value_parser = clap::value_parser!(i64).range(1..))]
    pub tdp_w: Option<i64>,
    /// What one GPU of this model costs per hour (for cost reports)
    #[arg(long, value_name = "COST")]
    pub hourly_cost: Option<f64>,
    /// Add an alias (repeatable)
    #[arg(long = "alias", value_name = "NAME")]
    pub aliases: Vec<String>,
}

#[derive(Debug, Args)]
pub(crate) struct ModelAddArgs {
    /// Model name as NVML reports it, e.g. "NVIDIA B200"
    pub name: String,
    /// Memory in MiB
    #[arg(long, value_name = "MIB", value_parser = clap::value_parser!(i64).range(1..))]
    pub memory_mib: i64,
    #[command(flatten)]
    pub fields: ModelFieldArgs,
}

#[derive(Debug, Args)]
pub(crate) struct ModelUpdateArgs {
    /// Model name or alias
    pub name: String,
    /// Memory in MiB
    #[arg(long, value_name = "MIB", value_parser = clap::value_parser!(i64).range(1..))]
    pub memory_mib: Option<i64>,
    /// Remove an alias (repeatable)
    #[arg(long = "unalias", value_name = "NAME")]
    pub unaliases: Vec<String>,
    /// Forget the hourly cost
    #[arg(long, conflicts_with = "hourly_cost")]
    pub clear_hourly_cost: bool,
    #[command(flatten)]
    pub fields: ModelFieldArgs,
}

#[derive(Debug, Subcommand)]
pub(crate) enum DeviceCommand {
    /// List GPUs: filter by node, cluster, model, status, free or allocated
    #[command(visible_alias = "ls")]
    List(DeviceListArgs),
    /// Show a GPU with its MIG instances and lease
    Show(DeviceShowArgs),
    /// Add a GPU to a node
    Add(DeviceAddArgs),
    /// Change some fields of a GPU
    Update(DeviceUpdateArgs),
    /// Set a GPU's status
    SetStatus(DeviceSetStatusArgs),
    /// Remove a GPU (refused while leased)
    #[command(visible_alias = "rm")]
    Remove(DeviceRemoveArgs),
}

#[derive(Debug, Args)]
pub(crate) struct DeviceListArgs {
    /// Only GPUs of this node
    #[arg(long, value_name = "NAME")]
    pub node: Option<String>,
    /// Only GPUs of this cluster
    #[arg(long, value_name = "NAME")]
    pub cluster: Option<String>,
    /// Only GPUs of this model (name or alias)
    #[arg(long, value_name = "MODEL")]
    pub model: Option<String>,
    /// Only GPUs in this status
    #[arg(long, value_enum)]
    pub status: Option<DeviceStatus>,
    /// Only active, whole GPUs without a lease
    #[arg(long, conflicts_with = "allocated")]
    pub free: bool,
    /// Only GPUs with an active lease (whole or on a MIG instance)
    #[arg(long)]
    pub allocated: bool,
}

#[derive(Debug, Args)]
pub(crate) struct DeviceShowArgs {
    /// GPU UUID (GPU-…)
    pub uuid: String,
}

#[derive(Debug, Args)]
pub(crate) struct DeviceAddArgs {
    /// GPU UUID as NVML reports it (GPU-…)
    #[arg(value_parser = checked(GpuUuid::parse))]
    pub uuid: GpuUuid,
    /// Node the GPU is in
    #[arg(long, value_name = "NAME")]
    pub node: String,
    /// Index on the node (as nvidia-smi numbers it)
    #[arg(long, value_name = "N")]
    pub index: u32,
    /// Model name or alias
    #[arg(long, value_name = "MODEL")]
    pub model: String,
    /// Board serial number
    #[arg(long, value_name = "TEXT")]
    pub serial: Option<String>,
    /// PCI bus id, e.g. 00000000:17:00.0
    #[arg(long, value_name = "ID", value_parser = checked(PciBusId::parse))]
    pub pci_bus_id: Option<PciBusId>,
    /// Initial status
    #[arg(long, value_enum, default_value_t = DeviceStatus::Active)]
    pub status: DeviceStatus,
    /// Why; kept in the history
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct DeviceUpdateArgs {
    /// GPU UUID
    pub uuid: String,
    /// Index on the node
    #[arg(long, value_name = "N")]
    pub index: Option<u32>,
    /// Model name or alias
    #[arg(long, value_name = "MODEL")]
    pub model: Option<String>,
    /// Board serial number
    #[arg(long, value_name = "TEXT")]
    pub serial: Option<String>,
    /// PCI bus id
    #[arg(long, value_name = "ID", value_parser = checked(PciBusId::parse))]
    pub pci_bus_id: Option<PciBusId>,
    /// Why; kept in the history
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct DeviceSetStatusArgs {
    /// GPU UUID
    pub uuid: String,
    /// New status
    #[arg(value_enum)]
    pub status: DeviceStatus,
    /// Why; kept in the history
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct DeviceRemoveArgs {
    /// GPU UUID
    pub uuid: String,
    /// Why; kept in the history
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum MigCommand {
    /// Turn MIG mode on for a GPU (refused while it is leased whole)
    Enable(MigModeArgs),
    /// Turn MIG mode off (refused while it has GPU instances)
    Disable(MigModeArgs),
    /// Create GPU instances of a profile, if the GPU can hold them
    Create(MigCreateArgs),
    /// List GPU instances
    #[command(visible_alias = "ls")]
    List(MigListArgs),
    /// Destroy a GPU instance, or every instance of a GPU (refused while leased)
    Destroy(MigDestroyArgs),
}

#[derive(Debug, Args)]
pub(crate) struct MigModeArgs {
    /// GPU UUID
    pub device: String,
}

#[derive(Debug, Args)]
pub(crate) struct MigCreateArgs {
    /// GPU UUID
    pub device: String,
    /// GPU-instance profile, e.g. 3g.40gb
    #[arg(value_parser = checked(MigProfileName::parse))]
    pub profile: MigProfileName,
    /// How many instances (all or none are created)
    #[arg(long, default_value_t = 1, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=8))]
    pub count: u32,
}

#[derive(Debug, Args)]
pub(crate) struct MigListArgs {
    /// Only instances of this GPU
    #[arg(long, value_name = "UUID")]
    pub device: Option<String>,
    /// Only instances on this node
    #[arg(long, value_name = "NAME")]
    pub node: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct MigDestroyArgs {
    /// Instance id (as `mig list` shows) or MIG UUID
    #[arg(required_unless_present = "all", conflicts_with_all = ["device", "all"])]
    pub instance: Option<String>,
    /// The GPU whose instances to destroy (with --all)
    #[arg(long, value_name = "UUID", requires = "all")]
    pub device: Option<String>,
    /// Destroy every instance of --device
    #[arg(long, requires = "device")]
    pub all: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum AllocCommand {
    /// Lease GPUs or MIG instances
    Create(AllocCreateArgs),
    /// End a lease
    Release(AllocReleaseArgs),
    /// Move a lease's end
    Extend(AllocExtendArgs),
    /// List leases (active by default)
    #[command(visible_alias = "ls")]
    List(AllocListArgs),
    /// Show a lease
    Show(AllocShowArgs),
}

/// When a lease ends: one of --for and --until.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub(crate) struct LeaseEndArgs {
    /// For how long, e.g. 4h
    #[arg(long = "for", value_name = "DURATION", value_parser = checked(Span::parse))]
    pub for_: Option<Span>,
    /// Until when (RFC 3339 or YYYY-MM-DD[ HH:MM], UTC)
    #[arg(long, value_name = "TIME", value_parser = checked(Timestamp::parse))]
    pub until: Option<Timestamp>,
}

#[derive(Debug, Args)]
pub(crate) struct AllocCreateArgs {
    /// This GPU
    #[arg(long, value_name = "UUID", conflicts_with_all = ["node", "cluster", "model"])]
    pub device: Option<String>,
    /// Any free GPU of this node
    #[arg(long, value_name = "NAME")]
    pub node: Option<String>,
    /// Any free GPU of this cluster
    #[arg(long, value_name = "NAME")]
    pub cluster: Option<String>,
    /// Only GPUs of this model (name or alias)
    #[arg(long, value_name = "MODEL")]
    pub model: Option<String>,
    /// Lease MIG instances of this profile instead of whole GPUs
    #[arg(long, value_name = "PROFILE", value_parser = checked(MigProfileName::parse))]
    pub mig_profile: Option<MigProfileName>,
    /// How many GPUs or instances (all or none)
    #[arg(long, default_value_t = 1, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub count: u32,
    /// Who holds the lease
    #[arg(long, value_name = "WHO")]
    pub owner: String,
    /// Kubernetes namespace
    #[arg(long, value_name = "NS")]
    pub namespace: Option<String>,
    /// Pod or workload name
    #[arg(long, value_name = "NAME")]
    pub workload: Option<String>,
    #[command(flatten)]
    pub end: LeaseEndArgs,
    /// Also lease GPUs with an open critical alert or that stopped reporting
    #[arg(long)]
    pub allow_unhealthy: bool,
}

#[derive(Debug, Args)]
pub(crate) struct AllocReleaseArgs {
    /// Lease id
    pub id: i64,
    /// Why; kept in the history
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct AllocExtendArgs {
    /// Lease id
    pub id: i64,
    #[command(flatten)]
    pub end: LeaseEndArgs,
}

#[derive(Debug, Args)]
pub(crate) struct AllocListArgs {
    /// Only active leases (the default)
    #[arg(long, conflicts_with_all = ["expired", "all"])]
    pub active: bool,
    /// Only expired leases
    #[arg(long, conflicts_with = "all")]
    pub expired: bool,
    /// Leases in every state
    #[arg(long)]
    pub all: bool,
    /// Only leases of this owner
    #[arg(long, value_name = "WHO")]
    pub owner: Option<String>,
    /// Only leases in this namespace
    #[arg(long, value_name = "NS")]
    pub namespace: Option<String>,
    /// Only leases on this node
    #[arg(long, value_name = "NAME")]
    pub node: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct AllocShowArgs {
    /// Lease id
    pub id: i64,
}

#[derive(Debug, Args)]
pub(crate) struct OptimizeArgs {
    /// Print the plan and write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Flag GPUs of ready nodes not sampled for this long
    #[arg(long, default_value = "10m", value_name = "DURATION", value_parser = checked(Span::parse))]
    pub stale_after: Span,
}

#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Nodes in the fleet
    #[arg(long, default_value_t = 24, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub nodes: u32,
    /// GPUs per node
    #[arg(long, default_value_t = 8, value_name = "G", value_parser = clap::value_parser!(u32).range(1..=16))]
    pub gpus_per_node: u32,
    /// Days of per-minute samples
    #[arg(long, default_value_t = 3, value_name = "D", value_parser = clap::value_parser!(u32).range(1..=30))]
    pub days: u32,
    /// Random seed: the same seed gives the same fleet
    #[arg(long, default_value_t = 42, value_name = "S")]
    pub seed: u64,
}
