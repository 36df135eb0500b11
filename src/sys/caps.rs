//! Who we are: user and group ids, capabilities, no_new_privs and resource limits.

use super::Result;
use core::ffi::c_int;
use syscalls::{syscall, Sysno};

pub fn getuid() -> u32 {
    // SAFETY: no arguments; cannot fail.
    unsafe { syscall!(Sysno::getuid) }.unwrap_or(0) as u32
}

pub fn getgid() -> u32 {
    // SAFETY: no arguments; cannot fail.
    unsafe { syscall!(Sysno::getgid) }.unwrap_or(0) as u32
}

pub fn geteuid() -> u32 {
    // SAFETY: no arguments; cannot fail.
    unsafe { syscall!(Sysno::geteuid) }.unwrap_or(0) as u32
}

/// Set the real, effective and saved ids of this thread alone (no libc broadcast).
pub fn set_uid(uid: u32) -> Result<()> {
    // SAFETY: no pointers.
    unsafe { syscall!(Sysno::setresuid, uid, uid, uid) }.map(drop)
}

pub fn set_gid(gid: u32) -> Result<()> {
    // SAFETY: no pointers.
    unsafe { syscall!(Sysno::setresgid, gid, gid, gid) }.map(drop)
}

pub fn set_groups(groups: &[u32]) -> Result<()> {
    // SAFETY: the kernel reads len gid_t values.
    unsafe { syscall!(Sysno::setgroups, groups.len(), groups.as_ptr()) }.map(drop)
}

/// The permitted, effective and inheritable sets of this thread, as 64-bit masks.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct CapSets {
    pub permitted: u64,
    pub effective: u64,
    pub inheritable: u64,
}

#[repr(C)]
struct CapHeader {
    version: u32,
    pid: c_int,
}

#[repr(C)]
#[derive(Clone, Copy)]
struct CapData {
    effective: u32,
    permitted: u32,
    inheritable: u32,
}

const CAP_VERSION_3: u32 = 0x2008_0522;

pub fn capget() -> Result<CapSets> {
    let mut header = CapHeader {
        version: CAP_VERSION_3,
        pid: 0,
    };
    let mut data = [CapData {
        effective: 0,
        permitted: 0,
        inheritable: 0,
    }; 2];
    // SAFETY: version 3 takes a header and two data structs.
    unsafe {
        syscall!(
            Sysno::capget,
            &mut header as *mut CapHeader,
            data.as_mut_ptr()
        )
    }?;
    let join = |lo: u32, hi: u32| lo as u64 | (hi as u64) << 32;
    Ok(CapSets {
        permitted: join(data[0].permitted, data[1].permitted),
        effective: join(data[0].effective, data[1].effective),
        inheritable: join(data[0].inheritable, data[1].inheritable),
    })
}

pub fn capset(sets: CapSets) -> Result<()> {
    let mut header = CapHeader {
        version: CAP_VERSION_3,
        pid: 0,
    };
    let half = |shift: u32| CapData {
        effective: (sets.effective >> shift) as u32,
        permitted: (sets.permitted >> shift) as u32,
        inheritable: (sets.inheritable >> shift) as u32,
    };
    let data = [half(0), half(32)];
    // SAFETY: version 3 takes a header and two data structs.
    unsafe { syscall!(Sysno::capset, &mut header as *mut CapHeader, data.as_ptr()) }.map(drop)
}

/// Remove `cap` from the bounding set (EINVAL: the kernel does not know it).
pub fn drop_bounding_cap(cap: u32) -> Result<()> {
    // SAFETY: no pointers.
    unsafe { syscall!(Sysno::prctl, libc::PR_CAPBSET_DROP, cap) }.map(drop)
}

pub fn raise_ambient_cap(cap: u32) -> Result<()> {
    // SAFETY: no pointers.
    unsafe {
        syscall!(
            Sysno::prctl,
            libc::PR_CAP_AMBIENT,
            libc::PR_CAP_AMBIENT_RAISE,
            cap,
            0,
            0
        )
    }
    .map(drop)
}

/// Keep the permitted set across a change of uid away from 0 (until the next execve).
pub fn keep_caps() -> Result<()> {
    // SAFETY: no pointers.
    unsafe { syscall!(Sysno::prctl, libc::PR_SET_KEEPCAPS, 1) }.map(drop)
}

pub fn set_no_new_privs() -> Result<()> {
    // SAFETY: no pointers.
    unsafe { syscall!(Sysno::prctl, libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) }.map(drop)
}

/// The soft and hard limits of `resource` for this process.
pub fn rlimit(resource: u32) -> Result<[u64; 2]> {
    let mut limit = [0u64; 2];
    // SAFETY: the kernel writes one struct rlimit64 (two u64) to old; new is null.
    unsafe { syscall!(Sysno::prlimit64, 0, resource, 0, limit.as_mut_ptr()) }?;
    Ok(limit)
}

pub fn set_rlimit(resource: u32, soft: u64, hard: u64) -> Result<()> {
    let limit = [soft, hard];
    // SAFETY: the kernel reads one struct rlimit64 (two u64); old may be null.
    unsafe { syscall!(Sysno::prlimit64, 0, resource, limit.as_ptr(), 0) }.map(drop)
}
