//! Reads behind `gpuctl report …`: leases overlapping a window, devices existing in it, and what
//! a device drew and did over a span of time. Reports write nothing.
//!
//! A device's usage over a span is read hour by hour: an hour lying wholly inside the span that
//! has a rollup in `samples_hourly` is taken from the rollup (one row instead of ~60, and still
//! there after raw samples pass retention); the partial hours at the span's edges, and whole hours
//! without a rollup (the hour in progress, or a rollup not yet made), come from raw samples.

use rusqlite::{params, Connection};

use crate::error::Result;

/// A raw sample stands for the time until the next sample of its device, but never more than this:
/// a collector that stopped for an hour must not have its last reading stretched over the gap.
pub const MAX_SAMPLE_SPAN_SECS: i64 = 300;

const HOUR: i64 = 3_600;

/// A lease, with the end it has as of `now` and its model's price.
#[derive(Debug, Clone, PartialEq)]
pub struct LeaseSpan {
    pub id: i64,
    pub device_id: Option<i64>,
    pub device_uuid: String,
    pub node: String,
    pub cluster: String,
    /// The catalogue's spelling when the lease's model text matches one, else that text.
    pub model: Option<String>,
    pub mig_profile: Option<String>,
    pub gpu_fraction: f64,
    pub owner: String,
    pub namespace: Option<String>,
    pub state: String,
    pub started_at: i64,
    /// Active: `now`; released or expired: `ended_at`, or `expires_at` when that is missing.
    pub ends_at: i64,
    /// Per whole-GPU hour, from `gpu_models` by name (case-insensitive); None when unknown.
    pub hourly_cost: Option<f64>,
}

/// Every lease whose [started_at, ends_at) overlaps [from, to), oldest first.
pub fn leases_overlapping(
    conn: &Connection,
    from: i64,
    to: i64,
    now: i64,
) -> Result<Vec<LeaseSpan>> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.id, a.device_id, a.device_uuid, a.node, a.cluster, coalesce(m.name, a.model), a.mig_profile,
                a.gpu_fraction, a.owner, a.namespace, a.state, a.started_at,
                CASE WHEN a.state = 'active' THEN ?3 ELSE coalesce(a.ended_at, a.expires_at) END AS ends_at,
                m.hourly_cost
         FROM allocations a
         LEFT JOIN gpu_models m ON m.name = a.model COLLATE NOCASE
         WHERE a.started_at < ?2 AND ends_at > ?1
         ORDER BY a.started_at, a.id",
    )?;
    let rows = stmt.query_map(params![from, to, now], |r| {
        Ok(LeaseSpan {
            id: r.get(0)?,
            device_id: r.get(1)?,
            device_uuid: r.get(2)?,
            node: r.get(3)?,
            cluster: r.get(4)?,
            model: r.get(5)?,
            mig_profile: r.get(6)?,
            gpu_fraction: r.get(7)?,
            owner: r.get(8)?,
            namespace: r.get(9)?,
            state: r.get(10)?,
            started_at: r.get(11)?,
            ends_at: r.get(12)?,
            hourly_cost: r.get(13)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A device that is not retired and was created before `to`, with what it is grouped by.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceSpan {
    pub id: i64,
    pub node: String,
    pub cluster: String,
    pub model: Option<String>,
    pub created_at: i64,
}

pub fn devices_existing_before(conn: &Connection, to: i64) -> Result<Vec<DeviceSpan>> {
    let mut stmt = conn.prepare_cached(
        "SELECT d.id, n.name, n.cluster, m.name, d.created_at
         FROM devices d
         JOIN nodes n ON n.id = d.node_id
         LEFT JOIN gpu_models m ON m.id = d.model_id
         WHERE d.status <> 'retired' AND d.created_at < ?1
         ORDER BY d.id",
    )?;
    let rows = stmt.query_map([to], |r| {
        Ok(DeviceSpan {
            id: r.get(0)?,
            node: r.get(1)?,
            cluster: r.get(2)?,
            model: r.get(3)?,
            created_at: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// What one device reported and drew over a span.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Usage {
    /// Samples taken inside the span (raw, plus the `n` of each rollup used).
    pub samples: i64,
    /// Sum and count of the utilisation readings, for a sample-weighted average.
    pub util_sum: f64,
    pub util_count: f64,
    /// Seconds of full use: Σ utilisation/100 × the time each reading stands for.
    pub busy_secs: f64,
    /// Energy drawn, in millijoules; None when no reading in the span reported power.
    pub energy_mj: Option<f64>,
}

impl Usage {
    /// Average utilisation in percent; None without readings.
    pub fn util_avg(&self) -> Option<f64> {
        (self.util_count > 0.0).then(|| self.util_sum / self.util_count)
    }

    fn add(&mut self, other: Usage) {
        self.samples += other.samples;
        self.util_sum += other.util_sum;
        self.util_count += other.util_count;
        self.busy_secs += other.busy_secs;
        self.energy_mj = match (self.energy_mj, other.energy_mj) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0.0) + b.unwrap_or(0.0)),
        };
    }
}

/// Usage of `device_id` over [from, to): rollups for the whole hours that have one, raw samples
/// for the rest.
pub fn device_usage(conn: &Connection, device_id: i64, from: i64, to: i64) -> Result<Usage> {
    let mut usage = Usage::default();
    if from >= to {
        return Ok(usage);
    }
    let first_hour = from + (HOUR - from.rem_euclid(HOUR)) % HOUR;
    let end_hour = to - to.rem_euclid(HOUR);
    if first_hour >= end_hour {
        usage.add(raw_usage(conn, device_id, from, to)?);
        return Ok(usage);
    }
    // Usually every whole hour has a rollup: one aggregate over them, raw for the two edges.
    let (rollup_count, rollups) = rollup_totals(conn, device_id, first_hour, end_hour)?;
    usage.add(rollups);
    let expected = (end_hour - first_hour) / HOUR;
    if rollup_count == expected {
        usage.add(raw_usage(conn, device_id, from, first_hour)?);
        usage.add(raw_usage(conn, device_id, end_hour, to)?);
        return Ok(usage);
    }
    // Otherwise raw samples also fill every run of hours without a rollup.
    let mut raw_from = from;
    let mut stmt = conn.prepare_cached(
        "SELECT hour FROM samples_hourly WHERE device_id = ?1 AND hour >= ?2 AND hour < ?3
         ORDER BY hour",
    )?;
    let hours = stmt
        .query_map(params![device_id, first_hour, end_hour], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<i64>>>()?;
    for hour in hours {
        usage.add(raw_usage(conn, device_id, raw_from, hour)?);
        raw_from = hour + HOUR;
    }
    usage.add(raw_usage(conn, device_id, raw_from, to)?);
    Ok(usage)
}

/// How many rollups of `device_id` lie in [first_hour, end_hour), and their usage summed in SQL
/// (a month of a GPU is ~720 rows; summing them in SQLite beats stepping each into Rust).
///
/// The rollup stores energy as mean power × seconds covered, so the seconds covered are
/// energy / mean power; without power the whole hour is assumed covered.
fn rollup_totals(
    conn: &Connection,
    device_id: i64,
    first_hour: i64,
    end_hour: i64,
) -> Result<(i64, Usage)> {
    let mut stmt = conn.prepare_cached(
        "SELECT count(*), ifnull(sum(n), 0),
                ifnull(sum(gpu_util_avg * n), 0.0),
                ifnull(sum(CASE WHEN gpu_util_avg IS NOT NULL THEN n END), 0),
                ifnull(sum(gpu_util_avg / 100.0 * CASE WHEN energy_mj IS NOT NULL AND power_avg > 0
                     THEN min(energy_mj / power_avg, 3600.0) ELSE 3600.0 END), 0.0),
                sum(energy_mj)
         FROM samples_hourly WHERE device_id = ?1 AND hour >= ?2 AND hour < ?3",
    )?;
    Ok(
        stmt.query_row(params![device_id, first_hour, end_hour], |r| {
            Ok((
                r.get(0)?,
                Usage {
                    samples: r.get(1)?,
                    util_sum: r.get(2)?,
                    util_count: r.get::<_, i64>(3)? as f64,
                    busy_secs: r.get(4)?,
                    energy_mj: r.get::<_, Option<i64>>(5)?.map(|e| e as f64),
                },
            ))
        })?,
    )
}

/// Raw samples of one device over [from, to), by primary-key range.
///
/// Stepped into Rust rather than summed in SQL: a `lead() OVER (ORDER BY ts)` query measured
/// ~4x slower on the fleet benchmark.
fn raw_usage(conn: &Connection, device_id: i64, from: i64, to: i64) -> Result<Usage> {
    if from >= to {
        return Ok(Usage::default());
    }
    // A sample up to MAX_SAMPLE_SPAN_SECS before `from` may still stand for time inside the span,
    // and one up to that long after `to` ends the span of the last sample inside it.
    let mut stmt = conn.prepare_cached(
        "SELECT ts, gpu_util, power_mw FROM samples
         WHERE device_id = ?1 AND ts >= ?2 AND ts < ?3 ORDER BY ts",
    )?;
    let mut rows = stmt.query(params![
        device_id,
        from - MAX_SAMPLE_SPAN_SECS,
        to + MAX_SAMPLE_SPAN_SECS
    ])?;
    let mut usage = Usage::default();
    let mut previous: Option<Reading> = None;
    while let Some(row) = rows.next()? {
        let reading: Reading = (row.get(0)?, row.get(1)?, row.get(2)?);
        if let Some(earlier) = previous {
            add_reading(&mut usage, earlier, Some(reading.0), from, to);
        }
        previous = Some(reading);
    }
    if let Some(last) = previous {
        add_reading(&mut usage, last, None, from, to);
    }
    Ok(usage)
}

/// (ts, gpu_util %, power mW)
type Reading = (i64, Option<i64>, Option<i64>);

/// A reading stands for [ts, next ts), at most MAX_SAMPLE_SPAN_SECS (the newest reading: that
/// long); only the part inside [from, to) counts.
fn add_reading(usage: &mut Usage, reading: Reading, next: Option<i64>, from: i64, to: i64) {
    let (ts, util, power) = reading;
    let span_end = next.map_or(ts + MAX_SAMPLE_SPAN_SECS, |n| {
        n.min(ts + MAX_SAMPLE_SPAN_SECS)
    });
    let secs = (span_end.min(to) - ts.max(from)).max(0) as f64;
    let inside = ts >= from && ts < to;
    if inside {
        usage.samples += 1;
        if let Some(u) = util {
            usage.util_sum += u as f64;
            usage.util_count += 1.0;
        }
    }
    if let Some(u) = util {
        usage.busy_secs += u as f64 / 100.0 * secs;
    }
    if let Some(p) = power {
        if secs > 0.0 || inside {
            usage.energy_mj = Some(usage.energy_mj.unwrap_or(0.0) + p as f64 * secs);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::metrics::{insert_samples, SampleRow};
    use crate::store::migrations::migrate;

    /// An in-memory store holding `readings` (ts, gpu_util, power_mw) of device 1.
    fn store_with(readings: &[(i64, Option<i64>, Option<i64>)]) -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        let samples: Vec<SampleRow> = readings
            .iter()
            .map(|&(ts, gpu_util, power_mw)| SampleRow {
                device_id: 1,
                ts,
                gpu_util,
                power_mw,
                ..SampleRow::default()
            })
            .collect();
        insert_samples(&conn, &samples).unwrap();
        conn
    }

    #[test]
    fn samples_stand_for_the_time_to_the_next_one_clipped_to_the_span() {
        // 100 W at 0, 60, 120; 50 % utilisation. Span [30, 150): 30 + 60 + 30 seconds.
        let conn = store_with(&[
            (0, Some(50), Some(100_000)),
            (60, Some(50), Some(100_000)),
            (120, Some(50), Some(100_000)),
        ]);
        let usage = raw_usage(&conn, 1, 30, 150).unwrap();
        assert_eq!(usage.samples, 2);
        assert_eq!(usage.energy_mj, Some(100_000.0 * 120.0));
        assert_eq!(usage.busy_secs, 60.0);
        assert_eq!(usage.util_avg(), Some(50.0));
    }

    #[test]
    fn a_gap_in_the_samples_is_not_filled_past_the_cap() {
        let conn = store_with(&[(0, Some(100), Some(1_000)), (3_600, Some(100), Some(1_000))]);
        let usage = raw_usage(&conn, 1, 0, 3_600).unwrap();
        assert_eq!(usage.energy_mj, Some(1_000.0 * MAX_SAMPLE_SPAN_SECS as f64));
        assert_eq!(usage.busy_secs, MAX_SAMPLE_SPAN_SECS as f64);
        assert_eq!(usage.samples, 1);
    }

    #[test]
    fn no_power_readings_leave_energy_unknown() {
        let conn = store_with(&[(10, Some(1), None)]);
        let usage = raw_usage(&conn, 1, 0, 100).unwrap();
        assert_eq!(usage.energy_mj, None);
        assert_eq!(usage.samples, 1);
        assert_eq!(usage.busy_secs, 0.9, "1 % of the 90 s up to the span's end");
    }

    #[test]
    fn whole_hours_with_rollups_come_from_the_rollups_and_the_rest_from_raw_samples() {
        // Raw: 60 W each minute over [0, 2 h); rollup for hour 1 says 100 W for 3,600 s.
        let readings: Vec<_> = (0..120).map(|m| (m * 60, Some(10), Some(60_000))).collect();
        let conn = store_with(&readings);
        conn.execute(
            "INSERT INTO samples_hourly (device_id, hour, n, gpu_util_avg, power_avg, energy_mj)
             VALUES (1, 3600, 60, 40.0, 100000.0, 360000000)",
            [],
        )
        .unwrap();
        // [30 min, 2 h): raw for the first half hour, the rollup for hour 1.
        let usage = device_usage(&conn, 1, 1_800, 7_200).unwrap();
        assert_eq!(usage.samples, 30 + 60);
        assert_eq!(usage.energy_mj, Some(60_000.0 * 1_800.0 + 360_000_000.0));
        assert_eq!(usage.busy_secs, 0.1 * 1_800.0 + 0.4 * 3_600.0);
        assert_eq!(usage.util_avg(), Some((30.0 * 10.0 + 60.0 * 40.0) / 90.0));
    }
}
