//! Starting the command so that it sees what it would have seen without boxinit: the signal
//! mask and dispositions boxinit was started with, its own process group in the terminal's
//! foreground, no descriptor of boxinit's, and the PATH lookup of execvp.

use crate::config::ChildSignals;
use crate::container::Privileges;
use crate::out::Failure;
use crate::sys::{self, Disposition, Errno, Pid, SigSet, Strings};
use crate::{cgroups, signals};
use core::ffi::CStr;

/// The signal state boxinit inherited and changed for itself, to give back to the command.
pub struct Inherited {
    mask: SigSet,
    sigchld: Disposition,
    child: ChildSignals,
    /// We were started in the terminal's foreground (not as a background job). Known only
    /// here, before any namespace: inside a new PID namespace, the groups of the shell and of
    /// its job are both invisible (0), and would compare equal.
    in_foreground: bool,
    /// Stdin is the controlling terminal of our session: we are a job of the shell that owns
    /// it, in the foreground or not. Known here for the same reason.
    job_of_terminal: bool,
}

/// Block every signal (the supervisor takes them with sigtimedwait) and make sure SIGCHLD is
/// not ignored: with SIG_IGN the kernel would reap the command and lose its status.
pub fn take_signals(child: ChildSignals) -> Result<Inherited, Failure> {
    let mask =
        sys::set_signal_mask(SigSet::ALL).map_err(|e| Failure::os_bare(c"blocking signals", e))?;
    let sigchld = sys::set_disposition(libc::SIGCHLD, Disposition::Default)
        .map_err(|e| Failure::os(c"resetting", b"SIGCHLD", e))?;
    // The foreground group can be read only on the terminal that is our controlling one.
    let foreground = sys::foreground(sys::STDIN);
    Ok(Inherited {
        mask,
        sigchld,
        child,
        in_foreground: foreground.is_ok_and(|fg| fg == sys::getpgrp()),
        job_of_terminal: foreground.is_ok(),
    })
}

impl Inherited {
    /// We are a job of a shell on our terminal, started in the background.
    fn background_job(&self) -> bool {
        self.job_of_terminal && !self.in_foreground
    }

    /// Undo `take_signals` (or set what the personality gives), in the child before exec.
    fn restore(&self) -> Result<(), Errno> {
        let mask = match self.child {
            ChildSignals::Inherited => self.mask,
            ChildSignals::Clean => {
                // exec resets caught signals; ignored ones it keeps, so reset them here.
                // dumb-init (built on glibc) cannot touch 32 and 33, which glibc keeps for
                // itself: those pass on as inherited.
                let untouched = [libc::SIGKILL, libc::SIGSTOP, 32, 33];
                for sig in (1..=signals::MAX).filter(|s| !untouched.contains(s)) {
                    sys::set_disposition(sig, Disposition::Default)?;
                }
                return sys::set_signal_mask(SigSet::EMPTY).map(drop);
            }
        };
        if self.sigchld == Disposition::Ignore {
            sys::set_disposition(libc::SIGCHLD, Disposition::Ignore)?;
        }
        sys::set_signal_mask(mask).map(drop)
    }
}

/// Start `command` and return its pid. When this returns, the command has exec'd or failed
/// (vfork), so its process group or session exists before any signal is forwarded to it.
///
/// A failure in the child comes back here, to be reported by boxinit rather than by the
/// child: once the child has entered the command's cgroup, a memory limit may make its own
/// write fail or its exit status mislead. Its status is 127 when the command is not found,
/// 126 when it cannot run, 125 for boxinit's own steps.
///
/// With `terminal_session` the command leads a session of its own with the terminal as its
/// controlling tty (dumb-init); otherwise a process group of its own.
pub fn start_command(
    command: Strings,
    env: Strings,
    inherited: &Inherited,
    terminal_session: bool,
    process: &Process,
    privileges: &Privileges,
) -> Result<Pid, Failure> {
    let spawner = if process.die_with_parent {
        sys::getpid()
    } else {
        0
    };
    // The child runs on our memory while we are suspended (CLONE_VM | CLONE_VFORK), so what it
    // writes here is ours to read once `vfork` returns: it has exec'd (then this stays None)
    // or exited.
    let mut failed: Option<Failure> = None;
    let mut child = |path: &mut sys::PathBuffer| {
        let ready = become_command(inherited, terminal_session, process, spawner, privileges);
        let failure = match ready {
            Ok(()) => exec_command_in(command, env, path),
            Err(failure) => failure,
        };
        let status = failure.status();
        failed = Some(failure);
        status
    };
    let pid = sys::vfork(&mut child).map_err(|e| Failure::os_bare(c"starting the command", e))?;
    match failed {
        None => Ok(pid),
        Some(failure) => {
            // It has exited already: reap it, so that no supervisor sees it end.
            let _ = sys::wait_child(pid);
            Err(failure)
        }
    }
}

/// The child's side, up to the exec.
fn become_command(
    inherited: &Inherited,
    terminal_session: bool,
    process: &Process,
    spawner: Pid,
    privileges: &Privileges,
) -> Result<(), Failure> {
    isolate(process, spawner, inherited)
        .and_then(|detached| prepare(process, inherited, terminal_session, detached, privileges))
}

/// Exec `command` (execvp); returns only if that fails, with why and the status that says
/// so: 127 when the command is not found, 126 when it cannot run.
#[inline(never)] // its path buffer on the stack only when called (a boot that hands over)
pub fn exec_command(command: Strings, env: Strings) -> Failure {
    exec_command_in(command, env, &mut [0; libc::PATH_MAX as usize])
}

/// `exec_command`, building the paths it tries in `path`.
fn exec_command_in(command: Strings, env: Strings, path: &mut sys::PathBuffer) -> Failure {
    let name = command.get(0).unwrap_or(c"");
    let errno = execvp(name, command, env, path);
    let status = if errno == Errno::ENOENT { 127 } else { 126 };
    // An empty name is shown as the shell writes it, or the line would name nothing.
    let shown = match name.to_bytes() {
        b"" => b"''",
        named => named,
    };
    Failure::os(c"executing", shown, errno).with_status(status)
}

fn prepare(
    process: &Process,
    inherited: &Inherited,
    terminal_session: bool,
    detached: bool,
    privileges: &Privileges,
) -> Result<(), Failure> {
    // Into the limits' cgroup before anything else, where ours to enter (a container's PID 1
    // enters it itself, and its children are in it from the start).
    cgroups::enter(process.cgroup)?;
    if detached {
        // `isolate` gave the command a session of its own, away from the terminal: it takes
        // neither the terminal nor its foreground.
    } else if terminal_session && !inherited.background_job() {
        sys::setsid().map_err(|e| Failure::os_bare(c"starting a session", e))?;
        // Fails without a terminal, or when another session holds it: then there is none.
        let _ = sys::take_controlling_tty(sys::STDIN);
    } else {
        // dumb-init's session too, for a background job of a shell: in a session of its own
        // the command would be out of job control and read the shell's input (under the real
        // dumb-init, bash exits). In a group of its own, reading the terminal stops the job.
        // Started in the terminal's foreground (not as a background job), we hand it on.
        sys::setpgid(0, 0).map_err(|e| Failure::os_bare(c"starting a process group", e))?;
        if inherited.in_foreground {
            // Signals are still blocked here, so SIGTTOU cannot stop us for trying.
            match sys::set_foreground(sys::STDIN, sys::getpid()) {
                Ok(()) | Err(Errno::ENOTTY | Errno::ENXIO) => {}
                Err(e) => return Err(Failure::os_bare(c"taking the terminal foreground", e)),
            }
        }
    }
    // Last, when the terminal is set up: ids, capabilities, limits, no_new_privs.
    privileges.apply()?;
    inherited
        .restore()
        .map_err(|e| Failure::os_bare(c"restoring the signal mask", e))
}

/// What a container asks of the command's process, beyond what supervision needs.
#[derive(Clone, Copy)]
pub struct Process<'a> {
    pub detach: Detach,
    /// The command gets SIGKILL when boxinit (its parent) dies (--die-with-parent).
    pub die_with_parent: bool,
    /// The limits' cgroup to move into, first of all.
    pub cgroup: Option<&'a cgroups::Group>,
}

/// Whether the command leads a session of its own without a controlling terminal, as bwrap's
/// --new-session: it can then not type into the caller's terminal with TIOCSTI.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Detach {
    Never,
    /// In a container: unless stdin is our session's controlling terminal. The command is
    /// then a job of the shell that owns it: in the foreground it owns the terminal (a shell
    /// in the container keeps job control); in the background reading it stops the job, as
    /// the shell expects, instead of taking the shell's input.
    UnlessJobOfTerminal,
    /// --new-session
    Always,
}

/// The container's steps in the child, before `prepare`: its parent-death signal and, where
/// asked, a session of its own (then it returns true).
fn isolate(process: &Process, spawner: Pid, inherited: &Inherited) -> Result<bool, Failure> {
    if process.die_with_parent {
        sys::set_parent_death_signal(libc::SIGKILL)
            .map_err(|e| Failure::os_bare(c"setting the parent death signal", e))?;
        // boxinit may have died before we asked, and then no signal comes.
        if sys::getppid() != spawner {
            return Err(Failure::plain_bare(
                c"boxinit died before the command started",
            ));
        }
    }
    let detach = match process.detach {
        Detach::Never => false,
        Detach::Always => true,
        Detach::UnlessJobOfTerminal => !inherited.job_of_terminal,
    };
    if detach {
        sys::setsid().map_err(|e| Failure::os_bare(c"starting a session", e))?;
    }
    Ok(detach)
}

/// Where execvp looks when PATH is not set: the usual one of a root shell, which a cleared
/// environment gets too (the same bytes, after `PATH=`).
const DEFAULT_PATH: &[u8] = crate::env::DEFAULT_PATH.to_bytes().split_at(5).1;

/// execvp: a name with a slash is run as it is; any other is looked for in each PATH entry.
/// The error is that of the last entry tried, except that a found-but-refused file (EACCES)
/// is reported over "not found", as shells do. A file the kernel cannot run (no `#!` line)
/// is run by /bin/sh, as execvp, env(1), tini, dumb-init and catatonit all do.
pub fn execvp(name: &CStr, argv: Strings, env: Strings, buffer: &mut sys::PathBuffer) -> Errno {
    if sys::has_byte(name.to_bytes(), b'/') {
        return execve_or_shell(name, argv, env);
    }
    if name.to_bytes().is_empty() {
        return Errno::ENOENT;
    }
    let path = env.value(b"PATH").map_or(DEFAULT_PATH, CStr::to_bytes);
    let mut result = Errno::ENOENT;
    for dir in path.split(|&c| c == b':') {
        let dir = if dir.is_empty() { &b"."[..] } else { dir };
        let Some(file) = join(buffer, dir, name) else {
            result = Errno::ENAMETOOLONG;
            continue;
        };
        match execve_or_shell(file, argv, env) {
            Errno::EACCES => result = Errno::EACCES,
            Errno::ENOENT | Errno::ENOTDIR | Errno::ENAMETOOLONG => {}
            other => return other,
        }
    }
    result
}

/// `dir/name` in `buffer`, or None if it does not fit (or `dir` holds a NUL).
fn join<'a>(buffer: &'a mut sys::PathBuffer, dir: &[u8], name: &CStr) -> Option<&'a CStr> {
    let name = name.to_bytes_with_nul();
    let path = buffer.get_mut(..dir.len() + 1 + name.len())?;
    let (head, tail) = path.split_at_mut(dir.len());
    head.copy_from_slice(dir);
    tail[0] = b'/';
    tail[1..].copy_from_slice(name);
    sys::c_str(path)
}

/// execve, and for a file without a known format (ENOEXEC) /bin/sh running it as a script.
fn execve_or_shell(file: &CStr, argv: Strings, env: Strings) -> Errno {
    match sys::execve(file, argv, env) {
        // Without /bin/sh the file's own format is the reason it cannot run.
        Errno::ENOEXEC => match sys::execve_with_shell(file, argv, env) {
            Errno::E2BIG => Errno::E2BIG,
            _ => Errno::ENOEXEC,
        },
        other => other,
    }
}
