//! Samples, hourly rollups and retention.

use std::collections::BTreeMap;

use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::error::Result;

/// One stored sample of one GPU; None where the GPU did not report the metric.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SampleRow {
    pub device_id: i64,
    pub ts: i64,
    pub gpu_util: Option<i64>,
    pub mem_util: Option<i64>,
    pub mem_used_mib: Option<i64>,
    pub temp_c: Option<i64>,
    pub power_mw: Option<i64>,
    pub fan_pct: Option<i64>,
    pub ecc_uncorrected: Option<i64>,
}

/// Inserts samples and adds them to the hourly fleet aggregates. A repeat of the same
/// (device, second) is ignored, so no sample is counted twice.
pub fn insert_samples(conn: &Connection, samples: &[SampleRow]) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT OR IGNORE INTO samples (device_id, ts, gpu_util, mem_util, mem_used_mib, temp_c,
             power_mw, fan_pct, ecc_uncorrected)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    // Per (hour, device) first: a device's cluster, model and memory are looked up once.
    let mut per_device: BTreeMap<(i64, i64), DeviceHour> = BTreeMap::new();
    let mut newest: BTreeMap<i64, &SampleRow> = BTreeMap::new();
    for s in samples {
        let inserted = stmt.execute(params![
            s.device_id,
            s.ts,
            s.gpu_util,
            s.mem_util,
            s.mem_used_mib,
            s.temp_c,
            s.power_mw,
            s.fan_pct,
            s.ecc_uncorrected,
        ])?;
        if inserted == 1 {
            per_device
                .entry((s.ts - s.ts.rem_euclid(HOUR), s.device_id))
                .or_default()
                .add(s);
            let entry = newest.entry(s.device_id).or_insert(s);
            if s.ts > entry.ts {
                *entry = s;
            }
        }
    }
    let mut latest = conn.prepare_cached(
        "UPDATE devices SET latest_ts = ?2, latest_gpu_util = ?3, latest_mem_util = ?4,
                latest_mem_used_mib = ?5, latest_temp_c = ?6, latest_power_mw = ?7,
                latest_fan_pct = ?8, latest_ecc_uncorrected = ?9
         WHERE id = ?1 AND (latest_ts IS NULL OR latest_ts <= ?2)",
    )?;
    for s in newest.values() {
        latest.execute(params![
            s.device_id,
            s.ts,
            s.gpu_util,
            s.mem_util,
            s.mem_used_mib,
            s.temp_c,
            s.power_mw,
            s.fan_pct,
            s.ecc_uncorrected
        ])?;
    }
    add_to_fleet_hourly(conn, &per_device)
}

/// The newest sample of a device, as its device row keeps it.
const LATEST_COLUMNS: &str = "d.id, d.latest_ts, d.latest_gpu_util, d.latest_mem_util,
    d.latest_mem_used_mib, d.latest_temp_c, d.latest_power_mw, d.latest_fan_pct,
    d.latest_ecc_uncorrected";

const HOUR: i64 = 3_600;

/// One device's new samples within one hour.
#[derive(Debug, Default)]
struct DeviceHour {
    n: i64,
    util_sum: f64,
    util_n: i64,
    util_max: Option<i64>,
    mem_sum: f64,
    mem_n: i64,
    mem_max: Option<i64>,
    temp_sum: f64,
    temp_n: i64,
    temp_max: Option<i64>,
    power_sum: f64,
    power_n: i64,
    power_max: Option<i64>,
}

impl DeviceHour {
    fn add(&mut self, s: &SampleRow) {
        fn take(sum: &mut f64, n: &mut i64, max: &mut Option<i64>, value: Option<i64>) {
            if let Some(v) = value {
                *sum += v as f64;
                *n += 1;
                *max = Some(max.map_or(v, |m| m.max(v)));
            }
        }
        self.n += 1;
        take(
            &mut self.util_sum,
            &mut self.util_n,
            &mut self.util_max,
            s.gpu_util,
        );
        take(
            &mut self.mem_sum,
            &mut self.mem_n,
            &mut self.mem_max,
            s.mem_used_mib,
        );
        take(
            &mut self.temp_sum,
            &mut self.temp_n,
            &mut self.temp_max,
            s.temp_c,
        );
        take(
            &mut self.power_sum,
            &mut self.power_n,
            &mut self.power_max,
            s.power_mw,
        );
    }
}

/// A device's cluster, model id and memory total: where its samples count in the fleet.
type FleetKey = (String, i64, Option<i64>);

fn add_to_fleet_hourly(
    conn: &Connection,
    per_device: &BTreeMap<(i64, i64), DeviceHour>,
) -> Result<()> {
    let mut lookup = conn.prepare_cached(
        "SELECT n.cluster, ifnull(d.model_id, 0), d.memory_total_mib
         FROM devices d JOIN nodes n ON n.id = d.node_id WHERE d.id = ?1",
    )?;
    let mut upsert = conn.prepare_cached(
        "INSERT INTO samples_fleet_hourly (hour, cluster, model_id, n, util_sum, util_n, util_max,
             mem_pct_sum, mem_pct_n, mem_pct_max, temp_sum, temp_n, temp_max, power_sum, power_n, power_max)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
         ON CONFLICT (hour, cluster, model_id) DO UPDATE SET
             n = n + excluded.n,
             util_sum = util_sum + excluded.util_sum, util_n = util_n + excluded.util_n,
             util_max = max(coalesce(util_max, excluded.util_max), coalesce(excluded.util_max, util_max)),
             mem_pct_sum = mem_pct_sum + excluded.mem_pct_sum, mem_pct_n = mem_pct_n + excluded.mem_pct_n,
             mem_pct_max = max(coalesce(mem_pct_max, excluded.mem_pct_max), coalesce(excluded.mem_pct_max, mem_pct_max)),
             temp_sum = temp_sum + excluded.temp_sum, temp_n = temp_n + excluded.temp_n,
             temp_max = max(coalesce(temp_max, excluded.temp_max), coalesce(excluded.temp_max, temp_max)),
             power_sum = power_sum + excluded.power_sum, power_n = power_n + excluded.power_n,
             power_max = max(coalesce(power_max, excluded.power_max), coalesce(excluded.power_max, power_max))",
    )?;
    let mut device: Option<(i64, Option<FleetKey>)> = None;
    for ((hour, device_id), h) in per_device {
        if device.as_ref().map(|(id, _)| id) != Some(device_id) {
            let found = lookup
                .query_row([device_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()?;
            device = Some((*device_id, found));
        }
        // A sample of a GPU the inventory does not hold has no cluster to count in.
        let Some((_, Some((cluster, model_id, memory_total)))) = &device else {
            continue;
        };
        // Memory as a percentage of the GPU's total, which is fixed for the device.
        let (mem_pct_sum, mem_pct_n, mem_pct_max) = match memory_total.filter(|t| *t > 0) {
            Some(total) => (
                100.0 * h.mem_sum / total as f64,
                h.mem_n,
                h.mem_max.map(|m| 100.0 * m as f64 / total as f64),
            ),
            None => (0.0, 0, None),
        };
        upsert.execute(params![
            hour,
            cluster,
            model_id,
            h.n,
            h.util_sum,
            h.util_n,
            h.util_max,
            mem_pct_sum,
            mem_pct_n,
            mem_pct_max,
            h.temp_sum,
            h.temp_n,
            h.temp_max,
            h.power_sum,
            h.power_n,
            h.power_max
        ])?;
    }
    Ok(())
}

fn sample_from_row(row: &Row, first: usize) -> rusqlite::Result<SampleRow> {
    Ok(SampleRow {
        device_id: row.get(first)?,
        ts: row.get(first + 1)?,
        gpu_util: row.get(first + 2)?,
        mem_util: row.get(first + 3)?,
        mem_used_mib: row.get(first + 4)?,
        temp_c: row.get(first + 5)?,
        power_mw: row.get(first + 6)?,
        fan_pct: row.get(first + 7)?,
        ecc_uncorrected: row.get(first + 8)?,
    })
}

/// The latest sample of every GPU that has one, with what identifies the GPU.
#[derive(Debug, Clone)]
pub struct LatestSample {
    pub uuid: String,
    pub index: i64,
    pub node: String,
    pub cluster: String,
    pub model: Option<String>,
    pub pci_bus_id: Option<String>,
    pub memory_total_mib: Option<i64>,
    pub power_limit_mw: Option<i64>,
    /// Values kept on the device row (latest only).
    pub sm_clock_mhz: Option<i64>,
    pub mem_clock_mhz: Option<i64>,
    pub ecc_corrected: Option<i64>,
    pub energy_mj: Option<i64>,
    /// The pods dcgm-exporter last saw on the GPU (`namespace/pod`), from a fleet collect.
    pub workload: Option<String>,
    pub sample: SampleRow,
}

/// Read from the device rows, where `insert_samples` keeps each GPU's newest sample: one row
/// per GPU, no seek into `samples` (which, joined without statistics, SQLite would even scan).
/// `node_id` narrows it to one node's GPUs; None means every node's.
pub fn latest_per_device(conn: &Connection, node_id: Option<i64>) -> Result<Vec<LatestSample>> {
    let sql = format!(
        "SELECT d.uuid, d.idx, n.name, n.cluster, m.name, d.pci_bus_id, d.memory_total_mib,
                d.power_limit_mw, d.sm_clock_mhz, d.mem_clock_mhz, d.ecc_corrected, d.energy_mj,
                d.workload, {LATEST_COLUMNS}
         FROM devices d
         JOIN nodes n ON n.id = d.node_id
         LEFT JOIN gpu_models m ON m.id = d.model_id
         WHERE d.latest_ts IS NOT NULL AND (?1 IS NULL OR d.node_id = ?1)
         ORDER BY n.name, d.idx"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([node_id], |r| {
        Ok(LatestSample {
            uuid: r.get(0)?,
            index: r.get(1)?,
            node: r.get(2)?,
            cluster: r.get(3)?,
            model: r.get(4)?,
            pci_bus_id: r.get(5)?,
            memory_total_mib: r.get(6)?,
            power_limit_mw: r.get(7)?,
            sm_clock_mhz: r.get(8)?,
            mem_clock_mhz: r.get(9)?,
            ecc_corrected: r.get(10)?,
            energy_mj: r.get(11)?,
            workload: r.get(12)?,
            sample: sample_from_row(r, 13)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Metrics an alert rule may watch; each maps to a fixed SQL expression over a sample `s`
/// joined with its device `d`, never to user text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    Temperature,
    GpuUtil,
    MemoryUsedPct,
    PowerPct,
    EccUncorrected,
}

impl Metric {
    pub const ALL: &'static [Metric] = &[
        Metric::Temperature,
        Metric::GpuUtil,
        Metric::MemoryUsedPct,
        Metric::PowerPct,
        Metric::EccUncorrected,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Metric::Temperature => "temperature_c",
            Metric::GpuUtil => "gpu_util_pct",
            Metric::MemoryUsedPct => "memory_used_pct",
            Metric::PowerPct => "power_of_limit_pct",
            Metric::EccUncorrected => "ecc_uncorrected",
        }
    }

    pub fn parse(name: &str) -> Option<Metric> {
        Self::ALL.iter().copied().find(|m| m.name() == name)
    }

    fn sql(self) -> &'static str {
        match self {
            Metric::Temperature => "s.temp_c",
            Metric::GpuUtil => "s.gpu_util",
            Metric::MemoryUsedPct => "100.0 * s.mem_used_mib / nullif(d.memory_total_mib, 0)",
            Metric::PowerPct => "100.0 * s.power_mw / nullif(d.power_limit_mw, 0)",
            Metric::EccUncorrected => "s.ecc_uncorrected",
        }
    }
}

impl Metric {
    /// The metric over the newest sample that the device row keeps.
    fn latest_sql(self) -> &'static str {
        match self {
            Metric::Temperature => "d.latest_temp_c",
            Metric::GpuUtil => "d.latest_gpu_util",
            Metric::MemoryUsedPct => {
                "100.0 * d.latest_mem_used_mib / nullif(d.memory_total_mib, 0)"
            }
            Metric::PowerPct => "100.0 * d.latest_power_mw / nullif(d.power_limit_mw, 0)",
            Metric::EccUncorrected => "d.latest_ecc_uncorrected",
        }
    }
}

/// A metric over a GPU's newest sample (None when the GPU has none or does not report it).
pub fn latest_value(conn: &Connection, device_id: i64, metric: Metric) -> Result<Option<f64>> {
    let sql = format!(
        "SELECT {} FROM devices d WHERE d.id = ?1",
        metric.latest_sql()
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([device_id], |r| r.get::<_, Option<f64>>(0))
        .optional()?
        .flatten())
}

/// How a metric behaved over a window of one GPU's samples.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WindowStats {
    pub samples: i64,
    /// Samples where the value was reported and met the condition.
    pub matching: i64,
    pub first_ts: Option<i64>,
    pub latest: Option<f64>,
}

/// Counts the samples of `device_id` since `since` whose `metric` satisfies `comparison threshold`.
pub fn window_stats(
    conn: &Connection,
    device_id: i64,
    metric: Metric,
    comparison: &str,
    threshold: f64,
    since: i64,
) -> Result<WindowStats> {
    // The comparison comes from the rule table's CHECK constraint; match it to a fixed operator.
    let operator = match comparison {
        ">" => ">",
        ">=" => ">=",
        "<" => "<",
        _ => "<=",
    };
    let expr = metric.sql();
    let sql = format!(
        "SELECT count(*),
                ifnull(sum(CASE WHEN ({expr}) {operator} ?3 THEN 1 ELSE 0 END), 0),
                min(s.ts),
                (SELECT {expr} FROM samples s JOIN devices d ON d.id = s.device_id
                  WHERE s.device_id = ?1 ORDER BY s.ts DESC LIMIT 1)
         FROM samples s JOIN devices d ON d.id = s.device_id
         WHERE s.device_id = ?1 AND s.ts >= ?2"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(params![device_id, since, threshold], |r| {
            Ok(WindowStats {
                samples: r.get(0)?,
                matching: r.get(1)?,
                first_ts: r.get(2)?,
                latest: r.get(3)?,
            })
        })?)
}

/// The rollup statement; `{devices}` narrows it to some devices.
const ROLLUP_SQL: &str =
    "INSERT INTO samples_hourly (device_id, hour, n, gpu_util_avg, gpu_util_max,
         mem_util_avg, mem_util_max, mem_used_avg, mem_used_max, temp_avg, temp_max, power_avg,
         power_max, energy_mj)
     SELECT device_id, ts - ts % 3600, count(*), avg(gpu_util), max(gpu_util), avg(mem_util),
            max(mem_util), avg(mem_used_mib), max(mem_used_mib), avg(temp_c), max(temp_c),
            avg(power_mw), max(power_mw),
            -- mW x seconds covered = mJ; the span of n samples is (last - first) * n / (n - 1).
            CASE WHEN count(power_mw) > 1 THEN CAST(avg(power_mw)
                 * min(3600.0, (max(ts) - min(ts)) * count(*) / (count(*) - 1.0)) AS INTEGER) END
     FROM samples WHERE {devices} AND ts >= ?1 AND ts < ?2
     GROUP BY device_id, ts - ts % 3600
     ON CONFLICT (device_id, hour) DO UPDATE SET
         n = excluded.n, gpu_util_avg = excluded.gpu_util_avg, gpu_util_max = excluded.gpu_util_max,
         mem_util_avg = excluded.mem_util_avg, mem_util_max = excluded.mem_util_max,
         mem_used_avg = excluded.mem_used_avg, mem_used_max = excluded.mem_used_max,
         temp_avg = excluded.temp_avg, temp_max = excluded.temp_max,
         power_avg = excluded.power_avg, power_max = excluded.power_max,
         energy_mj = excluded.energy_mj";

/// Rolls raw samples of the hours in [from_hour, before_hour) (unix seconds, on hours) into
/// `samples_hourly`, replacing rollups already there. Re-running is harmless.
pub fn rollup_hours(conn: &Connection, from_hour: i64, before_hour: i64) -> Result<usize> {
    let sql = ROLLUP_SQL.replace("{devices}", "device_id IN (SELECT id FROM devices)");
    Ok(conn
        .prepare_cached(&sql)?
        .execute(params![from_hour, before_hour])?)
}

/// Rolls up the samples of `devices` in [from_hour, before_hour): collect's pass over the GPUs
/// it just sampled.
pub fn rollup_hours_of(
    conn: &Connection,
    devices: &[i64],
    from_hour: i64,
    before_hour: i64,
) -> Result<usize> {
    let sql = ROLLUP_SQL.replace("{devices}", "device_id = ?3");
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = 0;
    for device in devices {
        rows += stmt.execute(params![from_hour, before_hour, device])?;
    }
    Ok(rows)
}

/// The oldest raw sample's time, if any (one key seek per device).
pub fn oldest_sample_ts(conn: &Connection) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached(
            "SELECT min((SELECT min(ts) FROM samples WHERE device_id = d.id)) FROM devices d",
        )?
        .query_row([], |r| r.get(0))?)
}

/// Deletes raw samples older than `raw_before` and rollups older than `hourly_before`.
/// Returns how many rows of each went.
pub fn prune(conn: &Connection, raw_before: i64, hourly_before: i64) -> Result<(usize, usize)> {
    // Device by device: each delete is a key-range search, with no index on time to maintain.
    let raw = conn
        .prepare_cached(
            "DELETE FROM samples WHERE device_id IN (SELECT id FROM devices) AND ts < ?1",
        )?
        .execute([raw_before])?;
    let hourly = conn
        .prepare_cached(
            "DELETE FROM samples_hourly WHERE device_id IN (SELECT id FROM devices) AND hour < ?1",
        )?
        .execute([hourly_before])?;
    conn.prepare_cached("DELETE FROM samples_fleet_hourly WHERE hour < ?1")?
        .execute([hourly_before])?;
    Ok((raw, hourly))
}

/// Counts of stored samples and rollups.
pub fn counts(conn: &Connection) -> Result<(i64, i64)> {
    Ok(conn
        .prepare_cached(
            "SELECT (SELECT count(*) FROM samples), (SELECT count(*) FROM samples_hourly)",
        )?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?)
}

/// Rows per statement of [`insert_new_samples`]: a statement per row spends most of its time
/// starting and resetting the statement (64 rows a statement measured 1.4× a row a statement).
const ROWS_PER_INSERT: usize = 64;

/// (hour, device) partial sums [`insert_new_samples`] holds before adding them to the fleet
/// aggregates: any length of input holds at most this many.
const FLEET_HOURS_HELD: usize = 1_024;

/// Inserts samples the store does not hold yet (a fresh store's history, as the demo writes it),
/// [`ROWS_PER_INSERT`] rows a statement, as a stream: it holds a statement's rows and the
/// partial sums of at most [`FLEET_HOURS_HELD`] (hour, device) pairs. The device rows' newest
/// sample and the hourly fleet aggregates end as [`insert_samples`] leaves them for the same
/// rows: bit for bit where each (hour, device) comes in one run and fewer pairs than that
/// limit, as when a call holds a day of a GPU. A sample already stored is an error (the
/// caller's transaction rolls back), not ignored. Returns how many were inserted.
pub fn insert_new_samples(
    conn: &Connection,
    samples: impl IntoIterator<Item = SampleRow>,
) -> Result<u64> {
    let insert = |rows: usize| {
        format!(
            "INSERT INTO samples (device_id, ts, gpu_util, mem_util, mem_used_mib, temp_c,
                 power_mw, fan_pct, ecc_uncorrected)
             VALUES {}",
            vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?)"; rows].join(", ")
        )
    };
    let mut many = conn.prepare_cached(&insert(ROWS_PER_INSERT))?;
    let mut latest = conn.prepare_cached(
        "UPDATE devices SET latest_ts = ?2, latest_gpu_util = ?3, latest_mem_util = ?4,
                latest_mem_used_mib = ?5, latest_temp_c = ?6, latest_power_mw = ?7,
                latest_fan_pct = ?8, latest_ecc_uncorrected = ?9
         WHERE id = ?1 AND (latest_ts IS NULL OR latest_ts <= ?2)",
    )?;
    // Rows bound to `many` and not yet run; a shorter tail goes a statement a row.
    let mut pending: Vec<SampleRow> = Vec::with_capacity(ROWS_PER_INSERT);
    let mut inserted = 0;
    let mut fleet = FleetSums::default();
    // The newest sample of the device now coming in.
    let mut newest: Option<SampleRow> = None;
    for sample in samples {
        fleet.add(conn, &sample)?;
        match &newest {
            Some(n) if n.device_id != sample.device_id => {
                bind_sample(&mut latest, 0, n)?;
                latest.raw_execute()?;
                newest = Some(sample.clone());
            }
            Some(n) if n.ts >= sample.ts => {}
            _ => newest = Some(sample.clone()),
        }
        bind_sample(&mut many, pending.len() * SAMPLE_COLUMNS, &sample)?;
        pending.push(sample);
        if pending.len() == ROWS_PER_INSERT {
            inserted += many.raw_execute()? as u64;
            pending.clear();
        }
    }
    let mut single = conn.prepare_cached(&insert(1))?;
    for sample in &pending {
        bind_sample(&mut single, 0, sample)?;
        inserted += single.raw_execute()? as u64;
    }
    if let Some(n) = &newest {
        bind_sample(&mut latest, 0, n)?;
        latest.raw_execute()?;
    }
    fleet.finish(conn)?;
    Ok(inserted)
}

/// The fleet partial sums of [`insert_new_samples`]: by (hour, device) as `insert_samples`
/// keeps them, and the pair whose run of samples is coming in now.
#[derive(Default)]
struct FleetSums {
    held: BTreeMap<(i64, i64), DeviceHour>,
    run: Option<((i64, i64), DeviceHour)>,
}

impl FleetSums {
    fn add(&mut self, conn: &Connection, s: &SampleRow) -> Result<()> {
        let key = (s.ts - s.ts.rem_euclid(HOUR), s.device_id);
        match &mut self.run {
            Some((k, hour)) if *k == key => hour.add(s),
            _ => {
                self.end_run(conn)?;
                let mut hour = DeviceHour::default();
                hour.add(s);
                self.run = Some((key, hour));
            }
        }
        Ok(())
    }

    /// Holds the run that ended; what is held goes to the store first when the pair came
    /// before (its sums cannot merge) or the limit is reached.
    fn end_run(&mut self, conn: &Connection) -> Result<()> {
        if let Some((key, hour)) = self.run.take() {
            if self.held.contains_key(&key) || self.held.len() >= FLEET_HOURS_HELD {
                add_to_fleet_hourly(conn, &self.held)?;
                self.held.clear();
            }
            self.held.insert(key, hour);
        }
        Ok(())
    }

    fn finish(mut self, conn: &Connection) -> Result<()> {
        self.end_run(conn)?;
        add_to_fleet_hourly(conn, &self.held)
    }
}

/// Columns a sample binds, in the order of `samples`.
const SAMPLE_COLUMNS: usize = 9;

/// Binds one sample's columns to `stmt` from parameter `first + 1` on.
fn bind_sample(stmt: &mut rusqlite::Statement, first: usize, s: &SampleRow) -> Result<()> {
    let values: [Option<i64>; SAMPLE_COLUMNS] = [
        Some(s.device_id),
        Some(s.ts),
        s.gpu_util,
        s.mem_util,
        s.mem_used_mib,
        s.temp_c,
        s.power_mw,
        s.fan_pct,
        s.ecc_uncorrected,
    ];
    for (column, value) in values.into_iter().enumerate() {
        stmt.raw_bind_parameter(first + column + 1, value)?;
    }
    Ok(())
}

/// Hourly rollups of samples as they stream by, for a writer of history no rollup covers yet
/// (the demo): each run of one device's samples within one hour becomes the row that
/// [`rollup_hours`] makes of them, bit for bit (`avg` is SQLite's: the integer sum over the
/// count), without reading them back. Rows of a (device, hour) must come in one run, in any
/// order within it; a rollup already stored for it is an error.
#[derive(Debug, Default)]
pub struct StreamedRollups {
    current: Option<HourRollup>,
    /// Runs that ended and are not written yet.
    ended: Vec<HourRollup>,
}

impl StreamedRollups {
    pub fn add(&mut self, s: &SampleRow) {
        // The hour as the rollup statement groups it (`ts - ts % 3600`).
        let hour = s.ts - s.ts % HOUR;
        match &mut self.current {
            Some(run) if run.device_id == s.device_id && run.hour == hour => run.add(s),
            _ => {
                self.ended.extend(self.current.take());
                let mut run = HourRollup::new(s.device_id, hour, s.ts);
                run.add(s);
                self.current = Some(run);
            }
        }
    }

    /// Writes the rollups of the runs that ended; returns how many.
    pub fn write_ended(&mut self, conn: &Connection) -> Result<usize> {
        let mut insert = conn.prepare_cached(
            "INSERT INTO samples_hourly (device_id, hour, n, gpu_util_avg, gpu_util_max,
                 mem_util_avg, mem_util_max, mem_used_avg, mem_used_max, temp_avg, temp_max,
                 power_avg, power_max, energy_mj)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        )?;
        for run in &self.ended {
            insert.execute(params![
                run.device_id,
                run.hour,
                run.n,
                run.gpu_util.avg(),
                run.gpu_util.max,
                run.mem_util.avg(),
                run.mem_util.max,
                run.mem_used.avg(),
                run.mem_used.max,
                run.temp.avg(),
                run.temp.max,
                run.power.avg(),
                run.power.max,
                run.energy_mj(),
            ])?;
        }
        let written = self.ended.len();
        self.ended.clear();
        Ok(written)
    }

    /// Writes every rollup left, the last run's too; returns how many.
    pub fn finish(mut self, conn: &Connection) -> Result<usize> {
        self.ended.extend(self.current.take());
        self.write_ended(conn)
    }
}

/// One device's samples within one hour, as [`ROLLUP_SQL`] aggregates them.
#[derive(Debug)]
struct HourRollup {
    device_id: i64,
    hour: i64,
    n: i64,
    first_ts: i64,
    last_ts: i64,
    gpu_util: RollupColumn,
    mem_util: RollupColumn,
    mem_used: RollupColumn,
    temp: RollupColumn,
    power: RollupColumn,
}

impl HourRollup {
    fn new(device_id: i64, hour: i64, ts: i64) -> HourRollup {
        HourRollup {
            device_id,
            hour,
            n: 0,
            first_ts: ts,
            last_ts: ts,
            gpu_util: RollupColumn::default(),
            mem_util: RollupColumn::default(),
            mem_used: RollupColumn::default(),
            temp: RollupColumn::default(),
            power: RollupColumn::default(),
        }
    }

    fn add(&mut self, s: &SampleRow) {
        self.n += 1;
        self.first_ts = self.first_ts.min(s.ts);
        self.last_ts = self.last_ts.max(s.ts);
        self.gpu_util.add(s.gpu_util);
        self.mem_util.add(s.mem_util);
        self.mem_used.add(s.mem_used_mib);
        self.temp.add(s.temp_c);
        self.power.add(s.power_mw);
    }

    /// mW × the seconds the samples cover = mJ, as [`ROLLUP_SQL`] computes it, step by step
    /// in its types: the span of n samples is (last - first) × n / (n - 1), at most an hour.
    fn energy_mj(&self) -> Option<i64> {
        if self.power.n <= 1 {
            return None;
        }
        let covered = ((self.last_ts - self.first_ts) * self.n) as f64 / (self.n as f64 - 1.0);
        let covered = if covered < 3_600.0 { covered } else { 3_600.0 };
        self.power.avg().map(|avg| (avg * covered) as i64)
    }
}

/// One column's count, sum and maximum over the values a GPU reported.
#[derive(Debug, Default, Clone, Copy)]
struct RollupColumn {
    n: i64,
    /// Wide enough that no sum of i64 values overflows; SQLite's own sum is exact while it
    /// fits an i64, which sums of samples always do.
    sum: i128,
    max: Option<i64>,
}

impl RollupColumn {
    fn add(&mut self, value: Option<i64>) {
        if let Some(v) = value {
            self.n += 1;
            self.sum += i128::from(v);
            self.max = Some(self.max.map_or(v, |m| m.max(v)));
        }
    }

    /// SQLite's `avg` of integers: the sum, as a double, over the count.
    fn avg(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum as f64 / self.n as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::migrations::migrate;
    use rusqlite::types::Value;

    /// An in-memory store with two GPUs of different clusters and memory.
    fn store() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        conn.execute_batch(
            "INSERT INTO nodes (id, name, cluster, status, created_at, updated_at)
               VALUES (1, 'a', 'east', 'ready', 0, 0), (2, 'b', 'west', 'ready', 0, 0);
             INSERT INTO devices (id, uuid, node_id, idx, memory_total_mib, created_at, updated_at)
               VALUES (1, 'GPU-1', 1, 0, 81559, 0, 0), (2, 'GPU-2', 2, 0, 49140, 0, 0);",
        )
        .unwrap();
        conn
    }

    /// Samples of two GPUs in turn: gaps, an hour with one sample, NULLs, odd values.
    fn samples() -> Vec<SampleRow> {
        let mut rows = Vec::new();
        let mut x: i64 = 7;
        let mut next = |m: i64| {
            x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
            x % m
        };
        for device_id in [1, 2] {
            let mut ts = 36_000 - 17 * 60 + device_id;
            while ts < 36_000 + 3 * HOUR {
                // A gap of an hour on GPU 2, but for the one sample (at most) of 30 seconds.
                let skipped = device_id == 2
                    && (39_600..43_200).contains(&ts)
                    && !(40_000..40_030).contains(&ts);
                if !skipped {
                    rows.push(SampleRow {
                        device_id,
                        ts,
                        gpu_util: (next(7) != 0).then(|| next(101)),
                        mem_util: Some(next(101)),
                        mem_used_mib: Some(next(80_000)),
                        temp_c: (next(5) != 0).then(|| 30 + next(60)),
                        power_mw: (ts % 7 != 3).then(|| 60_000 + next(640_000)),
                        fan_pct: None,
                        ecc_uncorrected: Some(next(2)),
                    });
                }
                ts += 30 + next(61);
            }
        }
        rows
    }

    fn rows(conn: &Connection, sql: &str) -> Vec<Vec<Value>> {
        let mut stmt = conn.prepare(sql).unwrap();
        let columns = stmt.column_count();
        stmt.query_map([], |r| (0..columns).map(|i| r.get(i)).collect())
            .unwrap()
            .map(|row| row.unwrap())
            .collect()
    }

    fn everything(conn: &Connection) -> Vec<Vec<Vec<Value>>> {
        [
            "SELECT * FROM samples ORDER BY device_id, ts",
            "SELECT * FROM samples_hourly ORDER BY device_id, hour",
            "SELECT * FROM samples_fleet_hourly ORDER BY hour, cluster, model_id",
            "SELECT id, latest_ts, latest_gpu_util, latest_mem_util, latest_mem_used_mib,
                    latest_temp_c, latest_power_mw, latest_fan_pct, latest_ecc_uncorrected
             FROM devices ORDER BY id",
        ]
        .iter()
        .map(|sql| rows(conn, sql))
        .collect()
    }

    #[test]
    fn new_samples_streamed_store_what_insert_samples_and_the_rollup_statement_store() {
        let samples = samples();
        assert!(samples.len() > 300, "statements of 64 rows and a tail");
        let by_batch = store();
        insert_samples(&by_batch, &samples).unwrap();
        rollup_hours(&by_batch, 0, 100 * HOUR).unwrap();
        let streamed = store();
        let mut rollups = StreamedRollups::default();
        let inserted = insert_new_samples(
            &streamed,
            samples.iter().cloned().inspect(|s| rollups.add(s)),
        )
        .unwrap();
        rollups.finish(&streamed).unwrap();
        assert_eq!(inserted, samples.len() as u64);
        let expected = everything(&by_batch);
        assert!(expected[1].len() > 6 && expected[2].len() > 6);
        // Eight hours, one of them of a single sample (no energy); values go missing in all.
        let cases = rows(
            &by_batch,
            "SELECT sum(n = 1), count(*), sum(energy_mj IS NULL)
             FROM samples_hourly",
        );
        let count = Value::Integer;
        assert_eq!(cases, vec![vec![count(1), count(8), count(1)]]);
        // Bit for bit: f64 values compare exactly.
        assert_eq!(everything(&streamed), expected);
    }

    #[test]
    fn streamed_rollups_written_as_hours_end_are_the_same_rows() {
        let samples = samples();
        let whole = store();
        let mut rollups = StreamedRollups::default();
        samples.iter().for_each(|s| rollups.add(s));
        rollups.finish(&whole).unwrap();
        let in_batches = store();
        let mut rollups = StreamedRollups::default();
        let mut written = 0;
        for batch in samples.chunks(50) {
            batch.iter().for_each(|s| rollups.add(s));
            written += rollups.write_ended(&in_batches).unwrap();
        }
        written += rollups.finish(&in_batches).unwrap();
        let sql = "SELECT * FROM samples_hourly ORDER BY device_id, hour";
        assert_eq!(written, rows(&whole, sql).len());
        assert_eq!(rows(&in_batches, sql), rows(&whole, sql));
    }

    #[test]
    fn new_samples_in_any_order_add_up_to_the_same_fleet_counts_and_sums() {
        // GPUs in turn sample by sample: every (hour, device) comes in many runs.
        let mut samples = samples();
        samples.sort_by_key(|s| (s.ts, s.device_id));
        let by_batch = store();
        insert_samples(&by_batch, &samples).unwrap();
        let streamed = store();
        insert_new_samples(&streamed, samples.iter().cloned()).unwrap();
        let sql = "SELECT hour, cluster, n, util_sum, util_n, util_max, mem_pct_n, temp_sum,
                          power_sum, power_max FROM samples_fleet_hourly ORDER BY 1, 2";
        assert_eq!(rows(&streamed, sql), rows(&by_batch, sql));
        let percent = "SELECT mem_pct_sum FROM samples_fleet_hourly ORDER BY hour, cluster";
        for (a, b) in rows(&streamed, percent)
            .iter()
            .zip(rows(&by_batch, percent))
        {
            let (Value::Real(a), Value::Real(b)) = (&a[0], &b[0]) else {
                panic!("sums are REAL");
            };
            assert!((a - b).abs() <= 1e-9 * b.abs(), "{a} vs {b}");
        }
        let latest = "SELECT latest_ts, latest_power_mw FROM devices ORDER BY id";
        assert_eq!(rows(&streamed, latest), rows(&by_batch, latest));
    }

    #[test]
    fn new_samples_refuse_a_sample_already_stored() {
        let conn = store();
        let samples = samples();
        insert_new_samples(&conn, samples[..10].iter().cloned()).unwrap();
        assert!(insert_new_samples(&conn, samples[5..100].iter().cloned()).is_err());
        assert!(insert_new_samples(&conn, samples[9..10].iter().cloned()).is_err());
    }
}
