//! `gpuctl dashboard activity|alerts`: recent changes and open alerts.

use super::*;
use crate::cli::{ACTIVITY_PAGE_SIZE, DASHBOARD_ALERTS_PAGE_SIZE};
use crate::commands::page_footer;

/// A recent event, as the dashboard lists it.
#[derive(Default, Serialize)]
#[serde(transparent)]
pub(super) struct ActivityRow(pub(super) Event);

impl TableRow for ActivityRow {
    fn headers() -> Vec<&'static str> {
        vec!["time", "kind", "subject", "change", "actor"]
    }
    fn cells(&self, _out: &Output) -> Vec<Cell> {
        let e = &self.0;
        let change = match (&e.field, &e.old_value, &e.new_value) {
            (Some(field), old, Some(new)) => format!("{field}: {} → {new}", or_dash(old)),
            (_, _, Some(new)) => new.clone(),
            (_, Some(old), None) => old.clone(),
            _ => "-".into(),
        };
        vec![
            Cell::new(clock::short_time(e.at)),
            Cell::new(&e.kind),
            Cell::new(&e.subject),
            Cell::new(change),
            Cell::new(or_dash(&e.actor)),
        ]
    }
}

pub(super) fn activity(ctx: &Ctx, args: &ActivityArgs) -> Result<()> {
    let store = ctx.store()?;
    let page = args.page.page(Some(ACTIVITY_PAGE_SIZE));
    let (events, total) = events::recent(store.conn(), page)?;
    let rows: Vec<ActivityRow> = events.into_iter().map(ActivityRow).collect();
    let footer = page_footer(page, rows.len(), total, "event", "events");
    ctx.out.list(&rows, Some(footer))
}

pub(super) fn active_alerts(ctx: &Ctx, args: &DashboardAlertsArgs) -> Result<()> {
    let store = ctx.store()?;
    let page = args.page.page(Some(DASHBOARD_ALERTS_PAGE_SIZE));
    let (rows, total) = open_alerts_page(store, page)?;
    let footer = page_footer(page, rows.len(), total, "open alert", "open alerts");
    ctx.out.list(&rows, Some(footer))
}
