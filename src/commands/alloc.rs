//! `gpuctl alloc …`: leases of whole GPUs and MIG instances.
//!
//! Placement takes free, active GPUs (or free MIG instances of a profile) on ready nodes,
//! fewest fragments first: the node (or GPU) with the fewest free units that can still hold the
//! request, so whole free nodes stay whole. The store's unique indexes make a double lease
//! impossible even if two processes chose the same GPU.

use crate::output::Cell;

use crate::cli::{
    AllocCommand, AllocCreateArgs, AllocExtendArgs, AllocListArgs, AllocReleaseArgs, AllocShowArgs,
    LeaseEndArgs, LeaseNewEndArgs,
};
use crate::clock;
use crate::commands::page_footer;
use crate::domain::{Allocation, LeaseState};
use crate::error::{Error, Result};
use crate::inventory::{lease_not_found, Filters, LeaseRequest};
use crate::output::plural;
use crate::output::{or_dash, Output, TableRow};
use crate::store::allocations::{self, AllocationFilter};
use crate::validate;
use crate::Ctx;

pub(crate) fn run(ctx: &Ctx, command: &AllocCommand) -> Result<()> {
    match command {
        AllocCommand::Create(args) => create(ctx, args),
        AllocCommand::Release(args) => release(ctx, args),
        AllocCommand::Extend(args) => extend(ctx, args),
        AllocCommand::List(args) => list(ctx, args),
        AllocCommand::Show(args) => show(ctx, args),
    }
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
            "health",
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
            Cell::new(&self.health),
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

fn create(ctx: &Ctx, args: &AllocCreateArgs) -> Result<()> {
    check_text(args)?;
    let expires_at = lease_end(ctx, &args.end, ctx.now)?;
    let request = LeaseRequest {
        device: args.device.clone(),
        node: args.node.clone(),
        cluster: args.cluster.clone(),
        model: args.model.clone(),
        mig_profile: args.mig_profile.as_deref().map(String::from),
        count: args.count as usize,
        owner: args.owner.clone(),
        namespace: args.namespace.clone(),
        workload: args.workload.clone(),
        expires_at,
        allow_unhealthy: args.allow_unhealthy,
    };
    let created = ctx.change(|inv| inv.allocate(&request))?;
    ctx.out.confirm(format!(
        "leased {} to {} until {}",
        plural(created.len(), "GPU", "GPUs"),
        args.owner,
        clock::rfc3339(expires_at)
    ));
    ctx.out.list(&created, None)
}

fn release(ctx: &Ctx, args: &AllocReleaseArgs) -> Result<()> {
    if let Some(reason) = &args.reason {
        validate::one_line("reason", reason)?;
    }
    let lease = ctx.change(|inv| {
        let lease = inv.load_active_lease(args.id)?;
        inv.release_lease(&lease, args.reason.as_deref())?;
        inv.load_lease(lease.id)
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

/// The end `--by` or `--until` asks for. `--by` counts from the current end: an active lease
/// has not reached it, since every write first expires the leases that have.
fn new_lease_end(end: &LeaseNewEndArgs, current_end: i64) -> Result<i64> {
    match (&end.by, &end.until) {
        (Some(duration), _) => current_end
            .checked_add(duration.seconds())
            .ok_or_else(|| Error::usage(format!("invalid duration '{duration}': too long"))),
        (None, Some(time)) => Ok(time.unix()),
        // clap requires one of --by and --until.
        (None, None) => Err(Error::usage("give --by DURATION or --until TIME")),
    }
}

fn extend(ctx: &Ctx, args: &AllocExtendArgs) -> Result<()> {
    let (old_end, moved, lease) = ctx.change(|inv| {
        let lease = inv.load_active_lease(args.id)?;
        let expires_at = new_lease_end(&args.end, lease.expires_at)?;
        let moved = inv.extend_lease(&lease, expires_at, args.allow_shorten)?;
        Ok((lease.expires_at, moved, inv.load_lease(lease.id)?))
    })?;
    ctx.out.show(&lease, |out, w| {
        if out.quiet {
            return Ok(());
        }
        let end = clock::rfc3339(lease.expires_at);
        if moved {
            let was = clock::rfc3339(old_end);
            writeln!(w, "lease {} now ends {end} (was {was})", lease.id)?;
        } else {
            writeln!(w, "lease {} already ends {end}", lease.id)?;
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
    let store = ctx.store()?;
    let filters = Filters::resolve(
        store.conn(),
        args.node.as_deref(),
        args.cluster.as_deref(),
        None,
    )?;
    let filter = AllocationFilter {
        state,
        owner: args.owner.clone(),
        namespace: args.namespace.clone(),
        node: filters.node_name(),
        cluster: filters.cluster_or_nodes(),
    };
    let page = args.page.page(None);
    let (rows, total) = allocations::page(store.conn(), &filter, page)?;
    let footer = page_footer(page, rows.len(), total, "lease", "leases");
    ctx.out.list(&rows, Some(footer))
}

fn show(ctx: &Ctx, args: &AllocShowArgs) -> Result<()> {
    let store = ctx.store()?;
    let lease = allocations::get(store.conn(), args.id)?.ok_or_else(|| lease_not_found(args.id))?;
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
