//! One module per command group; each exposes `run(ctx, command)`.

pub mod alert;
pub mod alloc;
pub mod collect;
pub mod completions;
pub mod dashboard;
pub mod db;
pub mod demo;
pub mod device;
pub mod doctor;
pub mod export;
pub mod kube;
pub mod mig;
pub mod model;
pub mod node;
pub mod optimize;
pub mod report;

use crate::domain::NewEvent;
use crate::Ctx;

/// An event stamped with the command's time and actor; `node` makes it part of the node's history.
pub(crate) fn event(
    ctx: &Ctx,
    kind: &str,
    subject: &str,
    node: Option<&str>,
    reason: &Option<String>,
) -> NewEvent {
    NewEvent {
        at: ctx.now,
        kind: kind.to_string(),
        subject: subject.to_string(),
        node: node.map(str::to_string),
        reason: reason.clone(),
        actor: ctx.actor.clone(),
        ..NewEvent::default()
    }
}

/// "1 GPU", "2 GPUs".
pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
