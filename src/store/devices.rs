//! GPUs (devices) of the inventory, and the node GPU counts they drive.

use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};

use crate::domain::{Device, DeviceStatus};
use crate::error::{Error, Result};

/// What `device list` may filter on; every field narrows the result.
#[derive(Debug, Default, Clone)]
pub struct DeviceFilter {
    pub node: Option<String>,
    pub cluster: Option<String>,
    pub model_id: Option<i64>,
    pub status: Option<DeviceStatus>,
    /// Active, whole (MIG off) and not leased.
    pub free: bool,
    /// Leased, whole or by one of its MIG instances.
    pub allocated: bool,
}

const DEVICE_COLUMNS: &str =
    "d.id, d.node_id, d.model_id, d.uuid, n.name, n.cluster, d.idx, m.name,
    d.serial, d.pci_bus_id, d.status, d.mig_mode,
    (SELECT count(*) FROM mig_instances WHERE device_id = d.id),
    (SELECT a.id FROM allocations a WHERE a.device_id = d.id AND a.state = 'active'
        AND a.expires_at > gpuctl_now() AND a.mig_instance_id IS NULL),
    EXISTS (SELECT 1 FROM allocations a WHERE a.device_id = d.id AND a.state = 'active'
        AND a.expires_at > gpuctl_now()),
    ifnull(d.memory_total_mib, m.memory_mib), d.last_seen_at, d.created_at, d.updated_at,
    d.workload";

/// The device columns and their health (see [`super::device_health_sql`]).
fn device_columns() -> String {
    format!("{DEVICE_COLUMNS}, {}", super::device_health_sql())
}

const DEVICE_FROM: &str =
    "FROM devices d JOIN nodes n ON n.id = d.node_id LEFT JOIN gpu_models m ON m.id = d.model_id";

fn device_from_row(row: &Row) -> rusqlite::Result<Device> {
    let status: String = row.get(10)?;
    Ok(Device {
        id: row.get(0)?,
        node_id: row.get(1)?,
        model_id: row.get(2)?,
        uuid: row.get(3)?,
        node: row.get(4)?,
        cluster: row.get(5)?,
        index: row.get(6)?,
        model: row.get(7)?,
        serial: row.get(8)?,
        pci_bus_id: row.get(9)?,
        // The CHECK constraint on devices.status admits only these words.
        status: status.parse().map_err(|e: Error| {
            rusqlite::Error::FromSqlConversionFailure(10, rusqlite::types::Type::Text, e.into())
        })?,
        mig_enabled: row.get(11)?,
        mig_instances: row.get(12)?,
        lease_id: row.get(13)?,
        allocated: row.get(14)?,
        memory_mib: row.get(15)?,
        last_seen_at: row.get(16)?,
        created_at: row.get(17)?,
        updated_at: row.get(18)?,
        workload: row.get(19)?,
        health: row
            .get::<_, Option<String>>(20)?
            .unwrap_or_else(|| "ok".into()),
    })
}

/// Every device's id by its UUID: what a bulk ingest of many GPUs' samples looks up.
pub fn ids_by_uuid(conn: &Connection) -> Result<std::collections::HashMap<String, i64>> {
    let mut stmt = conn.prepare_cached("SELECT uuid, id FROM devices")?;
    let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn get(conn: &Connection, uuid: &str) -> Result<Option<Device>> {
    let sql = format!(
        "SELECT {} {DEVICE_FROM} WHERE d.uuid = ?1",
        device_columns()
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([uuid], device_from_row)
        .optional()?)
}

/// The GPUs whose UUID starts with `prefix`: the first `limit` UUIDs in order, and how many
/// there are in all (see [`super::uuids_with_prefix`]).
pub fn uuids_with_prefix(
    conn: &Connection,
    prefix: &str,
    limit: i64,
) -> Result<(Vec<String>, i64)> {
    super::uuids_with_prefix(conn, super::UuidTable::Devices, prefix, limit)
}

/// Where a GPU is: what a collect needs to file a reading, without the full device row's
/// lease and health subqueries (a fleet collect asks for 8,000).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    pub id: i64,
    pub node_id: i64,
    pub node: String,
    pub cluster: String,
    pub index: i64,
}

pub fn placement(conn: &Connection, uuid: &str) -> Result<Option<Placement>> {
    Ok(conn
        .prepare_cached(
            "SELECT d.id, d.node_id, n.name, n.cluster, d.idx
             FROM devices d JOIN nodes n ON n.id = d.node_id WHERE d.uuid = ?1",
        )?
        .query_row([uuid], |r| {
            Ok(Placement {
                id: r.get(0)?,
                node_id: r.get(1)?,
                node: r.get(2)?,
                cluster: r.get(3)?,
                index: r.get(4)?,
            })
        })
        .optional()?)
}

/// GPUs matching `filter`, by node and index.
pub fn list(conn: &Connection, filter: &DeviceFilter) -> Result<Vec<Device>> {
    Ok(page(conn, filter, super::Page::ALL)?.0)
}

/// One page of the GPUs matching `filter`, by node and index, and how many match in all.
pub fn page(
    conn: &Connection,
    filter: &DeviceFilter,
    page: super::Page,
) -> Result<(Vec<Device>, i64)> {
    let (where_sql, values) = filter_sql(filter);
    let sql = format!(
        "SELECT {} {DEVICE_FROM} {where_sql} ORDER BY n.name, d.idx{}",
        device_columns(),
        page.sql()
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params_from_iter(values.iter()), device_from_row)?;
    let rows: Vec<Device> = rows.collect::<rusqlite::Result<_>>()?;
    let select = format!("SELECT 1 {DEVICE_FROM} {where_sql}");
    let total = page.total(conn, &select, &values, rows.len())?;
    Ok((rows, total))
}

fn filter_sql(filter: &DeviceFilter) -> (String, Vec<Value>) {
    let mut clauses: Vec<&str> = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    if let Some(node) = &filter.node {
        clauses.push("n.name = ?");
        values.push(Value::Text(node.clone()));
    }
    if let Some(cluster) = &filter.cluster {
        clauses.push("n.cluster = ?");
        values.push(Value::Text(cluster.clone()));
    }
    if let Some(model_id) = filter.model_id {
        clauses.push("d.model_id = ?");
        values.push(Value::Integer(model_id));
    }
    if let Some(status) = filter.status {
        clauses.push("d.status = ?");
        values.push(Value::Text(status.as_str().into()));
    }
    if filter.free {
        clauses.push(
            "d.status = 'active' AND d.mig_mode = 0 AND NOT EXISTS
             (SELECT 1 FROM allocations a WHERE a.device_id = d.id AND a.state = 'active'
                AND a.expires_at > gpuctl_now())",
        );
    }
    if filter.allocated {
        clauses.push(
            "EXISTS (SELECT 1 FROM allocations a WHERE a.device_id = d.id AND a.state = 'active'
                AND a.expires_at > gpuctl_now())",
        );
    }
    (super::where_all(&clauses), values)
}

/// The pods a fleet read saw on a GPU (`namespace/pod`, comma-separated; None: idle).
pub fn set_workload(conn: &Connection, uuid: &str, workload: Option<&str>, at: i64) -> Result<()> {
    conn.prepare_cached("UPDATE devices SET workload = ?2, workload_seen_at = ?3 WHERE uuid = ?1")?
        .execute(params![uuid, workload, at])?;
    Ok(())
}

/// Moves a GPU to another node (a board swap seen by a collect).
pub fn move_to_node(conn: &Connection, device_id: i64, node_id: i64) -> Result<()> {
    conn.prepare_cached("UPDATE devices SET node_id = ?2 WHERE id = ?1")?
        .execute(params![device_id, node_id])?;
    Ok(())
}

/// The GPU of a node at an index, other than `except`, if one is not retired.
pub fn at_index(
    conn: &Connection,
    node_id: i64,
    index: i64,
    except: Option<i64>,
) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT uuid FROM devices WHERE node_id = ?1 AND idx = ?2 AND id <> ?3
               AND status <> 'retired'",
        )?
        .query_row(params![node_id, index, except.unwrap_or(-1)], |r| r.get(0))
        .optional()?)
}

pub fn insert(conn: &Connection, device: &Device) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO devices (uuid, node_id, idx, model_id, serial, pci_bus_id, status, mig_mode,
                              created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        device.uuid,
        device.node_id,
        device.index,
        device.model_id,
        device.serial,
        device.pci_bus_id,
        device.status.as_str(),
        device.mig_enabled,
        device.created_at,
        device.updated_at,
    ])?;
    Ok(conn.last_insert_rowid())
}

/// Writes the editable fields of `device` (found by id).
pub fn update(conn: &Connection, device: &Device) -> Result<()> {
    conn.prepare_cached(
        "UPDATE devices SET idx = ?2, model_id = ?3, serial = ?4, pci_bus_id = ?5, status = ?6,
                            mig_mode = ?7, updated_at = ?8
         WHERE id = ?1",
    )?
    .execute(params![
        device.id,
        device.index,
        device.model_id,
        device.serial,
        device.pci_bus_id,
        device.status.as_str(),
        device.mig_enabled,
        device.updated_at,
    ])?;
    Ok(())
}

/// Removes a GPU with its MIG instances (cascade) and samples; leases keep their text columns.
pub fn delete(conn: &Connection, device_id: i64) -> Result<()> {
    for table in ["samples", "samples_hourly"] {
        conn.prepare_cached(&format!("DELETE FROM {table} WHERE device_id = ?1"))?
            .execute([device_id])?;
    }
    conn.prepare_cached("DELETE FROM devices WHERE id = ?1")?
        .execute([device_id])?;
    Ok(())
}

/// A node's GPU counts as its devices say: None for a node without devices (its declared
/// capacity stands).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeCounts {
    /// Non-retired GPUs.
    pub total: i64,
    /// Active GPUs, which a ready node offers.
    pub active: i64,
    /// GPUs with an active lease (whole or on a MIG instance).
    pub allocated: i64,
}

pub fn node_counts(conn: &Connection, node_id: i64) -> Result<Option<NodeCounts>> {
    let (any, total, active, allocated): (i64, i64, i64, i64) = conn
        // Each device's leases by its own key: without statistics SQLite would read every
        // active lease of the fleet per device (8,000 GPUs: 10 ms per node).
        .prepare_cached(
            "SELECT count(*),
                    count(*) FILTER (WHERE status <> 'retired'),
                    count(*) FILTER (WHERE status = 'active'),
                    count(*) FILTER (WHERE EXISTS (SELECT 1 FROM allocations a
                                     INDEXED BY allocations_by_device
                                     WHERE a.device_id = devices.id AND a.state = 'active'
                                       AND a.expires_at > gpuctl_now()))
             FROM devices WHERE node_id = ?1",
        )?
        .query_row([node_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?;
    Ok((any > 0).then_some(NodeCounts {
        total,
        active,
        allocated,
    }))
}

/// A node's GPU counts before and after a recount: (old, new) each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountChange {
    pub gpus: (i64, i64),
    pub gpus_allocatable: (i64, i64),
}

/// Recomputes a node's capacity and allocatable GPUs; returns the (old, new) pairs when they
/// changed. A node with devices counts its non-retired GPUs, and offers its active ones while
/// ready; a node without devices keeps its declared capacity unless `from_devices` (its last GPU
/// just left), which makes it 0. A node that is not ready offers none.
pub fn sync_node_capacity(
    conn: &Connection,
    node_id: i64,
    now: i64,
    from_devices: bool,
) -> Result<Option<CountChange>> {
    let (capacity, allocatable, status): (i64, i64, String) = conn
        .prepare_cached("SELECT gpu_capacity, gpu_allocatable, status FROM nodes WHERE id = ?1")?
        .query_row([node_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    let (total, active) = match node_counts(conn, node_id)? {
        Some(counts) => (counts.total, counts.active),
        None if from_devices => (0, 0),
        None => (capacity, capacity),
    };
    let new_allocatable = if status == "ready" { active } else { 0 };
    if (capacity, allocatable) == (total, new_allocatable) {
        return Ok(None);
    }
    conn.prepare_cached(
        "UPDATE nodes SET gpu_capacity = ?2, gpu_allocatable = ?3, updated_at = ?4 WHERE id = ?1",
    )?
    .execute(params![node_id, total, new_allocatable, now])?;
    Ok(Some(CountChange {
        gpus: (capacity, total),
        gpus_allocatable: (allocatable, new_allocatable),
    }))
}

/// Active GPUs of ready nodes not seen by a collect since `before` (only GPUs seen at least once).
pub fn stale(conn: &Connection, before: i64) -> Result<Vec<Device>> {
    let sql = format!(
        "SELECT {} {DEVICE_FROM}
         WHERE n.status = 'ready' AND d.status = 'active'
           AND d.last_seen_at IS NOT NULL AND d.last_seen_at < ?1
         ORDER BY n.name, d.idx",
        device_columns()
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([before], device_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
