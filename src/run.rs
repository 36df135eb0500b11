//! The run, from the top, for every job: read and check the options; for a boot, the boot's
//! own first steps; then the command's steps (descriptors, environment, joins, cgroup,
//! namespaces, file system, identity, start, supervise, clean up); for a boot, its end.

use crate::config::{Action, Chain, Config, Host, Namespaces, Personality, Supervision};
use crate::supervise::{Outcome, Parent};
use crate::sys::{Errno, Pid, SigSet, Strings};
use crate::{boot, cgroups, check, container, env, fds, help, opts, out, spawn, supervise, sys};
use out::Failure;

/// Called by the entry point in `sys` with argv and envp.
pub fn start(args: Strings, env: Strings) -> ! {
    out::set_style(Personality::of(args).style());
    let host = Host {
        euid: sys::geteuid(),
        kernel_init: boot::detect(),
    };
    // One `Config`, checked where it lies: passed from `Result` to `Result` it would be
    // copied at each (it holds every option's storage), each copy more stack touched.
    let mut parsed = parse(args, env, host);
    if let Ok(config) = &parsed {
        // Help, version and license answer whatever else is wrong.
        if config.action == Action::Run {
            if let Err(failure) = check::check(config) {
                parsed = Err(config.personality.usage_failure(failure));
            }
        }
    }
    let config = match &parsed {
        Ok(config) => config,
        Err(failure) => boot::refuse(failure, args, env),
    };
    out::set_verbosity(config.verbosity);
    if config.action != Action::Run {
        boot::quit(help::answer(config.action, config.personality));
    }
    // What configured this boxinit is not the command's business, and would mislead a
    // boxinit inside it. From here on only this `env` is used (see `Strings::without`).
    let env = env.without(opts::is_own_variable);
    let made = config.boot.enabled.then(|| boot::begin(config));
    let outcome = run(config, env).unwrap_or_else(|failure| {
        failure.report();
        Outcome {
            status: failure.status(),
            system: None,
        }
    });
    if let Some(made) = made {
        boot::end(config, outcome, made);
    }
    sys::exit(outcome.status)
}

/// The parser in a frame of its own, gone before the run: inlined, its state (every option's
/// storage, as large as the `Config`) would stay on the stack under every step of the run.
/// Without the launcher's parts both are small, and the call would only add code.
#[cfg_attr(feature = "launcher", inline(never))]
fn parse(args: Strings, env: Strings, host: Host) -> Result<Config, Failure> {
    opts::parse(args, env, host)
}

/// The command's steps, the same for every job.
// Out of line: inlined into `start`, its one caller, it made the aarch64 build 416 B and the
// x86_64 supervisor build 104 B larger (the other two 64 and 80 B smaller).
#[inline(never)]
fn run(config: &Config, env: Strings) -> Result<Outcome, Failure> {
    let inherited = spawn::take_signals(config.child_signals)?;
    if let Some(sig) = config.parent_death_signal {
        sys::set_parent_death_signal(sig)
            .map_err(|e| Failure::os_bare(c"setting the parent death signal", e))?;
    }
    if sys::getpid() != 1 {
        if config.personality == Personality::Pause {
            // As Kubernetes' pause: said, not refused (it has uses outside a pod too).
            out::say(out::WARN, &[b"pause is not process 1 of its PID namespace"]);
        }
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
    // (Nothing is joined before every path is found to be a namespace of its kind: a usage
    // error, with the usage status of the name boxinit is called by.)
    container::join_namespaces(&config.joins).map_err(|f| config.personality.usage_failure(f))?;

    // Limits: the command's cgroup is made before anything else and removed once the
    // container has ended, whichever way it ended.
    let mut ns = config.namespaces;
    let group = cgroups::create(&config.limits, ns.has(libc::CLONE_NEWCGROUP))?;
    if group.is_some() {
        // Taken by `cgroups::enter` after entering the group, so that the group is the root.
        ns = Namespaces(ns.0 & !libc::CLONE_NEWCGROUP);
    }
    // Entered by the process that becomes the command (or the container's PID 1).
    let result = contain(config, ns, env, &inherited, parent, group.as_ref());
    match &group {
        Some(group) => group.remove(result),
        None => result,
    }
}

fn contain(
    config: &Config,
    ns: Namespaces,
    env: Strings,
    inherited: &spawn::Inherited,
    parent: Option<Parent>,
    group: Option<&cgroups::Group>,
) -> Result<Outcome, Failure> {
    // Without the launcher there are never namespaces to make (the parser refuses the
    // options that ask for them): the rest is left out of that build.
    if ns.is_empty() || !cfg!(feature = "launcher") {
        set_up(config, ns)?;
        let how = &config.supervision;
        return run_command(config, how, env, inherited, parent.as_ref(), group);
    }
    // Before anything is made: what of the rootfs is not there now is removed at the end.
    let made = container::MountPoints::note(ns, config.rootfs, &config.fs);
    // A new time namespace, too, starts with our next child, and one that shares our
    // memory (as the command is started) may not enter it. And a mount namespace made in a
    // new user namespace is one we could not leave again to remove the mount points made:
    // a child makes it, while we stay in the host's.
    // A chroot without /proc gives no way back either.
    let way_back = match ns.has(libc::CLONE_NEWNS) && !made.is_empty() {
        true if !ns.has(libc::CLONE_NEWUSER) => container::WayBack::find(),
        _ => None,
    };
    let stay_out = ns.has(libc::CLONE_NEWNS) && !made.is_empty() && way_back.is_none();
    let launching = ns.has(libc::CLONE_NEWPID) || ns.has(libc::CLONE_NEWTIME) || stay_out;
    // The launcher stays in the host's mount namespace, where the mount points the init makes
    // are plain directories again once the container has ended; without one, the way back.
    let (here, host_mounts) = match launching {
        true => (Namespaces(ns.0 & !libc::CLONE_NEWNS), None),
        false => (ns, way_back),
    };
    // The maps of a new user namespace may need a writer outside it, forked before.
    let id_maps = container::start_id_maps(&config.id_maps, ns)?;
    container::unshare(here)?;
    id_maps.finish()?;
    container::set_time_offsets(config.time_offsets)?;
    if launching {
        return launch(config, ns, env, inherited, parent, made, group);
    }
    let how = &config.supervision;
    let outcome = set_up(config, ns)
        .and_then(|()| run_command(config, how, env, inherited, parent.as_ref(), group));
    // Back in the host's mount namespace (where ours was not made in a user namespace of its
    // own, which may not go back), the mount points are plain directories again.
    if host_mounts.is_some_and(|host| host.take().is_ok()) {
        made.remove_made();
    }
    outcome
}

/// Fork the process that is PID 1 of the new PID namespace; we stay outside, passing it our
/// signals and its status to our caller.
fn launch(
    config: &Config,
    ns: Namespaces,
    env: Strings,
    inherited: &spawn::Inherited,
    parent: Option<Parent>,
    made: container::MountPoints,
    group: Option<&cgroups::Group>,
) -> Result<Outcome, Failure> {
    // Held by the child to see whether we died before it armed its death signal.
    let launcher =
        sys::Fd::pidfd_of_self().map_err(|e| Failure::os_bare(c"opening a pidfd of boxinit", e))?;
    // Our /proc (the init mounts the namespace's own in its mount namespace): there we find
    // the command when we resume a stopped job. The init must not keep it.
    let host_proc = sys::Fd::open(c"/proc", libc::O_PATH | libc::O_DIRECTORY).ok();
    if let Some(init) = sys::fork().map_err(|e| Failure::os_bare(c"forking", e))? {
        drop(launcher);
        let relay = Supervision {
            chain: Chain::Launcher {
                host_proc: host_proc.as_ref().map_or(-1, sys::Fd::raw),
            },
            ..Supervision::default()
        };
        let outcome = supervise::supervise(Some(init), &relay, parent.as_ref());
        // The init has ended, and with it the container's mount namespace.
        made.remove_made();
        return Ok(outcome);
    }
    // The launcher follows the parent; the init follows the launcher. The rootfs's
    // directories are the launcher's to clean.
    drop(host_proc);
    drop(parent);
    made.close();
    // PID 1 inside ends here, never back in `run`: the cgroup is the launcher's.
    let status = pid_one(config, ns, env, inherited, launcher, group);
    sys::exit(status.map_or_else(
        |failure| {
            failure.report();
            failure.status()
        },
        |outcome| outcome.status,
    ));
}

/// The container's setup steps (when there is a namespace to set up), and the command's
/// working directory.
fn set_up(config: &Config, ns: Namespaces) -> Result<(), Failure> {
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
    ns: Namespaces,
    env: Strings,
    inherited: &spawn::Inherited,
    launcher: sys::Fd,
    group: Option<&cgroups::Group>,
) -> Result<Outcome, Failure> {
    die_with_launcher(launcher)?;
    cgroups::enter(group)?;
    if ns.has(libc::CLONE_NEWNS) {
        container::unshare(Namespaces(libc::CLONE_NEWNS))?;
    }
    set_up(config, ns)?;
    let how = Supervision {
        chain: Chain::Inside,
        ..config.supervision.clone()
    };
    // The command is in the group already, as our child.
    run_command(config, &how, env, inherited, None, None)
}

/// Start the command and supervise it (or, for a boot that hands over, become it).
fn run_command(
    config: &Config,
    how: &Supervision,
    env: Strings,
    inherited: &spawn::Inherited,
    parent: Option<&Parent>,
    group: Option<&cgroups::Group>,
) -> Result<Outcome, Failure> {
    if config.pause {
        return Ok(supervise::supervise(None, how, parent));
    }
    if how.command_leads_session {
        free_terminal();
    }
    let process = spawn::Process {
        detach: if config.new_session {
            spawn::Detach::Always
        } else if config.is_container() {
            spawn::Detach::UnlessJobOfTerminal
        } else {
            spawn::Detach::Never
        },
        die_with_parent: config.die_with_parent,
        cgroup: group,
    };
    let refuse = |opt, why: &[u8], value| opts::refuse_as_given(config.from_env, opt, why, value);
    let (privileges, env) =
        container::resolve_privileges(&config.privileges, config.namespaces, &refuse, env)?;
    if config.boot.exec {
        return Err(spawn::exec_command(config.command, env));
    }
    let child = spawn::start_command(
        config.command,
        env,
        inherited,
        how.command_leads_session,
        &process,
        &privileges,
    )?;
    // Our own working directory must not keep a mount busy; the command kept the caller's.
    let _ = sys::chdir(c"/");
    Ok(supervise::supervise(Some(child), how, parent))
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
            .map_err(|e| Failure::os_bare(c"setting the parent death signal", e))?;
        return Ok(None);
    }
    let gone = || Failure::plain_bare(c"the parent died before boxinit started");
    let process = match sys::Fd::pidfd_of(pid) {
        Err(Errno::ESRCH) => return Err(gone()),
        opened => opened.map_err(|e| Failure::os_bare(c"opening a pidfd of the parent", e))?,
    };
    if (named.is_none() && sys::getppid() != ours) || process.is_readable() != Ok(false) {
        return Err(gone());
    }
    let signals =
        sys::Fd::signalfd(SigSet::ALL).map_err(|e| Failure::os_bare(c"opening a signalfd", e))?;
    Ok(Some(Parent { process, signals }))
}

/// If boxinit outside dies, nothing may live on inside. The kernel sends the death signal
/// only for a death after it was armed: a launcher that died since the fork (found by its
/// pidfd) means we go at once, as the signal would have made us.
fn die_with_launcher(launcher: sys::Fd) -> Result<(), Failure> {
    sys::set_parent_death_signal(libc::SIGKILL)
        .map_err(|e| Failure::os_bare(c"setting the parent death signal", e))?;
    if launcher.is_readable() != Ok(false) {
        sys::exit(128 + libc::SIGKILL as u8);
    }
    Ok(())
}

/// In session mode the command's new session takes our terminal, which only works once a
/// session leader holding it lets go. Letting go sends SIGHUP and SIGCONT to our group before
/// the ioctl returns: they are taken here, at once, rather than swallowed later, when one
/// sent by someone else in the meantime would have merged into them and been lost.
fn free_terminal() {
    let leader = sys::getsid() == Ok(sys::getpid());
    if leader
        && sys::foreground(sys::STDIN).is_ok()
        && sys::release_controlling_tty(sys::STDIN).is_ok()
    {
        let ours = SigSet::EMPTY.with(libc::SIGHUP).with(libc::SIGCONT);
        while sys::wait_signal(ours, Some(0)).is_ok() {}
    }
}
