//! Starting the command so that it sees what it would have seen without boxinit: the signal
//! mask and dispositions boxinit was started with, its own process group in the terminal's
//! foreground, no descriptor of boxinit's, and the PATH lookup of execvp.

use crate::container::Privileges;
use crate::out::{self, Failure};
use crate::sys::{self, Disposition, Errno, Pid, SigSet, Strings};
use core::ffi::CStr;

/// The signal state boxinit inherited and changed for itself, to give back to the command.
pub struct Inherited {
    mask: SigSet,
    sigchld: Disposition,
}

/// Block every signal (the supervisor takes them with sigtimedwait) and make sure SIGCHLD is
/// not ignored: with SIG_IGN the kernel would reap the command and lose its status.
pub fn take_signals() -> Result<Inherited, Failure> {
    let mask =
        sys::set_signal_mask(SigSet::ALL).map_err(|e| Failure::os("blocking signals", b"", e))?;
    let sigchld = sys::set_disposition(libc::SIGCHLD, Disposition::Default)
        .map_err(|e| Failure::os("resetting", b"SIGCHLD", e))?;
    Ok(Inherited { mask, sigchld })
}

impl Inherited {
    /// Undo `take_signals`, in the child just before exec.
    fn restore(&self) -> Result<(), Errno> {
        if self.sigchld == Disposition::Ignore {
            sys::set_disposition(libc::SIGCHLD, Disposition::Ignore)?;
        }
        sys::set_signal_mask(self.mask).map(drop)
    }
}

/// Start `command` and return its pid. When this returns, the command has exec'd or failed
/// (vfork), so its process group or session exists before any signal is forwarded to it.
/// A failure in the child is its exit status: 127 when the command is not found, 126 when
/// it cannot run, 125 for boxinit's own steps.
///
/// With `new_session` the command leads a session of its own with the terminal as its
/// controlling tty (dumb-init); otherwise a process group of its own.
pub fn spawn(
    command: Strings,
    env: Strings,
    inherited: &Inherited,
    new_session: bool,
    privileges: &Privileges,
) -> Result<Pid, Failure> {
    let mut child = || become_command(command, env, inherited, new_session, privileges);
    sys::spawn(&mut child).map_err(|e| Failure::os("starting the command", b"", e))
}

/// The child's side: set up, then exec; returns the exit status only if that fails.
fn become_command(
    command: Strings,
    env: Strings,
    inherited: &Inherited,
    new_session: bool,
    privileges: &Privileges,
) -> u8 {
    if let Err(failure) = prepare(inherited, new_session, privileges) {
        failure.report();
        return Failure::STATUS;
    }
    let name = command.get(0).unwrap_or(c"");
    let errno = execvp(name, command, env);
    out::error("executing", name.to_bytes(), Some(errno));
    if errno == Errno::ENOENT {
        127
    } else {
        126
    }
}

fn prepare(
    inherited: &Inherited,
    new_session: bool,
    privileges: &Privileges,
) -> Result<(), Failure> {
    if new_session {
        sys::setsid().map_err(|e| Failure::os("starting a session", b"", e))?;
        // Fails without a terminal, or when another session holds it: then there is none.
        let _ = sys::take_controlling_tty(sys::STDIN);
    } else {
        // Started in the terminal's foreground (not as a background job), we hand it on.
        let in_foreground = sys::foreground(sys::STDIN).is_ok_and(|fg| fg == sys::getpgrp());
        sys::setpgid(0, 0).map_err(|e| Failure::os("starting a process group", b"", e))?;
        if in_foreground {
            // Signals are still blocked here, so SIGTTOU cannot stop us for trying.
            match sys::set_foreground(sys::STDIN, sys::getpid()) {
                Ok(()) | Err(Errno::ENOTTY | Errno::ENXIO) => {}
                Err(e) => return Err(Failure::os("taking the terminal foreground", b"", e)),
            }
        }
    }
    // Last, when the terminal is set up: ids, capabilities, limits, no_new_privs.
    privileges.apply()?;
    inherited
        .restore()
        .map_err(|e| Failure::os("restoring the signal mask", b"", e))
}

/// Where execvp looks when PATH is not set (the usual one of a root shell).
const DEFAULT_PATH: &[u8] = b"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// execvp: a name with a slash is run as it is; any other is looked for in each PATH entry.
/// The error is that of the last entry tried, except that a found-but-refused file (EACCES)
/// is reported over "not found", as shells do.
pub fn execvp(name: &CStr, argv: Strings, env: Strings) -> Errno {
    if name.to_bytes().contains(&b'/') {
        return sys::execve(name, argv, env);
    }
    if name.to_bytes().is_empty() {
        return Errno::ENOENT;
    }
    let path = crate::opts::getenv(env, "PATH").map_or(DEFAULT_PATH, CStr::to_bytes);
    let mut result = Errno::ENOENT;
    for dir in path.split(|&c| c == b':') {
        let mut file: heapless::Vec<u8, { libc::PATH_MAX as usize }> = heapless::Vec::new();
        let dir = if dir.is_empty() { &b"."[..] } else { dir };
        let joined = file
            .extend_from_slice(dir)
            .and_then(|()| file.extend_from_slice(b"/"))
            .and_then(|()| file.extend_from_slice(name.to_bytes_with_nul()));
        let Ok(file) = joined.map(|()| CStr::from_bytes_with_nul(&file)) else {
            result = Errno::ENAMETOOLONG;
            continue;
        };
        match sys::execve(file.unwrap_or(c""), argv, env) {
            Errno::EACCES => result = Errno::EACCES,
            Errno::ENOENT | Errno::ENOTDIR | Errno::ENAMETOOLONG => {}
            other => return other,
        }
    }
    result
}
