//! Lines of the account files: /etc/passwd, /etc/group, /etc/subuid and /etc/subgid.
//! Pure parsers (no I/O): a line that does not have the expected shape is `None`, and the
//! caller skips it, as libc's getpwnam does.

use crate::values;

/// `name:password:uid:gid:gecos:home:shell`
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Passwd<'a> {
    pub name: &'a [u8],
    pub uid: u32,
    pub gid: u32,
    pub home: &'a [u8],
}

/// `name:password:gid:member,member,...`
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Group<'a> {
    pub name: &'a [u8],
    pub gid: u32,
    pub members: &'a [u8],
}

/// `owner:start:count`, where owner is a user (or group) name or number.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct SubIds<'a> {
    pub owner: &'a [u8],
    pub start: u32,
    pub count: u32,
}

/// A user or group id: a decimal number that fits 32 bits (and is not -1, "no id").
pub fn id(text: &[u8]) -> Option<u32> {
    values::number(text)
        .filter(|&n| n < u32::MAX as u64)
        .map(|n| n as u32)
}

/// The first six `:`-separated fields of a line; those it lacks are empty.
fn fields(line: &[u8]) -> [&[u8]; 6] {
    let mut parts = values::split(line, b':');
    [(); 6].map(|()| parts.next().unwrap_or(b""))
}

pub fn passwd(line: &[u8]) -> Option<Passwd<'_>> {
    let [name, _, uid, gid, _, home] = fields(line);
    Some(Passwd {
        name: nonempty(name)?,
        uid: id(uid)?,
        gid: id(gid)?,
        home,
    })
}

pub fn group(line: &[u8]) -> Option<Group<'_>> {
    let [name, _, gid, members, ..] = fields(line);
    Some(Group {
        name: nonempty(name)?,
        gid: id(gid)?,
        members,
    })
}

impl Group<'_> {
    pub fn has_member(&self, user: &[u8]) -> bool {
        values::split(self.members, b',').any(|m| m == user)
    }
}

pub fn subids(line: &[u8]) -> Option<SubIds<'_>> {
    let [owner, start, count, ..] = fields(line);
    Some(SubIds {
        owner: nonempty(owner)?,
        start: id(start)?,
        count: id(count).filter(|&c| c > 0)?,
    })
}

fn nonempty(name: &[u8]) -> Option<&[u8]> {
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwd_lines() {
        let p = passwd(b"app:x:1000:1001:App,,,:/home/app:/bin/sh").unwrap();
        assert_eq!(p.name, b"app");
        assert_eq!((p.uid, p.gid), (1000, 1001));
        assert_eq!(p.home, b"/home/app");
        let p = passwd(b"nobody:x:65534:65534::/nonexistent:").unwrap();
        assert_eq!(p.home, b"/nonexistent");
        // A line cut short has no home (the caller falls back to /).
        assert_eq!(passwd(b"short:x:1:2:gecos").unwrap().home, b"");
        assert_eq!(passwd(b"short:x:1"), None);
        assert_eq!(passwd(b"bad:x:one:2::/:"), None);
        assert_eq!(passwd(b":x:1:2::/:"), None);
        assert_eq!(passwd(b"# comment"), None);
        assert_eq!(passwd(b""), None);
        assert_eq!(passwd(b"neg:x:4294967295:0::/:"), None);
    }

    #[test]
    fn group_lines() {
        let g = group(b"audio:x:29:pulse,app").unwrap();
        assert_eq!((g.name, g.gid), (&b"audio"[..], 29));
        assert!(g.has_member(b"app") && g.has_member(b"pulse"));
        assert!(!g.has_member(b"ap") && !g.has_member(b""));
        let g = group(b"empty:x:30:").unwrap();
        assert!(!g.has_member(b"app"));
        assert_eq!(group(b"nomembers:x:31").unwrap().members, b"");
        assert_eq!(group(b"bad:x:-1:"), None);
    }

    #[test]
    fn subid_lines() {
        let s = subids(b"app:100000:65536").unwrap();
        assert_eq!((s.owner, s.start, s.count), (&b"app"[..], 100000, 65536));
        assert_eq!(subids(b"1000:200000:10").unwrap().owner, b"1000");
        assert_eq!(subids(b"app:100000:0"), None);
        assert_eq!(subids(b"app:100000"), None);
        assert_eq!(subids(b"app:x:1"), None);
    }
}
