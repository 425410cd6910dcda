//! The demo fleet: several clusters of mixed GPUs (some MIG-partitioned), nodes in every status,
//! leases (active, idle, expired, released), alerts, history, and per-minute samples with a
//! daily rhythm. Deterministic for a given seed. Used by `gpuctl demo` and the fleet benchmark.

use std::collections::BTreeMap;

use rusqlite::Connection;
use serde::Serialize;

use crate::alerting::{self, MissingGpu, SeenGpu};
use crate::domain::{Device, DeviceStatus, GpuModel, Node, NodeStatus};
use crate::error::{Error, Result};
use crate::inventory::{Inventory, Stamp};
use crate::store::allocations::NewAllocation;
use crate::store::metrics::{self, SampleRow};
use crate::store::registry::{self, DeviceReport};
use crate::store::{settings, Store};

/// Who the demo's history says made its changes.
const DEMO_ACTOR: &str = "demo";

/// The setting that marks a store as a demo store (so `gpuctl demo` may replace it).
pub const DEMO_MARKER_KEY: &str = "demo.seed";
/// The setting holding the demo's clock (unix seconds). The demo is a fleet seen at one
/// instant: without `GPUCTL_NOW`, every command on a demo store runs at this clock, so its
/// samples stay recent and the README's tour prints the same however much later it runs.
pub const DEMO_CLOCK_KEY: &str = "demo.clock";
/// The demo's clock unless `GPUCTL_NOW` sets another: 2026-11-29T10:00:00Z, the instant the
/// README's tour shows.
pub const DEFAULT_DEMO_CLOCK: i64 = 1_795_946_400;
const MINUTE: i64 = 60;
const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;
/// Samples written per transaction (about 10 MB of WAL), as whole GPUs' histories: the WAL
/// stays this size however long the history.
const SAMPLES_PER_COMMIT: u64 = 300_000;
/// Samples of one GPU handed to the store at a time: a day, as the demo always did, so the
/// hourly fleet aggregates add up the same partial sums in the same order (bit for bit).
const SAMPLES_PER_BATCH: usize = (DAY / MINUTE) as usize;

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct DemoSpec {
    pub nodes: usize,
    pub gpus_per_node: usize,
    pub days: i64,
    pub seed: u64,
}

/// What was generated.
#[derive(Debug, Default, Clone, Serialize)]
pub struct DemoSummary {
    pub clusters: usize,
    pub nodes: usize,
    pub gpus: usize,
    pub mig_instances: usize,
    pub leases: usize,
    pub samples: u64,
    pub alerts_firing: usize,
    /// The demo's clock: the fleet as seen at this instant, which commands on it run at.
    pub clock_at: String,
    /// Seconds spent writing samples (for the benchmark's ingest rate; not part of the output).
    #[serde(skip)]
    pub sample_write_secs: f64,
}

/// SplitMix64: small, fast and the same on every platform, so a seed always gives one fleet.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, n).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// A cluster of the demo: its name prefix, GPU model and hourly cost.
struct ClusterPlan {
    name: &'static str,
    prefix: &'static str,
    models: &'static [&'static str],
}

const CLUSTERS: &[ClusterPlan] = &[
    ClusterPlan {
        name: "prod-east",
        prefix: "pe",
        models: &["NVIDIA H100 80GB HBM3"],
    },
    ClusterPlan {
        name: "prod-west",
        prefix: "pw",
        models: &["NVIDIA A100-SXM4-80GB"],
    },
    ClusterPlan {
        name: "research",
        prefix: "rs",
        models: &["NVIDIA H200", "NVIDIA L40S"],
    },
];

/// Demo prices per GPU-hour, in the unit reports print (illustrative, not a quote).
const HOURLY_COSTS: &[(&str, f64)] = &[
    ("NVIDIA H100 80GB HBM3", 4.10),
    ("NVIDIA A100-SXM4-80GB", 2.60),
    ("NVIDIA H200", 5.20),
    ("NVIDIA L40S", 1.40),
];

const OWNERS: &[(&str, &str)] = &[
    ("alice", "ml-training"),
    ("bob", "ml-training"),
    ("vision-team", "vision"),
    ("nlp-team", "nlp"),
    ("recsys", "inference"),
    ("research-lab", "research"),
];

/// A lease the generator decided on, kept to shape the GPU's samples.
#[derive(Clone, Copy)]
struct LeasePlan {
    start: i64,
    end: i64,
    idle: bool,
}

/// One GPU's plan: where it sits and how it behaves.
struct GpuPlan {
    device_id: i64,
    node_id: i64,
    uuid: String,
    node: String,
    cluster: String,
    memory_mib: i64,
    tdp_mw: i64,
    base_util: f64,
    leases: Vec<LeasePlan>,
    /// Reports until this time (a GPU that fell off the bus stops early).
    reports_until: i64,
    hot: bool,
    ecc_errors: bool,
}

/// Fills `store` (fresh) with the demo fleet, ending at `now`, in memory that does not grow
/// with the history's length (the store's connection is tuned for it). `progress(done,
/// total)` is called as GPUs' samples are written.
pub fn generate(
    store: &mut Store,
    spec: DemoSpec,
    now: i64,
    progress: &dyn Fn(u64, u64),
) -> Result<DemoSummary> {
    if spec.nodes == 0 || spec.gpus_per_node == 0 || spec.days <= 0 {
        return Err(Error::usage(
            "the demo needs at least one node, one GPU per node and one day",
        ));
    }
    store.unmapped()?;
    // What the store's SQL judges leases by (gpuctl_now()) is the demo's clock too.
    store.set_now(now);
    let mut rng = Rng(spec.seed);
    let start = now - spec.days * DAY;
    let mut summary = DemoSummary {
        clusters: CLUSTERS.len().min(spec.nodes),
        clock_at: crate::clock::rfc3339(now),
        ..DemoSummary::default()
    };
    let mut plans: Vec<GpuPlan> = Vec::new();
    // The inventory is written by the same rules as real use, each change stamped with the
    // time it happens in the demo's history.
    store.write(|tx| {
        let inv = Inventory::new(tx, Stamp::new(start, Some(DEMO_ACTOR)));
        settings::set(tx, DEMO_MARKER_KEY, &spec.seed.to_string())?;
        settings::set(tx, DEMO_CLOCK_KEY, &now.to_string())?;
        for (name, cost) in HOURLY_COSTS {
            let old = inv.resolve_model(name)?;
            let mut priced = old.clone();
            priced.hourly_cost = Some(*cost);
            inv.update_model(&old, &mut priced)?;
        }
        for n in 0..spec.nodes {
            let plan = &CLUSTERS[n % CLUSTERS.len()];
            let node = add_node(&inv, &mut rng, spec, n, plan, start, now)?;
            summary.nodes += 1;
            let model_name = *rng.pick(plan.models);
            let model = inv.resolve_model(model_name)?;
            let mut out_of_service = Vec::new();
            for g in 0..spec.gpus_per_node {
                let gpu = add_gpu(&inv, &mut rng, &node, &model, g, start)?;
                summary.gpus += 1;
                let mut gpu_plan = GpuPlan {
                    device_id: gpu.id,
                    node_id: node.id,
                    uuid: gpu.uuid.clone(),
                    node: node.name.clone(),
                    cluster: node.cluster.clone(),
                    memory_mib: model.memory_mib,
                    tdp_mw: model.tdp_w.unwrap_or(400) * 1000,
                    base_util: 55.0 + rng.unit() * 35.0,
                    leases: Vec::new(),
                    reports_until: now,
                    hot: false,
                    ecc_errors: false,
                };
                // A few GPUs misbehave, so every alert rule has something to show.
                let gpus = spec.gpus_per_node;
                match (n, g) {
                    (0, g) if g == 1 % gpus => gpu_plan.hot = true,
                    (1, g) if g == 2 % gpus => gpu_plan.ecc_errors = true,
                    (2, g) if g == 3 % gpus => gpu_plan.reports_until = now - 2 * 3_600,
                    _ => {}
                }
                // And two leave service early in the window.
                let status = match (n, g) {
                    (6, 0) => DeviceStatus::Faulty,
                    (8, 0) => DeviceStatus::Maintenance,
                    _ => DeviceStatus::Active,
                };
                if status != DeviceStatus::Active {
                    out_of_service.push((gpu.uuid.clone(), status));
                }
                let mig_enabled =
                    model.mig_capable && node.cluster == "prod-west" && g < 2 && n < 6;
                if mig_enabled {
                    summary.mig_instances +=
                        partition(&inv, &mut rng, &gpu, &model, &mut summary, now, start)?;
                } else if node.status == NodeStatus::Ready && status == DeviceStatus::Active {
                    summary.leases +=
                        lease_history(&inv, &mut rng, &gpu, model_name, &mut gpu_plan, start, now)?;
                }
                plans.push(gpu_plan);
            }
            // The node's counts follow its GPUs once they are all in, as after a collect.
            inv.at(node.created_at).sync_node_capacity(node.id, true)?;
            for (uuid, status) in out_of_service {
                let reason = if status == DeviceStatus::Faulty {
                    "XID 79: fell off the bus"
                } else {
                    "reseating"
                };
                inv.at(start + DAY / 2)
                    .edit_device(&uuid, Some(reason), |_, d| {
                        d.status = status;
                        Ok(())
                    })?;
            }
        }
        Ok(())
    })?;
    // Samples as a stream: generated as they are written, hourly rollups (the hour in
    // progress too) made as they pass, a few GPUs' whole history per transaction. Memory and
    // the WAL stay the same size however long the history, and nothing reads it back.
    let total = plans.len() as u64;
    let per_gpu = ((now - start) / MINUTE).max(1) as u64;
    let gpus_per_commit = (SAMPLES_PER_COMMIT / per_gpu).max(1) as usize;
    let rhythm = DailyRhythm::new(start);
    let writing = std::time::Instant::now();
    let mut done = 0;
    for chunk in plans.chunks(gpus_per_commit) {
        store.write(|tx| {
            for gpu in chunk {
                summary.samples += write_samples(tx, spec.seed, gpu, &rhythm, start, now)?;
            }
            Ok(())
        })?;
        done += chunk.len() as u64;
        progress(done, total);
    }
    summary.sample_write_secs = writing.elapsed().as_secs_f64();
    // Node counts from the devices, alerts as collect would raise them at the last minute, and
    // collect's health. Every hour is rolled up already: retention only prunes.
    store.write(|tx| {
        let inv = Inventory::new(tx, Stamp::new(now, Some(DEMO_ACTOR)));
        crate::retention::mark_rolled_up_to(tx, now - now.rem_euclid(HOUR))?;
        crate::retention::apply(tx, now)?;
        let nodes: std::collections::BTreeSet<i64> = plans.iter().map(|p| p.node_id).collect();
        for node_id in nodes {
            inv.sync_node_capacity(node_id, true)?;
        }
        let mut by_node: BTreeMap<&str, (Vec<SeenGpu>, Vec<MissingGpu>)> = BTreeMap::new();
        for gpu in &plans {
            let entry = by_node.entry(&gpu.node).or_default();
            if gpu.reports_until >= now {
                entry.0.push(SeenGpu {
                    device_id: gpu.device_id,
                    uuid: gpu.uuid.clone(),
                    node: gpu.node.clone(),
                    cluster: gpu.cluster.clone(),
                });
            } else {
                entry.1.push(MissingGpu {
                    uuid: gpu.uuid.clone(),
                    node: gpu.node.clone(),
                    cluster: gpu.cluster.clone(),
                    last_seen_at: Some(gpu.reports_until),
                    registered_at: start,
                });
            }
        }
        for (seen, missing) in by_node.values() {
            summary.alerts_firing += alerting::evaluate(&inv, seen, missing)?.fired.len();
        }
        crate::prometheus::record_health(tx, now, true, 42)
    })?;
    store.checkpoint()?;
    Ok(summary)
}

/// The clock a demo store recorded, or None for any other store.
pub fn recorded_clock(conn: &Connection) -> Result<Option<i64>> {
    settings::get_i64(conn, DEMO_CLOCK_KEY)
}

/// A node as it joined the fleet; most had a driver upgrade during the demo's window, and one
/// node of each non-ready status changed lately.
fn add_node(
    inv: &Inventory,
    rng: &mut Rng,
    spec: DemoSpec,
    n: usize,
    plan: &ClusterPlan,
    start: i64,
    now: i64,
) -> Result<Node> {
    // One node in every non-ready status, the rest ready.
    let status = match n {
        3 => NodeStatus::NotReady,
        4 => NodeStatus::Maintenance,
        5 => NodeStatus::Cordoned,
        7 => NodeStatus::Decommissioned,
        _ => NodeStatus::Ready,
    };
    let created = start - DAY * (10 + rng.below(60) as i64);
    let mut labels = BTreeMap::new();
    labels.insert(
        "topology.kubernetes.io/zone".to_string(),
        format!("{}-{}", plan.name, ["a", "b", "c"][n % 3]),
    );
    labels.insert("nvidia.com/gpu.present".to_string(), "true".to_string());
    let mut node = Node {
        id: 0,
        name: format!("{}-gpu-{:03}", plan.prefix, n / CLUSTERS.len() + 1),
        cluster: plan.name.to_string(),
        status: NodeStatus::Ready,
        ip: Some(format!(
            "10.{}.{}.{}",
            10 + n % CLUSTERS.len(),
            (n / 250) % 250,
            n % 250 + 1
        )),
        role: Some("gpu-worker".into()),
        labels,
        gpus: spec.gpus_per_node as i64,
        gpus_allocatable: spec.gpus_per_node as i64,
        os: Some("Ubuntu 22.04.4 LTS".into()),
        kernel: Some("5.15.0-105-generic".into()),
        driver: Some("535.161.08".into()),
        cuda: Some("12.2".into()),
        kubelet: Some("v1.30.2".into()),
        created_at: created,
        updated_at: created,
    };
    inv.at(created).create_node(&mut node, None)?;
    if n % 4 != 3 {
        let at = start + (rng.below((now - start) as u64 / 2) as i64);
        let old = node.clone();
        node.driver = Some("550.54.15".into());
        node.cuda = Some("12.4".into());
        inv.at(at)
            .update_node(&old, &mut node, Some("driver upgrade"))?;
    }
    if status != NodeStatus::Ready {
        let at = now - 3_600 * (1 + rng.below(30) as i64);
        let reason = match status {
            NodeStatus::NotReady => "kubelet stopped posting status",
            NodeStatus::Maintenance => "fan replacement",
            NodeStatus::Cordoned => "draining for kernel upgrade",
            _ => "hardware returned to vendor",
        };
        let old = node.clone();
        node.status = status;
        node.gpus_allocatable = 0;
        inv.at(at).update_node(&old, &mut node, Some(reason))?;
    }
    Ok(node)
}

/// A GPU of `node`, added when the node joined, with what a collect keeps on its row.
fn add_gpu(
    inv: &Inventory,
    rng: &mut Rng,
    node: &Node,
    model: &GpuModel,
    g: usize,
    start: i64,
) -> Result<Device> {
    let mut device = Device {
        id: 0,
        node_id: node.id,
        model_id: Some(model.id),
        uuid: uuid(rng),
        node: node.name.clone(),
        cluster: node.cluster.clone(),
        index: g as i64,
        model: Some(model.name.clone()),
        serial: Some(format!("16529{:08}", rng.below(100_000_000))),
        pci_bus_id: Some(format!("00000000:{:02X}:00.0", 0x18 + g * 0x10)),
        status: DeviceStatus::Active,
        mig_enabled: false,
        mig_instances: 0,
        lease_id: None,
        allocated: false,
        memory_mib: Some(model.memory_mib),
        last_seen_at: None,
        created_at: 0,
        updated_at: 0,
        workload: None,
        health: String::new(),
    };
    inv.at(node.created_at).add_device(&mut device, None)?;
    registry::report_device(
        inv.conn(),
        &DeviceReport {
            id: device.id,
            node_id: node.id,
            index: g as i64,
            serial: None,
            pci_bus_id: None,
            mig_mode: None,
            memory_total_mib: Some(model.memory_mib),
            power_limit_mw: Some(model.tdp_w.unwrap_or(400) * 1000),
            driver_version: node.driver.as_deref(),
            sm_clock_mhz: Some(1_980),
            mem_clock_mhz: Some(2_619),
            ecc_corrected: Some(0),
            energy_mj: None,
            seen_at: start,
        },
    )?;
    Ok(device)
}

/// MIG-partitions a GPU (a mixed layout, or seven of the smallest) and leases some instances.
fn partition(
    inv: &Inventory,
    rng: &mut Rng,
    gpu: &Device,
    model: &GpuModel,
    summary: &mut DemoSummary,
    now: i64,
    start: i64,
) -> Result<usize> {
    let layout: &[(&str, u32)] = if gpu.index == 0 {
        &[("3g.40gb", 1), ("2g.20gb", 2)]
    } else {
        &[("1g.10gb", 7)]
    };
    let at_start = inv.at(start);
    let (gpu, _) = at_start.set_mig_mode(&gpu.uuid, true)?;
    let mut created = 0;
    for (profile, count) in layout {
        let instances = at_start
            .create_mig_instances(&gpu.uuid, profile, *count)
            .map_err(|e| Error::runtime(format!("demo MIG layout: {}", e.message)))?;
        for instance in instances {
            created += 1;
            if rng.below(3) > 0 {
                let (owner, namespace) = *rng.pick(OWNERS);
                let lease_start = now - 3_600 * (1 + rng.below(40) as i64);
                let expires_at = now + 3_600 * (1 + rng.below(48) as i64);
                let workload = format!("{namespace}-notebook-{}", rng.below(90) + 10);
                let compute = model
                    .mig_profiles
                    .iter()
                    .find(|q| q.name == instance.profile)
                    .map_or(1, |q| q.compute_slices);
                let total = model
                    .mig_profiles
                    .iter()
                    .map(|q| q.compute_slices)
                    .max()
                    .unwrap_or(7)
                    .max(1);
                inv.at(lease_start).create_lease(&NewAllocation {
                    device_id: gpu.id,
                    mig_instance_id: Some(instance.id),
                    device_uuid: gpu.uuid.clone(),
                    node: gpu.node.clone(),
                    cluster: gpu.cluster.clone(),
                    model: gpu.model.clone(),
                    mig_profile: Some(instance.profile.clone()),
                    mig_uuid: None,
                    gpu_fraction: f64::from(compute) / f64::from(total),
                    owner: owner.to_string(),
                    namespace: Some(namespace.to_string()),
                    workload: Some(workload),
                    started_at: lease_start,
                    expires_at,
                })?;
                summary.leases += 1;
            }
        }
    }
    Ok(created)
}

/// Past leases (released and expired) and, for most GPUs, one active lease; some idle.
fn lease_history(
    inv: &Inventory,
    rng: &mut Rng,
    gpu: &Device,
    model: &str,
    plan: &mut GpuPlan,
    start: i64,
    now: i64,
) -> Result<usize> {
    let mut leases = 0;
    let mut t = start + (rng.below(6 * 3_600) as i64);
    while t < now {
        let length = 3_600 * (2 + rng.below(30) as i64);
        let end = t + length;
        let active = end >= now;
        let idle = rng.below(8) == 0;
        let (owner, namespace) = *rng.pick(OWNERS);
        let busy = rng.below(10) < 7;
        if busy || active {
            let id = inv.at(t).create_lease(&NewAllocation {
                device_id: gpu.id,
                mig_instance_id: None,
                device_uuid: gpu.uuid.clone(),
                node: gpu.node.clone(),
                cluster: gpu.cluster.clone(),
                model: Some(model.to_string()),
                mig_profile: None,
                mig_uuid: None,
                gpu_fraction: 1.0,
                owner: owner.to_string(),
                namespace: Some(namespace.to_string()),
                workload: Some(format!("{namespace}-job-{}", rng.below(9_000) + 1_000)),
                started_at: t,
                expires_at: if active {
                    now + 3_600 * (2 + rng.below(70) as i64)
                } else {
                    end
                },
            })?;
            if !active {
                let lease = inv.load_lease(id)?;
                if rng.below(4) == 0 {
                    inv.expire_lease(&lease)?;
                } else {
                    inv.at(end).release_lease(&lease, Some("job finished"))?;
                }
            }
            plan.leases.push(LeasePlan {
                start: t,
                end: end.min(now),
                idle,
            });
            leases += 1;
        }
        t = end + (rng.below(4 * 3_600) as i64);
    }
    Ok(leases)
}

fn uuid(rng: &mut Rng) -> String {
    let a = rng.next();
    let b = rng.next();
    format!(
        "GPU-{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}

/// The daily rhythm of utilisation, by minute since the demo's start: the same for every
/// GPU, so each sine is taken once rather than once per sample.
struct DailyRhythm(Vec<f64>);

impl DailyRhythm {
    fn new(start: i64) -> DailyRhythm {
        DailyRhythm(
            (0..DAY / MINUTE)
                .map(|minute| {
                    let ts = start + minute * MINUTE;
                    let hour = ((ts % DAY) as f64) / 3_600.0;
                    (std::f64::consts::TAU * (hour - 9.0) / 24.0).sin()
                })
                .collect(),
        )
    }

    fn at(&self, start: i64, ts: i64) -> f64 {
        let minute = ((ts - start) / MINUTE).rem_euclid(DAY / MINUTE);
        self.0[minute as usize]
    }
}

/// Writes one GPU's per-minute samples, a day at a time, their hourly rollups, and when it
/// was last seen.
fn write_samples(
    tx: &Connection,
    seed: u64,
    gpu: &GpuPlan,
    rhythm: &DailyRhythm,
    start: i64,
    now: i64,
) -> Result<u64> {
    let mut samples = Samples {
        gpu,
        rhythm,
        rng: Rng(seed ^ gpu.device_id as u64),
        start,
        now,
        ts: start,
        lease: 0,
    };
    let mut rollups = metrics::StreamedRollups::default();
    let mut written = 0;
    loop {
        let batch = samples
            .by_ref()
            .take(SAMPLES_PER_BATCH)
            .inspect(|sample| rollups.add(sample));
        let batch = metrics::insert_new_samples(tx, batch)?;
        rollups.write_ended(tx)?;
        written += batch;
        if batch < SAMPLES_PER_BATCH as u64 {
            break;
        }
    }
    rollups.finish(tx)?;
    registry::set_last_seen(tx, gpu.device_id, samples.ts - MINUTE)?;
    Ok(written)
}

/// One GPU's per-minute samples from `start`, made as they are taken: busy while leased (idle
/// leases near 0 %), low when free, with a daily rhythm; temperature and power follow
/// utilisation.
struct Samples<'a> {
    gpu: &'a GpuPlan,
    rhythm: &'a DailyRhythm,
    rng: Rng,
    start: i64,
    now: i64,
    /// The next sample's time.
    ts: i64,
    /// The first lease that has not ended by `ts`.
    lease: usize,
}

impl Iterator for Samples<'_> {
    type Item = SampleRow;

    fn next(&mut self) -> Option<SampleRow> {
        let (gpu, ts, now) = (self.gpu, self.ts, self.now);
        if ts >= gpu.reports_until.min(now) {
            return None;
        }
        self.ts += MINUTE;
        while self.lease < gpu.leases.len() && gpu.leases[self.lease].end <= ts {
            self.lease += 1;
        }
        let current = gpu
            .leases
            .get(self.lease)
            .filter(|l| l.start <= ts && ts < l.end);
        let rng = &mut self.rng;
        let noise = rng.unit() * 10.0 - 5.0;
        let util = match current {
            Some(l) if l.idle => rng.unit() * 3.0,
            Some(_) => {
                let rhythm = self.rhythm.at(self.start, ts);
                (gpu.base_util + 12.0 * rhythm + noise).clamp(0.0, 100.0)
            }
            None => (rng.unit() * 4.0).min(100.0),
        };
        let mem_fraction = match current {
            Some(l) if l.idle => 0.15,
            Some(_) => 0.55 + 0.3 * (gpu.base_util / 100.0),
            None => 0.01,
        };
        let mut temp = 31.0 + util * 0.42 + rng.unit() * 3.0;
        if gpu.hot && now - ts < 20 * MINUTE {
            temp = 93.0 + rng.unit() * 2.0;
        }
        let idle_mw = gpu.tdp_mw as f64 * 0.1;
        let power =
            idle_mw + (gpu.tdp_mw as f64 - idle_mw) * util / 100.0 * (0.9 + rng.unit() * 0.1);
        Some(SampleRow {
            device_id: gpu.device_id,
            ts,
            gpu_util: Some(util.round() as i64),
            mem_util: Some((util * 0.6).round() as i64),
            mem_used_mib: Some((gpu.memory_mib as f64 * mem_fraction) as i64),
            temp_c: Some(temp.round() as i64),
            power_mw: Some(power as i64),
            fan_pct: None,
            ecc_uncorrected: Some(if gpu.ecc_errors && now - ts < 90 * MINUTE {
                2
            } else {
                0
            }),
        })
    }
}
