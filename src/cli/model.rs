//! `gpuctl model …`: the GPU model catalogue.

use super::*;

#[derive(Debug, Subcommand)]
pub(crate) enum ModelCommand {
    /// List the GPU models of the catalogue
    #[command(visible_alias = "ls")]
    List(ModelListArgs),
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
pub(crate) struct ModelListArgs {
    #[command(flatten)]
    pub page: PageArgs,
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
