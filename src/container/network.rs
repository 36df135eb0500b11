//! The network of a new network namespace: the loopback interface up, and nothing else (a
//! new namespace has only `lo`, and the kernel leaves it down, so even 127.0.0.1 fails).

use crate::out::Failure;
use crate::sys;

pub fn bring_up_loopback() -> Result<(), Failure> {
    sys::set_interface_up(b"lo").map_err(|e| Failure::os(c"bringing up", b"lo", e))
}
