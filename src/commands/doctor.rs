//! `gpuctl doctor`: is this host set up for what it does? Checks the store (path, permissions,
//! schema, WAL, filesystem), the GPU sources, and the last collect run.
//!
//! No usable GPU source is fatal (exit 6) only on a GPU node: one whose store says a live collect
//! reads GPUs here, or when `--require-gpu` says so. An admin host whose store is fed by imports
//! or Prometheus needs no local GPU, so there the sources are skipped and doctor can be its
//! health check.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::output::Cell;
use serde::Serialize;

use crate::cli::DoctorArgs;
use crate::clock;
use crate::error::{Error, Result};
use crate::gpu::nvml::{NvmlSource, NVML_NAME};
use crate::gpu::smi::{SmiSource, SMI_NAME};
use crate::gpu::source::GpuSource;
use crate::output::{Output, TableRow};
use crate::prometheus;
use crate::store::{events, migrations, Store, DEFAULT_BUSY_TIMEOUT};
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

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Verdict {
    #[default]
    Ok,
    Warn,
    Fail,
    /// Not needed on this host (a GPU source on an admin host).
    Skip,
}

#[derive(Debug, Default, Serialize)]
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
            Verdict::Skip => "skip",
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
    let store = check_store(ctx, &path, &mut checks);
    let first_source = checks.len();
    let gpu_required = if check_sources(args, &mut checks) > 0 {
        Ok(false)
    } else {
        judge_missing_sources(ctx, store.as_ref().ok(), args, &mut checks, first_source)
    };
    ctx.out.list(&checks, None)?;
    store?;
    if gpu_required? {
        return Err(Error::no_gpu("no GPU source: neither NVML nor nvidia-smi can read the GPUs")
            .with_hint("install the NVIDIA driver (it ships NVML and nvidia-smi), or pass --smi-command PATH"));
    }
    Ok(())
}

/// No source can read GPUs: adds the `gpu source` check and returns whether that is fatal. On
/// an admin host the sources' failures (from `first_source` on) and a collect that never ran
/// are expected, so they turn from warnings into skips.
fn judge_missing_sources(
    ctx: &Ctx,
    store: Option<&Store>,
    args: &DoctorArgs,
    checks: &mut Vec<Check>,
    first_source: usize,
) -> Result<bool> {
    match why_gpu_required(ctx, store, args) {
        Ok(Some(why)) => {
            let detail = format!("none usable, and {why}");
            checks.push(check("gpu source", Verdict::Fail, detail));
            Ok(true)
        }
        Ok(None) => {
            for source in &mut checks[first_source..] {
                source.status = Verdict::Skip;
            }
            for never in checks.iter_mut().filter(|c| c.detail == NEVER_COLLECTED) {
                never.status = Verdict::Skip;
            }
            checks.push(check("gpu source", Verdict::Skip, NO_LOCAL_GPU));
            Ok(false)
        }
        Err(e) => {
            checks.push(check("gpu source", Verdict::Fail, e.message.clone()));
            Err(e)
        }
    }
}

/// The last-collect check on a store no collect has written.
const NEVER_COLLECTED: &str = "never ran on this store";

/// What doctor says on a host without a usable GPU source that needs none.
const NO_LOCAL_GPU: &str = "no local GPU: fine for an admin host whose store is fed by imports or Prometheus; --require-gpu makes it fatal";

/// Why this host must have a usable GPU source, if it must: `--require-gpu`, or the store says
/// a live collect (NVML or nvidia-smi, not a replay) reads GPUs here: the setting it keeps, else
/// (a store from an older gpuctl) its `collect.run` events, else a last run that failed, which
/// only a live collect records. An unusable store (`None`) says nothing; only the flag counts.
fn why_gpu_required(ctx: &Ctx, store: Option<&Store>, args: &DoctorArgs) -> Result<Option<String>> {
    if args.require_gpu {
        return Ok(Some("--require-gpu was given".to_string()));
    }
    let Some(store) = store else {
        return Ok(None);
    };
    let conn = store.conn();
    let read_here = |node: &str, source: &str, at: i64| {
        format!(
            "a collect read node {node}'s GPUs here with {source} ({})",
            clock::ago(ctx.now, at)
        )
    };
    if let Some(local) = prometheus::local_collect(conn)? {
        return Ok(Some(read_here(&local.node, &local.source, local.at)));
    }
    let mut newest: Option<(crate::domain::Event, &str)> = None;
    for source in [NVML_NAME, SMI_NAME] {
        if let Some(event) = events::newest_collect_run_from(conn, source)? {
            if newest.as_ref().is_none_or(|(e, _)| event.at > e.at) {
                newest = Some((event, source));
            }
        }
    }
    if let Some((event, source)) = newest {
        return Ok(Some(read_here(&event.subject, source, event.at)));
    }
    if prometheus::health(conn)?.is_some_and(|health| !health.success) {
        return Ok(Some(
            "the last collect on this store failed to read this host's GPUs".to_string(),
        ));
    }
    Ok(None)
}

/// Store checks; returns the store, or the error to exit with when it is unusable.
fn check_store(ctx: &Ctx, path: &Path, checks: &mut Vec<Check>) -> Result<Store> {
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
            return Err(e);
        }
    };
    let mode = |p: &Path| {
        std::fs::metadata(p)
            .ok()
            .map(|m| m.permissions().mode() & 0o777)
    };
    let dir = directory_of(path);
    match (mode(&dir), mode(path)) {
        (Some(d), Some(f)) if d & 0o077 == 0 && f & 0o077 == 0 => {
            checks.push(check("permissions", Verdict::Ok, format!("directory {d:o}, file {f:o}")))
        }
        (None, _) | (_, None) => checks.push(check(
            "permissions",
            Verdict::Warn,
            format!("cannot read the mode of {} or of its directory", path.display()),
        )),
        (Some(d), Some(f)) => checks.push(check(
            "permissions",
            Verdict::Warn,
            format!(
                "directory {d:o}, file {f:o}: others can read the store; chmod 700 the directory and 600 the file"
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
        Ok(None) => checks.push(check("last collect", Verdict::Warn, NEVER_COLLECTED)),
        Err(e) => checks.push(check("last collect", Verdict::Fail, e.message)),
    }
    Ok(store)
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
    match SmiSource::new(&args.smi_command)
        .with_timeout(args.smi_timeout.to_std())
        .sample()
    {
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

/// The directory holding `path`: its parent, or the current directory for a bare file name
/// such as `--db s.db` (whose parent is the empty path).
fn directory_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The filesystem type of the mount holding `path`, from /proc/self/mounts.
fn filesystem_of(path: &Path) -> Option<String> {
    let target = std::fs::canonicalize(directory_of(path)).ok()?;
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
