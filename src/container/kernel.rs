//! The kernel's views of itself, /proc and /sys, hardened as runc and crun harden them: the
//! entries that show or change the host's kernel (its memory, its keys, its timers and
//! scheduler, its hardware and firmware) are masked or made read-only. Each mask goes on the
//! mount just made, found from its root by descriptor without crossing a mount or a symlink.

use super::mounts::{self, NewFs};
use crate::out::Failure;
use crate::sys::{self, Errno, Fd, Resolve};
use core::ffi::CStr;

/// What happens to an entry: hidden under /dev/null (a file: reads find nothing, writes
/// vanish) or under an empty read-only tmpfs (a directory), or only made read-only.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Treat {
    MaskFile,
    MaskDir,
    ReadOnly,
}

/// /proc's entries (paths from its root) that show or change the host's kernel. Those this kernel lacks are skipped.
const PROC: [(&CStr, Treat); 14] = [
    (c"acpi", Treat::MaskDir),
    (c"kcore", Treat::MaskFile),
    (c"keys", Treat::MaskFile),
    (c"latency_stats", Treat::MaskFile),
    (c"timer_list", Treat::MaskFile),
    (c"timer_stats", Treat::MaskFile),
    (c"sched_debug", Treat::MaskFile),
    (c"scsi", Treat::MaskDir),
    (c"asound", Treat::ReadOnly),
    (c"bus", Treat::ReadOnly),
    (c"fs", Treat::ReadOnly),
    (c"irq", Treat::ReadOnly),
    (c"sys", Treat::ReadOnly),
    (c"sysrq-trigger", Treat::ReadOnly),
];

/// /sys's: the firmware's tables (ACPI, EFI variables, the memory map) and the power-capping
/// counters that leak what other tenants compute.
const SYS: [(&CStr, Treat); 2] = [
    (c"firmware", Treat::MaskDir),
    (c"devices/virtual/powercap", Treat::MaskDir),
];

const QUIET: u64 = sys::MOUNT_ATTR_NOSUID | sys::MOUNT_ATTR_NODEV | sys::MOUNT_ATTR_NOEXEC;

/// A /proc of the PID namespace we are PID 1 of, or /proc would still list the host; masked
/// while the host's /dev/null is still at hand.
pub fn mount_proc(root: &Fd) -> Result<(), Failure> {
    const FS: NewFs = NewFs {
        path: b"/proc",
        fstype: c"proc",
        attrs: QUIET,
        options: &[],
        or_host: None,
    };
    harden(&mounts::mount_fs(root, 0, &FS)?, b"/proc/", &PROC)
}

/// `--sys`: a read-only sysfs; where a user namespace without a network namespace of its own
/// may not make one, the host's /sys, bound read-only with all below it, as crun does.
pub fn mount_sys(root: &Fd) -> Result<(), Failure> {
    const FS: NewFs = NewFs {
        path: b"/sys",
        fstype: c"sysfs",
        attrs: QUIET | sys::MOUNT_ATTR_RDONLY,
        options: &[],
        or_host: Some(c"/sys"),
    };
    harden(&mounts::mount_fs(root, 0, &FS)?, b"/sys/", &SYS)
}

/// Mask and write-protect `entries` of the file system whose root `mount` is, mounted at
/// `place` (for messages).
fn harden(mount: &Fd, place: &[u8], entries: &[(&'static CStr, Treat)]) -> Result<(), Failure> {
    for &(path, treat) in entries {
        harden_entry(mount, path, treat).map_err(|e| {
            let full = sys::keep(&[place, path.to_bytes()]).unwrap_or(path);
            // A file is masked with the caller's /dev/null, which a chroot may lack.
            let what = match treat {
                Treat::MaskFile => c"masking with /dev/null",
                _ => c"hardening",
            };
            Failure::os(what, full.to_bytes(), e)
        })?;
    }
    Ok(())
}

fn harden_entry(mount: &Fd, path: &CStr, treat: Treat) -> Result<(), Errno> {
    let at = match mount.open_under(path, Resolve::ThisMount) {
        Err(Errno::ENOENT) => return Ok(()),
        at => at?,
    };
    let tree = match treat {
        Treat::MaskDir => {
            let attrs = QUIET | sys::MOUNT_ATTR_RDONLY;
            mounts::new_fs(c"tmpfs", attrs, &[(c"mode", Some(c"555"))])?
        }
        Treat::MaskFile => sys::clone_tree(None, c"/dev/null")?,
        Treat::ReadOnly => {
            let copy = sys::clone_tree(Some(&at), c"")?;
            sys::set_tree_attrs(&copy, sys::MOUNT_ATTR_RDONLY)?;
            copy
        }
    };
    sys::attach_tree(&tree, &at)
}
