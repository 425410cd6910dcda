//! The Prometheus text exposition of the latest sample of every GPU, named as dcgm-exporter names
//! its series (so existing Grafana dashboards work), plus gpuctl's own collect health series.
//! Written atomically for node_exporter's textfile collector.

use std::fmt::Write as _;
use std::io::Write as _;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use rusqlite::Connection;

use crate::error::{Error, Result};
use crate::store::metrics::LatestSample;
use crate::store::settings;

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

type Extract = fn(&LatestSample) -> Option<f64>;

/// dcgm-exporter's series and units (its etc/default-counters.csv), from our stored sample.
const GPU_FAMILIES: &[(&str, &str, Extract)] = &[
    ("DCGM_FI_DEV_GPU_UTIL", "GPU utilization (in %).", |l| {
        l.sample.gpu_util.map(|v| v as f64)
    }),
    (
        "DCGM_FI_DEV_MEM_COPY_UTIL",
        "Memory utilization (in %).",
        |l| l.sample.mem_util.map(|v| v as f64),
    ),
    (
        "DCGM_FI_DEV_FB_USED",
        "Framebuffer memory used (in MiB).",
        |l| l.sample.mem_used_mib.map(|v| v as f64),
    ),
    (
        "DCGM_FI_DEV_FB_FREE",
        "Framebuffer memory free (in MiB).",
        |l| Some((l.memory_total_mib? - l.sample.mem_used_mib?).max(0) as f64),
    ),
    ("DCGM_FI_DEV_GPU_TEMP", "GPU temperature (in C).", |l| {
        l.sample.temp_c.map(|v| v as f64)
    }),
    ("DCGM_FI_DEV_POWER_USAGE", "Power draw (in W).", |l| {
        l.sample.power_mw.map(|v| v as f64 / 1000.0)
    }),
    (
        "DCGM_FI_DEV_POWER_MGMT_LIMIT",
        "Enforced power limit (in W).",
        |l| l.power_limit_mw.map(|v| v as f64 / 1000.0),
    ),
    (
        "DCGM_FI_DEV_SM_CLOCK",
        "SM clock frequency (in MHz).",
        |l| l.sm_clock_mhz.map(|v| v as f64),
    ),
    (
        "DCGM_FI_DEV_MEM_CLOCK",
        "Memory clock frequency (in MHz).",
        |l| l.mem_clock_mhz.map(|v| v as f64),
    ),
    ("DCGM_FI_DEV_FAN_SPEED", "Fan speed (in %).", |l| {
        l.sample.fan_pct.map(|v| v as f64)
    }),
    (
        "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION",
        "Total energy consumption since boot (in mJ).",
        |l| l.energy_mj.map(|v| v as f64),
    ),
    (
        "DCGM_FI_DEV_ECC_SBE_VOL_TOTAL",
        "Volatile corrected (single-bit) ECC errors.",
        |l| l.ecc_corrected.map(|v| v as f64),
    ),
    (
        "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL",
        "Volatile uncorrected (double-bit) ECC errors.",
        |l| l.sample.ecc_uncorrected.map(|v| v as f64),
    ),
];

/// Renders the exposition: one HELP/TYPE block per family, a series per GPU that reported it.
/// A metric the GPU does not report is left out, never written as 0. A GPU whose latest sample
/// is older than `fresh_since` (unix seconds) is stale: its dcgm-exporter gauges are left out so
/// that no dashboard shows an old value as live, and `gpuctl_gpu_stale` says 1 for it.
pub fn render(latest: &[LatestSample], health: Option<CollectHealth>, fresh_since: i64) -> String {
    let mut text = String::new();
    let is_stale = |l: &LatestSample| l.sample.ts < fresh_since;
    for (name, help, extract) in GPU_FAMILIES {
        let series: Vec<(String, f64)> = latest
            .iter()
            .filter(|l| !is_stale(l))
            .filter_map(|l| extract(l).map(|v| (gpu_labels(l), v)))
            .collect();
        if series.is_empty() {
            continue;
        }
        // Gauges throughout: the ECC and energy values are counters by nature, but dcgm-exporter's
        // names lack `_total`, and keeping its names matters more than the type hint.
        let _ = writeln!(text, "# HELP {name} {help}\n# TYPE {name} gauge");
        for (labels, value) in series {
            let _ = writeln!(text, "{name}{{{labels}}} {}", format_value(value));
        }
    }
    let _ = writeln!(
        text,
        "# HELP gpuctl_gpu_last_sample_timestamp_seconds When gpuctl last stored a sample of the GPU.\n# TYPE gpuctl_gpu_last_sample_timestamp_seconds gauge"
    );
    for l in latest {
        let _ = writeln!(
            text,
            "gpuctl_gpu_last_sample_timestamp_seconds{{{}}} {}",
            gpu_labels(l),
            l.sample.ts
        );
    }
    if !latest.is_empty() {
        let _ = writeln!(
            text,
            "# HELP gpuctl_gpu_stale Whether the GPU's latest sample is older than --max-age (1: its DCGM_FI_* gauges are left out).\n# TYPE gpuctl_gpu_stale gauge"
        );
        for l in latest {
            let _ = writeln!(
                text,
                "gpuctl_gpu_stale{{{}}} {}",
                gpu_labels(l),
                u8::from(is_stale(l))
            );
        }
    }
    if let Some(health) = health {
        let _ = writeln!(
            text,
            "# HELP gpuctl_collect_success Whether the last gpuctl collect run succeeded (1) or failed (0).\n# TYPE gpuctl_collect_success gauge\ngpuctl_collect_success {}",
            u8::from(health.success)
        );
        if let Some(at) = health.last_success_at {
            let _ = writeln!(
                text,
                "# HELP gpuctl_collect_last_success_timestamp_seconds When gpuctl collect last succeeded.\n# TYPE gpuctl_collect_last_success_timestamp_seconds gauge\ngpuctl_collect_last_success_timestamp_seconds {at}"
            );
        }
        if let Some(duration) = health.duration_secs {
            let _ = writeln!(
                text,
                "# HELP gpuctl_collect_duration_seconds How long the last gpuctl collect run took.\n# TYPE gpuctl_collect_duration_seconds gauge\ngpuctl_collect_duration_seconds {}",
                format_value(duration)
            );
        }
    }
    text
}

fn gpu_labels(l: &LatestSample) -> String {
    let mut labels = vec![
        ("gpu", l.index.to_string()),
        ("UUID", l.uuid.clone()),
        ("device", format!("nvidia{}", l.index)),
        ("modelName", l.model.clone().unwrap_or_default()),
        ("Hostname", l.node.clone()),
    ];
    if let Some(bus) = &l.pci_bus_id {
        labels.push(("pci_bus_id", bus.clone()));
    }
    labels.push(("cluster", l.cluster.clone()));
    labels
        .into_iter()
        .map(|(k, v)| format!("{k}=\"{}\"", escape_label(&v)))
        .collect::<Vec<_>>()
        .join(",")
}

/// Label values escape backslash, double quote and newline.
fn escape_label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
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
