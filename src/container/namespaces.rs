//! Which namespaces a container gets, by name, and making them.

use crate::out::Failure;
use crate::sys;
use core::ffi::c_int;

/// A set of namespaces, as `CLONE_NEW*` flags.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Namespaces(pub c_int);

const NAMES: [(&str, c_int); 8] = [
    ("mnt", libc::CLONE_NEWNS),
    ("uts", libc::CLONE_NEWUTS),
    ("ipc", libc::CLONE_NEWIPC),
    ("pid", libc::CLONE_NEWPID),
    ("net", libc::CLONE_NEWNET),
    ("cgroup", libc::CLONE_NEWCGROUP),
    ("time", libc::CLONE_NEWTIME),
    ("user", libc::CLONE_NEWUSER),
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

/// `mnt,uts,ipc,pid,net,cgroup,time,user`, `all` or `none`.
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

pub fn unshare(namespaces: Namespaces) -> Result<(), Failure> {
    sys::unshare(namespaces.0).map_err(|e| Failure::os("unsharing namespaces", b"", e))
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
        assert!(all.has(libc::CLONE_NEWUSER));
        assert!(parse_namespaces(b"mnt,bogus").is_err());
        assert!(parse_namespaces(b"").is_err());
    }
}
