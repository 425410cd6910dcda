//! `gpuctl dashboard trends`: usage over time as a table or sparklines.

use super::*;
use crate::inventory::{load_device, Filters};

/// One bucket of a trend.
#[derive(Debug, Default, Serialize)]
pub(super) struct TrendPoint {
    #[serde(with = "crate::domain::unix_time")]
    bucket_at: i64,
    /// The bucket's length as `--bucket` reads it (`1h`, `7d`), given or chosen for the window.
    bucket: String,
    bucket_seconds: i64,
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

/// The bucket sizes a trend picks from without `--bucket`: round ones, each a whole number of
/// the one before from an hour on, so buckets line up with the hourly rollups.
const ROUND_BUCKETS: [i64; 8] = [
    60,
    5 * 60,
    15 * 60,
    HOUR,
    6 * HOUR,
    86_400,
    7 * 86_400,
    30 * 86_400,
];

/// The most buckets a trend picks a bucket size for: a chart and a table a person reads.
const CHOSEN_TREND_BUCKETS: i64 = 60;

/// The shortest whole-unit bucket (minute, hour, day, week) that keeps `window` within
/// [`MAX_TREND_BUCKETS`].
fn smallest_bucket(window: i64) -> i64 {
    let fits = |bucket: i64| window.div_euclid(bucket) < MAX_TREND_BUCKETS;
    [60, 3_600, 86_400, 7 * 86_400]
        .into_iter()
        .find(|&b| fits(b))
        .unwrap_or(7 * 86_400)
}

/// A usage error for a bucket longer than the window or making too many buckets of it.
fn check_bucket(bucket: i64, bucket_text: &str, args: &TrendsArgs) -> Result<()> {
    let window = args.since.seconds();
    if bucket > window {
        return Err(Error::usage(format!(
            "bucket '{bucket_text}' is longer than the window '{}'",
            args.since
        )));
    }
    let buckets = window.div_euclid(bucket) + i64::from(window % bucket != 0);
    if buckets > MAX_TREND_BUCKETS {
        return Err(Error::usage(format!(
            "--since {} in buckets of {bucket_text} is {buckets} buckets; at most {MAX_TREND_BUCKETS}",
            args.since
        ))
        .with_hint(format!(
            "give a larger --bucket, e.g. --bucket {}",
            clock::format_duration(smallest_bucket(window))
        )));
    }
    Ok(())
}

/// The first bucket of a window: buckets start on multiples of their size, so whole hours line
/// up with the rollups.
fn first_bucket(now: i64, window: i64, bucket: i64) -> i64 {
    (now - window).div_euclid(bucket) * bucket
}

/// How many buckets cover [now - window, now).
fn bucket_count(now: i64, window: i64, bucket: i64) -> i64 {
    let covered = now - first_bucket(now, window, bucket);
    covered.div_euclid(bucket) + i64::from(covered % bucket != 0)
}

/// The shortest of [`ROUND_BUCKETS`] that covers the window in at most
/// [`CHOSEN_TREND_BUCKETS`] buckets (the longest where none does). Never longer than the
/// window (a window under a minute is one bucket), and whole hours for a window that starts
/// before `raw_reach`, where raw samples may have been pruned and only rollups remain.
fn chosen_bucket(now: i64, window: i64, raw_reach: i64) -> i64 {
    let shortest = if now - window < raw_reach { HOUR } else { 1 };
    let fitting: Vec<i64> = ROUND_BUCKETS
        .into_iter()
        .filter(|&bucket| bucket >= shortest && bucket <= window)
        .collect();
    fitting
        .iter()
        .copied()
        .find(|&bucket| bucket_count(now, window, bucket) <= CHOSEN_TREND_BUCKETS)
        .or(fitting.last().copied())
        .unwrap_or(window)
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
    if let Some(given) = &args.bucket {
        check_bucket(given.seconds(), &given.to_string(), args)?;
    }
    let store = ctx.store()?;
    let (bucket, bucket_text) = match &args.bucket {
        Some(given) => (given.seconds(), given.to_string()),
        None => {
            let raw_reach = ctx.now - retention::retention(store.conn())?.raw_secs;
            let chosen = chosen_bucket(ctx.now, window, raw_reach);
            (chosen, clock::format_duration(chosen))
        }
    };
    check_bucket(bucket, &bucket_text, args)?;
    let filters = Filters::resolve(
        store.conn(),
        args.node.as_deref(),
        args.cluster.as_deref(),
        args.model.as_deref(),
    )?;
    // The stored UUID, whatever prefix of it was given.
    let device = match &args.device {
        Some(text) => Some(load_device(store.conn(), text)?.uuid),
        None => None,
    };
    let scope = TrendScope {
        cluster: filters.cluster_or_nodes(),
        node: filters.node_name(),
        model: filters.model.map(|m| m.name),
        device,
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
            "{} bucket(s) of {bucket_text} over the last {}",
            points.len(),
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
    let since = first_bucket(now, window, bucket);
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
        // Raw samples may be missing only where retention prunes them.
        let raw_reach = now - retention::retention(conn)?.raw_secs;
        if let (Some(oldest), true) = (oldest, rolled > since && since < raw_reach) {
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
        points.push(TrendPoint::of(p, bucket));
        start += bucket;
    }
    Ok(points)
}

impl TrendPoint {
    /// The point of a bucket `bucket` seconds long, from its sums and maxima.
    fn of(p: BucketParts, bucket: i64) -> Self {
        TrendPoint {
            bucket_at: p.bucket,
            bucket: clock::format_duration(bucket),
            bucket_seconds: bucket,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-29T10:00:00Z, on the hour.
    const NOW: i64 = 1_795_946_400;
    const DAY: i64 = 86_400;

    #[test]
    fn the_chosen_bucket_gives_at_most_60_round_buckets() {
        let anywhere = i64::MIN;
        for (window, bucket) in [
            (3_600, 60),
            (5 * HOUR, 300),
            (15 * HOUR, 900),
            (24 * HOUR, HOUR),
            (7 * DAY, 6 * HOUR),
            (30 * DAY, DAY),
            (400 * DAY, 7 * DAY),
            (1_000 * DAY, 30 * DAY),
        ] {
            assert_eq!(chosen_bucket(NOW, window, anywhere), bucket, "{window}");
            assert!(bucket_count(NOW, window, bucket) <= CHOSEN_TREND_BUCKETS);
        }
        // Off the hour, the first bucket starts before the window: still at most 60.
        assert!(
            bucket_count(
                NOW + 1_800,
                HOUR,
                chosen_bucket(NOW + 1_800, HOUR, anywhere)
            ) <= 60
        );
        assert_eq!(
            chosen_bucket(NOW, 30, anywhere),
            30,
            "a window under a minute"
        );
        assert_eq!(
            chosen_bucket(NOW, 5 * HOUR, NOW - HOUR),
            HOUR,
            "whole hours where raw samples may be pruned"
        );
    }
}
