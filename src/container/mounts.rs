//! The container's file system: a private mount tree, the rootfs as `/`, a fresh /proc.

use crate::out::Failure;
use crate::sys;
use core::ffi::CStr;

/// Before any mount: nothing we mount may propagate back to the host.
pub fn make_private() -> Result<(), Failure> {
    mount(
        c"none",
        c"/",
        None,
        libc::MS_REC | libc::MS_PRIVATE,
        "making mounts private",
    )
}

/// A /proc of the new PID namespace, or /proc would still list the host.
pub fn mount_proc() -> Result<(), Failure> {
    mount_proc_at(c"/proc")
}

fn mount_proc_at(target: &'static CStr) -> Result<(), Failure> {
    let flags = libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC;
    mount(c"proc", target, Some(c"proc"), flags, "mounting proc")
}

/// Make `rootfs` the root. pivot_root(".", ".") stacks the old root under the new one; the
/// detach then removes it, so no path, `..` or open-directory trick leads back to the host.
///
/// With `proc`, the new root's /proc is mounted before the old root goes: in a user
/// namespace the kernel allows a new proc only while a full one is still visible.
pub fn pivot_into(rootfs: &'static CStr, proc: bool) -> Result<(), Failure> {
    let path = rootfs.to_bytes();
    // pivot_root needs the new root to be a mount point.
    mount(
        rootfs,
        rootfs,
        None,
        libc::MS_BIND | libc::MS_REC,
        "binding rootfs",
    )?;
    sys::chdir(rootfs).map_err(|e| Failure::os("entering rootfs", path, e))?;
    if proc {
        mount_proc_at(c"proc")?;
    }
    sys::pivot_root(c".", c".").map_err(|e| Failure::os("pivoting into rootfs", path, e))?;
    sys::umount(c".", libc::MNT_DETACH)
        .map_err(|e| Failure::os("detaching the old root from", path, e))?;
    sys::chdir(c"/").map_err(|e| Failure::os("entering rootfs", path, e))
}

fn mount(
    source: &'static CStr,
    target: &'static CStr,
    fstype: Option<&CStr>,
    flags: libc::c_ulong,
    what: &'static str,
) -> Result<(), Failure> {
    sys::mount(source, target, fstype, flags, None)
        .map_err(|e| Failure::os(what, target.to_bytes(), e))
}
