//! What boxinit prints when asked (help, version, license) or when it is given no command
//! under a name whose program needs one: each name's own text, on the stream its program
//! uses and with its exit status, so scripts that read them keep working.

use crate::config::{Action, Personality};
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
        (Action::Version, Pause) => (STDOUT, PAUSE_VERSION, 0),
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
/// As Kubernetes' pause answers `-v`: the name of its source, then the version.
const PAUSE_VERSION: &str = concat!("pause.c v", env!("CARGO_PKG_VERSION"), " (boxinit)\n");

#[cfg(feature = "launcher")]
macro_rules! launcher_help {
    () => {
        "Container: --rootfs DIR, --hostname NAME,
  --unshare mnt,uts,ipc,pid,net,cgroup,time,user|all|none, --join-KIND PATH,
  --boottime S, --monotonic S
Filesystem, in order: --bind SRC:DST, --ro-bind SRC:DST, --tmpfs DST[:SIZE], --ro,
  --volatile, --chroot, --dev, --no-dev, --sys, --mqueue
Identity: --user USER[:GROUP], --groups LIST, --uid N, --gid N, --map-uid IN:OUT:N,
  --map-gid IN:OUT:N, --map-users auto, --map-groups auto, --cap-add LIST,
  --cap-drop LIST, --allow-new-privs, --rlimit NAME=SOFT[:HARD]
"
    };
}
#[cfg(not(feature = "launcher"))]
macro_rules! launcher_help {
    () => {
        "Not in this build: the launcher (containers, file systems, identity).\n"
    };
}

#[cfg(feature = "limits")]
macro_rules! limits_help {
    () => {
        "Limits: --memory SIZE, --memory-swap SIZE, --cpus N, --cpu-weight N, --pids N,
  --cgroup NAME
"
    };
}
#[cfg(not(feature = "limits"))]
macro_rules! limits_help {
    () => {
        "Not in this build: cgroup limits.\n"
    };
}

#[cfg(feature = "boot")]
macro_rules! boot_help {
    () => {
        "Boot: --boot, --root-device DEV (BOXINIT_ROOT), --root-fstype T, --root-options O,
  --root-wait D, --switch-root DIR, --exec, --modules LIST,
  --on-exit poweroff|reboot|halt, --exit-device
"
    };
}
#[cfg(not(feature = "boot"))]
macro_rules! boot_help {
    () => {
        "Not in this build: boot mode.\n"
    };
}

#[cfg(feature = "stop-delay")]
macro_rules! stop_delay_help {
    () => {
        "--stop-delay DURATION,\n  "
    };
}
#[cfg(not(feature = "stop-delay"))]
macro_rules! stop_delay_help {
    () => {
        ""
    };
}

/// boxinit's help, a part for each job: a build without a job leaves out its options' part
/// and says so in its own (the parts are joined as the program is compiled: one text).
const BOXINIT_HELP: &str = concat!(
    concat!(
        "boxinit ",
        env!("CARGO_PKG_VERSION"),
        ": a small PID 1 for containers, launchers and boot (man boxinit tells more)

Usage: boxinit [OPTIONS] [--] [COMMAND [ARG...]]   (COMMAND defaults to /bin/sh)

Most options --X-Y can be given as BOXINIT_X_Y too; the command line wins.
"
    ),
    launcher_help!(),
    limits_help!(),
    "Supervision: -g/--process-group, -e/--expect-exit N, -p/--parent-death-signal SIG,
  -c/--single-child, -r/--rewrite S:R, -P/--pause, --grace DURATION, --wait-all,
  ",
    stop_delay_help!(),
    "-w/--warn-zombies, -v/--verbose (BOXINIT_VERBOSITY=N), -s/--subreaper
Process: --setenv K=V, --unsetenv K, --clearenv, --keep-fd N, --new-session,
  --die-with-parent, --parent-pid PID, --chdir DIR
",
    boot_help!(),
    "Other: -h/--help, -V/--version, -l/-L/--license
As tini, docker-init, dumb-init, catatonit, podman-init or pause (argv[0]): that
  program's flags.
Exit status: the command's; 128+N if killed by signal N; 125 boxinit failed;
126 COMMAND cannot run; 127 not found.
",
);

// The replaced programs' help, in a few lines each: every flag and variable they read,
// in boxinit's words (about half the bytes of a line per flag).
const TINI_HELP: &str = concat!(
    "tini (boxinit ",
    env!("CARGO_PKG_VERSION"),
    "): runs COMMAND as PID 1 would, passing signals on and reaping orphans.
Usage: tini [-h] [-l] [-s] [-p SIGNAL] [-g] [-e CODE] [-v] [-w] [--] COMMAND [ARG...]
  -h help, --version, -l license, -s subreaper (always, unless PID 1),
  -p SIGNAL to get when the parent dies, -g signal the whole process group,
  -e CODE report exit code CODE as 0 (repeatable), -v say more (-vvv), -w warn of orphans
Environment: TINI_SUBREAPER, TINI_KILL_PROCESS_GROUP (set at all: -s, -g), TINI_VERBOSITY=N.
"
);

const DUMB_INIT_USAGE: &str =
    "Usage: dumb-init [OPTIONS] COMMAND [ARG...]   (--help: the options)\n";

const DUMB_INIT_HELP: &str = concat!(
    "dumb-init (boxinit ",
    env!("CARGO_PKG_VERSION"),
    "): runs COMMAND as PID 1 would, passing signals on.
Usage: dumb-init [OPTIONS] COMMAND [ARG...]
  -c, --single-child  signal the command alone (by default: the session it leads)
  -r, --rewrite S:R   pass signal S (1-31) on as R (0-31; 0 drops it); repeatable
  -v, --verbose       report on stderr;  -h, --help;  -V, --version
Environment: DUMB_INIT_SETSID=0 (as -c), DUMB_INIT_DEBUG=1 (as -v).
"
);

const CATATONIT_USAGE: &str = "usage: catatonit [-ghLPV] [--] COMMAND [ARG...]\n";

const CATATONIT_HELP: &str = concat!(
    "usage: catatonit [-ghLPV] [--] COMMAND [ARG...]   (boxinit ",
    env!("CARGO_PKG_VERSION"),
    ")
  -g signal the process group, -h help, -L license, -V/--version,
  -P pause: no command, reap orphans, exit on SIGINT or SIGTERM
Environment: CATATONIT_DEBUG (set at all: debug messages).
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
