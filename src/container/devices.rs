//! `--dev`: a minimal /dev on a tmpfs of its own, as bubblewrap makes one: the harmless
//! character devices, a private devpts instance for terminals, /dev/shm and the usual links.
//! Nothing of it is written to the rootfs.

use super::mounts::{self, Create};
use crate::out::Failure;
use crate::sys::{self, Errno, Fd};
use core::ffi::CStr;

/// The devices, with their numbers (Documentation/admin-guide/devices.txt).
const NODES: [(&CStr, u32, u32); 6] = [
    (c"null", 1, 3),
    (c"zero", 1, 5),
    (c"full", 1, 7),
    (c"random", 1, 8),
    (c"urandom", 1, 9),
    (c"tty", 5, 0),
];

/// Links every program expects: link name, target.
const LINKS: [(&CStr, &CStr); 5] = [
    (c"fd", c"/proc/self/fd"),
    (c"stdin", c"/proc/self/fd/0"),
    (c"stdout", c"/proc/self/fd/1"),
    (c"stderr", c"/proc/self/fd/2"),
    (c"ptmx", c"pts/ptmx"),
];

pub fn populate(root: &Fd) -> Result<(), Failure> {
    // Taken before our /dev can hide it (when the container's root is the host's).
    let host = Fd::open(c"/dev", libc::O_PATH | libc::O_DIRECTORY).ok();
    let flags = libc::MS_NOSUID | libc::MS_NOEXEC;
    mounts::mount_fs(root, b"/dev", c"tmpfs", flags, Some(c"mode=755,size=64k"))?;
    let dev = mounts::open_beneath(root, b"/dev", Create::No)
        .map_err(|e| Failure::os("opening", b"/dev", e))?;
    // The nodes get exactly mode 0666, whatever umask we were given.
    let umask = sys::umask(0);
    let made = NODES.iter().try_for_each(|&(name, major, minor)| {
        make_node(&dev, host.as_ref(), name, major, minor)
            .map_err(|e| Failure::os("making the device", name.to_bytes(), e))
    });
    sys::umask(umask);
    made?;
    for (name, target) in LINKS {
        dev.symlink_at(target, name)
            .map_err(|e| Failure::os("making the link", name.to_bytes(), e))?;
    }
    // A devpts of our own: the container sees only its own terminals, and its ptmx.
    let pts_options = c"newinstance,ptmxmode=0666,mode=620";
    mounts::mount_fs(root, b"/dev/pts", c"devpts", flags, Some(pts_options))?;
    let shm_flags = libc::MS_NOSUID | libc::MS_NODEV;
    mounts::mount_fs(root, b"/dev/shm", c"tmpfs", shm_flags, Some(c"mode=1777"))
}

fn make_node(
    dev: &Fd,
    host: Option<&Fd>,
    name: &CStr,
    major: u32,
    minor: u32,
) -> Result<(), Errno> {
    match dev.mknod_at(name, libc::S_IFCHR | 0o666, major, minor) {
        // No device may be made (as in a user namespace), but the host's may be shared: its
        // node, bind-mounted on an empty file of the same name.
        Err(Errno::EPERM) => {
            let node = sys::clone_tree(Some(host.ok_or(Errno::ENOENT)?), name)?;
            let flags = libc::O_CREAT | libc::O_EXCL | libc::O_WRONLY;
            sys::attach_tree(&node, &dev.open_at(name, flags, 0o666)?)
        }
        made => made,
    }
}
