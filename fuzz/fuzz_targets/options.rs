//! The option parser (`boxinit::opts`) on arbitrary argv and environments, under each name
//! boxinit answers to: any input gives a configuration or a clean failure (a status and a
//! message), never a panic.
//!
//! The library is built with `--cfg fuzzing`, which gives it std and lets the fuzzer use
//! `Strings::leak`.
#![no_main]

use libfuzzer_sys::fuzz_target;

use boxinit::{config, opts, sys};

const NAMES: [&str; 4] = ["boxinit", "/sbin/tini", "dumb-init", "/run/podman-init"];

fuzz_target!(|data: &[u8]| {
    // The first byte: the name (low two bits) and how many of the NUL-separated strings that
    // follow are arguments (the rest are environment entries).
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let strings: Vec<String> = rest
        .split(|&c| c == 0)
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .collect();
    let argc = ((pick >> 2) as usize).min(strings.len());
    let mut args = vec![NAMES[(pick & 3) as usize]];
    args.extend(strings[..argc].iter().map(String::as_str));
    let env: Vec<&str> = strings[argc..].iter().map(String::as_str).collect();
    let host = config::Host::default();
    match opts::parse(sys::Strings::leak(&args), sys::Strings::leak(&env), host) {
        Ok(config) => assert!(config.action != config::Action::Run || !config.command.is_empty()),
        Err(failure) => assert!(failure.status() != 0 && !failure.what().is_empty()),
    }
});
