//! Alert delivery: the receivers, the outbox of alert transitions, and each receiver's progress
//! through it.

use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::domain::{AlertReceiver, AlertState, ReceiverKind, Severity};
use crate::error::{Error, Result};

fn parse_word<T: std::str::FromStr<Err = Error>>(row: &Row, column: usize) -> rusqlite::Result<T> {
    let text: String = row.get(column)?;
    text.parse().map_err(|e: Error| {
        rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, e.into())
    })
}

/// A receiver about to be added.
#[derive(Debug, Clone)]
pub struct NewReceiver {
    pub name: String,
    pub kind: ReceiverKind,
    pub url: String,
    pub ca_file: Option<String>,
    pub bearer_token_file: Option<String>,
    pub bearer_token_env: Option<String>,
    pub basic_auth_user: Option<String>,
    pub basic_auth_password_file: Option<String>,
    pub basic_auth_password_env: Option<String>,
    pub resend_every_secs: Option<i64>,
}

const RECEIVER_COLUMNS: &str = "r.id, r.name, r.kind, r.url, r.ca_file, r.bearer_token_file,
    r.bearer_token_env, r.basic_auth_user, r.basic_auth_password_file, r.basic_auth_password_env,
    r.resend_secs, r.created_at, r.delivered_through,
    (SELECT count(*) FROM alert_outbox o WHERE o.id > r.delivered_through),
    r.delivered, r.dropped, r.failures, r.next_attempt_at, r.last_attempt_at, r.last_success_at,
    r.last_error, r.resent_at";

fn receiver_from_row(row: &Row) -> rusqlite::Result<AlertReceiver> {
    Ok(AlertReceiver {
        id: row.get(0)?,
        name: row.get(1)?,
        kind: parse_word(row, 2)?,
        url: row.get(3)?,
        ca_file: row.get(4)?,
        bearer_token_file: row.get(5)?,
        bearer_token_env: row.get(6)?,
        basic_auth_user: row.get(7)?,
        basic_auth_password_file: row.get(8)?,
        basic_auth_password_env: row.get(9)?,
        resend_every_secs: row.get(10)?,
        created_at: row.get(11)?,
        delivered_through: row.get(12)?,
        pending: row.get(13)?,
        delivered: row.get(14)?,
        dropped: row.get(15)?,
        failures: row.get(16)?,
        next_attempt_at: row.get(17)?,
        last_attempt_at: row.get(18)?,
        last_success_at: row.get(19)?,
        last_error: row.get(20)?,
        resent_at: row.get(21)?,
    })
}

/// Every receiver, by name.
pub fn receivers(conn: &Connection) -> Result<Vec<AlertReceiver>> {
    let sql = format!("SELECT {RECEIVER_COLUMNS} FROM alert_receivers r ORDER BY r.name");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([], receiver_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn receiver(conn: &Connection, name: &str) -> Result<Option<AlertReceiver>> {
    let sql = format!("SELECT {RECEIVER_COLUMNS} FROM alert_receivers r WHERE r.name = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([name], receiver_from_row)
        .optional()?)
}

/// Adds a receiver whose cursor stands at the newest outbox entry: it gets the transitions
/// made from now on, not the history before it. Returns its id.
pub fn insert_receiver(conn: &Connection, receiver: &NewReceiver, now: i64) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO alert_receivers (name, kind, url, ca_file, bearer_token_file,
             bearer_token_env, basic_auth_user, basic_auth_password_file,
             basic_auth_password_env, resend_secs, created_at, delivered_through)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,
             coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'alert_outbox'), 0))",
    )?
    .execute(params![
        receiver.name,
        receiver.kind.as_str(),
        receiver.url,
        receiver.ca_file,
        receiver.bearer_token_file,
        receiver.bearer_token_env,
        receiver.basic_auth_user,
        receiver.basic_auth_password_file,
        receiver.basic_auth_password_env,
        receiver.resend_every_secs,
        now,
    ])?;
    Ok(conn.last_insert_rowid())
}

pub fn delete_receiver(conn: &Connection, id: i64) -> Result<()> {
    conn.prepare_cached("DELETE FROM alert_receivers WHERE id = ?1")?
        .execute([id])?;
    prune_outbox(conn)?;
    Ok(())
}

/// Copies alert `alert_id` as it now stands into the outbox as a `transition` at `at`, when
/// there is a receiver to deliver it to.
pub fn enqueue(conn: &Connection, alert_id: i64, transition: AlertState, at: i64) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO alert_outbox (key, alert_id, transition, at, rule, description, severity,
             device_uuid, node, cluster, model, value, threshold, message, first_seen_at,
             acked_at, ack_note, resolution)
         SELECT lower(hex(randomblob(16))), a.id, ?2, ?3, a.rule, coalesce(ar.description, a.rule),
             a.severity, a.device_uuid, a.node, a.cluster, m.name, a.value, a.threshold,
             a.message, a.first_seen_at, a.acked_at, a.ack_note, a.resolution
         FROM alerts a
         LEFT JOIN alert_rules ar ON ar.name = a.rule
         LEFT JOIN devices d ON d.uuid = a.device_uuid
         LEFT JOIN gpu_models m ON m.id = d.model_id
         WHERE a.id = ?1 AND EXISTS (SELECT 1 FROM alert_receivers)",
    )?
    .execute(params![alert_id, transition.as_str(), at])?;
    Ok(())
}

/// An alert as a receiver is told it: an outbox entry (a transition), or an open alert sent
/// again.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    /// The outbox entry's id (its place in every receiver's order); None for a resend.
    pub sequence: Option<i64>,
    /// The transition's idempotency key; None for a resend.
    pub key: Option<String>,
    pub alert_id: i64,
    /// What happened: the alert fired, was acknowledged, or resolved (for a resend, its state).
    pub transition: AlertState,
    /// When it happened (for a resend, when the alert was last seen).
    pub at: i64,
    pub rule: String,
    /// The rule's description.
    pub description: String,
    pub severity: Severity,
    pub device_uuid: Option<String>,
    pub node: Option<String>,
    pub cluster: Option<String>,
    /// The GPU's model name.
    pub model: Option<String>,
    pub value: Option<f64>,
    pub threshold: Option<f64>,
    pub message: String,
    pub first_seen_at: i64,
    pub acked_at: Option<i64>,
    pub ack_note: Option<String>,
    pub resolution: Option<String>,
}

const NOTICE_COLUMNS: &str = "id, key, alert_id, transition, at, rule, description, severity,
    device_uuid, node, cluster, model, value, threshold, message, first_seen_at, acked_at,
    ack_note, resolution";

fn notice_from_row(row: &Row) -> rusqlite::Result<Notice> {
    Ok(Notice {
        sequence: row.get(0)?,
        key: row.get(1)?,
        alert_id: row.get(2)?,
        transition: parse_word(row, 3)?,
        at: row.get(4)?,
        rule: row.get(5)?,
        description: row.get(6)?,
        severity: parse_word(row, 7)?,
        device_uuid: row.get(8)?,
        node: row.get(9)?,
        cluster: row.get(10)?,
        model: row.get(11)?,
        value: row.get(12)?,
        threshold: row.get(13)?,
        message: row.get(14)?,
        first_seen_at: row.get(15)?,
        acked_at: row.get(16)?,
        ack_note: row.get(17)?,
        resolution: row.get(18)?,
    })
}

/// The outbox entries after `after`, oldest first, at most `limit`.
pub fn pending(conn: &Connection, after: i64, limit: usize) -> Result<Vec<Notice>> {
    let sql =
        format!("SELECT {NOTICE_COLUMNS} FROM alert_outbox WHERE id > ?1 ORDER BY id LIMIT ?2");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(
        params![after, i64::try_from(limit).unwrap_or(i64::MAX)],
        notice_from_row,
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The open (firing or acknowledged) alerts as they stand, oldest first: what Alertmanager is
/// sent again while they last.
pub fn open_alerts(conn: &Connection) -> Result<Vec<Notice>> {
    let mut stmt = conn.prepare_cached(
        "SELECT NULL, NULL, a.id, a.state, a.last_seen_at, a.rule,
             coalesce(ar.description, a.rule), a.severity, a.device_uuid, a.node, a.cluster,
             m.name, a.value, a.threshold, a.message, a.first_seen_at, a.acked_at, a.ack_note,
             a.resolution
         FROM alerts a
         LEFT JOIN alert_rules ar ON ar.name = a.rule
         LEFT JOIN devices d ON d.uuid = a.device_uuid
         LEFT JOIN gpu_models m ON m.id = d.model_id
         WHERE a.state <> 'resolved'
         ORDER BY a.id",
    )?;
    let rows = stmt.query_map([], notice_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A receiver took the entries up to `through` (`count` of them) at `now`; `dropped` of them
/// it refused for good.
pub fn record_delivered(
    conn: &Connection,
    receiver_id: i64,
    through: i64,
    count: usize,
    dropped: bool,
    now: i64,
    error: Option<&str>,
) -> Result<()> {
    let count = i64::try_from(count).unwrap_or(i64::MAX);
    let (delivered, refused) = if dropped { (0, count) } else { (count, 0) };
    conn.prepare_cached(
        "UPDATE alert_receivers SET delivered_through = max(delivered_through, ?2),
             delivered = delivered + ?3, dropped = dropped + ?4, failures = 0,
             next_attempt_at = NULL, last_attempt_at = ?5,
             last_success_at = CASE WHEN ?4 = 0 THEN ?5 ELSE last_success_at END,
             last_error = ?6
         WHERE id = ?1",
    )?
    .execute(params![
        receiver_id,
        through,
        delivered,
        refused,
        now,
        error
    ])?;
    Ok(())
}

/// A receiver's attempt failed at `now`: counted, with when to try again.
pub fn record_failure(
    conn: &Connection,
    receiver_id: i64,
    now: i64,
    error: &str,
    next_attempt_at: i64,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE alert_receivers SET failures = failures + 1, next_attempt_at = ?3,
             last_attempt_at = ?2, last_error = ?4
         WHERE id = ?1",
    )?
    .execute(params![receiver_id, now, next_attempt_at, error])?;
    Ok(())
}

/// A receiver took the open alerts again at `now`.
pub fn record_resent(conn: &Connection, receiver_id: i64, now: i64) -> Result<()> {
    conn.prepare_cached(
        "UPDATE alert_receivers SET resent_at = ?2, failures = 0, next_attempt_at = NULL,
             last_attempt_at = ?2, last_success_at = ?2, last_error = NULL
         WHERE id = ?1",
    )?
    .execute(params![receiver_id, now])?;
    Ok(())
}

/// Removes the entries every receiver has had (all of them when there is no receiver).
pub fn prune_outbox(conn: &Connection) -> Result<usize> {
    Ok(conn
        .prepare_cached(
            "DELETE FROM alert_outbox
             WHERE id <= coalesce((SELECT min(delivered_through) FROM alert_receivers), id)",
        )?
        .execute([])?)
}

/// How many outbox entries wait for some receiver.
pub fn outbox_len(conn: &Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT count(*) FROM alert_outbox")?
        .query_row([], |r| r.get(0))?)
}
