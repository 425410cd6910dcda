//! Samples, hourly rollups and retention.

use foldhash::HashMap;
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
    let mut writer = SampleWriter::default();
    writer.add_batch(conn, samples, &mut Vec::new())?;
    writer.finish(conn)
}

/// A device's cluster, model id and memory total: where its samples count in the fleet.
pub type FleetKey = (String, i64, Option<i64>);

/// Writes the samples of a whole run: each row by one prepared insert; each device's newest
/// sample and the hourly fleet aggregates kept in memory and written once, by [`Self::finish`].
/// The result is what one [`insert_samples`] per batch would leave, to the bit: the aggregates
/// start from the stored row and add each batch's device-hours in the same order.
#[derive(Default)]
pub struct SampleWriter {
    /// What the run holds of each device it wrote or was told of: one lookup per row.
    devices: HashMap<i64, WriterDevice>,
    /// Per (hour, cluster, model id), the cluster by its place in `clusters`.
    fleet: HashMap<FleetRowKey, FleetHour>,
    clusters: Vec<String>,
    batches: usize,
    /// The new rows of the batch in hand, as (hour, device, place in the batch, where the
    /// device counts in the fleet).
    device_hours: Vec<(i64, i64, usize, Option<Counted>)>,
    /// New rows not written yet, as they came; each device's entry says which are its.
    pending: Vec<SampleRow>,
    /// Whether the rollups of late hours are kept as rows pass (see
    /// [`Self::roll_up_hours_before`]), and the hours whose rows have all passed.
    late: Option<LateHours>,
}

/// An hour, a cluster by its place in [`SampleWriter::clusters`], a model id.
type FleetRowKey = (i64, usize, i64);

/// What a [`SampleWriter`] holds of one device.
#[derive(Default)]
struct WriterDevice {
    /// A time at or after its newest stored sample (i64::MAX for a row id that is no
    /// device); None until read.
    until: Option<i64>,
    /// Where its new rows not written yet are in [`SampleWriter::pending`], oldest first:
    /// they are written device by device, in the samples table's key order, so that SQLite
    /// appends rather than searches (a fifth faster).
    pending: Vec<u32>,
    /// Its newest sample, with the batch it came in.
    newest: Option<(usize, SampleRow)>,
    /// Where its samples count in the fleet: None until read, then None when the inventory
    /// does not hold it (counted nowhere).
    counted: Option<Option<Counted>>,
    /// Its late hours as its rows pass, when asked for.
    late: Option<LateDevice>,
}

/// Where a device's samples count: the cluster by its place in [`SampleWriter::clusters`],
/// the model id and the memory total.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Counted {
    cluster_at: usize,
    model_id: i64,
    memory_total: Option<i64>,
}

/// New rows held before they are written: a replayed node's day (11,520 rows) at once.
const PENDING_MAX: usize = 32_768;

impl SampleWriter {
    /// Says where a device's samples count from now on (the caller knows of a memory total
    /// the device row does not hold yet); otherwise it is read from the store once.
    pub fn set_fleet_key(&mut self, device_id: i64, key: Option<FleetKey>) {
        let counted = key.map(|key| self.counted(key));
        self.devices.entry(device_id).or_default().counted = Some(counted);
    }

    fn counted(&mut self, (cluster, model_id, memory_total): FleetKey) -> Counted {
        let cluster_at = match self.clusters.iter().position(|c| *c == cluster) {
            Some(at) => at,
            None => {
                self.clusters.push(cluster);
                self.clusters.len() - 1
            }
        };
        Counted {
            cluster_at,
            model_id,
            memory_total,
        }
    }

    /// Rolls up, as the rows pass, the hours before `before_hour` (those a rollup pass has
    /// done already) that the run's rows fill and that held no sample of their GPU before:
    /// for a replay into a store rolled up past it, this spares [`rollup_hours_of`] reading
    /// every row back. The rows of each GPU must come in time order (a replay's do); a GPU
    /// whose rows do not, or go into an hour that held samples, is left to the statement.
    pub fn roll_up_hours_before(&mut self, before_hour: i64) {
        self.late = Some(LateHours {
            before_hour,
            ended: Vec::new(),
        });
    }

    /// Writes the rollups [`Self::roll_up_hours_before`] asked for and returns the GPUs whose
    /// late hours they cover whole; any other GPU the run stored late rows of needs
    /// [`rollup_hours_of`].
    pub fn write_late_rollups(&mut self, conn: &Connection) -> Result<Vec<i64>> {
        let Some(late) = self.late.take() else {
            return Ok(Vec::new());
        };
        self.flush(conn)?;
        let mut ended = late.ended;
        let mut covered = Vec::new();
        for (device_id, device) in &mut self.devices {
            if let Some(device) = device.late.take().filter(|d| !d.redo) {
                ended.extend(device.current);
                covered.push(*device_id);
            }
        }
        let mut upsert = conn.prepare_cached(
            "INSERT INTO samples_hourly (device_id, epoch_hour, n, uncovered_secs, gpu_util,
                 mem_used, temp, power)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (device_id, epoch_hour) DO UPDATE SET
                 n = excluded.n, uncovered_secs = excluded.uncovered_secs,
                 gpu_util = excluded.gpu_util, mem_used = excluded.mem_used,
                 temp = excluded.temp, power = excluded.power",
        )?;
        for run in &ended {
            upsert.execute(run.params())?;
        }
        covered.sort_unstable();
        Ok(covered)
    }

    /// Inserts one batch (what one [`insert_samples`] call took); `inserted[i]` says whether
    /// `samples[i]` was new.
    pub fn add_batch(
        &mut self,
        conn: &Connection,
        samples: &[SampleRow],
        inserted: &mut Vec<bool>,
    ) -> Result<()> {
        inserted.clear();
        self.batches += 1;
        self.device_hours.clear();
        let batch = self.batches;
        for (at, s) in samples.iter().enumerate() {
            let mut device = self.devices.entry(s.device_id).or_default();
            let newest_stored = match device.until {
                Some(until) => until,
                None => {
                    let until = stored_until(conn, s.device_id)?;
                    device.until = Some(until);
                    if self.late.is_some() {
                        device.late = Some(LateDevice::new(until));
                    }
                    until
                }
            };
            // A row newer than every stored sample of its GPU cannot be there already: those
            // are held and written many to a statement; any other is tried alone at once, to
            // learn whether it was new (after the held rows, one of which it may repeat).
            let new = if s.ts > newest_stored {
                // PENDING_MAX bounds it: a position fits in u32.
                device.pending.push(self.pending.len() as u32);
                self.pending.push(s.clone());
                true
            } else {
                self.flush(conn)?;
                let new = conn.prepare_cached(INSERT_ONE)?.execute(sample_params(s))? == 1;
                // Looked up again: the flush needed the whole writer.
                device = self.devices.entry(s.device_id).or_default();
                new
            };
            inserted.push(new);
            if !new {
                continue;
            }
            // Later rows of the GPU up to this time may be repeats of this one.
            device.until = Some(newest_stored.max(s.ts));
            if let (Some(late), Some(before_hour)) =
                (&mut device.late, self.late.as_ref().map(|l| l.before_hour))
            {
                if let Some(ended) = late.add(s, before_hour) {
                    if let Some(late) = &mut self.late {
                        late.ended.push(ended);
                    }
                }
            }
            // Each device's newest: the first of the batch's latest second, and a later
            // batch's over an earlier one of the same second, as a later
            // `UPDATE … WHERE latest_ts <= ?` would.
            match &mut device.newest {
                Some((kept_batch, kept))
                    if s.ts > kept.ts || (s.ts == kept.ts && *kept_batch != batch) =>
                {
                    *kept_batch = batch;
                    kept.clone_from(s);
                }
                Some(_) => {}
                None => device.newest = Some((batch, s.clone())),
            }
            let known = device.counted;
            let counted = match known {
                Some(counted) => counted,
                None => {
                    let counted = fleet_key(conn, s.device_id)?.map(|key| self.counted(key));
                    self.devices.entry(s.device_id).or_default().counted = Some(counted);
                    counted
                }
            };
            (self.device_hours).push((s.ts - s.ts.rem_euclid(HOUR), s.device_id, at, counted));
        }
        if self.pending.len() >= PENDING_MAX {
            self.flush(conn)?;
        }
        // Per (hour, device) first, in that order, as the fleet aggregates take them; a
        // device's rows of one hour in the batch's order (the sort is stable).
        let mut device_hours = std::mem::take(&mut self.device_hours);
        device_hours.sort_by_key(|(hour, device, _, _)| (*hour, *device));
        let mut rows = device_hours.iter().peekable();
        // The fleet row in hand, out of the map while the batch's devices of its (hour,
        // cluster, model) add to it: a batch's GPUs mostly share one.
        let mut in_hand: Option<(FleetRowKey, FleetHour)> = None;
        while let Some((hour, device_id, at, counted)) = rows.next() {
            let mut h = DeviceHour::default();
            h.add(&samples[*at]);
            while let Some((_, _, at, _)) =
                rows.next_if(|(h2, d2, _, _)| (h2, d2) == (hour, device_id))
            {
                h.add(&samples[*at]);
            }
            // A sample of a GPU the inventory does not hold has no cluster to count in.
            let Some(counted) = counted else { continue };
            let key = (*hour, counted.cluster_at, counted.model_id);
            let row = match &mut in_hand {
                Some((held, row)) if *held == key => row,
                _ => {
                    if let Some((held, row)) = in_hand.take() {
                        self.fleet.insert(held, row);
                    }
                    let row = match self.fleet.remove(&key) {
                        Some(row) => row,
                        None => {
                            let cluster = &self.clusters[counted.cluster_at];
                            stored_fleet_hour(conn, *hour, cluster, counted.model_id)?
                        }
                    };
                    &mut in_hand.insert((key, row)).1
                }
            };
            row.add(&h, counted.memory_total);
        }
        if let Some((held, row)) = in_hand {
            self.fleet.insert(held, row);
        }
        self.device_hours = device_hours;
        Ok(())
    }

    /// Writes the rows held so far, device by device.
    fn flush(&mut self, conn: &Connection) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let mut held: Vec<(i64, &mut Vec<u32>)> = (self.devices.iter_mut())
            .filter(|(_, d)| !d.pending.is_empty())
            .map(|(id, d)| (*id, &mut d.pending))
            .collect();
        held.sort_unstable_by_key(|(id, _)| *id);
        let pending = &self.pending;
        let rows = (held.iter()).flat_map(|(_, at)| at.iter().map(|at| &pending[*at as usize]));
        insert_fresh(conn, rows, pending.len())?;
        for (_, at) in held {
            at.clear();
        }
        self.pending.clear();
        Ok(())
    }

    /// Writes the rows held, each device's newest sample and the fleet aggregates.
    pub fn finish(mut self, conn: &Connection) -> Result<()> {
        self.flush(conn)?;
        let mut latest = conn.prepare_cached(
            "UPDATE devices SET latest_ts = ?2, latest_gpu_util = ?3, latest_mem_util = ?4,
                    latest_mem_used_mib = ?5, latest_temp_c = ?6, latest_power_mw = ?7,
                    latest_fan_pct = ?8, latest_ecc_uncorrected = ?9
             WHERE id = ?1 AND (latest_ts IS NULL OR latest_ts <= ?2)",
        )?;
        let mut newest: Vec<&SampleRow> = (self.devices.values())
            .filter_map(|d| d.newest.as_ref().map(|(_, s)| s))
            .collect();
        newest.sort_by_key(|s| s.device_id);
        for s in newest {
            latest.execute(sample_params(s))?;
        }
        let mut write = conn.prepare_cached(
            "INSERT OR REPLACE INTO samples_fleet_hourly (hour, cluster, model_id, n, util_sum,
                 util_n, util_max, mem_pct_sum, mem_pct_n, mem_pct_max, temp_sum, temp_n, temp_max,
                 power_sum, power_n, power_max)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        )?;
        let clusters = &self.clusters;
        let mut rows: Vec<((i64, &String, i64), &FleetHour)> = (self.fleet.iter())
            .map(|((hour, cluster, model_id), r)| ((*hour, &clusters[*cluster], *model_id), r))
            .collect();
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        for ((hour, cluster, model_id), r) in rows {
            write.execute(params![
                hour,
                cluster,
                model_id,
                r.n,
                r.util_sum,
                r.util_n,
                r.util_max,
                r.mem_pct_sum,
                r.mem_pct_n,
                r.mem_pct_max,
                r.temp_sum,
                r.temp_n,
                r.temp_max,
                r.power_sum,
                r.power_n,
                r.power_max
            ])?;
        }
        Ok(())
    }
}

/// A time no stored sample of a GPU is after: its newest sample, which its device row keeps
/// (`insert_samples` is the only writer of samples and keeps it). i64::MIN for a GPU without
/// samples; i64::MAX for a row id that is no device (every sample of it is tried alone).
fn stored_until(conn: &Connection, device_id: i64) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT ifnull(latest_ts, -9223372036854775808) FROM devices WHERE id = ?1",
        )?
        .query_row([device_id], |r| r.get(0))
        .optional()?
        .unwrap_or(i64::MAX))
}

fn sample_params(s: &SampleRow) -> impl rusqlite::Params {
    (
        s.device_id,
        s.ts,
        s.gpu_util,
        s.mem_util,
        s.mem_used_mib,
        s.temp_c,
        s.power_mw,
        s.fan_pct,
        s.ecc_uncorrected,
    )
}

/// One row, new or a repeat (then ignored).
const INSERT_ONE: &str = "INSERT OR IGNORE INTO samples (device_id, ts, gpu_util, mem_util,
    mem_used_mib, temp_c, power_mw, fan_pct, ecc_uncorrected)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

/// Rows per statement of [`insert_fresh`], largest first.
const FRESH_CHUNKS: [usize; 3] = [64, 8, 1];

/// Inserts `count` rows known to be new, several to a statement (SQLite runs one multi-row
/// insert much faster than as many single ones).
fn insert_fresh<'a>(
    conn: &Connection,
    rows: impl IntoIterator<Item = &'a SampleRow>,
    count: usize,
) -> Result<()> {
    let mut rows = rows.into_iter();
    let mut left = count;
    for size in FRESH_CHUNKS {
        if size == 1 {
            let mut one = conn.prepare_cached(INSERT_ONE)?;
            for s in rows.by_ref().take(left) {
                one.execute(sample_params(s))?;
            }
            break;
        }
        if left < size {
            continue;
        }
        let values = vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?)"; size].join(", ");
        let mut stmt = conn.prepare_cached(&format!(
            // OR IGNORE though no row can conflict: a statement that may abort half-way keeps
            // a statement journal (measured: a fifth of the insert's time).
            "INSERT OR IGNORE INTO samples (device_id, ts, gpu_util, mem_util, mem_used_mib,
                 temp_c, power_mw, fan_pct, ecc_uncorrected) VALUES {values}"
        ))?;
        while left >= size {
            for (i, s) in rows.by_ref().take(size).enumerate() {
                let at = i * 9;
                stmt.raw_bind_parameter(at + 1, s.device_id)?;
                stmt.raw_bind_parameter(at + 2, s.ts)?;
                stmt.raw_bind_parameter(at + 3, s.gpu_util)?;
                stmt.raw_bind_parameter(at + 4, s.mem_util)?;
                stmt.raw_bind_parameter(at + 5, s.mem_used_mib)?;
                stmt.raw_bind_parameter(at + 6, s.temp_c)?;
                stmt.raw_bind_parameter(at + 7, s.power_mw)?;
                stmt.raw_bind_parameter(at + 8, s.fan_pct)?;
                stmt.raw_bind_parameter(at + 9, s.ecc_uncorrected)?;
            }
            stmt.raw_execute()?;
            left -= size;
        }
    }
    Ok(())
}

/// Where a device's samples count, as the store holds it.
pub fn fleet_key(conn: &Connection, device_id: i64) -> Result<Option<FleetKey>> {
    Ok(conn
        .prepare_cached(
            "SELECT n.cluster, ifnull(d.model_id, 0), d.memory_total_mib
             FROM devices d JOIN nodes n ON n.id = d.node_id WHERE d.id = ?1",
        )?
        .query_row([device_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?)
}

/// One (hour, cluster, model) row of `samples_fleet_hourly`.
#[derive(Debug, Default, Clone)]
struct FleetHour {
    n: i64,
    util_sum: f64,
    util_n: i64,
    util_max: Option<i64>,
    mem_pct_sum: f64,
    mem_pct_n: i64,
    mem_pct_max: Option<f64>,
    temp_sum: f64,
    temp_n: i64,
    temp_max: Option<i64>,
    power_sum: f64,
    power_n: i64,
    power_max: Option<i64>,
}

impl FleetHour {
    /// Adds one device's new samples of the hour, with the arithmetic the upsert once did
    /// (`sum + excluded.sum`), so the stored sums come out the same to the last bit.
    fn add(&mut self, h: &DeviceHour, memory_total: Option<i64>) {
        fn max<T: PartialOrd + Copy>(a: Option<T>, b: Option<T>) -> Option<T> {
            match (a, b) {
                (Some(x), Some(y)) => Some(if y > x { y } else { x }),
                (x, None) => x,
                (None, y) => y,
            }
        }
        // Memory as a percentage of the GPU's total, which is fixed for the device.
        let (mem_pct_sum, mem_pct_n, mem_pct_max) = match memory_total.filter(|t| *t > 0) {
            Some(total) => (
                100.0 * h.mem_sum / total as f64,
                h.mem_n,
                h.mem_max.map(|m| 100.0 * m as f64 / total as f64),
            ),
            None => (0.0, 0, None),
        };
        self.n += h.n;
        self.util_sum += h.util_sum;
        self.util_n += h.util_n;
        self.util_max = max(self.util_max, h.util_max);
        self.mem_pct_sum += mem_pct_sum;
        self.mem_pct_n += mem_pct_n;
        self.mem_pct_max = max(self.mem_pct_max, mem_pct_max);
        self.temp_sum += h.temp_sum;
        self.temp_n += h.temp_n;
        self.temp_max = max(self.temp_max, h.temp_max);
        self.power_sum += h.power_sum;
        self.power_n += h.power_n;
        self.power_max = max(self.power_max, h.power_max);
    }
}

/// The stored aggregates of an (hour, cluster, model), or zeros.
fn stored_fleet_hour(
    conn: &Connection,
    hour: i64,
    cluster: &str,
    model_id: i64,
) -> Result<FleetHour> {
    Ok(conn
        .prepare_cached(
            "SELECT n, util_sum, util_n, util_max, mem_pct_sum, mem_pct_n, mem_pct_max, temp_sum,
                    temp_n, temp_max, power_sum, power_n, power_max
             FROM samples_fleet_hourly WHERE hour = ?1 AND cluster = ?2 AND model_id = ?3",
        )?
        .query_row(params![hour, cluster, model_id], |r| {
            Ok(FleetHour {
                n: r.get(0)?,
                util_sum: r.get(1)?,
                util_n: r.get(2)?,
                util_max: r.get(3)?,
                mem_pct_sum: r.get(4)?,
                mem_pct_n: r.get(5)?,
                mem_pct_max: r.get(6)?,
                temp_sum: r.get(7)?,
                temp_n: r.get(8)?,
                temp_max: r.get(9)?,
                power_sum: r.get(10)?,
                power_n: r.get(11)?,
                power_max: r.get(12)?,
            })
        })
        .optional()?
        .unwrap_or_default())
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

    /// The metric over one reading of a GPU with this memory total and power limit; None where
    /// the GPU did not report it or the total is unknown (SQL's `nullif(total, 0)`).
    pub fn value(
        self,
        r: &Reading,
        memory_total_mib: Option<i64>,
        power_limit_mw: Option<i64>,
    ) -> Option<f64> {
        let share = |part: Option<i64>, whole: Option<i64>| match (part, whole) {
            (Some(part), Some(whole)) if whole != 0 => Some(100.0 * part as f64 / whole as f64),
            _ => None,
        };
        match self {
            Metric::Temperature => r.temp_c.map(|v| v as f64),
            Metric::GpuUtil => r.gpu_util.map(|v| v as f64),
            Metric::MemoryUsedPct => share(r.mem_used_mib, memory_total_mib),
            Metric::PowerPct => share(r.power_mw, power_limit_mw),
            Metric::EccUncorrected => r.ecc_uncorrected.map(|v| v as f64),
        }
    }
}

/// What the alert rules read of one sample: the values a metric is computed from.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Reading {
    pub ts: i64,
    pub gpu_util: Option<i64>,
    pub mem_used_mib: Option<i64>,
    pub temp_c: Option<i64>,
    pub power_mw: Option<i64>,
    pub ecc_uncorrected: Option<i64>,
}

impl Reading {
    pub fn of(s: &SampleRow) -> Reading {
        Reading {
            ts: s.ts,
            gpu_util: s.gpu_util,
            mem_used_mib: s.mem_used_mib,
            temp_c: s.temp_c,
            power_mw: s.power_mw,
            ecc_uncorrected: s.ecc_uncorrected,
        }
    }
}

/// What the alert rules know of a GPU before a run: the totals its metrics are shares of, and
/// its newest sample as the device row keeps it. None if there is no such device.
pub fn judged_device(conn: &Connection, device_id: i64) -> Result<Option<JudgedDevice>> {
    Ok(conn
        .prepare_cached(
            "SELECT memory_total_mib, power_limit_mw, latest_ts, latest_gpu_util,
                    latest_mem_used_mib, latest_temp_c, latest_power_mw, latest_ecc_uncorrected
             FROM devices WHERE id = ?1",
        )?
        .query_row([device_id], |r| {
            let latest_ts: Option<i64> = r.get(2)?;
            Ok(JudgedDevice {
                memory_total_mib: r.get(0)?,
                power_limit_mw: r.get(1)?,
                latest: match latest_ts {
                    Some(ts) => Some(Reading {
                        ts,
                        gpu_util: r.get(3)?,
                        mem_used_mib: r.get(4)?,
                        temp_c: r.get(5)?,
                        power_mw: r.get(6)?,
                        ecc_uncorrected: r.get(7)?,
                    }),
                    None => None,
                },
            })
        })
        .optional()?)
}

/// See [`judged_device`].
#[derive(Debug, Clone, Default)]
pub struct JudgedDevice {
    pub memory_total_mib: Option<i64>,
    pub power_limit_mw: Option<i64>,
    pub latest: Option<Reading>,
}

/// A GPU's samples from `since` on, oldest first: the windows its rules will judge.
pub fn readings_since(conn: &Connection, device_id: i64, since: i64) -> Result<Vec<Reading>> {
    let mut stmt = conn.prepare_cached(
        "SELECT ts, gpu_util, mem_used_mib, temp_c, power_mw, ecc_uncorrected
         FROM samples WHERE device_id = ?1 AND ts >= ?2 ORDER BY ts",
    )?;
    let rows = stmt.query_map(params![device_id, since], |r| {
        Ok(Reading {
            ts: r.get(0)?,
            gpu_util: r.get(1)?,
            mem_used_mib: r.get(2)?,
            temp_c: r.get(3)?,
            power_mw: r.get(4)?,
            ecc_uncorrected: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The time of a GPU's first stored sample, to know how long it has been reporting.
pub fn first_sample_ts(conn: &Connection, device_id: i64) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT min(ts) FROM samples WHERE device_id = ?1")?
        .query_row([device_id], |r| r.get(0))?)
}

// How a rollup row is stored (one row per GPU per hour, ~37 bytes on disk; the layout and
// the conversion of older rows are migration 12's). SQLite spends a header byte per column
// and stores an integer in as few bytes as its value needs (1, 2, 3, 4, 6 or 8), a REAL in 8;
// so each metric is one integer, its hourly maximum shifted above its mean, and the mean is
// scaled to a precision well below what reports and trends show:
//
// | column           | maximum (high bits)     | mean (low bits)                 |
// |------------------|-------------------------|---------------------------------|
// | `gpu_util`       | %                       | hundredths of a %, 14 bits      |
// | `mem_used`       | MiB                     | MiB, 24 bits                    |
// | `temp`           | °C                      | hundredths of a °C, 14 bits     |
// | `power`          | W, rounded half to even | centiwatts (10 mW), 19 bits     |
//
// NULL where the hour has no reading of the metric. A mean beyond its bits (no GPU reports
// such values) is stored at the bound. The power maximum is rounded as trends print it. The
// hour is `epoch_hour`, hours since the epoch (3 bytes, not 4); `uncovered_secs` is the part of
// the hour the samples do not stand for (0, i.e. no bytes, for a whole hour), NULL when fewer
// than two readings of power leave energy unknown: energy is the mean power × the seconds
// covered. Read rollups through [`HOURLY_VALUES`].

/// The rollup statement; `{devices}` narrows it to some devices. Covered seconds: n samples
/// span (last - first) * n / (n - 1), at most the hour.
const ROLLUP_SQL: &str =
    "INSERT INTO samples_hourly (device_id, epoch_hour, n, uncovered_secs, gpu_util, mem_used,
         temp, power)
     SELECT device_id, ts / 3600, count(*),
            CASE WHEN count(power_mw) > 1 THEN 3600 - CAST(round(min(3600.0,
                 (max(ts) - min(ts)) * count(*) / (count(*) - 1.0))) AS INTEGER) END,
            (max(0, max(gpu_util)) << 14)
                | min(16383, max(0, CAST(round(avg(gpu_util) * 100) AS INTEGER))),
            (max(0, max(mem_used_mib)) << 24)
                | min(16777215, max(0, CAST(round(avg(mem_used_mib)) AS INTEGER))),
            (max(0, max(temp_c)) << 14)
                | min(16383, max(0, CAST(round(avg(temp_c) * 100) AS INTEGER))),
            (((max(0, max(power_mw)) + 500) / 1000 - (max(0, max(power_mw)) % 2000 = 500)) << 19)
                | min(524287, max(0, CAST(round(avg(power_mw) / 10) AS INTEGER)))
     FROM samples WHERE {devices} AND ts >= ?1 AND ts < ?2
     GROUP BY device_id, ts / 3600
     ON CONFLICT (device_id, epoch_hour) DO UPDATE SET
         n = excluded.n, uncovered_secs = excluded.uncovered_secs,
         gpu_util = excluded.gpu_util, mem_used = excluded.mem_used, temp = excluded.temp,
         power = excluded.power";

/// The hourly rollups in the units of raw samples, for `FROM ({HOURLY_VALUES}) h`: `hour` (unix
/// seconds), `n`, `covered_secs`, `*_avg` (REAL, mW for power) and `*_max`, `energy_mj`. SQLite
/// flattens the subquery: a filter on `device_id` and `epoch_hour` (not `hour`) uses the key.
pub const HOURLY_VALUES: &str = "SELECT device_id, epoch_hour, epoch_hour * 3600 AS hour, n,
        3600 - uncovered_secs AS covered_secs,
        (gpu_util & 16383) / 100.0 AS gpu_util_avg, gpu_util >> 14 AS gpu_util_max,
        mem_used & 16777215 AS mem_used_avg, mem_used >> 24 AS mem_used_max,
        (temp & 16383) / 100.0 AS temp_avg, temp >> 14 AS temp_max,
        (power & 524287) * 10 AS power_avg, (power >> 19) * 1000 AS power_max,
        (power & 524287) * 10 * (3600 - uncovered_secs) AS energy_mj
    FROM samples_hourly";

/// The first hour, in hours since the epoch, that starts at or after `ts`: rollups of hours
/// starting before `ts` are those with `epoch_hour < epoch_hour_at_or_after(ts)`.
pub fn epoch_hour_at_or_after(ts: i64) -> i64 {
    (ts + HOUR - 1).div_euclid(HOUR)
}

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
            "DELETE FROM samples_hourly WHERE device_id IN (SELECT id FROM devices)
                 AND epoch_hour < ?1",
        )?
        .execute([epoch_hour_at_or_after(hourly_before)])?;
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

/// Inserts samples the store does not hold yet (a fresh store's history, as the demo writes it,
/// a GPU's day at a time): one [`insert_samples`] call, through the same writer, except that a
/// sample already stored is an error (the caller's transaction rolls back), not ignored.
/// Returns how many were inserted.
pub fn insert_new_samples(
    conn: &Connection,
    samples: impl IntoIterator<Item = SampleRow>,
) -> Result<u64> {
    let samples: Vec<SampleRow> = samples.into_iter().collect();
    let mut writer = SampleWriter::default();
    let mut inserted = Vec::with_capacity(samples.len());
    writer.add_batch(conn, &samples, &mut inserted)?;
    if let Some(at) = inserted.iter().position(|new| !new) {
        let s = &samples[at];
        return Err(crate::error::Error::conflict(format!(
            "a sample of device {} at {} is stored already",
            s.device_id, s.ts
        )));
    }
    writer.finish(conn)?;
    Ok(samples.len() as u64)
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
            "INSERT INTO samples_hourly (device_id, epoch_hour, n, uncovered_secs, gpu_util,
                 mem_used, temp, power)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        for run in &self.ended {
            insert.execute(run.params())?;
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

/// What [`SampleWriter::roll_up_hours_before`] keeps beside each device's [`LateDevice`].
#[derive(Debug)]
struct LateHours {
    before_hour: i64,
    /// Hours whose rows have all passed.
    ended: Vec<HourRollup>,
}

/// One GPU's late hours as its rows pass.
#[derive(Debug)]
struct LateDevice {
    /// Its newest sample stored before the run: no hour after it held any.
    stored_until: i64,
    current: Option<HourRollup>,
    /// A row went into an hour that may hold stored samples, or back in time: the rollup
    /// statement must roll the GPU's hours up from the table.
    redo: bool,
}

impl LateDevice {
    fn new(stored_until: i64) -> LateDevice {
        LateDevice {
            stored_until,
            current: None,
            redo: false,
        }
    }

    /// Adds a new row of the GPU; returns the hour it ends, if it starts the next.
    fn add(&mut self, s: &SampleRow, before_hour: i64) -> Option<HourRollup> {
        // The hour as the rollup statement groups it (`ts / 3600`).
        let hour = s.ts - s.ts % HOUR;
        if hour >= before_hour || self.redo {
            return None;
        }
        if s.ts < 0 || hour <= self.stored_until {
            self.redo = true;
            self.current = None;
            return None;
        }
        match &mut self.current {
            Some(run) if run.hour == hour => {
                run.add(s);
                None
            }
            Some(run) if run.hour > hour => {
                self.redo = true;
                self.current = None;
                None
            }
            current => {
                let mut run = HourRollup::new(s.device_id, hour, s.ts);
                run.add(s);
                current.replace(run)
            }
        }
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
            mem_used: RollupColumn::default(),
            temp: RollupColumn::default(),
            power: RollupColumn::default(),
        }
    }

    /// The row of `samples_hourly`, in its columns' order.
    fn params(&self) -> impl rusqlite::Params {
        (
            self.device_id,
            self.hour / HOUR,
            self.n,
            self.uncovered_secs(),
            self.gpu_util.packed(14, 16_383, |avg| avg * 100.0),
            self.mem_used.packed(24, 16_777_215, |avg| avg),
            self.temp.packed(14, 16_383, |avg| avg * 100.0),
            self.power.packed_power(),
        )
    }

    fn add(&mut self, s: &SampleRow) {
        self.n += 1;
        self.first_ts = self.first_ts.min(s.ts);
        self.last_ts = self.last_ts.max(s.ts);
        self.gpu_util.add(s.gpu_util);
        self.mem_used.add(s.mem_used_mib);
        self.temp.add(s.temp_c);
        self.power.add(s.power_mw);
    }

    /// The part of the hour the samples leave uncovered, as [`ROLLUP_SQL`] computes it step by
    /// step in its types: the span of n samples is (last - first) × n / (n - 1), at most an
    /// hour; unknown without two power readings.
    fn uncovered_secs(&self) -> Option<i64> {
        if self.power.n <= 1 {
            return None;
        }
        let covered = ((self.last_ts - self.first_ts) * self.n) as f64 / (self.n as f64 - 1.0);
        let covered = if covered < 3_600.0 { covered } else { 3_600.0 };
        Some(3_600 - sqlite_round(covered) as i64)
    }
}

/// SQLite's `round(x)`: half away from zero, by adding a half and truncating.
fn sqlite_round(x: f64) -> f64 {
    if x >= 0.0 {
        ((x + 0.5) as i64) as f64
    } else {
        -(((-x) + 0.5) as i64) as f64
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

    /// `(max(0, max) << shift) | min(mask, max(0, CAST(round(scaled avg) AS INTEGER)))`, as
    /// [`ROLLUP_SQL`] packs a metric; NULL when the GPU reported none.
    fn packed(&self, shift: u32, mask: i64, scale: impl Fn(f64) -> f64) -> Option<i64> {
        let (max, avg) = (self.max?, self.avg()?);
        let mean = (sqlite_round(scale(avg)) as i64).clamp(0, mask);
        Some((max.max(0) << shift) | mean)
    }

    /// Power as [`ROLLUP_SQL`] packs it: the maximum in whole watts (half to even), the mean
    /// in centiwatts.
    fn packed_power(&self) -> Option<i64> {
        let (max, avg) = (self.max?.max(0), self.avg()?);
        let watts = (max + 500) / 1000 - i64::from(max % 2000 == 500);
        let mean = (sqlite_round(avg / 10.0) as i64).clamp(0, 524_287);
        Some((watts << 19) | mean)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::migrations::migrate;
    use crate::store::{Store, DEFAULT_BUSY_TIMEOUT};
    use rusqlite::types::Value;

    fn row(device_id: i64, ts: i64, util: i64) -> SampleRow {
        SampleRow {
            device_id,
            ts,
            gpu_util: Some(util),
            ..SampleRow::default()
        }
    }

    #[test]
    fn rows_go_in_once_whether_new_repeated_in_a_call_or_older_than_the_newest() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.db"), DEFAULT_BUSY_TIMEOUT).unwrap();
        store
            .write(|tx| {
                tx.execute_batch(
                    "INSERT INTO nodes (id, name, cluster, status, created_at, updated_at)
                       VALUES (1, 'n', 'c', 'ready', 0, 0);
                     INSERT INTO devices (id, uuid, node_id, idx, created_at, updated_at)
                       VALUES (1, 'GPU-1', 1, 0, 0, 0);",
                )?;
                // 72 new rows (a 64-row and an 8-row statement), then one again in the
                // same call, then a gap filled later, then repeats of stored rows.
                let mut first: Vec<SampleRow> =
                    (0..72).map(|m| row(1, 7_200 + m * 60, 10)).collect();
                first.push(row(1, 7_200, 99));
                let mut writer = SampleWriter::default();
                let mut inserted = Vec::new();
                writer.add_batch(tx, &first, &mut inserted)?;
                assert_eq!(inserted.iter().filter(|n| **n).count(), 72);
                assert!(!inserted[72], "a repeat within the call is not new");
                let second = vec![row(1, 7_230, 20), row(1, 7_260, 30), row(1, 14_000, 40)];
                writer.add_batch(tx, &second, &mut inserted)?;
                assert_eq!(inserted, [true, false, true]);
                writer.finish(tx)?;
                insert_samples(tx, &[row(1, 7_230, 50), row(1, 14_060, 60)])?;
                Ok(())
            })
            .unwrap();
        let conn = store.conn();
        let (n, sum, latest): (i64, i64, i64) = conn
            .query_row(
                "SELECT count(*), sum(gpu_util), max(ts) FROM samples",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!((n, sum, latest), (75, 72 * 10 + 20 + 40 + 60, 14_060));
        let (fleet_n, fleet_sum): (i64, f64) = conn
            .query_row(
                "SELECT sum(n), sum(util_sum) FROM samples_fleet_hourly",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(
            (fleet_n, fleet_sum),
            (75, 840.0),
            "each stored row counted once"
        );
        let newest: (i64, i64) = conn
            .query_row("SELECT latest_ts, latest_gpu_util FROM devices", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!(newest, (14_060, 60));
    }

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
            "SELECT * FROM samples_hourly ORDER BY device_id, epoch_hour",
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
            "SELECT sum(n = 1), count(*), sum(uncovered_secs IS NULL)
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
        let sql = "SELECT * FROM samples_hourly ORDER BY device_id, epoch_hour";
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
