//! Thin wrappers over the Linux system calls boxinit makes, one file per kernel area.
//!
//! This is the only module with `unsafe`. Each wrapper makes one call, returns
//! `Result<T, Errno>` and hides no policy: what an error means is the caller's business.
//! The calls go straight to the kernel through the `syscalls` crate, so no wrapper depends on
//! libc's state (errno, its pid cache, its locks), which a raw `fork` would leave stale.
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

use core::ffi::{c_int, CStr};

pub use syscalls::Errno;

pub type Result<T> = core::result::Result<T, Errno>;
pub type Pid = i32;
pub type Signal = c_int;

/// libc's text for an errno: musl keeps its messages in one compact table.
pub fn strerror(errno: Errno) -> &'static [u8] {
    // SAFETY: musl's strerror returns a pointer to a static, NUL-terminated message.
    // (Bytes, not `str`: `to_str` would bring in core's UTF-8 validation for text we only copy.)
    unsafe { CStr::from_ptr(libc::strerror(errno.into_raw())) }.to_bytes()
}
