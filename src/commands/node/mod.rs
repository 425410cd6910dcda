//! `gpuctl node …`: the node inventory and its history.

use std::io::Write;

use crate::output::Cell;
use serde::Serialize;

use crate::cli::{
    NodeAddArgs, NodeCommand, NodeFieldArgs, NodeHistoryArgs, NodeListArgs, NodeRecentArgs,
    NodeRemoveArgs, NodeSetStatusArgs, NodeShowArgs, NodeUpdateArgs, HISTORY_PAGE_SIZE,
};
use crate::clock;
use crate::commands::page_footer;
use crate::domain::{Device, Event, Node, NodeStatus};
use crate::error::Result;
use crate::inventory::{ambiguous_node, format_labels, node_not_found, resolve_node};
use crate::output::{or_dash, Output, TableRow};
use crate::store::devices::DeviceFilter;
use crate::store::nodes::{NodeFilter, RecentChange};
use crate::store::{devices, events, nodes};
use crate::validate;
use crate::Ctx;

mod edit;
mod history;
mod import;
mod list;
mod show;

use edit::{add, remove, set_status, update};
use history::{history, recent};
use list::list;
use show::show;

/// History events `node show` includes.
const SHOW_HISTORY_EVENTS: i64 = 10;

pub(crate) fn run(ctx: &Ctx, command: &NodeCommand) -> Result<()> {
    match command {
        NodeCommand::List(args) => list(ctx, args),
        NodeCommand::Show(args) => show(ctx, args),
        NodeCommand::Add(args) => add(ctx, args),
        NodeCommand::Update(args) => update(ctx, args),
        NodeCommand::SetStatus(args) => set_status(ctx, args),
        NodeCommand::Remove(args) => remove(ctx, args),
        NodeCommand::History(args) => history(ctx, args),
        NodeCommand::Recent(args) => recent(ctx, args),
        NodeCommand::Import(args) => import::import(ctx, args),
        NodeCommand::Sync(args) => import::sync(ctx, args),
        NodeCommand::Drift(args) => import::drift(ctx, args),
    }
}

impl TableRow for Node {
    fn headers() -> Vec<&'static str> {
        vec![
            "name", "cluster", "status", "role", "ip", "gpus", "labels", "updated",
        ]
    }
    fn cells(&self, out: &Output) -> Vec<Cell> {
        vec![
            Cell::new(&self.name),
            Cell::new(&self.cluster),
            out.status_cell(self.status.as_str()),
            Cell::new(or_dash(&self.role)),
            Cell::new(or_dash(&self.ip)),
            out.number_cell(self.gpus),
            Cell::new(format_labels(&self.labels)),
            Cell::new(clock::short_time(self.updated_at)),
        ]
    }
}

fn history_table(out: &Output, history: &[Event]) -> String {
    out.table(
        HistoryRow::headers(),
        history
            .iter()
            .map(|e| HistoryRow(e.clone()).cells(out))
            .collect(),
    )
}

/// A history line, as `node history` and `node show` print it.
#[derive(Default, Serialize)]
#[serde(transparent)]
struct HistoryRow(Event);

impl TableRow for HistoryRow {
    fn headers() -> Vec<&'static str> {
        vec![
            "time", "kind", "subject", "field", "change", "reason", "actor",
        ]
    }
    fn cells(&self, _out: &Output) -> Vec<Cell> {
        let e = &self.0;
        let change = match (&e.old_value, &e.new_value) {
            (None, None) => "-".to_string(),
            (Some(old), None) => format!("{old} → -"),
            (None, Some(new)) if e.field.is_none() => new.clone(),
            (old, Some(new)) => format!("{} → {new}", or_dash(old)),
        };
        vec![
            Cell::new(clock::short_time(e.at)),
            Cell::new(&e.kind),
            Cell::new(&e.subject),
            Cell::new(or_dash(&e.field)),
            Cell::new(change),
            Cell::new(or_dash(&e.reason)),
            Cell::new(or_dash(&e.actor)),
        ]
    }
}
