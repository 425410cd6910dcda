//! `gpuctl dashboard realtime`: per-GPU metrics, once or redrawn.
//!
//! Rows stream from the statement to the output: each is borrowed from the store's row,
//! written (JSON, CSV) or added to the table's cell buffer, and dropped. Nothing per row is
//! allocated.

use super::*;
use crate::inventory::Filters;
use crate::output::{Bar, CellBuffer, ListSink, StreamRow};
use crate::store::dashboard::{RealtimeQuery, RealtimeSample};

/// The table's columns; the fifth is the utilisation bar.
const HEADERS: &[&str] = &[
    "node", "gpu", "model", "util", "", "memory", "temp", "power", "age", "workload",
];

/// How many characters the utilisation bar takes.
const BAR_WIDTH: usize = 10;

/// The bar's place when a GPU reports no utilisation.
const BLANK_BAR: &str = "          ";
const _: () = assert!(BLANK_BAR.len() == BAR_WIDTH);

/// One GPU's latest sample, as JSON and CSV show it.
#[derive(Debug, Default, Serialize)]
struct RealtimeRow<'a> {
    node: &'a str,
    index: i64,
    uuid: &'a str,
    model: Option<&'a str>,
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
    workload: Option<&'a str>,
}

impl<'a> RealtimeRow<'a> {
    fn new(sample: &RealtimeSample<'a>, now: i64, interval: i64) -> RealtimeRow<'a> {
        let age_secs = now - sample.ts;
        RealtimeRow {
            node: sample.node,
            index: sample.index,
            uuid: sample.uuid,
            model: sample.model,
            gpu_util: sample.gpu_util,
            mem_used_mib: sample.mem_used_mib,
            mem_total_mib: sample.memory_total_mib,
            temp_c: sample.temp_c,
            power_w: sample.power_mw.map(|mw| mw as f64 / 1000.0),
            power_limit_w: sample.power_limit_mw.map(|mw| mw as f64 / 1000.0),
            sample_at: sample.ts,
            age_secs,
            stale: age_secs > 3 * interval,
            workload: sample.workload,
        }
    }
}

impl StreamRow for RealtimeRow<'_> {
    fn add_cells(&self, out: &Output, cells: &mut CellBuffer) {
        cells.add_str(self.node);
        cells.add(self.index).right();
        cells.add_str(self.model.unwrap_or("-"));
        match self.gpu_util {
            Some(util) => cells.add(format_args!("{util}%")).right(),
            None => cells.add_str("-").right(),
        };
        match self.gpu_util {
            Some(util) => cells.add(Bar {
                fraction: util as f64 / 100.0,
                width: BAR_WIDTH,
            }),
            None => cells.add_str(BLANK_BAR),
        };
        match (self.mem_used_mib, self.mem_total_mib) {
            (Some(used), Some(total)) => cells.add(format_args!("{} / {}", Gib(used), Gib(total))),
            (Some(used), None) => cells.add(Gib(used)),
            _ => cells.add_str("-"),
        };
        match self.temp_c {
            Some(temp) => cells.add(format_args!("{temp}°C")).right(),
            None => cells.add_str("-").right(),
        };
        // Whole watts from the milliwatts the store keeps (W × 1000 gives them back exactly).
        let whole_watts = |w: f64| div_round((w * 1000.0).round() as i64, 1000);
        match (self.power_w, self.power_limit_w) {
            (Some(p), Some(l)) => {
                cells.add(format_args!("{} / {} W", whole_watts(p), whole_watts(l)))
            }
            (Some(p), None) => cells.add(format_args!("{} W", whole_watts(p))),
            _ => cells.add_str("-"),
        };
        let ago = clock::Ago {
            now: self.sample_at + self.age_secs,
            then: self.sample_at,
        };
        if self.stale {
            cells
                .add(format_args!("stale {ago}"))
                .tone(out.tone("critical"));
        } else {
            cells.add(ago);
        }
        cells.add_str(self.workload.unwrap_or("-"));
    }
}

/// Streams every GPU's row into `sink`; returns how many there were and how many were stale.
fn stream_rows(
    store: &Store,
    query: &RealtimeQuery,
    sink: &mut ListSink<'_>,
    now: i64,
    interval: i64,
) -> Result<(usize, usize)> {
    let (mut rows, mut stale) = (0, 0);
    dashboard::for_each_realtime_sample(store.conn(), query, |sample| {
        let row = RealtimeRow::new(sample, now, interval);
        rows += 1;
        stale += usize::from(row.stale);
        sink.push(&row)
    })?;
    Ok((rows, stale))
}

pub(super) fn realtime(ctx: &Ctx, args: &RealtimeArgs) -> Result<()> {
    let interval = args.interval.seconds();
    let store = ctx.store()?;
    store.unmapped()?;
    let filters = Filters::resolve(
        store.conn(),
        args.node.as_deref(),
        args.cluster.as_deref(),
        args.model.as_deref(),
    )?;
    let query = RealtimeQuery {
        node_id: filters.node.as_ref().map(|n| n.id),
        cluster: filters.cluster.clone(),
        model_id: filters.model.as_ref().map(|m| m.id),
        sort: Some(args.sort),
    };
    let footer = |rows: usize, stale: usize| {
        format!(
            "{rows} GPU(s), {stale} stale (no sample for more than 3 × {})",
            args.interval
        )
    };
    let Some(watch) = &args.watch else {
        return ctx.out.stream::<RealtimeRow>(HEADERS, |sink| {
            let (rows, stale) = stream_rows(store, &query, sink, ctx.now, interval)?;
            Ok(Some(footer(rows, stale)))
        });
    };
    if !ctx.out.can_redraw() {
        return Err(Error::usage(
            "--watch redraws a table in place: it needs a terminal and -o table",
        ));
    }
    let stop = StopFlag::install()?;
    loop {
        let now = ctx.current_time()?;
        let mut cells = CellBuffer::default();
        let (rows, stale) = stream_rows(
            store,
            &query,
            &mut ctx.out.table_sink(&mut cells),
            now,
            interval,
        )?;
        let table = ctx.out.buffered_table(HEADERS, cells);
        ctx.out.redraw(&format!(
            "{} · every {watch} · Ctrl-C to stop\n\n{table}\n{}\n",
            clock::short_time(now),
            footer(rows, stale)
        ))?;
        let deadline = std::time::Instant::now() + watch.to_std();
        if !stop.sleep_until(deadline) {
            return Ok(());
        }
    }
}
