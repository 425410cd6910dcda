//! MIG: a GPU's mode and its instances, placed by the profile rules of its model.

use rusqlite::Connection;

use super::{load_device, Detail, Inventory};
use crate::domain::{Device, EventKind, MigInstance};
use crate::error::{Error, Result};
use crate::gpu::mig::{self as engine, FitError, MigProfile, Placed};
use crate::output::{or_dash, plural};
use crate::store::{devices, mig, models, UuidTable};

/// Loads a MIG instance by its id (as `mig list` shows it), its MIG UUID, or a unique prefix
/// of one (as [`load_device`] takes GPUs); exit 3 when none matches.
pub(crate) fn load_mig_instance(conn: &Connection, text: &str) -> Result<MigInstance> {
    let not_found = || {
        Error::not_found(format!(
            "MIG instance {} not found",
            crate::terminal::quote(text)
        ))
        .with_hint("'gpuctl mig list' shows the instances")
    };
    if let Some(instance) = mig::get(conn, text)? {
        return Ok(instance);
    }
    if text.is_empty() || text.parse::<i64>().is_ok() {
        return Err(not_found());
    }
    match super::devices::unique_uuid(conn, UuidTable::MigInstances, text)? {
        Some(uuid) => mig::get(conn, &uuid)?.ok_or_else(not_found),
        None => Err(not_found()),
    }
}

/// The MIG profile table of a GPU's model; a conflict when the model has none.
pub(crate) fn profiles_of(conn: &Connection, device: &Device) -> Result<Vec<MigProfile>> {
    let model = match device.model_id {
        Some(id) => models::get_by_id(conn, id)?,
        None => None,
    };
    match model {
        Some(model) if model.mig_capable && !model.mig_profiles.is_empty() => {
            Ok(model.mig_profiles)
        }
        _ => Err(Error::conflict(format!(
            "GPU '{}' ({}) does not support MIG",
            device.uuid,
            or_dash(&device.model)
        ))),
    }
}

/// The instances of a GPU as the placement engine sees them.
fn layout(profiles: &[MigProfile], instances: &[MigInstance]) -> Vec<Placed> {
    instances
        .iter()
        .map(|i| {
            engine::placed(profiles, &i.profile, i.placement_start as u32).unwrap_or(Placed {
                // A profile no longer in the table still holds its slices; assume one compute
                // slice per memory slice, the most it could take.
                profile: i.profile.clone(),
                start: i.placement_start as u32,
                memory_slices: i.placement_size as u32,
                compute_slices: i.placement_size as u32,
            })
        })
        .collect()
}

fn fit_error(device: &Device, e: FitError) -> Error {
    Error::conflict(format!(
        "GPU '{}' ({}): {e}",
        device.uuid,
        or_dash(&device.model)
    ))
}

impl Inventory<'_> {
    /// Turns MIG on or off. On needs a MIG-capable model and no whole-GPU lease; off needs no
    /// instances left. Returns the GPU and whether it changed.
    pub(crate) fn set_mig_mode(&self, uuid: &str, enable: bool) -> Result<(Device, bool)> {
        let mut device = load_device(self.conn(), uuid)?;
        // The stored UUID, whatever prefix of it the caller gave.
        let uuid = device.uuid.clone();
        if device.mig_enabled == enable {
            return Ok((device, false));
        }
        if enable {
            profiles_of(self.conn(), &device)?;
            if let Some(lease) = device.lease_id {
                return Err(Error::conflict(format!(
                    "GPU '{}' is leased whole (lease {lease}); release it before enabling MIG",
                    device.uuid
                )));
            }
        } else if device.mig_instances > 0 {
            return Err(Error::conflict(format!(
                "GPU '{}' still has {}",
                device.uuid,
                plural(
                    device.mig_instances as usize,
                    "MIG instance",
                    "MIG instances"
                )
            ))
            .with_hint(format!(
                "destroy them first: gpuctl mig destroy --device {} --all",
                device.uuid
            )));
        }
        device.mig_enabled = enable;
        device.updated_at = self.now();
        devices::update(self.conn(), &device)?;
        let (kind, old, new) = if enable {
            (EventKind::MigEnabled, "disabled", "enabled")
        } else {
            (EventKind::MigDisabled, "enabled", "disabled")
        };
        self.record(
            kind,
            &device.uuid,
            Detail::on_node(&device.cluster, &device.node)
                .field("mig_mode")
                .change(Some(old.into()), Some(new.into())),
        )?;
        Ok((load_device(self.conn(), &uuid)?, true))
    }

    /// Places `count` instances of `profile` on a MIG-enabled GPU, each with `mig.created`.
    pub(crate) fn create_mig_instances(
        &self,
        uuid: &str,
        profile: &str,
        count: u32,
    ) -> Result<Vec<MigInstance>> {
        let device = load_device(self.conn(), uuid)?;
        let profiles = profiles_of(self.conn(), &device)?;
        if !device.mig_enabled {
            return Err(
                Error::conflict(format!("MIG is not enabled on GPU '{}'", device.uuid))
                    .with_hint(format!("gpuctl mig enable {}", device.uuid)),
            );
        }
        let existing = mig::list(self.conn(), Some(device.id), None)?;
        let new = engine::place(&profiles, &layout(&profiles, &existing), profile, count)
            .map_err(|e| fit_error(&device, e))?;
        let mut ids = Vec::with_capacity(new.len());
        for placed in &new {
            let id = mig::insert(
                self.conn(),
                device.id,
                &placed.profile,
                placed.start,
                placed.memory_slices,
                self.now(),
            )?;
            self.record(
                EventKind::MigCreated,
                &device.uuid,
                Detail::on_node(&device.cluster, &device.node)
                    .field(format!("instance:{id}"))
                    .new_value(format!(
                        "{} at {}:{}",
                        placed.profile, placed.start, placed.memory_slices
                    )),
            )?;
            ids.push(id);
        }
        Ok(mig::list(self.conn(), Some(device.id), None)?
            .into_iter()
            .filter(|i| ids.contains(&i.id))
            .collect())
    }

    /// Destroys instances, none of them leased, each with `mig.destroyed`.
    pub(crate) fn destroy_mig_instances(&self, targets: &[MigInstance]) -> Result<()> {
        if let Some(leased) = targets.iter().find(|i| i.lease_id.is_some()) {
            return Err(Error::conflict(format!(
                "MIG instance {} ({} on GPU {}) is leased (lease {})",
                leased.id,
                leased.profile,
                leased.device,
                leased.lease_id.unwrap_or_default()
            ))
            .with_hint("release the lease first with 'gpuctl alloc release'"));
        }
        for instance in targets {
            mig::delete(self.conn(), instance.id)?;
            self.record(
                EventKind::MigDestroyed,
                &instance.device,
                Detail::on_node(&instance.cluster, &instance.node)
                    .field(format!("instance:{}", instance.id))
                    .old_value(format!(
                        "{} at {}:{}",
                        instance.profile, instance.placement_start, instance.placement_size
                    )),
            )?;
        }
        Ok(())
    }
}
