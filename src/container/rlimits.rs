//! `--rlimit NAME=SOFT[:HARD]`: resource limits of the command (not of boxinit), set in its
//! process just before exec, with or without a container.

use crate::config::Opt;
use crate::config::Rlimits;
use crate::container::Refuse;
use crate::out::{self, Failure};
use crate::{sys, values};
use core::ffi::CStr;

/// Names of resources 0..=15, in number order (the generic numbering of x86_64 and aarch64).
const NAMES: &str =
    "CPU FSIZE DATA STACK CORE RSS NPROC NOFILE MEMLOCK AS LOCKS SIGPENDING MSGQUEUE \
    NICE RTPRIO RTTIME";

impl Rlimits {
    /// Add a comma-separated list of `NAME=SOFT[:HARD]`; HARD defaults to SOFT, as
    /// `ulimit` and `docker --ulimit` do. NAME is any case, with or without `RLIMIT_`.
    pub fn add(&mut self, list: &'static [u8]) -> Result<(), Failure> {
        for item in values::split(list, b',') {
            let (resource, soft, hard) = parse(item).ok_or(Failure::plain(
                c"invalid --rlimit (want NAME=SOFT[:HARD], a number or unlimited):",
                item,
            ))?;
            if soft > hard {
                let why = c"invalid --rlimit (the soft limit is above the hard one):";
                return Err(Failure::plain(why, item));
            }
            self.given |= 1 << resource;
            self.limits[resource] = (soft, hard);
        }
        Ok(())
    }

    /// In the command's process, before its privileges go (raising a hard limit needs
    /// CAP_SYS_RESOURCE, which it may be about to lose).
    pub fn apply(&self) -> Result<(), Failure> {
        for (resource, &(soft, hard)) in self.limits.iter().enumerate() {
            if self.given & 1 << resource != 0 {
                sys::set_rlimit(resource as u32, soft, hard).map_err(|e| {
                    Failure::os(c"setting rlimit", values::word(NAMES, resource), e)
                })?;
            }
        }
        Ok(())
    }
}

/// RLIMIT_NOFILE, whose hard limit the kernel keeps at or below fs.nr_open.
const NOFILE: usize = 7;

impl Rlimits {
    /// Refuse now, before anything starts, what `apply` would be refused: a NOFILE above the
    /// kernel's fs.nr_open, or a hard limit above the one we have, which only CAP_SYS_RESOURCE
    /// in the host's user namespace raises (so never in a user namespace of the container's).
    /// `refuse` names the option in a refusal as it was given.
    #[inline(never)]
    pub fn check(&self, refuse: Refuse, in_user_ns: bool) -> Result<(), Failure> {
        let mut given = self.given;
        while given != 0 {
            let resource = given.trailing_zeros() as usize;
            given &= given - 1;
            let hard = self.limits[resource].1;
            let max = match resource {
                NOFILE => nr_open().unwrap_or(u64::MAX),
                _ => u64::MAX,
            };
            let [soft_now, hard_now] = sys::rlimit(resource as u32).unwrap_or([0, u64::MAX]);
            let (why, limit): (&[u8], _) = if hard > max {
                (b" is above the kernel's fs.nr_open (", max)
            } else if hard > hard_now
                && (in_user_ns || !can_raise(resource, soft_now, hard_now, hard))
            {
                (
                    b" needs CAP_SYS_RESOURCE on the host to go above the hard limit (",
                    hard_now,
                )
            } else {
                continue;
            };
            return Err(refused(refuse, resource, hard, why, limit));
        }
        Ok(())
    }
}

/// `--rlimit NAME=HARD<why>LIMIT)`, naming the option as it was given.
#[cold]
fn refused(refuse: Refuse, resource: usize, hard: u64, why: &[u8], limit: u64) -> Failure {
    let mut digits = [[0; 20]; 2];
    let [hard_text, limit_text] = &mut digits;
    let hard_text: &[u8] = match hard {
        u64::MAX => b"unlimited",
        n => out::decimal(n, hard_text),
    };
    let name = values::word(NAMES, resource);
    let limit = out::decimal(limit, limit_text);
    let why = sys::keep(&[b" ", name, b"=", hard_text, why, limit, b")"]);
    let why = why.map_or(&b" is above what the kernel allows"[..], CStr::to_bytes);
    refuse(Opt::Rlimit, why, b"")
}

/// fs.nr_open, if it can be read.
fn nr_open() -> Option<u64> {
    let mut buf = [0; 24];
    let fd = sys::Fd::open(c"/proc/sys/fs/nr_open", libc::O_RDONLY).ok()?;
    let n = fd.read(&mut buf).ok()?;
    // It ends with a newline.
    values::number(&buf[..n.saturating_sub(1)])
}

/// Whether the kernel lets us raise our own hard limit from `now` to `hard` (then put back):
/// the command, started by us, has our privileges when it sets its own.
fn can_raise(resource: usize, soft: u64, now: u64, hard: u64) -> bool {
    let resource = resource as u32;
    sys::set_rlimit(resource, soft, hard).is_ok() && sys::set_rlimit(resource, soft, now).is_ok()
}

fn parse(item: &[u8]) -> Option<(usize, u64, u64)> {
    let eq = item.iter().position(|&c| c == b'=')?;
    let name = &item[..eq];
    let name = match name.get(..7) {
        Some(prefix) if values::same_ignoring_case(prefix, b"RLIMIT_") => &name[7..],
        _ => name,
    };
    let resource = values::word_index(NAMES, name)?;
    let value = &item[eq + 1..];
    let (soft, hard) = match value.iter().position(|&c| c == b':') {
        Some(colon) => (limit(&value[..colon])?, limit(&value[colon + 1..])?),
        None => limit(value).map(|both| (both, both))?,
    };
    Some((resource, soft, hard))
}

/// A limit: a number, or `unlimited` (also `infinity`, as systemd writes it).
fn limit(text: &[u8]) -> Option<u64> {
    match text {
        b"unlimited" | b"infinity" => Some(u64::MAX),
        _ => values::number(text).filter(|&n| n != u64::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rlimit_items() {
        assert_eq!(parse(b"NOFILE=100"), Some((7, 100, 100)));
        assert_eq!(parse(b"nofile=10:20"), Some((7, 10, 20)));
        assert_eq!(parse(b"RLIMIT_CORE=0"), Some((4, 0, 0)));
        assert_eq!(parse(b"core=0:unlimited"), Some((4, 0, u64::MAX)));
        assert_eq!(parse(b"STACK=unlimited"), Some((3, u64::MAX, u64::MAX)));
        assert_eq!(parse(b"RTTIME=1"), Some((15, 1, 1)));
        for bad in [
            &b"NOFILE"[..],
            b"NOFILE=",
            b"BOGUS=1",
            b"=1",
            b"NOFILE=1:2:3",
            b"NOFILE=-1",
            b"NOFILE=1k",
        ] {
            assert_eq!(parse(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn later_limits_win_and_lists_split() {
        let mut r = Rlimits::default();
        r.add(b"NOFILE=1,CPU=2:3").unwrap();
        r.add(b"NOFILE=5").unwrap();
        assert_eq!(r.given, 1 << 7 | 1);
        assert_eq!(r.limits[7], (5, 5));
        assert_eq!(r.limits[0], (2, 3));
        assert!(r.add(b"NOFILE=1,").is_err());
        for soft_above_hard in [&b"NOFILE=20:10"[..], b"NOFILE=unlimited:10"] {
            let refused = r.add(soft_above_hard).unwrap_err();
            assert_eq!(
                refused.what(),
                b"invalid --rlimit (the soft limit is above the hard one):"
            );
        }
    }
}
