//! Namespaces: leaving ours for new ones, joining existing ones, and the UTS name.

use super::{Fd, Result};
use core::ffi::c_int;
use syscalls::{syscall, Sysno};

pub fn unshare(flags: c_int) -> Result<()> {
    // SAFETY: no pointers.
    unsafe { syscall!(Sysno::unshare, flags) }.map(drop)
}

/// Move this process (or, for a PID namespace, its future children) into the namespace
/// that `fd` (from /proc/PID/ns/* or a bind mount of one, as `ip netns` makes) refers to.
pub fn setns(fd: &Fd, nstype: c_int) -> Result<()> {
    // SAFETY: no pointers.
    unsafe { syscall!(Sysno::setns, fd.0, nstype) }.map(drop)
}

pub fn sethostname(name: &[u8]) -> Result<()> {
    // SAFETY: the kernel reads exactly len bytes.
    unsafe { syscall!(Sysno::sethostname, name.as_ptr(), name.len()) }.map(drop)
}
