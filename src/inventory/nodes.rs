//! Nodes: creation, field changes (one event per field), GPU counts that follow the devices,
//! and removal with everything that hangs off the node.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use rusqlite::Connection;

use super::{Detail, Inventory};
use crate::domain::{EventKind, Node, NodeStatus};
use crate::error::{Error, Result};
use crate::store::{devices, events, nodes};

pub(crate) fn node_not_found(name: &str) -> Error {
    Error::not_found(format!("node {} not found", crate::terminal::quote(name)))
        .with_hint("'gpuctl node list' shows the nodes in the store")
}

/// A node as a command names it: `CLUSTER/NAME` always, `NAME` where only one cluster has it.
/// Unknown: exit 3; a bare name in several clusters: exit 2 naming them.
pub(crate) fn resolve_node(conn: &Connection, text: &str) -> Result<Node> {
    if let Some((cluster, name)) = text.split_once('/') {
        return nodes::get(conn, cluster, name)?.ok_or_else(|| node_not_found(text));
    }
    let mut found = nodes::named(conn, text)?;
    match found.len() {
        0 => Err(node_not_found(text)),
        1 => Ok(found.remove(0)),
        _ => {
            let clusters: Vec<&str> = found.iter().map(|n| n.cluster.as_str()).collect();
            Err(ambiguous_node(text, &clusters))
        }
    }
}

/// This host's name as gpuctl names its node: /proc/sys/kernel/hostname (else /etc/hostname),
/// trimmed and lower-cased, checked as `--node` is.
pub(crate) fn host_name() -> Result<String> {
    let raw = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map_err(|e| {
            Error::usage(format!("cannot read the host name ({e})")).with_hint("pass --node NAME")
        })?;
    let name = raw.trim().to_lowercase();
    // A host name Kubernetes would not accept needs --node.
    crate::validate::node_name(&name).map_err(|e| e.with_hint("pass --node NAME"))?;
    Ok(name)
}

/// The node a name picks without complaint: the one in `cluster` when given, else the only
/// node of that name. None where there is none, or where several clusters share the name.
pub(crate) fn node_named(
    conn: &Connection,
    name: &str,
    cluster: Option<&str>,
) -> Result<Option<Node>> {
    if let Some(cluster) = cluster {
        return nodes::get(conn, cluster, name);
    }
    let mut found = nodes::named(conn, name)?;
    Ok(if found.len() == 1 {
        Some(found.remove(0))
    } else {
        None
    })
}

/// The error for a bare node name that several clusters use.
pub(crate) fn ambiguous_node(name: &str, clusters: &[&str]) -> Error {
    let candidates: Vec<String> = clusters.iter().map(|c| format!("{c}/{name}")).collect();
    Error::usage(format!(
        "node name {} is ambiguous: {}",
        crate::terminal::quote(name),
        candidates.join(", ")
    ))
    .with_hint("name the node as CLUSTER/NAME")
}

/// What a list command's `--node`, `--cluster` and `--model` name, each checked: every
/// command answers an unknown one the same way, exit 3 (an ambiguous node name: exit 2).
#[derive(Debug, Default)]
pub(crate) struct Filters {
    pub(crate) node: Option<Node>,
    pub(crate) cluster: Option<String>,
    pub(crate) model: Option<crate::domain::GpuModel>,
}

impl Filters {
    pub(crate) fn resolve(
        conn: &Connection,
        node: Option<&str>,
        cluster: Option<&str>,
        model: Option<&str>,
    ) -> Result<Filters> {
        if let Some(cluster) = cluster {
            check_cluster(conn, cluster)?;
        }
        Ok(Filters {
            node: node.map(|text| resolve_node(conn, text)).transpose()?,
            cluster: cluster.map(str::to_string),
            model: model
                .map(|name| {
                    crate::store::models::resolve(conn, name)?
                        .ok_or_else(|| super::model_not_found(name))
                })
                .transpose()?,
        })
    }

    /// The node's name and, when not given, its cluster, for filters on text columns.
    pub(crate) fn node_name(&self) -> Option<String> {
        self.node.as_ref().map(|n| n.name.clone())
    }

    pub(crate) fn cluster_or_nodes(&self) -> Option<String> {
        self.cluster
            .clone()
            .or_else(|| self.node.as_ref().map(|n| n.cluster.clone()))
    }
}

/// A cluster a filter names must have nodes (exit 3 otherwise), as an unknown node does.
pub(crate) fn check_cluster(conn: &Connection, cluster: &str) -> Result<()> {
    if nodes::cluster_exists(conn, cluster)? {
        return Ok(());
    }
    Err(Error::not_found(format!(
        "cluster {} not found",
        crate::terminal::quote(cluster)
    ))
    .with_hint("'gpuctl node list' shows the nodes and their clusters"))
}

/// `a=1,b=2`, or `-` without labels.
pub(crate) fn format_labels(labels: &BTreeMap<String, String>) -> String {
    if labels.is_empty() {
        return "-".to_string();
    }
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// What `node.created` and `node.removed` record of a node.
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
    pub(crate) field: String,
    pub(crate) old: Option<String>,
    pub(crate) new: Option<String>,
}

/// Field-by-field differences between two versions of a node.
fn changes(old: &Node, new: &Node) -> Vec<FieldChange> {
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
    let keys: BTreeSet<&String> = old.labels.keys().chain(new.labels.keys()).collect();
    for key in keys {
        compare(
            &format!("label:{key}"),
            old.labels.get(key).cloned(),
            new.labels.get(key).cloned(),
        );
    }
    out
}

/// What removing a node took with it.
#[derive(Debug, Serialize)]
pub(crate) struct Removal {
    pub(crate) name: String,
    pub(crate) cluster: String,
    pub(crate) devices_removed: Vec<String>,
    pub(crate) allocations_released: Vec<i64>,
}

impl Inventory<'_> {
    /// The node a command names (see [`resolve_node`]).
    pub(crate) fn load_node(&self, text: &str) -> Result<Node> {
        resolve_node(self.conn(), text)
    }

    /// The node `name` of `cluster`, or without a cluster the one node of that name, if there
    /// is one (a name several clusters use is still exit 2).
    pub(crate) fn find_node(&self, cluster: Option<&str>, name: &str) -> Result<Option<Node>> {
        match cluster {
            Some(cluster) => nodes::get(self.conn(), cluster, name),
            None => match resolve_node(self.conn(), name) {
                Ok(node) => Ok(Some(node)),
                Err(e) if e.kind == crate::error::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e),
            },
        }
    }

    /// Adds a node whose name is free, with its `node.created` event.
    pub(crate) fn create_node(&self, node: &mut Node, reason: Option<&str>) -> Result<()> {
        if nodes::exists(self.conn(), &node.cluster, &node.name)? {
            return Err(Error::conflict(format!(
                "node '{}' already exists in cluster '{}'",
                node.name, node.cluster
            ))
            .with_hint("use 'gpuctl node update' to change it"));
        }
        node.id = nodes::insert(self.conn(), node)?;
        self.record(
            EventKind::NodeCreated,
            &node.name,
            Detail::on_node(&node.cluster, &node.name)
                .new_value(creation_summary(node))
                .reason(reason),
        )
    }

    /// Writes `new` over `old` with one event per changed field (`node.status` for the status,
    /// `node.updated` for the rest); writes nothing when nothing changed.
    pub(crate) fn update_node(
        &self,
        old: &Node,
        new: &mut Node,
        reason: Option<&str>,
    ) -> Result<Vec<FieldChange>> {
        let changed = changes(old, new);
        if changed.is_empty() {
            return Ok(changed);
        }
        if new.cluster != old.cluster && nodes::exists(self.conn(), &new.cluster, &new.name)? {
            return Err(Error::conflict(format!(
                "node '{}' already exists in cluster '{}'",
                new.name, new.cluster
            )));
        }
        new.updated_at = self.now();
        nodes::update(self.conn(), new)?;
        if new.cluster != old.cluster {
            // The node's history and alerts move with it.
            events::move_node(self.conn(), &old.cluster, &new.cluster, &new.name)?;
        }
        if new.status == NodeStatus::Decommissioned && old.status != NodeStatus::Decommissioned {
            self.resolve_alerts_of_node(new.id, "node decommissioned")?;
        }
        for change in &changed {
            let kind = if change.field == "status" {
                EventKind::NodeStatus
            } else {
                EventKind::NodeUpdated
            };
            self.record(
                kind,
                &old.name,
                Detail::on_node(&new.cluster, &new.name)
                    .field(change.field.clone())
                    .change(change.old.clone(), change.new.clone())
                    .reason(reason),
            )?;
        }
        Ok(changed)
    }

    /// Loads a node, lets `edit` change it, and writes it (see [`Inventory::update_node`]).
    /// Once a node has devices they decide its counts. Returns the node as stored and how many
    /// fields changed.
    pub(crate) fn edit_node(
        &self,
        name: &str,
        reason: Option<&str>,
        edit: impl FnOnce(&mut Node) -> Result<()>,
    ) -> Result<(Node, usize)> {
        let old = self.load_node(name)?;
        let mut new = old.clone();
        edit(&mut new)?;
        let changed = self.update_node(&old, &mut new, reason)?;
        if changed.is_empty() {
            return Ok((old, 0));
        }
        if devices::node_counts(self.conn(), new.id)?.is_some()
            && self.sync_node_capacity(new.id, false)?
        {
            new = nodes::get_by_id(self.conn(), new.id)?.ok_or_else(|| node_not_found(name))?;
        }
        Ok((new, changed.len()))
    }

    /// Keeps a node's GPU counts equal to its devices (a ready node offers its active GPUs),
    /// with a `node.updated` event per count that changes. `from_devices`: a node without
    /// devices counts zero rather than keeping its declared counts. Returns whether they changed.
    pub(crate) fn sync_node_capacity(&self, node_id: i64, from_devices: bool) -> Result<bool> {
        let Some(change) =
            devices::sync_node_capacity(self.conn(), node_id, self.now(), from_devices)?
        else {
            return Ok(false);
        };
        let node = nodes::get_by_id(self.conn(), node_id)?
            .ok_or_else(|| node_not_found(&format!("#{node_id}")))?;
        for (field, (old, new)) in [
            ("gpus", change.gpus),
            ("gpus_allocatable", change.gpus_allocatable),
        ] {
            if old != new {
                self.record(
                    EventKind::NodeUpdated,
                    &node.name,
                    Detail::on_node(&node.cluster, &node.name)
                        .field(field)
                        .change(Some(old.to_string()), Some(new.to_string())),
                )?;
            }
        }
        Ok(true)
    }

    /// Removes a node; with `force`, its GPUs and leases go with it (each with its event),
    /// else a node that still has them is a conflict.
    pub(crate) fn remove_node(
        &self,
        name: &str,
        force: bool,
        reason: Option<&str>,
    ) -> Result<Removal> {
        let node = self.load_node(name)?;
        let usage = nodes::usage(self.conn(), node.id)?;
        if !force && (usage.devices > 0 || usage.active_allocations > 0) {
            return Err(Error::conflict(format!(
                "node '{}' still has {} GPU(s) and {} active lease(s)",
                node.name, usage.devices, usage.active_allocations
            ))
            .with_hint("remove them first, or pass --force to remove them with the node"));
        }
        self.resolve_alerts_of_node(node.id, "node removed")?;
        let detached = nodes::remove(self.conn(), node.id, self.now())?;
        for lease in &detached.allocations_released {
            self.record(
                EventKind::AllocReleased,
                &lease.to_string(),
                Detail::on_node(&node.cluster, &node.name)
                    .field("state")
                    .change(Some("active".into()), Some("released".into()))
                    .reason(reason),
            )?;
        }
        for uuid in &detached.devices_removed {
            self.record(
                EventKind::DeviceRemoved,
                uuid,
                Detail::on_node(&node.cluster, &node.name).reason(reason),
            )?;
        }
        self.record(
            EventKind::NodeRemoved,
            &node.name,
            Detail::on_node(&node.cluster, &node.name)
                .old_value(creation_summary(&node))
                .reason(reason),
        )?;
        Ok(Removal {
            name: node.name,
            cluster: node.cluster,
            devices_removed: detached.devices_removed,
            allocations_released: detached.allocations_released,
        })
    }
}
