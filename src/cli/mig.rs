//! `gpuctl mig …`: MIG mode and instances.

use super::*;

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
    /// GPU UUID, or a unique prefix of one
    pub device: String,
}
#[derive(Debug, Args)]
pub(crate) struct MigCreateArgs {
    /// GPU UUID, or a unique prefix of one
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
    /// Only instances of this GPU (UUID, or a unique prefix of one)
    #[arg(long, value_name = "UUID")]
    pub device: Option<String>,
    /// Only instances on this node
    #[arg(long, value_name = "NAME")]
    pub node: Option<String>,
    #[command(flatten)]
    pub page: PageArgs,
}
#[derive(Debug, Args)]
pub(crate) struct MigDestroyArgs {
    /// Instance id (as `mig list` shows), MIG UUID, or a unique prefix of one
    #[arg(required_unless_present = "all", conflicts_with_all = ["device", "all"])]
    pub instance: Option<String>,
    /// The GPU whose instances to destroy (with --all): UUID, or a unique prefix of one
    #[arg(long, value_name = "UUID", requires = "all")]
    pub device: Option<String>,
    /// Destroy every instance of --device
    #[arg(long, requires = "device")]
    pub all: bool,
}
