//! `gpuctl dashboard`: the one-screen overview.

use super::activity::ActivityRow;
use super::*;

/// The one-screen overview, as JSON.
#[derive(Serialize)]
pub(super) struct Overview {
    #[serde(with = "crate::domain::unix_time")]
    generated_at: i64,
    stats: StatsView,
    clusters: Vec<StatsView>,
    alerts: Vec<Alert>,
    activity: Vec<Event>,
}

pub(crate) fn overview(ctx: &Ctx) -> Result<()> {
    ctx.out
        .require_format("dashboard", TABLE_AND_JSON)
        .map_err(|e| {
            e.with_hint(
                "'gpuctl dashboard stats|clusters|alerts|activity -o csv' give its parts as CSV",
            )
        })?;
    let store = ctx.store()?;
    // One pass over the devices: the fleet's figures are its clusters' together.
    let clusters =
        dashboard::group_stats(store.conn(), Grouping::Cluster, ctx.now - FRESH_SAMPLE_SECS)?;
    let stats = StatsView::new(GroupStats::combine("", &clusters), Grouping::Overall);
    let overview = Overview {
        generated_at: ctx.now,
        stats,
        clusters: clusters
            .into_iter()
            .map(|g| StatsView::new(g, Grouping::Cluster))
            .collect(),
        alerts: open_alerts(store, OVERVIEW_ITEMS)?,
        // Changes, not the per-minute run log: `dashboard activity` shows every kind.
        activity: events::recent_changes(store.conn(), OVERVIEW_ITEMS, EventKind::CollectRun)?,
    };
    ctx.out
        .show(&overview, |out, w| render_overview(out, w, &overview))
}

/// The overview, as wide as the terminal (each table fits it as every table does).
pub(super) fn render_overview(out: &Output, w: &mut dyn Write, o: &Overview) -> Result<()> {
    writeln!(w, "GPU fleet · {}", clock::short_time(o.generated_at))?;
    writeln!(w, "{}", stats_fields(out, &o.stats))?;
    if !o.clusters.is_empty() {
        writeln!(w)?;
        let rows = o.clusters.iter().map(|c| c.cells(out)).collect();
        let mut headers = StatsView::headers();
        headers[0] = "cluster";
        writeln!(w, "{}", out.table(headers, rows))?;
    }
    writeln!(w)?;
    if o.alerts.is_empty() {
        writeln!(w, "Active alerts: none")?;
    } else {
        writeln!(w, "Active alerts (most severe first):")?;
        let rows = o
            .alerts
            .iter()
            .map(|a| {
                // The UUID's first block tells GPUs apart; the full one is in 'alert list'.
                let gpu: String = a
                    .device
                    .as_deref()
                    .map_or("-".into(), |u| u.chars().take(12).collect());
                vec![
                    out.status_cell(a.severity.as_str()),
                    Cell::new(or_dash(&a.node)),
                    Cell::new(gpu),
                    Cell::new(&a.rule),
                    Cell::new(clock::short_time(a.last_seen_at)),
                ]
            })
            .collect();
        writeln!(
            w,
            "{}",
            out.table(vec!["severity", "node", "gpu", "rule", "last seen"], rows)
        )?;
    }
    writeln!(w)?;
    writeln!(w, "Recent activity:")?;
    let rows = o
        .activity
        .iter()
        .map(|e| ActivityRow(e.clone()).cells(out))
        .collect();
    writeln!(w, "{}", out.table(ActivityRow::headers(), rows))?;
    Ok(())
}
