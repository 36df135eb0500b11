//! What boxinit was asked to do, as plain data: the options of the command line and the
//! environment, once parsed (`opts`) and checked (`check`). Every job reads its part of it.
//!
//! This module imports nothing of boxinit's but value types, so any module may use it and it
//! depends on none of them.

use crate::sys::{Pid, SigSet, Signal, Strings};
use crate::values::MAX_SIGNAL;
use core::ffi::{c_int, CStr};

/// Everything the command line and the environment said, checked.
pub struct Config {
    pub personality: Personality,
    pub action: Action,
    pub command: Strings,
    pub rootfs: Option<&'static CStr>,
    pub hostname: Option<&'static CStr>,
    pub namespaces: Namespaces,
    /// The filesystem options: mount steps, /dev, /sys, the root's shape, --chdir.
    pub fs: Filesystem,
    pub parent_death_signal: Option<Signal>,
    /// How much boxinit says (see `out`).
    pub verbosity: u8,
    /// catatonit's -P: no command, just a PID 1 that holds a namespace open.
    pub pause: bool,
    pub supervision: Supervision,
    /// Resource limits: the command's cgroup.
    pub limits: Limits,
    pub boot: BootSettings,
    pub joins: Joins,
    pub time_offsets: TimeOffsets,
    pub env: EnvEdits,
    pub keep_fds: KeptFds,
    pub new_session: bool,
    pub die_with_parent: bool,
    /// The process to die with, when not our parent (--parent-pid).
    pub parent_pid: Option<Pid>,
    /// The signal state the command starts with.
    pub child_signals: ChildSignals,
    /// The user namespace's id maps.
    pub id_maps: IdMapOptions,
    /// Who the command runs as, its capabilities and limits.
    pub privileges: PrivilegeOptions,
    /// The options (bits of `Opt`) given by their variable: a later check names them so.
    pub from_env: u128,
}

impl Config {
    /// Whether boxinit builds a container (makes or joins a namespace), rather than only
    /// supervising as tini does.
    pub fn is_container(&self) -> bool {
        // Never without the launcher, whose options are refused in that build.
        cfg!(feature = "launcher")
            && (!self.namespaces.is_empty() || !self.joins.kinds().is_empty())
    }
}

/// What boxinit learnt of where it runs before reading its options, which mean different
/// things to the kernel's init and to someone who is not root.
#[derive(Clone, Copy, Default, Debug)]
pub struct Host {
    /// The effective uid: any namespace asked for by someone else needs a user namespace.
    pub euid: u32,
    /// The kernel started us as its init: boot mode, whatever the options say.
    pub kernel_init: bool,
}

/// The name boxinit was called by: each takes its program's flags, defaults and messages.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Personality {
    Boxinit,
    Tini,
    DumbInit,
    Catatonit,
    /// Kubernetes' pause: no command and no option but `-v`; a pod's process 1.
    Pause,
}

/// What boxinit was asked to do.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Action {
    Run,
    Help,
    Version,
    License,
    /// No command under a name whose program needs one: its usage, on stderr, status 1.
    Usage,
}

// ---- Supervision ---------------------------------------------------------------------------

/// How to supervise: what the options and the personality asked for.
#[derive(Clone, Debug)]
pub struct Supervision {
    /// Send signals to the command's whole process group (tini -g, dumb-init's default).
    pub group: bool,
    /// dumb-init's session mode: the command leads its own session; terminal stop signals
    /// stop boxinit too; when the command ends, the rest of its group gets SIGTERM.
    pub command_leads_session: bool,
    /// Signal N is delivered as `rewrite[N]`; 0 drops it (dumb-init -r).
    pub rewrite: [u8; MAX_SIGNAL as usize + 1],
    /// Exit codes reported as 0 (tini -e).
    pub exit_zero: ExitSet,
    /// On SIGTERM or when the command ends: TERM everyone left, KILL them after this long.
    pub grace_ms: Option<u64>,
    /// --stop-delay: a first SIGTERM is held this long, the command serving on, before it is
    /// passed on (or starts the grace period); 0, not held at all.
    pub stop_delay_ms: u64,
    /// Stay until every descendant is gone, not just the command.
    pub wait_all: bool,
    /// Warn about each orphan reaped (tini -w).
    pub warn_zombies: bool,
    /// Pass on the fault signals (SEGV, BUS, ...) someone sent us, as dumb-init does.
    pub forward_faults: bool,
    /// Signals taken and dropped rather than passed on (those tini and catatonit ignore).
    pub not_forwarded: SigSet,
    /// dumb-init: after passing on TSTP, TTIN or TTOU, stop the job (boxinit too).
    pub stop_on_terminal_stops: bool,
    /// Where we stand in a chain across a new PID namespace.
    pub chain: Chain,
    /// The init of a boot: TERM, INT, USR1 and USR2 end the system, as they do busybox's.
    pub boot_init: bool,
}

/// Across a new PID namespace two boxinits supervise the command: the launcher outside, whose
/// child is PID 1 inside, which starts the command.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Chain {
    /// No PID namespace of ours: the child is the command.
    Alone,
    /// The child is PID 1 inside. `host_proc` is our /proc, opened before the init mounted
    /// the namespace's own over it (-1 if it could not be): there we can see the command.
    Launcher { host_proc: i32 },
    /// We are PID 1 inside; the launcher resumes a stopped job (see `decide::resume`).
    Inside,
}

impl Default for Supervision {
    fn default() -> Supervision {
        let mut rewrite = [0; MAX_SIGNAL as usize + 1];
        for (sig, to) in rewrite.iter_mut().enumerate() {
            *to = sig as u8;
        }
        Supervision {
            group: false,
            command_leads_session: false,
            rewrite,
            exit_zero: ExitSet::default(),
            grace_ms: None,
            stop_delay_ms: 0,
            wait_all: false,
            warn_zombies: false,
            forward_faults: false,
            not_forwarded: SigSet::EMPTY,
            stop_on_terminal_stops: false,
            chain: Chain::Alone,
            boot_init: false,
        }
    }
}

/// A set of exit codes 0..=255.
#[derive(Clone, Copy, Default, Debug)]
pub struct ExitSet([u64; 4]);

impl ExitSet {
    pub fn insert(&mut self, code: u8) {
        self.0[code as usize / 64] |= 1 << (code % 64);
    }

    pub fn contains(&self, code: u8) -> bool {
        self.0[code as usize / 64] & (1 << (code % 64)) != 0
    }
}

/// The signal state the command starts with, as each replaced program gives it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ChildSignals {
    /// What boxinit was started with: its mask, and what its caller ignored (boxinit, tini).
    Inherited,
    /// Nothing blocked, nothing ignored (dumb-init).
    Clean,
}

// ---- Containers: namespaces, the file system, identity ----------------------------------------

/// A set of namespaces, as `CLONE_NEW*` flags.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Namespaces(pub c_int);

impl Namespaces {
    pub const NONE: Namespaces = Namespaces(0);
    /// What `--rootfs` or `--hostname` gets unless `--unshare` says otherwise.
    pub const CONTAINER: Namespaces = Namespaces(
        libc::CLONE_NEWNS | libc::CLONE_NEWUTS | libc::CLONE_NEWIPC | libc::CLONE_NEWPID,
    );

    pub fn has(self, flag: c_int) -> bool {
        self.0 & flag != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// The kinds of namespace `--join-KIND` takes, in the order they are joined: the user
/// namespace first, as it may give the capabilities to join the others (which it owns); the
/// mount namespace last, as joining it changes the root and the working directory.
pub const JOIN_KINDS: [(&str, c_int); 8] = [
    ("user", libc::CLONE_NEWUSER),
    ("cgroup", libc::CLONE_NEWCGROUP),
    ("ipc", libc::CLONE_NEWIPC),
    ("uts", libc::CLONE_NEWUTS),
    ("net", libc::CLONE_NEWNET),
    ("pid", libc::CLONE_NEWPID),
    ("time", libc::CLONE_NEWTIME),
    ("mnt", libc::CLONE_NEWNS),
];

/// Existing namespaces to join: a path (/proc/PID/ns/KIND, /run/netns/NAME) per kind, in
/// the order of JOIN_KINDS.
#[cfg(feature = "launcher")]
#[derive(Clone, Copy, Default, Debug)]
pub struct Joins(pub [Option<&'static CStr>; JOIN_KINDS.len()]);

#[cfg(feature = "launcher")]
impl Joins {
    #[cfg(test)]
    pub fn set(&mut self, kind: c_int, path: &'static CStr) {
        if let Some(i) = JOIN_KINDS.iter().position(|&(_, k)| k == kind) {
            self.0[i] = Some(path);
        }
    }

    /// The kinds that are joined, as a set.
    pub fn kinds(&self) -> Namespaces {
        let kinds = JOIN_KINDS.iter().zip(self.0);
        Namespaces(kinds.fold(0, |all, (&(_, kind), path)| {
            all | if path.is_some() { kind } else { 0 }
        }))
    }
}

// Without the launcher the parser refuses every option of a container before it would store
// one: its parts of the settings hold nothing, and take no room in the parser's and the run's
// copies of them (several KB of stack, and the stores that fill them).

/// Nothing to join without the launcher.
#[cfg(not(feature = "launcher"))]
#[derive(Clone, Copy, Default, Debug)]
pub struct Joins {}

#[cfg(not(feature = "launcher"))]
impl Joins {
    pub fn kinds(&self) -> Namespaces {
        Namespaces::NONE
    }
}

/// Offsets of the clocks of a new time namespace (--monotonic, --boottime): seconds, as
/// given (checked to be a number).
#[cfg(feature = "launcher")]
#[derive(Clone, Copy, Default, Debug)]
pub struct TimeOffsets {
    pub monotonic: Option<&'static [u8]>,
    pub boottime: Option<&'static [u8]>,
}

#[cfg(feature = "launcher")]
impl TimeOffsets {
    pub fn is_set(&self) -> bool {
        self.monotonic.is_some() || self.boottime.is_some()
    }
}

/// No time namespace without the launcher.
#[cfg(not(feature = "launcher"))]
#[derive(Clone, Copy, Default, Debug)]
pub struct TimeOffsets {}

/// How many mount steps (`--bind`, `--ro-bind`, `--tmpfs`) one container may have.
pub const MAX_STEPS: usize = 64;

/// What the filesystem options asked for.
#[derive(Default)]
pub struct Filesystem {
    #[cfg(feature = "launcher")]
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

/// One mount option of the command line.
#[derive(Clone, Copy, Debug)]
pub struct Step {
    pub kind: MountKind,
    /// A bind's host path; a tmpfs's size in bytes, in decimal with a NUL (`67108864\0` for
    /// `64m`; empty for the kernel's default).
    pub source: &'static [u8],
    /// Where it goes, inside the container.
    pub dest: &'static [u8],
    pub readonly: bool,
}

/// What a mount step mounts.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum MountKind {
    Bind,
    Tmpfs,
}

/// The most `--setenv` and `--unsetenv` options one run takes.
pub const MAX_EDITS: usize = 32;

/// The edits the options asked for. `--clearenv` empties the environment first wherever it
/// stands, as `env -i` does; the edits then apply in command-line order.
#[derive(Clone, Default, Debug)]
pub struct EnvEdits {
    pub clear: bool,
    pub edits: heapless::Vec<Edit, MAX_EDITS>,
}

/// `K=V` to set, or `K` (no `=`) to unset: one borrowed string either way, to keep the
/// list small (it travels in the options).
#[derive(Clone, Copy, Debug)]
pub struct Edit(pub &'static CStr);

/// The most descriptors `--keep-fd` may name.
pub const MAX_KEPT: usize = 16;

/// Descriptors to keep open, above 2, sorted; and whether `--keep-fd` was given at all (it
/// asks for the closing even when it names only 0, 1 or 2).
#[derive(Clone, Default, Debug)]
pub struct KeptFds(pub heapless::Vec<c_int, MAX_KEPT>, pub bool);

/// How many ranges each of `--map-uid` and `--map-gid` may give.
pub const MAX_RANGES: usize = 8;
pub type IdRanges = heapless::Vec<IdRange, MAX_RANGES>;

/// The map options as given.
#[cfg(feature = "launcher")]
#[derive(Clone, Default, Debug)]
pub struct IdMapOptions {
    pub uids: IdRanges,
    pub gids: IdRanges,
    pub auto_uids: bool,
    pub auto_gids: bool,
    pub inside_uid: Option<u32>,
    pub inside_gid: Option<u32>,
}

/// No user namespace without the launcher.
#[cfg(not(feature = "launcher"))]
#[derive(Clone, Default, Debug)]
pub struct IdMapOptions {}

/// `inside` and the `count` ids after it are `outside`... on the host.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct IdRange {
    pub inside: u32,
    pub outside: u32,
    pub count: u32,
}

/// The identity options as given.
#[cfg(feature = "launcher")]
#[derive(Clone, Copy, Default, Debug)]
pub struct PrivilegeOptions {
    /// `--user USER[:GROUP]`, names or numbers.
    pub user: Option<&'static [u8]>,
    /// `--groups LIST`: the supplementary groups, replacing those /etc/group gives.
    pub groups: Option<&'static [u8]>,
    pub cap_add: u64,
    pub cap_drop: u64,
    pub caps_given: bool,
    pub allow_new_privs: bool,
    pub rlimits: Rlimits,
}

/// The command keeps boxinit's identity without the launcher.
#[cfg(not(feature = "launcher"))]
#[derive(Clone, Copy, Default, Debug)]
pub struct PrivilegeOptions {}

/// The limits asked for, by resource number; a later one for the same resource wins.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub struct Rlimits {
    pub given: u16,
    pub limits: [(u64, u64); 16],
}

// ---- Limits -----------------------------------------------------------------------------------

/// What the options asked for.
#[cfg(feature = "limits")]
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of memory.
    pub memory: Option<u64>,
    /// Bytes of memory and swap together (docker's --memory-swap, v1's memsw).
    pub memory_swap: Option<u64>,
    /// Microseconds of CPU time per PERIOD_US.
    pub cpu_quota_us: Option<u64>,
    /// 1-10000, cgroup v2's cpu.weight (100 is the default).
    pub cpu_weight: Option<u64>,
    pub pids: Option<u64>,
    /// The group's name; boxinit-PID when not given.
    pub name: Option<&'static CStr>,
}

/// Without limits the parser refuses their options before storing any: nothing to hold.
#[cfg(not(feature = "limits"))]
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub struct Limits {}

// ---- Boot mode --------------------------------------------------------------------------------

/// What the options said about booting.
#[cfg(feature = "boot")]
#[derive(Clone, Copy, Debug)]
pub struct BootSettings {
    /// Boot mode: asked for with --boot, or boxinit is the kernel's init.
    pub enabled: bool,
    pub switch_root: Option<&'static CStr>,
    pub root_device: Option<&'static CStr>,
    pub root_fstype: Option<&'static CStr>,
    pub root_options: Option<&'static CStr>,
    pub root_wait_ms: u64,
    /// Hand PID 1 to the command (a real init) rather than run it.
    pub exec: bool,
    pub on_exit: OnExit,
    /// Tell QEMU the status through its isa-debug-exit device.
    pub exit_device: bool,
    /// Comma-separated kernel modules to load, in order.
    pub modules: &'static [u8],
}

#[cfg(feature = "boot")]
impl Default for BootSettings {
    fn default() -> BootSettings {
        BootSettings {
            enabled: false,
            switch_root: None,
            root_device: None,
            root_fstype: None,
            root_options: None,
            root_wait_ms: 10_000,
            exec: false,
            on_exit: OnExit::PowerOff,
            exit_device: false,
            modules: b"",
        }
    }
}

/// Without boot mode, what the parser's checks and the run still read: never set, as the
/// parser refuses boot mode's options and boxinit is never the kernel's init here.
#[cfg(not(feature = "boot"))]
#[derive(Clone, Copy, Default, Debug)]
pub struct BootSettings {
    pub enabled: bool,
    pub exec: bool,
    pub root_device: Option<&'static CStr>,
}

/// How long everyone left gets between SIGTERM and SIGKILL at the end of a boot, unless
/// --grace says otherwise.
pub const BOOT_GRACE_MS: u64 = 2000;

/// What to do once the command has ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum OnExit {
    PowerOff,
    Reboot,
    Halt,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_sets_hold_any_code() {
        let mut set = ExitSet::default();
        set.insert(0);
        set.insert(143);
        set.insert(255);
        assert!(set.contains(143) && set.contains(255) && set.contains(0));
        assert!(!set.contains(1) && !set.contains(142));
    }

    #[test]
    fn signals_are_delivered_as_themselves_unless_rewritten() {
        let how = Supervision::default();
        assert_eq!(how.rewrite[libc::SIGTERM as usize], libc::SIGTERM as u8);
        assert_eq!(how.rewrite[64], 64);
    }
}

/// Every option, by what it sets (its names and where it applies are `opts`' table). A set
/// of them is a `u128` of `1 << opt`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Opt {
    // The supervisor's own options first, so that a build without the other jobs matches
    // them in a short jump table (the numbers of the others are not matched there); then
    // those that `invalid` has a message for, together, for the same reason.
    Help,
    Version,
    License,
    Hostname,
    Subreaper,
    Group,
    /// tini's variable for `-g`: an option of its own, so that a refusal names it.
    TiniGroup,
    Verbose,
    Debug,
    WarnZombies,
    SingleChild,
    Setsid,
    Pause,
    WaitAll,
    Setenv,
    Unsetenv,
    Clearenv,
    KeepFd,
    NewSession,
    DieWithParent,
    Chdir,
    // ---- Fidelity to the replaced programs ---
    /// tini's TINI_VERBOSITY: read as C's atoi reads it.
    TiniVerbosity,
    /// catatonit's CATATONIT_DEBUG: set at all means debug.
    CatatonitDebug,
    // Those with a message of their own for a bad value (`invalid`)
    ParentDeath,
    ExpectExit,
    Verbosity,
    Rewrite,
    Grace,
    StopDelay,
    ParentPid,
    Memory,
    MemorySwap,
    Cpus,
    CpuWeight,
    Pids,
    RootWait,
    OnExit,
    // Namespaces; the joins in the order of JOIN_KINDS
    JoinUser,
    JoinCgroup,
    JoinIpc,
    JoinUts,
    JoinNet,
    JoinPid,
    JoinTime,
    JoinMnt,
    Boottime,
    Monotonic,
    // The launcher's
    Rootfs,
    Unshare,
    // Resource limits
    Cgroup,
    // Boot mode
    Boot,
    SwitchRoot,
    RootDevice,
    RootFstype,
    RootOptions,
    Exec,
    ExitDevice,
    Modules,
    // Filesystem
    Bind,
    RoBind,
    Tmpfs,
    ReadOnly,
    Volatile,
    Chroot,
    Dev,
    NoDev,
    Sys,
    Mqueue,
    // Identity
    User,
    Groups,
    Uid,
    Gid,
    MapUid,
    MapGid,
    MapUsers,
    MapGroups,
    CapAdd,
    CapDrop,
    AllowNewPrivs,
    Rlimit,
}
