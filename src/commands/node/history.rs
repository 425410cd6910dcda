//! `gpuctl node history|recent`: the audit log of one node, and the nodes that changed.

use super::*;

pub(super) fn history(ctx: &Ctx, args: &NodeHistoryArgs) -> Result<()> {
    let since = args.since.as_ref().map(|span| ctx.now - span.seconds());
    let store = ctx.store()?;
    let (cluster, name) = node_with_history(store.conn(), &args.name)?;
    let page = args.page.page(Some(HISTORY_PAGE_SIZE));
    let (events, total) = events::page_for_node(store.conn(), &cluster, &name, since, page)?;
    let rows: Vec<HistoryRow> = events.into_iter().map(HistoryRow).collect();
    let footer = page_footer(page, rows.len(), total, "change", "changes");
    ctx.out.list(&rows, Some(footer))
}

/// The (cluster, name) whose history `text` names: a node of the store, or one removed whose
/// history stays.
fn node_with_history(conn: &rusqlite::Connection, text: &str) -> Result<(String, String)> {
    match resolve_node(conn, text) {
        Ok(node) => return Ok((node.cluster, node.name)),
        Err(e) if e.kind != crate::error::ErrorKind::NotFound => return Err(e),
        Err(_) => {}
    }
    if let Some((cluster, name)) = text.split_once('/') {
        let clusters = events::clusters_with_history(conn, name)?;
        if clusters.iter().any(|c| c == cluster) {
            return Ok((cluster.to_string(), name.to_string()));
        }
        return Err(node_not_found(text));
    }
    let clusters = events::clusters_with_history(conn, text)?;
    match clusters.as_slice() {
        [] => Err(node_not_found(text)),
        [cluster] => Ok((cluster.clone(), text.to_string())),
        many => Err(ambiguous_node(
            text,
            &many.iter().map(String::as_str).collect::<Vec<_>>(),
        )),
    }
}

/// A line of `node recent`.
#[derive(Default, Serialize)]
pub(super) struct RecentRow {
    name: String,
    cluster: Option<String>,
    /// `removed` once the node is gone.
    status: String,
    changes: i64,
    last_kind: String,
    #[serde(with = "crate::domain::unix_time")]
    changed_at: i64,
}

impl TableRow for RecentRow {
    fn headers() -> Vec<&'static str> {
        vec![
            "name",
            "cluster",
            "status",
            "changes",
            "last change",
            "when",
        ]
    }
    fn cells(&self, out: &Output) -> Vec<Cell> {
        vec![
            Cell::new(&self.name),
            Cell::new(or_dash(&self.cluster)),
            out.status_cell(&self.status),
            out.number_cell(self.changes),
            Cell::new(&self.last_kind),
            Cell::new(clock::short_time(self.changed_at)),
        ]
    }
}

pub(super) fn recent(ctx: &Ctx, args: &NodeRecentArgs) -> Result<()> {
    let since = ctx.now - args.since.seconds();
    let store = ctx.store()?;
    let page = args.page.page(None);
    let (changes, total) = nodes::recently_changed(store.conn(), since, page)?;
    let rows: Vec<RecentRow> = changes.into_iter().map(RecentRow::from).collect();
    let footer = format!(
        "{} changed in the last {}",
        page_footer(page, rows.len(), total, "node", "nodes"),
        args.since
    );
    ctx.out.list(&rows, Some(footer))
}

impl From<RecentChange> for RecentRow {
    fn from(c: RecentChange) -> Self {
        RecentRow {
            name: c.name,
            cluster: c.cluster,
            status: c
                .status
                .map_or_else(|| "removed".to_string(), |s| s.to_string()),
            changes: c.changes,
            last_kind: c.last_kind,
            changed_at: c.last_change_at,
        }
    }
}
