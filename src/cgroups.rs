//! Resource limits: the command runs in a cgroup of its own, made before the container and
//! removed after it has ended.
//!
//! cgroup v2 (one tree, mounted at /sys/fs/cgroup): the group is made under boxinit's own
//! group, with the controllers it needs enabled on the way down. cgroup v1 (hybrid hosts): one
//! group per controller hierarchy, /sys/fs/cgroup/CONTROLLER/OWN-GROUP/NAME. Either way the
//! command (or, with a PID namespace, the container's PID 1) moves itself in before it execs,
//! by writing to cgroup.procs through a descriptor opened here. boxinit itself stays outside,
//! so that it can empty and remove the group once the command has ended.

use crate::config::Limits;
use crate::out::{self, Failure};
use crate::sys::{self, Errno, Fd, Target};
use crate::values;
use core::ffi::CStr;

/// The CPU quota's period: `--cpus 0.5` is 50000 microseconds of every 100000.
pub const PERIOD_US: u64 = 100_000;

impl Limits {
    /// Whether a group is wanted at all (a name alone makes one, with no limit).
    pub fn wanted(&self) -> bool {
        *self != Limits::default()
    }

    fn needs(&self, controller: Controller) -> bool {
        match controller {
            Controller::Memory => self.memory.is_some() || self.memory_swap.is_some(),
            Controller::Cpu => self.cpu_quota_us.is_some() || self.cpu_weight.is_some(),
            Controller::Pids => self.pids.is_some(),
        }
    }
}

/// A group name is one path component.
pub fn check_name(name: &'static CStr) -> Result<&'static CStr, Failure> {
    let bytes = name.to_bytes();
    // "cgroup." names the kernel's own files, and a newline no cgroup name can hold: both
    // would fail only once the cgroup is made.
    let odd =
        bytes.starts_with(b"cgroup.") || sys::has_byte(bytes, b'/') || sys::has_byte(bytes, b'\n');
    if matches!(bytes, b"" | b"." | b"..") || odd || bytes.len() > 200 {
        return Err(Failure::plain(c"invalid --cgroup name:", bytes));
    }
    Ok(name)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Controller {
    Memory,
    Cpu,
    Pids,
}

const CONTROLLERS: [Controller; 3] = [Controller::Memory, Controller::Cpu, Controller::Pids];

impl Controller {
    fn name(self) -> &'static [u8] {
        let word = self.enabling();
        &word[1..word.len() - 1]
    }

    /// What enables it in cgroup.subtree_control, with the space that ends a word there.
    fn enabling(self) -> &'static [u8] {
        match self {
            Controller::Memory => b"+memory ",
            Controller::Cpu => b"+cpu ",
            Controller::Pids => b"+pids ",
        }
    }

    /// Its cgroup v1 hierarchy (a link to cpu,cpuacct where the two share one).
    fn v1_root(self) -> &'static CStr {
        match self {
            Controller::Memory => c"/sys/fs/cgroup/memory",
            Controller::Cpu => c"/sys/fs/cgroup/cpu",
            Controller::Pids => c"/sys/fs/cgroup/pids",
        }
    }
}

const ROOT: &CStr = c"/sys/fs/cgroup";
const CGROUP_SUPER_MAGIC: i64 = 0x27e0eb;
const CGROUP2_SUPER_MAGIC: i64 = 0x6367_7270;

/// What a limit's file holds, from the options.
#[derive(Clone, Copy)]
enum Value {
    Memory,
    /// Memory and swap together (docker's meaning, v1's memsw).
    MemoryAndSwap,
    /// Swap alone (v2's memory.swap.max).
    Swap,
    Quota,
    Period,
    /// v2's cpu.max: "QUOTA PERIOD".
    QuotaPerPeriod,
    Weight,
    Shares,
    Pids,
}

impl Value {
    /// Out of line: inlined, every value was worked out before `set_limits`'s loop, each in
    /// a stack slot of its own.
    #[inline(never)]
    fn of(self, l: &Limits) -> Option<u64> {
        match self {
            Value::Memory => l.memory,
            Value::MemoryAndSwap => l.memory_swap,
            Value::Swap => l.memory_swap.map(|s| s - l.memory.unwrap_or(0)),
            Value::Quota | Value::QuotaPerPeriod => l.cpu_quota_us,
            Value::Period => l.cpu_quota_us.map(|_| PERIOD_US),
            Value::Weight => l.cpu_weight,
            Value::Shares => l.cpu_weight.map(shares),
            Value::Pids => l.pids,
        }
    }
}

/// The files of the limits, in the order they are written.
const V1: [(Controller, &CStr, Value); 6] = [
    (Controller::Memory, c"memory.limit_in_bytes", Value::Memory),
    // Missing when the kernel does not account swap (swapaccount=0): then an error.
    (
        Controller::Memory,
        c"memory.memsw.limit_in_bytes",
        Value::MemoryAndSwap,
    ),
    (Controller::Cpu, c"cpu.cfs_period_us", Value::Period),
    (Controller::Cpu, c"cpu.cfs_quota_us", Value::Quota),
    (Controller::Cpu, c"cpu.shares", Value::Shares),
    (Controller::Pids, c"pids.max", Value::Pids),
];
const V2: [(Controller, &CStr, Value); 5] = [
    (Controller::Memory, c"memory.max", Value::Memory),
    (Controller::Memory, c"memory.swap.max", Value::Swap),
    (Controller::Cpu, c"cpu.max", Value::QuotaPerPeriod),
    (Controller::Cpu, c"cpu.weight", Value::Weight),
    (Controller::Pids, c"pids.max", Value::Pids),
];

/// The group in one hierarchy.
struct Dir {
    /// The directory it was made in, to remove it from (by descriptor: after a pivot_root
    /// no path leads there).
    parent: Fd,
    group: Fd,
    /// cgroup.procs, open for writing: the command writes itself in through it.
    procs: Fd,
    /// For messages.
    path: &'static CStr,
    /// Its hierarchy's controller (v1); v2 has one hierarchy for all.
    controller: Controller,
}

/// The command's group, in one hierarchy (v2) or one per controller (v1).
pub struct Group {
    name: &'static CStr,
    v2: bool,
    dirs: heapless::Vec<Dir, 3>,
    /// boxinit's own group and the leaf it moved to from there (see `enable_v2`).
    moved: Option<(&'static CStr, &'static CStr)>,
    /// Whoever enters takes a cgroup namespace too, rooted at the group.
    namespace: bool,
}

/// Make the group with its limits, if any were asked for. With `cgroup_namespace`, whoever
/// joins it takes a cgroup namespace too, after moving in, so that the group is its root.
/// Out of line: inlined into the run it takes 32 bytes more (x86_64).
#[inline(never)]
pub fn create(limits: &Limits, cgroup_namespace: bool) -> Result<Option<Group>, Failure> {
    if !limits.wanted() {
        return Ok(None);
    }
    let name = match limits.name {
        Some(name) => name,
        None => {
            let mut digits = [0; 20];
            let pid = out::decimal(sys::getpid() as u64, &mut digits);
            keep(&[b"boxinit-", pid])?
        }
    };
    let mut group = Group {
        name,
        v2: sys::fs_type(ROOT) == Ok(CGROUP2_SUPER_MAGIC),
        dirs: heapless::Vec::new(),
        moved: None,
        namespace: cgroup_namespace,
    };
    if let Err(failure) = group.make(limits) {
        group.remove_dirs();
        return Err(failure);
    }
    Ok(Some(group))
}

/// In the process that becomes the command (or the container's PID 1), before anything
/// else: move into `group`, if there is one, then take a cgroup namespace rooted there if one
/// was asked for. The group is boxinit's (it removes it), read here through the fork.
pub fn enter(group: Option<&Group>) -> Result<(), Failure> {
    let Some(group) = group else {
        return Ok(());
    };
    group
        .dirs
        .iter()
        .try_for_each(|dir| sys::write_all(dir.procs.raw(), &[b"0"]))
        .map_err(|e| Failure::os_bare(c"entering the command's cgroup", e))?;
    if group.namespace {
        sys::unshare(libc::CLONE_NEWCGROUP)
            .map_err(|e| Failure::os_bare(c"unsharing the cgroup namespace", e))?;
    }
    Ok(())
}

impl Group {
    /// After the container has ended, whichever way: say so if the kernel's OOM killer struck,
    /// then empty the group (what is left of the command is killed: the group lives as long
    /// as the container) and remove it. Returns `result` unchanged.
    pub fn remove<T>(&self, result: Result<T, Failure>) -> Result<T, Failure> {
        if result.is_ok() && self.oom_killed() {
            let what = b"out of memory: the kernel's OOM killer ended a process of cgroup ";
            out::say(0, &[what, self.name.to_bytes()]);
        }
        self.remove_dirs();
        result
    }

    fn make(&mut self, limits: &Limits) -> Result<(), Failure> {
        let mut buf = [0; 4096];
        let own = read_own_cgroups(&mut buf)?;
        if self.v2 {
            self.make_v2(own, limits)?;
        } else {
            // A group with a name and no limit still joins every hierarchy: it accounts.
            let any = CONTROLLERS.iter().any(|&c| limits.needs(c));
            for &controller in &CONTROLLERS {
                if !any || limits.needs(controller) {
                    self.make_v1(own, controller)?;
                }
            }
        }
        self.set_limits(limits)
    }

    /// cgroup v2: the group in ours, the controllers it needs passed down to it.
    #[inline(never)]
    fn make_v2(&mut self, own: &[u8], limits: &Limits) -> Result<(), Failure> {
        let own = under(values::cgroup_path(own, b""));
        // 256 bytes, as the launcher's buffers of text: one copy of their code.
        let mut enable: heapless::Vec<u8, 256> = heapless::Vec::new();
        let mut list = [0; 256];
        let available = read_file(ROOT, c"cgroup.controllers", &mut list)?;
        for &controller in CONTROLLERS.iter().filter(|&&c| limits.needs(c)) {
            if !values::has_word(available, controller.name()) {
                let what = c"cgroup controller not available:";
                return Err(Failure::plain(what, controller.name()));
            }
            let _ = enable.extend_from_slice(controller.enabling());
        }
        if !enable.is_empty() {
            self.enable_v2(own, &enable)?;
        }
        self.make_in(keep(&[ROOT.to_bytes(), own])?, Controller::Memory)
    }

    /// cgroup v1: the group in ours in the hierarchy of `controller`.
    #[inline(never)]
    fn make_v1(&mut self, own: &[u8], controller: Controller) -> Result<(), Failure> {
        let root = controller.v1_root();
        if sys::fs_type(root) != Ok(CGROUP_SUPER_MAGIC) {
            return Err(Failure::plain(c"no cgroup hierarchy at", root.to_bytes()));
        }
        let own = under(values::cgroup_path(own, controller.name()));
        let mut parent = keep(&[root.to_bytes(), own])?;
        // A container may see its group as the hierarchy's root without a cgroup namespace
        // (a bind mount): then /proc/self/cgroup names a path that is not there.
        if sys::is_directory(parent) != Ok(true) {
            parent = root;
        }
        self.make_in(parent, controller)
    }

    /// Write each limit to its file: the same limits, in v1's files or in v2's.
    #[inline(never)]
    fn set_limits(&self, limits: &Limits) -> Result<(), Failure> {
        for &(controller, file, value) in if self.v2 { &V2[..] } else { &V1[..] } {
            let (Some(number), Some(dir)) = (value.of(limits), self.dir(controller)) else {
                continue;
            };
            let mut digits = [0; 20];
            let suffix: &[u8] = match value {
                Value::QuotaPerPeriod => b" 100000",
                _ => b"",
            };
            let text = [out::decimal(number, &mut digits), suffix];
            dir.group
                .open_at(file, libc::O_WRONLY, 0)
                .and_then(|f| sys::write_all(f.raw(), &text))
                .map_err(|e| Failure::os(c"setting", joined(dir.path, file), e))?;
        }
        Ok(())
    }

    /// Enable `enable` ("+memory +pids ") in cgroup.subtree_control from the root down to our
    /// own group, so that a group made in ours has them. Where they pass already, the write
    /// changes nothing; where we may not write (above a delegated subtree) they must pass
    /// already. A group that holds processes cannot pass controllers down (the
    /// no-internal-process rule): when ours holds boxinit, boxinit first moves to a leaf of its
    /// own, NAME.supervisor, which it leaves again once the group is gone.
    fn enable_v2(&mut self, own: &[u8], enable: &[u8]) -> Result<(), Failure> {
        for (i, _) in own.iter().enumerate().filter(|&(_, &c)| c == b'/') {
            let _ = write_file(
                keep(&[ROOT.to_bytes(), &own[..i]])?,
                c"cgroup.subtree_control",
                enable,
            );
        }
        let own_dir = keep(&[ROOT.to_bytes(), own])?;
        match write_file(own_dir, c"cgroup.subtree_control", enable) {
            Err(f) if f.errno() == Some(Errno::EBUSY) => {}
            // The parent does not pass them on, and we may not make it (not delegated).
            Err(f) if f.errno() == Some(Errno::ENOENT) => {
                let what = c"cgroup controllers not passed down to";
                return Err(Failure::plain(what, own_dir.to_bytes()));
            }
            other => return other,
        }
        let leaf_name = keep(&[self.name.to_bytes(), b".supervisor"])?;
        let leaf = keep(&[own_dir.to_bytes(), b"/", leaf_name.to_bytes()])?;
        sys::mkdir(leaf, 0o755).map_err(|e| Failure::os(c"making cgroup", leaf.to_bytes(), e))?;
        self.moved = Some((own_dir, leaf_name));
        write_file(leaf, c"cgroup.procs", b"0")
            .and_then(|()| write_file(own_dir, c"cgroup.subtree_control", enable))
    }

    /// Undo `enable_v2`'s move once the group is gone (or when others share our group, so
    /// that it cannot pass controllers down): take them back from our group, which then has
    /// no other user, go back into it, and remove the leaf.
    fn go_back(&self) {
        if let Some((own_dir, leaf_name)) = self.moved {
            let _ = write_file(own_dir, c"cgroup.subtree_control", b"-memory -cpu -pids");
            let _ = write_file(own_dir, c"cgroup.procs", b"0");
            let _ = Fd::open(own_dir, libc::O_RDONLY | libc::O_DIRECTORY)
                .and_then(|d| d.unlink_at(leaf_name, libc::AT_REMOVEDIR));
        }
    }

    /// Make the group in `parent` and open what it needs later.
    fn make_in(&mut self, parent: &'static CStr, controller: Controller) -> Result<(), Failure> {
        let parent_fd = Fd::open(parent, libc::O_RDONLY | libc::O_DIRECTORY)
            .map_err(|e| Failure::os(c"opening cgroup", parent.to_bytes(), e))?;
        let path = keep(&[parent.to_bytes(), b"/", self.name.to_bytes()])?;
        sys::mkdir(path, 0o755).map_err(|e| Failure::os(c"making cgroup", path.to_bytes(), e))?;
        let opened = parent_fd
            .open_at(self.name, libc::O_RDONLY | libc::O_DIRECTORY, 0)
            .and_then(|group| Ok((group.open_at(c"cgroup.procs", libc::O_WRONLY, 0)?, group)));
        let (procs, group) = opened.map_err(|e| {
            let _ = parent_fd.unlink_at(self.name, libc::AT_REMOVEDIR);
            Failure::os(c"opening cgroup", path.to_bytes(), e)
        })?;
        // At most one group per controller: the room for three cannot run out.
        let _ = self.dirs.push(Dir {
            parent: parent_fd,
            group,
            procs,
            path,
            controller,
        });
        Ok(())
    }

    /// The group in the hierarchy of `controller`.
    fn dir(&self, controller: Controller) -> Option<&Dir> {
        self.dirs
            .iter()
            .find(|dir| self.v2 || dir.controller == controller)
    }

    /// Whether the kernel's OOM killer ended a process of the group.
    fn oom_killed(&self) -> bool {
        let file = if self.v2 {
            c"memory.events"
        } else {
            c"memory.oom_control"
        };
        let mut buf = [0; 512];
        let read = self.dir(Controller::Memory).and_then(|dir| {
            let len = dir
                .group
                .open_at(file, libc::O_RDONLY, 0)
                .ok()?
                .read(&mut buf)
                .ok()?;
            values::field(&buf[..len], b"oom_kill")
        });
        read.unwrap_or(0) > 0
    }

    /// Remove every directory made, killing what is still in the group first. Killed
    /// processes end in a moment; the wait for them is bounded, and what cannot be removed
    /// is said, not fatal: the command's status still stands.
    ///
    /// Nothing is reaped here: a process that has ended holds no group, zombie or not (the
    /// directory goes once the kernel has taken its last member out). Those that were our
    /// children are left to whoever reaps after us, once boxinit has exited.
    fn remove_dirs(&self) {
        for dir in &self.dirs {
            let mut tries = 0;
            loop {
                match dir.parent.unlink_at(self.name, libc::AT_REMOVEDIR) {
                    Ok(()) => break,
                    Err(Errno::EBUSY) if tries < 500 => {
                        tries += 1;
                        kill_members(dir);
                        // Until one of our children ends (they are most of what is left),
                        // or a little while for the rest.
                        let chld = sys::SigSet::EMPTY.with(libc::SIGCHLD);
                        let _ = sys::wait_signal(chld, Some(10));
                    }
                    Err(e) => {
                        out::error("removing cgroup", dir.path.to_bytes(), Some(e));
                        break;
                    }
                }
            }
        }
        self.go_back();
    }
}

/// SIGKILL every process listed in the group's cgroup.procs.
fn kill_members(dir: &Dir) {
    let Ok(procs) = dir.group.open_at(c"cgroup.procs", libc::O_RDONLY, 0) else {
        return;
    };
    let me = sys::getpid();
    let mut buf = [0; 1024];
    let mut pid = 0;
    while let Ok(len @ 1..) = procs.read(&mut buf) {
        for &c in &buf[..len] {
            if c.is_ascii_digit() {
                pid = pid * 10 + (c - b'0') as i32;
            } else {
                if pid > 0 && pid != me {
                    let _ = sys::kill(Target::Process(pid), libc::SIGKILL);
                }
                pid = 0;
            }
        }
    }
}

/// cgroup v2's cpu.weight as v1's cpu.shares, as systemd maps them: the defaults (100 and
/// 1024) match, and the result stays in the range v1 takes.
fn shares(weight: u64) -> u64 {
    (weight * 1024 / 100).clamp(2, 262_144)
}

/// Write `value` to `file` in directory `dir`.
fn write_file(dir: &'static CStr, file: &'static CStr, value: &[u8]) -> Result<(), Failure> {
    Fd::open(dir, libc::O_RDONLY | libc::O_DIRECTORY)
        .and_then(|d| d.open_at(file, libc::O_WRONLY, 0))
        .and_then(|f| sys::write_all(f.raw(), &[value]))
        .map_err(|e| Failure::os(c"writing", joined(dir, file), e))
}

/// The start of `file` in directory `dir`, as much as fits in `buf`.
fn read_file<'a>(
    dir: &'static CStr,
    file: &'static CStr,
    buf: &'a mut [u8],
) -> Result<&'a [u8], Failure> {
    let len = Fd::open(dir, libc::O_RDONLY | libc::O_DIRECTORY)
        .and_then(|d| d.open_at(file, libc::O_RDONLY, 0))
        .and_then(|f| f.read(buf))
        .map_err(|e| Failure::os(c"reading", joined(dir, file), e))?;
    Ok(&buf[..len])
}

/// /proc/self/cgroup: which group boxinit is in, in each hierarchy.
fn read_own_cgroups(buf: &mut [u8]) -> Result<&[u8], Failure> {
    let path = c"/proc/self/cgroup";
    let fail = |e| Failure::os(c"reading", path.to_bytes(), e);
    let file = Fd::open(path, libc::O_RDONLY).map_err(fail)?;
    let mut len = 0;
    loop {
        match file.read(&mut buf[len..]).map_err(fail)? {
            0 => return Ok(&buf[..len]),
            n => len += n,
        }
        if len == buf.len() {
            return Err(fail(Errno::EFBIG));
        }
    }
}

/// A group's path as a suffix for a directory: "" for the root, else "/a/b".
fn under(path: Option<&[u8]>) -> &[u8] {
    match path {
        Some(b"/") | None => b"",
        Some(path) => path,
    }
}

/// `dir/file`, for a message (just `file` if there is no room left to keep it).
fn joined(dir: &CStr, file: &'static CStr) -> &'static [u8] {
    sys::keep(&[dir.to_bytes(), b"/", file.to_bytes()]).map_or(file.to_bytes(), CStr::to_bytes)
}

fn keep(parts: &[&[u8]]) -> Result<&'static CStr, Failure> {
    sys::keep(parts).ok_or(Failure::os_bare(
        c"building a cgroup path",
        Errno::ENAMETOOLONG,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_map_to_shares() {
        assert_eq!(shares(100), 1024);
        assert_eq!(shares(1), 10);
        assert_eq!(shares(10_000), 102_400);
        assert_eq!(shares(50), 512);
    }

    #[test]
    fn names_are_one_component() {
        assert!(check_name(c"web-1").is_ok());
        for bad in [c"", c".", c"..", c"a/b", c"/a"] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_limit_given_is_wanted() {
        let limits = Limits {
            memory_swap: Some(10),
            ..Limits::default()
        };
        assert!(limits.wanted() && !Limits::default().wanted());
    }
}
