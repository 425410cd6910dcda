//! GPUs: added by hand or registered by a collect, edited field by field, moved, removed.

use foldhash::HashMap;

use rusqlite::Connection;

use super::{Detail, Inventory};
use crate::domain::{Device, DeviceStatus, EventKind, Node};
use crate::error::{Error, Result};
use crate::gpu::source::DeviceSample;
use crate::output::or_dash;
use crate::store::registry::{self, DeviceReport};
use crate::store::{devices, UuidTable};

pub(crate) fn device_not_found(uuid: &str) -> Error {
    Error::not_found(format!("GPU {} not found", crate::terminal::quote(uuid)))
        .with_hint("'gpuctl device list' shows the GPUs in the store")
}

/// How many of the GPUs an ambiguous UUID prefix matches its error names.
const AMBIGUOUS_UUIDS_NAMED: i64 = 3;

/// Loads a GPU by its UUID or a unique prefix of one, as git takes short hashes (the overview
/// shows `GPU-04dd5a2a`): the exact UUID wins; a prefix of several GPUs' is a usage error
/// (exit 2) naming it and them; no GPU is exit 3. Every command that takes a GPU's UUID
/// loads it here.
pub(crate) fn load_device(conn: &Connection, text: &str) -> Result<Device> {
    if let Some(device) = devices::get(conn, text)? {
        return Ok(device);
    }
    if text.is_empty() {
        return Err(device_not_found(text));
    }
    match unique_uuid(conn, UuidTable::Devices, text)? {
        Some(uuid) => devices::get(conn, &uuid)?.ok_or_else(|| device_not_found(text)),
        None => Err(device_not_found(text)),
    }
}

/// The one UUID of `table` that starts with `prefix`; None when none does; a usage error
/// (exit 2) naming the prefix, how many match and the first few when several do.
pub(crate) fn unique_uuid(
    conn: &Connection,
    table: UuidTable,
    prefix: &str,
) -> Result<Option<String>> {
    let (uuids, total) =
        crate::store::uuids_with_prefix(conn, table, prefix, AMBIGUOUS_UUIDS_NAMED)?;
    match uuids.as_slice() {
        [] => Ok(None),
        [uuid] if total == 1 => Ok(Some(uuid.clone())),
        _ => {
            let (one, many) = match table {
                UuidTable::Devices => ("GPU", "GPUs"),
                UuidTable::MigInstances => ("MIG", "MIG instances"),
            };
            let more = if total > AMBIGUOUS_UUIDS_NAMED {
                ", …"
            } else {
                ""
            };
            Err(Error::usage(format!(
                "{one} UUID prefix {} is ambiguous: {total} {many} match ({}{more})",
                crate::terminal::quote(prefix),
                uuids.join(", ")
            ))
            .with_hint("give more of the UUID"))
        }
    }
}

/// What `device.created` records of a GPU.
fn creation_summary(device: &Device) -> String {
    format!(
        "index={} model={} status={}",
        device.index,
        device.model.as_deref().unwrap_or("unknown"),
        device.status
    )
}

/// What a collect run learnt of one GPU: whether it is new and where it was before.
#[derive(Debug)]
pub(crate) struct ReportedDevice {
    pub(crate) id: i64,
    pub(crate) created: bool,
    /// The node it sat on before this report, when it moved.
    pub(crate) moved_from: Option<String>,
    /// This run's first reading of the GPU.
    pub(crate) first: bool,
}

/// The GPUs a run has reported so far, by UUID; see [`Inventory::report_reading`].
#[derive(Debug, Default)]
pub(crate) struct RunDevices {
    tracked: Vec<Tracked>,
    /// Where each GPU is in `tracked`.
    by_uuid: HashMap<String, usize>,
    /// The GPU in `tracked` at each place of the last reading: nvidia-smi lists a node's GPUs
    /// in the same order at every moment, so a replay finds them without hashing.
    at_place: Vec<usize>,
}

impl RunDevices {
    fn set_place(&mut self, place: usize, at: usize) {
        if self.at_place.len() <= place {
            self.at_place.resize(place + 1, usize::MAX);
        }
        self.at_place[place] = at;
    }
}

#[derive(Debug)]
struct Tracked {
    uuid: String,
    id: i64,
    index: i64,
    report: ReportFold,
}

/// A GPU's readings over a run, as its row takes them: a value that rarely changes keeps the
/// last one reported (an unreported one does not erase it); the live values and the index are
/// the last reading's; the last-seen time the latest.
#[derive(Debug, Default)]
struct ReportFold {
    serial: Option<String>,
    pci_bus_id: Option<String>,
    mig_mode: Option<bool>,
    memory_total_mib: Option<i64>,
    power_limit_mw: Option<i64>,
    driver_version: Option<String>,
    sm_clock_mhz: Option<i64>,
    mem_clock_mhz: Option<i64>,
    ecc_corrected: Option<i64>,
    energy_mj: Option<i64>,
    seen_at: i64,
}

impl ReportFold {
    fn add(&mut self, reading: &DeviceSample, seen_at: i64) {
        let as_i64 = |v: Option<u64>| v.and_then(|v| i64::try_from(v).ok());
        fn keep<T: Clone>(slot: &mut Option<T>, value: &Option<T>) {
            if value.is_some() {
                slot.clone_from(value);
            }
        }
        keep(&mut self.serial, &reading.serial);
        keep(&mut self.pci_bus_id, &reading.pci_bus_id);
        keep(&mut self.mig_mode, &reading.mig_mode);
        keep(&mut self.memory_total_mib, &as_i64(reading.mem_total_mib));
        keep(
            &mut self.power_limit_mw,
            &reading.power_limit_mw.map(i64::from),
        );
        keep(&mut self.driver_version, &reading.driver_version);
        self.sm_clock_mhz = reading.sm_clock_mhz.map(i64::from);
        self.mem_clock_mhz = reading.mem_clock_mhz.map(i64::from);
        self.ecc_corrected = as_i64(reading.ecc_corrected);
        self.energy_mj = as_i64(reading.energy_mj);
        self.seen_at = self.seen_at.max(seen_at);
    }
}

impl Inventory<'_> {
    /// Adds a GPU with `device.created`. Its node's counts are left to the caller, who adds
    /// all the GPUs it has, then calls [`Inventory::sync_node_capacity`] once, as a collect
    /// registering a whole node does.
    pub(crate) fn add_device(&self, device: &mut Device, reason: Option<&str>) -> Result<()> {
        if devices::get(self.conn(), &device.uuid)?.is_some() {
            return Err(Error::conflict(format!(
                "GPU '{}' already exists",
                device.uuid
            )));
        }
        if let Some(other) = devices::at_index(self.conn(), device.node_id, device.index, None)? {
            return Err(Error::conflict(format!(
                "node '{}' already has GPU {other} at index {}",
                device.node, device.index
            )));
        }
        self.insert_device(device, reason)
    }

    fn insert_device(&self, device: &mut Device, reason: Option<&str>) -> Result<()> {
        device.created_at = self.now();
        device.updated_at = self.now();
        device.id = devices::insert(self.conn(), device)?;
        self.record(
            EventKind::DeviceCreated,
            &device.uuid,
            Detail::on_node(&device.cluster, &device.node)
                .new_value(creation_summary(device))
                .reason(reason),
        )
    }

    /// Loads a GPU, lets `edit` change it, and writes it with one event per changed field
    /// (`device.status` for the status, `device.updated` for the rest). Returns the GPU as
    /// stored and how many fields changed.
    pub(crate) fn edit_device(
        &self,
        uuid: &str,
        reason: Option<&str>,
        edit: impl FnOnce(&Connection, &mut Device) -> Result<()>,
    ) -> Result<(Device, usize)> {
        let old = load_device(self.conn(), uuid)?;
        // The stored UUID, whatever prefix of it the caller gave.
        let uuid = old.uuid.as_str();
        let mut new = old.clone();
        edit(self.conn(), &mut new)?;
        if new.index != old.index {
            if let Some(other) =
                devices::at_index(self.conn(), new.node_id, new.index, Some(new.id))?
            {
                return Err(Error::conflict(format!(
                    "node '{}' already has GPU {other} at index {}",
                    new.node, new.index
                )));
            }
        }
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
            if before == after {
                continue;
            }
            changed += 1;
            let kind = if field == "status" {
                EventKind::DeviceStatus
            } else {
                EventKind::DeviceUpdated
            };
            self.record(
                kind,
                uuid,
                Detail::on_node(&old.cluster, &old.node)
                    .field(field)
                    .change(Some(before), Some(after))
                    .reason(reason),
            )?;
        }
        if changed == 0 {
            return Ok((old, 0));
        }
        new.updated_at = self.now();
        devices::update(self.conn(), &new)?;
        if new.status == DeviceStatus::Retired && old.status != DeviceStatus::Retired {
            // A retired GPU is no longer watched: its alerts end with it.
            self.resolve_alerts_of_device(uuid, None, "GPU retired")?;
        }
        self.sync_node_capacity(new.node_id, true)?;
        Ok((load_device(self.conn(), uuid)?, changed))
    }

    /// Removes a GPU that has no active lease; its node's counts follow.
    pub(crate) fn remove_device(&self, uuid: &str, reason: Option<&str>) -> Result<Device> {
        let device = load_device(self.conn(), uuid)?;
        if device.allocated {
            return Err(
                Error::conflict(format!("GPU '{}' has an active lease", device.uuid))
                    .with_hint("release it first with 'gpuctl alloc release'"),
            );
        }
        self.resolve_alerts_of_device(&device.uuid, None, "GPU removed")?;
        devices::delete(self.conn(), device.id)?;
        self.record(
            EventKind::DeviceRemoved,
            &device.uuid,
            Detail::on_node(&device.cluster, &device.node)
                .old_value(format!(
                    "index={} model={}",
                    device.index,
                    or_dash(&device.model)
                ))
                .reason(reason),
        )?;
        self.sync_node_capacity(device.node_id, true)?;
        Ok(device)
    }

    /// Finds or registers the GPU a collect saw on `node`, once per run: a GPU new to the
    /// store is `device.created` (its model added to the catalogue when unknown); one that
    /// turns up from another node is `device.moved`; a new index is `device.updated`. What
    /// the reading says of the GPU's row is carried in `run` and written by
    /// [`Self::write_reported_devices`], as one write per reading would have left it.
    pub(crate) fn report_reading(
        &self,
        run: &mut RunDevices,
        node: &Node,
        reading: &DeviceSample,
        seen_at: i64,
        place: usize,
    ) -> Result<ReportedDevice> {
        const REASON: &str = "reported by gpuctl collect";
        let index = reading.index.map_or(0, i64::from);
        // A GPU the run has seen already, at the same place as last time or looked up: the
        // common case of a long replay.
        let at_place = (run.at_place.get(place).copied())
            .filter(|at| run.tracked.get(*at).is_some_and(|t| t.uuid == reading.uuid));
        if let Some(at) = at_place.or_else(|| run.by_uuid.get(&reading.uuid).copied()) {
            run.set_place(place, at);
            let tracked = &mut run.tracked[at];
            if tracked.index != index {
                self.record_index_change(node, &reading.uuid, tracked.index, index, REASON)?;
            }
            tracked.index = index;
            tracked.report.add(reading, seen_at);
            return Ok(ReportedDevice {
                id: tracked.id,
                created: false,
                moved_from: None,
                first: false,
            });
        }
        let mut reported = ReportedDevice {
            id: 0,
            created: false,
            moved_from: None,
            first: false,
        };
        reported.first = true;
        let known_index = match devices::placement(self.conn(), &reading.uuid)? {
            Some(known) => {
                reported.id = known.id;
                if known.node_id != node.id {
                    // A board swap: both nodes' histories say so, and both nodes'
                    // counts follow, in this same transaction.
                    for (cluster, history) in
                        [(&known.cluster, &known.node), (&node.cluster, &node.name)]
                    {
                        self.record(
                            EventKind::DeviceMoved,
                            &reading.uuid,
                            Detail::on_node(cluster, history)
                                .field("node")
                                .change(Some(known.node.clone()), Some(node.name.clone()))
                                .reason(Some(REASON)),
                        )?;
                    }
                    devices::move_to_node(self.conn(), known.id, node.id)?;
                    self.sync_node_capacity(known.node_id, true)?;
                    reported.moved_from = Some(known.node);
                }
                Some(known.index)
            }
            None => {
                let model_id = match &reading.name {
                    Some(name) => self.model_for_reported(name, reading, REASON)?,
                    None => None,
                };
                let mut device = Device {
                    id: 0,
                    node_id: node.id,
                    model_id,
                    uuid: reading.uuid.clone(),
                    node: node.name.clone(),
                    cluster: node.cluster.clone(),
                    index,
                    model: reading.name.clone(),
                    serial: reading.serial.clone(),
                    pci_bus_id: reading.pci_bus_id.clone(),
                    status: DeviceStatus::Active,
                    mig_enabled: reading.mig_mode.unwrap_or(false),
                    mig_instances: 0,
                    lease_id: None,
                    allocated: false,
                    memory_mib: None,
                    last_seen_at: None,
                    created_at: 0,
                    updated_at: 0,
                    workload: None,
                    health: String::new(),
                };
                self.insert_device(&mut device, Some(REASON))?;
                reported.id = device.id;
                reported.created = true;
                None
            }
        };
        if let Some(known_index) = known_index.filter(|known| *known != index) {
            self.record_index_change(node, &reading.uuid, known_index, index, REASON)?;
        }
        let mut report = ReportFold::default();
        report.add(reading, seen_at);
        let tracked = Tracked {
            uuid: reading.uuid.clone(),
            id: reported.id,
            index,
            report,
        };
        run.by_uuid.insert(reading.uuid.clone(), run.tracked.len());
        run.set_place(place, run.tracked.len());
        run.tracked.push(tracked);
        Ok(reported)
    }

    /// A GPU reported at another index than it had: its history says so.
    fn record_index_change(
        &self,
        node: &Node,
        uuid: &str,
        known: i64,
        index: i64,
        reason: &str,
    ) -> Result<()> {
        self.record(
            EventKind::DeviceUpdated,
            uuid,
            Detail::on_node(&node.cluster, &node.name)
                .field("index")
                .change(Some(known.to_string()), Some(index.to_string()))
                .reason(Some(reason)),
        )
    }

    /// Writes what a run's readings said of each GPU's row: one write per GPU.
    pub(crate) fn write_reported_devices(&self, run: &RunDevices, node: &Node) -> Result<()> {
        let mut tracked: Vec<&Tracked> = run.tracked.iter().collect();
        tracked.sort_by_key(|t| t.id);
        for t in tracked {
            let r = &t.report;
            registry::report_device(
                self.conn(),
                &DeviceReport {
                    id: t.id,
                    node_id: node.id,
                    index: t.index,
                    serial: r.serial.as_deref(),
                    pci_bus_id: r.pci_bus_id.as_deref(),
                    mig_mode: r.mig_mode,
                    memory_total_mib: r.memory_total_mib,
                    power_limit_mw: r.power_limit_mw,
                    driver_version: r.driver_version.as_deref(),
                    sm_clock_mhz: r.sm_clock_mhz,
                    mem_clock_mhz: r.mem_clock_mhz,
                    ecc_corrected: r.ecc_corrected,
                    energy_mj: r.energy_mj,
                    seen_at: r.seen_at,
                },
            )?;
        }
        Ok(())
    }
}
