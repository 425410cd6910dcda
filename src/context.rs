//! What every command gets: how to print, what time it is, who acts, and the store the
//! dispatcher opened for it.

use std::path::PathBuf;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::inventory::{Inventory, Stamp};
use crate::notify::{self, DeliveryOptions};
use crate::output::Output;
use crate::store::Store;

pub(crate) struct Ctx {
    pub(crate) out: Output,
    /// Unix seconds, fixed for the whole command (GPUCTL_NOW in tests).
    pub(crate) now: i64,
    /// Who is making changes, for the audit log.
    pub(crate) actor: Option<String>,
    db_path: Option<PathBuf>,
    /// Whether `--db` was typed on the command line (not taken from GPUCTL_DB): `demo` writes
    /// only to a store named that way, never to the everyday one by accident.
    pub(crate) db_on_command_line: bool,
    /// Opened once by the dispatcher for the commands that need it.
    store: Option<Store>,
    /// The clock of a demo store, which stands still for commands that keep running too.
    demo_clock: Option<i64>,
}

impl Ctx {
    pub(crate) fn new(
        out: Output,
        now: i64,
        actor: Option<String>,
        db_path: Option<PathBuf>,
        db_on_command_line: bool,
    ) -> Ctx {
        Ctx {
            out,
            now,
            actor,
            db_path,
            db_on_command_line,
            store: None,
            demo_clock: None,
        }
    }

    /// Runs this command at a demo store's clock.
    pub(crate) fn at_demo_clock(mut self, demo_now: i64) -> Ctx {
        self.now = demo_now;
        self.demo_clock = Some(demo_now);
        self
    }

    /// The time now, for a command that keeps running (`--watch`): the clock (GPUCTL_NOW or the
    /// system's), or a demo store's, which stands still.
    pub(crate) fn current_time(&self) -> Result<i64> {
        match self.demo_clock {
            Some(demo_now) => Ok(demo_now),
            None => Ok(crate::clock::now()?.timestamp()),
        }
    }

    /// The store path: `--db`, `GPUCTL_DB`, or `$XDG_DATA_HOME/gpuctl/gpuctl.db`.
    pub(crate) fn db_path(&self) -> Result<PathBuf> {
        match &self.db_path {
            Some(path) => Ok(path.clone()),
            None => default_data_dir().map(|dir| dir.join("gpuctl.db")),
        }
    }

    /// The same context holding `store` (the dispatcher's, or the demo's own).
    pub(crate) fn with_store(mut self, store: Store) -> Ctx {
        self.db_path = Some(store.path().to_path_buf());
        self.store = Some(store);
        self
    }

    /// The store the dispatcher opened for this command.
    pub(crate) fn store(&self) -> Result<&Store> {
        // The dispatcher opens the store for every command that asks for it (lib::store_access);
        // reaching this without one is a wiring mistake, reported rather than panicking.
        self.store
            .as_ref()
            .ok_or_else(|| Error::runtime("internal error: this command ran without its store"))
    }

    /// This command's time and actor, for the audit log.
    pub(crate) fn stamp(&self) -> Stamp {
        Stamp::new(self.now, self.actor.as_deref())
    }

    /// Runs `change` on the inventory in one IMMEDIATE transaction under this command's stamp.
    pub(crate) fn change<T>(&self, change: impl FnOnce(&Inventory) -> Result<T>) -> Result<T> {
        self.change_or_roll_back(true, change)
    }

    /// Like [`Ctx::change`], but commits only when `commit` is true (dry runs).
    pub(crate) fn change_or_roll_back<T>(
        &self,
        commit: bool,
        change: impl FnOnce(&Inventory) -> Result<T>,
    ) -> Result<T> {
        let stamp = self.stamp();
        self.store()?.write_or_roll_back(commit, |tx| {
            let inventory = Inventory::new(tx, stamp);
            // No lease outlives its time, whatever this write is about.
            inventory.expire_due_leases()?;
            change(&inventory)
        })
    }
}

impl Ctx {
    /// After a run has committed: delivers pending alert transitions for at most `budget`
    /// (nothing for zero). A receiver that fails, or the store refusing on the way, is a
    /// warning that says what is pending: the run's own work is done.
    pub(crate) fn deliver_alerts(&self, now: i64, budget: Duration) {
        if budget.is_zero() {
            return;
        }
        let options = DeliveryOptions {
            budget,
            ignore_backoff: false,
        };
        match self
            .store()
            .and_then(|store| notify::deliver(store, now, &options))
        {
            Ok(delivery) => {
                for warning in delivery.warnings() {
                    self.out.warn(warning);
                }
                if let Some(summary) = delivery.summary() {
                    self.out.detail(summary);
                }
            }
            Err(e) => self
                .out
                .warn(format!("alert delivery failed: {}", e.message)),
        }
    }
}

/// `$XDG_DATA_HOME/gpuctl`, i.e. `~/.local/share/gpuctl` on most systems.
pub(crate) fn default_data_dir() -> Result<PathBuf> {
    dirs::data_dir()
        .map(|dir| dir.join("gpuctl"))
        .ok_or_else(|| {
            Error::usage("cannot find a data directory: set HOME, XDG_DATA_HOME, or pass --db")
        })
}
