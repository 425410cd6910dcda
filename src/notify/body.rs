//! What a receiver is sent: Alertmanager's postable alerts (API v2), or the webhook body, which
//! follows Alertmanager's own webhook payload (version 4) so receivers written for it read it,
//! with gpuctl's fields for each transition beside.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::clock::rfc3339;
use crate::domain::AlertState;
use crate::store::notify::Notice;

/// Labels and annotations: names sorted, as Alertmanager hashes them.
pub(crate) type LabelSet = BTreeMap<&'static str, String>;

/// What Alertmanager writes for "no end" in its webhooks.
const NO_END: &str = "0001-01-01T00:00:00Z";

/// The labels that identify an alert: the rule, its severity and the GPU's node, cluster,
/// UUID and model, named as dcgm-exporter names them. Missing values are left out
/// (Alertmanager drops empty labels).
pub(crate) fn labels(notice: &Notice) -> LabelSet {
    let mut labels = LabelSet::new();
    labels.insert("alertname", notice.rule.clone());
    labels.insert("severity", notice.severity.as_str().to_string());
    let optional = [
        ("node", &notice.node),
        ("cluster", &notice.cluster),
        ("UUID", &notice.device_uuid),
        ("modelName", &notice.model),
    ];
    for (name, value) in optional {
        if let Some(value) = value.as_ref().filter(|v| !v.is_empty()) {
            labels.insert(name, value.clone());
        }
    }
    labels
}

/// What an alert says beyond its identity: the rule's description as `summary`, the message
/// as `description`, the value and threshold, gpuctl's alert id, and an acknowledgement or a
/// resolution when there is one.
pub(crate) fn annotations(notice: &Notice) -> LabelSet {
    let mut annotations = LabelSet::new();
    annotations.insert("summary", notice.description.clone());
    annotations.insert("description", notice.message.clone());
    if let Some(value) = notice.value {
        annotations.insert("value", number(value));
    }
    if let Some(threshold) = notice.threshold {
        annotations.insert("threshold", number(threshold));
    }
    annotations.insert("alert_id", notice.alert_id.to_string());
    if let Some(acked_at) = notice.acked_at {
        annotations.insert("acknowledged", "true".to_string());
        annotations.insert("acknowledged_at", rfc3339(acked_at));
        if let Some(note) = notice.ack_note.as_ref().filter(|n| !n.is_empty()) {
            annotations.insert("ack_note", note.clone());
        }
    }
    if notice.transition == AlertState::Resolved {
        if let Some(resolution) = notice.resolution.as_ref().filter(|r| !r.is_empty()) {
            annotations.insert("resolution", resolution.clone());
        }
    }
    annotations
}

/// A value as people write it: `93`, `97.5`.
fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

/// The fingerprint Alertmanager gives a label set (Prometheus's `LabelSet.Fingerprint`):
/// FNV-1a 64 over each name and value in name order, each followed by the byte 0xff, as 16
/// hex digits.
pub(crate) fn fingerprint(labels: &LabelSet) -> String {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0100_0000_01b3;
    const SEPARATOR: u8 = 0xff;
    let mut hash = OFFSET;
    let mut add = |bytes: &[u8]| {
        for byte in bytes.iter().chain(std::iter::once(&SEPARATOR)) {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(PRIME);
        }
    };
    for (name, value) in labels {
        add(name.as_bytes());
        add(value.as_bytes());
    }
    format!("{hash:016x}")
}

/// An alert as `POST /api/v2/alerts` takes it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct PostableAlert {
    labels: LabelSet,
    annotations: LabelSet,
    starts_at: String,
    ends_at: String,
}

/// When an alert ends for Alertmanager: its resolution time once resolved (never before it
/// started); while open, `valid_for` seconds from now, as Prometheus sends `endsAt` ahead
/// and sends the alert again before then.
fn ends_at(notice: &Notice, now: i64, valid_for: i64) -> i64 {
    match notice.transition {
        AlertState::Resolved => notice.at.max(notice.first_seen_at),
        AlertState::Firing | AlertState::Acknowledged => {
            now.max(notice.at).max(notice.first_seen_at) + valid_for
        }
    }
}

/// The JSON array `POST /api/v2/alerts` takes, in the notices' order: an open alert ends
/// `valid_for` seconds after `now`, a resolved one when it resolved.
pub(crate) fn alertmanager_body(
    notices: &[Notice],
    now: i64,
    valid_for: i64,
) -> serde_json::Result<Vec<u8>> {
    let alerts: Vec<PostableAlert> = notices
        .iter()
        .map(|notice| PostableAlert {
            labels: labels(notice),
            annotations: annotations(notice),
            starts_at: rfc3339(notice.first_seen_at),
            ends_at: rfc3339(ends_at(notice, now, valid_for)),
        })
        .collect();
    serde_json::to_vec(&alerts)
}

/// The webhook body (documented in the README): Alertmanager's webhook payload, version 4.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct WebhookBody<'a> {
    version: &'static str,
    group_key: String,
    truncated_alerts: u32,
    /// `resolved` when every alert of the body is, else `firing`.
    status: &'static str,
    receiver: &'a str,
    group_labels: LabelSet,
    common_labels: LabelSet,
    common_annotations: LabelSet,
    #[serde(rename = "externalURL")]
    external_url: &'static str,
    alerts: Vec<WebhookAlert>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct WebhookAlert {
    status: &'static str,
    labels: LabelSet,
    annotations: LabelSet,
    starts_at: String,
    ends_at: String,
    #[serde(rename = "generatorURL")]
    generator_url: &'static str,
    fingerprint: String,
    /// gpuctl's: what happened (`firing`, `acknowledged`, `resolved`) and when.
    transition: AlertState,
    transition_at: String,
    /// The same for every attempt to deliver this transition, to any receiver: a receiver
    /// that has seen it may drop it.
    idempotency_key: Option<String>,
    /// Its place in the order every receiver gets transitions in (rising, not contiguous).
    sequence: Option<i64>,
    alert_id: i64,
}

fn status(transition: AlertState) -> &'static str {
    match transition {
        AlertState::Resolved => "resolved",
        AlertState::Firing | AlertState::Acknowledged => "firing",
    }
}

/// The pairs every set holds alike.
fn common(sets: &[LabelSet]) -> LabelSet {
    let Some((first, rest)) = sets.split_first() else {
        return LabelSet::new();
    };
    first
        .iter()
        .filter(|(name, value)| rest.iter().all(|set| set.get(*name) == Some(*value)))
        .map(|(name, value)| (*name, value.clone()))
        .collect()
}

/// The webhook body for `notices`, in their order.
pub(crate) fn webhook_body(receiver: &str, notices: &[Notice]) -> serde_json::Result<Vec<u8>> {
    let alerts: Vec<WebhookAlert> = notices
        .iter()
        .map(|notice| {
            let labels = labels(notice);
            WebhookAlert {
                status: status(notice.transition),
                fingerprint: fingerprint(&labels),
                annotations: annotations(notice),
                labels,
                starts_at: rfc3339(notice.first_seen_at),
                ends_at: match notice.transition {
                    AlertState::Resolved => rfc3339(notice.at.max(notice.first_seen_at)),
                    _ => NO_END.to_string(),
                },
                generator_url: "",
                transition: notice.transition,
                transition_at: rfc3339(notice.at),
                idempotency_key: notice.key.clone(),
                sequence: notice.sequence,
                alert_id: notice.alert_id,
            }
        })
        .collect();
    let label_sets: Vec<LabelSet> = alerts.iter().map(|a| a.labels.clone()).collect();
    let annotation_sets: Vec<LabelSet> = alerts.iter().map(|a| a.annotations.clone()).collect();
    let all_resolved = alerts.iter().all(|a| a.status == "resolved");
    let body = WebhookBody {
        version: "4",
        group_key: format!("gpuctl/{receiver}"),
        truncated_alerts: 0,
        status: if all_resolved { "resolved" } else { "firing" },
        receiver,
        group_labels: LabelSet::new(),
        common_labels: common(&label_sets),
        common_annotations: common(&annotation_sets),
        external_url: "",
        alerts,
    };
    serde_json::to_vec(&body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Severity;
    use serde_json::{json, Value};

    const T0: i64 = 1_795_950_000; // 2026-11-29T11:00:00Z

    fn notice(transition: AlertState, at: i64) -> Notice {
        Notice {
            sequence: Some(7),
            key: Some("0123456789abcdef0123456789abcdef".into()),
            alert_id: 3,
            transition,
            at,
            rule: "gpu-temperature-critical".into(),
            description: "GPU temperature is critical".into(),
            severity: Severity::Critical,
            device_uuid: Some("GPU-8a1c5c3e-0d6a-4f0e-9d1e-2b6f3c4d5e60".into()),
            node: Some("gpu-node-1".into()),
            cluster: Some("prod".into()),
            model: Some("NVIDIA H100 80GB HBM3".into()),
            value: Some(95.0),
            threshold: Some(92.0),
            message: "GPU temperature is critical: temperature_c = 95 (>= 92)".into(),
            first_seen_at: T0,
            acked_at: None,
            ack_note: None,
            resolution: None,
        }
    }

    fn parse(bytes: serde_json::Result<Vec<u8>>) -> Value {
        serde_json::from_slice(&bytes.unwrap()).unwrap()
    }

    #[test]
    fn a_firing_alert_for_alertmanager_carries_labels_annotations_and_ends_ahead() {
        let body = parse(alertmanager_body(
            &[notice(AlertState::Firing, T0)],
            T0 + 30,
            240,
        ));
        assert_eq!(
            body,
            json!([{
                "labels": {
                    "UUID": "GPU-8a1c5c3e-0d6a-4f0e-9d1e-2b6f3c4d5e60",
                    "alertname": "gpu-temperature-critical",
                    "cluster": "prod",
                    "modelName": "NVIDIA H100 80GB HBM3",
                    "node": "gpu-node-1",
                    "severity": "critical"
                },
                "annotations": {
                    "alert_id": "3",
                    "description": "GPU temperature is critical: temperature_c = 95 (>= 92)",
                    "summary": "GPU temperature is critical",
                    "threshold": "92",
                    "value": "95"
                },
                "startsAt": "2026-11-29T11:00:00Z",
                "endsAt": "2026-11-29T11:04:30Z"
            }])
        );
    }

    #[test]
    fn a_resolved_alert_ends_when_it_resolved_and_an_acknowledged_one_says_so() {
        let mut resolved = notice(AlertState::Resolved, T0 + 600);
        resolved.resolution = Some("cleared".into());
        let mut acked = notice(AlertState::Acknowledged, T0 + 60);
        acked.acked_at = Some(T0 + 60);
        acked.ack_note = Some("on it".into());
        let body = parse(alertmanager_body(&[acked, resolved], T0 + 700, 240));
        assert_eq!(
            body[0]["endsAt"], "2026-11-29T11:15:40Z",
            "still open: ahead"
        );
        assert_eq!(body[0]["annotations"]["acknowledged"], "true");
        assert_eq!(
            body[0]["annotations"]["acknowledged_at"],
            "2026-11-29T11:01:00Z"
        );
        assert_eq!(body[0]["annotations"]["ack_note"], "on it");
        assert_eq!(body[1]["endsAt"], "2026-11-29T11:10:00Z");
        assert_eq!(body[1]["annotations"]["resolution"], "cleared");
        // A transition from a replay ahead of the clock still ends after it starts.
        let ahead = notice(AlertState::Firing, T0 + 3_600);
        let mut started_ahead = ahead.clone();
        started_ahead.first_seen_at = T0 + 3_600;
        let body = parse(alertmanager_body(&[started_ahead], T0, 240));
        assert_eq!(body[0]["endsAt"], "2026-11-29T12:04:00Z");
    }

    #[test]
    fn missing_values_are_left_out_not_sent_empty() {
        let mut bare = notice(AlertState::Firing, T0);
        bare.model = None;
        bare.cluster = Some(String::new());
        bare.value = None;
        let set = labels(&bare);
        assert!(!set.contains_key("modelName") && !set.contains_key("cluster"));
        assert!(!annotations(&bare).contains_key("value"));
        assert_eq!(number(97.5), "97.5");
    }

    #[test]
    fn fingerprints_are_alertmanagers() {
        // Prometheus's model.LabelSet{"alertname": "x"}.Fingerprint(), and of no labels.
        let mut one = LabelSet::new();
        one.insert("alertname", "x".into());
        assert_eq!(
            fingerprint(&one),
            expected_fingerprint(&[("alertname", "x")])
        );
        assert_eq!(fingerprint(&LabelSet::new()), "cbf29ce484222325");
        let set = labels(&notice(AlertState::Firing, T0));
        let pairs: Vec<(&str, &str)> = set.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(fingerprint(&set), expected_fingerprint(&pairs));
        assert_eq!(fingerprint(&set).len(), 16);
    }

    /// FNV-1a written out the long way, over `name 0xff value 0xff` in the given order.
    fn expected_fingerprint(pairs: &[(&str, &str)]) -> String {
        let mut bytes = Vec::new();
        for (name, value) in pairs {
            bytes.extend_from_slice(name.as_bytes());
            bytes.push(0xff);
            bytes.extend_from_slice(value.as_bytes());
            bytes.push(0xff);
        }
        let mut hash: u64 = 14_695_981_039_346_656_037;
        for byte in bytes {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(1_099_511_628_211);
        }
        format!("{hash:016x}")
    }

    /// The README documents the webhook body with an example: it is what gpuctl sends.
    #[test]
    fn the_readme_shows_the_webhook_body_gpuctl_sends() {
        let readme = include_str!("../../README.md");
        let from = readme
            .find("**Webhook body.**")
            .expect("the README's section");
        let start = from + readme[from..].find("```json\n").expect("its example") + 8;
        let end = start + readme[start..].find("```").expect("the example's end");
        let documented: Value = serde_json::from_str(&readme[start..end]).expect("valid JSON");
        let mut example = notice(AlertState::Firing, T0 - 3_360);
        example.first_seen_at = T0 - 3_360;
        example.alert_id = 42;
        example.sequence = Some(17);
        example.key = Some("9f2c4e0a7d1b4c8e8a3f6b2d1c0e9a7b".into());
        example.node = Some("gpu-node-1".into());
        assert_eq!(parse(webhook_body("ops", &[example])), documented);
    }

    #[test]
    fn the_webhook_body_follows_alertmanagers_payload_with_each_transition() {
        let firing = notice(AlertState::Firing, T0);
        let mut resolved = notice(AlertState::Resolved, T0 + 120);
        resolved.sequence = Some(9);
        resolved.key = Some("fedcba9876543210fedcba9876543210".into());
        let body = parse(webhook_body("ops", &[firing, resolved.clone()]));
        assert_eq!(body["version"], "4");
        assert_eq!(body["groupKey"], "gpuctl/ops");
        assert_eq!(body["receiver"], "ops");
        assert_eq!(body["status"], "firing", "one of them still fires");
        assert_eq!(body["externalURL"], "");
        assert_eq!(
            body["commonLabels"]["alertname"],
            "gpu-temperature-critical"
        );
        assert_eq!(
            body["commonAnnotations"]["summary"],
            "GPU temperature is critical"
        );
        let alerts = body["alerts"].as_array().unwrap();
        assert_eq!(alerts.len(), 2);
        assert_eq!(alerts[0]["status"], "firing");
        assert_eq!(alerts[0]["endsAt"], NO_END);
        assert_eq!(alerts[0]["transition"], "firing");
        assert_eq!(alerts[0]["transitionAt"], "2026-11-29T11:00:00Z");
        assert_eq!(
            alerts[0]["idempotencyKey"],
            "0123456789abcdef0123456789abcdef"
        );
        assert_eq!(alerts[0]["sequence"], 7);
        assert_eq!(alerts[0]["alertId"], 3);
        assert_eq!(alerts[0]["generatorURL"], "");
        assert_eq!(alerts[0]["fingerprint"], alerts[1]["fingerprint"]);
        assert_eq!(alerts[1]["status"], "resolved");
        assert_eq!(alerts[1]["endsAt"], "2026-11-29T11:02:00Z");
        assert_eq!(alerts[1]["sequence"], 9);
        let only_resolved = parse(webhook_body("ops", &[resolved]));
        assert_eq!(only_resolved["status"], "resolved");
        let acked = parse(webhook_body("ops", &[notice(AlertState::Acknowledged, T0)]));
        assert_eq!(acked["alerts"][0]["status"], "firing");
        assert_eq!(acked["alerts"][0]["transition"], "acknowledged");
    }
}
