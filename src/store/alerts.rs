//! Alert rules and alerts.

use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};

use crate::domain::{Alert, AlertRule, AlertState, Severity};
use crate::error::{Error, Result};

fn parse_word<T: std::str::FromStr<Err = Error>>(row: &Row, column: usize) -> rusqlite::Result<T> {
    let text: String = row.get(column)?;
    text.parse().map_err(|e: Error| {
        rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, e.into())
    })
}

const RULE_COLUMNS: &str =
    "name, description, metric, comparison, threshold, for_secs, severity, enabled, builtin, updated_at";

fn rule_from_row(row: &Row) -> rusqlite::Result<AlertRule> {
    Ok(AlertRule {
        name: row.get(0)?,
        description: row.get(1)?,
        metric: row.get(2)?,
        comparison: row.get(3)?,
        threshold: row.get(4)?,
        for_secs: row.get(5)?,
        severity: parse_word(row, 6)?,
        enabled: row.get(7)?,
        builtin: row.get(8)?,
        updated_at: row.get(9)?,
    })
}

pub fn rules(conn: &Connection) -> Result<Vec<AlertRule>> {
    let sql = format!("SELECT {RULE_COLUMNS} FROM alert_rules ORDER BY name");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([], rule_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn rule(conn: &Connection, name: &str) -> Result<Option<AlertRule>> {
    let sql = format!("SELECT {RULE_COLUMNS} FROM alert_rules WHERE name = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([name], rule_from_row)
        .optional()?)
}

pub fn update_rule(conn: &Connection, rule: &AlertRule) -> Result<()> {
    conn.prepare_cached(
        "UPDATE alert_rules SET threshold = ?2, for_secs = ?3, severity = ?4, enabled = ?5,
                                updated_at = ?6
         WHERE name = ?1",
    )?
    .execute(params![
        rule.name,
        rule.threshold,
        rule.for_secs,
        rule.severity.as_str(),
        rule.enabled,
        rule.updated_at
    ])?;
    Ok(())
}

const ALERT_COLUMNS: &str =
    "id, rule, device_uuid, node, severity, state, first_seen_at, last_seen_at,
    value, threshold, message, ack_note, acked_at, resolved_at, resolution, cluster,
    (SELECT c.id FROM alerts c
         JOIN alert_rules cr ON cr.name = c.rule
         JOIN alert_rules wr ON wr.name = alerts.rule
     WHERE alerts.severity = 'warning' AND alerts.state <> 'resolved'
       AND c.device_uuid = alerts.device_uuid AND c.state <> 'resolved'
       AND c.severity = 'critical' AND cr.metric = wr.metric
     ORDER BY c.id LIMIT 1)";

/// An open warning with an open critical alert of the same GPU and metric: not counted apart.
pub(crate) const SUPPRESSED: &str = "EXISTS (SELECT 1 FROM alerts c
         JOIN alert_rules cr ON cr.name = c.rule
         JOIN alert_rules wr ON wr.name = a.rule
     WHERE a.severity = 'warning' AND c.device_uuid = a.device_uuid AND c.state <> 'resolved'
       AND c.severity = 'critical' AND cr.metric = wr.metric)";

fn alert_from_row(row: &Row) -> rusqlite::Result<Alert> {
    Ok(Alert {
        id: row.get(0)?,
        rule: row.get(1)?,
        device: row.get(2)?,
        node: row.get(3)?,
        severity: parse_word(row, 4)?,
        state: parse_word(row, 5)?,
        first_seen_at: row.get(6)?,
        last_seen_at: row.get(7)?,
        value: row.get(8)?,
        threshold: row.get(9)?,
        message: row.get(10)?,
        ack_note: row.get(11)?,
        acked_at: row.get(12)?,
        resolved_at: row.get(13)?,
        resolution: row.get(14)?,
        cluster: row.get(15)?,
        suppressed_by: row.get(16)?,
    })
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<Alert>> {
    let sql = format!("SELECT {ALERT_COLUMNS} FROM alerts WHERE id = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], alert_from_row)
        .optional()?)
}

/// The open (firing or acknowledged) alerts of these GPUs, in one query.
pub fn open_for_devices(conn: &Connection, uuids: &[&str]) -> Result<Vec<Alert>> {
    if uuids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {ALERT_COLUMNS} FROM alerts WHERE state <> 'resolved' AND device_uuid IN ({})",
        vec!["?"; uuids.len()].join(", ")
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params_from_iter(uuids.iter()), alert_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Inserts a firing alert; returns its id.
pub fn insert(conn: &Connection, alert: &Alert) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO alerts (rule, device_uuid, node, severity, state, first_seen_at, last_seen_at,
                             value, threshold, message, cluster)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        alert.rule,
        alert.device,
        alert.node,
        alert.severity.as_str(),
        alert.state.as_str(),
        alert.first_seen_at,
        alert.last_seen_at,
        alert.value,
        alert.threshold,
        alert.message,
        alert.cluster,
    ])?;
    Ok(conn.last_insert_rowid())
}

/// A repeat of an open alert: new last-seen time, value, severity and message.
pub fn touch(conn: &Connection, alert: &Alert) -> Result<()> {
    conn.prepare_cached(
        "UPDATE alerts SET last_seen_at = ?2, value = ?3, threshold = ?4, severity = ?5, message = ?6
         WHERE id = ?1",
    )?
    .execute(params![
        alert.id,
        alert.last_seen_at,
        alert.value,
        alert.threshold,
        alert.severity.as_str(),
        alert.message
    ])?;
    Ok(())
}

pub fn acknowledge(conn: &Connection, id: i64, at: i64, note: Option<&str>) -> Result<()> {
    conn.prepare_cached(
        "UPDATE alerts SET state = 'acknowledged', acked_at = ?2, ack_note = ?3 WHERE id = ?1",
    )?
    .execute(params![id, at, note])?;
    Ok(())
}

pub fn resolve(conn: &Connection, id: i64, at: i64, resolution: &str) -> Result<()> {
    conn.prepare_cached(
        "UPDATE alerts SET state = 'resolved', resolved_at = ?2, resolution = ?3 WHERE id = ?1",
    )?
    .execute(params![id, at, resolution])?;
    Ok(())
}

/// The open alerts of a node's GPUs and of the node itself.
pub fn open_for_node(conn: &Connection, node_id: i64) -> Result<Vec<Alert>> {
    let sql = format!(
        "SELECT {ALERT_COLUMNS} FROM alerts WHERE state <> 'resolved'
           AND (device_uuid IN (SELECT uuid FROM devices WHERE node_id = ?1)
                OR (node, cluster) = (SELECT name, cluster FROM nodes WHERE id = ?1))"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([node_id], alert_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// What `alert list` filters on.
#[derive(Debug, Default, Clone)]
pub struct AlertFilter {
    pub states: Vec<AlertState>,
    pub severity: Option<Severity>,
    pub node: Option<String>,
    pub cluster: Option<String>,
    /// Only alerts of this GPU (its full UUID).
    pub device: Option<String>,
}

/// One page of the alerts matching `filter`, most severe and newest first, and how many
/// match in all.
pub fn list(
    conn: &Connection,
    filter: &AlertFilter,
    page: super::Page,
) -> Result<(Vec<Alert>, i64)> {
    let mut clauses = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    if !filter.states.is_empty() {
        clauses.push(format!(
            "state IN ({})",
            vec!["?"; filter.states.len()].join(", ")
        ));
        values.extend(filter.states.iter().map(|s| Value::Text(s.as_str().into())));
    }
    if let Some(severity) = filter.severity {
        clauses.push("severity = ?".into());
        values.push(Value::Text(severity.as_str().into()));
    }
    for (clause, value) in [
        ("node = ?", &filter.node),
        ("cluster = ?", &filter.cluster),
        ("device_uuid = ?", &filter.device),
    ] {
        if let Some(value) = value {
            clauses.push(clause.into());
            values.push(Value::Text(value.clone()));
        }
    }
    let where_sql = super::where_all(&clauses);
    let sql = format!(
        "SELECT {ALERT_COLUMNS} FROM alerts {where_sql}
         ORDER BY state = 'resolved',
                  CASE severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END,
                  last_seen_at DESC, id DESC{}",
        page.sql()
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt
        .query_map(params_from_iter(values.iter()), alert_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let select = format!("SELECT 1 FROM alerts {where_sql}");
    let total = page.total(conn, &select, &values, rows.len())?;
    Ok((rows, total))
}

/// Whether a GPU (by UUID) still has a lease that holds it at `at`.
pub fn device_has_active_lease_at(conn: &Connection, uuid: &str, at: i64) -> Result<bool> {
    Ok(conn
        // The device's own leases, not every active lease of the fleet (see devices::node_counts).
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM allocations a INDEXED BY allocations_by_device
                JOIN devices d ON d.id = a.device_id
                WHERE d.uuid = ?1 AND a.state = 'active' AND a.expires_at > ?2)",
        )?
        .query_row(params![uuid, at], |r| r.get(0))?)
}

/// One lease of a GPU, as far as the alert rules ask whether it was leased at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeaseSpan {
    pub started_at: i64,
    pub expires_at: i64,
    pub active: bool,
    pub ended_at: Option<i64>,
}

impl LeaseSpan {
    /// Leased at `at`: started, not expired, and still active or ended later.
    pub fn covers(&self, at: i64) -> bool {
        self.started_at <= at
            && self.expires_at > at
            && (self.active || self.ended_at.is_some_and(|ended| ended > at))
    }
}

/// Every lease a GPU has had (leases of its MIG instances included).
pub fn lease_spans(conn: &Connection, device_id: i64) -> Result<Vec<LeaseSpan>> {
    let mut stmt = conn.prepare_cached(
        "SELECT started_at, expires_at, state = 'active', ended_at FROM allocations
         WHERE device_id = ?1",
    )?;
    let rows = stmt.query_map([device_id], |r| {
        Ok(LeaseSpan {
            started_at: r.get(0)?,
            expires_at: r.get(1)?,
            active: r.get(2)?,
            ended_at: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
