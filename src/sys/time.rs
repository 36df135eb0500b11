//! Time: the monotonic clock and sleeping.

use syscalls::{syscall, Sysno};

/// Milliseconds on the monotonic clock.
pub fn monotonic_ms() -> u64 {
    let ts = now(libc::CLOCK_MONOTONIC);
    ts.tv_sec as u64 * 1000 + ts.tv_nsec as u64 / 1_000_000
}

/// Whole seconds on `clock` (CLOCK_MONOTONIC, CLOCK_BOOTTIME).
pub fn clock_seconds(clock: libc::clockid_t) -> i64 {
    now(clock).tv_sec
}

#[inline(never)]
fn now(clock: libc::clockid_t) -> libc::timespec {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: ts is a valid out-pointer.
    let _ = unsafe { syscall!(Sysno::clock_gettime, clock, &mut ts as *mut libc::timespec) };
    ts
}

/// `ms` as a timespec.
pub(super) fn timespec(ms: u64) -> libc::timespec {
    libc::timespec {
        tv_sec: (ms / 1000) as i64,
        tv_nsec: ((ms % 1000) * 1_000_000) as libc::c_long,
    }
}

pub fn sleep_ms(ms: u64) {
    let ts = timespec(ms);
    // SAFETY: ts is valid; the remainder may be null.
    let _ = unsafe { syscall!(Sysno::nanosleep, &ts as *const libc::timespec, 0) };
}
