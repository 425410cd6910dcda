//! Alert delivery: the outbox's transitions to each receiver, in order, once each.
//!
//! - Every alert transition (firing, acknowledged, resolved) is copied into the outbox in the
//!   transaction that made it (the inventory does that); a receiver gets the entries after its
//!   cursor, oldest first, in batches, and a 2xx answer moves the cursor in its own small
//!   transaction at once. A receiver that fails keeps its place and is tried again, after a
//!   backoff, by a later run: it gets every transition once, in order, when it comes back. A
//!   400 or 422 answer refuses a batch for good (it would refuse it again): the batch is counted
//!   as dropped and the receiver goes on.
//! - Alertmanager forgets an alert whose `endsAt` passes: open alerts are sent again every
//!   `--resend-every` (default 1m) with `endsAt` four of those ahead, as Prometheus does.
//! - One run delivers for at most its budget (every receiver at once, one thread each), so a
//!   dead receiver never holds a cron collect past it. Two processes never deliver at once: the
//!   second finds the delivery lock taken and leaves the work to the first.

mod body;

use std::collections::HashSet;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::domain::{AlertReceiver, AlertState, ReceiverKind, Severity};
use crate::error::{Error, Result};
use crate::fleet::error::FleetError;
use crate::fleet::http::{BasicAuth, HttpClient, HttpOptions};
use crate::schedule::try_run_lock;
use crate::store::notify::{self as outbox, Notice};
use crate::store::Store;

use body::{alertmanager_body, webhook_body};

/// How often Alertmanager is sent the open alerts again when not told (Prometheus's
/// `--rules.alert.resend-delay`).
pub(crate) const DEFAULT_RESEND_SECS: i64 = 60;
/// An open alert's `endsAt` lies this many resend periods ahead (Prometheus: 4 × the resend
/// delay), so a missed resend or two does not resolve it.
const VALID_FOR_RESENDS: i64 = 4;
/// The most transitions (or open alerts) one request carries.
const BATCH_SIZE: usize = 100;
/// The most outbox entries one run reads for a receiver; the rest wait for the next run.
const MAX_ENTRIES_PER_RUN: usize = 5_000;
/// After the first failed attempt a receiver waits this long, doubling with each failure…
const BACKOFF_FIRST_SECS: i64 = 30;
/// …up to this: a dead receiver costs a run nothing (it has its own thread), and one that
/// comes back (Alertmanager after a restart, empty) hears again within minutes.
const BACKOFF_MAX_SECS: i64 = 5 * 60;
/// The run lock's limit beyond the budget (reading and writing the store).
const LOCK_SLACK: Duration = Duration::from_secs(60);
/// How long the test alert of `receivers test` stays firing in Alertmanager.
const TEST_ALERT_SECS: i64 = 300;

/// The wait before the next attempt after `failures` failed attempts in a row: 30 s, doubling
/// with each further failure, at most 5 minutes.
pub(crate) fn backoff_secs(failures: i64) -> i64 {
    let doublings = (failures.max(1) - 1).min(32) as u32;
    BACKOFF_FIRST_SECS
        .saturating_mul(1_i64 << doublings)
        .min(BACKOFF_MAX_SECS)
}

/// Whether Alertmanager is due the open alerts again: most of a resend period has passed
/// (runs come a second early or late; a period missed by a second would wait a whole one).
fn resend_due(receiver: &AlertReceiver, now: i64) -> bool {
    if receiver.kind != ReceiverKind::Alertmanager {
        return false;
    }
    let period = receiver.resend_every_secs.unwrap_or(DEFAULT_RESEND_SECS);
    receiver
        .resent_at
        .is_none_or(|at| now - at >= period - period / 4)
}

/// How an open alert's `endsAt` is set for this receiver.
fn valid_for(receiver: &AlertReceiver) -> i64 {
    VALID_FOR_RESENDS * receiver.resend_every_secs.unwrap_or(DEFAULT_RESEND_SECS)
}

/// What a run was asked to do.
#[derive(Debug, Clone)]
pub(crate) struct DeliveryOptions {
    /// The time the whole run may take.
    pub(crate) budget: Duration,
    /// Try receivers that are waiting out a backoff too (`alert notify --retry-now`).
    pub(crate) ignore_backoff: bool,
}

/// How a receiver's part of a run went.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Outcome {
    /// Nothing was due.
    #[default]
    Idle,
    /// Everything due went out.
    Delivered,
    /// Some went out, then the run's time or its per-run share ran out; the rest is pending.
    Partial,
    /// It refused what it was sent for good (400 or 422): dropped, not retried.
    Refused,
    /// An attempt failed; the receiver waits, then is tried again.
    Failed,
    /// Waiting out a backoff: not tried this run.
    Waiting,
}

impl Outcome {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Outcome::Idle => "idle",
            Outcome::Delivered => "delivered",
            Outcome::Partial => "partial",
            Outcome::Refused => "refused",
            Outcome::Failed => "failed",
            Outcome::Waiting => "waiting",
        }
    }
}

/// One receiver's part of a run.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct ReceiverRun {
    pub(crate) receiver: String,
    pub(crate) kind: ReceiverKind,
    pub(crate) outcome: Outcome,
    /// Transitions it took this run.
    pub(crate) delivered: usize,
    /// Transitions it refused for good this run (a 400 or 422 answer).
    pub(crate) dropped: usize,
    /// Open alerts sent again (Alertmanager).
    pub(crate) resent: usize,
    /// Transitions still waiting for it.
    pub(crate) pending: i64,
    pub(crate) error: Option<String>,
    #[serde(with = "crate::domain::unix_time::option")]
    pub(crate) next_attempt_at: Option<i64>,
}

/// What a run did.
#[derive(Debug, Default)]
pub(crate) struct Delivery {
    pub(crate) receivers: Vec<ReceiverRun>,
    /// Another process was delivering: this run left the work to it.
    pub(crate) busy: bool,
}

impl Delivery {
    pub(crate) fn failed(&self) -> impl Iterator<Item = &ReceiverRun> {
        self.receivers
            .iter()
            .filter(|r| r.outcome == Outcome::Failed)
    }

    /// One line per receiver that did not get everything: for collect's and optimize's
    /// warnings.
    pub(crate) fn warnings(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for run in &self.receivers {
            if run.dropped > 0 {
                lines.push(format!(
                    "receiver '{}' refused {}, which were dropped: {}",
                    run.receiver,
                    plural_transitions(run.dropped as i64),
                    run.error.as_deref().unwrap_or("unknown error")
                ));
            }
            let pending = plural_transitions(run.pending);
            let line = match run.outcome {
                Outcome::Failed => format!(
                    "alert delivery to receiver '{}' failed: {}; {pending} pending{}",
                    run.receiver,
                    run.error.as_deref().unwrap_or("unknown error"),
                    next_try(run.next_attempt_at)
                ),
                Outcome::Partial => format!(
                    "alert delivery to receiver '{}' ran out of time; {pending} pending",
                    run.receiver
                ),
                Outcome::Waiting if run.pending > 0 => format!(
                    "receiver '{}' is failing ({}); {pending} pending{}",
                    run.receiver,
                    run.error.as_deref().unwrap_or("unknown error"),
                    next_try(run.next_attempt_at)
                ),
                _ => continue,
            };
            lines.push(line);
        }
        lines
    }

    /// A summary for `-v`: what went where.
    pub(crate) fn summary(&self) -> Option<String> {
        if self.busy {
            return Some("alert delivery: another gpuctl is delivering".into());
        }
        let parts: Vec<String> = self
            .receivers
            .iter()
            .filter(|r| r.delivered + r.resent > 0)
            .map(|r| {
                format!(
                    "{} to '{}'{}",
                    plural_transitions(r.delivered as i64),
                    r.receiver,
                    if r.resent > 0 {
                        format!(" ({} open alert(s) sent again)", r.resent)
                    } else {
                        String::new()
                    }
                )
            })
            .collect();
        (!parts.is_empty()).then(|| format!("alert delivery: {}", parts.join(", ")))
    }
}

fn plural_transitions(n: i64) -> String {
    format!("{n} transition{}", if n == 1 { "" } else { "s" })
}

fn next_try(at: Option<i64>) -> String {
    at.map(|at| format!(", next try after {}", crate::clock::rfc3339(at)))
        .unwrap_or_default()
}

/// The transport options of a receiver, with a whole-request deadline of `timeout`.
pub(crate) fn http_options(receiver: &AlertReceiver, timeout: Duration) -> HttpOptions {
    HttpOptions {
        timeout,
        ca_file: receiver.ca_file.as_ref().map(Into::into),
        bearer_token_file: receiver.bearer_token_file.as_ref().map(Into::into),
        bearer_token_env: receiver.bearer_token_env.clone(),
        basic_auth: receiver.basic_auth_user.as_ref().map(|user| BasicAuth {
            username: user.clone(),
            password_file: receiver.basic_auth_password_file.as_ref().map(Into::into),
            password_env: receiver.basic_auth_password_env.clone(),
        }),
        // Answers are a few bytes; a receiver has no business sending more.
        max_body_bytes: 1024 * 1024,
        ..HttpOptions::default()
    }
}

/// Where a receiver's requests go: Alertmanager's `/api/v2/alerts` under its base URL (left as
/// is when given whole), or the webhook's URL.
pub(crate) fn endpoint(receiver: &AlertReceiver) -> String {
    match receiver.kind {
        ReceiverKind::Webhook => receiver.url.clone(),
        ReceiverKind::Alertmanager => {
            let base = receiver.url.trim_end_matches('/');
            if base.ends_with("/api/v2/alerts") {
                base.to_string()
            } else {
                format!("{base}/api/v2/alerts")
            }
        }
    }
}

/// The body of a request to `receiver` carrying `notices`.
fn request_body(receiver: &AlertReceiver, notices: &[Notice], now: i64) -> Result<Vec<u8>> {
    let body = match receiver.kind {
        ReceiverKind::Alertmanager => alertmanager_body(notices, now, valid_for(receiver)),
        ReceiverKind::Webhook => webhook_body(&receiver.name, notices),
    };
    body.map_err(|e| Error::runtime(format!("cannot write the alert body: {e}")))
}

/// How a receiver answered one request.
enum Answer {
    Taken,
    /// 400 or 422: this body will never be taken.
    Refused(String),
    /// Anything else (another status, no answer): try again later.
    Failed(String),
}

fn send(
    client: &HttpClient,
    receiver: &AlertReceiver,
    notices: &[Notice],
    now: i64,
    timeout: Duration,
) -> Answer {
    let body = match request_body(receiver, notices, now) {
        Ok(body) => body,
        Err(e) => return Answer::Failed(e.message),
    };
    // A single transition's key goes in the header too (the IETF Idempotency-Key draft).
    let key: Vec<(&str, &str)> = match notices {
        [one] => one
            .key
            .as_deref()
            .map(|key| vec![("Idempotency-Key", key)])
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    let url = endpoint(receiver);
    match client.post_json(&url, &body, &key, timeout) {
        Ok(response) if response.is_success() => Answer::Taken,
        Ok(response) => {
            let message = format!(
                "{} answered HTTP {}: {}",
                crate::fleet::error::redact_url(&url),
                response.status,
                response.excerpt()
            );
            if matches!(response.status, 400 | 422) {
                Answer::Refused(message)
            } else {
                Answer::Failed(message)
            }
        }
        Err(e) => Answer::Failed(e.to_string()),
    }
}

/// What one receiver's thread does in a run.
struct Plan {
    index: usize,
    receiver: AlertReceiver,
    client: std::result::Result<HttpClient, String>,
    entries: Vec<Notice>,
    /// The open alerts to send again after the entries (Alertmanager, when due and the
    /// entries are all there are).
    resend: Option<Vec<Notice>>,
}

/// What a receiver's thread reports, as it happens.
enum Progress {
    /// Entries up to `through` went out (or were refused for good, with the answer).
    Sent {
        index: usize,
        through: i64,
        count: usize,
        refused: Option<String>,
    },
    Resent {
        index: usize,
        count: usize,
    },
    Failed {
        index: usize,
        error: String,
    },
    OutOfTime {
        index: usize,
    },
}

fn run_plan(plan: Plan, now: i64, deadline: Instant, progress: &mpsc::Sender<Progress>) {
    let index = plan.index;
    let client = match plan.client {
        Ok(client) => client,
        Err(error) => {
            let _ = progress.send(Progress::Failed { index, error });
            return;
        }
    };
    let remaining = || deadline.saturating_duration_since(Instant::now());
    for batch in plan.entries.chunks(BATCH_SIZE) {
        if remaining().is_zero() {
            let _ = progress.send(Progress::OutOfTime { index });
            return;
        }
        let through = batch.last().and_then(|n| n.sequence).unwrap_or(0);
        let refused = match send(&client, &plan.receiver, batch, now, remaining()) {
            Answer::Taken => None,
            Answer::Refused(error) => Some(error),
            Answer::Failed(error) => {
                let _ = progress.send(Progress::Failed { index, error });
                return;
            }
        };
        let sent = Progress::Sent {
            index,
            through,
            count: batch.len(),
            refused,
        };
        if progress.send(sent).is_err() {
            return;
        }
    }
    let Some(open) = plan.resend else {
        return;
    };
    for batch in open.chunks(BATCH_SIZE) {
        if remaining().is_zero() {
            let _ = progress.send(Progress::OutOfTime { index });
            return;
        }
        match send(&client, &plan.receiver, batch, now, remaining()) {
            Answer::Taken | Answer::Refused(_) => {}
            Answer::Failed(error) => {
                let _ = progress.send(Progress::Failed { index, error });
                return;
            }
        }
    }
    let _ = progress.send(Progress::Resent {
        index,
        count: open.len(),
    });
}

/// Delivers what is due to every receiver, within the options' budget, at `now` (the
/// command's clock: backoffs and `endsAt` follow it). Store errors are returned; a receiver's
/// failure is in its [`ReceiverRun`].
pub(crate) fn deliver(store: &Store, now: i64, options: &DeliveryOptions) -> Result<Delivery> {
    if outbox::receivers(store.conn())?.is_empty() {
        return Ok(Delivery::default());
    }
    let lock = try_run_lock(store.path(), "notify", Some(options.budget + LOCK_SLACK))?;
    let Ok(_lock) = lock else {
        return Ok(Delivery {
            busy: true,
            ..Delivery::default()
        });
    };
    // Read under the lock: the last holder may have moved the cursors.
    let receivers = outbox::receivers(store.conn())?;
    let mut runs: Vec<ReceiverRun> = receivers
        .iter()
        .map(|r| ReceiverRun {
            receiver: r.name.clone(),
            kind: r.kind,
            outcome: Outcome::Idle,
            delivered: 0,
            dropped: 0,
            resent: 0,
            pending: r.pending,
            error: None,
            next_attempt_at: r.next_attempt_at,
        })
        .collect();
    let mut plans = Vec::new();
    // Each planned receiver's row id and failures so far, by its place in `runs`.
    let mut planned: Vec<Option<(i64, i64)>> = vec![None; runs.len()];
    let mut open: Option<Vec<Notice>> = None;
    for (index, receiver) in receivers.into_iter().enumerate() {
        let waiting = receiver.next_attempt_at.is_some_and(|at| at > now);
        if waiting && !options.ignore_backoff {
            runs[index].outcome = Outcome::Waiting;
            runs[index].error.clone_from(&receiver.last_error);
            continue;
        }
        let entries = outbox::pending(
            store.conn(),
            receiver.delivered_through,
            MAX_ENTRIES_PER_RUN,
        )?;
        let resend = if resend_due(&receiver, now) && entries.len() < MAX_ENTRIES_PER_RUN {
            let open = match &open {
                Some(open) => open,
                None => open.insert(outbox::open_alerts(store.conn())?),
            };
            // Those this run's transitions carry anyway are not sent twice.
            let sent: HashSet<i64> = entries.iter().map(|e| e.alert_id).collect();
            Some(
                open.iter()
                    .filter(|n| !sent.contains(&n.alert_id))
                    .cloned()
                    .collect::<Vec<_>>(),
            )
        } else {
            None
        };
        if entries.is_empty() && resend.as_ref().is_none_or(Vec::is_empty) {
            continue;
        }
        let client =
            HttpClient::new(&http_options(&receiver, options.budget)).map_err(|e| e.to_string());
        planned[index] = Some((receiver.id, receiver.failures));
        plans.push(Plan {
            index,
            receiver,
            client,
            entries,
            resend,
        });
    }
    if plans.is_empty() {
        return Ok(Delivery {
            receivers: runs,
            busy: false,
        });
    }
    let deadline = Instant::now() + options.budget;
    let mut store_error: Option<Error> = None;
    std::thread::scope(|scope| {
        let (sender, progress) = mpsc::channel();
        for plan in plans {
            let sender = sender.clone();
            scope.spawn(move || run_plan(plan, now, deadline, &sender));
        }
        drop(sender);
        for step in progress {
            if let Err(e) = apply(store, &mut runs, &planned, step, now) {
                store_error.get_or_insert(e);
            }
        }
    });
    if let Some(e) = store_error {
        return Err(e);
    }
    store.write(|tx| outbox::prune_outbox(tx))?;
    // What is left for each receiver, as the store now has it.
    for receiver in outbox::receivers(store.conn())? {
        if let Some(run) = runs.iter_mut().find(|r| r.receiver == receiver.name) {
            run.pending = receiver.pending;
            run.next_attempt_at = receiver.next_attempt_at;
            if run.outcome == Outcome::Idle && run.delivered + run.resent + run.dropped > 0 {
                run.outcome = if receiver.pending > 0 {
                    Outcome::Partial
                } else if run.delivered + run.resent == 0 {
                    Outcome::Refused
                } else {
                    Outcome::Delivered
                };
            }
        }
    }
    Ok(Delivery {
        receivers: runs,
        busy: false,
    })
}

/// Records one step of a receiver's thread in the store, at once: a transition taken is never
/// sent to that receiver again.
fn apply(
    store: &Store,
    runs: &mut [ReceiverRun],
    planned: &[Option<(i64, i64)>],
    step: Progress,
    now: i64,
) -> Result<()> {
    let index = match &step {
        Progress::Sent { index, .. }
        | Progress::Resent { index, .. }
        | Progress::Failed { index, .. }
        | Progress::OutOfTime { index } => *index,
    };
    let Some((receiver_id, failures)) = planned.get(index).copied().flatten() else {
        return Ok(());
    };
    let run = &mut runs[index];
    match step {
        Progress::Sent {
            through,
            count,
            refused,
            ..
        } => {
            store.write(|tx| {
                outbox::record_delivered(
                    tx,
                    receiver_id,
                    through,
                    count,
                    refused.is_some(),
                    now,
                    refused.as_deref(),
                )
            })?;
            if refused.is_some() {
                run.dropped += count;
                run.error = refused;
            } else {
                run.delivered += count;
            }
        }
        Progress::Resent { count, .. } => {
            store.write(|tx| outbox::record_resent(tx, receiver_id, now))?;
            run.resent += count;
        }
        Progress::Failed { error, .. } => {
            // Failures since the last success, this one included (a success earlier in this
            // run started the count again).
            let failed_before = if run.delivered + run.dropped > 0 {
                0
            } else {
                failures
            };
            let next = now + backoff_secs(failed_before + 1);
            store.write(|tx| outbox::record_failure(tx, receiver_id, now, &error, next))?;
            run.outcome = Outcome::Failed;
            run.error = Some(error);
        }
        Progress::OutOfTime { .. } => {
            run.outcome = Outcome::Partial;
        }
    }
    Ok(())
}

/// A transport failure as gpuctl reports it: the receiver's settings (a file, a variable, the
/// URL) are the user's to fix (exit 2); a receiver that fails is a runtime failure (exit 1),
/// not the fleet sources' "no GPU source".
fn delivery_error(error: FleetError) -> Error {
    match error {
        FleetError::Invalid(_) | FleetError::File { .. } => Error::usage(error.to_string()),
        _ => Error::runtime(error.to_string()),
    }
}

/// The result of `receivers test`.
#[derive(Debug, Serialize)]
pub(crate) struct TestResult {
    pub(crate) receiver: String,
    pub(crate) kind: ReceiverKind,
    pub(crate) url: String,
    pub(crate) status: u16,
    pub(crate) milliseconds: u64,
}

/// Sends `receiver` one test alert (`alertname` `gpuctl-test`, severity info, firing for five
/// minutes); nothing is recorded. A refusal or no answer is an error naming the URL.
pub(crate) fn test_receiver(
    receiver: &AlertReceiver,
    now: i64,
    timeout: Duration,
) -> Result<TestResult> {
    let client = HttpClient::new(&http_options(receiver, timeout)).map_err(delivery_error)?;
    let notice = Notice {
        sequence: None,
        key: Some(format!("gpuctl-test-{now}")),
        alert_id: 0,
        transition: AlertState::Firing,
        at: now,
        rule: "gpuctl-test".into(),
        description: "a test alert from gpuctl; it resolves by itself".into(),
        severity: Severity::Info,
        device_uuid: None,
        node: None,
        cluster: None,
        model: None,
        value: None,
        threshold: None,
        message: format!("'gpuctl alert receivers test {}'", receiver.name),
        first_seen_at: now,
        acked_at: None,
        ack_note: None,
        resolution: None,
    };
    let test_receiver = AlertReceiver {
        resend_every_secs: Some(TEST_ALERT_SECS / VALID_FOR_RESENDS),
        ..receiver.clone()
    };
    let url = endpoint(receiver);
    let body = request_body(&test_receiver, std::slice::from_ref(&notice), now)?;
    let started = Instant::now();
    let response = client
        .post_json(&url, &body, &[], timeout)
        .map_err(|e| delivery_error(e).prefixed(&format!("receiver '{}'", receiver.name)))?;
    let milliseconds = started.elapsed().as_millis() as u64;
    if !response.is_success() {
        return Err(Error::runtime(format!(
            "receiver '{}': {} answered HTTP {}: {}",
            receiver.name,
            crate::fleet::error::redact_url(&url),
            response.status,
            response.excerpt()
        )));
    }
    Ok(TestResult {
        receiver: receiver.name.clone(),
        kind: receiver.kind,
        url: crate::fleet::error::redact_url(&url),
        status: response.status,
        milliseconds,
    })
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::domain::Alert;
    use crate::fleet::test_server::{Answer, TestServer};
    use crate::inventory::{Inventory, Stamp};
    use crate::store::notify::NewReceiver;
    use crate::store::DEFAULT_BUSY_TIMEOUT;

    const T0: i64 = 1_795_950_000;

    #[test]
    fn the_backoff_starts_at_30s_doubles_and_stops_at_5m() {
        let waits: Vec<i64> = (1..=7).map(backoff_secs).collect();
        assert_eq!(waits, [30, 60, 120, 240, 300, 300, 300]);
        assert_eq!(backoff_secs(0), 30);
        assert_eq!(backoff_secs(i64::MAX), 300);
    }

    fn receiver(kind: ReceiverKind, url: &str) -> AlertReceiver {
        AlertReceiver {
            id: 1,
            name: "r".into(),
            kind,
            url: url.into(),
            ca_file: None,
            bearer_token_file: None,
            bearer_token_env: None,
            basic_auth_user: None,
            basic_auth_password_file: None,
            basic_auth_password_env: None,
            resend_every_secs: (kind == ReceiverKind::Alertmanager).then_some(60),
            created_at: T0,
            delivered_through: 0,
            pending: 0,
            delivered: 0,
            dropped: 0,
            failures: 0,
            next_attempt_at: None,
            last_attempt_at: None,
            last_success_at: None,
            last_error: None,
            resent_at: None,
        }
    }

    #[test]
    fn alertmanager_is_sent_open_alerts_again_each_period_webhooks_never() {
        let mut am = receiver(ReceiverKind::Alertmanager, "http://am:9093");
        assert!(resend_due(&am, T0), "never sent");
        am.resent_at = Some(T0 - 44);
        assert!(!resend_due(&am, T0));
        am.resent_at = Some(T0 - 45);
        assert!(
            resend_due(&am, T0),
            "a run a few seconds early still counts"
        );
        assert_eq!(valid_for(&am), 240);
        am.resend_every_secs = Some(30);
        assert_eq!(valid_for(&am), 120);
        let hook = receiver(ReceiverKind::Webhook, "http://h/");
        assert!(!resend_due(&hook, T0));
    }

    #[test]
    fn alertmanager_alerts_go_to_api_v2_under_its_base_url() {
        for (base, endpoint_url) in [
            ("http://am:9093", "http://am:9093/api/v2/alerts"),
            ("http://am:9093/", "http://am:9093/api/v2/alerts"),
            (
                "https://h/alertmanager",
                "https://h/alertmanager/api/v2/alerts",
            ),
            (
                "http://am:9093/api/v2/alerts",
                "http://am:9093/api/v2/alerts",
            ),
        ] {
            let am = receiver(ReceiverKind::Alertmanager, base);
            assert_eq!(endpoint(&am), endpoint_url);
        }
        let hook = receiver(ReceiverKind::Webhook, "http://h/x/");
        assert_eq!(endpoint(&hook), "http://h/x/");
    }

    /// A store with a webhook receiver at `url` and `fired` alerts fired after it was added.
    fn store_with_transitions(url: &str, fired: usize) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.db"), DEFAULT_BUSY_TIMEOUT).unwrap();
        store
            .write(|tx| {
                let inv = Inventory::new(tx, Stamp::new(T0, None));
                inv.add_receiver(&NewReceiver {
                    name: "hook".into(),
                    kind: ReceiverKind::Webhook,
                    url: url.into(),
                    ca_file: None,
                    bearer_token_file: None,
                    bearer_token_env: None,
                    basic_auth_user: None,
                    basic_auth_password_file: None,
                    basic_auth_password_env: None,
                    resend_every_secs: None,
                })?;
                for n in 0..fired {
                    let mut alert = Alert {
                        id: 0,
                        rule: "gpu-temperature-critical".into(),
                        device: Some(format!("GPU-{n:04}")),
                        node: Some("n1".into()),
                        cluster: Some("c".into()),
                        severity: Severity::Critical,
                        state: AlertState::Firing,
                        first_seen_at: T0,
                        last_seen_at: T0,
                        value: Some(95.0),
                        threshold: Some(92.0),
                        message: "hot".into(),
                        ack_note: None,
                        acked_at: None,
                        resolved_at: None,
                        resolution: None,
                        suppressed_by: None,
                    };
                    inv.fire_alert(&mut alert)?;
                }
                Ok(())
            })
            .unwrap();
        (dir, store)
    }

    fn options(budget: Duration) -> DeliveryOptions {
        DeliveryOptions {
            budget,
            ignore_backoff: false,
        }
    }

    #[test]
    fn transitions_go_out_in_batches_and_a_refused_batch_is_dropped_not_retried() {
        // 250 transitions: batches of 100, 100, 50; the second is refused with 400.
        let calls = std::sync::Arc::new(AtomicUsize::new(0));
        let server = {
            let calls = std::sync::Arc::clone(&calls);
            TestServer::start(move |_| match calls.fetch_add(1, Ordering::SeqCst) {
                1 => Answer::text(400, "bad alert"),
                _ => Answer::text(200, ""),
            })
        };
        let (_dir, store) = store_with_transitions(&server.url("/hook"), 250);
        let delivery = deliver(&store, T0 + 60, &options(Duration::from_secs(5))).unwrap();
        let run = &delivery.receivers[0];
        assert_eq!(
            (run.outcome, run.delivered, run.dropped, run.pending),
            (Outcome::Delivered, 150, 100, 0)
        );
        let bodies: Vec<serde_json::Value> = server
            .requests()
            .iter()
            .map(|r| serde_json::from_str(&r.body).unwrap())
            .collect();
        let sizes: Vec<usize> = bodies
            .iter()
            .map(|b| b["alerts"].as_array().unwrap().len())
            .collect();
        assert_eq!(sizes, [100, 100, 50]);
        assert_eq!(bodies[0]["alerts"][0]["sequence"], 1);
        assert_eq!(bodies[2]["alerts"][49]["sequence"], 250);
        let warnings = delivery.warnings();
        assert_eq!(
            warnings,
            [format!(
                "receiver 'hook' refused 100 transitions, which were dropped: {} answered HTTP 400: bad alert",
                server.url("/hook")
            )]
        );
        let stored = &outbox::receivers(store.conn()).unwrap()[0];
        assert_eq!(
            (stored.delivered, stored.dropped, stored.failures),
            (150, 100, 0)
        );
        assert_eq!(outbox::outbox_len(store.conn()).unwrap(), 0, "pruned");
        // Nothing goes twice.
        let again = deliver(&store, T0 + 120, &options(Duration::from_secs(5))).unwrap();
        assert_eq!(again.receivers[0].outcome, Outcome::Idle);
        assert_eq!(server.requests().len(), 3);
    }

    #[test]
    fn a_silent_receiver_holds_a_run_no_longer_than_its_budget() {
        let server = TestServer::answering(Answer::Silence);
        let (_dir, store) = store_with_transitions(&server.url("/hook"), 3);
        let started = Instant::now();
        let delivery = deliver(&store, T0 + 60, &options(Duration::from_millis(300))).unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{:?}",
            started.elapsed()
        );
        let run = &delivery.receivers[0];
        assert_eq!(run.outcome, Outcome::Failed);
        assert_eq!(run.pending, 3);
        assert_eq!(run.next_attempt_at, Some(T0 + 90));
        assert!(
            run.error.as_deref().unwrap().starts_with("no answer from"),
            "{run:?}"
        );
        // A store without receivers delivers nothing and takes no lock.
        let dir = tempfile::tempdir().unwrap();
        let empty = Store::open(&dir.path().join("e.db"), DEFAULT_BUSY_TIMEOUT).unwrap();
        let nothing = deliver(&empty, T0, &options(Duration::from_secs(1))).unwrap();
        assert!(nothing.receivers.is_empty() && !nothing.busy);
        assert!(!dir.path().join("e.db.notify.lock").exists());
    }

    #[test]
    fn a_second_process_leaves_the_delivery_to_the_one_holding_the_lock() {
        let server = TestServer::answering(Answer::text(200, ""));
        let (_dir, store) = store_with_transitions(&server.url("/hook"), 1);
        let held = try_run_lock(store.path(), "notify", None)
            .unwrap()
            .ok()
            .unwrap();
        let delivery = deliver(&store, T0 + 60, &options(Duration::from_secs(5))).unwrap();
        assert!(delivery.busy);
        assert_eq!(
            delivery.summary().as_deref(),
            Some("alert delivery: another gpuctl is delivering")
        );
        assert!(server.requests().is_empty());
        drop(held);
        let delivery = deliver(&store, T0 + 60, &options(Duration::from_secs(5))).unwrap();
        assert_eq!(delivery.receivers[0].delivered, 1);
        assert_eq!(
            delivery.summary().as_deref(),
            Some("alert delivery: 1 transition to 'hook'")
        );
        // The header carries a lone transition's key.
        let request = &server.requests()[0];
        let body: serde_json::Value = serde_json::from_str(&request.body).unwrap();
        assert_eq!(
            request.header("idempotency-key"),
            body["alerts"][0]["idempotencyKey"].as_str()
        );
    }
}
