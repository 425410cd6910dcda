//! What `collect` needs to register the GPUs it finds: devices by UUID, models by reported name,
//! and the per-run device values kept on the device row.

use rusqlite::{params, Connection, OptionalExtension};

use crate::error::Result;

/// A device as collect sees it.
#[derive(Debug, Clone)]
pub struct KnownDevice {
    pub id: i64,
    pub node_id: i64,
    pub index: i64,
    pub status: String,
    pub driver_version: Option<String>,
}

pub fn device_by_uuid(conn: &Connection, uuid: &str) -> Result<Option<KnownDevice>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, node_id, idx, status, driver_version FROM devices WHERE uuid = ?1",
        )?
        .query_row([uuid], |r| {
            Ok(KnownDevice {
                id: r.get(0)?,
                node_id: r.get(1)?,
                index: r.get(2)?,
                status: r.get(3)?,
                driver_version: r.get(4)?,
            })
        })
        .optional()?)
}

/// The catalogue model whose name or alias matches what the GPU reports (case-insensitive).
pub fn model_id_for_name(conn: &Connection, name: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached(
            "SELECT id FROM gpu_models WHERE name = ?1
             UNION ALL SELECT model_id FROM gpu_model_aliases WHERE alias = ?1
             LIMIT 1",
        )?
        .query_row([name], |r| r.get(0))
        .optional()?)
}

/// Adds a model the catalogue does not know, as the GPU reports it.
pub fn add_reported_model(conn: &Connection, name: &str, memory_mib: i64, now: i64) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO gpu_models (name, memory_mib, builtin, created_at, updated_at)
         VALUES (?1, ?2, 0, ?3, ?3)",
    )?
    .execute(params![name, memory_mib, now])?;
    Ok(conn.last_insert_rowid())
}

/// A GPU first seen by collect.
pub struct NewDevice<'a> {
    pub uuid: &'a str,
    pub node_id: i64,
    pub index: i64,
    pub model_id: Option<i64>,
    pub serial: Option<&'a str>,
    pub pci_bus_id: Option<&'a str>,
    pub mig_mode: bool,
    pub now: i64,
}

pub fn insert_device(conn: &Connection, device: &NewDevice) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO devices (uuid, node_id, idx, model_id, serial, pci_bus_id, status, mig_mode,
                              created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'active', ?7, ?8, ?8)",
    )?
    .execute(params![
        device.uuid,
        device.node_id,
        device.index,
        device.model_id,
        device.serial,
        device.pci_bus_id,
        device.mig_mode,
        device.now
    ])?;
    Ok(conn.last_insert_rowid())
}

/// The per-run values of a device: where it sits and what rarely changes. None keeps the old value.
pub struct DeviceReport<'a> {
    pub id: i64,
    pub node_id: i64,
    pub index: i64,
    pub serial: Option<&'a str>,
    pub pci_bus_id: Option<&'a str>,
    pub mig_mode: Option<bool>,
    pub memory_total_mib: Option<i64>,
    pub power_limit_mw: Option<i64>,
    pub driver_version: Option<&'a str>,
    pub sm_clock_mhz: Option<i64>,
    pub mem_clock_mhz: Option<i64>,
    pub ecc_corrected: Option<i64>,
    pub energy_mj: Option<i64>,
    pub seen_at: i64,
}

pub fn report_device(conn: &Connection, d: &DeviceReport) -> Result<()> {
    conn.prepare_cached(
        "UPDATE devices SET node_id = ?2, idx = ?3, serial = ifnull(?4, serial),
                pci_bus_id = ifnull(?5, pci_bus_id), mig_mode = ifnull(?6, mig_mode),
                memory_total_mib = ifnull(?7, memory_total_mib), power_limit_mw = ifnull(?8, power_limit_mw),
                driver_version = ifnull(?9, driver_version), sm_clock_mhz = ?10, mem_clock_mhz = ?11,
                ecc_corrected = ?12, energy_mj = ?13, last_seen_at = max(ifnull(last_seen_at, 0), ?14)
         WHERE id = ?1",
    )?
    .execute(params![
        d.id,
        d.node_id,
        d.index,
        d.serial,
        d.pci_bus_id,
        d.mig_mode,
        d.memory_total_mib,
        d.power_limit_mw,
        d.driver_version,
        d.sm_clock_mhz,
        d.mem_clock_mhz,
        d.ecc_corrected,
        d.energy_mj,
        d.seen_at
    ])?;
    Ok(())
}

/// A GPU that should be reporting, and when it last did.
#[derive(Debug, Clone)]
pub struct ExpectedDevice {
    pub uuid: String,
    pub last_seen_at: Option<i64>,
    pub registered_at: i64,
}

/// A node's active GPUs: those that should be reporting.
pub fn active_devices_of_node(conn: &Connection, node_id: i64) -> Result<Vec<ExpectedDevice>> {
    let mut stmt = conn.prepare_cached(
        "SELECT uuid, last_seen_at, created_at FROM devices
         WHERE node_id = ?1 AND status = 'active' ORDER BY idx",
    )?;
    let rows = stmt.query_map([node_id], |r| {
        Ok(ExpectedDevice {
            uuid: r.get(0)?,
            last_seen_at: r.get(1)?,
            registered_at: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// How many GPUs a node has that are not retired.
pub fn device_count(conn: &Connection, node_id: i64) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT count(*) FROM devices WHERE node_id = ?1 AND status <> 'retired'")?
        .query_row([node_id], |r| r.get(0))?)
}
