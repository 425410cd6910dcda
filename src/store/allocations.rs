//! Leases of GPUs and MIG instances. The partial unique indexes of the schema make two active
//! leases on one GPU or one MIG instance impossible, whatever the caller does.

use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};

use crate::domain::{Allocation, LeaseState};
use crate::error::{Error, Result};

const ALLOCATION_COLUMNS: &str =
    "id, owner, namespace, workload, state, device_uuid, node, cluster,
    model, mig_instance_id, mig_profile, mig_uuid, gpu_fraction, started_at, expires_at, ended_at,
    end_reason";

fn allocation_from_row(row: &Row) -> rusqlite::Result<Allocation> {
    let state: String = row.get(4)?;
    Ok(Allocation {
        id: row.get(0)?,
        owner: row.get(1)?,
        namespace: row.get(2)?,
        workload: row.get(3)?,
        // The CHECK constraint on allocations.state admits only these words.
        state: state.parse().map_err(|e: Error| {
            rusqlite::Error::FromSqlConversionFailure(4, rusqlite::types::Type::Text, e.into())
        })?,
        device_uuid: row.get(5)?,
        node: row.get(6)?,
        cluster: row.get(7)?,
        model: row.get(8)?,
        mig_instance_id: row.get(9)?,
        mig_profile: row.get(10)?,
        mig_uuid: row.get(11)?,
        gpu_fraction: row.get(12)?,
        started_at: row.get(13)?,
        expires_at: row.get(14)?,
        ended_at: row.get(15)?,
        end_reason: row.get(16)?,
        // `due` reads the table itself, without the health column.
        health: row
            .get::<_, Option<String>>(17)
            .ok()
            .flatten()
            .unwrap_or_else(|| "-".into()),
    })
}

/// The leases as of `gpuctl_now()`: one past its end is expired from that moment, for every
/// read, before `optimize` (or the next write) records it.
const LEASES_NOW: &str = "(SELECT id, owner, namespace, workload,
        CASE WHEN state = 'active' AND expires_at <= gpuctl_now() THEN 'expired' ELSE state END
            AS state,
        device_uuid, node, cluster, model, mig_instance_id, mig_profile, mig_uuid, gpu_fraction,
        started_at, expires_at,
        CASE WHEN state = 'active' AND expires_at <= gpuctl_now() THEN expires_at ELSE ended_at END
            AS ended_at,
        CASE WHEN state = 'active' AND expires_at <= gpuctl_now() THEN 'expired' ELSE end_reason END
            AS end_reason,
        (SELECT ifnull(<HEALTH>, 'ok') FROM devices d WHERE d.uuid = allocations.device_uuid)
            AS health
    FROM allocations) AS allocations";

fn leases_now() -> String {
    LEASES_NOW.replace("<HEALTH>", &super::device_health_sql())
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<Allocation>> {
    let sql = format!(
        "SELECT {ALLOCATION_COLUMNS}, health FROM {} WHERE id = ?1",
        leases_now()
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], allocation_from_row)
        .optional()?)
}

/// What `alloc list` may filter on.
#[derive(Debug, Default, Clone)]
pub struct AllocationFilter {
    /// None: every state.
    pub state: Option<LeaseState>,
    pub owner: Option<String>,
    pub namespace: Option<String>,
    pub node: Option<String>,
    pub cluster: Option<String>,
}

/// One page of the leases matching `filter`, oldest first, and how many match in all.
pub fn page(
    conn: &Connection,
    filter: &AllocationFilter,
    page: super::Page,
) -> Result<(Vec<Allocation>, i64)> {
    let mut clauses: Vec<&str> = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    if let Some(state) = filter.state {
        clauses.push("state = ?");
        values.push(Value::Text(state.as_str().into()));
    }
    for (column, value) in [
        ("owner = ?", &filter.owner),
        ("namespace = ?", &filter.namespace),
        ("node = ?", &filter.node),
        ("cluster = ?", &filter.cluster),
    ] {
        if let Some(value) = value {
            clauses.push(column);
            values.push(Value::Text(value.clone()));
        }
    }
    let where_sql = super::where_all(&clauses);
    let sql = format!(
        "SELECT {ALLOCATION_COLUMNS}, health FROM {} {where_sql} ORDER BY id{}",
        leases_now(),
        page.sql()
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt
        .query_map(params_from_iter(values.iter()), allocation_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let select = format!("SELECT 1 FROM {} {where_sql}", leases_now());
    let total = page.total(conn, &select, &values, rows.len())?;
    Ok((rows, total))
}

/// A new lease: ids of what it holds and the text columns that outlive them.
#[derive(Debug, Clone)]
pub struct NewAllocation {
    pub device_id: i64,
    pub mig_instance_id: Option<i64>,
    pub device_uuid: String,
    pub node: String,
    pub cluster: String,
    pub model: Option<String>,
    pub mig_profile: Option<String>,
    pub mig_uuid: Option<String>,
    pub gpu_fraction: f64,
    pub owner: String,
    pub namespace: Option<String>,
    pub workload: Option<String>,
    pub started_at: i64,
    pub expires_at: i64,
}

/// SQLITE_CONSTRAINT_UNIQUE: what the one-active-lease indexes raise.
const UNIQUE_CONSTRAINT_FAILED: std::os::raw::c_int = 2067;

/// Inserts an active lease; a second active lease on the same GPU or instance is a conflict,
/// caught by the store's unique indexes.
pub fn insert(conn: &Connection, new: &NewAllocation) -> Result<i64> {
    let inserted = conn
        .prepare_cached(
            "INSERT INTO allocations (device_id, mig_instance_id, device_uuid, node, cluster, model,
                 mig_profile, mig_uuid, gpu_fraction, owner, namespace, workload, state,
                 started_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'active', ?13, ?14)",
        )?
        .execute(params![
            new.device_id,
            new.mig_instance_id,
            new.device_uuid,
            new.node,
            new.cluster,
            new.model,
            new.mig_profile,
            new.mig_uuid,
            new.gpu_fraction,
            new.owner,
            new.namespace,
            new.workload,
            new.started_at,
            new.expires_at,
        ]);
    match inserted {
        Ok(_) => Ok(conn.last_insert_rowid()),
        Err(rusqlite::Error::SqliteFailure(failure, _))
            if failure.extended_code == UNIQUE_CONSTRAINT_FAILED =>
        {
            Err(Error::conflict(format!(
                "GPU {} is already leased",
                new.device_uuid
            )))
        }
        Err(e) => Err(e.into()),
    }
}

/// Ends an active lease.
pub fn end(conn: &Connection, id: i64, state: LeaseState, at: i64, reason: &str) -> Result<()> {
    conn.prepare_cached(
        "UPDATE allocations SET state = ?2, ended_at = ?3, end_reason = ?4
         WHERE id = ?1 AND state = 'active'",
    )?
    .execute(params![id, state.as_str(), at, reason])?;
    Ok(())
}

pub fn set_expiry(conn: &Connection, id: i64, expires_at: i64) -> Result<()> {
    conn.prepare_cached("UPDATE allocations SET expires_at = ?2 WHERE id = ?1")?
        .execute(params![id, expires_at])?;
    Ok(())
}

/// Active leases whose end has passed.
pub fn due(conn: &Connection, now: i64) -> Result<Vec<Allocation>> {
    let sql = format!(
        "SELECT {ALLOCATION_COLUMNS} FROM allocations
         WHERE state = 'active' AND expires_at <= ?1 ORDER BY id"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([now], allocation_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A free whole GPU or MIG instance that a lease could take.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub device_id: i64,
    pub device_uuid: String,
    pub node: String,
    pub cluster: String,
    pub model: Option<String>,
    pub index: i64,
    pub mig_instance_id: Option<i64>,
    pub mig_profile: Option<String>,
    pub mig_uuid: Option<String>,
    /// Free whole GPUs (or free instances of the profile on this GPU) in the same group, for
    /// fewest-fragments-first placement.
    pub free_in_group: i64,
    /// Why the GPU should get no new lease (see [`super::device_health_sql`]); None: healthy.
    pub unhealthy: Option<String>,
}

/// Where a lease may go.
#[derive(Debug, Default, Clone)]
pub struct Scope {
    pub device_uuid: Option<String>,
    pub node: Option<String>,
    pub cluster: Option<String>,
    pub model_id: Option<i64>,
}

fn scope_sql(scope: &Scope, clauses: &mut Vec<&'static str>, values: &mut Vec<Value>) {
    if let Some(uuid) = &scope.device_uuid {
        clauses.push("d.uuid = ?");
        values.push(Value::Text(uuid.clone()));
    }
    if let Some(node) = &scope.node {
        clauses.push("n.name = ?");
        values.push(Value::Text(node.clone()));
    }
    if let Some(cluster) = &scope.cluster {
        clauses.push("n.cluster = ?");
        values.push(Value::Text(cluster.clone()));
    }
    if let Some(model_id) = scope.model_id {
        clauses.push("d.model_id = ?");
        values.push(Value::Integer(model_id));
    }
}

/// Free, active, whole GPUs (MIG off) of ready nodes in `scope`, with their node's free count;
/// unhealthy ones only with `include_unhealthy`.
pub fn free_gpus(
    conn: &Connection,
    scope: &Scope,
    include_unhealthy: bool,
) -> Result<Vec<Candidate>> {
    let mut clauses = vec![
        "n.status = 'ready'",
        "d.status = 'active'",
        "d.mig_mode = 0",
        "NOT EXISTS (SELECT 1 FROM allocations a WHERE a.device_id = d.id AND a.state = 'active'
            AND a.expires_at > gpuctl_now())",
    ];
    let mut values = Vec::new();
    scope_sql(scope, &mut clauses, &mut values);
    let sql = format!(
        "WITH free AS (
            SELECT d.id, d.uuid, n.name AS node, n.cluster, m.name AS model, d.idx,
                   {health} AS unhealthy
            FROM devices d JOIN nodes n ON n.id = d.node_id
                 LEFT JOIN gpu_models m ON m.id = d.model_id
            WHERE {}),
         usable AS (SELECT * FROM free WHERE unhealthy IS NULL OR {include_unhealthy})
         SELECT id, uuid, node, cluster, model, idx,
                count(*) OVER (PARTITION BY node) AS free_in_node, unhealthy
         FROM usable ORDER BY free_in_node, node, idx",
        clauses.join(" AND "),
        health = super::device_health_sql(),
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params_from_iter(values.iter()), |r| {
        Ok(Candidate {
            device_id: r.get(0)?,
            device_uuid: r.get(1)?,
            node: r.get(2)?,
            cluster: r.get(3)?,
            model: r.get(4)?,
            index: r.get(5)?,
            mig_instance_id: None,
            mig_profile: None,
            mig_uuid: None,
            free_in_group: r.get(6)?,
            unhealthy: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Free MIG instances of `profile` on active GPUs of ready nodes in `scope`; the fullest GPUs
/// (fewest free instances of the profile) first.
pub fn free_mig_instances(
    conn: &Connection,
    scope: &Scope,
    profile: &str,
    include_unhealthy: bool,
) -> Result<Vec<Candidate>> {
    let mut clauses = vec![
        "n.status = 'ready'",
        "d.status = 'active'",
        "d.mig_mode = 1",
        "i.profile = ?",
        "NOT EXISTS (SELECT 1 FROM allocations a WHERE a.mig_instance_id = i.id AND a.state = 'active'
            AND a.expires_at > gpuctl_now())",
    ];
    let mut values = vec![Value::Text(profile.to_string())];
    scope_sql(scope, &mut clauses, &mut values);
    let sql = format!(
        "WITH free AS (
            SELECT d.id, d.uuid, n.name AS node, n.cluster, m.name AS model, d.idx,
                   i.id AS instance, i.profile, i.uuid AS mig_uuid, i.placement_start,
                   {health} AS unhealthy
            FROM mig_instances i JOIN devices d ON d.id = i.device_id
                 JOIN nodes n ON n.id = d.node_id LEFT JOIN gpu_models m ON m.id = d.model_id
            WHERE {}),
         usable AS (SELECT * FROM free WHERE unhealthy IS NULL OR {include_unhealthy})
         SELECT id, uuid, node, cluster, model, idx, instance, profile, mig_uuid,
                count(*) OVER (PARTITION BY id) AS free_on_gpu, unhealthy
         FROM usable ORDER BY free_on_gpu, node, idx, placement_start",
        clauses.join(" AND "),
        health = super::device_health_sql(),
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params_from_iter(values.iter()), |r| {
        Ok(Candidate {
            device_id: r.get(0)?,
            device_uuid: r.get(1)?,
            node: r.get(2)?,
            cluster: r.get(3)?,
            model: r.get(4)?,
            index: r.get(5)?,
            mig_instance_id: r.get(6)?,
            mig_profile: r.get(7)?,
            mig_uuid: r.get(8)?,
            free_in_group: r.get(9)?,
            unhealthy: r.get(10)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
