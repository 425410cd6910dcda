//! The `collect.run` event: written for a run that says something, not for every run.
//!
//! An event per routine run (one a minute per node) was most of the audit log and nothing read
//! it: a 1,000-GPU fleet piled up ~2.5 M of them (~400 MiB) over the 14 days they were kept, and
//! they crowded `dashboard activity`. What a routine run tells is stored anyway: its samples
//! (one per GPU, at the run's time), each device's `last_seen_at`, and the last run's health
//! (success, time, duration: `prometheus::record_health`), which `doctor` and the exporter read.

use super::{Detail, Inventory};
use crate::domain::EventKind;
use crate::error::Result;

/// What a collect run did, as far as its event goes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct RunFacts<'a> {
    /// The GPU source: `nvml`, `nvidia-smi`, `replay`, `fleet`.
    pub(crate) source: &'a str,
    pub(crate) gpus: usize,
    pub(crate) samples: usize,
    pub(crate) new_gpus: usize,
    /// GPUs that turned up from another node.
    pub(crate) moved_gpus: usize,
    /// Inventoried GPUs that did not report.
    pub(crate) missing_gpus: usize,
    pub(crate) alerts_fired: usize,
    pub(crate) alerts_resolved: usize,
    /// What the run could not store as reported.
    pub(crate) warnings: usize,
    /// The run before this one failed: this one ends the outage.
    pub(crate) after_failed_run: bool,
    /// A recording replayed (`collect --input`): an import an operator runs, not the routine.
    pub(crate) replay: bool,
}

impl RunFacts<'_> {
    /// Whether the run is worth an event: it changed the inventory (new or moved GPUs), fired
    /// or resolved an alert, could not store something, ended a run of failures, or replayed
    /// a recording (an import, like `node import`, which the audit log keeps).
    ///
    /// GPUs that did not report count through their alert: `gpu-not-reporting` fires on the
    /// run that finds one gone and resolves on the run it is back, and both keep their run's
    /// event. A run that finds it still gone says nothing new; counting it would write an
    /// event a minute for as long as the GPU stays out.
    pub(crate) fn worth_an_event(&self) -> bool {
        self.new_gpus > 0
            || self.moved_gpus > 0
            || self.alerts_fired > 0
            || self.alerts_resolved > 0
            || self.warnings > 0
            || self.after_failed_run
            || self.replay
    }

    /// The event's value. `source=NAME ` comes first, as it always has: `doctor` reads the
    /// source of a store's older run events there.
    fn describe(&self) -> String {
        format!(
            "source={} gpus={} samples={} alerts_fired={} alerts_resolved={} new_gpus={} moved_gpus={} missing_gpus={} warnings={}{}",
            self.source,
            self.gpus,
            self.samples,
            self.alerts_fired,
            self.alerts_resolved,
            self.new_gpus,
            self.moved_gpus,
            self.missing_gpus,
            self.warnings,
            if self.after_failed_run {
                " after_failed_run"
            } else {
                ""
            }
        )
    }
}

impl Inventory<'_> {
    /// Writes the `collect.run` event of a run about `subject` (its node, or the fleet source)
    /// if the run is [worth one](RunFacts::worth_an_event). Returns whether it wrote one.
    pub(crate) fn record_run(&self, subject: &str, facts: &RunFacts) -> Result<bool> {
        if !facts.worth_an_event() {
            return Ok(false);
        }
        self.record(
            EventKind::CollectRun,
            subject,
            Detail::default().new_value(facts.describe()),
        )?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routine() -> RunFacts<'static> {
        RunFacts {
            source: "nvml",
            gpus: 8,
            samples: 8,
            ..RunFacts::default()
        }
    }

    #[test]
    fn a_routine_run_is_not_worth_an_event() {
        assert!(!routine().worth_an_event());
        let still_missing = RunFacts {
            missing_gpus: 1,
            ..routine()
        };
        assert!(
            !still_missing.worth_an_event(),
            "a GPU still gone is its alert's news, not each run's"
        );
    }

    #[test]
    fn each_change_or_trouble_is_worth_an_event() {
        let worth: [fn(&mut RunFacts); 7] = [
            |f| f.new_gpus = 1,
            |f| f.moved_gpus = 2,
            |f| f.alerts_fired = 1,
            |f| f.alerts_resolved = 3,
            |f| f.warnings = 1,
            |f| f.after_failed_run = true,
            |f| f.replay = true,
        ];
        for (index, change) in worth.iter().enumerate() {
            let mut facts = routine();
            change(&mut facts);
            assert!(facts.worth_an_event(), "case {index}: {facts:?}");
        }
    }

    #[test]
    fn the_event_value_starts_with_the_source_and_names_every_count() {
        let facts = RunFacts {
            new_gpus: 2,
            missing_gpus: 1,
            alerts_fired: 1,
            after_failed_run: true,
            ..routine()
        };
        assert_eq!(
            facts.describe(),
            "source=nvml gpus=8 samples=8 alerts_fired=1 alerts_resolved=0 new_gpus=2 moved_gpus=0 missing_gpus=1 warnings=0 after_failed_run"
        );
    }
}
