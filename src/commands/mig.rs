//! `gpuctl mig …`: MIG mode and GPU instances, checked against the model's profile table.

use crate::output::Cell;
use rusqlite::Connection;
use serde::Serialize;

use crate::cli::{MigCommand, MigCreateArgs, MigDestroyArgs, MigListArgs, MigModeArgs};
use crate::commands::device::load;
use crate::commands::{event, plural};
use crate::domain::{Device, MigInstance};
use crate::error::{Error, Result};
use crate::gpu::mig::{self as engine, FitError, MigProfile, Placed};
use crate::output::{or_dash, Output, TableRow};
use crate::store::{devices, events, mig, models};
use crate::Ctx;

pub fn run(ctx: &Ctx, command: &MigCommand) -> Result<()> {
    match command {
        MigCommand::Enable(args) => set_mode(ctx, args, true),
        MigCommand::Disable(args) => set_mode(ctx, args, false),
        MigCommand::Create(args) => create(ctx, args),
        MigCommand::List(args) => list(ctx, args),
        MigCommand::Destroy(args) => destroy(ctx, args),
    }
}

impl TableRow for MigInstance {
    fn headers() -> Vec<&'static str> {
        vec![
            "id",
            "device",
            "node",
            "profile",
            "placement",
            "lease",
            "uuid",
        ]
    }
    fn cells(&self, out: &Output) -> Vec<Cell> {
        vec![
            out.number_cell(self.id),
            Cell::new(&self.device),
            Cell::new(&self.node),
            Cell::new(&self.profile),
            Cell::new(format!("{}:{}", self.placement_start, self.placement_size)),
            Cell::new(self.lease_id.map_or("-".into(), |id| format!("#{id}"))),
            Cell::new(or_dash(&self.uuid)),
        ]
    }
}

/// The instances as a table, for `device show`.
pub(crate) fn instance_table(out: &Output, instances: &[MigInstance]) -> String {
    out.table(
        MigInstance::headers(),
        instances.iter().map(|i| i.cells(out)).collect(),
    )
}

/// The MIG profile table of a GPU's model; a conflict when the model has none.
pub(crate) fn profiles_of(conn: &Connection, device: &Device) -> Result<Vec<MigProfile>> {
    let model = match device.model_id {
        Some(id) => models::get_by_id(conn, id)?,
        None => None,
    };
    match model {
        Some(model) if model.mig_capable && !model.mig_profiles.is_empty() => {
            Ok(model.mig_profiles)
        }
        _ => Err(Error::conflict(format!(
            "GPU '{}' ({}) does not support MIG",
            device.uuid,
            or_dash(&device.model)
        ))),
    }
}

/// The instances of a GPU as the placement engine sees them.
fn layout(profiles: &[MigProfile], instances: &[MigInstance]) -> Vec<Placed> {
    instances
        .iter()
        .map(|i| {
            engine::placed(profiles, &i.profile, i.placement_start as u32).unwrap_or(Placed {
                // A profile no longer in the table still holds its slices; assume one compute
                // slice per memory slice, the most it could take.
                profile: i.profile.clone(),
                start: i.placement_start as u32,
                memory_slices: i.placement_size as u32,
                compute_slices: i.placement_size as u32,
            })
        })
        .collect()
}

fn set_mode(ctx: &Ctx, args: &MigModeArgs, enable: bool) -> Result<()> {
    let mut store = ctx.open_store()?;
    let (device, changed) = store.write(|tx| {
        let mut device = load(tx, &args.device)?;
        if device.mig_enabled == enable {
            return Ok((device, false));
        }
        if enable {
            profiles_of(tx, &device)?;
            if let Some(lease) = device.lease_id {
                return Err(Error::conflict(format!(
                    "GPU '{}' is leased whole (lease {lease}); release it before enabling MIG",
                    device.uuid
                )));
            }
        } else if device.mig_instances > 0 {
            return Err(Error::conflict(format!(
                "GPU '{}' still has {}",
                device.uuid,
                plural(
                    device.mig_instances as usize,
                    "MIG instance",
                    "MIG instances"
                )
            ))
            .with_hint(format!(
                "destroy them first: gpuctl mig destroy --device {} --all",
                device.uuid
            )));
        }
        device.mig_enabled = enable;
        device.updated_at = ctx.now;
        devices::update(tx, &device)?;
        let kind = if enable {
            "mig.enabled"
        } else {
            "mig.disabled"
        };
        let mut e = event(ctx, kind, &device.uuid, Some(&device.node), &None);
        e.field = Some("mig_mode".into());
        e.old_value = Some(if enable { "disabled" } else { "enabled" }.into());
        e.new_value = Some(if enable { "enabled" } else { "disabled" }.into());
        events::record(tx, &e)?;
        Ok((load(tx, &args.device)?, true))
    })?;
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
    let mut store = ctx.open_store()?;
    let created = store.write(|tx| {
        let device = load(tx, &args.device)?;
        let profiles = profiles_of(tx, &device)?;
        if !device.mig_enabled {
            return Err(
                Error::conflict(format!("MIG is not enabled on GPU '{}'", device.uuid))
                    .with_hint(format!("gpuctl mig enable {}", device.uuid)),
            );
        }
        let existing = mig::list(tx, Some(device.id), None)?;
        let new = engine::place(
            &profiles,
            &layout(&profiles, &existing),
            &args.profile,
            args.count,
        )
        .map_err(|e| fit_error(&device, e))?;
        let mut ids = Vec::new();
        for placed in &new {
            let id = mig::insert(
                tx,
                device.id,
                &placed.profile,
                placed.start,
                placed.memory_slices,
                ctx.now,
            )?;
            let mut e = event(ctx, "mig.created", &device.uuid, Some(&device.node), &None);
            e.field = Some(format!("instance:{id}"));
            e.new_value = Some(format!(
                "{} at {}:{}",
                placed.profile, placed.start, placed.memory_slices
            ));
            events::record(tx, &e)?;
            ids.push(id);
        }
        let all = mig::list(tx, Some(device.id), None)?;
        Ok(all
            .into_iter()
            .filter(|i| ids.contains(&i.id))
            .collect::<Vec<_>>())
    })?;
    ctx.out.confirm(format!(
        "created {} on GPU {}",
        plural(created.len(), "MIG instance", "MIG instances"),
        args.device
    ));
    ctx.out.list(&created, None)
}

fn fit_error(device: &Device, e: FitError) -> Error {
    let message = format!("GPU '{}' ({}): {e}", device.uuid, or_dash(&device.model));
    Error::conflict(message)
}

fn list(ctx: &Ctx, args: &MigListArgs) -> Result<()> {
    let store = ctx.open_store()?;
    let device_id = match &args.device {
        Some(uuid) => Some(load(store.conn(), uuid)?.id),
        None => None,
    };
    if let Some(node) = &args.node {
        if !crate::store::nodes::exists(store.conn(), node)? {
            return Err(crate::commands::node::not_found(node));
        }
    }
    let rows = mig::list(store.conn(), device_id, args.node.as_deref())?;
    let footer = plural(rows.len(), "MIG instance", "MIG instances");
    ctx.out.list(&rows, Some(footer))
}

/// What `mig destroy` removed.
#[derive(Serialize)]
struct Destroyed {
    destroyed: Vec<MigInstance>,
}

fn destroy(ctx: &Ctx, args: &MigDestroyArgs) -> Result<()> {
    let mut store = ctx.open_store()?;
    let destroyed = store.write(|tx| {
        let targets = match (&args.instance, &args.device) {
            (Some(instance), _) => vec![mig::get(tx, instance)?.ok_or_else(|| {
                Error::not_found(format!("MIG instance '{instance}' not found"))
                    .with_hint("'gpuctl mig list' shows the instances")
            })?],
            (None, Some(uuid)) => {
                let device = load(tx, uuid)?;
                mig::list(tx, Some(device.id), None)?
            }
            // clap requires an instance or --device with --all.
            (None, None) => Vec::new(),
        };
        if let Some(leased) = targets.iter().find(|i| i.lease_id.is_some()) {
            return Err(Error::conflict(format!(
                "MIG instance {} ({} on GPU {}) is leased (lease {})",
                leased.id,
                leased.profile,
                leased.device,
                leased.lease_id.unwrap_or_default()
            ))
            .with_hint("release the lease first with 'gpuctl alloc release'"));
        }
        for instance in &targets {
            mig::delete(tx, instance.id)?;
            let mut e = event(
                ctx,
                "mig.destroyed",
                &instance.device,
                Some(&instance.node),
                &None,
            );
            e.field = Some(format!("instance:{}", instance.id));
            e.old_value = Some(format!(
                "{} at {}:{}",
                instance.profile, instance.placement_start, instance.placement_size
            ));
            events::record(tx, &e)?;
        }
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
