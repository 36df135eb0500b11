//! Network interfaces.

use super::{Errno, Fd, Result};
use core::ffi::{c_char, c_int};
use syscalls::{syscall, Sysno};

/// Set IFF_UP on network interface `name` (shorter than IFNAMSIZ) of our network namespace,
/// by ioctl on a throwaway socket.
pub fn set_interface_up(name: &[u8]) -> Result<()> {
    // SAFETY: no pointers.
    let socket = unsafe {
        syscall!(
            Sysno::socket,
            libc::AF_INET,
            libc::SOCK_DGRAM | libc::SOCK_CLOEXEC,
            0
        )
    }?;
    let socket = Fd(socket as c_int);
    // SAFETY: an all-zero ifreq is valid.
    let mut req: libc::ifreq = unsafe { core::mem::zeroed() };
    if name.len() >= req.ifr_name.len() {
        return Err(Errno::EINVAL);
    }
    for (to, &from) in req.ifr_name.iter_mut().zip(name) {
        *to = from as c_char;
    }
    // SAFETY: req is a valid ifreq for both calls; SIOCGIFFLAGS fills its flags member.
    unsafe {
        syscall!(
            Sysno::ioctl,
            socket.0,
            libc::SIOCGIFFLAGS,
            &mut req as *mut libc::ifreq
        )?;
        req.ifr_ifru.ifru_flags |= libc::IFF_UP as libc::c_short;
        syscall!(
            Sysno::ioctl,
            socket.0,
            libc::SIOCSIFFLAGS,
            &req as *const libc::ifreq
        )
    }
    .map(drop)
}
