//! Value parsers for options and for what boxinit reads from the kernel: numbers, durations,
//! signals, sizes, fractions, mount specs and cgroup files. A leaf: it imports nothing of
//! boxinit's, so every other module may use it.

/// The highest signal number (real-time signals included).
pub const MAX_SIGNAL: i32 = 64;

/// Names of signals 1..=31, in number order (the same on x86_64 and aarch64), in one
/// string: a table of 31 `&str`s would be 496 bytes more.
const SIGNAL_NAMES: &str = "HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM \
    TERM STKFLT CHLD CONT STOP TSTP TTIN TTOU URG XCPU XFSZ VTALRM PROF WINCH IO PWR SYS";

/// The pieces of `text` between `sep` bytes. One function for every list boxinit reads,
/// so that the splitting code exists once in the binary.
pub fn split(text: &[u8], sep: u8) -> impl Iterator<Item = &[u8]> {
    text.split(move |&c| c == sep)
}

/// Whether the comma-separated `list` holds an empty item (`a,,b`, `a,`, `,`): a slip, or a
/// value that went missing, never an item to skip. One rule for every list an option takes.
pub fn has_empty_item(list: &[u8]) -> bool {
    split(list, b',').any(<[u8]>::is_empty)
}

/// The position of `name` (in any case) among the space-separated `words`: one function
/// for every table of names (capabilities, resource limits) so that its code exists once.
#[inline(never)]
pub fn word_index(words: &str, name: &[u8]) -> Option<usize> {
    split(words.as_bytes(), b' ').position(|w| same_ignoring_case(w, name))
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

/// A decimal number with an optional leading `-`.
pub fn signed(text: &[u8]) -> Option<i64> {
    match text.strip_prefix(&b"-"[..]) {
        Some(digits) => number(digits)
            .and_then(|n| i64::try_from(n).ok())
            .map(|n| -n),
        None => number(text).and_then(|n| i64::try_from(n).ok()),
    }
}

/// The longest duration boxinit counts: about 136 years, far below where adding it to the
/// monotonic clock (or printing it) could overflow.
pub const MAX_DURATION_MS: u64 = u32::MAX as u64 * 1000;

/// `10` or `10s` (seconds), `500ms`, `2m`: milliseconds, at most MAX_DURATION_MS.
pub fn duration_ms(text: &[u8]) -> Option<u64> {
    let (digits, scale) = if let Some(d) = text.strip_suffix(&b"ms"[..]) {
        (d, 1)
    } else if let Some(d) = text.strip_suffix(&b"s"[..]) {
        (d, 1000)
    } else if let Some(d) = text.strip_suffix(&b"m"[..]) {
        (d, 60_000)
    } else {
        (text, 1000)
    };
    number(digits)?
        .checked_mul(scale)
        .filter(|&ms| ms <= MAX_DURATION_MS)
}

/// `a` and `b` are the same ASCII text but for case. (core's `eq_ignore_ascii_case` is
/// unrolled for speed: five times the size, for names of a few bytes.)
pub fn same_ignoring_case(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.eq_ignore_ascii_case(y))
}

/// A yes/no value: `1`, `true`, `yes`, `on` or `0`, `false`, `no`, `off`, empty (any case).
pub fn boolean(text: &[u8]) -> Option<bool> {
    // Space-separated, as `word_index` reads them (it finds no empty word).
    if word_index("1 true yes on", text).is_some() {
        Some(true)
    } else if text.is_empty() || word_index("0 false no off", text).is_some() {
        Some(false)
    } else {
        None
    }
}

/// C's strtol in base 10: white space, a sign, digits. The number and how many bytes it
/// read; 0 bytes when there was no digit (strtol then leaves its end pointer at the start).
pub fn strtol(text: &[u8]) -> (i64, usize) {
    let start = text
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(text.len());
    let (negative, sign) = match text.get(start) {
        Some(b'-') => (true, 1),
        Some(b'+') => (false, 1),
        _ => (false, 0),
    };
    let mut end = start + sign;
    let mut n: i64 = 0;
    while let Some(&c) = text.get(end).filter(|c| c.is_ascii_digit()) {
        n = n.saturating_mul(10).saturating_add((c - b'0') as i64);
        end += 1;
    }
    match end - start - sign {
        0 => (0, 0),
        _ if negative => (-n, end),
        _ => (n, end),
    }
}

/// C's `atoi` as tini reads its numbers: leading blanks, an optional sign, the digits that
/// follow; anything else ends the number, and no digits at all is 0 (`strtol`'s number).
pub fn atoi(text: &[u8]) -> i64 {
    strtol(text).0
}

/// A signal's name without `SIG` (`TERM`), for the classic signals 1..=31.
pub fn signal_name(sig: i32) -> Option<&'static [u8]> {
    (1..=31)
        .contains(&sig)
        .then(|| word(SIGNAL_NAMES, sig as usize - 1))
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
    word_index(SIGNAL_NAMES, name).map(|i| i as i32 + 1)
}

// ---- Limits (cgroups) ----------------------------------------------------------------------

/// A size in bytes: digits with an optional k, m, g or t suffix (powers of 1024, either case),
/// optionally followed by b: `4096`, `64k`, `32m`, `1G`, `2gb`.
pub fn size(text: &[u8]) -> Option<u64> {
    let text = match text {
        [rest @ .., b'b' | b'B'] => rest,
        _ => text,
    };
    let (digits, shift) = match text {
        [d @ .., b'k' | b'K'] => (d, 10),
        [d @ .., b'm' | b'M'] => (d, 20),
        [d @ .., b'g' | b'G'] => (d, 30),
        [d @ .., b't' | b'T'] => (d, 40),
        _ => (text, 0),
    };
    let n = number(digits)?;
    (n <= u64::MAX >> shift).then_some(n << shift)
}

/// A decimal fraction (`0.5`, `1.25`, `2`, `.5`) times 10^`places`, as an integer: fixed
/// point, with no floating point and no digit silently dropped (more than `places` decimals
/// is an error).
pub fn fixed_point(text: &[u8], places: u32) -> Option<u64> {
    let (whole, decimals) = match text.iter().position(|&c| c == b'.') {
        Some(dot) => (&text[..dot], &text[dot + 1..]),
        None => (text, &b""[..]),
    };
    if (whole.is_empty() && decimals.is_empty()) || decimals.len() > places as usize {
        return None;
    }
    let or_zero = |digits: &[u8]| {
        if digits.is_empty() {
            Some(0)
        } else {
            number(digits)
        }
    };
    let fraction = or_zero(decimals)? * 10u64.pow(places - decimals.len() as u32);
    or_zero(whole)?
        .checked_mul(10u64.pow(places))?
        .checked_add(fraction)
}

/// In /proc/self/cgroup (`ID:CONTROLLERS:PATH` lines), the path of the group in the hierarchy
/// that holds `controller` (cgroup v1), or with an empty `controller` in the unified one (v2).
pub fn cgroup_path<'a>(text: &'a [u8], controller: &[u8]) -> Option<&'a [u8]> {
    text.split(|&c| c == b'\n').find_map(|line| {
        let mut fields = line.splitn(3, |&c| c == b':');
        let (id, controllers, path) = (fields.next()?, fields.next()?, fields.next()?);
        let found = if controller.is_empty() {
            id == b"0" && controllers.is_empty()
        } else {
            has_word(controllers, controller)
        };
        found.then_some(path)
    })
}

/// Whether a list separated by commas, spaces or newlines holds `word`.
pub fn has_word(list: &[u8], word: &[u8]) -> bool {
    list.split(|&c| matches!(c, b',' | b' ' | b'\n'))
        .any(|w| w == word)
}

/// In a file of `key value` lines (memory.events, memory.oom_control), the number of `key`.
pub fn field(text: &[u8], key: &[u8]) -> Option<u64> {
    text.split(|&c| c == b'\n').find_map(|line| {
        let value = line.strip_prefix(key)?.strip_prefix(&b" "[..])?;
        number(value)
    })
}

/// In a /proc/PID/stat line, the state letter (R, S, T, Z, ...): field 3.
pub fn stat_state(stat: &[u8]) -> Option<u8> {
    let after_name = &stat[stat.iter().rposition(|&c| c == b')')? + 1..];
    let state = after_name.split(|&c| c == b' ').nth(1)?;
    (state.len() == 1).then(|| state[0])
}

/// In a /proc/PID/stat line, the parent pid: field 4, counted after the command name in
/// parentheses (which may itself hold spaces and parentheses, so look for the last one).
pub fn stat_parent(stat: &[u8]) -> Option<u64> {
    let after_name = &stat[stat.iter().rposition(|&c| c == b')')? + 1..];
    number(after_name.split(|&c| c == b' ').nth(2)?)
}

// ---- Mounts ----------------------------------------------------------------------------

/// `SRC:DST` (split at the first colon), or `PATH` for the same path on both sides. Neither
/// side may be empty.
pub fn bind_spec(text: &[u8]) -> Option<(&[u8], &[u8])> {
    let (source, dest) = match text.iter().position(|&c| c == b':') {
        Some(colon) => (&text[..colon], &text[colon + 1..]),
        None => (text, text),
    };
    (!source.is_empty() && !dest.is_empty()).then_some((source, dest))
}

/// Whether `path` names the root it is resolved in, whatever its spelling (`/`, `//.`,
/// `a/..`): no component is left once `.` and `..` are taken away.
pub fn is_root_path(path: &[u8]) -> bool {
    let mut depth = 0usize;
    for part in path.split(|&c| c == b'/') {
        match part {
            b"" | b"." => {}
            b".." => depth = depth.saturating_sub(1),
            _ => depth += 1,
        }
    }
    depth == 0
}

/// `DST` or `DST:SIZE` (split at the last colon): the destination and the size text, which
/// must be a valid `size`.
pub fn tmpfs_spec(text: &[u8]) -> Option<(&[u8], Option<&[u8]>)> {
    let (dest, bytes) = match text.iter().rposition(|&c| c == b':') {
        Some(colon) => (&text[..colon], Some(&text[colon + 1..])),
        None => (text, None),
    };
    // A size of 0 would be the kernel's "no limit", the opposite of what it says.
    if dest.is_empty() || bytes.is_some_and(|s| size(s).is_none_or(|n| n == 0)) {
        return None;
    }
    Some((dest, bytes))
}

/// Whether a `--tmpfs` value gives a size of 0 (refused by `tmpfs_spec`): said apart from
/// the other bad values, as it is a size, only not one that means what it says.
pub fn tmpfs_size_is_zero(text: &[u8]) -> bool {
    let colon = text.iter().rposition(|&c| c == b':');
    colon.is_some_and(|colon| size(&text[colon + 1..]) == Some(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parent_from_stat() {
        assert_eq!(stat_parent(b"42 (sh) S 7 42 42 0"), Some(7));
        assert_eq!(stat_parent(b"42 (a) b) (c) R 9 1"), Some(9));
        assert_eq!(stat_parent(b"42 (sh) S"), None);
        assert_eq!(stat_parent(b"42 sh S 7"), None);
        assert_eq!(stat_state(b"42 (a) b) T 9 1"), Some(b'T'));
        assert_eq!(stat_state(b"42 (sh) ST 7"), None);
        assert_eq!(stat_state(b"42 (sh)"), None);
    }

    #[test]
    fn empty_list_items() {
        for bad in [&b"1,,3"[..], b",", b"a,", b",a", b""] {
            assert!(has_empty_item(bad), "{}", String::from_utf8_lossy(bad));
        }
        assert!(!has_empty_item(b"a,b"));
        assert!(!has_empty_item(b"a"));
    }

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
    fn signed_numbers() {
        assert_eq!(signed(b"86400"), Some(86400));
        assert_eq!(signed(b"-5"), Some(-5));
        assert_eq!(signed(b"-"), None);
        assert_eq!(signed(b"+5"), None);
        assert_eq!(signed(b"9223372036854775808"), None);
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
        assert_eq!(signal_name(1), Some(&b"HUP"[..]));
        assert_eq!(signal_name(15), Some(&b"TERM"[..]));
        assert_eq!(signal_name(31), Some(&b"SYS"[..]));
        assert_eq!(signal_name(0), None);
        assert_eq!(signal_name(34), None);
        assert_eq!(signal_name(-1), None);
        for sig in 1..=31 {
            assert_eq!(signal(signal_name(sig).unwrap()), Some(sig));
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

    #[test]
    fn sizes() {
        assert_eq!(size(b"4096"), Some(4096));
        assert_eq!(size(b"64k"), Some(64 << 10));
        assert_eq!(size(b"32m"), Some(32 << 20));
        assert_eq!(size(b"32M"), Some(32 << 20));
        assert_eq!(size(b"2gb"), Some(2 << 30));
        assert_eq!(size(b"1T"), Some(1 << 40));
        assert_eq!(size(b"512b"), Some(512));
        assert_eq!(size(b"0"), Some(0));
        for bad in [
            &b""[..],
            b"m",
            b"-1m",
            b"1.5g",
            b"12x",
            b"1mm",
            b"1 m",
            b"16777216t",
        ] {
            assert_eq!(size(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn fixed_points() {
        assert_eq!(fixed_point(b"0.5", 5), Some(50_000));
        assert_eq!(fixed_point(b"0.2", 5), Some(20_000));
        assert_eq!(fixed_point(b"1.25", 5), Some(125_000));
        assert_eq!(fixed_point(b"2", 5), Some(200_000));
        assert_eq!(fixed_point(b".5", 5), Some(50_000));
        assert_eq!(fixed_point(b"3.", 5), Some(300_000));
        assert_eq!(fixed_point(b"0.00001", 5), Some(1));
        assert_eq!(fixed_point(b"0", 5), Some(0));
        for bad in [
            &b""[..],
            b".",
            b"-0.5",
            b"0.000001",
            b"1.2.3",
            b"1,5",
            b"x",
            b"1e3",
        ] {
            assert_eq!(
                fixed_point(bad, 5),
                None,
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        assert_eq!(fixed_point(b"99999999999999999", 5), None);
    }

    #[test]
    fn cgroup_paths() {
        let hybrid = b"9:name=systemd:/\n4:memory:/a/b\n2:cpu,cpuacct:/c\n0::/u\n";
        assert_eq!(cgroup_path(hybrid, b"memory"), Some(&b"/a/b"[..]));
        assert_eq!(cgroup_path(hybrid, b"cpu"), Some(&b"/c"[..]));
        assert_eq!(cgroup_path(hybrid, b"cpuacct"), Some(&b"/c"[..]));
        assert_eq!(cgroup_path(hybrid, b"pids"), None);
        assert_eq!(cgroup_path(hybrid, b""), Some(&b"/u"[..]));
        assert_eq!(cgroup_path(b"0::/x:y\n", b""), Some(&b"/x:y"[..]));
        assert_eq!(cgroup_path(b"4:memory:/a\n", b""), None);
    }

    #[test]
    fn words_and_fields() {
        assert!(has_word(b"cpuset cpu io memory pids\n", b"memory"));
        assert!(has_word(b"cpuset cpu io memory pids\n", b"pids"));
        assert!(!has_word(b"cpuset io memory\n", b"cpu"));
        assert!(!has_word(b"", b"cpu"));
        let events = b"low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\noom_group_kill 0\n";
        assert_eq!(field(events, b"oom_kill"), Some(1));
        assert_eq!(field(events, b"oom"), Some(1));
        assert_eq!(field(events, b"max"), Some(12));
        assert_eq!(
            field(b"oom_kill_disable 0\nunder_oom 0\n", b"oom_kill"),
            None
        );
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
    fn root_paths_in_any_spelling() {
        for root in [
            &b"/"[..],
            b"//",
            b"/.",
            b".",
            b"/a/..",
            b"a/b/../..",
            b"/../..",
        ] {
            assert!(is_root_path(root), "{root:?}");
        }
        for other in [&b"/a"[..], b"a", b"/a/../b", b"/..a", b"/a/b/.."] {
            assert!(!is_root_path(other), "{other:?}");
        }
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
        assert_eq!(tmpfs_spec(b"/tmp:0"), None);
        assert!(tmpfs_size_is_zero(b"/tmp:0") && tmpfs_size_is_zero(b"/a:b:0k"));
        assert!(!tmpfs_size_is_zero(b"/tmp:1k") && !tmpfs_size_is_zero(b"/tmp"));
        assert_eq!(tmpfs_spec(b"/tmp:0k"), None);
        assert_eq!(tmpfs_spec(b"/tmp:"), None);
        assert_eq!(tmpfs_spec(b":1m"), None);
        assert_eq!(tmpfs_spec(b""), None);
    }

    #[test]
    fn strtol_reads_as_c_does() {
        assert_eq!(strtol(b" 3"), (3, 2));
        assert_eq!(strtol(b"-12:5"), (-12, 3));
        assert_eq!(strtol(b"+7x"), (7, 2));
        assert_eq!(strtol(b""), (0, 0));
        assert_eq!(strtol(b"abc"), (0, 0));
        assert_eq!(strtol(b" - 3"), (0, 0));
    }
}
