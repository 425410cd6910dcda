//! `gpuctl node show`: a node, its GPUs and its latest history.

use super::*;

/// `node show`: the node, its GPUs and its latest history, as one JSON object.
#[derive(Serialize)]
pub(super) struct NodeDetail {
    #[serde(flatten)]
    node: Node,
    devices: Vec<Device>,
    history: Vec<Event>,
}

pub(super) fn show(ctx: &Ctx, args: &NodeShowArgs) -> Result<()> {
    let store = ctx.store()?;
    let node = resolve_node(store.conn(), &args.name)?;
    let history = events::for_node(
        store.conn(),
        &node.cluster,
        &node.name,
        None,
        SHOW_HISTORY_EVENTS,
    )?;
    let filter = DeviceFilter {
        node: Some(node.name.clone()),
        cluster: Some(node.cluster.clone()),
        ..DeviceFilter::default()
    };
    let devices = devices::list(store.conn(), &filter)?;
    let detail = NodeDetail {
        node,
        devices,
        history,
    };
    ctx.out
        .show(&detail, |out, w| render_detail(ctx, out, w, &detail))
}

pub(super) fn render_detail(
    ctx: &Ctx,
    out: &Output,
    w: &mut dyn Write,
    detail: &NodeDetail,
) -> Result<()> {
    let node = &detail.node;
    let fields = out.fields(vec![
        ("name", node.name.clone()),
        ("cluster", node.cluster.clone()),
        ("status", node.status.to_string()),
        ("role", or_dash(&node.role)),
        ("ip", or_dash(&node.ip)),
        ("labels", format_labels(&node.labels)),
        ("gpus", node.gpus.to_string()),
        ("allocatable", node.gpus_allocatable.to_string()),
        ("os", or_dash(&node.os)),
        ("kernel", or_dash(&node.kernel)),
        ("driver", or_dash(&node.driver)),
        ("cuda", or_dash(&node.cuda)),
        ("kubelet", or_dash(&node.kubelet)),
        ("created", clock::rfc3339(node.created_at)),
        (
            "updated",
            format!(
                "{} ({})",
                clock::rfc3339(node.updated_at),
                clock::ago(ctx.now, node.updated_at)
            ),
        ),
    ]);
    writeln!(w, "{fields}")?;
    writeln!(w)?;
    if detail.devices.is_empty() {
        writeln!(w, "GPUs: none")?;
    } else {
        writeln!(w, "GPUs ({}):", detail.devices.len())?;
        let rows = detail.devices.iter().map(|d| d.cells(out)).collect();
        writeln!(w, "{}", out.table(Device::headers(), rows))?;
    }
    writeln!(w)?;
    if detail.history.is_empty() {
        writeln!(w, "History: none")?;
    } else {
        writeln!(w, "History (latest {}):", detail.history.len())?;
        writeln!(w, "{}", history_table(out, &detail.history))?;
    }
    Ok(())
}
