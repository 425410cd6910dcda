//! What the benchmarks share: running a whole `gpuctl` process and measuring it.

// Each benchmark includes this module and uses part of it.
#![allow(dead_code)]

use std::process::Command;
use std::time::{Duration, Instant};

/// One finished process: its CPU time, wall time, peak RSS (KiB) and exit status.
pub struct Measured {
    pub cpu: Duration,
    pub wall: Duration,
    pub peak_rss_kib: i64,
    pub success: bool,
}

/// Runs `command` to its end, measured with wait4 (the kernel's own accounting).
pub fn run_measured(command: &mut Command) -> Measured {
    measure(command, false)
}

/// [`run_measured`] for a benchmark that itself holds much memory.
///
/// Linux counts a child's peak RSS from its parent's at the fork (exec keeps the old map's high
/// water mark), so a benchmark holding 100 MB would see every child at 100 MB or more. Where
/// GNU time is installed the command runs under it: time is small, and it reports the peak
/// of its own child, which is then the command's. The CPU time then includes time's own
/// (about a millisecond).
pub fn run_measured_apart(command: &mut Command) -> Measured {
    measure(command, true)
}

fn measure(command: &mut Command, apart: bool) -> Measured {
    let gnu_time = std::path::Path::new("/usr/bin/time");
    let peak_file = tempfile::NamedTempFile::new().expect("a temp file for time's report");
    let mut wrapped = Command::new(gnu_time);
    let command = if apart && gnu_time.is_file() {
        wrapped
            .args(["-f", "%M", "-o"])
            .arg(peak_file.path())
            .arg(command.get_program())
            .args(command.get_args());
        for (key, value) in command.get_envs() {
            match value {
                Some(value) => wrapped.env(key, value),
                None => wrapped.env_remove(key),
            };
        }
        if let Some(dir) = command.get_current_dir() {
            wrapped.current_dir(dir);
        }
        &mut wrapped
    } else {
        command
    };
    let start = Instant::now();
    let mut child = command.spawn().expect("spawn the benchmarked command");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our own child, not yet reaped; status and usage outlive the call.
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    assert_eq!(reaped, pid, "wait4 failed");
    // The child is reaped; keep std from waiting on it again.
    std::mem::forget(child.stdin.take());
    std::mem::forget(child);
    let tv = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    let peak_rss_kib = std::fs::read_to_string(peak_file.path())
        .ok()
        .and_then(|text| text.lines().last().and_then(|l| l.trim().parse().ok()))
        .unwrap_or(usage.ru_maxrss);
    Measured {
        cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
        wall,
        peak_rss_kib,
        success: libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
    }
}

/// The `samples` table as the store has it, with the store's pragmas: what the bare insert
/// loops write into.
pub const BARE_SAMPLES_SCHEMA: &str = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;
    CREATE TABLE samples (device_id INTEGER NOT NULL, ts INTEGER NOT NULL, gpu_util INTEGER,
      mem_util INTEGER, mem_used_mib INTEGER, temp_c INTEGER, power_mw INTEGER, fan_pct INTEGER,
      ecc_uncorrected INTEGER, PRIMARY KEY (device_id, ts)) WITHOUT ROWID;";

/// `rows` samples, `per_gpu` a GPU at one a minute from `start`, GPU after GPU, inserted into
/// `conn` (holding [`BARE_SAMPLES_SCHEMA`]) by the plainest loop rusqlite allows, in one
/// transaction: what gpuctl's writers are measured against.
pub fn bare_insert_loop(conn: &rusqlite::Connection, rows: i64, per_gpu: i64, start: i64) {
    conn.execute_batch("BEGIN").expect("begin");
    {
        let mut stmt = conn
            .prepare("INSERT INTO samples VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")
            .expect("prepare");
        for i in 0..rows {
            let (device, minute) = (1 + i / per_gpu, i % per_gpu);
            stmt.execute(rusqlite::params![
                device,
                start + minute * 60,
                i % 100,
                i % 60,
                40_000 + i % 1_000,
                40 + i % 40,
                300_000 + i % 1_000,
                Option::<i64>::None,
                0
            ])
            .expect("insert");
        }
    }
    conn.execute_batch("COMMIT").expect("commit");
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1_000.0
}
