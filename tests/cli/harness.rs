//! A small harness: each test gets a temp dir, a clean environment and a fixed clock.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command as Process;
use std::sync::OnceLock;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

/// The clock every test starts at (a Sunday, 10:00 UTC).
pub const NOW: &str = "2026-11-29T10:00:00Z";

pub struct Env {
    dir: TempDir,
    db: PathBuf,
    now: String,
}

impl Env {
    pub fn new() -> Env {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("store").join("gpuctl.db");
        Env {
            dir,
            db,
            now: NOW.to_string(),
        }
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn db(&self) -> &Path {
        &self.db
    }

    /// Moves the fixed clock.
    pub fn set_now(&mut self, now: &str) {
        self.now = now.to_string();
    }

    /// `gpuctl ARGS` with a clean environment: HOME in the temp dir, the temp store, the clock.
    pub fn cmd(&self, args: &[&str]) -> Command {
        Command::from_std(self.process(args))
    }

    /// The same as a plain std Command, for spawning several at once.
    pub fn process(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = std::process::Command::new(gpuctl_binary());
        self.set_env(&mut cmd);
        cmd.args(args);
        cmd
    }

    /// A shell running `script` with this environment, and `$GPUCTL` naming the binary.
    pub fn shell(&self, script: &str) -> std::process::Command {
        let mut cmd = std::process::Command::new("bash");
        self.set_env(&mut cmd);
        cmd.env("GPUCTL", gpuctl_binary()).arg("-c").arg(script);
        cmd
    }

    fn set_env(&self, cmd: &mut std::process::Command) {
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("XDG_DATA_HOME", self.dir.path().join("xdg"))
            .env("GPUCTL_DB", &self.db)
            .env("GPUCTL_NOW", &self.now)
            .env("NO_COLOR", "1")
            .env("COLUMNS", "200")
            .env("USER", "tester");
    }

    /// Runs and asserts success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let output = self.cmd(args).output().expect("run gpuctl");
        assert!(
            output.status.success(),
            "gpuctl {args:?} failed with {:?}\nstdout: {}\nstderr: {}",
            output.status.code(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("utf-8 stdout")
    }

    /// Runs with `-o json`, asserts success, and parses stdout.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.extend(["-o", "json"]);
        let stdout = self.ok(&all);
        serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("gpuctl {args:?}: stdout is not JSON ({e}):\n{stdout}"))
    }

    /// Runs with `-o json`, asserts the exit code, and parses stdout: for checks such as
    /// `node drift`, which print their findings and exit 1.
    pub fn json_with_exit(&self, args: &[&str], code: i32) -> Value {
        let mut all = args.to_vec();
        all.extend(["-o", "json"]);
        let output = self.cmd(&all).output().expect("run gpuctl");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(
            output.status.code(),
            Some(code),
            "gpuctl {args:?}: wrong exit code\nstdout: {stdout}\nstderr: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("gpuctl {args:?}: stdout is not JSON ({e}):\n{stdout}"))
    }

    /// Runs, asserts the exit code, and returns stderr; checks that stdout stayed empty.
    pub fn fails(&self, args: &[&str], code: i32) -> String {
        let output = self.cmd(args).output().expect("run gpuctl");
        let stderr = String::from_utf8(output.stderr).expect("utf-8 stderr");
        assert_eq!(
            output.status.code(),
            Some(code),
            "gpuctl {args:?}: wrong exit code\nstdout: {}\nstderr: {stderr}",
            String::from_utf8_lossy(&output.stdout)
        );
        assert!(
            stderr.starts_with("gpuctl: error: "),
            "errors start with 'gpuctl: error: ': {stderr}"
        );
        stderr
    }

    /// Every row of the store's tables, to prove a failed command changed nothing.
    pub fn store_snapshot(&self) -> Vec<String> {
        let conn = rusqlite::Connection::open(&self.db).expect("open store");
        let tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .expect("list tables");
        let mut rows = Vec::new();
        for table in tables {
            let mut stmt = conn
                .prepare(&format!("SELECT * FROM {table}"))
                .expect("select");
            let columns = stmt.column_count();
            let mut query = stmt.query([]).expect("query");
            while let Some(row) = query.next().expect("row") {
                let values: Vec<String> = (0..columns)
                    .map(|i| format!("{:?}", row.get_ref(i).expect("value")))
                    .collect();
                rows.push(format!("{table}: {}", values.join(", ")));
            }
        }
        rows
    }
}

pub fn gpuctl_binary() -> PathBuf {
    assert_cmd::cargo::cargo_bin("gpuctl")
}

/// The first line of stderr after `gpuctl: error: `.
pub fn error_line(stderr: &str) -> &str {
    stderr
        .lines()
        .next()
        .unwrap_or_default()
        .trim_start_matches("gpuctl: error: ")
}

/// A file under tests/fixtures.
pub fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(relative)
}

/// Builds the fake-nvml cdylib once and returns its path, as cargo reports it.
pub fn fake_nvml_library() -> &'static Path {
    static LIBRARY: OnceLock<PathBuf> = OnceLock::new();
    LIBRARY.get_or_init(|| {
        let cargo = option_env!("CARGO").unwrap_or("cargo");
        let output = Process::new(cargo)
            .args([
                "build",
                "--quiet",
                "-p",
                "fake-nvml",
                "--message-format=json",
            ])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("run cargo build -p fake-nvml");
        assert!(
            output.status.success(),
            "building fake-nvml failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "fake_nvml")
            .flat_map(|m| m["filenames"].as_array().cloned().unwrap_or_default())
            .filter_map(|f| f.as_str().map(PathBuf::from))
            .find(|f| f.extension() == Some(OsStr::new("so")))
            .expect("cargo names the fake-nvml shared library")
    })
}

impl Env {
    /// Creates the store (with its built-in catalogue and rules) by a command that writes:
    /// reads alone never create one.
    pub fn init_store(&self) {
        self.ok(&["optimize", "-q"]);
    }

    /// Adds a node (ready, cluster `c` unless it exists) and a GPU on it.
    pub fn add_gpu(&self, node: &str, uuid: &str, index: u32, model: &str) {
        if self
            .cmd(&["node", "show", node])
            .output()
            .map(|o| !o.status.success())
            .unwrap_or(true)
        {
            self.ok(&["node", "add", node, "--cluster", "c"]);
        }
        self.ok(&[
            "device",
            "add",
            uuid,
            "--node",
            node,
            "--index",
            &index.to_string(),
            "--model",
            model,
        ]);
    }
}

/// A small tmpfs mounted at `<temp dir>/<name>`, unmounted when dropped: how a test runs gpuctl
/// against a full disk. Mounting needs root (CAP_SYS_ADMIN); without it [`TinyDisk::mount`]
/// prints why and returns None, and the test skips the part that needs it.
pub struct TinyDisk {
    path: PathBuf,
}

impl TinyDisk {
    pub fn mount(env: &Env, name: &str, size: &str) -> Option<TinyDisk> {
        let path = env.dir().join(name);
        std::fs::create_dir_all(&path).expect("mount point");
        let output = Process::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0700"),
                "tmpfs",
            ])
            .arg(&path)
            .output();
        match output {
            Ok(output) if output.status.success() => Some(TinyDisk { path }),
            Ok(output) => {
                eprintln!(
                    "skipping the full-disk part: cannot mount a tmpfs ({})",
                    String::from_utf8_lossy(&output.stderr).trim()
                );
                None
            }
            Err(e) => {
                eprintln!("skipping the full-disk part: cannot run mount ({e})");
                None
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Changes the size, e.g. to give a full disk room again.
    pub fn resize(&self, size: &str) {
        let status = Process::new("mount")
            .args(["-o", &format!("remount,size={size}")])
            .arg(&self.path)
            .status()
            .expect("run mount");
        assert!(status.success(), "remount {}", self.path.display());
    }

    /// Fills what is left with one file, which it returns.
    pub fn fill(&self) -> PathBuf {
        use std::io::Write;
        let filler = self.path.join("filler");
        let mut file = std::fs::File::create(&filler).expect("filler");
        let block = vec![0u8; 4096];
        while file.write_all(&block).is_ok() {}
        let _ = file.sync_all();
        filler
    }
}

impl Drop for TinyDisk {
    fn drop(&mut self) {
        let _ = Process::new("umount").arg(&self.path).status();
    }
}
