//! The container's file system: a private mount tree, the new root (plain, or a volatile
//! overlay), the way into it (pivot_root or chroot), and the mount steps of the command line,
//! replayed inside it in the order they were given.
//!
//! Every path inside the container is resolved by the kernel beneath the new root (openat2
//! with RESOLVE_BENEATH), never by looking at the string: a `..` or a symlink that would lead
//! out of the root is refused, and a missing mount point is made through the same resolution.

use crate::container::Namespaces;
use crate::out::Failure;
use crate::sys::{self, Errno, Fd};
use crate::values;
use core::ffi::CStr;

/// How many mount steps (`--bind`, `--ro-bind`, `--tmpfs`) one container may have.
pub const MAX_STEPS: usize = 64;

/// Entries of a list in an environment variable (`BOXINIT_BIND=a:/a,b:/b`) are separated by
/// this character.
const LIST_SEPARATOR: u8 = b',';

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    Bind,
    Tmpfs,
}

/// One mount option of the command line.
#[derive(Clone, Copy, Debug)]
pub struct Step {
    pub kind: Kind,
    /// A bind's host path; a tmpfs's size (`64m`, empty for the kernel's default).
    pub source: &'static [u8],
    /// Where it goes, inside the container.
    pub dest: &'static [u8],
    pub readonly: bool,
}

/// What the filesystem options asked for.
#[derive(Default)]
pub struct Filesystem {
    pub steps: heapless::Vec<Step, MAX_STEPS>,
    /// `--ro`: the root read-only (the mounts on it keep their own flags).
    pub readonly: bool,
    /// `--volatile`: the rootfs under a tmpfs overlay that vanishes with the container.
    pub volatile: bool,
    /// `--chroot`: move the rootfs over `/` and chroot, where pivot_root cannot work.
    pub chroot: bool,
    /// `--dev`/`--no-dev`; unsaid, a rootfs gets one.
    pub dev: Option<bool>,
    pub sys: bool,
    pub mqueue: bool,
    pub chdir: Option<&'static CStr>,
}

impl Filesystem {
    /// `--bind SRC:DST` or `--ro-bind SRC:DST` (`PATH` alone for the same path inside).
    pub fn bind(&mut self, text: &'static [u8], readonly: bool) -> Result<(), Failure> {
        let (source, dest) =
            values::bind_spec(text).ok_or(Failure::usage("invalid bind (want SRC:DST):", text))?;
        self.push(Step {
            kind: Kind::Bind,
            source,
            dest,
            readonly,
        })
    }

    /// `--tmpfs DST[:SIZE]`.
    pub fn tmpfs(&mut self, text: &'static [u8]) -> Result<(), Failure> {
        let (dest, size) = values::tmpfs_spec(text).ok_or(Failure::usage(
            "invalid tmpfs (want DST or DST:SIZE, SIZE like 64m):",
            text,
        ))?;
        self.push(Step {
            kind: Kind::Tmpfs,
            source: size.unwrap_or(b""),
            dest,
            readonly: false,
        })
    }

    /// The environment form of `--bind` and `--ro-bind`: several entries in one value.
    pub fn bind_list(&mut self, list: &'static [u8], readonly: bool) -> Result<(), Failure> {
        entries(list).try_for_each(|entry| self.bind(entry, readonly))
    }

    pub fn tmpfs_list(&mut self, list: &'static [u8]) -> Result<(), Failure> {
        entries(list).try_for_each(|entry| self.tmpfs(entry))
    }

    fn push(&mut self, step: Step) -> Result<(), Failure> {
        self.steps
            .push(step)
            .map_err(|s| Failure::usage("too many mount options (at most 64):", s.dest))
    }

    /// Whether the container gets a /dev of its own.
    pub fn wants_dev(&self, rootfs: bool) -> bool {
        self.dev.unwrap_or(rootfs)
    }

    /// What only makes sense with a rootfs or a mount namespace.
    pub fn check(&self, namespaces: Namespaces, rootfs: bool) -> Result<(), Failure> {
        if self.chdir.is_some_and(CStr::is_empty) {
            return Err(Failure::usage("empty --chdir", b""));
        }
        if !rootfs && (self.volatile || self.chroot) {
            let option: &[u8] = if self.volatile {
                b"--volatile"
            } else {
                b"--chroot"
            };
            return Err(Failure::usage("needs --rootfs:", option));
        }
        let mounts = !self.steps.is_empty()
            || self.readonly
            || self.dev == Some(true)
            || self.sys
            || self.mqueue;
        if mounts && !namespaces.has(libc::CLONE_NEWNS) {
            return Err(Failure::usage("mount options need the mnt namespace", b""));
        }
        Ok(())
    }
}

fn entries(list: &'static [u8]) -> impl Iterator<Item = &'static [u8]> {
    list.split(|&c| c == LIST_SEPARATOR)
        .filter(|entry| !entry.is_empty())
}

/// Before any mount: nothing we mount may propagate back to the host.
pub fn make_private() -> Result<(), Failure> {
    sys::mount(c"none", c"/", None, libc::MS_REC | libc::MS_PRIVATE, None)
        .map_err(|e| Failure::os("making mounts private", b"/", e))
}

/// The bind sources, one per bind step in step order: detached copies of each host tree
/// (read-only ones for `--ro-bind`), taken while host paths still mean the host.
pub type Sources = heapless::Vec<Fd, MAX_STEPS>;

pub fn open_sources(steps: &[Step]) -> Result<Sources, Failure> {
    let mut sources = Sources::new();
    for step in steps.iter().filter(|s| s.kind == Kind::Bind) {
        let mut buf = [0; libc::PATH_MAX as usize];
        let path = c_path(step.source, &mut buf)?;
        let tree = sys::clone_tree(None, path)
            .map_err(|e| Failure::os("opening bind source", step.source, e))?;
        if step.readonly {
            sys::make_tree_readonly(&tree)
                .map_err(|e| Failure::os("making read-only", step.source, e))?;
        }
        // Never full: there are at most as many binds as steps.
        let _ = sources.push(tree);
    }
    Ok(sources)
}

/// The rootfs as a mount of its own (pivot_root and MS_MOVE take only mounts).
pub fn bind_root(rootfs: &'static CStr) -> Result<Fd, Failure> {
    let flags = libc::MS_BIND | libc::MS_REC;
    sys::mount(rootfs, rootfs, None, flags, None)
        .map_err(|e| Failure::os("binding rootfs", rootfs.to_bytes(), e))?;
    open_dir(rootfs)
}

/// Without a rootfs, the container's root is the host's (in a mount tree of its own).
pub fn host_root() -> Result<Fd, Failure> {
    open_dir(c"/")
}

/// `--volatile`: the rootfs as the lower layer of an overlay whose upper layer is a fresh
/// tmpfs, so every write lands in memory and is gone with the container. The layers live in
/// that tmpfs, mounted over the rootfs's path in our mount tree (the host keeps seeing the
/// rootfs): `lower` (a copy of the rootfs's mount, taken first), `upper`, `work`, and `root`,
/// where the overlay goes.
pub fn volatile_root(rootfs: &'static CStr) -> Result<Fd, Failure> {
    let path = rootfs.to_bytes();
    let lower = sys::clone_tree(None, rootfs).map_err(|e| Failure::os("opening", path, e))?;
    sys::mount(c"tmpfs", rootfs, Some(c"tmpfs"), 0, Some(c"mode=755"))
        .map_err(|e| Failure::os("mounting the volatile layer on", path, e))?;
    let layers = open_dir(rootfs)?;
    for dir in [c"lower", c"upper", c"work", c"root"] {
        layers
            .mkdir_at(dir, 0o755)
            .map_err(|e| Failure::os("making the volatile layers in", path, e))?;
    }
    let at = layers.open_beneath(c"lower");
    at.and_then(|at| sys::attach_tree(&lower, &at))
        .map_err(|e| Failure::os("placing the lower layer of", path, e))?;
    // The layers are named relative to the working directory, which the overlay resolves.
    layers
        .change_dir()
        .map_err(|e| Failure::os("entering", path, e))?;
    let data = c"lowerdir=lower,upperdir=upper,workdir=work";
    sys::mount(c"overlay", c"root", Some(c"overlay"), 0, Some(data))
        .map_err(|e| Failure::os("mounting the volatile overlay on", path, e))?;
    layers
        .open_beneath(c"root")
        .map_err(|e| Failure::os("opening the volatile root of", path, e))
}

/// Mount a file system of type `fstype` at `path` inside `root` (made if missing); returns
/// a handle on the new mount's root.
pub fn mount_fs(
    root: &Fd,
    path: &'static [u8],
    fstype: &CStr,
    flags: libc::c_ulong,
    data: Option<&CStr>,
) -> Result<Fd, Failure> {
    let at = open_beneath(root, path, Create::Dir)?;
    // Mount on "." of the directory the kernel resolved, not on a path looked up again.
    at.change_dir()
        .map_err(|e| Failure::os("entering", path, e))?;
    sys::mount(fstype, c".", Some(fstype), flags, data)
        .map_err(|e| Failure::os("mounting", path, e))?;
    open_beneath(root, path, Create::No)
}

/// Make `root` the root: pivot_root(".", ".") stacks the old root over the new one and the
/// detach removes it, so no path, `..` or open-directory trick leads back to the host.
pub fn pivot_into(root: Fd, rootfs: &'static CStr) -> Result<(), Failure> {
    let path = rootfs.to_bytes();
    root.change_dir()
        .map_err(|e| Failure::os("entering rootfs", path, e))?;
    sys::pivot_root(c".", c".").map_err(|e| Failure::os("pivoting into rootfs", path, e))?;
    sys::umount(c".", libc::MNT_DETACH)
        .map_err(|e| Failure::os("detaching the old root from", path, e))?;
    sys::chdir(c"/").map_err(|e| Failure::os("entering rootfs", path, e))
}

/// `--chroot`, for a root pivot_root refuses (an initramfs): move the rootfs's mount over
/// `/`, as switch_root does, then chroot into it. The old root stays below, out of reach of
/// any path, since `..` at the top of the moved mount leads back into it.
pub fn chroot_into(root: Fd, rootfs: &'static CStr) -> Result<(), Failure> {
    let path = rootfs.to_bytes();
    root.change_dir()
        .map_err(|e| Failure::os("entering rootfs", path, e))?;
    sys::mount(c".", c"/", None, libc::MS_MOVE, None)
        .map_err(|e| Failure::os("moving rootfs to /:", path, e))?;
    sys::chroot(c".").map_err(|e| Failure::os("chrooting into", path, e))?;
    sys::chdir(c"/").map_err(|e| Failure::os("entering rootfs", path, e))
}

/// Inside the new root: each mount step, in command-line order.
pub fn replay(steps: &[Step], sources: Sources) -> Result<(), Failure> {
    let root = open_dir(c"/")?;
    let mut sources = sources.into_iter();
    for step in steps {
        match step.kind {
            Kind::Bind => {
                let Some(tree) = sources.next() else { break };
                let is_dir = tree.file_type() == Ok(libc::S_IFDIR);
                let at = open_beneath(&root, step.dest, Create::for_dir(is_dir))?;
                sys::attach_tree(&tree, &at)
                    .map_err(|e| Failure::os("bind-mounting on", step.dest, e))?;
            }
            Kind::Tmpfs => {
                let mut data: heapless::Vec<u8, 48> = heapless::Vec::new();
                let _ = data.extend_from_slice(b"mode=1777");
                if !step.source.is_empty() {
                    // The size is at most 20 bytes (checked when parsed): it fits.
                    let _ = data.extend_from_slice(b",size=");
                    let _ = data.extend_from_slice(step.source);
                }
                let _ = data.push(0);
                let data = CStr::from_bytes_until_nul(&data).unwrap_or(c"");
                let flags = libc::MS_NOSUID | libc::MS_NODEV;
                mount_fs(&root, step.dest, c"tmpfs", flags, Some(data))?;
            }
        }
    }
    Ok(())
}

/// `--ro`: the root mount read-only; what is mounted on it keeps its own flags.
pub fn make_root_readonly() -> Result<(), Failure> {
    sys::make_mount_readonly(c"/").map_err(|e| Failure::os("making the root read-only", b"/", e))
}

/// `--chdir DIR`: the command starts in DIR, which must be inside the container.
pub fn change_dir(dir: &'static CStr) -> Result<(), Failure> {
    let root = open_dir(c"/")?;
    let at = open_beneath(&root, dir.to_bytes(), Create::No)?;
    at.change_dir()
        .map_err(|e| Failure::os("changing directory to", dir.to_bytes(), e))
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

impl Create {
    fn for_dir(is_dir: bool) -> Create {
        if is_dir {
            Create::Dir
        } else {
            Create::File
        }
    }
}

/// A handle on `path` (absolute or not, it is taken as inside the container) resolved by the
/// kernel beneath `root`: refused when `..` or a symlink leads out of `root`, made when it
/// is missing and `create` says so, one component at a time, each resolved the same way.
pub fn open_beneath(root: &Fd, path: &'static [u8], create: Create) -> Result<Fd, Failure> {
    let fail = |e: Errno| match e {
        Errno::EXDEV => Failure::usage("path leads outside the container:", path),
        e => Failure::os("resolving", path, e),
    };
    let mut buf = [0; libc::PATH_MAX as usize];
    let relative = path
        .iter()
        .position(|&c| c != b'/')
        .map_or(&b"."[..], |i| &path[i..]);
    let whole = c_path(relative, &mut buf)?;
    match root.open_beneath(whole) {
        Err(Errno::ENOENT) if create != Create::No => {}
        found => return found.map_err(fail),
    }
    let len = relative.len();
    let mut parent: Option<Fd> = None;
    let mut start = 0;
    for end in 0..=len {
        if end < len && buf[end] != b'/' {
            continue;
        }
        if end == start {
            start += 1;
            continue;
        }
        buf[end] = 0;
        let prefix = CStr::from_bytes_until_nul(&buf).unwrap_or(c".");
        let found = match root.open_beneath(prefix) {
            Err(Errno::ENOENT) => {
                let name = CStr::from_bytes_until_nul(&buf[start..]).unwrap_or(c".");
                let dir = parent.as_ref().unwrap_or(root);
                let file = end == len && create == Create::File;
                make(dir, name, file).map_err(|e| Failure::os("making", path, e))?;
                root.open_beneath(prefix)
            }
            found => found,
        };
        parent = Some(found.map_err(fail)?);
        if end < len {
            buf[end] = b'/';
        }
        start = end + 1;
    }
    parent.ok_or(Failure::os("resolving", path, Errno::ENOENT))
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

fn open_dir(path: &'static CStr) -> Result<Fd, Failure> {
    Fd::open(path, libc::O_PATH | libc::O_DIRECTORY)
        .map_err(|e| Failure::os("opening", path.to_bytes(), e))
}

/// `bytes` as a C string in `buf`.
fn c_path<'a>(bytes: &'static [u8], buf: &'a mut [u8]) -> Result<&'a CStr, Failure> {
    if bytes.len() >= buf.len() || bytes.contains(&0) {
        return Err(Failure::os("resolving", bytes, Errno::ENAMETOOLONG));
    }
    buf[..bytes.len()].copy_from_slice(bytes);
    buf[bytes.len()] = 0;
    CStr::from_bytes_until_nul(buf).map_err(|_| Failure::os("resolving", bytes, Errno::EINVAL))
}
