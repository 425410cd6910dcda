//! Nodes and their labels.

use std::collections::BTreeMap;

use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};

use crate::domain::{Node, NodeStatus};
use crate::error::{Error, Result};

/// What `node list` may filter on; every field narrows the result.
#[derive(Debug, Default, Clone)]
pub struct NodeFilter {
    /// Case-insensitive substring of name, cluster, IP or any label value.
    pub search: Option<String>,
    pub status: Option<NodeStatus>,
    pub cluster: Option<String>,
    /// `key=value` pairs that must all be present.
    pub labels: Vec<(String, String)>,
    pub changed_since: Option<i64>,
}

// `node list --sort` parses into the domain's NodeSort; callers here name it as before.
pub use crate::domain::NodeSort;

/// The fixed column each sort order reads: never user text.
fn sort_column(sort: NodeSort) -> &'static str {
    match sort {
        NodeSort::Name => "n.name",
        NodeSort::Cluster => "n.cluster",
        NodeSort::Status => "n.status",
        NodeSort::Created => "n.created_at",
        NodeSort::Updated => "n.updated_at",
        NodeSort::Gpus => "n.gpu_capacity",
    }
}

const NODE_COLUMNS: &str = "n.id, n.name, n.cluster, n.status, n.ip, n.role,
    (SELECT json_group_object(key, value) FROM node_labels WHERE node_id = n.id),
    n.gpu_capacity, n.gpu_allocatable, n.os, n.kernel, n.driver, n.cuda, n.created_at, n.updated_at,
    n.kubelet";

fn node_from_row(row: &Row) -> rusqlite::Result<Node> {
    let status: String = row.get(3)?;
    let labels: Option<String> = row.get(6)?;
    Ok(Node {
        id: row.get(0)?,
        name: row.get(1)?,
        cluster: row.get(2)?,
        // The CHECK constraint on nodes.status admits only these words.
        status: status.parse().map_err(|e: Error| {
            rusqlite::Error::FromSqlConversionFailure(3, rusqlite::types::Type::Text, e.into())
        })?,
        ip: row.get(4)?,
        role: row.get(5)?,
        labels: labels
            .map(|text| serde_json::from_str::<BTreeMap<String, String>>(&text))
            .transpose()
            .map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(6, rusqlite::types::Type::Text, e.into())
            })?
            .unwrap_or_default(),
        gpus: row.get(7)?,
        gpus_allocatable: row.get(8)?,
        os: row.get(9)?,
        kernel: row.get(10)?,
        driver: row.get(11)?,
        cuda: row.get(12)?,
        created_at: row.get(13)?,
        updated_at: row.get(14)?,
        kubelet: row.get(15)?,
    })
}

/// The node `name` of `cluster`: a node is identified by both.
pub fn get(conn: &Connection, cluster: &str, name: &str) -> Result<Option<Node>> {
    let sql = format!("SELECT {NODE_COLUMNS} FROM nodes n WHERE n.cluster = ?1 AND n.name = ?2");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([cluster, name], node_from_row)
        .optional()?)
}

pub fn get_by_id(conn: &Connection, id: i64) -> Result<Option<Node>> {
    let sql = format!("SELECT {NODE_COLUMNS} FROM nodes n WHERE n.id = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], node_from_row)
        .optional()?)
}

/// Every node called `name`, whatever its cluster (names are unique only within one).
pub fn named(conn: &Connection, name: &str) -> Result<Vec<Node>> {
    let sql = format!("SELECT {NODE_COLUMNS} FROM nodes n WHERE n.name = ?1 ORDER BY n.cluster");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([name], node_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn exists(conn: &Connection, cluster: &str, name: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM nodes WHERE cluster = ?1 AND name = ?2)")?
        .query_row([cluster, name], |r| r.get(0))?)
}

/// Whether any node belongs to `cluster`.
pub fn cluster_exists(conn: &Connection, cluster: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM nodes WHERE cluster = ?1)")?
        .query_row([cluster], |r| r.get(0))?)
}

/// Inserts a node with its labels; returns its id. The caller has checked the name is free.
pub fn insert(conn: &Connection, node: &Node) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO nodes (name, cluster, status, ip, role, os, kernel, driver, cuda,
                            gpu_capacity, gpu_allocatable, created_at, updated_at, kubelet)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?
    .execute(params![
        node.name,
        node.cluster,
        node.status.as_str(),
        node.ip,
        node.role,
        node.os,
        node.kernel,
        node.driver,
        node.cuda,
        node.gpus,
        node.gpus_allocatable,
        node.created_at,
        node.updated_at,
        node.kubelet,
    ])?;
    let id = conn.last_insert_rowid();
    insert_labels(conn, id, &node.labels)?;
    Ok(id)
}

fn insert_labels(conn: &Connection, node_id: i64, labels: &BTreeMap<String, String>) -> Result<()> {
    let mut stmt =
        conn.prepare_cached("INSERT INTO node_labels (node_id, key, value) VALUES (?1, ?2, ?3)")?;
    for (key, value) in labels {
        stmt.execute(params![node_id, key, value])?;
    }
    Ok(())
}

/// Writes every field of `node` (found by id), labels included.
pub fn update(conn: &Connection, node: &Node) -> Result<()> {
    conn.prepare_cached(
        "UPDATE nodes SET cluster = ?2, status = ?3, ip = ?4, role = ?5, os = ?6, kernel = ?7,
                          driver = ?8, cuda = ?9, gpu_capacity = ?10, gpu_allocatable = ?11,
                          updated_at = ?12, kubelet = ?13
         WHERE id = ?1",
    )?
    .execute(params![
        node.id,
        node.cluster,
        node.status.as_str(),
        node.ip,
        node.role,
        node.os,
        node.kernel,
        node.driver,
        node.cuda,
        node.gpus,
        node.gpus_allocatable,
        node.updated_at,
        node.kubelet,
    ])?;
    conn.prepare_cached("DELETE FROM node_labels WHERE node_id = ?1")?
        .execute([node.id])?;
    insert_labels(conn, node.id, &node.labels)
}

pub fn delete(conn: &Connection, node_id: i64) -> Result<()> {
    conn.prepare_cached("DELETE FROM nodes WHERE id = ?1")?
        .execute([node_id])?;
    Ok(())
}

/// One page of nodes matching `filter`, and how many match in all.
pub fn list(
    conn: &Connection,
    filter: &NodeFilter,
    sort: NodeSort,
    descending: bool,
    page: super::Page,
) -> Result<(Vec<Node>, i64)> {
    let (where_sql, values) = filter_sql(filter);
    let direction = if descending { "DESC" } else { "ASC" };
    // Name breaks ties so pages never overlap.
    let sql = format!(
        "SELECT {NODE_COLUMNS} FROM nodes n {where_sql}
         ORDER BY {} {direction}, n.name {direction}{}",
        sort_column(sort),
        page.sql()
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let nodes = stmt
        .query_map(params_from_iter(values.iter()), node_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let select = format!("SELECT 1 FROM nodes n {where_sql}");
    let total = page.total(conn, &select, &values, nodes.len())?;
    Ok((nodes, total))
}

fn filter_sql(filter: &NodeFilter) -> (String, Vec<Value>) {
    let mut clauses: Vec<String> = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    let mut push = |clause: String, new_values: Vec<Value>| {
        clauses.push(clause);
        values.extend(new_values);
    };
    if let Some(search) = &filter.search {
        let pattern = super::like_pattern(search);
        push(
            "(n.name LIKE ? ESCAPE '\\' OR n.cluster LIKE ? ESCAPE '\\' OR ifnull(n.ip, '') LIKE ? ESCAPE '\\'
              OR EXISTS (SELECT 1 FROM node_labels l WHERE l.node_id = n.id AND l.value LIKE ? ESCAPE '\\'))"
                .to_string(),
            vec![Value::Text(pattern); 4],
        );
    }
    if let Some(status) = filter.status {
        push(
            "n.status = ?".into(),
            vec![Value::Text(status.as_str().into())],
        );
    }
    if let Some(cluster) = &filter.cluster {
        push("n.cluster = ?".into(), vec![Value::Text(cluster.clone())]);
    }
    for (key, value) in &filter.labels {
        push(
            "EXISTS (SELECT 1 FROM node_labels l WHERE l.node_id = n.id AND l.key = ? AND l.value = ?)"
                .into(),
            vec![Value::Text(key.clone()), Value::Text(value.clone())],
        );
    }
    if let Some(since) = filter.changed_since {
        push("n.updated_at >= ?".into(), vec![Value::Integer(since)]);
    }
    (super::where_all(&clauses), values)
}

/// A node changed within a window: from the event log, so removed nodes appear too.
#[derive(Debug, Clone)]
pub struct RecentChange {
    pub name: String,
    pub cluster: Option<String>,
    /// None once the node has been removed.
    pub status: Option<NodeStatus>,
    pub last_change_at: i64,
    pub last_kind: String,
    pub changes: i64,
}

/// One page of the nodes changed since `since`, newest change first, and how many in all.
pub fn recently_changed(
    conn: &Connection,
    since: i64,
    page: super::Page,
) -> Result<(Vec<RecentChange>, i64)> {
    let sql = format!(
        "SELECT e.node, e.cluster, n.status, max(e.at), count(*),
                (SELECT kind FROM events x WHERE x.node = e.node AND x.cluster IS e.cluster
                 ORDER BY at DESC, id DESC LIMIT 1)
         FROM events e LEFT JOIN nodes n ON n.name = e.node AND n.cluster = e.cluster
         WHERE e.node IS NOT NULL AND e.at >= ?1
         GROUP BY e.cluster, e.node
         ORDER BY max(e.at) DESC, e.node, e.cluster{}",
        page.sql()
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt
        .query_map([since], |row| {
            let status: Option<String> = row.get(2)?;
            Ok(RecentChange {
                name: row.get(0)?,
                cluster: row.get(1)?,
                status: status.and_then(|s| s.parse().ok()),
                last_change_at: row.get(3)?,
                changes: row.get(4)?,
                last_kind: row.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let select = "SELECT 1 FROM events e WHERE e.node IS NOT NULL AND e.at >= ?1
                  GROUP BY e.cluster, e.node";
    let total = page.total(conn, select, &[Value::Integer(since)], rows.len())?;
    Ok((rows, total))
}

/// What still hangs off a node.
#[derive(Debug, Clone, Copy)]
pub struct NodeUsage {
    pub devices: i64,
    pub active_allocations: i64,
}

pub fn usage(conn: &Connection, node_id: i64) -> Result<NodeUsage> {
    Ok(conn
        .prepare_cached(
            "SELECT (SELECT count(*) FROM devices WHERE node_id = ?1),
                    (SELECT count(*) FROM allocations a JOIN devices d ON d.id = a.device_id
                      WHERE d.node_id = ?1 AND a.state = 'active' AND a.expires_at > gpuctl_now())",
        )?
        .query_row([node_id], |r| {
            Ok(NodeUsage {
                devices: r.get(0)?,
                active_allocations: r.get(1)?,
            })
        })?)
}

/// What removing a node took with it.
#[derive(Debug, Default)]
pub struct Detached {
    pub devices_removed: Vec<String>,
    pub allocations_released: Vec<i64>,
}

/// Removes a node with its GPUs, their MIG instances and samples; ends its active leases
/// (kept, as released) and resolves its open alerts. History stays in `events`.
pub fn remove(conn: &Connection, node_id: i64, now: i64) -> Result<Detached> {
    let allocations_released = conn
        .prepare_cached(
            "UPDATE allocations SET state = 'released', ended_at = ?2, end_reason = 'node removed'
             WHERE state = 'active' AND device_id IN (SELECT id FROM devices WHERE node_id = ?1)
             RETURNING id",
        )?
        .query_map(params![node_id, now], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<i64>>>()?;
    let devices_removed = conn
        .prepare_cached("SELECT uuid FROM devices WHERE node_id = ?1 ORDER BY idx")?
        .query_map([node_id], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    for table in ["samples", "samples_hourly"] {
        conn.prepare_cached(&format!(
            "DELETE FROM {table} WHERE device_id IN (SELECT id FROM devices WHERE node_id = ?1)"
        ))?
        .execute([node_id])?;
    }
    conn.prepare_cached("DELETE FROM devices WHERE node_id = ?1")?
        .execute([node_id])?;
    delete(conn, node_id)?;
    Ok(Detached {
        devices_removed,
        allocations_released,
    })
}

/// MIG instances of a node's GPUs, per profile.
pub fn mig_profile_counts(conn: &Connection, node_id: i64) -> Result<BTreeMap<String, i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT m.profile, count(*) FROM mig_instances m JOIN devices d ON d.id = m.device_id
         WHERE d.node_id = ?1 GROUP BY m.profile",
    )?;
    let rows = stmt.query_map([node_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Names of a cluster's nodes.
pub fn names_in_cluster(conn: &Connection, cluster: &str) -> Result<Vec<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT name FROM nodes WHERE cluster = ?1 ORDER BY name")?;
    let rows = stmt.query_map([cluster], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
