//! PID 1's job: pass signals on to the command, reap every zombie, and end with the
//! command's status.
//!
//! All signals stay blocked and are taken one at a time with `sigtimedwait`: no handler, no
//! polling interval, no race between a SIGCHLD and the wait for it. SIGCHLDs that arrive
//! together coalesce into one, so each one reaps until no zombie is left. With a parent to
//! die with, they are read from a signalfd instead, polled beside the parent's pidfd.

use crate::sys::{self, ChildEvent, Errno, Exit, Fd, Pid, SigSet, Signal};
use crate::{out, procs, signals};

/// How to supervise: what the options and the personality asked for.
#[derive(Clone, Debug)]
pub struct Supervision {
    /// Send signals to the command's whole process group (tini -g, dumb-init's default).
    pub group: bool,
    /// dumb-init's session mode: the command leads its own session; terminal stop signals
    /// stop boxinit too; when the command ends, the rest of its group gets SIGTERM.
    pub session: bool,
    /// Signal N is delivered as `rewrite[N]`; 0 drops it (dumb-init -r).
    pub rewrite: [u8; signals::MAX as usize + 1],
    /// Exit codes reported as 0 (tini -e).
    pub exit_zero: ExitSet,
    /// On SIGTERM or when the command ends: TERM everyone left, KILL them after this long.
    pub grace_ms: Option<u64>,
    /// Stay until every descendant is gone, not just the command.
    pub wait_all: bool,
    /// Warn about each orphan reaped (tini -w).
    pub warn_zombies: bool,
    /// Pass on the fault signals (SEGV, BUS, ...) someone sent us, as dumb-init does.
    pub forward_faults: bool,
    /// Signals taken and dropped rather than passed on (those tini and catatonit ignore).
    pub not_forwarded: SigSet,
    /// dumb-init: after passing on TSTP, TTIN or TTOU, stop the job (boxinit too).
    pub stop_on_terminal_stops: bool,
    /// Where we stand in a chain across a new PID namespace.
    pub chain: Chain,
}

/// Across a new PID namespace two boxinits supervise the command: the launcher outside, whose
/// child is PID 1 inside, which starts the command.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Chain {
    /// No PID namespace of ours: the child is the command.
    Alone,
    /// The child is PID 1 inside. `host_proc` is our /proc, opened before the init mounted
    /// the namespace's own over it (-1 if it could not be): there we can see the command.
    Launcher { host_proc: i32 },
    /// We are PID 1 inside; the launcher resumes a stopped job (see `resume_job`).
    Inside,
}

impl Default for Supervision {
    fn default() -> Supervision {
        let mut rewrite = [0; signals::MAX as usize + 1];
        for (sig, to) in rewrite.iter_mut().enumerate() {
            *to = sig as u8;
        }
        Supervision {
            group: false,
            session: false,
            rewrite,
            exit_zero: ExitSet::default(),
            grace_ms: None,
            wait_all: false,
            warn_zombies: false,
            forward_faults: false,
            not_forwarded: SigSet::EMPTY,
            stop_on_terminal_stops: false,
            chain: Chain::Alone,
        }
    }
}

/// The process boxinit dies with (--die-with-parent): a pidfd of it, readable once the whole
/// process has ended (the thread that started us may end long before), and a signalfd, so
/// that the supervisor can wait for that and for signals at once.
pub struct Parent {
    pub process: Fd,
    pub signals: Fd,
}

/// The next signal, as `sys::wait_signal` takes it from every signal; or None when the parent
/// to die with (if any) has ended.
fn next_signal(parent: Option<&Parent>, timeout_ms: Option<u64>) -> Result<Option<Signal>, Errno> {
    match parent {
        Some(parent) => sys::wait_signal_or_end(&parent.signals, &parent.process, timeout_ms),
        None => sys::wait_signal(SigSet::ALL, timeout_ms).map(Some),
    }
}

/// A set of exit codes 0..=255.
#[derive(Clone, Copy, Default, Debug)]
pub struct ExitSet([u64; 4]);

impl ExitSet {
    pub fn insert(&mut self, code: u8) {
        self.0[code as usize / 64] |= 1 << (code % 64);
    }

    pub fn contains(&self, code: u8) -> bool {
        self.0[code as usize / 64] & (1 << (code % 64)) != 0
    }
}

/// The status a process's end is reported as: its exit code, or 128+N for signal N.
pub fn status_of(exit: Exit) -> u8 {
    match exit {
        Exit::Code(code) => code,
        Exit::Signal(sig) => 128u8.wrapping_add(sig as u8),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Shutdown {
    No,
    /// Everyone left had SIGTERM; at `deadline` (monotonic ms) they get SIGKILL.
    Term {
        deadline: u64,
    },
    Kill,
}

struct Supervisor<'a> {
    child: Pid,
    how: &'a Supervision,
    ended: Option<Exit>,
    children_left: bool,
    shutdown: Shutdown,
    /// Signals to swallow once (the SIGHUP and SIGCONT of giving up a terminal).
    ignore_once: SigSet,
    /// The job is stopped (or stopping): the next SIGCONT resumes it.
    job_stopped: bool,
    /// The process we die with, until it ends.
    parent: Option<&'a Parent>,
}

/// Supervise `child` (already started, with every signal blocked since before its fork) until
/// it ends, and return the status boxinit should exit with; or until `parent` ends, if given.
pub fn supervise(
    child: Pid,
    how: &Supervision,
    ignore_once: SigSet,
    parent: Option<&Parent>,
) -> u8 {
    let mut s = Supervisor {
        child,
        how,
        ended: None,
        children_left: true,
        shutdown: Shutdown::No,
        ignore_once,
        job_stopped: false,
        parent,
    };
    say_pid(b"started the command, pid ", child);
    // A child that ended before we started (the pid we were exec'd into had one) sent its
    // SIGCHLD to the program before us, if to anyone: reap what is already there.
    s.reap();
    loop {
        if let Some(status) = s.finished() {
            return status;
        }
        match next_signal(s.parent, s.time_left()) {
            Ok(Some(libc::SIGCHLD)) => {
                s.reap();
                // The init inside wakes us with a SIGCHLD when its command stops. That one
                // may merge into another SIGCHLD already pending, so whoever sent it, we look
                // at the command itself (while the init lives: not at its end).
                if s.ended.is_none() && s.command_inside_stopped() {
                    s.stop_job();
                }
            }
            Ok(Some(sig)) => s.on_signal(sig),
            Ok(None) => s.end_with_parent(),
            Err(Errno::EAGAIN) => s.kill_the_rest(),
            Err(_) => {} // EINTR: we were stopped and continued; wait again.
        }
    }
}

impl Supervisor<'_> {
    fn child_is_init(&self) -> bool {
        matches!(self.how.chain, Chain::Launcher { .. })
    }

    /// Launcher: whether the init's command is stopped (seen in the host's /proc).
    fn command_inside_stopped(&self) -> bool {
        match self.how.chain {
            Chain::Launcher { host_proc } => procs::first_child_stopped(host_proc, self.child),
            _ => false,
        }
    }

    /// Reap every child that has ended: the command, and orphans reparented to us.
    fn reap(&mut self) {
        loop {
            match sys::next_child_event() {
                Ok(Some(ChildEvent::Ended(pid, exit))) if pid == self.child => {
                    self.on_command_end(exit)
                }
                Ok(Some(ChildEvent::Ended(pid, exit))) => {
                    let level = if self.how.warn_zombies {
                        out::WARN
                    } else {
                        out::INFO
                    };
                    say_exit(level, b"reaped orphan process ", pid, exit);
                }
                // Any stop of the command stops the job: a terminal stop, and also the
                // SIGSTOP that programs catching SIGTSTP (vi, a nested boxinit) stop
                // themselves with. An init inside stops only because we stopped it.
                Ok(Some(ChildEvent::Stopped(pid, _)))
                    if pid == self.child && !self.child_is_init() =>
                {
                    self.stop_job()
                }
                Ok(Some(_)) => {}
                Ok(None) => {
                    self.children_left = true;
                    return;
                }
                Err(_) => {
                    self.children_left = false; // ECHILD: nobody is left
                    return;
                }
            }
        }
    }

    fn on_command_end(&mut self, exit: Exit) {
        self.ended = Some(exit);
        say_exit(out::INFO, b"reaped the command, pid ", self.child, exit);
        if self.how.session {
            // Like dumb-init: the command's own helpers go with it. The group outlives its
            // leader, so its id cannot have been reused; the leader's pid alone could.
            let sig = self.how.rewrite[libc::SIGTERM as usize] as Signal;
            if sig != 0 {
                let _ = sys::kill(-self.child, sig);
            }
        }
    }

    fn on_signal(&mut self, sig: Signal) {
        let rewritten = self.how.rewrite[sig as usize] as Signal != sig;
        if signals::is_fault(sig) && !self.how.forward_faults && !rewritten {
            // Sent to us by someone; passing it on would fake a crash.
            return say_signal(sig, b"; not passed on (a fault signal)");
        }
        if self.how.not_forwarded.contains(sig) && !rewritten {
            return say_signal(sig, b"; ignored");
        }
        if self.ignore_once.contains(sig) {
            self.ignore_once = self.ignore_once.without(sig);
            return say_signal(sig, b"; ignored once (from handing over the terminal)");
        }
        if sig == libc::SIGCONT && self.job_stopped && self.ended.is_none() {
            return self.resume_job();
        }
        if sig == libc::SIGTERM && self.how.grace_ms.is_some() && self.shutdown == Shutdown::No {
            say_signal(sig, b"; shutting down");
            return self.begin_shutdown();
        }
        if self.ended.is_some() {
            // The command is gone (we are waiting for the rest): it goes to whoever is left.
            say_signal(sig, b"; passed on to every process left");
            return procs::signal_all(sig);
        }
        let target = if self.how.group {
            -self.child
        } else {
            self.child
        };
        self.deliver(target, sig);
        if self.how.stop_on_terminal_stops && signals::is_terminal_stop(sig) {
            self.stop_job();
        }
    }

    /// The command was stopped by a terminal stop signal (Ctrl-Z), or the init inside says
    /// its command was: the shell that started us must see its job stop, or it never gets
    /// its prompt back. So we stop too, and the next SIGCONT (`fg`, `bg`) resumes the job.
    fn stop_job(&mut self) {
        // The init inside tells its launcher of every stop: the launcher continues the
        // command, so a new stop may come before the SIGCONT that ended the last one.
        if self.job_stopped && self.how.chain != Chain::Inside {
            return;
        }
        self.job_stopped = true;
        if self.how.chain == Chain::Inside || sys::getpid() == 1 {
            // PID 1 of a namespace cannot stop itself, and an init inside leaves the job to
            // the boxinit that launched it, outside, in our process group: a SIGCHLD from us
            // tells it to look at the command and stop the whole chain (it is harmless to
            // anyone else there).
            let _ = sys::kill(0, libc::SIGCHLD);
            return;
        }
        if self.child_is_init() {
            // From outside its namespace, PID 1 can be stopped: the whole chain stops.
            let _ = sys::kill(self.child, libc::SIGSTOP);
        }
        // A SIGCONT that came meanwhile would be lost to our SIGSTOP (which discards it).
        if !sys::pending_signals().contains(libc::SIGCONT) {
            say_pid(b"job stopped; stopping too, pid ", sys::getpid());
            let _ = sys::kill(sys::getpid(), libc::SIGSTOP);
        }
    }

    /// SIGCONT after the job stopped: if `fg` gave our group the terminal, the command's
    /// group gets it; then the command's whole group continues.
    ///
    /// Across a PID namespace the launcher outside does both, for the command of the init
    /// inside: only it can see whether the terminal came to the job (`fg`) or not (`bg`),
    /// and the command must not run before it has the terminal, or its next read of it
    /// stops the job again.
    fn resume_job(&mut self) {
        self.job_stopped = false;
        let command = match self.how.chain {
            Chain::Inside => return,
            Chain::Alone => self.child,
            // The init's first child, which leads its group; without it, the init alone.
            Chain::Launcher { host_proc } => {
                procs::first_child(host_proc, self.child).unwrap_or(self.child)
            }
        };
        let ours = sys::getpgrp();
        if ours != 0 && sys::foreground(sys::STDIN) == Ok(ours) {
            // `fg` gave our group the terminal: it is the command's group's, whoever had it
            // when the job stopped (a job stopped in the background gets it too, as any).
            let _ = sys::set_foreground(sys::STDIN, command);
        }
        if sys::kill(-command, libc::SIGCONT) == Err(Errno::ESRCH) {
            let _ = sys::kill(command, libc::SIGCONT);
        }
        if command != self.child {
            let _ = sys::kill(self.child, libc::SIGCONT);
        }
    }

    /// Send `sig` (as rewritten) to `target`, while the command lives; a group that does not
    /// exist yet (the command has not reached setpgid/setsid) is the command alone.
    fn deliver(&self, target: Pid, sig: Signal) {
        let to = self.how.rewrite[sig as usize] as Signal;
        if to == 0 {
            return say_signal(sig, b"; dropped (rewritten to 0)");
        }
        say_forward(sig, target, to);
        if sys::kill(target, to) == Err(Errno::ESRCH) && target < 0 {
            let _ = sys::kill(-target, to);
        }
    }

    fn begin_shutdown(&mut self) {
        let grace = self.how.grace_ms.unwrap_or(0);
        say_grace(grace);
        procs::signal_all(libc::SIGTERM);
        self.shutdown = Shutdown::Term {
            deadline: sys::monotonic_ms().saturating_add(grace),
        };
    }

    /// The parent we die with is gone: as the SIGKILL of a parent-death signal would, all
    /// ends. Every descendant (the command's children too, which its own death signal would
    /// not reach) and the child (from outside a PID namespace its init: the namespace ends
    /// with it) get SIGKILL; we stay to reap them, and leave the cgroup as we found it.
    fn end_with_parent(&mut self) {
        out::say(
            out::INFO,
            &[b"the parent ended; killing every process left"],
        );
        self.parent = None;
        procs::signal_all(libc::SIGKILL);
        let _ = sys::kill(self.child, libc::SIGKILL);
        self.shutdown = Shutdown::Kill;
    }

    fn kill_the_rest(&mut self) {
        out::say(out::INFO, &[b"grace period over; killing what is left"]);
        procs::signal_all(libc::SIGKILL);
        self.shutdown = Shutdown::Kill;
    }

    fn time_left(&self) -> Option<u64> {
        match self.shutdown {
            Shutdown::Term { deadline } => Some(deadline.saturating_sub(sys::monotonic_ms())),
            _ => None,
        }
    }

    /// The exit status once supervision is over, or None while there is more to wait for.
    fn finished(&mut self) -> Option<u8> {
        let exit = self.ended?;
        if self.children_left {
            if self.how.grace_ms.is_some() && self.shutdown == Shutdown::No {
                self.begin_shutdown();
                return None;
            }
            if self.how.wait_all || self.shutdown != Shutdown::No {
                return None;
            }
        }
        let status = status_of(exit);
        let status = if self.how.exit_zero.contains(status) {
            0
        } else {
            status
        };
        say_status(status);
        Some(status)
    }
}

/// Pause mode (catatonit -P): no command; reap whatever ends up here, exit 0 on TERM or INT.
pub fn pause(parent: Option<&Parent>) -> u8 {
    while let Ok(Some(_)) = sys::reap_one() {}
    loop {
        match next_signal(parent, None) {
            Ok(Some(libc::SIGTERM | libc::SIGINT)) => return 0,
            Ok(Some(libc::SIGCHLD)) => while let Ok(Some(_)) = sys::reap_one() {},
            Ok(None) => {
                // The parent we die with is gone: so is whatever we hold.
                procs::signal_all(libc::SIGKILL);
                return 128 + libc::SIGKILL as u8;
            }
            _ => {}
        }
    }
}

// The reports below are kept out of line: their line buffer would otherwise sit in the
// supervisor's stack frame, and its pages in boxinit's memory, even when nothing is said.

/// `received SIGTERM (15); passed on to pid N [as SIGx (n)]`.
#[inline(never)]
fn say_forward(sig: Signal, target: Pid, to: Signal) {
    if out::verbosity() >= out::INFO {
        let mut line = out::Line::new(out::INFO);
        line.text(b"received ").signal(sig);
        let group: &[u8] = if target < 0 {
            b"process group "
        } else {
            b"pid "
        };
        line.text(b"; passed on to ")
            .text(group)
            .number(target.unsigned_abs() as i64);
        if to != sig {
            line.text(b" as ").signal(to);
        }
        line.send();
    }
}

#[inline(never)]
fn say_grace(grace_ms: u64) {
    if out::verbosity() >= out::INFO {
        let mut line = out::Line::new(out::INFO);
        line.text(b"sending SIGTERM to every process left; SIGKILL in ms: ");
        line.number(grace_ms as i64).send();
    }
}

#[inline(never)]
fn say_status(status: u8) {
    if out::verbosity() >= out::INFO {
        let mut line = out::Line::new(out::INFO);
        line.text(b"exiting with status ")
            .number(status as i64)
            .send();
    }
}

#[inline(never)]
fn say_pid(what: &[u8], pid: Pid) {
    if out::verbosity() >= out::INFO {
        out::Line::new(out::INFO)
            .text(what)
            .number(pid as i64)
            .send();
    }
}

/// `received SIGTERM (15)` and what became of it.
#[inline(never)]
fn say_signal(sig: Signal, outcome: &[u8]) {
    if out::verbosity() >= out::INFO {
        let mut line = out::Line::new(out::INFO);
        line.text(b"received ").signal(sig).text(outcome).send();
    }
}

/// `<what><pid>, which exited with status N` or `..., which was killed by SIGKILL (9)`.
#[inline(never)]
fn say_exit(level: u8, what: &[u8], pid: Pid, exit: Exit) {
    if out::verbosity() >= level {
        let mut line = out::Line::new(level);
        line.text(what).number(pid as i64);
        match exit {
            Exit::Code(code) => line
                .text(b", which exited with status ")
                .number(code as i64),
            Exit::Signal(sig) => line.text(b", which was killed by ").signal(sig),
        };
        line.send();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses() {
        assert_eq!(status_of(Exit::Code(0)), 0);
        assert_eq!(status_of(Exit::Code(255)), 255);
        assert_eq!(status_of(Exit::Signal(libc::SIGKILL)), 137);
        assert_eq!(status_of(Exit::Signal(libc::SIGTERM)), 143);
    }

    #[test]
    fn exit_sets() {
        let mut set = ExitSet::default();
        set.insert(0);
        set.insert(143);
        set.insert(255);
        assert!(set.contains(143) && set.contains(255) && set.contains(0));
        assert!(!set.contains(1) && !set.contains(142));
    }

    #[test]
    fn rewrites_start_as_identity() {
        let how = Supervision::default();
        assert_eq!(how.rewrite[libc::SIGTERM as usize], libc::SIGTERM as u8);
        assert_eq!(how.rewrite[64], 64);
    }
}
