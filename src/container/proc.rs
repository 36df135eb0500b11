//! A /proc of the container's own PID namespace, hardened as crun and runc harden it: the
//! entries that show or change the host's kernel (its memory, its keys, its timers and
//! scheduler, its hardware) are masked or made read-only.

use super::mounts;
use crate::out::Failure;
use crate::sys::{self, Errno, Fd};
use core::ffi::CStr;

/// Hidden: a file under /dev/null (reads nothing, writes vanish), a directory under an
/// empty read-only tmpfs. Entries this kernel does not have are skipped.
const MASKED: [&CStr; 8] = [
    c"proc/acpi",
    c"proc/kcore",
    c"proc/keys",
    c"proc/latency_stats",
    c"proc/timer_list",
    c"proc/timer_stats",
    c"proc/sched_debug",
    c"proc/scsi",
];

/// Readable but not writable: the kernel's tunables and its hardware controls.
const READ_ONLY: [&CStr; 6] = [
    c"proc/asound",
    c"proc/bus",
    c"proc/fs",
    c"proc/irq",
    c"proc/sys",
    c"proc/sysrq-trigger",
];

/// A /proc of the PID namespace we are PID 1 of, or /proc would still list the host.
pub fn mount(root: &Fd) -> Result<(), Failure> {
    let flags = libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC;
    mounts::mount_fs(root, b"/proc", c"proc", flags, None).map(drop)
}

/// Mask and write-protect; runs while the host's /dev/null is still at hand.
pub fn harden(root: &Fd) -> Result<(), Failure> {
    for path in MASKED {
        let Some(at) = existing(root, path)? else {
            continue;
        };
        let masked = if at.file_type() == Ok(libc::S_IFDIR) {
            at.change_dir().and_then(|()| {
                let flags = libc::MS_RDONLY | libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC;
                sys::mount(c"tmpfs", c".", Some(c"tmpfs"), flags, Some(c"mode=555"))
            })
        } else {
            sys::clone_tree(None, c"/dev/null").and_then(|null| sys::attach_tree(&null, &at))
        };
        masked.map_err(|e| Failure::os("masking", path.to_bytes(), e))?;
    }
    for path in READ_ONLY {
        let Some(at) = existing(root, path)? else {
            continue;
        };
        sys::clone_tree(Some(&at), c"")
            .and_then(|copy| {
                sys::make_tree_readonly(&copy)?;
                sys::attach_tree(&copy, &at)
            })
            .map_err(|e| Failure::os("making read-only", path.to_bytes(), e))?;
    }
    Ok(())
}

/// `path` beneath `root`, or None when this kernel has no such entry.
fn existing(root: &Fd, path: &'static CStr) -> Result<Option<Fd>, Failure> {
    match root.open_beneath(path) {
        Ok(at) => Ok(Some(at)),
        Err(Errno::ENOENT) => Ok(None),
        Err(e) => Err(Failure::os("resolving", path.to_bytes(), e)),
    }
}
