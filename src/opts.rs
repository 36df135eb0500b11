//! The command line and its environment forms: one table of options, one parser.
//!
//! `boxinit [OPTIONS] [--] [COMMAND [ARG...]]`. The basename of argv[0] picks a personality
//! (tini, dumb-init, catatonit) with its own flags and defaults, like busybox applets; every
//! option with an environment name can also come from the environment, and the command line
//! wins over it. Values are borrowed from argv and envp, never copied, so no argument can be
//! too long or too many for boxinit.

#[cfg(feature = "limits")]
use crate::cgroups;
use crate::config::{
    Action, BootSettings, ChildSignals, Config, EnvEdits, Filesystem, IdMapOptions, Opt,
};
use crate::config::{Host, Supervision, TimeOffsets, BOOT_GRACE_MS};
use crate::config::{Joins, KeptFds, Limits, Namespaces, Personality, PrivilegeOptions};
use crate::container;
use crate::env::variable_name;
use crate::out::Failure;
use crate::sys::{Pid, SigSet, Signal, Strings};
use crate::{out, values};
use core::ffi::CStr;

impl Personality {
    /// The personality of the name in argv[0].
    pub fn of(args: Strings) -> Personality {
        Personality::from_argv0(args.get(0).map_or(&b""[..], CStr::to_bytes))
    }

    pub fn from_argv0(argv0: &[u8]) -> Personality {
        let name = argv0.rsplit(|&c| c == b'/').next().unwrap_or(argv0);
        // A table, not a `match`: matched names are compared inline, one by one. The names
        // in one string (a table of slices would be 16 bytes a name more), case and all.
        use Personality::*;
        const NAMES: &[u8] = b"tini tini-static docker-init dumb-init catatonit podman-init pause";
        const OF: [Personality; 7] = [Tini, Tini, Tini, DumbInit, Catatonit, Catatonit, Pause];
        values::split(NAMES, b' ')
            .position(|known| known == name)
            .map_or(Boxinit, |i| OF[i])
    }

    /// The prefix boxinit's messages carry under this name.
    pub fn style(self) -> out::Style {
        match self {
            Personality::Boxinit | Personality::Pause => out::Style::Boxinit,
            Personality::Tini => out::Style::Tini,
            Personality::DumbInit => out::Style::DumbInit,
            Personality::Catatonit => out::Style::Catatonit,
        }
    }

    /// The status a usage error (unknown option, bad value, no command) exits with: the
    /// replaced programs all use 1; boxinit its own 125.
    pub fn usage_status(self) -> u8 {
        match self {
            Personality::Boxinit => Failure::STATUS,
            _ => 1,
        }
    }

    /// `failure` with this name's usage status, if it is a usage error (no system call
    /// failed); any other keeps boxinit's own.
    pub fn usage_failure(self, failure: Failure) -> Failure {
        match failure.errno() {
            None => failure.with_status(self.usage_status()),
            Some(_) => failure,
        }
    }

    /// `B`, `T`, `D` or `C`: the bits follow the order of `Personality`. pause knows no
    /// option of the table (0): its one flag is its own (`parse_some_args`).
    fn bit(self) -> u8 {
        (1 << self as u8) & ALL
    }
}

/// One option. The table keeps one name per entry: the long option, whose variable, if any,
/// is BOXINIT_ and its name in capitals with `_` for `-`; or, in an entry without a long
/// option, the variable's own name. The names are in one string (`NAMES`), so an entry is
/// 8 bytes, not the 24 of one with a `&str`.
#[derive(Clone, Copy)]
struct Spec {
    opt: Opt,
    short: u8,
    /// The personalities that know it (`B`, `T`, `D`, `C`), and `LONG` (its `name` is the
    /// long option, not only the variable), `ENV` (it has a variable) and `LIST`: bits of one
    /// byte, to keep an entry in 8 bytes.
    who: u8,
    /// Where it can act (the modes of `Mode`, as bits) in the low five bits; in the high
    /// three, the job it belongs to, by number (`LAUNCHER`, `LIMITS`, `BOOT`, ...; 0 for
    /// the supervisor's own): a build without that job refuses it (see `BUILT`).
    place: u8,
    /// What its value is (`Flag` for none), and so how it is read.
    kind: Kind,
    /// Where its name is in `NAMES`.
    len: u8,
    at: u16,
}

/// The bits of `Spec::who` beyond the personalities'.
const LONG: u8 = 32;
const ENV: u8 = 64;
/// Its value is a comma-separated list, in every form (see `values::list`).
const LIST: u8 = 128;

impl Spec {
    fn takes_value(&self) -> bool {
        self.kind != Kind::Flag
    }

    const fn long(&self) -> bool {
        self.who & LONG != 0
    }

    const fn env(&self) -> bool {
        self.who & ENV != 0
    }

    const fn list(&self) -> bool {
        self.who & LIST != 0
    }

    const fn modes(&self) -> u8 {
        self.place & MODES
    }

    const fn job(&self) -> u8 {
        self.place >> 5
    }

    fn name(&self) -> &'static [u8] {
        let at = self.at as usize;
        &NAMES[at..at + self.len as usize]
    }
}

/// What an option's value is, and so how it is read: each kind is read in one place
/// (`Kind::read`), into a number for the option's store (`Parser::store`), and a bad one is
/// refused saying what the kind wants (`Kind::want`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
enum Kind {
    /// No value: the option acts by being given.
    Flag,
    /// Kept as given: a path, a name, a list read where it is used.
    Text,
    /// A signal, by name or number.
    Signal,
    /// 10, 10s, 500ms or 1m: milliseconds.
    Duration,
    /// Bytes, with k, m or g; at least 1.
    Size,
    /// Whole seconds, signed; kept as given.
    Seconds,
    /// Numbers in the range of `Kind::range`.
    ExitCode,
    Level,
    Weight,
    Pid,
    /// CPUs, with up to 5 decimals: microseconds of CPU time a period.
    Cpus,
    /// SIGNAL:SIGNAL, as `from << 8 | to`.
    Rewrite,
    /// poweroff, reboot or halt: its place in that list.
    OnExit,
    /// `auto`, the one value.
    Auto,
    /// Read by its option's own step, which says what is wrong with it.
    Own,
}

impl Kind {
    /// The value `text` of this kind, as a number (0 for those kept as given), if it is one.
    /// `personality`: tini and dumb-init read some values as C's library does.
    #[inline(never)]
    fn read(self, text: &[u8], personality: Personality) -> Option<u64> {
        match self {
            Kind::Signal => values::signal(text).map(|s| s as u64),
            Kind::Duration => values::duration_ms(text),
            #[cfg(feature = "limits")]
            Kind::Size => values::size(text).filter(|&n| n > 0),
            #[cfg(feature = "launcher")]
            Kind::Seconds => values::signed(text).map(|_| 0),
            Kind::ExitCode if personality == Personality::Tini => {
                // tini reads it with strtol and wants all of it used: "" is 0, " 3" is 3.
                let (n, used) = values::strtol(text);
                u64::try_from(n)
                    .ok()
                    .filter(|&n| used == text.len() && n <= 255)
            }
            Kind::ExitCode | Kind::Level | Kind::Weight | Kind::Pid => {
                let (least, most) = self.range();
                values::number(text).filter(|n| (least..=most).contains(n))
            }
            #[cfg(feature = "limits")]
            Kind::Cpus => {
                values::fixed_point(text, 5).filter(|q| (1000..=MAX_QUOTA_US).contains(q))
            }
            Kind::Rewrite => {
                let rewrite = match personality {
                    Personality::DumbInit => dumb_init_rewrite(text),
                    _ => parse_rewrite(text),
                };
                rewrite.map(|(from, to)| (from as u64) << 8 | to as u64)
            }
            #[cfg(feature = "boot")]
            Kind::OnExit => values::split(ON_EXIT, b' ')
                .position(|w| w == text)
                .map(|i| i as u64),
            #[cfg(feature = "launcher")]
            Kind::Auto => (text == b"auto").then_some(1),
            // Those read by their own steps, and those of a job left out of the build (whose
            // options are refused before they are read).
            _ => Some(0),
        }
    }

    /// The least and the most of a number's kind.
    fn range(self) -> (u64, u64) {
        match self {
            Kind::ExitCode => (0, 255),
            // The levels are 0 to 3 (`out`): a higher one says no more.
            Kind::Level => (0, out::DEBUG as u64),
            Kind::Weight => (1, 10_000),
            _ => (1, PID_MAX_LIMIT),
        }
    }

    /// What a value of this kind must be, for the message that refuses `text`.
    fn want(self, text: &[u8], personality: Personality) -> &'static [u8] {
        // (dumb-init takes them, and passes them on as it does any number.)
        if self == Kind::Rewrite && personality != Personality::DumbInit && unrewritable(text) {
            return b" (KILL and STOP cannot be caught, and CHLD is how boxinit reaps)";
        }
        values::split(WANTS, b'|').nth(self as usize).unwrap_or(b"")
    }
}

/// What each kind wants, in the order of `Kind`, in one string (a table of slices would be
/// 16 bytes a kind more).
const WANTS: &[u8] = b"|| \
    (want a signal: TERM or 15)| \
    (want 10, 10s, 500ms or 1m)| \
    (want bytes with k, m or g: 64m)| \
    (want seconds)| \
    (want 0-255)| \
    (want 0-3)| \
    (want 1-10000)| \
    (want 1 to 4194304)| \
    (want 0.01 to 175921860, at most 5 decimals)| \
    (want SIGNAL:SIGNAL, 0 to drop)| \
    (want poweroff, reboot or halt)| \
    (want auto)|";

/// `--on-exit`'s words, in the order of `OnExit`.
#[cfg(feature = "boot")]
const ON_EXIT: &[u8] = b"poweroff reboot halt";

/// An entry as the table is written, its name as text: `SPECS` and `NAMES` are made of these
/// as the program is compiled, and the text is not kept.
#[derive(Clone, Copy)]
struct Row {
    spec: Spec,
    name: &'static str,
}

/// What a run is, as far as options go: each option says in which it can act, and one given
/// where it cannot is refused rather than left to do nothing.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub enum Mode {
    /// Supervising a command, as tini does.
    Supervising = 1,
    /// Building a container (making or joining a namespace).
    Container = 2,
    /// The init of a boot (--boot, or the kernel's init).
    Booting = 4,
    /// A boot that hands process 1 to the command (--exec): nothing is supervised.
    Handing = 8,
    /// Pausing (--pause): no command, so what acts on one has nothing to act on. A run
    /// pauses in one of the others (supervising or in a container) too.
    Pausing = 16,
}

/// Every mode's bit.
const MODES: u8 = 31;
const PAUSING: u8 = Mode::Pausing as u8;
const ANYWHERE: u8 = MODES;
/// Wherever a command runs.
const WITH_COMMAND: u8 = ANYWHERE & !PAUSING;
/// What the supervisor does once the command runs: nothing after a boot's --exec.
const SUPERVISING: u8 = WITH_COMMAND & !(Mode::Handing as u8);
const NOT_BOOTING: u8 = Mode::Supervising as u8 | Mode::Container as u8;
/// File system steps: a container's, or a boot's that unshares a mount namespace.
const MOUNTING: u8 = Mode::Container as u8 | Mode::Booting as u8 | Mode::Handing as u8;
const BOOT_ONLY: u8 = Mode::Booting as u8 | Mode::Handing as u8;
/// What only a container does (--allow-new-privs: only a container sets no_new_privs).
const CONTAINER_ONLY: u8 = Mode::Container as u8;

/// The options that act only where something is mounted (`MOUNTING`), as bits of `Opt`;
/// but --no-dev, which asks for nothing where nothing is mounted.
const MOUNTING_OPTS: u128 = {
    let (mut opts, mut i) = (0, 0);
    while i < ROWS.len() {
        let spec = ROWS[i].spec;
        if spec.modes() & !PAUSING == MOUNTING && !matches!(spec.opt, Opt::NoDev) {
            opts |= bit(spec.opt);
        }
        i += 1;
    }
    opts
};

/// `r`, which acts only in `modes` (and not in a pause, unless they say so: `pausing`).
const fn only(modes: u8, r: Row) -> Row {
    Row {
        spec: Spec {
            place: r.spec.place & !MODES | modes,
            ..r.spec
        },
        ..r
    }
}

/// `modes`, and in a pause too: what acts on boxinit itself, or on the container it pauses in.
const fn pausing(modes: u8) -> u8 {
    modes | PAUSING
}

/// The jobs beyond supervision, each a feature of the build (Cargo.toml), by number: a
/// number, not a bit each, keeps a fourth job in the three bits an entry has for it.
const LAUNCHER: u8 = 1;
const LIMITS: u8 = 2;
const BOOT: u8 = 3;
/// --hostname's: a container's or a boot's, in a build with either.
const LAUNCHER_OR_BOOT: u8 = 4;
const STOP_DELAY: u8 = 5;
/// The jobs this build has, a bit at each job's number (the supervisor's own, 0, always):
/// the options of the others are known, and refused.
const BUILT: u8 = 1
    | built(LAUNCHER, cfg!(feature = "launcher"))
    | built(LIMITS, cfg!(feature = "limits"))
    | built(BOOT, cfg!(feature = "boot"))
    | built(
        LAUNCHER_OR_BOOT,
        cfg!(any(feature = "launcher", feature = "boot")),
    )
    | built(STOP_DELAY, cfg!(feature = "stop-delay"));
/// Every job's bit: the full build.
const EVERY_JOB: u8 = (1 << (STOP_DELAY + 1)) - 1;

const fn built(job: u8, feature: bool) -> u8 {
    (feature as u8) << job
}

/// `r`, an option of `job`.
const fn job(job: u8, r: Row) -> Row {
    Row {
        spec: Spec {
            place: r.spec.place & MODES | job << 5,
            ..r.spec
        },
        ..r
    }
}

const B: u8 = 1;
const T: u8 = 2;
const D: u8 = 4;
const C: u8 = 8;
const ALL: u8 = B | T | D | C;
const _: () = assert!(
    B == 1 << Personality::Boxinit as u8
        && T == 1 << Personality::Tini as u8
        && D == 1 << Personality::DumbInit as u8
        && C == 1 << Personality::Catatonit as u8
);

/// An entry of the table, written with both names; `env` must be the one derived from `long`
/// (checked as the table is compiled) unless `long` is empty.
const fn spec(opt: Opt, long: &'static str, short: u8, env: &'static str, who: u8) -> Row {
    let has_long = !long.is_empty();
    assert!(
        !has_long || env.is_empty() || is_derived(env.as_bytes(), long.as_bytes()),
        "an option's variable must be BOXINIT_ and its long name: give another one its own entry"
    );
    Row {
        spec: Spec {
            opt,
            short,
            who: who | if has_long { LONG } else { 0 } | if env.is_empty() { 0 } else { ENV },
            place: ANYWHERE,
            kind: Kind::Flag,
            // (Where, once in NAMES: `pack`.)
            len: 0,
            at: 0,
        },
        name: if has_long { long } else { env },
    }
}

/// Whether `env` is BOXINIT_ and `long` in capitals, `_` for `-` (for `spec`, at compile time).
const fn is_derived(env: &[u8], long: &[u8]) -> bool {
    const PREFIX: &[u8] = b"BOXINIT_";
    if env.len() != PREFIX.len() + long.len() || long.len() > ENV_NAME_MAX - PREFIX.len() {
        return false;
    }
    let mut i = 0;
    while i < env.len() {
        let want = if i < PREFIX.len() {
            PREFIX[i]
        } else {
            env_byte(long[i - PREFIX.len()])
        };
        if env[i] != want {
            return false;
        }
        i += 1;
    }
    true
}

const ENV_NAME_MAX: usize = 40;

const fn env_byte(c: u8) -> u8 {
    if c == b'-' {
        b'_'
    } else {
        c.to_ascii_uppercase()
    }
}

/// One option of the table as a user spells it, and where it acts: for the tests and the
/// documentation, which must list the same options.
pub struct Entry {
    spec: &'static Spec,
}

impl Entry {
    /// `--NAME`, if it has a long form.
    pub fn long(&self) -> Option<&'static str> {
        let name = core::str::from_utf8(self.spec.name()).ok();
        name.filter(|_| self.spec.long())
    }

    /// `-C`, if it has a short form.
    pub fn short(&self) -> Option<char> {
        (self.spec.short != 0).then_some(self.spec.short as char)
    }

    /// Its environment variable, if it has one.
    pub fn variable(&self) -> Option<heapless::Vec<u8, ENV_NAME_MAX>> {
        let mut buf = [0; ENV_NAME_MAX];
        self.spec
            .env()
            .then(|| heapless::Vec::from_slice(env_name(self.spec, &mut buf)).unwrap_or_default())
    }

    pub fn takes_value(&self) -> bool {
        self.spec.takes_value()
    }

    /// Whether the name boxinit is called by knows it.
    pub fn known_under(&self, personality: Personality) -> bool {
        self.spec.who & personality.bit() != 0
    }

    /// Whether it acts in `mode` (elsewhere it is refused).
    pub fn acts_in(&self, mode: Mode) -> bool {
        self.spec.modes() & mode as u8 != 0
    }

    /// Whether this build has its job (one without it refuses it).
    pub fn in_build(&self) -> bool {
        in_build(self.spec)
    }
}

fn in_build(spec: &Spec) -> bool {
    BUILT == EVERY_JOB || BUILT >> spec.job() & 1 != 0
}

/// Every option of the table, one entry per spelling.
pub fn table() -> impl Iterator<Item = Entry> {
    SPECS.iter().map(|spec| Entry { spec })
}

/// A build without `spec`'s job refuses it, naming it as it was given.
fn in_this_build(spec: &'static Spec, given: Given) -> Result<(), Failure> {
    if in_build(spec) {
        return Ok(());
    }
    let why: &[u8] = match spec.job() {
        LIMITS => b" is not in this build (built without limits)",
        BOOT => b" is not in this build (built without boot mode)",
        STOP_DELAY => b" is not in this build (built without the stop delay)",
        _ => b" is not in this build (built without the launcher)",
    };
    Err(refuse_option(b"", spec, given, why, b""))
}

/// How an option was given: a message names it so.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Given {
    Long,
    Short,
    Env,
}

/// A usage error that names `spec` as it was given (after `before`), says `why`, and shows
/// `value` (if any).
#[inline(never)]
fn refuse_option(
    before: &[u8],
    spec: &'static Spec,
    given: Given,
    why: &[u8],
    value: &'static [u8],
) -> Failure {
    let mut buf = [0; ENV_NAME_MAX];
    let colon: &[u8] = if value.is_empty() { b"" } else { b":" };
    let [dashes, name] = spelling(spec, given, &mut buf);
    let what = crate::sys::keep(&[before, dashes, name, why, colon]);
    Failure::plain(what.unwrap_or(c"an option is refused"), value)
}

/// A refusal of `opt` by a check after parsing (`check`, the container's identity), naming
/// it as it was given: its variable when `from_env` (`Config::from_env`) says so, else
/// `--long` (none of those checked has a short form).
pub fn refuse_as_given(from_env: u128, opt: Opt, why: &[u8], value: &'static [u8]) -> Failure {
    let given = match from_env & opt_bit(opt) {
        0 => Given::Long,
        _ => Given::Env,
    };
    match SPECS.iter().find(|s| s.opt == opt) {
        Some(spec) => refuse_option(b"", spec, given, why, value),
        None => Failure::plain(c"an option is refused", value),
    }
}

/// How `spec` was given, as its dashes and its name: `--long`, `-s`, or its variable (built
/// in `buf`, without dashes).
fn spelling<'a>(
    spec: &'static Spec,
    given: Given,
    buf: &'a mut [u8; ENV_NAME_MAX],
) -> [&'a [u8]; 2] {
    if given == Given::Env {
        return [b"", env_name(spec, buf)];
    }
    match spec.long() && (given == Given::Long || spec.short == 0) {
        true => [b"--", spec.name()],
        false => [b"-", core::slice::from_ref(&spec.short)],
    }
}

/// The environment variable of `spec` (when it has one), built in `buf`.
fn env_name<'a>(spec: &'static Spec, buf: &'a mut [u8; ENV_NAME_MAX]) -> &'a [u8] {
    if !spec.long() {
        return spec.name();
    }
    let name = spec.name();
    buf[..8].copy_from_slice(b"BOXINIT_");
    for (to, &c) in buf[8..].iter_mut().zip(name) {
        *to = env_byte(c);
    }
    &buf[..8 + name.len()]
}

/// `r`, which takes a value of `kind`.
const fn valued(kind: Kind, r: Row) -> Row {
    Row {
        spec: Spec { kind, ..r.spec },
        ..r
    }
}

/// `r`, whose value is a list.
const fn list(r: Row) -> Row {
    Row {
        spec: Spec {
            who: r.spec.who | LIST,
            ..r.spec
        },
        ..r
    }
}

#[rustfmt::skip]
const ROWS: &[Row] = &[
    spec(Opt::Help, "help", b'h', "", ALL),
    spec(Opt::Version, "version", 0, "", ALL),
    spec(Opt::Version, "", b'V', "", B | D | C),
    spec(Opt::License, "license", b'l', "", B | T),
    spec(Opt::License, "", b'L', "", B | C),
    job(LAUNCHER, only(pausing(MOUNTING), valued(Kind::Text, spec(Opt::Rootfs, "rootfs", 0, "BOXINIT_ROOTFS", ALL)))),
    job(LAUNCHER_OR_BOOT, valued(Kind::Text, spec(Opt::Hostname, "hostname", 0, "BOXINIT_HOSTNAME", ALL))),
    job(LAUNCHER, list(valued(Kind::Own, spec(Opt::Unshare, "unshare", 0, "BOXINIT_UNSHARE", ALL)))),
    spec(Opt::Subreaper, "subreaper", b's', "", B | T),
    spec(Opt::Subreaper, "", 0, "TINI_SUBREAPER", B | T),
    only(pausing(NOT_BOOTING), valued(Kind::Signal, spec(Opt::ParentDeath, "parent-death-signal", b'p', "BOXINIT_PARENT_DEATH_SIGNAL", B | T))),
    only(SUPERVISING, spec(Opt::Group, "process-group", b'g', "BOXINIT_PROCESS_GROUP", ALL & !D)),
    only(SUPERVISING, spec(Opt::TiniGroup, "", 0, "TINI_KILL_PROCESS_GROUP", B | T)),
    only(SUPERVISING, valued(Kind::ExitCode, spec(Opt::ExpectExit, "expect-exit", b'e', "", B | T))),
    spec(Opt::Verbose, "verbose", b'v', "", B | T | D),
    valued(Kind::Level, spec(Opt::Verbosity, "", 0, "BOXINIT_VERBOSITY", ALL)),
    valued(Kind::Own, spec(Opt::TiniVerbosity, "", 0, "TINI_VERBOSITY", B | T)),
    valued(Kind::Own, spec(Opt::Debug, "", 0, "DUMB_INIT_DEBUG", B | D)),
    only(pausing(SUPERVISING), spec(Opt::WarnZombies, "warn-zombies", b'w', "", B | T)),
    only(NOT_BOOTING, spec(Opt::SingleChild, "single-child", b'c', "", B | D)),
    only(NOT_BOOTING, valued(Kind::Own, spec(Opt::Setsid, "", 0, "DUMB_INIT_SETSID", B | D))),
    only(SUPERVISING, valued(Kind::Rewrite, spec(Opt::Rewrite, "rewrite", b'r', "", B | D))),
    only(pausing(NOT_BOOTING), spec(Opt::Pause, "pause", b'P', "", B | C)),
    only(SUPERVISING, valued(Kind::Duration, spec(Opt::Grace, "grace", 0, "BOXINIT_GRACE", ALL))),
    job(STOP_DELAY, only(NOT_BOOTING, valued(Kind::Duration, spec(Opt::StopDelay, "stop-delay", 0, "BOXINIT_STOP_DELAY", ALL)))),
    only(SUPERVISING, spec(Opt::WaitAll, "wait-all", 0, "BOXINIT_WAIT_ALL", ALL)),
    // Resource limits (cgroups)
    job(LIMITS, only(SUPERVISING, valued(Kind::Size, spec(Opt::Memory, "memory", 0, "BOXINIT_MEMORY", B)))),
    job(LIMITS, only(SUPERVISING, valued(Kind::Size, spec(Opt::MemorySwap, "memory-swap", 0, "BOXINIT_MEMORY_SWAP", B)))),
    job(LIMITS, only(SUPERVISING, valued(Kind::Cpus, spec(Opt::Cpus, "cpus", 0, "BOXINIT_CPUS", B)))),
    job(LIMITS, only(SUPERVISING, valued(Kind::Weight, spec(Opt::CpuWeight, "cpu-weight", 0, "BOXINIT_CPU_WEIGHT", B)))),
    job(LIMITS, only(SUPERVISING, valued(Kind::Pid, spec(Opt::Pids, "pids", 0, "BOXINIT_PIDS", B)))),
    job(LIMITS, only(SUPERVISING, valued(Kind::Own, spec(Opt::Cgroup, "cgroup", 0, "BOXINIT_CGROUP", B)))),
    // Boot mode (the kernel passes unknown KEY=VALUE words of its command line as environment)
    job(BOOT, spec(Opt::Boot, "boot", 0, "BOXINIT_BOOT", B)),
    job(BOOT, only(BOOT_ONLY, valued(Kind::Text, spec(Opt::SwitchRoot, "switch-root", 0, "BOXINIT_SWITCH_ROOT", B)))),
    job(BOOT, only(BOOT_ONLY, valued(Kind::Text, spec(Opt::RootDevice, "root-device", 0, "", B)))),
    job(BOOT, only(BOOT_ONLY, valued(Kind::Text, spec(Opt::RootDevice, "", 0, "BOXINIT_ROOT", B)))),
    job(BOOT, only(BOOT_ONLY, valued(Kind::Text, spec(Opt::RootFstype, "root-fstype", 0, "BOXINIT_ROOT_FSTYPE", B)))),
    job(BOOT, only(BOOT_ONLY, valued(Kind::Text, spec(Opt::RootOptions, "root-options", 0, "BOXINIT_ROOT_OPTIONS", B)))),
    job(BOOT, only(BOOT_ONLY, valued(Kind::Duration, spec(Opt::RootWait, "root-wait", 0, "BOXINIT_ROOT_WAIT", B)))),
    job(BOOT, only(BOOT_ONLY, spec(Opt::Exec, "exec", 0, "BOXINIT_EXEC", B))),
    job(BOOT, only(BOOT_ONLY, valued(Kind::OnExit, spec(Opt::OnExit, "on-exit", 0, "BOXINIT_ON_EXIT", B)))),
    job(BOOT, only(BOOT_ONLY, spec(Opt::ExitDevice, "exit-device", 0, "BOXINIT_EXIT_DEVICE", B))),
    job(BOOT, only(BOOT_ONLY, list(valued(Kind::Text, spec(Opt::Modules, "modules", 0, "BOXINIT_MODULES", B))))),
    // Namespaces and the process
    job(LAUNCHER, valued(Kind::Text, spec(Opt::JoinUser, "join-user", 0, "BOXINIT_JOIN_USER", ALL))),
    job(LAUNCHER, valued(Kind::Text, spec(Opt::JoinCgroup, "join-cgroup", 0, "BOXINIT_JOIN_CGROUP", ALL))),
    job(LAUNCHER, valued(Kind::Text, spec(Opt::JoinIpc, "join-ipc", 0, "BOXINIT_JOIN_IPC", ALL))),
    job(LAUNCHER, valued(Kind::Text, spec(Opt::JoinUts, "join-uts", 0, "BOXINIT_JOIN_UTS", ALL))),
    job(LAUNCHER, valued(Kind::Text, spec(Opt::JoinNet, "join-net", 0, "BOXINIT_JOIN_NET", ALL))),
    job(LAUNCHER, valued(Kind::Text, spec(Opt::JoinPid, "join-pid", 0, "BOXINIT_JOIN_PID", ALL))),
    job(LAUNCHER, valued(Kind::Text, spec(Opt::JoinTime, "join-time", 0, "BOXINIT_JOIN_TIME", ALL))),
    job(LAUNCHER, valued(Kind::Text, spec(Opt::JoinMnt, "join-mnt", 0, "BOXINIT_JOIN_MNT", ALL))),
    job(LAUNCHER, valued(Kind::Seconds, spec(Opt::Boottime, "boottime", 0, "BOXINIT_BOOTTIME", ALL))),
    job(LAUNCHER, valued(Kind::Seconds, spec(Opt::Monotonic, "monotonic", 0, "BOXINIT_MONOTONIC", ALL))),
    only(WITH_COMMAND, valued(Kind::Own, spec(Opt::Setenv, "setenv", 0, "BOXINIT_SETENV", ALL))),
    only(WITH_COMMAND, valued(Kind::Own, spec(Opt::Unsetenv, "unsetenv", 0, "BOXINIT_UNSETENV", ALL))),
    only(WITH_COMMAND, spec(Opt::Clearenv, "clearenv", 0, "BOXINIT_CLEARENV", ALL)),
    only(WITH_COMMAND, list(valued(Kind::Own, spec(Opt::KeepFd, "keep-fd", 0, "BOXINIT_KEEP_FD", ALL)))),
    only(SUPERVISING, spec(Opt::NewSession, "new-session", 0, "BOXINIT_NEW_SESSION", ALL)),
    only(pausing(NOT_BOOTING), spec(Opt::DieWithParent, "die-with-parent", 0, "BOXINIT_DIE_WITH_PARENT", ALL)),
    only(pausing(NOT_BOOTING), valued(Kind::Pid, spec(Opt::ParentPid, "parent-pid", 0, "BOXINIT_PARENT_PID", ALL))),
    // Filesystem
    job(LAUNCHER, only(pausing(MOUNTING), valued(Kind::Own, spec(Opt::Bind, "bind", 0, "BOXINIT_BIND", ALL)))),
    job(LAUNCHER, only(pausing(MOUNTING), valued(Kind::Own, spec(Opt::RoBind, "ro-bind", 0, "BOXINIT_RO_BIND", ALL)))),
    job(LAUNCHER, only(pausing(MOUNTING), valued(Kind::Own, spec(Opt::Tmpfs, "tmpfs", 0, "BOXINIT_TMPFS", ALL)))),
    job(LAUNCHER, only(pausing(MOUNTING), spec(Opt::ReadOnly, "ro", 0, "BOXINIT_RO", ALL))),
    job(LAUNCHER, only(pausing(MOUNTING), spec(Opt::Volatile, "volatile", 0, "BOXINIT_VOLATILE", ALL))),
    job(LAUNCHER, only(pausing(MOUNTING), spec(Opt::Chroot, "chroot", 0, "BOXINIT_CHROOT", ALL))),
    job(LAUNCHER, only(pausing(MOUNTING), spec(Opt::Dev, "dev", 0, "BOXINIT_DEV", ALL))),
    job(LAUNCHER, only(pausing(MOUNTING), spec(Opt::NoDev, "no-dev", 0, "BOXINIT_NO_DEV", ALL))),
    job(LAUNCHER, only(pausing(MOUNTING), spec(Opt::Sys, "sys", 0, "BOXINIT_SYS", ALL))),
    job(LAUNCHER, only(pausing(MOUNTING), spec(Opt::Mqueue, "mqueue", 0, "BOXINIT_MQUEUE", ALL))),
    valued(Kind::Text, spec(Opt::Chdir, "chdir", 0, "BOXINIT_CHDIR", ALL)),
    // ---- Fidelity to the replaced programs ---
    valued(Kind::Own, spec(Opt::CatatonitDebug, "", 0, "CATATONIT_DEBUG", C)),
    // Identity: user namespaces and id maps, users and groups, capabilities, limits.
    // Repeatable ones take comma-separated lists too (the only way from the environment).
    job(LAUNCHER, only(SUPERVISING, valued(Kind::Own, spec(Opt::User, "user", 0, "BOXINIT_USER", B)))),
    job(LAUNCHER, only(SUPERVISING, list(valued(Kind::Text, spec(Opt::Groups, "groups", 0, "BOXINIT_GROUPS", B))))),
    job(LAUNCHER, valued(Kind::Own, spec(Opt::Uid, "uid", 0, "BOXINIT_UID", B))),
    job(LAUNCHER, valued(Kind::Own, spec(Opt::Gid, "gid", 0, "BOXINIT_GID", B))),
    job(LAUNCHER, list(valued(Kind::Own, spec(Opt::MapUid, "map-uid", 0, "BOXINIT_MAP_UID", B)))),
    job(LAUNCHER, list(valued(Kind::Own, spec(Opt::MapGid, "map-gid", 0, "BOXINIT_MAP_GID", B)))),
    job(LAUNCHER, valued(Kind::Auto, spec(Opt::MapUsers, "map-users", 0, "BOXINIT_MAP_USERS", B))),
    job(LAUNCHER, valued(Kind::Auto, spec(Opt::MapGroups, "map-groups", 0, "BOXINIT_MAP_GROUPS", B))),
    // From the environment, drops come first, so that an add survives a drop of all.
    job(LAUNCHER, only(SUPERVISING, list(valued(Kind::Own, spec(Opt::CapDrop, "cap-drop", 0, "BOXINIT_CAP_DROP", B))))),
    job(LAUNCHER, only(SUPERVISING, list(valued(Kind::Own, spec(Opt::CapAdd, "cap-add", 0, "BOXINIT_CAP_ADD", B))))),
    job(LAUNCHER, only(CONTAINER_ONLY, spec(Opt::AllowNewPrivs, "allow-new-privs", 0, "BOXINIT_ALLOW_NEW_PRIVS", B))),
    job(LAUNCHER, only(SUPERVISING, list(valued(Kind::Own, spec(Opt::Rlimit, "rlimit", 0, "BOXINIT_RLIMIT", B))))),
];

/// The table, each entry's name in `NAMES`.
static SPECS: [Spec; ROWS.len()] = pack().0;
/// Every entry's name, one after the other.
static NAMES: [u8; NAMES_LEN] = pack().1;

const NAMES_LEN: usize = {
    let (mut len, mut i) = (0, 0);
    while i < ROWS.len() {
        len += ROWS[i].name.len();
        i += 1;
    }
    len
};

/// `ROWS` with their names moved into one string (at compile time).
const fn pack() -> ([Spec; ROWS.len()], [u8; NAMES_LEN]) {
    let mut specs = [ROWS[0].spec; ROWS.len()];
    let mut names = [0; NAMES_LEN];
    let (mut at, mut i) = (0, 0);
    while i < ROWS.len() {
        let name = ROWS[i].name.as_bytes();
        assert!(at + name.len() <= u16::MAX as usize && name.len() <= u8::MAX as usize);
        let spec = ROWS[i].spec;
        assert!(
            spec.modes() & Mode::Supervising as u8 != 0
                || matches!(spec.job(), LAUNCHER | BOOT | LAUNCHER_OR_BOOT),
            "an option that cannot act when supervising is the launcher's or boot mode's \
             (`check_mode` counts on it)"
        );
        specs[i] = Spec {
            at: at as u16,
            len: name.len() as u8,
            ..ROWS[i].spec
        };
        let mut j = 0;
        while j < name.len() {
            names[at + j] = name[j];
            j += 1;
        }
        at += name.len();
        i += 1;
    }
    (specs, names)
}

/// Parse argv and the environment into a `Config`: no system call, no global. What needs the
/// kernel to check is `check`'s.
pub fn parse(args: Strings, env: Strings, host: Host) -> Result<Config, Failure> {
    let personality = Personality::of(args);
    read(args, env, host, personality).map_err(|f| personality.usage_failure(f))
}

fn read(
    args: Strings,
    env: Strings,
    host: Host,
    personality: Personality,
) -> Result<Config, Failure> {
    let mut parser = Parser::new(personality, host);
    let first_operand = parser.parse_args(args);
    // Help, version and license answer whatever else the command line or the environment
    // holds: someone asking for help may well have got the rest wrong.
    if parser.config.action != Action::Run {
        return Ok(parser.answer());
    }
    if let Some(failure) = parser.error.take() {
        return Err(failure);
    }

    // Then the environment, for what the command line left unsaid: the command line wins,
    // and a variable it overrides is not even read. Most environments hold none of ours: one
    // look at each variable's start spares the search of the table, which is what a start
    // would otherwise spend most of its time on.
    let ours = env
        .iter()
        .any(|e| values::split(ENV_PREFIXES, b' ').any(|p| e.to_bytes().starts_with(p)));
    for spec in SPECS
        .iter()
        .filter(|s| ours && s.env() && s.who & personality.bit() != 0)
    {
        if parser.given & setting(spec.opt) == 0 {
            if let Some(value) = env.value(env_name(spec, &mut [0; ENV_NAME_MAX])) {
                parser.apply_env(spec, value)?;
            }
        }
    }
    if ours {
        check_own_variables(env, personality)?;
    }
    parser.finish(args.skip(first_operand))
}

/// Every `BOXINIT_` variable is one this name reads: a misspelt one (`BOXINIT_ROOTF`) would
/// otherwise let the command run without what it asked for.
fn check_own_variables(env: Strings, personality: Personality) -> Result<(), Failure> {
    for entry in env.iter().map(CStr::to_bytes) {
        if !entry.starts_with(b"BOXINIT_") {
            continue;
        }
        let name = variable_name(entry);
        match own_spec(name) {
            None => return Err(Failure::plain(c"unknown variable", name)),
            Some(spec) if spec.who & personality.bit() == 0 => {
                return Err(Failure::plain(c"not read under this name:", name))
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// The option whose variable is `name`, if any.
#[inline(never)]
fn own_spec(name: &[u8]) -> Option<&'static Spec> {
    SPECS
        .iter()
        .find(|&s| s.env() && env_name(s, &mut [0; ENV_NAME_MAX]) == name)
}

/// How the names of every variable boxinit or a personality reads begin (space-separated).
const ENV_PREFIXES: &[u8] = b"BOXINIT_ TINI_ DUMB_INIT_ CATATONIT_";

/// The bit of the setting an option controls; options that set the same thing share one.
/// Options that edit one thing in turn (capabilities, the command's environment, the mount
/// steps) are one setting too: the command line's edits replace the environment's whole,
/// rather than some of each running in an order neither says.
#[inline(never)]
fn setting(opt: Opt) -> u128 {
    opt_bit(SETTINGS[opt as usize])
}

/// `setting`'s table: the option whose bit each option's setting is, by `Opt`. (Rlimit is the
/// last of `Opt`: an option of the table after it would not compile, its index out of bounds.)
static SETTINGS: [Opt; Opt::Rlimit as usize + 1] = {
    let mut settings = [Opt::Help; Opt::Rlimit as usize + 1];
    let mut i = 0;
    while i < ROWS.len() {
        let opt = ROWS[i].spec.opt;
        settings[opt as usize] = match opt {
            Opt::Verbosity | Opt::Debug | Opt::TiniVerbosity | Opt::CatatonitDebug => Opt::Verbose,
            Opt::Setsid => Opt::SingleChild,
            Opt::TiniGroup => Opt::Group,
            Opt::CapDrop => Opt::CapAdd,
            Opt::Unsetenv => Opt::Setenv,
            Opt::RoBind | Opt::Tmpfs => Opt::Bind,
            other => other,
        };
        i += 1;
    }
    settings
};

struct Parser {
    /// What the options said, filled in as they are read; its command and namespaces once
    /// they are all read (`finish`).
    config: Config,
    host: Host,
    /// The settings the command line gave (bits from `setting`).
    given: u128,
    /// Every option given (bits from `Opt`; those from the environment are the config's
    /// `from_env`): each must act where it is, or the run is refused.
    used: u128,
    /// Those the command line gave by their short form (`-r`, not `--rewrite`).
    used_short: u128,
    /// The namespaces --unshare asked for, if it was given.
    #[cfg_attr(not(feature = "launcher"), allow(dead_code))]
    unshare: Option<Namespaces>,
    setsid: bool,
    /// The first thing wrong on the command line, reported unless help is asked for.
    error: Option<Failure>,
}

impl Parser {
    fn new(personality: Personality, host: Host) -> Parser {
        Parser {
            config: Config {
                personality,
                action: Action::Run,
                command: Strings::EMPTY,
                rootfs: None,
                hostname: None,
                namespaces: Namespaces::NONE,
                fs: Filesystem::default(),
                parent_death_signal: None,
                verbosity: out::WARN,
                pause: personality == Personality::Pause,
                supervision: Supervision::default(),
                limits: Limits::default(),
                boot: BootSettings::default(),
                joins: Joins::default(),
                time_offsets: TimeOffsets::default(),
                env: EnvEdits::default(),
                keep_fds: KeptFds::default(),
                new_session: false,
                die_with_parent: false,
                parent_pid: None,
                child_signals: match personality {
                    Personality::DumbInit => ChildSignals::Clean,
                    _ => ChildSignals::Inherited,
                },
                id_maps: IdMapOptions::default(),
                privileges: PrivilegeOptions::default(),
                from_env: 0,
            },
            host,
            given: 0,
            used: 0,
            used_short: 0,
            unshare: None,
            // dumb-init's default: the command leads its own session and gets every signal
            // as a group; the others signal the command alone.
            setsid: personality == Personality::DumbInit,
            error: None,
        }
    }

    /// Walk argv; returns the index of the first operand (the command). A bad option is
    /// kept in `error` and the walk goes on, so that a `--help` after it still answers.
    fn parse_args(&mut self, args: Strings) -> usize {
        let mut i = 1;
        loop {
            match self.parse_some_args(args, &mut i) {
                Ok(first_operand) => return first_operand,
                Err(failure) => {
                    self.error.get_or_insert(failure);
                }
            }
        }
    }

    /// Walk argv from `*i` to the first operand, or to the first bad option (just past it).
    fn parse_some_args(&mut self, args: Strings, i: &mut usize) -> Result<usize, Failure> {
        while let Some(arg) = args.get(*i) {
            let bytes = arg.to_bytes();
            *i += 1;
            if bytes == b"--" {
                return Ok(*i);
            } else if let Some(long) = bytes.strip_prefix(&b"--"[..]) {
                let (name, inline) = match long.iter().position(|&c| c == b'=') {
                    Some(eq) => (&long[..eq], Some(after(arg, 2 + eq + 1))),
                    None => (long, None),
                };
                let spec = self.find_long(name);
                self.apply_arg(spec, (arg, inline, Given::Long), args, i)?;
            } else if bytes.len() > 2 && bytes[0] == b'-' && self.is_long_name(&bytes[1..]) {
                // `-rootfs` would read as `-r ootfs`: surely one dash short.
                return Err(Failure::plain(
                    c"unknown option (long options take two dashes):",
                    bytes,
                ));
            } else if self.config.personality == Personality::Pause
                && matches!(bytes, b"-v" | b"-V")
            {
                // pause's one flag (either case), none of the table's.
                self.config.action = Action::Version;
            } else if bytes.len() > 1 && bytes[0] == b'-' {
                // A cluster of short options, as getopt reads them: -vvv, -e143, -e 143.
                let mut j = 1;
                while j < bytes.len() {
                    let letter = bytes[j];
                    let spec = self.find(|s| s.short == letter);
                    j += 1;
                    // The rest of the word is the value of one that takes one: -e143.
                    let takes_value = spec.is_some_and(Spec::takes_value);
                    let inline = (takes_value && j < bytes.len()).then(|| after(arg, j));
                    self.apply_arg(spec, (arg, inline, Given::Short), args, i)?;
                    if takes_value {
                        break;
                    }
                }
            } else {
                return Ok(*i - 1);
            }
        }
        Ok(*i)
    }

    /// Whether `word` (up to any `=`) is the name of a long option of ours.
    fn is_long_name(&self, word: &[u8]) -> bool {
        let name = variable_name(word);
        self.find_long(name).is_some()
    }

    /// The long option `--name` of this personality.
    fn find_long(&self, name: &[u8]) -> Option<&'static Spec> {
        self.find(|s| s.long() && s.name() == name)
    }

    fn find(&self, matches: impl Fn(&Spec) -> bool) -> Option<&'static Spec> {
        let me = self.config.personality.bit();
        SPECS.iter().find(|s| s.who & me != 0 && matches(s))
    }

    /// A variable from the environment. boxinit's own (BOXINIT_*) are checked, and a bad
    /// value is an error naming the variable; those of the replaced programs are read by
    /// that program's rules (see `store`), and tini's flags are set by being there at all.
    #[inline(never)] // inlined into `run::start`, it takes more room (measured)
    fn apply_env(&mut self, spec: &'static Spec, value: &'static CStr) -> Result<(), Failure> {
        let text = value.to_bytes();
        let bad = || refuse_option(b"invalid value for ", spec, Given::Env, b"", text);
        in_this_build(spec, Given::Env)?;
        // (A long option's variable is BOXINIT_ and its name.)
        let ours = spec.long() || spec.name().starts_with(b"BOXINIT_");
        // A flag's variable that says no asks for nothing: as if it were not there, it acts
        // (and so is refused) nowhere.
        if ours && !spec.takes_value() && !values::boolean(text).ok_or_else(bad)? {
            return Ok(());
        }
        self.used |= opt_bit(spec.opt);
        self.config.from_env |= opt_bit(spec.opt);
        if ours && spec.takes_value() && text.is_empty() {
            return Err(refuse_option(b"", spec, Given::Env, b" is empty", b""));
        }
        self.apply(spec, value, Given::Env).map_err(|_| bad())
    }

    /// Option `spec` of the command line (None: not one we know), given in `arg` as `given`,
    /// with its value `inline` in the same word or in the next argument, `args[*i]`.
    fn apply_arg(
        &mut self,
        spec: Option<&'static Spec>,
        (arg, inline, given): (&'static CStr, Option<&'static CStr>, Given),
        args: Strings,
        i: &mut usize,
    ) -> Result<(), Failure> {
        let spec = spec.ok_or(Failure::plain(c"unknown option", arg.to_bytes()))?;
        let value = match (spec.takes_value(), inline) {
            (true, Some(value)) => value,
            (true, None) => next_value(args, i, arg)?,
            (false, Some(_)) => return Err(Failure::plain(c"takes no value:", arg.to_bytes())),
            (false, None) => c"",
        };
        in_this_build(spec, given)?;
        self.given |= setting(spec.opt);
        let bit = opt_bit(spec.opt);
        self.used |= bit;
        self.used_short = match given {
            Given::Short => self.used_short | bit,
            _ => self.used_short & !bit,
        };
        // tini reads an empty -e as 0; for every other option an empty value would be taken
        // as not given at all.
        if spec.takes_value() && value.is_empty() && spec.opt != Opt::ExpectExit {
            return Err(refuse_option(b"", spec, given, b" is empty", b""));
        }
        self.apply(spec, value, given)
    }

    /// Read `value` (empty for a flag) by `spec`'s kind, then store it: a bad one is refused
    /// naming the option as it was `given`.
    fn apply(
        &mut self,
        spec: &'static Spec,
        value: &'static CStr,
        given: Given,
    ) -> Result<(), Failure> {
        let text = value.to_bytes();
        if spec.list() && values::has_empty_item(text) {
            return Err(refuse_option(b"", spec, given, b" has an empty item", text));
        }
        match spec.kind.read(text, self.config.personality) {
            Some(n) => self.store(spec, value, n, given),
            None => {
                let want = spec.kind.want(text, self.config.personality);
                Err(refuse_option(b"invalid ", spec, given, want, text))
            }
        }
    }

    /// Store option `spec`'s value: `n` as its kind read it, or `value` itself (a flag's is
    /// empty). The options of a job left out of the build are refused before they get here.
    fn store(
        &mut self,
        spec: &'static Spec,
        value: &'static CStr,
        n: u64,
        given: Given,
    ) -> Result<(), Failure> {
        let text = value.to_bytes();
        let how = &mut self.config.supervision;
        match spec.opt {
            Opt::Help => self.config.action = Action::Help,
            Opt::Version => self.config.action = Action::Version,
            Opt::License => self.config.action = Action::License,
            // boxinit always becomes a subreaper when it is not PID 1: accepted for tini.
            Opt::Subreaper => {}
            Opt::ParentDeath => self.config.parent_death_signal = Some(n as Signal),
            Opt::Group | Opt::TiniGroup => how.group = true,
            Opt::ExpectExit => how.exit_zero.insert(n as u8),
            Opt::Verbose => self.config.verbosity = self.config.verbosity.saturating_add(1),
            Opt::Verbosity => self.config.verbosity = n as u8,
            Opt::TiniVerbosity => self.config.verbosity = values::atoi(text).clamp(0, 9) as u8,
            Opt::CatatonitDebug => self.config.verbosity = out::DEBUG,
            Opt::Debug if text == b"1" => self.config.verbosity = out::DEBUG,
            Opt::WarnZombies => how.warn_zombies = true,
            Opt::SingleChild => self.setsid = false,
            Opt::Setsid => self.setsid = text != b"0",
            Opt::Rewrite => how.rewrite[(n >> 8) as usize] = n as u8,
            Opt::Pause => self.config.pause = true,
            Opt::Grace => how.grace_ms = Some(n),
            #[cfg(feature = "stop-delay")]
            Opt::StopDelay => how.stop_delay_ms = n,
            Opt::WaitAll => how.wait_all = true,
            Opt::Setenv | Opt::Unsetenv if self.given & setting(spec.opt) == 0 => {
                // From the environment, a list: NAME=VALUE,NAME=VALUE (each kept on its own,
                // with its NUL, for the command's environment).
                for item in values::split(text, b',') {
                    let item = crate::sys::keep(&[item]);
                    let item =
                        item.ok_or_else(|| refuse_option(b"invalid ", spec, given, b"", text))?;
                    match spec.opt {
                        Opt::Setenv => self.config.env.set(item)?,
                        _ => self.config.env.unset(item)?,
                    }
                }
            }
            Opt::Setenv => self.config.env.set(value)?,
            Opt::Unsetenv => self.config.env.unset(value)?,
            Opt::Clearenv => self.config.env.clear = true,
            Opt::KeepFd => self.config.keep_fds.add(text)?,
            Opt::NewSession => self.config.new_session = true,
            Opt::DieWithParent => self.config.die_with_parent = true,
            // The caller's own pid, read before boxinit runs: a caller that ends before then
            // is seen gone, where our parent would already be the reaper we were given to.
            Opt::ParentPid => {
                self.config.parent_pid = Some(n as Pid);
                self.config.die_with_parent = true;
            }
            Opt::Chdir => self.config.fs.chdir = Some(value),
            Opt::Hostname => self.config.hostname = Some(value),
            // Each job's options are its own function's, compiled only into a build that has
            // the job (one without has refused them already).
            #[cfg(feature = "launcher")]
            _ if spec.job() == LAUNCHER => self.store_launcher(spec, value, given)?,
            #[cfg(feature = "limits")]
            _ if spec.job() == LIMITS => self.store_limit(spec.opt, value, n)?,
            #[cfg(feature = "boot")]
            _ if spec.job() == BOOT => self.store_boot(spec.opt, value, n)?,
            _ => {}
        }
        Ok(())
    }

    /// The launcher's options.
    #[cfg(feature = "launcher")]
    #[inline(always)] // one match with `store`'s in the binary
    fn store_launcher(
        &mut self,
        spec: &'static Spec,
        value: &'static CStr,
        given: Given,
    ) -> Result<(), Failure> {
        let text = value.to_bytes();
        // The environment is read only for settings the command line left alone, so a
        // setting not given here comes from the environment, whose lists hold several entries.
        let from_env = self.given & setting(spec.opt) == 0;
        match spec.opt {
            Opt::Rootfs => self.config.rootfs = Some(value),
            Opt::Unshare => {
                // Given again, it adds: `--unshare net --unshare uts` makes both.
                let more = container::parse_namespaces(text)?;
                let before = self.unshare.map_or(0, |ns| ns.0);
                // none given with others asks for two things: say so, as in a list.
                if self.unshare.is_some_and(|ns| (ns.0 == 0) != (more.0 == 0)) {
                    let why = c"--unshare takes all or none alone, not in a list:";
                    return Err(Failure::plain(why, text));
                }
                self.unshare = Some(Namespaces(before | more.0));
            }
            // The Join options are declared in the order of JOIN_KINDS.
            Opt::JoinUser
            | Opt::JoinCgroup
            | Opt::JoinIpc
            | Opt::JoinUts
            | Opt::JoinNet
            | Opt::JoinPid
            | Opt::JoinTime
            | Opt::JoinMnt => {
                self.config.joins.0[spec.opt as usize - Opt::JoinUser as usize] = Some(value)
            }
            Opt::Boottime => self.config.time_offsets.boottime = Some(text),
            Opt::Monotonic => self.config.time_offsets.monotonic = Some(text),
            Opt::Bind | Opt::RoBind => {
                self.config
                    .fs
                    .bind(text, spec.opt == Opt::RoBind, from_env)?
            }
            Opt::Tmpfs => self.config.fs.tmpfs(text, from_env)?,
            Opt::ReadOnly => self.config.fs.readonly = true,
            Opt::Volatile => self.config.fs.volatile = true,
            Opt::Chroot => self.config.fs.chroot = true,
            Opt::Dev => self.config.fs.dev = Some(true),
            Opt::NoDev => self.config.fs.dev = Some(false),
            Opt::Sys => self.config.fs.sys = true,
            Opt::Mqueue => self.config.fs.mqueue = true,
            // Identity
            Opt::User => self.config.privileges.set_user(text)?,
            Opt::Groups => self.config.privileges.groups = Some(text),
            Opt::Uid => self.config.id_maps.set_inside_uid(text)?,
            Opt::Gid => self.config.id_maps.set_inside_gid(text)?,
            Opt::MapUid => self.config.id_maps.add_uid_maps(text)?,
            Opt::MapGid => self.config.id_maps.add_gid_maps(text)?,
            Opt::MapUsers => self.config.id_maps.auto_uids = true,
            Opt::MapGroups => self.config.id_maps.auto_gids = true,
            Opt::CapAdd | Opt::CapDrop => self.store_caps(spec, text, given)?,
            Opt::AllowNewPrivs => self.config.privileges.allow_new_privs = true,
            Opt::Rlimit => self.config.privileges.rlimits.add(text)?,
            _ => {}
        }
        Ok(())
    }

    /// The limits' options.
    #[cfg(feature = "limits")]
    #[inline(always)] // one match with `store`'s in the binary
    fn store_limit(&mut self, opt: Opt, value: &'static CStr, n: u64) -> Result<(), Failure> {
        match opt {
            Opt::Memory if n < MIN_MEMORY => {
                let why = b" is below the 6m that starting a command needs";
                return self.refuse_value(bit(Opt::Memory), why, value.to_bytes());
            }
            Opt::Memory => self.config.limits.memory = Some(n),
            Opt::MemorySwap => self.config.limits.memory_swap = Some(n),
            Opt::Cpus => self.config.limits.cpu_quota_us = Some(n),
            Opt::CpuWeight => self.config.limits.cpu_weight = Some(n),
            Opt::Pids => self.config.limits.pids = Some(n),
            Opt::Cgroup => self.config.limits.name = Some(cgroups::check_name(value)?),
            _ => {}
        }
        Ok(())
    }

    /// Boot mode's options.
    #[cfg(feature = "boot")]
    #[inline(always)] // one match with `store`'s in the binary
    fn store_boot(&mut self, opt: Opt, value: &'static CStr, n: u64) -> Result<(), Failure> {
        match opt {
            Opt::Boot => self.config.boot.enabled = true,
            Opt::SwitchRoot => self.config.boot.switch_root = Some(value),
            Opt::RootDevice => self.config.boot.root_device = Some(value),
            Opt::RootFstype => self.config.boot.root_fstype = Some(value),
            Opt::RootOptions => self.config.boot.root_options = Some(value),
            Opt::RootWait => self.config.boot.root_wait_ms = n,
            Opt::Exec => self.config.boot.exec = true,
            Opt::OnExit => self.config.boot.on_exit = ON_EXIT_ACTIONS[n as usize],
            Opt::ExitDevice => self.config.boot.exit_device = true,
            Opt::Modules => self.config.boot.modules = value.to_bytes(),
            _ => {}
        }
        Ok(())
    }

    /// --cap-add or --cap-drop: a name not known is refused naming the option as given.
    #[cfg(feature = "launcher")]
    fn store_caps(
        &mut self,
        spec: &'static Spec,
        text: &'static [u8],
        given: Given,
    ) -> Result<(), Failure> {
        let caps = &mut self.config.privileges;
        let stored = match spec.opt {
            Opt::CapAdd => caps.add_caps(text),
            _ => caps.drop_caps(text),
        };
        // (Unknown names are the one thing wrong with a list without empty items; the
        // failure's subject is the name.)
        stored.map_err(|f| {
            let mut buf = [0; ENV_NAME_MAX];
            let [dashes, name] = spelling(spec, given, &mut buf);
            let what = [b"invalid ", dashes, name, b" (unknown capability):"];
            f.saying(crate::sys::keep(&what).unwrap_or(c"unknown capability"))
        })
    }

    /// The config of a run that only answers (help, version, license): nothing checked.
    fn answer(self) -> Config {
        self.into_config(Strings::EMPTY, Namespaces::NONE)
    }

    /// Fill in the defaults and check what only makes sense as a whole.
    #[inline(never)] // inlined into `run::start`, it takes more room (measured)
    fn finish(mut self, operands: Strings) -> Result<Config, Failure> {
        if operands.is_empty()
            && !self.config.pause
            && self.config.personality != Personality::Boxinit
        {
            // tini, dumb-init and catatonit have no default command.
            self.config.action = Action::Usage;
            return Ok(self.answer());
        }
        self.follow_the_original();
        if self.setsid {
            let how = &mut self.config.supervision;
            how.command_leads_session = true;
            how.group = true;
            // The command's group is orphaned (it leads its own session), so the kernel drops
            // a terminal stop it does not handle: unless rewritten, they become SIGSTOP.
            for sig in [libc::SIGTSTP, libc::SIGTTIN, libc::SIGTTOU] {
                if how.rewrite[sig as usize] == sig as u8 {
                    how.rewrite[sig as usize] = libc::SIGSTOP as u8;
                }
            }
        }
        // dumb-init stops itself after passing on a terminal stop, in both its modes.
        if self.config.personality == Personality::DumbInit {
            self.config.supervision.stop_on_terminal_stops = true;
        }
        // The kernel's init boots; its --hostname names the machine, not a namespace.
        self.config.boot.enabled |= self.host.kernel_init;
        let booting = self.config.boot.enabled;
        if booting {
            // The system's init: the command in a session of its own on the console, every
            // signal to that session, and everyone stopped (TERM, then KILL) when it ends.
            let how = &mut self.config.supervision;
            how.boot_init = true;
            how.command_leads_session = true;
            how.group = true;
            how.grace_ms.get_or_insert(BOOT_GRACE_MS);
        }
        // -c keeps the command in boxinit's session (and signals it alone).
        if !self.setsid {
            let group = bit(Opt::NewSession) | bit(Opt::Group) | bit(Opt::TiniGroup);
            self.contradiction(group, bit(Opt::SingleChild) | bit(Opt::Setsid))?;
        }
        for (one, other) in CONTRADICTIONS {
            self.contradiction(opt_bit(one), opt_bit(other))?;
        }
        let namespaces = self.namespaces(booting)?;
        let mode = if booting && self.config.boot.exec {
            Mode::Handing
        } else if booting {
            Mode::Booting
        } else if !namespaces.is_empty() || !self.config.joins.kinds().is_empty() {
            Mode::Container
        } else {
            Mode::Supervising
        };
        self.check_mode(mode)?;
        // (Without the launcher, its options are refused already.)
        if cfg!(feature = "launcher") && !namespaces.has(libc::CLONE_NEWNS) {
            // The file system options act in a mount namespace of the container's, or of a
            // boot's, made with --unshare mnt.
            let why: &[u8] = match booting {
                true => b" applies in boot mode only with --unshare mnt",
                false => b" needs the mnt namespace",
            };
            let rootfs = self.config.rootfs.map_or(&b""[..], CStr::to_bytes);
            if !booting {
                // A mount namespace joined (not ours to mount in): that is the reason.
                let mounting = bit(Opt::Rootfs) | MOUNTING_OPTS;
                self.contradiction(mounting, bit(Opt::JoinMnt))?;
            }
            self.refuse_value(bit(Opt::Rootfs), why, rootfs)?;
            self.refuse_any(MOUNTING_OPTS, why)?;
        }
        #[cfg(feature = "limits")]
        if namespaces.has(libc::CLONE_NEWPID) && self.config.limits.pids.is_some_and(|n| n < 2) {
            let why = b" is below 2, a PID namespace's init and command";
            self.refuse_any(bit(Opt::Pids), why)?;
        }
        if self.config.pause && !operands.is_empty() {
            // The command would never run: pause mode waits for TERM or INT.
            let first = operands.get(0).map_or(&b""[..], CStr::to_bytes);
            return Err(Failure::plain(
                c"a pause runs no command, but was given",
                first,
            ));
        }
        self.check_container(namespaces, booting)?;
        // The root device's settings mean nothing without one.
        if self.config.boot.root_device.is_none() {
            let root_settings = bit(Opt::RootFstype) | bit(Opt::RootOptions) | bit(Opt::RootWait);
            self.refuse_any(root_settings, b" needs --root-device")?;
        }
        self.check_swap()?;
        if cfg!(feature = "launcher") && self.config.rootfs.is_none() {
            self.refuse_any(bit(Opt::Volatile) | bit(Opt::Chroot), b" needs --rootfs")?;
        }
        let command = if operands.is_empty() {
            Strings::default_shell()
        } else {
            operands
        };
        Ok(self.into_config(command, namespaces))
    }

    /// --memory-swap is a limit of memory and swap together: never below --memory.
    #[cfg(feature = "limits")]
    fn check_swap(&self) -> Result<(), Failure> {
        match (self.config.limits.memory, self.config.limits.memory_swap) {
            (None, Some(_)) => self.refuse_any(bit(Opt::MemorySwap), b" needs --memory"),
            (Some(memory), Some(swap)) if swap < memory => {
                let why = b" (memory and swap) is less than ";
                self.refuse_with(bit(Opt::MemorySwap), why, bit(Opt::Memory), b"")
            }
            _ => Ok(()),
        }
    }

    /// Without limits, none can have been given (`in_this_build`).
    #[cfg(not(feature = "limits"))]
    fn check_swap(&self) -> Result<(), Failure> {
        Ok(())
    }

    /// The namespaces to make: those asked for, those a rootfs or a hostname needs, a user
    /// namespace for id maps or for someone who is not root.
    #[cfg(feature = "launcher")]
    fn namespaces(&self, booting: bool) -> Result<Namespaces, Failure> {
        let container =
            (self.config.rootfs.is_some() || self.config.hostname.is_some()) && !booting;
        let mut namespaces = self.unshare.unwrap_or(if container {
            Namespaces::CONTAINER
        } else {
            Namespaces::NONE
        });
        // Identity: a map option asks for a user namespace, and so does any namespace asked
        // for by someone who is not root, whose unshare needs one to come first.
        self.config.id_maps.check()?;
        if self.unshare == Some(Namespaces::NONE) {
            // --unshare none said no namespace: an option that needs one would quietly make
            // it (a rootfs and the mounts a mount namespace, a hostname a UTS namespace but in
            // boot mode, where it names the machine).
            let needs = bit(Opt::Uid) | bit(Opt::Gid) | bit(Opt::MapUid) | bit(Opt::MapGid);
            let needs = needs | bit(Opt::MapUsers) | bit(Opt::MapGroups);
            let needs = needs | bit(Opt::Boottime) | bit(Opt::Monotonic);
            let needs = needs | bit(Opt::Rootfs) | MOUNTING_OPTS;
            let needs = needs | if booting { 0 } else { bit(Opt::Hostname) };
            self.refuse_with(needs, b" contradicts ", bit(Opt::Unshare), b"none")?;
        }
        if self.config.id_maps.given() || (!namespaces.is_empty() && self.host.euid != 0) {
            namespaces.0 |= libc::CLONE_NEWUSER;
        }
        // A PID namespace brings the mount namespace its /proc needs.
        let namespaces = container::with_proc_namespace(namespaces);
        join_or_unshare(namespaces, self.unshare.is_some(), self)
    }

    /// Without the launcher, none: only boot mode's --hostname (which names the machine) can
    /// have been given, in a build with boot mode.
    #[cfg(not(feature = "launcher"))]
    fn namespaces(&self, booting: bool) -> Result<Namespaces, Failure> {
        match self.config.hostname.filter(|_| !booting) {
            Some(_) => container::check_hostname(c""),
            None => Ok(()),
        }
        .map(|()| Namespaces::NONE)
    }

    /// What the container's options need of the namespaces made.
    #[cfg(feature = "launcher")]
    fn check_container(&self, namespaces: Namespaces, booting: bool) -> Result<(), Failure> {
        let user_ns = Namespaces(namespaces.0 | self.config.joins.kinds().0);
        if self.host.euid != 0 && !user_ns.has(libc::CLONE_NEWUSER) {
            // Nobody else can raise a capability, drop one from the bounding set, or change
            // their ids or groups, outside a user namespace of their own.
            let why = b" needs root or a user namespace (--unshare user)";
            let identity = bit(Opt::User) | bit(Opt::Groups);
            self.refuse_any(bit(Opt::CapAdd) | bit(Opt::CapDrop) | identity, why)?;
        }
        if namespaces.has(libc::CLONE_NEWUSER) {
            self.check_mapped()?;
        }
        // A /proc is mounted by someone with CAP_SYS_ADMIN over the PID namespace's user
        // namespace: in a new user namespace, only over a new PID namespace.
        let pid = libc::CLONE_NEWPID;
        if self.config.rootfs.is_some() && namespaces.has(libc::CLONE_NEWUSER) && !user_ns.has(pid)
        {
            let why = b" needs pid for a rootfs's /proc in a user namespace";
            self.refuse_any(bit(Opt::Unshare), why)?;
        }
        if let Some(hostname) = self.config.hostname {
            container::check_hostname(hostname)?;
            // A boot's --hostname names the machine: no namespace needed there. Only a UTS
            // namespace of our own keeps it from the host, not one joined.
            if !booting && !namespaces.has(libc::CLONE_NEWUTS) {
                self.contradiction(bit(Opt::Hostname), bit(Opt::JoinUts))?;
                let why = b" needs the uts namespace";
                self.refuse_value(bit(Opt::Hostname), why, hostname.to_bytes())?;
            }
        }
        Ok(())
    }

    #[cfg(not(feature = "launcher"))]
    fn check_container(&self, _namespaces: Namespaces, _booting: bool) -> Result<(), Failure> {
        Ok(())
    }

    /// The ids --user and --groups give as numbers are mapped in the user namespace made:
    /// the kernel would refuse them only as the command starts.
    #[cfg(feature = "launcher")]
    fn check_mapped(&self) -> Result<(), Failure> {
        if self.config.id_maps.denies_setgroups() {
            let why = b" needs --map-gid or --map-groups in a user namespace";
            self.refuse_any(bit(Opt::Groups), why)?;
        }
        let Some((user, id)) = self.config.id_maps.unmapped(&self.config.privileges) else {
            return Ok(());
        };
        let opt = if user {
            bit(Opt::User)
        } else {
            bit(Opt::Groups)
        };
        self.refuse_value(opt, b" names an id not mapped (--map-uid, --map-gid)", id)
    }

    /// Every option given acts in `mode`, or the run is refused, naming the first that would
    /// not (as the user spelt it: an option, or its variable).
    fn check_mode(&self, mode: Mode) -> Result<(), Failure> {
        // A build without them only supervises, where every option it has acts (`pack`
        // checks it as the table is compiled), or pauses: the rest is left out of it.
        let modes = cfg!(any(feature = "launcher", feature = "boot"));
        let misplaced = SPECS.iter().find(|s| {
            self.was_given(s) && (modes && s.modes() & mode as u8 == 0 || !self.acts_in_pause(s))
        });
        let Some(spec) = misplaced else {
            return Ok(());
        };
        if !modes || spec.modes() & mode as u8 != 0 {
            // A pause runs no command: what acts only on one is refused with it.
            let why = b" does not apply with ";
            return self.refuse_with(opt_bit(spec.opt), why, bit(Opt::Pause), b"");
        }
        let why: &[u8] = match spec.modes() & !PAUSING {
            BOOT_ONLY => b" applies to boot mode only (--boot)",
            CONTAINER_ONLY => b" applies to containers only (--rootfs, --unshare)",
            NOT_BOOTING => b" does not apply in boot mode",
            // (Handing over is asked for by --exec alone: named as it was given.)
            SUPERVISING if self.config.from_env & bit(Opt::Exec) != 0 => {
                b" does not apply with BOXINIT_EXEC"
            }
            SUPERVISING => b" does not apply with --exec",
            _ => b" applies to containers only (--rootfs, --unshare)",
        };
        self.refuse_any(opt_bit(spec.opt), why)
    }

    /// Whether `spec` acts in this run's pause, if it pauses. catatonit takes -g with -P
    /// (and does nothing with it): under its name, so does boxinit.
    fn acts_in_pause(&self, s: &Spec) -> bool {
        let catatonit_group =
            self.config.personality == Personality::Catatonit && s.opt == Opt::Group;
        !self.config.pause || s.modes() & PAUSING != 0 || catatonit_group
    }

    /// Whether `spec` is how an option was given (its long or short form, or its variable).
    fn was_given(&self, s: &Spec) -> bool {
        let bit = opt_bit(s.opt);
        let spelt = if self.config.from_env & bit != 0 {
            s.env()
        } else {
            s.long() || s.short != 0
        };
        self.used & bit != 0 && spelt && s.who & self.config.personality.bit() != 0
    }

    /// Refuse the first of `opts` (bits of `Opt`) that was given, naming it as it was given:
    /// `--long`, `-s`, or its variable.
    fn refuse_any(&self, opts: u128, why: &[u8]) -> Result<(), Failure> {
        self.refuse_value(opts, why, b"")
    }

    /// `refuse_any`, and the value (or the part of it) that is wrong.
    #[inline(never)]
    fn refuse_value(&self, opts: u128, why: &[u8], value: &'static [u8]) -> Result<(), Failure> {
        match self.given_spec(opts) {
            Some((spec, given)) => Err(refuse_option(b"", spec, given, why, value)),
            None => Ok(()),
        }
    }

    /// The first of `opts` (bits of `Opt`) that was given, and whether from the environment.
    fn given_spec(&self, opts: u128) -> Option<(&'static Spec, Given)> {
        let spec = SPECS
            .iter()
            .find(|s| opts & opt_bit(s.opt) != 0 && self.was_given(s))?;
        let bit = opt_bit(spec.opt);
        let given = if self.config.from_env & bit != 0 {
            Given::Env
        } else if self.used_short & bit != 0 {
            Given::Short
        } else {
            Given::Long
        };
        Some((spec, given))
    }

    /// Two options that cannot both act: refused whichever way each was given (an option or
    /// a variable), naming both as given.
    fn contradiction(&self, opts: u128, others: u128) -> Result<(), Failure> {
        self.refuse_with(opts, b" contradicts ", others, b"")
    }

    /// Refuse the first of `opts` given when one of `others` was given too: `<opt><why><other>`,
    /// and the other's `value` when it is what matters, as it was given: `--unshare none`, or
    /// `BOXINIT_UNSHARE=none` from the environment.
    #[inline(never)]
    fn refuse_with(
        &self,
        opts: u128,
        why: &[u8],
        others: u128,
        value: &[u8],
    ) -> Result<(), Failure> {
        let Some((other, given)) = self.given_spec(others) else {
            return Ok(());
        };
        let mut name = [0; ENV_NAME_MAX];
        let sep: &[u8] = match (value.is_empty(), given) {
            (true, _) => b"",
            (false, Given::Env) => b"=",
            (false, _) => b" ",
        };
        let [dashes, other] = spelling(other, given, &mut name);
        let why = crate::sys::keep(&[why, dashes, other, sep, value]);
        self.refuse_any(opts, why.map_or(b"", CStr::to_bytes))
    }

    #[inline(never)] // one move of the config for `finish` and `answer`, not two
    fn into_config(mut self, command: Strings, namespaces: Namespaces) -> Config {
        self.config.command = command;
        self.config.namespaces = namespaces;
        self.config
    }

    /// Each program's own signal rules, signal by signal, as measured against it.
    fn follow_the_original(&mut self) {
        let how = &mut self.config.supervision;
        match self.config.personality {
            // dumb-init forwards every signal it can catch, faults included.
            Personality::DumbInit => how.forward_faults = true,
            // tini ignores TTIN and TTOU itself rather than passing them on.
            Personality::Tini => {
                how.not_forwarded = SigSet::EMPTY.with(libc::SIGTTIN).with(libc::SIGTTOU)
            }
            // catatonit ignores every terminal stop sent to it.
            Personality::Catatonit => {
                how.not_forwarded = SigSet::EMPTY
                    .with(libc::SIGTSTP)
                    .with(libc::SIGTTIN)
                    .with(libc::SIGTTOU)
            }
            Personality::Boxinit | Personality::Pause => {}
        }
    }
}

/// Whether an environment entry (`NAME=value`) is one of boxinit's own configuration
/// variables: those are for this boxinit only, and are not passed on to the command.
pub fn is_own_variable(entry: &CStr) -> bool {
    let entry = entry.to_bytes();
    let name = variable_name(entry);
    entry.starts_with(b"BOXINIT_") && name.len() < entry.len() && own_spec(name).is_some()
}

/// The namespaces to make, given those joined: a kind is joined or made, never both. Made by
/// default (`--rootfs` alone), a joined kind is left out; asked for by --unshare, it is an
/// error. Time offsets need a time namespace, so they make one.
#[cfg(feature = "launcher")]
fn join_or_unshare(
    namespaces: Namespaces,
    explicit: bool,
    parser: &Parser,
) -> Result<Namespaces, Failure> {
    let joined = parser.config.joins.kinds();
    let mut namespaces = if explicit {
        namespaces
    } else {
        Namespaces(namespaces.0 & !joined.0)
    };
    if parser.config.time_offsets.is_set() {
        namespaces.0 |= libc::CLONE_NEWTIME;
    }
    let both = namespaces.0 & joined.0;
    let mut kinds = crate::config::JOIN_KINDS.iter();
    let Some(i) = kinds.position(|&(_, kind)| both & kind != 0) else {
        return Ok(namespaces);
    };
    // Named as given: the join (the Join options are declared in the order of JOIN_KINDS),
    // and --unshare with the kind when it asked for it (not when another kind brought it).
    let (name, kind) = crate::config::JOIN_KINDS[i];
    let asked = parser.unshare.is_some_and(|ns| ns.has(kind));
    let name = if asked { name.as_bytes() } else { b"" };
    let join = bit(Opt::JoinUser) << i;
    parser.refuse_with(join, b" contradicts ", bit(Opt::Unshare), name)?;
    Err(Failure::plain(
        c"cannot both join and unshare namespace",
        name,
    ))
}

/// Options that cannot both act: each pair is refused whichever way each was given.
const CONTRADICTIONS: [(Opt, Opt); 14] = [
    // A joined user namespace has its maps, and its ids are what they map: the command's
    // would fail only as it starts.
    (Opt::Uid, Opt::JoinUser),
    (Opt::Gid, Opt::JoinUser),
    (Opt::MapUid, Opt::JoinUser),
    (Opt::MapGid, Opt::JoinUser),
    (Opt::MapUsers, Opt::JoinUser),
    (Opt::MapGroups, Opt::JoinUser),
    (Opt::User, Opt::JoinUser),
    (Opt::Groups, Opt::JoinUser),
    (Opt::NoDev, Opt::Dev),
    // --ro keeps the root from the writes that --volatile is there to take.
    (Opt::ReadOnly, Opt::Volatile),
    // Explicit ranges replace the caller's own: `auto` would be dropped without a word.
    (Opt::MapUsers, Opt::MapUid),
    (Opt::MapGroups, Opt::MapGid),
    // Time offsets are a new time namespace's, never one joined.
    (Opt::Boottime, Opt::JoinTime),
    (Opt::Monotonic, Opt::JoinTime),
];

/// The bit of `opt` in the sets of options given.
const fn bit(opt: Opt) -> u128 {
    1 << opt as u32
}

/// `bit` of an option known only as the program runs: one function, not a 128-bit shift
/// at each use.
#[inline(never)]
fn opt_bit(opt: Opt) -> u128 {
    bit(opt)
}

/// The value of an option that takes one from the next argument.
fn next_value(
    args: Strings,
    i: &mut usize,
    option: &'static CStr,
) -> Result<&'static CStr, Failure> {
    let value = args
        .get(*i)
        .ok_or(Failure::plain(c"missing value for", option.to_bytes()))?;
    *i += 1;
    Ok(value)
}

/// The tail of a C string from byte `at` on.
fn after(s: &'static CStr, at: usize) -> &'static CStr {
    let bytes = &s.to_bytes_with_nul()[at..];
    crate::sys::c_str(bytes).unwrap_or(c"")
}

/// What a boot does once its command has ended, in the order of `ON_EXIT`.
#[cfg(feature = "boot")]
const ON_EXIT_ACTIONS: [OnExit; 3] = [OnExit::PowerOff, OnExit::Reboot, OnExit::Halt];

#[cfg(feature = "boot")]
use crate::config::OnExit;

/// The most processes the kernel can count (PID_MAX_LIMIT on 64-bit): a larger --pids is
/// refused by the kernel only once the cgroup is made, and no pid is larger.
const PID_MAX_LIMIT: u64 = 4 << 20;

/// The kernel's largest CPU quota (2^44 - 1 microseconds a period; more is EINVAL): 175921860
/// CPUs' worth of the 100 ms period.
#[cfg(feature = "limits")]
const MAX_QUOTA_US: u64 = (1 << 44) - 1;

/// The least --memory taken, as docker takes: less fails as the command starts (or the
/// kernel kills it), far from the option that caused it.
#[cfg(feature = "limits")]
const MIN_MEMORY: u64 = 6 << 20;

/// `-r S:R` as dumb-init takes it: numbers only, S in 1..=31, R in 0..=31.
/// dumb-init reads it with sscanf("%d:%d"): white space before each number is skipped and
/// whatever follows the second is ignored.
fn dumb_init_rewrite(text: &[u8]) -> Option<(Signal, Signal)> {
    let (from, used) = values::strtol(text);
    let rest = text[used..].strip_prefix(&b":"[..]).filter(|_| used > 0)?;
    let (to, used) = values::strtol(rest);
    ((1..=31).contains(&from) && (0..=31).contains(&to) && used > 0)
        .then_some((from as Signal, to as Signal))
}

/// Whether the signal `-r` rewrites (before any `:`) is KILL or STOP, which never reach a
/// process that could rewrite them, or CHLD, which boxinit takes for reaping, never passes on.
fn unrewritable(rewrite: &[u8]) -> bool {
    let from = values::split(rewrite, b':').next().unwrap_or(b"");
    values::signal(from).is_some_and(|s| matches!(s, libc::SIGKILL | libc::SIGSTOP | libc::SIGCHLD))
}

/// boxinit's `-r S:R`: deliver R when S arrives; R = 0 drops S; names or numbers.
fn parse_rewrite(text: &[u8]) -> Option<(Signal, Signal)> {
    let colon = text.iter().position(|&c| c == b':')?;
    let from = values::signal(&text[..colon]).filter(|_| !unrewritable(text))?;
    let to = match &text[colon + 1..] {
        b"0" => 0,
        to => values::signal(to)?,
    };
    Some((from, to))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::JOIN_KINDS;

    #[test]
    #[cfg(feature = "boot")]
    fn on_exit_values() {
        let on_exit = |word: &str| {
            let n = Kind::OnExit.read(word.as_bytes(), Personality::Boxinit);
            n.map(|n| ON_EXIT_ACTIONS[n as usize])
        };
        assert_eq!(on_exit("poweroff"), Some(OnExit::PowerOff));
        assert_eq!(on_exit("reboot"), Some(OnExit::Reboot));
        assert_eq!(on_exit("halt"), Some(OnExit::Halt));
        assert_eq!(on_exit("off"), None);
        assert_eq!(on_exit("HALT"), None);
        assert_eq!(on_exit(""), None);
    }

    #[test]
    fn personality_from_basename() {
        assert_eq!(
            Personality::from_argv0(b"/sbin/docker-init"),
            Personality::Tini
        );
        assert_eq!(Personality::from_argv0(b"tini"), Personality::Tini);
        assert_eq!(
            Personality::from_argv0(b"/usr/bin/dumb-init"),
            Personality::DumbInit
        );
        assert_eq!(
            Personality::from_argv0(b"/run/podman-init"),
            Personality::Catatonit
        );
        assert_eq!(
            Personality::from_argv0(b"./target/boxinit"),
            Personality::Boxinit
        );
        assert_eq!(Personality::from_argv0(b""), Personality::Boxinit);
    }

    fn parse_as(argv: &[&str], env: &[&str]) -> Result<Config, Failure> {
        parse(Strings::leak(argv), Strings::leak(env), Host::default())
    }

    #[test]
    fn pause_pauses_and_knows_only_v() {
        assert_eq!(Personality::from_argv0(b"/pause"), Personality::Pause);
        let c = parse_as(&["/pause"], &[]).unwrap();
        assert!(c.pause && c.action == Action::Run);
        for v in ["-v", "-V"] {
            assert_eq!(
                parse_as(&["pause", v], &[]).unwrap().action,
                Action::Version
            );
        }
        // No option of the table, under any spelling, nor a variable of one.
        for argv in [
            &["pause", "-P"][..],
            &["pause", "--pause"],
            &["pause", "-s"],
            &["pause", "x"],
        ] {
            let f = parse_as(argv, &[]).err().expect("accepted");
            assert_eq!(f.status(), 1, "{argv:?}");
        }
        assert!(parse_as(&["pause"], &["TINI_SUBREAPER=1"]).unwrap().pause);
        assert_eq!(
            parse_as(&["pause"], &["BOXINIT_GRACE=1"])
                .err()
                .unwrap()
                .status(),
            1
        );
    }

    #[cfg(feature = "limits")]
    #[test]
    fn swap_counts_with_memory() {
        let swap = |args: &[&str], env: &[&str]| {
            let argv = [&["boxinit"], args, &["x"]].concat();
            parse_as(&argv, env).map(|_| ()).map_err(|f| f.what())
        };
        let less = Err(&b"--memory-swap (memory and swap) is less than BOXINIT_MEMORY"[..]);
        assert_eq!(
            swap(&["--memory-swap", "10m"], &["BOXINIT_MEMORY=20m"]),
            less
        );
        let needs = Err(&b"BOXINIT_MEMORY_SWAP needs --memory"[..]);
        assert_eq!(swap(&[], &["BOXINIT_MEMORY_SWAP=10m"]), needs);
        assert!(swap(&["--memory", "10m", "--memory-swap", "10m"], &[]).is_ok());
    }

    fn command_of(config: &Config) -> Vec<String> {
        let cmd = config.command.iter();
        cmd.map(|s| s.to_str().unwrap().to_owned()).collect()
    }

    #[test]
    fn options_stop_at_the_command() {
        let c = parse_as(&["boxinit", "-g", "ls", "-g"], &[]).unwrap();
        assert!(c.supervision.group);
        assert_eq!(command_of(&c), ["ls", "-g"]);
        let c = parse_as(&["boxinit", "--", "-g"], &[]).unwrap();
        assert!(!c.supervision.group);
        assert_eq!(command_of(&c), ["-g"]);
        let c = parse_as(&["boxinit"], &[]).unwrap();
        assert_eq!(command_of(&c), ["/bin/sh"]);
    }

    #[test]
    fn short_clusters_and_values() {
        let c = parse_as(&["tini", "-vvwe143", "-e", "2", "--", "x"], &[]).unwrap();
        assert!(c.supervision.warn_zombies);
        assert!(c.supervision.exit_zero.contains(143) && c.supervision.exit_zero.contains(2));
        assert!(!c.supervision.exit_zero.contains(1));
        assert_eq!(c.verbosity, 3);
    }

    #[test]
    #[cfg(feature = "launcher")]
    fn long_values_inline_or_next() {
        let c = parse_as(&["boxinit", "--grace=2s", "--unshare", "uts", "x"], &[]).unwrap();
        assert_eq!(c.supervision.grace_ms, Some(2000));
        assert_eq!(c.namespaces.0, libc::CLONE_NEWUTS);
    }

    #[test]
    #[cfg(feature = "launcher")]
    fn command_line_beats_environment() {
        let env = ["BOXINIT_UNSHARE=pid", "BOXINIT_GRACE=5"];
        let c = parse_as(&["boxinit", "--unshare", "ipc", "x"], &env).unwrap();
        assert_eq!(c.namespaces.0, libc::CLONE_NEWIPC);
        assert_eq!(c.supervision.grace_ms, Some(5000));
        // An overridden variable is not read, so its being wrong does not matter.
        let c = parse_as(
            &["boxinit", "--unshare", "none", "x"],
            &["BOXINIT_UNSHARE=bogus"],
        );
        assert!(c.unwrap().namespaces.is_empty());
        assert!(parse_as(&["boxinit", "x"], &["BOXINIT_UNSHARE=bogus"]).is_err());
        let c = parse_as(&["tini", "-v", "x"], &["TINI_VERBOSITY=0"]).unwrap();
        assert_eq!(c.verbosity, 2);
        let c = parse_as(&["dumb-init", "-c", "x"], &["DUMB_INIT_SETSID=1"]).unwrap();
        assert!(!c.supervision.command_leads_session);
    }

    #[test]
    fn personalities_pick_defaults_and_flags() {
        let c = parse_as(&["dumb-init", "x"], &[]).unwrap();
        assert!(c.supervision.command_leads_session && c.supervision.group);
        let stop = libc::SIGSTOP as u8;
        assert_eq!(c.supervision.rewrite[libc::SIGTSTP as usize], stop);
        let c = parse_as(&["dumb-init", "-r", "20:10", "x"], &[]).unwrap();
        assert_eq!(
            c.supervision.rewrite[libc::SIGTSTP as usize],
            libc::SIGUSR1 as u8
        );
        assert_eq!(c.supervision.rewrite[libc::SIGTTIN as usize], stop);
        let c = parse_as(&["dumb-init", "-c", "x"], &[]).unwrap();
        assert_eq!(
            c.supervision.rewrite[libc::SIGTSTP as usize],
            libc::SIGTSTP as u8
        );
        assert!(!c.supervision.command_leads_session && !c.supervision.group);
        let c = parse_as(&["dumb-init", "x"], &["DUMB_INIT_SETSID=0"]).unwrap();
        assert!(!c.supervision.command_leads_session);
        let c = parse_as(&["tini", "x"], &["TINI_KILL_PROCESS_GROUP=1"]).unwrap();
        assert!(c.supervision.group);
        // Each program's own flags only; boxinit takes them all.
        assert!(parse_as(&["tini", "-c", "x"], &[]).is_err());
        assert!(parse_as(&["dumb-init", "-s", "x"], &[]).is_err());
        assert!(parse_as(&["catatonit", "-P"], &[]).unwrap().pause);
        assert!(parse_as(&["boxinit", "-s", "-w", "-P"], &[]).is_ok());
        // -c acts on a command, which a pause has not.
        assert!(parse_as(&["boxinit", "-c", "-P"], &[]).is_err());
        assert!(parse_as(&["boxinit", "-s", "-g"], &[]).is_ok());
    }

    #[test]
    fn bad_input_is_refused() {
        for argv in [
            &["boxinit", "--bogus"][..],
            &["boxinit", "-Z"],
            &["boxinit", "--rootfs"],
            &["boxinit", "--rootfs="],
            &["boxinit", "--unshare", "mnt,nope"],
            &["boxinit", "--hostname", &"h".repeat(65)],
            &["boxinit", "--unshare", "mnt", "--hostname", "h"],
            &["boxinit", "--unshare", "uts", "--rootfs", "/"],
            &["boxinit", "--wait-all=1"],
            &["tini", "-e", "256"],
            &["tini", "-p", "SIGNOPE"],
            &["dumb-init", "-r", "15"],
            &["boxinit", "--grace", "soon"],
        ] {
            assert!(parse_as(argv, &[]).is_err(), "{argv:?} was accepted");
        }
        #[cfg(feature = "launcher")]
        assert!(parse_as(&["boxinit", "--hostname", &"h".repeat(64), "x"], &[]).is_ok());
    }

    #[test]
    fn each_kind_of_value_is_read_once_and_bad_ones_refused() {
        let read = |kind: Kind, text: &str| kind.read(text.as_bytes(), Personality::Boxinit);
        assert_eq!(read(Kind::Signal, "TERM"), Some(15));
        assert_eq!(read(Kind::Duration, "1m"), Some(60_000));
        assert_eq!(read(Kind::ExitCode, "255"), Some(255));
        assert_eq!(read(Kind::ExitCode, "256"), None);
        assert_eq!(read(Kind::Level, "4"), None);
        assert_eq!(read(Kind::Pid, "0"), None);
        assert_eq!(read(Kind::Pid, "4194304"), Some(4194304));
        assert_eq!(read(Kind::Rewrite, "TERM:0"), Some(15 << 8));
        assert_eq!(read(Kind::Rewrite, "TERM"), None);
        // What each kind wants is its own line of `WANTS`.
        let want = |kind: Kind| kind.want(b"", Personality::Boxinit);
        assert_eq!(want(Kind::Signal), b" (want a signal: TERM or 15)");
        assert_eq!(want(Kind::Auto), b" (want auto)");
        assert_eq!(
            (want(Kind::Flag), want(Kind::Text), want(Kind::Own)),
            (&b""[..], &b""[..], &b""[..])
        );
        let tini = Kind::ExitCode.read(b"", Personality::Tini);
        assert_eq!(tini, Some(0), "tini reads an empty -e as 0");
        #[cfg(feature = "launcher")]
        {
            assert_eq!(read(Kind::Auto, "auto"), Some(1));
            assert_eq!(read(Kind::Auto, "yes"), None);
            assert_eq!(read(Kind::Seconds, "-5"), Some(0));
            assert_eq!(read(Kind::Seconds, "1.5"), None);
        }
        #[cfg(feature = "limits")]
        {
            assert_eq!(read(Kind::Size, "64m"), Some(64 << 20));
            assert_eq!(read(Kind::Size, "0"), None);
            assert_eq!(read(Kind::Cpus, "0.5"), Some(50_000));
        }
    }

    #[test]
    #[cfg(not(all(feature = "launcher", feature = "limits", feature = "boot")))]
    fn a_left_out_jobs_options_are_refused_as_given() {
        let cases = [
            (
                cfg!(feature = "launcher"),
                "--rootfs",
                "/",
                "BOXINIT_ROOTFS",
            ),
            (cfg!(feature = "limits"), "--memory", "1g", "BOXINIT_MEMORY"),
            (
                cfg!(feature = "boot"),
                "--on-exit",
                "halt",
                "BOXINIT_ON_EXIT",
            ),
        ];
        for (_, option, value, variable) in cases.into_iter().filter(|c| !c.0) {
            let f = parse_as(&["boxinit", option, value, "x"], &[]).err();
            let f = f.expect(option);
            assert_eq!(f.status(), 125, "{option}");
            let want = format!("{option} is not in this build");
            let what = String::from_utf8_lossy(f.what()).into_owned();
            assert!(what.starts_with(&want), "{what}");
            let env = format!("{variable}={value}");
            let f = parse_as(&["boxinit", "x"], &[&env]).err().expect(variable);
            let want = format!("{variable} is not in this build");
            let what = String::from_utf8_lossy(f.what()).into_owned();
            assert!(what.starts_with(&want), "{what}");
        }
        if !cfg!(feature = "launcher") {
            let f = parse_as(&["tini", "--rootfs", "/", "x"], &[]).err();
            assert_eq!(f.expect("--rootfs").status(), 1);
        }
    }

    #[test]
    #[cfg(feature = "limits")]
    fn limits_from_argv_and_environment() {
        let argv = [
            "boxinit",
            "--memory",
            "32m",
            "--cpus=0.5",
            "--pids",
            "16",
            "x",
        ];
        let env = [
            "BOXINIT_CPU_WEIGHT=200",
            "BOXINIT_MEMORY=1g",
            "BOXINIT_CGROUP=web",
        ];
        let limits = parse_as(&argv, &env).unwrap().limits;
        assert_eq!(limits.memory, Some(32 << 20));
        assert_eq!(limits.cpu_quota_us, Some(50_000));
        assert_eq!(limits.pids, Some(16));
        assert_eq!(limits.cpu_weight, Some(200));
        assert_eq!(limits.name, Some(c"web"));
        assert_eq!(limits.memory_swap, None);
        assert!(!parse_as(&["boxinit", "x"], &[]).unwrap().limits.wanted());
        // boxinit's own options: not under another program's name.
        assert!(parse_as(&["tini", "--memory", "1m", "x"], &[]).is_err());
        for argv in [
            &["boxinit", "--memory", "0"][..],
            &["boxinit", "--memory", "-1m"],
            &["boxinit", "--memory", "12q"],
            &["boxinit", "--memory", "1.5g"],
            &["boxinit", "--cpus", "0"],
            &["boxinit", "--cpus", "0.001"],
            &["boxinit", "--cpus", "-1"],
            &["boxinit", "--cpus", "half"],
            &["boxinit", "--cpu-weight", "0"],
            &["boxinit", "--cpu-weight", "10001"],
            &["boxinit", "--pids", "0"],
            &["boxinit", "--pids", "-5"],
            &["boxinit", "--cgroup", "a/b"],
            &["boxinit", "--cgroup", ""],
            &["boxinit", "--memory-swap", "1g"],
            &["boxinit", "--memory", "1g", "--memory-swap", "512m"],
        ] {
            assert!(parse_as(argv, &[]).is_err(), "{argv:?} was accepted");
        }
    }

    #[test]
    fn join_options_follow_join_kinds() {
        for (i, (kind, _)) in JOIN_KINDS.iter().enumerate() {
            let long = format!("join-{kind}");
            let spec = SPECS
                .iter()
                .find(|s| s.long() && s.name() == long.as_bytes());
            let spec = spec.unwrap();
            assert_eq!(spec.opt as usize - Opt::JoinUser as usize, i, "{long}");
        }
    }

    #[test]
    #[cfg(feature = "launcher")]
    fn joined_namespaces_are_not_made() {
        let c = parse_as(
            &["boxinit", "--join-pid", "/p", "--hostname", "h", "x"],
            &[],
        )
        .unwrap();
        assert_eq!(
            c.namespaces.0,
            Namespaces::CONTAINER.0 & !libc::CLONE_NEWPID
        );
        assert_eq!(c.joins.kinds().0, libc::CLONE_NEWPID);
        assert!(c.is_container());
        let both = ["boxinit", "--unshare", "uts,pid", "--join-pid", "/p", "x"];
        assert!(parse_as(&both, &[]).is_err());
        let c = parse_as(&["boxinit", "--monotonic", "-5", "x"], &[]).unwrap();
        assert_eq!(c.namespaces.0, libc::CLONE_NEWTIME);
        assert_eq!(c.time_offsets.monotonic, Some(&b"-5"[..]));
        let c = parse_as(&["boxinit", "x"], &["BOXINIT_JOIN_NET=/n"]).unwrap();
        assert_eq!(c.joins.kinds().0, libc::CLONE_NEWNET);
        assert!(c.namespaces.is_empty());
    }

    #[test]
    #[cfg(feature = "launcher")]
    fn identity_options_and_their_environment_forms() {
        let c = parse_as(
            &["boxinit", "--user", "app:staff", "--groups=audio", "x"],
            &[],
        )
        .unwrap();
        assert_eq!(c.privileges.user, Some(&b"app:staff"[..]));
        assert_eq!(c.privileges.groups, Some(&b"audio"[..]));
        assert!(c.namespaces.is_empty(), "--user alone needs no namespace");
        let c = parse_as(&["boxinit", "--map-uid", "0:1000:1", "x"], &[]).unwrap();
        assert!(
            c.namespaces.has(libc::CLONE_NEWUSER),
            "a map asks for a user namespace"
        );
        let c = parse_as(
            &["boxinit", "x"],
            &["BOXINIT_USER=7", "BOXINIT_MAP_USERS=auto"],
        );
        let c = c.unwrap();
        assert_eq!(c.privileges.user, Some(&b"7"[..]));
        assert!(c.id_maps.given() && c.namespaces.has(libc::CLONE_NEWUSER));
        let c = parse_as(&["boxinit", "--user", "1", "x"], &["BOXINIT_USER=bogus"]).unwrap();
        assert_eq!(c.privileges.user, Some(&b"1"[..]));
        for argv in [
            &["boxinit", "--cap-add", "nope", "x"][..],
            &["boxinit", "--rlimit", "NOFILE", "x"],
            &["boxinit", "--map-gid", "1:2", "x"],
            &["boxinit", "--uid", "1", "--map-users", "auto", "x"],
            &["tini", "--user", "app", "x"],
        ] {
            assert!(parse_as(argv, &[]).is_err(), "{argv:?} was accepted");
        }
        assert!(parse_as(&["boxinit", "x"], &["BOXINIT_RLIMIT=CPU"]).is_err());
    }

    /// What a refusal says (before the value it shows), if `argv` and `env` are refused (by
    /// someone who is not root when `rootless`).
    fn refusal_of(argv: &[&str], env: &[&str], rootless: bool) -> Option<String> {
        let host = Host {
            euid: if rootless { 65534 } else { 0 },
            ..Host::default()
        };
        let f = parse(Strings::leak(argv), Strings::leak(env), host).err()?;
        Some(String::from_utf8_lossy(f.what()).into_owned())
    }

    #[test]
    fn an_empty_list_item_is_refused_naming_the_option() {
        for (argv, env, want) in [
            (
                &["boxinit", "--groups", "1,,3", "x"][..],
                &[][..],
                "--groups has",
            ),
            (&["boxinit", "--cap-add", "a,,b", "x"], &[], "--cap-add has"),
            (&["boxinit", "--keep-fd", "3,", "x"], &[], "--keep-fd has"),
            (&["boxinit", "--unshare", ",", "x"], &[], "--unshare has"),
            (&["boxinit", "x"], &["BOXINIT_GROUPS=,"], "BOXINIT_GROUPS"),
            (
                &["boxinit", "--rootfs", "/", "x"],
                &["BOXINIT_BIND=/a:/b,,"],
                "BOXINIT_BIND",
            ),
        ] {
            // (A build without the launcher refuses its options as not in the build.)
            if !cfg!(feature = "launcher") && !argv.contains(&"--keep-fd") {
                continue;
            }
            let words = refusal_of(argv, env, false).expect("accepted");
            assert!(words.contains(want), "{argv:?} {env:?}: {words}");
        }
        #[cfg(feature = "boot")]
        assert!(
            refusal_of(&["boxinit", "--boot", "--modules", ",,", "x"], &[], false)
                .is_some_and(|w| w.starts_with("--modules has an empty item"))
        );
    }

    #[test]
    #[cfg(feature = "launcher")]
    fn identity_that_cannot_act_is_refused_before_anything_starts() {
        for (argv, rootless, want) in [
            (
                &["boxinit", "--user", "1000:", "x"][..],
                false,
                "--user has an empty group",
            ),
            (
                &["boxinit", "--user", ":1000", "x"],
                false,
                "--user has an empty user",
            ),
            (
                &["boxinit", "--user", "0", "x"],
                true,
                "--user needs root or a user namespace",
            ),
            (
                &["boxinit", "--groups", "0", "x"],
                true,
                "--groups needs root or a user",
            ),
            (
                &["boxinit", "--unshare", "user", "--user", "7", "x"],
                false,
                "not mapped",
            ),
            (
                &["boxinit", "--rootfs", "/", "--user", "0:5", "/x"],
                true,
                "--user names an id not mapped",
            ),
            (
                &["boxinit", "--unshare", "user", "--groups", "0", "x"],
                false,
                "--groups needs --map-gid",
            ),
            (
                &["boxinit", "--map-gid", "0:100000:10", "--groups", "10", "x"],
                false,
                "--groups names an id not mapped",
            ),
            (
                &["boxinit", "--unshare", "user,mnt", "--rootfs", "/", "x"],
                false,
                "--unshare needs pid",
            ),
            (
                &["boxinit", "--unshare", "mnt", "--rootfs", "/", "x"],
                true,
                "--unshare needs pid",
            ),
        ] {
            let words =
                refusal_of(argv, &[], rootless).unwrap_or_else(|| panic!("{argv:?} accepted"));
            assert!(words.contains(want), "{argv:?}: {words}");
        }
        for argv in [
            &["boxinit", "--unshare", "user", "--user", "0", "x"][..],
            &["boxinit", "--uid", "5", "--user", "5:0", "x"],
            &[
                "boxinit",
                "--map-uid",
                "0:100000:10",
                "--user",
                "9:app",
                "x",
            ],
            &["boxinit", "--unshare", "user", "--user", "app", "x"],
            &["boxinit", "--rootfs", "/", "--user", "0", "/x"],
        ] {
            assert_eq!(refusal_of(argv, &[], true), None, "{argv:?}");
        }
        assert_eq!(
            refusal_of(
                &["boxinit", "--user", "1000", "--groups", "5", "x"],
                &[],
                false
            ),
            None
        );
    }

    #[test]
    #[cfg(all(feature = "launcher", feature = "limits"))]
    fn a_pid_namespace_needs_two_pids() {
        let words = refusal_of(
            &["boxinit", "--unshare", "pid", "--pids", "1", "x"],
            &[],
            false,
        );
        assert!(words.is_some_and(|w| w.starts_with("--pids is below 2")));
        assert!(refusal_of(&["boxinit", "--pids", "1", "x"], &[], false).is_none());
        assert!(refusal_of(
            &["boxinit", "--rootfs", "/", "--pids", "2", "/x"],
            &[],
            false
        )
        .is_none());
        let words = refusal_of(&["boxinit", "--cpus", "175921861", "x"], &[], false);
        assert!(words.is_some_and(|w| w.starts_with("invalid --cpus")));
        assert!(refusal_of(&["boxinit", "--cpus", "175921860", "x"], &[], false).is_none());
    }

    #[test]
    #[cfg(all(feature = "launcher", feature = "boot"))]
    fn mount_options_in_boot_mode_need_its_mount_namespace() {
        for option in [
            &["--rootfs", "/"][..],
            &["--bind", "/a:/b"],
            &["--sys"],
            &["--ro"],
        ] {
            let argv: Vec<&str> = ["boxinit", "--boot"]
                .iter()
                .chain(option)
                .chain(&["x"])
                .copied()
                .collect();
            let words = refusal_of(&argv, &[], false).expect("accepted");
            let want = format!("{} applies in boot mode only with --unshare mnt", option[0]);
            assert!(words.starts_with(&want), "{words}");
        }
        let argv = [
            "boxinit",
            "--boot",
            "--unshare",
            "mnt",
            "--rootfs",
            "/",
            "x",
        ];
        assert!(refusal_of(&argv, &[], false).is_none());
    }

    #[test]
    #[cfg(feature = "boot")]
    fn a_flag_variable_that_says_no_asks_for_nothing() {
        assert!(refusal_of(&["boxinit", "x"], &["BOXINIT_EXIT_DEVICE=0"], false).is_none());
        assert!(refusal_of(&["boxinit", "x"], &["BOXINIT_EXIT_DEVICE=1"], false).is_some());
        assert!(refusal_of(&["boxinit", "--exit-device", "x"], &[], false).is_some());
    }

    #[test]
    fn verbosity_levels_are_0_to_3() {
        assert!(refusal_of(&["boxinit", "x"], &["BOXINIT_VERBOSITY=3"], false).is_none());
        assert!(refusal_of(&["boxinit", "x"], &["BOXINIT_VERBOSITY=4"], false).is_some());
    }

    #[test]
    fn rewrites() {
        assert_eq!(parse_rewrite(b"15:3"), Some((15, 3)));
        assert_eq!(parse_rewrite(b"TERM:QUIT"), Some((15, 3)));
        assert_eq!(parse_rewrite(b"15:0"), Some((15, 0)));
        assert_eq!(parse_rewrite(b"15"), None);
        assert_eq!(parse_rewrite(b"0:15"), None);
    }

    // ---- Fidelity to the replaced programs ---

    fn status_of(argv: &[&str], env: &[&str]) -> u8 {
        parse_as(argv, env).err().expect("accepted").status()
    }

    #[test]
    fn usage_errors_exit_as_the_replaced_program() {
        for name in ["tini", "dumb-init", "catatonit"] {
            assert_eq!(status_of(&[name, "--bogus", "x"], &[]), 1, "{name}");
            assert_eq!(status_of(&[name, "-Z", "x"], &[]), 1, "{name}");
        }
        assert_eq!(status_of(&["tini", "-e", "256", "x"], &[]), 1);
        assert_eq!(status_of(&["dumb-init", "-r", "1:32", "x"], &[]), 1);
        assert_eq!(status_of(&["boxinit", "--bogus", "x"], &[]), 125);
        // Whatever gets it wrong, an option or a variable, boxinit's or the program's.
        assert_eq!(status_of(&["tini", "x"], &["BOXINIT_GRACE=soon"]), 1);
        assert_eq!(status_of(&["tini", "--volatile", "--", "x"], &[]), 1);
    }

    #[test]
    fn help_and_version_answer_whatever_else_is_wrong() {
        let env = ["BOXINIT_ROOTFS=/nope", "BOXINIT_WAIT_ALL=maybe"];
        for (argv, action) in [
            (&["boxinit", "--help"][..], Action::Help),
            (&["boxinit", "--bogus", "-h"], Action::Help),
            (
                &["boxinit", "--grace", "soon", "--version"],
                Action::Version,
            ),
            (&["tini", "-e", "999", "-h"], Action::Help),
            (&["tini", "-Z", "--version"], Action::Version),
            (&["dumb-init", "-r", "1:32", "-V"], Action::Version),
            (&["catatonit", "-x", "-L"], Action::License),
            (&["tini", "-l"], Action::License),
        ] {
            let c = parse_as(argv, &env).unwrap_or_else(|_| panic!("{argv:?} refused"));
            assert_eq!(c.action, action, "{argv:?}");
        }
    }

    #[test]
    fn no_command_is_a_usage_error_under_the_replaced_programs() {
        for name in [
            "tini",
            "dumb-init",
            "catatonit",
            "docker-init",
            "podman-init",
        ] {
            assert_eq!(parse_as(&[name], &[]).unwrap().action, Action::Usage);
            assert_eq!(parse_as(&[name, "--"], &[]).unwrap().action, Action::Usage);
        }
        assert_eq!(parse_as(&["boxinit"], &[]).unwrap().action, Action::Run);
        assert_eq!(
            parse_as(&["catatonit", "-P"], &[]).unwrap().action,
            Action::Run
        );
    }

    #[test]
    fn replaced_programs_variables_follow_their_rules() {
        // tini reads its verbosity with atoi and its flags by presence.
        let c = parse_as(&["tini", "x"], &["TINI_VERBOSITY=abc"]).unwrap();
        assert_eq!(c.verbosity, 0);
        let c = parse_as(&["tini", "x"], &["TINI_VERBOSITY=3x"]).unwrap();
        assert_eq!(c.verbosity, 3);
        let c = parse_as(&["tini", "x"], &["TINI_KILL_PROCESS_GROUP=0"]).unwrap();
        assert!(c.supervision.group);
        let c = parse_as(&["tini", "x"], &["TINI_KILL_PROCESS_GROUP="]).unwrap();
        assert!(c.supervision.group);
        assert!(parse_as(&["tini", "x"], &["TINI_SUBREAPER=whatever"]).is_ok());
        // dumb-init: DEBUG only for 1, no session only for 0; nothing else is an error.
        let c = parse_as(&["dumb-init", "x"], &["DUMB_INIT_DEBUG=abc"]).unwrap();
        assert_eq!(c.verbosity, out::WARN);
        let c = parse_as(&["dumb-init", "x"], &["DUMB_INIT_SETSID=abc"]).unwrap();
        assert!(c.supervision.command_leads_session);
        let c = parse_as(&["catatonit", "x"], &["CATATONIT_DEBUG="]).unwrap();
        assert_eq!(c.verbosity, out::DEBUG);
    }

    #[test]
    fn boxinit_booleans_are_strict() {
        for on in ["1", "true", "yes", "on"] {
            let env = [format!("BOXINIT_PROCESS_GROUP={on}")];
            let c = parse_as(&["boxinit", "x"], &[env[0].as_str()]).unwrap();
            assert!(c.supervision.group, "{on}");
        }
        for off in ["0", "false", "no", "off", ""] {
            let env = format!("BOXINIT_WAIT_ALL={off}");
            let c = parse_as(&["boxinit", "x"], &[env.as_str()]).unwrap();
            assert!(!c.supervision.wait_all, "{off}");
        }
        let f = parse_as(&["boxinit", "x"], &["BOXINIT_PROCESS_GROUP=maybe"]).err();
        let f = f.expect("accepted");
        assert_eq!(
            (f.what(), f.status()),
            (&b"invalid value for BOXINIT_PROCESS_GROUP:"[..], 125)
        );
        let f = parse_as(&["boxinit", "x"], &["BOXINIT_VERBOSITY=loud"]).err();
        assert_eq!(
            f.expect("accepted").what(),
            b"invalid value for BOXINIT_VERBOSITY:"
        );
    }

    #[test]
    fn dumb_init_rewrites_take_what_dumb_init_takes() {
        assert_eq!(dumb_init_rewrite(b"1:31"), Some((1, 31)));
        assert_eq!(dumb_init_rewrite(b"15:0"), Some((15, 0)));
        // As sscanf reads "%d:%d": spaces before the numbers, anything after the second.
        assert_eq!(dumb_init_rewrite(b" 15: 10:3"), Some((15, 10)));
        for bad in ["1:32", "0:1", "32:1", "TERM:INT", "15", "15:", ":3", "64:1"] {
            assert_eq!(dumb_init_rewrite(bad.as_bytes()), None, "{bad}");
            assert!(
                parse_as(&["dumb-init", "-r", bad, "x"], &[]).is_err(),
                "{bad}"
            );
        }
        // boxinit's own name keeps names and real-time signals.
        assert!(parse_as(&["boxinit", "-r", "TERM:64", "x"], &[]).is_ok());
    }

    #[test]
    fn signal_rules_follow_each_program() {
        let c = parse_as(&["dumb-init", "x"], &[]).unwrap();
        assert!(c.supervision.forward_faults);
        assert_eq!(c.child_signals, ChildSignals::Clean);
        let c = parse_as(&["tini", "x"], &[]).unwrap();
        assert!(!c.supervision.forward_faults);
        assert!(c.supervision.not_forwarded.contains(libc::SIGTTIN));
        assert!(!c.supervision.not_forwarded.contains(libc::SIGTSTP));
        let c = parse_as(&["catatonit", "x"], &[]).unwrap();
        assert!(c.supervision.not_forwarded.contains(libc::SIGTSTP));
        // Unlike catatonit's own, the command's terminal stops are not blocked: Ctrl-Z works.
        assert_eq!(c.child_signals, ChildSignals::Inherited);
        let c = parse_as(&["boxinit", "x"], &[]).unwrap();
        assert_eq!(c.supervision.not_forwarded, SigSet::EMPTY);
        assert_eq!(c.child_signals, ChildSignals::Inherited);
    }

    #[test]
    fn own_variables_are_known() {
        let own = |e: &str| is_own_variable(&std::ffi::CString::new(e).unwrap());
        assert!(own("BOXINIT_ROOTFS=/r"));
        assert!(own("BOXINIT_WAIT_ALL="));
        assert!(!own("BOXINIT_ROOTFSX=/r"));
        assert!(!own("BOXINIT_TEST_TAG=1"));
        assert!(!own("TINI_VERBOSITY=3"));
        assert!(!own("PATH=/bin"));
    }
}
