//! What `collect` keeps on the device row each run, and which GPUs it expects to see.

use rusqlite::{params, Connection};

use crate::error::Result;

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
    pub id: i64,
    pub index: i64,
    pub uuid: String,
    pub last_seen_at: Option<i64>,
    pub registered_at: i64,
}

/// A node's active GPUs: those that should be reporting.
pub fn active_devices_of_node(conn: &Connection, node_id: i64) -> Result<Vec<ExpectedDevice>> {
    let mut stmt = conn.prepare_cached(
        "SELECT uuid, last_seen_at, created_at, id, idx FROM devices
         WHERE node_id = ?1 AND status = 'active' ORDER BY idx, id",
    )?;
    let rows = stmt.query_map([node_id], |r| {
        Ok(ExpectedDevice {
            uuid: r.get(0)?,
            last_seen_at: r.get(1)?,
            registered_at: r.get(2)?,
            id: r.get(3)?,
            index: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// When a GPU last reported (for generated history, where no collect ran).
pub fn set_last_seen(conn: &Connection, device_id: i64, at: i64) -> Result<()> {
    conn.prepare_cached("UPDATE devices SET last_seen_at = ?2 WHERE id = ?1")?
        .execute(params![device_id, at])?;
    Ok(())
}

/// A GPU that has reported before, with its node.
#[derive(Debug, Clone)]
pub struct ReportingDevice {
    pub uuid: String,
    pub node: String,
    pub cluster: String,
    pub last_seen_at: Option<i64>,
    pub registered_at: i64,
}

/// Active GPUs of ready nodes in `clusters` that have reported at least once.
pub fn reporting_devices_of_clusters(
    conn: &Connection,
    clusters: &[String],
) -> Result<Vec<ReportingDevice>> {
    let mut out = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT d.uuid, n.name, n.cluster, d.last_seen_at, d.created_at
         FROM devices d JOIN nodes n ON n.id = d.node_id
         WHERE n.cluster = ?1 AND n.status = 'ready' AND d.status = 'active'
           AND d.last_seen_at IS NOT NULL
         ORDER BY n.name, d.idx",
    )?;
    for cluster in clusters {
        let rows = stmt.query_map([cluster], |r| {
            Ok(ReportingDevice {
                uuid: r.get(0)?,
                node: r.get(1)?,
                cluster: r.get(2)?,
                last_seen_at: r.get(3)?,
                registered_at: r.get(4)?,
            })
        })?;
        for row in rows {
            out.push(row?);
        }
    }
    Ok(out)
}
