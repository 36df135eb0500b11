//! What the options need of the system, looked at once they are parsed and before anything
//! starts: a rootfs that is a directory we can read, descriptors to keep that are open,
//! clocks that time offsets keep in range, limits the kernel lets the command set. A refusal
//! names the option as it was given.

use crate::config::Config;
use crate::fds;
use crate::out::Failure;
#[cfg(feature = "launcher")]
use crate::{config::Namespaces, config::Opt, container, opts, sys};
#[cfg(feature = "launcher")]
use core::ffi::CStr;

pub fn check(config: &Config) -> Result<(), Failure> {
    // (Without the launcher there is nothing of a container's: its options are refused.)
    #[cfg(feature = "launcher")]
    check_container(config)?;
    fds::check_open(&config.keep_fds)
}

#[cfg(feature = "launcher")]
#[inline(never)]
fn check_container(config: &Config) -> Result<(), Failure> {
    if let Some(rootfs) = config.rootfs {
        container::check_rootfs_exists(rootfs)?;
        check_rootfs_readable(rootfs)?;
        check_not_host_root(config, rootfs)?;
    }
    check_time_offsets(config.time_offsets)?;
    let privileges = &config.privileges;
    // The command sets its limits inside the user namespace it gets, if any.
    let user_ns = Namespaces(config.namespaces.0 | config.joins.kinds().0);
    let in_user_ns = user_ns.has(libc::CLONE_NEWUSER);
    let refuse = |opt, why: &[u8], value| opts::refuse_as_given(config.from_env, opt, why, value);
    privileges.rlimits.check(&refuse, in_user_ns)
}

/// The kernel keeps a clock of a time namespace between 0 and half of what it can count
/// (KTIME_SEC_MAX / 2 seconds), counted from the clock's value now (ERANGE otherwise).
#[cfg(feature = "launcher")]
const CLOCK_MAX_SECONDS: i64 = 9_223_372_036 / 2;

#[cfg(feature = "launcher")]
fn check_time_offsets(offsets: crate::config::TimeOffsets) -> Result<(), Failure> {
    for (offset, clock, name) in [
        (offsets.monotonic, libc::CLOCK_MONOTONIC, &b"monotonic"[..]),
        (offsets.boottime, libc::CLOCK_BOOTTIME, b"boottime"),
    ] {
        if let Some(text) = offset {
            check_offset(text, clock, name)?;
        }
    }
    Ok(())
}

#[cfg(feature = "launcher")]
#[inline(never)]
fn check_offset(text: &'static [u8], clock: libc::clockid_t, name: &[u8]) -> Result<(), Failure> {
    let moved = crate::values::signed(text).and_then(|o| o.checked_add(sys::clock_seconds(clock)));
    if moved.is_some_and(|t| (0..=CLOCK_MAX_SECONDS).contains(&t)) {
        return Ok(());
    }
    let why = b" would move its clock below 0 or past 4611686018 seconds:";
    let what = sys::keep(&[b"--", name, why]);
    Err(Failure::plain(
        what.unwrap_or(c"offset out of range:"),
        text,
    ))
}

/// A rootfs the caller cannot read would fail later, at the first mount in it, with a message
/// that names that mount rather than the rootfs.
#[cfg(feature = "launcher")]
fn check_rootfs_readable(rootfs: &'static CStr) -> Result<(), Failure> {
    sys::Fd::open(rootfs, libc::O_RDONLY | libc::O_DIRECTORY)
        .map(drop)
        .map_err(|e| Failure::os(c"opening rootfs", rootfs.to_bytes(), e))
}

/// --volatile lays a throwaway layer over the rootfs, and --chroot moves the rootfs onto `/`;
/// with the host's own root (by any path to it) neither can be done, and the kernel's reason
/// (a symbolic link loop) would not say why.
#[cfg(feature = "launcher")]
#[inline(never)]
fn check_not_host_root(config: &Config, rootfs: &'static CStr) -> Result<(), Failure> {
    let opt = match (config.fs.volatile, config.fs.chroot) {
        (true, _) => Opt::Volatile,
        (_, true) => Opt::Chroot,
        _ => return Ok(()),
    };
    if sys::ids_of(rootfs).is_ok_and(|ids| sys::ids_of(c"/") == Ok(ids)) {
        let why = b" needs a rootfs other than the host's root";
        return Err(opts::refuse_as_given(
            config.from_env,
            opt,
            why,
            rootfs.to_bytes(),
        ));
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
