//! Properties of the value parsers (`boxinit::values`, which imports nothing else of boxinit):
//! what is formatted parses back to itself, what is past a limit is refused (never wrapped,
//! saturated or cut), and no input panics (with panic = "abort" a panic is a dead PID 1).

use boxinit::{accounts, values};

use proptest::prelude::*;
use values::*;

/// Any bytes, leaning to those the parsers care about.
fn text() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        4 => prop::sample::select(b"0123456789".to_vec()),
        2 => prop::sample::select(b"-+.:, \nkmgtbsKMGTBSIGms".to_vec()),
        1 => any::<u8>(),
    ];
    prop::collection::vec(byte, 0..40)
}

proptest! {
    #[test]
    fn no_parser_panics(t in text(), places in 0u32..=18) {
        let _ = number(&t);
        let _ = signed(&t);
        let _ = duration_ms(&t);
        let _ = boolean(&t);
        let _ = atoi(&t);
        let _ = signal(&t);
        let _ = size(&t);
        let _ = fixed_point(&t, places);
        let _ = cgroup_path(&t, b"memory");
        let _ = cgroup_path(&t, b"");
        let _ = has_word(&t, b"cpu");
        let _ = field(&t, b"oom");
        let _ = bind_spec(&t);
        let _ = tmpfs_spec(&t);
    }

    #[test]
    fn numbers_round_trip(n in 0u64..=9_999_999_999_999_999_999) {
        prop_assert_eq!(number(n.to_string().as_bytes()), Some(n));
        // Leading zeros change nothing, within the 19 digits a number may have.
        let padded = format!("{n:019}");
        prop_assert_eq!(number(padded.as_bytes()), Some(n));
    }

    #[test]
    fn numbers_past_19_digits_are_refused(n in 10_000_000_000_000_000_000u64..) {
        prop_assert_eq!(number(n.to_string().as_bytes()), None);
        prop_assert_eq!(number(format!("0{n}").as_bytes()), None);
    }

    #[test]
    fn signed_numbers_round_trip(n in -(i64::MAX)..=i64::MAX) {
        prop_assert_eq!(signed(n.to_string().as_bytes()), Some(n));
    }

    #[test]
    fn atoi_agrees_with_signed_in_range(n in any::<i32>(), tail in "[^0-9]{0,3}") {
        let t = format!(" {n}{tail}");
        prop_assert_eq!(atoi(t.as_bytes()), n as i64);
    }

    #[test]
    fn durations_round_trip(secs in 0u64..=u32::MAX as u64, ms in 0u64..=MAX_DURATION_MS) {
        prop_assert_eq!(duration_ms(format!("{secs}").as_bytes()), Some(secs * 1000));
        prop_assert_eq!(duration_ms(format!("{secs}s").as_bytes()), Some(secs * 1000));
        prop_assert_eq!(duration_ms(format!("{ms}ms").as_bytes()), Some(ms));
        if secs % 60 == 0 {
            prop_assert_eq!(duration_ms(format!("{}m", secs / 60).as_bytes()), Some(secs * 1000));
        }
    }

    #[test]
    fn durations_past_the_limit_are_refused(ms in MAX_DURATION_MS + 1..) {
        prop_assert_eq!(duration_ms(format!("{ms}ms").as_bytes()), None);
        let secs = ms / 1000 + 1;
        prop_assert_eq!(duration_ms(format!("{secs}s").as_bytes()), None);
        prop_assert_eq!(duration_ms(format!("{}m", secs / 60 + 1).as_bytes()), None);
    }

    #[test]
    fn signals_round_trip(sig in 1i32..=31, lower in any::<bool>(), prefix in any::<bool>()) {
        let name = std::str::from_utf8(signal_name(sig).unwrap()).unwrap();
        let mut t = if prefix { format!("SIG{name}") } else { name.to_owned() };
        if lower {
            t = t.to_lowercase();
        }
        prop_assert_eq!(signal(t.as_bytes()), Some(sig));
    }

    #[test]
    fn signal_numbers_in_range_only(n in any::<i64>()) {
        let want = (1..=MAX_SIGNAL as i64).contains(&n).then_some(n as i32);
        prop_assert_eq!(signal(n.to_string().as_bytes()), want);
    }

    #[test]
    fn sizes_round_trip(n in 0u64..1 << 24, unit in 0usize..5, b in any::<bool>()) {
        let (suffix, shift) = [("", 0), ("k", 10), ("M", 20), ("g", 30), ("T", 40)][unit];
        let t = format!("{n}{suffix}{}", if b { "b" } else { "" });
        prop_assert_eq!(size(t.as_bytes()), Some(n << shift));
    }

    #[test]
    fn sizes_that_overflow_are_refused(n in 1u64 << 24..=9_999_999_999_999_999_999, unit in 1usize..5) {
        let (suffix, shift) = [("", 0), ("k", 10), ("m", 20), ("g", 30), ("t", 40)][unit];
        let want = n.checked_mul(1 << shift);
        prop_assert_eq!(size(format!("{n}{suffix}").as_bytes()), want);
    }

    #[test]
    fn fixed_points_round_trip(whole in 0u64..1_000_000_000, frac in 0u64..100_000) {
        let t = format!("{whole}.{frac:05}");
        prop_assert_eq!(fixed_point(t.as_bytes(), 5), Some(whole * 100_000 + frac));
        // One more decimal than asked for is an error, not a digit dropped.
        prop_assert_eq!(fixed_point(format!("{t}1").as_bytes(), 5), None);
    }

    #[test]
    fn fixed_points_that_overflow_are_refused(whole in 184_467_440_737_096u64..=9_999_999_999_999_999_999) {
        prop_assert_eq!(fixed_point(whole.to_string().as_bytes(), 5), whole.checked_mul(100_000));
    }

    #[test]
    fn bind_specs_split_at_the_first_colon(src in "[^:]{1,20}", dst in "[^\\x00]{1,20}") {
        let t = format!("{src}:{dst}");
        prop_assert_eq!(bind_spec(t.as_bytes()), Some((src.as_bytes(), dst.as_bytes())));
    }

    #[test]
    fn tmpfs_specs_split_at_the_last_colon(dst in "[^\\x00]{1,20}", n in 1u64..1 << 20) {
        let t = format!("{dst}:{n}k");
        let bytes = format!("{n}k");
        prop_assert_eq!(tmpfs_spec(t.as_bytes()), Some((dst.as_bytes(), Some(bytes.as_bytes()))));
    }

    #[test]
    fn cgroup_lines_find_their_controller(id in 1u32..20, path in "/[a-z/:]{0,20}") {
        let file = format!("12:name=systemd:/\n{id}:cpu,memory:{path}\n0::/u\n");
        prop_assert_eq!(cgroup_path(file.as_bytes(), b"memory"), Some(path.as_bytes()));
        prop_assert_eq!(cgroup_path(file.as_bytes(), b""), Some(&b"/u"[..]));
    }

    #[test]
    fn fields_read_their_own_key(a in any::<u32>(), b in any::<u32>()) {
        let file = format!("oom {a}\noom_kill {b}\n");
        prop_assert_eq!(field(file.as_bytes(), b"oom"), Some(a as u64));
        prop_assert_eq!(field(file.as_bytes(), b"oom_kill"), Some(b as u64));
    }
}

// ---- Account-file lines (src/accounts.rs) ---

proptest! {
    #[test]
    fn no_account_parser_panics(t in text()) {
        let _ = accounts::id(&t);
        let _ = accounts::passwd(&t);
        let _ = accounts::subids(&t);
        if let Some(g) = accounts::group(&t) {
            let _ = g.has_member(b"app");
        }
    }

    #[test]
    fn ids_round_trip(n in 0u32..u32::MAX) {
        prop_assert_eq!(accounts::id(n.to_string().as_bytes()), Some(n));
    }

    #[test]
    fn ids_past_32_bits_are_refused(n in u32::MAX as u64..=9_999_999_999_999_999_999) {
        // -1 ("no id") and anything wider: refused, never cut to 32 bits.
        prop_assert_eq!(accounts::id(n.to_string().as_bytes()), None);
    }

    #[test]
    fn passwd_lines_round_trip(
        name in "[a-z_][a-z0-9_.-]{0,15}",
        uid in 0u32..u32::MAX,
        gid in 0u32..u32::MAX,
        gecos in "[^:\n]{0,20}",
        home in "(/[a-z0-9_.-]{1,8}){0,3}",
    ) {
        let line = format!("{name}:x:{uid}:{gid}:{gecos}:{home}:/bin/sh");
        let p = accounts::passwd(line.as_bytes()).unwrap();
        prop_assert_eq!((p.name, p.uid, p.gid, p.home), (name.as_bytes(), uid, gid, home.as_bytes()));
    }

    #[test]
    fn passwd_ids_past_32_bits_are_refused(name in "[a-z]{1,8}", uid in u32::MAX as u64..1 << 40) {
        let uid_line = format!("{name}:x:{uid}:0::/:");
        let gid_line = format!("{name}:x:0:{uid}::/:");
        prop_assert_eq!(accounts::passwd(uid_line.as_bytes()), None);
        prop_assert_eq!(accounts::passwd(gid_line.as_bytes()), None);
    }

    #[test]
    fn group_lines_list_their_members(
        name in "[a-z]{1,8}",
        gid in 0u32..u32::MAX,
        members in prop::collection::vec("[a-z][a-z0-9]{0,7}", 0..6),
        other in "[A-Z]{1,8}",
    ) {
        let line = format!("{name}:x:{gid}:{}", members.join(","));
        let g = accounts::group(line.as_bytes()).unwrap();
        prop_assert_eq!((g.name, g.gid), (name.as_bytes(), gid));
        for m in &members {
            prop_assert!(g.has_member(m.as_bytes()));
        }
        prop_assert!(!g.has_member(other.as_bytes()));
    }

    #[test]
    fn subid_lines_round_trip(owner in "[a-z0-9]{1,8}", start in 0u32..u32::MAX, count in 1u32..u32::MAX) {
        let line = format!("{owner}:{start}:{count}");
        let s = accounts::subids(line.as_bytes()).unwrap();
        prop_assert_eq!((s.owner, s.start, s.count), (owner.as_bytes(), start, count));
        // An empty range is no range.
        let empty = format!("{owner}:{start}:0");
        prop_assert_eq!(accounts::subids(empty.as_bytes()), None);
    }
}
