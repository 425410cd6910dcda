//! `gpuctl device …`: GPUs of the inventory, keyed by UUID.

use crate::output::Cell;
use serde::Serialize;

use crate::cli::{
    DeviceAddArgs, DeviceCommand, DeviceListArgs, DeviceRemoveArgs, DeviceSetStatusArgs,
    DeviceShowArgs, DeviceUpdateArgs,
};
use crate::clock;
use crate::commands::{event, model, plural};
use crate::domain::{Device, MigInstance};
use crate::error::{Error, Result};
use crate::output::{or_dash, Output, TableRow};
use crate::store::devices::DeviceFilter;
use crate::store::{devices, events, mig, models, nodes};
use crate::validate;
use crate::Ctx;

pub fn run(ctx: &Ctx, command: &DeviceCommand) -> Result<()> {
    match command {
        DeviceCommand::List(args) => list(ctx, args),
        DeviceCommand::Show(args) => show(ctx, args),
        DeviceCommand::Add(args) => add(ctx, args),
        DeviceCommand::Update(args) => update(ctx, args),
        DeviceCommand::SetStatus(args) => set_status(ctx, args),
        DeviceCommand::Remove(args) => remove(ctx, args),
    }
}

pub(crate) fn not_found(uuid: &str) -> Error {
    Error::not_found(format!("GPU '{uuid}' not found"))
        .with_hint("'gpuctl device list' shows the GPUs in the store")
}

/// Loads a GPU or fails with exit 3.
pub(crate) fn load(conn: &rusqlite::Connection, uuid: &str) -> Result<Device> {
    devices::get(conn, uuid)?.ok_or_else(|| not_found(uuid))
}

impl TableRow for Device {
    fn headers() -> Vec<&'static str> {
        vec![
            "uuid",
            "node",
            "index",
            "model",
            "status",
            "mig",
            "lease",
            "last seen",
        ]
    }
    fn cells(&self, out: &Output) -> Vec<Cell> {
        let mig = if self.mig_enabled {
            format!("on ({})", self.mig_instances)
        } else {
            "off".to_string()
        };
        let lease = match (self.lease_id, self.allocated) {
            (Some(id), _) => format!("#{id}"),
            (None, true) => "mig".to_string(),
            (None, false) => "-".to_string(),
        };
        vec![
            Cell::new(&self.uuid),
            Cell::new(&self.node),
            out.number_cell(self.index),
            Cell::new(or_dash(&self.model)),
            out.status_cell(self.status.as_str()),
            Cell::new(mig),
            Cell::new(lease),
            Cell::new(self.last_seen_at.map_or("-".into(), clock::short_time)),
        ]
    }
}

fn list(ctx: &Ctx, args: &DeviceListArgs) -> Result<()> {
    let store = ctx.open_store()?;
    let model_id = match &args.model {
        Some(name) => Some(
            models::resolve(store.conn(), name)?
                .ok_or_else(|| model::not_found(name))?
                .id,
        ),
        None => None,
    };
    let filter = DeviceFilter {
        node: args.node.clone(),
        cluster: args.cluster.clone(),
        model_id,
        status: args.status,
        free: args.free,
        allocated: args.allocated,
    };
    let rows = devices::list(store.conn(), &filter)?;
    let footer = plural(rows.len(), "GPU", "GPUs");
    ctx.out.list(&rows, Some(footer))
}

/// `device show`: the GPU and its MIG instances.
#[derive(Serialize)]
struct DeviceDetail {
    #[serde(flatten)]
    device: Device,
    instances: Vec<MigInstance>,
}

fn show(ctx: &Ctx, args: &DeviceShowArgs) -> Result<()> {
    let store = ctx.open_store()?;
    let device = load(store.conn(), &args.uuid)?;
    let instances = mig::list(store.conn(), Some(device.id), None)?;
    let detail = DeviceDetail { device, instances };
    ctx.out.show(&detail, |out, w| {
        let d = &detail.device;
        let fields = out.fields(vec![
            ("uuid", d.uuid.clone()),
            ("node", d.node.clone()),
            ("cluster", d.cluster.clone()),
            ("index", d.index.to_string()),
            ("model", or_dash(&d.model)),
            ("serial", or_dash(&d.serial)),
            ("pci bus id", or_dash(&d.pci_bus_id)),
            ("status", d.status.to_string()),
            (
                "mig",
                if d.mig_enabled { "enabled" } else { "disabled" }.into(),
            ),
            (
                "lease",
                d.lease_id.map_or("-".into(), |id| format!("#{id}")),
            ),
            (
                "memory",
                d.memory_mib.map_or("-".into(), |m| format!("{m} MiB")),
            ),
            (
                "last seen",
                d.last_seen_at.map_or("-".into(), clock::rfc3339),
            ),
        ]);
        writeln!(w, "{fields}")?;
        if !detail.instances.is_empty() {
            writeln!(w)?;
            writeln!(w, "MIG instances:")?;
            writeln!(
                w,
                "{}",
                crate::commands::mig::instance_table(out, &detail.instances)
            )?;
        }
        Ok(())
    })
}

fn check_optional(reason: &Option<String>, serial: &Option<String>) -> Result<()> {
    if let Some(reason) = reason {
        validate::one_line("reason", reason)?;
    }
    if let Some(serial) = serial {
        validate::one_line("serial", serial)?;
    }
    Ok(())
}

/// Keeps the node's GPU counts equal to its devices, with an event when they change.
/// Returns whether they changed.
pub(crate) fn sync_node(
    ctx: &Ctx,
    tx: &rusqlite::Connection,
    node_id: i64,
    node: &str,
    from_devices: bool,
) -> Result<bool> {
    let changed = devices::sync_node_capacity(tx, node_id, ctx.now, from_devices)?;
    if let Some(change) = changed {
        for (field, (old, new)) in [
            ("gpus", change.gpus),
            ("gpus_allocatable", change.gpus_allocatable),
        ] {
            if old != new {
                let mut e = event(ctx, "node.updated", node, Some(node), &None);
                e.field = Some(field.into());
                e.old_value = Some(old.to_string());
                e.new_value = Some(new.to_string());
                events::record(tx, &e)?;
            }
        }
    }
    Ok(changed.is_some())
}

fn add(ctx: &Ctx, args: &DeviceAddArgs) -> Result<()> {
    check_optional(&args.reason, &args.serial)?;
    let mut store = ctx.open_store()?;
    let device = store.write(|tx| {
        let node = nodes::get(tx, &args.node)?
            .ok_or_else(|| crate::commands::node::not_found(&args.node))?;
        let model =
            models::resolve(tx, &args.model)?.ok_or_else(|| model::not_found(&args.model))?;
        if devices::get(tx, &args.uuid)?.is_some() {
            return Err(Error::conflict(format!(
                "GPU '{}' already exists",
                args.uuid
            )));
        }
        let index = i64::from(args.index);
        if let Some(other) = devices::at_index(tx, node.id, index, None)? {
            return Err(Error::conflict(format!(
                "node '{}' already has GPU {other} at index {index}",
                node.name
            )));
        }
        let new = Device {
            id: 0,
            node_id: node.id,
            model_id: Some(model.id),
            uuid: args.uuid.to_string(),
            node: node.name.clone(),
            cluster: node.cluster.clone(),
            index,
            model: Some(model.name.clone()),
            serial: args.serial.clone(),
            pci_bus_id: args.pci_bus_id.as_deref().map(String::from),
            status: args.status,
            mig_enabled: false,
            mig_instances: 0,
            lease_id: None,
            allocated: false,
            memory_mib: Some(model.memory_mib),
            last_seen_at: None,
            created_at: ctx.now,
            updated_at: ctx.now,
        };
        devices::insert(tx, &new)?;
        let mut e = event(
            ctx,
            "device.created",
            &new.uuid,
            Some(&node.name),
            &args.reason,
        );
        e.new_value = Some(format!(
            "index={index} model={} status={}",
            model.name, new.status
        ));
        events::record(tx, &e)?;
        sync_node(ctx, tx, node.id, &node.name, true)?;
        load(tx, &args.uuid)
    })?;
    ctx.out.show(&device, |out, w| {
        if !out.quiet {
            writeln!(
                w,
                "added GPU {} to node {} at index {}",
                device.uuid, device.node, device.index
            )?;
        }
        Ok(())
    })
}

/// Loads a GPU, lets `edit` change it, and writes it plus one event per changed field.
fn edit_device(
    ctx: &Ctx,
    uuid: &str,
    kind: &str,
    reason: &Option<String>,
    edit: impl FnOnce(&rusqlite::Connection, &mut Device) -> Result<()>,
) -> Result<(Device, usize)> {
    let mut store = ctx.open_store()?;
    store.write(|tx| {
        let old = load(tx, uuid)?;
        let mut new = old.clone();
        edit(tx, &mut new)?;
        let changes = [
            ("index", old.index.to_string(), new.index.to_string()),
            ("model", or_dash(&old.model), or_dash(&new.model)),
            ("serial", or_dash(&old.serial), or_dash(&new.serial)),
            (
                "pci_bus_id",
                or_dash(&old.pci_bus_id),
                or_dash(&new.pci_bus_id),
            ),
            ("status", old.status.to_string(), new.status.to_string()),
        ];
        let mut changed = 0;
        for (field, before, after) in changes {
            if before != after {
                changed += 1;
                let mut e = event(ctx, kind, uuid, Some(&old.node), reason);
                e.field = Some(field.into());
                e.old_value = Some(before);
                e.new_value = Some(after);
                events::record(tx, &e)?;
            }
        }
        if changed == 0 {
            return Ok((old, 0));
        }
        new.updated_at = ctx.now;
        devices::update(tx, &new)?;
        sync_node(ctx, tx, new.node_id, &new.node, true)?;
        Ok((load(tx, uuid)?, changed))
    })
}

fn report(ctx: &Ctx, device: &Device, changed: usize, done: String) -> Result<()> {
    if changed == 0 {
        ctx.out
            .note(format!("GPU {} unchanged: nothing to change", device.uuid));
    }
    ctx.out.show(device, |out, w| {
        if changed > 0 && !out.quiet {
            writeln!(w, "{done}")?;
        }
        Ok(())
    })
}

fn update(ctx: &Ctx, args: &DeviceUpdateArgs) -> Result<()> {
    check_optional(&args.reason, &args.serial)?;
    let (device, changed) =
        edit_device(ctx, &args.uuid, "device.updated", &args.reason, |tx, d| {
            if let Some(index) = args.index {
                let index = i64::from(index);
                if let Some(other) = devices::at_index(tx, d.node_id, index, Some(d.id))? {
                    return Err(Error::conflict(format!(
                        "node '{}' already has GPU {other} at index {index}",
                        d.node
                    )));
                }
                d.index = index;
            }
            if let Some(name) = &args.model {
                let model = models::resolve(tx, name)?.ok_or_else(|| model::not_found(name))?;
                if d.mig_instances > 0 && d.model_id != Some(model.id) {
                    return Err(Error::conflict(format!(
                        "GPU '{}' has MIG instances; destroy them before changing its model",
                        d.uuid
                    )));
                }
                d.model_id = Some(model.id);
                d.model = Some(model.name);
            }
            if args.serial.is_some() {
                d.serial = args.serial.clone();
            }
            if args.pci_bus_id.is_some() {
                d.pci_bus_id = args.pci_bus_id.as_deref().map(String::from);
            }
            Ok(())
        })?;
    let done = format!("updated GPU {}", device.uuid);
    report(ctx, &device, changed, done)
}

fn set_status(ctx: &Ctx, args: &DeviceSetStatusArgs) -> Result<()> {
    check_optional(&args.reason, &None)?;
    let (device, changed) = edit_device(ctx, &args.uuid, "device.status", &args.reason, |_, d| {
        d.status = args.status;
        Ok(())
    })?;
    if changed == 0 {
        ctx.out
            .note(format!("GPU {} is already {}", device.uuid, device.status));
        return ctx.out.show(&device, |_, _| Ok(()));
    }
    if device.allocated {
        ctx.out.note(format!(
            "note: GPU {} still has an active lease",
            device.uuid
        ));
    }
    let done = format!("GPU {} is now {}", device.uuid, device.status);
    report(ctx, &device, changed, done)
}

fn remove(ctx: &Ctx, args: &DeviceRemoveArgs) -> Result<()> {
    check_optional(&args.reason, &None)?;
    let mut store = ctx.open_store()?;
    let device = store.write(|tx| {
        let device = load(tx, &args.uuid)?;
        if device.allocated {
            return Err(
                Error::conflict(format!("GPU '{}' has an active lease", device.uuid))
                    .with_hint("release it first with 'gpuctl alloc release'"),
            );
        }
        devices::delete(tx, device.id)?;
        let mut e = event(
            ctx,
            "device.removed",
            &device.uuid,
            Some(&device.node),
            &args.reason,
        );
        e.old_value = Some(format!(
            "index={} model={}",
            device.index,
            or_dash(&device.model)
        ));
        events::record(tx, &e)?;
        sync_node(ctx, tx, device.node_id, &device.node, true)?;
        Ok(device)
    })?;
    ctx.out.show(&device, |out, w| {
        if !out.quiet {
            writeln!(w, "removed GPU {} from node {}", device.uuid, device.node)?;
        }
        Ok(())
    })
}
