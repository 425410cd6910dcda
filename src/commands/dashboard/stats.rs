//! `gpuctl dashboard stats|clusters|models`: fleet statistics, overall and per group.

use super::*;

pub(super) fn stats(ctx: &Ctx) -> Result<()> {
    let store = ctx.store()?;
    let overall = load_groups(store, ctx, Grouping::Overall)?
        .pop()
        .ok_or_else(|| Error::runtime("no statistics"))?;
    ctx.out.show(&overall, |out, w| {
        writeln!(w, "{}", stats_fields(out, &overall))?;
        Ok(())
    })
}

impl TableRow for StatsView {
    fn headers() -> Vec<&'static str> {
        vec![
            "name", "nodes", "gpus", "alloc", "free", "faulty", "mig", "util", "mem", "power",
            "alerts",
        ]
    }
    fn cells(&self, out: &Output) -> Vec<Cell> {
        vec![
            Cell::new(self.key()),
            out.number_cell(self.nodes_total),
            out.number_cell(self.gpus_total),
            out.number_cell(self.gpus_allocated),
            out.number_cell(self.gpus_free),
            out.number_cell(self.gpus_faulty),
            out.number_cell(self.mig_instances),
            out.number_cell(pct(self.gpu_util_avg)),
            out.number_cell(pct(self.memory_used_pct)),
            out.number_cell(pct(self.power_used_pct)),
            out.number_cell(self.alerts_active),
        ]
    }
}

pub(super) fn groups(ctx: &Ctx, grouping: Grouping) -> Result<()> {
    let store = ctx.store()?;
    let rows = load_groups(store, ctx, grouping)?;
    // A group's row names its cluster or its model: an empty list's header names it too.
    ctx.out.list_shaped(&rows, None, || {
        StatsView::new(GroupStats::combine("", &[]), grouping)
    })
}
