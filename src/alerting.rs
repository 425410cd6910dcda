//! Turning samples into alerts: each enabled rule is checked against each GPU a collect run saw
//! (or missed). One open alert per (rule, GPU): a repeat updates it, a cleared condition resolves
//! it, and every transition writes an event.

use std::collections::HashMap;

use rusqlite::{Connection, Transaction};
use serde::Serialize;

use crate::domain::{Alert, AlertRule, AlertState};
use crate::error::Result;
use crate::inventory::{Inventory, Stamp};
use crate::store::alerts;
use crate::store::metrics::{self, Metric};

/// The rule metrics that are not plain sample columns.
pub const SECONDS_SINCE_SEEN: &str = "seconds_since_seen";
pub const LEASED_GPU_UTIL: &str = "leased_gpu_util_pct";

/// A GPU the run sampled.
#[derive(Debug, Clone)]
pub struct SeenGpu {
    pub device_id: i64,
    pub uuid: String,
    pub node: String,
    pub cluster: String,
}

/// A GPU of the node's inventory that the run did not see.
#[derive(Debug, Clone)]
pub struct MissingGpu {
    pub uuid: String,
    pub node: String,
    pub cluster: String,
    pub last_seen_at: Option<i64>,
    pub registered_at: i64,
}

/// What evaluation changed.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Transitions {
    pub fired: Vec<i64>,
    pub repeated: Vec<i64>,
    pub resolved: Vec<i64>,
}

/// The verdict of one rule on one GPU: firing with a value, or clear.
enum Verdict {
    Firing(Option<f64>),
    Clear,
}

/// [`evaluate`] for a caller holding a write transaction (the benches and tests), at `now`.
pub fn evaluate_in_transaction(
    tx: &Transaction,
    now: i64,
    seen: &[SeenGpu],
    missing: &[MissingGpu],
    actor: Option<&str>,
) -> Result<Transitions> {
    evaluate(&Inventory::new(tx, Stamp::new(now, actor)), seen, missing)
}

/// Judges every enabled rule on the GPUs a run saw or missed, at the inventory's time, and
/// fires, repeats or resolves their alerts through it.
pub(crate) fn evaluate(
    inv: &Inventory,
    seen: &[SeenGpu],
    missing: &[MissingGpu],
) -> Result<Transitions> {
    let conn = inv.conn();
    let now = inv.now();
    let mut transitions = Transitions::default();
    // Every open alert of these GPUs in one query, taken out as each (rule, GPU) is judged.
    let uuids: Vec<&str> = seen
        .iter()
        .map(|g| g.uuid.as_str())
        .chain(missing.iter().map(|g| g.uuid.as_str()))
        .collect();
    let mut open: HashMap<(String, String), Alert> = HashMap::new();
    for alert in alerts::open_for_devices(conn, &uuids)? {
        if let Some(uuid) = alert.device.clone() {
            open.insert((alert.rule.clone(), uuid), alert);
        }
    }
    for rule in alerts::rules(conn)?.into_iter().filter(|r| r.enabled) {
        // Each GPU this rule speaks about, with its verdict.
        let mut verdicts: Vec<(&str, (&str, &str), Verdict)> = Vec::new();
        if rule.metric == SECONDS_SINCE_SEEN {
            for gpu in missing {
                let since = gpu.last_seen_at.unwrap_or(gpu.registered_at);
                let age = (now - since) as f64;
                let verdict = if compare(age, &rule.comparison, rule.threshold) {
                    Verdict::Firing(Some(age))
                } else {
                    Verdict::Clear
                };
                verdicts.push((&gpu.uuid, (&gpu.cluster, &gpu.node), verdict));
            }
            // A GPU seen by this run is reporting again.
            verdicts.extend(seen.iter().map(|g| {
                (
                    g.uuid.as_str(),
                    (g.cluster.as_str(), g.node.as_str()),
                    Verdict::Clear,
                )
            }));
        } else {
            for gpu in seen {
                verdicts.push((
                    &gpu.uuid,
                    (&gpu.cluster, &gpu.node),
                    judge(conn, now, &rule, gpu)?,
                ));
            }
        }
        for (uuid, node, verdict) in verdicts {
            apply(inv, &mut open, &rule, uuid, node, verdict, &mut transitions)?;
        }
    }
    Ok(transitions)
}

fn compare(value: f64, comparison: &str, threshold: f64) -> bool {
    match comparison {
        ">" => value > threshold,
        ">=" => value >= threshold,
        "<" => value < threshold,
        _ => value <= threshold,
    }
}

fn judge(conn: &Connection, now: i64, rule: &AlertRule, gpu: &SeenGpu) -> Result<Verdict> {
    let metric = match rule.metric.as_str() {
        LEASED_GPU_UTIL => {
            if !alerts::device_leased_at(conn, gpu.device_id, now)? {
                return Ok(Verdict::Clear);
            }
            Metric::GpuUtil
        }
        name => match Metric::parse(name) {
            Some(metric) => metric,
            // A rule naming a metric this gpuctl does not know never fires.
            None => return Ok(Verdict::Clear),
        },
    };
    // A rule without a duration judges the newest sample, however old, as the device row
    // keeps it; a rule with one judges every sample of its window.
    if rule.for_secs == 0 {
        return Ok(match metrics::latest_value(conn, gpu.device_id, metric)? {
            Some(value) if compare(value, &rule.comparison, rule.threshold) => {
                Verdict::Firing(Some(value))
            }
            _ => Verdict::Clear,
        });
    }
    let window_start = now - rule.for_secs;
    let stats = metrics::window_stats(
        conn,
        gpu.device_id,
        metric,
        &rule.comparison,
        rule.threshold,
        window_start,
    )?;
    let held_throughout = stats.samples > 0 && stats.matching == stats.samples;
    if !held_throughout {
        return Ok(Verdict::Clear);
    }
    // The GPU must have been reporting for the whole window, not just since a minute ago.
    let first = alerts::first_sample_ts(conn, gpu.device_id)?.unwrap_or(now);
    if first > window_start {
        return Ok(Verdict::Clear);
    }
    Ok(Verdict::Firing(stats.latest))
}

fn apply(
    inv: &Inventory,
    open: &mut HashMap<(String, String), Alert>,
    rule: &AlertRule,
    uuid: &str,
    (cluster, node): (&str, &str),
    verdict: Verdict,
    transitions: &mut Transitions,
) -> Result<()> {
    let now = inv.now();
    let open = open.remove(&(rule.name.clone(), uuid.to_string()));
    match (verdict, open) {
        (Verdict::Firing(value), Some(mut alert)) => {
            alert.last_seen_at = now;
            alert.value = value;
            alert.threshold = Some(rule.threshold);
            alert.severity = rule.severity;
            alert.message = message(rule, value);
            inv.repeat_alert(&alert)?;
            transitions.repeated.push(alert.id);
        }
        (Verdict::Firing(value), None) => {
            let mut alert = Alert {
                id: 0,
                rule: rule.name.clone(),
                device: Some(uuid.to_string()),
                node: Some(node.to_string()),
                cluster: Some(cluster.to_string()),
                severity: rule.severity,
                state: AlertState::Firing,
                first_seen_at: now,
                last_seen_at: now,
                value,
                threshold: Some(rule.threshold),
                message: message(rule, value),
                ack_note: None,
                acked_at: None,
                resolved_at: None,
                resolution: None,
                suppressed_by: None,
            };
            transitions.fired.push(inv.fire_alert(&mut alert)?);
        }
        (Verdict::Clear, Some(alert)) => {
            inv.resolve_alert(&alert)?;
            transitions.resolved.push(alert.id);
        }
        (Verdict::Clear, None) => {}
    }
    Ok(())
}

fn message(rule: &AlertRule, value: Option<f64>) -> String {
    let value = value.map_or_else(|| "unknown".to_string(), format_number);
    format!(
        "{}: {} = {value} ({} {})",
        rule.description,
        rule.metric,
        rule.comparison,
        format_number(rule.threshold)
    )
}

fn format_number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value:.1}")
    }
}
