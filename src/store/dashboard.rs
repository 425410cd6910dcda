//! Fleet statistics for the dashboard: one pass over the devices with their latest sample.

use std::collections::BTreeMap;

use rusqlite::{params, Connection};

use crate::domain::RealtimeSort;
use crate::error::Result;
use crate::store::metrics::HOURLY_VALUES;

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
    /// Nodes that hold GPUs of the group (what a per-model view counts).
    pub nodes_with_gpus: i64,
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
    /// GPUs whose latest fresh sample reports utilisation (what the average is over).
    pub gpu_util_n: i64,
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
    SELECT d.id, d.node_id, d.status, d.memory_total_mib, d.power_limit_mw, n.cluster, n.status AS node_status,
           m.name AS model,
           (SELECT count(*) FROM allocations a WHERE a.device_id = d.id AND a.state = 'active'
                AND a.expires_at > gpuctl_now()) AS leases,
           (SELECT count(*) FROM allocations a WHERE a.device_id = d.id AND a.state = 'active'
                AND a.expires_at > gpuctl_now() AND a.mig_instance_id IS NOT NULL) AS mig_leases,
           (SELECT count(*) FROM mig_instances mi WHERE mi.device_id = d.id) AS migs,
           -- The newest sample, kept on the device row; only a fresh one counts as current.
           CASE WHEN d.latest_ts >= ?1 THEN d.latest_gpu_util END AS gpu_util,
           CASE WHEN d.latest_ts >= ?1 THEN d.latest_mem_used_mib END AS mem_used_mib,
           CASE WHEN d.latest_ts >= ?1 THEN d.latest_power_mw END AS power_mw
    FROM devices d
    JOIN nodes n ON n.id = d.node_id
    LEFT JOIN gpu_models m ON m.id = d.model_id
)";

/// The statements behind [`group_stats`]: the device aggregates (`?1`: fresh since), the
/// nodes by status (none per model) and the open alerts by severity. Public so the fleet
/// benchmark can time the very same SQL bare.
pub struct StatsQueries {
    pub devices: String,
    pub nodes: Option<String>,
    pub alerts: String,
}

impl StatsQueries {
    pub fn new(grouping: Grouping) -> StatsQueries {
        let key = grouping.key();
        let devices = format!(
            "{FLEET_CTE}
            SELECT {key} AS k,
                   sum(status <> 'retired'),
                   sum(status <> 'retired' AND leases > 0),
                   sum(status = 'active' AND node_status = 'ready' AND leases = 0),
                   sum(status = 'faulty'),
                   sum(status = 'maintenance'),
                   sum(status = 'retired'),
                   sum(migs),
                   sum(mig_leases),
                   count(CASE WHEN gpu_util IS NOT NULL OR mem_used_mib IS NOT NULL OR power_mw IS NOT NULL THEN 1 END),
                   avg(gpu_util), max(gpu_util),
                   sum(mem_used_mib), sum(CASE WHEN mem_used_mib IS NOT NULL THEN memory_total_mib END),
                   sum(power_mw), sum(CASE WHEN power_mw IS NOT NULL THEN power_limit_mw END),
                   count(DISTINCT node_id), count(gpu_util)
            FROM fleet GROUP BY k ORDER BY k"
        );
        // Nodes and alerts are counted apart: a node without GPUs still counts, and so does its
        // alert.
        let nodes = match grouping {
            Grouping::Model => None,
            Grouping::Cluster => Some("SELECT cluster, status, count(*) FROM nodes GROUP BY 1, 2"),
            Grouping::Overall => Some("SELECT '', status, count(*) FROM nodes GROUP BY 1, 2"),
        };
        let alert_key = match grouping {
            Grouping::Overall => "''",
            Grouping::Cluster => "ifnull(n.cluster, 'unknown')",
            Grouping::Model => "ifnull(m.name, 'unknown')",
        };
        let alerts = format!(
            "SELECT {alert_key}, a.severity, count(*)
             FROM alerts a
             LEFT JOIN nodes n ON n.name = a.node
             LEFT JOIN devices d ON d.uuid = a.device_uuid
             LEFT JOIN gpu_models m ON m.id = d.model_id
             WHERE a.state <> 'resolved' AND NOT {suppressed} GROUP BY 1, 2",
            suppressed = super::alerts::SUPPRESSED
        );
        StatsQueries {
            devices,
            nodes: nodes.map(String::from),
            alerts,
        }
    }
}

/// Statistics per group. `fresh_since`: samples older than this do not count as current.
pub fn group_stats(
    conn: &Connection,
    grouping: Grouping,
    fresh_since: i64,
) -> Result<Vec<GroupStats>> {
    let queries = StatsQueries::new(grouping);
    let mut stmt = conn.prepare_cached(&queries.devices)?;
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
                nodes_with_gpus: r.get(16)?,
                gpu_util_n: r.get(17)?,
                ..GroupStats::default()
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    if let Some(sql) = &queries.nodes {
        for (k, status, count) in keyed_counts(conn, sql)? {
            group_for(&mut groups, &k)
                .nodes_by_status
                .insert(status, count);
        }
    }
    for (k, severity, count) in keyed_counts(conn, &queries.alerts)? {
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

/// The (group key, word, count) rows of a `GROUP BY 1, 2` count.
fn keyed_counts(conn: &Connection, sql: &str) -> Result<Vec<(String, String, i64)>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
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

/// `dashboard realtime`'s statement: every GPU with a newest sample, by node name and index.
/// Public so the fleet benchmark can time the very same SQL bare.
pub const REALTIME_SQL: &str = "
SELECT n.name AS node, d.idx, d.uuid, m.name AS model, d.latest_gpu_util, d.latest_mem_used_mib,
       d.memory_total_mib, d.latest_temp_c, d.latest_power_mw, d.power_limit_mw, d.latest_ts,
       d.workload
FROM devices d
JOIN nodes n ON n.id = d.node_id
LEFT JOIN gpu_models m ON m.id = d.model_id
WHERE d.latest_ts IS NOT NULL
ORDER BY n.name, d.idx";

/// [`REALTIME_SQL`] up to its WHERE: what the filtered and sorted statement starts with.
const REALTIME_SELECT: &str = "
SELECT n.name AS node, d.idx, d.uuid, m.name AS model, d.latest_gpu_util, d.latest_mem_used_mib,
       d.memory_total_mib, d.latest_temp_c, d.latest_power_mw, d.power_limit_mw, d.latest_ts,
       d.workload
FROM devices d
JOIN nodes n ON n.id = d.node_id
LEFT JOIN gpu_models m ON m.id = d.model_id";

/// Which GPUs `dashboard realtime` shows, and in what order; the default is every GPU by
/// node and index, [`REALTIME_SQL`] itself.
#[derive(Debug, Clone, Default)]
pub struct RealtimeQuery {
    pub node_id: Option<i64>,
    pub cluster: Option<String>,
    pub model_id: Option<i64>,
    pub sort: Option<RealtimeSort>,
}

impl RealtimeQuery {
    /// The statement and its parameters: filters as parameters, the order one of a fixed set.
    pub fn sql(&self) -> (String, Vec<rusqlite::types::Value>) {
        use rusqlite::types::Value;
        let mut sql = format!("{REALTIME_SELECT}\nWHERE d.latest_ts IS NOT NULL");
        let mut values = Vec::new();
        if let Some(node_id) = self.node_id {
            sql.push_str(" AND n.id = ?");
            values.push(Value::Integer(node_id));
        }
        if let Some(cluster) = &self.cluster {
            sql.push_str(" AND n.cluster = ?");
            values.push(Value::Text(cluster.clone()));
        }
        if let Some(model_id) = self.model_id {
            sql.push_str(" AND d.model_id = ?");
            values.push(Value::Integer(model_id));
        }
        // Node and index break ties, so the order is the same on every run.
        let order = match self.sort.unwrap_or(RealtimeSort::Node) {
            RealtimeSort::Node => "n.name, d.idx",
            RealtimeSort::Util => "d.latest_gpu_util DESC NULLS LAST, n.name, d.idx",
            RealtimeSort::Memory => "d.latest_mem_used_mib DESC NULLS LAST, n.name, d.idx",
            RealtimeSort::Temp => "d.latest_temp_c DESC NULLS LAST, n.name, d.idx",
            RealtimeSort::Power => "d.latest_power_mw DESC NULLS LAST, n.name, d.idx",
            RealtimeSort::Age => "d.latest_ts, n.name, d.idx",
        };
        sql.push_str("\nORDER BY ");
        sql.push_str(order);
        (sql, values)
    }
}

/// One GPU's newest sample as `dashboard realtime` shows it, its text borrowed from the
/// statement's row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RealtimeSample<'a> {
    pub node: &'a str,
    pub index: i64,
    pub uuid: &'a str,
    pub model: Option<&'a str>,
    pub gpu_util: Option<i64>,
    pub mem_used_mib: Option<i64>,
    pub memory_total_mib: Option<i64>,
    pub temp_c: Option<i64>,
    pub power_mw: Option<i64>,
    pub power_limit_mw: Option<i64>,
    pub ts: i64,
    /// The pods using the GPU, as dcgm-exporter last reported them.
    pub workload: Option<&'a str>,
}

/// Hands every GPU's newest sample to `each` as the statement steps to it, in
/// the query's order: no row is copied or kept, so a fleet of any size costs one row.
pub fn for_each_realtime_sample(
    conn: &Connection,
    query: &RealtimeQuery,
    mut each: impl FnMut(&RealtimeSample<'_>) -> Result<()>,
) -> Result<()> {
    let (sql, values) = query.sql();
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(values.iter()))?;
    while let Some(r) = rows.next()? {
        let sample = RealtimeSample {
            node: borrowed_text(r, 0)?,
            index: r.get(1)?,
            uuid: borrowed_text(r, 2)?,
            model: borrowed_text_or_null(r, 3)?,
            gpu_util: r.get(4)?,
            mem_used_mib: r.get(5)?,
            memory_total_mib: r.get(6)?,
            temp_c: r.get(7)?,
            power_mw: r.get(8)?,
            power_limit_mw: r.get(9)?,
            ts: r.get(10)?,
            workload: borrowed_text_or_null(r, 11)?,
        };
        each(&sample)?;
    }
    Ok(())
}

/// A text column as a slice of the row, checked as UTF-8 as `get::<String>` checks it.
fn borrowed_text<'r>(row: &'r rusqlite::Row, column: usize) -> rusqlite::Result<&'r str> {
    row.get_ref(column)?
        .as_str()
        .map_err(|e| text_error(column, e))
}

fn borrowed_text_or_null<'r>(
    row: &'r rusqlite::Row,
    column: usize,
) -> rusqlite::Result<Option<&'r str>> {
    row.get_ref(column)?
        .as_str_or_null()
        .map_err(|e| text_error(column, e))
}

fn text_error(column: usize, e: rusqlite::types::FromSqlError) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, Box::new(e))
}

/// Which GPUs a trend covers; every given field narrows it.
#[derive(Debug, Default, Clone)]
pub struct TrendScope {
    pub cluster: Option<String>,
    pub node: Option<String>,
    pub model: Option<String>,
    pub device: Option<String>,
}

impl TrendScope {
    fn sql(&self) -> (String, Vec<rusqlite::types::Value>) {
        use rusqlite::types::Value;
        let mut clauses = Vec::new();
        let mut values = Vec::new();
        for (clause, value) in [
            ("n.cluster = ?", &self.cluster),
            ("n.name = ?", &self.node),
            ("(m.name = ? COLLATE NOCASE)", &self.model),
            ("d.uuid = ?", &self.device),
        ] {
            if let Some(value) = value {
                clauses.push(clause);
                values.push(Value::Text(value.clone()));
            }
        }
        let sql = clauses
            .iter()
            .map(|c| format!(" AND {c}"))
            .collect::<String>();
        (sql, values)
    }
}

/// Sums and maxima of one bucket, mergeable across raw samples and rollups.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct BucketParts {
    pub bucket: i64,
    pub samples: i64,
    pub util_sum: f64,
    pub util_n: i64,
    pub util_max: Option<f64>,
    pub mem_pct_sum: f64,
    pub mem_pct_n: i64,
    pub mem_pct_max: Option<f64>,
    pub temp_sum: f64,
    pub temp_n: i64,
    pub temp_max: Option<f64>,
    pub power_sum_mw: f64,
    pub power_n: i64,
    pub power_max_mw: Option<f64>,
}

impl BucketParts {
    pub fn merge(&mut self, other: &BucketParts) {
        let max = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        self.samples += other.samples;
        self.util_sum += other.util_sum;
        self.util_n += other.util_n;
        self.util_max = max(self.util_max, other.util_max);
        self.mem_pct_sum += other.mem_pct_sum;
        self.mem_pct_n += other.mem_pct_n;
        self.mem_pct_max = max(self.mem_pct_max, other.mem_pct_max);
        self.temp_sum += other.temp_sum;
        self.temp_n += other.temp_n;
        self.temp_max = max(self.temp_max, other.temp_max);
        self.power_sum_mw += other.power_sum_mw;
        self.power_n += other.power_n;
        self.power_max_mw = max(self.power_max_mw, other.power_max_mw);
    }
}

fn parts_from_row(r: &rusqlite::Row) -> rusqlite::Result<BucketParts> {
    Ok(BucketParts {
        bucket: r.get(0)?,
        samples: r.get::<_, Option<i64>>(1)?.unwrap_or(0),
        util_sum: r.get::<_, Option<f64>>(2)?.unwrap_or(0.0),
        util_n: r.get::<_, Option<i64>>(3)?.unwrap_or(0),
        util_max: r.get(4)?,
        mem_pct_sum: r.get::<_, Option<f64>>(5)?.unwrap_or(0.0),
        mem_pct_n: r.get::<_, Option<i64>>(6)?.unwrap_or(0),
        mem_pct_max: r.get(7)?,
        temp_sum: r.get::<_, Option<f64>>(8)?.unwrap_or(0.0),
        temp_n: r.get::<_, Option<i64>>(9)?.unwrap_or(0),
        temp_max: r.get(10)?,
        power_sum_mw: r.get::<_, Option<f64>>(11)?.unwrap_or(0.0),
        power_n: r.get::<_, Option<i64>>(12)?.unwrap_or(0),
        power_max_mw: r.get(13)?,
    })
}

/// Per-bucket parts from raw samples in [since, until); buckets start at `since`.
pub fn trend_parts_raw(
    conn: &Connection,
    scope: &TrendScope,
    since: i64,
    until: i64,
    bucket: i64,
) -> Result<Vec<BucketParts>> {
    let (scope_sql, scope_values) = scope.sql();
    // Device by device through the (device_id, ts) key: CROSS JOIN fixes that loop order, which
    // SQLite would otherwise invert into a scan of every sample.
    let sql = format!(
        "SELECT ?1 + ((s.ts - ?1) / ?3) * ?3 AS b, count(*),
                sum(s.gpu_util), count(s.gpu_util), max(s.gpu_util),
                sum(100.0 * s.mem_used_mib / nullif(d.memory_total_mib, 0)),
                count(100.0 * s.mem_used_mib / nullif(d.memory_total_mib, 0)),
                max(100.0 * s.mem_used_mib / nullif(d.memory_total_mib, 0)),
                sum(s.temp_c), count(s.temp_c), max(s.temp_c),
                sum(s.power_mw), count(s.power_mw), max(s.power_mw)
         FROM devices d
         JOIN nodes n ON n.id = d.node_id
         LEFT JOIN gpu_models m ON m.id = d.model_id
         CROSS JOIN samples s ON s.device_id = d.id AND s.ts >= ?1 AND s.ts < ?2
         WHERE 1 = 1 {scope_sql}
         GROUP BY b ORDER BY b"
    );
    bucket_parts(conn, &sql, since, until, bucket, scope_values)
}

/// Per-bucket parts from hourly rollups of hours in [since, until); `bucket` is whole hours.
pub fn trend_parts_hourly(
    conn: &Connection,
    scope: &TrendScope,
    since: i64,
    until: i64,
    bucket: i64,
) -> Result<Vec<BucketParts>> {
    let (scope_sql, scope_values) = scope.sql();
    let sql = format!(
        "SELECT ?1 + ((h.hour - ?1) / ?3) * ?3 AS b, sum(h.n),
                sum(h.gpu_util_avg * h.n), sum(CASE WHEN h.gpu_util_avg IS NOT NULL THEN h.n END), max(h.gpu_util_max),
                sum(100.0 * h.mem_used_avg * h.n / nullif(d.memory_total_mib, 0)),
                sum(CASE WHEN h.mem_used_avg IS NOT NULL AND d.memory_total_mib > 0 THEN h.n END),
                max(100.0 * h.mem_used_max / nullif(d.memory_total_mib, 0)),
                sum(h.temp_avg * h.n), sum(CASE WHEN h.temp_avg IS NOT NULL THEN h.n END), max(h.temp_max),
                sum(h.power_avg * h.n), sum(CASE WHEN h.power_avg IS NOT NULL THEN h.n END), max(h.power_max)
         FROM devices d
         JOIN nodes n ON n.id = d.node_id
         LEFT JOIN gpu_models m ON m.id = d.model_id
         CROSS JOIN ({HOURLY_VALUES}) h ON h.device_id = d.id
             AND h.epoch_hour >= (?1 + 3599) / 3600 AND h.epoch_hour < (?2 + 3599) / 3600
         WHERE 1 = 1 {scope_sql}
         GROUP BY b ORDER BY b"
    );
    bucket_parts(conn, &sql, since, until, bucket, scope_values)
}

impl GroupStats {
    /// The statistics of several groups together (e.g. the fleet from its clusters), so one
    /// pass over the devices serves both views.
    pub fn combine(key: &str, groups: &[GroupStats]) -> GroupStats {
        let sum_opt = |f: &dyn Fn(&GroupStats) -> Option<i64>| -> Option<i64> {
            groups.iter().filter_map(f).reduce(|a, b| a + b)
        };
        let mut total = GroupStats {
            key: key.to_string(),
            ..GroupStats::default()
        };
        for g in groups {
            for (k, v) in &g.nodes_by_status {
                *total.nodes_by_status.entry(k.clone()).or_default() += v;
            }
            for (k, v) in &g.alerts_by_severity {
                *total.alerts_by_severity.entry(k.clone()).or_default() += v;
            }
            total.nodes_with_gpus += g.nodes_with_gpus;
            total.gpus_total += g.gpus_total;
            total.gpus_allocated += g.gpus_allocated;
            total.gpus_free += g.gpus_free;
            total.gpus_faulty += g.gpus_faulty;
            total.gpus_maintenance += g.gpus_maintenance;
            total.gpus_retired += g.gpus_retired;
            total.mig_instances += g.mig_instances;
            total.mig_allocated += g.mig_allocated;
            total.gpus_reporting += g.gpus_reporting;
            total.gpu_util_n += g.gpu_util_n;
        }
        let weighted: f64 = groups
            .iter()
            .filter_map(|g| g.gpu_util_avg.map(|a| a * g.gpu_util_n as f64))
            .sum();
        total.gpu_util_avg = (total.gpu_util_n > 0).then(|| weighted / total.gpu_util_n as f64);
        total.gpu_util_max = groups.iter().filter_map(|g| g.gpu_util_max).max();
        total.memory_used_mib = sum_opt(&|g| g.memory_used_mib);
        total.memory_total_mib = sum_opt(&|g| g.memory_total_mib);
        total.power_draw_mw = sum_opt(&|g| g.power_draw_mw);
        total.power_limit_mw = sum_opt(&|g| g.power_limit_mw);
        total
    }
}

/// Per-bucket parts from the hourly fleet aggregates of hours in [since, until), for a scope of
/// cluster and/or model only (the aggregates do not know nodes or single GPUs). `bucket` is whole
/// hours. The current hour is included: the aggregates grow with every sample.
pub fn trend_parts_fleet(
    conn: &Connection,
    scope: &TrendScope,
    since: i64,
    until: i64,
    bucket: i64,
) -> Result<Vec<BucketParts>> {
    use rusqlite::types::Value;
    let mut filter = String::new();
    let mut values: Vec<Value> = Vec::new();
    if let Some(cluster) = &scope.cluster {
        filter.push_str(" AND f.cluster = ?");
        values.push(Value::Text(cluster.clone()));
    }
    if let Some(model) = &scope.model {
        filter.push_str(
            " AND f.model_id IN (SELECT id FROM gpu_models WHERE name = ? COLLATE NOCASE)",
        );
        values.push(Value::Text(model.clone()));
    }
    let sql = format!(
        "SELECT ?1 + ((f.hour - ?1) / ?3) * ?3 AS b, sum(f.n),
                sum(f.util_sum), sum(f.util_n), max(f.util_max),
                sum(f.mem_pct_sum), sum(f.mem_pct_n), max(f.mem_pct_max),
                sum(f.temp_sum), sum(f.temp_n), max(f.temp_max),
                sum(f.power_sum), sum(f.power_n), max(f.power_max)
         FROM samples_fleet_hourly f
         WHERE f.hour >= ?1 AND f.hour < ?2 {filter}
         GROUP BY b ORDER BY b"
    );
    bucket_parts(conn, &sql, since, until, bucket, values)
}

/// Runs a trend query whose first three parameters are since, until and the bucket size,
/// followed by the scope's values.
fn bucket_parts(
    conn: &Connection,
    sql: &str,
    since: i64,
    until: i64,
    bucket: i64,
    scope_values: Vec<rusqlite::types::Value>,
) -> Result<Vec<BucketParts>> {
    let mut values: Vec<rusqlite::types::Value> = vec![since.into(), until.into(), bucket.into()];
    values.extend(scope_values);
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(values.iter()), parts_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_realtime_query_is_the_statement_the_bench_measures() {
        let (sql, values) = RealtimeQuery::default().sql();
        assert_eq!(sql, REALTIME_SQL);
        assert!(values.is_empty());
    }

    #[test]
    fn realtime_filters_are_parameters_and_sorts_a_fixed_order() {
        let query = RealtimeQuery {
            node_id: Some(7),
            cluster: Some("x' OR 1=1 --".into()),
            model_id: Some(3),
            sort: Some(RealtimeSort::Util),
        };
        let (sql, values) = query.sql();
        assert!(!sql.contains("OR 1=1"), "{sql}");
        assert_eq!(values.len(), 3);
        assert!(sql.ends_with("ORDER BY d.latest_gpu_util DESC NULLS LAST, n.name, d.idx"));
    }
    use crate::store::{Store, DEFAULT_BUSY_TIMEOUT};

    /// Without statistics, SQLite once looked each GPU's active leases up through
    /// `(state, expires_at)`: every active lease of the fleet per GPU (48.7 s for `dashboard` on
    /// a 1,000-node demo store; 0.21 s seeking the GPU's own leases).
    #[test]
    fn the_fleet_statement_seeks_each_gpus_own_leases() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.db"), DEFAULT_BUSY_TIMEOUT).unwrap();
        let sql = format!(
            "EXPLAIN QUERY PLAN {}",
            StatsQueries::new(Grouping::Cluster).devices
        );
        let mut stmt = store.conn().prepare(&sql).unwrap();
        let plan: Vec<String> = stmt
            .query_map([0], |r| r.get::<_, String>(3))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        let leases: Vec<&String> = plan.iter().filter(|l| l.contains(" a ")).collect();
        assert!(leases.len() >= 2, "{plan:#?}");
        for line in leases {
            assert!(
                line.contains("allocations_by_device (device_id=? AND state=?"),
                "{plan:#?}"
            );
        }
    }
}
