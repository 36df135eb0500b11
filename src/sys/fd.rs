//! File descriptors: opening, reading, writing, closing, polling, and pipes.

use super::Result;
use core::ffi::{c_int, CStr};
use core::ptr;
use syscalls::{syscall, Errno, Sysno};

pub const STDIN: c_int = 0;
pub const STDOUT: c_int = 1;
pub const STDERR: c_int = 2;

/// An open file descriptor, closed when dropped. Always opened close-on-exec, so the
/// command never inherits a descriptor of boxinit's.
pub struct Fd(pub(super) c_int);

/// `openat(2)` with `flags` as given: the new descriptor's number, for the caller to own.
#[inline(always)]
fn openat_as_given(dir: c_int, path: &CStr, flags: c_int, mode: u32) -> Result<c_int> {
    // SAFETY: path is a C string; a bad `dir` is EBADF.
    unsafe { syscall!(Sysno::openat, dir, path.as_ptr(), flags, mode) }.map(|fd| fd as c_int)
}

/// `openat(2)`, close-on-exec.
pub(super) fn openat(dir: c_int, path: &CStr, flags: c_int, mode: u32) -> Result<Fd> {
    openat_as_given(dir, path, flags | libc::O_CLOEXEC, mode).map(Fd)
}

impl Fd {
    pub fn open(path: &CStr, flags: c_int) -> Result<Fd> {
        openat(libc::AT_FDCWD, path, flags, 0o644)
    }

    /// Open `path` relative to the directory descriptor `dir` (one we do not own here).
    pub fn open_in(dir: c_int, path: &CStr, flags: c_int) -> Result<Fd> {
        openat(dir, path, flags, 0o644)
    }

    /// Open `path` relative to `self`, a directory (plain openat: for a name just made).
    pub fn open_at(&self, path: &CStr, flags: c_int, mode: u32) -> Result<Fd> {
        openat(self.0, path, flags, mode)
    }

    /// The descriptor's number, for a child to write to after a vfork-style spawn.
    pub fn raw(&self) -> c_int {
        self.0
    }

    pub fn read(&self, buf: &mut [u8]) -> Result<usize> {
        // SAFETY: buf is valid for writes of its length.
        unsafe { syscall!(Sysno::read, self.0, buf.as_mut_ptr(), buf.len()) }
    }

    pub fn write(&self, bytes: &[u8]) -> Result<usize> {
        // SAFETY: bytes is valid for reads of its length.
        unsafe { syscall!(Sysno::write, self.0, bytes.as_ptr(), bytes.len()) }
    }

    /// Write all of `bytes` in one write; a short write is an error (EIO), as it would be a
    /// half-written /proc record.
    pub fn write_once(&self, bytes: &[u8]) -> Result<()> {
        if self.write(bytes)? == bytes.len() {
            Ok(())
        } else {
            Err(Errno::EIO)
        }
    }

    pub fn write_at(&self, bytes: &[u8], offset: u64) -> Result<usize> {
        // SAFETY: bytes is valid for reads of its length.
        unsafe { syscall!(Sysno::pwrite64, self.0, bytes.as_ptr(), bytes.len(), offset) }
    }

    /// Whether the descriptor is readable now (for a pidfd: its process has ended).
    pub fn is_readable(&self) -> Result<bool> {
        Ok(poll(&mut [self.for_reading()], Some(0))? > 0)
    }

    /// A `poll` entry that waits for the descriptor to be readable.
    pub(super) fn for_reading(&self) -> libc::pollfd {
        libc::pollfd {
            fd: self.0,
            events: libc::POLLIN,
            revents: 0,
        }
    }
}

/// Wait until one of `fds` is ready, for `timeout_ms` at most (`None`: no limit); how many
/// are. (ppoll with no signal mask: aarch64 has no poll.)
#[inline(always)]
pub(super) fn poll(fds: &mut [libc::pollfd], timeout_ms: Option<u64>) -> Result<usize> {
    let ts = timeout_ms.map(super::time::timespec);
    let ts_ptr = ts
        .as_ref()
        .map_or(ptr::null(), |t| t as *const libc::timespec);
    // SAFETY: fds holds valid pollfds, as many as passed; the timeout is valid or null.
    unsafe { syscall!(Sysno::ppoll, fds.as_mut_ptr(), fds.len(), ts_ptr, 0, 8) }
}

impl Drop for Fd {
    // Out of line only on aarch64 with the launcher, whose steps close descriptors at many
    // places: there a close in place (three 4-byte instructions) costs more than a call
    // (-336 B); on x86_64 (+64 B) and in the supervisor build (+80 B) the call costs more.
    #[cfg_attr(all(target_arch = "aarch64", feature = "launcher"), inline(never))]
    fn drop(&mut self) {
        // SAFETY: we own the descriptor.
        let _ = unsafe { syscall!(Sysno::close, self.0) };
    }
}

/// A pipe, both ends close-on-exec: (read end, write end).
pub fn pipe() -> Result<(Fd, Fd)> {
    let mut fds: [c_int; 2] = [0; 2];
    // SAFETY: fds holds two ints.
    unsafe { syscall!(Sysno::pipe2, fds.as_mut_ptr(), libc::O_CLOEXEC) }?;
    Ok((Fd(fds[0]), Fd(fds[1])))
}

/// Whether descriptor `fd` is open.
pub fn is_open(fd: c_int) -> bool {
    // SAFETY: no pointers.
    unsafe { syscall!(Sysno::fcntl, fd, libc::F_GETFD) }.is_ok()
}

/// Open `path` as descriptor `target` (inherited by commands: no close-on-exec).
pub fn open_as(path: &CStr, flags: c_int, target: c_int) -> Result<()> {
    let fd = openat_as_given(libc::AT_FDCWD, path, flags, 0)?;
    if fd != target {
        // Closed when dropped, once its copy is in place.
        let fd = Fd(fd);
        // SAFETY: no pointers; we own fd.
        unsafe { syscall!(Sysno::dup3, fd.0, target, 0) }?;
    }
    Ok(())
}

/// Close every descriptor from `first` to `last` (inclusive).
pub fn close_range(first: core::ffi::c_uint, last: core::ffi::c_uint) -> Result<()> {
    // SAFETY: no pointers.
    unsafe { syscall!(Sysno::close_range, first, last, 0) }.map(drop)
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
