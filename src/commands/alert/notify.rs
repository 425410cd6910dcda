//! `gpuctl alert notify`: deliver pending alert transitions now (for a timer of its own).

use crate::cli::AlertNotifyArgs;
use crate::clock;
use crate::error::{Error, Result};
use crate::notify::{self, DeliveryOptions, ReceiverRun};
use crate::output::{or_dash, Cell, Output, TableRow};
use crate::Ctx;

impl TableRow for ReceiverRun {
    fn headers() -> Vec<&'static str> {
        vec![
            "receiver",
            "kind",
            "outcome",
            "delivered",
            "resent",
            "pending",
            "next try",
            "error",
        ]
    }
    fn cells(&self, out: &Output) -> Vec<Cell> {
        let tone = match self.outcome.as_str() {
            "delivered" => "active",
            "failed" => "fail",
            "partial" | "waiting" => "warning",
            _ => "",
        };
        vec![
            Cell::new(&self.receiver),
            Cell::new(self.kind.as_str()),
            out.tone_cell(self.outcome.as_str(), tone),
            out.number_cell(self.delivered),
            out.number_cell(self.resent),
            out.number_cell(self.pending),
            Cell::new(
                self.next_attempt_at
                    .map_or_else(|| "-".to_string(), clock::short_time),
            ),
            Cell::new(or_dash(&self.error)),
        ]
    }
}

pub(super) fn run(ctx: &Ctx, args: &AlertNotifyArgs) -> Result<()> {
    let options = DeliveryOptions {
        budget: args.timeout.to_std(),
        ignore_backoff: args.retry_now,
    };
    let delivery = notify::deliver(ctx.store()?, ctx.now, &options)?;
    if delivery.busy {
        ctx.out
            .note("another gpuctl is delivering alert transitions now: nothing to do here");
    } else if delivery.receivers.is_empty() {
        ctx.out
            .note("no alert receivers: add one with 'gpuctl alert receivers add'");
    }
    let noun = if delivery.receivers.len() == 1 {
        "receiver"
    } else {
        "receivers"
    };
    ctx.out.list(
        &delivery.receivers,
        Some(format!("{} {noun}", delivery.receivers.len())),
    )?;
    let failed: Vec<&ReceiverRun> = delivery.failed().collect();
    match failed.as_slice() {
        [] => Ok(()),
        [one] => Err(Error::runtime(format!(
            "delivery to receiver '{}' failed: {}; {} transition(s) pending",
            one.receiver,
            one.error.as_deref().unwrap_or("unknown error"),
            one.pending
        ))),
        many => Err(Error::runtime(format!(
            "delivery failed for {} receivers: {}",
            many.len(),
            many.iter()
                .map(|r| format!("'{}'", r.receiver))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}
