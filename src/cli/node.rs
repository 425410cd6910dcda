//! `gpuctl node …`: the inventory of nodes, its history and the Kubernetes import.

use super::*;

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
    ///
    /// Exits 0 when they agree and 1 when they differ, as diff does, so cron and CI can act on
    /// it: the differences are printed on stdout (table, JSON or CSV) and no error line
    /// follows. Other failures keep their own codes (2 for a bad input file, 5 for the store).
    Drift(NodeDriftArgs),
}
#[derive(Debug, Args)]
pub(crate) struct NodeListArgs {
    /// Case-insensitive text to find in name, cluster, IP or label values
    #[arg(long, short = 's', value_name = "TEXT", value_parser = checked(validate::search_text))]
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
    #[command(flatten)]
    pub page: PageArgs,
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
/// Changes a history page shows without --limit.
pub(crate) const HISTORY_PAGE_SIZE: u32 = 100;

#[derive(Debug, Args)]
#[command(mut_arg("limit", |a| a.help("Show at most N changes per page [default: 100]")))]
pub(crate) struct NodeHistoryArgs {
    /// Node name (removed nodes keep their history)
    pub name: String,
    /// Only changes within this duration (e.g. 7d)
    #[arg(long, value_name = "DURATION", value_parser = checked(Span::parse))]
    pub since: Option<Span>,
    #[command(flatten)]
    pub page: PageArgs,
}
#[derive(Debug, Args)]
pub(crate) struct NodeRecentArgs {
    /// Window to look back over
    #[arg(long, default_value = "24h", value_name = "DURATION", value_parser = checked(Span::parse))]
    pub since: Span,
    #[command(flatten)]
    pub page: PageArgs,
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
    /// Kill kubectl and fail (exit 1) when it runs longer than this
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = checked(Span::parse))]
    pub kubectl_timeout: Span,
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
