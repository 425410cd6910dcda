//! Append-only schema migrations, tracked by `PRAGMA user_version`.
//!
//! Never edit or reorder an entry that has shipped: add a new one at the end. A test holds the
//! hash of every shipped entry's text, and one checks that a new store holds the built-in catalogue.

use rusqlite::{Batch, Connection, TransactionBehavior};

use crate::error::{Error, Result};

/// One step of the schema; the store's `user_version` is the number of steps applied.
pub struct Migration {
    pub description: &'static str,
    pub step: Step,
}

/// What a migration does. Only frozen SQL: a step that ran today's Rust code (the model
/// catalogue) would give new stores something old ones never get. A statement may read the
/// migration's time as `:now`; every step runs inside the one IMMEDIATE transaction of
/// [`migrate`].
pub enum Step {
    Sql(&'static str),
}

pub const MIGRATIONS: &[Migration] = &[
    Migration {
        description: "the whole domain: nodes, events, models, devices, MIG, samples, rollups, alerts, allocations",
        step: Step::Sql(SCHEMA_V1),
    },
    Migration {
        description: "the built-in GPU model catalogue with MIG profiles",
        step: Step::Sql(BUILTIN_MODELS_SEED),
    },
    Migration {
        description: "built-in alert rules",
        step: Step::Sql(BUILTIN_ALERT_RULES),
    },
    Migration {
        description: "hourly fleet aggregates per cluster and model, kept as samples arrive",
        step: Step::Sql(FLEET_HOURLY),
    },
    Migration {
        description: "each GPU's newest sample on its device row",
        step: Step::Sql(LATEST_SAMPLE_ON_DEVICE),
    },
    Migration {
        description: "one audit vocabulary: the kinds collect and the demo spelt differently",
        step: Step::Sql(ONE_EVENT_VOCABULARY),
    },
    Migration {
        description: "why an alert was resolved",
        step: Step::Sql("ALTER TABLE alerts ADD COLUMN resolution TEXT;"),
    },
    Migration {
        description: "a node is identified by (cluster, name); events and alerts say the cluster",
        step: Step::Sql(NODE_IDENTITY_PER_CLUSTER),
    },
    Migration {
        description: "the workload dcgm-exporter saw on each GPU",
        step: Step::Sql(
            "ALTER TABLE devices ADD COLUMN workload TEXT;
             ALTER TABLE devices ADD COLUMN workload_seen_at INTEGER;",
        ),
    },
    Migration {
        description: "each MIG instance's GPU-instance id, use and workload as dcgm-exporter reports them",
        step: Step::Sql(
            "ALTER TABLE mig_instances ADD COLUMN gpu_instance_id INTEGER;
             ALTER TABLE mig_instances ADD COLUMN engine_active_pct INTEGER;
             ALTER TABLE mig_instances ADD COLUMN fb_used_mib INTEGER;
             ALTER TABLE mig_instances ADD COLUMN workload TEXT;
             ALTER TABLE mig_instances ADD COLUMN seen_at INTEGER;",
        ),
    },
    Migration {
        description: "alert delivery: receivers, and an outbox of alert transitions",
        step: Step::Sql(ALERT_DELIVERY),
    },
    Migration {
        description: "hourly rollups in about half the bytes: hours since the epoch, each metric's mean and maximum as one scaled integer",
        step: Step::Sql(PACKED_HOURLY_ROLLUPS),
    },
    Migration {
        description: "collect.run events only for runs that say something; no index on event subjects",
        step: Step::Sql(NOTEWORTHY_RUN_EVENTS),
    },
    Migration {
        description: "one GPU's leases by state and expiry, so every lookup of a GPU's active lease seeks it",
        step: Step::Sql(
            "DROP INDEX allocations_by_device;
             CREATE INDEX allocations_by_device ON allocations(device_id, state, expires_at);",
        ),
    },
];

/// Marks a SQLite file as a gpuctl store in its header (`PRAGMA application_id`): ASCII "GPUc"
/// read as a big-endian integer. Set with the first migration of a new store, and on the next
/// open of a store an older gpuctl made. Not a migration: it lives in the header, not a table.
pub const APPLICATION_ID: i32 = 0x4750_5563;

/// Tables every gpuctl store has had since the first migration: how a store made before the
/// mark is told from another program's database.
const CORE_TABLES: [&str; 5] = ["settings", "nodes", "events", "gpu_models", "devices"];

/// What a file is, as far as gpuctl may write to it; read before anything writes.
#[derive(Debug, PartialEq, Eq)]
pub enum Identity {
    /// A new, empty database: gpuctl may make it a store.
    Empty,
    /// Marked with [`APPLICATION_ID`].
    Marked,
    /// A store an older gpuctl made: a schema version, gpuctl's tables, no mark yet.
    Unmarked,
    /// Another program's database, and why gpuctl thinks so: never written to.
    Foreign(String),
}

/// Tells a gpuctl store from another SQLite database, by reads alone.
pub fn identify(conn: &Connection) -> Result<Identity> {
    let application_id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    if application_id == APPLICATION_ID {
        return Ok(Identity::Marked);
    }
    if application_id != 0 {
        return Ok(Identity::Foreign(format!(
            "its SQLite application_id is {application_id:#010x}, not gpuctl's {APPLICATION_ID:#010x}"
        )));
    }
    let objects: i64 = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
    if objects == 0 {
        return Ok(Identity::Empty);
    }
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let tables: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN (?1, ?2, ?3, ?4, ?5)",
        CORE_TABLES,
        |r| r.get(0),
    )?;
    if version == 0 {
        Ok(Identity::Foreign(format!(
            "it already holds {objects} schema object(s) and no gpuctl mark"
        )))
    } else if tables < CORE_TABLES.len() as i64 {
        Ok(Identity::Foreign(format!(
            "it has schema version {version} but not gpuctl's tables"
        )))
    } else {
        Ok(Identity::Unmarked)
    }
}

/// The schema version this binary writes.
pub fn latest_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// Brings the store up to date in one IMMEDIATE transaction; refuses a store from a newer gpuctl
/// or with an impossible version.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    // A quick read first: the common case (already current) takes no write lock at all.
    let current = check_version(conn)?;
    let application_id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    if current == latest_version() {
        if application_id != APPLICATION_ID {
            // Only the mark is missing: a current store an older gpuctl made. One header write;
            // a store this user may only read is still read as before, and marked by its owner.
            match conn.pragma_update(None, "application_id", APPLICATION_ID) {
                Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ReadOnly) => {}
                marked => marked?,
            }
        }
        return Ok(());
    }
    // The clock was checked when the command started; a bad GPUCTL_NOW cannot reach here.
    let now = crate::clock::now().map(|t| t.timestamp()).unwrap_or(0);
    // A step may rebuild a table (SQLite cannot alter a constraint): foreign keys are off while
    // the steps run, as SQLite's own procedure says, and checked before the commit.
    let foreign_keys: bool = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
    conn.pragma_update(None, "foreign_keys", false)?;
    let migrated = apply_pending(conn, now);
    if foreign_keys {
        conn.pragma_update(None, "foreign_keys", true)?;
    }
    migrated
}

/// Applies the migrations the store lacks, in one IMMEDIATE transaction.
fn apply_pending(conn: &mut Connection, now: i64) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Another process may have migrated while we waited for the lock: read again under it.
    let current = check_version(&tx)?;
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let applied = match migration.step {
            Step::Sql(sql) => run_sql(&tx, sql, now),
        };
        applied.map_err(|e| {
            Error::store(format!(
                "migration {} ({}) failed: {e}",
                index + 1,
                migration.description
            ))
        })?;
        tx.pragma_update(None, "user_version", (index + 1) as i64)?;
    }
    // In the same transaction as the tables: no committed state has gpuctl's tables unmarked.
    let application_id: i32 = tx.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    if application_id != APPLICATION_ID {
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
    }
    let broken: i64 = tx.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
        r.get(0)
    })?;
    if broken > 0 {
        return Err(Error::store(format!(
            "migration left {broken} row(s) pointing nowhere; nothing was changed"
        )));
    }
    tx.commit()?;
    Ok(())
}

/// Runs each statement of `sql` in turn, binding `:now` where a statement names it.
fn run_sql(conn: &Connection, sql: &str, now: i64) -> Result<()> {
    let mut statements = Batch::new(conn, sql);
    while let Some(mut statement) = statements.next()? {
        let now_index = statement.parameter_index(":now")?;
        if statement.parameter_count() > usize::from(now_index.is_some()) {
            return Err(Error::runtime(
                "a migration statement has a parameter other than :now",
            ));
        }
        if let Some(index) = now_index {
            statement.raw_bind_parameter(index, now)?;
        }
        statement.raw_execute()?;
    }
    Ok(())
}

/// The store's schema version, if this gpuctl can use it: 0 (a new file) to [`latest_version`].
/// A read only, so a refused store is left exactly as it was.
pub fn check_version(conn: &Connection) -> Result<i64> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > latest_version() {
        return Err(Error::store(format!(
            "store schema version {version} is newer than this gpuctl supports ({})",
            latest_version()
        ))
        .with_hint("upgrade gpuctl, or point --db at another store"));
    }
    if version < 0 {
        return Err(Error::store(format!(
            "store schema version {version} is impossible (gpuctl writes 0 to {}): the file is damaged or not a gpuctl store",
            latest_version()
        ))
        .with_hint("point --db at another store, or restore a backup"));
    }
    Ok(version)
}

/// Times are INTEGER unix seconds UTC; memory MiB; power milliwatts; temperature °C; utilisation %.
const SCHEMA_V1: &str = r#"
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE nodes (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    cluster         TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('ready','not-ready','maintenance','cordoned','decommissioned')),
    role            TEXT,
    ip              TEXT,
    os              TEXT,
    kernel          TEXT,
    driver          TEXT,
    cuda            TEXT,
    kubelet         TEXT,
    gpu_capacity    INTEGER NOT NULL DEFAULT 0 CHECK (gpu_capacity >= 0),
    gpu_allocatable INTEGER NOT NULL DEFAULT 0 CHECK (gpu_allocatable >= 0),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX nodes_by_cluster ON nodes(cluster, name);
CREATE INDEX nodes_by_status ON nodes(status, name);
CREATE INDEX nodes_by_updated ON nodes(updated_at);

CREATE TABLE node_labels (
    node_id INTEGER NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
    key     TEXT NOT NULL,
    value   TEXT NOT NULL,
    PRIMARY KEY (node_id, key)
) WITHOUT ROWID;
CREATE INDEX node_labels_by_key ON node_labels(key, value);

-- The one audit log. `subject` is the thing changed (node name, device uuid, lease id ...) and
-- `node` the node it belongs to, both as text so history survives removal.
CREATE TABLE events (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    subject   TEXT NOT NULL,
    node      TEXT,
    field     TEXT,
    old_value TEXT,
    new_value TEXT,
    reason    TEXT,
    actor     TEXT
);
CREATE INDEX events_by_at ON events(at);
CREATE INDEX events_by_node ON events(node, at);
CREATE INDEX events_by_subject ON events(subject, at);

CREATE TABLE gpu_models (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
    architecture  TEXT,
    memory_mib    INTEGER NOT NULL CHECK (memory_mib > 0),
    tdp_w         INTEGER,
    mig_capable   INTEGER NOT NULL DEFAULT 0,
    -- JSON array of GPU-instance profiles: name, compute/memory slices, memory, placements.
    mig_profiles  TEXT NOT NULL DEFAULT '[]',
    hourly_cost   REAL,
    builtin       INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE TABLE gpu_model_aliases (
    alias    TEXT PRIMARY KEY COLLATE NOCASE,
    model_id INTEGER NOT NULL REFERENCES gpu_models(id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX gpu_model_aliases_by_model ON gpu_model_aliases(model_id);

CREATE TABLE devices (
    id               INTEGER PRIMARY KEY,
    uuid             TEXT NOT NULL UNIQUE,
    node_id          INTEGER NOT NULL REFERENCES nodes(id),
    idx              INTEGER NOT NULL CHECK (idx >= 0),
    model_id         INTEGER REFERENCES gpu_models(id),
    serial           TEXT,
    pci_bus_id       TEXT,
    status           TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','maintenance','faulty','retired')),
    mig_mode         INTEGER NOT NULL DEFAULT 0,
    -- Values that rarely change live here, not on every sample; collect updates them.
    memory_total_mib INTEGER,
    power_limit_mw   INTEGER,
    driver_version   TEXT,
    sm_clock_mhz     INTEGER,
    mem_clock_mhz    INTEGER,
    ecc_corrected    INTEGER,
    energy_mj        INTEGER,
    last_seen_at     INTEGER,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX devices_by_node ON devices(node_id, idx);
CREATE INDEX devices_by_model ON devices(model_id);

CREATE TABLE mig_instances (
    id              INTEGER PRIMARY KEY,
    device_id       INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    profile         TEXT NOT NULL,
    placement_start INTEGER NOT NULL CHECK (placement_start >= 0),
    placement_size  INTEGER NOT NULL CHECK (placement_size > 0),
    uuid            TEXT UNIQUE,
    created_at      INTEGER NOT NULL,
    UNIQUE (device_id, placement_start)
);

-- One row per GPU per collect, kept near 32 bytes: no rowid, no index but the key (range scans
-- and retention go device by device), and no column that rarely changes (memory total, power
-- limit, clocks, corrected ECC count, energy counter: those live on the device row, updated
-- by every collect). Measured: ~31 bytes a sample.
CREATE TABLE samples (
    device_id       INTEGER NOT NULL,
    ts              INTEGER NOT NULL,
    gpu_util        INTEGER,
    mem_util        INTEGER,
    mem_used_mib    INTEGER,
    temp_c          INTEGER,
    power_mw        INTEGER,
    fan_pct         INTEGER,
    ecc_uncorrected INTEGER,
    PRIMARY KEY (device_id, ts)
) WITHOUT ROWID;

-- Hourly rollups of complete hours: count, average and maximum per metric; energy integrated
-- from power draw.
CREATE TABLE samples_hourly (
    device_id        INTEGER NOT NULL,
    hour             INTEGER NOT NULL,
    n                INTEGER NOT NULL,
    gpu_util_avg     REAL,
    gpu_util_max     INTEGER,
    mem_util_avg     REAL,
    mem_util_max     INTEGER,
    mem_used_avg     REAL,
    mem_used_max     INTEGER,
    temp_avg         REAL,
    temp_max         INTEGER,
    power_avg        REAL,
    power_max        INTEGER,
    energy_mj        INTEGER,
    PRIMARY KEY (device_id, hour)
) WITHOUT ROWID;

CREATE TABLE alert_rules (
    name        TEXT PRIMARY KEY,
    description TEXT NOT NULL,
    metric      TEXT NOT NULL,
    comparison  TEXT NOT NULL CHECK (comparison IN ('>','>=','<','<=')),
    threshold   REAL NOT NULL,
    for_secs    INTEGER NOT NULL DEFAULT 0 CHECK (for_secs >= 0),
    severity    TEXT NOT NULL CHECK (severity IN ('info','warning','critical')),
    enabled     INTEGER NOT NULL DEFAULT 1,
    builtin     INTEGER NOT NULL DEFAULT 0,
    updated_at  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE alerts (
    id            INTEGER PRIMARY KEY,
    rule          TEXT NOT NULL,
    device_uuid   TEXT,
    node          TEXT,
    severity      TEXT NOT NULL CHECK (severity IN ('info','warning','critical')),
    state         TEXT NOT NULL CHECK (state IN ('firing','acknowledged','resolved')),
    first_seen_at INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    value         REAL,
    threshold     REAL,
    message       TEXT NOT NULL,
    ack_note      TEXT,
    acked_at      INTEGER,
    resolved_at   INTEGER
);
-- One open alert per (rule, GPU): a repeat updates it instead of adding another.
CREATE UNIQUE INDEX alerts_one_open ON alerts(rule, ifnull(device_uuid, ''), ifnull(node, ''))
    WHERE state <> 'resolved';
CREATE INDEX alerts_by_state ON alerts(state, severity);

CREATE TABLE allocations (
    id              INTEGER PRIMARY KEY,
    -- The device and MIG instance while they exist; the text columns keep the lease readable
    -- (and costable) after its GPU or node is removed.
    device_id       INTEGER REFERENCES devices(id) ON DELETE SET NULL,
    mig_instance_id INTEGER REFERENCES mig_instances(id) ON DELETE SET NULL,
    device_uuid     TEXT NOT NULL,
    node            TEXT NOT NULL,
    cluster         TEXT NOT NULL,
    model           TEXT,
    mig_profile     TEXT,
    mig_uuid        TEXT,
    -- Share of the whole GPU leased: 1 for a GPU, compute slices / 7 (or the model's count) for MIG.
    gpu_fraction    REAL NOT NULL DEFAULT 1 CHECK (gpu_fraction > 0 AND gpu_fraction <= 1),
    owner           TEXT NOT NULL,
    namespace       TEXT,
    workload        TEXT,
    state           TEXT NOT NULL CHECK (state IN ('active','released','expired')),
    started_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    ended_at        INTEGER,
    end_reason      TEXT,
    CHECK (expires_at > started_at)
);
-- Two active leases on one GPU, or on one MIG instance, are impossible whatever the caller does.
CREATE UNIQUE INDEX allocations_one_active_gpu ON allocations(device_id)
    WHERE state = 'active' AND mig_instance_id IS NULL;
CREATE UNIQUE INDEX allocations_one_active_mig ON allocations(mig_instance_id)
    WHERE state = 'active' AND mig_instance_id IS NOT NULL;
CREATE INDEX allocations_by_state ON allocations(state, expires_at);
CREATE INDEX allocations_by_device ON allocations(device_id, state);
CREATE INDEX allocations_by_owner ON allocations(owner, state);
CREATE INDEX allocations_by_node ON allocations(node, state);
"#;

/// The built-in model catalogue as it shipped with schema version 2, frozen as data: generated
/// once from `gpu::catalog` and never edited since. A later catalogue change is a new
/// migration, so old and new stores hold the same models. Like the Rust step it replaced, it
/// leaves alone a name or alias a user's own model already holds; `:now` is the migration's time.
const BUILTIN_MODELS_SEED: &str = r#"
WITH seed(name, architecture, memory_mib, tdp_w, mig_capable, mig_profiles) AS (VALUES
  ('NVIDIA A100-SXM4-40GB', 'Ampere', 40960, 400, 1,
   '[{"name":"1g.5gb","compute_slices":1,"memory_slices":1,"placements":[0,1,2,3,4,5,6]},{"name":"1g.5gb+me","compute_slices":1,"memory_slices":1,"placements":[0,1,2,3,4,5,6],"max_instances":1},{"name":"1g.10gb","compute_slices":1,"memory_slices":2,"placements":[0,2,4,6]},{"name":"2g.10gb","compute_slices":2,"memory_slices":2,"placements":[0,2,4]},{"name":"3g.20gb","compute_slices":3,"memory_slices":4,"placements":[0,4]},{"name":"4g.20gb","compute_slices":4,"memory_slices":4,"placements":[0]},{"name":"7g.40gb","compute_slices":7,"memory_slices":8,"placements":[0]}]'),
  ('NVIDIA A100-PCIE-40GB', 'Ampere', 40960, 250, 1,
   '[{"name":"1g.5gb","compute_slices":1,"memory_slices":1,"placements":[0,1,2,3,4,5,6]},{"name":"1g.5gb+me","compute_slices":1,"memory_slices":1,"placements":[0,1,2,3,4,5,6],"max_instances":1},{"name":"1g.10gb","compute_slices":1,"memory_slices":2,"placements":[0,2,4,6]},{"name":"2g.10gb","compute_slices":2,"memory_slices":2,"placements":[0,2,4]},{"name":"3g.20gb","compute_slices":3,"memory_slices":4,"placements":[0,4]},{"name":"4g.20gb","compute_slices":4,"memory_slices":4,"placements":[0]},{"name":"7g.40gb","compute_slices":7,"memory_slices":8,"placements":[0]}]'),
  ('NVIDIA A100-SXM4-80GB', 'Ampere', 81920, 400, 1,
   '[{"name":"1g.10gb","compute_slices":1,"memory_slices":1,"placements":[0,1,2,3,4,5,6]},{"name":"1g.10gb+me","compute_slices":1,"memory_slices":1,"placements":[0,1,2,3,4,5,6],"max_instances":1},{"name":"1g.20gb","compute_slices":1,"memory_slices":2,"placements":[0,2,4,6]},{"name":"2g.20gb","compute_slices":2,"memory_slices":2,"placements":[0,2,4]},{"name":"3g.40gb","compute_slices":3,"memory_slices":4,"placements":[0,4]},{"name":"4g.40gb","compute_slices":4,"memory_slices":4,"placements":[0]},{"name":"7g.80gb","compute_slices":7,"memory_slices":8,"placements":[0]}]'),
  ('NVIDIA A100 80GB PCIe', 'Ampere', 81920, 300, 1,
   '[{"name":"1g.10gb","compute_slices":1,"memory_slices":1,"placements":[0,1,2,3,4,5,6]},{"name":"1g.10gb+me","compute_slices":1,"memory_slices":1,"placements":[0,1,2,3,4,5,6],"max_instances":1},{"name":"1g.20gb","compute_slices":1,"memory_slices":2,"placements":[0,2,4,6]},{"name":"2g.20gb","compute_slices":2,"memory_slices":2,"placements":[0,2,4]},{"name":"3g.40gb","compute_slices":3,"memory_slices":4,"placements":[0,4]},{"name":"4g.40gb","compute_slices":4,"memory_slices":4,"placements":[0]},{"name":"7g.80gb","compute_slices":7,"memory_slices":8,"placements":[0]}]'),
  ('NVIDIA H100 80GB HBM3', 'Hopper', 81920, 700, 1,
   '[{"name":"1g.10gb","compute_slices":1,"memory_slices":1,"placements":[0,1,2,3,4,5,6]},{"name":"1g.10gb+me","compute_slices":1,"memory_slices":1,"placements":[0,1,2,3,4,5,6],"max_instances":1},{"name":"1g.20gb","compute_slices":1,"memory_slices":2,"placements":[0,2,4,6]},{"name":"2g.20gb","compute_slices":2,"memory_slices":2,"placements":[0,2,4]},{"name":"3g.40gb","compute_slices":3,"memory_slices":4,"placements":[0,4]},{"name":"4g.40gb","compute_slices":4,"memory_slices":4,"placements":[0]},{"name":"7g.80gb","compute_slices":7,"memory_slices":8,"placements":[0]}]'),
  ('NVIDIA H100 PCIe', 'Hopper', 81920, 350, 1,
   '[{"name":"1g.10gb","compute_slices":1,"memory_slices":1,"placements":[0,1,2,3,4,5,6]},{"name":"1g.10gb+me","compute_slices":1,"memory_slices":1,"placements":[0,1,2,3,4,5,6],"max_instances":1},{"name":"1g.20gb","compute_slices":1,"memory_slices":2,"placements":[0,2,4,6]},{"name":"2g.20gb","compute_slices":2,"memory_slices":2,"placements":[0,2,4]},{"name":"3g.40gb","compute_slices":3,"memory_slices":4,"placements":[0,4]},{"name":"4g.40gb","compute_slices":4,"memory_slices":4,"placements":[0]},{"name":"7g.80gb","compute_slices":7,"memory_slices":8,"placements":[0]}]'),
  ('NVIDIA H100 NVL', 'Hopper', 96256, 400, 1,
   '[{"name":"1g.12gb","compute_slices":1,"memory_slices":1,"placements":[0,1,2,3,4,5,6]},{"name":"1g.12gb+me","compute_slices":1,"memory_slices":1,"placements":[0,1,2,3,4,5,6],"max_instances":1},{"name":"1g.24gb","compute_slices":1,"memory_slices":2,"placements":[0,2,4,6]},{"name":"2g.24gb","compute_slices":2,"memory_slices":2,"placements":[0,2,4]},{"name":"3g.47gb","compute_slices":3,"memory_slices":4,"placements":[0,4]},{"name":"4g.47gb","compute_slices":4,"memory_slices":4,"placements":[0]},{"name":"7g.94gb","compute_slices":7,"memory_slices":8,"placements":[0]}]'),
  ('NVIDIA H200', 'Hopper', 144384, 700, 1,
   '[{"name":"1g.18gb","compute_slices":1,"memory_slices":1,"placements":[0,1,2,3,4,5,6]},{"name":"1g.18gb+me","compute_slices":1,"memory_slices":1,"placements":[0,1,2,3,4,5,6],"max_instances":1},{"name":"1g.35gb","compute_slices":1,"memory_slices":2,"placements":[0,2,4,6]},{"name":"2g.35gb","compute_slices":2,"memory_slices":2,"placements":[0,2,4]},{"name":"3g.71gb","compute_slices":3,"memory_slices":4,"placements":[0,4]},{"name":"4g.71gb","compute_slices":4,"memory_slices":4,"placements":[0]},{"name":"7g.141gb","compute_slices":7,"memory_slices":8,"placements":[0]}]'),
  ('NVIDIA A30', 'Ampere', 24576, 165, 1,
   '[{"name":"1g.6gb","compute_slices":1,"memory_slices":1,"placements":[0,1,2,3]},{"name":"1g.6gb+me","compute_slices":1,"memory_slices":1,"placements":[0,1,2,3],"max_instances":1},{"name":"2g.12gb","compute_slices":2,"memory_slices":2,"placements":[0,2]},{"name":"2g.12gb+me","compute_slices":2,"memory_slices":2,"placements":[0,2],"max_instances":1},{"name":"4g.24gb","compute_slices":4,"memory_slices":4,"placements":[0]}]'),
  ('NVIDIA L40S', 'Ada Lovelace', 49152, 350, 0,
   '[]'),
  ('NVIDIA L4', 'Ada Lovelace', 24576, 72, 0,
   '[]'),
  ('NVIDIA A10', 'Ampere', 24576, 150, 0,
   '[]'),
  ('Tesla T4', 'Turing', 16384, 70, 0,
   '[]'),
  ('Tesla V100-SXM2-32GB', 'Volta', 32768, 300, 0,
   '[]')
)
INSERT INTO gpu_models (name, architecture, memory_mib, tdp_w, mig_capable, mig_profiles,
                        hourly_cost, builtin, created_at, updated_at)
SELECT name, architecture, memory_mib, tdp_w, mig_capable, mig_profiles, NULL, 1, :now, :now
FROM seed
WHERE NOT EXISTS (SELECT 1 FROM gpu_models m WHERE m.name = seed.name)
  AND NOT EXISTS (SELECT 1 FROM gpu_model_aliases a WHERE a.alias = seed.name);

WITH seed(model, alias) AS (VALUES
  ('NVIDIA A100-SXM4-40GB', 'A100-40GB'),
  ('NVIDIA A100-SXM4-40GB', 'A100-SXM4-40GB'),
  ('NVIDIA A100-SXM4-40GB', 'A100 40GB'),
  ('NVIDIA A100-SXM4-40GB', 'A100'),
  ('NVIDIA A100-PCIE-40GB', 'A100-PCIE-40GB'),
  ('NVIDIA A100-PCIE-40GB', 'A100-40GB-PCIe'),
  ('NVIDIA A100-PCIE-40GB', 'A100 PCIe 40GB'),
  ('NVIDIA A100-SXM4-80GB', 'A100-80GB'),
  ('NVIDIA A100-SXM4-80GB', 'A100-SXM4-80GB'),
  ('NVIDIA A100-SXM4-80GB', 'A100 80GB SXM'),
  ('NVIDIA A100-SXM4-80GB', 'A100-80GB-SXM'),
  ('NVIDIA A100 80GB PCIe', 'A100-80GB-PCIe'),
  ('NVIDIA A100 80GB PCIe', 'A100-PCIE-80GB'),
  ('NVIDIA A100 80GB PCIe', 'NVIDIA A100-PCIE-80GB'),
  ('NVIDIA A100 80GB PCIe', 'A100 PCIe 80GB'),
  ('NVIDIA H100 80GB HBM3', 'H100-80GB'),
  ('NVIDIA H100 80GB HBM3', 'H100-SXM5-80GB'),
  ('NVIDIA H100 80GB HBM3', 'H100-SXM'),
  ('NVIDIA H100 80GB HBM3', 'H100 SXM'),
  ('NVIDIA H100 80GB HBM3', 'H100'),
  ('NVIDIA H100 PCIe', 'H100-PCIE'),
  ('NVIDIA H100 PCIe', 'H100-PCIe-80GB'),
  ('NVIDIA H100 PCIe', 'H100-80GB-PCIe'),
  ('NVIDIA H100 PCIe', 'H100 PCIe 80GB'),
  ('NVIDIA H100 NVL', 'H100-NVL'),
  ('NVIDIA H100 NVL', 'H100-94GB'),
  ('NVIDIA H100 NVL', 'H100 NVL 94GB'),
  ('NVIDIA H100 NVL', 'H100-NVL-94GB'),
  ('NVIDIA H200', 'H200'),
  ('NVIDIA H200', 'H200-141GB'),
  ('NVIDIA H200', 'H200-SXM5-141GB'),
  ('NVIDIA H200', 'H200 SXM'),
  ('NVIDIA A30', 'A30'),
  ('NVIDIA A30', 'A30-24GB'),
  ('NVIDIA L40S', 'L40S'),
  ('NVIDIA L40S', 'L40S-48GB'),
  ('NVIDIA L4', 'L4'),
  ('NVIDIA L4', 'L4-24GB'),
  ('NVIDIA A10', 'A10'),
  ('NVIDIA A10', 'A10-24GB'),
  ('Tesla T4', 'T4'),
  ('Tesla T4', 'NVIDIA T4'),
  ('Tesla T4', 'T4-16GB'),
  ('Tesla V100-SXM2-32GB', 'V100'),
  ('Tesla V100-SXM2-32GB', 'V100-32GB'),
  ('Tesla V100-SXM2-32GB', 'V100-SXM2-32GB'),
  ('Tesla V100-SXM2-32GB', 'NVIDIA V100-SXM2-32GB')
)
INSERT INTO gpu_model_aliases (alias, model_id)
SELECT seed.alias, m.id
FROM seed JOIN gpu_models m ON m.name = seed.model AND m.builtin = 1
WHERE NOT EXISTS (SELECT 1 FROM gpu_model_aliases a WHERE a.alias = seed.alias)
  AND NOT EXISTS (SELECT 1 FROM gpu_models o WHERE o.name = seed.alias);
"#;

/// The alert rules every store starts with; `gpuctl alert rules set|enable|disable` tunes them.
/// Temperatures follow common data-centre practice (H100/A100 slow down near 87-90 °C).
const BUILTIN_ALERT_RULES: &str = r#"
INSERT INTO alert_rules (name, description, metric, comparison, threshold, for_secs, severity, enabled, builtin, updated_at) VALUES
  ('gpu-temperature-high', 'GPU temperature is high', 'temperature_c', '>=', 85, 0, 'warning', 1, 1, 0),
  ('gpu-temperature-critical', 'GPU temperature is critical', 'temperature_c', '>=', 92, 0, 'critical', 1, 1, 0),
  ('ecc-uncorrected', 'uncorrected (volatile) ECC errors', 'ecc_uncorrected', '>', 0, 0, 'critical', 1, 1, 0),
  ('memory-nearly-full', 'GPU memory nearly full', 'memory_used_pct', '>=', 95, 300, 'warning', 1, 1, 0),
  ('power-at-limit', 'power draw at the enforced limit', 'power_of_limit_pct', '>=', 98, 600, 'warning', 1, 1, 0),
  ('gpu-not-reporting', 'a GPU in the inventory stopped reporting (fell off the bus?)', 'seconds_since_seen', '>', 120, 0, 'critical', 1, 1, 0),
  ('allocated-idle', 'GPU leased but idle', 'leased_gpu_util_pct', '<', 5, 1800, 'warning', 1, 1, 0);
"#;

/// Per (hour, cluster, model) sums, counts and maxima of every sample, the current hour
/// included, so fleet-wide and per-cluster trends read a few rows per hour instead of every GPU's
/// samples. `insert_samples` keeps it; this migration aggregates what a store already holds.
const FLEET_HOURLY: &str = r#"
CREATE TABLE samples_fleet_hourly (
    hour        INTEGER NOT NULL,
    cluster     TEXT NOT NULL,
    model_id    INTEGER NOT NULL,
    n           INTEGER NOT NULL,
    util_sum    REAL NOT NULL,
    util_n      INTEGER NOT NULL,
    util_max    INTEGER,
    mem_pct_sum REAL NOT NULL,
    mem_pct_n   INTEGER NOT NULL,
    mem_pct_max REAL,
    temp_sum    REAL NOT NULL,
    temp_n      INTEGER NOT NULL,
    temp_max    INTEGER,
    power_sum   REAL NOT NULL,
    power_n     INTEGER NOT NULL,
    power_max   INTEGER,
    PRIMARY KEY (hour, cluster, model_id)
) WITHOUT ROWID;
INSERT INTO samples_fleet_hourly
SELECT s.ts - s.ts % 3600, n.cluster, ifnull(d.model_id, 0), count(*),
       ifnull(sum(s.gpu_util), 0), count(s.gpu_util), max(s.gpu_util),
       ifnull(sum(100.0 * s.mem_used_mib / nullif(d.memory_total_mib, 0)), 0),
       count(100.0 * s.mem_used_mib / nullif(d.memory_total_mib, 0)),
       max(100.0 * s.mem_used_mib / nullif(d.memory_total_mib, 0)),
       ifnull(sum(s.temp_c), 0), count(s.temp_c), max(s.temp_c),
       ifnull(sum(s.power_mw), 0), count(s.power_mw), max(s.power_mw)
FROM devices d JOIN nodes n ON n.id = d.node_id CROSS JOIN samples s ON s.device_id = d.id
GROUP BY 1, 2, 3;
"#;

/// The newest sample of each GPU, copied onto its device row by `insert_samples`, so the
/// dashboard and the exporter read one row per GPU instead of seeking into `samples` twice.
const LATEST_SAMPLE_ON_DEVICE: &str = r#"
ALTER TABLE devices ADD COLUMN latest_ts INTEGER;
ALTER TABLE devices ADD COLUMN latest_gpu_util INTEGER;
ALTER TABLE devices ADD COLUMN latest_mem_util INTEGER;
ALTER TABLE devices ADD COLUMN latest_mem_used_mib INTEGER;
ALTER TABLE devices ADD COLUMN latest_temp_c INTEGER;
ALTER TABLE devices ADD COLUMN latest_power_mw INTEGER;
ALTER TABLE devices ADD COLUMN latest_fan_pct INTEGER;
ALTER TABLE devices ADD COLUMN latest_ecc_uncorrected INTEGER;
UPDATE devices SET latest_ts = (SELECT max(ts) FROM samples WHERE device_id = devices.id);
UPDATE devices SET
    latest_gpu_util = (SELECT gpu_util FROM samples WHERE device_id = devices.id AND ts = devices.latest_ts),
    latest_mem_util = (SELECT mem_util FROM samples WHERE device_id = devices.id AND ts = devices.latest_ts),
    latest_mem_used_mib = (SELECT mem_used_mib FROM samples WHERE device_id = devices.id AND ts = devices.latest_ts),
    latest_temp_c = (SELECT temp_c FROM samples WHERE device_id = devices.id AND ts = devices.latest_ts),
    latest_power_mw = (SELECT power_mw FROM samples WHERE device_id = devices.id AND ts = devices.latest_ts),
    latest_fan_pct = (SELECT fan_pct FROM samples WHERE device_id = devices.id AND ts = devices.latest_ts),
    latest_ecc_uncorrected = (SELECT ecc_uncorrected FROM samples WHERE device_id = devices.id AND ts = devices.latest_ts)
WHERE latest_ts IS NOT NULL;
"#;

/// Collect and the demo once wrote `device.added` and collect `model.added` where the commands
/// wrote `*.created`; history reads one word for one change.
const ONE_EVENT_VOCABULARY: &str = "
UPDATE events SET kind = 'device.created' WHERE kind = 'device.added';
UPDATE events SET kind = 'model.created' WHERE kind = 'model.added';
";
/// Kubernetes names are unique only inside a cluster, and clusters built from one template
/// share names: the unique key of a node becomes (cluster, name). The table is rebuilt (SQLite
/// cannot drop a constraint) with foreign keys off, as `migrate` runs every step; events and
/// alerts gain the node's cluster, filled from the nodes of today (names were unique so far).
const NODE_IDENTITY_PER_CLUSTER: &str = r#"
CREATE TABLE nodes_by_cluster_and_name (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL,
    cluster         TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('ready','not-ready','maintenance','cordoned','decommissioned')),
    role            TEXT,
    ip              TEXT,
    os              TEXT,
    kernel          TEXT,
    driver          TEXT,
    cuda            TEXT,
    kubelet         TEXT,
    gpu_capacity    INTEGER NOT NULL DEFAULT 0 CHECK (gpu_capacity >= 0),
    gpu_allocatable INTEGER NOT NULL DEFAULT 0 CHECK (gpu_allocatable >= 0),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (cluster, name)
);
INSERT INTO nodes_by_cluster_and_name (id, name, cluster, status, role, ip, os, kernel, driver,
        cuda, kubelet, gpu_capacity, gpu_allocatable, created_at, updated_at)
    SELECT id, name, cluster, status, role, ip, os, kernel, driver, cuda, kubelet, gpu_capacity,
           gpu_allocatable, created_at, updated_at FROM nodes;
DROP TABLE nodes;
ALTER TABLE nodes_by_cluster_and_name RENAME TO nodes;
CREATE INDEX nodes_by_name ON nodes(name);
CREATE INDEX nodes_by_status ON nodes(status, name);
CREATE INDEX nodes_by_updated ON nodes(updated_at);
ALTER TABLE events ADD COLUMN cluster TEXT;
UPDATE events SET cluster = (SELECT n.cluster FROM nodes n WHERE n.name = events.node)
    WHERE node IS NOT NULL;
DROP INDEX events_by_node;
CREATE INDEX events_by_node ON events(node, cluster, at);
ALTER TABLE alerts ADD COLUMN cluster TEXT;
UPDATE alerts SET cluster = (SELECT n.cluster FROM nodes n WHERE n.name = alerts.node)
    WHERE node IS NOT NULL;
"#;

/// Alert delivery (`gpuctl alert receivers`, `alert notify`). Each alert transition is copied
/// into `alert_outbox` in the transaction that made it, as it was then (a receiver that was down
/// still learns what each transition said). A receiver gets the entries after its cursor
/// `delivered_through`, in id order; a 2xx answer moves the cursor. AUTOINCREMENT keeps ids
/// rising after delivered entries are pruned, so a cursor never covers an entry not yet written.
const ALERT_DELIVERY: &str = r#"
CREATE TABLE alert_receivers (
    id                       INTEGER PRIMARY KEY,
    name                     TEXT NOT NULL UNIQUE,
    kind                     TEXT NOT NULL CHECK (kind IN ('alertmanager', 'webhook')),
    url                      TEXT NOT NULL,
    ca_file                  TEXT,
    bearer_token_file        TEXT,
    bearer_token_env         TEXT,
    basic_auth_user          TEXT,
    basic_auth_password_file TEXT,
    basic_auth_password_env  TEXT,
    resend_secs              INTEGER CHECK (resend_secs > 0),
    created_at               INTEGER NOT NULL,
    delivered_through        INTEGER NOT NULL,
    delivered                INTEGER NOT NULL DEFAULT 0,
    dropped                  INTEGER NOT NULL DEFAULT 0,
    failures                 INTEGER NOT NULL DEFAULT 0,
    next_attempt_at          INTEGER,
    last_attempt_at          INTEGER,
    last_success_at          INTEGER,
    last_error               TEXT,
    resent_at                INTEGER
);
CREATE TABLE alert_outbox (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    key           TEXT NOT NULL UNIQUE,
    alert_id      INTEGER NOT NULL,
    transition    TEXT NOT NULL CHECK (transition IN ('firing', 'acknowledged', 'resolved')),
    at            INTEGER NOT NULL,
    rule          TEXT NOT NULL,
    description   TEXT NOT NULL,
    severity      TEXT NOT NULL,
    device_uuid   TEXT,
    node          TEXT,
    cluster       TEXT,
    model         TEXT,
    value         REAL,
    threshold     REAL,
    message       TEXT NOT NULL,
    first_seen_at INTEGER NOT NULL,
    acked_at      INTEGER,
    ack_note      TEXT,
    resolution    TEXT
);
"#;

/// A rollup row was ~81 bytes (five REAL averages, the hour in seconds, energy in mJ): more
/// than the raw samples it summarises. The table is rebuilt in the layout `store::metrics`
/// describes above its rollup statement: the hour as hours since the epoch; per metric one integer,
/// its maximum shifted above its mean, the mean scaled to a precision well below what reports
/// and trends show; the seconds the samples do not cover instead of the energy (energy is
/// mean power × the seconds covered, as it was computed). The hourly mean and maximum of memory
/// utilisation go: nothing read them, and raw samples keep the metric. Old rows convert
/// in place: covered seconds from energy / mean power (how reports read them), the rest
/// rounded to the new units.
const PACKED_HOURLY_ROLLUPS: &str = r#"
CREATE TABLE samples_hourly_packed (
    device_id      INTEGER NOT NULL,
    epoch_hour     INTEGER NOT NULL,
    n              INTEGER NOT NULL,
    uncovered_secs INTEGER,
    gpu_util       INTEGER,
    mem_used       INTEGER,
    temp           INTEGER,
    power          INTEGER,
    PRIMARY KEY (device_id, epoch_hour)
) WITHOUT ROWID;
INSERT INTO samples_hourly_packed (device_id, epoch_hour, n, uncovered_secs, gpu_util, mem_used,
        temp, power)
SELECT device_id, hour / 3600, n,
       CASE WHEN energy_mj IS NULL THEN NULL
            WHEN power_avg > 0 THEN max(0, 3600 - CAST(round(energy_mj / power_avg) AS INTEGER))
            ELSE 0 END,
       (max(0, gpu_util_max) << 14)
           | min(16383, max(0, CAST(round(gpu_util_avg * 100) AS INTEGER))),
       (max(0, mem_used_max) << 24)
           | min(16777215, max(0, CAST(round(mem_used_avg) AS INTEGER))),
       (max(0, temp_max) << 14)
           | min(16383, max(0, CAST(round(temp_avg * 100) AS INTEGER))),
       (((max(0, power_max) + 500) / 1000 - (max(0, power_max) % 2000 = 500)) << 19)
           | min(524287, max(0, CAST(round(power_avg / 10) AS INTEGER)))
FROM samples_hourly;
DROP TABLE samples_hourly;
ALTER TABLE samples_hourly_packed RENAME TO samples_hourly;
"#;

/// Collect writes a `collect.run` event only for a run that changed something or went wrong
/// (`inventory::RunFacts`); the routine ones already stored go. An old event says only its
/// source and alert counts, so one is routine when it is not a replay, fired and resolved
/// nothing, and no other event shares its time (no GPU registered, moved or changed by it). Before they go, a store
/// whose last live collect (NVML or nvidia-smi) is known only from them gets the settings
/// `doctor` now reads (`prometheus::record_local_collect`). No statement filters events by
/// subject: that index only cost every event's write and ~30 bytes.
const NOTEWORTHY_RUN_EVENTS: &str = r#"
INSERT INTO settings (key, value)
SELECT k.key, CASE k.key WHEN 'collect.local_node' THEN r.subject
                         WHEN 'collect.local_source' THEN r.source
                         ELSE CAST(r.at AS TEXT) END
FROM (SELECT subject, at, substr(new_value, 8, instr(new_value, ' ') - 8) AS source
      FROM events
      WHERE kind = 'collect.run'
        AND (new_value GLOB 'source=nvml *' OR new_value GLOB 'source=nvidia-smi *')
      ORDER BY at DESC, id DESC LIMIT 1) AS r
CROSS JOIN (SELECT 'collect.local_node' AS key UNION ALL SELECT 'collect.local_source'
            UNION ALL SELECT 'collect.local_at') AS k
WHERE NOT EXISTS (SELECT 1 FROM settings
                  WHERE key IN ('collect.local_node', 'collect.local_source', 'collect.local_at'));
DELETE FROM events
WHERE kind = 'collect.run' AND new_value GLOB '* alerts_fired=0 alerts_resolved=0'
  AND NOT new_value GLOB 'source=replay *'
  AND NOT EXISTS (SELECT 1 FROM events o WHERE o.at = events.at AND o.kind <> 'collect.run');
DROP INDEX events_by_subject;
"#;

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::*;
    use crate::domain::GpuModel;
    use crate::gpu::catalog::BUILTIN_MODELS;
    use crate::store::models;

    /// FNV-1a: a hash that, unlike std's, is the same on every Rust release.
    fn fnv1a(text: &str) -> u64 {
        text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        })
    }

    fn text(migration: &Migration) -> &'static str {
        match migration.step {
            Step::Sql(sql) => sql,
        }
    }

    /// The text of every migration that has shipped, by hash. Stores out there ran exactly these
    /// statements: editing one would give new stores a schema old ones never get.
    const SHIPPED: &[u64] = &[
        0xe9fe_1e84_b2a2_5aa1,
        0x76f3_ea36_fbb9_fdd3,
        0x79c1_f204_ab9a_441b,
        0xb08f_7e12_4488_3c80,
        0x9ad0_fcbf_4b73_bd12,
        0xcf48_a6de_41cb_056f,
        0x8a8f_e253_c117_b719,
        0x124b_7aef_5705_08e8,
        0x5862_b9e0_a6cc_667a,
        0x75d0_5d1a_4b93_e880,
        0xa15d_afa6_53c9_5540,
        0x1371_05e0_fd6e_e9e7,
        0x174a_f157_316f_c957,
        0xd0ab_c0c0_e2fc_b7d2,
    ];

    #[test]
    fn migrations_are_append_only() {
        for (index, migration) in MIGRATIONS.iter().enumerate() {
            let hash = fnv1a(text(migration));
            match SHIPPED.get(index) {
                Some(shipped) => assert_eq!(
                    hash,
                    *shipped,
                    "migration {} ({}) has shipped and must not change: add a new migration instead",
                    index + 1,
                    migration.description
                ),
                None => panic!(
                    "migration {} ({}) is new: once it is final, record its hash {hash:#018x} in SHIPPED",
                    index + 1,
                    migration.description
                ),
            }
        }
        assert_eq!(
            MIGRATIONS.len(),
            SHIPPED.len(),
            "a shipped migration was removed"
        );
    }

    fn migrated_from_scratch() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        conn
    }

    /// What the catalogue says a built-in model is, in the store's terms.
    fn as_stored(model: &GpuModel) -> (String, Vec<String>, Option<String>, i64, Option<i64>) {
        let mut aliases = model.aliases.clone();
        aliases.sort_by_key(|a| a.to_lowercase());
        (
            model.name.clone(),
            aliases,
            model.architecture.clone(),
            model.memory_mib,
            model.tdp_w,
        )
    }

    /// A catalogue change ships as a migration: a new store then holds exactly the catalogue,
    /// and an old one, migrated, holds the same.
    #[test]
    fn a_store_migrated_from_scratch_holds_the_builtin_catalogue() {
        let conn = migrated_from_scratch();
        let mut stored = models::list(&conn).unwrap();
        assert!(stored.iter().all(|m| m.builtin && m.hourly_cost.is_none()));
        stored.sort_by(|a, b| a.name.cmp(&b.name));
        let mut catalogue: Vec<_> = BUILTIN_MODELS.iter().collect();
        catalogue.sort_by(|a, b| a.name.cmp(b.name));
        assert_eq!(
            stored.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(),
            catalogue.iter().map(|m| m.name).collect::<Vec<_>>()
        );
        for (model, builtin) in stored.iter().zip(catalogue) {
            let mut aliases: Vec<String> = builtin.aliases.iter().map(|a| a.to_string()).collect();
            aliases.sort_by_key(|a| a.to_lowercase());
            assert_eq!(
                as_stored(model),
                (
                    builtin.name.to_string(),
                    aliases,
                    Some(builtin.architecture.to_string()),
                    builtin.memory_mib,
                    Some(builtin.tdp_w)
                )
            );
            assert_eq!(model.mig_capable, builtin.mig_capable(), "{}", model.name);
            assert_eq!(model.mig_profiles, builtin.mig_profiles(), "{}", model.name);
        }
    }

    #[test]
    fn the_seed_leaves_names_a_users_model_holds_alone() {
        let mut conn = Connection::open_in_memory().unwrap();
        run_sql(&conn, text(&MIGRATIONS[0]), 7).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute_batch(
            "INSERT INTO gpu_models (name, memory_mib, created_at, updated_at)
                 VALUES ('nvidia l4', 1, 5, 5), ('my-h100', 2, 5, 5);
             INSERT INTO gpu_model_aliases (alias, model_id) VALUES ('H100', 2);",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let l4 = models::resolve(&conn, "NVIDIA L4").unwrap().unwrap();
        assert_eq!((l4.name.as_str(), l4.builtin), ("nvidia l4", false));
        assert!(models::resolve(&conn, "L4-24GB").unwrap().is_none());
        let h100 = models::resolve(&conn, "H100").unwrap().unwrap();
        assert_eq!(h100.name, "my-h100");
        let builtin = models::resolve(&conn, "NVIDIA H100 80GB HBM3")
            .unwrap()
            .unwrap();
        assert!(!builtin.aliases.contains(&"H100".to_string()));
        assert!(builtin.aliases.contains(&"H100-SXM".to_string()));
    }

    #[test]
    fn migration_statements_take_no_parameter_but_now() {
        let conn = Connection::open_in_memory().unwrap();
        run_sql(
            &conn,
            "CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (:now);",
            42,
        )
        .unwrap();
        let a: i64 = conn.query_row("SELECT a FROM t", [], |r| r.get(0)).unwrap();
        assert_eq!(a, 42);
        assert!(run_sql(&conn, "INSERT INTO t VALUES (:then);", 42).is_err());
    }

    /// A store at schema `version`, as the gpuctl of that version left it.
    fn store_at_version(version: usize) -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        for migration in &MIGRATIONS[..version] {
            run_sql(&conn, text(migration), 0).unwrap();
        }
        conn.pragma_update(None, "user_version", version as i64)
            .unwrap();
        conn
    }

    /// How gpuctl rolled samples up before migration 12 (REAL averages, the hour in seconds,
    /// energy in mJ).
    const UNPACKED_ROLLUP: &str = "
        INSERT INTO samples_hourly (device_id, hour, n, gpu_util_avg, gpu_util_max,
             mem_util_avg, mem_util_max, mem_used_avg, mem_used_max, temp_avg, temp_max, power_avg,
             power_max, energy_mj)
        SELECT device_id, ts - ts % 3600, count(*), avg(gpu_util), max(gpu_util), avg(mem_util),
               max(mem_util), avg(mem_used_mib), max(mem_used_mib), avg(temp_c), max(temp_c),
               avg(power_mw), max(power_mw),
               CASE WHEN count(power_mw) > 1 THEN CAST(avg(power_mw)
                    * min(3600.0, (max(ts) - min(ts)) * count(*) / (count(*) - 1.0)) AS INTEGER) END
        FROM samples GROUP BY device_id, ts - ts % 3600";

    /// One rollup in raw units: n, gpu util avg/max, memory avg/max, temperature avg/max, power
    /// avg/max (mW), energy (mJ), seconds covered where energy is known.
    type Rollup = (
        i64,
        Option<f64>,
        Option<i64>,
        Option<f64>,
        Option<i64>,
        Option<f64>,
        Option<i64>,
        Option<f64>,
        Option<i64>,
        Option<f64>,
        Option<f64>,
    );

    fn rollups(conn: &Connection, sql: &str) -> Vec<((i64, i64), Rollup)> {
        let mut stmt = conn.prepare(sql).unwrap();
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    (r.get(0)?, r.get(1)?),
                    (
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                        r.get(7)?,
                        r.get(8)?,
                        r.get(9)?,
                        r.get(10)?,
                        r.get(11)?,
                        r.get(12)?,
                    ),
                ))
            })
            .unwrap();
        rows.map(|r| r.unwrap()).collect()
    }

    /// Samples whose hourly means are not round, hours cut short or irregular, a GPU without
    /// power, an hour with one power reading, a maximum of exactly x.5 W.
    fn awkward_samples(conn: &Connection) {
        conn.execute_batch(
            "INSERT INTO nodes (id, name, cluster, status, created_at, updated_at)
               VALUES (1, 'n', 'c', 'ready', 0, 0);
             INSERT INTO devices (id, uuid, node_id, idx, memory_total_mib, created_at, updated_at)
               VALUES (1, 'GPU-1', 1, 0, 81920, 0, 0), (300, 'GPU-300', 1, 1, 81920, 0, 0);
             WITH RECURSIVE m(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM m WHERE i < 59)
             INSERT INTO samples (device_id, ts, gpu_util, mem_util, mem_used_mib, temp_c, power_mw)
             SELECT 1, 36000 + 60 * i, (i * 7) % 101, i % 13, 40000 + 13 * i, 40 + i % 9,
                    250123 + 1117 * i FROM m
             UNION ALL SELECT 1, 39600 + 600 + 60 * i, 99 - i, 5, 70001, 80, 300500 - i * 3
               FROM m WHERE i < 20
             UNION ALL SELECT 300, 36000 + 60 * i, 100, NULL, 1234, NULL, NULL FROM m
             UNION ALL SELECT 300, 39600 + t, 3, 1, 17, 33, 66666 FROM
               (SELECT 0 AS t UNION ALL SELECT 50 UNION ALL SELECT 170 UNION ALL SELECT 1000
                UNION ALL SELECT 3590)
             UNION ALL SELECT 300, 43200 + t, 50, 1, 17, 33, p FROM
               (SELECT 0 AS t, 70000 AS p UNION ALL SELECT 70, 70005 UNION ALL SELECT 100, 69999)
             UNION ALL SELECT 300, 46800 + t, 1, 1, 17, 33, p FROM
               (SELECT 0 AS t, NULL AS p UNION ALL SELECT 60, 123456);",
        )
        .unwrap();
    }

    #[test]
    fn migrating_packs_old_rollups_without_losing_what_reports_and_trends_show() {
        use crate::store::metrics::{rollup_hours, HOURLY_VALUES};
        let mut conn = store_at_version(11);
        awkward_samples(&conn);
        conn.execute_batch(UNPACKED_ROLLUP).unwrap();
        let old = rollups(
            &conn,
            "SELECT device_id, hour, n, gpu_util_avg, gpu_util_max, mem_used_avg, mem_used_max,
                    temp_avg, temp_max, power_avg, power_max, energy_mj,
                    CASE WHEN power_avg > 0 THEN energy_mj / power_avg END
             FROM samples_hourly ORDER BY device_id, hour",
        );
        assert_eq!(old.len(), 6);
        migrate(&mut conn).unwrap();
        let decoded = format!(
            "SELECT device_id, hour, n, gpu_util_avg, gpu_util_max, mem_used_avg, mem_used_max,
                    temp_avg, temp_max, power_avg, power_max, energy_mj,
                    CASE WHEN energy_mj IS NOT NULL THEN covered_secs END
             FROM ({HOURLY_VALUES}) ORDER BY device_id, hour"
        );
        let migrated = rollups(&conn, &decoded);
        assert_eq!(migrated.len(), old.len());
        let near = |a: Option<f64>, b: Option<f64>, within: f64, what: &str| match (a, b) {
            (Some(a), Some(b)) => assert!((a - b).abs() <= within, "{what}: {a} vs {b}"),
            (a, b) => assert_eq!(a.is_some(), b.is_some(), "{what}"),
        };
        for ((key, was), (new_key, now)) in old.iter().zip(&migrated) {
            assert_eq!(key, new_key);
            let what = |metric: &str| format!("{metric} of device {} at {}", key.0, key.1);
            assert_eq!(was.0, now.0, "{}", what("n"));
            near(was.1, now.1, 0.005, &what("mean utilisation"));
            assert_eq!(was.2, now.2, "{}", what("peak utilisation"));
            near(was.3, now.3, 0.5, &what("mean memory"));
            assert_eq!(was.4, now.4, "{}", what("peak memory"));
            near(was.5, now.5, 0.005, &what("mean temperature"));
            assert_eq!(was.6, now.6, "{}", what("peak temperature"));
            near(was.7, now.7, 5.0, &what("mean power"));
            // The peak as trends print it, in whole watts.
            let printed = |mw: Option<i64>| mw.map(|mw| format!("{:.0}", mw as f64 / 1000.0));
            assert_eq!(printed(was.8), printed(now.8), "{}", what("peak power"));
            // Energy: mean power within 5 mW, covered seconds within half a second.
            let covered = was.10.unwrap_or(0.0);
            let power = was.7.unwrap_or(0.0);
            let slack = 5.0 * covered + power * 0.5 + 1.0;
            near(was.9, now.9, slack, &what("energy"));
            near(was.10, now.10, 0.5, &what("covered seconds"));
        }
        // The migration and today's rollup write the same rows from the same samples.
        let packed = "SELECT * FROM samples_hourly ORDER BY device_id, epoch_hour";
        let read_all = |conn: &Connection| -> Vec<Vec<Option<i64>>> {
            let mut stmt = conn.prepare(packed).unwrap();
            let rows = stmt
                .query_map([], |r| (0..8).map(|i| r.get(i)).collect())
                .unwrap();
            rows.map(|r| r.unwrap()).collect()
        };
        let converted = read_all(&conn);
        conn.execute("DELETE FROM samples_hourly", []).unwrap();
        rollup_hours(&conn, 0, 100 * 3_600).unwrap();
        assert_eq!(read_all(&conn), converted);
    }

    /// Run events as gpuctl wrote them before migration 13: `(at, kind, subject, value)`.
    fn old_events(conn: &Connection, events: &[(i64, &str, &str, &str)]) {
        for (at, kind, subject, value) in events {
            conn.execute(
                "INSERT INTO events (at, kind, subject, new_value) VALUES (?1, ?2, ?3, ?4)",
                rusqlite::params![at, kind, subject, value],
            )
            .unwrap();
        }
    }

    const ROUTINE: &str = "gpus=8 samples=8 alerts_fired=0 alerts_resolved=0";

    #[test]
    fn migrating_keeps_the_run_events_that_say_something_and_what_doctor_reads() {
        use crate::prometheus::{local_collect, LocalCollect};
        let mut conn = store_at_version(12);
        old_events(
            &conn,
            &[
                (100, "collect.run", "n1", &format!("source=nvml {ROUTINE}")),
                (160, "device.created", "GPU-9", ""),
                (160, "collect.run", "n1", &format!("source=nvml {ROUTINE}")),
                (
                    220,
                    "collect.run",
                    "n1",
                    "source=nvml gpus=8 samples=8 alerts_fired=1 alerts_resolved=0",
                ),
                (
                    280,
                    "collect.run",
                    "n2",
                    &format!("source=nvidia-smi {ROUTINE}"),
                ),
                (
                    340,
                    "collect.run",
                    "fleet (prom)",
                    &format!("source=fleet {ROUTINE}"),
                ),
                (
                    400,
                    "collect.run",
                    "n1",
                    "source=replay gpus=1 samples=9 alerts_fired=0 alerts_resolved=2",
                ),
                (
                    450,
                    "collect.run",
                    "n3",
                    &format!("source=replay {ROUTINE}"),
                ),
            ],
        );
        migrate(&mut conn).unwrap();
        let mut stmt = conn
            .prepare("SELECT at, kind FROM events ORDER BY at, kind")
            .unwrap();
        let kept: Vec<(i64, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        let run = |at: i64| (at, "collect.run".to_string());
        assert_eq!(
            kept,
            [
                run(160),
                (160, "device.created".to_string()),
                run(220),
                run(400),
                run(450)
            ]
        );
        assert_eq!(
            local_collect(&conn).unwrap(),
            Some(LocalCollect {
                node: "n2".into(),
                source: "nvidia-smi".into(),
                at: 280
            }),
            "the newest live run, though its event went"
        );
        let indexes: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'events_by_subject'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(indexes, 0);
    }

    #[test]
    fn migrating_leaves_a_known_local_collect_alone() {
        use crate::prometheus::{local_collect, record_local_collect, LocalCollect};
        let mut conn = store_at_version(12);
        let known = LocalCollect {
            node: "gpu-7".into(),
            source: "nvml".into(),
            at: 50,
        };
        record_local_collect(&conn, &known).unwrap();
        old_events(
            &conn,
            &[(100, "collect.run", "n1", &format!("source=nvml {ROUTINE}"))],
        );
        migrate(&mut conn).unwrap();
        assert_eq!(local_collect(&conn).unwrap(), Some(known));
        // A store where no live collect ever ran gets no settings either.
        let mut conn = store_at_version(12);
        old_events(
            &conn,
            &[(100, "collect.run", "f", &format!("source=fleet {ROUTINE}"))],
        );
        migrate(&mut conn).unwrap();
        assert_eq!(local_collect(&conn).unwrap(), None);
    }

    #[test]
    fn migrating_marks_the_store_and_identify_tells_ours_from_theirs() {
        let mut conn = Connection::open_in_memory().unwrap();
        assert_eq!(identify(&conn).unwrap(), Identity::Empty);
        migrate(&mut conn).unwrap();
        assert_eq!(identify(&conn).unwrap(), Identity::Marked);
        // An older gpuctl's store: unmarked, adopted by the next migrate.
        conn.pragma_update(None, "application_id", 0).unwrap();
        assert_eq!(identify(&conn).unwrap(), Identity::Unmarked);
        migrate(&mut conn).unwrap();
        assert_eq!(identify(&conn).unwrap(), Identity::Marked);
        let theirs = Connection::open_in_memory().unwrap();
        theirs.execute_batch("CREATE TABLE t (a);").unwrap();
        assert!(matches!(identify(&theirs).unwrap(), Identity::Foreign(_)));
    }
}
