//! Value parsers for options and for what boxinit reads from the kernel: numbers, durations
//! and signals. A leaf: it imports nothing of boxinit's, so every other module may use it.

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

/// The longest duration boxinit counts: about 136 years, far below where adding it to the
/// monotonic clock (or printing it) could overflow.
pub const MAX_DURATION_MS: u64 = u32::MAX as u64 * 1000;

/// `10` or `10s` (seconds), `500ms`, `2m`: milliseconds, at most MAX_DURATION_MS.
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
    number(digits)?
        .checked_mul(scale)
        .filter(|&ms| ms <= MAX_DURATION_MS)
}

/// A yes/no value: `1`, `true`, `yes`, `on` or `0`, `false`, `no`, `off`, empty (any case).
pub fn boolean(text: &[u8]) -> Option<bool> {
    const ON: [&str; 4] = ["1", "true", "yes", "on"];
    const OFF: [&str; 5] = ["", "0", "false", "no", "off"];
    let is = |words: &[&str]| {
        words
            .iter()
            .any(|w| w.as_bytes().eq_ignore_ascii_case(text))
    };
    if is(&ON) {
        Some(true)
    } else if is(&OFF) {
        Some(false)
    } else {
        None
    }
}

/// C's `atoi` as tini reads its numbers: leading blanks, an optional sign, the digits that
/// follow; anything else ends the number, and no digits at all is 0.
pub fn atoi(text: &[u8]) -> i64 {
    let text = match text.iter().position(|c| !c.is_ascii_whitespace()) {
        Some(start) => &text[start..],
        None => return 0,
    };
    let (negative, digits) = match text {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, text),
    };
    let n = digits
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .fold(0i64, |n, &c| {
            n.saturating_mul(10).saturating_add((c - b'0') as i64)
        });
    if negative {
        -n
    } else {
        n
    }
}

/// A signal's name without `SIG` (`TERM`), for the classic signals 1..=31.
pub fn signal_name(sig: i32) -> Option<&'static str> {
    let index = usize::try_from(sig).ok()?.checked_sub(1)?;
    SIGNAL_NAMES.get(index).copied()
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
        // Past what boxinit counts: refused, not wrapped or saturated.
        assert_eq!(duration_ms(b"9999999999999999999ms"), None);
        assert_eq!(duration_ms(b"18446744073709551s"), None);
        assert_eq!(duration_ms(b"4294967295s"), Some(MAX_DURATION_MS));
        assert_eq!(duration_ms(b"4294967296s"), None);
    }

    #[test]
    fn booleans() {
        for on in ["1", "true", "yes", "on", "TRUE", "Yes"] {
            assert_eq!(boolean(on.as_bytes()), Some(true), "{on}");
        }
        for off in ["", "0", "false", "no", "off", "OFF"] {
            assert_eq!(boolean(off.as_bytes()), Some(false), "{off}");
        }
        for bad in ["2", "y", "enable", " 1", "true "] {
            assert_eq!(boolean(bad.as_bytes()), None, "{bad}");
        }
    }

    #[test]
    fn atoi_as_c_reads_it() {
        assert_eq!(atoi(b"3"), 3);
        assert_eq!(atoi(b"abc"), 0);
        assert_eq!(atoi(b""), 0);
        assert_eq!(atoi(b"2x"), 2);
        assert_eq!(atoi(b" -1"), -1);
        assert_eq!(atoi(b"+4"), 4);
        assert_eq!(atoi(b"99999999999999999999999"), i64::MAX);
    }

    #[test]
    fn signal_names() {
        assert_eq!(signal_name(1), Some("HUP"));
        assert_eq!(signal_name(15), Some("TERM"));
        assert_eq!(signal_name(31), Some("SYS"));
        assert_eq!(signal_name(0), None);
        assert_eq!(signal_name(34), None);
        assert_eq!(signal_name(-1), None);
        for sig in 1..=31 {
            assert_eq!(signal(signal_name(sig).unwrap().as_bytes()), Some(sig));
        }
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
}
