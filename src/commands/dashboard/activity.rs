//! `gpuctl dashboard activity|alerts`: recent changes and open alerts.

use super::*;

/// A recent event, as the dashboard lists it.
#[derive(Default, Serialize)]
#[serde(transparent)]
pub(super) struct ActivityRow(pub(super) Event);

impl TableRow for ActivityRow {
    fn headers() -> Vec<&'static str> {
        vec!["time", "kind", "subject", "change"]
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
        ]
    }
}

pub(super) fn activity(ctx: &Ctx, args: &ActivityArgs) -> Result<()> {
    let store = ctx.store()?;
    let rows: Vec<ActivityRow> = events::recent(store.conn(), i64::from(args.limit))?
        .into_iter()
        .map(ActivityRow)
        .collect();
    ctx.out.list(&rows, None)
}

pub(super) fn active_alerts(ctx: &Ctx, args: &DashboardAlertsArgs) -> Result<()> {
    let store = ctx.store()?;
    let rows = open_alerts(store, i64::from(args.limit))?;
    ctx.out.list(&rows, None)
}
