//! `gpuctl node …`: the node inventory and its history.

use std::io::Write;

use crate::output::Cell;
use serde::Serialize;

use crate::cli::{
    NodeAddArgs, NodeCommand, NodeFieldArgs, NodeHistoryArgs, NodeListArgs, NodeRecentArgs,
    NodeRemoveArgs, NodeSetStatusArgs, NodeShowArgs, NodeUpdateArgs,
};
use crate::clock;
use crate::domain::{Device, Event, Node, NodeStatus};
use crate::error::Result;
use crate::inventory::{format_labels, node_not_found};
use crate::output::{or_dash, Output, TableRow};
use crate::store::devices::DeviceFilter;
use crate::store::nodes::{NodeFilter, RecentChange};
use crate::store::{devices, events, nodes};
use crate::validate;
use crate::Ctx;

/// Rows per page when `--page` is given without `--limit`.
const DEFAULT_PAGE_SIZE: u32 = 50;
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
        NodeCommand::Import(args) => super::kube::import(ctx, args),
        NodeCommand::Sync(args) => super::kube::sync(ctx, args),
        NodeCommand::Drift(args) => super::kube::drift(ctx, args),
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

fn list(ctx: &Ctx, args: &NodeListArgs) -> Result<()> {
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
    let offset = limit.map_or(0, |l| i64::from(l) * (i64::from(page) - 1));
    let store = ctx.store()?;
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

/// `21–40 of 1234 nodes`, or why the page is empty.
pub(crate) fn page_footer(offset: i64, shown: usize, total: i64, one: &str, many: &str) -> String {
    let noun = if total == 1 { one } else { many };
    if total == 0 {
        return format!("no {many}");
    }
    if shown == 0 {
        return format!("no {many} on this page ({total} {noun} in all)");
    }
    format!("{}–{} of {total} {noun}", offset + 1, offset + shown as i64)
}

/// `node show`: the node, its GPUs and its latest history, as one JSON object.
#[derive(Serialize)]
struct NodeDetail {
    #[serde(flatten)]
    node: Node,
    devices: Vec<Device>,
    history: Vec<Event>,
}

fn show(ctx: &Ctx, args: &NodeShowArgs) -> Result<()> {
    let store = ctx.store()?;
    let node = nodes::get(store.conn(), &args.name)?.ok_or_else(|| node_not_found(&args.name))?;
    let history = events::for_node(store.conn(), &node.name, None, SHOW_HISTORY_EVENTS)?;
    let filter = DeviceFilter {
        node: Some(node.name.clone()),
        ..DeviceFilter::default()
    };
    let devices = devices::list(store.conn(), &filter)?;
    let detail = NodeDetail {
        node,
        devices,
        history,
    };
    ctx.out
        .show(&detail, |out, w| render_detail(ctx, out, w, &detail))
}

fn render_detail(ctx: &Ctx, out: &Output, w: &mut dyn Write, detail: &NodeDetail) -> Result<()> {
    let node = &detail.node;
    let fields = out.fields(vec![
        ("name", node.name.clone()),
        ("cluster", node.cluster.clone()),
        ("status", node.status.to_string()),
        ("role", or_dash(&node.role)),
        ("ip", or_dash(&node.ip)),
        ("labels", format_labels(&node.labels)),
        ("gpus", node.gpus.to_string()),
        ("allocatable", node.gpus_allocatable.to_string()),
        ("os", or_dash(&node.os)),
        ("kernel", or_dash(&node.kernel)),
        ("driver", or_dash(&node.driver)),
        ("cuda", or_dash(&node.cuda)),
        ("kubelet", or_dash(&node.kubelet)),
        ("created", clock::rfc3339(node.created_at)),
        (
            "updated",
            format!(
                "{} ({})",
                clock::rfc3339(node.updated_at),
                clock::ago(ctx.now, node.updated_at)
            ),
        ),
    ]);
    writeln!(w, "{fields}")?;
    writeln!(w)?;
    if detail.devices.is_empty() {
        writeln!(w, "GPUs: none")?;
    } else {
        writeln!(w, "GPUs ({}):", detail.devices.len())?;
        let rows = detail.devices.iter().map(|d| d.cells(out)).collect();
        writeln!(w, "{}", out.table(Device::headers(), rows))?;
    }
    writeln!(w)?;
    if detail.history.is_empty() {
        writeln!(w, "History: none")?;
    } else {
        writeln!(w, "History (latest {}):", detail.history.len())?;
        writeln!(w, "{}", history_table(out, &detail.history))?;
    }
    Ok(())
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

/// Builds a node from `node add` arguments, every value checked.
fn node_from_args(ctx: &Ctx, args: &NodeAddArgs) -> Result<Node> {
    let mut node = Node::new(&args.name, &args.cluster, args.status, ctx.now);
    apply_fields(&mut node, &args.fields)?;
    if node.status == NodeStatus::Ready {
        node.gpus_allocatable = node.gpus;
    }
    Ok(node)
}

/// Applies the optional fields given on the command line, checking each.
fn apply_fields(node: &mut Node, fields: &NodeFieldArgs) -> Result<()> {
    if let Some(ip) = &fields.ip {
        node.ip = Some(ip.to_string());
    }
    for (what, given, slot) in [
        ("role", &fields.role, &mut node.role),
        ("os", &fields.os, &mut node.os),
        ("kernel", &fields.kernel, &mut node.kernel),
        ("driver", &fields.driver, &mut node.driver),
        ("cuda", &fields.cuda, &mut node.cuda),
        ("kubelet", &fields.kubelet, &mut node.kubelet),
    ] {
        if let Some(text) = given {
            validate::one_line(what, text)?;
            *slot = Some(text.clone());
        }
    }
    if let Some(reason) = &fields.reason {
        validate::one_line("reason", reason)?;
    }
    for label in &fields.labels {
        node.labels.insert(label.key.clone(), label.value.clone());
    }
    if let Some(gpus) = fields.gpus {
        node.gpus = i64::from(gpus);
    }
    Ok(())
}

fn add(ctx: &Ctx, args: &NodeAddArgs) -> Result<()> {
    let mut node = node_from_args(ctx, args)?;
    ctx.change(|inv| inv.create_node(&mut node, args.fields.reason.as_deref()))?;
    ctx.out.show(&node, |out, w| {
        if !out.quiet {
            writeln!(w, "added node {} to cluster {}", node.name, node.cluster)?;
        }
        Ok(())
    })
}

fn update(ctx: &Ctx, args: &NodeUpdateArgs) -> Result<()> {
    let (node, changed) = ctx.change(|inv| {
        inv.edit_node(&args.name, args.fields.reason.as_deref(), |node| {
            if let Some(cluster) = &args.cluster {
                node.cluster = cluster.to_string();
            }
            for key in &args.unlabels {
                node.labels.remove(key.as_str());
            }
            let was_allocatable_all = node.gpus_allocatable == node.gpus;
            apply_fields(node, &args.fields)?;
            if was_allocatable_all || node.gpus_allocatable > node.gpus {
                node.gpus_allocatable = if node.status == NodeStatus::Ready {
                    node.gpus
                } else {
                    0
                };
            }
            Ok(())
        })
    })?;
    report_edit(ctx, &node, changed, "updated")
}

fn report_edit(ctx: &Ctx, node: &Node, changed: usize, verb: &str) -> Result<()> {
    if changed == 0 {
        ctx.out
            .note(format!("node {} unchanged: nothing to change", node.name));
    }
    ctx.out.show(node, |out, w| {
        if changed > 0 && !out.quiet {
            let s = if changed == 1 { "" } else { "s" };
            writeln!(w, "{verb} node {} ({changed} field{s})", node.name)?;
        }
        Ok(())
    })
}

fn set_status(ctx: &Ctx, args: &NodeSetStatusArgs) -> Result<()> {
    if let Some(reason) = &args.reason {
        validate::one_line("reason", reason)?;
    }
    let (node, changed) = ctx.change(|inv| {
        inv.edit_node(&args.name, args.reason.as_deref(), |node| {
            node.status = args.status;
            // Only a ready node offers its GPUs; optimize refines this with leases and devices.
            node.gpus_allocatable = if args.status == NodeStatus::Ready {
                node.gpus
            } else {
                0
            };
            Ok(())
        })
    })?;
    if changed == 0 {
        ctx.out
            .note(format!("node {} is already {}", node.name, node.status));
        return ctx.out.show(&node, |_, _| Ok(()));
    }
    ctx.out.show(&node, |out, w| {
        if !out.quiet {
            writeln!(w, "node {} is now {}", node.name, node.status)?;
        }
        Ok(())
    })
}

fn remove(ctx: &Ctx, args: &NodeRemoveArgs) -> Result<()> {
    if let Some(reason) = &args.reason {
        validate::one_line("reason", reason)?;
    }
    let removal =
        ctx.change(|inv| inv.remove_node(&args.name, args.force, args.reason.as_deref()))?;
    ctx.out.show(&removal, |out, w| {
        if !out.quiet {
            writeln!(
                w,
                "removed node {} from cluster {}",
                removal.name, removal.cluster
            )?;
        }
        Ok(())
    })
}

/// A history line, as `node history` and `node show` print it.
#[derive(Serialize)]
#[serde(transparent)]
struct HistoryRow(Event);

impl TableRow for HistoryRow {
    fn headers() -> Vec<&'static str> {
        vec!["time", "kind", "subject", "field", "change", "reason"]
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
        ]
    }
}

fn history(ctx: &Ctx, args: &NodeHistoryArgs) -> Result<()> {
    let since = args.since.as_ref().map(|span| ctx.now - span.seconds());
    let store = ctx.store()?;
    if !events::node_has_history(store.conn(), &args.name)?
        && !nodes::exists(store.conn(), &args.name)?
    {
        return Err(node_not_found(&args.name));
    }
    let rows: Vec<HistoryRow> =
        events::for_node(store.conn(), &args.name, since, i64::from(args.limit))?
            .into_iter()
            .map(HistoryRow)
            .collect();
    let footer = format!(
        "{} change{}",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" }
    );
    ctx.out.list(&rows, Some(footer))
}

/// A line of `node recent`.
#[derive(Serialize)]
struct RecentRow {
    name: String,
    cluster: Option<String>,
    /// `removed` once the node is gone.
    status: String,
    changes: i64,
    last_kind: String,
    #[serde(with = "crate::domain::unix_time")]
    changed_at: i64,
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

fn recent(ctx: &Ctx, args: &NodeRecentArgs) -> Result<()> {
    let since = ctx.now - args.since.seconds();
    let store = ctx.store()?;
    let rows: Vec<RecentRow> = nodes::recently_changed(store.conn(), since)?
        .into_iter()
        .map(RecentRow::from)
        .collect();
    let footer = format!(
        "{} node{} changed in the last {}",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" },
        args.since
    );
    ctx.out.list(&rows, Some(footer))
}
