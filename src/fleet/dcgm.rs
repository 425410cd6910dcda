//! dcgm-exporter's series, from a scrape or from Prometheus, as one record per GPU.
//!
//! dcgm-exporter writes one series per GPU (or per MIG GPU instance) and field, labelled
//! `gpu`, `UUID`, `pci_bus_id`, `device`, `modelName`, `Hostname` (or `hostname` in newer
//! builds), `DCGM_FI_DRIVER_VERSION`, MIG's `GPU_I_PROFILE` / `GPU_I_ID`, and `pod` /
//! `namespace` / `container` while a pod holds the GPU (`exported_*` once Prometheus has
//! renamed them). The rules here (see `../shared/research/FLEET_AND_ALERTING.md` §1, §7):
//!
//! - A GPU is (cluster, node, UUID); a MIG instance adds `GPU_I_ID`. Series of one key from
//!   two exporters are merged, the newest reading of each field winning.
//! - A family that is missing is `None`, never 0; NaN and ±Inf are `None`; a value no GPU can
//!   have (a utilisation of 140 %, 9.2e18 °C) is `None` and a warning.
//! - Families gpuctl does not map are ignored, whatever their labels (NVSwitch and NVLink
//!   series carry no `UUID`). A mapped family without `UUID` is a malformed answer.
//! - MIG: dcgm-exporter reports only instances for a MIG-enabled GPU. Device-wide fields
//!   (temperature, power, clocks, energy, ECC) repeat on every instance and fill the GPU's
//!   record; `GPU_UTIL` is not reported under MIG and the GPU's `gpu_util_pct` stays `None`
//!   (gpuctl does not invent a whole-GPU figure from instances of different sizes). Each
//!   instance's `DCGM_FI_PROF_GR_ENGINE_ACTIVE` (a 0–1 ratio) becomes its percentage. The
//!   GPU's memory stays `None` unless a whole-GPU series reports it. `sample.mig_devices`
//!   lists the instances with an empty `uuid`: dcgm-exporter does not export MIG device
//!   UUIDs, and a made-up key would be mistaken for a real one; key them by (GPU UUID,
//!   `gpu_instance_id`).
//! - Workloads are those on the newest samples of a GPU or instance, so a pod that has left
//!   within the query window is not reported. A `pod` label naming a dcgm-exporter pod is the
//!   exporter's own (Prometheus adds its target's pod to an idle GPU's series) and is no
//!   workload.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::gpu::source::{DeviceSample, MigDevice};

use super::error::{clip, FleetError};
use super::exposition::{describe_series, label_value};

/// Where the node name is looked for when no label is named, in this order.
pub(crate) const DEFAULT_NODE_LABELS: &[&str] = &[
    "kubernetes_node",
    "node",
    "nodename",
    "Hostname",
    "hostname",
];
/// How old the newest sample of a GPU may be for it to count as current (the CLI's default).
#[cfg(test)]
pub(crate) const DEFAULT_MAX_AGE_SECS: i64 = 120;
/// Workloads seen this close to a GPU's newest sample still hold it (two exporters on one
/// node are scraped a little apart; one exporter's series share one time).
const WORKLOAD_TOLERANCE_MS: i64 = 1000;
/// The most warnings one snapshot carries; the rest are counted.
const MAX_WARNINGS: usize = 50;
/// How many distinct warnings are remembered to recognise repeats.
const MAX_REMEMBERED_WARNINGS: usize = 10_000;

/// The families gpuctl reads, with what each becomes.
const FIELDS: &[(&str, Field)] = &[
    ("DCGM_FI_DEV_GPU_UTIL", Field::GpuUtil),
    ("DCGM_FI_DEV_MEM_COPY_UTIL", Field::MemCopyUtil),
    ("DCGM_FI_DEV_FB_USED", Field::FbUsed),
    ("DCGM_FI_DEV_FB_FREE", Field::FbFree),
    ("DCGM_FI_DEV_FB_RESERVED", Field::FbReserved),
    ("DCGM_FI_DEV_GPU_TEMP", Field::GpuTemp),
    ("DCGM_FI_DEV_POWER_USAGE", Field::PowerUsage),
    ("DCGM_FI_DEV_POWER_MGMT_LIMIT", Field::PowerLimit),
    ("DCGM_FI_DEV_SM_CLOCK", Field::SmClock),
    ("DCGM_FI_DEV_MEM_CLOCK", Field::MemClock),
    ("DCGM_FI_DEV_FAN_SPEED", Field::FanSpeed),
    ("DCGM_FI_DEV_ECC_SBE_VOL_TOTAL", Field::EccCorrected),
    ("DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", Field::EccUncorrected),
    ("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", Field::EnergyMj),
    ("DCGM_FI_DEV_MIG_MODE", Field::MigMode),
    ("DCGM_FI_PROF_GR_ENGINE_ACTIVE", Field::GrEngineActive),
];

/// The names of [`FIELDS`], for queries that fetch only what is mapped.
pub(crate) const MAPPED_FAMILIES: &[&str] = &[
    "DCGM_FI_DEV_GPU_UTIL",
    "DCGM_FI_DEV_MEM_COPY_UTIL",
    "DCGM_FI_DEV_FB_USED",
    "DCGM_FI_DEV_FB_FREE",
    "DCGM_FI_DEV_FB_RESERVED",
    "DCGM_FI_DEV_GPU_TEMP",
    "DCGM_FI_DEV_POWER_USAGE",
    "DCGM_FI_DEV_POWER_MGMT_LIMIT",
    "DCGM_FI_DEV_SM_CLOCK",
    "DCGM_FI_DEV_MEM_CLOCK",
    "DCGM_FI_DEV_FAN_SPEED",
    "DCGM_FI_DEV_ECC_SBE_VOL_TOTAL",
    "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL",
    "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION",
    "DCGM_FI_DEV_MIG_MODE",
    "DCGM_FI_PROF_GR_ENGINE_ACTIVE",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Field {
    GpuUtil,
    MemCopyUtil,
    FbUsed,
    FbFree,
    FbReserved,
    GpuTemp,
    PowerUsage,
    PowerLimit,
    SmClock,
    MemClock,
    FanSpeed,
    EccCorrected,
    EccUncorrected,
    EnergyMj,
    MigMode,
    GrEngineActive,
}

impl Field {
    fn from_name(name: &str) -> Option<Field> {
        FIELDS
            .iter()
            .find(|(family, _)| *family == name)
            .map(|(_, field)| *field)
    }

    fn name(self) -> &'static str {
        FIELDS
            .iter()
            .find(|(_, field)| *field == self)
            .map_or("?", |(family, _)| family)
    }

    /// Fields of the whole GPU, repeated on each MIG instance's series.
    fn is_device_wide(self) -> bool {
        matches!(
            self,
            Field::GpuTemp
                | Field::PowerUsage
                | Field::PowerLimit
                | Field::SmClock
                | Field::MemClock
                | Field::FanSpeed
                | Field::EccCorrected
                | Field::EccUncorrected
                | Field::EnergyMj
                | Field::MigMode
        )
    }
}

/// One GPU of the fleet at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FleetGpu {
    pub(crate) cluster: Option<String>,
    pub(crate) node: String,
    pub(crate) sample: DeviceSample,
    /// The MIG instances, by `gpu_instance_id`; empty when MIG is off or unknown.
    pub(crate) mig: Vec<FleetMig>,
    /// Pods holding the whole GPU (MIG instances list their own).
    pub(crate) workloads: Vec<Workload>,
}

/// One MIG GPU instance as dcgm-exporter reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FleetMig {
    pub(crate) gpu_instance_id: u32,
    /// Such as `1g.10gb`.
    pub(crate) profile: Option<String>,
    /// `DCGM_FI_PROF_GR_ENGINE_ACTIVE` as a whole percent.
    pub(crate) gr_engine_active_pct: Option<u32>,
    pub(crate) fb_used_mib: Option<u64>,
    pub(crate) fb_total_mib: Option<u64>,
    pub(crate) workloads: Vec<Workload>,
}

/// A pod using a GPU or MIG instance.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Workload {
    pub(crate) pod: String,
    pub(crate) namespace: Option<String>,
    pub(crate) container: Option<String>,
}

/// How series become GPUs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MappingOptions {
    /// The label naming the node; else the first present of [`DEFAULT_NODE_LABELS`].
    pub(crate) node_label: Option<String>,
    /// The cluster of every GPU read; else the value of `cluster_label`, if any.
    pub(crate) cluster: Option<String>,
    pub(crate) cluster_label: Option<String>,
    /// Unix seconds: the moment the snapshot is for.
    pub(crate) now: i64,
    /// Seconds: a GPU whose newest sample is older than this is stale.
    pub(crate) max_age: i64,
}

impl MappingOptions {
    /// Defaults at `now`: node from the usual labels, no cluster, two minutes of freshness.
    #[cfg(test)]
    pub(crate) fn at(now: i64) -> Self {
        MappingOptions {
            node_label: None,
            cluster: None,
            cluster_label: None,
            now,
            max_age: DEFAULT_MAX_AGE_SECS,
        }
    }
}

/// A GPU left out because its newest sample is older than the maximum age.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StaleGpu {
    pub(crate) cluster: Option<String>,
    pub(crate) node: String,
    pub(crate) uuid: String,
    /// Unix seconds of its newest sample.
    pub(crate) last_seen: i64,
}

/// The fleet at one moment: current GPUs, stale ones, and what the command should warn about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FleetSnapshot {
    /// Ordered by cluster, node, index, UUID.
    pub(crate) gpus: Vec<FleetGpu>,
    pub(crate) stale: Vec<StaleGpu>,
    pub(crate) warnings: Vec<String>,
}

/// One sample of one series, from whichever source.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Observation<'a> {
    pub(crate) name: &'a str,
    pub(crate) labels: &'a [(String, String)],
    pub(crate) value: f64,
    /// Milliseconds since the epoch.
    pub(crate) timestamp_ms: i64,
    /// The URL it came from, for messages.
    pub(crate) source: &'a str,
}

/// Maps every observation (in any order) to GPUs: fresh ones in `gpus`, others in `stale`.
pub(crate) fn map_observations<'a>(
    observations: impl IntoIterator<Item = Observation<'a>>,
    options: &MappingOptions,
) -> Result<FleetSnapshot, FleetError> {
    let mut mapper = Mapper::new(options);
    for observation in observations {
        mapper.add(&observation)?;
    }
    Ok(mapper.finish())
}

/// Warnings without repeats, at most [`MAX_WARNINGS`] and a count of the rest.
#[derive(Debug, Default)]
pub(crate) struct Warnings {
    list: Vec<String>,
    seen: BTreeSet<String>,
    dropped: usize,
}

impl Warnings {
    pub(crate) fn push(&mut self, warning: String) {
        if self.seen.contains(&warning) {
            return;
        }
        if self.list.len() >= MAX_WARNINGS {
            self.dropped += 1;
            // Remember dropped ones too, up to a bound, so repeats are not counted twice.
            if self.seen.len() < MAX_REMEMBERED_WARNINGS {
                self.seen.insert(warning);
            }
            return;
        }
        self.seen.insert(warning.clone());
        self.list.push(warning);
    }

    pub(crate) fn into_vec(mut self) -> Vec<String> {
        if self.dropped > 0 {
            self.list
                .push(format!("… and {} more warnings like these", self.dropped));
        }
        self.list
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct GpuKey {
    cluster: Option<String>,
    node: String,
    uuid: String,
}

#[derive(Debug, Clone, Copy)]
struct Reading {
    value: f64,
    timestamp_ms: i64,
}

/// The newest reading of each field.
#[derive(Debug, Default)]
struct Readings(HashMap<Field, Reading>);

impl Readings {
    fn record(&mut self, field: Field, reading: Reading) {
        let slot = self.0.entry(field).or_insert(reading);
        if reading.timestamp_ms >= slot.timestamp_ms {
            *slot = reading;
        }
    }

    fn get(&self, field: Field) -> Option<f64> {
        self.0.get(&field).map(|r| r.value)
    }
}

/// Workloads with the time each was last seen.
#[derive(Debug, Default)]
struct SeenWorkloads {
    newest_ms: i64,
    workloads: BTreeMap<Workload, i64>,
}

impl SeenWorkloads {
    fn saw(&mut self, timestamp_ms: i64, workload: Option<Workload>) {
        self.newest_ms = self.newest_ms.max(timestamp_ms);
        if let Some(workload) = workload {
            let last = self.workloads.entry(workload).or_insert(timestamp_ms);
            *last = (*last).max(timestamp_ms);
        }
    }

    /// Those on the newest samples.
    fn current(&self) -> Vec<Workload> {
        self.workloads
            .iter()
            .filter(|(_, last)| **last >= self.newest_ms - WORKLOAD_TOLERANCE_MS)
            .map(|(workload, _)| workload.clone())
            .collect()
    }
}

#[derive(Debug, Default)]
struct GpuParts {
    index: Option<String>,
    model: Option<String>,
    pci_bus_id: Option<String>,
    driver_version: Option<String>,
    serial: Option<String>,
    newest_ms: i64,
    readings: Readings,
    /// Device-wide fields as MIG instances report them.
    instance_readings: Readings,
    workloads: SeenWorkloads,
    instances: BTreeMap<u32, InstanceParts>,
}

#[derive(Debug, Default)]
struct InstanceParts {
    profile: Option<String>,
    readings: Readings,
    workloads: SeenWorkloads,
}

struct Mapper<'o> {
    options: &'o MappingOptions,
    gpus: BTreeMap<GpuKey, GpuParts>,
    warnings: Warnings,
    /// Node names already warned about.
    suspicious_nodes: BTreeSet<String>,
}

impl<'o> Mapper<'o> {
    fn new(options: &'o MappingOptions) -> Self {
        Mapper {
            options,
            gpus: BTreeMap::new(),
            warnings: Warnings::default(),
            suspicious_nodes: BTreeSet::new(),
        }
    }

    fn add(&mut self, observation: &Observation<'_>) -> Result<(), FleetError> {
        self.add_keyed(observation, false).map(drop)
    }

    /// [`Mapper::add`], returning (when `want_key`) the GPU and MIG instance it went to.
    fn add_keyed(
        &mut self,
        observation: &Observation<'_>,
        want_key: bool,
    ) -> Result<Option<(GpuKey, Option<u32>)>, FleetError> {
        let Some(field) = Field::from_name(observation.name) else {
            return Ok(None);
        };
        let labels = observation.labels;
        let malformed = |reason: String| FleetError::Malformed {
            url: observation.source.to_string(),
            reason,
        };
        let describe = || clip(&describe_series(observation.name, labels), 400);
        let uuid = non_empty(labels, "UUID")
            .or_else(|| non_empty(labels, "uuid"))
            .ok_or_else(|| malformed(format!("series {} has no UUID label", describe())))?;
        if let Err(e) = crate::validate::gpu_uuid(uuid) {
            return Err(malformed(format!("series {}: {}", describe(), e.message)));
        }
        let node = self.node_of(labels).ok_or_else(|| {
            let names = match &self.options.node_label {
                Some(label) => format!("the node label '{label}'"),
                None => format!("any of the labels {}", DEFAULT_NODE_LABELS.join(", ")),
            };
            malformed(format!(
                "series {} has no node name: it lacks {names}",
                describe()
            ))
        })?;
        let instance_id = match non_empty(labels, "GPU_I_ID") {
            None => None,
            Some(text) => Some(text.parse::<u32>().map_err(|_| {
                malformed(format!(
                    "series {} has GPU_I_ID '{text}', which is not an instance number",
                    describe()
                ))
            })?),
        };
        if let Err(e) = crate::validate::node_name(node) {
            return Err(malformed(format!(
                "series {}: {} (name the label that holds the node with --node-label)",
                describe(),
                e.message
            )));
        }
        let cluster = self.options.cluster.clone().or_else(|| {
            self.options
                .cluster_label
                .as_deref()
                .and_then(|label| non_empty(labels, label))
                .map(str::to_string)
        });
        if let Some(cluster) = &cluster {
            if let Err(e) = crate::validate::cluster(cluster) {
                return Err(malformed(format!("series {}: {}", describe(), e.message)));
            }
        }
        let key = GpuKey {
            cluster,
            node: node.to_string(),
            uuid: uuid.to_string(),
        };
        let reading = Reading {
            value: observation.value,
            timestamp_ms: observation.timestamp_ms,
        };
        let workload = workload_of(labels);
        let wanted = want_key.then(|| (key.clone(), instance_id));
        let parts = self.gpus.entry(key).or_default();
        fill_once(&mut parts.index, labels, "gpu");
        fill_once(&mut parts.model, labels, "modelName");
        fill_once(&mut parts.pci_bus_id, labels, "pci_bus_id");
        fill_once(&mut parts.driver_version, labels, "DCGM_FI_DRIVER_VERSION");
        fill_once(&mut parts.serial, labels, "DCGM_FI_DEV_SERIAL");
        parts.newest_ms = parts.newest_ms.max(observation.timestamp_ms);
        match instance_id {
            None => {
                parts.readings.record(field, reading);
                parts.workloads.saw(observation.timestamp_ms, workload);
            }
            Some(id) => {
                if field.is_device_wide() {
                    parts.instance_readings.record(field, reading);
                }
                let instance = parts.instances.entry(id).or_default();
                fill_once(&mut instance.profile, labels, "GPU_I_PROFILE");
                instance.readings.record(field, reading);
                instance.workloads.saw(observation.timestamp_ms, workload);
            }
        }
        Ok(wanted)
    }

    /// The node name, warning once when it looks like the exporter's own pod name.
    fn node_of<'l>(&mut self, labels: &'l [(String, String)]) -> Option<&'l str> {
        let (label, node) = match &self.options.node_label {
            Some(label) => (label.as_str(), non_empty(labels, label)?),
            None => DEFAULT_NODE_LABELS
                .iter()
                .find_map(|label| non_empty(labels, label).map(|node| (*label, node)))?,
        };
        if matches!(label, "Hostname" | "hostname")
            && looks_like_exporter_pod(node)
            && self.suspicious_nodes.insert(node.to_string())
        {
            self.warnings.push(format!(
                "node name '{node}' (from the {label} label) looks like a dcgm-exporter pod name: \
                 the exporter runs without NODE_NAME, so its GPUs are filed under the pod; \
                 set NODE_NAME in its DaemonSet or name a node label"
            ));
        }
        Some(node)
    }

    fn finish(mut self) -> FleetSnapshot {
        let now_ms = self.options.now.saturating_mul(1000);
        let max_age_ms = self.options.max_age.saturating_mul(1000);
        let mut gpus = Vec::new();
        let mut stale = Vec::new();
        for (key, parts) in std::mem::take(&mut self.gpus) {
            if now_ms.saturating_sub(parts.newest_ms) > max_age_ms {
                stale.push(StaleGpu {
                    cluster: key.cluster,
                    node: key.node,
                    uuid: key.uuid,
                    last_seen: parts.newest_ms.div_euclid(1000),
                });
                continue;
            }
            gpus.push(self.build_gpu(key, parts));
        }
        gpus.sort_by(|a, b| {
            (&a.cluster, &a.node, a.sample.index, &a.sample.uuid).cmp(&(
                &b.cluster,
                &b.node,
                b.sample.index,
                &b.sample.uuid,
            ))
        });
        FleetSnapshot {
            gpus,
            stale,
            warnings: self.warnings.into_vec(),
        }
    }

    fn build_gpu(&mut self, key: GpuKey, parts: GpuParts) -> FleetGpu {
        let subject = format!("{}/{}", key.node, key.uuid);
        let mut check = Check {
            subject: &subject,
            warnings: &mut self.warnings,
        };
        let device = |field: Field| {
            parts
                .readings
                .get(field)
                .or_else(|| parts.instance_readings.get(field))
        };
        let index = parts.index.as_deref().and_then(|text| {
            let parsed = text.parse::<u32>().ok();
            if parsed.is_none() {
                check.warn(format!("gpu label '{text}' is not an index; left empty"));
            }
            parsed
        });
        let timestamp = parts.newest_ms.div_euclid(1000);
        let kept = kept_values(&mut check, timestamp, |f| parts.readings.get(f), device);
        let mem_total = memory_total(&mut check, &parts.readings);
        let mig: Vec<FleetMig> = parts
            .instances
            .iter()
            .map(|(id, instance)| build_instance(&mut check, *id, instance))
            .collect();
        let mig_mode = match check.whole(Field::MigMode, device(Field::MigMode), 1) {
            Some(mode) => Some(mode == 1),
            None => (!mig.is_empty()).then_some(true),
        };
        let mig_devices = mig
            .iter()
            .map(|instance| MigDevice {
                uuid: String::new(),
                gpu_instance_id: Some(instance.gpu_instance_id),
                compute_instance_id: None,
                profile: instance.profile.clone(),
                mem_total_mib: instance.fb_total_mib,
                mem_used_mib: instance.fb_used_mib,
            })
            .collect();
        let sample = DeviceSample {
            uuid: key.uuid,
            name: parts.model,
            index,
            pci_bus_id: parts.pci_bus_id,
            serial: parts.serial,
            driver_version: parts.driver_version,
            timestamp,
            gpu_util_pct: kept.gpu_util_pct,
            mem_util_pct: kept.mem_util_pct,
            mem_used_mib: kept.mem_used_mib,
            mem_total_mib: mem_total,
            temp_c: kept.temp_c,
            power_mw: kept.power_mw,
            power_limit_mw: check.watts_as_mw(Field::PowerLimit, device(Field::PowerLimit)),
            sm_clock_mhz: narrow(check.whole(Field::SmClock, device(Field::SmClock), MAX_MHZ)),
            mem_clock_mhz: narrow(check.whole(Field::MemClock, device(Field::MemClock), MAX_MHZ)),
            fan_pct: kept.fan_pct,
            ecc_corrected: check.whole(
                Field::EccCorrected,
                device(Field::EccCorrected),
                MAX_ECC_ERRORS,
            ),
            ecc_uncorrected: kept.ecc_uncorrected,
            energy_mj: check.whole(Field::EnergyMj, device(Field::EnergyMj), MAX_ENERGY_MJ),
            mig_mode,
            mig_devices,
        };
        FleetGpu {
            cluster: key.cluster,
            node: key.node,
            sample,
            mig,
            workloads: parts.workloads.current(),
        }
    }
}

fn build_instance(check: &mut Check<'_>, id: u32, instance: &InstanceParts) -> FleetMig {
    let ratio = instance.readings.get(Field::GrEngineActive);
    FleetMig {
        gpu_instance_id: id,
        profile: instance.profile.clone(),
        gr_engine_active_pct: check.percent(Field::GrEngineActive, ratio.map(|r| r * 100.0)),
        fb_used_mib: check.whole(Field::FbUsed, instance.readings.get(Field::FbUsed), MAX_MIB),
        fb_total_mib: memory_total(check, &instance.readings),
        workloads: instance.workloads.current(),
    }
}

/// Used + free (+ reserved, when reported): dcgm-exporter has no total field.
fn memory_total(check: &mut Check<'_>, readings: &Readings) -> Option<u64> {
    let used = check.whole(Field::FbUsed, readings.get(Field::FbUsed), MAX_MIB)?;
    let free = check.whole(Field::FbFree, readings.get(Field::FbFree), MAX_MIB)?;
    let reserved = check
        .whole(Field::FbReserved, readings.get(Field::FbReserved), MAX_MIB)
        .unwrap_or(0);
    Some(used + free + reserved)
}

/// 16 TiB: more memory than any GPU has.
const MAX_MIB: u64 = 16 * 1024 * 1024;
const MAX_TEMP_C: u64 = 200;
const MAX_MHZ: u64 = 20_000;
const MAX_WATTS: f64 = 5_000.0;
/// A trillion errors is a sentinel, not a count.
const MAX_ECC_ERRORS: u64 = 1_000_000_000_000;
/// About 1,500 GPU-years at 700 W; DCGM's blank sentinels are near 9.2e18.
const MAX_ENERGY_MJ: u64 = 10_000_000_000_000_000;

/// Range checks for one GPU's values, warning about the impossible ones.
struct Check<'a> {
    subject: &'a str,
    warnings: &'a mut Warnings,
}

impl Check<'_> {
    fn warn(&mut self, message: String) {
        self.warnings.push(format!("{}: {message}", self.subject));
    }

    fn out_of_range(&mut self, field: Field, value: f64, range: &str) {
        self.warn(format!(
            "{} = {value} is outside {range}; left empty",
            field.name()
        ));
    }

    /// A whole number in 0..=max, rounded; NaN and ±Inf are silently `None`.
    fn whole(&mut self, field: Field, value: Option<f64>, max: u64) -> Option<u64> {
        let value = value.filter(|v| v.is_finite())?;
        let rounded = value.round();
        if rounded < 0.0 || rounded > max as f64 {
            self.out_of_range(field, value, &format!("0–{max}"));
            return None;
        }
        // Finite, whole and within 0..=max: the cast is exact.
        Some(rounded as u64)
    }

    fn percent(&mut self, field: Field, value: Option<f64>) -> Option<u32> {
        narrow(self.whole(field, value, 100))
    }

    fn watts_as_mw(&mut self, field: Field, watts: Option<f64>) -> Option<u32> {
        let watts = watts.filter(|v| v.is_finite())?;
        if !(0.0..=MAX_WATTS).contains(&watts) {
            self.out_of_range(field, watts, &format!("0–{MAX_WATTS} W"));
            return None;
        }
        // At most 5e6 mW: fits u32.
        Some((watts * 1000.0).round() as u32)
    }
}

/// The bounds above keep every u32 field well inside u32.
fn narrow(value: Option<u64>) -> Option<u32> {
    value.and_then(|v| u32::try_from(v).ok())
}

fn non_empty<'l>(labels: &'l [(String, String)], name: &str) -> Option<&'l str> {
    label_value(labels, name).filter(|value| !value.is_empty())
}

fn fill_once(slot: &mut Option<String>, labels: &[(String, String)], name: &str) {
    if slot.is_none() {
        *slot = non_empty(labels, name).map(str::to_string);
    }
}

/// The pod on a series: `exported_*` when Prometheus renamed the exporter's labels, else
/// `pod` / `namespace` / `container`; none for an empty pod or the exporter's own pod.
fn workload_of(labels: &[(String, String)]) -> Option<Workload> {
    let prefix = if label_value(labels, "exported_pod").is_some() {
        "exported_"
    } else {
        ""
    };
    let get = |name: &str| non_empty(labels, &format!("{prefix}{name}")).map(str::to_string);
    let pod = get("pod")?;
    if pod.contains("dcgm-exporter") {
        return None;
    }
    Some(Workload {
        pod,
        namespace: get("namespace"),
        container: get("container"),
    })
}

/// `nvidia-dcgm-exporter-7x2kq`: a DaemonSet pod name (five-character suffix).
fn looks_like_exporter_pod(name: &str) -> bool {
    let Some((base, suffix)) = name.rsplit_once('-') else {
        return false;
    };
    base.ends_with("dcgm-exporter")
        && suffix.len() == 5
        && suffix
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
}

/// Maps observations one at a time, as a streamed answer delivers them.
pub(crate) struct FleetMapper<'o>(Mapper<'o>);

impl<'o> FleetMapper<'o> {
    pub(crate) fn new(options: &'o MappingOptions) -> Self {
        FleetMapper(Mapper::new(options))
    }

    pub(crate) fn add(&mut self, observation: &Observation<'_>) -> Result<(), FleetError> {
        self.0.add(observation)
    }

    /// The snapshot, each GPU's newest sample at the time `stamps` gives for its UUID (an
    /// instant query's samples all carry the evaluation time).
    pub(crate) fn finish_with_stamps(mut self, stamps: &HashMap<String, i64>) -> FleetSnapshot {
        for (key, parts) in &mut self.0.gpus {
            if let Some(ms) = stamps.get(&key.uuid) {
                parts.newest_ms = *ms;
            }
        }
        self.0.finish()
    }
}

/// The families a backfill reads: those that feed a stored sample (history keeps samples;
/// models, clocks, MIG layouts and workloads are the current reading's business).
pub(crate) const HISTORY_FAMILIES: &[&str] = &[
    "DCGM_FI_DEV_GPU_UTIL",
    "DCGM_FI_DEV_MEM_COPY_UTIL",
    "DCGM_FI_DEV_FB_USED",
    "DCGM_FI_DEV_GPU_TEMP",
    "DCGM_FI_DEV_POWER_USAGE",
    "DCGM_FI_DEV_FAN_SPEED",
    "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL",
];

/// [`HISTORY_FAMILIES`] as fields, in the same order: the columns of a [`Slots`] row.
const HISTORY_FIELDS: [Field; 7] = [
    Field::GpuUtil,
    Field::MemCopyUtil,
    Field::FbUsed,
    Field::GpuTemp,
    Field::PowerUsage,
    Field::FanSpeed,
    Field::EccUncorrected,
];

/// One stored sample's values at one time: what a sample row holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HistoryRow {
    /// Unix seconds.
    pub(crate) ts: i64,
    pub(crate) gpu_util_pct: Option<u32>,
    pub(crate) mem_util_pct: Option<u32>,
    pub(crate) mem_used_mib: Option<u64>,
    pub(crate) temp_c: Option<u32>,
    pub(crate) power_mw: Option<u32>,
    pub(crate) fan_pct: Option<u32>,
    pub(crate) ecc_uncorrected: Option<u64>,
}

/// One GPU's history over a stretch: its newest reading (to register it where the store
/// does not know it yet) and a row per step time at which it reported anything.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct GpuHistory {
    pub(crate) gpu: FleetGpu,
    pub(crate) rows: Vec<HistoryRow>,
}

/// A row of raw values per step time, NaN where nothing was reported (as a NaN value
/// would be: both leave the column empty).
#[derive(Debug, Default)]
struct Slots {
    /// The GPU's own series.
    device: Vec<[f64; HISTORY_FIELDS.len()]>,
    /// Device-wide fields as its MIG instances report them; empty unless it has any.
    from_instances: Vec<[f64; HISTORY_FIELDS.len()]>,
}

impl Slots {
    fn set(
        rows: &mut Vec<[f64; HISTORY_FIELDS.len()]>,
        len: usize,
        slot: usize,
        column: usize,
        value: f64,
    ) {
        if rows.is_empty() {
            rows.resize(len, [f64::NAN; HISTORY_FIELDS.len()]);
        }
        rows[slot][column] = value;
    }
}

/// Maps a range query's series, streamed one at a time, to each GPU's rows at the step
/// times `start`, `start + step`, … `end` (unix seconds). Memory holds a few numbers per
/// GPU and step, never the series.
pub(crate) struct HistoryMapper<'o> {
    mapper: Mapper<'o>,
    start_ms: i64,
    step_ms: i64,
    slots: usize,
    values: HashMap<GpuKey, Slots>,
    misaligned: usize,
}

impl<'o> HistoryMapper<'o> {
    /// `options.max_age` should cover the stretch: each step time stands alone.
    pub(crate) fn new(options: &'o MappingOptions, start: i64, end: i64, step: i64) -> Self {
        let step = step.max(1);
        let slots = usize::try_from((end - start).max(0) / step + 1).unwrap_or(0);
        HistoryMapper {
            mapper: Mapper::new(options),
            start_ms: start.saturating_mul(1000),
            step_ms: step.saturating_mul(1000),
            slots,
            values: HashMap::new(),
            misaligned: 0,
        }
    }

    /// One series and its points; a family outside [`HISTORY_FAMILIES`] is skipped.
    pub(crate) fn add_series(
        &mut self,
        name: &str,
        labels: &[(String, String)],
        points: &[super::prometheus::Point],
        source: &str,
    ) -> Result<(), FleetError> {
        let Some(field) = Field::from_name(name) else {
            return Ok(());
        };
        let Some(column) = HISTORY_FIELDS.iter().position(|f| *f == field) else {
            return Ok(());
        };
        let Some(newest) = points.iter().max_by_key(|p| p.timestamp_ms) else {
            return Ok(());
        };
        let observation = Observation {
            name,
            labels,
            value: newest.value,
            timestamp_ms: newest.timestamp_ms,
            source,
        };
        let Some((key, instance)) = self.mapper.add_keyed(&observation, true)? else {
            return Ok(());
        };
        if instance.is_some() && !field.is_device_wide() {
            return Ok(());
        }
        let len = self.slots;
        let slots = self.values.entry(key).or_default();
        for point in points {
            let offset = point.timestamp_ms - self.start_ms;
            let slot = usize::try_from(offset / self.step_ms)
                .ok()
                .filter(|s| *s < len);
            let Some(slot) = slot.filter(|_| offset % self.step_ms == 0) else {
                self.misaligned += 1;
                continue;
            };
            let rows = match instance {
                None => &mut slots.device,
                Some(_) => &mut slots.from_instances,
            };
            Slots::set(rows, len, slot, column, point.value);
        }
        Ok(())
    }

    /// Every GPU seen, in (cluster, node, index, UUID) order, with its rows; and warnings.
    pub(crate) fn finish(self) -> (Vec<GpuHistory>, Vec<String>) {
        let HistoryMapper {
            mapper,
            start_ms,
            step_ms,
            mut values,
            misaligned,
            ..
        } = self;
        let snapshot = mapper.finish();
        let mut warnings = Warnings::default();
        for warning in snapshot.warnings {
            warnings.push(warning);
        }
        if misaligned > 0 {
            warnings.push(format!(
                "{misaligned} points off the {} s step grid were left out",
                step_ms / 1000
            ));
        }
        let mut out = Vec::with_capacity(snapshot.gpus.len());
        for gpu in snapshot.gpus {
            let key = GpuKey {
                cluster: gpu.cluster.clone(),
                node: gpu.node.clone(),
                uuid: gpu.sample.uuid.clone(),
            };
            let slots = values.remove(&key).unwrap_or_default();
            let subject = format!("{}/{}", key.node, key.uuid);
            let mut check = Check {
                subject: &subject,
                warnings: &mut warnings,
            };
            let rows = history_rows(&mut check, &slots, start_ms, step_ms);
            out.push(GpuHistory { gpu, rows });
        }
        (out, warnings.into_vec())
    }
}

/// The rows of one GPU's slots, range-checked as a current reading is.
fn history_rows(
    check: &mut Check<'_>,
    slots: &Slots,
    start_ms: i64,
    step_ms: i64,
) -> Vec<HistoryRow> {
    let len = slots.device.len().max(slots.from_instances.len());
    let column = |field: Field| HISTORY_FIELDS.iter().position(|f| *f == field).unwrap_or(0);
    let value = |rows: &[[f64; HISTORY_FIELDS.len()]], slot: usize, field: Field| {
        rows.get(slot)
            .map(|row| row[column(field)])
            .filter(|v| !v.is_nan())
    };
    let mut out = Vec::new();
    for slot in 0..len {
        let own = |field: Field| value(&slots.device, slot, field);
        let wide = |field: Field| own(field).or_else(|| value(&slots.from_instances, slot, field));
        if HISTORY_FIELDS.iter().all(|f| wide(*f).is_none()) {
            continue;
        }
        let ts = (start_ms + step_ms * slot as i64).div_euclid(1000);
        out.push(kept_values(check, ts, own, wide));
    }
    out
}

/// What a stored sample keeps of a GPU's readings, range-checked, for a live reading and for
/// history alike: `own` reads the GPU's own series; `wide` falls back, for the fields of the
/// whole device, to what its MIG instances report.
fn kept_values(
    check: &mut Check<'_>,
    ts: i64,
    own: impl Fn(Field) -> Option<f64>,
    wide: impl Fn(Field) -> Option<f64>,
) -> HistoryRow {
    let mem_used_mib = check.whole(Field::FbUsed, own(Field::FbUsed), MAX_MIB);
    let gpu_util_pct = check.percent(Field::GpuUtil, own(Field::GpuUtil));
    let mem_util_pct = check.percent(Field::MemCopyUtil, own(Field::MemCopyUtil));
    let temp_c = narrow(check.whole(Field::GpuTemp, wide(Field::GpuTemp), MAX_TEMP_C));
    let power_mw = check.watts_as_mw(Field::PowerUsage, wide(Field::PowerUsage));
    let fan_pct = check.percent(Field::FanSpeed, wide(Field::FanSpeed));
    let ecc_uncorrected = check.whole(
        Field::EccUncorrected,
        wide(Field::EccUncorrected),
        MAX_ECC_ERRORS,
    );
    HistoryRow {
        ts,
        gpu_util_pct,
        mem_util_pct,
        mem_used_mib,
        temp_c,
        power_mw,
        fan_pct,
        ecc_uncorrected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::exposition::{self, Sample};
    use crate::fleet::prometheus::Point;

    const NOW: i64 = 1_764_500_000;

    fn fixture(name: &str) -> Vec<Sample> {
        let path = format!("{}/tests/fixtures/dcgm/{name}", env!("CARGO_MANIFEST_DIR"));
        let body = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        exposition::parse(&body).unwrap().samples
    }

    fn observe(samples: &[Sample]) -> Vec<Observation<'_>> {
        samples
            .iter()
            .map(|s| Observation {
                name: &s.name,
                labels: &s.labels,
                value: s.value,
                timestamp_ms: s.timestamp_ms.unwrap_or(NOW * 1000),
                source: "http://exporter:9400/metrics",
            })
            .collect()
    }

    fn map(samples: &[Sample]) -> FleetSnapshot {
        map_observations(observe(samples), &MappingOptions::at(NOW)).unwrap()
    }

    fn labels(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn sample(name: &str, pairs: &[(&str, &str)], value: f64) -> Sample {
        Sample {
            name: name.into(),
            labels: labels(pairs),
            value,
            timestamp_ms: None,
            metric_type: exposition::MetricType::Gauge,
        }
    }

    const GPU_A: &[(&str, &str)] = &[
        ("gpu", "0"),
        ("UUID", "GPU-aaaa"),
        ("modelName", "NVIDIA H100 80GB HBM3"),
        ("Hostname", "node-a"),
    ];

    #[test]
    fn every_mapped_family_has_a_field() {
        assert_eq!(MAPPED_FAMILIES.len(), FIELDS.len());
        for (family, (name, field)) in MAPPED_FAMILIES.iter().zip(FIELDS) {
            assert_eq!(family, name);
            assert_eq!(Field::from_name(family), Some(*field));
            assert_eq!(field.name(), *family);
        }
    }

    #[test]
    fn an_h100_node_maps_to_eight_gpus_with_every_default_field() {
        let samples = fixture("h100-8gpu.prom");
        let snapshot = map(&samples);
        assert!(snapshot.warnings.is_empty(), "{:?}", snapshot.warnings);
        assert!(snapshot.stale.is_empty());
        assert_eq!(snapshot.gpus.len(), 8);
        let indexes: Vec<Option<u32>> = snapshot.gpus.iter().map(|g| g.sample.index).collect();
        assert_eq!(indexes, (0..8).map(Some).collect::<Vec<_>>());
        for gpu in &snapshot.gpus {
            assert_eq!(gpu.node, "gpu-node-07");
            assert_eq!(gpu.cluster, None);
            let s = &gpu.sample;
            assert!(s.uuid.starts_with("GPU-"), "{}", s.uuid);
            assert_eq!(s.name.as_deref(), Some("NVIDIA H100 80GB HBM3"));
            assert_eq!(s.driver_version.as_deref(), Some("550.54.15"));
            assert_eq!(s.timestamp, NOW);
            assert_eq!(s.mem_total_mib, Some(81_559));
            for value in [
                s.gpu_util_pct,
                s.mem_util_pct,
                s.temp_c,
                s.sm_clock_mhz,
                s.mem_clock_mhz,
            ] {
                assert!(value.is_some(), "{s:?}");
            }
            assert!(s.power_mw.is_some() && s.energy_mj.is_some() && s.mem_used_mib.is_some());
            // No fan, ECC or power-limit series in the default counters: unknown, not 0.
            assert_eq!(
                (s.fan_pct, s.ecc_corrected, s.power_limit_mw),
                (None, None, None)
            );
            assert_eq!(s.mig_mode, None);
            assert!(gpu.mig.is_empty());
        }
        let first = &snapshot.gpus[0].sample;
        assert_eq!(first.pci_bus_id.as_deref(), Some("00000000:18:00.0"));
        assert_eq!(first.gpu_util_pct, Some(97));
        assert_eq!(first.mem_used_mib, Some(71_243));
        assert_eq!(first.temp_c, Some(64));
        assert_eq!(first.power_mw, Some(612_408));
        assert_eq!(first.sm_clock_mhz, Some(1980));
        assert_eq!(first.mem_clock_mhz, Some(2619));
        assert_eq!(first.energy_mj, Some(113_987_262_795));
        assert_eq!(
            snapshot.gpus[0].workloads,
            vec![Workload {
                pod: "llm-train-7b9f4-0".into(),
                namespace: Some("ml-research".into()),
                container: Some("trainer".into()),
            }]
        );
        assert_eq!(snapshot.gpus[4].workloads[0].pod, "jupyter-alice");
        for idle in &snapshot.gpus[5..] {
            assert!(idle.workloads.is_empty());
        }
    }

    #[test]
    fn a_mig_a100_maps_instances_under_their_gpu() {
        let samples = fixture("a100-mig.prom");
        let snapshot = map(&samples);
        assert!(snapshot.warnings.is_empty(), "{:?}", snapshot.warnings);
        assert_eq!(snapshot.gpus.len(), 2);
        let mig_gpu = &snapshot.gpus[0];
        assert_eq!(mig_gpu.node, "gpu-node-12");
        let s = &mig_gpu.sample;
        assert_eq!(s.mig_mode, Some(true));
        assert_eq!(s.gpu_util_pct, None, "no whole-GPU utilisation under MIG");
        assert_eq!((s.mem_used_mib, s.mem_total_mib), (None, None));
        assert_eq!(
            s.temp_c,
            Some(38),
            "device-wide fields come from the instances"
        );
        assert_eq!(s.power_mw, Some(142_611));
        assert_eq!(s.sm_clock_mhz, Some(1410));
        assert!(mig_gpu.workloads.is_empty());

        let ids: Vec<u32> = mig_gpu.mig.iter().map(|m| m.gpu_instance_id).collect();
        assert_eq!(ids, vec![1, 5, 13, 14]);
        let big = &mig_gpu.mig[0];
        assert_eq!(big.profile.as_deref(), Some("3g.40gb"));
        assert_eq!(big.gr_engine_active_pct, Some(83));
        assert_eq!(
            (big.fb_used_mib, big.fb_total_mib),
            (Some(31_207), Some(40_448))
        );
        assert_eq!(
            big.workloads,
            vec![Workload {
                pod: "vllm-server-5d8c9-x2x4z".into(),
                namespace: Some("inference".into()),
                container: Some("vllm".into()),
            }]
        );
        assert!(mig_gpu.mig[1..].iter().all(|m| m.workloads.is_empty()));
        assert_eq!(mig_gpu.mig[2].profile.as_deref(), Some("1g.10gb"));
        assert_eq!(mig_gpu.mig[2].gr_engine_active_pct, Some(0));

        assert_eq!(s.mig_devices.len(), 4);
        assert_eq!(s.mig_devices[0].uuid, "", "no made-up MIG UUIDs");
        assert_eq!(s.mig_devices[0].gpu_instance_id, Some(1));
        assert_eq!(s.mig_devices[0].profile.as_deref(), Some("3g.40gb"));
        assert_eq!(s.mig_devices[0].mem_total_mib, Some(40_448));

        let whole = &snapshot.gpus[1].sample;
        assert_eq!(whole.mig_mode, None);
        assert_eq!(whole.gpu_util_pct, Some(45));
        assert!(snapshot.gpus[1].mig.is_empty());
    }

    #[test]
    fn an_exporter_pod_name_as_hostname_is_kept_with_a_warning() {
        let samples = fixture("hostname-pod.prom");
        let snapshot = map(&samples);
        assert_eq!(snapshot.gpus.len(), 2);
        assert!(snapshot
            .gpus
            .iter()
            .all(|g| g.node == "nvidia-dcgm-exporter-7x2kq"));
        assert_eq!(snapshot.warnings.len(), 1, "{:?}", snapshot.warnings);
        assert!(snapshot.warnings[0].contains("'nvidia-dcgm-exporter-7x2kq'"));
        assert!(snapshot.warnings[0].contains("NODE_NAME"));
        // pod="" from older exporters: no workload.
        assert!(snapshot.gpus.iter().all(|g| g.workloads.is_empty()));
    }

    #[test]
    fn the_lowercase_hostname_label_and_ecc_series_are_read() {
        let samples = fixture("lowercase-hostname.prom");
        let snapshot = map(&samples);
        assert!(snapshot.warnings.is_empty(), "{:?}", snapshot.warnings);
        assert_eq!(snapshot.gpus.len(), 2);
        let gpu = &snapshot.gpus[1];
        assert_eq!(gpu.node, "gpu-node-21");
        assert_eq!(gpu.sample.name.as_deref(), Some("NVIDIA H200"));
        assert_eq!(gpu.sample.ecc_corrected, Some(3));
        assert_eq!(gpu.sample.ecc_uncorrected, Some(0));
        // FB_RESERVED counts toward the total.
        assert_eq!(gpu.sample.mem_total_mib, Some(143_771));
    }

    #[test]
    fn the_node_label_option_and_the_cluster() {
        let samples = vec![sample(
            "DCGM_FI_DEV_GPU_TEMP",
            &[
                ("UUID", "GPU-1"),
                ("Hostname", "pod-x"),
                ("kubernetes_node", "n1"),
                ("k8s_cluster", "prod"),
            ],
            50.0,
        )];
        let by_default = map(&samples);
        assert_eq!(by_default.gpus[0].node, "n1", "kubernetes_node comes first");
        assert_eq!(by_default.gpus[0].cluster, None);

        let options = MappingOptions {
            node_label: Some("Hostname".into()),
            cluster_label: Some("k8s_cluster".into()),
            ..MappingOptions::at(NOW)
        };
        let named = map_observations(observe(&samples), &options).unwrap();
        assert_eq!(named.gpus[0].node, "pod-x");
        assert_eq!(named.gpus[0].cluster.as_deref(), Some("prod"));

        let fixed = MappingOptions {
            cluster: Some("lab".into()),
            ..options
        };
        let fixed = map_observations(observe(&samples), &fixed).unwrap();
        assert_eq!(fixed.gpus[0].cluster.as_deref(), Some("lab"));

        let missing = MappingOptions {
            node_label: Some("node".into()),
            ..MappingOptions::at(NOW)
        };
        let error = map_observations(observe(&samples), &missing).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("has no node name: it lacks the node label 'node'"),
            "{error}"
        );
    }

    #[test]
    fn missing_values_are_none_and_impossible_ones_warn() {
        let samples = vec![
            sample("DCGM_FI_DEV_GPU_UTIL", GPU_A, 140.0),
            sample("DCGM_FI_DEV_MEM_COPY_UTIL", GPU_A, f64::NAN),
            sample("DCGM_FI_DEV_GPU_TEMP", GPU_A, 9.223_372_036_854_776e18),
            sample("DCGM_FI_DEV_POWER_USAGE", GPU_A, -3.0),
            sample("DCGM_FI_DEV_SM_CLOCK", GPU_A, f64::INFINITY),
            sample("DCGM_FI_DEV_FB_USED", GPU_A, 1024.0),
            sample("DCGM_FI_DEV_MEM_CLOCK", GPU_A, 1593.4),
            sample("DCGM_FI_DEV_FAN_SPEED", GPU_A, 99.6),
        ];
        let snapshot = map(&samples);
        let s = &snapshot.gpus[0].sample;
        assert_eq!(s.gpu_util_pct, None);
        assert_eq!(s.mem_util_pct, None);
        assert_eq!(s.temp_c, None);
        assert_eq!(s.power_mw, None);
        assert_eq!(s.sm_clock_mhz, None);
        assert_eq!(s.mem_used_mib, Some(1024));
        assert_eq!(s.mem_total_mib, None, "no FB_FREE, so no total");
        assert_eq!(s.mem_clock_mhz, Some(1593));
        assert_eq!(s.fan_pct, Some(100));
        assert_eq!(s.energy_mj, None);
        assert_eq!(
            snapshot.warnings,
            vec![
                "node-a/GPU-aaaa: DCGM_FI_DEV_GPU_UTIL = 140 is outside 0–100; left empty",
                "node-a/GPU-aaaa: DCGM_FI_DEV_GPU_TEMP = 9223372036854776000 is outside 0–200; left empty",
                "node-a/GPU-aaaa: DCGM_FI_DEV_POWER_USAGE = -3 is outside 0–5000 W; left empty",
            ]
        );
    }

    #[test]
    fn a_mapped_series_without_uuid_is_malformed_naming_it() {
        let samples = vec![sample(
            "DCGM_FI_DEV_GPU_TEMP",
            &[("gpu", "0"), ("Hostname", "n")],
            40.0,
        )];
        let error = map_observations(observe(&samples), &MappingOptions::at(NOW)).unwrap_err();
        assert_eq!(
            error.to_string(),
            "malformed answer from http://exporter:9400/metrics: \
             series DCGM_FI_DEV_GPU_TEMP{gpu=\"0\",Hostname=\"n\"} has no UUID label"
        );
        // Families gpuctl does not read may lack it (NVSwitch series do).
        let switch = vec![sample(
            "DCGM_FI_DEV_NVSWITCH_TEMPERATURE_CURRENT",
            &[("nvswitch", "0")],
            40.0,
        )];
        assert!(map(&switch).gpus.is_empty());
        let bad_instance = vec![sample(
            "DCGM_FI_DEV_GPU_TEMP",
            &[("UUID", "GPU-1"), ("Hostname", "n"), ("GPU_I_ID", "x")],
            40.0,
        )];
        let error = map_observations(observe(&bad_instance), &MappingOptions::at(NOW)).unwrap_err();
        assert!(error.to_string().contains("GPU_I_ID 'x'"), "{error}");
    }

    #[test]
    fn the_old_lowercase_uuid_label_is_accepted() {
        let samples = vec![sample(
            "DCGM_FI_DEV_GPU_TEMP",
            &[("gpu", "0"), ("uuid", "GPU-0d1d"), ("Hostname", "n")],
            40.0,
        )];
        assert_eq!(map(&samples).gpus[0].sample.uuid, "GPU-0d1d");
    }

    #[test]
    fn a_series_naming_no_real_gpu_node_or_cluster_is_malformed() {
        let cases = [
            (
                vec![
                    ("gpu", "0"),
                    ("UUID", "hello; DROP TABLE"),
                    ("Hostname", "n"),
                ],
                "invalid GPU UUID 'hello; DROP TABLE'",
            ),
            (
                vec![
                    ("gpu", "0"),
                    ("UUID", "GPU-1"),
                    ("Hostname", "Bad_Node\u{1b}[2J"),
                ],
                "invalid node name 'Bad_Node\\e[2J'",
            ),
            (
                vec![
                    ("gpu", "0"),
                    ("UUID", "GPU-1"),
                    ("Hostname", "n"),
                    ("cluster", "a b"),
                ],
                "invalid cluster name 'a b'",
            ),
        ];
        let options = MappingOptions {
            cluster_label: Some("cluster".into()),
            ..MappingOptions::at(NOW)
        };
        for (labels, expected) in cases {
            let samples = vec![sample("DCGM_FI_DEV_GPU_TEMP", &labels, 40.0)];
            let error = map_observations(observe(&samples), &options).unwrap_err();
            let message = error.to_string();
            assert!(message.contains(expected), "{message}");
            assert_eq!(error.to_error().exit_code(), 6);
        }
    }

    #[test]
    fn two_exporters_on_one_node_are_merged_newest_first() {
        let mut older = sample("DCGM_FI_DEV_GPU_TEMP", GPU_A, 40.0);
        older.timestamp_ms = Some(NOW * 1000 - 15_000);
        let mut newer = sample("DCGM_FI_DEV_GPU_TEMP", GPU_A, 42.0);
        newer.timestamp_ms = Some(NOW * 1000 - 5_000);
        let snapshot = map(&[newer.clone(), older.clone()]);
        assert_eq!(snapshot.gpus.len(), 1);
        assert_eq!(snapshot.gpus[0].sample.temp_c, Some(42));
        assert_eq!(snapshot.gpus[0].sample.timestamp, NOW - 5);
        let snapshot = map(&[older, newer]);
        assert_eq!(snapshot.gpus[0].sample.temp_c, Some(42));
    }

    #[test]
    fn old_gpus_are_stale_not_current() {
        let mut old = sample("DCGM_FI_DEV_GPU_TEMP", GPU_A, 40.0);
        old.timestamp_ms = Some((NOW - 121) * 1000);
        let mut fresh = sample(
            "DCGM_FI_DEV_GPU_TEMP",
            &[("gpu", "1"), ("UUID", "GPU-bbbb"), ("Hostname", "node-a")],
            41.0,
        );
        fresh.timestamp_ms = Some((NOW - 120) * 1000);
        let snapshot = map(&[old, fresh]);
        assert_eq!(snapshot.gpus.len(), 1);
        assert_eq!(snapshot.gpus[0].sample.uuid, "GPU-bbbb");
        assert_eq!(
            snapshot.stale,
            vec![StaleGpu {
                cluster: None,
                node: "node-a".into(),
                uuid: "GPU-aaaa".into(),
                last_seen: NOW - 121,
            }]
        );
    }

    #[test]
    fn workloads_come_from_the_newest_samples_and_exported_labels_win() {
        let with_pod = |pod: &str, at: i64| {
            let mut pairs = GPU_A.to_vec();
            pairs.push(("pod", pod));
            pairs.push(("namespace", "ml"));
            let mut s = sample("DCGM_FI_DEV_GPU_TEMP", &pairs, 40.0);
            s.timestamp_ms = Some(at);
            s
        };
        // The pod that left a minute ago is not on the newest samples.
        let snapshot = map(&[
            with_pod("old-job", (NOW - 60) * 1000),
            with_pod("new-job", NOW * 1000),
        ]);
        let pods: Vec<&str> = snapshot.gpus[0]
            .workloads
            .iter()
            .map(|w| w.pod.as_str())
            .collect();
        assert_eq!(pods, ["new-job"]);

        // Time-sliced: two pods on the same samples.
        let snapshot = map(&[with_pod("a", NOW * 1000), with_pod("b", NOW * 1000)]);
        assert_eq!(snapshot.gpus[0].workloads.len(), 2);

        // Relabelled by Prometheus: the target's pod is the exporter, exported_pod the user's.
        let mut pairs = GPU_A.to_vec();
        pairs.extend([
            ("pod", "nvidia-dcgm-exporter-7x2kq"),
            ("namespace", "gpu-operator"),
            ("exported_pod", "trainer-0"),
            ("exported_namespace", "ml"),
            ("exported_container", "main"),
        ]);
        let snapshot = map(&[sample("DCGM_FI_DEV_GPU_TEMP", &pairs, 40.0)]);
        assert_eq!(
            snapshot.gpus[0].workloads,
            vec![Workload {
                pod: "trainer-0".into(),
                namespace: Some("ml".into()),
                container: Some("main".into()),
            }]
        );
        // An idle GPU seen through a ServiceMonitor: only the exporter's own pod.
        let mut pairs = GPU_A.to_vec();
        pairs.extend([
            ("pod", "nvidia-dcgm-exporter-7x2kq"),
            ("namespace", "gpu-operator"),
        ]);
        let snapshot = map(&[sample("DCGM_FI_DEV_GPU_TEMP", &pairs, 40.0)]);
        assert!(snapshot.gpus[0].workloads.is_empty());
    }

    #[test]
    fn exporter_pod_names_are_recognised() {
        assert!(looks_like_exporter_pod("nvidia-dcgm-exporter-7x2kq"));
        assert!(looks_like_exporter_pod("dcgm-exporter-abcde"));
        assert!(!looks_like_exporter_pod("gpu-node-07"));
        assert!(!looks_like_exporter_pod("nvidia-dcgm-exporter-7X2KQ"));
        assert!(!looks_like_exporter_pod("dcgm-exporter-node01"));
    }

    #[test]
    fn warnings_are_deduplicated_and_capped() {
        let mut warnings = Warnings::default();
        for i in 0..(MAX_WARNINGS + 10) {
            warnings.push(format!("w{i}"));
            warnings.push(format!("w{i}"));
        }
        let list = warnings.into_vec();
        assert_eq!(list.len(), MAX_WARNINGS + 1);
        assert_eq!(list.last().unwrap(), "… and 10 more warnings like these");
    }

    #[test]
    fn a_matrix_becomes_rows_per_step_for_each_gpu() {
        let point = |t: i64, v: f64| Point {
            timestamp_ms: t * 1000,
            value: v,
        };
        let options = MappingOptions {
            max_age: i64::MAX / 1000,
            ..MappingOptions::at(180)
        };
        let mut history = HistoryMapper::new(&options, 60, 180, 60);
        let gpu = |uuid: &str| labels(&[("UUID", uuid), ("Hostname", "n1"), ("gpu", "0")]);
        let mig = labels(&[
            ("UUID", "GPU-3"),
            ("Hostname", "n1"),
            ("gpu", "1"),
            ("GPU_I_ID", "2"),
            ("GPU_I_PROFILE", "1g.10gb"),
        ]);
        let add =
            |h: &mut HistoryMapper, name: &str, labels: &[(String, String)], points: &[Point]| {
                h.add_series(name, labels, points, "http://prom").unwrap()
            };
        add(
            &mut history,
            "DCGM_FI_DEV_GPU_TEMP",
            &gpu("GPU-1"),
            &[point(60, 40.0), point(120, 41.0), point(180, 42.0)],
        );
        add(
            &mut history,
            "DCGM_FI_DEV_GPU_UTIL",
            &gpu("GPU-1"),
            &[point(120, 10.0), point(180, 400.0), point(150, 5.0)],
        );
        add(
            &mut history,
            "DCGM_FI_DEV_GPU_TEMP",
            &gpu("GPU-2"),
            &[point(180, 50.0)],
        );
        // Not a history family: skipped.
        add(
            &mut history,
            "DCGM_FI_DEV_SM_CLOCK",
            &gpu("GPU-2"),
            &[point(60, 1980.0)],
        );
        // A MIG instance's device-wide temperature is the GPU's; its utilisation is not.
        add(
            &mut history,
            "DCGM_FI_DEV_GPU_TEMP",
            &mig,
            &[point(60, 33.0)],
        );
        add(
            &mut history,
            "DCGM_FI_DEV_GPU_UTIL",
            &mig,
            &[point(60, 99.0)],
        );
        let (gpus, warnings) = history.finish();

        assert_eq!(gpus.len(), 3);
        let one = &gpus[0];
        assert_eq!(one.gpu.sample.uuid, "GPU-1");
        let times: Vec<i64> = one.rows.iter().map(|r| r.ts).collect();
        assert_eq!(times, vec![60, 120, 180]);
        assert_eq!(one.rows[0].gpu_util_pct, None);
        assert_eq!(one.rows[1].gpu_util_pct, Some(10));
        assert_eq!(one.rows[2].temp_c, Some(42));
        assert_eq!(one.rows[2].gpu_util_pct, None, "400 % is out of range");
        assert_eq!(
            one.gpu.sample.temp_c,
            Some(42),
            "the newest reading registers it"
        );
        assert_eq!(gpus[1].gpu.sample.uuid, "GPU-2");
        assert_eq!(gpus[1].rows.len(), 1);
        assert_eq!(gpus[1].rows[0].ts, 180);
        let three = &gpus[2];
        assert_eq!(three.rows.len(), 1);
        assert_eq!(three.rows[0].temp_c, Some(33));
        assert_eq!(three.rows[0].gpu_util_pct, None);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].contains("outside 0–100"), "{warnings:?}");
        assert_eq!(warnings[1], "1 points off the 60 s step grid were left out");
    }
}
