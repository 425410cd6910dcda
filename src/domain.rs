//! Plain data types shared by the store, the commands and the output.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::error::Error;

/// Serialises unix seconds as RFC 3339 UTC strings, the form of every `*_at` JSON field.
pub mod unix_time {
    use serde::Serializer;

    pub fn serialize<S: Serializer>(t: &i64, s: S) -> Result<S::Ok, S::Error> {
        serde::Serialize::serialize(&crate::clock::Rfc3339(*t), s)
    }

    pub mod option {
        use serde::Serializer;

        pub fn serialize<S: Serializer>(t: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
            match t {
                Some(t) => super::serialize(t, s),
                None => s.serialize_none(),
            }
        }
    }
}

/// Declares a closed set of lower-case words (statuses, states) with parsing that names the
/// bad value and lists the good ones.
macro_rules! word_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            pub fn names() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        /// The first word: a value for the shape of a row (an empty list's CSV header), not a
        /// meaningful default.
        impl Default for $name {
            fn default() -> Self {
                Self::ALL[0]
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl clap::ValueEnum for $name {
            fn value_variants<'a>() -> &'a [Self] {
                Self::ALL
            }
            fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
                Some(clap::builder::PossibleValue::new(self.as_str()))
            }
        }

        impl FromStr for $name {
            type Err = Error;
            fn from_str(text: &str) -> Result<Self, Error> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == text)
                    .ok_or_else(|| {
                        Error::usage(format!(
                            "invalid {} {}: expected one of {}",
                            $what,
                            crate::terminal::quote(text),
                            Self::names()
                        ))
                    })
            }
        }
    };
}
#[allow(unused_imports)] // for word sets defined in other modules
pub(crate) use word_enum;

word_enum!(
    /// A node's lifecycle state.
    NodeStatus, "node status" {
        Ready => "ready",
        NotReady => "not-ready",
        Maintenance => "maintenance",
        Cordoned => "cordoned",
        Decommissioned => "decommissioned",
    }
);

word_enum!(
    /// The orders `node list --sort` offers.
    NodeSort, "sort field" {
        Name => "name",
        Cluster => "cluster",
        Status => "status",
        Created => "created",
        Updated => "updated",
        Gpus => "gpus",
    }
);

word_enum!(
    /// The orders `dashboard realtime --sort` offers: by node, by a metric (highest first), or
    /// by age (the stalest sample first).
    RealtimeSort, "sort field" {
        Node => "node",
        Util => "util",
        Memory => "memory",
        Temp => "temp",
        Power => "power",
        Age => "age",
    }
);

/// A node of the inventory, as every command shows it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Node {
    #[serde(skip)]
    pub id: i64,
    pub name: String,
    pub cluster: String,
    pub status: NodeStatus,
    pub ip: Option<String>,
    pub role: Option<String>,
    pub labels: BTreeMap<String, String>,
    /// GPU capacity: the node's devices once it has any, else the declared count.
    pub gpus: i64,
    pub gpus_allocatable: i64,
    pub os: Option<String>,
    pub kernel: Option<String>,
    pub driver: Option<String>,
    pub cuda: Option<String>,
    pub kubelet: Option<String>,
    #[serde(with = "unix_time")]
    pub created_at: i64,
    #[serde(with = "unix_time")]
    pub updated_at: i64,
}

impl Node {
    /// A node with just a name, cluster and status, created at `now`; the rest unknown.
    pub fn new(name: &str, cluster: &str, status: NodeStatus, now: i64) -> Node {
        Node {
            id: 0,
            name: name.to_string(),
            cluster: cluster.to_string(),
            status,
            ip: None,
            role: None,
            labels: BTreeMap::new(),
            gpus: 0,
            gpus_allocatable: 0,
            os: None,
            kernel: None,
            driver: None,
            cuda: None,
            kubelet: None,
            created_at: now,
            updated_at: now,
        }
    }
}

/// One line of the audit log.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Event {
    pub id: i64,
    #[serde(with = "unix_time")]
    pub at: i64,
    pub kind: String,
    pub subject: String,
    pub node: Option<String>,
    pub field: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub reason: Option<String>,
    pub actor: Option<String>,
    /// The cluster of `node` (a node is identified by cluster and name).
    pub cluster: Option<String>,
}

word_enum!(
    /// Every kind of change the audit log records: one word per change, whoever makes it.
    EventKind, "event kind" {
        NodeCreated => "node.created",
        NodeUpdated => "node.updated",
        NodeStatus => "node.status",
        NodeRemoved => "node.removed",
        DeviceCreated => "device.created",
        DeviceUpdated => "device.updated",
        DeviceStatus => "device.status",
        DeviceMoved => "device.moved",
        DeviceRemoved => "device.removed",
        MigEnabled => "mig.enabled",
        MigDisabled => "mig.disabled",
        MigCreated => "mig.created",
        MigDestroyed => "mig.destroyed",
        AllocCreated => "alloc.created",
        AllocExtended => "alloc.extended",
        AllocReleased => "alloc.released",
        AllocExpired => "alloc.expired",
        AlertFiring => "alert.firing",
        AlertAcknowledged => "alert.acknowledged",
        AlertResolved => "alert.resolved",
        AlertRule => "alert.rule",
        AlertReceiver => "alert.receiver",
        ModelCreated => "model.created",
        ModelUpdated => "model.updated",
        ModelRemoved => "model.removed",
        CollectRun => "collect.run",
        OptimizeRun => "optimize.run",
        DbRetention => "db.retention",
    }
);

/// An event about to be written; `at` and `actor` come from the writer's stamp.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub at: i64,
    pub kind: EventKind,
    pub subject: String,
    pub node: Option<String>,
    pub field: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub reason: Option<String>,
    pub actor: Option<String>,
    pub cluster: Option<String>,
}

word_enum!(
    /// How bad an alert is.
    Severity, "severity" {
        Info => "info",
        Warning => "warning",
        Critical => "critical",
    }
);

word_enum!(
    /// Where an alert is in its life.
    AlertState, "alert state" {
        Firing => "firing",
        Acknowledged => "acknowledged",
        Resolved => "resolved",
    }
);

word_enum!(
    /// Where a receiver's alerts go: Alertmanager's API v2, or a webhook of gpuctl's own body.
    ReceiverKind, "receiver kind" {
        Alertmanager => "alertmanager",
        Webhook => "webhook",
    }
);

/// A place alert transitions are delivered to (`gpuctl alert receivers`), with how its
/// delivery stands. Credentials are named (a file, an environment variable), never held.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AlertReceiver {
    #[serde(skip)]
    pub id: i64,
    pub name: String,
    pub kind: ReceiverKind,
    pub url: String,
    pub ca_file: Option<String>,
    pub bearer_token_file: Option<String>,
    pub bearer_token_env: Option<String>,
    pub basic_auth_user: Option<String>,
    pub basic_auth_password_file: Option<String>,
    pub basic_auth_password_env: Option<String>,
    /// How often open alerts are sent again (Alertmanager only).
    pub resend_every_secs: Option<i64>,
    #[serde(with = "unix_time")]
    pub created_at: i64,
    /// The last outbox entry this receiver has had (or, from before it was added, never gets).
    #[serde(skip)]
    pub delivered_through: i64,
    /// Transitions waiting for this receiver.
    pub pending: i64,
    /// Transitions it has taken (a 2xx answer), and refused for good (400 or 422).
    pub delivered: i64,
    pub dropped: i64,
    /// Failed attempts since the last success.
    pub failures: i64,
    #[serde(with = "unix_time::option")]
    pub next_attempt_at: Option<i64>,
    #[serde(with = "unix_time::option")]
    pub last_attempt_at: Option<i64>,
    #[serde(with = "unix_time::option")]
    pub last_success_at: Option<i64>,
    pub last_error: Option<String>,
    /// When open alerts were last sent again.
    #[serde(with = "unix_time::option")]
    pub resent_at: Option<i64>,
}

/// A rule that turns samples into alerts.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AlertRule {
    pub name: String,
    pub description: String,
    pub metric: String,
    pub comparison: String,
    pub threshold: f64,
    /// How long the condition must hold before the alert fires.
    pub for_secs: i64,
    pub severity: Severity,
    pub enabled: bool,
    pub builtin: bool,
    #[serde(with = "unix_time")]
    pub updated_at: i64,
}

/// An alert: one open alert per (rule, GPU) at a time.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Alert {
    pub id: i64,
    pub rule: String,
    /// The GPU's UUID.
    pub device: Option<String>,
    pub node: Option<String>,
    pub cluster: Option<String>,
    pub severity: Severity,
    pub state: AlertState,
    #[serde(with = "unix_time")]
    pub first_seen_at: i64,
    #[serde(with = "unix_time")]
    pub last_seen_at: i64,
    pub value: Option<f64>,
    pub threshold: Option<f64>,
    pub message: String,
    pub ack_note: Option<String>,
    #[serde(with = "unix_time::option")]
    pub acked_at: Option<i64>,
    #[serde(with = "unix_time::option")]
    pub resolved_at: Option<i64>,
    /// Why it was resolved: the condition cleared, a person, or its subject went away.
    pub resolution: Option<String>,
    /// The open critical alert of the same GPU and metric that stands in for this warning
    /// (a GPU at 96 °C is one problem, not two); it counts again if the critical clears first.
    pub suppressed_by: Option<i64>,
}

word_enum!(
    /// A GPU's lifecycle state.
    DeviceStatus, "GPU status" {
        Active => "active",
        Maintenance => "maintenance",
        Faulty => "faulty",
        Retired => "retired",
    }
);

word_enum!(
    /// A lease's state.
    LeaseState, "lease state" {
        Active => "active",
        Released => "released",
        Expired => "expired",
    }
);

/// A GPU model of the catalogue.
#[derive(Debug, Clone, Default, Serialize)]
pub struct GpuModel {
    #[serde(skip)]
    pub id: i64,
    pub name: String,
    pub aliases: Vec<String>,
    pub architecture: Option<String>,
    pub memory_mib: i64,
    pub tdp_w: Option<i64>,
    pub mig_capable: bool,
    pub mig_profiles: Vec<crate::gpu::mig::MigProfile>,
    pub hourly_cost: Option<f64>,
    pub builtin: bool,
    /// GPUs of the inventory of this model.
    pub devices: i64,
    #[serde(with = "unix_time")]
    pub created_at: i64,
    #[serde(with = "unix_time")]
    pub updated_at: i64,
}

/// A GPU of the inventory, keyed by its UUID.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Device {
    #[serde(skip)]
    pub id: i64,
    #[serde(skip)]
    pub node_id: i64,
    #[serde(skip)]
    pub model_id: Option<i64>,
    pub uuid: String,
    pub node: String,
    pub cluster: String,
    pub index: i64,
    pub model: Option<String>,
    pub serial: Option<String>,
    pub pci_bus_id: Option<String>,
    pub status: DeviceStatus,
    pub mig_enabled: bool,
    pub mig_instances: i64,
    /// The active lease on the whole GPU, if any.
    pub lease_id: Option<i64>,
    /// Active leases on the GPU or on its MIG instances.
    pub allocated: bool,
    pub memory_mib: Option<i64>,
    #[serde(with = "unix_time::option")]
    pub last_seen_at: Option<i64>,
    #[serde(with = "unix_time")]
    pub created_at: i64,
    #[serde(with = "unix_time")]
    pub updated_at: i64,
    /// The pods dcgm-exporter last saw on the GPU or its MIG instances (`namespace/pod`).
    pub workload: Option<String>,
    /// `ok`, or why the GPU gets no new lease: its status, an open critical alert, silence.
    pub health: String,
}

/// A MIG GPU instance.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MigInstance {
    pub id: i64,
    #[serde(skip)]
    pub device_id: i64,
    pub device: String,
    pub node: String,
    pub cluster: String,
    pub profile: String,
    pub placement_start: i64,
    pub placement_size: i64,
    pub uuid: Option<String>,
    pub lease_id: Option<i64>,
    #[serde(with = "unix_time")]
    pub created_at: i64,
    /// As dcgm-exporter reports the instance (`GPU_I_ID`), from a fleet collect.
    pub gpu_instance_id: Option<i64>,
    /// Graphics engine activity (`DCGM_FI_PROF_GR_ENGINE_ACTIVE`), whole percent.
    pub engine_active_pct: Option<i64>,
    pub fb_used_mib: Option<i64>,
    /// The pods using it (`namespace/pod`).
    pub workload: Option<String>,
}

/// A lease of a GPU or MIG instance.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Allocation {
    pub id: i64,
    pub owner: String,
    pub namespace: Option<String>,
    pub workload: Option<String>,
    pub state: LeaseState,
    pub device_uuid: String,
    pub node: String,
    pub cluster: String,
    pub model: Option<String>,
    pub mig_instance_id: Option<i64>,
    pub mig_profile: Option<String>,
    pub mig_uuid: Option<String>,
    pub gpu_fraction: f64,
    #[serde(with = "unix_time")]
    pub started_at: i64,
    #[serde(with = "unix_time")]
    pub expires_at: i64,
    #[serde(with = "unix_time::option")]
    pub ended_at: Option<i64>,
    pub end_reason: Option<String>,
    /// The health of the leased GPU now (`ok`, or why not); `-` once it is gone.
    pub health: String,
}
