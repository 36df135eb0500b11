//! The whole system: syncing, rebooting, kernel modules.

use super::{Fd, Result};
use core::ffi::c_int;
use syscalls::{syscall, Sysno};

pub fn sync() {
    // SAFETY: no arguments.
    let _ = unsafe { syscall!(Sysno::sync) };
}

/// reboot(2) with one of `libc::RB_*` or `LINUX_REBOOT_CMD_CAD_OFF`.
pub fn reboot(cmd: c_int) -> Result<()> {
    // SAFETY: no pointers (the argument is only read for RESTART2).
    unsafe {
        syscall!(
            Sysno::reboot,
            libc::LINUX_REBOOT_MAGIC1,
            libc::LINUX_REBOOT_MAGIC2,
            cmd,
            0
        )
    }
    .map(drop)
}

impl Fd {
    /// Load the kernel module in this file (finit_module).
    pub fn load_module(&self) -> Result<()> {
        // SAFETY: the parameters are an empty C string.
        unsafe { syscall!(Sysno::finit_module, self.0, c"".as_ptr(), 0) }.map(drop)
    }
}
