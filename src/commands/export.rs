//! `gpuctl export …`: data for other systems.

use crate::cli::ExportCommand;
use crate::error::Result;
use crate::prometheus;
use crate::store::metrics;
use crate::Ctx;

pub(crate) fn run(ctx: &Ctx, command: &ExportCommand) -> Result<()> {
    match command {
        ExportCommand::Prometheus => export_prometheus(ctx),
    }
}

fn export_prometheus(ctx: &Ctx) -> Result<()> {
    let store = ctx.store()?;
    let latest = metrics::latest_per_device(store.conn())?;
    let health = prometheus::health(store.conn())?;
    ctx.out.raw(prometheus::render(&latest, health).as_bytes())
}
