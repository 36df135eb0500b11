//! A run leaves the rootfs as it found it: the mount points boxinit makes where the rootfs has
//! none (/proc, /dev, /sys, /dev/mqueue, the mount steps' destinations and the directories on
//! the way to them) are removed again once the container has ended, whether it failed or not.
//!
//! No list has to cross from the process that makes them (the init, in a mount namespace of
//! its own) to the one that removes them (the launcher, outside it, where they are plain empty
//! directories again). Before anything starts, the launcher notes which of these names are
//! missing, each by a descriptor of the directory that lacks it; after the end it removes what
//! is under those names then, if it is still what a mount point is: an empty directory, or an
//! empty file for a file bind. Nothing that was there before is touched, no symlink is
//! followed, and the directory that lacked the name gets its modification time back.

use super::mounts::{self, Create};
use crate::config::{Filesystem, MountKind, Namespaces, MAX_STEPS};
use crate::sys::{self, Errno, Fd, Resolve};
use core::ffi::CStr;

/// /proc, /dev, /dev/mqueue, /sys and one per mount step.
const CAPACITY: usize = 4 + MAX_STEPS;

const PATH: usize = libc::PATH_MAX as usize;

/// A path of the rootfs that is missing from `name` on.
struct Missing {
    /// The deepest directory on the path that is there.
    parent: Fd,
    /// The rest of the path, from the missing name on.
    rest: &'static [u8],
    /// Whether the last name may be an empty file (a mount point for a file bind).
    file: bool,
    /// The parent's modification time (seconds, nanoseconds).
    mtime: (i64, i64),
}

/// The mount points this run may make in the rootfs, noted before it starts.
pub struct MountPoints(heapless::Vec<Missing, CAPACITY>);

impl MountPoints {
    /// Note which mount points of the container's file system are missing from the rootfs
    /// (the host's root without one). With `--volatile` they are made in the overlay only.
    #[inline(never)]
    pub fn note(namespaces: Namespaces, rootfs: Option<&CStr>, fs: &Filesystem) -> MountPoints {
        let mut all = MountPoints(heapless::Vec::new());
        if !namespaces.has(libc::CLONE_NEWNS) || (rootfs.is_some() && fs.volatile) {
            return all;
        }
        let base = mounts::open_dir(rootfs.unwrap_or(c"/"));
        let Ok(base) = base else {
            return all;
        };
        let dev = fs.wants_dev(rootfs.is_some());
        if namespaces.has(libc::CLONE_NEWPID) || rootfs.is_some() {
            all.note_one(&base, b"/proc", Resolve::NoSymlinks, false);
        }
        if dev {
            all.note_one(&base, b"/dev", Resolve::NoSymlinks, false);
        }
        if fs.mqueue && !dev {
            all.note_one(&base, b"/dev/mqueue", Resolve::NoSymlinks, false);
        }
        if fs.sys {
            all.note_one(&base, b"/sys", Resolve::NoSymlinks, false);
        }
        for step in &fs.steps {
            let file = step.kind == MountKind::Bind;
            all.note_one(&base, step.dest, Resolve::InRoot, file);
        }
        all
    }

    fn note_one(&mut self, base: &Fd, path: &'static [u8], resolve: Resolve, file: bool) {
        if let Some(found) = first_missing(base, path, resolve) {
            // Never full: one entry per candidate at most.
            let _ = self.0.push(Missing { file, ..found });
        }
    }

    /// Whether nothing is to be removed.
    /// Let go of the directories watched, without removing anything (the init inside a PID
    /// namespace: the launcher outside removes what was made).
    pub fn close(self) {}

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Once the container has ended, from outside its mount namespace: remove what the run
    /// made, the latest first, each path from its deepest name up.
    pub fn remove_made(self) {
        for missing in self.0.iter().rev() {
            missing.remove();
        }
    }
}

/// Where `path` (walked from `base` as the run walks it) first names nothing: the directory
/// before, and the path from there. None when it is all there, or cannot be walked at all (then
/// the run makes nothing there either). A name that is there but leads nowhere (a dangling
/// symlink) counts as missing: the run makes nothing through it, and it is no directory to
/// remove.
fn first_missing(base: &Fd, path: &'static [u8], resolve: Resolve) -> Option<Missing> {
    let mut parent = mounts::open_under(base, b"", resolve, Create::No).ok()?;
    let mut start = 0;
    for end in 0..path.len() + 1 {
        if end < path.len() && path[end] != b'/' {
            continue;
        }
        if end > start {
            match mounts::open_under(base, &path[..end], resolve, Create::No) {
                Ok(dir) => parent = dir,
                Err(Errno::ENOENT) => {
                    let st = parent.entry_at(c"").ok()?;
                    return Some(Missing {
                        parent,
                        rest: ours(&path[start..]),
                        file: false,
                        mtime: (st.st_mtime, st.st_mtime_nsec),
                    });
                }
                Err(_) => return None,
            }
        }
        start = end + 1;
    }
    None
}

/// `rest` up to its first `.` or `..` name: only the names before it are made in a directory
/// that was missing; one after it may be in a directory that was there before.
fn ours(rest: &[u8]) -> &[u8] {
    let mut start = 0;
    for end in 0..rest.len() + 1 {
        if end < rest.len() && rest[end] != b'/' {
            continue;
        }
        if matches!(&rest[start..end], b"." | b"..") {
            return &rest[..start];
        }
        start = end + 1;
    }
    rest
}

impl Missing {
    /// Remove the names of `rest`, deepest first, each from a directory reached from the
    /// parent through no symlink.
    fn remove(&self) {
        let mut buf = [0; PATH];
        let Ok(path) = mounts::c_path(self.rest, &mut buf) else {
            return;
        };
        let mut len = path.to_bytes().len();
        let mut file = self.file;
        while len > 0 {
            let slash = buf[..len].iter().rposition(|&c| c == b'/');
            let name = slash.map_or(0, |at| at + 1);
            let removed = match slash {
                _ if name == len => false,
                None => remove_if_made(&self.parent, &buf[..=len], file),
                Some(at) => {
                    buf[at] = 0;
                    let dir = sys::c_str(&buf[..=at])
                        .map(|dir| self.parent.open_under(dir, Resolve::NoSymlinks));
                    matches!(dir, Some(Ok(dir)) if remove_if_made(&dir, &buf[name..=len], file))
                }
            };
            if removed && slash.is_none() {
                let _ = self.parent.set_mtime(self.mtime.0, self.mtime.1);
            }
            file = false;
            len = slash.unwrap_or(0);
            buf[len] = 0;
        }
    }
}

/// Remove `name` (a C string with its NUL) from `dir` if it is an empty directory, or (where
/// `file` allows) an empty regular file.
fn remove_if_made(dir: &Fd, name: &[u8], file: bool) -> bool {
    let Some(name) = sys::c_str(name) else {
        return false;
    };
    match dir.unlink_at(name, libc::AT_REMOVEDIR) {
        Err(Errno::ENOTDIR) if file => {
            let empty_file = dir
                .entry_at(name)
                .is_ok_and(|st| st.st_mode & libc::S_IFMT == libc::S_IFREG && st.st_size == 0);
            empty_file && dir.unlink_at(name, 0).is_ok()
        }
        removed => removed.is_ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_names_before_a_dot_are_ours() {
        assert_eq!(ours(b"a//bc/d/"), b"a//bc/d/");
        assert_eq!(ours(b"x/../y"), b"x/");
        assert_eq!(ours(b"x/."), b"x/");
        assert_eq!(ours(b"x/.hidden"), b"x/.hidden");
    }
}
