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
    let flags = libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC;
    mount(c"proc", c"/proc", Some(c"proc"), flags, "mounting proc")
}

/// Make `rootfs` the root. pivot_root(".", ".") stacks the old root under the new one; the
/// detach then removes it, so no path, `..` or open-directory trick leads back to the host.
pub fn pivot_into(rootfs: &'static CStr) -> Result<(), Failure> {
    let path = rootfs.to_bytes();
    // pivot_root needs the new root to be a mount point: a copy of the rootfs's mount tree,
    // mounted over it. We enter the copy through its descriptor, not by path: a path such as
    // `.` or `/` names the directory the copy covers, and leads to the mount below it.
    let tree = sys::Fd::clone_tree(rootfs).map_err(|e| Failure::os("binding rootfs", path, e))?;
    sys::move_mount(&tree, rootfs).map_err(|e| Failure::os("binding rootfs", path, e))?;
    sys::fchdir(&tree).map_err(|e| Failure::os("entering rootfs", path, e))?;
    drop(tree);
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
