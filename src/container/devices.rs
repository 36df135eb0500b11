//! `--dev`: a minimal /dev on a tmpfs of its own, as bubblewrap makes one: the harmless
//! character devices, a private devpts instance for terminals, /dev/shm and the usual links.
//! Nothing of it is written to the rootfs, and everything is made in the tmpfs by its
//! descriptor, never through a path of the rootfs looked up again.

use super::mounts::{self, NewFs};
use crate::out::Failure;
use crate::sys::{self, Errno, Fd};
use core::ffi::CStr;

/// The devices, with their numbers (Documentation/admin-guide/devices.txt), made into one
/// as the program is compiled.
const NODES: [(&CStr, libc::dev_t); 6] = [
    (c"null", libc::makedev(1, 3)),
    (c"zero", libc::makedev(1, 5)),
    (c"full", libc::makedev(1, 7)),
    (c"random", libc::makedev(1, 8)),
    (c"urandom", libc::makedev(1, 9)),
    (c"tty", libc::makedev(5, 0)),
];

/// Links every program expects: link name, target.
const LINKS: [(&CStr, &CStr); 5] = [
    (c"fd", c"/proc/self/fd"),
    (c"stdin", c"/proc/self/fd/0"),
    (c"stdout", c"/proc/self/fd/1"),
    (c"stderr", c"/proc/self/fd/2"),
    (c"ptmx", c"pts/ptmx"),
];

const ATTRS: u64 = sys::MOUNT_ATTR_NOSUID | sys::MOUNT_ATTR_NOEXEC;

const DEV: NewFs = NewFs {
    path: b"/dev",
    fstype: c"tmpfs",
    attrs: ATTRS,
    options: &[(c"mode", Some(c"755")), (c"size", Some(c"64k"))],
    or_host: None,
};

/// A devpts of our own: the container sees only its own terminals, and its ptmx.
const PTS: NewFs = NewFs {
    path: b"/dev/pts",
    fstype: c"devpts",
    attrs: ATTRS,
    options: &[
        (c"newinstance", None),
        (c"ptmxmode", Some(c"0666")),
        (c"mode", Some(c"620")),
    ],
    or_host: None,
};

const SHM: NewFs = NewFs {
    path: b"/dev/shm",
    fstype: c"tmpfs",
    attrs: sys::MOUNT_ATTR_NOSUID | sys::MOUNT_ATTR_NODEV,
    options: &[(c"mode", Some(c"1777"))],
    or_host: None,
};

/// Where a file system goes in our /dev: its path past `/dev/`.
pub const WITHIN: usize = b"/dev/".len();

/// The /dev, on a real directory of the rootfs; returns its root.
pub fn populate(root: &Fd) -> Result<Fd, Failure> {
    // Taken before our /dev can hide it (when the container's root is the host's).
    let host = mounts::open_dir(c"/dev").ok();
    let dev = mounts::mount_fs(root, 0, &DEV)?;
    // The nodes get exactly mode 0666, whatever umask we were given.
    let umask = sys::umask(0);
    let made = NODES.iter().try_for_each(|&(name, number)| {
        make_node(&dev, host.as_ref(), name, number)
            .map_err(|e| Failure::os(c"making the device", name.to_bytes(), e))
    });
    sys::umask(umask);
    made?;
    for &(name, target) in &LINKS {
        dev.symlink_at(target, name)
            .map_err(|e| Failure::os(c"making the link", name.to_bytes(), e))?;
    }
    mounts::mount_fs(&dev, WITHIN, &PTS)?;
    mounts::mount_fs(&dev, WITHIN, &SHM)?;
    Ok(dev)
}

fn make_node(dev: &Fd, host: Option<&Fd>, name: &CStr, number: libc::dev_t) -> Result<(), Errno> {
    match dev.mknod_at(name, libc::S_IFCHR | 0o666, number) {
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
