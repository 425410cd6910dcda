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
