//! Building the container: new namespaces, a private mount tree, the rootfs as `/` (by
//! pivot_root, so the old root is gone, not just out of sight), a /proc of its own and a
//! hostname.

use crate::out::Failure;
use crate::sys;
use core::ffi::{c_int, CStr};

/// A set of namespaces, as `CLONE_NEW*` flags.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Namespaces(pub c_int);

const NAMES: [(&str, c_int); 7] = [
    ("mnt", libc::CLONE_NEWNS),
    ("uts", libc::CLONE_NEWUTS),
    ("ipc", libc::CLONE_NEWIPC),
    ("pid", libc::CLONE_NEWPID),
    ("net", libc::CLONE_NEWNET),
    ("cgroup", libc::CLONE_NEWCGROUP),
    ("time", libc::CLONE_NEWTIME),
];

impl Namespaces {
    pub const NONE: Namespaces = Namespaces(0);
    /// What `--rootfs` or `--hostname` gets unless `--unshare` says otherwise.
    pub const CONTAINER: Namespaces = Namespaces(
        libc::CLONE_NEWNS | libc::CLONE_NEWUTS | libc::CLONE_NEWIPC | libc::CLONE_NEWPID,
    );

    pub fn has(self, flag: c_int) -> bool {
        self.0 & flag != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// `mnt,uts,ipc,pid,net,cgroup,time`, `all` or `none`.
pub fn parse_namespaces(list: &'static [u8]) -> Result<Namespaces, Failure> {
    let mut flags = 0;
    for name in list.split(|&c| c == b',') {
        flags |= match name {
            b"none" => 0,
            b"all" => NAMES.iter().fold(0, |all, (_, flag)| all | flag),
            _ => NAMES
                .iter()
                .find(|(n, _)| n.as_bytes() == name)
                .map(|&(_, flag)| flag)
                .ok_or(Failure::usage("unknown namespace", name))?,
        };
    }
    Ok(Namespaces(flags))
}

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

pub fn unshare(namespaces: Namespaces) -> Result<(), Failure> {
    sys::unshare(namespaces.0).map_err(|e| Failure::os("unsharing namespaces", b"", e))
}

/// Inside the new namespaces (and, with a PID namespace, as its PID 1): make the mounts
/// private, enter the rootfs, mount /proc and set the hostname.
pub fn enter(
    namespaces: Namespaces,
    rootfs: Option<&'static CStr>,
    hostname: Option<&'static CStr>,
) -> Result<(), Failure> {
    if namespaces.has(libc::CLONE_NEWNS) {
        // Before any mount: nothing we mount may propagate back to the host.
        mount(
            c"none",
            c"/",
            None,
            libc::MS_REC | libc::MS_PRIVATE,
            "making mounts private",
        )?;
        if let Some(rootfs) = rootfs {
            pivot_into(rootfs)?;
        }
        if namespaces.has(libc::CLONE_NEWPID) {
            // A /proc of the new PID namespace, or /proc would still list the host.
            let flags = libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC;
            mount(c"proc", c"/proc", Some(c"proc"), flags, "mounting proc")?;
        }
    }
    if let Some(hostname) = hostname {
        sys::sethostname(hostname.to_bytes())
            .map_err(|e| Failure::os("setting hostname", hostname.to_bytes(), e))?;
    }
    Ok(())
}

/// Make `rootfs` the root. pivot_root(".", ".") stacks the old root under the new one; the
/// detach then removes it, so no path, `..` or open-directory trick leads back to the host.
fn pivot_into(rootfs: &'static CStr) -> Result<(), Failure> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespace_lists() {
        assert_eq!(parse_namespaces(b"none").unwrap(), Namespaces::NONE);
        assert_eq!(
            parse_namespaces(b"mnt,uts,ipc,pid").unwrap(),
            Namespaces::CONTAINER
        );
        let all = parse_namespaces(b"all").unwrap();
        assert!(all.has(libc::CLONE_NEWNET) && all.has(libc::CLONE_NEWTIME));
        assert!(!all.has(libc::CLONE_NEWUSER));
        assert!(parse_namespaces(b"mnt,bogus").is_err());
        assert!(parse_namespaces(b"").is_err());
    }
}
