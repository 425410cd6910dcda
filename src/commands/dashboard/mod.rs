//! `gpuctl dashboard …`: the fleet at a glance, and one view per question.

use std::collections::BTreeMap;
use std::io::Write;

use crate::output::Cell;
use serde::Serialize;

use crate::cli::{
    ActivityArgs, DashboardAlertsArgs, DashboardArgs, DashboardCommand, RealtimeArgs, TrendsArgs,
};
use crate::clock;
use crate::domain::{Alert, AlertState, Event, EventKind};
use crate::error::{Error, Result};
use crate::output::{bar, or_dash, Format, Output, Series, TableRow, TABLE_AND_JSON};
use crate::retention;
use crate::schedule::StopFlag;
use crate::store::alerts::{self, AlertFilter};
use crate::store::dashboard::{self, BucketParts, GroupStats, Grouping, TrendScope};
use crate::store::{events, metrics, Store};
use crate::Ctx;

mod activity;
mod overview;
mod realtime;
mod stats;
mod trends;

use activity::{active_alerts, activity};
pub(crate) use overview::overview;
use realtime::realtime;
use stats::{groups, stats};
use trends::trends;

/// A GPU's latest sample counts as current for this long: three one-minute collect intervals.
pub(crate) const FRESH_SAMPLE_SECS: i64 = 3 * 60;

/// The overview lists this many alerts and events.
const OVERVIEW_ITEMS: i64 = 5;

const HOUR: i64 = 3_600;

pub(crate) fn run(ctx: &Ctx, args: &DashboardArgs) -> Result<()> {
    match &args.command {
        None => overview(ctx),
        Some(DashboardCommand::Stats) => stats(ctx),
        Some(DashboardCommand::Clusters) => groups(ctx, Grouping::Cluster),
        Some(DashboardCommand::Models) => groups(ctx, Grouping::Model),
        Some(DashboardCommand::Trends(args)) => trends(ctx, args),
        Some(DashboardCommand::Alerts(args)) => active_alerts(ctx, args),
        Some(DashboardCommand::Activity(args)) => activity(ctx, args),
        Some(DashboardCommand::Realtime(args)) => realtime(ctx, args),
    }
}

/// Fleet statistics as JSON shows them: counts, and usage over the latest fresh samples.
#[derive(Debug, Default, Serialize)]
struct StatsView {
    #[serde(skip_serializing_if = "Option::is_none")]
    cluster: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    model: Option<String>,
    nodes_total: i64,
    nodes_by_status: BTreeMap<String, i64>,
    gpus_total: i64,
    gpus_allocated: i64,
    gpus_free: i64,
    gpus_faulty: i64,
    gpus_maintenance: i64,
    gpus_retired: i64,
    mig_instances: i64,
    mig_allocated: i64,
    gpus_reporting: i64,
    gpu_util_avg: Option<f64>,
    gpu_util_peak: Option<i64>,
    memory_used_mib: Option<i64>,
    memory_total_mib: Option<i64>,
    memory_used_pct: Option<f64>,
    power_draw_w: Option<f64>,
    power_limit_w: Option<f64>,
    power_used_pct: Option<f64>,
    alerts_active: i64,
    alerts_by_severity: BTreeMap<String, i64>,
}

fn percent(part: Option<i64>, whole: Option<i64>) -> Option<f64> {
    match (part, whole) {
        (Some(part), Some(whole)) if whole > 0 => Some(100.0 * part as f64 / whole as f64),
        _ => None,
    }
}

impl StatsView {
    fn new(g: GroupStats, grouping: Grouping) -> StatsView {
        let key = Some(g.key.clone());
        StatsView {
            cluster: if grouping == Grouping::Cluster {
                key.clone()
            } else {
                None
            },
            model: if grouping == Grouping::Model {
                key
            } else {
                None
            },
            nodes_total: if g.nodes_by_status.is_empty() {
                g.nodes_with_gpus
            } else {
                g.nodes_by_status.values().sum()
            },
            gpus_total: g.gpus_total,
            gpus_allocated: g.gpus_allocated,
            gpus_free: g.gpus_free,
            gpus_faulty: g.gpus_faulty,
            gpus_maintenance: g.gpus_maintenance,
            gpus_retired: g.gpus_retired,
            mig_instances: g.mig_instances,
            mig_allocated: g.mig_allocated,
            gpus_reporting: g.gpus_reporting,
            gpu_util_avg: g.gpu_util_avg,
            gpu_util_peak: g.gpu_util_max,
            memory_used_mib: g.memory_used_mib,
            memory_total_mib: g.memory_total_mib,
            memory_used_pct: percent(g.memory_used_mib, g.memory_total_mib),
            power_draw_w: g.power_draw_mw.map(|mw| mw as f64 / 1000.0),
            power_limit_w: g.power_limit_mw.map(|mw| mw as f64 / 1000.0),
            power_used_pct: percent(g.power_draw_mw, g.power_limit_mw),
            alerts_active: g.alerts_by_severity.values().sum(),
            alerts_by_severity: g.alerts_by_severity,
            nodes_by_status: g.nodes_by_status,
        }
    }

    fn key(&self) -> &str {
        self.cluster
            .as_deref()
            .or(self.model.as_deref())
            .unwrap_or("")
    }
}

fn pct(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_string(), |v| format!("{v:.0}%"))
}

fn counts(map: &BTreeMap<String, i64>, order: &[&str]) -> String {
    let parts: Vec<String> = order
        .iter()
        .filter_map(|k| map.get(*k).filter(|n| **n > 0).map(|n| format!("{n} {k}")))
        .collect();
    if parts.is_empty() {
        "none".to_string()
    } else {
        parts.join(", ")
    }
}

const NODE_STATUS_ORDER: &[&str] = &[
    "ready",
    "not-ready",
    "maintenance",
    "cordoned",
    "decommissioned",
];
const SEVERITY_ORDER: &[&str] = &["critical", "warning", "info"];

/// `12 GPUs: 8 allocated, 3 free, 1 faulty`
fn gpu_line(s: &StatsView) -> String {
    let mut parts = vec![
        format!("{} allocated", s.gpus_allocated),
        format!("{} free", s.gpus_free),
    ];
    if s.gpus_faulty > 0 {
        parts.push(format!("{} faulty", s.gpus_faulty));
    }
    if s.gpus_maintenance > 0 {
        parts.push(format!("{} maintenance", s.gpus_maintenance));
    }
    let mut line = format!("{}: {}", s.gpus_total, parts.join(", "));
    if s.mig_instances > 0 {
        line.push_str(&format!(
            " · MIG {} instances ({} leased)",
            s.mig_instances, s.mig_allocated
        ));
    }
    line
}

fn usage_line(s: &StatsView) -> String {
    if s.gpus_reporting == 0 {
        return "no recent samples (is 'gpuctl collect' running?)".to_string();
    }
    let memory = match (s.memory_used_mib, s.memory_total_mib) {
        (Some(used), Some(total)) => format!(" ({} of {})", gib(used), gib(total)),
        _ => String::new(),
    };
    let power = match (s.power_draw_w, s.power_limit_w) {
        (Some(draw), Some(limit)) => format!(" ({} of {})", watts(draw), watts(limit)),
        _ => String::new(),
    };
    format!(
        "util {} avg, {} peak · memory {}{memory} · power {}{power}",
        pct(s.gpu_util_avg),
        s.gpu_util_peak.map_or("-".into(), |p| format!("{p}%")),
        pct(s.memory_used_pct),
        pct(s.power_used_pct),
    )
}

fn gib(mib: i64) -> String {
    Gib(mib).to_string()
}

/// MiB shown in GiB (whole) or, from a TiB on, in TiB to a tenth: `80 GiB`, `1.5 TiB`.
struct Gib(i64);

impl std::fmt::Display for Gib {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mib = self.0;
        if mib >= 1024 * 1024 {
            write!(f, "{:.1} TiB", mib as f64 / (1024.0 * 1024.0))
        } else {
            write!(f, "{} GiB", div_round(mib, 1024))
        }
    }
}

/// `numerator / denominator` (denominator > 0) to the nearest whole number, ties to even as
/// `{:.0}` rounds, in integers: formatting floats exactly was a tenth of `dashboard realtime`'s
/// 8,000 rows.
fn div_round(numerator: i64, denominator: i64) -> i64 {
    let (quotient, remainder) = (
        numerator.div_euclid(denominator),
        numerator.rem_euclid(denominator),
    );
    match (2 * remainder).cmp(&denominator) {
        std::cmp::Ordering::Less => quotient,
        std::cmp::Ordering::Greater => quotient + 1,
        std::cmp::Ordering::Equal => quotient + (quotient & 1),
    }
}

fn watts(w: f64) -> String {
    if w >= 10_000.0 {
        format!("{:.1} kW", w / 1000.0)
    } else {
        format!("{w:.0} W")
    }
}

fn stats_fields(out: &Output, s: &StatsView) -> String {
    out.fields(vec![
        (
            "nodes",
            format!(
                "{}: {}",
                s.nodes_total,
                counts(&s.nodes_by_status, NODE_STATUS_ORDER)
            ),
        ),
        ("gpus", gpu_line(s)),
        ("usage", usage_line(s)),
        ("alerts", counts(&s.alerts_by_severity, SEVERITY_ORDER)),
    ])
}

fn load_groups(store: &Store, ctx: &Ctx, grouping: Grouping) -> Result<Vec<StatsView>> {
    Ok(
        dashboard::group_stats(store.conn(), grouping, ctx.now - FRESH_SAMPLE_SECS)?
            .into_iter()
            .map(|g| StatsView::new(g, grouping))
            .collect(),
    )
}

fn open_alerts(store: &Store, limit: i64) -> Result<Vec<Alert>> {
    Ok(open_alerts_page(store, crate::store::Page::first(limit))?.0)
}

/// One page of the open alerts, most severe first, and how many are open.
fn open_alerts_page(store: &Store, page: crate::store::Page) -> Result<(Vec<Alert>, i64)> {
    let filter = AlertFilter {
        states: vec![AlertState::Firing, AlertState::Acknowledged],
        ..AlertFilter::default()
    };
    alerts::list(store.conn(), &filter, page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn div_round_rounds_as_float_formatting_does() {
        for numerator in -5_000..5_000 {
            for denominator in [1, 2, 3, 1_000, 1_024] {
                let formatted = format!("{:.0}", numerator as f64 / denominator as f64);
                let expected = if formatted == "-0" {
                    "0".to_string()
                } else {
                    formatted
                };
                assert_eq!(
                    div_round(numerator, denominator).to_string(),
                    expected,
                    "{numerator} / {denominator}"
                );
            }
        }
    }
}
