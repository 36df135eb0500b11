//! The container's file system: a private mount tree, the new root (plain, or a volatile
//! overlay), the way into it (pivot_root or chroot), and the mount steps of the command line,
//! replayed inside it in the order they were given.
//!
//! Every path inside the container is resolved by the kernel, never by looking at the string.
//! A mount step's destination (and --chdir) is walked with the new root as `/` (openat2 with
//! RESOLVE_IN_ROOT): an absolute symlink means a path inside the container, and `..` at the
//! top stays at the top, so nothing leads out. The file systems boxinit makes itself (/proc,
//! /dev, /sys) go only on real directories reached through no symlink at all, and every later
//! step on them acts on the mount made, by its descriptor, never on a path looked up again:
//! a rootfs whose links change under us cannot move a mask or a read-only copy elsewhere.

use crate::config::{Filesystem, MountKind, Step, MAX_STEPS};
use crate::out::Failure;
use crate::sys::{self, Errno, Fd, Resolve};
use crate::values;
use core::ffi::CStr;

/// Entries of a list in an environment variable (`BOXINIT_BIND=a:/a,b:/b`) are separated by
/// this character.
const LIST_SEPARATOR: u8 = b',';

/// A `--tmpfs` value refused, and why.
#[inline(never)]
fn bad_tmpfs(entry: &'static [u8]) -> Failure {
    let why = match values::tmpfs_size_is_zero(entry) {
        true => c"invalid --tmpfs (a size of 0 is no limit to the kernel):",
        false => c"invalid --tmpfs (want DST or DST:SIZE, SIZE like 64m):",
    };
    Failure::plain(why, entry)
}

impl Filesystem {
    /// `--bind SRC:DST` or `--ro-bind SRC:DST` (`PATH` alone for the same path inside); from
    /// the environment, a list of them.
    pub fn bind(&mut self, text: &'static [u8], readonly: bool, list: bool) -> Result<(), Failure> {
        entries(text, list).try_for_each(|entry| {
            let (source, dest) = values::bind_spec(entry)
                .ok_or(Failure::plain(c"invalid --bind (want SRC:DST):", entry))?;
            self.push(Step {
                kind: MountKind::Bind,
                source,
                dest,
                readonly,
            })
        })
    }

    /// `--tmpfs DST[:SIZE]`; from the environment, a list of them.
    pub fn tmpfs(&mut self, text: &'static [u8], list: bool) -> Result<(), Failure> {
        entries(text, list).try_for_each(|entry| {
            let (dest, size) = values::tmpfs_spec(entry).ok_or_else(|| bad_tmpfs(entry))?;
            // The kernel gets the size in bytes: it does not take every spelling the option
            // does (512MB, 1t), and would refuse one only once the container is half built.
            let mut digits = [0; 20];
            let bytes = match size.and_then(values::size) {
                Some(n) => sys::keep(&[crate::out::decimal(n, &mut digits)])
                    .ok_or(Failure::plain(
                        c"no room left for the size of --tmpfs",
                        entry,
                    ))?
                    .to_bytes_with_nul(),
                None => b"",
            };
            self.push(Step {
                kind: MountKind::Tmpfs,
                source: bytes,
                dest,
                readonly: false,
            })
        })
    }

    fn push(&mut self, step: Step) -> Result<(), Failure> {
        if values::is_root_path(step.dest) {
            // A mount over / is not seen by a process whose root is already there: it would
            // quietly do nothing.
            return Err(Failure::plain(
                c"cannot mount over the container's root (use --rootfs):",
                step.dest,
            ));
        }
        self.steps
            .push(step)
            .map_err(|s| Failure::plain(c"too many mount options (at most 64):", s.dest))
    }

    /// Whether the container gets a /dev of its own.
    pub fn wants_dev(&self, rootfs: bool) -> bool {
        self.dev.unwrap_or(rootfs)
    }
}

/// The entries of `text`: itself, or those of a list (an empty one is refused as a bad
/// entry, never skipped).
fn entries(text: &'static [u8], list: bool) -> impl Iterator<Item = &'static [u8]> {
    // Split at a NUL, a value (from a C string) is one entry.
    let separator = if list { LIST_SEPARATOR } else { 0 };
    values::split(text, separator)
}

/// Before any mount: nothing we mount may propagate back to the host.
pub fn make_private() -> Result<(), Failure> {
    match sys::mount(c"none", c"/", None, libc::MS_REC | libc::MS_PRIVATE, None) {
        // Only a mount's root can change its propagation: in a chroot, `/` is none.
        Err(Errno::EINVAL) => make_private_in_chroot(),
        done => done,
    }
    .map_err(|e| Failure::os(c"making mounts private", b"/", e))
}

/// In a chroot, the mount holding `/` cannot be named by any path. Entering our own mount
/// namespace again puts us at its root for a moment (setns resets the root and the working
/// directory): from there the whole tree is made private. Then the old root, bound onto
/// itself (privately), becomes the root again, a mount of its own now, as pivot_root needs;
/// the working directory is found again by its path.
fn make_private_in_chroot() -> Result<(), Errno> {
    let mut buf = [0; PATH];
    let cwd = sys::getcwd(&mut buf)?;
    let root = open_dir(c"/")?;
    sys::setns(&Fd::pidfd_of_self()?, libc::CLONE_NEWNS)?;
    sys::mount(c"none", c"/", None, libc::MS_REC | libc::MS_PRIVATE, None)?;
    let tree = sys::clone_tree(Some(&root), c"")?;
    sys::attach_tree(&tree, &root)?;
    tree.change_dir()?;
    sys::chroot(c".")?;
    sys::chdir(cwd)
}

/// The way back to the mount namespace and the root we started in, to remove the mount
/// points made once the container has ended. Entering a mount namespace puts us at its root,
/// which in a chroot is not ours (what we then removed by path would be the host's): the root
/// is held too, and entered again.
pub struct WayBack {
    namespace: Fd,
    root: Fd,
}

impl WayBack {
    /// None where our mount namespace cannot be named (a chroot may have no /proc).
    pub fn find() -> Option<WayBack> {
        let namespace = Fd::open(c"/proc/self/ns/mnt", libc::O_RDONLY).ok()?;
        let root = open_dir(c"/").ok()?;
        Some(WayBack { namespace, root })
    }

    pub fn take(self) -> Result<(), Errno> {
        sys::setns(&self.namespace, libc::CLONE_NEWNS)?;
        self.root.change_dir()?;
        sys::chroot(c".")?;
        sys::chdir(c"/")
    }
}

/// The bind sources, one per bind step in step order: detached copies of each host tree
/// (read-only ones for `--ro-bind`), taken while host paths still mean the host.
pub type Sources = heapless::Vec<Fd, MAX_STEPS>;

pub fn open_sources(steps: &[Step], sources: &mut Sources) -> Result<(), Failure> {
    for step in steps.iter().filter(|s| s.kind == MountKind::Bind) {
        let tree =
            open_source(step).map_err(|e| Failure::os(c"opening bind source", step.source, e))?;
        // Never full: there are at most as many binds as steps.
        let _ = sources.push(tree);
    }
    Ok(())
}

fn open_source(step: &Step) -> Result<Fd, Errno> {
    let mut buf = [0; PATH];
    let tree = sys::clone_tree(None, c_path(step.source, &mut buf)?)?;
    if step.readonly {
        sys::set_tree_attrs(&tree, sys::MOUNT_ATTR_RDONLY)?;
    }
    Ok(tree)
}

/// The rootfs as a mount of its own (pivot_root and MS_MOVE take only mounts): a copy of its
/// mount tree, mounted over it and kept by its descriptor. A path such as `.` or `/` would
/// name the directory the copy covers, not the copy (`--rootfs .` and `--rootfs /`).
pub fn bind_root(rootfs: &'static CStr) -> Result<Fd, Failure> {
    open_dir(rootfs)
        .and_then(|dir| {
            let tree = sys::clone_tree(None, rootfs)?;
            sys::attach_tree(&tree, &dir)?;
            Ok(tree)
        })
        .map_err(|e| Failure::os(c"binding rootfs", rootfs.to_bytes(), e))
}

/// Without a rootfs, the container's root is the host's (in a mount tree of its own).
pub fn host_root() -> Result<Fd, Failure> {
    open_dir(c"/").map_err(|e| Failure::os(c"opening", b"/", e))
}

/// `--volatile`: the rootfs as the lower layer of an overlay whose upper layer is a fresh
/// tmpfs, so every write lands in memory and is gone with the container.
pub fn volatile_root(rootfs: &'static CStr) -> Result<Fd, Failure> {
    overlay(rootfs).map_err(|e| Failure::os(c"making a volatile root of", rootfs.to_bytes(), e))
}

/// The layers live in a tmpfs mounted over the rootfs's path in our mount tree (the host
/// keeps seeing the rootfs): `lower` (a copy of the rootfs's mount, taken first), `upper`,
/// `work`, and `root`, where the overlay goes. (Out of line: 48 bytes fewer.)
#[inline(never)]
fn overlay(rootfs: &CStr) -> Result<Fd, Errno> {
    let lower = sys::clone_tree(None, rootfs)?;
    // Attached on the directory as opened now, and used by its own descriptor: a rootfs
    // path such as `dir/..` would name something else once a mount covers `dir`.
    let place = open_dir(rootfs)?;
    let layers = new_fs(c"tmpfs", 0, &[(c"mode", Some(c"755"))])?;
    sys::attach_tree(&layers, &place)?;
    for &dir in &[c"lower", c"upper", c"work", c"root"] {
        layers.mkdir_at(dir, 0o755)?;
    }
    sys::attach_tree(&lower, &layers.open_under(c"lower", Resolve::NoSymlinks)?)?;
    // The layers are named relative to the working directory, where the overlay finds them.
    layers.change_dir()?;
    let data = c"lowerdir=lower,upperdir=upper,workdir=work";
    sys::mount(c"overlay", c"root", Some(c"overlay"), 0, Some(data))?;
    layers.open_under(c"root", Resolve::NoSymlinks)
}

/// Where a file system of boxinit's goes: the directory `path` beneath `base`, reached through
/// no symlink (a rootfs's `proc -> tmp/p` is refused, not followed), made if missing. `base`
/// is the container's root, or the mount at the first `within` bytes of `path`.
fn mount_point(base: &Fd, path: &'static [u8], within: usize) -> Result<Fd, Failure> {
    let walked = &path[within..];
    open_under(base, walked, Resolve::NoSymlinks, Create::Dir).map_err(|e| match e {
        Errno::ELOOP => Failure::plain(c"mount point is a symlink:", path),
        e => mount_failure(c"mounting", path, e),
    })
}

/// A mount step's failure. Permission is denied where the mount point must be made in a
/// directory the caller may not write (mounting itself never says so): that is named.
#[cold]
fn mount_failure(doing: &'static CStr, path: &'static [u8], e: Errno) -> Failure {
    let doing = match e {
        Errno::EACCES => c"making the mount point",
        _ => doing,
    };
    Failure::os(doing, path, e)
}

/// Options of a new file system: `key=value`, or a flag `key` (with None).
pub type Options<'a> = &'a [(&'a CStr, Option<&'a CStr>)];

/// A file system boxinit makes: where it goes in the container, its type, its attributes
/// (`MOUNT_ATTR_*`) and options, and the host's mount to bind instead (with the same
/// attributes, all below it too) where we may not make one. One table entry each, so that
/// each mount is one call.
pub struct NewFs {
    pub path: &'static [u8],
    pub fstype: &'static CStr,
    pub attrs: u64,
    pub options: Options<'static>,
    pub or_host: Option<&'static CStr>,
}

/// The new file system `fs` on its mount point beneath `base` (see `mount_point`). Returns
/// its root, on which every later step acts.
#[inline(never)]
pub fn mount_fs(base: &Fd, within: usize, fs: &NewFs) -> Result<Fd, Failure> {
    let at = mount_point(base, fs.path, within)?;
    let made = match (new_fs(fs.fstype, fs.attrs, fs.options), fs.or_host) {
        (Err(Errno::EPERM), Some(host)) => host_tree(host, fs.attrs),
        (made, _) => made,
    };
    made.and_then(|mount| attach(mount, &at))
        .map_err(|e| Failure::os(c"mounting", fs.path, e))
}

fn host_tree(path: &CStr, attrs: u64) -> Result<Fd, Errno> {
    let tree = sys::clone_tree(None, path)?;
    sys::set_tree_attrs(&tree, attrs)?;
    Ok(tree)
}

/// Attach the detached `mount` on `at`; the descriptor then names the attached mount.
fn attach(mount: Fd, at: &Fd) -> Result<Fd, Errno> {
    sys::attach_tree(&mount, at)?;
    Ok(mount)
}

/// A detached mount of a new file system: made by descriptor (fsopen, fsmount), so that
/// nothing is mounted on a path until it is attached where a descriptor says.
pub fn new_fs(fstype: &CStr, attrs: u64, options: Options) -> Result<Fd, Errno> {
    let context = sys::FsContext::new(fstype)?;
    for &(key, value) in options {
        context.set(key, value)?;
    }
    context.mount(attrs)
}

/// Make `root` the root, by pivot_root or, with `chroot`, by moving it over `/`.
pub fn enter_root(root: Fd, rootfs: &'static CStr, chroot: bool) -> Result<(), Failure> {
    let what = match chroot {
        false => c"pivoting into rootfs",
        true => c"moving into rootfs",
    };
    root.change_dir()
        .and_then(|()| if chroot { move_over_root() } else { pivot() })
        .and_then(|()| sys::chdir(c"/"))
        .map_err(|e| Failure::os(what, rootfs.to_bytes(), e))
}

/// pivot_root(".", ".") stacks the old root over the new one and the detach removes it, so
/// no path, `..` or open-directory trick leads back to the host.
fn pivot() -> Result<(), Errno> {
    sys::pivot_root(c".", c".")?;
    sys::umount(c".", libc::MNT_DETACH)
}

/// `--chroot`, for a root pivot_root refuses (an initramfs): move the rootfs's mount over
/// `/`, as switch_root does, and chroot into it. The old root stays below, out of reach of
/// any path, since `..` at the top of the moved mount leads back into it.
fn move_over_root() -> Result<(), Errno> {
    sys::mount(c".", c"/", None, libc::MS_MOVE, None)?;
    sys::chroot(c".")
}

/// Inside the new root: each mount step, in command-line order.
pub fn replay(steps: &[Step], sources: &Sources) -> Result<(), Failure> {
    let root = open_dir(c"/").map_err(|e| Failure::os(c"opening", b"/", e))?;
    let mut sources = sources.iter();
    for step in steps {
        let tree = match step.kind {
            MountKind::Bind => sources.next(),
            MountKind::Tmpfs => None,
        };
        place(&root, step, tree).map_err(|e| mount_failure(c"mounting on", step.dest, e))?;
    }
    Ok(())
}

fn place(root: &Fd, step: &Step, tree: Option<&Fd>) -> Result<(), Errno> {
    let made;
    let (create, tree) = match tree {
        Some(tree) if tree.file_type()? != libc::S_IFDIR => (Create::File, tree),
        Some(tree) => (Create::Dir, tree),
        None => {
            made = tmpfs(step.source)?;
            (Create::Dir, &made)
        }
    };
    let at = open_under(root, step.dest, Resolve::InRoot, create)?;
    sys::attach_tree(tree, &at)
}

/// A `--tmpfs`: world-writable with the sticky bit, of `size` (bytes in decimal with a NUL,
/// as the parser keeps it; the kernel's default if empty).
fn tmpfs(size: &'static [u8]) -> Result<Fd, Errno> {
    let options = [(c"mode", Some(c"1777")), (c"size", sys::c_str(size))];
    let count = if size.is_empty() { 1 } else { 2 };
    let attrs = sys::MOUNT_ATTR_NOSUID | sys::MOUNT_ATTR_NODEV;
    new_fs(c"tmpfs", attrs, &options[..count])
}

/// `--ro`: the root mount read-only; what is mounted on it keeps its own flags.
pub fn make_root_readonly() -> Result<(), Failure> {
    sys::make_mount_readonly(c"/").map_err(|e| Failure::os(c"making read-only", b"/", e))
}

/// `--chdir DIR`: the command starts in DIR, which must be inside the container.
pub fn change_dir(dir: &'static CStr) -> Result<(), Failure> {
    let path = dir.to_bytes();
    open_dir(c"/")
        .and_then(|root| open_under(&root, path, Resolve::InRoot, Create::No))
        .and_then(|at| at.change_dir())
        .map_err(|e| Failure::os(c"changing directory to", path, e))
}

/// What `open_beneath` makes of a missing path.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Create {
    No,
    /// Directories all the way.
    Dir,
    /// Directories, and an empty file at the end (a mount point for a file).
    File,
}

const PATH: usize = libc::PATH_MAX as usize;

/// A handle on `path` (absolute or not, it is taken as inside the container) walked from
/// `root` as `resolve` allows. What is missing is made when `create` says so, one component
/// at a time, each reached from `root` the same way.
pub fn open_under(root: &Fd, path: &[u8], resolve: Resolve, create: Create) -> Result<Fd, Errno> {
    let relative = match path.iter().position(|&c| c != b'/') {
        Some(i) => &path[i..],
        None => b".",
    };
    let mut buf = [0; PATH];
    match root.open_under(c_path(relative, &mut buf)?, resolve) {
        Err(Errno::ENOENT) if create != Create::No => {}
        found => return found,
    }
    let len = relative.len();
    let mut parent: Option<Fd> = None;
    let mut start = 0;
    for end in 0..=len {
        if end < len && buf[end] != b'/' {
            continue;
        }
        if end > start {
            buf[end] = 0;
            let (name, so_far) = (c_str(&buf[start..], end - start)?, c_str(&buf, end)?);
            let found = match root.open_under(so_far, resolve) {
                Err(Errno::ENOENT) => {
                    let dir = parent.as_ref().unwrap_or(root);
                    make(dir, name, end == len && create == Create::File)?;
                    root.open_under(so_far, resolve)
                }
                found => found,
            };
            parent = Some(found?);
            buf[end] = b'/';
        }
        start = end + 1;
    }
    parent.ok_or(Errno::ENOENT)
}

/// A directory or an empty file, unless something is there already.
fn make(dir: &Fd, name: &CStr, file: bool) -> Result<(), Errno> {
    let made = if file {
        let flags = libc::O_CREAT | libc::O_EXCL | libc::O_WRONLY;
        dir.open_at(name, flags, 0o644).map(drop)
    } else {
        dir.mkdir_at(name, 0o755)
    };
    match made {
        Err(Errno::EEXIST) => Ok(()),
        other => other,
    }
}

/// A handle on the directory `path`, to act on by descriptor.
pub fn open_dir(path: &CStr) -> Result<Fd, Errno> {
    Fd::open(path, libc::O_PATH | libc::O_DIRECTORY)
}

/// `bytes` as a C string in `buf`.
pub(super) fn c_path<'a>(bytes: &[u8], buf: &'a mut [u8]) -> Result<&'a CStr, Errno> {
    let len = bytes.len();
    if len >= buf.len() {
        return Err(Errno::ENAMETOOLONG);
    }
    buf[..len].copy_from_slice(bytes);
    buf[len] = 0;
    c_str(buf, len)
}

/// The C string of `len` bytes at the start of `buf`, which has its NUL at `len`.
fn c_str(buf: &[u8], len: usize) -> Result<&CStr, Errno> {
    sys::c_str(&buf[..=len]).ok_or(Errno::EINVAL)
}
