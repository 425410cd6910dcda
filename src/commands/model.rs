//! `gpuctl model …`: the GPU model catalogue.

use std::io::Write;

use crate::output::Cell;

use crate::cli::{ModelAddArgs, ModelCommand, ModelFieldArgs, ModelShowArgs, ModelUpdateArgs};
use crate::commands::event;
use crate::domain::GpuModel;
use crate::error::{Error, Result};
use crate::output::{or_dash, Output, TableRow};
use crate::store::{events, models};
use crate::validate;
use crate::Ctx;

pub fn run(ctx: &Ctx, command: &ModelCommand) -> Result<()> {
    match command {
        ModelCommand::List => list(ctx),
        ModelCommand::Show(args) => show(ctx, args),
        ModelCommand::Add(args) => add(ctx, args),
        ModelCommand::Update(args) => update(ctx, args),
        ModelCommand::Remove(args) => remove(ctx, args),
    }
}

pub(crate) fn not_found(name: &str) -> Error {
    Error::not_found(format!("GPU model '{name}' not found"))
        .with_hint("'gpuctl model list' shows the catalogue")
}

impl TableRow for GpuModel {
    fn headers() -> Vec<&'static str> {
        vec![
            "name",
            "arch",
            "memory",
            "tdp",
            "mig",
            "hourly cost",
            "gpus",
            "aliases",
        ]
    }
    fn cells(&self, out: &Output) -> Vec<Cell> {
        vec![
            Cell::new(&self.name),
            Cell::new(or_dash(&self.architecture)),
            out.number_cell(format!("{} GiB", self.memory_mib / 1024)),
            out.number_cell(self.tdp_w.map_or("-".into(), |w| format!("{w} W"))),
            Cell::new(if self.mig_capable { "yes" } else { "no" }),
            out.number_cell(or_dash(&self.hourly_cost)),
            out.number_cell(self.devices),
            Cell::new(if self.aliases.is_empty() {
                "-".to_string()
            } else {
                self.aliases.join(", ")
            }),
        ]
    }
}

fn list(ctx: &Ctx) -> Result<()> {
    let store = ctx.open_store()?;
    let rows = models::list(store.conn())?;
    let footer = crate::commands::plural(rows.len(), "model", "models");
    ctx.out.list(&rows, Some(footer))
}

fn show(ctx: &Ctx, args: &ModelShowArgs) -> Result<()> {
    let store = ctx.open_store()?;
    let model = models::resolve(store.conn(), &args.name)?.ok_or_else(|| not_found(&args.name))?;
    ctx.out.show(&model, |out, w| render(out, w, &model))
}

fn render(out: &Output, w: &mut dyn Write, model: &GpuModel) -> Result<()> {
    let fields = out.fields(vec![
        ("name", model.name.clone()),
        ("aliases", model.aliases.join(", ")),
        ("architecture", or_dash(&model.architecture)),
        ("memory", format!("{} MiB", model.memory_mib)),
        ("tdp", model.tdp_w.map_or("-".into(), |w| format!("{w} W"))),
        ("mig", if model.mig_capable { "yes" } else { "no" }.into()),
        ("hourly cost", or_dash(&model.hourly_cost)),
        ("built in", if model.builtin { "yes" } else { "no" }.into()),
        ("gpus", model.devices.to_string()),
    ]);
    writeln!(w, "{fields}")?;
    if !model.mig_profiles.is_empty() {
        let rows = model
            .mig_profiles
            .iter()
            .map(|p| {
                let starts = p
                    .placements
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(",");
                vec![
                    Cell::new(&p.name),
                    out.number_cell(p.compute_slices),
                    out.number_cell(p.memory_slices),
                    Cell::new(format!("{{{starts}}}:{}", p.memory_slices)),
                    out.number_cell(p.max_instances.map_or("-".into(), |m| m.to_string())),
                ]
            })
            .collect();
        writeln!(w)?;
        writeln!(w, "MIG profiles:")?;
        let headers = vec!["profile", "compute", "memory", "placements", "max"];
        writeln!(w, "{}", out.table(headers, rows))?;
    }
    Ok(())
}

fn check_fields(fields: &ModelFieldArgs) -> Result<()> {
    if let Some(arch) = &fields.architecture {
        validate::one_line("architecture", arch)?;
    }
    for alias in &fields.aliases {
        validate::one_line("alias", alias)?;
    }
    if let Some(cost) = fields.hourly_cost {
        if !cost.is_finite() || cost < 0.0 {
            return Err(Error::usage(format!(
                "invalid hourly cost '{cost}': must be a number of at least 0"
            )));
        }
    }
    Ok(())
}

/// Refuses a name or alias another model already answers to.
fn check_free(conn: &rusqlite::Connection, name: &str, except: Option<i64>) -> Result<()> {
    if let Some(owner) = models::name_taken(conn, name, except)? {
        return Err(Error::conflict(format!(
            "'{name}' already names GPU model '{owner}'"
        )));
    }
    Ok(())
}

fn add(ctx: &Ctx, args: &ModelAddArgs) -> Result<()> {
    validate::one_line("model name", &args.name)?;
    check_fields(&args.fields)?;
    let mut store = ctx.open_store()?;
    let model = store.write(|tx| {
        check_free(tx, &args.name, None)?;
        for alias in &args.fields.aliases {
            check_free(tx, alias, None)?;
        }
        let mut model = GpuModel {
            id: 0,
            name: args.name.clone(),
            aliases: args.fields.aliases.clone(),
            architecture: args.fields.architecture.clone(),
            memory_mib: args.memory_mib,
            tdp_w: args.fields.tdp_w,
            mig_capable: false,
            mig_profiles: Vec::new(),
            hourly_cost: args.fields.hourly_cost,
            builtin: false,
            devices: 0,
            created_at: ctx.now,
            updated_at: ctx.now,
        };
        model.id = models::insert(tx, &model)?;
        let mut e = event(ctx, "model.created", &model.name, None, &None);
        e.new_value = Some(format!("memory_mib={}", model.memory_mib));
        events::record(tx, &e)?;
        Ok(model)
    })?;
    ctx.out.show(&model, |out, w| {
        if !out.quiet {
            writeln!(w, "added GPU model {}", model.name)?;
        }
        Ok(())
    })
}

fn update(ctx: &Ctx, args: &ModelUpdateArgs) -> Result<()> {
    check_fields(&args.fields)?;
    let mut store = ctx.open_store()?;
    let model = store.write(|tx| {
        let old = models::resolve(tx, &args.name)?.ok_or_else(|| not_found(&args.name))?;
        let mut new = old.clone();
        for alias in &args.unaliases {
            let before = new.aliases.len();
            new.aliases.retain(|a| !a.eq_ignore_ascii_case(alias));
            if new.aliases.len() == before {
                return Err(Error::not_found(format!(
                    "'{alias}' is not an alias of GPU model '{}'",
                    old.name
                )));
            }
        }
        for alias in &args.fields.aliases {
            check_free(tx, alias, Some(old.id))?;
            if !new.aliases.iter().any(|a| a.eq_ignore_ascii_case(alias)) {
                new.aliases.push(alias.clone());
            }
        }
        if let Some(arch) = &args.fields.architecture {
            new.architecture = Some(arch.clone());
        }
        if let Some(memory) = args.memory_mib {
            new.memory_mib = memory;
        }
        if let Some(tdp) = args.fields.tdp_w {
            new.tdp_w = Some(tdp);
        }
        if let Some(cost) = args.fields.hourly_cost {
            new.hourly_cost = Some(cost);
        }
        if args.clear_hourly_cost {
            new.hourly_cost = None;
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
                let mut e = event(ctx, "model.updated", &old.name, None, &None);
                e.field = Some(field.to_string());
                e.old_value = Some(before);
                e.new_value = Some(after);
                events::record(tx, &e)?;
            }
        }
        if changed {
            new.updated_at = ctx.now;
            models::update(tx, &new)?;
        }
        Ok(new)
    })?;
    ctx.out.show(&model, |out, w| {
        if !out.quiet {
            writeln!(w, "updated GPU model {}", model.name)?;
        }
        Ok(())
    })
}

fn remove(ctx: &Ctx, args: &ModelShowArgs) -> Result<()> {
    let mut store = ctx.open_store()?;
    let model = store.write(|tx| {
        let model = models::resolve(tx, &args.name)?.ok_or_else(|| not_found(&args.name))?;
        if model.devices > 0 {
            return Err(Error::conflict(format!(
                "GPU model '{}' is used by {}",
                model.name,
                crate::commands::plural(model.devices as usize, "GPU", "GPUs")
            ))
            .with_hint("move or remove those GPUs first ('gpuctl device list --model ...')"));
        }
        models::delete(tx, model.id)?;
        events::record(tx, &event(ctx, "model.removed", &model.name, None, &None))?;
        Ok(model)
    })?;
    ctx.out.show(&model, |out, w| {
        if !out.quiet {
            writeln!(w, "removed GPU model {}", model.name)?;
        }
        Ok(())
    })
}
