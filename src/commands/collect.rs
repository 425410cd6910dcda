//! `gpuctl collect`: read this node's GPUs, then store everything in one IMMEDIATE transaction:
//! the node and any new GPU, one sample per GPU, alert transitions, retention, a run event if
//! the run says something (`inventory::RunFacts`).
//! Silent on success (cron mails any output); `-v` says what was stored.

use std::collections::BTreeMap;
use std::ops::Deref;

use foldhash::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;

use crate::alerting::{self, MissingGpu, RunJudge, SeenGpu, Transitions};
use crate::cli::{CollectArgs, FleetArgs, SourceChoice};
use crate::clock;
use crate::domain::{Node, NodeStatus};
use crate::error::{Error, Result};
use crate::fleet::{
    self,
    dcgm::{FleetGpu, HistoryRow, MappingOptions, Workload},
    http::{BasicAuth, HttpOptions},
    prometheus::PrometheusClient,
};
use crate::gpu::nvml::NvmlSource;
use crate::gpu::replay::{self, ReplaySource, Streamed};
use crate::gpu::smi::SmiSource;
use crate::gpu::source::{open_auto, DeviceSample, GpuSource, SourceError};
use crate::inventory::{node_named, Inventory, RunDevices, RunFacts, Stamp};
use crate::prometheus;
use crate::retention;
use crate::schedule::{lock_key, try_run_lock, Busy, StopFlag};
use crate::store::metrics::{self, SampleRow, SampleWriter};
use crate::store::{devices, registry};
use crate::store::{within_savepoint, Store};
use crate::validate::NodeName;
use crate::Ctx;

/// The cluster a node new to the inventory joins when collect is not told.
const DEFAULT_CLUSTER: &str = "default";

/// Time a live run needs besides reading the GPUs (the store's busy timeout, twice, the
/// textfile), before a later run may call it hung.
const LOCK_SLACK: std::time::Duration = std::time::Duration::from_secs(60);

/// When a sample was taken: its batch's time (one local reading), or each GPU's own (a fleet
/// read, whose exporters sample at their own times).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Timing {
    Batch,
    Reading,
}

/// Fleet readings older than this are history (a backfill), not judged by the alert rules.
const FLEET_HISTORY_SECS: i64 = 600;
/// The step of a Prometheus backfill: one sample per GPU per minute, as cron's collect.
const BACKFILL_STEP_SECS: i64 = 60;

/// What one run stored, for `-v` and the run event.
#[derive(Debug, Default, Serialize)]
struct RunSummary {
    node: String,
    /// The node's cluster (a node is known by both).
    cluster: String,
    gpus: usize,
    samples: usize,
    new_gpus: Vec<String>,
    /// `GPU-… from NODE`: GPUs that turned up here from another node.
    moved_gpus: Vec<String>,
    missing_gpus: Vec<String>,
    alerts: Transitions,
    /// What could not be stored as reported (a MIG layout the model cannot hold, say).
    warnings: Vec<String>,
    /// The GPUs sampled, by row id.
    #[serde(skip)]
    device_ids: Vec<i64>,
    /// The time of the run's oldest sample.
    #[serde(skip)]
    earliest: Option<i64>,
    /// The GPUs whose hours already rolled up the run rolled up again itself.
    #[serde(skip)]
    late_rolled_up: Vec<i64>,
}

/// The source a replay's runs name.
const REPLAY: &str = "replay";

/// The WAL a collect leaves behind, at most: each process rebuilds the WAL's index from all
/// of it (about a millisecond per MiB).
const WAL_TRIM_BYTES: u64 = 1024 * 1024;

pub(crate) fn run(ctx: &Ctx, args: &CollectArgs) -> Result<()> {
    // The run's summary nests lists (GPUs, alerts): a JSON object, not CSV rows.
    ctx.out
        .require_format("collect", crate::output::TABLE_AND_JSON)?;
    ctx.store()?.tune_for_collect()?;
    let outcome = run_tuned(ctx, args);
    // Whatever the run did, the WAL it leaves stays small.
    let trimmed = ctx.store()?.trim_wal(WAL_TRIM_BYTES);
    outcome.and(trimmed)
}

fn run_tuned(ctx: &Ctx, args: &CollectArgs) -> Result<()> {
    let node_name = match &args.node {
        Some(name) => name.to_string(),
        None => crate::inventory::host_name()?,
    };
    let period = args.every.as_ref().map(clock::Span::to_std);
    if let Some(dir) = &args.textfile {
        if !dir.is_dir() {
            return Err(Error::usage(format!(
                "textfile directory '{}' does not exist",
                dir.display()
            )));
        }
    }
    let db_path = ctx.db_path()?;
    // Runs that would read the same GPUs (one node, one fleet source) never overlap: the later
    // one fails at once (exit 4) instead of queueing. Other nodes' runs go ahead.
    let (lock_name, work) = run_lock_for(args, &node_name);
    let mut lock = match try_run_lock(&db_path, &lock_name, lock_limit(args))? {
        Ok(lock) => lock,
        Err(busy) => return Err(skipped(ctx, args, &node_name, &busy, &work)),
    };
    if let Some(killed) = &lock.abandoned {
        ctx.out.warn(format!(
            "the previous {work} (gpuctl pid {}) ended without finishing: was it killed?",
            killed.pid
        ));
    }
    let store = ctx.store()?;
    if args.fleet.from_prometheus.is_some() || !args.fleet.scrape.is_empty() {
        return collect_fleet(ctx, args);
    }
    if let Some(input) = &args.input {
        return replay(ctx, store, args, &node_name, input);
    }
    let mut source = match open_source(args) {
        Ok(source) => source,
        Err(e) => {
            record_failure(
                store,
                ctx.now,
                Instant::now(),
                textfile(args, Some(&node_name)),
            )?;
            return Err(e);
        }
    };
    let Some(period) = period else {
        return collect_once(ctx, store, source.as_mut(), args, &node_name, ctx.now);
    };
    let stop = StopFlag::install()?;
    let mut next = Instant::now();
    while !stop.is_raised() {
        lock.renew(lock_limit(args))?;
        let now = clock::now()?.timestamp();
        let run = collect_once(ctx, store, source.as_mut(), args, &node_name, now)
            .and_then(|()| store.trim_wal(WAL_TRIM_BYTES));
        if let Err(e) = run {
            // A daemon reports a failed run and keeps going; cron would mail the same line.
            ctx.out.error(&e);
        }
        next += period;
        if !stop.sleep_until(next) {
            break;
        }
    }
    Ok(())
}

/// The run lock's name and the work it guards, for messages: one lock per node, one per fleet
/// source.
fn run_lock_for(args: &CollectArgs, node_name: &str) -> (String, String) {
    let fleet = &args.fleet;
    if let Some(url) = &fleet.from_prometheus {
        let name = format!("collect.prometheus-{}", lock_key(url));
        return (name, format!("collect from {url}"));
    }
    if !fleet.scrape.is_empty() {
        let mut urls = fleet.scrape.clone();
        urls.sort();
        let name = format!("collect.scrape-{}", lock_key(&urls.join(" ")));
        return (name, format!("collect scraping {}", urls.join(", ")));
    }
    if let Some(dir) = args.input.as_ref().filter(|input| input.is_dir()) {
        let name = format!("collect.replay-{}", lock_key(&dir.to_string_lossy()));
        return (name, format!("replay of {}", dir.display()));
    }
    let name = format!("collect.node-{}", lock_key(node_name));
    (name, format!("collect of node {node_name}"))
}

/// How long a run may hold its lock before a later run calls it hung: nvidia-smi's timeout and
/// time for the store, plus the period for `--every` (renewed at each run). None for a replay
/// or a fleet read, whose length follows the input (fleet requests time out on their own).
fn lock_limit(args: &CollectArgs) -> Option<std::time::Duration> {
    if args.input.is_some() || reads_fleet(args) {
        return None;
    }
    let run = smi_timeout(args) + LOCK_SLACK;
    let period = args.every.as_ref().map(clock::Span::to_std);
    Some(run + period.unwrap_or_default())
}

fn reads_fleet(args: &CollectArgs) -> bool {
    args.fleet.from_prometheus.is_some() || !args.fleet.scrape.is_empty()
}

/// The error of a run that found its lock taken. When the holder looks hung, the health series
/// (and `--textfile`) say `gpuctl_collect_success 0` too: its own run never will.
fn skipped(ctx: &Ctx, args: &CollectArgs, node_name: &str, busy: &Busy, work: &str) -> Error {
    if busy.holder_is_hung() {
        let node = (!reads_fleet(args)).then_some(node_name);
        let failed =
            |store: &Store| record_failure(store, ctx.now, Instant::now(), textfile(args, node));
        if let Err(e) = ctx.store().and_then(failed) {
            ctx.out
                .warn(format!("cannot record the failed run: {}", e.message));
        }
    }
    busy.to_error(work)
}

fn open_source(args: &CollectArgs) -> Result<Box<dyn GpuSource>> {
    Ok(match args.source {
        SourceChoice::Auto => open_auto(&args.smi_command, smi_timeout(args))?,
        SourceChoice::Nvml => Box::new(NvmlSource::open()?),
        SourceChoice::NvidiaSmi => {
            Box::new(SmiSource::new(&args.smi_command).with_timeout(smi_timeout(args)))
        }
    })
}

/// `--smi-timeout`, cut to the period with `--every`: a run must end before the next is due.
fn smi_timeout(args: &CollectArgs) -> std::time::Duration {
    let timeout = args.smi_timeout.to_std();
    match &args.every {
        Some(period) => timeout.min(period.to_std()),
        None => timeout,
    }
}

/// One live run: read first, then one transaction; the textfile last.
fn collect_once(
    ctx: &Ctx,
    store: &Store,
    source: &mut dyn GpuSource,
    args: &CollectArgs,
    node_name: &str,
    now: i64,
) -> Result<()> {
    let started = Instant::now();
    store.set_now(now);
    let readings = match source.sample() {
        Ok(readings) => readings,
        Err(e) => {
            let error = Error::from(e);
            record_failure(store, now, started, textfile(args, Some(node_name)))?;
            return Err(error);
        }
    };
    for warning in source.take_warnings() {
        ctx.out.warn(warning);
    }
    let summary = store.write(|tx| {
        let inv = Inventory::new(tx, Stamp::new(now, ctx.actor.as_deref()));
        inv.expire_due_leases()?;
        let mut summary = ingest(
            &inv,
            node_name,
            args.cluster.as_deref(),
            [Ok((now, readings))],
            source.name(),
            Timing::Batch,
        )?;
        retention::apply_for_collect(tx, now, None)?;
        finish_run(&inv, started, &mut summary, source.name())?;
        // This host's GPUs feed the store: doctor then wants a GPU source here.
        prometheus::record_local_collect(
            tx,
            &prometheus::LocalCollect {
                node: summary.node.clone(),
                source: source.name().to_string(),
                at: now,
            },
        )?;
        Ok(summary)
    })?;
    after_run(ctx, store, textfile(args, Some(node_name)), now, &summary)?;
    ctx.deliver_alerts(now, args.notify_timeout.to_std());
    Ok(())
}

/// What `--input` names: one recording of the node collect runs for, or a directory of
/// recordings, each named after its node (`NODE.csv`).
fn recordings(
    args: &CollectArgs,
    input: &Path,
    directory: bool,
    node_name: &str,
) -> Result<Vec<(String, PathBuf)>> {
    if !directory {
        return Ok(vec![(node_name.to_string(), input.to_path_buf())]);
    }
    if let Some(node) = &args.node {
        return Err(Error::usage(format!(
            "--node {} names one node, but '{}' is a directory of recordings, each named after its node",
            node.as_str(),
            input.display()
        )));
    }
    if args.textfile.is_some() {
        return Err(Error::usage(format!(
            "--textfile writes one node's file, but '{}' is a directory of recordings of many nodes",
            input.display()
        )));
    }
    let unreadable = |error| {
        Error::from(SourceError::Unreadable {
            path: input.to_path_buf(),
            error,
        })
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(input).map_err(unreadable)? {
        let path = entry.map_err(unreadable)?.path();
        if path.extension().is_none_or(|e| e != "csv") || path.is_dir() {
            continue;
        }
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        if stem.starts_with('.') {
            continue;
        }
        let node = NodeName::parse(stem).map_err(|e| {
            Error::usage(format!(
                "{}: a recording in a directory is named after its node: {}",
                path.display(),
                e.message
            ))
        })?;
        files.push((node.as_str().to_string(), path));
    }
    if files.is_empty() {
        return Err(Error::usage(format!(
            "'{}' holds no recordings: expected NODE.csv files",
            input.display()
        )));
    }
    files.sort();
    Ok(files)
}

/// Recorded files: every batch of every file in one transaction, alerts judged at each batch's
/// time, so a bad row anywhere stores nothing. Each file is read on a second thread while the
/// store takes what has been read, the next file's reader starting as the store takes the
/// current one; a recording whose rows go back in time is undone alone and read whole, sorted.
fn replay(
    ctx: &Ctx,
    store: &Store,
    args: &CollectArgs,
    node_name: &str,
    input: &Path,
) -> Result<()> {
    let directory = input.is_dir();
    let files = recordings(args, input, directory, node_name)?;
    let progress = match files.len() {
        1 => ctx.out.spinner(&format!("replaying {}", input.display())),
        n => ctx
            .out
            .progress(n as u64, &format!("replaying {}", input.display())),
    };
    let summaries = ctx.change(|inv| {
        let mut summaries = Vec::with_capacity(files.len());
        // One reader for every file, running ahead of the store across them.
        let mut streamed = match files.as_slice() {
            [(_, path)] => replay::stream(path, ctx.now)?,
            _ => replay::stream_all(files.iter().map(|(_, p)| p.clone()).collect(), ctx.now),
        };
        for (at, (node, path)) in files.iter().enumerate() {
            if at > 0 {
                streamed.next_file();
            }
            summaries.push(replay_file(ctx, inv, args, node, path, &mut streamed)?);
            progress.inc(1);
        }
        Ok(summaries)
    })?;
    progress.finish_and_clear();
    // A directory's runs are a list, however many files it held.
    if let (false, [summary]) = (directory, summaries.as_slice()) {
        after_run(
            ctx,
            store,
            textfile(args, Some(node_name)),
            ctx.now,
            summary,
        )?;
    } else {
        for summary in &summaries {
            ctx.out.detail(run_line(summary));
        }
        if ctx.out.format == crate::output::Format::Json {
            ctx.out.show(&summaries, |_, _| Ok(()))?;
        }
    }
    ctx.deliver_alerts(ctx.now, args.notify_timeout.to_std());
    Ok(())
}

/// One recording stored inside the run's transaction, as its node's run.
fn replay_file(
    ctx: &Ctx,
    inv: &Inventory,
    args: &CollectArgs,
    node_name: &str,
    input: &Path,
    streamed: &mut replay::Stream,
) -> Result<RunSummary> {
    let started = Instant::now();
    let unordered = std::cell::Cell::new(false);
    let batches = streamed.by_ref().map(|message| match message {
        Ok(Streamed::Batch(batch)) => Ok(batch),
        Ok(Streamed::Unordered) => {
            unordered.set(true);
            Err(Error::usage("the recording goes back in time"))
        }
        Err(e) => Err(Error::from(e)),
    });
    let stored = within_savepoint(inv.conn(), "replay_file", || {
        replay_batches(ctx, inv, args, node_name, input, started, batches)
    });
    match stored {
        Err(_) if unordered.get() => {
            let batches = ReplaySource::open(input, ctx.now)?.batches();
            let batches = batches.into_iter().map(Ok);
            replay_batches(ctx, inv, args, node_name, input, started, batches)
        }
        other => other,
    }
}

/// Stores a recording's batches, oldest first.
fn replay_batches<R: Deref<Target = [DeviceSample]>>(
    ctx: &Ctx,
    inv: &Inventory,
    args: &CollectArgs,
    node_name: &str,
    input: &Path,
    started: Instant,
    batches: impl Iterator<Item = Result<(i64, R)>>,
) -> Result<RunSummary> {
    // A reading from the future would stand as the GPU's newest for ever: gpu-not-reporting
    // could never judge it. A day of clock skew is allowed.
    let batches = batches.map(|batch| {
        let (ts, readings) = batch?;
        if ts > ctx.now + 86_400 {
            return Err(Error::usage(format!(
                "{}: a reading at {} is more than a day after now ({})",
                input.display(),
                clock::rfc3339(ts),
                clock::rfc3339(ctx.now)
            )));
        }
        Ok((ts, readings))
    });
    let tx = inv.conn();
    let mut summary = ingest(
        inv,
        node_name,
        args.cluster.as_deref(),
        batches,
        REPLAY,
        Timing::Batch,
    )?;
    if let Some(earliest) = summary.earliest {
        let left: Vec<i64> = (summary.device_ids.iter())
            .filter(|id| summary.late_rolled_up.binary_search(id).is_err())
            .copied()
            .collect();
        retention::roll_up_late(tx, &left, earliest)?;
    }
    retention::apply_for_collect(tx, ctx.now, summary.earliest)?;
    finish_run(inv, started, &mut summary, REPLAY)?;
    Ok(summary)
}

fn finish_run(
    inv: &Inventory,
    started: Instant,
    summary: &mut RunSummary,
    source: &str,
) -> Result<()> {
    let after_failed_run = prometheus::health(inv.conn())?.is_some_and(|h| !h.success);
    inv.record_run(
        &summary.node,
        &RunFacts {
            source,
            gpus: summary.gpus,
            samples: summary.samples,
            new_gpus: summary.new_gpus.len(),
            moved_gpus: summary.moved_gpus.len(),
            missing_gpus: summary.missing_gpus.len(),
            alerts_fired: summary.alerts.fired.len(),
            alerts_resolved: summary.alerts.resolved.len(),
            warnings: summary.warnings.len(),
            after_failed_run,
            replay: source == REPLAY,
        },
    )?;
    prometheus::record_health(
        inv.conn(),
        inv.now(),
        true,
        started.elapsed().as_millis() as i64,
    )
}

fn after_run(
    ctx: &Ctx,
    store: &Store,
    textfile: Option<Textfile>,
    now: i64,
    summary: &RunSummary,
) -> Result<()> {
    if let Some(textfile) = textfile {
        write_textfile(store, &textfile, now)?;
    }
    ctx.out.detail(run_line(summary));
    if ctx.out.format == crate::output::Format::Json {
        ctx.out.show(summary, |_, _| Ok(()))?;
    }
    Ok(())
}

/// What `-v` says of one run.
fn run_line(summary: &RunSummary) -> String {
    let list = |label: &str, items: &[String]| match items.is_empty() {
        true => String::new(),
        false => format!("; {label}: {}", items.join(", ")),
    };
    format!(
        "collected {} sample(s) from {} GPU(s) on {}{}{}{}; alerts: {} fired, {} repeated, {} resolved",
        summary.samples,
        summary.gpus,
        summary.node,
        list("new", &summary.new_gpus),
        list("moved here", &summary.moved_gpus),
        list("not reporting", &summary.missing_gpus),
        summary.alerts.fired.len(),
        summary.alerts.repeated.len(),
        summary.alerts.resolved.len(),
    )
}

/// A failed read still updates the health series, so Prometheus sees `gpuctl_collect_success 0`.
fn record_failure(
    store: &Store,
    now: i64,
    started: Instant,
    textfile: Option<Textfile>,
) -> Result<()> {
    store.write(|tx| {
        prometheus::record_health(tx, now, false, started.elapsed().as_millis() as i64)
    })?;
    if let Some(textfile) = textfile {
        write_textfile(store, &textfile, now)?;
    }
    Ok(())
}

/// What `--textfile` writes. node_exporter runs on every node, so each node's file carries
/// only that node's GPUs: a store that also holds other nodes (or the fleet) must not publish
/// them again, or Prometheus counts them twice.
struct Textfile<'a> {
    dir: &'a Path,
    /// The node this run collected (name, cluster if given); None for a fleet collect, whose
    /// file carries every node's state series but no GPU series (dcgm-exporter's already).
    node: Option<(&'a str, Option<&'a str>)>,
    all_nodes: bool,
    max_age: i64,
}

fn textfile<'a>(args: &'a CollectArgs, node: Option<&'a str>) -> Option<Textfile<'a>> {
    Some(Textfile {
        dir: args.textfile.as_deref()?,
        node: node.map(|name| (name, args.cluster.as_deref())),
        all_nodes: args.all_nodes,
        max_age: args.fleet.max_age.seconds(),
    })
}

fn write_textfile(store: &Store, textfile: &Textfile, now: i64) -> Result<()> {
    let conn = store.conn();
    let scope = match (textfile.all_nodes, textfile.node) {
        (true, _) => prometheus::Scope::all_nodes(),
        (false, Some((name, cluster))) => match node_named(conn, name, cluster)? {
            Some(node) => prometheus::Scope::node(node.id),
            None => prometheus::Scope::store_only(),
        },
        (false, None) => prometheus::Scope::fleet_state(),
    };
    let body = prometheus::exposition(conn, scope, now, textfile.max_age)?;
    prometheus::write_textfile(textfile.dir, &body)
}

/// Registers the node and its GPUs and stores the samples of every batch. Inventory changes
/// carry the run's stamp; samples and alerts the time of their batch.
///
/// One pass, however many batches: each GPU is looked up once, each sample is one insert,
/// each GPU's row, newest sample and hourly aggregates are written once at the end, and the
/// alert rules judge each batch from what the run carries in memory. The store ends exactly
/// as one ingest per batch would leave it (a test holds the two to that).
fn ingest<R: Deref<Target = [DeviceSample]>>(
    inv: &Inventory,
    node_name: &str,
    cluster: Option<&str>,
    batches: impl IntoIterator<Item = Result<(i64, R)>>,
    source: &str,
    timing: Timing,
) -> Result<RunSummary> {
    let tx = inv.conn();
    let reason = format!("registered by gpuctl collect ({source})");
    // Without --cluster, the one node of this name, wherever it is.
    let node = match inv.find_node(cluster, node_name)? {
        Some(node) => node,
        None => {
            let cluster = cluster.unwrap_or(DEFAULT_CLUSTER);
            let mut node = Node::new(node_name, cluster, NodeStatus::Ready, inv.now());
            inv.create_node(&mut node, Some(&reason))?;
            node
        }
    };
    let mut summary = RunSummary {
        node: node.name.clone(),
        cluster: node.cluster.clone(),
        ..RunSummary::default()
    };
    let mut devices = RunDevices::default();
    // Made at the first batch, the run's earliest: batches come oldest first.
    let mut judge: Option<RunJudge> = None;
    let mut writer = SampleWriter::default();
    if source == REPLAY {
        // A replay's rows come in time order: the hours it fills late roll up as they pass.
        if let Some(rolled_up_to) = retention::rolled_up_to(tx)? {
            writer.roll_up_hours_before(rolled_up_to);
        }
    }
    // The node's GPUs that should report, as the store would say at each batch.
    let mut expected = registry::active_devices_of_node(tx, node.id)?;
    let mut expected_changed = false;
    // What the run knows of each GPU it saw.
    let mut known: HashMap<i64, RunGpu> = HashMap::default();
    let mut driver: Option<String> = None;
    let mut samples = Vec::new();
    let mut inserted = Vec::new();
    for batch in batches {
        let (ts, readings) = batch?;
        let ts = &ts;
        let judge = match &mut judge {
            Some(judge) => judge,
            None => {
                let earliest = readings
                    .iter()
                    .map(|r| match timing {
                        Timing::Batch => *ts,
                        Timing::Reading => r.timestamp,
                    })
                    .fold(*ts, i64::min);
                summary.earliest = Some(earliest);
                judge.insert(RunJudge::new(tx, earliest)?)
            }
        };
        let mut seen = Vec::with_capacity(readings.len());
        samples.clear();
        for (place, reading) in readings.iter().enumerate() {
            let reported = inv.report_reading(&mut devices, &node, reading, *ts, place)?;
            let device_id = reported.id;
            if reported.first {
                // What stood before the run, read before the run stores anything of the GPU.
                judge.track(tx, device_id)?;
                let key = metrics::fleet_key(tx, device_id)?;
                writer.set_fleet_key(device_id, key.clone());
                known.insert(
                    device_id,
                    RunGpu {
                        key,
                        index: 0,
                        last_seen_at: 0,
                        seen: SeenGpu {
                            device_id,
                            uuid: reading.uuid.clone(),
                            node: node.name.clone(),
                            cluster: node.cluster.clone(),
                        },
                    },
                );
                if reported.created || reported.moved_from.is_some() {
                    expected_changed = true;
                }
            }
            if reported.created {
                summary.new_gpus.push(reading.uuid.clone());
            }
            if let Some(from) = &reported.moved_from {
                summary
                    .moved_gpus
                    .push(format!("{} from {from}", reading.uuid));
            }
            // The totals the GPU's metrics are shares of, as its row now holds them.
            let memory_total = reading.mem_total_mib.and_then(|m| i64::try_from(m).ok());
            judge.note_totals(
                device_id,
                memory_total,
                reading.power_limit_mw.map(i64::from),
            );
            if let Some(gpu) = known.get_mut(&device_id) {
                // A new memory total moves where the GPU's samples count in the fleet.
                if let (Some(total), Some(key)) = (memory_total, gpu.key.as_mut()) {
                    if key.2 != Some(total) {
                        key.2 = Some(total);
                        writer.set_fleet_key(device_id, gpu.key.clone());
                    }
                }
                gpu.index = reading.index.map_or(0, i64::from);
                gpu.last_seen_at = gpu.last_seen_at.max(*ts);
            }
            let sampled_at = match timing {
                Timing::Batch => *ts,
                Timing::Reading => reading.timestamp,
            };
            samples.push(sample_row(device_id, sampled_at, reading));
            seen.push(device_id);
            if reading.driver_version.is_some() {
                driver.clone_from(&reading.driver_version);
            }
        }
        writer.add_batch(tx, &samples, &mut inserted)?;
        for (sample, _) in samples.iter().zip(&inserted).filter(|(_, new)| **new) {
            judge.note_stored(sample);
        }
        summary.samples += samples.len();
        if std::mem::take(&mut expected_changed) {
            // A GPU registered or moved here.
            expected = registry::active_devices_of_node(tx, node.id)?;
        }
        // As the store would list them now: what this run reported of a GPU overrides its row.
        let mut missing: Vec<(i64, i64, MissingGpu)> = expected
            .iter()
            // By row id: a reading's GPU is the one row of its UUID.
            .filter(|e| !seen.contains(&e.id))
            .map(|e| {
                let (index, last_seen_at) = match known.get(&e.id) {
                    Some(gpu) => (
                        gpu.index,
                        Some(e.last_seen_at.unwrap_or(0).max(gpu.last_seen_at)),
                    ),
                    None => (e.index, e.last_seen_at),
                };
                (
                    index,
                    e.id,
                    MissingGpu {
                        uuid: e.uuid.clone(),
                        node: node.name.clone(),
                        cluster: node.cluster.clone(),
                        last_seen_at,
                        registered_at: e.registered_at,
                    },
                )
            })
            .collect();
        missing.sort_by_key(|(index, id, _)| (*index, *id));
        let missing: Vec<MissingGpu> = missing.into_iter().map(|(_, _, m)| m).collect();
        for gpu in &missing {
            if !summary.missing_gpus.contains(&gpu.uuid) {
                summary.missing_gpus.push(gpu.uuid.clone());
            }
        }
        if timing == Timing::Reading && inv.now() - ts > FLEET_HISTORY_SECS {
            // Backfilled history: samples only; alerts are judged on the current reading.
            continue;
        }
        let seen: Vec<&SeenGpu> = seen
            .iter()
            .filter_map(|id| known.get(id))
            .map(|g| &g.seen)
            .collect();
        let transitions = judge.evaluate(&inv.at(*ts), &seen, &missing)?;
        summary.alerts.fired.extend(transitions.fired);
        summary.alerts.repeated.extend(transitions.repeated);
        summary.alerts.resolved.extend(transitions.resolved);
    }
    if let Some(judge) = judge {
        judge.finish(inv)?;
    }
    inv.write_reported_devices(&devices, &node)?;
    summary.late_rolled_up = writer.write_late_rollups(tx)?;
    writer.finish(tx)?;
    summary.gpus = known.len();
    let mut sampled_devices: Vec<i64> = known.keys().copied().collect();
    sampled_devices.sort_unstable();
    retention::roll_hour_in_progress(tx, inv.now(), Some(&sampled_devices))?;
    summary.device_ids = sampled_devices;
    // The node's GPU counts follow its devices; its driver follows what the GPUs report.
    inv.sync_node_capacity(node.id, false)?;
    if let Some(driver) = driver {
        let current = inv.load_node(&node.name)?;
        let mut updated = current.clone();
        updated.driver = Some(driver);
        inv.update_node(&current, &mut updated, Some("reported by gpuctl collect"))?;
    }
    Ok(summary)
}

/// What [`ingest`] carries of a GPU it saw.
struct RunGpu {
    /// Where its samples count in the fleet aggregates (its memory total as last reported).
    key: Option<metrics::FleetKey>,
    /// Its index and last-seen time as its row would now hold them.
    index: i64,
    last_seen_at: i64,
    /// The GPU as the alert rules see it, built once per run.
    seen: SeenGpu,
}

fn sample_row(device_id: i64, ts: i64, r: &DeviceSample) -> SampleRow {
    let as_i64 = |v: Option<u64>| v.and_then(|v| i64::try_from(v).ok());
    SampleRow {
        device_id,
        ts,
        gpu_util: r.gpu_util_pct.map(i64::from),
        mem_util: r.mem_util_pct.map(i64::from),
        mem_used_mib: as_i64(r.mem_used_mib),
        temp_c: r.temp_c.map(i64::from),
        power_mw: r.power_mw.map(i64::from),
        fan_pct: r.fan_pct.map(i64::from),
        ecc_uncorrected: as_i64(r.ecc_uncorrected),
    }
}

/// The fleet's GPUs from Prometheus (`--from-prometheus`) or dcgm-exporter endpoints
/// (`--scrape`): read first, then every node in one IMMEDIATE transaction through the same path
/// as a local collect. A source that fails writes nothing (exit 6, or 2 for bad options).
fn collect_fleet(ctx: &Ctx, args: &CollectArgs) -> Result<()> {
    let fleet = &args.fleet;
    let http = http_options(fleet)?;
    let mapping = MappingOptions {
        node_label: fleet.node_label.clone(),
        cluster: args.cluster.as_deref().map(str::to_string),
        cluster_label: fleet.cluster_label.clone(),
        now: ctx.now,
        max_age: fleet.max_age.seconds(),
    };
    let started = Instant::now();
    let (snapshot, source) = match &fleet.from_prometheus {
        Some(url) => {
            let client = PrometheusClient::new(url, &http)?;
            if let Some(span) = &fleet.backfill {
                backfill(ctx, &client, fleet, &mapping, span.seconds())?;
            }
            let selector = fleet.selector.as_deref();
            (
                fleet::read_prometheus(&client, selector, &mapping)?,
                client.display_url(),
            )
        }
        None => (
            fleet::scrape(&fleet.scrape, &http, &mapping)?,
            "scrape".to_string(),
        ),
    };
    for warning in &snapshot.warnings {
        ctx.out.warn(warning);
    }
    let summaries = ctx.change(|inv| {
        let summaries = ingest_fleet(inv, &snapshot.gpus, "fleet")?;
        let missing = missing_elsewhere(inv, &summaries, args.cluster.as_deref())?;
        let mut total = summaries;
        if !missing.is_empty() {
            let transitions = alerting::evaluate(inv, &[], &missing)?;
            total.push(RunSummary {
                node: "(not reporting)".into(),
                missing_gpus: missing.iter().map(|m| m.uuid.clone()).collect(),
                alerts: transitions,
                ..RunSummary::default()
            });
        }
        // Backfilled history older than raw retention goes at once.
        let earliest = fleet.backfill.as_ref().map(|span| ctx.now - span.seconds());
        retention::apply_for_collect(inv.conn(), ctx.now, earliest)?;
        let mut all = RunSummary {
            node: format!("fleet ({source})"),
            ..RunSummary::default()
        };
        for s in total {
            all.warnings.extend(s.warnings);
            all.gpus += s.gpus;
            all.samples += s.samples;
            all.new_gpus.extend(s.new_gpus);
            all.moved_gpus.extend(s.moved_gpus);
            all.missing_gpus.extend(s.missing_gpus);
            all.alerts.fired.extend(s.alerts.fired);
            all.alerts.repeated.extend(s.alerts.repeated);
            all.alerts.resolved.extend(s.alerts.resolved);
        }
        finish_run(inv, started, &mut all, "fleet")?;
        Ok(all)
    })?;
    for warning in &summaries.warnings {
        ctx.out.warn(warning);
    }
    after_run(ctx, ctx.store()?, textfile(args, None), ctx.now, &summaries)?;
    ctx.deliver_alerts(ctx.now, args.notify_timeout.to_std());
    Ok(())
}

/// Transport settings from the command line.
fn http_options(fleet: &FleetArgs) -> Result<HttpOptions> {
    Ok(HttpOptions {
        timeout: fleet.timeout.to_std(),
        ca_file: fleet.ca_file.clone(),
        bearer_token_file: fleet.bearer_token_file.clone(),
        basic_auth: fleet.basic_auth_user.as_ref().map(|user| BasicAuth {
            username: user.clone(),
            password_file: fleet.basic_auth_password_file.clone(),
            password_env: None,
        }),
        ..HttpOptions::default()
    })
}

/// Stores the GPUs of many nodes: one ingest per (cluster, node), each GPU at its own time.
fn ingest_fleet(inv: &Inventory, gpus: &[FleetGpu], source: &str) -> Result<Vec<RunSummary>> {
    let mut by_node: BTreeMap<(Option<String>, String), Vec<DeviceSample>> = BTreeMap::new();
    for gpu in gpus {
        by_node
            .entry((gpu.cluster.clone(), gpu.node.clone()))
            .or_default()
            .push(gpu.sample.clone());
    }
    let mut out = Vec::with_capacity(by_node.len());
    for ((cluster, node), samples) in by_node {
        let newest = samples
            .iter()
            .map(|s| s.timestamp)
            .max()
            .unwrap_or(inv.now());
        let summary = ingest(
            inv,
            &node,
            cluster.as_deref(),
            [Ok((newest, samples))],
            source,
            Timing::Reading,
        )?;
        out.push(summary);
    }
    for gpu in gpus.iter().filter(|g| !g.mig.is_empty()) {
        // A layout that cannot be recorded is undone alone, not the whole run.
        let synced = within_savepoint(inv.conn(), "mig_layout", || sync_mig_layout(inv, gpu));
        if let Err(e) = synced {
            if let Some(summary) = out.first_mut() {
                summary.warnings.push(format!(
                    "{}: MIG layout not recorded: {}",
                    gpu.sample.uuid, e.message
                ));
            }
        }
    }
    for gpu in gpus {
        let workload = workload_text(
            gpu.workloads
                .iter()
                .chain(gpu.mig.iter().flat_map(|m| m.workloads.iter())),
        );
        devices::set_workload(
            inv.conn(),
            &gpu.sample.uuid,
            workload.as_deref(),
            gpu.sample.timestamp,
        )?;
    }
    Ok(out)
}

/// Pods as the store keeps them: `namespace/pod`, comma-separated; None when there are none.
fn workload_text<'a>(workloads: impl Iterator<Item = &'a Workload>) -> Option<String> {
    let pods: Vec<String> = workloads
        .map(|w| match &w.namespace {
            Some(ns) => format!("{ns}/{}", w.pod),
            None => w.pod.clone(),
        })
        .collect();
    (!pods.is_empty()).then(|| pods.join(", "))
}

/// Records the MIG layout a fleet read reports (instances keyed by their GPU-instance id): MIG
/// on, and the instances replaced by the reported profiles when they differ and none is leased.
fn sync_mig_layout(inv: &Inventory, gpu: &FleetGpu) -> Result<()> {
    let uuid = &gpu.sample.uuid;
    let (device, _) = inv.set_mig_mode(uuid, true)?;
    let mut reported: Vec<&str> = gpu
        .mig
        .iter()
        .filter_map(|m| m.profile.as_deref())
        .collect();
    reported.sort_unstable();
    let stored = crate::store::mig::list(inv.conn(), Some(device.id), None)?;
    let mut known: Vec<&str> = stored.iter().map(|i| i.profile.as_str()).collect();
    known.sort_unstable();
    let mut ordered: Vec<&crate::fleet::dcgm::FleetMig> = gpu.mig.iter().collect();
    ordered.sort_by_key(|m| m.gpu_instance_id);
    if known != reported {
        if stored.iter().any(|i| i.lease_id.is_some()) {
            return Err(Error::conflict("its stored instances are leased"));
        }
        inv.destroy_mig_instances(&stored)?;
        for instance in &ordered {
            if let Some(profile) = &instance.profile {
                inv.create_mig_instances(uuid, profile, 1)?;
            }
        }
    }
    // Each reported instance's use onto a stored instance of its profile, in GI-id order.
    let mut stored = crate::store::mig::list(inv.conn(), Some(device.id), None)?;
    stored.sort_by_key(|i| (i.gpu_instance_id.unwrap_or(i64::MAX), i.id));
    for reported in ordered {
        let Some(profile) = &reported.profile else {
            continue;
        };
        let Some(at) = stored.iter().position(|i| &i.profile == profile) else {
            continue;
        };
        let instance = stored.remove(at);
        crate::store::mig::record_reading(
            inv.conn(),
            instance.id,
            i64::from(reported.gpu_instance_id),
            reported.gr_engine_active_pct.map(i64::from),
            reported.fb_used_mib.and_then(|m| i64::try_from(m).ok()),
            workload_text(reported.workloads.iter()).as_deref(),
            gpu.sample.timestamp,
        )?;
    }
    Ok(())
}

/// GPUs that reported before, on nodes of the clusters this read covers, that the fleet no
/// longer reports at all (a node whose exporter is gone): `gpu-not-reporting` judges them.
fn missing_elsewhere(
    inv: &Inventory,
    reported: &[RunSummary],
    cluster: Option<&str>,
) -> Result<Vec<MissingGpu>> {
    let mut clusters: Vec<String> = Vec::new();
    let mut nodes: std::collections::HashSet<(&str, &str)> = std::collections::HashSet::new();
    for summary in reported {
        if !clusters.contains(&summary.cluster) {
            clusters.push(summary.cluster.clone());
        }
        nodes.insert((summary.cluster.as_str(), summary.node.as_str()));
    }
    if let Some(cluster) = cluster {
        if !clusters.iter().any(|c| c == cluster) {
            clusters.push(cluster.to_string());
        }
    }
    Ok(
        registry::reporting_devices_of_clusters(inv.conn(), &clusters)?
            .into_iter()
            .filter(|d| !nodes.contains(&(d.cluster.as_str(), d.node.as_str())))
            .map(|d| MissingGpu {
                uuid: d.uuid,
                node: d.node,
                cluster: d.cluster,
                last_seen_at: d.last_seen_at,
                registered_at: d.registered_at,
            })
            .collect(),
    )
}

/// `--backfill`: the last `span` at a one-minute step, chunk by chunk, each chunk in its own
/// transaction: GPUs the store does not know are registered from their newest reading in the
/// chunk, then every row is written in one batch. Samples already stored are kept, so a
/// second run stores nothing twice. Alerts are judged on the current reading, not on history.
fn backfill(
    ctx: &Ctx,
    client: &PrometheusClient,
    fleet: &FleetArgs,
    mapping: &MappingOptions,
    span: i64,
) -> Result<()> {
    let start = ctx.now - span;
    let bar = ctx
        .out
        .progress(span.max(1) as u64, "backfilling from Prometheus");
    // Each GPU's row id, looked up once and again only after a chunk registered new GPUs.
    let mut ids = devices::ids_by_uuid(ctx.store()?.conn())?;
    fleet::backfill_prometheus(
        client,
        fleet.selector.as_deref(),
        start,
        ctx.now,
        BACKFILL_STEP_SECS,
        mapping,
        |chunk: fleet::BackfillChunk| -> Result<()> {
            for warning in &chunk.warnings {
                ctx.out.warn(warning);
            }
            ctx.change(|inv| {
                let unknown: Vec<FleetGpu> = chunk
                    .gpus
                    .iter()
                    .filter(|h| !h.rows.is_empty() && !ids.contains_key(&h.gpu.sample.uuid))
                    .map(|h| h.gpu.clone())
                    .collect();
                if !unknown.is_empty() {
                    ingest_fleet(inv, &unknown, "backfill")?;
                    ids = devices::ids_by_uuid(inv.conn())?;
                }
                let mut rows = Vec::new();
                for history in &chunk.gpus {
                    let Some(&device_id) = ids.get(&history.gpu.sample.uuid) else {
                        continue;
                    };
                    rows.extend(history.rows.iter().map(|r| history_row(device_id, r)));
                }
                metrics::insert_samples(inv.conn(), &rows)?;
                // Rolled-up hours this history falls in are rolled up again.
                if let Some(earliest) = rows.iter().map(|r| r.ts).min() {
                    retention::note_samples_from(inv.conn(), earliest)?;
                }
                Ok(())
            })?;
            bar.set_position((chunk.end - start).clamp(0, span) as u64);
            Ok(())
        },
    )?;
    bar.finish_and_clear();
    Ok(())
}

/// A backfilled row as the store keeps it.
fn history_row(device_id: i64, r: &HistoryRow) -> SampleRow {
    let as_i64 = |v: Option<u64>| v.and_then(|v| i64::try_from(v).ok());
    SampleRow {
        device_id,
        ts: r.ts,
        gpu_util: r.gpu_util_pct.map(i64::from),
        mem_util: r.mem_util_pct.map(i64::from),
        mem_used_mib: as_i64(r.mem_used_mib),
        temp_c: r.temp_c.map(i64::from),
        power_mw: r.power_mw.map(i64::from),
        fan_pct: r.fan_pct.map(i64::from),
        ecc_uncorrected: as_i64(r.ecc_uncorrected),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::allocations::NewAllocation;
    use crate::store::DEFAULT_BUSY_TIMEOUT;

    /// 2026-11-29T10:00:00Z
    const T0: i64 = 1_795_946_400;

    /// Today's path before the bulk one, batch by batch through the store: each reading
    /// registered and its row written at once, each batch's samples inserted with their
    /// aggregates, the node's GPUs listed and every rule judged from the store, per batch.
    fn ingest_per_batch(
        inv: &Inventory,
        node_name: &str,
        batches: &[(i64, Vec<DeviceSample>)],
    ) -> Result<Transitions> {
        let node = match inv.find_node(None, node_name)? {
            Some(node) => node,
            None => {
                let mut node = Node::new(node_name, DEFAULT_CLUSTER, NodeStatus::Ready, inv.now());
                inv.create_node(&mut node, Some("registered by gpuctl collect (replay)"))?;
                node
            }
        };
        let mut all = Transitions::default();
        let mut sampled = Vec::new();
        let mut driver = None;
        for (ts, readings) in batches {
            let mut seen = Vec::new();
            let mut samples = Vec::new();
            for reading in readings {
                let mut one = RunDevices::default();
                let id = inv.report_reading(&mut one, &node, reading, *ts, 0)?.id;
                inv.write_reported_devices(&one, &node)?;
                samples.push(sample_row(id, *ts, reading));
                seen.push(SeenGpu {
                    device_id: id,
                    uuid: reading.uuid.clone(),
                    node: node.name.clone(),
                    cluster: node.cluster.clone(),
                });
                if !sampled.contains(&id) {
                    sampled.push(id);
                }
                if reading.driver_version.is_some() {
                    driver.clone_from(&reading.driver_version);
                }
            }
            metrics::insert_samples(inv.conn(), &samples)?;
            let missing: Vec<MissingGpu> = registry::active_devices_of_node(inv.conn(), node.id)?
                .into_iter()
                .filter(|e| !readings.iter().any(|r| r.uuid == e.uuid))
                .map(|e| MissingGpu {
                    uuid: e.uuid,
                    node: node.name.clone(),
                    cluster: node.cluster.clone(),
                    last_seen_at: e.last_seen_at,
                    registered_at: e.registered_at,
                })
                .collect();
            let t = alerting::evaluate(&inv.at(*ts), &seen, &missing)?;
            all.fired.extend(t.fired);
            all.repeated.extend(t.repeated);
            all.resolved.extend(t.resolved);
        }
        sampled.sort_unstable();
        retention::roll_hour_in_progress(inv.conn(), inv.now(), Some(&sampled))?;
        inv.sync_node_capacity(node.id, false)?;
        if let Some(driver) = driver {
            let current = inv.load_node(&node.name)?;
            let mut updated = current.clone();
            updated.driver = Some(driver);
            inv.update_node(&current, &mut updated, Some("reported by gpuctl collect"))?;
        }
        Ok(all)
    }

    fn gpu(i: u32, minute: i64) -> DeviceSample {
        // GPU 0 runs hot in waves; GPU 1 fills its memory for long stretches and draws its
        // limit; GPU 2 is leased and idle, and drops out for a while; GPU 3 turns up late,
        // with no memory total at first, and changes index once.
        let wave = (minute / 7) % 3;
        DeviceSample {
            uuid: format!("GPU-0000000{i}-aaaa-bbbb-cccc-00000000000{i}"),
            name: Some("NVIDIA H100 80GB HBM3".into()),
            index: Some(if i == 3 && minute > 40 { 5 } else { i }),
            driver_version: Some("550.54.15".into()),
            timestamp: T0 + minute * 60,
            gpu_util_pct: Some(if i == 2 {
                1
            } else {
                (minute * 13 % 100) as u32
            }),
            mem_util_pct: Some(10),
            mem_used_mib: Some(if i == 1 && wave != 0 {
                80_000
            } else {
                20_000 + minute as u64
            }),
            mem_total_mib: if i == 3 && minute < 30 {
                None
            } else {
                Some(81_559)
            },
            temp_c: Some(if i == 0 && wave == 2 {
                93
            } else {
                60 + (minute % 5) as u32
            }),
            power_mw: Some(if i == 1 && wave != 0 {
                700_000
            } else {
                300_000
            }),
            power_limit_mw: Some(700_000),
            sm_clock_mhz: Some(1_980),
            ecc_uncorrected: Some(if i == 0 && minute == 50 { 1 } else { 0 }),
            energy_mj: Some(minute as u64 * 1_000),
            ..DeviceSample::default()
        }
    }

    fn batches(minutes: std::ops::Range<i64>) -> Vec<(i64, Vec<DeviceSample>)> {
        minutes
            .map(|m| {
                let mut readings = vec![gpu(0, m), gpu(1, m)];
                if !(20..26).contains(&m) && !(60..70).contains(&m) {
                    readings.push(gpu(2, m));
                }
                if m >= 15 {
                    readings.push(gpu(3, m));
                }
                (T0 + m * 60, readings)
            })
            .collect()
    }

    /// Every table a run writes, each row as text, in a stable order (events without their
    /// row ids: what they say, not the order two paths wrote them in).
    fn dump(store: &Store) -> Vec<String> {
        let conn = store.conn();
        let mut out = Vec::new();
        for sql in [
            "SELECT * FROM nodes ORDER BY id",
            "SELECT * FROM devices ORDER BY id",
            "SELECT * FROM samples ORDER BY device_id, ts",
            "SELECT * FROM samples_fleet_hourly ORDER BY hour, cluster, model_id",
            "SELECT * FROM samples_hourly ORDER BY device_id, epoch_hour",
            "SELECT * FROM alerts ORDER BY id",
            "SELECT * FROM allocations ORDER BY id",
            "SELECT kind, subject, at, node, cluster, field, old_value, new_value, reason, actor
             FROM events ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9",
        ] {
            let mut stmt = conn.prepare(sql).unwrap();
            let columns = stmt.column_count();
            let rows = stmt
                .query_map([], |r| {
                    let cells: Vec<String> = (0..columns)
                        .map(|i| match r.get_ref(i).unwrap() {
                            rusqlite::types::ValueRef::Real(f) => format!("{:?}", f.to_bits()),
                            other => format!("{other:?}"),
                        })
                        .collect();
                    Ok(cells.join("|"))
                })
                .unwrap();
            out.extend(rows.map(|r| r.unwrap()));
            out.push(format!("-- {sql}"));
        }
        out
    }

    fn store_with_a_lease(dir: &Path) -> Store {
        let store = Store::open(&dir.join("s.db"), DEFAULT_BUSY_TIMEOUT).unwrap();
        // The run before: the first ten minutes, then a lease on GPU 2.
        store
            .write(|tx| {
                let inv = Inventory::new(tx, Stamp::new(T0 + 10 * 60, None));
                ingest_per_batch(&inv, "gpu-a", &batches(0..10))?;
                let device = devices::placement(tx, &gpu(2, 0).uuid)?.unwrap();
                inv.create_lease(&NewAllocation {
                    device_id: device.id,
                    mig_instance_id: None,
                    device_uuid: gpu(2, 0).uuid,
                    node: "gpu-a".into(),
                    cluster: DEFAULT_CLUSTER.into(),
                    model: None,
                    mig_profile: None,
                    mig_uuid: None,
                    gpu_fraction: 1.0,
                    owner: "alice".into(),
                    namespace: None,
                    workload: None,
                    started_at: T0 - 3_600,
                    expires_at: T0 + 30 * 3_600,
                })?;
                Ok(())
            })
            .unwrap();
        store
    }

    #[test]
    fn one_pass_over_many_batches_leaves_what_batch_by_batch_leaves() {
        let now = T0 + 120 * 60;
        // Overlapping the run before: its minutes 5..10 are stored already.
        let input = batches(5..120);
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let per_batch = store_with_a_lease(a.path());
        let one_pass = store_with_a_lease(b.path());
        let expected = per_batch
            .write(|tx| {
                ingest_per_batch(&Inventory::new(tx, Stamp::new(now, None)), "gpu-a", &input)
            })
            .unwrap();
        let got = one_pass
            .write(|tx| {
                let inv = Inventory::new(tx, Stamp::new(now, None));
                ingest(
                    &inv,
                    "gpu-a",
                    None,
                    input.iter().cloned().map(Ok),
                    "replay",
                    Timing::Batch,
                )
            })
            .unwrap();
        // The input makes every rule fire and clear.
        assert!(expected.fired.len() >= 6, "{expected:?}");
        assert!(expected.resolved.len() >= 4, "{expected:?}");
        assert_eq!(got.alerts.fired, expected.fired);
        assert_eq!(got.alerts.repeated, expected.repeated);
        assert_eq!(got.alerts.resolved, expected.resolved);
        let (want, have) = (dump(&per_batch), dump(&one_pass));
        for (w, h) in want.iter().zip(&have) {
            assert_eq!(h, w);
        }
        assert_eq!(have.len(), want.len());
        let rules: Vec<String> = per_batch
            .conn()
            .prepare("SELECT DISTINCT rule FROM alerts ORDER BY 1")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(
            rules,
            [
                "allocated-idle",
                "ecc-uncorrected",
                "gpu-not-reporting",
                "gpu-temperature-critical",
                "gpu-temperature-high",
                "memory-nearly-full",
                "power-at-limit"
            ]
        );
    }

    #[test]
    fn hours_a_replay_fills_late_roll_up_as_the_rollup_statement_rolls_them_up() {
        let now = T0 + 4 * 3_600;
        // Three hours, the first overlapping the run before (GPUs 0-2 have samples in it;
        // GPU 3 is new), into a store rolled up past all of them.
        let input = batches(5..180);
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let rolled_up = |store: &Store| {
            store
                .write(|tx| retention::mark_rolled_up_to(tx, now))
                .unwrap();
        };
        let (streamed, statement) = (store_with_a_lease(a.path()), store_with_a_lease(b.path()));
        rolled_up(&streamed);
        rolled_up(&statement);
        let run = |store: &Store, source: &str| {
            store
                .write(|tx| {
                    let inv = Inventory::new(tx, Stamp::new(now, None));
                    let batches = input.iter().cloned().map(Ok);
                    let summary = ingest(&inv, "gpu-a", None, batches, source, Timing::Batch)?;
                    let left: Vec<i64> = (summary.device_ids.iter())
                        .filter(|id| !summary.late_rolled_up.contains(id))
                        .copied()
                        .collect();
                    retention::roll_up_late(tx, &left, summary.earliest.unwrap())?;
                    Ok(summary)
                })
                .unwrap()
        };
        let summary = run(&streamed, REPLAY);
        let id = |i: u32| devices::placement(streamed.conn(), &gpu(i, 0).uuid).unwrap();
        let id = |i: u32| id(i).unwrap().id;
        assert_eq!(
            summary.late_rolled_up,
            [id(3)],
            "GPU 3 alone had no stored hour"
        );
        let by_statement = run(&statement, "a source rolled up by the statement");
        assert!(by_statement.late_rolled_up.is_empty());
        let hourly = |store: &Store| {
            let dump = dump(store);
            let end = dump
                .iter()
                .position(|l| l.contains("FROM samples_hourly"))
                .unwrap();
            let start = dump[..end]
                .iter()
                .rposition(|l| l.starts_with("-- "))
                .unwrap();
            dump[start + 1..end].to_vec()
        };
        let (want, have) = (hourly(&statement), hourly(&streamed));
        assert_eq!(want.len(), 4 * 3, "four GPUs, three hours each");
        assert_eq!(have, want);
    }
}
