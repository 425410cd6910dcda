//! `gpuctl alloc …`: leases.

use super::*;

#[derive(Debug, Subcommand)]
pub(crate) enum AllocCommand {
    /// Lease GPUs or MIG instances
    Create(AllocCreateArgs),
    /// End a lease
    Release(AllocReleaseArgs),
    /// Move an active lease's end: later by a duration, or to a time
    ///
    /// --by D (or --for D) adds D to the current end; --until T sets the end to T. An end in the
    /// past is refused, and so is an end earlier than the current one unless --allow-shorten is
    /// given (exit 2 either way, nothing written). The change is kept in the history as
    /// alloc.extended with the old and new expires_at.
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
    /// This GPU (UUID, or a unique prefix of one)
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
    #[arg(long, value_name = "NS", value_parser = checked(validate::namespace))]
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
    pub end: LeaseNewEndArgs,
    /// Let --until end an active lease earlier than it now ends
    #[arg(long)]
    pub allow_shorten: bool,
}
/// Where an extended lease ends: one of --by and --until.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub(crate) struct LeaseNewEndArgs {
    /// Add this much to the lease's current end, e.g. 2h
    #[arg(long, visible_alias = "for", value_name = "DURATION", value_parser = checked(Span::parse))]
    pub by: Option<Span>,
    /// Set the end (RFC 3339 or YYYY-MM-DD[ HH:MM], UTC); earlier than the current end needs
    /// --allow-shorten
    #[arg(long, value_name = "TIME", value_parser = checked(Timestamp::parse))]
    pub until: Option<Timestamp>,
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
    #[arg(long, value_name = "NS", value_parser = checked(validate::namespace))]
    pub namespace: Option<String>,
    /// Only leases on this node
    #[arg(long, value_name = "NAME")]
    pub node: Option<String>,
    /// Only leases in this cluster
    #[arg(long, value_name = "NAME")]
    pub cluster: Option<String>,
    #[command(flatten)]
    pub page: PageArgs,
}
#[derive(Debug, Args)]
pub(crate) struct AllocShowArgs {
    /// Lease id
    pub id: i64,
}
