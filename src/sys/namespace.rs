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

/// The kind of namespace (a `CLONE_NEW*` flag) that `fd` refers to; ENOTTY for a file that
/// is no namespace.
pub fn namespace_kind(fd: &Fd) -> Result<c_int> {
    /// `_IO(0xb7, 0x3)`, from linux/nsfs.h.
    const NS_GET_NSTYPE: usize = 0xb703;
    // SAFETY: no pointers.
    unsafe { syscall!(Sysno::ioctl, fd.0, NS_GET_NSTYPE) }.map(|kind| kind as c_int)
}

pub fn sethostname(name: &[u8]) -> Result<()> {
    // SAFETY: the kernel reads exactly len bytes.
    unsafe { syscall!(Sysno::sethostname, name.as_ptr(), name.len()) }.map(drop)
}
