//! What the benchmarks share: running a whole `gpuctl` process and measuring it.

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
    Measured {
        cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
        wall,
        peak_rss_kib: usage.ru_maxrss,
        success: libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
    }
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1_000.0
}
