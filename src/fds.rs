//! The descriptors a container's command gets: 0, 1 and 2, and those `--keep-fd` names.
//! Nothing else of the caller's (a directory outside the rootfs, as in runc's CVE-2024-21626,
//! a socket, a pipe's other end) may reach it.

use crate::config::KeptFds;
use crate::out::{self, Failure};
use crate::sys;
use crate::values;
use core::ffi::c_int;
use core::ffi::CStr;

impl KeptFds {
    /// `N` or `N,M,...` (`check` makes sure each is open: a typo would otherwise pass
    /// unnoticed).
    pub fn add(&mut self, list: &'static [u8]) -> Result<(), Failure> {
        self.1 = true;
        for text in list.split(|&c| c == b',') {
            let fd = values::number(text)
                .and_then(|n| c_int::try_from(n).ok())
                .ok_or(Failure::plain(c"invalid descriptor for --keep-fd:", text))?;
            if fd <= sys::STDERR || self.0.contains(&fd) {
                continue;
            }
            let at = self.0.iter().position(|&k| k > fd).unwrap_or(self.0.len());
            self.0
                .insert(at, fd)
                .map_err(|_| Failure::plain(c"too many --keep-fd (at most 16):", text))?;
        }
        Ok(())
    }

    /// Whether `--keep-fd` was given.
    pub fn given(&self) -> bool {
        self.1
    }
}

/// Every descriptor to keep is open.
pub fn check_open(keep: &KeptFds) -> Result<(), Failure> {
    match keep.0.iter().find(|&&fd| !sys::is_open(fd)) {
        Some(&fd) => {
            let mut digits = [0; 20];
            let text = out::decimal(fd as u64, &mut digits);
            let text = sys::keep(&[text]).map_or(&b""[..], CStr::to_bytes);
            Err(Failure::plain(c"no open descriptor for --keep-fd:", text))
        }
        None => Ok(()),
    }
}

/// Close every descriptor above 2 that is not kept, in boxinit itself before anything else:
/// then the command cannot inherit one, nor open one through /proc/1/fd of the boxinit that
/// is PID 1 beside it.
pub fn close_inherited(keep: &KeptFds) -> Result<(), Failure> {
    let mut first = sys::STDERR as u32 + 1;
    for &fd in &keep.0 {
        let fd = fd as u32;
        if fd > first {
            close(first, fd - 1)?;
        }
        first = fd + 1;
    }
    close(first, u32::MAX)
}

fn close(first: u32, last: u32) -> Result<(), Failure> {
    sys::close_range(first, last).map_err(|e| Failure::os_bare(c"closing inherited descriptors", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_descriptors_are_checked_and_sorted() {
        let mut keep = KeptFds::default();
        // The test process has 0, 1 and 2 open, and surely not 900000.
        assert!(!keep.given());
        assert!(keep.add(b"2,1").is_ok());
        assert!(keep.given() && keep.0.is_empty());
        assert!(keep.add(b"x").is_err());
        assert!(keep.add(b"").is_err());
        assert!(keep.add(b"-3").is_err());
    }
}
