//! `demo`, `export` and `completions`.

use super::*;

#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}
#[derive(Debug, Subcommand)]
pub(crate) enum ExportCommand {
    /// Print the latest sample of a node's GPUs in Prometheus text format (dcgm-exporter names)
    ///
    /// Which node: --node NAME; --all-nodes for every node in the store; without either, the
    /// node named like this host (its lower-cased host name) when the store has exactly one
    /// node of that name, else every node. A GPU not sampled within --max-age is exported
    /// without its DCGM_FI_* gauges and with gpuctl_gpu_stale 1.
    Prometheus(ExportPrometheusArgs),
}
#[derive(Debug, Args)]
pub(crate) struct ExportPrometheusArgs {
    /// Only this node's GPUs and state (NAME, or CLUSTER/NAME) [default: the node named like
    /// this host if the store has exactly one such node, else every node]
    #[arg(long, value_name = "NAME")]
    pub node: Option<String>,
    /// Every node's GPUs and state (a fleet store: let only one exporter publish them)
    #[arg(long, conflicts_with = "node")]
    pub all_nodes: bool,
    /// A GPU whose latest sample is older than this is exported as stale, without gauges
    #[arg(long, value_name = "DURATION", default_value = "2m", value_parser = checked(Span::parse))]
    pub max_age: Span,
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
