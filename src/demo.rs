//! The demo fleet: several clusters of mixed GPUs (some MIG-partitioned), nodes in every status,
//! leases (active, idle, expired, released), alerts, history, and per-minute samples with a
//! daily rhythm. Deterministic for a given seed. Used by `gpuctl demo` and the fleet benchmark.

use std::collections::BTreeMap;

use rusqlite::Connection;
use serde::Serialize;

use crate::alerting::{self, MissingGpu, SeenGpu};
use crate::domain::{Device, DeviceStatus, NewEvent, Node, NodeStatus};
use crate::error::{Error, Result};
use crate::gpu::mig;
use crate::store::allocations::{self, NewAllocation};
use crate::store::metrics::{self, SampleRow};
use crate::store::registry::{self, DeviceReport};
use crate::store::{devices, events, models, nodes, settings, Store};

/// The setting that marks a store as a demo store (so `gpuctl demo` may replace it).
pub const DEMO_MARKER_KEY: &str = "demo.seed";
const MINUTE: i64 = 60;
const DAY: i64 = 86_400;
/// Nodes whose samples are written per transaction.
const NODES_PER_COMMIT: usize = 25;

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
    memory_mib: i64,
    tdp_mw: i64,
    base_util: f64,
    leases: Vec<LeasePlan>,
    /// Reports until this time (a GPU that fell off the bus stops early).
    reports_until: i64,
    hot: bool,
    ecc_errors: bool,
}

/// Fills `store` (fresh) with the demo fleet, ending at `now`. `progress(done, total)` is
/// called as nodes' samples are written.
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
    let mut rng = Rng(spec.seed);
    let start = now - spec.days * DAY;
    let mut summary = DemoSummary {
        clusters: CLUSTERS.len().min(spec.nodes),
        ..DemoSummary::default()
    };
    let mut plans: Vec<GpuPlan> = Vec::new();
    store.write(|tx| {
        settings::set(tx, DEMO_MARKER_KEY, &spec.seed.to_string())?;
        for (name, cost) in HOURLY_COSTS {
            if let Some(mut model) = models::resolve(tx, name)? {
                model.hourly_cost = Some(*cost);
                model.updated_at = start;
                models::update(tx, &model)?;
            }
        }
        for n in 0..spec.nodes {
            let plan = &CLUSTERS[n % CLUSTERS.len()];
            let node = add_node(tx, &mut rng, spec, n, plan, start, now)?;
            summary.nodes += 1;
            let model_name = *rng.pick(plan.models);
            let model = models::resolve(tx, model_name)?
                .ok_or_else(|| Error::runtime(format!("the catalogue lacks {model_name}")))?;
            for g in 0..spec.gpus_per_node {
                let gpu = add_gpu(tx, &mut rng, &node, &model, g, n, start)?;
                summary.gpus += 1;
                let mut gpu_plan = GpuPlan {
                    device_id: gpu.id,
                    node_id: node.id,
                    uuid: gpu.uuid.clone(),
                    node: node.name.clone(),
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
                let mig_enabled =
                    model.mig_capable && node.cluster == "prod-west" && g < 2 && n < 6;
                if mig_enabled {
                    summary.mig_instances += partition(
                        tx,
                        &mut rng,
                        &gpu,
                        &model.mig_profiles,
                        &mut summary,
                        now,
                        start,
                    )?;
                } else if node.status == NodeStatus::Ready && gpu.status == DeviceStatus::Active {
                    summary.leases += lease_history(
                        tx,
                        &mut rng,
                        &gpu,
                        &node,
                        model_name,
                        &mut gpu_plan,
                        start,
                        now,
                    )?;
                }
                plans.push(gpu_plan);
            }
        }
        Ok(())
    })?;
    // Samples, a few nodes per transaction so the WAL stays small.
    let total = plans.len() as u64;
    let mut done = 0;
    let writing = std::time::Instant::now();
    for chunk in plans.chunks(NODES_PER_COMMIT * spec.gpus_per_node) {
        store.write(|tx| {
            for gpu in chunk {
                summary.samples += write_samples(
                    tx,
                    &mut Rng(spec.seed ^ gpu.device_id as u64),
                    gpu,
                    start,
                    now,
                )?;
            }
            Ok(())
        })?;
        done += chunk.len() as u64;
        progress(done, total);
    }
    summary.sample_write_secs = writing.elapsed().as_secs_f64();
    // Rollups, node counts from the devices, alerts as collect would raise them at the last
    // minute, and collect's health.
    store.write(|tx| {
        crate::retention::apply(tx, now)?;
        crate::retention::roll_hour_in_progress(tx, now, None)?;
        let node_ids: std::collections::BTreeSet<i64> = plans.iter().map(|p| p.node_id).collect();
        for node_id in node_ids {
            devices::sync_node_capacity(tx, node_id, now, true)?;
        }
        let mut by_node: BTreeMap<&str, (Vec<SeenGpu>, Vec<MissingGpu>)> = BTreeMap::new();
        for gpu in &plans {
            let entry = by_node.entry(&gpu.node).or_default();
            if gpu.reports_until >= now {
                entry.0.push(SeenGpu {
                    device_id: gpu.device_id,
                    uuid: gpu.uuid.clone(),
                    node: gpu.node.clone(),
                });
            } else {
                entry.1.push(MissingGpu {
                    uuid: gpu.uuid.clone(),
                    node: gpu.node.clone(),
                    last_seen_at: Some(gpu.reports_until),
                    registered_at: start,
                });
            }
        }
        for (seen, missing) in by_node.values() {
            summary.alerts_firing += alerting::evaluate(tx, now, seen, missing, Some("demo"))?
                .fired
                .len();
        }
        crate::prometheus::record_health(tx, now, true, 42)
    })?;
    store.checkpoint()?;
    Ok(summary)
}

fn event(at: i64, kind: &str, subject: &str, node: &str) -> NewEvent {
    NewEvent {
        at,
        kind: kind.to_string(),
        subject: subject.to_string(),
        node: Some(node.to_string()),
        actor: Some("demo".to_string()),
        ..NewEvent::default()
    }
}

fn add_node(
    tx: &Connection,
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
    node.id = nodes::insert(tx, &node)?;
    let mut e = event(created, "node.created", &node.name, &node.name);
    e.new_value = Some(format!("cluster={} gpus={}", node.cluster, node.gpus));
    events::record(tx, &e)?;
    // A driver upgrade during the demo window on most nodes.
    if n % 4 != 3 {
        let at = start + (rng.below((now - start) as u64 / 2) as i64);
        let mut e = event(at, "node.updated", &node.name, &node.name);
        e.field = Some("driver".into());
        e.old_value = Some("535.161.08".into());
        e.new_value = Some("550.54.15".into());
        e.reason = Some("driver upgrade".into());
        events::record(tx, &e)?;
        node.driver = Some("550.54.15".into());
        node.cuda = Some("12.4".into());
    }
    if status != NodeStatus::Ready {
        let at = now - 3_600 * (1 + rng.below(30) as i64);
        let mut e = event(at, "node.status", &node.name, &node.name);
        e.field = Some("status".into());
        e.old_value = Some("ready".into());
        e.new_value = Some(status.to_string());
        e.reason = Some(
            match status {
                NodeStatus::NotReady => "kubelet stopped posting status",
                NodeStatus::Maintenance => "fan replacement",
                NodeStatus::Cordoned => "draining for kernel upgrade",
                _ => "hardware returned to vendor",
            }
            .into(),
        );
        events::record(tx, &e)?;
        node.status = status;
        node.gpus_allocatable = 0;
        node.updated_at = at;
    }
    nodes::update(tx, &node)?;
    Ok(node)
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

fn add_gpu(
    tx: &Connection,
    rng: &mut Rng,
    node: &Node,
    model: &crate::domain::GpuModel,
    g: usize,
    n: usize,
    start: i64,
) -> Result<Device> {
    let status = match (n, g) {
        (6, 0) => DeviceStatus::Faulty,
        (8, 0) => DeviceStatus::Maintenance,
        _ => DeviceStatus::Active,
    };
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
        status,
        mig_enabled: false,
        mig_instances: 0,
        lease_id: None,
        allocated: false,
        memory_mib: Some(model.memory_mib),
        last_seen_at: None,
        created_at: node.created_at,
        updated_at: node.created_at,
    };
    device.id = devices::insert(tx, &device)?;
    let mut e = event(node.created_at, "device.added", &device.uuid, &node.name);
    e.new_value = Some(format!("index={g} model={}", model.name));
    events::record(tx, &e)?;
    if status != DeviceStatus::Active {
        let mut e = event(start + DAY / 2, "device.status", &device.uuid, &node.name);
        e.field = Some("status".into());
        e.old_value = Some("active".into());
        e.new_value = Some(status.to_string());
        e.reason = Some(if status == DeviceStatus::Faulty {
            "XID 79: fell off the bus".into()
        } else {
            "reseating".into()
        });
        events::record(tx, &e)?;
    }
    registry::report_device(
        tx,
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
    tx: &Connection,
    rng: &mut Rng,
    gpu: &Device,
    profiles: &[mig::MigProfile],
    summary: &mut DemoSummary,
    now: i64,
    start: i64,
) -> Result<usize> {
    let layout: &[(&str, u32)] = if gpu.index == 0 {
        &[("3g.40gb", 1), ("2g.20gb", 2)]
    } else {
        &[("1g.10gb", 7)]
    };
    let mut enabled = gpu.clone();
    enabled.mig_enabled = true;
    devices::update(tx, &enabled)?;
    let mut placed_all: Vec<mig::Placed> = Vec::new();
    let mut created = 0;
    for (profile, count) in layout {
        let placed = mig::place(profiles, &placed_all, profile, *count)
            .map_err(|e| Error::runtime(format!("demo MIG layout: {e}")))?;
        for p in &placed {
            let id =
                crate::store::mig::insert(tx, gpu.id, &p.profile, p.start, p.memory_slices, start)?;
            let mut e = event(start, "mig.created", &gpu.uuid, &gpu.node);
            e.field = Some(format!("instance:{id}"));
            e.new_value = Some(format!("{} at {}:{}", p.profile, p.start, p.memory_slices));
            events::record(tx, &e)?;
            created += 1;
            if rng.below(3) > 0 {
                let (owner, namespace) = *rng.pick(OWNERS);
                let compute = profiles
                    .iter()
                    .find(|q| q.name == p.profile)
                    .map_or(1, |q| q.compute_slices);
                let total = profiles
                    .iter()
                    .map(|q| q.compute_slices)
                    .max()
                    .unwrap_or(7)
                    .max(1);
                let lease_start = now - 3_600 * (1 + rng.below(40) as i64);
                let id_lease = allocations::insert(
                    tx,
                    &NewAllocation {
                        device_id: gpu.id,
                        mig_instance_id: Some(id),
                        device_uuid: gpu.uuid.clone(),
                        node: gpu.node.clone(),
                        cluster: gpu.cluster.clone(),
                        model: gpu.model.clone(),
                        mig_profile: Some(p.profile.clone()),
                        mig_uuid: None,
                        gpu_fraction: f64::from(compute) / f64::from(total),
                        owner: owner.to_string(),
                        namespace: Some(namespace.to_string()),
                        workload: Some(format!("{namespace}-notebook-{}", rng.below(90) + 10)),
                        started_at: lease_start,
                        expires_at: now + 3_600 * (1 + rng.below(48) as i64),
                    },
                )?;
                let mut e = event(
                    lease_start,
                    "alloc.created",
                    &id_lease.to_string(),
                    &gpu.node,
                );
                e.new_value = Some(format!("{owner} {}", p.profile));
                events::record(tx, &e)?;
                summary.leases += 1;
            }
        }
        placed_all.extend(placed);
    }
    Ok(created)
}

/// Past leases (released and expired) and, for most GPUs, one active lease; some idle.
#[allow(clippy::too_many_arguments)] // one call site; the pieces are the GPU's whole context
fn lease_history(
    tx: &Connection,
    rng: &mut Rng,
    gpu: &Device,
    node: &Node,
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
            let id = allocations::insert(
                tx,
                &NewAllocation {
                    device_id: gpu.id,
                    mig_instance_id: None,
                    device_uuid: gpu.uuid.clone(),
                    node: node.name.clone(),
                    cluster: node.cluster.clone(),
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
                },
            )?;
            let mut e = event(t, "alloc.created", &id.to_string(), &node.name);
            e.new_value = Some(format!("{owner} {}", gpu.uuid));
            events::record(tx, &e)?;
            if !active {
                let expired = rng.below(4) == 0;
                let state = if expired {
                    crate::domain::LeaseState::Expired
                } else {
                    crate::domain::LeaseState::Released
                };
                allocations::end(
                    tx,
                    id,
                    state,
                    end,
                    if expired { "expired" } else { "job finished" },
                )?;
                let mut e = event(
                    end,
                    if expired {
                        "alloc.expired"
                    } else {
                        "alloc.released"
                    },
                    &id.to_string(),
                    &node.name,
                );
                e.field = Some("state".into());
                e.old_value = Some("active".into());
                e.new_value = Some(state.to_string());
                events::record(tx, &e)?;
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

/// Per-minute samples with a daily rhythm: busy while leased (idle leases near 0 %), low when
/// free; temperature and power follow utilisation.
fn write_samples(
    tx: &Connection,
    rng: &mut Rng,
    gpu: &GpuPlan,
    start: i64,
    now: i64,
) -> Result<u64> {
    let mut rows = Vec::with_capacity(1_440);
    let mut written = 0;
    let mut lease = 0;
    let mut ts = start;
    while ts < gpu.reports_until.min(now) {
        while lease < gpu.leases.len() && gpu.leases[lease].end <= ts {
            lease += 1;
        }
        let current = gpu
            .leases
            .get(lease)
            .filter(|l| l.start <= ts && ts < l.end);
        let hour = ((ts % DAY) as f64) / 3_600.0;
        let rhythm = (std::f64::consts::TAU * (hour - 9.0) / 24.0).sin();
        let noise = rng.unit() * 10.0 - 5.0;
        let util = match current {
            Some(l) if l.idle => rng.unit() * 3.0,
            Some(_) => (gpu.base_util + 12.0 * rhythm + noise).clamp(0.0, 100.0),
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
        rows.push(SampleRow {
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
        });
        if rows.len() == rows.capacity() {
            metrics::insert_samples(tx, &rows)?;
            written += rows.len() as u64;
            rows.clear();
        }
        ts += MINUTE;
    }
    metrics::insert_samples(tx, &rows)?;
    written += rows.len() as u64;
    let last = ts - MINUTE;
    registry::set_last_seen(tx, gpu.device_id, last)?;
    Ok(written)
}
