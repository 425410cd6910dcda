//! `gpuctl demo`: a realistic fleet in a separate store, then its dashboard.

use std::path::{Path, PathBuf};

use crate::cli::DemoArgs;
use crate::clock;
use crate::demo::{self, DemoSpec, DemoSummary, DEMO_MARKER_KEY};
use crate::error::{Error, Result};
use crate::output::Format;
use crate::store::{self, settings, Store, DEFAULT_BUSY_TIMEOUT};
use crate::Ctx;

/// Where the demo store lives unless `--db` is typed.
pub(crate) fn default_demo_path() -> Result<PathBuf> {
    crate::default_data_dir().map(|dir| dir.join("demo.db"))
}

/// A demo store just generated, for the dashboard and tips that follow it.
pub(crate) struct GeneratedDemo {
    pub(crate) path: PathBuf,
    summary: DemoSummary,
}

/// Generates the demo store. Returns it when a table (the overview, then tips) should follow;
/// JSON prints the summary here and ends.
pub(crate) fn run(ctx: &Ctx, args: &DemoArgs) -> Result<Option<GeneratedDemo>> {
    // Only a --db typed on this command line is used: GPUCTL_DB may name the everyday store.
    let path = if ctx.db_on_command_line {
        ctx.db_path()?
    } else {
        default_demo_path()?
    };
    replace_demo_store(&path)?;
    let spec = DemoSpec {
        nodes: args.nodes as usize,
        gpus_per_node: args.gpus_per_node as usize,
        days: i64::from(args.days),
        seed: args.seed,
    };
    let mut store = Store::open(&path, DEFAULT_BUSY_TIMEOUT)?;
    let bar = ctx.out.progress(
        (spec.nodes * spec.gpus_per_node) as u64,
        "generating samples",
    );
    let summary = demo::generate(&mut store, spec, ctx.now, &|done, _| bar.set_position(done))?;
    bar.finish_and_clear();
    match ctx.out.format {
        // The summary is one flat object: one JSON object, or one CSV row under its header.
        Format::Json | Format::Csv => {
            ctx.out.show(&summary, |_, _| Ok(()))?;
            Ok(None)
        }
        Format::Table => Ok(Some(GeneratedDemo { path, summary })),
    }
}

/// What the demo holds and the commands to try on it.
pub(crate) fn print_tips(ctx: &Ctx, demo: &GeneratedDemo) -> Result<()> {
    let summary = &demo.summary;
    let db = shell_quote(&demo.path);
    ctx.out.note(format!(
        "\nDemo store {}: {} nodes, {} GPUs, {} MIG instances, {} leases, {} samples, {} alerts firing.\nIts clock stays at {} UTC: every command on it runs at that instant (unless GPUCTL_NOW is set), so the fleet never ages.\nTry:\n  gpuctl --db {db} node list --cluster prod-east\n  gpuctl --db {db} dashboard trends --since 24h\n  gpuctl --db {db} dashboard realtime\n  gpuctl --db {db} alert list\n  gpuctl --db {db} alloc list\n  gpuctl --db {db} mig list\n  gpuctl --db {db} node history pe-gpu-001",
        demo.path.display(),
        summary.nodes,
        summary.gpus,
        summary.mig_instances,
        summary.leases,
        summary.samples,
        summary.alerts_firing,
        clock::short_time(ctx.now)
    ));
    Ok(())
}

/// Removes an earlier demo store at `path`; refuses to touch a store that is not a demo store.
/// A demo store is one the demo marked (in its first transaction, so also one it was stopped in
/// later), or one holding nothing of its own: what a demo killed before that first commit, or
/// stopped by a full disk, leaves behind. Replacing it loses nothing.
fn replace_demo_store(path: &Path) -> Result<()> {
    // A path that cannot be a store at all (a device, a dangling link) is refused as such.
    store::check_store_path(path)?;
    if !path.exists() {
        return Ok(());
    }
    let verdict = Store::open(path, DEFAULT_BUSY_TIMEOUT).and_then(|store| {
        Ok(settings::get(store.conn(), DEMO_MARKER_KEY)?.is_some() || store.is_untouched()?)
    });
    let is_demo = match verdict {
        Ok(is_demo) => is_demo,
        // A full disk or a busy store says nothing about what the store is: report it as such.
        Err(e) if is_about_the_machine(&e) => return Err(e),
        Err(_) => false,
    };
    if !is_demo {
        return Err(Error::conflict(format!(
            "'{}' is not a demo store: the demo never overwrites other stores",
            path.display()
        ))
        .with_hint(
            "pass --db with a new file name, or run without --db to use the default demo store",
        ));
    }
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_os_string();
        name.push(suffix);
        match std::fs::remove_file(&name) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(Error::runtime(format!(
                    "cannot replace the demo store {}: {e}",
                    path.display()
                )))
            }
        }
    }
    Ok(())
}

/// Whether opening a store failed because of the machine (disk full, I/O, busy), not the file.
fn is_about_the_machine(error: &Error) -> bool {
    use rusqlite::ErrorCode;
    error.is_disk_full()
        || matches!(
            error.sqlite_code(),
            Some(
                ErrorCode::SystemIoFailure
                    | ErrorCode::DatabaseBusy
                    | ErrorCode::DatabaseLocked
                    | ErrorCode::DiskFull
            )
        )
}

fn shell_quote(path: &Path) -> String {
    let text = path.display().to_string();
    if text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-".contains(c))
    {
        text
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}
