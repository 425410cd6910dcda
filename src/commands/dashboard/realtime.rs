//! `gpuctl dashboard realtime`: per-GPU metrics, once or redrawn.

use super::*;

/// One GPU's latest sample.
#[derive(Debug, Serialize)]
pub(super) struct RealtimeRow {
    node: String,
    index: i64,
    uuid: String,
    model: Option<String>,
    gpu_util: Option<i64>,
    mem_used_mib: Option<i64>,
    mem_total_mib: Option<i64>,
    temp_c: Option<i64>,
    power_w: Option<f64>,
    power_limit_w: Option<f64>,
    #[serde(with = "crate::domain::unix_time")]
    sample_at: i64,
    age_secs: i64,
    stale: bool,
    /// The pods using the GPU, as dcgm-exporter last reported them.
    workload: Option<String>,
}

impl TableRow for RealtimeRow {
    fn headers() -> Vec<&'static str> {
        vec![
            "node", "gpu", "model", "util", "", "memory", "temp", "power", "age", "workload",
        ]
    }
    fn cells(&self, out: &Output) -> Vec<Cell> {
        let util_bar = self
            .gpu_util
            .map_or_else(|| " ".repeat(10), |u| bar(u as f64 / 100.0, 10));
        let memory = match (self.mem_used_mib, self.mem_total_mib) {
            (Some(used), Some(total)) => format!("{} / {}", gib(used), gib(total)),
            (Some(used), None) => gib(used),
            _ => "-".into(),
        };
        // Whole watts from the milliwatts the store keeps (W × 1000 gives them back exactly).
        let whole_watts = |w: f64| div_round((w * 1000.0).round() as i64, 1000);
        let power = match (self.power_w, self.power_limit_w) {
            (Some(p), Some(l)) => format!("{} / {} W", whole_watts(p), whole_watts(l)),
            (Some(p), None) => format!("{} W", whole_watts(p)),
            _ => "-".into(),
        };
        let age = if self.stale {
            out.tone_cell(
                &format!(
                    "stale {}",
                    clock::ago(self.sample_at + self.age_secs, self.sample_at)
                ),
                "critical",
            )
        } else {
            Cell::new(clock::ago(self.sample_at + self.age_secs, self.sample_at))
        };
        vec![
            Cell::new(&self.node),
            out.number_cell(self.index),
            Cell::new(or_dash(&self.model)),
            out.number_cell(self.gpu_util.map_or("-".into(), |u| format!("{u}%"))),
            Cell::new(util_bar),
            Cell::new(memory),
            out.number_cell(self.temp_c.map_or("-".into(), |t| format!("{t}°C"))),
            Cell::new(power),
            age,
            Cell::new(or_dash(&self.workload)),
        ]
    }
}

pub(super) fn realtime_rows(store: &Store, now: i64, interval: i64) -> Result<Vec<RealtimeRow>> {
    Ok(metrics::latest_per_device(store.conn(), None)?
        .into_iter()
        .map(|l| RealtimeRow {
            node: l.node,
            index: l.index,
            uuid: l.uuid,
            model: l.model,
            gpu_util: l.sample.gpu_util,
            mem_used_mib: l.sample.mem_used_mib,
            mem_total_mib: l.memory_total_mib,
            temp_c: l.sample.temp_c,
            power_w: l.sample.power_mw.map(|mw| mw as f64 / 1000.0),
            power_limit_w: l.power_limit_mw.map(|mw| mw as f64 / 1000.0),
            sample_at: l.sample.ts,
            age_secs: now - l.sample.ts,
            stale: now - l.sample.ts > 3 * interval,
            workload: l.workload,
        })
        .collect())
}

pub(super) fn realtime(ctx: &Ctx, args: &RealtimeArgs) -> Result<()> {
    let interval = args.interval.seconds();
    let store = ctx.store()?;
    let footer = |rows: &[RealtimeRow]| {
        let stale = rows.iter().filter(|r| r.stale).count();
        format!(
            "{} GPU(s), {stale} stale (no sample for more than 3 × {})",
            rows.len(),
            args.interval
        )
    };
    let Some(watch) = &args.watch else {
        let rows = realtime_rows(store, ctx.now, interval)?;
        return ctx.out.list(&rows, Some(footer(&rows)));
    };
    if !ctx.out.can_redraw() {
        return Err(Error::usage(
            "--watch redraws a table in place: it needs a terminal and -o table",
        ));
    }
    let stop = StopFlag::install()?;
    loop {
        let now = clock::now()?.timestamp();
        let rows = realtime_rows(store, now, interval)?;
        let table = ctx.out.table(
            RealtimeRow::headers(),
            rows.iter().map(|r| r.cells(&ctx.out)).collect(),
        );
        ctx.out.redraw(&format!(
            "{} · every {watch} · Ctrl-C to stop\n\n{table}\n{}\n",
            clock::short_time(now),
            footer(&rows)
        ))?;
        let deadline = std::time::Instant::now() + watch.to_std();
        if !stop.sleep_until(deadline) {
            return Ok(());
        }
    }
}
