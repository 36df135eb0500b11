//! boxinit: one small static PID 1 for containers, launchers and boot.
//!
//! The whole run, from the top: read the options; block every signal; when namespaces are
//! asked for, unshare them and (for a PID namespace) fork the process that will be PID 1
//! inside; set up the container; start the command; supervise it; exit with its status.

#![cfg_attr(not(test), no_std)]
#![cfg_attr(not(test), no_main)]

mod accounts;
mod container;
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
    match config.action {
        Action::Help => out::print(HELP),
        Action::Version => out::print(version(config.personality)),
        Action::License => out::print(LICENSE),
        Action::Run => match run(&config, env) {
            Ok(status) => sys::exit(status),
            Err(failure) => failure.exit(),
        },
    }
    sys::exit(0)
}

fn run(config: &Config, env: Strings) -> Result<u8, Failure> {
    let inherited = spawn::take_signals()?;
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
        // The maps of a new user namespace may need a writer outside it, forked before.
        let id_maps = container::start_id_maps(&config.id_maps, ns)?;
        container::unshare(ns)?;
        id_maps.finish()?;
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
    let (privileges, env) = container::resolve_privileges(&config.privileges, ns, env)?;
    let child = spawn::spawn(config.command, env, &inherited, how.session, &privileges)?;
    // Our own working directory must not keep a mount busy; the command kept the caller's.
    let _ = sys::chdir(c"/");
    Ok(supervise::supervise(child, how, ignore_once))
}

/// In session mode the command's new session takes our terminal, which only works once a
/// session leader holding it lets go. Letting go sends SIGHUP and SIGCONT to our group: the
/// returned set is those two, to be swallowed once rather than passed to the command.
fn free_terminal() -> SigSet {
    let leader = sys::getsid() == Ok(sys::getpid());
    if leader
        && sys::foreground(sys::STDIN).is_ok()
        && sys::release_controlling_tty(sys::STDIN).is_ok()
    {
        SigSet::EMPTY.with(libc::SIGHUP).with(libc::SIGCONT)
    } else {
        SigSet::EMPTY
    }
}

fn version(personality: opts::Personality) -> &'static str {
    match personality {
        // docker info parses `tini version X - git.Y` from its init's --version.
        opts::Personality::DumbInit => {
            concat!("dumb-init v", env!("CARGO_PKG_VERSION"), " (boxinit)\n")
        }
        _ => concat!(
            "tini version ",
            env!("CARGO_PKG_VERSION"),
            " - git.boxinit\n"
        ),
    }
}

const HELP: &str = concat!(
    "boxinit ",
    env!("CARGO_PKG_VERSION"),
    ": a small PID 1 for containers and minimal systems

Usage: boxinit [OPTIONS] [--] [COMMAND [ARG...]]      (COMMAND defaults to /bin/sh)

Container (each also read from BOXINIT_<NAME> in the environment; the command line wins):
  --rootfs DIR          run COMMAND with DIR as its root (pivot_root, fresh /proc)
  --hostname NAME       hostname inside a new UTS namespace
  --unshare LIST        namespaces: mnt,uts,ipc,pid,net,cgroup,time,user, all or none
                        (default mnt,uts,ipc,pid with --rootfs or --hostname, else none;
                        user comes first when the caller is not root)
Identity (with or without a container):
  --user USER[:GROUP]   run COMMAND as USER (names from the rootfs's /etc/passwd); HOME set
  --groups LIST         its supplementary groups instead of those /etc/group gives
  --uid N  --gid N      the caller's ids inside the user namespace (default 0)
  --map-uid IN:OUT:N    a uid range of the user namespace (repeatable); --map-gid too
  --map-users auto      the caller's /etc/subuid ranges, via newuidmap; --map-groups too
  --cap-add LIST  --cap-drop LIST   capabilities by name, or all
  --allow-new-privs     no no_new_privs in a container
  --rlimit NAME=SOFT[:HARD]   a resource limit of COMMAND (NOFILE, NPROC, CORE, ...)
Supervision:
  -g, --process-group   send signals to the command's whole process group
  -e, --expect-exit N   report exit code N as 0 (repeatable)
  -p, --parent-death-signal SIG   signal boxinit gets when its parent dies
  -c, --single-child    dumb-init: no new session, signals to the command only
  -r, --rewrite S:R     deliver signal R when S arrives; R=0 drops S (repeatable)
  -P, --pause           no command: wait for TERM or INT, reaping orphans
  --grace DURATION      on TERM or when the command ends, TERM everyone left and KILL
                        them after DURATION (10, 10s, 500ms, 1m)
  --wait-all            exit only when every descendant is gone
  -w, --warn-zombies    warn about each orphan reaped
  -v, --verbose         say more (repeatable); BOXINIT_VERBOSITY=N sets the level
  -s, --subreaper       accepted for tini; boxinit is always a subreaper when not PID 1
  -h, --help  -V, --version  -l, -L, --license

Called as tini or docker-init, dumb-init, catatonit or podman-init (argv[0]), boxinit takes
that program's flags and defaults.

Exit status: the command's, 128+N if it died of signal N, 125 if boxinit failed,
126 if COMMAND cannot run, 127 if it was not found.
"
);

const LICENSE: &str = "boxinit is distributed under the MIT license.\n";

#[cfg(not(test))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    out::error("internal error", b"", None);
    sys::exit(Failure::STATUS)
}
