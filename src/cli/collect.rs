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
    /// Replay a recorded 'nvidia-smi --query-gpu=... --format=csv' file instead of reading GPUs
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// This node's name in the inventory [default: the host name]
    #[arg(long, value_name = "NAME", value_parser = checked(NodeName::parse))]
    pub node: Option<NodeName>,
    /// This node's cluster (a node is known by cluster and name) [default: the cluster of the
    /// one node of this name, else `default` for a new node]
    #[arg(long, value_name = "NAME", value_parser = checked(ClusterName::parse))]
    pub cluster: Option<ClusterName>,
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
}
