//! `gpuctl model …`: the GPU model catalogue.

use std::io::Write;

use crate::output::Cell;

use crate::cli::{
    ModelAddArgs, ModelCommand, ModelFieldArgs, ModelListArgs, ModelShowArgs, ModelUpdateArgs,
};
use crate::commands::page_footer;
use crate::domain::GpuModel;
use crate::error::{Error, Result};
use crate::inventory::model_not_found;
use crate::output::{or_dash, Output, TableRow};
use crate::store::models;
use crate::validate;
use crate::Ctx;

pub(crate) fn run(ctx: &Ctx, command: &ModelCommand) -> Result<()> {
    match command {
        ModelCommand::List(args) => list(ctx, args),
        ModelCommand::Show(args) => show(ctx, args),
        ModelCommand::Add(args) => add(ctx, args),
        ModelCommand::Update(args) => update(ctx, args),
        ModelCommand::Remove(args) => remove(ctx, args),
    }
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

fn list(ctx: &Ctx, args: &ModelListArgs) -> Result<()> {
    let store = ctx.store()?;
    let page = args.page.page(None);
    let (rows, total) = models::page(store.conn(), page)?;
    let footer = page_footer(page, rows.len(), total, "model", "models");
    ctx.out.list(&rows, Some(footer))
}

fn show(ctx: &Ctx, args: &ModelShowArgs) -> Result<()> {
    let store = ctx.store()?;
    let model =
        models::resolve(store.conn(), &args.name)?.ok_or_else(|| model_not_found(&args.name))?;
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
                "invalid hourly cost {}: must be a number of at least 0",
                crate::terminal::quote(&cost.to_string())
            )));
        }
    }
    Ok(())
}

fn add(ctx: &Ctx, args: &ModelAddArgs) -> Result<()> {
    validate::one_line("model name", &args.name)?;
    check_fields(&args.fields)?;
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
        created_at: 0,
        updated_at: 0,
    };
    ctx.change(|inv| inv.create_model(&mut model, None))?;
    ctx.out.show(&model, |out, w| {
        if !out.quiet {
            writeln!(w, "added GPU model {}", model.name)?;
        }
        Ok(())
    })
}

fn update(ctx: &Ctx, args: &ModelUpdateArgs) -> Result<()> {
    check_fields(&args.fields)?;
    let model = ctx.change(|inv| {
        let old = inv.resolve_model(&args.name)?;
        let mut new = old.clone();
        for alias in &args.unaliases {
            let before = new.aliases.len();
            new.aliases.retain(|a| !a.eq_ignore_ascii_case(alias));
            if new.aliases.len() == before {
                return Err(Error::not_found(format!(
                    "{} is not an alias of GPU model '{}'",
                    crate::terminal::quote(alias),
                    old.name
                )));
            }
        }
        for alias in &args.fields.aliases {
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
        inv.update_model(&old, &mut new)?;
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
    let model = ctx.change(|inv| inv.remove_model(&args.name))?;
    ctx.out.show(&model, |out, w| {
        if !out.quiet {
            writeln!(w, "removed GPU model {}", model.name)?;
        }
        Ok(())
    })
}
