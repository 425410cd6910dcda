//! `gpuctl dashboard trends`: usage over time as a table or sparklines.

use super::*;
use crate::inventory::{load_device, Filters};

/// One bucket of a trend.
#[derive(Debug, Default, Serialize)]
pub(super) struct TrendPoint {
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

/// The most buckets one trend holds: far more than a terminal or a chart shows, and few
/// enough that memory stays small whatever the window.
const MAX_TREND_BUCKETS: i64 = 10_000;

/// The shortest whole-unit bucket (minute, hour, day, week) that keeps `window` within
/// [`MAX_TREND_BUCKETS`].
fn smallest_bucket(window: i64) -> i64 {
    let fits = |bucket: i64| window.div_euclid(bucket) < MAX_TREND_BUCKETS;
    [60, 3_600, 86_400, 7 * 86_400]
        .into_iter()
        .find(|&b| fits(b))
        .unwrap_or(7 * 86_400)
}

pub(super) fn mean(sum: f64, n: i64) -> Option<f64> {
    (n > 0).then(|| sum / n as f64)
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

pub(super) fn trends(ctx: &Ctx, args: &TrendsArgs) -> Result<()> {
    let window = args.since.seconds();
    let bucket = args.bucket.seconds();
    if bucket > window {
        return Err(Error::usage(format!(
            "bucket '{}' is longer than the window '{}'",
            args.bucket, args.since
        )));
    }
    let buckets = window.div_euclid(bucket) + i64::from(window % bucket != 0);
    if buckets > MAX_TREND_BUCKETS {
        return Err(Error::usage(format!(
            "--since {} in buckets of {} is {buckets} buckets; at most {MAX_TREND_BUCKETS}",
            args.since, args.bucket
        ))
        .with_hint(format!(
            "give a larger --bucket, e.g. --bucket {}",
            clock::format_duration(smallest_bucket(window))
        )));
    }
    let store = ctx.store()?;
    let filters = Filters::resolve(
        store.conn(),
        args.node.as_deref(),
        args.cluster.as_deref(),
        args.model.as_deref(),
    )?;
    if let Some(uuid) = &args.device {
        load_device(store.conn(), uuid)?;
    }
    let scope = TrendScope {
        cluster: filters.cluster_or_nodes(),
        node: filters.node_name(),
        model: filters.model.map(|m| m.name),
        device: args.device.clone(),
    };
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
pub(super) fn trend_points(
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
