//! Child processes (nvidia-smi, kubectl) run with a deadline: one that hangs is killed with
//! everything it started, and reaped, and its output is bounded, so no command waits for ever
//! on a wedged driver or an unreachable API server.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How often a running child is checked on.
const POLL_INTERVAL: Duration = Duration::from_millis(10);
/// The part of stderr kept for messages; the rest is read and dropped so the child never
/// blocks on a full pipe.
const STDERR_KEPT: usize = 64 * 1024;

/// What a child that finished in time printed, and how it ended.
#[derive(Debug)]
pub(crate) struct Finished {
    pub(crate) status: ExitStatus,
    pub(crate) stdout: Vec<u8>,
    pub(crate) stderr: Vec<u8>,
}

/// Why a child gave no usable result.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ChildError {
    /// It could not be started (`NotFound` when the program does not exist).
    #[error("{0}")]
    Spawn(std::io::Error),
    /// It was still running (or something it started still held its output) at the deadline,
    /// and was killed.
    #[error("did not finish within {}; killed it", crate::clock::format_duration(.0.as_secs() as i64))]
    TimedOut(Duration),
    /// It printed more than the limit on stdout, and was killed.
    #[error("printed more than {} MiB; killed it", .0 / (1024 * 1024))]
    TooMuchOutput(usize),
    /// Waiting for it failed.
    #[error("{0}")]
    Wait(std::io::Error),
}

/// Runs `command` (stdin empty, stdout and stderr captured) until it exits, for at most
/// `timeout`, keeping at most `max_stdout` bytes of what it prints on stdout.
pub(crate) fn run(
    command: &mut Command,
    timeout: Duration,
    max_stdout: usize,
) -> Result<Finished, ChildError> {
    // Its own process group, so that a timeout also kills what it started (a wrapper script's
    // `sleep`, a kubectl credential plugin), and their copies of the pipes close.
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let deadline = Instant::now() + timeout;
    let mut child = command.spawn().map_err(ChildError::Spawn)?;
    let overflow = Arc::new(AtomicBool::new(false));
    let stdout = child
        .stdout
        .take()
        .map(|pipe| read_bounded(pipe, max_stdout, Some(Arc::clone(&overflow))));
    let stderr = child
        .stderr
        .take()
        .map(|pipe| read_bounded(pipe, STDERR_KEPT, None));
    let mut status = None;
    loop {
        if status.is_none() {
            status = child.try_wait().map_err(ChildError::Wait)?;
        }
        let readers_done = [&stdout, &stderr]
            .iter()
            .all(|r| r.as_ref().is_none_or(JoinHandle::is_finished));
        if overflow.load(Ordering::Relaxed) {
            kill_group(&mut child, status.is_some());
            return Err(ChildError::TooMuchOutput(max_stdout));
        }
        if let (Some(status), true) = (status, readers_done) {
            return Ok(Finished {
                status,
                stdout: joined(stdout),
                stderr: joined(stderr),
            });
        }
        let now = Instant::now();
        if now >= deadline {
            kill_group(&mut child, status.is_some());
            return Err(ChildError::TimedOut(timeout));
        }
        std::thread::sleep(POLL_INTERVAL.min(deadline - now));
    }
}

/// Reads `pipe` to its end on a thread, keeping the first `keep` bytes. With `overflow`, more
/// than `keep` bytes raise it and the reading stops; without, the rest is drained and dropped.
fn read_bounded(
    mut pipe: impl Read + Send + 'static,
    keep: usize,
    overflow: Option<Arc<AtomicBool>>,
) -> JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut buffer = [0u8; 64 * 1024];
        loop {
            let n = match pipe.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            };
            let room = keep.saturating_sub(kept.len());
            kept.extend_from_slice(&buffer[..n.min(room)]);
            if n > room {
                if let Some(flag) = &overflow {
                    flag.store(true, Ordering::Relaxed);
                    break;
                }
            }
        }
        kept
    })
}

fn joined(reader: Option<JoinHandle<Vec<u8>>>) -> Vec<u8> {
    reader
        .and_then(|handle| handle.join().ok())
        .unwrap_or_default()
}

/// SIGKILL to the child's process group, then reaps the child if it was not reaped yet. The
/// readers are left to end when the pipes close.
fn kill_group(child: &mut Child, reaped: bool) {
    match i32::try_from(child.id()) {
        // SAFETY: kill(2) takes plain integers and touches no memory of ours. The group id is
        // the child's pid, which cannot be reused while the child is unreaped; once it was
        // reaped, the group still exists only while a process it started holds the pipes.
        Ok(pid) if pid > 0 => unsafe {
            libc::kill(-pid, libc::SIGKILL);
        },
        _ => {}
    }
    if !reaped {
        let _ = child.kill();
        let _ = child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Command {
        let mut command = Command::new("sh");
        command.arg("-c").arg(script);
        command
    }

    #[test]
    fn a_quick_child_returns_its_output_and_status() {
        let done = run(
            &mut sh("echo out; echo err >&2; exit 3"),
            Duration::from_secs(5),
            1024,
        )
        .unwrap();
        assert_eq!(done.stdout, b"out\n");
        assert_eq!(done.stderr, b"err\n");
        assert_eq!(done.status.code(), Some(3));
    }

    #[test]
    fn a_hung_child_and_what_it_started_are_killed_at_the_deadline() {
        let started = Instant::now();
        let err = run(
            &mut sh("sleep 30 & sleep 30; wait"),
            Duration::from_millis(300),
            1024,
        )
        .unwrap_err();
        assert!(matches!(err, ChildError::TimedOut(_)), "{err}");
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn a_child_that_exits_but_leaves_its_output_open_times_out() {
        let started = Instant::now();
        let err = run(
            &mut sh("echo partial; sleep 30 &"),
            Duration::from_millis(300),
            1024,
        )
        .unwrap_err();
        assert!(matches!(err, ChildError::TimedOut(_)), "{err}");
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn endless_output_is_cut_at_the_limit() {
        let err = run(&mut sh("yes"), Duration::from_secs(10), 1 << 20).unwrap_err();
        assert!(matches!(err, ChildError::TooMuchOutput(_)), "{err}");
        assert_eq!(err.to_string(), "printed more than 1 MiB; killed it");
    }

    #[test]
    fn endless_stderr_is_drained_not_fatal() {
        let done = run(
            &mut sh("head -c 3000000 /dev/zero >&2; echo ok"),
            Duration::from_secs(10),
            1024,
        )
        .unwrap();
        assert_eq!(done.stdout, b"ok\n");
        assert_eq!(done.stderr.len(), STDERR_KEPT);
    }

    #[test]
    fn a_missing_program_is_a_spawn_error() {
        let err = run(
            &mut Command::new("/nonexistent/gpuctl/tool"),
            Duration::from_secs(1),
            1024,
        )
        .unwrap_err();
        assert!(matches!(&err, ChildError::Spawn(e) if e.kind() == std::io::ErrorKind::NotFound));
    }
}
