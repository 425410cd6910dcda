//! The audit log: every change writes one row here, in the transaction of the change itself.

use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};

use crate::domain::{Event, EventKind, NewEvent};
use crate::error::Result;

pub fn record(conn: &Connection, event: &NewEvent) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO events (at, kind, subject, node, field, old_value, new_value, reason, actor,
                             cluster)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        event.at,
        event.kind.as_str(),
        event.subject,
        event.node,
        event.field,
        event.old_value,
        event.new_value,
        event.reason,
        event.actor,
        event.cluster,
    ])?;
    Ok(conn.last_insert_rowid())
}

const EVENT_COLUMNS: &str =
    "id, at, kind, subject, node, field, old_value, new_value, reason, actor, cluster";

fn event_from_row(row: &Row) -> rusqlite::Result<Event> {
    Ok(Event {
        id: row.get(0)?,
        at: row.get(1)?,
        kind: row.get(2)?,
        subject: row.get(3)?,
        node: row.get(4)?,
        field: row.get(5)?,
        old_value: row.get(6)?,
        new_value: row.get(7)?,
        reason: row.get(8)?,
        actor: row.get(9)?,
        cluster: row.get(10)?,
    })
}

/// Events about one node (its own changes and its GPUs'), newest first.
pub fn for_node(
    conn: &Connection,
    cluster: &str,
    node: &str,
    since: Option<i64>,
    limit: i64,
) -> Result<Vec<Event>> {
    Ok(page_for_node(conn, cluster, node, since, super::Page::first(limit))?.0)
}

/// One page of [`for_node`], and how many events there are in all.
pub fn page_for_node(
    conn: &Connection,
    cluster: &str,
    node: &str,
    since: Option<i64>,
    page: super::Page,
) -> Result<(Vec<Event>, i64)> {
    let values = [
        Value::Text(node.to_string()),
        Value::Text(cluster.to_string()),
        Value::Integer(since.unwrap_or(i64::MIN)),
    ];
    let where_sql = "WHERE node = ?1 AND cluster = ?2 AND at >= ?3";
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM events {where_sql} ORDER BY at DESC, id DESC{}",
        page.sql()
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt
        .query_map(params_from_iter(values.iter()), event_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let select = format!("SELECT 1 FROM events {where_sql}");
    let total = page.total(conn, &select, &values, rows.len())?;
    Ok((rows, total))
}

/// A node moved to another cluster: its history (and open alerts) go with it.
pub fn move_node(conn: &Connection, from: &str, to: &str, node: &str) -> Result<()> {
    for table in ["events", "alerts"] {
        conn.prepare_cached(&format!(
            "UPDATE {table} SET cluster = ?2 WHERE node = ?3 AND cluster = ?1"
        ))?
        .execute(params![from, to, node])?;
    }
    Ok(())
}

/// The clusters whose history mentions a node called `node` (history outlives the node).
pub fn clusters_with_history(conn: &Connection, node: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT cluster FROM events WHERE node = ?1 AND cluster IS NOT NULL
         ORDER BY cluster",
    )?;
    let rows = stmt.query_map([node], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The newest events except those of one kind (the per-run log), newest first.
pub fn recent_changes(conn: &Connection, limit: i64, except_kind: EventKind) -> Result<Vec<Event>> {
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE kind <> ?2 ORDER BY at DESC, id DESC LIMIT ?1"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![limit, except_kind.as_str()], event_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One page of the events of every kind, newest first, and how many there are in all.
pub fn recent(conn: &Connection, page: super::Page) -> Result<(Vec<Event>, i64)> {
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM events ORDER BY at DESC, id DESC{}",
        page.sql()
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt
        .query_map([], event_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let total = page.total(conn, "SELECT 1 FROM events", &[], rows.len())?;
    Ok((rows, total))
}

/// The newest `collect.run` event of a run that read `source` (its value starts
/// `source=NAME `), if retention has kept one.
pub fn newest_collect_run_from(conn: &Connection, source: &str) -> Result<Option<Event>> {
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM events
         WHERE kind = ?1 AND substr(new_value, 1, length(?2)) = ?2
         ORDER BY at DESC, id DESC LIMIT 1"
    );
    let prefix = format!("source={source} ");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(
            params![EventKind::CollectRun.as_str(), prefix],
            event_from_row,
        )
        .optional()?)
}

/// Deletes events of one kind older than `before` (the per-run `collect.run` log).
pub fn prune_kind(conn: &Connection, kind: EventKind, before: i64) -> Result<usize> {
    Ok(conn
        .prepare_cached("DELETE FROM events WHERE kind = ?1 AND at < ?2")?
        .execute(params![kind.as_str(), before])?)
}
