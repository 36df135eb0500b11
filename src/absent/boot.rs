//! Boot mode's place in a build without it (no `boot` feature): boxinit is never the
//! kernel's init here, even as PID 1 of the first PID namespace; it supervises its command
//! as it would anywhere. `--boot` and the boot options are refused by the parser.

use crate::config::Config;
use crate::out::Failure;
use crate::supervise::Outcome;
use crate::sys::{self, Strings};

/// Never the kernel's init: a build without boot mode only supervises.
pub fn detect() -> bool {
    false
}

pub fn started_by_kernel() -> bool {
    false
}

pub fn quit(status: u8) -> ! {
    sys::exit(status)
}

pub fn refuse(failure: &Failure, _args: Strings, _env: Strings) -> ! {
    failure.report();
    quit(failure.status())
}

/// Unreachable (the parser refuses boot mode), and refused should it ever be reached.
pub fn begin(_config: &Config) -> Result<(), Failure> {
    Err(Failure::plain(
        c"boot mode is not in this build (built without boot)",
        b"",
    ))
}

pub fn end(_config: &Config, outcome: Outcome) -> ! {
    quit(outcome.status)
}
