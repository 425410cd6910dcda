//! Turning samples into alerts: each enabled rule is checked against each GPU a collect run saw
//! (or missed). One open alert per (rule, GPU): a repeat updates it, a cleared condition resolves
//! it, and every transition writes an event.

use std::collections::BTreeSet;

use foldhash::{HashMap, HashSet};

use rusqlite::{Connection, Transaction};
use serde::Serialize;

use crate::domain::{Alert, AlertRule, AlertState};
use crate::error::Result;
use crate::inventory::{Inventory, Stamp};
use crate::store::alerts::{self, LeaseSpan};
use crate::store::metrics::{self, Metric, Reading, SampleRow};

/// The rule metrics that are not plain sample columns.
pub const SECONDS_SINCE_SEEN: &str = "seconds_since_seen";
pub const LEASED_GPU_UTIL: &str = "leased_gpu_util_pct";

/// A GPU the run sampled.
#[derive(Debug, Clone)]
pub struct SeenGpu {
    pub device_id: i64,
    pub uuid: String,
    pub node: String,
    pub cluster: String,
}

/// A GPU of the node's inventory that the run did not see.
#[derive(Debug, Clone)]
pub struct MissingGpu {
    pub uuid: String,
    pub node: String,
    pub cluster: String,
    pub last_seen_at: Option<i64>,
    pub registered_at: i64,
}

/// What evaluation changed.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Transitions {
    pub fired: Vec<i64>,
    pub repeated: Vec<i64>,
    pub resolved: Vec<i64>,
}

/// The verdict of one rule on one GPU: firing with a value, or clear.
enum Verdict {
    Firing(Option<f64>),
    Clear,
}

/// [`evaluate`] for a caller holding a write transaction (the benches and tests), at `now`.
pub fn evaluate_in_transaction(
    tx: &Transaction,
    now: i64,
    seen: &[SeenGpu],
    missing: &[MissingGpu],
    actor: Option<&str>,
) -> Result<Transitions> {
    evaluate(&Inventory::new(tx, Stamp::new(now, actor)), seen, missing)
}

/// Judges every enabled rule on the GPUs a run saw or missed, at the inventory's time, and
/// fires, repeats or resolves their alerts through it: one [`RunJudge`] for one moment.
pub(crate) fn evaluate(
    inv: &Inventory,
    seen: &[SeenGpu],
    missing: &[MissingGpu],
) -> Result<Transitions> {
    let mut judge = RunJudge::new(inv.conn(), inv.now())?;
    for gpu in seen {
        judge.track(inv.conn(), gpu.device_id)?;
    }
    let seen: Vec<&SeenGpu> = seen.iter().collect();
    let transitions = judge.evaluate(inv, &seen, missing)?;
    judge.finish(inv)?;
    Ok(transitions)
}

/// The alert rules over a whole run, however many moments it holds (a replay's thousands of
/// batches): rules, open alerts and each GPU's recent samples are read once, then carried in
/// memory as the run's samples arrive; only transitions are written as they happen, and a
/// firing alert's newest value once, at the end. Each moment is judged exactly as if the
/// store were read back then: [`evaluate`] is this judge over one moment.
pub(crate) struct RunJudge {
    rules: Vec<AlertRule>,
    /// What each rule measures and how it compares, read from its text once per run: a
    /// replay judges every rule on every GPU at every minute.
    measures: Vec<Measure>,
    /// The longest window of any rule, and the earliest moment of the run: samples older than
    /// `earliest - window` are never judged.
    window: i64,
    earliest: i64,
    watches_leases: bool,
    devices: HashMap<i64, Judged>,
    /// Open alerts by GPU, then by the index of their rule in `rules`.
    open: HashMap<String, Vec<(usize, Alert)>>,
    /// GPUs whose open alerts are loaded.
    loaded: HashSet<String>,
    /// Open alerts repeated since they were last written.
    touched: BTreeSet<i64>,
}

/// One GPU as the rules see it during a run.
struct Judged {
    memory_total_mib: Option<i64>,
    power_limit_mw: Option<i64>,
    /// The newest sample, as the device row holds it at this point of the run.
    latest: Option<Reading>,
    /// Every stored sample not older than any window still to be judged, oldest first.
    recent: Vec<Reading>,
    first_ts: Option<i64>,
    leases: Vec<LeaseSpan>,
    /// Whether its open alerts are loaded (the run's `loaded` says so too): a lookup by row
    /// id rather than by UUID, at every moment.
    alerts_loaded: bool,
    /// How long `recent` may grow before its samples older than every window are dropped.
    trim_at: usize,
}

impl RunJudge {
    /// A judge for a run whose moments are `earliest` or later.
    pub(crate) fn new(conn: &Connection, earliest: i64) -> Result<RunJudge> {
        let rules: Vec<AlertRule> = alerts::rules(conn)?
            .into_iter()
            .filter(|r| r.enabled)
            .collect();
        Ok(RunJudge {
            measures: rules.iter().map(Measure::of).collect(),
            window: rules.iter().map(|r| r.for_secs).max().unwrap_or(0),
            watches_leases: rules.iter().any(|r| r.metric == LEASED_GPU_UTIL),
            rules,
            earliest,
            devices: HashMap::default(),
            open: HashMap::default(),
            loaded: HashSet::default(),
            touched: BTreeSet::new(),
        })
    }

    /// Reads what the rules need of a GPU, once per run: call it before the run stores any
    /// sample of the GPU, so that what is read is what stood before the run.
    pub(crate) fn track(&mut self, conn: &Connection, device_id: i64) -> Result<()> {
        if self.devices.contains_key(&device_id) {
            return Ok(());
        }
        let known = metrics::judged_device(conn, device_id)?.unwrap_or_default();
        let judged = Judged {
            memory_total_mib: known.memory_total_mib,
            power_limit_mw: known.power_limit_mw,
            latest: known.latest,
            recent: metrics::readings_since(conn, device_id, self.earliest - self.window)?,
            first_ts: metrics::first_sample_ts(conn, device_id)?,
            leases: if self.watches_leases {
                alerts::lease_spans(conn, device_id)?
            } else {
                Vec::new()
            },
            alerts_loaded: false,
            trim_at: 0,
        };
        self.devices.insert(device_id, judged);
        Ok(())
    }

    /// A GPU reported its memory total or power limit (the shares its metrics are of); an
    /// unreported value keeps the one before, as the device row does.
    pub(crate) fn note_totals(
        &mut self,
        device_id: i64,
        memory_total_mib: Option<i64>,
        power_limit_mw: Option<i64>,
    ) {
        if let Some(d) = self.devices.get_mut(&device_id) {
            if memory_total_mib.is_some() {
                d.memory_total_mib = memory_total_mib;
            }
            if power_limit_mw.is_some() {
                d.power_limit_mw = power_limit_mw;
            }
        }
    }

    /// A sample the run stored (a repeat of a stored one was not, and changes nothing).
    pub(crate) fn note_stored(&mut self, s: &SampleRow) {
        let Some(d) = self.devices.get_mut(&s.device_id) else {
            return;
        };
        let reading = Reading::of(s);
        if d.latest.is_none_or(|l| l.ts <= s.ts) {
            d.latest = Some(reading);
        }
        d.first_ts = Some(d.first_ts.map_or(s.ts, |f| f.min(s.ts)));
        // Samples come in time order but for a backfill's: the newest goes at the end.
        match d.recent.last() {
            Some(last) if last.ts > s.ts => {
                let at = d.recent.partition_point(|r| r.ts <= s.ts);
                d.recent.insert(at, reading);
            }
            _ => d.recent.push(reading),
        }
    }

    /// Judges every enabled rule on the GPUs of one moment (the inventory's time), and fires,
    /// repeats or resolves their alerts.
    pub(crate) fn evaluate(
        &mut self,
        inv: &Inventory,
        seen: &[&SeenGpu],
        missing: &[MissingGpu],
    ) -> Result<Transitions> {
        let conn = inv.conn();
        let now = inv.now();
        let mut transitions = Transitions::default();
        let mut unloaded: Vec<&str> = Vec::new();
        for gpu in seen {
            match self.devices.get_mut(&gpu.device_id) {
                Some(d) if d.alerts_loaded => continue,
                Some(d) => d.alerts_loaded = true,
                None => {}
            }
            if !self.loaded.contains(&gpu.uuid) {
                unloaded.push(&gpu.uuid);
            }
        }
        let missing_unloaded = (missing.iter())
            .map(|g| g.uuid.as_str())
            .filter(|uuid| !self.loaded.contains(*uuid));
        unloaded.extend(missing_unloaded);
        if !unloaded.is_empty() {
            for alert in alerts::open_for_devices(conn, &unloaded)? {
                // An alert of a disabled rule is left as it stands.
                let rule = self.rules.iter().position(|r| r.name == alert.rule);
                if let (Some(uuid), Some(rule)) = (alert.device.clone(), rule) {
                    self.open.entry(uuid).or_default().push((rule, alert));
                }
            }
            self.loaded.extend(unloaded.iter().map(|u| u.to_string()));
        }
        // Every verdict first (they read the GPUs, not the alerts), each GPU looked up once;
        // then the alerts move rule by rule, in the order one rule after another would.
        let mut verdicts: Vec<Verdict> = Vec::with_capacity(self.rules.len() * seen.len());
        for gpu in seen {
            let device = self.devices.get(&gpu.device_id);
            for (rule, measure) in self.rules.iter().zip(&self.measures) {
                verdicts.push(match device {
                    Some(d) if measure.of != Measured::SecondsSinceSeen => {
                        judge(d, now, rule, measure)
                    }
                    _ => Verdict::Clear,
                });
            }
        }
        // A clear verdict on a GPU without an open alert changes nothing: the common case,
        // and with no alert open at all, known without a lookup.
        let open_on = |open: &HashMap<String, Vec<(usize, Alert)>>, uuid: &str| {
            !open.is_empty() && open.get(uuid).is_some_and(|alerts| !alerts.is_empty())
        };
        let seen_open: Vec<bool> = seen.iter().map(|g| open_on(&self.open, &g.uuid)).collect();
        let missing_open: Vec<bool> = missing
            .iter()
            .map(|g| open_on(&self.open, &g.uuid))
            .collect();
        let rules = std::mem::take(&mut self.rules);
        let measures = std::mem::take(&mut self.measures);
        let judged = (|| {
            for (index, (rule, measure)) in rules.iter().zip(&measures).enumerate() {
                if measure.of == Measured::SecondsSinceSeen {
                    for (gpu, open) in missing.iter().zip(&missing_open) {
                        let since = gpu.last_seen_at.unwrap_or(gpu.registered_at);
                        let age = (now - since) as f64;
                        let verdict = if measure.comparison.holds(age, rule.threshold) {
                            Verdict::Firing(Some(age))
                        } else if !open {
                            continue;
                        } else {
                            Verdict::Clear
                        };
                        let at = (gpu.uuid.as_str(), gpu.cluster.as_str(), gpu.node.as_str());
                        self.apply(inv, (index, rule), at, verdict, &mut transitions)?;
                    }
                }
                // For seconds_since_seen, a GPU seen at this moment is reporting again.
                for (at, gpu) in seen.iter().enumerate() {
                    let verdict =
                        std::mem::replace(&mut verdicts[at * rules.len() + index], Verdict::Clear);
                    if matches!(verdict, Verdict::Clear) && !seen_open[at] {
                        continue;
                    }
                    let at = (gpu.uuid.as_str(), gpu.cluster.as_str(), gpu.node.as_str());
                    self.apply(inv, (index, rule), at, verdict, &mut transitions)?;
                }
            }
            Ok::<(), crate::error::Error>(())
        })();
        self.rules = rules;
        self.measures = measures;
        judged?;
        // Samples older than every later window are done with. They go once what is kept has
        // doubled since the last time: dropped every moment, the rest of the window moved
        // down each time.
        for gpu in seen {
            if let Some(d) = self.devices.get_mut(&gpu.device_id) {
                if d.recent.len() >= d.trim_at {
                    let done = d.recent.partition_point(|r| r.ts < now - self.window);
                    d.recent.drain(..done);
                    d.trim_at = (d.recent.len() * 2).max(8);
                }
            }
        }
        Ok(transitions)
    }

    /// Writes the newest value of every alert the run repeated.
    pub(crate) fn finish(self, inv: &Inventory) -> Result<()> {
        let mut touched: Vec<&Alert> = self
            .open
            .values()
            .flatten()
            .map(|(_, alert)| alert)
            .filter(|alert| self.touched.contains(&alert.id))
            .collect();
        touched.sort_by_key(|alert| alert.id);
        for alert in touched {
            inv.repeat_alert(alert)?;
        }
        Ok(())
    }

    fn apply(
        &mut self,
        inv: &Inventory,
        (index, rule): (usize, &AlertRule),
        (uuid, cluster, node): (&str, &str, &str),
        verdict: Verdict,
        transitions: &mut Transitions,
    ) -> Result<()> {
        let now = inv.now();
        let open = self.open.get_mut(uuid);
        let at = open
            .as_ref()
            .and_then(|alerts| alerts.iter().position(|(r, _)| *r == index));
        match (verdict, open, at) {
            (Verdict::Firing(value), Some(alerts), Some(at)) => {
                let alert = &mut alerts[at].1;
                alert.last_seen_at = now;
                alert.value = value;
                alert.threshold = Some(rule.threshold);
                alert.severity = rule.severity;
                alert.message = message(rule, value);
                self.touched.insert(alert.id);
                transitions.repeated.push(alert.id);
            }
            (Verdict::Firing(value), _, _) => {
                let mut alert = Alert {
                    id: 0,
                    rule: rule.name.clone(),
                    device: Some(uuid.to_string()),
                    node: Some(node.to_string()),
                    cluster: Some(cluster.to_string()),
                    severity: rule.severity,
                    state: AlertState::Firing,
                    first_seen_at: now,
                    last_seen_at: now,
                    value,
                    threshold: Some(rule.threshold),
                    message: message(rule, value),
                    ack_note: None,
                    acked_at: None,
                    resolved_at: None,
                    resolution: None,
                    suppressed_by: None,
                };
                transitions.fired.push(inv.fire_alert(&mut alert)?);
                self.open
                    .entry(uuid.to_string())
                    .or_default()
                    .push((index, alert));
            }
            (Verdict::Clear, Some(alerts), Some(at)) => {
                let (_, alert) = alerts.swap_remove(at);
                if alerts.is_empty() {
                    self.open.remove(uuid);
                }
                if self.touched.remove(&alert.id) {
                    inv.repeat_alert(&alert)?;
                }
                inv.resolve_alert(&alert)?;
                transitions.resolved.push(alert.id);
            }
            (Verdict::Clear, _, _) => {}
        }
        Ok(())
    }
}

/// A rule's comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Comparison {
    Above,
    AtLeast,
    Below,
    AtMost,
}

impl Comparison {
    fn of(text: &str) -> Comparison {
        match text {
            ">" => Comparison::Above,
            ">=" => Comparison::AtLeast,
            "<" => Comparison::Below,
            _ => Comparison::AtMost,
        }
    }

    fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            Comparison::Above => value > threshold,
            Comparison::AtLeast => value >= threshold,
            Comparison::Below => value < threshold,
            Comparison::AtMost => value <= threshold,
        }
    }
}

/// What a rule's metric names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Measured {
    SecondsSinceSeen,
    /// GPU utilisation while the GPU is leased.
    LeasedGpuUtil,
    Metric(Metric),
    /// A metric this gpuctl does not know: the rule never fires.
    Unknown,
}

/// A rule's metric and comparison, read from its text.
#[derive(Debug, Clone, Copy)]
struct Measure {
    of: Measured,
    comparison: Comparison,
}

impl Measure {
    fn of(rule: &AlertRule) -> Measure {
        let of = match rule.metric.as_str() {
            SECONDS_SINCE_SEEN => Measured::SecondsSinceSeen,
            LEASED_GPU_UTIL => Measured::LeasedGpuUtil,
            name => Metric::parse(name).map_or(Measured::Unknown, Measured::Metric),
        };
        Measure {
            of,
            comparison: Comparison::of(&rule.comparison),
        }
    }
}

/// One rule's verdict on one GPU seen at `now`, from what the run carries of it.
fn judge(d: &Judged, now: i64, rule: &AlertRule, measure: &Measure) -> Verdict {
    let metric = match measure.of {
        Measured::LeasedGpuUtil => {
            if !d.leases.iter().any(|l| l.covers(now)) {
                return Verdict::Clear;
            }
            Metric::GpuUtil
        }
        Measured::Metric(metric) => metric,
        // A rule naming a metric this gpuctl does not know never fires.
        Measured::Unknown | Measured::SecondsSinceSeen => return Verdict::Clear,
    };
    let holds = |v: f64| measure.comparison.holds(v, rule.threshold);
    let value = |r: &Reading| metric.value(r, d.memory_total_mib, d.power_limit_mw);
    // A rule without a duration judges the newest sample, however old, as the device row
    // keeps it; a rule with one judges every sample of its window.
    if rule.for_secs == 0 {
        return match d.latest.as_ref().and_then(value) {
            Some(v) if holds(v) => Verdict::Firing(Some(v)),
            _ => Verdict::Clear,
        };
    }
    // The newest sample is in every window that holds any: when it fails the condition, so
    // does the window (the common case, found without a search).
    if d.recent.last().is_none_or(|r| !value(r).is_some_and(holds)) {
        return Verdict::Clear;
    }
    let window_start = now - rule.for_secs;
    let window = &d.recent[d.recent.partition_point(|r| r.ts < window_start)..];
    // Every sample of the window reported the metric and met the condition.
    let held_throughout = !window.is_empty() && window.iter().all(|r| value(r).is_some_and(holds));
    if !held_throughout {
        return Verdict::Clear;
    }
    // The GPU must have been reporting for the whole window, not just since a minute ago.
    if d.first_ts.unwrap_or(now) > window_start {
        return Verdict::Clear;
    }
    Verdict::Firing(d.recent.last().and_then(value))
}

fn message(rule: &AlertRule, value: Option<f64>) -> String {
    let value = value.map_or_else(|| "unknown".to_string(), format_number);
    format!(
        "{}: {} = {value} ({} {})",
        rule.description,
        rule.metric,
        rule.comparison,
        format_number(rule.threshold)
    )
}

fn format_number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value:.1}")
    }
}
