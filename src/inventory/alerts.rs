//! Alerts and their rules: fired, repeated, acknowledged, resolved; rules tuned.

use super::{Detail, Inventory};
use crate::clock;
use crate::domain::{Alert, AlertRule, AlertState, EventKind};
use crate::error::{Error, Result};
use crate::store::{alerts, notify};

pub(crate) fn alert_not_found(id: i64) -> Error {
    Error::not_found(format!("alert {id} not found"))
        .with_hint("'gpuctl alert list --all' shows every alert")
}

pub(crate) fn rule_not_found(name: &str) -> Error {
    Error::not_found(format!(
        "alert rule {} not found",
        crate::terminal::quote(name)
    ))
    .with_hint("'gpuctl alert rules' lists the rules")
}

impl Inventory<'_> {
    /// Writes a transition's event and its outbox entry; called after the alert's row changed.
    fn record_alert_state(
        &self,
        alert: &Alert,
        kind: EventKind,
        old: Option<AlertState>,
        new: AlertState,
        reason: Option<String>,
    ) -> Result<()> {
        // Delivery's outbox, in this transaction: a transition committed is one to deliver.
        notify::enqueue(self.conn(), alert.id, new, self.now())?;
        self.record(
            kind,
            &format!("alert/{}", alert.id),
            Detail {
                node: alert.node.clone(),
                cluster: alert.cluster.clone(),
                field: Some("state".into()),
                old: old.map(|s| s.to_string()),
                new: Some(new.to_string()),
                reason,
            },
        )
    }

    /// Why an evaluated alert changed: its rule and GPU.
    fn rule_reason(alert: &Alert) -> String {
        format!(
            "{} on {}",
            alert.rule,
            alert.device.as_deref().unwrap_or("-")
        )
    }

    /// Opens a firing alert, with `alert.firing`. Returns its id.
    pub(crate) fn fire_alert(&self, alert: &mut Alert) -> Result<i64> {
        alert.id = alerts::insert(self.conn(), alert)?;
        self.record_alert_state(
            alert,
            EventKind::AlertFiring,
            None,
            AlertState::Firing,
            Some(Self::rule_reason(alert)),
        )?;
        Ok(alert.id)
    }

    /// A firing alert seen again: its value and last-seen time move, no event.
    pub(crate) fn repeat_alert(&self, alert: &Alert) -> Result<()> {
        alerts::touch(self.conn(), alert)
    }

    /// Resolves an open alert whose condition cleared, with `alert.resolved`.
    pub(crate) fn resolve_alert(&self, alert: &Alert) -> Result<()> {
        self.end_alert(alert, "cleared", Self::rule_reason(alert))
    }

    /// Resolves an open alert, keeping `resolution` on it and `reason` in the history.
    fn end_alert(&self, alert: &Alert, resolution: &str, reason: String) -> Result<()> {
        alerts::resolve(self.conn(), alert.id, self.now(), resolution)?;
        self.record_alert_state(
            alert,
            EventKind::AlertResolved,
            Some(alert.state),
            AlertState::Resolved,
            Some(reason),
        )
    }

    /// Resolves the open alerts of a GPU whose subject went away (retired, removed), or only
    /// those of one rule; returns how many.
    pub(crate) fn resolve_alerts_of_device(
        &self,
        uuid: &str,
        only_rule: Option<&str>,
        resolution: &str,
    ) -> Result<usize> {
        let open = alerts::open_for_devices(self.conn(), &[uuid])?;
        let mut ended = 0;
        for alert in open
            .iter()
            .filter(|a| only_rule.is_none_or(|rule| a.rule == rule))
        {
            self.end_alert(
                alert,
                resolution,
                format!("{} on {uuid}: {resolution}", alert.rule),
            )?;
            ended += 1;
        }
        Ok(ended)
    }

    /// Resolves the open alerts of a node and its GPUs (node decommissioned or removed).
    pub(crate) fn resolve_alerts_of_node(&self, node_id: i64, resolution: &str) -> Result<usize> {
        let open = alerts::open_for_node(self.conn(), node_id)?;
        for alert in &open {
            let reason = format!("{}: {resolution}", Self::rule_reason(alert));
            self.end_alert(alert, resolution, reason)?;
        }
        Ok(open.len())
    }

    /// A person's change of an alert's state (acknowledge or resolve) with an optional note.
    /// Returns the alert as stored.
    pub(crate) fn set_alert_state(
        &self,
        id: i64,
        target: AlertState,
        note: Option<&str>,
    ) -> Result<Alert> {
        let alert = alerts::get(self.conn(), id)?.ok_or_else(|| alert_not_found(id))?;
        if alert.state == AlertState::Resolved {
            return Err(Error::conflict(format!(
                "alert {} is already resolved",
                alert.id
            )));
        }
        if alert.state == target {
            return Ok(alert);
        }
        match target {
            AlertState::Acknowledged => {
                alerts::acknowledge(self.conn(), alert.id, self.now(), note)?;
                self.record_alert_state(
                    &alert,
                    EventKind::AlertAcknowledged,
                    Some(alert.state),
                    target,
                    note.map(str::to_string),
                )?;
            }
            AlertState::Resolved => {
                alerts::resolve(self.conn(), alert.id, self.now(), "resolved by hand")?;
                self.record_alert_state(
                    &alert,
                    EventKind::AlertResolved,
                    Some(alert.state),
                    target,
                    note.map(str::to_string),
                )?;
            }
            AlertState::Firing => {
                return Err(Error::usage("an alert cannot be set firing by hand"));
            }
        }
        alerts::get(self.conn(), id)?.ok_or_else(|| alert_not_found(id))
    }

    /// Loads a rule, lets `edit` change it, and writes it with one `alert.rule` per changed
    /// field.
    pub(crate) fn edit_rule(
        &self,
        name: &str,
        edit: impl FnOnce(&mut AlertRule),
    ) -> Result<AlertRule> {
        let old = alerts::rule(self.conn(), name)?.ok_or_else(|| rule_not_found(name))?;
        let mut new = old.clone();
        edit(&mut new);
        let changes = [
            (
                "threshold",
                old.threshold.to_string(),
                new.threshold.to_string(),
            ),
            (
                "for",
                clock::format_duration(old.for_secs),
                clock::format_duration(new.for_secs),
            ),
            (
                "severity",
                old.severity.to_string(),
                new.severity.to_string(),
            ),
            ("enabled", old.enabled.to_string(), new.enabled.to_string()),
        ];
        let mut changed = false;
        for (field, before, after) in changes {
            if before == after {
                continue;
            }
            changed = true;
            self.record(
                EventKind::AlertRule,
                &format!("rule/{name}"),
                Detail::default()
                    .field(field)
                    .change(Some(before), Some(after)),
            )?;
        }
        if changed {
            new.updated_at = self.now();
            alerts::update_rule(self.conn(), &new)?;
        }
        Ok(new)
    }
}
