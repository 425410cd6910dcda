//! `--limit N --page P`: one page of a list, the same two flags on every list command.

use super::*;
use crate::store::Page;

/// Rows per page when `--page` is given without `--limit`.
pub(crate) const DEFAULT_PAGE_SIZE: u32 = 50;

#[derive(Debug, Clone, Copy, Default, Args)]
pub(crate) struct PageArgs {
    /// Show at most N rows per page [default: all; 50 with --page]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub limit: Option<u32>,
    /// Which page of --limit rows to show, from 1
    #[arg(long, value_name = "P", value_parser = clap::value_parser!(u32).range(1..))]
    pub page: Option<u32>,
}

impl PageArgs {
    /// The page the flags ask for; `default_limit` is the command's page size without
    /// `--limit` (None: every row, or [`DEFAULT_PAGE_SIZE`] with `--page`).
    pub(crate) fn page(&self, default_limit: Option<u32>) -> Page {
        let limit = self
            .limit
            .or(default_limit)
            .or(self.page.map(|_| DEFAULT_PAGE_SIZE));
        let page = self.page.unwrap_or(1);
        // Checked: a page past any store (u32 × u32 overflows i64) is simply an empty page.
        let offset = limit.map_or(0, |l| {
            i64::from(l)
                .checked_mul(i64::from(page) - 1)
                .unwrap_or(i64::MAX)
        });
        Page {
            limit: limit.map(i64::from),
            offset,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(limit: Option<u32>, page: Option<u32>) -> PageArgs {
        PageArgs { limit, page }
    }

    #[test]
    fn no_flags_show_every_row_or_the_commands_default() {
        assert_eq!(args(None, None).page(None), Page::ALL);
        assert_eq!(args(None, None).page(Some(20)), Page::first(20));
    }

    #[test]
    fn a_page_skips_the_rows_of_the_pages_before_it() {
        assert_eq!(
            args(Some(3), Some(2)).page(None),
            Page {
                limit: Some(3),
                offset: 3
            }
        );
        // --page alone pages by the default size; a command's own default wins over it.
        assert_eq!(
            args(None, Some(3)).page(None),
            Page {
                limit: Some(50),
                offset: 100
            }
        );
        assert_eq!(
            args(None, Some(2)).page(Some(20)),
            Page {
                limit: Some(20),
                offset: 20
            }
        );
        assert_eq!(
            args(Some(u32::MAX), Some(u32::MAX)).page(None).offset,
            i64::MAX
        );
    }
}
