//! `gpuctl export …`: data for other systems.

use crate::cli::{ExportCommand, ExportPrometheusArgs};
use crate::error::Result;
use crate::inventory::{host_name, node_named, resolve_node};
use crate::prometheus;
use crate::store::metrics;
use crate::Ctx;

pub(crate) fn run(ctx: &Ctx, command: &ExportCommand) -> Result<()> {
    match command {
        ExportCommand::Prometheus(args) => export_prometheus(ctx, args),
    }
}

/// One node's GPUs, so that on a store holding the fleet every node's exporter publishes only
/// its own and Prometheus never counts a GPU twice; every node's only when asked.
fn export_prometheus(ctx: &Ctx, args: &ExportPrometheusArgs) -> Result<()> {
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
    let latest = metrics::latest_per_device(conn, node_id)?;
    let health = prometheus::health(conn)?;
    let fresh_since = ctx.now - args.max_age.seconds();
    ctx.out
        .raw(prometheus::render(&latest, health, fresh_since).as_bytes())
}
