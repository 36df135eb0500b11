//! What boxinit prints when asked (help, version, license) or when it is given no command
//! under a name whose program needs one: each name's own text, on the stream its program
//! uses and with its exit status, so scripts that read them keep working.

use crate::opts::{Action, Personality};
use crate::out;
use crate::sys::{STDERR, STDOUT};

/// Print the answer to `action` as `personality`; returns the exit status.
#[inline(never)]
pub fn answer(action: Action, personality: Personality) -> u8 {
    use Personality::*;
    let (fd, text, status) = match (action, personality) {
        (Action::Help, Boxinit) => (STDOUT, BOXINIT_HELP, 0),
        (Action::Help, Tini) => (STDOUT, TINI_HELP, 0),
        (Action::Help, DumbInit) => (STDERR, DUMB_INIT_HELP, 0),
        (Action::Help, Catatonit) => (STDERR, CATATONIT_HELP, 0),
        // docker info parses `tini version X - git.Y` from its init's --version; catatonit
        // answers that way too.
        (Action::Version, DumbInit) => (STDERR, DUMB_INIT_VERSION, 0),
        (Action::Version, _) => (STDOUT, TINI_VERSION, 0),
        (Action::License, _) => (STDOUT, LICENSE, 0),
        (_, Tini) => (STDERR, TINI_HELP, 1),
        (_, DumbInit) => (STDERR, DUMB_INIT_USAGE, 1),
        (_, _) => {
            out::error("no command given", b"", None);
            (STDERR, CATATONIT_USAGE, 1)
        }
    };
    out::print(fd, text);
    status
}

const TINI_VERSION: &str = concat!(
    "tini version ",
    env!("CARGO_PKG_VERSION"),
    " - git.boxinit\n"
);
const DUMB_INIT_VERSION: &str = concat!("dumb-init v", env!("CARGO_PKG_VERSION"), " (boxinit)\n");

const BOXINIT_HELP: &str = concat!(
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
Limits (a cgroup of the command's own, removed when it ends):
  --memory SIZE         memory limit (k, m, g suffixes: 512m)
  --memory-swap SIZE    memory and swap together, at least --memory
  --cpus N              CPU time, in CPUs (0.5: half of one)
  --cpu-weight N        share of contended CPU time, 1-10000 (default 100)
  --pids N              most processes and threads at once
  --cgroup NAME         the group's name (default boxinit-PID)
  --join-KIND PATH      enter a namespace (net,uts,ipc,pid,mnt,cgroup,time,user)
  --boottime S  --monotonic S   clock offsets of a new time namespace
  --setenv K=V  --unsetenv K  --clearenv   the command's environment
  --keep-fd N           pass descriptor N on (a container passes only 0, 1, 2)
  --new-session         the command leaves the terminal's session
  --die-with-parent     end when the process that started boxinit ends
Filesystem (steps in command-line order; lists in BOXINIT_BIND etc. split at commas):
  --bind SRC:DST  --ro-bind SRC:DST   host SRC at DST inside, read-write or read-only
  --tmpfs DST[:SIZE]    a tmpfs at DST (SIZE like 64m)
  --ro                  the root read-only
  --volatile            rootfs under a tmpfs overlay: nothing is written back
  --chroot              chroot instead of pivot_root (for an initramfs root)
  --dev, --no-dev       a minimal /dev (default with --rootfs)
  --sys, --mqueue       a read-only /sys; /dev/mqueue
  --chdir DIR           start COMMAND in DIR
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
  -v, --verbose         report the command's pid, signals, reaped processes, the status
                        (BOXINIT_VERBOSITY=N sets the level)
  -s, --subreaper       accepted for tini; boxinit is always a subreaper when not PID 1
  -h, --help  -V, --version  -l, -L, --license
Boot (as the kernel's init, or with --boot; also BOXINIT_<NAME>, the device BOXINIT_ROOT):
  --root-device DEV     mount DEV and switch root into it (--root-fstype TYPE,
                        --root-options OPTS, --root-wait DURATION)
  --switch-root DIR     switch root into DIR
  --exec                exec COMMAND as PID 1 (a real init)
  --modules LIST        load these kernel modules first
  --on-exit WHAT        poweroff (default), reboot or halt
  --exit-device         write the status to QEMU's isa-debug-exit port
Yes/no variables (BOXINIT_PROCESS_GROUP, BOXINIT_WAIT_ALL) take 1, true, yes, on or
0, false, no, off, empty. BOXINIT_* variables are not passed on to COMMAND.

Called as tini or docker-init, dumb-init, catatonit or podman-init (argv[0]), boxinit takes
that program's flags and defaults.

Exit status: the command's, 128+N if it died of signal N, 125 if boxinit failed,
126 if COMMAND cannot run, 127 if it was not found.
"
);

const TINI_HELP: &str = concat!(
    "tini (boxinit ",
    env!("CARGO_PKG_VERSION"),
    ") runs one command as a well-behaved PID 1 would: signals passed on, orphans reaped.

Usage: tini [OPTIONS] [--] COMMAND [ARG...]     or: tini --version

  -h          this help                 --version   the version
  -l          the license
  -s          be a subreaper (boxinit always is one when it is not PID 1)
  -p SIGNAL   signal tini gets when its parent dies, e.g. -p SIGKILL
  -g          send signals to the command's whole process group
  -e CODE     report the command's exit code CODE (0 to 255) as 0; repeatable
  -v          say more; up to -vvv
  -w          warn about each orphan reaped

Environment: TINI_SUBREAPER and TINI_KILL_PROCESS_GROUP (set at all: as -s and -g),
TINI_VERBOSITY=N.
"
);

const DUMB_INIT_USAGE: &str = "Usage: dumb-init [OPTIONS] COMMAND [ARG...]
dumb-init --help lists the options.
";

const DUMB_INIT_HELP: &str = concat!(
    "dumb-init (boxinit ",
    env!("CARGO_PKG_VERSION"),
    ") runs one command as PID 1 would, passing signals on to it.

Usage: dumb-init [OPTIONS] COMMAND [ARG...]

  -c, --single-child   signal the command alone (by default it leads a session of its
                       own and signals go to its whole process group)
  -r, --rewrite S:R    pass signal S (1 to 31) on as R (0 to 31); R=0 drops S;
                       repeatable
  -v, --verbose        report what happens on stderr
  -h, --help           this help
  -V, --version        the version

Environment: DUMB_INIT_SETSID=0 (as -c), DUMB_INIT_DEBUG=1 (as -v).
"
);

const CATATONIT_USAGE: &str = "usage: catatonit [-ghLPV] [--] COMMAND [ARG...]\n";

const CATATONIT_HELP: &str = concat!(
    "usage: catatonit [-ghLPV] [--] COMMAND [ARG...]

  -g              send signals to the command's whole process group
  -h              this help
  -L              the license
  -P              pause: run no command, reap orphans, exit on SIGINT or SIGTERM
  -V, --version   the version

This catatonit is boxinit ",
    env!("CARGO_PKG_VERSION"),
    ".
"
);

/// boxinit's license, whole (the LICENSE file holds the same text).
pub const LICENSE: &str = include_str!("../LICENSE");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn license_is_the_whole_mit_text() {
        assert!(LICENSE.starts_with("MIT License"));
        assert!(LICENSE.contains("Permission is hereby granted, free of charge"));
        assert!(LICENSE.contains("WITHOUT WARRANTY OF ANY KIND"));
    }
}
