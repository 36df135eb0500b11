//! Files and directories: resolving paths beneath a root, making and removing entries, and
//! what a file is (stat, statfs).

use super::{Errno, Fd, Result};
use core::ffi::{c_int, CStr};
use syscalls::{syscall, Sysno};

/// `fstatat`, which the two architectures name differently (x86_64 also has plain `stat`,
/// aarch64 does not).
#[cfg(target_arch = "x86_64")]
const FSTATAT: Sysno = Sysno::newfstatat;
#[cfg(target_arch = "aarch64")]
const FSTATAT: Sysno = Sysno::fstatat;

/// openat2's `RESOLVE_*` (the kernel refuses what they forbid with EXDEV or ELOOP).
const RESOLVE_NO_XDEV: u64 = 0x01;
const RESOLVE_NO_MAGICLINKS: u64 = 0x02;
const RESOLVE_NO_SYMLINKS: u64 = 0x04;
const RESOLVE_BENEATH: u64 = 0x08;
const RESOLVE_IN_ROOT: u64 = 0x10;

/// How `Fd::open_under` may walk a path from the directory it starts at.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Resolve {
    /// As if the directory were `/`: an absolute symlink and `..` at the top stay inside it
    /// (RESOLVE_IN_ROOT).
    InRoot,
    /// Beneath the directory, through no symlink at all (RESOLVE_BENEATH, NO_SYMLINKS).
    NoSymlinks,
    /// The same, and without leaving the directory's mount (adds RESOLVE_NO_XDEV).
    ThisMount,
}

/// `fstatat(2)` of `path` relative to `dir` (following symlinks; with AT_EMPTY_PATH and an
/// empty path, `dir` itself).
fn stat_at(dir: c_int, path: &CStr, flags: c_int) -> Result<libc::stat> {
    // SAFETY: an all-zero stat is valid.
    let mut st: libc::stat = unsafe { core::mem::zeroed() };
    // SAFETY: path is a C string; st is a valid out-pointer.
    unsafe {
        syscall!(
            FSTATAT,
            dir,
            path.as_ptr(),
            &mut st as *mut libc::stat,
            flags
        )
    }?;
    Ok(st)
}

pub fn is_directory(path: &CStr) -> Result<bool> {
    stat_at(libc::AT_FDCWD, path, 0).map(|st| st.st_mode & libc::S_IFMT == libc::S_IFDIR)
}

/// A file's device and inode numbers.
pub fn ids_of(path: &CStr) -> Result<(u64, u64)> {
    stat_at(libc::AT_FDCWD, path, 0).map(|st| (st.st_dev, st.st_ino))
}

/// The file system type (statfs's f_type) of the file system holding `path`.
pub fn fs_type(path: &CStr) -> Result<i64> {
    // SAFETY: an all-zero statfs is valid.
    let mut st: libc::statfs = unsafe { core::mem::zeroed() };
    // SAFETY: path is a C string; st is a valid out-pointer.
    unsafe { syscall!(Sysno::statfs, path.as_ptr(), &mut st as *mut libc::statfs) }?;
    Ok(st.f_type as i64)
}

fn mkdirat(dir: c_int, path: &CStr, mode: u32) -> Result<()> {
    // SAFETY: path is a C string.
    unsafe { syscall!(Sysno::mkdirat, dir, path.as_ptr(), mode) }.map(drop)
}

pub fn mkdir(path: &CStr, mode: u32) -> Result<()> {
    mkdirat(libc::AT_FDCWD, path, mode)
}

#[inline(always)]
fn unlinkat(dir: c_int, path: &CStr, flags: c_int) -> Result<()> {
    // SAFETY: path is a C string.
    unsafe { syscall!(Sysno::unlinkat, dir, path.as_ptr(), flags) }.map(drop)
}

/// Remove the empty directory `path`.
pub fn rmdir(path: &CStr) -> Result<()> {
    unlinkat(libc::AT_FDCWD, path, libc::AT_REMOVEDIR)
}

/// The working directory's path as seen from our root; ENOENT when it is not below it.
pub fn getcwd(buf: &mut [u8]) -> Result<&CStr> {
    // SAFETY: the kernel writes at most buf.len() bytes, a C string whose length it returns.
    let len = unsafe { syscall!(Sysno::getcwd, buf.as_mut_ptr(), buf.len()) }?;
    match buf.get(..len).and_then(super::c_str) {
        // An unreachable directory is named `(unreachable)/...`.
        Some(path) if path.to_bytes().starts_with(b"/") => Ok(path),
        _ => Err(Errno::ENOENT),
    }
}

pub fn chdir(path: &CStr) -> Result<()> {
    // SAFETY: path is a C string.
    unsafe { syscall!(Sysno::chdir, path.as_ptr()) }.map(drop)
}

pub fn chroot(path: &CStr) -> Result<()> {
    // SAFETY: path is a C string.
    unsafe { syscall!(Sysno::chroot, path.as_ptr()) }.map(drop)
}

/// Set the file mode creation mask; returns the previous one.
pub fn umask(mask: u32) -> u32 {
    // SAFETY: no pointers; cannot fail.
    unsafe { syscall!(Sysno::umask, mask) }.unwrap_or(0) as u32
}

impl Fd {
    /// An O_PATH handle on `path`, walked from `self` (a directory) as `resolve` allows; no
    /// /proc magic link is ever followed.
    pub fn open_under(&self, path: &CStr, resolve: Resolve) -> Result<Fd> {
        self.open_resolved(path, libc::O_PATH, resolve)
    }

    /// The directory `name` in this one, open for reading, only if it is on the same mount
    /// (no mount point, bind mounts included) and no symlink leads there.
    pub fn open_dir_on_this_mount(&self, name: &CStr) -> Result<Fd> {
        self.open_resolved(name, libc::O_RDONLY | libc::O_DIRECTORY, Resolve::ThisMount)
    }

    /// openat2: `path` opened with `flags`, walked as `resolve` allows; no /proc magic link is
    /// ever followed.
    fn open_resolved(&self, path: &CStr, flags: c_int, resolve: Resolve) -> Result<Fd> {
        let resolve = RESOLVE_NO_MAGICLINKS
            | match resolve {
                Resolve::InRoot => RESOLVE_IN_ROOT,
                Resolve::NoSymlinks => RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS,
                Resolve::ThisMount => RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV,
            };
        // struct open_how: flags, mode, resolve.
        let how: [u64; 3] = [(flags | libc::O_CLOEXEC) as u64, 0, resolve];
        // SAFETY: path is a C string; how is a valid open_how of the size passed.
        let fd = unsafe {
            syscall!(
                Sysno::openat2,
                self.0,
                path.as_ptr(),
                how.as_ptr(),
                core::mem::size_of_val(&how)
            )
        }?;
        Ok(Fd(fd as c_int))
    }

    /// Device and inode of `name` in this directory (following symlinks; "" for the
    /// directory itself).
    pub fn ids_at(&self, name: &CStr) -> Result<(u64, u64)> {
        stat_at(self.0, name, libc::AT_EMPTY_PATH).map(|st| (st.st_dev, st.st_ino))
    }

    /// What `name` in this directory is, itself (a symlink is not followed; "" for the
    /// directory).
    pub fn entry_at(&self, name: &CStr) -> Result<libc::stat> {
        stat_at(
            self.0,
            name,
            libc::AT_SYMLINK_NOFOLLOW | libc::AT_EMPTY_PATH,
        )
    }

    /// Set the modification time of what `self` refers to (the access time is left as it is).
    pub fn set_mtime(&self, sec: i64, nsec: i64) -> Result<()> {
        let omit = libc::timespec {
            tv_sec: 0,
            tv_nsec: libc::UTIME_OMIT,
        };
        let times = [
            omit,
            libc::timespec {
                tv_sec: sec,
                tv_nsec: nsec,
            },
        ];
        // SAFETY: "" is a C string; times holds the two timespecs utimensat reads.
        unsafe {
            syscall!(
                Sysno::utimensat,
                self.0,
                c"".as_ptr(),
                times.as_ptr(),
                libc::AT_EMPTY_PATH
            )
        }
        .map(drop)
    }

    /// The file type bits (`S_IFDIR`, `S_IFREG`, ...) of what `self` refers to.
    pub fn file_type(&self) -> Result<u32> {
        stat_at(self.0, c"", libc::AT_EMPTY_PATH).map(|st| st.st_mode & libc::S_IFMT)
    }

    /// Read directory entries (`getdents64` records) into `buf`; 0 at the end.
    pub fn read_dir(&self, buf: &mut [u8]) -> Result<usize> {
        // SAFETY: buf is valid for writes of its length.
        unsafe { syscall!(Sysno::getdents64, self.0, buf.as_mut_ptr(), buf.len()) }
    }

    /// Make this process's working directory the directory `self` refers to.
    pub fn change_dir(&self) -> Result<()> {
        // SAFETY: no pointers.
        unsafe { syscall!(Sysno::fchdir, self.0) }.map(drop)
    }

    pub fn mkdir_at(&self, name: &CStr, mode: u32) -> Result<()> {
        mkdirat(self.0, name, mode)
    }

    /// A device node `name` of number `dev` (`libc::makedev`).
    pub fn mknod_at(&self, name: &CStr, mode: u32, dev: libc::dev_t) -> Result<()> {
        // SAFETY: name is a C string.
        unsafe { syscall!(Sysno::mknodat, self.0, name.as_ptr(), mode, dev) }.map(drop)
    }

    pub fn symlink_at(&self, target: &CStr, name: &CStr) -> Result<()> {
        // SAFETY: both are C strings.
        unsafe { syscall!(Sysno::symlinkat, target.as_ptr(), self.0, name.as_ptr()) }.map(drop)
    }

    /// Remove `name` from this directory (`libc::AT_REMOVEDIR` for an empty directory).
    pub fn unlink_at(&self, name: &CStr, flags: c_int) -> Result<()> {
        unlinkat(self.0, name, flags)
    }
}
