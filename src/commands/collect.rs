//! `gpuctl collect`: read this node's GPUs, then store everything in one IMMEDIATE transaction:
//! the node and any new GPU, one sample per GPU, alert transitions, retention, a run event.
//! Silent on success (cron mails any output); `-v` says what was stored.

use std::path::Path;
use std::time::Instant;

use rusqlite::Connection;
use serde::Serialize;

use crate::alerting::{self, MissingGpu, SeenGpu, Transitions};
use crate::cli::{CollectArgs, SourceChoice};
use crate::clock;
use crate::commands::node::{create_node, write_node_changes};
use crate::domain::{Device, DeviceStatus, GpuModel, NewEvent, Node, NodeStatus};
use crate::error::{Error, Result};
use crate::gpu::nvml::NvmlSource;
use crate::gpu::replay::ReplaySource;
use crate::gpu::smi::SmiSource;
use crate::gpu::source::{open_auto, DeviceSample, GpuSource};
use crate::prometheus;
use crate::retention::{self, COLLECT_RUN_EVENT};
use crate::schedule::{try_run_lock, StopFlag};
use crate::store::metrics::{self, SampleRow};
use crate::store::registry::{self, DeviceReport};
use crate::store::{devices, events, models, nodes, Store};
use crate::validate;
use crate::Ctx;

/// What one run stored, for `-v` and the run event.
#[derive(Debug, Default, Serialize)]
struct RunSummary {
    node: String,
    gpus: usize,
    samples: usize,
    new_gpus: Vec<String>,
    missing_gpus: Vec<String>,
    alerts: Transitions,
}

pub fn run(ctx: &Ctx, args: &CollectArgs) -> Result<()> {
    let node_name = match &args.node {
        Some(name) => name.to_string(),
        None => host_name()?,
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
    // A second collect on the same store skips its run at once instead of queueing behind it.
    let Some(_lock) = try_run_lock(&db_path, "collect")? else {
        ctx.out.warn(format!(
            "another 'gpuctl collect' is running on {}; skipping this run",
            db_path.display()
        ));
        return Ok(());
    };
    let mut store = ctx.open_store()?;
    if let Some(input) = &args.input {
        return replay(ctx, &mut store, args, &node_name, input);
    }
    let mut source = match open_source(args) {
        Ok(source) => source,
        Err(e) => {
            record_failure(
                &mut store,
                ctx.now,
                Instant::now(),
                args.textfile.as_deref(),
            )?;
            return Err(e);
        }
    };
    let Some(period) = period else {
        return collect_once(ctx, &mut store, source.as_mut(), args, &node_name, ctx.now);
    };
    let stop = StopFlag::install()?;
    let mut next = Instant::now();
    while !stop.is_raised() {
        let now = clock::now()?.timestamp();
        if let Err(e) = collect_once(ctx, &mut store, source.as_mut(), args, &node_name, now) {
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

fn host_name() -> Result<String> {
    let raw = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map_err(|e| {
            Error::usage(format!("cannot read the host name ({e})")).with_hint("pass --node NAME")
        })?;
    let name = raw.trim().to_lowercase();
    // Checked as --node is; a host name Kubernetes would not accept needs --node.
    validate::node_name(&name).map_err(|e| e.with_hint("pass --node NAME"))?;
    Ok(name)
}

fn open_source(args: &CollectArgs) -> Result<Box<dyn GpuSource>> {
    Ok(match args.source {
        SourceChoice::Auto => open_auto(&args.smi_command)?,
        SourceChoice::Nvml => Box::new(NvmlSource::open()?),
        SourceChoice::NvidiaSmi => Box::new(SmiSource::new(&args.smi_command)),
    })
}

/// One live run: read first, then one transaction; the textfile last.
fn collect_once(
    ctx: &Ctx,
    store: &mut Store,
    source: &mut dyn GpuSource,
    args: &CollectArgs,
    node_name: &str,
    now: i64,
) -> Result<()> {
    let started = Instant::now();
    let readings = match source.sample() {
        Ok(readings) => readings,
        Err(e) => {
            let error = Error::from(e);
            record_failure(store, now, started, args.textfile.as_deref())?;
            return Err(error);
        }
    };
    for warning in source.take_warnings() {
        ctx.out.warn(warning);
    }
    let summary = store.write(|tx| {
        let mut summary = ingest(
            ctx,
            tx,
            node_name,
            &args.cluster,
            &[(now, readings)],
            now,
            source.name(),
        )?;
        retention::apply(tx, now)?;
        finish_run(ctx, tx, now, started, &mut summary, source.name())?;
        Ok(summary)
    })?;
    after_run(ctx, store, args.textfile.as_deref(), &summary)
}

/// A recorded file: every batch in one transaction, alerts judged at each batch's time.
fn replay(
    ctx: &Ctx,
    store: &mut Store,
    args: &CollectArgs,
    node_name: &str,
    input: &Path,
) -> Result<()> {
    let started = Instant::now();
    let spinner = ctx.out.spinner(&format!("replaying {}", input.display()));
    let batches = ReplaySource::open(input, ctx.now)?.batches();
    let summary = store.write(|tx| {
        let earliest = batches.iter().map(|(ts, _)| *ts).min();
        let mut summary = ingest(
            ctx,
            tx,
            node_name,
            &args.cluster,
            &batches,
            ctx.now,
            "replay",
        )?;
        if let Some(earliest) = earliest {
            retention::note_samples_from(tx, earliest)?;
        }
        retention::apply(tx, ctx.now)?;
        finish_run(ctx, tx, ctx.now, started, &mut summary, "replay")?;
        Ok(summary)
    })?;
    spinner.finish_and_clear();
    after_run(ctx, store, args.textfile.as_deref(), &summary)
}

fn finish_run(
    ctx: &Ctx,
    tx: &Connection,
    now: i64,
    started: Instant,
    summary: &mut RunSummary,
    source: &str,
) -> Result<()> {
    events::record(
        tx,
        &NewEvent {
            at: now,
            kind: COLLECT_RUN_EVENT.into(),
            subject: summary.node.clone(),
            new_value: Some(format!(
                "source={source} gpus={} samples={} alerts_fired={} alerts_resolved={}",
                summary.gpus,
                summary.samples,
                summary.alerts.fired.len(),
                summary.alerts.resolved.len()
            )),
            actor: ctx.actor.clone(),
            ..NewEvent::default()
        },
    )?;
    prometheus::record_health(tx, now, true, started.elapsed().as_millis() as i64)
}

fn after_run(
    ctx: &Ctx,
    store: &Store,
    textfile: Option<&Path>,
    summary: &RunSummary,
) -> Result<()> {
    if let Some(dir) = textfile {
        write_textfile(store, dir)?;
    }
    ctx.out.detail(format!(
        "collected {} sample(s) from {} GPU(s) on {}{}{}; alerts: {} fired, {} repeated, {} resolved",
        summary.samples,
        summary.gpus,
        summary.node,
        if summary.new_gpus.is_empty() { String::new() } else { format!("; new: {}", summary.new_gpus.join(", ")) },
        if summary.missing_gpus.is_empty() {
            String::new()
        } else {
            format!("; not reporting: {}", summary.missing_gpus.join(", "))
        },
        summary.alerts.fired.len(),
        summary.alerts.repeated.len(),
        summary.alerts.resolved.len(),
    ));
    if ctx.out.format == crate::output::Format::Json {
        ctx.out.show(summary, |_, _| Ok(()))?;
    }
    Ok(())
}

/// A failed read still updates the health series, so Prometheus sees `gpuctl_collect_success 0`.
fn record_failure(
    store: &mut Store,
    now: i64,
    started: Instant,
    textfile: Option<&Path>,
) -> Result<()> {
    store.write(|tx| {
        prometheus::record_health(tx, now, false, started.elapsed().as_millis() as i64)
    })?;
    if let Some(dir) = textfile {
        write_textfile(store, dir)?;
    }
    Ok(())
}

fn write_textfile(store: &Store, dir: &Path) -> Result<()> {
    let latest = metrics::latest_per_device(store.conn())?;
    let health = prometheus::health(store.conn())?;
    prometheus::write_textfile(dir, &prometheus::render(&latest, health))
}

/// Registers the node and its GPUs and stores the samples of every batch.
fn ingest(
    ctx: &Ctx,
    tx: &Connection,
    node_name: &str,
    cluster: &str,
    batches: &[(i64, Vec<DeviceSample>)],
    now: i64,
    source: &str,
) -> Result<RunSummary> {
    let reason = Some(format!("registered by gpuctl collect ({source})"));
    let node = match nodes::get(tx, node_name)? {
        Some(node) => node,
        None => {
            let mut node = Node::new(node_name, cluster, NodeStatus::Ready, now);
            create_node(tx, ctx, &mut node, &reason)?;
            node
        }
    };
    let mut summary = RunSummary {
        node: node.name.clone(),
        ..RunSummary::default()
    };
    let mut seen_uuids: Vec<String> = Vec::new();
    let mut sampled_devices: Vec<i64> = Vec::new();
    let mut driver: Option<String> = None;
    for (ts, readings) in batches {
        let mut seen = Vec::with_capacity(readings.len());
        let mut samples = Vec::with_capacity(readings.len());
        for reading in readings {
            let device_id = register(ctx, tx, &node, reading, *ts, &mut summary)?;
            samples.push(sample_row(device_id, *ts, reading));
            if !sampled_devices.contains(&device_id) {
                sampled_devices.push(device_id);
            }
            seen.push(SeenGpu {
                device_id,
                uuid: reading.uuid.clone(),
                node: node.name.clone(),
            });
            if !seen_uuids.contains(&reading.uuid) {
                seen_uuids.push(reading.uuid.clone());
            }
            if reading.driver_version.is_some() {
                driver.clone_from(&reading.driver_version);
            }
        }
        metrics::insert_samples(tx, &samples)?;
        summary.samples += samples.len();
        let missing: Vec<MissingGpu> = registry::active_devices_of_node(tx, node.id)?
            .into_iter()
            .filter(|expected| !readings.iter().any(|r| r.uuid == expected.uuid))
            .map(|expected| MissingGpu {
                uuid: expected.uuid,
                node: node.name.clone(),
                last_seen_at: expected.last_seen_at,
                registered_at: expected.registered_at,
            })
            .collect();
        for gpu in &missing {
            if !summary.missing_gpus.contains(&gpu.uuid) {
                summary.missing_gpus.push(gpu.uuid.clone());
            }
        }
        let transitions = alerting::evaluate(tx, *ts, &seen, &missing, ctx.actor.as_deref())?;
        summary.alerts.fired.extend(transitions.fired);
        summary.alerts.repeated.extend(transitions.repeated);
        summary.alerts.resolved.extend(transitions.resolved);
    }
    summary.gpus = seen_uuids.len();
    retention::roll_hour_in_progress(tx, now, Some(&sampled_devices))?;
    // The node's GPU counts follow its devices; its driver follows what the GPUs report.
    crate::commands::device::sync_node(ctx, tx, node.id, &node.name, false)?;
    if let Some(driver) = driver {
        let current = nodes::get(tx, &node.name)?
            .ok_or_else(|| crate::commands::node::not_found(&node.name))?;
        let mut updated = current.clone();
        updated.driver = Some(driver);
        write_node_changes(
            tx,
            ctx,
            &current,
            &mut updated,
            |_| "node.updated",
            &Some("reported by gpuctl collect".into()),
        )?;
    }
    Ok(summary)
}

/// Finds or registers the GPU of `reading`, and updates what its device row keeps.
fn register(
    ctx: &Ctx,
    tx: &Connection,
    node: &Node,
    reading: &DeviceSample,
    ts: i64,
    summary: &mut RunSummary,
) -> Result<i64> {
    let index = reading.index.map_or(0, i64::from);
    let event = |kind: &str,
                 subject: &str,
                 field: Option<&str>,
                 old: Option<String>,
                 new: Option<String>| NewEvent {
        at: ts,
        kind: kind.to_string(),
        subject: subject.to_string(),
        node: Some(node.name.clone()),
        field: field.map(String::from),
        old_value: old,
        new_value: new,
        reason: Some("reported by gpuctl collect".into()),
        actor: ctx.actor.clone(),
    };
    let id = match devices::get(tx, &reading.uuid)? {
        Some(known) => {
            if known.node_id != node.id {
                // The GPU moved to this node (a board swap): the history says so on this node.
                events::record(
                    tx,
                    &event(
                        "device.moved",
                        &reading.uuid,
                        Some("node"),
                        Some(known.node),
                        Some(node.name.clone()),
                    ),
                )?;
            }
            if known.index != index {
                events::record(
                    tx,
                    &event(
                        "device.updated",
                        &reading.uuid,
                        Some("index"),
                        Some(known.index.to_string()),
                        Some(index.to_string()),
                    ),
                )?;
            }
            known.id
        }
        None => {
            let model_id = match &reading.name {
                Some(name) => {
                    let (model_id, added) = model_for(tx, name, reading, ts)?;
                    if let Some(memory_mib) = added {
                        events::record(
                            tx,
                            &event(
                                "model.added",
                                name,
                                None,
                                None,
                                Some(format!("memory_mib={memory_mib}")),
                            ),
                        )?;
                    }
                    model_id
                }
                None => None,
            };
            let device = Device {
                id: 0,
                node_id: node.id,
                model_id,
                uuid: reading.uuid.clone(),
                node: node.name.clone(),
                cluster: node.cluster.clone(),
                index,
                model: reading.name.clone(),
                serial: reading.serial.clone(),
                pci_bus_id: reading.pci_bus_id.clone(),
                status: DeviceStatus::Active,
                mig_enabled: reading.mig_mode.unwrap_or(false),
                mig_instances: 0,
                lease_id: None,
                allocated: false,
                memory_mib: None,
                last_seen_at: None,
                created_at: ts,
                updated_at: ts,
            };
            let id = devices::insert(tx, &device)?;
            events::record(
                tx,
                &event(
                    "device.added",
                    &reading.uuid,
                    None,
                    None,
                    Some(format!(
                        "index={index} model={}",
                        reading.name.as_deref().unwrap_or("unknown")
                    )),
                ),
            )?;
            summary.new_gpus.push(reading.uuid.clone());
            id
        }
    };
    let as_i64 = |v: Option<u64>| v.and_then(|v| i64::try_from(v).ok());
    registry::report_device(
        tx,
        &DeviceReport {
            id,
            node_id: node.id,
            index,
            serial: reading.serial.as_deref(),
            pci_bus_id: reading.pci_bus_id.as_deref(),
            mig_mode: reading.mig_mode,
            memory_total_mib: as_i64(reading.mem_total_mib),
            power_limit_mw: reading.power_limit_mw.map(i64::from),
            driver_version: reading.driver_version.as_deref(),
            sm_clock_mhz: reading.sm_clock_mhz.map(i64::from),
            mem_clock_mhz: reading.mem_clock_mhz.map(i64::from),
            ecc_corrected: as_i64(reading.ecc_corrected),
            energy_mj: as_i64(reading.energy_mj),
            seen_at: ts,
        },
    )?;
    Ok(id)
}

/// The catalogue model of a reported name; a name the catalogue does not know is added, with
/// the memory the GPU reports, so its GPUs still group by model. Returns the model id and, when
/// it was added, its memory.
fn model_for(
    tx: &Connection,
    name: &str,
    reading: &DeviceSample,
    ts: i64,
) -> Result<(Option<i64>, Option<i64>)> {
    if let Some(model) = models::resolve(tx, name)? {
        return Ok((Some(model.id), None));
    }
    let Some(memory_mib) = reading
        .mem_total_mib
        .and_then(|m| i64::try_from(m).ok())
        .filter(|m| *m > 0)
    else {
        return Ok((None, None));
    };
    let model = GpuModel {
        id: 0,
        name: name.to_string(),
        aliases: Vec::new(),
        architecture: None,
        memory_mib,
        tdp_w: reading.power_limit_mw.map(|mw| i64::from(mw) / 1000),
        mig_capable: false,
        mig_profiles: Vec::new(),
        hourly_cost: None,
        builtin: false,
        devices: 0,
        created_at: ts,
        updated_at: ts,
    };
    Ok((Some(models::insert(tx, &model)?), Some(memory_mib)))
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
