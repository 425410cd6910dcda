//! `gpuctl report …`: what leases cost, which leased GPUs sit idle, how much of the fleet is used.
//!
//! Every report covers a window [from, to): `--since D` is [now - D, now); `--from T [--to T]`
//! is explicit, `--to` defaulting to now and clipped to now (nothing has happened after now).
//!
//! A lease occupies its GPU from `started_at` until `now` while active, else until `ended_at`
//! (or `expires_at` when `ended_at` is missing), clipped to the window. Its GPU-hours are that
//! time in hours × `gpu_fraction` (1 for a whole GPU, the MIG instance's share otherwise).
//! Money is in whatever unit the models' `hourly_cost` is in; energy price is per kWh in that unit.
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

/// The leases overlapping the window, each with its device's usage over the lease ∩ window
/// (none when the device is gone). The leases' texts are read while the rollups are.
fn leases_with_usage(
    store: &Store,
    window: Window,
    measure: Measure,
    now: i64,
) -> Result<Vec<(LeaseSpan, Usage)>> {
    let times = reports::lease_times(store.conn(), window.from, window.to, now)?;
    let spans: Vec<Span> = times
        .iter()
        .map(|t| {
            let from = t.started_at.max(window.from);
            Span {
                device_id: t.device_id.unwrap_or(0),
                from,
                // A removed device's lease gets an empty span: no usage.
                to: if t.device_id.is_some() {
                    t.ends_at.min(window.to)
                } else {
                    from
                },
            }
        })
        .collect();
    let (usages, leases) = reports::usage_of_spans_parallel(store, &spans, measure, now, |conn| {
        reports::leases_overlapping(conn, window.from, window.to, now)
    })?;
    // A lease written between the two reads has no usage yet.
    let usage_by_id: HashMap<i64, Usage> = times.iter().map(|t| t.id).zip(usages).collect();
    Ok(leases
        .into_iter()
        .map(|lease| {
            let usage = usage_by_id.get(&lease.id).copied().unwrap_or_default();
            (lease, usage)
        })
        .collect())
}

/// Adds two amounts where either may be unknown; unknown only when both are.
fn add_known(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (None, None) => None,
        (a, b) => Some(a.unwrap_or(0.0) + b.unwrap_or(0.0)),
    }
}

fn number(value: Option<f64>, decimals: usize) -> String {
    value.map_or_else(|| "-".to_string(), |v| format!("{v:.decimals$}"))
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

    fn add_row(&mut self, other: &CostRow) {
        self.leases += other.leases;
        self.gpu_hours += other.gpu_hours;
        self.unpriced_gpu_hours += other.unpriced_gpu_hours;
        self.cost = add_known(self.cost, other.cost);
        self.energy_kwh = add_known(self.energy_kwh, other.energy_kwh);
    }

    fn price_energy(&mut self, energy_price: Option<f64>) {
        self.energy_cost = match (self.energy_kwh, energy_price) {
            (Some(kwh), Some(price)) => Some(kwh * price),
            _ => None,
        };
        self.total_cost = add_known(self.cost, self.energy_cost);
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
            out.number_cell(format!("{:.2}", self.gpu_hours)),
            out.number_cell(format!("{:.2}", self.unpriced_gpu_hours)),
            out.number_cell(number(self.cost, 2)),
            out.number_cell(number(self.energy_kwh, 3)),
            out.number_cell(number(self.energy_cost, 2)),
            out.number_cell(number(self.total_cost, 2)),
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
        row.price_energy(energy_price);
        total.add_row(row);
    }
    total.price_energy(energy_price);
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
                number(self.avg_util, 1)
            }),
            out.number_cell(self.samples),
            out.number_cell(number(self.idle_gpu_hours, 2)),
            out.number_cell(number(self.wasted_cost, 2)),
        ]
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
        let avg_util = usage.util_avg();
        if avg_util.is_some_and(|u| u >= threshold) {
            continue;
        }
        let idle_gpu_hours = avg_util.map(|_| leased_hours);
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
            gpu_hours: leased_hours,
            avg_util,
            samples: usage.samples.round() as i64,
            no_samples: avg_util.is_none(),
            idle_gpu_hours,
            wasted_cost: idle_gpu_hours.zip(lease.hourly_cost).map(|(h, c)| h * c),
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
        let avg_util = usage.util_avg();
        if avg_util.is_some_and(|u| u >= threshold) {
            continue;
        }
        let held_hours = (span.to - span.from).max(0) as f64 / HOUR;
        let idle_gpu_hours = avg_util.map(|_| held_hours);
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
            gpu_hours: held_hours,
            avg_util,
            samples: usage.samples.round() as i64,
            no_samples: avg_util.is_none(),
            idle_gpu_hours,
            wasted_cost: idle_gpu_hours.zip(device.hourly_cost).map(|(h, c)| h * c),
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
    let wasted: f64 = rows.iter().filter_map(|r| r.wasted_cost).sum();
    let footer = format!(
        "{idle_count} idle below {threshold}% (wasted {wasted:.2}), {} without samples, {}",
        rows.len() - idle_count,
        window.describe()
    );
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

/// One group of `report utilization`; the last row (`row: "total"`) sums them all.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct UtilizationRow {
    pub row: &'static str,
    /// The cluster, model or node; null for devices or leases of an unknown model.
    pub key: Option<String>,
    /// Devices counted as available (not retired, created before the window's end).
    pub gpus: i64,
    /// Σ over those devices of the window time since each was created, in hours.
    pub available_gpu_hours: f64,
    /// Σ lease GPU-hours in the window (leases keep their cluster, node and model after removal).
    pub leased_gpu_hours: f64,
    /// Σ utilisation/100 × time over the devices' samples; null when no device reported any.
    pub used_gpu_hours: Option<f64>,
    /// leased / available; null when nothing was available.
    pub leased_ratio: Option<f64>,
    /// used / leased; null when nothing was leased or use is unknown.
    pub used_ratio: Option<f64>,
}

impl UtilizationRow {
    fn add_row(&mut self, other: &UtilizationRow) {
        self.gpus += other.gpus;
        self.available_gpu_hours += other.available_gpu_hours;
        self.leased_gpu_hours += other.leased_gpu_hours;
        self.used_gpu_hours = add_known(self.used_gpu_hours, other.used_gpu_hours);
    }

    fn finish(&mut self) {
        self.leased_ratio = (self.available_gpu_hours > 0.0)
            .then(|| self.leased_gpu_hours / self.available_gpu_hours);
        self.used_ratio = self
            .used_gpu_hours
            .filter(|_| self.leased_gpu_hours > 0.0)
            .map(|used| used / self.leased_gpu_hours);
    }
}

impl TableRow for UtilizationRow {
    fn headers() -> Vec<&'static str> {
        vec![
            "key",
            "gpus",
            "available gpu-hours",
            "leased gpu-hours",
            "used gpu-hours",
            "leased/available",
            "used/leased",
        ]
    }
    fn cells(&self, out: &Output) -> Vec<Cell> {
        let percent =
            |v: Option<f64>| v.map_or_else(|| "-".to_string(), |r| format!("{:.1}%", r * 100.0));
        vec![
            Cell::new(self.key.as_deref().unwrap_or("-")),
            out.number_cell(self.gpus),
            out.number_cell(format!("{:.2}", self.available_gpu_hours)),
            out.number_cell(format!("{:.2}", self.leased_gpu_hours)),
            out.number_cell(number(self.used_gpu_hours, 2)),
            out.number_cell(percent(self.leased_ratio)),
            out.number_cell(percent(self.used_ratio)),
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
    let spans: Vec<Span> = devices
        .iter()
        .map(|d| Span {
            device_id: d.id,
            from: d.created_at.max(window.from),
            to: window.to,
        })
        .collect();
    let (usages, leases) =
        reports::usage_of_spans_parallel(store, &spans, Measure::Busy, ctx.now, |conn| {
            reports::leases_overlapping(conn, window.from, window.to, ctx.now)
        })?;
    for ((device, span), usage) in devices.into_iter().zip(&spans).zip(usages) {
        let start = span.from;
        let key = match args.by {
            UtilizationGrouping::Cluster => Some(device.cluster),
            UtilizationGrouping::Model => device.model,
            UtilizationGrouping::Node => Some(device.node),
        };
        let row = utilization_group(&mut groups, key);
        row.gpus += 1;
        row.available_gpu_hours += window.overlap(start, window.to) as f64 / HOUR;
        if usage.busy_known {
            row.used_gpu_hours = Some(row.used_gpu_hours.unwrap_or(0.0) + usage.busy_secs / HOUR);
        }
    }
    for lease in &leases {
        let gpu_hours = gpu_hours(lease, window);
        let key = match args.by {
            UtilizationGrouping::Cluster => Some(&lease.cluster),
            UtilizationGrouping::Model => lease.model.as_ref(),
            UtilizationGrouping::Node => Some(&lease.node),
        };
        let key = key.cloned();
        utilization_group(&mut groups, key).leased_gpu_hours += gpu_hours;
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
    let footer = format!("{} groups, {}", rows.len(), window.describe());
    rows.push(total);
    ctx.out.list(&rows, Some(footer))
}
