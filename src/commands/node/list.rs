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
    let limit = args.limit.or(args.page.map(|_| DEFAULT_PAGE_SIZE));
    let page = args.page.unwrap_or(1);
    // Checked: a page past any store (u32 × u32 overflows i64) is simply an empty page.
    let offset = limit.map_or(0, |l| {
        i64::from(l)
            .checked_mul(i64::from(page) - 1)
            .unwrap_or(i64::MAX)
    });
    let store = ctx.store()?;
    if let Some(cluster) = &filter.cluster {
        check_cluster(store.conn(), cluster)?;
    }
    let (rows, total) = nodes::list(
        store.conn(),
        &filter,
        sort,
        args.desc,
        limit.map(i64::from),
        offset,
    )?;
    ctx.out.list(
        &rows,
        Some(page_footer(offset, rows.len(), total, "node", "nodes")),
    )
}
