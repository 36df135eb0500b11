//! boxinit: one small static PID 1 for containers, launchers and boot.
//!
//! The whole run, from the top: read the options; block every signal; make the cgroup when
//! limits are asked for; when namespaces are asked for, unshare them and (for a PID
//! namespace) fork the process that will be PID 1 inside; set up the container; start the
//! command; supervise it; remove the cgroup; exit with the command's status.

#![cfg_attr(not(test), no_std)]
#![cfg_attr(not(test), no_main)]

mod accounts;
mod boot;
mod cgroups;
mod container;
mod env;
mod fds;
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
use supervise::{Parent, Supervision};
use sys::{Errno, Pid, SigSet, Strings};

/// Called by the entry point in `sys` with argv and envp.
pub fn start(args: Strings, env: Strings) -> ! {
    boot::detect();
    let config = opts::parse(args, env).unwrap_or_else(|f| boot::refuse(&f, env));
    out::set_verbosity(config.verbosity);
    if config.action != Action::Run {
        let status = help::answer(config.action, config.personality);
        // The kernel's init may not exit, even after --help.
        if config.boot.enabled {
            boot::quit(status);
        }
        sys::exit(status);
    }
    // What configured this boxinit is not the command's business, and would mislead a
    // boxinit inside it. From here on only this `env` is used (see `Strings::without`).
    let env = env.without(opts::is_own_variable);
    if config.boot.enabled {
        boot::run(&config, env);
    }
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
        // not reap them (or to a host init that is not ours to burden). Where this is refused
        // (qemu's user-mode emulation refuses it) we still supervise the command, as tini
        // does without -s, and say so.
        if let Err(e) = sys::set_child_subreaper() {
            out::error("warning: becoming a subreaper", b"", Some(e));
        }
    }

    if config.is_container() || config.keep_fds.given() {
        fds::close_inherited(&config.keep_fds)?;
    }
    // After the closing, which would take its descriptors with the rest.
    let parent = match config.die_with_parent {
        true => die_with_parent(config.parent_pid)?,
        false => None,
    };
    let env = env::for_command(env, &config.env)?;
    container::join(&config.joins)?;

    // Limits: the command's cgroup is made before anything else and removed once the
    // container has ended, whichever way it ended.
    let mut ns = config.namespaces;
    let group = cgroups::create(&config.limits, ns.has(libc::CLONE_NEWCGROUP))?;
    if group.is_some() {
        // Taken by `cgroups::join` after entering the group, so that the group is the root.
        ns = container::Namespaces(ns.0 & !libc::CLONE_NEWCGROUP);
    }
    let result = contain(config, ns, env, &inherited, parent);
    match group {
        Some(group) => group.remove(result),
        None => result,
    }
}

fn contain(
    config: &Config,
    ns: container::Namespaces,
    env: Strings,
    inherited: &spawn::Inherited,
    parent: Option<Parent>,
) -> Result<u8, Failure> {
    if !ns.is_empty() {
        // The maps of a new user namespace may need a writer outside it, forked before.
        let id_maps = container::start_id_maps(&config.id_maps, ns)?;
        container::unshare(ns)?;
        id_maps.finish()?;
        container::set_time_offsets(config.time_offsets)?;
        // A new time namespace, too, starts with our next child, and one that shares our
        // memory (as the command is started) may not enter it.
        if ns.has(libc::CLONE_NEWPID) || ns.has(libc::CLONE_NEWTIME) {
            // Held by the child to see whether we died before it armed its death signal.
            let launcher = sys::Fd::pidfd_of_self()
                .map_err(|e| Failure::os("opening a pidfd of boxinit", b"", e))?;
            // Our /proc, before the init mounts the namespace's own over it: there we find
            // the command when we resume a stopped job. The init must not keep it.
            let host_proc = sys::Fd::open(c"/proc", libc::O_PATH | libc::O_DIRECTORY).ok();
            // The new PID namespace starts with our next child: it will be PID 1 there, and
            // we stay outside to pass it our signals and its status to our caller.
            if let Some(init) = sys::fork().map_err(|e| Failure::os("forking", b"", e))? {
                drop(launcher);
                let relay = Supervision {
                    chain: supervise::Chain::Launcher {
                        host_proc: host_proc.as_ref().map_or(-1, sys::Fd::raw),
                    },
                    ..Supervision::default()
                };
                return Ok(supervise::supervise(
                    init,
                    &relay,
                    SigSet::EMPTY,
                    parent.as_ref(),
                ));
            }
            // The launcher follows the parent; the init follows the launcher.
            drop(host_proc);
            drop(parent);
            // PID 1 inside ends here, never back in `run`: the cgroup is the parent's.
            let status = pid_one(config, ns, env, inherited, launcher);
            sys::exit(status.unwrap_or_else(|failure| {
                failure.report();
                Failure::STATUS
            }));
        }
    }
    set_up(config, ns)?;
    let how = &config.supervision;
    run_command(config, how, env, inherited, parent.as_ref())
}

/// The container's setup steps (when there is a namespace to set up), and the command's
/// working directory.
fn set_up(config: &Config, ns: container::Namespaces) -> Result<(), Failure> {
    if !ns.is_empty() {
        container::enter(ns, config.rootfs, config.hostname, &config.fs)?;
    }
    if let Some(dir) = config.fs.chdir {
        container::change_dir(dir)?;
    }
    Ok(())
}

/// PID 1 of a new PID namespace: the whole container, itself included, is in the cgroup.
fn pid_one(
    config: &Config,
    ns: container::Namespaces,
    env: Strings,
    inherited: &spawn::Inherited,
    launcher: sys::Fd,
) -> Result<u8, Failure> {
    die_with_launcher(launcher)?;
    cgroups::join()?;
    set_up(config, ns)?;
    let how = Supervision {
        chain: supervise::Chain::Inside,
        ..config.supervision.clone()
    };
    run_command(config, &how, env, inherited, None)
}

/// Start the command and supervise it.
fn run_command(
    config: &Config,
    how: &Supervision,
    env: Strings,
    inherited: &spawn::Inherited,
    parent: Option<&Parent>,
) -> Result<u8, Failure> {
    if config.pause {
        return Ok(supervise::pause(parent));
    }
    let ignore_once = if how.session {
        free_terminal()
    } else {
        SigSet::EMPTY
    };
    let process = spawn::Process {
        new_session: if config.new_session {
            spawn::NewSession::Always
        } else if config.is_container() {
            spawn::NewSession::UnlessJobOfTerminal
        } else {
            spawn::NewSession::Never
        },
        die_with_parent: config.die_with_parent,
    };
    let (privileges, env) =
        container::resolve_privileges(&config.privileges, config.namespaces, env)?;
    let child = spawn::spawn(
        config.command,
        env,
        inherited,
        how.session,
        &process,
        &privileges,
    )?;
    // Our own working directory must not keep a mount busy; the command kept the caller's.
    let _ = sys::chdir(c"/");
    Ok(supervise::supervise(child, how, ignore_once, parent))
}

/// --die-with-parent: the process boxinit, the container and the command die with, by default
/// our parent, or the one `--parent-pid` names. A pidfd follows it: the kernel's parent-death
/// signal would follow the thread that started us, which may end long before its process.
/// Its end is polled by the supervisor, beside the signals (`supervise::Parent`).
///
/// A parent that died already is a failure: ESRCH, or a pidfd readable at once; or a parent
/// that is no longer ours once its pidfd is open (it died before, and the pid opened may be
/// another process's). A parent that died before boxinit ran at all can only be seen through
/// `--parent-pid`: by then, our parent is already the reaper we were handed to.
fn die_with_parent(named: Option<Pid>) -> Result<Option<Parent>, Failure> {
    let ours = sys::getppid();
    let pid = named.unwrap_or(ours);
    if pid == 0 {
        // Our parent is outside our PID namespace, where no pidfd reaches: only the kernel's
        // death signal can follow it (it fires when the thread that started us ends).
        sys::set_parent_death_signal(libc::SIGKILL)
            .map_err(|e| Failure::os("setting the parent death signal", b"", e))?;
        return Ok(None);
    }
    let gone = || Failure::usage("the parent died before boxinit started", b"");
    let process = match sys::Fd::pidfd_of(pid) {
        Err(Errno::ESRCH) => return Err(gone()),
        opened => opened.map_err(|e| Failure::os("opening a pidfd of the parent", b"", e))?,
    };
    if (named.is_none() && sys::getppid() != ours) || process.is_readable() != Ok(false) {
        return Err(gone());
    }
    let signals =
        sys::Fd::signalfd(SigSet::ALL).map_err(|e| Failure::os("opening a signalfd", b"", e))?;
    Ok(Some(Parent { process, signals }))
}

/// If boxinit outside dies, nothing may live on inside. The kernel sends the death signal
/// only for a death after it was armed: a launcher that died since the fork (found by its
/// pidfd) means we go at once, as the signal would have made us.
fn die_with_launcher(launcher: sys::Fd) -> Result<(), Failure> {
    sys::set_parent_death_signal(libc::SIGKILL)
        .map_err(|e| Failure::os("setting the parent death signal", b"", e))?;
    if launcher.is_readable() != Ok(false) {
        sys::exit(128 + libc::SIGKILL as u8);
    }
    Ok(())
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
    // In boot mode a clean power-off, not a kernel panic.
    boot::quit(Failure::STATUS)
}
