//! Names the shell completes (`gpuctl node show <TAB>`): read from the store opened read-only,
//! so that a completion never creates, migrates or locks one, and never fails out loud.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

/// How long a completion waits on a store a writer holds: a shell must not hang on <TAB>.
const COMPLETION_BUSY_TIMEOUT: Duration = Duration::from_millis(200);

/// What kind of name is being completed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    /// Node names; `CLUSTER/NAME` once the prefix has a `/`.
    Node,
    Cluster,
    GpuUuid,
    /// Model names and aliases that a shell word can hold as typed (no spaces).
    Model,
    AlertRule,
    AlertReceiver,
}

/// The names of `kind` in the store at `path` that start with `prefix`, sorted and distinct;
/// none when there is no store or it cannot be read.
pub fn names_with_prefix(path: &Path, kind: NameKind, prefix: &str) -> Vec<String> {
    read_names(path, kind, prefix).unwrap_or_default()
}

fn read_names(path: &Path, kind: NameKind, prefix: &str) -> rusqlite::Result<Vec<String>> {
    // Read-only: a missing file is an error here, not a new empty store.
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(COMPLETION_BUSY_TIMEOUT)?;
    let sql = match kind {
        NameKind::Node if prefix.contains('/') => {
            "SELECT DISTINCT cluster || '/' || name AS qualified FROM nodes
             WHERE substr(qualified, 1, length(?1)) = ?1 ORDER BY qualified"
        }
        NameKind::Node => {
            "SELECT DISTINCT name FROM nodes WHERE substr(name, 1, length(?1)) = ?1 ORDER BY name"
        }
        NameKind::Cluster => {
            "SELECT DISTINCT cluster FROM nodes WHERE substr(cluster, 1, length(?1)) = ?1
             ORDER BY cluster"
        }
        NameKind::GpuUuid => {
            "SELECT uuid FROM devices WHERE substr(uuid, 1, length(?1)) = ?1 ORDER BY uuid"
        }
        NameKind::Model => {
            "SELECT name FROM (SELECT name FROM gpu_models UNION SELECT alias FROM gpu_model_aliases)
             WHERE substr(name, 1, length(?1)) = ?1 AND instr(name, ' ') = 0 ORDER BY name"
        }
        NameKind::AlertRule => {
            "SELECT name FROM alert_rules WHERE substr(name, 1, length(?1)) = ?1 ORDER BY name"
        }
        NameKind::AlertReceiver => {
            "SELECT name FROM alert_receivers WHERE substr(name, 1, length(?1)) = ?1 ORDER BY name"
        }
    };
    let mut statement = conn.prepare(sql)?;
    let names = statement.query_map([prefix], |row| row.get(0))?;
    names.collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Store, DEFAULT_BUSY_TIMEOUT};

    #[test]
    fn names_come_from_the_store_by_prefix_and_none_from_a_missing_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gpuctl.db");
        let store = Store::open(&path, DEFAULT_BUSY_TIMEOUT).unwrap();
        store
            .conn()
            .execute_batch(
                "INSERT INTO nodes (name, cluster, status, created_at, updated_at) VALUES
                   ('gpu-01', 'east', 'ready', 0, 0), ('gpu-01', 'west', 'ready', 0, 0),
                   ('gpu-02', 'east', 'ready', 0, 0), ('cpu-01', 'west', 'ready', 0, 0);",
            )
            .unwrap();
        assert_eq!(
            names_with_prefix(&path, NameKind::Node, "gpu"),
            ["gpu-01", "gpu-02"]
        );
        assert_eq!(
            names_with_prefix(&path, NameKind::Node, "west/"),
            ["west/cpu-01", "west/gpu-01"]
        );
        assert_eq!(
            names_with_prefix(&path, NameKind::Cluster, ""),
            ["east", "west"]
        );
        assert!(names_with_prefix(&path, NameKind::GpuUuid, "").is_empty());
        store
            .conn()
            .execute_batch(
                "INSERT INTO gpu_models (id, name, memory_mib, created_at, updated_at)
                     VALUES (900, 'Zeta GPU 80GB', 81920, 0, 0);
                 INSERT INTO gpu_model_aliases (alias, model_id) VALUES ('ZGPU-80GB', 900), ('Z GPU', 900);",
            )
            .unwrap();
        // A name with a space is left out: the shell would split it.
        assert_eq!(
            names_with_prefix(&path, NameKind::Model, "Z"),
            ["ZGPU-80GB"]
        );
        assert!(
            names_with_prefix(&path, NameKind::AlertRule, "gpu-temperature")
                .contains(&"gpu-temperature-high".to_string())
        );
        // A prefix is matched as text, never as a pattern.
        assert!(names_with_prefix(&path, NameKind::Node, "gpu%").is_empty());

        let missing = dir.path().join("none.db");
        assert!(names_with_prefix(&missing, NameKind::Node, "").is_empty());
        assert!(!missing.exists(), "completion creates no store");
    }
}
