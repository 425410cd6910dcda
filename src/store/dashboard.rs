//! Fleet statistics for the dashboard: one pass over the devices with their latest sample.

use std::collections::BTreeMap;

use rusqlite::{params, Connection};

use crate::error::Result;

/// How statistics are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    Overall,
    Cluster,
    Model,
}

impl Grouping {
    /// The SQL expression (over the `fleet` CTE) that names a group; fixed text, never user input.
    fn key(self) -> &'static str {
        match self {
            Grouping::Overall => "''",
            Grouping::Cluster => "cluster",
            Grouping::Model => "ifnull(model, 'unknown')",
        }
    }
}

/// Counts and latest-sample aggregates of one group.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupStats {
    pub key: String,
    pub nodes_by_status: BTreeMap<String, i64>,
    pub gpus_total: i64,
    pub gpus_allocated: i64,
    pub gpus_free: i64,
    pub gpus_faulty: i64,
    pub gpus_maintenance: i64,
    pub gpus_retired: i64,
    pub mig_instances: i64,
    pub mig_allocated: i64,
    /// GPUs with a sample newer than the freshness limit; the averages cover these.
    pub gpus_reporting: i64,
    pub gpu_util_avg: Option<f64>,
    pub gpu_util_max: Option<i64>,
    pub memory_used_mib: Option<i64>,
    pub memory_total_mib: Option<i64>,
    pub power_draw_mw: Option<i64>,
    pub power_limit_mw: Option<i64>,
    pub alerts_by_severity: BTreeMap<String, i64>,
}

/// Every device with its node, model, leases, MIG instances and latest fresh sample.
const FLEET_CTE: &str = "
WITH fleet AS (
    SELECT d.id, d.status, d.memory_total_mib, d.power_limit_mw, n.cluster, n.status AS node_status,
           m.name AS model,
           (SELECT count(*) FROM allocations a WHERE a.device_id = d.id AND a.state = 'active') AS leases,
           (SELECT count(*) FROM allocations a WHERE a.device_id = d.id AND a.state = 'active'
                AND a.mig_instance_id IS NOT NULL) AS mig_leases,
           (SELECT count(*) FROM mig_instances mi WHERE mi.device_id = d.id) AS migs,
           s.gpu_util, s.mem_used_mib, s.power_mw
    FROM devices d
    JOIN nodes n ON n.id = d.node_id
    LEFT JOIN gpu_models m ON m.id = d.model_id
    LEFT JOIN samples s ON s.device_id = d.id
         AND s.ts = (SELECT max(ts) FROM samples WHERE device_id = d.id)
         AND s.ts >= ?1
)";

/// Statistics per group. `fresh_since`: samples older than this do not count as current.
pub fn group_stats(
    conn: &Connection,
    grouping: Grouping,
    fresh_since: i64,
) -> Result<Vec<GroupStats>> {
    let key = grouping.key();
    let sql = format!(
        "{FLEET_CTE}
        SELECT {key} AS k,
               sum(status <> 'retired'),
               sum(status <> 'retired' AND leases > 0),
               sum(status = 'active' AND node_status = 'ready' AND leases = 0
                   AND (migs = 0 OR mig_leases < migs)),
               sum(status = 'faulty'),
               sum(status = 'maintenance'),
               sum(status = 'retired'),
               sum(migs),
               sum(mig_leases),
               count(CASE WHEN gpu_util IS NOT NULL OR mem_used_mib IS NOT NULL OR power_mw IS NOT NULL THEN 1 END),
               avg(gpu_util), max(gpu_util),
               sum(mem_used_mib), sum(CASE WHEN mem_used_mib IS NOT NULL THEN memory_total_mib END),
               sum(power_mw), sum(CASE WHEN power_mw IS NOT NULL THEN power_limit_mw END)
        FROM fleet GROUP BY k ORDER BY k"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut groups: Vec<GroupStats> = stmt
        .query_map(params![fresh_since], |r| {
            Ok(GroupStats {
                key: r.get(0)?,
                gpus_total: r.get::<_, Option<i64>>(1)?.unwrap_or(0),
                gpus_allocated: r.get::<_, Option<i64>>(2)?.unwrap_or(0),
                gpus_free: r.get::<_, Option<i64>>(3)?.unwrap_or(0),
                gpus_faulty: r.get::<_, Option<i64>>(4)?.unwrap_or(0),
                gpus_maintenance: r.get::<_, Option<i64>>(5)?.unwrap_or(0),
                gpus_retired: r.get::<_, Option<i64>>(6)?.unwrap_or(0),
                mig_instances: r.get::<_, Option<i64>>(7)?.unwrap_or(0),
                mig_allocated: r.get::<_, Option<i64>>(8)?.unwrap_or(0),
                gpus_reporting: r.get(9)?,
                gpu_util_avg: r.get(10)?,
                gpu_util_max: r.get(11)?,
                memory_used_mib: r.get(12)?,
                memory_total_mib: r.get(13)?,
                power_draw_mw: r.get(14)?,
                power_limit_mw: r.get(15)?,
                ..GroupStats::default()
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    // Nodes and alerts are counted apart: a node without GPUs still counts, and so does its alert.
    if grouping != Grouping::Model {
        let node_key = if grouping == Grouping::Cluster {
            "cluster"
        } else {
            "''"
        };
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {node_key}, status, count(*) FROM nodes GROUP BY 1, 2"
        ))?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?;
        for row in rows {
            let (k, status, count) = row?;
            group_for(&mut groups, &k)
                .nodes_by_status
                .insert(status, count);
        }
    }
    let alert_key = match grouping {
        Grouping::Overall => "''",
        Grouping::Cluster => "ifnull(n.cluster, 'unknown')",
        Grouping::Model => "ifnull(m.name, 'unknown')",
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {alert_key}, a.severity, count(*)
         FROM alerts a
         LEFT JOIN nodes n ON n.name = a.node
         LEFT JOIN devices d ON d.uuid = a.device_uuid
         LEFT JOIN gpu_models m ON m.id = d.model_id
         WHERE a.state <> 'resolved' GROUP BY 1, 2"
    ))?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })?;
    for row in rows {
        let (k, severity, count) = row?;
        group_for(&mut groups, &k)
            .alerts_by_severity
            .insert(severity, count);
    }
    groups.sort_by(|a, b| a.key.cmp(&b.key));
    if grouping == Grouping::Overall && groups.is_empty() {
        groups.push(GroupStats::default());
    }
    Ok(groups)
}

fn group_for<'a>(groups: &'a mut Vec<GroupStats>, key: &str) -> &'a mut GroupStats {
    let index = match groups.iter().position(|g| g.key == key) {
        Some(index) => index,
        None => {
            groups.push(GroupStats {
                key: key.to_string(),
                ..GroupStats::default()
            });
            groups.len() - 1
        }
    };
    &mut groups[index]
}
