//! Which namespaces a container gets, by name, and making them or joining existing ones.

use crate::config::{Joins, Namespaces, TimeOffsets, JOIN_KINDS};
use crate::out::Failure;
use crate::sys::{self, Fd};
use crate::values;
use core::ffi::{c_int, CStr};

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

/// `mnt,uts,ipc,pid,net,cgroup,time,user`, `all` or `none` (each alone: `all,none` or
/// `none,net` would say two things).
pub fn parse_namespaces(list: &'static [u8]) -> Result<Namespaces, Failure> {
    let words = || values::split(list, b',');
    if words().count() > 1 && words().any(|w| w == b"all" || w == b"none") {
        return Err(Failure::plain(
            c"--unshare takes all or none alone, not in a list:",
            list,
        ));
    }
    let mut flags = 0;
    for name in words() {
        flags |= match name {
            b"none" => 0,
            b"all" => NAMES.iter().fold(0, |all, (_, flag)| all | flag),
            _ => NAMES
                .iter()
                .find(|(n, _)| n.as_bytes() == name)
                .map(|&(_, flag)| flag)
                .ok_or(Failure::plain(c"unknown namespace in --unshare:", list))?,
        };
    }
    Ok(Namespaces(flags))
}

pub fn unshare(namespaces: Namespaces) -> Result<(), Failure> {
    sys::unshare(namespaces.0).map_err(|e| Failure::os_bare(c"unsharing namespaces", e))
}

/// setns into each namespace of `joins`. Every path is opened before the first is joined:
/// after a mount namespace (or a user namespace's lost privileges) a path may mean another
/// file or none. Out of line: inlined into the run it takes 64 bytes more (x86_64).
#[inline(never)]
pub fn join_namespaces(joins: &Joins) -> Result<(), Failure> {
    if joins.kinds().is_empty() {
        return Ok(());
    }
    let mut fds: [Option<Fd>; JOIN_KINDS.len()] = Default::default();
    for ((fd, &path), &(kind, flag)) in fds.iter_mut().zip(&joins.0).zip(&JOIN_KINDS) {
        if let Some(path) = path {
            let opened = Fd::open(path, libc::O_RDONLY);
            let what = c"opening namespace";
            let ns = opened.map_err(|e| Failure::os(what, path.to_bytes(), e))?;
            // Of another kind (or none), setns would say only EINVAL.
            if sys::namespace_kind(&ns) != Ok(flag) {
                let kind = kind.as_bytes();
                let what = sys::keep(&[b"--join-", kind, b" names no ", kind, b" namespace:"]);
                let what = what.unwrap_or(c"not a namespace:");
                return Err(Failure::plain(what, path.to_bytes()));
            }
            *fd = Some(ns);
        }
    }
    for ((fd, &path), &(_, kind)) in fds.iter().zip(&joins.0).zip(&JOIN_KINDS) {
        if let (Some(fd), Some(path)) = (fd, path) {
            sys::setns(fd, kind)
                .map_err(|e| Failure::os(c"joining namespace", path.to_bytes(), e))?;
        }
    }
    Ok(())
}

/// Set the clocks of the time namespace we just unshared, which only our children enter: it
/// takes offsets only while no process is in it, so this comes before the first fork.
/// Out of line: smaller than inlined into the run (by 128 bytes on x86_64).
#[inline(never)]
pub fn set_time_offsets(offsets: TimeOffsets) -> Result<(), Failure> {
    const FILE: &CStr = c"/proc/self/timens_offsets";
    if !offsets.is_set() {
        return Ok(());
    }
    // Both records in one write, `CLOCK SECS NANOSECS` a line: the kernel parses them all
    // before it sets any.
    // 256 bytes, as the other buffers of text: one copy of their code. Both lines fit: the
    // offsets are numbers within what the clocks can take (`check`).
    let mut text: heapless::Vec<u8, 256> = heapless::Vec::new();
    for (clock, offset) in [
        (&b"monotonic "[..], offsets.monotonic),
        (b"boottime ", offsets.boottime),
    ] {
        if let Some(secs) = offset {
            for &part in &[clock, secs, b" 0\n"] {
                let _ = text.extend_from_slice(part);
            }
        }
    }
    Fd::open(FILE, libc::O_WRONLY)
        .and_then(|file| file.write_once(&text))
        .map_err(|e| Failure::os(c"writing time offsets to", FILE.to_bytes(), e))
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

    #[test]
    fn joined_kinds() {
        let mut joins = Joins::default();
        assert!(joins.kinds().is_empty());
        joins.set(libc::CLONE_NEWNET, c"/run/netns/x");
        joins.set(libc::CLONE_NEWNS, c"/proc/1/ns/mnt");
        assert_eq!(joins.kinds().0, libc::CLONE_NEWNET | libc::CLONE_NEWNS);
    }
}
