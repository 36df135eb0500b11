//! The account-file line parsers of boxinit::accounts (/etc/passwd, /etc/group, /etc/subuid
//! and /etc/subgid, read from the host and from an untrusted rootfs) on arbitrary bytes:
//! each gives an entry or None, never a panic. The first byte picks the parser, the rest is
//! one line; an entry is checked against what the parser promises, and written back out as
//! a line that parses to the same entry.
#![no_main]

use libfuzzer_sys::fuzz_target;

use boxinit::{accounts, values};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, line)) = data.split_first() else {
        return;
    };
    match pick % 4 {
        0 => {
            if let Some(n) = accounts::id(line) {
                // A 32-bit id, never -1 ("no id"), written as the digits given.
                assert!(n < u32::MAX);
                assert_eq!(accounts::id(n.to_string().as_bytes()), Some(n));
                assert!(line.iter().all(u8::is_ascii_digit));
            }
        }
        1 => {
            if let Some(p) = accounts::passwd(line) {
                assert!(field_of(line, p.name) && field_of(line, p.home));
                assert!(p.uid < u32::MAX && p.gid < u32::MAX);
                let again: [&[u8]; 7] = [
                    p.name,
                    b"x",
                    &id(p.uid),
                    &id(p.gid),
                    b"",
                    p.home,
                    b"/bin/sh",
                ];
                assert_eq!(accounts::passwd(&again.join(&b':')), Some(p));
            }
        }
        2 => {
            if let Some(g) = accounts::group(line) {
                assert!(field_of(line, g.name) && field_of(line, g.members));
                assert!(g.gid < u32::MAX);
                // Every listed member is a member; nothing with a comma in it is.
                for member in g.members.split(|&c| c == b',') {
                    assert!(g.has_member(member));
                    let mut two = member.to_vec();
                    two.push(b',');
                    assert!(!g.has_member(&two));
                }
                let again: [&[u8]; 4] = [g.name, b"x", &id(g.gid), g.members];
                assert_eq!(accounts::group(&again.join(&b':')), Some(g));
            }
        }
        _ => {
            if let Some(s) = accounts::subids(line) {
                assert!(field_of(line, s.owner));
                assert!(s.start < u32::MAX && s.count > 0 && s.count < u32::MAX);
                let again: [&[u8]; 3] = [s.owner, &id(s.start), &id(s.count)];
                assert_eq!(accounts::subids(&again.join(&b':')), Some(s));
            }
        }
    }
});

/// Whether `field` is one whole `:`-separated field of `line` (never a part of one, nor
/// text that runs across a separator).
fn field_of(line: &[u8], field: &[u8]) -> bool {
    field.is_empty() || line.split(|&c| c == b':').any(|f| f == field)
}

fn id(n: u32) -> Vec<u8> {
    n.to_string().into_bytes()
}
