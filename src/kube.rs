//! Reading Kubernetes node objects (`kubectl get nodes -o json`) into what the inventory keeps,
//! including what NVIDIA's device plugin and GPU Feature Discovery (GFD) publish.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::domain::NodeStatus;
use crate::error::{Error, Result};
use crate::terminal::quote;
use crate::validate;

/// The extended resource for whole GPUs (and, under MIG `single`, for MIG devices).
pub(crate) const GPU_RESOURCE: &str = "nvidia.com/gpu";
const MIG_RESOURCE_PREFIX: &str = "nvidia.com/mig-";
const ROLE_LABEL_PREFIX: &str = "node-role.kubernetes.io/";

/// The most devices (GPUs, or MIG devices of one profile) one node may report: DGX-class
/// nodes have 8 GPUs, and 8 × 7 MIG devices is 56. Anything above is a broken document.
pub(crate) const DEVICES_PER_NODE_MAX: i64 = 1_024;

/// How the device plugin exposes MIG devices on a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum MigStrategy {
    None,
    Single,
    Mixed,
}

/// One node as Kubernetes describes it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct KubeNode {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub status: NodeStatus,
    pub ip: Option<String>,
    pub role: Option<String>,
    pub os: Option<String>,
    pub kernel: Option<String>,
    pub kubelet: Option<String>,
    pub driver: Option<String>,
    pub cuda: Option<String>,
    /// Physical GPUs, where the node says (unknown under MIG `single`).
    pub gpus: Option<i64>,
    /// Whole GPUs Kubernetes can schedule.
    pub gpus_allocatable: Option<i64>,
    pub gpu_product: Option<String>,
    pub mig_strategy: MigStrategy,
    /// MIG devices per profile (`1g.10gb` → 7).
    pub mig_devices: BTreeMap<String, i64>,
}

/// Parses a `List`/`NodeList` of nodes or a single `Node`. Errors name the path in the document.
pub(crate) fn parse_nodes(document: &Value, source: &str) -> Result<Vec<KubeNode>> {
    let bad = |path: &str, what: String| Error::usage(format!("{source}: {path}: {what}"));
    let kind = document.get("kind").and_then(Value::as_str);
    match kind {
        Some("List") | Some("NodeList") => {
            let items = document
                .get("items")
                .and_then(Value::as_array)
                .ok_or_else(|| bad("items", "expected an array of nodes".into()))?;
            items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let path = format!("items[{i}]");
                    match item.get("kind").and_then(Value::as_str) {
                        None | Some("Node") => parse_node(item, &path, source),
                        Some(other) => Err(bad(
                            &format!("{path}.kind"),
                            format!("expected Node, found {}", quote(other)),
                        )),
                    }
                })
                .collect()
        }
        Some("Node") => Ok(vec![parse_node(document, "$", source)?]),
        Some(other) => Err(bad(
            "kind",
            format!("expected List, NodeList or Node, found {}", quote(other)),
        )),
        None => Err(bad(
            "kind",
            "missing: is this the output of 'kubectl get nodes -o json'?".into(),
        )),
    }
}

fn parse_node(node: &Value, path: &str, source: &str) -> Result<KubeNode> {
    let bad = |at: String, what: String| Error::usage(format!("{source}: {at}: {what}"));
    let name = node
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .ok_or_else(|| bad(format!("{path}.metadata.name"), "missing".into()))?
        .to_string();
    validate::node_name(&name).map_err(|e| bad(format!("{path}.metadata.name"), e.message))?;
    let mut labels = BTreeMap::new();
    if let Some(map) = node.pointer("/metadata/labels") {
        let map = map.as_object().ok_or_else(|| {
            bad(
                format!("{path}.metadata.labels"),
                "expected an object".into(),
            )
        })?;
        for (key, value) in map {
            let value = value.as_str().ok_or_else(|| {
                bad(
                    format!("{path}.metadata.labels[\"{key}\"]"),
                    "expected a string".into(),
                )
            })?;
            validate::label_key(key)
                .and_then(|_| validate::label_value(key, value))
                .map_err(|e| bad(format!("{path}.metadata.labels"), e.message))?;
            labels.insert(key.clone(), value.to_string());
        }
    }
    let unschedulable = node
        .pointer("/spec/unschedulable")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let ready = node
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .and_then(|conditions| {
            conditions
                .iter()
                .find(|c| c.get("type").and_then(Value::as_str) == Some("Ready"))
        })
        .and_then(|c| c.get("status").and_then(Value::as_str))
        == Some("True");
    let status = if unschedulable {
        NodeStatus::Cordoned
    } else if ready {
        NodeStatus::Ready
    } else {
        NodeStatus::NotReady
    };
    let ip = node
        .pointer("/status/addresses")
        .and_then(Value::as_array)
        .and_then(|addresses| {
            addresses
                .iter()
                .find(|a| a.get("type").and_then(Value::as_str) == Some("InternalIP"))
        })
        .and_then(|a| a.get("address").and_then(Value::as_str))
        .map(|text| {
            validate::ip(text).map_err(|e| bad(format!("{path}.status.addresses"), e.message))
        })
        .transpose()?;
    // Text that reaches the admin's terminal: one line without control characters.
    let info = |field: &str| -> Result<Option<String>> {
        node.pointer(&format!("/status/nodeInfo/{field}"))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(|text| {
                validate::one_line(field, text)
                    .map(|_| text.to_string())
                    .map_err(|e| {
                        bad(
                            format!("{path}.status.nodeInfo.{field}"),
                            format!("node {name}: {}", e.message),
                        )
                    })
            })
            .transpose()
    };
    let roles: Vec<&str> = labels
        .keys()
        .filter_map(|k| k.strip_prefix(ROLE_LABEL_PREFIX))
        .filter(|r| !r.is_empty())
        .collect();
    let role = (!roles.is_empty()).then(|| roles.join(","));
    let capacity = quantities(node, &name, "capacity", path, source)?;
    let allocatable = quantities(node, &name, "allocatable", path, source)?;
    let label_int = |key: &str| -> Result<Option<i64>> {
        labels
            .get(key)
            .map(|v| {
                let at = format!("{path}.metadata.labels[\"{key}\"]");
                let count = v
                    .parse::<i64>()
                    .map_err(|_| bad(at.clone(), format!("{} is not a whole number", quote(v))))?;
                device_count(count, v, &name).map_err(|what| bad(at, what))
            })
            .transpose()
    };
    let version = |full: &str, parts: [&str; 3]| -> Option<String> {
        if let Some(full) = labels.get(full) {
            return Some(full.clone());
        }
        let found: Vec<&String> = parts.iter().map_while(|p| labels.get(*p)).collect();
        (!found.is_empty()).then(|| {
            found
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(".")
        })
    };
    let driver = version(
        "nvidia.com/cuda.driver-version.full",
        [
            "nvidia.com/cuda.driver.major",
            "nvidia.com/cuda.driver.minor",
            "nvidia.com/cuda.driver.rev",
        ],
    );
    let cuda = version(
        "nvidia.com/cuda.runtime-version.full",
        [
            "nvidia.com/cuda.runtime.major",
            "nvidia.com/cuda.runtime.minor",
            "nvidia.com/cuda.runtime.patch",
        ],
    );
    let mig_strategy = match labels.get("nvidia.com/mig.strategy").map(String::as_str) {
        Some("single") => MigStrategy::Single,
        Some("mixed") => MigStrategy::Mixed,
        _ => MigStrategy::None,
    };
    let gpu_count_label = label_int("nvidia.com/gpu.count")?;
    let product = labels.get("nvidia.com/gpu.product").cloned();
    let mut mig_devices = BTreeMap::new();
    let (gpus, gpus_allocatable) = match mig_strategy {
        MigStrategy::None => (
            capacity.get(GPU_RESOURCE).copied().or(gpu_count_label),
            allocatable.get(GPU_RESOURCE).copied(),
        ),
        MigStrategy::Single => {
            // `nvidia.com/gpu` counts MIG devices, and the product label ends in -MIG-<profile>.
            let profile = product
                .as_deref()
                .and_then(|p| p.rsplit_once("-MIG-"))
                .map(|(_, profile)| profile.to_string());
            if let (Some(profile), Some(count)) = (
                profile,
                capacity.get(GPU_RESOURCE).copied().or(gpu_count_label),
            ) {
                mig_devices.insert(profile, count);
            }
            (None, None)
        }
        MigStrategy::Mixed => {
            for (resource, count) in &capacity {
                if let Some(profile) = resource.strip_prefix(MIG_RESOURCE_PREFIX) {
                    mig_devices.insert(profile.to_string(), *count);
                }
            }
            (
                gpu_count_label.or(capacity.get(GPU_RESOURCE).copied()),
                allocatable.get(GPU_RESOURCE).copied(),
            )
        }
    };
    let (os, kernel, kubelet) = (
        info("osImage")?,
        info("kernelVersion")?,
        info("kubeletVersion")?,
    );
    Ok(KubeNode {
        name,
        status,
        ip,
        role,
        os,
        kernel,
        kubelet,
        driver,
        cuda,
        gpus,
        gpus_allocatable,
        gpu_product: product,
        mig_strategy,
        mig_devices,
        labels,
    })
}

/// The NVIDIA extended resources of `status.<which>`, as whole numbers.
fn quantities(
    node: &Value,
    name: &str,
    which: &str,
    path: &str,
    source: &str,
) -> Result<BTreeMap<String, i64>> {
    let mut out = BTreeMap::new();
    let Some(map) = node.pointer(&format!("/status/{which}")) else {
        return Ok(out);
    };
    let map = map.as_object().ok_or_else(|| {
        Error::usage(format!(
            "{source}: {path}.status.{which}: expected an object"
        ))
    })?;
    for (resource, value) in map.iter().filter(|(k, _)| k.starts_with("nvidia.com/")) {
        let text = match value {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => String::new(),
        };
        let at = format!("{source}: {path}.status.{which}[\"{resource}\"]");
        let count = text
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .ok_or_else(|| {
                Error::usage(format!(
                    "{at}: {} is not a whole number of devices (node {name})",
                    quote(&text)
                ))
            })?;
        let count = device_count(count, &text, name)
            .map_err(|what| Error::usage(format!("{at}: {what}")))?;
        out.insert(resource.clone(), count);
    }
    Ok(out)
}

/// A count of devices on node `name`, refused above [`DEVICES_PER_NODE_MAX`] or below zero.
fn device_count(count: i64, text: &str, name: &str) -> Result<i64, String> {
    if (0..=DEVICES_PER_NODE_MAX).contains(&count) {
        return Ok(count);
    }
    Err(format!(
        "{} devices on node {name} is outside 0–{DEVICES_PER_NODE_MAX}",
        quote(text)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn node(labels: Value, capacity: Value) -> Value {
        json!({
            "kind": "Node",
            "metadata": {"name": "gpu-1", "labels": labels},
            "spec": {},
            "status": {
                "conditions": [{"type": "Ready", "status": "True"}],
                "addresses": [{"type": "Hostname", "address": "gpu-1"}, {"type": "InternalIP", "address": "10.1.2.3"}],
                "capacity": capacity.clone(),
                "allocatable": capacity,
                "nodeInfo": {"osImage": "Ubuntu 22.04.4 LTS", "kernelVersion": "5.15.0-105-generic", "kubeletVersion": "v1.30.2"}
            }
        })
    }

    #[test]
    fn a_plain_gpu_node() {
        let doc = node(
            json!({"node-role.kubernetes.io/worker": "", "nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3",
                   "nvidia.com/cuda.driver.major": "550", "nvidia.com/cuda.driver.minor": "54", "nvidia.com/cuda.driver.rev": "15",
                   "nvidia.com/cuda.runtime.major": "12", "nvidia.com/cuda.runtime.minor": "4"}),
            json!({"cpu": "96", "nvidia.com/gpu": "8"}),
        );
        let parsed = parse_nodes(&doc, "-").unwrap();
        let n = &parsed[0];
        assert_eq!(n.status, NodeStatus::Ready);
        assert_eq!(n.ip.as_deref(), Some("10.1.2.3"));
        assert_eq!(n.role.as_deref(), Some("worker"));
        assert_eq!(n.driver.as_deref(), Some("550.54.15"));
        assert_eq!(n.cuda.as_deref(), Some("12.4"));
        assert_eq!(n.kubelet.as_deref(), Some("v1.30.2"));
        assert_eq!((n.gpus, n.gpus_allocatable), (Some(8), Some(8)));
        assert!(n.mig_devices.is_empty());
    }

    #[test]
    fn mig_single_and_mixed() {
        let single = node(
            json!({"nvidia.com/mig.strategy": "single", "nvidia.com/gpu.product": "A100-SXM4-40GB-MIG-1g.5gb", "nvidia.com/gpu.count": "56"}),
            json!({"nvidia.com/gpu": "56"}),
        );
        let n = &parse_nodes(&single, "-").unwrap()[0];
        assert_eq!(n.gpus, None, "physical count unknown under single");
        assert_eq!(n.mig_devices.get("1g.5gb"), Some(&56));
        let mixed = node(
            json!({"nvidia.com/mig.strategy": "mixed", "nvidia.com/gpu.count": "4"}),
            json!({"nvidia.com/gpu": "2", "nvidia.com/mig-3g.40gb": "2", "nvidia.com/mig-1g.10gb": "7"}),
        );
        let n = &parse_nodes(&mixed, "-").unwrap()[0];
        assert_eq!(n.gpus, Some(4));
        assert_eq!(n.gpus_allocatable, Some(2));
        assert_eq!(n.mig_devices.get("3g.40gb"), Some(&2));
        assert_eq!(n.mig_devices.get("1g.10gb"), Some(&7));
    }

    #[test]
    fn cordoned_and_not_ready() {
        let mut doc = node(json!({}), json!({}));
        doc["spec"]["unschedulable"] = json!(true);
        assert_eq!(
            parse_nodes(&doc, "-").unwrap()[0].status,
            NodeStatus::Cordoned
        );
        let mut doc = node(json!({}), json!({}));
        doc["status"]["conditions"][0]["status"] = json!("Unknown");
        assert_eq!(
            parse_nodes(&doc, "-").unwrap()[0].status,
            NodeStatus::NotReady
        );
    }

    #[test]
    fn malformed_documents_name_the_path() {
        let e = parse_nodes(&json!({"kind": "Pod"}), "pods.json").unwrap_err();
        assert_eq!(
            e.message,
            "pods.json: kind: expected List, NodeList or Node, found 'Pod'"
        );
        let e = parse_nodes(
            &json!({"kind": "List", "items": [{"kind": "Node", "metadata": {}}]}),
            "-",
        )
        .unwrap_err();
        assert_eq!(e.message, "-: items[0].metadata.name: missing");
        let bad_quantity =
            json!({"kind": "List", "items": [node(json!({}), json!({"nvidia.com/gpu": "lots"}))]});
        let e = parse_nodes(&bad_quantity, "-").unwrap_err();
        assert!(
            e.message.contains(
                "items[0].status.capacity[\"nvidia.com/gpu\"]: 'lots' is not a whole number"
            ),
            "{}",
            e.message
        );
        assert_eq!(e.exit_code(), 2);
    }
}

/// Property tests: whatever the document, mapping never panics; counts are bounded and text
/// that reaches a terminal is one clean line, or the node is refused.
#[cfg(test)]
mod props {
    use proptest::prelude::*;
    use serde_json::{json, Value};

    use super::*;

    /// Any JSON value, a few levels deep.
    fn any_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(|f| json!(f)),
            "\\PC{0,12}".prop_map(Value::from),
            Just(Value::from("Node")),
            Just(Value::from("List")),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                prop::collection::btree_map(
                    prop::sample::select(vec![
                        "kind",
                        "items",
                        "metadata",
                        "name",
                        "labels",
                        "status",
                        "capacity",
                        "allocatable",
                        "nodeInfo",
                        "osImage",
                        "nvidia.com/gpu",
                        "spec",
                        "unschedulable",
                        "conditions",
                        "addresses",
                    ])
                    .prop_map(String::from),
                    inner,
                    0..5,
                )
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    fn node(capacity: Value, os_image: &str) -> Value {
        json!({
            "kind": "Node",
            "metadata": {"name": "gpu-1", "labels": {}},
            "status": {
                "capacity": {"nvidia.com/gpu": capacity},
                "nodeInfo": {"osImage": os_image},
            },
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn any_document_maps_or_is_refused_without_panicking(document in any_json()) {
            let _ = parse_nodes(&document, "nodes.json");
            let _ = parse_nodes(&json!({"kind": "List", "items": [document]}), "nodes.json");
        }

        #[test]
        fn gpu_counts_are_accepted_exactly_within_the_bound(count in any::<i64>()) {
            let result = parse_nodes(&node(Value::from(count.to_string()), "Ubuntu"), "n.json");
            if (0..=DEVICES_PER_NODE_MAX).contains(&count) {
                let nodes = result.map_err(|e| TestCaseError::fail(e.message))?;
                prop_assert_eq!(nodes[0].gpus, Some(count));
            } else {
                let e = result.unwrap_err();
                prop_assert_eq!(e.exit_code(), 2);
                prop_assert!(e.message.contains(&count.to_string()), "{}", e.message);
                prop_assert!(e.message.contains("gpu-1"), "{}", e.message);
            }
        }

        #[test]
        fn node_info_text_is_kept_exactly_or_refused(os_image in "\\PC{1,20}|[ -~\\n\\x1b\\x07\u{9b}]{1,20}") {
            let result = parse_nodes(&node(Value::from("8"), &os_image), "n.json");
            let clean = !os_image.chars().any(crate::terminal::is_control)
                && !os_image.trim().is_empty();
            match result {
                Ok(nodes) => {
                    prop_assert!(clean, "{os_image:?} accepted");
                    prop_assert_eq!(nodes[0].os.as_deref(), Some(os_image.as_str()));
                }
                Err(e) => {
                    prop_assert!(!clean, "{os_image:?} refused: {}", e.message);
                    prop_assert!(!e.message.chars().any(crate::terminal::is_control));
                }
            }
        }
    }
}
