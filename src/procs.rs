//! Everyone left: the processes boxinit answers for at shutdown, and the command of an init
//! inside a PID namespace, seen from outside.
//!
//! As PID 1 of a namespace that is every other process in it, and `kill(-1)` reaches them in
//! one call. Anywhere else it is our descendants, found by walking parent links in /proc.

use crate::sys::{self, Fd, Pid, Signal, Target};

/// Send `sig` to every process boxinit answers for.
pub fn signal_all(sig: Signal) {
    let me = sys::getpid();
    if me == 1 {
        let _ = sys::kill(Target::Everyone, sig);
        return;
    }
    let Ok(proc) = Fd::open(c"/proc", libc::O_RDONLY | libc::O_DIRECTORY) else {
        return;
    };
    for_each_process(&proc, |pid| {
        if is_descendant(&proc, pid, me) {
            let _ = sys::kill(Target::Process(pid), sig);
        }
    });
}

/// The first child `pid` started that is still there, in the /proc directory `proc` (a
/// descriptor we do not own): an init's first child is its command. `PID/task/PID/children`
/// lists children in the order they came; kernels without it (CONFIG_PROC_CHILDREN) are
/// searched for the lowest pid whose parent is `pid`.
pub fn first_child(proc: i32, pid: Pid) -> Option<Pid> {
    let mut digits = [0; 20];
    let name = crate::out::decimal(pid as u64, &mut digits);
    let mut buf = [0u8; 32];
    if let Some(len) = read_in(proc, &[name, b"/task/", name, b"/children"], &mut buf) {
        let first = crate::values::split(&buf[..len], b' ').next()?;
        return crate::values::number(first).map(|n| n as Pid);
    }
    lowest_child(proc, pid)
}

/// Whether the first child of `pid` (as `first_child` finds it) is stopped.
pub fn first_child_stopped(proc: i32, pid: Pid) -> bool {
    let Some(child) = first_child(proc, pid) else {
        return false;
    };
    let mut digits = [0; 20];
    let name = crate::out::decimal(child as u64, &mut digits);
    let mut buf = [0u8; 512];
    read_in(proc, &[name, b"/stat"], &mut buf)
        .is_some_and(|len| crate::values::stat_state(&buf[..len]) == Some(b'T'))
}

/// The lowest pid whose parent is `pid`, in the /proc directory `proc`.
fn lowest_child(proc: i32, pid: Pid) -> Option<Pid> {
    let dir = Fd::open_in(proc, c".", libc::O_RDONLY | libc::O_DIRECTORY).ok()?;
    let mut lowest = None;
    for_each_process(&dir, |child| {
        if parent_of(&dir, child) == Some(pid) && lowest.is_none_or(|low| child < low) {
            lowest = Some(child);
        }
    });
    lowest
}

/// Call `f` with the pid of each process in the /proc directory `proc`.
fn for_each_process(proc: &Fd, mut f: impl FnMut(Pid)) {
    let mut buf = [0u8; 4096];
    while let Ok(len @ 1..) = proc.read_dir(&mut buf) {
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
fn is_descendant(proc: &Fd, pid: Pid, ancestor: Pid) -> bool {
    let mut p = pid;
    while p > 1 && p != ancestor {
        match parent_of(proc, p) {
            Some(parent) if parent == ancestor => return true,
            Some(parent) => p = parent,
            None => return false,
        }
    }
    false
}

/// The parent pid, from PID/stat in the /proc directory `proc`.
fn parent_of(proc: &Fd, pid: Pid) -> Option<Pid> {
    let mut digits = [0; 20];
    let name = crate::out::decimal(pid as u64, &mut digits);
    // The name is at most 16 bytes: the parent is well within the first 512.
    let mut buf = [0u8; 512];
    let len = read_in(proc.raw(), &[name, b"/stat"], &mut buf)?;
    crate::values::stat_parent(&buf[..len]).map(|n| n as Pid)
}

/// Read the file named by `parts` (joined) in the directory `dir` into `buf`.
fn read_in(dir: i32, parts: &[&[u8]], buf: &mut [u8]) -> Option<usize> {
    let mut path: heapless::Vec<u8, 64> = heapless::Vec::new();
    for part in parts.iter().chain([&&b"\0"[..]]) {
        path.extend_from_slice(part).ok()?;
    }
    let file = Fd::open_in(dir, sys::c_str(&path)?, libc::O_RDONLY).ok()?;
    file.read(buf).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_child_is_found_both_ways() {
        use std::io::BufRead;
        use std::process::{Command, Stdio};
        // A shell with one child, which it names once it has started it.
        let mut shell = Command::new("sh")
            .args(["-c", "sleep 5 & echo $!; wait"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        let mut out = std::io::BufReader::new(shell.stdout.take().unwrap());
        out.read_line(&mut line).unwrap();
        let sleep: Pid = line.trim().parse().unwrap();
        let proc = Fd::open(c"/proc", libc::O_PATH | libc::O_DIRECTORY).unwrap();
        let sh = shell.id() as Pid;
        let found = (first_child(proc.raw(), sh), lowest_child(proc.raw(), sh));
        let _ = sys::kill(Target::Process(sleep), libc::SIGKILL);
        shell.wait().unwrap();
        assert_eq!(found, (Some(sleep), Some(sleep)));
        assert_eq!(first_child(proc.raw(), sleep), None);
    }
}
