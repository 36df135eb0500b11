//! Who the command runs as and what it may do: `--user`, `--groups`, capabilities and
//! no_new_privs. boxinit resolves names before it starts the command (in the container, so
//! from the rootfs's /etc/passwd and /etc/group); the command's process alone then changes
//! its ids, capabilities and limits just before exec. boxinit itself keeps what it had, to
//! go on supervising (and signalling) whatever the command becomes.
//!
//! Without a container and without `--user`, `--groups` or `--cap-*`, nothing changes: plain
//! supervision stays what tini does.

use crate::accounts;
use crate::config::Opt;
use crate::config::{Namespaces, PrivilegeOptions, Rlimits};
use crate::container::Refuse;
use crate::out::Failure;
use crate::sys::{self, Errno, Fd, Strings};
use crate::values;
use core::ffi::CStr;

/// Capability names, in number order (capability.h up to CAP_CHECKPOINT_RESTORE), in one
/// string: a table of 41 slices would cost three times the bytes.
const CAP_NAMES: &str = "chown dac_override dac_read_search fowner fsetid kill setgid setuid \
    setpcap linux_immutable net_bind_service net_broadcast net_admin net_raw ipc_lock \
    ipc_owner sys_module sys_rawio sys_chroot sys_ptrace sys_pacct sys_admin sys_boot sys_nice \
    sys_resource sys_time sys_tty_config mknod lease audit_write audit_control setfcap \
    mac_override mac_admin syslog wake_alarm block_suspend audit_read perfmon bpf \
    checkpoint_restore";

/// What root keeps in a container: crun's (and Docker's) default set.
pub const DEFAULT_CAPS: u64 = 1 << 0 // chown
    | 1 << 1 // dac_override
    | 1 << 3 // fowner
    | 1 << 4 // fsetid
    | 1 << 5 // kill
    | 1 << 6 // setgid
    | 1 << 7 // setuid
    | 1 << 8 // setpcap
    | 1 << 10 // net_bind_service
    | 1 << 13 // net_raw
    | 1 << 18 // sys_chroot
    | 1 << 27 // mknod
    | 1 << 29 // audit_write
    | 1 << 31; // setfcap

/// Every capability, known to us or not: kept ones are later cut to what the kernel has.
const ALL_CAPS: u64 = u64::MAX;

impl PrivilegeOptions {
    /// `--user USER[:GROUP]`: neither part empty (`1000:` and `:1000` say nothing of one).
    pub fn set_user(&mut self, spec: &'static [u8]) -> Result<(), Failure> {
        match user_parts(spec) {
            (b"", _) => Err(Failure::plain(c"--user has an empty user:", spec)),
            (_, Some(b"")) => Err(Failure::plain(c"--user has an empty group:", spec)),
            _ => {
                self.user = Some(spec);
                Ok(())
            }
        }
    }

    /// `--cap-add LIST` (names, with or without `CAP_`, any case, or `all`).
    pub fn add_caps(&mut self, list: &'static [u8]) -> Result<(), Failure> {
        let caps = parse_caps(list)?;
        self.cap_add |= caps;
        self.cap_drop &= !caps;
        self.caps_given = true;
        Ok(())
    }

    /// `--cap-drop LIST`; of an add and a drop of the same capability, the later wins.
    pub fn drop_caps(&mut self, list: &'static [u8]) -> Result<(), Failure> {
        let caps = parse_caps(list)?;
        self.cap_drop |= caps;
        self.cap_add &= !caps;
        self.caps_given = true;
        Ok(())
    }
}

fn parse_caps(list: &'static [u8]) -> Result<u64, Failure> {
    let mut caps = 0;
    for name in values::split(list, b',') {
        caps |= cap_bit(name).ok_or(Failure::plain(c"unknown capability", name))?;
    }
    Ok(caps)
}

fn cap_bit(name: &[u8]) -> Option<u64> {
    if values::same_ignoring_case(name, b"all") {
        return Some(ALL_CAPS);
    }
    let name = match name.get(..4) {
        Some(prefix) if values::same_ignoring_case(prefix, b"CAP_") => &name[4..],
        _ => name,
    };
    let n = values::word_index(CAP_NAMES, name)?;
    Some(1 << n)
}

/// Room for the supplementary groups, the home directory and a user name.
const MAX_GROUPS: usize = 32;
type Groups = heapless::Vec<u32, MAX_GROUPS>;
type Bytes = heapless::Vec<u8, 256>;

/// Who the command becomes.
struct Ids {
    uid: u32,
    gid: u32,
    groups: Groups,
    /// False in a user namespace whose setgroups is denied and when --groups was not given:
    /// the groups the command has cannot be changed there, and cannot be seen either.
    set_groups: bool,
}

/// What the command's process does just before exec, worked out by boxinit beforehand.
pub struct Privileges {
    ids: Option<Ids>,
    /// The bounding set and what the command holds, when capabilities are to be set.
    caps: Option<(u64, u64)>,
    target_is_root: bool,
    no_new_privs: bool,
    rlimits: Rlimits,
}

/// Resolve the options into what the command gets, reading /etc/passwd and /etc/group of
/// the root we are in now (the rootfs, once pivoted into). Returns the command's
/// environment too: with --user, HOME is the user's home (or /), as gosu sets it.
pub fn resolve(
    opts: &PrivilegeOptions,
    namespaces: Namespaces,
    refuse: Refuse,
    env: Strings,
) -> Result<(Privileges, Strings), Failure> {
    let container = !namespaces.is_empty();
    let mut env = env;
    let ids = if opts.user.is_some() || opts.groups.is_some() {
        let mut home = Bytes::new();
        let ids = resolve_ids(opts, refuse, &mut home)?;
        if opts.user.is_some() {
            env = sys::env_with(env, b"HOME", &home)
                .map_err(|e| Failure::os(c"setting HOME for", opts.user.unwrap_or(b""), e))?;
        }
        Some(ids)
    } else {
        None
    };
    // Only capabilities care whether the command runs as root (no getuid for a plain start).
    let has_caps = container || opts.caps_given;
    let target_is_root = match &ids {
        Some(ids) => ids.uid == 0,
        None => has_caps && sys::getuid() == 0,
    };
    let caps = has_caps.then(|| {
        let base = if container { DEFAULT_CAPS } else { ALL_CAPS };
        let bounding = (base & !opts.cap_drop) | opts.cap_add;
        let held = if target_is_root {
            bounding
        } else {
            opts.cap_add & bounding
        };
        (bounding, held)
    });
    let privileges = Privileges {
        ids,
        caps,
        target_is_root,
        no_new_privs: container && !opts.allow_new_privs,
        rlimits: opts.rlimits,
    };
    Ok((privileges, env))
}

/// `USER[:GROUP]` split at the colon.
pub fn user_parts(spec: &'static [u8]) -> (&'static [u8], Option<&'static [u8]>) {
    match spec.iter().position(|&c| c == b':') {
        Some(colon) => (&spec[..colon], Some(&spec[colon + 1..])),
        None => (spec, None),
    }
}

/// `refuse` names an option in a refusal as it was given.
fn resolve_ids(opts: &PrivilegeOptions, refuse: Refuse, home: &mut Bytes) -> Result<Ids, Failure> {
    let spec = opts.user.unwrap_or(b"");
    let (user, group) = user_parts(spec);
    // The passwd entry, by number or name: its uid, gid, name and home.
    let mut name = Bytes::new();
    let mut entry: Option<(u32, u32)> = None;
    let mut too_long = false;
    let number = accounts::id(user);
    if opts.user.is_some() {
        each_line(c"/etc/passwd", &mut |line| {
            let Some(p) = accounts::passwd(line) else {
                return false;
            };
            if number.map_or(p.name != user, |uid| p.uid != uid) {
                return false;
            }
            entry = Some((p.uid, p.gid));
            too_long = copy(&mut name, p.name) || copy(home, p.home);
            true
        })?;
    }
    if too_long {
        return Err(Failure::plain(
            c"name or home too long in /etc/passwd:",
            user,
        ));
    }
    let uid = match (entry, number) {
        (Some((uid, _)), _) => uid,
        (None, Some(uid)) => uid,
        (None, None) if opts.user.is_none() => sys::getuid(),
        (None, None) => {
            let why = b" names no user in /etc/passwd";
            return Err(not_found(Opt::User, refuse, user, why));
        }
    };
    if home.is_empty() {
        let _ = home.push(b'/');
    }
    let gid = match group {
        Some(group) => group_id(group, Opt::User, refuse)?,
        // Docker, podman and gosu give a user without a passwd entry group 0.
        None => entry.map_or(
            if opts.user.is_some() {
                0
            } else {
                sys::getgid()
            },
            |e| e.1,
        ),
    };

    let mut groups = Groups::new();
    let too_many = || Failure::plain(c"more supplementary groups than 32 for", spec);
    if let Some(list) = opts.groups {
        for item in values::split(list, b',') {
            let gid = group_id(item, Opt::Groups, refuse)?;
            groups.push(gid).map_err(|_| too_many())?;
        }
    } else {
        // initgroups: the primary group and every group that lists the user.
        groups.push(gid).map_err(|_| too_many())?;
        if !name.is_empty() {
            let mut full = false;
            each_line(c"/etc/group", &mut |line| {
                if let Some(g) = accounts::group(line) {
                    if g.has_member(&name) && groups.iter().all(|&id| id != g.gid) {
                        full = groups.push(g.gid).is_err();
                    }
                }
                full
            })?;
            if full {
                return Err(too_many());
            }
        }
    }
    Ok(Ids {
        uid,
        gid,
        groups,
        set_groups: opts.groups.is_some() || !setgroups_denied(),
    })
}

/// A group by number, or by name from /etc/group; `opt` named it.
fn group_id(group: &'static [u8], opt: Opt, refuse: Refuse) -> Result<u32, Failure> {
    if let Some(gid) = accounts::id(group) {
        return Ok(gid);
    }
    let mut found = None;
    each_line(c"/etc/group", &mut |line| {
        found = accounts::group(line)
            .filter(|g| g.name == group)
            .map(|g| g.gid);
        found.is_some()
    })?;
    let why = b" names no group in /etc/group";
    found.ok_or_else(|| not_found(opt, refuse, group, why))
}

/// `id`, given by `opt`, was found in neither file: a number the kernel does not take (ids
/// are 32 bits, and -1 is none), or a name missing from the file, as `missing` says.
#[cold]
fn not_found(opt: Opt, refuse: Refuse, id: &'static [u8], missing: &[u8]) -> Failure {
    let why = match id.iter().all(u8::is_ascii_digit) {
        true => b" is not a valid id",
        false => missing,
    };
    refuse(opt, why, id)
}

/// Whether this user namespace forbids setgroups (an unprivileged one-id map).
fn setgroups_denied() -> bool {
    let mut buf = [0u8; 8];
    Fd::open(c"/proc/self/setgroups", libc::O_RDONLY)
        .and_then(|fd| fd.read(&mut buf))
        .is_ok_and(|n| buf[..n].starts_with(b"deny"))
}

/// Copy `from` into `to`; true when it does not fit.
fn copy(to: &mut Bytes, from: &[u8]) -> bool {
    to.clear();
    to.extend_from_slice(from).is_err()
}

/// Call `line` with each line of the file at `path` until it returns true. A missing file
/// has no lines (a rootfs may have no /etc/group); a line longer than 4 KiB is an error.
pub(super) fn each_line(
    path: &'static CStr,
    line: &mut dyn FnMut(&[u8]) -> bool,
) -> Result<(), Failure> {
    let fail = |e| Failure::os(c"reading", path.to_bytes(), e);
    let fd = match Fd::open(path, libc::O_RDONLY) {
        Ok(fd) => fd,
        Err(Errno::ENOENT) => return Ok(()),
        Err(e) => return Err(fail(e)),
    };
    let mut buf = [0u8; 4096];
    let mut filled = 0;
    loop {
        let n = fd.read(&mut buf[filled..]).map_err(fail)?;
        filled += n;
        let mut start = 0;
        while let Some(end) = buf[start..filled].iter().position(|&c| c == b'\n') {
            if line(&buf[start..start + end]) {
                return Ok(());
            }
            start += end + 1;
        }
        if n == 0 {
            // The end: a last line without a newline.
            if start < filled {
                line(&buf[start..filled]);
            }
            return Ok(());
        }
        if start == 0 && filled == buf.len() {
            return Err(fail(Errno::E2BIG));
        }
        buf.copy_within(start..filled, 0);
        filled -= start;
    }
}

impl Privileges {
    /// In the command's process, just before exec: limits, the bounding set, the ids, the
    /// other capability sets, no_new_privs. Each step needs what the one before may take.
    /// Not inlined: its frame is gone before execvp's path buffer goes on the same stack.
    #[inline(never)]
    pub fn apply(&self) -> Result<(), Failure> {
        self.rlimits.apply()?;
        self.apply_caps_and_ids()
            .map_err(|(what, e)| Failure::os_bare(what, e))
    }

    /// `apply`'s steps after the limits; a failure is what was being done and its errno,
    /// made into one `Failure` by the caller.
    fn apply_caps_and_ids(&self) -> Result<(), (&'static CStr, Errno)> {
        let fail = |what| move |e| (what, e);
        if let Some((bounding, _)) = self.caps {
            // Dropping from the bounding set needs CAP_SETPCAP, which the next steps take.
            for cap in (0..64).filter(|cap| bounding & 1 << cap == 0) {
                match sys::drop_bounding_cap(cap) {
                    Err(Errno::EINVAL) => break, // past the kernel's last capability
                    result => result.map_err(fail(c"dropping capabilities"))?,
                }
            }
        }
        if let Some(ids) = &self.ids {
            if !self.target_is_root && self.caps.is_some_and(|(_, held)| held != 0) {
                sys::keep_caps().map_err(fail(c"keeping capabilities"))?;
            }
            // The kernel takes only ids the user namespace maps: a name found in the rootfs
            // may stand for one that is not (a number was checked before the start).
            let id =
                |what, unmapped| move |e| (if e == Errno::EINVAL { unmapped } else { what }, e);
            if ids.set_groups {
                let unmapped = c"setting groups (one is not mapped: --map-gid, --map-groups)";
                sys::set_groups(&ids.groups).map_err(id(c"setting groups", unmapped))?;
            }
            let unmapped = c"setting gid (not mapped: --map-gid, --map-groups)";
            sys::set_gid(ids.gid).map_err(id(c"setting gid", unmapped))?;
            let unmapped = c"setting uid (not mapped: --map-uid, --map-users)";
            sys::set_uid(ids.uid).map_err(id(c"setting uid", unmapped))?;
        }
        if let Some((_, held)) = self.caps {
            let have = sys::capget().map_err(fail(c"reading capabilities"))?;
            let held = held & have.permitted;
            // Root gets its permitted set from the bounding set at exec; anyone else only
            // through the ambient set, which needs the inheritable one.
            let inheritable = if self.target_is_root { 0 } else { held };
            sys::capset(sys::CapSets {
                permitted: held,
                effective: held,
                inheritable,
            })
            .map_err(fail(c"setting capabilities"))?;
            for cap in (0..64).filter(|cap| inheritable & 1 << cap != 0) {
                sys::raise_ambient_cap(cap).map_err(fail(c"raising ambient capabilities"))?;
            }
        }
        if self.no_new_privs {
            sys::set_no_new_privs().map_err(fail(c"setting no_new_privs"))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capability_names() {
        assert_eq!(cap_bit(b"chown"), Some(1));
        assert_eq!(cap_bit(b"CAP_NET_ADMIN"), Some(1 << 12));
        assert_eq!(cap_bit(b"Sys_Admin"), Some(1 << 21));
        assert_eq!(cap_bit(b"checkpoint_restore"), Some(1 << 40));
        assert_eq!(cap_bit(b"ALL"), Some(ALL_CAPS));
        assert_eq!(cap_bit(b"cap_"), None);
        assert_eq!(cap_bit(b"bogus"), None);
        assert_eq!(cap_bit(b""), None);
        assert_eq!(DEFAULT_CAPS.count_ones(), 14);
    }

    #[test]
    fn later_add_or_drop_wins() {
        let mut p = PrivilegeOptions::default();
        p.drop_caps(b"all").unwrap();
        p.add_caps(b"chown,kill").unwrap();
        assert_eq!((DEFAULT_CAPS & !p.cap_drop) | p.cap_add, 1 | 1 << 5);
        let mut p = PrivilegeOptions::default();
        p.add_caps(b"all").unwrap();
        p.drop_caps(b"net_raw").unwrap();
        assert_eq!((DEFAULT_CAPS & !p.cap_drop) | p.cap_add, !(1 << 13));
        assert!(p.add_caps(b"chown,nope").is_err());
        assert!(p.drop_caps(b"").is_err());
    }
}
