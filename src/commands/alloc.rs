//! `gpuctl alloc …`: leases of whole GPUs and MIG instances.
//!
//! Placement takes free, active GPUs (or free MIG instances of a profile) on ready nodes,
//! fewest fragments first: the node (or GPU) with the fewest free units that can still hold the
//! request, so whole free nodes stay whole. The store's unique indexes make a double lease
//! impossible even if two processes chose the same GPU.

use crate::output::Cell;

use crate::cli::{
    AllocCommand, AllocCreateArgs, AllocExtendArgs, AllocListArgs, AllocReleaseArgs, AllocShowArgs,
    LeaseEndArgs,
};
use crate::clock;
use crate::commands::device::load;
use crate::commands::{event, model, plural};
use crate::domain::{Allocation, LeaseState, NodeStatus};
use crate::error::{Error, Result};
use crate::gpu::mig::Geometry;
use crate::output::{or_dash, Output, TableRow};
use crate::store::allocations::{self, AllocationFilter, Candidate, NewAllocation, Scope};
use crate::store::{events, models, nodes};
use crate::validate;
use crate::Ctx;

pub fn run(ctx: &Ctx, command: &AllocCommand) -> Result<()> {
    match command {
        AllocCommand::Create(args) => create(ctx, args),
        AllocCommand::Release(args) => release(ctx, args),
        AllocCommand::Extend(args) => extend(ctx, args),
        AllocCommand::List(args) => list(ctx, args),
        AllocCommand::Show(args) => show(ctx, args),
    }
}

fn not_found(id: i64) -> Error {
    Error::not_found(format!("lease {id} not found"))
        .with_hint("'gpuctl alloc list --all' shows every lease")
}

impl TableRow for Allocation {
    fn headers() -> Vec<&'static str> {
        vec![
            "id",
            "owner",
            "namespace",
            "state",
            "node",
            "gpu",
            "mig",
            "expires",
            "workload",
        ]
    }
    fn cells(&self, out: &Output) -> Vec<Cell> {
        vec![
            out.number_cell(self.id),
            Cell::new(&self.owner),
            Cell::new(or_dash(&self.namespace)),
            out.status_cell(self.state.as_str()),
            Cell::new(&self.node),
            Cell::new(&self.device_uuid),
            Cell::new(or_dash(&self.mig_profile)),
            Cell::new(clock::short_time(self.expires_at)),
            Cell::new(or_dash(&self.workload)),
        ]
    }
}

/// The lease end that `--for` or `--until` asks for, counted from `from`; later than now.
fn lease_end(ctx: &Ctx, end: &LeaseEndArgs, from: i64) -> Result<i64> {
    match (&end.for_, &end.until) {
        (Some(duration), _) => from
            .checked_add(duration.seconds())
            .ok_or_else(|| Error::usage(format!("invalid duration '{duration}': too long"))),
        (None, Some(time)) => {
            let until = time.unix();
            if until <= ctx.now {
                return Err(Error::usage(format!(
                    "invalid --until '{time}': must be in the future (now is {})",
                    clock::rfc3339(ctx.now)
                )));
            }
            Ok(until)
        }
        // clap requires one of --for and --until.
        (None, None) => Err(Error::usage("give --for DURATION or --until TIME")),
    }
}

fn check_text(args: &AllocCreateArgs) -> Result<()> {
    validate::one_line("owner", &args.owner)?;
    if let Some(ns) = &args.namespace {
        validate::one_line("namespace", ns)?;
    }
    if let Some(workload) = &args.workload {
        validate::one_line("workload", workload)?;
    }
    if args.device.is_none()
        && args.node.is_none()
        && args.cluster.is_none()
        && args.model.is_none()
        && args.mig_profile.is_none()
    {
        return Err(Error::usage(
            "say what to lease: --device, --node, --cluster and/or --model, or --mig-profile",
        ));
    }
    Ok(())
}

/// Picks `count` candidates, fewest fragments first: the smallest group (node for GPUs, GPU for
/// MIG instances) that holds them all, else the largest groups first. Candidates come ordered
/// by group size, then group, then index.
fn choose(
    candidates: Vec<Candidate>,
    count: usize,
    group: impl Fn(&Candidate) -> &str,
) -> Vec<Candidate> {
    if let Some(first) = candidates
        .iter()
        .find(|c| c.free_in_group as usize >= count)
    {
        let key = group(first).to_string();
        return candidates
            .into_iter()
            .filter(|c| group(c) == key)
            .take(count)
            .collect();
    }
    let mut by_size = candidates;
    by_size.sort_by_key(|c| std::cmp::Reverse(c.free_in_group));
    by_size.into_iter().take(count).collect()
}

/// Explains why an explicitly named GPU cannot be leased whole.
fn check_device_leasable(conn: &rusqlite::Connection, uuid: &str) -> Result<()> {
    let device = load(conn, uuid)?;
    if device.mig_enabled {
        return Err(Error::conflict(format!(
            "GPU '{uuid}' has MIG enabled and cannot be leased whole"
        ))
        .with_hint("lease one of its instances with --mig-profile"));
    }
    if let Some(lease) = device.lease_id {
        return Err(Error::conflict(format!(
            "no free GPU matches: GPU '{uuid}' is already leased (lease {lease})"
        )));
    }
    if device.status != crate::domain::DeviceStatus::Active {
        return Err(Error::conflict(format!(
            "no free GPU matches: GPU '{uuid}' is {}",
            device.status
        )));
    }
    let node = nodes::get(conn, &device.node)?;
    if let Some(node) = node.filter(|n| n.status != NodeStatus::Ready) {
        return Err(Error::conflict(format!(
            "no free GPU matches: node '{}' of GPU '{uuid}' is {}",
            node.name, node.status
        )));
    }
    Ok(())
}

fn scope(conn: &rusqlite::Connection, args: &AllocCreateArgs) -> Result<Scope> {
    if let Some(uuid) = &args.device {
        load(conn, uuid)?;
    }
    if let Some(node) = &args.node {
        if !nodes::exists(conn, node)? {
            return Err(crate::commands::node::not_found(node));
        }
    }
    if let Some(cluster) = &args.cluster {
        let filter = nodes::NodeFilter {
            cluster: Some(cluster.clone()),
            ..Default::default()
        };
        let (_, total) = nodes::list(conn, &filter, nodes::NodeSort::Name, false, Some(1), 0)?;
        if total == 0 {
            return Err(Error::not_found(format!("cluster '{cluster}' not found")));
        }
    }
    let model_id = match &args.model {
        Some(name) => Some(
            models::resolve(conn, name)?
                .ok_or_else(|| model::not_found(name))?
                .id,
        ),
        None => None,
    };
    Ok(Scope {
        device_uuid: args.device.clone(),
        node: args.node.clone(),
        cluster: args.cluster.clone(),
        model_id,
    })
}

/// The share of its GPU a MIG instance of `profile` is: its compute slices over the GPU's.
fn mig_fraction(conn: &rusqlite::Connection, model: &Option<String>, profile: &str) -> Result<f64> {
    let Some(model) = model
        .as_deref()
        .map(|m| models::resolve(conn, m))
        .transpose()?
        .flatten()
    else {
        return Ok(1.0);
    };
    let geometry = Geometry::of(&model.mig_profiles);
    Ok(model
        .mig_profiles
        .iter()
        .find(|p| p.name == profile)
        .filter(|_| geometry.compute_slices > 0)
        .map_or(1.0, |p| {
            f64::from(p.compute_slices) / f64::from(geometry.compute_slices)
        }))
}

fn describe(args: &AllocCreateArgs) -> String {
    let mut parts = Vec::new();
    for (flag, value) in [
        ("device", &args.device),
        ("node", &args.node),
        ("cluster", &args.cluster),
        ("model", &args.model),
        (
            "mig-profile",
            &args.mig_profile.as_deref().map(String::from),
        ),
    ] {
        if let Some(value) = value {
            parts.push(format!("{flag}={value}"));
        }
    }
    parts.join(" ")
}

fn create(ctx: &Ctx, args: &AllocCreateArgs) -> Result<()> {
    check_text(args)?;
    let expires_at = lease_end(ctx, &args.end, ctx.now)?;
    let count = args.count as usize;
    let mut store = ctx.open_store()?;
    let created = store.write(|tx| {
        let scope = scope(tx, args)?;
        let picked = match &args.mig_profile {
            Some(profile) => {
                let candidates = allocations::free_mig_instances(tx, &scope, profile)?;
                let picked = choose(candidates, count, |c| &c.device_uuid);
                if picked.len() < count {
                    return Err(Error::conflict(format!(
                        "no free MIG instance matches {} (wanted {count}, {} free)",
                        describe(args),
                        picked.len()
                    ))
                    .with_hint("create instances with 'gpuctl mig create'"));
                }
                picked
            }
            None => {
                if let Some(uuid) = &args.device {
                    check_device_leasable(tx, uuid)?;
                }
                let candidates = allocations::free_gpus(tx, &scope)?;
                let picked = choose(candidates, count, |c| &c.node);
                if picked.len() < count {
                    return Err(Error::conflict(format!(
                        "no free GPU matches {} (wanted {count}, {} free)",
                        describe(args),
                        picked.len()
                    )));
                }
                picked
            }
        };
        let mut ids = Vec::new();
        for c in picked {
            let gpu_fraction = match &c.mig_profile {
                Some(profile) => mig_fraction(tx, &c.model, profile)?,
                None => 1.0,
            };
            let id = allocations::insert(
                tx,
                &NewAllocation {
                    device_id: c.device_id,
                    mig_instance_id: c.mig_instance_id,
                    device_uuid: c.device_uuid.clone(),
                    node: c.node.clone(),
                    cluster: c.cluster.clone(),
                    model: c.model.clone(),
                    mig_profile: c.mig_profile.clone(),
                    mig_uuid: c.mig_uuid.clone(),
                    gpu_fraction,
                    owner: args.owner.clone(),
                    namespace: args.namespace.clone(),
                    workload: args.workload.clone(),
                    started_at: ctx.now,
                    expires_at,
                },
            )?;
            let mut e = event(ctx, "alloc.created", &id.to_string(), Some(&c.node), &None);
            e.new_value = Some(format!(
                "owner={} gpu={}{} until {}",
                args.owner,
                c.device_uuid,
                c.mig_profile
                    .as_ref()
                    .map_or(String::new(), |p| format!(" mig={p}")),
                clock::rfc3339(expires_at)
            ));
            events::record(tx, &e)?;
            ids.push(id);
        }
        ids.iter()
            .map(|id| allocations::get(tx, *id)?.ok_or_else(|| not_found(*id)))
            .collect::<Result<Vec<_>>>()
    })?;
    ctx.out.confirm(format!(
        "leased {} to {} until {}",
        plural(created.len(), "GPU", "GPUs"),
        args.owner,
        clock::rfc3339(expires_at)
    ));
    ctx.out.list(&created, None)
}

/// Loads an active lease for a change, or says why it cannot change.
fn load_active(conn: &rusqlite::Connection, id: i64) -> Result<Allocation> {
    let lease = allocations::get(conn, id)?.ok_or_else(|| not_found(id))?;
    if lease.state != LeaseState::Active {
        return Err(Error::conflict(format!(
            "lease {id} is already {}",
            lease.state
        )));
    }
    Ok(lease)
}

fn release(ctx: &Ctx, args: &AllocReleaseArgs) -> Result<()> {
    if let Some(reason) = &args.reason {
        validate::one_line("reason", reason)?;
    }
    let mut store = ctx.open_store()?;
    let lease = store.write(|tx| {
        let lease = load_active(tx, args.id)?;
        let reason = args.reason.clone().unwrap_or_else(|| "released".into());
        allocations::end(tx, lease.id, LeaseState::Released, ctx.now, &reason)?;
        let mut e = event(
            ctx,
            "alloc.released",
            &lease.id.to_string(),
            Some(&lease.node),
            &args.reason,
        );
        e.field = Some("state".into());
        e.old_value = Some("active".into());
        e.new_value = Some("released".into());
        events::record(tx, &e)?;
        allocations::get(tx, lease.id)?.ok_or_else(|| not_found(lease.id))
    })?;
    ctx.out.show(&lease, |out, w| {
        if !out.quiet {
            writeln!(
                w,
                "released lease {} on GPU {}",
                lease.id, lease.device_uuid
            )?;
        }
        Ok(())
    })
}

fn extend(ctx: &Ctx, args: &AllocExtendArgs) -> Result<()> {
    let mut store = ctx.open_store()?;
    let lease = store.write(|tx| {
        let lease = load_active(tx, args.id)?;
        // --for adds to the current end (or to now, for a lease already past it).
        let expires_at = lease_end(ctx, &args.end, lease.expires_at.max(ctx.now))?;
        allocations::set_expiry(tx, lease.id, expires_at)?;
        let mut e = event(
            ctx,
            "alloc.extended",
            &lease.id.to_string(),
            Some(&lease.node),
            &None,
        );
        e.field = Some("expires_at".into());
        e.old_value = Some(clock::rfc3339(lease.expires_at));
        e.new_value = Some(clock::rfc3339(expires_at));
        events::record(tx, &e)?;
        allocations::get(tx, lease.id)?.ok_or_else(|| not_found(lease.id))
    })?;
    ctx.out.show(&lease, |out, w| {
        if !out.quiet {
            writeln!(
                w,
                "lease {} now ends {}",
                lease.id,
                clock::rfc3339(lease.expires_at)
            )?;
        }
        Ok(())
    })
}

fn list(ctx: &Ctx, args: &AllocListArgs) -> Result<()> {
    let state = if args.all {
        None
    } else if args.expired {
        Some(LeaseState::Expired)
    } else {
        Some(LeaseState::Active)
    };
    let filter = AllocationFilter {
        state,
        owner: args.owner.clone(),
        namespace: args.namespace.clone(),
        node: args.node.clone(),
    };
    let store = ctx.open_store()?;
    let rows = allocations::list(store.conn(), &filter)?;
    let footer = plural(rows.len(), "lease", "leases");
    ctx.out.list(&rows, Some(footer))
}

fn show(ctx: &Ctx, args: &AllocShowArgs) -> Result<()> {
    let store = ctx.open_store()?;
    let lease = allocations::get(store.conn(), args.id)?.ok_or_else(|| not_found(args.id))?;
    ctx.out.show(&lease, |out, w| {
        let fields = out.fields(vec![
            ("id", lease.id.to_string()),
            ("owner", lease.owner.clone()),
            ("namespace", or_dash(&lease.namespace)),
            ("workload", or_dash(&lease.workload)),
            ("state", lease.state.to_string()),
            ("gpu", lease.device_uuid.clone()),
            ("node", lease.node.clone()),
            ("cluster", lease.cluster.clone()),
            ("model", or_dash(&lease.model)),
            ("mig profile", or_dash(&lease.mig_profile)),
            ("fraction", format!("{:.3}", lease.gpu_fraction)),
            ("started", clock::rfc3339(lease.started_at)),
            ("expires", clock::rfc3339(lease.expires_at)),
            ("ended", lease.ended_at.map_or("-".into(), clock::rfc3339)),
            ("end reason", or_dash(&lease.end_reason)),
        ]);
        writeln!(w, "{fields}")?;
        Ok(())
    })
}
