//! The classes of signals a supervisor treats differently.

use crate::sys::Signal;

pub const MAX: Signal = crate::values::MAX_SIGNAL;

/// Signals the kernel raises for a fault of the process itself: forwarding one that someone
/// sent to the supervisor would make the command believe it crashed.
pub fn is_fault(sig: Signal) -> bool {
    matches!(
        sig,
        libc::SIGSEGV
            | libc::SIGBUS
            | libc::SIGFPE
            | libc::SIGILL
            | libc::SIGTRAP
            | libc::SIGSYS
            | libc::SIGABRT
    )
}

/// Job-control signals from a terminal: in dumb-init's session mode they stop the supervisor
/// too, so the shell that started it sees the whole job stop.
pub fn is_terminal_stop(sig: Signal) -> bool {
    matches!(sig, libc::SIGTSTP | libc::SIGTTIN | libc::SIGTTOU)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_are_not_forwarded() {
        assert!(is_fault(libc::SIGSEGV));
        assert!(!is_fault(libc::SIGTERM));
    }
}
