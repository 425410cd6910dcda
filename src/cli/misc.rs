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
    /// Print the latest sample of every GPU in Prometheus text format (dcgm-exporter names)
    Prometheus,
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
