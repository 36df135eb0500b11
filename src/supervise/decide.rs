//! The supervisor's decisions, as pure functions of what it was asked to do (the
//! `Supervision` the options and the personality give) and what it knows now: which signal
//! goes where, and when supervision is over. The loop in `mod.rs` carries them out.

use crate::config::{OnExit, Supervision};
use crate::signals;
use crate::sys::{Exit, Pid, Signal, Target};

/// What the supervisor knows when a signal comes.
#[derive(Clone, Copy, Debug)]
pub struct Facts {
    /// The command's pid; none in pause mode, which has no command.
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
    /// Continue the stopped job.
    ResumeJob,
    /// TERM everyone left and KILL them after the grace period.
    ShutDown,
    /// Boot mode: end the system this way, once everyone is gone.
    EndSystem(OnExit),
    /// Pause mode: exit with this status now.
    Finish(u8),
    /// The command is gone: the signal goes to every process left.
    ToEveryone,
    /// Send `signal` (the rewritten one; 0: rewritten to nothing) to `to`, then stop the job
    /// too when `stop_job` says so.
    Deliver {
        to: Target,
        signal: Signal,
        stop_job: bool,
    },
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
    if how.system {
        // As busybox's init: TERM and INT (Ctrl-Alt-Del) reboot, USR1 halts, USR2 powers off.
        match sig {
            libc::SIGTERM | libc::SIGINT => return Reaction::EndSystem(OnExit::Reboot),
            libc::SIGUSR1 => return Reaction::EndSystem(OnExit::Halt),
            libc::SIGUSR2 => return Reaction::EndSystem(OnExit::PowerOff),
            _ => {}
        }
    }
    if sig == libc::SIGCONT && now.job_stopped && !now.command_ended {
        return Reaction::ResumeJob;
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
        stop_job: how.stop_on_terminal_stops && signals::is_terminal_stop(sig),
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

    const PERSONALITIES: [&str; 4] = ["boxinit", "tini", "dumb-init", "catatonit"];

    /// The supervision a name (and options) gives, as parsed for real.
    fn policy(argv: &[&str]) -> Supervision {
        let config = opts::parse(Strings::leak(argv), Strings::EMPTY, Host::default());
        config.unwrap().supervision
    }

    fn running() -> Facts {
        Facts {
            command: Some(42),
            command_ended: false,
            job_stopped: false,
            shutting_down: false,
        }
    }

    fn delivered(how: &Supervision, sig: Signal) -> Option<(Target, Signal, bool)> {
        match react(how, running(), sig) {
            Reaction::Deliver {
                to,
                signal,
                stop_job,
            } => Some((to, signal, stop_job)),
            _ => None,
        }
    }

    #[test]
    fn plain_signals_reach_the_command_under_every_name() {
        for name in PERSONALITIES {
            let how = policy(&[name, "x"]);
            for sig in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP, libc::SIGUSR1, 40] {
                let (to, signal, _) = delivered(&how, sig).expect(name);
                assert_eq!(signal, sig, "{name}");
                // dumb-init signals the command's session; the others the command alone.
                let want = if name == "dumb-init" {
                    Target::Group(42)
                } else {
                    Target::Process(42)
                };
                assert_eq!(to, want, "{name} {sig}");
            }
        }
    }

    #[test]
    fn fault_signals_are_passed_on_by_dumb_init_only() {
        for name in PERSONALITIES {
            let how = policy(&[name, "x"]);
            for sig in [libc::SIGSEGV, libc::SIGBUS, libc::SIGABRT] {
                let passed = delivered(&how, sig).is_some();
                assert_eq!(passed, name == "dumb-init", "{name} {sig}");
            }
        }
    }

    #[test]
    fn terminal_stops_follow_each_program() {
        let tstp = libc::SIGTSTP;
        let ttin = libc::SIGTTIN;
        // boxinit passes them on and lets the command's own stop stop the job.
        assert_eq!(
            delivered(&policy(&["boxinit", "x"]), tstp),
            Some((Target::Process(42), tstp, false))
        );
        // tini ignores TTIN and TTOU itself; catatonit all three.
        assert!(delivered(&policy(&["tini", "x"]), ttin).is_none());
        assert!(delivered(&policy(&["tini", "x"]), tstp).is_some());
        for sig in [tstp, ttin, libc::SIGTTOU] {
            assert!(delivered(&policy(&["catatonit", "x"]), sig).is_none());
        }
        // dumb-init's session turns them into STOP for the group, and stops itself too.
        assert_eq!(
            delivered(&policy(&["dumb-init", "x"]), tstp),
            Some((Target::Group(42), libc::SIGSTOP, true))
        );
        assert_eq!(
            delivered(&policy(&["dumb-init", "-c", "x"]), tstp),
            Some((Target::Process(42), tstp, true))
        );
    }

    #[test]
    fn rewrites_and_drops_are_applied() {
        let how = policy(&["boxinit", "-r", "TERM:INT", "-r", "HUP:0", "x"]);
        assert_eq!(
            delivered(&how, libc::SIGTERM),
            Some((Target::Process(42), libc::SIGINT, false))
        );
        assert_eq!(
            delivered(&how, libc::SIGHUP),
            Some((Target::Process(42), 0, false))
        );
        // A rewritten fault signal is passed on: someone asked for it.
        let how = policy(&["boxinit", "-r", "SEGV:USR1", "x"]);
        assert!(delivered(&how, libc::SIGSEGV).is_some());
    }

    #[test]
    fn process_group_mode_signals_the_group() {
        for name in ["boxinit", "tini", "catatonit"] {
            let (to, _, _) = delivered(&policy(&[name, "-g", "x"]), libc::SIGTERM).unwrap();
            assert_eq!(to, Target::Group(42), "{name}");
        }
    }

    #[test]
    fn a_stopped_job_is_resumed_by_cont_and_cont_is_passed_on_otherwise() {
        let how = policy(&["boxinit", "x"]);
        let stopped = Facts {
            job_stopped: true,
            ..running()
        };
        assert_eq!(react(&how, stopped, libc::SIGCONT), Reaction::ResumeJob);
        assert!(delivered(&how, libc::SIGCONT).is_some());
    }

    #[test]
    fn grace_turns_term_into_a_shutdown_once() {
        let how = policy(&["boxinit", "--grace", "1s", "x"]);
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
        let how = policy(&["boxinit", "--wait-all", "x"]);
        let ended = Facts {
            command_ended: true,
            ..running()
        };
        assert_eq!(react(&how, ended, libc::SIGUSR1), Reaction::ToEveryone);
    }

    #[test]
    fn pause_ends_on_term_or_int_and_ignores_the_rest() {
        let how = policy(&["catatonit", "-P"]);
        let pause = Facts {
            command: None,
            ..running()
        };
        assert_eq!(react(&how, pause, libc::SIGTERM), Reaction::Finish(0));
        assert_eq!(react(&how, pause, libc::SIGINT), Reaction::Finish(0));
        assert!(matches!(
            react(&how, pause, libc::SIGHUP),
            Reaction::Ignore(_)
        ));
    }

    #[test]
    #[cfg(feature = "boot")]
    fn the_system_init_ends_the_system_as_busybox_init_does() {
        let how = policy(&["boxinit", "--boot", "x"]);
        let want = [
            (libc::SIGTERM, OnExit::Reboot),
            (libc::SIGINT, OnExit::Reboot),
            (libc::SIGUSR1, OnExit::Halt),
            (libc::SIGUSR2, OnExit::PowerOff),
        ];
        for (sig, end) in want {
            assert_eq!(react(&how, running(), sig), Reaction::EndSystem(end));
        }
        // Anything else goes to the command's session, faults excepted.
        assert_eq!(
            delivered(&how, libc::SIGHUP),
            Some((Target::Group(42), libc::SIGHUP, false))
        );
        assert!(delivered(&how, libc::SIGSEGV).is_none());
    }

    #[test]
    fn supervision_ends_with_the_command_unless_asked_to_wait() {
        let code = Some(Exit::Code(3));
        let plain = policy(&["boxinit", "x"]);
        assert_eq!(after_reap(&plain, None, true, false), Next::Wait);
        assert_eq!(after_reap(&plain, code, true, false), Next::Exit(3));
        let wait_all = policy(&["boxinit", "--wait-all", "x"]);
        assert_eq!(after_reap(&wait_all, code, true, false), Next::Wait);
        assert_eq!(after_reap(&wait_all, code, false, false), Next::Exit(3));
        let grace = policy(&["boxinit", "--grace", "1", "x"]);
        assert_eq!(after_reap(&grace, code, true, false), Next::ShutDown);
        assert_eq!(after_reap(&grace, code, true, true), Next::Wait);
        let both = policy(&["boxinit", "--grace", "1", "--wait-all", "x"]);
        assert_eq!(after_reap(&both, code, true, false), Next::Wait);
        let killed = Some(Exit::Signal(libc::SIGKILL));
        assert_eq!(after_reap(&plain, killed, false, false), Next::Exit(137));
        let expected = policy(&["tini", "-e", "137", "x"]);
        assert_eq!(after_reap(&expected, killed, false, false), Next::Exit(0));
    }
}
