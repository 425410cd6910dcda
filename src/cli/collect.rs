//! The periodic jobs and their checks: `collect`, `optimize`, `doctor`.

use super::*;

/// Where collect reads GPUs from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum SourceChoice {
    /// NVML, then nvidia-smi
    Auto,
    Nvml,
    #[value(name = "nvidia-smi")]
    NvidiaSmi,
}
#[derive(Debug, Args)]
pub(crate) struct CollectArgs {
    /// Where to read the GPUs
    #[arg(long, value_enum, default_value_t = SourceChoice::Auto, conflicts_with = "input")]
    pub source: SourceChoice,
    /// The nvidia-smi binary
    #[arg(long, value_name = "PATH", default_value = "nvidia-smi")]
    pub smi_command: PathBuf,
    /// Kill nvidia-smi and fail the run (exit 6) when it runs longer than this; with --every,
    /// never longer than the period
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = checked(Span::parse))]
    pub smi_timeout: Span,
    /// Replay a recorded 'nvidia-smi --query-gpu=... --format=csv' file instead of reading GPUs;
    /// a directory replays each NODE.csv in it as node NODE, all in one transaction
    #[arg(long, value_name = "FILE|DIR")]
    pub input: Option<PathBuf>,
    /// This node's name in the inventory [default: the host name]
    #[arg(long, value_name = "NAME", value_parser = checked(NodeName::parse))]
    pub node: Option<NodeName>,
    /// This node's cluster (a node is known by cluster and name) [default: the cluster of the
    /// one node of this name, else `default` for a new node]
    #[arg(long, value_name = "NAME", value_parser = checked(ClusterName::parse))]
    pub cluster: Option<ClusterName>,
    /// Also write DIR/gpuctl.prom for node_exporter's textfile collector: the collected node's
    /// GPUs (none for a fleet collect) and gpuctl's health series
    #[arg(long, value_name = "DIR")]
    pub textfile: Option<PathBuf>,
    /// With --textfile: every node's GPUs and state in the store, not only the collected node's
    #[arg(long, requires = "textfile")]
    pub all_nodes: bool,
    /// Repeat every DURATION until SIGTERM or SIGINT (for containers without cron; a fleet
    /// collect runs from a timer instead)
    #[arg(long, value_name = "DURATION", conflicts_with_all = ["input", "from_prometheus", "scrape"],
          value_parser = checked(Span::parse))]
    pub every: Option<Span>,
    /// After the run, deliver pending alert transitions for at most this long (0s: leave
    /// them to 'gpuctl alert notify'); a receiver that fails is a warning, not a failed run
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = checked(Span::parse_or_zero))]
    pub notify_timeout: Span,
    #[command(flatten)]
    pub fleet: FleetArgs,
}

/// Reading the whole fleet: from Prometheus, or from dcgm-exporter endpoints directly.
#[derive(Debug, Args)]
#[command(next_help_heading = "Fleet (dcgm-exporter through Prometheus, or scraped)")]
pub(crate) struct FleetArgs {
    /// Read every node's GPUs from this Prometheus (its dcgm-exporter series)
    #[arg(long, value_name = "URL", conflicts_with_all = ["input", "source", "node", "scrape"])]
    pub from_prometheus: Option<String>,
    /// Read dcgm-exporter (or gpuctl) /metrics endpoints directly; repeatable
    #[arg(long, value_name = "URL", num_args = 1.., action = clap::ArgAction::Append,
          conflicts_with_all = ["input", "source", "node"])]
    pub scrape: Vec<String>,
    /// Only series this selector picks, e.g. '{job="dcgm-exporter"}'
    #[arg(long, value_name = "SELECTOR", requires = "from_prometheus")]
    pub selector: Option<String>,
    /// The label that names the node [default: the first present of kubernetes_node, node,
    /// nodename, Hostname, hostname]
    #[arg(long, value_name = "LABEL")]
    pub node_label: Option<String>,
    /// The label that names the cluster (when --cluster is not given)
    #[arg(long, value_name = "LABEL", conflicts_with = "cluster")]
    pub cluster_label: Option<String>,
    /// Only samples newer than this count as current; in --textfile, a GPU with no newer
    /// sample is stale (no gauges, gpuctl_gpu_stale 1)
    #[arg(long, value_name = "DURATION", default_value = "2m", value_parser = checked(Span::parse))]
    pub max_age: Span,
    /// Also fetch this much history at a one-minute step (with --from-prometheus)
    #[arg(long, value_name = "DURATION", requires = "from_prometheus", value_parser = checked(Span::parse))]
    pub backfill: Option<Span>,
    /// Give up on a request after this long
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = checked(Span::parse))]
    pub timeout: Span,
    /// Trust this PEM file of CA certificates besides the system's
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// Send the bearer token in FILE
    #[arg(long, value_name = "FILE")]
    pub bearer_token_file: Option<PathBuf>,
    /// Basic-auth user; the password comes from --basic-auth-password-file or the
    /// GPUCTL_BASIC_AUTH_PASSWORD environment variable
    #[arg(long, value_name = "USER")]
    pub basic_auth_user: Option<String>,
    /// The basic-auth password, in a file
    #[arg(long, value_name = "FILE", requires = "basic_auth_user")]
    pub basic_auth_password_file: Option<PathBuf>,
}
#[derive(Debug, Args)]
pub(crate) struct DoctorArgs {
    /// The nvidia-smi binary to check
    #[arg(long, value_name = "PATH", default_value = "nvidia-smi")]
    pub smi_command: PathBuf,
    /// Kill nvidia-smi (and report it) when it runs longer than this
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = checked(Span::parse))]
    pub smi_timeout: Span,
    /// Exit 6 without a usable GPU source even where the store shows no local collect
    #[arg(long)]
    pub require_gpu: bool,
}
#[derive(Debug, Args)]
pub(crate) struct OptimizeArgs {
    /// Print the plan and write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Flag GPUs of ready nodes not sampled for this long
    #[arg(long, default_value = "10m", value_name = "DURATION", value_parser = checked(Span::parse))]
    pub stale_after: Span,
    /// After the run, deliver pending alert transitions for at most this long (0s: leave
    /// them to 'gpuctl alert notify'); a receiver that fails is a warning, not a failed run
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = checked(Span::parse_or_zero))]
    pub notify_timeout: Span,
}
