//! The user namespace's id maps: who the ids inside are on the host.
//!
//! Three ways to write them, after the unshare that made the namespace:
//! - one id (the default, as `unshare -r` does): the caller's uid and gid become 0 (or
//!   `--uid`/`--gid`) inside. The kernel lets a process map its own ids into a namespace it
//!   made, once setgroups is denied, so boxinit writes these itself.
//! - ranges from root (`--map-uid`/`--map-gid`): only a process outside the namespace, with
//!   CAP_SETUID there, may write them. A writer forked before the unshare waits on a pipe,
//!   writes /proc/PID/uid_map when told, and exits; boxinit waits for it.
//! - ranges for anyone else (`--map-users auto`, or `--map-uid` within the caller's
//!   /etc/subuid ranges): the same writer runs the setuid helpers newuidmap and newgidmap
//!   (package uidmap), which check the ranges against /etc/subuid and /etc/subgid, as podman
//!   does.

use super::privileges::each_line;
use crate::accounts;
use crate::config::{IdMapOptions, IdRange, IdRanges, Namespaces, PrivilegeOptions};
use crate::out::{self, Failure};
use crate::sys::{self, Errno, Fd, Pid, Strings};
use crate::values;
use core::ffi::CStr;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Uid,
    Gid,
}

impl IdMapOptions {
    /// `--map-uid IN:OUT:COUNT[,...]` (repeatable).
    pub fn add_uid_maps(&mut self, list: &'static [u8]) -> Result<(), Failure> {
        parse_ranges(list, &mut self.uids, b"--map-uid")
    }

    pub fn add_gid_maps(&mut self, list: &'static [u8]) -> Result<(), Failure> {
        parse_ranges(list, &mut self.gids, b"--map-gid")
    }

    /// An id of `--user` (then true) or of `--groups` that the user namespace these options
    /// make does not map. Only ids given as numbers: names are looked up in the rootfs, later.
    pub fn unmapped(&self, who: &PrivilegeOptions) -> Option<(bool, &'static [u8])> {
        // (Not given, they are empty: no number.)
        let (user, group) = super::privileges::user_parts(who.user.unwrap_or(b""));
        let group = group.unwrap_or(b"");
        if !self.maps(Kind::Uid, user) || !self.maps(Kind::Gid, group) {
            let id = if self.maps(Kind::Uid, user) {
                group
            } else {
                user
            };
            return Some((true, id));
        }
        let groups = values::split(who.groups.unwrap_or(b""), b',');
        groups
            .filter(|&g| !self.maps(Kind::Gid, g))
            .map(|g| (false, g))
            .next()
    }

    /// Whether the user namespace these options make maps `id` (a number: a name is taken as
    /// mapped). With `auto` only the caller's /etc/subuid or /etc/subgid knows: mapped too.
    #[inline(never)]
    fn maps(&self, kind: Kind, id: &[u8]) -> bool {
        let (ranges, auto, inside) = kind.options(self);
        let Some(id) = accounts::id(id).filter(|_| !auto) else {
            return true;
        };
        match ranges.is_empty() {
            true => id == inside.unwrap_or(0),
            false => ranges
                .iter()
                .any(|r| r.inside <= id && (id as u64) < r.inside as u64 + r.count as u64),
        }
    }

    /// Whether setgroups is denied in the user namespace these options make: the one-id gid
    /// map is written so, as the kernel wants it.
    pub fn denies_setgroups(&self) -> bool {
        self.gids.is_empty() && !self.auto_gids
    }

    /// `--uid N`: the caller's uid inside the one-id map.
    pub fn set_inside_uid(&mut self, id: &'static [u8]) -> Result<(), Failure> {
        self.inside_uid = Some(accounts::id(id).ok_or(Failure::plain(c"invalid --uid", id))?);
        Ok(())
    }

    pub fn set_inside_gid(&mut self, id: &'static [u8]) -> Result<(), Failure> {
        self.inside_gid = Some(accounts::id(id).ok_or(Failure::plain(c"invalid --gid", id))?);
        Ok(())
    }

    /// Whether any map option was given (each asks for a user namespace).
    pub fn given(&self) -> bool {
        !self.uids.is_empty()
            || !self.gids.is_empty()
            || self.auto_uids
            || self.auto_gids
            || self.inside_uid.is_some()
            || self.inside_gid.is_some()
    }

    /// --uid and --gid name the one id of the default map; with ranges they mean nothing.
    pub fn check(&self) -> Result<(), Failure> {
        let ranges_u = !self.uids.is_empty() || self.auto_uids;
        let ranges_g = !self.gids.is_empty() || self.auto_gids;
        if (ranges_u && self.inside_uid.is_some()) || (ranges_g && self.inside_gid.is_some()) {
            return Err(Failure::plain_bare(
                c"--uid and --gid apply to the one-id map only; use --user with ranges",
            ));
        }
        Ok(())
    }
}

fn parse_ranges(list: &'static [u8], into: &mut IdRanges, option: &[u8]) -> Result<(), Failure> {
    let want = b" (want INSIDE:OUTSIDE:COUNT, apart from the others):";
    for item in values::split(list, b',') {
        let bad = || {
            let what = sys::keep(&[b"invalid ", option, want]);
            Failure::plain(what.unwrap_or(c"invalid id map:"), item)
        };
        // The kernel refuses ranges that overlap, inside or outside (EINVAL).
        let range = parse_range(item)
            .filter(|r| into.iter().all(|s| apart(r, s)))
            .ok_or_else(bad)?;
        into.push(range)
            .map_err(|_| Failure::plain(c"more than 8 id maps:", item))?;
    }
    Ok(())
}

fn apart(r: &IdRange, s: &IdRange) -> bool {
    let apart = |a: u32, b: u32| {
        a as u64 + r.count as u64 <= b as u64 || b as u64 + s.count as u64 <= a as u64
    };
    apart(r.inside, s.inside) && apart(r.outside, s.outside)
}

fn parse_range(text: &[u8]) -> Option<IdRange> {
    let mut f = values::split(text, b':');
    let inside = accounts::id(f.next()?)?;
    let outside = accounts::id(f.next()?)?;
    // Up to the whole id space (0:0:4294967295), which no range may run past.
    let count = crate::values::number(f.next()?).filter(|&c| c > 0)?;
    let fits = |start: u32| start as u64 + count <= u32::MAX as u64;
    (f.next().is_none() && fits(inside) && fits(outside)).then_some(IdRange {
        inside,
        outside,
        count: count as u32,
    })
}

/// The maps of a user namespace about to be made: `start` before the unshare, `finish`
/// after it.
pub struct Pending {
    one_ids: [Option<(u32, u32)>; 2],
    go: Option<Fd>,
    /// Each writer, and whether it runs a helper.
    writers: heapless::Vec<(Pid, bool), 2>,
}

/// Before the unshare: work out both maps, check them, and fork the writers they need.
/// Out of line: inlined into the run, with its `Pending` moved through it, it takes 320
/// bytes more.
#[inline(never)]
pub fn start(opts: &IdMapOptions, namespaces: Namespaces) -> Result<Pending, Failure> {
    let mut pending = Pending {
        one_ids: [None, None],
        go: None,
        writers: heapless::Vec::new(),
    };
    if !namespaces.has(libc::CLONE_NEWUSER) {
        return Ok(pending);
    }
    let root = sys::geteuid() == 0;
    let uid = sys::getuid();
    let explicit = !opts.uids.is_empty() || !opts.gids.is_empty();
    // /etc/subuid and /etc/subgid name the caller by user name (or number), both of them.
    let name = if opts.auto_uids || opts.auto_gids || (explicit && !root) {
        user_name(uid)?
    } else {
        Bytes::new()
    };
    let owner = Owner { uid, name: &name };
    let pid = sys::getpid();
    let mut wait: Option<Fd> = None;
    for (kind, own) in [(Kind::Uid, uid), (Kind::Gid, sys::getgid())] {
        let mut ranges = IdRanges::new();
        if let Some(one_id) = plan(kind, opts, own, &owner, root, &mut ranges)? {
            pending.one_ids[kind as usize] = Some(one_id);
            continue;
        }
        if wait.is_none() {
            let (read, go) = sys::pipe().map_err(|e| Failure::os_bare(c"making a pipe", e))?;
            (wait, pending.go) = (Some(read), Some(go));
        }
        let fork = sys::fork().map_err(|e| Failure::os_bare(c"forking", e))?;
        match (fork, &wait) {
            (None, Some(wait)) => {
                // Our copy of the write end goes, so that boxinit's closing it ends the wait.
                pending.go = None;
                // The ranges given, or else the caller's own.
                let given = kind.options(opts).0;
                let ranges = if given.is_empty() { &ranges } else { given };
                sys::exit(write_outside(kind, pid, ranges, !root, wait));
            }
            (child, _) => {
                let _ = pending.writers.push((child.unwrap_or(0), !root));
            }
        }
    }
    Ok(pending)
}

impl Pending {
    /// After the unshare: tell the writers to go and wait for them, then write the one-id
    /// maps. Dropped without this (the unshare failed), the writers see the pipe close and
    /// exit without writing. Out of line: inlined into the run it takes 64 bytes more.
    #[inline(never)]
    pub fn finish(mut self) -> Result<(), Failure> {
        if let Some(go) = self.go.take() {
            let _ = go.write(&[1, 1][..self.writers.len()]);
        }
        for &(writer, helper) in &self.writers {
            let status = sys::wait_child(writer).map_err(|e| Failure::os_bare(c"waiting", e))?;
            if status != 0 {
                // The writer said why: newuidmap on its own, a direct write by its errno.
                return Err(match status {
                    1..=124 if !helper => {
                        Failure::os_bare(c"writing the id map", Errno::new(status as i32))
                    }
                    _ => Failure::plain_bare(c"mapping ids failed"),
                });
            }
        }
        if let Some((inside, own)) = self.one_ids[Kind::Gid as usize] {
            // The kernel's condition for an unprivileged gid map (CVE-2014-8989).
            write_file(c"/proc/self/setgroups", b"deny")?;
            write_file(c"/proc/self/gid_map", &one_line(inside, own))?;
        }
        if let Some((inside, own)) = self.one_ids[Kind::Uid as usize] {
            write_file(c"/proc/self/uid_map", &one_line(inside, own))?;
        }
        if !self.writers.is_empty() {
            // With ranges our own ids may map to nothing (root's 0 rarely does): become 0
            // inside, as runtimes start a container's process, with no host groups left.
            // Where 0 is not mapped (EINVAL) we stay who we are; --user can still pick one.
            // (newgidmap denies setgroups for a caller's own gid alone: then they stay.)
            let _ = sys::set_groups(&[]);
            become_root(sys::set_gid(0))?;
            become_root(sys::set_uid(0))?;
        }
        Ok(())
    }
}

fn become_root(result: Result<(), Errno>) -> Result<(), Failure> {
    match result {
        Ok(()) | Err(Errno::EINVAL) => Ok(()),
        Err(e) => Err(Failure::os_bare(c"becoming root in the user namespace", e)),
    }
}

type Bytes = heapless::Vec<u8, 256>;
type Text = heapless::Vec<u8, 512>;

/// Who /etc/subuid and /etc/subgid must name.
struct Owner<'a> {
    uid: u32,
    name: &'a [u8],
}

impl Owner<'_> {
    fn is(&self, owner: &[u8]) -> bool {
        (!self.name.is_empty() && owner == self.name) || accounts::id(owner) == Some(self.uid)
    }
}

impl Kind {
    /// Its options: the ranges given, `auto`, and the one id inside.
    fn options(self, opts: &IdMapOptions) -> (&IdRanges, bool, Option<u32>) {
        match self {
            Kind::Uid => (&opts.uids, opts.auto_uids, opts.inside_uid),
            Kind::Gid => (&opts.gids, opts.auto_gids, opts.inside_gid),
        }
    }

    fn subid_file(self) -> &'static CStr {
        match self {
            Kind::Uid => c"/etc/subuid",
            Kind::Gid => c"/etc/subgid",
        }
    }

    fn helper(self) -> &'static CStr {
        match self {
            Kind::Uid => c"/usr/bin/newuidmap",
            Kind::Gid => c"/usr/bin/newgidmap",
        }
    }

    fn map_file(self) -> &'static [u8] {
        match self {
            Kind::Uid => b"/uid_map\0",
            Kind::Gid => b"/gid_map\0",
        }
    }
}

/// How the map of `kind` gets written, checked as far as boxinit can before the unshare:
/// the one id (inside, outside) that boxinit writes itself, or None for a writer outside,
/// which writes the ranges given, or else the caller's own that this fills `ranges` with.
/// Out of line: inlined into `start` it takes 32 bytes more (x86_64).
#[inline(never)]
fn plan(
    kind: Kind,
    opts: &IdMapOptions,
    own: u32,
    owner: &Owner,
    root: bool,
    ranges: &mut IdRanges,
) -> Result<Option<(u32, u32)>, Failure> {
    let (explicit, auto, inside) = kind.options(opts);
    let subids = kind.subid_file();
    if explicit.is_empty() && !auto {
        return Ok(Some((inside.unwrap_or(0), own)));
    }
    // What the caller may map: its own id and its subordinate ranges (podman's map).
    if auto || !root {
        caller_ranges(own, subids, owner, ranges)?;
        if auto && ranges.len() == 1 {
            return Err(Failure::plain(
                c"no ranges for the caller in",
                subids.to_bytes(),
            ));
        }
    }
    if !explicit.is_empty() {
        let within = |r: &IdRange| {
            let end = r.outside as u64 + r.count as u64;
            ranges
                .iter()
                .any(|a| a.outside <= r.outside && end <= a.outside as u64 + a.count as u64)
        };
        if !root && !explicit.iter().all(within) {
            return Err(Failure::plain(
                c"id map not allowed for the caller by",
                subids.to_bytes(),
            ));
        }
    }
    if !root {
        sys::is_directory(kind.helper())
            .map_err(|e| Failure::os(c"looking for", kind.helper().to_bytes(), e))?;
    }
    Ok(None)
}

/// Podman's rootless map: the caller is 0, its subordinate ranges follow from 1.
fn caller_ranges(
    own: u32,
    subids: &'static CStr,
    owner: &Owner,
    ranges: &mut IdRanges,
) -> Result<(), Failure> {
    let _ = ranges.push(IdRange {
        inside: 0,
        outside: own,
        count: 1,
    });
    let mut next: u32 = 1;
    let mut full = false;
    each_line(subids, &mut |line| {
        let Some(s) = accounts::subids(line).filter(|s| owner.is(s.owner)) else {
            return false;
        };
        let range = IdRange {
            inside: next,
            outside: s.start,
            count: s.count,
        };
        full = next.checked_add(s.count).is_none() || ranges.push(range).is_err();
        next = next.wrapping_add(s.count);
        full
    })?;
    if full {
        return Err(Failure::plain(
            c"more than 8 ranges for the caller in",
            subids.to_bytes(),
        ));
    }
    Ok(())
}

/// The caller's user name, from the host's /etc/passwd (empty when it has none).
fn user_name(uid: u32) -> Result<Bytes, Failure> {
    let mut name = Bytes::new();
    each_line(
        c"/etc/passwd",
        &mut |line| match accounts::passwd(line).filter(|p| p.uid == uid) {
            Some(p) => {
                let _ = name.extend_from_slice(p.name);
                true
            }
            None => false,
        },
    )?;
    Ok(name)
}

/// The writer process: wait for the go, then write the map of `kind` for process `pid`.
/// Its exit status is 0, an errno of the direct write, or the helper's.
fn write_outside(kind: Kind, pid: Pid, ranges: &IdRanges, helper: bool, wait: &Fd) -> u8 {
    let mut byte = [0u8];
    if wait.read(&mut byte) != Ok(1) {
        return 0; // boxinit gave up before the unshare
    }
    let mut numbers = Text::new();
    push_number(&mut numbers, pid as u32, b'\0');
    if helper {
        for r in ranges {
            for n in [r.inside, r.outside, r.count] {
                push_number(&mut numbers, n, b'\0');
            }
        }
        let mut args: heapless::Vec<&CStr, 31> = heapless::Vec::new();
        let _ = args.push(kind.helper());
        for arg in numbers.split_inclusive(|&c| c == 0) {
            let _ = args.push(sys::c_str(arg).unwrap_or(c""));
        }
        let e = sys::execve_list(kind.helper(), &args, Strings::EMPTY);
        out::error("executing", kind.helper().to_bytes(), Some(e));
        return Failure::STATUS;
    }
    let mut path = Text::new();
    let _ = path.extend_from_slice(b"/proc/");
    let _ = path.extend_from_slice(&numbers[..numbers.len() - 1]);
    let _ = path.extend_from_slice(kind.map_file());
    let mut text = Text::new();
    for r in ranges {
        push_number(&mut text, r.inside, b' ');
        push_number(&mut text, r.outside, b' ');
        push_number(&mut text, r.count, b'\n');
    }
    let path = sys::c_str(&path).unwrap_or(c"");
    match Fd::open(path, libc::O_WRONLY).and_then(|fd| fd.write(&text)) {
        Ok(_) => 0,
        Err(e) => e.into_raw() as u8,
    }
}

fn push_number(text: &mut Text, n: u32, then: u8) {
    let mut digits = [0; 20];
    let _ = text.extend_from_slice(out::decimal(n as u64, &mut digits));
    let _ = text.push(then);
}

fn one_line(inside: u32, outside: u32) -> Text {
    let mut text = Text::new();
    push_number(&mut text, inside, b' ');
    push_number(&mut text, outside, b' ');
    push_number(&mut text, 1, b'\n');
    text
}

fn write_file(path: &'static CStr, text: &[u8]) -> Result<(), Failure> {
    Fd::open(path, libc::O_WRONLY)
        .and_then(|fd| fd.write(text))
        .map(drop)
        .map_err(|e| Failure::os(c"writing", path.to_bytes(), e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_map_ranges() {
        assert_eq!(
            parse_range(b"0:100000:65536"),
            Some(IdRange {
                inside: 0,
                outside: 100000,
                count: 65536
            })
        );
        assert!(parse_range(b"0:0:4294967295").is_some());
        for bad in [
            &b"0:1000"[..],
            b"0:1000:0",
            b"0:1000:1:2",
            b"a:1000:1",
            b"1:4294967295:1",
            b"4294967295:0:1",
            b"1:1:4294967295",
            b"",
        ] {
            assert_eq!(parse_range(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn ranges_have_a_capacity() {
        let mut o = IdMapOptions::default();
        o.add_uid_maps(b"0:1000:1,1:100000:10").unwrap();
        assert_eq!(o.uids.len(), 2);
        assert!(o.given());
        for i in 2..8 {
            let range = format!("{}:{}:1", i * 100, 200_000 + i);
            o.add_uid_maps(range.leak().as_bytes()).unwrap();
        }
        assert!(o.add_uid_maps(b"9:9:1").is_err());
        let mut o = IdMapOptions::default();
        o.add_uid_maps(b"0:100:10").unwrap();
        for overlapping in [&b"5:200:1"[..], b"20:105:1", b"9:109:1"] {
            assert!(o.add_uid_maps(overlapping).is_err());
        }
        o.add_uid_maps(b"10:110:1").unwrap();
        assert!(o.add_gid_maps(b"0:1000:1,").is_err());
    }

    #[test]
    fn inside_ids_only_with_the_one_id_map() {
        let mut o = IdMapOptions::default();
        o.set_inside_uid(b"1000").unwrap();
        assert!(o.check().is_ok());
        o.auto_gids = true;
        assert!(o.check().is_ok());
        o.auto_uids = true;
        assert!(o.check().is_err());
        assert!(o.set_inside_gid(b"-1").is_err());
    }

    #[test]
    fn ids_given_as_numbers_must_be_mapped() {
        let who = |user: &'static str, groups: Option<&'static str>| PrivilegeOptions {
            user: Some(user.as_bytes()),
            groups: groups.map(str::as_bytes),
            ..PrivilegeOptions::default()
        };
        let one_id = IdMapOptions::default();
        assert!(one_id.denies_setgroups());
        assert_eq!(one_id.unmapped(&who("0", None)), None);
        assert_eq!(one_id.unmapped(&who("app", None)), None);
        let unmapped = Some((true, &b"1000"[..]));
        assert_eq!(one_id.unmapped(&who("1000", None)), unmapped);
        assert!(one_id.unmapped(&who("0:5", None)).is_some());
        let mut ranges = IdMapOptions::default();
        ranges.add_uid_maps(b"0:100000:65536").unwrap();
        ranges.add_gid_maps(b"0:100000:10").unwrap();
        assert!(!ranges.denies_setgroups());
        assert_eq!(ranges.unmapped(&who("65535:9", Some("1,audio"))), None);
        assert!(ranges.unmapped(&who("65536", None)).is_some());
        let group = Some((false, &b"10"[..]));
        assert_eq!(ranges.unmapped(&who("0", Some("1,10"))), group);
    }

    #[test]
    fn map_lines() {
        assert_eq!(&one_line(0, 1000)[..], b"0 1000 1\n");
    }
}
