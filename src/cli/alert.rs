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
    /// Where alert transitions are delivered: Alertmanager (API v2) or webhooks
    ///
    /// Every transition (firing, acknowledged, resolved) is written to an outbox in the
    /// transaction that made it; collect, optimize and 'alert notify' deliver it to each
    /// receiver once, in order, and retry with backoff while a receiver is down. A receiver
    /// gets the transitions made after it was added, not the history before.
    Receivers(AlertReceiversArgs),
    /// Deliver pending alert transitions now, and send open alerts to Alertmanager again
    ///
    /// For a timer of its own (collect and optimize deliver after each run too). Prints one row
    /// per receiver; exits 1 when a receiver failed (its transitions stay pending and are
    /// retried with backoff: 30s, doubling, at most 5m).
    Notify(AlertNotifyArgs),
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
    /// Only alerts of this GPU (UUID, or a unique prefix of one)
    #[arg(long, value_name = "UUID")]
    pub device: Option<String>,
    #[command(flatten)]
    pub page: PageArgs,
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
#[derive(Debug, Args)]
pub(crate) struct AlertReceiversArgs {
    #[command(subcommand)]
    pub command: Option<AlertReceiversCommand>,
}
#[derive(Debug, Subcommand)]
pub(crate) enum AlertReceiversCommand {
    /// List the receivers and how their delivery stands (the default)
    #[command(visible_alias = "ls")]
    List,
    /// Add a receiver: an Alertmanager or a webhook
    Add(ReceiverAddArgs),
    /// Remove a receiver; transitions waiting only for it are dropped
    #[command(visible_alias = "rm")]
    Remove(ReceiverNameArgs),
    /// Send a receiver a test alert (alertname gpuctl-test, severity info, for 5 minutes)
    Test(ReceiverTestArgs),
}
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("target").required(true).args(["alertmanager", "webhook"])))]
pub(crate) struct ReceiverAddArgs {
    /// Receiver name (at most 63 lower-case letters, digits and '-')
    #[arg(value_parser = checked(ReceiverName::parse))]
    pub name: ReceiverName,
    /// An Alertmanager's base URL, e.g. http://alertmanager:9093 (alerts go to /api/v2/alerts)
    #[arg(long, value_name = "URL", value_parser = checked(HttpUrl::parse))]
    pub alertmanager: Option<HttpUrl>,
    /// A URL that takes gpuctl's webhook body (Alertmanager's webhook payload; see the README)
    #[arg(long, value_name = "URL", value_parser = checked(HttpUrl::parse))]
    pub webhook: Option<HttpUrl>,
    /// Send open alerts to this Alertmanager again this often; their endsAt lies four of these
    /// ahead [default: 1m]
    #[arg(long, value_name = "DURATION", conflicts_with = "webhook", value_parser = checked(Span::parse))]
    pub resend_every: Option<Span>,
    /// Trust this PEM file of CA certificates besides the system's
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// Send the bearer token in FILE (read at each delivery)
    #[arg(long, value_name = "FILE", conflicts_with_all = ["bearer_token_env", "basic_auth_user"])]
    pub bearer_token_file: Option<PathBuf>,
    /// Send the bearer token in the environment variable VAR of the delivering gpuctl
    #[arg(long, value_name = "VAR", conflicts_with = "basic_auth_user", value_parser = checked(EnvVarName::parse))]
    pub bearer_token_env: Option<EnvVarName>,
    /// Basic-auth user; the password comes from --basic-auth-password-file,
    /// --basic-auth-password-env, or GPUCTL_BASIC_AUTH_PASSWORD
    #[arg(long, value_name = "USER")]
    pub basic_auth_user: Option<String>,
    /// The basic-auth password, in a file (read at each delivery)
    #[arg(
        long,
        value_name = "FILE",
        requires = "basic_auth_user",
        conflicts_with = "basic_auth_password_env"
    )]
    pub basic_auth_password_file: Option<PathBuf>,
    /// The basic-auth password, in the environment variable VAR of the delivering gpuctl
    #[arg(long, value_name = "VAR", requires = "basic_auth_user", value_parser = checked(EnvVarName::parse))]
    pub basic_auth_password_env: Option<EnvVarName>,
}
#[derive(Debug, Args)]
pub(crate) struct ReceiverNameArgs {
    /// Receiver name
    pub name: String,
}
#[derive(Debug, Args)]
pub(crate) struct ReceiverTestArgs {
    /// Receiver name
    pub name: String,
    /// Give up after this long
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = checked(Span::parse))]
    pub timeout: Span,
}
#[derive(Debug, Args)]
pub(crate) struct AlertNotifyArgs {
    /// Give up after this long, all receivers together (they are tried at once)
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = checked(Span::parse))]
    pub timeout: Span,
    /// Also try the receivers that are waiting out a backoff
    #[arg(long)]
    pub retry_now: bool,
}
