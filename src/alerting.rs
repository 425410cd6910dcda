//! Turning samples into alerts: each enabled rule is checked against each GPU a collect run saw
//! (or missed). One open alert per (rule, GPU): a repeat updates it, a cleared condition resolves
//! it, and every transition writes an event.

use std::collections::HashMap;

use rusqlite::Connection;
use serde::Serialize;

use crate::domain::{Alert, AlertRule, AlertState, NewEvent};
use crate::error::Result;
use crate::store::metrics::{self, Metric};
use crate::store::{alerts, events};

/// The rule metrics that are not plain sample columns.
pub const SECONDS_SINCE_SEEN: &str = "seconds_since_seen";
pub const LEASED_GPU_UTIL: &str = "leased_gpu_util_pct";

/// Every metric a rule may name.
pub fn metric_names() -> Vec<&'static str> {
    let mut names: Vec<&str> = Metric::ALL.iter().map(|m| m.name()).collect();
    names.extend([SECONDS_SINCE_SEEN, LEASED_GPU_UTIL]);
    names
}

/// A GPU the run sampled.
#[derive(Debug, Clone)]
pub struct SeenGpu {
    pub device_id: i64,
    pub uuid: String,
    pub node: String,
}

/// A GPU of the node's inventory that the run did not see.
#[derive(Debug, Clone)]
pub struct MissingGpu {
    pub uuid: String,
    pub node: String,
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

pub fn evaluate(
    conn: &Connection,
    now: i64,
    seen: &[SeenGpu],
    missing: &[MissingGpu],
    actor: Option<&str>,
) -> Result<Transitions> {
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
        let mut verdicts: Vec<(&str, &str, Verdict)> = Vec::new();
        if rule.metric == SECONDS_SINCE_SEEN {
            for gpu in missing {
                let since = gpu.last_seen_at.unwrap_or(gpu.registered_at);
                let age = (now - since) as f64;
                let verdict = if compare(age, &rule.comparison, rule.threshold) {
                    Verdict::Firing(Some(age))
                } else {
                    Verdict::Clear
                };
                verdicts.push((&gpu.uuid, &gpu.node, verdict));
            }
            // A GPU seen by this run is reporting again.
            verdicts.extend(
                seen.iter()
                    .map(|g| (g.uuid.as_str(), g.node.as_str(), Verdict::Clear)),
            );
        } else {
            for gpu in seen {
                verdicts.push((&gpu.uuid, &gpu.node, judge(conn, now, &rule, gpu)?));
            }
        }
        for (uuid, node, verdict) in verdicts {
            apply(
                conn,
                &mut open,
                now,
                &rule,
                uuid,
                node,
                verdict,
                actor,
                &mut transitions,
            )?;
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
            if !alerts::device_has_active_lease(conn, gpu.device_id)? {
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

#[allow(clippy::too_many_arguments)] // one call site per verdict; a struct would only rename them
fn apply(
    conn: &Connection,
    open: &mut HashMap<(String, String), Alert>,
    now: i64,
    rule: &AlertRule,
    uuid: &str,
    node: &str,
    verdict: Verdict,
    actor: Option<&str>,
    transitions: &mut Transitions,
) -> Result<()> {
    let open = open.remove(&(rule.name.clone(), uuid.to_string()));
    let event = |kind: &str, id: i64, old: Option<&str>, new: &str| NewEvent {
        at: now,
        kind: kind.to_string(),
        subject: format!("alert/{id}"),
        node: Some(node.to_string()),
        field: Some("state".into()),
        old_value: old.map(String::from),
        new_value: Some(new.to_string()),
        reason: Some(format!("{} on {uuid}", rule.name)),
        actor: actor.map(String::from),
    };
    match (verdict, open) {
        (Verdict::Firing(value), Some(mut alert)) => {
            alert.last_seen_at = now;
            alert.value = value;
            alert.threshold = Some(rule.threshold);
            alert.severity = rule.severity;
            alert.message = message(rule, value);
            alerts::touch(conn, &alert)?;
            transitions.repeated.push(alert.id);
        }
        (Verdict::Firing(value), None) => {
            let alert = Alert {
                id: 0,
                rule: rule.name.clone(),
                device: Some(uuid.to_string()),
                node: Some(node.to_string()),
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
            };
            let id = alerts::insert(conn, &alert)?;
            events::record(conn, &event("alert.firing", id, None, "firing"))?;
            transitions.fired.push(id);
        }
        (Verdict::Clear, Some(alert)) => {
            alerts::resolve(conn, alert.id, now)?;
            events::record(
                conn,
                &event(
                    "alert.resolved",
                    alert.id,
                    Some(alert.state.as_str()),
                    "resolved",
                ),
            )?;
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
