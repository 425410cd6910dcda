//! The GPU model catalogue: models added by hand or met by a collect, edited, removed.

use super::{Detail, Inventory};
use crate::domain::{EventKind, GpuModel};
use crate::error::{Error, Result};
use crate::gpu::source::DeviceSample;
use crate::output::or_dash;
use crate::store::models;

pub(crate) fn model_not_found(name: &str) -> Error {
    Error::not_found(format!(
        "GPU model {} not found",
        crate::terminal::quote(name)
    ))
    .with_hint("'gpuctl model list' shows the catalogue")
}

impl Inventory<'_> {
    /// The model a name or alias answers to, or exit 3.
    pub(crate) fn resolve_model(&self, name: &str) -> Result<GpuModel> {
        models::resolve(self.conn(), name)?.ok_or_else(|| model_not_found(name))
    }

    /// Refuses a name or alias another model already answers to.
    fn check_model_name_free(&self, name: &str, except: Option<i64>) -> Result<()> {
        if let Some(owner) = models::name_taken(self.conn(), name, except)? {
            return Err(Error::conflict(format!(
                "{} already names GPU model {}",
                crate::terminal::quote(name),
                crate::terminal::quote(&owner)
            )));
        }
        Ok(())
    }

    /// Adds a model whose name and aliases are free, with `model.created`.
    pub(crate) fn create_model(&self, model: &mut GpuModel, reason: Option<&str>) -> Result<()> {
        self.check_model_name_free(&model.name, None)?;
        for alias in &model.aliases {
            self.check_model_name_free(alias, None)?;
        }
        model.created_at = self.now();
        model.updated_at = self.now();
        model.id = models::insert(self.conn(), model)?;
        self.record(
            EventKind::ModelCreated,
            &model.name,
            Detail::default()
                .new_value(format!("memory_mib={}", model.memory_mib))
                .reason(reason),
        )
    }

    /// Writes `new` over `old` with one `model.updated` per changed field; new aliases must
    /// be free. Returns whether anything changed.
    pub(crate) fn update_model(&self, old: &GpuModel, new: &mut GpuModel) -> Result<bool> {
        for alias in &new.aliases {
            if !old.aliases.iter().any(|a| a.eq_ignore_ascii_case(alias)) {
                self.check_model_name_free(alias, Some(old.id))?;
            }
        }
        let changes = [
            (
                "architecture",
                or_dash(&old.architecture),
                or_dash(&new.architecture),
            ),
            (
                "memory_mib",
                old.memory_mib.to_string(),
                new.memory_mib.to_string(),
            ),
            ("tdp_w", or_dash(&old.tdp_w), or_dash(&new.tdp_w)),
            (
                "hourly_cost",
                or_dash(&old.hourly_cost),
                or_dash(&new.hourly_cost),
            ),
            ("aliases", old.aliases.join(","), new.aliases.join(",")),
        ];
        let mut changed = false;
        for (field, before, after) in changes {
            if before != after {
                changed = true;
                self.record(
                    EventKind::ModelUpdated,
                    &old.name,
                    Detail::default()
                        .field(field)
                        .change(Some(before), Some(after)),
                )?;
            }
        }
        if changed {
            new.updated_at = self.now();
            models::update(self.conn(), new)?;
        }
        Ok(changed)
    }

    /// Removes a model no GPU uses.
    pub(crate) fn remove_model(&self, name: &str) -> Result<GpuModel> {
        let model = self.resolve_model(name)?;
        if model.devices > 0 {
            return Err(Error::conflict(format!(
                "GPU model '{}' is used by {} GPU{}",
                model.name,
                model.devices,
                if model.devices == 1 { "" } else { "s" }
            ))
            .with_hint("move or remove those GPUs first ('gpuctl device list --model ...')"));
        }
        models::delete(self.conn(), model.id)?;
        self.record(EventKind::ModelRemoved, &model.name, Detail::default())?;
        Ok(model)
    }

    /// The catalogue model of a name a GPU reports; a name the catalogue does not know is
    /// added with the memory the GPU reports, so its GPUs still group by model.
    pub(crate) fn model_for_reported(
        &self,
        name: &str,
        reading: &DeviceSample,
        reason: &str,
    ) -> Result<Option<i64>> {
        if let Some(id) = models::resolve_id(self.conn(), name)? {
            return Ok(Some(id));
        }
        let Some(memory_mib) = reading
            .mem_total_mib
            .and_then(|m| i64::try_from(m).ok())
            .filter(|m| *m > 0)
        else {
            return Ok(None);
        };
        let mut model = GpuModel {
            id: 0,
            name: name.to_string(),
            aliases: Vec::new(),
            architecture: None,
            memory_mib,
            tdp_w: reading.power_limit_mw.map(|mw| i64::from(mw) / 1000),
            mig_capable: false,
            mig_profiles: Vec::new(),
            hourly_cost: None,
            builtin: false,
            devices: 0,
            created_at: 0,
            updated_at: 0,
        };
        self.create_model(&mut model, Some(reason))?;
        Ok(Some(model.id))
    }
}
