//! `gpuctl report …`: cost, idle and utilisation over a window.

use super::*;

#[derive(Debug, Subcommand)]
pub(crate) enum ReportCommand {
    /// GPU-hours leased x model hourly cost, plus energy x price, per group, with a total row
    Cost(ReportCostArgs),
    /// Leased or pod-held GPUs that stayed below a utilisation threshold, with the cost wasted
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
    #[command(flatten)]
    pub page: PageArgs,
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
