//! Rollups and retention: raw samples become hourly rollups once their hour is complete, and
//! both are pruned past their retention. Applied incrementally by collect and optimize, and on
//! demand by `gpuctl db prune`.

use rusqlite::Connection;
use serde::Serialize;

use crate::domain::EventKind;
use crate::error::Result;
use crate::store::{events, metrics, settings};

/// Raw samples are kept this long by default.
pub const DEFAULT_RAW_RETENTION_SECS: i64 = 14 * 86_400;
/// Hourly rollups are kept this long by default.
pub const DEFAULT_HOURLY_RETENTION_SECS: i64 = 400 * 86_400;

const RAW_RETENTION_KEY: &str = "retention.raw_secs";
const HOURLY_RETENTION_KEY: &str = "retention.hourly_secs";
/// The start of the first hour not yet rolled up.
const ROLLED_UP_TO_KEY: &str = "rollup.next_hour";
/// The hour of the last prune, as collect runs it.
const PRUNED_HOUR_KEY: &str = "retention.pruned_hour";

const HOUR: i64 = 3_600;

/// How long samples and rollups are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Retention {
    pub raw_secs: i64,
    pub hourly_secs: i64,
}

pub fn retention(conn: &Connection) -> Result<Retention> {
    Ok(Retention {
        raw_secs: settings::get_i64(conn, RAW_RETENTION_KEY)?.unwrap_or(DEFAULT_RAW_RETENTION_SECS),
        hourly_secs: settings::get_i64(conn, HOURLY_RETENTION_KEY)?
            .unwrap_or(DEFAULT_HOURLY_RETENTION_SECS),
    })
}

pub fn set_retention(conn: &Connection, retention: Retention) -> Result<()> {
    settings::set(conn, RAW_RETENTION_KEY, &retention.raw_secs.to_string())?;
    settings::set(
        conn,
        HOURLY_RETENTION_KEY,
        &retention.hourly_secs.to_string(),
    )
}

/// Samples older than the rollup marker arrived late (a replay, a backfill): roll their hours
/// up again on the next pass.
pub fn note_samples_from(conn: &Connection, earliest_ts: i64) -> Result<()> {
    if let Some(next) = settings::get_i64(conn, ROLLED_UP_TO_KEY)? {
        let hour = earliest_ts - earliest_ts.rem_euclid(HOUR);
        if hour < next {
            settings::set(conn, ROLLED_UP_TO_KEY, &hour.to_string())?;
        }
    }
    Ok(())
}

/// Samples a replay stored in hours already rolled up: those hours of those GPUs only are rolled
/// up again now (moving the marker back would roll up every GPU's hours again on each replay).
pub fn roll_up_late(conn: &Connection, devices: &[i64], earliest_ts: i64) -> Result<usize> {
    let Some(next) = settings::get_i64(conn, ROLLED_UP_TO_KEY)? else {
        // Nothing rolled up yet: the next pass starts from the oldest sample.
        return Ok(0);
    };
    let hour = earliest_ts - earliest_ts.rem_euclid(HOUR);
    if hour >= next {
        return Ok(0);
    }
    metrics::rollup_hours_of(conn, devices, hour, next)
}

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Maintenance {
    pub hours_rolled_up: i64,
    pub rollup_rows: usize,
    pub samples_pruned: usize,
    pub rollups_pruned: usize,
    /// `collect.run` events past raw retention.
    pub run_events_pruned: usize,
}

/// Rolls up every complete hour not yet rolled up, then prunes past retention. Raw samples are
/// only pruned once their hour is rolled up, so nothing is lost to a pass that was skipped.
pub fn apply(conn: &Connection, now: i64) -> Result<Maintenance> {
    apply_with(conn, now, true)
}

/// [`apply`] as a collect runs it, every minute: the prune (a key seek per GPU in each table,
/// which on a fleet store of 8,000 GPUs costs more than the rest of the run) runs once per
/// hour, or at once when the run stored samples already past retention (`earliest`).
pub fn apply_for_collect(
    conn: &Connection,
    now: i64,
    earliest: Option<i64>,
) -> Result<Maintenance> {
    let hour = now - now.rem_euclid(HOUR);
    let pruned_this_hour = settings::get_i64(conn, PRUNED_HOUR_KEY)? == Some(hour);
    // Retention is read only for a run that says how old its samples go (not cron's).
    let old_samples = match earliest {
        Some(ts) => ts < now - retention(conn)?.raw_secs,
        None => false,
    };
    apply_with(conn, now, !pruned_this_hour || old_samples)
}

fn apply_with(conn: &Connection, now: i64, prune: bool) -> Result<Maintenance> {
    let current_hour = now - now.rem_euclid(HOUR);
    let next = match settings::get_i64(conn, ROLLED_UP_TO_KEY)? {
        Some(next) => Some(next),
        None => metrics::oldest_sample_ts(conn)?.map(|ts| ts - ts.rem_euclid(HOUR)),
    };
    let mut done = Maintenance::default();
    if let Some(next) = next.filter(|n| *n < current_hour) {
        done.rollup_rows = metrics::rollup_hours(conn, next, current_hour)?;
        done.hours_rolled_up = (current_hour - next) / HOUR;
        settings::set(conn, ROLLED_UP_TO_KEY, &current_hour.to_string())?;
    }
    if !prune {
        return Ok(done);
    }
    let rolled_up_to = settings::get_i64(conn, ROLLED_UP_TO_KEY)?.unwrap_or(i64::MIN);
    let keep = retention(conn)?;
    let raw_cutoff = (now - keep.raw_secs).min(rolled_up_to);
    let hourly_cutoff = now - keep.hourly_secs;
    let (samples, rollups) = metrics::prune(conn, raw_cutoff, hourly_cutoff)?;
    done.samples_pruned = samples;
    done.rollups_pruned = rollups;
    done.run_events_pruned = events::prune_kind(conn, EventKind::CollectRun, now - keep.raw_secs)?;
    settings::set(conn, PRUNED_HOUR_KEY, &current_hour.to_string())?;
    Ok(done)
}

/// Rolls up the hour in progress, of every device or of `devices`: a provisional rollup that each
/// pass replaces and the first pass after the hour makes final. Reports read hours from rollups
/// alone, so the hour in progress must have one (reading its raw samples for 8,000 GPUs took
/// ~80 ms); trends read rollups only before `rolled_up_to`, so they never see it.
pub fn roll_hour_in_progress(
    conn: &Connection,
    now: i64,
    devices: Option<&[i64]>,
) -> Result<usize> {
    let hour = now - now.rem_euclid(HOUR);
    match devices {
        Some(devices) => metrics::rollup_hours_of(conn, devices, hour, hour + HOUR),
        None => metrics::rollup_hours(conn, hour, hour + HOUR),
    }
}

/// Records that rollups cover every complete hour before `hour`, for a writer that rolled up
/// what it wrote itself (the demo, GPU by GPU): [`apply`] then rolls up nothing before it.
pub fn mark_rolled_up_to(conn: &Connection, hour: i64) -> Result<()> {
    settings::set(conn, ROLLED_UP_TO_KEY, &hour.to_string())
}

/// The start of the first hour not yet rolled up: rollups cover every complete hour before it.
pub fn rolled_up_to(conn: &Connection) -> Result<Option<i64>> {
    settings::get_i64(conn, ROLLED_UP_TO_KEY)
}
