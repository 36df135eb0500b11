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

/// The pieces of `text` between `sep` bytes. One function for every list boxinit reads,
/// so that the splitting code exists once in the binary.
pub fn split(text: &[u8], sep: u8) -> impl Iterator<Item = &[u8]> {
    text.split(move |&c| c == sep)
}

/// The position of `name` (in any case) among the space-separated `words`: one function
/// for every table of names (capabilities, resource limits) so that its code exists once.
#[inline(never)]
pub fn word_index(words: &str, name: &[u8]) -> Option<usize> {
    split(words.as_bytes(), b' ').position(|w| w.eq_ignore_ascii_case(name))
}

/// Word `i` of the space-separated `words` (empty past the last).
pub fn word(words: &'static str, i: usize) -> &'static [u8] {
    split(words.as_bytes(), b' ').nth(i).unwrap_or(b"")
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words() {
        assert_eq!(word_index("CPU FSIZE DATA", b"fsize"), Some(1));
        assert_eq!(word_index("CPU FSIZE DATA", b"DATA"), Some(2));
        assert_eq!(word_index("CPU FSIZE DATA", b"FSIZ"), None);
        assert_eq!(word_index("CPU FSIZE DATA", b""), None);
        assert_eq!(word("CPU FSIZE DATA", 1), b"FSIZE");
        assert_eq!(word("CPU FSIZE DATA", 3), b"");
    }

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
}
