//! A /proc of the container's own PID namespace, hardened as crun and runc harden it: the
//! entries that show or change the host's kernel (its memory, its keys, its timers and
//! scheduler, its hardware) are masked or made read-only.

use super::mounts;
use crate::out::Failure;
use crate::sys::{self, Errno, Fd};
use core::ffi::CStr;

/// What happens to an entry: hidden under /dev/null (a file: reads find nothing, writes
/// vanish) or under an empty read-only tmpfs (a directory), or only made read-only.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Treat {
    MaskFile,
    MaskDir,
    ReadOnly,
}

/// The entries that show or change the host's kernel. Those this kernel lacks are skipped.
const ENTRIES: [(&CStr, Treat); 14] = [
    (c"proc/acpi", Treat::MaskDir),
    (c"proc/kcore", Treat::MaskFile),
    (c"proc/keys", Treat::MaskFile),
    (c"proc/latency_stats", Treat::MaskFile),
    (c"proc/timer_list", Treat::MaskFile),
    (c"proc/timer_stats", Treat::MaskFile),
    (c"proc/sched_debug", Treat::MaskFile),
    (c"proc/scsi", Treat::MaskDir),
    (c"proc/asound", Treat::ReadOnly),
    (c"proc/bus", Treat::ReadOnly),
    (c"proc/fs", Treat::ReadOnly),
    (c"proc/irq", Treat::ReadOnly),
    (c"proc/sys", Treat::ReadOnly),
    (c"proc/sysrq-trigger", Treat::ReadOnly),
];

/// A /proc of the PID namespace we are PID 1 of, or /proc would still list the host.
pub fn mount(root: &Fd) -> Result<(), Failure> {
    let flags = libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC;
    mounts::mount_fs(root, b"/proc", c"proc", flags, None)
}

/// Mask and write-protect; runs while the host's /dev/null is still at hand.
pub fn harden(root: &Fd) -> Result<(), Failure> {
    for (path, treat) in ENTRIES {
        harden_entry(root, path, treat)
            .map_err(|e| mounts::failed("hardening", path.to_bytes(), e))?;
    }
    Ok(())
}

fn harden_entry(root: &Fd, path: &CStr, treat: Treat) -> Result<(), Errno> {
    let at = match root.open_beneath(path) {
        Err(Errno::ENOENT) => return Ok(()),
        at => at?,
    };
    let tree = match treat {
        Treat::MaskDir => {
            at.change_dir()?;
            let flags = libc::MS_RDONLY | libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC;
            return sys::mount(c"tmpfs", c".", Some(c"tmpfs"), flags, Some(c"mode=555"));
        }
        Treat::MaskFile => sys::clone_tree(None, c"/dev/null")?,
        Treat::ReadOnly => {
            let copy = sys::clone_tree(Some(&at), c"")?;
            sys::make_tree_readonly(&copy)?;
            copy
        }
    };
    sys::attach_tree(&tree, &at)
}
