//! `gpuctl node …`: the node inventory and its history.

use std::collections::BTreeMap;
use std::io::Write;

use crate::output::Cell;
use serde::Serialize;

use crate::cli::{
    NodeAddArgs, NodeCommand, NodeFieldArgs, NodeHistoryArgs, NodeListArgs, NodeRecentArgs,
    NodeRemoveArgs, NodeSetStatusArgs, NodeShowArgs, NodeUpdateArgs,
};
use crate::clock;
use crate::domain::{Device, Event, NewEvent, Node, NodeStatus};
use crate::error::{Error, Result};
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

pub fn run(ctx: &Ctx, command: &NodeCommand) -> Result<()> {
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

pub(crate) fn not_found(name: &str) -> Error {
    Error::not_found(format!("node '{name}' not found"))
        .with_hint("'gpuctl node list' shows the nodes in the store")
}

/// An event about `node`, stamped with the command's time and actor.
fn node_event(ctx: &Ctx, kind: &str, node: &str, reason: &Option<String>) -> NewEvent {
    NewEvent {
        at: ctx.now,
        kind: kind.to_string(),
        subject: node.to_string(),
        node: Some(node.to_string()),
        reason: reason.clone(),
        actor: ctx.actor.clone(),
        ..NewEvent::default()
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

fn format_labels(labels: &BTreeMap<String, String>) -> String {
    if labels.is_empty() {
        return "-".to_string();
    }
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
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
    let store = ctx.open_store()?;
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
pub fn page_footer(offset: i64, shown: usize, total: i64, one: &str, many: &str) -> String {
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
    let store = ctx.open_store()?;
    let node = nodes::get(store.conn(), &args.name)?.ok_or_else(|| not_found(&args.name))?;
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
    let mut store = ctx.open_store()?;
    store.write(|tx| {
        if nodes::exists(tx, &node.name)? {
            return Err(
                Error::conflict(format!("node '{}' already exists", node.name))
                    .with_hint("use 'gpuctl node update' to change it"),
            );
        }
        create_node(tx, ctx, &mut node, &args.fields.reason)
    })?;
    ctx.out.show(&node, |out, w| {
        if !out.quiet {
            writeln!(w, "added node {} to cluster {}", node.name, node.cluster)?;
        }
        Ok(())
    })
}

/// Inserts a node (its name known to be free) and its `node.created` event.
pub(crate) fn create_node(
    tx: &rusqlite::Connection,
    ctx: &Ctx,
    node: &mut Node,
    reason: &Option<String>,
) -> Result<()> {
    node.id = nodes::insert(tx, node)?;
    let mut event = node_event(ctx, "node.created", &node.name, reason);
    event.new_value = Some(creation_summary(node));
    events::record(tx, &event)?;
    Ok(())
}

pub(crate) fn creation_summary(node: &Node) -> String {
    let mut parts = vec![
        format!("cluster={}", node.cluster),
        format!("status={}", node.status),
        format!("gpus={}", node.gpus),
    ];
    if let Some(ip) = &node.ip {
        parts.push(format!("ip={ip}"));
    }
    if let Some(role) = &node.role {
        parts.push(format!("role={role}"));
    }
    if !node.labels.is_empty() {
        parts.push(format!("labels={}", format_labels(&node.labels)));
    }
    parts.join(" ")
}

/// One field that an update changes, for the history.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FieldChange {
    pub field: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// Field-by-field differences between two versions of a node.
pub(crate) fn changes(old: &Node, new: &Node) -> Vec<FieldChange> {
    let mut out = Vec::new();
    let mut compare = |field: &str, a: Option<String>, b: Option<String>| {
        if a != b {
            out.push(FieldChange {
                field: field.to_string(),
                old: a,
                new: b,
            });
        }
    };
    compare(
        "cluster",
        Some(old.cluster.clone()),
        Some(new.cluster.clone()),
    );
    compare(
        "status",
        Some(old.status.to_string()),
        Some(new.status.to_string()),
    );
    compare("ip", old.ip.clone(), new.ip.clone());
    compare("role", old.role.clone(), new.role.clone());
    compare(
        "gpus",
        Some(old.gpus.to_string()),
        Some(new.gpus.to_string()),
    );
    compare("os", old.os.clone(), new.os.clone());
    compare("kernel", old.kernel.clone(), new.kernel.clone());
    compare("driver", old.driver.clone(), new.driver.clone());
    compare("cuda", old.cuda.clone(), new.cuda.clone());
    compare("kubelet", old.kubelet.clone(), new.kubelet.clone());
    let keys: std::collections::BTreeSet<&String> =
        old.labels.keys().chain(new.labels.keys()).collect();
    for key in keys {
        compare(
            &format!("label:{key}"),
            old.labels.get(key).cloned(),
            new.labels.get(key).cloned(),
        );
    }
    out
}

/// Loads a node, lets `edit` change it, and writes the node plus one event per changed field.
/// Returns the node as stored and how many fields changed.
fn edit_node(
    ctx: &Ctx,
    name: &str,
    kind_for: impl Fn(&str) -> &'static str,
    reason: &Option<String>,
    edit: impl FnOnce(&mut Node) -> Result<()>,
) -> Result<(Node, usize)> {
    let mut store = ctx.open_store()?;
    store.write(|tx| {
        let old = nodes::get(tx, name)?.ok_or_else(|| not_found(name))?;
        let mut new = old.clone();
        edit(&mut new)?;
        let changed = write_node_changes(tx, ctx, &old, &mut new, kind_for, reason)?;
        if changed.is_empty() {
            return Ok((old, 0));
        }
        // Once a node has devices they decide its counts: a ready node offers its active GPUs.
        if devices::node_counts(tx, new.id)?.is_some()
            && crate::commands::device::sync_node(ctx, tx, new.id, name, false)?
        {
            new = nodes::get(tx, name)?.ok_or_else(|| not_found(name))?;
        }
        Ok((new, changed.len()))
    })
}

/// Writes `new` over `old` with one event per changed field; writes nothing when nothing changed.
pub(crate) fn write_node_changes(
    tx: &rusqlite::Connection,
    ctx: &Ctx,
    old: &Node,
    new: &mut Node,
    kind_for: impl Fn(&str) -> &'static str,
    reason: &Option<String>,
) -> Result<Vec<FieldChange>> {
    let changed = changes(old, new);
    if changed.is_empty() {
        return Ok(changed);
    }
    new.updated_at = ctx.now;
    nodes::update(tx, new)?;
    for change in &changed {
        let mut event = node_event(ctx, kind_for(&change.field), &old.name, reason);
        event.field = Some(change.field.clone());
        event.old_value = change.old.clone();
        event.new_value = change.new.clone();
        events::record(tx, &event)?;
    }
    Ok(changed)
}

fn update(ctx: &Ctx, args: &NodeUpdateArgs) -> Result<()> {
    let (node, changed) = edit_node(
        ctx,
        &args.name,
        |_| "node.updated",
        &args.fields.reason,
        |node| {
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
        },
    )?;
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
    let (node, changed) = edit_node(
        ctx,
        &args.name,
        |field| {
            if field == "status" {
                "node.status"
            } else {
                "node.updated"
            }
        },
        &args.reason,
        |node| {
            node.status = args.status;
            // Only a ready node offers its GPUs; optimize refines this with leases and devices.
            node.gpus_allocatable = if args.status == NodeStatus::Ready {
                node.gpus
            } else {
                0
            };
            Ok(())
        },
    )?;
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

/// What `node remove` did, for JSON output.
#[derive(Serialize)]
struct Removal {
    name: String,
    cluster: String,
    devices_removed: Vec<String>,
    allocations_released: Vec<i64>,
}

fn remove(ctx: &Ctx, args: &NodeRemoveArgs) -> Result<()> {
    if let Some(reason) = &args.reason {
        validate::one_line("reason", reason)?;
    }
    let mut store = ctx.open_store()?;
    let removal = store.write(|tx| {
        let node = nodes::get(tx, &args.name)?.ok_or_else(|| not_found(&args.name))?;
        let usage = nodes::usage(tx, node.id)?;
        if !args.force && (usage.devices > 0 || usage.active_allocations > 0) {
            return Err(Error::conflict(format!(
                "node '{}' still has {} GPU(s) and {} active lease(s)",
                node.name, usage.devices, usage.active_allocations
            ))
            .with_hint("remove them first, or pass --force to remove them with the node"));
        }
        let detached = nodes::remove(tx, node.id, ctx.now)?;
        for lease in &detached.allocations_released {
            let mut event = node_event(ctx, "alloc.released", &lease.to_string(), &args.reason);
            event.node = Some(node.name.clone());
            event.field = Some("state".into());
            event.old_value = Some("active".into());
            event.new_value = Some("released".into());
            events::record(tx, &event)?;
        }
        for uuid in &detached.devices_removed {
            let mut event = node_event(ctx, "device.removed", uuid, &args.reason);
            event.node = Some(node.name.clone());
            events::record(tx, &event)?;
        }
        let mut event = node_event(ctx, "node.removed", &node.name, &args.reason);
        event.old_value = Some(creation_summary(&node));
        events::record(tx, &event)?;
        Ok(Removal {
            name: node.name,
            cluster: node.cluster,
            devices_removed: detached.devices_removed,
            allocations_released: detached.allocations_released,
        })
    })?;
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
    let store = ctx.open_store()?;
    if !events::node_has_history(store.conn(), &args.name)?
        && !nodes::exists(store.conn(), &args.name)?
    {
        return Err(not_found(&args.name));
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
    let store = ctx.open_store()?;
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
