//! The command line and its environment forms: one table of options, one parser.
//!
//! `boxinit [OPTIONS] [--] [COMMAND [ARG...]]`. The basename of argv[0] picks a personality
//! (tini, dumb-init, catatonit) with its own flags and defaults, like busybox applets; every
//! option with an environment name can also come from the environment, and the command line
//! wins over it. Values are borrowed from argv and envp, never copied, so no argument can be
//! too long or too many for boxinit.

use crate::container::{self, IdMapOptions, Namespaces, PrivilegeOptions};
use crate::out::Failure;
use crate::supervise::Supervision;
use crate::sys::{Signal, Strings};
use crate::{out, values};
use core::ffi::CStr;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Personality {
    Boxinit,
    Tini,
    DumbInit,
    Catatonit,
}

impl Personality {
    pub fn from_argv0(argv0: &[u8]) -> Personality {
        let name = argv0.rsplit(|&c| c == b'/').next().unwrap_or(argv0);
        match name {
            b"tini" | b"tini-static" | b"docker-init" => Personality::Tini,
            b"dumb-init" => Personality::DumbInit,
            b"catatonit" | b"podman-init" => Personality::Catatonit,
            _ => Personality::Boxinit,
        }
    }

    fn bit(self) -> u8 {
        match self {
            Personality::Boxinit => B,
            Personality::Tini => T,
            Personality::DumbInit => D,
            Personality::Catatonit => C,
        }
    }
}

/// What boxinit was asked to do.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Action {
    Run,
    Help,
    Version,
    License,
}

/// Everything the command line and the environment said, checked.
pub struct Config {
    pub personality: Personality,
    pub action: Action,
    pub command: Strings,
    pub rootfs: Option<&'static CStr>,
    pub hostname: Option<&'static CStr>,
    pub namespaces: Namespaces,
    pub parent_death_signal: Option<Signal>,
    /// How much boxinit says (see `out`).
    pub verbosity: u8,
    /// catatonit's -P: no command, just a PID 1 that holds a namespace open.
    pub pause: bool,
    pub supervision: Supervision,
    /// The user namespace's id maps.
    pub id_maps: IdMapOptions,
    /// Who the command runs as, its capabilities and limits.
    pub privileges: PrivilegeOptions,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Opt {
    Help,
    Version,
    License,
    Rootfs,
    Hostname,
    Unshare,
    Subreaper,
    ParentDeath,
    Group,
    ExpectExit,
    Verbose,
    Verbosity,
    Debug,
    WarnZombies,
    SingleChild,
    Setsid,
    Rewrite,
    Pause,
    Grace,
    WaitAll,
    // Identity (issue 8)
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

/// One way to give an option: a long name, a short letter, or an environment variable
/// (empty or 0 when it has none), and the personalities that know it.
struct Spec {
    opt: Opt,
    long: &'static str,
    short: u8,
    env: &'static str,
    takes_value: bool,
    who: u8,
}

const B: u8 = 1;
const T: u8 = 2;
const D: u8 = 4;
const C: u8 = 8;
const ALL: u8 = B | T | D | C;

const fn spec(opt: Opt, long: &'static str, short: u8, env: &'static str, who: u8) -> Spec {
    Spec {
        opt,
        long,
        short,
        env,
        takes_value: false,
        who,
    }
}

const fn with_value(s: Spec) -> Spec {
    Spec {
        takes_value: true,
        ..s
    }
}

#[rustfmt::skip]
const SPECS: &[Spec] = &[
    spec(Opt::Help, "help", b'h', "", ALL),
    spec(Opt::Version, "version", 0, "", ALL),
    spec(Opt::Version, "", b'V', "", B | D | C),
    spec(Opt::License, "license", b'l', "", B | T),
    spec(Opt::License, "", b'L', "", B | C),
    with_value(spec(Opt::Rootfs, "rootfs", 0, "BOXINIT_ROOTFS", ALL)),
    with_value(spec(Opt::Hostname, "hostname", 0, "BOXINIT_HOSTNAME", ALL)),
    with_value(spec(Opt::Unshare, "unshare", 0, "BOXINIT_UNSHARE", ALL)),
    spec(Opt::Subreaper, "subreaper", b's', "TINI_SUBREAPER", B | T),
    with_value(spec(Opt::ParentDeath, "parent-death-signal", b'p', "BOXINIT_PARENT_DEATH_SIGNAL", B | T)),
    spec(Opt::Group, "process-group", b'g', "BOXINIT_PROCESS_GROUP", ALL & !D),
    spec(Opt::Group, "", 0, "TINI_KILL_PROCESS_GROUP", B | T),
    with_value(spec(Opt::ExpectExit, "expect-exit", b'e', "", B | T)),
    spec(Opt::Verbose, "verbose", b'v', "", B | T | D),
    with_value(spec(Opt::Verbosity, "", 0, "BOXINIT_VERBOSITY", ALL)),
    with_value(spec(Opt::Verbosity, "", 0, "TINI_VERBOSITY", B | T)),
    with_value(spec(Opt::Debug, "", 0, "DUMB_INIT_DEBUG", B | D)),
    spec(Opt::WarnZombies, "warn-zombies", b'w', "", B | T),
    spec(Opt::SingleChild, "single-child", b'c', "", B | D),
    with_value(spec(Opt::Setsid, "", 0, "DUMB_INIT_SETSID", B | D)),
    with_value(spec(Opt::Rewrite, "rewrite", b'r', "", B | D)),
    spec(Opt::Pause, "pause", b'P', "", B | C),
    with_value(spec(Opt::Grace, "grace", 0, "BOXINIT_GRACE", ALL)),
    spec(Opt::WaitAll, "wait-all", 0, "BOXINIT_WAIT_ALL", ALL),
    // Identity: user namespaces and id maps, users and groups, capabilities, limits.
    // Repeatable ones take comma-separated lists too (the only way from the environment).
    with_value(spec(Opt::User, "user", 0, "BOXINIT_USER", B)),
    with_value(spec(Opt::Groups, "groups", 0, "BOXINIT_GROUPS", B)),
    with_value(spec(Opt::Uid, "uid", 0, "BOXINIT_UID", B)),
    with_value(spec(Opt::Gid, "gid", 0, "BOXINIT_GID", B)),
    with_value(spec(Opt::MapUid, "map-uid", 0, "BOXINIT_MAP_UID", B)),
    with_value(spec(Opt::MapGid, "map-gid", 0, "BOXINIT_MAP_GID", B)),
    with_value(spec(Opt::MapUsers, "map-users", 0, "BOXINIT_MAP_USERS", B)),
    with_value(spec(Opt::MapGroups, "map-groups", 0, "BOXINIT_MAP_GROUPS", B)),
    // From the environment, drops come first, so that an add survives a drop of all.
    with_value(spec(Opt::CapDrop, "cap-drop", 0, "BOXINIT_CAP_DROP", B)),
    with_value(spec(Opt::CapAdd, "cap-add", 0, "BOXINIT_CAP_ADD", B)),
    spec(Opt::AllowNewPrivs, "allow-new-privs", 0, "BOXINIT_ALLOW_NEW_PRIVS", B),
    with_value(spec(Opt::Rlimit, "rlimit", 0, "BOXINIT_RLIMIT", B)),
];

/// Parse argv and the environment into a checked `Config`.
pub fn parse(args: Strings, env: Strings) -> Result<Config, Failure> {
    let argv0 = args.get(0).map_or(&b""[..], CStr::to_bytes);
    let personality = Personality::from_argv0(argv0);
    let mut parser = Parser::new(personality);
    let first_operand = parser.parse_args(args)?;

    // Then the environment, for what the command line left unsaid: the command line wins,
    // and a variable it overrides is not even read.
    for spec in SPECS
        .iter()
        .filter(|s| !s.env.is_empty() && s.who & personality.bit() != 0)
    {
        if parser.given & setting(spec.opt) == 0 {
            if let Some(value) = getenv(env, spec.env) {
                parser.apply_env(spec, value)?;
            }
        }
    }
    parser.finish(args.skip(first_operand))
}

/// The bit of the setting an option controls; options that set the same thing share one.
fn setting(opt: Opt) -> u32 {
    let opt = match opt {
        Opt::Verbosity | Opt::Debug => Opt::Verbose,
        Opt::Setsid => Opt::SingleChild,
        other => other,
    };
    1 << opt as u32
}

/// The value of environment variable `name`, if it is set.
pub fn getenv(env: Strings, name: &str) -> Option<&'static CStr> {
    env.iter().find_map(|entry| {
        let bytes = entry.to_bytes_with_nul();
        let rest = bytes.strip_prefix(name.as_bytes())?.strip_prefix(b"=")?;
        CStr::from_bytes_with_nul(rest).ok()
    })
}

struct Parser {
    personality: Personality,
    /// The settings the command line gave (bits from `setting`).
    given: u32,
    action: Action,
    rootfs: Option<&'static CStr>,
    hostname: Option<&'static CStr>,
    namespaces: Option<Namespaces>,
    parent_death_signal: Option<Signal>,
    pause: bool,
    verbosity: u8,
    setsid: bool,
    supervision: Supervision,
    id_maps: IdMapOptions,
    privileges: PrivilegeOptions,
}

impl Parser {
    fn new(personality: Personality) -> Parser {
        Parser {
            personality,
            given: 0,
            action: Action::Run,
            rootfs: None,
            hostname: None,
            namespaces: None,
            parent_death_signal: None,
            pause: false,
            verbosity: out::WARN,
            // dumb-init's default: the command leads its own session and gets every signal
            // as a group; the others signal the command alone.
            setsid: personality == Personality::DumbInit,
            supervision: Supervision::default(),
            id_maps: IdMapOptions::default(),
            privileges: PrivilegeOptions::default(),
        }
    }

    /// Walk argv; returns the index of the first operand (the command).
    fn parse_args(&mut self, args: Strings) -> Result<usize, Failure> {
        let mut i = 1;
        while let Some(arg) = args.get(i) {
            let bytes = arg.to_bytes();
            i += 1;
            if bytes == b"--" {
                return Ok(i);
            } else if let Some(long) = bytes.strip_prefix(b"--") {
                let (name, inline) = match long.iter().position(|&c| c == b'=') {
                    Some(eq) => (&long[..eq], Some(after(arg, 2 + eq + 1))),
                    None => (long, None),
                };
                let spec = self.find(|s| !s.long.is_empty() && s.long.as_bytes() == name);
                let spec = spec.ok_or(Failure::usage("unknown option", arg.to_bytes()))?;
                let value = match (spec.takes_value, inline) {
                    (true, Some(v)) => Some(v),
                    (true, None) => Some(next_value(args, &mut i, arg)?),
                    (false, Some(_)) => return Err(Failure::usage("takes no value:", bytes)),
                    (false, None) => None,
                };
                self.apply_arg(spec.opt, value)?;
            } else if bytes.len() > 1 && bytes[0] == b'-' {
                // A cluster of short options, as getopt reads them: -vvv, -e143, -e 143.
                let mut j = 1;
                while j < bytes.len() {
                    let letter = bytes[j];
                    let spec = self.find(|s| s.short == letter);
                    let spec = spec.ok_or(Failure::usage("unknown option", arg.to_bytes()))?;
                    j += 1;
                    let value = if !spec.takes_value {
                        None
                    } else if j < bytes.len() {
                        Some(after(arg, j))
                    } else {
                        Some(next_value(args, &mut i, arg)?)
                    };
                    self.apply_arg(spec.opt, value)?;
                    if spec.takes_value {
                        break;
                    }
                }
            } else {
                return Ok(i - 1);
            }
        }
        Ok(i)
    }

    fn find(&self, matches: impl Fn(&Spec) -> bool) -> Option<&'static Spec> {
        let me = self.personality.bit();
        SPECS.iter().find(|s| s.who & me != 0 && matches(s))
    }

    fn apply_env(&mut self, spec: &Spec, value: &'static CStr) -> Result<(), Failure> {
        if spec.takes_value {
            return self.apply(spec.opt, Some(value));
        }
        // A flag from the environment: set unless it says 0 (tini only looks for presence).
        if value.to_bytes() != b"0" {
            self.apply(spec.opt, None)?;
        }
        Ok(())
    }

    fn apply_arg(&mut self, opt: Opt, value: Option<&'static CStr>) -> Result<(), Failure> {
        self.given |= setting(opt);
        self.apply(opt, value)
    }

    fn apply(&mut self, opt: Opt, value: Option<&'static CStr>) -> Result<(), Failure> {
        let text = value.map_or(&b""[..], CStr::to_bytes);
        let bad = || Failure::usage(invalid(opt), text);
        let how = &mut self.supervision;
        match opt {
            Opt::Help => self.action = Action::Help,
            Opt::Version => self.action = Action::Version,
            Opt::License => self.action = Action::License,
            Opt::Rootfs => self.rootfs = value,
            Opt::Hostname => self.hostname = value,
            Opt::Unshare => self.namespaces = Some(container::parse_namespaces(text)?),
            // boxinit always becomes a subreaper when it is not PID 1: accepted for tini.
            Opt::Subreaper => {}
            Opt::ParentDeath => {
                self.parent_death_signal = Some(values::signal(text).ok_or_else(bad)?)
            }
            Opt::Group => how.group = true,
            Opt::ExpectExit => {
                let code = values::number(text).filter(|&c| c <= 255).ok_or_else(bad)?;
                how.exit_zero.insert(code as u8);
            }
            Opt::Verbose => self.verbosity = self.verbosity.saturating_add(1),
            Opt::Verbosity => self.verbosity = values::number(text).ok_or_else(bad)?.min(9) as u8,
            Opt::Debug => {
                if text == b"1" {
                    self.verbosity = out::DEBUG;
                }
            }
            Opt::WarnZombies => how.warn_zombies = true,
            Opt::SingleChild => self.setsid = false,
            Opt::Setsid => self.setsid = text != b"0",
            Opt::Rewrite => {
                let (from, to) = parse_rewrite(text).ok_or_else(bad)?;
                how.rewrite[from as usize] = to as u8;
            }
            Opt::Pause => self.pause = true,
            Opt::Grace => how.grace_ms = Some(values::duration_ms(text).ok_or_else(bad)?),
            Opt::WaitAll => how.wait_all = true,
            // Identity
            Opt::User => self.privileges.user = Some(text),
            Opt::Groups => self.privileges.groups = Some(text),
            Opt::Uid => self.id_maps.set_inside_uid(text)?,
            Opt::Gid => self.id_maps.set_inside_gid(text)?,
            Opt::MapUid => self.id_maps.add_uid_maps(text)?,
            Opt::MapGid => self.id_maps.add_gid_maps(text)?,
            Opt::MapUsers => self.id_maps.set_auto_uids(text)?,
            Opt::MapGroups => self.id_maps.set_auto_gids(text)?,
            Opt::CapAdd => self.privileges.add_caps(text)?,
            Opt::CapDrop => self.privileges.drop_caps(text)?,
            Opt::AllowNewPrivs => self.privileges.allow_new_privs = true,
            Opt::Rlimit => self.privileges.rlimits.add(text)?,
        }
        Ok(())
    }

    /// Fill in the defaults and check what only makes sense as a whole.
    fn finish(mut self, operands: Strings) -> Result<Config, Failure> {
        if self.setsid {
            let how = &mut self.supervision;
            how.session = true;
            how.group = true;
            // The command's group is orphaned (it leads its own session), so the kernel drops
            // a terminal stop it does not handle: unless rewritten, they become SIGSTOP.
            for sig in [libc::SIGTSTP, libc::SIGTTIN, libc::SIGTTOU] {
                if how.rewrite[sig as usize] == sig as u8 {
                    how.rewrite[sig as usize] = libc::SIGSTOP as u8;
                }
            }
        }
        let mut namespaces =
            self.namespaces
                .unwrap_or(if self.rootfs.is_some() || self.hostname.is_some() {
                    Namespaces::CONTAINER
                } else {
                    Namespaces::NONE
                });
        // Identity: a map option asks for a user namespace, and so does any namespace asked
        // for by someone who is not root, whose unshare needs one to come first.
        self.id_maps.check()?;
        if self.id_maps.given() || (!namespaces.is_empty() && crate::sys::geteuid() != 0) {
            namespaces.0 |= libc::CLONE_NEWUSER;
        }
        if let Some(rootfs) = self.rootfs {
            container::check_rootfs(rootfs, namespaces)?;
        }
        if let Some(hostname) = self.hostname {
            container::check_hostname(hostname, namespaces)?;
        }
        Ok(Config {
            personality: self.personality,
            action: self.action,
            command: if operands.is_empty() {
                Strings::default_shell()
            } else {
                operands
            },
            rootfs: self.rootfs,
            hostname: self.hostname,
            namespaces,
            parent_death_signal: self.parent_death_signal,
            verbosity: self.verbosity,
            pause: self.pause,
            supervision: self.supervision,
            id_maps: self.id_maps,
            privileges: self.privileges,
        })
    }
}

/// The value of an option that takes one from the next argument.
fn next_value(
    args: Strings,
    i: &mut usize,
    option: &'static CStr,
) -> Result<&'static CStr, Failure> {
    let value = args
        .get(*i)
        .ok_or(Failure::usage("missing value for", option.to_bytes()))?;
    *i += 1;
    Ok(value)
}

/// The tail of a C string from byte `at` on.
fn after(s: &'static CStr, at: usize) -> &'static CStr {
    let bytes = &s.to_bytes_with_nul()[at..];
    CStr::from_bytes_with_nul(bytes).unwrap_or(c"")
}

fn invalid(opt: Opt) -> &'static str {
    match opt {
        Opt::ParentDeath => "invalid signal for -p:",
        Opt::ExpectExit => "invalid exit code for -e (0-255):",
        Opt::Verbosity => "invalid verbosity:",
        Opt::Rewrite => "invalid rewrite (want SIGNAL:SIGNAL, 0 to drop):",
        Opt::Grace => "invalid duration for --grace (want 10, 10s, 500ms or 1m):",
        _ => "invalid value",
    }
}

/// dumb-init's `-r S:R`: deliver R when S arrives; R = 0 drops S.
fn parse_rewrite(text: &[u8]) -> Option<(Signal, Signal)> {
    let colon = text.iter().position(|&c| c == b':')?;
    let from = values::signal(&text[..colon])?;
    let to = match &text[colon + 1..] {
        b"0" => 0,
        to => values::signal(to)?,
    };
    Some((from, to))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        parse(Strings::leak(argv), Strings::leak(env))
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
    fn long_values_inline_or_next() {
        let c = parse_as(&["boxinit", "--grace=2s", "--unshare", "uts", "x"], &[]).unwrap();
        assert_eq!(c.supervision.grace_ms, Some(2000));
        assert_eq!(c.namespaces.0, libc::CLONE_NEWUTS);
    }

    #[test]
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
        assert!(!c.supervision.session);
    }

    #[test]
    fn personalities_pick_defaults_and_flags() {
        let c = parse_as(&["dumb-init", "x"], &[]).unwrap();
        assert!(c.supervision.session && c.supervision.group);
        let stop = libc::SIGSTOP as u8;
        assert_eq!(c.supervision.rewrite[libc::SIGTSTP as usize], stop);
        let c = parse_as(&["dumb-init", "-r", "TSTP:USR1", "x"], &[]).unwrap();
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
        assert!(!c.supervision.session && !c.supervision.group);
        let c = parse_as(&["dumb-init", "x"], &["DUMB_INIT_SETSID=0"]).unwrap();
        assert!(!c.supervision.session);
        let c = parse_as(&["tini", "x"], &["TINI_KILL_PROCESS_GROUP=1"]).unwrap();
        assert!(c.supervision.group);
        // Each program's own flags only; boxinit takes them all.
        assert!(parse_as(&["tini", "-c", "x"], &[]).is_err());
        assert!(parse_as(&["dumb-init", "-s", "x"], &[]).is_err());
        assert!(parse_as(&["catatonit", "-P"], &[]).unwrap().pause);
        assert!(parse_as(&["boxinit", "-s", "-c", "-P", "-g", "x"], &[]).is_ok());
    }

    #[test]
    fn bad_input_is_refused() {
        for argv in [
            &["boxinit", "--bogus"][..],
            &["boxinit", "-Z"],
            &["boxinit", "--rootfs"],
            &["boxinit", "--rootfs="],
            &["boxinit", "--rootfs", "/nonexistent"],
            &["boxinit", "--rootfs", "/etc/passwd"],
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
        assert!(parse_as(&["boxinit", "--hostname", &"h".repeat(64), "x"], &[]).is_ok());
    }

    #[test]
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

    #[test]
    fn rewrites() {
        assert_eq!(parse_rewrite(b"15:3"), Some((15, 3)));
        assert_eq!(parse_rewrite(b"TERM:QUIT"), Some((15, 3)));
        assert_eq!(parse_rewrite(b"15:0"), Some((15, 0)));
        assert_eq!(parse_rewrite(b"15"), None);
        assert_eq!(parse_rewrite(b"0:15"), None);
    }
}
