//! What boxinit says: one line per message on stderr, written in one `writev`, without
//! `core::fmt` (it would double the binary) and without a buffer that could truncate.

use crate::sys::{self, Errno};
use core::sync::atomic::{AtomicU8, Ordering};

/// How much boxinit says: 0 errors only, 1 warnings (the default), 2 info, 3 debug.
static VERBOSITY: AtomicU8 = AtomicU8::new(1);

pub const WARN: u8 = 1;
pub const INFO: u8 = 2;
pub const DEBUG: u8 = 3;

pub fn set_verbosity(level: u8) {
    VERBOSITY.store(level, Ordering::Relaxed);
}

pub fn verbosity() -> u8 {
    VERBOSITY.load(Ordering::Relaxed)
}

/// `boxinit: <what> <subject>: <strerror>`, the one shape of every failure message.
pub fn error(what: &str, subject: &[u8], errno: Option<Errno>) {
    let reason = errno.map_or("", describe);
    let (space, colon) = (
        if subject.is_empty() { "" } else { " " },
        if errno.is_some() { ": " } else { "" },
    );
    let _ = sys::write_all(
        sys::STDERR,
        &[
            b"boxinit: ",
            what.as_bytes(),
            space.as_bytes(),
            subject,
            colon.as_bytes(),
            reason.as_bytes(),
            b"\n",
        ],
    );
}

/// A step of boxinit's own that failed: what it was doing, on what, why, and the exit status
/// that says so (125, as coreutils' chroot and env use for their own failures).
#[derive(Debug)]
pub struct Failure {
    pub what: &'static str,
    pub subject: &'static [u8],
    pub errno: Option<Errno>,
}

impl Failure {
    pub const STATUS: u8 = 125;

    /// A system call failed.
    pub fn os(what: &'static str, subject: &'static [u8], errno: Errno) -> Failure {
        Failure {
            what,
            subject,
            errno: Some(errno),
        }
    }

    /// The caller asked for something boxinit cannot do.
    pub fn usage(what: &'static str, subject: &'static [u8]) -> Failure {
        Failure {
            what,
            subject,
            errno: None,
        }
    }

    pub fn report(&self) {
        error(self.what, self.subject, self.errno);
    }

    pub fn exit(&self) -> ! {
        self.report();
        sys::exit(Failure::STATUS)
    }
}

/// A message at `level` made of `parts`, shown when the verbosity reaches `level`.
pub fn say(level: u8, parts: &[&[u8]]) {
    if verbosity() < level {
        return;
    }
    let mut line: [&[u8]; 10] = [b""; 10];
    line[0] = b"boxinit: ";
    let n = parts.len().min(line.len() - 2);
    line[1..=n].copy_from_slice(&parts[..n]);
    line[n + 1] = b"\n";
    let _ = sys::write_all(sys::STDERR, &line[..n + 2]);
}

/// Text for stdout (help, version): the caller asked for it, so it goes where they look.
pub fn print(text: &str) {
    let _ = sys::write_all(sys::STDOUT, &[text.as_bytes()]);
}

/// strerror's text.
pub fn describe(errno: Errno) -> &'static str {
    sys::strerror(errno)
}

/// Decimal digits of `n` in `buf`, without `core::fmt`.
pub fn decimal(n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    let mut n = n;
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return &buf[i..];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_digits() {
        let mut buf = [0; 20];
        assert_eq!(decimal(0, &mut buf), b"0");
        assert_eq!(decimal(42, &mut buf), b"42");
        assert_eq!(decimal(u64::MAX, &mut buf), b"18446744073709551615");
    }

    #[test]
    fn errno_text_is_strerror() {
        assert_eq!(describe(Errno::ENOENT), "No such file or directory");
        assert_eq!(describe(Errno::EACCES), "Permission denied");
    }
}
