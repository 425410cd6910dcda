//! `gpuctl mig …`: MIG mode and GPU instances, checked against the model's profile table.

use serde::Serialize;

use crate::cli::{MigCommand, MigCreateArgs, MigDestroyArgs, MigListArgs, MigModeArgs};
use crate::commands::page_footer;
use crate::domain::MigInstance;
use crate::error::Result;
use crate::inventory::{load_device, load_mig_instance, resolve_node};
use crate::output::plural;
use crate::store::mig;
use crate::Ctx;

pub(crate) fn run(ctx: &Ctx, command: &MigCommand) -> Result<()> {
    match command {
        MigCommand::Enable(args) => set_mode(ctx, args, true),
        MigCommand::Disable(args) => set_mode(ctx, args, false),
        MigCommand::Create(args) => create(ctx, args),
        MigCommand::List(args) => list(ctx, args),
        MigCommand::Destroy(args) => destroy(ctx, args),
    }
}

fn set_mode(ctx: &Ctx, args: &MigModeArgs, enable: bool) -> Result<()> {
    let (device, changed) = ctx.change(|inv| inv.set_mig_mode(&args.device, enable))?;
    let word = if enable { "enabled" } else { "disabled" };
    if !changed {
        ctx.out
            .note(format!("MIG is already {word} on GPU {}", device.uuid));
    }
    ctx.out.show(&device, |out, w| {
        if changed && !out.quiet {
            writeln!(w, "MIG {word} on GPU {}", device.uuid)?;
        }
        Ok(())
    })
}

fn create(ctx: &Ctx, args: &MigCreateArgs) -> Result<()> {
    let created =
        ctx.change(|inv| inv.create_mig_instances(&args.device, &args.profile, args.count))?;
    // The stored UUID, not the prefix the user may have typed.
    let device = created
        .first()
        .map_or(args.device.as_str(), |i| i.device.as_str());
    ctx.out.confirm(format!(
        "created {} on GPU {device}",
        plural(created.len(), "MIG instance", "MIG instances"),
    ));
    ctx.out.list(&created, None)
}

fn list(ctx: &Ctx, args: &MigListArgs) -> Result<()> {
    let store = ctx.store()?;
    let device_id = match &args.device {
        Some(uuid) => Some(load_device(store.conn(), uuid)?.id),
        None => None,
    };
    let node_id = match &args.node {
        Some(text) => Some(resolve_node(store.conn(), text)?.id),
        None => None,
    };
    let page = args.page.page(None);
    let (rows, total) = mig::page(store.conn(), device_id, node_id, page)?;
    let footer = page_footer(page, rows.len(), total, "MIG instance", "MIG instances");
    ctx.out.list(&rows, Some(footer))
}

/// What `mig destroy` removed.
#[derive(Serialize)]
struct Destroyed {
    destroyed: Vec<MigInstance>,
}

fn destroy(ctx: &Ctx, args: &MigDestroyArgs) -> Result<()> {
    let destroyed = ctx.change(|inv| {
        let targets = match (&args.instance, &args.device) {
            (Some(instance), _) => vec![load_mig_instance(inv.conn(), instance)?],
            (None, Some(uuid)) => {
                let device = load_device(inv.conn(), uuid)?;
                mig::list(inv.conn(), Some(device.id), None)?
            }
            // clap requires an instance or --device with --all.
            (None, None) => Vec::new(),
        };
        inv.destroy_mig_instances(&targets)?;
        Ok(targets)
    })?;
    let result = Destroyed { destroyed };
    ctx.out.show(&result, |out, w| {
        if !out.quiet {
            writeln!(
                w,
                "destroyed {}",
                plural(result.destroyed.len(), "MIG instance", "MIG instances")
            )?;
        }
        Ok(())
    })
}
