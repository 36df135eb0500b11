//! Dying with the parent process: not with the thread that started boxinit, and not missing a
//! parent that was gone before boxinit ran (when the caller names it by pid).

mod support;

use std::os::fd::OwnedFd;
use std::process::Command;
use std::time::{Duration, Instant};
use support::*;

/// How long a process that must live on is watched for an end that must not come.
const ALIVE_FOR: Duration = Duration::from_millis(500);

/// A Python program whose second thread starts boxinit (its command says "ready" and becomes
/// `sleep 1000`), then returns. Once that thread is gone from the kernel too, the main thread
/// prints `boxinit=PID` and waits for its stdin to close before it exits.
const THREAD_STARTS_BOXINIT: &str = r#"
import os, subprocess, sys, threading, time
started = []
def start():
    box = subprocess.Popen(
        [sys.argv[1], "--die-with-parent", "--", "sh", "-c", "echo ready; exec sleep 1000"],
        stdout=subprocess.PIPE)
    assert box.stdout.readline() == b"ready\n"
    started.append(box.pid)
thread = threading.Thread(target=start)
thread.start()
thread.join()
# join returns before the kernel's thread has exited; its death is what is tested.
while len(os.listdir("/proc/self/task")) > 1:
    time.sleep(0.001)
print(f"boxinit={started[0]}", flush=True)
sys.stdin.read()
"#;

#[test]
fn boxinit_outlives_the_thread_that_started_it_and_dies_with_its_process() {
    let mut cmd = Command::new("python3");
    cmd.args(["-c", THREAD_STARTS_BOXINIT]).arg(boxinit());
    strip_options_env(&mut cmd);
    let mut python = Running::start(&mut cmd);
    let line = python.line();
    let boxinit: i32 = line.strip_prefix("boxinit=").unwrap().parse().unwrap();
    // The thread has ended: the kernel's parent-death signal, which follows it, would have
    // killed boxinit by now (within moments: it is sent as the thread exits).
    let boxinit_fd = pidfd(boxinit);
    assert_alive(boxinit, &boxinit_fd);
    let command = children(boxinit);
    assert_eq!(command.len(), 1, "boxinit's children: {command:?}");
    assert!(command_line(command[0] as u32).ends_with("sleep 1000"));
    let command_fd = pidfd(command[0]);
    assert_alive(command[0], &command_fd);

    // The whole process ends: so do boxinit and its command.
    python.close_stdin();
    assert_eq!(python.wait(), 0);
    let deadline = Instant::now() + LIMIT;
    for (pid, fd) in [(boxinit, boxinit_fd), (command[0], command_fd)] {
        assert!(ended_by(&fd, deadline), "{pid} outlived the Python process");
    }
}

/// `pid` does not end within ALIVE_FOR, and is not a zombie.
#[track_caller]
fn assert_alive(pid: i32, pidfd: &OwnedFd) {
    assert!(
        !ended_by(pidfd, Instant::now() + ALIVE_FOR),
        "{pid} died with the thread"
    );
    let state = state_and_parent(pid).map(|(state, _)| state);
    assert!(matches!(state, Some(s) if s != 'Z'), "{pid}: {state:?}");
}

/// How many short-lived parents each start boxinit and exit at once.
const FAST_EXITS: usize = 300;

/// What became of boxinits whose parents exit at once.
#[derive(Debug)]
struct FastExits {
    /// Saw the parent gone as it started (and said so).
    seen_gone_at_start: usize,
    /// Processes (boxinits and commands) still running once every parent had exited, and,
    /// when waited for, once everything that was to end had.
    survivors: usize,
}

/// FAST_EXITS times, a shell starts boxinit with `args` in the background (`$$`, the shell's
/// pid, is replaced in them) and exits at once; its boxinit often starts only after the shell
/// is gone. All of it runs under a boxinit that waits for every descendant, so that orphans
/// are reaped by it, not by this machine's slow init. Once the last shell has exited, the
/// boxinits that still run (a marker in their command line finds them and their commands)
/// are survivors; then what may still end must end within LIMIT.
fn fast_exits(args: &str, settle: bool) -> FastExits {
    let marker = format!("boxinit-fast-exit-{}", unique());
    let script = format!(
        r#"i=0
        while [ $i -lt {FAST_EXITS} ]; do
            i=$((i+1))
            sh -c '"$0" {args} -- "$1" sleep "$2" & exit' "$BOXINIT" "$PROBE" "$MARKER"
        done
        echo done"#
    );
    let mut cmd = boxinit_cmd();
    cmd.args(["--wait-all", "--", "sh", "-c", &script])
        .env("BOXINIT", boxinit())
        .env("PROBE", probe())
        .env("MARKER", &marker);
    let mut reaper = Running::start(&mut cmd);
    reaper.skip_to("done");
    let survivors = || {
        let me = std::process::id() as i32;
        all_pids()
            .into_iter()
            .filter(|&pid| pid != me && command_line(pid as u32).contains(&marker))
            .count()
    };
    if settle {
        // With nothing left, the reaper ends; a survivor would keep it (and us) waiting.
        if reaper.still_running_after(LIMIT) {
            panic!("survivors after {LIMIT:?}: {}", survivors());
        }
    }
    let left = survivors();
    let stderr = if settle {
        text(&reaper.finish().stderr)
    } else {
        String::new() // the survivors hold it open; the reaper is killed with them
    };
    for line in stderr.lines() {
        assert_eq!(line, "boxinit: the parent died before boxinit started");
    }
    FastExits {
        seen_gone_at_start: stderr.lines().count(),
        survivors: left,
    }
}

#[test]
fn a_parent_named_by_pid_is_followed_even_when_it_exits_before_boxinit_runs() {
    let named = fast_exits("--parent-pid $$", true);
    eprintln!("--parent-pid, {FAST_EXITS} fast exits: {named:?}");
    assert_eq!(named.survivors, 0, "{named:?}");
    // The race was there to lose: parents did exit before their boxinit looked.
    assert!(named.seen_gone_at_start > 0, "{named:?}");
    // Control: our parent alone cannot show a death that came first, and many survive.
    let unnamed = fast_exits("--die-with-parent", false);
    eprintln!("--die-with-parent, {FAST_EXITS} fast exits: {unnamed:?}");
    assert!(unnamed.survivors > 0, "{unnamed:?}");
}

#[test]
fn a_parent_pid_that_is_gone_ends_boxinit_before_the_command_runs() {
    // The pid of a process that has ended and been reaped (no process has it now, unless
    // reused meanwhile, which would take a wrap of the whole pid space).
    let mut gone = Command::new("true").spawn().unwrap();
    let pid = gone.id().to_string();
    gone.wait().unwrap();
    let by_flag = run(boxinit_cmd().args(["--parent-pid", &pid, "--", "echo", "ran"]));
    let by_env = run(boxinit_cmd()
        .env("BOXINIT_PARENT_PID", &pid)
        .args(["--", "echo", "ran"]));
    for out in [by_flag, by_env] {
        assert_eq!(out.status.code(), Some(125), "{out:?}");
        assert!(out.stdout.is_empty(), "the command ran: {out:?}");
        assert_eq!(
            text(&out.stderr),
            "boxinit: the parent died before boxinit started\n"
        );
    }
    for bad in ["0", "-1", "x", "99999999", "99999999999"] {
        let out = run(boxinit_cmd().args(["--parent-pid", bad, "--", "true"]));
        assert_eq!(out.status.code(), Some(125), "{bad}: {out:?}");
        assert_eq!(
            text(&out.stderr),
            format!("boxinit: invalid --parent-pid (want 1 to 4194304): {bad}\n")
        );
    }
}

#[test]
fn a_parent_pid_that_lives_lets_the_command_run_and_is_followed() {
    // Named by pid, the parent need not be ours: here, a process the test starts and ends.
    let mut parent = Running::start(&mut Command::new("cat"));
    let mut cmd = boxinit_cmd();
    cmd.args(["--parent-pid", &parent.pid().to_string(), "--"])
        .arg(probe())
        .arg("signals");
    let mut boxinit = Running::start(&mut cmd);
    boxinit.expect("ready");
    parent.close_stdin();
    assert_eq!(parent.wait(), 0);
    // Its status is its command's, killed by SIGKILL.
    assert_eq!(boxinit.wait(), 128 + libc::SIGKILL);
}
