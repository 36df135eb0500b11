//! Mounts: the classic mount(2) calls and the descriptor-based ones (open_tree, move_mount,
//! mount_setattr, fsopen/fsmount) that act on a mount we hold rather than on a path.

use super::{Fd, Result};
use core::ffi::{c_int, c_ulong, CStr};
use core::ptr;
use syscalls::{syscall, Sysno};

const OPEN_TREE_CLONE: c_int = 1;
const AT_RECURSIVE: c_int = 0x8000;
const MOVE_MOUNT_F_EMPTY_PATH: c_int = 0x04;
const MOVE_MOUNT_T_EMPTY_PATH: c_int = 0x40;
/// Mount attributes (`MOUNT_ATTR_*`), for `FsContext::mount` and `set_tree_attrs`.
pub const MOUNT_ATTR_RDONLY: u64 = 0x01;
pub const MOUNT_ATTR_NOSUID: u64 = 0x02;
pub const MOUNT_ATTR_NODEV: u64 = 0x04;
pub const MOUNT_ATTR_NOEXEC: u64 = 0x08;

pub fn mount(
    source: &CStr,
    target: &CStr,
    fstype: Option<&CStr>,
    flags: c_ulong,
    data: Option<&CStr>,
) -> Result<()> {
    let fstype = fstype.map_or(ptr::null(), CStr::as_ptr);
    let data = data.map_or(ptr::null(), CStr::as_ptr);
    // SAFETY: every pointer is a C string or null, as mount(2) allows.
    unsafe {
        syscall!(
            Sysno::mount,
            source.as_ptr(),
            target.as_ptr(),
            fstype,
            flags,
            data
        )
    }
    .map(drop)
}

pub fn umount(target: &CStr, flags: c_int) -> Result<()> {
    // SAFETY: target is a C string.
    unsafe { syscall!(Sysno::umount2, target.as_ptr(), flags) }.map(drop)
}

pub fn pivot_root(new_root: &CStr, put_old: &CStr) -> Result<()> {
    // SAFETY: both are C strings.
    unsafe { syscall!(Sysno::pivot_root, new_root.as_ptr(), put_old.as_ptr()) }.map(drop)
}

/// A new mount of `fstype` that is attached nowhere (fsopen, fsmount): it lets us look into a
/// file system without changing any mount table, and is gone when the descriptor is closed.
pub fn detached_mount(fstype: &CStr) -> Result<Fd> {
    FsContext::new(fstype)?.mount(0)
}

/// A file system being made (fsopen): options are set one by one, then `mount` makes it a
/// detached mount, known only by its descriptor until it is attached somewhere.
pub struct FsContext(Fd);

impl FsContext {
    pub fn new(fstype: &CStr) -> Result<FsContext> {
        // SAFETY: fstype is a C string.
        let fd = unsafe { syscall!(Sysno::fsopen, fstype.as_ptr(), libc::FSOPEN_CLOEXEC) }?;
        Ok(FsContext(Fd(fd as c_int)))
    }

    /// The option `key=value`, or the flag `key`.
    pub fn set(&self, key: &CStr, value: Option<&CStr>) -> Result<()> {
        let cmd = match value {
            Some(_) => libc::FSCONFIG_SET_STRING,
            None => libc::FSCONFIG_SET_FLAG,
        };
        self.config(cmd, Some(key), value)
    }

    /// `fsconfig(2)`: `cmd` with its key and string value, if it takes them (aux is 0).
    #[inline(always)]
    fn config(&self, cmd: u32, key: Option<&CStr>, value: Option<&CStr>) -> Result<()> {
        let ptr = |s: Option<&CStr>| s.map_or(ptr::null(), CStr::as_ptr);
        // SAFETY: key and value are C strings or null, as `cmd` wants them.
        unsafe { syscall!(Sysno::fsconfig, self.0 .0, cmd, ptr(key), ptr(value), 0) }.map(drop)
    }

    /// Make the file system, and a detached mount of it with `attrs` (`MOUNT_ATTR_*`).
    pub fn mount(self, attrs: u64) -> Result<Fd> {
        self.config(libc::FSCONFIG_CMD_CREATE, None, None)?;
        // SAFETY: no pointers.
        let fd = unsafe { syscall!(Sysno::fsmount, self.0 .0, libc::FSMOUNT_CLOEXEC, attrs) }?;
        Ok(Fd(fd as c_int))
    }
}

/// A detached copy of the mount tree at `path` (relative to `dir`, or `dir` itself when
/// `path` is empty), with every mount below it: a bind mount waiting for its place.
pub fn clone_tree(dir: Option<&Fd>, path: &CStr) -> Result<Fd> {
    let dirfd = dir.map_or(libc::AT_FDCWD, |d| d.0);
    let empty = if path.is_empty() {
        libc::AT_EMPTY_PATH
    } else {
        0
    };
    let flags = OPEN_TREE_CLONE | AT_RECURSIVE | libc::O_CLOEXEC | empty;
    // SAFETY: path is a C string.
    let fd = unsafe { syscall!(Sysno::open_tree, dirfd, path.as_ptr(), flags) }?;
    Ok(Fd(fd as c_int))
}

/// `mount_setattr(2)` setting `attrs` on what `path` (relative to `dir`) names.
fn set_attrs(dir: c_int, path: &CStr, flags: c_int, attrs: u64) -> Result<()> {
    // struct mount_attr: set, clear, propagation, userns
    let attr = [attrs, 0, 0, 0];
    // SAFETY: attr is a valid mount_attr of the size passed; path is a C string.
    unsafe {
        syscall!(
            Sysno::mount_setattr,
            dir,
            path.as_ptr(),
            flags,
            attr.as_ptr(),
            core::mem::size_of_val(&attr)
        )
    }
    .map(drop)
}

/// Set `attrs` (`MOUNT_ATTR_*`) on a mount tree and every mount in it, by its descriptor.
pub fn set_tree_attrs(tree: &Fd, attrs: u64) -> Result<()> {
    set_attrs(tree.0, c"", libc::AT_EMPTY_PATH | AT_RECURSIVE, attrs)
}

/// Make the one mount at `path` read-only, leaving the mounts below it alone.
pub fn make_mount_readonly(path: &CStr) -> Result<()> {
    set_attrs(libc::AT_FDCWD, path, 0, MOUNT_ATTR_RDONLY)
}

/// Attach the detached tree `tree` on top of what `target` refers to.
pub fn attach_tree(tree: &Fd, target: &Fd) -> Result<()> {
    let flags = MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH;
    // SAFETY: empty C strings with the EMPTY_PATH flags mean the descriptors themselves.
    unsafe {
        syscall!(
            Sysno::move_mount,
            tree.0,
            c"".as_ptr(),
            target.0,
            c"".as_ptr(),
            flags
        )
    }
    .map(drop)
}
