//! `gpuctl report …`: what leases cost, which leased GPUs sit idle, how much of the fleet is used.
//!
//! Every report covers a window [from, to): `--since D` is [now - D, now); `--from T [--to T]`
//! is explicit, `--to` defaulting to now and clipped to now (nothing has happened after now).
//!
//! A lease occupies its GPU from `started_at` until `now` while active, else until `ended_at`
//! (or `expires_at` when `ended_at` is missing), clipped to the window. Its GPU-hours are that
//! time in hours × `gpu_fraction` (1 for a whole GPU, the MIG instance's share otherwise).
//! Money is in whatever unit the models' `hourly_cost` is in; energy price is per kWh in that unit.
//! Every figure is rounded to what it means ([`figure`]) before a row is added to its total.
//! The README's "Reports" section states the whole contract.

use std::collections::{BTreeMap, HashMap};

use crate::output::Cell;
use serde::Serialize;

use crate::cli::{
    CostGrouping, ReportCommand, ReportCostArgs, ReportIdleArgs, ReportUtilizationArgs,
    ReportWindowArgs, UtilizationGrouping,
};
use crate::clock;
use crate::error::{Error, Result};
use crate::output::{Output, TableRow};
use crate::store::reports::{self, LeaseSpan, Measure, Span, Usage};
use crate::store::Store;
use crate::Ctx;

mod figure;

use figure::{percent_text, Round, GPU_HOURS, KWH, MONEY, PERCENT, RATIO};

/// `report cost` and `report utilization` cover this much time by default: 30 days.
const DEFAULT_REPORT_SINCE_SECS: i64 = 30 * 86_400;
/// `report idle` looks at the last day by default.
const DEFAULT_IDLE_SINCE_SECS: i64 = 86_400;
/// Millijoules in one kilowatt-hour.
const MJ_PER_KWH: f64 = 3.6e9;
const HOUR: f64 = 3_600.0;

pub(crate) fn run(ctx: &Ctx, command: &ReportCommand) -> Result<()> {
    match command {
        ReportCommand::Cost(args) => cost(ctx, args),
        ReportCommand::Idle(args) => idle(ctx, args),
        ReportCommand::Utilization(args) => utilization(ctx, args),
    }
}

/// The window [from, to) in unix seconds.
#[derive(Debug, Clone, Copy)]
struct Window {
    from: i64,
    to: i64,
}

impl Window {
    /// The window the arguments ask for, `default_since` seconds back from now without any.
    fn of(args: &ReportWindowArgs, now: i64, default_since: i64) -> Result<Window> {
        let Some(from_text) = &args.from else {
            let since = args
                .since
                .as_ref()
                .map_or(default_since, clock::Span::seconds);
            return Ok(Window {
                from: now - since,
                to: now,
            });
        };
        let from = from_text.unix();
        let to = match &args.to {
            Some(to_text) => {
                let to = to_text.unix();
                if from >= to {
                    return Err(Error::usage(format!(
                        "invalid window: --from '{from_text}' is not before --to '{to_text}'"
                    )));
                }
                to.min(now)
            }
            None => now,
        };
        if from >= to {
            return Err(Error::usage(format!(
                "invalid --from '{from_text}': it is not before now ({})",
                clock::rfc3339(now)
            )));
        }
        Ok(Window { from, to })
    }

    /// The part of [start, end) inside the window, in seconds.
    fn overlap(&self, start: i64, end: i64) -> i64 {
        (end.min(self.to) - start.max(self.from)).max(0)
    }

    fn describe(&self) -> String {
        format!(
            "{} to {}",
            clock::rfc3339(self.from),
            clock::rfc3339(self.to)
        )
    }
}

/// The lease's GPU-hours inside the window.
fn gpu_hours(lease: &LeaseSpan, window: Window) -> f64 {
    window.overlap(lease.started_at, lease.ends_at) as f64 / HOUR * lease.gpu_fraction
}

/// The span of a lease's device over the lease ∩ window; empty for a removed device's lease,
/// which has no usage.
fn lease_span(lease: &reports::LeaseTime, window: Window) -> Span {
    let from = lease.started_at.max(window.from);
    Span {
        device_id: lease.device_id.unwrap_or(0),
        from,
        to: if lease.device_id.is_some() {
            lease.ends_at.min(window.to)
        } else {
            from
        },
    }
}

/// The leases overlapping the window, each with its device's usage over the lease ∩ window
/// (none when the device is gone). The leases' texts are read while the rollups are.
fn leases_with_usage(
    store: &Store,
    window: Window,
    measure: Measure,
    now: i64,
) -> Result<Vec<(LeaseSpan, Usage)>> {
    let times = reports::lease_times(store.conn(), window.from, window.to, now)?;
    let spans: Vec<Span> = times.iter().map(|t| lease_span(t, window)).collect();
    let (usages, leases) = reports::usage_of_spans_parallel(store, &spans, measure, now, |conn| {
        reports::leases_overlapping(conn, window.from, window.to, now)
    })?;
    Ok(with_usage(leases, &times, usages))
}

/// Each lease with the usage of its span, matched by id: a lease written between the two reads
/// has no usage yet.
fn with_usage(
    leases: Vec<LeaseSpan>,
    times: &[reports::LeaseTime],
    usages: Vec<Usage>,
) -> Vec<(LeaseSpan, Usage)> {
    let usage_by_id: HashMap<i64, Usage> = times.iter().map(|t| t.id).zip(usages).collect();
    leases
        .into_iter()
        .map(|lease| {
            let usage = usage_by_id.get(&lease.id).copied().unwrap_or_default();
            (lease, usage)
        })
        .collect()
}

/// Adds two amounts where either may be unknown; unknown only when both are.
fn add_known(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (None, None) => None,
        (a, b) => Some(a.unwrap_or(0.0) + b.unwrap_or(0.0)),
    }
}

// ---------------------------------------------------------------------------------------------
// report cost

/// One group of `report cost`; the last row (`row: "total"`, `key: "total"`) sums them all.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct CostRow {
    /// `group`, or `total` for the last row.
    pub row: &'static str,
    /// The owner, namespace, cluster or model; null for leases without a namespace or model.
    pub key: Option<String>,
    pub leases: i64,
    pub gpu_hours: f64,
    /// GPU-hours of leases whose model has no hourly cost: not in `cost`.
    pub unpriced_gpu_hours: f64,
    /// Σ GPU-hours × hourly cost of the priced leases; null when none is priced.
    pub cost: Option<f64>,
    /// Energy of the leased GPUs (× fraction for MIG); null when no sample reported power.
    pub energy_kwh: Option<f64>,
    /// energy_kwh × --energy-price; null without a price or without energy.
    pub energy_cost: Option<f64>,
    /// cost + energy_cost, counting an unknown part as nothing; null when both are unknown.
    pub total_cost: Option<f64>,
}

impl CostRow {
    fn add_lease(&mut self, gpu_hours: f64, hourly_cost: Option<f64>, energy_kwh: Option<f64>) {
        self.leases += 1;
        self.gpu_hours += gpu_hours;
        match hourly_cost {
            Some(price) => self.cost = Some(self.cost.unwrap_or(0.0) + gpu_hours * price),
            None => self.unpriced_gpu_hours += gpu_hours,
        }
        self.energy_kwh = add_known(self.energy_kwh, energy_kwh);
    }

    /// Prices the group's energy and rounds every figure, so the row adds up as printed.
    fn finish(&mut self, energy_price: Option<f64>) {
        self.round();
        self.energy_cost = self
            .energy_kwh
            .zip(energy_price)
            .map(|(kwh, price)| kwh * price)
            .rounded(MONEY);
        self.total_cost = add_known(self.cost, self.energy_cost).rounded(MONEY);
    }

    /// Adds a finished group to the total: the total of the figures as printed.
    fn add_row(&mut self, other: &CostRow) {
        self.leases += other.leases;
        self.gpu_hours += other.gpu_hours;
        self.unpriced_gpu_hours += other.unpriced_gpu_hours;
        self.cost = add_known(self.cost, other.cost);
        self.energy_kwh = add_known(self.energy_kwh, other.energy_kwh);
        self.energy_cost = add_known(self.energy_cost, other.energy_cost);
        self.total_cost = add_known(self.total_cost, other.total_cost);
    }

    fn round(&mut self) {
        self.gpu_hours = self.gpu_hours.rounded(GPU_HOURS);
        self.unpriced_gpu_hours = self.unpriced_gpu_hours.rounded(GPU_HOURS);
        self.cost = self.cost.rounded(MONEY);
        self.energy_kwh = self.energy_kwh.rounded(KWH);
        self.energy_cost = self.energy_cost.rounded(MONEY);
        self.total_cost = self.total_cost.rounded(MONEY);
    }
}

impl TableRow for CostRow {
    fn headers() -> Vec<&'static str> {
        vec![
            "key",
            "leases",
            "gpu-hours",
            "unpriced",
            "cost",
            "kwh",
            "energy cost",
            "total",
        ]
    }
    fn cells(&self, out: &Output) -> Vec<Cell> {
        vec![
            Cell::new(self.key.as_deref().unwrap_or("-")),
            out.number_cell(self.leases),
            out.number_cell(figure::text(Some(self.gpu_hours), GPU_HOURS)),
            out.number_cell(figure::text(Some(self.unpriced_gpu_hours), GPU_HOURS)),
            out.number_cell(figure::text(self.cost, MONEY)),
            out.number_cell(figure::text(self.energy_kwh, KWH)),
            out.number_cell(figure::text(self.energy_cost, MONEY)),
            out.number_cell(figure::text(self.total_cost, MONEY)),
        ]
    }
}

fn cost_key(lease: &LeaseSpan, by: CostGrouping) -> Option<String> {
    match by {
        CostGrouping::Owner => Some(lease.owner.clone()),
        CostGrouping::Namespace => lease.namespace.clone(),
        CostGrouping::Cluster => Some(lease.cluster.clone()),
        CostGrouping::Model => lease.model.clone(),
    }
}

fn cost(ctx: &Ctx, args: &ReportCostArgs) -> Result<()> {
    let window = Window::of(&args.window, ctx.now, DEFAULT_REPORT_SINCE_SECS)?;
    let energy_price = args.energy_price;
    let store = ctx.store()?;
    let leases = leases_with_usage(store, window, Measure::Energy, ctx.now)?;
    let mut groups: BTreeMap<Option<String>, CostRow> = BTreeMap::new();
    for (lease, usage) in &leases {
        let energy_kwh = usage
            .energy_mj
            .map(|mj| mj / MJ_PER_KWH * lease.gpu_fraction);
        let key = cost_key(lease, args.by);
        groups
            .entry(key.clone())
            .or_insert_with(|| CostRow {
                row: "group",
                key,
                ..CostRow::default()
            })
            .add_lease(gpu_hours(lease, window), lease.hourly_cost, energy_kwh);
    }
    let mut rows: Vec<CostRow> = groups.into_values().collect();
    let mut total = CostRow {
        row: "total",
        key: Some("total".to_string()),
        ..CostRow::default()
    };
    for row in &mut rows {
        row.finish(energy_price);
        total.add_row(row);
    }
    // Sums of rounded figures, rounded again only to drop the binary fractions' noise.
    total.round();
    let footer = format!(
        "{} groups, {} leases in all, {}",
        rows.len(),
        total.leases,
        window.describe()
    );
    rows.push(total);
    ctx.out.list(&rows, Some(footer))
}

// ---------------------------------------------------------------------------------------------
// report idle

/// A GPU held below the threshold over the window, or without any utilisation reading there
/// (`no_samples: true`, its idle figures null): held by a gpuctl lease (`held_by: "lease"`,
/// over the lease ∩ window) or by pods that dcgm-exporter attributes to it and no lease
/// (`held_by: "pods"`, over the whole window).
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct IdleRow {
    /// `lease` or `pods`.
    pub held_by: &'static str,
    /// The lease's id; null for a GPU held by pods.
    pub id: Option<i64>,
    /// The lease's owner; for pods, their namespaces.
    pub owner: String,
    pub namespace: Option<String>,
    pub node: String,
    pub device_uuid: String,
    pub mig_profile: Option<String>,
    /// The lease's state; `pods` for a GPU held by pods.
    pub state: String,
    /// The lease's start; null for a GPU held by pods.
    pub started_at: Option<String>,
    /// The pods on the GPU as the last fleet collect in the window saw them
    /// (`namespace/pod`, comma-separated); null where none were seen.
    pub pods: Option<String>,
    /// GPU-hours held inside the window.
    pub gpu_hours: f64,
    /// Mean of the GPU's utilisation readings (whole GPU, also for MIG leases), percent.
    pub avg_util: Option<f64>,
    /// Samples in the lease ∩ window; an hour covered in part adds that part of its samples
    /// (rounded here).
    pub samples: i64,
    /// True when `samples` is 0 or none of them reported utilisation: `avg_util`,
    /// `idle_gpu_hours` and `wasted_cost` are then null.
    pub no_samples: bool,
    /// The GPU-hours held when idle; null without samples.
    pub idle_gpu_hours: Option<f64>,
    /// idle_gpu_hours × hourly cost; null without samples or without a price.
    pub wasted_cost: Option<f64>,
}

impl TableRow for IdleRow {
    fn headers() -> Vec<&'static str> {
        vec![
            "id",
            "owner",
            "namespace",
            "node",
            "gpu",
            "mig",
            "pods",
            "avg util",
            "samples",
            "idle gpu-hours",
            "wasted",
        ]
    }
    fn cells(&self, out: &Output) -> Vec<Cell> {
        vec![
            match self.id {
                Some(id) => out.number_cell(id),
                None => Cell::new("pods"),
            },
            Cell::new(&self.owner),
            Cell::new(self.namespace.as_deref().unwrap_or("-")),
            Cell::new(&self.node),
            Cell::new(&self.device_uuid),
            Cell::new(self.mig_profile.as_deref().unwrap_or("-")),
            Cell::new(self.pods.as_deref().unwrap_or("-")),
            out.number_cell(if self.no_samples {
                "no samples".to_string()
            } else {
                figure::text(self.avg_util, PERCENT)
            }),
            out.number_cell(self.samples),
            out.number_cell(figure::text(self.idle_gpu_hours, GPU_HOURS)),
            out.number_cell(figure::text(self.wasted_cost, MONEY)),
        ]
    }
}

/// What `report idle` says of a GPU held `held_hours` GPU-hours: its figures, rounded; None when
/// its mean utilisation (as printed) is at or above the threshold.
struct IdleFigures {
    gpu_hours: f64,
    avg_util: Option<f64>,
    samples: i64,
    no_samples: bool,
    idle_gpu_hours: Option<f64>,
    wasted_cost: Option<f64>,
}

impl IdleFigures {
    fn of(
        usage: &Usage,
        held_hours: f64,
        hourly_cost: Option<f64>,
        threshold: f64,
    ) -> Option<Self> {
        let samples = usage.samples.round() as i64;
        // A lease holding a sliver of an hour gets a fraction of a sample: below one half, it
        // had none, and its utilisation is not known.
        let avg_util = usage.util_avg().filter(|_| samples > 0).rounded(PERCENT);
        if avg_util.is_some_and(|u| u >= threshold) {
            return None;
        }
        let idle_gpu_hours = avg_util.map(|_| held_hours);
        Some(IdleFigures {
            gpu_hours: held_hours.rounded(GPU_HOURS),
            avg_util,
            samples,
            no_samples: avg_util.is_none(),
            idle_gpu_hours: idle_gpu_hours.rounded(GPU_HOURS),
            // Priced to the second, as `report cost` prices the lease.
            wasted_cost: idle_gpu_hours
                .zip(hourly_cost)
                .map(|(h, c)| h * c)
                .rounded(MONEY),
        })
    }
}

fn idle(ctx: &Ctx, args: &ReportIdleArgs) -> Result<()> {
    let window = Window::of(&args.window, ctx.now, DEFAULT_IDLE_SINCE_SECS)?;
    let threshold = args.threshold;
    let store = ctx.store()?;
    let leases = leases_with_usage(store, window, Measure::Readings, ctx.now)?;
    let held = reports::pod_held_devices(store.conn(), window.from)?;
    let pods_on: HashMap<i64, &str> = held
        .iter()
        .map(|d| (d.device_id, d.pods.as_str()))
        .collect();
    let mut rows = Vec::new();
    for (lease, usage) in &leases {
        let leased_hours = gpu_hours(lease, window);
        let Some(figures) = IdleFigures::of(usage, leased_hours, lease.hourly_cost, threshold)
        else {
            continue;
        };
        rows.push(IdleRow {
            held_by: "lease",
            id: Some(lease.id),
            owner: lease.owner.clone(),
            namespace: lease.namespace.clone(),
            node: lease.node.clone(),
            device_uuid: lease.device_uuid.clone(),
            mig_profile: lease.mig_profile.clone(),
            state: lease.state.clone(),
            started_at: Some(clock::rfc3339(lease.started_at)),
            pods: lease
                .device_id
                .and_then(|id| pods_on.get(&id))
                .map(|p| p.to_string()),
            gpu_hours: figures.gpu_hours,
            avg_util: figures.avg_util,
            samples: figures.samples,
            no_samples: figures.no_samples,
            idle_gpu_hours: figures.idle_gpu_hours,
            wasted_cost: figures.wasted_cost,
        });
    }
    // GPUs that pods hold without a lease: Kubernetes, not gpuctl, handed them out.
    let leased: std::collections::HashSet<i64> =
        leases.iter().filter_map(|(l, _)| l.device_id).collect();
    let unleased: Vec<&reports::PodHeldDevice> = held
        .iter()
        .filter(|d| !leased.contains(&d.device_id))
        .collect();
    let spans: Vec<Span> = unleased
        .iter()
        .map(|d| Span {
            device_id: d.device_id,
            from: window.from,
            to: window.to.min(ctx.now),
        })
        .collect();
    let (usages, ()) =
        reports::usage_of_spans_parallel(store, &spans, Measure::Readings, ctx.now, |_| Ok(()))?;
    for ((device, usage), span) in unleased.iter().zip(&usages).zip(&spans) {
        let held_hours = (span.to - span.from).max(0) as f64 / HOUR;
        let Some(figures) = IdleFigures::of(usage, held_hours, device.hourly_cost, threshold)
        else {
            continue;
        };
        let namespaces = pod_namespaces(&device.pods);
        rows.push(IdleRow {
            held_by: "pods",
            id: None,
            owner: if namespaces.is_empty() {
                "-".to_string()
            } else {
                namespaces.join(", ")
            },
            namespace: namespaces.first().cloned(),
            node: device.node.clone(),
            device_uuid: device.uuid.clone(),
            mig_profile: None,
            state: "pods".into(),
            started_at: None,
            pods: Some(device.pods.clone()),
            gpu_hours: figures.gpu_hours,
            avg_util: figures.avg_util,
            samples: figures.samples,
            no_samples: figures.no_samples,
            idle_gpu_hours: figures.idle_gpu_hours,
            wasted_cost: figures.wasted_cost,
        });
    }
    // The most idle GPU-hours first; those without samples after them.
    rows.sort_by(|a, b| {
        a.no_samples
            .cmp(&b.no_samples)
            .then(
                b.idle_gpu_hours
                    .unwrap_or(0.0)
                    .total_cmp(&a.idle_gpu_hours.unwrap_or(0.0)),
            )
            .then(a.id.is_none().cmp(&b.id.is_none()))
            .then(a.id.cmp(&b.id))
            .then(a.device_uuid.cmp(&b.device_uuid))
    });
    let idle_count = rows.iter().filter(|r| !r.no_samples).count();
    // An empty sum is -0: rounding makes it 0.
    let wasted = Some(rows.iter().filter_map(|r| r.wasted_cost).sum::<f64>());
    let footer = format!(
        "{idle_count} idle below {threshold}% (wasted {}), {} without samples, {}",
        figure::text(wasted, MONEY),
        rows.len() - idle_count,
        window.describe()
    );
    // The rows are ranked here, not by the store: the page is cut from them, and the totals
    // above still cover every row.
    let page = args.page.page(None);
    let total = rows.len();
    let skip = usize::try_from(page.offset).unwrap_or(usize::MAX);
    let take = page
        .limit
        .map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX));
    let rows: Vec<IdleRow> = rows.into_iter().skip(skip).take(take).collect();
    let footer = match page.limit {
        Some(_) => format!(
            "{}; {footer}",
            super::page_footer(page, rows.len(), total as i64, "row", "rows")
        ),
        None => footer,
    };
    ctx.out.list(&rows, Some(footer))
}

/// The namespaces of `namespace/pod, …`, each once, in order.
fn pod_namespaces(pods: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for pod in pods.split(", ") {
        if let Some((namespace, _)) = pod.split_once('/') {
            if !out.iter().any(|n| n == namespace) {
                out.push(namespace.to_string());
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// report utilization

/// One group of `report utilization`; the last row (`row: "total"`) sums them all. The group's
/// capacity is `available_gpu_hours` = `leased_gpu_hours` + `unleased_gpu_hours`, and its use
/// `used_gpu_hours` = `leased_used_gpu_hours` + `unleased_used_gpu_hours`: use while leased
/// counts against the leases, use outside them (pods that gpuctl did not hand out, a MIG GPU's
/// unleased share) against the rest, so no ratio passes 1.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct UtilizationRow {
    pub row: &'static str,
    /// The cluster, model or node; null for devices or leases of an unknown model.
    pub key: Option<String>,
    /// Devices counted as available (not retired, created before the window's end).
    pub gpus: i64,
    /// Σ over those devices of the window time since each was created, plus any leased time
    /// they do not cover (a lease on a GPU since retired or removed, or before its `created_at`).
    pub available_gpu_hours: f64,
    /// Σ lease GPU-hours in the window (leases keep their cluster, node and model after removal).
    pub leased_gpu_hours: f64,
    /// available − leased.
    pub unleased_gpu_hours: f64,
    /// leased_used + unleased_used; null when neither is known.
    pub used_gpu_hours: Option<f64>,
    /// Σ utilisation/100 × time over each lease ∩ window (× fraction for MIG); null when no
    /// leased GPU reported utilisation.
    pub leased_used_gpu_hours: Option<f64>,
    /// The devices' use outside their leases; null when no device reported utilisation.
    pub unleased_used_gpu_hours: Option<f64>,
    /// leased / available; null when nothing was available.
    pub leased_ratio: Option<f64>,
    /// leased_used / leased; null when nothing was leased or use is unknown.
    pub used_ratio: Option<f64>,
    /// unleased_used / unleased; null when nothing was unleased or use is unknown.
    pub unleased_used_ratio: Option<f64>,
}

impl UtilizationRow {
    fn add_row(&mut self, other: &UtilizationRow) {
        self.gpus += other.gpus;
        self.available_gpu_hours += other.available_gpu_hours;
        self.leased_gpu_hours += other.leased_gpu_hours;
        self.leased_used_gpu_hours =
            add_known(self.leased_used_gpu_hours, other.leased_used_gpu_hours);
        self.unleased_used_gpu_hours =
            add_known(self.unleased_used_gpu_hours, other.unleased_used_gpu_hours);
    }

    /// Rounds the hours, then derives the sums and ratios from them as printed.
    fn finish(&mut self) {
        self.available_gpu_hours = self.available_gpu_hours.rounded(GPU_HOURS);
        self.leased_gpu_hours = self.leased_gpu_hours.rounded(GPU_HOURS);
        self.leased_used_gpu_hours = self.leased_used_gpu_hours.rounded(GPU_HOURS);
        self.unleased_used_gpu_hours = self.unleased_used_gpu_hours.rounded(GPU_HOURS);
        self.unleased_gpu_hours = (self.available_gpu_hours - self.leased_gpu_hours)
            .max(0.0)
            .rounded(GPU_HOURS);
        self.used_gpu_hours =
            add_known(self.leased_used_gpu_hours, self.unleased_used_gpu_hours).rounded(GPU_HOURS);
        let ratio = |part: Option<f64>, whole: f64| {
            part.filter(|_| whole > 0.0)
                .map(|part| part / whole)
                .rounded(RATIO)
        };
        self.leased_ratio = ratio(Some(self.leased_gpu_hours), self.available_gpu_hours);
        self.used_ratio = ratio(self.leased_used_gpu_hours, self.leased_gpu_hours);
        self.unleased_used_ratio = ratio(self.unleased_used_gpu_hours, self.unleased_gpu_hours);
    }
}

impl TableRow for UtilizationRow {
    fn headers() -> Vec<&'static str> {
        vec![
            "key",
            "gpus",
            "available",
            "leased",
            "leased use",
            "unleased use",
            "leased %",
            "leased use %",
            "unleased use %",
        ]
    }
    fn cells(&self, out: &Output) -> Vec<Cell> {
        vec![
            Cell::new(self.key.as_deref().unwrap_or("-")),
            out.number_cell(self.gpus),
            out.number_cell(figure::text(Some(self.available_gpu_hours), GPU_HOURS)),
            out.number_cell(figure::text(Some(self.leased_gpu_hours), GPU_HOURS)),
            out.number_cell(figure::text(self.leased_used_gpu_hours, GPU_HOURS)),
            out.number_cell(figure::text(self.unleased_used_gpu_hours, GPU_HOURS)),
            out.number_cell(percent_text(self.leased_ratio)),
            out.number_cell(percent_text(self.used_ratio)),
            out.number_cell(percent_text(self.unleased_used_ratio)),
        ]
    }
}

fn utilization_group(
    groups: &mut BTreeMap<Option<String>, UtilizationRow>,
    key: Option<String>,
) -> &mut UtilizationRow {
    groups.entry(key.clone()).or_insert_with(|| UtilizationRow {
        row: "group",
        key,
        ..UtilizationRow::default()
    })
}

fn utilization(ctx: &Ctx, args: &ReportUtilizationArgs) -> Result<()> {
    let window = Window::of(&args.window, ctx.now, DEFAULT_REPORT_SINCE_SECS)?;
    let store = ctx.store()?;
    let conn = store.conn();
    let mut groups: BTreeMap<Option<String>, UtilizationRow> = BTreeMap::new();
    let devices = reports::devices_existing_before(conn, window.to)?;
    let times = reports::lease_times(conn, window.from, window.to, ctx.now)?;
    // Each device over the window since its creation, then each lease: one pass for both.
    let spans: Vec<Span> = devices
        .iter()
        .map(|d| Span {
            device_id: d.id,
            from: d.created_at.max(window.from),
            to: window.to,
        })
        .chain(times.iter().map(|t| lease_span(t, window)))
        .collect();
    let (mut usages, leases) =
        reports::usage_of_spans_parallel(store, &spans, Measure::Busy, ctx.now, |conn| {
            reports::leases_overlapping(conn, window.from, window.to, ctx.now)
        })?;
    let lease_usages = usages.split_off(devices.len());
    // Where each counted device's available time starts.
    let available_from: HashMap<i64, i64> = devices
        .iter()
        .zip(&spans)
        .map(|(d, span)| (d.id, span.from))
        .collect();
    // Each device's use inside its leases, taken from its use to leave what was unleased.
    let mut leased_use_secs: HashMap<i64, f64> = HashMap::new();
    for (lease, usage) in with_usage(leases, &times, lease_usages) {
        let key = match args.by {
            UtilizationGrouping::Cluster => Some(lease.cluster.clone()),
            UtilizationGrouping::Model => lease.model.clone(),
            UtilizationGrouping::Node => Some(lease.node.clone()),
        };
        let row = utilization_group(&mut groups, key);
        row.leased_gpu_hours += gpu_hours(&lease, window);
        // Leased time no counted device covers is available time too: the GPU was there.
        let uncovered_until = lease
            .device_id
            .and_then(|id| available_from.get(&id))
            .map_or(lease.ends_at, |&from| lease.ends_at.min(from));
        row.available_gpu_hours +=
            window.overlap(lease.started_at, uncovered_until) as f64 / HOUR * lease.gpu_fraction;
        if usage.busy_known {
            let used_secs = usage.busy_secs * lease.gpu_fraction;
            row.leased_used_gpu_hours =
                Some(row.leased_used_gpu_hours.unwrap_or(0.0) + used_secs / HOUR);
            if let Some(device_id) = lease.device_id {
                *leased_use_secs.entry(device_id).or_default() += used_secs;
            }
        }
    }
    for ((device, span), usage) in devices.into_iter().zip(&spans).zip(usages) {
        let key = match args.by {
            UtilizationGrouping::Cluster => Some(device.cluster),
            UtilizationGrouping::Model => device.model,
            UtilizationGrouping::Node => Some(device.node),
        };
        let row = utilization_group(&mut groups, key);
        row.gpus += 1;
        row.available_gpu_hours += window.overlap(span.from, window.to) as f64 / HOUR;
        if usage.busy_known {
            let leased = leased_use_secs.get(&device.id).copied().unwrap_or(0.0);
            let unleased_secs = (usage.busy_secs - leased).max(0.0);
            row.unleased_used_gpu_hours =
                Some(row.unleased_used_gpu_hours.unwrap_or(0.0) + unleased_secs / HOUR);
        }
    }
    let mut rows: Vec<UtilizationRow> = groups.into_values().collect();
    let mut total = UtilizationRow {
        row: "total",
        key: Some("total".to_string()),
        ..UtilizationRow::default()
    };
    for row in &mut rows {
        row.finish();
        total.add_row(row);
    }
    total.finish();
    let footer = format!("{} groups, in GPU-hours, {}", rows.len(), window.describe());
    rows.push(total);
    ctx.out.list(&rows, Some(footer))
}
