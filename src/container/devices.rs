//! `--dev`: a minimal /dev on a tmpfs of its own, as bubblewrap makes one: the harmless
//! character devices, a private devpts instance for terminals, /dev/shm and the usual links.
//! Nothing of it is written to the rootfs, and everything is made in the tmpfs by its
//! descriptor, never through a path of the rootfs looked up again.

use super::mounts;
use crate::out::Failure;
use crate::sys::{self, Errno, Fd, Resolve};
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

const DEV_OPTIONS: mounts::Options = &[(c"mode", Some(c"755")), (c"size", Some(c"64k"))];

/// A devpts of our own: the container sees only its own terminals, and its ptmx.
const PTS_OPTIONS: mounts::Options = &[
    (c"newinstance", None),
    (c"ptmxmode", Some(c"0666")),
    (c"mode", Some(c"620")),
];

/// The /dev, on a real directory of the rootfs; returns its root.
pub fn populate(root: &Fd) -> Result<Fd, Failure> {
    // Taken before our /dev can hide it (when the container's root is the host's).
    let host = Fd::open(c"/dev", libc::O_PATH | libc::O_DIRECTORY).ok();
    let at = mounts::mount_point(root, b"/dev")?;
    let attrs = sys::MOUNT_ATTR_NOSUID | sys::MOUNT_ATTR_NOEXEC;
    let dev = mounts::mount_new(&at, b"/dev", c"tmpfs", attrs, DEV_OPTIONS)?;
    // The nodes get exactly mode 0666, whatever umask we were given.
    let umask = sys::umask(0);
    let made = NODES.iter().try_for_each(|&(name, major, minor)| {
        make_node(&dev, host.as_ref(), name, major, minor)
            .map_err(|e| Failure::os(c"making the device", name.to_bytes(), e))
    });
    sys::umask(umask);
    made?;
    for &(name, target) in &LINKS {
        dev.symlink_at(target, name)
            .map_err(|e| Failure::os(c"making the link", name.to_bytes(), e))?;
    }
    let pts = subdir(&dev, c"pts", b"/dev/pts")?;
    mounts::mount_new(&pts, b"/dev/pts", c"devpts", attrs, PTS_OPTIONS)?;
    let shm = subdir(&dev, c"shm", b"/dev/shm")?;
    let shm_attrs = sys::MOUNT_ATTR_NOSUID | sys::MOUNT_ATTR_NODEV;
    mounts::mount_new(
        &shm,
        b"/dev/shm",
        c"tmpfs",
        shm_attrs,
        &[(c"mode", Some(c"1777"))],
    )?;
    Ok(dev)
}

/// A mount point in our /dev, made there and held by its descriptor.
pub fn subdir(dev: &Fd, name: &CStr, path: &'static [u8]) -> Result<Fd, Failure> {
    dev.mkdir_at(name, 0o755)
        .and_then(|()| dev.open_under(name, Resolve::ThisMount))
        .map_err(|e| Failure::os(c"mounting", path, e))
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
