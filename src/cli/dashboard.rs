//! `gpuctl dashboard …`: the fleet at a glance.

use super::*;

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
    /// Bucket size [default: the shortest of 1m, 5m, 15m, 1h, 6h, 1d, 7d, 30d that gives at most
    /// 60 buckets] (whole hours read hourly rollups where they exist)
    #[arg(long, value_name = "DURATION", value_parser = checked(Span::parse))]
    pub bucket: Option<Span>,
    /// Only this cluster
    #[arg(long, value_name = "NAME")]
    pub cluster: Option<String>,
    /// Only this node
    #[arg(long, value_name = "NAME")]
    pub node: Option<String>,
    /// Only this GPU model
    #[arg(long, value_name = "MODEL")]
    pub model: Option<String>,
    /// Only this GPU (UUID, or a unique prefix of one)
    #[arg(long, value_name = "UUID")]
    pub device: Option<String>,
}
/// Alerts a `dashboard alerts` page shows without --limit.
pub(crate) const DASHBOARD_ALERTS_PAGE_SIZE: u32 = 50;

#[derive(Debug, Args)]
#[command(mut_arg("limit", |a| a.help("Show at most N alerts per page [default: 50]")))]
pub(crate) struct DashboardAlertsArgs {
    #[command(flatten)]
    pub page: PageArgs,
}
/// Events an activity page shows without --limit.
pub(crate) const ACTIVITY_PAGE_SIZE: u32 = 20;

#[derive(Debug, Args)]
#[command(mut_arg("limit", |a| a.help("Show at most N events per page [default: 20]")))]
pub(crate) struct ActivityArgs {
    #[command(flatten)]
    pub page: PageArgs,
}
#[derive(Debug, Args)]
pub(crate) struct RealtimeArgs {
    /// Redraw every INTERVAL until Ctrl-C (terminals only)
    #[arg(long, value_name = "INTERVAL", num_args = 0..=1, default_missing_value = "2s", value_parser = checked(Span::parse))]
    pub watch: Option<Span>,
    /// How often collect runs; samples older than 3 intervals are stale
    #[arg(long, default_value = "60s", value_name = "DURATION", value_parser = checked(Span::parse))]
    pub interval: Span,
    /// Only GPUs of this node
    #[arg(long, value_name = "NAME")]
    pub node: Option<String>,
    /// Only GPUs of this cluster
    #[arg(long, value_name = "NAME")]
    pub cluster: Option<String>,
    /// Only GPUs of this model (name or alias)
    #[arg(long, value_name = "MODEL")]
    pub model: Option<String>,
    /// Order by node (and index), or by util, memory, temp or power (highest first), or age
    /// (stalest first)
    #[arg(long, default_value = "node", value_name = "FIELD", value_parser = checked(RealtimeSort::from_str))]
    pub sort: RealtimeSort,
}
