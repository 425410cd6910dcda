//! `gpuctl node add|update|set-status|remove`: changes through the inventory layer.

use super::*;

/// Builds a node from `node add` arguments, every value checked.
pub(super) fn node_from_args(ctx: &Ctx, args: &NodeAddArgs) -> Result<Node> {
    let mut node = Node::new(&args.name, &args.cluster, args.status, ctx.now);
    apply_fields(&mut node, &args.fields)?;
    if node.status == NodeStatus::Ready {
        node.gpus_allocatable = node.gpus;
    }
    Ok(node)
}

/// Applies the optional fields given on the command line, checking each.
pub(super) fn apply_fields(node: &mut Node, fields: &NodeFieldArgs) -> Result<()> {
    if let Some(ip) = &fields.ip {
        node.ip = Some(ip.to_string());
    }
    for (what, given, slot) in [
        ("role", &fields.role, &mut node.role),
        ("os", &fields.os, &mut node.os),
        ("kernel", &fields.kernel, &mut node.kernel),
        ("driver", &fields.driver, &mut node.driver),
        ("cuda", &fields.cuda, &mut node.cuda),
        ("kubelet", &fields.kubelet, &mut node.kubelet),
    ] {
        if let Some(text) = given {
            validate::one_line(what, text)?;
            *slot = Some(text.clone());
        }
    }
    if let Some(reason) = &fields.reason {
        validate::one_line("reason", reason)?;
    }
    for label in &fields.labels {
        node.labels.insert(label.key.clone(), label.value.clone());
    }
    if let Some(gpus) = fields.gpus {
        node.gpus = i64::from(gpus);
    }
    Ok(())
}

pub(super) fn add(ctx: &Ctx, args: &NodeAddArgs) -> Result<()> {
    let mut node = node_from_args(ctx, args)?;
    ctx.change(|inv| inv.create_node(&mut node, args.fields.reason.as_deref()))?;
    ctx.out.show(&node, |out, w| {
        if !out.quiet {
            writeln!(w, "added node {} to cluster {}", node.name, node.cluster)?;
        }
        Ok(())
    })
}

pub(super) fn update(ctx: &Ctx, args: &NodeUpdateArgs) -> Result<()> {
    let (node, changed) = ctx.change(|inv| {
        inv.edit_node(&args.name, args.fields.reason.as_deref(), |node| {
            if let Some(cluster) = &args.cluster {
                node.cluster = cluster.to_string();
            }
            for key in &args.unlabels {
                node.labels.remove(key.as_str());
            }
            let was_allocatable_all = node.gpus_allocatable == node.gpus;
            apply_fields(node, &args.fields)?;
            if was_allocatable_all || node.gpus_allocatable > node.gpus {
                node.gpus_allocatable = if node.status == NodeStatus::Ready {
                    node.gpus
                } else {
                    0
                };
            }
            Ok(())
        })
    })?;
    report_edit(ctx, &node, changed, "updated")
}

pub(super) fn report_edit(ctx: &Ctx, node: &Node, changed: usize, verb: &str) -> Result<()> {
    if changed == 0 {
        ctx.out
            .note(format!("node {} unchanged: nothing to change", node.name));
    }
    ctx.out.show(node, |out, w| {
        if changed > 0 && !out.quiet {
            let s = if changed == 1 { "" } else { "s" };
            writeln!(w, "{verb} node {} ({changed} field{s})", node.name)?;
        }
        Ok(())
    })
}

pub(super) fn set_status(ctx: &Ctx, args: &NodeSetStatusArgs) -> Result<()> {
    if let Some(reason) = &args.reason {
        validate::one_line("reason", reason)?;
    }
    let (node, changed) = ctx.change(|inv| {
        inv.edit_node(&args.name, args.reason.as_deref(), |node| {
            node.status = args.status;
            // Only a ready node offers its GPUs; optimize refines this with leases and devices.
            node.gpus_allocatable = if args.status == NodeStatus::Ready {
                node.gpus
            } else {
                0
            };
            Ok(())
        })
    })?;
    if changed == 0 {
        ctx.out
            .note(format!("node {} is already {}", node.name, node.status));
        return ctx.out.show(&node, |_, _| Ok(()));
    }
    ctx.out.show(&node, |out, w| {
        if !out.quiet {
            writeln!(w, "node {} is now {}", node.name, node.status)?;
        }
        Ok(())
    })
}

pub(super) fn remove(ctx: &Ctx, args: &NodeRemoveArgs) -> Result<()> {
    if let Some(reason) = &args.reason {
        validate::one_line("reason", reason)?;
    }
    let removal =
        ctx.change(|inv| inv.remove_node(&args.name, args.force, args.reason.as_deref()))?;
    ctx.out.show(&removal, |out, w| {
        if !out.quiet {
            writeln!(
                w,
                "removed node {} from cluster {}",
                removal.name, removal.cluster
            )?;
        }
        Ok(())
    })
}
