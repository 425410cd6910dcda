//! `gpuctl demo`: a realistic fleet in a separate store, then its dashboard.

use std::path::{Path, PathBuf};

use crate::cli::DemoArgs;
use crate::demo::{self, DemoSpec, DemoSummary, DEMO_MARKER_KEY};
use crate::error::{Error, Result};
use crate::output::Format;
use crate::store::{settings, Store, DEFAULT_BUSY_TIMEOUT};
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
        Format::Json => {
            ctx.out.show(&summary, |_, _| Ok(()))?;
            Ok(None)
        }
        Format::Table => Ok(Some(GeneratedDemo { path, summary })),
        _ => {
            print_tips(ctx, &GeneratedDemo { path, summary })?;
            Ok(None)
        }
    }
}

/// What the demo holds and the commands to try on it.
pub(crate) fn print_tips(ctx: &Ctx, demo: &GeneratedDemo) -> Result<()> {
    let summary = &demo.summary;
    let db = shell_quote(&demo.path);
    ctx.out.note(format!(
        "\nDemo store {}: {} nodes, {} GPUs, {} MIG instances, {} leases, {} samples, {} alerts firing.\nTry:\n  gpuctl --db {db} node list --cluster prod-east\n  gpuctl --db {db} dashboard trends --since 24h\n  gpuctl --db {db} dashboard realtime\n  gpuctl --db {db} alert list\n  gpuctl --db {db} alloc list\n  gpuctl --db {db} mig list\n  gpuctl --db {db} node history pe-gpu-001",
        demo.path.display(),
        summary.nodes,
        summary.gpus,
        summary.mig_instances,
        summary.leases,
        summary.samples,
        summary.alerts_firing
    ));
    Ok(())
}

/// Removes an earlier demo store at `path`; refuses to touch a store that is not a demo store.
fn replace_demo_store(path: &Path) -> Result<()> {
    if !path.exists() {
        return Ok(());
    }
    let is_demo = Store::open(path, DEFAULT_BUSY_TIMEOUT)
        .and_then(|store| settings::get(store.conn(), DEMO_MARKER_KEY))
        .map(|marker| marker.is_some())
        .unwrap_or(false);
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
