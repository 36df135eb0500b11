//! The supervisor's decisions, as one pure function of what it was asked to do (the
//! `Supervision` the options and the personality give), where it stands (its `Role`), what it
//! knows now (`Facts`) and what just happened (`Event`): `decide` returns the `Plan` that the
//! loop in `mod.rs` carries out, where every system call is.

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

/// What the supervisor knows when something happens.
#[derive(Clone, Copy, Debug)]
pub struct Facts {
    /// The command's pid (for a launcher, the init's); none in pause mode, which has no
    /// command.
    pub command: Option<Pid>,
    /// How the command ended, once it has (we wait for the rest).
    pub ended: Option<Exit>,
    /// The last reap left children of ours alive.
    pub children_left: bool,
    /// The job is stopped (or stopping): the next SIGCONT resumes it.
    pub job_stopped: bool,
    /// Everyone left has had SIGTERM (or SIGKILL) already.
    pub shutting_down: bool,
    /// A SIGCONT is pending, to be taken next.
    pub cont_pending: bool,
    /// A SIGTERM is held for the stop delay (and this one, once the delay is over, is it).
    pub term_held: bool,
}

/// What just happened.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Event {
    /// A signal was taken (any but SIGCHLD, which has us reap).
    Signal(Signal),
    /// Reaping, we saw the command end (`Facts::ended` says how).
    CommandEnded,
    /// Reaping, we saw the command stop.
    CommandStopped,
    /// Every child that had ended is reaped.
    Reaped,
    /// A launcher looked inside (as `Plan::LookInside` asked) and saw the init's command
    /// stopped.
    InitsCommandStopped,
}

/// What to do about it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Plan {
    /// Nothing: wait for what comes next.
    Wait,
    /// Nothing about this signal; the words say why (for the verbose report).
    Ignore(&'static [u8]),
    /// Exit with this status now.
    Finish(u8),
    /// Hold this SIGTERM for the stop delay while the command serves on, then take it again
    /// (as `Facts::term_held`).
    HoldTerm,
    /// TERM everyone left and KILL them after the grace period.
    ShutDown,
    /// Boot mode: end the system this way once everyone is gone; and `shut_down` as above,
    /// unless a shutdown runs already.
    EndSystem { how: OnExit, shut_down: bool },
    /// The command is gone: the signal goes to every process left.
    ToEveryone,
    /// Send `signal` (the rewritten one; 0: rewritten to nothing) to `to`, saying so; then
    /// stop the job so.
    Deliver {
        to: Target,
        signal: Signal,
        stop: Stop,
    },
    /// Send this signal to `Target`, quietly.
    Send(Target, Signal),
    /// Stop the job so.
    Stop(Stop),
    /// The stopped job continues so.
    Resume(Resume),
    /// A launcher: see in our /proc `host_proc` whether the command of `init` stopped, and
    /// if so say `Event::InitsCommandStopped`.
    LookInside { host_proc: i32, init: Pid },
}

/// How to stop the job: the steps that apply, carried out in the order of their bits.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Stop(u8);

impl Stop {
    pub const NOTHING: Stop = Stop(0);
    /// The job counts as stopped: the next SIGCONT resumes it.
    pub const MARK: u8 = 1;
    /// A SIGCHLD to our process group: PID 1 of a namespace cannot stop itself, and an init
    /// inside leaves the job to the boxinit that launched it, outside, in our group, which
    /// then looks at the command and stops the whole chain (anyone else there ignores it).
    pub const TELL_LAUNCHER: u8 = 2;
    /// SIGSTOP to the init (our child): from outside its namespace PID 1 can be stopped.
    pub const STOP_INIT: u8 = 4;
    /// SIGSTOP to ourselves, so that the shell that started us sees its job stop.
    pub const STOP_US: u8 = 8;

    pub fn has(self, step: u8) -> bool {
        self.0 & step != 0
    }
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

/// Every rule of the supervisor: what to do about `event`.
pub fn decide(how: &Supervision, role: Role, now: &Facts, event: Event) -> Plan {
    match event {
        Event::Signal(sig) => on_signal(how, role, now, sig),
        Event::CommandEnded => match now.command {
            // Like dumb-init: the command's own helpers go with it, as its SIGTERM is
            // rewritten. The group outlives its leader, so its id cannot have been reused;
            // the leader's pid alone could. (The init of a boot leaves them to its grace
            // period, or to --wait-all.)
            Some(leader) if how.command_leads_session && !how.boot_init => {
                match how.rewrite[libc::SIGTERM as usize] as Signal {
                    0 => Plan::Wait,
                    sig => Plan::Send(Target::Group(leader), sig),
                }
            }
            _ => Plan::Wait,
        },
        // Any stop of the command stops the job: a terminal stop, and also the SIGSTOP that
        // programs catching SIGTSTP (vi, a nested boxinit) stop themselves with. An init
        // inside stops only because we stopped it.
        Event::CommandStopped => match role.chain() {
            Chain::Launcher { .. } => Plan::Wait,
            _ => Plan::Stop(stop(role, now)),
        },
        Event::Reaped => after_reap(how, role, now),
        Event::InitsCommandStopped => Plan::Stop(stop(role, now)),
    }
}

fn on_signal(how: &Supervision, role: Role, now: &Facts, sig: Signal) -> Plan {
    let to = how.rewrite[sig as usize] as Signal;
    let rewritten = to != sig;
    if signals::is_fault(sig) && !how.forward_faults && !rewritten {
        // Sent to us by someone; passing it on would fake a crash.
        return Plan::Ignore(b"; not passed on (a fault signal)");
    }
    if how.not_forwarded.contains(sig) && !rewritten {
        return Plan::Ignore(b"; ignored");
    }
    let Some(command) = now.command else {
        // Pause mode: TERM or INT end it; there is nobody to pass anything on to.
        return match sig {
            libc::SIGTERM | libc::SIGINT => Plan::Finish(0),
            _ => Plan::Ignore(b"; ignored"),
        };
    };
    if how.boot_init {
        // As busybox's init: TERM and INT (Ctrl-Alt-Del) reboot, USR1 halts, USR2 powers off.
        let end = match sig {
            libc::SIGTERM | libc::SIGINT => Some(OnExit::Reboot),
            libc::SIGUSR1 => Some(OnExit::Halt),
            libc::SIGUSR2 => Some(OnExit::PowerOff),
            _ => None,
        };
        if let Some(end) = end {
            let shut_down = !now.shutting_down;
            return Plan::EndSystem {
                how: end,
                shut_down,
            };
        }
    }
    if sig == libc::SIGCONT && now.job_stopped && now.ended.is_none() {
        return Plan::Resume(resume(role, command));
    }
    // --stop-delay, what a preStop sleep is for: the first TERM waits while the command
    // serves on; a second one goes at once, as every other signal does.
    let serving = now.ended.is_none() && !now.shutting_down;
    let delay = cfg!(feature = "stop-delay") && how.stop_delay_ms != 0;
    if sig == libc::SIGTERM && delay && serving && !now.term_held {
        return Plan::HoldTerm;
    }
    if sig == libc::SIGTERM && how.grace_ms.is_some() && !now.shutting_down {
        return Plan::ShutDown;
    }
    if now.ended.is_some() {
        return Plan::ToEveryone;
    }
    Plan::Deliver {
        to: if how.group {
            Target::Group(command)
        } else {
            Target::Process(command)
        },
        signal: to,
        // dumb-init stops itself too after passing on a terminal stop.
        stop: match how.stop_on_terminal_stops && signals::is_terminal_stop(sig) {
            true => stop(role, now),
            false => Stop::NOTHING,
        },
    }
}

/// How to stop the job: it was sent a terminal stop, or the command stopped.
fn stop(role: Role, now: &Facts) -> Stop {
    // A SIGCONT that came meanwhile would be lost to our own SIGSTOP (which discards it).
    let us = match now.cont_pending {
        true => 0,
        false => Stop::STOP_US,
    };
    let steps = match role.chain() {
        // The init inside tells its launcher of every stop: the launcher continues the
        // command, so a new stop may come before the SIGCONT that ended the last one.
        Chain::Inside => Stop::TELL_LAUNCHER,
        _ if now.job_stopped => return Stop::NOTHING,
        _ if role.pid_one => Stop::TELL_LAUNCHER,
        Chain::Launcher { .. } => Stop::STOP_INIT | us,
        Chain::Alone => us,
    };
    Stop(Stop::MARK | steps)
}

/// Whose group a SIGCONT continues after the job stopped, the command being `child`.
fn resume(role: Role, child: Pid) -> Resume {
    match role.chain() {
        Chain::Inside => Resume::Nothing,
        Chain::Alone => Resume::Command(child),
        Chain::Launcher { host_proc } => Resume::CommandOfInit {
            host_proc,
            init: child,
        },
    }
}

/// What comes after a reap: while the command lives, a launcher looks inside (the init tells
/// it of a stop with a SIGCHLD, which may merge into another one already pending: whoever
/// sent it, we look at the command itself); once it has ended, exit, or wait for the rest.
fn after_reap(how: &Supervision, role: Role, now: &Facts) -> Plan {
    let Some(exit) = now.ended else {
        return match (role.chain(), now.command) {
            (Chain::Launcher { host_proc }, Some(init)) => Plan::LookInside { host_proc, init },
            _ => Plan::Wait,
        };
    };
    if now.children_left {
        // --wait-all first: with a grace period too (always, in boot mode), everyone left is
        // stopped only once they are all gone, which is to say not at all.
        if how.wait_all || now.shutting_down {
            return Plan::Wait;
        }
        if how.grace_ms.is_some() {
            return Plan::ShutDown;
        }
    }
    let status = exit.status();
    Plan::Finish(if how.exit_zero.contains(status) {
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
    /// Signals no rule names: a window's size, a quit from the keyboard, a broken pipe, the
    /// first and the last real-time signals.
    const OTHERS: &[Signal] = &[libc::SIGWINCH, libc::SIGQUIT, libc::SIGPIPE, 34, 64];

    const ALL: &[&str] = &["boxinit", "tini", "dumb-init", "catatonit"];
    /// The names that signal the command alone unless asked otherwise (dumb-init signals
    /// the session it gives the command).
    const ALONE_SIGNALLERS: &[&str] = &["boxinit", "tini", "catatonit"];
    /// The names that have a pause mode.
    const PAUSERS: &[&str] = &["boxinit", "catatonit"];
    /// Boot mode under each name the kernel may start us by, and as asked for.
    const BOOTS: &[&str] = &[
        "boxinit",
        "tini",
        "dumb-init",
        "catatonit",
        "boxinit --boot",
    ];

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
        /// The init of a boot, PID 1, started by the kernel (or asked for with --boot).
        Boot,
    }
    use Place::*;
    /// The places that supervise a command the options and the name asked for.
    const SUPERVISING: &[Place] = &[Alone, Pid1, Inside];

    /// Where supervision stands.
    #[derive(Clone, Copy, Debug)]
    enum Now {
        Running,
        Stopped,
        /// Running, and a SIGCONT is pending.
        ContPending,
        /// Running; everyone had SIGTERM.
        ShuttingDown,
        /// Running, a SIGTERM held for the stop delay.
        TermHeld,
        /// The command exited with status 3; other children are left.
        Ended,
        /// The same, and everyone left had SIGTERM.
        EndedShuttingDown,
        /// The command exited with status 3, and nobody is left.
        EndedAlone,
        /// SIGKILL killed the command, and nobody is left.
        Killed,
    }
    use Now::*;

    /// What happens.
    #[derive(Clone, Copy, Debug)]
    enum On {
        /// Each of these signals comes.
        Signals(&'static [Signal]),
        CommandEnds,
        CommandStops,
        Reaped,
        InitsCommandStops,
    }
    use On::*;

    /// What the supervisor does about it: `Plan`, written so that a row reads.
    #[derive(Clone, Copy, PartialEq, Eq, Debug)]
    enum Does {
        /// Passes the signal on unchanged to the target, then stops the job so.
        Passes(Target, Stop),
        /// Passes it on as another signal (0: drops it).
        PassesAs(Target, Signal, Stop),
        PassesToEveryone,
        Sends(Target, Signal),
        Ignores,
        Waits,
        Resumes(Resume),
        Finishes(u8),
        HoldsTerm,
        ShutsDown,
        /// Ends the system so, shutting down unless it does already.
        EndsTheSystem(OnExit, bool),
        Stops(Stop),
        LooksInside,
    }
    use Does::*;

    /// No stop follows.
    const ONLY: Stop = Stop::NOTHING;
    const STOPS_US: Stop = Stop(Stop::MARK | Stop::STOP_US);
    const TELLS_LAUNCHER: Stop = Stop(Stop::MARK | Stop::TELL_LAUNCHER);
    const STOPS_INIT_THEN_US: Stop = Stop(Stop::MARK | Stop::STOP_INIT | Stop::STOP_US);
    /// A SIGCONT is pending: the job counts as stopped, but we do not stop.
    const MARKS_ONLY: Stop = Stop(Stop::MARK);
    const STOPS_INIT_ONLY: Stop = Stop(Stop::MARK | Stop::STOP_INIT);

    /// The supervision a command line (boxinit's words, without the command) gives, as
    /// parsed for real, on this host.
    fn policy(line: &str, command: bool, host: Host) -> Supervision {
        let mut argv: Vec<&str> = line.split(' ').collect();
        if command {
            argv.push("x");
        }
        let config = opts::parse(Strings::leak(&argv), Strings::EMPTY, host);
        config.unwrap_or_else(|_| panic!("{line}")).supervision
    }

    /// The supervision, role and command a supervisor at `place` has, as `run` gives them.
    fn at(place: Place, line: &str) -> (Supervision, Role, Option<Pid>) {
        let role = Role::new;
        let given = |command| policy(line, command, Host::default());
        let child = Some(CHILD);
        match place {
            Alone => (given(true), role(Chain::Alone, false), child),
            Pid1 => (given(true), role(Chain::Alone, true), child),
            // The launcher relays: whatever the line, what it asks for is the init's to do.
            Launcher => {
                let launcher = Chain::Launcher {
                    host_proc: HOST_PROC,
                };
                let relay = Supervision {
                    chain: launcher,
                    ..Supervision::default()
                };
                (relay, role(launcher, false), child)
            }
            Inside => (given(true), role(Chain::Inside, true), child),
            Pause => (
                policy(&format!("{line} -P"), false, Host::default()),
                role(Chain::Alone, true),
                None,
            ),
            Boot => {
                let kernel = Host {
                    kernel_init: true,
                    ..Host::default()
                };
                (policy(line, true, kernel), role(Chain::Alone, true), child)
            }
        }
    }

    fn facts(now: Now, command: Option<Pid>) -> Facts {
        let exited = Some(Exit::Code(3));
        let mut facts = Facts {
            command,
            ended: None,
            children_left: true,
            job_stopped: false,
            shutting_down: false,
            cont_pending: false,
            term_held: false,
        };
        match now {
            Running => {}
            Stopped => facts.job_stopped = true,
            ContPending => facts.cont_pending = true,
            ShuttingDown => facts.shutting_down = true,
            TermHeld => facts.term_held = true,
            Ended => facts.ended = exited,
            EndedShuttingDown => (facts.ended, facts.shutting_down) = (exited, true),
            EndedAlone => (facts.ended, facts.children_left) = (exited, false),
            Killed => {
                facts.ended = Some(Exit::Signal(libc::SIGKILL));
                facts.children_left = false;
            }
        }
        facts
    }

    /// What `decide` plans, at `place` under `line`, for the event.
    fn happens(place: Place, line: &str, now: Now, on: On, sig: Signal) -> Does {
        let (how, role, command) = at(place, line);
        let event = match on {
            Signals(_) => Event::Signal(sig),
            CommandEnds => Event::CommandEnded,
            CommandStops => Event::CommandStopped,
            Reaped => Event::Reaped,
            InitsCommandStops => Event::InitsCommandStopped,
        };
        match decide(&how, role, &facts(now, command), event) {
            Plan::Deliver { to, signal, stop } if signal == sig => Passes(to, stop),
            Plan::Deliver { to, signal, stop } => PassesAs(to, signal, stop),
            Plan::ToEveryone => PassesToEveryone,
            Plan::Send(to, signal) => Sends(to, signal),
            Plan::Ignore(_) => Ignores,
            Plan::Wait => Waits,
            Plan::Resume(resume) => Resumes(resume),
            Plan::Finish(status) => Finishes(status),
            Plan::HoldTerm => HoldsTerm,
            Plan::ShutDown => ShutsDown,
            Plan::EndSystem { how, shut_down } => EndsTheSystem(how, shut_down),
            Plan::Stop(stop) => Stops(stop),
            Plan::LookInside {
                host_proc: HOST_PROC,
                init: CHILD,
            } => LooksInside,
            Plan::LookInside { host_proc, init } => panic!("looked inside {host_proc} {init}"),
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

    /// Under each of these command lines, at each of these places, standing so, on each
    /// event: the supervisor does this.
    type Rule = (&'static [&'static str], &'static [Place], Now, On, Does);

    fn check(rules: &[Rule]) {
        for &(lines, places, now, on, does) in rules {
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
                let done = happens(place, line, now, on, sig);
                assert_eq!(done, does, "`{line}` at {place:?}, {now:?}, {on:?} {sig}");
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
            (BOOTS, &[Boot], Running, Signals(&[TERM, INT]), EndsTheSystem(OnExit::Reboot, true)),
            (BOOTS, &[Boot], ShuttingDown, Signals(&[TERM, INT]), EndsTheSystem(OnExit::Reboot, false)),
            (BOOTS, &[Boot], Running, Signals(&[HUP]), Passes(GROUP, ONLY)),
        ]);
    }

    #[test]
    #[rustfmt::skip]
    fn terminal_stops_follow_each_program_and_stop_the_job_where_it_can_stop() {
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
            (&["dumb-init"], &[Alone], Running, Signals(TERMINAL_STOPS), PassesAs(GROUP, STOP, STOPS_US)),
            (&["dumb-init"], &[Pid1, Inside], Running, Signals(TERMINAL_STOPS), PassesAs(GROUP, STOP, TELLS_LAUNCHER)),
            (&["dumb-init -c"], &[Alone], Running, Signals(TERMINAL_STOPS), Passes(COMMAND, STOPS_US)),
            // A SIGCONT on its way would be lost to our own stop: the job stops without us.
            (&["dumb-init"], &[Alone], ContPending, Signals(&[TSTP]), PassesAs(GROUP, STOP, MARKS_ONLY)),
            (&["dumb-init"], &[Pid1], ContPending, Signals(&[TSTP]), PassesAs(GROUP, STOP, TELLS_LAUNCHER)),
            // Stopped already, it does not stop again; the init inside tells of every stop.
            (&["dumb-init"], &[Alone, Pid1], Stopped, Signals(&[TSTP]), PassesAs(GROUP, STOP, ONLY)),
            (&["dumb-init"], &[Inside], Stopped, Signals(&[TSTP]), PassesAs(GROUP, STOP, TELLS_LAUNCHER)),
            (ALL, &[Launcher], Running, Signals(TERMINAL_STOPS), Passes(INIT, ONLY)),
            (PAUSERS, &[Pause], Running, Signals(TERMINAL_STOPS), Ignores),
            (&["boxinit", "tini", "boxinit --boot"], &[Boot], Running, Signals(&[TSTP]), Passes(GROUP, ONLY)),
            (&["dumb-init"], &[Boot], Running, Signals(&[TSTP]), PassesAs(GROUP, STOP, TELLS_LAUNCHER)),
            (&["catatonit"], &[Boot], Running, Signals(TERMINAL_STOPS), Ignores),
        ]);
    }

    #[test]
    #[rustfmt::skip]
    fn any_stop_of_the_command_stops_the_job_once_as_the_place_allows() {
        check(&[
            (ALL, &[Alone], Running, CommandStops, Stops(STOPS_US)),
            (ALL, &[Alone], ContPending, CommandStops, Stops(MARKS_ONLY)),
            // PID 1 cannot stop itself; the init inside leaves the job to its launcher.
            (ALL, &[Pid1, Inside], Running, CommandStops, Stops(TELLS_LAUNCHER)),
            (ALL, &[Pid1, Inside], ContPending, CommandStops, Stops(TELLS_LAUNCHER)),
            (BOOTS, &[Boot], Running, CommandStops, Stops(TELLS_LAUNCHER)),
            (ALL, &[Alone, Pid1], Stopped, CommandStops, Stops(ONLY)),
            // The launcher continues the command, so the init tells of every stop.
            (ALL, &[Inside], Stopped, CommandStops, Stops(TELLS_LAUNCHER)),
            // An init stops only because its launcher stopped it.
            (ALL, &[Launcher], Running, CommandStops, Waits),
            // Only a launcher looks inside after a reap, and only while the init lives.
            (ALL, &[Launcher], Running, Reaped, LooksInside),
            (ALL, &[Launcher], Stopped, Reaped, LooksInside),
            (ALL, SUPERVISING, Running, Reaped, Waits),
            // Told the init's command stopped, the launcher stops the init, then itself.
            (ALL, &[Launcher], Running, InitsCommandStops, Stops(STOPS_INIT_THEN_US)),
            (ALL, &[Launcher], ContPending, InitsCommandStops, Stops(STOPS_INIT_ONLY)),
            (ALL, &[Launcher], Stopped, InitsCommandStops, Stops(ONLY)),
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
            (BOOTS, &[Boot], Stopped, Signals(&[CONT]), Resumes(Resume::Command(CHILD))),
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
            (&["boxinit", "tini", "catatonit", "boxinit --boot"], &[Boot], Running, Signals(FAULTS), Ignores),
            (&["dumb-init"], &[Boot], Running, Signals(FAULTS), Passes(GROUP, ONLY)),
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
            (BOOTS, &[Boot], Running, Signals(&[USR1]), EndsTheSystem(OnExit::Halt, true)),
            (BOOTS, &[Boot], Running, Signals(&[USR2]), EndsTheSystem(OnExit::PowerOff, true)),
            (BOOTS, &[Boot], EndedShuttingDown, Signals(&[USR2]), EndsTheSystem(OnExit::PowerOff, false)),
        ]);
    }

    #[test]
    #[rustfmt::skip]
    fn signals_no_rule_names_are_passed_on_as_they_come() {
        check(&[
            (ALONE_SIGNALLERS, SUPERVISING, Running, Signals(OTHERS), Passes(COMMAND, ONLY)),
            (&["dumb-init"], SUPERVISING, Running, Signals(OTHERS), Passes(GROUP, ONLY)),
            (ALL, &[Launcher], Running, Signals(OTHERS), Passes(INIT, ONLY)),
            (PAUSERS, &[Pause], Running, Signals(OTHERS), Ignores),
            (BOOTS, &[Boot], Running, Signals(OTHERS), Passes(GROUP, ONLY)),
            // A stopped job has them passed on all the same.
            (ALONE_SIGNALLERS, SUPERVISING, Stopped, Signals(OTHERS), Passes(COMMAND, ONLY)),
        ]);
    }

    #[test]
    #[rustfmt::skip]
    fn rewritten_signals_are_passed_on_as_asked_by_the_init_not_the_launcher() {
        check(&[
            (&["boxinit -r TERM:INT"], SUPERVISING, Running, Signals(&[TERM]), PassesAs(COMMAND, INT, ONLY)),
            (&["dumb-init -r 15:2"], SUPERVISING, Running, Signals(&[TERM]), PassesAs(GROUP, INT, ONLY)),
            (&["boxinit -r HUP:0"], SUPERVISING, Running, Signals(&[HUP]), PassesAs(COMMAND, 0, ONLY)),
            (&["boxinit -r WINCH:0"], SUPERVISING, Running, Signals(&[libc::SIGWINCH]), PassesAs(COMMAND, 0, ONLY)),
            // A rewritten fault signal is passed on: someone asked for it.
            (&["boxinit -r SEGV:USR1"], SUPERVISING, Running, Signals(&[SEGV]), PassesAs(COMMAND, USR1, ONLY)),
            (&["boxinit -r TERM:INT"], &[Launcher], Running, Signals(&[TERM]), Passes(INIT, ONLY)),
        ]);
    }

    #[test]
    #[rustfmt::skip]
    fn a_grace_period_turns_term_into_one_shutdown() {
        check(&[
            (&["boxinit --grace 1s", "tini --grace 1s"], SUPERVISING, Running, Signals(&[TERM]), ShutsDown),
            (&["boxinit --grace 1s"], SUPERVISING, Running, Signals(&[INT, HUP]), Passes(COMMAND, ONLY)),
            // Once it runs, a TERM is passed on like any other signal.
            (&["boxinit --grace 1s"], SUPERVISING, ShuttingDown, Signals(&[TERM]), Passes(COMMAND, ONLY)),
            (&["boxinit --grace 1s"], SUPERVISING, Ended, Signals(&[TERM]), ShutsDown),
            (&["boxinit --grace 1s"], SUPERVISING, EndedShuttingDown, Signals(&[TERM]), PassesToEveryone),
            // The grace period is the init's: the launcher relays.
            (&["boxinit --grace 1s"], &[Launcher], Running, Signals(&[TERM]), Passes(INIT, ONLY)),
        ]);
    }

    #[test]
    #[rustfmt::skip]
    #[cfg(feature = "stop-delay")]
    fn a_stop_delay_holds_the_first_term_while_the_command_serves() {
        const DELAYED: &[&str] = &["boxinit --stop-delay 1s", "tini --stop-delay 1s", "dumb-init --stop-delay 1s", "catatonit --stop-delay 1s"];
        const DELAYED_GRACE: &[&str] = &["boxinit --stop-delay 1s --grace 1s"];
        check(&[
            (DELAYED, SUPERVISING, Running, Signals(&[TERM]), HoldsTerm),
            (DELAYED_GRACE, SUPERVISING, Running, Signals(&[TERM]), HoldsTerm),
            // Every other signal goes at once meanwhile.
            (&["boxinit --stop-delay 1s"], SUPERVISING, Running, Signals(&[INT, HUP, USR1]), Passes(COMMAND, ONLY)),
            (&["boxinit --stop-delay 1s"], SUPERVISING, TermHeld, Signals(&[INT, HUP, USR1]), Passes(COMMAND, ONLY)),
            // A second TERM, or the one held once the delay is over, goes as without a delay.
            (&["boxinit --stop-delay 1s"], SUPERVISING, TermHeld, Signals(&[TERM]), Passes(COMMAND, ONLY)),
            (&["dumb-init --stop-delay 1s"], SUPERVISING, TermHeld, Signals(&[TERM]), Passes(GROUP, ONLY)),
            (DELAYED_GRACE, SUPERVISING, TermHeld, Signals(&[TERM]), ShutsDown),
            // With the command gone, or everyone TERMed already, there is nothing to serve on.
            (&["boxinit --stop-delay 1s"], SUPERVISING, Ended, Signals(&[TERM]), PassesToEveryone),
            (DELAYED_GRACE, SUPERVISING, Ended, Signals(&[TERM]), ShutsDown),
            (DELAYED_GRACE, SUPERVISING, ShuttingDown, Signals(&[TERM]), Passes(COMMAND, ONLY)),
            // The delay is the init's: the launcher relays at once.
            (DELAYED, &[Launcher], Running, Signals(&[TERM]), Passes(INIT, ONLY)),
        ]);
    }

    /// The rule itself, whatever the options a build takes: only the stop delay's own
    /// feature holds a TERM, and never the one held, taken again.
    #[test]
    fn a_term_is_held_only_in_a_build_with_the_stop_delay() {
        let how = Supervision {
            stop_delay_ms: 1000,
            ..policy("boxinit", true, Host::default())
        };
        let role = Role::new(Chain::Alone, false);
        let first = decide(
            &how,
            role,
            &facts(Running, Some(CHILD)),
            Event::Signal(TERM),
        );
        assert_eq!(first == Plan::HoldTerm, cfg!(feature = "stop-delay"));
        let again = decide(
            &how,
            role,
            &facts(TermHeld, Some(CHILD)),
            Event::Signal(TERM),
        );
        let passed = Plan::Deliver {
            to: COMMAND,
            signal: TERM,
            stop: Stop::NOTHING,
        };
        assert_eq!(again, passed);
    }

    #[test]
    #[rustfmt::skip]
    fn once_the_command_ended_signals_go_to_everyone_left() {
        check(&[
            (ALONE_SIGNALLERS, SUPERVISING, Ended, Signals(&[TERM, HUP, USR1, libc::SIGWINCH, 34]), PassesToEveryone),
            (&["dumb-init"], SUPERVISING, Ended, Signals(&[TERM, USR1]), PassesToEveryone),
            (ALL, &[Launcher], Ended, Signals(&[TERM, USR1]), PassesToEveryone),
            // A job stopped as its command ended is not resumed: there is nothing to resume.
            (ALL, SUPERVISING, Ended, Signals(&[CONT]), PassesToEveryone),
            // Who ignores a signal ignores it still.
            (&["catatonit"], SUPERVISING, Ended, Signals(&[TSTP]), Ignores),
            (&["boxinit"], SUPERVISING, Ended, Signals(FAULTS), Ignores),
            // A system still ends as a signal asks.
            (BOOTS, &[Boot], Ended, Signals(&[TERM]), EndsTheSystem(OnExit::Reboot, true)),
            (BOOTS, &[Boot], Ended, Signals(&[HUP]), PassesToEveryone),
        ]);
    }

    #[test]
    #[rustfmt::skip]
    fn dumb_inits_session_gets_sigterm_as_rewritten_when_the_command_ends() {
        check(&[
            (&["dumb-init"], SUPERVISING, Ended, CommandEnds, Sends(GROUP, TERM)),
            (&["dumb-init -r 15:2"], SUPERVISING, Ended, CommandEnds, Sends(GROUP, INT)),
            (&["dumb-init -r 15:0"], SUPERVISING, Ended, CommandEnds, Waits),
            // Without a session of its own the command's helpers are not its own.
            (&["dumb-init -c"], SUPERVISING, Ended, CommandEnds, Waits),
            (ALONE_SIGNALLERS, SUPERVISING, Ended, CommandEnds, Waits),
            (&["boxinit -g"], SUPERVISING, Ended, CommandEnds, Waits),
            (ALL, &[Launcher], Ended, CommandEnds, Waits),
            // The init of a boot leaves them to its grace period.
            (BOOTS, &[Boot], Ended, CommandEnds, Waits),
        ]);
    }

    #[test]
    #[rustfmt::skip]
    fn supervision_ends_with_the_command_unless_asked_to_wait() {
        check(&[
            (ALL, SUPERVISING, Running, Reaped, Waits),
            (PAUSERS, &[Pause], Running, Reaped, Waits),
            (ALL, SUPERVISING, Ended, Reaped, Finishes(3)),
            (ALL, &[Launcher], Ended, Reaped, Finishes(3)),
            (&["boxinit --wait-all"], SUPERVISING, Ended, Reaped, Waits),
            (&["boxinit --wait-all"], SUPERVISING, EndedAlone, Reaped, Finishes(3)),
            // A grace period starts when the command ends, and once.
            (&["boxinit --grace 1"], SUPERVISING, Ended, Reaped, ShutsDown),
            (&["boxinit --grace 1"], SUPERVISING, EndedShuttingDown, Reaped, Waits),
            (&["boxinit --grace 1"], SUPERVISING, EndedAlone, Reaped, Finishes(3)),
            (&["boxinit --grace 1 --wait-all"], SUPERVISING, Ended, Reaped, Waits),
            // A boot always has one.
            (BOOTS, &[Boot], Ended, Reaped, ShutsDown),
            (BOOTS, &[Boot], EndedShuttingDown, Reaped, Waits),
            (BOOTS, &[Boot], EndedAlone, Reaped, Finishes(3)),
            // Killed: 128+N, unless that status was named as a success.
            (ALL, SUPERVISING, Killed, Reaped, Finishes(137)),
            (&["tini -e 137"], SUPERVISING, Killed, Reaped, Finishes(0)),
            (&["tini -e 3"], SUPERVISING, EndedAlone, Reaped, Finishes(0)),
        ]);
    }
}
