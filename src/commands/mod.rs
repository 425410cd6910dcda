//! One module per command group; each exposes `run(ctx, command)`.

pub(crate) mod alert;
pub(crate) mod alloc;
pub(crate) mod collect;
pub(crate) mod completions;
pub(crate) mod dashboard;
pub(crate) mod db;
pub(crate) mod demo;
pub(crate) mod device;
pub(crate) mod doctor;
pub(crate) mod export;
pub(crate) mod mig;
pub(crate) mod model;
pub(crate) mod node;
pub(crate) mod optimize;
pub(crate) mod report;

use crate::store::Page;

/// The footer under one page of a list: `21–40 of 1234 nodes`, or why the page is empty. The
/// total is the store's count of every row the filters match, not of the rows shown.
pub(crate) fn page_footer(page: Page, shown: usize, total: i64, one: &str, many: &str) -> String {
    let noun = if total == 1 { one } else { many };
    if total == 0 {
        return format!("no {many}");
    }
    if shown == 0 {
        return format!("no {many} on this page ({total} {noun} in all)");
    }
    let shown = i64::try_from(shown).unwrap_or(i64::MAX);
    format!(
        "{}–{} of {total} {noun}",
        page.offset.saturating_add(1),
        page.offset.saturating_add(shown)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_footer_names_the_rows_shown_and_the_total() {
        let page = Page {
            limit: Some(3),
            offset: 0,
        };
        assert_eq!(
            page_footer(page, 3, 27, "alert", "alerts"),
            "1–3 of 27 alerts"
        );
        let third = Page {
            limit: Some(10),
            offset: 20,
        };
        assert_eq!(
            page_footer(third, 7, 27, "alert", "alerts"),
            "21–27 of 27 alerts"
        );
        assert_eq!(page_footer(Page::ALL, 1, 1, "GPU", "GPUs"), "1–1 of 1 GPU");
        assert_eq!(page_footer(Page::ALL, 0, 0, "GPU", "GPUs"), "no GPUs");
        assert_eq!(
            page_footer(third, 0, 1, "lease", "leases"),
            "no leases on this page (1 lease in all)"
        );
    }
}
