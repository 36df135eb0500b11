//! The launcher's place in a build without it (no `launcher` feature): the parser refuses
//! the options that make or join a namespace or change who the command runs as, so the run
//! only supervises. What is left here is what supervising needs (`--chdir`), and a refusal
//! for anything that would still ask for a container.

use crate::config::{Filesystem, IdMapOptions, Joins, Namespaces, PrivilegeOptions, TimeOffsets};
use crate::out::Failure;

/// As the launcher's: builds a refusal naming an option as it was given.
pub type Refuse<'a> = &'a dyn Fn(crate::config::Opt, &[u8], &'static [u8]) -> Failure;
use crate::sys::{self, Strings};
use core::ffi::CStr;

fn absent() -> Failure {
    Failure::plain(
        c"containers are not in this build (built without the launcher)",
        b"",
    )
}

pub fn check_rootfs_exists(_rootfs: &'static CStr) -> Result<(), Failure> {
    Err(absent())
}

/// Boot mode's --hostname names the machine; anywhere else it needs a UTS namespace.
pub fn check_hostname(_hostname: &'static CStr) -> Result<(), Failure> {
    Err(Failure::plain(
        c"--hostname outside boot mode is not in this build (built without the launcher)",
        b"",
    ))
}

pub fn join_namespaces(joins: &Joins) -> Result<(), Failure> {
    match joins.kinds().is_empty() {
        true => Ok(()),
        false => Err(absent()),
    }
}

/// Nothing to do outside a user namespace.
pub struct Pending;

impl Pending {
    pub fn finish(self) -> Result<(), Failure> {
        Ok(())
    }
}

pub fn start_id_maps(_opts: &IdMapOptions, _namespaces: Namespaces) -> Result<Pending, Failure> {
    Ok(Pending)
}

pub fn unshare(_namespaces: Namespaces) -> Result<(), Failure> {
    Err(absent())
}

pub fn set_time_offsets(_offsets: TimeOffsets) -> Result<(), Failure> {
    Ok(())
}

pub fn enter(
    _namespaces: Namespaces,
    _rootfs: Option<&'static CStr>,
    _hostname: Option<&'static CStr>,
    _fs: &Filesystem,
) -> Result<(), Failure> {
    Err(absent())
}

/// `--chdir DIR`, without a container: the caller's root is the command's.
pub fn change_dir(dir: &'static CStr) -> Result<(), Failure> {
    sys::chdir(dir).map_err(|e| Failure::os(c"changing directory to", dir.to_bytes(), e))
}

/// The command keeps boxinit's own ids, capabilities and limits.
pub struct Privileges;

impl Privileges {
    pub fn apply(&self) -> Result<(), Failure> {
        Ok(())
    }
}

pub fn resolve_privileges(
    _opts: &PrivilegeOptions,
    _namespaces: Namespaces,
    _refuse: Refuse,
    env: Strings,
) -> Result<(Privileges, Strings), Failure> {
    Ok((Privileges, env))
}

/// Without the launcher nothing is ever made in a rootfs, so nothing is to be removed.
pub struct MountPoints;

pub struct WayBack;

impl WayBack {
    pub fn find() -> Option<WayBack> {
        None
    }

    pub fn take(self) -> Result<(), sys::Errno> {
        Ok(())
    }
}

impl MountPoints {
    pub fn note(_namespaces: Namespaces, _rootfs: Option<&CStr>, _fs: &Filesystem) -> MountPoints {
        MountPoints
    }

    pub fn close(self) {}

    pub fn is_empty(&self) -> bool {
        true
    }

    pub fn remove_made(self) {}
}
