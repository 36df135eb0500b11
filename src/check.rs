//! What the options need of the system, looked at once they are parsed and before anything
//! starts: a rootfs that is a directory we can read, descriptors to keep that are open.

use crate::config::Config;
use crate::out::Failure;
use crate::{container, fds, sys};
use core::ffi::CStr;

pub fn check(config: &Config) -> Result<(), Failure> {
    if let Some(rootfs) = config.rootfs {
        container::check_rootfs_exists(rootfs)?;
        check_rootfs_readable(rootfs)?;
        if config.fs.volatile || config.fs.chroot {
            check_not_host_root(rootfs, config.fs.volatile)?;
        }
    }
    fds::check_open(&config.keep_fds)
}

/// A rootfs the caller cannot read would fail later, at the first mount in it, with a message
/// that names that mount rather than the rootfs.
fn check_rootfs_readable(rootfs: &'static CStr) -> Result<(), Failure> {
    sys::Fd::open(rootfs, libc::O_RDONLY | libc::O_DIRECTORY)
        .map(drop)
        .map_err(|e| Failure::os(c"opening rootfs", rootfs.to_bytes(), e))
}

/// --volatile lays a throwaway layer over the rootfs, and --chroot moves the rootfs onto `/`;
/// with the host's own root (by any path to it) neither can be done, and the kernel's reason
/// (a symbolic link loop) would not say why.
fn check_not_host_root(rootfs: &'static CStr, volatile: bool) -> Result<(), Failure> {
    if sys::ids_of(rootfs).is_ok_and(|ids| sys::ids_of(c"/") == Ok(ids)) {
        let what = match volatile {
            true => c"--volatile needs a rootfs other than the host's root:",
            false => c"--chroot needs a rootfs other than the host's root:",
        };
        return Err(Failure::usage(what, rootfs.to_bytes()));
    }
    Ok(())
}

// (A rootfs needs the launcher.)
#[cfg(all(test, feature = "launcher"))]
mod tests {
    use super::*;
    use crate::config::Host;
    use crate::opts;
    use crate::sys::Strings;

    fn checked(argv: &[&str]) -> Result<Config, Failure> {
        let config = opts::parse(Strings::leak(argv), Strings::EMPTY, Host::default())?;
        check(&config).map(|()| config)
    }

    #[test]
    fn a_rootfs_must_be_a_directory_and_kept_descriptors_open() {
        assert!(checked(&["boxinit", "--rootfs", "/nonexistent", "x"]).is_err());
        assert!(checked(&["boxinit", "--rootfs", "/etc/passwd", "x"]).is_err());
        assert!(checked(&["boxinit", "--rootfs", "/", "x"]).is_ok());
        let volatile = checked(&["boxinit", "--rootfs", "/", "--volatile", "x"]);
        assert!(volatile.is_err_and(|f| f.what().starts_with(b"--volatile")));
        // The test process has 0, 1 and 2 open, and surely not 900000.
        assert!(checked(&["boxinit", "--keep-fd", "900000", "x"]).is_err());
        assert!(checked(&["boxinit", "--keep-fd", "2", "x"]).is_ok());
    }
}
