//! `gpuctl export …`: data for other systems.

use crate::cli::{ExportCommand, ExportPrometheusArgs};
use crate::error::Result;
use crate::inventory::{host_name, node_named, resolve_node};
use crate::output::Format;
use crate::prometheus;
use crate::Ctx;

pub(crate) fn run(ctx: &Ctx, command: &ExportCommand) -> Result<()> {
    match command {
        ExportCommand::Prometheus(args) => export_prometheus(ctx, args),
    }
}

/// One node's GPUs and state, so that on a store holding the fleet every node's exporter
/// publishes only its own and Prometheus never counts a GPU, lease or alert twice; every
/// node's only when asked.
fn export_prometheus(ctx: &Ctx, args: &ExportPrometheusArgs) -> Result<()> {
    ctx.out
        .require_format("export prometheus", &[Format::Table])
        .map_err(|e| {
            e.with_hint(
                "it writes the Prometheus text format; 'gpuctl dashboard realtime -o json' has the same figures as JSON",
            )
        })?;
    let store = ctx.store()?;
    let conn = store.conn();
    let node_id = if args.all_nodes {
        None
    } else if let Some(text) = &args.node {
        Some(resolve_node(conn, text)?.id)
    } else {
        // The node named like this host where the store has exactly one; else (an admin store
        // on a host that is no node, or an unreadable host name) every node.
        match host_name() {
            Ok(host) => node_named(conn, &host, None)?.map(|n| n.id),
            Err(_) => None,
        }
    };
    let scope = node_id.map_or_else(prometheus::Scope::all_nodes, prometheus::Scope::node);
    let text = prometheus::exposition(conn, scope, ctx.now, args.max_age.seconds())?;
    ctx.out.raw(text.as_bytes())
}
