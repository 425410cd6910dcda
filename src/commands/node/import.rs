//! `gpuctl node import|sync|drift`: the inventory against what Kubernetes says.

use std::io::Read;
use std::path::Path;
use std::process::Command;

use crate::output::Cell;
use serde::Serialize;

use crate::child::{self, ChildError};
use crate::cli::{KubectlArgs, NodeDriftArgs, NodeImportArgs, NodeSyncArgs};
use crate::domain::{Node, NodeStatus};
use crate::error::{Error, Result};
use crate::inventory::creation_summary;
use crate::kube::{self, KubeNode, MigStrategy};
use crate::output::{or_dash, Output, TableRow};
use crate::store::nodes;
use crate::Ctx;

/// The reason import writes into the history.
const IMPORT_REASON: &str = "kubernetes import";
/// Lists longer than this show a progress bar on a terminal.
const PROGRESS_THRESHOLD: usize = 200;
/// The most `kubectl get nodes -o json` may print: a node object is tens of KiB (its image list
/// dominates), so this holds several thousand nodes.
const MAX_KUBECTL_OUTPUT: usize = 512 * 1024 * 1024;

/// One line of an import plan.
#[derive(Debug, Default, Serialize)]
struct PlanRow {
    node: String,
    /// `create`, `update`, `unchanged` or `decommission`.
    action: &'static str,
    field: Option<String>,
    old_value: Option<String>,
    new_value: Option<String>,
}

impl TableRow for PlanRow {
    fn headers() -> Vec<&'static str> {
        vec!["node", "action", "field", "change"]
    }
    fn cells(&self, out: &Output) -> Vec<Cell> {
        let change = match (&self.old_value, &self.new_value) {
            (None, None) => "-".to_string(),
            (None, Some(new)) => new.clone(),
            (old, new) => format!("{} → {}", or_dash(old), or_dash(new)),
        };
        vec![
            Cell::new(&self.node),
            out.status_cell(self.action),
            Cell::new(or_dash(&self.field)),
            Cell::new(change),
        ]
    }
}

pub(super) fn import(ctx: &Ctx, args: &NodeImportArgs) -> Result<()> {
    let source = args.file.display().to_string();
    let text = read_input(&args.file)?;
    run_import(
        ctx,
        &text,
        &source,
        args.cluster.as_deref(),
        args.dry_run,
        args.prune,
    )
}

pub(super) fn sync(ctx: &Ctx, args: &NodeSyncArgs) -> Result<()> {
    let text = kubectl_nodes(&args.kubectl)?;
    run_import(
        ctx,
        &text,
        "kubectl",
        Some(&args.cluster),
        args.dry_run,
        args.prune,
    )
}

/// The largest node list read, in bytes: `kubectl get nodes -o json` for 5,000 nodes is
/// about 100 MiB.
const INPUT_MAX_BYTES: u64 = 512 * 1024 * 1024;

pub(super) fn read_input(path: &Path) -> Result<String> {
    let mut text = String::new();
    let (read, name) = if path.as_os_str() == "-" {
        let read = std::io::stdin()
            .take(INPUT_MAX_BYTES + 1)
            .read_to_string(&mut text)
            .map_err(|e| Error::usage(format!("cannot read standard input: {e}")))?;
        (read, "standard input".to_string())
    } else {
        let name = format!("'{}'", path.display());
        let read = std::fs::File::open(path)
            .and_then(|file| file.take(INPUT_MAX_BYTES + 1).read_to_string(&mut text))
            .map_err(|e| Error::usage(format!("cannot read {name}: {e}")))?;
        (read, name)
    };
    if read as u64 > INPUT_MAX_BYTES {
        return Err(Error::usage(format!(
            "{name} is larger than {} MiB: not a node list",
            INPUT_MAX_BYTES / (1024 * 1024)
        )));
    }
    Ok(text)
}

/// Runs `kubectl get nodes -o json` (argv, no shell) and returns what it printed.
pub(super) fn kubectl_nodes(args: &KubectlArgs) -> Result<String> {
    let mut command = Command::new(&args.kubectl);
    command.args(["get", "nodes", "-o", "json"]);
    if let Some(context) = &args.context {
        command.arg("--context").arg(context);
    }
    if let Some(kubeconfig) = &args.kubeconfig {
        command.arg("--kubeconfig").arg(kubeconfig);
    }
    let shown = args.kubectl.display();
    let timeout = args.kubectl_timeout.to_std();
    let output = child::run(&mut command, timeout, MAX_KUBECTL_OUTPUT).map_err(|e| match e {
        ChildError::Spawn(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Error::runtime(format!("kubectl not found: '{shown}'"))
                .with_hint("install kubectl, pass --kubectl PATH, or save 'kubectl get nodes -o json' to a file and use 'gpuctl node import FILE'")
        }
        ChildError::Spawn(e) => Error::runtime(format!("cannot run '{shown}': {e}")),
        ChildError::TimedOut(_) => Error::runtime(format!(
            "kubectl timed out: '{shown} get nodes' {e}"
        ))
        .with_hint(format!(
            "is the API server reachable with this kubeconfig? --kubectl-timeout sets the limit ({})",
            args.kubectl_timeout
        )),
        other => Error::runtime(format!("kubectl: '{shown} get nodes' {other}")),
    })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first = stderr
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no message");
        return Err(Error::runtime(format!(
            "kubectl get nodes failed ({}): {first}",
            output.status
        )));
    }
    String::from_utf8(output.stdout)
        .map_err(|_| Error::runtime("kubectl printed text that is not UTF-8"))
}

pub(super) fn parse(text: &str, source: &str) -> Result<Vec<KubeNode>> {
    let document: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        Error::usage(format!(
            "{source}: not JSON (line {}, column {}): {e}",
            e.line(),
            e.column()
        ))
    })?;
    kube::parse_nodes(&document, source)
}

pub(super) fn run_import(
    ctx: &Ctx,
    text: &str,
    source: &str,
    cluster: Option<&str>,
    dry_run: bool,
    prune: bool,
) -> Result<()> {
    let incoming = parse(text, source)?;
    let reason = Some(IMPORT_REASON);
    let bar = if incoming.len() > PROGRESS_THRESHOLD {
        ctx.out.progress(incoming.len() as u64, "importing nodes")
    } else {
        indicatif::ProgressBar::hidden()
    };
    let apply = |inv: &crate::inventory::Inventory| -> Result<Vec<PlanRow>> {
        let tx = inv.conn();
        let mut plan = Vec::new();
        for kube_node in &incoming {
            bar.inc(1);
            // Within --cluster a name is the node's; without, the one node of that name.
            match inv.find_node(cluster, &kube_node.name)? {
                None => {
                    let Some(cluster) = cluster else {
                        return Err(Error::usage(format!(
                            "node '{}' is not in the inventory: give --cluster for new nodes",
                            kube_node.name
                        )));
                    };
                    let mut node = new_node(ctx, kube_node, cluster);
                    inv.create_node(&mut node, reason)?;
                    plan.push(PlanRow {
                        node: node.name.clone(),
                        action: "create",
                        field: None,
                        old_value: None,
                        new_value: Some(creation_summary(&node)),
                    });
                }
                Some(old) => {
                    let has_devices = nodes::usage(tx, old.id)?.devices > 0;
                    let mut new = merged(&old, kube_node, has_devices);
                    let changed = inv.update_node(&old, &mut new, reason)?;
                    if changed.is_empty() {
                        plan.push(PlanRow {
                            node: old.name.clone(),
                            action: "unchanged",
                            field: None,
                            old_value: None,
                            new_value: None,
                        });
                    }
                    for change in changed {
                        plan.push(PlanRow {
                            node: old.name.clone(),
                            action: "update",
                            field: Some(change.field),
                            old_value: change.old,
                            new_value: change.new,
                        });
                    }
                }
            }
        }
        if let (true, Some(cluster)) = (prune, cluster) {
            for name in nodes::names_in_cluster(tx, cluster)? {
                if incoming.iter().any(|k| k.name == name) {
                    continue;
                }
                let Some(old) = nodes::get(tx, cluster, &name)? else {
                    continue;
                };
                if old.status == NodeStatus::Decommissioned {
                    continue;
                }
                let mut new = old.clone();
                new.status = NodeStatus::Decommissioned;
                new.gpus_allocatable = 0;
                inv.update_node(
                    &old,
                    &mut new,
                    Some(&format!("{IMPORT_REASON}: not in the cluster")),
                )?;
                plan.push(PlanRow {
                    node: name,
                    action: "decommission",
                    field: Some("status".into()),
                    old_value: Some(old.status.to_string()),
                    new_value: Some(NodeStatus::Decommissioned.to_string()),
                });
            }
        }
        Ok(plan)
    };
    let plan = ctx.change_or_roll_back(!dry_run, apply)?;
    bar.finish_and_clear();
    let count = |action: &str| {
        let mut names: Vec<&str> = plan
            .iter()
            .filter(|r| r.action == action)
            .map(|r| r.node.as_str())
            .collect();
        names.dedup();
        names.len()
    };
    ctx.out.note(format!(
        "{} {} node(s) from {source}: {} created, {} updated, {} unchanged, {} decommissioned",
        if dry_run { "would import" } else { "imported" },
        incoming.len(),
        count("create"),
        count("update"),
        count("unchanged"),
        count("decommission"),
    ));
    // A real import is quiet in tables (cron-friendly); a dry run always shows its plan.
    if dry_run || ctx.out.format != crate::output::Format::Table || ctx.out.verbose {
        ctx.out.list(&plan, None)?;
    }
    Ok(())
}

/// A node new to the inventory, from what Kubernetes says.
pub(super) fn new_node(ctx: &Ctx, k: &KubeNode, cluster: &str) -> Node {
    let gpus = k.gpus.unwrap_or(0);
    Node {
        id: 0,
        name: k.name.clone(),
        cluster: cluster.to_string(),
        status: k.status,
        ip: k.ip.clone(),
        role: k.role.clone(),
        labels: k.labels.clone(),
        gpus,
        gpus_allocatable: if k.status == NodeStatus::Ready {
            k.gpus_allocatable.unwrap_or(gpus)
        } else {
            0
        },
        os: k.os.clone(),
        kernel: k.kernel.clone(),
        driver: k.driver.clone(),
        cuda: k.cuda.clone(),
        kubelet: k.kubelet.clone(),
        created_at: ctx.now,
        updated_at: ctx.now,
    }
}

/// An inventory node updated with what Kubernetes says. Labels mirror Kubernetes; `maintenance`
/// and `decommissioned` are the inventory's own decisions, which Kubernetes cannot express, so
/// they stay; a node with GPU devices keeps the count its devices give.
pub(super) fn merged(old: &Node, k: &KubeNode, has_devices: bool) -> Node {
    let mut new = old.clone();
    if !matches!(
        old.status,
        NodeStatus::Maintenance | NodeStatus::Decommissioned
    ) {
        new.status = k.status;
    }
    new.labels = k.labels.clone();
    for (value, slot) in [
        (&k.ip, &mut new.ip),
        (&k.role, &mut new.role),
        (&k.os, &mut new.os),
        (&k.kernel, &mut new.kernel),
        (&k.kubelet, &mut new.kubelet),
        (&k.driver, &mut new.driver),
        (&k.cuda, &mut new.cuda),
    ] {
        if value.is_some() {
            slot.clone_from(value);
        }
    }
    if !has_devices {
        if let Some(gpus) = k.gpus {
            new.gpus = gpus;
        }
    }
    new.gpus_allocatable = if new.status == NodeStatus::Ready {
        k.gpus_allocatable.unwrap_or(new.gpus).min(new.gpus)
    } else {
        0
    };
    new
}

/// One disagreement between the inventory and the cluster.
#[derive(Debug, Default, Serialize)]
struct DriftRow {
    node: String,
    /// `missing-in-inventory`, `missing-in-cluster`, `status`, `gpus` or `mig`.
    kind: &'static str,
    inventory: Option<String>,
    cluster: Option<String>,
}

impl TableRow for DriftRow {
    fn headers() -> Vec<&'static str> {
        vec!["node", "drift", "inventory", "cluster"]
    }
    fn cells(&self, _out: &Output) -> Vec<Cell> {
        vec![
            Cell::new(&self.node),
            Cell::new(self.kind),
            Cell::new(or_dash(&self.inventory)),
            Cell::new(or_dash(&self.cluster)),
        ]
    }
}

pub(super) fn format_mig(counts: &std::collections::BTreeMap<String, i64>) -> String {
    if counts.is_empty() {
        return "none".to_string();
    }
    counts
        .iter()
        .map(|(p, n)| format!("{n}x{p}"))
        .collect::<Vec<_>>()
        .join(",")
}

pub(super) fn drift(ctx: &Ctx, args: &NodeDriftArgs) -> Result<()> {
    let (text, source) = match &args.file {
        Some(path) => (read_input(path)?, path.display().to_string()),
        None => (kubectl_nodes(&args.kubectl)?, "kubectl".to_string()),
    };
    let incoming = parse(&text, &source)?;
    let store = ctx.store()?;
    let conn = store.conn();
    let mut rows = Vec::new();
    for k in &incoming {
        let Some(node) = nodes::get(conn, &args.cluster, &k.name)? else {
            rows.push(DriftRow {
                node: k.name.clone(),
                kind: "missing-in-inventory",
                inventory: None,
                cluster: Some(k.status.to_string()),
            });
            continue;
        };
        let expected_status = match node.status {
            NodeStatus::Maintenance | NodeStatus::Decommissioned => None,
            status => Some(status),
        };
        if expected_status.is_some_and(|s| s != k.status) {
            rows.push(DriftRow {
                node: k.name.clone(),
                kind: "status",
                inventory: Some(node.status.to_string()),
                cluster: Some(k.status.to_string()),
            });
        }
        match k.gpus {
            Some(gpus) if gpus != node.gpus => rows.push(DriftRow {
                node: k.name.clone(),
                kind: "gpus",
                inventory: Some(node.gpus.to_string()),
                cluster: Some(gpus.to_string()),
            }),
            _ => {}
        }
        let inventory_mig = nodes::mig_profile_counts(conn, node.id)?;
        let compare_mig = k.mig_strategy != MigStrategy::None || !inventory_mig.is_empty();
        if compare_mig && inventory_mig != k.mig_devices {
            rows.push(DriftRow {
                node: k.name.clone(),
                kind: "mig",
                inventory: Some(format_mig(&inventory_mig)),
                cluster: Some(format_mig(&k.mig_devices)),
            });
        }
    }
    for name in nodes::names_in_cluster(conn, &args.cluster)? {
        if incoming.iter().any(|k| k.name == name) {
            continue;
        }
        let status = nodes::get(conn, &args.cluster, &name)?.map(|n| n.status);
        if status == Some(NodeStatus::Decommissioned) {
            continue;
        }
        rows.push(DriftRow {
            node: name,
            kind: "missing-in-cluster",
            inventory: status.map(|s| s.to_string()),
            cluster: None,
        });
    }
    let footer = if rows.is_empty() {
        format!("inventory and cluster {} agree", args.cluster)
    } else {
        format!("{} difference(s) with cluster {}", rows.len(), args.cluster)
    };
    ctx.out.list(&rows, Some(footer.clone()))?;
    // As diff: exit 1 when they differ, so cron and CI can act on it; the rows said what.
    if rows.is_empty() {
        Ok(())
    } else {
        Err(Error::differences(footer))
    }
}
