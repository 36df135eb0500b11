//! Everyone left: the processes boxinit answers for at shutdown.
//!
//! As PID 1 of a namespace that is every other process in it, and `kill(-1)` reaches them in
//! one call. Anywhere else it is our descendants, found by walking parent links in /proc.

use crate::sys::{self, Fd, Pid, Signal};

/// Send `sig` to every process boxinit answers for.
pub fn signal_all(sig: Signal) {
    let me = sys::getpid();
    if me == 1 {
        let _ = sys::kill(-1, sig);
        return;
    }
    for_each_process(|pid| {
        if is_descendant(pid, me) {
            let _ = sys::kill(pid, sig);
        }
    });
}

/// Call `f` with the pid of each process in /proc.
fn for_each_process(mut f: impl FnMut(Pid)) {
    let Ok(dir) = Fd::open(c"/proc", libc::O_RDONLY | libc::O_DIRECTORY) else {
        return;
    };
    let mut buf = [0u8; 4096];
    while let Ok(len @ 1..) = dir.read_dir(&mut buf) {
        let mut records = &buf[..len];
        // A getdents64 record: d_ino (8), d_off (8), d_reclen (2), d_type (1), d_name.
        while records.len() > 19 {
            let reclen = u16::from_ne_bytes([records[16], records[17]]) as usize;
            if reclen < 19 || reclen > records.len() {
                break;
            }
            let name = &records[19..reclen];
            let name = &name[..name.iter().position(|&c| c == 0).unwrap_or(name.len())];
            if let Some(pid) = crate::values::number(name) {
                f(pid as Pid);
            }
            records = &records[reclen..];
        }
    }
}

/// Whether `pid`'s chain of parents leads to `ancestor`.
fn is_descendant(pid: Pid, ancestor: Pid) -> bool {
    let mut p = pid;
    while p > 1 && p != ancestor {
        match parent_of(p) {
            Some(parent) if parent == ancestor => return true,
            Some(parent) => p = parent,
            None => return false,
        }
    }
    false
}

/// The parent pid, from field 4 of /proc/PID/stat (after the command name in parentheses,
/// which may itself hold spaces and parentheses).
pub fn parent_of(pid: Pid) -> Option<Pid> {
    let mut path: heapless::Vec<u8, 32> = heapless::Vec::new();
    let mut digits = [0; 20];
    path.extend_from_slice(b"/proc/").ok()?;
    path.extend_from_slice(crate::out::decimal(pid as u64, &mut digits))
        .ok()?;
    path.extend_from_slice(b"/stat\0").ok()?;
    let path = crate::sys::c_str(&path)?;

    let mut buf = [0u8; 512];
    let len = Fd::open(path, libc::O_RDONLY).ok()?.read(&mut buf).ok()?;
    let stat = &buf[..len];
    let after_name = &stat[stat.iter().rposition(|&c| c == b')')? + 1..];
    let ppid = after_name.split(|&c| c == b' ').nth(2)?;
    crate::values::number(ppid).map(|n| n as Pid)
}
