//! `gpuctl doctor`: is this node set up to collect? Checks the store (path, permissions, schema,
//! WAL, filesystem), the GPU sources, and the last collect run.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::output::Cell;
use serde::Serialize;

use crate::cli::DoctorArgs;
use crate::clock;
use crate::error::{Error, Result};
use crate::gpu::nvml::NvmlSource;
use crate::gpu::smi::SmiSource;
use crate::gpu::source::GpuSource;
use crate::output::{Output, TableRow};
use crate::prometheus;
use crate::store::{migrations, Store, DEFAULT_BUSY_TIMEOUT};
use crate::Ctx;

/// A collect older than this is reported as a warning: cron runs it every minute.
const COLLECT_STALE_SECS: i64 = 5 * 60;

/// Filesystems where SQLite's WAL mode is unsafe (shared memory does not work across hosts).
const NETWORK_FILESYSTEMS: &[&str] = &[
    "nfs",
    "nfs4",
    "cifs",
    "smb3",
    "smbfs",
    "ceph",
    "glusterfs",
    "9p",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Verdict {
    Ok,
    Warn,
    Fail,
}

#[derive(Debug, Serialize)]
struct Check {
    check: &'static str,
    status: Verdict,
    detail: String,
}

impl TableRow for Check {
    fn headers() -> Vec<&'static str> {
        vec!["check", "status", "detail"]
    }
    fn cells(&self, out: &Output) -> Vec<Cell> {
        let word = match self.status {
            Verdict::Ok => "ok",
            Verdict::Warn => "warn",
            Verdict::Fail => "fail",
        };
        let cell = out.status_cell(word);
        vec![Cell::new(self.check), cell, Cell::new(&self.detail)]
    }
}

fn check(check: &'static str, status: Verdict, detail: impl Into<String>) -> Check {
    Check {
        check,
        status,
        detail: detail.into(),
    }
}

pub(crate) fn run(ctx: &Ctx, args: &DoctorArgs) -> Result<()> {
    let mut checks = Vec::new();
    let path = ctx.db_path()?;
    let store_error = check_store(ctx, &path, &mut checks);
    let gpu_sources = check_sources(args, &mut checks);
    ctx.out.list(&checks, None)?;
    if let Some(error) = store_error {
        return Err(error);
    }
    if gpu_sources == 0 {
        return Err(Error::no_gpu("no GPU source: neither NVML nor nvidia-smi can read the GPUs")
            .with_hint("install the NVIDIA driver (it ships NVML and nvidia-smi), or pass --smi-command PATH"));
    }
    Ok(())
}

/// Store checks; returns the error to exit with when the store is unusable.
fn check_store(ctx: &Ctx, path: &Path, checks: &mut Vec<Check>) -> Option<Error> {
    checks.push(check("store path", Verdict::Ok, path.display().to_string()));
    if let Some(fs) = filesystem_of(path) {
        let network = NETWORK_FILESYSTEMS.contains(&fs.as_str()) || fs.starts_with("fuse");
        checks.push(if network {
            check("filesystem", Verdict::Warn, format!("{fs}: SQLite's WAL mode is unsafe on network filesystems; keep the store on local disk"))
        } else {
            check("filesystem", Verdict::Ok, fs)
        });
    }
    let store = match Store::open(path, DEFAULT_BUSY_TIMEOUT) {
        Ok(store) => store,
        Err(e) => {
            checks.push(check("store", Verdict::Fail, e.message.clone()));
            return Some(e);
        }
    };
    let mode = |p: &Path| {
        std::fs::metadata(p)
            .ok()
            .map(|m| m.permissions().mode() & 0o777)
    };
    let dir = path.parent().map(PathBuf::from).unwrap_or_default();
    match (mode(&dir), mode(path)) {
        (Some(d), Some(f)) if d & 0o077 == 0 && f & 0o077 == 0 => {
            checks.push(check("permissions", Verdict::Ok, format!("directory {d:o}, file {f:o}")))
        }
        (d, f) => checks.push(check(
            "permissions",
            Verdict::Warn,
            format!(
                "directory {}, file {}: others can read the store; chmod 700 the directory and 600 the file",
                d.map_or("?".into(), |d| format!("{d:o}")),
                f.map_or("?".into(), |f| format!("{f:o}"))
            ),
        )),
    }
    match store.schema_version() {
        Ok(v) => checks.push(check(
            "schema",
            Verdict::Ok,
            format!("version {v} of {}", migrations::latest_version()),
        )),
        Err(e) => checks.push(check("schema", Verdict::Fail, e.message)),
    }
    match store.journal_mode() {
        Ok(mode) if mode.eq_ignore_ascii_case("wal") => {
            checks.push(check("journal", Verdict::Ok, "WAL"))
        }
        Ok(mode) => checks.push(check(
            "journal",
            Verdict::Warn,
            format!("{mode}: expected WAL"),
        )),
        Err(e) => checks.push(check("journal", Verdict::Fail, e.message)),
    }
    match prometheus::health(store.conn()) {
        Ok(Some(health)) => {
            let last = health.last_success_at;
            let detail = match last {
                Some(at) => format!(
                    "last success {} ({})",
                    clock::rfc3339(at),
                    clock::ago(ctx.now, at)
                ),
                None => "never succeeded".to_string(),
            };
            let fresh = last.is_some_and(|at| ctx.now - at <= COLLECT_STALE_SECS);
            let status = if health.success && fresh {
                Verdict::Ok
            } else {
                Verdict::Warn
            };
            let detail = if health.success {
                detail
            } else {
                format!("the last run failed; {detail}")
            };
            checks.push(check("last collect", status, detail));
        }
        Ok(None) => checks.push(check(
            "last collect",
            Verdict::Warn,
            "never ran on this store",
        )),
        Err(e) => checks.push(check("last collect", Verdict::Fail, e.message)),
    }
    None
}

/// Checks NVML and nvidia-smi; returns how many can read GPUs.
fn check_sources(args: &DoctorArgs, checks: &mut Vec<Check>) -> usize {
    let mut usable = 0;
    match NvmlSource::open().and_then(|mut nvml| nvml.sample()) {
        Ok(gpus) => {
            usable += 1;
            let driver = gpus
                .iter()
                .find_map(|g| g.driver_version.clone())
                .unwrap_or_else(|| "?".into());
            checks.push(check(
                "nvml",
                Verdict::Ok,
                format!("driver {driver}, {} GPU(s)", gpus.len()),
            ));
            for gpu in &gpus {
                checks.push(check(
                    "gpu",
                    Verdict::Ok,
                    format!(
                        "{} {} {}",
                        gpu.index.map_or("?".into(), |i| i.to_string()),
                        gpu.uuid,
                        gpu.name.as_deref().unwrap_or("")
                    ),
                ));
            }
        }
        Err(e) => checks.push(check("nvml", Verdict::Warn, e.to_string())),
    }
    match SmiSource::new(&args.smi_command).sample() {
        Ok(gpus) => {
            usable += 1;
            checks.push(check(
                "nvidia-smi",
                Verdict::Ok,
                format!("{}: {} GPU(s)", args.smi_command.display(), gpus.len()),
            ));
        }
        Err(e) => checks.push(check("nvidia-smi", Verdict::Warn, e.to_string())),
    }
    usable
}

/// The filesystem type of the mount holding `path`, from /proc/self/mounts.
fn filesystem_of(path: &Path) -> Option<String> {
    let target = path
        .parent()
        .and_then(|dir| std::fs::canonicalize(dir).ok())
        .unwrap_or_else(|| path.to_path_buf());
    let mounts = std::fs::read_to_string("/proc/self/mounts").ok()?;
    mounts
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let _device = fields.next()?;
            let mount_point = fields.next()?.replace("\\040", " ");
            let fs_type = fields.next()?;
            target
                .starts_with(&mount_point)
                .then(|| (mount_point.len(), fs_type.to_string()))
        })
        .max_by_key(|(len, _)| *len)
        .map(|(_, fs)| fs)
}
