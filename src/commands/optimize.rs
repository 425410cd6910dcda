//! `gpuctl optimize`: the periodic job (every 30 minutes from cron or a systemd timer).
//!
//! In one IMMEDIATE transaction: expire leases past their end, recompute every node's GPU
//! counts from its devices, flag GPUs of ready nodes that have stopped reporting, and report
//! where free GPUs are spread over more nodes than needed. A second run finds nothing to do;
//! `--dry-run` computes the same plan and rolls it back.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::cli::OptimizeArgs;
use crate::clock;
use crate::domain::{EventKind, NodeStatus};
use crate::error::Result;
use crate::inventory::{Detail, Inventory};
use crate::output::plural;
use crate::output::{Format, TABLE_AND_JSON};
use crate::store::allocations::{self, Scope};
use crate::store::nodes::{NodeFilter, NodeSort};
use crate::store::{devices, nodes};
use crate::Ctx;

#[derive(Debug, Serialize)]
struct ExpiredLease {
    id: i64,
    owner: String,
    namespace: Option<String>,
    node: String,
    device_uuid: String,
    mig_profile: Option<String>,
    #[serde(with = "crate::domain::unix_time")]
    expires_at: i64,
}

#[derive(Debug, Serialize)]
struct NodeCounts {
    node: String,
    cluster: String,
    status: NodeStatus,
    gpus_total: i64,
    gpus_allocatable: i64,
    gpus_allocated: i64,
    gpus_free: i64,
    /// Whether this run changed the stored counts.
    changed: bool,
}

#[derive(Debug, Serialize)]
struct StaleGpu {
    uuid: String,
    node: String,
    index: i64,
    #[serde(with = "crate::domain::unix_time::option")]
    last_seen_at: Option<i64>,
}

#[derive(Debug, Serialize)]
struct FreeOnNode {
    node: String,
    gpus_free: i64,
    gpus_allocated: i64,
}

/// Free GPUs of one cluster and model spread over several nodes, some of them partly leased:
/// new multi-GPU leases would fit better if these were packed.
#[derive(Debug, Serialize)]
struct Fragmentation {
    cluster: String,
    model: Option<String>,
    gpus_free: i64,
    /// The most free GPUs any one node offers.
    largest_free_block: i64,
    nodes: Vec<FreeOnNode>,
}

#[derive(Debug, Serialize)]
struct Plan {
    dry_run: bool,
    #[serde(with = "crate::domain::unix_time")]
    at: i64,
    stale_after_seconds: i64,
    expired_leases: Vec<ExpiredLease>,
    nodes: Vec<NodeCounts>,
    stale_gpus: Vec<StaleGpu>,
    fragmentation: Vec<Fragmentation>,
    /// Rollups of complete hours and pruning past retention, as collect also applies them.
    retention: crate::retention::Maintenance,
    /// Rows this run changes (expired leases plus nodes whose counts changed).
    changes: usize,
}

pub(crate) fn run(ctx: &Ctx, args: &OptimizeArgs) -> Result<()> {
    // The plan nests lists (leases, nodes, GPUs): a JSON object, not CSV rows.
    ctx.out.require_format("optimize", TABLE_AND_JSON)?;
    let stale_after = args.stale_after.seconds();
    // Not ctx.change: expiring leases is this job's own report, not a step before it.
    let plan = ctx.store()?.write_or_roll_back(!args.dry_run, |tx| {
        let inv = &Inventory::new(tx, ctx.stamp());
        let expired_leases = expire(inv)?;
        let nodes = recount(inv)?;
        let stale_gpus = devices::stale(tx, ctx.now - stale_after)?
            .into_iter()
            .map(|d| StaleGpu {
                uuid: d.uuid,
                node: d.node,
                index: d.index,
                last_seen_at: d.last_seen_at,
            })
            .collect();
        let fragmentation = fragmentation(tx, &nodes)?;
        let retention = crate::retention::apply(tx, ctx.now)?;
        crate::retention::roll_hour_in_progress(tx, ctx.now, None)?;
        crate::prometheus::record_optimize_run(tx, ctx.now)?;
        let changes = expired_leases.len() + nodes.iter().filter(|n| n.changed).count();
        let plan = Plan {
            dry_run: args.dry_run,
            at: ctx.now,
            stale_after_seconds: stale_after,
            expired_leases,
            nodes,
            stale_gpus,
            fragmentation,
            retention,
            changes,
        };
        if changes > 0 {
            inv.record(
                EventKind::OptimizeRun,
                "optimize",
                Detail::default().new_value(summary(&plan)),
            )?;
        }
        Ok(plan)
    })?;
    ctx.out.note(summary(&plan));
    if !args.dry_run {
        ctx.deliver_alerts(ctx.now, args.notify_timeout.to_std());
    }
    if ctx.out.format == Format::Json {
        ctx.out.show(&plan, |_, _| Ok(()))?;
    }
    Ok(())
}

fn summary(plan: &Plan) -> String {
    format!(
        "optimize{}: expired {}, updated GPU counts of {}, {} silent for {}, {} fragmented",
        if plan.dry_run { " (dry run)" } else { "" },
        plural(plan.expired_leases.len(), "lease", "leases"),
        plural(
            plan.nodes.iter().filter(|n| n.changed).count(),
            "node",
            "nodes"
        ),
        plural(plan.stale_gpus.len(), "GPU", "GPUs"),
        clock::format_duration(plan.stale_after_seconds),
        plural(plan.fragmentation.len(), "group", "groups"),
    )
}

fn expire(inv: &Inventory) -> Result<Vec<ExpiredLease>> {
    let mut expired = Vec::new();
    for lease in inv.expire_due_leases()? {
        expired.push(ExpiredLease {
            id: lease.id,
            owner: lease.owner,
            namespace: lease.namespace,
            node: lease.node,
            device_uuid: lease.device_uuid,
            mig_profile: lease.mig_profile,
            expires_at: lease.expires_at,
        });
    }
    Ok(expired)
}

fn recount(inv: &Inventory) -> Result<Vec<NodeCounts>> {
    let tx = inv.conn();
    let (all, _) = nodes::list(
        tx,
        &NodeFilter::default(),
        NodeSort::Name,
        false,
        crate::store::Page::ALL,
    )?;
    let free = allocations::free_gpus(tx, &Scope::default(), true)?;
    let mut out = Vec::with_capacity(all.len());
    for node in all {
        let changed = inv.sync_node_capacity(node.id, false)?;
        let node = nodes::get_by_id(tx, node.id)?.unwrap_or(node);
        let (allocated, free_here) = match devices::node_counts(tx, node.id)? {
            Some(counts) => (
                counts.allocated,
                free.iter().filter(|c| c.node == node.name).count() as i64,
            ),
            // A node without devices: only its declared counts are known.
            None => (0, node.gpus_allocatable),
        };
        out.push(NodeCounts {
            node: node.name,
            cluster: node.cluster,
            status: node.status,
            gpus_total: node.gpus,
            gpus_allocatable: node.gpus_allocatable,
            gpus_allocated: allocated,
            gpus_free: free_here,
            changed,
        });
    }
    Ok(out)
}

fn fragmentation(tx: &rusqlite::Connection, counts: &[NodeCounts]) -> Result<Vec<Fragmentation>> {
    let allocated: BTreeMap<&str, i64> = counts
        .iter()
        .map(|n| (n.node.as_str(), n.gpus_allocated))
        .collect();
    // (cluster, model) -> node -> free GPUs
    let mut groups: BTreeMap<(String, Option<String>), BTreeMap<String, i64>> = BTreeMap::new();
    for c in allocations::free_gpus(tx, &Scope::default(), true)? {
        *groups
            .entry((c.cluster, c.model))
            .or_default()
            .entry(c.node)
            .or_default() += 1;
    }
    Ok(groups
        .into_iter()
        .filter(|(_, nodes)| {
            nodes.len() > 1
                && nodes
                    .keys()
                    .any(|n| allocated.get(n.as_str()).copied().unwrap_or(0) > 0)
        })
        .map(|((cluster, model), nodes)| Fragmentation {
            cluster,
            model,
            gpus_free: nodes.values().sum(),
            largest_free_block: nodes.values().copied().max().unwrap_or(0),
            nodes: nodes
                .into_iter()
                .map(|(node, gpus_free)| FreeOnNode {
                    gpus_allocated: allocated.get(node.as_str()).copied().unwrap_or(0),
                    node,
                    gpus_free,
                })
                .collect(),
        })
        .collect())
}
