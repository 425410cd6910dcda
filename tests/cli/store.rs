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
    // A command that opens (and so migrates) the store and writes nothing of its own: optimize,
    // which init_store runs, records its run.
    env.ok(&["node", "list"]);
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

/// Every file in `dir` with its bytes, sorted by name.
fn files_in(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let bytes = if e.file_type().unwrap().is_file() {
                std::fs::read(e.path()).unwrap()
            } else {
                Vec::new()
            };
            (e.file_name().to_string_lossy().into_owned(), bytes)
        })
        .collect();
    files.sort();
    files
}

#[test]
fn a_store_path_that_is_not_a_regular_file_is_refused_up_front() {
    let env = Env::new();
    let fifo = env.dir().join("fifo");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    let directory = env.dir().join("a-directory");
    std::fs::create_dir(&directory).unwrap();
    let before = files_in(env.dir());
    let side_files = ["/dev/null-journal", "/dev/full-journal", "/dev/null-wal"];
    let existed: Vec<bool> = side_files
        .iter()
        .map(|f| std::path::Path::new(f).exists())
        .collect();
    for (path, what) in [
        ("/dev/null", "a character device"),
        ("/dev/full", "a character device"),
        (fifo.to_str().unwrap(), "a FIFO"),
        (directory.to_str().unwrap(), "a directory"),
    ] {
        // A read and a write alike; a FIFO would block a plain open, so this also proves the
        // refusal comes before SQLite opens anything.
        for args in [
            &["--db", path, "node", "list"][..],
            &["--db", path, "node", "add", "n1", "--cluster", "c"][..],
        ] {
            let stderr = env.fails(args, 5);
            assert_eq!(
                error_line(&stderr),
                format!("store path {path} is not a regular file ({what})"),
                "{args:?}"
            );
        }
    }
    assert_eq!(
        files_in(env.dir()),
        before,
        "no -journal or -wal beside them"
    );
    for (file, existed) in side_files.iter().zip(existed) {
        assert!(
            existed || !std::path::Path::new(file).exists(),
            "{file} was created"
        );
    }
}

#[test]
fn a_dangling_symlink_at_the_store_path_is_refused_and_nothing_is_created_at_its_target() {
    let env = Env::new();
    let target = env.dir().join("elsewhere.db");
    let link = env.dir().join("link.db");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let link_text = link.to_str().unwrap();
    for args in [
        &["--db", link_text, "node", "add", "n1", "--cluster", "c"][..],
        &["--db", link_text, "node", "list"][..],
    ] {
        let stderr = env.fails(args, 5);
        assert_eq!(
            error_line(&stderr),
            format!(
                "store path {link_text} is a dangling symbolic link (to {})",
                target.display()
            ),
            "{args:?}"
        );
        assert!(stderr.contains("hint: "), "{stderr}");
    }
    assert!(!target.exists(), "nothing was created through the link");
    // A link to a store that exists is followed: the store is the file it points at.
    env.ok(&[
        "--db",
        target.to_str().unwrap(),
        "node",
        "add",
        "n1",
        "--cluster",
        "c",
        "-q",
    ]);
    let nodes = env.json(&["--db", link_text, "node", "list"]);
    assert_eq!(nodes[0]["name"], "n1");
    let mode = std::fs::metadata(&target).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}

fn application_id(path: &std::path::Path) -> i32 {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row("PRAGMA application_id", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_new_store_carries_gpuctls_application_id() {
    let env = Env::new();
    env.init_store();
    assert_eq!(
        application_id(env.db()),
        gpuctl::store::migrations::APPLICATION_ID
    );
    assert_eq!(gpuctl::store::migrations::APPLICATION_ID, 0x4750_5563);
    assert_eq!(
        &gpuctl::store::migrations::APPLICATION_ID.to_be_bytes(),
        b"GPUc"
    );
}

#[test]
fn another_programs_database_is_refused_byte_identical() {
    let env = Env::new();
    let dir = env.dir().join("theirs");
    std::fs::create_dir(&dir).unwrap();
    // user_version 0 with tables of its own, one named like gpuctl's; then one that another
    // program marked with its own application_id; then one with a version but not our tables.
    let cases: [(&str, &str, String); 3] = [
        (
            "app.db",
            "CREATE TABLE nodes (x); CREATE TABLE t (a); INSERT INTO t VALUES (1);",
            "it already holds 2 schema object(s) and no gpuctl mark".to_string(),
        ),
        (
            "marked.db",
            "PRAGMA application_id = 1234; CREATE TABLE t (a);",
            format!(
                "its SQLite application_id is 0x000004d2, not gpuctl's {:#010x}",
                gpuctl::store::migrations::APPLICATION_ID
            ),
        ),
        (
            "versioned.db",
            "PRAGMA user_version = 3; CREATE TABLE t (a);",
            "it has schema version 3 but not gpuctl's tables".to_string(),
        ),
    ];
    for (name, sql, _) in &cases {
        let conn = rusqlite::Connection::open(dir.join(name)).unwrap();
        conn.execute_batch(sql).unwrap();
    }
    let before = files_in(&dir);
    for (name, _, why) in &cases {
        let path = dir.join(name);
        let path_text = path.to_str().unwrap();
        for args in [
            &["--db", path_text, "node", "list"][..],
            &["--db", path_text, "node", "add", "n1", "--cluster", "c"][..],
            &["--db", path_text, "db", "backup", "/nonexistent/b.db"][..],
        ] {
            let stderr = env.fails(args, 5);
            assert_eq!(
                error_line(&stderr),
                format!("{path_text} is not a gpuctl store: {why}"),
                "{args:?}"
            );
            assert!(stderr.lines().count() <= 2, "no schema dump: {stderr}");
        }
    }
    assert_eq!(
        files_in(&dir),
        before,
        "byte-identical, no -wal or -journal"
    );
}

#[test]
fn a_store_from_a_gpuctl_before_the_mark_is_adopted() {
    let env = Env::new();
    env.ok(&["node", "add", "n1", "--cluster", "c", "-q"]);
    // What an older gpuctl left: the schema, the data, no application_id.
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.pragma_update(None, "application_id", 0).unwrap();
    drop(conn);
    let before = env.store_snapshot();
    let nodes = env.json(&["node", "list"]);
    assert_eq!(nodes[0]["name"], "n1");
    assert_eq!(
        application_id(env.db()),
        gpuctl::store::migrations::APPLICATION_ID
    );
    assert_eq!(env.store_snapshot(), before, "only the header changed");
    // One an older gpuctl left at an older schema version is migrated and marked too.
    let old = env.dir().join("old.db");
    let conn = rusqlite::Connection::open(&old).unwrap();
    let gpuctl::store::migrations::Step::Sql(first) = gpuctl::store::migrations::MIGRATIONS[0].step;
    conn.execute_batch(first).unwrap();
    conn.pragma_update(None, "user_version", 1).unwrap();
    drop(conn);
    env.ok(&[
        "--db",
        old.to_str().unwrap(),
        "node",
        "add",
        "n2",
        "--cluster",
        "c",
        "-q",
    ]);
    assert_eq!(
        application_id(&old),
        gpuctl::store::migrations::APPLICATION_ID
    );
}

#[test]
fn a_full_disk_is_reported_as_such_and_loses_nothing() {
    let env = Env::new();
    let Some(disk) = crate::harness::TinyDisk::mount(&env, "tiny", "2m") else {
        return;
    };
    let db = disk.path().join("gpuctl.db");
    let db_text = db.to_str().unwrap();
    env.ok(&["--db", db_text, "node", "add", "n1", "--cluster", "c", "-q"]);
    let filler = disk.fill();
    let mut failed = None;
    // Each write needs new pages sooner or later; the first that finds none is refused whole.
    for n in 2..200 {
        let name = format!("node-{n}");
        let output = env
            .cmd(&[
                "--db",
                db_text,
                "node",
                "add",
                &name,
                "--cluster",
                "c",
                "--role",
                &"x".repeat(2000),
            ])
            .output()
            .unwrap();
        if !output.status.success() {
            failed = Some((n, output));
            break;
        }
    }
    let (n, output) = failed.expect("a full disk refuses a write");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(5), "{stderr}");
    assert_eq!(
        error_line(&stderr),
        "disk full: no space left on the device"
    );
    assert!(stderr.contains("hint: "), "{stderr}");
    // Everything committed before is there, the refused node is not.
    std::fs::remove_file(&filler).unwrap();
    let nodes = env.json(&["--db", db_text, "node", "list"]);
    assert_eq!(nodes.as_array().unwrap().len(), n - 1, "{nodes}");
    let integrity: String = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    env.ok(&[
        "--db",
        db_text,
        "node",
        "add",
        &format!("node-{n}"),
        "--cluster",
        "c",
        "-q",
    ]);
}
