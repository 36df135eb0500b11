//! PID 1's job, in every role: pass signals on to the command, reap every zombie, and end
//! with the command's status. One loop serves the command's supervisor, the launcher outside
//! a PID namespace, the init of a boot and catatonit's pause; what differs is the
//! `Supervision` policy. Each signal, reap and stop is an `Event`; the one pure function
//! `decide::decide` says what to do about it, and `carry_out` does it.
//!
//! All signals stay blocked and are taken one at a time with `sigtimedwait`: no handler, no
//! polling interval, no race between a SIGCHLD and the wait for it. SIGCHLDs that arrive
//! together coalesce into one, so each one reaps until no zombie is left. With a parent to
//! die with, they are read from a signalfd instead, polled beside the parent's pidfd.

mod decide;

use decide::{decide, Event, Facts, Plan, Resume, Role, Stop};

use crate::config::{OnExit, Supervision};
use crate::sys::{self, ChildEvent, Errno, Exit, Fd, Pid, SigSet, Signal, Target};
use crate::{out, procs};

/// How supervision ended: the status to exit with and, for the init of a boot, how a signal
/// asked the system to end, if one did.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Outcome {
    pub status: u8,
    pub system: Option<OnExit>,
}

/// The process boxinit dies with (--die-with-parent): a pidfd of it, readable once the whole
/// process has ended (the thread that started us may end long before), and a signalfd, so
/// that the supervisor can wait for that and for signals at once.
pub struct Parent {
    pub process: Fd,
    pub signals: Fd,
}

/// Supervise `command` (already started, with every signal blocked since before its fork;
/// none in pause mode) until supervision is over, or until `parent` ends.
pub fn supervise(command: Option<Pid>, how: &Supervision, parent: Option<&Parent>) -> Outcome {
    let mut s = Supervisor::new(command, how, parent);
    // A child that ended before we started (the pid we were exec'd into had one) sent its
    // SIGCHLD to the program before us, if to anyone: reap what is already there.
    let mut over = s.reap();
    loop {
        if let Some(status) = over {
            return s.outcome(status);
        }
        over = match s.next_signal() {
            Ok(Some(libc::SIGCHLD)) => s.reap(),
            Ok(Some(sig)) => s.carry_out(Event::Signal(sig)),
            Ok(None) => s.end_with_parent(),
            Err(Errno::EAGAIN) => s.time_is_up(),
            // EINTR (we were stopped and continued), or a wait that failed: wait again; the
            // signals stay pending until taken.
            Err(_) => None,
        };
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
    command: Option<Pid>,
    how: &'a Supervision,
    role: Role,
    ended: Option<Exit>,
    children_left: bool,
    shutdown: Shutdown,
    /// The job is stopped (or stopping): the next SIGCONT resumes it.
    job_stopped: bool,
    /// Boot mode: how a signal asked the system to end.
    system: Option<OnExit>,
    /// The process we die with, until it ends.
    parent: Option<&'a Parent>,
    /// --stop-delay: a SIGTERM is held until then (monotonic ms), and taken again then.
    term_held_until: Option<u64>,
}

impl<'a> Supervisor<'a> {
    fn new(command: Option<Pid>, how: &'a Supervision, parent: Option<&'a Parent>) -> Self {
        if let Some(pid) = command {
            say_number(b"started the command, pid ", pid as i64);
        }
        Supervisor {
            command,
            how,
            role: Role::new(how.chain, sys::getpid() == 1),
            ended: None,
            children_left: true,
            shutdown: Shutdown::No,
            job_stopped: false,
            system: None,
            parent,
            term_held_until: None,
        }
    }

    fn facts(&self) -> Facts {
        Facts {
            command: self.command,
            ended: self.ended,
            children_left: self.children_left,
            job_stopped: self.job_stopped,
            shutting_down: self.shutdown != Shutdown::No,
            cont_pending: sys::pending_signals().contains(libc::SIGCONT),
            term_held: self.term_held_until.is_some(),
        }
    }

    fn outcome(&self, status: u8) -> Outcome {
        say_number(b"exiting with status ", status as i64);
        Outcome {
            status,
            system: self.system,
        }
    }

    /// The next signal, from every signal; or None when the parent to die with has ended.
    /// Fails with EAGAIN once the grace period, or the stop delay, is over.
    fn next_signal(&self) -> Result<Option<Signal>, Errno> {
        let timeout = self.time_left();
        match self.parent {
            Some(parent) => sys::wait_signal_or_end(&parent.signals, &parent.process, timeout),
            None => sys::wait_signal(SigSet::ALL, timeout).map(Some),
        }
    }

    /// Do what `decide` plans for `event`; Some status when supervision is over.
    fn carry_out(&mut self, event: Event) -> Option<u8> {
        // For the reports: the signal the event is, if it is one.
        let sig = match event {
            Event::Signal(sig) => sig,
            _ => 0,
        };
        let now = self.facts();
        // A TERM goes as planned now: the one held, if any, with it.
        if cfg!(feature = "stop-delay") {
            self.term_held_until = self.term_held_until.filter(|_| sig != libc::SIGTERM);
        }
        match decide(self.how, self.role, &now, event) {
            Plan::Wait => {}
            Plan::Ignore(why) => say_signal(sig, why),
            Plan::Finish(status) => return Some(status),
            Plan::HoldTerm => {
                say_signal(sig, b"; held for the stop delay");
                let until = sys::monotonic_ms().saturating_add(self.how.stop_delay_ms);
                self.term_held_until = Some(until);
            }
            Plan::ShutDown => {
                if sig != 0 {
                    say_signal(sig, b"; shutting down");
                }
                self.begin_shutdown();
            }
            Plan::EndSystem { how, shut_down } => {
                say_signal(sig, b"; ending the system");
                self.system = Some(how);
                if shut_down {
                    self.begin_shutdown();
                }
            }
            Plan::ToEveryone => {
                say_signal(sig, b"; passed on to every process left");
                procs::signal_all(sig);
            }
            Plan::Deliver { to, signal, stop } => {
                deliver(to, sig, signal);
                self.stop_job(stop);
            }
            Plan::Send(to, signal) => {
                let _ = sys::kill(to, signal);
            }
            Plan::Stop(stop) => self.stop_job(stop),
            Plan::Resume(resume) => self.resume_job(resume),
            Plan::LookInside { host_proc, init } => {
                if procs::first_child_stopped(host_proc, init) {
                    return self.carry_out(Event::InitsCommandStopped);
                }
            }
        }
        None
    }

    /// Reap every child that has ended (the command, and orphans reparented to us), then
    /// carry out what comes after; Some status when supervision is over.
    fn reap(&mut self) -> Option<u8> {
        loop {
            match sys::next_child_event() {
                Ok(Some(ChildEvent::Ended(pid, exit))) if Some(pid) == self.command => {
                    self.ended = Some(exit);
                    say_exit(out::INFO, b"reaped the command, pid ", pid, exit);
                    self.carry_out(Event::CommandEnded);
                }
                Ok(Some(ChildEvent::Ended(pid, exit))) => {
                    let level = if self.how.warn_zombies {
                        out::WARN
                    } else {
                        out::INFO
                    };
                    say_exit(level, b"reaped orphan process ", pid, exit);
                }
                Ok(Some(ChildEvent::Stopped(pid, _))) if Some(pid) == self.command => {
                    self.carry_out(Event::CommandStopped);
                }
                Ok(Some(_)) => {}
                Ok(None) => {
                    self.children_left = true;
                    break;
                }
                Err(_) => {
                    self.children_left = false; // ECHILD: nobody is left
                    break;
                }
            }
        }
        self.carry_out(Event::Reaped)
    }

    /// The command was stopped by a terminal stop signal (Ctrl-Z), or the init inside says
    /// its command was: the shell that started us must see its job stop, or it never gets
    /// its prompt back. So we stop too (as `stop` says how), and the next SIGCONT (`fg`,
    /// `bg`) resumes the job.
    fn stop_job(&mut self, stop: Stop) {
        if stop.has(Stop::MARK) {
            self.job_stopped = true;
        }
        if stop.has(Stop::TELL_LAUNCHER) {
            let _ = sys::kill(Target::OwnGroup, libc::SIGCHLD);
        }
        if let (true, Some(init)) = (stop.has(Stop::STOP_INIT), self.command) {
            let _ = sys::kill(Target::Process(init), libc::SIGSTOP);
        }
        if stop.has(Stop::STOP_US) {
            let me = sys::getpid();
            say_number(b"job stopped; stopping too, pid ", me as i64);
            let _ = sys::kill(Target::Process(me), libc::SIGSTOP);
        }
    }

    /// SIGCONT after the job stopped: if `fg` gave our group the terminal, the command's
    /// group gets it; then the command's whole group continues (`resume` says whose).
    fn resume_job(&mut self, resume: Resume) {
        self.job_stopped = false;
        let (command, child) = match resume {
            Resume::Nothing => return,
            Resume::Command(pid) => (pid, pid),
            // The init's first child, which leads its group; without it, the init alone.
            Resume::CommandOfInit { host_proc, init } => {
                (procs::first_child(host_proc, init).unwrap_or(init), init)
            }
        };
        let ours = sys::getpgrp();
        if ours != 0 && sys::foreground(sys::STDIN) == Ok(ours) {
            // `fg` gave our group the terminal: it is the command's group's, whoever had it
            // when the job stopped (a job stopped in the background gets it too, as any).
            let _ = sys::set_foreground(sys::STDIN, command);
        }
        signal_group(command, libc::SIGCONT);
        if command != child {
            let _ = sys::kill(Target::Process(child), libc::SIGCONT);
        }
    }

    fn begin_shutdown(&mut self) {
        let grace = self.how.grace_ms.unwrap_or(0);
        say_number(
            b"sending SIGTERM to every process left; SIGKILL in ms: ",
            grace as i64,
        );
        procs::signal_all(libc::SIGTERM);
        self.shutdown = Shutdown::Term {
            deadline: sys::monotonic_ms().saturating_add(grace),
        };
    }

    /// The grace period is over, or else the stop delay: the TERM held is taken again.
    fn time_is_up(&mut self) -> Option<u8> {
        match self.shutdown {
            Shutdown::No if cfg!(feature = "stop-delay") => {
                self.carry_out(Event::Signal(libc::SIGTERM))
            }
            _ => self.kill_the_rest(),
        }
    }

    fn kill_the_rest(&mut self) -> Option<u8> {
        // On a console, where a system's end is watched, say it by default.
        let level = if self.how.boot_init {
            out::WARN
        } else {
            out::INFO
        };
        out::say(level, &[b"grace period over; killing what is left"]);
        procs::signal_all(libc::SIGKILL);
        self.shutdown = Shutdown::Kill;
        None
    }

    /// The parent we die with is gone: as the SIGKILL of a parent-death signal would, all
    /// ends. Every descendant (the command's children too, which its own death signal would
    /// not reach) and the child (from outside a PID namespace its init: the namespace ends
    /// with it) get SIGKILL; we stay to reap them, and leave the cgroup as we found it. A
    /// pause has nothing of its own to wait for, and ends as killed.
    fn end_with_parent(&mut self) -> Option<u8> {
        out::say(
            out::INFO,
            &[b"the parent ended; killing every process left"],
        );
        self.parent = None;
        procs::signal_all(libc::SIGKILL);
        let Some(pid) = self.command else {
            return Some(128 + libc::SIGKILL as u8);
        };
        let _ = sys::kill(Target::Process(pid), libc::SIGKILL);
        self.shutdown = Shutdown::Kill;
        None
    }

    /// Until the grace period's end, or the stop delay's.
    fn time_left(&self) -> Option<u64> {
        let until = match self.shutdown {
            Shutdown::Term { deadline } => Some(deadline),
            // A shutdown TERMs everyone: a TERM held has nothing left to wait for.
            Shutdown::No if cfg!(feature = "stop-delay") => self.term_held_until,
            _ => None,
        };
        until.map(|at| at.saturating_sub(sys::monotonic_ms()))
    }
}

/// Send `sig`, as rewritten to `to` (0: dropped), to `target`, saying so.
fn deliver(target: Target, sig: Signal, to: Signal) {
    if to == 0 {
        return say_signal(sig, b"; dropped (rewritten to 0)");
    }
    say_forward(sig, target, to);
    match target {
        Target::Group(leader) => signal_group(leader, to),
        _ => {
            let _ = sys::kill(target, to);
        }
    }
}

/// Send `sig` to the command's group, led by `leader`. Until the command has made its
/// group (with setpgid or setsid, just after the fork) there is none, and the command alone
/// is that group. This is not a choice of whom to signal, which `decide` made, but how to
/// reach the group it chose at any moment of the command's start.
fn signal_group(leader: Pid, sig: Signal) {
    if sys::kill(Target::Group(leader), sig) == Err(Errno::ESRCH) {
        let _ = sys::kill(Target::Process(leader), sig);
    }
}

// The reports below are kept out of line: their line buffer would otherwise sit in the
// supervisor's stack frame, and its pages in boxinit's memory, even when nothing is said.

/// `received SIGTERM (15); passed on to pid N [as SIGx (n)]`.
#[inline(never)]
fn say_forward(sig: Signal, target: Target, to: Signal) {
    if out::verbosity() >= out::INFO {
        let mut line = out::Line::new(out::INFO);
        line.text(b"received ").signal(sig);
        let (whom, id): (&[u8], Pid) = match target {
            Target::Group(pgid) => (b"process group ", pgid),
            Target::Process(pid) => (b"pid ", pid),
            Target::OwnGroup | Target::Everyone => (b"everyone", 0),
        };
        line.text(b"; passed on to ").text(whom).number(id as i64);
        if to != sig {
            line.text(b" as ").signal(to);
        }
        line.send();
    }
}

/// `<what><n>`: a pid, a status, a number of milliseconds.
#[inline(never)]
fn say_number(what: &[u8], n: i64) {
    if out::verbosity() >= out::INFO {
        out::Line::new(out::INFO).text(what).number(n).send();
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
