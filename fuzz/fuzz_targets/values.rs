//! Every parser of boxinit::values on arbitrary bytes: each gives a value or None, never a
//! panic (with panic = "abort" a panic is a dead PID 1). The first byte picks the parser, the
//! rest is its input; what a parser returns is checked against what it promises.
#![no_main]

use libfuzzer_sys::fuzz_target;

use boxinit::values;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, text)) = data.split_first() else {
        return;
    };
    match pick % 14 {
        0 => {
            if let Some(n) = values::number(text) {
                assert_eq!(n.to_string().as_bytes(), trim_zeros(text));
            }
        }
        1 => {
            if let Some(n) = values::signed(text) {
                assert_eq!(values::signed(n.to_string().as_bytes()), Some(n));
            }
        }
        2 => {
            if let Some(ms) = values::duration_ms(text) {
                assert!(ms <= values::MAX_DURATION_MS);
            }
        }
        3 => {
            let _ = values::boolean(text);
        }
        4 => {
            let _ = values::atoi(text);
        }
        5 => {
            if let Some(sig) = values::signal(text) {
                assert!((1..=values::MAX_SIGNAL).contains(&sig));
            }
            let n = i32::from_le_bytes(first4(text));
            if let Some(name) = values::signal_name(n) {
                assert_eq!(values::signal(name), Some(n));
            }
        }
        6 => {
            let _ = values::size(text);
        }
        7 => {
            // Every number of decimal places boxinit could ask for (cpus uses 5).
            for places in 0..=18 {
                let _ = values::fixed_point(text, places);
            }
        }
        8 => {
            let (controller, file) = split(text);
            if let Some(path) = values::cgroup_path(file, controller) {
                assert!(!path.contains(&b'\n'));
            }
        }
        9 => {
            let (word, list) = split(text);
            let _ = values::has_word(list, word);
        }
        10 => {
            let (key, file) = split(text);
            let _ = values::field(file, key);
        }
        11 => {
            if let Some((source, dest)) = values::bind_spec(text) {
                assert!(!source.is_empty() && !dest.is_empty());
            }
        }
        12 => {
            let _ = values::stat_parent(text);
            let _ = values::stat_state(text);
        }
        _ => {
            if let Some((dest, size)) = values::tmpfs_spec(text) {
                assert!(!dest.is_empty());
                assert!(size.is_none_or(|s| values::size(s).is_some()));
            }
        }
    }
});

/// The input before its first NUL as one argument, the rest as another.
fn split(text: &[u8]) -> (&[u8], &[u8]) {
    match text.iter().position(|&c| c == 0) {
        Some(nul) => (&text[..nul], &text[nul + 1..]),
        None => (&b""[..], text),
    }
}

fn first4(text: &[u8]) -> [u8; 4] {
    let mut n = [0; 4];
    for (d, s) in n.iter_mut().zip(text) {
        *d = *s;
    }
    n
}

/// Digits without their leading zeros (but at least one).
fn trim_zeros(text: &[u8]) -> &[u8] {
    let start = text
        .iter()
        .position(|&c| c != b'0')
        .unwrap_or(text.len() - 1);
    &text[start.min(text.len() - 1)..]
}
