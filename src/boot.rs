//! Boot mode: boxinit as the first process of a real kernel, the `/init` of an initramfs or
//! of a small VM. Nothing is mounted yet, the configuration comes from the kernel command
//! line, and PID 1 may never exit (the kernel would panic): every way out, a fault of our own
//! included, ends in reboot(2).
//!
//! Its own steps come before and after the command's (which are every job's, in `run`):
//! before, mount what is missing, make fds 0-2 the console, load modules, switch to the real
//! root if asked, bring `lo` up, set the hostname; after, once the supervisor has stopped
//! everyone, print the command's status, remove the mount points made, sync and power off
//! (or reboot, or halt). The command runs in a session of its own on the console.

use crate::config::{BootSettings, Config, OnExit};
use crate::out::{self, Failure};
use crate::supervise::Outcome;
use crate::sys::{self, Errno, Fd, Strings};
use crate::values;
use core::ffi::{c_int, c_ulong, CStr};
use core::sync::atomic::{AtomicU8, Ordering};

impl OnExit {
    fn command(self) -> c_int {
        match self {
            OnExit::PowerOff => libc::RB_POWER_OFF,
            OnExit::Reboot => libc::RB_AUTOBOOT,
            OnExit::Halt => libc::RB_HALT_SYSTEM,
        }
    }
}

/// Where the root device is mounted when --switch-root names no directory.
const NEW_ROOT: &CStr = c"/newroot";

const KERNEL: u8 = 1;
const EXIT_DEVICE: u8 = 2;
/// KERNEL: the kernel started us; EXIT_DEVICE: the status goes to QEMU's exit device too.
/// Global because the panic handler must know how to end.
static STATE: AtomicU8 = AtomicU8::new(0);

fn is(bit: u8) -> bool {
    STATE.load(Ordering::Relaxed) & bit != 0
}

fn set(bit: u8) {
    // A load and a store, not `fetch_or`: boxinit has one thread, and on aarch64 a
    // read-modify-write is a call to a helper that probes the CPU for it.
    STATE.store(STATE.load(Ordering::Relaxed) | bit, Ordering::Relaxed);
}

/// The initial PID namespace, the one every other descends from, has this fixed inode
/// number (PROC_PID_INIT_INO in the kernel's include/linux/proc_ns.h).
const INITIAL_PID_NS: u64 = 0xEFFF_FFFC;

/// Find out whether the kernel itself started us: PID 1 of the initial PID namespace. A
/// container's PID 1 is PID 1 of a namespace of its own, so it never qualifies. (Kept for
/// the panic handler too, which must power off rather than exit.)
pub fn detect() -> bool {
    let kernel = sys::getpid() == 1 && pid_namespace() == Ok(INITIAL_PID_NS);
    if kernel {
        set(KERNEL);
    }
    kernel
}

/// The inode of our PID namespace. Without /proc (an initramfs has none mounted yet) it is
/// read through a proc mount that is attached nowhere, so no mount table changes.
fn pid_namespace() -> Result<u64, Errno> {
    let ids = match sys::ids_of(c"/proc/self/ns/pid") {
        Ok(ids) => ids,
        Err(_) => sys::detached_mount(c"proc")?.ids_at(c"self/ns/pid")?,
    };
    Ok(ids.1)
}

pub fn started_by_kernel() -> bool {
    is(KERNEL)
}

/// End boxinit with `status` before or after boot mode's own run (help, version, a bad
/// command line, a fault): a plain exit, except for the kernel's init, which powers off.
pub fn quit(status: u8) -> ! {
    if started_by_kernel() {
        power_off(status, OnExit::PowerOff, Made::NONE)
    }
    sys::exit(status)
}

/// A command line the kernel's init cannot use: say so where it can be seen, power off. A
/// boot's (--boot) ends as every failed boot ends, with its status line.
pub fn refuse(failure: &Failure, args: Strings, env: Strings) -> ! {
    let mut made = Made::NONE;
    if started_by_kernel() {
        // Read by the parser's rule for a yes/no variable, as when the options are accepted.
        let exit_device = env.value(b"BOXINIT_EXIT_DEVICE");
        if exit_device.is_some_and(|v| values::boolean(v.to_bytes()) == Some(true)) {
            set(EXIT_DEVICE);
        }
        mount_missing(&EARLY[..1], 0, &mut made);
        console();
    }
    failure.report();
    // (The line is true of any run, so a BOXINIT_BOOT that says no does no harm here.)
    let from_env = env.value(b"BOXINIT_BOOT").is_some();
    if from_env || args.iter().any(|a| a.to_bytes() == b"--boot") {
        power_off(failure.status(), OnExit::PowerOff, made)
    }
    quit(failure.status())
}

/// Boot mode's own first steps, before the command's: mount what is missing, make fds 0-2
/// the console, load modules, switch to the real root if asked, bring `lo` up, set the
/// hostname. What they made is for `end` to remove. A boot that fails here ends here, as
/// every boot ends.
pub fn begin(config: &Config) -> Made {
    let mut made = Made::NONE;
    if let Err(failure) = first_steps(config, &mut made) {
        failure.report();
        power_off(failure.status(), config.boot.on_exit, made)
    }
    made
}

fn first_steps(config: &Config, made: &mut Made) -> Result<(), Failure> {
    if sys::getpid() != 1 {
        // Boot mode mounts over every standard directory that is not a mount point yet
        // (/tmp, /run, ...): on a running system that would hide the caller's files.
        return Err(Failure::plain_bare(c"--boot needs boxinit to be PID 1"));
    }
    let settings = &config.boot;
    if settings.exit_device {
        set(EXIT_DEVICE);
    }
    mount_missing(&EARLY, 0, made);
    console();
    load_modules(settings.modules);
    if let Some(device) = settings.root_device {
        let dir = settings.switch_root.unwrap_or(NEW_ROOT);
        mount_root(device, dir, settings)?;
        switch_root(dir, made)?;
    } else if let Some(dir) = settings.switch_root {
        switch_root(dir, made)?;
    }
    mount_missing(&LATE, LATE_BIT, made);
    if let Err(e) = sys::set_interface_up(b"lo") {
        out::error("bringing up", b"lo", Some(e));
    }
    if let Some(name) = config.hostname {
        sys::sethostname(name.to_bytes())
            .map_err(|e| Failure::os(c"setting hostname", name.to_bytes(), e))?;
    }
    if started_by_kernel() {
        // Ctrl-Alt-Del becomes a SIGINT to us rather than an immediate reboot.
        let _ = sys::reboot(libc::LINUX_REBOOT_CMD_CAD_OFF);
    }
    Ok(())
}

/// Boot mode's end, once the command's steps are over: the status line, the root as `begin`
/// found it, sync, and the end the options (or a signal) asked for.
pub fn end(config: &Config, outcome: Outcome, made: Made) -> ! {
    power_off(
        outcome.status,
        outcome.system.unwrap_or(config.boot.on_exit),
        made,
    )
}

/// The end of every boot: the status line, the root as it was found, sync, the exit device,
/// and reboot(2).
fn power_off(status: u8, how: OnExit, made: Made) -> ! {
    let mut digits = [0; 20];
    // One machine-readable line for whoever reads the console; a --boot refused outside
    // process 1 never booted, so its failure stays the one line.
    if sys::getpid() == 1 {
        out::say(
            0,
            &[b"exit status ", out::decimal(status as u64, &mut digits)],
        );
    }
    // Opened while /dev is still there.
    let port = is(EXIT_DEVICE).then(|| Fd::open(c"/dev/port", libc::O_WRONLY));
    made.remove();
    sys::sync();
    if !started_by_kernel() {
        sys::exit(status); // --boot elsewhere (a container, a test): never reboot(2)
    }
    if let Some(Ok(port)) = port {
        signal_exit_device(&port, status);
    }
    let _ = sys::reboot(how.command());
    // reboot(2) does not come back for the kernel's init; should it, PID 1 still may not exit.
    loop {
        sys::sleep_ms(60_000);
    }
}

/// QEMU's isa-debug-exit device (`-device isa-debug-exit,iobase=0xf4,iosize=0x04`) ends QEMU
/// with status `(V << 1) | 1` when V is written to its port; /dev/port writes I/O ports by
/// offset, so no assembly is needed.
fn signal_exit_device(port: &Fd, status: u8) {
    if cfg!(target_arch = "x86_64") {
        let _ = port.write_at(&[status], 0xf4);
    }
}

// ---- Mounts and the console ---------------------------------------------------------------

struct Mount {
    fstype: &'static CStr,
    target: &'static CStr,
    flags: c_ulong,
    /// Its options; none where the file system's defaults serve (written "" in the tables).
    data: Option<&'static CStr>,
}

const fn mount(fstype: &'static CStr, target: &'static CStr, data: &'static CStr) -> Mount {
    let flags = match fstype.to_bytes() {
        b"devtmpfs" => libc::MS_NOSUID,
        b"devpts" | b"proc" | b"sysfs" | b"cgroup2" => {
            libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC
        }
        _ => libc::MS_NOSUID | libc::MS_NODEV,
    };
    Mount {
        fstype,
        target,
        flags,
        data: if data.is_empty() { None } else { Some(data) },
    }
}

/// What a system needs mounted before anything runs, /dev first (the console is there).
/// These move with us into a new root.
const EARLY: [Mount; 7] = [
    mount(c"devtmpfs", c"/dev", c""),
    mount(
        c"devpts",
        c"/dev/pts",
        c"newinstance,ptmxmode=0666,mode=0620",
    ),
    mount(c"tmpfs", c"/dev/shm", c"mode=1777"),
    mount(c"proc", c"/proc", c""),
    mount(c"sysfs", c"/sys", c""),
    mount(c"cgroup2", c"/sys/fs/cgroup", c""),
    mount(c"tmpfs", c"/run", c"mode=0755"),
];

/// Mounted in the final root only.
const LATE: [Mount; 1] = [mount(c"tmpfs", c"/tmp", c"mode=1777")];

/// The mount points of `EARLY` and then `LATE` (one bit each, by place) that the boot made in
/// its final root: they are unmounted and removed as the boot ends, so that a root is left as
/// it was found, as a container's is.
#[derive(Clone, Copy)]
pub struct Made(u8);
const LATE_BIT: usize = EARLY.len();
/// The mounts of `EARLY` that a switch of root takes along (/dev, /proc, /sys and /run,
/// with what is mounted under them), one bit each.
const MOVED: u8 = 1 << 0 | 1 << 3 | 1 << 4 | 1 << 6;

impl Made {
    const NONE: Made = Made(0);

    /// Make `path` for the mount of bit `bit`, noting it if it was missing.
    fn mount_point(&mut self, path: &CStr, bit: usize) {
        if sys::mkdir(path, 0o755).is_ok() {
            self.0 |= 1 << bit;
        }
    }

    /// Unmount and remove the mount points the boot made in its root, the latest first.
    fn remove(self) {
        for bit in (0..LATE_BIT + 1).rev() {
            let m = EARLY.get(bit).unwrap_or(&LATE[0]);
            if self.0 & 1 << bit != 0 {
                let _ = sys::umount(m.target, libc::MNT_DETACH);
                let _ = sys::rmdir(m.target);
            }
        }
    }
}

/// Mount each of `mounts` that is not mounted yet (the kernel or a bootloader's initramfs
/// may have done some), the first one of bit `first`. A mount that fails is reported; the
/// boot goes on without it.
fn mount_missing(mounts: &[Mount], first: usize, made: &mut Made) {
    for (i, m) in mounts.iter().enumerate() {
        made.mount_point(m.target, first + i);
        if is_mount_point(m.target) {
            continue;
        }
        if let Err(e) = sys::mount(m.fstype, m.target, Some(m.fstype), m.flags, m.data) {
            out::error("mounting", m.target.to_bytes(), Some(e));
        }
    }
}

/// A directory is a mount point when it lives on another device than its parent.
fn is_mount_point(dir: &CStr) -> bool {
    let Ok(fd) = Fd::open(dir, libc::O_RDONLY | libc::O_DIRECTORY) else {
        return false;
    };
    match (fd.ids_at(c""), fd.ids_at(c"..")) {
        (Ok(own), Ok(parent)) => own.0 != parent.0,
        _ => false,
    }
}

/// Make fds 0, 1 and 2 the console. The kernel opens /dev/console for its init only when the
/// initramfs has one, and that node is now hidden under devtmpfs: reopened from there, the
/// command's `tty` finds its name. Elsewhere (--boot) only closed ones are opened.
fn console() {
    for fd in sys::STDIN..sys::STDERR + 1 {
        if started_by_kernel() || !sys::is_open(fd) {
            let _ = sys::open_as(c"/dev/console", libc::O_RDWR | libc::O_NOCTTY, fd);
        }
    }
}

/// Load each module of the comma-separated list: a path, or a name in /lib/modules
/// (`NAME.ko`). Dependencies come first in the list; none are looked up.
fn load_modules(list: &[u8]) {
    for name in crate::values::split(list, b',').filter(|n| !n.is_empty()) {
        let path = if sys::has_byte(name, b'/') {
            sys::keep(&[name])
        } else {
            sys::keep(&[b"/lib/modules/", name, b".ko"])
        };
        let loaded = match path {
            Some(path) => Fd::open(path, libc::O_RDONLY).and_then(|f| f.load_module()),
            None => Err(Errno::ENAMETOOLONG),
        };
        match loaded {
            Ok(()) | Err(Errno::EEXIST) => {}
            // Best effort, as systemd-modules-load: the boot goes on without it.
            Err(e) => out::error("warning: loading module", name, Some(e)),
        }
    }
}

// ---- The real root --------------------------------------------------------------------------

/// Wait (a bounded time) for the root device to appear, then mount it on `dir`.
fn mount_root(device: &'static CStr, dir: &'static CStr, s: &BootSettings) -> Result<(), Failure> {
    let deadline = sys::monotonic_ms().saturating_add(s.root_wait_ms);
    // Drivers create the device node when they find the disk: a short sleep between looks
    // is all there is to wait on.
    while let Err(e) = sys::ids_of(device) {
        if sys::monotonic_ms() >= deadline {
            return Err(Failure::os(
                c"waiting for root device",
                device.to_bytes(),
                e,
            ));
        }
        sys::sleep_ms(10);
    }
    let _ = sys::mkdir(dir, 0o755);
    let fstype = s.root_fstype.unwrap_or(c"ext4");
    sys::mount(device, dir, Some(fstype), 0, s.root_options)
        .map_err(|e| Failure::os(c"mounting root device", device.to_bytes(), e))
}

/// Make `dir` the root, as busybox's switch_root does: take /dev, /proc, /sys and /run
/// along, empty the initramfs (it is memory that nothing could reach any more), move `dir`
/// onto `/` and chroot into it. Any other old root (a disk, a container's root, even one on
/// tmpfs) keeps every file: switching away from it is no reason to lose them.
fn switch_root(dir: &'static CStr, made: &mut Made) -> Result<(), Failure> {
    let fail = |e| Failure::os(c"switching root to", dir.to_bytes(), e);
    let (root, new) = root_and_new(dir).map_err(fail)?;
    if new == root {
        return Err(Failure::plain(
            c"--switch-root names the root itself:",
            dir.to_bytes(),
        ));
    }
    move_root(dir, new.0 == root.0, made).map_err(fail)
}

/// A file's device and inode.
type Ids = (u64, u64);

/// Before anything moves: a new root that is no directory, or the root itself, fails here
/// in one line rather than after half the mounts went there. The ids of `/` and of `dir`.
fn root_and_new(dir: &CStr) -> Result<(Ids, Ids), Errno> {
    if !sys::is_directory(dir)? {
        return Err(Errno::ENOTDIR);
    }
    Ok((sys::ids_of(c"/")?, sys::ids_of(dir)?))
}

/// The switch itself, onto `dir` (on the old root's device when `same_device`).
fn move_root(dir: &CStr, same_device: bool, made: &mut Made) -> Result<(), Errno> {
    if same_device {
        // A directory of the old root: only a mount can be moved onto `/`.
        sys::mount(dir, dir, None, libc::MS_BIND | libc::MS_REC, None)?;
    }
    // Asked while /proc is still where it was mounted.
    let initramfs = is_initramfs();
    // What was made in the old root stays there; what the new root lacks is made now.
    *made = Made::NONE;
    for bit in 0..LATE_BIT {
        if MOVED & 1 << bit != 0 {
            move_into(bit, dir, made);
        }
    }
    sys::chdir(dir)?;
    if !initramfs {
        out::say(
            out::WARN,
            &[b"not an initramfs: the old root keeps its files"],
        );
    } else if let Ok(root) = Fd::open(c"/", libc::O_RDONLY | libc::O_DIRECTORY) {
        delete_contents(&root, 0);
    }
    sys::mount(c".", c"/", None, libc::MS_MOVE, None)?;
    sys::chroot(c".")?;
    sys::chdir(c"/")
}

/// Move the mount of `EARLY[bit]` to the same place under `dir`.
fn move_into(bit: usize, dir: &CStr, made: &mut Made) {
    let old = EARLY[bit].target;
    let moved = match sys::keep(&[dir.to_bytes(), old.to_bytes()]) {
        Some(new) => {
            made.mount_point(new, bit);
            sys::mount(old, new, None, libc::MS_MOVE, None)
        }
        None => Err(Errno::ENAMETOOLONG),
    };
    if let Err(e) = moved {
        out::error("moving to the new root", old.to_bytes(), Some(e));
    }
}

const RAMFS_MAGIC: i64 = 0x8584_58f6;
const TMPFS_MAGIC: i64 = 0x0102_1994;

/// Whether `/` is the initramfs, the one root whose files may be deleted: we are the init
/// the kernel started, `/` is in memory (ramfs or tmpfs), and it is the kernel's rootfs
/// mount itself, not a copy of one or a tmpfs mounted later.
fn is_initramfs() -> bool {
    started_by_kernel()
        && matches!(sys::fs_type(c"/"), Ok(RAMFS_MAGIC | TMPFS_MAGIC))
        && root_is_rootfs()
}

/// The rootfs is the first mount of the initial namespace, so the first line of mountinfo:
/// `ID PARENT MAJOR:MINOR ROOT MOUNT_POINT OPTIONS [TAGS] - TYPE SOURCE OPTIONS`, here with
/// ROOT and MOUNT_POINT `/` and TYPE `rootfs`. Unreadable, or cut short: not the rootfs.
fn root_is_rootfs() -> bool {
    let mut buf = [0; 512];
    let len = Fd::open(c"/proc/self/mountinfo", libc::O_RDONLY)
        .and_then(|f| f.read(&mut buf))
        .unwrap_or(0);
    let Some(end) = buf[..len].iter().position(|&c| c == b'\n') else {
        return false;
    };
    let mut fields = crate::values::split(&buf[..end], b' ');
    let mounted = fields.nth(3) == Some(b"/") && fields.next() == Some(b"/");
    mounted && fields.skip_while(|&f| f != b"-").nth(1) == Some(b"rootfs")
}

/// How deep `delete_contents` goes; an initramfs is never this deep.
const MAX_DEPTH: u8 = 24;

/// Delete everything in `dir` that is on its mount: nothing mounted below it (the new root,
/// a bind mount) is entered, and no symlink is followed.
fn delete_contents(dir: &Fd, depth: u8) {
    let mut buf = [0u8; 1024];
    while let Ok(len @ 1..) = dir.read_dir(&mut buf) {
        let mut records = &buf[..len];
        // A getdents64 record: d_ino (8), d_off (8), d_reclen (2), d_type (1), d_name.
        while records.len() > 19 {
            let reclen = u16::from_ne_bytes([records[16], records[17]]) as usize;
            if reclen < 19 || reclen > records.len() {
                break;
            }
            let is_dir = records[18] == libc::DT_DIR;
            // The name, NUL-terminated and padded.
            let name = &records[19..reclen];
            let nul = name.iter().position(|&c| c == 0);
            if let Some(name) = nul.and_then(|nul| sys::c_str(&name[..=nul])) {
                delete_entry(dir, name, is_dir, depth);
            }
            records = &records[reclen..];
        }
    }
}

fn delete_entry(dir: &Fd, name: &CStr, is_dir: bool, depth: u8) {
    if matches!(name.to_bytes(), b"." | b"..") {
        return;
    }
    if !is_dir {
        // Removes the name itself, never what a symlink points to; a mount point is busy.
        let _ = dir.unlink_at(name, 0);
        return;
    }
    if depth >= MAX_DEPTH {
        return;
    }
    if let Ok(sub) = dir.open_dir_on_this_mount(name) {
        delete_contents(&sub, depth + 1);
        let _ = dir.unlink_at(name, libc::AT_REMOVEDIR);
    }
}
