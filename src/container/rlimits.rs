//! `--rlimit NAME=SOFT[:HARD]`: resource limits of the command (not of boxinit), set in its
//! process just before exec, with or without a container.

use crate::config::Rlimits;
use crate::out::Failure;
use crate::{sys, values};

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
    (soft <= hard).then_some((resource, soft, hard))
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
            b"NOFILE=20:10",
            b"NOFILE=unlimited:10",
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
    }
}
