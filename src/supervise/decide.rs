//! The supervisor's decisions, as pure functions of what it was asked to do (the
//! `Supervision` the options and the personality give), where it stands (its `Role`) and what
//! it knows now: which signal goes where, how the job stops and resumes, and when supervision
//! is over. The loop in `mod.rs` carries them out; every system call is there.

use crate::config::{Chain, OnExit, Supervision};
use crate::signals;
use crate::sys::{Exit, Pid, Signal, Target};

/// Where this supervisor stands, the same for its whole run.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Role {
    /// Where we stand in a chain across a PID namespace (read through `Role::chain`).
    chain: Chain,
    /// We are PID 1 of our PID namespace: no signal of ours can stop us.
    pid_one: bool,
}

impl Role {
    pub fn new(chain: Chain, pid_one: bool) -> Role {
        Role { chain, pid_one }
    }

    /// Where we stand in a chain: a build without the launcher makes none, and leaves out
    /// the code that follows one.
    fn chain(self) -> Chain {
        match cfg!(feature = "launcher") {
            true => self.chain,
            false => Chain::Alone,
        }
    }
}

/// What the supervisor knows when a signal comes.
#[derive(Clone, Copy, Debug)]
pub struct Facts {
    /// The command's pid (for a launcher, the init's); none in pause mode, which has no
    /// command.
    pub command: Option<Pid>,
    /// The command has ended (we wait for the rest).
    pub command_ended: bool,
    /// The job is stopped (or stopping): the next SIGCONT resumes it.
    pub job_stopped: bool,
    /// Everyone left has had SIGTERM (or SIGKILL) already.
    pub shutting_down: bool,
}

/// What to do with a signal.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Reaction {
    /// Nothing; the words say why (for the verbose report).
    Ignore(&'static [u8]),
    /// Continue the stopped job, whose command is this (for a launcher, the init), as
    /// `resume_job` says.
    ResumeJob(Pid),
    /// TERM everyone left and KILL them after the grace period.
    ShutDown,
    /// Boot mode: end the system this way, once everyone is gone.
    EndSystem(OnExit),
    /// Pause mode: exit with this status now.
    Finish(u8),
    /// The command is gone: the signal goes to every process left.
    ToEveryone,
    /// Send `signal` (the rewritten one; 0: rewritten to nothing) to `to`; then, if
    /// `stop_job`, stop the job too (as the function `stop_job` says how).
    Deliver {
        to: Target,
        signal: Signal,
        stop_job: bool,
    },
}

/// What stopping the job takes, where we stand.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum JobStop {
    /// Nothing: the job is stopped already, or there is no stop to follow.
    Nothing,
    /// A SIGCHLD to our process group: PID 1 of a namespace cannot stop itself, and an init
    /// inside leaves the job to the boxinit that launched it, outside, in our group, which
    /// then looks at the command and stops the whole chain (anyone else there ignores it).
    TellLauncher,
    /// From outside its namespace PID 1 can be stopped: stop the init (our child), then
    /// ourselves.
    InitThenUs,
    /// Stop ourselves, so that the shell that started us sees its job stop (unless a SIGCONT
    /// came meanwhile, which our SIGSTOP would discard).
    Us,
}

/// How a SIGCONT resumes the stopped job: if `fg` gave our group the terminal, the command's
/// group gets it; then the command's whole group continues.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Resume {
    /// An init inside leaves it to the launcher outside: only that one can see whether the
    /// terminal came to the job (`fg`) or not (`bg`), and the command must not run before it
    /// has the terminal, or its next read of it stops the job again.
    Nothing,
    /// Our command.
    Command(Pid),
    /// A launcher: the init's command, its first child in our /proc `host_proc` (without
    /// one, the init alone); then the init too.
    CommandOfInit { host_proc: i32, init: Pid },
}

/// What to do with `sig`, taken by the supervisor.
pub fn react(how: &Supervision, now: Facts, sig: Signal) -> Reaction {
    let rewritten = how.rewrite[sig as usize] as Signal != sig;
    if signals::is_fault(sig) && !how.forward_faults && !rewritten {
        // Sent to us by someone; passing it on would fake a crash.
        return Reaction::Ignore(b"; not passed on (a fault signal)");
    }
    if how.not_forwarded.contains(sig) && !rewritten {
        return Reaction::Ignore(b"; ignored");
    }
    let Some(command) = now.command else {
        // Pause mode: TERM or INT end it; there is nobody to pass anything on to.
        return match sig {
            libc::SIGTERM | libc::SIGINT => Reaction::Finish(0),
            _ => Reaction::Ignore(b"; ignored"),
        };
    };
    if how.boot_init {
        // As busybox's init: TERM and INT (Ctrl-Alt-Del) reboot, USR1 halts, USR2 powers off.
        match sig {
            libc::SIGTERM | libc::SIGINT => return Reaction::EndSystem(OnExit::Reboot),
            libc::SIGUSR1 => return Reaction::EndSystem(OnExit::Halt),
            libc::SIGUSR2 => return Reaction::EndSystem(OnExit::PowerOff),
            _ => {}
        }
    }
    if sig == libc::SIGCONT && now.job_stopped && !now.command_ended {
        return Reaction::ResumeJob(command);
    }
    if sig == libc::SIGTERM && how.grace_ms.is_some() && !now.shutting_down {
        return Reaction::ShutDown;
    }
    if now.command_ended {
        return Reaction::ToEveryone;
    }
    Reaction::Deliver {
        to: if how.group {
            Target::Group(command)
        } else {
            Target::Process(command)
        },
        signal: how.rewrite[sig as usize] as Signal,
        // dumb-init stops itself too after passing on a terminal stop.
        stop_job: how.stop_on_terminal_stops && signals::is_terminal_stop(sig),
    }
}

/// How to stop the job: it was sent a terminal stop, or the command stopped.
pub fn stop_job(role: Role, job_stopped: bool) -> JobStop {
    match role.chain() {
        // The init inside tells its launcher of every stop: the launcher continues the
        // command, so a new stop may come before the SIGCONT that ended the last one.
        Chain::Inside => JobStop::TellLauncher,
        _ if job_stopped => JobStop::Nothing,
        _ if role.pid_one => JobStop::TellLauncher,
        Chain::Launcher { .. } => JobStop::InitThenUs,
        Chain::Alone => JobStop::Us,
    }
}

/// Whether a stop of our child, seen when reaping, stops the job. Any stop of the command
/// does: a terminal stop, and also the SIGSTOP that programs catching SIGTSTP (vi, a nested
/// boxinit) stop themselves with. An init inside stops only because we stopped it.
pub fn child_stop_stops_job(role: Role) -> bool {
    !matches!(role.chain(), Chain::Launcher { .. })
}

/// A launcher, after a SIGCHLD: where to look (our /proc, the init) whether the init's
/// command stopped, while the init lives. The init tells us so with a SIGCHLD, which may
/// merge into another one already pending: whoever sent it, we look at the command itself.
pub fn look_inside(role: Role, now: Facts) -> Option<(i32, Pid)> {
    match (role.chain(), now.command) {
        (Chain::Launcher { host_proc }, Some(init)) if !now.command_ended => {
            Some((host_proc, init))
        }
        _ => None,
    }
}

/// Whose group a SIGCONT continues after the job stopped, the command being `child`.
pub fn resume_job(role: Role, child: Pid) -> Resume {
    match role.chain() {
        Chain::Inside => Resume::Nothing,
        Chain::Alone => Resume::Command(child),
        Chain::Launcher { host_proc } => Resume::CommandOfInit {
            host_proc,
            init: child,
        },
    }
}

/// Where supervision stands after the children that ended were reaped.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Next {
    /// Wait for the next signal.
    Wait,
    /// TERM everyone left and KILL them after the grace period, then wait.
    ShutDown,
    /// Exit with this status.
    Exit(u8),
}

/// What comes after a reap: `ended` is how the command ended, if it has.
pub fn after_reap(
    how: &Supervision,
    ended: Option<Exit>,
    children_left: bool,
    shutting_down: bool,
) -> Next {
    let Some(exit) = ended else {
        return Next::Wait;
    };
    if children_left {
        // --wait-all first: with a grace period too (always, in boot mode), everyone left is
        // stopped only once they are all gone, which is to say not at all.
        if how.wait_all || shutting_down {
            return Next::Wait;
        }
        if how.grace_ms.is_some() {
            return Next::ShutDown;
        }
    }
    let status = exit.status();
    Next::Exit(if how.exit_zero.contains(status) {
        0
    } else {
        status
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Host;
    use crate::opts;
    use crate::sys::Strings;

    /// The command's pid; for a launcher, the init's.
    const CHILD: Pid = 42;
    const COMMAND: Target = Target::Process(CHILD);
    /// The command's process group: dumb-init's session, -g, the command of a boot.
    const GROUP: Target = Target::Group(CHILD);
    /// A launcher's child: PID 1 inside, seen from outside.
    const INIT: Target = Target::Process(CHILD);
    /// The launcher's /proc, opened before the init covered it.
    const HOST_PROC: i32 = 7;

    const TERM: Signal = libc::SIGTERM;
    const INT: Signal = libc::SIGINT;
    const HUP: Signal = libc::SIGHUP;
    const TSTP: Signal = libc::SIGTSTP;
    const TTIN: Signal = libc::SIGTTIN;
    const TTOU: Signal = libc::SIGTTOU;
    const CONT: Signal = libc::SIGCONT;
    const STOP: Signal = libc::SIGSTOP;
    const USR1: Signal = libc::SIGUSR1;
    const USR2: Signal = libc::SIGUSR2;
    const SEGV: Signal = libc::SIGSEGV;
    const TERMINATING: &[Signal] = &[TERM, INT, HUP];
    const TERMINAL_STOPS: &[Signal] = &[TSTP, TTIN, TTOU];
    const FAULTS: &[Signal] = &[SEGV, libc::SIGBUS, libc::SIGFPE, libc::SIGILL];
    const USER: &[Signal] = &[USR1, USR2];

    const ALL: &[&str] = &["boxinit", "tini", "dumb-init", "catatonit"];
    /// The names that signal the command alone unless asked otherwise (dumb-init signals
    /// the session it gives the command).
    const ALONE_SIGNALLERS: &[&str] = &["boxinit", "tini", "catatonit"];
    /// The names that have a pause mode.
    const PAUSERS: &[&str] = &["boxinit", "catatonit"];

    /// Where a supervisor stands, as each of boxinit's jobs puts it.
    #[derive(Clone, Copy, Debug)]
    enum Place {
        /// The supervisor of a command, not PID 1 (under a shell, say).
        Alone,
        /// The same, as PID 1 of a container that a container engine made.
        Pid1,
        /// Outside a PID namespace of ours: the child is PID 1 inside.
        Launcher,
        /// PID 1 inside that namespace, which starts the command.
        Inside,
        /// Pause mode: no command.
        Pause,
        /// The init of a boot (--boot), PID 1.
        Boot,
    }
    use Place::*;
    /// The places that supervise a command the options and the name asked for.
    const SUPERVISING: &[Place] = &[Alone, Pid1, Inside];

    #[derive(Clone, Copy, Debug)]
    enum Job {
        Running,
        Stopped,
    }
    use Job::*;

    /// What happens.
    #[derive(Clone, Copy, Debug)]
    enum On {
        /// Each of these signals comes.
        Signals(&'static [Signal]),
        /// We reap a stop of our child.
        ChildStopped,
        /// A launcher has a SIGCHLD, and sees the init's command stopped.
        InitsCommandStopped,
    }
    use On::*;

    /// What the supervisor does about it.
    #[derive(Clone, Copy, PartialEq, Eq, Debug)]
    enum Does {
        /// Passes the signal on unchanged to the target, then stops the job so.
        Passes(Target, JobStop),
        /// Passes it on as another signal (0: drops it).
        PassesAs(Target, Signal, JobStop),
        Ignores,
        Resumes(Resume),
        Finishes(u8),
        EndsTheSystem(OnExit),
        Stops(JobStop),
    }
    use Does::*;
    /// No stop follows.
    const ONLY: JobStop = JobStop::Nothing;

    /// The supervision a command line (boxinit's words, without the command) gives, as
    /// parsed for real.
    fn policy(line: &str, command: bool) -> Supervision {
        let mut argv: Vec<&str> = line.split(' ').collect();
        if command {
            argv.push("x");
        }
        let config = opts::parse(Strings::leak(&argv), Strings::EMPTY, Host::default());
        config.unwrap_or_else(|_| panic!("{line}")).supervision
    }

    /// The supervision, role and command a supervisor at `place` has, as `run` gives them.
    fn at(place: Place, line: &str) -> (Supervision, Role, Option<Pid>) {
        let role = Role::new;
        let launcher = Chain::Launcher {
            host_proc: HOST_PROC,
        };
        let child = Some(CHILD);
        match place {
            Alone => (policy(line, true), role(Chain::Alone, false), child),
            Pid1 => (policy(line, true), role(Chain::Alone, true), child),
            // The launcher relays; what the command line asks for is the init's to do.
            Launcher => (Supervision::default(), role(launcher, false), child),
            Inside => (policy(line, true), role(Chain::Inside, true), child),
            Pause => (
                policy(&format!("{line} -P"), false),
                role(Chain::Alone, true),
                None,
            ),
            Boot => (
                policy(&format!("{line} --boot"), true),
                role(Chain::Alone, true),
                child,
            ),
        }
    }

    fn happens(place: Place, line: &str, job: Job, on: On, sig: Signal) -> Does {
        let (how, role, command) = at(place, line);
        let job_stopped = matches!(job, Stopped);
        let now = Facts {
            command,
            command_ended: false,
            job_stopped,
            shutting_down: false,
        };
        match on {
            Signals(_) => {}
            // As the loop does: a stop of the command stops the job as the role allows.
            ChildStopped if child_stop_stops_job(role) => {
                return Stops(stop_job(role, job_stopped))
            }
            ChildStopped => return Stops(JobStop::Nothing),
            InitsCommandStopped => {
                return Stops(match look_inside(role, now) {
                    Some((HOST_PROC, CHILD)) => stop_job(role, job_stopped),
                    Some(other) => panic!("looked inside {other:?}"),
                    None => JobStop::Nothing,
                })
            }
        }
        let then = |stop| match stop {
            true => stop_job(role, job_stopped),
            false => JobStop::Nothing,
        };
        match react(&how, now, sig) {
            Reaction::Deliver {
                to,
                signal,
                stop_job,
            } if signal == sig => Passes(to, then(stop_job)),
            Reaction::Deliver {
                to,
                signal,
                stop_job,
            } => PassesAs(to, signal, then(stop_job)),
            Reaction::Ignore(_) => Ignores,
            Reaction::ResumeJob(child) => Resumes(resume_job(role, child)),
            Reaction::Finish(status) => Finishes(status),
            Reaction::EndSystem(end) => EndsTheSystem(end),
            other => panic!("{other:?}"),
        }
    }

    /// A build without the launcher or boot mode has no such place.
    fn exists(place: Place) -> bool {
        match place {
            Launcher | Inside => cfg!(feature = "launcher"),
            Boot => cfg!(feature = "boot"),
            Alone | Pid1 | Pause => true,
        }
    }

    /// Under each of these command lines, at each of these places, with the job so, on
    /// each event: the supervisor does this.
    type Rule = (&'static [&'static str], &'static [Place], Job, On, Does);

    fn check(rules: &[Rule]) {
        for &(lines, places, job, on, does) in rules {
            let sigs = match on {
                Signals(sigs) => sigs,
                _ => &[0],
            };
            for (line, &place, &sig) in lines
                .iter()
                .flat_map(|l| places.iter().map(move |p| (l, p)))
                .flat_map(|(l, p)| sigs.iter().map(move |s| (l, p, s)))
                .filter(|&(_, &p, _)| exists(p))
            {
                let done = happens(place, line, job, on, sig);
                assert_eq!(
                    done, does,
                    "`{line}` at {place:?}, job {job:?}, {on:?} {sig}"
                );
            }
        }
    }

    #[test]
    #[rustfmt::skip]
    fn terminating_signals_reach_the_command_end_a_pause_and_end_a_system() {
        check(&[
            (ALONE_SIGNALLERS, SUPERVISING, Running, Signals(TERMINATING), Passes(COMMAND, ONLY)),
            (&["dumb-init"], SUPERVISING, Running, Signals(TERMINATING), Passes(GROUP, ONLY)),
            (&["boxinit -g", "tini -g", "catatonit -g"], SUPERVISING, Running, Signals(TERMINATING), Passes(GROUP, ONLY)),
            // The launcher relays every signal to the init inside, whatever its name.
            (ALL, &[Launcher], Running, Signals(TERMINATING), Passes(INIT, ONLY)),
            (PAUSERS, &[Pause], Running, Signals(&[TERM, INT]), Finishes(0)),
            (PAUSERS, &[Pause], Running, Signals(&[HUP]), Ignores),
            // As busybox's init: TERM and INT (Ctrl-Alt-Del) reboot.
            (&["boxinit"], &[Boot], Running, Signals(&[TERM, INT]), EndsTheSystem(OnExit::Reboot)),
            (&["boxinit"], &[Boot], Running, Signals(&[HUP]), Passes(GROUP, ONLY)),
        ]);
    }

    #[test]
    #[rustfmt::skip]
    fn terminal_stops_follow_each_program_and_stop_the_job_where_it_can_stop() {
        const TELL_LAUNCHER: JobStop = JobStop::TellLauncher;
        check(&[
            // boxinit passes them on: the command's own stop then stops the job.
            (&["boxinit"], SUPERVISING, Running, Signals(TERMINAL_STOPS), Passes(COMMAND, ONLY)),
            // tini passes TSTP on and ignores TTIN and TTOU itself; catatonit ignores all three.
            (&["tini"], SUPERVISING, Running, Signals(&[TSTP]), Passes(COMMAND, ONLY)),
            (&["tini"], SUPERVISING, Running, Signals(&[TTIN, TTOU]), Ignores),
            (&["catatonit"], SUPERVISING, Running, Signals(TERMINAL_STOPS), Ignores),
            // dumb-init's session turns them into STOP (its group is orphaned, so the kernel
            // would drop them), and it stops itself too; as PID 1, which cannot stop, or
            // inside, it tells the launcher to stop the chain.
            (&["dumb-init"], &[Alone], Running, Signals(TERMINAL_STOPS), PassesAs(GROUP, STOP, JobStop::Us)),
            (&["dumb-init"], &[Pid1, Inside], Running, Signals(TERMINAL_STOPS), PassesAs(GROUP, STOP, TELL_LAUNCHER)),
            (&["dumb-init -c"], &[Alone], Running, Signals(TERMINAL_STOPS), Passes(COMMAND, JobStop::Us)),
            // Stopped already, it does not stop again; the init inside tells of every stop.
            (&["dumb-init"], &[Alone, Pid1], Stopped, Signals(&[TSTP]), PassesAs(GROUP, STOP, ONLY)),
            (&["dumb-init"], &[Inside], Stopped, Signals(&[TSTP]), PassesAs(GROUP, STOP, TELL_LAUNCHER)),
            (ALL, &[Launcher], Running, Signals(TERMINAL_STOPS), Passes(INIT, ONLY)),
            (PAUSERS, &[Pause], Running, Signals(TERMINAL_STOPS), Ignores),
            (&["boxinit"], &[Boot], Running, Signals(TERMINAL_STOPS), Passes(GROUP, ONLY)),
        ]);
    }

    #[test]
    #[rustfmt::skip]
    fn any_stop_of_the_command_stops_the_job_once_as_the_place_allows() {
        check(&[
            (ALL, &[Alone], Running, ChildStopped, Stops(JobStop::Us)),
            // PID 1 cannot stop itself; the init inside leaves the job to its launcher.
            (ALL, &[Pid1, Inside], Running, ChildStopped, Stops(JobStop::TellLauncher)),
            (&["boxinit"], &[Boot], Running, ChildStopped, Stops(JobStop::TellLauncher)),
            (ALL, &[Alone, Pid1], Stopped, ChildStopped, Stops(JobStop::Nothing)),
            // The launcher continues the command, so the init tells of every stop.
            (ALL, &[Inside], Stopped, ChildStopped, Stops(JobStop::TellLauncher)),
            // An init stops only because its launcher stopped it.
            (ALL, &[Launcher], Running, ChildStopped, Stops(JobStop::Nothing)),
            // Told the init's command stopped, the launcher stops the init, then itself.
            (ALL, &[Launcher], Running, InitsCommandStopped, Stops(JobStop::InitThenUs)),
            (ALL, &[Launcher], Stopped, InitsCommandStopped, Stops(JobStop::Nothing)),
            // Only a launcher looks inside.
            (ALL, SUPERVISING, Running, InitsCommandStopped, Stops(JobStop::Nothing)),
        ]);
    }

    #[test]
    #[rustfmt::skip]
    fn cont_resumes_a_stopped_job_from_where_the_terminal_is_seen() {
        let command_of_init = Resume::CommandOfInit {
            host_proc: HOST_PROC,
            init: CHILD,
        };
        check(&[
            (ALL, &[Alone, Pid1], Stopped, Signals(&[CONT]), Resumes(Resume::Command(CHILD))),
            (&["boxinit"], &[Boot], Stopped, Signals(&[CONT]), Resumes(Resume::Command(CHILD))),
            // The launcher resumes the command of the init; the init leaves it to it.
            (ALL, &[Launcher], Stopped, Signals(&[CONT]), Resumes(command_of_init)),
            (ALL, &[Inside], Stopped, Signals(&[CONT]), Resumes(Resume::Nothing)),
            // A job that is not stopped has CONT passed on like any signal.
            (ALONE_SIGNALLERS, SUPERVISING, Running, Signals(&[CONT]), Passes(COMMAND, ONLY)),
            (&["dumb-init"], SUPERVISING, Running, Signals(&[CONT]), Passes(GROUP, ONLY)),
            (ALL, &[Launcher], Running, Signals(&[CONT]), Passes(INIT, ONLY)),
            (PAUSERS, &[Pause], Running, Signals(&[CONT]), Ignores),
        ]);
    }

    #[test]
    #[rustfmt::skip]
    fn fault_signals_sent_by_someone_are_passed_on_by_dumb_init_only() {
        check(&[
            (ALONE_SIGNALLERS, SUPERVISING, Running, Signals(FAULTS), Ignores),
            (&["dumb-init"], SUPERVISING, Running, Signals(FAULTS), Passes(GROUP, ONLY)),
            // The launcher keeps them: passing one to the init would fake its crash.
            (ALL, &[Launcher], Running, Signals(FAULTS), Ignores),
            (PAUSERS, &[Pause], Running, Signals(FAULTS), Ignores),
            (&["boxinit"], &[Boot], Running, Signals(FAULTS), Ignores),
        ]);
    }

    #[test]
    #[rustfmt::skip]
    fn user_signals_reach_the_command_and_halt_or_power_off_a_system() {
        check(&[
            (ALONE_SIGNALLERS, SUPERVISING, Running, Signals(USER), Passes(COMMAND, ONLY)),
            (&["dumb-init"], SUPERVISING, Running, Signals(USER), Passes(GROUP, ONLY)),
            (ALL, &[Launcher], Running, Signals(USER), Passes(INIT, ONLY)),
            (PAUSERS, &[Pause], Running, Signals(USER), Ignores),
            (&["boxinit"], &[Boot], Running, Signals(&[USR1]), EndsTheSystem(OnExit::Halt)),
            (&["boxinit"], &[Boot], Running, Signals(&[USR2]), EndsTheSystem(OnExit::PowerOff)),
        ]);
    }

    #[test]
    #[rustfmt::skip]
    fn rewritten_signals_are_passed_on_as_asked_by_the_init_not_the_launcher() {
        check(&[
            (&["boxinit -r TERM:INT"], SUPERVISING, Running, Signals(&[TERM]), PassesAs(COMMAND, INT, ONLY)),
            (&["dumb-init -r 15:2"], SUPERVISING, Running, Signals(&[TERM]), PassesAs(GROUP, INT, ONLY)),
            (&["boxinit -r HUP:0"], SUPERVISING, Running, Signals(&[HUP]), PassesAs(COMMAND, 0, ONLY)),
            // A rewritten fault signal is passed on: someone asked for it.
            (&["boxinit -r SEGV:USR1"], SUPERVISING, Running, Signals(&[SEGV]), PassesAs(COMMAND, USR1, ONLY)),
            (&["boxinit -r TERM:INT"], &[Launcher], Running, Signals(&[TERM]), Passes(INIT, ONLY)),
        ]);
    }

    fn running() -> Facts {
        Facts {
            command: Some(CHILD),
            command_ended: false,
            job_stopped: false,
            shutting_down: false,
        }
    }

    #[test]
    fn grace_turns_term_into_a_shutdown_once() {
        let how = policy("boxinit --grace 1s", true);
        assert_eq!(react(&how, running(), libc::SIGTERM), Reaction::ShutDown);
        let down = Facts {
            shutting_down: true,
            ..running()
        };
        assert!(matches!(
            react(&how, down, libc::SIGTERM),
            Reaction::Deliver { .. }
        ));
    }

    #[test]
    fn after_the_command_ends_signals_go_to_everyone_left() {
        let how = policy("boxinit --wait-all", true);
        let ended = Facts {
            command_ended: true,
            ..running()
        };
        assert_eq!(react(&how, ended, libc::SIGUSR1), Reaction::ToEveryone);
    }

    #[test]
    fn supervision_ends_with_the_command_unless_asked_to_wait() {
        let code = Some(Exit::Code(3));
        let plain = policy("boxinit", true);
        assert_eq!(after_reap(&plain, None, true, false), Next::Wait);
        assert_eq!(after_reap(&plain, code, true, false), Next::Exit(3));
        let wait_all = policy("boxinit --wait-all", true);
        assert_eq!(after_reap(&wait_all, code, true, false), Next::Wait);
        assert_eq!(after_reap(&wait_all, code, false, false), Next::Exit(3));
        let grace = policy("boxinit --grace 1", true);
        assert_eq!(after_reap(&grace, code, true, false), Next::ShutDown);
        assert_eq!(after_reap(&grace, code, true, true), Next::Wait);
        let both = policy("boxinit --grace 1 --wait-all", true);
        assert_eq!(after_reap(&both, code, true, false), Next::Wait);
        let killed = Some(Exit::Signal(libc::SIGKILL));
        assert_eq!(after_reap(&plain, killed, false, false), Next::Exit(137));
        let expected = policy("tini -e 137", true);
        assert_eq!(after_reap(&expected, killed, false, false), Next::Exit(0));
    }
}
