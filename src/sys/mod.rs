//! Thin wrappers over the Linux system calls boxinit makes, one file per kernel area.
//!
//! This is the only module with `unsafe`. Each wrapper makes one call, returns
//! `Result<T, Errno>` and hides no policy: what an error means is the caller's business.
//! The calls go straight to the kernel through the `syscalls` crate, so no wrapper depends on
//! libc's state (errno, its pid cache, its locks), which a raw `fork` would leave stale.
//! Each system call is made in one place; where two wrappers need the same call, they share
//! a private one, `#[inline(always)]` when it is a few instructions (a call would cost more).
#![allow(unsafe_code)]

mod caps;
mod exec;
mod fd;
mod fs;
mod mount;
mod namespace;
mod net;
mod process;
mod signal;
mod strings;
mod system;
mod terminal;
mod time;

pub use caps::*;
pub use exec::*;
pub use fd::*;
pub use fs::*;
pub use mount::*;
pub use namespace::*;
pub use net::*;
pub use process::*;
pub use signal::*;
pub use strings::*;
pub use system::*;
pub use terminal::*;
pub use time::*;

use core::ffi::c_int;

pub use syscalls::Errno;

pub type Result<T> = core::result::Result<T, Errno>;
pub type Pid = i32;
pub type Signal = c_int;

/// The text of an errno, in musl's words, for the errnos boxinit's system calls can give
/// (1 to 40, then `MORE_ERRNOS`); None for any other, whose number the message gives instead.
/// Our own table is a third of musl's strerror, which words every errno there is.
pub fn strerror(errno: Errno) -> Option<&'static [u8]> {
    let n = errno.into_raw();
    let i = match n {
        1..=40 => n as usize - 1,
        _ => 40 + MORE_ERRNOS.iter().position(|&e| e as i32 == n)?,
    };
    ERRNO_TEXTS.as_bytes().split(|&c| c == 0).nth(i)
}

const MORE_ERRNOS: [u8; 6] = [75, 95, 110, 116, 122, 123];

/// Errnos 1 to 40, then `MORE_ERRNOS`, each ended by a NUL.
const ERRNO_TEXTS: &str = concat!(
    "Operation not permitted\0",
    "No such file or directory\0",
    "No such process\0",
    "Interrupted system call\0",
    "I/O error\0",
    "No such device or address\0",
    "Argument list too long\0",
    "Exec format error\0",
    "Bad file descriptor\0",
    "No child process\0",
    "Resource temporarily unavailable\0",
    "Out of memory\0",
    "Permission denied\0",
    "Bad address\0",
    "Block device required\0",
    "Resource busy\0",
    "File exists\0",
    "Cross-device link\0",
    "No such device\0",
    "Not a directory\0",
    "Is a directory\0",
    "Invalid argument\0",
    "Too many open files in system\0",
    "No file descriptors available\0",
    "Not a tty\0",
    "Text file busy\0",
    "File too large\0",
    "No space left on device\0",
    "Invalid seek\0",
    "Read-only file system\0",
    "Too many links\0",
    "Broken pipe\0",
    "Domain error\0",
    "Result not representable\0",
    "Resource deadlock would occur\0",
    "Filename too long\0",
    "No locks available\0",
    "Function not implemented\0",
    "Directory not empty\0",
    "Symbolic link loop\0",
    "Value too large for data type\0",
    "Not supported\0",
    "Operation timed out\0",
    "Stale file handle\0",
    "Quota exceeded\0",
    "No medium found\0",
);
