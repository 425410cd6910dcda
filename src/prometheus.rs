//! The Prometheus text exposition: the latest sample of every GPU, named as dcgm-exporter names
//! its series (so existing Grafana dashboards work), the series of gpuctl's own state (open
//! alerts, leases, node status, GPU counts) and of the store's jobs (collect health, last
//! optimize). Written atomically for node_exporter's textfile collector.

use std::fmt::Write as _;
use std::io::Write as _;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use rusqlite::Connection;

use crate::error::{Error, Result};
use crate::fleet::exposition::write_quoted;
use crate::store::metrics::{self, LatestSample};
use crate::store::{exposition, settings};

mod state;

/// The file name node_exporter's textfile collector reads.
pub const TEXTFILE_NAME: &str = "gpuctl.prom";

/// How the last collect went, for `gpuctl_collect_success` and friends.
#[derive(Debug, Clone, Copy, Default)]
pub struct CollectHealth {
    pub success: bool,
    pub last_success_at: Option<i64>,
    pub duration_secs: Option<f64>,
}

const LAST_RUN_OK_KEY: &str = "collect.last_run_ok";
const LAST_SUCCESS_KEY: &str = "collect.last_success_at";
const LAST_DURATION_KEY: &str = "collect.last_duration_ms";

/// The health of the last collect run, as stored by [`record_health`]; None before any run.
pub fn health(conn: &Connection) -> Result<Option<CollectHealth>> {
    let Some(ok) = settings::get_i64(conn, LAST_RUN_OK_KEY)? else {
        return Ok(None);
    };
    Ok(Some(CollectHealth {
        success: ok == 1,
        last_success_at: settings::get_i64(conn, LAST_SUCCESS_KEY)?,
        duration_secs: settings::get_i64(conn, LAST_DURATION_KEY)?.map(|ms| ms as f64 / 1000.0),
    }))
}

/// Stores how a collect run went (inside its transaction, or alone after a failed read).
pub fn record_health(conn: &Connection, now: i64, success: bool, duration_ms: i64) -> Result<()> {
    settings::set(conn, LAST_RUN_OK_KEY, if success { "1" } else { "0" })?;
    settings::set(conn, LAST_DURATION_KEY, &duration_ms.to_string())?;
    if success {
        settings::set(conn, LAST_SUCCESS_KEY, &now.to_string())?;
    }
    Ok(())
}

const LOCAL_NODE_KEY: &str = "collect.local_node";
const LOCAL_SOURCE_KEY: &str = "collect.local_source";
const LOCAL_AT_KEY: &str = "collect.local_at";

/// The last GPUs a live collect (NVML or nvidia-smi, not a replay) read on this store's host:
/// what `doctor` judges a GPU node by. Kept as settings, not pruned as `collect.run` events are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalCollect {
    pub node: String,
    pub source: String,
    pub at: i64,
}

/// Stores that a live collect read this host's GPUs (in that run's transaction).
pub fn record_local_collect(conn: &Connection, local: &LocalCollect) -> Result<()> {
    settings::set(conn, LOCAL_NODE_KEY, &local.node)?;
    settings::set(conn, LOCAL_SOURCE_KEY, &local.source)?;
    settings::set(conn, LOCAL_AT_KEY, &local.at.to_string())
}

/// What [`record_local_collect`] stored last; None on a store no live collect has written.
pub fn local_collect(conn: &Connection) -> Result<Option<LocalCollect>> {
    let (Some(node), Some(source), Some(at)) = (
        settings::get(conn, LOCAL_NODE_KEY)?,
        settings::get(conn, LOCAL_SOURCE_KEY)?,
        settings::get_i64(conn, LOCAL_AT_KEY)?,
    ) else {
        return Ok(None);
    };
    Ok(Some(LocalCollect { node, source, at }))
}

const OPTIMIZE_LAST_RUN_KEY: &str = "optimize.last_run_at";

/// Stores when `optimize` last ran (inside its transaction), for
/// `gpuctl_optimize_last_run_timestamp_seconds`: a run that finds nothing to do records no
/// event, yet says the job is alive.
pub fn record_optimize_run(conn: &Connection, now: i64) -> Result<()> {
    settings::set(conn, OPTIMIZE_LAST_RUN_KEY, &now.to_string())
}

/// When [`record_optimize_run`] last stored a run; None before the first.
pub fn optimize_last_run(conn: &Connection) -> Result<Option<i64>> {
    settings::get_i64(conn, OPTIMIZE_LAST_RUN_KEY)
}

/// Which nodes a part of the exposition covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nodes {
    All,
    One(i64),
    None,
}

impl Nodes {
    /// The node id a store read filters on: Some(None) for every node, None for no read at all.
    fn filter(self) -> Option<Option<i64>> {
        match self {
            Nodes::All => Some(None),
            Nodes::One(id) => Some(Some(id)),
            Nodes::None => None,
        }
    }
}

/// What one exposition publishes, so that a GPU, lease or alert is published by one exporter
/// and Prometheus never counts it twice. `gpus`: the per-GPU series (dcgm-exporter's families
/// and `gpuctl_gpu_*`); `state`: the series of gpuctl's own state (alerts, leases, node status,
/// GPU counts). The store-wide series (collect health, last optimize) are always written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope {
    pub gpus: Nodes,
    pub state: Nodes,
}

impl Scope {
    /// One node's GPUs and state: a node's textfile, `export prometheus --node`.
    pub fn node(id: i64) -> Scope {
        Scope {
            gpus: Nodes::One(id),
            state: Nodes::One(id),
        }
    }

    /// Every node's GPUs and state: `--all-nodes`.
    pub fn all_nodes() -> Scope {
        Scope {
            gpus: Nodes::All,
            state: Nodes::All,
        }
    }

    /// Every node's state but no GPU series: a fleet collect's textfile, whose GPUs
    /// dcgm-exporter publishes already, while only this store knows their leases and alerts.
    pub fn fleet_state() -> Scope {
        Scope {
            gpus: Nodes::None,
            state: Nodes::All,
        }
    }

    /// The store-wide series only (a collect whose node the store does not hold).
    pub fn store_only() -> Scope {
        Scope {
            gpus: Nodes::None,
            state: Nodes::None,
        }
    }
}

/// The whole exposition of `scope`, read from the store at `now`. A GPU whose latest sample is
/// older than `max_age_secs` is stale (see [`render_gpus`]).
pub fn exposition(conn: &Connection, scope: Scope, now: i64, max_age_secs: i64) -> Result<String> {
    let mut out = Writer::default();
    if let Some(node_id) = scope.gpus.filter() {
        let latest = metrics::latest_per_device(conn, node_id)?;
        render_gpus(&mut out, &latest, now - max_age_secs);
    }
    if let Some(node_id) = scope.state.filter() {
        state::render(
            &mut out,
            &state::State {
                alerts: exposition::open_alerts(conn, node_id)?,
                leases: exposition::active_leases(conn, node_id, now)?,
                nodes: exposition::node_states(conn, node_id, now)?,
            },
        );
    }
    render_store(&mut out, health(conn)?, optimize_last_run(conn)?);
    Ok(out.finish())
}

/// A family's type as the exposition declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Gauge,
    Counter,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Gauge => "gauge",
            Kind::Counter => "counter",
        }
    }
}

/// A series' labels in the order written; a label with no value is left out (Prometheus reads
/// an empty label as a missing one anyway).
#[derive(Debug, Clone, Default)]
struct Labels(Vec<(&'static str, String)>);

impl Labels {
    fn with(mut self, name: &'static str, value: impl ToString) -> Labels {
        self.0.push((name, value.to_string()));
        self
    }

    fn with_some(self, name: &'static str, value: Option<impl ToString>) -> Labels {
        match value {
            Some(value) => self.with(name, value),
            None => self,
        }
    }
}

/// The text exposition format 0.0.4 being written: each family once, its HELP and TYPE before
/// its samples; a family without samples is left out.
#[derive(Debug, Default)]
struct Writer {
    text: String,
    written: std::collections::HashSet<&'static str>,
}

impl Writer {
    fn family(
        &mut self,
        name: &'static str,
        kind: Kind,
        help: &str,
        series: impl IntoIterator<Item = (Labels, f64)>,
    ) {
        let mut series = series.into_iter().peekable();
        if series.peek().is_none() {
            return;
        }
        // A second block of one family is invalid exposition; every caller writes each once.
        assert!(self.written.insert(name), "family {name} written twice");
        let _ = writeln!(
            self.text,
            "# HELP {name} {}\n# TYPE {name} {}",
            escape_help(help),
            kind.as_str()
        );
        for (labels, value) in series {
            self.text.push_str(name);
            if !labels.0.is_empty() {
                self.text.push('{');
                for (at, (label, value)) in labels.0.iter().enumerate() {
                    if at > 0 {
                        self.text.push(',');
                    }
                    self.text.push_str(label);
                    self.text.push('=');
                    write_quoted(&mut self.text, value);
                }
                self.text.push('}');
            }
            let _ = writeln!(self.text, " {}", format_value(value));
        }
    }

    fn finish(self) -> String {
        self.text
    }
}

/// The dcgm-exporter families gpuctl reads from exporters and Prometheus (`collect --scrape`,
/// `--from-prometheus`): with the families gpuctl exports, what contrib's rules and Grafana
/// dashboard may name.
pub const DCGM_READ_FAMILIES: &[&str] = crate::fleet::dcgm::MAPPED_FAMILIES;

type Extract = fn(&LatestSample) -> Option<f64>;

/// dcgm-exporter's series, types and units (its etc/default-counters.csv), from our stored
/// sample. The energy and ECC counts are counters there, without a `_total` suffix: the names
/// stay dcgm-exporter's so that its dashboards and rules work on gpuctl's export unchanged.
const GPU_FAMILIES: &[(&str, Kind, &str, Extract)] = &[
    (
        "DCGM_FI_DEV_GPU_UTIL",
        Kind::Gauge,
        "GPU utilization (in %).",
        |l| l.sample.gpu_util.map(|v| v as f64),
    ),
    (
        "DCGM_FI_DEV_MEM_COPY_UTIL",
        Kind::Gauge,
        "Memory utilization (in %).",
        |l| l.sample.mem_util.map(|v| v as f64),
    ),
    (
        "DCGM_FI_DEV_FB_USED",
        Kind::Gauge,
        "Framebuffer memory used (in MiB).",
        |l| l.sample.mem_used_mib.map(|v| v as f64),
    ),
    (
        "DCGM_FI_DEV_FB_FREE",
        Kind::Gauge,
        "Framebuffer memory free (in MiB).",
        |l| Some((l.memory_total_mib? - l.sample.mem_used_mib?).max(0) as f64),
    ),
    (
        "DCGM_FI_DEV_GPU_TEMP",
        Kind::Gauge,
        "GPU temperature (in C).",
        |l| l.sample.temp_c.map(|v| v as f64),
    ),
    (
        "DCGM_FI_DEV_POWER_USAGE",
        Kind::Gauge,
        "Power draw (in W).",
        |l| l.sample.power_mw.map(|v| v as f64 / 1000.0),
    ),
    (
        "DCGM_FI_DEV_POWER_MGMT_LIMIT",
        Kind::Gauge,
        "Enforced power limit (in W).",
        |l| l.power_limit_mw.map(|v| v as f64 / 1000.0),
    ),
    (
        "DCGM_FI_DEV_SM_CLOCK",
        Kind::Gauge,
        "SM clock frequency (in MHz).",
        |l| l.sm_clock_mhz.map(|v| v as f64),
    ),
    (
        "DCGM_FI_DEV_MEM_CLOCK",
        Kind::Gauge,
        "Memory clock frequency (in MHz).",
        |l| l.mem_clock_mhz.map(|v| v as f64),
    ),
    (
        "DCGM_FI_DEV_FAN_SPEED",
        Kind::Gauge,
        "Fan speed (in %).",
        |l| l.sample.fan_pct.map(|v| v as f64),
    ),
    (
        "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION",
        Kind::Counter,
        "Total energy consumption since boot (in mJ).",
        |l| l.energy_mj.map(|v| v as f64),
    ),
    (
        "DCGM_FI_DEV_ECC_SBE_VOL_TOTAL",
        Kind::Counter,
        "Total number of single-bit volatile ECC errors.",
        |l| l.ecc_corrected.map(|v| v as f64),
    ),
    (
        "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL",
        Kind::Counter,
        "Total number of double-bit volatile ECC errors.",
        |l| l.sample.ecc_uncorrected.map(|v| v as f64),
    ),
];

/// The per-GPU series: a series per GPU that reported the metric. A metric the GPU does not
/// report is left out, never written as 0. A GPU whose latest sample is older than
/// `fresh_since` (unix seconds) is stale: its dcgm-exporter series are left out so that no
/// dashboard shows an old value as live, and `gpuctl_gpu_stale` says 1 for it.
fn render_gpus(out: &mut Writer, latest: &[LatestSample], fresh_since: i64) {
    let is_stale = |l: &LatestSample| l.sample.ts < fresh_since;
    for (name, kind, help, extract) in GPU_FAMILIES {
        out.family(
            name,
            *kind,
            help,
            latest
                .iter()
                .filter(|l| !is_stale(l))
                .filter_map(|l| extract(l).map(|v| (gpu_labels(l), v))),
        );
    }
    out.family(
        "gpuctl_gpu_last_sample_timestamp_seconds",
        Kind::Gauge,
        "When gpuctl last stored a sample of the GPU.",
        latest.iter().map(|l| (gpu_labels(l), l.sample.ts as f64)),
    );
    out.family(
        "gpuctl_gpu_stale",
        Kind::Gauge,
        "Whether the GPU's latest sample is older than --max-age (1: its DCGM_FI_* series are left out).",
        latest
            .iter()
            .map(|l| (gpu_labels(l), f64::from(u8::from(is_stale(l))))),
    );
}

/// The series of the store itself: how the last collect went, when optimize last ran.
fn render_store(out: &mut Writer, health: Option<CollectHealth>, optimize_last_run: Option<i64>) {
    if let Some(health) = health {
        out.family(
            "gpuctl_collect_success",
            Kind::Gauge,
            "Whether the last gpuctl collect run succeeded (1) or failed (0).",
            [(Labels::default(), f64::from(u8::from(health.success)))],
        );
        out.family(
            "gpuctl_collect_last_success_timestamp_seconds",
            Kind::Gauge,
            "When gpuctl collect last succeeded.",
            health
                .last_success_at
                .map(|at| (Labels::default(), at as f64)),
        );
        out.family(
            "gpuctl_collect_duration_seconds",
            Kind::Gauge,
            "How long the last gpuctl collect run took.",
            health
                .duration_secs
                .map(|duration| (Labels::default(), duration)),
        );
    }
    out.family(
        "gpuctl_optimize_last_run_timestamp_seconds",
        Kind::Gauge,
        "When gpuctl optimize (lease expiry, GPU counts) last ran.",
        optimize_last_run.map(|at| (Labels::default(), at as f64)),
    );
}

/// dcgm-exporter's labels of a GPU, and the cluster.
fn gpu_labels(l: &LatestSample) -> Labels {
    Labels::default()
        .with("gpu", l.index)
        .with("UUID", &l.uuid)
        .with("device", format!("nvidia{}", l.index))
        // Written even when unknown, as dcgm-exporter always writes it.
        .with("modelName", l.model.as_deref().unwrap_or_default())
        .with("Hostname", &l.node)
        .with_some("pci_bus_id", l.pci_bus_id.as_ref())
        .with("cluster", &l.cluster)
}

/// HELP text escapes backslash and newline.
fn escape_help(text: &str) -> String {
    text.replace('\\', "\\\\").replace('\n', "\\n")
}

fn format_value(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

/// Writes `dir/gpuctl.prom` atomically: a temp file whose name does not end in `.prom` (so the
/// collector never reads it half-written), mode 0644, synced, then renamed over the old one.
pub fn write_textfile(dir: &Path, body: &str) -> Result<()> {
    let fail = |e: std::io::Error| {
        Error::runtime(format!(
            "cannot write {}: {e}",
            dir.join(TEXTFILE_NAME).display()
        ))
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".gpuctl-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(fail)?;
    tmp.write_all(body.as_bytes()).map_err(fail)?;
    tmp.as_file()
        .set_permissions(std::fs::Permissions::from_mode(0o644))
        .map_err(fail)?;
    tmp.as_file().sync_all().map_err(fail)?;
    tmp.persist(dir.join(TEXTFILE_NAME))
        .map_err(|e| fail(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::exposition::{parse, MetricType};

    #[test]
    fn label_values_and_help_round_trip_through_the_parser() {
        let odd = "a \"quoted\" \\ back\nslash, x=y}";
        let mut out = Writer::default();
        out.family(
            "gpuctl_test_total",
            Kind::Counter,
            "Help with \\ and\nnewline.",
            [(
                Labels::default()
                    .with("owner", odd)
                    .with_some("namespace", None::<&str>),
                2.5,
            )],
        );
        let text = out.finish();
        let parsed = parse(text.as_bytes()).unwrap();
        assert_eq!(parsed.samples.len(), 1, "{text}");
        let sample = &parsed.samples[0];
        assert_eq!(sample.labels, [("owner".to_string(), odd.to_string())]);
        assert_eq!(sample.value, 2.5);
        assert_eq!(sample.metric_type, MetricType::Counter);
        assert_eq!(
            parsed.help["gpuctl_test_total"],
            "Help with \\ and\nnewline."
        );
    }

    #[test]
    fn a_family_without_series_is_left_out() {
        let mut out = Writer::default();
        out.family("gpuctl_none", Kind::Gauge, "Nothing.", std::iter::empty());
        out.family(
            "gpuctl_one",
            Kind::Gauge,
            "One.",
            [(Labels::default(), 1.0)],
        );
        assert_eq!(
            out.finish(),
            "# HELP gpuctl_one One.\n# TYPE gpuctl_one gauge\ngpuctl_one 1\n"
        );
    }

    #[test]
    #[should_panic(expected = "written twice")]
    fn a_family_is_written_once() {
        let mut out = Writer::default();
        out.family(
            "gpuctl_one",
            Kind::Gauge,
            "One.",
            [(Labels::default(), 1.0)],
        );
        out.family(
            "gpuctl_one",
            Kind::Gauge,
            "One.",
            [(Labels::default(), 2.0)],
        );
    }
}
