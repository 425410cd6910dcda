//! Leases of GPUs and MIG instances: created, extended, released, expired.

use rusqlite::Connection;

use super::{load_device, Detail, Inventory};
use crate::clock;
use crate::domain::{Allocation, DeviceStatus, EventKind, LeaseState, NodeStatus};
use crate::error::{Error, Result};
use crate::gpu::mig::Geometry;
use crate::store::allocations::{self, Candidate, NewAllocation, Scope};
use crate::store::{alerts, models, nodes};

/// The rule that watches leased GPUs doing nothing; it ends with the lease.
const ALLOCATED_IDLE_RULE: &str = "allocated-idle";

pub(crate) fn lease_not_found(id: i64) -> Error {
    Error::not_found(format!("lease {id} not found"))
        .with_hint("'gpuctl alloc list --all' shows every lease")
}

impl Inventory<'_> {
    /// The lease with this id, or exit 3.
    pub(crate) fn load_lease(&self, id: i64) -> Result<Allocation> {
        allocations::get(self.conn(), id)?.ok_or_else(|| lease_not_found(id))
    }

    /// An active lease, or a conflict saying what it already is.
    pub(crate) fn load_active_lease(&self, id: i64) -> Result<Allocation> {
        let lease = self.load_lease(id)?;
        if lease.state != LeaseState::Active {
            return Err(Error::conflict(format!(
                "lease {id} is already {}",
                lease.state
            )));
        }
        Ok(lease)
    }

    /// Leases a GPU or MIG instance (the store refuses a second active lease on it), with
    /// `alloc.created`. Returns the lease id.
    pub(crate) fn create_lease(&self, new: &NewAllocation) -> Result<i64> {
        let id = allocations::insert(self.conn(), new)?;
        let mig = new
            .mig_profile
            .as_ref()
            .map_or(String::new(), |p| format!(" mig={p}"));
        self.record(
            EventKind::AllocCreated,
            &id.to_string(),
            Detail::on_node(&new.cluster, &new.node).new_value(format!(
                "owner={} gpu={}{mig} until {}",
                new.owner,
                new.device_uuid,
                clock::rfc3339(new.expires_at)
            )),
        )?;
        Ok(id)
    }

    /// Ends an active lease as `released` now, with `alloc.released`.
    pub(crate) fn release_lease(&self, lease: &Allocation, reason: Option<&str>) -> Result<()> {
        allocations::end(
            self.conn(),
            lease.id,
            LeaseState::Released,
            self.now(),
            reason.unwrap_or("released"),
        )?;
        self.record_lease_end(lease, LeaseState::Released, reason)
    }

    /// Ends an active lease whose time is up as `expired`, at its expiry rather than when it
    /// was noticed, with `alloc.expired` stamped at that time too.
    pub(crate) fn expire_lease(&self, lease: &Allocation) -> Result<()> {
        allocations::end(
            self.conn(),
            lease.id,
            LeaseState::Expired,
            lease.expires_at,
            "expired",
        )?;
        self.at(lease.expires_at)
            .record_lease_end(lease, LeaseState::Expired, None)
    }

    /// The event of a lease's end; a GPU no longer leased is no longer "leased but idle".
    fn record_lease_end(
        &self,
        lease: &Allocation,
        state: LeaseState,
        reason: Option<&str>,
    ) -> Result<()> {
        let kind = match state {
            LeaseState::Expired => EventKind::AllocExpired,
            _ => EventKind::AllocReleased,
        };
        self.record(
            kind,
            &lease.id.to_string(),
            Detail::on_node(&lease.cluster, &lease.node)
                .field("state")
                .change(Some("active".into()), Some(state.to_string()))
                .reason(reason),
        )?;
        if !alerts::device_has_active_lease_at(self.conn(), &lease.device_uuid, self.now())? {
            self.resolve_alerts_of_device(
                &lease.device_uuid,
                Some(ALLOCATED_IDLE_RULE),
                &format!("lease {} {state}", lease.id),
            )?;
        }
        Ok(())
    }

    /// Expires every active lease past its end (at its end), as any write does first so no
    /// lease outlives its time; returns them.
    pub(crate) fn expire_due_leases(&self) -> Result<Vec<Allocation>> {
        let due = allocations::due(self.conn(), self.now())?;
        for lease in &due {
            self.expire_lease(lease)?;
        }
        Ok(due)
    }

    /// Moves an active lease's end to `expires_at`, with `alloc.extended` (old → new
    /// `expires_at`). Refused with a usage error, before anything is written: an end not after
    /// now, and an end earlier than the current one unless `allow_shorten`. The same end is no
    /// change and records nothing. Returns whether the end moved.
    pub(crate) fn extend_lease(
        &self,
        lease: &Allocation,
        expires_at: i64,
        allow_shorten: bool,
    ) -> Result<bool> {
        if expires_at <= self.now() {
            return Err(Error::usage(format!(
                "lease {} cannot end at {}: that is not in the future (now is {})",
                lease.id,
                clock::rfc3339(expires_at),
                clock::rfc3339(self.now())
            ))
            .with_hint(format!("'gpuctl alloc release {}' ends it now", lease.id)));
        }
        if expires_at < lease.expires_at && !allow_shorten {
            return Err(Error::usage(format!(
                "lease {} ends {}; {} would shorten it",
                lease.id,
                clock::rfc3339(lease.expires_at),
                clock::rfc3339(expires_at)
            ))
            .with_hint("pass --allow-shorten to end it earlier"));
        }
        if expires_at == lease.expires_at {
            return Ok(false);
        }
        allocations::set_expiry(self.conn(), lease.id, expires_at)?;
        self.record(
            EventKind::AllocExtended,
            &lease.id.to_string(),
            Detail::on_node(&lease.cluster, &lease.node)
                .field("expires_at")
                .change(
                    Some(clock::rfc3339(lease.expires_at)),
                    Some(clock::rfc3339(expires_at)),
                ),
        )?;
        Ok(true)
    }
}

/// What a lease request asks for: where, what, how many, for whom and until when.
#[derive(Debug, Clone, Default)]
pub(crate) struct LeaseRequest {
    pub(crate) device: Option<String>,
    pub(crate) node: Option<String>,
    pub(crate) cluster: Option<String>,
    pub(crate) model: Option<String>,
    pub(crate) mig_profile: Option<String>,
    pub(crate) count: usize,
    pub(crate) owner: String,
    pub(crate) namespace: Option<String>,
    pub(crate) workload: Option<String>,
    pub(crate) expires_at: i64,
    /// Lease GPUs with an open critical alert or that stopped reporting, too.
    pub(crate) allow_unhealthy: bool,
}

impl LeaseRequest {
    /// `node=a model=b`: what was asked, for messages.
    fn describe(&self) -> String {
        let mut parts = Vec::new();
        for (flag, value) in [
            ("device", &self.device),
            ("node", &self.node),
            ("cluster", &self.cluster),
            ("model", &self.model),
            ("mig-profile", &self.mig_profile),
        ] {
            if let Some(value) = value {
                parts.push(format!("{flag}={value}"));
            }
        }
        parts.join(" ")
    }
}

/// Picks `count` candidates, fewest fragments first: the smallest group (node for GPUs, GPU for
/// MIG instances) that holds them all, else the largest groups first. Candidates come ordered
/// by group size, then group, then index.
fn choose(
    candidates: Vec<Candidate>,
    count: usize,
    group: impl Fn(&Candidate) -> &str,
) -> Vec<Candidate> {
    if let Some(first) = candidates
        .iter()
        .find(|c| c.free_in_group as usize >= count)
    {
        let key = group(first).to_string();
        return candidates
            .into_iter()
            .filter(|c| group(c) == key)
            .take(count)
            .collect();
    }
    let mut by_size = candidates;
    by_size.sort_by_key(|c| std::cmp::Reverse(c.free_in_group));
    by_size.into_iter().take(count).collect()
}

/// The share of its GPU a MIG instance of `profile` is: its compute slices over the GPU's.
fn mig_fraction(conn: &Connection, model: &Option<String>, profile: &str) -> Result<f64> {
    let Some(model) = model
        .as_deref()
        .map(|m| models::resolve(conn, m))
        .transpose()?
        .flatten()
    else {
        return Ok(1.0);
    };
    let geometry = Geometry::of(&model.mig_profiles);
    Ok(model
        .mig_profiles
        .iter()
        .find(|p| p.name == profile)
        .filter(|_| geometry.compute_slices > 0)
        .map_or(1.0, |p| {
            f64::from(p.compute_slices) / f64::from(geometry.compute_slices)
        }))
}

impl Inventory<'_> {
    /// Explains why an explicitly named GPU cannot be leased whole.
    fn check_device_leasable(&self, uuid: &str, allow_unhealthy: bool) -> Result<()> {
        let device = load_device(self.conn(), uuid)?;
        if device.mig_enabled {
            return Err(Error::conflict(format!(
                "GPU '{uuid}' has MIG enabled and cannot be leased whole"
            ))
            .with_hint("lease one of its instances with --mig-profile"));
        }
        if let Some(lease) = device.lease_id {
            return Err(Error::conflict(format!(
                "no free GPU matches: GPU '{uuid}' is already leased (lease {lease})"
            )));
        }
        if device.status != DeviceStatus::Active {
            return Err(Error::conflict(format!(
                "no free GPU matches: GPU '{uuid}' is {}",
                device.status
            )));
        }
        let node = nodes::get_by_id(self.conn(), device.node_id)?;
        if let Some(node) = node.filter(|n| n.status != NodeStatus::Ready) {
            return Err(Error::conflict(format!(
                "no free GPU matches: node '{}' of GPU '{uuid}' is {}",
                node.name, node.status
            )));
        }
        if device.health != "ok" && !allow_unhealthy {
            return Err(
                Error::conflict(format!("GPU '{uuid}' is unhealthy ({})", device.health))
                    .with_hint("--allow-unhealthy leases it anyway"),
            );
        }
        Ok(())
    }

    /// The conflict when too few healthy units match but unhealthy ones would have: each
    /// skipped GPU named with why.
    fn unhealthy_only(
        &self,
        request: &LeaseRequest,
        healthy: usize,
        all: Vec<Candidate>,
    ) -> Option<Error> {
        let mut skipped: Vec<String> = Vec::new();
        for c in all.iter().filter(|c| c.unhealthy.is_some()) {
            let line = format!(
                "{} ({})",
                c.device_uuid,
                c.unhealthy.as_deref().unwrap_or_default()
            );
            if !skipped.contains(&line) {
                skipped.push(line);
            }
        }
        if skipped.is_empty() {
            return None;
        }
        let what = if request.mig_profile.is_some() {
            "MIG instance"
        } else {
            "GPU"
        };
        Some(
            Error::conflict(format!(
                "no healthy free {what} matches {} (wanted {}, {healthy} healthy); skipped {}",
                request.describe(),
                request.count,
                skipped.join(", ")
            ))
            .with_hint("--allow-unhealthy leases unhealthy GPUs anyway"),
        )
    }

    /// The request's filters, each named thing checked to exist (exit 3 otherwise).
    fn scope(&self, request: &LeaseRequest) -> Result<Scope> {
        // The stored UUID, whatever prefix of it the request gave.
        let device_uuid = match &request.device {
            Some(text) => Some(load_device(self.conn(), text)?.uuid),
            None => None,
        };
        let node = match &request.node {
            Some(node) => Some(self.load_node(node)?),
            None => None,
        };
        if let Some(cluster) = &request.cluster {
            super::check_cluster(self.conn(), cluster)?;
        }
        let model_id = match &request.model {
            Some(name) => Some(self.resolve_model(name)?.id),
            None => None,
        };
        Ok(Scope {
            device_uuid,
            cluster: request
                .cluster
                .clone()
                .or_else(|| node.as_ref().map(|n| n.cluster.clone())),
            node: node.map(|n| n.name),
            model_id,
        })
    }

    /// Leases `count` free GPUs (or MIG instances of a profile), all or none, placed fewest
    /// fragments first. Returns the new leases.
    pub(crate) fn allocate(&self, request: &LeaseRequest) -> Result<Vec<Allocation>> {
        let count = request.count;
        let scope = self.scope(request)?;
        let picked = match &request.mig_profile {
            Some(profile) => {
                let allow = request.allow_unhealthy;
                let candidates =
                    allocations::free_mig_instances(self.conn(), &scope, profile, allow)?;
                let picked = choose(candidates, count, |c| &c.device_uuid);
                if picked.len() < count && !allow {
                    let all = allocations::free_mig_instances(self.conn(), &scope, profile, true)?;
                    if let Some(e) = self.unhealthy_only(request, picked.len(), all) {
                        return Err(e);
                    }
                }
                if picked.len() < count {
                    return Err(Error::conflict(format!(
                        "no free MIG instance matches {} (wanted {count}, {} free)",
                        request.describe(),
                        picked.len()
                    ))
                    .with_hint("create instances with 'gpuctl mig create'"));
                }
                picked
            }
            None => {
                let allow = request.allow_unhealthy;
                if let Some(uuid) = &scope.device_uuid {
                    self.check_device_leasable(uuid, allow)?;
                }
                let candidates = allocations::free_gpus(self.conn(), &scope, allow)?;
                let picked = choose(candidates, count, |c| &c.node);
                if picked.len() < count && !allow {
                    let all = allocations::free_gpus(self.conn(), &scope, true)?;
                    if let Some(e) = self.unhealthy_only(request, picked.len(), all) {
                        return Err(e);
                    }
                }
                if picked.len() < count {
                    return Err(Error::conflict(format!(
                        "no free GPU matches {} (wanted {count}, {} free)",
                        request.describe(),
                        picked.len()
                    )));
                }
                picked
            }
        };
        let mut leases = Vec::with_capacity(picked.len());
        for c in picked {
            let gpu_fraction = match &c.mig_profile {
                Some(profile) => mig_fraction(self.conn(), &c.model, profile)?,
                None => 1.0,
            };
            let id = self.create_lease(&NewAllocation {
                device_id: c.device_id,
                mig_instance_id: c.mig_instance_id,
                device_uuid: c.device_uuid,
                node: c.node,
                cluster: c.cluster,
                model: c.model,
                mig_profile: c.mig_profile,
                mig_uuid: c.mig_uuid,
                gpu_fraction,
                owner: request.owner.clone(),
                namespace: request.namespace.clone(),
                workload: request.workload.clone(),
                started_at: self.now(),
                expires_at: request.expires_at,
            })?;
            leases.push(self.load_lease(id)?);
        }
        Ok(leases)
    }
}
