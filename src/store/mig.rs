//! MIG GPU instances.

use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};

use crate::domain::MigInstance;
use crate::error::Result;

const INSTANCE_COLUMNS: &str =
    "i.id, i.device_id, d.uuid, n.name, n.cluster, i.profile, i.placement_start,
    i.placement_size, i.uuid,
    (SELECT a.id FROM allocations a WHERE a.mig_instance_id = i.id AND a.state = 'active'
        AND a.expires_at > gpuctl_now()),
    i.created_at, i.gpu_instance_id, i.engine_active_pct, i.fb_used_mib, i.workload";

const INSTANCE_FROM: &str =
    "FROM mig_instances i JOIN devices d ON d.id = i.device_id JOIN nodes n ON n.id = d.node_id";

fn instance_from_row(row: &Row) -> rusqlite::Result<MigInstance> {
    Ok(MigInstance {
        id: row.get(0)?,
        device_id: row.get(1)?,
        device: row.get(2)?,
        node: row.get(3)?,
        cluster: row.get(4)?,
        profile: row.get(5)?,
        placement_start: row.get(6)?,
        placement_size: row.get(7)?,
        uuid: row.get(8)?,
        lease_id: row.get(9)?,
        created_at: row.get(10)?,
        gpu_instance_id: row.get(11)?,
        engine_active_pct: row.get(12)?,
        fb_used_mib: row.get(13)?,
        workload: row.get(14)?,
    })
}

/// Instances, optionally of one device or one node, by node, device and placement.
pub fn list(
    conn: &Connection,
    device_id: Option<i64>,
    node_id: Option<i64>,
) -> Result<Vec<MigInstance>> {
    Ok(page(conn, device_id, node_id, super::Page::ALL)?.0)
}

/// One page of [`list`], and how many instances match in all.
pub fn page(
    conn: &Connection,
    device_id: Option<i64>,
    node_id: Option<i64>,
    page: super::Page,
) -> Result<(Vec<MigInstance>, i64)> {
    let mut clauses: Vec<&str> = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    if let Some(id) = device_id {
        clauses.push("i.device_id = ?");
        values.push(Value::Integer(id));
    }
    if let Some(node_id) = node_id {
        clauses.push("d.node_id = ?");
        values.push(Value::Integer(node_id));
    }
    let where_sql = super::where_all(&clauses);
    let sql = format!(
        "SELECT {INSTANCE_COLUMNS} {INSTANCE_FROM} {where_sql}
         ORDER BY n.name, d.idx, i.placement_start{}",
        page.sql()
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt
        .query_map(params_from_iter(values.iter()), instance_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let select = format!("SELECT 1 {INSTANCE_FROM} {where_sql}");
    let total = page.total(conn, &select, &values, rows.len())?;
    Ok((rows, total))
}

/// An instance by id or by its MIG UUID.
pub fn get(conn: &Connection, id_or_uuid: &str) -> Result<Option<MigInstance>> {
    let id: i64 = id_or_uuid.parse().unwrap_or(-1);
    let sql = format!("SELECT {INSTANCE_COLUMNS} {INSTANCE_FROM} WHERE i.id = ?1 OR i.uuid = ?2");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(params![id, id_or_uuid], instance_from_row)
        .optional()?)
}

pub fn insert(
    conn: &Connection,
    device_id: i64,
    profile: &str,
    start: u32,
    size: u32,
    now: i64,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO mig_instances (device_id, profile, placement_start, placement_size, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![device_id, profile, start, size, now])?;
    Ok(conn.last_insert_rowid())
}

/// What a fleet read reports of an instance.
pub fn record_reading(
    conn: &Connection,
    instance_id: i64,
    gpu_instance_id: i64,
    engine_active_pct: Option<i64>,
    fb_used_mib: Option<i64>,
    workload: Option<&str>,
    at: i64,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE mig_instances SET gpu_instance_id = ?2, engine_active_pct = ?3, fb_used_mib = ?4,
                workload = ?5, seen_at = ?6 WHERE id = ?1",
    )?
    .execute(params![
        instance_id,
        gpu_instance_id,
        engine_active_pct,
        fb_used_mib,
        workload,
        at
    ])?;
    Ok(())
}

pub fn delete(conn: &Connection, instance_id: i64) -> Result<()> {
    conn.prepare_cached("DELETE FROM mig_instances WHERE id = ?1")?
        .execute([instance_id])?;
    Ok(())
}
