//! `gpuctl node list`: search, filters, sort and pages.

use super::*;
use crate::inventory::check_cluster;

pub(super) fn list(ctx: &Ctx, args: &NodeListArgs) -> Result<()> {
    let sort = args.sort;
    let labels = args
        .labels
        .iter()
        .map(|l| (l.key.clone(), l.value.clone()))
        .collect();
    let changed_since = args
        .changed_since
        .as_ref()
        .map(|span| ctx.now - span.seconds());
    let filter = NodeFilter {
        search: args.search.clone().filter(|s| !s.is_empty()),
        status: args.status,
        cluster: args.cluster.clone(),
        labels,
        changed_since,
    };
    let page = args.page.page(None);
    let store = ctx.store()?;
    if let Some(cluster) = &filter.cluster {
        check_cluster(store.conn(), cluster)?;
    }
    let (rows, total) = nodes::list(store.conn(), &filter, sort, args.desc, page)?;
    ctx.out.list(
        &rows,
        Some(page_footer(page, rows.len(), total, "node", "nodes")),
    )
}
