//! Building the container: new namespaces, a private mount tree, the rootfs as `/` (by
//! pivot_root, so the old root is gone, not just out of sight), a /proc of its own and a
//! hostname.

mod idmaps;
mod mounts;
mod namespaces;
mod privileges;
mod rlimits;

pub use idmaps::IdMapOptions;
pub use namespaces::{parse_namespaces, unshare, Namespaces};
pub use privileges::{PrivilegeOptions, Privileges};

use crate::out::Failure;
use crate::sys;
use core::ffi::CStr;

/// The rootfs must be a directory, and only a mount namespace can take a new root.
pub fn check_rootfs(rootfs: &'static CStr, namespaces: Namespaces) -> Result<(), Failure> {
    if rootfs.is_empty() {
        return Err(Failure::usage("empty --rootfs", b""));
    }
    if !namespaces.has(libc::CLONE_NEWNS) {
        return Err(Failure::usage(
            "--rootfs needs the mnt namespace:",
            rootfs.to_bytes(),
        ));
    }
    match sys::is_directory(rootfs) {
        Ok(true) => Ok(()),
        Ok(false) => Err(Failure::os(
            "checking rootfs",
            rootfs.to_bytes(),
            sys::Errno::ENOTDIR,
        )),
        Err(e) => Err(Failure::os("checking rootfs", rootfs.to_bytes(), e)),
    }
}

/// A hostname fits the kernel's 64 bytes, and only a UTS namespace keeps it from the host.
pub fn check_hostname(hostname: &'static CStr, namespaces: Namespaces) -> Result<(), Failure> {
    if hostname.to_bytes().len() > 64 {
        return Err(Failure::usage(
            "hostname longer than 64 bytes:",
            hostname.to_bytes(),
        ));
    }
    if !namespaces.has(libc::CLONE_NEWUTS) {
        return Err(Failure::usage(
            "--hostname needs the uts namespace:",
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
) -> Result<(), Failure> {
    if namespaces.has(libc::CLONE_NEWNS) {
        mounts::make_private()?;
        let proc = namespaces.has(libc::CLONE_NEWPID);
        if let Some(rootfs) = rootfs {
            mounts::pivot_into(rootfs, proc)?;
        } else if proc {
            mounts::mount_proc()?;
        }
    }
    if let Some(hostname) = hostname {
        sys::sethostname(hostname.to_bytes())
            .map_err(|e| Failure::os("setting hostname", hostname.to_bytes(), e))?;
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

/// Once the container is set up: the command's ids, capabilities and limits, and its
/// environment (HOME for --user).
pub fn resolve_privileges(
    opts: &PrivilegeOptions,
    namespaces: Namespaces,
    env: sys::Strings,
) -> Result<(Privileges, sys::Strings), Failure> {
    privileges::resolve(opts, namespaces, env)
}
