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

/// Nothing made: there is no boot.
pub struct Made;

/// Never called: the parser refuses --boot in this build, and `detect` never finds the
/// kernel's init, so nothing asks for a boot.
pub fn begin(_config: &Config) -> Made {
    Made
}

pub fn end(_config: &Config, outcome: Outcome, _made: Made) -> ! {
    quit(outcome.status)
}
