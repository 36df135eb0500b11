//! Thin wrappers over the Linux system calls boxinit makes.
//!
//! This is the only module with `unsafe`. Each wrapper makes one call, returns
//! `Result<T, Errno>` and hides no policy: what an error means is the caller's business.
//! The calls go straight to the kernel through the `syscalls` crate, so no wrapper depends on
//! libc's state (errno, its pid cache, its locks), which a raw `fork` would leave stale.

use core::ffi::{c_char, c_int, c_ulong, CStr};
use core::ptr;
use syscalls::{syscall, Sysno};

pub use syscalls::Errno;

pub type Result<T> = core::result::Result<T, Errno>;
pub type Pid = i32;
pub type Signal = c_int;

/// A NUL-terminated array of C strings that lives as long as the process: argv or envp.
///
/// The slice holds the pointers before the terminating null, so every tail of it is still a
/// valid `char *const[]` for `execve`.
#[derive(Clone, Copy)]
pub struct Strings {
    ptrs: &'static [*const c_char],
}

impl Strings {
    /// # Safety
    /// `ptrs` points to `len` valid C strings followed by a null pointer, all living for the
    /// rest of the process, as the kernel lays out argv and envp.
    unsafe fn from_raw(ptrs: *const *const c_char, len: usize) -> Strings {
        if ptrs.is_null() {
            return Strings::EMPTY;
        }
        Strings {
            ptrs: core::slice::from_raw_parts(ptrs, len),
        }
    }

    /// For unit tests: a vector of `strs` that lives for the rest of the test process.
    #[cfg(test)]
    pub fn leak(strs: &[&str]) -> Strings {
        let owned: Vec<*const c_char> = strs
            .iter()
            .map(|s| std::ffi::CString::new(*s).unwrap().into_raw() as *const c_char)
            .chain(std::iter::once(ptr::null()))
            .collect();
        let ptrs = Box::leak(owned.into_boxed_slice());
        // SAFETY: ptrs holds strs.len() leaked C strings and a final null.
        unsafe { Strings::from_raw(ptrs.as_ptr(), strs.len()) }
    }

    pub const EMPTY: Strings = Strings { ptrs: &[] };

    pub fn len(&self) -> usize {
        self.ptrs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ptrs.is_empty()
    }

    pub fn get(&self, i: usize) -> Option<&'static CStr> {
        // SAFETY: every pointer in the slice is a valid C string (see `from_raw`).
        self.ptrs.get(i).map(|&p| unsafe { CStr::from_ptr(p) })
    }

    /// The strings from index `n` on; still null-terminated.
    pub fn skip(&self, n: usize) -> Strings {
        Strings {
            ptrs: &self.ptrs[n.min(self.ptrs.len())..],
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &'static CStr> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }

    /// `/bin/sh`: the command boxinit runs when it is given none.
    pub fn default_shell() -> Strings {
        Strings {
            ptrs: &DEFAULT_SHELL.0[..1],
        }
    }

    fn as_ptr(&self) -> *const *const c_char {
        // An empty slice's pointer is dangling; execve needs a real null-terminated array.
        if self.ptrs.is_empty() {
            NULL_ARRAY.0.as_ptr()
        } else {
            self.ptrs.as_ptr()
        }
    }
}

struct PointerArray<const N: usize>([*const c_char; N]);
// SAFETY: the arrays are immutable and point to immutable string literals.
unsafe impl<const N: usize> Sync for PointerArray<N> {}
static DEFAULT_SHELL: PointerArray<2> = PointerArray([c"/bin/sh".as_ptr(), ptr::null()]);
static NULL_ARRAY: PointerArray<1> = PointerArray([ptr::null()]);

// musl's static start-up code (crt1 and __libc_start_main) calls `main` below; nothing else
// of libc is used, so the link must be asked for by name.
#[cfg(not(test))]
#[link(name = "c", kind = "static")]
extern "C" {}

/// Unoptimised builds keep libcore's unwind tables, which name this symbol; with
/// `panic = "abort"` nothing ever calls it (release builds drop the reference).
#[cfg(all(not(test), debug_assertions))]
#[no_mangle]
extern "C" fn rust_eh_personality() {}

/// The C entry point (musl's crt calls it): wrap argv and envp, then hand over to safe code.
#[cfg(not(test))]
#[no_mangle]
extern "C" fn main(argc: c_int, argv: *const *const c_char, envp: *const *const c_char) -> c_int {
    let mut envc = 0;
    // SAFETY: the kernel passes argc strings in argv and a null-terminated envp.
    let (args, env) = unsafe {
        while !envp.is_null() && !(*envp.add(envc)).is_null() {
            envc += 1;
        }
        (
            Strings::from_raw(argv, argc.max(0) as usize),
            Strings::from_raw(envp, envc),
        )
    };
    crate::start(args, env)
}

/// libc's text for an errno: musl keeps its messages in one compact table.
pub fn strerror(errno: Errno) -> &'static str {
    // SAFETY: musl's strerror returns a pointer to a static, NUL-terminated message.
    let text = unsafe { CStr::from_ptr(libc::strerror(errno.into_raw())) };
    text.to_str().unwrap_or("Unknown error")
}

// ---- Processes ---------------------------------------------------------------------------

/// `fork`: `Some(pid)` in the parent, `None` in the child.
pub fn fork() -> Result<Option<Pid>> {
    // SAFETY: boxinit has one thread and no locks, so the child inherits a consistent state.
    match unsafe { syscall!(Sysno::clone, libc::SIGCHLD, 0, 0, 0, 0) }? {
        0 => Ok(None),
        pid => Ok(Some(pid as Pid)),
    }
}

/// Start a child that borrows our memory until it execs or exits, as vfork and posix_spawn
/// do: no page tables to copy and no copy-on-write faults afterwards, which makes starting a
/// command measurably cheaper. The child runs `child` on a stack of its own, carved from
/// ours; it normally execs, and if `child` returns, its value is the child's exit status.
/// We are suspended until the child has exec'd or exited.
pub fn spawn(child: &mut dyn FnMut() -> u8) -> Result<Pid> {
    extern "C" fn trampoline(arg: *mut libc::c_void) -> c_int {
        // SAFETY: arg is the `&mut &mut dyn FnMut` below, alive while the parent is suspended.
        let child = unsafe { &mut *(arg as *mut &mut dyn FnMut() -> u8) };
        child() as c_int
    }
    let mut child = child;
    // SAFETY: the stack and the closure outlive the child's use of them, since CLONE_VFORK
    // suspends us until it execs or exits (musl's clone exits the child when `child` returns).
    // Only the one child that exists at a time (we are suspended meanwhile) uses the stack.
    let pid = unsafe {
        let stack = ptr::addr_of_mut!((*CHILD_AREA.0.get()).stack);
        libc::clone(
            trampoline,
            stack.cast::<u8>().add(CHILD_STACK).cast(),
            libc::CLONE_VM | libc::CLONE_VFORK | libc::SIGCHLD,
            (&mut child as *mut &mut dyn FnMut() -> u8).cast(),
        )
    };
    if pid < 0 {
        // SAFETY: musl's clone wrapper reports through errno.
        Err(Errno::new(unsafe { *libc::__errno_location() }))
    } else {
        Ok(pid)
    }
}

/// How a process ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Exit {
    Code(u8),
    Signal(Signal),
}

/// Reap one child that has ended, without waiting: `Ok(None)` when children remain but none
/// has ended, `Err(ECHILD)` when there are no children at all.
pub fn reap_one() -> Result<Option<(Pid, Exit)>> {
    let mut status: c_int = 0;
    // SAFETY: status is a valid out-pointer; rusage may be null.
    let pid = unsafe {
        syscall!(
            Sysno::wait4,
            -1isize,
            &mut status as *mut c_int,
            libc::WNOHANG | libc::__WALL,
            0
        )
    }?;
    if pid == 0 {
        return Ok(None);
    }
    let exit = if status & 0x7f == 0 {
        Exit::Code(((status >> 8) & 0xff) as u8)
    } else {
        Exit::Signal(status & 0x7f)
    };
    Ok(Some((pid as Pid, exit)))
}

pub fn kill(pid: Pid, sig: Signal) -> Result<()> {
    // SAFETY: no pointers.
    unsafe { syscall!(Sysno::kill, pid as isize, sig) }.map(drop)
}

pub fn getpid() -> Pid {
    // SAFETY: no arguments; cannot fail.
    unsafe { syscall!(Sysno::getpid) }.unwrap_or(0) as Pid
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

/// Replace this process with `path`; returns only on failure.
pub fn execve(path: &CStr, argv: Strings, envp: Strings) -> Errno {
    // SAFETY: path is a C string; argv and envp are null-terminated arrays of C strings.
    match unsafe { syscall!(Sysno::execve, path.as_ptr(), argv.as_ptr(), envp.as_ptr()) } {
        Ok(_) => Errno::EINVAL,
        Err(errno) => errno,
    }
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

// ---- Signals -----------------------------------------------------------------------------

/// A set of signals 1..=64, as the kernel's `sigset_t`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct SigSet(u64);

impl SigSet {
    pub const EMPTY: SigSet = SigSet(0);
    /// Every signal (the kernel silently leaves KILL and STOP out of a mask).
    pub const ALL: SigSet = SigSet(!0);

    pub const fn with(self, sig: Signal) -> SigSet {
        SigSet(self.0 | 1 << (sig - 1))
    }

    pub const fn without(self, sig: Signal) -> SigSet {
        SigSet(self.0 & !(1 << (sig - 1)))
    }

    pub const fn contains(self, sig: Signal) -> bool {
        sig >= 1 && sig <= 64 && self.0 & (1 << (sig - 1)) != 0
    }
}

/// Set the blocked-signal mask; returns the previous one.
pub fn set_signal_mask(set: SigSet) -> Result<SigSet> {
    let mut old = SigSet::EMPTY;
    // SAFETY: both pointers are valid 8-byte sets.
    unsafe {
        syscall!(
            Sysno::rt_sigprocmask,
            libc::SIG_SETMASK,
            &set.0 as *const u64,
            &mut old.0 as *mut u64,
            8
        )
    }?;
    Ok(old)
}

/// Take the next pending signal of `set` (they must be blocked). Waits at most `timeout_ms`
/// when given, then fails with EAGAIN; fails with EINTR when a stop/continue interrupts it.
pub fn wait_signal(set: SigSet, timeout_ms: Option<u64>) -> Result<Signal> {
    let ts = timeout_ms.map(|ms| libc::timespec {
        tv_sec: (ms / 1000) as i64,
        tv_nsec: ((ms % 1000) * 1_000_000) as libc::c_long,
    });
    let ts_ptr = ts
        .as_ref()
        .map_or(ptr::null(), |t| t as *const libc::timespec);
    // SAFETY: set and timeout are valid or null; siginfo may be null.
    unsafe { syscall!(Sysno::rt_sigtimedwait, &set.0 as *const u64, 0, ts_ptr, 8) }
        .map(|sig| sig as Signal)
}

/// What the kernel does with a signal that is not blocked.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Disposition {
    Default,
    Ignore,
    /// A handler: only possible for signals boxinit itself catches, which it never does.
    Handler,
}

/// The kernel's `struct sigaction` (not libc's, whose layout differs).
#[repr(C)]
struct KernelSigaction {
    handler: usize,
    flags: c_ulong,
    restorer: usize,
    mask: u64,
}

/// Set a signal's disposition to default or ignore; returns the previous one.
pub fn set_disposition(sig: Signal, to: Disposition) -> Result<Disposition> {
    let new = KernelSigaction {
        handler: match to {
            Disposition::Ignore => libc::SIG_IGN,
            _ => libc::SIG_DFL,
        },
        flags: 0,
        restorer: 0,
        mask: 0,
    };
    let mut old = KernelSigaction {
        handler: 0,
        flags: 0,
        restorer: 0,
        mask: 0,
    };
    // SAFETY: both structs have the kernel's layout; no handler is installed, so no restorer.
    unsafe {
        syscall!(
            Sysno::rt_sigaction,
            sig,
            &new as *const KernelSigaction,
            &mut old as *mut KernelSigaction,
            8
        )
    }?;
    Ok(match old.handler {
        libc::SIG_DFL => Disposition::Default,
        libc::SIG_IGN => Disposition::Ignore,
        _ => Disposition::Handler,
    })
}

// ---- Terminals ---------------------------------------------------------------------------

/// `tcsetpgrp`: make `pgrp` the foreground process group of the terminal on `fd`.
pub fn set_foreground(fd: c_int, pgrp: Pid) -> Result<()> {
    // SAFETY: the argument points to a valid pid_t.
    unsafe { syscall!(Sysno::ioctl, fd, libc::TIOCSPGRP, &pgrp as *const Pid) }.map(drop)
}

/// Make the terminal on `fd` the controlling terminal of this (new) session.
pub fn take_controlling_tty(fd: c_int) -> Result<()> {
    // SAFETY: TIOCSCTTY takes an integer argument (0: do not steal).
    unsafe { syscall!(Sysno::ioctl, fd, libc::TIOCSCTTY, 0) }.map(drop)
}

/// Give up the controlling terminal; a session leader's giving up frees it for others.
pub fn release_controlling_tty(fd: c_int) -> Result<()> {
    // SAFETY: TIOCNOTTY takes no argument.
    unsafe { syscall!(Sysno::ioctl, fd, libc::TIOCNOTTY, 0) }.map(drop)
}

/// `tcgetpgrp`: the foreground process group of the terminal on `fd` (ENOTTY if none).
pub fn foreground(fd: c_int) -> Result<Pid> {
    let mut pgrp: Pid = 0;
    // SAFETY: the argument points to a valid pid_t.
    unsafe { syscall!(Sysno::ioctl, fd, libc::TIOCGPGRP, &mut pgrp as *mut Pid) }?;
    Ok(pgrp)
}

pub fn getpgrp() -> Pid {
    // SAFETY: no arguments; cannot fail.
    unsafe { syscall!(Sysno::getpgid, 0) }.unwrap_or(0) as Pid
}

// ---- Files -------------------------------------------------------------------------------

pub const STDIN: c_int = 0;
pub const STDOUT: c_int = 1;
pub const STDERR: c_int = 2;

/// An open file descriptor, closed when dropped. Always opened close-on-exec, so the
/// command never inherits a descriptor of boxinit's.
pub struct Fd(c_int);

impl Fd {
    pub fn open(path: &CStr, flags: c_int) -> Result<Fd> {
        // SAFETY: path is a C string.
        let fd = unsafe {
            syscall!(
                Sysno::openat,
                libc::AT_FDCWD,
                path.as_ptr(),
                flags | libc::O_CLOEXEC,
                0o644
            )
        }?;
        Ok(Fd(fd as c_int))
    }

    pub fn read(&self, buf: &mut [u8]) -> Result<usize> {
        // SAFETY: buf is valid for writes of its length.
        unsafe { syscall!(Sysno::read, self.0, buf.as_mut_ptr(), buf.len()) }
    }

    /// Read directory entries (`getdents64` records) into `buf`; 0 at the end.
    pub fn read_dir(&self, buf: &mut [u8]) -> Result<usize> {
        // SAFETY: buf is valid for writes of its length.
        unsafe { syscall!(Sysno::getdents64, self.0, buf.as_mut_ptr(), buf.len()) }
    }
}

impl Drop for Fd {
    fn drop(&mut self) {
        // SAFETY: we own the descriptor.
        let _ = unsafe { syscall!(Sysno::close, self.0) };
    }
}

/// Write all of `parts` to `fd` with one `writev` where the kernel allows it, so that a
/// message is one line even when several processes share the stream.
pub fn write_all(fd: c_int, parts: &[&[u8]]) -> Result<()> {
    const MAX: usize = 12;
    let mut iov = [libc::iovec {
        iov_base: ptr::null_mut(),
        iov_len: 0,
    }; MAX];
    let mut n = 0;
    for part in parts.iter().filter(|p| !p.is_empty()).take(MAX) {
        iov[n] = libc::iovec {
            iov_base: part.as_ptr() as *mut libc::c_void,
            iov_len: part.len(),
        };
        n += 1;
    }
    let mut first = 0;
    while first < n {
        // SAFETY: iov[first..n] describe valid, live buffers.
        let mut done =
            match unsafe { syscall!(Sysno::writev, fd, iov[first..].as_ptr(), n - first) } {
                Ok(done) => done,
                Err(Errno::EINTR) => continue,
                Err(e) => return Err(e),
            };
        // A short write: skip what went out and send the rest.
        while first < n && done >= iov[first].iov_len {
            done -= iov[first].iov_len;
            first += 1;
        }
        if first < n && done > 0 {
            // SAFETY: done < iov_len, so the new base stays inside the same buffer.
            iov[first].iov_base = unsafe { (iov[first].iov_base as *mut u8).add(done) }.cast();
            iov[first].iov_len -= done;
        }
    }
    Ok(())
}

pub fn is_directory(path: &CStr) -> Result<bool> {
    // SAFETY: an all-zero stat is valid; path is a C string; st is a valid out-pointer.
    let mut st: libc::stat = unsafe { core::mem::zeroed() };
    unsafe { syscall!(Sysno::stat, path.as_ptr(), &mut st as *mut libc::stat) }?;
    Ok(st.st_mode & libc::S_IFMT == libc::S_IFDIR)
}

pub fn chdir(path: &CStr) -> Result<()> {
    // SAFETY: path is a C string.
    unsafe { syscall!(Sysno::chdir, path.as_ptr()) }.map(drop)
}

// ---- Namespaces and mounts ---------------------------------------------------------------

pub fn unshare(flags: c_int) -> Result<()> {
    // SAFETY: no pointers.
    unsafe { syscall!(Sysno::unshare, flags) }.map(drop)
}

pub fn mount(
    source: &CStr,
    target: &CStr,
    fstype: Option<&CStr>,
    flags: c_ulong,
    data: Option<&CStr>,
) -> Result<()> {
    let fstype = fstype.map_or(ptr::null(), CStr::as_ptr);
    let data = data.map_or(ptr::null(), CStr::as_ptr);
    // SAFETY: every pointer is a C string or null, as mount(2) allows.
    unsafe {
        syscall!(
            Sysno::mount,
            source.as_ptr(),
            target.as_ptr(),
            fstype,
            flags,
            data
        )
    }
    .map(drop)
}

pub fn umount(target: &CStr, flags: c_int) -> Result<()> {
    // SAFETY: target is a C string.
    unsafe { syscall!(Sysno::umount2, target.as_ptr(), flags) }.map(drop)
}

pub fn pivot_root(new_root: &CStr, put_old: &CStr) -> Result<()> {
    // SAFETY: both are C strings.
    unsafe { syscall!(Sysno::pivot_root, new_root.as_ptr(), put_old.as_ptr()) }.map(drop)
}

pub fn sethostname(name: &[u8]) -> Result<()> {
    // SAFETY: the kernel reads exactly len bytes.
    unsafe { syscall!(Sysno::sethostname, name.as_ptr(), name.len()) }.map(drop)
}

// ---- Time --------------------------------------------------------------------------------

/// Milliseconds on the monotonic clock.
pub fn monotonic_ms() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: ts is a valid out-pointer.
    let _ = unsafe {
        syscall!(
            Sysno::clock_gettime,
            libc::CLOCK_MONOTONIC,
            &mut ts as *mut libc::timespec
        )
    };
    ts.tv_sec as u64 * 1000 + ts.tv_nsec as u64 / 1_000_000
}

// ---- Identity: users, groups, id maps, capabilities, rlimits ----------------------------

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

pub fn set_rlimit(resource: u32, soft: u64, hard: u64) -> Result<()> {
    let limit = [soft, hard];
    // SAFETY: the kernel reads one struct rlimit64 (two u64); old may be null.
    unsafe { syscall!(Sysno::prlimit64, 0, resource, limit.as_ptr(), 0) }.map(drop)
}

/// Wait for child `pid` to end; its exit code, or 128+N when signal N killed it.
pub fn wait_child(pid: Pid) -> Result<u8> {
    let mut status: c_int = 0;
    loop {
        // SAFETY: status is a valid out-pointer; rusage may be null.
        match unsafe { syscall!(Sysno::wait4, pid, &mut status as *mut c_int, 0, 0) } {
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e),
            Ok(_) => break,
        }
    }
    Ok(if status & 0x7f == 0 {
        ((status >> 8) & 0xff) as u8
    } else {
        128 + (status & 0x7f) as u8
    })
}

/// A pipe, both ends close-on-exec: (read end, write end).
pub fn pipe() -> Result<(Fd, Fd)> {
    let mut fds: [c_int; 2] = [0; 2];
    // SAFETY: fds holds two ints.
    unsafe { syscall!(Sysno::pipe2, fds.as_mut_ptr(), libc::O_CLOEXEC) }?;
    Ok((Fd(fds[0]), Fd(fds[1])))
}

impl Fd {
    pub fn write(&self, bytes: &[u8]) -> Result<usize> {
        // SAFETY: bytes is valid for reads of its length.
        unsafe { syscall!(Sysno::write, self.0, bytes.as_ptr(), bytes.len()) }
    }
}

/// Execute `path` with `args` (at most 31) and `env`; returns only on failure.
pub fn execve_list(path: &CStr, args: &[&CStr], env: Strings) -> Errno {
    let mut ptrs: [*const c_char; 32] = [ptr::null(); 32];
    if args.len() >= ptrs.len() {
        return Errno::E2BIG;
    }
    for (slot, arg) in ptrs.iter_mut().zip(args) {
        *slot = arg.as_ptr();
    }
    // SAFETY: path and every argument are C strings; ptrs ends with a null.
    match unsafe { syscall!(Sysno::execve, path.as_ptr(), ptrs.as_ptr(), env.as_ptr()) } {
        Ok(_) => Errno::EINVAL,
        Err(errno) => errno,
    }
}

/// Room for the command's environment with one entry replaced (HOME for --user).
const ENV_SLOTS: usize = 512;
struct EnvArea {
    ptrs: [*const c_char; ENV_SLOTS + 1],
    entry: [u8; 4096],
}

/// Enough for the child's path: option checks, execvp's PATH_MAX buffer, a message.
const CHILD_STACK: usize = 32 * 1024;

/// What the command's process uses of ours: the environment made for it, and the stack
/// `spawn`'s child runs on. In .bss rather than on our stack: the pages the child never
/// touches are never faulted in, and no stack probe walks them (they count towards our peak
/// memory, being ours). One static, with the stack last, so that its top shares a page with
/// what follows (libc's) and the environment's pages are faulted in only when used.
#[repr(C, align(16))]
struct ChildArea {
    env: EnvArea,
    stack: [u8; CHILD_STACK],
}
struct ChildCell(core::cell::UnsafeCell<ChildArea>);
// SAFETY: boxinit has one thread; `env_with` writes the environment once, before the command
// starts, and the stack is the suspended vfork child's alone (see `spawn`).
unsafe impl Sync for ChildCell {}
static CHILD_AREA: ChildCell = ChildCell(core::cell::UnsafeCell::new(ChildArea {
    env: EnvArea {
        ptrs: [ptr::null(); ENV_SLOTS + 1],
        entry: [0; 4096],
    },
    stack: [0; CHILD_STACK],
}));

/// `env` with every `NAME=...` entry replaced by one `NAME=value` at the end. Called at most
/// once per process (the strings live in one static area); E2BIG when they do not fit.
pub fn env_with(env: Strings, name: &[u8], value: &[u8]) -> Result<Strings> {
    // SAFETY: the only use of the area (see EnvCell); what it returns is never written again.
    let area = unsafe { &mut *ptr::addr_of_mut!((*CHILD_AREA.0.get()).env) };
    let len = name.len() + 1 + value.len();
    if len >= area.entry.len() || value.contains(&0) {
        return Err(Errno::E2BIG);
    }
    area.entry[..name.len()].copy_from_slice(name);
    area.entry[name.len()] = b'=';
    area.entry[name.len() + 1..len].copy_from_slice(value);
    area.entry[len] = 0;
    let mut n = 0;
    for entry in env.iter() {
        let bytes = entry.to_bytes();
        if bytes.starts_with(name) && bytes.get(name.len()) == Some(&b'=') {
            continue;
        }
        if n == ENV_SLOTS - 1 {
            return Err(Errno::E2BIG);
        }
        area.ptrs[n] = entry.as_ptr();
        n += 1;
    }
    area.ptrs[n] = area.entry.as_ptr().cast();
    area.ptrs[n + 1] = ptr::null();
    // SAFETY: n + 1 valid C strings (static or the process's own envp), then a null.
    Ok(unsafe { Strings::from_raw(area.ptrs.as_ptr(), n + 1) })
}
