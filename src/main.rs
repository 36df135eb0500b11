//! boxinit: one small static PID 1 for containers, launchers and boot.
//!
//! The whole run, from the top: read the options; block every signal; when namespaces are
//! asked for, unshare them and (for a PID namespace) fork the process that will be PID 1
//! inside; set up the container; start the command; supervise it; exit with its status.

#![cfg_attr(not(test), no_std)]
#![cfg_attr(not(test), no_main)]

mod container;
mod help;
mod opts;
mod out;
mod procs;
mod signals;
mod spawn;
mod supervise;
mod sys;
mod values;

use opts::{Action, Config};
use out::Failure;
use supervise::Supervision;
use sys::{SigSet, Strings};

/// Called by the entry point in `sys` with argv and envp.
pub fn start(args: Strings, env: Strings) -> ! {
    let config = opts::parse(args, env).unwrap_or_else(|f| f.exit());
    out::set_verbosity(config.verbosity);
    if config.action != Action::Run {
        sys::exit(help::answer(config.action, config.personality));
    }
    // What configured this boxinit is not the command's business, and would mislead a
    // boxinit inside it. From here on only this `env` is used (see `Strings::without`).
    let env = env.without(opts::is_own_variable);
    match run(&config, env) {
        Ok(status) => sys::exit(status),
        Err(failure) => failure.exit(),
    }
}

fn run(config: &Config, env: Strings) -> Result<u8, Failure> {
    let inherited = spawn::take_signals(config.child_signals)?;
    if let Some(sig) = config.parent_death_signal {
        sys::set_parent_death_signal(sig)
            .map_err(|e| Failure::os("setting the parent death signal", b"", e))?;
    }
    if sys::getpid() != 1 {
        // Orphans of the command must come to us to be reaped, not to an init that may
        // not reap them (or to a host init that is not ours to burden).
        sys::set_child_subreaper().map_err(|e| Failure::os("becoming a subreaper", b"", e))?;
    }

    let ns = config.namespaces;
    if !ns.is_empty() {
        container::unshare(ns)?;
        if ns.has(libc::CLONE_NEWPID) {
            // The new PID namespace starts with our next child: it will be PID 1 there, and
            // we stay outside to pass it our signals and its status to our caller.
            if let Some(init) = sys::fork().map_err(|e| Failure::os("forking", b"", e))? {
                return Ok(supervise::supervise(
                    init,
                    &Supervision::default(),
                    SigSet::EMPTY,
                ));
            }
            // If boxinit outside dies, nothing may live on inside.
            sys::set_parent_death_signal(libc::SIGKILL)
                .map_err(|e| Failure::os("setting the parent death signal", b"", e))?;
        }
        container::enter(ns, config.rootfs, config.hostname)?;
    }

    if config.pause {
        return Ok(supervise::pause());
    }
    let how = &config.supervision;
    let ignore_once = if how.session {
        free_terminal()
    } else {
        SigSet::EMPTY
    };
    let child = spawn::spawn(config.command, env, &inherited, how.session)?;
    // Our own working directory must not keep a mount busy; the command kept the caller's.
    let _ = sys::chdir(c"/");
    Ok(supervise::supervise(child, how, ignore_once))
}

/// In session mode the command's new session takes our terminal, which only works once a
/// session leader holding it lets go. Letting go sends SIGHUP and SIGCONT to our group before
/// the ioctl returns: they are taken here, at once, rather than swallowed later, when one
/// sent by someone else in the meantime would have merged into them and been lost. Returns
/// the signals still to swallow once (none).
fn free_terminal() -> SigSet {
    let leader = sys::getsid() == Ok(sys::getpid());
    if leader
        && sys::foreground(sys::STDIN).is_ok()
        && sys::release_controlling_tty(sys::STDIN).is_ok()
    {
        let ours = SigSet::EMPTY.with(libc::SIGHUP).with(libc::SIGCONT);
        while sys::wait_signal(ours, Some(0)).is_ok() {}
    }
    SigSet::EMPTY
}

#[cfg(not(test))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    out::error("internal error", b"", None);
    sys::exit(Failure::STATUS)
}
