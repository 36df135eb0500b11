//! Terminals: the foreground process group and the controlling terminal.

use super::{Pid, Result};
use core::ffi::c_int;
use syscalls::{syscall, Sysno};

/// `tcsetpgrp`: make `pgrp` the foreground process group of the terminal on `fd`.
pub fn set_foreground(fd: c_int, pgrp: Pid) -> Result<()> {
    // SAFETY: the argument points to a valid pid_t.
    unsafe { syscall!(Sysno::ioctl, fd, libc::TIOCSPGRP, &pgrp as *const Pid) }.map(drop)
}

/// Make the terminal on `fd` the controlling terminal of this (new) session.
pub fn take_controlling_tty(fd: c_int) -> Result<()> {
    // SAFETY: TIOCSCTTY takes an integer argument (0: do not steal).
    unsafe { syscall!(Sysno::ioctl, fd, libc::TIOCSCTTY, 0) }.map(drop)
}

/// Give up the controlling terminal; a session leader's giving up frees it for others.
pub fn release_controlling_tty(fd: c_int) -> Result<()> {
    // SAFETY: TIOCNOTTY takes no argument.
    unsafe { syscall!(Sysno::ioctl, fd, libc::TIOCNOTTY, 0) }.map(drop)
}

/// `tcgetpgrp`: the foreground process group of the terminal on `fd` (ENOTTY if none).
pub fn foreground(fd: c_int) -> Result<Pid> {
    let mut pgrp: Pid = 0;
    // SAFETY: the argument points to a valid pid_t.
    unsafe { syscall!(Sysno::ioctl, fd, libc::TIOCGPGRP, &mut pgrp as *mut Pid) }?;
    Ok(pgrp)
}
