//! Value parsers for options and for what boxinit reads from the kernel: numbers, durations,
//! signals, sizes and mount specs. A leaf: it imports nothing of boxinit's, so every other module may use it.

/// The highest signal number (real-time signals included).
pub const MAX_SIGNAL: i32 = 64;

/// Names of signals 1..=31, in number order (the same on x86_64 and aarch64).
const SIGNAL_NAMES: [&str; 31] = [
    "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2",
    "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG",
    "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS",
];

/// A decimal number, without sign or spaces.
pub fn number(text: &[u8]) -> Option<u64> {
    if text.is_empty() || text.len() > 19 {
        return None;
    }
    text.iter().try_fold(0u64, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + (c - b'0') as u64)
    })
}

/// `10` or `10s` (seconds), `500ms`, `2m`: milliseconds.
pub fn duration_ms(text: &[u8]) -> Option<u64> {
    let (digits, scale) = if let Some(d) = text.strip_suffix(b"ms") {
        (d, 1)
    } else if let Some(d) = text.strip_suffix(b"s") {
        (d, 1000)
    } else if let Some(d) = text.strip_suffix(b"m") {
        (d, 60_000)
    } else {
        (text, 1000)
    };
    number(digits)?.checked_mul(scale)
}

/// A signal by number (`15`) or name (`TERM`, `SIGTERM`, any case), 1..=MAX_SIGNAL.
pub fn signal(text: &[u8]) -> Option<i32> {
    if let Some(n) = number(text) {
        return (1..=MAX_SIGNAL as u64).contains(&n).then_some(n as i32);
    }
    let name = match text {
        [b'S' | b's', b'I' | b'i', b'G' | b'g', rest @ ..] => rest,
        _ => text,
    };
    SIGNAL_NAMES
        .iter()
        .position(|n| n.as_bytes().eq_ignore_ascii_case(name))
        .map(|i| i as i32 + 1)
}

/// A size in bytes: `4096`, or with a binary suffix `k`, `m`, `g` or `t` (any case), as the
/// kernel's tmpfs `size=` option reads it.
pub fn size_bytes(text: &[u8]) -> Option<u64> {
    let (digits, shift) = match text.last()?.to_ascii_lowercase() {
        b'k' => (&text[..text.len() - 1], 10),
        b'm' => (&text[..text.len() - 1], 20),
        b'g' => (&text[..text.len() - 1], 30),
        b't' => (&text[..text.len() - 1], 40),
        _ => (text, 0),
    };
    let n = number(digits)?;
    (n.leading_zeros() >= shift).then_some(n << shift)
}

/// `SRC:DST` (split at the first colon), or `PATH` for the same path on both sides. Neither
/// side may be empty.
pub fn bind_spec(text: &[u8]) -> Option<(&[u8], &[u8])> {
    let (source, dest) = match text.iter().position(|&c| c == b':') {
        Some(colon) => (&text[..colon], &text[colon + 1..]),
        None => (text, text),
    };
    (!source.is_empty() && !dest.is_empty()).then_some((source, dest))
}

/// `DST` or `DST:SIZE` (split at the last colon): the destination and the size text, which
/// must be a valid `size_bytes`.
pub fn tmpfs_spec(text: &[u8]) -> Option<(&[u8], Option<&[u8]>)> {
    let (dest, size) = match text.iter().rposition(|&c| c == b':') {
        Some(colon) => (&text[..colon], Some(&text[colon + 1..])),
        None => (text, None),
    };
    if dest.is_empty() || size.is_some_and(|s| size_bytes(s).is_none()) {
        return None;
    }
    Some((dest, size))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(number(b"0"), Some(0));
        assert_eq!(number(b"255"), Some(255));
        assert_eq!(number(b""), None);
        assert_eq!(number(b"-1"), None);
        assert_eq!(number(b"1x"), None);
        assert_eq!(number(b"99999999999999999999"), None);
    }

    #[test]
    fn durations() {
        assert_eq!(duration_ms(b"10"), Some(10_000));
        assert_eq!(duration_ms(b"3s"), Some(3_000));
        assert_eq!(duration_ms(b"250ms"), Some(250));
        assert_eq!(duration_ms(b"2m"), Some(120_000));
        assert_eq!(duration_ms(b"s"), None);
        assert_eq!(duration_ms(b"1h"), None);
    }

    #[test]
    fn signals_by_name_and_number() {
        assert_eq!(signal(b"15"), Some(15));
        assert_eq!(signal(b"TERM"), Some(15));
        assert_eq!(signal(b"SIGKILL"), Some(9));
        assert_eq!(signal(b"sigusr1"), Some(10));
        assert_eq!(signal(b"WINCH"), Some(28));
        assert_eq!(signal(b"SYS"), Some(31));
        assert_eq!(signal(b"64"), Some(64));
        assert_eq!(signal(b"0"), None);
        assert_eq!(signal(b"65"), None);
        assert_eq!(signal(b"NOPE"), None);
        assert_eq!(signal(b""), None);
    }

    #[test]
    fn sizes() {
        assert_eq!(size_bytes(b"4096"), Some(4096));
        assert_eq!(size_bytes(b"64k"), Some(64 << 10));
        assert_eq!(size_bytes(b"64m"), Some(64 << 20));
        assert_eq!(size_bytes(b"2G"), Some(2 << 30));
        assert_eq!(size_bytes(b"1t"), Some(1 << 40));
        assert_eq!(size_bytes(b"m"), None);
        assert_eq!(size_bytes(b""), None);
        assert_eq!(size_bytes(b"1x"), None);
        assert_eq!(size_bytes(b"-1m"), None);
        assert_eq!(size_bytes(b"99999999999t"), None);
    }

    #[test]
    fn bind_specs() {
        assert_eq!(bind_spec(b"/src:/dst"), Some((&b"/src"[..], &b"/dst"[..])));
        assert_eq!(bind_spec(b"/usr"), Some((&b"/usr"[..], &b"/usr"[..])));
        assert_eq!(bind_spec(b"rel:/a:b"), Some((&b"rel"[..], &b"/a:b"[..])));
        assert_eq!(bind_spec(b":/dst"), None);
        assert_eq!(bind_spec(b"/src:"), None);
        assert_eq!(bind_spec(b""), None);
    }

    #[test]
    fn tmpfs_specs() {
        assert_eq!(tmpfs_spec(b"/tmp"), Some((&b"/tmp"[..], None)));
        assert_eq!(
            tmpfs_spec(b"/tmp:64m"),
            Some((&b"/tmp"[..], Some(&b"64m"[..])))
        );
        assert_eq!(
            tmpfs_spec(b"/a:b:1k"),
            Some((&b"/a:b"[..], Some(&b"1k"[..])))
        );
        assert_eq!(tmpfs_spec(b"/tmp:big"), None);
        assert_eq!(tmpfs_spec(b"/tmp:"), None);
        assert_eq!(tmpfs_spec(b":1m"), None);
        assert_eq!(tmpfs_spec(b""), None);
    }
}
