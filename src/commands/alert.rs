//! `gpuctl alert …`: alerts raised by collect, the rules behind them, and where they are
//! delivered.

mod notify;
mod receivers;

use std::io::Write;

use crate::output::Cell;

use crate::cli::{
    AlertAckArgs, AlertCommand, AlertIdArgs, AlertListArgs, AlertRuleNameArgs, AlertRuleSetArgs,
    AlertRulesCommand,
};
use crate::clock;
use crate::commands::page_footer;
use crate::domain::{Alert, AlertRule, AlertState};
use crate::error::{Error, Result};
use crate::inventory::{alert_not_found, load_device, resolve_node};
use crate::output::{or_dash, Output, TableRow};
use crate::store::alerts::{self, AlertFilter};
use crate::validate;
use crate::Ctx;

pub(crate) fn run(ctx: &Ctx, command: &AlertCommand) -> Result<()> {
    match command {
        AlertCommand::List(args) => list(ctx, args),
        AlertCommand::Show(args) => show(ctx, args),
        AlertCommand::Ack(args) => acknowledge(ctx, args),
        AlertCommand::Resolve(args) => resolve(ctx, args),
        AlertCommand::Rules(args) => match &args.command {
            None | Some(AlertRulesCommand::List) => rules(ctx),
            Some(AlertRulesCommand::Set(args)) => set_rule(ctx, args),
            Some(AlertRulesCommand::Enable(args)) => enable_rule(ctx, args, true),
            Some(AlertRulesCommand::Disable(args)) => enable_rule(ctx, args, false),
        },
        AlertCommand::Receivers(args) => receivers::run(ctx, args.command.as_ref()),
        AlertCommand::Notify(args) => notify::run(ctx, args),
    }
}

impl TableRow for Alert {
    fn headers() -> Vec<&'static str> {
        vec![
            "id",
            "severity",
            "state",
            "rule",
            "node",
            "gpu",
            "value",
            "last seen",
            "message",
        ]
    }
    fn cells(&self, out: &Output) -> Vec<Cell> {
        vec![
            out.number_cell(self.id),
            out.status_cell(self.severity.as_str()),
            match self.suppressed_by {
                // A warning the critical alert of the same GPU and metric stands in for.
                Some(id) => Cell::new(format!("suppressed by {id}")),
                None => out.status_cell(self.state.as_str()),
            },
            Cell::new(&self.rule),
            Cell::new(or_dash(&self.node)),
            Cell::new(or_dash(&self.device)),
            out.number_cell(
                self.value
                    .map_or_else(|| "-".to_string(), |v| format!("{v:.0}")),
            ),
            Cell::new(clock::short_time(self.last_seen_at)),
            Cell::new(&self.message),
        ]
    }
}

fn list(ctx: &Ctx, args: &AlertListArgs) -> Result<()> {
    let states = match (args.state, args.all) {
        (Some(state), _) => vec![state],
        (None, true) => Vec::new(),
        (None, false) => vec![AlertState::Firing, AlertState::Acknowledged],
    };
    let store = ctx.store()?;
    let node = match &args.node {
        Some(text) => Some(resolve_node(store.conn(), text)?),
        None => None,
    };
    let device = match &args.device {
        Some(text) => Some(load_device(store.conn(), text)?.uuid),
        None => None,
    };
    let filter = AlertFilter {
        states,
        severity: args.severity,
        node: node.as_ref().map(|n| n.name.clone()),
        cluster: node.map(|n| n.cluster),
        device,
    };
    let page = args.page.page(None);
    let (rows, total) = alerts::list(store.conn(), &filter, page)?;
    let footer = page_footer(page, rows.len(), total, "alert", "alerts");
    ctx.out.list(&rows, Some(footer))
}

fn show(ctx: &Ctx, args: &AlertIdArgs) -> Result<()> {
    let store = ctx.store()?;
    let alert = alerts::get(store.conn(), args.id)?.ok_or_else(|| alert_not_found(args.id))?;
    ctx.out
        .show(&alert, |out, w| render_alert(ctx, out, w, &alert))
}

fn render_alert(ctx: &Ctx, out: &Output, w: &mut dyn Write, alert: &Alert) -> Result<()> {
    let fields = out.fields(vec![
        ("id", alert.id.to_string()),
        ("rule", alert.rule.clone()),
        ("severity", alert.severity.to_string()),
        ("state", alert.state.to_string()),
        ("node", or_dash(&alert.node)),
        ("gpu", or_dash(&alert.device)),
        ("value", or_dash(&alert.value)),
        ("threshold", or_dash(&alert.threshold)),
        ("message", alert.message.clone()),
        ("first seen", clock::rfc3339(alert.first_seen_at)),
        (
            "last seen",
            format!(
                "{} ({})",
                clock::rfc3339(alert.last_seen_at),
                clock::ago(ctx.now, alert.last_seen_at)
            ),
        ),
        (
            "acknowledged",
            alert
                .acked_at
                .map_or_else(|| "-".to_string(), clock::rfc3339),
        ),
        ("note", or_dash(&alert.ack_note)),
        (
            "resolved",
            alert
                .resolved_at
                .map_or_else(|| "-".to_string(), clock::rfc3339),
        ),
    ]);
    writeln!(w, "{fields}")?;
    Ok(())
}

fn acknowledge(ctx: &Ctx, args: &AlertAckArgs) -> Result<()> {
    change_state(ctx, args, AlertState::Acknowledged)
}

fn resolve(ctx: &Ctx, args: &AlertAckArgs) -> Result<()> {
    change_state(ctx, args, AlertState::Resolved)
}

fn change_state(ctx: &Ctx, args: &AlertAckArgs, target: AlertState) -> Result<()> {
    if let Some(note) = &args.note {
        validate::one_line("note", note)?;
    }
    let alert = ctx.change(|inv| inv.set_alert_state(args.id, target, args.note.as_deref()))?;
    ctx.out.show(&alert, |out, w| {
        if !out.quiet {
            writeln!(w, "alert {} is {}", alert.id, alert.state)?;
        }
        Ok(())
    })
}

impl TableRow for AlertRule {
    fn headers() -> Vec<&'static str> {
        vec![
            "rule",
            "enabled",
            "severity",
            "condition",
            "for",
            "description",
        ]
    }
    fn cells(&self, out: &Output) -> Vec<Cell> {
        vec![
            Cell::new(&self.name),
            Cell::new(if self.enabled { "yes" } else { "no" }),
            out.status_cell(self.severity.as_str()),
            Cell::new(format!(
                "{} {} {}",
                self.metric, self.comparison, self.threshold
            )),
            Cell::new(if self.for_secs == 0 {
                "-".to_string()
            } else {
                clock::format_duration(self.for_secs)
            }),
            Cell::new(&self.description),
        ]
    }
}

fn rules(ctx: &Ctx) -> Result<()> {
    let store = ctx.store()?;
    let rows = alerts::rules(store.conn())?;
    ctx.out.list(&rows, None)
}

/// Loads a rule, lets `edit` change it, and writes it with an event per changed field.
fn edit_rule(ctx: &Ctx, name: &str, edit: impl FnOnce(&mut AlertRule)) -> Result<AlertRule> {
    ctx.change(|inv| inv.edit_rule(name, edit))
}

fn set_rule(ctx: &Ctx, args: &AlertRuleSetArgs) -> Result<()> {
    if args.threshold.is_none() && args.for_duration.is_none() && args.severity.is_none() {
        return Err(Error::usage(format!(
            "nothing to set on rule '{}': give --threshold, --for or --severity",
            args.rule
        )));
    }
    if let Some(threshold) = args.threshold.filter(|t| !t.is_finite()) {
        return Err(Error::usage(format!(
            "invalid threshold {}",
            crate::terminal::quote(&threshold.to_string())
        )));
    }
    let for_secs = args.for_duration.as_ref().map(clock::Span::seconds);
    let rule = edit_rule(ctx, &args.rule, |rule| {
        if let Some(threshold) = args.threshold {
            rule.threshold = threshold;
        }
        if let Some(for_secs) = for_secs {
            rule.for_secs = for_secs;
        }
        if let Some(severity) = args.severity {
            rule.severity = severity;
        }
    })?;
    ctx.out.list(std::slice::from_ref(&rule), None)
}

fn enable_rule(ctx: &Ctx, args: &AlertRuleNameArgs, enabled: bool) -> Result<()> {
    let rule = edit_rule(ctx, &args.rule, |rule| rule.enabled = enabled)?;
    ctx.out.list(std::slice::from_ref(&rule), None)
}
