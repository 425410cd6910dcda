//! Reads behind `gpuctl report …`: leases overlapping a window, devices existing in it, and what
//! a device drew and did over spans of time. Reports write nothing.
//!
//! Usage comes from the hourly rollups alone, the hour in progress included (collect keeps a
//! provisional rollup of it): an hour that a span covers in part counts in proportion, so a
//! lease that held a GPU for 15 minutes of an hour gets a quarter of that hour's energy and
//! readings. Raw samples are never read: a month of a fleet's leases is one ordered pass over
//! its rollups rather than a query per lease (8,000 GPUs: 0.36 s → see the README's figures).

use std::collections::HashMap;

use rusqlite::{params, Connection, OptionalExtension};

use crate::error::{Error, Result};
use crate::store::metrics::{epoch_hour_at_or_after, HOURLY_VALUES};
use crate::store::Store;

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

/// Where a lease ends as of `?3` (now): now while active (its expiry once that has passed, even
/// before optimize marks it), else when it ended or expired.
const LEASE_END: &str =
    "CASE WHEN state = 'active' THEN min(?3, expires_at) ELSE coalesce(ended_at, expires_at) END";
/// The leases overlapping [?1, ?2), in id order.
const LEASES_OVERLAPPING: &str = "WHERE started_at < ?2 AND ends_at > ?1 ORDER BY id";

/// When a lease held which device: all the rollup pass needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeaseTime {
    pub id: i64,
    pub device_id: Option<i64>,
    pub started_at: i64,
    pub ends_at: i64,
}

/// The times of the leases [`leases_overlapping`] returns, without their texts (a few ms
/// instead of ~10 on 11,664 leases), so the rollup pass can start before the texts are read.
pub fn lease_times(conn: &Connection, from: i64, to: i64, now: i64) -> Result<Vec<LeaseTime>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id, device_id, started_at, {LEASE_END} AS ends_at
         FROM allocations {LEASES_OVERLAPPING}"
    ))?;
    let rows = stmt.query_map(params![from, to, now], |r| {
        Ok(LeaseTime {
            id: r.get(0)?,
            device_id: r.get(1)?,
            started_at: r.get(2)?,
            ends_at: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every lease whose [started_at, ends_at) overlaps [from, to), in id order.
pub fn leases_overlapping(
    conn: &Connection,
    from: i64,
    to: i64,
    now: i64,
) -> Result<Vec<LeaseSpan>> {
    // The catalogue is a few rows: matched here rather than joined case-insensitively per lease
    // (that join took ~10 ms of 11,664 leases).
    let mut catalogue: HashMap<String, (String, Option<f64>)> = HashMap::new();
    let mut stmt = conn.prepare_cached("SELECT name, hourly_cost FROM gpu_models")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let name: String = row.get(0)?;
        catalogue.insert(name.to_lowercase(), (name, row.get(1)?));
    }
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id, device_id, device_uuid, node, cluster, model, mig_profile, gpu_fraction, owner,
                namespace, state, started_at, {LEASE_END} AS ends_at
         FROM allocations {LEASES_OVERLAPPING}"
    ))?;
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
            hourly_cost: None,
        })
    })?;
    let mut leases = rows.collect::<rusqlite::Result<Vec<LeaseSpan>>>()?;
    for lease in &mut leases {
        let known = lease
            .model
            .as_ref()
            .and_then(|m| catalogue.get(&m.to_lowercase()));
        if let Some((name, cost)) = known {
            lease.model = Some(name.clone());
            lease.hourly_cost = *cost;
        }
    }
    Ok(leases)
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

/// A GPU that dcgm-exporter reported pods on (its `workload`) at or after some time.
#[derive(Debug, Clone, PartialEq)]
pub struct PodHeldDevice {
    pub device_id: i64,
    pub uuid: String,
    pub node: String,
    pub cluster: String,
    /// `namespace/pod`, comma-separated, as the last fleet collect saw them.
    pub pods: String,
    pub hourly_cost: Option<f64>,
}

/// GPUs with pods seen on them at or after `since`, by node and UUID.
pub fn pod_held_devices(conn: &Connection, since: i64) -> Result<Vec<PodHeldDevice>> {
    let mut stmt = conn.prepare_cached(
        "SELECT d.id, d.uuid, n.name, n.cluster, d.workload, m.hourly_cost
         FROM devices d JOIN nodes n ON n.id = d.node_id
         LEFT JOIN gpu_models m ON m.id = d.model_id
         WHERE d.workload IS NOT NULL AND d.workload_seen_at >= ?1
         ORDER BY n.cluster, n.name, d.uuid",
    )?;
    let rows = stmt.query_map(params![since], |r| {
        Ok(PodHeldDevice {
            device_id: r.get(0)?,
            uuid: r.get(1)?,
            node: r.get(2)?,
            cluster: r.get(3)?,
            pods: r.get(4)?,
            hourly_cost: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A stretch of one device's time whose usage is wanted: a lease, or the time the device existed,
/// clipped to a report's window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub device_id: i64,
    pub from: i64,
    pub to: i64,
}

/// What a report reads of each hourly rollup. Each reads only its columns: stepping fewer
/// values out of 200,000 rollups is a good part of a report's time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// Energy drawn (`report cost`).
    Energy,
    /// Samples and utilisation readings (`report idle`).
    Readings,
    /// Time in use (`report utilization`).
    Busy,
}

impl Measure {
    /// The two columns after device and hour.
    fn columns(self) -> &'static str {
        match self {
            Measure::Energy => "energy_mj, NULL",
            Measure::Readings => "n, gpu_util_avg",
            // The seconds covered count where power was reported: energy is mean power × them.
            Measure::Busy => {
                "CASE WHEN energy_mj IS NOT NULL AND power_avg > 0 THEN covered_secs END,
                 gpu_util_avg"
            }
        }
    }
}

/// What one device reported and drew over a span, as far as its [`Measure`] reads. Counts
/// are fractional: an hour the span covers in part adds that part of its samples.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Usage {
    /// Samples inside the span (Readings).
    pub samples: f64,
    /// Sum and count of the utilisation readings, for a sample-weighted average (Readings).
    pub util_sum: f64,
    pub util_count: f64,
    /// Seconds of full use: Σ utilisation/100 × the seconds the readings stand for (Busy); the
    /// seconds an hour's readings stand for are its energy / mean power, else the whole hour.
    pub busy_secs: f64,
    /// Whether any hour of the span had a utilisation reading (Busy).
    pub busy_known: bool,
    /// Energy drawn, in millijoules; None when no reading in the span reported power (Energy).
    pub energy_mj: Option<f64>,
}

impl Usage {
    /// Average utilisation in percent; None without readings.
    pub fn util_avg(&self) -> Option<f64> {
        (self.util_count > 0.0).then(|| self.util_sum / self.util_count)
    }
}

/// Spans on fewer devices than this are read on one thread: a thread and a connection cost
/// more than they save on a small store.
const DEVICES_PER_THREAD: usize = 256;
/// Threads at most, however many cores there are.
const MAX_THREADS: usize = 4;

/// The usage of each span (in the order given), from the hourly rollups, reading on as many
/// threads as there are cores (each with its own read-only connection, each taking a range of
/// devices): the pass over a fleet's rollups is most of a report's time. Meanwhile `alongside`
/// runs on this thread with the store's own connection (a report's other query, e.g. its leases'
/// texts), and its result comes back with the usage.
pub fn usage_of_spans_parallel<T>(
    store: &Store,
    spans: &[Span],
    measure: Measure,
    now: i64,
    alongside: impl FnOnce(&Connection) -> Result<T>,
) -> Result<(Vec<Usage>, T)> {
    let mut devices: Vec<i64> = spans.iter().map(|s| s.device_id).collect();
    devices.sort_unstable();
    devices.dedup();
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(MAX_THREADS)
        .min(devices.len() / DEVICES_PER_THREAD);
    if threads <= 1 {
        let other = alongside(store.conn())?;
        return Ok((usage_of_spans(store.conn(), spans, measure, now)?, other));
    }
    // Device ranges of about equal device counts; each span goes with its device's range.
    let bounds: Vec<i64> = (1..threads)
        .map(|k| devices[k * devices.len() / threads])
        .collect();
    let mut groups: Vec<(Vec<Span>, Vec<usize>)> = vec![(Vec::new(), Vec::new()); threads];
    for (index, span) in spans.iter().enumerate() {
        let group = bounds.partition_point(|&b| b <= span.device_id);
        groups[group].0.push(*span);
        groups[group].1.push(index);
    }
    let path = store.path();
    let (results, other) = std::thread::scope(|scope| {
        let handles: Vec<_> = groups
            .iter()
            .map(|(group, _)| {
                scope.spawn(move || {
                    let conn = super::open_reader(path, now)?;
                    usage_of_spans(&conn, group, measure, now)
                })
            })
            .collect();
        let other = alongside(store.conn());
        let results: Vec<Result<Vec<Usage>>> = handles
            .into_iter()
            .map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|_| Err(Error::store("a report thread failed")))
            })
            .collect();
        (results, other)
    });
    let mut usage = vec![Usage::default(); spans.len()];
    for (result, (_, indices)) in results.into_iter().zip(&groups) {
        for (u, &index) in result?.into_iter().zip(indices) {
            usage[index] = u;
        }
    }
    Ok((usage, other?))
}

/// The usage of each span (in the order given), from the hourly rollups, on one connection.
///
/// An hour counts for a span in the proportion of the hour the span covers; the hour in
/// progress is as long as the part of it before `now`. One pass over the rollups of the
/// spans' devices and hours, in key order, against the spans sorted by device and start.
pub fn usage_of_spans(
    conn: &Connection,
    spans: &[Span],
    measure: Measure,
    now: i64,
) -> Result<Vec<Usage>> {
    let mut usage = vec![Usage::default(); spans.len()];
    // The non-empty spans by device and start, with their index in `spans`.
    let mut order: Vec<(Span, usize)> = spans
        .iter()
        .enumerate()
        .filter(|(_, s)| s.from < s.to)
        .map(|(i, s)| (*s, i))
        .collect();
    order.sort_unstable_by_key(|(s, i)| (s.device_id, s.from, *i));
    let (Some(first), Some(last)) = (order.first(), order.last()) else {
        return Ok(usage);
    };
    let (first_device, last_device) = (first.0.device_id, last.0.device_id);
    let first_hour = order
        .iter()
        .map(|(s, _)| floor_hour(s.from))
        .min()
        .unwrap_or(0);
    let end = order.iter().map(|(s, _)| s.to).max().unwrap_or(0);
    let current_hour = floor_hour(now);
    // When the window reaches back to the first rollup (of the first device, as a probe), one
    // sequential pass over the devices' rollups reads little else; otherwise each device's
    // hours are sought (8,000 seeks cost ~20 ms, worth it when there is older history to skip).
    let oldest: Option<i64> = conn
        .query_row(
            "SELECT epoch_hour * 3600 FROM samples_hourly WHERE device_id >= ?1
             ORDER BY device_id, epoch_hour LIMIT 1",
            [first_device],
            |r| r.get(0),
        )
        .optional()?;
    let devices = if oldest.is_some_and(|hour| hour >= first_hour) {
        "device_id BETWEEN ?3 AND ?4"
    } else {
        "device_id IN (SELECT id FROM devices WHERE id BETWEEN ?3 AND ?4)"
    };
    let sql = format!(
        "SELECT device_id, hour, {} FROM ({HOURLY_VALUES})
         WHERE {devices} AND epoch_hour >= ?1 AND epoch_hour < ?2
         ORDER BY device_id, epoch_hour",
        measure.columns()
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params![
        first_hour.div_euclid(HOUR),
        epoch_hour_at_or_after(end),
        first_device,
        last_device
    ])?;
    // order[live..] are the spans not yet over: of this device or later ones.
    let mut live = 0;
    while let Some(row) = rows.next()? {
        let device_id: i64 = row.get(0)?;
        let hour: i64 = row.get(1)?;
        while live < order.len() {
            let span = order[live].0;
            if span.device_id > device_id || (span.device_id == device_id && span.to > hour) {
                break;
            }
            live += 1;
        }
        // The hour in progress is as long as the part of it gone by.
        let length = if hour == current_hour {
            (now - hour).clamp(1, HOUR)
        } else {
            HOUR
        } as f64;
        let hour_end = hour + HOUR;
        let mut spans_here = order[live..]
            .iter()
            .take_while(|(span, _)| span.device_id == device_id && span.from < hour_end)
            .filter_map(|&(span, index)| {
                let overlap = span.to.min(hour_end) - span.from.max(hour);
                (overlap > 0).then(|| (index, (overlap as f64 / length).min(1.0)))
            })
            .peekable();
        if spans_here.peek().is_none() {
            continue;
        }
        match measure {
            Measure::Energy => {
                let Some(energy) = row.get::<_, Option<i64>>(2)? else {
                    continue;
                };
                for (index, share) in spans_here {
                    let u = &mut usage[index];
                    u.energy_mj = Some(u.energy_mj.unwrap_or(0.0) + energy as f64 * share);
                }
            }
            Measure::Readings => {
                let n = row.get::<_, i64>(2)? as f64;
                let util: Option<f64> = row.get(3)?;
                for (index, share) in spans_here {
                    let u = &mut usage[index];
                    u.samples += n * share;
                    if let Some(util) = util {
                        u.util_sum += util * n * share;
                        u.util_count += n * share;
                    }
                }
            }
            Measure::Busy => {
                let Some(util) = row.get::<_, Option<f64>>(3)? else {
                    continue;
                };
                let covered = row
                    .get::<_, Option<f64>>(2)?
                    .map_or(length, |secs| secs.min(length));
                for (index, share) in spans_here {
                    let u = &mut usage[index];
                    u.busy_secs += util / 100.0 * covered * share;
                    u.busy_known = true;
                }
            }
        }
    }
    Ok(usage)
}

fn floor_hour(ts: i64) -> i64 {
    ts - ts.rem_euclid(HOUR)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::metrics::{insert_samples, rollup_hours, SampleRow};
    use crate::store::migrations::migrate;
    use crate::store::Store;

    /// An in-memory store with two devices, holding `readings` (device, ts, gpu_util, power_mw)
    /// rolled up by hour.
    fn store_with(readings: &[(i64, i64, Option<i64>, Option<i64>)]) -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        conn.execute_batch(
            "INSERT INTO nodes (id, name, cluster, status, created_at, updated_at)
               VALUES (1, 'n', 'c', 'ready', 0, 0);
             INSERT INTO devices (id, uuid, node_id, idx, created_at, updated_at)
               VALUES (1, 'GPU-1', 1, 0, 0, 0), (2, 'GPU-2', 1, 1, 0, 0);",
        )
        .unwrap();
        let samples: Vec<SampleRow> = readings
            .iter()
            .map(|&(device_id, ts, gpu_util, power_mw)| SampleRow {
                device_id,
                ts,
                gpu_util,
                power_mw,
                ..SampleRow::default()
            })
            .collect();
        insert_samples(&conn, &samples).unwrap();
        rollup_hours(&conn, 0, 100 * HOUR).unwrap();
        conn
    }

    /// One reading a minute over [from, to).
    fn minutes(
        device: i64,
        from: i64,
        to: i64,
        util: i64,
        power_mw: i64,
    ) -> Vec<(i64, i64, Option<i64>, Option<i64>)> {
        (from..to)
            .step_by(60)
            .map(|ts| (device, ts, Some(util), Some(power_mw)))
            .collect()
    }

    fn span(device_id: i64, from: i64, to: i64) -> Span {
        Span {
            device_id,
            from,
            to,
        }
    }

    /// Energy, readings and busy time of `spans`, each read with its own measure.
    fn all_measures(conn: &Connection, spans: &[Span], now: i64) -> Vec<Usage> {
        let energy = usage_of_spans(conn, spans, Measure::Energy, now).unwrap();
        let readings = usage_of_spans(conn, spans, Measure::Readings, now).unwrap();
        let busy = usage_of_spans(conn, spans, Measure::Busy, now).unwrap();
        (0..spans.len())
            .map(|i| Usage {
                samples: readings[i].samples,
                util_sum: readings[i].util_sum,
                util_count: readings[i].util_count,
                busy_secs: busy[i].busy_secs,
                busy_known: busy[i].busy_known,
                energy_mj: energy[i].energy_mj,
            })
            .collect()
    }

    #[test]
    fn whole_hours_count_whole_and_partial_hours_in_proportion() {
        // Device 1: 100 W at 50 % in hour 0, 200 W at 100 % in hour 1.
        let mut readings = minutes(1, 0, HOUR, 50, 100_000);
        readings.extend(minutes(1, HOUR, 2 * HOUR, 100, 200_000));
        let conn = store_with(&readings);
        let now = 10 * HOUR;
        // [0, 2 h) whole; [30 min, 1 h 15 min): half of hour 0, a quarter of hour 1.
        let usage = all_measures(&conn, &[span(1, 0, 2 * HOUR), span(1, 1_800, 4_500)], now);
        assert_eq!(usage[0].samples, 120.0);
        assert_eq!(
            usage[0].energy_mj,
            Some(100_000.0 * 3_600.0 + 200_000.0 * 3_600.0)
        );
        assert_eq!(usage[0].busy_secs, 0.5 * 3_600.0 + 3_600.0);
        assert_eq!(usage[0].util_avg(), Some(75.0));
        assert_eq!(usage[1].samples, 30.0 + 15.0);
        assert_eq!(
            usage[1].energy_mj,
            Some(100_000.0 * 1_800.0 + 200_000.0 * 900.0)
        );
        assert_eq!(usage[1].busy_secs, 0.5 * 1_800.0 + 900.0);
        assert_eq!(
            usage[1].util_avg(),
            Some((30.0 * 50.0 + 15.0 * 100.0) / 45.0)
        );
    }

    #[test]
    fn overlapping_spans_of_one_device_each_get_their_share() {
        // Two MIG leases on one GPU at the same time, and a lease on another GPU.
        let mut readings = minutes(1, 0, HOUR, 40, 300_000);
        readings.extend(minutes(2, 0, HOUR, 10, 50_000));
        let conn = store_with(&readings);
        let spans = [span(1, 0, HOUR), span(2, 0, 1_800), span(1, 900, 2_700)];
        let usage = all_measures(&conn, &spans, 10 * HOUR);
        assert_eq!(usage[0].energy_mj, Some(300_000.0 * 3_600.0));
        assert_eq!(usage[1].energy_mj, Some(50_000.0 * 1_800.0));
        assert_eq!(usage[2].energy_mj, Some(300_000.0 * 1_800.0));
        assert_eq!(usage[2].util_avg(), Some(40.0));
    }

    #[test]
    fn the_hour_in_progress_is_as_long_as_the_part_gone_by() {
        // 20 minutes into hour 5: a lease since the hour began has all of it, one since
        // minute 10 half of it.
        let conn = store_with(&minutes(1, 5 * HOUR, 5 * HOUR + 1_200, 60, 100_000));
        let now = 5 * HOUR + 1_200;
        let spans = [span(1, 5 * HOUR, now), span(1, 5 * HOUR + 600, now)];
        let usage = all_measures(&conn, &spans, now);
        assert_eq!(usage[0].samples, 20.0);
        assert_eq!(usage[0].energy_mj, Some(100_000.0 * 1_200.0));
        assert_eq!(usage[0].busy_secs, 0.6 * 1_200.0);
        assert_eq!(usage[1].samples, 10.0);
        assert_eq!(usage[1].energy_mj, Some(100_000.0 * 600.0));
    }

    #[test]
    fn no_rollups_or_no_power_leave_energy_unknown() {
        let conn = store_with(&[(1, 0, Some(5), None), (1, 60, Some(5), None)]);
        let spans = [span(1, 0, HOUR), span(2, 0, HOUR), span(1, HOUR, HOUR)];
        let usage = all_measures(&conn, &spans, 10 * HOUR);
        assert_eq!(usage[0].energy_mj, None);
        assert_eq!(usage[0].samples, 2.0);
        assert_eq!(
            usage[0].busy_secs,
            0.05 * 3_600.0,
            "without power the whole hour is assumed"
        );
        assert!(usage[0].busy_known);
        assert_eq!(usage[1], Usage::default(), "device 2 has no samples");
        assert_eq!(usage[2], Usage::default(), "an empty span");
    }

    #[test]
    fn threads_split_by_device_give_what_one_connection_gives() {
        // 600 devices, enough for more than one thread where there are cores; each device
        // leased in two pieces that split an hour.
        let dir = tempfile::tempdir().unwrap();
        let store =
            Store::open(&dir.path().join("s.db"), crate::store::DEFAULT_BUSY_TIMEOUT).unwrap();
        store
            .write(|tx| {
                tx.execute_batch(
                    "INSERT INTO nodes (id, name, cluster, status, created_at, updated_at)
                       VALUES (1, 'n', 'c', 'ready', 0, 0);",
                )?;
                let mut samples = Vec::new();
                for device in 1..=600 {
                    tx.execute(
                        "INSERT INTO devices (id, uuid, node_id, idx, created_at, updated_at)
                         VALUES (?1, 'GPU-' || ?1, 1, ?1, 0, 0)",
                        [device],
                    )?;
                    for minute in 0..120 {
                        samples.push(SampleRow {
                            device_id: device,
                            ts: minute * 60,
                            gpu_util: Some(device % 100),
                            power_mw: Some(1_000 * device),
                            ..SampleRow::default()
                        });
                    }
                }
                insert_samples(tx, &samples)?;
                rollup_hours(tx, 0, 2 * HOUR)?;
                Ok(())
            })
            .unwrap();
        let spans: Vec<Span> = (1..=600)
            .flat_map(|d| [span(d, 0, 4_000 + d), span(d, 4_000 + d, 2 * HOUR)])
            .collect();
        for measure in [Measure::Energy, Measure::Readings, Measure::Busy] {
            let (parallel, alongside) =
                usage_of_spans_parallel(&store, &spans, measure, 3 * HOUR, |conn| {
                    Ok(conn.query_row("SELECT count(*) FROM devices", [], |r| r.get::<_, i64>(0))?)
                })
                .unwrap();
            assert_eq!(alongside, 600, "the work alongside ran and came back");
            let single = usage_of_spans(store.conn(), &spans, measure, 3 * HOUR).unwrap();
            assert_eq!(parallel, single, "{measure:?}");
        }
        let energy = usage_of_spans(store.conn(), &spans, Measure::Energy, 3 * HOUR).unwrap();
        let whole: f64 = energy[0].energy_mj.unwrap() + energy[1].energy_mj.unwrap();
        assert_eq!(
            whole,
            1_000.0 * 7_200.0,
            "device 1's two pieces add up to its two hours"
        );
    }
}
