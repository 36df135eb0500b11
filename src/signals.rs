//! Signal names and the classes of signals a supervisor treats differently.

use crate::sys::Signal;

/// Names of signals 1..=31 on x86_64, in number order.
const NAMES: [&str; 31] = [
    "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2",
    "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG",
    "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS",
];

pub const MAX: Signal = 64;

/// A signal by number (`15`) or name (`TERM`, `SIGTERM`, any case).
pub fn parse(text: &[u8]) -> Option<Signal> {
    if let Some(n) = crate::opts::number(text) {
        return (1..=MAX as u64).contains(&n).then_some(n as Signal);
    }
    let name = match text {
        [b'S' | b's', b'I' | b'i', b'G' | b'g', rest @ ..] => rest,
        _ => text,
    };
    NAMES
        .iter()
        .position(|n| n.as_bytes().eq_ignore_ascii_case(name))
        .map(|i| i as Signal + 1)
}

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
    fn names_and_numbers() {
        assert_eq!(parse(b"15"), Some(libc::SIGTERM));
        assert_eq!(parse(b"TERM"), Some(libc::SIGTERM));
        assert_eq!(parse(b"SIGKILL"), Some(libc::SIGKILL));
        assert_eq!(parse(b"sigusr1"), Some(libc::SIGUSR1));
        assert_eq!(parse(b"WINCH"), Some(libc::SIGWINCH));
        assert_eq!(parse(b"SYS"), Some(libc::SIGSYS));
        assert_eq!(parse(b"64"), Some(64));
        assert_eq!(parse(b"0"), None);
        assert_eq!(parse(b"65"), None);
        assert_eq!(parse(b"NOPE"), None);
        assert_eq!(parse(b""), None);
    }

    #[test]
    fn faults_are_not_forwarded() {
        assert!(is_fault(libc::SIGSEGV));
        assert!(!is_fault(libc::SIGTERM));
    }
}
