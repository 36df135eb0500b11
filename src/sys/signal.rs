//! Signals: the blocked mask, waiting for one, and dispositions.

use super::{Errno, Fd, Result, Signal};
use core::ffi::c_int;
use core::ffi::c_ulong;
use core::ptr;
use syscalls::{syscall, Sysno};

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
    let ts = timeout_ms.map(super::time::timespec);
    let ts_ptr = ts
        .as_ref()
        .map_or(ptr::null(), |t| t as *const libc::timespec);
    // SAFETY: set and timeout are valid or null; siginfo may be null.
    unsafe { syscall!(Sysno::rt_sigtimedwait, &set.0 as *const u64, 0, ts_ptr, 8) }
        .map(|sig| sig as Signal)
}

impl Fd {
    /// A signalfd for the signals of `set` (they must be blocked): readable while one is
    /// pending, which `wait_signal_or_end` takes.
    pub fn signalfd(set: SigSet) -> Result<Fd> {
        let flags = libc::SFD_CLOEXEC | libc::SFD_NONBLOCK;
        // SAFETY: set is a valid 8-byte set.
        let fd = unsafe { syscall!(Sysno::signalfd4, -1isize, &set.0 as *const u64, 8, flags) }?;
        Ok(Fd(fd as c_int))
    }
}

/// `wait_signal` on the signalfd `signals`, and also for the process of the pidfd `process`
/// to end, which comes first: `Ok(None)`. Fails with EAGAIN after `timeout_ms`, with EINTR
/// when a stop/continue interrupts it or the signal was taken meanwhile.
pub fn wait_signal_or_end(
    signals: &Fd,
    process: &Fd,
    timeout_ms: Option<u64>,
) -> Result<Option<Signal>> {
    let mut fds = [process.for_reading(), signals.for_reading()];
    if super::fd::poll(&mut fds, timeout_ms)? == 0 {
        return Err(Errno::EAGAIN);
    }
    if fds[0].revents != 0 {
        return Ok(None);
    }
    // A signalfd_siginfo: the signal's number first.
    let mut info = [0u8; 128];
    match signals.read(&mut info) {
        Ok(128) => Ok(Some(
            u32::from_ne_bytes([info[0], info[1], info[2], info[3]]) as Signal,
        )),
        Ok(_) | Err(Errno::EAGAIN) => Err(Errno::EINTR),
        Err(e) => Err(e),
    }
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

/// The blocked signals that are pending.
pub fn pending_signals() -> SigSet {
    let mut set = SigSet::EMPTY;
    // SAFETY: set is a valid 8-byte out-pointer.
    let _ = unsafe { syscall!(Sysno::rt_sigpending, &mut set.0 as *mut u64, 8) };
    set
}
