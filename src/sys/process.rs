//! Processes: starting them, waiting for them, signalling them, and this process's own ids
//! and ties to its parent.

use super::{Errno, Fd, Pid, Result, Signal};
use core::ffi::c_int;
use syscalls::{syscall, Sysno};

/// `fork`: `Some(pid)` in the parent, `None` in the child.
pub fn fork() -> Result<Option<Pid>> {
    // SAFETY: boxinit has one thread and no locks, so the child inherits a consistent state.
    match unsafe { syscall!(Sysno::clone, libc::SIGCHLD, 0, 0, 0, 0) }? {
        0 => Ok(None),
        pid => Ok(Some(pid as Pid)),
    }
}

/// A buffer for one path (with its NUL), as the kernel takes them.
pub type PathBuffer = [u8; libc::PATH_MAX as usize];

/// Start a child that borrows our memory until it execs or exits, as vfork and posix_spawn
/// do: no page tables to copy and no copy-on-write faults afterwards, which makes starting a
/// command measurably cheaper. The child runs `child` on a stack of its own, carved from
/// ours, with a path buffer (execvp's) beside it; it normally execs, and if `child` returns,
/// its value is the child's exit status. We are suspended until the child has exec'd or
/// exited.
pub fn vfork(child: &mut dyn FnMut(&mut PathBuffer) -> u8) -> Result<Pid> {
    extern "C" fn trampoline(arg: *mut libc::c_void) -> c_int {
        // SAFETY: arg is the `&mut &mut dyn FnMut` below, alive while the parent is suspended;
        // the path buffer above the child's stack is the child's alone (see `child_memory`).
        let child = unsafe { &mut *(arg as *mut &mut dyn FnMut(&mut PathBuffer) -> u8) };
        child(unsafe { &mut *child_memory().cast::<PathBuffer>() }) as c_int
    }
    let mut child = child;
    // SAFETY: the stack and the closure outlive the child's use of them, since CLONE_VFORK
    // suspends us until it execs or exits (`clone_on` exits the child when `child` returns).
    let pid = unsafe {
        clone_on(
            libc::CLONE_VM | libc::CLONE_VFORK | libc::SIGCHLD,
            child_memory(),
            trampoline,
            (&mut child as *mut &mut dyn FnMut(&mut PathBuffer) -> u8).cast(),
        )
    };
    if pid < 0 {
        Err(Errno::new(-pid as c_int))
    } else {
        Ok(pid as Pid)
    }
}

/// The child's memory: the top of its stack, which is also where its path buffer starts.
///
/// In .bss rather than on our stack: the pages the child never touches are never faulted in,
/// and no stack probe walks them (they count towards our peak memory, being ours). The top
/// is put 2 KiB into a page: the child's few hundred bytes of frames below it and the start
/// of the path buffer above it (all a usual path needs) share that one page. On the child's
/// stack, the buffer's stack probe alone touched a second.
fn child_memory() -> *mut u8 {
    /// Enough for the child's path: option checks, execvp, a message.
    const STACK: usize = 31 * 1024;
    const PAGE: usize = 4096;
    const SIZE: usize = STACK + PAGE + libc::PATH_MAX as usize;
    struct Memory(core::cell::UnsafeCell<[u8; SIZE]>);
    // SAFETY: only the one child that exists at a time (we are suspended meanwhile) uses it.
    unsafe impl Sync for Memory {}
    static MEMORY: Memory = Memory(core::cell::UnsafeCell::new([0; SIZE]));
    let base = MEMORY.0.get().cast::<u8>();
    // The first address past STACK bytes that is 2 KiB into a page (16-byte aligned too).
    let skip = (PAGE / 2).wrapping_sub(base as usize + STACK) % PAGE;
    // SAFETY: STACK + skip + PATH_MAX <= SIZE, as skip < PAGE.
    unsafe { base.add(STACK + skip) }
}

extern "C" {
    /// `clone(flags)` with the child on `stack` (its top), where it runs `run(arg)` and exits
    /// with its value; the child's pid in the parent, or -errno. In assembly below: the child
    /// must not return through the parent's frames (it shares our memory), so it cannot come
    /// back from the system call into Rust code. musl's clone does the same, but with its
    /// start-up and locks it pulled in about 1 KB.
    fn clone_on(
        flags: c_int,
        stack: *mut u8,
        run: extern "C" fn(*mut libc::c_void) -> c_int,
        arg: *mut libc::c_void,
    ) -> isize;
}

// The child's stack holds `run` and `arg`, which it takes off before the call (the stack
// 16-byte aligned at it, as the ABI wants); a zero frame pointer ends a backtrace there.
#[cfg(target_arch = "x86_64")]
core::arch::global_asm!(
    ".pushsection .text.clone_on,\"ax\",@progbits",
    ".globl clone_on",
    "clone_on:",
    "and rsi, -16",
    "sub rsi, 16",
    "mov [rsi], rdx",
    "mov [rsi + 8], rcx",
    "mov eax, {clone}",
    "xor edx, edx",
    "xor r10d, r10d",
    "xor r8d, r8d",
    "syscall",
    "test rax, rax",
    "jz 2f",
    "ret",
    "2:",
    "xor ebp, ebp",
    "pop rax",
    "pop rdi",
    "call rax",
    "mov edi, eax",
    "mov eax, {exit}",
    "syscall",
    "ud2",
    ".popsection",
    clone = const Sysno::clone as usize,
    exit = const Sysno::exit as usize,
);

#[cfg(target_arch = "aarch64")]
core::arch::global_asm!(
    ".pushsection .text.clone_on,\"ax\",%progbits",
    ".globl clone_on",
    "clone_on:",
    "and x1, x1, #-16",
    "stp x2, x3, [x1, #-16]!",
    "mov x8, #{clone}",
    "mov x2, xzr",
    "mov x3, xzr",
    "mov x4, xzr",
    "svc #0",
    "cbz x0, 2f",
    "ret",
    "2:",
    "mov x29, xzr",
    "ldp x1, x0, [sp], #16",
    "blr x1",
    "mov x8, #{exit}",
    "svc #0",
    "udf #0",
    ".popsection",
    clone = const Sysno::clone as usize,
    exit = const Sysno::exit as usize,
);

/// How a process ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Exit {
    Code(u8),
    Signal(Signal),
}

impl Exit {
    /// The status a shell would give: the exit code, or 128+N for signal N.
    pub fn status(self) -> u8 {
        match self {
            Exit::Code(code) => code,
            Exit::Signal(sig) => 128u8.wrapping_add(sig as u8),
        }
    }
}

/// What became of a child.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ChildEvent {
    Ended(Pid, Exit),
    /// Stopped by this signal (it may be continued later).
    Stopped(Pid, Signal),
}

/// `wait4(2)` for `pid` (-1: any child) with `flags`; `None` when WNOHANG found nothing.
fn wait(pid: Pid, flags: c_int) -> Result<Option<ChildEvent>> {
    let mut status: c_int = 0;
    let pid = loop {
        // SAFETY: status is a valid out-pointer; rusage may be null.
        match unsafe { syscall!(Sysno::wait4, pid, &mut status as *mut c_int, flags, 0) } {
            Err(Errno::EINTR) => continue,
            found => break found? as Pid,
        }
    };
    // The kernel's wait status: a signal number in the low 7 bits (0x7f: stopped), the exit
    // code or stopping signal in the next 8.
    let high = ((status >> 8) & 0xff) as u8;
    Ok(match status & 0x7f {
        _ if pid == 0 => None,
        0 => Some(ChildEvent::Ended(pid, Exit::Code(high))),
        0x7f => Some(ChildEvent::Stopped(pid, high as Signal)),
        sig => Some(ChildEvent::Ended(pid, Exit::Signal(sig))),
    })
}

/// Reap one child that has ended, or report one that stopped (WUNTRACED) since the last
/// report, without waiting: `Ok(None)` when children remain but none has news,
/// `Err(ECHILD)` when there are no children at all.
pub fn next_child_event() -> Result<Option<ChildEvent>> {
    wait(-1, libc::WNOHANG | libc::WUNTRACED | libc::__WALL)
}

/// Wait for child `pid` to end; its exit code, or 128+N when signal N killed it.
pub fn wait_child(pid: Pid) -> Result<u8> {
    match wait(pid, 0)? {
        Some(ChildEvent::Ended(_, exit)) => Ok(exit.status()),
        _ => Err(Errno::ECHILD),
    }
}

/// Whom a signal is sent to.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Target {
    Process(Pid),
    /// Every member of the process group with this id.
    Group(Pid),
    /// Every member of our own process group.
    OwnGroup,
    /// Every process we may signal but ourselves (as PID 1 of a namespace: all of it).
    Everyone,
}

pub fn kill(target: Target, sig: Signal) -> Result<()> {
    let pid = match target {
        Target::Process(pid) => pid as isize,
        Target::Group(pgid) => -(pgid as isize),
        Target::OwnGroup => 0,
        Target::Everyone => -1,
    };
    // SAFETY: no pointers.
    unsafe { syscall!(Sysno::kill, pid, sig) }.map(drop)
}

pub fn getpid() -> Pid {
    // SAFETY: no arguments; cannot fail.
    unsafe { syscall!(Sysno::getpid) }.unwrap_or(0) as Pid
}

pub fn getppid() -> Pid {
    // SAFETY: no arguments; cannot fail.
    unsafe { syscall!(Sysno::getppid) }.unwrap_or(0) as Pid
}

pub fn getpgrp() -> Pid {
    // SAFETY: no arguments; cannot fail.
    unsafe { syscall!(Sysno::getpgid, 0) }.unwrap_or(0) as Pid
}

pub fn setpgid(pid: Pid, pgid: Pid) -> Result<()> {
    // SAFETY: no pointers.
    unsafe { syscall!(Sysno::setpgid, pid, pgid) }.map(drop)
}

pub fn setsid() -> Result<Pid> {
    // SAFETY: no arguments.
    unsafe { syscall!(Sysno::setsid) }.map(|s| s as Pid)
}

pub fn getsid() -> Result<Pid> {
    // SAFETY: no pointers.
    unsafe { syscall!(Sysno::getsid, 0) }.map(|s| s as Pid)
}

/// `exit_group`: ends the process at once. boxinit writes unbuffered, so nothing is lost.
pub fn exit(code: u8) -> ! {
    loop {
        // SAFETY: exit_group does not return.
        let _ = unsafe { syscall!(Sysno::exit_group, code) };
    }
}

/// Orphans of our descendants are reparented to us, not to the real init.
pub fn set_child_subreaper() -> Result<()> {
    // SAFETY: no pointers.
    unsafe { syscall!(Sysno::prctl, libc::PR_SET_CHILD_SUBREAPER, 1) }.map(drop)
}

/// Ask the kernel to send `sig` to us when our parent dies.
pub fn set_parent_death_signal(sig: Signal) -> Result<()> {
    // SAFETY: no pointers.
    unsafe { syscall!(Sysno::prctl, libc::PR_SET_PDEATHSIG, sig) }.map(drop)
}

impl Fd {
    /// `pidfd_open` of this process: readable once it has ended.
    pub fn pidfd_of_self() -> Result<Fd> {
        Fd::pidfd_of(getpid())
    }

    /// `pidfd_open` of process `pid`: readable once the whole process has ended (not one
    /// of its threads).
    pub fn pidfd_of(pid: Pid) -> Result<Fd> {
        // SAFETY: no pointers; a pidfd is close-on-exec.
        let fd = unsafe { syscall!(Sysno::pidfd_open, pid, 0) }?;
        Ok(Fd(fd as c_int))
    }
}
