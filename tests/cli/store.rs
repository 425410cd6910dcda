//! The store: creation, permissions, migrations, refusal of newer schemas.

use std::os::unix::fs::PermissionsExt;

use crate::harness::{error_line, Env};

#[test]
fn store_is_created_private_by_the_first_command_that_writes() {
    let env = Env::new();
    env.ok(&["node", "add", "n1", "--cluster", "c", "-q"]);
    let dir_mode = std::fs::metadata(env.db().parent().unwrap())
        .unwrap()
        .permissions()
        .mode();
    let file_mode = std::fs::metadata(env.db()).unwrap().permissions().mode();
    assert_eq!(dir_mode & 0o777, 0o700);
    assert_eq!(file_mode & 0o777, 0o600);
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn migrating_twice_is_a_no_op() {
    let env = Env::new();
    env.ok(&["node", "add", "n1", "--cluster", "c"]);
    let version = |env: &Env| -> i64 {
        let conn = rusqlite::Connection::open(env.db()).unwrap();
        conn.query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap()
    };
    let first = version(&env);
    assert_eq!(first, gpuctl::store::migrations::latest_version());
    let before = env.store_snapshot();
    // Every command opens and migrates; a second migration must change nothing.
    let mut conn = rusqlite::Connection::open(env.db()).unwrap();
    gpuctl::store::migrations::migrate(&mut conn).unwrap();
    drop(conn);
    env.init_store();
    assert_eq!(version(&env), first);
    assert_eq!(env.store_snapshot(), before);
}

#[test]
fn store_from_a_newer_gpuctl_is_refused_with_exit_5() {
    let env = Env::new();
    env.ok(&["node", "add", "n1", "--cluster", "c"]);
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let newer = gpuctl::store::migrations::latest_version() + 1;
    conn.pragma_update(None, "user_version", newer).unwrap();
    drop(conn);
    let stderr = env.fails(&["node", "list"], 5);
    assert!(
        error_line(&stderr).contains(&format!("store schema version {newer} is newer")),
        "{stderr}"
    );
}

#[test]
fn store_with_an_impossible_schema_version_is_refused_untouched() {
    let env = Env::new();
    let dir = env.db().parent().unwrap();
    std::fs::create_dir_all(dir).unwrap();
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.pragma_update(None, "user_version", -1).unwrap();
    drop(conn);
    let files = |dir: &std::path::Path| -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        files.sort();
        files
    };
    let before = files(dir);
    // A read and a write alike: both refuse before touching the file.
    for args in [
        &["node", "list"][..],
        &["node", "add", "n1", "--cluster", "c"][..],
    ] {
        let stderr = env.fails(args, 5);
        assert!(
            error_line(&stderr).contains("store schema version -1 is impossible"),
            "{stderr}"
        );
        assert!(stderr.contains("hint: "), "{stderr}");
        assert_eq!(files(dir), before, "nothing written by {args:?}");
    }
}

#[test]
fn a_file_that_is_not_a_store_exits_5() {
    let env = Env::new();
    std::fs::create_dir_all(env.db().parent().unwrap()).unwrap();
    std::fs::write(env.db(), b"this is not a SQLite database, not at all, no").unwrap();
    let stderr = env.fails(&["node", "list"], 5);
    assert!(
        stderr.contains("not a database") || stderr.contains("corrupt"),
        "{stderr}"
    );
}

#[test]
fn db_flag_overrides_the_environment() {
    let env = Env::new();
    let other = env.dir().join("other.db");
    let other_path = other.to_str().unwrap();
    env.ok(&["--db", other_path, "node", "add", "n1", "--cluster", "c"]);
    assert!(other.exists());
    assert!(!env.db().exists());
    // Global options are accepted after the subcommand too.
    let nodes = env.json(&["node", "list", "--db", other_path]);
    assert_eq!(nodes.as_array().unwrap().len(), 1);
}

#[test]
fn default_store_lives_under_xdg_data_home() {
    let env = Env::new();
    let mut cmd = env.cmd(&["node", "add", "n1", "--cluster", "c"]);
    cmd.env_remove("GPUCTL_DB");
    cmd.assert().success();
    assert!(env.dir().join("xdg/gpuctl/gpuctl.db").exists());
}

#[test]
fn a_read_on_a_missing_store_exits_5_and_creates_nothing() {
    let env = Env::new();
    for args in [
        vec!["node", "list"],
        vec!["alert", "list"],
        vec!["dashboard", "stats"],
        vec!["model", "list"],
        vec!["report", "idle"],
    ] {
        let stderr = env.fails(&args, 5);
        assert_eq!(
            error_line(&stderr),
            format!("no store at {}", env.db().display()),
            "{args:?}"
        );
        assert!(stderr.contains("hint: "), "{stderr}");
    }
    assert!(!env.db().exists(), "nothing was created");
    assert!(
        !env.db().parent().unwrap().exists(),
        "not even its directory"
    );
    let typo = env.dir().join("no/such/dir/x.db");
    env.fails(&["--db", typo.to_str().unwrap(), "alert", "list"], 5);
    assert!(!env.dir().join("no").exists());
}
