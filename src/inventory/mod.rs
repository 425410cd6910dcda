//! The one writer of the inventory: nodes, devices, MIG instances, leases, models, alerts and
//! alert receivers.
//!
//! Every change goes through an [`Inventory`], which holds the caller's open write transaction
//! and a [`Stamp`] (when, and by whom). Each method changes the rows and writes the change's
//! audit event in that same transaction, with a kind from the one vocabulary
//! ([`EventKind`]), so the audit log says the same words for the same change whoever made it:
//! a command, `collect`'s ingest, `optimize`, a Kubernetes import or the demo generator.

mod alerts;
mod devices;
mod leases;
mod mig;
mod models;
mod nodes;
mod receivers;
mod runs;

use rusqlite::{Connection, Transaction};

use crate::domain::{EventKind, NewEvent};
use crate::error::Result;
use crate::store::events;

pub(crate) use alerts::alert_not_found;
pub(crate) use devices::{load_device, RunDevices};
pub(crate) use leases::{lease_not_found, LeaseRequest};
pub(crate) use mig::load_mig_instance;
pub(crate) use models::model_not_found;
pub(crate) use nodes::{
    ambiguous_node, check_cluster, creation_summary, format_labels, host_name, node_named,
    node_not_found, resolve_node, Filters,
};
pub(crate) use receivers::receiver_not_found;
pub(crate) use runs::RunFacts;

/// When a change is made and by whom; every event of one command run carries the same stamp.
#[derive(Debug, Clone)]
pub(crate) struct Stamp {
    /// Unix seconds.
    pub(crate) at: i64,
    pub(crate) actor: Option<String>,
}

impl Stamp {
    pub(crate) fn new(at: i64, actor: Option<&str>) -> Stamp {
        Stamp {
            at,
            actor: actor.map(str::to_string),
        }
    }
}

/// What an audit event says beyond its kind and subject.
#[derive(Debug, Default)]
pub(crate) struct Detail {
    /// The node whose history the event belongs to, and its cluster.
    pub(crate) node: Option<String>,
    pub(crate) cluster: Option<String>,
    pub(crate) field: Option<String>,
    pub(crate) old: Option<String>,
    pub(crate) new: Option<String>,
    pub(crate) reason: Option<String>,
}

impl Detail {
    pub(crate) fn on_node(cluster: &str, node: &str) -> Detail {
        Detail {
            node: Some(node.to_string()),
            cluster: Some(cluster.to_string()),
            ..Detail::default()
        }
    }
    pub(crate) fn field(mut self, field: impl Into<String>) -> Detail {
        self.field = Some(field.into());
        self
    }
    pub(crate) fn change(mut self, old: Option<String>, new: Option<String>) -> Detail {
        self.old = old;
        self.new = new;
        self
    }
    pub(crate) fn new_value(mut self, new: impl Into<String>) -> Detail {
        self.new = Some(new.into());
        self
    }
    pub(crate) fn old_value(mut self, old: impl Into<String>) -> Detail {
        self.old = Some(old.into());
        self
    }
    pub(crate) fn reason(mut self, reason: Option<&str>) -> Detail {
        self.reason = reason.map(str::to_string);
        self
    }
}

/// The inventory inside one write transaction.
pub(crate) struct Inventory<'t> {
    tx: &'t Connection,
    stamp: Stamp,
}

impl<'t> Inventory<'t> {
    /// Taking a `Transaction` (which `Store::write` hands out) keeps every change inside one.
    pub(crate) fn new(tx: &'t Transaction<'_>, stamp: Stamp) -> Inventory<'t> {
        Inventory { tx, stamp }
    }

    /// The transaction, for reads that go with the changes.
    pub(crate) fn conn(&self) -> &'t Connection {
        self.tx
    }

    pub(crate) fn now(&self) -> i64 {
        self.stamp.at
    }

    /// The same transaction under another stamp (a replay or the demo writing its history).
    pub(crate) fn at(&self, at: i64) -> Inventory<'t> {
        Inventory {
            tx: self.tx,
            stamp: Stamp {
                at,
                actor: self.stamp.actor.clone(),
            },
        }
    }

    /// Writes one audit event: the only place events are written.
    pub(crate) fn record(&self, kind: EventKind, subject: &str, detail: Detail) -> Result<()> {
        events::record(
            self.tx,
            &NewEvent {
                at: self.stamp.at,
                kind,
                subject: subject.to_string(),
                node: detail.node,
                field: detail.field,
                old_value: detail.old,
                new_value: detail.new,
                reason: detail.reason,
                actor: self.stamp.actor.clone(),
                cluster: detail.cluster,
            },
        )?;
        Ok(())
    }
}
