//! Thin wrappers over the Linux system calls boxinit makes.
//!
//! This is the only module with `unsafe`. Each wrapper makes one call, returns
//! `Result<T, Errno>` and hides no policy: what an error means is the caller's business.
//! The calls go straight to the kernel through the `syscalls` crate, so no wrapper depends on
//! libc's state (errno, its pid cache, its locks), which a raw `fork` would leave stale.

use core::cell::Cell;
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
/// valid `char *const[]` for `execve`. The pointers are in cells: `without` takes entries out
/// of the array in place (the kernel's envp is ours to change).
#[derive(Clone, Copy)]
pub struct Strings {
    ptrs: &'static [Cell<*const c_char>],
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
            // Cell<T> has T's layout, and nothing else reads the array meanwhile.
            ptrs: core::slice::from_raw_parts(ptrs.cast::<Cell<*const c_char>>(), len),
        }
    }

    /// For unit tests (and the fuzzer): a vector of `strs` that lives for the rest of the
    /// test process.
    #[cfg(any(test, fuzzing))]
    pub fn leak(strs: &[&str]) -> Strings {
        let owned: Vec<*const c_char> = strs
            .iter()
            .map(|s| std::ffi::CString::new(*s).unwrap().into_raw() as *const c_char)
            .chain(std::iter::once(ptr::null()))
            .collect();
        let ptrs = Box::leak(owned.into_boxed_slice());
        // SAFETY: ptrs holds strs.len() leaked C strings and a final null.
        unsafe { Strings::from_raw(ptrs.as_mut_ptr(), strs.len()) }
    }

    pub const EMPTY: Strings = Strings { ptrs: &[] };

    pub fn len(&self) -> usize {
        self.ptrs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ptrs.is_empty()
    }

    pub fn get(&self, i: usize) -> Option<&'static CStr> {
        let p = self.ptrs.get(i)?.get();
        // SAFETY: every non-null pointer in the slice is a valid C string (see `from_raw`);
        // null ones are what `without` left behind the entries it kept.
        (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) })
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
            NULL_ARRAY.0.as_ptr().cast()
        } else {
            self.ptrs.as_ptr().cast()
        }
    }

    /// These strings without those `drop` picks, compacted in place: the array that held
    /// them (and every `Strings` still pointing into it) holds the kept ones, a null after
    /// them, and nulls or stale entries past that. Use only the returned value afterwards.
    pub fn without(self, drop: impl Fn(&CStr) -> bool) -> Strings {
        let mut kept = 0;
        for i in 0..self.len() {
            let entry = self.ptrs[i].get();
            if self.get(i).is_some_and(|s| !drop(s)) {
                self.ptrs[kept].set(entry);
                kept += 1;
            }
        }
        if kept < self.len() {
            // The array's own terminator stays at len; this one ends the kept entries.
            self.ptrs[kept].set(ptr::null());
        }
        Strings {
            ptrs: &self.ptrs[..kept],
        }
    }
}

struct PointerArray<const N: usize>([Cell<*const c_char>; N]);
// SAFETY: these arrays are never changed (`without` only shrinks arrays it is given, and
// nobody gives it these: they hold no entry to drop, so it writes nothing) and point to
// immutable string literals.
unsafe impl<const N: usize> Sync for PointerArray<N> {}
static DEFAULT_SHELL: PointerArray<2> =
    PointerArray([Cell::new(c"/bin/sh".as_ptr()), Cell::new(ptr::null())]);
static NULL_ARRAY: PointerArray<1> = PointerArray([Cell::new(ptr::null())]);

// musl's static start-up code (crt1 and __libc_start_main) calls `main` below; nothing else
// of libc is used, so the link must be asked for by name.
#[cfg(not(any(test, fuzzing)))]
#[link(name = "c", kind = "static")]
extern "C" {}

/// Unoptimised builds keep libcore's unwind tables, which name this symbol; with
/// `panic = "abort"` nothing ever calls it (release builds drop the reference).
#[cfg(all(not(any(test, fuzzing)), debug_assertions))]
#[no_mangle]
extern "C" fn rust_eh_personality() {}

/// The C entry point (musl's crt calls it): wrap argv and envp, then hand over to safe code.
#[cfg(not(any(test, fuzzing)))]
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
pub fn strerror(errno: Errno) -> &'static [u8] {
    // SAFETY: musl's strerror returns a pointer to a static, NUL-terminated message.
    // (Bytes, not `str`: `to_str` would bring in core's UTF-8 validation for text we only copy.)
    unsafe { CStr::from_ptr(libc::strerror(errno.into_raw())) }.to_bytes()
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
    /// Enough for the child's path: option checks, execvp's PATH_MAX buffer, a message.
    const STACK: usize = 32 * 1024;
    #[repr(C, align(16))]
    struct Stack(core::cell::UnsafeCell<[u8; STACK]>);
    // SAFETY: only the one child that exists at a time (we are suspended meanwhile) uses it.
    unsafe impl Sync for Stack {}
    // In .bss rather than on our stack: the pages the child never touches are never faulted
    // in, and no stack probe walks them (they count towards our peak memory, being ours).
    static CHILD_STACK: Stack = Stack(core::cell::UnsafeCell::new([0; STACK]));
    let mut child = child;
    // SAFETY: the stack and the closure outlive the child's use of them, since CLONE_VFORK
    // suspends us until it execs or exits (musl's clone exits the child when `child` returns).
    let pid = unsafe {
        libc::clone(
            trampoline,
            CHILD_STACK.0.get().cast::<u8>().add(STACK).cast(),
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
        Fd::open_in(libc::AT_FDCWD, path, flags)
    }

    /// Open `path` relative to the directory descriptor `dir` (one we do not own here).
    pub fn open_in(dir: c_int, path: &CStr, flags: c_int) -> Result<Fd> {
        // SAFETY: path is a C string; a bad `dir` is EBADF.
        let fd = unsafe {
            syscall!(
                Sysno::openat,
                dir,
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

/// `fstatat`, which the two architectures name differently (x86_64 also has plain `stat`,
/// aarch64 does not).
#[cfg(target_arch = "x86_64")]
const FSTATAT: Sysno = Sysno::newfstatat;
#[cfg(target_arch = "aarch64")]
const FSTATAT: Sysno = Sysno::fstatat;

/// `stat(2)` of `path`, following symlinks.
fn stat(path: &CStr) -> Result<libc::stat> {
    // SAFETY: an all-zero stat is valid.
    let mut st: libc::stat = unsafe { core::mem::zeroed() };
    // SAFETY: path is a C string; st is a valid out-pointer.
    unsafe {
        syscall!(
            FSTATAT,
            libc::AT_FDCWD,
            path.as_ptr(),
            &mut st as *mut libc::stat,
            0
        )
    }?;
    Ok(st)
}

pub fn is_directory(path: &CStr) -> Result<bool> {
    stat(path).map(|st| st.st_mode & libc::S_IFMT == libc::S_IFDIR)
}

/// The working directory's path as seen from our root; ENOENT when it is not below it.
pub fn getcwd(buf: &mut [u8]) -> Result<&CStr> {
    // SAFETY: the kernel writes at most buf.len() bytes, a C string whose length it returns.
    let len = unsafe { syscall!(Sysno::getcwd, buf.as_mut_ptr(), buf.len()) }?;
    match buf.get(..len).and_then(c_str) {
        // An unreachable directory is named `(unreachable)/...`.
        Some(path) if path.to_bytes().starts_with(b"/") => Ok(path),
        _ => Err(Errno::ENOENT),
    }
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

// ---- Cgroups -----------------------------------------------------------------------------

/// The file system type (statfs's f_type) of the file system holding `path`.
pub fn fs_type(path: &CStr) -> Result<i64> {
    // SAFETY: an all-zero statfs is valid; path is a C string; st is a valid out-pointer.
    let mut st: libc::statfs = unsafe { core::mem::zeroed() };
    // SAFETY: path is a C string; st is a valid out-pointer.
    unsafe { syscall!(Sysno::statfs, path.as_ptr(), &mut st as *mut libc::statfs) }?;
    Ok(st.f_type as i64)
}

pub fn mkdir(path: &CStr, mode: u32) -> Result<()> {
    // SAFETY: path is a C string.
    unsafe { syscall!(Sysno::mkdirat, libc::AT_FDCWD, path.as_ptr(), mode) }.map(drop)
}

impl Fd {
    /// The descriptor's number, for a child to write to after a vfork-style spawn.
    pub fn raw(&self) -> c_int {
        self.0
    }

    /// Remove the empty directory `name` in this directory.
    pub fn remove_dir_in(&self, name: &CStr) -> Result<()> {
        // SAFETY: name is a C string.
        unsafe { syscall!(Sysno::unlinkat, self.0, name.as_ptr(), libc::AT_REMOVEDIR) }.map(drop)
    }
}

/// Keep the concatenation of `parts` (and a NUL) for the rest of the process, for the few
/// strings boxinit builds at run time (cgroup and boot paths, variable names in messages).
/// Each piece of the room is handed out once and never written again; None when the room is
/// used up or a part holds a NUL.
pub fn keep(parts: &[&[u8]]) -> Option<&'static CStr> {
    use core::sync::atomic::{AtomicUsize, Ordering};
    const ROOM: usize = 16 * 1024;
    struct Room(core::cell::UnsafeCell<[u8; ROOM]>);
    // SAFETY: disjoint pieces are handed out by an atomic counter (see below).
    unsafe impl Sync for Room {}
    static ROOM_BYTES: Room = Room(core::cell::UnsafeCell::new([0; ROOM]));
    static USED: AtomicUsize = AtomicUsize::new(0);

    if parts.iter().any(|p| p.contains(&0)) {
        return None;
    }
    let len = parts.iter().map(|p| p.len()).sum::<usize>() + 1;
    if len > ROOM {
        return None;
    }
    let start = USED.fetch_add(len, Ordering::Relaxed);
    if start > ROOM - len {
        return None;
    }
    // SAFETY: bytes start..start+len were handed to no one else (the counter only grows), are
    // inside the room, and are written here, before the one shared reference to them exists.
    unsafe {
        let piece = ROOM_BYTES.0.get().cast::<u8>().add(start);
        let mut at = piece;
        for part in parts {
            ptr::copy_nonoverlapping(part.as_ptr(), at, part.len());
            at = at.add(part.len());
        }
        *at = 0;
        Some(CStr::from_bytes_with_nul_unchecked(
            core::slice::from_raw_parts(piece, len),
        ))
    }
}

// ---- Boot ----------------------------------------------------------------------------------

/// A file's device and inode numbers.
pub fn ids_of(path: &CStr) -> Result<(u64, u64)> {
    stat(path).map(|st| (st.st_dev, st.st_ino))
}

/// A new mount of `fstype` that is attached nowhere (fsopen, fsmount): it lets us look into a
/// file system without changing any mount table, and is gone when the descriptor is closed.
pub fn detached_mount(fstype: &CStr) -> Result<Fd> {
    // SAFETY: fstype is a C string; the other calls take descriptors and null pointers.
    let context =
        Fd(unsafe { syscall!(Sysno::fsopen, fstype.as_ptr(), libc::FSOPEN_CLOEXEC) }? as c_int);
    // SAFETY: no pointers (the key, value and aux of CMD_CREATE are null).
    unsafe {
        syscall!(
            Sysno::fsconfig,
            context.0,
            libc::FSCONFIG_CMD_CREATE,
            0,
            0,
            0
        )
    }?;
    // SAFETY: no pointers.
    let mount = unsafe { syscall!(Sysno::fsmount, context.0, libc::FSMOUNT_CLOEXEC, 0) }?;
    Ok(Fd(mount as c_int))
}

impl Fd {
    /// Device and inode of `name` in this directory (following symlinks; "" for the
    /// directory itself).
    pub fn ids_at(&self, name: &CStr) -> Result<(u64, u64)> {
        // SAFETY: as in `ids_of`, relative to our descriptor.
        let mut st: libc::stat = unsafe { core::mem::zeroed() };
        // SAFETY: name is a C string; st is a valid out-pointer.
        unsafe {
            syscall!(
                FSTATAT,
                self.0,
                name.as_ptr(),
                &mut st as *mut libc::stat,
                libc::AT_EMPTY_PATH
            )
        }?;
        Ok((st.st_dev, st.st_ino))
    }

    /// Remove `name` from this directory (`libc::AT_REMOVEDIR` for a directory).
    pub fn unlink_at(&self, name: &CStr, flags: c_int) -> Result<()> {
        // SAFETY: name is a C string.
        unsafe { syscall!(Sysno::unlinkat, self.0, name.as_ptr(), flags) }.map(drop)
    }

    pub fn write_at(&self, bytes: &[u8], offset: u64) -> Result<usize> {
        // SAFETY: bytes is valid for reads of its length.
        unsafe { syscall!(Sysno::pwrite64, self.0, bytes.as_ptr(), bytes.len(), offset) }
    }

    /// Load the kernel module in this file (finit_module).
    pub fn load_module(&self) -> Result<()> {
        // SAFETY: the parameters are an empty C string.
        unsafe { syscall!(Sysno::finit_module, self.0, c"".as_ptr(), 0) }.map(drop)
    }
}

/// Whether descriptor `fd` is open.
pub fn is_open(fd: c_int) -> bool {
    // SAFETY: no pointers.
    unsafe { syscall!(Sysno::fcntl, fd, libc::F_GETFD) }.is_ok()
}

/// Open `path` as descriptor `target` (inherited by commands: no close-on-exec).
pub fn open_as(path: &CStr, flags: c_int, target: c_int) -> Result<()> {
    // SAFETY: path is a C string.
    let fd = unsafe { syscall!(Sysno::openat, libc::AT_FDCWD, path.as_ptr(), flags, 0) }? as c_int;
    if fd != target {
        // SAFETY: no pointers; we own fd.
        let moved = unsafe { syscall!(Sysno::dup3, fd, target, 0) };
        // SAFETY: no pointers; fd is ours and not used again.
        let _ = unsafe { syscall!(Sysno::close, fd) };
        moved?;
    }
    Ok(())
}

pub fn chroot(path: &CStr) -> Result<()> {
    // SAFETY: path is a C string.
    unsafe { syscall!(Sysno::chroot, path.as_ptr()) }.map(drop)
}

pub fn sync() {
    // SAFETY: no arguments.
    let _ = unsafe { syscall!(Sysno::sync) };
}

/// reboot(2) with one of `libc::RB_*` or `LINUX_REBOOT_CMD_CAD_OFF`.
pub fn reboot(cmd: c_int) -> Result<()> {
    // SAFETY: no pointers (the argument is only read for RESTART2).
    unsafe {
        syscall!(
            Sysno::reboot,
            libc::LINUX_REBOOT_MAGIC1,
            libc::LINUX_REBOOT_MAGIC2,
            cmd,
            0
        )
    }
    .map(drop)
}

pub fn sleep_ms(ms: u64) {
    let ts = libc::timespec {
        tv_sec: (ms / 1000) as i64,
        tv_nsec: ((ms % 1000) * 1_000_000) as libc::c_long,
    };
    // SAFETY: ts is valid; the remainder may be null.
    let _ = unsafe { syscall!(Sysno::nanosleep, &ts as *const libc::timespec, 0) };
}

/// Bring network interface `name` up (SIOCSIFFLAGS with IFF_UP added).
pub fn interface_up(name: &[u8]) -> Result<()> {
    #[repr(C)]
    struct IfReq {
        name: [u8; 16],
        flags: i16,
        _pad: [u8; 22],
    }
    let mut req = IfReq {
        name: [0; 16],
        flags: 0,
        _pad: [0; 22],
    };
    let len = name.len().min(15);
    req.name[..len].copy_from_slice(&name[..len]);
    // SAFETY: no pointers.
    let sock = unsafe {
        syscall!(
            Sysno::socket,
            libc::AF_INET,
            libc::SOCK_DGRAM | libc::SOCK_CLOEXEC,
            0
        )
    }?;
    let sock = Fd(sock as c_int);
    // SAFETY: req has the kernel's struct ifreq layout (40 bytes).
    unsafe {
        syscall!(
            Sysno::ioctl,
            sock.0,
            libc::SIOCGIFFLAGS,
            &mut req as *mut IfReq
        )
    }?;
    req.flags |= libc::IFF_UP as i16;
    // SAFETY: req has the kernel's struct ifreq layout and is only read.
    unsafe {
        syscall!(
            Sysno::ioctl,
            sock.0,
            libc::SIOCSIFFLAGS,
            &req as *const IfReq
        )
    }
    .map(drop)
}

// ---- Namespaces and the process (joins, time offsets, lo, fds, environment) -------------

pub fn getppid() -> Pid {
    // SAFETY: no arguments; cannot fail.
    unsafe { syscall!(Sysno::getppid) }.unwrap_or(0) as Pid
}

/// Move this process (or, for a PID namespace, its future children) into the namespace
/// that `fd` (from /proc/PID/ns/* or a bind mount of one, as `ip netns` makes) refers to.
pub fn setns(fd: &Fd, nstype: c_int) -> Result<()> {
    // SAFETY: no pointers.
    unsafe { syscall!(Sysno::setns, fd.0, nstype) }.map(drop)
}

impl Fd {
    /// Write all of `bytes` in one write; a short write is an error (EIO), as it would be a
    /// half-written /proc record.
    pub fn write_once(&self, bytes: &[u8]) -> Result<()> {
        // SAFETY: bytes is valid for reads of its length.
        let n = unsafe { syscall!(Sysno::write, self.0, bytes.as_ptr(), bytes.len()) }?;
        if n == bytes.len() {
            Ok(())
        } else {
            Err(Errno::EIO)
        }
    }
}

/// Close every descriptor from `first` to `last` (inclusive).
pub fn close_range(first: core::ffi::c_uint, last: core::ffi::c_uint) -> Result<()> {
    // SAFETY: no pointers.
    unsafe { syscall!(Sysno::close_range, first, last, 0) }.map(drop)
}

/// Set IFF_UP on network interface `name` (shorter than IFNAMSIZ) of our network namespace,
/// by ioctl on a throwaway socket.
pub fn set_interface_up(name: &[u8]) -> Result<()> {
    // SAFETY: no pointers.
    let socket = unsafe {
        syscall!(
            Sysno::socket,
            libc::AF_INET,
            libc::SOCK_DGRAM | libc::SOCK_CLOEXEC,
            0
        )
    }?;
    let socket = Fd(socket as c_int);
    // SAFETY: an all-zero ifreq is valid.
    let mut req: libc::ifreq = unsafe { core::mem::zeroed() };
    if name.len() >= req.ifr_name.len() {
        return Err(Errno::EINVAL);
    }
    for (to, &from) in req.ifr_name.iter_mut().zip(name) {
        *to = from as c_char;
    }
    // SAFETY: req is a valid ifreq for both calls; SIOCGIFFLAGS fills its flags member.
    unsafe {
        syscall!(
            Sysno::ioctl,
            socket.0,
            libc::SIOCGIFFLAGS,
            &mut req as *mut libc::ifreq
        )?;
        req.ifr_ifru.ifru_flags |= libc::IFF_UP as libc::c_short;
        syscall!(
            Sysno::ioctl,
            socket.0,
            libc::SIOCSIFFLAGS,
            &req as *const libc::ifreq
        )
    }
    .map(drop)
}

/// The most environment entries boxinit builds for a command (see `env`).
pub const ENV_CAPACITY: usize = 1024;

/// An environment for execve, built in a static array of pointers that can be filled once
/// per process (the command's environment is built once).
pub struct EnvBuffer {
    ptrs: &'static mut [*const c_char; ENV_CAPACITY + 1],
    len: usize,
}

impl EnvBuffer {
    /// The buffer; `None` if it was taken before.
    pub fn take() -> Option<EnvBuffer> {
        use core::sync::atomic::{AtomicBool, Ordering};
        struct Buffer(core::cell::UnsafeCell<[*const c_char; ENV_CAPACITY + 1]>);
        // SAFETY: only the one taker of TAKEN ever gets a reference to the contents.
        unsafe impl Sync for Buffer {}
        static BUFFER: Buffer =
            Buffer(core::cell::UnsafeCell::new([ptr::null(); ENV_CAPACITY + 1]));
        static TAKEN: AtomicBool = AtomicBool::new(false);
        if TAKEN.swap(true, Ordering::AcqRel) {
            return None;
        }
        Some(EnvBuffer {
            // SAFETY: TAKEN makes this the only reference ever made to the contents.
            ptrs: unsafe { &mut *BUFFER.0.get() },
            len: 0,
        })
    }

    /// Add `entry`; false when ENV_CAPACITY entries are there already.
    pub fn push(&mut self, entry: &'static CStr) -> bool {
        if self.len == ENV_CAPACITY {
            return false;
        }
        self.ptrs[self.len] = entry.as_ptr();
        self.len += 1;
        true
    }

    pub fn finish(self) -> Strings {
        let ptrs: &'static mut [*const c_char; ENV_CAPACITY + 1] = self.ptrs;
        ptrs[self.len] = ptr::null();
        // SAFETY: the first len pointers are of 'static C strings and the next is null.
        unsafe { Strings::from_raw(ptrs.as_ptr(), self.len) }
    }
}

// ---- Filesystem: resolving paths beneath a root, detached mounts, devices -----------------

/// openat2's `RESOLVE_*`: no `..` above the starting directory, no absolute symlink, no
/// /proc magic link; the kernel refuses such a path with EXDEV or ELOOP.
const RESOLVE_BENEATH: u64 = 0x08;
const RESOLVE_NO_MAGICLINKS: u64 = 0x02;
const RESOLVE_NO_XDEV: u64 = 0x01;
const RESOLVE_NO_SYMLINKS: u64 = 0x04;
const OPEN_TREE_CLONE: c_int = 1;
const AT_RECURSIVE: c_int = 0x8000;
const MOVE_MOUNT_F_EMPTY_PATH: c_int = 0x04;
const MOVE_MOUNT_T_EMPTY_PATH: c_int = 0x40;
const MOUNT_ATTR_RDONLY: u64 = 0x01;

impl Fd {
    /// Open `path` relative to `self`, a directory (plain openat: for a name just made).
    pub fn open_at(&self, path: &CStr, flags: c_int, mode: u32) -> Result<Fd> {
        // SAFETY: path is a C string.
        let fd = unsafe {
            syscall!(
                Sysno::openat,
                self.0,
                path.as_ptr(),
                flags | libc::O_CLOEXEC,
                mode
            )
        }?;
        Ok(Fd(fd as c_int))
    }

    /// An O_PATH handle on `path`, resolved strictly beneath `self`: neither `..` nor a
    /// symlink may lead out of it (openat2 with RESOLVE_BENEATH).
    pub fn open_beneath(&self, path: &CStr) -> Result<Fd> {
        self.open_resolved(path, libc::O_PATH, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)
    }

    /// The directory `name` in this one, only if it is on the same mount (no mount point,
    /// bind mounts included) and no symlink leads there.
    pub fn open_dir_on_this_mount(&self, name: &CStr) -> Result<Fd> {
        let resolve = RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS;
        self.open_resolved(name, libc::O_RDONLY | libc::O_DIRECTORY, resolve)
    }

    /// openat2: `path` opened with `flags`, resolved as `resolve` says.
    fn open_resolved(&self, path: &CStr, flags: c_int, resolve: u64) -> Result<Fd> {
        // struct open_how: flags, mode, resolve.
        let how: [u64; 3] = [(flags | libc::O_CLOEXEC) as u64, 0, resolve];
        // SAFETY: path is a C string; how is a valid open_how of the size passed.
        let fd = unsafe {
            syscall!(
                Sysno::openat2,
                self.0,
                path.as_ptr(),
                how.as_ptr(),
                core::mem::size_of_val(&how)
            )
        }?;
        Ok(Fd(fd as c_int))
    }

    /// The file type bits (`S_IFDIR`, `S_IFREG`, ...) of what `self` refers to.
    pub fn file_type(&self) -> Result<u32> {
        // SAFETY: an all-zero stat is valid; the empty path with AT_EMPTY_PATH means the fd.
        let mut st: libc::stat = unsafe { core::mem::zeroed() };
        // SAFETY: the empty path with AT_EMPTY_PATH means the fd; st is a valid out-pointer.
        unsafe {
            syscall!(
                FSTATAT,
                self.0,
                c"".as_ptr(),
                &mut st as *mut libc::stat,
                libc::AT_EMPTY_PATH
            )
        }?;
        Ok(st.st_mode & libc::S_IFMT)
    }

    /// Make this process's working directory the directory `self` refers to.
    pub fn change_dir(&self) -> Result<()> {
        // SAFETY: no pointers.
        unsafe { syscall!(Sysno::fchdir, self.0) }.map(drop)
    }

    pub fn mkdir_at(&self, name: &CStr, mode: u32) -> Result<()> {
        // SAFETY: name is a C string.
        unsafe { syscall!(Sysno::mkdirat, self.0, name.as_ptr(), mode) }.map(drop)
    }

    pub fn mknod_at(&self, name: &CStr, mode: u32, major: u32, minor: u32) -> Result<()> {
        let dev = libc::makedev(major, minor);
        // SAFETY: name is a C string.
        unsafe { syscall!(Sysno::mknodat, self.0, name.as_ptr(), mode, dev) }.map(drop)
    }

    pub fn symlink_at(&self, target: &CStr, name: &CStr) -> Result<()> {
        // SAFETY: both are C strings.
        unsafe { syscall!(Sysno::symlinkat, target.as_ptr(), self.0, name.as_ptr()) }.map(drop)
    }
}

/// A detached copy of the mount tree at `path` (relative to `dir`, or `dir` itself when
/// `path` is empty), with every mount below it: a bind mount waiting for its place.
pub fn clone_tree(dir: Option<&Fd>, path: &CStr) -> Result<Fd> {
    let dirfd = dir.map_or(libc::AT_FDCWD, |d| d.0);
    let empty = if path.is_empty() {
        libc::AT_EMPTY_PATH
    } else {
        0
    };
    let flags = OPEN_TREE_CLONE | AT_RECURSIVE | libc::O_CLOEXEC | empty;
    // SAFETY: path is a C string.
    let fd = unsafe { syscall!(Sysno::open_tree, dirfd, path.as_ptr(), flags) }?;
    Ok(Fd(fd as c_int))
}

/// Make a detached tree (from `clone_tree`) and every mount in it read-only.
pub fn make_tree_readonly(tree: &Fd) -> Result<()> {
    let attr = [MOUNT_ATTR_RDONLY, 0, 0, 0]; // struct mount_attr: set, clear, propagation, userns
                                             // SAFETY: attr is a valid mount_attr of the size passed; the empty path means the fd.
    unsafe {
        syscall!(
            Sysno::mount_setattr,
            tree.0,
            c"".as_ptr(),
            libc::AT_EMPTY_PATH | AT_RECURSIVE,
            attr.as_ptr(),
            core::mem::size_of_val(&attr)
        )
    }
    .map(drop)
}

/// Make the one mount at `path` read-only, leaving the mounts below it alone.
pub fn make_mount_readonly(path: &CStr) -> Result<()> {
    let attr = [MOUNT_ATTR_RDONLY, 0, 0, 0];
    // SAFETY: as above, with a path.
    unsafe {
        syscall!(
            Sysno::mount_setattr,
            libc::AT_FDCWD,
            path.as_ptr(),
            0,
            attr.as_ptr(),
            core::mem::size_of_val(&attr)
        )
    }
    .map(drop)
}

/// Attach the detached tree `tree` on top of what `target` refers to.
pub fn attach_tree(tree: &Fd, target: &Fd) -> Result<()> {
    let flags = MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH;
    // SAFETY: empty C strings with the EMPTY_PATH flags mean the descriptors themselves.
    unsafe {
        syscall!(
            Sysno::move_mount,
            tree.0,
            c"".as_ptr(),
            target.0,
            c"".as_ptr(),
            flags
        )
    }
    .map(drop)
}

/// Set the file mode creation mask; returns the previous one.
pub fn umask(mask: u32) -> u32 {
    // SAFETY: no pointers; cannot fail.
    unsafe { syscall!(Sysno::umask, mask) }.unwrap_or(0) as u32
}
// ---- Fidelity: scripts without #! ---------------------------------------------------------

/// The most arguments a script without `#!` can be run with through /bin/sh.
pub const SCRIPT_ARGS: usize = 4096;

/// Run `script` with /bin/sh, as execvp does when the kernel does not know a file's format
/// (ENOEXEC): `sh script ARG...`, the ARGs being `argv` after its first. Returns the error:
/// E2BIG past SCRIPT_ARGS arguments (the new argv is built in a fixed array).
pub fn execve_with_shell(script: &CStr, argv: Strings, env: Strings) -> Errno {
    #[repr(C)]
    struct Array(core::cell::UnsafeCell<[*const c_char; SCRIPT_ARGS + 2]>);
    // SAFETY: only the child of `spawn` uses it, one at a time, just before exec.
    unsafe impl Sync for Array {}
    // In .bss: its pages cost nothing until a script needs them.
    static ARGS: Array = Array(core::cell::UnsafeCell::new([ptr::null(); SCRIPT_ARGS + 2]));
    if argv.len() > SCRIPT_ARGS {
        return Errno::E2BIG;
    }
    // SAFETY: nobody else uses the array meanwhile (see above).
    let args = unsafe { &mut *ARGS.0.get() };
    args[0] = c"sh".as_ptr();
    args[1] = script.as_ptr();
    let rest = argv.iter().skip(1).map(CStr::as_ptr);
    let mut n = 2;
    for arg in rest {
        args[n] = arg;
        n += 1;
    }
    args[n] = ptr::null();
    let shell = c"/bin/sh";
    // SAFETY: shell is a C string; args and env are null-terminated arrays of C strings.
    match unsafe { syscall!(Sysno::execve, shell.as_ptr(), args.as_ptr(), env.as_ptr()) } {
        Ok(_) => Errno::EINVAL,
        Err(errno) => errno,
    }
}

// ---- Launcher: the rootfs by descriptor, the launcher's life ------------------------------

impl Fd {
    /// `pidfd_open` of this process: readable once it has ended.
    pub fn pidfd_of_self() -> Result<Fd> {
        // SAFETY: no pointers; a pidfd is close-on-exec.
        let fd = unsafe { syscall!(Sysno::pidfd_open, getpid(), 0) }?;
        Ok(Fd(fd as c_int))
    }

    /// Whether the descriptor is readable now (for a pidfd: its process has ended).
    pub fn is_readable(&self) -> Result<bool> {
        let mut pfd = libc::pollfd {
            fd: self.0,
            events: libc::POLLIN,
            revents: 0,
        };
        let now = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: one valid pollfd; a zero timeout does not wait; no signal mask (ppoll, as
        // aarch64 has no poll).
        let ready = unsafe {
            syscall!(
                Sysno::ppoll,
                &mut pfd as *mut libc::pollfd,
                1,
                &now as *const libc::timespec,
                0,
                8
            )
        }?;
        Ok(ready > 0)
    }
}

// ---- Job control -------------------------------------------------------------------------

/// What became of a child.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ChildEvent {
    Ended(Pid, Exit),
    /// Stopped by this signal (it may be continued later).
    Stopped(Pid, Signal),
}

/// `reap_one`, also reporting a child that stopped (WUNTRACED) since the last report.
pub fn next_child_event() -> Result<Option<ChildEvent>> {
    let mut status: c_int = 0;
    // SAFETY: status is a valid out-pointer; rusage may be null.
    let pid = unsafe {
        syscall!(
            Sysno::wait4,
            -1isize,
            &mut status as *mut c_int,
            libc::WNOHANG | libc::WUNTRACED | libc::__WALL,
            0
        )
    }? as Pid;
    Ok(match status & 0x7f {
        _ if pid == 0 => None,
        0 => Some(ChildEvent::Ended(
            pid,
            Exit::Code(((status >> 8) & 0xff) as u8),
        )),
        0x7f => Some(ChildEvent::Stopped(pid, (status >> 8) & 0xff)),
        sig => Some(ChildEvent::Ended(pid, Exit::Signal(sig))),
    })
}

/// The blocked signals that are pending.
pub fn pending_signals() -> SigSet {
    let mut set = SigSet::EMPTY;
    // SAFETY: set is a valid 8-byte out-pointer.
    let _ = unsafe { syscall!(Sysno::rt_sigpending, &mut set.0 as *mut u64, 8) };
    set
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

struct EnvCell(core::cell::UnsafeCell<EnvArea>);
// SAFETY: boxinit has one thread; `env_with` writes the area once, before the command starts,
// and never again.
unsafe impl Sync for EnvCell {}
// In .bss: its pages are faulted in only when --user needs them.
static ENV_AREA: EnvCell = EnvCell(core::cell::UnsafeCell::new(EnvArea {
    ptrs: [ptr::null(); ENV_SLOTS + 1],
    entry: [0; 4096],
}));

/// `env` with every `NAME=...` entry replaced by one `NAME=value` at the end. Called at most
/// once per process (the strings live in one static area); E2BIG when they do not fit.
pub fn env_with(env: Strings, name: &[u8], value: &[u8]) -> Result<Strings> {
    // SAFETY: the only use of the area (see EnvCell); what it returns is never written again.
    let area = unsafe { &mut *ENV_AREA.0.get() };
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

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: Strings) -> Vec<String> {
        s.iter().map(|c| c.to_str().unwrap().to_owned()).collect()
    }

    #[test]
    fn without_compacts_in_place() {
        let env = Strings::leak(&["A=1", "BOXINIT_X=2", "B=3", "BOXINIT_Y=4"]);
        let kept = env.without(|e| e.to_bytes().starts_with(b"BOXINIT_"));
        assert_eq!(texts(kept), ["A=1", "B=3"]);
        // Still a null-terminated array for execve.
        assert!(env.ptrs[2].get().is_null());
        let all = Strings::leak(&["A=1"]).without(|_| false);
        assert_eq!(texts(all), ["A=1"]);
        assert!(Strings::leak(&["X=1"]).without(|_| true).is_empty());
    }
}

/// `keep` for ASCII text (names boxinit builds for its messages); None for other bytes.
pub fn keep_text(parts: &[&[u8]]) -> Option<&'static str> {
    let kept = keep(parts)?.to_bytes();
    // SAFETY: ASCII is UTF-8 (checked byte by byte: core's validation is far larger).
    kept.iter()
        .all(|&c| c < 0x80)
        .then(|| unsafe { core::str::from_utf8_unchecked(kept) })
}

// ---- Size ----------------------------------------------------------------------------------

/// `bytes` as a C string when its only NUL is its last byte. (core's
/// `CStr::from_bytes_with_nul` finds the NUL with an unrolled memchr: about 500 bytes.)
pub fn c_str(bytes: &[u8]) -> Option<&CStr> {
    match bytes.iter().position(|&b| b == 0) {
        // SAFETY: the one NUL is the last byte.
        Some(nul) if nul + 1 == bytes.len() => {
            Some(unsafe { CStr::from_bytes_with_nul_unchecked(bytes) })
        }
        _ => None,
    }
}

#[cfg(test)]
mod size_tests {
    use super::c_str;

    #[test]
    fn c_str_takes_only_a_string_ending_in_its_one_nul() {
        assert_eq!(c_str(b"abc\0"), Some(c"abc"));
        assert_eq!(c_str(b"\0"), Some(c""));
        assert_eq!(c_str(b"abc"), None);
        assert_eq!(c_str(b""), None);
        assert_eq!(c_str(b"a\0b\0"), None);
    }
}
