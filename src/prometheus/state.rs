//! The series of gpuctl's own state, which no other exporter has: open alerts, active leases,
//! and each node's status and GPU counts. Labels follow kube-state-metrics (`node`, `cluster`,
//! one series per possible status, 1 for the current one) and dcgm-exporter where a series names
//! a GPU (`UUID`, `gpu`, `modelName`, MIG's `GPU_I_PROFILE` / `GPU_I_ID`), so that rules join
//! them with dcgm-exporter's series `on (UUID)`.

use crate::domain::{DeviceStatus, NodeStatus};
use crate::store::exposition::{ActiveLease, NodeState, OpenAlert};

use super::{Kind, Labels, Writer};

/// What the store holds of the scope's state at the time of the exposition.
pub(super) struct State {
    pub(super) alerts: Vec<OpenAlert>,
    pub(super) leases: Vec<ActiveLease>,
    pub(super) nodes: Vec<NodeState>,
}

pub(super) fn render(out: &mut Writer, state: &State) {
    out.family(
        "gpuctl_alert",
        Kind::Gauge,
        "An open gpuctl alert (firing or acknowledged), 1 while open.",
        state.alerts.iter().map(|a| (alert_labels(a), 1.0)),
    );
    out.family(
        "gpuctl_alert_first_seen_timestamp_seconds",
        Kind::Gauge,
        "When the open gpuctl alert first fired.",
        state
            .alerts
            .iter()
            .map(|a| (alert_labels(a), a.first_seen_at as f64)),
    );
    out.family(
        "gpuctl_lease",
        Kind::Gauge,
        "A gpuctl lease that holds a GPU or MIG instance now, 1 while active.",
        state.leases.iter().map(|l| (lease_labels(l), 1.0)),
    );
    out.family(
        "gpuctl_lease_expiration_timestamp_seconds",
        Kind::Gauge,
        "When the active gpuctl lease expires.",
        state
            .leases
            .iter()
            .map(|l| (lease_labels(l), l.expires_at as f64)),
    );
    out.family(
        "gpuctl_node_status",
        Kind::Gauge,
        "The node's status in gpuctl's inventory: 1 for its status, 0 for the others.",
        state.nodes.iter().flat_map(|n| {
            NodeStatus::ALL.iter().map(move |status| {
                (
                    node_labels(n).with("status", status),
                    f64::from(u8::from(n.status == status.as_str())),
                )
            })
        }),
    );
    out.family(
        "gpuctl_gpus",
        Kind::Gauge,
        "The node's GPUs in each status of gpuctl's inventory.",
        state.nodes.iter().flat_map(|n| {
            DeviceStatus::ALL.iter().map(move |status| {
                let count = n
                    .gpus_by_status
                    .iter()
                    .find(|(s, _)| s == status.as_str())
                    .map_or(0, |(_, count)| *count);
                (node_labels(n).with("status", status), count as f64)
            })
        }),
    );
    out.family(
        "gpuctl_gpus_leased",
        Kind::Gauge,
        "The node's GPUs held by an active gpuctl lease, whole or on a MIG instance.",
        state
            .nodes
            .iter()
            .map(|n| (node_labels(n), n.gpus_leased as f64)),
    );
}

fn alert_labels(alert: &OpenAlert) -> Labels {
    Labels::default()
        .with("rule", &alert.rule)
        .with("severity", &alert.severity)
        .with("state", &alert.state)
        .with_some("cluster", alert.cluster.as_ref())
        .with_some("node", alert.node.as_ref())
        .with_some("UUID", alert.uuid.as_ref())
        .with_some("gpu", alert.gpu_index)
        .with_some("modelName", alert.model.as_ref())
        .with("suppressed", alert.suppressed)
}

fn lease_labels(lease: &ActiveLease) -> Labels {
    Labels::default()
        .with("lease", lease.id)
        .with("cluster", &lease.cluster)
        .with("node", &lease.node)
        .with("UUID", &lease.uuid)
        .with_some("modelName", lease.model.as_ref())
        .with("owner", &lease.owner)
        .with_some("namespace", lease.namespace.as_ref())
        .with_some("workload", lease.workload.as_ref())
        .with_some("GPU_I_PROFILE", lease.mig_profile.as_ref())
        .with_some("GPU_I_ID", lease.gpu_instance_id)
}

fn node_labels(node: &NodeState) -> Labels {
    Labels::default()
        .with("cluster", &node.cluster)
        .with("node", &node.name)
}
