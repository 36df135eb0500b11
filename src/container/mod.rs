//! Building the container: new namespaces, a private mount tree, the rootfs as `/` (by
//! pivot_root, so the old root is gone, not just out of sight), a /proc of its own, a /dev,
//! the mount steps of the command line, and a hostname.

mod devices;
mod idmaps;
mod kernel;
mod made;
mod mounts;
mod namespaces;
mod network;
mod privileges;
mod rlimits;

pub use made::MountPoints;
pub use mounts::{change_dir, WayBack};
pub use namespaces::{join_namespaces, parse_namespaces, set_time_offsets, unshare};
pub use privileges::Privileges;

use crate::config::{Filesystem, IdMapOptions, Namespaces, Opt, PrivilegeOptions};
use crate::out::Failure;
use crate::sys;
use core::ffi::CStr;

/// A PID namespace always gets a /proc of its own, or /proc would still list the host; that
/// mount needs a mount namespace, which it brings along (as `unshare --mount-proc` does).
pub fn with_proc_namespace(namespaces: Namespaces) -> Namespaces {
    if namespaces.has(libc::CLONE_NEWPID) {
        Namespaces(namespaces.0 | libc::CLONE_NEWNS)
    } else {
        namespaces
    }
}

/// The rootfs must be a directory.
pub fn check_rootfs_exists(rootfs: &'static CStr) -> Result<(), Failure> {
    match sys::is_directory(rootfs) {
        Ok(true) => Ok(()),
        Ok(false) => Err(Failure::os(
            c"checking rootfs",
            rootfs.to_bytes(),
            sys::Errno::ENOTDIR,
        )),
        Err(e) => Err(Failure::os(c"checking rootfs", rootfs.to_bytes(), e)),
    }
}

/// A hostname fits the kernel's 64 bytes (that a UTS namespace of our own keeps it from the
/// host is the parser's to check, which names the options).
pub fn check_hostname(hostname: &'static CStr) -> Result<(), Failure> {
    if hostname.to_bytes().len() > 64 {
        return Err(Failure::plain(
            c"hostname longer than 64 bytes:",
            hostname.to_bytes(),
        ));
    }
    // Every program that prints the hostname would send its control bytes to a terminal (C1
    // ones too, raw or in UTF-8): a hostname is printable ASCII.
    let control = |c: &u8| !(0x20..0x7f).contains(c);
    if hostname.is_empty() || hostname.to_bytes().iter().any(control) {
        return Err(Failure::plain(
            c"invalid --hostname (want printable ASCII, not empty):",
            hostname.to_bytes(),
        ));
    }
    Ok(())
}

/// Inside the new namespaces (and, with a PID namespace, as its PID 1), the setup steps in
/// the order they run.
pub fn enter(
    namespaces: Namespaces,
    rootfs: Option<&'static CStr>,
    hostname: Option<&'static CStr>,
    fs: &Filesystem,
) -> Result<(), Failure> {
    if namespaces.has(libc::CLONE_NEWNS) {
        build_filesystem(namespaces, rootfs, fs)?;
    }
    if namespaces.has(libc::CLONE_NEWNET) {
        network::bring_up_loopback()?;
    }
    if let Some(hostname) = hostname {
        sys::sethostname(hostname.to_bytes())
            .map_err(|e| Failure::os(c"setting hostname", hostname.to_bytes(), e))?;
    }
    Ok(())
}

const MQUEUE: mounts::NewFs = mounts::NewFs {
    path: b"/dev/mqueue",
    fstype: c"mqueue",
    attrs: sys::MOUNT_ATTR_NOSUID | sys::MOUNT_ATTR_NODEV | sys::MOUNT_ATTR_NOEXEC,
    options: &[],
    or_host: None,
};

/// The container's file system, step by step.
///
/// Out of line: inlined into `run::set_up` it takes 128 bytes more (x86_64).
#[inline(never)]
fn build_filesystem(
    namespaces: Namespaces,
    rootfs: Option<&'static CStr>,
    fs: &Filesystem,
) -> Result<(), Failure> {
    mounts::make_private()?;
    // Without a rootfs the command keeps the caller's working directory; mounting moves ours.
    let cwd = mounts::open_dir(c".").map_err(|e| Failure::os(c"opening", b".", e))?;
    // On the host side: the bind sources, while host paths still mean the host.
    let mut sources = mounts::Sources::new();
    mounts::open_sources(&fs.steps, &mut sources)?;
    let root = match rootfs {
        Some(dir) if fs.volatile => mounts::volatile_root(dir)?,
        Some(dir) => mounts::bind_root(dir)?,
        None => mounts::host_root()?,
    };
    // The container's own file systems, placed inside the new root while the host's /proc
    // and /dev (for masking and for device nodes that cannot be made) are still reachable.
    // A PID namespace needs a /proc of its own, or /proc would list the host; a rootfs
    // always gets one.
    if namespaces.has(libc::CLONE_NEWPID) || rootfs.is_some() {
        kernel::mount_proc(&root)?;
    }
    let dev = match fs.wants_dev(rootfs.is_some()) {
        true => Some(devices::populate(&root)?),
        false => None,
    };
    if fs.mqueue {
        let (base, within) = dev
            .as_ref()
            .map_or((&root, 0), |dev| (dev, devices::WITHIN));
        mounts::mount_fs(base, within, &MQUEUE)?;
    }
    if fs.sys {
        kernel::mount_sys(&root)?;
    }
    // Into the new root; then the mount steps, in command-line order, resolved inside it.
    match rootfs {
        Some(dir) => mounts::enter_root(root, dir, fs.chroot)?,
        None => cwd
            .change_dir()
            .map_err(|e| Failure::os(c"entering", b".", e))?,
    }
    mounts::replay(&fs.steps, &sources)?;
    if fs.readonly {
        mounts::make_root_readonly()?;
    }
    Ok(())
}

// ---- Identity: the user namespace's maps, and who the command runs as ------------------

/// Before the unshare: what the id maps need done from outside the new user namespace.
pub fn start_id_maps(
    opts: &IdMapOptions,
    namespaces: Namespaces,
) -> Result<idmaps::Pending, Failure> {
    idmaps::start(opts, namespaces)
}

/// Builds a refusal that names an option as it was given (on the command line or by its
/// variable): the option table's business, handed in so that the container's code does not
/// depend on the parser, which depends on it.
pub type Refuse<'a> = &'a dyn Fn(Opt, &[u8], &'static [u8]) -> Failure;

/// Once the container is set up: the command's ids, capabilities and limits, and its
/// environment (HOME for --user).
pub fn resolve_privileges(
    opts: &PrivilegeOptions,
    namespaces: Namespaces,
    refuse: Refuse,
    env: sys::Strings,
) -> Result<(Privileges, sys::Strings), Failure> {
    privileges::resolve(opts, namespaces, refuse, env)
}
