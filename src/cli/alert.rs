//! `gpuctl alert …`: alerts and their rules.

use super::*;

#[derive(Debug, Subcommand)]
pub(crate) enum AlertCommand {
    /// List alerts, most severe first (open ones unless --state or --all)
    #[command(visible_alias = "ls")]
    List(AlertListArgs),
    /// Show one alert
    Show(AlertIdArgs),
    /// Acknowledge an alert: it stays open, marked as seen
    Ack(AlertAckArgs),
    /// Resolve an alert by hand
    Resolve(AlertAckArgs),
    /// List or tune the alert rules
    Rules(AlertRulesArgs),
}
#[derive(Debug, Args)]
pub(crate) struct AlertListArgs {
    /// Only alerts in this state
    #[arg(long, value_enum, conflicts_with = "all")]
    pub state: Option<AlertState>,
    /// Include resolved alerts
    #[arg(long)]
    pub all: bool,
    /// Only alerts of this severity
    #[arg(long, value_enum)]
    pub severity: Option<Severity>,
    /// Only alerts of this node
    #[arg(long, value_name = "NODE")]
    pub node: Option<String>,
    /// Show at most N alerts
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub limit: Option<u32>,
}
#[derive(Debug, Args)]
pub(crate) struct AlertIdArgs {
    /// Alert id
    pub id: i64,
}
#[derive(Debug, Args)]
pub(crate) struct AlertAckArgs {
    /// Alert id
    pub id: i64,
    /// A note kept with the alert and in the history
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
}
#[derive(Debug, Args)]
pub(crate) struct AlertRulesArgs {
    #[command(subcommand)]
    pub command: Option<AlertRulesCommand>,
}
#[derive(Debug, Subcommand)]
pub(crate) enum AlertRulesCommand {
    /// List the rules (the default)
    List,
    /// Change a rule's threshold, duration or severity
    Set(AlertRuleSetArgs),
    /// Turn a rule on
    Enable(AlertRuleNameArgs),
    /// Turn a rule off
    Disable(AlertRuleNameArgs),
}
#[derive(Debug, Args)]
pub(crate) struct AlertRuleSetArgs {
    /// Rule name
    pub rule: String,
    /// New threshold, in the rule's metric unit
    #[arg(long, value_name = "X", allow_negative_numbers = true)]
    pub threshold: Option<f64>,
    /// How long the condition must hold before the alert fires (0s: at once)
    #[arg(long = "for", value_name = "DURATION", value_parser = checked(Span::parse_or_zero))]
    pub for_duration: Option<Span>,
    /// New severity
    #[arg(long, value_enum)]
    pub severity: Option<Severity>,
}
#[derive(Debug, Args)]
pub(crate) struct AlertRuleNameArgs {
    /// Rule name
    pub rule: String,
}
