//! `gpuctl device …`: GPUs of the inventory, keyed by UUID.

use crate::output::Cell;
use serde::Serialize;

use crate::cli::{
    DeviceAddArgs, DeviceCommand, DeviceListArgs, DeviceRemoveArgs, DeviceSetStatusArgs,
    DeviceShowArgs, DeviceUpdateArgs,
};
use crate::clock;
use crate::commands::page_footer;
use crate::domain::{Device, MigInstance};
use crate::error::{Error, Result};
use crate::inventory::{load_device, model_not_found, Filters};
use crate::output::{or_dash, rows::instance_table, Output, TableRow};
use crate::store::devices::DeviceFilter;
use crate::store::{devices, mig, models};
use crate::validate;
use crate::Ctx;

pub(crate) fn run(ctx: &Ctx, command: &DeviceCommand) -> Result<()> {
    match command {
        DeviceCommand::List(args) => list(ctx, args),
        DeviceCommand::Show(args) => show(ctx, args),
        DeviceCommand::Add(args) => add(ctx, args),
        DeviceCommand::Update(args) => update(ctx, args),
        DeviceCommand::SetStatus(args) => set_status(ctx, args),
        DeviceCommand::Remove(args) => remove(ctx, args),
    }
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
            "health",
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
            Cell::new(&self.health),
            Cell::new(self.last_seen_at.map_or("-".into(), clock::short_time)),
        ]
    }
}

fn list(ctx: &Ctx, args: &DeviceListArgs) -> Result<()> {
    let store = ctx.store()?;
    let filters = Filters::resolve(
        store.conn(),
        args.node.as_deref(),
        args.cluster.as_deref(),
        args.model.as_deref(),
    )?;
    let filter = DeviceFilter {
        node: filters.node_name(),
        cluster: filters.cluster_or_nodes(),
        model_id: filters.model.map(|m| m.id),
        status: args.status,
        free: args.free,
        allocated: args.allocated,
    };
    let page = args.page.page(None);
    let (rows, total) = devices::page(store.conn(), &filter, page)?;
    let footer = page_footer(page, rows.len(), total, "GPU", "GPUs");
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
    let store = ctx.store()?;
    let device = load_device(store.conn(), &args.uuid)?;
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
            ("workload", or_dash(&d.workload)),
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
            writeln!(w, "{}", instance_table(out, &detail.instances))?;
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

fn add(ctx: &Ctx, args: &DeviceAddArgs) -> Result<()> {
    check_optional(&args.reason, &args.serial)?;
    let device = ctx.change(|inv| {
        let node = inv.load_node(&args.node)?;
        let model = inv.resolve_model(&args.model)?;
        let mut new = Device {
            id: 0,
            node_id: node.id,
            model_id: Some(model.id),
            uuid: args.uuid.to_string(),
            node: node.name.clone(),
            cluster: node.cluster.clone(),
            index: i64::from(args.index),
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
            created_at: 0,
            updated_at: 0,
            workload: None,
            health: String::new(),
        };
        inv.add_device(&mut new, args.reason.as_deref())?;
        inv.sync_node_capacity(node.id, true)?;
        load_device(inv.conn(), &args.uuid)
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
    let (device, changed) = ctx.change(|inv| {
        inv.edit_device(&args.uuid, args.reason.as_deref(), |tx, d| {
            if let Some(index) = args.index {
                d.index = i64::from(index);
            }
            if let Some(name) = &args.model {
                let model = models::resolve(tx, name)?.ok_or_else(|| model_not_found(name))?;
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
        })
    })?;
    let done = format!("updated GPU {}", device.uuid);
    report(ctx, &device, changed, done)
}

fn set_status(ctx: &Ctx, args: &DeviceSetStatusArgs) -> Result<()> {
    check_optional(&args.reason, &None)?;
    let (device, changed) = ctx.change(|inv| {
        inv.edit_device(&args.uuid, args.reason.as_deref(), |_, d| {
            d.status = args.status;
            Ok(())
        })
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
    let device = ctx.change(|inv| inv.remove_device(&args.uuid, args.reason.as_deref()))?;
    ctx.out.show(&device, |out, w| {
        if !out.quiet {
            writeln!(w, "removed GPU {} from node {}", device.uuid, device.node)?;
        }
        Ok(())
    })
}
