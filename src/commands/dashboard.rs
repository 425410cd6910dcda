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
use crate::output::{bar, or_dash, Format, Output, Series, TableRow};
use crate::retention;
use crate::schedule::StopFlag;
use crate::store::alerts::{self, AlertFilter};
use crate::store::dashboard::{self, BucketParts, GroupStats, Grouping, TrendScope};
use crate::store::{events, metrics, Store};
use crate::Ctx;

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
#[derive(Debug, Serialize)]
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
    if mib >= 1024 * 1024 {
        format!("{:.1} TiB", mib as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} GiB", div_round(mib, 1024))
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

fn stats(ctx: &Ctx) -> Result<()> {
    let store = ctx.store()?;
    let overall = load_groups(store, ctx, Grouping::Overall)?
        .pop()
        .ok_or_else(|| Error::runtime("no statistics"))?;
    ctx.out.show(&overall, |out, w| {
        writeln!(w, "{}", stats_fields(out, &overall))?;
        Ok(())
    })
}

impl TableRow for StatsView {
    fn headers() -> Vec<&'static str> {
        vec![
            "name", "nodes", "gpus", "alloc", "free", "faulty", "mig", "util", "mem", "power",
            "alerts",
        ]
    }
    fn cells(&self, out: &Output) -> Vec<Cell> {
        vec![
            Cell::new(self.key()),
            out.number_cell(self.nodes_total),
            out.number_cell(self.gpus_total),
            out.number_cell(self.gpus_allocated),
            out.number_cell(self.gpus_free),
            out.number_cell(self.gpus_faulty),
            out.number_cell(self.mig_instances),
            out.number_cell(pct(self.gpu_util_avg)),
            out.number_cell(pct(self.memory_used_pct)),
            out.number_cell(pct(self.power_used_pct)),
            out.number_cell(self.alerts_active),
        ]
    }
}

fn groups(ctx: &Ctx, grouping: Grouping) -> Result<()> {
    let store = ctx.store()?;
    let rows = load_groups(store, ctx, grouping)?;
    ctx.out.list(&rows, None)
}

/// A recent event, as the dashboard lists it.
#[derive(Serialize)]
#[serde(transparent)]
struct ActivityRow(Event);

impl TableRow for ActivityRow {
    fn headers() -> Vec<&'static str> {
        vec!["time", "kind", "subject", "change"]
    }
    fn cells(&self, _out: &Output) -> Vec<Cell> {
        let e = &self.0;
        let change = match (&e.field, &e.old_value, &e.new_value) {
            (Some(field), old, Some(new)) => format!("{field}: {} → {new}", or_dash(old)),
            (_, _, Some(new)) => new.clone(),
            (_, Some(old), None) => old.clone(),
            _ => "-".into(),
        };
        vec![
            Cell::new(clock::short_time(e.at)),
            Cell::new(&e.kind),
            Cell::new(&e.subject),
            Cell::new(change),
        ]
    }
}

fn activity(ctx: &Ctx, args: &ActivityArgs) -> Result<()> {
    let store = ctx.store()?;
    let rows: Vec<ActivityRow> = events::recent(store.conn(), i64::from(args.limit))?
        .into_iter()
        .map(ActivityRow)
        .collect();
    ctx.out.list(&rows, None)
}

fn open_alerts(store: &Store, limit: i64) -> Result<Vec<Alert>> {
    alerts::list(
        store.conn(),
        &AlertFilter {
            states: vec![AlertState::Firing, AlertState::Acknowledged],
            limit: Some(limit),
            ..AlertFilter::default()
        },
    )
}

fn active_alerts(ctx: &Ctx, args: &DashboardAlertsArgs) -> Result<()> {
    let store = ctx.store()?;
    let rows = open_alerts(store, i64::from(args.limit))?;
    ctx.out.list(&rows, None)
}

/// The one-screen overview, as JSON.
#[derive(Serialize)]
struct Overview {
    #[serde(with = "crate::domain::unix_time")]
    generated_at: i64,
    stats: StatsView,
    clusters: Vec<StatsView>,
    alerts: Vec<Alert>,
    activity: Vec<Event>,
}

pub(crate) fn overview(ctx: &Ctx) -> Result<()> {
    let store = ctx.store()?;
    // One pass over the devices: the fleet's figures are its clusters' together.
    let clusters =
        dashboard::group_stats(store.conn(), Grouping::Cluster, ctx.now - FRESH_SAMPLE_SECS)?;
    let stats = StatsView::new(GroupStats::combine("", &clusters), Grouping::Overall);
    let overview = Overview {
        generated_at: ctx.now,
        stats,
        clusters: clusters
            .into_iter()
            .map(|g| StatsView::new(g, Grouping::Cluster))
            .collect(),
        alerts: open_alerts(store, OVERVIEW_ITEMS)?,
        // Changes, not the per-minute run log: `dashboard activity` shows every kind.
        activity: events::recent_changes(store.conn(), OVERVIEW_ITEMS, EventKind::CollectRun)?,
    };
    if ctx.out.format == Format::Csv {
        return Err(Error::usage(
            "the overview has no CSV form: use 'dashboard stats|clusters|alerts|activity -o csv'",
        ));
    }
    ctx.out
        .show(&overview, |out, w| render_overview(out, w, &overview))
}

/// The overview in at most 80 columns.
fn render_overview(out: &Output, w: &mut dyn Write, o: &Overview) -> Result<()> {
    let narrow = Output {
        width: Some(out.width.unwrap_or(80).min(80)),
        ..out.clone()
    };
    writeln!(w, "GPU fleet · {} UTC", clock::short_time(o.generated_at))?;
    writeln!(w, "{}", stats_fields(&narrow, &o.stats))?;
    if !o.clusters.is_empty() {
        writeln!(w)?;
        let rows = o.clusters.iter().map(|c| c.cells(&narrow)).collect();
        let mut headers = StatsView::headers();
        headers[0] = "cluster";
        writeln!(w, "{}", narrow.table(headers, rows))?;
    }
    writeln!(w)?;
    if o.alerts.is_empty() {
        writeln!(w, "Active alerts: none")?;
    } else {
        writeln!(w, "Active alerts (most severe first):")?;
        let rows = o
            .alerts
            .iter()
            .map(|a| {
                // The UUID's first block tells GPUs apart; the full one is in 'alert list'.
                let gpu: String = a
                    .device
                    .as_deref()
                    .map_or("-".into(), |u| u.chars().take(12).collect());
                vec![
                    narrow.status_cell(a.severity.as_str()),
                    Cell::new(or_dash(&a.node)),
                    Cell::new(gpu),
                    Cell::new(&a.rule),
                    Cell::new(clock::short_time(a.last_seen_at)),
                ]
            })
            .collect();
        writeln!(
            w,
            "{}",
            narrow.table(vec!["severity", "node", "gpu", "rule", "last seen"], rows)
        )?;
    }
    writeln!(w)?;
    writeln!(w, "Recent activity:")?;
    let rows = o
        .activity
        .iter()
        .map(|e| ActivityRow(e.clone()).cells(&narrow))
        .collect();
    writeln!(w, "{}", narrow.table(ActivityRow::headers(), rows))?;
    Ok(())
}

/// One GPU's latest sample.
#[derive(Debug, Serialize)]
struct RealtimeRow {
    node: String,
    index: i64,
    uuid: String,
    model: Option<String>,
    gpu_util: Option<i64>,
    mem_used_mib: Option<i64>,
    mem_total_mib: Option<i64>,
    temp_c: Option<i64>,
    power_w: Option<f64>,
    power_limit_w: Option<f64>,
    #[serde(with = "crate::domain::unix_time")]
    sample_at: i64,
    age_secs: i64,
    stale: bool,
}

impl TableRow for RealtimeRow {
    fn headers() -> Vec<&'static str> {
        vec![
            "node", "gpu", "model", "util", "", "memory", "temp", "power", "age",
        ]
    }
    fn cells(&self, out: &Output) -> Vec<Cell> {
        let util_bar = self
            .gpu_util
            .map_or_else(|| " ".repeat(10), |u| bar(u as f64 / 100.0, 10));
        let memory = match (self.mem_used_mib, self.mem_total_mib) {
            (Some(used), Some(total)) => format!("{} / {}", gib(used), gib(total)),
            (Some(used), None) => gib(used),
            _ => "-".into(),
        };
        // Whole watts from the milliwatts the store keeps (W × 1000 gives them back exactly).
        let whole_watts = |w: f64| div_round((w * 1000.0).round() as i64, 1000);
        let power = match (self.power_w, self.power_limit_w) {
            (Some(p), Some(l)) => format!("{} / {} W", whole_watts(p), whole_watts(l)),
            (Some(p), None) => format!("{} W", whole_watts(p)),
            _ => "-".into(),
        };
        let age = if self.stale {
            out.tone_cell(
                &format!(
                    "stale {}",
                    clock::ago(self.sample_at + self.age_secs, self.sample_at)
                ),
                "critical",
            )
        } else {
            Cell::new(clock::ago(self.sample_at + self.age_secs, self.sample_at))
        };
        vec![
            Cell::new(&self.node),
            out.number_cell(self.index),
            Cell::new(or_dash(&self.model)),
            out.number_cell(self.gpu_util.map_or("-".into(), |u| format!("{u}%"))),
            Cell::new(util_bar),
            Cell::new(memory),
            out.number_cell(self.temp_c.map_or("-".into(), |t| format!("{t}°C"))),
            Cell::new(power),
            age,
        ]
    }
}

fn realtime_rows(store: &Store, now: i64, interval: i64) -> Result<Vec<RealtimeRow>> {
    Ok(metrics::latest_per_device(store.conn())?
        .into_iter()
        .map(|l| RealtimeRow {
            node: l.node,
            index: l.index,
            uuid: l.uuid,
            model: l.model,
            gpu_util: l.sample.gpu_util,
            mem_used_mib: l.sample.mem_used_mib,
            mem_total_mib: l.memory_total_mib,
            temp_c: l.sample.temp_c,
            power_w: l.sample.power_mw.map(|mw| mw as f64 / 1000.0),
            power_limit_w: l.power_limit_mw.map(|mw| mw as f64 / 1000.0),
            sample_at: l.sample.ts,
            age_secs: now - l.sample.ts,
            stale: now - l.sample.ts > 3 * interval,
        })
        .collect())
}

fn realtime(ctx: &Ctx, args: &RealtimeArgs) -> Result<()> {
    let interval = args.interval.seconds();
    let store = ctx.store()?;
    let footer = |rows: &[RealtimeRow]| {
        let stale = rows.iter().filter(|r| r.stale).count();
        format!(
            "{} GPU(s), {stale} stale (no sample for more than 3 × {})",
            rows.len(),
            args.interval
        )
    };
    let Some(watch) = &args.watch else {
        let rows = realtime_rows(store, ctx.now, interval)?;
        return ctx.out.list(&rows, Some(footer(&rows)));
    };
    if !ctx.out.can_redraw() {
        return Err(Error::usage(
            "--watch redraws a table in place: it needs a terminal and -o table",
        ));
    }
    let stop = StopFlag::install()?;
    loop {
        let now = clock::now()?.timestamp();
        let rows = realtime_rows(store, now, interval)?;
        let table = ctx.out.table(
            RealtimeRow::headers(),
            rows.iter().map(|r| r.cells(&ctx.out)).collect(),
        );
        ctx.out.redraw(&format!(
            "{} · every {watch} · Ctrl-C to stop\n\n{table}\n{}\n",
            clock::short_time(now),
            footer(&rows)
        ))?;
        let deadline = std::time::Instant::now() + watch.to_std();
        if !stop.sleep_until(deadline) {
            return Ok(());
        }
    }
}

/// One bucket of a trend.
#[derive(Debug, Serialize)]
struct TrendPoint {
    #[serde(with = "crate::domain::unix_time")]
    bucket_at: i64,
    samples: i64,
    gpu_util_avg: Option<f64>,
    gpu_util_max: Option<f64>,
    memory_used_pct_avg: Option<f64>,
    memory_used_pct_max: Option<f64>,
    temp_c_avg: Option<f64>,
    temp_c_max: Option<f64>,
    power_w_avg: Option<f64>,
    power_w_max: Option<f64>,
}

fn mean(sum: f64, n: i64) -> Option<f64> {
    (n > 0).then(|| sum / n as f64)
}

impl From<BucketParts> for TrendPoint {
    fn from(p: BucketParts) -> Self {
        TrendPoint {
            bucket_at: p.bucket,
            samples: p.samples,
            gpu_util_avg: mean(p.util_sum, p.util_n),
            gpu_util_max: p.util_max,
            memory_used_pct_avg: mean(p.mem_pct_sum, p.mem_pct_n),
            memory_used_pct_max: p.mem_pct_max,
            temp_c_avg: mean(p.temp_sum, p.temp_n),
            temp_c_max: p.temp_max,
            power_w_avg: mean(p.power_sum_mw, p.power_n).map(|mw| mw / 1000.0),
            power_w_max: p.power_max_mw.map(|mw| mw / 1000.0),
        }
    }
}

impl TableRow for TrendPoint {
    fn headers() -> Vec<&'static str> {
        vec![
            "bucket",
            "samples",
            "util avg",
            "util max",
            "",
            "mem avg",
            "mem max",
            "temp avg",
            "temp max",
            "power avg",
            "power max",
        ]
    }
    fn cells(&self, out: &Output) -> Vec<Cell> {
        let num = |v: Option<f64>, unit: &str| v.map_or("-".into(), |v| format!("{v:.0}{unit}"));
        vec![
            Cell::new(clock::short_time(self.bucket_at)),
            out.number_cell(self.samples),
            out.number_cell(num(self.gpu_util_avg, "%")),
            out.number_cell(num(self.gpu_util_max, "%")),
            Cell::new(bar(self.gpu_util_avg.unwrap_or(0.0) / 100.0, 10)),
            out.number_cell(num(self.memory_used_pct_avg, "%")),
            out.number_cell(num(self.memory_used_pct_max, "%")),
            out.number_cell(num(self.temp_c_avg, "°C")),
            out.number_cell(num(self.temp_c_max, "°C")),
            out.number_cell(num(self.power_w_avg, " W")),
            out.number_cell(num(self.power_w_max, " W")),
        ]
    }
}

fn trends(ctx: &Ctx, args: &TrendsArgs) -> Result<()> {
    let window = args.since.seconds();
    let bucket = args.bucket.seconds();
    if bucket > window {
        return Err(Error::usage(format!(
            "bucket '{}' is longer than the window '{}'",
            args.bucket, args.since
        )));
    }
    let scope = TrendScope {
        cluster: args.cluster.clone(),
        node: args.node.clone(),
        model: args.model.clone(),
        device: args.device.clone(),
    };
    let store = ctx.store()?;
    let points = trend_points(store, &scope, ctx.now, window, bucket)?;
    if ctx.out.format != Format::Table {
        return ctx.out.list(&points, None);
    }
    let power_max = points
        .iter()
        .filter_map(|p| p.power_w_max)
        .fold(0.0, f64::max);
    let series = |name, value: fn(&TrendPoint) -> Option<f64>, max, unit| Series {
        name,
        values: points.iter().map(value).collect(),
        max,
        unit,
    };
    ctx.out.sparklines(&[
        series("utilisation", |p| p.gpu_util_avg, 100.0, "%"),
        series("memory", |p| p.memory_used_pct_avg, 100.0, "%"),
        series("temperature", |p| p.temp_c_avg, 100.0, "°C"),
        series("power", |p| p.power_w_avg, power_max, " W"),
    ])?;
    ctx.out.list(
        &points,
        Some(format!(
            "{} bucket(s) of {} over the last {}",
            points.len(),
            args.bucket,
            args.since
        )),
    )
}

/// Buckets over [now - window, now). With whole-hour buckets, the fleet, a cluster or a model
/// read the hourly fleet aggregates, and a node or GPU reads its hourly rollups for rolled-up
/// hours and raw samples for the rest; shorter buckets read raw samples. Empty buckets are
/// included, with no values.
fn trend_points(
    store: &Store,
    scope: &TrendScope,
    now: i64,
    window: i64,
    bucket: i64,
) -> Result<Vec<TrendPoint>> {
    let conn = store.conn();
    let whole_hours = bucket % HOUR == 0;
    // Buckets start on multiples of their size (whole hours line up with the rollups).
    let since = (now - window).div_euclid(bucket) * bucket;
    let until = now;
    let mut parts: BTreeMap<i64, BucketParts> = BTreeMap::new();
    let mut add = |list: Vec<BucketParts>| {
        for p in list {
            parts
                .entry(p.bucket)
                .or_insert(BucketParts {
                    bucket: p.bucket,
                    ..BucketParts::default()
                })
                .merge(&p);
        }
    };
    let rolled = retention::rolled_up_to(conn)?
        .unwrap_or(i64::MIN)
        .clamp(since, until);
    if whole_hours && scope.node.is_none() && scope.device.is_none() {
        // The fleet, a cluster or a model: the hourly fleet aggregates hold every sample.
        add(dashboard::trend_parts_fleet(
            conn, scope, since, until, bucket,
        )?);
    } else if whole_hours && rolled > since {
        add(dashboard::trend_parts_hourly(
            conn, scope, since, rolled, bucket,
        )?);
        add(dashboard::trend_parts_raw(
            conn, scope, rolled, until, bucket,
        )?);
    } else {
        let oldest = metrics::oldest_sample_ts(conn)?;
        if let (Some(oldest), true) = (oldest, rolled > since) {
            if oldest > since {
                return Err(Error::usage(format!(
                    "raw samples start at {}: for a window that long use a bucket of whole hours (e.g. --bucket 1h)",
                    clock::rfc3339(oldest)
                )));
            }
        }
        add(dashboard::trend_parts_raw(
            conn, scope, since, until, bucket,
        )?);
    }
    let mut points = Vec::new();
    let mut start = since;
    while start < until {
        let p = parts.remove(&start).unwrap_or(BucketParts {
            bucket: start,
            ..BucketParts::default()
        });
        points.push(TrendPoint::from(p));
        start += bucket;
    }
    Ok(points)
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
